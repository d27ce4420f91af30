//! Section 3, control by control: each control's rules and outcomes, every exception in
//! full (resource, observed vs expected, the API call with request id and time) and a
//! sample of the PASS evidence. A rule mapped to several controls is shown in full once.

use std::collections::BTreeMap;

use super::summary::family_counts;
use super::{
    FINE_MONO, PASS_SAMPLE, PackData, SPACER, badge, counts_line, is_exception, text, value_text,
};
use crate::findings::{AssertionStatus, Finding, Status};
use crate::report::ControlCoverage;
use crate::typeset::layout::{
    ACCENT, BODY, Canvas, Cell, GREY, H1, H2, H3, MONO, SMALL, SMALL_BOLD, SMALL_GREY, Style, Table,
};

pub(super) fn controls(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.new_page();
    canvas.heading(H1, "3 Controls with automated evidence", 0, 80.0);
    canvas.paragraph(
        BODY,
        "Control by control: the rules mapped to it and their outcomes, every FAIL, GAP, ERROR \
         and WAIVED finding in full with the API call its evidence came from, and PASS evidence \
         (the first 20 per rule, then a count). A rule mapped to several controls is shown in \
         full under the first of them.",
        0.0,
    );
    // Rule id → the control under which its findings were shown in full.
    let mut shown: BTreeMap<&str, String> = BTreeMap::new();
    for fam in &data.framework.families {
        let automated: Vec<&ControlCoverage> = fam
            .controls
            .iter()
            .filter(|c| c.state != "manual")
            .collect();
        canvas.heading(H2, &format!("{} {}", fam.id, fam.title), 1, 60.0);
        canvas.paragraph(
            SMALL_GREY,
            &counts_line(&family_counts(data, fam.controls.iter())),
            0.0,
        );
        if automated.is_empty() {
            canvas.paragraph(
                BODY,
                "No control of this family has an automated rule: all of them need manual \
                 evidence (section 4).",
                0.0,
            );
            continue;
        }
        for control in automated {
            control_section(data, canvas, control, &mut shown);
        }
    }
}

fn control_section<'a>(
    data: &PackData<'a>,
    canvas: &mut Canvas,
    control: &ControlCoverage,
    shown: &mut BTreeMap<&'a str, String>,
) {
    canvas.heading(
        H3.colour(ACCENT),
        &format!("{} {}", control.id, control.title),
        2,
        50.0,
    );
    let state = match control.state.as_str() {
        "exceptions" => "exceptions: at least one FAIL, GAP or ERROR",
        "evidence" => "evidence: no FAIL, GAP or ERROR",
        other => other,
    };
    canvas.rich(
        &[
            (SMALL_BOLD, "State: "),
            (SMALL, state),
            (SMALL_GREY, "   "),
            (SMALL_GREY, &counts_line(&control.summary)),
        ],
        0.0,
    );
    let table = Table::new(&[("Rule", 0.52), ("Severity", 0.11), ("Outcomes", 0.37)])
        .caption(format!("{} rules", control.id));
    canvas.table_start(&table);
    for (i, rule) in control.rules.iter().enumerate() {
        let findings = data.findings(rule);
        let first = findings.first();
        canvas.table_row(
            &table,
            &[
                vec![
                    (MONO, rule.clone()),
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
                text(
                    SMALL,
                    counts_line(&crate::findings::count_by_status(findings.iter().copied())),
                ),
            ],
            i % 2 == 1,
        );
    }
    canvas.space(6.0);

    for rule in &control.rules {
        let Some((rule, findings)) = data.by_rule.get_key_value(rule.as_str()) else {
            continue;
        };
        let title = findings
            .first()
            .map(|f| f.rule_title.as_str())
            .unwrap_or("");
        canvas.ensure(60.0);
        canvas.rich(
            &[
                (SMALL_BOLD, "Rule "),
                (Style { size: 7.5, ..MONO }, rule),
                (SMALL_BOLD, " "),
                (SMALL, title),
            ],
            0.0,
        );
        if let Some(first) = shown.get(rule) {
            canvas.paragraph(
                SMALL_GREY,
                &format!("Its findings are shown in full above, under control {first}."),
                8.0,
            );
            continue;
        }
        shown.insert(rule, control.id.clone());
        rule_findings(data, canvas, rule, findings);
    }
    canvas.space(4.0);
}

fn rule_findings(data: &PackData<'_>, canvas: &mut Canvas, rule: &str, findings: &[&Finding]) {
    if data.is_manual_rule(rule) {
        for f in findings {
            canvas.paragraph(SMALL, &format!("MANUAL: {}", f.summary), 8.0);
        }
        return;
    }
    let exceptions: Vec<&&Finding> = findings.iter().filter(|f| is_exception(f.status)).collect();
    if !exceptions.is_empty() {
        let table = Table::new(&[
            ("Status", 0.085),
            ("Resource", 0.3),
            ("Observed vs expected", 0.295),
            ("Evidence (API call)", 0.32),
        ])
        .caption(format!("{rule}: FAIL, GAP, ERROR and WAIVED findings"));
        canvas.table_start(&table);
        for (i, f) in exceptions.iter().enumerate() {
            canvas.table_row(&table, &exception_cells(data, f), i % 2 == 1);
        }
        canvas.space(5.0);
    }

    let passes: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Pass)
        .collect();
    if !passes.is_empty() {
        let table = Table::new(&[
            ("PASS evidence: resource", 0.45),
            ("Account / region", 0.2),
            ("Evidence (API call)", 0.35),
        ])
        .caption(format!("{rule}: PASS evidence"));
        canvas.table_start(&table);
        for (i, f) in passes.iter().take(PASS_SAMPLE).enumerate() {
            canvas.table_row(&table, &pass_cells(f), i % 2 == 1);
        }
        if passes.len() > PASS_SAMPLE {
            canvas.paragraph(
                SMALL_GREY,
                &format!(
                    "… and {} more PASS findings of this rule ({} in all; every one is in findings.json).",
                    passes.len() - PASS_SAMPLE,
                    passes.len()
                ),
                0.0,
            );
        }
        canvas.space(4.0);
    }

    let na: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::NotApplicable)
        .collect();
    if let Some(first) = na.first() {
        // The evaluator quotes the rule's `applies_when` expression in backticks: code.
        canvas.paragraph(
            SMALL_GREY.with_code_spans(),
            &format!(
                "NOT_APPLICABLE: {} finding(s), not counted as pass; e.g. {}",
                na.len(),
                first.summary
            ),
            8.0,
        );
    }
}

fn resource_cell(f: &Finding) -> Cell {
    match &f.resource {
        Some(res) => vec![
            (MONO, res.arn.clone()),
            (SMALL_GREY, format!("{} · {}", res.type_name, res.name)),
            (
                SMALL_GREY,
                format!("account {} · {}", res.account, res.region),
            ),
            (SMALL_GREY, format!("snapshot {}", res.pointer)),
            (FINE_MONO.colour(GREY), format!("finding {}", f.id)),
        ],
        None => vec![
            (
                SMALL,
                format!("scope {}", f.scope.as_deref().unwrap_or("-")),
            ),
            (FINE_MONO.colour(GREY), format!("finding {}", f.id)),
        ],
    }
}

fn exception_cells(data: &PackData<'_>, f: &Finding) -> Vec<Cell> {
    let status = vec![
        (badge(f.status), f.status.as_str().to_string()),
        (SMALL_GREY, f.severity.as_str().to_string()),
    ];

    let mut observed: Cell = Vec::new();
    for a in &f.assertions {
        match a.status {
            AssertionStatus::Fail => {
                let mut line = format!("{} failed", a.name);
                if let Some(v) = &a.observed {
                    line.push_str(&format!(": observed {}", value_text(v)));
                }
                if let Some(e) = &a.expected {
                    line.push_str(&format!(", expected {e}"));
                }
                observed.push((SMALL, line));
                for (k, v) in &a.evidence {
                    observed.push((SMALL_GREY, format!("{k} = {}", value_text(v))));
                }
            }
            AssertionStatus::Gap | AssertionStatus::Error | AssertionStatus::Unknown => {
                let label = match a.status {
                    AssertionStatus::Gap => "GAP",
                    AssertionStatus::Error => "ERROR",
                    _ => "UNKNOWN",
                };
                observed.push((
                    SMALL,
                    format!("{} {label}: {}", a.name, a.message.as_deref().unwrap_or("")),
                ));
            }
            _ => {}
        }
    }
    if observed.is_empty() {
        observed.push((SMALL, f.summary.clone()));
    }
    let passed = f
        .assertions
        .iter()
        .filter(|a| a.status == AssertionStatus::Pass)
        .count();
    if passed > 0 {
        observed.push((
            SMALL_GREY,
            format!("{passed} of {} assertions held", f.assertions.len()),
        ));
    }
    if !f.gaps.is_empty() {
        observed.push((
            SMALL_GREY,
            format!("gap records: {} (section 5)", f.gaps.join(", ")),
        ));
    }
    if let Some(w) = &f.waiver {
        let state = if w.expired {
            "EXPIRED waiver, still FAIL"
        } else {
            "waived"
        };
        observed.push((
            SMALL_BOLD,
            format!(
                "{state}: {} ({}, approved by {}, expires {})",
                w.id, w.ticket, w.approved_by, w.expires
            ),
        ));
        observed.push((SMALL_GREY, w.reason.trim().to_string()));
    }

    let mut evidence: Cell = Vec::new();
    for (i, s) in f.sources.iter().enumerate() {
        if i > 0 {
            evidence.push((SPACER, String::new()));
        }
        evidence.push((MONO, s.operation.clone()));
        evidence.push((
            SMALL_GREY,
            format!(
                "{} · {}",
                s.region,
                s.called_at.format("%Y-%m-%d %H:%M:%SZ")
            ),
        ));
        if let Some(id) = &s.request_id {
            evidence.push((FINE_MONO, format!("req {id}")));
        }
        evidence.extend(response_hash_lines(&s.response_sha256));
    }
    for gap_id in &f.gaps {
        if let Some(g) = data.report.gaps.iter().find(|g| &g.id == gap_id) {
            evidence.push((MONO, g.operation.clone()));
            evidence.push((
                SMALL_GREY,
                format!(
                    "{} {} · {}",
                    g.account,
                    g.region,
                    g.occurred_at.format("%Y-%m-%d %H:%M:%SZ")
                ),
            ));
            evidence.push((SMALL_GREY, format!("not read: {}", g.error_code)));
        }
    }
    if evidence.is_empty() {
        evidence.push((SMALL_GREY, "no API call recorded".into()));
    }
    vec![status, resource_cell(f), observed, evidence]
}

fn pass_cells(f: &Finding) -> Vec<Cell> {
    let resource = match &f.resource {
        Some(r) => vec![(MONO, r.arn.clone())],
        None => vec![(SMALL, f.scope.clone().unwrap_or_default())],
    };
    let place = match &f.resource {
        Some(r) => format!("{}\n{}", r.account, r.region),
        None => String::new(),
    };
    let source = f
        .sources
        .iter()
        .find(|s| s.group != "resource")
        .or_else(|| f.sources.first());
    let evidence = match source {
        Some(s) => {
            let mut cell = vec![
                (MONO, s.operation.clone()),
                (
                    SMALL_GREY,
                    format!(
                        "{}{}",
                        s.called_at.format("%Y-%m-%d %H:%M:%SZ"),
                        s.request_id
                            .as_ref()
                            .map(|r| format!(" · request {r}"))
                            .unwrap_or_default()
                    ),
                ),
            ];
            cell.extend(response_hash_lines(&s.response_sha256));
            cell
        }
        None => vec![(SMALL_GREY, "no API call recorded".into())],
    };
    vec![resource, text(SMALL, place), evidence]
}

/// The SHA-256 of a cited call's raw response, in full, so a reader holding only the
/// paper can recompute it from the snapshot's `raw_responses`: two lines of 32 hex digits
/// (64 do not fit the evidence column), split at a fixed place rather than wherever the
/// line runs out.
fn response_hash_lines(sha256: &str) -> [(Style, String); 2] {
    let (head, tail) = sha256.split_at(sha256.len().min(32));
    [
        (FINE_MONO, format!("sha256 {head}")),
        (FINE_MONO, tail.to_string()),
    ]
}
