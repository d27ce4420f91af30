//! SNS: every topic of the region with its encryption at rest (a KMS key or none) and
//! its access policy. Messages and subscriptions are not read.
//!
//! `ListTopics` gives only the topics' ARNs; `GetTopicAttributes` the key and policy,
//! `ListTagsForResource` the tags.

use aws_sdk_sns::Client;
use aws_sdk_sns::operation::list_topics::ListTopicsOutput;
use futures::StreamExt;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::{Encryption, SnsTopic};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("sns:ListTopics", "sns:ListTopics"),
    ("sns:GetTopicAttributes", "sns:GetTopicAttributes"),
    ("sns:ListTagsForResource", "sns:ListTagsForResource"),
];

const TYPES: &[&str] = &["aws_sns_topic"];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_sns, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let arns = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "sns:ListTopics", TYPES),
            |token, c| {
                client
                    .list_topics()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListTopicsOutput| {
                (
                    out.topics()
                        .iter()
                        .filter_map(|t| t.topic_arn().map(str::to_string))
                        .collect(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    futures::stream::iter(
        arns.into_iter()
            .map(|(arn, listed)| topic(ctx, &client, arn, listed)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// One topic: its attributes and tags.
async fn topic(ctx: &ServiceCtx<'_>, client: &Client, arn: String, listed: Provenance) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let name = arn.rsplit(':').next().unwrap_or(&arn).to_string();
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let mut attributes = SnsTopic {
        fifo: name.ends_with(".fifo"),
        ..SnsTopic::default()
    };
    let described = read
        .read_optional(
            &["encryption", "policy"],
            "sns:GetTopicAttributes",
            &[],
            |c| {
                client
                    .get_topic_attributes()
                    .topic_arn(&arn)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .flatten();
    if let Some(out) = described {
        let get = |n: &str| out.attributes().and_then(|a| a.get(n)).cloned();
        if let Some(fifo) = get("FifoTopic") {
            attributes.fifo = fifo == "true";
        }
        // "KmsMasterKeyId – The ID of an Amazon Web Services managed customer master key
        // (CMK) for Amazon SNS or a custom CMK" (GetTopicAttributes); a topic without it
        // has server-side encryption off.
        attributes.encryption = Some(match get("KmsMasterKeyId").filter(|k| !k.is_empty()) {
            Some(key) => Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: Some(key),
            },
            None => Encryption::default(),
        });
        attributes.policy = get("Policy")
            .filter(|p| !p.is_empty())
            .map_or(serde_json::Value::Null, |p| policy_document(&p));
    }
    let tags = tags(&mut read, client, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::SnsTopic(attributes),
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

/// The topic's tags; empty and unread when the call failed.
async fn tags(read: &mut Groups<'_>, client: &Client, arn: &str) -> Tags {
    read.read("tags", "sns:ListTagsForResource", |c| {
        client
            .list_tags_for_resource()
            .resource_arn(arn)
            .customize()
            .interceptor(c)
            .send()
    })
    .await
    .map(|out| {
        out.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    })
    .unwrap_or_default()
}
