//! EC2: enabled regions, and per region volumes, snapshots (with who they are shared
//! with), instances, VPCs, security groups and the EBS encryption-by-default setting (as
//! the `aws_region` resource, whose ARN is assay's own `arn:aws:ec2:R:A:region/R`).

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{SnapshotAttributeName, Tag};
use futures::StreamExt;

use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::aws::Capture;
use super::read::{Groups, Paging};
use super::recorder::Recorder;
use super::{Account, ServiceCtx, resource};
use crate::snapshot::normalise::sg_rule;
use crate::snapshot::resources::{
    EbsDefaultEncryption, EbsSnapshot, EbsVolume, Ec2Instance, Encryption, RegionSettings,
    SecurityGroup, SecurityGroupRule, Vpc,
};
use crate::snapshot::{Attributes, Provenance, Resource, Tags, Unread};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("ec2:DescribeVolumes", "ec2:DescribeVolumes"),
    ("ec2:DescribeSnapshots", "ec2:DescribeSnapshots"),
    (
        "ec2:DescribeSnapshotAttribute",
        "ec2:DescribeSnapshotAttribute",
    ),
    ("ec2:DescribeInstances", "ec2:DescribeInstances"),
    ("ec2:DescribeVpcs", "ec2:DescribeVpcs"),
    ("ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroups"),
    (
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeNetworkInterfaces",
    ),
    (
        "ec2:GetEbsEncryptionByDefault",
        "ec2:GetEbsEncryptionByDefault",
    ),
    ("ec2:GetEbsDefaultKmsKeyId", "ec2:GetEbsDefaultKmsKeyId"),
];

/// Regions of the account's partition with their opt-in status; empty when they could
/// not be listed (a gap is recorded and the requested regions are tried anyway).
pub(super) async fn regions(
    account: &Account,
    recorder: &Recorder,
    home: &str,
) -> Vec<(String, String)> {
    let config = super::aws::in_region(&account.config, home);
    let ec2 = Client::new(&config);
    match recorder
        .call(&account.id, home, "ec2:DescribeRegions", |c| {
            ec2.describe_regions()
                .all_regions(true)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
    {
        Ok((out, _)) => out
            .regions()
            .iter()
            .filter_map(|r| {
                Some((
                    r.region_name()?.to_string(),
                    r.opt_in_status()
                        .unwrap_or("opt-in-not-required")
                        .to_string(),
                ))
            })
            .collect(),
        Err(e) => {
            recorder.gap(
                &account.id,
                home,
                "ec2:DescribeRegions",
                &e.failure,
                &[],
                "",
            );
            Vec::new()
        }
    }
}

fn tags(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn provenance(p: &Provenance) -> BTreeMap<String, Provenance> {
    BTreeMap::from([("resource".to_string(), p.clone())])
}

fn encryption(encrypted: Option<bool>, key: Option<&str>) -> Option<Encryption> {
    let enabled = encrypted.unwrap_or(false);
    Some(Encryption {
        enabled,
        algorithm: enabled.then(|| "aws:kms".to_string()),
        kms_key_arn: key.map(str::to_string),
    })
}

/// Every page of a `Describe*` listing in this region, or `None` (with a gap for
/// `types`) when a page failed.
async fn pages<Out, T, E, Fut>(
    ctx: &ServiceCtx<'_>,
    operation: &'static str,
    types: &[&str],
    send: impl FnMut(Option<String>, Capture) -> Fut,
    split: impl FnMut(Out) -> (Vec<T>, Option<String>),
) -> Option<Vec<(T, Provenance)>>
where
    Fut: Future<Output = Result<Out, SdkError<E, HttpResponse>>> + Send + 'static,
    Out: Send + 'static,
    E: ProvideErrorMetadata + std::error::Error + Send + 'static,
{
    ctx.recorder
        .pages(
            Paging::listing(ctx.account, ctx.region, operation, types),
            send,
            split,
        )
        .await
        .complete()
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let ec2 = service_client!(aws_sdk_ec2, ctx);
    let mut found = Vec::new();
    region_resource(ctx, &ec2, &mut found, ctx.opt_in_status).await;
    volumes(ctx, &ec2, &mut found).await;
    snapshots(ctx, &ec2, &mut found).await;
    instances(ctx, &ec2, &mut found).await;
    vpcs(ctx, &ec2, &mut found).await;
    security_groups(ctx, &ec2, &mut found).await;
    found
}

/// The region resource: EBS encryption by default and the region's opt-in status.
async fn region_resource(
    ctx: &ServiceCtx<'_>,
    ec2: &Client,
    found: &mut Vec<Resource>,
    opt_in_status: &str,
) {
    let (account, region) = (ctx.account, ctx.region);
    // EBS encryption by default, as the region resource.
    let region_arn = format!("arn:aws:ec2:{region}:{account}:region/{region}");
    let mut region_provenance = BTreeMap::new();
    let mut region_unread = Vec::new();
    let default_encryption = match ctx
        .recorder
        .call(ctx.account, region, "ec2:GetEbsEncryptionByDefault", |c| {
            ec2.get_ebs_encryption_by_default()
                .customize()
                .interceptor(c)
                .send()
        })
        .await
    {
        Ok((out, p)) => {
            let enabled = out.ebs_encryption_by_default().unwrap_or(false);
            // The default key is part of the same group: if it cannot be read, the group
            // is unread (a missing key must not look like "no key").
            match ctx
                .recorder
                .call(ctx.account, region, "ec2:GetEbsDefaultKmsKeyId", |c| {
                    ec2.get_ebs_default_kms_key_id()
                        .customize()
                        .interceptor(c)
                        .send()
                })
                .await
            {
                Ok((out, _)) => {
                    region_provenance.insert("ebs_encryption_by_default".to_string(), p);
                    Some(EbsDefaultEncryption {
                        enabled,
                        kms_key_arn: out.kms_key_id().map(str::to_string),
                    })
                }
                Err(e) => {
                    let gap = ctx.recorder.gap(
                        account,
                        region,
                        "ec2:GetEbsDefaultKmsKeyId",
                        &e.failure,
                        &[],
                        &region_arn,
                    );
                    region_unread.push(Unread {
                        group: "ebs_encryption_by_default".into(),
                        gap,
                    });
                    None
                }
            }
        }
        Err(e) => {
            let gap = ctx.recorder.gap(
                account,
                region,
                "ec2:GetEbsEncryptionByDefault",
                &e.failure,
                &[],
                &region_arn,
            );
            region_unread.push(Unread {
                group: "ebs_encryption_by_default".into(),
                gap,
            });
            None
        }
    };
    let settings = RegionSettings {
        opt_in_status: Some(opt_in_status.to_string()),
        in_use: false,
        ebs_encryption_by_default: default_encryption,
    };
    found.push(resource(
        Attributes::RegionSettings(settings),
        region_arn,
        region.to_string(),
        None,
        account,
        region,
        Tags::new(),
        region_provenance,
        region_unread,
    ));
}

/// EBS volumes.
async fn volumes(ctx: &ServiceCtx<'_>, ec2: &Client, found: &mut Vec<Resource>) {
    let (account, region) = (ctx.account, ctx.region);
    // Volumes.
    if let Some(volumes) = pages(
        ctx,
        "ec2:DescribeVolumes",
        &["aws_ebs_volume"],
        |t, c| {
            ec2.describe_volumes()
                .set_next_token(t)
                .customize()
                .interceptor(c)
                .send()
        },
        |o: aws_sdk_ec2::operation::describe_volumes::DescribeVolumesOutput| {
            (o.volumes().to_vec(), o.next_token().map(str::to_string))
        },
    )
    .await
    {
        for (v, p) in volumes {
            let id = v.volume_id().unwrap_or_default().to_string();
            let attributes = EbsVolume {
                availability_zone: v.availability_zone().unwrap_or_default().to_string(),
                size_gib: i64::from(v.size().unwrap_or(0)),
                volume_type: v
                    .volume_type()
                    .map_or(String::new(), |t| t.as_str().to_string()),
                state: v.state().map_or(String::new(), |s| s.as_str().to_string()),
                attached_instance_ids: v
                    .attachments()
                    .iter()
                    .filter_map(|a| a.instance_id().map(str::to_string))
                    .collect(),
                encryption: encryption(v.encrypted(), v.kms_key_id()),
            };
            found.push(resource(
                Attributes::EbsVolume(attributes),
                format!("arn:aws:ec2:{region}:{account}:volume/{id}"),
                id,
                None,
                account,
                region,
                tags(v.tags()),
                provenance(&p),
                Vec::new(),
            ));
        }
    }
}

/// EBS snapshots owned by the account, with who each is shared with.
async fn snapshots(ctx: &ServiceCtx<'_>, ec2: &Client, found: &mut Vec<Resource>) {
    let (account, region) = (ctx.account, ctx.region);
    // Snapshots owned by the account, then who each is shared with.
    if let Some(snapshots) = pages(
        ctx,
        "ec2:DescribeSnapshots",
        &["aws_ebs_snapshot"],
        |t, c| {
            ec2.describe_snapshots()
                .owner_ids("self")
                .set_next_token(t)
                .customize()
                .interceptor(c)
                .send()
        },
        |o: aws_sdk_ec2::operation::describe_snapshots::DescribeSnapshotsOutput| {
            (o.snapshots().to_vec(), o.next_token().map(str::to_string))
        },
    )
    .await
    {
        let shared: Vec<Resource> = futures::stream::iter(snapshots.into_iter().map(|(s, p)| {
            let ec2 = &ec2;
            async move {
                let id = s.snapshot_id().unwrap_or_default().to_string();
                // Account-qualified, so an EBS snapshot never collides with an AWS Backup
                // recovery point, whose ARN is the account-less `arn:aws:ec2:R::snapshot/…`.
                let arn = format!("arn:aws:ec2:{region}:{account}:snapshot/{id}");
                let mut read = Groups::listed(ctx.recorder, account, region, &arn, p);
                let shared_with = read
                    .read("shared_with", "ec2:DescribeSnapshotAttribute", |c| {
                        ec2.describe_snapshot_attribute()
                            .snapshot_id(&id)
                            .attribute(SnapshotAttributeName::CreateVolumePermission)
                            .customize()
                            .interceptor(c)
                            .send()
                    })
                    .await
                    .map(|out| {
                        out.create_volume_permissions()
                            .iter()
                            .filter_map(|perm| {
                                perm.user_id()
                                    .map(str::to_string)
                                    .or_else(|| perm.group().map(|g| g.as_str().to_string()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let attributes = EbsSnapshot {
                    volume_id: s.volume_id().map(str::to_string),
                    start_time: s.start_time().map(|t| t.to_string()).unwrap_or_default(),
                    state: s.state().map_or(String::new(), |x| x.as_str().to_string()),
                    description: s
                        .description()
                        .map(str::to_string)
                        .filter(|d| !d.is_empty()),
                    encryption: encryption(s.encrypted(), s.kms_key_id()),
                    shared_with,
                };
                let (provenance, unread) = read.finish();
                resource(
                    Attributes::EbsSnapshot(attributes),
                    arn,
                    id,
                    None,
                    account,
                    region,
                    tags(s.tags()),
                    provenance,
                    unread,
                )
            }
        }))
        .buffer_unordered(ctx.concurrency)
        .collect()
        .await;
        found.extend(shared);
    }
}

/// EC2 instances.
async fn instances(ctx: &ServiceCtx<'_>, ec2: &Client, found: &mut Vec<Resource>) {
    let (account, region) = (ctx.account, ctx.region);
    // Instances.
    if let Some(reservations) = pages(
        ctx,
        "ec2:DescribeInstances",
        &["aws_ec2_instance"],
        |t, c| {
            ec2.describe_instances()
                .set_next_token(t)
                .customize()
                .interceptor(c)
                .send()
        },
        |o: aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput| {
            (
                o.reservations().to_vec(),
                o.next_token().map(str::to_string),
            )
        },
    )
    .await
    {
        for (reservation, p) in reservations {
            for i in reservation.instances() {
                let id = i.instance_id().unwrap_or_default().to_string();
                let attributes = Ec2Instance {
                    state: i
                        .state()
                        .and_then(|s| s.name())
                        .map_or(String::new(), |n| n.as_str().to_string()),
                    instance_type: i
                        .instance_type()
                        .map_or(String::new(), |t| t.as_str().to_string()),
                    image_id: i.image_id().unwrap_or_default().to_string(),
                    launch_time: i.launch_time().map(|t| t.to_string()),
                    vpc_id: i.vpc_id().map(str::to_string),
                    subnet_id: i.subnet_id().map(str::to_string),
                    public_ip: i.public_ip_address().map(str::to_string),
                    key_name: i.key_name().map(str::to_string),
                    imds_v2_required: i
                        .metadata_options()
                        .and_then(|m| m.http_tokens())
                        .is_some_and(|t| t.as_str() == "required"),
                    security_group_ids: i
                        .security_groups()
                        .iter()
                        .filter_map(|g| g.group_id().map(str::to_string))
                        .collect(),
                    volume_ids: i
                        .block_device_mappings()
                        .iter()
                        .filter_map(|b| b.ebs().and_then(|e| e.volume_id()).map(str::to_string))
                        .collect(),
                };
                found.push(resource(
                    Attributes::Ec2Instance(attributes),
                    format!("arn:aws:ec2:{region}:{account}:instance/{id}"),
                    id,
                    None,
                    account,
                    region,
                    tags(i.tags()),
                    provenance(&p),
                    Vec::new(),
                ));
            }
        }
    }
}

/// VPCs.
async fn vpcs(ctx: &ServiceCtx<'_>, ec2: &Client, found: &mut Vec<Resource>) {
    let (account, region) = (ctx.account, ctx.region);
    // VPCs.
    if let Some(vpcs) = pages(
        ctx,
        "ec2:DescribeVpcs",
        &["aws_vpc"],
        |t, c| {
            ec2.describe_vpcs()
                .set_next_token(t)
                .customize()
                .interceptor(c)
                .send()
        },
        |o: aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsOutput| {
            (o.vpcs().to_vec(), o.next_token().map(str::to_string))
        },
    )
    .await
    {
        for (v, p) in vpcs {
            let id = v.vpc_id().unwrap_or_default().to_string();
            let attributes = Vpc {
                cidr_block: v.cidr_block().unwrap_or_default().to_string(),
                is_default: v.is_default().unwrap_or(false),
                state: v.state().map_or(String::new(), |s| s.as_str().to_string()),
            };
            found.push(resource(
                Attributes::Vpc(attributes),
                format!("arn:aws:ec2:{region}:{account}:vpc/{id}"),
                id,
                None,
                account,
                region,
                tags(v.tags()),
                provenance(&p),
                Vec::new(),
            ));
        }
    }
}

/// Security groups, with how many network interfaces use each.
async fn security_groups(ctx: &ServiceCtx<'_>, ec2: &Client, found: &mut Vec<Resource>) {
    let (account, region) = (ctx.account, ctx.region);
    // Security groups, with how many network interfaces use each.
    let eni_counts: Option<BTreeMap<String, i64>> = pages(ctx, "ec2:DescribeNetworkInterfaces", &[], |t, c| ec2.describe_network_interfaces().set_next_token(t).customize().interceptor(c).send(), |o: aws_sdk_ec2::operation::describe_network_interfaces::DescribeNetworkInterfacesOutput| (o.network_interfaces().to_vec(), o.next_token().map(str::to_string)))
    .await
        .map(|enis| {
            let mut counts = BTreeMap::new();
            for (eni, _) in enis {
                for g in eni.groups() {
                    if let Some(id) = g.group_id() {
                        *counts.entry(id.to_string()).or_insert(0) += 1;
                    }
                }
            }
            counts
        });
    if let Some(groups) = pages(
        ctx,
        "ec2:DescribeSecurityGroups",
        &["aws_security_group"],
        |t, c| {
            ec2.describe_security_groups()
                .set_next_token(t)
                .customize()
                .interceptor(c)
                .send()
        },
        |o: aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsOutput| {
            (
                o.security_groups().to_vec(),
                o.next_token().map(str::to_string),
            )
        },
    )
    .await
    {
        for (g, p) in groups {
            let id = g.group_id().unwrap_or_default().to_string();
            let rules = |perms: &[aws_sdk_ec2::types::IpPermission]| -> Vec<SecurityGroupRule> {
                perms
                    .iter()
                    .map(|perm| {
                        sg_rule(
                            perm.ip_protocol().unwrap_or("-1"),
                            perm.from_port(),
                            perm.to_port(),
                            perm.ip_ranges()
                                .iter()
                                .filter_map(|r| r.cidr_ip().map(str::to_string))
                                .collect(),
                            perm.ipv6_ranges()
                                .iter()
                                .filter_map(|r| r.cidr_ipv6().map(str::to_string))
                                .collect(),
                            perm.user_id_group_pairs()
                                .iter()
                                .filter_map(|pair| pair.group_id().map(str::to_string))
                                .collect(),
                            perm.prefix_list_ids()
                                .iter()
                                .filter_map(|pl| pl.prefix_list_id().map(str::to_string))
                                .collect(),
                            perm.ip_ranges()
                                .iter()
                                .find_map(|r| r.description().map(str::to_string)),
                        )
                    })
                    .collect()
            };
            let attributes = SecurityGroup {
                group_id: id.clone(),
                vpc_id: g.vpc_id().map(str::to_string),
                description: g.description().unwrap_or_default().to_string(),
                is_default: g.group_name() == Some("default"),
                ingress: rules(g.ip_permissions()),
                egress: rules(g.ip_permissions_egress()),
                attached_enis: eni_counts
                    .as_ref()
                    .map(|c| c.get(&id).copied().unwrap_or(0)),
            };
            let name = g.group_name().map(str::to_string);
            found.push(resource(
                Attributes::SecurityGroup(attributes),
                format!("arn:aws:ec2:{region}:{account}:security-group/{id}"),
                id,
                name,
                account,
                region,
                tags(g.tags()),
                provenance(&p),
                Vec::new(),
            ));
        }
    }
}
