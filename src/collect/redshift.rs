//! Redshift: every provisioned cluster of the region with its encryption at rest, public
//! accessibility, automated snapshot retention and cross-region snapshot copy (the region
//! its snapshots are copied to, and for how long); and every cluster snapshot the account
//! owns with the accounts it is shared with.
//!
//! Both listings carry everything read: `DescribeClusters` gives the snapshot copy status
//! of each cluster, `DescribeClusterSnapshots` the accounts with restore access of each
//! snapshot ("Visible only to the snapshot owner", the Snapshot data type), so no call is
//! made per resource.

use aws_sdk_redshift::operation::describe_cluster_snapshots::DescribeClusterSnapshotsOutput;
use aws_sdk_redshift::operation::describe_clusters::DescribeClustersOutput;
use aws_sdk_redshift::types::{Cluster, Snapshot, Tag};

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{Encryption, RedshiftCluster, RedshiftSnapshot};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("redshift:DescribeClusters", "redshift:DescribeClusters"),
    (
        "redshift:DescribeClusterSnapshots",
        "redshift:DescribeClusterSnapshots",
    ),
];

/// `Encrypted` and `KmsKeyId`: Redshift encrypts at rest only with KMS keys (or a
/// hardware security module, `HsmStatus`), the AWS managed `aws/redshift` key or a
/// customer managed one ("KmsKeyId: The Key Management Service (KMS) key ID of the
/// encryption key used to encrypt data in the cluster", the Cluster data type).
fn encryption(encrypted: Option<bool>, key: Option<&str>) -> Option<Encryption> {
    let enabled = encrypted.unwrap_or(false);
    Some(Encryption {
        enabled,
        algorithm: enabled.then(|| "aws:kms".to_string()),
        kms_key_arn: key.filter(|k| enabled && !k.is_empty()).map(str::to_string),
    })
}

fn tags(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_redshift, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let clusters = ctx
        .recorder
        .pages(
            Paging::listing(
                account,
                region,
                "redshift:DescribeClusters",
                &["aws_redshift_cluster"],
            ),
            |marker, c| {
                client
                    .describe_clusters()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeClustersOutput| {
                (out.clusters().to_vec(), out.marker().map(str::to_string))
            },
        )
        .await
        .items;
    let snapshots = ctx
        .recorder
        .pages(
            Paging::listing(
                account,
                region,
                "redshift:DescribeClusterSnapshots",
                &["aws_redshift_snapshot"],
            ),
            |marker, c| {
                client
                    .describe_cluster_snapshots()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeClusterSnapshotsOutput| {
                (out.snapshots().to_vec(), out.marker().map(str::to_string))
            },
        )
        .await
        .items;
    clusters
        .into_iter()
        .map(|(c, listed)| cluster(ctx, c, listed))
        .chain(
            snapshots
                .into_iter()
                .map(|(s, listed)| snapshot(ctx, s, listed)),
        )
        .collect()
}

/// One cluster, from its listing alone.
fn cluster(ctx: &ServiceCtx<'_>, c: Cluster, listed: Provenance) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = c.cluster_identifier().unwrap_or_default().to_string();
    // The Cluster data type carries no ARN; this is the documented form
    // (arn:aws:redshift:region:account-id:cluster:cluster-name, Redshift's resource types
    // in the Service Authorization Reference).
    let arn = format!("arn:aws:redshift:{region}:{account}:cluster:{id}");
    let read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let copy = c.cluster_snapshot_copy_status();
    let attributes = RedshiftCluster {
        status: c.cluster_status().unwrap_or_default().to_string(),
        node_type: c.node_type().map(str::to_string),
        nodes: c.number_of_nodes().map(i64::from),
        created: c.cluster_create_time().map(|t| t.to_string()),
        encryption: encryption(c.encrypted(), c.kms_key_id()),
        publicly_accessible: c.publicly_accessible().unwrap_or(false),
        automated_snapshot_retention_days: i64::from(
            c.automated_snapshot_retention_period().unwrap_or(0),
        ),
        manual_snapshot_retention_days: c.manual_snapshot_retention_period().map(i64::from),
        snapshot_copy_region: copy
            .and_then(|s| s.destination_region())
            .map(str::to_string),
        snapshot_copy_retention_days: copy.and_then(|s| s.retention_period()),
    };
    let (provenance, unread) = read.finish();
    resource(
        Attributes::RedshiftCluster(attributes),
        arn,
        id.clone(),
        Some(id),
        account,
        region,
        tags(c.tags()),
        provenance,
        unread,
    )
}

/// One cluster snapshot, from its listing alone.
fn snapshot(ctx: &ServiceCtx<'_>, s: Snapshot, listed: Provenance) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = s.snapshot_identifier().unwrap_or_default().to_string();
    let cluster_id = s.cluster_identifier().unwrap_or_default().to_string();
    // "arn:aws:redshift:region:account-id:snapshot:cluster-name/snapshot-name" (Redshift's
    // resource types in the Service Authorization Reference) when the listing gives none.
    let arn = s.snapshot_arn().map_or_else(
        || format!("arn:aws:redshift:{region}:{account}:snapshot:{cluster_id}/{id}"),
        str::to_string,
    );
    let read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let mut shared_with: Vec<String> = s
        .accounts_with_restore_access()
        .iter()
        .filter_map(|a| a.account_id().map(str::to_string))
        .collect();
    shared_with.sort();
    shared_with.dedup();
    let attributes = RedshiftSnapshot {
        cluster_id,
        snapshot_type: s.snapshot_type().unwrap_or_default().to_string(),
        created: s.snapshot_create_time().map(|t| t.to_string()),
        status: s.status().unwrap_or_default().to_string(),
        encryption: encryption(s.encrypted(), s.kms_key_id()),
        source_region: s.source_region().map(str::to_string),
        shared_with,
    };
    let (provenance, unread) = read.finish();
    resource(
        Attributes::RedshiftSnapshot(attributes),
        arn,
        id.clone(),
        Some(id),
        account,
        region,
        tags(s.tags()),
        provenance,
        unread,
    )
}
