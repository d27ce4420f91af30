//! Collect: read live AWS accounts with the official Rust SDK into a [`Snapshot`].
//!
//! One task per account × region × service, each reading its resources once for all rules,
//! with per-resource calls fanned out (bounded). Every call goes through the
//! [`recorder::Recorder`], which keeps the raw response and records failures as gaps: a
//! scan never stops for an AccessDenied, a throttled or dead endpoint; the affected rules
//! say GAP. Only missing or invalid credentials stop the run (nothing could be trusted).

/// A client of SDK crate `$sdk` for the account and region of `$ctx` (a [`ServiceCtx`]),
/// in the account's own retry partition ([`ServiceCtx::retry_partition`]).
macro_rules! service_client {
    ($sdk:ident, $ctx:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($ctx.config)
                .retry_partition($ctx.retry_partition(stringify!($sdk)))
                .build(),
        )
    };
}

mod ami;
pub mod aws;
mod backup;
mod budget;
mod change_history;
mod cloudtrail;
mod config;
mod config_aggregate;
mod dynamodb;
mod ec2;
mod ecr;
mod efs;
mod elasticache;
mod iam;
mod identity_center;
mod kinesis;
mod kms;
mod lambda;
mod logs;
pub mod merge;
mod opensearch;
pub mod operations;
mod progress;
mod rds;
mod rds_clusters;
pub mod read;
pub mod recorder;
mod redshift;
mod restore;
mod s3;
pub mod s3_backups;
mod secrets;
pub mod shard;
mod signins;
mod sns;
mod sqs;
mod sso_signins;
mod trail_events;

/// Every service collector, in the order the scheduler starts them: the one place a new
/// service is wired in (besides its `mod` line above). Global collectors run once per
/// account, regional ones once per region read; each reads the services' resources once
/// for all rules.
pub static COLLECTORS: &[Collector] = &[
    Collector {
        service: "iam",
        resource_types: &[
            "aws_account",
            "aws_iam_user",
            "aws_iam_group",
            "aws_iam_role",
        ],
        scope: Scope::Global,
        operations: iam::OPERATIONS,
        run: |ctx| iam::collect(ctx).boxed_local(),
    },
    Collector {
        service: "s3",
        resource_types: &["aws_s3_bucket", s3_backups::TYPE],
        scope: Scope::Global,
        operations: s3::OPERATIONS,
        run: |ctx| s3::collect(ctx).boxed_local(),
    },
    Collector {
        service: "ec2",
        resource_types: &[
            "aws_region",
            "aws_ebs_volume",
            "aws_ebs_snapshot",
            "aws_ec2_instance",
            "aws_vpc",
            "aws_security_group",
        ],
        scope: Scope::Regional { also_in: None },
        operations: ec2::OPERATIONS,
        run: |ctx| ec2::collect(ctx).boxed_local(),
    },
    Collector {
        service: "ec2",
        resource_types: &["aws_ec2_image"],
        scope: Scope::Regional { also_in: None },
        operations: ami::OPERATIONS,
        run: |ctx| ami::collect(ctx).boxed_local(),
    },
    Collector {
        service: "kms",
        resource_types: &["aws_kms_key"],
        scope: Scope::Regional { also_in: None },
        operations: kms::OPERATIONS,
        run: |ctx| kms::collect(ctx).boxed_local(),
    },
    Collector {
        service: "rds",
        resource_types: &["aws_rds_instance", "aws_rds_snapshot"],
        scope: Scope::Regional { also_in: None },
        operations: rds::OPERATIONS,
        run: |ctx| rds::collect(ctx).boxed_local(),
    },
    Collector {
        service: "rds",
        resource_types: &["aws_rds_cluster", "aws_rds_cluster_snapshot"],
        scope: Scope::Regional { also_in: None },
        operations: rds_clusters::OPERATIONS,
        run: |ctx| rds_clusters::collect(ctx).boxed_local(),
    },
    Collector {
        service: "cloudtrail",
        resource_types: &["aws_cloudtrail_trail"],
        scope: Scope::Regional { also_in: None },
        operations: cloudtrail::OPERATIONS,
        run: |ctx| cloudtrail::collect(ctx).boxed_local(),
    },
    // Console sign-ins through the global sign-in endpoint are recorded in us-east-1
    // only: they are read there even when the scan is limited to other regions, as IAM
    // is read whatever the regions (in the aws partition; elsewhere us-east-1 is not a
    // region). The change history (the events of global services such as IAM are
    // recorded there too) is read from the same event history.
    Collector {
        service: "cloudtrail",
        resource_types: &["aws_console_signin", change_history::TYPE],
        scope: Scope::Regional {
            also_in: Some(signins::GLOBAL_ENDPOINT_REGION),
        },
        operations: signins::OPERATIONS,
        run: |ctx| {
            async move {
                let mut found = signins::collect(ctx).await;
                found.extend(change_history::collect(ctx).await);
                found
            }
            .boxed_local()
        },
    },
    Collector {
        service: "config",
        resource_types: &["aws_config_recorder", "aws_config_resource"],
        scope: Scope::Regional { also_in: None },
        operations: config::OPERATIONS,
        run: |ctx| config::collect(ctx).boxed_local(),
    },
    Collector {
        service: "backup",
        resource_types: &[
            "aws_backup_plan",
            "aws_backup_vault",
            "aws_backup_recovery_point",
        ],
        scope: Scope::Regional { also_in: None },
        operations: backup::OPERATIONS,
        run: |ctx| backup::collect(ctx).boxed_local(),
    },
    Collector {
        service: "backup",
        resource_types: &["aws_backup_restore_testing_plan", "aws_backup_restore_job"],
        scope: Scope::Regional { also_in: None },
        operations: restore::OPERATIONS,
        run: |ctx| restore::collect(ctx).boxed_local(),
    },
    Collector {
        service: "dynamodb",
        resource_types: &["aws_dynamodb_table"],
        scope: Scope::Regional { also_in: None },
        operations: dynamodb::OPERATIONS,
        run: |ctx| dynamodb::collect(ctx).boxed_local(),
    },
    Collector {
        service: "logs",
        resource_types: &["aws_cloudwatch_log_group"],
        scope: Scope::Regional { also_in: None },
        operations: logs::OPERATIONS,
        run: |ctx| logs::collect(ctx).boxed_local(),
    },
    // Identity Center lives in its home region (ListInstances is empty elsewhere), so it
    // is read region by region like the regional services.
    Collector {
        service: "sso",
        resource_types: &[
            "aws_sso_instance",
            "aws_sso_permission_set",
            "aws_identitystore_group",
            sso_signins::TYPE,
        ],
        scope: Scope::Regional { also_in: None },
        operations: identity_center::OPERATIONS,
        run: |ctx| identity_center::collect(ctx).boxed_local(),
    },
    Collector {
        service: "elasticfilesystem",
        resource_types: &["aws_efs_file_system"],
        scope: Scope::Regional { also_in: None },
        operations: efs::OPERATIONS,
        run: |ctx| efs::collect(ctx).boxed_local(),
    },
    Collector {
        service: "secretsmanager",
        resource_types: &["aws_secretsmanager_secret"],
        scope: Scope::Regional { also_in: None },
        operations: secrets::OPERATIONS,
        run: |ctx| secrets::collect(ctx).boxed_local(),
    },
    Collector {
        service: "sqs",
        resource_types: &["aws_sqs_queue"],
        scope: Scope::Regional { also_in: None },
        operations: sqs::OPERATIONS,
        run: |ctx| sqs::collect(ctx).boxed_local(),
    },
    Collector {
        service: "sns",
        resource_types: &["aws_sns_topic"],
        scope: Scope::Regional { also_in: None },
        operations: sns::OPERATIONS,
        run: |ctx| sns::collect(ctx).boxed_local(),
    },
    Collector {
        service: "ecr",
        resource_types: &["aws_ecr_repository"],
        scope: Scope::Regional { also_in: None },
        operations: ecr::OPERATIONS,
        run: |ctx| ecr::collect(ctx).boxed_local(),
    },
    Collector {
        service: "kinesis",
        resource_types: &["aws_kinesis_stream"],
        scope: Scope::Regional { also_in: None },
        operations: kinesis::OPERATIONS,
        run: |ctx| kinesis::collect(ctx).boxed_local(),
    },
    Collector {
        service: "lambda",
        resource_types: &["aws_lambda_function"],
        scope: Scope::Regional { also_in: None },
        operations: lambda::OPERATIONS,
        run: |ctx| lambda::collect(ctx).boxed_local(),
    },
    Collector {
        service: "redshift",
        resource_types: &["aws_redshift_cluster", "aws_redshift_snapshot"],
        scope: Scope::Regional { also_in: None },
        operations: redshift::OPERATIONS,
        run: |ctx| redshift::collect(ctx).boxed_local(),
    },
    Collector {
        service: "elasticache",
        resource_types: &[
            "aws_elasticache_replication_group",
            "aws_elasticache_cluster",
        ],
        scope: Scope::Regional { also_in: None },
        operations: elasticache::OPERATIONS,
        run: |ctx| elasticache::collect(ctx).boxed_local(),
    },
    Collector {
        service: "es",
        resource_types: &["aws_opensearch_domain"],
        scope: Scope::Regional { also_in: None },
        operations: opensearch::OPERATIONS,
        run: |ctx| opensearch::collect(ctx).boxed_local(),
    },
];

/// Services a collector calls only to complete its own resources, beside its own: the
/// Identity Center identity store has no listing of its own (its id comes from
/// `sso:ListInstances`), so the Identity Center collector reads its groups.
pub const COMPANION_SERVICES: &[(&str, &str)] = &[("sso", "identitystore")];

/// One service collector: what it reads and how it is scheduled.
pub struct Collector {
    /// The AWS service it calls (the service its resource types name in the registry).
    pub service: &'static str,
    /// Every resource type it yields; each registered type has exactly one collector.
    pub resource_types: &'static [&'static str],
    pub scope: Scope,
    /// Every API operation it calls with the IAM action that permits it, declared beside
    /// the code that calls them (`assay iam-policy` and the recorder read them through
    /// [`operations::declared`]).
    pub operations: &'static [(&'static str, &'static str)],
    /// Reads the service in the context's account and region.
    pub run: for<'c, 'd> fn(&'c ServiceCtx<'d>) -> LocalBoxFuture<'c, Vec<Resource>>,
}

/// Where a collector runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per account, in region `global` (the calls go to the first region read). It
    /// locates regional resources itself (S3 buckets carry their own region).
    Global,
    /// Once per region read; and once in `also_in` when that region is enabled in the
    /// account but not among the regions read (without counting it among them).
    Regional { also_in: Option<&'static str> },
}

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_sts::config::SharedCredentialsProvider;
use chrono::Utc;
use futures::future::LocalBoxFuture;
use futures::{FutureExt, StreamExt};

use crate::snapshot::registry::InUse;
use crate::snapshot::{
    self, AccountScope, Attributes, Origin, Provenance, RegionNotRead, Resource, ShardScope,
    Snapshot, Tags, ToolInfo, Unread,
};
use aws::{Connection, FailureKind};
use recorder::Recorder;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub connection: Connection,
    /// Regions to read; empty means every region enabled for the account.
    pub regions: Vec<String>,
    /// Assume this role (in another account) before scanning.
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    /// List the organisation's accounts and assume this role name in each member account.
    pub org_role: Option<String>,
    /// With `org_role`: the role name to assume in the caller's own (management) account;
    /// None reads that account with the caller's own credentials.
    pub org_management_role: Option<String>,
    /// With `org_role`: read only this shard's accounts (`shard`).
    pub shard: Option<shard::Shard>,
    /// Per-resource calls in flight per service and region.
    pub concurrency: usize,
    /// How long, in all, a call still throttled after the SDK's attempts is waited for and
    /// asked again ([`recorder::patience`]).
    pub throttle_patience: Duration,
    /// Show a progress bar on stderr (only drawn on a terminal).
    pub progress: bool,
    /// The AWS Config aggregator (in the caller's account and the home region) whose
    /// advanced query is the catch-all inventory of every account and region scanned,
    /// instead of one query per account and region.
    pub config_aggregator: Option<String>,
    /// The S3 backup locations to list (`bucket/prefix`, the profile's
    /// `s3_backup_locations`): only these prefixes are read.
    pub backup_locations: Vec<String>,
    /// Read the CloudTrail change history (`collect/change_history.rs`).
    pub change_history: bool,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            connection: Connection {
                profile: None,
                endpoint_url: None,
                max_attempts: 5,
                operation_timeout: Duration::from_secs(60),
            },
            regions: Vec::new(),
            role_arn: None,
            external_id: None,
            org_role: None,
            org_management_role: None,
            shard: None,
            concurrency: 8,
            throttle_patience: Duration::from_secs(120),
            progress: true,
            config_aggregator: None,
            backup_locations: Vec::new(),
            change_history: false,
        }
    }
}

/// A scan that could not start or could not be trusted at all.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(
        "no usable AWS credentials ({code}): {message}\n  set AWS_PROFILE or --aws-profile, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    )]
    Credentials { code: String, message: String },
    #[error("cannot reach AWS STS at {endpoint} to identify the caller ({code}): {message}")]
    Unreachable {
        endpoint: String,
        code: String,
        message: String,
    },
    #[error("cannot list the organisation's accounts ({code}): {message}")]
    Organisation { code: String, message: String },
}

/// What a service collector gets: one account, one region, its SDK config, the recorder.
pub struct ServiceCtx<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub config: &'a SdkConfig,
    pub recorder: &'a Recorder,
    pub concurrency: usize,
    /// Whether an endpoint override is in use (emulators need S3 path-style addressing).
    pub endpoint_override: bool,
    /// Every region the scan reads in this account (a multi-Region trail whose home
    /// region is not among them is kept from the first region that shows it).
    pub regions_read: &'a [String],
    /// The region's opt-in status from `ec2:DescribeRegions` (`opt-in-not-required`,
    /// `opted-in`, or `unknown` when the list could not be read); empty for the global
    /// context and a region read beside the regions asked for.
    pub opt_in_status: &'a str,
    /// The Config inventory is read once through an aggregator for the whole scan
    /// (`--config-aggregator`), so the region's own advanced query is not made.
    pub inventory_by_aggregator: bool,
    /// The S3 backup locations to list (`bucket/prefix`), read by the S3 collector in the
    /// account that owns each bucket.
    pub backup_locations: &'a [String],
    /// Whether the CloudTrail change history is read.
    pub change_history: bool,
}

impl ServiceCtx<'_> {
    /// Where the SDK keeps its adaptive rate limiter and retry quota for `service` calls
    /// of this account in this context's region. The SDK's default partition is the
    /// service and region, shared by every client in the process, so in an organisation
    /// scan one account's throttling would slow, and use up the retries of, every other;
    /// AWS's limits are per account, and so are these partitions.
    pub fn retry_partition(&self, service: &str) -> aws_sdk_sts::config::retry::RetryPartition {
        self.retry_partition_in(service, self.config.region().map_or("", |r| r.as_ref()))
    }

    /// [`ServiceCtx::retry_partition`] for calls made in `region`.
    pub fn retry_partition_in(
        &self,
        service: &str,
        region: &str,
    ) -> aws_sdk_sts::config::retry::RetryPartition {
        aws_sdk_sts::config::retry::RetryPartition::new(format!(
            "{service}-{region}-{}",
            self.account
        ))
    }
}

/// Builds a resource from its parts.
#[allow(clippy::too_many_arguments)]
pub fn resource(
    attributes: Attributes,
    arn: String,
    id: String,
    name: Option<String>,
    account: &str,
    region: &str,
    tags: Tags,
    provenance: BTreeMap<String, Provenance>,
    unread: Vec<Unread>,
) -> Resource {
    let name = name
        .or_else(|| tags.get("Name").cloned())
        .unwrap_or_else(|| id.clone());
    Resource {
        arn,
        id,
        name,
        account: account.to_string(),
        region: region.to_string(),
        tags,
        attributes,
        provenance,
        unread,
        unknown: Vec::new(),
    }
}

struct Account {
    id: String,
    config: SdkConfig,
    /// Who the account's calls are made as (`sts:GetCallerIdentity` under `config`).
    principal: String,
}

/// Accounts scanned at once. Each account has its own AWS request limits, so scanning
/// more at once costs no throttling; an account's scan is mostly a chain of listings that
/// wait on AWS (at 50 ms a call, 4 accounts at once kept ~10 calls in flight), and its
/// resources are small next to the snapshot. See BENCHMARKS.md, "Organisations".
const ACCOUNTS_IN_FLIGHT: usize = 16;

/// Scans and returns a sealed snapshot.
pub async fn collect(options: &CollectOptions) -> Result<Snapshot, CollectError> {
    let recorder = Recorder::new(progress::Progress::new(options.progress))
        .with_patience(recorder::patience(options.throttle_patience));
    let home = options
        .regions
        .first()
        .cloned()
        .unwrap_or_else(|| "us-east-1".to_string());
    let base = aws::base_config(&options.connection, &home).await;

    let (caller_account, principal) = identify(
        &base,
        &recorder,
        &home,
        options.connection.endpoint_url.as_deref(),
    )
    .await?;
    let aggregator_account = caller_account.clone();
    let (accounts, mut scopes, scan_principal, shard_scope) =
        enter_accounts(options, &base, &recorder, caller_account, principal, &home).await?;

    let mut resources = Vec::new();
    let scans = futures::stream::iter(
        accounts
            .iter()
            .map(|account| scan_account(account, options, &recorder, &home)),
    )
    .buffer_unordered(ACCOUNTS_IN_FLIGHT);
    let results: Vec<(AccountScope, Vec<Resource>)> = scans.collect().await;
    for (scope, found) in results {
        scopes.push(scope);
        resources.extend(found);
    }
    if let Some(name) = &options.config_aggregator {
        resources.extend(
            config_aggregate::inventory(
                &base,
                &recorder,
                &home,
                &aggregator_account,
                name,
                &scopes,
            )
            .await,
        );
    }
    recorder.progress.finish();
    s3_backups::unfound_locations(
        &options.backup_locations,
        &resources,
        &recorder,
        accounts.first().map_or("", |a| a.id.as_str()),
    );

    let (raw_responses, mut gaps) = recorder.finish();
    drop_duplicate_arns(&mut resources);
    mark_regions_in_use(&mut resources, &gaps);
    resolve_key_references(&mut resources);
    resources.sort_by(|a, b| {
        (&a.account, a.type_name(), &a.region, &a.arn).cmp(&(
            &b.account,
            b.type_name(),
            &b.region,
            &b.arn,
        ))
    });
    scopes.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    gaps.sort_by(|a, b| {
        (&a.account, &a.service, &a.region, &a.operation, &a.id).cmp(&(
            &b.account,
            &b.service,
            &b.region,
            &b.operation,
            &b.id,
        ))
    });
    let mut snapshot = Snapshot {
        schema_version: snapshot::SCHEMA_VERSION,
        tool: ToolInfo {
            name: "assay".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        collected_at: Utc::now(),
        origin: Origin {
            kind: "live".into(),
            // A password in the endpoint URL is never stored in the evidence.
            endpoint_url: options
                .connection
                .endpoint_url
                .as_deref()
                .map(|u| aws::redact_url_credentials(u).into_owned()),
            principal_arn: Some(scan_principal),
            shard: shard_scope,
            parts: Vec::new(),
        },
        accounts: scopes,
        resources,
        gaps,
        raw_responses,
        manifest: snapshot::Manifest {
            algorithm: String::new(),
            canonicalization: String::new(),
            digest: String::new(),
            signature: None,
        },
    };
    snapshot.seal();
    Ok(snapshot)
}

/// What [`enter_accounts`] found: the accounts to scan, the scopes of those that could not
/// be entered, the identity the scan's calls are made as, and the shard read (`--shard`).
type Entered = (Vec<Account>, Vec<AccountScope>, String, Option<ShardScope>);

/// The accounts to scan, each with the configuration its calls are made with: the caller's
/// own, the role given with `--role-arn`, or every member of the organisation with
/// `--org` (only this shard's with `--shard`; the roles assumed [`ACCOUNTS_IN_FLIGHT`] at
/// once, in the listing's order). An account that cannot be entered is a scope with every
/// region unread. Also returns the identity the scan's calls are made as: the assumed role
/// when one account is entered with --role-arn, otherwise the caller (with --org each
/// account's own identity is in its scope).
async fn enter_accounts(
    options: &CollectOptions,
    base: &SdkConfig,
    recorder: &Recorder,
    caller_account: String,
    principal: String,
    home: &str,
) -> Result<Entered, CollectError> {
    let mut accounts = Vec::new();
    let mut scopes = Vec::new();
    let mut scan_principal = principal.clone();
    let mut shard_scope = None;
    if options.org_role.is_some() {
        let listed = organisation_accounts(base, recorder, &caller_account, home).await?;
        let listed = match options.shard {
            Some(shard) => {
                let (ours, scope) = shard::select(shard, listed);
                shard_scope = Some(scope);
                ours
            }
            None => listed,
        };
        let entered: Vec<Result<Account, AccountScope>> =
            futures::stream::iter(listed.into_iter().map(|id| {
                enter_member(
                    options,
                    base,
                    recorder,
                    &caller_account,
                    &principal,
                    home,
                    id,
                )
            }))
            .buffered(ACCOUNTS_IN_FLIGHT)
            .collect()
            .await;
        for account in entered {
            match account {
                Ok(account) => accounts.push(account),
                Err(scope) => scopes.push(scope),
            }
        }
    } else if let Some(arn) = &options.role_arn {
        let id = arn.split(':').nth(4).unwrap_or("").to_string();
        match assume(base, arn, options.external_id.as_deref(), recorder, home).await {
            Ok((config, principal)) => {
                scan_principal = principal.clone();
                accounts.push(Account {
                    id,
                    config,
                    principal,
                })
            }
            Err(reason) => scopes.push(unreachable_account(
                &id,
                &options.regions,
                &reason,
                recorder,
                home,
            )),
        }
    } else {
        accounts.push(Account {
            id: caller_account,
            config: base.clone(),
            principal: principal.clone(),
        });
    }

    Ok((accounts, scopes, scan_principal, shard_scope))
}

/// Enters one account of the organisation: its audit role assumed, or, for the account the
/// organisation is listed from, the caller's own credentials. Refused: the account's
/// scope, every region unread.
async fn enter_member(
    options: &CollectOptions,
    base: &SdkConfig,
    recorder: &Recorder,
    caller_account: &str,
    principal: &str,
    home: &str,
    id: String,
) -> Result<Account, AccountScope> {
    let role_name = options.org_role.as_deref().unwrap_or_default();
    // The account the organisation is listed from is read as the caller: AWS creates
    // OrganizationAccountAccessRole in member accounts only ("AWS Organizations
    // automatically creates an IAM role named OrganizationAccountAccessRole in every new
    // account that you create", the Organizations user guide; the management account is
    // not created by it).
    let role_name = match &options.org_management_role {
        _ if id != caller_account => role_name,
        Some(management_role) => management_role,
        None => {
            return Ok(Account {
                id,
                config: base.clone(),
                principal: principal.to_string(),
            });
        }
    };
    let arn = format!("arn:aws:iam::{id}:role/{role_name}");
    match assume(base, &arn, options.external_id.as_deref(), recorder, home).await {
        Ok((config, principal)) => Ok(Account {
            id,
            config,
            principal,
        }),
        Err(reason) => Err(unreachable_account(
            &id,
            &options.regions,
            &reason,
            recorder,
            home,
        )),
    }
}

async fn identify(
    config: &SdkConfig,
    recorder: &Recorder,
    region: &str,
    endpoint: Option<&str>,
) -> Result<(String, String), CollectError> {
    let sts = aws_sdk_sts::Client::new(config);
    match recorder
        .call("", region, "sts:GetCallerIdentity", |c| {
            sts.get_caller_identity().customize().interceptor(c).send()
        })
        .await
    {
        Ok((out, _)) => Ok((
            out.account().unwrap_or_default().to_string(),
            out.arn().unwrap_or_default().to_string(),
        )),
        Err(e) => match e.failure.kind {
            FailureKind::Unreachable | FailureKind::Timeout => {
                let endpoint = endpoint.map_or_else(
                    || format!("https://sts.{region}.amazonaws.com"),
                    |u| aws::redact_url_credentials(u).into_owned(),
                );
                Err(CollectError::Unreachable {
                    endpoint,
                    code: e.failure.code,
                    message: e.failure.message,
                })
            }
            _ => Err(CollectError::Credentials {
                code: e.failure.code,
                message: e.failure.message,
            }),
        },
    }
}

/// The organisation's active member accounts. A failure stops the scan: without the
/// list, no account could be said to be in or out of scope.
async fn organisation_accounts(
    config: &SdkConfig,
    recorder: &Recorder,
    caller_account: &str,
    region: &str,
) -> Result<Vec<String>, CollectError> {
    let client = aws_sdk_organizations::Client::new(config);
    let listed = recorder
        .pages(
            read::Paging::of(caller_account, region, "organizations:ListAccounts", ""),
            |token, c| {
                client
                    .list_accounts()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: aws_sdk_organizations::operation::list_accounts::ListAccountsOutput| {
                let ids = out
                    .accounts()
                    .iter()
                    .filter(|a| a.state().is_none_or(|s| s.as_str() == "ACTIVE"))
                    .filter_map(|a| a.id().map(str::to_string))
                    .collect();
                (ids, out.next_token().map(str::to_string))
            },
        )
        .await;
    match listed.failed {
        Some((_, failure)) => Err(CollectError::Organisation {
            code: failure.code,
            message: failure.message,
        }),
        None => Ok(listed.items.into_iter().map(|(id, _)| id).collect()),
    }
}

/// Assumes `role_arn` and checks the credentials work by asking who they are: returns the
/// configuration and the assumed-role session ARN the account's calls will be made as.
/// The error text explains a refusal.
async fn assume(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    recorder: &Recorder,
    region: &str,
) -> Result<(SdkConfig, String), String> {
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name("assay-audit")
        .configure(base);
    if let Some(id) = external_id {
        builder = builder.external_id(id);
    }
    let provider = builder.build().await;
    let config = base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build();
    let sts = aws_sdk_sts::Client::new(&config);
    match recorder
        .call(account_of(role_arn), region, "sts:AssumeRole", |c| {
            sts.get_caller_identity().customize().interceptor(c).send()
        })
        .await
    {
        // Without an ARN in the answer, the role asked for is the best that is known.
        Ok((out, _)) => {
            let principal = out.arn().unwrap_or(role_arn).to_string();
            Ok((config, principal))
        }
        Err(e) => Err(format!(
            "cannot assume {role_arn}: {} {}",
            e.failure.code, e.failure.message
        )),
    }
}

/// The account of an IAM ARN (`arn:aws:iam::ACCOUNT:role/…`); empty when it has none.
fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

/// An account that could not be entered: every region unread, one gap covering all types.
fn unreachable_account(
    id: &str,
    regions: &[String],
    reason: &str,
    recorder: &Recorder,
    region: &str,
) -> AccountScope {
    let failure = aws::Failure {
        kind: FailureKind::Denied,
        code: "AssumeRoleFailed".into(),
        message: reason.to_string(),
    };
    recorder.gap(
        id,
        "global",
        "sts:AssumeRole",
        &failure,
        snapshot::RESOURCE_TYPES,
        "",
    );
    let _ = region;
    AccountScope {
        account_id: id.to_string(),
        regions_requested: regions.to_vec(),
        regions_read: Vec::new(),
        regions_not_read: regions
            .iter()
            .map(|r| RegionNotRead {
                region: r.clone(),
                reason: reason.to_string(),
            })
            .collect(),
        principal_arn: None,
    }
}

/// Decides the regions to read, then runs every service collector for the account.
async fn scan_account(
    account: &Account,
    options: &CollectOptions,
    recorder: &Recorder,
    home: &str,
) -> (AccountScope, Vec<Resource>) {
    let enabled = ec2::regions(account, recorder, home).await;
    let requested: Vec<String> = if options.regions.is_empty() {
        enabled.iter().map(|(r, _)| r.clone()).collect()
    } else {
        options.regions.clone()
    };
    let (read, not_read) = regions_to_read(&requested, &enabled);
    let endpoint_override = options.connection.endpoint_url.is_some();
    let global_region = read
        .first()
        .map(|(r, _)| r.clone())
        .unwrap_or_else(|| home.to_string());
    let global_config = aws::in_region(&account.config, &global_region);
    let regional_configs: Vec<(String, String, SdkConfig)> = read
        .iter()
        .map(|(r, s)| (r.clone(), s.clone(), aws::in_region(&account.config, r)))
        .collect();
    let concurrency = options.concurrency;
    let inventory_by_aggregator = options.config_aggregator.is_some();
    let region_names: Vec<String> = read.iter().map(|(r, _)| r.clone()).collect();
    if region_names.is_empty() {
        no_region_read(&account.id, &not_read, recorder);
    }
    let global = ServiceCtx {
        account: &account.id,
        region: "global",
        config: &global_config,
        recorder,
        concurrency,
        endpoint_override,
        regions_read: &region_names,
        opt_in_status: "",
        inventory_by_aggregator,
        backup_locations: &options.backup_locations,
        change_history: options.change_history,
    };
    let regional: Vec<ServiceCtx> = regional_configs
        .iter()
        .map(|(region, opt_in, config)| ServiceCtx {
            account: &account.id,
            region,
            config,
            recorder,
            concurrency,
            endpoint_override,
            regions_read: &region_names,
            opt_in_status: opt_in,
            inventory_by_aggregator,
            backup_locations: &options.backup_locations,
            change_history: options.change_history,
        })
        .collect();
    // A region some collectors also read when it is enabled but not asked for, with its
    // configuration (console sign-ins in us-east-1).
    let also_in: Vec<(&str, SdkConfig)> = COLLECTORS
        .iter()
        .filter_map(|c| match c.scope {
            Scope::Regional { also_in } => also_in,
            Scope::Global => None,
        })
        .filter(|extra| {
            enabled.iter().any(|(r, _)| r == extra) && !region_names.iter().any(|r| r == extra)
        })
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .map(|extra| (extra, aws::in_region(&account.config, extra)))
        .collect();
    let extra_ctx: Vec<ServiceCtx> = also_in
        .iter()
        .map(|(region, config)| ServiceCtx {
            account: &account.id,
            region,
            config,
            recorder,
            concurrency,
            endpoint_override,
            regions_read: &region_names,
            opt_in_status: "",
            inventory_by_aggregator,
            backup_locations: &options.backup_locations,
            change_history: options.change_history,
        })
        .collect();

    // Global collectors once, regional ones per region, then the extra regions, all
    // concurrently. The futures run interleaved on one task: the work is waiting on AWS,
    // not CPU.
    let mut tasks: Vec<LocalBoxFuture<'_, Vec<Resource>>> = COLLECTORS
        .iter()
        .filter(|c| c.scope == Scope::Global)
        .map(|c| (c.run)(&global))
        .collect();
    for ctx in &regional {
        for c in COLLECTORS {
            if matches!(c.scope, Scope::Regional { .. }) {
                tasks.push((c.run)(ctx));
            }
        }
    }
    for ctx in &extra_ctx {
        for c in COLLECTORS {
            if matches!(c.scope, Scope::Regional { also_in: Some(r) } if r == ctx.region) {
                tasks.push((c.run)(ctx));
            }
        }
    }
    recorder.progress.add_tasks(tasks.len() as u64);
    let found: Vec<Vec<Resource>> = futures::stream::iter(tasks)
        .buffer_unordered(8)
        .map(|found| {
            recorder.progress.task_done();
            found
        })
        .collect()
        .await;
    let scope = AccountScope {
        account_id: account.id.clone(),
        regions_requested: requested,
        regions_read: region_names,
        regions_not_read: not_read,
        principal_arn: Some(account.principal.clone()),
    };
    (scope, found.into_iter().flatten().collect())
}

/// Splits the regions asked for into those to read (with their opt-in status) and those
/// that cannot be, with the reason.
fn regions_to_read(
    requested: &[String],
    enabled: &[(String, String)],
) -> (Vec<(String, String)>, Vec<RegionNotRead>) {
    let mut read = Vec::new();
    let mut not_read = Vec::new();
    for region in requested {
        match enabled.iter().find(|(r, _)| r == region) {
            Some((_, status)) if status != "not-opted-in" => {
                read.push((region.clone(), status.clone()))
            }
            Some(_) => not_read.push(RegionNotRead {
                region: region.clone(),
                reason: "not opted in (OptInRequired)".into(),
            }),
            // The region list could not be read: try the region anyway; failures become gaps.
            None if enabled.is_empty() => read.push((region.clone(), "unknown".into())),
            None => not_read.push(RegionNotRead {
                region: region.clone(),
                reason: "not a region of this partition".into(),
            }),
        }
    }
    (read, not_read)
}

/// Keeps one resource per ARN. An organisation trail is shown to every member account
/// as a shadow trail (`cloudtrail.rs`): when its own account was read too, that read is
/// kept; otherwise the first member's.
fn drop_duplicate_arns(resources: &mut Vec<Resource>) {
    let owner = |r: &Resource| r.arn.split(':').nth(4) == Some(r.account.as_str());
    resources.sort_by(|a, b| (&a.arn, !owner(a)).cmp(&(&b.arn, !owner(b))));
    resources.dedup_by(|later, first| later.arn == first.arn);
}

/// An account in which none of the regions asked for could be read: nothing regional was
/// listed, so its trails, keys, vaults … are not known to be absent. One gap says so, and
/// every rule that needs them (an account with no trail listed, say) is GAP, not FAIL.
fn no_region_read(account: &str, not_read: &[RegionNotRead], recorder: &Recorder) {
    let why: Vec<String> = not_read
        .iter()
        .map(|n| format!("{}: {}", n.region, n.reason))
        .collect();
    let failure = aws::Failure {
        kind: FailureKind::Service,
        code: "NoRegionRead".into(),
        message: format!(
            "none of the regions asked for could be read ({})",
            why.join("; ")
        ),
    };
    // The types listed region by region (the registry's `regional`).
    let regional_types: Vec<&str> = snapshot::resources::TYPES
        .iter()
        .filter(|t| t.regional)
        .map(|t| t.name)
        .collect();
    recorder.gap(
        account,
        "global",
        "ec2:DescribeRegions",
        &failure,
        &regional_types,
        "",
    );
}

/// Sets `aws_region.in_use` from the resources found: a region is in use when it holds
/// any data store, instance, key, backup or non-default network resource. A region where
/// nothing was found but a listing of such a type failed is not known to be unused: its
/// `in_use` is unread, citing the gap, so rules that apply only to regions in use say GAP.
fn mark_regions_in_use(resources: &mut [Resource], gaps: &[snapshot::Gap]) {
    let used: BTreeSet<(String, String)> = resources
        .iter()
        .filter(|r| {
            snapshot::type_info(r.type_name()).is_some_and(|t| match t.in_use {
                InUse::Never => false,
                InUse::Always => true,
                InUse::When(test) => test(&r.attributes),
            })
        })
        .map(|r| (r.account.clone(), r.region.clone()))
        .collect();
    for r in resources.iter_mut() {
        if let Attributes::RegionSettings(settings) = &mut r.attributes {
            settings.in_use = used.contains(&(r.account.clone(), r.region.clone()));
            if settings.in_use {
                continue;
            }
            let hidden = gaps.iter().find(|g| {
                g.account == r.account
                    && (g.region == r.region || g.region == "global")
                    && g.resource_types
                        .iter()
                        .any(|t| snapshot::type_info(t).is_some_and(|t| t.in_use.can_mark_use()))
            });
            if let Some(gap) = hidden {
                r.unread.push(Unread {
                    group: "in_use".into(),
                    gap: gap.id.clone(),
                });
            }
        }
    }
}

/// Rewrites KMS key references (a key id, an alias name or an alias ARN, as S3, EBS and
/// others may report them; the registry's `key_references` says where) to the key's ARN,
/// so rules can join on `related()`. A reference that cannot be resolved is kept as it
/// is: the join then finds nothing and the rule says so.
fn resolve_key_references(resources: &mut [Resource]) {
    let mut by_reference: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for r in resources.iter() {
        if let Attributes::KmsKey(key) = &r.attributes {
            by_reference.insert(
                (r.account.clone(), r.region.clone(), key.key_id.clone()),
                r.arn.clone(),
            );
            for alias in &key.aliases {
                by_reference.insert(
                    (r.account.clone(), r.region.clone(), alias.clone()),
                    r.arn.clone(),
                );
            }
        }
    }
    let resolve = |account: &str, region: &str, reference: &mut Option<String>| {
        let Some(text) = reference.as_deref() else {
            return;
        };
        if text.contains(":key/") {
            return;
        }
        // `arn:aws:kms:R:A:alias/x` → (A, R, alias/x); `alias/x` or a bare id → this resource's.
        let (acc, reg, name) = match text.strip_prefix("arn:") {
            Some(_) => {
                let parts: Vec<&str> = text.splitn(6, ':').collect();
                (
                    parts.get(4).copied().unwrap_or(account),
                    parts.get(3).copied().unwrap_or(region),
                    parts.get(5).copied().unwrap_or(""),
                )
            }
            None => (account, region, text),
        };
        if let Some(arn) = by_reference.get(&(acc.to_string(), reg.to_string(), name.to_string())) {
            *reference = Some(arn.clone());
        }
    };
    for r in resources.iter_mut() {
        let (account, region) = (r.account.clone(), r.region.clone());
        for reference in r.attributes.key_references() {
            resolve(&account, &region, reference);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each account's clients throttle and retry in their own partition (AWS's limits are
    /// per account); the SDK's default, the service and region, would be one for the whole
    /// organisation.
    #[test]
    fn each_account_and_region_has_its_own_retry_partition() {
        let recorder = Recorder::new(progress::Progress::new(false));
        let config = SdkConfig::builder()
            .region(aws_config::Region::new("eu-west-1"))
            .build();
        let ctx = |account| ServiceCtx {
            account,
            region: "eu-west-1",
            config: &config,
            recorder: &recorder,
            concurrency: 8,
            endpoint_override: false,
            regions_read: &[],
            opt_in_status: "",
            inventory_by_aggregator: false,
            backup_locations: &[],
            change_history: false,
        };
        let (a, b) = (ctx("111111111111"), ctx("222222222222"));
        assert_eq!(
            a.retry_partition("aws_sdk_kms").to_string(),
            "aws_sdk_kms-eu-west-1-111111111111"
        );
        assert_ne!(
            a.retry_partition("aws_sdk_kms"),
            b.retry_partition("aws_sdk_kms")
        );
        assert_ne!(
            a.retry_partition("aws_sdk_s3"),
            a.retry_partition_in("aws_sdk_s3", "us-east-1")
        );
    }

    /// The collector table and the registry agree: every registered type comes from
    /// exactly one collector, of the service the registry names, and a type is listed
    /// per region exactly when its collector runs region by region (and nowhere else).
    #[test]
    fn every_registered_type_has_one_collector_that_agrees_with_the_registry() {
        for t in snapshot::resources::TYPES {
            let collectors: Vec<&Collector> = COLLECTORS
                .iter()
                .filter(|c| c.resource_types.contains(&t.name))
                .collect();
            assert_eq!(collectors.len(), 1, "{}: collectors", t.name);
            let c = collectors[0];
            assert_eq!(c.service, t.service, "{}: service", t.name);
            assert_eq!(
                t.regional,
                c.scope == Scope::Regional { also_in: None },
                "{}: regional in the registry, scope {:?} in the collector table",
                t.name,
                c.scope
            );
        }
        for c in COLLECTORS {
            for name in c.resource_types {
                assert!(
                    snapshot::type_info(name).is_some(),
                    "{}: yields {name}, which is not registered",
                    c.service
                );
            }
        }
    }

    /// Every collector declares the calls it makes, all of its own service or of its
    /// companion (`COMPANION_SERVICES`); their IAM actions are in `assay iam-policy`.
    #[test]
    fn every_collector_declares_its_own_service_calls() {
        for c in COLLECTORS {
            let own = |service: Option<&str>| {
                service == Some(c.service)
                    || COMPANION_SERVICES
                        .iter()
                        .any(|(of, companion)| *of == c.service && service == Some(companion))
            };
            assert!(
                !c.operations.is_empty()
                    && c.operations.iter().all(|(op, _)| own(op.split(':').next())),
                "{}: its operations are not all of its service: {:?}",
                c.service,
                c.operations
            );
        }
    }
}
