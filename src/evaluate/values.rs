//! Conversions between JSON (the snapshot) and CEL values (what expressions compute on),
//! and [`Shared`], a resource bound into CEL without copying it.

use std::collections::HashMap;
use std::sync::Arc;

use cel::ExecutionError;
use cel::Value;
use cel::common::traits::{
    Adder, Comparer, Container, Divider, Indexer, Iterable, Modder, Multiplier, Negator, Sizer,
    Subtractor, Zeroer,
};
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, Type,
};
use cel::common::value::{Builtin, BuiltinRef, CowVal, StaticVal, Val};
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

/// JSON → the interpreter's own values, built once (a resource is converted once per
/// evaluation, then shared through [`Shared`]). The same conversions as [`to_cel`].
pub fn to_val(json: &Json) -> Box<dyn Val> {
    match json {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Json::String(s) => Box::new(CelString::from(s.clone())),
        Json::Array(items) => Box::new(CelList::from(items.iter().map(to_val).collect::<Vec<_>>())),
        Json::Object(map) => Box::new(CelMap::from(
            map.iter()
                .map(|(k, v)| (CelMapKey::from(k.clone()), to_val(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

/// Every resource of a snapshot as CEL values, converted once and shared by every thread.
pub type Resources = Arc<Vec<Box<dyn Val>>>;

/// One resource of [`Resources`] as a CEL value, without a copy: binding `resource`, or
/// returning a joined resource from `of_type`, costs an `Arc` clone, where a `Value` is
/// copied whole on its way into the interpreter (and again on its way out). Every
/// operation is the resource's own (a map's), delegated; only taking the map out of the
/// box by value (which the interpreter does to move a value nothing else refers to)
/// copies it.
#[derive(Debug, Clone)]
pub struct Shared {
    all: Resources,
    pos: usize,
}

impl Shared {
    pub fn new(all: Resources, pos: usize) -> Shared {
        Shared { all, pos }
    }

    /// The resource's position in the snapshot.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn inner(&self) -> &dyn Val {
        self.all[self.pos].as_ref()
    }
}

impl Val for Shared {
    fn get_type(&self) -> &Type {
        self.all[self.pos].get_type()
    }

    fn cel_type() -> &'static Type {
        CelMap::cel_type()
    }

    fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
    where
        Self: 'v,
    {
        self.all[self.pos].as_adder()
    }

    fn as_comparer(&self) -> Option<&dyn Comparer> {
        self.inner().as_comparer()
    }

    fn as_container(&self) -> Option<&dyn Container> {
        self.inner().as_container()
    }

    fn as_divider<'b, 'v>(&'b self) -> Option<&'b (dyn Divider + 'v)>
    where
        Self: 'v,
    {
        self.all[self.pos].as_divider()
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        self.all[self.pos].as_indexer()
    }

    fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
    where
        Self: 'v,
    {
        self.all[self.pos].as_indexer()?;
        Some(self)
    }

    fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
    where
        Self: 'v,
    {
        self.all[self.pos].as_iterable()
    }

    fn as_modder<'b, 'v>(&'b self) -> Option<&'b (dyn Modder + 'v)>
    where
        Self: 'v,
    {
        self.all[self.pos].as_modder()
    }

    fn as_multiplier<'b, 'v>(&'b self) -> Option<&'b (dyn Multiplier + 'v)>
    where
        Self: 'v,
    {
        self.all[self.pos].as_multiplier()
    }

    fn as_negator<'b, 'v>(&'b self) -> Option<&'b (dyn Negator + 'v)>
    where
        Self: 'v,
    {
        self.all[self.pos].as_negator()
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        self.inner().as_sizer()
    }

    fn as_subtractor<'b, 'v>(&'b self) -> Option<&'b (dyn Subtractor + 'v)>
    where
        Self: 'v,
    {
        self.all[self.pos].as_subtractor()
    }

    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        self.inner().as_zeroer()
    }

    fn equals(&self, other: &dyn Val) -> bool {
        self.inner().equals(other)
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        Box::new(self.clone())
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
    where
        Self: 'v,
    {
        self.all[self.pos].as_builtin()
    }

    fn into_builtin<'v>(self: Box<Self>) -> Option<Builtin<'v>>
    where
        Self: 'v,
    {
        self.all[self.pos].clone_as_boxed().into_builtin()
    }
}

impl StaticVal for Shared {}

impl Indexer for Shared {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        match self.all[self.pos].as_indexer() {
            Some(indexer) => indexer.get(idx),
            None => Err(ExecutionError::function_error("index", "not a map")),
        }
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

/// A CEL value as a plain `Value` (a copy), for evidence and messages.
pub fn to_value(val: &dyn Val) -> Value {
    Value::try_from(val).unwrap_or_else(|e| Value::String(Arc::new(format!("{e}"))))
}

/// The bool a CEL value is, if it is one.
pub fn as_bool(val: &dyn Val) -> Option<bool> {
    val.downcast_ref::<CelBool>().map(|b| *b.inner())
}

/// The string a CEL value is, if it is one.
pub fn as_str(val: &dyn Val) -> Option<&str> {
    val.downcast_ref::<CelString>().map(|s| s.inner())
}

/// A map's value at `field`, if the value is a map that has it.
pub fn field<'a>(val: &'a dyn Val, field: &str) -> Option<&'a dyn Val> {
    let map = val.downcast_ref::<CelMap>()?;
    match map.get(&CelString::from(field)).ok()? {
        CowVal::Borrowed(v) => Some(v),
        // A map hands out what it holds by reference.
        CowVal::Owned(_) => None,
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

    /// A resource bound as a [`Shared`] view answers every expression as the same resource
    /// bound as a copied map does.
    #[test]
    fn a_shared_resource_answers_as_the_map_it_shares() {
        let json = json!({
            "arn": "arn:aws:s3:::b", "n": 3, "f": 1.5, "tags": {"k": "v"}, "list": [1, 2],
            "nested": {"deep": [{"x": true}, {"x": false}]}, "none": null
        });
        let all: Resources = Arc::new(vec![to_val(&json)]);
        for expr in [
            "resource",
            "resource.arn",
            "resource.n + 1",
            "resource.f * 2.0",
            "has(resource.tags)",
            "has(resource.missing)",
            "resource.missing",
            "resource.tags.k",
            "resource['tags']['k']",
            "'k' in resource.tags",
            "'arn' in resource",
            "size(resource)",
            "resource.list.map(x, x * 2)",
            "resource.nested.deep.exists(d, d.x)",
            "resource.nested.deep.filter(d, !d.x).size()",
            "resource == resource",
            "resource.tags == {'k': 'v'}",
            "[resource][0].arn",
            "[resource].exists(r, r.n == 3)",
            "[resource, resource].map(r, r.tags)",
            "resource.all(k, k != '')",
            "type(resource) == map",
            "resource.none == null",
        ] {
            let mut plain = cel::Context::default();
            plain.add_variable_from_value("resource", to_cel(&json));
            let mut shared = cel::Context::default();
            shared.add_variable_as_val("resource", Box::new(Shared::new(all.clone(), 0)));
            let program = cel::Program::compile(expr).expect("compiles");
            assert_eq!(
                program.execute(&shared),
                program.execute(&plain),
                "`{expr}`"
            );
        }
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
