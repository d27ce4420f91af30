//! CloudWatch Logs: every log group of the region with its KMS key and retention (log
//! events are client data as often as not: request logs, application traces).
//!
//! `DescribeLogGroups` gives both facts for every group in its pages; only the tags take
//! one call per group.

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::operation::describe_log_groups::DescribeLogGroupsOutput;
use aws_sdk_cloudwatchlogs::types::LogGroup as SdkLogGroup;
use chrono::DateTime;
use futures::StreamExt;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{Encryption, LogGroup};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("logs:DescribeLogGroups", "logs:DescribeLogGroups"),
    ("logs:ListTagsForResource", "logs:ListTagsForResource"),
];

const TYPES: &[&str] = &["aws_cloudwatch_log_group"];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_cloudwatchlogs, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let groups = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "logs:DescribeLogGroups", TYPES),
            |token, c| {
                client
                    .describe_log_groups()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeLogGroupsOutput| {
                (
                    out.log_groups().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    futures::stream::iter(
        groups
            .into_iter()
            .map(|(group, listed)| log_group(ctx, &client, group, listed)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// The group's ARN without the `:*` that `arn` carries ("logGroupArn: The Amazon
/// Resource Name (ARN) of the log group. This version of the ARN doesn't include a
/// trailing :* after the log group name", the `LogGroup` data type reference).
fn group_arn(g: &SdkLogGroup, account: &str, region: &str, name: &str) -> String {
    g.log_group_arn()
        .map(str::to_string)
        .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_string()))
        .unwrap_or_else(|| format!("arn:aws:logs:{region}:{account}:log-group:{name}"))
}

/// One log group: the listing's facts and its tags.
async fn log_group(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    g: SdkLogGroup,
    listed: Provenance,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let name = g.log_group_name().unwrap_or_default().to_string();
    let arn = group_arn(&g, account, region, &name);
    // Every attribute but the tags comes from the listing (the `resource` group).
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let key = g.kms_key_id().map(str::to_string);
    let attributes = LogGroup {
        created: g
            .creation_time()
            .and_then(DateTime::from_timestamp_millis)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        retention_days: g.retention_in_days().map(i64::from),
        stored_bytes: g.stored_bytes(),
        log_group_class: g.log_group_class().map(|c| c.as_str().to_string()),
        // "Log group data is always encrypted in CloudWatch Logs. By default, CloudWatch
        // Logs uses server-side encryption for the log data at rest. You can use AWS Key
        // Management Service for this encryption" (the CloudWatch Logs user guide,
        // "Encrypt log data in CloudWatch Logs using AWS KMS").
        encryption: Some(Encryption {
            enabled: true,
            algorithm: Some(if key.is_some() { "aws:kms" } else { "AES256" }.to_string()),
            kms_key_arn: key,
        }),
    };
    let tags = tags(&mut read, client, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::LogGroup(attributes),
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

/// The group's tags; empty and unread when the call failed.
async fn tags(read: &mut Groups<'_>, client: &Client, arn: &str) -> Tags {
    read.read("tags", "logs:ListTagsForResource", |c| {
        client
            .list_tags_for_resource()
            .resource_arn(arn)
            .customize()
            .interceptor(c)
            .send()
    })
    .await
    .and_then(|out| out.tags().cloned())
    .unwrap_or_default()
    .into_iter()
    .collect()
}
