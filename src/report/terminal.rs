//! The terminal summary: per framework and control family, then the failing rules and
//! the gaps. Colour only when stdout is a terminal. Text from the evidence, the profile or
//! the waivers goes through [`t`], so an escape sequence in an ARN or a profile name is
//! shown, not obeyed.

use std::fmt::Write as _;

use comfy_table::{Cell, Table, presets::UTF8_FULL_CONDENSED};
use owo_colors::OwoColorize;

use super::Report;
use crate::findings::{Status, StatusCounts};

const COLUMNS: [Status; 8] = [
    Status::Pass,
    Status::Fail,
    Status::Gap,
    Status::Error,
    Status::Unknown,
    Status::Waived,
    Status::Manual,
    Status::NotApplicable,
];

fn count(c: &StatusCounts, s: Status) -> usize {
    c.get(&s).copied().unwrap_or(0)
}

/// Text from outside assay, made safe to print (`super::text::terminal_with`).
fn t(text: &str) -> std::borrow::Cow<'_, str> {
    super::text::terminal_with(text, false)
}

fn paint(text: String, status: Status, colour: bool) -> String {
    if !colour || text == "0" {
        return text;
    }
    match status {
        Status::Pass => text.green().to_string(),
        Status::Fail => text.red().bold().to_string(),
        Status::Gap | Status::Error | Status::Unknown => text.yellow().bold().to_string(),
        _ => text,
    }
}

pub fn render(report: &Report, colour: bool) -> String {
    let mut out = String::new();
    let accounts: Vec<&str> = report
        .snapshot
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    let _ = writeln!(
        out,
        "assay {} — {} — evidence collected {}",
        report.tool.version,
        t(&report.profile.organisation),
        report.snapshot.collected_at.format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(
        out,
        "snapshot {} ({} resources, accounts {}), manifest {}",
        t(&report.snapshot.path),
        report.snapshot.resources,
        t(&accounts.join(", ")),
        &report.snapshot.manifest_digest[..report.snapshot.manifest_digest.len().min(16)]
    );
    for f in &report.frameworks {
        let _ = writeln!(
            out,
            "\n{} — evidence by control family ({} controls with automated rules, {} need manual evidence)",
            t(&f.name),
            f.automated_controls,
            f.manual_controls
        );
        let mut table = Table::new();
        table.load_style(UTF8_FULL_CONDENSED);
        let mut header = vec![Cell::new("family")];
        header.extend(COLUMNS.iter().map(|s| Cell::new(s.as_str())));
        table.set_header(header);
        for family in f.families.iter().filter(|fam| !fam.summary.is_empty()) {
            let mut row = vec![Cell::new(t(&format!("{} {}", family.id, family.title)))];
            row.extend(
                COLUMNS
                    .iter()
                    .map(|s| Cell::new(paint(count(&family.summary, *s).to_string(), *s, colour))),
            );
            table.add_row(row);
        }
        let _ = writeln!(out, "{table}");
    }

    let mut by_rule: std::collections::BTreeMap<&str, (usize, &str, &str)> = Default::default();
    for finding in report.findings.iter().filter(|f| f.status == Status::Fail) {
        let e = by_rule.entry(&finding.rule_id).or_insert((
            0,
            finding.severity.as_str(),
            &finding.summary,
        ));
        e.0 += 1;
    }
    if !by_rule.is_empty() {
        let _ = writeln!(out, "\nFailing rules:");
        for (rule, (n, severity, example)) in &by_rule {
            let _ = writeln!(
                out,
                "  {} {} [{severity}] — {n} resource(s); e.g. {}",
                paint("FAIL".into(), Status::Fail, colour),
                t(rule),
                t(example)
            );
        }
    }
    if !report.gaps.is_empty() {
        let _ = writeln!(out, "\nGaps (not read, so not judged):");
        for g in &report.gaps {
            let _ = writeln!(
                out,
                "  {} {} {}/{} {}: {} {}",
                paint("GAP".into(), Status::Gap, colour),
                t(&g.id),
                t(&g.account),
                t(&g.region),
                t(&g.operation),
                t(&g.error_code),
                t(&g.message)
            );
        }
    }
    let expired: Vec<_> = report.waivers.iter().filter(|w| w.expired).collect();
    let unused: Vec<_> = report.waivers.iter().filter(|w| w.matched == 0).collect();
    for w in expired {
        let _ = writeln!(
            out,
            "  waiver {} for {} on {} EXPIRED on {}: its findings count as FAIL",
            t(&w.id),
            t(&w.rule),
            t(&w.resource),
            w.expires
        );
    }
    for w in unused {
        let _ = writeln!(
            out,
            "  warning: waiver {} for {} on {} matched no finding",
            t(&w.id),
            t(&w.rule),
            t(&w.resource)
        );
    }
    let totals: Vec<String> = COLUMNS
        .iter()
        .map(|s| format!("{} {}", count(&report.summary, *s), s.as_str()))
        .collect();
    let _ = writeln!(out, "\nTotal: {}", totals.join(", "));
    out
}
