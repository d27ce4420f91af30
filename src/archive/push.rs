//! `archive push`: every input read and checked first, the bucket checked fit, then each
//! file written under its SHA-256 with the profile's retention, and the scan record last:
//! a push that stops half-way leaves objects no record lists (harmless, and written once)
//! and no scan that looks complete.

use std::path::{Path, PathBuf};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ObjectLockMode};
use base64::Engine as _;
use chrono::{DateTime, Months, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use super::ArchiveError;
use super::bucket::{Bucket, call_error};
use super::keys::{object_key, record_key};
use super::record::{
    ArchivedObject, RECORD_SCHEMA_VERSION, Retention, Role, ScanRecord, SnapshotSummary,
};
use crate::profile::{ArchivePolicy, RetentionMode};
use crate::report::Report;
use crate::snapshot::Snapshot;

/// What to archive.
#[derive(Debug, Clone)]
pub struct PushInput {
    pub snapshot: PathBuf,
    pub findings: Option<PathBuf>,
    pub reports: Vec<PathBuf>,
    pub attestations: Vec<PathBuf>,
}

/// A file read and ready to write.
struct Staged {
    role: Role,
    name: String,
    bytes: Vec<u8>,
    sha256: String,
}

fn read(path: &Path, role: Role) -> Result<Staged, ArchiveError> {
    let bytes = crate::input::read(path)
        .map_err(|e| ArchiveError::Input(format!("cannot read {}: {e}", path.display())))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| ArchiveError::Input(format!("{}: not a file name", path.display())))?;
    Ok(Staged {
        role,
        name,
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes,
    })
}

/// When retention ends for a push at `now`.
pub fn retain_until(
    policy: &ArchivePolicy,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, ArchiveError> {
    let until = match (policy.retain_years, policy.retain_days) {
        (Some(y), _) => now.checked_add_months(Months::new(y.saturating_mul(12))),
        (None, Some(d)) => now.checked_add_signed(TimeDelta::days(i64::from(d))),
        (None, None) => None,
    };
    // S3 keeps the retain-until date in whole seconds; the record says what S3 holds.
    until
        .and_then(|u| DateTime::from_timestamp(u.timestamp(), 0))
        .ok_or_else(|| {
            ArchiveError::Input("the profile's archive retention gives no valid date".into())
        })
}

/// The inputs of a push, read and checked, ready to write.
pub struct Prepared {
    snapshot: Snapshot,
    files: Vec<Staged>,
}

/// Reads and checks the inputs before any call is made: the snapshot's integrity, and
/// that the findings were evaluated from this snapshot.
pub fn prepare(input: &PushInput) -> Result<Prepared, ArchiveError> {
    let snapshot =
        Snapshot::load(&input.snapshot).map_err(|e| ArchiveError::Input(e.to_string()))?;
    let mut files = vec![read(&input.snapshot, Role::Snapshot)?];
    if let Some(path) = &input.findings {
        let staged = read(path, Role::Findings)?;
        let text = String::from_utf8_lossy(&staged.bytes);
        let report = Report::from_json(&text, &path.display().to_string())
            .map_err(|e| ArchiveError::Input(e.to_string()))?;
        if report.snapshot.manifest_digest != snapshot.manifest.digest {
            return Err(ArchiveError::Input(format!(
                "{}: snapshot.manifest_digest is {}, but {} has {}: these findings were evaluated from another snapshot",
                path.display(),
                report.snapshot.manifest_digest,
                input.snapshot.display(),
                snapshot.manifest.digest
            )));
        }
        files.push(staged);
    }
    for path in &input.reports {
        files.push(read(path, Role::Report)?);
    }
    for path in &input.attestations {
        files.push(read(path, Role::Attestation)?);
    }
    let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(ArchiveError::Input(format!(
            "two files named {} (a pull writes them into one directory): rename one",
            w[0]
        )));
    }
    if snapshot.accounts.is_empty() {
        return Err(ArchiveError::Input(format!(
            "{}: the snapshot names no account, so its scan has no place in the archive's layout",
            input.snapshot.display()
        )));
    }
    Ok(Prepared { snapshot, files })
}

/// Writes one object under retention; returns the version written.
async fn put(
    bucket: &Bucket,
    key: &str,
    bytes: Vec<u8>,
    sha256: &str,
    retention: &Retention,
) -> Result<Option<String>, ArchiveError> {
    let checksum = base64::engine::general_purpose::STANDARD
        .encode(hex::decode(sha256).expect("a SHA-256 we computed is hex"));
    let mode = match retention.mode {
        RetentionMode::Compliance => ObjectLockMode::Compliance,
        RetentionMode::Governance => ObjectLockMode::Governance,
    };
    // S3 checks the bytes against the SHA-256 given, and AWS requires a checksum on any
    // write with an Object Lock retention (PutObject, Amazon S3 API Reference).
    let out = bucket
        .client
        .put_object()
        .bucket(&bucket.name)
        .key(key)
        .body(ByteStream::from(bytes))
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .checksum_sha256(checksum)
        .object_lock_mode(mode)
        .object_lock_retain_until_date(aws_smithy_types::DateTime::from_secs(
            retention.retain_until.timestamp(),
        ))
        .send()
        .await
        .map_err(|e| call_error("s3:PutObject", &format!("s3://{}/{key}", bucket.name), &e))?;
    Ok(out.version_id().map(str::to_string))
}

/// Pushes a scan; returns the record keys written (one per account of the snapshot).
pub async fn push(
    bucket: &Bucket,
    prefix: &str,
    policy: &ArchivePolicy,
    prepared: Prepared,
    now: DateTime<Utc>,
) -> Result<(ScanRecord, Vec<String>), ArchiveError> {
    let Prepared { snapshot, files } = prepared;
    bucket.check_fit(&policy.regions).await?;
    let retention = Retention {
        mode: policy.mode,
        retain_until: retain_until(policy, now)?,
    };
    let mut objects = Vec::new();
    for file in files {
        let key = object_key(prefix, &file.sha256);
        let size = file.bytes.len() as u64;
        let version_id = put(bucket, &key, file.bytes, &file.sha256, &retention).await?;
        objects.push(ArchivedObject {
            role: file.role,
            name: file.name,
            sha256: file.sha256,
            size,
            key,
            version_id,
        });
    }
    let accounts: Vec<String> = snapshot
        .accounts
        .iter()
        .map(|a| a.account_id.clone())
        .collect();
    let record = ScanRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        tool: format!("assay {}", env!("CARGO_PKG_VERSION")),
        pushed_at: now,
        snapshot: SnapshotSummary {
            manifest_digest: snapshot.manifest.digest.clone(),
            collected_at: snapshot.collected_at,
            origin: snapshot.origin.kind.clone(),
            accounts: accounts.clone(),
            signed_by: snapshot
                .manifest
                .signature
                .as_ref()
                .map(|s| s.fingerprint.clone()),
        },
        retention: retention.clone(),
        objects,
    };
    let text = record.to_json_pretty();
    let sha = hex::encode(Sha256::digest(text.as_bytes()));
    let mut keys = Vec::new();
    for account in &accounts {
        let key = record_key(
            prefix,
            account,
            snapshot.collected_at,
            &snapshot.manifest.digest,
        );
        put(bucket, &key, text.clone().into_bytes(), &sha, &retention).await?;
        keys.push(key);
    }
    Ok((record, keys))
}
