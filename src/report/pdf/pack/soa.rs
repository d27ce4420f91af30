//! The pack's Statement of Applicability (the last part of section 1): every control of
//! the framework with its applicability from the profile, the rules and manual evidence
//! behind it, and the result (`crate::report::soa`). An ISO auditor starts from it.

use super::{PackData, text};
use crate::report::soa::{self, Row};
use crate::typeset::layout::{BODY, Canvas, Cell, H2, SMALL, SMALL_BOLD, SMALL_GREY, Table};

/// Its section number: after the claims when the profile has any.
pub(super) fn number(data: &PackData<'_>) -> &'static str {
    if data.report.claims.is_empty() {
        "1.5"
    } else {
        "1.6"
    }
}

/// Counts of applicable, excluded and inherited controls, for the cover and the heading.
pub(super) fn tally(data: &PackData<'_>) -> String {
    soa::tally(&soa::rows(data.report, data.framework))
}

pub(super) fn statement(data: &PackData<'_>, canvas: &mut Canvas) {
    let number = number(data);
    canvas.heading(H2, &format!("{number} Statement of Applicability"), 1, 80.0);
    canvas.paragraph(
        BODY,
        &format!(
            "Every control of {}, in catalogue order: whether it applies (from the profile's \
             applicability section; a control the profile does not name is applicable and \
             marked \"not stated\"), why one is excluded, which report of the cloud provider \
             evidences one that is inherited, the rules and manual evidence behind it and the \
             result. Rules speak whatever the applicability: an exclusion hides no finding. \
             {}. The same table is in soa.csv.",
            data.framework.name,
            tally(data)
        ),
        0.0,
    );
    let table = Table::new(&[
        ("Control", 0.22),
        ("Applicability", 0.3),
        ("Rules and manual evidence", 0.3),
        ("Result", 0.18),
    ])
    .caption(format!(
        "{}: Statement of Applicability",
        data.framework.name
    ));
    canvas.table_start(&table);
    for (i, row) in soa::rows(data.report, data.framework).iter().enumerate() {
        canvas.table_row(&table, &cells(row), i % 2 == 1);
    }
    canvas.space(8.0);
}

fn cells(row: &Row<'_>) -> Vec<Cell> {
    let a = &row.applicability;
    let control = vec![
        (SMALL_BOLD, row.control.id.clone()),
        (SMALL, row.control.title.clone()),
    ];
    let mut applicability = vec![(SMALL_BOLD, soa::applicability_label(a))];
    if let Some(j) = &a.justification {
        applicability.push((SMALL, j.clone()));
    }
    if let Some(r) = &a.reference {
        applicability.push((SMALL_GREY, format!("reference: {r}")));
    }
    let mut rules: Cell = Vec::new();
    for r in &row.automated_rules {
        rules.push((SMALL, (*r).to_string()));
    }
    for r in &row.manual_rules {
        rules.push((SMALL, format!("{r} (manual)")));
    }
    if rules.is_empty() {
        rules.push((SMALL_GREY, "no rule".into()));
    }
    if let Some(m) = row
        .control
        .manual_evidence
        .as_ref()
        .filter(|m| *m != "no-rule")
    {
        rules.push((SMALL_GREY, format!("manual evidence: {m}")));
    }
    let mut result = text(SMALL, row.result.clone());
    let counts = super::counts_line(&row.control.summary);
    if !row.control.summary.is_empty() {
        result.push((SMALL_GREY, counts));
    }
    vec![control, applicability, rules, result]
}
