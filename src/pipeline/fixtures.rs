//! Rule fixtures: `rules/<domain>/<name>.tests.yaml` beside each rule, run by
//! `assay rules test` and by `cargo test`. Running one is a small pipeline (a snapshot
//! made from the case, the evaluator, the expected findings), so it lives here, above
//! both the rule model and the evaluator, rather than in `rules/`, which the evaluator
//! reads.
//!
//! A fixture case is a tiny snapshot: resources written sparsely (only the fields the
//! case is about; everything else takes its blank value), optional gap records, the
//! parameter values, and the exact findings expected. Every automated rule needs at least
//! one case expecting PASS and one expecting FAIL; a rule without fixtures is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::evaluate::evaluate;
use crate::findings::{AssertionStatus, Finding, Status};
use crate::profile::Attestation;
use crate::rules::{Rule, RuleKind, RulePack};
use crate::snapshot::{self, Attributes, Gap, Resource, Snapshot};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    /// Parameter values for every case (on top of the declared defaults).
    #[serde(default)]
    params: BTreeMap<String, Json>,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    params: BTreeMap<String, Json>,
    /// Sparse resources: `type` and `arn` are required; envelope fields are derived from
    /// the ARN when absent; attributes default to blank.
    #[serde(default)]
    resources: Vec<Json>,
    #[serde(default)]
    gaps: Vec<Json>,
    #[serde(default)]
    attestations: Vec<Attestation>,
    /// When the fixture snapshot was taken (default 2026-11-22T04:00:00Z).
    #[serde(default)]
    collected_at: Option<DateTime<Utc>>,
    expect: Vec<Expectation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectation {
    /// The resource ARN, or the scope of a finding without resource (`account/region`,
    /// `all`, `organisation`).
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    status: String,
    /// When given: exactly these assertions failed.
    #[serde(default)]
    failed: Option<Vec<String>>,
}

/// The result of running one rule's fixtures.
#[derive(Debug)]
pub struct RuleTestResult {
    pub rule_id: String,
    pub fixture: PathBuf,
    pub cases: usize,
    pub failures: Vec<String>,
}

/// Path of a rule's fixture file.
pub fn fixture_path(rule: &Rule) -> PathBuf {
    let stem = rule
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("rule");
    rule.path.with_file_name(format!("{stem}.tests.yaml"))
}

/// Runs the fixtures of every rule in the pack (or of those whose id starts with `filter`).
pub fn run_all(pack: &RulePack, filter: Option<&str>) -> Vec<RuleTestResult> {
    pack.rules
        .iter()
        .filter(|r| filter.is_none_or(|f| r.id.starts_with(f)))
        .map(|r| run_rule(pack, r))
        .collect()
}

pub fn run_rule(pack: &RulePack, rule: &Rule) -> RuleTestResult {
    let fixture = fixture_path(rule);
    let mut result = RuleTestResult {
        rule_id: rule.id.clone(),
        fixture: fixture.clone(),
        cases: 0,
        failures: Vec::new(),
    };
    let text = match crate::input::read_text(&fixture) {
        Ok(t) => t,
        Err(_) => {
            result.failures.push(format!(
                "no fixtures: write {} with at least one PASS and one FAIL case",
                fixture.display()
            ));
            return result;
        }
    };
    let file: FixtureFile = match serde_saphyr::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            result
                .failures
                .push(format!("{}: {}", fixture.display(), e.without_snippet()));
            return result;
        }
    };
    let mut seen = BTreeSet::new();
    for case in &file.cases {
        result.cases += 1;
        match run_case(pack, rule, &file.params, case) {
            Ok(findings) => {
                seen.extend(findings.iter().map(|f| f.status));
                check_expectations(&fixture, case, &findings, &mut result.failures);
            }
            Err(e) => {
                result
                    .failures
                    .push(format!("{}: case `{}`: {e}", fixture.display(), case.name))
            }
        }
    }
    if rule.kind == RuleKind::Automated
        && !(seen.contains(&Status::Pass) && seen.contains(&Status::Fail))
    {
        result.failures.push(format!(
            "{}: needs at least one case with a PASS finding and one with a FAIL finding",
            fixture.display()
        ));
    }
    result
}

fn run_case(
    pack: &RulePack,
    rule: &Rule,
    file_params: &BTreeMap<String, Json>,
    case: &Case,
) -> Result<Vec<Finding>, String> {
    let mut params: BTreeMap<String, Json> = pack
        .params
        .values()
        .filter_map(|d| d.default.clone().map(|v| (d.name.clone(), v)))
        .collect();
    params.extend(file_params.clone());
    params.extend(case.params.clone());
    for (name, value) in params.iter_mut() {
        let decl = pack
            .params
            .get(name)
            .ok_or_else(|| format!("unknown parameter `{name}`"))?;
        decl.ty
            .check(value)
            .map_err(|e| format!("parameter `{name}`: {e}"))?;
        *value = decl.ty.normalise(value);
    }
    for name in &rule.params {
        if !params.contains_key(name) {
            return Err(format!(
                "parameter `{name}` has no default; set it under `params:`"
            ));
        }
    }
    let resources = case
        .resources
        .iter()
        .map(expand_resource)
        .collect::<Result<Vec<_>, _>>()?;
    let gaps = case
        .gaps
        .iter()
        .enumerate()
        .map(|(i, g)| expand_gap(i, g))
        .collect::<Result<Vec<_>, _>>()?;
    let snapshot = Snapshot {
        schema_version: snapshot::SCHEMA_VERSION,
        tool: snapshot::ToolInfo {
            name: "fixture".into(),
            version: "0".into(),
        },
        collected_at: case.collected_at.unwrap_or_else(default_time),
        origin: snapshot::Origin {
            kind: "sample".into(),
            endpoint_url: None,
            principal_arn: None,
        },
        accounts: Vec::new(),
        resources,
        gaps,
        raw_responses: BTreeMap::new(),
        manifest: snapshot::Manifest {
            algorithm: "sha256".into(),
            canonicalization: "rfc8785".into(),
            digest: String::new(),
            signature: None,
        },
    };
    Ok(evaluate(&snapshot, &[rule], &params, &case.attestations))
}

fn default_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T04:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Builds a full resource from a sparse fixture object: blank attributes of its type,
/// envelope fields from the ARN, then the fixture's own fields on top (objects merge).
fn expand_resource(sparse: &Json) -> Result<Resource, String> {
    let obj = sparse.as_object().ok_or("a resource must be a mapping")?;
    let type_name = obj
        .get("type")
        .and_then(Json::as_str)
        .ok_or("a resource needs `type`")?;
    let arn = obj
        .get("arn")
        .and_then(Json::as_str)
        .ok_or("a resource needs `arn`")?;
    let blank = Attributes::blank(type_name)
        .ok_or_else(|| format!("unknown resource type `{type_name}`"))?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let id = arn.rsplit(['/', ':']).next().unwrap_or(arn).to_string();
    let region = parts
        .get(3)
        .filter(|r| !r.is_empty())
        .map_or("global", |r| r);
    let account = parts
        .get(4)
        .filter(|a| !a.is_empty())
        .map_or("111122223333", |a| a);
    let mut base = serde_json::to_value(&blank).map_err(|e| e.to_string())?;
    let envelope = serde_json::json!({
        "arn": arn, "id": id, "name": id, "account": account, "region": region,
        "tags": {}, "provenance": {}, "unread": [],
    });
    merge(&mut base, &envelope);
    merge(&mut base, sparse);
    serde_json::from_value(base).map_err(|e| format!("resource {arn}: {e}"))
}

fn expand_gap(i: usize, sparse: &Json) -> Result<Gap, String> {
    let mut base = serde_json::json!({
        "id": format!("gap-{}", i + 1), "account": "111122223333", "service": "unknown", "region": "global",
        "operation": "unknown:Operation", "error_code": "AccessDenied", "message": "fixture gap",
        "resource_types": [], "occurred_at": "2026-11-22T04:00:00Z",
    });
    merge(&mut base, sparse);
    serde_json::from_value(base).map_err(|e| format!("gap: {e}"))
}

/// Deep-merges `top` into `base`: objects merge key by key, anything else replaces.
fn merge(base: &mut Json, top: &Json) {
    match (base, top) {
        (Json::Object(b), Json::Object(t)) => {
            for (k, v) in t {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, t) => *b = t.clone(),
    }
}

fn check_expectations(
    fixture: &Path,
    case: &Case,
    findings: &[Finding],
    failures: &mut Vec<String>,
) {
    let where_ = format!("{}: case `{}`", fixture.display(), case.name);
    let key = |f: &Finding| {
        f.resource
            .as_ref()
            .map(|r| r.arn.clone())
            .or_else(|| f.scope.clone())
            .unwrap_or_default()
    };
    let mut matched = vec![false; findings.len()];
    for e in &case.expect {
        let Some(wanted) = e.resource.clone().or_else(|| e.scope.clone()) else {
            failures.push(format!(
                "{where_}: an expectation needs `resource` or `scope`"
            ));
            continue;
        };
        let Some(status) = Status::parse(&e.status) else {
            failures.push(format!("{where_}: unknown status `{}`", e.status));
            continue;
        };
        // Several findings may share a key (one GAP per gap record and type): take the
        // first one not matched yet.
        match findings
            .iter()
            .enumerate()
            .position(|(i, f)| !matched[i] && key(f) == wanted)
        {
            None => failures.push(format!(
                "{where_}: expected a {} finding for {wanted}, got none",
                e.status
            )),
            Some(i) => {
                matched[i] = true;
                let f = &findings[i];
                if f.status != status {
                    failures.push(format!(
                        "{where_}: {wanted}: expected {}, got {} ({})",
                        e.status,
                        f.status.as_str(),
                        f.summary
                    ));
                }
                if let Some(expected_failed) = &e.failed {
                    let failed: Vec<String> = f
                        .assertions
                        .iter()
                        .filter(|a| a.status == AssertionStatus::Fail)
                        .map(|a| a.name.clone())
                        .collect();
                    if &failed != expected_failed {
                        failures.push(format!("{where_}: {wanted}: expected failed assertions {expected_failed:?}, got {failed:?}"));
                    }
                }
            }
        }
    }
    for (f, m) in findings.iter().zip(matched) {
        if !m {
            failures.push(format!(
                "{where_}: unexpected {} finding for {} ({})",
                f.status.as_str(),
                key(f),
                f.summary
            ));
        }
    }
}
