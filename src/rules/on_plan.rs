//! Which rules a plan can judge. A rule is *not evaluated* on a plan when none of its
//! resource types can come from a plan, or when it joins (`of_type`, `all_of_type`) a type
//! a plan cannot show: a freshness rule over recovery points would otherwise see none and
//! fail every planned database. Such rules are listed with the reason, never passed.

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};

use super::{Rule, RuleKind};
use crate::snapshot::registry::Plan;

/// Whether a plan snapshot can hold resources of `type_name` (the registry's `plan`).
pub fn in_plans(type_name: &str) -> bool {
    crate::snapshot::type_info(type_name).is_some_and(|t| t.plan == Plan::Shown)
}

/// The attribute groups of `aws_account` a plan can show: the password policy
/// (`aws_iam_account_password_policy`). Root MFA, root access keys and the account's
/// trails are not in a plan, so rules reading them are not evaluated.
const PLAN_ACCOUNT_GROUPS: &[&str] = &["password_policy"];

/// Types a plan shows only in part, so that a rule joining them (asking "is there one
/// for this resource?") would judge an absence the plan cannot see: images are mostly
/// made after apply (CreateImage by a backup tool or a schedule), and a plan shows only
/// those Terraform registers. Rules *about* such resources are still evaluated.
const SHOWN_IN_PART: &[(&str, &str)] = &[(
    "aws_ec2_image",
    "a plan shows only the images (aws_ec2_image) Terraform registers, not those made after apply by backups or schedules",
)];

/// Why a plan cannot hold resources of `type_name`.
pub fn why_not_in_plans(type_name: &str) -> String {
    match crate::snapshot::type_info(type_name).map(|t| t.plan) {
        Some(Plan::Never(why)) => why.to_string(),
        _ => format!("assay does not read {type_name} from Terraform plans"),
    }
}

/// A rule that is not evaluated on plans, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NotEvaluated {
    pub rule_id: String,
    pub reason: String,
}

/// Why `rule` cannot be evaluated on a plan, or `None` when it can.
pub fn not_evaluable(rule: &Rule) -> Option<String> {
    if rule.kind == RuleKind::Manual {
        return None;
    }
    if !rule.resource_types.iter().any(|t| in_plans(t)) {
        return rule.resource_types.first().map(|t| why_not_in_plans(t));
    }
    if rule.resource_types.iter().all(|t| t == "aws_account") {
        let mut read: Vec<&String> = rule
            .applies_when
            .iter()
            .map(|(_, r)| r)
            .chain(rule.lets.iter().map(|(_, _, r)| r))
            .chain(rule.assertions.iter().map(|a| &a.refs))
            .flat_map(|r| r.resource_groups.iter())
            .collect();
        read.retain(|g| !PLAN_ACCOUNT_GROUPS.contains(&g.as_str()));
        if let Some(group) = read.first() {
            return Some(format!(
                "reads `{group}` of aws_account: of the account, a plan shows only the password policy (aws_iam_account_password_policy)"
            ));
        }
    }
    let mut joined = Vec::new();
    let exprs = rule
        .applies_when
        .iter()
        .map(|(e, _)| e)
        .chain(rule.lets.iter().map(|(_, e, _)| e))
        .chain(rule.assertions.iter().map(|a| &a.expr));
    for e in exprs {
        joined_types(e.program.expression(), &mut joined);
    }
    joined.into_iter().find_map(|t| {
        if !in_plans(&t) {
            return Some(format!("joins {t}: {}", why_not_in_plans(&t)));
        }
        SHOWN_IN_PART
            .iter()
            .find(|(partial, _)| *partial == t)
            .map(|(_, why)| format!("joins {t}: {why}"))
    })
}

/// Why `rule` is not evaluated on this plan snapshot, or `None` when it is: the rules a
/// plan can never judge ([`not_evaluable`]), and rules on account-wide settings when the
/// plan does not manage them (a plan without `aws_iam_account_password_policy` says
/// nothing about the password policy, which is not a pass).
pub fn not_evaluable_in(rule: &Rule, snapshot: &crate::snapshot::Snapshot) -> Option<String> {
    if let Some(reason) = not_evaluable(rule) {
        return Some(reason);
    }
    let only_account =
        !rule.resource_types.is_empty() && rule.resource_types.iter().all(|t| t == "aws_account");
    (only_account
        && !snapshot
            .resources
            .iter()
            .any(|r| r.type_name() == "aws_account"))
    .then(|| {
        "the plan does not manage the account password policy (aws_iam_account_password_policy)"
            .to_string()
    })
}

/// The string literals passed to a join (`super::expr::JOINS`) anywhere in `node`.
fn joined_types(node: &IdedExpr, out: &mut Vec<String>) {
    match &node.expr {
        Expr::Call(call) => {
            if super::expr::JOINS.contains(&call.func_name.as_str())
                && let Some(Expr::Literal(LiteralValue::String(t))) =
                    call.args.first().map(|a| &a.expr)
            {
                let t: &str = t.as_ref();
                out.push(t.to_string());
            }
            if let Some(target) = &call.target {
                joined_types(target, out);
            }
            for a in &call.args {
                joined_types(a, out);
            }
        }
        Expr::Comprehension(c) => {
            for e in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                joined_types(e, out);
            }
        }
        Expr::List(l) => l.elements.iter().for_each(|e| joined_types(e, out)),
        Expr::Map(m) => m.entries.iter().for_each(|e| entry(&e.expr, out)),
        Expr::Struct(s) => s.entries.iter().for_each(|e| entry(&e.expr, out)),
        Expr::Select(s) => joined_types(&s.operand, out),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

fn entry(e: &EntryExpr, out: &mut Vec<String>) {
    match e {
        EntryExpr::StructField(f) => joined_types(&f.value, out),
        EntryExpr::MapEntry(m) => {
            joined_types(&m.key, out);
            joined_types(&m.value, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joins(source: &str) -> Vec<String> {
        let e = crate::rules::expr::compile(source).expect("compiles");
        let mut out = Vec::new();
        joined_types(e.program.expression(), &mut out);
        out
    }

    #[test]
    fn joins_are_found_inside_comprehensions_and_calls() {
        assert_eq!(
            joins(
                "of_type('aws_backup_plan').exists(p, all_of_type(\"aws_backup_recovery_point\").size() > 0)"
            ),
            ["aws_backup_plan", "aws_backup_recovery_point"]
        );
        assert!(joins("resource.region == 'x'").is_empty());
    }
}
