//! The report formats that are one data file each (no templates, no pages): their names on
//! `--format`, their file names and their renderers, in one place for `assay audit` and
//! `assay report`.

use std::io::Write;

use super::Report;

/// `--format` name → file name, in the order the help lists them.
pub const FORMATS: [(&str, &str); 5] = [
    ("json", "findings.json"),
    ("csv", "findings.csv"),
    ("soa", "soa.csv"),
    ("ocsf", "findings.ocsf.jsonl"),
    ("asff", "findings.asff.json"),
];

/// The file a data format is written to, or `None` when `format` is not one.
pub fn file_name(format: &str) -> Option<&'static str> {
    FORMATS.iter().find(|(f, _)| *f == format).map(|(_, n)| *n)
}

/// Why a data file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error("`{0}` is not a data format")]
    Unknown(String),
}

/// Renders `format` (one of [`FORMATS`]) into `out`.
pub fn render(report: &Report, format: &str, out: &mut dyn Write) -> Result<(), RenderError> {
    match format {
        "json" => super::json::render(report, out)?,
        "csv" => super::csv::render(report, out)?,
        "soa" => super::soa::render_csv(report, out)?,
        "ocsf" => super::ocsf::render(report, out)?,
        "asff" => super::asff::render(report, out)?,
        other => return Err(RenderError::Unknown(other.to_string())),
    }
    Ok(())
}
