//! Re-deriving a findings document: find the snapshot, rule pack, profile and waiver file
//! it records (given on the command line, at the recorded path, or beside the document),
//! check each is the one it records by digest, evaluate again at the document's own
//! evaluation time, and compare finding by finding (`report::compare`).
//!
//! Used by `assay verify FILE` and `assay report --findings FILE`. An input that is not at
//! hand, or is not the one recorded, makes the check *not made* ("not verified: …"),
//! never passed; a document that differs from its re-evaluation fails it, naming each
//! finding that differs.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{RulesArg, load_pack, print_notice};
use crate::attest::verify::Checks;
use crate::diag::Sources;
use crate::pipeline::{self, Evidence, Inputs};
use crate::report::{Report, compare};
use crate::snapshot::{Snapshot, sha256_hex};

/// The inputs given on the command line (each optional: the document records them).
pub(crate) struct Given<'a> {
    pub snapshot: Option<&'a Path>,
    pub profile: Option<&'a Path>,
    pub waivers: Option<&'a Path>,
    pub rules: &'a RulesArg,
    /// `--key`: the public key the snapshot must be signed with.
    pub key: Option<&'a ed25519_dalek::VerifyingKey>,
}

/// Adds the checks of re-deriving `report` (read from `document`) to `checks`.
/// Errors only for unreadable input the user named (a rule pack or profile with errors).
pub(crate) fn rederive(
    checks: &mut Checks,
    document: &Path,
    report: &Report,
    given: &Given,
) -> Result<()> {
    let snapshot = snapshot(checks, document, report, given);
    let mut sources = Sources::default();
    let rules = RulesArg {
        rules: given.rules.rules.clone().or_else(|| {
            // The recorded rule pack directory, if a rule pack is there; else the default.
            let recorded = PathBuf::from(&report.rule_pack.path);
            recorded.join("params.yaml").is_file().then_some(recorded)
        }),
    };
    let pack = load_pack(&rules, &mut sources)?;
    let pack_ok = pack.digest == report.rule_pack.digest;
    if pack_ok {
        checks.pass(
            "rule pack",
            format!(
                "{} is the rule pack evaluated (digest {})",
                pack.root.display(),
                pack.digest
            ),
        );
    } else {
        checks.not_made(
            "rule pack",
            format!(
                "the rule pack at {} (digest {}) is not the one the document was evaluated with (digest {}): pass that one with --rules",
                pack.root.display(),
                pack.digest,
                report.rule_pack.digest
            ),
        );
    }

    let profile = profile(checks, document, report, given, &pack, &mut sources)?;
    let waivers = waivers(checks, document, report, given, &pack, &mut sources)?;

    let (Some(snapshot), true, Some(profile), Some(waivers)) =
        (snapshot, pack_ok, profile, waivers)
    else {
        checks.not_made(
            "re-evaluation",
            "the findings were not evaluated again: an input above is missing or is not the one recorded",
        );
        return Ok(());
    };
    let inputs = Inputs {
        pack,
        profile,
        waivers,
        recorded: report.inputs.clone(),
    };
    let derived = pipeline::evaluate(
        &inputs,
        Evidence::Snapshot(&snapshot),
        &report.snapshot.path,
        report.evaluated_at,
    )
    .report;
    let differences = compare::differences(report, &derived);
    if differences.is_empty() {
        checks.pass(
            "re-evaluation",
            format!(
                "evaluating the snapshot again at {} gives exactly the document's {} findings, summary, claims and coverage",
                report.evaluated_at.to_rfc3339(),
                report.findings.len()
            ),
        );
    } else {
        checks.fail(
            "re-evaluation",
            format!(
                "the document is not what its inputs give ({} difference(s)):{}",
                differences.len(),
                compare::listed(&differences)
            ),
        );
    }
    if report.tool.version != env!("CARGO_PKG_VERSION") {
        checks.note(
            "tool version",
            format!(
                "the document was written by {} {}, re-evaluated with assay {}",
                report.tool.name,
                report.tool.version,
                env!("CARGO_PKG_VERSION")
            ),
        );
    }
    Ok(())
}

/// The profile the document records, when it is at hand and is the one recorded (by
/// digest, checked before it is parsed).
fn profile(
    checks: &mut Checks,
    document: &Path,
    report: &Report,
    given: &Given,
    pack: &crate::rules::RulePack,
    sources: &mut Sources,
) -> Result<Option<crate::profile::Profile>> {
    let recorded = report.inputs.as_ref();
    let profile_path = find(
        given.profile,
        recorded.map(|i| i.profile.path.as_str()),
        document,
    );
    Ok(match profile_path {
        None => {
            checks.not_made(
                "profile",
                match recorded {
                    Some(i) => format!(
                        "no profile at hand: the document was evaluated with {} (sha256 {}); pass it with --profile",
                        i.profile.path, i.profile.sha256
                    ),
                    None => format!(
                        "the document does not record its profile's path (written before assay recorded it); pass the profile with sha256 {} with --profile",
                        report.profile.sha256
                    ),
                },
            );
            None
        }
        Some(path) => {
            // Hashed before it is parsed: a path recorded in a document is not trusted to
            // name a profile, so another file is never parsed (nor quoted in a message).
            let bytes = crate::input::read(&path)
                .map_err(|e| anyhow::anyhow!("cannot read profile {}: {e}", path.display()))?;
            let sha256 = sha256_hex(&bytes);
            // The profile's own hash is over the text it parsed; the same file read again
            // after this check is compared once more below.
            let profile = if sha256 == report.profile.sha256 {
                Some(pipeline::load_profile(
                    &path,
                    pack,
                    sources,
                    &mut print_notice,
                )?)
                .filter(|p| p.sha256 == report.profile.sha256)
            } else {
                None
            };
            match &profile {
                Some(p) => checks.pass(
                    "profile",
                    format!("{} is the profile evaluated (sha256 {})", path.display(), p.sha256),
                ),
                None => checks.not_made(
                    "profile",
                    format!(
                        "{} (sha256 {sha256}) is not the profile the document was evaluated with (sha256 {}): pass that one with --profile",
                        path.display(),
                        report.profile.sha256
                    ),
                ),
            }
            profile
        }
    })
}

/// The snapshot the document names, intact and with the recorded manifest digest.
fn snapshot(
    checks: &mut Checks,
    document: &Path,
    report: &Report,
    given: &Given,
) -> Option<Snapshot> {
    let Some(path) = crate::attest::verify::locate(given.snapshot, &report.snapshot.path, document)
    else {
        checks.not_made(
            "snapshot",
            format!(
                "no snapshot at hand: the document names {} (manifest {}); pass it with --snapshot",
                report.snapshot.path, report.snapshot.manifest_digest
            ),
        );
        return None;
    };
    match Snapshot::load(&path) {
        // Not there or unreadable: not at hand, which is not the same as tampered with.
        Err(e @ crate::snapshot::SnapshotError::Io { .. }) => {
            checks.not_made("snapshot", format!("no snapshot at hand: {e}"));
            None
        }
        Err(e) => {
            checks.fail("snapshot", e.to_string());
            None
        }
        Ok(s) if s.manifest.digest != report.snapshot.manifest_digest => {
            checks.not_made(
                "snapshot",
                format!(
                    "{} is intact but is not the snapshot the document names: its manifest is {}, the document names {}",
                    path.display(),
                    s.manifest.digest,
                    report.snapshot.manifest_digest
                ),
            );
            None
        }
        Ok(s) => {
            checks.pass(
                "snapshot",
                format!(
                    "{} is intact ({} raw responses hashed) and is the snapshot named (manifest {})",
                    path.display(),
                    s.raw_responses.len(),
                    s.manifest.digest
                ),
            );
            crate::attest::verify::snapshot_seal(checks, &s, given.key);
            Some(s)
        }
    }
}

/// The waiver file the document records, or none when it records none. `Some(vec![])`
/// is "no waivers, as recorded"; `None` is "not at hand or not the one recorded".
fn waivers(
    checks: &mut Checks,
    document: &Path,
    report: &Report,
    given: &Given,
    pack: &crate::rules::RulePack,
    sources: &mut Sources,
) -> Result<Option<Vec<crate::waivers::Waiver>>> {
    let recorded = report.inputs.as_ref().map(|i| i.waivers.as_ref());
    let path = match recorded {
        // Recorded: no waiver file was used.
        Some(None) => {
            if let Some(p) = given.waivers {
                checks.not_made(
                    "waivers",
                    format!(
                        "the document was evaluated without a waiver file, but {} was given",
                        p.display()
                    ),
                );
                return Ok(None);
            }
            checks.pass("waivers", "none, as recorded");
            return Ok(Some(Vec::new()));
        }
        Some(Some(w)) => match find(given.waivers, Some(&w.path), document) {
            Some(p) => p,
            None => {
                checks.not_made(
                    "waivers",
                    format!(
                        "no waiver file at hand: the document was evaluated with {} (sha256 {}); pass it with --waivers",
                        w.path, w.sha256
                    ),
                );
                return Ok(None);
            }
        },
        // Not recorded (an older document): what was given, if anything; the comparison
        // of the waiver register and every WAIVED finding decides.
        None => match given.waivers {
            Some(p) => p.to_path_buf(),
            None => return Ok(Some(Vec::new())),
        },
    };
    let bytes = crate::input::read(&path)
        .map_err(|e| anyhow::anyhow!("cannot read waivers {}: {e}", path.display()))?;
    let sha = sha256_hex(&bytes);
    if let Some(w) = recorded.flatten().filter(|w| w.sha256 != sha) {
        checks.not_made(
            "waivers",
            format!(
                "{} (sha256 {sha}) is not the waiver file the document was evaluated with (sha256 {}): pass that one with --waivers",
                path.display(),
                w.sha256
            ),
        );
        return Ok(None);
    }
    let list = pipeline::load_waivers(Some(&path), pack, sources, &mut print_notice)?;
    checks.pass(
        "waivers",
        format!(
            "{} is the waiver file evaluated (sha256 {sha})",
            path.display()
        ),
    );
    Ok(Some(list))
}

/// A file: the one given, else the recorded path as given, else its file name beside the
/// document.
fn find(given: Option<&Path>, recorded: Option<&str>, document: &Path) -> Option<PathBuf> {
    if let Some(p) = given {
        return Some(p.to_path_buf());
    }
    let recorded = PathBuf::from(recorded?);
    let beside = document
        .parent()
        .and_then(|d| recorded.file_name().map(|n| d.join(n)));
    std::iter::once(recorded)
        .chain(beside)
        .find(|p| p.is_file())
}
