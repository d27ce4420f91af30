//! Images (AMIs): `aws_ami` (registered from snapshots), `aws_ami_copy` and
//! `aws_ami_from_instance` → `aws_ec2_image`, and `aws_ami_launch_permission`, which shares
//! an image (in the plan, or managed elsewhere) with an account, an organisation, an
//! organisational unit or everyone.
//!
//! A plan shows the launch permissions Terraform manages; one granted outside Terraform
//! is no more in the plan than a bucket policy set by hand is.

use serde_json::Value;

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{Ec2Image, ImageBlockDevice};

/// The Terraform types that register an image.
pub const IMAGE_TYPES: &[&str] = &["aws_ami", "aws_ami_copy", "aws_ami_from_instance"];

/// The EBS block devices of an `aws_ami` registered from snapshots. A device whose
/// `encrypted` is not true is not known to be unencrypted: a volume restored from an
/// encrypted snapshot is encrypted whatever the flag ("Encrypted: Indicates whether the
/// encryption state of an EBS volume is changed while being restored from a backing
/// snapshot", EbsBlockDevice in the EC2 API reference), and the snapshot is not in the
/// plan; so its encryption is UNKNOWN, never a pass nor a fail.
fn registered_devices(
    ctx: &Ctx,
    p: &Planned,
    a: &Attrs,
) -> Result<Result<Vec<ImageBlockDevice>, String>, PlanError> {
    let blocks = match a.blocks("ebs_block_device")? {
        Field::Known(b) => b,
        _ => return Ok(Err(a.unknown_reason("ebs_block_device"))),
    };
    let mut devices = Vec::new();
    for b in &blocks {
        let Field::Known(device_name) = b.string("device_name")? else {
            return Ok(Err(b.unknown_reason("device_name")));
        };
        let snapshot_id = match ctx.arn_ref(b, p, "snapshot_id")? {
            Field::Known(s) => Some(s),
            Field::Null => None,
            Field::Unknown => return Ok(Err(b.unknown_reason("snapshot_id"))),
        };
        match b.bool("encrypted")? {
            Field::Known(true) => {}
            _ => {
                return Ok(Err(format!(
                    "{} is not set true: the device's encryption follows its snapshot, which the plan does not show",
                    b.unknown_reason("encrypted")
                        .replace(" is known after apply", "")
                )));
            }
        }
        devices.push(ImageBlockDevice {
            device_name,
            snapshot_id,
            encrypted: Some(true),
            kms_key_id: b.nonempty_string("kms_key_id")?.known(),
        });
    }
    Ok(Ok(devices))
}

pub fn image(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut image = Ec2Image {
        image_name: a.string("name")?.known(),
        description: a.nonempty_string("description")?.known(),
        ..Ec2Image::default()
    };
    let new = p.action == "create" || p.action == "replace";
    for group in ["creation_date", "state"] {
        unknown.push((
            group,
            format!("the {group} of {} is known after apply", p.address),
        ));
    }
    // A new image is private: "By default, an AMI is private" (the EC2 user guide,
    // "Understand shared AMI usage"); it becomes public only through a launch permission,
    // which a plan shows as `aws_ami_launch_permission`.
    match a.bool("public")? {
        Field::Known(v) => image.public = v,
        _ if new => image.public = false,
        _ => unknown.push(("public", a.unknown_reason("public"))),
    }
    match p.type_name.as_str() {
        "aws_ami" => match registered_devices(ctx, p, &a)? {
            Ok(devices) => image.block_devices = devices,
            Err(reason) => unknown.push(("block_devices", reason)),
        },
        // A copy's and an instance image's devices (and so their snapshots) are made at
        // apply time.
        _ => unknown.push((
            "block_devices",
            format!(
                "the block devices of {} are made after apply ({})",
                p.address, p.type_name
            ),
        )),
    }
    if p.type_name == "aws_ami_from_instance" {
        match ctx.arn_ref(&a, p, "source_instance_id")? {
            Field::Known(id) => image.source_instance_id = Some(id),
            Field::Null => {}
            Field::Unknown => {
                unknown.push(("source_instance_id", a.unknown_reason("source_instance_id")))
            }
        }
    }
    let name = image.image_name.clone();
    let mut draft = ctx.draft(index, Attributes::Ec2Image(image), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// Who `aws_ami_launch_permission` lets launch the image: `account_id`, `group` (`all`
/// is everyone), `organization_arn` or `organizational_unit_arn`, whichever is set.
fn grantee(a: &Attrs) -> Result<Field<String>, PlanError> {
    let mut unknown = false;
    for key in [
        "account_id",
        "group",
        "organization_arn",
        "organizational_unit_arn",
    ] {
        match a.nonempty_string(key)? {
            Field::Known(v) => return Ok(Field::Known(v)),
            Field::Unknown => unknown = true,
            Field::Null => {}
        }
    }
    Ok(if unknown { Field::Unknown } else { Field::Null })
}

/// Adds one launch permission to its image: the planned image `image_id` names, or a
/// placeholder for an image managed elsewhere (one per image, so every permission of the
/// same image is judged together), whose other settings are UNKNOWN.
pub fn launch_permission(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let who = grantee(&a)?;
    let draft = match ctx
        .target(&a, p, "image_id", IMAGE_TYPES)
        .filter(|&t| drafts.of(t).is_some())
    {
        Some(target) => match drafts.of_mut(target) {
            Some(d) => d,
            None => return Ok(()),
        },
        None => {
            let parent = ctx.outside_parent(&a, p, "image_id", "image");
            drafts.outside(
                ctx,
                index,
                "image_id",
                "image",
                "its launch permissions in this plan are judged on a placeholder image; its other launch permissions, its devices and its other settings are UNKNOWN",
            );
            let key = match a.raw("image_id") {
                Field::Known(Value::String(id)) => format!("aws_ec2_image {id}"),
                _ => p.address.clone(),
            };
            drafts.placeholder(&key, || outside_image(ctx, index, &parent.label))?
        }
    };
    let Attributes::Ec2Image(image) = &mut draft.resource.attributes else {
        return Ok(());
    };
    match who {
        Field::Known(grantee) => {
            if grantee == "all" {
                image.public = true;
                draft.known("public");
            }
            if let Attributes::Ec2Image(image) = &mut draft.resource.attributes
                && !image.launch_permissions.contains(&grantee)
            {
                image.launch_permissions.push(grantee);
            }
            draft.cite("launch_permissions", p, ctx.collected_at);
        }
        Field::Null => {}
        Field::Unknown => draft.unknown(
            "launch_permissions",
            format!(
                "who {} lets launch the image is known after apply",
                p.address
            ),
        ),
    }
    Ok(())
}

/// A placeholder for an image outside the plan.
fn outside_image(ctx: &Ctx, index: usize, label: &str) -> Result<Draft, PlanError> {
    super::placeholder_outside(
        ctx,
        index,
        label,
        Attributes::Ec2Image(Ec2Image::default()),
        &[
            "image_name",
            "description",
            "creation_date",
            "state",
            "public",
            "source_instance_id",
            "block_devices",
        ],
    )
}
