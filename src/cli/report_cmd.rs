//! `assay report`: render a saved findings document again (HTML, PDF, JSON, CSV) without
//! evaluating anything, e.g. with other templates or for another reader.
//!
//! A report is only as good as the evidence it points into, so the document is verified
//! first exactly as `assay verify` does (`cli::rederive`): the snapshot, rule pack,
//! profile and waiver file it records are found and checked by digest, the findings are
//! evaluated again at the document's evaluation time, and they must be the document's,
//! finding by finding. Otherwise nothing is written.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::exit::ExitStatus;
use crate::report::Report;
use crate::report::format::{Format, Writer};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The findings document written by `assay audit` (`findings.json`).
    #[arg(long, value_name = "FILE")]
    pub findings: PathBuf,
    /// The snapshot the findings were evaluated from. Default: the path recorded in the
    /// findings document, as given and then relative to the findings file's directory.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// The profile the findings were evaluated with. Default: the path recorded in the
    /// document, then its file name beside the document.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The waiver file the findings were evaluated with, if any. Default: as for --profile.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    #[command(flatten)]
    pub rules: super::RulesArg,
    /// The public key the snapshot must be signed with (`assay collect --sign`).
    #[arg(long, value_name = "PUB")]
    pub key: Option<PathBuf>,
    /// Output formats, comma-separated (each listed below with the files it writes).
    #[arg(long, value_delimiter = ',', default_value = "html", value_parser = super::FormatParser::<Format>::new())]
    pub format: Vec<Format>,
    /// Directory for the report files (created if missing).
    #[arg(short = 'o', long, default_value = "out")]
    pub out: PathBuf,
    /// Directory of HTML templates replacing the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

pub const AFTER_HELP: &str = "Examples:\n  assay report --findings out/findings.json --format html --out out-html/\n  assay report --findings out/findings.json --templates my-templates/ --out branded/\n\nThe document is verified first as `assay verify` does: evaluated again from the snapshot, rules, profile and waivers it records, and compared finding by finding.\n\nExit status: 0 written, 2 nothing written: unreadable findings, an input that is missing or is not the one recorded, a snapshot that fails verification, a document that differs from what its inputs give, or a broken template.";

pub fn run(args: ReportArgs) -> Result<ExitStatus> {
    let writer = Writer::new(&args.format, args.templates.as_deref())?;
    let display = args.findings.display().to_string();
    let text = crate::input::read_text(&args.findings)
        .with_context(|| format!("cannot read findings {display}"))?;
    let report = Report::from_json(&text, &display)?;
    let key = args
        .key
        .as_deref()
        .map(crate::attest::sign::read_verifying_key)
        .transpose()?;
    let given = super::rederive::Given {
        snapshot: args.snapshot.as_deref(),
        profile: args.profile.as_deref(),
        waivers: args.waivers.as_deref(),
        rules: &args.rules,
        key: key.as_ref(),
    };
    let mut checks = crate::attest::verify::Checks::default();
    super::rederive::rederive(&mut checks, &args.findings, &report, &given)?;
    let unverified: Vec<String> = checks
        .0
        .iter()
        .filter(|c| {
            matches!(
                c.outcome,
                crate::attest::verify::Outcome::Failed | crate::attest::verify::Outcome::NotMade
            )
        })
        .map(super::attest_cmd::check_line)
        .collect();
    if !unverified.is_empty() {
        bail!(
            "{display} is not verified, so no report is rendered from it:\n{}",
            unverified.join("\n")
        );
    }
    // Every file is staged and appears only when all were written (`crate::output`).
    let mut outputs = crate::output::Outputs::into_dir(&args.out)?;
    let mut written = Vec::new();
    for format in &args.format {
        written.extend(writer.write(*format, &report, &args.out, &mut outputs)?);
    }
    outputs.commit()?;
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!("Reports: {}", names.join(", "));
    Ok(ExitStatus::Ok)
}
