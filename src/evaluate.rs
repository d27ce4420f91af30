//! Evaluation: rules × resources → findings.
//!
//! For each automated rule and each resource of its types: `where` decides applicability,
//! `let` bindings are computed in order, then every assertion is evaluated and recorded
//! (all failures are reported, not just the first). Missing data is handled before any
//! expression runs: an assertion that reads an attribute group the collector could not
//! read is GAP, and a join that touched an unlisted resource type is GAP too. Nothing that
//! was not read can PASS.

mod backups;
pub mod budget;
mod cidr;
pub mod functions;
mod parallel;
mod resource;
mod val_serializer;
pub mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value as Json;

use crate::findings::{
    AssertionResult, AssertionStatus, AttestationRef, Finding, Status, fingerprint,
};
use crate::profile::Attestation;
use crate::rules::{Rule, RuleKind};
use crate::snapshot::{Resource, Snapshot};
use functions::Index;

/// The scope of a manual rule's finding: a person's attestation about the organisation
/// as a whole, not about one account or resource.
pub const ORGANISATION_SCOPE: &str = "organisation";

/// The members of a resource a rule does not see (provenance bookkeeping).
pub const HIDDEN_MEMBERS: &[&str] = &["provenance", "unread", "unknown"];

/// What a rule sees as `resource`: the resource JSON without provenance bookkeeping.
pub fn resource_view(resource: &Resource) -> Json {
    let mut json = serde_json::to_value(resource).expect("resources always serialise");
    if let Some(map) = json.as_object_mut() {
        for member in HIDDEN_MEMBERS {
            map.remove(*member);
        }
    }
    json
}

/// [`resource_view`] as the interpreter's values, made straight from the resource.
pub fn resource_val(resource: &Resource) -> Box<dyn cel::common::value::Val> {
    val_serializer::to_val(resource, HIDDEN_MEMBERS).expect("resources always serialise")
}

/// Evaluates `rules` against `snapshot` with resolved parameter values.
///
/// The (rule, resource) pairs are evaluated on every core (`parallel`); findings come out
/// in rule order, and within a rule in snapshot order, whatever the number of threads.
pub fn evaluate(
    snapshot: &Snapshot,
    rules: &[&Rule],
    params: &BTreeMap<String, Json>,
    attestations: &[Attestation],
) -> Vec<Finding> {
    let index = Arc::new(Index::new(snapshot));
    let params_value = values::to_cel(&Json::Object(params.clone().into_iter().collect()));
    let snapshot_value = values::to_cel(&serde_json::json!({
        "collected_at": snapshot.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "accounts": snapshot.accounts.iter().map(|a| a.account_id.clone()).collect::<Vec<_>>(),
        "regions_read": snapshot.accounts.iter().flat_map(|a| a.regions_read.clone()).collect::<BTreeSet<_>>(),
    }));

    // Each automated rule's resources, in snapshot order: the work, as (rule, position).
    let positions: Vec<Vec<usize>> = rules
        .iter()
        .map(|rule| match rule.kind {
            RuleKind::Manual => Vec::new(),
            RuleKind::Automated => {
                let mut positions: Vec<usize> = rule
                    .resource_types
                    .iter()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .flat_map(|t| index.of_type(t).iter().copied())
                    .collect();
                positions.sort_unstable();
                positions
            }
        })
        .collect();
    let work: Vec<(usize, usize)> = positions
        .iter()
        .enumerate()
        .flat_map(|(r, ps)| ps.iter().map(move |&pos| (r, pos)))
        .collect();
    let mut resource_findings = parallel::map(
        &work,
        || resource::Evaluator::new(snapshot, index.clone(), &params_value, &snapshot_value),
        |evaluator, &(r, pos)| evaluator.resource(rules[r], pos, &snapshot.resources[pos]),
    )
    .into_iter();

    let mut findings = Vec::with_capacity(work.len() + rules.len());
    for (rule, positions) in rules.iter().zip(&positions) {
        match rule.kind {
            RuleKind::Manual => findings.push(manual_finding(rule, attestations, snapshot)),
            RuleKind::Automated => {
                let before = findings.len();
                listing_gap_findings(snapshot, rule, &mut findings);
                findings.extend(resource_findings.by_ref().take(positions.len()));
                if findings.len() == before {
                    findings.push(not_applicable(rule));
                }
            }
        }
    }
    findings
}

/// One GAP finding per listing gap (a scope the collector could not list) and type of
/// `rule`.
fn listing_gap_findings(snapshot: &Snapshot, rule: &Rule, findings: &mut Vec<Finding>) {
    for t in &rule.resource_types {
        for gap in snapshot
            .gaps
            .iter()
            .filter(|g| g.resource_types.contains(t))
        {
            let scope = format!("{}/{}", gap.account, gap.region);
            findings.push(Finding {
                id: fingerprint(&rule.id, &format!("{t}@{scope}")),
                rule_id: rule.id.clone(),
                rule_title: rule.title.clone(),
                severity: rule.severity,
                status: Status::Gap,
                resource: None,
                scope: Some(scope.clone()),
                summary: format!(
                    "{t} in {scope} not read: {} {} ({})",
                    gap.operation, gap.error_code, gap.message
                ),
                assertions: Vec::new(),
                sources: Vec::new(),
                gaps: vec![gap.id.clone()],
                waiver: None,
                attestation: None,
                controls: rule.controls.clone(),
            });
        }
    }
}

/// The finding of a rule with nothing to judge: no resource of its types, no gap.
fn not_applicable(rule: &Rule) -> Finding {
    Finding {
        id: fingerprint(&rule.id, "all"),
        rule_id: rule.id.clone(),
        rule_title: rule.title.clone(),
        severity: rule.severity,
        status: Status::NotApplicable,
        resource: None,
        scope: Some("all".into()),
        summary: format!("no {} in the snapshot", rule.resource_types.join(" or ")),
        assertions: Vec::new(),
        sources: Vec::new(),
        gaps: Vec::new(),
        waiver: None,
        attestation: None,
        controls: rule.controls.clone(),
    }
}

/// Why a join could not be trusted: the accounts the snapshot did not cover and the regions
/// not read it looked in, by name, or a resource type that was not (fully) listed.
fn join_gap_message(gaps: &BTreeSet<String>) -> String {
    let regions: Vec<String> = gaps
        .iter()
        .filter_map(|g| g.strip_prefix(functions::REGION_NOT_READ))
        .map(|place| match place.split_once(':') {
            Some((account, region)) => format!("{region} (account {account})"),
            None => place.to_string(),
        })
        .collect();
    let accounts: Vec<&str> = gaps
        .iter()
        .filter_map(|g| g.strip_prefix(functions::OUT_OF_SCOPE))
        .collect();
    let mut parts = Vec::new();
    if !accounts.is_empty() {
        parts.push(format!(
            "joins resources in an account the snapshot did not cover: {}",
            accounts.join(", ")
        ));
    }
    if !regions.is_empty() {
        parts.push(format!(
            "joins a resource in a region that was not read: {}",
            regions.join(", ")
        ));
    }
    if parts.is_empty() {
        "joins a resource type that was not (fully) listed".into()
    } else {
        parts.join("; ")
    }
}

/// FAIL beats ERROR beats GAP beats UNKNOWN beats PASS. Skipped assertions follow a
/// failure and add nothing. UNKNOWN ranks below GAP and ERROR because those say the
/// evaluation itself is incomplete, while UNKNOWN says the value does not exist yet.
fn roll_up(assertions: &[AssertionResult]) -> Status {
    let has = |s: AssertionStatus| assertions.iter().any(|a| a.status == s);
    if has(AssertionStatus::Fail) {
        Status::Fail
    } else if has(AssertionStatus::Error) {
        Status::Error
    } else if has(AssertionStatus::Gap) {
        Status::Gap
    } else if has(AssertionStatus::Unknown) {
        Status::Unknown
    } else {
        Status::Pass
    }
}

/// Records an assertion as UNKNOWN with the reasons as its message and its evidence, so a
/// report shows which Terraform attribute is "known after apply".
fn mark_unknown(result: &mut AssertionResult, mut reasons: Vec<String>) {
    let mut seen = BTreeSet::new();
    reasons.retain(|r| seen.insert(r.clone()));
    result.status = AssertionStatus::Unknown;
    result.message = Some(reasons.join("; "));
    result.evidence.insert(
        "known_after_apply".into(),
        Json::Array(reasons.into_iter().map(Json::String).collect()),
    );
}

/// Why a joined value is unknown in a plan: the joined resources' unknown attributes, or a
/// join (`of_type`) that found nothing among the plan's resources.
fn unknown_reason(unknown: &BTreeSet<String>, partial: &BTreeSet<String>) -> String {
    if !unknown.is_empty() {
        return unknown.iter().cloned().collect::<Vec<_>>().join("; ");
    }
    format!(
        "no match among the plan's {}: the plan shows only the resources of its configuration",
        partial.iter().cloned().collect::<Vec<_>>().join(", ")
    )
}

fn summarise(assertions: &[AssertionResult]) -> String {
    let first = |s: AssertionStatus| assertions.iter().find(|a| a.status == s);
    if let Some(a) = first(AssertionStatus::Fail) {
        let mut text = format!("{} failed", a.name);
        if let (Some(o), Some(e)) = (&a.observed, &a.expected) {
            text.push_str(&format!(": observed {}, expected {e}", values::compact(o)));
        } else if let Some((label, value)) = a.evidence.iter().next() {
            text.push_str(&format!(": {label} = {}", values::compact(value)));
        }
        return text;
    }
    if let Some(a) = first(AssertionStatus::Error)
        .or_else(|| first(AssertionStatus::Gap))
        .or_else(|| first(AssertionStatus::Unknown))
    {
        return format!("{}: {}", a.name, a.message.clone().unwrap_or_default());
    }
    format!("all {} assertions hold", assertions.len())
}

fn manual_finding(rule: &Rule, attestations: &[Attestation], snapshot: &Snapshot) -> Finding {
    let evidence_date = snapshot.collected_at.date_naive().to_string();
    let attestation = attestations
        .iter()
        .find(|a| a.rule == rule.id)
        .map(|a| AttestationRef {
            attested_by: a.attested_by.clone(),
            date: a.date.clone(),
            expires: a.expires.clone(),
            evidence: a.evidence.clone(),
            statement: a.statement.clone(),
            expired: a.expires < evidence_date,
        });
    let summary = match &attestation {
        Some(a) if !a.expired => format!(
            "attested by {} on {} (valid until {})",
            a.attested_by, a.date, a.expires
        ),
        Some(a) => format!(
            "attestation by {} expired on {}: manual evidence required",
            a.attested_by, a.expires
        ),
        None => "manual evidence required: no attestation in the profile".into(),
    };
    Finding {
        id: fingerprint(&rule.id, "manual"),
        rule_id: rule.id.clone(),
        rule_title: rule.title.clone(),
        severity: rule.severity,
        status: Status::Manual,
        resource: None,
        scope: Some(ORGANISATION_SCOPE.into()),
        summary,
        assertions: Vec::new(),
        sources: Vec::new(),
        gaps: Vec::new(),
        waiver: None,
        attestation,
        controls: rule.controls.clone(),
    }
}
