//! From an evaluated snapshot to the attestation's facts: counting data stores by region,
//! following every copy (as each type's registry entry lists them, `snapshot::copies`), summarising encryption and retention, and collecting every
//! exception in scope. Nothing here judges; the rules did that, and their findings are
//! quoted (claims, exceptions).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::model::{
    Attestation, ClaimFact, DataCopy, DataStore, EncryptionSummary, Evidence, Exception, FORMAT,
    GapFact, Issuer, KeyFact, RetentionFact, Scope, ScopeAccount, VERSION,
};
use super::scope::{ScopeError, Selectors};
use crate::findings::{AssertionStatus, Finding, Status, count_by_status};
use crate::report::Report;
use crate::report::coverage::Coverage;
use crate::snapshot::copies::{Copy, Form, Judge, Place};
use crate::snapshot::registry::{self, DataStore as DataStoreFacts};
use crate::snapshot::resources::Encryption;
use crate::snapshot::{Attributes, Resource, Snapshot};

const REGION_ALLOWED: &str = "region-allowed";

/// How retention facts for RDS automated backups begin (`RDS automated backups (3
/// instance(s))`), so the summary can tell them from backup-plan rules.
pub const RDS_BACKUPS: &str = "RDS automated backups";

pub use crate::snapshot::copies::KEY_REPLICA;

/// How an exception's reason begins when the finding's waiver has expired (the summary
/// names those waivers beside the rule).
pub const EXPIRED_WAIVER: &str = "waiver EXPIRED on ";

/// Findings statuses an attestation discloses.
const DISCLOSED: [Status; 5] = [
    Status::Fail,
    Status::Gap,
    Status::Error,
    Status::Unknown,
    Status::Waived,
];

/// What `assay attest` was asked for, beside the evidence.
pub struct Request<'a> {
    pub selectors: &'a Selectors,
    pub customer: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub snapshot_file: String,
    pub waivers_sha256: Option<String>,
    /// The profile's `attestation:` settings: issuer and validity.
    pub issuing: &'a crate::profile::IssuingSettings,
    /// The identifier kinds to replace by counts (`--redact`), `None` to disclose all.
    pub redact: Option<Vec<String>>,
}

/// Builds the (unsigned) attestation from a snapshot and the report evaluated from it.
pub fn build(
    snapshot: &Snapshot,
    report: &Report,
    request: &Request,
) -> Result<Attestation, ScopeError> {
    let accounts = request.selectors.accounts(snapshot)?;
    let chosen = request.selectors.resources(snapshot)?;
    let resources: Vec<&Resource> = chosen.iter().map(|i| &snapshot.resources[*i]).collect();
    let allowed: Vec<String> = report
        .profile
        .params
        .get("allowed_regions")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| finding_in_scope(f, &chosen, &accounts))
        .collect();

    let residency = Residency::quote(&findings);
    let coverage = Coverage::of(
        snapshot,
        Some(&accounts),
        resources.iter().copied(),
        &crate::report::coverage::data_types(&report.profile.params),
    );
    let keys = key_index(snapshot);
    let key_list = key_facts(&resources, &keys);
    let mut attestation = Attestation {
        format: FORMAT.into(),
        version: VERSION,
        id: String::new(),
        organisation: report.profile.organisation.clone(),
        customer: request.customer.clone(),
        issued_at: request.issued_at,
        observed_at: snapshot.collected_at,
        evidence: Evidence {
            tool: format!("{} {}", report.tool.name, report.tool.version),
            snapshot_file: request.snapshot_file.clone(),
            snapshot_manifest_sha256: snapshot.manifest.digest.clone(),
            snapshot_origin: snapshot.origin.kind.clone(),
            collection: Some(crate::report::collector::Collection::from_snapshot(
                snapshot,
            )),
            rule_pack_sha256: report.rule_pack.digest.clone(),
            profile_sha256: report.profile.sha256.clone(),
            waivers_sha256: request.waivers_sha256.clone(),
            findings: count_by_status(findings.iter().copied()),
        },
        scope: scope(snapshot, &accounts, request.selectors, resources.len()),
        data_stores: data_stores(&resources, &residency),
        copies: copies(
            &resources,
            &regions_by_arn(snapshot),
            &key_list,
            &keys,
            &allowed,
            &residency,
        ),
        encryption: encryption(&resources, &keys),
        keys: key_list,
        retention: retention(&resources),
        claims: claims(report, &findings, &coverage),
        coverage: Some(coverage),
        exceptions: exceptions(&findings, snapshot),
        allowed_regions: allowed,
        signer: None,
        issuer: None,
        valid_until: None,
        next_issue: None,
        redaction: None,
    };
    issuing(
        &mut attestation,
        request.issuing,
        &report.profile.organisation,
    );
    attestation.id = identity(&attestation);
    if let Some(kinds) = &request.redact {
        super::redact::redact(&mut attestation, kinds, snapshot);
    }
    Ok(attestation)
}

/// The issuer and validity from the profile's `attestation:` settings, counted from the
/// issue time.
fn issuing(a: &mut Attestation, settings: &crate::profile::IssuingSettings, organisation: &str) {
    a.issuer = settings.signer.as_ref().map(|s| Issuer {
        name: s.name.clone(),
        role: s.role.clone(),
        organisation: s
            .organisation
            .clone()
            .unwrap_or_else(|| organisation.to_string()),
    });
    let after =
        |days: Option<u32>| days.map(|d| a.issued_at + chrono::Duration::days(i64::from(d)));
    a.valid_until = after(settings.valid_for_days);
    a.next_issue = after(settings.next_issue_after_days);
}

/// The attestation id: the first 16 hex digits of SHA-256 over the evidence hashes,
/// scope, customer and issue time.
fn identity(a: &Attestation) -> String {
    let text = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        a.evidence.snapshot_manifest_sha256,
        a.evidence.rule_pack_sha256,
        a.evidence.profile_sha256,
        a.scope.selectors.join(","),
        a.customer.as_deref().unwrap_or(""),
        a.issued_at.to_rfc3339()
    );
    crate::snapshot::sha256_hex(text.as_bytes())[..16].to_string()
}

/// A finding is in scope when its resource is, or (account- or region-wide findings)
/// when its account is. Manual findings (scope `organisation`: a person's attestation
/// about how the organisation works, e.g. "SSH key only") hold for every account and
/// resource, so they are always in scope, as the evidence pack counts them.
fn finding_in_scope(f: &Finding, chosen: &BTreeSet<usize>, accounts: &[String]) -> bool {
    match (&f.resource, &f.scope) {
        (Some(r), _) => r
            .pointer
            .strip_prefix("/resources/")
            .and_then(|i| i.parse::<usize>().ok())
            .is_some_and(|i| chosen.contains(&i)),
        (None, Some(scope)) => {
            let account = scope.split('/').next().unwrap_or(scope);
            account == "all"
                || account == crate::evaluate::ORGANISATION_SCOPE
                || accounts.iter().any(|a| a == account)
        }
        (None, None) => true,
    }
}

fn scope(snapshot: &Snapshot, accounts: &[String], selectors: &Selectors, n: usize) -> Scope {
    Scope {
        selectors: selectors.describe(),
        accounts: snapshot
            .accounts
            .iter()
            .filter(|a| accounts.contains(&a.account_id))
            .map(|a| ScopeAccount {
                account_id: a.account_id.clone(),
                regions_read: a.regions_read.clone(),
                regions_not_read: a
                    .regions_not_read
                    .iter()
                    .map(|r| format!("{}: {}", r.region, r.reason))
                    .collect(),
            })
            .collect(),
        resources: n,
        gaps: snapshot
            .gaps
            .iter()
            .filter(|g| accounts.contains(&g.account))
            .map(|g| GapFact {
                account: g.account.clone(),
                region: g.region.clone(),
                operation: g.operation.clone(),
                error_code: g.error_code.clone(),
                message: g.message.clone(),
                resource_types: g.resource_types.clone(),
            })
            .collect(),
    }
}

/// The residency findings' verdicts, by (rule, resource ARN, assertion): `true` when the
/// assertion passed, `false` when it failed (waived or not: a waiver accepts the failure,
/// it does not move the data). A verdict that is missing (the rule did not run, or its
/// finding is a GAP, ERROR or UNKNOWN) is no verdict: the attestation says nothing it
/// was not told.
struct Residency<'a> {
    verdicts: BTreeMap<(&'a str, &'a str, &'a str), bool>,
}

impl<'a> Residency<'a> {
    fn quote(findings: &[&'a Finding]) -> Residency<'a> {
        let mut verdicts = BTreeMap::new();
        for f in findings {
            let Some(resource) = &f.resource else {
                continue;
            };
            for a in &f.assertions {
                let verdict = match a.status {
                    AssertionStatus::Pass => true,
                    AssertionStatus::Fail => false,
                    _ => continue,
                };
                verdicts.insert(
                    (f.rule_id.as_str(), resource.arn.as_str(), a.name.as_str()),
                    verdict,
                );
            }
        }
        Residency { verdicts }
    }

    fn verdict(&self, (rule, assertion): (&str, &str), arn: &str) -> Option<bool> {
        self.verdicts.get(&(rule, arn, assertion)).copied()
    }

    /// Whether a data store is in an allowed region, as its residency rule found.
    fn data_store(&self, r: &Resource) -> Option<bool> {
        let rule = crate::snapshot::type_info(r.type_name())?
            .data_store?
            .region_rule;
        self.verdict((rule, REGION_ALLOWED), &r.arn)
    }

    /// Whether one copy of a resource stays in the allowed regions: the verdict of the
    /// rule on the resource it is copied from. A resource that failed may have copies
    /// both in and out; the failing ones are those whose destination region is not in
    /// the list, the comparison the rule made (`region in params.allowed_regions`). A
    /// copy whose destination region is not known has no verdict.
    fn copy(
        &self,
        rule: (&str, &str),
        arn: &str,
        region: Option<&str>,
        allowed: &[String],
    ) -> Option<bool> {
        let region = region?;
        match self.verdict(rule, arn)? {
            true => Some(true),
            false => Some(allowed.iter().any(|a| a == region)),
        }
    }
}

fn data_stores(resources: &[&Resource], residency: &Residency) -> Vec<DataStore> {
    registry::data_stores()
        .filter_map(|(type_name, DataStoreFacts { label, .. })| {
            let of_type: Vec<&&Resource> = resources
                .iter()
                .filter(|r| r.type_name() == type_name)
                .collect();
            if of_type.is_empty() {
                return None;
            }
            let mut regions = BTreeMap::new();
            for r in &of_type {
                *regions.entry(r.region.clone()).or_insert(0) += 1;
            }
            Some(DataStore {
                resource_type: type_name.to_string(),
                label: label.to_string(),
                count: of_type.len(),
                outside_allowed_regions: of_type
                    .iter()
                    .filter(|r| residency.data_store(r) == Some(false))
                    .count(),
                regions,
            })
        })
        .collect()
}

/// KMS keys of the snapshot by ARN (and by `account/key-id`, which some APIs return).
fn key_index(snapshot: &Snapshot) -> BTreeMap<String, &Resource> {
    let mut keys = BTreeMap::new();
    for r in &snapshot.resources {
        if let Attributes::KmsKey(k) = &r.attributes {
            keys.insert(r.arn.clone(), r);
            keys.insert(format!("{}/{}", r.account, k.key_id), r);
        }
    }
    keys
}

/// The encryption attribute of a data store, and whether it was read.
fn encryption_of(r: &Resource) -> Option<(Option<&Encryption>, bool)> {
    let enc = r.attributes.encryption()?.as_ref();
    let read = !r.unread.iter().any(|u| u.group == "encryption")
        && !r.unknown.iter().any(|u| u.group == "encryption");
    Some((enc, read))
}

fn encryption(
    resources: &[&Resource],
    keys: &BTreeMap<String, &Resource>,
) -> Vec<EncryptionSummary> {
    let mut out: Vec<EncryptionSummary> = Vec::new();
    for (type_name, DataStoreFacts { label, .. }) in registry::data_stores() {
        let mut s = EncryptionSummary {
            resource_type: type_name.into(),
            label: (*label).into(),
            total: 0,
            kms_customer_managed: 0,
            kms_aws_managed: 0,
            kms_key_not_in_snapshot: 0,
            other_encryption: 0,
            unencrypted: 0,
            not_read: 0,
        };
        for r in resources.iter().filter(|r| r.type_name() == type_name) {
            let Some((enc, read)) = encryption_of(r) else {
                continue;
            };
            s.total += 1;
            match enc {
                _ if !read => s.not_read += 1,
                Some(e) if e.enabled => match e.kms_key_arn.as_deref() {
                    Some(arn) => match keys.get(arn) {
                        Some(key) => match &key.attributes {
                            Attributes::KmsKey(k) if k.key_manager == "AWS" => {
                                s.kms_aws_managed += 1
                            }
                            _ => s.kms_customer_managed += 1,
                        },
                        None => s.kms_key_not_in_snapshot += 1,
                    },
                    None => s.other_encryption += 1,
                },
                _ => s.unencrypted += 1,
            }
        }
        if s.total > 0 {
            out.push(s);
        }
    }
    out
}

fn key_facts(resources: &[&Resource], keys: &BTreeMap<String, &Resource>) -> Vec<KeyFact> {
    let mut protects: BTreeMap<String, usize> = BTreeMap::new();
    for r in resources {
        if let Some((Some(e), true)) = encryption_of(r)
            && let Some(arn) = &e.kms_key_arn
            && let Some(key) = keys.get(arn.as_str())
        {
            *protects.entry(key.arn.clone()).or_default() += 1;
        }
    }
    protects
        .into_iter()
        .filter_map(|(arn, n)| {
            let key = keys.get(&arn)?;
            let Attributes::KmsKey(k) = &key.attributes else {
                return None;
            };
            Some(KeyFact {
                arn,
                region: key.region.clone(),
                manager: k.key_manager.clone(),
                rotation_enabled: k.rotation_enabled,
                multi_region: k.multi_region,
                replica_regions: k.replica_regions.clone(),
                protects: n,
            })
        })
        .collect()
}

/// Every resource's region in the whole snapshot, by ARN: a copy whose destination the
/// source does not locate (an S3 replication destination in another scanned account) is
/// located by the destination's own read, as residency.s3-replication-destinations does
/// with `related`.
fn regions_by_arn(snapshot: &Snapshot) -> BTreeMap<&str, &str> {
    snapshot
        .resources
        .iter()
        .map(|r| (r.arn.as_str(), r.region.as_str()))
        .collect()
}

/// Every copy of the data in scope, from each resource's registry lister
/// (`Attributes::copies`): copies one line each, grants to other accounts counted per
/// destination and region, copies held here counted per origin and place. KMS key
/// replicas are listed for the keys that protect a data store in scope (`keys`), whatever
/// their account: the key, not the data, is copied, but without it the data cannot be read.
fn copies(
    resources: &[&Resource],
    regions: &BTreeMap<&str, &str>,
    keys: &[KeyFact],
    key_index: &BTreeMap<String, &Resource>,
    allowed: &[String],
    residency: &Residency,
) -> Vec<DataCopy> {
    let key_resources = keys.iter().filter_map(|k| key_index.get(&k.arn).copied());
    let sources = resources
        .iter()
        .copied()
        .filter(|r| !matches!(r.attributes, Attributes::KmsKey(_)))
        .chain(key_resources);
    let mut listed = Listed::default();
    for r in sources {
        for c in r.attributes.copies() {
            listed.add(r, c, regions, allowed, residency);
        }
    }
    listed.into_copies()
}

/// The copies listed so far: one line each, and the counted ones by group.
#[derive(Default)]
struct Listed {
    lines: Vec<DataCopy>,
    /// (kind, origin, account, region, destination, noun) → (count, verdict): a group's
    /// verdict is "outside" if any of its copies is, "inside" only if all are.
    held: BTreeMap<HeldKey, (usize, Option<bool>, bool)>,
    /// (kind, destination, source region, noun) → count.
    shared: BTreeMap<SharedKey, (usize, Option<String>)>,
}

type HeldKey = (&'static str, String, String, String, String, &'static str);
type SharedKey = (&'static str, String, String, &'static str);

impl Listed {
    fn add(
        &mut self,
        r: &Resource,
        c: Copy,
        regions: &BTreeMap<&str, &str>,
        allowed: &[String],
        residency: &Residency,
    ) {
        let region = match &c.region {
            Place::Source => Some(r.region.clone()),
            Place::At(region) => Some(region.clone()),
            Place::Unknown => regions.get(c.destination.as_str()).map(|r| r.to_string()),
        };
        let verdict = match c.judged_by {
            Judge::Assertion { rule, assertion } => {
                residency.copy((rule, assertion), &r.arn, region.as_deref(), allowed)
            }
            // The copy is the resource: its own region rule's verdict, if it had one.
            Judge::OwnRegion => residency.data_store(r),
            Judge::Nothing => None,
        };
        match c.form {
            Form::Copy => self.lines.push(DataCopy {
                kind: c.kind.into(),
                source: match &c.via {
                    Some(via) => format!("{} / {via}", r.name),
                    None => r.arn.clone(),
                },
                destination: c.destination,
                destination_account: c.account.or_else(|| Some(r.account.clone())),
                destination_region: region,
                retention_days: c.retention_days,
                within_allowed_regions: verdict,
            }),
            Form::Shared { noun } => {
                let (n, _) = self
                    .shared
                    .entry((c.kind, c.destination, r.region.clone(), noun))
                    .or_insert((0, c.account));
                *n += 1;
            }
            Form::Held { from, noun } => {
                let key = (
                    c.kind,
                    from,
                    c.account.unwrap_or_else(|| r.account.clone()),
                    region.unwrap_or_default(),
                    c.destination,
                    noun,
                );
                let (n, failed, all_passed) = self.held.entry(key).or_insert((0, None, true));
                *n += 1;
                if verdict == Some(false) {
                    *failed = Some(false);
                }
                *all_passed &= verdict == Some(true);
            }
        }
    }

    /// The copies, in order: those listed one by one (in the order of their sources),
    /// those held here, those shared, and the key replicas last.
    fn into_copies(self) -> Vec<DataCopy> {
        let (keys, mut out): (Vec<DataCopy>, Vec<DataCopy>) =
            self.lines.into_iter().partition(|c| c.kind == KEY_REPLICA);
        for ((kind, from, account, region, destination, noun), (n, failed, all_passed)) in self.held
        {
            out.push(DataCopy {
                kind: kind.into(),
                source: format!("{n} {noun} copied from {from}"),
                destination,
                destination_account: Some(account),
                within_allowed_regions: failed.or(all_passed.then_some(true)),
                destination_region: (!region.is_empty()).then_some(region),
                retention_days: None,
            });
        }
        for ((kind, to, region, noun), (n, account)) in self.shared {
            out.push(DataCopy {
                kind: kind.into(),
                source: format!("{n} {noun} in {region}"),
                destination: if to == "all" {
                    "everyone (public)".into()
                } else if account.is_some() {
                    format!("account {to}")
                } else {
                    to
                },
                destination_account: account,
                destination_region: None,
                retention_days: None,
                within_allowed_regions: None,
            });
        }
        out.extend(keys);
        out
    }
}

fn retention(resources: &[&Resource]) -> Vec<RetentionFact> {
    let mut out = Vec::new();
    let mut rds: BTreeMap<(String, String, i64), usize> = BTreeMap::new();
    for r in resources {
        match &r.attributes {
            Attributes::BackupPlan(p) => {
                for rule in &p.rules {
                    out.push(RetentionFact {
                        source: format!("backup plan {} / rule {}", r.name, rule.name),
                        account: r.account.clone(),
                        region: r.region.clone(),
                        frequency: rule.frequency.clone(),
                        runs_per_day: (rule.runs_per_day > 0).then_some(rule.runs_per_day),
                        retention_days: rule.delete_after_days,
                        cold_storage_after_days: rule.cold_storage_after_days,
                        copies: rule
                            .copy_actions
                            .iter()
                            .map(|c| {
                                let days = c
                                    .delete_after_days
                                    .map_or("kept until deleted".to_string(), |d| {
                                        format!("{d} days")
                                    });
                                format!(
                                    "{} {}, {days}",
                                    c.destination_account, c.destination_region
                                )
                            })
                            .collect(),
                    });
                }
            }
            Attributes::RdsInstance(db) => {
                *rds.entry((
                    r.account.clone(),
                    r.region.clone(),
                    db.backup_retention_days,
                ))
                .or_default() += 1;
            }
            _ => {}
        }
    }
    for ((account, region, days), n) in rds {
        out.push(RetentionFact {
            source: format!("{RDS_BACKUPS} ({n} instance(s))"),
            account,
            region,
            frequency: "continuous".into(),
            runs_per_day: None,
            retention_days: Some(days),
            cold_storage_after_days: None,
            copies: Vec::new(),
        });
    }
    out
}

fn claims(report: &Report, findings: &[&Finding], coverage: &Coverage) -> Vec<ClaimFact> {
    crate::report::claim_statuses(
        &report
            .claims
            .iter()
            .map(|c| c.claim.clone())
            .collect::<Vec<_>>(),
        findings,
        &report.attestations,
        coverage,
    )
    .into_iter()
    .map(|c| ClaimFact {
        id: c.claim.id,
        quote: c.claim.quote,
        source: c.claim.source,
        status: c.status,
        rules: c.claim.rules,
        findings: c.summary,
        missing: c.missing,
    })
    .collect()
}

fn exceptions(findings: &[&Finding], snapshot: &Snapshot) -> Vec<Exception> {
    let mut out: Vec<Exception> = findings
        .iter()
        .filter(|f| DISCLOSED.contains(&f.status))
        .map(|f| {
            let reason = match (&f.waiver, f.status) {
                (Some(w), Status::Waived) => Some(format!(
                    "waived: {} (approved by {}, {}, until {})",
                    w.reason, w.approved_by, w.ticket, w.expires
                )),
                // An expired waiver no longer waives, and is named beside the finding so
                // that the reader sees the exception was accepted once and has lapsed.
                (Some(w), _) if w.expired => Some(format!(
                    "{EXPIRED_WAIVER}{} ({}, approved by {}: {})",
                    w.expires, w.ticket, w.approved_by, w.reason
                )),
                (_, Status::Gap) => {
                    let calls: Vec<String> = snapshot
                        .gaps
                        .iter()
                        .filter(|g| f.gaps.contains(&g.id))
                        .map(|g| {
                            format!(
                                "{} in {}/{} failed: {}",
                                g.operation, g.account, g.region, g.error_code
                            )
                        })
                        .collect();
                    (!calls.is_empty()).then(|| format!("not read: {}", calls.join("; ")))
                }
                _ => None,
            };
            Exception {
                rule_id: f.rule_id.clone(),
                rule_title: f.rule_title.clone(),
                severity: f.severity,
                status: f.status,
                subject: f
                    .resource
                    .as_ref()
                    .map(|r| r.arn.clone())
                    .or_else(|| f.scope.clone())
                    .unwrap_or_else(|| "all".into()),
                account: f.resource.as_ref().map(|r| r.account.clone()),
                region: f.resource.as_ref().map(|r| r.region.clone()),
                summary: f.summary.clone(),
                reason,
                findings: None,
            }
        })
        .collect();
    // Most severe first; then by status, rule and subject for a stable order.
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.status.cmp(&b.status))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    out
}
