//! ECR: every private repository of the region with its encryption at rest, the regions
//! and registries the registry's replication copies it to, and its repository policy.
//! Images are not read.
//!
//! `DescribeRepositories` gives the encryption of every repository in its pages; the
//! registry's replication configuration is read once for all of them (`DescribeRegistry`),
//! the policy and tags once per repository.

use std::collections::BTreeSet;

use aws_sdk_ecr::Client;
use aws_sdk_ecr::operation::describe_registry::DescribeRegistryOutput;
use aws_sdk_ecr::operation::describe_repositories::DescribeRepositoriesOutput;
use aws_sdk_ecr::types::{EncryptionType, ReplicationRule, Repository, RepositoryFilterType};
use futures::StreamExt;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::{EcrRepository, Encryption};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("ecr:DescribeRepositories", "ecr:DescribeRepositories"),
    ("ecr:DescribeRegistry", "ecr:DescribeRegistry"),
    ("ecr:GetRepositoryPolicy", "ecr:GetRepositoryPolicy"),
    ("ecr:ListTagsForResource", "ecr:ListTagsForResource"),
];

const TYPES: &[&str] = &["aws_ecr_repository"];

/// The registry's replication, read once per region: its rules and the response they
/// came from, or the gap that left them unread.
type Registry = Result<(Vec<ReplicationRule>, Provenance), String>;

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_ecr, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let repositories = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "ecr:DescribeRepositories", TYPES),
            |token, c| {
                client
                    .describe_repositories()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeRepositoriesOutput| {
                (
                    out.repositories().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    if repositories.is_empty() {
        return Vec::new();
    }
    let registry = registry(ctx, &client).await;
    futures::stream::iter(
        repositories
            .into_iter()
            .map(|(r, listed)| repository(ctx, &client, r, listed, &registry)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// The registry's replication rules (`DescribeRegistry`, `replicationConfiguration`); a
/// registry without replication has none.
async fn registry(ctx: &ServiceCtx<'_>, client: &Client) -> Registry {
    let mut read = Groups::new(ctx.recorder, ctx.account, ctx.region, "ECR registry");
    let out: Option<DescribeRegistryOutput> = read
        .read("replication", "ecr:DescribeRegistry", |c| {
            client.describe_registry().customize().interceptor(c).send()
        })
        .await;
    let (provenance, unread) = read.finish();
    match (out, provenance.get("replication")) {
        (Some(out), Some(p)) => Ok((
            out.replication_configuration()
                .map(|c| c.rules().to_vec())
                .unwrap_or_default(),
            p.clone(),
        )),
        _ => Err(unread.into_iter().next().map(|u| u.gap).unwrap_or_default()),
    }
}

/// The regions and registries the rules copy repository `name` to: every destination of
/// a rule without filters or with a filter its name starts with ("PREFIX_MATCH", the only
/// filter type, the `RepositoryFilter` data type), other than the repository's own region
/// and account.
fn replicas(
    name: &str,
    rules: &[ReplicationRule],
    account: &str,
    region: &str,
) -> (Vec<String>, Vec<String>) {
    let (mut regions, mut accounts) = (BTreeSet::new(), BTreeSet::new());
    for rule in rules {
        let filters = rule.repository_filters();
        let matches = filters.is_empty()
            || filters.iter().any(|f| {
                *f.filter_type() != RepositoryFilterType::PrefixMatch
                    || name.starts_with(f.filter())
            });
        if !matches {
            continue;
        }
        for d in rule.destinations() {
            if d.region() != region {
                regions.insert(d.region().to_string());
            }
            if d.registry_id() != account {
                accounts.insert(d.registry_id().to_string());
            }
        }
    }
    (
        regions.into_iter().collect(),
        accounts.into_iter().collect(),
    )
}

/// The repository's encryption: ECR encrypts every repository, with keys it owns
/// (`AES256`) or with KMS (`KMS`, `KMS_DSSE`), whose key is `kmsKey` or, without one, the
/// AWS managed key `aws/ecr` (the `EncryptionConfiguration` data type).
fn encryption(r: &Repository) -> (Encryption, bool) {
    let Some(e) = r.encryption_configuration() else {
        // "By default, when no encryption configuration is set [...] Amazon ECR uses
        // server-side encryption with Amazon S3-managed encryption keys which encrypts
        // your data at rest using an AES256 encryption algorithm" (same reference).
        return (
            Encryption {
                enabled: true,
                algorithm: Some("AES256".into()),
                kms_key_arn: None,
            },
            false,
        );
    };
    let algorithm = match e.encryption_type() {
        EncryptionType::Kms => "aws:kms",
        EncryptionType::KmsDsse => "aws:kms:dsse",
        _ => "AES256",
    };
    let kms = algorithm != "AES256";
    let key = e.kms_key().filter(|_| kms).map(str::to_string);
    let aws_managed = kms && key.is_none();
    (
        Encryption {
            enabled: true,
            algorithm: Some(algorithm.into()),
            kms_key_arn: key,
        },
        aws_managed,
    )
}

/// One repository: the listing's facts, its replicas, its policy and its tags.
async fn repository(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    r: Repository,
    listed: Provenance,
    registry: &Registry,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let name = r.repository_name().unwrap_or_default().to_string();
    let arn = r.repository_arn().map_or_else(
        || format!("arn:aws:ecr:{region}:{account}:repository/{name}"),
        str::to_string,
    );
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let (encryption, aws_managed_key) = encryption(&r);
    let mut attributes = EcrRepository {
        created: r.created_at().map(|t| t.to_string()),
        uri: r.repository_uri().map(str::to_string),
        encryption: Some(encryption),
        aws_managed_key,
        image_tag_mutability: r.image_tag_mutability().map(|m| m.as_str().to_string()),
        scan_on_push: r
            .image_scanning_configuration()
            .is_some_and(|s| s.scan_on_push()),
        ..EcrRepository::default()
    };
    match registry {
        Ok((rules, provenance)) => {
            let owner = r.registry_id().unwrap_or(account);
            (attributes.replica_regions, attributes.replica_accounts) =
                replicas(&name, rules, owner, region);
            read.cite("replica_regions", provenance.clone());
            read.cite("replica_accounts", provenance.clone());
        }
        Err(gap) => {
            read.unread_by("replica_regions", gap);
            read.unread_by("replica_accounts", gap);
        }
    }
    // "RepositoryPolicyNotFoundException: The specified repository and registry
    // combination does not have an associated repository policy" (GetRepositoryPolicy):
    // no policy, which the snapshot states as null.
    if let Some(out) = read
        .read_optional(
            &["policy"],
            "ecr:GetRepositoryPolicy",
            &["RepositoryPolicyNotFoundException"],
            |c| {
                client
                    .get_repository_policy()
                    .repository_name(&name)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
    {
        attributes.policy = out
            .and_then(|o| o.policy_text().map(policy_document))
            .unwrap_or(serde_json::Value::Null);
    }
    let tags = tags(&mut read, client, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::EcrRepository(attributes),
        arn,
        name.clone(),
        Some(name),
        account,
        region,
        tags,
        provenance,
        unread,
    )
}

/// The repository's tags; empty and unread when the call failed.
async fn tags(read: &mut Groups<'_>, client: &Client, arn: &str) -> Tags {
    read.read("tags", "ecr:ListTagsForResource", |c| {
        client
            .list_tags_for_resource()
            .resource_arn(arn)
            .customize()
            .interceptor(c)
            .send()
    })
    .await
    .map(|out| {
        out.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use aws_sdk_ecr::types::{ReplicationDestination, RepositoryFilter};

    use super::*;

    fn rule(filter: Option<&str>, region: &str, registry: &str) -> ReplicationRule {
        let mut b = ReplicationRule::builder().destinations(
            ReplicationDestination::builder()
                .region(region)
                .registry_id(registry)
                .build()
                .unwrap(),
        );
        if let Some(f) = filter {
            b = b.repository_filters(
                RepositoryFilter::builder()
                    .filter(f)
                    .filter_type(RepositoryFilterType::PrefixMatch)
                    .build()
                    .unwrap(),
            );
        }
        b.build().unwrap()
    }

    #[test]
    fn a_repository_is_copied_by_the_rules_whose_prefix_it_has() {
        let rules = [
            rule(Some("prod/"), "us-east-1", "111122223333"),
            rule(None, "ap-southeast-4", "444455556666"),
            rule(Some("dev/"), "eu-west-1", "111122223333"),
        ];
        assert_eq!(
            replicas("prod/api", &rules, "111122223333", "ap-southeast-2"),
            (
                vec!["ap-southeast-4".to_string(), "us-east-1".to_string()],
                vec!["444455556666".to_string()]
            )
        );
        let same_region = [rule(None, "ap-southeast-2", "111122223333")];
        assert_eq!(
            replicas("x", &same_region, "111122223333", "ap-southeast-2"),
            (Vec::new(), Vec::new())
        );
    }
}
