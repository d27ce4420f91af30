//! `assay report`: render a saved findings document again (HTML, PDF, JSON, CSV) without
//! evaluating anything, e.g. with other templates or for another reader.
//!
//! A report is only as good as the evidence it points into, so the snapshot the document
//! names is loaded, verified (raw response hashes and manifest digest), and must be the
//! snapshot the findings were made from: same manifest digest. Otherwise nothing is written.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::report::{self, Report};
use crate::snapshot::Snapshot;

const FORMATS: [&str; 4] = ["html", "pdf", "json", "csv"];

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The findings document written by `assay audit` (`findings.json`).
    #[arg(long, value_name = "FILE")]
    pub findings: PathBuf,
    /// The snapshot the findings were evaluated from. Default: the path recorded in the
    /// findings document, as given and then relative to the findings file's directory.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Output formats, comma-separated: html (`report.html`), pdf, json, csv.
    #[arg(long, value_delimiter = ',', default_value = "html")]
    pub format: Vec<String>,
    /// Directory for the report files (created if missing).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Directory of HTML templates replacing the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

pub const AFTER_HELP: &str = "Examples:\n  assay report --findings out/findings.json --format html --out out-html/\n  assay report --findings out/findings.json --templates my-templates/ --out branded/\n\nExit status: 0 written, 2 unreadable findings, a snapshot that is missing, fails verification or is not the one the findings name, or a broken template.";

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
    let snapshot_path = locate_snapshot(&args, &report)?;
    let snapshot = Snapshot::load(&snapshot_path)?;
    if snapshot.manifest.digest != report.snapshot.manifest_digest {
        bail!(
            "{} is not the snapshot {display} was evaluated from: its manifest digest is {}, the findings name {}",
            snapshot_path.display(),
            snapshot.manifest.digest,
            report.snapshot.manifest_digest
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

/// `findings.json` or `findings.csv`, as `assay audit` writes them.
fn write_data(
    report: &Report,
    format: &str,
    dir: &Path,
    outputs: &mut crate::output::Outputs,
) -> Result<PathBuf> {
    let path = dir.join(format!("findings.{format}"));
    let context = || format!("writing {}", path.display());
    let mut file = outputs.file(&path)?;
    match format {
        "json" => report::json::render(report, &mut file).with_context(context)?,
        _ => report::csv::render(report, &mut file).with_context(context)?,
    }
    file.flush().with_context(context)?;
    Ok(path)
}

/// The snapshot named by `--snapshot`, else the recorded path as given, else that path
/// relative to the findings file (a live audit records `snapshot.json` beside it).
fn locate_snapshot(args: &ReportArgs, report: &Report) -> Result<PathBuf> {
    if let Some(path) = &args.snapshot {
        return Ok(path.clone());
    }
    let recorded = PathBuf::from(&report.snapshot.path);
    let beside = args
        .findings
        .parent()
        .map(|dir| dir.join(&recorded))
        .filter(|_| recorded.is_relative());
    let candidates: Vec<PathBuf> = std::iter::once(recorded).chain(beside).collect();
    match candidates.iter().find(|p| p.is_file()) {
        Some(found) => Ok(found.clone()),
        None => bail!(
            "the snapshot the findings name was not found (tried {}); give it with --snapshot",
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
