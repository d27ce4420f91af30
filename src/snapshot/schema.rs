//! The shape of each resource type as rules see it, derived from the Rust types.
//!
//! Rule loading checks every `resource.a.b` path against this tree (with did-you-mean),
//! so a typo in a rule is a load error instead of a silent runtime surprise. The tree is
//! built from the JSON Schema that `schemars` generates, which is also the schema
//! published in `docs/snapshot.schema.json`: one source of truth for both.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Attributes, Snapshot};

/// The kind of value found at a field path.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A scalar: string, integer, boolean, number. `nullable` when it may be null.
    Scalar { kind: &'static str, nullable: bool },
    /// An object with known fields.
    Object {
        fields: BTreeMap<String, Field>,
        nullable: bool,
    },
    /// A list whose elements have the given shape.
    List { item: Box<Field>, nullable: bool },
    /// A map with free-form keys (tags) whose values have the given shape.
    Map { value: Box<Field> },
    /// Free-form JSON (IAM policy documents): no checks below this point.
    Any,
}

impl Field {
    /// The fields of an object, or `None` for any other kind.
    pub fn fields(&self) -> Option<&BTreeMap<String, Field>> {
        match self {
            Field::Object { fields, .. } => Some(fields),
            _ => None,
        }
    }

    /// A short type name for messages (`string`, `list<object>`, …).
    pub fn describe(&self) -> String {
        match self {
            Field::Scalar { kind, .. } => (*kind).to_string(),
            Field::Object { .. } => "object".into(),
            Field::List { item, .. } => format!("list<{}>", item.describe()),
            Field::Map { value } => format!("map<string, {}>", value.describe()),
            Field::Any => "any".into(),
        }
    }
}

/// The full shape of a resource of `type_name` as bound to `resource` in a rule:
/// envelope fields plus the type's attributes. `None` for an unknown type.
pub fn resource_shape(type_name: &str) -> Option<Field> {
    let schema = Attributes::schema_of(type_name)?;
    let root = schema.as_value();
    let defs = root.get("$defs").cloned().unwrap_or(Value::Null);
    let mut shape = to_field(root, &defs);
    if let Field::Object { fields, .. } = &mut shape {
        let string = || Field::Scalar {
            kind: "string",
            nullable: false,
        };
        for name in ["type", "arn", "id", "name", "account", "region"] {
            fields.insert(name.into(), string());
        }
        fields.insert(
            "tags".into(),
            Field::Map {
                value: Box::new(string()),
            },
        );
    }
    Some(shape)
}

fn to_field(schema: &Value, defs: &Value) -> Field {
    let schema = resolve(schema, defs);
    // Option<T> appears either as `type: [T, "null"]` or as `anyOf: [{$ref}, {type: null}]`.
    if let Some(variants) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    {
        let non_null: Vec<&Value> = variants
            .iter()
            .filter(|v| v.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if non_null.len() == 1 {
            return with_nullable(to_field(non_null[0], defs), variants.len() > 1);
        }
        return Field::Any;
    }
    let (kind, nullable) = match schema.get("type") {
        Some(Value::String(t)) => (t.as_str(), false),
        Some(Value::Array(ts)) => {
            let nullable = ts.iter().any(|t| t == "null");
            let kind = ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null");
            (kind, nullable)
        }
        _ => return Field::Any,
    };
    match kind {
        "object" => {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                let fields = props
                    .iter()
                    .map(|(k, v)| (k.clone(), to_field(v, defs)))
                    .collect();
                Field::Object { fields, nullable }
            } else if let Some(value) = schema.get("additionalProperties").filter(|v| v.is_object())
            {
                Field::Map {
                    value: Box::new(to_field(value, defs)),
                }
            } else {
                Field::Any
            }
        }
        "array" => {
            let item = schema
                .get("items")
                .map(|i| to_field(i, defs))
                .unwrap_or(Field::Any);
            Field::List {
                item: Box::new(item),
                nullable,
            }
        }
        "string" => Field::Scalar {
            kind: "string",
            nullable,
        },
        "integer" => Field::Scalar {
            kind: "int",
            nullable,
        },
        "boolean" => Field::Scalar {
            kind: "bool",
            nullable,
        },
        "number" => Field::Scalar {
            kind: "double",
            nullable,
        },
        _ => Field::Any,
    }
}

fn with_nullable(field: Field, nullable: bool) -> Field {
    match field {
        Field::Scalar { kind, .. } => Field::Scalar { kind, nullable },
        Field::Object { fields, .. } => Field::Object { fields, nullable },
        Field::List { item, .. } => Field::List { item, nullable },
        other => other,
    }
}

fn resolve<'a>(schema: &'a Value, defs: &'a Value) -> &'a Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => defs.get(name).map(|d| resolve(d, defs)).unwrap_or(schema),
        None => schema,
    }
}

/// The published JSON Schema of the snapshot document.
pub fn snapshot_json_schema() -> String {
    let schema = schemars::schema_for!(Snapshot);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_shape_has_nested_encryption_and_envelope() {
        let shape = resource_shape("aws_s3_bucket").unwrap();
        let fields = shape.fields().unwrap();
        let encryption = &fields["encryption"];
        assert!(matches!(encryption, Field::Object { nullable: true, .. }));
        assert!(encryption.fields().unwrap().contains_key("kms_key_arn"));
        assert!(fields.contains_key("region"));
        assert!(matches!(fields["tags"], Field::Map { .. }));
    }

    #[test]
    fn lists_of_objects_expose_their_items() {
        let shape = resource_shape("aws_security_group").unwrap();
        let Field::List { item, .. } = &shape.fields().unwrap()["ingress"] else {
            panic!("ingress is a list")
        };
        assert!(item.fields().unwrap().contains_key("from_port"));
    }

    #[test]
    fn free_form_json_is_any() {
        let shape = resource_shape("aws_iam_role").unwrap();
        assert_eq!(shape.fields().unwrap()["assume_role_policy"], Field::Any);
    }

    #[test]
    fn unknown_type_has_no_shape() {
        assert!(resource_shape("aws_sfn_state_machine").is_none());
    }
}
