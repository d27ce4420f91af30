//! `findings.asff.json`: every finding in the AWS Security Finding Format, as the body of
//! Security Hub's `BatchImportFindings` (`{"Findings": [...]}`; the API takes at most 100
//! findings a call, so an importer sends the list in batches). Validated in
//! `tests/it/formats.rs` against a JSON Schema generated from the Security Hub API model's
//! `AwsSecurityFinding` shape (`tests/fixtures/schemas/`).
//!
//! The mapping (ASFF attributes: docs.aws.amazon.com/securityhub/latest/userguide/
//! securityhub-findings-format-attributes.html):
//! - `Compliance.Status`: PASS → `PASSED`, FAIL and WAIVED → `FAILED`, everything that
//!   shows nothing either way (GAP, ERROR, UNKNOWN, MANUAL, NOT_APPLICABLE) →
//!   `NOT_AVAILABLE`; assay's own status is kept in `ProductFields["assay/status"]`, so a
//!   GAP is never read as a pass.
//! - `Workflow.Status`: `SUPPRESSED` under an active waiver, `NEW` otherwise.
//! - `ProductArn`: the default product of a custom integration in the finding's account
//!   and region (`arn:aws:securityhub:<region>:<account>:product/<account>/default`).
//! - A finding without an account (scope `all`, the organisation) is filed under the
//!   first account of the snapshot, and says so in `ProductFields["assay/scope"]`. A
//!   global resource (IAM, the account itself) is filed under the first region read in
//!   its account (ASFF needs a region; the resource's own `Region` says the same), or
//!   `us-east-1` when the snapshot read none (such a run reports no evidence anyway).
//! - `Title` is cut to 256 characters and `Description` to 1024, the limits AWS documents
//!   for those attributes (the full text stays in findings.json).

use std::io::Write;

use serde_json::{Map, Value, json};

use super::Report;
use crate::findings::{Finding, Status};
use crate::rules::Severity;

/// The ASFF schema version Security Hub accepts.
pub const SCHEMA_VERSION: &str = "2018-10-08";
const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 1024;

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let findings: Vec<Value> = report.findings.iter().map(|f| finding(report, f)).collect();
    serde_json::to_writer_pretty(&mut *out, &json!({ "Findings": findings }))?;
    out.write_all(b"\n")
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

fn compliance(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASSED",
        Status::Fail | Status::Waived => "FAILED",
        Status::Gap | Status::Error | Status::Unknown | Status::Manual | Status::NotApplicable => {
            "NOT_AVAILABLE"
        }
    }
}

/// The ASFF resource type for an assay resource type, `Other` where ASFF has none.
fn resource_type(assay_type: &str) -> &'static str {
    match assay_type {
        "aws_s3_bucket" => "AwsS3Bucket",
        "aws_security_group" => "AwsEc2SecurityGroup",
        "aws_ebs_volume" => "AwsEc2Volume",
        "aws_ec2_instance" => "AwsEc2Instance",
        "aws_iam_user" => "AwsIamUser",
        "aws_iam_role" => "AwsIamRole",
        "aws_kms_key" => "AwsKmsKey",
        "aws_rds_instance" => "AwsRdsDbInstance",
        "aws_rds_snapshot" => "AwsRdsDbSnapshot",
        "aws_backup_plan" => "AwsBackupBackupPlan",
        "aws_backup_vault" => "AwsBackupBackupVault",
        "aws_backup_recovery_point" => "AwsBackupRecoveryPoint",
        "aws_cloudtrail_trail" => "AwsCloudTrailTrail",
        "aws_account" => "AwsAccount",
        _ => "Other",
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max - 1).collect();
    s.push('…');
    s
}

fn rfc3339(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The account and region a finding is filed under, and whether they were borrowed from
/// the snapshot's scope because the finding has none of its own.
fn placement(report: &Report, f: &Finding) -> (String, String, bool) {
    let (mut account, mut region) = match &f.resource {
        Some(r) => (r.account.clone(), r.region.clone()),
        None => match f.scope.as_deref().and_then(|s| s.split_once('/')) {
            Some((a, r)) => (a.to_string(), r.to_string()),
            None => (f.scope.clone().unwrap_or_default(), String::new()),
        },
    };
    let mut borrowed = false;
    let first = report.snapshot.accounts.first();
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        account = first.map(|a| a.account_id.clone()).unwrap_or_default();
        borrowed = true;
    }
    if region.is_empty() || region == "global" {
        region = report
            .snapshot
            .accounts
            .iter()
            .find(|a| a.account_id == account)
            .or(first)
            .and_then(|a| a.regions_read.first().cloned())
            .unwrap_or_else(|| "us-east-1".into());
    }
    (account, region, borrowed)
}

/// One finding as an `AwsSecurityFinding`.
pub fn finding(report: &Report, f: &Finding) -> Value {
    let (account, region, borrowed) = placement(report, f);
    let at = rfc3339(&report.evaluated_at);
    let requirements: Vec<String> = f
        .controls
        .iter()
        .filter(|(fw, _)| report.profile.frameworks.contains(fw))
        .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw} {id}")))
        .collect();
    let resource = match &f.resource {
        Some(r) => {
            let mut details = Map::new();
            details.insert("assay/type".into(), json!(r.type_name));
            details.insert("assay/name".into(), json!(r.name));
            details.insert("assay/snapshot_pointer".into(), json!(r.pointer));
            json!({
                "Id": r.arn,
                "Type": resource_type(&r.type_name),
                "Partition": partition(&r.arn),
                "Region": if r.region == "global" { region.clone() } else { r.region.clone() },
                "Details": { "Other": details },
            })
        }
        None => json!({
            "Id": format!("AWS::::Account:{account}"),
            "Type": "AwsAccount",
            "Region": region,
        }),
    };
    let mut fields = Map::new();
    fields.insert("assay/rule_id".into(), json!(f.rule_id));
    fields.insert("assay/status".into(), json!(f.status.as_str()));
    fields.insert("assay/finding_id".into(), json!(f.id));
    fields.insert("assay/report_id".into(), json!(report.id()));
    fields.insert(
        "assay/snapshot_manifest".into(),
        json!(report.snapshot.manifest_digest),
    );
    if let Some(scope) = &f.scope {
        let note = if borrowed {
            format!("{scope} (filed under the snapshot's first account)")
        } else {
            scope.clone()
        };
        fields.insert("assay/scope".into(), json!(note));
    }
    // The cited calls, in order: operation, request id and response SHA-256.
    for (i, s) in f.sources.iter().enumerate().take(10) {
        fields.insert(format!("assay/source{i}/operation"), json!(s.operation));
        if let Some(id) = &s.request_id {
            fields.insert(format!("assay/source{i}/request_id"), json!(id));
        }
        fields.insert(
            format!("assay/source{i}/response_sha256"),
            json!(s.response_sha256),
        );
    }
    if let Some(w) = &f.waiver {
        fields.insert("assay/waiver".into(), json!(w.id));
    }
    let mut out = json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": format!("assay/{}", f.id),
        "ProductArn": format!("arn:{}:securityhub:{region}:{account}:product/{account}/default", partition_of_region(&region)),
        "ProductName": "assay",
        "CompanyName": "assay",
        "GeneratorId": format!("assay/{}", f.rule_id),
        "AwsAccountId": account,
        "Region": region,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "FirstObservedAt": rfc3339(&report.snapshot.collected_at),
        "LastObservedAt": rfc3339(&report.snapshot.collected_at),
        "CreatedAt": at,
        "UpdatedAt": at,
        "Severity": { "Label": severity(f.severity), "Original": f.severity.as_str() },
        "Title": cut(&f.rule_title, TITLE_MAX),
        "Description": cut(&f.summary, DESCRIPTION_MAX),
        "ProductFields": fields,
        "Resources": [resource],
        "Compliance": { "Status": compliance(f.status) },
        "Workflow": { "Status": if f.status == Status::Waived { "SUPPRESSED" } else { "NEW" } },
        "RecordState": "ACTIVE",
    });
    if !requirements.is_empty() {
        // The API takes at most 32 related requirements.
        out["Compliance"]["RelatedRequirements"] =
            json!(requirements.into_iter().take(32).collect::<Vec<_>>());
    }
    if let Some(w) = &f.waiver {
        out["Note"] = json!({
            "Text": cut(&format!(
                "{} waiver {} ({}, expires {}): {}",
                if w.expired { "Expired" } else { "Active" },
                w.id,
                w.ticket,
                w.expires,
                w.reason.trim()
            ), 512),
            "UpdatedBy": cut(&w.approved_by, 512),
            "UpdatedAt": at,
        });
    }
    out
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`), `aws` if it is not an ARN.
fn partition(arn: &str) -> &str {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}
