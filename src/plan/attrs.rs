//! Reading one planned resource: its `change.after` values, the `change.after_unknown`
//! mirror that marks what is "known after apply", and the configuration expressions that
//! say what each attribute references, walked together.
//!
//! Walking the three trees in step is what lets a normaliser say, for any attribute, "this
//! is the value", "this is null", or "this is not known yet, and it comes from
//! `aws_kms_key.main.arn`" — the last is how joins to other planned resources are made.

use serde_json::Value;

use super::error::{PlanError, kind};

/// A planned value: known, null (not set), or known only after apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    Known(T),
    Null,
    Unknown,
}

impl<T> Field<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Known(v) => Field::Known(f(v)),
            Field::Null => Field::Null,
            Field::Unknown => Field::Unknown,
        }
    }

    /// The known value, or `default` when the attribute is null. Unknown stays unknown.
    pub fn or_default_when_null(self, default: T) -> Field<T> {
        match self {
            Field::Null => Field::Known(default),
            other => other,
        }
    }
}

/// One block of a planned resource (the resource itself, or a nested block such as an
/// S3 lifecycle `rule`).
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    /// The plan file, for error messages.
    pub file: &'a str,
    /// The resource address, e.g. `module.net.aws_security_group.web`.
    pub address: &'a str,
    after: &'a Value,
    unknown: &'a Value,
    expr: Option<&'a Value>,
    /// JSON path of this block in the plan file, for error messages.
    json_path: String,
    /// Attribute path of this block within the resource (`rule[0].`), for reasons.
    attr_path: String,
}

static NULL: Value = Value::Null;

impl<'a> Attrs<'a> {
    pub fn new(
        file: &'a str,
        address: &'a str,
        after: &'a Value,
        unknown: &'a Value,
        expr: Option<&'a Value>,
        json_path: String,
    ) -> Attrs<'a> {
        Attrs {
            file,
            address,
            after,
            unknown,
            expr,
            json_path,
            attr_path: String::new(),
        }
    }

    fn error(&self, key: &str, message: String) -> PlanError {
        PlanError::Field {
            path: self.file.to_string(),
            field: format!("{}.{key}", self.json_path),
            message,
        }
    }

    /// `aws_ebs_volume.cache.encrypted is known after apply`: the reason recorded for an
    /// unknown value.
    pub fn unknown_reason(&self, key: &str) -> String {
        format!(
            "{}.{}{key} is known after apply",
            self.address, self.attr_path
        )
    }

    /// The raw value of `key`, or Unknown when `after_unknown` marks it (wholly, or any
    /// element of a list of scalars).
    pub fn raw(&self, key: &str) -> Field<&'a Value> {
        let flag = self.unknown.get(key).unwrap_or(&NULL);
        let element_unknown =
            matches!(flag, Value::Array(items) if items.iter().any(|i| i == &Value::Bool(true)));
        if flag == &Value::Bool(true) || element_unknown {
            return Field::Unknown;
        }
        match self.after.get(key) {
            None | Some(Value::Null) => Field::Null,
            Some(v) => Field::Known(v),
        }
    }

    pub fn string(&self, key: &str) -> Result<Field<String>, PlanError> {
        match self.raw(key) {
            Field::Known(Value::String(s)) => Ok(Field::Known(s.clone())),
            Field::Known(other) => {
                Err(self.error(key, format!("expected a string, found {}", kind(other))))
            }
            Field::Null => Ok(Field::Null),
            Field::Unknown => Ok(Field::Unknown),
        }
    }

    /// A string that is empty when unset (Terraform writes `""` and `null` alike for
    /// optional strings).
    pub fn nonempty_string(&self, key: &str) -> Result<Field<String>, PlanError> {
        Ok(match self.string(key)? {
            Field::Known(s) if s.is_empty() => Field::Null,
            other => other,
        })
    }

    pub fn bool(&self, key: &str) -> Result<Field<bool>, PlanError> {
        match self.raw(key) {
            Field::Known(Value::Bool(b)) => Ok(Field::Known(*b)),
            Field::Known(other) => {
                Err(self.error(key, format!("expected a boolean, found {}", kind(other))))
            }
            Field::Null => Ok(Field::Null),
            Field::Unknown => Ok(Field::Unknown),
        }
    }

    pub fn int(&self, key: &str) -> Result<Field<i64>, PlanError> {
        match self.raw(key) {
            Field::Known(Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Field::Known(i)),
                None => Err(self.error(key, format!("expected a whole number, found {n}"))),
            },
            Field::Known(other) => {
                Err(self.error(key, format!("expected a number, found {}", kind(other))))
            }
            Field::Null => Ok(Field::Null),
            Field::Unknown => Ok(Field::Unknown),
        }
    }

    /// A list (or set) of strings; unknown when any element is.
    pub fn strings(&self, key: &str) -> Result<Field<Vec<String>>, PlanError> {
        match self.raw(key) {
            Field::Known(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.error(
                        key,
                        format!(
                            "expected a list of strings, found an element that is {}",
                            kind(other)
                        ),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Field::Known),
            Field::Known(other) => {
                Err(self.error(key, format!("expected a list, found {}", kind(other))))
            }
            Field::Null => Ok(Field::Null),
            Field::Unknown => Ok(Field::Unknown),
        }
    }

    /// A map of strings (tags).
    pub fn string_map(
        &self,
        key: &str,
    ) -> Result<Field<std::collections::BTreeMap<String, String>>, PlanError> {
        match self.raw(key) {
            Field::Known(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    other => Err(self.error(
                        key,
                        format!("expected a map of strings, found `{k}` = {}", kind(other)),
                    )),
                })
                .collect::<Result<_, _>>()
                .map(Field::Known),
            Field::Known(other) => {
                Err(self.error(key, format!("expected a map, found {}", kind(other))))
            }
            Field::Null => Ok(Field::Null),
            Field::Unknown => Ok(Field::Unknown),
        }
    }

    /// Nested blocks (`rule { … }`), each with its own unknown mirror and the matching
    /// configuration block. An absent or null block list is empty.
    pub fn blocks(&self, key: &str) -> Result<Field<Vec<Attrs<'a>>>, PlanError> {
        let items = match self.raw(key) {
            Field::Known(Value::Array(items)) => items,
            Field::Known(other) => {
                return Err(self.error(
                    key,
                    format!("expected a list of blocks, found {}", kind(other)),
                ));
            }
            Field::Null => return Ok(Field::Known(Vec::new())),
            Field::Unknown => return Ok(Field::Unknown),
        };
        let exprs: &[Value] = self
            .expr
            .and_then(|e| e.get(key))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                if !item.is_object() {
                    return Err(self.error(
                        &format!("{key}[{i}]"),
                        format!("expected a block (object), found {}", kind(item)),
                    ));
                }
                Ok(Attrs {
                    file: self.file,
                    address: self.address,
                    after: item,
                    unknown: self
                        .unknown
                        .get(key)
                        .and_then(|u| u.get(i))
                        .unwrap_or(&NULL),
                    expr: matching_block(exprs, item, i, items.len()),
                    json_path: format!("{}.{key}[{i}]", self.json_path),
                    attr_path: format!("{}{key}[{i}].", self.attr_path),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Field::Known)
    }

    /// The first block of `key`, if any (blocks that may appear at most once).
    pub fn block(&self, key: &str) -> Result<Field<Option<Attrs<'a>>>, PlanError> {
        Ok(self.blocks(key)?.map(|b| b.into_iter().next()))
    }

    /// The configuration expression of `key`, when the configuration sets it.
    pub fn expression(&self, key: &str) -> Option<&'a Value> {
        self.expr.and_then(|e| e.get(key))
    }

    /// What the configuration says `key` refers to (`aws_kms_key.main.arn`, …), relative
    /// to the resource's module. Empty for constants and unknown configuration.
    pub fn references(&self, key: &str) -> Vec<String> {
        self.expr
            .and_then(|e| e.get(key))
            .and_then(|e| e.get("references"))
            .and_then(Value::as_array)
            .map(|refs| {
                refs.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The configuration block that produced the `i`th of `len` planned blocks. Terraform
/// keeps set-typed blocks (security-group rules, replication rules) in its own order, so
/// position alone can pair the wrong blocks: prefer the one configuration block whose
/// constant arguments all equal the planned values, then fall back to position.
fn matching_block<'a>(
    exprs: &'a [Value],
    planned: &Value,
    i: usize,
    len: usize,
) -> Option<&'a Value> {
    let constants_match = |block: &Value| {
        block.as_object().is_some_and(|fields| {
            fields.iter().all(|(k, e)| match e.get("constant_value") {
                Some(c) if !c.is_object() && !c.is_array() => planned.get(k) == Some(c),
                _ => true,
            })
        })
    };
    let candidates: Vec<&Value> = exprs.iter().filter(|b| constants_match(b)).collect();
    match candidates.as_slice() {
        [only] => Some(only),
        _ if exprs.len() == len => exprs.get(i),
        _ if exprs.len() == 1 => exprs.first(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_values_are_never_read_as_null() {
        let after = json!({"encrypted": null, "size": 10, "cidr_blocks": ["0.0.0.0/0", null]});
        let unknown = json!({"encrypted": true, "cidr_blocks": [false, true]});
        let a = Attrs::new(
            "p.json",
            "aws_ebs_volume.v",
            &after,
            &unknown,
            None,
            "x".into(),
        );
        assert_eq!(a.bool("encrypted").unwrap(), Field::Unknown);
        assert_eq!(a.int("size").unwrap(), Field::Known(10));
        assert_eq!(a.strings("cidr_blocks").unwrap(), Field::Unknown);
        assert_eq!(a.string("missing").unwrap(), Field::Null);
        assert_eq!(
            a.unknown_reason("encrypted"),
            "aws_ebs_volume.v.encrypted is known after apply"
        );
    }

    #[test]
    fn wrong_shapes_name_the_field() {
        let after = json!({"size": "ten"});
        let a = Attrs::new(
            "p.json",
            "aws_ebs_volume.v",
            &after,
            &Value::Null,
            None,
            "resource_changes[2].change.after".into(),
        );
        let e = a.int("size").unwrap_err().to_string();
        assert_eq!(
            e,
            "p.json: `resource_changes[2].change.after.size`: expected a number, found a string"
        );
    }

    #[test]
    fn set_blocks_pair_with_configuration_by_their_constants() {
        let after = json!({"rule": [{"id": "b", "x": null}, {"id": "a", "x": null}]});
        let unknown = json!({"rule": [{"x": true}, {"x": true}]});
        let expr = json!({"rule": [
            {"id": {"constant_value": "a"}, "x": {"references": ["aws_s3_bucket.a.arn", "aws_s3_bucket.a"]}},
            {"id": {"constant_value": "b"}, "x": {"references": ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]}}
        ]});
        let a = Attrs::new("p.json", "r.x", &after, &unknown, Some(&expr), "x".into());
        let rules = a.blocks("rule").unwrap().known().unwrap();
        assert_eq!(rules[0].references("x")[0], "aws_s3_bucket.b.arn");
        assert_eq!(rules[1].references("x")[0], "aws_s3_bucket.a.arn");
        assert_eq!(
            rules[1].unknown_reason("x"),
            "r.x.rule[1].x is known after apply"
        );
    }
}
