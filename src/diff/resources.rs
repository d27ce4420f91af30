//! Resources added, removed and changed between two snapshots, paired by ARN.
//!
//! A change is named by the JSON pointer of the attribute (`/encryption/enabled`, as in
//! the snapshot file and the rules' `resource.` paths) with its old and new value. Lists
//! are compared whole: a security group's rules are one change, not one per index, since
//! an index says nothing once a rule is inserted. Provenance (when and by which request
//! each group was read) differs on every scan and is not a change to the resource; a
//! group that became unread is (it is in `unread`).

use serde::Serialize;
use serde_json::Value;

use super::compare::by_key;
use crate::snapshot::Resource;

/// A resource as a diff names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceRef {
    pub arn: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    pub account: String,
    pub region: String,
}

/// One attribute that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeChange {
    /// JSON pointer into the resource (`/tags/env`, `/encryption/kms_key_arn`).
    pub path: String,
    /// `null` when the attribute was absent (or null) on that side.
    pub old: Value,
    pub new: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceChange {
    #[serde(flatten)]
    pub resource: ResourceRef,
    pub changes: Vec<AttributeChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResourcesDiff {
    pub added: Vec<ResourceRef>,
    pub removed: Vec<ResourceRef>,
    pub changed: Vec<ResourceChange>,
    /// Resources present on both sides with no attribute changed.
    pub unchanged: usize,
}

impl ResourcesDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

fn reference(r: &Resource) -> ResourceRef {
    ResourceRef {
        arn: r.arn.clone(),
        type_name: r.type_name().to_string(),
        name: r.name.clone(),
        account: r.account.clone(),
        region: r.region.clone(),
    }
}

/// Compares the resources of two snapshots. Each list comes out sorted by ARN.
pub fn compare(old: &[Resource], new: &[Resource]) -> ResourcesDiff {
    let matching = by_key(old, new, |r| r.arn.as_str(), |r| r.arn.as_str());
    let mut out = ResourcesDiff {
        added: matching
            .unmatched_new()
            .map(|i| reference(&new[i]))
            .collect(),
        removed: matching
            .unmatched_old
            .iter()
            .map(|i| reference(&old[*i]))
            .collect(),
        ..ResourcesDiff::default()
    };
    for (o, n) in matching.pairs() {
        let mut changes = Vec::new();
        attributes("", &content(&old[o]), &content(&new[n]), &mut changes);
        if changes.is_empty() {
            out.unchanged += 1;
        } else {
            out.changed.push(ResourceChange {
                resource: reference(&new[n]),
                changes,
            });
        }
    }
    out.added.sort_by(|a, b| a.arn.cmp(&b.arn));
    out.removed.sort_by(|a, b| a.arn.cmp(&b.arn));
    out.changed
        .sort_by(|a, b| a.resource.arn.cmp(&b.resource.arn));
    out
}

/// The resource as JSON without its provenance.
fn content(r: &Resource) -> Value {
    let mut value = serde_json::to_value(r).expect("a resource always serialises");
    if let Some(map) = value.as_object_mut() {
        map.remove("provenance");
    }
    value
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn attributes(path: &str, old: &Value, new: &Value, out: &mut Vec<AttributeChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                attributes(&format!("{path}/{}", escape(key)), x, y, out);
            }
        }
        _ if old != new => out.push(AttributeChange {
            path: path.to_string(),
            old: old.clone(),
            new: new.clone(),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_changes_are_named_by_pointer_and_lists_compared_whole() {
        let mut out = Vec::new();
        attributes(
            "",
            &json!({"a": {"b": 1, "c/d": true}, "l": [1, 2], "same": "x"}),
            &json!({"a": {"b": 2, "c/d": true, "e": null}, "l": [2, 1], "same": "x", "n": 3}),
            &mut out,
        );
        let paths: Vec<&str> = out.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["/a/b", "/l", "/n"]);
        assert_eq!(out[2].old, Value::Null);
    }
}
