//! `period-<framework>.pdf`: the period pack for an auditor, one per framework. The cover
//! states the period, the scans it rests on (dates, digests, signatures), the coverage in
//! time, how every scan was verified and what was not read; then the change since the
//! previous scan, the trend across the last four quarters (a chart and a table) and each
//! control: "held throughout", "exceptions on …" with dates, or "not observed from … to …".
//!
//! Laid out with the evidence pack's typesetting (`crate::typeset`): byte-identical for an
//! identical pack (the document date is the period's end, the `/ID` derived from the pack).

use printpdf::Op;

use super::controls::{FrameworkPeriod, Verdict, when};
use super::pack::PeriodPack;
use super::trends::FrameworkTrend;
use crate::typeset::layout::{
    ACCENT, BODY, Canvas, Cell, Colour, GREY, H1, H2, H3, LEFT, MONO, PAGE_H, Painter, RIGHT, RULE,
    SMALL, SMALL_BOLD, SMALL_GREY, TOP, Table, WIDTH,
};
use crate::typeset::{document, fonts};

/// The file name of a framework's period pack.
pub fn file_name(framework_id: &str) -> String {
    crate::report::pdf::file_name(framework_id).replacen("report-", "period-", 1)
}

fn colour(v: Verdict) -> Colour {
    match v {
        Verdict::HeldThroughout => Colour(0.18, 0.61, 0.34),
        Verdict::Exceptions => Colour(0.82, 0.27, 0.23),
        Verdict::NotObserved => Colour(0.9, 0.64, 0.24),
        Verdict::NoAutomatedEvidence => Colour(0.72, 0.74, 0.77),
    }
}

fn cell(style: crate::typeset::layout::Style, s: impl Into<String>) -> Cell {
    vec![(style, s.into())]
}

fn cover(pack: &PeriodPack, fw: &FrameworkPeriod, canvas: &mut Canvas) {
    canvas.mark(0, "Cover", false);
    canvas.draw(|p, ops| {
        p.rect(ops, LEFT, TOP + 6.0, WIDTH, 3.0, ACCENT);
        p.text(
            ops,
            LEFT,
            TOP + 40.0,
            H2.colour(GREY),
            "Evidence over the period",
        );
        p.text(ops, LEFT, TOP + 70.0, H1.colour(ACCENT), &fw.name);
    });
    canvas.y = TOP + 88.0;
    canvas.paragraph(H3, &pack.organisation, 0.0);
    canvas.space(6.0);
    canvas.paragraph(
        BODY,
        &format!(
            "This pack presents evidence supporting the controls of {} over the period {}, \
             from every archived scan of it. It is evidence for an auditor to examine, not a \
             certification. A scan's evidence is taken to stand until the next scan for at most \
             {} hours; time no scan covers is not observed, a GAP, and never counted as a pass. \
             An exception's dates run from the scan that first saw it to the next scan that did \
             not: the change happened between the scan before and that one.",
            fw.name, pack.label, pack.scan_interval_hours
        ),
        0.0,
    );
    canvas.space(8.0);
    let table = Table::new(&[("", 0.27), ("", 0.73)]).without_header();
    canvas.table_start(&table);
    let mut rows: Vec<(String, String)> = vec![
        (
            "Period".into(),
            format!(
                "{}: {} to {}",
                pack.label,
                when(pack.period.from),
                when(pack.period.to)
            ),
        ),
        (
            "Coverage in time".into(),
            format!(
                "{} of {} hours covered by a scan",
                pack.coverage.covered_hours, pack.coverage.period_hours
            ),
        ),
    ];
    if let Some(a) = &pack.account {
        rows.push(("Account".into(), a.clone()));
    }
    for g in &pack.coverage.not_covered {
        rows.push((
            "Not observed".into(),
            format!("from {} to {} (no scan)", when(g.from), when(g.to)),
        ));
    }
    rows.push(("Verification".into(), pack.verification.clone()));
    for n in &pack.not_read {
        rows.push(("Not read".into(), n.clone()));
    }
    for n in &pack.not_used {
        rows.push(("Not used".into(), n.clone()));
    }
    rows.push(("Tool".into(), pack.tool.clone()));
    for (i, (k, v)) in rows.iter().enumerate() {
        canvas.table_row(&table, &[cell(SMALL_BOLD, k), cell(SMALL, v)], i % 2 == 0);
    }
    canvas.space(8.0);
    canvas.heading(H3, "Scans the period rests on", 1, 30.0);
    let table = Table::new(&[
        ("collected", 0.2),
        ("manifest digest", 0.45),
        ("signed by", 0.35),
    ]);
    canvas.table_start(&table);
    for (i, s) in pack.scans.iter().enumerate() {
        canvas.table_row(
            &table,
            &[
                cell(SMALL, when(s.collected_at)),
                cell(MONO, &s.manifest_digest),
                cell(MONO, s.signed_by.as_deref().unwrap_or("unsigned")),
            ],
            i % 2 == 0,
        );
    }
    if pack.scans.is_empty() {
        canvas.paragraph(SMALL, "No scan in the period: nothing was observed.", 0.0);
    }
}

fn since_previous(pack: &PeriodPack, canvas: &mut Canvas) {
    canvas.heading(H2, "Since the previous scan", 0, 30.0);
    let Some(s) = &pack.since_previous else {
        canvas.paragraph(
            BODY,
            "Fewer than two scans in the period: no change to show.",
            0.0,
        );
        return;
    };
    canvas.paragraph(
        BODY,
        &format!(
            "From the scan of {} to that of {}: {} finding(s) new, {} resolved, {} changed in status.",
            when(s.previous.collected_at),
            when(s.latest.collected_at),
            s.findings.new.len(),
            s.findings.resolved.len(),
            s.findings.changed.len()
        ),
        0.0,
    );
    if s.findings.changed.is_empty() {
        return;
    }
    let table = Table::new(&[("rule", 0.3), ("resource", 0.5), ("was", 0.1), ("now", 0.1)]);
    canvas.table_start(&table);
    for (i, c) in s.findings.changed.iter().enumerate() {
        canvas.table_row(
            &table,
            &[
                cell(SMALL, &c.rule_id),
                cell(MONO, &c.resource),
                cell(SMALL, c.old_status.as_str()),
                cell(SMALL, c.new_status.as_str()),
            ],
            i % 2 == 0,
        );
    }
}

fn trend(pack: &PeriodPack, fw: &FrameworkTrend, canvas: &mut Canvas) {
    canvas.heading(H2, "Trend across the last four quarters", 0, 60.0);
    canvas.paragraph(
        BODY,
        "Each quarter judged from the archive as the period is. Green: held throughout; \
         red: exceptions; amber: not observed (part of the quarter no scan covers, or a GAP); \
         grey: no automated evidence.",
        0.0,
    );
    canvas.space(4.0);
    // The chart: a row of cells per control, a column per quarter, a few rows a band.
    const CELL: f32 = 9.0;
    const LABEL: f32 = 70.0;
    let quarters = &pack.trends.quarters;
    canvas.ensure(CELL + 4.0);
    let y = canvas.y;
    canvas.draw(|p, ops| {
        for (q, quarter) in quarters.iter().enumerate() {
            p.text(
                ops,
                LEFT + LABEL + q as f32 * (CELL * 4.0),
                y + 7.0,
                SMALL_GREY,
                &quarter.label,
            );
        }
    });
    canvas.y += CELL + 2.0;
    for c in &fw.controls {
        canvas.ensure(CELL + 1.0);
        let y = canvas.y;
        canvas.draw(|p, ops| {
            p.text(ops, LEFT, y + 7.0, SMALL, &c.id);
            for (q, v) in c.verdicts.iter().enumerate() {
                p.rect(
                    ops,
                    LEFT + LABEL + q as f32 * (CELL * 4.0),
                    y,
                    CELL * 3.5,
                    CELL - 1.0,
                    colour(*v),
                );
            }
        });
        canvas.y += CELL + 1.0;
    }
    canvas.space(8.0);
    let mut columns: Vec<(&str, f32)> = vec![("control", 0.32)];
    for q in quarters {
        columns.push((q.label.as_str(), 0.17));
    }
    let table = Table::new(&columns).caption("Verdict per quarter (scans in the quarter)");
    canvas.table_start(&table);
    let mut counts: Vec<Cell> = vec![cell(SMALL_BOLD, "scans")];
    counts.extend(quarters.iter().map(|q| cell(SMALL, q.scans.to_string())));
    canvas.table_row(&table, &counts, true);
    for (i, c) in fw.controls.iter().enumerate() {
        let mut row: Vec<Cell> = vec![cell(SMALL, format!("{} {}", c.id, c.title))];
        row.extend(c.verdicts.iter().map(|v| cell(SMALL, v.words())));
        canvas.table_row(&table, &row, i % 2 == 1);
    }
}

fn controls(fw: &FrameworkPeriod, canvas: &mut Canvas) {
    canvas.heading(H2, "Controls over the period", 0, 40.0);
    for c in &fw.controls {
        canvas.heading(H3, &format!("{} {}", c.id, c.title), 2, 30.0);
        canvas.paragraph(
            SMALL_BOLD.colour(colour(c.verdict)),
            &c.verdict.words().to_uppercase(),
            0.0,
        );
        canvas.paragraph(SMALL, &c.statement, 0.0);
        if !c.exceptions.is_empty() {
            canvas.space(3.0);
            let table = Table::new(&[
                ("rule", 0.25),
                ("resource", 0.41),
                ("from", 0.17),
                ("to", 0.17),
            ]);
            canvas.table_start(&table);
            for (i, e) in c.exceptions.iter().enumerate() {
                canvas.table_row(
                    &table,
                    &[
                        cell(SMALL, &e.rule_id),
                        cell(MONO, &e.resource),
                        cell(SMALL, when(e.span.from)),
                        cell(SMALL, when(e.span.to)),
                    ],
                    i % 2 == 0,
                );
            }
        }
        canvas.space(6.0);
    }
}

/// Header and footer on every page.
fn decorate(pages: &mut [Vec<Op>], painter: &mut Painter, pack: &PeriodPack, fw: &FrameworkPeriod) {
    let total = pages.len();
    let header = format!(
        "Evidence over the period {} · {} · {}",
        pack.label, fw.name, pack.organisation
    );
    let header = painter.truncate(SMALL_GREY, &header, WIDTH);
    for (i, ops) in pages.iter_mut().enumerate() {
        painter.text(ops, LEFT, 40.0, SMALL_GREY, &header);
        painter.hline(ops, LEFT, RIGHT, 46.0, RULE, 0.5);
        painter.hline(ops, LEFT, RIGHT, PAGE_H - 46.0, RULE, 0.5);
        painter.text(
            ops,
            LEFT,
            PAGE_H - 34.0,
            SMALL_GREY,
            &format!("{} scan(s)", pack.scans.len()),
        );
        painter.text_right(
            ops,
            RIGHT,
            PAGE_H - 34.0,
            SMALL_BOLD.colour(GREY),
            &format!("page {} of {total}", i + 1),
        );
    }
}

/// One PDF per framework of the pack: (file name, bytes).
pub fn render(pack: &PeriodPack) -> Result<Vec<(String, Vec<u8>)>, String> {
    let fonts = fonts::fonts()?;
    let mut out = Vec::new();
    for fw in &pack.frameworks {
        let mut canvas = Canvas::new(fonts);
        cover(pack, fw, &mut canvas);
        canvas.new_page();
        since_previous(pack, &mut canvas);
        if let Some(t) = pack.trends.frameworks.iter().find(|t| t.id == fw.id) {
            trend(pack, t, &mut canvas);
        }
        controls(fw, &mut canvas);
        canvas.ensure(0.0);
        let (mut pages, marks, mut painter) = canvas.finish();
        decorate(&mut pages, &mut painter, pack, fw);
        let digest =
            crate::snapshot::sha256_hex(format!("{}\n{}", pack.to_json(), fw.id).as_bytes());
        let meta = document::Meta {
            title: format!(
                "Evidence over the period {}: {} — {}",
                pack.label, fw.name, pack.organisation
            ),
            author: "assay".into(),
            subject: format!(
                "Evidence supporting {} controls over {}, from {} archived scan(s)",
                fw.name,
                pack.label,
                pack.scans.len()
            ),
            keywords: vec![
                "evidence".into(),
                "period".into(),
                fw.id.clone(),
                pack.label.clone(),
                pack.organisation.clone(),
            ],
            creator: pack.tool.clone(),
            producer: format!("{} (printpdf 0.12, lopdf)", pack.tool),
            date: pack.period.to.format("D:%Y%m%d%H%M%SZ").to_string(),
            id: hex::decode(&digest[..32]).unwrap_or_default(),
            extra: Vec::new(),
        };
        let bytes = document::write(fonts, pages, &marks, &painter, &meta)?;
        out.push((file_name(&fw.id), bytes));
    }
    Ok(out)
}
