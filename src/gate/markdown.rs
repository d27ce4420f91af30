//! A Markdown summary of a gate run, for `$GITHUB_STEP_SUMMARY`, a merge-request note or a
//! PR comment: the verdict first, then the blocking findings, then (folded) what was
//! baselined, allowed or not evaluated, and the totals.

use std::fmt::Write as _;
use std::io::Write;

use super::{Judgement, Outcome, resource_label};
use crate::findings::{Finding, Status};
use crate::text::markdown_cell as cell;

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(text(outcome).as_bytes())
}

pub fn text(outcome: &Outcome) -> String {
    let (report, decision) = (outcome.report, outcome.decision);
    let mut md = String::new();
    let what = if outcome.is_plan() {
        "Terraform plan"
    } else {
        "snapshot"
    };
    let _ = writeln!(
        md,
        "## assay gate: {}\n",
        if decision.passed {
            "✅ passed".to_string()
        } else if decision.blocking == 0 && decision.no_evidence.is_some() {
            "❌ failed — no evidence".to_string()
        } else {
            format!("❌ failed — {} blocking finding(s)", decision.blocking)
        }
    );
    if let Some(why) = &decision.no_evidence {
        // Nothing checked is never a pass: say so even when --allow-empty let it through.
        let _ = writeln!(md, "**Incomplete:** {}\n", cell(why));
    }
    let p = &decision.policy;
    let mut statuses = vec!["FAIL", "ERROR"];
    if p.fail_on_gap {
        statuses.push("GAP");
    }
    if p.fail_on_unknown {
        statuses.push("UNKNOWN");
    }
    let _ = writeln!(
        md,
        "{what} `{}` · {} · {} rules · fails on {} at severity **{}** or above · {} baselined, {} allowed below the policy\n",
        cell(&report.snapshot.path),
        cell(&report.profile.organisation),
        report.rule_pack.rules,
        statuses.join("/"),
        p.fail_on.as_str(),
        decision.baselined,
        decision.allowed,
    );
    if let Some(n) = &decision.nothing_to_judge {
        let _ = writeln!(md, "> **Nothing was judged:** {}\n", cell(n));
    }
    for w in &decision.warnings {
        let _ = writeln!(md, "> **Warning:** {}\n", cell(w));
    }
    table(
        &mut md,
        outcome,
        "Blocking findings",
        Judgement::Blocking,
        false,
    );
    table(
        &mut md,
        outcome,
        "Accepted by the baseline",
        Judgement::Baselined,
        true,
    );
    table(
        &mut md,
        outcome,
        "Allowed by the policy",
        Judgement::Allowed,
        true,
    );
    if !decision.resolved.is_empty() {
        let _ = writeln!(
            md,
            "<details><summary>Baseline entries no longer found ({}): remove them</summary>\n",
            decision.resolved.len()
        );
        for e in &decision.resolved {
            let _ = writeln!(
                md,
                "- `{}` {} on `{}`",
                e.fingerprint,
                e.rule_id,
                cell(&e.resource)
            );
        }
        let _ = writeln!(md, "\n</details>\n");
    }
    if !decision.not_evaluated.is_empty() {
        let _ = writeln!(
            md,
            "<details><summary>Not evaluated on a plan ({} rules)</summary>\n",
            decision.not_evaluated.len()
        );
        for n in &decision.not_evaluated {
            let _ = writeln!(md, "- `{}`: {}", n.rule_id, cell(&n.reason));
        }
        let _ = writeln!(md, "\n</details>\n");
    }
    if !decision.notes.is_empty() {
        let _ = writeln!(
            md,
            "<details><summary>Planned changes read in part ({})</summary>\n",
            decision.notes.len()
        );
        for n in &decision.notes {
            let _ = writeln!(md, "- `{}`: {}", cell(&n.address), cell(&n.note));
        }
        let _ = writeln!(md, "\n</details>\n");
    }
    if !decision.not_read.is_empty() {
        let _ = writeln!(
            md,
            "<details><summary>Planned resources assay does not read ({})</summary>\n",
            decision.not_read.len()
        );
        for n in &decision.not_read {
            let _ = writeln!(md, "- `{}`", cell(&n.address));
        }
        let _ = writeln!(md, "\n</details>\n");
    }
    let totals: Vec<String> = Status::ALL
        .iter()
        .filter_map(|s| report.summary.get(s).map(|n| format!("{} {n}", s.as_str())))
        .collect();
    let _ = writeln!(
        md,
        "**Totals:** {}\n",
        if totals.is_empty() {
            "no findings".into()
        } else {
            totals.join(" · ")
        }
    );
    let _ = writeln!(
        md,
        "<sub>assay {} · rule pack `{}` · evidence digest `{}`</sub>",
        report.tool.version,
        &report.rule_pack.digest[..report.rule_pack.digest.len().min(12)],
        &report.snapshot.manifest_digest[..report.snapshot.manifest_digest.len().min(12)],
    );
    md
}

fn table(md: &mut String, outcome: &Outcome, title: &str, judgement: Judgement, folded: bool) {
    let rows: Vec<&Finding> = outcome
        .report
        .findings
        .iter()
        .filter(|f| outcome.decision.judgement(f) == judgement)
        .collect();
    if rows.is_empty() {
        return;
    }
    if folded {
        let _ = writeln!(md, "<details><summary>{title} ({})</summary>\n", rows.len());
    } else {
        let _ = writeln!(md, "### {title} ({})\n", rows.len());
    }
    let _ = writeln!(
        md,
        "| severity | status | rule | resource | why |\n|---|---|---|---|---|"
    );
    for f in rows {
        let _ = writeln!(
            md,
            "| {} | {} | `{}` | `{}` | {} |",
            f.severity.as_str(),
            f.status.as_str(),
            f.rule_id,
            cell(&resource_label(f)),
            cell(&f.summary)
        );
    }
    let _ = writeln!(md, "{}", if folded { "\n</details>\n" } else { "" });
}
