//! KMS: `aws_kms_key`, `aws_kms_replica_key` (a key of its own in the replica's region,
//! and a replica region of its primary) and `aws_kms_alias`.
//!
//! Keys are what other resources join (`related(kms_key_arn)`), and a join taints its
//! assertion with every unknown of the joined key. So a key is only marked unknown where
//! a rule could care; identifiers the plan does not know (key id, ARN) get placeholders,
//! and settings AWS fills in documented defaults for (rotation period 365 days,
//! single-Region) take those defaults.

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, placeholder};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::KmsKey;

pub fn key(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut key = KmsKey {
        key_id: a
            .string("key_id")?
            .known()
            .unwrap_or_else(|| p.address.clone()),
        key_manager: "CUSTOMER".into(),
        description: a.nonempty_string("description")?.known(),
        ..KmsKey::default()
    };
    match a.bool("is_enabled")?.or_default_when_null(true) {
        Field::Known(on) => key.key_state = if on { "Enabled" } else { "Disabled" }.into(),
        _ => unknown.push(("key_state", a.unknown_reason("is_enabled"))),
    }
    match a
        .string("customer_master_key_spec")?
        .or_default_when_null("SYMMETRIC_DEFAULT".into())
    {
        Field::Known(spec) => key.key_spec = spec,
        _ => unknown.push(("key_spec", a.unknown_reason("customer_master_key_spec"))),
    }
    match a
        .string("key_usage")?
        .or_default_when_null("ENCRYPT_DECRYPT".into())
    {
        Field::Known(usage) => key.key_usage = usage,
        _ => unknown.push(("key_usage", a.unknown_reason("key_usage"))),
    }
    // Only symmetric keys rotate; the rotation status of others is null, as AWS reports.
    if key.key_spec == "SYMMETRIC_DEFAULT" {
        match a.bool("enable_key_rotation")?.or_default_when_null(false) {
            Field::Known(on) => {
                key.rotation_enabled = Some(on);
                if on {
                    key.rotation_period_days =
                        Some(a.int("rotation_period_in_days")?.known().unwrap_or(365));
                }
            }
            _ => unknown.push(("rotation_enabled", a.unknown_reason("enable_key_rotation"))),
        }
    }
    // A key is single-Region unless `multi_region` says otherwise (computed: false).
    let multi_region = a.bool("multi_region")?.known().unwrap_or(false);
    key.multi_region = multi_region;
    let region = ctx.region(p);
    if multi_region {
        key.multi_region_role = Some("PRIMARY".into());
        key.primary_region = region;
    }
    let policy = key_policy(&a)?;
    let mut draft = ctx.draft(index, Attributes::KmsKey(key), None, false)?;
    set_policy(&mut draft, policy);
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// A replica key: its own key in the replica's region, with the primary's spec, usage and
/// rotation (replicas share them); the primary gains the replica's region.
pub fn replica(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let region = ctx.region(p);
    let primary_arn = ctx.arn_ref(&a, p, "primary_key_arn")?;
    // The primary's settings, copied out before the primary is updated below.
    let primary = (0..ctx.changes.len())
        .find(|&i| Field::Known(placeholder(&ctx.changes[i].address)) == primary_arn)
        .and_then(|i| {
            let d = drafts.of(i)?;
            let Attributes::KmsKey(k) = &d.resource.attributes else {
                return None;
            };
            let unknown: Vec<(String, String)> = d
                .resource
                .unknown
                .iter()
                .filter(|u| {
                    ["key_spec", "key_usage", "rotation_enabled"].contains(&u.group.as_str())
                })
                .map(|u| (u.group.clone(), u.reason.clone()))
                .collect();
            Some((i, k.clone(), d.resource.region.clone(), unknown))
        });
    let mut key = KmsKey {
        key_id: a
            .string("key_id")?
            .known()
            .unwrap_or_else(|| p.address.clone()),
        key_manager: "CUSTOMER".into(),
        description: a.nonempty_string("description")?.known(),
        multi_region: true,
        multi_region_role: Some("REPLICA".into()),
        ..KmsKey::default()
    };
    key.key_state = match a.bool("enabled")?.or_default_when_null(true) {
        Field::Known(false) => "Disabled".into(),
        _ => "Enabled".into(),
    };
    let mut unknown = Vec::new();
    match primary {
        Some((i, pk, primary_region, primary_unknown)) => {
            key.key_spec = pk.key_spec;
            key.key_usage = pk.key_usage;
            key.rotation_enabled = pk.rotation_enabled;
            key.rotation_period_days = pk.rotation_period_days;
            key.primary_region = Some(primary_region);
            key.replica_regions = pk.replica_regions;
            unknown.extend(primary_unknown);
            if let Some(r) = &region {
                key.replica_regions.push(r.clone());
                // Every replica knows all replica regions, as DescribeKey reports them.
                let all = key.replica_regions.clone();
                if let Some(pd) = drafts.of_mut(i)
                    && let Attributes::KmsKey(pk) = &mut pd.resource.attributes
                {
                    pk.replica_regions.push(r.clone());
                    pd.cite("replica_regions", p, ctx.collected_at);
                }
                for other in drafts.list.iter_mut() {
                    if let Attributes::KmsKey(k) = &mut other.resource.attributes
                        && k.multi_region_role.as_deref() == Some("REPLICA")
                        && k.primary_region == key.primary_region
                    {
                        k.replica_regions = all.clone();
                    }
                }
            }
        }
        None => {
            let reason = format!(
                "{} replicates a primary key that is not in the plan: its spec, usage and rotation are not known",
                p.address
            );
            for group in [
                "key_spec",
                "key_usage",
                "rotation_enabled",
                "primary_region",
                "replica_regions",
            ] {
                unknown.push((group.to_string(), reason.clone()));
            }
        }
    }
    // A replica has a key policy of its own (`policy`).
    let policy = key_policy(&a)?;
    let mut draft = ctx.draft(index, Attributes::KmsKey(key), None, false)?;
    set_policy(&mut draft, policy);
    for (group, reason) in unknown {
        draft.unknown(&group, reason);
    }
    Ok(draft)
}

/// `aws_kms_alias`: adds `alias/<name>` to the key's aliases.
pub fn alias(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let Field::Known(name) = a.string("name")? else {
        return Ok(());
    };
    let Some(target) = ctx.target(
        &a,
        p,
        "target_key_id",
        &["aws_kms_key", "aws_kms_replica_key"],
    ) else {
        drafts.outside(
            ctx,
            index,
            "target_key_id",
            "KMS key",
            "no rule reads the aliases of a key the plan does not hold",
        );
        return Ok(());
    };
    if let Some(d) = drafts.of_mut(target)
        && let Attributes::KmsKey(k) = &mut d.resource.attributes
    {
        k.aliases.push(name);
        d.cite("aliases", p, ctx.collected_at);
    }
    Ok(())
}

/// The AWS managed key `aws/<service>` a planned resource of `index` is encrypted with when
/// it names no key: a KMS key of its account and region, managed by AWS, which rotates
/// every year ("AWS managed keys are automatically rotated every year",
/// https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html). One per service,
/// account and region; its placeholder ARN is returned.
pub fn aws_managed(
    ctx: &Ctx,
    index: usize,
    service: &str,
    drafts: &mut Drafts,
) -> Result<String, PlanError> {
    let p = &ctx.changes[index];
    let region = ctx.region(p).unwrap_or_else(|| "unknown".into());
    let account = ctx.account(p).unwrap_or_else(|| "unknown".into());
    let arn = format!("terraform:aws-managed-key/{account}/{region}/aws/{service}");
    let draft = drafts.placeholder(&arn, || {
        let key = KmsKey {
            key_id: format!("alias/aws/{service}"),
            key_manager: "AWS".into(),
            key_state: "Enabled".into(),
            key_spec: "SYMMETRIC_DEFAULT".into(),
            key_usage: "ENCRYPT_DECRYPT".into(),
            description: Some(format!(
                "Default key that protects my {} data when no other key is defined (AWS managed)",
                service.to_uppercase()
            )),
            rotation_enabled: Some(true),
            rotation_period_days: Some(365),
            aliases: vec![format!("alias/aws/{service}")],
            ..KmsKey::default()
        };
        let mut d = ctx.draft(
            index,
            Attributes::KmsKey(key),
            Some(format!("aws/{service}")),
            false,
        )?;
        d.change = None;
        d.resource.arn = arn.clone();
        d.resource.id = format!("alias/aws/{service}");
        d.resource.tags = Default::default();
        d.known("tags");
        Ok(d)
    })?;
    draft.cite("key_manager", p, ctx.collected_at);
    Ok(arn)
}

/// A planned key's policy: the document when `policy` is known; AWS's default key policy
/// when the configuration does not set `policy` ("If you don't provide a key policy when
/// you create a KMS key, AWS KMS creates a default key policy for you", which allows the
/// key's account full access, the AWS KMS Developer Guide, "Default key policy"); unknown
/// when it is set to a value known only after apply.
enum PlannedPolicy {
    Known(serde_json::Value),
    AwsDefault,
    Unknown(String),
}

fn key_policy(a: &Attrs<'_>) -> Result<PlannedPolicy, PlanError> {
    Ok(match a.string("policy")?.known() {
        Some(text) => PlannedPolicy::Known(crate::collect::normalise::policy_document(&text)),
        None if a.expression("policy").is_none() => PlannedPolicy::AwsDefault,
        None => PlannedPolicy::Unknown(a.unknown_reason("policy")),
    })
}

fn set_policy(draft: &mut Draft, policy: PlannedPolicy) {
    let account = draft.resource.account.clone();
    let document = match policy {
        PlannedPolicy::Known(document) => document,
        PlannedPolicy::AwsDefault => serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": [format!("arn:aws:iam::{account}:root")]},
                "Action": ["kms:*"],
                "Resource": ["*"],
            }],
        }),
        PlannedPolicy::Unknown(reason) => {
            draft.unknown("policy", reason);
            return;
        }
    };
    if let Attributes::KmsKey(key) = &mut draft.resource.attributes {
        key.policy = document;
    }
}
