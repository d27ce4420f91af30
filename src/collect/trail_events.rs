//! The CloudTrail event reader the event collectors share: every event of one event name
//! in the region's CloudTrail event history over a window (`cloudtrail:LookupEvents` with
//! one `EventName` lookup attribute, every page), each event with the provenance of its
//! page, and a gap when a page fails.
//!
//! LookupEvents takes one lookup attribute per call, keeps 90 days of management events
//! (the window is cut to that) and answers at most 50 events a page (CloudTrail API
//! reference, LookupEvents).

use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use chrono::{DateTime, Duration, Utc};

use super::ServiceCtx;
use super::aws::{Failure, FailureKind};
use super::read::{Pages, Paging};

/// The IAM action and API operation of every lookup.
pub const OPERATION: &str = "cloudtrail:LookupEvents";
/// How far back CloudTrail event history goes.
pub const WINDOW_DAYS: i64 = 90;

/// The window a lookup made now reads: the last 90 days.
pub fn window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - Duration::days(WINDOW_DAYS), now)
}

/// Every `event_name` event of the context's region in `window`. A failure (of building
/// the request, or of a page) is recorded as a gap leaving `resource_types` unread in the
/// account and region, about `subject` (so two readers' gaps stay apart).
pub async fn lookup(
    ctx: &ServiceCtx<'_>,
    client: &aws_sdk_cloudtrail::Client,
    event_name: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
    resource_types: &[&str],
    subject: &str,
) -> Pages<Event> {
    let paging = Paging {
        account: ctx.account,
        region: ctx.region,
        operation: OPERATION,
        resource_types,
        subject,
    };
    let attribute = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventName)
        .attribute_value(event_name)
        .build();
    let attribute = match attribute {
        Ok(attribute) => attribute,
        Err(e) => {
            let failure = Failure {
                kind: FailureKind::Service,
                code: "RequestNotBuilt".into(),
                message: e.to_string(),
            };
            let gap = ctx.recorder.gap(
                ctx.account,
                ctx.region,
                OPERATION,
                &failure,
                resource_types,
                subject,
            );
            return Pages {
                items: Vec::new(),
                pages: Vec::new(),
                failed: Some((gap, failure)),
            };
        }
    };
    let (start, end) = window;
    ctx.recorder
        .pages(
            paging,
            |token, c| {
                client
                    .lookup_events()
                    .lookup_attributes(attribute.clone())
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
        .await
}

/// RFC 3339 (UTC, whole seconds) of an event's time.
pub fn rfc3339(t: &aws_smithy_types::DateTime) -> Option<String> {
    DateTime::<Utc>::from_timestamp(t.secs(), 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}
