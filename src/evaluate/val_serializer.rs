//! A resource straight into the interpreter's own values (`Box<dyn Val>`), through its
//! `Serialize`, without a JSON tree in between.
//!
//! Every resource is converted once per evaluation; going through `serde_json::Value`
//! built a whole tree of strings and maps per resource only to copy it again and drop it.
//! The values are those [`super::values::to_val`] makes from the resource's JSON: integral
//! numbers that fit an `i64` are `int`, other numbers `double`, a float that is not finite
//! `null` (as `serde_json` writes it), map keys strings, enum variants as `serde_json`
//! writes them. A test checks every resource of the sample gives the same value both ways.

use std::collections::HashMap;
use std::fmt::Display;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
};
use cel::common::value::Val;
use serde::ser::{self, Serialize};

/// Why a value could not be converted (a map key that is not a string or number, or a
/// `Serialize` that failed by itself).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Error(String);

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

type Boxed = Box<dyn Val>;
type Entries = HashMap<CelMapKey<'static>, Boxed>;

/// `value` as CEL values; at the top level (a map), the members named in `skip` are left
/// out (a resource's provenance bookkeeping, which rules do not see).
pub fn to_val<T: Serialize + ?Sized>(value: &T, skip: &[&str]) -> Result<Boxed, Error> {
    value.serialize(ValSerializer { skip })
}

struct ValSerializer<'k> {
    skip: &'k [&'k str],
}

const TOP: ValSerializer<'static> = ValSerializer { skip: &[] };

fn int_or_double(u: u64) -> Boxed {
    match i64::try_from(u) {
        Ok(i) => Box::new(CelInt::from(i)),
        Err(_) => Box::new(CelDouble::from(u as f64)),
    }
}

fn double(f: f64) -> Boxed {
    if f.is_finite() {
        Box::new(CelDouble::from(f))
    } else {
        Box::new(CelNull)
    }
}

fn map(entries: Entries) -> Boxed {
    Box::new(CelMap::from(entries))
}

fn list(items: Vec<Boxed>) -> Boxed {
    Box::new(CelList::from(items))
}

fn string(s: String) -> Boxed {
    Box::new(CelString::from(s))
}

impl<'k> ser::Serializer for ValSerializer<'k> {
    type Ok = Boxed;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Variant<Seq>;
    type SerializeMap = Map<'k>;
    type SerializeStruct = Map<'k>;
    type SerializeStructVariant = Variant<Map<'static>>;

    fn serialize_bool(self, v: bool) -> Result<Boxed, Error> {
        Ok(Box::new(CelBool::from(v)))
    }
    fn serialize_i8(self, v: i8) -> Result<Boxed, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Boxed, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Boxed, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Boxed, Error> {
        Ok(Box::new(CelInt::from(v)))
    }
    fn serialize_i128(self, v: i128) -> Result<Boxed, Error> {
        match i64::try_from(v) {
            Ok(i) => self.serialize_i64(i),
            Err(_) => Ok(double(v as f64)),
        }
    }
    fn serialize_u8(self, v: u8) -> Result<Boxed, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Boxed, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Boxed, Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Boxed, Error> {
        Ok(int_or_double(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Boxed, Error> {
        match u64::try_from(v) {
            Ok(u) => self.serialize_u64(u),
            Err(_) => Ok(double(v as f64)),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<Boxed, Error> {
        Ok(double(f64::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<Boxed, Error> {
        Ok(double(v))
    }
    fn serialize_char(self, v: char) -> Result<Boxed, Error> {
        Ok(string(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Boxed, Error> {
        Ok(string(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Boxed, Error> {
        Ok(list(
            v.iter()
                .map(|b| Box::new(CelInt::from(i64::from(*b))) as Boxed)
                .collect(),
        ))
    }
    fn serialize_none(self) -> Result<Boxed, Error> {
        Ok(Box::new(CelNull))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Boxed, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Boxed, Error> {
        Ok(Box::new(CelNull))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Boxed, Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Boxed, Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Boxed, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Boxed, Error> {
        let mut entries = HashMap::with_capacity(1);
        entries.insert(CelMapKey::from(variant.to_string()), value.serialize(TOP)?);
        Ok(map(entries))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Seq>, Error> {
        Ok(Variant {
            variant,
            inner: Seq(Vec::with_capacity(len)),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map<'k>, Error> {
        Ok(Map {
            skip: self.skip,
            entries: HashMap::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map<'k>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Map<'static>>, Error> {
        Ok(Variant {
            variant,
            inner: TOP.serialize_map(Some(len))?,
        })
    }
}

/// A list being built.
pub struct Seq(Vec<Boxed>);

impl Seq {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.push(value.serialize(TOP)?);
        Ok(())
    }
}

impl ser::SerializeSeq for Seq {
    type Ok = Boxed;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Boxed, Error> {
        Ok(list(self.0))
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Boxed;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Boxed, Error> {
        Ok(list(self.0))
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Boxed;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Boxed, Error> {
        Ok(list(self.0))
    }
}

/// A map (or struct) being built; a member named in `skip` is left out.
pub struct Map<'k> {
    skip: &'k [&'k str],
    entries: Entries,
    /// The key given by `serialize_key`, until its value comes (`None` inside: skipped).
    key: Option<Option<String>>,
}

impl Map<'_> {
    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), Error> {
        if !self.skip.contains(&key.as_str()) {
            self.entries
                .insert(CelMapKey::from(key), value.serialize(TOP)?);
        }
        Ok(())
    }
}

impl ser::SerializeMap for Map<'_> {
    type Ok = Boxed;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(Some(key.serialize(KeySerializer)?));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match self.key.take() {
            Some(Some(key)) => self.insert(key, value),
            _ => Err(Error("a map value without its key".into())),
        }
    }
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Error> {
        let key = key.serialize(KeySerializer)?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Boxed, Error> {
        Ok(map(self.entries))
    }
}

impl ser::SerializeStruct for Map<'_> {
    type Ok = Boxed;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.insert(key.to_string(), value)
    }
    fn end(self) -> Result<Boxed, Error> {
        Ok(map(self.entries))
    }
}

/// An enum variant with fields: `{variant: fields}`, as `serde_json` writes it.
pub struct Variant<I> {
    variant: &'static str,
    inner: I,
}

impl<I> Variant<I> {
    fn wrap(variant: &'static str, value: Boxed) -> Boxed {
        let mut entries = HashMap::with_capacity(1);
        entries.insert(CelMapKey::from(variant.to_string()), value);
        map(entries)
    }
}

impl ser::SerializeTupleVariant for Variant<Seq> {
    type Ok = Boxed;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner.push(value)
    }
    fn end(self) -> Result<Boxed, Error> {
        Ok(Self::wrap(self.variant, list(self.inner.0)))
    }
}

impl ser::SerializeStructVariant for Variant<Map<'static>> {
    type Ok = Boxed;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.inner.insert(key.to_string(), value)
    }
    fn end(self) -> Result<Boxed, Error> {
        Ok(Self::wrap(self.variant, map(self.inner.entries)))
    }
}

/// A map key as text, as `serde_json` writes keys: strings, and numbers and chars as
/// their text; anything else is an error.
struct KeySerializer;

fn not_a_key() -> Error {
    Error("a map key must be a string or a number".into())
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = ser::Impossible<String, Error>;
    type SerializeTuple = ser::Impossible<String, Error>;
    type SerializeTupleStruct = ser::Impossible<String, Error>;
    type SerializeTupleVariant = ser::Impossible<String, Error>;
    type SerializeMap = ser::Impossible<String, Error>;
    type SerializeStruct = ser::Impossible<String, Error>;
    type SerializeStructVariant = ser::Impossible<String, Error>;

    fn serialize_str(self, v: &str) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_bool(self, _v: bool) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_f32(self, _v: f32) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_f64(self, _v: f64) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_none(self) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_unit(self) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, Error> {
        Err(not_a_key())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_a_key())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_a_key())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_a_key())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_a_key())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_a_key())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(not_a_key())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_a_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::values;
    use serde_json::json;

    fn through_json(json: &serde_json::Value) -> serde_json::Value {
        values::to_json(&values::to_value(values::to_val(json).as_ref()))
    }

    fn direct<T: Serialize>(value: &T, skip: &[&str]) -> serde_json::Value {
        values::to_json(&values::to_value(
            to_val(value, skip).expect("converts").as_ref(),
        ))
    }

    /// Every resource of the bundled sample gives the values its JSON view gives.
    #[test]
    fn the_sample_resources_convert_as_their_json_does() {
        let snapshot = crate::snapshot::Snapshot::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/aws-sample/snapshot.json"
        )))
        .expect("the sample loads");
        assert!(!snapshot.resources.is_empty());
        for resource in &snapshot.resources {
            let view = crate::evaluate::resource_view(resource);
            assert_eq!(
                direct(resource, crate::evaluate::HIDDEN_MEMBERS),
                through_json(&view),
                "{}",
                resource.arn
            );
        }
    }

    #[test]
    fn numbers_and_odd_values_convert_as_json_does() {
        let json = json!({
            "int": -3, "big": u64::MAX, "float": 2.0, "half": 0.5, "null": null,
            "nested": [[1, "a"], {"k": [true, false]}], "empty": {}, "none": []
        });
        assert_eq!(direct(&json, &[]), through_json(&json));
        assert_eq!(direct(&f64::NAN, &[]), json!(null));
        let keyed: std::collections::BTreeMap<u32, &str> = [(7, "seven")].into();
        assert_eq!(direct(&keyed, &[]), json!({"7": "seven"}));
        assert!(direct(&json, &["int"]).get("int").is_none());
        assert!(to_val(&std::collections::BTreeMap::from([(true, 1)]), &[]).is_err());
    }
}
