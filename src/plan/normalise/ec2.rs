//! EC2: EBS volumes and security groups, with their rules from inline blocks,
//! `aws_vpc_security_group_ingress_rule`/`_egress_rule` and `aws_security_group_rule`.

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Parent, Planned};
use super::super::error::PlanError;
use super::Drafts;
use crate::collect::normalise::sg_rule;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{EbsVolume, Encryption, SecurityGroup, SecurityGroupRule};

pub fn volume(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut volume = EbsVolume::default();
    match a.string("availability_zone")? {
        Field::Known(az) => volume.availability_zone = az,
        _ => unknown.push(("availability_zone", a.unknown_reason("availability_zone"))),
    }
    match a.int("size")? {
        Field::Known(size) => volume.size_gib = size,
        _ => unknown.push(("size_gib", a.unknown_reason("size"))),
    }
    match a.string("type")? {
        Field::Known(t) => volume.volume_type = t,
        _ => unknown.push(("volume_type", a.unknown_reason("type"))),
    }
    unknown.push((
        "state",
        format!("the state of {} is known after apply", p.address),
    ));
    unknown.push((
        "attached_instance_ids",
        format!("attachments of {} are not read from plans", p.address),
    ));
    match encryption(ctx, p, &a, "encrypted", "kms_key_id")? {
        Field::Known(e) => volume.encryption = Some(e),
        _ => unknown.push((
            "encryption",
            encryption_reason(&a, "encrypted", "kms_key_id", "EBS")?,
        )),
    }
    let mut draft = ctx.draft(index, Attributes::EbsVolume(volume), None, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// Encryption of an EBS volume or RDS instance: `encrypted`/`storage_encrypted` and the
/// key. Unset, the flag follows the account's encryption-by-default setting, and an unset
/// key is the account's default key: neither is in the plan.
pub fn encryption(
    ctx: &Ctx,
    p: &Planned,
    a: &Attrs,
    flag: &str,
    key: &str,
) -> Result<Field<Encryption>, PlanError> {
    Ok(match a.bool(flag)? {
        Field::Known(false) => Field::Known(Encryption::default()),
        Field::Known(true) => match ctx.arn_ref(a, p, key)? {
            Field::Known(arn) => Field::Known(Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: Some(arn),
            }),
            _ => Field::Unknown,
        },
        _ => Field::Unknown,
    })
}

pub fn encryption_reason(
    a: &Attrs,
    flag: &str,
    key: &str,
    service: &str,
) -> Result<String, PlanError> {
    Ok(match a.bool(flag)? {
        Field::Known(true) => format!(
            "{} (unset, it is the account's default {service} key, which the plan does not show)",
            a.unknown_reason(key)
        ),
        _ => format!(
            "{} (unset, it follows the account's {service} encryption default)",
            a.unknown_reason(flag)
        ),
    })
}

pub fn security_group(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let is_default_resource = p.type_name == "aws_default_security_group";
    let name = a.string("name")?.known();
    let mut unknown = Vec::new();
    let mut group = SecurityGroup {
        group_id: a.string("id")?.known().unwrap_or_else(|| p.address.clone()),
        vpc_id: None,
        description: a.string("description")?.known().unwrap_or_default(),
        is_default: is_default_resource || name.as_deref() == Some("default"),
        ..SecurityGroup::default()
    };
    match ctx.arn_ref(&a, p, "vpc_id")? {
        Field::Known(vpc) => group.vpc_id = Some(vpc),
        Field::Null => {}
        Field::Unknown => unknown.push(("vpc_id", a.unknown_reason("vpc_id"))),
    }
    for (key, rules) in [
        ("ingress", &mut group.ingress),
        ("egress", &mut group.egress),
    ] {
        match a.blocks(key)? {
            Field::Known(blocks) => {
                for b in &blocks {
                    match inline_rule(p, b)? {
                        Some(rule) => rules.push(rule),
                        None => unknown.push((key, b.unknown_reason("cidr_blocks"))),
                    }
                }
            }
            // Unset on a new group: it has exactly the standalone rules the plan gives it
            // (Terraform also removes the allow-all egress rule AWS adds).
            _ if p.action == "create" || p.action == "replace" => {}
            _ => unknown.push((key, a.unknown_reason(key))),
        }
    }
    unknown.push((
        "attached_enis",
        format!(
            "network interfaces using {} are known after apply",
            p.address
        ),
    ));
    let mut draft = ctx.draft(index, Attributes::SecurityGroup(group), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

fn port(a: &Attrs, key: &str) -> Result<Option<i32>, PlanError> {
    match a.int(key)? {
        Field::Known(p) => i32::try_from(p).map(Some).map_err(|_| PlanError::Field {
            path: a.file.to_string(),
            field: format!("{}.{key}", a.address),
            message: format!("port {p} is out of range"),
        }),
        _ => Ok(None),
    }
}

/// An inline `ingress`/`egress` block; `None` when a value that decides exposure is unknown.
fn inline_rule(p: &Planned, b: &Attrs) -> Result<Option<SecurityGroupRule>, PlanError> {
    let (Field::Known(protocol), Field::Known(ipv4), ipv6, groups, prefixes) = (
        b.string("protocol")?,
        b.strings("cidr_blocks")?.or_default_when_null(Vec::new()),
        b.strings("ipv6_cidr_blocks")?
            .or_default_when_null(Vec::new()),
        b.strings("security_groups")?
            .or_default_when_null(Vec::new()),
        b.strings("prefix_list_ids")?
            .or_default_when_null(Vec::new()),
    ) else {
        return Ok(None);
    };
    let (Field::Known(ipv6), Field::Known(mut groups), Field::Known(prefixes)) =
        (ipv6, groups, prefixes)
    else {
        return Ok(None);
    };
    if b.bool("self")?.known() == Some(true) {
        groups.push(super::super::build::placeholder(&p.address));
    }
    Ok(Some(sg_rule(
        &protocol,
        port(b, "from_port")?,
        port(b, "to_port")?,
        ipv4,
        ipv6,
        groups,
        prefixes,
        b.nonempty_string("description")?.known(),
    )))
}

/// Adds a standalone rule to its group, or marks the group's rules unknown. A group
/// outside the plan (the common case: the group lives in another stack) is stood in for
/// by a placeholder holding what the plan adds to it, so the change itself is judged.
fn add_rule(
    ctx: &Ctx,
    index: usize,
    drafts: &mut Drafts,
    egress: bool,
    rule: Option<SecurityGroupRule>,
    reason: String,
) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let group = if egress { "egress" } else { "ingress" };
    let draft = match ctx.target(
        &a,
        p,
        "security_group_id",
        &["aws_security_group", "aws_default_security_group"],
    ) {
        Some(target) => match drafts.of_mut(target) {
            Some(d) => d,
            None => return Ok(()),
        },
        None => {
            let parent = ctx.outside_parent(&a, p, "security_group_id", "security group");
            drafts.note(
                ctx,
                index,
                format!(
                    "changes {} outside the plan: the rule is judged on a placeholder group named after this change; what needs the group itself (whether it is the default group, its VPC, its other rules) is UNKNOWN",
                    parent.label
                ),
            );
            // One placeholder per change, so each finding points at the rule that
            // caused it.
            drafts.placeholder(&p.address, || outside_group(ctx, index, &parent))?
        }
    };
    let Attributes::SecurityGroup(sg) = &mut draft.resource.attributes else {
        return Ok(());
    };
    // A placeholder is made from this very change; a planned group from its own.
    let placeholder = draft.change == Some(index);
    match rule {
        Some(rule) => {
            let rules = if egress {
                &mut sg.egress
            } else {
                &mut sg.ingress
            };
            if !rules.contains(&rule) {
                rules.push(rule);
            }
            if placeholder {
                draft.known(group);
            }
            draft.cite(group, p, ctx.collected_at);
        }
        None => {
            draft.known(group);
            draft.unknown(group, reason)
        }
    }
    Ok(())
}

/// A placeholder for a security group outside the plan. Its rules are those the plan
/// adds (none, in a direction the plan does not touch); a data source that read the
/// group at plan time tells its name, VPC and whether it is the default group.
fn outside_group(ctx: &Ctx, index: usize, parent: &Parent) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let data_str = |k: &str| {
        parent
            .data
            .and_then(|d| d.get(k))
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let name = data_str("name");
    let group = SecurityGroup {
        group_id: data_str("id")
            .or_else(|| ctx.attrs(p).string("security_group_id").ok()?.known())
            .unwrap_or_else(|| parent.label.clone()),
        vpc_id: data_str("vpc_id"),
        description: data_str("description").unwrap_or_default(),
        is_default: name.as_deref() == Some("default"),
        ..SecurityGroup::default()
    };
    let mut draft = ctx.draft(
        index,
        Attributes::SecurityGroup(group),
        Some(format!("{} (outside the plan)", parent.label)),
        false,
    )?;
    let outside = format!("{} is outside the plan", parent.label);
    if name.is_none() {
        draft.unknown(
            "is_default",
            format!("{outside}: whether it is the VPC's default group is not in the plan"),
        );
    }
    if parent.data.is_none() {
        draft.unknown("vpc_id", format!("{outside}: its VPC is not in the plan"));
    }
    draft.unknown(
        "attached_enis",
        format!("{outside}: the network interfaces using it are not in the plan"),
    );
    // The direction the change adds to holds its rule (set by the caller); the other
    // one's rules are the group's own, outside the plan.
    for direction in ["ingress", "egress"] {
        draft.unknown(
            direction,
            format!("{outside}: its {direction} rules are not in the plan"),
        );
    }
    // The change's own tags are not the group's.
    draft.resource.tags = Default::default();
    draft.known("tags");
    draft.unknown("tags", format!("{outside}: its tags are not in the plan"));
    Ok(draft)
}

/// `aws_vpc_security_group_ingress_rule` / `_egress_rule`: one CIDR or source per rule.
pub fn vpc_rule(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let one = |key: &str| -> Result<Field<Vec<String>>, PlanError> {
        Ok(a.string(key)?
            .map(|v| vec![v])
            .or_default_when_null(Vec::new()))
    };
    let source = match ctx.arn_ref(&a, p, "referenced_security_group_id")? {
        Field::Known(g) => Field::Known(vec![g]),
        Field::Null => Field::Known(Vec::new()),
        Field::Unknown => Field::Unknown,
    };
    let rule = match (
        a.string("ip_protocol")?,
        one("cidr_ipv4")?,
        one("cidr_ipv6")?,
        source,
        one("prefix_list_id")?,
    ) {
        (
            Field::Known(protocol),
            Field::Known(v4),
            Field::Known(v6),
            Field::Known(groups),
            Field::Known(prefixes),
        ) => Some(sg_rule(
            &protocol,
            port(&a, "from_port")?,
            port(&a, "to_port")?,
            v4,
            v6,
            groups,
            prefixes,
            a.nonempty_string("description")?.known(),
        )),
        _ => None,
    };
    let egress = p.type_name.ends_with("egress_rule");
    add_rule(
        ctx,
        index,
        drafts,
        egress,
        rule,
        a.unknown_reason("cidr_ipv4"),
    )
}

/// `aws_security_group_rule` (`type = ingress | egress`).
pub fn classic_rule(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let egress = a.string("type")?.known().as_deref() == Some("egress");
    // Optional and computed: unknown when not configured, and then it stays empty.
    let configured = ctx.config.resource(&p.address).is_none()
        || !a.references("source_security_group_id").is_empty();
    let source = match ctx.arn_ref(&a, p, "source_security_group_id")? {
        Field::Known(g) => Field::Known(vec![g]),
        Field::Null => Field::Known(Vec::new()),
        Field::Unknown if !configured && !expression_set(&a, "source_security_group_id") => {
            Field::Known(Vec::new())
        }
        Field::Unknown => Field::Unknown,
    };
    let list = |key: &str| -> Result<Field<Vec<String>>, PlanError> {
        Ok(a.strings(key)?.or_default_when_null(Vec::new()))
    };
    let rule = match (
        a.string("protocol")?,
        list("cidr_blocks")?,
        list("ipv6_cidr_blocks")?,
        source,
        list("prefix_list_ids")?,
    ) {
        (
            Field::Known(protocol),
            Field::Known(v4),
            Field::Known(v6),
            Field::Known(mut groups),
            Field::Known(prefixes),
        ) => {
            if a.bool("self")?.known() == Some(true)
                && let Some(target) = ctx.target(
                    &a,
                    p,
                    "security_group_id",
                    &["aws_security_group", "aws_default_security_group"],
                )
            {
                groups.push(super::super::build::placeholder(
                    &ctx.changes[target].address,
                ));
            }
            Some(sg_rule(
                &protocol,
                port(&a, "from_port")?,
                port(&a, "to_port")?,
                v4,
                v6,
                groups,
                prefixes,
                a.nonempty_string("description")?.known(),
            ))
        }
        _ => None,
    };
    add_rule(
        ctx,
        index,
        drafts,
        egress,
        rule,
        a.unknown_reason("cidr_blocks"),
    )
}

/// Whether the configuration sets `key` at all (as a constant or an expression).
fn expression_set(a: &Attrs, key: &str) -> bool {
    a.expression(key).is_some()
}
