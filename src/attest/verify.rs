//! Checking evidence after the fact: a signed attestation (as JSON, HTML or PDF), a
//! snapshot on its own, or a findings document (re-evaluated from its inputs by
//! `cli::rederive`).
//!
//! Every check is reported, passed or failed, with what it compared; a check that could
//! not be made (no snapshot at hand) is reported as not made, never as passed. The caller
//! turns any failure into a non-zero exit.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;

use super::model::{Attestation, FORMAT};
use super::pdf::{META_ATTESTATION, META_SIGNATURE};
use super::sign;
use crate::snapshot::Snapshot;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    /// Not made, and why (e.g. no snapshot given); never counts as passed.
    NotMade,
    /// Said for the reader, neither passed nor failed (e.g. that a snapshot is unsigned
    /// and no key was asked for).
    Noted,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub outcome: Outcome,
    pub detail: String,
}

/// All checks of one `assay verify` run.
#[derive(Debug, Default)]
pub struct Checks(pub Vec<Check>);

impl Checks {
    fn add(&mut self, name: &str, outcome: Outcome, detail: impl Into<String>) {
        self.0.push(Check {
            name: name.into(),
            outcome,
            detail: detail.into(),
        });
    }
    pub fn pass(&mut self, name: &str, detail: impl Into<String>) {
        self.add(name, Outcome::Passed, detail);
    }
    pub fn fail(&mut self, name: &str, detail: impl Into<String>) {
        self.add(name, Outcome::Failed, detail);
    }
    pub fn not_made(&mut self, name: &str, detail: impl Into<String>) {
        self.add(name, Outcome::NotMade, detail);
    }
    pub fn note(&mut self, name: &str, detail: impl Into<String>) {
        self.add(name, Outcome::Noted, detail);
    }
    pub fn failed(&self) -> bool {
        self.0.iter().any(|c| c.outcome == Outcome::Failed)
    }
    /// The checks that could not be made.
    pub fn not_made_list(&self) -> Vec<&Check> {
        self.0
            .iter()
            .filter(|c| c.outcome == Outcome::NotMade)
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}: not an assay attestation (JSON, HTML or PDF), snapshot or findings document")]
    Unknown(String),
}

/// What a file given to `assay verify` turned out to be.
pub enum Subject {
    /// An attestation: the bytes that were signed and the signature found with it.
    Attestation {
        /// The signed text exactly as found (the JSON file, or the copy inside an HTML or
        /// PDF rendering).
        text: String,
        /// `json`, `html` or `pdf`.
        carrier: &'static str,
        /// The signature carried inside an HTML or PDF rendering.
        embedded_signature: Option<String>,
        /// The rendering's bytes, to compare with a fresh rendering.
        rendering: Option<Vec<u8>>,
    },
    Snapshot,
    Findings(Box<crate::report::Report>),
}

pub fn read(path: &Path) -> Result<(Vec<u8>, Subject), VerifyError> {
    let display = path.display().to_string();
    let bytes = crate::input::read(path).map_err(|source| VerifyError::Io {
        path: display.clone(),
        source,
    })?;
    if bytes.starts_with(b"%PDF") {
        let doc =
            lopdf::Document::load_mem(&bytes).map_err(|_| VerifyError::Unknown(display.clone()))?;
        let text = pdf_info(&doc, META_ATTESTATION).ok_or(VerifyError::Unknown(display))?;
        let subject = Subject::Attestation {
            text,
            carrier: "pdf",
            embedded_signature: pdf_info(&doc, META_SIGNATURE),
            rendering: Some(bytes.clone()),
        };
        return Ok((bytes, subject));
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if text.trim_start().starts_with("<!DOCTYPE html") || text.trim_start().starts_with("<html") {
        let embedded = html_meta(&text, "assay-attestation")
            .and_then(|b| STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(VerifyError::Unknown(display))?;
        let subject = Subject::Attestation {
            text: embedded,
            carrier: "html",
            embedded_signature: html_meta(&text, "assay-signature").map(str::to_string),
            rendering: Some(bytes.clone()),
        };
        return Ok((bytes, subject));
    }
    let value: serde_json::Value = match crate::strict_json::from_str(&text) {
        Ok(v) => v,
        // A JSON document with a duplicate key is named as such, not as "unknown".
        Err(e) if e.is_data() => {
            return Err(VerifyError::Json {
                path: display,
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            });
        }
        Err(_) => return Err(VerifyError::Unknown(display)),
    };
    let subject = if value.get("format").and_then(|f| f.as_str()) == Some(FORMAT) {
        Subject::Attestation {
            text: text.strip_suffix('\n').unwrap_or(&text).to_string(),
            carrier: "json",
            embedded_signature: None,
            rendering: None,
        }
    } else if value.get("raw_responses").is_some() && value.get("manifest").is_some() {
        Subject::Snapshot
    } else if value.get("findings").is_some() && value.get("snapshot").is_some() {
        let report = crate::report::Report::from_json(&text, &display)
            .map_err(|_| VerifyError::Unknown(display.clone()))?;
        Subject::Findings(Box::new(report))
    } else {
        return Err(VerifyError::Unknown(display));
    };
    Ok((bytes, subject))
}

/// A text entry of the PDF's document information dictionary.
fn pdf_info(doc: &lopdf::Document, key: &str) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?.as_reference().ok()?;
    let dict = doc.get_object(info).ok()?.as_dict().ok()?;
    let bytes = dict.get(key.as_bytes()).ok()?.as_str().ok()?;
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16(&units).ok()
        }
        None => String::from_utf8(bytes.to_vec()).ok(),
    }
}

/// The `content` of `<meta name="NAME" content="…">` (written by our template; base64
/// values need no unescaping).
fn html_meta<'t>(html: &'t str, name: &str) -> Option<&'t str> {
    let start = html.find(&format!("<meta name=\"{name}\" content=\""))?;
    let rest = &html[start..];
    let value = &rest[rest.find("content=\"")? + 9..];
    Some(&value[..value.find('"')?])
}

/// Checks a signed attestation's text: canonical form, signer, signature. Returns the
/// parsed attestation when it could be read at all.
pub fn attestation(
    checks: &mut Checks,
    text: &str,
    signature: Option<&str>,
    key: &VerifyingKey,
) -> Option<Attestation> {
    let parsed: Attestation = match crate::strict_json::from_str(text) {
        Ok(a) => a,
        Err(e) => {
            checks.fail(
                "attestation",
                format!(
                    "not a readable attestation (line {}, column {}: {e}): it was changed after it was written",
                    e.line(),
                    e.column()
                ),
            );
            return None;
        }
    };
    let canonical = sign::canonical(&parsed);
    if canonical == text {
        checks.pass(
            "canonical form",
            "the attestation is byte for byte its signed canonical JSON",
        );
    } else {
        let at = canonical
            .bytes()
            .zip(text.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(canonical.len().min(text.len()));
        checks.fail(
            "canonical form",
            format!("the attestation is not its signed canonical JSON (first difference at byte {at}): it was edited after it was written"),
        );
    }
    let Some(signer) = &parsed.signer else {
        checks.fail(
            "signature",
            "the attestation is unsigned: nothing vouches for it",
        );
        return Some(parsed);
    };
    let given = sign::fingerprint(key);
    if signer.fingerprint != given || sign::key_of(signer).as_ref() != Some(key) {
        checks.fail(
            "signer",
            format!(
                "the attestation names key {}, not the key given ({given})",
                signer.fingerprint
            ),
        );
    } else {
        checks.pass("signer", format!("Ed25519 key {given}"));
    }
    match signature {
        None => checks.fail("signature", "no signature found (the .sig file is missing)"),
        Some(sig) => match sign::verify(text.as_bytes(), sig, key) {
            Ok(()) => checks.pass("signature", "valid over the attestation as written"),
            Err(e) => checks.fail("signature", e.to_string()),
        },
    }
    Some(parsed)
}

/// Reports a snapshot's signature: checked against `key` when one is given (unsigned, or
/// signed by another key, or not matching its digest, fails), else noted as `unsigned`
/// or `signed, not checked`.
pub fn snapshot_seal(checks: &mut Checks, snapshot: &Snapshot, key: Option<&VerifyingKey>) {
    use crate::snapshot::seal::{Seal, judge};
    let seal = judge(snapshot, key);
    let detail = seal.describe();
    match seal {
        Seal::Valid { .. } => checks.pass("snapshot signature", detail),
        Seal::Invalid(_) => checks.fail("snapshot signature", detail),
        Seal::Unsigned | Seal::NotChecked { .. } => checks.note("snapshot signature", detail),
    }
}

/// Checks that `snapshot_path` is intact and is the snapshot the attestation names.
pub fn snapshot_matches(
    checks: &mut Checks,
    snapshot_path: Option<&Path>,
    expected_digest: &str,
) -> Option<Snapshot> {
    let Some(path) = snapshot_path else {
        checks.not_made(
            "snapshot",
            "no snapshot at hand: pass --snapshot to check the evidence the attestation names",
        );
        return None;
    };
    match Snapshot::load(path) {
        Err(e) => {
            checks.fail("snapshot", e.to_string());
            None
        }
        Ok(snapshot) if snapshot.manifest.digest != expected_digest => {
            checks.fail(
                "snapshot",
                format!(
                    "{} is intact but is another snapshot: manifest {}, the document names {expected_digest}",
                    path.display(),
                    snapshot.manifest.digest
                ),
            );
            None
        }
        Ok(snapshot) => {
            checks.pass(
                "snapshot",
                format!(
                    "{} is intact ({} raw responses hashed) and is the snapshot named (manifest {})",
                    path.display(),
                    snapshot.raw_responses.len(),
                    snapshot.manifest.digest
                ),
            );
            Some(snapshot)
        }
    }
}

/// Where the snapshot a document names is: the given path, else the recorded name as
/// given, else beside the document.
pub fn locate(given: Option<&Path>, recorded: &str, document: &Path) -> Option<PathBuf> {
    if let Some(p) = given {
        return Some(p.to_path_buf());
    }
    let recorded = PathBuf::from(recorded);
    let beside = document
        .parent()
        .map(|d| d.join(recorded.file_name().unwrap_or_default()));
    std::iter::once(recorded)
        .chain(beside)
        .find(|p| p.is_file())
}
