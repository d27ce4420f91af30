//! The attestation document: the facts a vendor states to a customer about where the
//! customer's data lives, how it is protected and how long backups are kept, each as
//! observed in one snapshot.
//!
//! The document holds facts, not prose: the wording ("observed at …") is in the templates,
//! so rewording a template never changes what was signed. Everything a verifier needs to
//! tie the facts to their evidence is inside: the snapshot manifest digest, the rule-pack
//! and profile hashes, the tool version. Its signed form is the RFC 8785 canonical JSON of
//! this structure (`sign.rs`); format in `docs/attestation.md`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::findings::{Status, StatusCounts};
use crate::rules::Severity;

/// `format` of every attestation document.
pub const FORMAT: &str = "assay-attestation";
/// The document version this build writes and reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// Always [`FORMAT`]: lets `assay verify` recognise the file.
    pub format: String,
    pub version: u32,
    /// First 16 hex digits of SHA-256 over the evidence hashes, scope and issue time.
    pub id: String,
    pub organisation: String,
    /// The customer the attestation is addressed to, if any.
    pub customer: Option<String>,
    /// When the attestation was made (`--now`, default the wall clock).
    pub issued_at: DateTime<Utc>,
    /// When the evidence was read: the snapshot's collection time. Every fact is "as
    /// observed" then.
    pub observed_at: DateTime<Utc>,
    pub evidence: Evidence,
    pub scope: Scope,
    /// The regions the profile allows data in (`allowed_regions`).
    pub allowed_regions: Vec<String>,
    /// Per data-store type: how many, and in which regions.
    pub data_stores: Vec<DataStore>,
    /// Every place a copy of the data goes, as each data store's registry entry lists it:
    /// replication, replicas, backup copies, key replicas, snapshots and images shared
    /// with other accounts.
    pub copies: Vec<DataCopy>,
    /// Per data-store type: how it is encrypted at rest.
    pub encryption: Vec<EncryptionSummary>,
    /// The KMS keys protecting the data stores in scope.
    pub keys: Vec<KeyFact>,
    /// Backup retention as configured, per backup rule and for database backups.
    pub retention: Vec<RetentionFact>,
    /// The profile's claims, quoted, with the status the evidence in scope gives them.
    pub claims: Vec<ClaimFact>,
    /// What the evidence in scope covered: the data-store types judged in detail, the
    /// types AWS Config's inventory only located, where the inventory could not look.
    /// Absent in attestations issued before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::report::coverage::Coverage>,
    /// Every FAIL, GAP, ERROR, UNKNOWN and WAIVED finding in scope, with its reason.
    pub exceptions: Vec<Exception>,
    /// The key that signed the document; `None` for an unsigned attestation.
    pub signer: Option<Signer>,
    /// Who issues it, as the profile states (`attestation.signer`); printed beside the
    /// key fingerprint. The key proves who signed; this names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Issuer>,
    /// Until when the attestation may be relied on (`attestation.valid_for_days`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// When the next attestation is due (`attestation.next_issue_after_days`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_issue: Option<DateTime<Utc>>,
    /// What `--redact` replaced by counts; `None` when nothing was redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redaction: Option<Redaction>,
}

/// The person issuing the attestation, as the vendor's profile names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    pub name: String,
    pub role: String,
    pub organisation: String,
}

/// Identifiers replaced by counts (`assay attest --redact`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    /// The kinds the profile marks sensitive (`security-group`, `iam-user`, …).
    pub kinds: Vec<String>,
    /// Per kind, how many distinct identifiers were replaced.
    pub replaced: BTreeMap<String, usize>,
}

/// What the facts were derived from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// `assay <version>`.
    pub tool: String,
    /// The snapshot's file name, as given to `assay attest` (a hint for `assay verify`).
    pub snapshot_file: String,
    /// The snapshot's manifest digest: names exactly one snapshot.
    pub snapshot_manifest_sha256: String,
    /// `live`, `sample` or `plan`.
    pub snapshot_origin: String,
    /// Who collected the snapshot, through which endpoint, with which tool; a customer
    /// must see when the evidence was not read from AWS's own endpoints. Absent in
    /// attestations issued before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<crate::report::collector::Collection>,
    pub rule_pack_sha256: String,
    pub profile_sha256: String,
    /// SHA-256 of the waiver file applied, if any.
    pub waivers_sha256: Option<String>,
    /// Findings in scope, per status.
    pub findings: StatusCounts,
}

/// What the attestation covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// The selectors given (`account 111122223333`, `tag customer=acme`,
    /// `resource arn:aws:s3:::acme-*`); empty means everything in the snapshot.
    pub selectors: Vec<String>,
    pub accounts: Vec<ScopeAccount>,
    /// Resources in scope.
    pub resources: usize,
    /// What could not be read in the accounts in scope.
    pub gaps: Vec<GapFact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeAccount {
    pub account_id: String,
    pub regions_read: Vec<String>,
    /// `region: reason` for each requested region that was not read.
    pub regions_not_read: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapFact {
    pub account: String,
    pub region: String,
    pub operation: String,
    pub error_code: String,
    pub message: String,
    pub resource_types: Vec<String>,
}

/// One kind of data store: count and regions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataStore {
    /// Snapshot type name (`aws_s3_bucket`).
    pub resource_type: String,
    /// Plural label for people (`S3 buckets`).
    pub label: String,
    pub count: usize,
    /// Region → count.
    pub regions: BTreeMap<String, usize>,
    /// How many are in a region outside [`Attestation::allowed_regions`].
    pub outside_allowed_regions: usize,
}

/// A destination a copy of the data goes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataCopy {
    /// As the registry's copy listers name it (`snapshot::copies`): `S3 replication`,
    /// `Backup copy`, `Backup copy held`, `DynamoDB replica`, `RDS read replica`,
    /// `Secrets Manager replica`, `KMS key replica`, `EBS snapshot shared`, `AMI shared`, …
    /// A grant to another account ends in ` shared`.
    pub kind: String,
    /// What is copied (ARN, or `plan/rule`).
    pub source: String,
    /// Where to (ARN, account or region).
    pub destination: String,
    pub destination_account: Option<String>,
    pub destination_region: Option<String>,
    /// Retention at the destination, when configured.
    pub retention_days: Option<i64>,
    /// Whether the destination region is allowed, as the residency rule that judged the
    /// copy found; `None` when the region is not known (e.g. a snapshot shared with an
    /// account) or no rule judged it.
    pub within_allowed_regions: Option<bool>,
}

/// How one kind of data store is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionSummary {
    pub resource_type: String,
    pub label: String,
    pub total: usize,
    /// KMS with a customer-managed key.
    pub kms_customer_managed: usize,
    /// KMS with an AWS-managed key (`aws/s3`, `aws/ebs`, …).
    pub kms_aws_managed: usize,
    /// KMS with a key not in the snapshot (another account's key, or not listed).
    pub kms_key_not_in_snapshot: usize,
    /// Encrypted without KMS (S3-managed keys, AES256).
    pub other_encryption: usize,
    pub unencrypted: usize,
    /// Encryption could not be read (a gap).
    pub not_read: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFact {
    pub arn: String,
    pub region: String,
    /// `CUSTOMER` or `AWS`.
    pub manager: String,
    pub rotation_enabled: Option<bool>,
    pub multi_region: bool,
    pub replica_regions: Vec<String>,
    /// Data stores in scope encrypted with it.
    pub protects: usize,
}

/// Retention of one backup rule, or of a class of database backups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionFact {
    /// `backup plan am-prod-daily / rule daily`, `RDS automated backups`.
    pub source: String,
    pub account: String,
    pub region: String,
    /// `hourly`, `daily`, `weekly`, `monthly`, `continuous`.
    pub frequency: String,
    pub runs_per_day: Option<i64>,
    /// Days kept; `None` = kept until deleted by hand.
    pub retention_days: Option<i64>,
    pub cold_storage_after_days: Option<i64>,
    /// Copies made by the rule: `account region, N days`.
    pub copies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimFact {
    pub id: String,
    /// The sentence, verbatim.
    pub quote: String,
    pub source: String,
    /// As in the reports: `supported`, `contradicted`, `incomplete`, `attested`,
    /// `manual-evidence-required`, `not-evaluated`; from the findings in scope.
    pub status: String,
    pub rules: Vec<String>,
    pub findings: StatusCounts,
    /// For a claim about all data: what the evidence did not cover (why it is not
    /// `supported`). Absent when nothing is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

/// A finding that is not a plain PASS: disclosed with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub rule_id: String,
    pub rule_title: String,
    pub severity: Severity,
    pub status: Status,
    /// The resource ARN, or the scope (`account/region`) of an account-level finding.
    pub subject: String,
    pub account: Option<String>,
    pub region: Option<String>,
    /// Observed against expected, or the gap or error.
    pub summary: String,
    /// For WAIVED: the waiver's reason, approver, ticket and expiry. For GAP: the
    /// failed call.
    pub reason: Option<String>,
    /// How many findings this line stands for when `--redact` merged them (their
    /// identifiers withheld); absent for one finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<usize>,
}

impl Exception {
    /// The number of findings this exception stands for.
    pub fn count(&self) -> usize {
        self.findings.unwrap_or(1)
    }
}

/// The signing key, by its public half.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The raw 32-byte public key, base64.
    pub public_key: String,
    /// `SHA256:` + base64 (no padding) of SHA-256 over the raw public key, as OpenSSH
    /// prints key fingerprints.
    pub fingerprint: String,
}
