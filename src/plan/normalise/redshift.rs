//! Redshift: `aws_redshift_cluster` → `aws_redshift_cluster`, with its encryption, public
//! access, snapshot retention and cross-region snapshot copy (its inline `snapshot_copy`
//! block, or `aws_redshift_snapshot_copy`, which sets it on a cluster in the plan or
//! managed elsewhere). Snapshots are taken after apply: a plan never shows them.

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned};
use super::super::error::PlanError;
use super::Drafts;
use super::ec2::{encryption, encryption_reason};
use crate::snapshot::Attributes;
use crate::snapshot::resources::RedshiftCluster;

/// The copy destination and retention of a `snapshot_copy` block (provider v5) or of an
/// `aws_redshift_snapshot_copy`; `Err` with the reason when the plan does not show them.
fn copy(a: &Attrs) -> Result<Result<(String, Option<i64>), String>, PlanError> {
    let region = match a.string("destination_region")? {
        Field::Known(r) => r,
        _ => return Ok(Err(a.unknown_reason("destination_region"))),
    };
    // "retention_period: (Optional) Number of days to retain automated snapshots in the
    // destination region after they are copied from the source region. Defaults to 7"
    // (the provider's documentation of `aws_redshift_snapshot_copy`).
    let days = match a.int("retention_period")?.or_default_when_null(7) {
        Field::Known(d) => Some(d),
        _ => return Ok(Err(a.unknown_reason("retention_period"))),
    };
    Ok(Ok((region, days)))
}

/// The cluster's snapshot copy: the inline block when there is one; none for a new
/// cluster without it (an `aws_redshift_snapshot_copy` in the plan completes it after);
/// unknown for an existing cluster, whose copy another stack may manage.
fn snapshot_copy(
    p: &Planned,
    a: &Attrs,
    cluster: &mut RedshiftCluster,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    let new = p.action == "create" || p.action == "replace";
    let groups = ["snapshot_copy_region", "snapshot_copy_retention_days"];
    match a.block("snapshot_copy")? {
        Field::Known(Some(b)) => match copy(&b)? {
            Ok((region, days)) => {
                cluster.snapshot_copy_region = Some(region);
                cluster.snapshot_copy_retention_days = days;
            }
            Err(reason) => groups
                .iter()
                .for_each(|g| unknown.push((g, reason.clone()))),
        },
        Field::Known(None) | Field::Null if new => {}
        Field::Known(None) | Field::Null => groups.iter().for_each(|g| {
            unknown.push((
                g,
                format!(
                    "{} exists already and sets no snapshot_copy: its cross-region copy may be managed elsewhere (aws_redshift_snapshot_copy), scan the account",
                    p.address
                ),
            ))
        }),
        Field::Unknown => {
            let reason = a.unknown_reason("snapshot_copy");
            groups
                .iter()
                .for_each(|g| unknown.push((g, reason.clone())));
        }
    }
    Ok(())
}

pub fn cluster(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut cluster = RedshiftCluster::default();
    for group in ["status", "created"] {
        unknown.push((
            group,
            format!("the {group} of {} is known after apply", p.address),
        ));
    }
    match a.string("node_type")? {
        Field::Known(t) => cluster.node_type = Some(t),
        _ => unknown.push(("node_type", a.unknown_reason("node_type"))),
    }
    match a.int("number_of_nodes")? {
        Field::Known(n) => cluster.nodes = Some(n),
        _ => unknown.push(("nodes", a.unknown_reason("number_of_nodes"))),
    }
    // `encrypted` and `publicly_accessible` have changed defaults across provider
    // generations (and AWS's own defaults with them): only a value the plan states is
    // used, anything else is unknown.
    match encryption(ctx, p, &a, "encrypted", "kms_key_id")? {
        Field::Known(e) => cluster.encryption = Some(e),
        _ => unknown.push((
            "encryption",
            encryption_reason(&a, "encrypted", "kms_key_id", "Redshift")?,
        )),
    }
    match a.bool("publicly_accessible")? {
        Field::Known(v) => cluster.publicly_accessible = v,
        _ => unknown.push((
            "publicly_accessible",
            a.unknown_reason("publicly_accessible"),
        )),
    }
    // "AutomatedSnapshotRetentionPeriod ... Default: 1" (CreateCluster), the provider's
    // default too.
    match a
        .int("automated_snapshot_retention_period")?
        .or_default_when_null(1)
    {
        Field::Known(d) => cluster.automated_snapshot_retention_days = d,
        _ => unknown.push((
            "automated_snapshot_retention_days",
            a.unknown_reason("automated_snapshot_retention_period"),
        )),
    }
    match a.int("manual_snapshot_retention_period")? {
        Field::Known(d) => cluster.manual_snapshot_retention_days = Some(d),
        Field::Null => {}
        Field::Unknown => unknown.push((
            "manual_snapshot_retention_days",
            a.unknown_reason("manual_snapshot_retention_period"),
        )),
    }
    snapshot_copy(p, &a, &mut cluster, &mut unknown)?;
    let name = a.string("cluster_identifier")?.known();
    let mut draft = ctx.draft(index, Attributes::RedshiftCluster(cluster), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// `aws_redshift_snapshot_copy`: sets the cross-region snapshot copy of its cluster. On a
/// cluster another stack manages, the copy is judged on a placeholder cluster named after
/// this change, whose other settings are unknown, and the note says so.
pub fn snapshot_copy_resource(
    ctx: &Ctx,
    index: usize,
    drafts: &mut Drafts,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let read = copy(&a)?;
    let target = ctx
        .target(&a, p, "cluster_identifier", &["aws_redshift_cluster"])
        .filter(|&t| drafts.of(t).is_some());
    let draft = match target.and_then(|t| drafts.of_mut(t)) {
        Some(d) => d,
        None => {
            drafts.outside(
                ctx,
                index,
                "cluster_identifier",
                "Redshift cluster",
                "its snapshot copy is judged on a placeholder cluster named after this change; the cluster's own region, encryption and settings are UNKNOWN",
            );
            let parent = ctx.outside_parent(&a, p, "cluster_identifier", "Redshift cluster");
            let key = format!("aws_redshift_cluster {}", parent.label);
            drafts.placeholder(&key, || outside_cluster(ctx, index, &parent.label))?
        }
    };
    let Attributes::RedshiftCluster(cluster) = &mut draft.resource.attributes else {
        return Ok(());
    };
    match read {
        Ok((region, days)) => {
            cluster.snapshot_copy_region = Some(region);
            cluster.snapshot_copy_retention_days = days;
            for group in ["snapshot_copy_region", "snapshot_copy_retention_days"] {
                draft.known(group);
                draft.cite(group, p, ctx.collected_at);
            }
        }
        Err(reason) => {
            for group in ["snapshot_copy_region", "snapshot_copy_retention_days"] {
                draft.unknown(group, reason.clone());
            }
        }
    }
    Ok(())
}

/// A placeholder for a cluster outside the plan.
fn outside_cluster(ctx: &Ctx, index: usize, label: &str) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let mut draft = ctx.draft(
        index,
        Attributes::RedshiftCluster(RedshiftCluster::default()),
        Some(format!("{label} (outside the plan)")),
        false,
    )?;
    draft.change = None;
    let outside = format!("{label} is outside the plan");
    for group in [
        "status",
        "node_type",
        "nodes",
        "created",
        "encryption",
        "publicly_accessible",
        "automated_snapshot_retention_days",
        "manual_snapshot_retention_days",
    ] {
        draft.unknown(group, format!("{outside}: its {group} is not in the plan"));
    }
    draft.resource.tags = Default::default();
    draft.known("tags");
    draft.unknown("tags", format!("{outside}: its tags are not in the plan"));
    draft.resource.id = format!("{} ({label})", p.address);
    Ok(draft)
}
