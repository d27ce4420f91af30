//! Command-line interface (clap derive). Each command lives in its own module under
//! `cli/`; this file holds the argument types and the shared loading of inputs.

mod archive_cmd;
mod attest_cmd;
mod audit;
mod audit_period;
mod collect_cmd;
mod diff_cmd;
mod frameworks;
mod gate_cmd;
mod plan_cmd;
mod rederive;
mod report_cmd;
mod rules_cmd;
mod snapshot_cmd;

use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::builder::TypedValueParser;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::diag::Sources;
use crate::exit::ExitStatus;
use crate::pipeline::{InputPaths, Inputs};
use crate::rules::RulePack;

const EXIT_STATUS: &str = "\
Exit status:
  0  nothing failed (every evaluated rule passed, was waived, manual or not applicable)
  1  at least one FAIL (assay gate: the gate failed, see `assay gate --help`)
  2  bad input or tool error (malformed rule, profile, waiver file, snapshot or plan; no report is written)
  3  no FAIL, but at least one GAP, ERROR or UNKNOWN, or no evidence at all (no account read, or no
     automated rule found anything to check): the run is incomplete and cannot be trusted as a pass
assay verify: 0 verified, 1 something differs or was changed, 2 not verified (an input missing or not
the one recorded) or unreadable input

Environment:
  ASSAY_MAX_INPUT_BYTES  the size cap for every input file, in bytes (default 1 GiB)
  ASSAY_RULES            the rules directory (as --rules)";

#[derive(Debug, Parser)]
#[command(name = "assay", version, about = "Compliance evidence for AWS accounts: ISO/IEC 27001 and GDPR rules over a saved or live snapshot.", after_help = EXIT_STATUS)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments (clap's `parse`, exiting on bad ones), with the
    /// `--version` text of [`version_text`]. The rule pack is hashed only when the version
    /// is asked for: a few milliseconds no other run should pay.
    pub fn from_command_line() -> Self {
        let mut command = Self::command();
        if std::env::args_os()
            .skip(1)
            .any(|a| a == "--version" || a == "-V")
        {
            // clap keeps a `'static` string; the process prints it and exits.
            let text: &'static str = Box::leak(version_text().into_boxed_str());
            command = command.version(text).long_version(text);
        }
        let matches = command.get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// What `assay --version` prints after the name: the version, the commit the binary was
/// built from (`unknown` when built without git, e.g. from a source tarball) and the
/// digest of the built-in rule pack, the `rule_pack.digest` every report made with it
/// shows. A `./rules` directory or `--rules DIR` replaces the built-in pack, and the
/// reports then show that pack's digest.
pub fn version_text() -> String {
    format!(
        "{}\ncommit: {}\nrule pack digest: {} (built in; used when there is no ./rules and no --rules)",
        env!("CARGO_PKG_VERSION"),
        env!("ASSAY_BUILD_COMMIT"),
        crate::rules::bundled::pack_digest(),
    )
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a snapshot against the rules and a profile, write reports, print a summary.
    #[command(after_help = concat!("Examples:\n  assay audit --snapshot samples/aws-sample/snapshot.json --profile samples/air-maestro/profile.yaml --out out/\n  assay audit --snapshot snap.json --profile profile.yaml --waivers waivers.yaml --format json,csv\n  assay audit --quarter 2026-Q3 --bucket acme-evidence --profile profile.yaml --key collector.pub --format json,csv,html,pdf --out q3/\n\n", "Exit status: 0 nothing failed, 1 a FAIL, 2 bad input, 3 GAP/ERROR/UNKNOWN without FAIL, or no evidence at all. Over a period: 0 every control held throughout, 1 an exception, 3 time not observed, 2 a scan that does not verify."))]
    Audit(audit::AuditArgs),
    /// Evaluate a snapshot and print the findings JSON (no other output).
    Evaluate(audit::EvaluateArgs),
    /// Read live AWS accounts (read-only calls) into a snapshot file.
    #[command(
        after_help = "Examples:\n  assay collect --region ap-southeast-2 --region ap-southeast-4 -o snapshot.json\n  assay collect --org OrganizationAccountAccessRole -o org.json\n  assay collect --endpoint-url http://127.0.0.1:5000 -o emulator.json\n  assay collect --sign keys/collector.key -o snapshot.json   # signed: `assay snapshot verify snapshot.json --key keys/collector.pub`\n\nExit status: 0 complete, 3 complete with gaps (listed on stderr), 2 no credentials or no reachable STS."
    )]
    Collect(collect_cmd::CollectArgs),
    /// Print the read-only IAM policy covering exactly the calls `collect` makes, or with
    /// `--archive` the separate policy `assay archive` needs.
    IamPolicy(archive_cmd::IamPolicyArgs),
    /// List, explain, test, lint and scaffold rule files.
    #[command(subcommand)]
    Rules(rules_cmd::RulesCommand),
    /// List framework catalogues and which controls have automated rules.
    Frameworks(frameworks::FrameworksArgs),
    /// Gate a change in CI: evaluate a snapshot or a Terraform plan, fail on new findings
    /// at or above a severity, write JUnit, SARIF, Markdown or JSON.
    #[command(after_help = gate_cmd::AFTER_HELP)]
    Gate(gate_cmd::GateArgs),
    /// Record the current findings as accepted, so `assay gate --baseline` fails only on new ones.
    #[command(subcommand)]
    Baseline(gate_cmd::BaselineCommand),
    /// Turn a Terraform plan (`terraform show -json`) into a snapshot the rules can evaluate.
    #[command(
        after_help = "Examples:\n  terraform show -json tfplan > tfplan.json\n  assay plan tfplan.json --account 111122223333 -o plan-snapshot.json\n\nExit status: 0 written, 2 the plan could not be read."
    )]
    Plan(plan_cmd::PlanArgs),
    /// Verify a snapshot's integrity and signature, or print its JSON Schema.
    #[command(subcommand)]
    Snapshot(snapshot_cmd::SnapshotCommand),
    /// Render saved findings again (HTML, PDF, JSON, CSV); they are verified first by
    /// evaluating them again from the inputs they record.
    #[command(after_help = report_cmd::AFTER_HELP)]
    Report(report_cmd::ReportArgs),
    /// Make an Ed25519 key pair for signing attestations.
    #[command(after_help = attest_cmd::KEYGEN_AFTER_HELP)]
    Keygen(attest_cmd::KeygenArgs),
    /// Write a customer-facing data-residency attestation (JSON, HTML, PDF) from a
    /// snapshot, optionally signed.
    #[command(after_help = attest_cmd::ATTEST_AFTER_HELP)]
    Attest(attest_cmd::AttestArgs),
    /// Verify a signed attestation (JSON, HTML or PDF) and the snapshot it names, a
    /// snapshot and its signature, or a findings document by evaluating it again.
    #[command(after_help = attest_cmd::VERIFY_AFTER_HELP)]
    Verify(attest_cmd::VerifyArgs),
    /// What changed between two snapshots (resources) or two findings documents (findings,
    /// waivers): text, Markdown, JSON or an HTML section.
    #[command(after_help = diff_cmd::AFTER_HELP)]
    Diff(diff_cmd::DiffArgs),
    /// Keep scans in S3 under Object Lock: push, list, pull, verify.
    #[command(subcommand, after_help = archive_cmd::AFTER_HELP)]
    Archive(archive_cmd::ArchiveCommand),
}

/// Where the rule pack is.
#[derive(Debug, Args, Clone)]
pub struct RulesArg {
    /// Rules directory (params.yaml, frameworks/, <domain>/<rule>.yaml). Default: ./rules
    /// when there is one, else the rule pack built into assay.
    #[arg(long, env = "ASSAY_RULES")]
    pub rules: Option<PathBuf>,
}

impl RulesArg {
    /// The directory to load: the one named, `./rules` when it exists, else the built-in
    /// pack (unpacked on first use). A `./rules` without a `params.yaml` is still taken,
    /// so a broken checkout is reported rather than quietly replaced by the built-in pack.
    pub fn dir(&self) -> Result<PathBuf> {
        if let Some(dir) = &self.rules {
            return Ok(dir.clone());
        }
        let local = PathBuf::from("rules");
        if local.is_dir() {
            return Ok(local);
        }
        Ok(crate::rules::bundled::unpacked()?)
    }
}

pub fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Audit(args) => audit::audit(args),
        Command::Evaluate(args) => audit::evaluate(args),
        Command::Collect(args) => collect_cmd::run(args),
        Command::IamPolicy(args) => archive_cmd::iam_policy(args),
        Command::Rules(cmd) => rules_cmd::run(cmd),
        Command::Frameworks(args) => frameworks::run(args),
        Command::Snapshot(cmd) => snapshot_cmd::run(cmd),
        Command::Gate(args) => gate_cmd::gate(args),
        Command::Baseline(cmd) => gate_cmd::baseline(cmd),
        Command::Plan(args) => plan_cmd::run(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Keygen(args) => attest_cmd::keygen(args),
        Command::Attest(args) => attest_cmd::attest(args),
        Command::Verify(args) => attest_cmd::verify(args),
        Command::Diff(args) => diff_cmd::run(args),
        Command::Archive(cmd) => archive_cmd::run(cmd),
    }
}

/// The value parser of every `--format`: the names of a format enum (`report::Format`,
/// `gate::Format`), listed in `--help`, and a value that is none of them refused as
/// "unknown format `x` (available: …)".
#[derive(Clone)]
pub(crate) struct FormatParser<E>(std::marker::PhantomData<E>);

impl<E> FormatParser<E> {
    pub(crate) fn new() -> Self {
        FormatParser(std::marker::PhantomData)
    }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for FormatParser<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<E, clap::Error> {
        let text = value.to_string_lossy();
        E::from_str(&text, false).map_err(|_| {
            let names: Vec<String> = E::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value())
                .map(|v| v.get_name().to_string())
                .collect();
            let message = format!(
                "unknown format `{text}` (available: {})\n",
                names.join(", ")
            );
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, message).with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value()),
        ))
    }
}

/// Prints a pipeline notice (a rendered diagnostic or a warning) on stderr.
pub(crate) fn print_notice(text: &str) {
    eprint!("{text}");
}

/// Loads the rule pack, printing every diagnostic; fails if any is an error.
pub(crate) fn load_pack(rules: &RulesArg, sources: &mut Sources) -> Result<RulePack> {
    let dir = rules.dir()?;
    Ok(crate::pipeline::load_pack(
        &dir,
        sources,
        &mut print_notice,
    )?)
}

/// The inputs every command that evaluates shares: what must hold, and when.
#[derive(Debug, Args, Clone)]
pub struct EvaluationArgs {
    /// The organisation profile: parameter values, frameworks, selected rules,
    /// attestations, claims.
    #[arg(long)]
    pub profile: PathBuf,
    /// Waiver file (approved, expiring exceptions).
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Evaluation time to record (RFC 3339), for reproducible output; default now. Waiver
    /// expiry is judged against its date.
    #[arg(long)]
    pub now: Option<DateTime<Utc>>,
}

impl EvaluationArgs {
    /// Loads the rule pack, profile and waivers, printing every diagnostic on stderr.
    pub(crate) fn load(&self) -> Result<Inputs> {
        let rules = self.rules.dir()?;
        let paths = InputPaths {
            rules: &rules,
            profile: &self.profile,
            waivers: self.waivers.as_deref(),
        };
        let mut sources = Sources::default();
        Ok(Inputs::load(&paths, &mut sources, &mut print_notice)?)
    }

    /// The evaluation time: `--now`, else the clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// clap's own consistency checks over every command: no two arguments with one name or
    /// short flag, defaults that parse, `requires`/`conflicts_with` naming real arguments.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// One spelling for "where to write" in every command (`-o`/`--out`); the older
    /// `--output` of collect, plan and baseline create still works, hidden from help.
    #[test]
    fn where_to_write_is_spelt_one_way() {
        for args in [
            &["assay", "collect", "-o", "s.json"][..],
            &["assay", "collect", "--out", "s.json"],
            &["assay", "collect", "--output", "s.json"],
            &["assay", "plan", "p.json", "--output", "s.json"],
            &["assay", "plan", "p.json", "--out", "s.json"],
            &[
                "assay",
                "baseline",
                "create",
                "--plan",
                "p.json",
                "--profile",
                "x.yaml",
                "--output",
                "b.json",
            ],
            &[
                "assay",
                "audit",
                "--snapshot",
                "s.json",
                "--profile",
                "x.yaml",
                "-o",
                "dir",
            ],
            &[
                "assay",
                "gate",
                "--plan",
                "p.json",
                "--profile",
                "x.yaml",
                "-o",
                "dir",
            ],
            &["assay", "report", "--findings", "f.json", "-o", "dir"],
            &[
                "assay",
                "attest",
                "--snapshot",
                "s.json",
                "--profile",
                "x.yaml",
                "-o",
                "dir",
            ],
            &["assay", "keygen", "--out", "keys/k"],
        ] {
            assert!(Cli::try_parse_from(args).is_ok(), "{args:?}");
        }
        let help = Cli::command()
            .find_subcommand_mut("collect")
            .expect("collect")
            .render_long_help()
            .to_string();
        assert!(help.contains("--out <OUT"), "{help}");
        assert!(!help.contains("--output"), "{help}");
    }

    /// Every command, however deep: a new one is held to the same spellings.
    fn every_command(command: &clap::Command, out: &mut Vec<clap::Command>) {
        out.push(command.clone());
        for sub in command.get_subcommands() {
            every_command(sub, out);
        }
    }

    /// `-o` is `--out` in every command, no command shows `--output`, and every
    /// `--format` lists the formats it takes (a value enum, never a free string).
    #[test]
    fn every_command_spells_out_and_format_one_way() {
        let mut commands = Vec::new();
        every_command(&Cli::command(), &mut commands);
        for command in &commands {
            for arg in command.get_arguments() {
                let name = format!("assay … {} {}", command.get_name(), arg.get_id());
                if arg.get_short() == Some('o') {
                    assert_eq!(arg.get_long(), Some("out"), "{name}");
                }
                assert_ne!(arg.get_long(), Some("output"), "{name}");
                if arg.get_long() == Some("format") {
                    assert!(!arg.get_possible_values().is_empty(), "{name}");
                }
            }
        }
    }

    /// `--format` takes the names of a format enum and refuses others with the list.
    #[test]
    fn an_unknown_format_is_refused_with_the_list() {
        let error = Cli::try_parse_from([
            "assay",
            "audit",
            "--snapshot",
            "s",
            "--profile",
            "p",
            "--format",
            "json,docx",
        ])
        .expect_err("docx is no format");
        assert!(
            error.to_string().contains(
                "unknown format `docx` (available: json, csv, html, pdf, soa, ocsf, asff)"
            ),
            "{error}"
        );
        let parsed = Cli::try_parse_from([
            "assay",
            "gate",
            "--plan",
            "p",
            "--profile",
            "p",
            "--format",
            "sarif,json",
            "--fail-on",
            "high",
        ])
        .expect("parses");
        let Command::Gate(gate) = parsed.command else {
            panic!("a gate command")
        };
        assert_eq!(
            gate.format,
            [
                crate::gate::format::Format::Sarif,
                crate::gate::format::Format::Json
            ]
        );
        assert_eq!(gate.fail_on, crate::rules::Severity::High);
    }
}
