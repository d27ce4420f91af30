//! `assay audit` and `assay evaluate`: snapshot + rules + profile (+ waivers) → findings.
//! Every input is loaded and checked before anything is written, so bad input never
//! leaves a partial report behind.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;

use super::{RulesArg, load_pack, load_profile};
use crate::diag::Sources;
use crate::evaluate::evaluate as run_rules;
use crate::output::Outputs;
use crate::report::{self, Report};
use crate::snapshot::Snapshot;

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The snapshot (evidence inventory) to evaluate.
    #[arg(long, required_unless_present = "live", conflicts_with = "live")]
    pub snapshot: Option<PathBuf>,
    /// Collect a fresh snapshot from AWS first (see `assay collect --help` for the options).
    #[arg(long)]
    pub live: bool,
    #[command(flatten)]
    pub aws: super::collect_cmd::AwsArgs,
    /// The organisation profile: parameter values, frameworks, attestations, claims.
    #[arg(long)]
    pub profile: PathBuf,
    /// Waiver file (approved, expiring exceptions).
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Evaluation time to record (RFC 3339), for reproducible output; default now. Waiver
    /// expiry is judged against this date.
    #[arg(long)]
    pub now: Option<DateTime<Utc>>,
    /// The public key (`.pub` from `assay keygen`) the snapshot must be signed with
    /// (`assay collect --sign`): an unsigned snapshot, or one signed by another key or
    /// changed since, is refused. Without it the signature is reported, not checked.
    #[arg(long, value_name = "PUB")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub input: EvaluateArgs,
    /// Output formats, comma-separated: json, csv, html (`report.html`), pdf (one
    /// `report-<framework>.pdf` per framework of the profile), soa (`soa.csv`, the
    /// Statement of Applicability), ocsf (`findings.ocsf.jsonl`), asff
    /// (`findings.asff.json`, for AWS Security Hub).
    #[arg(long, value_delimiter = ',', default_value = "json,csv")]
    pub format: Vec<String>,
    /// Directory of HTML templates replacing the built-in ones of the same name (see
    /// docs/reports.md).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Directory for the report files (created if missing).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Do not print the terminal summary.
    #[arg(long)]
    pub quiet: bool,
}

/// Loads the waiver file, if any, printing every diagnostic.
pub(crate) fn load_waivers(
    path: Option<&std::path::Path>,
    pack: &crate::rules::RulePack,
    sources: &mut Sources,
) -> Result<Vec<crate::waivers::Waiver>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let (waivers, diags) = crate::waivers::load(path, pack, sources);
    if !diags.items.is_empty() {
        eprint!("{}", diags.render_plain(sources));
    }
    match waivers {
        Some(w) => Ok(w),
        None => bail!(
            "{} error(s) in the waiver file {}; nothing was evaluated",
            diags.error_count(),
            path.display()
        ),
    }
}

/// What [`build`] made: the report, the snapshot collected by a live run (to be kept
/// beside the report), and what can be said of the snapshot's signature.
struct Built {
    report: Report,
    collected: Option<Snapshot>,
    seal: String,
}

/// The profile and waiver files as the findings document records them, so `assay verify`
/// can find them again and check they are the ones evaluated.
pub(crate) fn recorded_inputs(
    profile_path: &std::path::Path,
    profile: &crate::profile::Profile,
    waivers: Option<&std::path::Path>,
) -> Result<report::Inputs> {
    let waivers = waivers
        .map(|path| -> Result<report::InputFile> {
            let bytes = crate::input::read(path)
                .with_context(|| format!("cannot read waivers {}", path.display()))?;
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

/// Loads every input and evaluates.
fn build(args: &EvaluateArgs) -> Result<Built> {
    let key = args
        .key
        .as_deref()
        .map(crate::attest::sign::read_verifying_key)
        .transpose()?;
    let mut sources = Sources::default();
    let pack = load_pack(&args.rules, &mut sources)?;
    let profile = load_profile(&args.profile, &pack, &mut sources)?;
    let waivers = load_waivers(args.waivers.as_deref(), &pack, &mut sources)?;
    let inputs = recorded_inputs(&args.profile, &profile, args.waivers.as_deref())?;
    let (snapshot, snapshot_path, collected) = match &args.snapshot {
        Some(path) => (Snapshot::load(path)?, path.display().to_string(), false),
        None => (
            super::collect_cmd::scan(&args.aws)?,
            "snapshot.json".to_string(),
            true,
        ),
    };
    let seal = crate::snapshot::seal::judge(&snapshot, key.as_ref());
    if let crate::snapshot::seal::Seal::Invalid(why) = &seal {
        bail!("the snapshot {snapshot_path} is refused: {why}; nothing was evaluated");
    }
    let now = args.now.unwrap_or_else(Utc::now);
    let mut report = evaluate_loaded(&snapshot, &snapshot_path, &pack, &profile, &waivers, now);
    for warning in crate::selectors::warnings(&report.unmatched_selectors) {
        eprintln!("{warning}");
    }
    report.inputs = Some(inputs);
    Ok(Built {
        report,
        collected: collected.then_some(snapshot),
        seal: format!("Snapshot {snapshot_path}: {}", seal.describe()),
    })
}

/// The profile's rules over a loaded snapshot, waivers applied at `now`: the report every
/// command that evaluates (audit, evaluate, attest, verify --reevaluate) builds on.
pub(crate) fn evaluate_loaded(
    snapshot: &Snapshot,
    snapshot_path: &str,
    pack: &crate::rules::RulePack,
    profile: &crate::profile::Profile,
    waivers: &[crate::waivers::Waiver],
    now: DateTime<Utc>,
) -> Report {
    let rules: Vec<&crate::rules::Rule> = pack
        .rules
        .iter()
        .filter(|r| profile.rules.selects(&r.id))
        .collect();
    let mut findings = run_rules(snapshot, &rules, &profile.params, &profile.attestations);
    let unmatched = crate::selectors::unmatched(snapshot, &pack.params, &profile.params, &rules);
    crate::selectors::explain(&mut findings, &rules, &unmatched);
    let register = crate::waivers::apply(&mut findings, waivers, now.date_naive());
    let mut report = Report::build(
        findings,
        snapshot,
        snapshot_path,
        pack,
        profile,
        register,
        now,
    );
    report.unmatched_selectors = unmatched;
    report
}

pub fn evaluate(args: EvaluateArgs) -> Result<u8> {
    let Built { report, seal, .. } = build(&args)?;
    eprintln!("{seal}");
    if let Some(why) = report.no_evidence() {
        eprintln!("INCOMPLETE: {why}");
    }
    // Stdout is line-buffered: unbuffered, the pretty JSON costs a write per line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    report::json::render(&report, &mut out)?;
    out.flush()?;
    Ok(report.exit_code())
}

pub fn audit(args: AuditArgs) -> Result<u8> {
    for f in &args.format {
        if !["html", "pdf"].contains(&f.as_str()) && report::data::file_name(f).is_none() {
            bail!("unknown format `{f}` (available: json, csv, html, pdf, soa, ocsf, asff)");
        }
    }
    // Templates are input too: a broken one stops the run before anything is written.
    let html = if args.format.iter().any(|f| f == "html") {
        Some(report::html::Renderer::new(args.templates.as_deref())?)
    } else {
        None
    };
    let Built {
        report,
        collected,
        seal,
    } = build(&args.input)?;
    // Every file is staged and appears only when all were written (`crate::output`).
    let mut outputs = Outputs::into_dir(&args.out)?;
    let mut written = Vec::new();
    if let Some(snapshot) = collected {
        // The evidence behind a live audit is kept with its report.
        let path = args.out.join("snapshot.json");
        outputs.write(&path, (snapshot.to_json_pretty() + "\n").as_bytes())?;
        written.push(path);
    }
    for format in &args.format {
        if format == "pdf" {
            written.extend(report::pdf::write(&report, &args.out, &mut outputs)?);
            continue;
        }
        if let Some(renderer) = html.as_ref().filter(|_| format == "html") {
            written.push(report::html::write(
                renderer,
                &report,
                &args.out,
                &mut outputs,
            )?);
            continue;
        }
        let name = report::data::file_name(format).context("formats were checked above")?;
        let path = args.out.join(name);
        let mut file = outputs.file(&path)?;
        report::data::render(&report, format, &mut file)
            .with_context(|| format!("writing {}", path.display()))?;
        file.flush()
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    outputs.commit()?;
    let written: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    if !args.quiet {
        print!(
            "{}",
            report::terminal::render(&report, std::io::stdout().is_terminal())
        );
        println!("{seal}");
        println!("Reports: {}", written.join(", "));
    }
    if let Some(why) = report.no_evidence() {
        // On stderr too with --quiet: an empty run must never look like a pass.
        eprintln!("INCOMPLETE: {why}");
    }
    Ok(report.exit_code())
}
