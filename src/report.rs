//! Reports: one serialisable model built from findings, snapshot, profile and rule pack;
//! every output format is a thin renderer over it (`json`, `csv`, `terminal`).

pub mod csv;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod pdf;
pub mod sarif;
pub mod terminal;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::findings::{Finding, Status, StatusCounts, count_by_status};
use crate::profile::{Claim, Profile};
use crate::rules::{RuleKind, RulePack};
use crate::snapshot::{AccountScope, Gap, Snapshot};
use crate::waivers::WaiverUse;

/// The version of the findings document format (`docs/findings.md`).
pub const FINDINGS_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolVersion,
    /// When the evaluation ran (injectable for reproducible output).
    pub evaluated_at: DateTime<Utc>,
    pub snapshot: SnapshotInfo,
    pub rule_pack: RulePackInfo,
    pub profile: ProfileInfo,
    pub summary: StatusCounts,
    pub frameworks: Vec<FrameworkCoverage>,
    pub claims: Vec<ClaimStatus>,
    pub gaps: Vec<Gap>,
    pub waivers: Vec<WaiverUse>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolVersion {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub path: String,
    pub manifest_digest: String,
    pub collected_at: DateTime<Utc>,
    pub origin: String,
    pub accounts: Vec<AccountScope>,
    pub resources: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulePackInfo {
    pub path: String,
    pub digest: String,
    pub rules: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileInfo {
    pub organisation: String,
    pub sha256: String,
    pub frameworks: Vec<String>,
    pub params: BTreeMap<String, serde_json::Value>,
}

/// One framework's controls with the rules and outcomes behind each.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkCoverage {
    pub id: String,
    pub name: String,
    pub families: Vec<FamilyCoverage>,
    /// Controls with at least one automated rule.
    pub automated_controls: usize,
    /// Controls with no automated rule: manual evidence required.
    pub manual_controls: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyCoverage {
    pub id: String,
    pub title: String,
    pub summary: StatusCounts,
    pub controls: Vec<ControlCoverage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlCoverage {
    pub id: String,
    pub title: String,
    pub rules: Vec<String>,
    pub summary: StatusCounts,
    /// `evidence` when automated rules gave only PASS, `exceptions` when any FAIL, GAP
    /// or ERROR, `manual` when only manual rules or none map to it. Never "compliant":
    /// findings are evidence supporting a control, not a certification.
    pub state: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimStatus {
    #[serde(flatten)]
    pub claim: Claim,
    pub summary: StatusCounts,
    /// `supported` (evidence holds), `contradicted` (a FAIL), `incomplete` (GAP/ERROR),
    /// `attested` (manual rules with valid attestations), `manual-evidence-required`
    /// (a manual rule without a valid attestation), `not-evaluated` (no finding).
    pub status: String,
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
        let frameworks = pack
            .frameworks
            .iter()
            .filter(|f| profile.frameworks.contains(&f.id))
            .map(|f| {
                let mut automated = 0;
                let families =
                    f.families
                        .iter()
                        .map(|family| {
                            let controls: Vec<ControlCoverage> =
                                f.controls
                                    .iter()
                                    .filter(|c| c.family == family.id)
                                    .map(|c| {
                                        let rules: Vec<&crate::rules::Rule> = pack
                                            .rules
                                            .iter()
                                            .filter(|r| {
                                                profile.rules.selects(&r.id)
                                                    && r.controls
                                                        .get(&f.id)
                                                        .is_some_and(|ids| ids.contains(&c.id))
                                            })
                                            .collect();
                                        let summary =
                                            count_by_status(findings.iter().filter(|x| {
                                                rules.iter().any(|r| r.id == x.rule_id)
                                            }));
                                        let has_automated =
                                            rules.iter().any(|r| r.kind == RuleKind::Automated);
                                        if has_automated {
                                            automated += 1;
                                        }
                                        let bad = [Status::Fail, Status::Gap, Status::Error]
                                            .iter()
                                            .any(|s| summary.contains_key(s));
                                        let state = if !has_automated {
                                            "manual"
                                        } else if bad {
                                            "exceptions"
                                        } else {
                                            "evidence"
                                        };
                                        ControlCoverage {
                                            id: c.id.clone(),
                                            title: c.title.clone(),
                                            rules: rules.iter().map(|r| r.id.clone()).collect(),
                                            summary,
                                            state: state.into(),
                                        }
                                    })
                                    .collect();
                            let mut summary = StatusCounts::new();
                            for c in &controls {
                                for (s, n) in &c.summary {
                                    *summary.entry(*s).or_default() += n;
                                }
                            }
                            FamilyCoverage {
                                id: family.id.clone(),
                                title: family.title.clone(),
                                summary,
                                controls,
                            }
                        })
                        .collect();
                FrameworkCoverage {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    families,
                    automated_controls: automated,
                    manual_controls: f.controls.len() - automated,
                }
            })
            .collect();

        let claims = profile
            .claims
            .iter()
            .map(|claim| {
                let summary =
                    count_by_status(findings.iter().filter(|f| claim.rules.contains(&f.rule_id)));
                let status = if summary.contains_key(&Status::Fail) {
                    "contradicted"
                } else if summary.contains_key(&Status::Gap) || summary.contains_key(&Status::Error)
                {
                    "incomplete"
                } else if summary.contains_key(&Status::Manual) {
                    // Manual rules: attested (valid attestation for every one) or not.
                    let manual = findings.iter().filter(|f| claim.rules.contains(&f.rule_id) && f.status == Status::Manual);
                    if manual.clone().all(|f| f.attestation.as_ref().is_some_and(|a| !a.expired)) { "attested" } else { "manual-evidence-required" }
                } else if summary.contains_key(&Status::Pass)
                    || summary.contains_key(&Status::Waived)
                {
                    "supported"
                } else {
                    "not-evaluated"
                };
                ClaimStatus {
                    claim: claim.clone(),
                    summary,
                    status: status.into(),
                }
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
            },
            rule_pack: RulePackInfo {
                path: pack.root.display().to_string(),
                digest: pack.digest.clone(),
                rules: pack
                    .rules
                    .iter()
                    .filter(|r| profile.rules.selects(&r.id))
                    .count(),
            },
            profile: ProfileInfo {
                organisation: profile.organisation.clone(),
                sha256: profile.sha256.clone(),
                frameworks: profile.frameworks.clone(),
                params: profile.params.clone(),
            },
            summary: count_by_status(&findings),
            frameworks,
            claims,
            gaps: snapshot.gaps.clone(),
            waivers,
            findings,
        }
    }

    /// The process exit status for this report: 1 on any FAIL, 3 on GAP or ERROR without
    /// FAIL, 0 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.summary.contains_key(&Status::Fail) {
            1
        } else if self.summary.contains_key(&Status::Gap)
            || self.summary.contains_key(&Status::Error)
        {
            3
        } else {
            0
        }
    }
}
