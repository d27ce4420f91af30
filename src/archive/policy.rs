//! The IAM policy the archive needs, printed by `assay iam-policy --archive`: kept apart
//! from the collectors' read-only policy so a scanning role never holds a write action.

/// Each action and the commands that need it.
pub const ACTIONS: &[(&str, &str)] = &[
    (
        "s3:GetBucketLocation",
        "push, list, pull, verify: find the bucket's region",
    ),
    (
        "s3:GetBucketVersioning",
        "push: refuse a bucket without versioning",
    ),
    (
        "s3:GetBucketObjectLockConfiguration",
        "push: refuse a bucket without Object Lock",
    ),
    ("s3:ListBucket", "push (is the object there?), list, verify"),
    ("s3:GetObject", "push, pull, verify"),
    (
        "s3:GetObjectVersion",
        "pull, verify: read the version written",
    ),
    (
        "s3:GetObjectRetention",
        "push, verify: read each object's retention",
    ),
    ("s3:PutObject", "push: write the files and the scan record"),
    (
        "s3:PutObjectRetention",
        "push: set the retention as the object is written",
    ),
];

/// The policy document, for `bucket` (every bucket when `None`).
pub fn iam_policy(bucket: Option<&str>) -> serde_json::Value {
    let mut actions: Vec<&str> = ACTIONS.iter().map(|(a, _)| *a).collect();
    actions.sort_unstable();
    let resources = match bucket {
        Some(b) => serde_json::json!([format!("arn:aws:s3:::{b}"), format!("arn:aws:s3:::{b}/*")]),
        None => serde_json::json!("*"),
    };
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AssayEvidenceArchive",
            "Effect": "Allow",
            "Action": actions,
            "Resource": resources,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_delete_and_no_bypass() {
        for (action, _) in ACTIONS {
            assert!(
                !action.contains("Delete") && !action.contains("Bypass"),
                "{action}: the archive never deletes or bypasses retention"
            );
        }
        let p = iam_policy(Some("evidence"));
        assert_eq!(p["Statement"][0]["Resource"][1], "arn:aws:s3:::evidence/*");
    }
}
