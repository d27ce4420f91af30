//! AWS Backup: plans (rules classified daily/weekly/monthly from their schedules, with
//! retention, cold storage and copy destinations), the resources they select, vaults
//! (encryption key, lock, retention bounds) and the recovery points in each vault.

use std::collections::BTreeMap;

use aws_sdk_backup::Client;
use futures::StreamExt;

use super::normalise::backup_frequency;
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{
    BackupPlan, BackupRecoveryPoint, BackupRule, BackupVault, CopyAction, Encryption,
};
use crate::snapshot::{Attributes, Resource, Tags, Unread};

fn arn_part(arn: &str, index: usize) -> String {
    arn.splitn(7, ':')
        .nth(index)
        .unwrap_or_default()
        .to_string()
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let backup = Client::new(ctx.config);
    let (account, region) = (ctx.account, ctx.region);
    let mut found = Vec::new();
    // rule id → frequency, to label recovery points with the class that created them.
    let mut rule_frequency: BTreeMap<String, String> = BTreeMap::new();

    // Plans.
    let mut plans = Vec::new();
    let mut token: Option<String> = None;
    loop {
        match ctx
            .recorder
            .call(region, "backup:ListBackupPlans", |c| {
                backup
                    .list_backup_plans()
                    .set_next_token(token.clone())
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
        {
            Ok((out, p)) => {
                plans.extend(
                    out.backup_plans_list()
                        .iter()
                        .map(|m| (m.clone(), p.clone())),
                );
                token = out.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            Err(e) => {
                ctx.recorder.gap(
                    account,
                    region,
                    "backup:ListBackupPlans",
                    &e.failure,
                    &["aws_backup_plan"],
                    "",
                );
                break;
            }
        }
    }
    for (member, listed) in plans {
        let plan_id = member.backup_plan_id().unwrap_or_default().to_string();
        let arn = member.backup_plan_arn().map_or_else(
            || format!("arn:aws:backup:{region}:{account}:backup-plan:{plan_id}"),
            str::to_string,
        );
        let name = member.backup_plan_name().map(str::to_string);
        let mut provenance = BTreeMap::from([("resource".to_string(), listed)]);
        let mut unread = Vec::new();
        let rules = match ctx
            .recorder
            .call(region, "backup:GetBackupPlan", |c| {
                backup
                    .get_backup_plan()
                    .backup_plan_id(&plan_id)
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
        {
            Ok((out, p)) => {
                provenance.insert("rules".into(), p);
                out.backup_plan()
                    .map(|plan| {
                        plan.rules()
                            .iter()
                            .map(|r| {
                                let (frequency, runs_per_day) =
                                    backup_frequency(r.schedule_expression().unwrap_or_default());
                                if let Some(id) = r.rule_id() {
                                    rule_frequency.insert(id.to_string(), frequency.clone());
                                }
                                BackupRule {
                                    name: r.rule_name().to_string(),
                                    schedule_expression: r
                                        .schedule_expression()
                                        .map(str::to_string),
                                    frequency,
                                    runs_per_day,
                                    target_vault: r.target_backup_vault_name().to_string(),
                                    delete_after_days: r
                                        .lifecycle()
                                        .and_then(|l| l.delete_after_days()),
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
                                                delete_after_days: a
                                                    .lifecycle()
                                                    .and_then(|l| l.delete_after_days()),
                                                cold_storage_after_days: a.lifecycle().and_then(
                                                    |l| l.move_to_cold_storage_after_days(),
                                                ),
                                            }
                                        })
                                        .collect(),
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            }
            Err(e) => {
                let gap = ctx.recorder.gap(
                    account,
                    region,
                    "backup:GetBackupPlan",
                    &e.failure,
                    &[],
                    &arn,
                );
                unread.push(Unread {
                    group: "rules".into(),
                    gap,
                });
                Vec::new()
            }
        };
        // Selections, every page, then each selection's resources. Any failure leaves the
        // whole group unread: a partial list must not look like the plan's full scope.
        let mut selected_resources = Vec::new();
        let mut selection_ids = Vec::new();
        let mut failed: Option<String> = None;
        let mut token: Option<String> = None;
        loop {
            match ctx
                .recorder
                .call(region, "backup:ListBackupSelections", |c| {
                    backup
                        .list_backup_selections()
                        .backup_plan_id(&plan_id)
                        .set_next_token(token.clone())
                        .customize()
                        .interceptor(c)
                        .send()
                })
                .await
            {
                Ok((out, p)) => {
                    provenance.entry("selected_resources".into()).or_insert(p);
                    selection_ids.extend(
                        out.backup_selections_list()
                            .iter()
                            .filter_map(|s| s.selection_id().map(str::to_string)),
                    );
                    token = out.next_token().map(str::to_string);
                    if token.is_none() {
                        break;
                    }
                }
                Err(e) => {
                    failed = Some(ctx.recorder.gap(
                        account,
                        region,
                        "backup:ListBackupSelections",
                        &e.failure,
                        &[],
                        &arn,
                    ));
                    break;
                }
            }
        }
        for selection_id in &selection_ids {
            if failed.is_some() {
                break;
            }
            match ctx
                .recorder
                .call(region, "backup:GetBackupSelection", |c| {
                    backup
                        .get_backup_selection()
                        .backup_plan_id(&plan_id)
                        .selection_id(selection_id)
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
                    failed = Some(ctx.recorder.gap(
                        account,
                        region,
                        "backup:GetBackupSelection",
                        &e.failure,
                        &[],
                        &arn,
                    ))
                }
            }
        }
        if let Some(gap) = failed {
            provenance.remove("selected_resources");
            selected_resources.clear();
            unread.push(Unread {
                group: "selected_resources".into(),
                gap,
            });
        }
        let attributes = BackupPlan {
            plan_id: plan_id.clone(),
            version_id: member.version_id().map(str::to_string),
            rules,
            selected_resources,
        };
        found.push(resource(
            Attributes::BackupPlan(attributes),
            arn,
            plan_id,
            name,
            account,
            region,
            Tags::new(),
            provenance,
            unread,
        ));
    }

    // Vaults, then the recovery points in each.
    let mut vaults = Vec::new();
    let mut token: Option<String> = None;
    loop {
        match ctx
            .recorder
            .call(region, "backup:ListBackupVaults", |c| {
                backup
                    .list_backup_vaults()
                    .set_next_token(token.clone())
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
        {
            Ok((out, p)) => {
                vaults.extend(
                    out.backup_vault_list()
                        .iter()
                        .map(|v| (v.clone(), p.clone())),
                );
                token = out.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            Err(e) => {
                ctx.recorder.gap(
                    account,
                    region,
                    "backup:ListBackupVaults",
                    &e.failure,
                    &["aws_backup_vault", "aws_backup_recovery_point"],
                    "",
                );
                return found;
            }
        }
    }
    for (v, p) in &vaults {
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
        found.push(resource(
            Attributes::BackupVault(attributes),
            arn,
            name.clone(),
            Some(name),
            account,
            region,
            Tags::new(),
            BTreeMap::from([("resource".to_string(), p.clone())]),
            Vec::new(),
        ));
    }
    let points: Vec<Vec<Resource>> = futures::stream::iter(vaults.iter().map(|(v, _)| {
        let backup = &backup;
        let rule_frequency = &rule_frequency;
        async move {
            let vault = v.backup_vault_name().unwrap_or_default().to_string();
            let mut out_points = Vec::new();
            let mut token: Option<String> = None;
            loop {
                match ctx
                    .recorder
                    .call(region, "backup:ListRecoveryPointsByBackupVault", |c| {
                        backup
                            .list_recovery_points_by_backup_vault()
                            .backup_vault_name(&vault)
                            .set_next_token(token.clone())
                            .customize()
                            .interceptor(c)
                            .send()
                    })
                    .await
                {
                    Ok((out, p)) => {
                        for rp in out.recovery_points() {
                            let arn = rp.recovery_point_arn().unwrap_or_default().to_string();
                            let source_account = rp
                                .source_backup_vault_arn()
                                .map(|s| arn_part(s, 4))
                                .filter(|a| a != account);
                            let attributes = BackupRecoveryPoint {
                                vault_name: vault.clone(),
                                source_resource_arn: rp
                                    .resource_arn()
                                    .unwrap_or_default()
                                    .to_string(),
                                source_resource_type: rp
                                    .resource_type()
                                    .unwrap_or_default()
                                    .to_string(),
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
                                delete_after_days: rp
                                    .lifecycle()
                                    .and_then(|l| l.delete_after_days()),
                                cold_storage_after_days: rp
                                    .lifecycle()
                                    .and_then(|l| l.move_to_cold_storage_after_days()),
                                frequency: rp
                                    .created_by()
                                    .and_then(|c| c.backup_rule_id())
                                    .and_then(|id| rule_frequency.get(id).cloned()),
                                copied_from_account: source_account,
                            };
                            let id = arn
                                .rsplit([':', '/'])
                                .next()
                                .unwrap_or_default()
                                .to_string();
                            out_points.push(resource(
                                Attributes::BackupRecoveryPoint(attributes),
                                arn,
                                id,
                                None,
                                account,
                                region,
                                Tags::new(),
                                BTreeMap::from([("resource".to_string(), p.clone())]),
                                Vec::new(),
                            ));
                        }
                        token = out.next_token().map(str::to_string);
                        if token.is_none() {
                            break;
                        }
                    }
                    Err(e) => {
                        ctx.recorder.gap(
                            account,
                            region,
                            "backup:ListRecoveryPointsByBackupVault",
                            &e.failure,
                            &["aws_backup_recovery_point"],
                            &vault,
                        );
                        break;
                    }
                }
            }
            out_points
        }
    }))
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await;
    found.extend(points.into_iter().flatten());
    found
}
