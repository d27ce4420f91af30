//! Secrets Manager: every secret of the region with its KMS key (a secret without one is
//! encrypted with the AWS managed key `aws/secretsmanager`, and says so) and the regions
//! it is replicated to. Secret values are never read.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::list_secrets::ListSecretsOutput;
use aws_sdk_secretsmanager::types::SecretListEntry;
use futures::StreamExt;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{Encryption, Secret};
use crate::snapshot::{Attributes, Provenance, Resource};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("secretsmanager:ListSecrets", "secretsmanager:ListSecrets"),
    (
        "secretsmanager:DescribeSecret",
        "secretsmanager:DescribeSecret",
    ),
];

const TYPES: &[&str] = &["aws_secretsmanager_secret"];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_secretsmanager, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let secrets = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "secretsmanager:ListSecrets", TYPES),
            |token, c| {
                client
                    .list_secrets()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListSecretsOutput| {
                (
                    out.secret_list().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    futures::stream::iter(
        secrets
            .into_iter()
            .map(|(entry, listed)| secret(ctx, &client, entry, listed)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// One secret: the listing's facts and its replicas from `DescribeSecret`.
async fn secret(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    entry: SecretListEntry,
    listed: Provenance,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let name = entry.name().unwrap_or_default().to_string();
    let arn = entry.arn().map_or_else(
        || format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}"),
        str::to_string,
    );
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let key = entry.kms_key_id().map(str::to_string);
    let primary_region = entry.primary_region().map(str::to_string);
    let mut attributes = Secret {
        created: entry.created_date().map(|t| t.to_string()),
        aws_managed_key: key.is_none(),
        encryption: Some(Encryption {
            enabled: true,
            algorithm: Some("aws:kms".to_string()),
            kms_key_arn: key,
        }),
        rotation_enabled: entry.rotation_enabled().unwrap_or(false),
        primary_region: primary_region.clone(),
        replica_regions: Vec::new(),
    };
    let described = read
        .read("replica_regions", "secretsmanager:DescribeSecret", |c| {
            client
                .describe_secret()
                .secret_id(&arn)
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    if let Some(out) = described {
        let mut regions: Vec<String> = out
            .replication_status()
            .iter()
            .filter_map(|r| r.region().map(str::to_string))
            .chain(primary_region)
            .filter(|r| r != region)
            .collect();
        regions.sort();
        regions.dedup();
        attributes.replica_regions = regions;
    }
    let tags = entry
        .tags()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    let (provenance, unread) = read.finish();
    resource(
        Attributes::Secret(attributes),
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
