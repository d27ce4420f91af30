//! `findings.csv`: one row per finding and mapped control, for spreadsheets and GRC tools.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or
//! carriage return) as a formula; an ARN, a tag value or a message from the evidence
//! could carry one (CSV injection). Every such cell is written with a leading `'`, as
//! OWASP recommends, and the `expected` column spells `==` and `!=` as words so assay's own
//! text never needs that prefix (`docs/findings.md`).
//!
//! The cited call's `response_sha256` is a column, so an auditor holding only the CSV can
//! check a row against the raw response kept in the snapshot.

use std::io::Write;

use super::Report;
use crate::findings::AssertionStatus;

pub const HEADER: [&str; 18] = [
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
    // Last, so the columns before it keep their positions for existing readers.
    "response_sha256",
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
        let expected = failing
            .and_then(|a| a.expected.as_deref())
            .map(expected_in_words)
            .unwrap_or_default();
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
                let row = [
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
                    source.map_or("", |s| s.response_sha256.as_str()),
                ];
                w.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// The `expected` text with a leading `==` or `!=` written as words: `== "CUSTOMER"`
/// becomes `equals "CUSTOMER"`, `!= 0` becomes `not equal to 0`.
pub fn expected_in_words(expected: &str) -> String {
    for (op, words) in [("==", "equals"), ("!=", "not equal to")] {
        if let Some(rest) = expected.strip_prefix(op) {
            return format!("{words}{rest}");
        }
    }
    expected.to_string()
}

/// A cell a spreadsheet would run as a formula, prefixed with `'` (OWASP, "CSV
/// Injection"): cells starting with `=`, `+`, `-`, `@`, tab or carriage return.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        for cell in ["", "arn:aws:s3:::b", "'quoted", "1-2"] {
            assert_eq!(neutralise(cell), cell);
        }
    }

    #[test]
    fn expected_never_starts_with_an_equals_sign() {
        assert_eq!(expected_in_words("== \"CUSTOMER\""), "equals \"CUSTOMER\"");
        assert_eq!(expected_in_words("!= 0"), "not equal to 0");
        assert_eq!(expected_in_words(">= 42"), ">= 42");
        assert_eq!(expected_in_words("in [\"a\"]"), "in [\"a\"]");
    }
}
