//! `period.html`: the period pack as one self-contained page (no script, no remote
//! resource): the cover (period, scans with their digests, coverage in time, how each
//! scan was verified, what was not read), the change since the previous scan, the trend
//! across the last four quarters (a chart of coloured cells and a table), then every
//! control with its statement and dates. Every text is escaped.

use std::fmt::Write as _;

use super::controls::{Verdict, when};
use super::pack::PeriodPack;
use super::trends::Trends;
use crate::report::chart::xml_escape as esc;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#1a1a1f}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccd;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#dde5ef}code{font-size:.9em}.held_throughout{color:#1b6e3a}.exceptions{color:#a3261b}\
.not_observed{color:#8a5a00}.no_automated_evidence{color:#555}";

/// The colour of a verdict in the trend chart.
pub fn colour(v: Verdict) -> &'static str {
    match v {
        Verdict::HeldThroughout => "#2e9b57",
        Verdict::Exceptions => "#d2453a",
        Verdict::NotObserved => "#e6a23c",
        Verdict::NoAutomatedEvidence => "#b8bcc4",
    }
}

fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::HeldThroughout => "held_throughout",
        Verdict::Exceptions => "exceptions",
        Verdict::NotObserved => "not_observed",
        Verdict::NoAutomatedEvidence => "no_automated_evidence",
    }
}

/// The trend of one framework as an SVG: a row per control, a cell per quarter.
fn chart(trends: &Trends, framework: usize) -> String {
    const CELL: usize = 18;
    const LABEL: usize = 110;
    let fw = &trends.frameworks[framework];
    let width = LABEL + CELL * trends.quarters.len() + 4;
    let height = CELL * (fw.controls.len() + 1) + 4;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        esc(&format!("Trend of {} by quarter", fw.name))
    );
    for (q, quarter) in trends.quarters.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"12\" font-size=\"7\">{}</text>",
            LABEL + q * CELL,
            esc(quarter.label.get(2..).unwrap_or(&quarter.label))
        );
    }
    for (i, c) in fw.controls.iter().enumerate() {
        let y = CELL * (i + 1);
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"9\">{}</text>",
            y + 12,
            esc(&c.id)
        );
        for (q, v) in c.verdicts.iter().enumerate() {
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
                LABEL + q * CELL,
                CELL - 2,
                CELL - 2,
                colour(*v),
                esc(&format!(
                    "{} {}: {}",
                    c.id,
                    trends.quarters[q].label,
                    v.words()
                ))
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// The trend as a section of the evidence report (`report.html`, `audit --snapshot` with
/// an archive): the same chart and table as the period pack's, styled inline so it reads
/// the same in any page.
pub fn trends_section(t: &Trends) -> String {
    let mut h = String::from("<section id=\"trends\">\n");
    trends(&mut h, t);
    for v in [
        Verdict::HeldThroughout,
        Verdict::Exceptions,
        Verdict::NotObserved,
        Verdict::NoAutomatedEvidence,
    ] {
        h = h.replace(
            &format!("<td class=\"{}\">", class(v)),
            &format!("<td class=\"{}\" style=\"color:{}\">", class(v), colour(v)),
        );
    }
    h.push_str("</section>\n");
    h
}

fn trends(h: &mut String, trends: &Trends) {
    h.push_str("<h2>Trend across the last four quarters</h2>\n<p>Each quarter judged from the archive as the period is: ");
    for v in [
        Verdict::HeldThroughout,
        Verdict::Exceptions,
        Verdict::NotObserved,
        Verdict::NoAutomatedEvidence,
    ] {
        let _ = write!(
            h,
            "<span style=\"color:{}\">&#9632;</span> {} ",
            colour(v),
            v.words()
        );
    }
    h.push_str("</p>\n");
    for (i, fw) in trends.frameworks.iter().enumerate() {
        let _ = writeln!(h, "<h3>{}</h3>\n{}", esc(&fw.name), chart(trends, i));
        h.push_str("<table><tr><th>control</th>");
        for q in &trends.quarters {
            let _ = write!(h, "<th>{} ({} scan(s))</th>", esc(&q.label), q.scans);
        }
        h.push_str("</tr>\n");
        for c in &fw.controls {
            let _ = write!(h, "<tr><td>{} {}</td>", esc(&c.id), esc(&c.title));
            for v in &c.verdicts {
                let _ = write!(h, "<td class=\"{}\">{}</td>", class(*v), v.words());
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
}

pub fn render(pack: &PeriodPack) -> String {
    let mut h = String::new();
    let title = format!(
        "Evidence over the period {} — {}",
        pack.label, pack.organisation
    );
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        h,
        "<p>Evidence supporting controls over the period, from the archived scans below. Not a certification: time no scan covers is <em>not observed</em>, never a pass.</p>"
    );
    h.push_str("<table>\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    };
    row(
        "Period",
        format!(
            "{} — {} to {}",
            pack.label,
            when(pack.period.from),
            when(pack.period.to)
        ),
    );
    if let Some(a) = &pack.account {
        row("Account", a.clone());
    }
    row(
        "Coverage in time",
        format!(
            "{} of {} hours covered by a scan (evidence taken to stand for at most {} h after a scan)",
            pack.coverage.covered_hours, pack.coverage.period_hours, pack.scan_interval_hours
        ),
    );
    for g in &pack.coverage.not_covered {
        row(
            "Not observed",
            format!("from {} to {} (no scan)", when(g.from), when(g.to)),
        );
    }
    row("Verification", pack.verification.clone());
    for n in &pack.not_read {
        row("Not read", n.clone());
    }
    for n in &pack.not_used {
        row("Not used", n.clone());
    }
    row("Tool", pack.tool.clone());
    h.push_str("</table>\n<h2>Scans the period rests on</h2>\n<table><tr><th>collected</th><th>manifest digest</th><th>signed by</th><th>scan record</th></tr>\n");
    for s in &pack.scans {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&when(s.collected_at)),
            esc(&s.manifest_digest),
            esc(s.signed_by.as_deref().unwrap_or("unsigned")),
            esc(&s.source)
        );
    }
    h.push_str("</table>\n");
    if let Some(s) = &pack.since_previous {
        let _ = writeln!(
            h,
            "<h2>Since the previous scan</h2>\n<p>{} to {}: {} new, {} resolved, {} changed in status.</p>",
            esc(&when(s.previous.collected_at)),
            esc(&when(s.latest.collected_at)),
            s.findings.new.len(),
            s.findings.resolved.len(),
            s.findings.changed.len()
        );
        if !s.findings.changed.is_empty() {
            h.push_str("<table><tr><th>rule</th><th>resource</th><th>was</th><th>now</th></tr>\n");
            for c in &s.findings.changed {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    esc(&c.rule_id),
                    esc(&c.resource),
                    c.old_status.as_str(),
                    c.new_status.as_str()
                );
            }
            h.push_str("</table>\n");
        }
    }
    trends(&mut h, &pack.trends);
    for fw in &pack.frameworks {
        let _ = writeln!(h, "<h2>{}: controls over the period</h2>", esc(&fw.name));
        for c in &fw.controls {
            let _ = writeln!(
                h,
                "<h3>{} {} — <span class=\"{}\">{}</span></h3>\n<p>{}</p>",
                esc(&c.id),
                esc(&c.title),
                class(c.verdict),
                c.verdict.words(),
                esc(&c.statement)
            );
            if !c.exceptions.is_empty() {
                h.push_str(
                    "<table><tr><th>rule</th><th>resource</th><th>from</th><th>to</th></tr>\n",
                );
                for e in &c.exceptions {
                    let _ = writeln!(
                        h,
                        "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        esc(&e.rule_id),
                        esc(&e.resource),
                        esc(&when(e.span.from)),
                        esc(&when(e.span.to))
                    );
                }
                h.push_str("</table>\n");
            }
        }
    }
    h.push_str("</body></html>\n");
    h
}
