//! Trends: per framework and control, how the control fared in each of the last four
//! quarters, judged from the archive exactly as the period itself is
//! ([`super::judge`], [`super::controls::judge`]). A quarter no scan covers is "not
//! observed", never carried over from the quarter before.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta};
use serde::Serialize;

use super::controls::{self, Verdict};
use super::{Scan, Span};
use crate::report::FrameworkCoverage;

/// How many quarters a trend shows, the last one the period's own.
pub const QUARTERS: usize = 4;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quarter {
    /// `2026-Q3`.
    pub label: String,
    #[serde(flatten)]
    pub span: Span,
    /// How many scans were collected in it.
    pub scans: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlTrend {
    pub id: String,
    pub title: String,
    /// One per quarter, oldest first.
    pub verdicts: Vec<Verdict>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkTrend {
    pub id: String,
    pub name: String,
    pub controls: Vec<ControlTrend>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    pub quarters: Vec<Quarter>,
    pub frameworks: Vec<FrameworkTrend>,
}

fn start_of(date: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)
}

/// The quarter holding the last instant of `period` and the three before it, oldest first.
pub fn quarters(period: Span) -> Vec<(String, Span)> {
    let last_day = (period.to - TimeDelta::seconds(1)).date_naive();
    let mut out = Vec::new();
    let mut start = start_of(last_day);
    for _ in 0..QUARTERS {
        let Some(from) = start else { break };
        let to = from
            .checked_add_months(chrono::Months::new(3))
            .unwrap_or(from);
        out.push((
            format!("{}-Q{}", from.year(), from.month0() / 3 + 1),
            Span {
                from: from.and_time(NaiveTime::MIN).and_utc(),
                to: to.and_time(NaiveTime::MIN).and_utc(),
            },
        ));
        start = from.checked_sub_months(chrono::Months::new(3));
    }
    out.reverse();
    out
}

/// The window of scans the trend needs: from the first quarter's start to the period's end.
pub fn window(period: Span) -> Span {
    let qs = quarters(period);
    Span {
        from: qs
            .first()
            .map_or(period.from, |q| q.1.from.min(period.from)),
        to: period.to,
    }
}

/// Judges each quarter from `scans` and sets the verdicts side by side per control, in
/// the order of the last quarter's judgement (the period's catalogue).
pub fn build(
    scans: &[Scan],
    period: Span,
    max_gap: TimeDelta,
    catalogue: &[FrameworkCoverage],
) -> Trends {
    let qs = quarters(period);
    let judged: Vec<Vec<controls::FrameworkPeriod>> = qs
        .iter()
        .map(|(_, span)| controls::judge(&super::judge(*span, scans, max_gap), catalogue))
        .collect();
    let last = judged.last().cloned().unwrap_or_default();
    let frameworks = last
        .iter()
        .map(|fw| FrameworkTrend {
            id: fw.id.clone(),
            name: fw.name.clone(),
            controls: fw
                .controls
                .iter()
                .map(|c| ControlTrend {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    verdicts: judged
                        .iter()
                        .map(|q| {
                            q.iter()
                                .find(|f| f.id == fw.id)
                                .and_then(|f| f.controls.iter().find(|x| x.id == c.id))
                                // A control no finding of that quarter mapped: nothing seen.
                                .map_or(Verdict::NotObserved, |x| x.verdict)
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Trends {
        quarters: qs
            .into_iter()
            .map(|(label, span)| Quarter {
                scans: scans
                    .iter()
                    .filter(|s| s.collected_at >= span.from && s.collected_at < span.to)
                    .count(),
                label,
                span,
            })
            .collect(),
        frameworks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_four_quarters_end_with_the_periods() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let period = Span {
            from: at("2026-07-01T00:00:00Z"),
            to: at("2026-10-01T00:00:00Z"),
        };
        let labels: Vec<String> = quarters(period).into_iter().map(|q| q.0).collect();
        assert_eq!(labels, ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]);
        assert_eq!(window(period).from, at("2025-10-01T00:00:00Z"));
    }
}
