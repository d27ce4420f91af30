//! Diagnostics for bad input files (rules, profiles, waivers, fixtures): collected, not
//! thrown, so one run reports every problem with file, line and column, then stops.
//!
//! Rendering uses `codespan-reporting` (as cargo-deny does): a code, a message, the source
//! line with a caret under the offending value, and notes such as did-you-mean.

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

/// A source file kept for rendering diagnostics.
#[derive(Debug, Default)]
pub struct Sources {
    files: SimpleFiles<String, String>,
}

/// Identifies a file in [`Sources`].
pub type FileId = usize;

impl Sources {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.add(name.into(), text.into())
    }

    pub fn text(&self, id: FileId) -> &str {
        self.files
            .get(id)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    pub fn name(&self, id: FileId) -> &str {
        self.files.get(id).map(|f| f.name().as_str()).unwrap_or("")
    }

    /// Byte offset of a 1-based line and column (columns count characters).
    pub fn offset(&self, id: FileId, line: usize, column: usize) -> usize {
        offset_in(self.text(id), line, column)
    }
}

/// Byte offset of a 1-based line and character column in `text`, clamped to the text.
pub fn offset_in(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
    let in_line = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    start + in_line
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

/// One problem in an input file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub level: Level,
    /// Stable kebab-case code, e.g. `unknown-field`, `unknown-param`, `cel-syntax`.
    pub code: &'static str,
    pub message: String,
    /// File and byte range the problem is at; `None` for problems without a place.
    pub at: Option<(FileId, Range<usize>)>,
    pub label: String,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            at: None,
            label: String::new(),
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, file: FileId, range: Range<usize>, label: impl Into<String>) -> Self {
        self.at = Some((file, range));
        self.label = label.into();
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// Everything found while loading inputs.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.level == Level::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Renders every diagnostic as plain text (stable for snapshots, logs and pipes).
    pub fn render_plain(&self, sources: &Sources) -> String {
        let config = term::Config::default();
        let mut out = String::new();
        for d in &self.items {
            let mut cs = match d.level {
                Level::Error => CsDiagnostic::error(),
                Level::Warning => CsDiagnostic::warning(),
            }
            .with_code(d.code)
            .with_message(&d.message)
            .with_notes(d.notes.clone());
            if let Some((file, range)) = &d.at {
                cs = cs.with_labels(vec![
                    Label::primary(*file, range.clone()).with_message(&d.label),
                ]);
            }
            match term::emit_into_string(&config, &sources.files, &cs) {
                Ok(text) => out.push_str(&text),
                // A range outside its file is our bug; still show the message.
                Err(_) => out.push_str(&format!(
                    "{}[{}]: {}\n",
                    if d.level == Level::Error {
                        "error"
                    } else {
                        "warning"
                    },
                    d.code,
                    d.message
                )),
            }
        }
        // Quoted source lines and messages come from the user's files: an escape
        // sequence in one is shown, not sent to the terminal.
        crate::text::terminal(&out).into_owned()
    }
}

/// The closest candidates to `word` among `candidates` (Jaro-Winkler ≥ 0.8), best first.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Turns a serde-saphyr error into a diagnostic at its location.
pub fn yaml_error(
    file: FileId,
    sources: &Sources,
    error: &serde_saphyr::Error,
    what: &str,
) -> Diagnostic {
    let message = match error.without_snippet() {
        // serde-saphyr rejects a key given twice in one mapping (its default policy, which
        // assay relies on: which value was meant would be ambiguous). Its message names
        // the key but also a library option, which means nothing to someone writing YAML.
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => format!(
            "duplicate key `{}`: a key may appear only once in a mapping",
            key.as_deref().unwrap_or("?")
        ),
        other => {
            let text = other.to_string();
            text.lines().next().unwrap_or("").to_string()
        }
    };
    let d = Diagnostic::error("yaml", format!("invalid {what}: {message}"));
    match error.location() {
        Some(loc) if loc.line() > 0 => {
            let start = sources.offset(file, loc.line() as usize, loc.column() as usize);
            d.at(file, start..start + 1, "here")
        }
        _ => d,
    }
}

/// A YAML input file, read into [`Sources`] (so diagnostics can quote it) and parsed.
pub struct YamlFile<T> {
    pub file: FileId,
    /// The text as read, e.g. to hash it.
    pub text: String,
    pub value: T,
}

/// Reads `path` into `sources` and parses it as `T`: the one way a profile or waiver file
/// is read. `name` names the file in "cannot read <name> …" and `kind` in "invalid <kind>:
/// …" (the YAML error, at its line and column). A file that cannot be read is not added.
pub fn read_yaml<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    name: &str,
    kind: &str,
    sources: &mut Sources,
) -> Result<YamlFile<T>, Box<Diagnostic>> {
    let text = crate::input::read_text(path).map_err(|e| {
        Diagnostic::error("io", format!("cannot read {name} {}: {e}", path.display()))
    })?;
    let file = sources.add(path.display().to_string(), text.clone());
    let value =
        serde_saphyr::from_str(&text).map_err(|e| Box::new(yaml_error(file, sources, &e, kind)))?;
    Ok(YamlFile { file, text, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_lines_and_characters() {
        let text = "ab\ncdé f\n";
        assert_eq!(offset_in(text, 1, 1), 0);
        assert_eq!(offset_in(text, 2, 1), 3);
        assert_eq!(offset_in(text, 2, 5), 3 + "cdé ".len());
        assert_eq!(offset_in(text, 9, 1), text.len());
    }

    #[test]
    fn suggestions_rank_close_names() {
        assert_eq!(
            did_you_mean("enabeld", ["enabled", "algorithm", "kms_key_arn"]),
            vec!["enabled"]
        );
        assert!(did_you_mean("zzz", ["enabled"]).is_empty());
    }
}
