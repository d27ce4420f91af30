//! `assay diff OLD NEW`: what changed between two snapshots or two findings documents.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::diff::{self, render};
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

const FORMATS: &[&str] = &["text", "markdown", "json", "html"];

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot or findings document.
    pub old: PathBuf,
    /// The later one, of the same kind.
    pub new: PathBuf,
    /// text (terminal), markdown (a pull request or ticket), json, or html (a section to
    /// paste into a page).
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json", "html"])]
    pub format: String,
    /// Write to this file (all or nothing) instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

pub fn run(args: DiffArgs) -> Result<u8> {
    if !FORMATS.contains(&args.format.as_str()) {
        bail!(
            "unknown format `{}` (available: {})",
            args.format,
            FORMATS.join(", ")
        );
    }
    let diff = diff::diff_files(&args.old, &args.new)?;
    let text = match args.format.as_str() {
        "markdown" => render::markdown(&diff),
        "json" => render::json(&diff),
        "html" => render::html(&diff),
        _ => render::text(&diff),
    };
    match &args.output {
        Some(path) => {
            let mut outputs = Outputs::new();
            outputs.write(path, text.as_bytes())?;
            outputs.commit()?;
        }
        None if args.format == "text" => {
            print!("{}", crate::report::text::terminal_with(&text, true));
        }
        None => print!("{text}"),
    }
    Ok(diff.exit_code())
}
