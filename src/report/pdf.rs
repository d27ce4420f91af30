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

/// Above this many findings, `write` renders the packs one after another instead of on
/// parallel threads: a pack holds all its pages until it is written (about 0.33 MB a
/// page, ~30 findings a page with the sample's mix), so three packs of a 100,000-resource
/// audit at once would need several GB. Below it, the packs are small and threads win.
const PARALLEL_PACKS_MAX_FINDINGS: usize = 20_000;

/// Renders the packs and stages them in `dir` as part of `outputs` (they appear when the
/// whole set is committed), each staged and released before the next is rendered when the
/// report is large; returns the paths they will have.
pub fn write(
    report: &Report,
    dir: &Path,
    outputs: &mut crate::output::Outputs,
) -> Result<Vec<PathBuf>, PdfError> {
    let mut save = |pack: Pack| -> Result<PathBuf, PdfError> {
        let path = dir.join(&pack.file_name);
        outputs.write(&path, &pack.bytes)?;
        Ok(path)
    };
    if report.findings.len() <= PARALLEL_PACKS_MAX_FINDINGS {
        return render(report)?.into_iter().map(save).collect();
    }
    report
        .frameworks
        .iter()
        .map(|fw| save(render_framework(report, fw)?))
        .collect()
}

/// Renders the pack of one framework.
pub fn render_framework(report: &Report, framework: &FrameworkCoverage) -> Result<Pack, PdfError> {
    let fail = |message: String| PdfError::Render {
        framework: framework.id.clone(),
        message,
    };
    let fonts = fonts::fonts().map_err(fail)?;
    let id = report.id();
    let data = PackData::new(report, framework, id.clone());
    let mut canvas = Canvas::new(fonts);
    pack::layout(&data, &mut canvas);
    drop(data);
    contents(&mut canvas);
    let (mut pages, marks, mut painter) = canvas.finish();
    decorate(&mut pages, &mut painter, report, framework, &id);

    let title = format!(
        "Evidence pack: {} — {}",
        framework.name, report.profile.organisation
    );
    let meta = document::Meta {
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
    };
    let page_count = pages.len();
    let layout_faults = painter.faults.clone();
    let bytes = document::write(fonts, pages, &marks, &painter, &meta).map_err(fail)?;
    Ok(Pack {
        layout_faults,
        framework: framework.id.clone(),
        file_name: file_name(&framework.id),
        pages: page_count,
        bytes,
    })
}

/// Inserts the printed table of contents after the cover: sections, subsections, control
/// families and controls with the page each starts on. Laid out after the body, so the
/// page numbers are known; the body's marks shift by the pages inserted.
fn contents(canvas: &mut Canvas) {
    // Places a heading still waiting for content, so that its mark is counted.
    canvas.ensure(0.0);
    const LINE: f32 = 12.5;
    let entries: Vec<Mark> = canvas
        .marks
        .iter()
        .filter(|m| m.in_contents)
        .cloned()
        .collect();
    let first_room = ((BOTTOM - TOP - 40.0) / LINE).floor().max(1.0) as usize;
    let room = ((BOTTOM - TOP) / LINE).floor().max(1.0) as usize;
    let count = if entries.len() <= first_room {
        1
    } else {
        1 + (entries.len() - first_room).div_ceil(room)
    };
    canvas.insert_pages(1, count);
    canvas.marks.insert(
        1.min(canvas.marks.len()),
        Mark {
            level: 0,
            title: "Contents".into(),
            page: 1,
            y: TOP,
            in_contents: false,
        },
    );
    let mut page = 1;
    let mut y = TOP;
    canvas.draw_on(page, |p, ops| {
        p.text(ops, LEFT, y + H1.size, H1, "Contents")
    });
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
        canvas.draw_on(page, |p, ops| {
            let nw = p.width(style, &number);
            let title = p.truncate(style, &e.title, WIDTH - indent - nw - 16.0);
            p.text(ops, LEFT + indent, y_now, style, &title);
            p.text_right(ops, RIGHT, y_now, style, &number);
        });
        y += LINE;
    }
    // The body marks were recorded before the contents existed.
    for m in canvas.marks.iter_mut().skip(2) {
        m.page += count;
    }
}

/// Header and footer on every page, now that the page count is known (the second pass).
fn decorate(
    pages: &mut [Vec<Op>],
    painter: &mut Painter,
    report: &Report,
    framework: &FrameworkCoverage,
    report_id: &str,
) {
    let total = pages.len();
    let header_left = format!(
        "Evidence pack · {} · {}",
        framework.name, report.profile.organisation
    );
    let header_right = format!("report {report_id}");
    let footer_left = format!(
        "evidence {} · snapshot {}",
        time(&report.snapshot.collected_at),
        short(&report.snapshot.manifest_digest, 16)
    );
    let style: Style = SMALL_GREY;
    let right_w = painter.width(style, &header_right);
    let header_left = painter.truncate(style, &header_left, WIDTH - right_w - 20.0);
    for (i, ops) in pages.iter_mut().enumerate() {
        let footer_right = format!("page {} of {total}", i + 1);
        painter.text(ops, LEFT, 40.0, style, &header_left);
        painter.text_right(ops, RIGHT, 40.0, style, &header_right);
        painter.hline(ops, LEFT, RIGHT, 46.0, RULE, 0.5);
        painter.hline(ops, LEFT, RIGHT, PAGE_H - 46.0, RULE, 0.5);
        painter.text(ops, LEFT, PAGE_H - 34.0, style, &footer_left);
        painter.text_right(
            ops,
            RIGHT,
            PAGE_H - 34.0,
            SMALL_BOLD.colour(GREY),
            &footer_right,
        );
    }
}
