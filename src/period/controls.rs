//! A period judged per framework control: the timelines of every finding mapped to a
//! control, merged into one statement an auditor reads, "held throughout", "exceptions on
//! …" (each with its rule, resource and dates) or "not observed from … to …".
//!
//! Wording rule, as in the pack: the statement is about the evidence ("evidence held
//! throughout the period"), never "compliant".

use std::collections::BTreeMap;

use serde::Serialize;

use super::{PeriodReport, Span, State, Timeline};
use crate::report::FrameworkCoverage;

/// One exception: a rule failing on a resource for a span of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exception {
    pub rule_id: String,
    pub resource: String,
    #[serde(flatten)]
    pub span: Span,
    /// What showed it between scans (a CloudTrail event), when not a scan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// How a control fared over the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every finding held (or was waived) at every scan, and no time was unobserved.
    HeldThroughout,
    /// At least one finding failed for part of the period.
    Exceptions,
    /// No exception, but part of the period was not observed (no scan, or GAP/ERROR/
    /// UNKNOWN at a scan): never a pass.
    NotObserved,
    /// No automated finding of the control's rules applied in the period.
    NoAutomatedEvidence,
}

impl Verdict {
    pub fn words(self) -> &'static str {
        match self {
            Verdict::HeldThroughout => "held throughout",
            Verdict::Exceptions => "exceptions",
            Verdict::NotObserved => "not observed",
            Verdict::NoAutomatedEvidence => "no automated evidence",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlPeriod {
    pub id: String,
    pub title: String,
    pub verdict: Verdict,
    /// The sentence the pack prints for the control.
    pub statement: String,
    /// How many findings (rule and resource) the control rests on.
    pub findings: usize,
    pub exceptions: Vec<Exception>,
    /// Time the control's evidence did not cover (merged across its findings).
    pub not_observed: Vec<Span>,
    /// Why some of that time is not observed between scans: a change CloudTrail shows,
    /// or change history that could not be read (rule, resource and the reason).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkPeriod {
    pub id: String,
    pub name: String,
    pub controls: Vec<ControlPeriod>,
}

/// `2026-07-14 03:04 UTC`.
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Union of spans, sorted and merged where they touch.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|s| (s.from, s.to));
    let mut out: Vec<Span> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(last) if s.from <= last.to => last.to = last.to.max(s.to),
            _ => out.push(s),
        }
    }
    out
}

/// Judges one control from the timelines of its findings.
fn control(id: &str, title: &str, timelines: &[&Timeline], report: &PeriodReport) -> ControlPeriod {
    let mut exceptions = Vec::new();
    let mut unobserved: Vec<Span> = report.not_covered.clone();
    let mut held = false;
    let mut changes = Vec::new();
    for t in timelines {
        for s in &t.spans {
            match s.state {
                State::Exception => exceptions.push(Exception {
                    rule_id: t.rule_id.clone(),
                    resource: t.resource.clone(),
                    span: s.span,
                    cause: s.cause.clone(),
                }),
                State::NotObserved => {
                    unobserved.push(s.span);
                    if let Some(cause) = &s.cause {
                        changes.push(format!(
                            "{} on {} from {} to {}: {cause}",
                            t.rule_id,
                            t.resource,
                            when(s.span.from),
                            when(s.span.to)
                        ));
                    }
                }
                State::Held | State::Waived => held = true,
                State::Absent | State::NotApplicable | State::Manual => {}
            }
        }
    }
    exceptions.sort_by(|a, b| {
        (a.span.from, &a.rule_id, &a.resource).cmp(&(b.span.from, &b.rule_id, &b.resource))
    });
    let not_observed = merge(unobserved);
    let verdict = if !exceptions.is_empty() {
        Verdict::Exceptions
    } else if !held && not_observed.is_empty() {
        Verdict::NoAutomatedEvidence
    } else if !not_observed.is_empty() {
        Verdict::NotObserved
    } else {
        Verdict::HeldThroughout
    };
    let gaps = not_observed
        .iter()
        .map(|s| format!("from {} to {}", when(s.from), when(s.to)))
        .collect::<Vec<_>>()
        .join("; ");
    let statement = match verdict {
        Verdict::HeldThroughout => format!(
            "Evidence held throughout the period: every one of {} finding(s) held at every scan, and the scans cover the whole period.",
            timelines.len()
        ),
        Verdict::Exceptions => {
            let list = exceptions
                .iter()
                .map(|e| {
                    let cause = e
                        .cause
                        .as_ref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default();
                    format!(
                        "{} on {} from {} to {}{cause}",
                        e.rule_id,
                        e.resource,
                        when(e.span.from),
                        when(e.span.to)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let mut s = format!("Exceptions on: {list}.");
            if !gaps.is_empty() {
                s.push_str(&format!(" Not observed {gaps}."));
            }
            s
        }
        Verdict::NotObserved => format!(
            "No exception seen, but not observed {gaps}: that time is a GAP, not a pass."
        ),
        Verdict::NoAutomatedEvidence => {
            "No automated finding of this control's rules applied in the period: its evidence is manual or absent."
                .to_string()
        }
    };
    let statement = if changes.is_empty() {
        statement
    } else {
        format!("{statement} Between scans: {}.", changes.join("; "))
    };
    ControlPeriod {
        id: id.to_string(),
        title: title.to_string(),
        verdict,
        statement,
        findings: timelines.len(),
        exceptions,
        not_observed,
        changes,
    }
}

/// Every framework and control of `catalogue` (the latest scan's), judged over the period
/// from the timelines mapped to it; controls of the findings the catalogue does not name
/// are judged too (titled by their id), so nothing is dropped.
pub fn judge(report: &PeriodReport, catalogue: &[FrameworkCoverage]) -> Vec<FrameworkPeriod> {
    // framework -> control -> timelines
    let mut mapped: BTreeMap<&str, BTreeMap<&str, Vec<&Timeline>>> = BTreeMap::new();
    for t in &report.timelines {
        for (fw, controls) in &t.controls {
            for c in controls {
                mapped
                    .entry(fw.as_str())
                    .or_default()
                    .entry(c.as_str())
                    .or_default()
                    .push(t);
            }
        }
    }
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for fw in catalogue {
        seen.push(&fw.id);
        let of_fw = mapped.get(fw.id.as_str());
        let mut controls = Vec::new();
        let mut named: Vec<&str> = Vec::new();
        for c in fw.families.iter().flat_map(|f| &f.controls) {
            if c.rules.is_empty() {
                continue; // manual controls: no automated evidence to judge over time
            }
            named.push(&c.id);
            let timelines = of_fw
                .and_then(|m| m.get(c.id.as_str()))
                .cloned()
                .unwrap_or_default();
            controls.push(control(&c.id, &c.title, &timelines, report));
        }
        for (id, timelines) in of_fw.into_iter().flatten() {
            if !named.contains(id) {
                controls.push(control(id, id, timelines, report));
            }
        }
        out.push(FrameworkPeriod {
            id: fw.id.clone(),
            name: fw.name.clone(),
            controls,
        });
    }
    for (fw, of_fw) in &mapped {
        if seen.contains(fw) {
            continue;
        }
        out.push(FrameworkPeriod {
            id: (*fw).to_string(),
            name: (*fw).to_string(),
            controls: of_fw
                .iter()
                .map(|(id, timelines)| control(id, id, timelines, report))
                .collect(),
        });
    }
    out
}
