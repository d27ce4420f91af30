//! `assay plan`: a Terraform plan (`terraform show -json`) → a snapshot file, so a plan can
//! be kept as evidence, inspected, or audited like any other snapshot.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::Args;

use crate::exit::ExitStatus;
use crate::plan::{self, PlanOptions};

/// Options shared by every command that reads a plan.
#[derive(Debug, Args, Clone)]
pub struct PlanInputArgs {
    /// The account of planned resources whose provider configuration names none (no
    /// `allowed_account_ids` or constant `assume_role`). Without it their account is unknown,
    /// and rules reading the account yield UNKNOWN.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
}

impl PlanInputArgs {
    pub fn options(&self, now: Option<DateTime<Utc>>) -> PlanOptions {
        PlanOptions {
            account: self.account.clone(),
            now,
        }
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan as JSON: `terraform show -json tfplan > tfplan.json`.
    pub plan: PathBuf,
    #[command(flatten)]
    pub input: PlanInputArgs,
    /// Write the snapshot here instead of to standard output.
    #[arg(short = 'o', long = "out", alias = "output")]
    pub output: Option<PathBuf>,
    /// Sign the snapshot's manifest digest with this Ed25519 private key (from `assay
    /// keygen`; `docs/snapshot.md`).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
}

pub fn run(args: PlanArgs) -> Result<ExitStatus> {
    let key = args
        .sign
        .as_deref()
        .map(crate::attest::sign::read_signing_key)
        .transpose()?;
    let mut planned = plan::load(&args.plan, &args.input.options(None))?;
    if let Some(key) = &key {
        crate::snapshot::seal::sign(&mut planned.snapshot, key);
    }
    match &args.output {
        Some(path) => {
            let mut outputs = crate::output::Outputs::new();
            outputs.write_with(path, |out| planned.snapshot.write_pretty(out))?;
            outputs.commit()?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            planned.snapshot.write_pretty(&mut lock)?;
            lock.flush()?;
        }
    }
    let unknown: usize = planned
        .snapshot
        .resources
        .iter()
        .map(|r| r.unknown.len())
        .sum();
    eprintln!(
        "{}: {} resources ({} attribute groups known only after apply)",
        args.plan.display(),
        planned.snapshot.resources.len(),
        unknown
    );
    for n in &planned.not_read {
        eprintln!(
            "  not read: {} ({} is not read from plans)",
            n.address, n.type_name
        );
    }
    for n in &planned.notes {
        eprintln!("  read in part: {}: {}", n.address, n.note);
    }
    for w in &planned.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(n) = planned.nothing_to_judge() {
        eprintln!("warning: {}: {n}", args.plan.display());
    }
    Ok(ExitStatus::Ok)
}
