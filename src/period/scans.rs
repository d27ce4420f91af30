//! The archived scans of a period read from the bucket, with their findings.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use super::Scan;
use super::history::ScanHistory;
use crate::archive::bucket::Bucket;
use crate::archive::record::{Role, ScanRecord};
use crate::archive::{ArchiveError, fetch, list, sha256_hex};
use crate::report::Report;
use crate::snapshot::Snapshot;

/// Every archived scan of `account` (or all) collected from `from - max_gap` to `to`,
/// once per snapshot, with its findings (at the version the record names, checked
/// against its SHA-256). A scan archived without findings cannot show anything: it is
/// left out and named in the second list, so its time counts as not observed. The
/// snapshot is read too, for the CloudTrail change history it holds.
pub async fn period_scans(
    bucket: &Bucket,
    prefix: &str,
    account: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    max_gap: TimeDelta,
) -> Result<(Vec<Scan>, Vec<String>), ArchiveError> {
    let earliest = (from - max_gap).date_naive();
    let records = list(bucket, prefix, account, None).await?;
    let mut scans: Vec<Scan> = Vec::new();
    let mut skipped = Vec::new();
    for r in records
        .iter()
        .filter(|r| r.date >= earliest && r.date.and_time(NaiveTime::MIN).and_utc() < to)
    {
        let (bytes, _) = fetch(bucket, &r.key, None).await?;
        let record = ScanRecord::parse(&bytes, &r.key).map_err(ArchiveError::Input)?;
        if scans
            .iter()
            .any(|s| s.manifest_digest == record.snapshot.manifest_digest)
        {
            continue;
        }
        let Some(object) = record.objects.iter().find(|o| o.role == Role::Findings) else {
            skipped.push(format!("{}: archived without findings", r.key));
            continue;
        };
        let bytes = checked(bucket, object, &r.key).await?;
        let history = match record.objects.iter().find(|o| o.role == Role::Snapshot) {
            Some(snapshot) => {
                let snapshot_bytes = checked(bucket, snapshot, &r.key).await?;
                history_of(&snapshot_bytes, &snapshot.key)?
            }
            None => ScanHistory::default(),
        };
        scans.push(scan_of(
            &record,
            &r.key,
            &bytes,
            &object.key,
            account,
            history,
        )?);
    }
    Ok((scans, skipped))
}

/// An archived object at the version its record names, checked against its SHA-256.
async fn checked(
    bucket: &Bucket,
    object: &crate::archive::record::ArchivedObject,
    record_key: &str,
) -> Result<Vec<u8>, ArchiveError> {
    let (bytes, _) = fetch(bucket, &object.key, object.version_id.as_deref()).await?;
    if sha256_hex(&bytes) != object.sha256 {
        return Err(ArchiveError::Object {
            bucket: bucket.name.clone(),
            key: object.key.clone(),
            problem: format!("{} does not hash to its record ({record_key})", object.name),
        });
    }
    Ok(bytes)
}

/// The CloudTrail change history held in an archived snapshot's bytes (`shown` names
/// it in messages).
pub fn history_of(bytes: &[u8], shown: &str) -> Result<ScanHistory, ArchiveError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ArchiveError::Input(format!("{shown}: not UTF-8: {e}")))?;
    let snapshot = Snapshot::parse(text, shown).map_err(|e| ArchiveError::Input(e.to_string()))?;
    Ok(super::history::of_snapshot(&snapshot))
}

/// One scan of a period from its record and its findings' bytes (already checked against
/// the record's SHA-256), keeping only `account`'s findings when given. `source` names
/// the record, `findings_at` the findings, in messages.
pub fn scan_of(
    record: &ScanRecord,
    source: &str,
    findings: &[u8],
    findings_at: &str,
    account: Option<&str>,
    history: ScanHistory,
) -> Result<Scan, ArchiveError> {
    let text = std::str::from_utf8(findings)
        .map_err(|e| ArchiveError::Input(format!("{findings_at}: not UTF-8: {e}")))?;
    let report =
        Report::from_json(text, findings_at).map_err(|e| ArchiveError::Input(e.to_string()))?;
    if report.snapshot.manifest_digest != record.snapshot.manifest_digest {
        return Err(ArchiveError::Input(format!(
            "{findings_at}: these findings were evaluated from snapshot {}, the record {source} archives {}",
            report.snapshot.manifest_digest, record.snapshot.manifest_digest
        )));
    }
    let findings = report
        .findings
        .into_iter()
        .filter(|f| {
            account.is_none_or(|a| {
                f.resource.as_ref().map_or_else(
                    || {
                        f.scope
                            .as_deref()
                            .is_some_and(|s| s == a || s.starts_with(&format!("{a}/")))
                    },
                    |res| res.account == a,
                )
            })
        })
        .collect();
    Ok(Scan {
        collected_at: record.snapshot.collected_at,
        manifest_digest: record.snapshot.manifest_digest.clone(),
        source: source.to_string(),
        signed_by: record.snapshot.signed_by.clone(),
        findings,
        frameworks: report.frameworks,
        history,
    })
}
