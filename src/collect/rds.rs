//! RDS: DB instances (encryption, key, backup retention, exposure, the point-in-time
//! recovery window their automated backups cover) and DB snapshots (automated, manual and
//! AWS Backup, with the snapshot a copy was copied from), with who manual snapshots are
//! shared with.

use aws_sdk_rds::operation::describe_db_instance_automated_backups::DescribeDbInstanceAutomatedBackupsOutput;
use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
use aws_sdk_rds::operation::describe_db_snapshots::DescribeDbSnapshotsOutput;
use aws_sdk_rds::types::{DbInstanceAutomatedBackup, Tag};
use futures::StreamExt;

use super::read::{Groups, Pages, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{Encryption, RdsInstance, RdsSnapshot};
use crate::snapshot::{Attributes, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("rds:DescribeDBInstances", "rds:DescribeDBInstances"),
    (
        "rds:DescribeDBInstanceAutomatedBackups",
        "rds:DescribeDBInstanceAutomatedBackups",
    ),
    ("rds:DescribeDBSnapshots", "rds:DescribeDBSnapshots"),
    (
        "rds:DescribeDBSnapshotAttributes",
        "rds:DescribeDBSnapshotAttributes",
    ),
];

/// An RDS tag list (instances, snapshots, clusters) as the snapshot's tags.
pub(super) fn tags(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn encryption(encrypted: Option<bool>, key: Option<&str>) -> Option<Encryption> {
    let enabled = encrypted.unwrap_or(false);
    Some(Encryption {
        enabled,
        algorithm: enabled.then(|| "aws:kms".to_string()),
        kms_key_arn: key.map(str::to_string),
    })
}

/// The regions of RDS resources named by ARN or identifier: "If the replica is in a
/// different Amazon Web Services Region [than its source], specify the Amazon Resource Name
/// (ARN)" (CreateDBInstanceReadReplica, `SourceDBInstanceIdentifier`), so an identifier
/// alone is in `home`, the region of the resource naming it. Sorted, without duplicates.
pub(super) fn regions_of<'a>(home: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let regions: std::collections::BTreeSet<String> = names
        .map(|n| match n.strip_prefix("arn:") {
            Some(arn) => arn.split(':').nth(2).unwrap_or(home).to_string(),
            None => home.to_string(),
        })
        .collect();
    regions.into_iter().collect()
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let rds = service_client!(aws_sdk_rds, ctx);
    let mut found = instances(ctx, &rds).await;
    found.extend(snapshots(ctx, &rds).await);
    found
}

/// The DB instances of the region, with their replicas' and replicated backups' regions.
async fn instances(ctx: &ServiceCtx<'_>, rds: &aws_sdk_rds::Client) -> Vec<Resource> {
    let (account, region) = (ctx.account, ctx.region);
    let mut found = Vec::new();
    let instances = ctx
        .recorder
        .pages(
            Paging::listing(
                account,
                region,
                "rds:DescribeDBInstances",
                &["aws_rds_instance"],
            ),
            |marker, c| {
                rds.describe_db_instances()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeDbInstancesOutput| {
                (
                    out.db_instances().to_vec(),
                    out.marker().map(str::to_string),
                )
            },
        )
        .await
        .items;
    let automated = if instances.is_empty() {
        None
    } else {
        Some(automated_backups(ctx, rds).await)
    };
    for (db, p) in instances {
        let id = db.db_instance_identifier().unwrap_or_default().to_string();
        let arn = db.db_instance_arn().map_or_else(
            || format!("arn:aws:rds:{region}:{account}:db:{id}"),
            str::to_string,
        );
        let mut read = Groups::listed(ctx.recorder, account, region, &arn, p.clone());
        let earliest_restorable_time = match automated.as_ref() {
            Some(pages) => restore_window_start(&db, pages, &mut read),
            None => None,
        };
        let attributes = RdsInstance {
            engine: db.engine().unwrap_or_default().to_string(),
            instance_class: db.db_instance_class().unwrap_or_default().to_string(),
            status: db.db_instance_status().unwrap_or_default().to_string(),
            encryption: encryption(db.storage_encrypted(), db.kms_key_id()),
            backup_retention_days: i64::from(db.backup_retention_period().unwrap_or(0)),
            publicly_accessible: db.publicly_accessible().unwrap_or(false),
            multi_az: db.multi_az().unwrap_or(false),
            deletion_protection: db.deletion_protection().unwrap_or(false),
            replica_regions: regions_of(
                region,
                db.read_replica_db_instance_identifiers()
                    .iter()
                    .chain(db.read_replica_db_cluster_identifiers())
                    .map(String::as_str)
                    .chain(db.read_replica_source_db_instance_identifier())
                    .chain(db.read_replica_source_db_cluster_identifier()),
            ),
            // "DBInstanceAutomatedBackupsReplications: The list of replicated automated
            // backups associated with the DB instance" (the DBInstance data type); each
            // names the replicated backup by its ARN in the destination region.
            backup_replication_regions: regions_of(
                region,
                db.db_instance_automated_backups_replications()
                    .iter()
                    .filter_map(|r| r.db_instance_automated_backups_arn()),
            ),
            created: db.instance_create_time().map(|t| t.to_string()),
            latest_restorable_time: db.latest_restorable_time().map(|t| t.to_string()),
            earliest_restorable_time,
        };
        let (provenance, unread) = read.finish();
        found.push(resource(
            Attributes::RdsInstance(attributes),
            arn,
            id,
            None,
            account,
            region,
            tags(db.tag_list()),
            provenance,
            unread,
        ));
    }
    found
}

/// The region's automated backups (every page): each names the instance it belongs to by
/// `DbiResourceId` and the window it can restore (`RestoreWindow`).
async fn automated_backups(
    ctx: &ServiceCtx<'_>,
    rds: &aws_sdk_rds::Client,
) -> Pages<DbInstanceAutomatedBackup> {
    ctx.recorder
        .pages(
            Paging::of(
                ctx.account,
                ctx.region,
                "rds:DescribeDBInstanceAutomatedBackups",
                "automated backups",
            ),
            |marker, c| {
                rds.describe_db_instance_automated_backups()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeDbInstanceAutomatedBackupsOutput| {
                (
                    out.db_instance_automated_backups().to_vec(),
                    out.marker().map(str::to_string),
                )
            },
        )
        .await
}

/// The earliest point-in-time an instance can be restored to: "RestoreWindow: The
/// earliest and latest time a DB instance can be restored to" of the automated backup
/// whose `DbiResourceId` and `DBInstanceIdentifier` are the instance's (the
/// DBInstanceAutomatedBackup data type; a retained backup of a deleted instance of the
/// same name has another resource id, a renamed instance another identifier). The
/// group `earliest_restorable_time` cites the listing, or is unread with its gap; an instance
/// without automated backups (retention 0) has none: null, read.
fn restore_window_start(
    db: &aws_sdk_rds::types::DbInstance,
    pages: &Pages<DbInstanceAutomatedBackup>,
    read: &mut Groups<'_>,
) -> Option<String> {
    if let Some(gap) = pages.gap() {
        read.unread_by("earliest_restorable_time", gap);
        return None;
    }
    if let Some(first) = pages.first_page() {
        read.cite("earliest_restorable_time", first.clone());
    }
    let resource_id = db.dbi_resource_id()?;
    pages
        .items
        .iter()
        .map(|(b, _)| b)
        .filter(|b| {
            b.dbi_resource_id() == Some(resource_id)
                && b.db_instance_identifier() == db.db_instance_identifier()
        })
        .filter_map(|b| b.restore_window().and_then(|w| w.earliest_time()))
        .min()
        .map(|t| t.to_string())
}

/// The DB snapshots of the region, with who a manual one is shared with.
async fn snapshots(ctx: &ServiceCtx<'_>, rds: &aws_sdk_rds::Client) -> Vec<Resource> {
    let (account, region) = (ctx.account, ctx.region);
    let snapshots = ctx
        .recorder
        .pages(
            Paging::listing(
                account,
                region,
                "rds:DescribeDBSnapshots",
                &["aws_rds_snapshot"],
            ),
            |marker, c| {
                rds.describe_db_snapshots()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeDbSnapshotsOutput| {
                (
                    out.db_snapshots().to_vec(),
                    out.marker().map(str::to_string),
                )
            },
        )
        .await
        .items;
    futures::stream::iter(snapshots.into_iter().map(|(s, p)| {
        async move {
            let id = s.db_snapshot_identifier().unwrap_or_default().to_string();
            let arn = s.db_snapshot_arn().map_or_else(
                || format!("arn:aws:rds:{region}:{account}:snapshot:{id}"),
                str::to_string,
            );
            let snapshot_type = s.snapshot_type().unwrap_or_default().to_string();
            let mut read = Groups::listed(ctx.recorder, account, region, &arn, p);
            // Only manual snapshots can be shared; automated ones are account-private.
            let shared_with = if snapshot_type == "manual" {
                read.read("shared_with", "rds:DescribeDBSnapshotAttributes", |c| {
                    rds.describe_db_snapshot_attributes()
                        .db_snapshot_identifier(&id)
                        .customize()
                        .interceptor(c)
                        .send()
                })
                .await
                .and_then(|out| {
                    out.db_snapshot_attributes_result().map(|r| {
                        r.db_snapshot_attributes()
                            .iter()
                            .filter(|a| a.attribute_name() == Some("restore"))
                            .flat_map(|a| a.attribute_values().iter().cloned())
                            .collect()
                    })
                })
                .unwrap_or_default()
            } else {
                Vec::new()
            };
            let attributes = RdsSnapshot {
                db_instance_id: s.db_instance_identifier().unwrap_or_default().to_string(),
                snapshot_type,
                created: s.snapshot_create_time().map(|t| t.to_string()),
                status: s.status().unwrap_or_default().to_string(),
                encryption: encryption(s.encrypted(), s.kms_key_id()),
                shared_with,
                source_snapshot: s.source_db_snapshot_identifier().map(str::to_string),
                source_region: s.source_region().map(str::to_string),
            };
            let (provenance, unread) = read.finish();
            resource(
                Attributes::RdsSnapshot(attributes),
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
    }))
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}
