//! The Statement of Applicability: every control of each framework the profile names, with
//! its applicability (applicable, excluded with the justification, inherited from the
//! cloud provider with the provider's report), the automated rules and manual evidence
//! behind it, and the result. The PDF packs and the HTML report print it from
//! [`rows`]; `soa.csv` is the same table for the auditor's workpapers.
//!
//! The result never says more than the evidence: an excluded or inherited control without
//! a rule says so ("not assessed: excluded", "inherited: the provider's report"), and one
//! with rules shows their outcome whatever its applicability, so an exclusion hides nothing.

use std::collections::HashMap;
use std::io::Write;

use super::csv::neutralise;
use super::{ControlCoverage, FamilyCoverage, FrameworkCoverage, Report};
use crate::findings::Status;
use crate::profile::applicability::Applicability;
use crate::rules::RuleKind;

/// One control's line of the statement.
pub struct Row<'a> {
    pub framework: &'a FrameworkCoverage,
    pub family: &'a FamilyCoverage,
    pub control: &'a ControlCoverage,
    pub applicability: Applicability,
    pub automated_rules: Vec<&'a str>,
    pub manual_rules: Vec<&'a str>,
    /// What the evidence says, in words (see [`result`]).
    pub result: String,
}

/// The statement of one framework, in catalogue order, every control included.
pub fn rows<'a>(report: &'a Report, framework: &'a FrameworkCoverage) -> Vec<Row<'a>> {
    let kinds: HashMap<&str, RuleKind> = report
        .rule_catalogue
        .iter()
        .map(|r| (r.id.as_str(), r.kind))
        .collect();
    framework
        .families
        .iter()
        .flat_map(|family| family.controls.iter().map(move |c| (family, c)))
        .map(|(family, control)| {
            let applicability = control
                .applicability
                .clone()
                .unwrap_or_else(Applicability::not_recorded);
            let (automated_rules, manual_rules) = control
                .rules
                .iter()
                .map(String::as_str)
                .partition(|r| kinds.get(r) != Some(&RuleKind::Manual));
            Row {
                framework,
                family,
                control,
                result: result(control, &applicability),
                applicability,
                automated_rules,
                manual_rules,
            }
        })
        .collect()
}

/// `93 controls: 81 applicable (78 of them not stated in the profile), 1 excluded, 11
/// inherited`: the statement in one line, for covers and headings.
pub fn tally(rows: &[Row<'_>]) -> String {
    let count = |s: &str| rows.iter().filter(|r| r.applicability.status == s).count();
    let undeclared = rows
        .iter()
        .filter(|r| r.applicability.status == "applicable" && !r.applicability.declared)
        .count();
    let not_recorded = count("not-recorded");
    if not_recorded > 0 {
        return format!(
            "{} controls: applicability not recorded in this findings document (written before assay recorded it)",
            rows.len()
        );
    }
    format!(
        "{} controls: {} applicable ({undeclared} of them not stated in the profile), {} excluded, {} inherited",
        rows.len(),
        count("applicable"),
        count("excluded"),
        count("inherited"),
    )
}

/// The result column: the control's evidence state in words. Rules, when there are any,
/// speak whatever the applicability; without one an excluded control is "not assessed"
/// and an inherited one rests on the provider's report.
pub fn result(control: &ControlCoverage, applicability: &Applicability) -> String {
    let manual = control.manual_evidence.as_deref();
    match (
        control.state.as_str(),
        manual,
        applicability.status.as_str(),
    ) {
        ("evidence", _, _) => "evidence supporting the control".into(),
        ("exceptions", _, _) => "evidence, with exceptions to review".into(),
        (_, Some("no-rule"), "excluded") => "not assessed: excluded".into(),
        (_, Some("no-rule"), "inherited") => format!(
            "inherited: {}'s report (not assessed by assay)",
            applicability.provider.as_deref().unwrap_or("the provider")
        ),
        (_, Some("attested"), _) => "manual evidence attested".into(),
        (_, Some("expired"), _) => "manual evidence required: the attestation expired".into(),
        (_, Some("missing"), _) => "manual evidence required: not attested".into(),
        _ => "manual evidence required: no rule".into(),
    }
}

/// The applicability in words for one cell: `inherited from AWS`, `excluded`,
/// `applicable`, `applicable (not stated in the profile)`, or that an older findings
/// document does not record it.
pub fn applicability_label(a: &Applicability) -> String {
    match (a.status.as_str(), a.declared) {
        ("inherited", _) => format!(
            "inherited from {}",
            a.provider.as_deref().unwrap_or("the provider")
        ),
        ("applicable", false) => "applicable (not stated in the profile)".into(),
        ("not-recorded", _) => "not recorded in this findings document".into(),
        (status, _) => status.to_string(),
    }
}

pub const HEADER: [&str; 21] = [
    "framework",
    "family",
    "control",
    "title",
    "applicability",
    "declared",
    "justification",
    "provider",
    "reference",
    "automated_rules",
    "manual_rules",
    "manual_evidence",
    "result",
    "pass",
    "fail",
    "gap",
    "error",
    "unknown",
    "waived",
    "manual",
    "not_applicable",
];

/// `soa.csv`: one row per control of every framework the profile names. Cells are
/// neutralised against spreadsheet formulas as in `findings.csv`.
pub fn render_csv(report: &Report, out: &mut dyn Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for framework in &report.frameworks {
        for row in rows(report, framework) {
            let count = |s: Status| {
                row.control
                    .summary
                    .get(&s)
                    .copied()
                    .unwrap_or(0)
                    .to_string()
            };
            let a = &row.applicability;
            let cells = [
                framework.id.clone(),
                row.family.id.clone(),
                row.control.id.clone(),
                row.control.title.clone(),
                a.status.clone(),
                if a.declared { "yes" } else { "no" }.to_string(),
                a.justification.clone().unwrap_or_default(),
                a.provider.clone().unwrap_or_default(),
                a.reference.clone().unwrap_or_default(),
                row.automated_rules.join(" "),
                row.manual_rules.join(" "),
                row.control.manual_evidence.clone().unwrap_or_default(),
                row.result.clone(),
                count(Status::Pass),
                count(Status::Fail),
                count(Status::Gap),
                count(Status::Error),
                count(Status::Unknown),
                count(Status::Waived),
                count(Status::Manual),
                count(Status::NotApplicable),
            ];
            w.write_record(cells.iter().map(|c| neutralise(c).into_owned()))?;
        }
    }
    w.flush()?;
    Ok(())
}
