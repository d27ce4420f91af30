//! AWS Backup: plans (rules classified daily/weekly/monthly from their schedules, with
//! retention, cold storage and copy destinations), the resources they select, vaults
//! (encryption key, lock, retention bounds) and the recovery points in each vault.

use std::collections::BTreeMap;

use aws_sdk_backup::Client;
use aws_sdk_backup::operation::list_backup_plans::ListBackupPlansOutput;
use aws_sdk_backup::operation::list_backup_selections::ListBackupSelectionsOutput;
use aws_sdk_backup::operation::list_backup_vaults::ListBackupVaultsOutput;
use aws_sdk_backup::operation::list_recovery_points_by_backup_vault::ListRecoveryPointsByBackupVaultOutput;
use aws_sdk_backup::types::{
    BackupPlansListMember, BackupVaultListMember, RecoveryPointByBackupVault,
};
use futures::StreamExt;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::backup_frequency;
use crate::snapshot::resources::{
    BackupPlan, BackupRecoveryPoint, BackupRule, BackupVault, CopyAction, Encryption,
};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("backup:ListBackupPlans", "backup:ListBackupPlans"),
    ("backup:GetBackupPlan", "backup:GetBackupPlan"),
    ("backup:ListBackupSelections", "backup:ListBackupSelections"),
    ("backup:GetBackupSelection", "backup:GetBackupSelection"),
    ("backup:ListBackupVaults", "backup:ListBackupVaults"),
    (
        "backup:ListRecoveryPointsByBackupVault",
        "backup:ListRecoveryPointsByBackupVault",
    ),
    (
        "backup:DescribeRecoveryPoint",
        "backup:DescribeRecoveryPoint",
    ),
];

fn arn_part(arn: &str, index: usize) -> String {
    arn.splitn(7, ':')
        .nth(index)
        .unwrap_or_default()
        .to_string()
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let backup = service_client!(aws_sdk_backup, ctx);
    // rule id → frequency, to label recovery points with the class that created them.
    let mut rule_frequency: BTreeMap<String, String> = BTreeMap::new();
    let mut found = plans(ctx, &backup, &mut rule_frequency).await;
    // Vaults, then the recovery points in each.
    let Some(vaults) = vaults(ctx, &backup).await else {
        return found;
    };
    for (v, p) in &vaults {
        found.push(vault(ctx, v, p));
    }
    found.extend(recovery_points(ctx, &backup, &vaults, &rule_frequency).await);
    found
}

/// Every backup plan, with its rules and the resources its selections name.
async fn plans(
    ctx: &ServiceCtx<'_>,
    backup: &Client,
    rule_frequency: &mut BTreeMap<String, String>,
) -> Vec<Resource> {
    let (account, region) = (ctx.account, ctx.region);
    let plans = ctx
        .recorder
        .pages(
            Paging::listing(
                account,
                region,
                "backup:ListBackupPlans",
                &["aws_backup_plan"],
            ),
            |token, c| {
                backup
                    .list_backup_plans()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListBackupPlansOutput| {
                (
                    out.backup_plans_list().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    let mut found = Vec::new();
    for (member, listed) in plans {
        found.push(plan(ctx, backup, &member, listed, rule_frequency).await);
    }
    found
}

/// One plan: its rules (`GetBackupPlan`) and selected resources.
async fn plan(
    ctx: &ServiceCtx<'_>,
    backup: &Client,
    member: &BackupPlansListMember,
    listed: Provenance,
    rule_frequency: &mut BTreeMap<String, String>,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let plan_id = member.backup_plan_id().unwrap_or_default().to_string();
    let arn = member.backup_plan_arn().map_or_else(
        || format!("arn:aws:backup:{region}:{account}:backup-plan:{plan_id}"),
        str::to_string,
    );
    let name = member.backup_plan_name().map(str::to_string);
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let rules = read
        .read("rules", "backup:GetBackupPlan", |c| {
            backup
                .get_backup_plan()
                .backup_plan_id(&plan_id)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .map(|out| {
            out.backup_plan()
                .map(|plan| {
                    plan.rules()
                        .iter()
                        .map(|r| backup_rule(r, rule_frequency))
                        .collect()
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let selected_resources = selected_resources(ctx, backup, &plan_id, &arn, &mut read).await;
    let attributes = BackupPlan {
        plan_id: plan_id.clone(),
        version_id: member.version_id().map(str::to_string),
        rules,
        selected_resources,
    };
    let (provenance, unread) = read.finish();
    resource(
        Attributes::BackupPlan(attributes),
        arn,
        plan_id,
        name,
        account,
        region,
        Tags::new(),
        provenance,
        unread,
    )
}

/// A plan rule in the resource model, its schedule classified; records the rule's
/// frequency for the recovery points it creates.
fn backup_rule(
    r: &aws_sdk_backup::types::BackupRule,
    rule_frequency: &mut BTreeMap<String, String>,
) -> BackupRule {
    let (frequency, runs_per_day) = backup_frequency(r.schedule_expression().unwrap_or_default());
    if let Some(id) = r.rule_id() {
        rule_frequency.insert(id.to_string(), frequency.clone());
    }
    BackupRule {
        name: r.rule_name().to_string(),
        schedule_expression: r.schedule_expression().map(str::to_string),
        frequency,
        runs_per_day,
        target_vault: r.target_backup_vault_name().to_string(),
        delete_after_days: r.lifecycle().and_then(|l| l.delete_after_days()),
        cold_storage_after_days: r
            .lifecycle()
            .and_then(|l| l.move_to_cold_storage_after_days()),
        copy_actions: r
            .copy_actions()
            .iter()
            .map(|a| {
                let dest = a.destination_backup_vault_arn().to_string();
                CopyAction {
                    destination_account: arn_part(&dest, 4),
                    destination_region: arn_part(&dest, 3),
                    destination_vault_arn: dest,
                    delete_after_days: a.lifecycle().and_then(|l| l.delete_after_days()),
                    cold_storage_after_days: a
                        .lifecycle()
                        .and_then(|l| l.move_to_cold_storage_after_days()),
                }
            })
            .collect(),
    }
}

/// The resources a plan's selections name: every page of selections, then each
/// selection's resources.
async fn selected_resources(
    ctx: &ServiceCtx<'_>,
    backup: &Client,
    plan_id: &str,
    arn: &str,
    read: &mut Groups<'_>,
) -> Vec<String> {
    let region = ctx.region;
    // Selections, every page, then each selection's resources. Any failure leaves the
    // whole group unread: a partial list must not look like the plan's full scope.
    let selections = ctx
        .recorder
        .pages(
            Paging::of(ctx.account, region, "backup:ListBackupSelections", arn),
            |token, c| {
                backup
                    .list_backup_selections()
                    .backup_plan_id(plan_id)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListBackupSelectionsOutput| {
                let ids = out
                    .backup_selections_list()
                    .iter()
                    .filter_map(|s| s.selection_id().map(str::to_string))
                    .collect();
                (ids, out.next_token().map(str::to_string))
            },
        )
        .await;
    let mut selected_resources = Vec::new();
    for selection_id in read
        .paged("selected_resources", selections)
        .unwrap_or_default()
    {
        match ctx
            .recorder
            .call(ctx.account, region, "backup:GetBackupSelection", |c| {
                backup
                    .get_backup_selection()
                    .backup_plan_id(plan_id)
                    .selection_id(&selection_id)
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
        {
            Ok((out, _)) => selected_resources.extend(
                out.backup_selection()
                    .map(|b| b.resources().to_vec())
                    .unwrap_or_default(),
            ),
            Err(e) => {
                read.miss(
                    "selected_resources",
                    "backup:GetBackupSelection",
                    &e.failure,
                );
                selected_resources.clear();
                break;
            }
        }
    }
    selected_resources
}

/// Every vault, or `None` when the listing is incomplete (its gap is recorded).
async fn vaults(
    ctx: &ServiceCtx<'_>,
    backup: &Client,
) -> Option<Vec<(BackupVaultListMember, Provenance)>> {
    let (account, region) = (ctx.account, ctx.region);
    ctx.recorder
        .pages(
            Paging::listing(
                account,
                region,
                "backup:ListBackupVaults",
                &["aws_backup_vault", "aws_backup_recovery_point"],
            ),
            |token, c| {
                backup
                    .list_backup_vaults()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListBackupVaultsOutput| {
                (
                    out.backup_vault_list().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .complete()
}

/// One vault: its encryption key, lock and retention bounds, from the listing.
fn vault(ctx: &ServiceCtx<'_>, v: &BackupVaultListMember, p: &Provenance) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let name = v.backup_vault_name().unwrap_or_default().to_string();
    let arn = v.backup_vault_arn().map_or_else(
        || format!("arn:aws:backup:{region}:{account}:backup-vault:{name}"),
        str::to_string,
    );
    let key = v.encryption_key_arn().map(str::to_string);
    let attributes = BackupVault {
        encryption: Some(Encryption {
            enabled: key.is_some(),
            algorithm: key.as_ref().map(|_| "aws:kms".to_string()),
            kms_key_arn: key,
        }),
        locked: v.locked().unwrap_or(false),
        min_retention_days: v.min_retention_days(),
        max_retention_days: v.max_retention_days(),
        recovery_points: v.number_of_recovery_points(),
    };
    resource(
        Attributes::BackupVault(attributes),
        arn,
        name.clone(),
        Some(name),
        account,
        region,
        Tags::new(),
        BTreeMap::from([("resource".to_string(), p.clone())]),
        Vec::new(),
    )
}

/// The recovery points in every vault, the vaults listed concurrently.
async fn recovery_points(
    ctx: &ServiceCtx<'_>,
    backup: &Client,
    vaults: &[(BackupVaultListMember, Provenance)],
    rule_frequency: &BTreeMap<String, String>,
) -> Vec<Resource> {
    let (account, region) = (ctx.account, ctx.region);
    let listed: Vec<Vec<(RecoveryPointByBackupVault, Provenance, String)>> =
        futures::stream::iter(vaults.iter().map(|(v, _)| async move {
            let vault = v.backup_vault_name().unwrap_or_default().to_string();
            let paging = Paging {
                account,
                region,
                operation: "backup:ListRecoveryPointsByBackupVault",
                resource_types: &["aws_backup_recovery_point"],
                subject: &vault,
            };
            ctx.recorder
                .pages(
                    paging,
                    |token, c| {
                        backup
                            .list_recovery_points_by_backup_vault()
                            .backup_vault_name(&vault)
                            .set_next_token(token)
                            .customize()
                            .interceptor(c)
                            .send()
                    },
                    |out: ListRecoveryPointsByBackupVaultOutput| {
                        (
                            out.recovery_points().to_vec(),
                            out.next_token().map(str::to_string),
                        )
                    },
                )
                .await
                .items
                .into_iter()
                .map(|(rp, p)| (rp, p, vault.clone()))
                .collect::<Vec<_>>()
        }))
        .buffer_unordered(ctx.concurrency)
        .collect()
        .await;
    futures::stream::iter(
        listed
            .into_iter()
            .flatten()
            .map(|(rp, p, vault)| async move {
                let storage_class = storage_class(ctx, backup, &rp, &vault, &p).await;
                recovery_point(&rp, &vault, ctx, rule_frequency, storage_class)
            }),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// The storage tier of a point that its lifecycle has made due in cold storage
/// (`CalculatedLifecycle.MoveToColdStorageAt` before the scan): `StorageClass` ("WARM,
/// COLD or DELETED", the DescribeRecoveryPoint API reference; the listing does not carry
/// it). Other points are not read: a point not yet due, or without a cold transition,
/// says nothing about cold storage by its tier (the rules see its lifecycle instead).
/// The group `storage_class` cites the call, or is unread with its gap.
async fn storage_class(
    ctx: &ServiceCtx<'_>,
    backup: &Client,
    rp: &RecoveryPointByBackupVault,
    vault: &str,
    listed: &Provenance,
) -> (Option<String>, Read) {
    let arn = rp.recovery_point_arn().unwrap_or_default().to_string();
    let mut read = Groups::listed(ctx.recorder, ctx.account, ctx.region, &arn, listed.clone());
    let due = rp
        .calculated_lifecycle()
        .and_then(|l| l.move_to_cold_storage_at())
        .is_some_and(|at| at.secs() <= chrono::Utc::now().timestamp());
    if !due {
        return (None, read.finish());
    }
    let class = read
        .read("storage_class", "backup:DescribeRecoveryPoint", |c| {
            backup
                .describe_recovery_point()
                .backup_vault_name(vault)
                .recovery_point_arn(&arn)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .and_then(|out| out.storage_class().map(|c| c.as_str().to_string()));
    (class, read.finish())
}

/// What a resource's reads left: the provenance of each group and the unread ones.
type Read = (BTreeMap<String, Provenance>, Vec<crate::snapshot::Unread>);

/// One recovery point as `ListRecoveryPointsByBackupVault` lists it, labelled with the
/// frequency of the plan rule that made it when that rule is known.
fn recovery_point(
    rp: &RecoveryPointByBackupVault,
    vault: &str,
    ctx: &ServiceCtx<'_>,
    rule_frequency: &BTreeMap<String, String>,
    (storage_class, (provenance, unread)): (Option<String>, Read),
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let arn = rp.recovery_point_arn().unwrap_or_default().to_string();
    let source_account = rp
        .source_backup_vault_arn()
        .map(|s| arn_part(s, 4))
        .filter(|a| a != account);
    let attributes = BackupRecoveryPoint {
        vault_name: vault.to_string(),
        source_resource_arn: rp.resource_arn().unwrap_or_default().to_string(),
        source_resource_type: rp.resource_type().unwrap_or_default().to_string(),
        created: rp
            .creation_date()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        status: rp
            .status()
            .map_or(String::new(), |s| s.as_str().to_string()),
        encryption: Some(Encryption {
            enabled: rp.is_encrypted(),
            algorithm: rp.is_encrypted().then(|| "aws:kms".to_string()),
            kms_key_arn: rp.encryption_key_arn().map(str::to_string),
        }),
        delete_after_days: rp.lifecycle().and_then(|l| l.delete_after_days()),
        cold_storage_after_days: rp
            .lifecycle()
            .and_then(|l| l.move_to_cold_storage_after_days()),
        frequency: rp
            .created_by()
            .and_then(|c| c.backup_rule_id())
            .and_then(|id| rule_frequency.get(id).cloned()),
        copied_from_account: source_account,
        storage_class,
        delete_at: rp
            .calculated_lifecycle()
            .and_then(|l| l.delete_at())
            .map(|t| t.to_string()),
        move_to_cold_storage_at: rp
            .calculated_lifecycle()
            .and_then(|l| l.move_to_cold_storage_at())
            .map(|t| t.to_string()),
        backup_plan_id: rp
            .created_by()
            .and_then(|c| c.backup_plan_id())
            .map(str::to_string),
        backup_rule_id: rp
            .created_by()
            .and_then(|c| c.backup_rule_id())
            .map(str::to_string),
    };
    let id = arn
        .rsplit([':', '/'])
        .next()
        .unwrap_or_default()
        .to_string();
    resource(
        Attributes::BackupRecoveryPoint(attributes),
        arn,
        id,
        None,
        account,
        region,
        Tags::new(),
        provenance,
        unread,
    )
}
