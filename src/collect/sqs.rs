//! SQS: every queue of the region with its encryption at rest (a KMS key, the keys SQS
//! owns, or none), its message retention and its access policy. Messages are never read.
//!
//! `ListQueues` gives only the queues' URLs; `GetQueueAttributes` (`All`) gives the rest,
//! `ListQueueTags` the tags.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::operation::list_queues::ListQueuesOutput;
use aws_sdk_sqs::types::QueueAttributeName;
use chrono::DateTime;
use futures::StreamExt;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::{Encryption, SqsQueue};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("sqs:ListQueues", "sqs:ListQueues"),
    ("sqs:GetQueueAttributes", "sqs:GetQueueAttributes"),
    ("sqs:ListQueueTags", "sqs:ListQueueTags"),
];

const TYPES: &[&str] = &["aws_sqs_queue"];

/// The largest page `ListQueues` gives. AWS returns a `NextToken` only when `MaxResults`
/// is set: "If you do not set MaxResults, the response includes a maximum of 1,000
/// results. If you set MaxResults and there are additional results to display, the
/// response includes a value for NextToken" (ListQueues, the SQS API reference). Without
/// it a region with more than 1,000 queues would be read in part without a word.
const PAGE: i32 = 1000;

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_sqs, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let urls = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "sqs:ListQueues", TYPES),
            |token, c| {
                client
                    .list_queues()
                    .max_results(PAGE)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListQueuesOutput| {
                (
                    out.queue_urls().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    futures::stream::iter(
        urls.into_iter()
            .map(|(url, listed)| queue(ctx, &client, url, listed)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// The queue's name and ARN from its URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`),
/// so a queue whose attributes could not be read is still named.
fn name_and_arn(url: &str, account: &str, region: &str) -> (String, String) {
    let mut segments = url.trim_end_matches('/').rsplit('/');
    let name = segments.next().unwrap_or(url).to_string();
    let owner = segments
        .next()
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(account);
    let arn = format!("arn:aws:sqs:{region}:{owner}:{name}");
    (name, arn)
}

/// One queue: its attributes and tags.
async fn queue(ctx: &ServiceCtx<'_>, client: &Client, url: String, listed: Provenance) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let (name, listed_arn) = name_and_arn(&url, account, region);
    let mut arn = listed_arn.clone();
    let mut read = Groups::listed(ctx.recorder, account, region, &listed_arn, listed);
    let mut attributes = SqsQueue {
        fifo: name.ends_with(".fifo"),
        ..SqsQueue::default()
    };
    let described = read
        .read_optional(
            &[
                "created",
                "encryption",
                "sqs_managed_sse",
                "message_retention_seconds",
                "policy",
            ],
            "sqs:GetQueueAttributes",
            &[],
            |c| {
                client
                    .get_queue_attributes()
                    .queue_url(&url)
                    .attribute_names(QueueAttributeName::All)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .flatten();
    if let Some(out) = described {
        let get = |n: QueueAttributeName| out.attributes().and_then(|a| a.get(&n)).cloned();
        if let Some(a) = get(QueueAttributeName::QueueArn) {
            arn = a;
        }
        // "CreatedTimestamp – Returns the time when the queue was created in seconds
        // (epoch time)" (GetQueueAttributes); a fraction, if any, is dropped.
        attributes.created = get(QueueAttributeName::CreatedTimestamp)
            .and_then(|s| s.split('.').next().and_then(|w| w.parse::<i64>().ok()))
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        attributes.fifo = get(QueueAttributeName::FifoQueue).as_deref() == Some("true");
        attributes.message_retention_seconds =
            get(QueueAttributeName::MessageRetentionPeriod).and_then(|s| s.parse().ok());
        attributes.sqs_managed_sse =
            get(QueueAttributeName::SqsManagedSseEnabled).as_deref() == Some("true");
        let key = get(QueueAttributeName::KmsMasterKeyId).filter(|k| !k.is_empty());
        attributes.encryption = Some(encryption(key, attributes.sqs_managed_sse));
        attributes.policy = get(QueueAttributeName::Policy)
            .filter(|p| !p.is_empty())
            .map_or(serde_json::Value::Null, |p| policy_document(&p));
    }
    let tags = tags(&mut read, client, &url).await;
    let (provenance, unread) = read.finish();
    // The id is the queue's name, unique in its account and region: its URL names the
    // endpoint it was read through, which is not a fact about the queue.
    resource(
        Attributes::SqsQueue(attributes),
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

/// The queue's encryption at rest: SSE-KMS with `KmsMasterKeyId` ("The ID of an AWS
/// managed customer master key (CMK) for Amazon SQS or a custom CMK"), SSE-SQS with
/// `SqsManagedSseEnabled` (keys SQS owns), or none (the SetQueueAttributes reference).
fn encryption(key: Option<String>, sqs_managed: bool) -> Encryption {
    match key {
        Some(key) => Encryption {
            enabled: true,
            algorithm: Some("aws:kms".into()),
            kms_key_arn: Some(key),
        },
        None if sqs_managed => Encryption {
            enabled: true,
            algorithm: Some("AES256".into()),
            kms_key_arn: None,
        },
        None => Encryption::default(),
    }
}

/// The queue's tags; empty and unread when the call failed.
async fn tags(read: &mut Groups<'_>, client: &Client, url: &str) -> Tags {
    read.read("tags", "sqs:ListQueueTags", |c| {
        client
            .list_queue_tags()
            .queue_url(url)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_is_named_from_its_url() {
        let (name, arn) = name_and_arn(
            "https://sqs.ap-southeast-2.amazonaws.com/111122223333/orders.fifo",
            "999999999999",
            "ap-southeast-2",
        );
        assert_eq!(name, "orders.fifo");
        assert_eq!(arn, "arn:aws:sqs:ap-southeast-2:111122223333:orders.fifo");
    }

    #[test]
    fn a_queue_without_key_or_sse_sqs_is_unencrypted() {
        assert!(!encryption(None, false).enabled);
        let sse_sqs = encryption(None, true);
        assert_eq!(
            (sse_sqs.enabled, sse_sqs.algorithm.as_deref()),
            (true, Some("AES256"))
        );
        let kms = encryption(Some("alias/aws/sqs".into()), false);
        assert_eq!(kms.kms_key_arn.as_deref(), Some("alias/aws/sqs"));
    }
}
