//! Every copy of a resource's data, and every grant of it to another account, as the
//! resource's attributes name it: each registry entry's `copies` fact (see
//! `registry::resource_types!`) calls one lister here.
//!
//! Why in the registry: the attestation must follow every copy of the data, for every
//! data store assay reads. When the copies were a hand-kept match in the attestation,
//! each new data store (global-table replicas, read replicas, replication destinations,
//! shared snapshots and images) was missing from it until someone remembered. Now a type
//! cannot be registered without saying how its copies are listed, and the self-check
//! below fails for a type whose attributes name replicas, copies or shares and whose
//! lister gives none.
//!
//! A lister states what the attributes say and nothing more: a destination whose region
//! AWS did not give is `Place::Unknown`, never guessed; and each copy names the residency
//! rule assertion that judged its destination region ([`Judge`]), so the attestation
//! quotes that verdict rather than judging regions itself.

use super::resources::{
    BackupPlan, BackupRecoveryPoint, DynamodbTable, EbsSnapshot, Ec2Image, EcrRepository,
    EfsFileSystem, ElasticacheReplicationGroup, KmsKey, OpensearchDomain, RdsCluster,
    RdsClusterSnapshot, RdsInstance, RdsSnapshot, RedshiftCluster, RedshiftSnapshot, S3Bucket,
    Secret,
};

/// The kind of a KMS multi-Region key replica: the key, not the data, is copied, so the
/// attestation's body shows these with the keys.
pub const KEY_REPLICA: &str = "KMS key replica";

/// How every kind of grant to another account ends (`EBS snapshot shared`, `AMI
/// shared`): the attestation names those as exceptions whatever the region.
pub const SHARED: &str = " shared";

/// One copy of a resource's data, or one grant of it to another account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// For people: `S3 replication`, `DynamoDB global-table replica`, `EBS snapshot
    /// shared`, … A grant to another account ends in [`SHARED`].
    pub kind: &'static str,
    pub form: Form,
    /// Where the copy is, as AWS names it: a bucket or vault ARN, a region, an account
    /// (`all` for everyone), an organisation ARN.
    pub destination: String,
    /// The destination account; `None` for the resource's own account.
    pub account: Option<String>,
    /// The destination region.
    pub region: Place,
    /// Days the copy is kept, when the source says.
    pub retention_days: Option<i64>,
    /// What in the resource makes the copy (a backup plan's rule), when not the resource
    /// as a whole.
    pub via: Option<String>,
    /// Which residency rule assertion judged the destination region.
    pub judged_by: Judge,
}

/// How a copy relates to the resource that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// The resource copies its data to the destination (replication, a replica, a copy
    /// action, a cross-cluster connection).
    Copy,
    /// The resource is granted to another account, or to everyone (`shared_with`,
    /// launch permissions): the data stays where it is and others may read or copy it.
    /// Counted per destination and region, `noun` naming what is shared (`snapshot(s)`).
    Shared { noun: &'static str },
    /// The resource is itself a copy, held here, of data from `from` (`account
    /// 111122223333`, `region us-east-1`). Counted per origin and destination.
    Held { from: String, noun: &'static str },
}

/// A copy's destination region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The resource's own region (a copy held here).
    Source,
    /// That region.
    At(String),
    /// Not known: AWS did not say, or the grant has no region of its own.
    Unknown,
}

/// The residency verdict a copy's destination region takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judge {
    /// That assertion of that rule, on the resource that names the copy.
    Assertion {
        rule: &'static str,
        assertion: &'static str,
    },
    /// The resource's own region rule (`region-allowed`): the copy is the resource.
    OwnRegion,
    /// No rule judges the region (a grant is judged on whom it is granted to).
    Nothing,
}

const fn judged(rule: &'static str, assertion: &'static str) -> Judge {
    Judge::Assertion { rule, assertion }
}

/// A copy of the whole resource to a region of the same account.
fn to_region(kind: &'static str, region: &str, judged_by: Judge) -> Copy {
    Copy {
        kind,
        form: Form::Copy,
        destination: region.to_string(),
        account: None,
        region: Place::At(region.to_string()),
        retention_days: None,
        via: None,
        judged_by,
    }
}

/// Grants to other accounts: `all` (everyone), account ids, organisation or OU ARNs.
fn shared(kind: &'static str, noun: &'static str, with: &[String]) -> Vec<Copy> {
    with.iter()
        .map(|to| Copy {
            kind,
            form: Form::Shared { noun },
            destination: to.clone(),
            account: (to == "all" || to.bytes().all(|b| b.is_ascii_digit())).then(|| to.clone()),
            region: Place::Unknown,
            retention_days: None,
            via: None,
            judged_by: Judge::Nothing,
        })
        .collect()
}

/// This resource, a copy held here of data from `from`.
fn held(kind: &'static str, noun: &'static str, from: String, destination: String) -> Copy {
    Copy {
        kind,
        form: Form::Held { from, noun },
        destination,
        account: None,
        region: Place::Source,
        retention_days: None,
        via: None,
        judged_by: Judge::OwnRegion,
    }
}

/// `111122223333 us-east-1` from an ARN (`arn:aws:rds:us-east-1:111122223333:…`), or the
/// ARN itself when it is not one.
fn arn_place(arn: &str) -> String {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, _, region, account, ..] if !region.is_empty() && !account.is_empty() => {
            format!("{account} {region}")
        }
        _ => arn.to_string(),
    }
}

pub fn s3_bucket(b: &S3Bucket) -> Vec<Copy> {
    b.replication
        .iter()
        .flat_map(|r| &r.destinations)
        .map(|d| Copy {
            kind: "S3 replication",
            form: Form::Copy,
            destination: d.bucket_arn.clone(),
            account: d.account.clone(),
            // A destination the collector could not locate may be located by the
            // attestation from the destination bucket's own read (same account or
            // another scanned one).
            region: d.region.clone().map_or(Place::Unknown, Place::At),
            retention_days: None,
            via: None,
            judged_by: judged(
                "residency.s3-replication-destinations",
                "destinations-in-allowed-regions",
            ),
        })
        .collect()
}

pub fn backup_plan(p: &BackupPlan) -> Vec<Copy> {
    p.rules
        .iter()
        .flat_map(|rule| {
            rule.copy_actions.iter().map(|c| Copy {
                kind: "Backup copy",
                form: Form::Copy,
                destination: c.destination_vault_arn.clone(),
                account: Some(c.destination_account.clone()),
                region: Place::At(c.destination_region.clone()),
                retention_days: c.delete_after_days,
                via: Some(rule.name.clone()),
                judged_by: judged(
                    "residency.backup-copy-destinations",
                    "copies-in-allowed-regions",
                ),
            })
        })
        .collect()
}

pub fn backup_recovery_point(p: &BackupRecoveryPoint) -> Vec<Copy> {
    p.copied_from_account
        .iter()
        .map(|from| {
            held(
                "Backup copy held",
                "recovery point(s)",
                format!("account {from}"),
                format!("vault {}", p.vault_name),
            )
        })
        .collect()
}

pub fn ebs_snapshot(s: &EbsSnapshot) -> Vec<Copy> {
    shared("EBS snapshot shared", "snapshot(s)", &s.shared_with)
}

/// Launch permissions (`all` when public, accounts, organisations) of an image: whoever
/// may launch it may copy its snapshots.
pub fn ec2_image(i: &Ec2Image) -> Vec<Copy> {
    let mut with = i.launch_permissions.clone();
    if i.public && !with.iter().any(|p| p == "all") {
        with.insert(0, "all".into());
    }
    shared("AMI shared", "image(s)", &with)
}

pub fn rds_instance(db: &RdsInstance) -> Vec<Copy> {
    let replicas = db.replica_regions.iter().map(|r| {
        to_region(
            "RDS read replica",
            r,
            judged("residency.rds-replica-regions", "replicas-allowed"),
        )
    });
    let backups = db.backup_replication_regions.iter().map(|r| {
        to_region(
            "RDS backup replication",
            r,
            judged(
                "residency.rds-replica-regions",
                "backup-replication-allowed",
            ),
        )
    });
    replicas.chain(backups).collect()
}

pub fn rds_snapshot(s: &RdsSnapshot) -> Vec<Copy> {
    let mut out = shared("RDS snapshot shared", "snapshot(s)", &s.shared_with);
    let from = match (&s.source_region, &s.source_snapshot) {
        (Some(region), _) => Some(format!("region {region}")),
        (None, Some(arn)) => Some(arn_place(arn)),
        (None, None) => None,
    };
    out.extend(from.map(|from| {
        held(
            "RDS snapshot copy held",
            "snapshot(s)",
            from,
            format!("snapshots of {}", s.db_instance_id),
        )
    }));
    out
}

pub fn rds_cluster(c: &RdsCluster) -> Vec<Copy> {
    c.replica_regions
        .iter()
        .map(|r| {
            to_region(
                "RDS cluster replica",
                r,
                judged("residency.rds-replica-regions", "replicas-allowed"),
            )
        })
        .collect()
}

pub fn rds_cluster_snapshot(s: &RdsClusterSnapshot) -> Vec<Copy> {
    let mut out = shared("RDS cluster snapshot shared", "snapshot(s)", &s.shared_with);
    out.extend(s.source_snapshot.as_deref().map(|arn| {
        held(
            "RDS cluster snapshot copy held",
            "snapshot(s)",
            arn_place(arn),
            format!("snapshots of {}", s.db_cluster_id),
        )
    }));
    out
}

pub fn efs_file_system(f: &EfsFileSystem) -> Vec<Copy> {
    f.replica_regions
        .iter()
        .map(|r| {
            to_region(
                "EFS replication",
                r,
                judged("residency.efs-region", "replicas-allowed"),
            )
        })
        .collect()
}

pub fn secret(s: &Secret) -> Vec<Copy> {
    s.replica_regions
        .iter()
        .map(|r| {
            to_region(
                "Secrets Manager replica",
                r,
                judged("residency.secret-region", "replicas-allowed"),
            )
        })
        .collect()
}

/// Registry replication: to regions of the same registry, and to other registries. The
/// collector keeps the two lists apart, so a copy to another registry has no region here
/// (and no verdict): `residency.ecr-repository-region` judges those on the account.
pub fn ecr_repository(e: &EcrRepository) -> Vec<Copy> {
    let regions = e.replica_regions.iter().map(|r| {
        to_region(
            "ECR replication",
            r,
            judged("residency.ecr-repository-region", "replicas-allowed"),
        )
    });
    let accounts = e.replica_accounts.iter().map(|a| Copy {
        kind: "ECR replication",
        form: Form::Copy,
        destination: format!("registry {a}"),
        account: Some(a.clone()),
        region: Place::Unknown,
        retention_days: None,
        via: None,
        judged_by: Judge::Nothing,
    });
    regions.chain(accounts).collect()
}

pub fn redshift_cluster(c: &RedshiftCluster) -> Vec<Copy> {
    c.snapshot_copy_region
        .iter()
        .map(|r| Copy {
            retention_days: c.snapshot_copy_retention_days,
            ..to_region(
                "Redshift snapshot copy",
                r,
                judged(
                    "residency.redshift-snapshot-copy-region",
                    "copy-region-allowed",
                ),
            )
        })
        .collect()
}

pub fn redshift_snapshot(s: &RedshiftSnapshot) -> Vec<Copy> {
    let mut out = shared("Redshift snapshot shared", "snapshot(s)", &s.shared_with);
    out.extend(s.source_region.as_deref().map(|region| {
        held(
            "Redshift snapshot copy held",
            "snapshot(s)",
            format!("region {region}"),
            format!("snapshots of {}", s.cluster_id),
        )
    }));
    out
}

pub fn elasticache_replication_group(g: &ElasticacheReplicationGroup) -> Vec<Copy> {
    g.replica_regions
        .iter()
        .map(|r| {
            to_region(
                "ElastiCache global member",
                r,
                judged(
                    "residency.elasticache-global-datastore-regions",
                    "members-allowed",
                ),
            )
        })
        .collect()
}

pub fn opensearch_domain(d: &OpensearchDomain) -> Vec<Copy> {
    d.connection_regions
        .iter()
        .map(|r| {
            to_region(
                "OpenSearch connection",
                r,
                judged("residency.opensearch-region", "connections-allowed"),
            )
        })
        .collect()
}

pub fn dynamodb_table(t: &DynamodbTable) -> Vec<Copy> {
    t.replica_regions
        .iter()
        .map(|r| {
            to_region(
                "DynamoDB replica",
                r,
                judged("residency.dynamodb-region", "replicas-allowed"),
            )
        })
        .collect()
}

pub fn kms_key(k: &KmsKey) -> Vec<Copy> {
    k.replica_regions
        .iter()
        .map(|r| {
            to_region(
                KEY_REPLICA,
                r,
                judged("residency.kms-key-regions", "replica-regions-allowed"),
            )
        })
        .collect()
}

/// Words in an attribute's name that say it names copies, replicas or grants of the data
/// (`replica_regions`, `backup_replication_regions`, `shared_with`, `copy_actions`,
/// `snapshot_copy_region`, `copied_from_account`, `launch_permissions`,
/// `connection_regions`, `source_snapshot`, `source_region`).
pub const COPY_FIELD_WORDS: [&str; 9] = [
    "replica",
    "replication",
    "shared_with",
    "copy",
    "copied",
    "launch_permission",
    "connection_regions",
    "source_snapshot",
    "source_region",
];

/// The attribute names, at any depth, of a type's schema that name copies (by
/// [`COPY_FIELD_WORDS`]); empty for a type that names none.
pub fn copy_fields(type_name: &str) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                    out.extend(
                        props
                            .keys()
                            .filter(|k| COPY_FIELD_WORDS.iter().any(|w| k.contains(w)))
                            .cloned(),
                    );
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(schema) = super::Attributes::schema_of(type_name) {
        walk(&schema.to_value(), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;
    use crate::snapshot::Attributes;
    use crate::snapshot::resources::TYPES;

    /// One example per type whose attributes name copies: the attributes (over a blank
    /// instance), and each copy expected as (kind, destination, account, region, judge).
    type Expected = (
        &'static str,
        &'static str,
        Option<&'static str>,
        Place,
        Judge,
    );
    type Owned = (&'static str, String, Option<String>, Place, Judge);

    fn examples() -> Vec<(&'static str, serde_json::Value, Vec<Expected>)> {
        [
            examples_of_storage(),
            examples_of_databases(),
            examples_of_services(),
        ]
        .concat()
    }

    fn examples_of_storage() -> Vec<(&'static str, serde_json::Value, Vec<Expected>)> {
        let at = |r: &str| Place::At(r.into());
        let rule = |rule, assertion| Judge::Assertion { rule, assertion };
        vec![
            (
                "aws_s3_bucket",
                json!({"replication": {"role_arn": null, "destinations": [
                    {"rule_id": "r1", "enabled": true, "bucket_arn": "arn:aws:s3:::b1",
                     "region": "us-east-1", "account": null, "kms_key_arn": null},
                    {"rule_id": "r2", "enabled": true, "bucket_arn": "arn:aws:s3:::b2",
                     "region": null, "account": "444455556666", "kms_key_arn": null}]}}),
                vec![
                    (
                        "S3 replication",
                        "arn:aws:s3:::b1",
                        None,
                        at("us-east-1"),
                        rule(
                            "residency.s3-replication-destinations",
                            "destinations-in-allowed-regions",
                        ),
                    ),
                    (
                        "S3 replication",
                        "arn:aws:s3:::b2",
                        Some("444455556666"),
                        Place::Unknown,
                        rule(
                            "residency.s3-replication-destinations",
                            "destinations-in-allowed-regions",
                        ),
                    ),
                ],
            ),
            (
                "aws_backup_plan",
                json!({"rules": [{"name": "daily", "schedule_expression": null,
                    "frequency": "daily", "runs_per_day": 1, "target_vault": "v",
                    "delete_after_days": 7, "cold_storage_after_days": null,
                    "copy_actions": [{"destination_vault_arn":
                        "arn:aws:backup:ap-southeast-4:444455556666:backup-vault:dr",
                        "destination_account": "444455556666",
                        "destination_region": "ap-southeast-4",
                        "delete_after_days": 35, "cold_storage_after_days": null}]}]}),
                vec![(
                    "Backup copy",
                    "arn:aws:backup:ap-southeast-4:444455556666:backup-vault:dr",
                    Some("444455556666"),
                    at("ap-southeast-4"),
                    rule(
                        "residency.backup-copy-destinations",
                        "copies-in-allowed-regions",
                    ),
                )],
            ),
            (
                "aws_backup_recovery_point",
                json!({"vault_name": "dr", "copied_from_account": "111122223333"}),
                vec![(
                    "Backup copy held",
                    "vault dr",
                    None,
                    Place::Source,
                    Judge::OwnRegion,
                )],
            ),
            (
                "aws_ebs_snapshot",
                json!({"shared_with": ["all", "444455556666"]}),
                vec![
                    (
                        "EBS snapshot shared",
                        "all",
                        Some("all"),
                        Place::Unknown,
                        Judge::Nothing,
                    ),
                    (
                        "EBS snapshot shared",
                        "444455556666",
                        Some("444455556666"),
                        Place::Unknown,
                        Judge::Nothing,
                    ),
                ],
            ),
            (
                "aws_ec2_image",
                json!({"public": true, "launch_permissions":
                    ["arn:aws:organizations::111122223333:organization/o-abc"]}),
                vec![
                    (
                        "AMI shared",
                        "all",
                        Some("all"),
                        Place::Unknown,
                        Judge::Nothing,
                    ),
                    (
                        "AMI shared",
                        "arn:aws:organizations::111122223333:organization/o-abc",
                        None,
                        Place::Unknown,
                        Judge::Nothing,
                    ),
                ],
            ),
            (
                "aws_rds_instance",
                json!({"replica_regions": ["eu-west-1"],
                       "backup_replication_regions": ["us-west-2"]}),
                vec![
                    (
                        "RDS read replica",
                        "eu-west-1",
                        None,
                        at("eu-west-1"),
                        rule("residency.rds-replica-regions", "replicas-allowed"),
                    ),
                    (
                        "RDS backup replication",
                        "us-west-2",
                        None,
                        at("us-west-2"),
                        rule(
                            "residency.rds-replica-regions",
                            "backup-replication-allowed",
                        ),
                    ),
                ],
            ),
        ]
    }

    fn examples_of_databases() -> Vec<(&'static str, serde_json::Value, Vec<Expected>)> {
        let at = |r: &str| Place::At(r.into());
        let rule = |rule, assertion| Judge::Assertion { rule, assertion };
        vec![
            (
                "aws_rds_snapshot",
                json!({"shared_with": ["444455556666"], "source_region": "us-east-1",
                       "db_instance_id": "db1"}),
                vec![
                    (
                        "RDS snapshot shared",
                        "444455556666",
                        Some("444455556666"),
                        Place::Unknown,
                        Judge::Nothing,
                    ),
                    (
                        "RDS snapshot copy held",
                        "snapshots of db1",
                        None,
                        Place::Source,
                        Judge::OwnRegion,
                    ),
                ],
            ),
            (
                "aws_rds_cluster",
                json!({"replica_regions": ["ap-southeast-4"]}),
                vec![(
                    "RDS cluster replica",
                    "ap-southeast-4",
                    None,
                    at("ap-southeast-4"),
                    rule("residency.rds-replica-regions", "replicas-allowed"),
                )],
            ),
            (
                "aws_rds_cluster_snapshot",
                json!({"shared_with": ["all"], "db_cluster_id": "c1", "source_snapshot":
                    "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:s0"}),
                vec![
                    (
                        "RDS cluster snapshot shared",
                        "all",
                        Some("all"),
                        Place::Unknown,
                        Judge::Nothing,
                    ),
                    (
                        "RDS cluster snapshot copy held",
                        "snapshots of c1",
                        None,
                        Place::Source,
                        Judge::OwnRegion,
                    ),
                ],
            ),
            (
                "aws_efs_file_system",
                json!({"replica_regions": ["eu-west-1"]}),
                vec![(
                    "EFS replication",
                    "eu-west-1",
                    None,
                    at("eu-west-1"),
                    rule("residency.efs-region", "replicas-allowed"),
                )],
            ),
            (
                "aws_secretsmanager_secret",
                json!({"replica_regions": ["us-east-1"]}),
                vec![(
                    "Secrets Manager replica",
                    "us-east-1",
                    None,
                    at("us-east-1"),
                    rule("residency.secret-region", "replicas-allowed"),
                )],
            ),
            (
                "aws_ecr_repository",
                json!({"replica_regions": ["ap-southeast-4"],
                       "replica_accounts": ["444455556666"]}),
                vec![
                    (
                        "ECR replication",
                        "ap-southeast-4",
                        None,
                        at("ap-southeast-4"),
                        rule("residency.ecr-repository-region", "replicas-allowed"),
                    ),
                    (
                        "ECR replication",
                        "registry 444455556666",
                        Some("444455556666"),
                        Place::Unknown,
                        Judge::Nothing,
                    ),
                ],
            ),
        ]
    }

    fn examples_of_services() -> Vec<(&'static str, serde_json::Value, Vec<Expected>)> {
        let at = |r: &str| Place::At(r.into());
        let rule = |rule, assertion| Judge::Assertion { rule, assertion };
        vec![
            (
                "aws_redshift_cluster",
                json!({"snapshot_copy_region": "ap-southeast-4",
                       "snapshot_copy_retention_days": 7}),
                vec![(
                    "Redshift snapshot copy",
                    "ap-southeast-4",
                    None,
                    at("ap-southeast-4"),
                    rule(
                        "residency.redshift-snapshot-copy-region",
                        "copy-region-allowed",
                    ),
                )],
            ),
            (
                "aws_redshift_snapshot",
                json!({"shared_with": ["444455556666"], "source_region": "us-east-1",
                       "cluster_id": "wh"}),
                vec![
                    (
                        "Redshift snapshot shared",
                        "444455556666",
                        Some("444455556666"),
                        Place::Unknown,
                        Judge::Nothing,
                    ),
                    (
                        "Redshift snapshot copy held",
                        "snapshots of wh",
                        None,
                        Place::Source,
                        Judge::OwnRegion,
                    ),
                ],
            ),
            (
                "aws_elasticache_replication_group",
                json!({"replica_regions": ["us-east-1"]}),
                vec![(
                    "ElastiCache global member",
                    "us-east-1",
                    None,
                    at("us-east-1"),
                    rule(
                        "residency.elasticache-global-datastore-regions",
                        "members-allowed",
                    ),
                )],
            ),
            (
                "aws_opensearch_domain",
                json!({"connection_regions": ["ap-southeast-4"]}),
                vec![(
                    "OpenSearch connection",
                    "ap-southeast-4",
                    None,
                    at("ap-southeast-4"),
                    rule("residency.opensearch-region", "connections-allowed"),
                )],
            ),
            (
                "aws_dynamodb_table",
                json!({"replica_regions": ["us-east-1"]}),
                vec![(
                    "DynamoDB replica",
                    "us-east-1",
                    None,
                    at("us-east-1"),
                    rule("residency.dynamodb-region", "replicas-allowed"),
                )],
            ),
            (
                "aws_kms_key",
                json!({"replica_regions": ["us-west-2"]}),
                vec![(
                    KEY_REPLICA,
                    "us-west-2",
                    None,
                    at("us-west-2"),
                    rule("residency.kms-key-regions", "replica-regions-allowed"),
                )],
            ),
        ]
    }

    /// The example's attributes: a blank instance of the type with the example's fields.
    fn attributes(type_name: &str, fields: &serde_json::Value) -> Attributes {
        let mut value = serde_json::to_value(Attributes::blank(type_name).expect("a type"))
            .expect("serialises");
        for (k, v) in fields.as_object().expect("an object") {
            value[k] = v.clone();
        }
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{type_name}: {e}"))
    }

    /// Each type's lister gives exactly the copies its attributes name, each judged by
    /// the assertion that judges its region (or none, for a grant or a region not known).
    #[test]
    fn every_lister_gives_the_copies_its_attributes_name() {
        for (type_name, fields, expected) in examples() {
            let got: Vec<Owned> = attributes(type_name, &fields)
                .copies()
                .into_iter()
                .map(|c| (c.kind, c.destination, c.account, c.region, c.judged_by))
                .collect();
            let expected: Vec<Owned> = expected
                .into_iter()
                .map(|(k, d, a, r, j)| (k, d.to_string(), a.map(str::to_string), r, j))
                .collect();
            assert_eq!(got, expected, "{type_name}");
            // And a blank instance names none.
            assert!(
                Attributes::blank(type_name).unwrap().copies().is_empty(),
                "{type_name}: a blank instance has copies"
            );
        }
    }

    /// A type whose attributes name replicas, copies or shares has a lister, and an
    /// example above: a type registered with such a field and `copies: |_| Vec::new()`
    /// (forgotten) fails here, and so does one whose example was not written.
    #[test]
    fn every_type_naming_copies_has_a_lister_and_an_example() {
        let with_fields: BTreeSet<&str> = TYPES
            .iter()
            .filter(|t| !copy_fields(t.name).is_empty())
            .map(|t| t.name)
            .collect();
        let examples = examples();
        let with_examples: BTreeSet<&str> = examples.iter().map(|(t, _, _)| *t).collect();
        assert_eq!(
            with_fields, with_examples,
            "types whose attributes name copies (left) and the types with a copy example"
        );
        for (type_name, fields, _) in &examples {
            assert!(
                !attributes(type_name, fields).copies().is_empty(),
                "{type_name} names copies ({:?}) and lists none",
                copy_fields(type_name)
            );
        }
    }

    /// Every assertion a lister quotes is a bundled rule's, on that type: the attestation
    /// never quotes a verdict no rule gives. (Read from the rule files as text: the rule
    /// loader is a layer above the snapshot; `tests/it/registry.rs` loads the pack.)
    #[test]
    fn every_judge_is_a_bundled_assertion_on_its_type() {
        let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/residency");
        for (type_name, fields, _) in examples() {
            for c in attributes(type_name, &fields).copies() {
                match c.judged_by {
                    Judge::Assertion { rule, assertion } => {
                        let file = rules.join(format!(
                            "{}.yaml",
                            rule.strip_prefix("residency.").expect("a residency rule")
                        ));
                        let text = std::fs::read_to_string(&file)
                            .unwrap_or_else(|e| panic!("{type_name}: {rule}: {e}"));
                        assert!(text.contains(&format!("id: {rule}\n")), "{rule}");
                        assert!(
                            text.lines()
                                .any(|l| l.starts_with("resource_types:") && l.contains(type_name)),
                            "{rule} does not judge {type_name}"
                        );
                        assert!(
                            text.contains(&format!("- name: {assertion}\n")),
                            "{rule} has no assertion {assertion}"
                        );
                    }
                    Judge::OwnRegion => assert!(
                        crate::snapshot::type_info(type_name)
                            .is_some_and(|t| t.data_store.is_some()),
                        "{type_name}: a copy held here is judged by its region rule"
                    ),
                    // A region not known, or a grant, has no verdict.
                    Judge::Nothing => assert_eq!(c.region, Place::Unknown, "{type_name}"),
                }
            }
        }
    }
}
