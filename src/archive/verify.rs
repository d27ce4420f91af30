//! `archive verify`: for each scan record, every file it lists is read back and hashed,
//! the snapshot's manifest and signature are checked, and every object version (the
//! record's too) must still be under an Object Lock retention. Each problem is named.

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;

use super::ArchiveError;
use super::bucket::{Bucket, call_error};
use super::keys::sha256_of_key;
use super::pull::{fetch, sha256_hex};
use super::record::{Role, ScanRecord};
use crate::snapshot::{Snapshot, seal};

/// What was found for one object.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectCheck {
    pub name: String,
    pub key: String,
    /// Problems found; empty when the object holds.
    pub problems: Vec<String>,
    /// The retention found on the recorded version, in words.
    pub retention: String,
}

/// What was found for one scan record.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanCheck {
    pub key: String,
    pub record: Option<ScanRecord>,
    /// Problems with the record itself.
    pub problems: Vec<String>,
    pub objects: Vec<ObjectCheck>,
    /// The snapshot's seal, in words (`assay snapshot verify`'s wording).
    pub seal: Option<String>,
}

impl ScanCheck {
    pub fn holds(&self) -> bool {
        self.problems.is_empty() && self.objects.iter().all(|o| o.problems.is_empty())
    }
}

/// The retention on one object version: `Ok(None)` when it has none.
async fn retention(
    bucket: &Bucket,
    key: &str,
    version: Option<&str>,
) -> Result<Option<(String, Option<DateTime<Utc>>)>, ArchiveError> {
    let out = bucket
        .client
        .get_object_retention()
        .bucket(&bucket.name)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await;
    match out {
        Ok(out) => Ok(out.retention().and_then(|r| {
            let mode = r.mode()?.as_str().to_string();
            let until = r
                .retain_until_date()
                .and_then(|d| DateTime::<Utc>::from_timestamp(d.secs(), d.subsec_nanos()));
            Some((mode, until))
        })),
        // AWS answers a version without retention with this code (GetObjectRetention,
        // Amazon S3 API Reference, and the recorded response in tests/it/archive.rs).
        Err(e)
            if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e)
                == Some("NoSuchObjectLockConfiguration") =>
        {
            Ok(None)
        }
        Err(e) => Err(call_error(
            "s3:GetObjectRetention",
            &format!("s3://{}/{key}", bucket.name),
            &e,
        )),
    }
}

/// Judges a retention at `now`: a problem, or how long it holds.
fn judge_retention(
    found: Option<(String, Option<DateTime<Utc>>)>,
    now: DateTime<Utc>,
) -> Result<String, String> {
    match found {
        None => Err(
            "not under retention: this version has no Object Lock retention, so it can be deleted"
                .into(),
        ),
        Some((mode, None)) => Err(format!("retention {mode} has no retain-until date")),
        Some((mode, Some(until))) if until <= now => Err(format!(
            "not under retention: its {mode} retention ended {}",
            until.to_rfc3339()
        )),
        Some((mode, Some(until))) => Ok(format!("{mode} until {}", until.to_rfc3339())),
    }
}

/// Whether a failed read means the object or version is not there (as opposed to a
/// call that could not be made).
fn is_gone(error: &ArchiveError) -> bool {
    matches!(error, ArchiveError::Call { code, .. } if code == "NoSuchKey" || code == "NoSuchVersion")
}

/// Checks one object of a record.
async fn check_object(
    bucket: &Bucket,
    object: &super::record::ArchivedObject,
    now: DateTime<Utc>,
    key: Option<&VerifyingKey>,
    seal_out: &mut Option<String>,
) -> Result<ObjectCheck, ArchiveError> {
    let mut problems = Vec::new();
    if sha256_of_key(&object.key) != Some(object.sha256.as_str()) {
        problems.push(format!(
            "the record puts it at {}, which is not the key of its SHA-256 {}",
            object.key, object.sha256
        ));
    }
    // The current version is what anyone reading the key gets.
    let current = match fetch(bucket, &object.key, None).await {
        Ok(found) => Some(found),
        Err(e) if is_gone(&e) => {
            problems.push("gone: no object at this key any more".into());
            None
        }
        Err(e) => return Err(e),
    };
    let current_version = current.as_ref().and_then(|(_, v)| v.clone());
    if let Some((bytes, _)) = &current {
        let sha = sha256_hex(bytes);
        if sha != object.sha256 {
            problems.push(format!(
                "changed: the current version ({}) hashes to {sha}, not {}",
                current_version.as_deref().unwrap_or("unversioned"),
                object.sha256
            ));
        }
    }
    // The version the push wrote, which the retention protects.
    let mut judged_version = object.version_id.clone();
    let recorded = if object.version_id.is_some() && object.version_id != current_version {
        match fetch(bucket, &object.key, object.version_id.as_deref()).await {
            Ok((bytes, _)) => {
                let sha = sha256_hex(&bytes);
                if sha != object.sha256 {
                    problems.push(format!(
                        "changed: the recorded version {} hashes to {sha}, not {}",
                        object.version_id.as_deref().unwrap_or(""),
                        object.sha256
                    ));
                }
                Some(bytes)
            }
            Err(e) if is_gone(&e) => {
                problems.push(format!(
                    "gone: the version the push wrote ({}) is not in the bucket",
                    object.version_id.as_deref().unwrap_or("")
                ));
                // What is there instead is judged below.
                judged_version = current_version.clone();
                current.map(|(bytes, _)| bytes)
            }
            Err(e) => return Err(e),
        }
    } else {
        current.map(|(bytes, _)| bytes)
    };
    let recorded = recorded.unwrap_or_default();
    if object.role == Role::Snapshot && sha256_hex(&recorded) == object.sha256 {
        let text = String::from_utf8_lossy(&recorded);
        match Snapshot::parse(&text, &object.name) {
            Ok(snapshot) => {
                problems.extend(
                    snapshot
                        .verify()
                        .into_iter()
                        .map(|p| format!("snapshot: {p}")),
                );
                let judged = seal::judge(&snapshot, key);
                if matches!(judged, seal::Seal::Invalid(_)) {
                    problems.push(format!("snapshot: {}", judged.describe()));
                }
                *seal_out = Some(judged.describe());
            }
            Err(e) => problems.push(format!("snapshot: {e}")),
        }
    }
    let found = retention(bucket, &object.key, judged_version.as_deref()).await?;
    let retention = match judge_retention(found, now) {
        Ok(words) => words,
        Err(problem) => {
            problems.push(problem.clone());
            problem
        }
    };
    Ok(ObjectCheck {
        name: object.name.clone(),
        key: object.key.clone(),
        problems,
        retention,
    })
}

/// Verifies each scan record at `keys`, judging retention at `now`; the signature is
/// checked against `key` when given. Errors are calls that failed (not found, denied):
/// the scan could not be verified at all.
pub async fn verify(
    bucket: &Bucket,
    keys: &[String],
    now: DateTime<Utc>,
    key: Option<&VerifyingKey>,
) -> Result<Vec<ScanCheck>, ArchiveError> {
    let mut out = Vec::new();
    for record_key in keys {
        let (bytes, version) = fetch(bucket, record_key, None).await?;
        let mut check = ScanCheck {
            key: record_key.clone(),
            record: None,
            problems: Vec::new(),
            objects: Vec::new(),
            seal: None,
        };
        if let Err(problem) = judge_retention(
            retention(bucket, record_key, version.as_deref()).await?,
            now,
        ) {
            check.problems.push(format!("the scan record is {problem}"));
        }
        match ScanRecord::parse(&bytes, record_key) {
            Ok(record) => {
                for object in &record.objects {
                    let o = check_object(bucket, object, now, key, &mut check.seal).await?;
                    check.objects.push(o);
                }
                check.record = Some(record);
            }
            Err(problem) => check.problems.push(problem),
        }
        out.push(check);
    }
    Ok(out)
}
