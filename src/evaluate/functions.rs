//! The functions assay adds to CEL. Joins (`related`, `of_type`) go through the snapshot
//! index and record what they touched, so a rule that reads another resource cites that
//! resource's API calls as evidence, and a rule that needed a resource type the collector
//! could not list yields GAP instead of a verdict on partial data.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use cel::{Context, ExecutionError, Value};
use chrono::{DateTime, Utc};

use crate::snapshot::{RESOURCE_TYPES, Snapshot, resources::service_of};

/// What the functions touched during one expression evaluation.
#[derive(Debug, Default)]
pub struct Touched {
    /// The account of the resource being evaluated (scope of `of_type`).
    pub account: String,
    pub gaps: BTreeSet<String>,
    pub related: BTreeSet<usize>,
    /// Plan snapshots: why a joined value is not known yet ("known after apply", or a
    /// resource outside the plan). The assertion becomes UNKNOWN.
    pub unknown: BTreeSet<String>,
    /// Plan snapshots: the types `of_type`/`all_of_type` listed. A plan shows only the
    /// resources of its configuration, so a join that finds nothing proves nothing.
    pub partial: BTreeSet<String>,
}

/// The snapshot, indexed for joins, with each resource pre-converted to a CEL value.
pub struct Index {
    pub values: Vec<Value>,
    /// Per resource: the gaps behind its unread attribute groups.
    unread: Vec<Vec<String>>,
    /// Per resource: why some of its attributes are not known yet (plan snapshots).
    unknown: Vec<Vec<String>>,
    /// Whether the snapshot was made from a Terraform plan (`origin.kind == "plan"`).
    plan: bool,
    /// Accounts the snapshot covers; empty when it does not say (fixtures).
    accounts: Vec<String>,
    /// Per account covered: the regions read.
    regions_read: HashMap<String, Vec<String>>,
    by_arn: HashMap<String, usize>,
    by_type: HashMap<String, Vec<usize>>,
    /// (gap id, type, account, region) for listing gaps.
    listing_gaps: Vec<(String, String, String, String)>,
    pub collected_at: DateTime<Utc>,
}

impl Index {
    pub fn new(snapshot: &Snapshot) -> Index {
        let mut values = Vec::with_capacity(snapshot.resources.len());
        let unread = snapshot
            .resources
            .iter()
            .map(|r| r.unread.iter().map(|u| u.gap.clone()).collect())
            .collect();
        // A join finds a planned resource by its address (the placeholder ARN), so an
        // account the plan does not show does not make what the join reads unknown; a
        // rule reading the resource's own account still sees that group unknown.
        let unknown = snapshot
            .resources
            .iter()
            .map(|r| {
                r.unknown
                    .iter()
                    .filter(|u| u.group != "account")
                    .map(|u| u.reason.clone())
                    .collect()
            })
            .collect();
        let accounts = snapshot
            .accounts
            .iter()
            .map(|a| a.account_id.clone())
            .collect();
        let regions_read = snapshot
            .accounts
            .iter()
            .map(|a| (a.account_id.clone(), a.regions_read.clone()))
            .collect();
        let mut by_arn = HashMap::new();
        let mut by_type: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in snapshot.resources.iter().enumerate() {
            values.push(super::values::to_cel(&super::resource_view(r)));
            by_arn.insert(r.arn.clone(), i);
            by_type
                .entry(r.type_name().to_string())
                .or_default()
                .push(i);
        }
        let listing_gaps = snapshot
            .gaps
            .iter()
            .flat_map(|g| {
                g.resource_types
                    .iter()
                    .map(move |t| (g.id.clone(), t.clone(), g.account.clone(), g.region.clone()))
            })
            .collect();
        Index {
            values,
            unread,
            unknown,
            plan: snapshot.origin.kind == "plan",
            accounts,
            regions_read,
            by_arn,
            by_type,
            listing_gaps,
            collected_at: snapshot.collected_at,
        }
    }

    pub fn position(&self, arn: &str) -> Option<usize> {
        self.by_arn.get(arn).copied()
    }

    fn of_type(&self, type_name: &str) -> &[usize] {
        self.by_type.get(type_name).map_or(&[], Vec::as_slice)
    }

    /// Listing gaps for `type_name` in `account` (all accounts when None), any region.
    fn gaps_for(&self, type_name: &str, account: Option<&str>) -> impl Iterator<Item = &str> {
        self.listing_gaps
            .iter()
            .filter(move |(_, t, a, _)| t == type_name && account.is_none_or(|acc| acc == a))
            .map(|(id, ..)| id.as_str())
    }

    /// Listing gaps that could hide the resource named by `arn`.
    fn gaps_hiding(&self, arn: &str) -> Vec<&str> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() < 5 {
            return Vec::new();
        }
        let (service, region, account) = (parts[2], parts[3], parts[4]);
        self.listing_gaps
            .iter()
            .filter(|(_, t, a, r)| {
                a == account
                    && (r == region || r == "global" || region.is_empty())
                    && service_of(t) == Some(service)
            })
            .map(|(id, ..)| id.as_str())
            .collect()
    }
}

/// The prefix of the gap a join records when it looks for a resource in a region of a
/// covered account that was not read: `region-not-read:ACCOUNT:REGION`.
pub const REGION_NOT_READ: &str = "region-not-read:";

fn string_arg(function: &str, value: &Value) -> Result<Option<Arc<String>>, ExecutionError> {
    match value {
        Value::String(s) => Ok(Some(s.clone())),
        Value::Null => Ok(None),
        other => Err(ExecutionError::function_error(
            function,
            format!("expected a string, got {}", other.type_of()),
        )),
    }
}

/// Adds assay's functions to a root context.
pub fn register(ctx: &mut Context<'_, '_>, index: Arc<Index>, touched: Arc<Mutex<Touched>>) {
    let (i, t) = (index.clone(), touched.clone());
    let _ = ctx.add_function(
        "related",
        move |arn: Value| -> Result<Value, ExecutionError> {
            let Some(arn) = string_arg("related", &arn)? else {
                return Ok(Value::Null);
            };
            let mut touched = t
                .lock()
                .map_err(|_| ExecutionError::function_error("related", "state poisoned"))?;
            match i.position(&arn) {
                Some(pos) => {
                    touched.related.insert(pos);
                    // A joined resource with unread attributes may be missing exactly what the
                    // rule reads; be conservative and let the verdict become GAP.
                    touched.gaps.extend(i.unread[pos].iter().cloned());
                    touched.unknown.extend(i.unknown[pos].iter().cloned());
                    Ok(i.values[pos].clone())
                }
                // A plan holds only what its configuration manages: a resource it does not
                // hold exists elsewhere (or not at all), and its attributes are not known.
                None if i.plan => {
                    touched.unknown.insert(format!("{arn} is not in the plan"));
                    Ok(Value::Null)
                }
                None => {
                    for gap in i.gaps_hiding(&arn) {
                        touched.gaps.insert(gap.to_string());
                    }
                    // A resource in an account the snapshot did not cover was never looked
                    // for: that is a gap, not an absence.
                    let account = arn.split(':').nth(4).unwrap_or("");
                    if !i.accounts.is_empty()
                        && !account.is_empty()
                        && !i.accounts.iter().any(|a| a == account)
                    {
                        touched.gaps.insert(format!("out-of-scope:{account}"));
                    }
                    // A resource in a region of a covered account that the scan did not
                    // read (a key, vault or replica in another region) was never looked
                    // for either: not found there says nothing.
                    let region = arn.split(':').nth(3).unwrap_or("");
                    if !region.is_empty()
                        && i.regions_read
                            .get(account)
                            .is_some_and(|read| !read.iter().any(|r| r == region))
                    {
                        touched
                            .gaps
                            .insert(format!("{REGION_NOT_READ}{account}:{region}"));
                    }
                    Ok(Value::Null)
                }
            }
        },
    );

    for (name, whole_snapshot) in [("of_type", false), ("all_of_type", true)] {
        let (i, t) = (index.clone(), touched.clone());
        let _ = ctx.add_function(name, move |type_name: Value| -> Result<Value, ExecutionError> {
            let Some(type_name) = string_arg(name, &type_name)? else {
                return Err(ExecutionError::function_error(name, "type name is null"));
            };
            if !RESOURCE_TYPES.contains(&type_name.as_str()) {
                return Err(ExecutionError::function_error(name, format!("unknown resource type `{type_name}`")));
            }
            let mut touched = t.lock().map_err(|_| ExecutionError::function_error(name, "state poisoned"))?;
            let account = (!whole_snapshot).then(|| touched.account.clone());
            let gaps: Vec<String> = i.gaps_for(&type_name, account.as_deref()).map(str::to_string).collect();
            touched.gaps.extend(gaps);
            if i.plan {
                touched.partial.insert(type_name.to_string());
            }
            let positions: Vec<usize> = i
                .of_type(&type_name)
                .iter()
                .copied()
                .filter(|&pos| match (&account, &i.values[pos]) {
                    (Some(acc), Value::Map(m)) => matches!(m.get(&cel::objects::KeyRef::String("account")), Some(Value::String(a)) if a.as_str() == acc),
                    _ => true,
                })
                .collect();
            // Unread attributes of any returned resource may be what the rule reads.
            for &pos in &positions {
                touched.gaps.extend(i.unread[pos].iter().cloned());
                touched.unknown.extend(i.unknown[pos].iter().cloned());
                touched.related.insert(pos);
            }
            let items: Vec<Value> = positions.iter().map(|&pos| i.values[pos].clone()).collect();
            Ok(Value::List(Arc::new(items)))
        });
    }

    // Ages are measured at collection time, not at evaluation time, so re-evaluating an
    // old snapshot gives the same verdicts.
    for (name, per) in [("age_days", 86_400i64), ("age_hours", 3_600i64)] {
        let i = index.clone();
        let _ = ctx.add_function(name, move |ts: Value| -> Result<Value, ExecutionError> {
            let Some(ts) = string_arg(name, &ts)? else {
                return Err(ExecutionError::function_error(name, "timestamp is null"));
            };
            let then = DateTime::parse_from_rfc3339(&ts).map_err(|e| {
                ExecutionError::function_error(name, format!("`{ts}` is not an RFC 3339 time: {e}"))
            })?;
            Ok(Value::Int(
                (i.collected_at - then.with_timezone(&Utc))
                    .num_seconds()
                    .div_euclid(per),
            ))
        });
    }

    let _ = ctx.add_function(
        "is_public_cidr",
        |cidr: Value| -> Result<Value, ExecutionError> {
            let Some(cidr) = string_arg("is_public_cidr", &cidr)? else {
                return Ok(Value::Bool(false));
            };
            super::cidr::is_public_cidr(&cidr)
                .map(Value::Bool)
                .map_err(|e| ExecutionError::function_error("is_public_cidr", e))
        },
    );

    let _ = ctx.add_function(
        "port_in_range",
        |rule: Value, port: Value| -> Result<Value, ExecutionError> {
            let (Value::Map(rule), Value::Int(port)) = (&rule, &port) else {
                return Err(ExecutionError::function_error(
                    "port_in_range",
                    "expects (security group rule, int)",
                ));
            };
            let field = |name: &str| match rule.get(&cel::objects::KeyRef::String(name)) {
                Some(Value::Int(v)) => Ok(*v),
                _ => Err(ExecutionError::function_error(
                    "port_in_range",
                    format!("rule has no integer `{name}`"),
                )),
            };
            Ok(Value::Bool(
                field("from_port")? <= *port && *port <= field("to_port")?,
            ))
        },
    );

    let _ = ctx.add_function(
        "requires_mfa",
        |statement: Value| -> Result<Value, ExecutionError> {
            Ok(Value::Bool(statement_requires_mfa(
                &super::values::to_json(&statement),
            )))
        },
    );

    let _ = ctx.add_function(
        "allow_statements",
        |policy: Value| -> Result<Value, ExecutionError> {
            let json = super::values::to_json(&policy);
            let statements = match json.get("Statement") {
                Some(serde_json::Value::Array(s)) => s.clone(),
                Some(single @ serde_json::Value::Object(_)) => vec![single.clone()],
                _ => Vec::new(),
            };
            let allows: Vec<Value> = statements
                .iter()
                .filter(|s| s.get("Effect").and_then(|e| e.as_str()) == Some("Allow"))
                .map(super::values::to_cel)
                .collect();
            Ok(Value::List(Arc::new(allows)))
        },
    );

    for (name, field) in [("account_of", 4usize), ("region_of", 3usize)] {
        let _ = ctx.add_function(name, move |arn: Value| -> Result<Value, ExecutionError> {
            let Some(arn) = string_arg(name, &arn)? else {
                return Ok(Value::Null);
            };
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            match parts.get(field) {
                Some(part) if parts.len() >= 6 => Ok(Value::String(Arc::new((*part).to_string()))),
                _ => Err(ExecutionError::function_error(
                    name,
                    format!("`{arn}` is not an ARN"),
                )),
            }
        });
    }
}

/// Whether an IAM policy statement only allows with MFA: a `Bool` condition
/// `aws:MultiFactorAuthPresent = true`, or a `NumericLessThan(Equals)` on
/// `aws:MultiFactorAuthAge`. `BoolIfExists` does not count: in an Allow it also matches
/// requests signed with long-term access keys, which carry no MFA key at all. Key names
/// are case-insensitive, values may be a string or a list (AWS accepts both).
pub fn statement_requires_mfa(statement: &serde_json::Value) -> bool {
    let Some(conditions) = statement.get("Condition").and_then(|c| c.as_object()) else {
        return false;
    };
    conditions.iter().any(|(operator, block)| {
        let Some(block) = block.as_object() else {
            return false;
        };
        block.iter().any(|(key, value)| {
            let key = key.to_ascii_lowercase();
            let values: Vec<String> = match value {
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                    .collect(),
                other => vec![other.as_str().map_or(other.to_string(), str::to_string)],
            };
            match operator.as_str() {
                "Bool" => {
                    key == "aws:multifactorauthpresent"
                        && !values.is_empty()
                        && values.iter().all(|v| v.eq_ignore_ascii_case("true"))
                }
                "NumericLessThan" | "NumericLessThanEquals" => key == "aws:multifactorauthage",
                _ => false,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bool_if_exists_is_not_mfa() {
        assert!(!statement_requires_mfa(
            &json!({"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}})
        ));
    }

    #[test]
    fn mfa_conditions_in_their_written_forms() {
        assert!(statement_requires_mfa(
            &json!({"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
        ));
        assert!(statement_requires_mfa(
            &json!({"Condition": {"Bool": {"aws:multifactorauthpresent": ["true"]}}})
        ));
        assert!(statement_requires_mfa(
            &json!({"Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}})
        ));
        assert!(!statement_requires_mfa(
            &json!({"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}})
        ));
        assert!(!statement_requires_mfa(
            &json!({"Condition": {"StringEquals": {"sts:ExternalId": "x"}}})
        ));
        assert!(!statement_requires_mfa(&json!({"Effect": "Allow"})));
    }
}
