//! `assay rules …`: list, explain, test, lint, new.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;

use super::{RulesArg, load_pack};
use crate::diag::Sources;
use crate::exit::ExitStatus;
use crate::pipeline::fixtures;
use crate::rules::RuleKind;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule with its severity and controls.
    List(RulesArg),
    /// Print a rule's documentation, assertions and control mappings.
    #[command(after_help = "Example:\n  assay rules explain encryption.s3-bucket-kms-cmk")]
    Explain {
        id: String,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Run every rule's pass/fail fixtures (`<rule>.tests.yaml`).
    Test {
        /// Only rules whose id starts with this.
        filter: Option<String>,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Check every rule, parameter and framework catalogue; print all problems.
    Lint(RulesArg),
    /// Scaffold a rule and its fixtures: `assay rules new backup/vault-lock`.
    New {
        /// `<domain>/<name>`.
        name: String,
        #[command(flatten)]
        rules: RulesArg,
    },
}

pub fn run(cmd: RulesCommand) -> Result<ExitStatus> {
    match cmd {
        RulesCommand::List(r) => list(r),
        RulesCommand::Explain { id, rules } => explain(id, rules),
        RulesCommand::Test { filter, rules } => run_fixtures(filter, rules),
        RulesCommand::Lint(r) => lint(r),
        RulesCommand::New { name, rules } => scaffold(name, rules),
    }
}

/// The rules, one per line pair: id, severity, title, then the controls.
fn list(r: RulesArg) -> Result<ExitStatus> {
    let mut sources = Sources::default();
    let pack = load_pack(&r, &mut sources)?;
    for rule in &pack.rules {
        let controls: Vec<String> = rule
            .controls
            .iter()
            .map(|(f, ids)| format!("{f}: {}", ids.join(", ")))
            .collect();
        let kind = if rule.kind == RuleKind::Manual {
            " (manual)"
        } else {
            ""
        };
        println!(
            "{:<48} {:<8} {}{kind}\n{:<48} {}",
            rule.id,
            rule.severity.as_str(),
            rule.title,
            "",
            controls.join("; ")
        );
    }
    Ok(ExitStatus::Ok)
}

/// A rule's documentation, assertions, parameters and control mappings.
fn explain(id: String, rules: RulesArg) -> Result<ExitStatus> {
    let mut sources = Sources::default();
    let pack = load_pack(&rules, &mut sources)?;
    let Some(rule) = pack.rule(&id) else {
        let suggestions = crate::diag::did_you_mean(&id, pack.rules.iter().map(|r| r.id.as_str()));
        bail!(
            "no rule `{id}`{}",
            if suggestions.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", suggestions.join(", "))
            }
        );
    };
    println!(
        "{} — {}\nseverity: {}   kind: {:?}   file: {}",
        rule.id,
        rule.title,
        rule.severity.as_str(),
        rule.kind,
        rule.path.display()
    );
    if !rule.resource_types.is_empty() {
        println!("resource types: {}", rule.resource_types.join(", "));
    }
    println!("\n## Controls (evidence supporting)");
    for (framework, ids) in &rule.controls {
        let f = pack.framework(framework);
        for cid in ids {
            let title = f
                .and_then(|f| f.control(cid))
                .map(|c| c.title.as_str())
                .unwrap_or("");
            println!("  {framework} {cid} {title}");
        }
    }
    println!(
        "\n## What it checks\n{}\n\n## Why it matters\n{}\n\n## Evidence\n{}\n\n## Remediation\n{}",
        rule.doc.what.trim(),
        rule.doc.why.trim(),
        rule.doc.evidence.trim(),
        rule.doc.remediation.trim()
    );
    if !rule.assertions.is_empty() {
        println!("\n## Assertions");
        for a in &rule.assertions {
            println!("  {}: {}", a.name, a.expr.source.trim());
        }
    }
    if !rule.params.is_empty() {
        println!("\n## Parameters");
        for p in &rule.params {
            let d = pack.params.get(p);
            println!(
                "  {p} ({}): {}",
                d.map_or("", |d| d.ty.name()),
                d.map_or("", |d| d.description.as_str())
            );
        }
    }
    if !rule.iam_actions.is_empty() {
        println!("\n## IAM actions needed\n  {}", rule.iam_actions.join(", "));
    }
    if !rule.doc.references.is_empty() {
        println!("\n## References");
        for r in &rule.doc.references {
            println!("  {r}");
        }
    }
    Ok(ExitStatus::Ok)
}

/// Runs the fixtures of every rule (or those whose id starts with `filter`).
fn run_fixtures(filter: Option<String>, rules: RulesArg) -> Result<ExitStatus> {
    let mut sources = Sources::default();
    let pack = load_pack(&rules, &mut sources)?;
    let results = fixtures::run_all(&pack, filter.as_deref());
    let mut failed = 0;
    for r in &results {
        if r.failures.is_empty() {
            println!("ok    {} ({} cases)", r.rule_id, r.cases);
        } else {
            failed += 1;
            println!("FAIL  {}", r.rule_id);
            for f in &r.failures {
                println!("      {f}");
            }
        }
    }
    println!("\n{} passed, {} failed", results.len() - failed, failed);
    Ok(if failed == 0 {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    })
}

/// Loads the pack (every problem printed) and warns of costly expressions.
fn lint(r: RulesArg) -> Result<ExitStatus> {
    let mut sources = Sources::default();
    let pack = load_pack(&r, &mut sources)?;
    let warnings = cost_warnings(&pack);
    for w in &warnings {
        eprintln!("{}", crate::text::terminal(w));
    }
    if !warnings.is_empty() {
        eprintln!("{} warning(s)", warnings.len());
    }
    println!(
        "{} rules, {} parameters, {} frameworks: no errors",
        pack.rules.len(),
        pack.params.len(),
        pack.frameworks.len()
    );
    Ok(ExitStatus::Ok)
}

/// Scaffolds `<domain>/<name>.yaml` and its fixtures in a rules directory the user keeps.
fn scaffold(name: String, rules: RulesArg) -> Result<ExitStatus> {
    let Some((domain, stem)) = name.split_once('/') else {
        bail!("name the rule as <domain>/<name>, e.g. backup/vault-lock")
    };
    // Both parts become one path segment each under the rules directory: a name
    // that could leave it (`..`, `/`, an absolute path) is refused.
    for part in [domain, stem] {
        if !is_rule_name_part(part) {
            bail!(
                "`{name}` is not a rule name: use <domain>/<name> with lower-case letters, digits, `-` and `_` (e.g. backup/vault-lock)"
            );
        }
    }
    // A new rule belongs in a directory of rules the user keeps, never in the
    // built-in pack's unpacked copy.
    let root = match rules.rules {
        Some(dir) => dir,
        None if Path::new("rules").is_dir() => PathBuf::from("rules"),
        None => bail!(
            "`assay rules new` writes into a rules directory: run it where ./rules is, or pass --rules DIR"
        ),
    };
    let dir = root.join(domain);
    let path: PathBuf = dir.join(format!("{stem}.yaml"));
    let tests = dir.join(format!("{stem}.tests.yaml"));
    if path.exists() || tests.exists() {
        bail!("{} already exists", path.display());
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut outputs = crate::output::Outputs::new();
    outputs.write_new(&path, scaffold_rule(domain, stem).as_bytes(), None)?;
    outputs.write_new(&tests, SCAFFOLD_TESTS.as_bytes(), None)?;
    outputs.commit()?;
    println!(
        "wrote {} and {}; fill in the TODOs, then run `assay rules test {domain}.{stem}`",
        path.display(),
        tests.display()
    );
    Ok(ExitStatus::Ok)
}

/// `rules lint`'s cost warnings: comprehensions nested so that their cost multiplies
/// (`rules::expr::nesting_warnings`), one line each with the rule file, the expression
/// and the part of it.
fn cost_warnings(pack: &crate::rules::RulePack) -> Vec<String> {
    let mut out = Vec::new();
    for rule in &pack.rules {
        let mut exprs: Vec<(String, &crate::rules::expr::Expression)> = Vec::new();
        if let Some((e, _)) = &rule.applies_when {
            exprs.push(("where".into(), e));
        }
        for (name, e, _) in &rule.lets {
            exprs.push((format!("let {name}"), e));
        }
        for a in &rule.assertions {
            exprs.push((format!("assertion {}", a.name), &a.expr));
            for (label, e) in &a.evidence {
                exprs.push((format!("assertion {} evidence {label}", a.name), e));
            }
        }
        for (place, e) in exprs {
            for p in crate::rules::expr::nesting_warnings(e) {
                // From the list being iterated to the end of its line.
                let part = e.source.get(p.range.start..).unwrap_or(&e.source);
                let part = part.lines().next().unwrap_or(part);
                out.push(format!(
                    "warning[{}]: {} ({}, {place}): {}\n  at: {}\n  note: {}",
                    p.code,
                    rule.path.display(),
                    rule.id,
                    p.message,
                    part.trim(),
                    p.notes.join("; ")
                ));
            }
        }
    }
    out
}

/// One segment of a rule name: starts with a lower-case letter or digit, then lower-case
/// letters, digits, `-` and `_` (so never `.`, `..`, a separator or an absolute path).
fn is_rule_name_part(part: &str) -> bool {
    let mut chars = part.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn scaffold_rule(domain: &str, stem: &str) -> String {
    format!(
        "id: {domain}.{stem}\ntitle: TODO one sentence that reads as the requirement\nseverity: high\nresource_types: [aws_s3_bucket]\ncontrols:\n  iso27001-2022: [A.8.24]\niam_actions: []\nassert:\n  - name: todo\n    expr: |\n      resource.region in params.allowed_regions\ndoc:\n  what: TODO what the rule checks.\n  why: TODO the risk and the control objective.\n  evidence: TODO which API calls the evidence comes from.\n  remediation: TODO how to fix a failure.\n"
    )
}

const SCAFFOLD_TESTS: &str = "params:\n  allowed_regions: [ap-southeast-2]\ncases:\n  - name: TODO passing case\n    resources:\n      - {type: aws_s3_bucket, arn: \"arn:aws:s3:::good\", region: ap-southeast-2}\n    expect:\n      - {resource: \"arn:aws:s3:::good\", status: PASS}\n  - name: TODO failing case\n    resources:\n      - {type: aws_s3_bucket, arn: \"arn:aws:s3:::bad\", region: us-east-1}\n    expect:\n      - {resource: \"arn:aws:s3:::bad\", status: FAIL}\n";
