//! Terraform resource types → the resource model, one module per AWS service.
//!
//! Normalisation runs in two steps. *Primary* types become resources (`aws_s3_bucket` →
//! `aws_s3_bucket`, `aws_db_instance` → `aws_rds_instance`, …). *Attached* types then
//! complete them: split S3 resources, standalone security-group rules, group memberships,
//! replica keys, recorder status, backup selections. Last, region-level settings are
//! gathered into `aws_region` resources.
//!
//! Conventions, beyond those of the snapshot format:
//! - a value AWS itself fills in when the argument is unset is used when the plan leaves it
//!   null or unknown and AWS documents it (a new bucket is encrypted with SSE-S3; a new KMS
//!   key is not multi-Region; Terraform removes the default egress rule of a new security
//!   group). Each is stated where it is applied.
//! - anything else the plan does not know is marked unknown on its group, with the
//!   Terraform attribute in the reason, so rules reading it yield UNKNOWN.

mod ami;
mod backup;
mod dynamodb;
mod ebs_snapshot;
mod ec2;
mod ecr;
mod efs;
mod elasticache;
mod iam;
mod instance;
mod kms;
mod lambda;
mod logging;
mod logs;
mod messaging;
mod opensearch;
mod rds;
mod rds_cluster;
mod rds_snapshot;
mod redshift;
mod region;
mod s3;
mod secrets;

use std::collections::HashMap;

use super::PlanNote;
use super::build::{Ctx, Draft};
use super::error::PlanError;

/// Terraform resource types that become resources of their own.
const PRIMARY: &[&str] = &[
    "aws_s3_bucket",
    "aws_ebs_volume",
    "aws_db_instance",
    "aws_instance",
    "aws_security_group",
    "aws_default_security_group",
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_backup_vault",
    "aws_backup_plan",
    "aws_cloudtrail",
    "aws_iam_role",
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_account_password_policy",
    "aws_config_configuration_recorder",
    "aws_dynamodb_table",
    "aws_cloudwatch_log_group",
    "aws_ami",
    "aws_ami_copy",
    "aws_ami_from_instance",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_ecr_repository",
    "aws_kinesis_stream",
    "aws_lambda_function",
    "aws_redshift_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticache_cluster",
    "aws_opensearch_domain",
    "aws_secretsmanager_secret",
    "aws_efs_file_system",
    "aws_rds_cluster",
    // Snapshots: built after the volumes, instances and sources they take their
    // encryption from (see `all`).
    "aws_ebs_snapshot",
    "aws_ebs_snapshot_copy",
    "aws_ebs_snapshot_import",
    "aws_db_snapshot",
    "aws_db_snapshot_copy",
    "aws_db_cluster_snapshot",
];

/// Terraform resource types that complete another resource, in the order they apply.
const ATTACHED: &[&str] = &[
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_replication_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_object_lock_configuration",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_security_group_rule",
    "aws_kms_alias",
    "aws_backup_selection",
    "aws_backup_vault_lock_configuration",
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_user_login_profile",
    "aws_iam_access_key",
    "aws_iam_user_group_membership",
    "aws_iam_group_membership",
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_config_configuration_recorder_status",
    "aws_ec2_instance_state",
    "aws_launch_template",
    "aws_dynamodb_table_replica",
    "aws_ami_launch_permission",
    "aws_snapshot_create_volume_permission",
    "aws_sqs_queue_policy",
    "aws_sns_topic_policy",
    "aws_ecr_repository_policy",
    "aws_ecr_replication_configuration",
    "aws_redshift_snapshot_copy",
    "aws_elasticache_global_replication_group",
    "aws_efs_backup_policy",
    "aws_efs_replication_configuration",
    // Region-level settings: gathered into `aws_region` resources at the end.
    "aws_ebs_encryption_by_default",
    "aws_ebs_default_kms_key",
];

/// Whether assay reads this Terraform type from plans.
pub fn is_read(type_name: &str) -> bool {
    PRIMARY.contains(&type_name) || ATTACHED.contains(&type_name)
}

/// The resources being built, by the change that created them.
#[derive(Default)]
pub struct Drafts {
    pub list: Vec<Draft>,
    by_change: HashMap<usize, usize>,
    /// Placeholders for parents outside the plan, by parent key (`aws_security_group
    /// sg-0abc`): every change to the same parent completes the same placeholder.
    placeholders: HashMap<String, usize>,
    /// Changes read in part, for every output.
    pub notes: Vec<PlanNote>,
}

impl Drafts {
    fn push(&mut self, draft: Draft) {
        if let Some(change) = draft.change {
            self.by_change.insert(change, self.list.len());
        }
        self.list.push(draft);
    }

    /// Records that the change at `index` was read only in part, and why.
    pub fn note(&mut self, ctx: &Ctx, index: usize, note: String) {
        let c = &ctx.changes[index];
        self.notes.push(PlanNote {
            address: c.address.clone(),
            type_name: c.type_name.clone(),
            note,
        });
    }

    /// Notes that the change at `index` attaches to a parent outside the plan (named by
    /// its attribute `key`), and what is therefore not judged.
    pub fn outside(
        &mut self,
        ctx: &Ctx,
        index: usize,
        key: &str,
        parent_type: &str,
        consequence: &str,
    ) {
        let p = &ctx.changes[index];
        let parent = ctx.outside_parent(&ctx.attrs(p), p, key, parent_type);
        self.note(
            ctx,
            index,
            format!(
                "attaches to {} outside the plan: {consequence}",
                parent.label
            ),
        );
    }

    /// The placeholder for the parent `key` outside the plan, made by `make` the first
    /// time a change names it.
    pub fn placeholder(
        &mut self,
        key: &str,
        make: impl FnOnce() -> Result<Draft, PlanError>,
    ) -> Result<&mut Draft, PlanError> {
        let i = match self.placeholders.get(key) {
            Some(&i) => i,
            None => {
                let draft = make()?;
                self.placeholders.insert(key.to_string(), self.list.len());
                self.list.push(draft);
                self.list.len() - 1
            }
        };
        Ok(&mut self.list[i])
    }

    /// A resource derived from a change without being the change's own (an instance's
    /// block devices).
    pub fn push_extra(&mut self, draft: Draft) {
        self.list.push(draft);
    }

    pub fn of(&self, change: usize) -> Option<&Draft> {
        self.by_change.get(&change).map(|&i| &self.list[i])
    }

    pub fn of_mut(&mut self, change: usize) -> Option<&mut Draft> {
        self.by_change.get(&change).map(|&i| &mut self.list[i])
    }
}

/// Builds every resource the plan describes, with the notes on changes read in part.
pub fn all(ctx: &Ctx) -> Result<(Vec<Draft>, Vec<PlanNote>), PlanError> {
    let mut drafts = Drafts::default();
    for i in 0..ctx.changes.len() {
        let draft = match ctx.changes[i].type_name.as_str() {
            "aws_s3_bucket" => Some(s3::bucket(ctx, i)?),
            "aws_ebs_volume" => Some(ec2::volume(ctx, i)?),
            "aws_security_group" | "aws_default_security_group" => {
                Some(ec2::security_group(ctx, i)?)
            }
            "aws_db_instance" => Some(rds::instance(ctx, i, &mut drafts)?),
            "aws_instance" => Some(instance::instance(ctx, i, &mut drafts)?),
            "aws_kms_key" => Some(kms::key(ctx, i)?),
            "aws_backup_vault" => Some(backup::vault(ctx, i)?),
            "aws_backup_plan" => Some(backup::plan(ctx, i)?),
            "aws_cloudtrail" => Some(logging::trail(ctx, i)?),
            "aws_iam_role" => Some(iam::role(ctx, i)?),
            "aws_iam_user" => Some(iam::user(ctx, i)?),
            "aws_iam_group" => Some(iam::group(ctx, i)?),
            "aws_iam_account_password_policy" => Some(iam::password_policy(ctx, i)?),
            "aws_config_configuration_recorder" => Some(logging::recorder(ctx, i)?),
            "aws_dynamodb_table" => Some(dynamodb::table(ctx, i, &mut drafts)?),
            "aws_cloudwatch_log_group" => Some(logs::log_group(ctx, i)?),
            "aws_ami" | "aws_ami_copy" | "aws_ami_from_instance" => Some(ami::image(ctx, i)?),
            "aws_sqs_queue" => Some(messaging::queue(ctx, i, &mut drafts)?),
            "aws_sns_topic" => Some(messaging::topic(ctx, i, &mut drafts)?),
            "aws_kinesis_stream" => Some(messaging::stream(ctx, i, &mut drafts)?),
            "aws_ecr_repository" => Some(ecr::repository(ctx, i, &mut drafts)?),
            "aws_lambda_function" => Some(lambda::function(ctx, i, &mut drafts)?),
            "aws_redshift_cluster" => Some(redshift::cluster(ctx, i)?),
            "aws_elasticache_replication_group" => Some(elasticache::replication_group(ctx, i)?),
            "aws_elasticache_cluster" => elasticache::cluster(ctx, i, &mut drafts)?,
            "aws_opensearch_domain" => Some(opensearch::domain(ctx, i, &mut drafts)?),
            "aws_secretsmanager_secret" => Some(secrets::secret(ctx, i)?),
            "aws_efs_file_system" => Some(efs::file_system(ctx, i, &mut drafts)?),
            "aws_rds_cluster" => Some(rds_cluster::cluster(ctx, i, &mut drafts)?),
            _ => None,
        };
        if let Some(draft) = draft {
            drafts.push(draft);
        }
    }
    // Replica keys copy their primary key's settings, so they come after every key.
    for i in 0..ctx.changes.len() {
        if ctx.changes[i].type_name == "aws_kms_replica_key" {
            let draft = kms::replica(ctx, i, &mut drafts)?;
            drafts.push(draft);
        }
    }
    // Snapshots have the encryption of the volume or instance they are taken of, and
    // copies that of their source, so they come after every primary resource, each copy
    // after its source.
    for i in in_source_order(ctx, ebs_snapshot::SNAPSHOT_TYPES, "source_snapshot_id") {
        let draft = ebs_snapshot::snapshot(ctx, i, &drafts)?;
        drafts.push(draft);
    }
    for i in in_source_order(
        ctx,
        rds_snapshot::SNAPSHOT_TYPES,
        "source_db_snapshot_identifier",
    ) {
        let draft = rds_snapshot::snapshot(ctx, i, &drafts)?;
        drafts.push(draft);
    }
    for i in 0..ctx.changes.len() {
        if ctx.changes[i].type_name == "aws_db_cluster_snapshot" {
            let draft = rds_snapshot::cluster_snapshot(ctx, i, &drafts)?;
            drafts.push(draft);
        }
    }
    for type_name in ATTACHED {
        for i in 0..ctx.changes.len() {
            if ctx.changes[i].type_name != *type_name {
                continue;
            }
            match *type_name {
                "aws_s3_bucket_server_side_encryption_configuration" => {
                    s3::encryption(ctx, i, &mut drafts)?
                }
                "aws_s3_bucket_versioning" => s3::versioning(ctx, i, &mut drafts)?,
                "aws_s3_bucket_lifecycle_configuration" => s3::lifecycle(ctx, i, &mut drafts)?,
                "aws_s3_bucket_replication_configuration" => s3::replication(ctx, i, &mut drafts)?,
                "aws_s3_bucket_public_access_block" => {
                    s3::public_access_block(ctx, i, &mut drafts)?
                }
                "aws_s3_bucket_object_lock_configuration" => s3::object_lock(ctx, i, &mut drafts)?,
                "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
                    ec2::vpc_rule(ctx, i, &mut drafts)?
                }
                "aws_security_group_rule" => ec2::classic_rule(ctx, i, &mut drafts)?,
                "aws_kms_alias" => kms::alias(ctx, i, &mut drafts)?,
                "aws_backup_selection" => backup::selection(ctx, i, &mut drafts)?,
                "aws_backup_vault_lock_configuration" => backup::vault_lock(ctx, i, &mut drafts)?,
                "aws_iam_role_policy_attachment"
                | "aws_iam_user_policy_attachment"
                | "aws_iam_group_policy_attachment" => iam::policy_attachment(ctx, i, &mut drafts)?,
                "aws_iam_user_login_profile" => iam::login_profile(ctx, i, &mut drafts)?,
                "aws_iam_access_key" => iam::access_key(ctx, i, &mut drafts)?,
                "aws_iam_user_group_membership" => iam::user_groups(ctx, i, &mut drafts)?,
                "aws_iam_group_membership" => iam::group_members(ctx, i, &mut drafts)?,
                "aws_iam_policy"
                | "aws_iam_role_policy"
                | "aws_iam_user_policy"
                | "aws_iam_group_policy" => iam::policy(ctx, i, &mut drafts)?,
                "aws_config_configuration_recorder_status" => {
                    logging::recorder_status(ctx, i, &mut drafts)?
                }
                "aws_ec2_instance_state" => instance::instance_state(ctx, i, &mut drafts)?,
                "aws_launch_template" => instance::launch_template(ctx, i, &mut drafts)?,
                "aws_dynamodb_table_replica" => dynamodb::replica(ctx, i, &mut drafts)?,
                "aws_ami_launch_permission" => ami::launch_permission(ctx, i, &mut drafts)?,
                "aws_snapshot_create_volume_permission" => {
                    ebs_snapshot::create_volume_permission(ctx, i, &mut drafts)?
                }
                "aws_sqs_queue_policy" | "aws_sns_topic_policy" => {
                    messaging::attached_policy(ctx, i, &mut drafts)?
                }
                "aws_ecr_repository_policy" => ecr::repository_policy(ctx, i, &mut drafts)?,
                "aws_ecr_replication_configuration" => ecr::replication(ctx, i, &mut drafts)?,
                "aws_redshift_snapshot_copy" => {
                    redshift::snapshot_copy_resource(ctx, i, &mut drafts)?
                }
                "aws_elasticache_global_replication_group" => {
                    elasticache::global_replication_group(ctx, i, &mut drafts)?
                }
                "aws_efs_backup_policy" => efs::backup_policy(ctx, i, &mut drafts)?,
                "aws_efs_replication_configuration" => efs::replication(ctx, i, &mut drafts)?,
                _ => {}
            }
        }
    }
    let mut notes = std::mem::take(&mut drafts.notes);
    let mut list = drafts.list;
    let (settings, region_notes) = region::settings(ctx, &list)?;
    list.extend(settings);
    notes.extend(region_notes);
    Ok((list, notes))
}

/// A placeholder for the parent (`label`) of a change, outside the plan: a resource of
/// `attributes`' type named for the parent, none of whose `groups` nor tags are known
/// (the plan does not hold them), so a rule that reads them is UNKNOWN, never a pass.
fn placeholder_outside(
    ctx: &Ctx,
    index: usize,
    label: &str,
    attributes: crate::snapshot::Attributes,
    groups: &[&str],
) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let mut draft = ctx.draft(
        index,
        attributes,
        Some(format!("{label} (outside the plan)")),
        false,
    )?;
    draft.change = None;
    let outside = format!("{label} is outside the plan");
    for group in groups {
        draft.unknown(group, format!("{outside}: its {group} is not in the plan"));
    }
    draft.resource.tags = Default::default();
    draft.known("tags");
    draft.unknown("tags", format!("{outside}: its tags are not in the plan"));
    draft.resource.id = format!("{} ({label})", p.address);
    Ok(draft)
}

/// The changes of `types` in an order where each comes after the planned change of
/// `types` its `source_key` names (a copy after the snapshot it copies), otherwise in plan
/// order. Terraform refuses cycles, so every change is placed.
fn in_source_order(ctx: &Ctx, types: &[&str], source_key: &str) -> Vec<usize> {
    let mut pending: Vec<usize> = (0..ctx.changes.len())
        .filter(|&i| types.contains(&ctx.changes[i].type_name.as_str()))
        .collect();
    let mut order = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|&i| {
                let p = &ctx.changes[i];
                match ctx.target(&ctx.attrs(p), p, source_key, types) {
                    Some(source) => source == i || order.contains(&source),
                    None => true,
                }
            })
            .collect();
        // A cycle Terraform would have refused: place the rest in plan order.
        let placed = if ready.is_empty() {
            std::mem::take(&mut pending)
        } else {
            ready
        };
        pending.retain(|i| !placed.contains(i));
        order.extend(placed);
    }
    order
}
