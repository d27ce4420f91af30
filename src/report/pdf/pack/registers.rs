//! Sections 4–7 and the appendix: controls needing manual evidence, gaps, the waiver
//! register, attestations and the rule catalogue. These list everything, matched or
//! not: an unused waiver or a control with no rule is itself evidence.

use std::collections::BTreeMap;

use super::super::chart;
use super::{Darker, FINE_MONO, PackData, badge, counts_line, short, text, time};
use crate::findings::{Finding, Status};
use crate::rules::RuleKind;
use crate::typeset::layout::{
    BODY, Canvas, Cell, GREY, H1, H3, MONO, SMALL, SMALL_BOLD, SMALL_GREY, Style, Table,
};

pub(super) fn manual_controls(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.new_page();
    canvas.heading(H1, "4 Controls needing manual evidence", 0, 80.0);
    canvas.paragraph(
        BODY,
        "No automated rule maps to these controls: no AWS API shows them, or the rule pack has \
         no check for them yet. An auditor needs other evidence. Where the profile records a \
         person's attestation for a manual rule mapped to the control, it is shown (details in \
         section 7).",
        0.0,
    );
    let table = Table::new(&[
        ("Control", 0.4),
        ("Manual rules", 0.27),
        ("Attestation", 0.33),
    ])
    .caption("Controls needing manual evidence");
    canvas.table_start(&table);
    let mut i = 0;
    for fam in &data.framework.families {
        for c in fam.controls.iter().filter(|c| c.state == "manual") {
            let mut rules: Cell = Vec::new();
            let mut attest: Cell = Vec::new();
            for rule in &c.rules {
                rules.push((MONO, rule.clone()));
                for f in data.findings(rule) {
                    let style = match &f.attestation {
                        Some(a) if !a.expired => SMALL,
                        _ => SMALL_BOLD.colour(chart::colour(Status::Gap).darker()),
                    };
                    attest.push((style, f.summary.clone()));
                }
            }
            if rules.is_empty() {
                rules.push((SMALL_GREY, "none".into()));
                attest.push((SMALL_GREY, "manual evidence required".into()));
            }
            // What the model says is still to do (absent in older findings documents).
            let todo = match c.manual_evidence.as_deref() {
                Some("attested") => Some((SMALL_BOLD, "attested")),
                Some("expired") => Some((badge(Status::Fail), "attestation expired")),
                Some("missing") => Some((badge(Status::Gap), "attestation missing")),
                _ => None,
            };
            if let Some((style, label)) = todo {
                attest.insert(0, (style, label.to_string()));
            }
            canvas.table_row(
                &table,
                &[
                    vec![(SMALL_BOLD, c.id.clone()), (SMALL, c.title.clone())],
                    rules,
                    attest,
                ],
                i % 2 == 1,
            );
            i += 1;
        }
    }
    if i == 0 {
        canvas.paragraph(
            BODY,
            "Every control of this framework has an automated rule.",
            0.0,
        );
    }
    canvas.space(8.0);
}

pub(super) fn gaps(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
    canvas.heading(H1, "5 Gaps: data not read", 0, 100.0);
    canvas.paragraph(
        BODY,
        "What the collector could not read. Every rule that needed this data reports GAP for the \
         resources concerned; a GAP is never counted as a pass and never waived.",
        0.0,
    );
    if r.gaps.is_empty() {
        canvas.paragraph(
            BODY,
            "The snapshot records no gaps: every call it made succeeded.",
            0.0,
        );
    } else {
        let mut by_gap: BTreeMap<&str, usize> = BTreeMap::new();
        for f in data.by_rule.values().flatten() {
            for g in &f.gaps {
                *by_gap.entry(g.as_str()).or_default() += 1;
            }
        }
        let table = Table::new(&[
            // Wide enough for a gap id's hex part whole (`gap-` / `23edf6c2fe`).
            ("Gap", 0.12),
            ("Where", 0.17),
            ("Call and error", 0.26),
            ("Message", 0.34),
            ("GAP findings", 0.11),
        ])
        .caption("Gap records");
        canvas.table_start(&table);
        for (i, g) in r.gaps.iter().enumerate() {
            let mut where_: Cell = vec![(MONO, g.account.clone()), (SMALL, g.region.clone())];
            if !g.resource_types.is_empty() {
                where_.push((
                    SMALL_GREY,
                    format!("unlisted: {}", g.resource_types.join(", ")),
                ));
            }
            canvas.table_row(
                &table,
                &[
                    text(SMALL_BOLD, g.id.clone()),
                    where_,
                    vec![
                        (MONO, g.operation.clone()),
                        (badge(Status::Gap), g.error_code.clone()),
                        (SMALL_GREY, time(&g.occurred_at)),
                    ],
                    text(SMALL, g.message.clone()),
                    text(
                        SMALL,
                        format!(
                            "{} in this framework",
                            by_gap.get(g.id.as_str()).copied().unwrap_or(0)
                        ),
                    ),
                ],
                i % 2 == 1,
            );
        }
        canvas.space(8.0);
    }
    let not_read: Vec<(String, String, String)> = r
        .snapshot
        .accounts
        .iter()
        .flat_map(|a| {
            a.regions_not_read
                .iter()
                .map(|n| (a.account_id.clone(), n.region.clone(), n.reason.clone()))
        })
        .collect();
    if !not_read.is_empty() {
        canvas.heading(H3, "Regions not read", 3, 40.0);
        let table = Table::new(&[("Account", 0.25), ("Region", 0.25), ("Reason", 0.5)])
            .caption("Regions not read");
        canvas.table_start(&table);
        for (i, (a, region, reason)) in not_read.into_iter().enumerate() {
            canvas.table_row(
                &table,
                &[text(MONO, a), text(SMALL, region), text(SMALL, reason)],
                i % 2 == 1,
            );
        }
        canvas.space(8.0);
    }
}

pub(super) fn waivers(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
    canvas.heading(H1, "6 Waiver register", 0, 100.0);
    canvas.paragraph(
        BODY,
        "Every approved exception in the waiver file, whether or not it matched a finding. An \
         expired waiver leaves its findings FAIL; a waiver that matched nothing is listed as \
         unused so it can be removed.",
        0.0,
    );
    if r.waivers.is_empty() {
        canvas.paragraph(BODY, "No waiver file was given: no finding is waived.", 0.0);
        return;
    }
    let table = Table::new(&[
        ("Waiver", 0.14),
        ("Rule and resource", 0.34),
        ("Reason and approval", 0.34),
        ("State", 0.18),
    ])
    .caption("Waiver register");
    canvas.table_start(&table);
    for (i, w) in r.waivers.iter().enumerate() {
        let state = if w.expired {
            (
                badge(Status::Fail),
                format!("EXPIRED (last valid day {})", w.expires),
            )
        } else if w.matched == 0 {
            (
                badge(Status::Gap),
                format!("UNUSED (valid until {})", w.expires),
            )
        } else {
            (SMALL_BOLD, format!("active until {}", w.expires))
        };
        canvas.table_row(
            &table,
            &[
                text(SMALL_BOLD, w.id.clone()),
                vec![(MONO, w.rule.clone()), (MONO, w.resource.clone())],
                approval_cell(w),
                vec![
                    state,
                    (SMALL_GREY, format!("matched {} finding(s)", w.matched)),
                ],
            ],
            i % 2 == 1,
        );
    }
    canvas.space(8.0);
}

pub(super) fn attestations(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.heading(H1, "7 Attestations", 0, 100.0);
    canvas.paragraph(
        BODY,
        "Manual rules mapped to this framework: what a person attested, when, until when and \
         where the evidence is. An attestation that has expired, or a manual rule without one, \
         needs manual evidence again.",
        0.0,
    );
    let manual: Vec<&Finding> = data
        .rules
        .iter()
        .flat_map(|r| data.findings(r))
        .filter(|f| f.status == Status::Manual)
        .copied()
        .collect();
    if manual.is_empty() {
        canvas.paragraph(BODY, "No manual rule maps to this framework.", 0.0);
        return;
    }
    let table = Table::new(&[
        ("Rule and controls", 0.27),
        ("Statement", 0.4),
        ("Attested", 0.33),
    ])
    .caption("Attestations");
    canvas.table_start(&table);
    for (i, f) in manual.iter().enumerate() {
        let controls = f
            .controls
            .get(&data.framework.id)
            .map(|c| c.join(", "))
            .unwrap_or_default();
        let (statement, attested): (Cell, Cell) = match &f.attestation {
            Some(a) => (
                vec![
                    (SMALL, a.statement.trim().to_string()),
                    (Style { size: 6.5, ..MONO }, a.evidence.clone()),
                ],
                vec![
                    (SMALL, format!("by {}", a.attested_by)),
                    (SMALL, format!("on {}, valid until {}", a.date, a.expires)),
                    if a.expired {
                        (
                            badge(Status::Fail),
                            "EXPIRED: manual evidence required".to_string(),
                        )
                    } else {
                        (SMALL_BOLD, "valid at the evidence time".to_string())
                    },
                ],
            ),
            None => (
                text(SMALL_GREY, f.rule_title.clone()),
                text(
                    badge(Status::Gap),
                    "no attestation: manual evidence required",
                ),
            ),
        };
        canvas.table_row(
            &table,
            &[
                vec![(MONO, f.rule_id.clone()), (SMALL_GREY, controls)],
                statement,
                attested,
            ],
            i % 2 == 1,
        );
    }
    canvas.space(8.0);
}

pub(super) fn catalogue(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.new_page();
    canvas.heading(H1, "Appendix A Rule catalogue", 0, 80.0);
    canvas.paragraph(
        BODY,
        &format!(
            "The {} rules of the rule pack (SHA-256 {}) that map to {}: what each checks, \
             its version (SHA-256 of the rule file), the controls it gives evidence for and \
             its outcomes.",
            data.rules.len(),
            short(&data.report.rule_pack.digest, 16),
            data.framework.name
        ),
        0.0,
    );
    let table = Table::new(&[
        ("Rule", 0.5),
        ("Severity", 0.11),
        ("Controls", 0.14),
        ("Outcomes", 0.25),
    ])
    .caption("Rule catalogue");
    canvas.table_start(&table);
    for (i, rule) in data.rules.iter().enumerate() {
        let findings = data.findings(rule);
        let Some(first) = findings.first() else {
            continue;
        };
        let entry = data.report.rule_catalogue.iter().find(|e| e.id == *rule);
        let controls = first
            .controls
            .get(&data.framework.id)
            .map(|c| c.join(", "))
            .unwrap_or_default();
        let kind = match entry.map(|e| e.kind) {
            Some(RuleKind::Manual) => "manual",
            Some(RuleKind::Automated) => "automated",
            None if data.is_manual_rule(rule) => "manual",
            None => "automated",
        };
        let mut about: Cell = vec![
            (MONO, (*rule).to_string()),
            (SMALL, first.rule_title.clone()),
        ];
        if let Some(e) = entry {
            if !e.what.trim().is_empty() {
                // Rule documentation is Markdown: `code` spans are set as code.
                about.push((SMALL_GREY.with_code_spans(), e.what.trim().to_string()));
            }
            if !e.resource_types.is_empty() {
                about.push((
                    SMALL_GREY,
                    format!("resources: {}", e.resource_types.join(", ")),
                ));
            }
            about.push((
                FINE_MONO.colour(GREY),
                format!("version {}", short(&e.sha256, 16)),
            ));
        }
        canvas.table_row(
            &table,
            &[
                about,
                vec![
                    (SMALL, first.severity.as_str().to_string()),
                    (SMALL_GREY, kind.to_string()),
                ],
                text(SMALL, controls),
                text(
                    SMALL,
                    counts_line(&crate::findings::count_by_status(findings.iter().copied())),
                ),
            ],
            i % 2 == 1,
        );
    }
    let others = data.report.rule_pack.rules.saturating_sub(data.rules.len());
    if others > 0 {
        canvas.space(4.0);
        canvas.paragraph(
            SMALL_GREY,
            &format!(
                "{others} further selected rule(s) map to other frameworks only; they are in \
                 findings.json and the other packs."
            ),
            0.0,
        );
    }
}

/// A waiver's reason and approval: who approved it and when, the ticket, the risk rating
/// and the compensating controls, each said as "not recorded" when the file leaves it out
/// so an auditor sees what was not given.
fn approval_cell(w: &crate::waivers::WaiverUse) -> Cell {
    let mut cell = vec![
        (SMALL, w.reason.trim().to_string()),
        (
            SMALL_GREY,
            format!(
                "approved by {} on {} · {}",
                w.approved_by,
                w.approved_on.as_deref().unwrap_or("(date not recorded)"),
                w.ticket
            ),
        ),
        (
            SMALL_GREY,
            format!(
                "risk rating: {}",
                w.risk_rating.as_deref().unwrap_or("not recorded")
            ),
        ),
    ];
    if w.compensating_controls.is_empty() {
        cell.push((SMALL_GREY, "compensating controls: none recorded".into()));
    } else {
        cell.push((SMALL_GREY, "compensating controls:".into()));
        for c in &w.compensating_controls {
            cell.push((SMALL, format!("- {c}")));
        }
    }
    cell
}
