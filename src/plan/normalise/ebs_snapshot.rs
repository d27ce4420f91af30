//! EBS snapshots: `aws_ebs_snapshot` (of a volume), `aws_ebs_snapshot_copy` and
//! `aws_ebs_snapshot_import` → `aws_ebs_snapshot`, and
//! `aws_snapshot_create_volume_permission`, which shares a snapshot (in the plan, or
//! managed elsewhere) with another account.
//!
//! A plan shows the snapshots Terraform makes, not those backups and schedules make after
//! apply (see `rules::on_plan`), and the create-volume permissions Terraform manages; one
//! granted outside Terraform is no more in the plan than a bucket policy set by hand is.

use serde_json::Value;

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned};
use super::super::error::PlanError;
use super::Drafts;
use super::ec2::{encryption, encryption_reason};
use crate::snapshot::Attributes;
use crate::snapshot::resources::{EbsSnapshot, Encryption};

/// The Terraform types that make an EBS snapshot.
pub const SNAPSHOT_TYPES: &[&str] = &[
    "aws_ebs_snapshot",
    "aws_ebs_snapshot_copy",
    "aws_ebs_snapshot_import",
];

/// The encryption of a planned resource's draft, or why it is not known.
pub fn draft_encryption(d: &Draft) -> Result<Option<Encryption>, String> {
    if let Some(u) = d.resource.unknown.iter().find(|u| u.group == "encryption") {
        return Err(u.reason.clone());
    }
    Ok(match &d.resource.attributes {
        Attributes::EbsVolume(v) => v.encryption.clone(),
        Attributes::EbsSnapshot(s) => s.encryption.clone(),
        Attributes::RdsInstance(i) => i.encryption.clone(),
        Attributes::RdsSnapshot(s) => s.encryption.clone(),
        Attributes::RdsCluster(c) => c.encryption.clone(),
        _ => None,
    })
}

/// `encrypted` and `kms_key_id` as the plan shows them for a snapshot that exists already
/// (both are computed: known for an unchanged snapshot, after apply for a new one).
fn shown_encryption(ctx: &Ctx, p: &Planned, a: &Attrs) -> Result<Field<Encryption>, PlanError> {
    encryption(ctx, p, a, "encrypted", "kms_key_id")
}

/// A snapshot of a volume has the volume's encryption: "Snapshots of encrypted volumes are
/// automatically encrypted", with the volume's key, and snapshots of unencrypted volumes
/// are unencrypted (Amazon EBS encryption, "How EBS encryption works",
/// https://docs.aws.amazon.com/ebs/latest/userguide/how-ebs-encryption-works.html).
fn of_volume(
    ctx: &Ctx,
    index: usize,
    drafts: &Drafts,
    snapshot: &mut EbsSnapshot,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let volume = ctx
        .target(&a, p, "volume_id", &["aws_ebs_volume"])
        .and_then(|t| drafts.of(t));
    match (volume, a.string("volume_id")?) {
        (Some(v), _) => snapshot.volume_id = Some(v.resource.id.clone()),
        (None, Field::Known(id)) if !id.is_empty() => snapshot.volume_id = Some(id),
        (None, Field::Unknown) => unknown.push(("volume_id", a.unknown_reason("volume_id"))),
        (None, _) => {}
    }
    match shown_encryption(ctx, p, &a)? {
        Field::Known(e) => snapshot.encryption = Some(e),
        _ => match volume {
            Some(v) => match draft_encryption(v) {
                Ok(e) => snapshot.encryption = e,
                Err(reason) => unknown.push((
                    "encryption",
                    format!(
                        "{} has the encryption of its volume {}, which is not known: {reason}",
                        p.address, v.resource.id
                    ),
                )),
            },
            None => {
                let parent = ctx.outside_parent(&a, p, "volume_id", "volume");
                unknown.push((
                    "encryption",
                    format!(
                        "{} has the encryption of its {}, which is outside the plan",
                        p.address, parent.label
                    ),
                ));
            }
        },
    }
    Ok(())
}

/// A copy: encrypted with `kms_key_id` when `encrypted` is set ("If this parameter is not
/// specified, your KMS key for Amazon EBS is used", CopySnapshot `KmsKeyId`); otherwise
/// as its source: "Encrypted snapshots remain encrypted ... Copies of unencrypted
/// snapshots remain unencrypted" (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html).
/// As for a volume, `encrypted = false` is taken at its word: a copy of an unencrypted
/// snapshot in the plan is unencrypted; left unset, it follows the account's encryption
/// default, which the plan does not show.
fn copy(
    ctx: &Ctx,
    index: usize,
    drafts: &Drafts,
    snapshot: &mut EbsSnapshot,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    // "Snapshots created by the CopySnapshot action have an arbitrary volume ID that should
    // not be used for any purpose" (the Snapshot data type, `VolumeId`).
    snapshot.volume_id = None;
    let flag = a.bool("encrypted")?;
    if flag == Field::Known(true) {
        match encryption(ctx, p, &a, "encrypted", "kms_key_id")? {
            Field::Known(e) => snapshot.encryption = Some(e),
            _ => unknown.push((
                "encryption",
                encryption_reason(&a, "encrypted", "kms_key_id", "EBS")?,
            )),
        }
        return Ok(());
    }
    let source = ctx
        .target(&a, p, "source_snapshot_id", SNAPSHOT_TYPES)
        .and_then(|t| drafts.of(t));
    let source_encryption = match source {
        Some(s) => draft_encryption(s).map_err(|reason| {
            format!(
                "{} keeps the encryption of its source {}, which is not known: {reason}",
                p.address, s.resource.id
            )
        }),
        None => {
            let parent = ctx.outside_parent(&a, p, "source_snapshot_id", "snapshot");
            let region = match a.nonempty_string("source_region")? {
                Field::Known(r) => format!(" in {r}"),
                _ => String::new(),
            };
            Err(format!(
                "{} keeps the encryption of its source {}{region}, which is outside the plan",
                p.address, parent.label
            ))
        }
    };
    match (flag, source_encryption) {
        (_, Ok(Some(e))) if e.enabled => unknown.push((
            "encryption",
            format!(
                "{} copies an encrypted snapshot without `kms_key_id`: the copy is encrypted with a key the plan does not show",
                p.address
            ),
        )),
        (Field::Known(false), Ok(Some(_))) => snapshot.encryption = Some(Encryption::default()),
        (_, Ok(None)) => unknown.push((
            "encryption",
            format!(
                "{} keeps the encryption of its source, which the plan does not show",
                p.address
            ),
        )),
        (Field::Known(false), Err(reason)) => unknown.push(("encryption", reason)),
        (_, _) => unknown.push((
            "encryption",
            encryption_reason(&a, "encrypted", "kms_key_id", "EBS")?,
        )),
    }
    Ok(())
}

/// One planned EBS snapshot. Runs after every volume and, for copies, after their source
/// (see `normalise::all`).
pub fn snapshot(ctx: &Ctx, index: usize, drafts: &Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut snapshot = EbsSnapshot {
        description: a.nonempty_string("description")?.known(),
        ..EbsSnapshot::default()
    };
    for (group, what) in [("start_time", "start time"), ("state", "state")] {
        unknown.push((
            group,
            format!("the {what} of {} is not in the plan", p.address),
        ));
    }
    match p.type_name.as_str() {
        "aws_ebs_snapshot" => of_volume(ctx, index, drafts, &mut snapshot, &mut unknown)?,
        "aws_ebs_snapshot_copy" => copy(ctx, index, drafts, &mut snapshot, &mut unknown)?,
        // An import is encrypted as `encrypted`/`kms_key_id` say ("The default KMS key for
        // EBS is used unless you specify a non-default KMS key", ImportSnapshot); it is of
        // no volume.
        _ => match encryption(ctx, p, &a, "encrypted", "kms_key_id")? {
            Field::Known(e) => snapshot.encryption = Some(e),
            _ => unknown.push((
                "encryption",
                encryption_reason(&a, "encrypted", "kms_key_id", "EBS")?,
            )),
        },
    }
    // A snapshot is private when made: "By default, only the account that owns a snapshot
    // can create volumes from it" (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html);
    // the permissions of the plan are added by `create_volume_permission`.
    let mut draft = ctx.draft(index, Attributes::EbsSnapshot(snapshot), None, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// Adds one `aws_snapshot_create_volume_permission` to its snapshot: the planned snapshot
/// `snapshot_id` names, or a placeholder for a snapshot managed elsewhere (one per
/// snapshot, so every permission of the same snapshot is judged together), whose other
/// settings are UNKNOWN.
///
/// `account_id` is kept as written. The provider sends it as a `UserId`; AWS makes a
/// snapshot public with the group `all`, so `account_id = "all"` either fails at apply
/// or makes the snapshot public: either way the configuration asks for a public snapshot,
/// and the rule judges it as one.
pub fn create_volume_permission(
    ctx: &Ctx,
    index: usize,
    drafts: &mut Drafts,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let who = a.nonempty_string("account_id")?;
    let draft = match ctx
        .target(&a, p, "snapshot_id", SNAPSHOT_TYPES)
        .filter(|&t| drafts.of(t).is_some())
    {
        Some(target) => match drafts.of_mut(target) {
            Some(d) => d,
            None => return Ok(()),
        },
        None => {
            let parent = ctx.outside_parent(&a, p, "snapshot_id", "snapshot");
            drafts.outside(
                ctx,
                index,
                "snapshot_id",
                "snapshot",
                "its create-volume permissions in this plan are judged on a placeholder snapshot; its other permissions, its encryption and its other settings are UNKNOWN",
            );
            let key = match a.raw("snapshot_id") {
                Field::Known(Value::String(id)) => format!("aws_ebs_snapshot {id}"),
                _ => p.address.clone(),
            };
            drafts.placeholder(&key, || outside_snapshot(ctx, index, &parent.label))?
        }
    };
    let Attributes::EbsSnapshot(snapshot) = &mut draft.resource.attributes else {
        return Ok(());
    };
    match who {
        Field::Known(account) => {
            if !snapshot.shared_with.contains(&account) {
                snapshot.shared_with.push(account);
            }
            draft.cite("shared_with", p, ctx.collected_at);
        }
        Field::Null => {}
        Field::Unknown => draft.unknown(
            "shared_with",
            format!(
                "the account {} shares the snapshot with is known after apply",
                p.address
            ),
        ),
    }
    Ok(())
}

/// A placeholder for a snapshot outside the plan.
fn outside_snapshot(ctx: &Ctx, index: usize, label: &str) -> Result<Draft, PlanError> {
    super::placeholder_outside(
        ctx,
        index,
        label,
        Attributes::EbsSnapshot(EbsSnapshot::default()),
        &[
            "volume_id",
            "start_time",
            "state",
            "description",
            "encryption",
        ],
    )
}
