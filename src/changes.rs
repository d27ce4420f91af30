//! The CloudTrail management events that change a setting a rule judges, kept as data
//! (`changes/events.yaml`): which event names the scan looks up in CloudTrail event
//! history, and, for the period pack, which findings (rule and resource) an event found
//! between two scans touches.
//!
//! Between two scans that both saw a setting hold, it may have been changed and changed
//! back. An event of this table on the finding's resource makes the time after it an
//! exception (the event is known to remove what the rule requires: `breaks`) or not
//! observed (`changes`: CloudTrail says that the setting changed, not to what), until the
//! next such event or the next scan.

use std::sync::LazyLock;

use serde::Deserialize;

/// What an event does to the settings its rules judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Known to remove what the rule requires (e.g. `DeleteBucketEncryption`).
    Breaks,
    /// Changes the setting to something CloudTrail does not show judged.
    Changes,
}

/// One resource type an event acts on, and the rules judging it there.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub resource_type: String,
    /// JSON pointer into the event's `CloudTrailEvent` document naming the resource;
    /// none for a setting of the account or region.
    #[serde(default)]
    pub identifier: Option<String>,
    pub rules: Vec<String>,
}

/// One event name of the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventKind {
    pub event: String,
    pub source: String,
    pub effect: Effect,
    pub targets: Vec<Target>,
}

const TABLE: &str = include_str!("changes/events.yaml");

static KINDS: LazyLock<Vec<EventKind>> = LazyLock::new(|| {
    serde_saphyr::from_str(TABLE).expect("changes/events.yaml is checked by the tests")
});

/// Every event name of the table, with what it does.
pub fn kinds() -> &'static [EventKind] {
    &KINDS
}

/// The table's entry for `event_name`.
pub fn kind(event_name: &str) -> Option<&'static EventKind> {
    KINDS.iter().find(|k| k.event == event_name)
}

/// Whether any event of the table touches `rule_id`.
pub fn judged(rule_id: &str) -> bool {
    KINDS.iter().any(|k| {
        k.targets
            .iter()
            .any(|t| t.rules.iter().any(|r| r == rule_id))
    })
}

/// The names an event's `CloudTrailEvent` document gives its resources at the table's
/// pointers (a document that is not JSON names none).
pub fn identifiers(event_name: &str, document: &str) -> Vec<String> {
    let Some(kind) = kind(event_name) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(document) else {
        return Vec::new();
    };
    kind.targets
        .iter()
        .filter_map(|t| t.identifier.as_deref())
        .filter_map(|p| value.pointer(p).and_then(|v| v.as_str()))
        .map(str::to_string)
        .collect()
}

/// The finding's resource an event is matched against.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub arn: &'a str,
    pub name: &'a str,
    /// The snapshot type name, e.g. `aws_s3_bucket`.
    pub type_name: &'a str,
    pub region: &'a str,
}

/// One event as the matching needs it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub name: &'a str,
    /// What the event names as its resources (ARNs, ids or names).
    pub resources: &'a [String],
    /// Set when the call failed.
    pub error_code: Option<&'a str>,
    /// Where CloudTrail recorded it.
    pub region: &'a str,
}

/// Whether `name` (an ARN, id or name an event gives) names `subject`.
fn names(name: &str, subject: &Subject<'_>) -> bool {
    name == subject.arn
        || name == subject.name
        || subject.arn.ends_with(&format!("/{name}"))
        || subject.arn.ends_with(&format!(":{name}"))
}

/// What `event` does to the finding of `rule_id` on `subject`, or `None` when it does not
/// touch it. A call that failed changed nothing.
pub fn effect_on(event: &Event<'_>, rule_id: &str, subject: &Subject<'_>) -> Option<Effect> {
    if event.error_code.is_some() {
        return None;
    }
    let kind = kind(event.name)?;
    let touches = kind.targets.iter().any(|t| {
        t.resource_type == subject.type_name
            && t.rules.iter().any(|r| r == rule_id)
            && match &t.identifier {
                Some(_) => event.resources.iter().any(|n| names(n, subject)),
                // A setting of the account (any region), or of the event's region.
                None => {
                    subject.type_name == "aws_account"
                        || subject.region == event.region
                        || subject.region == "global"
                }
            }
    });
    touches.then_some(kind.effect)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(name: &str) -> (String, String) {
        (format!("arn:aws:s3:::{name}"), name.to_string())
    }

    fn subject<'a>(b: &'a (String, String)) -> Subject<'a> {
        Subject {
            arn: &b.0,
            name: &b.1,
            type_name: "aws_s3_bucket",
            region: "eu-central-1",
        }
    }

    fn event<'a>(name: &'a str, resources: &'a [String]) -> Event<'a> {
        Event {
            name,
            resources,
            error_code: None,
            region: "eu-central-1",
        }
    }

    #[test]
    fn an_event_touches_the_rules_and_resource_it_names_and_a_failed_call_none() {
        let doc = r#"{"eventName":"DeleteBucketEncryption","requestParameters":{"bucketName":"logs","Host":"logs.s3.eu-central-1.amazonaws.com"}}"#;
        let ids = identifiers("DeleteBucketEncryption", doc);
        assert_eq!(ids, ["logs"]);
        let (logs, other) = (bucket("logs"), bucket("other"));
        let e = event("DeleteBucketEncryption", &ids);
        let rule = "encryption.s3-bucket-kms-cmk";
        assert_eq!(effect_on(&e, rule, &subject(&logs)), Some(Effect::Breaks));
        assert_eq!(effect_on(&e, rule, &subject(&other)), None);
        assert_eq!(
            effect_on(&e, "residency.s3-bucket-region", &subject(&logs)),
            None
        );
        let arn = vec!["arn:aws:s3:::logs".to_string()];
        let put = event("PutBucketEncryption", &arn);
        assert_eq!(
            effect_on(&put, rule, &subject(&logs)),
            Some(Effect::Changes)
        );
        let failed = Event {
            error_code: Some("AccessDenied"),
            ..e
        };
        assert_eq!(effect_on(&failed, rule, &subject(&logs)), None);
        assert!(judged(rule));
        assert!(!judged("residency.s3-bucket-region"));
        assert!(identifiers("DeleteBucketEncryption", "not json").is_empty());
    }
}
