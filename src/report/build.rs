//! Building the report model from an evaluation: control coverage per framework, claims,
//! the rule catalogue and the manual evidence, all counted from the findings once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::coverage::{Coverage, INVENTORY_RULE};
use super::{
    ClaimStatus, ControlCoverage, FINDINGS_SCHEMA_VERSION, FamilyCoverage, FrameworkCoverage,
    ManualEvidence, ProfileInfo, Report, RuleAssertion, RuleEntry, RulePackInfo, SnapshotInfo,
    ToolVersion,
};
use crate::findings::{Finding, Status, StatusCounts, count_by_status};
use crate::frameworks::Framework;
use crate::profile::applicability::Applicability;
use crate::profile::{Claim, Profile};
use crate::rules::{Rule, RuleKind, RulePack};
use crate::snapshot::Snapshot;
use crate::waivers::WaiverUse;

/// Outcomes that leave a control or claim with open exceptions (never a pass).
const EXCEPTIONS: [Status; 4] = [Status::Fail, Status::Gap, Status::Error, Status::Unknown];

/// Findings counted per rule id; every other count is a sum of these.
type RuleCounts = HashMap<String, StatusCounts>;

fn add(into: &mut StatusCounts, from: &StatusCounts) {
    for (s, n) in from {
        *into.entry(*s).or_default() += n;
    }
}

fn sum<'a>(counts: &RuleCounts, rules: impl IntoIterator<Item = &'a String>) -> StatusCounts {
    let mut total = StatusCounts::new();
    for rule in rules {
        if let Some(c) = counts.get(rule) {
            add(&mut total, c);
        }
    }
    total
}

fn rule_counts<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> RuleCounts {
    let mut counts = RuleCounts::new();
    for f in findings {
        *counts
            .entry(f.rule_id.clone())
            .or_default()
            .entry(f.status)
            .or_default() += 1;
    }
    counts
}

/// The claims' statuses counted from some of the findings only: an attestation's scope.
pub(crate) fn claim_statuses(
    claims: &[Claim],
    findings: &[&Finding],
    manual: &[ManualEvidence],
    coverage: &Coverage,
) -> Vec<ClaimStatus> {
    let counts = rule_counts(findings.iter().copied());
    claims
        .iter()
        .map(|c| claim_status(c, &counts, manual, coverage))
        .collect()
}

impl Report {
    pub fn build(
        findings: Vec<Finding>,
        snapshot: &Snapshot,
        snapshot_path: &str,
        pack: &RulePack,
        profile: &Profile,
        waivers: Vec<WaiverUse>,
        evaluated_at: DateTime<Utc>,
    ) -> Report {
        let selected: Vec<&Rule> = pack
            .rules
            .iter()
            .filter(|r| profile.rules.selects(&r.id))
            .collect();
        let counts = rule_counts(&findings);
        let attestations = manual_evidence(&selected, &findings, profile);
        let covered = Coverage::of(
            snapshot,
            None,
            &snapshot.resources,
            &super::coverage::data_types(&profile.params),
        );
        let frameworks = pack
            .frameworks
            .iter()
            .filter(|f| profile.frameworks.contains(&f.id))
            .map(|f| {
                coverage(
                    f,
                    &selected,
                    &counts,
                    &attestations,
                    profile.applicability.get(&f.id),
                )
            })
            .collect();
        Report {
            schema_version: FINDINGS_SCHEMA_VERSION,
            tool: ToolVersion {
                name: "assay".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            evaluated_at,
            snapshot: SnapshotInfo {
                path: snapshot_path.to_string(),
                manifest_digest: snapshot.manifest.digest.clone(),
                collected_at: snapshot.collected_at,
                origin: snapshot.origin.kind.clone(),
                accounts: snapshot.accounts.clone(),
                resources: snapshot.resources.len(),
                collection: Some(super::collector::Collection::from_snapshot(snapshot)),
                coverage: Some(covered.clone()),
            },
            rule_pack: RulePackInfo {
                path: pack.root.display().to_string(),
                digest: pack.digest.clone(),
                rules: selected.len(),
            },
            profile: ProfileInfo {
                organisation: profile.organisation.clone(),
                sha256: profile.sha256.clone(),
                frameworks: profile.frameworks.clone(),
                params: profile.params.clone(),
            },
            inputs: None,
            summary: count_by_status(&findings),
            frameworks,
            claims: profile
                .claims
                .iter()
                .map(|c| claim_status(c, &counts, &attestations, &covered))
                .collect(),
            rule_catalogue: selected
                .iter()
                .map(|r| RuleEntry {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    severity: r.severity,
                    kind: r.kind,
                    resource_types: r.resource_types.clone(),
                    what: r.doc.what.trim().to_string(),
                    sha256: r.sha256.clone(),
                    applies_when: r
                        .applies_when
                        .as_ref()
                        .map(|(e, _)| e.source.trim().to_string()),
                    assertions: r
                        .assertions
                        .iter()
                        .map(|a| RuleAssertion {
                            name: a.name.clone(),
                            expression: a.expr.source.trim().to_string(),
                        })
                        .collect(),
                    controls: profile_controls(r, profile),
                    summary: counts.get(&r.id).cloned().unwrap_or_default(),
                })
                .collect(),
            attestations,
            gaps: snapshot.gaps.clone(),
            waivers,
            unmatched_selectors: Vec::new(),
            findings,
        }
    }
}

/// A rule's control mappings restricted to the frameworks the profile names.
fn profile_controls(rule: &Rule, profile: &Profile) -> BTreeMap<String, Vec<String>> {
    rule.controls
        .iter()
        .filter(|(fw, _)| profile.frameworks.contains(fw))
        .map(|(fw, ids)| (fw.clone(), ids.clone()))
        .collect()
}

/// Every control of the catalogue, in catalogue order, with the selected rules mapped to
/// it. Controls without a rule are kept: they need manual evidence.
fn coverage(
    framework: &Framework,
    selected: &[&Rule],
    counts: &RuleCounts,
    manual: &[ManualEvidence],
    declared: Option<&BTreeMap<String, Applicability>>,
) -> FrameworkCoverage {
    let mut automated = 0;
    let families = framework
        .families
        .iter()
        .map(|family| {
            let controls: Vec<ControlCoverage> = framework
                .controls
                .iter()
                .filter(|c| c.family == family.id)
                .map(|c| {
                    let rules: Vec<&Rule> = selected
                        .iter()
                        .copied()
                        .filter(|r| {
                            r.controls
                                .get(&framework.id)
                                .is_some_and(|ids| ids.contains(&c.id))
                        })
                        .collect();
                    let summary = sum(counts, rules.iter().map(|r| &r.id));
                    let has_automated = rules.iter().any(|r| r.kind == RuleKind::Automated);
                    automated += usize::from(has_automated);
                    let (state, manual_evidence) = if has_automated {
                        let open = EXCEPTIONS.iter().any(|s| summary.contains_key(s));
                        (if open { "exceptions" } else { "evidence" }, None)
                    } else {
                        ("manual", Some(manual_state(&rules, manual)))
                    };
                    ControlCoverage {
                        id: c.id.clone(),
                        title: c.title.clone(),
                        rules: rules.iter().map(|r| r.id.clone()).collect(),
                        summary,
                        state: state.into(),
                        manual_evidence: manual_evidence.map(str::to_string),
                        applicability: Some(
                            declared
                                .and_then(|d| d.get(&c.id))
                                .cloned()
                                .unwrap_or_else(Applicability::undeclared),
                        ),
                    }
                })
                .collect();
            // Each rule once: a rule mapped to two controls of one family (A.8.20 and
            // A.8.22) would otherwise count its findings twice in the family's totals.
            let family_rules: BTreeSet<&String> =
                controls.iter().flat_map(|c| c.rules.iter()).collect();
            let summary = sum(counts, family_rules);
            FamilyCoverage {
                id: family.id.clone(),
                title: family.title.clone(),
                summary,
                controls,
            }
        })
        .collect();
    FrameworkCoverage {
        id: framework.id.clone(),
        name: framework.name.clone(),
        families,
        automated_controls: automated,
        manual_controls: framework.controls.len() - automated,
    }
}

/// What a control without automated rules still needs (see `ControlCoverage`).
fn manual_state(rules: &[&Rule], manual: &[ManualEvidence]) -> &'static str {
    let states: Vec<&str> = manual
        .iter()
        .filter(|m| rules.iter().any(|r| r.id == m.rule_id))
        .map(|m| m.status.as_str())
        .collect();
    if states.is_empty() {
        "no-rule"
    } else if states.contains(&"missing") {
        "missing"
    } else if states.contains(&"expired") {
        "expired"
    } else {
        "attested"
    }
}

/// One entry per selected manual rule, from its MANUAL finding's attestation.
fn manual_evidence(
    selected: &[&Rule],
    findings: &[Finding],
    profile: &Profile,
) -> Vec<ManualEvidence> {
    selected
        .iter()
        .filter(|r| r.kind == RuleKind::Manual)
        .map(|r| {
            let attestation = findings
                .iter()
                .find(|f| f.rule_id == r.id && f.status == Status::Manual)
                .and_then(|f| f.attestation.clone());
            let status = match &attestation {
                None => "missing",
                Some(a) if a.expired => "expired",
                Some(_) => "attested",
            };
            ManualEvidence {
                rule_id: r.id.clone(),
                rule_title: r.title.clone(),
                status: status.into(),
                attestation,
                controls: profile_controls(r, profile),
            }
        })
        .collect()
}

/// A claim's status: the first of contradicted, incomplete, attested /
/// manual-evidence-required, supported, not-evaluated that applies. A claim naming the inventory rule
/// speaks for all data: it is `supported` only when the inventory looked in every account
/// and region read; otherwise it is `incomplete`, and `missing` says what was not covered.
fn claim_status(
    claim: &Claim,
    counts: &RuleCounts,
    manual: &[ManualEvidence],
    coverage: &Coverage,
) -> ClaimStatus {
    let summary = sum(counts, &claim.rules);
    let missing = claim
        .rules
        .iter()
        .any(|r| r == INVENTORY_RULE)
        .then(|| coverage.missing())
        .flatten();
    let status = if summary.contains_key(&Status::Fail) {
        "contradicted"
    } else if EXCEPTIONS.iter().any(|s| summary.contains_key(s)) || missing.is_some() {
        "incomplete"
    } else if summary.contains_key(&Status::Manual) {
        let attested = manual
            .iter()
            .filter(|m| claim.rules.contains(&m.rule_id))
            .all(|m| m.status == "attested");
        if attested {
            "attested"
        } else {
            "manual-evidence-required"
        }
    } else if summary.contains_key(&Status::Pass) || summary.contains_key(&Status::Waived) {
        "supported"
    } else {
        "not-evaluated"
    };
    ClaimStatus {
        claim: claim.clone(),
        summary,
        status: status.into(),
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::coverage::NotLooked;

    fn claim(rules: &[&str]) -> Claim {
        Claim {
            id: "all-data".into(),
            quote: "All client data stays in region.".into(),
            source: "statement".into(),
            rules: rules.iter().map(|r| r.to_string()).collect(),
            params: Vec::new(),
        }
    }

    fn coverage(inventory_read: bool, not_looked: &[(&str, &str)]) -> Coverage {
        Coverage {
            judged_in_detail: vec!["S3 buckets".into()],
            inventory_read,
            located_only: Vec::new(),
            not_looked: not_looked
                .iter()
                .map(|(a, r)| NotLooked {
                    account: a.to_string(),
                    region: r.to_string(),
                    reason: "ConfigNotRecording: no recorder".into(),
                })
                .collect(),
        }
    }

    /// Issue 15, item 3: a statement about all data (it names the inventory rule) is
    /// supported only when the inventory looked everywhere read; otherwise it says what is
    /// missing. Other statements do not depend on the inventory.
    #[test]
    fn a_claim_about_all_data_needs_the_inventory_everywhere() {
        let mut counts = RuleCounts::new();
        for rule in [INVENTORY_RULE, "residency.s3-bucket-region"] {
            counts.insert(rule.into(), StatusCounts::from([(Status::Pass, 3)]));
        }
        let all_data = claim(&["residency.s3-bucket-region", INVENTORY_RULE]);
        let everywhere = claim_status(&all_data, &counts, &[], &coverage(true, &[]));
        assert_eq!(
            (everywhere.status.as_str(), everywhere.missing),
            ("supported", None)
        );

        let partly = claim_status(
            &all_data,
            &counts,
            &[],
            &coverage(true, &[("111122223333", "us-east-1")]),
        );
        assert_eq!(partly.status, "incomplete");
        let missing = partly.missing.expect("says what is missing");
        assert!(
            missing.contains("1 account-region(s) (ConfigNotRecording: 1)"),
            "{missing}"
        );

        let none = claim_status(&all_data, &counts, &[], &coverage(false, &[]));
        assert_eq!(none.status, "incomplete");
        assert!(
            none.missing
                .expect("missing")
                .contains("not in this evidence")
        );

        let buckets = claim(&["residency.s3-bucket-region"]);
        let other = claim_status(
            &buckets,
            &counts,
            &[],
            &coverage(true, &[("111122223333", "us-east-1")]),
        );
        assert_eq!((other.status.as_str(), other.missing), ("supported", None));
    }
}
