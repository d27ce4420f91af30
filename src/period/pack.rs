//! The period pack's content, computed once and written as JSON, CSV, HTML and one PDF per
//! framework (`period.json`, `period.csv`, `period.html`, `period-<framework>.pdf`).
//!
//! Everything in it comes from the archived scans (their records, findings and digests)
//! and the arguments: no wall clock, no path of the machine that built it beyond the
//! archive's own location, so the same archive gives the same bytes.

use chrono::TimeDelta;
use serde::Serialize;

use super::controls::{self, FrameworkPeriod};
use super::trends::{self, Trends};
use super::{PeriodReport, Scan, ScanRef, Span, Timeline};
use crate::diff::FindingsDiff;

/// The version of `period.json`.
pub const PERIOD_SCHEMA_VERSION: u32 = 1;

/// How much of the period the scans cover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub period_hours: i64,
    pub covered_hours: i64,
    pub not_covered: Vec<Span>,
}

/// What changed from the scan before the last to the last (`assay diff` of their findings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SincePrevious {
    pub previous: ScanRef,
    pub latest: ScanRef,
    pub findings: FindingsDiff,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodPack {
    pub schema_version: u32,
    pub tool: String,
    pub organisation: String,
    /// The period as asked (`2026-Q3`, `2026-07-01..2026-09-30`).
    pub label: String,
    pub period: Span,
    /// Only this account's scans and findings, when asked.
    pub account: Option<String>,
    /// How long a scan's evidence is taken to stand without a next scan.
    pub scan_interval_hours: i64,
    /// How every scan was verified, in words.
    pub verification: String,
    pub scans: Vec<ScanRef>,
    /// Scans that could not be used (archived without findings), named.
    pub not_used: Vec<String>,
    pub coverage: Coverage,
    /// What the pack did not read between scans, in words.
    pub not_read: Vec<String>,
    pub frameworks: Vec<FrameworkPeriod>,
    pub trends: Trends,
    pub since_previous: Option<SincePrevious>,
    pub timelines: Vec<Timeline>,
}

/// What the pack is built from.
pub struct PackInput<'a> {
    pub organisation: &'a str,
    pub label: &'a str,
    pub period: Span,
    pub account: Option<&'a str>,
    pub max_gap: TimeDelta,
    pub verification: &'a str,
    /// The scans of the trend's window (the last four quarters), verified.
    pub scans: &'a [Scan],
    pub not_used: &'a [String],
}

/// The AWS sources between scans this pack does not read yet, said plainly.
const NOT_READ: &[&str] = &[
    "AWS Config configuration history between scans (GetResourceConfigHistory) was not read: \
     a setting changed and changed back between two scans is not seen",
    "CloudTrail management events between scans (LookupEvents) were not read",
];

pub fn build(input: &PackInput<'_>) -> PeriodPack {
    let report: PeriodReport = super::judge(input.period, input.scans, input.max_gap);
    // The catalogue (framework and control titles) of the period's latest scan.
    let catalogue = input
        .scans
        .iter()
        .filter(|s| s.collected_at < input.period.to)
        .max_by_key(|s| s.collected_at)
        .map(|s| s.frameworks.clone())
        .unwrap_or_default();
    let frameworks = controls::judge(&report, &catalogue);
    let trends = trends::build(input.scans, input.period, input.max_gap, &catalogue);
    let in_period: Vec<&Scan> = {
        let mut v: Vec<&Scan> = input
            .scans
            .iter()
            .filter(|s| s.collected_at >= input.period.from && s.collected_at < input.period.to)
            .collect();
        v.sort_by_key(|s| s.collected_at);
        v
    };
    let scan_ref = |s: &Scan| ScanRef {
        collected_at: s.collected_at,
        manifest_digest: s.manifest_digest.clone(),
        source: s.source.clone(),
        signed_by: s.signed_by.clone(),
    };
    let since_previous = match in_period.as_slice() {
        [.., a, b] => Some(SincePrevious {
            previous: scan_ref(a),
            latest: scan_ref(b),
            findings: crate::diff::compare_findings(&a.findings, &b.findings),
        }),
        _ => None,
    };
    let period_hours = (input.period.to - input.period.from).num_hours();
    let uncovered: i64 = report
        .not_covered
        .iter()
        .map(|s| (s.to - s.from).num_hours())
        .sum();
    PeriodPack {
        schema_version: PERIOD_SCHEMA_VERSION,
        tool: format!("assay {}", env!("CARGO_PKG_VERSION")),
        organisation: input.organisation.to_string(),
        label: input.label.to_string(),
        period: input.period,
        account: input.account.map(str::to_string),
        scan_interval_hours: input.max_gap.num_hours(),
        verification: input.verification.to_string(),
        scans: report.scans.clone(),
        not_used: input.not_used.to_vec(),
        coverage: Coverage {
            period_hours,
            covered_hours: period_hours - uncovered,
            not_covered: report.not_covered.clone(),
        },
        not_read: NOT_READ.iter().map(|s| s.to_string()).collect(),
        frameworks,
        trends,
        since_previous,
        timelines: report.timelines,
    }
}

impl PeriodPack {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a period pack always serialises") + "\n"
    }

    /// Whether any control shows an exception, or time not observed.
    pub fn worst(&self) -> Option<controls::Verdict> {
        self.frameworks
            .iter()
            .flat_map(|f| &f.controls)
            .map(|c| c.verdict)
            .filter(|v| {
                matches!(
                    v,
                    controls::Verdict::Exceptions | controls::Verdict::NotObserved
                )
            })
            .min()
    }

    /// The terminal summary: the period, scans, coverage, per framework the controls by
    /// verdict and each control that did not hold throughout, and the change since the
    /// previous scan.
    pub fn summary(&self) -> String {
        use std::fmt::Write as _;
        let when = controls::when;
        let mut t = String::new();
        let _ = writeln!(
            t,
            "Period {} ({} to {}), {} scan(s); evidence taken to stand for at most {} h",
            self.label,
            when(self.period.from),
            when(self.period.to),
            self.scans.len(),
            self.scan_interval_hours
        );
        let _ = writeln!(
            t,
            "Coverage in time: {} of {} hours",
            self.coverage.covered_hours, self.coverage.period_hours
        );
        for g in &self.coverage.not_covered {
            let _ = writeln!(
                t,
                "  not observed from {} to {} (no scan)",
                when(g.from),
                when(g.to)
            );
        }
        for fw in &self.frameworks {
            let mut counts = std::collections::BTreeMap::new();
            for c in &fw.controls {
                *counts.entry(c.verdict).or_insert(0) += 1;
            }
            let _ = writeln!(
                t,
                "{}: {}",
                fw.name,
                counts
                    .iter()
                    .map(|(v, n)| format!("{n} {}", v.words()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for c in &fw.controls {
                if matches!(
                    c.verdict,
                    controls::Verdict::Exceptions | controls::Verdict::NotObserved
                ) {
                    let _ = writeln!(t, "  {} {}: {}", c.id, c.title, c.statement);
                }
            }
        }
        match &self.since_previous {
            Some(s) => {
                let _ = writeln!(
                    t,
                    "Since the previous scan ({} to {}): {} new, {} resolved, {} changed in status",
                    when(s.previous.collected_at),
                    when(s.latest.collected_at),
                    s.findings.new.len(),
                    s.findings.resolved.len(),
                    s.findings.changed.len()
                );
                for c in &s.findings.changed {
                    let _ = writeln!(
                        t,
                        "  {} on {}: {} -> {}",
                        c.rule_id,
                        c.resource,
                        c.old_status.as_str(),
                        c.new_status.as_str()
                    );
                }
            }
            None => {
                let _ = writeln!(
                    t,
                    "Since the previous scan: fewer than two scans in the period"
                );
            }
        }
        t
    }
}
