//! `assay audit` and `assay evaluate`: snapshot + rules + profile (+ waivers) → findings.
//! Every input is loaded and checked before anything is written, so bad input never
//! leaves a partial report behind.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{EvaluationArgs, FormatParser};
use crate::exit::ExitStatus;
use crate::output::Outputs;
use crate::pipeline::{self, Evidence};
use crate::report::format::{Format, Writer};
use crate::report::{self, Report};
use crate::snapshot::Snapshot;

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The snapshot (evidence inventory) to evaluate.
    #[arg(long, required_unless_present_any = ["live", "period", "quarter"], conflicts_with = "live")]
    pub snapshot: Option<PathBuf>,
    /// Collect a fresh snapshot from AWS first (see `assay collect --help` for the options).
    #[arg(long)]
    pub live: bool,
    #[command(flatten)]
    pub aws: super::collect_cmd::AwsArgs,
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
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
    /// Output formats, comma-separated (each listed below with the files it writes).
    #[arg(long, value_delimiter = ',', default_value = "json,csv", value_parser = FormatParser::<Format>::new())]
    pub format: Vec<Format>,
    /// Directory of HTML templates replacing the built-in ones of the same name (see
    /// docs/reports.md).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Directory for the report files (created if missing).
    #[arg(short = 'o', long, default_value = "out")]
    pub out: PathBuf,
    /// Do not print the terminal summary.
    #[arg(long)]
    pub quiet: bool,
    /// The evidence over a period, from the archive (`docs/archive.md`).
    #[command(flatten)]
    pub period: Box<super::audit_period::PeriodArgs>,
}

/// What [`build`] made: the report, the snapshot collected by a live run (to be kept
/// beside the report), and what can be said of the snapshot's signature.
struct Built {
    report: Report,
    collected: Option<Snapshot>,
    seal: String,
}

/// The scan's options, with the profile's Config aggregator when the command line names
/// none.
fn with_profile_aggregator(
    aws: &super::collect_cmd::AwsArgs,
    profile: &crate::profile::Profile,
) -> super::collect_cmd::AwsArgs {
    let mut aws = aws.clone();
    if aws.config_aggregator.is_none() {
        aws.config_aggregator = profile.config_aggregator.clone();
    }
    aws
}

/// Loads every input and evaluates.
fn build(args: &EvaluateArgs) -> Result<Built> {
    let key = args
        .key
        .as_deref()
        .map(crate::attest::sign::read_verifying_key)
        .transpose()?;
    let inputs = args.evaluation.load()?;
    let (snapshot, snapshot_path, collected) = match &args.snapshot {
        Some(path) => (Snapshot::load(path)?, path.display().to_string(), false),
        None => (
            super::collect_cmd::scan_with(
                &with_profile_archive(
                    &with_profile_aggregator(&args.aws, &inputs.profile),
                    &inputs.profile,
                ),
                &profile_backup_locations(&inputs),
            )?,
            "snapshot.json".to_string(),
            true,
        ),
    };
    let seal = crate::snapshot::seal::judge(&snapshot, key.as_ref());
    if let crate::snapshot::seal::Seal::Invalid(why) = &seal {
        bail!("the snapshot {snapshot_path} is refused: {why}; nothing was evaluated");
    }
    let evaluation = pipeline::evaluate(
        &inputs,
        Evidence::Snapshot(&snapshot),
        &snapshot_path,
        args.evaluation.now(),
    );
    for warning in &evaluation.warnings {
        eprintln!("{warning}");
    }
    let report = evaluation.report;
    Ok(Built {
        report,
        collected: collected.then_some(snapshot),
        seal: format!("Snapshot {snapshot_path}: {}", seal.describe()),
    })
}

/// `aws` reading the CloudTrail change history too when the profile archives its scans
/// (an `archive` section): the period pack built from them needs it.
fn with_profile_archive(
    aws: &super::collect_cmd::AwsArgs,
    profile: &crate::profile::Profile,
) -> super::collect_cmd::AwsArgs {
    let mut aws = aws.clone();
    aws.change_history |= profile.archive.is_some();
    aws
}

/// The S3 backup locations the profile names (`s3_backup_locations`), which a live
/// audit lists.
fn profile_backup_locations(inputs: &pipeline::Inputs) -> Vec<String> {
    inputs
        .profile
        .params
        .get("s3_backup_locations")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn evaluate(args: EvaluateArgs) -> Result<ExitStatus> {
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

pub fn audit(args: AuditArgs) -> Result<ExitStatus> {
    if args.period.wanted() {
        return super::audit_period::audit(args);
    }
    // Templates are input too: a broken one stops the run before anything is written.
    let writer = Writer::new(&args.format, args.templates.as_deref())?;
    let Built {
        report,
        collected,
        seal,
    } = build(&args.input)?;
    // The previous scan is input too: read before anything is written.
    let mut since_previous = args
        .period
        .previous
        .as_deref()
        .map(|p| super::audit_period::since_previous(p, &report))
        .transpose()?;
    // With an archive: the trend in the HTML report, and the change since the latest
    // archived scan when no --previous is given.
    let mut writer = writer;
    if super::audit_period::archive_given(&args.period) {
        let archived = super::audit_period::from_archive(&args, &report)?;
        writer.set_trends(crate::period::html::trends_section(&archived.trends));
        if since_previous.is_none() {
            since_previous = archived.since_previous;
        }
    }
    // Every file is staged and appears only when all were written (`crate::output`).
    let mut outputs = Outputs::into_dir(&args.out)?;
    let mut written = Vec::new();
    if let Some(snapshot) = collected {
        // The evidence behind a live audit is kept with its report.
        let path = args.out.join("snapshot.json");
        outputs.write_with(&path, |out| snapshot.write_pretty(out))?;
        written.push(path);
    }
    for format in &args.format {
        written.extend(writer.write(*format, &report, &args.out, &mut outputs)?);
    }
    outputs.commit()?;
    let written: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    if !args.quiet {
        print!(
            "{}",
            report::terminal::render(&report, std::io::stdout().is_terminal())
        );
        if let Some(previous) = &since_previous {
            print!("{}", crate::text::terminal(previous));
        }
        println!("{seal}");
        println!("Reports: {}", written.join(", "));
    }
    if let Some(why) = report.no_evidence() {
        // On stderr too with --quiet: an empty run must never look like a pass.
        eprintln!("INCOMPLETE: {why}");
    }
    Ok(report.exit_code())
}
