//! The HTML view of a report: the model with its joins resolved (control → rules →
//! findings), times formatted and values turned into display strings, so the templates
//! only loop and print. Every string stays plain text here; the templates escape it.
//!
//! Fields are never skipped when empty: Tera 2 treats an undefined field as an error, so
//! an absent value is `null` (false in `{% if %}`), not a missing key.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::findings::{AssertionStatus, AttestationRef, Finding, Status, StatusCounts, WaiverRef};
use crate::report::chart::{self, STACK_ORDER};
use crate::report::{ControlCoverage, FrameworkCoverage, ManualEvidence, Report, RuleAssertion};
use crate::rules::{RuleKind, Severity};

/// How many findings of a rule the control view lists before pointing to the table.
const FINDINGS_PER_RULE: usize = 8;

/// What each status means, in the words of the README (shown in "Scope and method").
const MEANINGS: [(Status, &str); 8] = [
    (
        Status::Pass,
        "Every assertion of the rule held for the resource.",
    ),
    (
        Status::Fail,
        "At least one assertion did not hold: observed and expected values are given.",
    ),
    (
        Status::Gap,
        "The data the rule needs was not read (see the gaps). Missing data is never a pass.",
    ),
    (
        Status::Error,
        "The rule could not be evaluated for the resource (a rule bug or unexpected data).",
    ),
    (
        Status::Unknown,
        "A Terraform plan does not know a value the rule needs yet. Never a pass.",
    ),
    (
        Status::Waived,
        "A FAIL covered by an approved, unexpired waiver. The evidence is kept.",
    ),
    (
        Status::Manual,
        "No AWS API can show the control: a person attests to it (see manual evidence).",
    ),
    (
        Status::NotApplicable,
        "Nothing in scope for the rule. Shown, never counted as a pass.",
    ),
];

#[derive(Serialize)]
pub struct View<'a> {
    pub report_id: String,
    pub organisation: &'a str,
    pub tool_version: &'a str,
    pub evaluated_at: String,
    pub collected_at: String,
    pub snapshot_path: &'a str,
    pub snapshot_origin: &'a str,
    pub manifest_digest: &'a str,
    pub resources: usize,
    pub rule_pack_path: &'a str,
    pub rule_pack_digest: &'a str,
    pub rules_selected: usize,
    pub profile_sha256: &'a str,
    pub framework_names: Vec<String>,
    pub params: Vec<(String, String)>,
    pub accounts: Vec<AccountView>,
    pub statuses: Vec<StatusView>,
    pub total_findings: usize,
    pub frameworks: Vec<FrameworkView>,
    pub claims: Vec<ClaimView<'a>>,
    pub gaps: Vec<GapView>,
    pub waivers: Vec<WaiverView<'a>>,
    pub attestations: Vec<AttestationView<'a>>,
    pub rules: Vec<RuleDoc<'a>>,
    pub findings: Vec<FindingView<'a>>,
    pub filters: Filters,
}

#[derive(Serialize)]
pub struct AccountView {
    pub id: String,
    pub requested: String,
    pub read: String,
    pub not_read: Vec<(String, String)>,
}

#[derive(Serialize)]
pub struct StatusView {
    pub name: &'static str,
    pub css: String,
    pub meaning: &'static str,
    pub count: usize,
}

/// A status count as a badge: only statuses that occur, in stack order.
#[derive(Clone, Serialize)]
pub struct Count {
    pub status: &'static str,
    pub css: String,
    pub count: usize,
}

#[derive(Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub name: String,
    pub chart_svg: String,
    pub automated_controls: usize,
    pub manual_controls: usize,
    pub counts: Vec<Count>,
    pub families: Vec<FamilyView>,
}

#[derive(Serialize)]
pub struct FamilyView {
    pub id: String,
    pub title: String,
    pub counts: Vec<Count>,
    pub controls: Vec<ControlView>,
}

#[derive(Serialize)]
pub struct ControlView {
    pub id: String,
    pub title: String,
    /// `evidence`, `exceptions` or `manual` (CSS class and filter key).
    pub state: String,
    /// "evidence supporting A.8.24", "manual evidence required: …": never "compliant".
    pub state_label: String,
    pub counts: Vec<Count>,
    pub rules: Vec<RuleView>,
    /// The value for the findings table's control filter (`<framework>/<control>`).
    pub filter: String,
}

#[derive(Clone, Serialize)]
pub struct RuleView {
    pub id: String,
    pub title: String,
    pub severity: &'static str,
    pub manual: bool,
    pub counts: Vec<Count>,
    pub total: usize,
    /// The first findings, problems first.
    pub findings: Vec<FindingLink>,
    /// How many more the table holds.
    pub more: usize,
}

#[derive(Clone, Serialize)]
pub struct FindingLink {
    pub id: String,
    pub status: &'static str,
    pub css: String,
    pub label: String,
}

#[derive(Serialize)]
pub struct ClaimView<'a> {
    pub id: &'a str,
    pub quote: &'a str,
    pub source: &'a str,
    pub rules: &'a [String],
    pub params: &'a [String],
    pub status: &'a str,
    pub counts: Vec<Count>,
}

#[derive(Serialize)]
pub struct GapView {
    pub id: String,
    pub account: String,
    pub region: String,
    pub service: String,
    pub operation: String,
    pub error_code: String,
    pub message: String,
    pub resource_types: String,
    pub occurred_at: String,
    /// Findings that cite the gap.
    pub findings: usize,
}

#[derive(Serialize)]
pub struct WaiverView<'a> {
    pub id: &'a str,
    pub rule: &'a str,
    pub resource: &'a str,
    pub reason: &'a str,
    pub approved_by: &'a str,
    pub ticket: &'a str,
    pub expires: &'a str,
    pub matched: usize,
    /// `active`, `expired` or `unused`.
    pub state: &'static str,
}

#[derive(Serialize)]
pub struct AttestationView<'a> {
    pub rule_id: &'a str,
    pub rule_title: &'a str,
    pub status: &'a str,
    pub attestation: Option<&'a AttestationRef>,
    pub controls: String,
}

/// A rule as the "Rules applied" appendix prints it.
#[derive(Serialize)]
pub struct RuleDoc<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub severity: &'static str,
    pub manual: bool,
    pub resource_types: String,
    pub what: &'a str,
    pub applies_when: Option<&'a str>,
    pub assertions: &'a [RuleAssertion],
    pub controls: String,
    pub sha256: &'a str,
    pub counts: Vec<Count>,
}

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

pub fn css(status: Status) -> String {
    format!(
        "s-{}",
        status.as_str().to_ascii_lowercase().replace('_', "-")
    )
}

/// `PASS`, `FAIL`, … `SKIPPED`: the assertion status as `findings.json` writes it.
fn assertion_status(status: AssertionStatus) -> String {
    match serde_json::to_value(status) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn rank(status: Status) -> usize {
    STACK_ORDER
        .iter()
        .position(|s| *s == status)
        .unwrap_or(STACK_ORDER.len())
}

fn severity_rank(severity: Severity) -> usize {
    Severity::ALL
        .iter()
        .position(|s| *s == severity.as_str())
        .unwrap_or(Severity::ALL.len())
}

pub fn counts(summary: &StatusCounts) -> Vec<Count> {
    STACK_ORDER
        .iter()
        .filter_map(|s| {
            summary.get(s).filter(|n| **n > 0).map(|n| Count {
                status: s.as_str(),
                css: css(*s),
                count: *n,
            })
        })
        .collect()
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

fn label(f: &Finding) -> String {
    match (&f.resource, f.scope.as_deref()) {
        (Some(r), _) => r.name.clone(),
        (None, Some("organisation")) => "organisation (manual rule)".into(),
        (None, Some("all")) => "no resource in scope".into(),
        (None, Some(scope)) => format!("listing of {scope}"),
        (None, None) => String::new(),
    }
}

impl<'a> View<'a> {
    pub fn new(report: &'a Report, report_id: String) -> View<'a> {
        let frameworks: BTreeMap<&str, &str> = report
            .frameworks
            .iter()
            .map(|f| (f.id.as_str(), f.name.as_str()))
            .collect();
        let rule_views = rule_views(report);
        let mut findings: Vec<FindingView<'a>> =
            report.findings.iter().map(|f| finding(f, report)).collect();
        // Problems first, then by severity; rule-pack order within (a stable sort).
        findings.sort_by_key(|f| (f.status_rank, f.severity_rank));
        let mut gap_use: HashMap<&str, usize> = HashMap::new();
        for f in &report.findings {
            for g in &f.gaps {
                *gap_use.entry(g.as_str()).or_default() += 1;
            }
        }
        View {
            report_id,
            organisation: &report.profile.organisation,
            tool_version: &report.tool.version,
            evaluated_at: time(&report.evaluated_at),
            collected_at: time(&report.snapshot.collected_at),
            snapshot_path: &report.snapshot.path,
            snapshot_origin: &report.snapshot.origin,
            manifest_digest: &report.snapshot.manifest_digest,
            resources: report.snapshot.resources,
            rule_pack_path: &report.rule_pack.path,
            rule_pack_digest: &report.rule_pack.digest,
            rules_selected: report.rule_pack.rules,
            profile_sha256: &report.profile.sha256,
            framework_names: report
                .profile
                .frameworks
                .iter()
                .map(|id| {
                    frameworks
                        .get(id.as_str())
                        .map_or(id.clone(), |n| format!("{n} ({id})"))
                })
                .collect(),
            params: report
                .profile
                .params
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            accounts: report
                .snapshot
                .accounts
                .iter()
                .map(|a| AccountView {
                    id: a.account_id.clone(),
                    requested: a.regions_requested.join(", "),
                    read: a.regions_read.join(", "),
                    not_read: a
                        .regions_not_read
                        .iter()
                        .map(|r| (r.region.clone(), r.reason.clone()))
                        .collect(),
                })
                .collect(),
            statuses: MEANINGS
                .iter()
                .map(|(s, meaning)| StatusView {
                    name: s.as_str(),
                    css: css(*s),
                    meaning,
                    count: report.summary.get(s).copied().unwrap_or(0),
                })
                .collect(),
            total_findings: report.findings.len(),
            frameworks: report
                .frameworks
                .iter()
                .map(|f| framework(f, &rule_views))
                .collect(),
            claims: report
                .claims
                .iter()
                .map(|c| ClaimView {
                    id: &c.claim.id,
                    quote: &c.claim.quote,
                    source: &c.claim.source,
                    rules: &c.claim.rules,
                    params: &c.claim.params,
                    status: &c.status,
                    counts: counts(&c.summary),
                })
                .collect(),
            gaps: report
                .gaps
                .iter()
                .map(|g| GapView {
                    id: g.id.clone(),
                    account: g.account.clone(),
                    region: g.region.clone(),
                    service: g.service.clone(),
                    operation: g.operation.clone(),
                    error_code: g.error_code.clone(),
                    message: g.message.clone(),
                    resource_types: g.resource_types.join(", "),
                    occurred_at: time(&g.occurred_at),
                    findings: gap_use.get(g.id.as_str()).copied().unwrap_or(0),
                })
                .collect(),
            waivers: report
                .waivers
                .iter()
                .map(|w| WaiverView {
                    id: &w.id,
                    rule: &w.rule,
                    resource: &w.resource,
                    reason: &w.reason,
                    approved_by: &w.approved_by,
                    ticket: &w.ticket,
                    expires: &w.expires,
                    matched: w.matched,
                    state: if w.expired {
                        "expired"
                    } else if w.matched == 0 {
                        "unused"
                    } else {
                        "active"
                    },
                })
                .collect(),
            attestations: report.attestations.iter().map(attestation).collect(),
            rules: report
                .rule_catalogue
                .iter()
                .map(|r| RuleDoc {
                    id: &r.id,
                    title: &r.title,
                    severity: r.severity.as_str(),
                    manual: r.kind == RuleKind::Manual,
                    resource_types: r.resource_types.join(", "),
                    what: &r.what,
                    applies_when: r.applies_when.as_deref(),
                    assertions: &r.assertions,
                    controls: controls_text(&r.controls),
                    sha256: &r.sha256,
                    counts: counts(&r.summary),
                })
                .collect(),
            filters: filters(report, &findings),
            findings,
        }
    }
}

fn controls_text(controls: &BTreeMap<String, Vec<String>>) -> String {
    controls
        .iter()
        .map(|(fw, ids)| format!("{fw} {}", ids.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn attestation(m: &ManualEvidence) -> AttestationView<'_> {
    AttestationView {
        rule_id: &m.rule_id,
        rule_title: &m.rule_title,
        status: &m.status,
        attestation: m.attestation.as_ref(),
        controls: controls_text(&m.controls),
    }
}

/// Each rule once, with its first findings (problems first), for the control view. Rules
/// come from the catalogue, so a selected rule without findings still shows; a document
/// from before the catalogue existed falls back to the findings.
fn rule_views(report: &Report) -> HashMap<&str, RuleView> {
    let mut by_rule: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in &report.findings {
        by_rule.entry(f.rule_id.as_str()).or_default().push(f);
    }
    let mut views = HashMap::new();
    for r in &report.rule_catalogue {
        let list = by_rule.get(r.id.as_str()).map_or(&[][..], Vec::as_slice);
        let manual = r.kind == RuleKind::Manual;
        views.insert(
            r.id.as_str(),
            rule_view(&r.id, &r.title, r.severity, manual, list),
        );
    }
    for (id, list) in &by_rule {
        if let (false, Some(f)) = (views.contains_key(id), list.first()) {
            let manual = f.status == Status::Manual;
            views.insert(*id, rule_view(id, &f.rule_title, f.severity, manual, list));
        }
    }
    views
}

fn rule_view(
    id: &str,
    title: &str,
    severity: Severity,
    manual: bool,
    findings: &[&Finding],
) -> RuleView {
    let mut list = findings.to_vec();
    list.sort_by_key(|f| rank(f.status));
    RuleView {
        id: id.to_string(),
        title: title.to_string(),
        severity: severity.as_str(),
        manual,
        counts: counts(&crate::findings::count_by_status(list.iter().copied())),
        total: list.len(),
        more: list.len().saturating_sub(FINDINGS_PER_RULE),
        findings: list
            .iter()
            .take(FINDINGS_PER_RULE)
            .map(|f| FindingLink {
                id: f.id.clone(),
                status: f.status.as_str(),
                css: css(f.status),
                label: label(f),
            })
            .collect(),
    }
}

fn framework(f: &FrameworkCoverage, rules: &HashMap<&str, RuleView>) -> FrameworkView {
    let mut total = StatusCounts::new();
    for fam in &f.families {
        for (s, n) in &fam.summary {
            *total.entry(*s).or_default() += n;
        }
    }
    FrameworkView {
        id: f.id.clone(),
        name: f.name.clone(),
        chart_svg: chart::framework_chart(f),
        automated_controls: f.automated_controls,
        manual_controls: f.manual_controls,
        counts: counts(&total),
        families: f
            .families
            .iter()
            .map(|fam| FamilyView {
                id: fam.id.clone(),
                title: fam.title.clone(),
                counts: counts(&fam.summary),
                controls: fam
                    .controls
                    .iter()
                    .map(|c| control(&f.id, c, rules))
                    .collect(),
            })
            .collect(),
    }
}

fn control(framework: &str, c: &ControlCoverage, rules: &HashMap<&str, RuleView>) -> ControlView {
    let state_label = match (c.state.as_str(), c.manual_evidence.as_deref()) {
        ("evidence", _) => format!("evidence supporting {}", c.id),
        ("exceptions", _) => format!("evidence supporting {}, with exceptions to review", c.id),
        (_, Some("attested")) => format!("manual evidence attested for {}", c.id),
        (_, Some("expired")) => "manual evidence required: the attestation has expired".into(),
        (_, Some("missing")) => "manual evidence required: no attestation in the profile".into(),
        _ => "manual evidence required: no automated rule".into(),
    };
    ControlView {
        id: c.id.clone(),
        title: c.title.clone(),
        state: c.state.clone(),
        state_label,
        counts: counts(&c.summary),
        rules: c
            .rules
            .iter()
            .filter_map(|id| rules.get(id.as_str()).cloned())
            .collect(),
        filter: format!("{framework}/{}", c.id),
    }
}

fn finding<'a>(f: &'a Finding, report: &Report) -> FindingView<'a> {
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
fn filters(report: &Report, findings: &[FindingView]) -> Filters {
    let mut accounts = BTreeSet::new();
    let mut regions = BTreeSet::new();
    let mut severities: BTreeMap<usize, (&'static str, usize)> = BTreeMap::new();
    for f in findings {
        if !f.account.is_empty() {
            accounts.insert(f.account.clone());
        }
        if !f.region.is_empty() {
            regions.insert(f.region.clone());
        }
        severities
            .entry(f.severity_rank)
            .or_insert((f.severity, 0))
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
