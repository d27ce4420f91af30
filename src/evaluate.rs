//! Evaluation: rules × resources → findings.
//!
//! For each automated rule and each resource of its types: `where` decides applicability,
//! `let` bindings are computed in order, then every assertion is evaluated and recorded
//! (all failures are reported, not just the first). Missing data is handled before any
//! expression runs: an assertion that reads an attribute group the collector could not
//! read is GAP, and a join that touched an unlisted resource type is GAP too. Nothing that
//! was not read can PASS.

pub mod budget;
mod cidr;
pub mod functions;
mod parallel;
pub mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use cel::common::ast::Expr;
use cel::{Context, Value};
use serde_json::Value as Json;

use crate::findings::{
    AssertionResult, AssertionStatus, AttestationRef, EvidenceSource, Finding, ResourceRef, Status,
    fingerprint,
};
use crate::rules::{Rule, RuleKind};
use crate::snapshot::{Resource, Snapshot};
use functions::{Index, Touched};

/// A person's statement that a manual control holds (from the profile).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub rule: String,
    pub attested_by: String,
    /// When it was attested (`YYYY-MM-DD`).
    pub date: String,
    /// Last day it is valid (`YYYY-MM-DD`, UTC).
    pub expires: String,
    /// Link to the evidence (document, ticket, screenshot set).
    pub evidence: String,
    pub statement: String,
}

/// The scope of a manual rule's finding: a person's attestation about the organisation
/// as a whole, not about one account or resource.
pub const ORGANISATION_SCOPE: &str = "organisation";

/// What a rule sees as `resource`: the resource JSON without provenance bookkeeping.
pub fn resource_view(resource: &Resource) -> Json {
    let mut json = serde_json::to_value(resource).expect("resources always serialise");
    if let Some(map) = json.as_object_mut() {
        map.remove("provenance");
        map.remove("unread");
        map.remove("unknown");
    }
    json
}

/// Evaluates `rules` against `snapshot` with resolved parameter values.
///
/// The (rule, resource) pairs are evaluated on every core (`parallel`); findings come out
/// in rule order, and within a rule in snapshot order, whatever the number of threads.
pub fn evaluate(
    snapshot: &Snapshot,
    rules: &[&Rule],
    params: &BTreeMap<String, Json>,
    attestations: &[Attestation],
) -> Vec<Finding> {
    let index = Arc::new(Index::new(snapshot));
    let params_value = values::to_cel(&Json::Object(params.clone().into_iter().collect()));
    let snapshot_value = values::to_cel(&serde_json::json!({
        "collected_at": snapshot.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "accounts": snapshot.accounts.iter().map(|a| a.account_id.clone()).collect::<Vec<_>>(),
        "regions_read": snapshot.accounts.iter().flat_map(|a| a.regions_read.clone()).collect::<BTreeSet<_>>(),
    }));

    // Each automated rule's resources, in snapshot order: the work, as (rule, position).
    let positions: Vec<Vec<usize>> = rules
        .iter()
        .map(|rule| match rule.kind {
            RuleKind::Manual => Vec::new(),
            RuleKind::Automated => {
                let mut positions: Vec<usize> = rule
                    .resource_types
                    .iter()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .flat_map(|t| index.of_type(t).iter().copied())
                    .collect();
                positions.sort_unstable();
                positions
            }
        })
        .collect();
    let work: Vec<(usize, usize)> = positions
        .iter()
        .enumerate()
        .flat_map(|(r, ps)| ps.iter().map(move |&pos| (r, pos)))
        .collect();
    let mut resource_findings = parallel::map(
        &work,
        || Evaluator::new(snapshot, index.clone(), &params_value, &snapshot_value),
        |evaluator, &(r, pos)| evaluator.resource(rules[r], pos, &snapshot.resources[pos]),
    )
    .into_iter();

    let mut findings = Vec::with_capacity(work.len() + rules.len());
    for (rule, positions) in rules.iter().zip(&positions) {
        match rule.kind {
            RuleKind::Manual => findings.push(manual_finding(rule, attestations, snapshot)),
            RuleKind::Automated => {
                let before = findings.len();
                listing_gap_findings(snapshot, rule, &mut findings);
                findings.extend(resource_findings.by_ref().take(positions.len()));
                if findings.len() == before {
                    findings.push(not_applicable(rule));
                }
            }
        }
    }
    findings
}

struct Evaluator<'s> {
    snapshot: &'s Snapshot,
    index: Arc<Index>,
    touched: Arc<Mutex<Touched>>,
    /// Reset before every expression evaluation: each has the whole budget.
    budget: Arc<budget::Budget>,
    root: Context<'static, 'static>,
}

/// The result of one expression: its value, or an error, and what it touched.
struct Outcome {
    value: Result<Value, String>,
    gaps: BTreeSet<String>,
    related: BTreeSet<usize>,
    /// What `of_type`/`all_of_type` returned (see [`cited_joins`]).
    joined: BTreeSet<usize>,
    /// Plan snapshots: why a joined value is not known yet.
    unknown: BTreeSet<String>,
    /// Plan snapshots: the types listed by `of_type`/`all_of_type` (partial in a plan).
    partial: BTreeSet<String>,
}

impl<'s> Evaluator<'s> {
    /// One thread's evaluator: its own CEL context, whose functions record what they
    /// touched in its own [`Touched`].
    fn new(
        snapshot: &'s Snapshot,
        index: Arc<Index>,
        params: &Value,
        snapshot_value: &Value,
    ) -> Evaluator<'s> {
        let touched = Arc::new(Mutex::new(Touched::default()));
        let mut root = Context::with_env(crate::rules::expr::ENV.clone());
        functions::register(&mut root, index.clone(), touched.clone());
        let budget = Arc::new(budget::Budget::default());
        budget::register(&mut root, budget.clone());
        root.add_variable_from_value("params", params.clone());
        root.add_variable_from_value("snapshot", snapshot_value.clone());
        Evaluator {
            snapshot,
            index,
            touched,
            budget,
            root,
        }
    }

    fn run(&self, ctx: &Context, expr: &cel::common::ast::IdedExpr, account: &str) -> Outcome {
        if let Ok(mut t) = self.touched.lock() {
            t.account = account.to_string();
            t.gaps.clear();
            t.related.clear();
            t.joined.clear();
            t.unknown.clear();
            t.partial.clear();
        }
        self.budget.reset();
        let value = ctx.resolve(expr).map_err(|e| e.to_string());
        let (gaps, related, joined, unknown, partial) = match self.touched.lock() {
            Ok(mut t) => (
                std::mem::take(&mut t.gaps),
                std::mem::take(&mut t.related),
                std::mem::take(&mut t.joined),
                std::mem::take(&mut t.unknown),
                std::mem::take(&mut t.partial),
            ),
            Err(_) => Default::default(),
        };
        Outcome {
            value,
            gaps,
            related,
            joined,
            unknown,
            partial,
        }
    }

    fn resource(&self, rule: &Rule, pos: usize, resource: &Resource) -> Finding {
        let mut ctx = self.root.new_inner_scope();
        ctx.add_variable_from_value("resource", self.index.values[pos].clone());
        let unread: BTreeMap<&str, &str> = resource
            .unread
            .iter()
            .map(|u| (u.group.as_str(), u.gap.as_str()))
            .collect();
        // Plan snapshots: groups whose value is known only after apply, with the reason.
        let unknown: BTreeMap<&str, &str> = resource
            .unknown
            .iter()
            .map(|u| (u.group.as_str(), u.reason.as_str()))
            .collect();
        let unknown_in = |groups: &BTreeSet<String>| -> Vec<String> {
            groups
                .iter()
                .filter_map(|g| unknown.get(g.as_str()).map(|r| r.to_string()))
                .collect()
        };
        let gaps_in = |groups: &BTreeSet<String>| -> Vec<String> {
            groups
                .iter()
                .filter_map(|g| unread.get(g.as_str()).map(|gap| gap.to_string()))
                .collect()
        };
        let mut finding = Finding {
            id: fingerprint(&rule.id, &resource.arn),
            rule_id: rule.id.clone(),
            rule_title: rule.title.clone(),
            severity: rule.severity,
            status: Status::Pass,
            resource: Some(ResourceRef {
                arn: resource.arn.clone(),
                type_name: resource.type_name().to_string(),
                name: resource.name.clone(),
                account: resource.account.clone(),
                region: resource.region.clone(),
                pointer: format!("/resources/{pos}"),
            }),
            scope: None,
            summary: String::new(),
            assertions: Vec::new(),
            sources: Vec::new(),
            gaps: Vec::new(),
            waiver: None,
            attestation: None,
            controls: rule.controls.clone(),
        };
        let mut related = BTreeSet::new();
        let mut groups_read: BTreeSet<String> = ["resource".to_string()].into();

        if let Some((expr, refs)) = &rule.applies_when {
            let gaps = gaps_in(&refs.resource_groups);
            if !gaps.is_empty() {
                finding.status = Status::Gap;
                finding.summary = format!(
                    "cannot tell whether the rule applies: {} not read",
                    refs.resource_groups
                        .iter()
                        .filter(|g| unread.contains_key(g.as_str()))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                finding.gaps = gaps;
                return finding;
            }
            let reasons = unknown_in(&refs.resource_groups);
            if !reasons.is_empty() {
                finding.status = Status::Unknown;
                finding.summary = format!(
                    "cannot tell whether the rule applies: {}",
                    reasons.join("; ")
                );
                return finding;
            }
            let out = self.run(&ctx, &expr.budgeted, &resource.account);
            groups_read.extend(refs.resource_groups.iter().cloned());
            let false_in_partial_plan =
                matches!(out.value, Ok(Value::Bool(false))) && !out.partial.is_empty();
            if out.gaps.is_empty() && (!out.unknown.is_empty() || false_in_partial_plan) {
                finding.status = Status::Unknown;
                finding.summary = format!(
                    "cannot tell whether the rule applies: {}",
                    unknown_reason(&out.unknown, &out.partial)
                );
                return finding;
            }
            match out.value {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) if out.gaps.is_empty() => {
                    finding.status = Status::NotApplicable;
                    finding.summary = format!("not applicable: `{}` is false", expr.source.trim());
                    return finding;
                }
                Ok(Value::Bool(false)) => {
                    finding.status = Status::Gap;
                    finding.summary = "cannot tell whether the rule applies: a resource type it reads was not listed".into();
                    finding.gaps = out.gaps.into_iter().collect();
                    return finding;
                }
                Ok(other) => {
                    finding.status = Status::Error;
                    finding.summary = format!(
                        "`where` must be a bool, got {}",
                        values::compact(&values::to_json(&other))
                    );
                    return finding;
                }
                Err(e) => {
                    finding.status = if out.gaps.is_empty() {
                        Status::Error
                    } else {
                        Status::Gap
                    };
                    finding.summary = format!("`where` failed: {e}");
                    finding.gaps = out.gaps.into_iter().collect();
                    return finding;
                }
            }
        }

        // `let` bindings, in order. A failed binding is remembered with its cause.
        let mut failed_lets: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
        // Plan snapshots: bindings built on values not known yet, and bindings that listed
        // a type with `of_type` (a plan holds only some of its resources).
        let mut unknown_lets: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut partial_lets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, expr, refs) in &rule.lets {
            if !gaps_in(&refs.resource_groups).is_empty() {
                failed_lets.insert(
                    name.clone(),
                    (
                        "reads data that was not read".into(),
                        gaps_in(&refs.resource_groups).into_iter().collect(),
                    ),
                );
                continue;
            }
            let reasons = unknown_in(&refs.resource_groups);
            if !reasons.is_empty() {
                unknown_lets.insert(name.clone(), reasons);
                continue;
            }
            let out = self.run(&ctx, &expr.budgeted, &resource.account);
            related.extend(out.related);
            related.extend(cited_joins(self.snapshot, &out.value, out.joined));
            if !out.unknown.is_empty() {
                unknown_lets.insert(name.clone(), out.unknown.iter().cloned().collect());
            }
            if !out.partial.is_empty() {
                partial_lets.insert(name.clone(), out.partial.clone());
            }
            match out.value {
                Ok(value) if out.gaps.is_empty() => {
                    ctx.add_variable_from_value(name.clone(), value)
                }
                Ok(value) => {
                    ctx.add_variable_from_value(name.clone(), value);
                    failed_lets.insert(name.clone(), (join_gap_message(&out.gaps), out.gaps));
                }
                Err(e) => {
                    failed_lets.insert(name.clone(), (e, out.gaps));
                }
            }
        }

        let mut any_failed = false;
        for assertion in &rule.assertions {
            let mut result = AssertionResult {
                name: assertion.name.clone(),
                status: AssertionStatus::Pass,
                expression: assertion.expr.source.trim().to_string(),
                observed: None,
                expected: None,
                message: None,
                evidence: indexmap::IndexMap::new(),
            };
            let unread_gaps = gaps_in(&assertion.refs.resource_groups);
            let let_problem = assertion
                .refs
                .lets
                .iter()
                .find_map(|l| failed_lets.get(l).map(|p| (l, p)));
            let unknown_reasons: Vec<String> = unknown_in(&assertion.refs.resource_groups)
                .into_iter()
                .chain(
                    assertion
                        .refs
                        .lets
                        .iter()
                        .filter_map(|l| unknown_lets.get(l))
                        .flatten()
                        .cloned(),
                )
                .collect();
            groups_read.extend(assertion.refs.resource_groups.iter().cloned());
            if !unread_gaps.is_empty() {
                result.status = AssertionStatus::Gap;
                result.message = Some(format!(
                    "{} not read",
                    assertion
                        .refs
                        .resource_groups
                        .iter()
                        .filter(|g| unread.contains_key(g.as_str()))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                finding.gaps.extend(unread_gaps);
            } else if let Some((name, (message, gaps))) =
                let_problem.filter(|(_, (_, gaps))| !gaps.is_empty())
            {
                result.status = AssertionStatus::Gap;
                result.message = Some(format!("`{name}` {message}"));
                finding.gaps.extend(gaps.iter().cloned());
            } else if !unknown_reasons.is_empty() {
                mark_unknown(&mut result, unknown_reasons);
            } else if let Some((name, (message, _))) = let_problem {
                result.status = if any_failed {
                    AssertionStatus::Skipped
                } else {
                    AssertionStatus::Error
                };
                result.message = Some(format!("let `{name}` failed: {message}"));
            } else {
                let out = self.run(&ctx, &assertion.expr.budgeted, &resource.account);
                related.extend(out.related.iter().copied());
                related.extend(out.joined.iter().copied());
                let mut partial = out.partial.clone();
                for l in &assertion.refs.lets {
                    partial.extend(partial_lets.get(l).into_iter().flatten().cloned());
                }
                let false_in_partial_plan =
                    matches!(out.value, Ok(Value::Bool(false))) && !partial.is_empty();
                if out.gaps.is_empty() && (!out.unknown.is_empty() || false_in_partial_plan) {
                    mark_unknown(&mut result, vec![unknown_reason(&out.unknown, &partial)]);
                } else {
                    match (&out.value, out.gaps.is_empty()) {
                        (Ok(Value::Bool(true)), true) => {}
                        (Ok(Value::Bool(_)), false) | (Err(_), false) => {
                            result.status = AssertionStatus::Gap;
                            result.message = Some(join_gap_message(&out.gaps));
                            finding.gaps.extend(out.gaps.iter().cloned());
                        }
                        (Ok(Value::Bool(false)), true) => {
                            result.status = AssertionStatus::Fail;
                            any_failed = true;
                            let (observed, expected) =
                                self.observed_expected(&ctx, &assertion.expr, &resource.account);
                            result.observed = observed;
                            result.expected = expected;
                            for (label, ev) in &assertion.evidence {
                                let out = self.run(&ctx, &ev.budgeted, &resource.account);
                                let value = match out.value {
                                    Ok(v) => values::to_json(&v),
                                    Err(e) => Json::String(format!("(evidence failed: {e})")),
                                };
                                result.evidence.insert(label.clone(), value);
                            }
                        }
                        (Ok(other), _) => {
                            result.status = AssertionStatus::Error;
                            result.message = Some(format!(
                                "an assertion must be a bool, got {}",
                                values::compact(&values::to_json(other))
                            ));
                        }
                        (Err(e), true) => {
                            result.status = if any_failed {
                                AssertionStatus::Skipped
                            } else {
                                AssertionStatus::Error
                            };
                            result.message = Some(e.clone());
                        }
                    }
                }
            }
            finding.assertions.push(result);
        }

        finding.gaps.sort();
        finding.gaps.dedup();
        finding.status = roll_up(&finding.assertions);
        finding.summary = summarise(&finding.assertions);
        finding.sources = self.sources(resource, &groups_read, &related);
        finding
    }

    /// For a failed comparison, the left operand's value and the operator with the right
    /// operand's value: "observed 35, expected >= 42". Through `&&`, the first conjunct that
    /// is false is explained.
    fn observed_expected(
        &self,
        ctx: &Context,
        expr: &crate::rules::expr::Expression,
        account: &str,
    ) -> (Option<Json>, Option<String>) {
        self.explain(ctx, &expr.budgeted, account)
    }

    fn explain(
        &self,
        ctx: &Context,
        node: &cel::common::ast::IdedExpr,
        account: &str,
    ) -> (Option<Json>, Option<String>) {
        let Expr::Call(call) = &node.expr else {
            return (None, None);
        };
        if call.func_name == "_&&_" {
            for arg in &call.args {
                if matches!(self.run(ctx, arg, account).value, Ok(Value::Bool(false))) {
                    return self.explain(ctx, arg, account);
                }
            }
            return (None, None);
        }
        let op = match call.func_name.as_str() {
            "_==_" => "==",
            "_!=_" => "!=",
            "_<_" => "<",
            "_<=_" => "<=",
            "_>_" => ">",
            "_>=_" => ">=",
            "@in" => "in",
            _ => return (None, None),
        };
        if call.args.len() != 2 {
            return (None, None);
        }
        let left = self
            .run(ctx, &call.args[0], account)
            .value
            .ok()
            .map(|v| values::to_json(&v));
        let right = self
            .run(ctx, &call.args[1], account)
            .value
            .ok()
            .map(|v| values::compact(&values::to_json(&v)));
        (left, right.map(|r| format!("{op} {r}")))
    }

    /// Evidence sources: the API calls behind the groups the rule read, and behind every
    /// related resource it joined.
    fn sources(
        &self,
        resource: &Resource,
        groups: &BTreeSet<String>,
        related: &BTreeSet<usize>,
    ) -> Vec<EvidenceSource> {
        let mut sources = Vec::new();
        let mut push = |r: &Resource, group: &str| {
            if let Some(p) = r.provenance.get(group) {
                sources.push(EvidenceSource {
                    resource_arn: r.arn.clone(),
                    group: group.to_string(),
                    operation: p.operation.clone(),
                    region: p.region.clone(),
                    called_at: p.called_at,
                    request_id: p.request_id.clone(),
                    response_sha256: p.response_sha256.clone(),
                });
            }
        };
        for group in groups {
            push(resource, group);
        }
        for &pos in related {
            let r = &self.snapshot.resources[pos];
            for group in r.provenance.keys() {
                push(r, group);
            }
        }
        sources
    }
}

/// Which resources a `let` that joined with `of_type`/`all_of_type` cites. When its value
/// is joined resources (one, or a list of them, usually filtered), those it holds: an
/// account's CloudTrail finding cites the trails that cover it, not every trail the join
/// offered to the filter. When it holds none (an empty list: the verdict rests on an
/// absence), or is not resources at all (a count, a flag, a failed binding), the verdict
/// may rest on everything the join looked at, so all of it is cited.
fn cited_joins(
    snapshot: &Snapshot,
    value: &Result<Value, String>,
    joined: BTreeSet<usize>,
) -> BTreeSet<usize> {
    // Values are copied on their way through CEL, so a joined resource is recognised by
    // its ARN (unique in a snapshot), not by identity.
    let mut held = std::collections::HashSet::new();
    let mut hold = |v: &Value| {
        if let Value::Map(m) = v
            && let Some(Value::String(arn)) = m.get(&cel::objects::KeyRef::String("arn"))
        {
            held.insert(arn.clone());
        }
    };
    match value {
        Ok(Value::List(items)) => items.iter().for_each(&mut hold),
        Ok(map @ Value::Map(_)) => hold(map),
        _ => return joined,
    }
    if held.is_empty() {
        return joined;
    }
    joined
        .into_iter()
        .filter(|&pos| held.contains(&snapshot.resources[pos].arn))
        .collect()
}

/// One GAP finding per listing gap (a scope the collector could not list) and type of
/// `rule`.
fn listing_gap_findings(snapshot: &Snapshot, rule: &Rule, findings: &mut Vec<Finding>) {
    for t in &rule.resource_types {
        for gap in snapshot
            .gaps
            .iter()
            .filter(|g| g.resource_types.contains(t))
        {
            let scope = format!("{}/{}", gap.account, gap.region);
            findings.push(Finding {
                id: fingerprint(&rule.id, &format!("{t}@{scope}")),
                rule_id: rule.id.clone(),
                rule_title: rule.title.clone(),
                severity: rule.severity,
                status: Status::Gap,
                resource: None,
                scope: Some(scope.clone()),
                summary: format!(
                    "{t} in {scope} not read: {} {} ({})",
                    gap.operation, gap.error_code, gap.message
                ),
                assertions: Vec::new(),
                sources: Vec::new(),
                gaps: vec![gap.id.clone()],
                waiver: None,
                attestation: None,
                controls: rule.controls.clone(),
            });
        }
    }
}

/// The finding of a rule with nothing to judge: no resource of its types, no gap.
fn not_applicable(rule: &Rule) -> Finding {
    Finding {
        id: fingerprint(&rule.id, "all"),
        rule_id: rule.id.clone(),
        rule_title: rule.title.clone(),
        severity: rule.severity,
        status: Status::NotApplicable,
        resource: None,
        scope: Some("all".into()),
        summary: format!("no {} in the snapshot", rule.resource_types.join(" or ")),
        assertions: Vec::new(),
        sources: Vec::new(),
        gaps: Vec::new(),
        waiver: None,
        attestation: None,
        controls: rule.controls.clone(),
    }
}

/// Why a join could not be trusted: the regions not read it looked in, by name, or a
/// resource type that was not (fully) listed.
fn join_gap_message(gaps: &BTreeSet<String>) -> String {
    let regions: Vec<String> = gaps
        .iter()
        .filter_map(|g| g.strip_prefix(functions::REGION_NOT_READ))
        .map(|place| match place.split_once(':') {
            Some((account, region)) => format!("{region} (account {account})"),
            None => place.to_string(),
        })
        .collect();
    if regions.is_empty() {
        "joins a resource type that was not (fully) listed".into()
    } else {
        format!(
            "joins a resource in a region that was not read: {}",
            regions.join(", ")
        )
    }
}

/// FAIL beats ERROR beats GAP beats UNKNOWN beats PASS. Skipped assertions follow a
/// failure and add nothing. UNKNOWN ranks below GAP and ERROR because those say the
/// evaluation itself is incomplete, while UNKNOWN says the value does not exist yet.
fn roll_up(assertions: &[AssertionResult]) -> Status {
    let has = |s: AssertionStatus| assertions.iter().any(|a| a.status == s);
    if has(AssertionStatus::Fail) {
        Status::Fail
    } else if has(AssertionStatus::Error) {
        Status::Error
    } else if has(AssertionStatus::Gap) {
        Status::Gap
    } else if has(AssertionStatus::Unknown) {
        Status::Unknown
    } else {
        Status::Pass
    }
}

/// Records an assertion as UNKNOWN with the reasons as its message and its evidence, so a
/// report shows which Terraform attribute is "known after apply".
fn mark_unknown(result: &mut AssertionResult, mut reasons: Vec<String>) {
    let mut seen = BTreeSet::new();
    reasons.retain(|r| seen.insert(r.clone()));
    result.status = AssertionStatus::Unknown;
    result.message = Some(reasons.join("; "));
    result.evidence.insert(
        "known_after_apply".into(),
        Json::Array(reasons.into_iter().map(Json::String).collect()),
    );
}

/// Why a joined value is unknown in a plan: the joined resources' unknown attributes, or a
/// join (`of_type`) that found nothing among the plan's resources.
fn unknown_reason(unknown: &BTreeSet<String>, partial: &BTreeSet<String>) -> String {
    if !unknown.is_empty() {
        return unknown.iter().cloned().collect::<Vec<_>>().join("; ");
    }
    format!(
        "no match among the plan's {}: the plan shows only the resources of its configuration",
        partial.iter().cloned().collect::<Vec<_>>().join(", ")
    )
}

fn summarise(assertions: &[AssertionResult]) -> String {
    let first = |s: AssertionStatus| assertions.iter().find(|a| a.status == s);
    if let Some(a) = first(AssertionStatus::Fail) {
        let mut text = format!("{} failed", a.name);
        if let (Some(o), Some(e)) = (&a.observed, &a.expected) {
            text.push_str(&format!(": observed {}, expected {e}", values::compact(o)));
        } else if let Some((label, value)) = a.evidence.iter().next() {
            text.push_str(&format!(": {label} = {}", values::compact(value)));
        }
        return text;
    }
    if let Some(a) = first(AssertionStatus::Error)
        .or_else(|| first(AssertionStatus::Gap))
        .or_else(|| first(AssertionStatus::Unknown))
    {
        return format!("{}: {}", a.name, a.message.clone().unwrap_or_default());
    }
    format!("all {} assertions hold", assertions.len())
}

fn manual_finding(rule: &Rule, attestations: &[Attestation], snapshot: &Snapshot) -> Finding {
    let evidence_date = snapshot.collected_at.date_naive().to_string();
    let attestation = attestations
        .iter()
        .find(|a| a.rule == rule.id)
        .map(|a| AttestationRef {
            attested_by: a.attested_by.clone(),
            date: a.date.clone(),
            expires: a.expires.clone(),
            evidence: a.evidence.clone(),
            statement: a.statement.clone(),
            expired: a.expires < evidence_date,
        });
    let summary = match &attestation {
        Some(a) if !a.expired => format!(
            "attested by {} on {} (valid until {})",
            a.attested_by, a.date, a.expires
        ),
        Some(a) => format!(
            "attestation by {} expired on {}: manual evidence required",
            a.attested_by, a.expires
        ),
        None => "manual evidence required: no attestation in the profile".into(),
    };
    Finding {
        id: fingerprint(&rule.id, "manual"),
        rule_id: rule.id.clone(),
        rule_title: rule.title.clone(),
        severity: rule.severity,
        status: Status::Manual,
        resource: None,
        scope: Some(ORGANISATION_SCOPE.into()),
        summary,
        assertions: Vec::new(),
        sources: Vec::new(),
        gaps: Vec::new(),
        waiver: None,
        attestation,
        controls: rule.controls.clone(),
    }
}
