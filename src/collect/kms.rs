//! KMS: every key in the region with its manager, state, spec, rotation and multi-Region
//! replicas, and the aliases pointing at it (so resources naming a key by alias resolve).

use std::collections::BTreeMap;

use aws_sdk_kms::Client;
use futures::StreamExt;

use super::aws::FailureKind;
use super::{ServiceCtx, resource};
use crate::snapshot::resources::KmsKey;
use crate::snapshot::{Attributes, Resource, Tags, Unread};

const TYPES: &[&str] = &["aws_kms_key"];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let kms = Client::new(ctx.config);
    let (account, region) = (ctx.account, ctx.region);

    let mut keys = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        match ctx
            .recorder
            .call(region, "kms:ListKeys", |c| {
                kms.list_keys()
                    .set_marker(marker.clone())
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
        {
            Ok((out, p)) => {
                keys.extend(
                    out.keys()
                        .iter()
                        .filter_map(|k| k.key_id().map(|id| (id.to_string(), p.clone()))),
                );
                marker = out
                    .next_marker()
                    .map(str::to_string)
                    .filter(|_| out.truncated());
                if marker.is_none() {
                    break;
                }
            }
            Err(e) => {
                ctx.recorder
                    .gap(account, region, "kms:ListKeys", &e.failure, TYPES, "");
                return Vec::new();
            }
        }
    }

    // Aliases: a missing alias list is not fatal; the keys are still judged.
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut marker: Option<String> = None;
    loop {
        match ctx
            .recorder
            .call(region, "kms:ListAliases", |c| {
                kms.list_aliases()
                    .set_marker(marker.clone())
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
        {
            Ok((out, _)) => {
                for a in out.aliases() {
                    if let (Some(name), Some(target)) = (a.alias_name(), a.target_key_id()) {
                        aliases
                            .entry(target.to_string())
                            .or_default()
                            .push(name.to_string());
                    }
                }
                marker = out
                    .next_marker()
                    .map(str::to_string)
                    .filter(|_| out.truncated());
                if marker.is_none() {
                    break;
                }
            }
            Err(e) => {
                ctx.recorder.gap(
                    account,
                    region,
                    "kms:ListAliases",
                    &e.failure,
                    &[],
                    "aliases",
                );
                break;
            }
        }
    }

    futures::stream::iter(keys.into_iter().map(|(key_id, listed)| {
        let kms = &kms;
        let aliases = &aliases;
        async move {
            let arn = format!("arn:aws:kms:{region}:{account}:key/{key_id}");
            let mut provenance = BTreeMap::from([("resource".to_string(), listed)]);
            let mut unread = Vec::new();
            let mut key = KmsKey {
                key_id: key_id.clone(),
                aliases: aliases.get(&key_id).cloned().unwrap_or_default(),
                ..KmsKey::default()
            };
            match ctx
                .recorder
                .call(region, "kms:DescribeKey", |c| {
                    kms.describe_key()
                        .key_id(&key_id)
                        .customize()
                        .interceptor(c)
                        .send()
                })
                .await
            {
                Ok((out, p)) => {
                    provenance.insert("metadata".into(), p);
                    if let Some(m) = out.key_metadata() {
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
                            key.multi_region_role =
                                mr.multi_region_key_type().map(|t| t.as_str().to_string());
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
                }
                Err(e) => {
                    let gap =
                        ctx.recorder
                            .gap(account, region, "kms:DescribeKey", &e.failure, &[], &arn);
                    for group in [
                        "key_manager",
                        "key_state",
                        "key_spec",
                        "key_usage",
                        "multi_region",
                        "replica_regions",
                        "rotation_enabled",
                    ] {
                        unread.push(Unread {
                            group: group.into(),
                            gap: gap.clone(),
                        });
                    }
                }
            }
            // Rotation applies to symmetric encryption keys with AWS key material only.
            let rotatable = key.key_spec == "SYMMETRIC_DEFAULT" && key.key_state != "PendingImport";
            if rotatable {
                match ctx
                    .recorder
                    .call(region, "kms:GetKeyRotationStatus", |c| {
                        kms.get_key_rotation_status()
                            .key_id(&key_id)
                            .customize()
                            .interceptor(c)
                            .send()
                    })
                    .await
                {
                    Ok((out, p)) => {
                        provenance.insert("rotation_enabled".into(), p);
                        key.rotation_enabled = Some(out.key_rotation_enabled());
                        key.rotation_period_days = out.rotation_period_in_days().map(i64::from);
                    }
                    Err(e)
                        if e.failure.kind == FailureKind::Service
                            && e.failure.code == "UnsupportedOperationException" =>
                    {
                        if let Some(p) = e.provenance {
                            provenance.insert("rotation_enabled".into(), p);
                        }
                    }
                    Err(e) => {
                        let gap = ctx.recorder.gap(
                            account,
                            region,
                            "kms:GetKeyRotationStatus",
                            &e.failure,
                            &[],
                            &arn,
                        );
                        unread.push(Unread {
                            group: "rotation_enabled".into(),
                            gap,
                        });
                    }
                }
            }
            let name = key.aliases.first().cloned();
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
    }))
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}
