//! The summary chart: one horizontal bar per control family, split by finding status,
//! drawn with rectangles and labelled with the counts, plus a legend.
//!
//! Why 100 %-stacked bars with printed counts: family totals differ by two orders of
//! magnitude (one family has 600 findings, another 2), so absolute bars would hide the
//! small families and their GAPs. Each bar shows the mix; the numbers beside it give
//! the sizes, and every non-zero status keeps a visible sliver of at least 2 pt.

use super::layout::{BOTTOM, Canvas, Colour, GREY, LEFT, RULE, SMALL, SMALL_BOLD, Style, WIDTH};
use crate::findings::{Status, StatusCounts};

/// Statuses in chart order, with the colour and legend label of each.
pub const SERIES: [(Status, Colour, &str); 7] = [
    (Status::Pass, Colour(0.20, 0.56, 0.33), "PASS"),
    (Status::Fail, Colour(0.80, 0.17, 0.17), "FAIL"),
    (Status::Gap, Colour(0.95, 0.62, 0.05), "GAP (not read)"),
    (Status::Error, Colour(0.50, 0.22, 0.62), "ERROR"),
    (Status::Waived, Colour(0.27, 0.47, 0.78), "WAIVED"),
    (Status::Manual, Colour(0.56, 0.62, 0.70), "MANUAL"),
    (
        Status::NotApplicable,
        Colour(0.84, 0.85, 0.87),
        "NOT_APPLICABLE",
    ),
];

/// The colour a status is drawn in (badges use it too).
pub fn colour(status: Status) -> Colour {
    SERIES
        .iter()
        .find(|s| s.0 == status)
        .map(|s| s.1)
        .unwrap_or(GREY)
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
    legend(canvas);
    let bar_x = LEFT + LABEL_W;
    let bar_w = WIDTH - LABEL_W - TOTAL_W;
    for bar in bars {
        let label_lines = canvas.painter.wrap(SMALL, &bar.label, LABEL_W - 8.0);
        let label_lines = &label_lines[..label_lines.len().min(2)];
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
                    SMALL.colour(GREY),
                    "no automated findings: manual evidence",
                );
            } else {
                let widths = segment_widths(bar.counts, total, bar_w);
                let mut x = bar_x;
                for ((status, colour, _), w) in SERIES.iter().zip(&widths) {
                    if *w <= 0.0 {
                        continue;
                    }
                    p.rect(ops, x, bar_top, *w, BAR_H, *colour);
                    let n = bar.counts.get(status).copied().unwrap_or(0).to_string();
                    let style = label_style(*status);
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
    let raw: Vec<f32> = SERIES
        .iter()
        .map(|(s, _, _)| {
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

/// Counts on dark segments are white, on light ones dark.
fn label_style(status: Status) -> Style {
    match status {
        Status::NotApplicable | Status::Manual | Status::Gap => SMALL_BOLD,
        _ => SMALL_BOLD.colour(Colour(1.0, 1.0, 1.0)),
    }
}

fn legend(canvas: &mut Canvas) {
    let y = canvas.y;
    canvas.draw(|p, ops| {
        let mut x = LEFT;
        for (_, colour, label) in SERIES {
            p.rect(ops, x, y + 2.0, 8.0, 8.0, colour);
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
        assert!(w[2] >= 1.9, "GAP sliver visible: {w:?}");
    }
}
