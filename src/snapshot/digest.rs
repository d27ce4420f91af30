//! The manifest digest of a snapshot file, computed from its text without building the
//! whole file as one JSON tree.
//!
//! The digest is SHA-256 over the RFC 8785 canonical form of the snapshot without its
//! `manifest`. That form is compositional: an object is its members sorted by key (UTF-16
//! code units) with their canonical values, an array its items' canonical forms in order.
//! So each top-level member is canonicalised on its own, and the items of a large array
//! or object (the resources, the raw responses) a batch at a time, each item parsed,
//! canonicalised and dropped on every core; only the canonical bytes are kept (smaller
//! than the file), never a tree of the whole file (several times its size). The result
//! is byte for byte what canonicalising the whole parsed file gives
//! (`super::digest_of`), which a test checks.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Items parsed before a batch is canonicalised: enough to keep every core busy, few
/// enough that their trees stay small.
const BATCH: usize = 512;

/// The digest of the snapshot in `text`, or None when the text is not a JSON object (the
/// caller then parses it whole, for the error that says where).
pub fn of_text(text: &str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let members = TopLevel.deserialize(&mut de).ok()?;
    de.end().ok()?;
    let mut hasher = Sha256::new();
    hasher.update(b"{");
    let mut first = true;
    for (key, bytes) in sorted(members) {
        if key == "manifest" {
            continue;
        }
        if !first {
            hasher.update(b",");
        }
        first = false;
        hasher.update(canonical(&Value::String(key)));
        hasher.update(b":");
        hasher.update(&bytes);
    }
    hasher.update(b"}");
    Some(hex::encode(hasher.finalize()))
}

/// Members in canonical order: by key, compared as UTF-16 code units (RFC 8785 §3.2.3).
fn sorted(members: BTreeMap<String, Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    let mut members: Vec<(String, Vec<u8>)> = members.into_iter().collect();
    members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    members
}

fn canonical(value: &Value) -> Vec<u8> {
    serde_json_canonicalizer::to_vec(value).expect("canonical JSON of a serde_json value")
}

/// The canonical forms of `items`, in order, computed on every core; each item is
/// dropped by the thread that canonicalised it.
fn canonical_batch(items: Vec<Value>) -> Vec<Vec<u8>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads <= 1 || items.len() < 2 {
        return items.iter().map(canonical).collect();
    }
    let per = items.len().div_ceil(threads);
    let mut chunks = Vec::new();
    let mut items = items;
    while items.len() > per {
        let rest = items.split_off(per);
        chunks.push(std::mem::replace(&mut items, rest));
    }
    chunks.push(items);
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.iter().map(canonical).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The top-level object: each member's canonical bytes by key (a repeated key: the last,
/// as a parsed tree keeps).
struct TopLevel;

impl<'de> DeserializeSeed<'de> for TopLevel {
    type Value = BTreeMap<String, Vec<u8>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel {
    type Value = BTreeMap<String, Vec<u8>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let bytes = map.next_value_seed(Member)?;
            members.insert(key, bytes);
        }
        Ok(members)
    }
}

/// One top-level member's canonical bytes: an array or object item by item, in batches;
/// anything else whole.
struct Member;

impl<'de> DeserializeSeed<'de> for Member {
    type Value = Vec<u8>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Member {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<u8>, E> {
        Ok(canonical(&Value::from(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<u8>, E> {
        Ok(canonical(&Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<u8>, E> {
        Ok(canonical(&Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<u8>, E> {
        Ok(canonical(&Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        Ok(canonical(&Value::from(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
        Ok(canonical(&Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        let mut out = b"[".to_vec();
        let mut first = true;
        let mut flush = |batch: Vec<Value>, out: &mut Vec<u8>| {
            for bytes in canonical_batch(batch) {
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(&bytes);
            }
        };
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(item) = seq.next_element::<Value>()? {
            batch.push(item);
            if batch.len() == BATCH {
                flush(std::mem::take(&mut batch), &mut out);
            }
        }
        flush(batch, &mut out);
        out.push(b']');
        Ok(out)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<u8>, A::Error> {
        let mut entries: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut keys = Vec::with_capacity(BATCH);
        let mut batch = Vec::with_capacity(BATCH);
        let flush = |keys: Vec<String>, batch: Vec<Value>, entries: &mut BTreeMap<_, _>| {
            for (key, bytes) in keys.into_iter().zip(canonical_batch(batch)) {
                entries.insert(key, bytes);
            }
        };
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            keys.push(key);
            batch.push(value);
            if batch.len() == BATCH {
                flush(
                    std::mem::take(&mut keys),
                    std::mem::take(&mut batch),
                    &mut entries,
                );
            }
        }
        flush(keys, batch, &mut entries);
        let mut out = b"{".to_vec();
        for (i, (key, bytes)) in sorted(entries).into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&canonical(&Value::String(key)));
            out.push(b':');
            out.extend_from_slice(&bytes);
        }
        out.push(b'}');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn whole(value: &serde_json::Value) -> String {
        super::super::digest_of(value.clone())
    }

    #[test]
    fn the_digest_of_the_text_is_the_digest_of_the_parsed_file() {
        let items: Vec<serde_json::Value> = (0..1_300)
            .map(|i| json!({"b": i, "a": [1.5, "x\u{e9}", null, true], "c": {"z": 1, "y": 2}}))
            .collect();
        let mut map = serde_json::Map::new();
        for i in (0..1_100).rev() {
            map.insert(format!("k{i}"), json!({"body": format!("{{\"n\": {i}}}")}));
        }
        // Keys whose UTF-16 order differs from their byte order, and a manifest to leave out.
        map.insert("\u{e9}".into(), json!(1));
        map.insert("\u{1f600}".into(), json!(2));
        map.insert("\u{ff61}".into(), json!(3));
        let snapshot = json!({
            "schema_version": 3,
            "resources": items,
            "raw_responses": map,
            "manifest": {"digest": "x"},
            "empty": [],
            "none": {},
            "n": -1.25e-7,
            "s": "\u{2028}<",
        });
        let text = serde_json::to_string_pretty(&snapshot).expect("serialises");
        assert_eq!(super::of_text(&text), Some(whole(&snapshot)));
    }

    #[test]
    fn text_that_is_not_an_object_has_no_digest_here() {
        assert_eq!(super::of_text("[1, 2]"), None);
        assert_eq!(super::of_text("{\"a\": 1} trailing"), None);
        assert_eq!(super::of_text("{\"a\": "), None);
    }

    #[test]
    fn a_repeated_key_counts_once_with_its_last_value_as_in_a_parsed_tree() {
        let text = r#"{"a": 1, "b": {"x": 1, "x": 2}, "a": [3]}"#;
        let parsed: serde_json::Value = serde_json::from_str(text).expect("parses");
        assert_eq!(super::of_text(text), Some(whole(&parsed)));
    }
}
