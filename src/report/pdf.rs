//! The PDF evidence pack: one PDF per framework of the profile (`report-<framework>.pdf`),
//! for auditors. Cover, scope and method, summary chart, control-by-control evidence
//! (PASS sampled, every FAIL/GAP/ERROR/UNKNOWN/WAIVED in full), manual controls, gaps, waiver
//! register, attestations and the rule catalogue; header and footer with report id,
//! evidence time, snapshot hash and "page X of Y"; a hierarchical outline; metadata; an
//! embedded Unicode font. Format and choices: `docs/reports.md`.
//!
//! Why printpdf with our own layout (`typeset::layout`) rather than a typesetter: measured, it
//! renders a 1,000-page pack in about 1.6 s with bounded memory and byte-identical
//! output for identical input; the typesetting an evidence pack needs (wrapped text,
//! tables that break across pages under a repeated header, a two-pass page count) is
//! small enough to own. The comparison and what printpdf could not reach are in
//! `docs/reports.md`; numbers in `BENCHMARKS.md`.

mod chart;
mod pack;

use std::path::{Path, PathBuf};

use printpdf::Op;

use self::pack::{PackData, short, time};
use crate::report::{FrameworkCoverage, Report};
use crate::typeset::layout::{
    BOTTOM, Canvas, GREY, H1, LEFT, LayoutFault, Mark, PAGE_H, Painter, RIGHT, RULE, SMALL,
    SMALL_BOLD, SMALL_GREY, Style, TOP, WIDTH,
};
use crate::typeset::{document, fonts};

/// One rendered pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The framework id (`iso27001-2022`).
    pub framework: String,
    /// `report-<framework>.pdf`.
    pub file_name: String,
    pub pages: usize,
    pub bytes: Vec<u8>,
    /// What the layout could not avoid (an orphaned heading or header row, a break inside
    /// an identifier), page numbers counted without the printed contents: empty for a
    /// clean pack. The page-scan test asserts on it; nothing else reads it.
    pub layout_faults: Vec<LayoutFault>,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("PDF pack for {framework}: {message}")]
    Render { framework: String, message: String },
    #[error("writing {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// The file name of a framework's pack: `report-<framework id>.pdf`, with anything but
/// ASCII letters, digits, `.`, `_` and `-` replaced by `-`.
pub fn file_name(framework_id: &str) -> String {
    let safe: String = framework_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("report-{safe}.pdf")
}

/// Renders one pack per framework of the report, on parallel threads (the packs are
/// independent; each holds only its own pages).
pub fn render(report: &Report) -> Result<Vec<Pack>, PdfError> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .max(1);
    let mut packs = Vec::new();
    for chunk in report.frameworks.chunks(threads) {
        let results: Vec<Result<Pack, PdfError>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|fw| s.spawn(move || render_framework(report, fw)))
                .collect();
            handles
                .into_iter()
                .zip(chunk)
                .map(|(h, fw)| {
                    h.join().unwrap_or_else(|_| {
                        Err(PdfError::Render {
                            framework: fw.id.clone(),
                            message: "rendering thread panicked".into(),
                        })
                    })
                })
                .collect()
        });
        for r in results {
            packs.push(r?);
        }
    }
    Ok(packs)
}

/// Above this many findings, `write` writes the packs one after another, each straight
/// into its file, instead of rendering them on parallel threads into memory first. Each
/// pack is written page by page ([`render_framework_to`]), so its memory does not grow
/// with its pages; below this size the packs are small and threads win.
const PARALLEL_PACKS_MAX_FINDINGS: usize = 20_000;

/// Renders the packs and stages them in `dir` as part of `outputs` (they appear when the
/// whole set is committed); returns the paths they will have.
pub fn write(
    report: &Report,
    dir: &Path,
    outputs: &mut crate::output::Outputs,
) -> Result<Vec<PathBuf>, PdfError> {
    if report.findings.len() <= PARALLEL_PACKS_MAX_FINDINGS {
        return render(report)?
            .into_iter()
            .map(|pack| {
                let path = dir.join(&pack.file_name);
                outputs.write(&path, &pack.bytes)?;
                Ok(path)
            })
            .collect();
    }
    report
        .frameworks
        .iter()
        .map(|fw| {
            let path = dir.join(file_name(&fw.id));
            let io = |source| PdfError::Io {
                path: path.display().to_string(),
                source,
            };
            let mut file = outputs.file(&path)?;
            render_framework_to(report, fw, &mut file)?;
            std::io::Write::flush(&mut file).map_err(io)?;
            Ok(path)
        })
        .collect()
}

/// Renders the pack of one framework into memory.
pub fn render_framework(report: &Report, framework: &FrameworkCoverage) -> Result<Pack, PdfError> {
    let mut bytes = Vec::new();
    let written = render_framework_to(report, framework, &mut bytes)?;
    Ok(Pack {
        framework: framework.id.clone(),
        file_name: file_name(&framework.id),
        pages: written.pages,
        bytes,
        layout_faults: written.layout_faults,
    })
}

/// What [`render_framework_to`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub pages: usize,
    /// As [`Pack::layout_faults`].
    pub layout_faults: Vec<LayoutFault>,
}

/// Pages the layout may run ahead of the writer.
const PAGES_IN_FLIGHT: usize = 16;

/// Writes the pack of one framework to `out`, page by page, in memory that does not grow
/// with its pages. Two layout passes: the first only counts (pages, outline marks, the
/// characters to embed, layout faults), so that "page N of M", the printed contents after
/// the cover and the fonts are known before the first page is written; the second lays
/// the pages out again on another thread and hands each one, as it is finished, to the
/// writer (`typeset::document::write_paged`), which decorates, encodes and writes it
/// and drops it. The layout is deterministic, so both passes make the same pages; the
/// writer fails if the counts differ.
pub fn render_framework_to(
    report: &Report,
    framework: &FrameworkCoverage,
    out: &mut dyn std::io::Write,
) -> Result<Written, PdfError> {
    let fail = |message: String| PdfError::Render {
        framework: framework.id.clone(),
        message,
    };
    let fonts = fonts::fonts().map_err(fail)?;
    let id = report.id();
    let data = PackData::new(report, framework, id.clone());

    // First pass: count.
    let mut canvas = Canvas::counting(fonts);
    pack::layout(&data, &mut canvas);
    let (body_pages, _, mut marks, mut painter) = canvas.finish_flow();
    let contents = contents(&mut marks, &mut painter);
    let total = body_pages + contents.len();
    let header = Header::new(&painter, report, framework, &id);
    let mut scratch = Vec::new();
    for i in 0..total {
        // Only for the characters the header and footer draw.
        header.draw(&mut scratch, &mut painter, i, total);
        scratch.clear();
    }
    let layout_faults = painter.faults.clone();
    let meta = meta(report, framework, &id);

    // Second pass: lay out again and write each page as it comes.
    let (to_writer, from_layout) = std::sync::mpsc::sync_channel(PAGES_IN_FLIGHT);
    let (laid_out, written) = std::thread::scope(|s| {
        let layout = s.spawn(|| {
            let mut canvas = Canvas::sending(fonts, to_writer);
            pack::layout(&data, &mut canvas);
            canvas.finish_flow().0
        });
        let mut decorator = Painter::new(fonts);
        let mut body = from_layout.into_iter();
        // The cover, then the printed contents, then the rest of the body.
        let pages = body
            .next()
            .into_iter()
            .chain(contents)
            .chain(body)
            .enumerate()
            .map(|(i, mut ops)| {
                header.draw(&mut ops, &mut decorator, i, total);
                ops
            });
        let written = document::write_paged(fonts, &painter.used, total, pages, &marks, &meta, out);
        (layout.join(), written)
    });
    written.map_err(fail)?;
    match laid_out {
        Ok(n) if n == body_pages => Ok(Written {
            pages: total,
            layout_faults,
        }),
        Ok(n) => Err(fail(format!(
            "the second layout pass made {n} pages, the first {body_pages}"
        ))),
        Err(_) => Err(fail("the layout thread panicked".into())),
    }
}

/// The document info of the pack.
fn meta(report: &Report, framework: &FrameworkCoverage, id: &str) -> document::Meta {
    let title = format!(
        "Evidence pack: {} — {}",
        framework.name, report.profile.organisation
    );
    document::Meta {
        title,
        author: "assay".into(),
        subject: format!(
            "Evidence supporting {} controls; snapshot {}, evidence time {}",
            framework.name,
            report.snapshot.manifest_digest,
            time(&report.snapshot.collected_at)
        ),
        keywords: vec![
            "evidence".into(),
            framework.id.clone(),
            framework.name.clone(),
            report.profile.organisation.clone(),
            format!("report {id}"),
            "assay".into(),
        ],
        creator: format!("{} {}", report.tool.name, report.tool.version),
        producer: format!(
            "{} {} (printpdf 0.12, lopdf)",
            report.tool.name, report.tool.version
        ),
        date: report.evaluated_at.format("D:%Y%m%d%H%M%SZ").to_string(),
        id: crate::snapshot::sha256_hex(format!("{id}\n{}", framework.id).as_bytes())
            .as_bytes()
            .chunks(2)
            .take(16)
            .filter_map(|h| {
                std::str::from_utf8(h)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect(),
        extra: Vec::new(),
    }
}

/// The printed table of contents, to go after the cover: sections, subsections, control
/// families and controls with the page each starts on; one `Vec<Op>` a page. Laid out
/// after the body, so the page numbers are known; `marks` (the body's, pages counted
/// without the contents) get the contents' own entry and shift by the pages inserted.
fn contents(marks: &mut Vec<Mark>, painter: &mut Painter) -> Vec<Vec<Op>> {
    const LINE: f32 = 12.5;
    let entries: Vec<Mark> = marks.iter().filter(|m| m.in_contents).cloned().collect();
    let first_room = ((BOTTOM - TOP - 40.0) / LINE).floor().max(1.0) as usize;
    let room = ((BOTTOM - TOP) / LINE).floor().max(1.0) as usize;
    let count = if entries.len() <= first_room {
        1
    } else {
        1 + (entries.len() - first_room).div_ceil(room)
    };
    let mut pages: Vec<Vec<Op>> = vec![Vec::new(); count];
    marks.insert(
        1.min(marks.len()),
        Mark {
            level: 0,
            title: "Contents".into(),
            page: 1,
            y: TOP,
            in_contents: false,
        },
    );
    let mut page = 0;
    let mut y = TOP;
    painter.text(&mut pages[0], LEFT, y + H1.size, H1, "Contents");
    y += 40.0;
    for e in &entries {
        if y + LINE > BOTTOM {
            page += 1;
            y = TOP;
        }
        let style = if e.level == 0 {
            SMALL_BOLD.size_of(9.0)
        } else {
            SMALL.size_of(8.5)
        };
        let indent = f32::from(e.level.min(3)) * 14.0;
        let number = (e.page + 1 + count).to_string();
        let y_now = y + LINE - 3.0;
        let nw = painter.width(style, &number);
        let title = painter.truncate(style, &e.title, WIDTH - indent - nw - 16.0);
        if let Some(ops) = pages.get_mut(page) {
            painter.text(ops, LEFT + indent, y_now, style, &title);
            painter.text_right(ops, RIGHT, y_now, style, &number);
        }
        y += LINE;
    }
    // The body marks were recorded before the contents existed.
    for m in marks.iter_mut().skip(2) {
        m.page += count;
    }
    pages
}

/// The header and footer of every page: the pack, the organisation, the report id, the
/// evidence time, the snapshot hash and "page N of M".
struct Header {
    left: String,
    right: String,
    footer_left: String,
}

impl Header {
    fn new(
        painter: &Painter,
        report: &Report,
        framework: &FrameworkCoverage,
        report_id: &str,
    ) -> Header {
        let left = format!(
            "Evidence pack · {} · {}",
            framework.name, report.profile.organisation
        );
        let right = format!("report {report_id}");
        let right_w = painter.width(SMALL_GREY, &right);
        Header {
            left: painter.truncate(SMALL_GREY, &left, WIDTH - right_w - 20.0),
            right,
            footer_left: format!(
                "evidence {} · snapshot {}",
                time(&report.snapshot.collected_at),
                short(&report.snapshot.manifest_digest, 16)
            ),
        }
    }

    /// Draws them on page `index` (0-based) of `total`.
    fn draw(&self, ops: &mut Vec<Op>, painter: &mut Painter, index: usize, total: usize) {
        let style: Style = SMALL_GREY;
        let footer_right = format!("page {} of {total}", index + 1);
        painter.text(ops, LEFT, 40.0, style, &self.left);
        painter.text_right(ops, RIGHT, 40.0, style, &self.right);
        painter.hline(ops, LEFT, RIGHT, 46.0, RULE, 0.5);
        painter.hline(ops, LEFT, RIGHT, PAGE_H - 46.0, RULE, 0.5);
        painter.text(ops, LEFT, PAGE_H - 34.0, style, &self.footer_left);
        painter.text_right(
            ops,
            RIGHT,
            PAGE_H - 34.0,
            SMALL_BOLD.colour(GREY),
            &footer_right,
        );
    }
}
