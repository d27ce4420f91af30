//! `findings.ocsf.jsonl`: every finding as an OCSF Compliance Finding (class 2003, OCSF
//! 1.5.0 with the `cloud` profile), one event per line, the shape Amazon Security Lake and
//! most SIEMs take. Validated against the class's JSON Schema in `tests/it/formats.rs`.
//!
//! The mapping keeps assay's outcome whole: `compliance.status_id` is OCSF's Pass (1),
//! Fail (3), Unknown (0: GAP, ERROR, UNKNOWN, MANUAL: nothing shown either way) or Other
//! (99: NOT_APPLICABLE), and `compliance.status_code` is assay's own status word, so a GAP
//! is never read as a pass. A WAIVED finding is a Fail whose finding `status_id` is
//! Suppressed (3), with the waiver in `comment`. Every cited API call is an evidence
//! artefact (`evidences[].api`) with its request id and the response SHA-256 in `data`.

use std::io::Write;

use serde_json::{Value, json};

use super::Report;
use crate::findings::{Finding, Status};
use crate::rules::Severity;

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.5.0";
const CLASS_UID: u32 = 2003;
const CATEGORY_UID: u32 = 2;
/// Activity "Create": assay reports each finding afresh on each run.
const ACTIVITY_CREATE: u32 = 1;

/// Writes one event per line (JSON Lines).
pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &report.findings {
        serde_json::to_writer(&mut *out, &event(report, f))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// OCSF `severity_id`: Informational 1, Low 2, Medium 3, High 4, Critical 5.
fn severity(s: Severity) -> (u32, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// OCSF compliance `status_id` and its caption for an assay outcome.
fn compliance_status(s: Status) -> (u32, &'static str) {
    match s {
        Status::Pass => (1, "Pass"),
        Status::Fail | Status::Waived => (3, "Fail"),
        Status::NotApplicable => (99, "Other"),
        Status::Gap | Status::Error | Status::Unknown | Status::Manual => (0, "Unknown"),
    }
}

fn millis(t: &chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// One finding as a Compliance Finding event.
pub fn event(report: &Report, f: &Finding) -> Value {
    let (severity_id, severity_name) = severity(f.severity);
    let (status_id, status_name) = compliance_status(f.status);
    // Finding status: New (1), or Suppressed (3) under an active waiver.
    let (finding_status_id, finding_status) = if f.status == Status::Waived {
        (3, "Suppressed")
    } else {
        (1, "New")
    };
    let time = millis(&report.evaluated_at);
    let requirements: Vec<String> = f
        .controls
        .iter()
        .filter(|(fw, _)| report.profile.frameworks.contains(fw))
        .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw} {id}")))
        .collect();
    let standards: Vec<&str> = report
        .frameworks
        .iter()
        .filter(|fw| f.controls.get(&fw.id).is_some_and(|c| !c.is_empty()))
        .map(|fw| fw.name.as_str())
        .collect();
    let (account, region) = match &f.resource {
        Some(r) => (r.account.clone(), r.region.clone()),
        None => scope_parts(f.scope.as_deref().unwrap_or("")),
    };
    let mut cloud = json!({ "provider": "AWS" });
    if !account.is_empty() {
        cloud["account"] = json!({ "uid": account });
    }
    if !region.is_empty() && region != "global" {
        cloud["region"] = json!(region);
    }
    let resources: Vec<Value> = f
        .resource
        .iter()
        .map(|r| {
            json!({
                "uid": r.arn,
                "name": r.name,
                "type": r.type_name,
                "region": r.region,
                "data": { "snapshot_pointer": r.pointer },
            })
        })
        .collect();
    let evidences: Vec<Value> = f
        .sources
        .iter()
        .map(|s| {
            let mut api = json!({
                "operation": s.operation,
                "service": { "name": s.operation.split(':').next().unwrap_or("") },
            });
            if let Some(id) = &s.request_id {
                api["request"] = json!({ "uid": id });
            }
            json!({
                "api": api,
                "data": {
                    "resource_arn": s.resource_arn,
                    "group": s.group,
                    "region": s.region,
                    "called_at": s.called_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "response_sha256": s.response_sha256,
                },
            })
        })
        .collect();
    let mut event = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": finding_status_id,
        "status": finding_status,
        "message": f.summary,
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {
                "name": report.tool.name,
                "vendor_name": "assay",
                "version": report.tool.version,
            },
            "uid": format!("{}:{}", report.id(), f.id),
            "correlation_uid": f.id,
        },
        "cloud": cloud,
        "finding_info": {
            "uid": f.id,
            "title": f.rule_title,
            "desc": f.summary,
            "created_time": time,
            "types": ["assay rule"],
            "product_uid": f.rule_id,
        },
        "compliance": {
            "status_id": status_id,
            "status": status_name,
            "status_code": f.status.as_str(),
            "standards": standards,
            "requirements": requirements,
            "checks": [{
                "uid": f.rule_id,
                "name": f.rule_title,
                "severity_id": severity_id,
                "severity": severity_name,
                "status_id": status_id,
                "status": status_name,
            }],
        },
        "resources": resources,
    });
    if !evidences.is_empty() {
        event["evidences"] = json!(evidences);
    }
    if let Some(w) = &f.waiver {
        event["comment"] = json!(format!(
            "{} waiver {} ({}, approved by {}, expires {}): {}",
            if w.expired { "expired" } else { "active" },
            w.id,
            w.ticket,
            w.approved_by,
            w.expires,
            w.reason.trim()
        ));
    }
    event
}

/// `account/region`, `account` or `all` as (account, region).
fn scope_parts(scope: &str) -> (String, String) {
    match scope.split_once('/') {
        Some((a, r)) => (a.to_string(), r.to_string()),
        None if scope.chars().all(|c| c.is_ascii_digit()) && !scope.is_empty() => {
            (scope.to_string(), String::new())
        }
        None => (String::new(), String::new()),
    }
}
