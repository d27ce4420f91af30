//! The one entry point to the AWS SDK: configuration (credentials, region, endpoint,
//! retries, timeouts), raw-response capture, and the classification of SDK errors into
//! what the snapshot records.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// How to reach AWS: the same knobs as the AWS CLI.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// Named profile (`--aws-profile`, else `AWS_PROFILE`, else the default chain).
    pub profile: Option<String>,
    /// Endpoint override for emulators (`--endpoint-url`, else `AWS_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
    /// Maximum attempts per call the SDK makes, including the first (standard retry, with
    /// backoff); throttling that outlasts them is asked again by the recorder.
    pub max_attempts: u32,
    /// Timeout for one operation, retries included.
    pub operation_timeout: Duration,
}

/// Loads the base SDK configuration for `region`: the default credential chain (env,
/// profile, SSO, container and instance roles), retries, timeouts.
///
/// The SDK's standard retry mode, not its adaptive one: the adaptive mode slows every call
/// of a retry partition (a service, region and account here) when one operation is
/// throttled, though AWS limits S3 and KMS per operation; the scan's own budget
/// (`budget.rs`) adapts per API family instead, shared by every client of the account.
pub async fn base_config(conn: &Connection, region: &str) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .retry_config(RetryConfig::standard().with_max_attempts(conn.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_timeout(conn.operation_timeout)
                .build(),
        );
    if let Some(profile) = &conn.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &conn.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// The same configuration in another region (credentials are shared).
pub fn in_region(config: &SdkConfig, region: &str) -> SdkConfig {
    config
        .to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// What one HTTP response looked like, captured for the evidence record.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub request_id: Option<String>,
}

/// An interceptor attached to one call (`customize().interceptor(capture.clone())`) that
/// keeps the raw response of the last attempt: body, content type and request id. The
/// SDK's parsed output drops fields it does not model; the raw body is the evidence. It
/// also counts the attempts (the SDK retries throttling and transient errors itself) and
/// those answered with throttling (which narrow the call's budget, `budget.rs`).
#[derive(Debug, Clone, Default)]
pub struct Capture(Arc<Mutex<Option<Captured>>>, Arc<AtomicU32>, Arc<AtomicU32>);

impl Capture {
    pub fn take(&self) -> Option<Captured> {
        self.0.lock().ok().and_then(|mut c| c.take())
    }

    /// How many attempts the call took so far (1 without retries).
    pub fn attempts(&self) -> u32 {
        self.1.load(Ordering::Relaxed)
    }

    /// How many of those attempts were answered with throttling.
    pub fn throttled_attempts(&self) -> u32 {
        self.2.load(Ordering::Relaxed)
    }
}

/// Whether an HTTP answer is AWS asking the caller to slow down: HTTP 429, HTTP 503 (S3's
/// `SlowDown`, EC2's `RequestLimitExceeded`, and a service unavailable for the moment,
/// which also asks for fewer calls), or an error answer naming a throttling code (JSON
/// protocols' `x-amzn-ErrorType` header or `__type`, XML protocols' `<Code>`; "Error
/// responses" of each service's API reference).
pub fn is_throttling_answer(status: u16, error_type: Option<&str>, body: &[u8]) -> bool {
    match status {
        429 | 503 => true,
        400..=599 => {
            let named = |text: &str| {
                THROTTLED.iter().any(|code| {
                    text.split(|c: char| !c.is_ascii_alphanumeric())
                        .any(|word| word == *code)
                })
            };
            error_type.is_some_and(named) || named(&String::from_utf8_lossy(body))
        }
        _ => false,
    }
}

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "assay-capture"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.1.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(response) = context.response() {
            let headers = response.headers();
            let request_id = ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
                .iter()
                .find_map(|h| headers.get(*h))
                .map(str::to_string);
            let captured = Captured {
                status: response.status().as_u16(),
                content_type: headers.get("content-type").unwrap_or("").to_string(),
                body: response
                    .body()
                    .bytes()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default(),
                request_id,
            };
            if is_throttling_answer(
                captured.status,
                headers.get("x-amzn-errortype"),
                captured.body.as_bytes(),
            ) {
                self.2.fetch_add(1, Ordering::Relaxed);
            }
            if let Ok(mut slot) = self.0.lock() {
                *slot = Some(captured);
            }
        }
        Ok(())
    }
}

/// Why a call failed, as the snapshot records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// The AWS error code, or a code of ours for transport failures (`Timeout`,
    /// `EndpointUnreachable`).
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// AccessDenied, UnauthorizedOperation, …: the scanning principal lacks permission.
    Denied,
    /// The region is not enabled for the account.
    OptInRequired,
    /// Throttling that outlasted the retries.
    Throttled,
    Timeout,
    /// No HTTP response at all (connection refused, DNS, TLS).
    Unreachable,
    /// The credentials are missing, invalid or expired: no scan can be trusted.
    Credentials,
    /// The service answered with another error. Some of these mean "not configured" and
    /// are data, which the caller decides (e.g. `NoSuchLifecycleConfiguration`).
    Service,
}

const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "UnauthorizedAccess",
    "Forbidden",
    "AuthFailure",
];
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
];
const CREDENTIALS: &[&str] = &[
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidToken",
];

/// Classifies an SDK error. A URL in the message loses its user name and password
/// ([`redact_url_credentials`]): the message is stored in the snapshot and printed.
pub fn classify<E>(error: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut failure = classify_unredacted(error);
    failure.message = redact_url_credentials(&failure.message).into_owned();
    failure
}

/// `text` with the user information of every URL in it (`http://user:secret@host`)
/// replaced by `***`, so credentials given in `--endpoint-url` (or echoed back in an
/// error) are never stored in a snapshot or printed.
pub fn redact_url_credentials(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // The authority ends at the first of `/ ? #`, whitespace or a quote.
        let end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(user_end) => {
                out.push_str("***");
                out.push_str(&authority[user_end..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn classify_unredacted<E>(error: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    // The error and its causes, without the SDK's Debug dump of the raw response.
    let display = causes(error);
    match error {
        SdkError::TimeoutError(_) => Failure {
            kind: FailureKind::Timeout,
            code: "Timeout".into(),
            message: display,
        },
        SdkError::DispatchFailure(d) if d.is_timeout() => Failure {
            kind: FailureKind::Timeout,
            code: "Timeout".into(),
            message: display,
        },
        // No credentials could be loaded (the provider chain reports it as a dispatch
        // failure of kind "other", before any request is sent).
        SdkError::DispatchFailure(d) if !d.is_io() && display.contains("credential") => Failure {
            kind: FailureKind::Credentials,
            code: "NoCredentials".into(),
            message: display,
        },
        SdkError::DispatchFailure(_) => Failure {
            kind: FailureKind::Unreachable,
            code: "EndpointUnreachable".into(),
            message: display,
        },
        SdkError::ConstructionFailure(_) => {
            let kind = if display.contains("credentials") {
                FailureKind::Credentials
            } else {
                FailureKind::Service
            };
            Failure {
                kind,
                code: "RequestNotBuilt".into(),
                message: display,
            }
        }
        // An answer that is not an AWS error (an HTML page from a proxy, load balancer or
        // emulator that lacks the operation): name it by its HTTP status, briefly.
        _ if error.code().is_none() && error.raw_response().is_some() => {
            let raw = error.raw_response().expect("checked above");
            let status = raw.status().as_u16();
            let content_type = raw
                .headers()
                .get("content-type")
                .unwrap_or("no content type");
            let body = raw
                .body()
                .bytes()
                .map(|b| {
                    String::from_utf8_lossy(b)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            let excerpt: String = body.chars().take(160).collect();
            let kind = if status == 429 {
                FailureKind::Throttled
            } else {
                FailureKind::Service
            };
            Failure {
                kind,
                code: format!("Http{status}"),
                message: format!(
                    "HTTP {status} ({content_type}) that is not an AWS error response: {excerpt}"
                ),
            }
        }
        _ => {
            let code = error.code().unwrap_or("Unknown").to_string();
            let message = error.message().map(str::to_string).unwrap_or(display);
            let kind = if DENIED.contains(&code.as_str()) {
                FailureKind::Denied
            } else if code == "OptInRequired" {
                FailureKind::OptInRequired
            } else if THROTTLED.contains(&code.as_str()) {
                FailureKind::Throttled
            } else if CREDENTIALS.contains(&code.as_str()) {
                FailureKind::Credentials
            } else {
                FailureKind::Service
            };
            Failure {
                kind,
                code,
                message,
            }
        }
    }
}

/// `error: cause: cause…`, each level once (the SDK repeats a cause's text in its parent's).
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod redact_tests {
    use super::redact_url_credentials;

    /// Throttling as each protocol answers it; other errors are not.
    #[test]
    fn throttling_answers_are_recognised_in_every_protocol() {
        use super::is_throttling_answer as t;
        let s3 = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
        assert!(t(503, None, s3));
        assert!(t(
            503,
            None,
            b"<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>"
        ));
        assert!(t(
            400,
            None,
            br#"{"__type":"com.amazonaws.kms#ThrottlingException","message":"Rate exceeded"}"#
        ));
        assert!(t(
            400,
            Some("ThrottlingException:http://internal.amazon.com/"),
            b"{}"
        ));
        assert!(t(
            400,
            None,
            b"<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>"
        ));
        assert!(t(429, None, b""));
        assert!(!t(
            400,
            None,
            b"<Error><Code>NoSuchLifecycleConfiguration</Code></Error>"
        ));
        assert!(!t(403, None, b"<Error><Code>AccessDenied</Code></Error>"));
        assert!(!t(200, None, b"<Throttling/>"));
    }

    #[test]
    fn user_and_password_in_a_url_are_redacted() {
        assert_eq!(
            redact_url_credentials("http://user:s3cret@127.0.0.1:5000/x"),
            "http://***@127.0.0.1:5000/x"
        );
        assert_eq!(
            redact_url_credentials("error sending request for url (https://a:b@h/): refused"),
            "error sending request for url (https://***@h/): refused"
        );
        assert_eq!(redact_url_credentials("https://h/a@b"), "https://h/a@b");
        assert_eq!(redact_url_credentials("no url: a@b"), "no url: a@b");
    }
}
