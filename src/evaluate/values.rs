//! Conversions between JSON (the snapshot) and CEL values (what expressions compute on).

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};
use serde_json::Value as Json;

/// JSON → CEL. Integral numbers become `int` so they compare with integer literals and
/// parameters; other numbers become `double`.
pub fn to_cel(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(items) => Value::List(Arc::new(items.iter().map(to_cel).collect())),
        Json::Object(map) => {
            let entries: HashMap<Key, Value> = map
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            Value::Map(Map {
                map: Arc::new(entries),
            })
        }
    }
}

/// CEL → JSON, for evidence. Durations render as `67h` / `3d 4h`, timestamps as RFC 3339;
/// map keys are sorted so evidence is stable.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::UInt(u) => Json::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.as_ref().clone()),
        Value::Bytes(b) => Json::String(hex::encode(b.as_ref())),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(map) => {
            let mut entries: Vec<(String, Json)> = map
                .map
                .iter()
                .map(|(k, v)| (key_text(k), to_json(v)))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().collect())
        }
        Value::Duration(d) => Json::String(render_duration(*d)),
        Value::Timestamp(t) => Json::String(t.to_rfc3339()),
        other => Json::String(format!("{other:?}")),
    }
}

fn key_text(key: &Key) -> String {
    match key {
        Key::String(s) => s.as_ref().clone(),
        Key::Int(i) => i.to_string(),
        Key::Uint(u) => u.to_string(),
        Key::Bool(b) => b.to_string(),
    }
}

/// `67h` for under a week, otherwise `12d 4h`; minutes are kept only when present.
pub fn render_duration(d: chrono::Duration) -> String {
    let minutes = d.num_minutes();
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let mut text = if days >= 7 {
        format!("{days}d {hours}h")
    } else {
        format!("{}h", days * 24 + hours)
    };
    if mins != 0 {
        text.push_str(&format!(" {mins}m"));
    }
    text
}

/// A short, human rendering of a value for one-line summaries.
pub fn compact(json: &Json) -> String {
    let text = json.to_string();
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(117).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_shape_and_integer_types() {
        let j = json!({"a": [1, 2.5, "x", null, true], "b": {"c": 3}});
        let v = to_cel(&j);
        assert!(matches!(&v, Value::Map(_)));
        assert_eq!(to_json(&v), j);
    }

    #[test]
    fn durations_render_for_people() {
        assert_eq!(render_duration(chrono::Duration::hours(67)), "67h");
        assert_eq!(
            render_duration(chrono::Duration::hours(24 * 9 + 4)),
            "9d 4h"
        );
        assert_eq!(render_duration(chrono::Duration::minutes(90)), "1h 30m");
    }
}
