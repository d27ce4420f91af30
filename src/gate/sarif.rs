//! SARIF 2.1.0 for code-scanning views (GitHub code scanning, GitLab, IDEs). Validated
//! against the OASIS schema in `tests/it/gate.rs`.
//!
//! One result per finding that is a problem (FAIL, GAP, ERROR, UNKNOWN) or was waived
//! (as a suppressed result); passing findings are left out. Each result carries:
//! - a logical location: the Terraform address for plans, the ARN otherwise;
//! - a physical location: the `.tf` file and line declaring the resource when found,
//!   otherwise the plan or snapshot file (code-scanning views need a file);
//! - `partialFingerprints.assay/v1`: the finding fingerprint, so views track a finding
//!   across runs the way the baseline does;
//! - `baselineState`: `unchanged` for baselined findings, `new` otherwise.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value, json};

use super::{Judgement, Outcome, resource_label};
use crate::findings::{AssertionStatus, Finding, Status};
use crate::rules::Severity;

/// The schema URI written into the log.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(outcome))?;
    out.write_all(b"\n")
}

/// The SARIF log as JSON.
pub fn log(outcome: &Outcome) -> Value {
    let report = outcome.report;
    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.status,
                Status::Fail | Status::Gap | Status::Error | Status::Unknown | Status::Waived
            )
        })
        .collect();
    // Rules in findings order, each once.
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for f in &report.findings {
        if !rule_index.contains_key(f.rule_id.as_str()) {
            rule_index.insert(&f.rule_id, rules.len());
            rules.push(rule(f));
        }
    }
    let results: Vec<Value> = shown
        .iter()
        .map(|f| {
            result(
                outcome,
                f,
                rule_index.get(f.rule_id.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "assay",
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "automationDetails": {"id": format!("assay/{}/", report.snapshot.origin)},
            "invocations": [{
                "executionSuccessful": true,
                "exitCode": outcome.decision.exit_code().code(),
                "endTimeUtc": report.evaluated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "toolExecutionNotifications": notifications(outcome),
            }],
            "results": results,
            "properties": {
                "gate": if outcome.decision.passed { "passed" } else { "failed" },
                "snapshotOrigin": report.snapshot.origin,
                "manifestDigest": report.snapshot.manifest_digest,
                "rulePackDigest": report.rule_pack.digest,
            },
        }],
    })
}

/// Plans: what was not judged, as notifications: the plan giving the rules nothing to
/// judge and file warnings (level `warning`), changes read in part and resources not read
/// (level `note`), each naming the Terraform address.
fn notifications(outcome: &Outcome) -> Vec<Value> {
    let d = outcome.decision;
    let mut out = Vec::new();
    if let Some(n) = &d.nothing_to_judge {
        out.push(json!({"level": "warning", "message": {"text": format!("nothing judged: {n}")}}));
    }
    for w in &d.warnings {
        out.push(json!({"level": "warning", "message": {"text": w}}));
    }
    for n in &d.notes {
        out.push(json!({
            "level": "note",
            "message": {"text": format!("{}: read in part: {}", n.address, n.note)},
            "locations": [{"logicalLocations": [{"fullyQualifiedName": n.address, "kind": "resource"}]}],
        }));
    }
    for n in &d.not_read {
        out.push(json!({
            "level": "note",
            "message": {"text": format!("{}: not read: {} is not read from plans", n.address, n.type_name)},
            "locations": [{"logicalLocations": [{"fullyQualifiedName": n.address, "kind": "resource"}]}],
        }));
    }
    out
}

/// `security-severity` as GitHub code scanning reads it (0–10).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn rule(f: &Finding) -> Value {
    let tags: Vec<String> = f
        .controls
        .iter()
        .flat_map(|(framework, ids)| ids.iter().map(move |id| format!("{framework}:{id}")))
        .collect();
    json!({
        "id": f.rule_id,
        "shortDescription": {"text": f.rule_title},
        "help": {"text": format!("{}\nRun `assay rules explain {}` for what it checks, why, the evidence and the remediation.", f.rule_title, f.rule_id)},
        "defaultConfiguration": {"level": level(f.severity)},
        "properties": {
            "tags": tags,
            "severity": f.severity.as_str(),
            "security-severity": security_severity(f.severity),
        },
    })
}

fn result(outcome: &Outcome, f: &Finding, rule_index: usize) -> Value {
    let judgement = outcome.decision.judgement(f);
    let mut result = json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": if f.status == Status::Fail || f.status == Status::Waived { level(f.severity) } else { "warning" },
        "kind": if f.status == Status::Fail || f.status == Status::Waived { "fail" } else { "review" },
        "message": {"text": format!("{}: {} ({} on {})", f.status.as_str(), f.summary, f.rule_title, resource_label(f))},
        "locations": [location(outcome, f)],
        "partialFingerprints": {"assay/v1": f.id},
        "baselineState": if judgement == Judgement::Baselined { "unchanged" } else { "new" },
        "properties": {
            "status": f.status.as_str(),
            "severity": f.severity.as_str(),
            "gate": judgement,
            "assertions": f.assertions.iter().filter(|a| a.status != AssertionStatus::Pass).collect::<Vec<_>>(),
            "sources": f.sources,
        },
    });
    if let (Some(w), Some(obj)) = (&f.waiver, result.as_object_mut()) {
        obj.insert(
            "suppressions".into(),
            json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!("{} (waiver {}, approved by {}, ticket {}, expires {})", w.reason, w.id, w.approved_by, w.ticket, w.expires),
            }]),
        );
    }
    result
}

fn location(outcome: &Outcome, f: &Finding) -> Value {
    let label = resource_label(f);
    let declared = f
        .resource
        .as_ref()
        .filter(|_| outcome.is_plan())
        .and_then(|_| super::sources::root_address(&label))
        .and_then(|address| outcome.declared.get(&address));
    let physical = match (declared, &outcome.config_dir) {
        (Some(d), dir) => json!({
            "artifactLocation": {"uri": uri(&join(dir.as_deref(), &d.file))},
            "region": {"startLine": d.line},
        }),
        _ => json!({"artifactLocation": {"uri": uri(&outcome.report.snapshot.path)}}),
    };
    let kind = if f.resource.is_some() {
        "resource"
    } else {
        "namespace"
    };
    json!({
        "physicalLocation": physical,
        "logicalLocations": [{"fullyQualifiedName": label, "kind": kind}],
    })
}

fn join(dir: Option<&str>, file: &str) -> String {
    match dir {
        Some(d) if !d.is_empty() && d != "." => format!("{}/{file}", d.trim_end_matches('/')),
        _ => file.to_string(),
    }
}

/// A relative URI reference for a path: `/` separators, and characters a URI cannot hold
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.replace('\\', "/").chars() {
        if c.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri("infra/prod stack/main.tf"),
            "infra/prod%20stack/main.tf"
        );
        assert_eq!(uri("a\\b.tf"), "a/b.tf");
        assert_eq!(join(Some("infra/"), "main.tf"), "infra/main.tf");
        assert_eq!(join(Some("."), "main.tf"), "main.tf");
    }
}
