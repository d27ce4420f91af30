//! `assay audit --period FIRST..LAST | --quarter YYYY-Qn`: the evidence pack over a
//! period, built from every archived scan of it (the bucket, or a directory of pulled
//! scans), each verified first (`crate::period::source`), with the trend across the last
//! four quarters. And `assay audit --previous FINDINGS`: the change since the previous
//! scan in the terminal summary (`crate::diff`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{NaiveTime, TimeDelta, Utc};
use clap::Args;

use super::audit::AuditArgs;
use crate::archive::bucket::Bucket;
use crate::archive::keys::{DEFAULT_PREFIX, Period, normalise_prefix};
use crate::collect::aws::Connection;
use crate::exit::ExitStatus;
use crate::output::Outputs;
use crate::period::controls::Verdict;
use crate::period::pack::{self, PackInput};
use crate::period::{Span, source, trends};
use crate::report::format::Format;

/// Default for how long a scan's evidence stands, when the profile does not say.
const DEFAULT_SCAN_INTERVAL_HOURS: u32 = 48;

#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// Build the pack over this period from the archive, first and last day included
    /// (YYYY-MM-DD..YYYY-MM-DD, UTC).
    #[arg(long, conflicts_with_all = ["quarter", "snapshot", "live"])]
    pub period: Option<String>,
    /// Build the pack over this quarter from the archive (YYYY-Qn, e.g. 2026-Q3).
    #[arg(long, conflicts_with_all = ["snapshot", "live"])]
    pub quarter: Option<String>,
    /// With --period/--quarter: the archive bucket (`assay archive push`).
    #[arg(long, conflicts_with = "archive_dir")]
    pub bucket: Option<String>,
    /// With --bucket: the key prefix inside it.
    #[arg(long, default_value = DEFAULT_PREFIX)]
    pub prefix: String,
    /// With --period/--quarter: a directory of scans pulled with `assay archive pull`
    /// (one directory per scan, each with its scan-record.json), for offline use.
    #[arg(long, value_name = "DIR")]
    pub archive_dir: Option<PathBuf>,
    /// With --period/--quarter: only this account's scans and findings.
    #[arg(long)]
    pub account: Option<String>,
    /// With --period/--quarter: how long a scan's evidence stands without a next scan, in
    /// hours (default: the profile's archive.scan_interval_hours, else 48). Time beyond it
    /// is not observed: a GAP, never a pass.
    #[arg(long)]
    pub max_gap_hours: Option<u32>,
    /// The previous scan's findings.json: the summary shows what changed since.
    #[arg(long, value_name = "FINDINGS", conflicts_with_all = ["period", "quarter"])]
    pub previous: Option<PathBuf>,
}

impl PeriodArgs {
    pub fn wanted(&self) -> bool {
        self.period.is_some() || self.quarter.is_some()
    }
}

/// The period asked for: its label and span (whole UTC days).
pub(crate) fn period_span(quarter: Option<&str>, period: Option<&str>) -> Result<(String, Span)> {
    let (label, days) = match (quarter, period) {
        (Some(q), _) => (
            q.to_string(),
            Period::quarter(q).map_err(|e| anyhow::anyhow!("--quarter: {e}"))?,
        ),
        (None, Some(p)) => {
            let bad =
                || anyhow::anyhow!("--period: `{p}` is not FIRST..LAST (YYYY-MM-DD..YYYY-MM-DD)");
            let (a, b) = p.split_once("..").ok_or_else(bad)?;
            let (a, b) = (
                Period::day(a).map_err(|_| bad())?,
                Period::day(b).map_err(|_| bad())?,
            );
            if b.to < a.from {
                bail!("--period: `{p}` ends before it starts");
            }
            (
                p.to_string(),
                Period {
                    from: a.from,
                    to: b.to,
                },
            )
        }
        (None, None) => bail!("give --quarter or --period"),
    };
    Ok((
        label,
        Span {
            from: days.from.and_time(NaiveTime::MIN).and_utc(),
            to: (days.to + TimeDelta::days(1))
                .and_time(NaiveTime::MIN)
                .and_utc(),
        },
    ))
}

/// `assay audit --period|--quarter`.
pub fn audit(args: AuditArgs) -> Result<ExitStatus> {
    let p = &args.period;
    for f in &args.format {
        if !matches!(f, Format::Json | Format::Csv | Format::Html | Format::Pdf) {
            bail!("--format {f:?}: a period pack is written as json, csv, html or pdf");
        }
    }
    // The archived findings were evaluated when they were archived (waivers included): an
    // option that would change an evaluation has nothing to act on here, and is refused
    // rather than ignored.
    let unused = [
        ("--waivers", args.input.evaluation.waivers.is_some()),
        ("--now", args.input.evaluation.now.is_some()),
        ("--templates", args.templates.is_some()),
    ];
    if let Some((flag, _)) = unused.iter().find(|(_, given)| *given) {
        bail!(
            "{flag}: a period pack is built from the archived findings as they were evaluated; {flag} has nothing to act on"
        );
    }
    let (label, span) = period_span(p.quarter.as_deref(), p.period.as_deref())?;
    let inputs = args.input.evaluation.load()?;
    let max_gap = max_gap(p, &inputs.profile)?;
    let window = trends::window(span);
    let account = p.account.as_deref();
    let loaded = load_archive(&args, (window.from, window.to), max_gap)?;
    for s in &loaded.skipped {
        eprintln!("warning: {s}: its time is not observed");
    }
    let pack = pack::build(&PackInput {
        organisation: &inputs.profile.organisation,
        label: &label,
        period: span,
        account,
        max_gap,
        verification: &loaded.checks,
        scans: &loaded.scans,
        not_used: &loaded.skipped,
    });
    let mut outputs = Outputs::into_dir(&args.out)?;
    let mut written = Vec::new();
    for format in &args.format {
        let files: Vec<(String, Vec<u8>)> = match format {
            Format::Json => vec![("period.json".into(), pack.to_json().into_bytes())],
            Format::Csv => vec![(
                "period.csv".into(),
                crate::period::csv::render(&pack).context("writing period.csv")?,
            )],
            Format::Html => vec![(
                "period.html".into(),
                crate::period::html::render(&pack).into_bytes(),
            )],
            Format::Pdf => crate::period::pdf::render(&pack)
                .map_err(|e| anyhow::anyhow!("period pack PDF: {e}"))?,
            _ => Vec::new(),
        };
        for (name, bytes) in files {
            let path = args.out.join(name);
            outputs.write(&path, &bytes)?;
            written.push(path.display().to_string());
        }
    }
    outputs.commit()?;
    if !args.quiet {
        print!("{}", crate::text::terminal(&pack.summary()));
        println!("Reports: {}", written.join(", "));
    }
    Ok(match pack.worst() {
        Some(Verdict::Exceptions) => ExitStatus::Failed,
        Some(_) => ExitStatus::Incomplete,
        None if pack.scans.is_empty() => ExitStatus::Incomplete,
        None => ExitStatus::Ok,
    })
}

/// How long a scan's evidence stands: `--max-gap-hours`, else the profile's
/// `archive.scan_interval_hours`, else 48 hours.
pub(crate) fn max_gap(p: &PeriodArgs, profile: &crate::profile::Profile) -> Result<TimeDelta> {
    let hours = match p.max_gap_hours {
        Some(h) => h,
        None => profile
            .archive
            .as_ref()
            .and_then(|a| a.scan_interval_hours)
            .unwrap_or(DEFAULT_SCAN_INTERVAL_HOURS),
    };
    if hours < 1 {
        bail!("--max-gap-hours: must be at least 1");
    }
    Ok(TimeDelta::hours(i64::from(hours)))
}

/// The archive's verified scans collected in `window` (widened by `max_gap`), from the
/// bucket (`--bucket`) or a directory of pulled scans (`--archive-dir`).
pub(crate) fn load_archive(
    args: &AuditArgs,
    window: (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
    max_gap: TimeDelta,
) -> Result<source::Loaded> {
    let p = &args.period;
    let account = p.account.as_deref();
    let key = args
        .input
        .key
        .as_deref()
        .map(crate::attest::sign::read_verifying_key)
        .transpose()?;
    let loaded = match (&p.bucket, &p.archive_dir) {
        (Some(bucket), _) => {
            let aws = &args.input.aws;
            let conn = Connection {
                profile: aws.profile.clone(),
                endpoint_url: aws.endpoint_url.clone(),
                max_attempts: aws.max_attempts,
                operation_timeout: Duration::from_secs(aws.call_timeout.max(1)),
            };
            let region = aws
                .regions
                .first()
                .cloned()
                .or_else(|| std::env::var("AWS_REGION").ok())
                .unwrap_or_else(|| "us-east-1".into());
            let prefix = normalise_prefix(&p.prefix);
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?
                .block_on(async {
                    let b = Bucket::open(&conn, &region, bucket).await?;
                    anyhow::Ok(
                        source::from_bucket(
                            &b,
                            &prefix,
                            account,
                            window,
                            max_gap,
                            key.as_ref(),
                            Utc::now(),
                        )
                        .await?,
                    )
                })?
        }
        (None, Some(dir)) => source::from_directory(dir, account, window, max_gap, key.as_ref())?,
        (None, None) => bail!(
            "--period/--quarter: give the archive, --bucket B (with --prefix P) or --archive-dir DIR of pulled scans"
        ),
    };
    Ok(loaded)
}

/// Whether an archive was given (`--bucket` or `--archive-dir`).
pub(crate) fn archive_given(p: &PeriodArgs) -> bool {
    p.bucket.is_some() || p.archive_dir.is_some()
}

/// What an archive adds to a one-scan audit: the trend across the last four quarters
/// ending with the scan's (from the archived scans, judged as a period pack judges them),
/// and the change since the latest archived scan before this one.
pub struct FromArchive {
    pub trends: trends::Trends,
    pub since_previous: Option<String>,
}

/// [`FromArchive`] for `report`, read from the archive the arguments name.
pub fn from_archive(args: &AuditArgs, report: &crate::report::Report) -> Result<FromArchive> {
    let p = &args.period;
    let profile = args.input.evaluation.load()?.profile;
    let max_gap = max_gap(p, &profile)?;
    let at = report.snapshot.collected_at;
    // The trend's window: the four quarters ending with the scan's own.
    let instant = Span {
        from: at,
        to: at + TimeDelta::seconds(1),
    };
    let quarters = trends::quarters(instant);
    let span = Span {
        from: quarters.last().map_or(at, |q| q.1.from),
        to: quarters.last().map_or(at, |q| q.1.to),
    };
    let window = trends::window(span);
    let loaded = load_archive(args, (window.from, window.to), max_gap)?;
    for s in &loaded.skipped {
        eprintln!("warning: {s}: left out of the trend");
    }
    let trends = trends::build(&loaded.scans, span, max_gap, &report.frameworks);
    let previous = loaded
        .scans
        .iter()
        .filter(|s| s.collected_at < at && s.manifest_digest != report.snapshot.manifest_digest)
        .max_by_key(|s| s.collected_at);
    let since_previous = previous.map(|old| {
        let d = crate::diff::compare_findings(&old.findings, &report.findings);
        changes_text(
            &format!(
                "Since the previous archived scan (collected {}, {})",
                old.collected_at.format("%Y-%m-%d %H:%M UTC"),
                old.source
            ),
            &d,
        )
    });
    Ok(FromArchive {
        trends,
        since_previous,
    })
}

/// `HEADING: N new, N resolved, N changed in status`, then each change of status.
fn changes_text(heading: &str, d: &crate::diff::FindingsDiff) -> String {
    let mut t = format!(
        "{heading}: {} new, {} resolved, {} changed in status\n",
        d.new.len(),
        d.resolved.len(),
        d.changed.len()
    );
    for c in &d.changed {
        t.push_str(&format!(
            "  {} on {}: {} -> {}\n",
            c.rule_id,
            c.resource,
            c.old_status.as_str(),
            c.new_status.as_str()
        ));
    }
    t
}

/// The change since the previous scan, for the terminal summary of a one-scan audit.
pub fn since_previous(
    previous: &std::path::Path,
    report: &crate::report::Report,
) -> Result<String> {
    let old = crate::diff::Side::load(previous)?;
    let crate::diff::Side::Findings(old) = old else {
        bail!(
            "--previous {}: give the previous scan's findings.json, not a snapshot",
            previous.display()
        );
    };
    let d = crate::diff::compare_findings(&old.findings, &report.findings);
    Ok(changes_text(
        &format!(
            "Since the previous scan (collected {}, {})",
            old.snapshot.collected_at.format("%Y-%m-%d %H:%M UTC"),
            previous.display()
        ),
        &d,
    ))
}
