//! `assay diff OLD NEW`: what changed between two snapshots or two findings documents.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::diff;
use crate::diff::render::Format;
use crate::exit::ExitStatus;
use crate::output::Outputs;

pub const AFTER_HELP: &str = "\
Examples:
  assay diff last-quarter/snapshot.json snapshot.json
  assay diff old/findings.json out/findings.json --format markdown -o changes.md

Two snapshots: resources added, removed and changed (each changed attribute with its old and
new value). Two findings documents: findings new, resolved and changed in status, and waivers
that started, expired or were removed. Findings are paired by fingerprint (rule id + resource),
as the gate's baseline pairs them. What a pair cannot show is stated in the output.

Exit status: 0 nothing changed, 1 something changed, 2 bad input (unreadable, not a snapshot
or findings document, a snapshot that fails its integrity check, or one of each).";

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot or findings document.
    pub old: PathBuf,
    /// The later one, of the same kind.
    pub new: PathBuf,
    /// The output format.
    #[arg(long, default_value = "text", value_parser = super::FormatParser::<Format>::new())]
    pub format: Format,
    /// Write to this file (all or nothing) instead of standard output.
    #[arg(short = 'o', long = "out", alias = "output")]
    pub output: Option<PathBuf>,
}

pub fn run(args: DiffArgs) -> Result<ExitStatus> {
    let diff = diff::diff_files(&args.old, &args.new)?;
    let text = args.format.render(&diff);
    match &args.output {
        Some(path) => {
            let mut outputs = Outputs::new();
            outputs.write(path, text.as_bytes())?;
            outputs.commit()?;
        }
        None if args.format == Format::Text => {
            print!("{}", crate::text::terminal_with(&text, true));
        }
        None => print!("{text}"),
    }
    Ok(diff.exit_code())
}
