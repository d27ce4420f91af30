//! `assay archive push|list|pull|verify` and `assay iam-policy [--archive]`: the write-once
//! evidence archive in S3 (`docs/archive.md`). The only commands that write to AWS.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use super::{RulesArg, load_pack, print_notice};
use crate::archive::bucket::Bucket;
use crate::archive::keys::{DEFAULT_PREFIX, Period, normalise_prefix};
use crate::archive::{self, PushInput};
use crate::collect::aws::Connection;
use crate::diag::Sources;
use crate::exit::ExitStatus;
use crate::output::Outputs;

pub const AFTER_HELP: &str = "\
Examples:
  assay archive push --bucket acme-evidence --profile profile.yaml --snapshot snapshot.json \\
      --findings out/findings.json --report out/report.html --report out/report-iso27001-2022.pdf
  assay archive list --bucket acme-evidence --account 111122223333 --quarter 2026-Q3
  assay archive pull --bucket acme-evidence assay/scans/111122223333/2026-07-14/20260714T030405Z-0123456789abcdef.json --out q3/
  assay archive verify --bucket acme-evidence --quarter 2026-Q3 --key keys/collector.pub
  assay archive period --bucket acme-evidence --quarter 2026-Q3 --account 111122223333

push refuses (exit 2) a bucket without S3 Object Lock, without versioning, or outside the
profile's archive.regions. The permissions: `assay iam-policy --archive`.

Exit status: 0 done (verify: every object holds; period: everything held throughout), 1 verify
found a changed object, a broken snapshot or signature, or an object not under retention
(period: an exception), 2 refused, bad input or a failed call, 3 period: time not observed.";

/// Where the archive is and how to reach it.
#[derive(Debug, Args, Clone)]
pub struct BucketArgs {
    /// The S3 bucket (Object Lock and versioning enabled).
    #[arg(long)]
    pub bucket: String,
    /// Key prefix inside the bucket.
    #[arg(long, default_value = DEFAULT_PREFIX)]
    pub prefix: String,
    /// Named profile from the AWS config files (as `assay collect --aws-profile`).
    #[arg(id = "aws_profile", long = "aws-profile", value_name = "NAME")]
    pub aws_profile: Option<String>,
    /// The region to ask for the bucket's location (the bucket's own region is then used).
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Endpoint override (emulators); also read from AWS_ENDPOINT_URL.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
}

/// Which scans: one account, a day or a quarter.
#[derive(Debug, Args, Clone)]
pub struct Selection {
    /// Only this account's scans.
    #[arg(long)]
    pub account: Option<String>,
    /// Only scans collected on this day (YYYY-MM-DD, UTC).
    #[arg(long, conflicts_with = "quarter")]
    pub date: Option<String>,
    /// Only scans collected in this quarter (YYYY-Qn, e.g. 2026-Q3).
    #[arg(long)]
    pub quarter: Option<String>,
}

impl Selection {
    fn period(&self) -> Result<Option<Period>> {
        Ok(match (&self.date, &self.quarter) {
            (Some(d), _) => Some(Period::day(d).map_err(|e| anyhow::anyhow!("--date: {e}"))?),
            (_, Some(q)) => {
                Some(Period::quarter(q).map_err(|e| anyhow::anyhow!("--quarter: {e}"))?)
            }
            _ => None,
        })
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = &self.account {
            parts.push(format!("account {a}"));
        }
        if let Some(d) = &self.date {
            parts.push(format!("date {d}"));
        }
        if let Some(q) = &self.quarter {
            parts.push(format!("quarter {q}"));
        }
        if parts.is_empty() {
            "any account or date".into()
        } else {
            parts.join(", ")
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Write a scan (snapshot, findings, reports, attestations) to S3 under Object Lock.
    Push(PushArgs),
    /// List archived scans by account, date or quarter.
    List {
        #[command(flatten)]
        bucket: BucketArgs,
        #[command(flatten)]
        selection: Selection,
    },
    /// Read a scan's files back, each checked against its SHA-256, into a directory.
    Pull {
        #[command(flatten)]
        bucket: BucketArgs,
        /// The scan record's key, as `archive list` prints it.
        record: String,
        /// Directory for the files (created if missing; written all or nothing).
        #[arg(short = 'o', long, default_value = "archive-pull")]
        out: PathBuf,
    },
    /// Check archived scans: every file's hash, the snapshot's manifest and signature, and
    /// that every object is still under retention.
    Verify(VerifyArgs),
    /// Judge a period from its archived scans: per rule and resource, held at every scan,
    /// failed between which dates, or not observed when.
    Period(PeriodArgs),
}

/// How `assay archive period` prints its judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodFormat {
    /// For a person: each rule and resource with its verdict.
    Text,
    /// The whole judgement as JSON.
    Json,
}

#[derive(Debug, Args)]
pub struct PeriodArgs {
    #[command(flatten)]
    pub bucket: BucketArgs,
    /// Only this account's scans and findings.
    #[arg(long)]
    pub account: Option<String>,
    /// The quarter (YYYY-Qn, e.g. 2026-Q3).
    #[arg(long, required_unless_present = "period", conflicts_with = "period")]
    pub quarter: Option<String>,
    /// The period, first and last day included (YYYY-MM-DD..YYYY-MM-DD).
    #[arg(long)]
    pub period: Option<String>,
    /// How long a scan's evidence stands without a next scan, in hours; time beyond it is
    /// not observed (a GAP in time, never a pass).
    #[arg(long, default_value_t = 48)]
    pub max_gap_hours: i64,
    /// The output format.
    #[arg(long, default_value = "text", value_parser = super::FormatParser::<PeriodFormat>::new())]
    pub format: PeriodFormat,
    /// Text: list findings that held throughout too.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub bucket: BucketArgs,
    /// The organisation profile; its `archive` section sets the retention mode and period
    /// and the regions the bucket may be in.
    #[arg(long)]
    pub profile: PathBuf,
    #[command(flatten)]
    pub rules: RulesArg,
    /// The snapshot (its integrity is checked first).
    #[arg(long)]
    pub snapshot: PathBuf,
    /// The findings evaluated from that snapshot.
    #[arg(long)]
    pub findings: Option<PathBuf>,
    /// A report file (HTML, PDF, CSV, …; repeatable).
    #[arg(long = "report", value_name = "FILE")]
    pub reports: Vec<PathBuf>,
    /// An attestation file (JSON, HTML or PDF; repeatable).
    #[arg(long = "attestation", value_name = "FILE")]
    pub attestations: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub bucket: BucketArgs,
    /// Scan record keys to verify; default: every scan the selection lists.
    pub records: Vec<String>,
    #[command(flatten)]
    pub selection: Selection,
    /// The public key the snapshots must be signed with (from `assay keygen`).
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Judge retention at this time (RFC 3339) instead of now: will the archive still be
    /// locked on that date?
    #[arg(long)]
    pub at: Option<DateTime<Utc>>,
}

/// `assay iam-policy`: the collectors' read-only policy, or the archive's.
#[derive(Debug, Args)]
pub struct IamPolicyArgs {
    /// Print the archive's policy instead (`assay archive`: writes under Object Lock).
    #[arg(long)]
    pub archive: bool,
    /// With --archive: limit the policy to this bucket.
    #[arg(long, requires = "archive")]
    pub bucket: Option<String>,
}

pub fn iam_policy(args: IamPolicyArgs) -> Result<ExitStatus> {
    if !args.archive {
        return super::collect_cmd::iam_policy();
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&archive::policy::iam_policy(args.bucket.as_deref()))?
    );
    Ok(ExitStatus::Ok)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

async fn open(args: &BucketArgs) -> Result<Bucket> {
    let conn = Connection {
        profile: args.aws_profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
        max_attempts: 5,
        operation_timeout: Duration::from_secs(120),
    };
    Ok(Bucket::open(&conn, &args.region, &args.bucket).await?)
}

pub fn run(cmd: ArchiveCommand) -> Result<ExitStatus> {
    let rt = runtime()?;
    match cmd {
        ArchiveCommand::Push(args) => {
            let mut sources = Sources::default();
            let pack = load_pack(&args.rules, &mut sources)?;
            let profile = crate::pipeline::load_profile(
                &args.profile,
                &pack,
                &mut sources,
                &mut print_notice,
            )?;
            let Some(policy) = profile.archive else {
                bail!(
                    "{}: the profile has no `archive` section (mode, retain_years or retain_days, regions): nothing was pushed",
                    args.profile.display()
                );
            };
            let input = PushInput {
                snapshot: args.snapshot,
                findings: args.findings,
                reports: args.reports,
                attestations: args.attestations,
            };
            let prepared = archive::prepare(&input)?;
            let prefix = normalise_prefix(&args.bucket.prefix);
            let (record, keys) = rt.block_on(async {
                let bucket = open(&args.bucket).await?;
                anyhow::Ok(archive::push(&bucket, &prefix, &policy, prepared, Utc::now()).await?)
            })?;
            for o in &record.objects {
                println!("s3://{}/{}  {}", args.bucket.bucket, o.key, o.name);
            }
            for k in &keys {
                println!("s3://{}/{}  scan record", args.bucket.bucket, k);
            }
            println!(
                "archived {} file(s), {} retention until {}",
                record.objects.len(),
                record.retention.mode.as_s3(),
                record.retention.retain_until.to_rfc3339()
            );
            Ok(ExitStatus::Ok)
        }
        ArchiveCommand::List { bucket, selection } => {
            let period = selection.period()?;
            let prefix = normalise_prefix(&bucket.prefix);
            let found = rt.block_on(async {
                let b = open(&bucket).await?;
                anyhow::Ok(archive::list(&b, &prefix, selection.account.as_deref(), period).await?)
            })?;
            if found.is_empty() {
                eprintln!(
                    "no scans in s3://{}/{} for {}",
                    bucket.bucket,
                    crate::archive::keys::scans_prefix(&prefix, selection.account.as_deref()),
                    selection.describe()
                );
            }
            for r in &found {
                println!("{}  {}  {}", r.account, r.date, r.key);
            }
            Ok(ExitStatus::Ok)
        }
        ArchiveCommand::Pull {
            bucket,
            record,
            out,
        } => {
            let (record, record_bytes, files) = rt.block_on(async {
                let b = open(&bucket).await?;
                anyhow::Ok(archive::pull(&b, &record).await?)
            })?;
            let mut outputs = Outputs::into_dir(&out)?;
            const RECORD_NAME: &str = "scan-record.json";
            for (name, bytes) in &files {
                if name == RECORD_NAME {
                    bail!(
                        "the scan has a file named {RECORD_NAME}, the name the record is pulled as; nothing was written"
                    );
                }
                let path = outputs.path(name);
                outputs.write(&path, bytes)?;
            }
            let path = outputs.path(RECORD_NAME);
            outputs.write(&path, &record_bytes)?;
            for path in outputs.commit()? {
                println!("{}", path.display());
            }
            println!(
                "pulled {} file(s) of the scan collected {} (manifest {}), each matching its SHA-256",
                record.objects.len(),
                record.snapshot.collected_at.to_rfc3339(),
                record.snapshot.manifest_digest
            );
            Ok(ExitStatus::Ok)
        }
        ArchiveCommand::Verify(args) => verify(&rt, args),
        ArchiveCommand::Period(args) => period(&rt, args),
    }
}

fn period(rt: &tokio::runtime::Runtime, args: PeriodArgs) -> Result<ExitStatus> {
    let (_, span) =
        super::audit_period::period_span(args.quarter.as_deref(), args.period.as_deref())?;
    if args.max_gap_hours < 1 {
        bail!("--max-gap-hours: must be at least 1");
    }
    let max_gap = chrono::TimeDelta::hours(args.max_gap_hours);
    let prefix = normalise_prefix(&args.bucket.prefix);
    let (scans, skipped) = rt.block_on(async {
        let b = open(&args.bucket).await?;
        anyhow::Ok(
            crate::period::scans::period_scans(
                &b,
                &prefix,
                args.account.as_deref(),
                span.from,
                span.to,
                max_gap,
            )
            .await?,
        )
    })?;
    for s in &skipped {
        eprintln!("warning: {s}: its time is not observed");
    }
    let report = crate::period::judge(span, &scans, max_gap);
    match args.format {
        PeriodFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        PeriodFormat::Text => print!("{}", crate::text::terminal(&report.text(args.all))),
    }
    let any = |v: &str| report.timelines.iter().any(|t| t.verdict == v);
    Ok(if any("exceptions") {
        ExitStatus::Failed
    } else if any("not_observed") || report.timelines.is_empty() {
        ExitStatus::Incomplete
    } else {
        ExitStatus::Ok
    })
}

fn verify(rt: &tokio::runtime::Runtime, args: VerifyArgs) -> Result<ExitStatus> {
    let key = args
        .key
        .as_deref()
        .map(crate::attest::sign::read_verifying_key)
        .transpose()?;
    let period = args.selection.period()?;
    let prefix = normalise_prefix(&args.bucket.prefix);
    let at = args.at.unwrap_or_else(Utc::now);
    let checks = rt.block_on(async {
        let b = open(&args.bucket).await?;
        let keys = if args.records.is_empty() {
            archive::list(&b, &prefix, args.selection.account.as_deref(), period)
                .await?
                .into_iter()
                .map(|r| r.key)
                .collect()
        } else {
            args.records.clone()
        };
        anyhow::Ok(archive::verify(&b, &keys, at, key.as_ref()).await?)
    })?;
    if checks.is_empty() {
        bail!(
            "no scans to verify in s3://{}/{} for {}: nothing was verified",
            args.bucket.bucket,
            crate::archive::keys::scans_prefix(&prefix, args.selection.account.as_deref()),
            args.selection.describe()
        );
    }
    let mut failed = 0;
    for check in &checks {
        let verdict = if check.holds() {
            "verified"
        } else {
            "NOT VERIFIED"
        };
        println!("{}: {verdict}", check.key);
        for p in &check.problems {
            println!("  - {p}");
        }
        for o in &check.objects {
            if o.problems.is_empty() {
                println!("  {} ({}): hash matches, {}", o.name, o.key, o.retention);
            }
            for p in &o.problems {
                println!("  - {} ({}): {p}", o.name, o.key);
            }
        }
        if let Some(seal) = &check.seal {
            println!("  snapshot: {seal}");
        }
        if !check.holds() {
            failed += 1;
        }
    }
    println!(
        "{} scan(s) verified, {failed} not (retention judged at {})",
        checks.len() - failed,
        at.to_rfc3339()
    );
    Ok(if failed == 0 {
        ExitStatus::Ok
    } else {
        ExitStatus::Failed
    })
}
