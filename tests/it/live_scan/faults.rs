//! Faults the proxy injects (AccessDenied, throttling, dead endpoints, timeouts, operations
//! moto lacks): each is a gap, and the scan completes.

use super::*;

#[test]
fn unimplemented_moto_operations_become_gaps_not_crashes() {
    let f = full();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let role = format!("arn:aws:iam::{FULL_ACCOUNT}:role/assay-audit");
    // Straight to moto: it answers the operations it lacks with HTTP 500/404 HTML.
    let ran = assay_live(
        &moto().url,
        &[
            "collect",
            "--region",
            HOME,
            "--region",
            OTHER,
            "--max-attempts",
            "1",
            "--role-arn",
            &role,
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 3, "gaps make the run incomplete: {}", ran.stderr);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let mut found: Vec<(String, String, String)> = gaps(&snapshot)
        .iter()
        .map(|g| {
            (
                g["operation"].as_str().unwrap().into(),
                g["region"].as_str().unwrap().into(),
                g["error_code"].as_str().unwrap().into(),
            )
        })
        .collect();
    found.sort();
    let expected = vec![
        ("backup:ListBackupSelections", HOME, "Http500"),
        ("backup:ListBackupSelections", OTHER, "Http500"),
        ("backup:ListRecoveryPointsByBackupVault", HOME, "Http404"),
        ("backup:ListRecoveryPointsByBackupVault", OTHER, "Http404"),
        ("backup:ListRestoreJobs", HOME, "Http404"),
        ("backup:ListRestoreJobs", OTHER, "Http404"),
        ("backup:ListRestoreTestingPlans", HOME, "Http404"),
        ("backup:ListRestoreTestingPlans", OTHER, "Http404"),
        // Per region: the console sign-ins and Identity Center's sign-in events (moto
        // has an instance in every region); the change history is not asked for.
        ("cloudtrail:LookupEvents", HOME, "Http500"),
        ("cloudtrail:LookupEvents", HOME, "Http500"),
        ("cloudtrail:LookupEvents", OTHER, "Http500"),
        ("cloudtrail:LookupEvents", OTHER, "Http500"),
        ("ec2:GetEbsDefaultKmsKeyId", HOME, "Http500"),
        ("ec2:GetEbsDefaultKmsKeyId", OTHER, "Http500"),
        (
            "elasticfilesystem:DescribeReplicationConfigurations",
            HOME,
            "Http500",
        ),
        (
            "elasticfilesystem:DescribeReplicationConfigurations",
            OTHER,
            "Http500",
        ),
        // Moto's OpenSearch backend has no cross-cluster connections (HTTP 404).
        ("es:DescribeOutboundConnections", HOME, "Http404"),
        ("es:DescribeOutboundConnections", OTHER, "Http404"),
        // One per permission set of the seed (all in the Identity Center home region).
        (
            "sso:GetPermissionsBoundaryForPermissionSet",
            HOME,
            "Http500",
        ),
        (
            "sso:GetPermissionsBoundaryForPermissionSet",
            HOME,
            "Http500",
        ),
        (
            "sso:GetPermissionsBoundaryForPermissionSet",
            HOME,
            "Http500",
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(a, b, c)| (a.into(), b.into(), c.into()))
        .collect();
    assert_eq!(found, expected, "{:#?}", snapshot["gaps"]);
    for g in gaps(&snapshot) {
        assert!(
            g["message"].as_str().unwrap().len() < 400,
            "a gap message is one readable line: {}",
            g["message"]
        );
    }
    // Everything else was read as in the complete scan.
    assert_eq!(
        resources(&snapshot, "aws_s3_bucket").len(),
        resources(&f.snapshot, "aws_s3_bucket").len()
    );
    assert_eq!(resources(&snapshot, "aws_backup_vault").len(), 2);
    let plan = resource(&snapshot, seed_str(&f.seed, "plan"));
    assert_eq!(plan["unread"][0]["group"], "selected_resources");
    assert_eq!(plan["selected_resources"], serde_json::json!([]));
    let region = resource(&snapshot, &arn_of("region", HOME, ""));
    assert_eq!(
        region["ebs_encryption_by_default"],
        Value::Null,
        "the default key could not be read"
    );
    assert_eq!(region["unread"][0]["group"], "ebs_encryption_by_default");
    let (_, findings) = audit(&out, dir.path());
    expect(
        &findings,
        "encryption.ebs-default-encryption",
        &arn_of("region", HOME, ""),
        "GAP",
    );
    expect_gap_not_pass(
        &findings,
        &[
            "encryption.backup-recovery-point-encrypted",
            "iam.console-signin-mfa",
        ],
    );
}

#[test]
fn access_denied_in_every_protocol_is_a_gap() {
    let denied_ops = [
        "s3:GetBucketEncryption",                // REST XML <Error>
        "ec2:DescribeSecurityGroups",            // EC2 <Response><Errors>
        "iam:ListUsers",                         // query <ErrorResponse>
        "rds:DescribeDBInstances",               // query <ErrorResponse>
        "cloudtrail:DescribeTrails",             // awsJson __type
        "config:DescribeConfigurationRecorders", // awsJson __type
        "backup:ListBackupPlans",                // restJson Code + x-amzn-ErrorType
    ];
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(vec![on(&denied_ops, denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    for op in denied_ops {
        assert!(proxy.count(op) > 0, "{op} was never called");
    }
    let by_op = |op: &str| -> Vec<&Value> {
        gaps(&snapshot)
            .into_iter()
            .filter(|g| g["operation"] == op)
            .collect()
    };
    for (op, code, types, count) in [
        (
            "s3:GetBucketEncryption",
            "AccessDenied",
            vec![],
            resources(&full().snapshot, "aws_s3_bucket").len(),
        ),
        (
            "ec2:DescribeSecurityGroups",
            "UnauthorizedOperation",
            vec!["aws_security_group"],
            2,
        ),
        ("iam:ListUsers", "AccessDenied", vec!["aws_iam_user"], 1),
        (
            "rds:DescribeDBInstances",
            "AccessDenied",
            vec!["aws_rds_instance"],
            2,
        ),
        (
            "cloudtrail:DescribeTrails",
            "AccessDeniedException",
            vec!["aws_cloudtrail_trail"],
            2,
        ),
        (
            "config:DescribeConfigurationRecorders",
            "AccessDeniedException",
            vec!["aws_config_recorder", "aws_config_resource"],
            2,
        ),
        (
            "backup:ListBackupPlans",
            "AccessDeniedException",
            vec!["aws_backup_plan"],
            2,
        ),
    ] {
        let found = by_op(op);
        assert_eq!(found.len(), count, "{op}: {found:#?}");
        for g in found {
            assert_eq!(g["error_code"], code, "{op}");
            assert_eq!(g["resource_types"], serde_json::json!(types), "{op}");
            assert!(
                g["message"].as_str().unwrap().contains("not authorized"),
                "{op}: {}",
                g["message"]
            );
        }
    }
    assert_eq!(
        gaps(&snapshot).len(),
        resources(&full().snapshot, "aws_s3_bucket").len() + 11,
        "{:#?}",
        snapshot["gaps"]
    );
    // The rest was read.
    let data = resource(&snapshot, &bucket(&full().seed, "data"));
    assert_eq!(data["encryption"], Value::Null);
    assert_eq!(
        data["unread"],
        serde_json::json!([{"group": "encryption", "gap": data["unread"][0]["gap"]}])
    );
    assert_eq!(data["versioning"]["status"], "Enabled");
    assert!(resources(&snapshot, "aws_security_group").is_empty());
    assert!(!resources(&snapshot, "aws_ebs_volume").is_empty());
    expect_gap_not_pass(
        &findings,
        &[
            "encryption.s3-bucket-kms-cmk",
            "network.no-public-admin-ports",
            "network.public-ingress-allowed-ports",
            "network.default-security-group-closed",
            "iam.console-users-mfa",
            "iam.support-group-mfa",
            "encryption.rds-instance-kms-cmk",
            "logging.cloudtrail-multi-region",
            "encryption.cloudtrail-kms",
            "logging.config-recording",
            "backup.plan-daily-retention",
            "backup.plan-weekly-retention",
            "backup.plan-monthly-retention",
            "backup.frequent-snapshots",
            "backup.separate-account-copy",
            "backup.dr-copy",
            "residency.backup-copy-destinations",
        ],
    );
    // The retention rule also judges the DB clusters, which were read; for the instances
    // it says GAP in both regions.
    let retention = rule_statuses(&findings, "backup.rds-retention-period");
    for region in [HOME, OTHER] {
        assert!(
            retention.contains(&(format!("{FULL_ACCOUNT}/{region}"), "GAP".to_string())),
            "{retention:?}"
        );
    }
    // Rules on what was read still judge it.
    expect(
        &findings,
        "residency.s3-bucket-region",
        &bucket(&full().seed, "us"),
        "FAIL",
    );
    expect(
        &findings,
        "encryption.kms-cmk-rotation",
        seed_str(&full().seed, "cmk"),
        "PASS",
    );
}

/// Throttling that lasts: a gap once the SDK's attempts and the scan's patience are used
/// up (no patience here, so the attempts are countable).
#[test]
fn throttling_that_outlasts_the_retries_is_a_gap() {
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(
        vec![on(&["kms:ListKeys", "iam:ListRoles"], throttled)],
        &["--max-attempts", "2", "--throttle-patience", "0"],
    );
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert_eq!(
        proxy.count("kms:ListKeys"),
        4,
        "two attempts in each region"
    );
    assert_eq!(proxy.count("iam:ListRoles"), 2, "two attempts");
    let mut found: Vec<(String, String, String)> = gaps(&snapshot)
        .iter()
        .map(|g| {
            (
                g["operation"].as_str().unwrap().into(),
                g["region"].as_str().unwrap().into(),
                g["error_code"].as_str().unwrap().into(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("iam:ListRoles".into(), "global".into(), "Throttling".into()),
            (
                "kms:ListKeys".into(),
                HOME.into(),
                "ThrottlingException".into()
            ),
            (
                "kms:ListKeys".into(),
                OTHER.into(),
                "ThrottlingException".into()
            )
        ],
        "{:#?}",
        snapshot["gaps"]
    );
    assert!(
        resources(&snapshot, "aws_kms_key").is_empty()
            && resources(&snapshot, "aws_iam_role").is_empty()
    );
    expect_gap_not_pass(
        &findings,
        &[
            "encryption.kms-cmk-rotation",
            "residency.kms-key-regions",
            "iam.support-role-mfa",
        ],
    );
}

/// Throttling that ends: a call still throttled after the SDK's attempts is waited for
/// and asked again, as a patient client would, and the scan is complete (no gap a patient
/// client would not have). Each region's first two key listings are throttled, with one
/// attempt per call.
#[test]
fn throttling_a_patient_client_waits_out_is_no_gap() {
    let throttled_so_far =
        std::sync::Mutex::new(std::collections::BTreeMap::<String, usize>::new());
    let (ran, snapshot, _findings, proxy, _dir) = faulted_scan(
        vec![Box::new(move |r: &Request| {
            if r.operation != "kms:ListKeys" {
                return None;
            }
            let mut counts = throttled_so_far.lock().unwrap();
            let n = counts.entry(r.region.clone()).or_default();
            *n += 1;
            (*n <= 2).then(|| throttled(r))
        })],
        &["--max-attempts", "1"],
    );
    assert!(
        !gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "kms:ListKeys"),
        "{:#?}",
        snapshot["gaps"]
    );
    assert_eq!(
        proxy.count("kms:ListKeys"),
        6,
        "two throttled and one answered in each region"
    );
    let full = full();
    assert_eq!(
        resources(&snapshot, "aws_kms_key").len(),
        resources(&full.snapshot, "aws_kms_key").len(),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_dead_endpoint_mid_scan_is_a_gap_and_the_scan_completes() {
    let (ran, snapshot, findings, proxy, _dir) =
        faulted_scan(vec![on_service("rds", |_| Reply::Drop)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(proxy.count("rds:DescribeDBInstances") >= 2);
    let found: Vec<&Value> = gaps(&snapshot);
    assert_eq!(
        found.len(),
        8,
        "instances, snapshots, clusters and cluster snapshots in two regions: {found:#?}"
    );
    for g in &found {
        assert_eq!(g["service"], "rds");
        assert_eq!(g["error_code"], "EndpointUnreachable", "{g}");
    }
    let types: BTreeSet<String> = found
        .iter()
        .flat_map(|g| {
            g["resource_types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        types,
        BTreeSet::from([
            "aws_rds_instance".to_string(),
            "aws_rds_snapshot".to_string(),
            "aws_rds_cluster".to_string(),
            "aws_rds_cluster_snapshot".to_string(),
        ])
    );
    // Everything else was read.
    let f = full();
    for type_name in assay::snapshot::RESOURCE_TYPES
        .iter()
        .filter(|t| !t.starts_with("aws_rds"))
    {
        assert_eq!(
            resources(&snapshot, type_name).len(),
            resources(&f.snapshot, type_name).len(),
            "{type_name}"
        );
    }
    expect_gap_not_pass(
        &findings,
        &[
            "encryption.rds-instance-kms-cmk",
            "encryption.rds-snapshot-kms-cmk",
            "backup.rds-retention-period",
            "residency.rds-region",
        ],
    );
}

#[test]
fn a_call_that_outlasts_the_timeout_is_a_gap() {
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(
        vec![on(&["config:DescribeConfigurationRecorders"], |_| {
            Reply::Stall(std::time::Duration::from_secs(8))
        })],
        &["--max-attempts", "1", "--call-timeout", "3"],
    );
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert_eq!(proxy.count("config:DescribeConfigurationRecorders"), 2);
    let found = gaps(&snapshot);
    assert_eq!(found.len(), 2, "{found:#?}");
    for g in found {
        assert_eq!(
            (g["operation"].as_str(), g["error_code"].as_str()),
            (
                Some("config:DescribeConfigurationRecorders"),
                Some("Timeout")
            ),
            "{g}"
        );
        assert_eq!(
            g["resource_types"],
            serde_json::json!(["aws_config_recorder", "aws_config_resource"])
        );
    }
    expect_gap_not_pass(&findings, &["logging.config-recording"]);
}

/// A region where nothing was found because its listings failed is not "unused": rules
/// that apply only to regions in use must say GAP there, not NOT_APPLICABLE.
#[test]
fn a_region_whose_listings_failed_is_not_taken_for_unused() {
    let regional_listings = [
        "s3:ListBuckets",
        "ec2:DescribeVolumes",
        "ec2:DescribeSnapshots",
        "ec2:DescribeInstances",
        "ec2:DescribeImages",
        "ec2:DescribeVpcs",
        "ec2:DescribeSecurityGroups",
        "rds:DescribeDBInstances",
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBClusters",
        "rds:DescribeDBClusterSnapshots",
        "kms:ListKeys",
        "backup:ListBackupPlans",
        "backup:ListBackupVaults",
        "dynamodb:ListTables",
        "logs:DescribeLogGroups",
        "elasticfilesystem:DescribeFileSystems",
        "secretsmanager:ListSecrets",
        "sqs:ListQueues",
        "sns:ListTopics",
        "ecr:DescribeRepositories",
        "kinesis:ListStreams",
        "lambda:ListFunctions",
        "redshift:DescribeClusters",
        "redshift:DescribeClusterSnapshots",
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "es:ListDomainNames",
    ];
    let deny_in_other: Rule = Box::new(move |r| {
        (regional_listings.contains(&r.operation.as_str())
            && (r.region == OTHER || r.service == "s3"))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny_in_other], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    let other = resource(&snapshot, &arn_of("region", OTHER, ""));
    assert_eq!(other["in_use"], false);
    assert_eq!(other["unread"][0]["group"], "in_use", "{other:#}");
    let home = resource(&snapshot, &arn_of("region", HOME, ""));
    assert_eq!(
        (home["in_use"].as_bool(), home["unread"].clone()),
        (Some(true), serde_json::json!([])),
        "resources were found at home"
    );
    for rule in [
        "logging.config-recording",
        "encryption.ebs-default-encryption",
        "network.vpc-per-environment",
    ] {
        expect(&findings, rule, &arn_of("region", OTHER, ""), "GAP");
    }
    expect(
        &findings,
        "logging.config-recording",
        &arn_of("region", HOME, ""),
        "PASS",
    );
}
