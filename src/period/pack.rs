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

/// How many exceptions of a control the terminal summary lists before "and N more".
const SUMMARY_EXCEPTIONS: usize = 5;

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
    /// What the CloudTrail change history says of each interval between scans.
    pub change_history: Vec<super::history::Interval>,
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

/// What the pack does not read between scans, said plainly. CloudTrail's management
/// events between scans are read (from the later scan's snapshot, see `history`); AWS
/// Config's configuration history is not: it would take one `GetResourceConfigHistory`
/// per resource in each account (an aggregator only answers the current configuration,
/// `GetAggregateResourceConfig`).
const CONFIG_NOT_READ: &str = "AWS Config configuration history between scans (GetResourceConfigHistory) was not read: \
     changes between scans are seen only through the CloudTrail management events of the change table";

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
        not_read: std::iter::once(CONFIG_NOT_READ.to_string())
            .chain(
                report
                    .intervals
                    .iter()
                    .filter(|i| i.history != "read")
                    .map(|i| format!("CloudTrail change history {}", i.statement)),
            )
            .collect(),
        change_history: report.intervals.clone(),
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
                match c.verdict {
                    controls::Verdict::Exceptions => {
                        let _ = writeln!(
                            t,
                            "  {} {}: {} exception(s)",
                            c.id,
                            c.title,
                            c.exceptions.len()
                        );
                        for e in c.exceptions.iter().take(SUMMARY_EXCEPTIONS) {
                            let _ = writeln!(
                                t,
                                "    {} on {} from {} to {}",
                                e.rule_id,
                                e.resource,
                                when(e.span.from),
                                when(e.span.to)
                            );
                        }
                        if c.exceptions.len() > SUMMARY_EXCEPTIONS {
                            let _ = writeln!(
                                t,
                                "    and {} more (every one in the pack)",
                                c.exceptions.len() - SUMMARY_EXCEPTIONS
                            );
                        }
                    }
                    controls::Verdict::NotObserved => {
                        let _ = writeln!(t, "  {} {}: {}", c.id, c.title, c.statement);
                    }
                    _ => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Finding, Status, fingerprint};
    use crate::report::{ControlCoverage, FamilyCoverage, FrameworkCoverage};
    use crate::rules::Severity;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn catalogue() -> Vec<FrameworkCoverage> {
        let control = |id: &str, title: &str, rules: &[&str]| ControlCoverage {
            id: id.into(),
            title: title.into(),
            rules: rules.iter().map(|r| r.to_string()).collect(),
            summary: Default::default(),
            state: "evidence".into(),
            manual_evidence: None,
            applicability: None,
        };
        vec![FrameworkCoverage {
            id: "iso27001-2022".into(),
            name: "ISO/IEC 27001:2022".into(),
            families: vec![FamilyCoverage {
                id: "A.8".into(),
                title: "Technological controls".into(),
                summary: Default::default(),
                controls: vec![
                    control("A.8.24", "Use of cryptography", &["s3.encryption"]),
                    control("A.8.13", "Information backup", &["backup.plan"]),
                    control("A.5.1", "Policies", &[]),
                ],
            }],
            automated_controls: 2,
            manual_controls: 1,
        }]
    }

    fn finding(rule: &str, control: &str, status: Status) -> Finding {
        Finding {
            id: fingerprint(rule, "arn:aws:s3:::b"),
            rule_id: rule.into(),
            rule_title: String::new(),
            severity: Severity::High,
            status,
            resource: None,
            scope: Some("arn:aws:s3:::b".into()),
            summary: String::new(),
            assertions: Vec::new(),
            sources: Vec::new(),
            gaps: Vec::new(),
            waiver: None,
            attestation: None,
            controls: [("iso27001-2022".to_string(), vec![control.to_string()])].into(),
        }
    }

    fn scan(day: &str, encryption: Status) -> Scan {
        Scan {
            collected_at: at(&format!("{day}T00:00:00Z")),
            manifest_digest: format!("{:0>64}", day.replace('-', "")),
            source: format!("scans/{day}.json"),
            signed_by: None,
            findings: vec![
                finding("s3.encryption", "A.8.24", encryption),
                finding("backup.plan", "A.8.13", Status::Pass),
            ],
            frameworks: catalogue(),
            history: Default::default(),
        }
    }

    fn pack(scans: &[Scan], hours: i64) -> PeriodPack {
        build(&PackInput {
            organisation: "Example Ltd",
            label: "2026-Q3",
            period: Span {
                from: at("2026-07-01T00:00:00Z"),
                to: at("2026-10-01T00:00:00Z"),
            },
            account: None,
            max_gap: TimeDelta::hours(hours),
            verification: "checked",
            scans,
            not_used: &[],
        })
    }

    #[test]
    fn each_control_says_held_throughout_exceptions_on_or_not_observed() {
        let scans = [
            scan("2026-07-01", Status::Pass),
            scan("2026-08-01", Status::Fail),
            scan("2026-09-01", Status::Pass),
        ];
        let p = pack(&scans, 24 * 31);
        let controls = &p.frameworks[0].controls;
        let ids: Vec<&str> = controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            ["A.8.24", "A.8.13"],
            "manual controls are not judged over time"
        );
        assert_eq!(controls[0].verdict, controls::Verdict::Exceptions);
        assert_eq!(
            controls[0].statement,
            "Exceptions on: s3.encryption on arn:aws:s3:::b from 2026-08-01 00:00 UTC to 2026-09-01 00:00 UTC."
        );
        assert_eq!(controls[1].verdict, controls::Verdict::HeldThroughout);
        assert_eq!(p.worst(), Some(controls::Verdict::Exceptions));
        let since = p.since_previous.as_ref().unwrap();
        assert_eq!(since.findings.changed.len(), 1);
        let summary = p.summary();
        assert!(
            summary.contains(
                "  A.8.24 Use of cryptography: 1 exception(s)\n    s3.encryption on arn:aws:s3:::b from 2026-08-01 00:00 UTC to 2026-09-01 00:00 UTC\n"
            ),
            "{summary}"
        );
        assert!(
            summary.contains("Since the previous scan (2026-08-01 00:00 UTC to 2026-09-01 00:00 UTC): 0 new, 0 resolved, 1 changed in status"),
            "{summary}"
        );

        // A week between scans allowed: most of the quarter is a gap, never a pass.
        let p = pack(&scans, 24 * 7);
        assert_eq!(
            p.frameworks[0].controls[1].verdict,
            controls::Verdict::NotObserved
        );
        assert!(
            p.frameworks[0].controls[1]
                .statement
                .contains("not observed from 2026-07-08 00:00 UTC to 2026-08-01 00:00 UTC"),
            "{}",
            p.frameworks[0].controls[1].statement
        );
        assert_eq!(p.coverage.covered_hours, 3 * 7 * 24);
    }

    #[test]
    fn the_same_scans_give_the_same_bytes_in_every_format() {
        let scans = [
            scan("2026-07-01", Status::Pass),
            scan("2026-08-01", Status::Fail),
            scan("2026-09-01", Status::Pass),
        ];
        let (a, b) = (pack(&scans, 24 * 31), pack(&scans, 24 * 31));
        assert_eq!(a.to_json(), b.to_json());
        assert_eq!(
            super::super::csv::render(&a).unwrap(),
            super::super::csv::render(&b).unwrap()
        );
        assert_eq!(
            super::super::html::render(&a),
            super::super::html::render(&b)
        );
        let (pa, pb) = (
            super::super::pdf::render(&a).unwrap(),
            super::super::pdf::render(&b).unwrap(),
        );
        assert_eq!(pa, pb);
        assert_eq!(pa[0].0, "period-iso27001-2022.pdf");
    }
}
