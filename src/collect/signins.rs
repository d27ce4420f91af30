//! Console sign-ins: the `ConsoleLogin` events of the last 90 days (what CloudTrail event
//! history keeps) from `cloudtrail:LookupEvents`, in every scanned region and in
//! us-east-1. CloudTrail records a sign-in in the region of the sign-in endpoint, and
//! us-east-1 for the global one, where most sign-ins land: a scan limited to Sydney would
//! otherwise see none of them.
//!
//! Whether MFA was used is only in the event's `CloudTrailEvent` field, a JSON document
//! inside the JSON response. An event whose document cannot be parsed keeps its envelope
//! and leaves every field from the document unread with a gap: a rule asking about it
//! says GAP, never PASS.

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use chrono::{Duration, Utc};
use serde_json::Value;

use super::aws::{Failure, FailureKind};
use super::read::Paging;
use super::{ServiceCtx, resource};
use crate::snapshot::resources::ConsoleSignin;
use crate::snapshot::{Attributes, Resource, Tags, Unread};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] =
    &[("cloudtrail:LookupEvents", "cloudtrail:LookupEvents")];

const OPERATION: &str = "cloudtrail:LookupEvents";
/// Where CloudTrail records sign-ins through the global sign-in endpoint.
pub const GLOBAL_ENDPOINT_REGION: &str = "us-east-1";
const TYPES: &[&str] = &["aws_console_signin"];
/// How far back CloudTrail event history goes.
const WINDOW_DAYS: i64 = 90;
/// The groups read from the `CloudTrailEvent` document.
const FROM_DOCUMENT: &[&str] = &[
    "user_type",
    "principal_arn",
    "source_ip",
    "mfa_used",
    "login_result",
    "error_message",
];

/// Why a `CloudTrailEvent` document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SigninError {
    #[error("the event has no CloudTrailEvent document")]
    Missing,
    #[error("its CloudTrailEvent is not valid JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("its CloudTrailEvent is not a JSON object")]
    NotAnObject,
}

/// What a `ConsoleLogin` event's `CloudTrailEvent` document says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SigninRecord {
    pub user_type: Option<String>,
    pub principal_arn: Option<String>,
    pub user_name: Option<String>,
    pub event_time: Option<String>,
    pub source_ip: Option<String>,
    pub mfa_used: Option<bool>,
    pub login_result: Option<String>,
    pub error_message: Option<String>,
}

/// Parses a `CloudTrailEvent` document. Fields of an unexpected JSON type are taken as
/// absent: every field a rule judges is nullable, and null never passes.
pub fn parse_signin(document: &str) -> Result<SigninRecord, SigninError> {
    let value: Value = serde_json::from_str(document)?;
    if !value.is_object() {
        return Err(SigninError::NotAnObject);
    }
    let text = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mfa_used = text("/additionalEventData/MFAUsed").and_then(|m| {
        if m.eq_ignore_ascii_case("yes") {
            Some(true)
        } else if m.eq_ignore_ascii_case("no") {
            Some(false)
        } else {
            None
        }
    });
    Ok(SigninRecord {
        user_type: text("/userIdentity/type"),
        principal_arn: text("/userIdentity/arn"),
        user_name: text("/userIdentity/userName"),
        event_time: text("/eventTime"),
        source_ip: text("/sourceIPAddress"),
        mfa_used,
        login_result: text("/responseElements/ConsoleLogin"),
        error_message: text("/errorMessage"),
    })
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_cloudtrail, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let console_logins = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventName)
        .attribute_value("ConsoleLogin")
        .build();
    let console_logins = match console_logins {
        Ok(attribute) => attribute,
        Err(e) => {
            let failure = Failure {
                kind: FailureKind::Service,
                code: "RequestNotBuilt".into(),
                message: e.to_string(),
            };
            ctx.recorder
                .gap(account, region, OPERATION, &failure, TYPES, "");
            return Vec::new();
        }
    };
    let end = Utc::now();
    let start = end - Duration::days(WINDOW_DAYS);
    let paging = Paging::listing(account, region, OPERATION, TYPES);
    let events = ctx
        .recorder
        .pages(
            paging,
            |token, c| {
                client
                    .lookup_events()
                    .lookup_attributes(console_logins.clone())
                    .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
                    .end_time(aws_smithy_types::DateTime::from_secs(end.timestamp()))
                    .max_results(50)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput| {
                (out.events().to_vec(), out.next_token().map(str::to_string))
            },
        )
        .await;
    // A history that could not be read to the end is a listing gap: the sign-ins read
    // before it are dropped rather than shown as if they were all.
    let Some(events) = events.complete() else {
        return Vec::new();
    };
    events
        .into_iter()
        .map(|(event, listed)| {
            let id = event.event_id().unwrap_or_default().to_string();
            let arn = format!("arn:aws:cloudtrail:{region}:{account}:event/{id}");
            let provenance = BTreeMap::from([("resource".to_string(), listed)]);
            let parsed = event
                .cloud_trail_event()
                .ok_or(SigninError::Missing)
                .and_then(parse_signin);
            let (record, unread) = match parsed {
                Ok(record) => (record, Vec::new()),
                Err(e) => {
                    let failure = Failure {
                        kind: FailureKind::Service,
                        code: "MalformedCloudTrailEvent".into(),
                        message: format!("ConsoleLogin event {id}: {e}"),
                    };
                    let gap = ctx
                        .recorder
                        .gap(account, region, OPERATION, &failure, &[], &arn);
                    let unread = FROM_DOCUMENT
                        .iter()
                        .map(|group| Unread {
                            group: group.to_string(),
                            gap: gap.clone(),
                        })
                        .collect();
                    (SigninRecord::default(), unread)
                }
            };
            let user_name = event
                .username()
                .map(str::to_string)
                .or(record.user_name.clone());
            let event_time = event
                .event_time()
                .map(|t| t.to_string())
                .or(record.event_time.clone())
                .unwrap_or_default();
            let who = user_name
                .clone()
                .or(record.principal_arn.clone())
                .unwrap_or_else(|| "unknown user".into());
            let name = format!("{who} {event_time}");
            let attributes = ConsoleSignin {
                user_name,
                event_time,
                user_type: record.user_type,
                principal_arn: record.principal_arn,
                source_ip: record.source_ip,
                mfa_used: record.mfa_used,
                login_result: record.login_result,
                error_message: record.error_message,
            };
            resource(
                Attributes::ConsoleSignin(attributes),
                arn,
                id,
                Some(name),
                account,
                region,
                Tags::new(),
                provenance,
                unread,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iam_user_sign_in_with_mfa() {
        let record = parse_signin(r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-20T08:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"Yes"},"eventID":"0b5c0d3e-1111-4222-8333-444455556666"}"#).unwrap();
        assert_eq!(
            record,
            SigninRecord {
                user_type: Some("IAMUser".into()),
                principal_arn: Some("arn:aws:iam::111122223333:user/alice".into()),
                user_name: Some("alice".into()),
                event_time: Some("2026-11-20T08:00:00Z".into()),
                source_ip: Some("203.0.113.10".into()),
                mfa_used: Some(true),
                login_result: Some("Success".into()),
                error_message: None,
            }
        );
    }

    #[test]
    fn a_failed_sign_in_and_a_sign_in_that_does_not_say() {
        let failed = parse_signin(r#"{"userIdentity":{"type":"IAMUser","accountId":"111122223333","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"},"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},"errorMessage":"Failed authentication"}"#).unwrap();
        assert_eq!(failed.login_result.as_deref(), Some("Failure"));
        assert_eq!(
            failed.error_message.as_deref(),
            Some("Failed authentication")
        );
        assert_eq!((failed.principal_arn, failed.mfa_used), (None, Some(false)));
        let silent = parse_signin(r#"{"userIdentity":{"type":"Root"},"responseElements":null,"additionalEventData":{"MFAUsed":1}}"#).unwrap();
        assert_eq!((silent.mfa_used, silent.login_result), (None, None));
    }

    #[test]
    fn a_malformed_document_is_an_error_not_an_empty_record() {
        assert!(matches!(
            parse_signin(r#"{"userIdentity":{"type":"IAMUser""#),
            Err(SigninError::NotJson(_))
        ));
        assert!(matches!(
            parse_signin(r#""ConsoleLogin""#),
            Err(SigninError::NotAnObject)
        ));
        let message = parse_signin("not json").unwrap_err().to_string();
        assert!(
            message.starts_with("its CloudTrailEvent is not valid JSON"),
            "{message}"
        );
    }
}
