//! The HTML view of a report: the model with its joins resolved (control → rules →
//! findings), times formatted and values turned into display strings, so the templates
//! only loop and print. Every string stays plain text here; the templates escape it.
//!
//! Fields are never skipped when empty: Tera 2 treats an undefined field as an error, so
//! an absent value is `null` (false in `{% if %}`), not a missing key.

mod controls;
mod findings;
mod soa;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::findings::{AttestationRef, Finding, Status, StatusCounts};
use crate::report::chart::STACK_ORDER;
use crate::report::{ManualEvidence, Report, RuleAssertion};
use crate::rules::RuleKind;
use controls::{FrameworkView, framework, rule_views};
pub use findings::FindingView;
use findings::{Filters, filters, finding};
use soa::{CollectionView, SoaFrameworkView, collection_view, soa_views};

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
    /// The waiver file's SHA-256, when one was given and recorded.
    pub waivers_sha256: Option<&'a str>,
    /// Who collected the evidence and from where; `null` in documents that predate it.
    pub collection: Option<CollectionView>,
    /// What the evidence covered (`report::coverage`); absent in older documents.
    pub coverage: Option<crate::report::coverage::CoverageView>,
    /// The Statement of Applicability, one per framework.
    pub soa: Vec<SoaFrameworkView>,
    pub framework_names: Vec<String>,
    pub params: Vec<(String, String)>,
    pub accounts: Vec<AccountView>,
    /// Profile values that select resources and matched none (`crate::selectors`).
    pub unmatched_selectors: Vec<String>,
    pub statuses: Vec<StatusView>,
    pub total_findings: usize,
    pub frameworks: Vec<FrameworkView>,
    pub claims: Vec<ClaimView<'a>>,
    pub gaps: Vec<GapView>,
    pub waivers: Vec<WaiverView<'a>>,
    pub attestations: Vec<AttestationView<'a>>,
    pub rules: Vec<RuleDoc<'a>>,
    /// The findings table's filter choices. The rows themselves are not in the view: they
    /// are rendered in batches from [`finding_rows`], so the page is written in bounded
    /// memory whatever the number of findings.
    pub filters: Filters,
}

#[derive(Serialize)]
pub struct AccountView {
    pub id: String,
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
    pub approved_on: Option<&'a str>,
    pub risk_rating: Option<&'a str>,
    pub compensating_controls: &'a [String],
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

pub fn css(status: Status) -> String {
    format!(
        "s-{}",
        status.as_str().to_ascii_lowercase().replace('_', "-")
    )
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
            waivers_sha256: report
                .inputs
                .as_ref()
                .and_then(|i| i.waivers.as_ref())
                .map(|w| w.sha256.as_str()),
            collection: collection_view(report),
            coverage: report.snapshot.coverage.as_ref().map(|c| c.view()),
            soa: soa_views(report),
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
            accounts: account_views(report),
            unmatched_selectors: report
                .unmatched_selectors
                .iter()
                .map(|u| u.message.clone())
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
                .map(|f| framework(f, &report.findings, &rule_views))
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
            gaps: gap_views(report),
            waivers: waiver_views(report),
            attestations: report.attestations.iter().map(attestation).collect(),
            rules: rule_docs(report),
            filters: filters(report),
        }
    }
}

/// The findings in the table's order: problems first, then by severity; rule-pack order
/// within (a stable sort). Only references are held, so the order costs a pointer a finding.
pub fn table_order(report: &Report) -> Vec<&Finding> {
    let mut order: Vec<&Finding> = report.findings.iter().collect();
    order.sort_by_key(|f| (rank(f.status), findings::severity_rank(f.severity)));
    order
}

/// The table rows of `batch` (consecutive findings in [`table_order`]), each with its
/// evidence resolved for the row template.
pub fn finding_rows<'a>(batch: &[&'a Finding], report: &Report) -> Vec<FindingView<'a>> {
    batch.iter().map(|f| finding(f, report)).collect()
}

/// Each account of the snapshot with the regions read, and those not read with why.
fn account_views(report: &Report) -> Vec<AccountView> {
    report
        .snapshot
        .accounts
        .iter()
        .map(|a| AccountView {
            id: a.account_id.clone(),
            read: a.regions_read.join(", "),
            not_read: a
                .regions_not_read
                .iter()
                .map(|r| (r.region.clone(), r.reason.clone()))
                .collect(),
        })
        .collect()
}

/// Every gap, with how many findings it made GAP.
fn gap_views(report: &Report) -> Vec<GapView> {
    let mut gap_use: HashMap<&str, usize> = HashMap::new();
    for f in &report.findings {
        for g in &f.gaps {
            *gap_use.entry(g.as_str()).or_default() += 1;
        }
    }
    report
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
        .collect()
}

/// Every waiver with its state: expired, unused (matched nothing) or active.
fn waiver_views(report: &Report) -> Vec<WaiverView<'_>> {
    report
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
            approved_on: w.approved_on.as_deref(),
            risk_rating: w.risk_rating.as_deref(),
            compensating_controls: &w.compensating_controls,
            matched: w.matched,
            state: if w.expired {
                "expired"
            } else if w.matched == 0 {
                "unused"
            } else {
                "active"
            },
        })
        .collect()
}

/// The rule catalogue: what each rule checks, where and with what result.
fn rule_docs(report: &Report) -> Vec<RuleDoc<'_>> {
    report
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
        .collect()
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
