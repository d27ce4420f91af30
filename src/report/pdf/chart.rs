//! The summary chart: one horizontal bar per control family, split by finding status,
//! drawn with rectangles and labelled with the counts, plus a legend.
//!
//! Why 100 %-stacked bars with printed counts: family totals differ by two orders of
//! magnitude (one family has 600 findings, another 2), so absolute bars would hide the
//! small families and their GAPs. Each bar shows the mix; the numbers beside it give
//! the sizes, and every non-zero status keeps a visible sliver of at least 2 pt. Order
//! and colours are the HTML report's (`report::chart`): problems first, so a long PASS
//! run never pushes them off the end.

use crate::findings::{Status, StatusCounts};
use crate::report::chart::{STACK_ORDER, colours};
use crate::typeset::layout::{BOTTOM, Canvas, Colour, LEFT, RULE, SMALL, SMALL_BOLD, WIDTH};

/// A `#rrggbb` colour of the shared palette.
fn hex(text: &str) -> Colour {
    let c = |i: usize| {
        text.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map(|v| f32::from(v) / 255.0)
            .unwrap_or(0.5)
    };
    Colour(c(1), c(3), c(5))
}

/// The colour a status is drawn in: the HTML report's palette, so both read alike.
pub fn colour(status: Status) -> Colour {
    hex(colours(status).0)
}

/// The colour of a count printed on a status's bar segment.
fn label_colour(status: Status) -> Colour {
    hex(colours(status).1)
}

fn legend_label(status: Status) -> &'static str {
    match status {
        Status::Gap => "GAP (not read)",
        other => other.as_str(),
    }
}

/// One bar: a label and the counts behind it.
pub struct Bar<'a> {
    pub label: String,
    pub counts: &'a StatusCounts,
}

const LABEL_W: f32 = 150.0;
const TOTAL_W: f32 = 46.0;
const BAR_H: f32 = 13.0;
const ROW_H: f32 = 22.0;

/// Draws the legend and one bar per entry at the cursor, breaking pages between bars.
pub fn draw(canvas: &mut Canvas, bars: &[Bar<'_>]) {
    // The legend with the first bar (this also places a pending heading above them).
    canvas.ensure(16.0 + ROW_H);
    legend(canvas);
    let bar_x = LEFT + LABEL_W;
    let bar_w = WIDTH - LABEL_W - TOTAL_W;
    for bar in bars {
        // Every line of the label: the row grows rather than the label being cut.
        let label_lines = canvas.painter.wrap(SMALL, &bar.label, LABEL_W - 8.0);
        let label_lines = &label_lines[..];
        let h = ROW_H.max(label_lines.len() as f32 * SMALL.line_height() + 6.0);
        if canvas.y + h > BOTTOM {
            canvas.new_page();
            legend(canvas);
        }
        let top = canvas.y;
        let total: usize = bar.counts.values().sum();
        canvas.draw(|p, ops| {
            let mut y = top + (h - label_lines.len() as f32 * SMALL.line_height()) / 2.0;
            for line in label_lines {
                y += SMALL.size;
                p.text(ops, LEFT, y, SMALL, line);
                y += SMALL.line_height() - SMALL.size;
            }
            let bar_top = top + (h - BAR_H) / 2.0;
            if total == 0 {
                p.rect(ops, bar_x, bar_top, bar_w, BAR_H, Colour(0.97, 0.97, 0.98));
                p.text(
                    ops,
                    bar_x + 4.0,
                    bar_top + BAR_H / 2.0 + 2.6,
                    SMALL.colour(crate::typeset::layout::GREY),
                    "no automated findings: manual evidence",
                );
            } else {
                let widths = segment_widths(bar.counts, total, bar_w);
                let mut x = bar_x;
                for (status, w) in STACK_ORDER.iter().zip(&widths) {
                    if *w <= 0.0 {
                        continue;
                    }
                    p.rect(ops, x, bar_top, *w, BAR_H, colour(*status));
                    let n = bar.counts.get(status).copied().unwrap_or(0).to_string();
                    let style = SMALL_BOLD.colour(label_colour(*status));
                    let tw = p.width(style, &n);
                    if tw + 4.0 <= *w {
                        p.text(
                            ops,
                            x + (*w - tw) / 2.0,
                            bar_top + BAR_H / 2.0 + 2.6,
                            style,
                            &n,
                        );
                    }
                    x += w;
                }
            }
            p.text_right(
                ops,
                LEFT + WIDTH,
                top + h / 2.0 + 2.6,
                SMALL_BOLD,
                &total.to_string(),
            );
            p.hline(ops, LEFT, LEFT + WIDTH, top + h, RULE, 0.3);
        });
        canvas.y += h;
    }
    canvas.space(6.0);
}

/// Segment widths: proportional, but at least 2 pt for any non-zero count, scaled so the
/// bar keeps its full width.
fn segment_widths(counts: &StatusCounts, total: usize, bar_w: f32) -> Vec<f32> {
    let raw: Vec<f32> = STACK_ORDER
        .iter()
        .map(|s| {
            let n = counts.get(s).copied().unwrap_or(0);
            if n == 0 {
                0.0
            } else {
                (n as f32 / total as f32 * bar_w).max(2.0)
            }
        })
        .collect();
    let sum: f32 = raw.iter().sum();
    raw.iter().map(|w| w * bar_w / sum.max(1.0)).collect()
}

fn legend(canvas: &mut Canvas) {
    let y = canvas.y;
    canvas.draw(|p, ops| {
        let mut x = LEFT;
        for status in STACK_ORDER {
            let label = legend_label(status);
            p.rect(ops, x, y + 2.0, 8.0, 8.0, colour(status));
            p.text(ops, x + 11.0, y + 9.0, SMALL, label);
            x += 11.0 + p.width(SMALL, label) + 10.0;
        }
        p.text_right(ops, LEFT + WIDTH, y + 9.0, SMALL_BOLD, "total");
    });
    canvas.y += 16.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_stay_visible_and_the_bar_keeps_its_width() {
        let mut counts = StatusCounts::new();
        counts.insert(Status::Pass, 600);
        counts.insert(Status::Gap, 1);
        let w = segment_widths(&counts, 601, 300.0);
        assert!((w.iter().sum::<f32>() - 300.0).abs() < 0.01);
        let gap = STACK_ORDER.iter().position(|s| *s == Status::Gap).unwrap();
        assert!(w[gap] >= 1.9, "GAP sliver visible: {w:?}");
    }
}
