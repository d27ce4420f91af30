//! CloudWatch Logs: `aws_cloudwatch_log_group` → `aws_cloudwatch_log_group`, with its KMS
//! key and retention.

use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{Encryption, LogGroup};

pub fn log_group(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut group = LogGroup::default();
    for (g, why) in [
        ("created", "is known after apply"),
        ("stored_bytes", "is what the group holds after apply"),
    ] {
        unknown.push((g, format!("the {g} of {} {why}", p.address)));
    }
    // CloudWatch Logs always encrypts log data: without `kms_key_id` with a key the
    // service owns ("Log group data is always encrypted in CloudWatch Logs. By default,
    // CloudWatch Logs uses server-side encryption", the CloudWatch Logs user guide,
    // "Encrypt log data in CloudWatch Logs using AWS Key Management Service").
    match ctx.arn_ref(&a, p, "kms_key_id")? {
        Field::Known(arn) => {
            group.encryption = Some(Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: Some(arn),
            })
        }
        Field::Null => {
            group.encryption = Some(Encryption {
                enabled: true,
                algorithm: Some("AES256".into()),
                kms_key_arn: None,
            })
        }
        Field::Unknown => unknown.push(("encryption", a.unknown_reason("kms_key_id"))),
    }
    // `retention_in_days` 0 (the provider's default) or unset keeps events forever, which
    // the snapshot states as null, as `DescribeLogGroups` does ("If you select 0, the
    // events in the log group are always retained and never expire", the provider's
    // documentation of `aws_cloudwatch_log_group`).
    match a.int("retention_in_days")? {
        Field::Known(0) | Field::Null => group.retention_days = None,
        Field::Known(d) => group.retention_days = Some(d),
        Field::Unknown => unknown.push(("retention_days", a.unknown_reason("retention_in_days"))),
    }
    // The class defaults to STANDARD (CreateLogGroup: "If you omit this parameter, the
    // default of STANDARD is used").
    match a
        .nonempty_string("log_group_class")?
        .or_default_when_null("STANDARD".into())
    {
        Field::Known(c) => group.log_group_class = Some(c),
        _ => unknown.push(("log_group_class", a.unknown_reason("log_group_class"))),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::LogGroup(group), name, false)?;
    for (g, reason) in unknown {
        draft.unknown(g, reason);
    }
    Ok(draft)
}
