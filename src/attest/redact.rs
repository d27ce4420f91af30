//! `assay attest --redact`: identifiers the vendor marks sensitive in its profile
//! (`attestation.redact`: security-group ids, IAM user and role names, access key ids) are
//! replaced by counts. Exceptions about such a resource are merged per rule and status
//! into one line that says how many; any other mention (an ARN in a summary, a waiver's
//! reason, a bare user name) becomes `[security group]`, `[IAM user]`, ….
//!
//! Why merge rather than blank: a customer needs to know that three security groups are
//! open to the internet, not which; a row per blanked id would say the same thing three
//! times. What was replaced, and how many distinct identifiers of each kind, is recorded
//! in the signed document (`Redaction`), so nothing is dropped silently, and `assay
//! verify --reevaluate` redacts the rebuilt facts the same way before comparing.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Attestation, Exception, Redaction};
use crate::findings::Status;
use crate::profile::issuing::REDACTABLE;
use crate::snapshot::Snapshot;

/// Characters of an IAM user or role name (and path), as IAM allows them.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c)
}

/// The byte ranges of `kind` identifiers in `text`.
fn find(kind: &str, text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let boundary_before = |i: usize| i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
    let mut out = Vec::new();
    match kind {
        "security-group" => {
            for (i, _) in text.match_indices("sg-") {
                let hex = bytes[i + 3..]
                    .iter()
                    .take_while(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                    .count();
                let end = i + 3 + hex;
                let clean_end = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
                if boundary_before(i) && (8..=17).contains(&hex) && clean_end {
                    out.push((i, end));
                }
            }
        }
        "iam-user" | "iam-role" => {
            let marker = if kind == "iam-user" {
                ":user/"
            } else {
                ":role/"
            };
            for (i, _) in text.match_indices("arn:aws:iam::") {
                let rest = &text[i + "arn:aws:iam::".len()..];
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                if digits != 12 || !rest[digits..].starts_with(marker) {
                    continue;
                }
                let start = i + "arn:aws:iam::".len() + digits + marker.len();
                let name: &str = text[start..]
                    .split(|c: char| !is_name_char(c))
                    .next()
                    .unwrap_or("");
                // A comma or full stop after the name is the sentence's, not the name's.
                let len = name.trim_end_matches([',', '.']).len();
                if len > 0 {
                    out.push((start, start + len));
                }
            }
        }
        "access-key" => {
            for prefix in ["AKIA", "ASIA"] {
                for (i, _) in text.match_indices(prefix) {
                    let len = bytes[i..]
                        .iter()
                        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                        .count();
                    if boundary_before(i) && len == 20 {
                        out.push((i, i + 20));
                    }
                }
            }
        }
        _ => {}
    }
    out.sort_unstable();
    out
}

/// The words printed for a kind (`security group`).
fn label(kind: &str) -> &'static str {
    REDACTABLE
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("identifier", |(_, l)| l)
}

/// The first of `kinds` whose identifier `subject` names.
fn subject_kind<'k>(subject: &str, kinds: &'k [String]) -> Option<&'k str> {
    kinds
        .iter()
        .find(|k| !find(k, subject).is_empty())
        .map(String::as_str)
}

/// Every sensitive identifier (by kind) the attestation and the snapshot's IAM users and
/// roles hold: bare names in a summary are found by these.
fn identifiers(
    text: &str,
    kinds: &[String],
    snapshot: &Snapshot,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for kind in kinds {
        let found = out.entry(kind.clone()).or_default();
        for (a, b) in find(kind, text) {
            found.insert(text[a..b].to_string());
        }
    }
    for r in &snapshot.resources {
        for kind in kinds
            .iter()
            .filter(|k| *k == "iam-user" || *k == "iam-role")
        {
            for (a, b) in find(kind, &r.arn) {
                // Only names that also occur in the document count as replaced.
                let name = &r.arn[a..b];
                let bare = name.rsplit('/').next().unwrap_or(name);
                if contains_token(text, bare) {
                    out.entry(kind.clone())
                        .or_default()
                        .insert(name.to_string());
                }
            }
        }
    }
    out
}

/// Whether `token` occurs in `text` as a whole name (not inside a longer one).
fn contains_token(text: &str, token: &str) -> bool {
    !token_ranges(text, token).is_empty()
}

fn token_ranges(text: &str, token: &str) -> Vec<(usize, usize)> {
    if token.is_empty() {
        return Vec::new();
    }
    text.match_indices(token)
        .filter(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + token.len()..].chars().next();
            !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char)
        })
        .map(|(i, _)| (i, i + token.len()))
        .collect()
}

/// `text` with every identifier of `found` replaced by `[label]`.
fn scrub(text: &str, found: &BTreeMap<String, BTreeSet<String>>) -> String {
    let mut out = text.to_string();
    for (kind, ids) in found {
        let placeholder = format!("[{}]", label(kind));
        // Patterns first (ids, names in ARNs), then bare names, longest first.
        let ranges = find(kind, &out);
        for (a, b) in ranges.into_iter().rev() {
            out.replace_range(a..b, &placeholder);
        }
        let mut names: Vec<&str> = ids
            .iter()
            .map(|n| n.rsplit('/').next().unwrap_or(n))
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        for name in names {
            for (a, b) in token_ranges(&out, name).into_iter().rev() {
                out.replace_range(a..b, &placeholder);
            }
        }
    }
    out
}

fn scrub_value(value: &mut serde_json::Value, found: &BTreeMap<String, BTreeSet<String>>) {
    match value {
        serde_json::Value::String(s) => *s = scrub(s, found),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub_value(v, found)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub_value(v, found)),
        _ => {}
    }
}

/// One merged line standing for the exceptions of one rule and status on one kind.
struct Merged {
    kind: String,
    count: usize,
    accounts: BTreeSet<String>,
    regions: BTreeSet<String>,
    reasons: BTreeSet<Option<String>>,
}

/// Exceptions on resources of a redacted kind, merged per rule, status and kind, in
/// the place of the first of each group.
fn merge(exceptions: Vec<Exception>, kinds: &[String]) -> Vec<Exception> {
    let mut out: Vec<(Exception, Option<Merged>)> = Vec::new();
    let mut index: BTreeMap<(String, Status, String), usize> = BTreeMap::new();
    for e in exceptions {
        let Some(kind) = subject_kind(&e.subject, kinds) else {
            out.push((e, None));
            continue;
        };
        let key = (e.rule_id.clone(), e.status, kind.to_string());
        let i = *index.entry(key).or_insert_with(|| {
            out.push((
                e.clone(),
                Some(Merged {
                    kind: kind.to_string(),
                    count: 0,
                    accounts: BTreeSet::new(),
                    regions: BTreeSet::new(),
                    reasons: BTreeSet::new(),
                }),
            ));
            out.len() - 1
        });
        if let Some(m) = out[i].1.as_mut() {
            m.count += 1;
            m.accounts.extend(e.account.clone());
            m.regions.extend(e.region.clone());
            m.reasons.insert(e.reason.clone());
        }
    }
    out.into_iter()
        .map(|(mut e, merged)| {
            if let Some(m) = merged {
                let what = label(&m.kind);
                let plural = if m.count == 1 { "" } else { "s" };
                e.subject = format!("{} {what}{plural} (identifiers redacted)", m.count);
                e.findings = (m.count > 1).then_some(m.count);
                e.account = (m.accounts.len() == 1).then(|| m.accounts.into_iter().collect());
                e.region = (!m.regions.is_empty())
                    .then(|| m.regions.into_iter().collect::<Vec<_>>().join(", "));
                e.summary = format!(
                    "{} finding{plural} on {what}s whose identifiers and details the vendor withholds (--redact)",
                    m.count
                );
                e.reason = match m.reasons.len() {
                    1 => m.reasons.into_iter().next().flatten(),
                    _ => Some("reasons differ per resource; withheld with the identifiers".into()),
                };
            }
            e
        })
        .collect()
}

/// Redacts `kinds` in `attestation` (see the module comment) and records what was
/// replaced. The id and the facts other than the identifiers are unchanged.
pub fn redact(attestation: &mut Attestation, kinds: &[String], snapshot: &Snapshot) {
    // The document is strings, numbers and maps: it always round-trips through JSON,
    // and a failure here is a bug to stop on, not a reason to disclose what was asked
    // to be withheld.
    let text = serde_json::to_string(&*attestation).expect("an attestation serialises");
    let found = identifiers(&text, kinds, snapshot);
    attestation.exceptions = merge(std::mem::take(&mut attestation.exceptions), kinds);
    let mut value = serde_json::to_value(&*attestation).expect("an attestation serialises");
    scrub_value(&mut value, &found);
    *attestation = serde_json::from_value(value).expect("a scrubbed attestation reads back");
    attestation.redaction = Some(Redaction {
        kinds: kinds.to_vec(),
        replaced: found.into_iter().map(|(k, ids)| (k, ids.len())).collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_kind_and_nothing_else() {
        let text = "sg-22935bea272285d69 and xsg-12345678 and sg-123 in arn:aws:ec2:ap-southeast-2:111122223333:security-group/sg-0123456789abcdef0";
        let ids: Vec<&str> = find("security-group", text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(ids, ["sg-22935bea272285d69", "sg-0123456789abcdef0"]);
        let text =
            "arn:aws:iam::111122223333:user/ian.murphy, arn:aws:iam::111122223333:role/support";
        let names: Vec<&str> = find("iam-user", text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(names, ["ian.murphy"]);
        assert_eq!(find("access-key", "key AKIAIOSFODNN7EXAMPLE here").len(), 1);
    }

    #[test]
    fn scrubs_ids_arns_and_bare_names() {
        let mut found = BTreeMap::new();
        found.insert(
            "iam-user".to_string(),
            BTreeSet::from(["ian.murphy".to_string()]),
        );
        found.insert("security-group".to_string(), BTreeSet::new());
        let text = "arn:aws:iam::111122223333:user/ian.murphy (ian.murphy) opened sg-22935bea272285d69; brian.murphy stays";
        assert_eq!(
            scrub(text, &found),
            "arn:aws:iam::111122223333:user/[IAM user] ([IAM user]) opened [security group]; brian.murphy stays"
        );
    }
}
