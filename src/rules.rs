//! Rules: what must hold, as data.
//!
//! One YAML file per rule under `rules/<domain>/<name>.yaml` with `id: <domain>.<name>`,
//! CEL assertions, control mappings and documentation under fixed headings; parameters are
//! declared in `rules/params.yaml`; framework catalogues live in `rules/frameworks/`.
//! [`load::load_pack`] reads and checks all of it in one pass. The authoring guide is
//! `rules/README.md`.

pub mod bundled;
pub mod expr;
pub mod instrument;

pub mod load;
pub mod on_plan;
pub mod params;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::frameworks::Framework;
use expr::{Expression, References};
use params::ParamCatalogue;

/// How bad a failure of the rule is; thresholds (`--fail-on`) compare these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// `--fail-on` takes a severity, most severe first in `--help`, by the names rule files
/// use ([`Severity::as_str`]).
impl clap::ValueEnum for Severity {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl Severity {
    pub const ALL: [&'static str; 5] = ["critical", "high", "medium", "low", "info"];

    pub fn parse(text: &str) -> Option<Severity> {
        Some(match text {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" => Severity::Medium,
            "low" => Severity::Low,
            "info" => Severity::Info,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

/// Whether a rule is checked against the snapshot or needs a person's attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Automated,
    /// No AWS API can show it (SSH key only, staff training); satisfied by an
    /// attestation in the profile.
    Manual,
}

/// Documentation under fixed headings, printed by `assay rules explain`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// What the rule checks, in one paragraph.
    pub what: String,
    /// Why an auditor cares: the risk and the control objective.
    pub why: String,
    /// What evidence a finding carries and where it comes from.
    pub evidence: String,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
}

/// One named assertion: a CEL expression that must be true.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub name: String,
    pub expr: Expression,
    /// What the assertion reads, including through the `let` bindings it uses.
    pub refs: References,
    pub evidence: Vec<(String, Expression)>,
}

/// A validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub kind: RuleKind,
    pub resource_types: Vec<String>,
    /// Framework id → control ids.
    pub controls: BTreeMap<String, Vec<String>>,
    /// IAM actions the evidence for this rule needs (for least-privilege policies).
    pub iam_actions: Vec<String>,
    pub applies_when: Option<(Expression, References)>,
    pub lets: Vec<(String, Expression, References)>,
    pub assertions: Vec<Assertion>,
    pub doc: RuleDoc,
    pub path: PathBuf,
    /// Every parameter the rule reads.
    pub params: BTreeSet<String>,
    /// SHA-256 of the rule file: the rule's version in findings.
    pub sha256: String,
}

/// Everything loaded from a rules directory.
#[derive(Debug)]
pub struct RulePack {
    pub rules: Vec<Rule>,
    pub params: ParamCatalogue,
    pub frameworks: Vec<Framework>,
    pub root: PathBuf,
    /// SHA-256 over the sorted (path, file hash) list of every file read.
    pub digest: String,
}

impl RulePack {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// Declared parameters no rule reads: a profile value for them would change nothing,
    /// which is worth a warning in `assay rules lint`.
    pub fn unused_params(&self) -> Vec<&str> {
        self.params
            .keys()
            .filter(|p| !self.rules.iter().any(|r| r.params.contains(*p)))
            .map(String::as_str)
            .collect()
    }
}
