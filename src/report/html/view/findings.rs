//! The findings table: one row per finding with its evidence, and the choices of the
//! table's filters.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Count, counts, css, label, rank, time};
use crate::findings::{AssertionStatus, AttestationRef, Finding, WaiverRef};
use crate::report::Report;
use crate::rules::Severity;

#[derive(Serialize)]
pub struct FindingView<'a> {
    pub id: &'a str,
    pub status: &'static str,
    pub css: String,
    /// Position in the stack order (problems first), for sorting.
    pub status_rank: usize,
    pub severity: &'static str,
    /// 0 = critical … 4 = info, for sorting.
    pub severity_rank: usize,
    pub rule_id: &'a str,
    pub rule_title: &'a str,
    /// The resource name, or the scope for findings without a resource.
    pub name: String,
    pub arn: Option<&'a str>,
    pub resource_type: Option<&'a str>,
    pub account: String,
    pub region: String,
    pub pointer: Option<&'a str>,
    pub summary: &'a str,
    /// "iso27001-2022 A.8.24" labels for the frameworks the profile names.
    pub controls: Vec<String>,
    /// `|<framework>/<control>|…|` for the control filter.
    pub control_keys: String,
    pub assertions: Vec<AssertionView<'a>>,
    pub sources: Vec<SourceView<'a>>,
    pub gaps: &'a [String],
    pub waiver: Option<&'a WaiverRef>,
    pub attestation: Option<&'a AttestationRef>,
}

#[derive(Serialize)]
pub struct AssertionView<'a> {
    pub name: &'a str,
    pub status: String,
    pub expression: &'a str,
    pub observed: Option<String>,
    pub expected: Option<&'a str>,
    pub message: Option<&'a str>,
    pub evidence: Vec<(&'a str, String)>,
}

#[derive(Serialize)]
pub struct SourceView<'a> {
    pub operation: &'a str,
    pub group: &'a str,
    pub region: &'a str,
    pub called_at: String,
    pub request_id: Option<&'a str>,
    pub response_sha256: &'a str,
    /// Set when the call describes another resource the rule reached (a join).
    pub other_resource: Option<&'a str>,
}

#[derive(Serialize, Default)]
pub struct Filters {
    pub statuses: Vec<Count>,
    pub severities: Vec<(&'static str, usize)>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// (value, label) pairs.
    pub controls: Vec<(String, String)>,
    pub rules: Vec<(String, String)>,
}

/// The account and region a finding is about: from its resource, or from a listing
/// gap's `<account>/<region>` scope.
fn place(f: &Finding) -> (String, String) {
    match (&f.resource, f.scope.as_deref()) {
        (Some(r), _) => (r.account.clone(), r.region.clone()),
        (None, Some(scope)) => match scope.split_once('/') {
            Some((account, region)) => (account.into(), region.into()),
            None => (String::new(), String::new()),
        },
        (None, None) => (String::new(), String::new()),
    }
}

/// `PASS`, `FAIL`, … `SKIPPED`: the assertion status as `findings.json` writes it.
fn assertion_status(status: AssertionStatus) -> String {
    match serde_json::to_value(status) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(super) fn severity_rank(severity: Severity) -> usize {
    Severity::ALL
        .iter()
        .position(|s| *s == severity.as_str())
        .unwrap_or(Severity::ALL.len())
}

pub(super) fn finding<'a>(f: &'a Finding, report: &Report) -> FindingView<'a> {
    let (account, region) = place(f);
    let mapped: Vec<(&String, &Vec<String>)> = f
        .controls
        .iter()
        .filter(|(fw, _)| report.profile.frameworks.contains(fw))
        .collect();
    let arn = f.resource.as_ref().map(|r| r.arn.as_str());
    FindingView {
        id: &f.id,
        status: f.status.as_str(),
        css: css(f.status),
        status_rank: rank(f.status),
        severity: f.severity.as_str(),
        severity_rank: severity_rank(f.severity),
        rule_id: &f.rule_id,
        rule_title: &f.rule_title,
        name: label(f),
        arn,
        resource_type: f.resource.as_ref().map(|r| r.type_name.as_str()),
        account,
        region,
        pointer: f.resource.as_ref().map(|r| r.pointer.as_str()),
        summary: &f.summary,
        controls: mapped
            .iter()
            .map(|(fw, ids)| format!("{fw} {}", ids.join(", ")))
            .collect(),
        control_keys: mapped.iter().fold("|".to_string(), |mut acc, (fw, ids)| {
            for id in ids.iter() {
                acc.push_str(&format!("{fw}/{id}|"));
            }
            acc
        }),
        assertions: f
            .assertions
            .iter()
            .map(|a| AssertionView {
                name: &a.name,
                status: assertion_status(a.status),
                expression: &a.expression,
                observed: a.observed.as_ref().map(|v| v.to_string()),
                expected: a.expected.as_deref(),
                message: a.message.as_deref(),
                evidence: a
                    .evidence
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.to_string()))
                    .collect(),
            })
            .collect(),
        sources: f
            .sources
            .iter()
            .map(|s| SourceView {
                operation: &s.operation,
                group: &s.group,
                region: &s.region,
                called_at: time(&s.called_at),
                request_id: s.request_id.as_deref(),
                response_sha256: &s.response_sha256,
                other_resource: (Some(s.resource_arn.as_str()) != arn)
                    .then_some(s.resource_arn.as_str()),
            })
            .collect(),
        gaps: &f.gaps,
        waiver: f.waiver.as_ref(),
        attestation: f.attestation.as_ref(),
    }
}

/// The choices of the findings table's filters: only values that occur.
pub(super) fn filters(report: &Report) -> Filters {
    let mut accounts = BTreeSet::new();
    let mut regions = BTreeSet::new();
    let mut severities: BTreeMap<usize, (&'static str, usize)> = BTreeMap::new();
    for f in &report.findings {
        let (account, region) = place(f);
        if !account.is_empty() {
            accounts.insert(account);
        }
        if !region.is_empty() {
            regions.insert(region);
        }
        severities
            .entry(severity_rank(f.severity))
            .or_insert((f.severity.as_str(), 0))
            .1 += 1;
    }
    let mut controls = Vec::new();
    for fw in &report.frameworks {
        for fam in &fw.families {
            for c in fam.controls.iter().filter(|c| !c.summary.is_empty()) {
                controls.push((
                    format!("{}/{}", fw.id, c.id),
                    format!("{} {} {}", fw.id, c.id, c.title),
                ));
            }
        }
    }
    let mut rules: Vec<(String, String)> = report
        .rule_catalogue
        .iter()
        .filter(|r| !r.summary.is_empty())
        .map(|r| (r.id.clone(), r.id.clone()))
        .collect();
    if rules.is_empty() {
        // A document from before the rule catalogue existed: take the ids from findings.
        let ids: BTreeSet<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
        rules = ids
            .into_iter()
            .map(|id| (id.to_string(), id.to_string()))
            .collect();
    }
    Filters {
        statuses: counts(&report.summary),
        severities: severities.into_values().collect(),
        accounts: accounts.into_iter().collect(),
        regions: regions.into_iter().collect(),
        controls,
        rules,
    }
}
