//! KMS: every key in the region with its manager, state, spec, rotation and multi-Region
//! replicas, and the aliases pointing at it (so resources naming a key by alias resolve).

use std::collections::BTreeMap;

use aws_sdk_kms::Client;
use aws_sdk_kms::operation::list_aliases::ListAliasesOutput;
use aws_sdk_kms::operation::list_keys::ListKeysOutput;
use aws_sdk_kms::types::KeyMetadata;
use futures::StreamExt;

use super::read::{Groups, Paging, next_marker};
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::KmsKey;
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("kms:ListKeys", "kms:ListKeys"),
    ("kms:DescribeKey", "kms:DescribeKey"),
    ("kms:GetKeyRotationStatus", "kms:GetKeyRotationStatus"),
    ("kms:ListAliases", "kms:ListAliases"),
    ("kms:GetKeyPolicy", "kms:GetKeyPolicy"),
];

const TYPES: &[&str] = &["aws_kms_key"];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let kms = service_client!(aws_sdk_kms, ctx);
    let (account, region) = (ctx.account, ctx.region);

    let Some(keys) = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "kms:ListKeys", TYPES),
            |marker, c| {
                kms.list_keys()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListKeysOutput| {
                let ids = out
                    .keys()
                    .iter()
                    .filter_map(|k| k.key_id().map(str::to_string))
                    .collect();
                (ids, next_marker(out.next_marker(), out.truncated()))
            },
        )
        .await
        .complete()
    else {
        return Vec::new();
    };

    let aliases = aliases(ctx, &kms).await;
    futures::stream::iter(
        keys.into_iter()
            .map(|(key_id, listed)| key(ctx, &kms, key_id, listed, &aliases)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// The aliases of each key, by key id. A missing alias list is not fatal: the keys are
/// still judged (and references by alias stay unresolved).
async fn aliases(ctx: &ServiceCtx<'_>, kms: &Client) -> BTreeMap<String, Vec<String>> {
    let (account, region) = (ctx.account, ctx.region);
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let listed_aliases = ctx
        .recorder
        .pages(
            Paging::of(account, region, "kms:ListAliases", "aliases"),
            |marker, c| {
                kms.list_aliases()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListAliasesOutput| {
                (
                    out.aliases().to_vec(),
                    next_marker(out.next_marker(), out.truncated()),
                )
            },
        )
        .await
        .items;
    for (a, _) in listed_aliases {
        if let (Some(name), Some(target)) = (a.alias_name(), a.target_key_id()) {
            aliases
                .entry(target.to_string())
                .or_default()
                .push(name.to_string());
        }
    }

    aliases
}

/// One key: its metadata, rotation and policy, each group cited or unread.
async fn key(
    ctx: &ServiceCtx<'_>,
    kms: &Client,
    key_id: String,
    listed: Provenance,
    aliases: &BTreeMap<String, Vec<String>>,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let arn = format!("arn:aws:kms:{region}:{account}:key/{key_id}");
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let mut key = KmsKey {
        key_id: key_id.clone(),
        aliases: aliases.get(&key_id).cloned().unwrap_or_default(),
        ..KmsKey::default()
    };
    let described = ctx
        .recorder
        .call(ctx.account, region, "kms:DescribeKey", |c| {
            kms.describe_key()
                .key_id(&key_id)
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    match described {
        Ok((out, p)) => {
            read.cite("metadata", p);
            if let Some(m) = out.key_metadata() {
                describe(&mut key, m);
            }
        }
        Err(e) => {
            // One call describes these groups: all are unread with its gap.
            let gap = read.miss("key_manager", "kms:DescribeKey", &e.failure);
            for group in [
                "key_state",
                "key_spec",
                "key_usage",
                "multi_region",
                "replica_regions",
                "rotation_enabled",
            ] {
                read.unread_by(group, &gap);
            }
        }
    }
    // Rotation applies to symmetric encryption keys with AWS key material only.
    let rotatable = key.key_spec == "SYMMETRIC_DEFAULT" && key.key_state != "PendingImport";
    if rotatable {
        let status = read
            .read_optional(
                &["rotation_enabled"],
                "kms:GetKeyRotationStatus",
                &["UnsupportedOperationException"],
                |c| {
                    kms.get_key_rotation_status()
                        .key_id(&key_id)
                        .customize()
                        .interceptor(c)
                        .send()
                },
            )
            .await
            .flatten();
        if let Some(out) = status {
            key.rotation_enabled = Some(out.key_rotation_enabled());
            key.rotation_period_days = out.rotation_period_in_days().map(i64::from);
        }
    }
    // "The only valid policy name is default" (GetKeyPolicy API reference); the
    // policy document is returned as a JSON string.
    let policy = read
        .read("policy", "kms:GetKeyPolicy", |c| {
            kms.get_key_policy()
                .key_id(&key_id)
                .policy_name("default")
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    if let Some(out) = policy {
        key.policy = out
            .policy()
            .map(policy_document)
            .unwrap_or(serde_json::Value::Null);
    }
    let name = key.aliases.first().cloned();
    let (provenance, unread) = read.finish();
    resource(
        Attributes::KmsKey(key),
        arn,
        key_id,
        name,
        account,
        region,
        Tags::new(),
        provenance,
        unread,
    )
}

/// The key's `DescribeKey` metadata: manager, state, spec, usage, description and its
/// multi-Region configuration.
fn describe(key: &mut KmsKey, m: &KeyMetadata) {
    key.key_manager = m
        .key_manager()
        .map_or(String::new(), |x| x.as_str().to_string());
    key.key_state = m
        .key_state()
        .map_or(String::new(), |x| x.as_str().to_string());
    key.key_spec = m
        .key_spec()
        .map_or(String::new(), |x| x.as_str().to_string());
    key.key_usage = m
        .key_usage()
        .map_or(String::new(), |x| x.as_str().to_string());
    key.description = m
        .description()
        .map(str::to_string)
        .filter(|d| !d.is_empty());
    key.multi_region = m.multi_region().unwrap_or(false);
    if let Some(mr) = m.multi_region_configuration() {
        key.multi_region_role = mr.multi_region_key_type().map(|t| t.as_str().to_string());
        key.primary_region = mr
            .primary_key()
            .and_then(|p| p.region())
            .map(str::to_string);
        key.replica_regions = mr
            .replica_keys()
            .iter()
            .filter_map(|r| r.region().map(str::to_string))
            .collect();
    }
}
