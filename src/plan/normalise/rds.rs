//! RDS: `aws_db_instance` → `aws_rds_instance`.

use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use super::ec2::{encryption, encryption_reason};
use crate::snapshot::Attributes;
use crate::snapshot::resources::RdsInstance;

pub fn instance(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
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
    match encryption(ctx, p, &a, "storage_encrypted", "kms_key_id")? {
        Field::Known(e) => db.encryption = Some(e),
        _ => unknown.push((
            "encryption",
            encryption_reason(&a, "storage_encrypted", "kms_key_id", "RDS")?,
        )),
    }
    match a.int("backup_retention_period")? {
        Field::Known(days) => db.backup_retention_days = days,
        _ => unknown.push((
            "backup_retention_days",
            a.unknown_reason("backup_retention_period"),
        )),
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
    let name = a.string("identifier")?.known();
    let mut draft = ctx.draft(index, Attributes::RdsInstance(db), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}
