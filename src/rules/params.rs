//! Rule parameters: declared once with a type in `rules/params.yaml`, valued per
//! organisation in a profile. Values are checked against the declared type so that YAML's
//! loose typing (`no` → false, `010` → 10) is caught as an error, never guessed at.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// The type of a parameter, written in `params.yaml` as `int`, `string`, `bool`,
/// `duration` (`26h`, `7d`), `list<string>` or `list<int>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Int,
    String,
    Bool,
    Duration,
    ListString,
    ListInt,
}

impl ParamType {
    pub fn parse(text: &str) -> Option<ParamType> {
        Some(match text {
            "int" => ParamType::Int,
            "string" => ParamType::String,
            "bool" => ParamType::Bool,
            "duration" => ParamType::Duration,
            "list<string>" => ParamType::ListString,
            "list<int>" => ParamType::ListInt,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ParamType::Int => "int",
            ParamType::String => "string",
            ParamType::Bool => "bool",
            ParamType::Duration => "duration",
            ParamType::ListString => "list<string>",
            ParamType::ListInt => "list<int>",
        }
    }

    /// The value as rules see it: durations become whole hours (`"7d"` → `"168h"`), the
    /// form CEL's `duration()` accepts; everything else is unchanged. Call after `check`.
    pub fn normalise(self, value: &Value) -> Value {
        match (self, value.as_str().and_then(parse_duration_hours)) {
            (ParamType::Duration, Some(hours)) => Value::String(format!("{hours}h")),
            _ => value.clone(),
        }
    }

    /// Checks `value` against the type; the error says what was found and how to fix it.
    pub fn check(self, value: &Value) -> Result<(), String> {
        let found = describe(value);
        let ok = match self {
            ParamType::Int => value.as_i64().is_some(),
            ParamType::String => value.is_string(),
            ParamType::Bool => value.is_boolean(),
            ParamType::Duration => value
                .as_str()
                .is_some_and(|s| parse_duration_hours(s).is_some()),
            ParamType::ListString => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            ParamType::ListInt => value
                .as_array()
                .is_some_and(|a| a.iter().all(|v| v.as_i64().is_some())),
        };
        if ok {
            return Ok(());
        }
        let hint = match (self, value) {
            (ParamType::String | ParamType::ListString, _) => {
                " (quote values such as account ids, `no` or `010`, which YAML reads as numbers or booleans)"
            }
            (ParamType::Duration, _) => {
                " (write a number of hours or days, e.g. \"26h\" or \"7d\")"
            }
            _ => "",
        };
        Err(format!("expected {}, found {found}{hint}", self.name()))
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("bool `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(_) => "a list with other element types".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

/// Parses `26h`, `7d` or `90m` into hours (minutes round up). `None` if malformed.
pub fn parse_duration_hours(text: &str) -> Option<i64> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = number.parse().ok()?;
    match unit {
        "h" => Some(n),
        "d" => Some(n * 24),
        "m" => Some((n + 59) / 60),
        _ => None,
    }
}

/// One declared parameter, as written in `rules/params.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDeclFile {
    #[serde(rename = "type")]
    pub type_name: String,
    pub description: String,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub selects: Option<Selects>,
}

/// What a parameter picks out of the snapshot, for parameters that decide which resources
/// a rule applies to (a tag, a name, a name prefix, a policy). A value that picks out
/// nothing turns the rules reading it NOT_APPLICABLE everywhere; `crate::selectors` says
/// so instead of letting that pass silently.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selects {
    /// The resource types the value is matched against.
    pub types: Vec<String>,
    /// How it is matched.
    pub by: SelectBy,
    /// With `by: tag`, the parameter holding the tag value (without it, any value).
    #[serde(default)]
    pub value: Option<String>,
}

/// How a selector parameter's value is matched against a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectBy {
    /// A tag key (and the value of the parameter named by `value`).
    Tag,
    /// The resource's name, exactly.
    Name,
    /// The start of the resource's name.
    NamePrefix,
    /// An attached managed policy, by ARN or by name (each list item separately).
    AttachedPolicy,
}

/// A validated parameter declaration.
#[derive(Debug, Clone)]
pub struct ParamDecl {
    pub name: String,
    pub ty: ParamType,
    pub description: String,
    pub default: Option<Value>,
    pub selects: Option<Selects>,
}

/// All declared parameters, by name.
pub type ParamCatalogue = BTreeMap<String, ParamDecl>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_reject_yaml_surprises() {
        assert!(ParamType::String.check(&json!("support")).is_ok());
        let err = ParamType::String.check(&json!(false)).unwrap_err();
        assert!(err.contains("quote"), "{err}");
        assert!(ParamType::ListInt.check(&json!([22, 443])).is_ok());
        assert!(ParamType::ListInt.check(&json!([22, "443"])).is_err());
        assert!(ParamType::Duration.check(&json!("26h")).is_ok());
        assert!(ParamType::Duration.check(&json!("26 hours")).is_err());
    }

    #[test]
    fn durations_normalise_for_cel() {
        assert_eq!(ParamType::Duration.normalise(&json!("7d")), json!("168h"));
        assert_eq!(ParamType::Int.normalise(&json!(7)), json!(7));
    }

    #[test]
    fn durations_parse_hours_and_days() {
        assert_eq!(parse_duration_hours("26h"), Some(26));
        assert_eq!(parse_duration_hours("7d"), Some(168));
        assert_eq!(parse_duration_hours("90m"), Some(2));
        assert_eq!(parse_duration_hours("h"), None);
        assert_eq!(parse_duration_hours("5w"), None);
    }
}
