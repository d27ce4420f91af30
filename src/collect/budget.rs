//! The adaptive budget: how many calls of one API family one account may have in flight
//! in one region, shared by every client and every collector of that account.
//!
//! AWS throttles per account, region and API family (EC2's non-mutating actions share one
//! request token bucket per account and region, KMS and S3 limit each operation), not per
//! SDK client: the SDK's own adaptive retry adapts each retry partition's send rate to
//! the throttling *it* saw, and a scan runs many clients and collectors against the same
//! limits. So every call first takes a slot in its family's budget (a window of calls in
//! flight), and the window adapts the way TCP's congestion window does (AIMD): each call
//! that succeeds without being throttled widens it by `1 / window` (one slot per window of
//! calls), and a throttled answer halves it, once per window (the calls admitted before the
//! cut were sent at the old rate and say nothing about the new one). At AWS's rates the
//! window settles around rate × latency: the most calls the limit lets through, with few
//! answers throttled and none given up on (the recorder waits and asks again when the
//! SDK's own attempts were all throttled, see [`super::recorder`]).
//!
//! An unthrottled scan never meets the budget: the window starts at [`INITIAL`], above the
//! calls one family has in flight at the default `--concurrency`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

/// The window a family starts with: above what one family of one account and region has in
/// flight without throttling (16 accounts, each bucket's seven settings at once for 8
/// buckets a region; the S3 settings are one family per operation), so the budget changes
/// nothing until AWS throttles.
pub const INITIAL: f64 = 64.0;
/// The widest a window grows back to.
pub const MAX: f64 = 256.0;
/// The narrowest: one call at a time always goes through.
pub const MIN: f64 = 1.0;

/// The API family of `operation` (`service:Operation`): the unit AWS throttles by, as its
/// documentation publishes it. EC2 shares one bucket between its non-mutating actions
/// ("Request throttling for the Amazon EC2 API": Describe*, Get*, List* … per account and
/// region); KMS publishes its request quotas per operation ("Request quotas", KMS
/// developer guide), and S3 scales, and answers `503 SlowDown`, per request type and
/// prefix ("Best practices design patterns: optimizing Amazon S3 performance"), so both are
/// budgeted per operation. Other services publish no per-operation rates for their reads:
/// one family per service, the cautious choice.
pub fn family(operation: &'static str) -> &'static str {
    let service = operation.split(':').next().unwrap_or(operation);
    match service {
        "s3" | "kms" => operation,
        _ => service,
    }
}

/// The window arithmetic, apart from waiting (unit-tested on its own).
#[derive(Debug, Clone)]
pub struct Window {
    limit: f64,
    in_flight: usize,
    /// When the window was last cut; a throttled answer to a call admitted before then
    /// does not cut it again.
    last_cut: Option<Instant>,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            limit: INITIAL,
            in_flight: 0,
            last_cut: None,
        }
    }
}

impl Window {
    /// The calls that may be in flight now.
    pub fn limit(&self) -> usize {
        self.limit.floor() as usize
    }

    #[cfg(test)]
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Admits a call when the window has room.
    pub fn admit(&mut self) -> bool {
        if self.in_flight < self.limit() {
            self.in_flight += 1;
            true
        } else {
            false
        }
    }

    /// A call admitted at `admitted_at` ended: unthrottled, it widens the window by one
    /// slot per window of calls; throttled (any of its attempts), it halves the window,
    /// unless the window was already cut after that call was admitted.
    pub fn release(&mut self, admitted_at: Instant, throttled: bool, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if throttled {
            if self.last_cut.is_none_or(|cut| admitted_at >= cut) {
                self.limit = (self.limit / 2.0).max(MIN);
                self.last_cut = Some(now);
            }
        } else {
            self.limit = (self.limit + 1.0 / self.limit).min(MAX);
        }
    }
}

/// One family's window, and the calls waiting for room in it.
#[derive(Debug, Default)]
pub struct Budget {
    window: Mutex<Window>,
    room: Notify,
}

impl Budget {
    /// Waits for a slot. The slot is given back when dropped (unthrottled, unless
    /// [`Slot::throttled`] was called).
    pub async fn acquire(self: &Arc<Self>) -> Slot {
        loop {
            if self.lock().admit() {
                return Slot {
                    budget: Arc::clone(self),
                    admitted_at: Instant::now(),
                    throttled: false,
                };
            }
            // A slot given back between the check and this wait leaves its notification
            // stored (`notify_one`), so no wake-up is lost.
            self.room.notified().await;
        }
    }

    /// The window as it stands.
    #[cfg(test)]
    pub fn window(&self) -> Window {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A call's place in its family's window.
#[derive(Debug)]
pub struct Slot {
    budget: Arc<Budget>,
    admitted_at: Instant,
    throttled: bool,
}

impl Slot {
    /// The call was answered with throttling at least once (an attempt the SDK retried, or
    /// the call's last answer).
    pub fn throttled(&mut self) {
        self.throttled = true;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (before, after) = {
            let mut window = self.budget.lock();
            let before = window.limit();
            window.release(self.admitted_at, self.throttled, Instant::now());
            (before, window.limit())
        };
        // One waiter for the slot given back, and one more for each the window grew by.
        for _ in 0..=after.saturating_sub(before) {
            self.budget.room.notify_one();
        }
    }
}

/// A budget's key: account, region, family.
type FamilyKey = (String, String, &'static str);

/// Every budget of the scan, by account, region and family, made on first use.
#[derive(Debug, Default)]
pub struct Budgets {
    by_family: Mutex<HashMap<FamilyKey, Arc<Budget>>>,
}

impl Budgets {
    /// The budget `operation`'s calls in `account` and `region` share.
    pub fn of(&self, account: &str, region: &str, operation: &'static str) -> Arc<Budget> {
        let key = (account.to_string(), region.to_string(), family(operation));
        let mut budgets = self.by_family.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(budgets.entry(key).or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn families_follow_what_aws_throttles_by() {
        assert_eq!(family("ec2:DescribeVolumes"), "ec2");
        assert_eq!(family("ec2:GetEbsEncryptionByDefault"), "ec2");
        assert_eq!(family("s3:GetBucketEncryption"), "s3:GetBucketEncryption");
        assert_eq!(family("kms:DescribeKey"), "kms:DescribeKey");
        assert_eq!(family("iam:ListRoles"), "iam");
    }

    #[test]
    fn a_window_admits_up_to_its_limit() {
        let mut w = Window::default();
        for _ in 0..w.limit() {
            assert!(w.admit());
        }
        assert!(!w.admit());
        assert_eq!(w.in_flight(), INITIAL as usize);
    }

    #[test]
    fn throttling_halves_the_window_once_per_window_of_calls() {
        let start = Instant::now();
        let mut w = Window::default();
        let admitted: Vec<Instant> = (0..10)
            .map(|_| {
                assert!(w.admit());
                start
            })
            .collect();
        let later = start + Duration::from_millis(50);
        // Ten calls of the same burst throttled: one cut, not ten.
        for at in admitted {
            w.release(at, true, later);
        }
        assert_eq!(w.limit(), (INITIAL / 2.0) as usize);
        // A call admitted after the cut and throttled cuts again.
        assert!(w.admit());
        w.release(later, true, later + Duration::from_millis(50));
        assert_eq!(w.limit(), (INITIAL / 4.0) as usize);
    }

    #[test]
    fn the_window_never_closes_and_never_grows_past_its_maximum() {
        let mut now = Instant::now();
        let mut w = Window::default();
        for _ in 0..20 {
            assert!(w.admit());
            now += Duration::from_millis(1);
            w.release(now, true, now);
        }
        assert_eq!(w.limit(), MIN as usize);
        assert!(w.admit(), "one call at a time always goes through");
        w.release(now, false, now);
        for _ in 0..100_000 {
            assert!(w.admit());
            w.release(now, false, now);
        }
        assert_eq!(w.limit(), MAX as usize);
    }

    #[test]
    fn success_widens_the_window_by_one_slot_per_window_of_calls() {
        let now = Instant::now();
        let mut w = Window::default();
        for _ in 0..4 {
            assert!(w.admit());
            w.release(now, true, now);
            // Each cut needs a call admitted after the previous one.
        }
        let narrow = w.limit();
        assert!(narrow < INITIAL as usize);
        let mut successes = 0;
        while w.limit() == narrow {
            assert!(w.admit());
            w.release(now, false, now);
            successes += 1;
        }
        assert_eq!(w.limit(), narrow + 1);
        // About one window's worth of calls (each adds 1/window, and the window grows).
        assert!(
            (narrow..=narrow + 1).contains(&successes),
            "{successes} successes to grow from {narrow}"
        );
    }

    /// Many tasks on several threads: never more in flight than the window, every waiter
    /// served once the window widens, and a narrowed window respected.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn waiting_calls_never_exceed_the_window_and_all_finish() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let budget = Arc::new(Budget::default());
        {
            // Narrow the window to 2 (throttled calls admitted one after another).
            let mut w = budget.lock();
            let mut at = Instant::now();
            while w.limit() > 2 {
                assert!(w.admit());
                at += Duration::from_millis(1);
                w.release(at, true, at);
            }
        }
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let (budget, in_flight, peak) = (
                    Arc::clone(&budget),
                    Arc::clone(&in_flight),
                    Arc::clone(&peak),
                );
                tokio::spawn(async move {
                    let slot = budget.acquire().await;
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    drop(slot);
                    i
                })
            })
            .collect();
        let mut done = 0;
        for task in tasks {
            task.await.expect("task");
            done += 1;
        }
        assert_eq!(done, 200);
        let window = budget.window();
        assert_eq!(window.in_flight(), 0);
        // Unthrottled, the window only grew while they ran: what was ever in flight is
        // within the final window; and it grew from 2 by one slot per window of calls.
        let peak = peak.load(Ordering::SeqCst);
        assert!(
            peak <= window.limit(),
            "{peak} in flight, window {}",
            window.limit()
        );
        assert!(
            window.limit() > 2 && window.limit() < 40,
            "{}",
            window.limit()
        );
    }
}
