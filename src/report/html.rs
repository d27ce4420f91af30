//! `report.html`: one self-contained evidence report (inline CSS, JS and SVG; nothing is
//! fetched from the network), rendered with Tera 2 from `report-templates/`.
//!
//! The built-in templates are compiled in (`include_str!`); `--templates DIR` replaces any
//! of them by a file of the same relative name and may add partials. Everything printed
//! from the account (names, tags, messages) is untrusted, so:
//! - autoescape is switched on for `*.html.tera` (Tera only escapes `.html`/`.htm`/`.xml`
//!   names by default, so a `.html.tera` template would otherwise print `<script>` raw);
//! - the only unescaped values are the SVG charts, which `chart.rs` escapes itself, and
//!   our own script;
//! - a Content-Security-Policy allows that one script by its hash and nothing from the
//!   network, so even an escaping mistake could not run injected script.

mod view;

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tera::{Context, Tera};

use super::Report;
pub use view::View;

/// The template the report starts from.
pub const MAIN: &str = "evidence.html.tera";
/// The report's script, rendered first so the page's CSP can name its hash.
const SCRIPT: &str = "partials/script.js.tera";
/// The findings table's rows, rendered a batch at a time where the page prints
/// `finding_rows` (see [`Renderer::render`]).
pub const ROWS: &str = "partials/finding-rows.html.tera";
/// Findings per batch of rows: enough that Tera's per-render cost is spread, few enough
/// that a batch's view stays small (a few MB at most).
const ROWS_BATCH: usize = 256;

/// The built-in templates: (name, content).
pub const BUILT_IN: [(&str, &str); 15] = [
    (
        MAIN,
        include_str!("../../report-templates/evidence.html.tera"),
    ),
    (
        "partials/scope.html.tera",
        include_str!("../../report-templates/partials/scope.html.tera"),
    ),
    (
        "partials/soa.html.tera",
        include_str!("../../report-templates/partials/soa.html.tera"),
    ),
    (
        "partials/summary.html.tera",
        include_str!("../../report-templates/partials/summary.html.tera"),
    ),
    (
        "partials/claims.html.tera",
        include_str!("../../report-templates/partials/claims.html.tera"),
    ),
    (
        "partials/controls.html.tera",
        include_str!("../../report-templates/partials/controls.html.tera"),
    ),
    (
        "partials/gaps.html.tera",
        include_str!("../../report-templates/partials/gaps.html.tera"),
    ),
    (
        "partials/waivers.html.tera",
        include_str!("../../report-templates/partials/waivers.html.tera"),
    ),
    (
        "partials/attestations.html.tera",
        include_str!("../../report-templates/partials/attestations.html.tera"),
    ),
    (
        "partials/findings.html.tera",
        include_str!("../../report-templates/partials/findings.html.tera"),
    ),
    (
        ROWS,
        include_str!("../../report-templates/partials/finding-rows.html.tera"),
    ),
    (
        "partials/rules.html.tera",
        include_str!("../../report-templates/partials/rules.html.tera"),
    ),
    (
        "partials/counts.html.tera",
        include_str!("../../report-templates/partials/counts.html.tera"),
    ),
    (
        "partials/style.css.tera",
        include_str!("../../report-templates/partials/style.css.tera"),
    ),
    (
        SCRIPT,
        include_str!("../../report-templates/partials/script.js.tera"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("template {name}: not UTF-8 text")]
    NotUtf8 { name: String },
    #[error("HTML templates: {0}")]
    Template(String),
    #[error(
        "HTML templates: the page must print {{{{ finding_rows | safe }}}} exactly once, where the \
         findings table's rows go (it printed it {0} times); the rows are \
         {ROWS}"
    )]
    RowsPlaceholder(usize),
    #[error("writing the HTML report: {0}")]
    Write(#[from] std::io::Error),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// Tera's errors keep their cause (the template line) in the source chain; flatten it so
/// the message says where a user's template went wrong.
pub(crate) fn template_error(e: tera::Error) -> HtmlError {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    HtmlError::Template(text)
}

/// `built_in` templates, each replaced by the file of the same relative name under
/// `overrides` when there is one (extra `*.tera` files there are added too), loaded and
/// checked, with autoescape on for `*.html.tera`. Shared with the attestation templates.
pub(crate) fn load_templates(
    built_in: &[(&str, &str)],
    overrides: Option<&Path>,
) -> Result<Tera, HtmlError> {
    let mut templates: Vec<(String, String)> = built_in
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    if let Some(dir) = overrides {
        for (name, text) in read_dir_templates(dir)? {
            match templates.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = text,
                None => templates.push((name, text)),
            }
        }
    }
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html.tera", ".html"]);
    tera.register_filter("breakable", breakable);
    tera.register_filter("inline_code", inline_code);
    tera.add_raw_templates(templates).map_err(template_error)?;
    Ok(tera)
}

/// The Tera filter `breakable`: a long identifier (ARN) HTML-escaped, with a `<wbr>` after
/// each `/` and `:` so that a browser breaks it between its parts, never inside an
/// account id or a region (the page's CSS breaks a word elsewhere only when a part is
/// wider than its box). Its output is marked safe: `{{ arn | breakable }}`.
pub(crate) fn breakable(value: &str, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    let mut escaped = Vec::with_capacity(value.len() + 16);
    // Writing to a Vec cannot fail.
    let _ = tera::escape_html(value, &mut escaped);
    let escaped = String::from_utf8_lossy(&escaped);
    let text = escaped.replace('/', "/<wbr>").replace(':', ":<wbr>");
    tera::Value::safe_string(&text)
}

/// The Tera filter `inline_code`: rule documentation (Markdown) HTML-escaped, with each
/// `` `code` `` span as `<code>code</code>` (an unpaired backtick stays as it is). Its
/// output is marked safe: `{{ rule.what | inline_code }}`.
pub(crate) fn inline_code(value: &str, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    let mut escaped = Vec::with_capacity(value.len() + 16);
    // Writing to a Vec cannot fail.
    let _ = tera::escape_html(value, &mut escaped);
    let escaped = String::from_utf8_lossy(&escaped);
    let pieces: Vec<&str> = escaped.split('`').collect();
    let mut out = String::with_capacity(escaped.len() + 16);
    for (i, piece) in pieces.iter().enumerate() {
        // An odd piece is a span when a backtick closes it (it is not the last piece).
        let paired = i % 2 == 1 && i + 1 < pieces.len();
        match (i % 2 == 1, paired) {
            (true, true) => {
                out.push_str("<code>");
                out.push_str(piece);
                out.push_str("</code>");
            }
            (true, false) => {
                out.push('`');
                out.push_str(piece);
            }
            _ => out.push_str(piece),
        }
    }
    tera::Value::safe_string(&out)
}

/// Loaded and checked templates, ready to render any number of reports.
pub struct Renderer {
    tera: Tera,
    /// The trend across quarters from the archive (HTML escaped in Rust), when one was
    /// given.
    trends: Option<String>,
}

impl Renderer {
    /// The built-in templates, each replaced by the file of the same relative name under
    /// `overrides` when there is one; extra `*.tera` files there are added too. Loading
    /// checks the templates, so a broken one is reported before anything is evaluated.
    pub fn new(overrides: Option<&Path>) -> Result<Renderer, HtmlError> {
        let tera = load_templates(&BUILT_IN, overrides)?;
        Ok(Renderer { tera, trends: None })
    }

    /// Shows `fragment` (the trend across quarters, escaped in Rust) in every report.
    pub fn set_trends(&mut self, fragment: String) {
        self.trends = Some(fragment);
    }

    /// Renders `report` as one HTML document, written as it is produced: the page around
    /// the findings table is rendered once with a placeholder where the rows go (its size
    /// does not grow with the findings), then the rows are rendered and written
    /// [`ROWS_BATCH`] findings at a time, so neither the document nor a view of every
    /// finding is ever held whole.
    pub fn render(&self, report: &Report, out: &mut dyn Write) -> Result<(), HtmlError> {
        let view = View::new(report, report.id());
        let mut context = Context::from_serialize(&view).map_err(template_error)?;
        drop(view);
        let script = self.tera.render(SCRIPT, &context).map_err(template_error)?;
        context.insert(
            "csp_script_hash",
            &format!("sha256-{}", base64(&Sha256::digest(script.as_bytes()))),
        );
        context.insert("script", &script);
        context.insert("trends_html", &self.trends);
        let placeholder = rows_placeholder(&script);
        context.insert("finding_rows", &placeholder);
        let page = self.tera.render(MAIN, &context).map_err(template_error)?;
        drop(context);
        let (head, tail) = match page.split_once(&placeholder) {
            Some((head, tail)) if !tail.contains(&placeholder) => (head, tail),
            _ => {
                return Err(HtmlError::RowsPlaceholder(
                    page.matches(&placeholder).count(),
                ));
            }
        };
        out.write_all(head.as_bytes())?;
        self.rows(report, out)?;
        out.write_all(tail.as_bytes())?;
        Ok(())
    }

    /// The findings table's rows in table order, rendered and written a batch at a time.
    fn rows(&self, report: &Report, out: &mut dyn Write) -> Result<(), HtmlError> {
        let order = view::table_order(report);
        for (i, batch) in order.chunks(ROWS_BATCH).enumerate() {
            let mut context = Context::new();
            context.insert("findings", &view::finding_rows(batch, report));
            context.insert("offset", &(i * ROWS_BATCH));
            self.tera
                .render_to(ROWS, &context, &mut *out)
                .map_err(template_error)?;
        }
        Ok(())
    }
}

/// A marker for where the rows go that no report text can contain by chance: it carries
/// the hash of the rendered script (which the page prints too, escaped only in the CSP).
fn rows_placeholder(script: &str) -> String {
    format!(
        "<!--assay-finding-rows-{}-->",
        crate::snapshot::sha256_hex(format!("finding rows\n{script}").as_bytes())
    )
}

/// The file name `assay audit` and `assay report` write.
pub const FILE_NAME: &str = "report.html";

/// Renders `report` as `dir/report.html`, staged in `outputs` (it appears when the whole
/// set is committed, so a template error part-way leaves nothing); returns the path.
pub fn write(
    renderer: &Renderer,
    report: &Report,
    dir: &Path,
    outputs: &mut crate::output::Outputs,
) -> Result<PathBuf, HtmlError> {
    let path = dir.join(FILE_NAME);
    let io = |source| HtmlError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut out = outputs.file(&path)?;
    renderer.render(report, &mut out)?;
    out.flush().map_err(io)?;
    Ok(path)
}

/// Renders with the built-in templates.
pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), HtmlError> {
    Renderer::new(None)?.render(report, out)
}

/// Every `*.tera` file under `dir`, named by its path relative to `dir` with `/`.
fn read_dir_templates(dir: &Path) -> Result<Vec<(String, String)>, HtmlError> {
    let io = |path: &Path| {
        let path = format!("reading templates: {}", path.display());
        move |source| HtmlError::Io { path, source }
    };
    let mut found = Vec::new();
    let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).map_err(io(&current))? {
            let path = entry.map_err(io(&current))?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "tera") {
                continue;
            }
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = crate::input::read(&path).map_err(io(&path))?;
            let text =
                String::from_utf8(bytes).map_err(|_| HtmlError::NotUtf8 { name: name.clone() })?;
            found.push((name, text));
        }
    }
    found.sort();
    Ok(found)
}

/// Standard base64 with padding (RFC 4648), for the CSP hash source.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
