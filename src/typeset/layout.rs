//! A small flow layout on printpdf's canvas: wrapped text, headings that keep with what
//! follows, tables whose rows break across pages under a repeated header row, and marks
//! for the outline and the printed contents.
//!
//! Why hand-written: printpdf 0.12 (without its HTML feature) is a canvas — it places
//! glyphs where it is told. Pagination is the part of an evidence pack an auditor notices
//! (a finding cut in half, a table without its header on page 214), so it lives here,
//! in one place, and works on measured text (`fonts.rs`). Coordinates are points from
//! the top-left of an A4 page; they are flipped to PDF's bottom-left origin only when
//! ops are emitted.

use std::collections::BTreeSet;

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, Rgb, TextItem,
    TextMatrix,
};

use crate::typeset::fonts::{Face, FontSet};

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const LEFT: f32 = 50.0;
pub const RIGHT: f32 = PAGE_W - 50.0;
pub const WIDTH: f32 = RIGHT - LEFT;
/// The body runs from `TOP` to `BOTTOM`; header and footer sit outside it.
pub const TOP: f32 = 66.0;
pub const BOTTOM: f32 = PAGE_H - 58.0;

/// An RGB colour, components 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour(pub f32, pub f32, pub f32);

impl Colour {
    fn to_pdf(self) -> Color {
        Color::Rgb(Rgb {
            r: self.0,
            g: self.1,
            b: self.2,
            icc_profile: None,
        })
    }
}

pub const BLACK: Colour = Colour(0.1, 0.1, 0.12);
pub const GREY: Colour = Colour(0.38, 0.4, 0.44);
pub const RULE: Colour = Colour(0.78, 0.8, 0.83);
pub const SHADE: Colour = Colour(0.955, 0.96, 0.97);
pub const HEADER_FILL: Colour = Colour(0.87, 0.9, 0.94);
pub const ACCENT: Colour = Colour(0.12, 0.27, 0.45);

/// Face, size and colour of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub face: Face,
    pub size: f32,
    pub colour: Colour,
    /// Markdown code spans: text between backticks is set in the monospaced face and the
    /// backticks are not printed (rule documentation, our own prose). Off for text from
    /// an account, where a backtick is just a character.
    pub code_spans: bool,
}

impl Style {
    pub const fn new(face: Face, size: f32) -> Style {
        Style {
            face,
            size,
            colour: BLACK,
            code_spans: false,
        }
    }

    /// This style, reading `` `code` `` as inline code.
    pub const fn with_code_spans(self) -> Style {
        Style {
            code_spans: true,
            ..self
        }
    }

    /// The style of a code span inside text of this style: monospaced, a little smaller
    /// (the mono face runs wide), same colour.
    fn code(self) -> Style {
        Style {
            face: Face::Mono,
            size: self.size * 0.92,
            code_spans: false,
            ..self
        }
    }

    pub const fn colour(self, colour: Colour) -> Style {
        Style { colour, ..self }
    }

    pub const fn size_of(self, size: f32) -> Style {
        Style { size, ..self }
    }

    pub fn line_height(&self) -> f32 {
        self.size * LEADING
    }
}

pub const BODY: Style = Style::new(Face::Regular, 9.0);
pub const SMALL: Style = Style::new(Face::Regular, 7.5);
pub const SMALL_BOLD: Style = Style::new(Face::Bold, 7.5);
pub const SMALL_GREY: Style = Style::new(Face::Regular, 7.5).colour(GREY);
pub const MONO: Style = Style::new(Face::Mono, 7.0);
pub const H1: Style = Style::new(Face::Bold, 16.0).colour(ACCENT);
pub const H2: Style = Style::new(Face::Bold, 12.5).colour(ACCENT);
pub const H3: Style = Style::new(Face::Bold, 10.0);

/// A heading recorded for the outline (bookmarks) and the printed contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// 0 = top level.
    pub level: u8,
    pub title: String,
    /// 0-based page index.
    pub page: usize,
    /// Distance from the top of the page.
    pub y: f32,
    /// Also listed in the printed contents (the outline always has it).
    pub in_contents: bool,
}

/// The characters drawn in each face: what the font subsets must contain.
#[derive(Debug, Default)]
pub struct CharSets {
    low: [Vec<u64>; 4],
    high: [BTreeSet<char>; 4],
}

impl CharSets {
    fn add(&mut self, face: Face, text: &str) {
        let i = face.index();
        if self.low[i].is_empty() {
            self.low[i] = vec![0; 1024];
        }
        for ch in text.chars() {
            let cp = ch as usize;
            if cp < 65536 {
                self.low[i][cp / 64] |= 1 << (cp % 64);
            } else {
                self.high[i].insert(ch);
            }
        }
    }

    /// The characters used in `face`.
    pub fn chars(&self, face: Face) -> BTreeSet<char> {
        let i = face.index();
        let mut out = self.high[i].clone();
        for (word, bits) in self.low[i].iter().enumerate() {
            if *bits == 0 {
                continue;
            }
            for bit in 0..64 {
                if bits & (1 << bit) != 0
                    && let Some(c) = char::from_u32((word * 64 + bit) as u32)
                {
                    out.insert(c);
                }
            }
        }
        out
    }

    pub fn is_used(&self, face: Face) -> bool {
        let i = face.index();
        self.low[i].iter().any(|b| *b != 0) || !self.high[i].is_empty()
    }
}

/// Emits drawing ops, measuring text with the font set and recording the characters used
/// and the layout faults (`LayoutFault`) the flow could not avoid.
pub struct Painter {
    pub fonts: &'static FontSet,
    pub used: CharSets,
    /// Breaks inside a token that would have fitted whole, found while wrapping (a
    /// `RefCell` because measuring and wrapping borrow the painter shared).
    breaks: std::cell::RefCell<Vec<LayoutFault>>,
    /// Every fault found, in the order found: what the page-scan test reads.
    pub faults: Vec<LayoutFault>,
}

/// What the flow checks on every page it lays out, so that a test can assert on the
/// documents themselves (`docs/reports.md`, "Pagination"): a heading or a table's header
/// row left alone at the foot of a page, and an identifier broken inside a token.
#[derive(Debug, Clone, PartialEq)]
pub enum LayoutFault {
    /// A heading or a table header row is the last thing on its page (0-based index).
    Orphan { page: usize, what: String },
    /// A word broken between `before` and `after` neither after a separator nor inside
    /// a token too wide for the line.
    MidToken { before: String, after: String },
}

impl std::fmt::Display for LayoutFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayoutFault::Orphan { page, what } => {
                write!(f, "page {}: {what} is the last thing on the page", page + 1)
            }
            LayoutFault::MidToken { before, after } => {
                write!(f, "`{before}|{after}` is broken inside a token")
            }
        }
    }
}

/// Where a word too long for its line may break: after one of these. Anywhere else only
/// when the token between two of them is itself wider than the line.
pub const BREAK_AFTER: &[char] = &['-', ':', '/', '.', '_'];

impl Painter {
    pub fn new(fonts: &'static FontSet) -> Painter {
        Painter {
            fonts,
            used: CharSets::default(),
            breaks: std::cell::RefCell::new(Vec::new()),
            faults: Vec::new(),
        }
    }

    /// Draws `text` on one line with its baseline at `y` (from the top).
    pub fn text(&mut self, ops: &mut Vec<Op>, x: f32, y: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        if style.code_spans {
            let mut x = x;
            for (i, piece) in text.split('`').enumerate() {
                let piece_style = if i % 2 == 1 {
                    style.code()
                } else {
                    Style {
                        code_spans: false,
                        ..style
                    }
                };
                self.text(ops, x, y, piece_style, piece);
                x += self.width(piece_style, piece);
            }
            return;
        }
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFillColor {
            col: style.colour.to_pdf(),
        });
        let mut x = x;
        for run in self.fonts.runs(style.face, text, style.size) {
            self.used.add(run.face, &run.text);
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(FontId(run.face.resource_name().into())),
                size: Pt(style.size),
            });
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(x), Pt(PAGE_H - y)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(run.text)],
            });
            x += run.width;
        }
        ops.push(Op::EndTextSection);
    }

    /// Draws `text` ending at `right`.
    pub fn text_right(&mut self, ops: &mut Vec<Op>, right: f32, y: f32, style: Style, text: &str) {
        let w = self.width(style, text);
        self.text(ops, right - w, y, style, text);
    }

    pub fn width(&self, style: Style, text: &str) -> f32 {
        if style.code_spans {
            let plain = Style {
                code_spans: false,
                ..style
            };
            return text
                .split('`')
                .enumerate()
                .map(|(i, piece)| {
                    let s = if i % 2 == 1 { style.code() } else { plain };
                    self.fonts.width(s.face, piece, s.size)
                })
                .sum();
        }
        self.fonts.width(style.face, text, style.size)
    }

    /// `text` cut to `width`, with an ellipsis when it was cut.
    pub fn truncate(&self, style: Style, text: &str, width: f32) -> String {
        if self.width(style, text) <= width {
            return text.to_string();
        }
        let limit = width - self.width(style, "…");
        let mut out = String::new();
        let mut w = 0.0;
        for ch in text.chars() {
            w += self.fonts.char_width(style.face, ch, style.size);
            if w > limit {
                break;
            }
            out.push(ch);
        }
        out.push('…');
        out
    }

    /// Wraps `text` to `width`: at spaces, and inside words that are too long (ARNs,
    /// hashes, URLs) after a separator such as `/` or `:` where possible. Newlines in
    /// `text` start new lines. Never returns an empty list.
    pub fn wrap(&self, style: Style, text: &str, width: f32) -> Vec<String> {
        if style.code_spans && !text.contains('`') {
            return self.wrap(
                Style {
                    code_spans: false,
                    ..style
                },
                text,
                width,
            );
        }
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            self.wrap_paragraph(style, paragraph, width, &mut lines);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        if style.code_spans {
            balance_code_spans(&mut lines);
        }
        lines
    }

    fn wrap_paragraph(&self, style: Style, text: &str, width: f32, lines: &mut Vec<String>) {
        let space = self.fonts.char_width(style.face, ' ', style.size);
        let mut line = String::new();
        let mut line_w = 0.0f32;
        // Inside a code span that started in an earlier word.
        let mut in_code = false;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let word_w = if style.code_spans {
                let measured = if in_code {
                    self.width(style, &format!("`{word}"))
                } else {
                    self.width(style, word)
                };
                in_code ^= word.matches('`').count() % 2 == 1;
                measured
            } else {
                self.width(style, word)
            };
            if !line.is_empty() && line_w + space + word_w <= width {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if word_w <= width {
                line = word.to_string();
                line_w = word_w;
                continue;
            }
            // A word longer than the line: break it, the last piece stays open.
            let mut pieces = self.break_word(style, word, width);
            let last = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
            line_w = self.width(style, &last);
            line = last;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
    }

    /// Breaks a word wider than `width` into pieces that fit, only after a separator
    /// (`BREAK_AFTER`): whole tokens fill each line. A token wider than the line on its own
    /// (a hash, a long id) is the one thing broken elsewhere, where the line is full.
    fn break_word(&self, style: Style, word: &str, width: f32) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        // A word with code spans is measured as code throughout (a little wide, never
        // too narrow), its backticks kept for `balance_code_spans`.
        let style = if style.code_spans {
            style.code()
        } else {
            style
        };
        for token in word.split_inclusive(BREAK_AFTER) {
            let token_w = self.width(style, token);
            if line_w + token_w <= width {
                line.push_str(token);
                line_w += token_w;
                continue;
            }
            if !line.is_empty() && token_w <= width {
                pieces.push(std::mem::take(&mut line));
                line.push_str(token);
                line_w = token_w;
                continue;
            }
            // Too wide for any line: fill this one and carry on character by character.
            for ch in token.chars() {
                let cw = self.fonts.char_width(style.face, ch, style.size);
                if line_w + cw > width && !line.is_empty() {
                    pieces.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(ch);
                line_w += cw;
            }
        }
        if !line.is_empty() {
            pieces.push(line);
        }
        self.check_breaks(style, &pieces, width);
        pieces
    }

    /// Records each break between `pieces` of one word that is neither after a separator
    /// nor inside a token too wide for `width` (independent of how the breaks were
    /// chosen, so that a change to `break_word` cannot hide a fault from the tests).
    fn check_breaks(&self, style: Style, pieces: &[String], width: f32) {
        for pair in pieces.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            if before.ends_with(BREAK_AFTER) {
                continue;
            }
            let head = before.rsplit(BREAK_AFTER).next().unwrap_or(before);
            let tail = after.split_inclusive(BREAK_AFTER).next().unwrap_or(after);
            if self.width(style, &format!("{head}{tail}")) > width {
                continue;
            }
            self.breaks.borrow_mut().push(LayoutFault::MidToken {
                before: before.clone(),
                after: after.clone(),
            });
        }
    }

    pub fn rect(&mut self, ops: &mut Vec<Op>, x: f32, y: f32, w: f32, h: f32, fill: Colour) {
        ops.push(Op::SetFillColor { col: fill.to_pdf() });
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(PAGE_H - y - h),
                width: Pt(w),
                height: Pt(h),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    pub fn hline(
        &mut self,
        ops: &mut Vec<Op>,
        x1: f32,
        x2: f32,
        y: f32,
        colour: Colour,
        width: f32,
    ) {
        ops.push(Op::SetOutlineColor {
            col: colour.to_pdf(),
        });
        ops.push(Op::SetOutlineThickness { pt: Pt(width) });
        let point = |x: f32| LinePoint {
            p: Point {
                x: Pt(x),
                y: Pt(PAGE_H - y),
            },
            bezier: false,
        };
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![point(x1), point(x2)],
                is_closed: false,
            },
        });
    }
}

/// Closes a code span open at the end of a line and reopens it on the next, so that
/// each line of text with code spans is drawn on its own (`Painter::text`).
fn balance_code_spans(lines: &mut [String]) {
    let mut open = false;
    for line in lines.iter_mut() {
        if open {
            line.insert(0, '`');
        }
        if line.matches('`').count() % 2 == 1 {
            line.push('`');
            open = true;
        } else {
            open = false;
        }
    }
}

/// A table column: its header text and width in points.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: f32,
}

/// A table: columns, and an optional caption repeated as "(continued)" on later pages.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub caption: Option<String>,
    /// Whether the header row is drawn (key–value tables have none).
    pub header: bool,
    /// Space above and below the text of each cell.
    pub pad_y: f32,
    /// The header row's text.
    pub header_style: Style,
    /// Line height inside cells, as a multiple of the text size.
    pub leading: f32,
}

impl Table {
    /// Columns sized as fractions of the text width.
    pub fn new(columns: &[(&str, f32)]) -> Table {
        let total: f32 = columns.iter().map(|c| c.1).sum();
        Table {
            columns: columns
                .iter()
                .map(|(title, share)| Column {
                    title: (*title).to_string(),
                    width: WIDTH * share / total,
                })
                .collect(),
            caption: None,
            header: true,
            pad_y: PAD_Y,
            header_style: SMALL_BOLD,
            leading: LEADING,
        }
    }

    pub fn caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = Some(caption.into());
        self
    }

    pub fn without_header(mut self) -> Table {
        self.header = false;
        self
    }

    /// Rows with less space around the text, for documents that must stay short (the
    /// three-page body of the attestation).
    pub fn dense(mut self) -> Table {
        self.pad_y = DENSE_PAD_Y;
        self.leading = DENSE_LEADING;
        self
    }

    /// The height of one line of `style` in a cell.
    fn line_height(&self, style: Style) -> f32 {
        style.size * self.leading
    }

    /// Header text in `style` (to match smaller cell text).
    pub fn header_style(mut self, style: Style) -> Table {
        self.header_style = style;
        self
    }
}

/// One cell: paragraphs, each in its own style.
pub type Cell = Vec<(Style, String)>;

/// Padding inside table cells.
const PAD_X: f32 = 3.5;
const PAD_Y: f32 = 2.6;
const DENSE_PAD_Y: f32 = 0.7;
/// Line height as a multiple of the text size: roomy for reading, tighter in dense tables.
const LEADING: f32 = 1.32;
const DENSE_LEADING: f32 = 1.2;

/// The flow: pages done so far, the page being filled and the cursor on it.
///
/// Keep-with-next works by deferring: a heading is not drawn when asked for but when the
/// next thing is placed, on the page where both fit; a table's header row is drawn with
/// the table's first row. So neither is ever left alone at the foot of a page, whatever
/// height the next thing turns out to have.
pub struct Canvas {
    pub painter: Painter,
    /// Where finished pages go.
    flow: Flow,
    page: Vec<Op>,
    /// Cursor: distance from the top of the current page.
    pub y: f32,
    pub marks: Vec<Mark>,
    /// Headings waiting for what follows them.
    pending: Vec<PendingHeading>,
    /// Space asked for after the pending headings.
    pending_space: f32,
    /// A table whose header row waits for its first row.
    pending_header: Option<Table>,
    /// The last thing placed on the current page.
    last: Last,
}

/// Where a canvas puts the pages it finishes: kept (a short document, drawn on again
/// afterwards), only counted (the first pass of a long one, which needs the page count and
/// the marks but not the pages), or sent on, one at a time, to the writer of a long one.
enum Flow {
    Kept(Vec<Vec<Op>>),
    Counted(usize),
    Sent {
        sent: usize,
        to: std::sync::mpsc::SyncSender<Vec<Op>>,
    },
}

struct PendingHeading {
    style: Style,
    text: String,
    lines: Vec<String>,
    level: u8,
    keep: f32,
}

impl PendingHeading {
    fn height(&self) -> f32 {
        self.lines.len() as f32 * self.style.line_height() + self.style.size * 0.5
    }

    fn space_before(&self) -> f32 {
        self.style.size * 0.9
    }
}

/// What was placed last on a page: a heading or a header row there is an orphan.
#[derive(Debug, Clone, PartialEq)]
enum Last {
    Nothing,
    Content,
    Heading(String),
    Header(String),
}

impl Canvas {
    /// A canvas that keeps its pages (`finish` returns them).
    pub fn new(fonts: &'static FontSet) -> Canvas {
        Canvas::with_flow(fonts, Flow::Kept(Vec::new()))
    }

    /// A canvas that only counts its pages: the first pass of a document written page by
    /// page, for the page count and the marks.
    pub fn counting(fonts: &'static FontSet) -> Canvas {
        Canvas::with_flow(fonts, Flow::Counted(0))
    }

    /// A canvas that sends each page to `to` as soon as it is finished and keeps none. A
    /// receiver that hung up (its writer failed) gets nothing more; the layout runs on.
    pub fn sending(fonts: &'static FontSet, to: std::sync::mpsc::SyncSender<Vec<Op>>) -> Canvas {
        Canvas::with_flow(fonts, Flow::Sent { sent: 0, to })
    }

    fn with_flow(fonts: &'static FontSet, flow: Flow) -> Canvas {
        Canvas {
            painter: Painter::new(fonts),
            flow,
            page: Vec::new(),
            y: TOP,
            marks: Vec::new(),
            pending: Vec::new(),
            pending_space: 0.0,
            pending_header: None,
            last: Last::Nothing,
        }
    }

    /// The 0-based index of the page being filled.
    pub fn page_index(&self) -> usize {
        match &self.flow {
            Flow::Kept(pages) => pages.len(),
            Flow::Counted(n) | Flow::Sent { sent: n, .. } => *n,
        }
    }

    /// Ends the current page. Pending headings are not drawn yet: they go with what
    /// follows, on the new page.
    pub fn new_page(&mut self) {
        self.close_page();
        let page = std::mem::take(&mut self.page);
        match &mut self.flow {
            Flow::Kept(pages) => pages.push(page),
            Flow::Counted(n) => *n += 1,
            Flow::Sent { sent, to } => {
                *sent += 1;
                // A closed receiver has its own error to report.
                let _ = to.send(page);
            }
        }
        self.y = TOP;
    }

    /// Records an orphan when the page ends on a heading or a header row.
    fn close_page(&mut self) {
        let what = match std::mem::replace(&mut self.last, Last::Nothing) {
            Last::Heading(text) => format!("heading “{text}”"),
            Last::Header(text) => format!("table header row “{text}”"),
            Last::Nothing | Last::Content => return,
        };
        self.painter.faults.push(LayoutFault::Orphan {
            page: self.page_index(),
            what,
        });
    }

    /// Collects the wrapping faults found since the last call.
    fn take_breaks(&mut self) {
        let breaks = std::mem::take(&mut *self.painter.breaks.borrow_mut());
        self.painter.faults.extend(breaks);
    }

    /// Makes room for `height` points of content (with the pending headings and header
    /// row above it), starting a new page unless they fit on this one, and draws the
    /// pending headings and header row.
    pub fn ensure(&mut self, height: f32) {
        let header_h = self
            .pending_header
            .clone()
            .map_or(0.0, |t| self.header_height(&t));
        self.flush_headings(header_h + height);
        if let Some(table) = self.pending_header.take() {
            self.table_header(&table, false);
        }
    }

    /// Draws the pending headings where `following` points of what comes next fit below
    /// them (or at least each heading's own `keep`).
    fn flush_headings(&mut self, following: f32) {
        if self.pending.is_empty() {
            if self.y + following > BOTTOM && self.y > TOP {
                self.new_page();
            }
            return;
        }
        let headings = std::mem::take(&mut self.pending);
        let keep = headings.iter().map(|h| h.keep).fold(following, f32::max);
        let mut total: f32 = headings.iter().map(PendingHeading::height).sum();
        total += headings
            .iter()
            .skip(1)
            .map(PendingHeading::space_before)
            .sum::<f32>();
        if self.y > TOP {
            total += headings[0].space_before();
        }
        if self.y + total + self.pending_space + keep > BOTTOM && self.y > TOP {
            self.new_page();
        }
        for heading in headings {
            if self.y > TOP {
                self.y += heading.space_before();
            }
            self.mark(heading.level, &heading.text, heading.level <= 2);
            for line in &heading.lines {
                self.y += heading.style.size;
                self.painter
                    .text(&mut self.page, LEFT, self.y, heading.style, line);
                self.y += heading.style.line_height() - heading.style.size;
            }
            self.y += heading.style.size * 0.5;
            self.last = Last::Heading(heading.text);
        }
        self.y += std::mem::take(&mut self.pending_space);
    }

    pub fn space(&mut self, height: f32) {
        if self.pending.is_empty() {
            self.y += height;
        } else {
            self.pending_space += height;
        }
    }

    /// Records an outline entry at the cursor.
    pub fn mark(&mut self, level: u8, title: &str, in_contents: bool) {
        self.marks.push(Mark {
            level,
            title: title.to_string(),
            page: self.page_index(),
            y: self.y,
            in_contents,
        });
    }

    /// A heading, with an outline entry at `level`. It is drawn with what follows it,
    /// on the page where both fit, and keeps at least `keep` points of room below it.
    pub fn heading(&mut self, style: Style, text: &str, level: u8, keep: f32) {
        self.settle_header();
        let lines = self.painter.wrap(style, text, WIDTH);
        self.take_breaks();
        self.pending.push(PendingHeading {
            style,
            text: text.to_string(),
            lines,
            level,
            keep,
        });
    }

    /// Draws a pending header row of a table that got no rows (nothing else follows it).
    fn settle_header(&mut self) {
        if self.pending_header.is_some() {
            self.ensure(0.0);
        }
    }

    /// A wrapped paragraph at `indent`, flowing across pages line by line.
    pub fn paragraph(&mut self, style: Style, text: &str, indent: f32) {
        self.settle_header();
        let lines = self.painter.wrap(style, text, WIDTH - indent);
        self.take_breaks();
        // Keep two lines together after a heading where the paragraph has them.
        let first = style.line_height() * lines.len().min(2) as f32;
        self.ensure(first);
        for line in lines {
            self.ensure(style.line_height());
            self.y += style.size;
            self.painter
                .text(&mut self.page, LEFT + indent, self.y, style, &line);
            self.y += style.line_height() - style.size;
            self.last = Last::Content;
        }
        self.y += style.size * 0.45;
    }

    /// A paragraph made of differently styled pieces on the same lines (e.g. a bold label
    /// then text). Pieces wrap at spaces.
    pub fn rich(&mut self, pieces: &[(Style, &str)], indent: f32) {
        self.settle_header();
        let line_h = pieces.iter().map(|p| p.0.line_height()).fold(0.0, f32::max);
        let size = pieces.iter().map(|p| p.0.size).fold(0.0, f32::max);
        let width = WIDTH - indent;
        let mut x = 0.0;
        let mut started = false;
        self.ensure(line_h);
        for (style, text) in pieces {
            let space = self.painter.width(*style, " ");
            for (i, word) in text.split(' ').enumerate() {
                if word.is_empty() {
                    if i > 0 {
                        x += space;
                    }
                    continue;
                }
                let gap = if i > 0 && x > 0.0 { space } else { 0.0 };
                let mut w = self.painter.width(*style, word);
                let mut word = word.to_string();
                if w > width {
                    word = self.painter.truncate(*style, &word, width);
                    w = self.painter.width(*style, &word);
                }
                if !started || x + gap + w > width {
                    if started {
                        self.y += line_h - size;
                    }
                    self.ensure(line_h);
                    self.y += size;
                    started = true;
                    x = 0.0;
                } else {
                    x += gap;
                }
                self.painter
                    .text(&mut self.page, LEFT + indent + x, self.y, *style, &word);
                self.last = Last::Content;
                x += w;
            }
        }
        if started {
            self.y += line_h - size;
        }
        self.y += size * 0.45;
    }

    /// Draws on the current page with the painter (charts, badges). Call `ensure` first
    /// for the room the drawing needs: that also places any pending heading.
    pub fn draw(&mut self, f: impl FnOnce(&mut Painter, &mut Vec<Op>)) {
        self.ensure(0.0);
        f(&mut self.painter, &mut self.page);
        self.last = Last::Content;
    }

    /// The height of `table`'s header row (0 without one).
    fn header_height(&self, table: &Table) -> f32 {
        if !table.header {
            return 0.0;
        }
        let cells: Vec<Cell> = table
            .columns
            .iter()
            .map(|c| vec![(table.header_style, c.title.clone())])
            .collect();
        row_height(table, &self.lay_cells(table, &cells))
    }

    /// The header row of `table` at the cursor (with the caption above it, marked
    /// "continued" when `continued`).
    fn table_header(&mut self, table: &Table, continued: bool) {
        if continued && let Some(caption) = &table.caption {
            let text = format!("{caption} (continued)");
            self.y += SMALL_GREY.size;
            self.painter
                .text(&mut self.page, LEFT, self.y, SMALL_GREY, &text);
            self.y += SMALL_GREY.line_height() - SMALL_GREY.size + 1.5;
        }
        if !table.header {
            return;
        }
        let cells: Vec<Cell> = table
            .columns
            .iter()
            .map(|c| vec![(table.header_style, c.title.clone())])
            .collect();
        let laid = self.lay_cells(table, &cells);
        let h = row_height(table, &laid);
        self.painter
            .rect(&mut self.page, LEFT, self.y, WIDTH, h, HEADER_FILL);
        self.draw_cells(table, &laid);
        self.y += h;
        let title = table
            .columns
            .iter()
            .map(|c| c.title.as_str())
            .collect::<Vec<_>>()
            .join(" | ");
        self.last = Last::Header(title);
    }

    /// Starts a table. Its header row is drawn with the first row, so the two always
    /// share a page.
    pub fn table_start(&mut self, table: &Table) {
        self.settle_header();
        self.pending_header = Some(table.clone());
    }

    /// One row of `table`; moves to a new page (repeating the header) when it does not
    /// fit, and splits a row taller than a whole page between pages.
    pub fn table_row(&mut self, table: &Table, cells: &[Cell], shade: bool) {
        let mut laid = self.lay_cells(table, cells);
        self.take_breaks();
        let header_h = if table.header {
            self.header_height(table)
        } else {
            0.0
        };
        let h = row_height(table, &laid);
        let whole_page = BOTTOM - TOP - header_h - 12.0;
        // The first row comes onto the page with the header: whole when it fits on a
        // page, else its first lines (the rest is carried over below).
        let first = if h <= whole_page { h } else { h.min(36.0) };
        if self.pending_header.is_some() || !self.pending.is_empty() {
            self.ensure(first);
        }
        loop {
            let h = row_height(table, &laid);
            if self.y + h <= BOTTOM {
                self.paint_row(table, &laid, h, shade);
                return;
            }
            let fresh = self.y <= TOP + header_h + 12.0;
            if !fresh && h <= whole_page {
                self.new_page();
                self.table_header(table, true);
                continue;
            }
            // Too tall for any page: fill this one, carry the rest over.
            let avail = BOTTOM - self.y - 2.0 * table.pad_y;
            let mut rest: Vec<Vec<(Style, String)>> = Vec::new();
            let mut head: Vec<Vec<(Style, String)>> = Vec::new();
            for cell in laid {
                let mut used = 0.0;
                let mut split = cell.len();
                for (i, (style, _)) in cell.iter().enumerate() {
                    if used + table.line_height(*style) > avail {
                        split = i;
                        break;
                    }
                    used += table.line_height(*style);
                }
                let mut cell = cell;
                let tail = cell.split_off(split);
                head.push(cell);
                rest.push(tail);
            }
            let h = row_height(table, &head);
            self.paint_row(table, &head, h, shade);
            self.new_page();
            self.table_header(table, true);
            laid = rest;
        }
    }

    fn paint_row(&mut self, table: &Table, laid: &[Vec<(Style, String)>], h: f32, shade: bool) {
        if shade {
            self.painter
                .rect(&mut self.page, LEFT, self.y, WIDTH, h, SHADE);
        }
        self.draw_cells(table, laid);
        self.y += h;
        self.painter
            .hline(&mut self.page, LEFT, RIGHT, self.y, RULE, 0.4);
        self.last = Last::Content;
    }

    /// Wraps every cell to its column: one (style, text) per printed line.
    fn lay_cells(&self, table: &Table, cells: &[Cell]) -> Vec<Vec<(Style, String)>> {
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, col)| {
                let mut lines = Vec::new();
                if let Some(cell) = cells.get(i) {
                    for (style, text) in cell {
                        for line in self.painter.wrap(*style, text, col.width - 2.0 * PAD_X) {
                            lines.push((*style, line));
                        }
                    }
                }
                lines
            })
            .collect()
    }

    fn draw_cells(&mut self, table: &Table, laid: &[Vec<(Style, String)>]) {
        let mut x = LEFT;
        for (col, lines) in table.columns.iter().zip(laid) {
            let mut y = self.y + table.pad_y;
            for (style, text) in lines {
                y += style.size;
                self.painter
                    .text(&mut self.page, x + PAD_X, y, *style, text);
                y += table.line_height(*style) - style.size;
            }
            x += col.width;
        }
    }

    /// Ends the flow: the pages, the outline marks and the painter (characters used per
    /// face, layout faults found).
    pub fn finish(self) -> (Vec<Vec<Op>>, Vec<Mark>, Painter) {
        let (_, pages, marks, painter) = self.finish_flow();
        (pages, marks, painter)
    }

    /// Ends the flow: how many pages it made, the pages it kept (none unless made with
    /// [`Canvas::new`]), the marks and the painter.
    pub fn finish_flow(mut self) -> (usize, Vec<Vec<Op>>, Vec<Mark>, Painter) {
        self.ensure(0.0);
        if !self.page.is_empty() || self.page_index() == 0 {
            self.new_page();
        } else {
            self.close_page();
        }
        self.take_breaks();
        let count = self.page_index();
        let pages = match self.flow {
            Flow::Kept(pages) => pages,
            Flow::Counted(_) | Flow::Sent { .. } => Vec::new(),
        };
        (count, pages, self.marks, self.painter)
    }

    /// Inserts `count` empty pages before page `at` (the printed contents) of a canvas
    /// that keeps its pages. Marks are not moved: the caller knows which of them follow.
    pub fn insert_pages(&mut self, at: usize, count: usize) {
        if let Flow::Kept(pages) = &mut self.flow {
            let at = at.min(pages.len());
            pages.splice(at..at, (0..count).map(|_| Vec::new()));
        }
    }

    /// Draws on page `index` (already passed) of a canvas that keeps its pages, e.g. the
    /// printed contents.
    pub fn draw_on(&mut self, index: usize, f: impl FnOnce(&mut Painter, &mut Vec<Op>)) {
        let Flow::Kept(pages) = &mut self.flow else {
            return;
        };
        let page = if index == pages.len() {
            &mut self.page
        } else if let Some(p) = pages.get_mut(index) {
            p
        } else {
            return;
        };
        f(&mut self.painter, page);
    }
}

fn row_height(table: &Table, laid: &[Vec<(Style, String)>]) -> f32 {
    let content = laid
        .iter()
        .map(|lines| {
            lines
                .iter()
                .map(|(s, _)| table.line_height(*s))
                .sum::<f32>()
        })
        .fold(0.0, f32::max);
    content + 2.0 * table.pad_y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::fonts::fonts;

    fn painter() -> Painter {
        Painter::new(fonts().unwrap())
    }

    #[test]
    fn wraps_at_spaces_and_inside_long_arns() {
        let p = painter();
        let lines = p.wrap(
            BODY,
            "evidence supporting the control of the framework",
            100.0,
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| p.width(BODY, l) <= 100.0));
        assert_eq!(
            lines.join(" "),
            "evidence supporting the control of the framework"
        );

        let arn =
            "arn:aws:kms:ap-southeast-2:111122223333:key/1a2b3c4d-5e6f-4a5b-8c9d-0e1f2a3b4c5d";
        let lines = p.wrap(MONO, arn, 120.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| p.width(MONO, l) <= 120.0), "{lines:?}");
        assert_eq!(lines.concat(), arn, "nothing lost or added");
        // Breaks after a separator where it can.
        assert!(
            lines[..lines.len() - 1]
                .iter()
                .all(|l| l.ends_with([':', '/', '-'])),
            "{lines:?}"
        );
    }

    #[test]
    fn table_rows_break_across_pages_with_the_header_repeated() {
        let mut canvas = Canvas::new(fonts().unwrap());
        let table = Table::new(&[("Resource", 2.0), ("Status", 1.0)]).caption("Findings");
        canvas.table_start(&table);
        for i in 0..200 {
            let cells = vec![
                vec![(MONO, format!("arn:aws:s3:::bucket-{i}"))],
                vec![(SMALL, "FAIL".to_string())],
            ];
            canvas.table_row(&table, &cells, i % 2 == 0);
        }
        let (pages, _, painter) = canvas.finish();
        assert!(pages.len() >= 3, "{}", pages.len());
        // Every page after the first starts with the caption "(continued)".
        let texts = |ops: &Vec<Op>| -> Vec<String> {
            ops.iter()
                .filter_map(|op| match op {
                    Op::ShowText { items } => match items.first() {
                        Some(TextItem::Text(t)) => Some(t.clone()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        };
        for page in &pages[1..] {
            let t = texts(page);
            assert_eq!(t[0], "Findings (continued)");
            assert_eq!(t[1], "Resource");
        }
        assert!(painter.used.is_used(Face::Mono));
        assert!(painter.used.chars(Face::Bold).contains(&'R'));
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_not_lost() {
        let mut canvas = Canvas::new(fonts().unwrap());
        let table = Table::new(&[("A", 1.0), ("B", 1.0)]);
        canvas.table_start(&table);
        let long: String = (0..150).map(|i| format!("line{i}\n")).collect();
        canvas.table_row(
            &table,
            &[vec![(SMALL, long)], vec![(SMALL, "x".into())]],
            false,
        );
        let (pages, _, _) = canvas.finish();
        assert!(pages.len() >= 2);
        let all: Vec<String> = pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::ShowText { items } => match items.first() {
                    Some(TextItem::Text(t)) => Some(t.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for i in 0..150 {
            assert!(all.contains(&format!("line{i}")), "line{i} lost");
        }
    }

    fn page_texts(pages: &[Vec<Op>]) -> Vec<Vec<String>> {
        pages
            .iter()
            .map(|ops| {
                ops.iter()
                    .filter_map(|op| match op {
                        Op::ShowText { items } => match items.first() {
                            Some(TextItem::Text(t)) => Some(t.clone()),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_header_row_and_a_heading_go_to_the_next_page_with_the_first_row() {
        let mut canvas = Canvas::new(fonts().unwrap());
        // Fill the page to about 40 points above its foot: room for a header and one
        // short row, not for the six-line first row that follows.
        while canvas.y < BOTTOM - 40.0 {
            canvas.paragraph(BODY, "filler", 0.0);
        }
        canvas.heading(H3, "Findings", 2, 0.0);
        let table = Table::new(&[("Resource", 2.0), ("Status", 1.0)]);
        canvas.table_start(&table);
        let tall = (0..6).map(|i| format!("line {i}\n")).collect::<String>();
        canvas.table_row(
            &table,
            &[vec![(SMALL, tall)], vec![(SMALL, "FAIL".into())]],
            false,
        );
        let (pages, marks, painter) = canvas.finish();
        assert_eq!(pages.len(), 2);
        let texts = page_texts(&pages);
        assert_eq!(texts[1][..3], ["Findings", "Resource", "Status"]);
        assert!(!texts[0].iter().any(|t| t == "Resource" || t == "Findings"));
        assert_eq!(marks.last().map(|m| m.page), Some(1), "the mark moves too");
        assert!(painter.faults.is_empty(), "{:?}", painter.faults);
    }

    #[test]
    fn a_page_ending_on_a_header_row_is_reported() {
        let mut canvas = Canvas::new(fonts().unwrap());
        let table = Table::new(&[("Resource", 1.0)]);
        canvas.table_start(&table);
        // A table with no rows at all still draws its header; then a page break.
        canvas.heading(H3, "Next", 2, 0.0);
        canvas.new_page();
        canvas.paragraph(BODY, "text", 0.0);
        let (_, _, painter) = canvas.finish();
        assert_eq!(
            painter.faults,
            [LayoutFault::Orphan {
                page: 0,
                what: "table header row “Resource”".into()
            }]
        );
    }

    #[test]
    fn identifiers_break_only_after_separators_unless_a_token_cannot_fit() {
        let p = painter();
        let id = "sg-0123456789abcdef0";
        // Room for the hex, not for `sg-` before it: the hex moves down whole.
        let width = p.width(MONO, "sg-0123456789abcde");
        assert_eq!(p.wrap(MONO, id, width), ["sg-", "0123456789abcdef0"]);
        let lines = p.wrap(
            MONO,
            "arn:aws:backup:ap-southeast-2:111122223333:backup-vault:prod",
            p.width(MONO, "arn:aws:backup:ap-southeast-"),
        );
        assert_eq!(
            lines,
            [
                "arn:aws:backup:ap-southeast-",
                "2:111122223333:backup-vault:",
                "prod"
            ]
        );
        // A token wider than the line is broken where the line is full.
        let hash = "0123456789abcdef0123456789abcdef";
        let lines = p.wrap(MONO, hash, p.width(MONO, "0123456789"));
        assert_eq!(lines.concat(), hash);
        assert!(lines.len() >= 3);
        assert!(p.breaks.borrow().is_empty(), "{:?}", p.breaks.borrow());
    }

    #[test]
    fn a_break_inside_a_token_that_would_fit_is_a_fault() {
        let p = painter();
        let pieces = ["gap-23edf".to_string(), "6c2fe".to_string()];
        p.check_breaks(MONO, &pieces, 200.0);
        assert_eq!(
            *p.breaks.borrow(),
            [LayoutFault::MidToken {
                before: "gap-23edf".into(),
                after: "6c2fe".into()
            }]
        );
        assert_eq!(
            p.breaks.borrow()[0].to_string(),
            "`gap-23edf|6c2fe` is broken inside a token"
        );
    }

    #[test]
    fn code_spans_are_set_in_the_mono_face_without_their_backticks() {
        let mut p = painter();
        let style = BODY.with_code_spans();
        let text = "run `assay snapshot verify` to check the manifest and all responses";
        let lines = p.wrap(style, text, 150.0);
        assert!(lines.len() > 1, "{lines:?}");
        // Each line is drawn on its own: a span cut by the line end is closed and reopened.
        assert!(
            lines.iter().all(|l| l.matches('`').count() % 2 == 0),
            "{lines:?}"
        );
        assert!(
            lines.iter().all(|l| p.width(style, l) <= 150.0),
            "{lines:?}"
        );
        let mut ops = Vec::new();
        for line in &lines {
            p.text(&mut ops, LEFT, 100.0, style, line);
        }
        let shown: String = ops
            .iter()
            .filter_map(|op| match op {
                Op::ShowText { items } => match items.first() {
                    Some(TextItem::Text(t)) => Some(t.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        assert!(!shown.contains('`'), "{shown}");
        assert!(
            p.used.chars(Face::Mono).contains(&'y'),
            "the span is in the mono face"
        );
        assert!(
            !p.used.chars(Face::Regular).contains(&'y'),
            "only the span has a y"
        );
        // Without code spans a backtick is a character like any other.
        let mut ops = Vec::new();
        p.text(&mut ops, LEFT, 100.0, BODY, "a `b` c");
        assert_eq!(page_texts(&[ops]), [["a `b` c"]]);
    }
}
