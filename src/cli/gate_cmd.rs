//! `assay gate` and `assay baseline create`: evaluate a snapshot or a Terraform plan, then
//! decide (gate) or record the problems as accepted (baseline). Every input is loaded and
//! checked before anything is written, as in `assay audit`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use super::EvaluationArgs;
use super::plan_cmd::PlanInputArgs;
use crate::exit::ExitStatus;
use crate::gate::baseline::Baseline;
use crate::gate::format::{self, Format};
use crate::gate::{Decision, Outcome, Policy, sources};
use crate::pipeline::{self, Evidence};
use crate::plan::{NotRead, PlanNote};
use crate::report::Report;
use crate::rules::Severity;
use crate::rules::on_plan::NotEvaluated;
use crate::snapshot::Snapshot;

pub const AFTER_HELP: &str = "\
Examples:
  terraform show -json tfplan > tfplan.json
  assay gate --plan tfplan.json --profile profile.yaml --fail-on high --baseline baseline.json --out gate/
  assay gate --snapshot snapshot.json --profile profile.yaml --waivers waivers.yaml --format junit,markdown

A finding fails the gate when it is FAIL or ERROR (or GAP, or UNKNOWN, unless
--no-fail-on-gap / --no-fail-on-unknown), its rule's severity is at or above --fail-on, and
the baseline does not accept it. WAIVED findings never fail the gate; an expired waiver
leaves a FAIL, which does. A run with no evidence (a snapshot that read no account, or no
automated rule found anything to check) fails the gate unless --allow-empty.

Exit status:
  0  the gate passed (nothing blocking; findings may remain, accepted by the baseline or the policy)
  1  the gate failed: at least one blocking finding, or no evidence (without --allow-empty)
  2  bad input or tool error (rules, profile, waivers, baseline, snapshot or plan; nothing is written)
The gate never exits 3: GAP, ERROR and UNKNOWN findings either block (1) or are let through (0).";

/// Where the findings come from.
#[derive(Debug, Args, Clone)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// A saved snapshot (live scan or sample).
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// A Terraform plan as JSON (`terraform show -json tfplan`).
    #[arg(long)]
    pub plan: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct Inputs {
    #[command(flatten)]
    pub source: Source,
    #[command(flatten)]
    pub plan_input: PlanInputArgs,
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// The lowest rule severity that fails the gate.
    #[arg(long, value_enum, default_value_t = Severity::Info)]
    pub fail_on: Severity,
    /// Fail on GAP findings: data the scan could not read (the default).
    #[arg(long, overrides_with = "no_fail_on_gap")]
    pub fail_on_gap: bool,
    /// Let GAP findings through.
    #[arg(long, overrides_with = "fail_on_gap")]
    pub no_fail_on_gap: bool,
    /// Fail on UNKNOWN findings: plan values known only after apply (the default).
    #[arg(long, overrides_with = "no_fail_on_unknown")]
    pub fail_on_unknown: bool,
    /// Let UNKNOWN findings through.
    #[arg(long, overrides_with = "fail_on_unknown")]
    pub no_fail_on_unknown: bool,
    /// Findings accepted for now (`assay baseline create`): only others fail the gate.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Let a run with no evidence pass: a snapshot that read no account, or one in which
    /// no automated rule found anything to check. Without it such a run fails the gate
    /// (nothing checked is never a pass).
    #[arg(long)]
    pub allow_empty: bool,
    /// Output formats, comma-separated (each listed below with the files it writes).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "junit,sarif,markdown,json",
        value_parser = super::FormatParser::<Format>::new()
    )]
    pub format: Vec<Format>,
    /// Directory for the output files (created if missing).
    #[arg(short = 'o', long, default_value = "out")]
    pub out: PathBuf,
    /// Directory of the Terraform configuration, to point SARIF results at `.tf` lines
    /// (default: the plan file's directory).
    #[arg(long)]
    pub tf_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write every current problem (FAIL, GAP, ERROR, UNKNOWN) as accepted.
    #[command(
        after_help = "Examples:\n  assay baseline create --plan tfplan.json --profile profile.yaml -o baseline.json\n  assay baseline create --snapshot snapshot.json --profile profile.yaml -o baseline.json\n\nEntries are keyed by finding fingerprint (rule id + resource identity: the ARN, or the\nTerraform address for plans). Exit status: 0 written, 2 bad input."
    )]
    Create(BaselineArgs),
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// The baseline file to write.
    #[arg(short = 'o', long = "out", alias = "output")]
    pub output: PathBuf,
}

/// An evaluated snapshot or plan.
struct Evaluated {
    report: Report,
    not_evaluated: Vec<NotEvaluated>,
    not_read: Vec<NotRead>,
    notes: Vec<PlanNote>,
    warnings: Vec<String>,
    nothing_to_judge: Option<String>,
}

fn evaluate(inputs: &Inputs) -> Result<Evaluated> {
    let loaded = inputs.evaluation.load()?;
    let now = inputs.evaluation.now();
    match (&inputs.source.snapshot, &inputs.source.plan) {
        (Some(path), _) => {
            let snapshot = Snapshot::load(path)?;
            let evaluation = pipeline::evaluate(
                &loaded,
                Evidence::Snapshot(&snapshot),
                &path.display().to_string(),
                now,
            );
            // A profile parameter that selects nothing hides violations: said on stderr
            // and in the gate's outputs, as `audit` says it.
            for warning in &evaluation.warnings {
                eprintln!("{warning}");
            }
            Ok(Evaluated {
                report: evaluation.report,
                not_evaluated: evaluation.not_evaluated,
                not_read: Vec::new(),
                notes: Vec::new(),
                warnings: evaluation.warnings,
                nothing_to_judge: None,
            })
        }
        (None, Some(path)) => {
            let planned =
                crate::plan::load(path, &inputs.plan_input.options(inputs.evaluation.now))?;
            let nothing_to_judge = planned.nothing_to_judge();
            for w in &planned.warnings {
                eprintln!("warning: {w}");
            }
            if let Some(n) = &nothing_to_judge {
                eprintln!("warning: {}: {n}", path.display());
            }
            let evaluation = pipeline::evaluate(
                &loaded,
                Evidence::Plan(&planned.snapshot),
                &path.display().to_string(),
                now,
            );
            Ok(Evaluated {
                report: evaluation.report,
                not_evaluated: evaluation.not_evaluated,
                not_read: planned.not_read,
                notes: planned.notes,
                warnings: planned.warnings,
                nothing_to_judge,
            })
        }
        (None, None) => bail!("give --snapshot or --plan"),
    }
}

pub fn gate(args: GateArgs) -> Result<ExitStatus> {
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::load(path)?),
        None => None,
    };
    let evaluated = evaluate(&args.inputs)?;
    let policy = Policy {
        fail_on: args.fail_on,
        fail_on_gap: !args.no_fail_on_gap,
        fail_on_unknown: !args.no_fail_on_unknown,
    };
    let mut decision = Decision::new(&evaluated.report.findings, policy, baseline.as_ref());
    decision.not_evaluated = evaluated.not_evaluated;
    decision.not_read = evaluated.not_read;
    decision.judge_evidence(&evaluated.report, args.allow_empty);
    decision.notes = evaluated.notes;
    decision.warnings = evaluated.warnings;
    decision.nothing_to_judge = evaluated.nothing_to_judge;
    let config_dir = args.tf_dir.clone().or_else(|| {
        args.inputs
            .source
            .plan
            .as_ref()
            .map(|p| p.parent().map(Path::to_path_buf).unwrap_or_default())
    });
    let declared = match (&args.inputs.source.plan, &config_dir) {
        (Some(_), Some(dir)) => sources::scan(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }),
        _ => BTreeMap::new(),
    };
    let outcome = Outcome {
        report: &evaluated.report,
        decision: &decision,
        declared: &declared,
        config_dir: config_dir.map(|d| d.display().to_string()),
    };
    // Every file is staged and appears only when all were written (`crate::output`).
    let mut outputs = crate::output::Outputs::into_dir(&args.out)?;
    let mut written = Vec::new();
    for format in &args.format {
        for path in format::write(*format, &outcome, &args.out, &mut outputs)? {
            written.push(path.display().to_string());
        }
    }
    outputs.commit()?;
    print!("{}", summary(&outcome));
    println!("Reports: {}", written.join(", "));
    Ok(decision.exit_code())
}

/// Text from the evidence, made safe to print.
fn t(text: &str) -> std::borrow::Cow<'_, str> {
    crate::text::terminal_with(text, false)
}

/// The terminal lines: the verdict and each blocking finding.
fn summary(outcome: &Outcome) -> String {
    let d = outcome.decision;
    let mut text = format!(
        "gate {}: {} blocking, {} baselined, {} allowed by the policy (fail on severity >= {})\n",
        if d.passed { "PASSED" } else { "FAILED" },
        d.blocking,
        d.baselined,
        d.allowed,
        d.policy.fail_on.as_str()
    );
    if let Some(why) = &d.no_evidence {
        let verdict = if d.passed {
            "allowed by --allow-empty"
        } else {
            "the gate fails (--allow-empty lets it pass)"
        };
        text.push_str(&format!("  INCOMPLETE: {why}: {verdict}\n"));
    }
    if let Some(n) = &d.nothing_to_judge {
        text.push_str(&format!("  NOTHING JUDGED: {n}\n"));
    }
    for f in outcome
        .report
        .findings
        .iter()
        .filter(|f| d.judgement(f) == crate::gate::Judgement::Blocking)
    {
        text.push_str(&format!(
            "  {} [{}] {} on {}: {}\n",
            f.status.as_str(),
            f.severity.as_str(),
            t(&f.rule_id),
            t(&crate::gate::resource_label(f)),
            t(&f.summary)
        ));
    }
    if !d.not_evaluated.is_empty() {
        text.push_str(&format!(
            "  {} rule(s) not evaluated on a plan (see summary.md or gate.json)\n",
            d.not_evaluated.len()
        ));
    }
    for n in &d.notes {
        text.push_str(&format!("  read in part: {}: {}\n", n.address, n.note));
    }
    for n in &d.not_read {
        text.push_str(&format!(
            "  not read: {} ({} is not read from plans)\n",
            n.address, n.type_name
        ));
    }
    text
}

pub fn baseline(cmd: BaselineCommand) -> Result<ExitStatus> {
    match cmd {
        BaselineCommand::Create(args) => {
            let evaluated = evaluate(&args.inputs)?;
            let baseline = Baseline::from_report(&evaluated.report);
            let mut outputs = crate::output::Outputs::new();
            outputs.write(&args.output, baseline.to_json_pretty().as_bytes())?;
            outputs.commit()?;
            println!(
                "{}: {} accepted finding(s)",
                args.output.display(),
                baseline.findings.len()
            );
            Ok(ExitStatus::Ok)
        }
    }
}
