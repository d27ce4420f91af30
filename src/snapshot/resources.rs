//! The normalised resource model: what the rules read.
//!
//! Every resource in a snapshot has the same envelope (type, ARN, id, name, account,
//! region, tags) plus the attributes of its type, flattened into one JSON object. That
//! object is exactly what a rule sees as `resource`, so a field path in a rule
//! (`resource.encryption.kms_key_arn`) is also a JSON path into the snapshot file.
//!
//! Conventions, chosen so that missing data can never look like a pass:
//! - every field is always present in the JSON; `null` means "read, and AWS returned
//!   nothing" (e.g. a bucket without a lifecycle configuration), never "not read";
//! - an attribute group that could not be read is named in the resource's `unread` list
//!   with the gap that explains it (its value is null, or empty for lists); rules reading
//!   it yield GAP;
//! - durations are whole days (`*_days`), times are RFC 3339 UTC strings;
//! - security-group rules are normalised: protocol `-1` becomes `"all"` with ports 0–65535.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::copies;
use super::registry::{DataStore, InUse, Plan, TypeInfo, encryption_key, resource_types};

/// Encryption at rest of a data store, as far as the rules need it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// Whether the data is encrypted at rest at all.
    pub enabled: bool,
    /// `aws:kms`, `aws:kms:dsse`, `AES256` (S3-managed keys) or null when unencrypted.
    pub algorithm: Option<String>,
    /// Full ARN of the KMS key, when KMS is used (aliases resolved by the collector).
    pub kms_key_arn: Option<String>,
}

// The registry of resource types (see `registry.rs` for what each fact means and who
// reads it). A new type is one entry here plus its attribute struct below.
resource_types! {
    Account => "aws_account" {
        service: "iam",
        regional: false,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    RegionSettings => "aws_region" {
        service: "ec2",
        regional: true,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |a| a
            .ebs_encryption_by_default
            .as_mut()
            .map(|d| &mut d.kms_key_arn)
            .into_iter()
            .collect(),
        copies: |_| Vec::new(),
    }
    S3Bucket => "aws_s3_bucket" {
        service: "s3",
        regional: false,
        data_store: Some(DataStore {
            label: "S3 buckets",
            region_rule: "residency.s3-bucket-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::s3_bucket(a),
    }
    S3BackupObjects => "aws_s3_backup_objects" {
        service: "s3",
        // Read once per account with the buckets (each in its bucket's region).
        regional: false,
        // The objects live in a bucket, which is the data store (its region, encryption
        // and retention are the bucket's rules); this is the evidence that backups exist.
        data_store: None,
        plan: Plan::Never(
            "a plan cannot show aws_s3_backup_objects: backups are written after apply",
        ),
        in_use: InUse::Always,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    EbsVolume => "aws_ebs_volume" {
        service: "ec2",
        regional: true,
        data_store: Some(DataStore {
            label: "EBS volumes",
            region_rule: "residency.ebs-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |_| Vec::new(),
    }
    EbsSnapshot => "aws_ebs_snapshot" {
        service: "ec2",
        regional: true,
        data_store: Some(DataStore {
            label: "EBS snapshots",
            region_rule: "residency.ebs-region",
            selected: true,
        }),
        // Those Terraform takes (`aws_ebs_snapshot`, `aws_db_snapshot`, … and their
        // copies); those made after apply by backups are not in plans (`rules::on_plan`).
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::ebs_snapshot(a),
    }
    Ec2Instance => "aws_ec2_instance" {
        service: "ec2",
        regional: true,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    Ec2Image => "aws_ec2_image" {
        service: "ec2",
        regional: true,
        // An image is a template backed by EBS snapshots (which are the data stores,
        // each with its own residency and encryption): its own checks are its launch
        // permissions and the encryption of the snapshots it names.
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |a| copies::ec2_image(a),
    }
    Vpc => "aws_vpc" {
        service: "ec2",
        regional: true,
        data_store: None,
        plan: Plan::NotRead,
        in_use: InUse::When(|a| matches!(a, Attributes::Vpc(v) if !v.is_default)),
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    SecurityGroup => "aws_security_group" {
        service: "ec2",
        regional: true,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::When(|a| {
            matches!(a, Attributes::SecurityGroup(g) if !g.is_default)
        }),
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    RdsInstance => "aws_rds_instance" {
        service: "rds",
        regional: true,
        data_store: Some(DataStore {
            label: "RDS database instances",
            region_rule: "residency.rds-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::rds_instance(a),
    }
    RdsSnapshot => "aws_rds_snapshot" {
        service: "rds",
        regional: true,
        data_store: Some(DataStore {
            label: "RDS snapshots",
            region_rule: "residency.rds-region",
            selected: true,
        }),
        // Those Terraform takes (`aws_ebs_snapshot`, `aws_db_snapshot`, … and their
        // copies); those made after apply by backups are not in plans (`rules::on_plan`).
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::rds_snapshot(a),
    }
    RdsCluster => "aws_rds_cluster" {
        service: "rds",
        regional: true,
        data_store: Some(DataStore {
            label: "RDS DB clusters",
            region_rule: "residency.rds-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::rds_cluster(a),
    }
    RdsClusterSnapshot => "aws_rds_cluster_snapshot" {
        service: "rds",
        regional: true,
        data_store: Some(DataStore {
            label: "RDS cluster snapshots",
            region_rule: "residency.rds-region",
            selected: true,
        }),
        // Those Terraform takes (`aws_ebs_snapshot`, `aws_db_snapshot`, … and their
        // copies); those made after apply by backups are not in plans (`rules::on_plan`).
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::rds_cluster_snapshot(a),
    }
    EfsFileSystem => "aws_efs_file_system" {
        service: "elasticfilesystem",
        regional: true,
        data_store: Some(DataStore {
            label: "EFS file systems",
            region_rule: "residency.efs-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::efs_file_system(a),
    }
    Secret => "aws_secretsmanager_secret" {
        service: "secretsmanager",
        regional: true,
        data_store: Some(DataStore {
            label: "Secrets Manager secrets",
            region_rule: "residency.secret-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::secret(a),
    }
    RedshiftCluster => "aws_redshift_cluster" {
        service: "redshift",
        regional: true,
        data_store: Some(DataStore {
            label: "Redshift clusters",
            region_rule: "residency.redshift-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::redshift_cluster(a),
    }
    RedshiftSnapshot => "aws_redshift_snapshot" {
        service: "redshift",
        regional: true,
        data_store: Some(DataStore {
            label: "Redshift snapshots",
            region_rule: "residency.redshift-region",
            selected: true,
        }),
        plan: Plan::Never(
            "a plan cannot show aws_redshift_snapshot: Redshift takes them after apply",
        ),
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::redshift_snapshot(a),
    }
    ElasticacheReplicationGroup => "aws_elasticache_replication_group" {
        service: "elasticache",
        regional: true,
        data_store: Some(DataStore {
            label: "ElastiCache replication groups",
            region_rule: "residency.elasticache-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::elasticache_replication_group(a),
    }
    ElasticacheCluster => "aws_elasticache_cluster" {
        service: "elasticache",
        regional: true,
        data_store: Some(DataStore {
            label: "ElastiCache clusters",
            region_rule: "residency.elasticache-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |_| Vec::new(),
    }
    OpensearchDomain => "aws_opensearch_domain" {
        service: "es",
        regional: true,
        data_store: Some(DataStore {
            label: "OpenSearch domains",
            region_rule: "residency.opensearch-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::opensearch_domain(a),
    }
    SqsQueue => "aws_sqs_queue" {
        service: "sqs",
        regional: true,
        data_store: Some(DataStore {
            label: "SQS queues",
            region_rule: "residency.sqs-queue-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |_| Vec::new(),
    }
    SnsTopic => "aws_sns_topic" {
        service: "sns",
        regional: true,
        data_store: Some(DataStore {
            label: "SNS topics",
            region_rule: "residency.sns-topic-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |_| Vec::new(),
    }
    EcrRepository => "aws_ecr_repository" {
        service: "ecr",
        regional: true,
        data_store: Some(DataStore {
            label: "ECR repositories",
            region_rule: "residency.ecr-repository-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::ecr_repository(a),
    }
    KinesisStream => "aws_kinesis_stream" {
        service: "kinesis",
        regional: true,
        data_store: Some(DataStore {
            label: "Kinesis data streams",
            region_rule: "residency.kinesis-stream-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |_| Vec::new(),
    }
    LambdaFunction => "aws_lambda_function" {
        service: "lambda",
        regional: true,
        data_store: Some(DataStore {
            label: "Lambda functions",
            region_rule: "residency.lambda-function-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |_| Vec::new(),
    }
    KmsKey => "aws_kms_key" {
        service: "kms",
        regional: true,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::When(|a| {
            matches!(a, Attributes::KmsKey(k) if k.key_manager == "CUSTOMER")
        }),
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |a| copies::kms_key(a),
    }
    IamUser => "aws_iam_user" {
        service: "iam",
        regional: false,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    IamGroup => "aws_iam_group" {
        service: "iam",
        regional: false,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    IamRole => "aws_iam_role" {
        service: "iam",
        regional: false,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    CloudTrailTrail => "aws_cloudtrail_trail" {
        service: "cloudtrail",
        regional: true,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |a| vec![&mut a.kms_key_arn],
        copies: |_| Vec::new(),
    }
    ConfigRecorder => "aws_config_recorder" {
        service: "config",
        regional: true,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    ConfigResource => "aws_config_resource" {
        service: "config",
        regional: true,
        data_store: None,
        plan: Plan::Never(
            "a plan cannot show aws_config_resource: it is AWS Config's inventory of an account",
        ),
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    BackupPlan => "aws_backup_plan" {
        service: "backup",
        regional: true,
        data_store: None,
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |a| copies::backup_plan(a),
    }
    BackupVault => "aws_backup_vault" {
        service: "backup",
        regional: true,
        data_store: Some(DataStore {
            label: "Backup vaults",
            region_rule: "residency.backup-region",
            selected: false,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |_| Vec::new(),
    }
    BackupRecoveryPoint => "aws_backup_recovery_point" {
        service: "backup",
        regional: true,
        data_store: Some(DataStore {
            label: "Backup recovery points",
            region_rule: "residency.backup-region",
            selected: true,
        }),
        plan: Plan::Never(
            "a plan cannot show aws_backup_recovery_point: AWS creates them after apply",
        ),
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::backup_recovery_point(a),
    }
    ConsoleSignin => "aws_console_signin" {
        service: "cloudtrail",
        regional: false,
        data_store: None,
        plan: Plan::Never(
            "a plan cannot show console sign-ins (aws_console_signin): they are events",
        ),
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    ChangeHistory => "aws_change_history" {
        service: "cloudtrail",
        regional: false,
        data_store: None,
        plan: Plan::Never(
            "a plan cannot show CloudTrail change history (aws_change_history): it is events",
        ),
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    DynamodbTable => "aws_dynamodb_table" {
        service: "dynamodb",
        regional: true,
        data_store: Some(DataStore {
            label: "DynamoDB tables",
            region_rule: "residency.dynamodb-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |a| copies::dynamodb_table(a),
    }
    LogGroup => "aws_cloudwatch_log_group" {
        service: "logs",
        regional: true,
        data_store: Some(DataStore {
            label: "CloudWatch Logs log groups",
            region_rule: "residency.log-group-region",
            selected: true,
        }),
        plan: Plan::Shown,
        in_use: InUse::Always,
        encryption: |a| Some(&a.encryption),
        key_references: |a| encryption_key(&mut a.encryption),
        copies: |_| Vec::new(),
    }
    SsoInstance => "aws_sso_instance" {
        service: "sso",
        regional: true,
        data_store: None,
        plan: Plan::NotRead,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    SsoPermissionSet => "aws_sso_permission_set" {
        service: "sso",
        regional: true,
        data_store: None,
        plan: Plan::NotRead,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    // The identity store is read by the Identity Center collector: its store id comes
    // from `sso:ListInstances`, and the identity store has no listing of its own.
    SsoSignin => "aws_sso_signin" {
        service: "sso",
        regional: true,
        data_store: None,
        plan: Plan::Never(
            "a plan cannot show Identity Center sign-ins (aws_sso_signin): they are events",
        ),
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    IdentitystoreGroup => "aws_identitystore_group" {
        service: "sso",
        regional: true,
        data_store: None,
        plan: Plan::NotRead,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    BackupRestoreTestingPlan => "aws_backup_restore_testing_plan" {
        service: "backup",
        regional: true,
        data_store: None,
        plan: Plan::NotRead,
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
    BackupRestoreJob => "aws_backup_restore_job" {
        service: "backup",
        regional: true,
        data_store: None,
        plan: Plan::Never(
            "a plan cannot show aws_backup_restore_job: restore jobs are runs, made after apply",
        ),
        in_use: InUse::Never,
        encryption: |_| None,
        key_references: |_| Vec::new(),
        copies: |_| Vec::new(),
    }
}

// The attribute structs below use the struct name as the schema's title; the `type`
// tag is added by the envelope.

/// One AWS account: account-wide settings (IAM account summary, credential report root
/// row, password policy, alias).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Account alias, if one is set.
    pub alias: Option<String>,
    /// `AccountMFAEnabled` from `iam:GetAccountSummary`.
    pub root_mfa_enabled: Option<bool>,
    /// `AccountAccessKeysPresent` from `iam:GetAccountSummary`.
    pub root_access_keys_present: Option<bool>,
    /// The IAM password policy; null when the account has none.
    pub password_policy: Option<PasswordPolicy>,
}

/// `iam:GetAccountPasswordPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub minimum_length: i64,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub max_age_days: Option<i64>,
    pub reuse_prevention: Option<i64>,
}

/// Per account and region: settings that exist once per region, and whether the region is
/// in use (holds any data store or instance), which rules use to decide applicability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionSettings {
    /// `opt-in-not-required`, `opted-in` or `not-opted-in` (`ec2:DescribeRegions`).
    pub opt_in_status: Option<String>,
    /// True when the snapshot holds any non-default resource in this region.
    pub in_use: bool,
    /// `ec2:GetEbsEncryptionByDefault` and `ec2:GetEbsDefaultKmsKeyId`.
    pub ebs_encryption_by_default: Option<EbsDefaultEncryption>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsDefaultEncryption {
    pub enabled: bool,
    pub kms_key_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Bucket {
    pub created: Option<String>,
    /// Default encryption (`s3:GetBucketEncryption`); `enabled: false` when none is set.
    pub encryption: Option<Encryption>,
    /// `s3:GetBucketVersioning`.
    pub versioning: Option<Versioning>,
    /// `s3:GetBucketLifecycleConfiguration`; an empty list when there is none.
    pub lifecycle_rules: Option<Vec<LifecycleRule>>,
    /// `s3:GetBucketReplication`; null when the bucket does not replicate.
    pub replication: Option<Replication>,
    /// `s3:GetPublicAccessBlock`; null when none is set on the bucket.
    pub public_access_block: Option<PublicAccessBlock>,
    /// `s3:GetObjectLockConfiguration`; null when object lock is not enabled.
    pub object_lock: Option<ObjectLock>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Versioning {
    /// `Enabled`, `Suspended` or `Disabled` (never configured).
    pub status: String,
    pub mfa_delete: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    pub id: String,
    pub enabled: bool,
    pub prefix: Option<String>,
    pub transitions: Vec<Transition>,
    /// Current versions expire after this many days.
    pub expiration_days: Option<i64>,
    /// Noncurrent versions expire after this many days.
    pub noncurrent_expiration_days: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub days: i64,
    /// `GLACIER`, `DEEP_ARCHIVE`, `STANDARD_IA`, ...
    pub storage_class: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    pub role_arn: Option<String>,
    pub destinations: Vec<ReplicationDestination>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplicationDestination {
    pub rule_id: String,
    pub enabled: bool,
    pub bucket_arn: String,
    /// Region of the destination bucket (read with `s3:GetBucketLocation`); null when the
    /// destination could not be located, which residency rules treat as a failure.
    pub region: Option<String>,
    /// Destination account when it differs from the source (`Destination.Account`).
    pub account: Option<String>,
    pub kms_key_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    pub enabled: bool,
    /// `GOVERNANCE` or `COMPLIANCE` default retention mode, if any.
    pub mode: Option<String>,
    pub retention_days: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsVolume {
    pub availability_zone: String,
    pub size_gib: i64,
    pub volume_type: String,
    pub state: String,
    pub attached_instance_ids: Vec<String>,
    pub encryption: Option<Encryption>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsSnapshot {
    pub volume_id: Option<String>,
    pub start_time: String,
    pub state: String,
    pub description: Option<String>,
    pub encryption: Option<Encryption>,
    /// Accounts the snapshot is shared with (`CreateVolumePermission`); `all` = public.
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ec2Instance {
    pub state: String,
    pub instance_type: String,
    pub image_id: String,
    pub launch_time: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub public_ip: Option<String>,
    /// SSH key pair name; null when the instance was launched without one.
    pub key_name: Option<String>,
    /// `MetadataOptions.HttpTokens == required`.
    pub imds_v2_required: bool,
    pub security_group_ids: Vec<String>,
    pub volume_ids: Vec<String>,
}

/// An AMI owned by the account (`ec2:DescribeImages` with `Owners=self`, paged), with who
/// may launch it (`ec2:DescribeImageAttribute`, `launchPermission`).
///
/// What AWS records about where an image came from: `SourceInstanceId`, "the ID of the
/// instance that the AMI was created from if the AMI was created using CreateImage"
/// (absent for images registered from snapshots, copied or imported); tools that make
/// images another way (N2WS, a pipeline) can tag the image with the instance id, which
/// the rules read through the `ami_instance_tag_key` parameter.
/// <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html>
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ec2Image {
    /// `Name`.
    pub image_name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `CreationDate` (RFC 3339, UTC).
    pub creation_date: Option<String>,
    /// `State`: `available`, `pending`, `failed`, `deregistered`, ...
    pub state: String,
    /// `Public`: the image has public launch permissions.
    pub public: bool,
    /// `SourceInstanceId`, when AWS records it (images made with CreateImage).
    pub source_instance_id: Option<String>,
    /// `launchPermission` of `DescribeImageAttribute`: account ids, `all` (public),
    /// organisation or organisational-unit ARNs.
    pub launch_permissions: Vec<String>,
    /// `BlockDeviceMappings` that name an EBS snapshot.
    pub block_devices: Vec<ImageBlockDevice>,
}

/// One EBS block device of an image (`BlockDeviceMappings[].Ebs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageBlockDevice {
    /// `DeviceName`.
    pub device_name: String,
    /// `Ebs.SnapshotId`.
    pub snapshot_id: Option<String>,
    /// `Ebs.Encrypted`; null when AWS does not say.
    pub encrypted: Option<bool>,
    /// `Ebs.KmsKeyId`.
    pub kms_key_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub cidr_block: String,
    pub is_default: bool,
    pub state: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub group_id: String,
    pub vpc_id: Option<String>,
    pub description: String,
    /// True for the group named `default` that every VPC has.
    pub is_default: bool,
    pub ingress: Vec<SecurityGroupRule>,
    pub egress: Vec<SecurityGroupRule>,
    /// Network interfaces using the group (0 means unused).
    pub attached_enis: Option<i64>,
}

/// One permission of a security group, normalised so that `all` protocols carry the
/// full port range 0–65535 and every list is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6` or `all` (AWS `-1`).
    pub protocol: String,
    pub from_port: i64,
    pub to_port: i64,
    pub ipv4_ranges: Vec<String>,
    pub ipv6_ranges: Vec<String>,
    pub source_security_groups: Vec<String>,
    pub prefix_lists: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsInstance {
    pub engine: String,
    pub instance_class: String,
    pub status: String,
    pub encryption: Option<Encryption>,
    /// `BackupRetentionPeriod`: automated backups are kept this many days (0 = off).
    pub backup_retention_days: i64,
    pub publicly_accessible: bool,
    pub multi_az: bool,
    pub deletion_protection: bool,
    /// Regions of the other copies of the instance's data: its read replicas
    /// (`ReadReplicaDBInstanceIdentifiers`, `ReadReplicaDBClusterIdentifiers`; a replica in
    /// another region is named by its ARN) and its source when it is a replica
    /// (`ReadReplicaSourceDBInstanceIdentifier`, `ReadReplicaSourceDBClusterIdentifier`).
    /// Sorted, without duplicates; a replica named by identifier alone is in the
    /// instance's own region.
    pub replica_regions: Vec<String>,
    /// Regions its automated backups are replicated to
    /// (`DBInstanceAutomatedBackupsReplications[].DBInstanceAutomatedBackupsArn`); empty
    /// when they are not replicated.
    pub backup_replication_regions: Vec<String>,
    /// `InstanceCreateTime` (RFC 3339): a backup promise cannot reach back before it.
    #[serde(default)]
    pub created: Option<String>,
    /// `LatestRestorableTime`: the latest time point-in-time recovery can restore to (the
    /// transaction logs shipped so far); null when automated backups are off.
    #[serde(default)]
    pub latest_restorable_time: Option<String>,
    /// The earliest time point-in-time recovery can restore to: `RestoreWindow.EarliestTime`
    /// of the instance's automated backups (`rds:DescribeDBInstanceAutomatedBackups`, the one
    /// with the instance's `DbiResourceId`); null when it has none.
    #[serde(default)]
    pub earliest_restorable_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsSnapshot {
    pub db_instance_id: String,
    /// `automated`, `manual` or `awsbackup`.
    pub snapshot_type: String,
    pub created: Option<String>,
    pub status: String,
    pub encryption: Option<Encryption>,
    /// Accounts the snapshot is shared with; `all` = public.
    pub shared_with: Vec<String>,
    /// `SourceDBSnapshotIdentifier`: "The DB snapshot ARN that the DB snapshot was copied
    /// from. It only has a value in the case of a cross-account or cross-Region copy" (the
    /// DBSnapshot data type); null for a snapshot taken here.
    #[serde(default)]
    pub source_snapshot: Option<String>,
    /// `SourceRegion`: the region a cross-region copy was copied from.
    #[serde(default)]
    pub source_region: Option<String>,
}

/// One DB cluster (`rds:DescribeDBClusters`): Aurora, Multi-AZ DB clusters, and the
/// DocumentDB and Neptune clusters the RDS API also returns ("This operation can also
/// return information for Amazon Neptune DB instances and Amazon DocumentDB instances",
/// the DescribeDBClusters API reference). Its ARN is `DBClusterArn`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsCluster {
    /// `Engine`: `aurora-mysql`, `aurora-postgresql`, `docdb`, `neptune`, `mysql`, ...
    pub engine: String,
    /// `EngineVersion`.
    pub engine_version: Option<String>,
    /// `EngineMode`: `provisioned`, `serverless`, `global`, ...
    pub engine_mode: Option<String>,
    /// `Status`.
    pub status: String,
    /// `StorageEncrypted` with `KmsKeyId` (`enabled: false` when the storage is not
    /// encrypted).
    pub encryption: Option<Encryption>,
    /// `BackupRetentionPeriod`: automated backups are kept this many days (clusters keep
    /// at least 1).
    pub backup_retention_days: i64,
    pub deletion_protection: bool,
    pub multi_az: bool,
    /// `DBClusterMembers`: how many DB instances the cluster has.
    pub members: i64,
    /// The global database it belongs to (`GlobalClusterIdentifier`), or null.
    pub global_cluster_id: Option<String>,
    /// Regions of the other copies of the cluster's data: the other members of its
    /// global database (`rds:DescribeGlobalClusters`, `GlobalClusterMembers[].DBClusterArn`),
    /// its cross-region read replica clusters (`ReadReplicaIdentifiers`) and its source
    /// when it is one (`ReplicationSourceIdentifier`). Sorted, without duplicates.
    pub replica_regions: Vec<String>,
    /// `ClusterCreateTime` (RFC 3339): a backup promise cannot reach back before it.
    #[serde(default)]
    pub created: Option<String>,
    /// `EarliestRestorableTime` and `LatestRestorableTime`: the point-in-time recovery
    /// window the cluster's backups and transaction logs cover (from the listing).
    #[serde(default)]
    pub earliest_restorable_time: Option<String>,
    #[serde(default)]
    pub latest_restorable_time: Option<String>,
}

/// One DB cluster snapshot (`rds:DescribeDBClusterSnapshots`), with who a manual one is
/// shared with. Its ARN is `DBClusterSnapshotArn`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsClusterSnapshot {
    pub db_cluster_id: String,
    /// `Engine` of the cluster it was taken of.
    pub engine: String,
    /// `automated`, `manual` or `awsbackup`.
    pub snapshot_type: String,
    pub created: Option<String>,
    pub status: String,
    pub encryption: Option<Encryption>,
    /// Accounts the snapshot is shared with (`rds:DescribeDBClusterSnapshotAttributes`,
    /// attribute `restore`); `all` = public. Empty for automated snapshots, which cannot
    /// be shared.
    pub shared_with: Vec<String>,
    /// `SourceDBClusterSnapshotArn`: "If the DB cluster snapshot was copied from a source
    /// DB cluster snapshot, the ARN for the source DB cluster snapshot, otherwise, a null
    /// value" (the DBClusterSnapshot data type).
    #[serde(default)]
    pub source_snapshot: Option<String>,
}

/// One EFS file system (`elasticfilesystem:DescribeFileSystems`), with its backup policy
/// and replication. Its ARN is `FileSystemArn`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EfsFileSystem {
    /// `LifeCycleState`: `available`, `creating`, ...
    pub state: String,
    /// `CreationTime`, RFC 3339.
    pub created: Option<String>,
    /// `SizeInBytes.Value`: the metered size.
    pub size_bytes: Option<i64>,
    /// `AvailabilityZoneName` of a One Zone file system; null for a Regional one.
    pub availability_zone: Option<String>,
    /// `Encrypted` with `KmsKeyId` (`algorithm: aws:kms`; EFS encrypts at rest only with
    /// KMS keys, the AWS managed `aws/elasticfilesystem` or a customer managed one);
    /// `enabled: false` when not encrypted.
    pub encryption: Option<Encryption>,
    /// Automatic backups by AWS Backup are on (`elasticfilesystem:DescribeBackupPolicy`,
    /// `BackupPolicy.Status` `ENABLED`); false for `DISABLED` and when no backup policy
    /// exists (`PolicyNotFound`).
    pub automatic_backups: Option<bool>,
    /// Regions of the other copies of the file system's data: its replication
    /// destinations, and its source when it is a destination
    /// (`elasticfilesystem:DescribeReplicationConfigurations`). Sorted, without duplicates.
    pub replica_regions: Vec<String>,
}

/// One Secrets Manager secret (`secretsmanager:ListSecrets`), with its replicas
/// (`secretsmanager:DescribeSecret`). Its ARN is `ARN`. The secret's value is never read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// `CreatedDate`, RFC 3339.
    pub created: Option<String>,
    /// Encryption at rest: always KMS. `kms_key_arn` is `KmsKeyId` when the secret names
    /// a key; null when it does not, which means the AWS managed key
    /// `aws/secretsmanager` (see `aws_managed_key`).
    pub encryption: Option<Encryption>,
    /// True when `KmsKeyId` is absent: "If the secret is encrypted with the Amazon Web
    /// Services managed key aws/secretsmanager, this field is omitted" (DescribeSecret,
    /// `KmsKeyId`). Said here rather than taken for a missing value.
    pub aws_managed_key: bool,
    /// `RotationEnabled`.
    pub rotation_enabled: bool,
    /// `PrimaryRegion`: the region of the primary secret, for a replica another region.
    pub primary_region: Option<String>,
    /// Regions of the other copies of the secret: its replicas (`ReplicationStatus[].Region`)
    /// and, for a replica, its primary region. Sorted, without duplicates.
    pub replica_regions: Vec<String>,
}

/// One SQS queue (`sqs:ListQueues`), with its attributes (`sqs:GetQueueAttributes`,
/// `All`). Its ARN is `QueueArn`; its id the queue's name. Messages are never read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqsQueue {
    /// `CreatedTimestamp`, RFC 3339.
    pub created: Option<String>,
    /// `FifoQueue`.
    pub fifo: bool,
    /// Encryption at rest: with `KmsMasterKeyId` that KMS key (`algorithm: aws:kms`; the
    /// AWS managed key is `alias/aws/sqs`); with `SqsManagedSseEnabled` a key SQS owns
    /// (`algorithm: AES256`, no key ARN); with neither, unencrypted (`enabled: false`).
    pub encryption: Option<Encryption>,
    /// `SqsManagedSseEnabled`: SSE-SQS, encryption with keys SQS owns and manages.
    pub sqs_managed_sse: bool,
    /// `MessageRetentionPeriod` in seconds (60 to 1,209,600; AWS's default 345,600, four
    /// days). Kept in seconds: the minimum is a minute.
    pub message_retention_seconds: Option<i64>,
    /// `Policy`, the queue's access policy, normalised as IAM policies are (every
    /// `Statement`, `Action`, `Resource` and `Principal` value a list); null when the
    /// queue has none (only its account's principals with IAM permissions reach it).
    pub policy: serde_json::Value,
}

/// One SNS topic (`sns:ListTopics`), with its attributes (`sns:GetTopicAttributes`). Its
/// ARN is `TopicArn`. Messages and subscriptions' endpoints are not read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnsTopic {
    /// `FifoTopic` is `true`.
    pub fifo: bool,
    /// Encryption at rest: with `KmsMasterKeyId` that KMS key (`algorithm: aws:kms`; the
    /// AWS managed key is `alias/aws/sns`); without, `enabled: false`: SNS server-side
    /// encryption is off ("Amazon SNS stores messages in encrypted form only with SSE
    /// enabled", the SNS developer guide, "Encryption at rest").
    pub encryption: Option<Encryption>,
    /// `Policy`, the topic's access policy, normalised as IAM policies are; null when
    /// the topic returns none.
    pub policy: serde_json::Value,
}

/// One ECR private repository (`ecr:DescribeRepositories`), with its policy
/// (`ecr:GetRepositoryPolicy`) and the registry's replication rules that match it
/// (`ecr:DescribeRegistry`). Its ARN is `repositoryArn`. Images are not read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcrRepository {
    /// `createdAt`, RFC 3339.
    pub created: Option<String>,
    /// `repositoryUri`.
    pub uri: Option<String>,
    /// Encryption at rest from `encryptionConfiguration`: `AES256` (keys ECR owns, no key
    /// ARN), or `KMS`/`KMS_DSSE` with `kmsKey` (`algorithm: aws:kms` or `aws:kms:dsse`;
    /// without `kmsKey` the AWS managed key `aws/ecr`, said by `aws_managed_key`). ECR
    /// encrypts every repository.
    pub encryption: Option<Encryption>,
    /// True when the repository is KMS-encrypted without a `kmsKey`: "If you use the KMS
    /// encryption type and don't specify a key, Amazon ECR uses an AWS managed KMS key
    /// with the alias aws/ecr" (the `EncryptionConfiguration` data type).
    pub aws_managed_key: bool,
    /// `imageTagMutability`: `MUTABLE` or `IMMUTABLE`.
    pub image_tag_mutability: Option<String>,
    /// `imageScanningConfiguration.scanOnPush`.
    pub scan_on_push: bool,
    /// Regions the registry's replication rules copy this repository to (the
    /// destinations of every rule whose filters match its name, or that has none), other
    /// than its own region. Sorted, without duplicates.
    pub replica_regions: Vec<String>,
    /// Registries (account ids) those rules copy it to, other than its own account.
    /// Sorted, without duplicates.
    pub replica_accounts: Vec<String>,
    /// The repository policy (`policyText`), normalised as IAM policies are; null when
    /// the repository has none (`RepositoryPolicyNotFoundException`).
    pub policy: serde_json::Value,
}

/// One Kinesis data stream (`kinesis:ListStreams`), described by
/// `kinesis:DescribeStreamSummary`. Its ARN is `StreamARN`. Records are never read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KinesisStream {
    /// `StreamStatus`: `CREATING`, `DELETING`, `ACTIVE` or `UPDATING`.
    pub status: Option<String>,
    /// `StreamCreationTimestamp`, RFC 3339.
    pub created: Option<String>,
    /// `StreamModeDetails.StreamMode`: `PROVISIONED` or `ON_DEMAND`.
    pub stream_mode: Option<String>,
    /// Encryption at rest: `EncryptionType` `KMS` with `KeyId` (`algorithm: aws:kms`; the
    /// AWS managed key is `alias/aws/kinesis`), or `NONE` (`enabled: false`).
    pub encryption: Option<Encryption>,
    /// `RetentionPeriodHours` (24 to 8,760). Kept in hours: the default is one day.
    pub retention_hours: Option<i64>,
    /// `OpenShardCount`.
    pub open_shards: Option<i64>,
}

/// One Lambda function (`lambda:ListFunctions`, `$LATEST`). Its ARN is `FunctionArn`.
/// The values of its environment variables are never kept, only how many there are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LambdaFunction {
    /// `Runtime` (null for a container image).
    pub runtime: Option<String>,
    /// `PackageType`: `Zip` or `Image`.
    pub package_type: Option<String>,
    /// `LastModified`, as AWS gives it (ISO 8601).
    pub last_modified: Option<String>,
    /// How many environment variables the function has (`Environment.Variables`); 0 when
    /// it has none, so there is nothing for the key to protect.
    pub environment_variables: i64,
    /// Encryption at rest of the environment variables: always KMS; `kms_key_arn` is
    /// `KMSKeyArn` when the function names a key, null when it does not, which means the
    /// AWS managed key `aws/lambda` (see `aws_managed_key`).
    pub encryption: Option<Encryption>,
    /// True when `KMSKeyArn` is absent: "If you don't provide a customer managed key,
    /// Lambda uses an Amazon Web Services owned key or an Amazon Web Services managed key"
    /// (`KMSKeyArn`, the `FunctionConfiguration` data type).
    pub aws_managed_key: bool,
}

/// One ElastiCache replication group (`elasticache:DescribeReplicationGroups`): the Redis
/// OSS or Valkey nodes holding one data set and its replicas. Its ARN is `ARN`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ElasticacheReplicationGroup {
    /// `Status`: `available`, `creating`, ...
    pub status: String,
    /// `Engine`: `redis` or `valkey`.
    pub engine: Option<String>,
    /// `CacheNodeType`.
    pub node_type: Option<String>,
    /// `MemberClusters`: how many cache clusters (nodes) the group has.
    pub members: i64,
    /// `AtRestEncryptionEnabled` with `KmsKeyId` (`algorithm: aws:kms` with a KMS key,
    /// `AES256` for the key ElastiCache owns; `enabled: false` when not encrypted at rest).
    pub encryption: Option<Encryption>,
    /// `TransitEncryptionEnabled`: TLS between clients and nodes and between nodes.
    pub transit_encryption: bool,
    /// `AuthTokenEnabled`: clients must give the AUTH token.
    pub auth_token_enabled: bool,
    /// `SnapshotRetentionLimit`: days automatic snapshots are kept (0: off).
    pub snapshot_retention_days: i64,
    /// `GlobalReplicationGroupInfo.GlobalReplicationGroupId`: the global datastore it
    /// belongs to, or null.
    pub global_replication_group_id: Option<String>,
    /// Regions of the other members of its global datastore
    /// (`elasticache:DescribeGlobalReplicationGroups`, `Members[].ReplicationGroupRegion`).
    /// Sorted, without duplicates; empty outside a global datastore.
    pub replica_regions: Vec<String>,
}

/// One ElastiCache cache cluster outside any replication group
/// (`elasticache:DescribeCacheClusters`): a Memcached cluster or a single-node Redis OSS
/// cluster. Its ARN is `ARN`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ElasticacheCluster {
    /// `CacheClusterStatus`.
    pub status: String,
    /// `Engine`: `memcached`, `redis` or `valkey`.
    pub engine: String,
    /// `EngineVersion`.
    pub engine_version: Option<String>,
    /// `CacheNodeType`.
    pub node_type: Option<String>,
    /// `NumCacheNodes`.
    pub nodes: Option<i64>,
    /// `AtRestEncryptionEnabled` (`algorithm: AES256`, the key ElastiCache owns: the
    /// CacheCluster data type names no KMS key); `enabled: false` when not encrypted.
    pub encryption: Option<Encryption>,
    /// `TransitEncryptionEnabled`.
    pub transit_encryption: bool,
    /// `SnapshotRetentionLimit`: days automatic snapshots are kept (0: off; Memcached
    /// keeps none).
    pub snapshot_retention_days: i64,
}

/// One OpenSearch Service domain (`es:ListDomainNames`, `es:DescribeDomains`), of the
/// OpenSearch or the legacy Elasticsearch engine. Its ARN is `ARN`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpensearchDomain {
    /// `EngineVersion`: `OpenSearch_2.13`, `Elasticsearch_7.10`, ...
    pub engine_version: Option<String>,
    /// `EncryptionAtRestOptions.Enabled` with its `KmsKeyId` (`algorithm: aws:kms`;
    /// `enabled: false` when not encrypted at rest).
    pub encryption: Option<Encryption>,
    /// `NodeToNodeEncryptionOptions.Enabled`: TLS between the domain's nodes.
    pub node_to_node_encryption: bool,
    /// `DomainEndpointOptions.EnforceHTTPS`: the endpoint refuses plain HTTP.
    pub enforce_https: bool,
    /// `VPCOptions.VPCId`: the VPC the domain's endpoint is in; null for a domain with a
    /// public endpoint.
    pub vpc_id: Option<String>,
    /// `AccessPolicies`, normalised like IAM policies (`Statement` a list, every
    /// `Principal` value a list, `"*"` as `{"AWS": ["*"]}`); null when the domain has none.
    #[serde(default)]
    pub access_policy: serde_json::Value,
    /// Regions of the remote domains its outbound cross-cluster connections reach
    /// (`es:DescribeOutboundConnections`, `RemoteDomainInfo.AWSDomainInformation.Region`),
    /// other than its own; deleted and refused connections left out. Sorted, without
    /// duplicates.
    pub connection_regions: Vec<String>,
}

/// One provisioned Redshift cluster (`redshift:DescribeClusters`). Its ARN is
/// `arn:aws:redshift:<region>:<account>:cluster:<ClusterIdentifier>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedshiftCluster {
    /// `ClusterStatus`: `available`, `paused`, `creating`, ...
    pub status: String,
    /// `NodeType`.
    pub node_type: Option<String>,
    /// `NumberOfNodes`.
    pub nodes: Option<i64>,
    /// `ClusterCreateTime`, RFC 3339.
    pub created: Option<String>,
    /// `Encrypted` with `KmsKeyId` (`algorithm: aws:kms`; `enabled: false` when the
    /// cluster is not encrypted).
    pub encryption: Option<Encryption>,
    /// `PubliclyAccessible`: the cluster can be reached from outside its VPC.
    pub publicly_accessible: bool,
    /// `AutomatedSnapshotRetentionPeriod`: days automated snapshots are kept (0: automated
    /// snapshots are off).
    pub automated_snapshot_retention_days: i64,
    /// `ManualSnapshotRetentionPeriod`: the default days a manual snapshot is kept (-1:
    /// indefinitely).
    pub manual_snapshot_retention_days: Option<i64>,
    /// `ClusterSnapshotCopyStatus.DestinationRegion`: the region automated snapshots are
    /// copied to; null when cross-region snapshot copy is off.
    pub snapshot_copy_region: Option<String>,
    /// `ClusterSnapshotCopyStatus.RetentionPeriod`: days the copied automated snapshots are
    /// kept in the destination region; null when snapshot copy is off.
    pub snapshot_copy_retention_days: Option<i64>,
}

/// One Redshift cluster snapshot the account owns (`redshift:DescribeClusterSnapshots`).
/// Its ARN is `SnapshotArn`, or
/// `arn:aws:redshift:<region>:<account>:snapshot:<ClusterIdentifier>/<SnapshotIdentifier>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedshiftSnapshot {
    /// `ClusterIdentifier` of the cluster it was taken of.
    pub cluster_id: String,
    /// `SnapshotType`: `automated` or `manual`.
    pub snapshot_type: String,
    /// `SnapshotCreateTime`, RFC 3339.
    pub created: Option<String>,
    /// `Status`: `available`, `creating`, ...
    pub status: String,
    /// `Encrypted` with `KmsKeyId`.
    pub encryption: Option<Encryption>,
    /// `SourceRegion`: the region the snapshot was copied from, for a cross-region copy;
    /// null for a snapshot taken in its own region.
    pub source_region: Option<String>,
    /// `AccountsWithRestoreAccess[].AccountId`: the accounts the snapshot is shared with
    /// (Redshift shares with named accounts only). Sorted, without duplicates.
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    pub key_id: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub key_state: String,
    pub key_spec: String,
    pub key_usage: String,
    pub description: Option<String>,
    /// `kms:GetKeyRotationStatus`; null for keys that cannot rotate (asymmetric, imported).
    pub rotation_enabled: Option<bool>,
    pub rotation_period_days: Option<i64>,
    pub multi_region: bool,
    /// `PRIMARY` or `REPLICA` for multi-Region keys.
    pub multi_region_role: Option<String>,
    pub primary_region: Option<String>,
    /// Regions holding replicas of this (primary) key.
    pub replica_regions: Vec<String>,
    pub aliases: Vec<String>,
    /// The key policy (`kms:GetKeyPolicy`, policy name `default`, the only one a key
    /// has), normalised like IAM policies: `Statement` a list, every `Principal` value a
    /// list (`"*"` becomes `{"AWS": ["*"]}`), condition values lists of strings.
    #[serde(default)]
    pub policy: serde_json::Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamUser {
    pub created: Option<String>,
    /// Has a console password (credential report `password_enabled`).
    pub console_access: bool,
    pub password_last_used: Option<String>,
    /// `iam:ListMFADevices`.
    pub mfa_devices: Vec<MfaDevice>,
    /// Group names (`iam:ListGroupsForUser`).
    pub groups: Vec<String>,
    pub access_keys: Vec<AccessKey>,
    pub attached_policies: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaDevice {
    pub serial_number: String,
    /// `virtual` or `hardware` (from the serial's ARN form).
    pub kind: String,
    pub enabled_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub created: Option<String>,
    pub last_used: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamGroup {
    pub members: Vec<String>,
    pub attached_policies: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamRole {
    pub path: String,
    pub created: Option<String>,
    /// The trust policy, percent-decoded and normalised: `Statement` is always a list,
    /// `Principal` values and `Action` are lists, condition values are lists of strings.
    pub assume_role_policy: serde_json::Value,
    pub attached_policies: Vec<String>,
    pub is_service_linked: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudTrailTrail {
    pub home_region: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    /// `cloudtrail:GetTrailStatus` `IsLogging`.
    pub is_logging: Option<bool>,
    pub log_file_validation_enabled: bool,
    pub kms_key_arn: Option<String>,
    pub s3_bucket_name: Option<String>,
    /// Whether the event selectors record management events (read and write).
    pub records_management_events: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    /// `config:DescribeConfigurationRecorderStatus` `recording`.
    pub recording: Option<bool>,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    pub last_status: Option<String>,
    pub role_arn: Option<String>,
}

/// One resource in AWS Config's inventory (`config:SelectResourceConfig`, one query per
/// region read): whatever its type, whether or not assay reads that type in detail, so a
/// data store of a service assay has no collector for is still located. The snapshot ARN
/// is assay's own, `arn:aws:config:REGION:ACCOUNT:inventory/RESOURCE_TYPE/RESOURCE_ID`
/// (the resource's own ARN is `resource_arn`: a resource read in detail too keeps its
/// ARN for that resource); `region` is the item's `awsRegion` and `account` its
/// `accountId`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigResource {
    /// AWS's resource type name (`resourceType`), e.g. `AWS::DynamoDB::Table`.
    pub resource_type: String,
    /// `resourceId`.
    pub resource_id: String,
    /// `resourceName`, when Config gives one.
    pub resource_name: Option<String>,
    /// `arn`, when Config gives one.
    pub resource_arn: Option<String>,
    /// The assay type that reads resources of this AWS type in detail
    /// (`aws_dynamodb_table` for `AWS::DynamoDB::Table`); null when only the inventory
    /// locates them.
    pub detailed_as: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPlan {
    pub plan_id: String,
    pub version_id: Option<String>,
    pub rules: Vec<BackupRule>,
    /// Resource ARNs or patterns the plan's selections assign (`ListBackupSelections`).
    pub selected_resources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRule {
    pub name: String,
    pub schedule_expression: Option<String>,
    /// Derived from the cron schedule: `hourly`, `daily`, `weekly`, `monthly`, `yearly`
    /// or `other`.
    pub frequency: String,
    /// How many times a day the rule runs (4 for `cron(0 */6 * * ? *)`); 0 when not daily.
    pub runs_per_day: i64,
    pub target_vault: String,
    pub delete_after_days: Option<i64>,
    pub cold_storage_after_days: Option<i64>,
    pub copy_actions: Vec<CopyAction>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyAction {
    pub destination_vault_arn: String,
    /// Parsed from the destination vault ARN.
    pub destination_account: String,
    pub destination_region: String,
    pub delete_after_days: Option<i64>,
    pub cold_storage_after_days: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupVault {
    pub encryption: Option<Encryption>,
    /// Vault lock is in place (`Locked`).
    pub locked: bool,
    pub min_retention_days: Option<i64>,
    pub max_retention_days: Option<i64>,
    pub recovery_points: i64,
}

/// The backup objects under one location the profile names (`s3_backup_locations`:
/// a bucket and a key prefix), listed with `s3:ListObjectsV2` (every page). One resource
/// per location, in the bucket's region, with ARN `arn:aws:s3:::BUCKET/PREFIX` and id
/// `s3://BUCKET/PREFIX`. Only the named prefix is read: assay never lists a whole bucket
/// it was not asked to. An empty listing is data (no backup there); a listing that could
/// not be read is a gap.
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html>
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3BackupObjects {
    pub bucket: String,
    /// The key prefix listed (may be empty: the whole bucket was named).
    pub prefix: String,
    /// Every object listed, in key order.
    pub objects: Vec<BackupObject>,
}

/// One object of a backup location (`ListObjectsV2` `Contents[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupObject {
    /// `Key`.
    pub key: String,
    /// `Size` in bytes.
    pub size: i64,
    /// `LastModified` (RFC 3339, UTC): when the object was written.
    pub last_modified: String,
    /// `StorageClass`: `STANDARD`, `GLACIER`, `DEEP_ARCHIVE`, ...; null when the answer
    /// does not say (never assumed).
    pub storage_class: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRecoveryPoint {
    pub vault_name: String,
    /// The ARN of the backed-up resource.
    pub source_resource_arn: String,
    /// `EC2`, `EBS`, `RDS`, `S3`, ...
    pub source_resource_type: String,
    pub created: String,
    /// `COMPLETED`, `PARTIAL`, `DELETING`, `EXPIRED`.
    pub status: String,
    pub encryption: Option<Encryption>,
    pub delete_after_days: Option<i64>,
    pub cold_storage_after_days: Option<i64>,
    /// The plan rule frequency that created it, when known.
    pub frequency: Option<String>,
    /// Account of the copy source when this point is a cross-account copy.
    pub copied_from_account: Option<String>,
    /// `StorageClass`: `WARM`, `COLD` (moved to cold storage) or `DELETED`; null when AWS
    /// does not say.
    #[serde(default)]
    pub storage_class: Option<String>,
    /// `CalculatedLifecycle.DeleteAt` and `.MoveToColdStorageAt` (RFC 3339): when AWS
    /// Backup will delete the point and move it to cold storage.
    #[serde(default)]
    pub delete_at: Option<String>,
    #[serde(default)]
    pub move_to_cold_storage_at: Option<String>,
    /// `CreatedBy.BackupPlanId` and `.BackupRuleId`: the plan rule that created the point
    /// (for a copy, the rule in the source account that made the original).
    #[serde(default)]
    pub backup_plan_id: Option<String>,
    #[serde(default)]
    pub backup_rule_id: Option<String>,
}

/// The type name of [`ChangeHistory`].
pub const CHANGE_HISTORY: &str = "aws_change_history";

/// The CloudTrail management events of one account and region that change a setting a
/// rule judges (the event names of `src/changes/events.yaml`), from CloudTrail event
/// history (`cloudtrail:LookupEvents`, one lookup per event name, every page) over
/// `from`..`to`. One per account and region read, id `change-history`, ARN assay's own
/// `arn:aws:cloudtrail:REGION:ACCOUNT:change-history`. It exists only when every lookup
/// was read to its last page: otherwise the region has a gap for this type instead, so a
/// history is never partial. The period pack reads it to see changes between two scans.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeHistory {
    /// Start of the window read (RFC 3339, UTC): CloudTrail event history keeps 90 days.
    pub from: String,
    /// End of the window read (RFC 3339, UTC): the time of the lookups.
    pub to: String,
    /// The event names looked up.
    pub event_names: Vec<String>,
    /// Every event found, oldest first.
    pub events: Vec<ChangeEvent>,
}

/// One management event of a [`ChangeHistory`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEvent {
    pub event_id: String,
    pub event_name: String,
    /// `eventSource`, e.g. `s3.amazonaws.com`.
    pub event_source: Option<String>,
    /// When it happened (RFC 3339, UTC).
    pub event_time: String,
    /// `Username` of the event, when CloudTrail names one.
    pub user_name: Option<String>,
    /// What the event names as its resources: CloudTrail's `Resources` (names or ARNs)
    /// and the identifier the table points at in `requestParameters`.
    pub resources: Vec<String>,
    /// `errorCode` of a call that failed (and so changed nothing), e.g. `AccessDenied`.
    pub error_code: Option<String>,
}

/// One console sign-in (a `ConsoleLogin` event) from CloudTrail event history
/// (`cloudtrail:LookupEvents`, which keeps the last 90 days). The resource id is the event
/// id and the ARN is assay's own `arn:aws:cloudtrail:REGION:ACCOUNT:event/EVENT_ID`; the
/// region is where CloudTrail recorded it (the sign-in endpoint's region, usually
/// us-east-1). The fields below `event_time` come from the event's `CloudTrailEvent` JSON:
/// when that could not be parsed they are unread, never guessed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSignin {
    /// The user name CloudTrail gives the event (`Username`), when it names one.
    pub user_name: Option<String>,
    /// When the sign-in happened (RFC 3339, UTC).
    pub event_time: String,
    /// `userIdentity.type`: `Root`, `IAMUser`, `AssumedRole`, `FederatedUser`, `SAMLUser`,
    /// `IdentityCenterUser`, ...
    pub user_type: Option<String>,
    /// `userIdentity.arn`; null when CloudTrail does not name the principal (a failed
    /// sign-in with an unknown user name).
    pub principal_arn: Option<String>,
    /// `sourceIPAddress`.
    pub source_ip: Option<String>,
    /// `additionalEventData.MFAUsed`: true for `Yes`, false for `No`, null when the event
    /// does not say.
    pub mfa_used: Option<bool>,
    /// `responseElements.ConsoleLogin`: `Success` or `Failure`.
    pub login_result: Option<String>,
    /// `errorMessage` of a failed sign-in, e.g. `Failed authentication`.
    pub error_message: Option<String>,
}

/// One DynamoDB table (`dynamodb:DescribeTable`), with its continuous backups and its
/// on-demand backups. The table's ARN is `TableArn`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamodbTable {
    /// `TableStatus`: `ACTIVE`, `CREATING`, `UPDATING`, ...
    pub status: String,
    /// `BillingModeSummary.BillingMode` (`PROVISIONED` or `PAY_PER_REQUEST`); null when
    /// AWS does not say (a table created provisioned and never changed).
    pub billing_mode: Option<String>,
    /// `DeletionProtectionEnabled`.
    pub deletion_protection: bool,
    /// Encryption at rest from `SSEDescription`. DynamoDB encrypts every table: without
    /// an `SSEDescription` (or with `SSEType` other than `KMS`) the key is one AWS owns
    /// (`enabled: true`, `algorithm: AES256`, no key ARN); with `SSEType: KMS` the key is
    /// `KMSMasterKeyArn` (the AWS managed `aws/dynamodb` key or a customer managed one,
    /// told apart by joining the key).
    pub encryption: Option<Encryption>,
    /// `SSEDescription.SSEType`: `KMS`, or null for the AWS owned key.
    pub sse_type: Option<String>,
    /// Point-in-time recovery is on (`dynamodb:DescribeContinuousBackups`,
    /// `PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == ENABLED`).
    pub point_in_time_recovery: Option<bool>,
    /// `PointInTimeRecoveryDescription.RecoveryPeriodInDays`, when AWS gives it.
    pub recovery_period_days: Option<i64>,
    /// Regions holding a replica of this table (global tables version 2019.11.21:
    /// `Replicas[].RegionName`); empty when the table is not global. Legacy (2017.11.29)
    /// global tables are not read.
    pub replica_regions: Vec<String>,
    /// On-demand backups of the table (`dynamodb:ListBackups`, `BackupType` `USER`):
    /// how many, and the newest one's creation time.
    pub on_demand_backups: Option<i64>,
    pub latest_on_demand_backup: Option<String>,
}

/// One CloudWatch Logs log group (`logs:DescribeLogGroups`). Its ARN is `logGroupArn`
/// (the group's `arn` without the trailing `:*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    /// `creationTime`, RFC 3339.
    pub created: Option<String>,
    /// `retentionInDays`; null means the events never expire (AWS's default).
    pub retention_days: Option<i64>,
    /// `storedBytes`.
    pub stored_bytes: Option<i64>,
    /// `logGroupClass`: `STANDARD`, `INFREQUENT_ACCESS`, ...
    pub log_group_class: Option<String>,
    /// Encryption at rest. CloudWatch Logs always encrypts log data; with `kmsKeyId` the
    /// key is that KMS key (`algorithm: aws:kms`), without it a key the service owns
    /// (`algorithm: AES256`, no key ARN).
    pub encryption: Option<Encryption>,
}

/// One IAM Identity Center instance (`sso:ListInstances`), read in the region the scan
/// found it in: Identity Center lives in one region, its home region, and answers
/// `ListInstances` with an empty list everywhere else. The ARN is `InstanceArn`
/// (`arn:aws:sso:::instance/ssoins-…`).
/// <https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_InstanceMetadata.html>
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoInstance {
    /// `IdentityStoreId` (`d-…`): the identity store whose users and groups it assigns.
    pub identity_store_id: String,
    /// `Status`: `CREATE_IN_PROGRESS`, `DELETE_IN_PROGRESS` or `ACTIVE`.
    pub status: Option<String>,
    /// `OwnerAccountId`: the organisation's management account, or the account of an
    /// account instance.
    pub owner_account_id: Option<String>,
    /// `CreatedDate` (RFC 3339, UTC).
    pub created: Option<String>,
}

/// One Identity Center permission set (`sso:ListPermissionSets`, `DescribePermissionSet`)
/// with the policies it grants and where it is assigned. The ARN is `PermissionSetArn`.
/// <https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PermissionSet.html>
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoPermissionSet {
    /// `InstanceArn` of the instance that holds it.
    pub instance_arn: String,
    /// The instance's `IdentityStoreId` (the store its assignments' principals are in).
    pub identity_store_id: String,
    /// `Description`.
    pub description: Option<String>,
    /// `SessionDuration` as AWS gives it (ISO 8601, e.g. `PT8H`); AWS's default is one
    /// hour (`PT1H`).
    pub session_duration: Option<String>,
    /// `SessionDuration` in whole minutes; null when absent or not an ISO 8601 duration
    /// of hours, minutes and seconds.
    pub session_duration_minutes: Option<i64>,
    /// `CreatedDate` (RFC 3339, UTC).
    pub created: Option<String>,
    /// `sso:ListManagedPoliciesInPermissionSet`: the AWS managed policies attached (ARNs).
    pub managed_policies: Vec<String>,
    /// `sso:GetInlinePolicyForPermissionSet`, normalised like IAM policy documents
    /// (`Statement`, `Action` and `Resource` are lists); null when there is none. A policy
    /// that is not a JSON document is unread (with its gap), never taken for "none".
    pub inline_policy: serde_json::Value,
    /// `sso:ListCustomerManagedPolicyReferencesInPermissionSet`: the policies by name and
    /// path that each assigned account must hold.
    pub customer_managed_policies: Vec<CustomerManagedPolicyReference>,
    /// `sso:GetPermissionsBoundaryForPermissionSet`; null when none is set.
    pub permissions_boundary: Option<PermissionsBoundary>,
    /// The accounts it is provisioned to (`sso:ListAccountsForProvisionedPermissionSet`).
    pub provisioned_accounts: Vec<String>,
    /// Its account assignments in those accounts (`sso:ListAccountAssignments` per
    /// account): who holds it where.
    pub assignments: Vec<AccountAssignment>,
}

/// A customer managed policy a permission set names (`Name`, `Path`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerManagedPolicyReference {
    pub name: String,
    /// `Path`; AWS's default is `/`.
    pub path: Option<String>,
}

/// A permission set's permissions boundary: an AWS managed policy (`ManagedPolicyArn`) or
/// a customer managed policy reference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionsBoundary {
    pub managed_policy_arn: Option<String>,
    pub customer_managed_policy: Option<CustomerManagedPolicyReference>,
}

/// One account assignment (`AccountAssignment`): a principal holding the permission set
/// in an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountAssignment {
    /// `AccountId`.
    pub account_id: String,
    /// `PrincipalType`: `USER` or `GROUP`.
    pub principal_type: String,
    /// `PrincipalId`: the identity store's user or group id.
    pub principal_id: String,
    /// The principal's name: a group's `DisplayName` (`identitystore:ListGroups`) or a
    /// user's `UserName` (`identitystore:DescribeUser`); null when it could not be read.
    pub principal_name: Option<String>,
}

/// One group of an Identity Center identity store (`identitystore:ListGroups`) with its
/// members. The snapshot ARN is AWS's `arn:aws:identitystore:::group/GROUP_ID`; the name is
/// its `DisplayName`.
/// <https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_Group.html>
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentitystoreGroup {
    /// `IdentityStoreId`.
    pub identity_store_id: String,
    /// `Description`.
    pub description: Option<String>,
    /// `ExternalIds`: the group's identifiers in an external directory. Groups that SCIM
    /// provisioning (or the AD connector) keeps in sync with Active Directory or another
    /// identity provider carry one; groups made in Identity Center itself carry none.
    pub external_ids: Vec<ExternalId>,
    /// Its members' user ids (`identitystore:ListGroupMemberships`).
    pub members: Vec<String>,
}

/// One sign-in to IAM Identity Center (a `UserAuthentication` event, eventSource
/// `signin.amazonaws.com`) from CloudTrail event history in the instance's home region
/// (`cloudtrail:LookupEvents`, the last 90 days), with the credentials its sign-in
/// workflow verified (the `CredentialVerification` events of the same `AuthWorkflowID`).
/// The resource id is the event id; the ARN is assay's own
/// `arn:aws:cloudtrail:REGION:ACCOUNT:event/EVENT_ID`. AWS documents the credential type
/// for users of the Identity Center directory and of Active Directory; a sign-in through
/// an external identity provider shows only `EXTERNAL_IDP`: whether that provider asked
/// for a second factor is not visible in AWS.
/// <https://docs.aws.amazon.com/singlesignon/latest/userguide/understanding-sign-in-events.html>
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoSignin {
    /// When it happened (RFC 3339, UTC).
    pub event_time: String,
    /// `additionalEventData.UserName`.
    pub user_name: Option<String>,
    /// The identity store user id (`userIdentity.onBehalfOf.userId`).
    pub user_id: Option<String>,
    /// The identity store the instance reads (`IdentityStoreId`).
    pub identity_store_id: String,
    /// Display names of the identity store groups the user is a member of (from the
    /// groups read in the same scan).
    pub groups: Vec<String>,
    /// The credential types of the sign-in: the `CredentialType` of the
    /// `UserAuthentication` event and of every successful `CredentialVerification` of the
    /// same `AuthWorkflowID` (`PASSWORD`, `TOTP`, `WEBAUTHN`, `EMAIL_OTP`, `EXTERNAL_IDP`…).
    pub credential_types: Vec<String>,
    /// Whether the sign-in came through an external identity provider (`EXTERNAL_IDP`).
    pub federated: bool,
    /// True when a second factor (`TOTP`, `WEBAUTHN`, `RESYNC_TOTP`) was verified, false
    /// when the credentials are known and none is a second factor, null when AWS does not
    /// show them (federated, or the event does not say).
    pub mfa_used: Option<bool>,
    /// `serviceEventDetails.UserAuthentication`: `Success` or `Failure`.
    pub result: Option<String>,
}

/// One `ExternalId` of an identity store group or user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalId {
    /// `Issuer`: the directory that issued it.
    pub issuer: String,
    /// `Id`.
    pub id: String,
}

/// One AWS Backup restore testing plan (`backup:ListRestoreTestingPlans`,
/// `GetRestoreTestingPlan`): when it runs and which recovery points it restores. The ARN
/// is `RestoreTestingPlanArn`.
/// <https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingPlanForGet.html>
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRestoreTestingPlan {
    /// `ScheduleExpression` (a cron or rate expression).
    pub schedule_expression: Option<String>,
    /// `ScheduleExpressionTimezone`; AWS's default is UTC.
    pub schedule_timezone: Option<String>,
    /// `StartWindowHours`.
    pub start_window_hours: Option<i64>,
    /// `RecoveryPointSelection.Algorithm`: `LATEST_WITHIN_WINDOW` or `RANDOM_WITHIN_WINDOW`.
    pub selection_algorithm: Option<String>,
    /// `RecoveryPointSelection.RecoveryPointTypes`: `CONTINUOUS`, `SNAPSHOT`.
    pub recovery_point_types: Vec<String>,
    /// `RecoveryPointSelection.IncludeVaults` (vault ARNs, or `*`).
    pub include_vaults: Vec<String>,
    /// `RecoveryPointSelection.SelectionWindowDays`.
    pub selection_window_days: Option<i64>,
    /// `CreationTime` (RFC 3339, UTC).
    pub created: Option<String>,
    /// `LastExecutionTime` (RFC 3339, UTC): when it last started restore jobs; null when
    /// it never ran.
    pub last_execution: Option<String>,
}

/// One AWS Backup restore job (`backup:ListRestoreJobs`): a restore that was run, by a
/// restore testing plan or by hand. The snapshot ARN is assay's own,
/// `arn:aws:backup:REGION:ACCOUNT:restore-job:RESTORE_JOB_ID` (AWS gives a restore job no
/// ARN).
/// <https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreJobsListMember.html>
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRestoreJob {
    /// `Status`: `PENDING`, `RUNNING`, `COMPLETED`, `ABORTED` or `FAILED`.
    pub status: String,
    /// `StatusMessage`.
    pub status_message: Option<String>,
    /// `ResourceType` of the restored resource (`EBS`, `RDS`, `S3`, `EC2`, ...).
    pub resource_type: Option<String>,
    /// `RecoveryPointArn`: what was restored.
    pub recovery_point_arn: Option<String>,
    /// `CreatedResourceArn`: what the restore made.
    pub created_resource_arn: Option<String>,
    /// `CreationDate` (RFC 3339, UTC): when the restore started.
    pub created: Option<String>,
    /// `CompletionDate` (RFC 3339, UTC): when it finished; null while it runs.
    pub completed: Option<String>,
    /// Whole minutes from `CreationDate` to `CompletionDate`; null unless both are given.
    pub duration_minutes: Option<i64>,
    /// `CreatedBy.RestoreTestingPlanArn`: the restore testing plan that started it; null
    /// for a restore started by hand.
    pub restore_testing_plan_arn: Option<String>,
    /// `ValidationStatus` of a restore test: `FAILED`, `SUCCESSFUL`, `TIMED_OUT` or
    /// `VALIDATING`; null when no validation was reported.
    pub validation_status: Option<String>,
}

/// Free-form key/value tags as AWS returns them.
pub type Tags = BTreeMap<String, String>;
