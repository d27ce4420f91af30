//! AWS Backup: `aws_backup_vault` (+ `_vault_lock_configuration`), `aws_backup_plan` with
//! its rules, lifecycles and copy actions, and `aws_backup_selection`.

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned, placeholder};
use super::super::error::PlanError;
use super::Drafts;
use crate::collect::normalise::backup_frequency;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{BackupPlan, BackupRule, BackupVault, CopyAction, Encryption};

pub fn vault(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut vault = BackupVault::default();
    match ctx.arn_ref(&a, p, "kms_key_arn")? {
        Field::Known(arn) => {
            vault.encryption = Some(Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: Some(arn),
            })
        }
        _ => unknown.push((
            "encryption",
            format!("{} (unset, the vault uses the AWS-managed backup key, whose ARN the plan does not show)", a.unknown_reason("kms_key_arn")),
        )),
    }
    // A vault the plan creates holds no recovery points yet.
    match a.int("recovery_points")? {
        Field::Known(n) => vault.recovery_points = n,
        _ if p.action == "create" => {}
        _ => unknown.push(("recovery_points", a.unknown_reason("recovery_points"))),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::BackupVault(vault), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

pub fn vault_lock(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let Some(target) = ctx.target(&a, p, "backup_vault_name", &["aws_backup_vault"]) else {
        drafts.outside(ctx, index, "backup_vault_name", "backup vault", "the vault is not in the plan, so its encryption and region are judged where it is managed");
        return Ok(());
    };
    let (min, max) = (
        a.int("min_retention_days")?.known(),
        a.int("max_retention_days")?.known(),
    );
    if let Some(d) = drafts.of_mut(target)
        && let Attributes::BackupVault(v) = &mut d.resource.attributes
    {
        v.locked = true;
        v.min_retention_days = min;
        v.max_retention_days = max;
        d.cite("locked", p, ctx.collected_at);
    }
    Ok(())
}

pub fn plan(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut plan = BackupPlan {
        plan_id: a.string("id")?.known().unwrap_or_else(|| p.address.clone()),
        version_id: a.string("version")?.known(),
        ..BackupPlan::default()
    };
    let mut rules_unknown = None;
    match a.blocks("rule")? {
        Field::Known(blocks) => {
            for r in &blocks {
                match rule(ctx, p, r)? {
                    Ok(rule) => plan.rules.push(rule),
                    Err(reason) => rules_unknown = Some(reason),
                }
            }
        }
        _ => rules_unknown = Some(a.unknown_reason("rule")),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::BackupPlan(plan), name, false)?;
    if let Some(reason) = rules_unknown {
        draft.unknown("rules", reason);
    }
    Ok(draft)
}

/// Days to deletion and to cold storage, or why they are not known.
type Lifecycle = Result<(Option<i64>, Option<i64>), String>;

/// `lifecycle { delete_after, cold_storage_after }` of a rule or copy action.
fn lifecycle(b: &Attrs) -> Result<Lifecycle, PlanError> {
    Ok(match b.block("lifecycle")? {
        Field::Known(Some(l)) => match (l.int("delete_after")?, l.int("cold_storage_after")?) {
            (Field::Unknown, _) => Err(l.unknown_reason("delete_after")),
            (_, Field::Unknown) => Err(l.unknown_reason("cold_storage_after")),
            (delete, cold) => Ok((delete.known(), cold.known())),
        },
        Field::Known(None) | Field::Null => Ok((None, None)),
        Field::Unknown => Err(b.unknown_reason("lifecycle")),
    })
}

/// One backup rule; `Err(reason)` when a value the rules judge is unknown.
fn rule(ctx: &Ctx, p: &Planned, r: &Attrs) -> Result<Result<BackupRule, String>, PlanError> {
    let schedule = match r.nonempty_string("schedule")? {
        Field::Unknown => return Ok(Err(r.unknown_reason("schedule"))),
        other => other.known(),
    };
    let (frequency, runs_per_day) = backup_frequency(schedule.as_deref().unwrap_or_default());
    let (delete_after_days, cold_storage_after_days) = match lifecycle(r)? {
        Ok(l) => l,
        Err(reason) => return Ok(Err(reason)),
    };
    // The vault: its name, or the name of the planned vault it references.
    let target_vault = match r.string("target_vault_name")? {
        Field::Known(name) => name,
        _ => match ctx.target(r, p, "target_vault_name", &["aws_backup_vault"]) {
            Some(i) => ctx.changes[i]
                .after
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or(&ctx.changes[i].address)
                .to_string(),
            None => return Ok(Err(r.unknown_reason("target_vault_name"))),
        },
    };
    let mut copy_actions = Vec::new();
    for c in r.blocks("copy_action")?.known().unwrap_or_default() {
        let Field::Known(vault_arn) = ctx.arn_ref(&c, p, "destination_vault_arn")? else {
            return Ok(Err(c.unknown_reason("destination_vault_arn")));
        };
        // A planned vault: its region and account; otherwise parsed from the ARN.
        let planned = ctx
            .changes
            .iter()
            .find(|x| placeholder(&x.address) == vault_arn);
        let (account, region) = match planned {
            Some(v) => (ctx.account(v), ctx.region(v)),
            None => (arn_part(&vault_arn, 4), arn_part(&vault_arn, 3)),
        };
        let (Some(destination_account), Some(destination_region)) = (account, region) else {
            return Ok(Err(format!(
                "the account or region of copy destination {vault_arn} is not in the plan"
            )));
        };
        let (delete, cold) = match lifecycle(&c)? {
            Ok(l) => l,
            Err(reason) => return Ok(Err(reason)),
        };
        copy_actions.push(CopyAction {
            destination_vault_arn: vault_arn,
            destination_account,
            destination_region,
            delete_after_days: delete,
            cold_storage_after_days: cold,
        });
    }
    Ok(Ok(BackupRule {
        name: r.string("rule_name")?.known().unwrap_or_default(),
        schedule_expression: schedule,
        frequency,
        runs_per_day,
        target_vault,
        delete_after_days,
        cold_storage_after_days,
        copy_actions,
    }))
}

/// Field `index` of an ARN (3 = region, 4 = account), when present.
fn arn_part(arn: &str, index: usize) -> Option<String> {
    arn.starts_with("arn:")
        .then(|| arn.split(':').nth(index))
        .flatten()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `aws_backup_selection`: the resources a plan backs up.
pub fn selection(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let Some(target) = ctx.target(&a, p, "plan_id", &["aws_backup_plan"]) else {
        drafts.outside(
            ctx,
            index,
            "plan_id",
            "backup plan",
            "the backup plan is not in the plan, so the backup rules cannot judge what it selects",
        );
        return Ok(());
    };
    let resources = match a.strings("resources")? {
        Field::Known(list) => Some(
            list.into_iter()
                .map(|arn| ctx.arn_ref_value(&arn))
                .collect::<Vec<_>>(),
        ),
        Field::Null => Some(Vec::new()),
        Field::Unknown => {
            // Each referenced planned resource stands for its ARN.
            let refs = ctx.referenced_placeholders(&a, p, "resources");
            (!refs.is_empty()).then_some(refs)
        }
    };
    if let Some(d) = drafts.of_mut(target) {
        match resources {
            Some(list) => {
                if let Attributes::BackupPlan(plan) = &mut d.resource.attributes {
                    plan.selected_resources.extend(list);
                }
                d.cite("selected_resources", p, ctx.collected_at);
            }
            None => d.unknown("selected_resources", a.unknown_reason("resources")),
        }
    }
    Ok(())
}
