//! Comparing a saved findings document with the report evaluated again from its inputs,
//! finding by finding: what `assay verify` and `assay report --findings` use to prove a
//! document says what its snapshot, rules, profile and waivers give, and nothing else.
//!
//! Findings are paired by fingerprint (rule id + resource identity). A finding only in the
//! document was added to it, one only in the re-evaluation was deleted from it, and a
//! paired finding is compared field by field (status, observed, expected, waiver, gaps,
//! …). Everything else the document states (summary counts, claims, control coverage,
//! gaps, the waiver register) is compared too, since the reports render it. Where the
//! inputs were found is not content: the re-derived report takes the document's paths
//! and tool name before the comparison.

use std::collections::HashMap;

use serde_json::Value;

use super::Report;
use crate::findings::Finding;

/// How many differences are listed before the rest are counted.
const LISTED: usize = 20;

/// Every difference between `recorded` and `derived`, each naming the finding (rule id
/// and resource or scope) or the part of the document; empty when they agree.
pub fn differences(recorded: &Report, derived: &Report) -> Vec<String> {
    let mut out = Vec::new();
    compare_findings(&recorded.findings, &derived.findings, &mut out);
    let (mut a, mut b) = (to_value(recorded), to_value(derived));
    for v in [&mut a, &mut b] {
        if let Some(map) = v.as_object_mut() {
            map.remove("findings");
        }
    }
    // Locations and the tool that wrote the document are not content.
    for pointer in ["/snapshot/path", "/rule_pack/path", "/tool", "/inputs"] {
        if let (Some(from), Some(to)) = (a.pointer(pointer).cloned(), b.pointer_mut(pointer)) {
            *to = from;
        }
    }
    diff("", &a, &b, &mut out);
    out
}

/// The differences as lines for a check's detail: the first [`LISTED`], then a count.
pub fn listed(differences: &[String]) -> String {
    let mut lines: Vec<String> = differences
        .iter()
        .take(LISTED)
        .map(|d| format!("\n    - {d}"))
        .collect();
    if differences.len() > LISTED {
        lines.push(format!("\n    … and {} more", differences.len() - LISTED));
    }
    lines.concat()
}

fn to_value(report: &Report) -> Value {
    serde_json::to_value(report).expect("a report always serialises")
}

/// How a finding is named in a message: rule id and resource ARN, or its scope.
pub fn label(f: &Finding) -> String {
    match (&f.resource, &f.scope) {
        (Some(r), _) => format!("{} on {}", f.rule_id, r.arn),
        (None, Some(scope)) => format!("{} ({scope})", f.rule_id),
        (None, None) => f.rule_id.clone(),
    }
}

fn compare_findings(recorded: &[Finding], derived: &[Finding], out: &mut Vec<String>) {
    // Findings with the same fingerprint (possible for scope findings) pair up in order.
    let mut by_id: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in derived {
        by_id.entry(f.id.as_str()).or_default().push(f);
    }
    for list in by_id.values_mut() {
        list.reverse();
    }
    for f in recorded {
        match by_id.get_mut(f.id.as_str()).and_then(Vec::pop) {
            None => out.push(format!(
                "{}: {} in the document, but evaluating the inputs gives no such finding (added to the document)",
                label(f),
                f.status.as_str()
            )),
            Some(d) => {
                let mut fields = Vec::new();
                diff("", &serde_json::to_value(f).unwrap_or_default(), &serde_json::to_value(d).unwrap_or_default(), &mut fields);
                out.extend(fields.into_iter().map(|field| format!("{}: {field}", label(f))));
            }
        }
    }
    // What no document finding paired with was deleted from the document.
    for f in derived {
        let Some(list) = by_id.get_mut(f.id.as_str()) else {
            continue;
        };
        let Some(at) = list.iter().position(|d| std::ptr::eq(*d, f)) else {
            continue;
        };
        list.remove(at);
        out.push(format!(
            "{}: evaluating the inputs gives {}, but the document has no such finding (deleted from the document)",
            label(f),
            f.status.as_str()
        ));
    }
}

/// Leaf-level differences between `a` (the document) and `b` (re-derived) under `path`.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, va) in x {
                let at = join(path, key);
                match y.get(key) {
                    Some(vb) => diff(&at, va, vb, out),
                    None => out.push(format!(
                        "{at}: the document has {}, evaluating the inputs gives none",
                        short(va)
                    )),
                }
            }
            for (key, vb) in y {
                if !x.contains_key(key) {
                    out.push(format!(
                        "{}: the document has none, evaluating the inputs gives {}",
                        join(path, key),
                        short(vb)
                    ));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(&join(path, &i.to_string()), va, vb, out);
            }
        }
        _ if a != b => out.push(format!(
            "{}: the document says {}, evaluating the inputs gives {}",
            if path.is_empty() { "(whole)" } else { path },
            short(a),
            short(b)
        )),
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A value for a message, cut at 120 characters.
fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Status;

    const FIXTURE: &str = include_str!("../../tests/fixtures/reports/small-findings.json");

    fn fixture() -> Report {
        Report::from_json(FIXTURE, "small-findings.json").expect("the fixture loads")
    }

    #[test]
    fn a_document_equals_itself_whatever_its_paths() {
        let (a, mut b) = (fixture(), fixture());
        b.snapshot.path = "elsewhere/snapshot.json".into();
        b.rule_pack.path = "/tmp/rules".into();
        assert!(differences(&a, &b).is_empty());
    }

    #[test]
    fn added_deleted_and_changed_findings_are_each_named() {
        let derived = fixture();
        let mut recorded = fixture();
        let changed = recorded
            .findings
            .iter()
            .position(|f| f.status == Status::Fail)
            .unwrap();
        recorded.findings[changed].status = Status::Pass;
        let last = recorded.findings.len() - 1;
        assert_ne!(changed, last);
        let deleted = recorded.findings.remove(last);
        let mut added = recorded.findings[0].clone();
        added.id = "0000000000000000".into();
        recorded.findings.push(added.clone());
        let found = differences(&recorded, &derived);
        let text = found.join("\n");
        assert_eq!(found.len(), 3, "{text}");
        assert!(
            text.contains(&format!(
                "{}: status: the document says \"PASS\"",
                label(&derived.findings[changed])
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "{}: {} in the document, but evaluating the inputs gives no such finding (added",
                label(&added),
                added.status.as_str()
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "{}: evaluating the inputs gives {}, but the document has no such finding (deleted",
                label(&deleted),
                deleted.status.as_str()
            )),
            "{text}"
        );
    }

    #[test]
    fn no_evidence_is_an_incomplete_run() {
        let mut report = fixture();
        assert_eq!(report.no_evidence(), None);
        for f in &mut report.findings {
            if f.status != Status::Manual {
                f.status = Status::NotApplicable;
            }
        }
        report.summary = crate::findings::count_by_status(&report.findings);
        assert!(
            report
                .no_evidence()
                .unwrap()
                .contains("no automated rule found")
        );
        assert_eq!(report.exit_code(), crate::exit::ExitStatus::Incomplete);
        report.snapshot.accounts.clear();
        assert!(
            report
                .no_evidence()
                .unwrap()
                .contains("records no account read")
        );
    }
}
