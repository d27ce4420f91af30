//! AWS Config: the configuration recorders of the region and whether each is recording,
//! and the region's inventory of recorded resources (the catch-all: every resource
//! Config records, of any type, with its type, account, region and ARN).
//!
//! The inventory is one advanced query per region (`SelectResourceConfig`), paginated.
//! Where no recorder is recording, or the query is refused, the inventory could not look:
//! a gap for `aws_config_resource` in that region, so the rule judging it says GAP there
//! rather than "nothing outside".

use std::collections::BTreeMap;

use aws_sdk_config::Client;
use aws_sdk_config::operation::select_resource_config::SelectResourceConfigOutput;

use super::aws::{Failure, FailureKind};
use super::read::Paging;
use super::recorder::Recorder;
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{ConfigRecorder, ConfigResource};
use crate::snapshot::{Attributes, Provenance, Resource, Tags, Unread};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorders",
    ),
    (
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeConfigurationRecorderStatus",
    ),
    ("config:SelectResourceConfig", "config:SelectResourceConfig"),
    (
        "config:DescribeConfigurationAggregators",
        "config:DescribeConfigurationAggregators",
    ),
    (
        "config:DescribeConfigurationAggregatorSourcesStatus",
        "config:DescribeConfigurationAggregatorSourcesStatus",
    ),
    (
        "config:SelectAggregateResourceConfig",
        "config:SelectAggregateResourceConfig",
    ),
];

pub(super) const INVENTORY: &[&str] = &["aws_config_resource"];

/// The advanced query listing every recorded resource ("SELECT … with the properties
/// `resourceId`, `resourceName`, `resourceType`, `awsRegion`, `accountId`, `arn`", the
/// AWS Config developer guide, "Querying the current configuration state of AWS
/// resources").
pub(super) const QUERY: &str =
    "SELECT resourceId, resourceName, resourceType, awsRegion, accountId, arn";

/// AWS Config resource types that assay also reads in detail, with the assay type that
/// does: the coverage statement tells these from the types only the inventory locates.
pub const DETAILED: &[(&str, &str)] = &[
    ("AWS::S3::Bucket", "aws_s3_bucket"),
    ("AWS::EC2::Volume", "aws_ebs_volume"),
    ("AWS::EC2::Instance", "aws_ec2_instance"),
    ("AWS::EC2::VPC", "aws_vpc"),
    ("AWS::EC2::SecurityGroup", "aws_security_group"),
    ("AWS::RDS::DBInstance", "aws_rds_instance"),
    ("AWS::RDS::DBSnapshot", "aws_rds_snapshot"),
    ("AWS::RDS::DBCluster", "aws_rds_cluster"),
    ("AWS::RDS::DBClusterSnapshot", "aws_rds_cluster_snapshot"),
    // DocumentDB and Neptune clusters are read through the RDS API.
    ("AWS::DocDB::DBCluster", "aws_rds_cluster"),
    ("AWS::Neptune::DBCluster", "aws_rds_cluster"),
    ("AWS::KMS::Key", "aws_kms_key"),
    ("AWS::IAM::User", "aws_iam_user"),
    ("AWS::IAM::Group", "aws_iam_group"),
    ("AWS::IAM::Role", "aws_iam_role"),
    ("AWS::CloudTrail::Trail", "aws_cloudtrail_trail"),
    ("AWS::Backup::BackupPlan", "aws_backup_plan"),
    ("AWS::Backup::BackupVault", "aws_backup_vault"),
    ("AWS::Backup::RecoveryPoint", "aws_backup_recovery_point"),
    ("AWS::DynamoDB::Table", "aws_dynamodb_table"),
    ("AWS::Logs::LogGroup", "aws_cloudwatch_log_group"),
    ("AWS::EFS::FileSystem", "aws_efs_file_system"),
    ("AWS::SecretsManager::Secret", "aws_secretsmanager_secret"),
    ("AWS::SQS::Queue", "aws_sqs_queue"),
    ("AWS::SNS::Topic", "aws_sns_topic"),
    ("AWS::ECR::Repository", "aws_ecr_repository"),
    ("AWS::Kinesis::Stream", "aws_kinesis_stream"),
    ("AWS::Lambda::Function", "aws_lambda_function"),
    ("AWS::Redshift::Cluster", "aws_redshift_cluster"),
    ("AWS::Redshift::ClusterSnapshot", "aws_redshift_snapshot"),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "aws_elasticache_replication_group",
    ),
    // Config records every cache cluster, a replication group's nodes too: those are read
    // in detail as their group.
    ("AWS::ElastiCache::CacheCluster", "aws_elasticache_cluster"),
    ("AWS::OpenSearch::Domain", "aws_opensearch_domain"),
    // Domains created under the legacy Elasticsearch name are recorded as this type.
    ("AWS::Elasticsearch::Domain", "aws_opensearch_domain"),
];

/// The registered types deliberately not paired with an AWS Config resource type in
/// [`DETAILED`], each with why. A registered type in neither list fails a test, so a new
/// type cannot be forgotten here: the coverage statement would otherwise call resources
/// assay reads in detail "located only". Only that test reads it.
#[cfg(test)]
const NOT_DETAILED: &[(&str, &str)] = &[
    ("aws_account", "an account is not a Config resource"),
    ("aws_region", "a region's settings, not a resource"),
    (
        "aws_s3_backup_objects",
        "objects inside a bucket, not a resource of their own",
    ),
    ("aws_ebs_snapshot", "not paired yet"),
    ("aws_ec2_image", "not paired yet"),
    (
        "aws_config_recorder",
        "read by this collector itself, before the inventory",
    ),
    ("aws_config_resource", "the inventory's own entries"),
    ("aws_change_history", "management events, not resources"),
    ("aws_console_signin", "sign-in events, not resources"),
    ("aws_backup_restore_job", "restore jobs, not resources"),
    ("aws_backup_restore_testing_plan", "not paired yet"),
    ("aws_identitystore_group", "not paired yet"),
    ("aws_sso_instance", "not paired yet"),
    ("aws_sso_permission_set", "not paired yet"),
    ("aws_sso_signin", "sign-in events, not resources"),
];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let config = service_client!(aws_sdk_config, ctx);
    let Some(mut found) = recorders(ctx, &config).await else {
        return Vec::new();
    };
    let recording = found.iter().any(
        |r| matches!(&r.attributes, Attributes::ConfigRecorder(c) if c.recording == Some(true)),
    );
    if recording {
        // With an aggregator named, the organisation's inventory is read once through it
        // (`config_aggregate`), not region by region.
        if !ctx.inventory_by_aggregator {
            found.extend(inventory(ctx, &config).await);
        }
    } else {
        not_recording(ctx, &found);
    }
    found
}

/// The region's configuration recorders with their status; `None` when they could not be
/// listed (the gap recorded covers the inventory too).
async fn recorders(ctx: &ServiceCtx<'_>, config: &Client) -> Option<Vec<Resource>> {
    let (account, region) = (ctx.account, ctx.region);
    let (recorders, listed) = match ctx
        .recorder
        .call(
            ctx.account,
            region,
            "config:DescribeConfigurationRecorders",
            |c| {
                config
                    .describe_configuration_recorders()
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await
    {
        Ok((out, p)) => (out.configuration_recorders().to_vec(), p),
        Err(e) => {
            // Whether Config records here is not known, so neither is the inventory:
            // one gap leaves both types unread.
            ctx.recorder.gap(
                account,
                region,
                "config:DescribeConfigurationRecorders",
                &e.failure,
                &["aws_config_recorder", "aws_config_resource"],
                "",
            );
            return None;
        }
    };
    if recorders.is_empty() {
        return Some(Vec::new());
    }
    let status = ctx
        .recorder
        .call(
            ctx.account,
            region,
            "config:DescribeConfigurationRecorderStatus",
            |c| {
                config
                    .describe_configuration_recorder_status()
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await;
    let found = recorders
        .iter()
        .map(|r| {
            let name = r.name().unwrap_or("default").to_string();
            let arn = r.arn().map_or_else(
                || format!("arn:aws:config:{region}:{account}:config-recorder/{name}"),
                str::to_string,
            );
            let mut provenance = BTreeMap::from([("resource".to_string(), listed.clone())]);
            let mut unread = Vec::new();
            let (recording, last_status) = match &status {
                Ok((out, p)) => {
                    provenance.insert("recording".into(), p.clone());
                    let s = out
                        .configuration_recorders_status()
                        .iter()
                        .find(|s| s.name() == Some(name.as_str()));
                    (
                        Some(s.is_some_and(|s| s.recording())),
                        s.and_then(|s| s.last_status())
                            .map(|l| l.as_str().to_string()),
                    )
                }
                Err(e) => {
                    let gap = ctx.recorder.gap(
                        account,
                        region,
                        "config:DescribeConfigurationRecorderStatus",
                        &e.failure,
                        &[],
                        &arn,
                    );
                    unread.push(Unread {
                        group: "recording".into(),
                        gap,
                    });
                    (None, None)
                }
            };
            let group = r.recording_group();
            let attributes = ConfigRecorder {
                recording,
                all_supported: group.is_some_and(|g| g.all_supported()),
                include_global_resource_types: group
                    .is_some_and(|g| g.include_global_resource_types()),
                last_status,
                role_arn: r.role_arn().map(str::to_string),
            };
            resource(
                Attributes::ConfigRecorder(attributes),
                arn,
                name.clone(),
                Some(name),
                account,
                region,
                Tags::new(),
                provenance,
                unread,
            )
        })
        .collect();
    Some(found)
}

/// No recorder records in this region (none, none recording, or their status unread): the
/// inventory cannot look here, which is a gap for the catch-all, said as such.
fn not_recording(ctx: &ServiceCtx<'_>, recorders: &[Resource]) {
    let why = if recorders.is_empty() {
        "no configuration recorder in this region"
    } else {
        "no configuration recorder in this region is known to be recording"
    };
    let failure = Failure {
        kind: FailureKind::Service,
        code: "ConfigNotRecording".into(),
        message: format!(
            "{why}: AWS Config's inventory of every resource type cannot look here, so data stores of types assay has no collector for are not located in this region"
        ),
    };
    ctx.recorder.gap(
        ctx.account,
        ctx.region,
        "config:SelectResourceConfig",
        &failure,
        INVENTORY,
        "",
    );
}

/// Every resource Config records in this region, in as many pages as it takes (up to 100
/// results a page). A failed page is a listing gap: the inventory is not taken for whole.
async fn inventory(ctx: &ServiceCtx<'_>, config: &Client) -> Vec<Resource> {
    let (account, region) = (ctx.account, ctx.region);
    let pages = ctx
        .recorder
        .pages(
            Paging::listing(account, region, "config:SelectResourceConfig", INVENTORY),
            |token, c| {
                config
                    .select_resource_config()
                    .expression(QUERY)
                    .limit(100)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: SelectResourceConfigOutput| {
                (out.results().to_vec(), out.next_token().map(str::to_string))
            },
        )
        .await;
    pages
        .items
        .into_iter()
        .filter_map(|(row, p)| {
            inventory_item(
                ctx.recorder,
                ctx.account,
                ctx.region,
                "config:SelectResourceConfig",
                &row,
                p,
            )
        })
        .collect()
}

/// One result row (a JSON document as a string, per the `SelectResourceConfig` reference:
/// "Results: Returns the results for the SQL query", a list of strings). A row without a
/// type or id cannot be placed and is a gap about that row, never dropped silently. A row
/// without an account or region is placed in the `account` and `region` queried.
pub(super) fn inventory_item(
    recorder: &Recorder,
    account: &str,
    region: &str,
    operation: &'static str,
    row: &str,
    listed: Provenance,
) -> Option<Resource> {
    let value: serde_json::Value = serde_json::from_str(row).unwrap_or_default();
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let (Some(resource_type), Some(resource_id)) = (text("resourceType"), text("resourceId"))
    else {
        let failure = Failure {
            kind: FailureKind::Service,
            code: "MalformedInventoryRow".into(),
            message: format!("a {operation} result without resourceType or resourceId: {row}"),
        };
        recorder.gap(account, region, operation, &failure, INVENTORY, "");
        return None;
    };
    let item_account = text("accountId").unwrap_or_else(|| account.to_string());
    let item_region = text("awsRegion").unwrap_or_else(|| region.to_string());
    let arn = format!(
        "arn:aws:config:{item_region}:{item_account}:inventory/{resource_type}/{resource_id}"
    );
    let detailed_as = DETAILED
        .iter()
        .find(|(aws, _)| *aws == resource_type)
        .map(|(_, assay)| assay.to_string());
    let attributes = ConfigResource {
        resource_type,
        resource_name: text("resourceName"),
        resource_arn: text("arn"),
        resource_id: resource_id.clone(),
        detailed_as,
    };
    let name = attributes.resource_name.clone();
    Some(resource(
        Attributes::ConfigResource(attributes),
        arn,
        resource_id,
        name,
        &item_account,
        &item_region,
        Tags::new(),
        BTreeMap::from([("resource".to_string(), listed)]),
        Vec::new(),
    ))
}

#[cfg(test)]
mod tests {
    use super::{DETAILED, NOT_DETAILED};
    use crate::snapshot::resources::TYPES;

    /// Every registered type is paired with its AWS Config types (one or more: DocumentDB
    /// and Neptune clusters are RDS clusters to assay) or listed once as not paired, never
    /// both; and neither table names a type the registry does not have.
    #[test]
    fn every_registered_type_is_paired_with_config_or_says_why_not() {
        for info in TYPES {
            let paired = DETAILED.iter().filter(|(_, t)| *t == info.name).count();
            let unpaired = NOT_DETAILED.iter().filter(|(t, _)| *t == info.name).count();
            assert!(
                (paired > 0 && unpaired == 0) || (paired == 0 && unpaired == 1),
                "{}: add it to DETAILED (its AWS Config types) or NOT_DETAILED (why none, \
                 once) in src/collect/config.rs, not both",
                info.name
            );
        }
        for name in DETAILED
            .iter()
            .map(|(_, t)| t)
            .chain(NOT_DETAILED.iter().map(|(t, _)| t))
        {
            assert!(
                TYPES.iter().any(|i| i.name == *name),
                "{name}: not a registered type"
            );
        }
    }
}
