//! Queues, topics and streams: `aws_sqs_queue` → `aws_sqs_queue`, `aws_sns_topic` →
//! `aws_sns_topic` (their KMS key and access policy, completed by `aws_sqs_queue_policy`
//! and `aws_sns_topic_policy`), `aws_kinesis_stream` → `aws_kinesis_stream` (its key and
//! retention).

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::{Encryption, KinesisStream, SnsTopic, SqsQueue};

/// The KMS key `key` names: a planned key's placeholder, a data source's ARN, the AWS
/// managed key of `service` for its alias `alias/aws/<service>` (made a placeholder key
/// as for DynamoDB), or the text as written; `Null` when the key is not set.
pub fn key(
    ctx: &Ctx,
    p: &Planned,
    a: &Attrs,
    key: &str,
    service: &str,
    index: usize,
    drafts: &mut Drafts,
) -> Result<Field<String>, PlanError> {
    Ok(match ctx.arn_ref(a, p, key)? {
        Field::Known(k) if k == format!("alias/aws/{service}") => {
            Field::Known(super::kms::aws_managed(ctx, index, service, drafts)?)
        }
        other => other,
    })
}

/// A resource policy as the snapshot states it: the document when the plan knows it;
/// null when the configuration does not set `policy` (no policy from this configuration;
/// an attached policy resource in the plan completes it); unknown otherwise.
pub fn policy(a: &Attrs, key: &str) -> Result<Result<serde_json::Value, String>, PlanError> {
    Ok(match a.string(key)? {
        Field::Known(text) if !text.is_empty() => Ok(policy_document(&text)),
        Field::Known(_) | Field::Null => Ok(serde_json::Value::Null),
        Field::Unknown if a.expression(key).is_none() => Ok(serde_json::Value::Null),
        Field::Unknown => Err(a.unknown_reason(key)),
    })
}

fn kms(arn: String) -> Encryption {
    Encryption {
        enabled: true,
        algorithm: Some("aws:kms".into()),
        kms_key_arn: Some(arn),
    }
}

pub fn queue(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = vec![(
        "created",
        format!("the creation time of {} is known after apply", p.address),
    )];
    let mut queue = SqsQueue::default();
    match a.bool("fifo_queue")?.or_default_when_null(false) {
        Field::Known(v) => queue.fifo = v,
        _ => unknown.push(("fifo", a.unknown_reason("fifo_queue"))),
    }
    // SSE-SQS and a KMS key exclude each other (the provider's `sqs_managed_sse_enabled`
    // "Conflicts with kms_master_key_id"); without either the plan may leave SSE-SQS
    // to AWS after apply, which is then unknown, never assumed.
    let sse = a.bool("sqs_managed_sse_enabled")?;
    match key(ctx, p, &a, "kms_master_key_id", "sqs", index, drafts)? {
        Field::Known(k) => queue.encryption = Some(kms(k)),
        Field::Null => match sse {
            Field::Known(true) => {
                queue.sqs_managed_sse = true;
                queue.encryption = Some(Encryption {
                    enabled: true,
                    algorithm: Some("AES256".into()),
                    kms_key_arn: None,
                });
            }
            Field::Known(false) => queue.encryption = Some(Encryption::default()),
            Field::Null | Field::Unknown => {
                let reason = a.unknown_reason("sqs_managed_sse_enabled");
                unknown.push(("encryption", reason.clone()));
                unknown.push(("sqs_managed_sse", reason));
            }
        },
        Field::Unknown => {
            unknown.push(("encryption", a.unknown_reason("kms_master_key_id")));
            if !matches!(sse, Field::Known(_)) {
                unknown.push((
                    "sqs_managed_sse",
                    a.unknown_reason("sqs_managed_sse_enabled"),
                ));
            }
        }
    }
    // The provider's and CreateQueue's default: 345,600 seconds (four days).
    match a
        .int("message_retention_seconds")?
        .or_default_when_null(345_600)
    {
        Field::Known(s) => queue.message_retention_seconds = Some(s),
        _ => unknown.push((
            "message_retention_seconds",
            a.unknown_reason("message_retention_seconds"),
        )),
    }
    match policy(&a, "policy")? {
        Ok(doc) => queue.policy = doc,
        Err(reason) => unknown.push(("policy", reason)),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::SqsQueue(queue), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

pub fn topic(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut topic = SnsTopic::default();
    match a.bool("fifo_topic")?.or_default_when_null(false) {
        Field::Known(v) => topic.fifo = v,
        _ => unknown.push(("fifo", a.unknown_reason("fifo_topic"))),
    }
    // Without `kms_master_key_id` server-side encryption is off (CreateTopic sets no key).
    match key(ctx, p, &a, "kms_master_key_id", "sns", index, drafts)? {
        Field::Known(k) => topic.encryption = Some(kms(k)),
        Field::Null => topic.encryption = Some(Encryption::default()),
        Field::Unknown => unknown.push(("encryption", a.unknown_reason("kms_master_key_id"))),
    }
    // Unset, AWS gives the topic its default policy, which grants only the topic's owner
    // (a statement for everyone confined by `AWS:SourceOwner`): null says no policy from
    // this configuration.
    match policy(&a, "policy")? {
        Ok(doc) => topic.policy = doc,
        Err(reason) => unknown.push(("policy", reason)),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::SnsTopic(topic), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// `aws_sqs_queue_policy` / `aws_sns_topic_policy`: the policy of a queue or topic in the
/// plan. One whose queue or topic is managed elsewhere only leaves a note: the resource
/// it completes is not in the plan.
pub fn attached_policy(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let (key, parent, label) = match p.type_name.as_str() {
        "aws_sqs_queue_policy" => ("queue_url", "aws_sqs_queue", "SQS queue"),
        _ => ("arn", "aws_sns_topic", "SNS topic"),
    };
    let Some(target) = ctx.target(&a, p, key, &[parent]) else {
        drafts.outside(
            ctx,
            index,
            key,
            label,
            "its policy is not judged: the queue or topic is not in the plan",
        );
        return Ok(());
    };
    let document = policy(&a, "policy")?;
    if let Some(draft) = drafts.of_mut(target) {
        match document {
            Ok(doc) => {
                match &mut draft.resource.attributes {
                    Attributes::SqsQueue(q) => q.policy = doc,
                    Attributes::SnsTopic(t) => t.policy = doc,
                    _ => {}
                }
                draft.known("policy");
                draft.cite("policy", p, ctx.collected_at);
            }
            Err(reason) => draft.unknown("policy", reason),
        }
    }
    Ok(())
}

pub fn stream(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    for (group, what) in [
        ("status", "status"),
        ("created", "creation time"),
        ("open_shards", "open shard count"),
    ] {
        unknown.push((
            group,
            format!("the {what} of {} is known after apply", p.address),
        ));
    }
    let mut stream = KinesisStream::default();
    // The provider's default `encryption_type` is NONE.
    match a
        .string("encryption_type")?
        .or_default_when_null("NONE".into())
    {
        Field::Known(t) if t == "KMS" => {
            match key(ctx, p, &a, "kms_key_id", "kinesis", index, drafts)? {
                Field::Known(k) => stream.encryption = Some(kms(k)),
                Field::Null => {
                    unknown.push(("encryption", a.unknown_reason("kms_key_id")));
                }
                Field::Unknown => unknown.push(("encryption", a.unknown_reason("kms_key_id"))),
            }
        }
        Field::Known(_) => stream.encryption = Some(Encryption::default()),
        _ => unknown.push(("encryption", a.unknown_reason("encryption_type"))),
    }
    // The provider's and AWS's default retention: 24 hours.
    match a.int("retention_period")?.or_default_when_null(24) {
        Field::Known(h) => stream.retention_hours = Some(h),
        _ => unknown.push(("retention_hours", a.unknown_reason("retention_period"))),
    }
    match a.block("stream_mode_details")? {
        Field::Known(Some(b)) => match b.string("stream_mode")? {
            Field::Known(m) => stream.stream_mode = Some(m),
            _ => unknown.push(("stream_mode", b.unknown_reason("stream_mode"))),
        },
        // Without the block the stream is provisioned (`shard_count` is required then).
        Field::Known(None) | Field::Null => stream.stream_mode = Some("PROVISIONED".into()),
        Field::Unknown => unknown.push(("stream_mode", a.unknown_reason("stream_mode_details"))),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::KinesisStream(stream), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}
