//! Selector parameters that select nothing. A tag key, name, name prefix or policy in the
//! profile decides which resources a rule applies to (`selects:` in `rules/params.yaml`);
//! when it matches no resource in the snapshot, every rule reading it is NOT_APPLICABLE
//! everywhere, which is how a violation hides. This module finds such values, says so
//! (a warning on stderr, a line in the reports' scope section) and adds the reason to the
//! NOT_APPLICABLE findings of the rules whose applicability (`where`) reads them.
//!
//! Only live snapshots are checked: a Terraform plan holds only the resources of its own
//! configuration, so a selector matching none of them proves nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::findings::{Finding, Status};
use crate::rules::Rule;
use crate::rules::params::{ParamCatalogue, SelectBy, Selects};
use crate::snapshot::{Attributes, Resource, Snapshot};

/// A parameter value that matched no resource of the types it selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmatchedSelector {
    /// The parameter, e.g. `backup_tag_key`.
    pub param: String,
    /// The value as matched, e.g. `purpose=backup`.
    pub value: String,
    /// The resource types it was matched against.
    pub types: Vec<String>,
    /// The selected rules that read the parameter.
    pub rules: Vec<String>,
    /// The sentence shown in reports and on stderr:
    /// `backup_tag_key purpose=backup matched no s3 bucket`.
    pub message: String,
}

/// Every selector value the selected `rules` read that matches nothing in `snapshot`.
pub fn unmatched(
    snapshot: &Snapshot,
    catalogue: &ParamCatalogue,
    params: &BTreeMap<String, Json>,
    rules: &[&Rule],
) -> Vec<UnmatchedSelector> {
    if snapshot.origin.kind == "plan" {
        return Vec::new();
    }
    let mut out = Vec::new();
    for decl in catalogue.values() {
        let Some(selects) = &decl.selects else {
            continue;
        };
        let readers: Vec<String> = rules
            .iter()
            .filter(|r| r.params.contains(&decl.name))
            .map(|r| r.id.clone())
            .collect();
        if readers.is_empty() {
            continue;
        }
        let Some(value) = params.get(&decl.name) else {
            continue;
        };
        let candidates: Vec<&Resource> = snapshot
            .resources
            .iter()
            .filter(|r| selects.types.iter().any(|t| t == r.type_name()))
            .collect();
        for wanted in values(value) {
            let tag_value = selects
                .value
                .as_ref()
                .and_then(|p| params.get(p))
                .and_then(Json::as_str);
            if candidates
                .iter()
                .any(|r| matches(r, selects, &wanted, tag_value))
            {
                continue;
            }
            let shown = match (selects.by, tag_value) {
                (SelectBy::Tag, Some(v)) => format!("{wanted}={v}"),
                _ => wanted.clone(),
            };
            let nouns: Vec<String> = selects.types.iter().map(|t| noun(t)).collect();
            out.push(UnmatchedSelector {
                param: decl.name.clone(),
                message: format!("{} {shown} matched no {}", decl.name, nouns.join(" or ")),
                value: shown,
                types: selects.types.clone(),
                rules: readers.clone(),
            });
        }
    }
    out
}

/// Adds the reason to the NOT_APPLICABLE findings of every rule whose `where` reads an
/// unmatched selector: "not applicable: … (backup_tag_key purpose=backup matched no s3
/// bucket)".
pub fn explain(findings: &mut [Finding], rules: &[&Rule], unmatched: &[UnmatchedSelector]) {
    for rule in rules {
        let Some((_, refs)) = &rule.applies_when else {
            continue;
        };
        let reasons: Vec<&str> = unmatched
            .iter()
            .filter(|u| refs.params.contains(&u.param))
            .map(|u| u.message.as_str())
            .collect();
        if reasons.is_empty() {
            continue;
        }
        let note = format!(" ({})", reasons.join("; "));
        for f in findings
            .iter_mut()
            .filter(|f| f.rule_id == rule.id && f.status == Status::NotApplicable)
        {
            f.summary.push_str(&note);
        }
    }
}

/// The warnings for stderr, one line each.
pub fn warnings(unmatched: &[UnmatchedSelector]) -> Vec<String> {
    unmatched
        .iter()
        .map(|u| {
            format!(
                "warning: {} (read by {}; check the profile)",
                u.message,
                u.rules.join(", ")
            )
        })
        .collect()
}

/// The values a parameter holds: a string, or each string of a list.
fn values(value: &Json) -> Vec<String> {
    match value {
        Json::String(s) => vec![s.clone()],
        Json::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn matches(resource: &Resource, selects: &Selects, wanted: &str, tag_value: Option<&str>) -> bool {
    match selects.by {
        SelectBy::Tag => resource
            .tags
            .get(wanted)
            .is_some_and(|v| tag_value.is_none_or(|want| v == want)),
        SelectBy::Name => resource.name == wanted,
        SelectBy::NamePrefix => resource.name.starts_with(wanted),
        SelectBy::AttachedPolicy => attached_policies(resource).iter().any(|p| {
            p == wanted
                || p.strip_suffix(wanted)
                    .is_some_and(|head| head.ends_with(":policy/") || head.ends_with('/'))
        }),
    }
}

fn attached_policies(resource: &Resource) -> &[String] {
    match &resource.attributes {
        Attributes::IamRole(r) => &r.attached_policies,
        Attributes::IamGroup(g) => &g.attached_policies,
        Attributes::IamUser(u) => &u.attached_policies,
        _ => &[],
    }
}

/// `aws_s3_bucket` → `s3 bucket`.
fn noun(type_name: &str) -> String {
    type_name
        .strip_prefix("aws_")
        .unwrap_or(type_name)
        .replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_match_by_arn_or_name() {
        let role = |policy: &str| Resource {
            attributes: Attributes::IamRole(crate::snapshot::resources::IamRole {
                attached_policies: vec![policy.to_string()],
                ..Default::default()
            }),
            ..blank()
        };
        let by = Selects {
            types: vec!["aws_iam_role".into()],
            by: SelectBy::AttachedPolicy,
            value: None,
        };
        let arn = "arn:aws:iam::111122223333:policy/support/customer-data-read";
        assert!(matches(&role(arn), &by, arn, None));
        assert!(matches(&role(arn), &by, "customer-data-read", None));
        assert!(!matches(&role(arn), &by, "data-read", None));
    }

    fn blank() -> Resource {
        Resource {
            arn: "arn:aws:iam::111122223333:role/r".into(),
            id: "r".into(),
            name: "r".into(),
            account: "111122223333".into(),
            region: "global".into(),
            tags: Default::default(),
            attributes: Attributes::Account(Default::default()),
            provenance: Default::default(),
            unread: Vec::new(),
            unknown: Vec::new(),
        }
    }
}
