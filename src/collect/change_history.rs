//! CloudTrail change history: the management events of the last 90 days that change a
//! setting a rule judges (the event names of `changes/events.yaml`), one
//! `aws_change_history` resource per account and region, for the period pack to see a
//! setting changed and changed back between two scans.
//!
//! Why at collect time: the history is then part of the sealed, archived snapshot, so the
//! period pack is rebuilt offline from the archive alone, byte for byte, and rests on
//! nothing read later. Why CloudTrail rather than AWS Config's configuration history: one
//! lookup per event name and region instead of one `GetResourceConfigHistory` per
//! resource, and it works where Config does not record; an AWS Config aggregator has no
//! history call at all (`GetAggregateResourceConfig` answers the current configuration
//! item only; AWS Config API reference).
//!
//! A history is whole or absent: if any lookup fails, the region gets a gap for
//! `aws_change_history` (the period pack then says the time between the scans is not
//! observed for the rules the table names) and no partial history is kept.

use std::collections::BTreeMap;

use chrono::Utc;

use super::trail_events;
use super::{ServiceCtx, resource};
use crate::changes;
use crate::snapshot::resources::{ChangeEvent, ChangeHistory};
use crate::snapshot::{Attributes, Resource, Tags};

pub const TYPE: &str = crate::snapshot::resources::CHANGE_HISTORY;

/// The history of the context's account and region, when the scan asked for it
/// (`collect --change-history`).
pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    if !ctx.change_history {
        return Vec::new();
    }
    let client = service_client!(aws_sdk_cloudtrail, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let window = trail_events::window(Utc::now());
    let mut events: Vec<ChangeEvent> = Vec::new();
    let mut provenance = BTreeMap::new();
    let mut names = Vec::new();
    // One lookup at a time: LookupEvents allows 2 requests per second per account and
    // region, and the SDK's retries absorb the throttling of a sequential reader.
    for kind in changes::kinds() {
        let subject = format!("change history ({})", kind.event);
        let pages =
            trail_events::lookup(ctx, &client, &kind.event, window, &[TYPE], &subject).await;
        if pages.failed.is_some() {
            return Vec::new();
        }
        if provenance.is_empty()
            && let Some(first) = pages.first_page()
        {
            provenance.insert("resource".to_string(), first.clone());
        }
        if let Some(first) = pages.first_page() {
            provenance.insert(format!("events.{}", kind.event), first.clone());
        }
        names.push(kind.event.clone());
        for (event, _) in pages.items {
            let document = event.cloud_trail_event().unwrap_or_default();
            let mut resources: Vec<String> = event
                .resources()
                .iter()
                .filter_map(|r| r.resource_name().map(str::to_string))
                .collect();
            resources.extend(changes::identifiers(&kind.event, document));
            resources.sort();
            resources.dedup();
            let error_code = serde_json::from_str::<serde_json::Value>(document)
                .ok()
                .and_then(|v| v["errorCode"].as_str().map(str::to_string));
            events.push(ChangeEvent {
                event_id: event.event_id().unwrap_or_default().to_string(),
                event_name: event
                    .event_name()
                    .unwrap_or(kind.event.as_str())
                    .to_string(),
                event_source: event.event_source().map(str::to_string),
                event_time: event
                    .event_time()
                    .and_then(trail_events::rfc3339)
                    .unwrap_or_default(),
                user_name: event.username().map(str::to_string),
                resources,
                error_code,
            });
        }
    }
    events.sort_by(|a, b| (&a.event_time, &a.event_id).cmp(&(&b.event_time, &b.event_id)));
    let at = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let arn = format!("arn:aws:cloudtrail:{region}:{account}:change-history");
    let history = ChangeHistory {
        from: at(window.0),
        to: at(window.1),
        event_names: names,
        events,
    };
    vec![resource(
        Attributes::ChangeHistory(history),
        arn,
        "change-history".into(),
        Some(format!("CloudTrail change history {region}")),
        account,
        region,
        Tags::new(),
        provenance,
        Vec::new(),
    )]
}
