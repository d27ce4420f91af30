//! EFS: `aws_efs_file_system` → `aws_efs_file_system`, with its encryption at rest,
//! completed by `aws_efs_backup_policy` (automatic backups) and
//! `aws_efs_replication_configuration` (the region of its replica), either of which may
//! name a file system another stack manages.

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{EfsFileSystem, Encryption};

const FILE_SYSTEM: &[&str] = &["aws_efs_file_system"];

/// The file system's encryption, or why the plan does not show it.
fn encryption(
    ctx: &Ctx,
    index: usize,
    a: &Attrs,
    drafts: &mut Drafts,
) -> Result<Result<Encryption, String>, PlanError> {
    let p = &ctx.changes[index];
    let new = p.action == "create" || p.action == "replace";
    let key = ctx.arn_ref(a, p, "kms_key_id")?;
    let kms = |arn: String| Encryption {
        enabled: true,
        algorithm: Some("aws:kms".into()),
        kms_key_arn: Some(arn),
    };
    match (a.bool("encrypted")?, key) {
        (Field::Known(false), _) => Ok(Ok(Encryption {
            enabled: false,
            algorithm: None,
            kms_key_arn: None,
        })),
        // A key implies encryption: "If KmsKeyId is specified, the Encrypted parameter
        // must be set to true" (CreateFileSystem,
        // https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html).
        (_, Field::Known(arn)) => Ok(Ok(kms(arn))),
        // Encrypted without a key: "If you don't specify a KMS key, then the default KMS
        // key for Amazon EFS, /aws/elasticfilesystem, is used to protect the encrypted
        // file system" (CreateFileSystem `Encrypted`). The provider computes `kms_key_id`, so only the configuration tells
        // an unset key from one known after apply.
        (Field::Known(true), Field::Null) => Ok(Ok(kms(super::kms::aws_managed(
            ctx,
            index,
            "elasticfilesystem",
            drafts,
        )?))),
        (Field::Known(true), Field::Unknown) if new && ctx.unset_in_config(p, "kms_key_id") => {
            Ok(Ok(kms(super::kms::aws_managed(
                ctx,
                index,
                "elasticfilesystem",
                drafts,
            )?)))
        }
        (Field::Known(true), Field::Unknown) => Ok(Err(a.unknown_reason("kms_key_id"))),
        // `encrypted` is computed by the provider: unset, the plan does not say whether
        // the file system will be encrypted.
        (_, _) => Ok(Err(a.unknown_reason("encrypted"))),
    }
}

pub fn file_system(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut fs = EfsFileSystem::default();
    for (group, what) in [
        ("state", "state"),
        ("created", "creation time"),
        ("size_bytes", "size"),
    ] {
        unknown.push((
            group,
            format!("the {what} of {} is known after apply", p.address),
        ));
    }
    match a.nonempty_string("availability_zone_name")? {
        Field::Known(z) => fs.availability_zone = Some(z),
        Field::Null => {}
        // Computed by the provider: unset in the configuration, a Regional file system.
        Field::Unknown if ctx.unset_in_config(p, "availability_zone_name") => {}
        Field::Unknown => unknown.push((
            "availability_zone",
            a.unknown_reason("availability_zone_name"),
        )),
    }
    match encryption(ctx, index, &a, drafts)? {
        Ok(e) => fs.encryption = Some(e),
        Err(reason) => unknown.push(("encryption", reason)),
    }
    // Set by `aws_efs_backup_policy` (`backup_policy`), which completes this resource when
    // the plan holds one; another stack may manage it.
    unknown.push((
        "automatic_backups",
        format!(
            "the plan holds no aws_efs_backup_policy for {}: its automatic backups are set outside the plan or by AWS's defaults",
            p.address
        ),
    ));
    // A new file system has no replication until an `aws_efs_replication_configuration`
    // (which completes it here) makes one; an existing one may have a replication the
    // plan does not show.
    let new = p.action == "create" || p.action == "replace";
    if !new {
        unknown.push((
            "replica_regions",
            format!(
                "the plan does not show the replication of {}, which exists already: scan the account",
                p.address
            ),
        ));
    }
    let name = a
        .string("creation_token")?
        .known()
        .filter(|t| !t.is_empty());
    let mut draft = ctx.draft(index, Attributes::EfsFileSystem(fs), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// The draft of the file system the attached change at `index` names by `key`: the
/// planned one, or a placeholder named after the change when it is outside the plan
/// (noted, with `consequence`).
fn parent<'d>(
    ctx: &Ctx,
    index: usize,
    key: &str,
    consequence: &str,
    drafts: &'d mut Drafts,
) -> Result<&'d mut Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let target = ctx
        .target(&a, p, key, FILE_SYSTEM)
        .filter(|&t| drafts.of(t).is_some());
    match target {
        Some(t) => Ok(drafts.of_mut(t).expect("the draft exists")),
        None => {
            drafts.outside(ctx, index, key, "EFS file system", consequence);
            let parent = ctx.outside_parent(&a, p, key, "EFS file system");
            let placeholder_key = format!("aws_efs_file_system {}", parent.label);
            drafts.placeholder(&placeholder_key, || {
                super::placeholder_outside(
                    ctx,
                    index,
                    &parent.label,
                    Attributes::EfsFileSystem(EfsFileSystem::default()),
                    &[
                        "state",
                        "created",
                        "size_bytes",
                        "availability_zone",
                        "encryption",
                        "automatic_backups",
                        "replica_regions",
                    ],
                )
            })
        }
    }
}

/// `aws_efs_backup_policy`: `backup_policy.status` `ENABLED` turns automatic backups on,
/// `DISABLED` off.
pub fn backup_policy(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let status = match a.block("backup_policy")? {
        Field::Known(Some(b)) => match b.string("status")? {
            Field::Known(s) => Ok(s == "ENABLED"),
            _ => Err(b.unknown_reason("status")),
        },
        Field::Known(None) | Field::Null => Err(format!(
            "{} has no backup_policy block in the plan",
            p.address
        )),
        Field::Unknown => Err(a.unknown_reason("backup_policy")),
    };
    let draft = parent(
        ctx,
        index,
        "file_system_id",
        "its backup policy is judged on a placeholder file system named after this change; the file system's encryption, replication and other settings are UNKNOWN",
        drafts,
    )?;
    match status {
        Ok(on) => {
            if let Attributes::EfsFileSystem(fs) = &mut draft.resource.attributes {
                fs.automatic_backups = Some(on);
            }
            draft.known("automatic_backups");
            draft.cite("automatic_backups", p, ctx.collected_at);
        }
        Err(reason) => {
            draft.known("automatic_backups");
            draft.unknown("automatic_backups", reason);
        }
    }
    Ok(())
}

/// `aws_efs_replication_configuration`: the file system `source_file_system_id` is
/// copied to `destination.region`. "There can only be one destination file system in a
/// replication configuration", and "a file system can be part of only one replication
/// configuration" (CreateReplicationConfiguration,
/// https://docs.aws.amazon.com/efs/latest/ug/API_CreateReplicationConfiguration.html), so
/// the plan's configuration is all of its replication.
pub fn replication(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let region = match a.block("destination")? {
        Field::Known(Some(d)) => match d.nonempty_string("region")? {
            Field::Known(r) => Ok(r),
            _ => Err(d.unknown_reason("region")),
        },
        Field::Known(None) | Field::Null => Err(format!(
            "{} has no destination block in the plan",
            p.address
        )),
        Field::Unknown => Err(a.unknown_reason("destination")),
    };
    let draft = parent(
        ctx,
        index,
        "source_file_system_id",
        "its replica region is judged on a placeholder file system named after this change; the file system's encryption, backups and other settings are UNKNOWN",
        drafts,
    )?;
    match region {
        Ok(r) => {
            if let Attributes::EfsFileSystem(fs) = &mut draft.resource.attributes {
                fs.replica_regions = vec![r];
            }
            draft.known("replica_regions");
            draft.cite("replica_regions", p, ctx.collected_at);
        }
        Err(reason) => {
            draft.known("replica_regions");
            draft.unknown("replica_regions", reason);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::snapshot::Resource;

    /// The file system `aws_efs_file_system.f` of a plan with `after`, `after_unknown`
    /// and the configuration's `expressions`.
    fn file_system(after: Value, unknown: Value, expressions: Value) -> Resource {
        let plan = json!({
            "format_version": "1.2",
            "resource_changes": [{"address": "aws_efs_file_system.f", "mode": "managed",
                "type": "aws_efs_file_system", "name": "f",
                "change": {"actions": ["create"], "before": null, "after": after,
                    "after_unknown": unknown, "after_sensitive": {}}}],
            "configuration": {
                "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "ap-southeast-2"}}}},
                "root_module": {"resources": [{"address": "aws_efs_file_system.f",
                    "mode": "managed", "type": "aws_efs_file_system", "name": "f",
                    "provider_config_key": "aws", "expressions": expressions}]}
            }
        });
        crate::plan::from_json(
            &plan.to_string(),
            "efs.json",
            &crate::plan::PlanOptions::default(),
        )
        .expect("the plan reads")
        .snapshot
        .resources
        .into_iter()
        .find(|r| r.id == "aws_efs_file_system.f")
        .expect("the file system")
    }

    fn reason(r: &Resource, group: &str) -> Option<String> {
        r.unknown
            .iter()
            .find(|u| u.group == group)
            .map(|u| u.reason.clone())
    }

    /// `encrypted` unset (the provider computes it) and a key known only after apply are
    /// UNKNOWN, with the Terraform attribute in the reason; automatic backups without a
    /// backup policy in the plan are UNKNOWN too, never a pass.
    #[test]
    fn what_only_apply_knows_is_unknown() {
        let r = file_system(
            json!({"creation_token": "f"}),
            json!({"encrypted": true, "kms_key_id": true}),
            json!({"creation_token": {"constant_value": "f"}}),
        );
        let why = reason(&r, "encryption").expect("encryption unknown");
        assert!(why.contains("encrypted"), "{why}");
        let r = file_system(
            json!({"creation_token": "f", "encrypted": true}),
            json!({"kms_key_id": true}),
            json!({"encrypted": {"constant_value": true}, "kms_key_id": {"references": ["var.key"]}}),
        );
        let why = reason(&r, "encryption").expect("encryption unknown");
        assert!(why.contains("kms_key_id"), "{why}");
        let why = reason(&r, "automatic_backups").expect("backups unknown");
        assert!(why.contains("aws_efs_backup_policy"), "{why}");
    }

    /// Encrypted without a key in the configuration: the AWS managed key
    /// `aws/elasticfilesystem`, known although the provider computes `kms_key_id`.
    #[test]
    fn encrypted_without_a_key_is_the_aws_managed_key() {
        let r = file_system(
            json!({"creation_token": "f", "encrypted": true}),
            json!({"kms_key_id": true}),
            json!({"encrypted": {"constant_value": true}}),
        );
        assert!(reason(&r, "encryption").is_none(), "{:?}", r.unknown);
        match &r.attributes {
            crate::snapshot::Attributes::EfsFileSystem(fs) => {
                let key = fs.encryption.as_ref().and_then(|e| e.kms_key_arn.clone());
                assert!(
                    key.as_deref()
                        .is_some_and(|k| k.contains("aws/elasticfilesystem")),
                    "{key:?}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
