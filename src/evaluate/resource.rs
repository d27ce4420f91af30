//! One rule against one resource: `where`, the `let` bindings in order, then every
//! assertion, into one finding.
//!
//! Values stay the interpreter's own (`Box<dyn Val>`) from start to end: `resource` is
//! bound as a [`super::values::Shared`] view of the resource converted once per
//! evaluation, and a `let` is bound as the value its expression produced. Nothing is
//! copied through `Value` except what a finding prints (observed values, evidence).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use cel::common::ast::{Expr, IdedExpr};
use cel::common::value::{CowVal, Val};
use cel::{Context, Value};
use serde_json::Value as Json;

use super::functions::{Index, Touched};
use super::values::{self, Shared};
use super::{budget, join_gap_message, mark_unknown, roll_up, summarise, unknown_reason};
use crate::findings::{
    AssertionResult, AssertionStatus, EvidenceSource, Finding, ResourceRef, Status, fingerprint,
};
use crate::rules::expr::{Expression, References};
use crate::rules::{Assertion, Rule};
use crate::snapshot::{Resource, Snapshot};

/// One thread's evaluator: its own CEL context, whose functions record what they touched
/// in its own [`Touched`].
pub(super) struct Evaluator<'s> {
    snapshot: &'s Snapshot,
    index: Arc<Index>,
    touched: Arc<Mutex<Touched>>,
    /// Reset before every expression evaluation: each has the whole budget.
    budget: Arc<budget::Budget>,
    root: Context<'static, 'static>,
}

/// The result of one expression: its value, or an error, and what it touched.
struct Outcome {
    value: Result<Box<dyn Val>, String>,
    gaps: BTreeSet<String>,
    related: BTreeSet<usize>,
    /// What `of_type`/`all_of_type` returned (see [`cited_joins`]).
    joined: BTreeSet<usize>,
    /// Plan snapshots: why a joined value is not known yet.
    unknown: BTreeSet<String>,
    /// Plan snapshots: the types listed by `of_type`/`all_of_type` (partial in a plan).
    partial: BTreeSet<String>,
}

impl Outcome {
    fn bool(&self) -> Option<bool> {
        self.value
            .as_ref()
            .ok()
            .and_then(|v| values::as_bool(v.as_ref()))
    }

    /// False in a plan snapshot after listing a type the plan holds only some of.
    fn false_in_partial_plan(&self, partial: &BTreeSet<String>) -> bool {
        self.bool() == Some(false) && !partial.is_empty()
    }
}

/// What the resource could not read, and (plan snapshots) what it does not know yet, by
/// attribute group.
struct Caveats<'r> {
    unread: BTreeMap<&'r str, &'r str>,
    unknown: BTreeMap<&'r str, &'r str>,
}

impl<'r> Caveats<'r> {
    fn of(resource: &'r Resource) -> Caveats<'r> {
        Caveats {
            unread: resource
                .unread
                .iter()
                .map(|u| (u.group.as_str(), u.gap.as_str()))
                .collect(),
            unknown: resource
                .unknown
                .iter()
                .map(|u| (u.group.as_str(), u.reason.as_str()))
                .collect(),
        }
    }

    /// The gaps behind the unread groups among `groups`.
    fn gaps_in(&self, groups: &BTreeSet<String>) -> Vec<String> {
        groups
            .iter()
            .filter_map(|g| self.unread.get(g.as_str()).map(|gap| gap.to_string()))
            .collect()
    }

    /// Why the groups among `groups` are not known yet.
    fn unknown_in(&self, groups: &BTreeSet<String>) -> Vec<String> {
        groups
            .iter()
            .filter_map(|g| self.unknown.get(g.as_str()).map(|r| r.to_string()))
            .collect()
    }

    /// The unread groups among `groups`, by name: "encryption, logging".
    fn unread_names(&self, groups: &BTreeSet<String>) -> String {
        groups
            .iter()
            .filter(|g| self.unread.contains_key(g.as_str()))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Why a rule does not go on to its assertions for a resource.
struct Verdict {
    status: Status,
    summary: String,
    gaps: Vec<String>,
}

impl Verdict {
    fn new(status: Status, summary: String) -> Verdict {
        Verdict {
            status,
            summary,
            gaps: Vec::new(),
        }
    }
}

/// The `let` bindings as the assertions see them: a failed binding with its cause, and
/// (plan snapshots) bindings built on values not known yet, and bindings that listed a
/// type with `of_type` (a plan holds only some of its resources).
#[derive(Default)]
struct Lets {
    failed: BTreeMap<String, (String, BTreeSet<String>)>,
    unknown: BTreeMap<String, Vec<String>>,
    partial: BTreeMap<String, BTreeSet<String>>,
}

/// What the assertions of one finding have gathered so far.
#[derive(Default)]
struct Gathered {
    any_failed: bool,
    related: BTreeSet<usize>,
    gaps: Vec<String>,
}

impl<'s> Evaluator<'s> {
    pub(super) fn new(
        snapshot: &'s Snapshot,
        index: Arc<Index>,
        params: &Value,
        snapshot_value: &Value,
    ) -> Evaluator<'s> {
        let touched = Arc::new(Mutex::new(Touched::default()));
        let mut root = Context::with_env(crate::rules::expr::ENV.clone());
        super::functions::register(&mut root, index.clone(), touched.clone());
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

    fn run(&self, ctx: &Context<'_, 'static>, expr: &IdedExpr, account: &str) -> Outcome {
        if let Ok(mut t) = self.touched.lock() {
            t.account = account.to_string();
            t.gaps.clear();
            t.related.clear();
            t.joined.clear();
            t.unknown.clear();
            t.partial.clear();
        }
        self.budget.reset();
        let value = Value::resolve_val(expr, ctx)
            .map(CowVal::into_owned)
            .map_err(|e| e.to_string());
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

    /// The finding of `rule` for the resource at `pos`.
    pub(super) fn resource(&self, rule: &Rule, pos: usize, resource: &Resource) -> Finding {
        let mut ctx = self.root.new_inner_scope();
        ctx.add_variable_as_val("resource", self.index.resource(pos));
        let caveats = Caveats::of(resource);
        let mut finding = skeleton(rule, pos, resource);
        let mut groups_read: BTreeSet<String> = ["resource".to_string()].into();

        if let Some((expr, refs)) = &rule.applies_when {
            if let Err(verdict) = self.applies(&ctx, expr, refs, resource, &caveats) {
                finding.status = verdict.status;
                finding.summary = verdict.summary;
                finding.gaps = verdict.gaps;
                return finding;
            }
            groups_read.extend(refs.resource_groups.iter().cloned());
        }

        let mut gathered = Gathered::default();
        let lets = self.bind_lets(&mut ctx, rule, resource, &caveats, &mut gathered);
        for assertion in &rule.assertions {
            groups_read.extend(assertion.refs.resource_groups.iter().cloned());
            let result = self.assertion(&ctx, assertion, resource, &caveats, &lets, &mut gathered);
            finding.assertions.push(result);
        }

        finding.gaps = gathered.gaps;
        finding.gaps.sort();
        finding.gaps.dedup();
        finding.status = roll_up(&finding.assertions);
        finding.summary = summarise(&finding.assertions);
        finding.sources = self.sources(resource, &groups_read, &gathered.related);
        finding
    }

    /// Whether the rule applies (its `where`): Ok to go on to the assertions, or the
    /// finding's verdict (NOT_APPLICABLE, or GAP, UNKNOWN or ERROR when it cannot tell).
    fn applies(
        &self,
        ctx: &Context<'_, 'static>,
        expr: &Expression,
        refs: &References,
        resource: &Resource,
        caveats: &Caveats,
    ) -> Result<(), Verdict> {
        let gaps = caveats.gaps_in(&refs.resource_groups);
        if !gaps.is_empty() {
            return Err(Verdict {
                status: Status::Gap,
                summary: format!(
                    "cannot tell whether the rule applies: {} not read",
                    caveats.unread_names(&refs.resource_groups)
                ),
                gaps,
            });
        }
        let reasons = caveats.unknown_in(&refs.resource_groups);
        if !reasons.is_empty() {
            return Err(Verdict::new(
                Status::Unknown,
                format!(
                    "cannot tell whether the rule applies: {}",
                    reasons.join("; ")
                ),
            ));
        }
        let out = self.run(ctx, &expr.budgeted, &resource.account);
        if out.gaps.is_empty()
            && (!out.unknown.is_empty() || out.false_in_partial_plan(&out.partial))
        {
            return Err(Verdict::new(
                Status::Unknown,
                format!(
                    "cannot tell whether the rule applies: {}",
                    unknown_reason(&out.unknown, &out.partial)
                ),
            ));
        }
        match (&out.value, out.bool()) {
            (Ok(_), Some(true)) => Ok(()),
            (Ok(_), Some(false)) if out.gaps.is_empty() => Err(Verdict::new(
                Status::NotApplicable,
                format!("not applicable: `{}` is false", expr.source.trim()),
            )),
            (Ok(_), Some(false)) => Err(Verdict {
                status: Status::Gap,
                summary:
                    "cannot tell whether the rule applies: a resource type it reads was not listed"
                        .into(),
                gaps: out.gaps.into_iter().collect(),
            }),
            (Ok(other), None) => Err(Verdict::new(
                Status::Error,
                format!(
                    "`where` must be a bool, got {}",
                    values::compact(&values::to_json(&values::to_value(other.as_ref())))
                ),
            )),
            (Err(e), _) => Err(Verdict {
                status: if out.gaps.is_empty() {
                    Status::Error
                } else {
                    Status::Gap
                },
                summary: format!("`where` failed: {e}"),
                gaps: out.gaps.into_iter().collect(),
            }),
        }
    }

    /// Binds the `let` values in order into `ctx`; a failed binding is remembered with its
    /// cause, and what each joined is cited.
    fn bind_lets(
        &self,
        ctx: &mut Context<'_, 'static>,
        rule: &Rule,
        resource: &Resource,
        caveats: &Caveats,
        gathered: &mut Gathered,
    ) -> Lets {
        let mut lets = Lets::default();
        for (name, expr, refs) in &rule.lets {
            let gaps = caveats.gaps_in(&refs.resource_groups);
            if !gaps.is_empty() {
                lets.failed.insert(
                    name.clone(),
                    (
                        "reads data that was not read".into(),
                        gaps.into_iter().collect(),
                    ),
                );
                continue;
            }
            let reasons = caveats.unknown_in(&refs.resource_groups);
            if !reasons.is_empty() {
                lets.unknown.insert(name.clone(), reasons);
                continue;
            }
            let out = self.run(ctx, &expr.budgeted, &resource.account);
            gathered.related.extend(out.related);
            gathered
                .related
                .extend(cited_joins(self.snapshot, &out.value, out.joined));
            if !out.unknown.is_empty() {
                lets.unknown
                    .insert(name.clone(), out.unknown.iter().cloned().collect());
            }
            if !out.partial.is_empty() {
                lets.partial.insert(name.clone(), out.partial.clone());
            }
            match out.value {
                Ok(value) if out.gaps.is_empty() => ctx.add_variable_as_val(name.clone(), value),
                Ok(value) => {
                    ctx.add_variable_as_val(name.clone(), value);
                    lets.failed
                        .insert(name.clone(), (join_gap_message(&out.gaps), out.gaps));
                }
                Err(e) => {
                    lets.failed.insert(name.clone(), (e, out.gaps));
                }
            }
        }
        lets
    }

    /// One assertion's result. Missing data comes first: an unread group, a `let` that
    /// joined something not (fully) listed, a value not known yet, a failed `let`; only
    /// then is the expression evaluated.
    fn assertion(
        &self,
        ctx: &Context<'_, 'static>,
        assertion: &Assertion,
        resource: &Resource,
        caveats: &Caveats,
        lets: &Lets,
        gathered: &mut Gathered,
    ) -> AssertionResult {
        let mut result = AssertionResult {
            name: assertion.name.clone(),
            status: AssertionStatus::Pass,
            expression: assertion.expr.source.trim().to_string(),
            observed: None,
            expected: None,
            message: None,
            evidence: indexmap::IndexMap::new(),
        };
        let refs = &assertion.refs;
        let unread_gaps = caveats.gaps_in(&refs.resource_groups);
        let let_problem = refs
            .lets
            .iter()
            .find_map(|l| lets.failed.get(l).map(|p| (l, p)));
        let unknown_reasons: Vec<String> = caveats
            .unknown_in(&refs.resource_groups)
            .into_iter()
            .chain(
                refs.lets
                    .iter()
                    .filter_map(|l| lets.unknown.get(l))
                    .flatten()
                    .cloned(),
            )
            .collect();
        if !unread_gaps.is_empty() {
            result.status = AssertionStatus::Gap;
            result.message = Some(format!(
                "{} not read",
                caveats.unread_names(&refs.resource_groups)
            ));
            gathered.gaps.extend(unread_gaps);
        } else if let Some((name, (message, gaps))) =
            let_problem.filter(|(_, (_, gaps))| !gaps.is_empty())
        {
            result.status = AssertionStatus::Gap;
            result.message = Some(format!("`{name}` {message}"));
            gathered.gaps.extend(gaps.iter().cloned());
        } else if !unknown_reasons.is_empty() {
            mark_unknown(&mut result, unknown_reasons);
        } else if let Some((name, (message, _))) = let_problem {
            result.status = if gathered.any_failed {
                AssertionStatus::Skipped
            } else {
                AssertionStatus::Error
            };
            result.message = Some(format!("let `{name}` failed: {message}"));
        } else {
            self.judge(ctx, assertion, resource, lets, gathered, &mut result);
        }
        result
    }

    /// Evaluates an assertion whose data is all there, and records its verdict.
    fn judge(
        &self,
        ctx: &Context<'_, 'static>,
        assertion: &Assertion,
        resource: &Resource,
        lets: &Lets,
        gathered: &mut Gathered,
        result: &mut AssertionResult,
    ) {
        let out = self.run(ctx, &assertion.expr.budgeted, &resource.account);
        gathered.related.extend(out.related.iter().copied());
        gathered.related.extend(out.joined.iter().copied());
        let mut partial = out.partial.clone();
        for l in &assertion.refs.lets {
            partial.extend(lets.partial.get(l).into_iter().flatten().cloned());
        }
        if out.gaps.is_empty() && (!out.unknown.is_empty() || out.false_in_partial_plan(&partial)) {
            mark_unknown(result, vec![unknown_reason(&out.unknown, &partial)]);
            return;
        }
        match (&out.value, out.bool(), out.gaps.is_empty()) {
            (Ok(_), Some(true), true) => {}
            (Ok(_), Some(_), false) | (Err(_), _, false) => {
                result.status = AssertionStatus::Gap;
                result.message = Some(join_gap_message(&out.gaps));
                gathered.gaps.extend(out.gaps.iter().cloned());
            }
            (Ok(_), Some(false), true) => {
                result.status = AssertionStatus::Fail;
                gathered.any_failed = true;
                let (observed, expected) =
                    self.explain(ctx, &assertion.expr.budgeted, &resource.account);
                result.observed = observed;
                result.expected = expected;
                for (label, ev) in &assertion.evidence {
                    let out = self.run(ctx, &ev.budgeted, &resource.account);
                    let value = match out.value {
                        Ok(v) => values::to_json(&values::to_value(v.as_ref())),
                        Err(e) => Json::String(format!("(evidence failed: {e})")),
                    };
                    result.evidence.insert(label.clone(), value);
                }
            }
            (Ok(other), None, _) => {
                result.status = AssertionStatus::Error;
                result.message = Some(format!(
                    "an assertion must be a bool, got {}",
                    values::compact(&values::to_json(&values::to_value(other.as_ref())))
                ));
            }
            (Err(e), _, true) => {
                result.status = if gathered.any_failed {
                    AssertionStatus::Skipped
                } else {
                    AssertionStatus::Error
                };
                result.message = Some(e.clone());
            }
        }
    }

    /// For a failed comparison, the left operand's value and the operator with the right
    /// operand's value: "observed 35, expected >= 42". Through `&&`, the first conjunct that
    /// is false is explained.
    fn explain(
        &self,
        ctx: &Context<'_, 'static>,
        node: &IdedExpr,
        account: &str,
    ) -> (Option<Json>, Option<String>) {
        let Expr::Call(call) = &node.expr else {
            return (None, None);
        };
        if call.func_name == "_&&_" {
            for arg in &call.args {
                if self.run(ctx, arg, account).bool() == Some(false) {
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
        let json = |expr: &IdedExpr| {
            self.run(ctx, expr, account)
                .value
                .ok()
                .map(|v| values::to_json(&values::to_value(v.as_ref())))
        };
        let left = json(&call.args[0]);
        let right = json(&call.args[1]).map(|v| values::compact(&v));
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

/// A finding for `resource` before anything is judged: PASS with no assertions.
fn skeleton(rule: &Rule, pos: usize, resource: &Resource) -> Finding {
    Finding {
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
    value: &Result<Box<dyn Val>, String>,
    joined: BTreeSet<usize>,
) -> BTreeSet<usize> {
    let Ok(value) = value else {
        return joined;
    };
    let held: std::collections::HashSet<&str> =
        if let Some(items) = value.downcast_ref::<cel::common::types::CelList>() {
            items
                .inner()
                .iter()
                .filter_map(|i| arn_of(snapshot, i.as_ref()))
                .collect()
        } else if value.downcast_ref::<cel::common::types::CelMap>().is_some() {
            arn_of(snapshot, value.as_ref()).into_iter().collect()
        } else {
            return joined;
        };
    if held.is_empty() {
        return joined;
    }
    joined
        .into_iter()
        .filter(|&pos| held.contains(snapshot.resources[pos].arn.as_str()))
        .collect()
}

/// The ARN of a resource value: a joined resource is a `Shared` view (its ARN is its
/// position's); a map with an `arn` made some other way is recognised by it (unique in a
/// snapshot).
fn arn_of<'a>(snapshot: &'a Snapshot, value: &'a dyn Val) -> Option<&'a str> {
    match value.downcast_ref::<Shared>() {
        Some(shared) => Some(snapshot.resources[shared.position()].arn.as_str()),
        None => values::field(value, "arn").and_then(values::as_str),
    }
}
