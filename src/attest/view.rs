//! What the attestation templates see: the signed facts formatted for people (times,
//! counts, region lists), plus the signature. Both the HTML and the PDF template read this
//! one view, so the two documents say the same thing.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Serialize;

use super::model::{Attestation, GapFact};
use super::summary::{
    self, CopyDestination, CopyKind, KeySummary, RetentionClass, RuleExceptions, ServiceStores,
    allowed_text, rotation_text,
};
use crate::findings::Status;

#[derive(Debug, Serialize)]
pub struct View {
    pub id: String,
    pub organisation: String,
    pub customer: Option<String>,
    pub issued_at: String,
    pub issued_at_iso: String,
    pub observed_at: String,
    pub observed_at_iso: String,
    pub tool: String,
    pub snapshot_file: String,
    pub snapshot_digest: String,
    pub snapshot_origin: String,
    /// The collecting principal and tool, or "not recorded" for older attestations.
    pub collected_by: String,
    /// Where the calls went (`crate::report::collector`).
    pub endpoint: String,
    /// The endpoint is not AWS's own: stated in red.
    pub endpoint_not_aws: bool,
    /// The endpoint override, if the scan used one.
    pub endpoint_url: Option<String>,
    pub rule_pack_digest: String,
    pub profile_digest: String,
    /// `everything in the snapshot`, or the selectors joined.
    pub selectors: String,
    pub accounts: Vec<AccountRow>,
    pub account_count: usize,
    pub resources: usize,
    pub allowed_regions: String,
    /// Every data-store type (annex); the body shows `store_services`.
    pub stores: Vec<StoreRow>,
    pub store_services: Vec<ServiceStores>,
    pub store_count: usize,
    pub stores_outside: usize,
    /// Every copy (annex); the body shows `copy_destinations`.
    pub copies: Vec<CopyRow>,
    pub copy_destinations: Vec<CopyDestination>,
    /// The copies per kind (the PDF's body, which has less room than the HTML's).
    pub copy_kinds: Vec<CopyKind>,
    pub copies_outside: usize,
    pub encryption: Vec<EncryptionRow>,
    /// Every key (annex); the body shows `key_summary`.
    pub keys: Vec<KeyRow>,
    pub key_summary: KeySummary,
    /// Every backup rule (annex); the body shows `retention_classes`.
    pub retention: Vec<RetentionRow>,
    pub retention_classes: Vec<RetentionClass>,
    pub claims: Vec<ClaimRow>,
    /// What the evidence in scope covered (`report::coverage`); absent in attestations
    /// issued before it existed.
    pub coverage: Option<crate::report::coverage::CoverageView>,
    pub findings: String,
    pub exception_count: usize,
    /// The exceptions per rule: the body shows the first rules, the annex each exception.
    pub exception_rules: Vec<RuleExceptions>,
    /// How many of `exception_rules` the body gives a row (`in_body`): the most severe
    /// [`BODY_EXCEPTION_RULES_MAX`], and any whose waiver expired.
    pub exception_rules_in_body: usize,
    /// The rules beyond those, in words (`22 more rule(s) with 40 finding(s): 38 FAIL,
    /// 2 GAP`); empty when the body has a row for every rule.
    pub exception_rules_more: String,
    pub gaps: Vec<GapRow>,
    /// The failed API calls in one line: `call in account region (error)`, `; `-joined.
    pub gaps_summary: String,
    /// `name, role, organisation` of the issuer (profile), empty when not stated.
    pub issuer: String,
    /// `2027-03-04 00:00 UTC`, empty when the profile sets no validity.
    pub valid_until: String,
    /// When the next attestation is due, empty when the profile does not say.
    pub next_issue: String,
    /// What `--redact` replaced, in words (`5 security groups, 2 IAM users`); empty when
    /// nothing was redacted.
    pub redacted: String,
    /// Snapshots shared outside their account (with everyone, or another account): each
    /// an exception, whatever the region.
    pub sharing: Vec<SharingRow>,
    /// The OpenSSL 3 commands that check the signature without assay, in order, run in
    /// the directory holding `attestation.json`, `attestation.sig` and the vendor's public
    /// key saved as `vendor.pub` (the test runs them on the sample).
    pub openssl_steps: Vec<String>,
    pub signed: bool,
    pub signature: String,
    pub fingerprint: String,
    pub public_key: String,
    /// The signed document, base64, for embedding (HTML `<meta>`).
    pub embedded_attestation: String,
}

#[derive(Debug, Serialize)]
pub struct SharingRow {
    /// `EBS snapshot shared`.
    pub kind: String,
    /// `1 snapshot(s) in us-east-1`.
    pub what: String,
    /// `everyone (public)`, `account 444455556666`.
    pub with: String,
    /// `PUBLIC` or `other account`.
    pub sharing: String,
}

/// The OpenSSL route for the signature (see `View::openssl_steps`): the signed bytes are
/// the canonical JSON without `attestation.json`'s final newline (RFC 8785 output holds no
/// other line break), the signature is base64, and the key fingerprint is SHA-256 over
/// the raw 32-byte public key, the last 32 bytes of its DER form. No step holds a `|`
/// (the PDF markup's cell separator).
pub const OPENSSL_STEPS: [&str; 7] = [
    "tr -d '\\n' < attestation.json > attestation.signed",
    "openssl base64 -d -A -in attestation.sig -out attestation.sig.bin",
    "openssl pkeyutl -verify -pubin -inkey vendor.pub -rawin -in attestation.signed -sigfile attestation.sig.bin",
    "openssl pkey -pubin -in vendor.pub -outform DER -out vendor.der",
    "tail -c 32 vendor.der > vendor.raw",
    "openssl dgst -sha256 -binary -out vendor.sha256 vendor.raw",
    "openssl base64 -A -in vendor.sha256",
];

#[derive(Debug, Serialize)]
pub struct AccountRow {
    pub id: String,
    pub regions_read: String,
    pub regions_not_read: String,
}

#[derive(Debug, Serialize)]
pub struct StoreRow {
    pub label: String,
    pub count: usize,
    pub regions: String,
    pub outside: usize,
    /// How they are encrypted, in words (the numbers are in `View::encryption`).
    pub encryption: String,
}

#[derive(Debug, Serialize)]
pub struct CopyRow {
    pub kind: String,
    pub source: String,
    pub destination: String,
    pub location: String,
    pub retention: String,
    /// `yes`, `NO` or `n/a`.
    pub allowed: String,
    /// `PUBLIC`, `other account` or empty (`summary::sharing`).
    pub sharing: String,
}

#[derive(Debug, Serialize)]
pub struct EncryptionRow {
    pub label: String,
    pub total: usize,
    pub customer_managed: usize,
    pub aws_managed: usize,
    pub other_key: usize,
    pub other: usize,
    pub unencrypted: usize,
    pub not_read: usize,
}

#[derive(Debug, Serialize)]
pub struct KeyRow {
    pub arn: String,
    pub region: String,
    pub manager: String,
    pub rotation: String,
    pub replicas: String,
    pub protects: usize,
}

#[derive(Debug, Serialize)]
pub struct RetentionRow {
    pub source: String,
    pub location: String,
    pub frequency: String,
    pub retention: String,
    pub cold_storage: String,
    pub copies: String,
}

#[derive(Debug, Serialize)]
pub struct ClaimRow {
    pub quote: String,
    pub source: String,
    pub status: String,
    /// The status, short (it shares a row with the quote): `observed, none failed`,
    /// `contradicted: N failed`, …
    pub status_text: String,
}

#[derive(Debug, Serialize)]
pub struct GapRow {
    pub location: String,
    pub operation: String,
    pub error: String,
    pub unread: String,
}

/// The most rules the body's table of exceptions gives a row, most severe first. The body
/// must fit on three pages whatever the rule pack and the account hold, and the rows grow
/// with the rules (each new rule that finds something adds one); the rules past this many
/// are counted in one line under the table, and Annex A lists every finding of every rule.
/// A rule whose waiver expired keeps its row wherever it ranks: an approval that lapsed is
/// what a reader of the body must not miss. Five since the data stores of issue 15 grew the
/// body (the data stores are now one row per service and the copies one row per kind, so
/// new types no longer add rows).
pub const BODY_EXCEPTION_RULES_MAX: usize = 5;

fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn days(d: Option<i64>) -> String {
    d.map_or("until deleted".to_string(), |d| format!("{d} days"))
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "—".into() } else { s }
}

impl View {
    /// The view of `attestation`; `signed` is its canonical JSON, `signature` the base64
    /// signature over it (when signed).
    pub fn new(attestation: &Attestation, signed: &str, signature: Option<&str>) -> View {
        let a = attestation;
        let stores = store_rows(a);
        let copies = copy_rows(a);
        let mut exception_rules = summary::exceptions_by_rule(&a.exceptions);
        for (rank, rule) in exception_rules.iter_mut().enumerate() {
            rule.in_body = rank < BODY_EXCEPTION_RULES_MAX || !rule.expired_waivers.is_empty();
        }
        View {
            id: a.id.clone(),
            organisation: a.organisation.clone(),
            customer: a.customer.clone(),
            issued_at: time(&a.issued_at),
            issued_at_iso: a
                .issued_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            observed_at: time(&a.observed_at),
            observed_at_iso: a
                .observed_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            tool: a.evidence.tool.clone(),
            snapshot_file: a.evidence.snapshot_file.clone(),
            snapshot_digest: a.evidence.snapshot_manifest_sha256.clone(),
            snapshot_origin: a.evidence.snapshot_origin.clone(),
            collected_by: collected_by(a),
            endpoint: a.evidence.collection.as_ref().map_or_else(
                || "not recorded in this attestation".into(),
                |c| c.endpoint_text(),
            ),
            endpoint_not_aws: a.evidence.collection.as_ref().is_some_and(|c| c.not_aws()),
            endpoint_url: a
                .evidence
                .collection
                .as_ref()
                .and_then(|c| c.endpoint_url.clone()),
            rule_pack_digest: a.evidence.rule_pack_sha256.clone(),
            profile_digest: a.evidence.profile_sha256.clone(),
            selectors: if a.scope.selectors.is_empty() {
                "everything in the snapshot".into()
            } else {
                a.scope.selectors.join("; ")
            },
            account_count: a.scope.accounts.len(),
            accounts: account_rows(a),
            resources: a.scope.resources,
            allowed_regions: if a.allowed_regions.is_empty() {
                "not set in the profile".into()
            } else {
                a.allowed_regions.join(", ")
            },
            store_count: a.data_stores.iter().map(|s| s.count).sum(),
            stores_outside: a
                .data_stores
                .iter()
                .map(|s| s.outside_allowed_regions)
                .sum(),
            stores,
            store_services: summary::stores_by_service(&a.data_stores, &a.encryption),
            copies_outside: a
                .copies
                .iter()
                .filter(|c| c.within_allowed_regions == Some(false))
                .count(),
            copies,
            copy_destinations: summary::copies_by_destination(&a.copies),
            copy_kinds: summary::copies_by_kind(&a.copies),
            encryption: encryption_rows(a),
            keys: key_rows(a),
            key_summary: summary::keys(&a.keys, &a.allowed_regions),
            retention_classes: summary::retention_by_class(&a.retention),
            retention: retention_rows(a),
            claims: claim_rows(a),
            coverage: a.coverage.as_ref().map(|c| c.view()),
            findings: a
                .evidence
                .findings
                .iter()
                .map(|(s, n)| format!("{} {n}", s.as_str()))
                .collect::<Vec<_>>()
                .join(" · "),
            exception_count: a.exceptions.iter().map(|e| e.count()).sum(),
            exception_rules_in_body: exception_rules.iter().filter(|r| r.in_body).count(),
            exception_rules_more: rules_beyond_body(&exception_rules),
            exception_rules,
            gaps: gap_rows(a),
            gaps_summary: gaps_summary(&a.scope.gaps),
            issuer: a
                .issuer
                .as_ref()
                .map(|i| format!("{}, {}, {}", i.name, i.role, i.organisation))
                .unwrap_or_default(),
            valid_until: a.valid_until.as_ref().map(time).unwrap_or_default(),
            next_issue: a.next_issue.as_ref().map(time).unwrap_or_default(),
            redacted: a.redaction.as_ref().map(redacted_text).unwrap_or_default(),
            sharing: sharing_rows(a),
            openssl_steps: OPENSSL_STEPS.iter().map(|s| (*s).to_string()).collect(),
            signed: signature.is_some(),
            signature: signature.unwrap_or_default().to_string(),
            fingerprint: a
                .signer
                .as_ref()
                .map(|s| s.fingerprint.clone())
                .unwrap_or_default(),
            public_key: a
                .signer
                .as_ref()
                .map(|s| s.public_key.clone())
                .unwrap_or_default(),
            embedded_attestation: base64::engine::general_purpose::STANDARD.encode(signed),
        }
    }
}

/// The data stores, one row per kind, with how each kind is encrypted in words.
fn store_rows(a: &Attestation) -> Vec<StoreRow> {
    a.data_stores
        .iter()
        .map(|s| StoreRow {
            label: s.label.clone(),
            count: s.count,
            regions: s
                .regions
                .iter()
                .map(|(r, n)| format!("{r} ({n})"))
                .collect::<Vec<_>>()
                .join(", "),
            outside: s.outside_allowed_regions,
            encryption: a
                .encryption
                .iter()
                .find(|e| e.resource_type == s.resource_type)
                .map_or("—".into(), summary::encryption_text),
        })
        .collect()
}

/// Every copy (the annex's rows).
fn copy_rows(a: &Attestation) -> Vec<CopyRow> {
    a.copies
        .iter()
        .map(|c| CopyRow {
            kind: c.kind.clone(),
            source: c.source.clone(),
            destination: c.destination.clone(),
            location: summary::location(c),
            retention: c.retention_days.map_or("—".into(), |d| format!("{d} days")),
            allowed: allowed_text(c.within_allowed_regions),
            sharing: summary::sharing(c).into(),
        })
        .collect()
}

/// The collecting principal and tool in one line, or that the attestation does not say.
fn collected_by(a: &Attestation) -> String {
    a.evidence.collection.as_ref().map_or_else(
        || "not recorded in this attestation".into(),
        |c| {
            // One line: the body must stay short; the per-account roles are in
            // the signed JSON.
            let roles = match c.account_principals.len() {
                0 => String::new(),
                n => format!(" ({n} account(s) read as an assumed role)"),
            };
            format!(
                "{}{roles} with {}",
                c.principal_arn
                    .as_deref()
                    .unwrap_or("principal not recorded"),
                c.collected_by
            )
        },
    )
}

/// Each account with the regions read and not read.
fn account_rows(a: &Attestation) -> Vec<AccountRow> {
    a.scope
        .accounts
        .iter()
        .map(|acc| AccountRow {
            id: acc.account_id.clone(),
            regions_read: or_dash(acc.regions_read.join(", ")),
            regions_not_read: or_dash(acc.regions_not_read.join("; ")),
        })
        .collect()
}

/// The encryption counts per kind of data store.
fn encryption_rows(a: &Attestation) -> Vec<EncryptionRow> {
    a.encryption
        .iter()
        .map(|e| EncryptionRow {
            label: e.label.clone(),
            total: e.total,
            customer_managed: e.kms_customer_managed,
            aws_managed: e.kms_aws_managed,
            other_key: e.kms_key_not_in_snapshot,
            other: e.other_encryption,
            unencrypted: e.unencrypted,
            not_read: e.not_read,
        })
        .collect()
}

/// Every KMS key (the annex's rows).
fn key_rows(a: &Attestation) -> Vec<KeyRow> {
    a.keys
        .iter()
        .map(|k| KeyRow {
            arn: k.arn.clone(),
            region: k.region.clone(),
            manager: k.manager.to_lowercase(),
            rotation: rotation_text(k.rotation_enabled),
            replicas: or_dash(k.replica_regions.join(", ")),
            protects: k.protects,
        })
        .collect()
}

/// Every backup rule (the annex's rows).
fn retention_rows(a: &Attestation) -> Vec<RetentionRow> {
    a.retention
        .iter()
        .map(|r| RetentionRow {
            source: r.source.clone(),
            location: format!("{} {}", r.account, r.region),
            frequency: match r.runs_per_day {
                Some(n) if n > 1 => format!("{} ({n}× a day)", r.frequency),
                _ => r.frequency.clone(),
            },
            retention: days(r.retention_days),
            cold_storage: r
                .cold_storage_after_days
                .map_or("—".into(), |d| format!("after {d} days")),
            copies: or_dash(r.copies.join("; ")),
        })
        .collect()
}

/// The vendor's claims with their status in words.
fn claim_rows(a: &Attestation) -> Vec<ClaimRow> {
    a.claims
        .iter()
        .map(|c| {
            let n = |s: Status| c.findings.get(&s).copied().unwrap_or(0);
            let status_text = match c.status.as_str() {
                "supported" => "observed, none failed".to_string(),
                "contradicted" => format!("contradicted: {} failed", n(Status::Fail)),
                "incomplete" => incomplete_text(
                    n(Status::Gap) + n(Status::Error) + n(Status::Unknown),
                    c.missing.is_some(),
                    a.coverage.as_ref(),
                ),
                "attested" => "attested by a person".into(),
                "manual-evidence-required" => "manual evidence required".into(),
                _ => "not checked by any rule".into(),
            };
            ClaimRow {
                quote: c.quote.split_whitespace().collect::<Vec<_>>().join(" "),
                source: c.source.clone(),
                status: c.status.clone(),
                status_text,
            }
        })
        .collect()
}

/// Every failed API call (the annex's rows).
fn gap_rows(a: &Attestation) -> Vec<GapRow> {
    a.scope
        .gaps
        .iter()
        .map(|g| GapRow {
            location: format!("{} {}", g.account, g.region),
            operation: g.operation.clone(),
            error: format!("{}: {}", g.error_code, g.message),
            unread: or_dash(g.resource_types.join(", ")),
        })
        .collect()
}

/// The copies shared outside their account.
fn sharing_rows(a: &Attestation) -> Vec<SharingRow> {
    a.copies
        .iter()
        .filter(|c| !summary::sharing(c).is_empty())
        .map(|c| SharingRow {
            kind: c.kind.clone(),
            what: c.source.clone(),
            with: c.destination.clone(),
            sharing: summary::sharing(c).into(),
        })
        .collect()
}

/// The rules the body has no row for, counted in one line: how many, their findings, and
/// those by status; empty when there are none.
fn rules_beyond_body(rules: &[RuleExceptions]) -> String {
    let rest: Vec<&RuleExceptions> = rules.iter().filter(|r| !r.in_body).collect();
    if rest.is_empty() {
        return String::new();
    }
    let mut counts = BTreeMap::new();
    for rule in &rest {
        for (status, n) in &rule.by_status {
            *counts.entry(*status).or_default() += n;
        }
    }
    format!(
        "{} more rule(s) with {} finding(s): {}",
        rest.len(),
        rest.iter().map(|r| r.count).sum::<usize>(),
        summary::status_counts(&counts)
    )
}

/// The status of a claim not fully observed: how many findings were not evaluated, and,
/// for a claim about all data, where the inventory did not look (listed in full under
/// the scope).
fn incomplete_text(
    not_evaluated: usize,
    missing: bool,
    coverage: Option<&crate::report::coverage::Coverage>,
) -> String {
    let mut text = format!("not fully observed: {not_evaluated} not evaluated");
    if missing {
        match coverage {
            Some(c) if c.inventory_read => text.push_str(&format!(
                "; the data inventory did not look in {} account-region(s)",
                c.not_looked.len()
            )),
            _ => text.push_str("; no data inventory"),
        }
    }
    text
}

/// `5 security group ids, 2 IAM user names` (every kind redacted, with how many were
/// replaced, zero included: a kind asked for and absent is said, not hidden).
fn redacted_text(r: &super::model::Redaction) -> String {
    r.kinds
        .iter()
        .map(|k| {
            let n = r.replaced.get(k).copied().unwrap_or(0);
            let what = crate::profile::issuing::REDACTABLE
                .iter()
                .find(|(kind, _)| kind == k)
                .map_or(k.as_str(), |(_, label)| label);
            format!("{n} {what} identifier(s)")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The failed API calls in one line, calls that failed the same way in several places
/// named once: `s3:GetBucketEncryption in 111122223333 ap-southeast-2 (AccessDenied)`.
fn gaps_summary(gaps: &[GapFact]) -> String {
    let mut calls: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for g in gaps {
        calls
            .entry((g.operation.as_str(), g.error_code.as_str()))
            .or_default()
            .push(format!("{} {}", g.account, g.region));
    }
    calls
        .into_iter()
        .map(|((op, code), places)| format!("{op} in {} ({code})", places.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}
