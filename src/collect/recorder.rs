//! The recorder: every AWS call goes through [`Recorder::call`], which checks that the
//! operation is declared (least privilege), counts it, keeps the raw response under its
//! SHA-256, returns the provenance for the attribute group it fills, and turns failures
//! into gap records.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Utc};

use super::aws::{Capture, Captured, Failure, FailureKind, classify};
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
    pub progress: Progress,
}

impl Recorder {
    pub fn new(progress: Progress) -> Recorder {
        Recorder {
            state: Mutex::new(State::default()),
            calls: AtomicU64::new(0),
            progress,
        }
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Runs one AWS call. `operation` is the API operation as `service:OperationName`; it
    /// must be declared in [`operations::declared`]. `send` gets a [`Capture`] to attach
    /// with `customize().interceptor(..)`.
    pub async fn call<T, E, Fut>(
        &self,
        region: &str,
        operation: &'static str,
        send: impl FnOnce(Capture) -> Fut,
    ) -> Result<(T, Provenance), CallError>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
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
        let capture = Capture::default();
        let called_at = Utc::now();
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.progress.call();
        let result = send(capture.clone()).await;
        self.progress.retried(capture.attempts().saturating_sub(1));
        let provenance = capture
            .take()
            .map(|c| self.keep(operation, region, called_at, c));
        match result {
            Ok(value) => {
                let provenance = provenance.unwrap_or_else(|| {
                    self.keep(
                        operation,
                        region,
                        called_at,
                        Captured {
                            body: "(no response body was captured)".into(),
                            ..Captured::default()
                        },
                    )
                });
                Ok((value, provenance))
            }
            Err(error) => Err(CallError {
                failure: classify(&error),
                provenance,
            }),
        }
    }

    fn keep(
        &self,
        operation: &str,
        region: &str,
        called_at: DateTime<Utc>,
        captured: Captured,
    ) -> Provenance {
        // Secrets a response carries in clear are dropped before it is kept or hashed.
        let body = super::lambda::redact_response(operation, captured.body);
        let hash = sha256_hex(body.as_bytes());
        if let Ok(mut state) = self.state.lock() {
            state.raw.entry(hash.clone()).or_insert(RawResponse {
                operation: operation.to_string(),
                content_type: if captured.content_type.is_empty() {
                    "application/octet-stream".into()
                } else {
                    captured.content_type
                },
                body,
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
