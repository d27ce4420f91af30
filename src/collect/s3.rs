//! S3: every bucket of the account (buckets are global; each is read in its own region),
//! with location, default encryption, versioning, lifecycle, replication, public access
//! block, object lock and tags. "Not configured" answers are data (null / empty); a denied
//! or failed read leaves that attribute group unread with a gap.

use std::collections::BTreeMap;

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::list_buckets::ListBucketsOutput;
use futures::StreamExt;

use super::aws::in_region;
use super::read::{Groups, Paging};
use super::recorder::CallError;
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::bucket_region;
use crate::snapshot::resources::{
    Encryption, LifecycleRule, ObjectLock, PublicAccessBlock, Replication, ReplicationDestination,
    S3Bucket, Transition, Versioning,
};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

const TYPES: &[&str] = &["aws_s3_bucket"];

fn client(ctx: &ServiceCtx, region: &str) -> Client {
    let config = in_region(ctx.config, region);
    // Emulators answer on one host: virtual-hosted addressing would resolve bucket.host.
    Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(ctx.endpoint_override)
            .build(),
    )
}

/// Collects every bucket, wherever it is: buckets outside the regions being scanned are
/// still reported, as where data lives is the point of residency rules.
pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let listing_client = client(ctx, ctx.config.region().map_or("us-east-1", |r| r.as_ref()));
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

    // First every bucket's location (replication destinations need them), then the rest.
    let listing_client = &listing_client;
    let locations: BTreeMap<String, Result<(String, Provenance), CallError>> =
        futures::stream::iter(buckets.iter().map(|(name, _, _)| async move {
            let result = ctx
                .recorder
                .call("global", "s3:GetBucketLocation", |c| {
                    listing_client
                        .get_bucket_location()
                        .bucket(name)
                        .customize()
                        .interceptor(c)
                        .send()
                })
                .await
                .map(|(out, p)| {
                    (
                        bucket_region(out.location_constraint().map_or("", |l| l.as_str())),
                        p,
                    )
                });
            (name.clone(), result)
        }))
        .buffer_unordered(ctx.concurrency)
        .collect()
        .await;
    let known_regions: BTreeMap<String, String> = locations
        .iter()
        .filter_map(|(n, r)| {
            r.as_ref()
                .ok()
                .map(|(region, _)| (n.clone(), region.clone()))
        })
        .collect();

    futures::stream::iter(buckets.iter().map(|(name, created, listed)| {
        let location = &locations[name];
        bucket(ctx, name, created.clone(), location, listed, &known_regions)
    }))
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// Reads one bucket's attribute groups.
async fn bucket(
    ctx: &ServiceCtx<'_>,
    name: &str,
    created: Option<String>,
    location: &Result<(String, Provenance), CallError>,
    listed: &Provenance,
    known_regions: &BTreeMap<String, String>,
) -> Resource {
    let arn = format!("arn:aws:s3:::{name}");
    let mut read = Groups::listed(ctx.recorder, ctx.account, "global", &arn, listed.clone());
    let region = match location {
        Ok((region, p)) => {
            read.cite("region", p.clone());
            region.clone()
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
    let s3 = client(ctx, &region);

    let mut attributes = S3Bucket {
        created,
        ..S3Bucket::default()
    };
    data_groups(&mut read, &s3, name, known_regions, &mut attributes).await;
    access_groups(&mut read, &s3, name, &mut attributes).await;
    let tags = tags(&mut read, &s3, name).await;

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
/// and replication.
async fn data_groups(
    read: &mut Groups<'_>,
    s3: &Client,
    name: &str,
    known_regions: &BTreeMap<String, String>,
    bucket: &mut S3Bucket,
) {
    // Each read: the value; a "not configured" error code: the empty value; else a gap.
    let encryption = read
        .read_optional(
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
        });
    let versioning = read
        .read("versioning", "s3:GetBucketVersioning", |c| {
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
        });
    let lifecycle_rules = read
        .read_optional(
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
        .map(|out| out.map(|out| lifecycle(out.rules())).unwrap_or_default());
    let replication = read
        .read_optional(
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
                .map(|config| replication(config, known_regions))
        });
    bucket.encryption = encryption;
    bucket.versioning = versioning;
    bucket.lifecycle_rules = lifecycle_rules;
    bucket.replication = replication.flatten();
}

/// Who can reach the data and whether it can be deleted: the public access block and
/// object lock.
async fn access_groups(read: &mut Groups<'_>, s3: &Client, name: &str, bucket: &mut S3Bucket) {
    let public_access_block = read
        .read_optional(
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
        });
    let object_lock = read
        .read_optional(
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
        });
    bucket.public_access_block = public_access_block.flatten();
    bucket.object_lock = object_lock.flatten();
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

/// A replication configuration, with each destination bucket's region when it is one of
/// the account's buckets whose location was read.
fn replication(
    config: &aws_sdk_s3::types::ReplicationConfiguration,
    known_regions: &BTreeMap<String, String>,
) -> Replication {
    Replication {
        role_arn: Some(config.role().to_string()).filter(|r| !r.is_empty()),
        destinations: config
            .rules()
            .iter()
            .filter_map(|rule| {
                let d = rule.destination()?;
                let bucket_name = d.bucket().trim_start_matches("arn:aws:s3:::").to_string();
                Some(ReplicationDestination {
                    rule_id: rule.id().unwrap_or_default().to_string(),
                    enabled: rule.status().as_str() == "Enabled",
                    bucket_arn: d.bucket().to_string(),
                    region: known_regions.get(&bucket_name).cloned(),
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
