//! The diff as text (terminal), Markdown (a pull request or ticket), JSON, or an HTML
//! section to paste into a page. Every form states what was compared and what the inputs
//! could not show.

use std::fmt::Write as _;

use serde_json::Value;

use super::{Diff, FindingRef, ResourceRef, WaiverChange};
use crate::text::markdown_cell as cell;

/// A diff format, as `assay diff --format` names it: a new one is a variant and its arm
/// in [`Format::render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For the terminal.
    Text,
    /// For a pull request or ticket.
    Markdown,
    Json,
    /// A section to paste into a page.
    Html,
}

impl Format {
    pub fn render(self, diff: &Diff) -> String {
        match self {
            Format::Text => text(diff),
            Format::Markdown => markdown(diff),
            Format::Json => json(diff),
            Format::Html => html(diff),
        }
    }
}

/// Pretty JSON with a final newline.
pub fn json(diff: &Diff) -> String {
    serde_json::to_string_pretty(diff).expect("a diff always serialises") + "\n"
}

/// A value in one line (strings unquoted, everything else as JSON).
fn value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn header(diff: &Diff) -> (String, String) {
    let side = |s: &super::SideInfo| {
        format!(
            "{} ({}, collected {}, manifest {})",
            s.path,
            s.kind,
            s.collected_at.to_rfc3339(),
            &s.manifest_digest
        )
    };
    (side(&diff.old), side(&diff.new))
}

fn resource_line(r: &ResourceRef) -> String {
    format!("{} ({}, {} {})", r.arn, r.type_name, r.account, r.region)
}

fn finding_line(f: &FindingRef) -> String {
    format!(
        "{} on {}: {} ({})",
        f.rule_id,
        f.resource,
        f.status.as_str(),
        f.summary
    )
}

fn waiver_line(w: &WaiverChange) -> String {
    format!(
        "{} ({} on {}, expires {}, ticket {})",
        w.id, w.rule, w.resource, w.expires, w.ticket
    )
}

/// Plain text for the terminal (the caller escapes control characters).
pub fn text(diff: &Diff) -> String {
    let mut t = String::new();
    let (old, new) = header(diff);
    let _ = writeln!(t, "old: {old}\nnew: {new}");
    if let Some(r) = &diff.resources {
        let _ = writeln!(
            t,
            "\nresources: {} added, {} removed, {} changed, {} unchanged",
            r.added.len(),
            r.removed.len(),
            r.changed.len(),
            r.unchanged
        );
        for a in &r.added {
            let _ = writeln!(t, "  + {}", resource_line(a));
        }
        for a in &r.removed {
            let _ = writeln!(t, "  - {}", resource_line(a));
        }
        for c in &r.changed {
            let _ = writeln!(t, "  ~ {}", resource_line(&c.resource));
            for a in &c.changes {
                let _ = writeln!(
                    t,
                    "      {}: {} -> {}",
                    a.path,
                    value(&a.old),
                    value(&a.new)
                );
            }
        }
    }
    if let Some(f) = &diff.findings {
        let _ = writeln!(
            t,
            "\nfindings: {} new, {} resolved, {} changed in status, {} unchanged",
            f.new.len(),
            f.resolved.len(),
            f.changed.len(),
            f.unchanged
        );
        for x in &f.new {
            let _ = writeln!(t, "  + {}", finding_line(x));
        }
        for x in &f.resolved {
            let _ = writeln!(t, "  - {}", finding_line(x));
        }
        for c in &f.changed {
            let _ = writeln!(
                t,
                "  ~ {} on {}: {} -> {} ({})",
                c.rule_id,
                c.resource,
                c.old_status.as_str(),
                c.new_status.as_str(),
                c.summary
            );
        }
    }
    if let Some(w) = &diff.waivers {
        let _ = writeln!(
            t,
            "\nwaivers: {} started, {} expired, {} removed",
            w.started.len(),
            w.expired.len(),
            w.removed.len()
        );
        for (mark, list) in [("+", &w.started), ("x", &w.expired), ("-", &w.removed)] {
            for x in list {
                let _ = writeln!(t, "  {mark} {}", waiver_line(x));
            }
        }
    }
    for n in &diff.not_compared {
        let _ = writeln!(t, "\nnot compared: {n}");
    }
    if diff.is_empty() {
        let _ = writeln!(t, "\nno change in what was compared");
    }
    t
}

/// Markdown for a pull request or a ticket: a heading, counts, and one table per kind of
/// change (cells escaped: names come from the account).
pub fn markdown(diff: &Diff) -> String {
    let mut md = String::new();
    let (old, new) = header(diff);
    let _ = writeln!(
        md,
        "## Changes between scans\n\n- old: {}\n- new: {}\n",
        cell(&old),
        cell(&new)
    );
    if let Some(r) = &diff.resources {
        let _ = writeln!(
            md,
            "### Resources: {} added, {} removed, {} changed ({} unchanged)\n",
            r.added.len(),
            r.removed.len(),
            r.changed.len(),
            r.unchanged
        );
        if !(r.added.is_empty() && r.removed.is_empty() && r.changed.is_empty()) {
            md.push_str(
                "| change | resource | type | attribute | old | new |\n|---|---|---|---|---|---|\n",
            );
            for (mark, list) in [("added", &r.added), ("removed", &r.removed)] {
                for a in list {
                    let _ = writeln!(
                        md,
                        "| {mark} | `{}` | {} | | | |",
                        cell(&a.arn),
                        cell(&a.type_name)
                    );
                }
            }
            for c in &r.changed {
                for a in &c.changes {
                    let _ = writeln!(
                        md,
                        "| changed | `{}` | {} | `{}` | {} | {} |",
                        cell(&c.resource.arn),
                        cell(&c.resource.type_name),
                        cell(&a.path),
                        cell(&value(&a.old)),
                        cell(&value(&a.new))
                    );
                }
            }
            md.push('\n');
        }
    }
    if let Some(f) = &diff.findings {
        let _ = writeln!(
            md,
            "### Findings: {} new, {} resolved, {} changed in status ({} unchanged)\n",
            f.new.len(),
            f.resolved.len(),
            f.changed.len(),
            f.unchanged
        );
        if !f.is_empty() {
            md.push_str("| change | rule | resource | status | summary |\n|---|---|---|---|---|\n");
            for (mark, list) in [("new", &f.new), ("resolved", &f.resolved)] {
                for x in list {
                    let _ = writeln!(
                        md,
                        "| {mark} | `{}` | `{}` | {} | {} |",
                        cell(&x.rule_id),
                        cell(&x.resource),
                        x.status.as_str(),
                        cell(&x.summary)
                    );
                }
            }
            for c in &f.changed {
                let _ = writeln!(
                    md,
                    "| changed | `{}` | `{}` | {} → {} | {} |",
                    cell(&c.rule_id),
                    cell(&c.resource),
                    c.old_status.as_str(),
                    c.new_status.as_str(),
                    cell(&c.summary)
                );
            }
            md.push('\n');
        }
    }
    if let Some(w) = &diff.waivers {
        let _ = writeln!(
            md,
            "### Waivers: {} started, {} expired, {} removed\n",
            w.started.len(),
            w.expired.len(),
            w.removed.len()
        );
        if !w.is_empty() {
            md.push_str("| change | waiver | rule | resource | expires | ticket |\n|---|---|---|---|---|---|\n");
            for (mark, list) in [
                ("started", &w.started),
                ("expired", &w.expired),
                ("removed", &w.removed),
            ] {
                for x in list {
                    let _ = writeln!(
                        md,
                        "| {mark} | {} | `{}` | `{}` | {} | {} |",
                        cell(&x.id),
                        cell(&x.rule),
                        cell(&x.resource),
                        cell(&x.expires),
                        cell(&x.ticket)
                    );
                }
            }
            md.push('\n');
        }
    }
    for n in &diff.not_compared {
        let _ = writeln!(md, "_Not compared: {}_\n", cell(n));
    }
    md
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML `<section>` (no page around it, no script, no style beyond class names), every
/// text escaped.
pub fn html(diff: &Diff) -> String {
    let mut h = String::from("<section class=\"assay-diff\">\n<h2>Changes between scans</h2>\n");
    let (old, new) = header(diff);
    let _ = writeln!(h, "<p>old: {}<br>new: {}</p>", esc(&old), esc(&new));
    let table = |h: &mut String, title: String, head: &[&str], rows: Vec<Vec<String>>| {
        let _ = writeln!(h, "<h3>{}</h3>", esc(&title));
        if rows.is_empty() {
            return;
        }
        h.push_str("<table>\n<tr>");
        for c in head {
            let _ = write!(h, "<th>{}</th>", esc(c));
        }
        h.push_str("</tr>\n");
        for row in rows {
            h.push_str("<tr>");
            for c in row {
                let _ = write!(h, "<td>{}</td>", esc(&c));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    };
    if let Some(r) = &diff.resources {
        let mut rows = Vec::new();
        for (mark, list) in [("added", &r.added), ("removed", &r.removed)] {
            for a in list {
                rows.push(vec![
                    mark.into(),
                    a.arn.clone(),
                    a.type_name.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        for c in &r.changed {
            for a in &c.changes {
                rows.push(vec![
                    "changed".into(),
                    c.resource.arn.clone(),
                    c.resource.type_name.clone(),
                    a.path.clone(),
                    value(&a.old),
                    value(&a.new),
                ]);
            }
        }
        table(
            &mut h,
            format!(
                "Resources: {} added, {} removed, {} changed ({} unchanged)",
                r.added.len(),
                r.removed.len(),
                r.changed.len(),
                r.unchanged
            ),
            &["change", "resource", "type", "attribute", "old", "new"],
            rows,
        );
    }
    if let Some(f) = &diff.findings {
        let mut rows = Vec::new();
        for (mark, list) in [("new", &f.new), ("resolved", &f.resolved)] {
            for x in list {
                rows.push(vec![
                    mark.into(),
                    x.rule_id.clone(),
                    x.resource.clone(),
                    x.status.as_str().into(),
                    x.summary.clone(),
                ]);
            }
        }
        for c in &f.changed {
            rows.push(vec![
                "changed".into(),
                c.rule_id.clone(),
                c.resource.clone(),
                format!("{} → {}", c.old_status.as_str(), c.new_status.as_str()),
                c.summary.clone(),
            ]);
        }
        table(
            &mut h,
            format!(
                "Findings: {} new, {} resolved, {} changed in status ({} unchanged)",
                f.new.len(),
                f.resolved.len(),
                f.changed.len(),
                f.unchanged
            ),
            &["change", "rule", "resource", "status", "summary"],
            rows,
        );
    }
    if let Some(w) = &diff.waivers {
        let mut rows = Vec::new();
        for (mark, list) in [
            ("started", &w.started),
            ("expired", &w.expired),
            ("removed", &w.removed),
        ] {
            for x in list {
                rows.push(vec![
                    mark.into(),
                    x.id.clone(),
                    x.rule.clone(),
                    x.resource.clone(),
                    x.expires.clone(),
                    x.ticket.clone(),
                ]);
            }
        }
        table(
            &mut h,
            format!(
                "Waivers: {} started, {} expired, {} removed",
                w.started.len(),
                w.expired.len(),
                w.removed.len()
            ),
            &["change", "waiver", "rule", "resource", "expires", "ticket"],
            rows,
        );
    }
    for n in &diff.not_compared {
        let _ = writeln!(h, "<p><em>Not compared: {}</em></p>", esc(n));
    }
    h.push_str("</section>\n");
    h
}
