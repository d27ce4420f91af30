//! DynamoDB: every table of the region with its encryption at rest (the key AWS owns, the
//! AWS managed key or a customer managed one), its global-table replica regions, point-in-
//! time recovery and on-demand backups.
//!
//! Each attribute group is cited by the call that filled it or unread with the gap that
//! explains it: a table whose `DescribeTable` was denied is still listed, its encryption
//! and replicas unread, so the rules on them say GAP, never PASS.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::list_backups::ListBackupsOutput;
use aws_sdk_dynamodb::operation::list_tables::ListTablesOutput;
use aws_sdk_dynamodb::operation::list_tags_of_resource::ListTagsOfResourceOutput;
use aws_sdk_dynamodb::types::{
    BackupSummary, BackupTypeFilter, PointInTimeRecoveryStatus, SseType, TableDescription, Tag,
};
use futures::StreamExt;

use super::read::{Groups, Pages, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{DynamodbTable, Encryption};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("dynamodb:ListTables", "dynamodb:ListTables"),
    ("dynamodb:DescribeTable", "dynamodb:DescribeTable"),
    (
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeContinuousBackups",
    ),
    ("dynamodb:ListBackups", "dynamodb:ListBackups"),
    ("dynamodb:ListTagsOfResource", "dynamodb:ListTagsOfResource"),
];

const TYPES: &[&str] = &["aws_dynamodb_table"];

/// The groups `DescribeTable` fills.
const DESCRIBED: &[&str] = &[
    "status",
    "billing_mode",
    "deletion_protection",
    "encryption",
    "sse_type",
    "replica_regions",
];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_dynamodb, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let tables = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "dynamodb:ListTables", TYPES),
            |start, c| {
                client
                    .list_tables()
                    .set_exclusive_start_table_name(start)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListTablesOutput| {
                (
                    out.table_names().to_vec(),
                    out.last_evaluated_table_name().map(str::to_string),
                )
            },
        )
        .await
        .items;
    if tables.is_empty() {
        return Vec::new();
    }
    let backups = on_demand_backups(ctx, &client).await;
    futures::stream::iter(
        tables
            .into_iter()
            .map(|(name, listed)| table(ctx, &client, name, listed, &backups)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// The region's on-demand (`USER`) backups, listed once for all tables; a failed page
/// leaves every table's backup groups unread with its gap.
async fn on_demand_backups(ctx: &ServiceCtx<'_>, client: &Client) -> Pages<BackupSummary> {
    ctx.recorder
        .pages(
            Paging::of(ctx.account, ctx.region, "dynamodb:ListBackups", "backups"),
            |start, c| {
                client
                    .list_backups()
                    .backup_type(BackupTypeFilter::User)
                    .set_exclusive_start_backup_arn(start)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListBackupsOutput| {
                (
                    out.backup_summaries().to_vec(),
                    out.last_evaluated_backup_arn().map(str::to_string),
                )
            },
        )
        .await
}

/// One table: its description, continuous backups, on-demand backups and tags.
async fn table(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    name: String,
    listed: Provenance,
    backups: &Pages<BackupSummary>,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    // The ARN as the gaps name it until `DescribeTable` gives AWS's own (`TableArn`).
    let subject = format!("arn:aws:dynamodb:{region}:{account}:table/{name}");
    let mut arn = subject.clone();
    let mut attributes = DynamodbTable::default();
    let mut read = Groups::listed(ctx.recorder, account, region, &subject, listed);
    let described = ctx
        .recorder
        .call(ctx.account, region, "dynamodb:DescribeTable", |c| {
            client
                .describe_table()
                .table_name(&name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    match described {
        Ok((out, p)) => {
            for group in DESCRIBED {
                read.cite(group, p.clone());
            }
            if let Some(t) = out.table() {
                describe(&mut attributes, t);
                if let Some(table_arn) = t.table_arn() {
                    arn = table_arn.to_string();
                }
            }
        }
        Err(e) => {
            let gap = read.miss(DESCRIBED[0], "dynamodb:DescribeTable", &e.failure);
            for group in &DESCRIBED[1..] {
                read.unread_by(group, &gap);
            }
        }
    }
    point_in_time_recovery(&mut read, client, &name, &mut attributes).await;
    count_backups(&mut read, &arn, backups, &mut attributes);
    let tags = tags(ctx, &mut read, client, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::DynamodbTable(attributes),
        arn,
        name.clone(),
        Some(name),
        account,
        region,
        tags,
        provenance,
        unread,
    )
}

/// The groups `DescribeTable` fills, from its `Table`.
fn describe(attributes: &mut DynamodbTable, t: &TableDescription) {
    attributes.status = t
        .table_status()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    attributes.billing_mode = t
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .map(|m| m.as_str().to_string());
    attributes.deletion_protection = t.deletion_protection_enabled().unwrap_or(false);
    // "SSEDescription: The description of the server-side encryption status on the
    // specified table" (DescribeTable); absent for the default, an AWS owned key:
    // "DynamoDB encryption at rest … AWS owned key – Default encryption type" (the
    // DynamoDB developer guide, "Encryption at rest").
    let sse = t.sse_description();
    let kms = sse.and_then(|s| s.sse_type()) == Some(&SseType::Kms);
    attributes.sse_type = sse
        .and_then(|s| s.sse_type())
        .map(|s| s.as_str().to_string());
    attributes.encryption = Some(Encryption {
        enabled: true,
        algorithm: Some(if kms { "aws:kms" } else { "AES256" }.to_string()),
        kms_key_arn: sse
            .filter(|_| kms)
            .and_then(|s| s.kms_master_key_arn())
            .map(str::to_string),
    });
    let mut regions: Vec<String> = t
        .replicas()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    regions.sort();
    regions.dedup();
    attributes.replica_regions = regions;
}

/// `point_in_time_recovery` and `recovery_period_days` from `DescribeContinuousBackups`.
async fn point_in_time_recovery(
    read: &mut Groups<'_>,
    client: &Client,
    name: &str,
    attributes: &mut DynamodbTable,
) {
    let out = read
        .read(
            "point_in_time_recovery",
            "dynamodb:DescribeContinuousBackups",
            |c| {
                client
                    .describe_continuous_backups()
                    .table_name(name)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await;
    match out {
        Some(out) => {
            let pitr = out
                .continuous_backups_description()
                .and_then(|d| d.point_in_time_recovery_description());
            attributes.point_in_time_recovery = Some(
                pitr.and_then(|p| p.point_in_time_recovery_status())
                    == Some(&PointInTimeRecoveryStatus::Enabled),
            );
            attributes.recovery_period_days = pitr
                .and_then(|p| p.recovery_period_in_days())
                .map(i64::from);
            if let Some(p) = read.provenance.get("point_in_time_recovery").cloned() {
                read.cite("recovery_period_days", p);
            }
        }
        None => {
            if let Some(gap) = read
                .unread
                .iter()
                .find(|u| u.group == "point_in_time_recovery")
                .map(|u| u.gap.clone())
            {
                read.unread_by("recovery_period_days", &gap);
            }
        }
    }
}

/// The table's on-demand backups, from the region's listing.
fn count_backups(
    read: &mut Groups<'_>,
    arn: &str,
    backups: &Pages<BackupSummary>,
    attributes: &mut DynamodbTable,
) {
    const GROUPS: [&str; 2] = ["on_demand_backups", "latest_on_demand_backup"];
    if let Some(gap) = backups.gap() {
        for group in GROUPS {
            read.unread_by(group, gap);
        }
        return;
    }
    let mine: Vec<&BackupSummary> = backups
        .items
        .iter()
        .map(|(b, _)| b)
        .filter(|b| b.table_arn() == Some(arn))
        .collect();
    attributes.on_demand_backups = Some(mine.len() as i64);
    attributes.latest_on_demand_backup = mine
        .iter()
        .filter_map(|b| b.backup_creation_date_time())
        .max_by_key(|t| (t.secs(), t.subsec_nanos()))
        .map(|t| t.to_string());
    if let Some(first) = backups.first_page() {
        for group in GROUPS {
            read.cite(group, first.clone());
        }
    }
}

/// The table's tags (every page); empty and unread when a page failed.
async fn tags(ctx: &ServiceCtx<'_>, read: &mut Groups<'_>, client: &Client, arn: &str) -> Tags {
    let pages = ctx
        .recorder
        .pages(
            Paging::of(ctx.account, ctx.region, "dynamodb:ListTagsOfResource", arn),
            |token, c| {
                client
                    .list_tags_of_resource()
                    .resource_arn(arn)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListTagsOfResourceOutput| {
                (out.tags().to_vec(), out.next_token().map(str::to_string))
            },
        )
        .await;
    read.paged("tags", pages)
        .unwrap_or_default()
        .iter()
        .map(|t: &Tag| (t.key().to_string(), t.value().to_string()))
        .collect::<BTreeMap<String, String>>()
}
