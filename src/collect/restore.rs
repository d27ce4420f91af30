//! AWS Backup restore evidence: restore testing plans (what is restored, how often) and
//! restore jobs (every restore run, by a testing plan or by hand: status, resource type,
//! when it started and finished). A restore that completed is evidence that a backup
//! restores, and its duration evidence for a promised recovery time; a plan alone is only
//! configuration.

use std::collections::BTreeMap;

use aws_sdk_backup::Client;
use aws_sdk_backup::operation::list_restore_jobs::ListRestoreJobsOutput;
use aws_sdk_backup::operation::list_restore_testing_plans::ListRestoreTestingPlansOutput;
use aws_sdk_backup::types::{RestoreJobsListMember, RestoreTestingPlanForList};
use futures::StreamExt;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{BackupRestoreJob, BackupRestoreTestingPlan};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (
        "backup:ListRestoreTestingPlans",
        "backup:ListRestoreTestingPlans",
    ),
    (
        "backup:GetRestoreTestingPlan",
        "backup:GetRestoreTestingPlan",
    ),
    ("backup:ListRestoreJobs", "backup:ListRestoreJobs"),
];

/// The groups `GetRestoreTestingPlan` fills (the listing gives the rest).
const SELECTION: &[&str] = &[
    "selection_algorithm",
    "recovery_point_types",
    "include_vaults",
    "selection_window_days",
];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let backup = service_client!(aws_sdk_backup, ctx);
    let mut found = plans(ctx, &backup).await;
    found.extend(jobs(ctx, &backup).await);
    found
}

/// Every restore testing plan, each with its recovery point selection.
async fn plans(ctx: &ServiceCtx<'_>, backup: &Client) -> Vec<Resource> {
    let listed = ctx
        .recorder
        .pages(
            Paging::listing(
                ctx.account,
                ctx.region,
                "backup:ListRestoreTestingPlans",
                &["aws_backup_restore_testing_plan"],
            ),
            |token, c| {
                backup
                    .list_restore_testing_plans()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListRestoreTestingPlansOutput| {
                (
                    out.restore_testing_plans().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    futures::stream::iter(listed.into_iter().map(|(p, l)| plan(ctx, backup, p, l)))
        .buffer_unordered(ctx.concurrency)
        .collect()
        .await
}

/// One plan: the listing's schedule, and `GetRestoreTestingPlan`'s selection.
async fn plan(
    ctx: &ServiceCtx<'_>,
    backup: &Client,
    p: RestoreTestingPlanForList,
    listed: Provenance,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let arn = p.restore_testing_plan_arn().to_string();
    let name = p.restore_testing_plan_name().to_string();
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed.clone());
    for group in [
        "schedule_expression",
        "schedule_timezone",
        "start_window_hours",
        "created",
        "last_execution",
    ] {
        read.cite(group, listed.clone());
    }
    let mut attributes = BackupRestoreTestingPlan {
        schedule_expression: Some(p.schedule_expression().to_string()),
        schedule_timezone: p.schedule_expression_timezone().map(str::to_string),
        start_window_hours: Some(i64::from(p.start_window_hours())),
        created: Some(p.creation_time().to_string()),
        last_execution: p.last_execution_time().map(|t| t.to_string()),
        ..BackupRestoreTestingPlan::default()
    };
    let got = ctx
        .recorder
        .call(ctx.account, region, "backup:GetRestoreTestingPlan", |c| {
            backup
                .get_restore_testing_plan()
                .restore_testing_plan_name(&name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    match got {
        Ok((out, provenance)) => {
            for group in SELECTION {
                read.cite(group, provenance.clone());
            }
            if let Some(s) = out
                .restore_testing_plan()
                .and_then(|p| p.recovery_point_selection())
            {
                attributes.selection_algorithm = s.algorithm().map(|a| a.as_str().to_string());
                attributes.recovery_point_types = s
                    .recovery_point_types()
                    .iter()
                    .map(|t| t.as_str().to_string())
                    .collect();
                attributes.include_vaults = s.include_vaults().to_vec();
                attributes.selection_window_days = Some(i64::from(s.selection_window_days()));
            }
        }
        Err(e) => {
            let gap = read.miss(SELECTION[0], "backup:GetRestoreTestingPlan", &e.failure);
            for group in &SELECTION[1..] {
                read.unread_by(group, &gap);
            }
        }
    }
    let (provenance, unread) = read.finish();
    resource(
        Attributes::BackupRestoreTestingPlan(attributes),
        arn,
        name.clone(),
        Some(name),
        account,
        region,
        Tags::new(),
        provenance,
        unread,
    )
}

/// Every restore job of the region (every page; AWS filters none out by default).
async fn jobs(ctx: &ServiceCtx<'_>, backup: &Client) -> Vec<Resource> {
    ctx.recorder
        .pages(
            Paging::listing(
                ctx.account,
                ctx.region,
                "backup:ListRestoreJobs",
                &["aws_backup_restore_job"],
            ),
            |token, c| {
                backup
                    .list_restore_jobs()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListRestoreJobsOutput| {
                (
                    out.restore_jobs().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items
        .into_iter()
        .map(|(j, p)| job(ctx, &j, p))
        .collect()
}

/// One restore job as the listing gave it.
fn job(ctx: &ServiceCtx<'_>, j: &RestoreJobsListMember, listed: Provenance) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = j.restore_job_id().unwrap_or_default().to_string();
    // AWS gives a restore job no ARN: assay's own, in AWS's form.
    let arn = format!("arn:aws:backup:{region}:{account}:restore-job:{id}");
    let duration_minutes = match (j.creation_date(), j.completion_date()) {
        (Some(start), Some(end)) => Some((end.secs() - start.secs()).div_euclid(60)),
        _ => None,
    };
    let attributes = BackupRestoreJob {
        status: j.status().map_or(String::new(), |s| s.as_str().to_string()),
        status_message: j.status_message().map(str::to_string),
        resource_type: j.resource_type().map(str::to_string),
        recovery_point_arn: j.recovery_point_arn().map(str::to_string),
        created_resource_arn: j.created_resource_arn().map(str::to_string),
        created: j.creation_date().map(|d| d.to_string()),
        completed: j.completion_date().map(|d| d.to_string()),
        duration_minutes,
        restore_testing_plan_arn: j
            .created_by()
            .and_then(|c| c.restore_testing_plan_arn())
            .map(str::to_string),
        validation_status: j.validation_status().map(|s| s.as_str().to_string()),
    };
    resource(
        Attributes::BackupRestoreJob(attributes),
        arn,
        id,
        None,
        account,
        region,
        Tags::new(),
        BTreeMap::from([("resource".to_string(), listed)]),
        Vec::new(),
    )
}
