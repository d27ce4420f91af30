//! ElastiCache: `aws_elasticache_replication_group` → `aws_elasticache_replication_group`
//! and `aws_elasticache_cluster` (outside a replication group) → `aws_elasticache_cluster`,
//! with encryption at rest and in transit and snapshot retention; and
//! `aws_elasticache_global_replication_group`, whose member groups in the plan learn the
//! regions of the others.

use std::collections::BTreeSet;

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{ElasticacheCluster, ElasticacheReplicationGroup, Encryption};

/// Encryption at rest of a replication group: off unless `at_rest_encryption_enabled` is
/// true; on, with `kms_key_id` or, without one, the key ElastiCache owns ("If you don't
/// specify a KMS key, ElastiCache uses the default AWS owned key", the ElastiCache user
/// guide, "At-Rest Encryption in ElastiCache"). `Err` with the reason when the plan does
/// not show it.
fn at_rest(ctx: &Ctx, p: &Planned, a: &Attrs) -> Result<Result<Encryption, String>, PlanError> {
    match a.bool("at_rest_encryption_enabled")? {
        Field::Known(false) => Ok(Ok(Encryption::default())),
        Field::Known(true) => Ok(match ctx.arn_ref(a, p, "kms_key_id")? {
            Field::Known(arn) => Ok(Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: Some(arn),
            }),
            Field::Null => Ok(Encryption {
                enabled: true,
                algorithm: Some("AES256".into()),
                kms_key_arn: None,
            }),
            Field::Unknown if ctx.unset_in_config(p, "kms_key_id") => Ok(Encryption {
                enabled: true,
                algorithm: Some("AES256".into()),
                kms_key_arn: None,
            }),
            Field::Unknown => Err(a.unknown_reason("kms_key_id")),
        }),
        // Its default has changed with the engine and the provider's generation: only a
        // value the plan states is used.
        _ => Ok(Err(a.unknown_reason("at_rest_encryption_enabled"))),
    }
}

/// A flag that is off unless set (the provider's and the API's default).
fn flag(
    a: &Attrs,
    key: &str,
    group: &'static str,
    slot: &mut bool,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    match a.bool(key)?.or_default_when_null(false) {
        Field::Known(v) => *slot = v,
        _ => unknown.push((group, a.unknown_reason(key))),
    }
    Ok(())
}

/// `snapshot_retention_limit`, 0 (no automatic snapshots) when unset: "If the value of
/// SnapshotRetentionLimit is set to zero (0), backups are turned off" and "Default: 0"
/// (CreateReplicationGroup, CreateCacheCluster).
fn retention(
    a: &Attrs,
    slot: &mut i64,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    match a.int("snapshot_retention_limit")?.or_default_when_null(0) {
        Field::Known(d) => *slot = d,
        _ => unknown.push((
            "snapshot_retention_days",
            a.unknown_reason("snapshot_retention_limit"),
        )),
    }
    Ok(())
}

pub fn replication_group(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut group = ElasticacheReplicationGroup::default();
    unknown.push((
        "status",
        format!("the status of {} is known after apply", p.address),
    ));
    // "engine: (Optional) Name of the cache engine to be used for the clusters in this
    // replication group. Valid values are redis or valkey. Default: redis" (the provider).
    match a.string("engine")?.or_default_when_null("redis".into()) {
        Field::Known(e) => group.engine = Some(e),
        _ => unknown.push(("engine", a.unknown_reason("engine"))),
    }
    match a.string("node_type")? {
        Field::Known(t) => group.node_type = Some(t),
        _ => unknown.push(("node_type", a.unknown_reason("node_type"))),
    }
    match a.int("num_cache_clusters")? {
        Field::Known(n) => group.members = n,
        _ => unknown.push(("members", a.unknown_reason("num_cache_clusters"))),
    }
    match at_rest(ctx, p, &a)? {
        Ok(e) => group.encryption = Some(e),
        Err(reason) => unknown.push(("encryption", reason)),
    }
    flag(
        &a,
        "transit_encryption_enabled",
        "transit_encryption",
        &mut group.transit_encryption,
        &mut unknown,
    )?;
    // Set when an auth token is given; the token itself is sensitive and not read.
    match a.raw("auth_token") {
        Field::Known(v) => group.auth_token_enabled = v.as_str().is_some_and(|t| !t.is_empty()),
        Field::Null => group.auth_token_enabled = false,
        Field::Unknown => unknown.push(("auth_token_enabled", a.unknown_reason("auth_token"))),
    }
    retention(&a, &mut group.snapshot_retention_days, &mut unknown)?;
    // Outside a global datastore, a new group has no other copy; in one, the members are
    // joined by `aws_elasticache_global_replication_group` below. The primary's id is
    // computed, so unknown here, until the global datastore in the plan names it.
    let new = p.action == "create" || p.action == "replace";
    let global = match a.nonempty_string("global_replication_group_id")? {
        // Computed by the provider: unset in the configuration, it is not a secondary
        // (a primary is named by its global datastore, below).
        Field::Unknown if ctx.unset_in_config(p, "global_replication_group_id") => Field::Null,
        other => other,
    };
    match global {
        Field::Null if new => {}
        Field::Null => unknown.push((
            "replica_regions",
            format!(
                "{} exists already: whether it is the primary of a global datastore another stack manages is not in the plan, scan the account",
                p.address
            ),
        )),
        Field::Known(id) => {
            group.global_replication_group_id = Some(id.clone());
            unknown.push((
                "replica_regions",
                format!(
                    "the other members of global datastore `{id}` are not in the plan, scan the account"
                ),
            ));
        }
        Field::Unknown => {
            unknown.push((
                "global_replication_group_id",
                a.unknown_reason("global_replication_group_id"),
            ));
            unknown.push((
                "replica_regions",
                a.unknown_reason("global_replication_group_id"),
            ));
        }
    }
    let name = a.string("replication_group_id")?.known();
    let mut draft = ctx.draft(
        index,
        Attributes::ElasticacheReplicationGroup(group),
        name,
        false,
    )?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// `aws_elasticache_cluster`: a cluster of its own; `None` for a member of a replication
/// group (`replication_group_id`), which is judged as its group, with a note saying so.
pub fn cluster(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Option<Draft>, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    if let Field::Known(group) = a.nonempty_string("replication_group_id")? {
        drafts.note(
            ctx,
            index,
            format!("a node of replication group `{group}`: judged as its group"),
        );
        return Ok(None);
    }
    let mut unknown = Vec::new();
    let mut cluster = ElasticacheCluster::default();
    unknown.push((
        "status",
        format!("the status of {} is known after apply", p.address),
    ));
    match a.string("engine")? {
        Field::Known(e) => cluster.engine = e,
        _ => unknown.push(("engine", a.unknown_reason("engine"))),
    }
    match a.string("engine_version")? {
        Field::Known(v) => cluster.engine_version = Some(v),
        Field::Null => {}
        Field::Unknown => unknown.push(("engine_version", a.unknown_reason("engine_version"))),
    }
    match a.string("node_type")? {
        Field::Known(t) => cluster.node_type = Some(t),
        _ => unknown.push(("node_type", a.unknown_reason("node_type"))),
    }
    match a.int("num_cache_nodes")? {
        Field::Known(n) => cluster.nodes = Some(n),
        _ => unknown.push(("nodes", a.unknown_reason("num_cache_nodes"))),
    }
    // CreateCacheCluster takes no encryption at rest (only a replication group's nodes
    // are encrypted at rest: "At-rest encryption can be enabled on a replication group
    // only", the ElastiCache API reference, ReplicationGroup AtRestEncryptionEnabled).
    cluster.encryption = Some(Encryption::default());
    flag(
        &a,
        "transit_encryption_enabled",
        "transit_encryption",
        &mut cluster.transit_encryption,
        &mut unknown,
    )?;
    retention(&a, &mut cluster.snapshot_retention_days, &mut unknown)?;
    let name = a.string("cluster_id")?.known();
    let mut draft = ctx.draft(index, Attributes::ElasticacheCluster(cluster), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(Some(draft))
}

/// `aws_elasticache_global_replication_group`: its primary (`primary_replication_group_id`)
/// and the secondaries in the plan that name it (`global_replication_group_id`) are its
/// members; each learns the regions of the others. A new global datastore has no other
/// members (a secondary joins only by being created with its id); an existing one may,
/// and its members' regions stay unknown.
pub fn global_replication_group(
    ctx: &Ctx,
    index: usize,
    drafts: &mut Drafts,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let types = ["aws_elasticache_replication_group"];
    let primary = ctx
        .target(&a, p, "primary_replication_group_id", &types)
        .filter(|&t| drafts.of(t).is_some());
    let secondaries: Vec<usize> = (0..ctx.changes.len())
        .filter(|&i| ctx.changes[i].type_name == types[0] && drafts.of(i).is_some())
        .filter(|&i| {
            let member = ctx.attrs(&ctx.changes[i]);
            ctx.target(
                &member,
                &ctx.changes[i],
                "global_replication_group_id",
                &["aws_elasticache_global_replication_group"],
            ) == Some(index)
        })
        .collect();
    if primary.is_none() {
        drafts.outside(
            ctx,
            index,
            "primary_replication_group_id",
            "ElastiCache replication group",
            "the primary's region is not in the plan, so its members' regions are UNKNOWN",
        );
    }
    let members: Vec<usize> = primary.into_iter().chain(secondaries).collect();
    let new = p.action == "create" || p.action == "replace";
    let regions: Vec<(usize, String)> = members
        .iter()
        .filter_map(|&m| {
            let r = &drafts.of(m)?.resource.region;
            (r != "unknown").then(|| (m, r.clone()))
        })
        .collect();
    let complete = new && primary.is_some() && regions.len() == members.len();
    let global_id = a.string("global_replication_group_id")?.known();
    for &m in &members {
        let Some(draft) = drafts.of_mut(m) else {
            continue;
        };
        let Attributes::ElasticacheReplicationGroup(group) = &mut draft.resource.attributes else {
            continue;
        };
        if let Some(id) = &global_id {
            group.global_replication_group_id = Some(id.clone());
            draft.known("global_replication_group_id");
        }
        if complete {
            let own = draft.resource.region.clone();
            let others: BTreeSet<String> = regions
                .iter()
                .filter(|(i, r)| *i != m && *r != own)
                .map(|(_, r)| r.clone())
                .collect();
            if let Attributes::ElasticacheReplicationGroup(group) = &mut draft.resource.attributes {
                group.replica_regions = others.into_iter().collect();
            }
            draft.known("replica_regions");
            draft.cite("replica_regions", p, ctx.collected_at);
        } else {
            draft.unknown(
                "replica_regions",
                format!(
                    "{} exists already or a member's region is not in the plan: its other members are not all shown, scan the account",
                    p.address
                ),
            );
        }
    }
    Ok(())
}
