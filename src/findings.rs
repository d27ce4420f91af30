//! Findings: the outcome of one rule for one resource (or one scope), with its evidence.
//! The findings document is assay's stable machine-readable output (`findings.json`),
//! documented in `docs/findings.md`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rules::Severity;

/// The outcome of a rule for a resource. A GAP or ERROR never becomes a PASS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Pass,
    Fail,
    /// The data the rule needs was not read (see the gap records).
    Gap,
    /// The rule applies to nothing in scope. Shown, never counted as a pass.
    NotApplicable,
    /// The rule itself failed to evaluate (a rule bug or unexpected data).
    Error,
    /// A FAIL covered by an unexpired waiver; the evidence is kept.
    Waived,
    /// Needs a person's attestation; no AWS API can show it.
    Manual,
    /// A Terraform plan does not know a value the rule needs yet ("known after apply"), or
    /// the rule joins resources outside the plan. Never a pass; see `docs/findings.md`.
    Unknown,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Pass,
        Status::Fail,
        Status::Gap,
        Status::NotApplicable,
        Status::Error,
        Status::Waived,
        Status::Manual,
        Status::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Gap => "GAP",
            Status::NotApplicable => "NOT_APPLICABLE",
            Status::Error => "ERROR",
            Status::Waived => "WAIVED",
            Status::Manual => "MANUAL",
            Status::Unknown => "UNKNOWN",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The outcome of one assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssertionStatus {
    Pass,
    Fail,
    Gap,
    Error,
    /// Not evaluable because an earlier assertion of the same rule failed (e.g. the key's
    /// rotation cannot be read when no key is set).
    Skipped,
    /// Reads a value a Terraform plan does not know yet ("known after apply").
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssertionResult {
    pub name: String,
    pub status: AssertionStatus,
    /// The assertion's expression, as written.
    pub expression: String,
    /// For comparisons: the value found (left operand). Present but `null` when the
    /// operand was null, so reading it back must keep `Some(Null)` apart from absent.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub observed: Option<Value>,
    /// For comparisons: what was required, e.g. `== true` or `in ["ap-southeast-2"]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Error or gap explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The rule's evidence expressions, evaluated.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub evidence: IndexMap<String, Value>,
}

/// A field that is present, whatever its value (`null` included): `Some`. Absent fields
/// are `None` through `#[serde(default)]`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRef {
    pub arn: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    pub account: String,
    pub region: String,
    /// Position of the resource in the snapshot: `/resources/<index>` (JSON pointer).
    pub pointer: String,
}

/// Where a piece of evidence came from: the API call, its region and time, and the hash
/// of the raw response kept in the snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSource {
    pub resource_arn: String,
    pub group: String,
    pub operation: String,
    pub region: String,
    pub called_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub response_sha256: String,
}

/// The waiver that turned a FAIL into WAIVED, or that expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverRef {
    pub id: String,
    pub reason: String,
    pub approved_by: String,
    pub ticket: String,
    pub expires: String,
    pub expired: bool,
    /// The waiver's optional approval details (`crate::waivers`), as in the register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_rating: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compensating_controls: Vec<String>,
}

/// The attestation behind a MANUAL finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttestationRef {
    pub attested_by: String,
    pub date: String,
    pub expires: String,
    pub evidence: String,
    pub statement: String,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable fingerprint of rule id + resource identity (or scope): the key for
    /// baselines and waivers, independent of message text.
    pub id: String,
    pub rule_id: String,
    pub rule_title: String,
    pub severity: Severity,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceRef>,
    /// For findings without a resource: `account/region` (or `account`, or `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// One line for tables: the first failing assertion's observed vs expected, or the
    /// gap or error.
    pub summary: String,
    pub assertions: Vec<AssertionResult>,
    pub sources: Vec<EvidenceSource>,
    /// Ids of the gap records behind a GAP.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationRef>,
    pub controls: BTreeMap<String, Vec<String>>,
}

/// Counts of findings per status.
pub type StatusCounts = BTreeMap<Status, usize>;

pub fn count_by_status<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> StatusCounts {
    let mut counts = StatusCounts::new();
    for f in findings {
        *counts.entry(f.status).or_default() += 1;
    }
    counts
}

/// The fingerprint of a finding: first 16 hex digits of SHA-256 over rule id and identity.
pub fn fingerprint(rule_id: &str, identity: &str) -> String {
    crate::snapshot::sha256_hex(format!("{rule_id}\n{identity}").as_bytes())[..16].to_string()
}
