//! The formats `assay gate` writes, and the one place that says which files each is: a new
//! format is a variant here and its arm in [`Format::files`] (the compiler refuses a
//! variant without one), and `--format` takes it from then on.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Decision, Outcome};
use crate::output::{OutputError, Outputs};

/// A gate output format, as `--format` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `junit.xml`: one test case per finding, for CI test views.
    Junit,
    /// `results.sarif`: SARIF 2.1.0, for code-scanning views.
    Sarif,
    /// `summary.md`: Markdown, for a pull-request comment or job summary.
    Markdown,
    /// `findings.json` (the report, as `assay audit` writes it) and `gate.json` (the
    /// decision).
    Json,
}

/// Renders one output file from the gate's outcome.
type Render = fn(&Outcome<'_>, &mut dyn Write) -> std::io::Result<()>;

impl Format {
    /// The files this format writes, each with its renderer.
    pub fn files(self) -> &'static [(&'static str, Render)] {
        match self {
            Format::Junit => &[("junit.xml", super::junit::render)],
            Format::Sarif => &[("results.sarif", super::sarif::render)],
            Format::Markdown => &[("summary.md", super::markdown::render)],
            Format::Json => &[("findings.json", findings_json), ("gate.json", gate_json)],
        }
    }
}

fn findings_json(outcome: &Outcome<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    crate::report::json::render(outcome.report, out)
}

fn gate_json(outcome: &Outcome<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let decision: &Decision = outcome.decision;
    serde_json::to_writer_pretty(&mut *out, decision)?;
    out.write_all(b"\n")
}

/// Why a gate output file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("writing {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Stages the files of `format` for `outcome` in `dir` as part of `outputs` (they appear
/// when the whole set is committed); returns their paths.
pub fn write(
    format: Format,
    outcome: &Outcome<'_>,
    dir: &Path,
    outputs: &mut Outputs,
) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = Vec::new();
    for (name, render) in format.files() {
        let path = dir.join(name);
        let mut file = outputs.file(&path)?;
        render(outcome, &mut file)
            .and_then(|()| file.flush())
            .map_err(|source| WriteError::Io {
                path: path.clone(),
                source,
            })?;
        written.push(path);
    }
    Ok(written)
}
