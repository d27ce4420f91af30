//! Baselines: the problems a team has accepted for now, so the gate fails only on new
//! ones.
//!
//! An entry is keyed by the finding fingerprint (`findings::fingerprint(rule id, resource
//! identity)`). The identity of a live resource is its ARN and that of a planned one its
//! Terraform address (`terraform:<address>`), so a baseline made from a plan does not
//! accept findings of the applied account, and the other way round. Message text, observed
//! values and severity are kept for people reading the file, never matched.
//!
//! One refinement: an entry recorded as GAP, ERROR or UNKNOWN (something that was not
//! judged) does not accept a FAIL of the same fingerprint. A problem nobody could see when
//! the baseline was made is new when it becomes a verdict.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::findings::{Finding, Status};
use crate::report::Report;

/// The baseline file format version.
pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub schema_version: u32,
    /// When the baseline was made (the evaluation time).
    pub created_at: DateTime<Utc>,
    /// What it was made from.
    pub source: Source,
    /// Accepted problems, sorted by fingerprint.
    pub findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `plan`, `live` or `sample` (the snapshot origin).
    pub origin: String,
    pub path: String,
    pub manifest_digest: String,
}

/// One accepted problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The finding fingerprint: the only field matched.
    pub fingerprint: String,
    pub rule_id: String,
    /// The resource ARN (`terraform:<address>` for plans) or the scope.
    pub resource: String,
    /// The status when accepted: FAIL, GAP, ERROR or UNKNOWN.
    pub status: Status,
    /// For people: the finding's one-line summary when accepted.
    pub summary: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid baseline: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: baseline schema_version {found} is not supported (this build reads {BASELINE_VERSION})"
    )]
    Version { path: String, found: u64 },
}

impl Baseline {
    /// Every problem of `report` (FAIL, GAP, ERROR, UNKNOWN, whatever its severity, so a
    /// later, stricter threshold does not surface accepted findings). WAIVED findings are
    /// left out: their waiver accepts them until it expires, and then they are new.
    pub fn from_report(report: &Report) -> Baseline {
        let mut findings: Vec<Entry> = report
            .findings
            .iter()
            .filter(|f| {
                matches!(
                    f.status,
                    Status::Fail | Status::Gap | Status::Error | Status::Unknown
                )
            })
            .map(|f| Entry {
                fingerprint: f.id.clone(),
                rule_id: f.rule_id.clone(),
                resource: f
                    .resource
                    .as_ref()
                    .map(|r| r.arn.clone())
                    .or_else(|| f.scope.clone())
                    .unwrap_or_default(),
                status: f.status,
                summary: f.summary.clone(),
            })
            .collect();
        findings.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            schema_version: BASELINE_VERSION,
            created_at: report.evaluated_at,
            source: Source {
                origin: report.snapshot.origin.clone(),
                path: report.snapshot.path.clone(),
                manifest_digest: report.snapshot.manifest_digest.clone(),
            },
            findings,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let display = path.display().to_string();
        let text = crate::input::read_text(path).map_err(|source| BaselineError::Io {
            path: display.clone(),
            source,
        })?;
        use crate::strict_json::{VersionedError, from_str_versioned};
        from_str_versioned(&text, u64::from(BASELINE_VERSION)).map_err(|e| match e {
            VersionedError::Json(e) => BaselineError::Invalid {
                path: display,
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            },
            VersionedError::Version(found) => BaselineError::Version {
                path: display,
                found,
            },
        })
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a baseline always serialises") + "\n"
    }

    /// Pairs `findings` with the entries by fingerprint, through the comparison `assay
    /// diff` uses ([`crate::diff::compare::by_key`]). A finding is accepted when it is a
    /// problem or WAIVED, an entry has its fingerprint, and it is not a FAIL accepted only
    /// as GAP/ERROR/UNKNOWN. An entry no such finding pairs with is resolved: fixed since
    /// the baseline was made.
    pub fn compare(&self, findings: &[Finding]) -> Comparison {
        let open: Vec<(usize, &Finding)> = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                !matches!(
                    f.status,
                    Status::Pass | Status::NotApplicable | Status::Manual
                )
            })
            .collect();
        let matching = crate::diff::compare::by_key(
            &self.findings,
            &open,
            |e| e.fingerprint.as_str(),
            |(_, f)| f.id.as_str(),
        );
        let mut accepted = vec![false; findings.len()];
        for (e, f) in matching.pairs() {
            let (index, finding) = open[f];
            accepted[index] =
                self.findings[e].status == Status::Fail || finding.status != Status::Fail;
        }
        let resolved = matching
            .unmatched_old
            .iter()
            .map(|e| self.findings[*e].clone())
            .collect();
        Comparison { accepted, resolved }
    }

    /// Whether the baseline accepts `finding` (see [`Baseline::compare`]).
    pub fn accepts(&self, finding: &Finding) -> bool {
        self.compare(std::slice::from_ref(finding)).accepted[0]
    }

    /// Entries that accept none of `findings`' problems: fixed since the baseline was made.
    pub fn unmatched(&self, findings: &[Finding]) -> Vec<Entry> {
        self.compare(findings).resolved
    }
}

/// What a baseline makes of a set of findings.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// For each finding compared, in order: whether the baseline accepts it.
    pub accepted: Vec<bool>,
    /// Entries no current problem pairs with, in the baseline's order.
    pub resolved: Vec<Entry>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::tests::finding;
    use crate::rules::Severity;

    fn baseline(entries: &[(&Finding, Status)]) -> Baseline {
        let mut findings: Vec<Entry> = entries
            .iter()
            .map(|(f, s)| Entry {
                fingerprint: f.id.clone(),
                rule_id: f.rule_id.clone(),
                resource: String::new(),
                status: *s,
                summary: String::new(),
            })
            .collect();
        findings.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        Baseline {
            schema_version: 1,
            created_at: DateTime::default(),
            source: Source {
                origin: "plan".into(),
                path: String::new(),
                manifest_digest: String::new(),
            },
            findings,
        }
    }

    #[test]
    fn matches_by_fingerprint_not_text() {
        let old = finding(
            "network.x",
            "terraform:aws_security_group.a",
            Status::Fail,
            Severity::High,
        );
        let mut now = old.clone();
        now.summary = "a different message".into();
        let b = baseline(&[(&old, Status::Fail)]);
        assert!(b.accepts(&now));
        let other = finding(
            "network.x",
            "terraform:aws_security_group.b",
            Status::Fail,
            Severity::High,
        );
        assert!(!b.accepts(&other));
        assert!(b.unmatched(&[now]).is_empty());
        assert_eq!(b.unmatched(&[other]).len(), 1);
    }

    #[test]
    fn an_unjudged_entry_does_not_accept_a_fail() {
        let unknown = finding(
            "encryption.x",
            "terraform:aws_ebs_volume.v",
            Status::Unknown,
            Severity::High,
        );
        let b = baseline(&[(&unknown, Status::Unknown)]);
        assert!(b.accepts(&unknown));
        let mut fail = unknown.clone();
        fail.status = Status::Fail;
        assert!(!b.accepts(&fail));
    }
}
