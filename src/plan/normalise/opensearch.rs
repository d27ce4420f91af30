//! OpenSearch Service: `aws_opensearch_domain` → `aws_opensearch_domain`, with its
//! encryption at rest and in transit, whether it is in a VPC, and its access policy.

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Planned};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::{Encryption, OpensearchDomain};

/// `encrypt_at_rest`: off without the block or with `enabled = false`; on, with
/// `kms_key_id` or, without one, the AWS managed key `aws/es` ("kms_key_id: (Optional) KMS
/// key ARN to encrypt the Elasticsearch domain with. If not specified then it defaults to
/// using the aws/es service KMS key", the provider's documentation of
/// `aws_opensearch_domain`). `Err` with the reason when the plan does not show it.
fn at_rest(
    ctx: &Ctx,
    p: &Planned,
    a: &Attrs,
    index: usize,
    drafts: &mut Drafts,
) -> Result<Result<Encryption, String>, PlanError> {
    let block = match a.block("encrypt_at_rest")? {
        Field::Known(Some(b)) => b,
        Field::Known(None) | Field::Null => return Ok(Ok(Encryption::default())),
        Field::Unknown => return Ok(Err(a.unknown_reason("encrypt_at_rest"))),
    };
    match block.bool("enabled")? {
        Field::Known(false) | Field::Null => return Ok(Ok(Encryption::default())),
        Field::Unknown => return Ok(Err(block.unknown_reason("enabled"))),
        Field::Known(true) => {}
    }
    let kms = |arn: String| {
        Ok(Ok(Encryption {
            enabled: true,
            algorithm: Some("aws:kms".into()),
            kms_key_arn: Some(arn),
        }))
    };
    // The provider computes `kms_key_id`, so a new domain's is unknown in the plan even
    // when the configuration does not set it: then only the configuration tells the AWS
    // managed key from a customer one.
    let configured = ctx
        .config
        .resource(&p.address)
        .and_then(|r| r.expressions)
        .is_some();
    match ctx.arn_ref(&block, p, "kms_key_id")? {
        Field::Known(arn) => kms(arn),
        Field::Null => kms(super::kms::aws_managed(ctx, index, "es", drafts)?),
        Field::Unknown if configured && block.expression("kms_key_id").is_none() => {
            kms(super::kms::aws_managed(ctx, index, "es", drafts)?)
        }
        Field::Unknown => Ok(Err(block.unknown_reason("kms_key_id"))),
    }
}

/// `enabled` of an optional block, false without the block.
fn block_flag(a: &Attrs, block: &str, key: &str) -> Result<Result<bool, String>, PlanError> {
    Ok(match a.block(block)? {
        Field::Known(Some(b)) => match b.bool(key)?.or_default_when_null(false) {
            Field::Known(v) => Ok(v),
            _ => Err(b.unknown_reason(key)),
        },
        Field::Known(None) | Field::Null => Ok(false),
        Field::Unknown => Err(a.unknown_reason(block)),
    })
}

pub fn domain(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut domain = OpensearchDomain::default();
    match a.string("engine_version")? {
        Field::Known(v) => domain.engine_version = Some(v),
        Field::Null => {}
        Field::Unknown => unknown.push(("engine_version", a.unknown_reason("engine_version"))),
    }
    match at_rest(ctx, p, &a, index, drafts)? {
        Ok(e) => domain.encryption = Some(e),
        Err(reason) => unknown.push(("encryption", reason)),
    }
    match block_flag(&a, "node_to_node_encryption", "enabled")? {
        Ok(v) => domain.node_to_node_encryption = v,
        Err(reason) => unknown.push(("node_to_node_encryption", reason)),
    }
    match block_flag(&a, "domain_endpoint_options", "enforce_https")? {
        Ok(v) => domain.enforce_https = v,
        Err(reason) => unknown.push(("enforce_https", reason)),
    }
    // In a VPC, the VPC's id is computed from the subnets: known after apply. Without
    // `vpc_options`, the endpoint is public (null).
    match a.block("vpc_options")? {
        Field::Known(None) | Field::Null => {}
        _ => unknown.push((
            "vpc_id",
            format!(
                "{}.vpc_options.vpc_id is known after apply (the domain is in a VPC)",
                p.address
            ),
        )),
    }
    match a.nonempty_string("access_policies")? {
        Field::Known(text) => domain.access_policy = policy_document(&text),
        Field::Null => {}
        Field::Unknown => unknown.push(("access_policy", a.unknown_reason("access_policies"))),
    }
    // A new domain has no cross-cluster connections but those the plan makes, which
    // assay does not read (`aws_opensearch_outbound_connection`); an existing one may
    // have others.
    let new = p.action == "create" || p.action == "replace";
    let connections_planned = ctx
        .changes
        .iter()
        .any(|c| c.type_name == "aws_opensearch_outbound_connection");
    if !new || connections_planned {
        unknown.push((
            "connection_regions",
            format!(
                "the cross-cluster connections of {} are not read from plans (aws_opensearch_outbound_connection): scan the account",
                p.address
            ),
        ));
    }
    let name = a.string("domain_name")?.known();
    let mut draft = ctx.draft(index, Attributes::OpensearchDomain(domain), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}
