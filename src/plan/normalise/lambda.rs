//! Lambda: `aws_lambda_function` → `aws_lambda_function`, with the key of its environment
//! variables and how many it has (never their values).

use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use super::Drafts;
use super::messaging::key;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{Encryption, LambdaFunction};

pub fn function(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = vec![(
        "last_modified",
        format!(
            "the last modification of {} is known after apply",
            p.address
        ),
    )];
    let mut function = LambdaFunction::default();
    match a.string("runtime")? {
        Field::Known(r) => function.runtime = Some(r),
        Field::Null => {}
        Field::Unknown => unknown.push(("runtime", a.unknown_reason("runtime"))),
    }
    // The provider's default package type is Zip.
    match a.string("package_type")?.or_default_when_null("Zip".into()) {
        Field::Known(t) => function.package_type = Some(t),
        _ => unknown.push(("package_type", a.unknown_reason("package_type"))),
    }
    // The variables' names are known even when a value is not: only their number is kept.
    match a.block("environment")? {
        Field::Known(Some(b)) => match b.raw("variables") {
            Field::Known(serde_json::Value::Object(vars)) => {
                function.environment_variables = i64::try_from(vars.len()).unwrap_or(i64::MAX)
            }
            Field::Known(_) | Field::Null => {}
            Field::Unknown => {
                unknown.push(("environment_variables", b.unknown_reason("variables")))
            }
        },
        Field::Known(None) | Field::Null => {}
        Field::Unknown => unknown.push(("environment_variables", a.unknown_reason("environment"))),
    }
    // Without `kms_key_arn` Lambda uses a key AWS owns or manages.
    match key(ctx, p, &a, "kms_key_arn", "lambda", index, drafts)? {
        known @ (Field::Known(_) | Field::Null) => {
            let k = known.known();
            function.aws_managed_key = k.is_none();
            function.encryption = Some(Encryption {
                enabled: true,
                algorithm: Some("aws:kms".into()),
                kms_key_arn: k,
            });
        }
        Field::Unknown => {
            let reason = a.unknown_reason("kms_key_arn");
            unknown.push(("encryption", reason.clone()));
            unknown.push(("aws_managed_key", reason));
        }
    }
    let name = a.string("function_name")?.known();
    let mut draft = ctx.draft(index, Attributes::LambdaFunction(function), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}
