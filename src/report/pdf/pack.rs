//! The content of one evidence pack (one framework): what an auditor reads, in the order
//! they read it. Cover, scope and method first (what was and was not looked at, and how
//! to read the outcomes), then the summary chart, the controls one by one with their
//! evidence, the controls that need a person's evidence, gaps, waivers, attestations and
//! the rule catalogue.
//!
//! Wording rule: findings are "evidence supporting" a control. The pack never says a
//! control or the organisation is compliant.
//!
//! This module holds what every section shares (the data, formatting helpers); each
//! part of the pack is a submodule: `front` (cover, section 1), `summary` (section 2),
//! `controls` (section 3), `registers` (sections 4–7 and the appendix).

mod controls;
mod front;
mod registers;
mod soa;
mod summary;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::chart;
use crate::findings::{Finding, Status, StatusCounts};
use crate::report::{FrameworkCoverage, Report};
use crate::typeset::layout::{Canvas, Cell, MONO, SMALL, SMALL_BOLD, Style, Table};

/// How many PASS findings of a rule are listed before "and N more".
pub const PASS_SAMPLE: usize = 20;

/// Request ids and finding ids: a UUID fits the evidence column on one line.
const FINE_MONO: Style = MONO.size_of(6.3);

/// A blank line a few points high, between blocks inside one table cell.
const SPACER: Style = SMALL.size_of(2.5);

/// Longest JSON value printed for an observed value or evidence item.
const VALUE_LIMIT: usize = 400;

/// Everything the pack's pages need, computed once from the report.
pub struct PackData<'a> {
    pub report: &'a Report,
    pub framework: &'a FrameworkCoverage,
    pub report_id: String,
    /// Findings of each rule mapped to this framework, in report order.
    by_rule: BTreeMap<&'a str, Vec<&'a Finding>>,
    /// Rules mapped to this framework, in rule-pack order.
    rules: Vec<&'a str>,
}

impl<'a> PackData<'a> {
    pub fn new(report: &'a Report, framework: &'a FrameworkCoverage, report_id: String) -> Self {
        let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        let mut rules: Vec<&str> = Vec::new();
        for f in &report.findings {
            if f.controls.get(&framework.id).is_none_or(|c| c.is_empty()) {
                continue;
            }
            let list = by_rule.entry(f.rule_id.as_str()).or_default();
            if list.is_empty() {
                rules.push(f.rule_id.as_str());
            }
            list.push(f);
        }
        PackData {
            report,
            framework,
            report_id,
            by_rule,
            rules,
        }
    }

    fn findings(&self, rule: &str) -> &[&'a Finding] {
        self.by_rule.get(rule).map(Vec::as_slice).unwrap_or(&[])
    }

    /// All findings of rules mapped to this framework, by status.
    fn counts(&self) -> StatusCounts {
        let mut c = StatusCounts::new();
        for f in self.by_rule.values().flatten() {
            *c.entry(f.status).or_default() += 1;
        }
        c
    }

    fn is_manual_rule(&self, rule: &str) -> bool {
        self.findings(rule)
            .iter()
            .all(|f| f.status == Status::Manual)
    }
}

/// Statuses shown in full, finding by finding: everything that is not evidence for the
/// control (and WAIVED, whose evidence the waiver does not erase).
pub fn is_exception(status: Status) -> bool {
    matches!(
        status,
        Status::Fail | Status::Gap | Status::Error | Status::Unknown | Status::Waived
    )
}

/// UTC time as `2026-11-22 03:58:41 UTC`.
pub fn time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The first `n` characters of a hash.
pub fn short(hash: &str, n: usize) -> String {
    hash.chars().take(n).collect()
}

/// `PASS 434 · FAIL 65 · GAP 4`, in the findings document's order; "no findings" when
/// empty.
pub fn counts_line(c: &StatusCounts) -> String {
    let parts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|s| c.get(s).map(|n| format!("{} {n}", s.as_str())))
        .collect();
    if parts.is_empty() {
        "no findings".into()
    } else {
        parts.join(" · ")
    }
}

/// A JSON value as compact text, cut at `VALUE_LIMIT` characters.
fn value_text(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    if text.chars().count() > VALUE_LIMIT {
        let cut: String = text.chars().take(VALUE_LIMIT).collect();
        format!("{cut}… (cut; full value in findings.json)")
    } else {
        text
    }
}

pub(super) fn badge(status: Status) -> Style {
    SMALL_BOLD.colour(chart::colour(status).darker())
}

trait Darker {
    fn darker(self) -> Self;
}

impl Darker for crate::typeset::layout::Colour {
    /// Text in a status colour, dark enough to read on white.
    fn darker(self) -> Self {
        crate::typeset::layout::Colour(self.0 * 0.8, self.1 * 0.8, self.2 * 0.8)
    }
}

/// Lays out the whole pack. Returns the canvas with its marks; the caller adds the
/// contents pages, header and footer.
pub fn layout(data: &PackData<'_>, canvas: &mut Canvas) {
    front::cover(data, canvas);
    canvas.new_page();
    front::scope(data, canvas);
    soa::statement(data, canvas);
    summary::summary(data, canvas);
    controls::controls(data, canvas);
    registers::manual_controls(data, canvas);
    registers::gaps(data, canvas);
    registers::waivers(data, canvas);
    registers::attestations(data, canvas);
    registers::catalogue(data, canvas);
}

fn kv_table(canvas: &mut Canvas, rows: &[(&str, Cell)]) {
    let table = Table::new(&[("", 0.27), ("", 0.73)]).without_header();
    canvas.table_start(&table);
    for (i, (key, value)) in rows.iter().enumerate() {
        canvas.table_row(
            &table,
            &[vec![(SMALL_BOLD, (*key).to_string())], value.clone()],
            i % 2 == 0,
        );
    }
    canvas.space(8.0);
}

fn text(style: Style, s: impl Into<String>) -> Cell {
    vec![(style, s.into())]
}
