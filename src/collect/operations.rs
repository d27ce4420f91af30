//! Every AWS API operation the scan calls, with the IAM action that permits it.
//!
//! This is the least-privilege contract: `assay iam-policy` prints a policy with exactly
//! these actions, the recorder refuses any call not declared, and a test checks that
//! every action is read-only (Get/List/Describe/Lookup/Select, plus the credential report).
//! Each service collector declares its own calls (its `OPERATIONS`, referenced from its
//! entry in [`COLLECTORS`]); this module keeps only the calls the scan itself makes
//! around the collectors: who the caller is, the organisation's accounts, the regions.

use super::COLLECTORS;

/// The calls outside any service collector: (API operation as recorded in provenance,
/// IAM action).
pub const CROSS_CUTTING: &[(&str, &str)] = &[
    ("sts:GetCallerIdentity", "sts:GetCallerIdentity"),
    ("sts:AssumeRole", "sts:AssumeRole"),
    ("organizations:ListAccounts", "organizations:ListAccounts"),
    ("ec2:DescribeRegions", "ec2:DescribeRegions"),
];

/// Every declared (API operation, IAM action): the cross-cutting calls, then each
/// collector's in the order of [`COLLECTORS`].
pub fn declared() -> impl Iterator<Item = (&'static str, &'static str)> {
    CROSS_CUTTING
        .iter()
        .copied()
        .chain(COLLECTORS.iter().flat_map(|c| c.operations.iter().copied()))
}

/// The IAM action for a declared API operation; `None` if the operation is not declared.
pub fn iam_action(operation: &str) -> Option<&'static str> {
    declared()
        .find(|(op, _)| *op == operation)
        .map(|(_, action)| action)
}

/// The read-only IAM policy covering exactly the declared actions, as JSON.
pub fn iam_policy() -> serde_json::Value {
    let mut actions: Vec<&str> = declared().map(|(_, a)| a).collect();
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
        for (op, action) in declared() {
            let verb = action.split(':').nth(1).unwrap_or("");
            // `Select` queries AWS Config's recorded state (config:SelectResourceConfig is
            // in the AWS managed ReadOnlyAccess policy).
            let read_only = ["Get", "List", "Describe", "Lookup", "Select"]
                .iter()
                .any(|p| verb.starts_with(p))
                || action == "iam:GenerateCredentialReport"
                || action == "sts:AssumeRole";
            assert!(
                read_only,
                "{op} needs {action}, which is not a read-only action"
            );
        }
    }

    #[test]
    fn operations_are_unique() {
        let mut ops: Vec<&str> = declared().map(|(op, _)| op).collect();
        ops.sort_unstable();
        let before = ops.len();
        ops.dedup();
        assert_eq!(before, ops.len());
    }
}
