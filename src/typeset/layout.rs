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
}

impl Style {
    pub const fn new(face: Face, size: f32) -> Style {
        Style {
            face,
            size,
            colour: BLACK,
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

/// Emits drawing ops, measuring text with the font set and recording the characters used.
pub struct Painter {
    pub fonts: &'static FontSet,
    pub used: CharSets,
}

impl Painter {
    /// Draws `text` on one line with its baseline at `y` (from the top).
    pub fn text(&mut self, ops: &mut Vec<Op>, x: f32, y: f32, style: Style, text: &str) {
        if text.is_empty() {
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
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            self.wrap_paragraph(style, paragraph, width, &mut lines);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    fn wrap_paragraph(&self, style: Style, text: &str, width: f32, lines: &mut Vec<String>) {
        let space = self.fonts.char_width(style.face, ' ', style.size);
        let mut line = String::new();
        let mut line_w = 0.0f32;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let word_w = self.width(style, word);
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

    /// Breaks a word wider than `width` into pieces that fit, preferring to break after
    /// a separator in the last third of a piece.
    fn break_word(&self, style: Style, word: &str, width: f32) -> Vec<String> {
        const SEPARATORS: &[char] = &['/', ':', '-', '.', '_', ',', '=', '@', '?', '&'];
        let chars: Vec<char> = word.chars().collect();
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut w = 0.0;
            let mut end = start;
            while end < chars.len() {
                let cw = self.fonts.char_width(style.face, chars[end], style.size);
                if w + cw > width && end > start {
                    break;
                }
                w += cw;
                end += 1;
            }
            if end < chars.len() {
                let min = start + (end - start) * 2 / 3;
                if let Some(pos) = (min..end).rev().find(|i| SEPARATORS.contains(&chars[*i])) {
                    end = pos + 1;
                }
            }
            pieces.push(chars[start..end].iter().collect());
            start = end;
        }
        pieces
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
    /// one-to-two page attestation).
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
pub struct Canvas {
    pub painter: Painter,
    pages: Vec<Vec<Op>>,
    page: Vec<Op>,
    /// Cursor: distance from the top of the current page.
    pub y: f32,
    pub marks: Vec<Mark>,
}

impl Canvas {
    pub fn new(fonts: &'static FontSet) -> Canvas {
        Canvas {
            painter: Painter {
                fonts,
                used: CharSets::default(),
            },
            pages: Vec::new(),
            page: Vec::new(),
            y: TOP,
            marks: Vec::new(),
        }
    }

    /// The 0-based index of the page being filled.
    pub fn page_index(&self) -> usize {
        self.pages.len()
    }

    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.page));
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    pub fn space(&mut self, height: f32) {
        self.y += height;
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

    /// A heading that keeps at least `keep` points of what follows on its page, with an
    /// outline entry at `level`.
    pub fn heading(&mut self, style: Style, text: &str, level: u8, keep: f32) {
        let lines = self.painter.wrap(style, text, WIDTH);
        let h = lines.len() as f32 * style.line_height() + style.size * 0.5;
        let before = if self.y > TOP { style.size * 0.9 } else { 0.0 };
        self.ensure(before + h + keep);
        if self.y > TOP {
            self.y += before;
        }
        self.mark(level, text, level <= 2);
        for line in lines {
            self.y += style.size;
            self.painter
                .text(&mut self.page, LEFT, self.y, style, &line);
            self.y += style.line_height() - style.size;
        }
        self.y += style.size * 0.5;
    }

    /// A wrapped paragraph at `indent`, flowing across pages line by line.
    pub fn paragraph(&mut self, style: Style, text: &str, indent: f32) {
        for line in self.painter.wrap(style, text, WIDTH - indent) {
            self.ensure(style.line_height());
            self.y += style.size;
            self.painter
                .text(&mut self.page, LEFT + indent, self.y, style, &line);
            self.y += style.line_height() - style.size;
        }
        self.y += style.size * 0.45;
    }

    /// A paragraph made of differently styled pieces on the same lines (e.g. a bold label
    /// then text). Pieces wrap at spaces.
    pub fn rich(&mut self, pieces: &[(Style, &str)], indent: f32) {
        let line_h = pieces.iter().map(|p| p.0.line_height()).fold(0.0, f32::max);
        let size = pieces.iter().map(|p| p.0.size).fold(0.0, f32::max);
        let width = WIDTH - indent;
        let mut x = 0.0;
        let mut started = false;
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
                x += w;
            }
        }
        if started {
            self.y += line_h - size;
        }
        self.y += size * 0.45;
    }

    /// Draws on the current page with the painter (charts, badges).
    pub fn draw(&mut self, f: impl FnOnce(&mut Painter, &mut Vec<Op>)) {
        f(&mut self.painter, &mut self.page);
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
    }

    /// Starts a table: its header, kept together with room for a first row.
    pub fn table_start(&mut self, table: &Table) {
        self.ensure(40.0);
        self.table_header(table, false);
    }

    /// One row of `table`; moves to a new page (repeating the header) when it does not
    /// fit, and splits a row taller than a whole page between pages.
    pub fn table_row(&mut self, table: &Table, cells: &[Cell], shade: bool) {
        let mut laid = self.lay_cells(table, cells);
        loop {
            let h = row_height(table, &laid);
            if self.y + h <= BOTTOM {
                self.paint_row(table, &laid, h, shade);
                return;
            }
            let header_h = if table.header { 14.0 } else { 0.0 };
            let fresh = self.y <= TOP + header_h + 12.0;
            if !fresh && h <= BOTTOM - TOP - header_h - 12.0 {
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

    /// Ends the flow: the pages, the outline marks and the characters used per face.
    pub fn finish(mut self) -> (Vec<Vec<Op>>, Vec<Mark>, Painter) {
        if !self.page.is_empty() || self.pages.is_empty() {
            self.new_page();
        }
        (self.pages, self.marks, self.painter)
    }

    /// Inserts `count` empty pages before page `at` (the printed contents). Marks are
    /// not moved: the caller knows which of them follow.
    pub fn insert_pages(&mut self, at: usize, count: usize) {
        let at = at.min(self.pages.len());
        self.pages.splice(at..at, (0..count).map(|_| Vec::new()));
    }

    /// Draws on page `index` (already passed), e.g. the printed contents.
    pub fn draw_on(&mut self, index: usize, f: impl FnOnce(&mut Painter, &mut Vec<Op>)) {
        let page = if index == self.pages.len() {
            &mut self.page
        } else if let Some(p) = self.pages.get_mut(index) {
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
        Painter {
            fonts: fonts().unwrap(),
            used: CharSets::default(),
        }
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
}
