//! Waivers: approved, expiring exceptions for specific FAIL findings.
//!
//! A waiver names a rule and a resource (an exact ARN; a glob only when `match: glob` says
//! so), with a reason, an approver, a ticket and a mandatory expiry date. An unexpired
//! waiver turns a FAIL into WAIVED and keeps the evidence; an expired one leaves the FAIL
//! and is listed; a waiver that matched nothing is warned about; GAP and ERROR are never
//! waived, because a waiver is a decision about known facts, not about missing ones.

use std::path::Path;

use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Sources, read_yaml};
use crate::findings::{Finding, Status, WaiverRef};
use crate::rules::RulePack;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: String,
    resource: String,
    #[serde(default, rename = "match")]
    match_kind: Option<String>,
    reason: String,
    approved_by: String,
    ticket: String,
    expires: String,
}

/// A validated waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// `<file>#<index>`, for reports.
    pub id: String,
    pub rule: String,
    pub resource: String,
    matcher: Option<GlobMatcher>,
    pub reason: String,
    pub approved_by: String,
    pub ticket: String,
    /// Last day the waiver is valid (UTC).
    pub expires: NaiveDate,
}

impl Waiver {
    fn matches(&self, finding: &Finding) -> bool {
        let Some(resource) = &finding.resource else {
            return false;
        };
        finding.rule_id == self.rule
            && match &self.matcher {
                Some(glob) => glob.is_match(&resource.arn),
                None => resource.arn == self.resource,
            }
    }
}

/// The register of waivers after applying them: for reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaiverUse {
    pub id: String,
    pub rule: String,
    pub resource: String,
    pub reason: String,
    pub approved_by: String,
    pub ticket: String,
    pub expires: String,
    pub expired: bool,
    /// Findings it matched.
    pub matched: usize,
}

/// Loads a waiver file (a YAML list), checking rule ids, dates and globs.
pub fn load(
    path: &Path,
    pack: &RulePack,
    sources: &mut Sources,
) -> (Option<Vec<Waiver>>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let (file, raw) =
        match read_yaml::<Vec<Spanned<RawWaiver>>>(path, "waivers", "waiver file", sources) {
            Ok(read) => (read.file, read.value),
            Err(d) => {
                diags.push(*d);
                return (None, diags);
            }
        };
    let mut waivers = Vec::new();
    for (i, w) in raw.into_iter().enumerate() {
        let start = sources.offset(
            file,
            w.referenced.line() as usize,
            w.referenced.column() as usize,
        );
        let place = start..start + 1;
        let w = w.value;
        if pack.rule(&w.rule).is_none() {
            let mut d = Diagnostic::error(
                "unknown-rule",
                format!("waiver {}: unknown rule `{}`", i + 1, w.rule),
            )
            .at(file, place.clone(), "this waiver");
            for s in crate::diag::did_you_mean(&w.rule, pack.rules.iter().map(|r| r.id.as_str())) {
                d = d.note(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
        let expires = NaiveDate::parse_from_str(&w.expires, "%Y-%m-%d");
        if expires.is_err() {
            diags.push(
                Diagnostic::error(
                    "date",
                    format!(
                        "waiver {}: `expires` must be a date YYYY-MM-DD, got `{}`",
                        i + 1,
                        w.expires
                    ),
                )
                .at(file, place.clone(), "this waiver"),
            );
        }
        for (field, value) in [
            ("reason", &w.reason),
            ("approved_by", &w.approved_by),
            ("ticket", &w.ticket),
        ] {
            if value.trim().is_empty() {
                diags.push(
                    Diagnostic::error(
                        "waiver",
                        format!("waiver {}: `{field}` must not be empty", i + 1),
                    )
                    .at(file, place.clone(), "this waiver"),
                );
            }
        }
        let matcher = match w.match_kind.as_deref() {
            None | Some("exact") => {
                if w.resource.contains('*') {
                    diags.push(Diagnostic::error("waiver", format!("waiver {}: resource `{}` contains `*`; add `match: glob` if a pattern is intended", i + 1, w.resource)).at(file, place.clone(), "this waiver"));
                }
                None
            }
            Some("glob") => match Glob::new(&w.resource) {
                Ok(g) => Some(g.compile_matcher()),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(
                            "waiver",
                            format!("waiver {}: bad glob `{}`: {e}", i + 1, w.resource),
                        )
                        .at(file, place.clone(), "this waiver"),
                    );
                    None
                }
            },
            Some(other) => {
                diags.push(
                    Diagnostic::error(
                        "waiver",
                        format!(
                            "waiver {}: `match` must be `exact` or `glob`, got `{other}`",
                            i + 1
                        ),
                    )
                    .at(file, place.clone(), "this waiver"),
                );
                None
            }
        };
        if let Ok(expires) = expires {
            waivers.push(Waiver {
                id: format!(
                    "{}#{}",
                    path.file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or("waivers"),
                    i + 1
                ),
                rule: w.rule,
                resource: w.resource,
                matcher,
                reason: w.reason,
                approved_by: w.approved_by,
                ticket: w.ticket,
                expires,
            });
        }
    }
    if diags.has_errors() {
        return (None, diags);
    }
    (Some(waivers), diags)
}

/// Applies waivers to FAIL findings as of `today` and returns the register.
pub fn apply(findings: &mut [Finding], waivers: &[Waiver], today: NaiveDate) -> Vec<WaiverUse> {
    let mut register: Vec<WaiverUse> = waivers
        .iter()
        .map(|w| WaiverUse {
            id: w.id.clone(),
            rule: w.rule.clone(),
            resource: w.resource.clone(),
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            ticket: w.ticket.clone(),
            expires: w.expires.to_string(),
            expired: w.expires < today,
            matched: 0,
        })
        .collect();
    for finding in findings.iter_mut().filter(|f| f.status == Status::Fail) {
        // An unexpired waiver wins over an expired one for the same finding.
        let matching = || {
            waivers
                .iter()
                .enumerate()
                .filter(|(_, w)| w.matches(finding))
        };
        if let Some((i, w)) = matching()
            .find(|(_, w)| w.expires >= today)
            .or_else(|| matching().next())
        {
            register[i].matched += 1;
            let expired = w.expires < today;
            finding.waiver = Some(WaiverRef {
                id: w.id.clone(),
                reason: w.reason.clone(),
                approved_by: w.approved_by.clone(),
                ticket: w.ticket.clone(),
                expires: w.expires.to_string(),
                expired,
            });
            if !expired {
                finding.status = Status::Waived;
            }
        }
    }
    register
}
