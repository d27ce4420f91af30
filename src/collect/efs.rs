//! EFS: every file system of the region with its encryption at rest, whether AWS Backup
//! backs it up automatically, and the regions it replicates to (or from).
//!
//! `DescribeFileSystems` gives the encryption and tags of every file system in its pages;
//! the replication configurations of the region are read once for all of them, the
//! backup policy once per file system.

use std::collections::BTreeSet;

use aws_sdk_efs::Client;
use aws_sdk_efs::operation::describe_file_systems::DescribeFileSystemsOutput;
use aws_sdk_efs::operation::describe_replication_configurations::DescribeReplicationConfigurationsOutput;
use aws_sdk_efs::types::{FileSystemDescription, ReplicationConfigurationDescription, Status};
use futures::StreamExt;

use super::read::{Groups, Pages, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{EfsFileSystem, Encryption};
use crate::snapshot::{Attributes, Provenance, Resource};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (
        "elasticfilesystem:DescribeFileSystems",
        "elasticfilesystem:DescribeFileSystems",
    ),
    (
        "elasticfilesystem:DescribeBackupPolicy",
        "elasticfilesystem:DescribeBackupPolicy",
    ),
    (
        "elasticfilesystem:DescribeReplicationConfigurations",
        "elasticfilesystem:DescribeReplicationConfigurations",
    ),
];

const TYPES: &[&str] = &["aws_efs_file_system"];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_efs, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let file_systems = ctx
        .recorder
        .pages(
            Paging::listing(
                account,
                region,
                "elasticfilesystem:DescribeFileSystems",
                TYPES,
            ),
            |marker, c| {
                client
                    .describe_file_systems()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeFileSystemsOutput| {
                (
                    out.file_systems().to_vec(),
                    out.next_marker().map(str::to_string),
                )
            },
        )
        .await
        .items;
    if file_systems.is_empty() {
        return Vec::new();
    }
    let replications = replications(ctx, &client).await;
    futures::stream::iter(
        file_systems
            .into_iter()
            .map(|(fs, listed)| file_system(ctx, &client, fs, listed, &replications)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// The region's replication configurations, every page: "If you do not specify a file
/// system, all of the replication configurations for the Amazon Web Services account in
/// an Amazon Web Services Region are retrieved" (DescribeReplicationConfigurations).
async fn replications(
    ctx: &ServiceCtx<'_>,
    client: &Client,
) -> Pages<ReplicationConfigurationDescription> {
    ctx.recorder
        .pages(
            Paging::of(
                ctx.account,
                ctx.region,
                "elasticfilesystem:DescribeReplicationConfigurations",
                "replication configurations",
            ),
            |token, c| {
                client
                    .describe_replication_configurations()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeReplicationConfigurationsOutput| {
                (
                    out.replications().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
}

/// The regions of the other copies of `id`: the destinations of a configuration whose
/// source it is, and the source region of one it is a destination of.
fn replica_regions(
    id: &str,
    configurations: &[ReplicationConfigurationDescription],
) -> Vec<String> {
    let mut regions = BTreeSet::new();
    for c in configurations {
        if c.source_file_system_id() == id {
            regions.extend(c.destinations().iter().map(|d| d.region().to_string()));
        } else if c.destinations().iter().any(|d| d.file_system_id() == id) {
            regions.insert(c.source_file_system_region().to_string());
        }
    }
    regions.into_iter().collect()
}

/// One file system: the listing's facts, its backup policy and its replication.
async fn file_system(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    fs: FileSystemDescription,
    listed: Provenance,
    replications: &Pages<ReplicationConfigurationDescription>,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = fs.file_system_id().to_string();
    let arn = fs.file_system_arn().map_or_else(
        || format!("arn:aws:elasticfilesystem:{region}:{account}:file-system/{id}"),
        str::to_string,
    );
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let encrypted = fs.encrypted().unwrap_or(false);
    let mut attributes = EfsFileSystem {
        state: fs.life_cycle_state().as_str().to_string(),
        created: Some(fs.creation_time().to_string()),
        size_bytes: fs.size_in_bytes().map(|s| s.value()),
        availability_zone: fs.availability_zone_name().map(str::to_string),
        // "KmsKeyId: The ID of an KMS key used to protect the encrypted file system"
        // (the FileSystemDescription data type); EFS encrypts only with KMS keys.
        encryption: Some(Encryption {
            enabled: encrypted,
            algorithm: encrypted.then(|| "aws:kms".to_string()),
            kms_key_arn: fs.kms_key_id().filter(|_| encrypted).map(str::to_string),
        }),
        ..EfsFileSystem::default()
    };
    // "PolicyNotFound: Returned if the default file system policy is in effect for the
    // EFS file system specified" (DescribeBackupPolicy): no backup policy, so automatic
    // backups are off.
    attributes.automatic_backups = read
        .read_optional(
            &["automatic_backups"],
            "elasticfilesystem:DescribeBackupPolicy",
            &["PolicyNotFound"],
            |c| {
                client
                    .describe_backup_policy()
                    .file_system_id(&id)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
        .map(|out| {
            out.and_then(|o| o.backup_policy().map(|p| p.status().clone())) == Some(Status::Enabled)
        });
    match replications.gap() {
        Some(gap) => read.unread_by("replica_regions", gap),
        None => {
            let configurations: Vec<ReplicationConfigurationDescription> =
                replications.items.iter().map(|(c, _)| c.clone()).collect();
            attributes.replica_regions = replica_regions(&id, &configurations);
            if let Some(first) = replications.first_page() {
                read.cite("replica_regions", first.clone());
            }
        }
    }
    let tags = fs
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    let name = fs.name().map(str::to_string);
    let (provenance, unread) = read.finish();
    resource(
        Attributes::EfsFileSystem(attributes),
        arn,
        id,
        name,
        account,
        region,
        tags,
        provenance,
        unread,
    )
}

#[cfg(test)]
mod tests {
    use aws_sdk_efs::types::{Destination, ReplicationStatus};

    use super::*;

    fn configuration(
        source: &str,
        destination: &str,
        region: &str,
    ) -> ReplicationConfigurationDescription {
        ReplicationConfigurationDescription::builder()
            .source_file_system_id(source)
            .source_file_system_region("ap-southeast-2")
            .source_file_system_arn(format!(
                "arn:aws:elasticfilesystem:ap-southeast-2:1:file-system/{source}"
            ))
            .original_source_file_system_arn(format!(
                "arn:aws:elasticfilesystem:ap-southeast-2:1:file-system/{source}"
            ))
            .creation_time(aws_smithy_types::DateTime::from_secs(0))
            .destinations(
                Destination::builder()
                    .status(ReplicationStatus::Enabled)
                    .file_system_id(destination)
                    .region(region)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn a_source_has_its_destinations_regions_and_a_destination_its_sources() {
        let configurations = [
            configuration("fs-source", "fs-copy", "eu-west-1"),
            configuration("fs-other", "fs-other-copy", "us-east-1"),
        ];
        assert_eq!(
            replica_regions("fs-source", &configurations),
            vec!["eu-west-1"]
        );
        assert_eq!(
            replica_regions("fs-copy", &configurations),
            vec!["ap-southeast-2"]
        );
        assert!(replica_regions("fs-alone", &configurations).is_empty());
    }
}
