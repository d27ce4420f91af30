//! The archive's key layout (`docs/archive.md`, "Layout"):
//!
//! - `<prefix>/objects/sha256/<hex>`: every file, under the SHA-256 of its bytes, so a
//!   key names its content and the same file pushed twice is one object;
//! - `<prefix>/scans/<account>/<YYYY-MM-DD>/<YYYYMMDDTHHMMSSZ>-<digest16>.json`: one scan
//!   record per account of a snapshot (collection date and time in UTC, the first 16 hex
//!   digits of the snapshot's manifest digest), listing the scan's objects. Listing by
//!   account, date or quarter is a listing by key prefix: no index object to keep
//!   consistent, and nothing to rewrite (every object is write-once).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "assay";

/// A key prefix without leading or trailing slashes (`""` for the bucket's root).
pub fn normalise_prefix(prefix: &str) -> String {
    prefix.trim_matches('/').to_string()
}

fn join(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() {
        rest.to_string()
    } else {
        format!("{prefix}/{rest}")
    }
}

/// Where a file with this SHA-256 (lowercase hex) is kept.
pub fn object_key(prefix: &str, sha256: &str) -> String {
    join(prefix, &format!("objects/sha256/{sha256}"))
}

/// The SHA-256 an object key names, if it is one.
pub fn sha256_of_key(key: &str) -> Option<&str> {
    let hex = key.rsplit_once("objects/sha256/")?.1;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

/// Where the record of a scan of `account` is kept.
pub fn record_key(
    prefix: &str,
    account: &str,
    collected_at: DateTime<Utc>,
    digest: &str,
) -> String {
    join(
        prefix,
        &format!(
            "scans/{account}/{}/{}-{}.json",
            collected_at.format("%Y-%m-%d"),
            collected_at.format("%Y%m%dT%H%M%SZ"),
            &digest[..digest.len().min(16)]
        ),
    )
}

/// The listing prefix for scans, of one account or all.
pub fn scans_prefix(prefix: &str, account: Option<&str>) -> String {
    match account {
        Some(a) => join(prefix, &format!("scans/{a}/")),
        None => join(prefix, "scans/"),
    }
}

/// A scan record's key, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKey {
    pub key: String,
    pub account: String,
    pub date: NaiveDate,
    /// The file name: collection time and digest prefix.
    pub name: String,
}

/// Reads a key of the `scans/` layout; `None` for any other key.
pub fn parse_record_key(prefix: &str, key: &str) -> Option<RecordKey> {
    let rest = key.strip_prefix(&scans_prefix(prefix, None))?;
    let mut parts = rest.split('/');
    let (account, date, name) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !name.ends_with(".json") || account.is_empty() {
        return None;
    }
    Some(RecordKey {
        key: key.to_string(),
        account: account.to_string(),
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?,
        name: name.to_string(),
    })
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// `2026-Q3`: July to September.
    pub fn quarter(text: &str) -> Result<Period, String> {
        let bad = || format!("`{text}` is not a quarter (YYYY-Qn, e.g. 2026-Q3)");
        let (year, q) = text.split_once("-Q").ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let q: u32 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) {
            return Err(bad());
        }
        let from = NaiveDate::from_ymd_opt(year, 3 * q - 2, 1).ok_or_else(bad)?;
        let next = if q == 4 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, 3 * q + 1, 1)
        }
        .ok_or_else(bad)?;
        Ok(Period {
            from,
            to: next.pred_opt().ok_or_else(bad)?,
        })
    }

    /// One day.
    pub fn day(text: &str) -> Result<Period, String> {
        let d = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))?;
        Ok(Period { from: d, to: d })
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// Whether the period lies within one year (so a listing can narrow its prefix).
    pub fn year(&self) -> Option<i32> {
        (self.from.year() == self.to.year()).then(|| self.from.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let at = DateTime::parse_from_rfc3339("2026-07-14T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let key = record_key("audit", "111122223333", at, &"ab".repeat(32));
        assert_eq!(
            key,
            "audit/scans/111122223333/2026-07-14/20260714T030405Z-abababababababab.json"
        );
        let parsed = parse_record_key("audit", &key).unwrap();
        assert_eq!(parsed.account, "111122223333");
        assert_eq!(parsed.date.to_string(), "2026-07-14");
        assert!(parse_record_key("other", &key).is_none());
        let object = object_key("", &"0f".repeat(32));
        assert_eq!(sha256_of_key(&object), Some("0f".repeat(32).as_str()));
    }

    #[test]
    fn quarters() {
        let q3 = Period::quarter("2026-Q3").unwrap();
        assert_eq!(
            (q3.from.to_string(), q3.to.to_string()),
            ("2026-07-01".into(), "2026-09-30".into())
        );
        let q4 = Period::quarter("2026-Q4").unwrap();
        assert_eq!(q4.to.to_string(), "2026-12-31");
        assert!(Period::quarter("2026-Q5").is_err());
        assert!(Period::quarter("2026Q1").is_err());
    }
}
