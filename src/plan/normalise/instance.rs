//! EC2 instances: `aws_instance` → `aws_ec2_instance`, with the metadata options of its
//! own `metadata_options` block or of the `aws_launch_template` it launches from, and its
//! root and EBS block devices as `aws_ebs_volume`s (so the volume encryption and region
//! rules judge them). `aws_ec2_instance_state` sets whether it runs.

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned, placeholder};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{EbsVolume, Ec2Instance, Encryption};

pub fn instance(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut instance = Ec2Instance {
        image_id: a.string("ami")?.known().unwrap_or_default(),
        key_name: a.nonempty_string("key_name")?.known(),
        ..Ec2Instance::default()
    };
    match a.string("instance_type")? {
        Field::Known(t) => instance.instance_type = t,
        _ => unknown.push(("instance_type", a.unknown_reason("instance_type"))),
    }
    // The provider creates an instance and waits until it is `running` ("instance_state",
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/instance);
    // an `aws_ec2_instance_state` of the plan may stop it (applied below).
    match a.string("instance_state")? {
        Field::Known(s) => instance.state = s,
        _ if p.action == "create" || p.action == "replace" => instance.state = "running".into(),
        _ => unknown.push(("state", a.unknown_reason("instance_state"))),
    }
    match ctx.arn_ref(&a, p, "subnet_id")? {
        Field::Known(s) => instance.subnet_id = Some(s),
        Field::Null => {}
        Field::Unknown => unknown.push(("subnet_id", a.unknown_reason("subnet_id"))),
    }
    match a.strings("vpc_security_group_ids")? {
        Field::Known(ids) => {
            instance.security_group_ids = ids.iter().map(|i| ctx.arn_ref_value(i)).collect()
        }
        Field::Null => {}
        Field::Unknown => {
            let refs = ctx.referenced_placeholders(&a, p, "vpc_security_group_ids");
            if refs.is_empty() {
                unknown.push((
                    "security_group_ids",
                    a.unknown_reason("vpc_security_group_ids"),
                ));
            } else {
                instance.security_group_ids = refs;
            }
        }
    }
    match a.nonempty_string("public_ip")? {
        Field::Known(ip) => instance.public_ip = Some(ip),
        Field::Null => {}
        Field::Unknown => unknown.push(("public_ip", a.unknown_reason("public_ip"))),
    }
    unknown.push((
        "launch_time",
        format!("the launch time of {} is known after apply", p.address),
    ));
    match imds_v2_required(ctx, p, &a)? {
        Ok(required) => instance.imds_v2_required = required,
        Err(reason) => unknown.push(("imds_v2_required", reason)),
    }
    // EBS volumes of the AMI's block device mappings that the configuration does not name
    // are created at launch; the plan does not show them.
    if a.blocks("ebs_block_device")?.is_unknown() {
        unknown.push((
            "volume_ids",
            format!(
                "{}.ebs_block_device is known after apply: the AMI's block device mappings may attach EBS volumes the plan does not show",
                p.address
            ),
        ));
    }
    let volumes = block_devices(ctx, index, &a)?;
    instance.volume_ids = volumes.iter().map(|v| v.resource.arn.clone()).collect();
    for v in volumes {
        drafts.push_extra(v);
    }
    let name = a.string("id")?.known();
    let mut draft = ctx.draft(index, Attributes::Ec2Instance(instance), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// Whether IMDSv2 is required: `metadata_options.http_tokens` of the instance, else of
/// its launch template. Unset, the default depends on the AMI's `ImdsSupport` and the
/// account's instance metadata defaults ("HttpTokens", InstanceMetadataOptionsRequest,
/// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceMetadataOptionsRequest.html),
/// neither of which a plan shows.
fn imds_v2_required(ctx: &Ctx, p: &Planned, a: &Attrs) -> Result<Result<bool, String>, PlanError> {
    let tokens = |block: &Attrs| -> Result<Field<String>, PlanError> {
        Ok(match block.block("metadata_options")? {
            Field::Known(Some(m)) => m.nonempty_string("http_tokens")?,
            Field::Known(None) | Field::Null => Field::Null,
            Field::Unknown => Field::Unknown,
        })
    };
    let configured = |block: &Attrs, key: &str| {
        block
            .expression("metadata_options")
            .and_then(|m| m.as_array().and_then(|l| l.first()).or(Some(m)))
            .is_some_and(|m| m.get(key).is_some())
    };
    match tokens(a)? {
        Field::Known(t)
            if configured(a, "http_tokens") || p.action == "no-op" || p.action == "update" =>
        {
            return Ok(Ok(t == "required"));
        }
        Field::Known(t) if t == "required" => return Ok(Ok(true)),
        _ => {}
    }
    // The launch template the instance starts from, when the plan holds it.
    if let Field::Known(Some(lt)) = a.block("launch_template")? {
        let template = ["id", "name"]
            .iter()
            .find_map(|k| ctx.target(&lt, p, k, &["aws_launch_template"]));
        if let Some(t) = template {
            let tp = &ctx.changes[t];
            let ta = ctx.attrs(tp);
            match tokens(&ta)? {
                Field::Known(t) => return Ok(Ok(t == "required")),
                Field::Unknown if !configured(&ta, "http_tokens") => {}
                _ => {
                    return Ok(Err(format!(
                        "{} (the launch template's) is known after apply",
                        ta.unknown_reason("metadata_options")
                            .split(" is known")
                            .next()
                            .unwrap_or_default()
                    )));
                }
            }
        } else {
            return Ok(Err(format!(
                "{}: the launch template it starts from is outside the plan, and its own metadata_options.http_tokens is unset",
                p.address
            )));
        }
    }
    Ok(Err(format!(
        "{}.metadata_options.http_tokens is known after apply (unset, it follows the AMI's ImdsSupport and the account's instance metadata defaults; set http_tokens = \"required\")",
        p.address
    )))
}

/// The instance's root volume and EBS block devices, as volumes of their own: ARN
/// `terraform:<instance address>/root_block_device` and `…/ebs_block_device/<device>`.
fn block_devices(ctx: &Ctx, index: usize, a: &Attrs) -> Result<Vec<Draft>, PlanError> {
    let mut out = Vec::new();
    let root = match a.block("root_block_device")? {
        Field::Known(Some(b)) => Some(b),
        _ => None,
    };
    out.push(volume(
        ctx,
        index,
        root.as_ref(),
        "root_block_device".into(),
    )?);
    if let Field::Known(blocks) = a.blocks("ebs_block_device")? {
        for b in blocks {
            let device = b
                .string("device_name")?
                .known()
                .unwrap_or_else(|| format!("{}", out.len()));
            out.push(volume(
                ctx,
                index,
                Some(&b),
                format!("ebs_block_device/{device}"),
            )?);
        }
    }
    Ok(out)
}

fn volume(
    ctx: &Ctx,
    index: usize,
    block: Option<&Attrs>,
    path: String,
) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut v = EbsVolume {
        state: "in-use".into(),
        availability_zone: a.string("availability_zone")?.known().unwrap_or_default(),
        ..EbsVolume::default()
    };
    let mut unknown = Vec::new();
    if v.availability_zone.is_empty() {
        unknown.push(("availability_zone", a.unknown_reason("availability_zone")));
    }
    let encryption = match block {
        Some(b) => block_encryption(ctx, p, b)?,
        None => Err(format!(
            "{}.{path}.encrypted is known after apply (unset, the root volume is encrypted if the AMI's snapshot is or the account encrypts new volumes by default)",
            p.address
        )),
    };
    match encryption {
        Ok(e) => v.encryption = Some(e),
        Err(reason) => unknown.push(("encryption", reason)),
    }
    if let Some(b) = block {
        match b.int("volume_size")? {
            Field::Known(s) => v.size_gib = s,
            _ => unknown.push(("size_gib", b.unknown_reason("volume_size"))),
        }
        match b.string("volume_type")? {
            Field::Known(t) => v.volume_type = t,
            _ => unknown.push(("volume_type", b.unknown_reason("volume_type"))),
        }
    } else {
        unknown.push((
            "size_gib",
            format!("{}.{path} is known after apply", p.address),
        ));
        unknown.push((
            "volume_type",
            format!("{}.{path} is known after apply", p.address),
        ));
    }
    v.attached_instance_ids = vec![placeholder(&p.address)];
    let mut draft = ctx.draft(index, Attributes::EbsVolume(v), None, false)?;
    draft.change = None;
    draft.resource.arn = format!("{}/{path}", placeholder(&p.address));
    draft.resource.id = format!("{}/{path}", p.address);
    draft.resource.name = draft.resource.id.clone();
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// `encrypted` and `kms_key_id` of a block device. Unset, the volume follows the
/// account's EBS encryption by default and its default key at launch; even an
/// `aws_ebs_encryption_by_default` in the same plan need not be applied before the
/// instance is launched (Terraform orders them only with `depends_on`), so neither is
/// assumed.
fn block_encryption(
    ctx: &Ctx,
    p: &Planned,
    b: &Attrs,
) -> Result<Result<Encryption, String>, PlanError> {
    match b.bool("encrypted")? {
        Field::Known(false) => return Ok(Ok(Encryption::default())),
        Field::Known(true) => {}
        _ => {
            return Ok(Err(format!(
                "{} (unset, it follows the AMI's snapshot and the account's EBS encryption default)",
                b.unknown_reason("encrypted")
            )));
        }
    }
    Ok(match ctx.arn_ref(b, p, "kms_key_id")? {
        Field::Known(arn) => Ok(Encryption {
            enabled: true,
            algorithm: Some("aws:kms".into()),
            kms_key_arn: Some(arn),
        }),
        _ => Err(format!(
            "{} (unset, it is the account's default EBS key, which the plan does not show)",
            b.unknown_reason("kms_key_id")
        )),
    })
}

/// `aws_ec2_instance_state`: the instance runs or is stopped.
pub fn instance_state(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let Some(target) = ctx.target(&a, p, "instance_id", &["aws_instance"]) else {
        drafts.outside(ctx, index, "instance_id", "EC2 instance", "the instance is not in the plan, so its metadata options are judged where it is managed");
        return Ok(());
    };
    let state = a.string("state")?;
    if let Some(d) = drafts.of_mut(target) {
        match state {
            Field::Known(s) => {
                if let Attributes::Ec2Instance(i) = &mut d.resource.attributes {
                    i.state = s;
                }
                d.cite("state", p, ctx.collected_at);
            }
            _ => d.unknown("state", a.unknown_reason("state")),
        }
    }
    Ok(())
}

/// `aws_launch_template`: read for the instances of the plan that launch from it. A
/// template no planned instance uses (an Auto Scaling group's) is noted: the instances it
/// will start are not in the plan.
pub fn launch_template(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let used = ctx.changes.iter().any(|c| {
        c.type_name == "aws_instance"
            && ctx
                .attrs(c)
                .block("launch_template")
                .ok()
                .and_then(|b| b.known().flatten())
                .is_some_and(|lt| {
                    ["id", "name"]
                        .iter()
                        .any(|k| ctx.target(&lt, c, k, &["aws_launch_template"]) == Some(index))
                })
    });
    if !used {
        let a = ctx.attrs(&ctx.changes[index]);
        let tokens = match a.block("metadata_options")? {
            Field::Known(Some(m)) => m.nonempty_string("http_tokens")?.known(),
            _ => None,
        };
        drafts.note(
            ctx,
            index,
            format!(
                "no instance of the plan launches from it (instances an Auto Scaling group starts are not in a plan), so network.imds-v2-required does not judge it; its metadata_options.http_tokens is {}",
                tokens.map_or("unset or known after apply".to_string(), |t| format!("`{t}`"))
            ),
        );
    }
    Ok(())
}
