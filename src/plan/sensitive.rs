//! What of a planned change assay keeps as evidence. `terraform show -json` writes values
//! marked sensitive in clear, and marks them in a mirror tree (`before_sensitive`,
//! `after_sensitive`: `true` where a value is sensitive; "sensitive values are replaced
//! with `true`", https://developer.hashicorp.com/terraform/internals/json-format).
//! The snapshot keeps each change's JSON as the raw response its attributes cite, so
//! before it is kept every sensitive value is replaced by [`REMOVED`] (the key stays, so
//! the evidence still shows that the attribute is set), as the Lambda collector removes
//! environment values from the responses it keeps. The values of a Lambda function's
//! environment variables are removed too, sensitive or not.
//!
//! Only the kept copy is redacted: the normalisers read the plan as Terraform wrote it,
//! so a rule still judges an attribute whatever its marking. The resource model holds no
//! password, token or environment value (no normaliser reads them), and tag values marked
//! sensitive are replaced there too (`build::Ctx::draft`).

use serde_json::Value;

/// What replaces a sensitive value in the kept JSON.
pub const REMOVED: &str = "(sensitive value removed by assay)";

/// What replaces the value of a Lambda environment variable in the kept JSON.
const NOT_KEPT: &str = "(value not kept by assay)";

/// The change `rc` (one `resource_changes` entry) as assay keeps it.
pub fn kept_change(rc: &Value) -> Value {
    let mut kept = rc.clone();
    let lambda = rc.get("type").and_then(Value::as_str) == Some("aws_lambda_function");
    if let Some(change) = kept.get_mut("change").and_then(Value::as_object_mut) {
        let mut any = false;
        for (values, mask) in [("before", "before_sensitive"), ("after", "after_sensitive")] {
            let mask = change.get(mask).cloned().unwrap_or(Value::Null);
            if let Some(v) = change.get_mut(values) {
                any |= redact(v, &mask);
                if lambda {
                    drop_environment_values(v);
                }
            }
        }
        // The configuration Terraform writes for a resource it imports holds the
        // resource's values, the sensitive ones among them.
        if any && let Some(config) = change.get_mut("generated_config") {
            *config = Value::String(REMOVED.into());
        }
    }
    kept
}

/// Replaces every value of `value` that `mask` marks sensitive by [`REMOVED`]; whether
/// any was. A null value stays null: there is nothing to remove.
fn redact(value: &mut Value, mask: &Value) -> bool {
    match (value, mask) {
        (Value::Null, _) => false,
        (v, Value::Bool(true)) => {
            *v = Value::String(REMOVED.into());
            true
        }
        (Value::Object(fields), Value::Object(masks)) => {
            let mut any = false;
            for (k, m) in masks {
                if let Some(v) = fields.get_mut(k) {
                    any |= redact(v, m);
                }
            }
            any
        }
        (Value::Array(items), Value::Array(masks)) => {
            let mut any = false;
            for (v, m) in items.iter_mut().zip(masks) {
                any |= redact(v, m);
            }
            any
        }
        _ => false,
    }
}

/// Replaces the value of every variable of `environment[].variables` by [`NOT_KEPT`]:
/// variables commonly hold credentials, and the evidence needs only their names.
fn drop_environment_values(values: &mut Value) {
    let Some(blocks) = values.get_mut("environment").and_then(Value::as_array_mut) else {
        return;
    };
    for block in blocks {
        if let Some(Value::Object(variables)) = block.get_mut("variables") {
            for v in variables.values_mut() {
                if !v.is_null() {
                    *v = Value::String(NOT_KEPT.into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_value_marked_sensitive_is_removed_and_its_key_kept() {
        let rc = json!({
            "address": "aws_db_instance.app",
            "type": "aws_db_instance",
            "change": {
                "actions": ["update"],
                "before": {"password": "old-secret", "engine": "postgres", "tags": {"owner": "ops", "token": "t0k"}},
                "after": {
                    "password": "hunter2",
                    "engine": "postgres",
                    "tags": {"owner": "ops", "token": "t0k"},
                    "blocks": [{"secret": "s1", "name": "a"}, {"secret": null, "name": "b"}]
                },
                "before_sensitive": {"password": true, "tags": {"token": true}},
                "after_sensitive": {"password": true, "tags": {"token": true}, "blocks": [{"secret": true}, {"secret": true}]},
                "generated_config": "resource \"aws_db_instance\" \"app\" { password = \"hunter2\" }"
            }
        });
        let kept = kept_change(&rc);
        let text = kept.to_string();
        for secret in ["hunter2", "old-secret", "t0k", "s1"] {
            assert!(!text.contains(secret), "{secret} kept: {text}");
        }
        let after = &kept["change"]["after"];
        assert_eq!(after["password"], REMOVED);
        assert_eq!(after["tags"]["token"], REMOVED);
        assert_eq!(after["tags"]["owner"], "ops");
        assert_eq!(after["engine"], "postgres");
        assert_eq!(after["blocks"][0]["secret"], REMOVED);
        assert_eq!(after["blocks"][0]["name"], "a");
        assert_eq!(after["blocks"][1]["secret"], Value::Null);
        assert_eq!(kept["change"]["before"]["password"], REMOVED);
        assert_eq!(kept["change"]["generated_config"], REMOVED);
        // The masks themselves stay: they say which values were removed.
        assert_eq!(
            kept["change"]["after_sensitive"],
            rc["change"]["after_sensitive"]
        );
    }

    #[test]
    fn a_whole_block_marked_sensitive_is_removed_whole() {
        let rc = json!({"type": "aws_x", "change": {
            "after": {"config": {"a": 1, "b": [1, 2]}},
            "after_sensitive": {"config": true}
        }});
        assert_eq!(kept_change(&rc)["change"]["after"]["config"], REMOVED);
    }

    #[test]
    fn a_change_without_sensitive_values_is_kept_as_it_is() {
        let rc = json!({"type": "aws_s3_bucket", "change": {
            "after": {"bucket": "b"}, "after_sensitive": {}, "before_sensitive": false,
            "generated_config": "resource \"aws_s3_bucket\" \"b\" {}"
        }});
        assert_eq!(kept_change(&rc), rc);
    }

    #[test]
    fn lambda_environment_values_are_not_kept_sensitive_or_not() {
        let rc = json!({"type": "aws_lambda_function", "change": {
            "after": {"environment": [{"variables": {"DB_PASSWORD": "hunter2", "MODE": "prod"}}]},
            "after_sensitive": {}
        }});
        let kept = kept_change(&rc);
        let vars = &kept["change"]["after"]["environment"][0]["variables"];
        assert_eq!(vars["DB_PASSWORD"], NOT_KEPT);
        assert_eq!(vars["MODE"], NOT_KEPT);
    }

    /// A whole plan: the database password, a sensitive tag and a sensitive output are
    /// nowhere in the snapshot, and the database is still judged on what is not
    /// sensitive.
    #[test]
    fn a_plan_snapshot_keeps_no_sensitive_value() {
        let plan = json!({
            "format_version": "1.2",
            "terraform_version": "1.11.4",
            "timestamp": "2026-12-01T08:00:00Z",
            "variables": {"db_password": {"value": "hunter2"}},
            "planned_values": {
                "outputs": {"connection": {"sensitive": true, "value": "postgres://app:hunter2@db"}},
                "root_module": {}
            },
            "resource_changes": [{
                "address": "aws_db_instance.app",
                "mode": "managed",
                "type": "aws_db_instance",
                "name": "app",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": null,
                    "after": {
                        "identifier": "app",
                        "engine": "postgres",
                        "instance_class": "db.t3.micro",
                        "username": "app",
                        "password": "hunter2",
                        "storage_encrypted": false,
                        "kms_key_id": null,
                        "backup_retention_period": 14,
                        "publicly_accessible": false,
                        "multi_az": true,
                        "deletion_protection": true,
                        "replicate_source_db": null,
                        "tags": {"team": "data", "ticket": "SECRET-TICKET-42"},
                        "tags_all": {"team": "data", "ticket": "SECRET-TICKET-42"}
                    },
                    "after_unknown": {"arn": true, "id": true},
                    "before_sensitive": false,
                    "after_sensitive": {
                        "password": true,
                        "tags": {"ticket": true},
                        "tags_all": {"ticket": true}
                    }
                }
            }],
            "output_changes": {
                "connection": {
                    "actions": ["create"],
                    "before": null,
                    "after": "postgres://app:hunter2@db",
                    "after_unknown": false,
                    "before_sensitive": false,
                    "after_sensitive": true
                }
            },
            "configuration": {
                "provider_config": {"aws": {"name": "aws", "expressions": {
                    "region": {"constant_value": "ap-southeast-2"},
                    "allowed_account_ids": {"constant_value": ["111122223333"]}
                }}},
                "root_module": {}
            }
        });
        let planned = crate::plan::from_json(
            &plan.to_string(),
            "sensitive.json",
            &crate::plan::PlanOptions::default(),
        )
        .expect("the plan reads");
        let text = serde_json::to_string(&planned.snapshot).expect("serialises");
        for secret in ["hunter2", "SECRET-TICKET-42"] {
            assert!(!text.contains(secret), "{secret} is in the snapshot");
        }
        // The kept change still shows the password is set, and the tag's key.
        assert!(text.contains("password"));
        assert!(text.contains(REMOVED));
        let db = &planned.snapshot.resources[0];
        assert_eq!(db.tags.get("ticket").map(String::as_str), Some(REMOVED));
        assert_eq!(db.tags.get("team").map(String::as_str), Some("data"));
        // What is not sensitive is read as before: the rules judge it.
        match &db.attributes {
            crate::snapshot::Attributes::RdsInstance(i) => {
                assert_eq!(i.engine, "postgres");
                assert_eq!(i.backup_retention_days, 14);
                assert_eq!(i.encryption.as_ref().map(|e| e.enabled), Some(false));
                assert!(i.multi_az);
            }
            other => panic!("{other:?}"),
        }
        // The snapshot's seal covers the kept (redacted) JSON.
        let kept = planned
            .snapshot
            .raw_responses
            .values()
            .next()
            .expect("kept");
        assert_eq!(
            planned
                .snapshot
                .raw_responses
                .keys()
                .next()
                .map(String::as_str),
            Some(crate::snapshot::sha256_hex(kept.body.as_bytes()).as_str())
        );
    }
}
