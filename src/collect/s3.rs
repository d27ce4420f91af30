//! S3: every bucket of the account (buckets are global; each is read in its own region),
//! with location, default encryption, versioning, lifecycle, replication, public access
//! block, object lock and tags. "Not configured" answers are data (null / empty); a denied
//! or failed read leaves that attribute group unread with a gap.
//!
//! Each bucket is one pipeline: its location, then its seven settings at once, in its
//! region, through one client per region shared by every bucket there (one connection
//! pool, one set of endpoint rules). No bucket waits for another's location: on AWS, where
//! a call takes tens of milliseconds, reading every location first and each bucket's
//! settings one after another left most of the allowed calls unused.

use std::collections::BTreeMap;
use std::sync::Mutex;

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::list_buckets::ListBucketsOutput;
use futures::StreamExt;

use super::aws::in_region;
use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::bucket_region;
use crate::snapshot::resources::{
    Encryption, LifecycleRule, ObjectLock, PublicAccessBlock, Replication, ReplicationDestination,
    S3Bucket, Transition, Versioning,
};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("s3:ListBuckets", "s3:ListAllMyBuckets"),
    ("s3:GetBucketLocation", "s3:GetBucketLocation"),
    ("s3:GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    ("s3:GetBucketVersioning", "s3:GetBucketVersioning"),
    (
        "s3:GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
    ),
    ("s3:GetBucketReplication", "s3:GetReplicationConfiguration"),
    ("s3:GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
    (
        "s3:GetObjectLockConfiguration",
        "s3:GetBucketObjectLockConfiguration",
    ),
    ("s3:GetBucketTagging", "s3:GetBucketTagging"),
    super::s3_backups::OPERATION,
];

const TYPES: &[&str] = &["aws_s3_bucket"];

/// One S3 client per region, built on first use and shared by the buckets there.
struct Clients<'a, 'b> {
    ctx: &'a ServiceCtx<'b>,
    by_region: Mutex<BTreeMap<String, Client>>,
}

impl<'a, 'b> Clients<'a, 'b> {
    fn new(ctx: &'a ServiceCtx<'b>) -> Self {
        Clients {
            ctx,
            by_region: Mutex::new(BTreeMap::new()),
        }
    }

    /// The client for `region` (a clone shares the client's connections).
    fn get(&self, region: &str) -> Client {
        let mut clients = self.by_region.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(region.to_string())
            .or_insert_with(|| client(self.ctx, region))
            .clone()
    }
}

fn client(ctx: &ServiceCtx, region: &str) -> Client {
    let config = in_region(ctx.config, region);
    // Emulators answer on one host: virtual-hosted addressing would resolve bucket.host.
    Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(ctx.endpoint_override)
            .retry_partition(ctx.retry_partition_in("aws_sdk_s3", region))
            .build(),
    )
}

/// Collects every bucket, wherever it is: buckets outside the regions being scanned are
/// still reported, as where data lives is the point of residency rules.
pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let clients = Clients::new(ctx);
    let listing_client = clients.get(ctx.config.region().map_or("us-east-1", |r| r.as_ref()));
    let listing = ctx
        .recorder
        .pages(
            Paging::listing(ctx.account, "global", "s3:ListBuckets", TYPES),
            |token, c| {
                listing_client
                    .list_buckets()
                    .set_continuation_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListBucketsOutput| {
                let buckets = out
                    .buckets()
                    .iter()
                    .filter_map(|b| {
                        b.name()
                            .map(|n| (n.to_string(), b.creation_date().map(|d| d.to_string())))
                    })
                    .collect();
                (buckets, out.continuation_token().map(str::to_string))
            },
        )
        .await;
    // Each bucket cites the listing page it was on.
    let Some(buckets) = listing.complete() else {
        return Vec::new();
    };
    let buckets: Vec<(String, Option<String>, Provenance)> = buckets
        .into_iter()
        .map(|((name, created), listed)| (name, created, listed))
        .collect();

    let listing_client = &listing_client;
    let clients = &clients;
    let mut found: Vec<Resource> =
        futures::stream::iter(buckets.iter().map(|(name, created, listed)| {
            bucket(ctx, clients, listing_client, name, created.clone(), listed)
        }))
        .buffer_unordered(ctx.concurrency)
        .collect()
        .await;
    locate_replica_buckets(&mut found);
    let backups = backup_locations(ctx, clients, &found).await;
    found.extend(backups);
    found
}

/// The backup objects under each location the profile names in one of this account's
/// buckets, listed in the bucket's region (a bucket whose region could not be read is
/// left to [`super::s3_backups::unfound_locations`]).
async fn backup_locations(
    ctx: &ServiceCtx<'_>,
    clients: &Clients<'_, '_>,
    buckets: &[Resource],
) -> Vec<Resource> {
    let mut found = Vec::new();
    for bucket in buckets {
        let named = ctx
            .backup_locations
            .iter()
            .any(|l| super::s3_backups::Location::parse(l).bucket == bucket.id);
        if !named || !bucket.provenance.contains_key("region") {
            continue;
        }
        let s3 = clients.get(&bucket.region);
        found.extend(super::s3_backups::read_bucket(ctx, &s3, &bucket.id, &bucket.region).await);
    }
    found
}

/// Gives each replication destination that is one of the account's buckets the region its
/// own GetBucketLocation answered (none when that read failed, or the bucket is not the
/// account's), once every bucket has been read.
fn locate_replica_buckets(found: &mut [Resource]) {
    let regions: BTreeMap<String, String> = found
        .iter()
        .filter(|r| r.provenance.contains_key("region"))
        .map(|r| (r.id.clone(), r.region.clone()))
        .collect();
    for r in found.iter_mut() {
        if let Attributes::S3Bucket(S3Bucket {
            replication: Some(replication),
            ..
        }) = &mut r.attributes
        {
            for d in &mut replication.destinations {
                let name = d.bucket_arn.trim_start_matches("arn:aws:s3:::");
                d.region = regions.get(name).cloned();
            }
        }
    }
}

/// Reads one bucket: its location, then every setting at once in the bucket's region.
async fn bucket(
    ctx: &ServiceCtx<'_>,
    clients: &Clients<'_, '_>,
    listing_client: &Client,
    name: &str,
    created: Option<String>,
    listed: &Provenance,
) -> Resource {
    let arn = format!("arn:aws:s3:::{name}");
    let mut read = Groups::listed(ctx.recorder, ctx.account, "global", &arn, listed.clone());
    let location = ctx
        .recorder
        .call(ctx.account, "global", "s3:GetBucketLocation", |c| {
            listing_client
                .get_bucket_location()
                .bucket(name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    let region = match location {
        Ok((out, p)) => {
            read.cite("region", p);
            bucket_region(out.location_constraint().map_or("", |l| l.as_str()))
        }
        Err(e) => {
            read.miss("region", "s3:GetBucketLocation", &e.failure);
            // The bucket cannot be read anywhere else either: report what we know.
            let attributes = S3Bucket {
                created,
                ..S3Bucket::default()
            };
            let (provenance, unread) = read.finish();
            return resource(
                Attributes::S3Bucket(attributes),
                arn,
                name.to_string(),
                None,
                ctx.account,
                "unknown",
                Tags::new(),
                provenance,
                unread,
            );
        }
    };
    let s3 = clients.get(&region);

    let mut attributes = S3Bucket {
        created,
        ..S3Bucket::default()
    };
    // Independent reads, all at once: each group set records its citations and gaps
    // apart, joined afterwards in a fixed order (the snapshot does not depend on which
    // answer came first).
    let (mut data, mut access, mut tagging) = (read.fork(), read.fork(), read.fork());
    let (
        (encryption, versioning, lifecycle_rules, replication),
        (public_access_block, object_lock),
        tags,
    ) = futures::join!(
        data_groups(&mut data, &s3, name),
        access_groups(&mut access, &s3, name),
        tags(&mut tagging, &s3, name),
    );
    for groups in [data, access, tagging] {
        read.absorb(groups);
    }
    attributes.encryption = encryption;
    attributes.versioning = versioning;
    attributes.lifecycle_rules = lifecycle_rules;
    attributes.replication = replication;
    attributes.public_access_block = public_access_block;
    attributes.object_lock = object_lock;

    let (provenance, unread) = read.finish();
    resource(
        Attributes::S3Bucket(attributes),
        arn,
        name.to_string(),
        None,
        ctx.account,
        &region,
        tags,
        provenance,
        unread,
    )
}

/// What the bucket holds and where copies go: default encryption, versioning, lifecycle
/// and replication, read at once. (Replication destinations get their region later:
/// [`locate_replica_buckets`].)
async fn data_groups(
    read: &mut Groups<'_>,
    s3: &Client,
    name: &str,
) -> (
    Option<Encryption>,
    Option<Versioning>,
    Option<Vec<LifecycleRule>>,
    Option<Replication>,
) {
    let (mut e, mut v, mut l, mut r) = (read.fork(), read.fork(), read.fork(), read.fork());
    // Each read: the value; a "not configured" error code: the empty value; else a gap.
    let encryption = async {
        e.read_optional(
            &["encryption"],
            "s3:GetBucketEncryption",
            &["ServerSideEncryptionConfigurationNotFoundError"],
            |c| {
                s3.get_bucket_encryption()
                    .bucket(name)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .map(|out| {
            let default = out.as_ref().and_then(|out| {
                out.server_side_encryption_configuration()
                    .and_then(|c| c.rules().first())
                    .and_then(|r| r.apply_server_side_encryption_by_default())
            });
            match default {
                Some(d) => Encryption {
                    enabled: true,
                    algorithm: Some(d.sse_algorithm().as_str().to_string()),
                    kms_key_arn: d.kms_master_key_id().map(str::to_string),
                },
                None => Encryption::default(),
            }
        })
    };
    let versioning = async {
        v.read("versioning", "s3:GetBucketVersioning", |c| {
            s3.get_bucket_versioning()
                .bucket(name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .map(|out| Versioning {
            status: out
                .status()
                .map_or("Disabled".to_string(), |s| s.as_str().to_string()),
            mfa_delete: out.mfa_delete().is_some_and(|m| m.as_str() == "Enabled"),
        })
    };
    let lifecycle_rules = async {
        l.read_optional(
            &["lifecycle_rules"],
            "s3:GetBucketLifecycleConfiguration",
            &["NoSuchLifecycleConfiguration"],
            |c| {
                s3.get_bucket_lifecycle_configuration()
                    .bucket(name)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .map(|out| out.map(|out| lifecycle(out.rules())).unwrap_or_default())
    };
    let replication = async {
        r.read_optional(
            &["replication"],
            "s3:GetBucketReplication",
            &["ReplicationConfigurationNotFoundError"],
            |c| {
                s3.get_bucket_replication()
                    .bucket(name)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .map(|out| {
            out.as_ref()
                .and_then(|out| out.replication_configuration())
                .map(replication)
        })
    };
    let read_all = futures::join!(encryption, versioning, lifecycle_rules, replication);
    for groups in [e, v, l, r] {
        read.absorb(groups);
    }
    let (encryption, versioning, lifecycle_rules, replication) = read_all;
    (
        encryption,
        versioning,
        lifecycle_rules,
        replication.flatten(),
    )
}

/// Who can reach the data and whether it can be deleted: the public access block and
/// object lock, read at once.
async fn access_groups(
    read: &mut Groups<'_>,
    s3: &Client,
    name: &str,
) -> (Option<PublicAccessBlock>, Option<ObjectLock>) {
    let (mut p, mut o) = (read.fork(), read.fork());
    let public_access_block = async {
        p.read_optional(
            &["public_access_block"],
            "s3:GetPublicAccessBlock",
            &["NoSuchPublicAccessBlockConfiguration"],
            |c| {
                s3.get_public_access_block()
                    .bucket(name)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .map(|out| {
            out.as_ref()
                .and_then(|out| out.public_access_block_configuration())
                .map(|p| PublicAccessBlock {
                    block_public_acls: p.block_public_acls().unwrap_or(false),
                    ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                    block_public_policy: p.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                })
        })
    };
    let object_lock = async {
        o.read_optional(
            &["object_lock"],
            "s3:GetObjectLockConfiguration",
            &["ObjectLockConfigurationNotFoundError"],
            |c| {
                s3.get_object_lock_configuration()
                    .bucket(name)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .map(|out| {
            out.as_ref()
                .and_then(|out| out.object_lock_configuration())
                .map(|o| {
                    let retention = o.rule().and_then(|r| r.default_retention());
                    ObjectLock {
                        enabled: o
                            .object_lock_enabled()
                            .is_some_and(|e| e.as_str() == "Enabled"),
                        mode: retention
                            .and_then(|r| r.mode())
                            .map(|m| m.as_str().to_string()),
                        retention_days: retention.and_then(|r| {
                            r.days()
                                .map(i64::from)
                                .or_else(|| r.years().map(|y| i64::from(y) * 365))
                        }),
                    }
                })
        })
    };
    let (public_access_block, object_lock) = futures::join!(public_access_block, object_lock);
    for groups in [p, o] {
        read.absorb(groups);
    }
    (public_access_block.flatten(), object_lock.flatten())
}

/// The bucket's tags (none when it has no tag set); empty and unread when the call failed.
async fn tags(read: &mut Groups<'_>, s3: &Client, name: &str) -> Tags {
    let tags = read
        .read_optional(&["tags"], "s3:GetBucketTagging", &["NoSuchTagSet"], |c| {
            s3.get_bucket_tagging()
                .bucket(name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .map(|out| {
            out.map(|out| {
                out.tag_set()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect::<Tags>()
            })
            .unwrap_or_default()
        });

    tags.unwrap_or_default()
}

fn lifecycle(rules: &[aws_sdk_s3::types::LifecycleRule]) -> Vec<LifecycleRule> {
    rules
        .iter()
        .map(|r| LifecycleRule {
            id: r.id().unwrap_or_default().to_string(),
            enabled: r.status().as_str() == "Enabled",
            prefix: r.filter().and_then(|f| f.prefix()).map(str::to_string),
            transitions: r
                .transitions()
                .iter()
                .map(|t| Transition {
                    days: i64::from(t.days().unwrap_or(0)),
                    storage_class: t
                        .storage_class()
                        .map_or(String::new(), |s| s.as_str().to_string()),
                })
                .collect(),
            expiration_days: r.expiration().and_then(|e| e.days()).map(i64::from),
            noncurrent_expiration_days: r
                .noncurrent_version_expiration()
                .and_then(|e| e.noncurrent_days())
                .map(i64::from),
        })
        .collect()
}

/// A replication configuration (each destination's region is left for
/// [`locate_replica_buckets`]).
fn replication(config: &aws_sdk_s3::types::ReplicationConfiguration) -> Replication {
    Replication {
        role_arn: Some(config.role().to_string()).filter(|r| !r.is_empty()),
        destinations: config
            .rules()
            .iter()
            .filter_map(|rule| {
                let d = rule.destination()?;
                Some(ReplicationDestination {
                    rule_id: rule.id().unwrap_or_default().to_string(),
                    enabled: rule.status().as_str() == "Enabled",
                    bucket_arn: d.bucket().to_string(),
                    // The destination's region, when it is one of the account's buckets:
                    // filled in once every bucket's location is known.
                    region: None,
                    account: d.account().map(str::to_string),
                    kms_key_arn: d
                        .encryption_configuration()
                        .and_then(|e| e.replica_kms_key_id())
                        .map(str::to_string),
                })
            })
            .collect(),
    }
}
