//! Section 2, the summary: the chart and counts per control family, and the rules with
//! exceptions at a glance.

use std::collections::BTreeSet;

use super::super::chart;
use super::super::chart::Bar;
use super::{PackData, badge, counts_line, is_exception, text};
use crate::findings::{Status, StatusCounts};
use crate::report::ControlCoverage;
use crate::typeset::layout::{BODY, Canvas, Cell, H1, H3, MONO, SMALL, SMALL_GREY, Table};

pub(super) fn summary(data: &PackData<'_>, canvas: &mut Canvas) {
    let fw = data.framework;
    canvas.heading(H1, "2 Summary", 0, 200.0);
    canvas.paragraph(
        BODY,
        &format!(
            "Findings of the rules mapped to each control family of {}. A finding is counted once \
             per family even when its rule maps to several controls of the family. {} of {} \
             controls have automated rules; the other {} need manual evidence (section 4).",
            fw.name,
            fw.automated_controls,
            fw.automated_controls + fw.manual_controls,
            fw.manual_controls
        ),
        0.0,
    );
    canvas.heading(H3, "Findings by control family", 3, 120.0);
    let family_counts: Vec<StatusCounts> = fw
        .families
        .iter()
        .map(|fam| family_counts(data, fam.controls.iter()))
        .collect();
    let bars: Vec<Bar<'_>> = fw
        .families
        .iter()
        .zip(&family_counts)
        .map(|(fam, counts)| Bar {
            label: format!("{} {}", fam.id, fam.title),
            counts,
        })
        .collect();
    chart::draw(canvas, &bars);

    // UNKNOWN (Terraform plans) gets a column only when it occurs.
    let mut columns: Vec<(Status, &str)> = vec![
        (Status::Pass, "PASS"),
        (Status::Fail, "FAIL"),
        (Status::Gap, "GAP"),
        (Status::Error, "ERROR"),
        (Status::Waived, "WAIVED"),
        (Status::Manual, "MANUAL"),
        (Status::NotApplicable, "N/A"),
    ];
    if family_counts
        .iter()
        .any(|c| c.contains_key(&Status::Unknown))
    {
        columns.insert(4, (Status::Unknown, "UNKNOWN"));
    }
    // The family column carries the control coverage too, so each status column is wide
    // enough for its bold header ("UNKNOWN" is the widest).
    let family_share = if columns.len() > 7 { 0.26 } else { 0.3 };
    let mut spec: Vec<(&str, f32)> = vec![("Family (controls automated)", family_share)];
    let share = (1.0 - family_share) / columns.len() as f32;
    spec.extend(columns.iter().map(|(_, title)| (*title, share)));
    let table = Table::new(&spec).caption("Findings by control family");
    canvas.table_start(&table);
    for (i, (fam, counts)) in fw.families.iter().zip(&family_counts).enumerate() {
        let automated = fam.controls.iter().filter(|c| c.state != "manual").count();
        let mut cells: Vec<Cell> = vec![vec![
            (SMALL, format!("{} {}", fam.id, fam.title)),
            (
                SMALL_GREY,
                format!("{automated} of {} controls automated", fam.controls.len()),
            ),
        ]];
        for (s, _) in &columns {
            let n = counts.get(s).copied().unwrap_or(0);
            let style = if n > 0 && is_exception(*s) && *s != Status::Waived {
                badge(*s)
            } else {
                SMALL
            };
            cells.push(text(style, n.to_string()));
        }
        canvas.table_row(&table, &cells, i % 2 == 1);
    }
    canvas.space(10.0);

    // The exceptions at a glance: rules with FAIL, GAP, ERROR or WAIVED findings.
    let exceptions: Vec<(&str, StatusCounts)> = data
        .rules
        .iter()
        .map(|r| {
            (
                *r,
                crate::findings::count_by_status(data.findings(r).iter().copied()),
            )
        })
        .filter(|(_, c)| c.keys().any(|s| is_exception(*s)))
        .collect();
    canvas.heading(H3, "Rules with exceptions", 3, 60.0);
    if exceptions.is_empty() {
        canvas.paragraph(
            BODY,
            "No rule mapped to this framework has a FAIL, GAP, ERROR or WAIVED finding.",
            0.0,
        );
        return;
    }
    let table = Table::new(&[("Rule", 0.5), ("Severity", 0.12), ("Outcomes", 0.38)])
        .caption("Rules with exceptions");
    canvas.table_start(&table);
    for (i, (rule, counts)) in exceptions.iter().enumerate() {
        let first = data.findings(rule).first();
        canvas.table_row(
            &table,
            &[
                vec![
                    (MONO, (*rule).to_string()),
                    (
                        SMALL_GREY,
                        first.map(|f| f.rule_title.clone()).unwrap_or_default(),
                    ),
                ],
                text(
                    SMALL,
                    first
                        .map(|f| f.severity.as_str().to_string())
                        .unwrap_or_default(),
                ),
                text(SMALL, counts_line(counts)),
            ],
            i % 2 == 1,
        );
    }
    canvas.space(8.0);
}

/// Findings of the rules of `controls`, each finding counted once.
pub(super) fn family_counts<'c>(
    data: &PackData<'_>,
    controls: impl Iterator<Item = &'c ControlCoverage>,
) -> StatusCounts {
    let rules: BTreeSet<&str> = controls
        .flat_map(|c| c.rules.iter().map(String::as_str))
        .collect();
    let mut counts = StatusCounts::new();
    for r in rules {
        for f in data.findings(r) {
            *counts.entry(f.status).or_default() += 1;
        }
    }
    counts
}
