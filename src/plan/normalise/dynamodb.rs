//! DynamoDB: `aws_dynamodb_table` → `aws_dynamodb_table`, with its encryption at rest,
//! point-in-time recovery and global-table replica regions (inline `replica` blocks and
//! `aws_dynamodb_table_replica`, whose table may be managed elsewhere).

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{DynamodbTable, Encryption};

/// A table's key as the snapshot states it: DynamoDB encrypts every table, with a key AWS
/// owns unless `SSESpecification.Enabled` is true: "If enabled (true), server-side
/// encryption type is set to KMS and an AWS managed key is used [...]. If disabled (false)
/// or not specified, server-side encryption is set to AWS owned key"
/// (<https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSESpecification.html>).
fn aws_owned() -> (Encryption, Option<String>) {
    (
        Encryption {
            enabled: true,
            algorithm: Some("AES256".into()),
            kms_key_arn: None,
        },
        None,
    )
}

/// The encryption of the table from its `server_side_encryption` block, with the SSE type;
/// `Err` with the reason when the plan does not show it.
fn encryption(
    ctx: &Ctx,
    p: &Planned,
    a: &Attrs,
    index: usize,
    drafts: &mut Drafts,
) -> Result<Result<(Encryption, Option<String>), String>, PlanError> {
    let sse = match a.block("server_side_encryption")? {
        Field::Known(Some(b)) => b,
        Field::Known(None) | Field::Null => return Ok(Ok(aws_owned())),
        Field::Unknown => return Ok(Err(a.unknown_reason("server_side_encryption"))),
    };
    match sse.bool("enabled")? {
        Field::Known(false) | Field::Null => return Ok(Ok(aws_owned())),
        Field::Unknown => return Ok(Err(sse.unknown_reason("enabled"))),
        Field::Known(true) => {}
    }
    let kms = |arn: String| {
        Ok(Ok((
            Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: Some(arn),
            },
            Some("KMS".to_string()),
        )))
    };
    // The provider leaves `kms_key_arn` empty for the AWS managed key `aws/dynamodb`
    // ("This attribute will not be populated with the ARN of default keys"), and computes
    // it, so a new table's is unknown in the plan even when the configuration does not
    // set it: then only the configuration tells the AWS managed key from a customer one.
    let configured = ctx
        .config
        .resource(&p.address)
        .and_then(|r| r.expressions)
        .is_some();
    match ctx.arn_ref(&sse, p, "kms_key_arn")? {
        Field::Known(arn) => kms(arn),
        Field::Null => kms(super::kms::aws_managed(ctx, index, "dynamodb", drafts)?),
        Field::Unknown if configured && sse.expression("kms_key_arn").is_none() => {
            kms(super::kms::aws_managed(ctx, index, "dynamodb", drafts)?)
        }
        Field::Unknown => Ok(Err(sse.unknown_reason("kms_key_arn"))),
    }
}

pub fn table(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut table = DynamodbTable::default();
    unknown.push((
        "status",
        format!("the status of {} is known after apply", p.address),
    ));
    // Backups are taken after apply: a plan never shows them.
    for group in ["on_demand_backups", "latest_on_demand_backup"] {
        unknown.push((
            group,
            format!(
                "on-demand backups of {} are taken after apply: a plan does not show them",
                p.address
            ),
        ));
    }
    // The provider's default billing mode is PROVISIONED.
    match a
        .string("billing_mode")?
        .or_default_when_null("PROVISIONED".into())
    {
        Field::Known(m) => table.billing_mode = Some(m),
        _ => unknown.push(("billing_mode", a.unknown_reason("billing_mode"))),
    }
    match a
        .bool("deletion_protection_enabled")?
        .or_default_when_null(false)
    {
        Field::Known(v) => table.deletion_protection = v,
        _ => unknown.push((
            "deletion_protection",
            a.unknown_reason("deletion_protection_enabled"),
        )),
    }
    match encryption(ctx, p, &a, index, drafts)? {
        Ok((e, sse_type)) => {
            table.encryption = Some(e);
            table.sse_type = sse_type;
        }
        Err(reason) => {
            unknown.push(("encryption", reason.clone()));
            unknown.push(("sse_type", reason));
        }
    }
    // Without the block, point-in-time recovery is off (the provider's default, and
    // CreateTable's: it is turned on with UpdateContinuousBackups).
    match a.block("point_in_time_recovery")? {
        Field::Known(Some(b)) => {
            match b.bool("enabled")?.or_default_when_null(false) {
                Field::Known(v) => table.point_in_time_recovery = Some(v),
                _ => unknown.push(("point_in_time_recovery", b.unknown_reason("enabled"))),
            }
            match b.int("recovery_period_in_days")? {
                Field::Known(d) => table.recovery_period_days = Some(d),
                Field::Null => {}
                Field::Unknown => unknown.push((
                    "recovery_period_days",
                    b.unknown_reason("recovery_period_in_days"),
                )),
            }
        }
        Field::Known(None) | Field::Null => table.point_in_time_recovery = Some(false),
        Field::Unknown => unknown.push((
            "point_in_time_recovery",
            a.unknown_reason("point_in_time_recovery"),
        )),
    }
    match a.blocks("replica")? {
        Field::Known(blocks) => {
            for b in &blocks {
                match b.string("region_name")? {
                    Field::Known(r) => table.replica_regions.push(r),
                    _ => unknown.push(("replica_regions", b.unknown_reason("region_name"))),
                }
            }
        }
        Field::Null => {}
        Field::Unknown => unknown.push(("replica_regions", a.unknown_reason("replica"))),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::DynamodbTable(table), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// `aws_dynamodb_table_replica`: a replica of a global table in the replica resource's
/// own region. Its table (`global_table_arn`) is completed when it is in the plan; when it
/// is managed elsewhere the replica is a placeholder table of its own, named after the
/// change, whose only known fact is the replica region, and the note says so.
pub fn replica(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let region = ctx.region_or_reason(p);
    if let Some(target) = ctx.target(&a, p, "global_table_arn", &["aws_dynamodb_table"])
        && let Some(draft) = drafts.of_mut(target)
        && let Attributes::DynamodbTable(t) = &mut draft.resource.attributes
    {
        match region {
            Ok(r) => {
                if !t.replica_regions.contains(&r) {
                    t.replica_regions.push(r);
                }
                draft.cite("replica_regions", p, ctx.collected_at);
            }
            Err(reason) => draft.unknown("replica_regions", reason),
        }
        return Ok(());
    }
    drafts.outside(
        ctx,
        index,
        "global_table_arn",
        "DynamoDB table",
        "the replica's region is judged on a placeholder table named after this change; the table's own region, encryption and recovery settings are UNKNOWN",
    );
    let parent = ctx.outside_parent(&a, p, "global_table_arn", "DynamoDB table");
    let outside = format!("{} is outside the plan", parent.label);
    let mut table = DynamodbTable::default();
    let mut draft = ctx.draft(
        index,
        Attributes::DynamodbTable(DynamodbTable::default()),
        Some(format!("{} (outside the plan)", parent.label)),
        false,
    )?;
    for group in [
        "status",
        "billing_mode",
        "deletion_protection",
        "encryption",
        "sse_type",
        "point_in_time_recovery",
        "recovery_period_days",
        "on_demand_backups",
        "latest_on_demand_backup",
    ] {
        draft.unknown(group, format!("{outside}: its {group} is not in the plan"));
    }
    // The table's own region is not the replica's.
    draft.known("region");
    draft.resource.region = "unknown".into();
    draft.unknown(
        "region",
        format!("{outside}: its region is not in the plan"),
    );
    match region {
        Ok(r) => table.replica_regions.push(r),
        Err(reason) => draft.unknown("replica_regions", reason),
    }
    draft.resource.attributes = Attributes::DynamodbTable(table);
    drafts.push_extra(draft);
    Ok(())
}
