//! `backup_classes(items, spec)`: backups as they exist, classed as the profile says
//! (daily / weekly / monthly, by key pattern or by the local day they were written) and
//! measured per class: how many, the newest and oldest with their ages, the widest gap
//! between consecutive ones, their storage classes and the local hours they were written
//! in. The rules assert on these facts; the function only counts and dates, so the same
//! facts serve S3 backup objects and snapshots alike.
//!
//! Ages are measured at collection time (as `age_hours`), so re-evaluating an old
//! snapshot gives the same verdicts. Local times are in the profile's IANA time zone
//! (`chrono-tz`, daylight saving included). Nothing is dropped: an item without a time is
//! counted as undated, one no pattern matches as unclassified, and both are in the totals.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value as Json, json};

/// The classes, in the order a backup is tried against them (a monthly written on a
/// Saturday is the monthly).
pub const CLASSES: [&str; 3] = ["monthly", "weekly", "daily"];

/// Items listed by name in the evidence; the totals count every one.
const LISTED: usize = 10;

/// Storage classes that are cold storage: S3 Glacier Instant/Flexible Retrieval and Deep
/// Archive, and AWS Backup's cold tier (a recovery point's `StorageClass` `COLD`, which
/// does not say which Glacier class holds it).
const COLD: [&str; 4] = ["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE", "COLD"];

/// How to read and class the items (the rule builds it from the profile's parameters).
#[derive(Debug)]
pub struct Spec {
    /// The field holding when the item was written (RFC 3339).
    pub time_field: String,
    /// The field naming the item in the evidence (and matched by `patterns`).
    pub name_field: String,
    /// A field whose value names the item's class (`daily`, `weekly`, `monthly`, or a
    /// marker containing one of them, such as a tool's policy name `db-weekly`); when set,
    /// items are classed by it only, and one naming no class is unclassified.
    pub class_field: Option<String>,
    pub time_zone: Tz,
    /// Per class, a regular expression on the name; when any is set, items are classed
    /// by name only.
    pub patterns: Vec<(String, regex::Regex)>,
    /// The local weekday of the weekly backup (`Saturday`), when classed by schedule.
    pub weekly_day: Option<chrono::Weekday>,
    /// The local day of the month of the monthly backup (1), when classed by schedule.
    pub monthly_day: Option<u32>,
    /// `recent`: the items written in the last this many hours.
    pub recent_hours: i64,
    /// Items older than this many hours are expected in their final storage class.
    pub settled_hours: i64,
    /// The local hours backups may be written in (empty: any).
    pub hours: Vec<u32>,
}

impl Spec {
    /// Reads the spec map of a rule; the error names the field.
    pub fn from_json(spec: &Json) -> Result<Spec, String> {
        let text = |name: &str, default: &str| -> Result<String, String> {
            match spec.get(name) {
                None | Some(Json::Null) => Ok(default.to_string()),
                Some(Json::String(s)) => Ok(s.clone()),
                Some(other) => Err(format!("`{name}` must be a string, got {other}")),
            }
        };
        let int = |name: &str| -> Result<i64, String> {
            match spec.get(name) {
                None | Some(Json::Null) => Ok(0),
                Some(v) => v
                    .as_i64()
                    .ok_or_else(|| format!("`{name}` must be an integer, got {v}")),
            }
        };
        let zone = text("time_zone", "UTC")?;
        let time_zone: Tz = zone
            .parse()
            .map_err(|_| format!("time zone `{zone}` is not an IANA time zone name"))?;
        let mut patterns = Vec::new();
        if let Some(map) = spec.get("patterns").and_then(Json::as_object) {
            for class in CLASSES {
                let Some(pattern) = map.get(class).and_then(Json::as_str) else {
                    continue;
                };
                if pattern.is_empty() {
                    continue;
                }
                let regex = regex::Regex::new(pattern)
                    .map_err(|e| format!("the {class} pattern `{pattern}` is not valid: {e}"))?;
                patterns.push((class.to_string(), regex));
            }
        }
        let weekly = text("weekly_day", "")?;
        let weekly_day = if weekly.is_empty() {
            None
        } else {
            Some(
                weekly
                    .parse::<chrono::Weekday>()
                    .map_err(|_| format!("`{weekly}` is not a day of the week"))?,
            )
        };
        let monthly_day = u32::try_from(int("monthly_day")?)
            .ok()
            .filter(|d| (1..=31).contains(d));
        let hours = match spec.get("hours") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Array(a)) => a
                .iter()
                .map(|h| {
                    h.as_u64()
                        .and_then(|h| u32::try_from(h).ok())
                        .filter(|h| *h < 24)
                        .ok_or_else(|| format!("hour {h} is not 0-23"))
                })
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(format!("`hours` must be a list, got {other}")),
        };
        let class_field = text("class_field", "")?;
        Ok(Spec {
            time_field: text("time_field", "last_modified")?,
            name_field: text("name_field", "key")?,
            class_field: (!class_field.is_empty()).then_some(class_field),
            time_zone,
            patterns,
            weekly_day,
            monthly_day,
            recent_hours: int("recent_hours")?,
            settled_hours: int("settled_hours")?,
            hours,
        })
    }

    /// The class of `item` written at `local` named `name`; `None`: unclassified.
    fn class_of(&self, item: &Json, name: &str, local: &DateTime<Tz>) -> Option<&'static str> {
        if let Some(field) = &self.class_field {
            let marker = item
                .get(field)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_lowercase();
            return CLASSES.into_iter().find(|class| marker.contains(class));
        }
        if !self.patterns.is_empty() {
            return CLASSES.into_iter().find(|class| {
                self.patterns
                    .iter()
                    .any(|(c, r)| c == class && r.is_match(name))
            });
        }
        if self.monthly_day == Some(local.day()) {
            Some("monthly")
        } else if self.weekly_day == Some(local.weekday()) {
            Some("weekly")
        } else {
            Some("daily")
        }
    }
}

/// One dated item.
struct Dated<'a> {
    name: String,
    at: DateTime<Utc>,
    item: &'a Json,
}

/// The facts for `items` (JSON objects) under `spec`, measured at `now`.
pub fn classes(items: &[Json], spec: &Spec, now: DateTime<Utc>) -> Json {
    let mut undated = Vec::new();
    let mut dated = Vec::new();
    for item in items {
        let name = item
            .get(&spec.name_field)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        match item
            .get(&spec.time_field)
            .and_then(Json::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        {
            Some(at) => dated.push(Dated {
                name,
                at: at.with_timezone(&Utc),
                item,
            }),
            None => undated.push(name),
        }
    }
    dated.sort_by(|a, b| (a.at, &a.name).cmp(&(b.at, &b.name)));
    let mut by_class: Vec<(&str, Vec<&Dated>)> = CLASSES.iter().map(|c| (*c, Vec::new())).collect();
    let mut unclassified = Vec::new();
    for d in &dated {
        match spec.class_of(d.item, &d.name, &d.at.with_timezone(&spec.time_zone)) {
            Some(class) => {
                if let Some((_, list)) = by_class.iter_mut().find(|(c, _)| *c == class) {
                    list.push(d);
                }
            }
            None => unclassified.push(d.name.clone()),
        }
    }
    let all: Vec<&Dated> = dated.iter().collect();
    let recent: Vec<&Dated> = dated
        .iter()
        .filter(|d| (now - d.at).num_hours() < spec.recent_hours)
        .collect();
    let mut classes = Map::new();
    for (class, list) in &by_class {
        classes.insert(class.to_string(), series(list, spec, now));
    }
    json!({
        "time_zone": spec.time_zone.name(),
        "total": items.len(),
        "summary": summary(items.len(), &by_class, dated.last(), undated.len(), unclassified.len(), spec),
        "classes": classes,
        "all": series(&all, spec, now),
        "recent": series(&recent, spec, now),
        "undated_total": undated.len(),
        "undated": undated.iter().take(LISTED).collect::<Vec<_>>(),
        "unclassified_total": unclassified.len(),
        "unclassified": unclassified.iter().take(LISTED).collect::<Vec<_>>(),
    })
}

/// "12 backups: 6 daily, 4 weekly, 2 monthly; newest 2026-12-05 03:58 AEDT".
fn summary(
    total: usize,
    by_class: &[(&str, Vec<&Dated>)],
    newest: Option<&Dated>,
    undated: usize,
    unclassified: usize,
    spec: &Spec,
) -> String {
    let mut parts: Vec<String> = ["daily", "weekly", "monthly"]
        .iter()
        .filter_map(|c| by_class.iter().find(|(k, _)| k == c))
        .map(|(c, l)| format!("{} {c}", l.len()))
        .collect();
    if unclassified > 0 {
        parts.push(format!("{unclassified} unclassified"));
    }
    if undated > 0 {
        parts.push(format!("{undated} undated"));
    }
    let noun = if total == 1 { "backup" } else { "backups" };
    match newest {
        Some(n) => format!(
            "{total} {noun}: {}; newest {}",
            parts.join(", "),
            local(&n.at, spec)
        ),
        None => format!("{total} {noun}: {}", parts.join(", ")),
    }
}

fn local(at: &DateTime<Utc>, spec: &Spec) -> String {
    at.with_timezone(&spec.time_zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// The facts of one series (oldest first).
fn series(list: &[&Dated], spec: &Spec, now: DateTime<Utc>) -> Json {
    let (mut widest, mut widest_at) = (0i64, Json::Null);
    for pair in list.windows(2) {
        let gap = (pair[1].at - pair[0].at).num_minutes();
        if gap > widest {
            widest = gap;
            widest_at =
                json!({"after": local(&pair[0].at, spec), "before": local(&pair[1].at, spec)});
        }
    }
    let storage = |d: &Dated| {
        d.item
            .get("storage_class")
            .and_then(Json::as_str)
            .unwrap_or("unknown")
            .to_string()
    };
    // An item may say itself whether it is due in its final storage class (`settled`: a
    // recovery point past its lifecycle's move to cold storage); else its age decides.
    let settled: Vec<&&Dated> = list
        .iter()
        .filter(|d| {
            d.item
                .get("settled")
                .and_then(Json::as_bool)
                .unwrap_or((now - d.at).num_hours() >= spec.settled_hours)
        })
        .collect();
    let settled_classes: BTreeSet<String> = settled.iter().map(|d| storage(d)).collect();
    let not_cold: Vec<&&&Dated> = settled
        .iter()
        .filter(|d| !COLD.contains(&storage(d).as_str()))
        .collect();
    let not_deep: Vec<&&&Dated> = settled
        .iter()
        .filter(|d| storage(d) != "DEEP_ARCHIVE")
        .collect();
    let hour = |d: &Dated| d.at.with_timezone(&spec.time_zone).hour();
    let off_hours: Vec<&&Dated> = list
        .iter()
        .filter(|d| !spec.hours.is_empty() && !spec.hours.contains(&hour(d)))
        .collect();
    let entry = |d: &Dated| json!({"name": d.name, "written": local(&d.at, spec), "storage_class": storage(d)});
    let newest = list.last();
    let oldest = list.first();
    json!({
        "count": list.len(),
        "newest": newest.map(|d| d.at.to_rfc3339()),
        "newest_local": newest.map(|d| local(&d.at, spec)),
        "newest_age_hours": newest.map(|d| (now - d.at).num_hours()),
        "oldest": oldest.map(|d| d.at.to_rfc3339()),
        "oldest_local": oldest.map(|d| local(&d.at, spec)),
        "oldest_age_hours": oldest.map(|d| (now - d.at).num_hours()),
        // Whole hours, rounded up: a gap of 24 h 10 min is more than a day.
        "widest_gap_hours": (widest + 59) / 60,
        "widest_gap": widest_at,
        "storage_classes": list.iter().map(|d| storage(d)).collect::<BTreeSet<_>>(),
        "settled_storage_classes": settled_classes,
        "not_cold_total": not_cold.len(),
        "not_cold": not_cold.iter().take(LISTED).map(|d| entry(d)).collect::<Vec<_>>(),
        "not_deep_archive_total": not_deep.len(),
        "not_deep_archive": not_deep.iter().take(LISTED).map(|d| entry(d)).collect::<Vec<_>>(),
        "local_hours": list.iter().map(|d| hour(d)).collect::<BTreeSet<_>>(),
        "off_hours_total": off_hours.len(),
        "off_hours": off_hours.iter().take(LISTED).map(|d| entry(d)).collect::<Vec<_>>(),
        // The newest first: what an auditor looks at.
        "items": list.iter().rev().take(LISTED).map(|d| entry(d)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(key: &str, at: &str, class: &str) -> Json {
        json!({"key": key, "last_modified": at, "storage_class": class, "size": 1})
    }

    fn spec(extra: Json) -> Spec {
        let mut base = json!({
            "time_zone": "Australia/Sydney",
            "weekly_day": "Saturday",
            "monthly_day": 1,
            "recent_hours": 168,
            "settled_hours": 48,
            "hours": [3, 4, 5],
        });
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        Spec::from_json(&base).expect("spec")
    }

    #[test]
    fn backups_are_classed_by_the_local_day_they_were_written() {
        // 2026-11-27T16:58Z is Saturday 28 November 03:58 in Sydney (AEDT, +11);
        // 2026-11-30T16:58Z is Tuesday 1 December 03:58: the monthly.
        let items = [
            object("a", "2026-11-26T16:58:00Z", "STANDARD"),
            object("b", "2026-11-27T16:58:00Z", "GLACIER"),
            object("c", "2026-11-30T16:58:00Z", "DEEP_ARCHIVE"),
            json!({"key": "d"}),
        ];
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().expect("time");
        let facts = classes(&items, &spec(json!({})), now);
        assert_eq!(
            facts["summary"],
            "4 backups: 1 daily, 1 weekly, 1 monthly, 1 undated; newest 2026-12-01 03:58 AEDT"
        );
        assert_eq!(facts["classes"]["weekly"]["count"], 1);
        assert_eq!(facts["all"]["widest_gap_hours"], 72);
        assert_eq!(facts["all"]["local_hours"], json!([3]));
        assert_eq!(facts["all"]["off_hours_total"], 0);
        assert_eq!(facts["classes"]["daily"]["not_cold_total"], 1);
        // The monthly is 7 h old: not yet expected in its final storage class.
        assert_eq!(
            facts["classes"]["monthly"]["settled_storage_classes"],
            json!([])
        );
    }

    #[test]
    fn patterns_class_by_name_and_leave_the_rest_unclassified() {
        let items = [
            object("site/daily/1.tgz", "2026-11-26T16:58:00Z", "STANDARD"),
            object("site/weekly/1.tgz", "2026-11-27T16:58:00Z", "STANDARD"),
            object("site/other.txt", "2026-11-27T16:58:00Z", "STANDARD"),
        ];
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().expect("time");
        let spec =
            spec(json!({"patterns": {"daily": "/daily/", "weekly": "/weekly/", "monthly": ""}}));
        let facts = classes(&items, &spec, now);
        assert_eq!(facts["unclassified"], json!(["site/other.txt"]));
        assert_eq!(facts["classes"]["monthly"]["count"], 0);
        assert_eq!(facts["classes"]["daily"]["count"], 1);
    }

    #[test]
    fn a_class_field_classes_by_marker_and_an_item_may_say_it_is_settled() {
        let items = [
            json!({"key": "rp-1", "created": "2026-11-20T16:58:00Z", "class": "db-Weekly", "storage_class": "WARM", "settled": false}),
            json!({"key": "rp-2", "created": "2026-11-13T16:58:00Z", "class": "weekly", "storage_class": "WARM", "settled": true}),
            json!({"key": "rp-3", "created": "2026-11-13T16:58:00Z", "class": "", "storage_class": "COLD"}),
            json!({"key": "rp-4", "created": "2026-11-30T16:58:00Z", "class": "daily"}),
        ];
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().expect("time");
        let spec = spec(json!({"time_field": "created", "class_field": "class"}));
        let facts = classes(&items, &spec, now);
        assert_eq!(facts["classes"]["weekly"]["count"], 2);
        assert_eq!(facts["classes"]["daily"]["count"], 1);
        assert_eq!(facts["unclassified"], json!(["rp-3"]));
        // rp-1 is older than the settled hours but says it is not yet due.
        assert_eq!(facts["classes"]["weekly"]["not_cold_total"], 1);
        assert_eq!(facts["classes"]["weekly"]["not_cold"][0]["name"], "rp-2");
    }

    #[test]
    fn a_bad_time_zone_or_pattern_is_named() {
        let err = Spec::from_json(&json!({"time_zone": "Mars/Olympus"})).expect_err("zone");
        assert!(err.contains("Mars/Olympus"), "{err}");
        let err = Spec::from_json(&json!({"patterns": {"daily": "("}})).expect_err("regex");
        assert!(err.contains("daily"), "{err}");
    }
}
