//! The one JSON reader for every document assay takes as input (snapshot, findings,
//! attestation, baseline, Terraform plan): serde_json, after a pass that rejects an object
//! with the same key twice.
//!
//! RFC 8259 leaves duplicate names undefined and serde_json quietly keeps one of the
//! values (the last for a map or `Value`, an error or the first for a struct, depending on
//! the type). Evidence must not be ambiguous: `{"tags": {"env": "prod", "env": "dev"}}`
//! would be read one way by assay and another by a tool or person reading the file, and
//! the manifest digest (RFC 8785 over a parsed value) would cover only one of them. So a
//! duplicate key is an error naming the key and where it is (a JSON pointer, with line
//! and column). The check is a serde visitor over serde_json's own tokenizer: no second
//! parser, nothing held in memory but the keys of the objects being read, and the nesting
//! depth bounded by serde_json's recursion limit. (YAML inputs need no such pass:
//! serde-saphyr rejects duplicate keys by default.)

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// Parses `text` as `T`, rejecting duplicate object keys anywhere in it first. Errors are
/// serde_json's, with line and column, so every caller's message stays the same shape.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    check_unique_keys(text)?;
    serde_json::from_str(text)
}

/// Why a versioned document (snapshot, findings, baseline) could not be read.
#[derive(Debug)]
pub enum VersionedError {
    /// Not JSON, or not the document's shape (with line and column).
    Json(serde_json::Error),
    /// A `schema_version` other than the one this build reads.
    Version(u64),
}

/// Parses a document that carries a top-level `schema_version`: the version is checked
/// first, so an old or future file gets a clear message rather than a field error, then
/// the whole is parsed as `T` by [`from_str`].
pub fn from_str_versioned<T: DeserializeOwned>(
    text: &str,
    version: u64,
) -> Result<T, VersionedError> {
    #[derive(serde::Deserialize)]
    struct VersionOnly {
        schema_version: u64,
    }
    let found: VersionOnly = serde_json::from_str(text).map_err(VersionedError::Json)?;
    if found.schema_version != version {
        return Err(VersionedError::Version(found.schema_version));
    }
    from_str(text).map_err(VersionedError::Json)
}

/// Fails on the first object in `text` that has a key twice (or on malformed JSON).
pub fn check_unique_keys(text: &str) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Unique { at: &Pointer::Root }.deserialize(&mut de)?;
    de.end()
}

/// Where a value is, as a chain of parents on the stack: rendered only for a message.
enum Pointer<'a> {
    Root,
    Key(&'a Pointer<'a>, &'a str),
    Index(&'a Pointer<'a>, usize),
}

impl fmt::Display for Pointer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pointer::Root => Ok(()),
            Pointer::Key(parent, key) => {
                // RFC 6901 escaping: `~` as `~0`, `/` as `~1`.
                write!(f, "{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
            }
            Pointer::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

/// Visits one JSON value, checking every object inside it.
struct Unique<'a> {
    at: &'a Pointer<'a>,
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                let object = match self.at {
                    Pointer::Root => "the top-level object".to_string(),
                    at => format!("the object at {at}"),
                };
                return Err(de::Error::custom(format!(
                    "duplicate key `{key}` in {object}: a key may appear only once, which value was meant is ambiguous"
                )));
            }
            map.next_value_seed(Unique {
                at: &Pointer::Key(self.at, &key),
            })?;
            seen.insert(key);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while seq
            .next_element_seed(Unique {
                at: &Pointer::Index(self.at, index),
            })?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i128<E>(self, _: i128) -> Result<(), E> {
        Ok(())
    }
    fn visit_u128<E>(self, _: u128) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version is read before the shape: a future document is named as such, not as
    /// a missing field; the right version is then parsed strictly.
    #[test]
    fn a_versioned_document_is_checked_for_its_version_first() {
        #[derive(serde::Deserialize, Debug)]
        struct Doc {
            #[allow(dead_code)]
            schema_version: u64,
            #[allow(dead_code)]
            name: String,
        }
        match from_str_versioned::<Doc>(r#"{"schema_version": 7}"#, 1) {
            Err(VersionedError::Version(7)) => {}
            other => panic!("{other:?}"),
        }
        match from_str_versioned::<Doc>(r#"{"schema_version": 1, "name": "a", "name": "b"}"#, 1) {
            Err(VersionedError::Json(e)) => assert!(e.to_string().contains("`name`"), "{e}"),
            other => panic!("{other:?}"),
        }
        match from_str_versioned::<Doc>(r#"{"name": "a"}"#, 1) {
            Err(VersionedError::Json(e)) => {
                assert!(e.to_string().contains("schema_version"), "{e}")
            }
            other => panic!("{other:?}"),
        }
        assert!(from_str_versioned::<Doc>(r#"{"schema_version": 1, "name": "a"}"#, 1).is_ok());
    }

    #[test]
    fn a_duplicate_key_is_named_with_where_it_is() {
        let text =
            "{\n  \"resources\": [\n    {\"tags\": {\"env\": \"prod\", \"env\": \"dev\"}}\n  ]\n}";
        let e = check_unique_keys(text).unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains("duplicate key `env` in the object at /resources/0/tags"),
            "{message}"
        );
        assert_eq!(e.line(), 3, "{message}");
    }

    #[test]
    fn a_duplicate_top_level_key_is_rejected() {
        let e = from_str::<serde_json::Value>(r#"{"a": 1, "b": 2, "a": 1}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("duplicate key `a` in the top-level object"),
            "{e}"
        );
    }

    #[test]
    fn keys_are_compared_after_unescaping() {
        // `\u0061` is `a`: the same key written two ways is still the same key.
        let e = check_unique_keys(r#"{"a": 1, "\u0061": 2}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate key `a`"), "{e}");
    }

    #[test]
    fn the_same_key_in_different_objects_is_fine() {
        let v: serde_json::Value =
            from_str(r#"[{"a": 1}, {"a": 2, "b": {"a": 3}}, [], {}, null, 1.5, -2, "x"]"#).unwrap();
        assert_eq!(v[1]["b"]["a"], 3);
    }

    #[test]
    fn malformed_json_and_trailing_text_are_still_errors() {
        assert!(check_unique_keys("{\"a\": ").is_err());
        assert!(check_unique_keys("{} {}").is_err());
    }

    #[test]
    fn a_pointer_escapes_slash_and_tilde() {
        let e = check_unique_keys(r#"{"a/b~c": {"k": 1, "k": 2}}"#).unwrap_err();
        assert!(e.to_string().contains("/a~1b~0c"), "{e}");
    }
}
