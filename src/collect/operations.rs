//! Every AWS API operation the collectors call, with the IAM action that permits it.
//!
//! This table is the least-privilege contract: `assay iam-policy` prints a policy with
//! exactly these actions, the recorder refuses any call not listed here, and a test checks
//! that every action is read-only (Get/List/Describe/Lookup, plus the credential report).

/// (API operation as recorded in provenance, IAM action).
pub const DECLARED: &[(&str, &str)] = &[
    ("sts:GetCallerIdentity", "sts:GetCallerIdentity"),
    ("sts:AssumeRole", "sts:AssumeRole"),
    ("organizations:ListAccounts", "organizations:ListAccounts"),
    ("ec2:DescribeRegions", "ec2:DescribeRegions"),
    ("ec2:DescribeVolumes", "ec2:DescribeVolumes"),
    ("ec2:DescribeSnapshots", "ec2:DescribeSnapshots"),
    (
        "ec2:DescribeSnapshotAttribute",
        "ec2:DescribeSnapshotAttribute",
    ),
    ("ec2:DescribeInstances", "ec2:DescribeInstances"),
    ("ec2:DescribeImages", "ec2:DescribeImages"),
    ("ec2:DescribeImageAttribute", "ec2:DescribeImageAttribute"),
    ("ec2:DescribeVpcs", "ec2:DescribeVpcs"),
    ("ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroups"),
    (
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeNetworkInterfaces",
    ),
    (
        "ec2:GetEbsEncryptionByDefault",
        "ec2:GetEbsEncryptionByDefault",
    ),
    ("ec2:GetEbsDefaultKmsKeyId", "ec2:GetEbsDefaultKmsKeyId"),
    ("s3:ListBuckets", "s3:ListAllMyBuckets"),
    ("s3:GetBucketLocation", "s3:GetBucketLocation"),
    ("s3:GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    ("s3:GetBucketVersioning", "s3:GetBucketVersioning"),
    (
        "s3:GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
    ),
    ("s3:GetBucketReplication", "s3:GetReplicationConfiguration"),
    ("s3:GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
    (
        "s3:GetObjectLockConfiguration",
        "s3:GetBucketObjectLockConfiguration",
    ),
    ("s3:GetBucketTagging", "s3:GetBucketTagging"),
    ("iam:GetAccountSummary", "iam:GetAccountSummary"),
    (
        "iam:GetAccountPasswordPolicy",
        "iam:GetAccountPasswordPolicy",
    ),
    ("iam:ListAccountAliases", "iam:ListAccountAliases"),
    (
        "iam:GenerateCredentialReport",
        "iam:GenerateCredentialReport",
    ),
    ("iam:GetCredentialReport", "iam:GetCredentialReport"),
    ("iam:ListUsers", "iam:ListUsers"),
    ("iam:ListMFADevices", "iam:ListMFADevices"),
    ("iam:ListGroupsForUser", "iam:ListGroupsForUser"),
    ("iam:ListAccessKeys", "iam:ListAccessKeys"),
    (
        "iam:ListAttachedUserPolicies",
        "iam:ListAttachedUserPolicies",
    ),
    ("iam:ListGroups", "iam:ListGroups"),
    ("iam:GetGroup", "iam:GetGroup"),
    (
        "iam:ListAttachedGroupPolicies",
        "iam:ListAttachedGroupPolicies",
    ),
    ("iam:ListRoles", "iam:ListRoles"),
    (
        "iam:ListAttachedRolePolicies",
        "iam:ListAttachedRolePolicies",
    ),
    ("kms:ListKeys", "kms:ListKeys"),
    ("kms:DescribeKey", "kms:DescribeKey"),
    ("kms:GetKeyRotationStatus", "kms:GetKeyRotationStatus"),
    ("kms:ListAliases", "kms:ListAliases"),
    ("kms:GetKeyPolicy", "kms:GetKeyPolicy"),
    ("rds:DescribeDBInstances", "rds:DescribeDBInstances"),
    ("rds:DescribeDBSnapshots", "rds:DescribeDBSnapshots"),
    (
        "rds:DescribeDBSnapshotAttributes",
        "rds:DescribeDBSnapshotAttributes",
    ),
    ("cloudtrail:DescribeTrails", "cloudtrail:DescribeTrails"),
    ("cloudtrail:GetTrailStatus", "cloudtrail:GetTrailStatus"),
    (
        "cloudtrail:GetEventSelectors",
        "cloudtrail:GetEventSelectors",
    ),
    ("cloudtrail:LookupEvents", "cloudtrail:LookupEvents"),
    (
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorders",
    ),
    (
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeConfigurationRecorderStatus",
    ),
    ("backup:ListBackupPlans", "backup:ListBackupPlans"),
    ("backup:GetBackupPlan", "backup:GetBackupPlan"),
    ("backup:ListBackupSelections", "backup:ListBackupSelections"),
    ("backup:GetBackupSelection", "backup:GetBackupSelection"),
    ("backup:ListBackupVaults", "backup:ListBackupVaults"),
    (
        "backup:ListRecoveryPointsByBackupVault",
        "backup:ListRecoveryPointsByBackupVault",
    ),
];

/// The IAM action for a declared API operation; `None` if the operation is not declared.
pub fn iam_action(operation: &str) -> Option<&'static str> {
    DECLARED
        .iter()
        .find(|(op, _)| *op == operation)
        .map(|(_, action)| *action)
}

/// The read-only IAM policy covering exactly the declared actions, as JSON.
pub fn iam_policy() -> serde_json::Value {
    let mut actions: Vec<&str> = DECLARED.iter().map(|(_, a)| *a).collect();
    actions.sort_unstable();
    actions.dedup();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AssayReadOnlyEvidence",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*",
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_action_is_read_only() {
        for (op, action) in DECLARED {
            let verb = action.split(':').nth(1).unwrap_or("");
            let read_only = ["Get", "List", "Describe", "Lookup"]
                .iter()
                .any(|p| verb.starts_with(p))
                || *action == "iam:GenerateCredentialReport"
                || *action == "sts:AssumeRole";
            assert!(
                read_only,
                "{op} needs {action}, which is not a read-only action"
            );
        }
    }

    #[test]
    fn operations_are_unique() {
        let mut ops: Vec<&str> = DECLARED.iter().map(|(op, _)| *op).collect();
        ops.sort_unstable();
        let before = ops.len();
        ops.dedup();
        assert_eq!(before, ops.len());
    }
}
