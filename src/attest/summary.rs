//! The short forms of the long lists, for the body of the attestation: exceptions per
//! rule, copies per destination, backup retention per class and KMS keys by manager and
//! rotation with only the ones that need a reader's attention named.
//!
//! Why here and not in the templates or the signed facts: the body must fit on three
//! pages whatever the account holds (a sample account gives 121 exceptions and 21 keys),
//! yet the signed JSON keeps every fact and the annex lists every exception. Summarising
//! the facts for people is the view's job; cutting text to fit would hide things.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::build::{EXPIRED_WAIVER, KEY_REPLICA, RDS_BACKUPS};
use super::model::{DataCopy, DataStore, EncryptionSummary, Exception, KeyFact, RetentionFact};
use crate::findings::Status;
use crate::snapshot::copies::SHARED;

/// The exceptions of one rule: how many, with which statuses, and the rule's title as
/// the line saying why (what it expects was not observed); the annex lists `items`.
#[derive(Debug, Serialize)]
pub struct RuleExceptions {
    pub rule_id: String,
    pub rule_title: String,
    pub severity: String,
    pub count: usize,
    /// `6 FAIL, 2 GAP`.
    pub statuses: String,
    /// The same counts, to add up the rules the body has no row for.
    #[serde(skip)]
    pub by_status: BTreeMap<Status, usize>,
    /// Whether the body gives the rule a row (`attest::view::BODY_EXCEPTION_RULES_MAX`);
    /// Annex A lists every rule.
    pub in_body: bool,
    /// The lapsed waivers of these findings, `SEC-2204 expired 2026-09-30`, `; `-joined;
    /// empty when none.
    pub expired_waivers: String,
    pub items: Vec<ExceptionItem>,
}

/// One exception, for the annex.
#[derive(Debug, Serialize)]
pub struct ExceptionItem {
    pub status: String,
    /// The resource ARN, or `account/region` of an account-level finding.
    pub subject: String,
    pub region: String,
    /// The value observed, and the reason (waiver, or the call that was not read).
    pub observed: String,
}

/// The observation and, when there is one, the reason of an exception, as one text.
fn observed(e: &Exception) -> String {
    match &e.reason {
        Some(reason) => format!("{} — {reason}", e.summary),
        None => e.summary.clone(),
    }
}

/// `2 FAIL, 1 WAIVED` from a count per status.
pub fn status_counts(counts: &BTreeMap<Status, usize>) -> String {
    counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Exceptions grouped by rule, in the order of their first exception (most severe first).
pub fn exceptions_by_rule(exceptions: &[Exception]) -> Vec<RuleExceptions> {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&Exception>> = BTreeMap::new();
    for e in exceptions {
        let members = groups.entry(e.rule_id.as_str()).or_default();
        if members.is_empty() {
            order.push(e.rule_id.as_str());
        }
        members.push(e);
    }
    order
        .into_iter()
        .filter_map(|rule| {
            let members = groups.get(rule)?;
            let first = members.first()?;
            let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
            for e in members {
                *counts.entry(e.status).or_default() += e.count();
            }
            let expired: BTreeSet<String> = members
                .iter()
                .filter_map(|e| e.reason.as_deref()?.strip_prefix(EXPIRED_WAIVER))
                .map(|rest| {
                    // `2026-09-30 (SEC-2204, approved by …`: the date and the ticket.
                    let (date, rest) = rest.split_once(" (").unwrap_or((rest, ""));
                    let ticket = rest.split([',', ')']).next().unwrap_or("");
                    format!("waiver {ticket} expired {date}")
                })
                .collect();
            Some(RuleExceptions {
                expired_waivers: expired.into_iter().collect::<Vec<_>>().join("; "),
                rule_id: first.rule_id.clone(),
                rule_title: first.rule_title.clone(),
                severity: format!("{:?}", first.severity).to_lowercase(),
                count: members.iter().map(|e| e.count()).sum(),
                statuses: status_counts(&counts),
                by_status: counts,
                in_body: true,
                items: members
                    .iter()
                    .map(|e| ExceptionItem {
                        status: e.status.as_str().into(),
                        subject: e.subject.clone(),
                        region: e.region.clone().unwrap_or_else(|| "—".into()),
                        observed: observed(e),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The last name in an ARN (`prod-copies` from a vault ARN), for people; anything that is
/// not an ARN (`production-db / daily`) as it is.
fn short_name(name: &str) -> &str {
    if !name.starts_with("arn:") {
        return name;
    }
    name.rsplit([':', '/'])
        .find(|s| !s.is_empty())
        .unwrap_or(name)
}

/// One destination copies of the data go to, with every source that copies there.
#[derive(Debug, Serialize)]
pub struct CopyDestination {
    pub kind: String,
    /// The vault, bucket, account or region, by name.
    pub destination: String,
    /// The destination account, `—` when not known.
    pub account: String,
    /// The destination region, `—` when not known (a snapshot shared with an account).
    pub region: String,
    /// What is copied there, by name.
    pub sources: String,
    /// `7 days`, `7–3650 days`, or `—`.
    pub retention: String,
    /// `yes`, `NO` or `n/a`.
    pub allowed: String,
    /// For a snapshot shared out: `PUBLIC` (shared with everyone) or `other account`;
    /// empty for every other copy. Sharing is an exception whatever the region.
    pub sharing: String,
}

/// `PUBLIC`, `other account` or empty: how a copy is shared outside the account that
/// holds it (snapshots and images shared by their owner: the kinds the registry's copy
/// listers name `… shared`, `snapshot::copies::SHARED`).
pub fn sharing(c: &DataCopy) -> &'static str {
    if !c.kind.ends_with(SHARED) {
        ""
    } else if c.destination_account.as_deref() == Some("all") {
        "PUBLIC"
    } else {
        "other account"
    }
}

/// `7 days`, `7–3650 days` or `—` for a set of day counts.
fn day_range(days: impl Iterator<Item = i64>) -> String {
    let days: Vec<i64> = days.collect();
    match (days.iter().min(), days.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => format!("{lo} days"),
        (Some(lo), Some(hi)) => format!("{lo}–{hi} days"),
        _ => "—".into(),
    }
}

/// `yes`, `NO` or `n/a` for whether a destination is in an allowed region.
pub fn allowed_text(within: Option<bool>) -> String {
    match within {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "n/a",
    }
    .into()
}

/// Copies of the data grouped by where they go: one row per destination and verdict, in
/// the facts' order. KMS key replicas are left to the keys' summary (`keys`), which names
/// their regions, and grants to other accounts to the body's exceptions (`sharing`), which
/// list each.
pub fn copies_by_destination(copies: &[DataCopy]) -> Vec<CopyDestination> {
    let mut out: Vec<(&DataCopy, Vec<&DataCopy>)> = Vec::new();
    for c in copies
        .iter()
        .filter(|c| c.kind != KEY_REPLICA && sharing(c).is_empty())
    {
        // A group shares its verdict: a copy with none never takes another's "yes".
        let same = |d: &&DataCopy| {
            d.kind == c.kind
                && d.destination == c.destination
                && d.destination_account == c.destination_account
                && d.destination_region == c.destination_region
                && d.within_allowed_regions == c.within_allowed_regions
        };
        match out.iter_mut().find(|(first, _)| same(first)) {
            Some((_, members)) => members.push(c),
            None => out.push((c, vec![c])),
        }
    }
    out.into_iter()
        .map(|(first, members)| CopyDestination {
            kind: first.kind.clone(),
            destination: short_name(&first.destination).to_string(),
            account: first
                .destination_account
                .clone()
                .unwrap_or_else(|| "—".into()),
            region: first
                .destination_region
                .clone()
                .unwrap_or_else(|| "—".into()),
            sources: sources_text(members.iter().map(|c| short_name(&c.source))),
            retention: day_range(members.iter().filter_map(|c| c.retention_days)),
            allowed: allowed_text(first.within_allowed_regions),
            sharing: sharing(first).into(),
        })
        .collect()
}

/// The copies of one kind in one row of the body: how many, where they go (account and
/// region, with how many there), how long they are kept and the verdicts; the sources are
/// named in Annex B.
#[derive(Debug, Serialize)]
pub struct CopyKind {
    pub kind: String,
    pub count: usize,
    /// `444455556666 ap-southeast-2 (4), 111122223333 us-east-1 (1, NO)`: each place with
    /// its count, marked `NO` when outside the allowed regions and `n/a` when not judged.
    pub destinations: String,
    /// `7 days`, `7–3650 days`, or `—`.
    pub retention: String,
    /// `yes`, `2 NO`, `1 n/a`, `2 NO, 1 n/a`: the verdicts counted.
    pub allowed: String,
    /// Whether any is outside the allowed regions (the cell is set in bold).
    pub outside: bool,
}

/// The copies per kind, in the facts' order, without the key replicas and the grants that
/// `copies_by_destination` leaves out too.
pub fn copies_by_kind(copies: &[DataCopy]) -> Vec<CopyKind> {
    let mut kinds: Vec<(&str, Vec<&DataCopy>)> = Vec::new();
    for c in copies
        .iter()
        .filter(|c| c.kind != KEY_REPLICA && sharing(c).is_empty())
    {
        match kinds.iter_mut().find(|(k, _)| *k == c.kind) {
            Some((_, members)) => members.push(c),
            None => kinds.push((&c.kind, vec![c])),
        }
    }
    kinds
        .into_iter()
        .map(|(kind, members)| {
            let mut places: Vec<((String, Option<bool>), usize)> = Vec::new();
            for c in &members {
                let place = (location(c), c.within_allowed_regions);
                match places.iter_mut().find(|(p, _)| *p == place) {
                    Some((_, n)) => *n += 1,
                    None => places.push((place, 1)),
                }
            }
            let outside = members
                .iter()
                .filter(|c| c.within_allowed_regions == Some(false))
                .count();
            let not_judged = members
                .iter()
                .filter(|c| c.within_allowed_regions.is_none())
                .count();
            let allowed = [
                (outside > 0).then(|| format!("{outside} NO")),
                (not_judged > 0).then(|| format!("{not_judged} n/a")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            CopyKind {
                kind: kind.to_string(),
                count: members.len(),
                destinations: places
                    .iter()
                    .map(|((place, verdict), n)| match verdict {
                        Some(true) => format!("{place} ({n})"),
                        Some(false) => format!("{place} ({n}, NO)"),
                        None => format!("{place} ({n}, n/a)"),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                retention: day_range(members.iter().filter_map(|c| c.retention_days)),
                allowed: if allowed.is_empty() {
                    "yes".into()
                } else {
                    allowed.join(", ")
                },
                outside: outside > 0,
            }
        })
        .collect()
}

/// The sources of a destination by name, the rules of one backup plan named once:
/// `production-db / daily, weekly; ebs-snapshots / twice-daily`.
fn sources_text<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut out: Vec<(Option<&str>, Vec<&str>)> = Vec::new();
    for name in names {
        let (plan, rule) = match name.split_once(" / ") {
            Some((plan, rule)) => (Some(plan), rule),
            None => (None, name),
        };
        match out.iter_mut().find(|(p, _)| p.is_some() && *p == plan) {
            Some((_, rules)) => rules.push(rule),
            None => out.push((plan, vec![rule])),
        }
    }
    let grouped: Vec<String> = out
        .into_iter()
        .map(|(plan, rules)| match plan {
            Some(plan) => format!("{plan} / {}", rules.join(", ")),
            None => rules.join(", "),
        })
        .collect();
    let separator = if grouped.iter().any(|g| g.contains(" / ")) {
        "; "
    } else {
        ", "
    };
    grouped.join(separator)
}

/// `account region` of a copy's destination, `—` when neither is known.
pub fn location(c: &DataCopy) -> String {
    let text = [
        c.destination_account.as_deref(),
        c.destination_region.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    if text.is_empty() { "—".into() } else { text }
}

/// Backup retention of one class (daily, weekly, …): how many backups, where, how long.
#[derive(Debug, Serialize)]
pub struct RetentionClass {
    /// `daily`, `hourly`, …; database backups are `continuous`.
    pub class: String,
    /// `3 backup rules`, `RDS automated backups, 7 instances`.
    pub what: String,
    /// `ap-southeast-2 (3), ap-southeast-4 (1)`.
    pub regions: String,
    /// `14–42 days`; `until deleted` when a rule keeps its backups forever.
    pub kept: String,
    /// `after 7 days`, `after 7–30 days` or `—`.
    pub cold_storage: String,
}

/// Retention per class, classes from most to least frequent.
pub fn retention_by_class(facts: &[RetentionFact]) -> Vec<RetentionClass> {
    const ORDER: [&str; 5] = ["continuous", "hourly", "daily", "weekly", "monthly"];
    let rank = |f: &str| ORDER.iter().position(|o| *o == f).unwrap_or(ORDER.len());
    let mut classes: BTreeMap<(usize, &str), Vec<&RetentionFact>> = BTreeMap::new();
    for f in facts {
        classes
            .entry((rank(&f.frequency), f.frequency.as_str()))
            .or_default()
            .push(f);
    }
    classes
        .into_iter()
        .map(|((_, class), members)| {
            let rules = members
                .iter()
                .filter(|f| !f.source.starts_with(RDS_BACKUPS))
                .count();
            let databases = members.len() - rules;
            let what = [
                (rules > 0).then(|| format!("{rules} backup rule(s)")),
                (databases > 0).then(|| format!("{databases} RDS automated backup setting(s)")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            let mut regions: BTreeMap<&str, usize> = BTreeMap::new();
            for f in &members {
                *regions.entry(f.region.as_str()).or_default() += 1;
            }
            let forever = members.iter().any(|f| f.retention_days.is_none());
            let kept = day_range(members.iter().filter_map(|f| f.retention_days));
            RetentionClass {
                class: class.to_string(),
                what,
                regions: counted(&regions),
                kept: match (forever, kept.as_str()) {
                    (true, "—") => "until deleted".into(),
                    (true, _) => format!("{kept}, some until deleted"),
                    _ => kept,
                },
                cold_storage: match day_range(
                    members.iter().filter_map(|f| f.cold_storage_after_days),
                ) {
                    d if d == "—" => d,
                    d => format!("after {d}"),
                },
            }
        })
        .collect()
}

/// The data stores of one AWS service (the registry's `service`: EBS volumes and
/// snapshots, the four RDS types, …) in one row of the body; Annex B gives each type.
#[derive(Debug, Serialize)]
pub struct ServiceStores {
    /// `EBS (2 types)`: the words its types' labels begin with, or the one type's label.
    pub service: String,
    /// `43 EBS volumes, 232 EBS snapshots` (for the HTML, which has the room).
    pub stores: String,
    pub count: usize,
    /// `ap-southeast-2 (263), us-east-1 (3)`, all the service's types together.
    pub regions: String,
    /// How many its residency rules found outside the allowed regions.
    pub outside: usize,
    /// `267 KMS customer key, 4 UNENCRYPTED`, all its types together.
    pub encryption: String,
}

/// The data stores per service, in the order of their first type.
pub fn stores_by_service(
    stores: &[DataStore],
    encryption: &[EncryptionSummary],
) -> Vec<ServiceStores> {
    fn service(s: &DataStore) -> &str {
        crate::snapshot::type_info(&s.resource_type).map_or(s.resource_type.as_str(), |t| t.service)
    }
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&DataStore>> = BTreeMap::new();
    for s in stores {
        let members = groups.entry(service(s)).or_default();
        if members.is_empty() {
            order.push(service(s));
        }
        members.push(s);
    }
    order
        .into_iter()
        .filter_map(|name| groups.get(name))
        .map(|members| {
            let mut regions: BTreeMap<&str, usize> = BTreeMap::new();
            for s in members {
                for (r, n) in &s.regions {
                    *regions.entry(r.as_str()).or_default() += n;
                }
            }
            let types: Vec<&EncryptionSummary> = members
                .iter()
                .filter_map(|s| {
                    encryption
                        .iter()
                        .find(|e| e.resource_type == s.resource_type)
                })
                .collect();
            ServiceStores {
                service: service_label(members),
                stores: members
                    .iter()
                    .map(|s| format!("{} {}", s.count, s.label))
                    .collect::<Vec<_>>()
                    .join(", "),
                count: members.iter().map(|s| s.count).sum(),
                regions: counted(&regions),
                outside: members.iter().map(|s| s.outside_allowed_regions).sum(),
                encryption: if types.is_empty() {
                    "—".into()
                } else {
                    encryption_text(&sum(&types))
                },
            }
        })
        .collect()
}

/// `EBS (2 types)` from `EBS volumes` and `EBS snapshots`: the words every label begins
/// with; the label itself for one type, or when the labels share no word.
fn service_label(members: &[&DataStore]) -> String {
    let labels: Vec<Vec<&str>> = members
        .iter()
        .map(|s| s.label.split_whitespace().collect())
        .collect();
    let first = labels.first().cloned().unwrap_or_default();
    let common = (0..first.len())
        .take_while(|i| labels.iter().all(|l| l.get(*i) == first.get(*i)))
        .count();
    match (members.len(), common) {
        (1, _) | (_, 0) => members
            .iter()
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        (n, _) => format!("{} ({n} types)", first[..common].join(" ")),
    }
}

/// The encryption counts of several types added up.
fn sum(types: &[&EncryptionSummary]) -> EncryptionSummary {
    let add = |f: fn(&EncryptionSummary) -> usize| types.iter().map(|e| f(e)).sum();
    EncryptionSummary {
        resource_type: String::new(),
        label: String::new(),
        total: add(|e| e.total),
        kms_customer_managed: add(|e| e.kms_customer_managed),
        kms_aws_managed: add(|e| e.kms_aws_managed),
        kms_key_not_in_snapshot: add(|e| e.kms_key_not_in_snapshot),
        other_encryption: add(|e| e.other_encryption),
        unencrypted: add(|e| e.unencrypted),
        not_read: add(|e| e.not_read),
    }
}

/// How one kind of data store is encrypted, in words, naming only the non-zero counts:
/// `23 KMS customer key, 4 other, 1 not read` (short: it shares a row with the regions).
pub fn encryption_text(e: &EncryptionSummary) -> String {
    let parts = [
        (e.kms_customer_managed, "KMS customer key"),
        (e.kms_aws_managed, "KMS AWS key"),
        (e.kms_key_not_in_snapshot, "KMS key not in snapshot"),
        (e.other_encryption, "other"),
        (e.unencrypted, "UNENCRYPTED"),
        (e.not_read, "not read"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if text.is_empty() {
        "—".into()
    } else {
        text.join(", ")
    }
}

/// `a (2), b (1)` from a count per name.
pub fn counted(counts: &BTreeMap<&str, usize>) -> String {
    counts
        .iter()
        .map(|(k, n)| format!("{k} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The KMS keys in one paragraph's worth of counts, and the keys a reader should look at.
#[derive(Debug, Serialize)]
pub struct KeySummary {
    pub total: usize,
    pub customer_managed: usize,
    pub aws_managed: usize,
    pub rotation_on: usize,
    pub rotation_off: usize,
    pub rotation_unknown: usize,
    /// `ap-southeast-2 (15), us-east-1 (2)`.
    pub regions: String,
    /// Multi-Region replica regions with counts; empty when there are none.
    pub replica_regions: String,
    /// How many keys are in a region outside the allowed ones (their regions are in
    /// `regions`, the keys in the annex and the exceptions).
    pub outside: usize,
    /// Keys with rotation off or not read, or replicated to a region outside the allowed
    /// ones.
    pub flagged: Vec<FlaggedKey>,
}

#[derive(Debug, Serialize)]
pub struct FlaggedKey {
    /// The key id (the end of the ARN); the account and region are beside it.
    pub key_id: String,
    pub account: String,
    pub region: String,
    pub manager: String,
    pub rotation: String,
    pub replicas: String,
    pub protects: usize,
    /// What needs attention: `rotation off`, `outside the allowed regions`, …
    pub attention: String,
}

/// `on`, `off` or `n/a` for a key's rotation.
pub fn rotation_text(rotation: Option<bool>) -> String {
    match rotation {
        Some(true) => "on",
        Some(false) => "off",
        None => "n/a",
    }
    .into()
}

/// Counts the keys and names the ones needing attention (`allowed` empty: any region).
pub fn keys(keys: &[KeyFact], allowed: &[String]) -> KeySummary {
    let outside = |r: &str| !allowed.is_empty() && !allowed.iter().any(|a| a == r);
    let mut regions: BTreeMap<&str, usize> = BTreeMap::new();
    let mut replicas: BTreeMap<&str, usize> = BTreeMap::new();
    let mut flagged = Vec::new();
    for k in keys {
        *regions.entry(k.region.as_str()).or_default() += 1;
        for r in &k.replica_regions {
            *replicas.entry(r.as_str()).or_default() += 1;
        }
        let mut attention = Vec::new();
        match k.rotation_enabled {
            Some(false) => attention.push("rotation off".to_string()),
            None if k.manager == "CUSTOMER" => attention.push("rotation not read".into()),
            _ => {}
        }
        let away: Vec<&str> = k
            .replica_regions
            .iter()
            .map(String::as_str)
            .filter(|r| outside(r))
            .collect();
        if !away.is_empty() {
            attention.push(format!(
                "replica outside the allowed regions ({})",
                away.join(", ")
            ));
        }
        if !attention.is_empty() {
            flagged.push(FlaggedKey {
                key_id: short_name(&k.arn).to_string(),
                account: k.arn.split(':').nth(4).unwrap_or_default().to_string(),
                region: k.region.clone(),
                manager: k.manager.to_lowercase(),
                rotation: rotation_text(k.rotation_enabled),
                replicas: if k.replica_regions.is_empty() {
                    "—".into()
                } else {
                    k.replica_regions.join(", ")
                },
                protects: k.protects,
                attention: attention.join("; "),
            });
        }
    }
    let count = |f: &dyn Fn(&KeyFact) -> bool| keys.iter().filter(|k| f(k)).count();
    KeySummary {
        total: keys.len(),
        customer_managed: count(&|k| k.manager == "CUSTOMER"),
        aws_managed: count(&|k| k.manager == "AWS"),
        rotation_on: count(&|k| k.rotation_enabled == Some(true)),
        rotation_off: count(&|k| k.rotation_enabled == Some(false)),
        rotation_unknown: count(&|k| k.rotation_enabled.is_none()),
        regions: counted(&regions),
        outside: count(&|k| outside(&k.region)),
        replica_regions: counted(&replicas),
        flagged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;

    fn exception(rule: &str, status: Status, subject: &str) -> Exception {
        Exception {
            rule_id: rule.into(),
            rule_title: format!("title of {rule}"),
            severity: Severity::High,
            status,
            subject: subject.into(),
            account: None,
            region: Some("ap-southeast-2".into()),
            summary: "observed x".into(),
            reason: (status == Status::Waived).then(|| "waived: why".into()),
            findings: None,
        }
    }

    fn copy(kind: &str, source: &str, to: &str, days: Option<i64>) -> DataCopy {
        DataCopy {
            kind: kind.into(),
            source: source.into(),
            destination: to.into(),
            destination_account: Some("444455556666".into()),
            destination_region: Some("ap-southeast-2".into()),
            retention_days: days,
            within_allowed_regions: Some(true),
        }
    }

    #[test]
    fn exceptions_are_grouped_per_rule_in_order_and_each_is_kept() {
        let list = [
            exception("b.rule", Status::Fail, "arn:1"),
            exception("a.rule", Status::Fail, "arn:2"),
            exception("b.rule", Status::Fail, "arn:3"),
            exception("b.rule", Status::Waived, "arn:4"),
        ];
        let groups = exceptions_by_rule(&list);
        let rules: Vec<&str> = groups.iter().map(|g| g.rule_id.as_str()).collect();
        assert_eq!(rules, ["b.rule", "a.rule"]);
        assert_eq!(groups[0].count, 3);
        assert_eq!(groups[0].statuses, "2 FAIL, 1 WAIVED");
        assert_eq!(groups[0].items.len(), 3);
        assert_eq!(groups[0].items[2].observed, "observed x — waived: why");
        let total: usize = groups.iter().map(|g| g.items.len()).sum();
        assert_eq!(total, list.len(), "no exception is lost");
    }

    #[test]
    fn copies_are_grouped_per_destination_without_key_replicas() {
        let vault = "arn:aws:backup:ap-southeast-2:444455556666:backup-vault:prod-copies";
        let list = [
            copy("Backup copy", "production-db / daily", vault, Some(42)),
            copy("Backup copy", "production-db / monthly", vault, Some(3650)),
            copy("S3 replication", "arn:aws:s3:::a", "arn:aws:s3:::b", None),
            copy(
                KEY_REPLICA,
                "arn:aws:kms:ap-southeast-2:1:key/mrk-1",
                "us-west-2",
                None,
            ),
        ];
        let rows = copies_by_destination(&list);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].destination, "prod-copies");
        assert_eq!(rows[0].sources, "production-db / daily, monthly");
        assert_eq!(rows[0].retention, "42–3650 days");
        assert_eq!(rows[1].destination, "b");
        assert_eq!(rows[1].retention, "—");
    }

    /// One row per kind: each place with its count, the verdicts counted; a copy with no
    /// verdict is `n/a`, never counted as "yes"; grants and key replicas are left to their
    /// own sections.
    #[test]
    fn copies_are_counted_per_kind_with_their_verdicts() {
        let mut away = copy("DynamoDB replica", "arn:t1", "us-east-1", None);
        away.destination_region = Some("us-east-1".into());
        away.within_allowed_regions = Some(false);
        let mut unknown = copy("ECR replication", "arn:r", "registry 444455556666", None);
        unknown.destination_region = None;
        unknown.within_allowed_regions = None;
        let mut public = copy("AMI shared", "1 image(s) in us-east-1", "everyone", None);
        public.destination_account = Some("all".into());
        let list = [
            copy("DynamoDB replica", "arn:t2", "ap-southeast-2", None),
            away,
            copy("ECR replication", "arn:r", "ap-southeast-2", None),
            unknown,
            public,
            copy(KEY_REPLICA, "arn:k", "us-west-2", None),
        ];
        let rows = copies_by_kind(&list);
        let got: Vec<(&str, usize, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.kind.as_str(),
                    r.count,
                    r.destinations.as_str(),
                    r.allowed.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "DynamoDB replica",
                    2,
                    "444455556666 ap-southeast-2 (1), 444455556666 us-east-1 (1, NO)",
                    "1 NO"
                ),
                (
                    "ECR replication",
                    2,
                    "444455556666 ap-southeast-2 (1), 444455556666 (1, n/a)",
                    "1 n/a"
                ),
            ]
        );
        assert!(rows[0].outside && !rows[1].outside);
    }

    /// One row per service, its types' counts, regions and encryption added up, and its
    /// name the words its types' labels share.
    #[test]
    fn data_stores_are_summed_per_service() {
        let store = |t: &str, label: &str, regions: &[(&str, usize)], outside| DataStore {
            resource_type: t.into(),
            label: label.into(),
            count: regions.iter().map(|(_, n)| n).sum(),
            regions: regions.iter().map(|(r, n)| (r.to_string(), *n)).collect(),
            outside_allowed_regions: outside,
        };
        let enc = |t: &str, cmk, none| EncryptionSummary {
            resource_type: t.into(),
            label: String::new(),
            total: cmk + none,
            kms_customer_managed: cmk,
            kms_aws_managed: 0,
            kms_key_not_in_snapshot: 0,
            other_encryption: 0,
            unencrypted: none,
            not_read: 0,
        };
        let stores = [
            store("aws_s3_bucket", "S3 buckets", &[("ap-southeast-2", 2)], 0),
            store("aws_ebs_volume", "EBS volumes", &[("ap-southeast-2", 3)], 0),
            store(
                "aws_ebs_snapshot",
                "EBS snapshots",
                &[("ap-southeast-2", 4), ("us-east-1", 1)],
                1,
            ),
        ];
        let encryption = [
            enc("aws_s3_bucket", 2, 0),
            enc("aws_ebs_volume", 3, 0),
            enc("aws_ebs_snapshot", 4, 1),
        ];
        let rows = stores_by_service(&stores, &encryption);
        let got: Vec<(&str, usize, &str, usize, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.service.as_str(),
                    r.count,
                    r.regions.as_str(),
                    r.outside,
                    r.encryption.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "S3 buckets",
                    2,
                    "ap-southeast-2 (2)",
                    0,
                    "2 KMS customer key"
                ),
                (
                    "EBS (2 types)",
                    8,
                    "ap-southeast-2 (7), us-east-1 (1)",
                    1,
                    "7 KMS customer key, 1 UNENCRYPTED"
                ),
            ]
        );
        assert_eq!(rows[1].stores, "3 EBS volumes, 5 EBS snapshots");
    }

    #[test]
    fn keys_are_counted_and_only_those_needing_attention_named() {
        let key = |arn: &str, region: &str, rotation, replicas: &[&str]| KeyFact {
            arn: arn.into(),
            region: region.into(),
            manager: "CUSTOMER".into(),
            rotation_enabled: rotation,
            multi_region: !replicas.is_empty(),
            replica_regions: replicas.iter().map(|r| r.to_string()).collect(),
            protects: 1,
        };
        let keys_list = [
            key(
                "arn:aws:kms:ap-southeast-2:1:key/ok",
                "ap-southeast-2",
                Some(true),
                &[],
            ),
            key(
                "arn:aws:kms:ap-southeast-2:1:key/off",
                "ap-southeast-2",
                Some(false),
                &[],
            ),
            key(
                "arn:aws:kms:us-east-1:1:key/away",
                "us-east-1",
                Some(true),
                &[],
            ),
            key(
                "arn:aws:kms:ap-southeast-2:1:key/mrk",
                "ap-southeast-2",
                Some(true),
                &["us-west-2"],
            ),
        ];
        let s = keys(&keys_list, &["ap-southeast-2".to_string()]);
        assert_eq!(
            (s.total, s.rotation_on, s.rotation_off, s.outside),
            (4, 3, 1, 1)
        );
        assert_eq!(s.regions, "ap-southeast-2 (3), us-east-1 (1)");
        assert_eq!(s.replica_regions, "us-west-2 (1)");
        let named: Vec<(&str, &str)> = s
            .flagged
            .iter()
            .map(|f| (f.key_id.as_str(), f.attention.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                ("off", "rotation off"),
                ("mrk", "replica outside the allowed regions (us-west-2)")
            ]
        );
    }
}
