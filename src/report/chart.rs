//! SVG charts for the HTML report, drawn in Rust so the report needs no script library and
//! nothing from the network. Every label is XML-escaped here: the template inlines the
//! SVG unescaped (`| safe`), and family titles come from catalogue files a user can edit.

use std::fmt::Write as _;

use super::FrameworkCoverage;
use crate::findings::{Status, StatusCounts};

/// Statuses in the order the bars stack them: problems first, so they are never hidden
/// at the far end of a long PASS bar.
pub const STACK_ORDER: [Status; 8] = [
    Status::Fail,
    Status::Error,
    Status::Gap,
    Status::Unknown,
    Status::Waived,
    Status::Manual,
    Status::Pass,
    Status::NotApplicable,
];

/// Fill colour and label text colour of a status (shared with the report's CSS badges).
/// WCAG AA: every fill has at least 3:1 contrast with the white page (a graphic that
/// carries meaning) and its label at least 4.5:1 with the fill (text); the test
/// `status_colours_meet_wcag_aa` checks both.
pub fn colours(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("#2e7d32", "#ffffff"),
        Status::Fail => ("#c62828", "#ffffff"),
        Status::Gap => ("#b35c00", "#ffffff"),
        Status::Error => ("#6a1b9a", "#ffffff"),
        Status::Unknown => ("#8d6e63", "#ffffff"),
        Status::Waived => ("#1565c0", "#ffffff"),
        Status::Manual => ("#00838f", "#ffffff"),
        Status::NotApplicable => ("#767676", "#ffffff"),
    }
}

/// Escapes text for XML content and attribute values, dropping the characters XML
/// forbids even escaped (`super::text::xml_chars`).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in super::text::xml_chars(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const WIDTH: f64 = 960.0;
const LABEL_W: f64 = 380.0;
const TOTAL_W: f64 = 60.0;
const BAR_W: f64 = WIDTH - LABEL_W - TOTAL_W - 10.0;
const ROW_H: f64 = 26.0;
const BAR_H: f64 = 18.0;
const FONT: &str = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\"";

/// Characters of a family label on one line (about 7 px each at 13 px in the 380 px
/// column); a longer title goes on as many lines as it needs and its row grows.
const LABEL_LINE_CHARS: usize = 50;
/// Height each further line of a label adds to its row.
const LINE_H: f64 = 15.0;

/// One horizontal bar per control family plus an "all controls" row: each bar is 100 %
/// of the family's results, split by status, with the count in each segment wide enough
/// to hold it and the total at the right. A result is a finding counted once per control
/// it supports (the model's family counts), so totals can exceed the number of findings;
/// the caption under the chart says so. Families without results say why.
pub fn framework_chart(framework: &FrameworkCoverage) -> String {
    let mut total = StatusCounts::new();
    for family in &framework.families {
        for (s, n) in &family.summary {
            *total.entry(*s).or_default() += n;
        }
    }
    let mut rows: Vec<(String, &StatusCounts, bool)> = vec![("All controls".into(), &total, true)];
    for family in &framework.families {
        rows.push((
            format!("{} {}", family.id, family.title),
            &family.summary,
            false,
        ));
    }
    let laid: Vec<Vec<String>> = rows
        .iter()
        .map(|(label, _, _)| label_lines(label))
        .collect();
    let row_h = |lines: &[String]| ROW_H + LINE_H * (lines.len().max(1) - 1) as f64;
    let legend_y = laid.iter().map(|l| row_h(l)).sum::<f64>() + 14.0;
    let height = legend_y + 24.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"chart-{id}-title\" {FONT} font-size=\"13\">\
         <title id=\"chart-{id}-title\">{name}: findings by status for each control family</title>",
        id = xml_escape(&framework.id),
        name = xml_escape(&framework.name),
    );
    let mut y = 0.0;
    for ((label, counts, bold), lines) in rows.iter().zip(&laid) {
        // One line per row keeps the SVG diffable in golden files.
        svg.push('\n');
        bar_row(&mut svg, y, row_h(lines), label, lines, counts, *bold);
        y += row_h(lines);
    }
    svg.push('\n');
    legend(&mut svg, legend_y);
    svg.push_str("</svg>");
    svg
}

/// A family label in lines of at most `LABEL_LINE_CHARS`, broken at spaces (a word longer
/// than a line stays whole on its own line). Nothing is cut.
fn label_lines(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split(' ').filter(|w| !w.is_empty()) {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= LABEL_LINE_CHARS => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn bar_row(
    svg: &mut String,
    y: f64,
    h: f64,
    label: &str,
    lines: &[String],
    counts: &StatusCounts,
    bold: bool,
) {
    let n: usize = counts.values().sum();
    let weight = if bold { " font-weight=\"600\"" } else { "" };
    let text_y = y + h / 2.0 + 4.5;
    let shown = if lines.len() <= 1 {
        xml_escape(label)
    } else {
        // The lines centred on the bar, as tspans of one text element.
        let first_y = text_y - LINE_H * (lines.len() - 1) as f64 / 2.0;
        lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                format!(
                    "<tspan x=\"0\" y=\"{}\">{}</tspan>",
                    first_y + LINE_H * i as f64,
                    xml_escape(line)
                )
            })
            .collect()
    };
    let _ = write!(
        svg,
        "<g><title>{full}</title><text x=\"0\" y=\"{text_y}\"{weight} fill=\"#1a1a1a\">{shown}</text></g>",
        full = xml_escape(label),
    );
    let bar_y = y + (h - BAR_H) / 2.0;
    if n == 0 {
        let _ = write!(
            svg,
            "<rect x=\"{LABEL_W}\" y=\"{bar_y}\" width=\"{BAR_W}\" height=\"{BAR_H}\" fill=\"#f3f3f3\" stroke=\"#d0d0d0\"/>\
             <text x=\"{x}\" y=\"{text_y}\" fill=\"#555555\" font-style=\"italic\">no automated rule: manual evidence required</text>",
            x = LABEL_W + 8.0,
        );
    } else {
        let mut x = LABEL_W;
        for (status, count, w) in segments(counts, n) {
            let (fill, ink) = colours(status);
            let _ = write!(
                svg,
                "<g><title>{name}: {count}</title><rect x=\"{x:.1}\" y=\"{bar_y}\" width=\"{w:.1}\" height=\"{BAR_H}\" fill=\"{fill}\"/>",
                name = status.as_str(),
            );
            let digits = count.to_string();
            // About 8 px per digit at 13 px; skip the number when it would not fit.
            if w >= 8.0 * digits.len() as f64 + 6.0 {
                let _ = write!(
                    svg,
                    "<text x=\"{cx:.1}\" y=\"{text_y}\" fill=\"{ink}\" text-anchor=\"middle\" font-size=\"12\">{digits}</text>",
                    cx = x + w / 2.0,
                );
            }
            svg.push_str("</g>");
            x += w;
        }
    }
    let _ = write!(
        svg,
        "<text x=\"{WIDTH}\" y=\"{text_y}\" text-anchor=\"end\" fill=\"#1a1a1a\"{weight}>{n}</text>",
    );
}

/// Narrowest segment drawn, so one GAP among a thousand PASS is still visible.
const MIN_SEGMENT: f64 = 3.0;

/// (status, count, width) of each non-empty segment, in stack order. Small segments are
/// widened to `MIN_SEGMENT` and the widest one gives up the difference, so the bar keeps
/// its length; the exact counts are in the segments' tooltips.
fn segments(counts: &StatusCounts, n: usize) -> Vec<(Status, usize, f64)> {
    let mut segs: Vec<(Status, usize, f64)> = STACK_ORDER
        .iter()
        .filter_map(|s| {
            counts
                .get(s)
                .filter(|c| **c > 0)
                .map(|c| (*s, *c, BAR_W * *c as f64 / n as f64))
        })
        .collect();
    let mut extra = 0.0;
    for seg in &mut segs {
        if seg.2 < MIN_SEGMENT {
            extra += MIN_SEGMENT - seg.2;
            seg.2 = MIN_SEGMENT;
        }
    }
    if let Some(widest) = segs.iter_mut().max_by(|a, b| a.2.total_cmp(&b.2)) {
        widest.2 -= extra;
    }
    segs
}

fn legend(svg: &mut String, y: f64) {
    let mut x = 0.0;
    for status in STACK_ORDER {
        let (fill, _) = colours(status);
        let name = status.as_str();
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{fill}\"/>\
             <text x=\"{tx}\" y=\"{ty}\" font-size=\"12\" fill=\"#1a1a1a\">{name}</text>",
            tx = x + 16.0,
            ty = y + 10.5,
        );
        // About 8 px per capital letter at 12 px.
        x += 16.0 + 8.0 * name.len() as f64 + 16.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ControlCoverage, FamilyCoverage};

    /// WCAG 2.x relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn a_long_family_label_is_wrapped_never_cut() {
        let label = "A.17 Information security aspects of business continuity management";
        let lines = label_lines(label);
        assert_eq!(lines.join(" "), label);
        assert!(lines.len() == 2 && lines.iter().all(|l| l.chars().count() <= LABEL_LINE_CHARS));
        let mut svg = String::new();
        bar_row(
            &mut svg,
            0.0,
            41.0,
            label,
            &lines,
            &StatusCounts::new(),
            false,
        );
        assert!(
            svg.contains(
                "<tspan x=\"0\" y=\"17.5\">A.17 Information security aspects of business</tspan>"
            ),
            "{svg}"
        );
        assert!(!svg.contains('…'));
    }

    #[test]
    fn status_colours_meet_wcag_aa() {
        for status in STACK_ORDER {
            let (fill, label) = colours(status);
            let on_page = contrast(fill, "#ffffff");
            assert!(
                on_page >= 3.0,
                "{status:?}: {fill} on white is {on_page:.2}:1"
            );
            let text = contrast(fill, label);
            assert!(text >= 4.5, "{status:?}: {label} on {fill} is {text:.2}:1");
        }
    }

    fn framework(title: &str, summary: StatusCounts) -> FrameworkCoverage {
        FrameworkCoverage {
            id: "fw".into(),
            name: "Test <framework>".into(),
            families: vec![FamilyCoverage {
                id: "A.5".into(),
                title: title.into(),
                summary,
                controls: Vec::<ControlCoverage>::new(),
            }],
            automated_controls: 0,
            manual_controls: 0,
        }
    }

    #[test]
    fn labels_are_escaped() {
        let svg = framework_chart(&framework("<script>alert(1)</script>", StatusCounts::new()));
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("Test &lt;framework&gt;"));
    }

    #[test]
    fn bars_are_labelled_with_counts_and_totals() {
        let counts = StatusCounts::from([(Status::Pass, 40), (Status::Fail, 2)]);
        let svg = framework_chart(&framework("Organizational controls", counts));
        assert!(svg.contains("<title>FAIL: 2</title>"));
        assert!(svg.contains(">40</text>"));
        assert!(svg.contains(">42</text>"));
        assert!(svg.contains("A.5 Organizational controls"));
    }

    #[test]
    fn a_tiny_share_stays_visible_and_the_bar_keeps_its_length() {
        let counts = StatusCounts::from([(Status::Pass, 5000), (Status::Gap, 1)]);
        let segs = segments(&counts, 5001);
        assert_eq!(segs.len(), 2);
        assert!(segs.iter().all(|s| s.2 >= MIN_SEGMENT));
        let total: f64 = segs.iter().map(|s| s.2).sum();
        assert!((total - BAR_W).abs() < 1e-9);
    }

    #[test]
    fn an_empty_family_says_manual_evidence() {
        let svg = framework_chart(&framework("People controls", StatusCounts::new()));
        assert!(svg.contains("manual evidence required"));
    }

    #[test]
    fn long_labels_wrap_whole_and_stay_in_the_tooltip() {
        let long = "Physical controls and a great many other words that do not fit";
        let svg = framework_chart(&framework(long, StatusCounts::new()));
        assert!(svg.contains(&format!("<title>A.5 {long}</title>")));
        assert!(!svg.contains('…'), "nothing is cut");
        assert!(svg.contains(">that do not fit</tspan>"), "{svg}");
    }
}
