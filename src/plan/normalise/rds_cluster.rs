//! RDS: `aws_rds_cluster` → `aws_rds_cluster`, with its encryption at rest, backup
//! retention and the regions of its other copies.

use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::RdsCluster;

/// Whether the cluster is created from something that brings its own settings (a
/// snapshot, a point in time, S3, a source cluster it replicates): then the API defaults
/// of CreateDBCluster do not apply.
fn restored(ctx: &Ctx, index: usize) -> bool {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    [
        "snapshot_identifier",
        "restore_to_point_in_time",
        "s3_import",
        "replication_source_identifier",
    ]
    .iter()
    .any(
        |k| match ctx.config.resource(&p.address).and_then(|r| r.expressions) {
            Some(_) => !ctx.unset_in_config(p, k),
            None => match a.raw(k) {
                Field::Known(v) => !(v == "" || v.as_array().is_some_and(Vec::is_empty)),
                Field::Null => false,
                Field::Unknown => true,
            },
        },
    )
}

pub fn cluster(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut db = RdsCluster::default();
    let new = p.action == "create" || p.action == "replace";
    match a.string("engine")? {
        Field::Known(e) => db.engine = e,
        _ => unknown.push(("engine", a.unknown_reason("engine"))),
    }
    for (group, key, slot) in [
        ("engine_version", "engine_version", &mut db.engine_version),
        ("engine_mode", "engine_mode", &mut db.engine_mode),
    ] {
        match a.nonempty_string(key)? {
            Field::Known(v) => *slot = Some(v),
            Field::Null => {}
            Field::Unknown => unknown.push((group, a.unknown_reason(key))),
        }
    }
    for (group, what) in [
        ("status", "status"),
        ("created", "creation time"),
        ("multi_az", "Multi-AZ state (from its instances)"),
        ("members", "number of instances"),
    ] {
        unknown.push((
            group,
            format!("the {what} of {} is known after apply", p.address),
        ));
    }
    // CreateDBCluster defaults as CreateDBInstance does (an unset key is `aws/rds`,
    // an unset retention 1 day; https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html).
    let defaults_apply = new && !restored(ctx, index);
    match super::rds::storage_encryption(ctx, index, drafts, defaults_apply)? {
        Ok(e) => db.encryption = Some(e),
        Err(reason) => unknown.push(("encryption", reason)),
    }
    match super::rds::backup_retention_days(ctx, index, defaults_apply)? {
        Ok(days) => db.backup_retention_days = days,
        Err(reason) => unknown.push(("backup_retention_days", reason)),
    }
    match a.bool("deletion_protection")?.or_default_when_null(false) {
        Field::Known(v) => db.deletion_protection = v,
        _ => unknown.push((
            "deletion_protection",
            a.unknown_reason("deletion_protection"),
        )),
    }
    // The other copies: the members of its global database, or its source cluster.
    match a.nonempty_string("global_cluster_identifier")? {
        Field::Known(g) => {
            unknown.push((
                "replica_regions",
                format!(
                    "{} is a member of the global database {g}, whose other members' regions assay does not read from plans",
                    p.address
                ),
            ));
            db.global_cluster_id = Some(g);
        }
        Field::Null => {}
        Field::Unknown => {
            let reason = a.unknown_reason("global_cluster_identifier");
            unknown.push(("global_cluster_id", reason.clone()));
            unknown.push(("replica_regions", reason));
        }
    }
    if !new {
        unknown.push((
            "replica_regions",
            format!(
                "the plan does not show the read replicas of {}, which exists already: scan the account",
                p.address
            ),
        ));
    }
    match a.nonempty_string("replication_source_identifier")? {
        Field::Known(source) => {
            match source.strip_prefix("arn:").map(|arn| arn.split(':').nth(2)) {
                Some(Some(region)) if !region.is_empty() => db.replica_regions.push(region.into()),
                _ => unknown.push((
                    "replica_regions",
                    format!(
                        "{} replicates {source}, whose region the plan does not name",
                        p.address
                    ),
                )),
            }
        }
        Field::Null => {}
        Field::Unknown => unknown.push((
            "replica_regions",
            a.unknown_reason("replication_source_identifier"),
        )),
    }
    // The point-in-time recovery window exists only once the cluster runs.
    for group in ["earliest_restorable_time", "latest_restorable_time"] {
        unknown.push((
            group,
            format!(
                "the plan does not show the backups of {}: scan the account",
                p.address
            ),
        ));
    }
    let name = a.string("cluster_identifier")?.known();
    let mut draft = ctx.draft(index, Attributes::RdsCluster(db), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// `storage_encrypted` left to the provider (computed) and a key known only after
    /// apply are UNKNOWN with the Terraform attribute in the reason, never a pass.
    #[test]
    fn encryption_only_apply_knows_is_unknown() {
        for (after, unknown, expressions, attribute) in [
            (
                json!({"cluster_identifier": "c", "engine": "aurora-mysql"}),
                json!({"storage_encrypted": true, "kms_key_id": true}),
                json!({"engine": {"constant_value": "aurora-mysql"}}),
                "storage_encrypted",
            ),
            (
                json!({"cluster_identifier": "c", "engine": "aurora-mysql", "storage_encrypted": true}),
                json!({"kms_key_id": true}),
                json!({"storage_encrypted": {"constant_value": true}, "kms_key_id": {"references": ["var.key"]}}),
                "kms_key_id",
            ),
        ] {
            let plan = json!({
                "format_version": "1.2",
                "resource_changes": [{"address": "aws_rds_cluster.c", "mode": "managed",
                    "type": "aws_rds_cluster", "name": "c",
                    "change": {"actions": ["create"], "before": null, "after": after,
                        "after_unknown": unknown, "after_sensitive": {}}}],
                "configuration": {
                    "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "ap-southeast-2"}}}},
                    "root_module": {"resources": [{"address": "aws_rds_cluster.c",
                        "mode": "managed", "type": "aws_rds_cluster", "name": "c",
                        "provider_config_key": "aws", "expressions": expressions}]}
                }
            });
            let cluster = crate::plan::from_json(
                &plan.to_string(),
                "cluster.json",
                &crate::plan::PlanOptions::default(),
            )
            .expect("the plan reads")
            .snapshot
            .resources
            .into_iter()
            .find(|r| r.id == "aws_rds_cluster.c")
            .expect("the cluster");
            let why = cluster
                .unknown
                .iter()
                .find(|u| u.group == "encryption")
                .map(|u| u.reason.clone())
                .unwrap_or_else(|| panic!("{attribute}: {:?}", cluster.unknown));
            assert!(why.contains(attribute), "{why}");
        }
    }
}
