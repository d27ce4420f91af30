//! The attestation as a PDF: a Tera text template (`attestation.pdf.tera`) writes a small
//! line-based markup, and this module lays it out with the evidence packs' layout engine
//! (`typeset::layout`). The wording lives in the template, as for the HTML, so a
//! vendor can reword or translate the document with `--templates` without rebuilding.
//!
//! The markup, one directive per line (blank lines and anything Tera leaves empty are
//! skipped; an unknown directive is an error naming the template line):
//!
//! | directive | lays out |
//! |---|---|
//! | `@title TEXT` | the document title |
//! | `@subtitle TEXT` | a grey line under it |
//! | `@h TEXT` / `@h3 TEXT` | a section / subsection heading |
//! | `@p TEXT` | a paragraph |
//! | `@note TEXT` | a small grey paragraph |
//! | `@alert TEXT` | a bold red paragraph (evidence not read from AWS) |
//! | `@kv LABEL \| VALUE` | a label–value row (consecutive rows form one table) |
//! | `@table TITLE:WEIGHT \| …` | starts a table; columns share the width by weight |
//! | `@row CELL \| …` | a row; a cell in backticks is monospaced, one in `*…*` bold |
//! | `@end` | ends the table |
//! | `@space POINTS` / `@pagebreak` | vertical space / a new page |
//!
//! Values from the account cannot inject markup: every string of the view has its line
//! breaks and `|` replaced before the template sees it.

use printpdf::Op;

use super::view::View;
use crate::typeset::document::{self, Meta};
use crate::typeset::fonts;
use crate::typeset::layout::{
    BODY, Canvas, Cell, GREY, H1, H2, H3, LEFT, LayoutFault, MONO, PAGE_H, Painter, RIGHT, RULE,
    SMALL, SMALL_BOLD, SMALL_GREY, Style, Table, WIDTH,
};

/// Table text of the attestation: 8 pt, the smallest a customer should be asked to read
/// (issue 19), in dense rows; the body of a busy account takes three pages.
const CELL: Style = SMALL.size_of(8.0);
/// Paragraph text: the body's size in the evidence packs is 9 pt; 8 keeps lines short.
const TEXT: Style = BODY.size_of(8.0);
const CELL_BOLD: Style = SMALL_BOLD.size_of(8.0);
const CELL_MONO: Style = MONO.size_of(8.0);
/// What a reader must not miss (evidence read from an endpoint that is not AWS's): bold,
/// in a red with a contrast of about 7:1 on white.
const ALERT: Style = SMALL_BOLD
    .size_of(8.0)
    .colour(crate::typeset::layout::Colour(0.7, 0.1, 0.1));

#[derive(Debug, thiserror::Error)]
pub enum MarkupError {
    #[error("{template} line {line}: {message}")]
    Line {
        template: String,
        line: usize,
        message: String,
    },
    #[error("attestation PDF: {0}")]
    Render(String),
}

/// PDF metadata entries that carry the signed attestation, so the PDF verifies alone.
pub const META_ATTESTATION: &str = "AssayAttestation";
pub const META_SIGNATURE: &str = "AssaySignature";
pub const META_FINGERPRINT: &str = "AssaySignerFingerprint";

/// Replaces line breaks and `|` in every string of a JSON value (markup safety).
pub fn flatten_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s.contains(['\n', '\r', '|']) => {
            *s = s
                .replace("\r\n", " ")
                .replace(['\n', '\r'], " ")
                .replace('|', "¦");
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(flatten_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(flatten_strings),
        _ => {}
    }
}

/// Lays out `markup` (the rendered template) and writes the PDF.
pub fn render(markup: &str, template: &str, view: &View) -> Result<Vec<u8>, MarkupError> {
    render_checked(markup, template, view).map(|(bytes, _)| bytes)
}

/// `render`, with what the layout could not avoid (an orphaned heading or header row, a
/// break inside an identifier): empty for a clean document. For the page-scan test.
pub fn render_checked(
    markup: &str,
    template: &str,
    view: &View,
) -> Result<(Vec<u8>, Vec<LayoutFault>), MarkupError> {
    let fonts = fonts::fonts().map_err(MarkupError::Render)?;
    let mut canvas = Canvas::new(fonts);
    lay_out(&mut canvas, markup, template)?;
    let (mut pages, marks, mut painter) = canvas.finish();
    decorate(&mut pages, &mut painter, view);
    let meta = meta(view)?;
    let faults = painter.faults.clone();
    let bytes =
        document::write(fonts, pages, &marks, &painter, &meta).map_err(MarkupError::Render)?;
    Ok((bytes, faults))
}

/// Lays out the markup's directives on `canvas`, one line at a time; a line it cannot read
/// is an error naming the template and the line.
fn lay_out(canvas: &mut Canvas, markup: &str, template: &str) -> Result<(), MarkupError> {
    let mut table: Option<Table> = None;
    let mut kv: Option<Table> = None;
    let mut shade = false;
    for (i, raw) in markup.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let error = |message: String| MarkupError::Line {
            template: template.to_string(),
            line: i + 1,
            message,
        };
        let (directive, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        if directive != "@kv" && kv.take().is_some() {
            canvas.space(2.0);
        }
        match directive {
            "@title" => {
                canvas.heading(H1.size_of(16.0), rest, 0, 30.0);
            }
            "@subtitle" => canvas.paragraph(SMALL_GREY.size_of(8.5), rest, 0.0),
            "@h" => canvas.heading(H2.size_of(10.0), rest, 0, 30.0),
            "@h3" => canvas.heading(H3, rest, 1, 48.0),
            "@p" => canvas.paragraph(TEXT, rest, 0.0),
            "@note" => canvas.paragraph(SMALL_GREY.size_of(8.0), rest, 0.0),
            "@alert" => canvas.paragraph(ALERT, rest, 0.0),
            "@space" => {
                let points: f32 = rest
                    .parse()
                    .map_err(|_| error(format!("@space needs a number of points, not `{rest}`")))?;
                canvas.space(points);
            }
            "@pagebreak" => canvas.new_page(),
            "@kv" => {
                let (label, value) = rest
                    .split_once('|')
                    .ok_or_else(|| error("@kv needs `LABEL | VALUE`".into()))?;
                let t = kv.get_or_insert_with(|| {
                    Table::new(&[("", 1.0), ("", 4.2)]).without_header().dense()
                });
                let cells: Vec<Cell> = vec![
                    vec![(CELL_BOLD, label.trim().to_string())],
                    cell(value.trim()),
                ];
                canvas.table_row(t, &cells, false);
            }
            "@table" => {
                if table.is_some() {
                    return Err(error("@table inside a table (missing @end)".into()));
                }
                let mut columns: Vec<(String, f32)> = Vec::new();
                for c in rest.split('|') {
                    let (title, weight) = c.trim().rsplit_once(':').unwrap_or((c.trim(), "1"));
                    let weight: f32 = weight.parse().map_err(|_| {
                        error(format!(
                            "column `{}`: weight `{weight}` is not a number",
                            c.trim()
                        ))
                    })?;
                    columns.push((title.to_string(), weight));
                }
                let cols: Vec<(&str, f32)> =
                    columns.iter().map(|(t, w)| (t.as_str(), *w)).collect();
                let t = Table::new(&cols).dense().header_style(CELL_BOLD);
                canvas.table_start(&t);
                table = Some(t);
                shade = false;
            }
            "@row" => {
                let t = table
                    .as_ref()
                    .ok_or_else(|| error("@row outside a table (no @table before it)".into()))?;
                let cells: Vec<Cell> = rest.split('|').map(|c| cell(c.trim())).collect();
                if cells.len() != t.columns.len() {
                    return Err(error(format!(
                        "@row has {} cells, the table has {} columns",
                        cells.len(),
                        t.columns.len()
                    )));
                }
                canvas.table_row(t, &cells, shade);
                shade = !shade;
            }
            "@end" => {
                if table.take().is_none() {
                    return Err(error("@end without a table".into()));
                }
                canvas.space(2.0);
            }
            other => {
                return Err(error(format!(
                    "unknown directive `{other}` (known: @title @subtitle @h @h3 @p @note @alert @kv @table @row @end @space @pagebreak)"
                )));
            }
        }
    }
    if table.is_some() {
        return Err(MarkupError::Line {
            template: template.to_string(),
            line: markup.lines().count(),
            message: "a @table is not closed with @end".into(),
        });
    }
    Ok(())
}

/// The document's metadata: title, subject and dates from the view, and the signed
/// attestation (with its signature and key fingerprint, when signed) embedded.
fn meta(view: &View) -> Result<Meta, MarkupError> {
    let mut extra = vec![(META_ATTESTATION.to_string(), String::new())];
    if view.signed {
        extra.push((META_SIGNATURE.to_string(), view.signature.clone()));
        extra.push((META_FINGERPRINT.to_string(), view.fingerprint.clone()));
    }
    extra[0].1 = String::from_utf8(
        base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            &view.embedded_attestation,
        )
        .map_err(|e| MarkupError::Render(e.to_string()))?,
    )
    .map_err(|e| MarkupError::Render(e.to_string()))?;
    Ok(Meta {
        title: format!(
            "Data residency and protection attestation — {}",
            view.organisation
        ),
        author: view.organisation.clone(),
        subject: format!(
            "Facts observed at {} in snapshot {}",
            view.observed_at, view.snapshot_digest
        ),
        keywords: vec![
            "attestation".into(),
            "data residency".into(),
            format!("attestation {}", view.id),
            "assay".into(),
        ],
        creator: view.tool.clone(),
        producer: format!("{} (printpdf 0.12, lopdf)", view.tool),
        date: view_date(view),
        id: view
            .id
            .as_bytes()
            .iter()
            .copied()
            .chain([0u8; 16])
            .take(16)
            .collect(),
        extra,
    })
}

/// The PDF date of the attestation: its issue time, never the wall clock.
fn view_date(view: &View) -> String {
    chrono::DateTime::parse_from_rfc3339(&view.issued_at_iso)
        .map(|t| t.format("D:%Y%m%d%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// A cell: `` `x` `` monospaced, `*x*` bold, otherwise plain.
fn cell(text: &str) -> Cell {
    if let Some(inner) = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        vec![(CELL_MONO, inner.to_string())]
    } else if let Some(inner) = text.strip_prefix('*').and_then(|t| t.strip_suffix('*'))
        && !inner.is_empty()
    {
        vec![(CELL_BOLD, inner.to_string())]
    } else {
        vec![(CELL, text.to_string())]
    }
}

/// Header and footer on every page: whose attestation, which evidence, which key.
fn decorate(pages: &mut [Vec<Op>], painter: &mut Painter, view: &View) {
    let total = pages.len();
    let left = format!("Attestation · {}", view.organisation);
    let right = format!("attestation {}", view.id);
    let footer = if view.signed {
        format!(
            "observed {} · snapshot {} · signed {}",
            view.observed_at,
            &view.snapshot_digest[..view.snapshot_digest.len().min(16)],
            view.fingerprint
        )
    } else {
        format!(
            "observed {} · snapshot {} · UNSIGNED",
            view.observed_at,
            &view.snapshot_digest[..view.snapshot_digest.len().min(16)]
        )
    };
    let style = SMALL_GREY;
    let right_w = painter.width(style, &right);
    let left = painter.truncate(style, &left, WIDTH - right_w - 20.0);
    for (i, ops) in pages.iter_mut().enumerate() {
        painter.text(ops, LEFT, 40.0, style, &left);
        painter.text_right(ops, RIGHT, 40.0, style, &right);
        painter.hline(ops, LEFT, RIGHT, 46.0, RULE, 0.5);
        painter.hline(ops, LEFT, RIGHT, PAGE_H - 46.0, RULE, 0.5);
        let page = format!("page {} of {total}", i + 1);
        let page_w = painter.width(SMALL_BOLD, &page);
        let footer = painter.truncate(style, &footer, WIDTH - page_w - 16.0);
        painter.text(ops, LEFT, PAGE_H - 34.0, style, &footer);
        painter.text_right(ops, RIGHT, PAGE_H - 34.0, SMALL_BOLD.colour(GREY), &page);
    }
}
