//! RDS DB clusters (Aurora, Multi-AZ DB clusters, and the DocumentDB and Neptune clusters
//! the RDS API also returns) with their storage encryption, backup retention and the
//! regions of every other copy of their data (global database members, cross-region read
//! replica clusters); and DB cluster snapshots with who a manual one is shared with.
//!
//! The global databases are read once per region (`DescribeGlobalClusters`, only when a
//! cluster of the region belongs to one): a failure leaves the `replica_regions` of those
//! clusters unread with its gap, never empty.

use aws_sdk_rds::Client;
use aws_sdk_rds::operation::describe_db_cluster_snapshots::DescribeDbClusterSnapshotsOutput;
use aws_sdk_rds::operation::describe_db_clusters::DescribeDbClustersOutput;
use aws_sdk_rds::operation::describe_global_clusters::DescribeGlobalClustersOutput;
use aws_sdk_rds::types::{DbCluster, DbClusterSnapshot, GlobalCluster};
use futures::StreamExt;

use super::aws::{Failure, FailureKind};
use super::rds::{regions_of, tags};
use super::read::{Groups, Pages, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{Encryption, RdsCluster, RdsClusterSnapshot};
use crate::snapshot::{Attributes, Provenance, Resource};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("rds:DescribeDBClusters", "rds:DescribeDBClusters"),
    ("rds:DescribeGlobalClusters", "rds:DescribeGlobalClusters"),
    (
        "rds:DescribeDBClusterSnapshots",
        "rds:DescribeDBClusterSnapshots",
    ),
    (
        "rds:DescribeDBClusterSnapshotAttributes",
        "rds:DescribeDBClusterSnapshotAttributes",
    ),
];

/// `StorageEncrypted` and `KmsKeyId`: "If StorageEncrypted is enabled, the Amazon Web
/// Services KMS key identifier for the encrypted DB cluster" (the DBCluster data type).
fn encryption(encrypted: Option<bool>, key: Option<&str>) -> Option<Encryption> {
    let enabled = encrypted.unwrap_or(false);
    Some(Encryption {
        enabled,
        algorithm: enabled.then(|| "aws:kms".to_string()),
        kms_key_arn: key.filter(|_| enabled).map(str::to_string),
    })
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let rds = service_client!(aws_sdk_rds, ctx);
    let mut found = clusters(ctx, &rds).await;
    let snapshots = ctx
        .recorder
        .pages(
            Paging::listing(
                ctx.account,
                ctx.region,
                "rds:DescribeDBClusterSnapshots",
                &["aws_rds_cluster_snapshot"],
            ),
            |marker, c| {
                rds.describe_db_cluster_snapshots()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeDbClusterSnapshotsOutput| {
                (
                    out.db_cluster_snapshots().to_vec(),
                    out.marker().map(str::to_string),
                )
            },
        )
        .await
        .items;
    let read: Vec<Resource> = futures::stream::iter(
        snapshots
            .into_iter()
            .map(|(s, listed)| snapshot(ctx, &rds, s, listed)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await;
    found.extend(read);
    found
}

/// Every cluster of the region, with the global databases its clusters belong to.
async fn clusters(ctx: &ServiceCtx<'_>, rds: &Client) -> Vec<Resource> {
    let (account, region) = (ctx.account, ctx.region);
    let listed = ctx
        .recorder
        .pages(
            Paging::listing(
                account,
                region,
                "rds:DescribeDBClusters",
                &["aws_rds_cluster"],
            ),
            |marker, c| {
                rds.describe_db_clusters()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeDbClustersOutput| {
                (out.db_clusters().to_vec(), out.marker().map(str::to_string))
            },
        )
        .await
        .items;
    let global = if listed
        .iter()
        .any(|(c, _)| c.global_cluster_identifier().is_some())
    {
        Some(global_clusters(ctx, rds).await)
    } else {
        None
    };
    listed
        .into_iter()
        .map(|(c, p)| cluster(ctx, c, p, global.as_ref()))
        .collect()
}

/// The region's global databases (every page).
async fn global_clusters(ctx: &ServiceCtx<'_>, rds: &Client) -> Pages<GlobalCluster> {
    ctx.recorder
        .pages(
            Paging::of(
                ctx.account,
                ctx.region,
                "rds:DescribeGlobalClusters",
                "global clusters",
            ),
            |marker, c| {
                rds.describe_global_clusters()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeGlobalClustersOutput| {
                (
                    out.global_clusters().to_vec(),
                    out.marker().map(str::to_string),
                )
            },
        )
        .await
}

/// One cluster: the listing's facts, and the regions of its global database's other
/// members from `global` (read when any cluster of the region belongs to one).
fn cluster(
    ctx: &ServiceCtx<'_>,
    c: DbCluster,
    listed: Provenance,
    global: Option<&Pages<GlobalCluster>>,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = c.db_cluster_identifier().unwrap_or_default().to_string();
    let arn = c.db_cluster_arn().map_or_else(
        || format!("arn:aws:rds:{region}:{account}:cluster:{id}"),
        str::to_string,
    );
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed.clone());
    let global_id = c.global_cluster_identifier().map(str::to_string);
    // "ReadReplicaIdentifiers: Contains one or more identifiers of the read replicas
    // associated with this DB cluster"; "ReplicationSourceIdentifier: The identifier of
    // the source DB cluster if this DB cluster is a read replica" (the DBCluster data type).
    let mut copies: Vec<String> = c
        .read_replica_identifiers()
        .iter()
        .cloned()
        .chain(c.replication_source_identifier().map(str::to_string))
        .collect();
    let mut replicas_read = true;
    match (&global_id, global) {
        (Some(gid), Some(pages)) => match pages.gap() {
            Some(gap) => {
                read.unread_by("replica_regions", gap);
                replicas_read = false;
            }
            None => {
                let found = pages.items.iter().map(|(g, _)| g).find(|g| {
                    g.global_cluster_identifier() == Some(gid)
                        || g.global_cluster_arn() == Some(gid)
                        || g.global_cluster_members()
                            .iter()
                            .any(|m| m.db_cluster_arn() == Some(&arn))
                });
                match found {
                    Some(g) => {
                        copies.extend(
                            g.global_cluster_members()
                                .iter()
                                .filter_map(|m| m.db_cluster_arn())
                                .filter(|m| *m != arn)
                                .map(str::to_string),
                        );
                        if let Some(first) = pages.first_page() {
                            read.cite("replica_regions", first.clone());
                        }
                    }
                    // Global databases are listed in every region (a global resource):
                    // one the cluster names but the listing lacks leaves its other
                    // members unknown, which is said, never taken for none.
                    None => {
                        read.miss(
                            "replica_regions",
                            "rds:DescribeGlobalClusters",
                            &Failure {
                                kind: FailureKind::Service,
                                code: "GlobalClusterNotListed".into(),
                                message: format!(
                                    "{arn} belongs to global database {gid}, which DescribeGlobalClusters did not list"
                                ),
                            },
                        );
                        replicas_read = false;
                    }
                }
            }
        },
        _ => read.cite("replica_regions", listed),
    }
    let attributes = RdsCluster {
        engine: c.engine().unwrap_or_default().to_string(),
        engine_version: c.engine_version().map(str::to_string),
        engine_mode: c.engine_mode().map(str::to_string),
        status: c.status().unwrap_or_default().to_string(),
        encryption: encryption(c.storage_encrypted(), c.kms_key_id()),
        backup_retention_days: i64::from(c.backup_retention_period().unwrap_or(0)),
        deletion_protection: c.deletion_protection().unwrap_or(false),
        multi_az: c.multi_az().unwrap_or(false),
        members: c.db_cluster_members().len() as i64,
        global_cluster_id: global_id,
        replica_regions: if replicas_read {
            regions_of(region, copies.iter().map(String::as_str))
        } else {
            Vec::new()
        },
        created: c.cluster_create_time().map(|t| t.to_string()),
        earliest_restorable_time: c.earliest_restorable_time().map(|t| t.to_string()),
        latest_restorable_time: c.latest_restorable_time().map(|t| t.to_string()),
    };
    let (provenance, unread) = read.finish();
    resource(
        Attributes::RdsCluster(attributes),
        arn,
        id,
        None,
        account,
        region,
        tags(c.tag_list()),
        provenance,
        unread,
    )
}

/// One cluster snapshot, with the accounts a manual one is shared with.
async fn snapshot(
    ctx: &ServiceCtx<'_>,
    rds: &Client,
    s: DbClusterSnapshot,
    listed: Provenance,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = s
        .db_cluster_snapshot_identifier()
        .unwrap_or_default()
        .to_string();
    let arn = s.db_cluster_snapshot_arn().map_or_else(
        || format!("arn:aws:rds:{region}:{account}:cluster-snapshot:{id}"),
        str::to_string,
    );
    let snapshot_type = s.snapshot_type().unwrap_or_default().to_string();
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed.clone());
    // "You can't share automated DB cluster snapshots" (the Aurora user guide, "Sharing a
    // DB cluster snapshot"): only a manual one has a `restore` attribute worth reading.
    let shared_with = if snapshot_type == "manual" {
        read.read(
            "shared_with",
            "rds:DescribeDBClusterSnapshotAttributes",
            |c| {
                rds.describe_db_cluster_snapshot_attributes()
                    .db_cluster_snapshot_identifier(&id)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .and_then(|out| {
            out.db_cluster_snapshot_attributes_result().map(|r| {
                r.db_cluster_snapshot_attributes()
                    .iter()
                    .filter(|a| a.attribute_name() == Some("restore"))
                    .flat_map(|a| a.attribute_values().iter().cloned())
                    .collect()
            })
        })
        .unwrap_or_default()
    } else {
        read.cite("shared_with", listed);
        Vec::new()
    };
    let attributes = RdsClusterSnapshot {
        db_cluster_id: s.db_cluster_identifier().unwrap_or_default().to_string(),
        engine: s.engine().unwrap_or_default().to_string(),
        snapshot_type,
        created: s.snapshot_create_time().map(|t| t.to_string()),
        status: s.status().unwrap_or_default().to_string(),
        encryption: encryption(s.storage_encrypted(), s.kms_key_id()),
        shared_with,
        source_snapshot: s.source_db_cluster_snapshot_arn().map(str::to_string),
    };
    let (provenance, unread) = read.finish();
    resource(
        Attributes::RdsClusterSnapshot(attributes),
        arn,
        id,
        None,
        account,
        region,
        tags(s.tag_list()),
        provenance,
        unread,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replica_named_by_arn_is_in_its_region_and_one_named_by_id_is_at_home() {
        let names = [
            "arn:aws:rds:eu-west-1:111122223333:cluster:orders-eu",
            "orders-replica",
            "arn:aws:rds:eu-west-1:111122223333:cluster:orders-eu-2",
        ];
        assert_eq!(
            regions_of("ap-southeast-2", names.into_iter()),
            vec!["ap-southeast-2".to_string(), "eu-west-1".to_string()]
        );
    }

    #[test]
    fn an_unencrypted_cluster_names_no_key() {
        assert_eq!(
            encryption(Some(false), Some("arn:aws:kms:ap-southeast-2:1:key/x")),
            Some(Encryption {
                enabled: false,
                algorithm: None,
                kms_key_arn: None,
            })
        );
    }
}
