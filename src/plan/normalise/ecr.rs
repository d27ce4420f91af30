//! ECR: `aws_ecr_repository` → `aws_ecr_repository` with its encryption, completed by
//! `aws_ecr_repository_policy` (its policy) and `aws_ecr_replication_configuration` (the
//! registry's replication, which copies every repository its rules' filters match).
//!
//! A repository's policy and its registry's replication are resources of their own: when
//! the plan holds none, another stack may manage them, so they are unknown, never taken
//! for absent.

use std::collections::BTreeSet;

use super::super::attrs::{Attrs, Field};
use super::super::build::Ctx;
use super::super::error::PlanError;
use super::Drafts;
use super::messaging::{key, policy};
use crate::snapshot::Attributes;
use crate::snapshot::resources::{EcrRepository, Encryption};

pub fn repository(
    ctx: &Ctx,
    index: usize,
    drafts: &mut Drafts,
) -> Result<super::super::build::Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = vec![
        (
            "created",
            format!("the creation time of {} is known after apply", p.address),
        ),
        (
            "uri",
            format!("the URI of {} is known after apply", p.address),
        ),
        (
            "policy",
            format!(
                "no aws_ecr_repository_policy for {} is in the plan: its policy may be managed elsewhere",
                p.address
            ),
        ),
        (
            "replica_regions",
            format!(
                "no aws_ecr_replication_configuration of the registry of {} is in the plan: its replication may be managed elsewhere",
                p.address
            ),
        ),
    ];
    unknown.push(("replica_accounts", unknown[3].1.clone()));
    let mut repo = EcrRepository::default();
    // "By default, when no encryption configuration is set or the AES256 encryption type is
    // used, Amazon ECR uses server-side encryption with Amazon S3-managed encryption keys"
    // (the `EncryptionConfiguration` data type); with KMS and no `kms_key`, the AWS managed
    // key aws/ecr.
    match a.block("encryption_configuration")? {
        Field::Known(None) | Field::Null => repo.encryption = Some(aes256()),
        Field::Unknown => {
            unknown.push(("encryption", a.unknown_reason("encryption_configuration")))
        }
        Field::Known(Some(b)) => encryption(ctx, p, &b, index, drafts, &mut repo, &mut unknown)?,
    }
    match a
        .string("image_tag_mutability")?
        .or_default_when_null("MUTABLE".into())
    {
        Field::Known(m) => repo.image_tag_mutability = Some(m),
        _ => unknown.push((
            "image_tag_mutability",
            a.unknown_reason("image_tag_mutability"),
        )),
    }
    match a.block("image_scanning_configuration")? {
        Field::Known(Some(b)) => match b.bool("scan_on_push")?.or_default_when_null(false) {
            Field::Known(v) => repo.scan_on_push = v,
            _ => unknown.push(("scan_on_push", b.unknown_reason("scan_on_push"))),
        },
        Field::Known(None) | Field::Null => repo.scan_on_push = false,
        Field::Unknown => unknown.push((
            "scan_on_push",
            a.unknown_reason("image_scanning_configuration"),
        )),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::EcrRepository(repo), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

fn aes256() -> Encryption {
    Encryption {
        enabled: true,
        algorithm: Some("AES256".into()),
        kms_key_arn: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn encryption(
    ctx: &Ctx,
    p: &super::super::build::Planned,
    b: &Attrs,
    index: usize,
    drafts: &mut Drafts,
    repo: &mut EcrRepository,
    unknown: &mut Vec<(&'static str, String)>,
) -> Result<(), PlanError> {
    let algorithm = match b
        .string("encryption_type")?
        .or_default_when_null("AES256".into())
    {
        Field::Known(t) if t == "KMS" => "aws:kms",
        Field::Known(t) if t == "KMS_DSSE" => "aws:kms:dsse",
        Field::Known(_) => {
            repo.encryption = Some(aes256());
            return Ok(());
        }
        _ => {
            unknown.push(("encryption", b.unknown_reason("encryption_type")));
            return Ok(());
        }
    };
    let with = |arn: String| Encryption {
        enabled: true,
        algorithm: Some(algorithm.into()),
        kms_key_arn: Some(arn),
    };
    match key(ctx, p, b, "kms_key", "ecr", index, drafts)? {
        Field::Known(k) => repo.encryption = Some(with(k)),
        // The provider computes `kms_key`: unset in the configuration, it is the AWS
        // managed key.
        Field::Null => {
            repo.aws_managed_key = true;
            repo.encryption = Some(Encryption {
                kms_key_arn: None,
                ..with(String::new())
            });
        }
        Field::Unknown if b.expression("kms_key").is_none() => {
            repo.aws_managed_key = true;
            repo.encryption = Some(Encryption {
                kms_key_arn: None,
                ..with(String::new())
            });
        }
        Field::Unknown => unknown.push(("encryption", b.unknown_reason("kms_key"))),
    }
    Ok(())
}

/// `aws_ecr_repository_policy`: the policy of a repository in the plan.
pub fn repository_policy(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let Some(target) = ctx.target(&a, p, "repository", &["aws_ecr_repository"]) else {
        drafts.outside(
            ctx,
            index,
            "repository",
            "ECR repository",
            "its policy is not judged: the repository is not in the plan",
        );
        return Ok(());
    };
    let document = policy(&a, "policy")?;
    if let Some(draft) = drafts.of_mut(target) {
        match document {
            Ok(doc) => {
                if let Attributes::EcrRepository(r) = &mut draft.resource.attributes {
                    r.policy = doc;
                }
                draft.known("policy");
                draft.cite("policy", p, ctx.collected_at);
            }
            Err(reason) => {
                draft.known("policy");
                draft.unknown("policy", reason);
            }
        }
    }
    Ok(())
}

/// One replication rule: its destinations (region, registry) and prefix filters, or the
/// reason they are not known.
type Rule = (Vec<(String, String)>, Vec<String>);

fn rules(a: &Attrs) -> Result<Result<Vec<Rule>, String>, PlanError> {
    let configuration = match a.block("replication_configuration")? {
        Field::Known(Some(c)) => c,
        Field::Known(None) | Field::Null => return Ok(Ok(Vec::new())),
        Field::Unknown => return Ok(Err(a.unknown_reason("replication_configuration"))),
    };
    let Field::Known(blocks) = configuration.blocks("rule")? else {
        return Ok(Err(configuration.unknown_reason("rule")));
    };
    let mut out = Vec::new();
    for rule in &blocks {
        let mut destinations = Vec::new();
        let Field::Known(ds) = rule.blocks("destination")? else {
            return Ok(Err(rule.unknown_reason("destination")));
        };
        for d in &ds {
            match (d.string("region")?, d.string("registry_id")?) {
                (Field::Known(r), Field::Known(id)) => destinations.push((r, id)),
                _ => return Ok(Err(d.unknown_reason("region"))),
            }
        }
        let mut filters = Vec::new();
        let Field::Known(fs) = rule.blocks("repository_filter")? else {
            return Ok(Err(rule.unknown_reason("repository_filter")));
        };
        for f in &fs {
            match f.string("filter")? {
                Field::Known(v) => filters.push(v),
                _ => return Ok(Err(f.unknown_reason("filter"))),
            }
        }
        out.push((destinations, filters));
    }
    Ok(Ok(out))
}

/// `aws_ecr_replication_configuration`: the replication of its registry (its provider's
/// account and region), applied to every repository of that registry in the plan as
/// `DescribeRegistry` is applied to a live registry (`PREFIX_MATCH` filters).
pub fn replication(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let (Some(region), Some(account)) = (ctx.region(p), ctx.account(p)) else {
        drafts.note(
            ctx,
            index,
            "its registry's account or region is not in the plan: the repositories it copies are not known".into(),
        );
        return Ok(());
    };
    let read = rules(&a)?;
    for draft in drafts.list.iter_mut() {
        let r = &draft.resource;
        if r.region != region || r.account != account {
            continue;
        }
        let name = r.name.clone();
        let Attributes::EcrRepository(repo) = &mut draft.resource.attributes else {
            continue;
        };
        match &read {
            Ok(rules) => {
                let (mut regions, mut accounts) = (BTreeSet::new(), BTreeSet::new());
                for (destinations, filters) in rules {
                    if !filters.is_empty() && !filters.iter().any(|f| name.starts_with(f.as_str()))
                    {
                        continue;
                    }
                    for (r, id) in destinations {
                        if *r != region {
                            regions.insert(r.clone());
                        }
                        if *id != account {
                            accounts.insert(id.clone());
                        }
                    }
                }
                repo.replica_regions = regions.into_iter().collect();
                repo.replica_accounts = accounts.into_iter().collect();
                for group in ["replica_regions", "replica_accounts"] {
                    draft.known(group);
                    draft.cite(group, p, ctx.collected_at);
                }
            }
            Err(reason) => {
                for group in ["replica_regions", "replica_accounts"] {
                    draft.known(group);
                    draft.unknown(group, reason.clone());
                }
            }
        }
    }
    Ok(())
}
