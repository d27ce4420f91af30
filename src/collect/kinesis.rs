//! Kinesis Data Streams: every stream of the region with its encryption at rest (a KMS
//! key or none) and how long it keeps records. Records are never read.
//!
//! `ListStreams` names the streams; `DescribeStreamSummary` gives the rest,
//! `ListTagsForStream` the tags.

use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::operation::list_streams::ListStreamsOutput;
use aws_sdk_kinesis::operation::list_tags_for_stream::ListTagsForStreamOutput;
use aws_sdk_kinesis::types::EncryptionType;
use futures::StreamExt;

use super::read::{Groups, Paging, next_marker};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{Encryption, KinesisStream};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("kinesis:ListStreams", "kinesis:ListStreams"),
    (
        "kinesis:DescribeStreamSummary",
        "kinesis:DescribeStreamSummary",
    ),
    ("kinesis:ListTagsForStream", "kinesis:ListTagsForStream"),
];

const TYPES: &[&str] = &["aws_kinesis_stream"];

/// Where the next page of `ListStreams` starts: its `NextToken`, or, where an answer says
/// `HasMoreStreams` without a token, after its last stream (`ExclusiveStartStreamName`,
/// "The name of the stream to start the list with", the ListStreams reference). Kept as one
/// string for [`Recorder::pages`](super::recorder::Recorder::pages).
enum Next<'a> {
    Token(&'a str),
    After(&'a str),
}

impl<'a> Next<'a> {
    fn of(more: bool, token: Option<&str>, last: Option<&str>) -> Option<String> {
        if !more {
            return None;
        }
        token
            .map(|t| format!("token:{t}"))
            .or_else(|| last.map(|n| format!("after:{n}")))
    }

    fn parse(text: &'a str) -> Next<'a> {
        match text.strip_prefix("after:") {
            Some(name) => Next::After(name),
            None => Next::Token(text.strip_prefix("token:").unwrap_or(text)),
        }
    }
}

/// A listed stream: its name and ARN.
struct Listed {
    name: String,
    arn: String,
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_kinesis, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let streams = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "kinesis:ListStreams", TYPES),
            |next, c| {
                let next = next.as_deref().map(Next::parse);
                let (token, after) = match next {
                    Some(Next::Token(t)) => (Some(t.to_string()), None),
                    Some(Next::After(n)) => (None, Some(n.to_string())),
                    None => (None, None),
                };
                client
                    .list_streams()
                    .set_next_token(token)
                    .set_exclusive_start_stream_name(after)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListStreamsOutput| {
                // `StreamSummaries` carries each stream's ARN; `StreamNames` alone (older
                // answers) gives the ARN from the name ("arn:aws:kinesis:<region>:
                // <account>:stream/<name>", the Kinesis developer guide's ARN format).
                let listed: Vec<Listed> = if out.stream_summaries().is_empty() {
                    out.stream_names()
                        .iter()
                        .map(|name| Listed {
                            name: name.clone(),
                            arn: format!("arn:aws:kinesis:{region}:{account}:stream/{name}"),
                        })
                        .collect()
                } else {
                    out.stream_summaries()
                        .iter()
                        .map(|s| Listed {
                            name: s.stream_name().to_string(),
                            arn: s.stream_arn().to_string(),
                        })
                        .collect()
                };
                let next = Next::of(
                    out.has_more_streams(),
                    out.next_token(),
                    listed.last().map(|l: &Listed| l.name.as_str()),
                );
                (listed, next)
            },
        )
        .await
        .items;
    futures::stream::iter(
        streams
            .into_iter()
            .map(|(s, listed)| stream(ctx, &client, s, listed)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// One stream: its summary and tags.
async fn stream(ctx: &ServiceCtx<'_>, client: &Client, s: Listed, listed: Provenance) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let Listed { name, arn } = s;
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let mut attributes = KinesisStream::default();
    let described = read
        .read_optional(
            &[
                "status",
                "created",
                "stream_mode",
                "encryption",
                "retention_hours",
                "open_shards",
            ],
            "kinesis:DescribeStreamSummary",
            &[],
            |c| {
                client
                    .describe_stream_summary()
                    .stream_name(&name)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .flatten();
    if let Some(d) = described
        .as_ref()
        .and_then(|o| o.stream_description_summary())
    {
        attributes.status = Some(d.stream_status().as_str().to_string());
        attributes.created = Some(d.stream_creation_timestamp().to_string());
        attributes.stream_mode = d
            .stream_mode_details()
            .map(|m| m.stream_mode().as_str().to_string());
        attributes.retention_hours = Some(i64::from(d.retention_period_hours()));
        attributes.open_shards = Some(i64::from(d.open_shard_count()));
        // "EncryptionType: The encryption type used. This value is one of the following:
        // KMS, NONE"; "KeyId: The GUID for the customer-managed Amazon Web Services KMS
        // key to use for encryption. This value can be a globally unique identifier, a
        // fully specified ARN to either an alias or a key, or an alias name prefixed by
        // 'alias/'" (the `StreamDescriptionSummary` data type).
        attributes.encryption = Some(match d.encryption_type() {
            Some(EncryptionType::Kms) => Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: d.key_id().map(str::to_string),
            },
            _ => Encryption::default(),
        });
    }
    let tags = tags(ctx, &mut read, client, &name, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::KinesisStream(attributes),
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

/// The stream's tags, every page (`HasMoreTags`, the next page starting after the last
/// key); empty and unread when a page failed.
async fn tags(
    ctx: &ServiceCtx<'_>,
    read: &mut Groups<'_>,
    client: &Client,
    name: &str,
    arn: &str,
) -> Tags {
    let pages = ctx
        .recorder
        .pages(
            Paging::of(ctx.account, ctx.region, "kinesis:ListTagsForStream", arn),
            |start, c| {
                client
                    .list_tags_for_stream()
                    .stream_name(name)
                    .set_exclusive_start_tag_key(start)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListTagsForStreamOutput| {
                let last = out.tags().last().map(|t| t.key());
                (out.tags().to_vec(), next_marker(last, out.has_more_tags()))
            },
        )
        .await;
    read.paged("tags", pages)
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            (
                t.key().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_more_streams_continues_by_token_or_after_its_last_name() {
        assert_eq!(Next::of(false, Some("t"), Some("b")), None);
        let by_token = Next::of(true, Some("t"), Some("b")).unwrap();
        assert!(matches!(Next::parse(&by_token), Next::Token("t")));
        let by_name = Next::of(true, None, Some("b")).unwrap();
        assert!(matches!(Next::parse(&by_name), Next::After("b")));
    }
}
