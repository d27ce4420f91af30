//! The profile's `applicability:` section: which controls of each framework apply, which
//! are excluded (and why), and which are inherited from the cloud provider (and on what
//! report or certificate), for the Statement of Applicability an ISO auditor starts from.
//!
//! ```yaml
//! applicability:
//!   - framework: iso27001-2022
//!     families: [A.7]            # every control of the family …
//!     controls: [A.8.30]         # … and/or these controls
//!     status: inherited          # applicable | excluded | inherited
//!     provider: AWS              # inherited: who operates the control
//!     reference: "AWS ISO/IEC 27001 certificate, SOC 2 Type II report (AWS Artifact)"
//!     justification: "…"        # required for excluded
//! ```
//!
//! A control the profile does not name is applicable, and the reports say that this was
//! not stated rather than pretending it was decided. Every problem names the file, line and
//! field: an unknown framework, family or control, a control given twice, an exclusion
//! without a justification, an inheritance without a provider or reference.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Diagnostics, FileId, Sources, did_you_mean};
use crate::frameworks::Framework;
use crate::rules::RulePack;

/// One entry of the `applicability:` list as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntry {
    framework: Spanned<String>,
    #[serde(default)]
    families: Vec<Spanned<String>>,
    #[serde(default)]
    controls: Vec<Spanned<String>>,
    status: Spanned<String>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    reference: Option<String>,
}

/// The statuses a control may have in the Statement of Applicability.
pub const STATUSES: [&str; 3] = ["applicable", "excluded", "inherited"];

/// A control's applicability, as the reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applicability {
    /// `applicable`, `excluded` or `inherited` (from the cloud provider).
    pub status: String,
    /// Whether the profile states it; `false` means "applicable" because nothing said
    /// otherwise, which the reports print as such.
    pub declared: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// For `inherited`: who operates the control (e.g. `AWS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// For `inherited`: the provider's report or certificate that evidences it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Applicability {
    /// A control the profile does not name.
    pub fn undeclared() -> Applicability {
        Applicability {
            status: "applicable".into(),
            declared: false,
            justification: None,
            provider: None,
            reference: None,
        }
    }
}

impl Applicability {
    /// A control of a findings document written before applicability was recorded: the
    /// reports say so rather than guess.
    pub fn not_recorded() -> Applicability {
        Applicability {
            status: "not-recorded".into(),
            declared: false,
            justification: None,
            provider: None,
            reference: None,
        }
    }
}

/// Framework id → control id → applicability, for the controls the profile names.
pub type ApplicabilityMap = BTreeMap<String, BTreeMap<String, Applicability>>;

/// Checks the entries against the catalogues and the profile's frameworks.
pub(super) fn check(
    entries: &[Spanned<RawEntry>],
    profile_frameworks: &[String],
    pack: &RulePack,
    file: FileId,
    sources: &Sources,
    diags: &mut Diagnostics,
) -> ApplicabilityMap {
    let at = |line: u64, column: u64| {
        let start = sources.offset(file, line as usize, column as usize);
        start..start + 1
    };
    let mut map = ApplicabilityMap::new();
    // Where each control was first given, to name both places of a duplicate.
    let mut first: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (n, entry) in entries.iter().enumerate().map(|(i, e)| (i + 1, e)) {
        let e = &entry.value;
        let entry_place = at(entry.referenced.line(), entry.referenced.column());
        let fw_place = at(
            e.framework.referenced.line(),
            e.framework.referenced.column(),
        );
        let Some(framework) = pack.framework(&e.framework.value) else {
            let known: Vec<&str> = pack.frameworks.iter().map(|f| f.id.as_str()).collect();
            diags.push(
                Diagnostic::error(
                    "applicability",
                    format!(
                        "profile: applicability {n}: `framework` `{}` is not a framework",
                        e.framework.value
                    ),
                )
                .at(file, fw_place, "unknown framework")
                .note(format!("known frameworks: {}", known.join(", "))),
            );
            continue;
        };
        if !profile_frameworks.contains(&framework.id) {
            diags.push(
                Diagnostic::error(
                    "applicability",
                    format!(
                        "profile: applicability {n}: `framework` `{}` is not one of the profile's `frameworks` ({})",
                        framework.id,
                        profile_frameworks.join(", ")
                    ),
                )
                .at(file, fw_place, "not in `frameworks`"),
            );
        }
        let status = e.status.value.as_str();
        let status_place = at(e.status.referenced.line(), e.status.referenced.column());
        check_status(n, e, status_place, file, diags);
        if e.families.is_empty() && e.controls.is_empty() {
            diags.push(
                Diagnostic::error(
                    "applicability",
                    format!(
                        "profile: applicability {n}: names no control; give `families`, `controls` or both"
                    ),
                )
                .at(file, entry_place.clone(), "this entry"),
            );
        }
        let ids = named_controls(n, e, framework, &at, file, diags);
        let applicability = Applicability {
            status: status.to_string(),
            declared: true,
            justification: trimmed(&e.justification),
            provider: trimmed(&e.provider),
            reference: trimmed(&e.reference),
        };
        for (id, place) in ids {
            let key = (framework.id.clone(), id.clone());
            if let Some(earlier) = first.get(&key) {
                diags.push(
                    Diagnostic::error(
                        "applicability",
                        format!(
                            "profile: applicability {n}: control {id} of {} was already given in applicability {earlier}",
                            framework.id
                        ),
                    )
                    .at(file, place, "given twice"),
                );
                continue;
            }
            first.insert(key, n);
            map.entry(framework.id.clone())
                .or_default()
                .insert(id, applicability.clone());
        }
    }
    map
}

/// Entry `n`'s status is one of [`STATUSES`], and the fields its status requires are
/// given (a justification for an excluded control, a provider and its report for an
/// inherited one).
fn check_status(
    n: usize,
    e: &RawEntry,
    status_place: Range<usize>,
    file: FileId,
    diags: &mut Diagnostics,
) {
    let status = e.status.value.as_str();
    if !STATUSES.contains(&status) {
        diags.push(
            Diagnostic::error(
                "applicability",
                format!(
                    "profile: applicability {n}: `status` must be one of {}, got `{status}`",
                    STATUSES.join(", ")
                ),
            )
            .at(file, status_place.clone(), "this field"),
        );
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let mut required = |field: &str, why: &str| {
        diags.push(
            Diagnostic::error(
                "applicability",
                format!("profile: applicability {n}: `{field}` is required {why}"),
            )
            .at(file, status_place.clone(), format!("status `{status}`")),
        );
    };
    if status == "excluded" && blank(&e.justification) {
        required(
            "justification",
            "for an excluded control: the Statement of Applicability must say why",
        );
    }
    if status == "inherited" {
        if blank(&e.provider) {
            required("provider", "for an inherited control: who operates it");
        }
        if blank(&e.reference) {
            required(
                "reference",
                "for an inherited control: the provider's report or certificate that evidences it",
            );
        }
    }
}

/// The controls entry `n` names, directly or through its families, each with the place
/// that named it; an unknown family or control is an error with suggestions.
fn named_controls(
    n: usize,
    e: &RawEntry,
    framework: &Framework,
    at: &impl Fn(u64, u64) -> Range<usize>,
    file: FileId,
    diags: &mut Diagnostics,
) -> Vec<(String, Range<usize>)> {
    let mut ids: Vec<(String, Range<usize>)> = Vec::new();
    for family in &e.families {
        let place = at(family.referenced.line(), family.referenced.column());
        if framework.family(&family.value).is_none() {
            let mut d = Diagnostic::error(
                "applicability",
                format!(
                    "profile: applicability {n}: `families`: `{}` is not a family of {}",
                    family.value, framework.id
                ),
            )
            .at(file, place, "unknown family");
            for s in did_you_mean(
                &family.value,
                framework.families.iter().map(|f| f.id.as_str()),
            ) {
                d = d.note(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            continue;
        }
        ids.extend(
            framework
                .controls
                .iter()
                .filter(|c| c.family == family.value)
                .map(|c| (c.id.clone(), place.clone())),
        );
    }
    for control in &e.controls {
        let place = at(control.referenced.line(), control.referenced.column());
        if framework.control(&control.value).is_none() {
            let mut d = Diagnostic::error(
                "applicability",
                format!(
                    "profile: applicability {n}: `controls`: `{}` is not a control of {}",
                    control.value, framework.id
                ),
            )
            .at(file, place, "unknown control");
            for s in did_you_mean(
                &control.value,
                framework.controls.iter().map(|c| c.id.as_str()),
            ) {
                d = d.note(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            continue;
        }
        ids.push((control.value.clone(), place));
    }
    ids
}

fn trimmed(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
