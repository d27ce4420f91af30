//! Lambda: every function of the region with the KMS key that encrypts its environment
//! variables, and whether it has any. The variables' values are never kept: not in the
//! snapshot, and not in the raw response kept as evidence ([`redact_response`]).
//!
//! `ListFunctions` gives both facts for every function in its pages; only the tags take
//! a call per function (`ListTags`).

use aws_sdk_lambda::Client;
use aws_sdk_lambda::operation::list_functions::ListFunctionsOutput;
use aws_sdk_lambda::types::FunctionConfiguration;
use futures::StreamExt;
use serde_json::Value;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{Encryption, LambdaFunction};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("lambda:ListFunctions", "lambda:ListFunctions"),
    ("lambda:ListTags", "lambda:ListTags"),
];

const TYPES: &[&str] = &["aws_lambda_function"];

/// What replaces each environment variable's value in the kept response.
const NOT_KEPT: &str = "(value not kept by assay)";

/// What replaces a `ListFunctions` response that is not JSON: the values in it could not
/// be removed, so none of it is kept.
const NOT_READABLE: &str =
    "{\"assay\":\"response not kept: not JSON, so its environment values could not be removed\"}";

/// The response of `operation` as assay keeps it: for `lambda:ListFunctions`, with the
/// value of every environment variable replaced by [`NOT_KEPT`]. `ListFunctions` returns
/// the variables in clear ("Environment: The function's environment variables", the
/// `FunctionConfiguration` data type), and they commonly hold credentials; the evidence
/// needs only their names. A `ListFunctions` response that cannot be read as JSON is not
/// kept at all ([`NOT_READABLE`]): it could hold the values, and the SDK could not have
/// read it either. Any other operation's response is kept as it is.
pub fn redact_response(operation: &str, body: String) -> String {
    if operation != "lambda:ListFunctions" {
        return body;
    }
    let Ok(mut parsed) = serde_json::from_str::<Value>(&body) else {
        return NOT_READABLE.to_string();
    };
    let Some(functions) = parsed.get_mut("Functions").and_then(Value::as_array_mut) else {
        return body;
    };
    for f in functions {
        if let Some(Value::Object(variables)) = f.pointer_mut("/Environment/Variables") {
            for value in variables.values_mut() {
                *value = Value::String(NOT_KEPT.into());
            }
        }
    }
    parsed.to_string()
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let client = service_client!(aws_sdk_lambda, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let functions = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "lambda:ListFunctions", TYPES),
            |marker, c| {
                client
                    .list_functions()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListFunctionsOutput| {
                (
                    out.functions().to_vec(),
                    out.next_marker().map(str::to_string),
                )
            },
        )
        .await
        .items;
    futures::stream::iter(
        functions
            .into_iter()
            .map(|(f, listed)| function(ctx, &client, f, listed)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// One function: the listing's facts and its tags.
async fn function(
    ctx: &ServiceCtx<'_>,
    client: &Client,
    f: FunctionConfiguration,
    listed: Provenance,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let name = f.function_name().unwrap_or_default().to_string();
    let arn = f.function_arn().map_or_else(
        || format!("arn:aws:lambda:{region}:{account}:function:{name}"),
        str::to_string,
    );
    // Every attribute but the tags comes from the listing (the `resource` group).
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let key = f
        .kms_key_arn()
        .filter(|k| !k.is_empty())
        .map(str::to_string);
    let attributes = LambdaFunction {
        runtime: f.runtime().map(|r| r.as_str().to_string()),
        package_type: f.package_type().map(|p| p.as_str().to_string()),
        last_modified: f.last_modified().map(str::to_string),
        environment_variables: f
            .environment()
            .and_then(|e| e.variables())
            .map_or(0, |v| i64::try_from(v.len()).unwrap_or(i64::MAX)),
        aws_managed_key: key.is_none(),
        encryption: Some(Encryption {
            enabled: true,
            algorithm: Some("aws:kms".into()),
            kms_key_arn: key,
        }),
    };
    let tags = tags(&mut read, client, &arn).await;
    let (provenance, unread) = read.finish();
    resource(
        Attributes::LambdaFunction(attributes),
        arn,
        name.clone(),
        Some(name),
        account,
        region,
        tags,
        provenance,
        unread,
    )
}

/// The function's tags; empty and unread when the call failed.
async fn tags(read: &mut Groups<'_>, client: &Client, arn: &str) -> Tags {
    read.read("tags", "lambda:ListTags", |c| {
        client
            .list_tags()
            .resource(arn)
            .customize()
            .interceptor(c)
            .send()
    })
    .await
    .and_then(|out| out.tags().cloned())
    .unwrap_or_default()
    .into_iter()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_values_are_not_kept_but_their_names_are() {
        let body = serde_json::json!({
            "Functions": [
                {"FunctionName": "api", "Environment": {"Variables": {"DB_PASSWORD": "hunter2"}}},
                {"FunctionName": "plain"}
            ],
            "NextMarker": "m"
        })
        .to_string();
        let kept = redact_response("lambda:ListFunctions", body);
        assert!(!kept.contains("hunter2"), "{kept}");
        assert!(
            kept.contains("DB_PASSWORD") && kept.contains(NOT_KEPT),
            "{kept}"
        );
        assert!(kept.contains("\"NextMarker\":\"m\""), "{kept}");
        assert_eq!(
            redact_response("sqs:ListQueues", "{\"a\":\"hunter2\"}".into()),
            "{\"a\":\"hunter2\"}"
        );
    }

    #[test]
    fn a_list_functions_response_that_is_not_json_is_not_kept() {
        let kept = redact_response("lambda:ListFunctions", "DB_PASSWORD=hunter2 <".into());
        assert!(!kept.contains("hunter2"), "{kept}");
        assert_eq!(kept, NOT_READABLE);
        assert!(serde_json::from_str::<Value>(&kept).is_ok());
    }
}
