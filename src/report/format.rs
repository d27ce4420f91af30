//! The report formats `assay audit` and `assay report` write, and the one place that says
//! which files each is: a new format is a variant here and its arm in [`Writer::write`]
//! (the compiler refuses a variant without one), and `--format` takes it from then on.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Report;
use super::html::{self, HtmlError};
use super::pdf::PdfError;
use crate::output::{OutputError, Outputs};

/// A report format, as `--format` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `findings.json`: the whole report, which `assay report` and `assay verify` read.
    Json,
    /// `findings.csv`: one row per finding.
    Csv,
    /// `report.html`.
    Html,
    /// `report-<framework>.pdf`: one evidence pack per framework of the profile.
    Pdf,
    /// `soa.csv`: the Statement of Applicability, one row per control of every framework.
    Soa,
    /// `findings.ocsf.jsonl`: OCSF 1.5.0 Compliance Finding events, one per line.
    Ocsf,
    /// `findings.asff.json`: the findings in AWS Security Hub's format (ASFF).
    Asff,
}

/// Why a report file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Html(#[from] HtmlError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error("writing {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing {}", path.display())]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
}

/// Writes report formats, with what they need loaded first: the HTML templates are input
/// too, so a broken one stops the run before anything is evaluated or written.
pub struct Writer {
    html: Option<html::Renderer>,
    templates: Option<PathBuf>,
}

impl Writer {
    /// A writer for `formats`, loading the HTML templates (the built-in ones replaced by
    /// those of the same name in `templates`) when HTML is among them.
    pub fn new(formats: &[Format], templates: Option<&Path>) -> Result<Writer, HtmlError> {
        let html = formats
            .contains(&Format::Html)
            .then(|| html::Renderer::new(templates))
            .transpose()?;
        Ok(Writer {
            html,
            templates: templates.map(Path::to_path_buf),
        })
    }

    /// Puts `fragment` (HTML escaped in Rust: the trend across quarters from the archive)
    /// into the HTML report, after the controls.
    pub fn set_trends(&mut self, fragment: String) {
        if let Some(html) = &mut self.html {
            html.set_trends(fragment);
        }
    }

    /// Stages `format`'s files for `report` in `dir` as part of `outputs` (they appear when
    /// the whole set is committed); returns their paths.
    pub fn write(
        &self,
        format: Format,
        report: &Report,
        dir: &Path,
        outputs: &mut Outputs,
    ) -> Result<Vec<PathBuf>, WriteError> {
        match format {
            Format::Json => data_file(dir, "findings.json", outputs, |out| {
                super::json::render(report, out).map_err(DataError::Io)
            }),
            Format::Csv => data_file(dir, "findings.csv", outputs, |out| {
                super::csv::render(report, out).map_err(DataError::Csv)
            }),
            Format::Soa => data_file(dir, "soa.csv", outputs, |out| {
                super::soa::render_csv(report, out).map_err(DataError::Csv)
            }),
            Format::Ocsf => data_file(dir, "findings.ocsf.jsonl", outputs, |out| {
                super::ocsf::render(report, out).map_err(DataError::Io)
            }),
            Format::Asff => data_file(dir, "findings.asff.json", outputs, |out| {
                super::asff::render(report, out).map_err(DataError::Io)
            }),
            Format::Html => {
                let built;
                let renderer = match &self.html {
                    Some(renderer) => renderer,
                    None => {
                        built = html::Renderer::new(self.templates.as_deref())?;
                        &built
                    }
                };
                Ok(vec![html::write(renderer, report, dir, outputs)?])
            }
            Format::Pdf => Ok(super::pdf::write(report, dir, outputs)?),
        }
    }
}

/// What a one-file data renderer failed on.
enum DataError {
    Io(std::io::Error),
    Csv(csv::Error),
}

/// Stages `name` in `dir` and renders one data file (JSON, CSV, …) into it.
fn data_file(
    dir: &Path,
    name: &str,
    outputs: &mut Outputs,
    render: impl FnOnce(&mut dyn Write) -> Result<(), DataError>,
) -> Result<Vec<PathBuf>, WriteError> {
    let path = dir.join(name);
    let mut file = outputs.file(&path)?;
    let written = render(&mut file).and_then(|()| file.flush().map_err(DataError::Io));
    match written {
        Ok(()) => Ok(vec![path]),
        Err(DataError::Io(source)) => Err(WriteError::Io { path, source }),
        Err(DataError::Csv(source)) => Err(WriteError::Csv { path, source }),
    }
}
