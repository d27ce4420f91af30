//! `assay report`: render a saved findings document again (HTML, PDF, JSON, CSV) without
//! evaluating anything, e.g. with other templates or for another reader.
//!
//! A report is only as good as the evidence it points into, so the document is verified
//! first exactly as `assay verify` does (`cli::rederive`): the snapshot, rule pack,
//! profile and waiver file it records are found and checked by digest, the findings are
//! evaluated again at the document's evaluation time, and they must be the document's,
//! finding by finding. Otherwise nothing is written.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::report::{self, Report};

const FORMATS: [&str; 7] = ["html", "pdf", "json", "csv", "soa", "ocsf", "asff"];

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
    /// Output formats, comma-separated: html (`report.html`), pdf, json, csv, soa
    /// (`soa.csv`), ocsf (`findings.ocsf.jsonl`), asff (`findings.asff.json`).
    #[arg(long, value_delimiter = ',', default_value = "html")]
    pub format: Vec<String>,
    /// Directory for the report files (created if missing).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Directory of HTML templates replacing the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

pub const AFTER_HELP: &str = "Examples:\n  assay report --findings out/findings.json --format html --out out-html/\n  assay report --findings out/findings.json --templates my-templates/ --out branded/\n\nThe document is verified first as `assay verify` does: evaluated again from the snapshot, rules, profile and waivers it records, and compared finding by finding.\n\nExit status: 0 written, 2 nothing written: unreadable findings, an input that is missing or is not the one recorded, a snapshot that fails verification, a document that differs from what its inputs give, or a broken template.";

pub fn run(args: ReportArgs) -> Result<u8> {
    for f in &args.format {
        if !FORMATS.contains(&f.as_str()) {
            bail!("unknown format `{f}` (available: {})", FORMATS.join(", "));
        }
    }
    let html = if args.format.iter().any(|f| f == "html") {
        Some(report::html::Renderer::new(args.templates.as_deref())?)
    } else {
        None
    };
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
        match (format.as_str(), html.as_ref()) {
            ("html", Some(renderer)) => written.push(report::html::write(
                renderer,
                &report,
                &args.out,
                &mut outputs,
            )?),
            ("pdf", _) => written.extend(report::pdf::write(&report, &args.out, &mut outputs)?),
            (other, _) => written.push(write_data(&report, other, &args.out, &mut outputs)?),
        }
    }
    outputs.commit()?;
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!("Reports: {}", names.join(", "));
    Ok(0)
}

/// `findings.json`, `findings.csv` and the other data files, as `assay audit` writes them.
fn write_data(
    report: &Report,
    format: &str,
    dir: &Path,
    outputs: &mut crate::output::Outputs,
) -> Result<PathBuf> {
    let name = report::data::file_name(format).context("formats were checked above")?;
    let path = dir.join(name);
    let context = || format!("writing {}", path.display());
    let mut file = outputs.file(&path)?;
    report::data::render(report, format, &mut file).with_context(context)?;
    file.flush().with_context(context)?;
    Ok(path)
}
