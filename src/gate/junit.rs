//! JUnit XML for CI test views: one `<testsuite>` per rule, one `<testcase>` per rule ×
//! resource (every finding), in the shape Jenkins, GitLab and GitHub test reporters read.
//!
//! A test fails exactly when the gate fails on it, so the test view and the exit status
//! agree: blocking findings are `<failure>` (`<error>` for an ERROR, the rule could not be
//! evaluated), with the evidence in the body; baselined and allowed problems, and
//! NOT_APPLICABLE, WAIVED and MANUAL findings are `<skipped>` with the reason; PASS passes.

use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Judgement, Outcome, resource_label};
use crate::findings::{AssertionStatus, Finding, Status};

type XmlWriter<'w> = Writer<&'w mut dyn Write>;

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    let report = outcome.report;
    // Suites in rule-pack order (the findings order).
    let mut suites: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in &report.findings {
        match suites.last_mut() {
            Some((rule, list)) if *rule == f.rule_id => list.push(f),
            _ => suites.push((&f.rule_id, vec![f])),
        }
    }
    let count = |list: &[&Finding], pred: &dyn Fn(&Finding) -> bool| {
        list.iter().filter(|f| pred(f)).count()
    };
    let failed = |f: &Finding| {
        outcome.decision.judgement(f) == Judgement::Blocking && f.status != Status::Error
    };
    let errored = |f: &Finding| {
        outcome.decision.judgement(f) == Judgement::Blocking && f.status == Status::Error
    };
    let skipped = |f: &Finding| {
        f.status != Status::Pass && outcome.decision.judgement(f) != Judgement::Blocking
    };
    let all: Vec<&Finding> = report.findings.iter().collect();
    let coverage = coverage(outcome);

    let mut w: XmlWriter = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let timestamp = report.evaluated_at.format("%Y-%m-%dT%H:%M:%S").to_string();
    w.create_element("testsuites")
        .with_attribute((
            "name",
            clean(&format!("assay gate: {}", report.snapshot.path)).as_str(),
        ))
        .with_attribute(("tests", (all.len() + coverage.len()).to_string().as_str()))
        .with_attribute(("failures", count(&all, &failed).to_string().as_str()))
        .with_attribute(("errors", count(&all, &errored).to_string().as_str()))
        .with_attribute((
            "skipped",
            (count(&all, &skipped) + coverage.len())
                .to_string()
                .as_str(),
        ))
        .with_attribute(("time", "0"))
        .write_inner_content(|w| {
            for (rule, list) in &suites {
                w.create_element("testsuite")
                    .with_attribute(("name", clean(rule).as_str()))
                    .with_attribute(("tests", list.len().to_string().as_str()))
                    .with_attribute(("failures", count(list, &failed).to_string().as_str()))
                    .with_attribute(("errors", count(list, &errored).to_string().as_str()))
                    .with_attribute(("skipped", count(list, &skipped).to_string().as_str()))
                    .with_attribute(("time", "0"))
                    .with_attribute(("timestamp", timestamp.as_str()))
                    .write_inner_content(|w| {
                        for f in list {
                            testcase(w, outcome, f)?;
                        }
                        Ok(())
                    })?;
            }
            if !coverage.is_empty() {
                w.create_element("testsuite")
                    .with_attribute(("name", "assay plan coverage"))
                    .with_attribute(("tests", coverage.len().to_string().as_str()))
                    .with_attribute(("failures", "0"))
                    .with_attribute(("errors", "0"))
                    .with_attribute(("skipped", coverage.len().to_string().as_str()))
                    .with_attribute(("time", "0"))
                    .with_attribute(("timestamp", timestamp.as_str()))
                    .write_inner_content(|w| {
                        for (name, message) in &coverage {
                            w.create_element("testcase")
                                .with_attribute(("classname", "assay plan coverage"))
                                .with_attribute(("name", clean(name).as_str()))
                                .with_attribute(("time", "0"))
                                .write_inner_content(|w| {
                                    w.create_element("skipped")
                                        .with_attribute(("message", clean(message).as_str()))
                                        .write_empty()?;
                                    Ok(())
                                })?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    w.get_mut().write_all(b"\n")
}

/// Plans: what was not judged, as skipped tests, so the test view names it too: the
/// plan giving the rules nothing to judge, changes read in part, resources not read.
fn coverage(outcome: &Outcome) -> Vec<(String, String)> {
    let d = outcome.decision;
    let mut out = Vec::new();
    if let Some(n) = &d.nothing_to_judge {
        out.push(("nothing judged".to_string(), n.clone()));
    }
    for n in &d.notes {
        out.push((n.address.clone(), format!("read in part: {}", n.note)));
    }
    for n in &d.not_read {
        out.push((
            n.address.clone(),
            format!("not read: {} is not read from plans", n.type_name),
        ));
    }
    out
}

fn testcase(w: &mut XmlWriter, outcome: &Outcome, f: &Finding) -> std::io::Result<()> {
    let judgement = outcome.decision.judgement(f);
    let element = w
        .create_element("testcase")
        .with_attribute(("classname", clean(&f.rule_id).as_str()))
        .with_attribute(("name", clean(&resource_label(f)).as_str()))
        .with_attribute(("time", "0"));
    if f.status == Status::Pass {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|w| {
        let message = format!(
            "{} [{}]: {}",
            f.status.as_str(),
            f.severity.as_str(),
            f.summary
        );
        match judgement {
            Judgement::Blocking => {
                let tag = if f.status == Status::Error {
                    "error"
                } else {
                    "failure"
                };
                w.create_element(tag)
                    .with_attribute(("message", clean(&message).as_str()))
                    .with_attribute(("type", f.status.as_str()))
                    .write_text_content(BytesText::new(&clean(&evidence(f))))?;
            }
            _ => {
                let why = match judgement {
                    Judgement::Baselined => format!("baselined: {message}"),
                    Judgement::Allowed => format!("allowed by the gate policy: {message}"),
                    _ => message,
                };
                w.create_element("skipped")
                    .with_attribute(("message", clean(&why).as_str()))
                    .write_empty()?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The failure body: the rule, the resource, each assertion that did not pass with its
/// observed and expected values and evidence, and the API calls (or plan entries) cited.
pub fn evidence(f: &Finding) -> String {
    let mut text = format!("{} — {}\n", f.rule_id, f.rule_title);
    if let Some(r) = &f.resource {
        text.push_str(&format!(
            "resource: {} ({}, {}/{})\n",
            r.arn, r.type_name, r.account, r.region
        ));
    } else if let Some(scope) = &f.scope {
        text.push_str(&format!("scope: {scope}\n"));
    }
    for a in f
        .assertions
        .iter()
        .filter(|a| a.status != AssertionStatus::Pass)
    {
        text.push_str(&format!(
            "assertion {} {}: {}\n",
            a.name,
            serde_json::to_value(a.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            a.expression
        ));
        if let Some(o) = &a.observed {
            text.push_str(&format!("  observed: {o}\n"));
        }
        if let Some(e) = &a.expected {
            text.push_str(&format!("  expected: {e}\n"));
        }
        if let Some(m) = &a.message {
            text.push_str(&format!("  {m}\n"));
        }
        for (label, value) in &a.evidence {
            text.push_str(&format!("  {label}: {value}\n"));
        }
    }
    for s in &f.sources {
        text.push_str(&format!(
            "source: {} {} {} at {}{} (response sha256 {})\n",
            s.resource_arn,
            s.group,
            s.operation,
            s.called_at.to_rfc3339(),
            s.request_id
                .as_ref()
                .map(|r| format!(", request {r}"))
                .unwrap_or_default(),
            s.response_sha256
        ));
    }
    if !f.gaps.is_empty() {
        text.push_str(&format!("gaps: {}\n", f.gaps.join(", ")));
    }
    text
}

/// XML 1.0 forbids most control characters even escaped; resource names, rule ids and
/// evidence come from accounts and files, so every attribute and text goes through this.
fn clean(text: &str) -> String {
    crate::text::xml_chars(text).into_owned()
}
