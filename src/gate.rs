//! The CI gate: which findings stop a change.
//!
//! A finding *blocks* when its status is one the policy fails on, its rule's severity is
//! at or above `--fail-on`, and the baseline does not accept it:
//! - FAIL always counts (an expired waiver leaves a FAIL, so it counts too; WAIVED never);
//! - ERROR always counts: the rule could not be evaluated, which is never a pass;
//! - GAP counts with `--fail-on-gap` (the default): data that was not read;
//! - UNKNOWN counts with `--fail-on-unknown` (the default): a plan value known only after
//!   apply.
//!
//! The baseline ([`baseline`]) is keyed by finding fingerprint (rule id + resource
//! identity), never by message text, so a changed observed value still matches and a new
//! resource never does. See `docs/ci.md`.

pub mod baseline;
pub mod format;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod sources;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::exit::ExitStatus;
use crate::findings::{Finding, Status};
use crate::plan::{NotRead, PlanNote};
use crate::rules::Severity;
use crate::rules::on_plan::NotEvaluated;
use baseline::Baseline;

/// What fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Policy {
    /// The lowest severity that can fail the gate.
    pub fail_on: Severity,
    pub fail_on_gap: bool,
    pub fail_on_unknown: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail_on: Severity::Info,
            fail_on_gap: true,
            fail_on_unknown: true,
        }
    }
}

impl Policy {
    /// Whether `finding` is a problem under this policy, ignoring any baseline.
    pub fn counts(&self, finding: &Finding) -> bool {
        let status_counts = match finding.status {
            Status::Fail | Status::Error => true,
            Status::Gap => self.fail_on_gap,
            Status::Unknown => self.fail_on_unknown,
            Status::Pass | Status::NotApplicable | Status::Waived | Status::Manual => false,
        };
        status_counts && finding.severity >= self.fail_on
    }
}

/// What the CI renderers ([`junit`], [`sarif`], [`markdown`]) show:
/// the report, the gate's decision, and where planned resources are declared.
pub struct Outcome<'a> {
    pub report: &'a crate::report::Report,
    pub decision: &'a Decision,
    /// Root-module address → declaration, for plans whose `.tf` files were found.
    pub declared: &'a BTreeMap<String, sources::Declared>,
    /// The directory holding those `.tf` files, as given (prefix of SARIF artifact URIs).
    pub config_dir: Option<String>,
}

impl Outcome<'_> {
    /// Whether the findings come from a Terraform plan.
    pub fn is_plan(&self) -> bool {
        self.report.snapshot.origin == "plan"
    }
}

/// How a finding's resource is shown in CI output: the Terraform address for planned
/// resources, the ARN otherwise, or the scope of a finding without resource.
pub fn resource_label(finding: &Finding) -> String {
    match &finding.resource {
        Some(r) => r
            .arn
            .strip_prefix("terraform:")
            .unwrap_or(&r.arn)
            .to_string(),
        None => finding.scope.clone().unwrap_or_default(),
    }
}

/// How the gate judged one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Judgement {
    /// A problem not in the baseline: the gate fails.
    Blocking,
    /// A problem the baseline accepts.
    Baselined,
    /// A problem below the threshold, or of a status the policy lets through.
    Allowed,
    /// Not a problem (PASS, WAIVED, MANUAL, NOT_APPLICABLE).
    Clean,
}

/// The gate's decision over a set of findings.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub passed: bool,
    pub policy: Policy,
    /// Per finding id, in findings order.
    pub judgements: BTreeMap<String, Judgement>,
    /// Counts per judgement.
    pub blocking: usize,
    pub baselined: usize,
    pub allowed: usize,
    /// Baseline entries that matched no current problem: fixed since, and worth removing.
    pub resolved: Vec<baseline::Entry>,
    /// Plans only: rules that were not evaluated, and why.
    pub not_evaluated: Vec<NotEvaluated>,
    /// Plans only: planned resources of types assay does not read.
    pub not_read: Vec<NotRead>,
    /// Why the findings rest on no evidence at all (`Report::no_evidence`), when they do:
    /// the gate fails on it unless `--allow-empty` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_evidence: Option<String>,
    /// Plans only: changes read in part (a parent outside the plan, an attachment no rule
    /// reads), each named.
    pub notes: Vec<PlanNote>,
    /// Problems that did not stop the run: a plan file read with a caveat, a profile
    /// parameter that selects nothing.
    pub warnings: Vec<String>,
    /// Plans only: set when the plan gives the rules nothing to judge, saying so; the gate
    /// then passes on no evidence, and every output states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nothing_to_judge: Option<String>,
}

impl Decision {
    /// Judges `findings` under `policy` and an optional baseline.
    pub fn new(findings: &[Finding], policy: Policy, baseline: Option<&Baseline>) -> Decision {
        let comparison = baseline.map(|b| b.compare(findings)).unwrap_or_default();
        let mut judgements = BTreeMap::new();
        let (mut blocking, mut baselined, mut allowed) = (0, 0, 0);
        for (i, f) in findings.iter().enumerate() {
            let problem = !matches!(
                f.status,
                Status::Pass | Status::NotApplicable | Status::Waived | Status::Manual
            );
            let judgement = if !problem {
                Judgement::Clean
            } else if !policy.counts(f) {
                allowed += 1;
                Judgement::Allowed
            } else if comparison.accepted.get(i).copied().unwrap_or(false) {
                baselined += 1;
                Judgement::Baselined
            } else {
                blocking += 1;
                Judgement::Blocking
            };
            judgements.insert(f.id.clone(), judgement);
        }
        let resolved = comparison.resolved;
        Decision {
            passed: blocking == 0,
            policy,
            judgements,
            blocking,
            baselined,
            allowed,
            resolved,
            not_evaluated: Vec::new(),
            not_read: Vec::new(),
            no_evidence: None,
            notes: Vec::new(),
            warnings: Vec::new(),
            nothing_to_judge: None,
        }
    }

    /// Judges the evidence as a whole: a run that checked nothing (an empty snapshot, or no
    /// automated rule found anything) fails the gate, never passes it, unless
    /// `allow_empty` (`--allow-empty`) says an empty run is expected.
    pub fn judge_evidence(&mut self, report: &crate::report::Report, allow_empty: bool) {
        self.no_evidence = report.no_evidence();
        if self.no_evidence.is_some() && !allow_empty {
            self.passed = false;
        }
    }

    pub fn judgement(&self, finding: &Finding) -> Judgement {
        self.judgements
            .get(&finding.id)
            .copied()
            .unwrap_or(Judgement::Clean)
    }

    /// The exit status: 0 passed, 1 failed.
    pub fn exit_code(&self) -> ExitStatus {
        if self.passed {
            ExitStatus::Ok
        } else {
            ExitStatus::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::fingerprint;

    pub(crate) fn finding(
        rule: &str,
        resource: &str,
        status: Status,
        severity: Severity,
    ) -> Finding {
        Finding {
            id: fingerprint(rule, resource),
            rule_id: rule.into(),
            rule_title: String::new(),
            severity,
            status,
            resource: None,
            scope: Some(resource.into()),
            summary: format!("{rule} on {resource}"),
            assertions: Vec::new(),
            sources: Vec::new(),
            gaps: Vec::new(),
            waiver: None,
            attestation: None,
            controls: Default::default(),
        }
    }

    #[test]
    fn thresholds_and_statuses() {
        let findings = vec![
            finding("a", "r1", Status::Fail, Severity::High),
            finding("b", "r1", Status::Fail, Severity::Low),
            finding("c", "r1", Status::Gap, Severity::Critical),
            finding("d", "r1", Status::Unknown, Severity::High),
            finding("e", "r1", Status::Waived, Severity::Critical),
            finding("f", "r1", Status::Error, Severity::High),
        ];
        let d = Decision::new(
            &findings,
            Policy {
                fail_on: Severity::High,
                ..Policy::default()
            },
            None,
        );
        assert_eq!((d.blocking, d.allowed), (4, 1));
        assert_eq!(d.judgement(&findings[4]), Judgement::Clean);
        let lenient = Policy {
            fail_on: Severity::High,
            fail_on_gap: false,
            fail_on_unknown: false,
        };
        let d = Decision::new(&findings, lenient, None);
        assert_eq!(d.blocking, 2, "FAIL and ERROR still block");
        assert_eq!(d.exit_code(), ExitStatus::Failed);
        let d = Decision::new(&findings[4..5], Policy::default(), None);
        assert!(d.passed);
        assert_eq!(d.exit_code(), ExitStatus::Ok);
    }
}
