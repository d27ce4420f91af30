//! The manifest digest of a snapshot file, computed in one pass over its text: no JSON
//! tree, no typed values, the canonical bytes fed to SHA-256 as they are made.
//!
//! The digest is SHA-256 over the RFC 8785 canonical form of the snapshot without its
//! `manifest`. The scanner below reads the text token by token and writes that form
//! directly: whitespace dropped, every string re-escaped the canonical way (only `"`,
//! `\` and control characters escaped, `\uXXXX` escapes and surrogate pairs decoded to
//! UTF-8), every number in ECMAScript's shortest form, and every object's members sorted
//! by key as UTF-16 code units. Only objects need buffering (their members are sorted at
//! their end), and an object whose keys already come in order, as every object assay
//! writes does, is left where it was written. The top-level members are hashed in
//! canonical order as soon as every member before them has been: only those the file
//! holds earlier than their turn (`resources`, which the file writes before `gaps` and
//! `raw_responses`) are kept, as canonical bytes, until then; the raw responses, the
//! bulk of a snapshot, stream straight into the hasher and are never copied.
//!
//! The same pass checks what the strict reader would (`crate::strict_json`): that the
//! text is JSON, that no object has a key twice, and what the top-level
//! `schema_version` says. Anything unusual (malformed JSON, a duplicate key, a lone
//! surrogate, a number out of range, nesting deeper than serde_json allows, a top-level
//! key the snapshot does not have, a large object whose keys come out of order) ends
//! the scan with `None`, and the caller takes the slow path that parses the whole file
//! (for the error that says where, or, should it be valid, its digest as a tree). A test
//! checks the digest equals that of the whole parsed file.

use std::borrow::Cow;
use std::cmp::Ordering;

use sha2::{Digest, Sha256};

/// serde_json's recursion limit: deeper text is its error, which the slow path gives.
const MAX_DEPTH: usize = 128;

/// Canonical bytes kept before they are fed to the hasher (when streaming).
const FLUSH_AT: usize = 1 << 16;

/// What one pass over the snapshot text found.
#[derive(Debug, PartialEq)]
pub struct Scanned {
    /// The manifest digest (hex).
    pub digest: String,
    /// The top-level `schema_version` when it is a non-negative integer.
    pub schema_version: Option<u64>,
}

/// Scans `text`, a snapshot whose top-level keys are among `keys`, or returns `None` for
/// anything the fast path does not take (see the module's documentation).
pub fn scan(text: &str, keys: &[&str]) -> Option<Scanned> {
    let mut scanner = Scanner {
        src: text,
        text: text.as_bytes(),
        pos: 0,
        members: Vec::new(),
        scratch: Vec::new(),
    };
    let scanned = scanner.top_level(keys).ok()?;
    scanner.skip_whitespace();
    (scanner.pos == text.len()).then_some(scanned)
}

/// Why the fast path stopped; the caller does not need to know which.
struct Stop;

type Step<T = ()> = Result<T, Stop>;

/// One member of an object being canonicalised: its key (unescaped) and where its
/// canonical `"key":value` bytes are in the output.
struct Member<'t> {
    key: Cow<'t, str>,
    start: usize,
    end: usize,
}

struct Scanner<'t> {
    /// The text, sliced only at ASCII bytes (so always at character boundaries).
    src: &'t str,
    text: &'t [u8],
    pos: usize,
    /// The members of every object being read, innermost last.
    members: Vec<Member<'t>>,
    /// Room to reorder an object's members.
    scratch: Vec<u8>,
}

/// Where a top-level member's canonical bytes go: straight into the hasher (its turn has
/// come), or kept until it does.
struct Streaming<'h> {
    hasher: &'h mut Sha256,
}

impl<'t> Scanner<'t> {
    fn top_level(&mut self, keys: &[&str]) -> Step<Scanned> {
        let mut order: Vec<&str> = keys.iter().copied().filter(|k| *k != "manifest").collect();
        order.sort_by(|a, b| utf16_cmp(a, b));
        let mut pending: Vec<Option<Vec<u8>>> = vec![None; order.len()];
        let mut seen = vec![false; order.len()];
        let mut seen_manifest = false;
        let mut next = 0;
        let mut hasher = Sha256::new();
        let mut schema_version = None;
        let mut first = true;
        hasher.update(b"{");

        self.skip_whitespace();
        self.expect(b'{')?;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_whitespace();
                let mut key_bytes = Vec::new();
                let key = self.string(&mut key_bytes)?;
                self.skip_whitespace();
                self.expect(b':')?;
                self.skip_whitespace();
                if key == "manifest" {
                    if std::mem::replace(&mut seen_manifest, true) {
                        return Err(Stop);
                    }
                    self.value(&mut Vec::new(), 1, None)?;
                } else {
                    let at = order.iter().position(|k| *k == key).ok_or(Stop)?;
                    if std::mem::replace(&mut seen[at], true) {
                        return Err(Stop);
                    }
                    if key == "schema_version" {
                        schema_version = self.integer_ahead();
                    }
                    let mut out = key_bytes;
                    out.push(b':');
                    if at == next {
                        if !std::mem::take(&mut first) {
                            hasher.update(b",");
                        }
                        let streaming = Streaming {
                            hasher: &mut hasher,
                        };
                        self.value(&mut out, 1, Some(streaming))?;
                        hasher.update(&out);
                        next += 1;
                        // Members kept for their turn, now that it has come.
                        while next < order.len() {
                            match pending[next].take() {
                                Some(bytes) => {
                                    hasher.update(b",");
                                    hasher.update(&bytes);
                                    next += 1;
                                }
                                None => break,
                            }
                        }
                    } else {
                        self.value(&mut out, 1, None)?;
                        pending[at] = Some(out);
                    }
                }
                self.skip_whitespace();
                match self.next_byte()? {
                    b',' => continue,
                    b'}' => break,
                    _ => return Err(Stop),
                }
            }
        }
        // Keys the file lacks leave gaps in the order: what follows them is still owed.
        for bytes in pending.into_iter().flatten() {
            if !std::mem::take(&mut first) {
                hasher.update(b",");
            }
            hasher.update(&bytes);
        }
        hasher.update(b"}");
        Ok(Scanned {
            digest: hex::encode(hasher.finalize()),
            schema_version,
        })
    }

    /// The value at `pos` as a non-negative integer, without moving.
    fn integer_ahead(&self) -> Option<u64> {
        let rest = &self.text[self.pos..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let after = rest.get(digits).copied();
        if digits == 0 || matches!(after, Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.src[self.pos..self.pos + digits].parse().ok()
    }

    /// Canonicalises the value at `pos` onto `out`. With `stream`, the value is a
    /// top-level member whose turn has come: `out` is fed to the hasher between items
    /// once it is large (between an object's members only while its keys are in order).
    fn value(&mut self, out: &mut Vec<u8>, depth: usize, stream: Option<Streaming>) -> Step {
        if depth > MAX_DEPTH {
            return Err(Stop);
        }
        match self.peek().ok_or(Stop)? {
            b'{' => self.object(out, depth, stream),
            b'[' => self.array(out, depth, stream),
            b'"' => {
                self.string(out)?;
                Ok(())
            }
            b't' => self.literal(out, b"true"),
            b'f' => self.literal(out, b"false"),
            b'n' => self.literal(out, b"null"),
            _ => self.number(out),
        }
    }

    fn array(&mut self, out: &mut Vec<u8>, depth: usize, mut stream: Option<Streaming>) -> Step {
        self.pos += 1;
        out.push(b'[');
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            out.push(b']');
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            self.value(out, depth + 1, None)?;
            self.skip_whitespace();
            match self.next_byte()? {
                b',' => out.push(b','),
                b']' => break,
                _ => return Err(Stop),
            }
            if let Some(s) = stream.as_mut() {
                s.flush(out);
            }
        }
        out.push(b']');
        Ok(())
    }

    fn object(&mut self, out: &mut Vec<u8>, depth: usize, mut stream: Option<Streaming>) -> Step {
        self.pos += 1;
        out.push(b'{');
        let open = out.len();
        let base = self.members.len();
        // Whether bytes of this object have gone to the hasher: then it cannot be
        // reordered any more.
        let mut flushed = false;
        let mut in_order = true;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            out.push(b'}');
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            if self.members.len() > base {
                out.push(b',');
            }
            let start = out.len();
            let key = self.string(out)?;
            self.skip_whitespace();
            self.expect(b':')?;
            out.push(b':');
            self.skip_whitespace();
            self.value(out, depth + 1, None)?;
            if let Some(last) = self.members.last().filter(|_| self.members.len() > base)
                && utf16_cmp(&last.key, &key) != Ordering::Less
            {
                if flushed {
                    return Err(Stop);
                }
                in_order = false;
            }
            if flushed {
                // Only the last key is needed (for order); its bytes are gone.
                self.members.truncate(base);
            }
            let end = out.len();
            self.members.push(Member { key, start, end });
            self.skip_whitespace();
            match self.next_byte()? {
                b',' => {}
                b'}' => break,
                _ => return Err(Stop),
            }
            if let Some(s) = stream.as_mut().filter(|_| in_order) {
                flushed |= s.flush(out);
            }
        }
        if !in_order {
            self.sort_members(out, open, base)?;
        }
        self.members.truncate(base);
        out.push(b'}');
        Ok(())
    }

    /// Rewrites `out[open..]`, the members from `base` on with commas between, in key
    /// order; a key twice is a stop (the strict reader rejects it).
    fn sort_members(&mut self, out: &mut Vec<u8>, open: usize, base: usize) -> Step {
        let members = &mut self.members[base..];
        members.sort_by(|a, b| utf16_cmp(&a.key, &b.key));
        if members.windows(2).any(|w| w[0].key == w[1].key) {
            return Err(Stop);
        }
        self.scratch.clear();
        for (i, m) in members.iter().enumerate() {
            if i > 0 {
                self.scratch.push(b',');
            }
            self.scratch.extend_from_slice(&out[m.start..m.end]);
        }
        out.truncate(open);
        out.extend_from_slice(&self.scratch);
        Ok(())
    }

    /// Reads the string at `pos`, writes its canonical form onto `out` and returns it
    /// unescaped (borrowed from the text when it has no escapes).
    fn string(&mut self, out: &mut Vec<u8>) -> Step<Cow<'t, str>> {
        self.expect(b'"')?;
        let text = self.text;
        let start = self.pos;
        out.push(b'"');
        // The common case: no escapes; every byte but `"`, `\` and controls is kept.
        let plain = text[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .ok_or(Stop)?;
        self.pos = start + plain;
        out.extend_from_slice(&text[start..self.pos]);
        if text[self.pos] == b'"' {
            self.pos += 1;
            out.push(b'"');
            return Ok(Cow::Borrowed(&self.src[start..self.pos - 1]));
        }
        let mut unescaped = self.src[start..self.pos].to_string();
        loop {
            let b = self.next_byte()?;
            match b {
                b'"' => break,
                b'\\' => {
                    let c = self.escape()?;
                    unescaped.push(c);
                    push_canonical_char(out, c);
                }
                0..0x20 => return Err(Stop),
                _ => {
                    // A run of plain bytes (UTF-8 sequences are never split: their bytes
                    // are all ≥ 0x80).
                    let from = self.pos - 1;
                    let run = text[from..]
                        .iter()
                        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                        .ok_or(Stop)?;
                    self.pos = from + run;
                    out.extend_from_slice(&text[from..self.pos]);
                    unescaped.push_str(&self.src[from..self.pos]);
                }
            }
        }
        out.push(b'"');
        Ok(Cow::Owned(unescaped))
    }

    /// The character of the escape after a `\`.
    fn escape(&mut self) -> Step<char> {
        Ok(match self.next_byte()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                match unit {
                    0xD800..=0xDBFF => {
                        // A high surrogate must be followed by a low one.
                        if self.text.get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return Err(Stop);
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Stop);
                        }
                        let c = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        char::from_u32(c).ok_or(Stop)?
                    }
                    0xDC00..=0xDFFF => return Err(Stop),
                    _ => char::from_u32(u32::from(unit)).ok_or(Stop)?,
                }
            }
            _ => return Err(Stop),
        })
    }

    fn hex4(&mut self) -> Step<u16> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or(Stop)?;
        let mut unit = 0u16;
        for &b in digits {
            let digit = char::from(b).to_digit(16).ok_or(Stop)?;
            unit = unit * 16 + digit as u16;
        }
        self.pos += 4;
        Ok(unit)
    }

    /// A number: as written when it is a small integer (the canonical form of those is
    /// themselves), else parsed as a double and written in ECMAScript's form.
    fn number(&mut self, out: &mut Vec<u8>) -> Step {
        let text = self.text;
        let start = self.pos;
        let mut i = start;
        if text.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        while text.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let int_len = i - int_start;
        // JSON: at least one digit, and no leading zero before more digits.
        if int_len == 0 || (int_len > 1 && text[int_start] == b'0') {
            return Err(Stop);
        }
        let mut integer = true;
        if text.get(i) == Some(&b'.') {
            integer = false;
            i += 1;
            let from = i;
            while text.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == from {
                return Err(Stop);
            }
        }
        if matches!(text.get(i), Some(b'e' | b'E')) {
            integer = false;
            i += 1;
            if matches!(text.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let from = i;
            while text.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == from {
                return Err(Stop);
            }
        }
        self.pos = i;
        let token = &text[start..i];
        let negative_zero = token == b"-0";
        if integer && int_len <= 15 && !negative_zero {
            out.extend_from_slice(token);
            return Ok(());
        }
        let value: f64 = self.src[start..i].parse().map_err(|_| Stop)?;
        if !value.is_finite() {
            return Err(Stop);
        }
        let canonical = serde_json_canonicalizer::to_vec(&value).map_err(|_| Stop)?;
        out.extend_from_slice(&canonical);
        Ok(())
    }

    fn literal(&mut self, out: &mut Vec<u8>, word: &[u8]) -> Step {
        if self.text.get(self.pos..self.pos + word.len()) != Some(word) {
            return Err(Stop);
        }
        self.pos += word.len();
        out.extend_from_slice(word);
        Ok(())
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn next_byte(&mut self) -> Step<u8> {
        let b = self.peek().ok_or(Stop)?;
        self.pos += 1;
        Ok(b)
    }

    fn expect(&mut self, byte: u8) -> Step {
        if self.next_byte()? == byte {
            Ok(())
        } else {
            Err(Stop)
        }
    }
}

impl Streaming<'_> {
    /// Feeds `out` to the hasher once it is large; says whether it did.
    fn flush(&mut self, out: &mut Vec<u8>) -> bool {
        if out.len() < FLUSH_AT {
            return false;
        }
        self.hasher.update(&out[..]);
        out.clear();
        true
    }
}

/// A character in canonical string form (RFC 8785 §3.2.2.2, as serde_json escapes):
/// `"` and `\` escaped, the control characters as `\b \t \n \f \r` or `\u00xx`, the rest
/// as UTF-8.
fn push_canonical_char(out: &mut Vec<u8>, c: char) {
    match c {
        '"' => out.extend_from_slice(b"\\\""),
        '\\' => out.extend_from_slice(b"\\\\"),
        '\u{8}' => out.extend_from_slice(b"\\b"),
        '\u{c}' => out.extend_from_slice(b"\\f"),
        '\n' => out.extend_from_slice(b"\\n"),
        '\r' => out.extend_from_slice(b"\\r"),
        '\t' => out.extend_from_slice(b"\\t"),
        '\0'..='\u{1f}' => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let b = c as u8;
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
        }
        _ => {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// Keys in canonical order: compared as UTF-16 code units (RFC 8785 §3.2.3). UTF-8's
/// byte order is code point order, which differs from UTF-16's only between a character
/// from U+E000 to U+FFFF and one above U+FFFF (lead bytes 0xEE–0xEF and 0xF0–0xF4).
fn utf16_cmp(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match x.iter().zip(y).position(|(p, q)| p != q) {
        Some(i) if x[i] >= 0xEE && y[i] >= 0xEE => a.encode_utf16().cmp(b.encode_utf16()),
        Some(i) => x[i].cmp(&y[i]),
        None => x.len().cmp(&y.len()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    const KEYS: &[&str] = &[
        "schema_version",
        "resources",
        "raw_responses",
        "manifest",
        "empty",
        "none",
        "n",
        "s",
        "\u{e9}",
        "\u{1f600}",
        "\u{ff61}",
        "a",
        "b",
        "c",
    ];

    fn whole(value: &serde_json::Value) -> String {
        super::super::digest_of(value.clone())
    }

    fn digest(text: &str) -> Option<String> {
        super::scan(text, KEYS).map(|s| s.digest)
    }

    fn parsed_digest(text: &str) -> String {
        whole(&serde_json::from_str(text).expect("parses"))
    }

    #[test]
    fn the_digest_of_the_text_is_the_digest_of_the_parsed_file() {
        let items: Vec<serde_json::Value> = (0..1_300)
            .map(|i| json!({"b": i, "a": [1.5, "x\u{e9}", null, true], "c": {"z": 1, "y": 2}}))
            .collect();
        let mut map = serde_json::Map::new();
        for i in (0..1_100).rev() {
            map.insert(
                format!("k{i:05}"),
                json!({"body": format!("{{\"n\": {i}, \"pad\": \"{}\"}}", "x".repeat(100))}),
            );
        }
        let snapshot = json!({
            "schema_version": 3,
            "resources": items,
            "raw_responses": map,
            "manifest": {"digest": "x"},
            "empty": [],
            "none": {},
            "n": -1.25e-7,
            "s": "\u{2028}<",
            "\u{e9}": 1,
            "\u{1f600}": 2,
            "\u{ff61}": 3,
        });
        for text in [
            serde_json::to_string_pretty(&snapshot).expect("serialises"),
            serde_json::to_string(&snapshot).expect("serialises"),
        ] {
            let scanned = super::scan(&text, KEYS).expect("scans");
            assert_eq!(scanned.digest, whole(&snapshot));
            assert_eq!(scanned.schema_version, Some(3));
        }
    }

    #[test]
    fn numbers_take_their_ecmascript_form() {
        for number in [
            "0",
            "-0",
            "1.0",
            "-1.5e3",
            "1e21",
            "1e20",
            "123456789012345",
            "1234567890123456",
            "12345678901234567890",
            "123456789012345678901234567890",
            "-9223372036854775808",
            "18446744073709551615",
            "0.1",
            "1E-7",
            "1e-6",
            "5e-324",
            "1.7976931348623157e308",
            "0.30000000000000004",
            "2.5E+10",
        ] {
            let text = format!(r#"{{"n": {number}, "a": [{number}, {{"x": {number}}}]}}"#);
            assert_eq!(digest(&text), Some(parsed_digest(&text)), "{number}");
        }
    }

    #[test]
    fn strings_are_unescaped_and_escaped_again() {
        for string in [
            r#""plain""#,
            r#""\u00e9\u0041\/\"\\""#,
            r#""\b\f\n\r\t\u0001\u001f\u007f""#,
            r#""\ud83d\ude00 and \uD83D\uDE00""#,
            "\"é\u{2028}\u{1f600}\"",
            r#""\uffff\uE000""#,
        ] {
            let text = format!(r#"{{"s": {string}, "a": [{{"{}": 1}}]}}"#, "k");
            assert_eq!(digest(&text), Some(parsed_digest(&text)), "{string}");
        }
    }

    #[test]
    fn object_members_are_sorted_by_utf16_at_every_depth() {
        let text = r#"{"c": {"b": {"z": 1, "\u00e9": 2, "\ud83d\ude00": 3, "\uff61": 4, "a": 5},
            "a": [{"y": [], "x": {}}, {"x": {"q": 1, "p": {"o": 2, "n": 3}}}]},
            "b": {"z": 1, "e\u0301": 2}, "a": null}"#;
        assert_eq!(digest(text), Some(parsed_digest(text)));
    }

    #[test]
    fn a_large_member_out_of_order_after_it_was_streamed_is_left_to_the_slow_path() {
        // `raw_responses` is first in canonical order here, so it streams; a key out of
        // order after 64 KB went to the hasher cannot be sorted back.
        let only = |text: &str| super::scan(text, &["raw_responses"]).map(|s| s.digest);
        let pad = "x".repeat(70_000);
        let text = format!(r#"{{"raw_responses": {{"b": "{pad}", "a": 1}}}}"#);
        assert_eq!(only(&text), None);
        // Out of order before anything was fed to the hasher: sorted here.
        let text = r#"{"raw_responses": {"b": 2, "a": 1}}"#;
        assert_eq!(only(text), Some(parsed_digest(text)));
        // In order, streamed in pieces; and out of order but kept for its turn (another
        // member comes first), so sorted whole.
        let text = format!(r#"{{"raw_responses": {{"a": "{pad}", "b": "{pad}", "c": 1}}}}"#);
        assert_eq!(only(&text), Some(parsed_digest(&text)));
        let text = format!(r#"{{"raw_responses": {{"b": "{pad}", "a": 1}}, "a": 2}}"#);
        assert_eq!(digest(&text), Some(parsed_digest(&text)));
    }

    #[test]
    fn text_the_fast_path_does_not_take() {
        for text in [
            "[1, 2]",
            "{\"a\": 1} trailing",
            "{\"a\": ",
            "{\"a\": 01}",
            "{\"a\": 1.}",
            "{\"a\": .5}",
            "{\"a\": +1}",
            "{\"a\": 1e400}",
            "{\"a\": tru}",
            "{\"a\": \"\\ud800\"}",
            "{\"a\": \"\\udc00\"}",
            "{\"a\": \"\\x\"}",
            "{\"a\": \"tab\there\"}",
            "{\"a\": [1,]}",
            "{\"a\": {\"x\": 1,}}",
            "{\"unknown\": 1}",
            r#"{"a": 1, "b": {"x": 1, "x": 2}}"#,
            r#"{"a": 1, "b": {"x": 1, "\u0078": 2}}"#,
            r#"{"a": 1, "a": 1}"#,
            r#"{"manifest": 1, "manifest": 1}"#,
        ] {
            assert_eq!(digest(text), None, "{text}");
        }
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200));
        assert_eq!(digest(&deep), None);
    }

    #[test]
    fn missing_and_empty_members_still_hash_as_the_parsed_file() {
        for text in [
            "{}",
            r#"{"manifest": {"digest": "x"}}"#,
            r#"{"s": "x", "c": 1, "a": {}}"#,
            r#"{"schema_version": 1.5}"#,
        ] {
            assert_eq!(digest(text), Some(parsed_digest(text)), "{text}");
        }
        assert_eq!(
            super::scan(r#"{"schema_version": 1.5}"#, KEYS)
                .unwrap()
                .schema_version,
            None
        );
    }
}
