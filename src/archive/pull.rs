//! `archive list` and `archive pull`: scans found by key prefix, and a scan's files read
//! back at the versions its record names, each checked against its SHA-256.

use sha2::{Digest, Sha256};

use super::ArchiveError;
use super::bucket::{Bucket, call_error};
use super::keys::{Period, RecordKey, parse_record_key, scans_prefix};
use super::record::ScanRecord;

/// The scan records under `prefix`, of one account or all, within `period` if given,
/// sorted by key (account, then time). Keys outside the layout are left out.
pub async fn list(
    bucket: &Bucket,
    prefix: &str,
    account: Option<&str>,
    period: Option<Period>,
) -> Result<Vec<RecordKey>, ArchiveError> {
    let listing = scans_prefix(prefix, account);
    let mut pages = bucket
        .client
        .list_objects_v2()
        .bucket(&bucket.name)
        .prefix(&listing)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            call_error(
                "s3:ListObjectsV2",
                &format!("s3://{}/{listing}", bucket.name),
                &e,
            )
        })?;
        for object in page.contents() {
            let Some(key) = object.key() else { continue };
            if let Some(record) = parse_record_key(prefix, key)
                && period.is_none_or(|p| p.contains(record.date))
            {
                out.push(record);
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Reads an object (one version of it, or the current one); returns its bytes and version.
pub async fn fetch(
    bucket: &Bucket,
    key: &str,
    version: Option<&str>,
) -> Result<(Vec<u8>, Option<String>), ArchiveError> {
    let target = format!("s3://{}/{key}", bucket.name);
    let out = bucket
        .client
        .get_object()
        .bucket(&bucket.name)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await
        .map_err(|e| call_error("s3:GetObject", &target, &e))?;
    let version = out.version_id().map(str::to_string);
    let bytes = out
        .body
        .collect()
        .await
        .map_err(|e| ArchiveError::Object {
            bucket: bucket.name.clone(),
            key: key.to_string(),
            problem: format!("reading the body: {e}"),
        })?
        .into_bytes()
        .to_vec();
    Ok((bytes, version))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads a scan record and every file it lists, at the recorded versions; fails on the
/// first file whose bytes do not hash to what the record says.
pub async fn pull(
    bucket: &Bucket,
    record_key: &str,
) -> Result<(ScanRecord, Vec<u8>, Vec<(String, Vec<u8>)>), ArchiveError> {
    let (record_bytes, _) = fetch(bucket, record_key, None).await?;
    let record = ScanRecord::parse(&record_bytes, record_key).map_err(ArchiveError::Input)?;
    let mut files = Vec::new();
    for object in &record.objects {
        let (bytes, _) = fetch(bucket, &object.key, object.version_id.as_deref()).await?;
        let sha = sha256_hex(&bytes);
        if sha != object.sha256 {
            return Err(ArchiveError::Object {
                bucket: bucket.name.clone(),
                key: object.key.clone(),
                problem: format!(
                    "{} hashes to {sha}, the record says {}: the archived file was changed; nothing was written",
                    object.name, object.sha256
                ),
            });
        }
        files.push((object.name.clone(), bytes));
    }
    Ok((record, record_bytes, files))
}
