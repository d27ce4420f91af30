//! `findings.csv`: one row per finding and mapped control, for spreadsheets and GRC tools.

use std::io::Write;

use super::Report;
use crate::findings::AssertionStatus;

pub const HEADER: [&str; 17] = [
    "finding_id",
    "framework",
    "control",
    "rule_id",
    "severity",
    "status",
    "resource_arn",
    "resource_type",
    "account",
    "region",
    "summary",
    "observed",
    "expected",
    "operation",
    "called_at",
    "request_id",
    "waiver",
];

pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for f in &report.findings {
        // Observed/expected of the first failed assertion (the one the summary names).
        let failing = f
            .assertions
            .iter()
            .find(|a| a.status == AssertionStatus::Fail);
        let observed = failing
            .and_then(|a| a.observed.as_ref())
            .map(|v| v.to_string())
            .unwrap_or_default();
        let expected = failing.and_then(|a| a.expected.clone()).unwrap_or_default();
        let source = f
            .sources
            .iter()
            .find(|s| s.group != "resource")
            .or(f.sources.first());
        let (arn, rtype, account, region) = match &f.resource {
            Some(r) => (
                r.arn.as_str(),
                r.type_name.as_str(),
                r.account.as_str(),
                r.region.as_str(),
            ),
            None => ("", "", "", f.scope.as_deref().unwrap_or("")),
        };
        let waiver = f
            .waiver
            .as_ref()
            .map(|w| {
                format!(
                    "{} (expires {}{})",
                    w.id,
                    w.expires,
                    if w.expired { ", EXPIRED" } else { "" }
                )
            })
            .unwrap_or_default();
        // Only the frameworks the profile asked for, as in the JSON report.
        for (framework, controls) in f
            .controls
            .iter()
            .filter(|(fw, _)| report.profile.frameworks.contains(fw))
        {
            for control in controls {
                w.write_record([
                    f.id.as_str(),
                    framework,
                    control,
                    &f.rule_id,
                    f.severity.as_str(),
                    f.status.as_str(),
                    arn,
                    rtype,
                    account,
                    region,
                    &f.summary,
                    &observed,
                    &expected,
                    source.map_or("", |s| s.operation.as_str()),
                    &source
                        .map(|s| {
                            s.called_at
                                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        })
                        .unwrap_or_default(),
                    source.and_then(|s| s.request_id.as_deref()).unwrap_or(""),
                    &waiver,
                ])?;
            }
        }
    }
    w.flush()?;
    Ok(())
}
