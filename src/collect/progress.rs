//! The progress line on stderr: tasks (service × region × account) done, and the calls
//! made, the retries and the gaps recorded so far. Drawn only when stderr is a terminal, so CI
//! logs and redirected output stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
    calls: AtomicU64,
    retries: AtomicU64,
    gaps: AtomicU64,
}

impl Progress {
    /// A progress line on stderr when `visible` and stderr is a terminal; hidden otherwise.
    pub fn new(visible: bool) -> Progress {
        let target = if visible && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} tasks  {msg}",
        ) {
            bar.set_style(style);
        }
        Progress {
            bar,
            calls: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
        }
    }

    pub fn add_tasks(&self, n: u64) {
        self.bar.inc_length(n);
    }

    pub fn task_done(&self) {
        self.bar.inc(1);
    }

    pub fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }

    /// `n` more attempts of a call than the first (the SDK's retries).
    pub fn retried(&self, n: u32) {
        if n > 0 {
            self.retries.fetch_add(u64::from(n), Ordering::Relaxed);
            self.refresh();
        }
    }

    pub fn gap(&self) {
        self.gaps.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }

    /// `calls made, retried, gaps`: what the line shows after the task count.
    pub fn counts(&self) -> String {
        status_line(
            self.calls.load(Ordering::Relaxed),
            self.retries.load(Ordering::Relaxed),
            self.gaps.load(Ordering::Relaxed),
        )
    }

    fn refresh(&self) {
        if !self.bar.is_hidden() {
            self.bar.set_message(self.counts());
        }
    }

    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn status_line(calls: u64, retries: u64, gaps: u64) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} made, {}, {} so far",
        plural(calls, "call", "calls"),
        plural(retries, "retry", "retries"),
        plural(gaps, "gap", "gaps")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_calls_retries_and_gaps() {
        let p = Progress::new(false);
        assert!(p.is_hidden());
        p.call();
        p.call();
        p.retried(0);
        p.retried(3);
        p.gap();
        assert_eq!(p.counts(), "2 calls made, 3 retries, 1 gap so far");
    }
}
