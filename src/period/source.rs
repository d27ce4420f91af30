//! Where a period's scans come from, each verified before it is judged: the archive bucket
//! (`archive verify`'s checks: every file's hash, the snapshot's manifest and signature,
//! retention), or a local directory of scans pulled with `archive pull` (for an auditor
//! working offline: the same hashes, manifest and signature; retention can only be checked
//! in the bucket, and the pack says so).
//!
//! A scan that does not verify is refused, with every problem named: a period pack never
//! rests on evidence that was changed.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use ed25519_dalek::VerifyingKey;

use super::Scan;
use crate::archive::bucket::Bucket;
use crate::archive::record::{Role, ScanRecord};
use crate::archive::{self, ArchiveError};
use crate::snapshot::{Snapshot, seal};

/// The file name `archive pull` gives the scan record.
pub const RECORD_NAME: &str = "scan-record.json";

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {problem}")]
    Input { path: String, problem: String },
    #[error("the scan {scan} does not verify, so no period pack was built:\n  - {}", problems.join("\n  - "))]
    NotVerified { scan: String, problems: Vec<String> },
}

/// The verified scans of a window, and what could not be used (named; its time then
/// counts as not observed).
#[derive(Debug, Default)]
pub struct Loaded {
    pub scans: Vec<Scan>,
    pub skipped: Vec<String>,
    /// What was checked, in words, for the pack's cover.
    pub checks: String,
}

fn checks_words(place: &str, key: bool, retention: bool) -> String {
    format!(
        "each scan read from {place} and verified: every file's SHA-256 against its scan record, the snapshot's manifest digest{}{}",
        if key {
            " and its signature against the key given"
        } else {
            " (a signature is reported, no key was given to check it against)"
        },
        if retention {
            ", and every object still under S3 Object Lock retention"
        } else {
            "; Object Lock retention was not checked (it can only be read from the bucket: `assay archive verify`)"
        }
    )
}

/// The scans of `account` (or all) from the archive bucket collected in `[from - max_gap,
/// to)`, each verified as `archive verify` does (retention judged at `now`).
pub async fn from_bucket(
    bucket: &Bucket,
    prefix: &str,
    account: Option<&str>,
    window: (DateTime<Utc>, DateTime<Utc>),
    max_gap: TimeDelta,
    key: Option<&VerifyingKey>,
    now: DateTime<Utc>,
) -> Result<Loaded, SourceError> {
    // Verified first, so that a scan whose objects were changed or copied is refused
    // for that reason, before its findings are read.
    let earliest = (window.0 - max_gap).date_naive();
    let keys: Vec<String> = archive::list(bucket, prefix, account, None)
        .await?
        .into_iter()
        .filter(|r| {
            r.date >= earliest && r.date.and_time(chrono::NaiveTime::MIN).and_utc() < window.1
        })
        .map(|r| r.key)
        .collect();
    for check in archive::verify(bucket, &keys, now, key).await? {
        if !check.holds() {
            let mut problems = check.problems.clone();
            for o in &check.objects {
                problems.extend(o.problems.iter().map(|p| format!("{}: {p}", o.name)));
            }
            return Err(SourceError::NotVerified {
                scan: format!("s3://{}/{}", bucket.name, check.key),
                problems,
            });
        }
    }
    let (scans, skipped) =
        super::scans::period_scans(bucket, prefix, account, window.0, window.1, max_gap).await?;
    Ok(Loaded {
        scans,
        skipped,
        checks: checks_words(
            &format!("s3://{}/{prefix}", bucket.name),
            key.is_some(),
            true,
        ),
    })
}

/// The scan directories under `dir`: `dir` itself when it holds a record, else each
/// subdirectory that does, by name.
fn scan_dirs(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    if dir.join(RECORD_NAME).is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let io = |source| SourceError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.join(RECORD_NAME).is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, SourceError> {
    crate::input::read(path).map_err(|source| SourceError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// The scans pulled into `dir` (`archive pull RECORD --out dir/<scan>`), of `account` (or
/// all), collected in `[from - max_gap, to)`, each verified: every file against the
/// SHA-256 its record names, the snapshot's manifest digest, and its signature (against
/// `key` when given). A directory without any scan record is bad input.
pub fn from_directory(
    dir: &Path,
    account: Option<&str>,
    window: (DateTime<Utc>, DateTime<Utc>),
    max_gap: TimeDelta,
    key: Option<&VerifyingKey>,
) -> Result<Loaded, SourceError> {
    let dirs = scan_dirs(dir)?;
    if dirs.is_empty() {
        return Err(SourceError::Input {
            path: dir.display().to_string(),
            problem: format!(
                "no {RECORD_NAME} in it or in any directory under it (pull scans with `assay archive pull RECORD --out DIR/<scan>`)"
            ),
        });
    }
    let mut loaded = Loaded {
        checks: checks_words(
            &format!("the directory {}", dir.display()),
            key.is_some(),
            false,
        ),
        ..Loaded::default()
    };
    for scan_dir in dirs {
        let record_path = scan_dir.join(RECORD_NAME);
        let shown = record_path.display().to_string();
        let record = ScanRecord::parse(&read(&record_path)?, &shown).map_err(|problem| {
            SourceError::Input {
                path: shown.clone(),
                problem,
            }
        })?;
        let at = record.snapshot.collected_at;
        if at < window.0 - max_gap || at >= window.1 {
            continue;
        }
        if account.is_some_and(|a| !record.snapshot.accounts.iter().any(|x| x == a)) {
            continue;
        }
        if loaded
            .scans
            .iter()
            .any(|s| s.manifest_digest == record.snapshot.manifest_digest)
        {
            continue;
        }
        let mut problems = Vec::new();
        let mut findings = None;
        let mut history = super::history::ScanHistory::default();
        for object in &record.objects {
            let path = scan_dir.join(&object.name);
            let bytes = match read(&path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    problems.push(e.to_string());
                    continue;
                }
            };
            let sha = archive::sha256_hex(&bytes);
            if sha != object.sha256 {
                problems.push(format!(
                    "{}: hashes to {sha}, the record says {}: the file was changed",
                    object.name, object.sha256
                ));
                continue;
            }
            match object.role {
                Role::Snapshot => {
                    if let Some(h) = verify_snapshot(&bytes, &path, key, &mut problems) {
                        history = h;
                    }
                }
                Role::Findings => findings = Some((bytes, path)),
                Role::Report | Role::Attestation => {}
            }
        }
        if !problems.is_empty() {
            return Err(SourceError::NotVerified {
                scan: scan_dir.display().to_string(),
                problems,
            });
        }
        let Some((bytes, path)) = findings else {
            loaded
                .skipped
                .push(format!("{shown}: archived without findings"));
            continue;
        };
        loaded.scans.push(super::scans::scan_of(
            &record,
            &shown,
            &bytes,
            &path.display().to_string(),
            account,
            history,
        )?);
    }
    Ok(loaded)
}

/// The snapshot's manifest and signature, each problem pushed onto `problems`; the
/// CloudTrail change history it holds when it parses.
fn verify_snapshot(
    bytes: &[u8],
    path: &Path,
    key: Option<&VerifyingKey>,
    problems: &mut Vec<String>,
) -> Option<super::history::ScanHistory> {
    let shown = path.display().to_string();
    let text = String::from_utf8_lossy(bytes);
    match Snapshot::parse(&text, &shown) {
        Ok(snapshot) => {
            problems.extend(
                snapshot
                    .verify()
                    .into_iter()
                    .map(|p| format!("{shown}: {p}")),
            );
            if let seal::Seal::Invalid(why) = seal::judge(&snapshot, key) {
                problems.push(format!("{shown}: {why}"));
            }
            Some(super::history::of_snapshot(&snapshot))
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    }
}
