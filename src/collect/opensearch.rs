//! OpenSearch Service: every domain of the region (OpenSearch and legacy Elasticsearch
//! engines alike) with its encryption at rest and node to node, whether it sits in a VPC,
//! its access policy, and the regions of the remote domains its cross-cluster (outbound)
//! connections read from or replicate to.
//!
//! `ListDomainNames` returns every domain of the region in one answer (it has no
//! pagination); `DescribeDomains` reads them five at a time, its limit ("DomainNames: Array
//! of OpenSearch Service domain names that you want information about. You must specify
//! at least one domain name", at most 5), `--concurrency` batches at a time. The outbound
//! connections are read once for the region, beside them.

use aws_sdk_opensearch::Client;
use aws_sdk_opensearch::operation::describe_outbound_connections::DescribeOutboundConnectionsOutput;
use aws_sdk_opensearch::types::{DomainStatus, OutboundConnection};
use futures::StreamExt;

use super::read::{Groups, Pages, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::{Encryption, OpensearchDomain};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call). OpenSearch Service's IAM
/// actions keep the `es:` prefix of its Elasticsearch days.
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("es:ListDomainNames", "es:ListDomainNames"),
    ("es:DescribeDomains", "es:DescribeDomains"),
    (
        "es:DescribeOutboundConnections",
        "es:DescribeOutboundConnections",
    ),
    ("es:ListTags", "es:ListTags"),
];

const TYPES: &[&str] = &["aws_opensearch_domain"];

/// Domains per `DescribeDomains` call (the API's maximum).
const DESCRIBE_BATCH: usize = 5;

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_opensearch, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let names: Vec<String> = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "es:ListDomainNames", TYPES),
            |_, c| client.list_domain_names().customize().interceptor(c).send(),
            |out: aws_sdk_opensearch::operation::list_domain_names::ListDomainNamesOutput| {
                (
                    out.domain_names()
                        .iter()
                        .filter_map(|d| d.domain_name().map(str::to_string))
                        .collect(),
                    None,
                )
            },
        )
        .await
        .items
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    if names.is_empty() {
        return Vec::new();
    }
    // The batches are asked `--concurrency` at a time, beside the connections (one after
    // another, a region of 333 domains waited on 67 round trips with one call in flight:
    // the live-scan benchmark's in-flight timeline, BENCHMARKS.md); `buffered` keeps the
    // listing's order.
    let described = futures::stream::iter(
        names
            .chunks(DESCRIBE_BATCH)
            .map(|batch| describe(ctx, &client, batch)),
    )
    .buffered(ctx.concurrency)
    .collect::<Vec<_>>();
    let (described, connections) = futures::join!(described, outbound_connections(ctx, &client));
    let domains: Vec<(DomainStatus, Provenance)> = described.into_iter().flatten().collect();
    futures::stream::iter(
        domains
            .into_iter()
            .map(|(d, listed)| domain(ctx, &client, d, listed, &connections)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// Up to five domains by name: their status, each citing the answer it came from. A
/// failed call is a listing gap for the domains of the region (they were named but could
/// not be read).
async fn describe(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    names: &[String],
) -> Vec<(DomainStatus, Provenance)> {
    ctx.recorder
        .pages(
            Paging::listing(ctx.account, ctx.region, "es:DescribeDomains", TYPES),
            |_, c| {
                client
                    .describe_domains()
                    .set_domain_names(Some(names.to_vec()))
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: aws_sdk_opensearch::operation::describe_domains::DescribeDomainsOutput| {
                (out.domain_status_list().to_vec(), None)
            },
        )
        .await
        .items
}

/// The region's outbound cross-cluster connections (every page).
async fn outbound_connections(ctx: &ServiceCtx<'_>, client: &Client) -> Pages<OutboundConnection> {
    ctx.recorder
        .pages(
            Paging::of(
                ctx.account,
                ctx.region,
                "es:DescribeOutboundConnections",
                "outbound connections",
            ),
            |token, c| {
                client
                    .describe_outbound_connections()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeOutboundConnectionsOutput| {
                (
                    out.connections().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
}

/// The regions of the remote domains `name`'s outbound connections reach, other than
/// `region`; connections deleted or refused are left out.
fn connection_regions(
    name: &str,
    region: &str,
    connections: &[(OutboundConnection, Provenance)],
) -> Vec<String> {
    let mut regions: Vec<String> = connections
        .iter()
        .map(|(c, _)| c)
        .filter(|c| {
            c.local_domain_info()
                .and_then(|l| l.aws_domain_information())
                .is_some_and(|l| l.domain_name() == name)
        })
        .filter(|c| {
            !c.connection_status()
                .and_then(|s| s.status_code())
                .is_some_and(|s| {
                    matches!(
                        s.as_str(),
                        "DELETED" | "DELETING" | "REJECTED" | "VALIDATION_FAILED"
                    )
                })
        })
        .filter_map(|c| {
            c.remote_domain_info()
                .and_then(|r| r.aws_domain_information())
                .and_then(|r| r.region())
        })
        .filter(|r| *r != region)
        .map(str::to_string)
        .collect();
    regions.sort();
    regions.dedup();
    regions
}

/// The ARN of the domain's key. "KmsKeyId: The KMS key ID. Takes the form
/// 1a2a3a4-1a2a-3a4a-5a6a-1a2a3a4a5a6a" (the EncryptionAtRestOptions data type): a key of
/// the domain's own account and region, whose ARN is formed here so the key is looked up
/// in the right place even when the KMS keys could not be listed (then its rules are GAP,
/// not FAIL). An ARN or alias is kept as given.
fn key_arn(key: &str, account: &str, region: &str) -> String {
    if key.starts_with("arn:") || key.starts_with("alias/") {
        key.to_string()
    } else {
        format!("arn:aws:kms:{region}:{account}:key/{key}")
    }
}

/// One domain: its status, its outbound connections' regions and its tags.
async fn domain(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    d: DomainStatus,
    listed: Provenance,
    connections: &Pages<OutboundConnection>,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let name = d.domain_name().to_string();
    let arn = d.arn().to_string();
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let at_rest = d.encryption_at_rest_options();
    let encrypted = at_rest.and_then(|e| e.enabled()).unwrap_or(false);
    let mut attributes = OpensearchDomain {
        engine_version: d.engine_version().map(str::to_string),
        encryption: Some(Encryption {
            enabled: encrypted,
            algorithm: encrypted.then(|| "aws:kms".to_string()),
            kms_key_arn: at_rest
                .and_then(|e| e.kms_key_id())
                .filter(|_| encrypted)
                .map(|k| key_arn(k, account, region)),
        }),
        node_to_node_encryption: d
            .node_to_node_encryption_options()
            .and_then(|n| n.enabled())
            .unwrap_or(false),
        enforce_https: d
            .domain_endpoint_options()
            .and_then(|o| o.enforce_https())
            .unwrap_or(false),
        vpc_id: d.vpc_options().and_then(|v| v.vpc_id()).map(str::to_string),
        access_policy: d
            .access_policies()
            .filter(|p| !p.trim().is_empty())
            .map(policy_document)
            .unwrap_or(serde_json::Value::Null),
        connection_regions: Vec::new(),
    };
    match connections.gap() {
        Some(gap) => read.unread_by("connection_regions", gap),
        None => {
            attributes.connection_regions = connection_regions(&name, region, &connections.items);
            if let Some(first) = connections.first_page() {
                read.cite("connection_regions", first.clone());
            }
        }
    }
    let tags = tags(&mut read, client, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::OpensearchDomain(attributes),
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

/// The domain's tags; empty and unread when the call failed.
async fn tags(read: &mut Groups<'_>, client: &Client, arn: &str) -> Tags {
    read.read("tags", "es:ListTags", |c| {
        client
            .list_tags()
            .arn(arn)
            .customize()
            .interceptor(c)
            .send()
    })
    .await
    .map(|out| {
        out.tag_list()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::key_arn;

    #[test]
    fn a_key_id_is_a_key_of_the_domains_account_and_region() {
        assert_eq!(
            key_arn(
                "1a2a3a4-1a2a-3a4a-5a6a-1a2a3a4a5a6a",
                "111122223333",
                "ap-southeast-2"
            ),
            "arn:aws:kms:ap-southeast-2:111122223333:key/1a2a3a4-1a2a-3a4a-5a6a-1a2a3a4a5a6a"
        );
        let arn =
            "arn:aws:kms:ap-southeast-4:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        assert_eq!(key_arn(arn, "111122223333", "ap-southeast-2"), arn);
    }
}
