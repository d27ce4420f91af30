//! Secrets Manager: `aws_secretsmanager_secret` → `aws_secretsmanager_secret`, with its
//! KMS key and the regions of its replicas (`replica` blocks). The secret's value
//! (`aws_secretsmanager_secret_version`) is never read: it is not a data store's setting,
//! and a plan may hold it in clear.

use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{Encryption, Secret};

/// The AWS managed key `aws/secretsmanager`, stated as the live collector states it.
fn aws_managed(secret: &mut Secret) {
    secret.aws_managed_key = true;
    secret.encryption = Some(Encryption {
        enabled: true,
        algorithm: Some("aws:kms".into()),
        kms_key_arn: None,
    });
}

pub fn secret(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut secret = Secret::default();
    unknown.push((
        "created",
        format!("the creation time of {} is known after apply", p.address),
    ));
    // Rotation is set by `aws_secretsmanager_secret_rotation`, which assay does not read
    // from plans.
    unknown.push((
        "rotation_enabled",
        format!(
            "the rotation of {} is set by aws_secretsmanager_secret_rotation, which assay does not read from plans",
            p.address
        ),
    ));
    // Secrets Manager always encrypts with KMS: without `kms_key_id` with the AWS managed
    // key: "If you don't specify this value, then Secrets Manager uses the key
    // aws/secretsmanager" (CreateSecret `KmsKeyId`,
    // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html),
    // which the snapshot states as the live collector does, without a key ARN and with
    // `aws_managed_key` (DescribeSecret omits `KmsKeyId` then).
    match ctx.arn_ref(&a, p, "kms_key_id")? {
        Field::Known(arn) => {
            secret.aws_managed_key = false;
            secret.encryption = Some(Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: Some(arn),
            });
        }
        // Unknown but not set in the configuration: CreateSecret gets no `KmsKeyId`.
        Field::Null => aws_managed(&mut secret),
        Field::Unknown if ctx.unset_in_config(p, "kms_key_id") => aws_managed(&mut secret),
        Field::Unknown => {
            let reason = a.unknown_reason("kms_key_id");
            unknown.push(("encryption", reason.clone()));
            unknown.push(("aws_managed_key", reason));
        }
    }
    // A secret Terraform creates is a primary secret in its own region; each `replica`
    // block is a copy in `region` (the provider's `replica.region`, required).
    match ctx.region_or_reason(p) {
        Ok(region) => secret.primary_region = Some(region),
        Err(reason) => unknown.push(("primary_region", reason)),
    }
    match a.blocks("replica")? {
        Field::Known(blocks) => {
            for b in &blocks {
                match b.string("region")? {
                    Field::Known(r) if !r.is_empty() => secret.replica_regions.push(r),
                    _ => unknown.push(("replica_regions", b.unknown_reason("region"))),
                }
            }
        }
        Field::Null => {}
        Field::Unknown => unknown.push(("replica_regions", a.unknown_reason("replica"))),
    }
    secret.replica_regions.sort();
    secret.replica_regions.dedup();
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::Secret(secret), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::snapshot::{Attributes, Resource};

    /// The secret `aws_secretsmanager_secret.s` of a plan with `after`, `after_unknown`
    /// and, when given, the configuration's `expressions`.
    fn secret(after: Value, unknown: Value, expressions: Option<Value>) -> Resource {
        let mut plan = json!({
            "format_version": "1.2",
            "resource_changes": [{"address": "aws_secretsmanager_secret.s", "mode": "managed",
                "type": "aws_secretsmanager_secret", "name": "s",
                "change": {"actions": ["create"], "before": null, "after": after,
                    "after_unknown": unknown, "after_sensitive": {}}}],
            "configuration": {
                "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "ap-southeast-2"}}}},
                "root_module": {"resources": []}
            }
        });
        if let Some(e) = expressions {
            plan["configuration"]["root_module"]["resources"] = json!([{
                "address": "aws_secretsmanager_secret.s", "mode": "managed",
                "type": "aws_secretsmanager_secret", "name": "s",
                "provider_config_key": "aws", "expressions": e}]);
        }
        let planned = crate::plan::from_json(
            &plan.to_string(),
            "secret.json",
            &crate::plan::PlanOptions::default(),
        )
        .expect("the plan reads");
        planned
            .snapshot
            .resources
            .into_iter()
            .find(|r| r.id == "aws_secretsmanager_secret.s")
            .expect("the secret")
    }

    fn reason(r: &Resource, group: &str) -> Option<String> {
        r.unknown
            .iter()
            .find(|u| u.group == group)
            .map(|u| u.reason.clone())
    }

    /// A key known only after apply, not traced to a planned key, is UNKNOWN with the
    /// Terraform attribute in the reason: never the AWS managed key, never a pass.
    #[test]
    fn a_key_known_after_apply_is_unknown() {
        let r = secret(
            json!({"name": "s", "replica": []}),
            json!({"kms_key_id": true}),
            Some(json!({"kms_key_id": {"references": ["var.key"]}})),
        );
        for group in ["encryption", "aws_managed_key"] {
            let why = reason(&r, group).unwrap_or_else(|| panic!("{group}: {:?}", r.unknown));
            assert!(why.contains("kms_key_id"), "{why}");
        }
        // Without the configuration nobody can tell either.
        let r = secret(json!({"name": "s"}), json!({"kms_key_id": true}), None);
        assert!(reason(&r, "encryption").is_some(), "{:?}", r.unknown);
    }

    /// Unset in the configuration, the key is AWS's `aws/secretsmanager` even when the
    /// plan leaves it unknown; a replica whose region is unknown makes the regions UNKNOWN.
    #[test]
    fn an_unset_key_is_aws_managed_and_an_unknown_replica_region_is_unknown() {
        let r = secret(
            json!({"name": "s", "replica": [{"kms_key_id": null}]}),
            json!({"kms_key_id": true, "replica": [{"region": true}]}),
            Some(json!({"name": {"constant_value": "s"}})),
        );
        match &r.attributes {
            Attributes::Secret(s) => {
                assert!(s.aws_managed_key);
                assert_eq!(
                    s.encryption
                        .as_ref()
                        .map(|e| (e.enabled, e.kms_key_arn.clone())),
                    Some((true, None))
                );
                assert!(s.replica_regions.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert!(reason(&r, "encryption").is_none(), "{:?}", r.unknown);
        let why = reason(&r, "replica_regions").expect("replica regions unknown");
        assert!(why.contains("region"), "{why}");
    }
}
