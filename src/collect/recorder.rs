//! The recorder: every AWS call goes through [`Recorder::call`], which checks that the
//! operation is declared (least privilege), counts it, keeps the raw response under its
//! SHA-256, returns the provenance for the attribute group it fills, and turns failures
//! into gap records.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Utc};

use super::aws::{Capture, Captured, Failure, FailureKind, classify};
use super::budget::Budgets;
use super::operations;
use super::progress::Progress;
use crate::snapshot::{Gap, Provenance, RawResponse, sha256_hex};

/// A failed call: why, and the provenance of the error response when there was one
/// (a "not configured" error is evidence too).
#[derive(Debug, Clone)]
pub struct CallError {
    pub failure: Failure,
    pub provenance: Option<Provenance>,
}

#[derive(Default)]
struct State {
    raw: BTreeMap<String, RawResponse>,
    gaps: BTreeMap<String, Gap>,
}

pub struct Recorder {
    state: Mutex<State>,
    calls: AtomicU64,
    budgets: Budgets,
    /// The waits of [`patience`].
    patience: Vec<Duration>,
    pub progress: Progress,
}

/// The waits before each time a call still throttled after the SDK's own attempts (each
/// with its backoff) is asked again: 1 s, doubling up to 30 s, as many as fit in `total`
/// (the last one shortened to fit). Each is jittered ±50 % when waited, so calls throttled
/// together do not come back together.
pub fn patience(total: Duration) -> Vec<Duration> {
    let mut waits = Vec::new();
    let mut left = total;
    let mut next = Duration::from_secs(1);
    while !left.is_zero() {
        let wait = next.min(left);
        waits.push(wait);
        left -= wait;
        next = (next * 2).min(Duration::from_secs(30));
    }
    waits
}

/// `wait` scaled by a random factor in [0.5, 1.5).
fn jittered(wait: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    wait.mul_f64(0.5 + (random % 1000) as f64 / 1000.0)
}

/// Why a call run on a worker gave no answer.
enum CallFault<E> {
    Sdk(SdkError<E, HttpResponse>),
    /// The runtime stopped before the call ended.
    Cancelled(Failure),
}

fn cancelled() -> Failure {
    Failure {
        kind: FailureKind::Service,
        code: "Cancelled".into(),
        message: "the call was cancelled before it ended (the runtime stopped)".into(),
    }
}

/// What a call's last attempt answered: its raw response with the SHA-256 of its body.
type Answer = Option<(String, Captured)>;

/// Runs one SDK call on the runtime's worker threads, and takes its raw response and the
/// response's hash there too. Dropped before it ends (its collector was dropped), the
/// call is stopped.
async fn on_worker<T, E>(
    operation: &'static str,
    call: impl Future<Output = Result<T, SdkError<E, HttpResponse>>> + Send + 'static,
    capture: Capture,
) -> (Result<T, CallFault<E>>, Answer)
where
    T: Send + 'static,
    E: Send + 'static,
{
    struct AbortOnDrop<R>(tokio::task::JoinHandle<R>);
    impl<R> Drop for AbortOnDrop<R> {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = AbortOnDrop(tokio::spawn(async move {
        let result = call.await;
        // Secrets a response carries in clear are dropped before it is kept or hashed.
        let answer = capture.take().map(|c| {
            let body = super::lambda::redact_response(operation, c.body);
            (sha256_hex(body.as_bytes()), Captured { body, ..c })
        });
        (result, answer)
    }));
    match (&mut task.0).await {
        Ok((result, answer)) => (result.map_err(CallFault::Sdk), answer),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => (Err(CallFault::Cancelled(cancelled())), None),
    }
}

impl Recorder {
    pub fn new(progress: Progress) -> Recorder {
        Recorder {
            state: Mutex::new(State::default()),
            calls: AtomicU64::new(0),
            budgets: Budgets::default(),
            patience: patience(Duration::from_secs(120)),
            progress,
        }
    }

    /// The same recorder waiting `waits` (from [`patience`]) for throttled calls.
    pub fn with_patience(mut self, waits: Vec<Duration>) -> Recorder {
        self.patience = waits;
        self
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Runs one AWS call. `operation` is the API operation as `service:OperationName`; it
    /// must be declared in [`operations::declared`]. `send` gets a [`Capture`] to attach
    /// with `customize().interceptor(..)`; it builds the request again when the call is
    /// asked again.
    ///
    /// The call first takes a slot in the budget of its account, region and API family
    /// ([`super::budget`]), and runs on the runtime's worker threads (the SDK's request
    /// machinery, signing and parsing are most of a scan's CPU; the collector that awaits
    /// it stays where it was, so what it builds, and in what order, does not change).
    /// When AWS still throttles it after the SDK's own attempts, it waits and asks again
    /// (the recorder's [`patience`]), as a patient client would: throttling says "later", not "no",
    /// so it is a gap only when it outlasts all of that.
    pub async fn call<T, E, Fut>(
        &self,
        account: &str,
        region: &str,
        operation: &'static str,
        mut send: impl FnMut(Capture) -> Fut,
    ) -> Result<(T, Provenance), CallError>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>> + Send + 'static,
        T: Send + 'static,
        E: ProvideErrorMetadata + std::error::Error + Send + 'static,
    {
        if operations::iam_action(operation).is_none() {
            // A programming error, surfaced as a gap so a scan never silently uses an
            // undeclared permission; the emulator tests assert none occur.
            return Err(CallError {
                failure: Failure {
                    kind: FailureKind::Service,
                    code: "UndeclaredOperation".into(),
                    message: format!(
                        "{operation} is not declared (a collector's OPERATIONS or collect/operations.rs)"
                    ),
                },
                provenance: None,
            });
        }
        let budget = self.budgets.of(account, region, operation);
        let mut waits = self.patience.iter();
        loop {
            let mut slot = budget.acquire().await;
            let capture = Capture::default();
            let called_at = Utc::now();
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.progress.call();
            let (result, captured) =
                on_worker(operation, send(capture.clone()), capture.clone()).await;
            self.progress.retried(capture.attempts().saturating_sub(1));
            if capture.throttled_attempts() > 0 {
                slot.throttled();
            }
            drop(slot);
            let failure = match &result {
                Err(CallFault::Sdk(error)) => Some(classify(error)),
                Err(CallFault::Cancelled(failure)) => Some(failure.clone()),
                Ok(_) => None,
            };
            if let Some(wait) = failure
                .as_ref()
                .filter(|f| f.kind == FailureKind::Throttled)
                .and_then(|_| waits.next())
            {
                tokio::time::sleep(jittered(*wait)).await;
                continue;
            }
            let provenance =
                captured.map(|(hash, c)| self.keep(operation, region, called_at, hash, c));
            return match (result.ok(), failure) {
                (Some(value), _) => {
                    let provenance = provenance.unwrap_or_else(|| {
                        let body = "(no response body was captured)";
                        self.keep(
                            operation,
                            region,
                            called_at,
                            sha256_hex(body.as_bytes()),
                            Captured {
                                body: body.into(),
                                ..Captured::default()
                            },
                        )
                    });
                    Ok((value, provenance))
                }
                (None, failure) => Err(CallError {
                    failure: failure.unwrap_or_else(cancelled),
                    provenance,
                }),
            };
        }
    }

    /// Keeps a raw response under `hash`, the SHA-256 of its body.
    fn keep(
        &self,
        operation: &str,
        region: &str,
        called_at: DateTime<Utc>,
        hash: String,
        captured: Captured,
    ) -> Provenance {
        if let Ok(mut state) = self.state.lock() {
            state.raw.entry(hash.clone()).or_insert(RawResponse {
                operation: operation.to_string(),
                content_type: if captured.content_type.is_empty() {
                    "application/octet-stream".into()
                } else {
                    captured.content_type
                },
                body: captured.body,
            });
        }
        Provenance {
            operation: operation.to_string(),
            region: region.to_string(),
            called_at,
            request_id: captured.request_id,
            response_sha256: hash,
        }
    }

    /// Records a gap and returns its id. Ids are derived from the content, so the same
    /// failure gets the same id in every run and concurrent scans number nothing.
    pub fn gap(
        &self,
        account: &str,
        region: &str,
        operation: &str,
        failure: &Failure,
        resource_types: &[&str],
        subject: &str,
    ) -> String {
        let id = format!(
            "gap-{}",
            &sha256_hex(format!("{account}|{region}|{operation}|{subject}").as_bytes())[..10]
        );
        let service = operation.split(':').next().unwrap_or("").to_string();
        let gap = Gap {
            id: id.clone(),
            account: account.to_string(),
            service,
            region: region.to_string(),
            operation: operation.to_string(),
            error_code: failure.code.clone(),
            message: if subject.is_empty() {
                failure.message.clone()
            } else {
                format!("{subject}: {}", failure.message)
            },
            resource_types: resource_types.iter().map(|t| t.to_string()).collect(),
            occurred_at: Utc::now(),
        };
        self.progress.gap();
        if let Ok(mut state) = self.state.lock() {
            state.gaps.entry(id.clone()).or_insert(gap);
        }
        id
    }

    /// The raw responses and gaps recorded so far.
    pub fn finish(&self) -> (BTreeMap<String, RawResponse>, Vec<Gap>) {
        match self.state.lock() {
            Ok(mut state) => (
                std::mem::take(&mut state.raw),
                std::mem::take(&mut state.gaps).into_values().collect(),
            ),
            Err(_) => Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patience_doubles_its_waits_up_to_its_total() {
        let s = Duration::from_secs;
        assert_eq!(patience(s(0)), Vec::<Duration>::new());
        assert_eq!(patience(s(5)), vec![s(1), s(2), s(2)]);
        let default = patience(s(120));
        assert_eq!(&default[..6], &[s(1), s(2), s(4), s(8), s(16), s(30)]);
        assert_eq!(default.iter().sum::<Duration>(), s(120));
        assert!(default.iter().all(|w| *w <= s(30)));
    }
}
