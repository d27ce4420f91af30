//! Region-level settings → `aws_region` resources.
//!
//! The live collector writes one `aws_region` per account and region. A plan only shows
//! the regions whose settings its configuration manages, so an `aws_region` exists here
//! only where the plan sets EBS encryption by default or runs a Config recorder. Its ARN is
//! `terraform:region/<account>/<region>`: region settings have no single Terraform address.

use std::collections::BTreeSet;

use super::super::PlanNote;
use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use crate::snapshot::resources::{EbsDefaultEncryption, RegionSettings};
use crate::snapshot::{Attributes, Resource, Tags};

pub fn settings(ctx: &Ctx, drafts: &[Draft]) -> Result<(Vec<Draft>, Vec<PlanNote>), PlanError> {
    let of_type = |t: &'static str| {
        ctx.changes
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.type_name == t)
    };
    // Without an account in the plan or `--account`, region settings of the plan's
    // one unknown account are still gathered (its `account` group is unknown).
    let place = |i: usize| {
        let c = &ctx.changes[i];
        (
            Some(ctx.account(c).unwrap_or_else(|| "unknown".into())),
            ctx.region(c),
        )
    };
    let mut notes = Vec::new();
    let mut regions: BTreeSet<(String, String)> = BTreeSet::new();
    for (i, c) in of_type("aws_ebs_encryption_by_default").chain(of_type("aws_ebs_default_kms_key"))
    {
        match place(i) {
            (Some(account), Some(region)) => {
                regions.insert((account, region));
            }
            _ => notes.push(PlanNote {
                address: c.address.clone(),
                type_name: c.type_name.clone(),
                note: format!(
                    "{}: the region it sets EBS encryption for is not in the plan, so encryption.ebs-default-encryption cannot judge it",
                    ctx.region_or_reason(c).err().unwrap_or_default()
                ),
            }),
        }
    }
    for d in drafts {
        if matches!(d.resource.attributes, Attributes::ConfigRecorder(_)) {
            regions.insert((d.resource.account.clone(), d.resource.region.clone()));
        }
    }
    let mut out = Vec::new();
    for (account, region) in regions {
        let here = |i: &(usize, &super::super::build::Planned)| {
            place(i.0) == (Some(account.clone()), Some(region.clone()))
        };
        let by_default = of_type("aws_ebs_encryption_by_default")
            .find(here)
            .map(|(i, _)| i);
        let default_key = of_type("aws_ebs_default_kms_key")
            .find(here)
            .map(|(i, _)| i);
        let mut draft = Draft {
            change: None,
            resource: Resource {
                arn: format!("terraform:region/{account}/{region}"),
                id: region.clone(),
                name: region.clone(),
                account: account.clone(),
                region: region.clone(),
                tags: Tags::new(),
                attributes: Attributes::RegionSettings(RegionSettings {
                    opt_in_status: None,
                    in_use: in_use(drafts, &account, &region),
                    ebs_encryption_by_default: None,
                }),
                provenance: Default::default(),
                unread: Vec::new(),
                unknown: Vec::new(),
            },
        };
        if let Some(first) = by_default.or(default_key) {
            draft.cite("resource", &ctx.changes[first], ctx.collected_at);
        }
        draft.unknown(
            "opt_in_status",
            format!("the opt-in status of {region} is not in the plan"),
        );
        let setting = match by_default {
            Some(i) => {
                let c = &ctx.changes[i];
                draft.cite("ebs_encryption_by_default", c, ctx.collected_at);
                let a = ctx.attrs(c);
                let key = match default_key {
                    Some(k) => {
                        let kc = &ctx.changes[k];
                        ctx.arn_ref(&ctx.attrs(kc), kc, "key_arn")?
                    }
                    // Without a default key, EBS uses the AWS-managed `aws/ebs` key.
                    None => Field::Null,
                };
                match (a.bool("enabled")?.or_default_when_null(true), key) {
                    (Field::Known(enabled), Field::Known(arn)) => {
                        Field::Known(EbsDefaultEncryption {
                            enabled,
                            kms_key_arn: Some(arn),
                        })
                    }
                    (Field::Known(enabled), Field::Null) => Field::Known(EbsDefaultEncryption {
                        enabled,
                        kms_key_arn: None,
                    }),
                    _ => Field::Unknown,
                }
            }
            None => Field::Null,
        };
        match setting {
            Field::Known(s) => {
                if let Attributes::RegionSettings(r) = &mut draft.resource.attributes {
                    r.ebs_encryption_by_default = Some(s);
                }
            }
            Field::Null => draft.unknown(
                "ebs_encryption_by_default",
                format!("the plan does not manage EBS encryption by default in {account}/{region}"),
            ),
            Field::Unknown => draft.unknown(
                "ebs_encryption_by_default",
                format!("EBS encryption by default in {account}/{region} is known after apply"),
            ),
        }
        if account == "unknown" {
            draft.unknown(
                "account",
                format!("the account of the region settings in {region} is not in the plan: set allowed_account_ids in its provider, or pass --account"),
            );
        }
        out.push(draft);
    }
    Ok((out, notes))
}

/// Whether the plan puts a data store, instance, key, backup or non-default network
/// resource in the region (the live collector's definition).
fn in_use(drafts: &[Draft], account: &str, region: &str) -> bool {
    drafts.iter().any(|d| {
        d.resource.account == account
            && d.resource.region == region
            && match &d.resource.attributes {
                Attributes::RegionSettings(_)
                | Attributes::Account(_)
                | Attributes::ConfigRecorder(_)
                | Attributes::CloudTrailTrail(_) => false,
                Attributes::Vpc(v) => !v.is_default,
                Attributes::SecurityGroup(g) => !g.is_default,
                Attributes::KmsKey(k) => k.key_manager == "CUSTOMER",
                _ => true,
            }
    })
}
