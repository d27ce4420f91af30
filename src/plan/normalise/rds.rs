//! RDS: `aws_db_instance` → `aws_rds_instance`.

use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use super::Drafts;
use super::ec2::{encryption, encryption_reason};
use crate::snapshot::Attributes;
use crate::snapshot::resources::{Encryption, RdsInstance};

/// Whether the instance is created from something that brings its own settings (a read
/// replica, a snapshot, a point in time, S3): then the API defaults of CreateDBInstance
/// do not apply.
fn restored(ctx: &Ctx, index: usize) -> bool {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    [
        "replicate_source_db",
        "snapshot_identifier",
        "restore_to_point_in_time",
        "s3_import",
    ]
    .iter()
    .any(
        |k| match ctx.config.resource(&p.address).and_then(|r| r.expressions) {
            // The configuration says whether it is set.
            Some(_) => !ctx.unset_in_config(p, k),
            None => match a.raw(k) {
                Field::Known(v) => !(v == "" || v.as_array().is_some_and(Vec::is_empty)),
                Field::Null => false,
                Field::Unknown => true,
            },
        },
    )
}

/// `replica_regions` and `backup_replication_regions` of an instance the plan creates: it
/// has no read replicas and no replicated backups of its own when created (each is made
/// by a later call, which a plan shows as a resource of its own: an `aws_db_instance`
/// with `replicate_source_db`, judged in its region, or an
/// `aws_db_instance_automated_backups_replication`); its one copy is its source when it
/// is a replica: "If the source DB instance is in a different Amazon Web Services
/// Region than the read replica, specify the source's ARN" (`replicate_source_db`,
/// CreateDBInstanceReadReplica `SourceDBInstanceIdentifier`). An existing instance may have
/// replicas the plan does not show: unknown.
fn replicas(
    ctx: &Ctx,
    index: usize,
    db: &mut RdsInstance,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let new = p.action == "create" || p.action == "replace";
    let not_shown = |what: &str| {
        format!(
            "the plan does not show the {what} of {}, which exists already: scan the account",
            p.address
        )
    };
    if !new {
        unknown.push(("replica_regions", not_shown("read replicas")));
        unknown.push((
            "backup_replication_regions",
            not_shown("automated backup replication"),
        ));
        return Ok(());
    }
    db.backup_replication_regions = Vec::new();
    match a.string("replicate_source_db")? {
        Field::Known(source) if !source.is_empty() => {
            match source.strip_prefix("arn:").map(|arn| arn.split(':').nth(2)) {
                Some(Some(region)) => db.replica_regions = vec![region.to_string()],
                Some(None) => unknown.push((
                    "replica_regions",
                    format!("{} names a source ARN without a region", p.address),
                )),
                None => match ctx.region_or_reason(p) {
                    Ok(region) => db.replica_regions = vec![region],
                    Err(reason) => unknown.push(("replica_regions", reason)),
                },
            }
        }
        Field::Unknown => {
            unknown.push(("replica_regions", a.unknown_reason("replicate_source_db")))
        }
        _ => db.replica_regions = Vec::new(),
    }
    Ok(())
}

/// The storage encryption of a planned DB instance or cluster (`storage_encrypted`,
/// `kms_key_id`), or why it is not known. Encrypted without a key, when the API's defaults
/// apply (`defaults_apply`: created, not restored from something that brings its own
/// settings): "If StorageEncrypted is enabled, and you do not specify a value for the
/// KmsKeyId parameter, then Amazon RDS uses your default KMS key" (CreateDBInstance,
/// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html;
/// CreateDBCluster says the same), which is the AWS managed key `aws/rds` of the account
/// and region: "By default, the RDS AWS managed key (`aws/rds`) is used for encryption"
/// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html).
pub(super) fn storage_encryption(
    ctx: &Ctx,
    index: usize,
    drafts: &mut Drafts,
    defaults_apply: bool,
) -> Result<Result<Encryption, String>, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    Ok(
        match encryption(ctx, p, &a, "storage_encrypted", "kms_key_id")? {
            Field::Known(e) => Ok(e),
            _ if defaults_apply
                && a.bool("storage_encrypted")?.known() == Some(true)
                && ctx.unset_in_config(p, "kms_key_id") =>
            {
                let key = super::kms::aws_managed(ctx, index, "rds", drafts)?;
                Ok(Encryption {
                    enabled: true,
                    algorithm: Some("aws:kms".into()),
                    kms_key_arn: Some(key),
                })
            }
            _ => Err(encryption_reason(
                &a,
                "storage_encrypted",
                "kms_key_id",
                "RDS",
            )?),
        },
    )
}

/// The days a planned DB instance or cluster keeps its automated backups, or why it is not
/// known. Unset when the API's defaults apply: "Default: 1" (BackupRetentionPeriod,
/// CreateDBInstance and CreateDBCluster,
/// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
pub(super) fn backup_retention_days(
    ctx: &Ctx,
    index: usize,
    defaults_apply: bool,
) -> Result<Result<i64, String>, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    Ok(match a.int("backup_retention_period")? {
        Field::Known(days) => Ok(days),
        _ if defaults_apply && ctx.unset_in_config(p, "backup_retention_period") => Ok(1),
        _ => Err(a.unknown_reason("backup_retention_period")),
    })
}

pub fn instance(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut db = RdsInstance::default();
    match a.string("engine")? {
        Field::Known(e) => db.engine = e,
        _ => unknown.push(("engine", a.unknown_reason("engine"))),
    }
    match a.string("instance_class")? {
        Field::Known(c) => db.instance_class = c,
        _ => unknown.push(("instance_class", a.unknown_reason("instance_class"))),
    }
    unknown.push((
        "status",
        format!("the status of {} is known after apply", p.address),
    ));
    let new = p.action == "create" || p.action == "replace";
    let defaults_apply = new && !restored(ctx, index);
    match storage_encryption(ctx, index, drafts, defaults_apply)? {
        Ok(e) => db.encryption = Some(e),
        Err(reason) => unknown.push(("encryption", reason)),
    }
    match backup_retention_days(ctx, index, defaults_apply)? {
        Ok(days) => db.backup_retention_days = days,
        Err(reason) => unknown.push(("backup_retention_days", reason)),
    }
    // These three are off unless set (the provider's defaults).
    let flag =
        |k: &str| -> Result<Field<bool>, PlanError> { Ok(a.bool(k)?.or_default_when_null(false)) };
    for (group, key, slot) in [
        (
            "publicly_accessible",
            "publicly_accessible",
            &mut db.publicly_accessible,
        ),
        ("multi_az", "multi_az", &mut db.multi_az),
        (
            "deletion_protection",
            "deletion_protection",
            &mut db.deletion_protection,
        ),
    ] {
        match flag(key)? {
            Field::Known(v) => *slot = v,
            _ => unknown.push((group, a.unknown_reason(key))),
        }
    }
    replicas(ctx, index, &mut db, &mut unknown)?;
    // When the instance was created and the window its backups and transaction logs can
    // restore exist only once it runs: no plan shows them.
    for group in [
        "created",
        "latest_restorable_time",
        "earliest_restorable_time",
    ] {
        unknown.push((
            group,
            format!(
                "the plan does not show the backups of {}: scan the account",
                p.address
            ),
        ));
    }
    let name = a.string("identifier")?.known();
    let mut draft = ctx.draft(index, Attributes::RdsInstance(db), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}
