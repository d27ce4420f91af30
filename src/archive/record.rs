//! The scan record: what one push wrote, kept as a write-once object beside the files
//! (`scans/…/<time>-<digest>.json`). It names every object by role, file name, SHA-256,
//! size, key and S3 version id, and the retention asked for, so `archive pull` and
//! `archive verify` need nothing else.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::profile::RetentionMode;

/// The version of the scan record format.
pub const RECORD_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanRecord {
    pub schema_version: u32,
    /// The tool that pushed it (`assay <version>`).
    pub tool: String,
    pub pushed_at: DateTime<Utc>,
    pub snapshot: SnapshotSummary,
    pub retention: Retention,
    pub objects: Vec<ArchivedObject>,
}

/// The snapshot a record archives, as its manifest states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSummary {
    pub manifest_digest: String,
    pub collected_at: DateTime<Utc>,
    pub origin: String,
    pub accounts: Vec<String>,
    /// The signing key's fingerprint, when the snapshot is signed.
    pub signed_by: Option<String>,
}

/// The retention every object of the record was written with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub mode: RetentionMode,
    pub retain_until: DateTime<Utc>,
}

/// What an archived file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Snapshot,
    Findings,
    Report,
    Attestation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivedObject {
    pub role: Role,
    /// The file name it had when pushed (and gets when pulled).
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub key: String,
    /// The S3 version written (or found, when the same bytes were already archived).
    pub version_id: Option<String>,
}

impl ScanRecord {
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scan record always serialises") + "\n"
    }

    /// Reads a record; `key` is for messages only.
    pub fn parse(bytes: &[u8], key: &str) -> Result<ScanRecord, String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("{key}: not UTF-8: {e}"))?;
        crate::strict_json::from_str(text).map_err(|e: serde_json::Error| {
            format!("{key}:{}:{}: not a scan record: {e}", e.line(), e.column())
        })
    }
}
