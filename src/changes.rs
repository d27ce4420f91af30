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

use crate::findings::ResourceRef;
use crate::snapshot::resources::ChangeEvent;

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

/// Whether `name` (an ARN, id or name an event gives) names `resource`.
fn names(name: &str, resource: &ResourceRef) -> bool {
    name == resource.arn
        || name == resource.name
        || resource.arn.ends_with(&format!("/{name}"))
        || resource.arn.ends_with(&format!(":{name}"))
}

/// What `event` (recorded in `region`) does to the finding of `rule_id` on `resource`,
/// or `None` when it does not touch it. A call that failed changed nothing.
pub fn effect_on(
    event: &ChangeEvent,
    region: &str,
    rule_id: &str,
    resource: &ResourceRef,
) -> Option<Effect> {
    if event.error_code.is_some() {
        return None;
    }
    let kind = kind(&event.event_name)?;
    let touches = kind.targets.iter().any(|t| {
        t.resource_type == resource.type_name
            && t.rules.iter().any(|r| r == rule_id)
            && match &t.identifier {
                Some(_) => event.resources.iter().any(|n| names(n, resource)),
                // A setting of the account (any region), or of the event's region.
                None => {
                    resource.type_name == "aws_account"
                        || resource.region == region
                        || resource.region == "global"
                }
            }
    });
    touches.then_some(kind.effect)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(name: &str) -> ResourceRef {
        ResourceRef {
            arn: format!("arn:aws:s3:::{name}"),
            type_name: "aws_s3_bucket".into(),
            name: name.into(),
            account: "111122223333".into(),
            region: "eu-central-1".into(),
            pointer: String::new(),
        }
    }

    fn event(name: &str, resources: &[&str]) -> ChangeEvent {
        ChangeEvent {
            event_id: "e".into(),
            event_name: name.into(),
            event_source: None,
            event_time: "2026-10-10T00:00:00Z".into(),
            user_name: None,
            resources: resources.iter().map(|s| s.to_string()).collect(),
            error_code: None,
        }
    }

    #[test]
    fn the_table_parses_with_unique_names_and_names_only_bundled_rules() {
        #[derive(Deserialize)]
        struct RuleHead {
            id: String,
            #[serde(default)]
            resource_types: Vec<String>,
        }
        let rules: Vec<RuleHead> = crate::rules::bundled::FILES
            .iter()
            .filter(|(path, _)| !path.ends_with(".tests.yaml") && !path.contains("frameworks"))
            .filter_map(|(_, text)| {
                let value: serde_json::Value = serde_saphyr::from_str(text).ok()?;
                serde_json::from_value(value).ok()
            })
            .collect();
        let mut names = std::collections::HashSet::new();
        for k in kinds() {
            assert!(names.insert(k.event.as_str()), "{} twice", k.event);
            assert!(k.source.ends_with(".amazonaws.com"), "{}", k.event);
            for t in &k.targets {
                for r in &t.rules {
                    let Some(rule) = rules.iter().find(|x| &x.id == r) else {
                        panic!("{}: no rule {r}", k.event);
                    };
                    assert!(
                        rule.resource_types.contains(&t.resource_type),
                        "{}: {r} does not judge {}",
                        k.event,
                        t.resource_type
                    );
                }
                if let Some(p) = &t.identifier {
                    assert!(p.starts_with("/requestParameters/"), "{}", k.event);
                }
            }
        }
        assert!(kinds().len() >= 30);
    }

    #[test]
    fn an_event_touches_the_rules_and_resource_it_names_and_a_failed_call_none() {
        let doc = r#"{"eventName":"DeleteBucketEncryption","requestParameters":{"bucketName":"logs","Host":"logs.s3.eu-central-1.amazonaws.com"}}"#;
        let ids = identifiers("DeleteBucketEncryption", doc);
        assert_eq!(ids, ["logs"]);
        let e = event("DeleteBucketEncryption", &["logs"]);
        assert_eq!(
            effect_on(
                &e,
                "eu-central-1",
                "encryption.s3-bucket-kms-cmk",
                &bucket("logs")
            ),
            Some(Effect::Breaks)
        );
        assert_eq!(
            effect_on(
                &e,
                "eu-central-1",
                "encryption.s3-bucket-kms-cmk",
                &bucket("other")
            ),
            None
        );
        assert_eq!(
            effect_on(
                &e,
                "eu-central-1",
                "residency.s3-bucket-region",
                &bucket("logs")
            ),
            None
        );
        let put = event("PutBucketEncryption", &["arn:aws:s3:::logs"]);
        assert_eq!(
            effect_on(
                &put,
                "eu-central-1",
                "encryption.s3-bucket-kms-cmk",
                &bucket("logs")
            ),
            Some(Effect::Changes)
        );
        let mut failed = e.clone();
        failed.error_code = Some("AccessDenied".into());
        assert_eq!(
            effect_on(
                &failed,
                "eu-central-1",
                "encryption.s3-bucket-kms-cmk",
                &bucket("logs")
            ),
            None
        );
        assert!(judged("encryption.s3-bucket-kms-cmk"));
        assert!(!judged("residency.s3-bucket-region"));
        assert!(identifiers("DeleteBucketEncryption", "not json").is_empty());
    }
}
