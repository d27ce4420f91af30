//! The audit period: what a series of archived scans shows about each rule and resource
//! across a span of time, not at one instant.
//!
//! A scan observes the estate at its collection time. Its evidence is taken to stand until
//! the next scan, for at most `max_gap`: beyond that, time is *not observed*, which is a
//! GAP in time and never a pass. Per finding (rule id + resource, by fingerprint), the
//! scans' statuses are merged into spans:
//! - *held*: PASS (or WAIVED, said as such) at every scan, with no time unobserved;
//! - *exception*: FAIL from the first scan that saw it until the next scan that did not
//!   (the change happened somewhere between the scan before and that one);
//! - *not observed*: GAP, ERROR or UNKNOWN at a scan, or time no scan covers.
//!
//! A finding absent from a scan (the resource did not exist, or the rule was not selected)
//! is *absent* there: nothing to hold, and said.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::findings::{Finding, Status};
use crate::report::FrameworkCoverage;

pub mod controls;
pub mod csv;
pub mod history;
pub mod html;
pub mod pack;
pub mod pdf;
pub mod scans;
pub mod source;
pub mod trends;

/// One scan of the period.
#[derive(Debug, Clone)]
pub struct Scan {
    pub collected_at: DateTime<Utc>,
    pub manifest_digest: String,
    /// Where it came from (the archive's record key).
    pub source: String,
    /// The signing key's fingerprint, when the snapshot is signed.
    pub signed_by: Option<String>,
    pub findings: Vec<Finding>,
    /// The frameworks and controls the findings were mapped to (their titles).
    pub frameworks: Vec<FrameworkCoverage>,
    /// The CloudTrail change history its snapshot holds (what happened since the scan
    /// before it).
    pub history: history::ScanHistory,
}

/// A span of time, start included, end excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// What a span shows for one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Held,
    Waived,
    Exception,
    NotObserved,
    Absent,
    NotApplicable,
    Manual,
}

fn state_of(status: Status) -> State {
    match status {
        Status::Pass => State::Held,
        Status::Waived => State::Waived,
        Status::Fail => State::Exception,
        Status::Gap | Status::Error | Status::Unknown => State::NotObserved,
        Status::NotApplicable => State::NotApplicable,
        Status::Manual => State::Manual,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateSpan {
    #[serde(flatten)]
    pub span: Span,
    pub state: State,
    /// What started this span between two scans (a CloudTrail event), or why the
    /// change history does not speak for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// How one finding fared over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub fingerprint: String,
    pub rule_id: String,
    pub resource: String,
    /// The controls the rule supports, per framework (as the findings map it).
    pub controls: std::collections::BTreeMap<String, Vec<String>>,
    /// `held_throughout`, `exceptions`, `not_observed` (some time unobserved, no
    /// exception), or `not_applicable` (absent, not applicable or manual throughout).
    pub verdict: &'static str,
    pub spans: Vec<StateSpan>,
}

/// The scan a period rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanRef {
    pub collected_at: DateTime<Utc>,
    pub manifest_digest: String,
    pub source: String,
    pub signed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReport {
    pub period: Span,
    pub max_gap_hours: i64,
    pub scans: Vec<ScanRef>,
    /// Time no scan covers.
    pub not_covered: Vec<Span>,
    /// What the CloudTrail change history says of each interval between scans.
    pub intervals: Vec<history::Interval>,
    pub timelines: Vec<Timeline>,
}

/// Which time each scan covers within `period`: from its collection (or the period's
/// start, for a scan before it) until the next scan, for at most `max_gap`.
fn coverage(period: Span, scans: &[&Scan], max_gap: TimeDelta) -> Vec<Option<Span>> {
    scans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let next = scans.get(i + 1).map_or(period.to, |n| n.collected_at);
            let end = next.min(s.collected_at + max_gap).min(period.to);
            let start = s.collected_at.max(period.from);
            (start < end).then_some(Span {
                from: start,
                to: end,
            })
        })
        .collect()
}

/// Spans of `period` none of `covered` includes.
fn uncovered(period: Span, covered: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut at = period.from;
    for c in covered {
        if c.from > at {
            out.push(Span {
                from: at,
                to: c.from,
            });
        }
        at = at.max(c.to);
    }
    if at < period.to {
        out.push(Span {
            from: at,
            to: period.to,
        });
    }
    out
}

/// Judges every finding seen in `scans` over `period`. Scans are sorted by time; a scan
/// after the period is left out, one before it counts for the time it covers.
pub fn judge(period: Span, scans: &[Scan], max_gap: TimeDelta) -> PeriodReport {
    let mut sorted: Vec<&Scan> = scans
        .iter()
        .filter(|s| s.collected_at < period.to)
        .collect();
    sorted.sort_by_key(|s| s.collected_at);
    let covers = coverage(period, &sorted, max_gap);
    // Only the scans that cover some of the period speak for it (an earlier quarter's
    // scans, read for a trend, do not).
    let (sorted, covers): (Vec<&Scan>, Vec<Option<Span>>) = sorted
        .into_iter()
        .zip(covers)
        .filter(|(_, cover)| cover.is_some())
        .unzip();
    let covered: Vec<Span> = covers.iter().flatten().copied().collect();
    let not_covered = uncovered(period, &covered);

    // Every fingerprint seen, in first-seen order, with its rule and resource.
    type Key = (
        String,
        String,
        String,
        std::collections::BTreeMap<String, Vec<String>>,
        Option<crate::findings::ResourceRef>,
    );
    let mut keys: Vec<Key> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for s in &sorted {
        for f in &s.findings {
            if seen.insert(f.id.clone()) {
                let resource = f
                    .resource
                    .as_ref()
                    .map(|r| r.arn.clone())
                    .or_else(|| f.scope.clone())
                    .unwrap_or_default();
                keys.push((
                    f.id.clone(),
                    f.rule_id.clone(),
                    resource,
                    f.controls.clone(),
                    f.resource.clone(),
                ));
            }
        }
    }
    keys.sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));

    let timelines = keys
        .into_iter()
        .map(|(fingerprint, rule_id, resource, controls, resource_ref)| {
            let mut spans: Vec<StateSpan> = Vec::new();
            let mut push = |span: Span, state: State, cause: Option<String>| match spans.last_mut()
            {
                Some(last)
                    if last.state == state
                        && last.span.to == span.from
                        && last.cause.is_none()
                        && cause.is_none() =>
                {
                    last.span.to = span.to;
                }
                _ => spans.push(StateSpan { span, state, cause }),
            };
            let state_in = |s: &Scan| {
                s.findings
                    .iter()
                    .find(|f| f.id == fingerprint)
                    .map_or(State::Absent, |f| state_of(f.status))
            };
            let mut timeline: Vec<history::Piece> = Vec::new();
            for (i, (s, cover)) in sorted.iter().zip(&covers).enumerate() {
                let Some(cover) = cover else { continue };
                let state = state_in(s);
                let next = sorted.get(i + 1);
                match (next, &resource_ref) {
                    (Some(next), Some(r)) => {
                        let between = history::between(
                            &next.history,
                            &rule_id,
                            r,
                            s.collected_at,
                            next.collected_at,
                        );
                        timeline.extend(history::cut(
                            *cover,
                            s.collected_at,
                            next.collected_at,
                            state,
                            Some(state_in(next)),
                            &between,
                        ));
                    }
                    _ => timeline.push((*cover, state, None)),
                }
            }
            for gap in &not_covered {
                timeline.push((*gap, State::NotObserved, None));
            }
            timeline.sort_by_key(|(span, _, _)| span.from);
            for (span, state, cause) in timeline {
                push(span, state, cause);
            }
            let has = |state: State| spans.iter().any(|s| s.state == state);
            let verdict = if has(State::Exception) {
                "exceptions"
            } else if has(State::NotObserved) {
                "not_observed"
            } else if has(State::Held) || has(State::Waived) {
                "held_throughout"
            } else {
                "not_applicable"
            };
            Timeline {
                fingerprint,
                rule_id,
                resource,
                controls,
                verdict,
                spans,
            }
        })
        .collect();

    PeriodReport {
        period,
        max_gap_hours: max_gap.num_hours(),
        scans: sorted
            .iter()
            .map(|s| ScanRef {
                collected_at: s.collected_at,
                manifest_digest: s.manifest_digest.clone(),
                source: s.source.clone(),
                signed_by: s.signed_by.clone(),
            })
            .collect(),
        intervals: history::intervals(
            &sorted
                .iter()
                .map(|s| (s.collected_at, &s.history))
                .collect::<Vec<_>>(),
            period.to,
        ),
        not_covered,
        timelines,
    }
}

impl PeriodReport {
    /// Plain text: the period, the scans, the coverage, then every finding that did not
    /// simply hold throughout (with `all`, every finding).
    pub fn text(&self, all: bool) -> String {
        use std::fmt::Write as _;
        let day = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
        let mut t = String::new();
        let _ = writeln!(
            t,
            "period {} to {} (UTC), {} scan(s), evidence taken to stand for at most {} h",
            day(self.period.from),
            day(self.period.to),
            self.scans.len(),
            self.max_gap_hours
        );
        for s in &self.scans {
            let _ = writeln!(
                t,
                "  scan {}  manifest {}  {}",
                day(s.collected_at),
                s.manifest_digest,
                s.source
            );
        }
        if self.not_covered.is_empty() {
            let _ = writeln!(t, "coverage: the whole period");
        }
        for g in &self.not_covered {
            let _ = writeln!(
                t,
                "not observed: {} to {} (no scan)",
                day(g.from),
                day(g.to)
            );
        }
        let mut counts = std::collections::BTreeMap::new();
        for tl in &self.timelines {
            *counts.entry(tl.verdict).or_insert(0) += 1;
        }
        let _ = writeln!(
            t,
            "{}",
            counts
                .iter()
                .map(|(v, n)| format!("{n} {}", v.replace('_', " ")))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for tl in &self.timelines {
            if !all && tl.verdict == "held_throughout" {
                continue;
            }
            let _ = writeln!(
                t,
                "{} on {}: {}",
                tl.rule_id,
                tl.resource,
                tl.verdict.replace('_', " ")
            );
            for s in &tl.spans {
                if s.state == State::Held && !all {
                    continue;
                }
                let state = serde_json::to_value(s.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let _ = writeln!(
                    t,
                    "  {} from {} to {}",
                    state.replace('_', " "),
                    day(s.span.from),
                    day(s.span.to)
                );
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::fingerprint;
    use crate::rules::Severity;

    fn at(day: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-07-{day:02}T00:00:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn scan(day: u32, status: Status) -> Scan {
        Scan {
            collected_at: at(day),
            manifest_digest: format!("d{day}"),
            source: String::new(),
            signed_by: None,
            frameworks: Vec::new(),
            history: Default::default(),
            findings: vec![Finding {
                id: fingerprint("r", "x"),
                rule_id: "r".into(),
                rule_title: String::new(),
                severity: Severity::High,
                status,
                resource: None,
                scope: Some("x".into()),
                summary: String::new(),
                assertions: Vec::new(),
                sources: Vec::new(),
                gaps: Vec::new(),
                waiver: None,
                attestation: None,
                controls: Default::default(),
            }],
        }
    }

    #[test]
    fn a_break_between_scans_is_an_exception_with_its_dates() {
        let period = Span {
            from: at(1),
            to: at(31),
        };
        let scans = [
            scan(1, Status::Pass),
            scan(11, Status::Fail),
            scan(21, Status::Pass),
        ];
        let report = judge(period, &scans, TimeDelta::days(10));
        assert!(report.not_covered.is_empty());
        let tl = &report.timelines[0];
        assert_eq!(tl.verdict, "exceptions");
        let exception = tl
            .spans
            .iter()
            .find(|s| s.state == State::Exception)
            .unwrap();
        assert_eq!((exception.span.from, exception.span.to), (at(11), at(21)));
    }

    #[test]
    fn time_no_scan_covers_is_not_observed_never_held() {
        let period = Span {
            from: at(1),
            to: at(31),
        };
        let scans = [scan(1, Status::Pass), scan(21, Status::Pass)];
        let report = judge(period, &scans, TimeDelta::days(2));
        assert_eq!(
            report.not_covered,
            vec![
                Span {
                    from: at(3),
                    to: at(21)
                },
                Span {
                    from: at(23),
                    to: at(31)
                }
            ]
        );
        assert_eq!(report.timelines[0].verdict, "not_observed");
        let held = judge(period, &scans, TimeDelta::days(20));
        assert_eq!(held.timelines[0].verdict, "held_throughout");
        // A scan long before the period covers none of it: not one it rests on.
        let early = [scan(1, Status::Fail), scan(21, Status::Pass)];
        let later = Span {
            from: at(25),
            to: at(31),
        };
        let report = judge(later, &early, TimeDelta::days(5));
        assert_eq!(report.scans.len(), 1);
        assert_eq!(report.scans[0].collected_at, at(21));
        assert_eq!(report.timelines[0].verdict, "not_observed");
        // No scan at all: nothing held.
        let none = judge(period, &[], TimeDelta::days(2));
        assert_eq!(none.not_covered, vec![period]);
        assert!(none.timelines.is_empty());
    }
}
