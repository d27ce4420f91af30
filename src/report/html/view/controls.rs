//! The control view: per framework, each family and control with its rules and their
//! first findings, joined from the model's ids.

use std::collections::HashMap;

use serde::Serialize;

use super::{Count, counts, css, label, rank};
use crate::findings::{Finding, Status, count_by_status};
use crate::report::chart;
use crate::report::{ControlCoverage, FrameworkCoverage, Report};
use crate::rules::{RuleKind, Severity};

/// How many findings of a rule the control view lists before pointing to the table.
const FINDINGS_PER_RULE: usize = 8;

#[derive(Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub name: String,
    pub chart_svg: String,
    pub automated_controls: usize,
    pub manual_controls: usize,
    /// Findings mapped to at least one control of the framework, each counted once.
    pub findings: usize,
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

/// Each rule once, with its first findings (problems first), for the control view. Rules
/// come from the catalogue, so a selected rule without findings still shows; a document
/// from before the catalogue existed falls back to the findings.
pub(super) fn rule_views(report: &Report) -> HashMap<&str, RuleView> {
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
        counts: counts(&count_by_status(list.iter().copied())),
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

pub(super) fn framework(
    f: &FrameworkCoverage,
    findings: &[Finding],
    rules: &HashMap<&str, RuleView>,
) -> FrameworkView {
    let mapped: Vec<&Finding> = findings
        .iter()
        .filter(|x| x.controls.contains_key(&f.id))
        .collect();
    let total = count_by_status(mapped.iter().copied());
    FrameworkView {
        id: f.id.clone(),
        name: f.name.clone(),
        chart_svg: chart::framework_chart(f),
        automated_controls: f.automated_controls,
        manual_controls: f.manual_controls,
        findings: mapped.len(),
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
