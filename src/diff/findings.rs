//! Findings new, resolved and changed in status between two findings documents, paired by
//! fingerprint (rule id + resource identity) as the gate's baseline pairs them; and the
//! waivers that started or ended.

use serde::Serialize;

use super::compare::by_key;
use crate::findings::{Finding, Status};
use crate::waivers::WaiverUse;

/// A finding as a diff names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRef {
    pub fingerprint: String,
    pub rule_id: String,
    /// The resource ARN, or the scope of a finding without resource.
    pub resource: String,
    pub status: Status,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingChange {
    pub fingerprint: String,
    pub rule_id: String,
    pub resource: String,
    pub old_status: Status,
    pub new_status: Status,
    /// The new document's one-line summary.
    pub summary: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingsDiff {
    /// Findings only in the new document (a new rule or a new resource).
    pub new: Vec<FindingRef>,
    /// Findings only in the old document: no longer produced (the resource is gone, or
    /// the rule is no longer selected). A FAIL that became a PASS is a status change.
    pub resolved: Vec<FindingRef>,
    pub changed: Vec<FindingChange>,
    /// Findings on both sides with the same status.
    pub unchanged: usize,
}

impl FindingsDiff {
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.resolved.is_empty() && self.changed.is_empty()
    }
}

fn resource(f: &Finding) -> String {
    f.resource
        .as_ref()
        .map(|r| r.arn.clone())
        .or_else(|| f.scope.clone())
        .unwrap_or_default()
}

fn reference(f: &Finding) -> FindingRef {
    FindingRef {
        fingerprint: f.id.clone(),
        rule_id: f.rule_id.clone(),
        resource: resource(f),
        status: f.status,
        summary: f.summary.clone(),
    }
}

/// Compares two documents' findings. Each list comes out sorted by rule id and resource.
pub fn compare(old: &[Finding], new: &[Finding]) -> FindingsDiff {
    let matching = by_key(old, new, |f| f.id.as_str(), |f| f.id.as_str());
    let mut out = FindingsDiff {
        new: matching
            .unmatched_new()
            .map(|i| reference(&new[i]))
            .collect(),
        resolved: matching
            .unmatched_old
            .iter()
            .map(|i| reference(&old[*i]))
            .collect(),
        ..FindingsDiff::default()
    };
    for (o, n) in matching.pairs() {
        let (a, b) = (&old[o], &new[n]);
        if a.status == b.status {
            out.unchanged += 1;
        } else {
            out.changed.push(FindingChange {
                fingerprint: b.id.clone(),
                rule_id: b.rule_id.clone(),
                resource: resource(b),
                old_status: a.status,
                new_status: b.status,
                summary: b.summary.clone(),
            });
        }
    }
    let order = |a: &(&str, &str), b: &(&str, &str)| a.cmp(b);
    out.new
        .sort_by(|a, b| order(&(&a.rule_id, &a.resource), &(&b.rule_id, &b.resource)));
    out.resolved
        .sort_by(|a, b| order(&(&a.rule_id, &a.resource), &(&b.rule_id, &b.resource)));
    out.changed
        .sort_by(|a, b| order(&(&a.rule_id, &a.resource), &(&b.rule_id, &b.resource)));
    out
}

/// A waiver that started or ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaiverChange {
    pub id: String,
    pub rule: String,
    pub resource: String,
    pub expires: String,
    pub ticket: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WaiversDiff {
    /// In force in the new document (unexpired) and not in the old (absent or expired).
    pub started: Vec<WaiverChange>,
    /// In force in the old document and expired in the new.
    pub expired: Vec<WaiverChange>,
    /// In force in the old document and absent from the new one's waiver file.
    pub removed: Vec<WaiverChange>,
}

impl WaiversDiff {
    pub fn is_empty(&self) -> bool {
        self.started.is_empty() && self.expired.is_empty() && self.removed.is_empty()
    }
}

fn waiver(w: &WaiverUse) -> WaiverChange {
    WaiverChange {
        id: w.id.clone(),
        rule: w.rule.clone(),
        resource: w.resource.clone(),
        expires: w.expires.clone(),
        ticket: w.ticket.clone(),
    }
}

/// Compares two documents' waiver registers, by waiver id.
pub fn compare_waivers(old: &[WaiverUse], new: &[WaiverUse]) -> WaiversDiff {
    let matching = by_key(old, new, |w| w.id.as_str(), |w| w.id.as_str());
    let mut out = WaiversDiff::default();
    for (n, o) in matching.old_of_new.iter().enumerate() {
        let now = &new[n];
        match o.map(|o| &old[o]) {
            Some(before) if !before.expired && now.expired => out.expired.push(waiver(now)),
            Some(before) if before.expired && !now.expired => out.started.push(waiver(now)),
            None if !now.expired => out.started.push(waiver(now)),
            _ => {}
        }
    }
    out.removed = matching
        .unmatched_old
        .iter()
        .map(|i| &old[*i])
        .filter(|w| !w.expired)
        .map(waiver)
        .collect();
    for list in [&mut out.started, &mut out.expired, &mut out.removed] {
        list.sort_by(|a, b| a.id.cmp(&b.id));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::fingerprint;
    use crate::rules::Severity;

    fn finding(rule: &str, scope: &str, status: Status) -> Finding {
        Finding {
            id: fingerprint(rule, scope),
            rule_id: rule.into(),
            rule_title: String::new(),
            severity: Severity::High,
            status,
            resource: None,
            scope: Some(scope.into()),
            summary: String::new(),
            assertions: Vec::new(),
            sources: Vec::new(),
            gaps: Vec::new(),
            waiver: None,
            attestation: None,
            controls: Default::default(),
        }
    }

    fn use_of(id: &str, expired: bool) -> WaiverUse {
        WaiverUse {
            id: id.into(),
            rule: "r".into(),
            resource: "*".into(),
            reason: String::new(),
            approved_by: String::new(),
            ticket: String::new(),
            expires: "2026-12-31".into(),
            expired,
            matched: 1,
        }
    }

    #[test]
    fn new_resolved_and_changed_by_fingerprint() {
        let old = [
            finding("a", "x", Status::Fail),
            finding("b", "x", Status::Pass),
            finding("c", "x", Status::Pass),
        ];
        let new = [
            finding("a", "x", Status::Pass),
            finding("c", "x", Status::Pass),
            finding("d", "x", Status::Gap),
        ];
        let d = compare(&old, &new);
        assert_eq!(d.new.len(), 1);
        assert_eq!(d.new[0].rule_id, "d");
        assert_eq!(d.resolved[0].rule_id, "b");
        assert_eq!(
            (d.changed[0].old_status, d.changed[0].new_status),
            (Status::Fail, Status::Pass)
        );
        assert_eq!(d.unchanged, 1);
    }

    #[test]
    fn waivers_started_expired_and_removed() {
        let old = [use_of("w1", false), use_of("w2", false), use_of("w3", true)];
        let new = [use_of("w1", true), use_of("w3", false), use_of("w4", false)];
        let d = compare_waivers(&old, &new);
        let ids = |l: &[WaiverChange]| l.iter().map(|w| w.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.started), vec!["w3", "w4"]);
        assert_eq!(ids(&d.expired), vec!["w1"]);
        assert_eq!(ids(&d.removed), vec!["w2"]);
    }
}
