//! `assay collect` and `assay iam-policy`: the live scan and the permissions it needs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use crate::collect::aws::Connection;
use crate::collect::shard::Shard;
use crate::collect::{CollectOptions, collect, operations};
use crate::exit::ExitStatus;
use crate::snapshot::Snapshot;

/// Where and how to read AWS: the AWS CLI's options.
#[derive(Debug, Args, Clone)]
pub struct AwsArgs {
    /// Named profile from the AWS config files (default: AWS_PROFILE, else the standard
    /// credential chain). Not `--profile`: that names the organisation profile of `audit`.
    #[arg(id = "aws_profile", long = "aws-profile", value_name = "NAME")]
    pub profile: Option<String>,
    /// Region to read (repeatable); default: every region enabled for the account.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Assume this role before scanning (another account).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// External id for --role-arn / --org.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Scan every active account of the organisation, assuming this role name in each
    /// member account. The account the organisation is listed from (the management
    /// account, or a delegated administrator) is read with the caller's own credentials:
    /// AWS creates OrganizationAccountAccessRole only in member accounts.
    #[arg(long, value_name = "ROLE_NAME")]
    pub org: Option<String>,
    /// With --org: read the management account by assuming this role name in it instead
    /// of with the caller's own credentials.
    #[arg(long, value_name = "ROLE_NAME", requires = "org")]
    pub org_management_role: Option<String>,
    /// With --org: read only shard I of N of the organisation's accounts (I from 0; a
    /// stable partition by a hash of the account id), so N jobs read the organisation
    /// between them; join their snapshots with `assay snapshot merge`. `auto/N` takes I
    /// from AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array jobs) or JOB_COMPLETION_INDEX
    /// (Kubernetes Indexed Jobs). See docs/scale.md.
    #[arg(long, value_name = "I/N", requires = "org", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Endpoint override (emulators); also read from AWS_ENDPOINT_URL.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Attempts per call, first included (the SDK's retries with backoff; a call still
    /// throttled after them waits and is asked again, about 2 minutes in all).
    #[arg(long, default_value_t = 5)]
    pub max_attempts: u32,
    /// Seconds one call may take, retries included.
    #[arg(long, default_value_t = 60)]
    pub call_timeout: u64,
    /// Seconds, in all, a call AWS still throttles after the SDK's attempts is waited for
    /// and asked again before it is a gap (throttling says "later", not "no"); 0 makes it a
    /// gap at once.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub throttle_patience: u64,
    /// Per-resource calls in flight per service and region.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Read AWS Config's catch-all inventory through this configuration aggregator (in
    /// the caller's account and the first --region): one advanced query for every account
    /// and region it gathers, instead of one per account and region. Where the aggregator
    /// does not hold an account and region scanned (not a source, a source that failed),
    /// the inventory's gap says so.
    #[arg(long, value_name = "NAME")]
    pub config_aggregator: Option<String>,
    /// An S3 backup location to list (`BUCKET/PREFIX`, repeatable): the objects under it
    /// are what the backup rules count. Only named prefixes are read; `audit --live` adds
    /// the profile's `s3_backup_locations`.
    #[arg(long = "s3-backups", value_name = "BUCKET/PREFIX")]
    pub s3_backups: Vec<String>,
    /// Also read the CloudTrail change history: the management events of the last 90
    /// days that change a setting a rule judges (one `LookupEvents` per event name of the
    /// change table, per region), so that a period pack sees a setting changed and
    /// changed back between two scans. For scans that are archived; `audit --live` reads
    /// it when the profile has an `archive` section.
    #[arg(long)]
    pub change_history: bool,
}

impl AwsArgs {
    pub fn options(&self) -> CollectOptions {
        CollectOptions {
            connection: Connection {
                profile: self.profile.clone(),
                endpoint_url: self.endpoint_url.clone(),
                max_attempts: self.max_attempts,
                operation_timeout: Duration::from_secs(self.call_timeout),
            },
            regions: self.regions.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.external_id.clone(),
            org_role: self.org.clone(),
            org_management_role: self.org_management_role.clone(),
            shard: self.shard,
            concurrency: self.concurrency.max(1),
            throttle_patience: Duration::from_secs(self.throttle_patience),
            progress: true,
            config_aggregator: self.config_aggregator.clone(),
            backup_locations: self.s3_backups.clone(),
            change_history: self.change_history,
        }
    }
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Where to write the snapshot. With --shard, `{shard}` in the path is replaced by the
    /// shard's index (engines that run the image without a shell cannot build the name).
    #[arg(
        short = 'o',
        long = "out",
        alias = "output",
        default_value = "snapshot.json"
    )]
    pub output: PathBuf,
    /// Sign the snapshot's manifest digest with this Ed25519 private key (from `assay
    /// keygen`), so a reader with the public key can check who sealed it
    /// (`docs/snapshot.md`). Read before the scan starts.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
}

/// `--shard I/N` or `auto/N` (the index from the engine's environment).
fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse_with(text, |name| std::env::var(name).ok())
}

/// Runs a live scan to completion.
pub fn scan(aws: &AwsArgs) -> Result<Snapshot> {
    scan_with(aws, &[])
}

/// Runs a live scan to completion, also listing `backup_locations` (a profile's
/// `s3_backup_locations`) beside those given with `--s3-backups`.
pub fn scan_with(aws: &AwsArgs, backup_locations: &[String]) -> Result<Snapshot> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut options = aws.options();
    for location in backup_locations {
        if !options.backup_locations.contains(location) {
            options.backup_locations.push(location.clone());
        }
    }
    Ok(runtime.block_on(collect(&options))?)
}

pub fn run(args: CollectArgs) -> Result<ExitStatus> {
    // A bad key stops the run before any call is made.
    let key = args
        .sign
        .as_deref()
        .map(crate::attest::sign::read_signing_key)
        .transpose()?;
    let output = output_path(&args.output, args.aws.shard.as_ref())?;
    let mut snapshot = scan(&args.aws)?;
    if let Some(key) = &key {
        crate::snapshot::seal::sign(&mut snapshot, key);
    }
    let mut outputs = crate::output::Outputs::new();
    outputs.write_with(&output, |out| snapshot.write_pretty(out))?;
    outputs.commit()?;
    let regions: usize = snapshot.accounts.iter().map(|a| a.regions_read.len()).sum();
    eprintln!(
        "wrote {}: {} resources from {} account(s), {} region(s) read, {} raw responses, {} gap(s)",
        output.display(),
        snapshot.resources.len(),
        snapshot.accounts.len(),
        regions,
        snapshot.raw_responses.len(),
        snapshot.gaps.len()
    );
    if let Some(shard) = &snapshot.origin.shard {
        eprintln!(
            "  shard {}/{}: {} of the organisation's {} account(s); join the shards with `assay snapshot merge`",
            shard.index,
            shard.count,
            snapshot.accounts.len(),
            shard.organisation_accounts.len()
        );
    }
    eprintln!(
        "  manifest {}: {}",
        snapshot.manifest.digest,
        crate::snapshot::seal::judge(&snapshot, None).describe()
    );
    for gap in &snapshot.gaps {
        eprintln!(
            "{}",
            crate::text::terminal_with(
                &format!(
                    "  GAP {} {}/{} {}: {} {}",
                    gap.id, gap.account, gap.region, gap.operation, gap.error_code, gap.message
                ),
                false
            )
        );
    }
    // A scan with gaps is incomplete: say so in the exit status (3), like an audit.
    Ok(if snapshot.gaps.is_empty() {
        ExitStatus::Ok
    } else {
        ExitStatus::Incomplete
    })
}

/// `-o` with `{shard}` replaced by the shard's index; without --shard, `{shard}` is a
/// mistake (every job would write the same name), refused before the scan.
fn output_path(output: &Path, shard: Option<&Shard>) -> Result<PathBuf> {
    let text = output.to_string_lossy();
    if !text.contains("{shard}") {
        return Ok(output.to_path_buf());
    }
    match shard {
        Some(shard) => Ok(PathBuf::from(
            text.replace("{shard}", &shard.index.to_string()),
        )),
        None => anyhow::bail!(
            "-o {text}: `{{shard}}` is replaced by the shard's index, but no --shard was given"
        ),
    }
}

pub fn iam_policy() -> Result<ExitStatus> {
    println!(
        "{}",
        serde_json::to_string_pretty(&operations::iam_policy())?
    );
    Ok(ExitStatus::Ok)
}
