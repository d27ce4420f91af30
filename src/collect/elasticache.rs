//! ElastiCache: every replication group (Redis OSS and Valkey, the nodes that hold the
//! data and its replicas) and every cache cluster outside one (Memcached, single-node
//! Redis OSS) of the region, with encryption at rest and in transit, snapshot retention,
//! and the regions of the other members of a global datastore.
//!
//! Cache clusters that belong to a replication group are its nodes: they are judged
//! through the group, not listed twice. The global datastores are read once per region,
//! only when a group of the region belongs to one: a failure leaves those groups'
//! `replica_regions` unread with its gap, never empty.

use aws_sdk_elasticache::Client;
use aws_sdk_elasticache::operation::describe_cache_clusters::DescribeCacheClustersOutput;
use aws_sdk_elasticache::operation::describe_global_replication_groups::DescribeGlobalReplicationGroupsOutput;
use aws_sdk_elasticache::operation::describe_replication_groups::DescribeReplicationGroupsOutput;
use aws_sdk_elasticache::types::{CacheCluster, GlobalReplicationGroup, ReplicationGroup};
use futures::StreamExt;

use super::aws::{Failure, FailureKind};
use super::read::{Groups, Pages, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{ElasticacheCluster, ElasticacheReplicationGroup, Encryption};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeReplicationGroups",
    ),
    (
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeCacheClusters",
    ),
    (
        "elasticache:DescribeGlobalReplicationGroups",
        "elasticache:DescribeGlobalReplicationGroups",
    ),
    (
        "elasticache:ListTagsForResource",
        "elasticache:ListTagsForResource",
    ),
];

/// `AtRestEncryptionEnabled` with `KmsKeyId`: "KmsKeyId: The ID of the KMS key used to
/// encrypt the disk in the cluster" (the ReplicationGroup data type); encrypted without
/// one, the data is under a key ElastiCache owns (the ElastiCache user guide, "At-Rest
/// Encryption in ElastiCache").
fn encryption(encrypted: Option<bool>, key: Option<&str>) -> Option<Encryption> {
    let enabled = encrypted.unwrap_or(false);
    Some(Encryption {
        enabled,
        algorithm: enabled.then(|| if key.is_some() { "aws:kms" } else { "AES256" }.to_string()),
        kms_key_arn: key.filter(|_| enabled).map(str::to_string),
    })
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_elasticache, ctx);
    let groups = replication_groups(ctx, &client).await;
    let global = if groups
        .iter()
        .any(|(g, _)| g.global_replication_group_info().is_some())
    {
        Some(global_datastores(ctx, &client).await)
    } else {
        None
    };
    let clusters = cache_clusters(ctx, &client).await;
    let mut found: Vec<Resource> = futures::stream::iter(
        groups
            .into_iter()
            .map(|(g, listed)| replication_group(ctx, &client, g, listed, global.as_ref())),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await;
    let standalone: Vec<Resource> = futures::stream::iter(
        clusters
            .into_iter()
            .map(|(c, listed)| cache_cluster(ctx, &client, c, listed)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await;
    found.extend(standalone);
    found
}

async fn replication_groups(
    ctx: &ServiceCtx<'_>,
    client: &Client,
) -> Vec<(ReplicationGroup, Provenance)> {
    ctx.recorder
        .pages(
            Paging::listing(
                ctx.account,
                ctx.region,
                "elasticache:DescribeReplicationGroups",
                &["aws_elasticache_replication_group"],
            ),
            |marker, c| {
                client
                    .describe_replication_groups()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeReplicationGroupsOutput| {
                (
                    out.replication_groups().to_vec(),
                    out.marker().map(str::to_string),
                )
            },
        )
        .await
        .items
}

/// The cache clusters outside any replication group
/// (`ShowCacheClustersNotInReplicationGroups`; the members a service returns anyway are
/// left out here too).
async fn cache_clusters(ctx: &ServiceCtx<'_>, client: &Client) -> Vec<(CacheCluster, Provenance)> {
    let mut clusters = ctx
        .recorder
        .pages(
            Paging::listing(
                ctx.account,
                ctx.region,
                "elasticache:DescribeCacheClusters",
                &["aws_elasticache_cluster"],
            ),
            |marker, c| {
                client
                    .describe_cache_clusters()
                    .show_cache_clusters_not_in_replication_groups(true)
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeCacheClustersOutput| {
                (
                    out.cache_clusters().to_vec(),
                    out.marker().map(str::to_string),
                )
            },
        )
        .await
        .items;
    clusters.retain(|(c, _)| c.replication_group_id().is_none());
    clusters
}

/// The global datastores seen from this region, with their members (every page).
async fn global_datastores(ctx: &ServiceCtx<'_>, client: &Client) -> Pages<GlobalReplicationGroup> {
    ctx.recorder
        .pages(
            Paging::of(
                ctx.account,
                ctx.region,
                "elasticache:DescribeGlobalReplicationGroups",
                "global datastores",
            ),
            |marker, c| {
                client
                    .describe_global_replication_groups()
                    .show_member_info(true)
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeGlobalReplicationGroupsOutput| {
                (
                    out.global_replication_groups().to_vec(),
                    out.marker().map(str::to_string),
                )
            },
        )
        .await
}

/// The regions of the other members of global datastore `id`, from the datastores read;
/// `Err` with the failure when the datastore was not among them.
fn member_regions(
    id: &str,
    region: &str,
    datastores: &[(GlobalReplicationGroup, Provenance)],
) -> Result<Vec<String>, Failure> {
    let Some(g) = datastores
        .iter()
        .map(|(g, _)| g)
        .find(|g| g.global_replication_group_id() == Some(id))
    else {
        return Err(Failure {
            kind: FailureKind::Service,
            code: "GlobalReplicationGroupNotListed".into(),
            message: format!(
                "the replication group belongs to global datastore {id}, which DescribeGlobalReplicationGroups did not list"
            ),
        });
    };
    let mut regions: Vec<String> = g
        .members()
        .iter()
        .filter_map(|m| m.replication_group_region())
        .filter(|r| *r != region)
        .map(str::to_string)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// One replication group: the listing's facts, its global datastore's other regions and
/// its tags.
async fn replication_group(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    g: ReplicationGroup,
    listed: Provenance,
    global: Option<&Pages<GlobalReplicationGroup>>,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = g.replication_group_id().unwrap_or_default().to_string();
    let arn = g.arn().map_or_else(
        || format!("arn:aws:elasticache:{region}:{account}:replicationgroup:{id}"),
        str::to_string,
    );
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed.clone());
    let global_id = g
        .global_replication_group_info()
        .and_then(|i| i.global_replication_group_id())
        .map(str::to_string);
    let mut replica_regions = Vec::new();
    match (&global_id, global) {
        (Some(gid), Some(pages)) => match pages.gap() {
            Some(gap) => read.unread_by("replica_regions", gap),
            None => match member_regions(gid, region, &pages.items) {
                Ok(regions) => {
                    replica_regions = regions;
                    if let Some(first) = pages.first_page() {
                        read.cite("replica_regions", first.clone());
                    }
                }
                Err(failure) => {
                    read.miss(
                        "replica_regions",
                        "elasticache:DescribeGlobalReplicationGroups",
                        &failure,
                    );
                }
            },
        },
        _ => read.cite("replica_regions", listed),
    }
    let attributes = ElasticacheReplicationGroup {
        status: g.status().unwrap_or_default().to_string(),
        engine: g.engine().map(str::to_string),
        node_type: g.cache_node_type().map(str::to_string),
        members: g.member_clusters().len() as i64,
        encryption: encryption(g.at_rest_encryption_enabled(), g.kms_key_id()),
        transit_encryption: g.transit_encryption_enabled().unwrap_or(false),
        auth_token_enabled: g.auth_token_enabled().unwrap_or(false),
        snapshot_retention_days: i64::from(g.snapshot_retention_limit().unwrap_or(0)),
        global_replication_group_id: global_id,
        replica_regions,
    };
    let tags = tags(&mut read, client, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::ElasticacheReplicationGroup(attributes),
        arn,
        id.clone(),
        Some(id),
        account,
        region,
        tags,
        provenance,
        unread,
    )
}

/// One cache cluster outside any replication group: the listing's facts and its tags.
async fn cache_cluster(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    c: CacheCluster,
    listed: Provenance,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = c.cache_cluster_id().unwrap_or_default().to_string();
    let arn = c.arn().map_or_else(
        || format!("arn:aws:elasticache:{region}:{account}:cluster:{id}"),
        str::to_string,
    );
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    // The CacheCluster data type names no KMS key: a cluster outside a replication group
    // is encrypted at rest, if at all, with a key ElastiCache owns.
    let attributes = ElasticacheCluster {
        status: c.cache_cluster_status().unwrap_or_default().to_string(),
        engine: c.engine().unwrap_or_default().to_string(),
        engine_version: c.engine_version().map(str::to_string),
        node_type: c.cache_node_type().map(str::to_string),
        nodes: c.num_cache_nodes().map(i64::from),
        encryption: encryption(c.at_rest_encryption_enabled(), None),
        transit_encryption: c.transit_encryption_enabled().unwrap_or(false),
        snapshot_retention_days: i64::from(c.snapshot_retention_limit().unwrap_or(0)),
    };
    let tags = tags(&mut read, client, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::ElasticacheCluster(attributes),
        arn,
        id.clone(),
        Some(id),
        account,
        region,
        tags,
        provenance,
        unread,
    )
}

/// The resource's tags; empty and unread when the call failed.
async fn tags(read: &mut Groups<'_>, client: &Client, arn: &str) -> Tags {
    read.read("tags", "elasticache:ListTagsForResource", |c| {
        client
            .list_tags_for_resource()
            .resource_name(arn)
            .customize()
            .interceptor(c)
            .send()
    })
    .await
    .map(|out| {
        out.tag_list()
            .iter()
            .filter_map(|t| {
                Some((
                    t.key()?.to_string(),
                    t.value().unwrap_or_default().to_string(),
                ))
            })
            .collect()
    })
    .unwrap_or_default()
}
