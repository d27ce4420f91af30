//! Reports: one serialisable model built from findings, snapshot, profile and rule pack;
//! every output format is a thin renderer over it (`json`, `csv`, `html`, `pdf`, …).
//!
//! The model is also what `findings.json` holds, so it deserialises too: `assay report`
//! re-renders a saved report without evaluating anything again ([`Report::from_json`]).
//! Fields added after the first release carry `#[serde(default)]`, so a document written
//! by an older assay still loads.

pub mod asff;
mod build;
pub(crate) use build::claim_statuses;
pub mod chart;
pub mod collector;
pub mod compare;
pub mod coverage;
pub mod csv;
pub mod format;
pub mod html;
pub mod json;
pub mod ocsf;
pub mod pdf;
pub mod soa;
pub mod terminal;
/// Renderers and the command line reach the escaping of evidence text here too.
pub use crate::text;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::exit::ExitStatus;
use crate::findings::{AttestationRef, Finding, Status, StatusCounts};
use crate::profile::Claim;
use crate::rules::{RuleKind, Severity};
use crate::snapshot::{AccountScope, Gap};
use crate::waivers::WaiverUse;

/// The version of the findings document format (`docs/findings.md`).
pub const FINDINGS_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolVersion,
    /// When the evaluation ran (injectable for reproducible output).
    pub evaluated_at: DateTime<Utc>,
    pub snapshot: SnapshotInfo,
    pub rule_pack: RulePackInfo,
    pub profile: ProfileInfo,
    /// The profile and waiver files as given, with their SHA-256, so `assay verify` can
    /// find them again and know they are the ones evaluated. Absent in documents written
    /// before it existed (then `--profile` and `--waivers` must be given to verify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
    pub summary: StatusCounts,
    pub frameworks: Vec<FrameworkCoverage>,
    pub claims: Vec<ClaimStatus>,
    /// The selected rules with their outcome counts: the join from a control's rule ids
    /// to titles and severities, and the rule catalogue of the evidence packs.
    #[serde(default)]
    pub rule_catalogue: Vec<RuleEntry>,
    /// One entry per selected manual rule: who attested it, or that nobody did.
    #[serde(default)]
    pub attestations: Vec<ManualEvidence>,
    pub gaps: Vec<Gap>,
    pub waivers: Vec<WaiverUse>,
    /// Profile values that decide which resources rules apply to and matched none
    /// (`crate::selectors`); absent when every one matched something.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched_selectors: Vec<crate::selectors::UnmatchedSelector>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToolVersion {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub path: String,
    pub manifest_digest: String,
    pub collected_at: DateTime<Utc>,
    pub origin: String,
    pub accounts: Vec<AccountScope>,
    pub resources: usize,
    /// Who collected the evidence, through which endpoint, with which tool. Absent in
    /// documents written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<collector::Collection>,
    /// What the evidence covered: types judged in detail, types only located by AWS
    /// Config's inventory, where the inventory could not look. Absent in documents
    /// written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<coverage::Coverage>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RulePackInfo {
    pub path: String,
    pub digest: String,
    pub rules: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileInfo {
    pub organisation: String,
    pub sha256: String,
    pub frameworks: Vec<String>,
    pub params: BTreeMap<String, serde_json::Value>,
}

/// The files an evaluation read besides the snapshot and the rule pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    pub profile: InputFile,
    /// `null` when no waiver file was given.
    pub waivers: Option<InputFile>,
}

/// A file as named on the command line, and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: String,
    pub sha256: String,
}

/// One framework's controls with the rules and outcomes behind each.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrameworkCoverage {
    pub id: String,
    pub name: String,
    pub families: Vec<FamilyCoverage>,
    /// Controls with at least one automated rule.
    pub automated_controls: usize,
    /// Controls with no automated rule: manual evidence required.
    pub manual_controls: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FamilyCoverage {
    pub id: String,
    pub title: String,
    pub summary: StatusCounts,
    pub controls: Vec<ControlCoverage>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlCoverage {
    pub id: String,
    pub title: String,
    pub rules: Vec<String>,
    pub summary: StatusCounts,
    /// `evidence` when automated rules gave no FAIL, GAP, ERROR or UNKNOWN, `exceptions`
    /// when they did, `manual` when only manual rules or none map to it. Never
    /// "compliant": findings are evidence supporting a control, not a certification.
    pub state: String,
    /// For `manual` controls, what a person must still do: `attested` (every manual rule
    /// mapped to it has a valid attestation), `expired` (an attestation expired),
    /// `missing` (a manual rule has no attestation), `no-rule` (no selected rule maps to
    /// the control at all). Absent for automated controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_evidence: Option<String>,
    /// The control's line of the Statement of Applicability: applicable, excluded (with
    /// the justification) or inherited (provider and reference), from the profile; a
    /// control the profile does not name is applicable and `declared: false`. Absent in
    /// documents written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicability: Option<crate::profile::applicability::Applicability>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimStatus {
    #[serde(flatten)]
    pub claim: Claim,
    pub summary: StatusCounts,
    /// `supported` (evidence holds), `contradicted` (a FAIL), `incomplete` (GAP, ERROR or
    /// UNKNOWN), `attested` (manual rules with valid attestations),
    /// `manual-evidence-required` (a manual rule without a valid attestation),
    /// `not-evaluated` (no finding).
    pub status: String,
    /// For a claim about all data (it names the inventory rule): what the evidence did
    /// not cover, which keeps it from `supported`. Absent when nothing is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

/// A selected rule as the reports show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleEntry {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub kind: RuleKind,
    pub resource_types: Vec<String>,
    /// The rule's "what it checks" paragraph.
    pub what: String,
    /// SHA-256 of the rule file: the rule's version.
    pub sha256: String,
    /// The `where` expression that decides whether the rule applies to a resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<String>,
    /// The rule's assertions, in rule order, as written (trimmed).
    #[serde(default)]
    pub assertions: Vec<RuleAssertion>,
    /// Framework id → control ids, for the frameworks the profile names.
    pub controls: BTreeMap<String, Vec<String>>,
    /// All findings of the rule.
    pub summary: StatusCounts,
}

/// One named assertion of a rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleAssertion {
    pub name: String,
    pub expression: String,
}

/// A manual rule and the attestation behind it, if any.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManualEvidence {
    pub rule_id: String,
    pub rule_title: String,
    /// `attested`, `expired` (judged against the snapshot's collection date) or `missing`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationRef>,
    /// Framework id → control ids, for the frameworks the profile names.
    pub controls: BTreeMap<String, Vec<String>>,
}

/// Why a saved findings document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}:{line}:{column}: not a findings document: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: findings schema_version {found} is not supported (this build reads {FINDINGS_SCHEMA_VERSION})"
    )]
    Version { path: String, found: u64 },
}

impl Report {
    /// The report's identity: the first 16 hex digits of SHA-256 over the snapshot manifest,
    /// rule pack and profile hashes, the evaluation time and the tool version. The same
    /// inputs evaluated at the same `--now` give the same id; any change gives another.
    /// Every rendering (HTML, each PDF pack) prints it, so they can be matched up.
    pub fn id(&self) -> String {
        let text = format!(
            "{}\n{}\n{}\n{}\n{} {}",
            self.snapshot.manifest_digest,
            self.rule_pack.digest,
            self.profile.sha256,
            self.evaluated_at.to_rfc3339(),
            self.tool.name,
            self.tool.version
        );
        crate::snapshot::sha256_hex(text.as_bytes())
            .chars()
            .take(16)
            .collect()
    }

    /// Parses a saved `findings.json`, checking its version first so a future format gets
    /// a clear message rather than a field error. `path` is for messages only.
    pub fn from_json(text: &str, path: &str) -> Result<Report, LoadError> {
        use crate::strict_json::{VersionedError, from_str_versioned};
        from_str_versioned(text, u64::from(FINDINGS_SCHEMA_VERSION)).map_err(|e| match e {
            VersionedError::Json(e) => LoadError::Invalid {
                path: path.to_string(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            },
            VersionedError::Version(found) => LoadError::Version {
                path: path.to_string(),
                found,
            },
        })
    }

    /// The process exit status for this report: 1 on any FAIL, 3 on GAP, ERROR or UNKNOWN
    /// (a plan value known only after apply) without FAIL, or when there is no evidence at
    /// all ([`Report::no_evidence`]), 0 otherwise.
    pub fn exit_code(&self) -> ExitStatus {
        if self.summary.contains_key(&Status::Fail) {
            ExitStatus::Failed
        } else if self.summary.contains_key(&Status::Gap)
            || self.summary.contains_key(&Status::Error)
            || self.summary.contains_key(&Status::Unknown)
            || self.no_evidence().is_some()
        {
            ExitStatus::Incomplete
        } else {
            ExitStatus::Ok
        }
    }

    /// Why this report rests on no evidence at all, if it does: the snapshot read no
    /// account, or no automated rule found anything to judge (every automated finding is
    /// NOT_APPLICABLE, or there is none). Such a run is incomplete, never a pass: an empty
    /// snapshot would otherwise "pass" every rule. (A Terraform plan reads no account: its
    /// evidence is the planned resources, and the account may be unknown, so only the
    /// second test applies to it.)
    pub fn no_evidence(&self) -> Option<String> {
        if self.snapshot.origin != "plan"
            && self
                .snapshot
                .accounts
                .iter()
                .all(|a| a.regions_read.is_empty())
        {
            return Some(format!(
                "no evidence: the snapshot {} records no account read ({} account(s), none with a region read), so nothing could be checked",
                self.snapshot.path,
                self.snapshot.accounts.len()
            ));
        }
        let judged = self
            .findings
            .iter()
            .any(|f| !matches!(f.status, Status::NotApplicable | Status::Manual));
        if judged {
            return None;
        }
        Some(format!(
            "no evidence: no automated rule found any resource or account setting to check in {} ({} resource(s)); every automated rule is NOT_APPLICABLE, so nothing was shown to hold",
            self.snapshot.path, self.snapshot.resources
        ))
    }
}
