//! What happened between two scans, from the CloudTrail change history the later scan
//! read (`aws_change_history` in its snapshot, see `collect/change_history.rs`).
//!
//! Two scans that both saw a setting hold say nothing about the time between them: the
//! setting may have been changed and changed back. For a finding whose rule the change
//! table (`changes/events.yaml`) names, the interval between scan *i* and scan *i+1* is
//! cut at each event on the finding's resource:
//! - before the first event: what scan *i* saw;
//! - after an event that `breaks` the setting: an exception; after one that `changes` it:
//!   not observed (CloudTrail says that it changed, not to what);
//! - after the last event: what scan *i+1* saw (nothing changed after it).
//!
//! Where the later scan's history could not be read (AccessDenied, throttling, a region
//! not read) or does not reach back to scan *i* (event history keeps 90 days), the
//! interval is not observed for those findings: a GAP, said, never a pass. A scan that
//! did not read any history (made before assay read it) leaves the interval as the scans
//! show it, and the pack says so.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Span, State};
use crate::changes::{self, Effect};
use crate::findings::ResourceRef;
use crate::snapshot::resources::ChangeEvent;
use crate::snapshot::{Attributes, Snapshot};

/// The change history of one account and region in a scan, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionHistory {
    pub account: String,
    pub region: String,
    pub read: Result<Read, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    /// How far back the history reaches.
    pub from: DateTime<Utc>,
    pub events: Vec<ChangeEvent>,
}

/// Every change history a scan's snapshot holds (empty: the scan read none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanHistory {
    pub regions: Vec<RegionHistory>,
}

fn time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The change histories of a snapshot, and its gaps for them.
pub fn of_snapshot(snapshot: &Snapshot) -> ScanHistory {
    let mut regions = Vec::new();
    for r in &snapshot.resources {
        if let Attributes::ChangeHistory(h) = &r.attributes {
            let read = match time(&h.from) {
                Some(from) => Ok(Read {
                    from,
                    events: h.events.clone(),
                }),
                None => Err(format!("its history's start {:?} is not a time", h.from)),
            };
            regions.push(RegionHistory {
                account: r.account.clone(),
                region: r.region.clone(),
                read,
            });
        }
    }
    for g in &snapshot.gaps {
        if g.resource_types
            .iter()
            .any(|t| t == crate::snapshot::resources::CHANGE_HISTORY)
        {
            regions.push(RegionHistory {
                account: g.account.clone(),
                region: g.region.clone(),
                read: Err(format!("{} {}: {}", g.operation, g.error_code, g.message)),
            });
        }
    }
    ScanHistory { regions }
}

/// What the later scan's history says about one finding between two scans.
/// `NotRead` too for a rule the change table does not name: no event speaks for it.
#[derive(Debug, Clone, PartialEq)]
pub enum Between {
    /// The later scan read no history for the account: the scans alone speak.
    NotRead,
    /// The history could not be read, or does not reach back: not observed.
    Gap(String),
    /// Read: the events on the finding's resource between the scans, oldest first.
    Read(Vec<(DateTime<Utc>, Effect, ChangeEvent)>),
}

/// The region whose event history holds the changes of `resource`: its own, or
/// us-east-1 for a global one (IAM, the account).
fn home_region(resource: &ResourceRef) -> &str {
    if resource.region == "global" || resource.region.is_empty() {
        "us-east-1"
    } else {
        &resource.region
    }
}

/// What `later`'s history says about the finding of `rule_id` on `resource` between
/// `from` (the earlier scan) and `to` (the later one).
pub fn between(
    later: &ScanHistory,
    rule_id: &str,
    resource: &ResourceRef,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Between {
    if !changes::judged(rule_id) {
        return Between::NotRead;
    }
    let of_account: Vec<&RegionHistory> = later
        .regions
        .iter()
        .filter(|h| h.account == resource.account)
        .collect();
    if of_account.is_empty() {
        return Between::NotRead;
    }
    let home = home_region(resource);
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let Some(own) = of_account.iter().find(|h| h.region == home) else {
        return Between::Gap(format!(
            "the scan of {} read no CloudTrail change history in {home}",
            at(to)
        ));
    };
    let reach = match &own.read {
        Err(why) => {
            return Between::Gap(format!(
                "the scan of {} could not read CloudTrail change history in {home}: {why}",
                at(to)
            ));
        }
        Ok(read) => read.from,
    };
    if reach > from {
        return Between::Gap(format!(
            "the CloudTrail change history read by the scan of {} reaches back only to {} (event history keeps 90 days), after the scan of {}",
            at(to),
            at(reach),
            at(from)
        ));
    }
    let mut events: Vec<(DateTime<Utc>, Effect, ChangeEvent)> = Vec::new();
    for h in &of_account {
        let Ok(read) = &h.read else { continue };
        for e in &read.events {
            let Some(t) = time(&e.event_time) else {
                continue;
            };
            if t <= from || t >= to {
                continue;
            }
            let event = changes::Event {
                name: &e.event_name,
                resources: &e.resources,
                error_code: e.error_code.as_deref(),
                region: &h.region,
            };
            let subject = changes::Subject {
                arn: &resource.arn,
                name: &resource.name,
                type_name: &resource.type_name,
                region: &resource.region,
            };
            if let Some(effect) = changes::effect_on(&event, rule_id, &subject) {
                events.push((t, effect, e.clone()));
            }
        }
    }
    events.sort_by(|a, b| (a.0, &a.2.event_id).cmp(&(b.0, &b.2.event_id)));
    events.dedup_by(|a, b| a.2.event_id == b.2.event_id);
    Between::Read(events)
}

/// An event, in words, for the pack.
pub fn cause(event: &ChangeEvent) -> String {
    let when = time(&event.event_time)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| event.event_time.clone());
    match &event.user_name {
        Some(user) => format!(
            "CloudTrail: {} by {user} at {when} (event {})",
            event.event_name, event.event_id
        ),
        None => format!(
            "CloudTrail: {} at {when} (event {})",
            event.event_name, event.event_id
        ),
    }
}

/// One piece of an interval: its span, state and the event that started it.
pub type Piece = (Span, State, Option<String>);

/// The interval `[from, to)` between two scans cut by what `between` says, clipped to
/// `cover` (the part of it the period counts). `earlier` and `later` are what the two
/// scans saw of the finding (`later` is `None` when there is no later scan in view).
pub fn cut(
    cover: Span,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    earlier: State,
    later: Option<State>,
    between: &Between,
) -> Vec<Piece> {
    let judged = matches!(earlier, State::Held | State::Waived | State::Exception);
    let mut pieces: Vec<Piece> = match between {
        Between::NotRead => vec![(cover, earlier, None)],
        _ if !judged => vec![(cover, earlier, None)],
        Between::Gap(why) => {
            let state = if earlier == State::Exception {
                State::Exception
            } else {
                State::NotObserved
            };
            vec![(cover, state, Some(why.clone()))]
        }
        Between::Read(events) if events.is_empty() => vec![(cover, earlier, None)],
        Between::Read(events) => {
            let mut out = Vec::new();
            out.push((
                Span {
                    from,
                    to: events[0].0,
                },
                earlier,
                None,
            ));
            for (k, (t, effect, event)) in events.iter().enumerate() {
                let last = k + 1 == events.len();
                let end = events.get(k + 1).map_or(to, |e| e.0);
                let by_effect = match effect {
                    Effect::Breaks => State::Exception,
                    Effect::Changes => State::NotObserved,
                };
                let state = match later {
                    Some(s @ (State::Held | State::Waived | State::Exception)) if last => s,
                    _ => by_effect,
                };
                out.push((Span { from: *t, to: end }, state, Some(cause(event))));
            }
            out
        }
    };
    // Clip to the cover; drop what falls outside it.
    pieces = pieces
        .into_iter()
        .filter_map(|(span, state, why)| {
            let from = span.from.max(cover.from);
            let to = span.to.min(cover.to);
            (from < to).then_some((Span { from, to }, state, why))
        })
        .collect();
    pieces
}

/// One interval between two scans, as the pack states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval {
    #[serde(flatten)]
    pub span: Span,
    /// `read`, `gap` or `not_read`.
    pub history: &'static str,
    pub statement: String,
}

/// What the change history says of each interval between consecutive scans (and after
/// the last), for the pack's cover.
pub fn intervals(
    scans: &[(DateTime<Utc>, &ScanHistory)],
    period_end: DateTime<Utc>,
) -> Vec<Interval> {
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut out = Vec::new();
    for (i, (t, _)) in scans.iter().enumerate() {
        let Some((next_t, next)) = scans.get(i + 1) else {
            if *t < period_end {
                out.push(Interval {
                    span: Span {
                        from: *t,
                        to: period_end,
                    },
                    history: "not_read",
                    statement: format!(
                        "from {} to {}: no later scan in the period has read CloudTrail change history; the last scan's evidence stands as the scans show it",
                        at(*t),
                        at(period_end)
                    ),
                });
            }
            continue;
        };
        let span = Span {
            from: *t,
            to: *next_t,
        };
        let (history, statement) = if next.regions.is_empty() {
            (
                "not_read",
                format!(
                    "from {} to {}: the scan of {} read no CloudTrail change history; changes between the scans are not seen",
                    at(*t),
                    at(*next_t),
                    at(*next_t)
                ),
            )
        } else {
            let gaps: Vec<String> = next
                .regions
                .iter()
                .filter_map(|h| match &h.read {
                    Err(why) => Some(format!("{}/{}: {why}", h.account, h.region)),
                    Ok(read) if read.from > *t => Some(format!(
                        "{}/{}: reaches back only to {}",
                        h.account,
                        h.region,
                        at(read.from)
                    )),
                    Ok(_) => None,
                })
                .collect();
            let events: usize = next
                .regions
                .iter()
                .filter_map(|h| h.read.as_ref().ok())
                .flat_map(|r| &r.events)
                .filter(|e| {
                    e.error_code.is_none()
                        && time(&e.event_time).is_some_and(|x| x > *t && x < *next_t)
                })
                .count();
            let regions = next.regions.len() - gaps.len();
            if gaps.is_empty() {
                (
                    "read",
                    format!(
                        "from {} to {}: CloudTrail change history read by the scan of {} in {regions} account-region(s): {events} change event(s) of the table",
                        at(*t),
                        at(*next_t),
                        at(*next_t)
                    ),
                )
            } else {
                (
                    "gap",
                    format!(
                        "from {} to {}: CloudTrail change history read in {regions} account-region(s) ({events} change event(s)), not in: {}; for the rules the change table names, that time is not observed there",
                        at(*t),
                        at(*next_t),
                        gaps.join("; ")
                    ),
                )
            }
        };
        out.push(Interval {
            span,
            history,
            statement,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        time(&format!("2026-10-{day:02}T00:00:00Z")).unwrap()
    }

    fn bucket() -> ResourceRef {
        ResourceRef {
            arn: "arn:aws:s3:::logs".into(),
            type_name: "aws_s3_bucket".into(),
            name: "logs".into(),
            account: "111122223333".into(),
            region: "eu-central-1".into(),
            pointer: String::new(),
        }
    }

    fn event(id: &str, name: &str, day: u32) -> ChangeEvent {
        ChangeEvent {
            event_id: id.into(),
            event_name: name.into(),
            event_source: Some("s3.amazonaws.com".into()),
            event_time: at(day).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            user_name: Some("mallory".into()),
            resources: vec!["logs".into()],
            error_code: None,
        }
    }

    fn history(from: u32, events: Vec<ChangeEvent>) -> ScanHistory {
        ScanHistory {
            regions: vec![RegionHistory {
                account: "111122223333".into(),
                region: "eu-central-1".into(),
                read: Ok(Read {
                    from: at(from),
                    events,
                }),
            }],
        }
    }

    const RULE: &str = "encryption.s3-bucket-kms-cmk";

    #[test]
    fn a_break_and_a_mend_between_two_passing_scans_is_an_exception_with_its_dates() {
        let h = history(
            1,
            vec![
                event("a", "DeleteBucketEncryption", 10),
                event("b", "PutBucketEncryption", 12),
            ],
        );
        let between = between(&h, RULE, &bucket(), at(5), at(20));
        let cover = Span {
            from: at(5),
            to: at(20),
        };
        let pieces = cut(
            cover,
            at(5),
            at(20),
            State::Held,
            Some(State::Held),
            &between,
        );
        let states: Vec<(DateTime<Utc>, DateTime<Utc>, State)> =
            pieces.iter().map(|p| (p.0.from, p.0.to, p.1)).collect();
        assert_eq!(
            states,
            [
                (at(5), at(10), State::Held),
                (at(10), at(12), State::Exception),
                (at(12), at(20), State::Held)
            ]
        );
        assert!(
            pieces[1]
                .2
                .as_ref()
                .unwrap()
                .contains("DeleteBucketEncryption by mallory")
        );
        // Two changes of unknown direction: the time between them is not observed.
        let h = history(
            1,
            vec![
                event("a", "PutBucketEncryption", 10),
                event("b", "PutBucketEncryption", 12),
            ],
        );
        let pieces = cut(
            cover,
            at(5),
            at(20),
            State::Held,
            Some(State::Held),
            &super::between(&h, RULE, &bucket(), at(5), at(20)),
        );
        assert_eq!(pieces[1].1, State::NotObserved);
        assert_eq!(pieces[2].1, State::Held);
    }

    #[test]
    fn history_that_could_not_be_read_or_does_not_reach_back_is_a_gap() {
        let cover = Span {
            from: at(5),
            to: at(20),
        };
        let denied = ScanHistory {
            regions: vec![RegionHistory {
                account: "111122223333".into(),
                region: "eu-central-1".into(),
                read: Err("cloudtrail:LookupEvents AccessDenied: not allowed".into()),
            }],
        };
        let b = between(&denied, RULE, &bucket(), at(5), at(20));
        assert!(matches!(&b, Between::Gap(why) if why.contains("AccessDenied")));
        let pieces = cut(cover, at(5), at(20), State::Held, Some(State::Held), &b);
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0].1, State::NotObserved);
        let short = history(8, Vec::new());
        assert!(matches!(
            between(&short, RULE, &bucket(), at(5), at(20)),
            Between::Gap(why) if why.contains("reaches back only to 2026-10-08")
        ));
        // Another region read but not the bucket's: a gap too.
        let mut elsewhere = history(1, Vec::new());
        elsewhere.regions[0].region = "us-east-1".into();
        assert!(matches!(
            between(&elsewhere, RULE, &bucket(), at(5), at(20)),
            Between::Gap(_)
        ));
        // No history at all for the account: the scans alone speak.
        assert_eq!(
            between(&ScanHistory::default(), RULE, &bucket(), at(5), at(20)),
            Between::NotRead
        );
        // A rule the table does not name is untouched by the history.
        assert_eq!(
            between(
                &denied,
                "residency.s3-bucket-region",
                &bucket(),
                at(5),
                at(20)
            ),
            Between::NotRead
        );
    }
}
