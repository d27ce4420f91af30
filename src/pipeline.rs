//! The pipeline as one library call: the inputs that say what must hold (rule pack,
//! profile, waivers), the evidence (a snapshot, or a snapshot made from a Terraform plan)
//! and the evaluation time in, the evaluated [`Report`] out.
//!
//! Every command that evaluates goes through here (audit, evaluate, gate, baseline,
//! attest, and the re-derivation behind verify and report), so they cannot drift apart:
//! the command line parses arguments, calls [`Inputs::load`] and [`evaluate`], and writes
//! what comes back.
//!
//! Problems in the inputs are diagnostics with file, line and column. They are handed to
//! a [`Notices`] callback as they are found (the command line prints them on stderr), and
//! a file with an error stops the run with a [`PipelineError`] before anything is
//! evaluated, so bad input never yields a report.

pub mod fixtures;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::diag::{Diagnostics, Sources};
use crate::profile::Profile;
use crate::report::{self, Report};
use crate::rules::on_plan::{NotEvaluated, not_evaluable_in};
use crate::rules::{Rule, RulePack};
use crate::snapshot::Snapshot;
use crate::waivers::Waiver;

/// Where diagnostics and warnings go as they are found: each call is text ready to print
/// (rendered diagnostics end with their own newline).
pub type Notices<'a> = &'a mut dyn FnMut(&str);

/// Why nothing was evaluated.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("{count} error(s) in the rules under {}; nothing was evaluated", dir.display())]
    Rules { count: usize, dir: PathBuf },
    #[error("{count} error(s) in the profile {}; nothing was evaluated", path.display())]
    Profile { count: usize, path: PathBuf },
    #[error("{count} error(s) in the waiver file {}; nothing was evaluated", path.display())]
    Waivers { count: usize, path: PathBuf },
    /// The waiver file could not be read again to record its digest.
    #[error("cannot read waivers {}", path.display())]
    WaiversUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The loaded inputs that say what must hold, and how the report records them.
pub struct Inputs {
    pub pack: RulePack,
    pub profile: Profile,
    pub waivers: Vec<Waiver>,
    /// The profile and waiver files as the findings document records them, so `assay
    /// verify` can find them again and check they are the ones evaluated.
    pub recorded: Option<report::Inputs>,
}

/// Where the inputs are.
pub struct InputPaths<'a> {
    pub rules: &'a Path,
    pub profile: &'a Path,
    pub waivers: Option<&'a Path>,
}

impl Inputs {
    /// Loads the rule pack, the profile against it and the waiver file, in that order,
    /// handing every diagnostic to `notices`; fails on the first file with an error.
    pub fn load(
        paths: &InputPaths,
        sources: &mut Sources,
        notices: Notices,
    ) -> Result<Inputs, PipelineError> {
        let pack = load_pack(paths.rules, sources, notices)?;
        let profile = load_profile(paths.profile, &pack, sources, notices)?;
        let waivers = load_waivers(paths.waivers, &pack, sources, notices)?;
        let recorded = recorded_inputs(paths.profile, &profile, paths.waivers)?;
        Ok(Inputs {
            pack,
            profile,
            waivers,
            recorded: Some(recorded),
        })
    }
}

/// Hands `diags` to `notices` when there are any.
fn notify(diags: &Diagnostics, sources: &Sources, notices: Notices) {
    if !diags.items.is_empty() {
        notices(&diags.render_plain(sources));
    }
}

/// Loads the rule pack under `dir`.
pub fn load_pack(
    dir: &Path,
    sources: &mut Sources,
    notices: Notices,
) -> Result<RulePack, PipelineError> {
    let (pack, diags) = crate::rules::load::load_pack(dir, sources);
    notify(&diags, sources, notices);
    pack.ok_or_else(|| PipelineError::Rules {
        count: diags.error_count(),
        dir: dir.to_path_buf(),
    })
}

/// Loads a profile against the pack.
pub fn load_profile(
    path: &Path,
    pack: &RulePack,
    sources: &mut Sources,
    notices: Notices,
) -> Result<Profile, PipelineError> {
    let (profile, diags) = crate::profile::load(path, pack, sources);
    notify(&diags, sources, notices);
    profile.ok_or_else(|| PipelineError::Profile {
        count: diags.error_count(),
        path: path.to_path_buf(),
    })
}

/// Loads the waiver file, if any (none: no waivers).
pub fn load_waivers(
    path: Option<&Path>,
    pack: &RulePack,
    sources: &mut Sources,
    notices: Notices,
) -> Result<Vec<Waiver>, PipelineError> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let (waivers, diags) = crate::waivers::load(path, pack, sources);
    notify(&diags, sources, notices);
    waivers.ok_or_else(|| PipelineError::Waivers {
        count: diags.error_count(),
        path: path.to_path_buf(),
    })
}

/// The profile and waiver files as the findings document records them.
pub fn recorded_inputs(
    profile_path: &Path,
    profile: &Profile,
    waivers: Option<&Path>,
) -> Result<report::Inputs, PipelineError> {
    let waivers = waivers
        .map(|path| {
            let bytes =
                crate::input::read(path).map_err(|source| PipelineError::WaiversUnreadable {
                    path: path.to_path_buf(),
                    source,
                })?;
            Ok(report::InputFile {
                path: path.display().to_string(),
                sha256: crate::snapshot::sha256_hex(&bytes),
            })
        })
        .transpose()?;
    Ok(report::Inputs {
        profile: report::InputFile {
            path: profile_path.display().to_string(),
            sha256: profile.sha256.clone(),
        },
        waivers,
    })
}

/// The evidence evaluated.
#[derive(Clone, Copy)]
pub enum Evidence<'a> {
    /// A snapshot file (a live scan, the sample, or a plan saved by `assay plan`),
    /// evaluated in full: its findings re-derive exactly (`assay verify`).
    Snapshot(&'a Snapshot),
    /// A Terraform plan read just now: the rules a plan cannot judge are left out (and
    /// listed), and the report records no input files, as `verify` does not read plans.
    Plan(&'a Snapshot),
}

impl<'a> Evidence<'a> {
    fn snapshot(self) -> &'a Snapshot {
        match self {
            Evidence::Snapshot(s) | Evidence::Plan(s) => s,
        }
    }
}

/// What [`evaluate`] made.
pub struct Evaluation {
    pub report: Report,
    /// The profile's rules a plan cannot judge, and why (for evidence made from a plan).
    pub not_evaluated: Vec<NotEvaluated>,
    /// One line per profile parameter that selects nothing: it would hide violations, so
    /// a command that evaluates a snapshot says it.
    pub warnings: Vec<String>,
}

/// The profile's rules over the evidence, waivers applied at `now`'s date. `path` is the
/// evidence's file as the report names it.
pub fn evaluate(inputs: &Inputs, evidence: Evidence, path: &str, now: DateTime<Utc>) -> Evaluation {
    let Inputs {
        pack,
        profile,
        waivers,
        recorded,
    } = inputs;
    let snapshot = evidence.snapshot();
    let selected: Vec<&Rule> = pack
        .rules
        .iter()
        .filter(|r| profile.rules.selects(&r.id))
        .collect();
    let not_evaluated: Vec<NotEvaluated> = if snapshot.origin.kind == "plan" {
        selected
            .iter()
            .filter_map(|r| {
                not_evaluable_in(r, snapshot).map(|reason| NotEvaluated {
                    rule_id: r.id.clone(),
                    reason,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    match evidence {
        Evidence::Snapshot(_) => {
            let mut findings = crate::evaluate::evaluate(
                snapshot,
                &selected,
                &profile.params,
                &profile.attestations,
            );
            let unmatched =
                crate::selectors::unmatched(snapshot, &pack.params, &profile.params, &selected);
            crate::selectors::explain(&mut findings, &selected, &unmatched);
            let register = crate::waivers::apply(&mut findings, waivers, now.date_naive());
            let mut report = Report::build(findings, snapshot, path, pack, profile, register, now);
            let warnings = crate::selectors::warnings(&unmatched);
            report.unmatched_selectors = unmatched;
            report.inputs = recorded.clone();
            Evaluation {
                report,
                not_evaluated,
                warnings,
            }
        }
        Evidence::Plan(_) => {
            let judged: Vec<&Rule> = selected
                .into_iter()
                .filter(|r| !not_evaluated.iter().any(|n| n.rule_id == r.id))
                .collect();
            let mut findings = crate::evaluate::evaluate(
                snapshot,
                &judged,
                &profile.params,
                &profile.attestations,
            );
            let register = crate::waivers::apply(&mut findings, waivers, now.date_naive());
            let report = Report::build(findings, snapshot, path, pack, profile, register, now);
            Evaluation {
                report,
                not_evaluated,
                warnings: Vec::new(),
            }
        }
    }
}
