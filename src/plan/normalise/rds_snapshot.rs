//! RDS snapshots: `aws_db_snapshot` and `aws_db_snapshot_copy` → `aws_rds_snapshot`,
//! `aws_db_cluster_snapshot` → `aws_rds_cluster_snapshot`, with who each is shared with
//! (`shared_accounts`; `all` is everyone, as in the `restore` attribute the live
//! collector reads).
//!
//! A plan shows the snapshots Terraform takes, not those AWS and backups take after apply
//! (see `rules::on_plan`).

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned};
use super::super::error::PlanError;
use super::Drafts;
use super::ebs_snapshot::draft_encryption;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{Encryption, RdsClusterSnapshot, RdsSnapshot};

/// The Terraform types that make a DB snapshot.
pub const SNAPSHOT_TYPES: &[&str] = &["aws_db_snapshot", "aws_db_snapshot_copy"];

/// What Terraform makes is a manual snapshot: "DB snapshots that you create manually"
/// (CreateDBSnapshot, CopyDBSnapshot, CreateDBClusterSnapshot), as against `automated`
/// and `awsbackup` ones (the DBSnapshot data type, `SnapshotType`).
const MANUAL: &str = "manual";

/// `shared_accounts`: the accounts the snapshot's `restore` attribute will hold after
/// apply. The argument is optional and not computed, so left unset it is none: the
/// provider removes accounts the configuration does not list.
fn shared_with(
    a: &Attrs,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<Vec<String>, PlanError> {
    Ok(match a.strings("shared_accounts")? {
        Field::Known(mut accounts) => {
            accounts.sort();
            accounts.dedup();
            accounts
        }
        Field::Null => Vec::new(),
        Field::Unknown => {
            unknown.push(("shared_with", a.unknown_reason("shared_accounts")));
            Vec::new()
        }
    })
}

/// `encrypted`/`storage_encrypted` with `kms_key_id` as the plan shows them: both are
/// computed, so known for a snapshot that exists already and after apply for a new one.
fn shown_encryption(
    ctx: &Ctx,
    p: &Planned,
    a: &Attrs,
    flag: &str,
) -> Result<Field<Encryption>, PlanError> {
    super::ec2::encryption(ctx, p, a, flag, "kms_key_id")
}

/// The region of an RDS ARN (`arn:aws:rds:<region>:<account>:snapshot:<id>`).
fn arn_region(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|r| !r.is_empty())
}

/// A snapshot of an instance has the instance's encryption: for an encrypted instance,
/// "data that is encrypted at rest includes the underlying storage for DB instances, its
/// automated backups, read replicas, and snapshots", under the instance's KMS key
/// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html); a
/// snapshot of an unencrypted instance is unencrypted.
fn of_instance(
    ctx: &Ctx,
    index: usize,
    drafts: &Drafts,
    db: &mut RdsSnapshot,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let instance = ctx
        .target(&a, p, "db_instance_identifier", &["aws_db_instance"])
        .and_then(|t| drafts.of(t));
    match (instance, a.string("db_instance_identifier")?) {
        (_, Field::Known(id)) => db.db_instance_id = id,
        (Some(i), _) if i.resource.name != i.resource.id => {
            db.db_instance_id = i.resource.name.clone()
        }
        _ => unknown.push(("db_instance_id", a.unknown_reason("db_instance_identifier"))),
    }
    // Only a copy has a source ("It only has a value in the case of a cross-account or
    // cross-Region copy", the DBSnapshot data type).
    db.source_snapshot = None;
    match a.nonempty_string("source_region")? {
        Field::Known(r) => db.source_region = Some(r),
        _ => unknown.push(("source_region", a.unknown_reason("source_region"))),
    }
    match shown_encryption(ctx, p, &a, "encrypted")? {
        Field::Known(e) => db.encryption = Some(e),
        _ => match instance {
            Some(i) => match draft_encryption(i) {
                Ok(Some(e)) => db.encryption = Some(e),
                Ok(None) => unknown.push((
                    "encryption",
                    format!(
                        "{} has the encryption of its instance {}, which the plan does not show",
                        p.address, i.resource.id
                    ),
                )),
                Err(reason) => unknown.push((
                    "encryption",
                    format!(
                        "{} has the encryption of its instance {}, which is not known: {reason}",
                        p.address, i.resource.id
                    ),
                )),
            },
            None => {
                let parent = ctx.outside_parent(&a, p, "db_instance_identifier", "DB instance");
                unknown.push((
                    "encryption",
                    format!(
                        "{} has the encryption of its {}, which is outside the plan",
                        p.address, parent.label
                    ),
                ));
            }
        },
    }
    Ok(())
}

/// A copy: encrypted with `kms_key_id` when it is set ("If you specify this parameter
/// when you copy an unencrypted snapshot, the copy is encrypted"), otherwise as its
/// source ("If you don't specify a value for KmsKeyId, then the copy of the DB snapshot
/// is encrypted with the same Amazon Web Services KMS key as the source DB snapshot",
/// CopyDBSnapshot, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBSnapshot.html).
/// Its region is its provider's: `destination_region` only signs the request.
fn copy(
    ctx: &Ctx,
    index: usize,
    drafts: &Drafts,
    db: &mut RdsSnapshot,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let source = ctx
        .target(&a, p, "source_db_snapshot_identifier", SNAPSHOT_TYPES)
        .and_then(|t| drafts.of(t));
    let here = ctx.region(p);
    match (source, a.string("source_db_snapshot_identifier")?) {
        (Some(s), _) => {
            if let Attributes::RdsSnapshot(src) = &s.resource.attributes
                && !s
                    .resource
                    .unknown
                    .iter()
                    .any(|u| u.group == "db_instance_id")
            {
                db.db_instance_id = src.db_instance_id.clone();
            } else {
                unknown.push((
                    "db_instance_id",
                    format!("the instance of {}'s source is not known", p.address),
                ));
            }
            // A copy within the region names its source by identifier, and AWS then
            // records no source.
            match (s.resource.region.as_str(), here.as_deref()) {
                ("unknown", _) | (_, None) => {
                    let reason = format!(
                        "whether {} copies {} across regions is not in the plan: a region is not known",
                        p.address, s.resource.id
                    );
                    unknown.push(("source_snapshot", reason.clone()));
                    unknown.push(("source_region", reason));
                }
                (from, Some(to)) if from != to => {
                    db.source_snapshot = Some(s.resource.arn.clone());
                    db.source_region = Some(from.to_string());
                }
                _ => unknown.push(("source_region", a.unknown_reason("source_region"))),
            }
        }
        (None, Field::Known(id)) => {
            unknown.push((
                "db_instance_id",
                format!(
                    "{} copies `{id}`, which is outside the plan: the instance it was taken of is not in the plan",
                    p.address
                ),
            ));
            // "If you are copying from a shared manual DB snapshot, this parameter must be
            // the Amazon Resource Name (ARN)", and so must a snapshot of another region
            // (CopyDBSnapshot `SourceDBSnapshotIdentifier`).
            match arn_region(&id) {
                Some(region) => {
                    db.source_region = Some(region.to_string());
                    db.source_snapshot = Some(ctx.arn_ref_value(&id));
                }
                None => unknown.push(("source_region", a.unknown_reason("source_region"))),
            }
        }
        (None, _) => {
            let reason = a.unknown_reason("source_db_snapshot_identifier");
            for group in ["db_instance_id", "source_snapshot", "source_region"] {
                unknown.push((group, reason.clone()));
            }
        }
    }
    match ctx.arn_ref(&a, p, "kms_key_id")? {
        Field::Known(key) => {
            db.encryption = Some(Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: Some(key),
            })
        }
        Field::Unknown => unknown.push(("encryption", a.unknown_reason("kms_key_id"))),
        Field::Null => match source {
            Some(s) => match draft_encryption(s) {
                Ok(Some(e)) => db.encryption = Some(e),
                Ok(None) | Err(_) => unknown.push((
                    "encryption",
                    format!(
                        "{} keeps the encryption of its source {}, which is not known",
                        p.address, s.resource.id
                    ),
                )),
            },
            None => {
                let parent =
                    ctx.outside_parent(&a, p, "source_db_snapshot_identifier", "DB snapshot");
                unknown.push((
                    "encryption",
                    format!(
                        "{} sets no `kms_key_id`, so it keeps the encryption of its source {}, which is outside the plan",
                        p.address, parent.label
                    ),
                ));
            }
        },
    }
    Ok(())
}

/// One planned DB snapshot or copy. Runs after every instance and, for copies, after
/// their source (see `normalise::all`).
pub fn snapshot(ctx: &Ctx, index: usize, drafts: &Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut db = RdsSnapshot {
        snapshot_type: MANUAL.into(),
        ..RdsSnapshot::default()
    };
    for (group, what) in [("created", "creation time"), ("status", "status")] {
        unknown.push((
            group,
            format!("the {what} of {} is known after apply", p.address),
        ));
    }
    db.shared_with = shared_with(&a, &mut unknown)?;
    let name_key = if p.type_name == "aws_db_snapshot_copy" {
        copy(ctx, index, drafts, &mut db, &mut unknown)?;
        "target_db_snapshot_identifier"
    } else {
        of_instance(ctx, index, drafts, &mut db, &mut unknown)?;
        "db_snapshot_identifier"
    };
    let name = a.string(name_key)?.known();
    let mut draft = ctx.draft(index, Attributes::RdsSnapshot(db), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// One planned DB cluster snapshot. Its encryption is its cluster's; assay does not read
/// clusters from plans, so unless the plan shows the snapshot's own values (one that
/// exists already), it is UNKNOWN.
pub fn cluster_snapshot(ctx: &Ctx, index: usize, drafts: &Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut snapshot = RdsClusterSnapshot {
        snapshot_type: MANUAL.into(),
        // Only a copy has a source (`SourceDBClusterSnapshotArn`).
        source_snapshot: None,
        ..RdsClusterSnapshot::default()
    };
    for (group, what) in [("created", "creation time"), ("status", "status")] {
        unknown.push((
            group,
            format!("the {what} of {} is known after apply", p.address),
        ));
    }
    match a.string("db_cluster_identifier")? {
        Field::Known(id) => snapshot.db_cluster_id = id,
        _ => unknown.push(("db_cluster_id", a.unknown_reason("db_cluster_identifier"))),
    }
    match a.string("engine")? {
        Field::Known(e) => snapshot.engine = e,
        _ => unknown.push(("engine", a.unknown_reason("engine"))),
    }
    snapshot.shared_with = shared_with(&a, &mut unknown)?;
    // A snapshot has its cluster's encryption, as a DB snapshot its instance's.
    let cluster = ctx
        .target(&a, p, "db_cluster_identifier", &["aws_rds_cluster"])
        .and_then(|t| drafts.of(t));
    match shown_encryption(ctx, p, &a, "storage_encrypted")? {
        Field::Known(e) => snapshot.encryption = Some(e),
        _ => match cluster.map(|c| (c, super::ebs_snapshot::draft_encryption(c))) {
            Some((_, Ok(Some(e)))) => snapshot.encryption = Some(e),
            Some((c, Ok(None))) => unknown.push((
                "encryption",
                format!(
                    "{} has the encryption of its cluster {}, which the plan does not show",
                    p.address, c.resource.id
                ),
            )),
            Some((c, Err(reason))) => unknown.push((
                "encryption",
                format!(
                    "{} has the encryption of its cluster {}, which is not known: {reason}",
                    p.address, c.resource.id
                ),
            )),
            None => unknown.push((
                "encryption",
                format!(
                    "{}: a cluster snapshot has the encryption of its cluster (aws_rds_cluster), which is not in the plan",
                    a.unknown_reason("storage_encrypted")
                ),
            )),
        },
    }
    let name = a.string("db_cluster_snapshot_identifier")?.known();
    let mut draft = ctx.draft(index, Attributes::RdsClusterSnapshot(snapshot), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::snapshot::Attributes;

    fn change(address: &str, after: Value, unknown: Value) -> Value {
        let (type_name, name) = address.split_once('.').expect("address");
        json!({"address": address, "mode": "managed", "type": type_name, "name": name,
            "change": {"actions": ["create"], "before": null, "after": after,
                "after_unknown": unknown, "after_sensitive": {}}})
    }

    fn resource_config(address: &str, expressions: Value) -> Value {
        let (type_name, name) = address.split_once('.').expect("address");
        json!({"address": address, "mode": "managed", "type": type_name, "name": name,
            "provider_config_key": "aws", "expressions": expressions})
    }

    /// A copy of a copy listed before its source (Terraform sorts changes by address)
    /// still gets its source's key, through the snapshot of the planned instance.
    #[test]
    fn a_copy_of_a_copy_keeps_the_key_of_the_instance_whatever_the_order() {
        let refs = |r: &str| json!({"references": [r]});
        let plan = json!({
            "format_version": "1.2",
            "resource_changes": [
                change("aws_db_snapshot_copy.a_second", json!({"target_db_snapshot_identifier": "second", "kms_key_id": null, "shared_accounts": null}), json!({"source_db_snapshot_identifier": true})),
                change("aws_db_snapshot_copy.b_first", json!({"target_db_snapshot_identifier": "first", "kms_key_id": null, "shared_accounts": null}), json!({"source_db_snapshot_identifier": true})),
                change("aws_db_instance.db", json!({"identifier": "db", "engine": "postgres", "instance_class": "db.t3.micro", "storage_encrypted": true, "kms_key_id": "arn:aws:kms:ap-southeast-2:111122223333:key/k"}), json!({})),
                change("aws_db_snapshot.s", json!({"db_instance_identifier": "db", "db_snapshot_identifier": "s", "shared_accounts": null}), json!({"encrypted": true, "kms_key_id": true})),
            ],
            "configuration": {
                "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "ap-southeast-2"}}}},
                "root_module": {"resources": [
                    resource_config("aws_db_snapshot_copy.a_second", json!({"source_db_snapshot_identifier": refs("aws_db_snapshot_copy.b_first.db_snapshot_arn")})),
                    resource_config("aws_db_snapshot_copy.b_first", json!({"source_db_snapshot_identifier": refs("aws_db_snapshot.s.db_snapshot_arn")})),
                    resource_config("aws_db_instance.db", json!({})),
                    resource_config("aws_db_snapshot.s", json!({"db_instance_identifier": refs("aws_db_instance.db.identifier")})),
                ]}
            }
        });
        let planned = crate::plan::from_json(
            &plan.to_string(),
            "copies.json",
            &crate::plan::PlanOptions::default(),
        )
        .expect("the plan reads");
        let second = planned
            .snapshot
            .resources
            .iter()
            .find(|r| r.id == "aws_db_snapshot_copy.a_second")
            .expect("the copy");
        match &second.attributes {
            Attributes::RdsSnapshot(s) => {
                assert_eq!(
                    s.encryption.as_ref().and_then(|e| e.kms_key_arn.as_deref()),
                    Some("arn:aws:kms:ap-southeast-2:111122223333:key/k")
                );
                assert_eq!(s.db_instance_id, "db");
                assert!(s.shared_with.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert!(!second.unknown.iter().any(|u| u.group == "encryption"));
    }
}
