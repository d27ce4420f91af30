//! The `full` scenario's scan: every resource type in both regions, its attributes,
//! provenance and audit, every operation declared, every page read.

use super::*;

#[test]
fn full_scan_reads_every_resource_type_in_both_regions() {
    let f = full();
    assert_eq!(
        f.collect.code, 0,
        "a complete scan exits 0:\n{}",
        f.collect.stderr
    );
    assert!(
        gaps(&f.snapshot).is_empty(),
        "unexpected gaps: {:#?}",
        f.snapshot["gaps"]
    );
    assert_eq!(f.snapshot["origin"]["kind"], "live");
    let accounts = f.snapshot["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["account_id"], FULL_ACCOUNT);
    assert_eq!(
        accounts[0]["regions_read"],
        serde_json::json!([HOME, OTHER])
    );
    assert_eq!(accounts[0]["regions_not_read"], serde_json::json!([]));
    for type_name in assay::snapshot::RESOURCE_TYPES {
        assert!(
            !resources(&f.snapshot, type_name).is_empty(),
            "no {type_name} in the snapshot"
        );
    }
    for r in f.snapshot["resources"].as_array().unwrap() {
        assert_eq!(r["account"], FULL_ACCOUNT, "{}", r["arn"]);
        assert!(
            r["unread"].as_array().unwrap().is_empty(),
            "{} has unread groups",
            r["arn"]
        );
    }
    // Regional resources were found in both regions.
    for type_name in [
        "aws_kms_key",
        "aws_ebs_volume",
        "aws_ec2_instance",
        "aws_vpc",
        "aws_security_group",
        "aws_cloudtrail_trail",
        "aws_backup_vault",
        "aws_backup_plan",
        "aws_region",
        "aws_ec2_image",
        "aws_rds_cluster",
        "aws_efs_file_system",
        "aws_secretsmanager_secret",
        "aws_sqs_queue",
        "aws_sns_topic",
        "aws_ecr_repository",
        "aws_kinesis_stream",
        "aws_lambda_function",
        "aws_redshift_cluster",
        "aws_redshift_snapshot",
        "aws_elasticache_replication_group",
        "aws_opensearch_domain",
    ] {
        let regions: BTreeSet<&str> = resources(&f.snapshot, type_name)
            .iter()
            .filter_map(|r| r["region"].as_str())
            .collect();
        assert_eq!(regions, BTreeSet::from([HOME, OTHER]), "{type_name}");
    }
}

#[test]
fn full_scan_normalises_attributes() {
    let f = full();
    let (s, seed) = (&f.snapshot, &f.seed);
    let cmk = seed_str(seed, "cmk");

    // KMS.
    let key = resource(s, cmk);
    assert_eq!(
        (
            key["key_manager"].as_str(),
            key["key_state"].as_str(),
            key["key_spec"].as_str()
        ),
        (Some("CUSTOMER"), Some("Enabled"), Some("SYMMETRIC_DEFAULT"))
    );
    assert_eq!(key["rotation_enabled"], true);
    assert_eq!(key["aliases"], serde_json::json!(["alias/data"]));
    assert_eq!(key["name"], "alias/data");
    assert_eq!(
        resource(s, seed_str(seed, "static_key"))["rotation_enabled"],
        false
    );
    assert_eq!(resource(s, seed_str(seed, "cmk_us"))["region"], OTHER);

    // S3.
    let data = resource(s, &bucket(seed, "data"));
    assert_eq!(data["region"], HOME);
    assert_eq!(
        data["encryption"],
        serde_json::json!({"enabled": true, "algorithm": "aws:kms", "kms_key_arn": cmk})
    );
    assert_eq!(data["versioning"]["status"], "Enabled");
    assert_eq!(
        data["lifecycle_rules"],
        serde_json::json!([{"id": "archive", "enabled": true, "prefix": "backups/", "transitions": [{"days": 30, "storage_class": "GLACIER"}], "expiration_days": 365, "noncurrent_expiration_days": null}])
    );
    assert_eq!(
        data["public_access_block"],
        serde_json::json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true})
    );
    assert_eq!(
        data["tags"],
        serde_json::json!({"owner": "ops", "purpose": "backup"})
    );
    let destination = &data["replication"]["destinations"][0];
    assert_eq!(
        (
            destination["rule_id"].as_str(),
            destination["region"].as_str(),
            destination["enabled"].as_bool()
        ),
        (Some("to-dr"), Some(HOME), Some(true))
    );
    assert_eq!(
        data["replication"]["role_arn"],
        format!("arn:aws:iam::{FULL_ACCOUNT}:role/replication")
    );
    let aes = resource(s, &bucket(seed, "aes"));
    assert_eq!(
        aes["encryption"],
        serde_json::json!({"enabled": true, "algorithm": "AES256", "kms_key_arn": null})
    );
    assert_eq!(aes["versioning"]["status"], "Suspended");
    assert_eq!(
        aes["replication"]["destinations"][0]["region"], OTHER,
        "the destination bucket's own location, not the source's"
    );
    let plain = resource(s, &bucket(seed, "plain"));
    assert_eq!(
        plain["encryption"],
        serde_json::json!({"enabled": false, "algorithm": null, "kms_key_arn": null})
    );
    assert_eq!(plain["versioning"]["status"], "Disabled");
    assert_eq!(
        (
            plain["lifecycle_rules"].clone(),
            plain["replication"].clone(),
            plain["public_access_block"].clone(),
            plain["object_lock"].clone()
        ),
        (serde_json::json!([]), Value::Null, Value::Null, Value::Null)
    );
    assert_eq!(
        resource(s, &bucket(seed, "lock"))["object_lock"],
        serde_json::json!({"enabled": true, "mode": "COMPLIANCE", "retention_days": 30})
    );
    assert_eq!(
        resource(s, &bucket(seed, "us"))["region"],
        OTHER,
        "an empty LocationConstraint is us-east-1"
    );

    // EBS and the region settings.
    let vol = resource(s, &ec2(seed, "volume", HOME, "vol_cmk"));
    assert_eq!(
        vol["encryption"],
        serde_json::json!({"enabled": true, "algorithm": "aws:kms", "kms_key_arn": cmk})
    );
    assert_eq!(
        (vol["size_gib"].as_i64(), vol["availability_zone"].as_str()),
        (Some(8), Some("ap-southeast-2a"))
    );
    assert_eq!(
        resource(s, &ec2(seed, "volume", HOME, "vol_plain"))["encryption"]["enabled"],
        false
    );
    let public = resource(s, &ec2(seed, "snapshot", HOME, "snap_public"));
    assert_eq!(public["shared_with"], serde_json::json!(["all"]));
    assert_eq!(public["volume_id"], seed_str(seed, "vol_plain"));
    assert_eq!(
        resource(s, &ec2(seed, "snapshot", HOME, "snap_cmk"))["encryption"]["enabled"],
        true
    );
    let home = resource(s, &arn_of("region", HOME, ""));
    assert_eq!(
        home["ebs_encryption_by_default"],
        serde_json::json!({"enabled": true, "kms_key_arn": cmk})
    );
    assert_eq!(
        (home["in_use"].as_bool(), home["opt_in_status"].as_str()),
        (Some(true), Some("opt-in-not-required"))
    );
    assert_eq!(
        resource(s, &arn_of("region", OTHER, ""))["ebs_encryption_by_default"]["enabled"],
        false
    );

    // Instances, VPCs, security groups.
    let instance = resource(s, &ec2(seed, "instance", HOME, "instance"));
    assert_eq!(
        (
            instance["state"].as_str(),
            instance["imds_v2_required"].as_bool(),
            instance["key_name"].as_str(),
            instance["name"].as_str()
        ),
        (Some("running"), Some(true), Some("ops"), Some("app-1"))
    );
    assert_eq!(
        instance["security_group_ids"],
        serde_json::json!([seed_str(seed, "sg_web")])
    );
    assert_eq!(instance["vpc_id"], seed_str(seed, "vpc"));
    assert_eq!(
        resource(s, &ec2(seed, "instance", OTHER, "instance_us"))["imds_v2_required"],
        false
    );
    let vpc = resource(s, &ec2(seed, "vpc", HOME, "vpc"));
    assert_eq!(
        (
            vpc["cidr_block"].as_str(),
            vpc["is_default"].as_bool(),
            vpc["tags"]["environment"].as_str()
        ),
        (Some("10.20.0.0/16"), Some(false), Some("production"))
    );
    let ssh = resource(s, &ec2(seed, "security-group", HOME, "sg_ssh"));
    assert_eq!(
        ssh["ingress"],
        serde_json::json!([{"protocol": "tcp", "from_port": 22, "to_port": 22, "ipv4_ranges": ["0.0.0.0/0"], "ipv6_ranges": [], "source_security_groups": [], "prefix_lists": [], "description": "ssh from anywhere"}])
    );
    let all6 = resource(s, &ec2(seed, "security-group", HOME, "sg_all6"));
    assert_eq!(
        all6["ingress"],
        serde_json::json!([{"protocol": "all", "from_port": 0, "to_port": 65535, "ipv4_ranges": [], "ipv6_ranges": ["::/0"], "source_security_groups": [], "prefix_lists": [], "description": null}])
    );
    let closed = resource(s, &ec2(seed, "security-group", HOME, "default_sg"));
    assert_eq!(
        (
            closed["is_default"].as_bool(),
            closed["ingress"].clone(),
            closed["egress"].clone()
        ),
        (Some(true), serde_json::json!([]), serde_json::json!([]))
    );

    // RDS.
    let db = resource(s, seed_str(seed, "db_encrypted"));
    assert_eq!(
        db["encryption"],
        serde_json::json!({"enabled": true, "algorithm": "aws:kms", "kms_key_arn": cmk})
    );
    assert_eq!(
        (
            db["engine"].as_str(),
            db["backup_retention_days"].as_i64(),
            db["multi_az"].as_bool()
        ),
        (Some("postgres"), Some(7), Some(true))
    );
    let plain_db = resource(s, seed_str(seed, "db_plain"));
    assert_eq!(
        (
            plain_db["encryption"]["enabled"].as_bool(),
            plain_db["publicly_accessible"].as_bool(),
            plain_db["backup_retention_days"].as_i64()
        ),
        (Some(false), Some(true), Some(1))
    );
    let shared = resource(s, &arn_of("rds-snapshot", HOME, "db-plain-manual"));
    assert_eq!(
        (
            shared["snapshot_type"].as_str(),
            shared["shared_with"].clone()
        ),
        (Some("manual"), serde_json::json!(["all"]))
    );
    assert_eq!(
        resource(s, &arn_of("rds-snapshot", HOME, "db-encrypted-manual"))["encryption"]["kms_key_arn"],
        cmk
    );

    // IAM.
    let account = resource(s, &format!("arn:aws:iam::{FULL_ACCOUNT}:root"));
    assert_eq!(
        account["password_policy"],
        serde_json::json!({"minimum_length": 14, "require_symbols": true, "require_numbers": true, "require_uppercase": true, "require_lowercase": true, "max_age_days": 90, "reuse_prevention": 24})
    );
    let alice = resource(s, &arn_of("user", "", "alice"));
    assert_eq!(
        (alice["console_access"].as_bool(), alice["groups"].clone()),
        (Some(true), serde_json::json!(["support"]))
    );
    assert_eq!(
        alice["mfa_devices"][0]["serial_number"],
        format!("arn:aws:iam::{FULL_ACCOUNT}:mfa/alice")
    );
    assert_eq!(alice["mfa_devices"][0]["kind"], "virtual");
    let bob = resource(s, &arn_of("user", "", "bob"));
    assert_eq!(
        (bob["console_access"].as_bool(), bob["mfa_devices"].clone()),
        (Some(true), serde_json::json!([]))
    );
    let carol = resource(s, &arn_of("user", "", "carol"));
    assert_eq!(
        (
            carol["console_access"].as_bool(),
            carol["access_keys"][0]["status"].as_str()
        ),
        (Some(false), Some("Active"))
    );
    assert_eq!(
        resource(s, &arn_of("group", "", "support"))["members"],
        serde_json::json!(["alice", "bob"])
    );
    let mfa_role = resource(s, &arn_of("role", "", "support-mfa"));
    assert_eq!(
        mfa_role["assume_role_policy"],
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [format!("arn:aws:iam::{FULL_ACCOUNT}:root")]}, "Action": ["sts:AssumeRole"], "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}}]})
    );
    let app = resource(s, &arn_of("role", "", "app"));
    assert_eq!(
        app["assume_role_policy"]["Statement"][0]["Principal"],
        serde_json::json!({"Service": ["ec2.amazonaws.com"]}),
        "a single statement object becomes a list"
    );

    // CloudTrail and Config.
    let trail = resource(s, seed_str(seed, "trail"));
    assert_eq!(
        (
            trail["is_multi_region"].as_bool(),
            trail["is_logging"].as_bool(),
            trail["log_file_validation_enabled"].as_bool(),
            trail["records_management_events"].as_bool(),
            trail["kms_key_arn"].as_str()
        ),
        (Some(true), Some(true), Some(true), Some(true), Some(cmk))
    );
    let trail_us = resource(s, seed_str(seed, "trail_us"));
    assert_eq!(
        (
            trail_us["is_logging"].as_bool(),
            trail_us["kms_key_arn"].clone()
        ),
        (Some(false), Value::Null)
    );
    let recorders: BTreeSet<(Option<&str>, Option<bool>, Option<bool>)> =
        resources(s, "aws_config_recorder")
            .iter()
            .map(|r| {
                (
                    r["region"].as_str(),
                    r["recording"].as_bool(),
                    r["all_supported"].as_bool(),
                )
            })
            .collect();
    assert_eq!(
        recorders,
        BTreeSet::from([
            (Some(HOME), Some(true), Some(true)),
            (Some(OTHER), Some(true), Some(false))
        ]),
        "all types at home, some in us-east-1"
    );

    // Backup.
    let vault = resource(s, seed_str(seed, "vault"));
    assert_eq!(vault["encryption"]["kms_key_arn"], cmk);
    let plan = resource(s, seed_str(seed, "plan"));
    let rules: BTreeMap<&str, &Value> = plan["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r))
        .collect();
    assert_eq!(
        (
            rules["daily"]["frequency"].as_str(),
            rules["daily"]["runs_per_day"].as_i64(),
            rules["daily"]["delete_after_days"].as_i64()
        ),
        (Some("daily"), Some(1), Some(42))
    );
    assert_eq!(
        rules["daily"]["copy_actions"],
        serde_json::json!([{"destination_vault_arn": format!("arn:aws:backup:{HOME}:999900000001:backup-vault:dr"), "destination_account": "999900000001", "destination_region": HOME, "delete_after_days": 28, "cold_storage_after_days": null}])
    );
    assert_eq!(
        (
            rules["weekly"]["frequency"].as_str(),
            rules["weekly"]["cold_storage_after_days"].as_i64()
        ),
        (Some("weekly"), Some(30))
    );
    assert_eq!(
        (
            rules["monthly"]["frequency"].as_str(),
            rules["monthly"]["delete_after_days"].as_i64()
        ),
        (Some("monthly"), Some(3650))
    );
    assert_eq!(
        (
            rules["snapshots"]["frequency"].as_str(),
            rules["snapshots"]["runs_per_day"].as_i64()
        ),
        (Some("hourly"), Some(4))
    );
    assert_eq!(
        plan["selected_resources"],
        serde_json::json!([
            seed_str(seed, "db_encrypted"),
            ec2(seed, "volume", HOME, "vol_cmk")
        ])
    );
}

#[test]
fn full_scan_provenance_cites_raw_responses_that_verify() {
    let f = full();
    let raw = f.snapshot["raw_responses"].as_object().unwrap();
    for (hash, response) in raw {
        assert_eq!(
            &assay::snapshot::sha256_hex(response["body"].as_str().unwrap().as_bytes()),
            hash,
            "raw response {} does not hash to its key",
            response["operation"]
        );
    }
    for r in f.snapshot["resources"].as_array().unwrap() {
        let provenance = r["provenance"].as_object().unwrap();
        assert!(!provenance.is_empty(), "{} has no provenance", r["arn"]);
        for (group, p) in provenance {
            let body = &raw
                .get(p["response_sha256"].as_str().unwrap())
                .unwrap_or_else(|| panic!("{} `{group}` cites a missing response", r["arn"]));
            assert_eq!(body["operation"], p["operation"], "{} `{group}`", r["arn"]);
            assert!(p["called_at"].as_str().is_some_and(|t| t.ends_with('Z')));
        }
    }
    // Attribute groups name the call they came from.
    let data = resource(&f.snapshot, &bucket(&f.seed, "data"));
    for (group, operation) in [
        ("encryption", "s3:GetBucketEncryption"),
        ("versioning", "s3:GetBucketVersioning"),
        ("lifecycle_rules", "s3:GetBucketLifecycleConfiguration"),
        ("replication", "s3:GetBucketReplication"),
        ("public_access_block", "s3:GetPublicAccessBlock"),
        ("tags", "s3:GetBucketTagging"),
        ("region", "s3:GetBucketLocation"),
        ("resource", "s3:ListBuckets"),
    ] {
        assert_eq!(data["provenance"][group]["operation"], operation, "{group}");
    }
    let encryption = &data["provenance"]["encryption"];
    assert!(
        raw[encryption["response_sha256"].as_str().unwrap()]["body"]
            .as_str()
            .unwrap()
            .contains(seed_str(&f.seed, "cmk")),
        "the raw encryption response names the key"
    );
    let key = resource(&f.snapshot, seed_str(&f.seed, "cmk"));
    assert_eq!(
        key["provenance"]["rotation_enabled"]["operation"],
        "kms:GetKeyRotationStatus"
    );
    assert_eq!(key["provenance"]["rotation_enabled"]["region"], HOME);
    assert!(
        key["provenance"]["metadata"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "moto's request id is kept"
    );
    let home = resource(&f.snapshot, &arn_of("region", HOME, ""));
    assert_eq!(
        home["provenance"]["ebs_encryption_by_default"]["operation"],
        "ec2:GetEbsEncryptionByDefault"
    );

    let verify = run(
        command(None),
        &["snapshot", "verify", f.path.to_str().unwrap()],
    );
    assert_eq!(verify.code, 0, "{verify:?}");
    assert!(verify.stdout.contains("intact"), "{}", verify.stdout);
}

#[test]
fn full_scan_audit_finds_what_the_seed_implies_in_every_rule_family() {
    let f = full();
    let (x, seed, s) = (&f.findings, &f.seed, &f.snapshot);
    assert_eq!(
        f.audit.code, 1,
        "the seed has deliberate failures: {}",
        f.audit.stderr
    );
    assert!(x["gaps"].as_array().unwrap().is_empty());
    let cmk = seed_str(seed, "cmk");
    let volume = |key: &str, region: &str| ec2(seed, "volume", region, key);
    let sg = |key: &str| ec2(seed, "security-group", HOME, key);
    let points = recorded::recovery_points(seed);
    let point = |i: usize| points[i]["RecoveryPointArn"].as_str().unwrap().to_string();
    #[rustfmt::skip]
    let table: Vec<(&str, String, &str)> = vec![
        // encryption
        ("encryption.kms-cmk-rotation", cmk.into(), "PASS"),
        ("encryption.kms-cmk-rotation", seed_str(seed, "static_key").into(), "FAIL"),
        ("encryption.s3-bucket-kms-cmk", bucket(seed, "data"), "PASS"),
        ("encryption.s3-bucket-kms-cmk", bucket(seed, "aes"), "FAIL"),
        ("encryption.s3-bucket-kms-cmk", bucket(seed, "plain"), "FAIL"),
        ("encryption.ebs-volume-kms-cmk", volume("vol_cmk", HOME), "PASS"),
        ("encryption.ebs-volume-kms-cmk", volume("vol_plain", HOME), "FAIL"),
        ("encryption.ebs-snapshot-kms-cmk", ec2(seed, "snapshot", HOME, "snap_public"), "FAIL"),
        ("encryption.ebs-default-encryption", arn_of("region", HOME, ""), "PASS"),
        ("encryption.ebs-default-encryption", arn_of("region", OTHER, ""), "FAIL"),
        ("encryption.rds-instance-kms-cmk", seed_str(seed, "db_encrypted").into(), "PASS"),
        ("encryption.rds-instance-kms-cmk", seed_str(seed, "db_plain").into(), "FAIL"),
        ("encryption.rds-snapshot-kms-cmk", arn_of("rds-snapshot", HOME, "db-encrypted-manual"), "PASS"),
        ("encryption.rds-snapshot-kms-cmk", arn_of("rds-snapshot", HOME, "db-plain-manual"), "FAIL"),
        ("encryption.backup-vault-kms-cmk", seed_str(seed, "vault").into(), "PASS"),
        ("encryption.backup-vault-kms-cmk", seed_str(seed, "vault_us").into(), "FAIL"),
        ("encryption.backup-recovery-point-encrypted", point(0), "PASS"),
        ("encryption.backup-recovery-point-encrypted", point(1), "FAIL"),
        ("encryption.cloudtrail-kms", seed_str(seed, "trail").into(), "PASS"),
        ("encryption.cloudtrail-kms", seed_str(seed, "trail_us").into(), "FAIL"),
        // residency
        ("residency.s3-bucket-region", bucket(seed, "data"), "PASS"),
        ("residency.s3-bucket-region", bucket(seed, "us"), "FAIL"),
        ("residency.s3-replication-destinations", bucket(seed, "data"), "PASS"),
        ("residency.s3-replication-destinations", bucket(seed, "aes"), "FAIL"),
        ("residency.ebs-region", volume("vol_cmk", HOME), "PASS"),
        ("residency.ebs-region", volume("vol_us", OTHER), "FAIL"),
        ("residency.ec2-instance-region", ec2(seed, "instance", HOME, "instance"), "PASS"),
        ("residency.ec2-instance-region", ec2(seed, "instance", OTHER, "instance_us"), "FAIL"),
        ("residency.rds-region", seed_str(seed, "db_encrypted").into(), "PASS"),
        ("residency.kms-key-regions", cmk.into(), "PASS"),
        ("residency.kms-key-regions", seed_str(seed, "cmk_us").into(), "FAIL"),
        ("residency.backup-region", seed_str(seed, "vault").into(), "PASS"),
        ("residency.backup-region", seed_str(seed, "vault_us").into(), "FAIL"),
        ("residency.backup-region", point(0), "PASS"),
        ("residency.backup-copy-destinations", seed_str(seed, "plan").into(), "PASS"),
        ("residency.backup-copy-destinations", seed_str(seed, "plan_us").into(), "FAIL"),
        ("residency.ebs-snapshot-sharing", ec2(seed, "snapshot", HOME, "snap_public"), "FAIL"),
        ("residency.ebs-snapshot-sharing", ec2(seed, "snapshot", HOME, "snap_cmk"), "PASS"),
        ("residency.rds-snapshot-sharing", arn_of("rds-snapshot", HOME, "db-plain-manual"), "FAIL"),
        ("residency.rds-snapshot-sharing", arn_of("rds-snapshot", HOME, "db-encrypted-manual"), "PASS"),
        ("residency.ami-launch-permissions", ec2(seed, "image", HOME, "image"), "PASS"),
        ("residency.ami-launch-permissions", ec2(seed, "image", HOME, "image_public"), "FAIL"),
        // backup
        ("backup.plan-daily-retention", seed_str(seed, "plan").into(), "PASS"),
        ("backup.plan-daily-retention", seed_str(seed, "plan_us").into(), "FAIL"),
        ("backup.plan-weekly-retention", seed_str(seed, "plan").into(), "PASS"),
        ("backup.plan-weekly-retention", seed_str(seed, "plan_us").into(), "FAIL"),
        ("backup.plan-monthly-retention", seed_str(seed, "plan").into(), "PASS"),
        ("backup.plan-monthly-retention", seed_str(seed, "plan_us").into(), "FAIL"),
        ("backup.frequent-snapshots", seed_str(seed, "plan").into(), "PASS"),
        ("backup.frequent-snapshots", seed_str(seed, "plan_us").into(), "NOT_APPLICABLE"),
        ("backup.separate-account-copy", seed_str(seed, "plan").into(), "PASS"),
        ("backup.separate-account-copy", seed_str(seed, "plan_us").into(), "FAIL"),
        ("backup.dr-copy", seed_str(seed, "plan").into(), "PASS"),
        ("backup.dr-copy", seed_str(seed, "plan_us").into(), "FAIL"),
        ("backup.rds-retention-period", seed_str(seed, "db_encrypted").into(), "PASS"),
        ("backup.rds-retention-period", seed_str(seed, "db_plain").into(), "FAIL"),
        ("backup.recovery-point-fresh", seed_str(seed, "db_encrypted").into(), "PASS"),
        ("backup.recovery-point-fresh", ec2(seed, "instance", HOME, "instance"), "PASS"),
        ("backup.recovery-point-fresh", volume("vol_plain", HOME), "FAIL"),
        ("backup.recovery-point-fresh", volume("vol_cmk", HOME), "FAIL"),
        ("backup.recovery-point-fresh", seed_str(seed, "db_plain").into(), "NOT_APPLICABLE"),
        ("backup.ami-per-instance", ec2(seed, "instance", HOME, "instance"), "PASS"),
        ("backup.ami-per-instance", ec2(seed, "instance", OTHER, "instance_us"), "FAIL"),
        ("backup.s3-backup-bucket-retention", bucket(seed, "data"), "PASS"),
        ("backup.s3-backup-bucket-retention", bucket(seed, "aes"), "FAIL"),
        ("backup.s3-backup-bucket-retention", bucket(seed, "plain"), "NOT_APPLICABLE"),
        // iam
        ("iam.console-users-mfa", arn_of("user", "", "alice"), "PASS"),
        ("iam.console-users-mfa", arn_of("user", "", "bob"), "FAIL"),
        ("iam.console-users-mfa", arn_of("user", "", "carol"), "NOT_APPLICABLE"),
        ("iam.support-group-mfa", arn_of("user", "", "alice"), "PASS"),
        ("iam.support-group-mfa", arn_of("user", "", "bob"), "FAIL"),
        ("iam.support-role-mfa", arn_of("role", "", "support-mfa"), "PASS"),
        ("iam.support-role-mfa", arn_of("role", "", "support-nomfa"), "FAIL"),
        ("iam.support-role-mfa", arn_of("role", "", "app"), "NOT_APPLICABLE"),
        ("iam.password-policy", format!("arn:aws:iam::{FULL_ACCOUNT}:root"), "PASS"),
        // moto's account summary has no root MFA and no root keys.
        ("iam.root-mfa", format!("arn:aws:iam::{FULL_ACCOUNT}:root"), "FAIL"),
        ("iam.root-no-access-keys", format!("arn:aws:iam::{FULL_ACCOUNT}:root"), "PASS"),
        // network
        ("network.no-public-admin-ports", sg("sg_ssh"), "FAIL"),
        ("network.no-public-admin-ports", sg("sg_all6"), "FAIL"),
        ("network.no-public-admin-ports", sg("sg_web"), "PASS"),
        ("network.no-public-admin-ports", sg("sg_internal"), "PASS"),
        ("network.public-ingress-allowed-ports", sg("sg_web"), "PASS"),
        ("network.public-ingress-allowed-ports", sg("sg_ssh"), "FAIL"),
        ("network.public-ingress-allowed-ports", sg("sg_all6"), "FAIL"),
        ("network.default-security-group-closed", sg("default_sg"), "PASS"),
        ("network.default-security-group-closed", default_vpc_default_sg(s, HOME), "FAIL"),
        ("network.default-security-group-closed", sg("sg_web"), "NOT_APPLICABLE"),
        ("network.imds-v2-required", ec2(seed, "instance", HOME, "instance"), "PASS"),
        ("network.imds-v2-required", ec2(seed, "instance", OTHER, "instance_us"), "FAIL"),
        ("network.vpc-per-environment", arn_of("region", HOME, ""), "PASS"),
        ("network.vpc-per-environment", arn_of("region", OTHER, ""), "FAIL"),
        ("iam.console-signin-mfa", signin(recorded::SIGNIN_ALICE_MFA), "PASS"),
        ("iam.console-signin-mfa", signin(recorded::SIGNIN_BOB_NO_MFA), "FAIL"),
        ("iam.console-signin-mfa", signin(recorded::SIGNIN_ROOT_NO_MFA), "FAIL"),
        ("iam.console-signin-mfa", signin(recorded::SIGNIN_FAILED), "NOT_APPLICABLE"),
        // logging
        ("logging.cloudtrail-multi-region", format!("arn:aws:iam::{FULL_ACCOUNT}:root"), "PASS"),
        ("logging.config-recording", arn_of("region", HOME, ""), "PASS"),
        ("logging.config-recording", arn_of("region", OTHER, ""), "FAIL"),
    ];
    let mut wrong = Vec::new();
    for (rule, arn, expected) in &table {
        let actual = status(x, rule, arn);
        if actual != *expected {
            wrong.push(format!(
                "{rule} on {arn}: expected {expected}, got {actual}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "findings differ from what the seed implies:\n  {}",
        wrong.join("\n  ")
    );
    // Every rule family has both outcomes, and every automated rule produced findings.
    for family in [
        "encryption",
        "residency",
        "backup",
        "iam",
        "network",
        "logging",
    ] {
        let outcomes: BTreeSet<&str> = table
            .iter()
            .filter(|(r, _, _)| r.starts_with(family))
            .map(|(_, _, s)| *s)
            .collect();
        assert!(
            outcomes.contains("PASS") && outcomes.contains("FAIL"),
            "{family}: {outcomes:?}"
        );
    }
    let statuses: BTreeSet<&str> = x["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["status"].as_str())
        .collect();
    assert!(
        !statuses.contains("ERROR"),
        "a complete scan evaluates cleanly: {statuses:?}"
    );
    // The profile's backup account (`tests/emulator/profile.yaml`) is not in this
    // one-account scan: the copies rules that look there are GAP naming it, and nothing
    // else is GAP.
    let gaps: Vec<&Value> = x["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "GAP")
        .collect();
    assert!(
        !gaps.is_empty(),
        "the copies in the backup account are not judged"
    );
    for gap in gaps {
        assert!(
            gap.to_string()
                .contains("an account the snapshot did not cover: 999900000001"),
            "a GAP other than the backup account not scanned: {gap:#}"
        );
    }
}

#[test]
fn every_operation_called_is_declared() {
    let f = full();
    let declared: BTreeSet<&str> = assay::collect::operations::declared()
        .map(|(op, _)| op)
        .collect();
    let mut called: BTreeSet<String> = f.operations.iter().cloned().collect();
    called.extend(
        f.snapshot["raw_responses"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|r| r["operation"].as_str().map(str::to_string)),
    );
    for r in f.snapshot["resources"].as_array().unwrap() {
        called.extend(
            r["provenance"]
                .as_object()
                .unwrap()
                .values()
                .filter_map(|p| p["operation"].as_str().map(str::to_string)),
        );
    }
    // A scan with gaps (straight to moto) calls the same operations and records gaps.
    let dir = tempfile::tempdir().unwrap();
    let direct = Proxy::start(&moto().url, Vec::new());
    let (_, snapshot) = scan(&direct, FULL_ACCOUNT, &[], dir.path());
    let snapshot = snapshot.unwrap();
    called.extend(direct.log().into_iter().map(|(op, _)| op));
    for g in gaps(&snapshot) {
        assert_ne!(g["error_code"], "UndeclaredOperation", "{g}");
        called.insert(g["operation"].as_str().unwrap().to_string());
    }
    let undeclared: Vec<&String> = called
        .iter()
        .filter(|op| !declared.contains(op.as_str()))
        .collect();
    assert!(
        undeclared.is_empty(),
        "operations called but not declared (a collector's OPERATIONS or src/collect/operations.rs): {undeclared:?}"
    );
    assert!(
        called.len() >= 40,
        "the scan exercised {} operations: {called:?}",
        called.len()
    );
    // Every declared operation was exercised (`organizations:ListAccounts` by the
    // organisation test, the Config aggregator's calls by `config_inventory`'s aggregator
    // tests: a full scan names no aggregator; `elasticache:DescribeGlobalReplicationGroups`
    // by `elasticache`'s recorded global datastore: it is read only where a replication
    // group belongs to one, which moto cannot make; `backup:DescribeRecoveryPoint` by
    // `database_backups`: the full scan holds no recovery point due in cold storage).
    let unused: Vec<&&str> = declared
        .iter()
        .filter(|op| !called.contains(**op))
        .collect();
    assert!(
        unused.iter().all(|op| [
            "organizations:ListAccounts",
            "config:DescribeConfigurationAggregators",
            "config:DescribeConfigurationAggregatorSourcesStatus",
            "config:SelectAggregateResourceConfig",
            "elasticache:DescribeGlobalReplicationGroups",
            "backup:DescribeRecoveryPoint",
        ]
        .contains(*op)),
        "declared operations a full scan never called: {unused:?}"
    );
}

#[test]
fn every_page_is_collected() {
    let f = full();
    let (ran, snapshot, _findings, proxy, _dir) = faulted_scan(
        vec![
            recorded::volumes_in_two_pages(),
            recorded::keys_in_two_pages(
                FULL_ACCOUNT,
                seed_str(&f.seed, "cmk_id"),
                seed_str(&f.seed, "static_key").rsplit('/').next().unwrap(),
            ),
            recorded::groups_in_two_pages(FULL_ACCOUNT),
            recorded::buckets_in_two_pages(),
        ],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // S3 ListBuckets: ContinuationToken on page 1; every bucket read, each citing its page.
    assert_eq!(proxy.count("s3:ListBuckets"), 2);
    let buckets: Vec<&Value> = resources(&snapshot, "aws_s3_bucket");
    let arns = |list: &[&Value]| -> BTreeSet<String> {
        list.iter().map(|b| b["arn"].to_string()).collect()
    };
    assert_eq!(
        arns(&buckets),
        arns(&resources(&f.snapshot, "aws_s3_bucket")),
        "the same buckets as the scan read in one page"
    );
    let listed_on: BTreeSet<String> = buckets
        .iter()
        .map(|b| b["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(
        listed_on.len(),
        2,
        "buckets cite the page they were listed on"
    );
    // EC2 DescribeVolumes: nextToken on page 1.
    assert_eq!(
        proxy.count("ec2:DescribeVolumes"),
        4,
        "two pages in each region"
    );
    let volumes: BTreeSet<(String, String)> = resources(&snapshot, "aws_ebs_volume")
        .iter()
        .map(|v| {
            (
                v["region"].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [HOME, OTHER]
        .iter()
        .flat_map(|r| {
            [
                "vol-0page1aaaaaaaaaa1",
                "vol-0page1aaaaaaaaaa2",
                "vol-0page2bbbbbbbbbb3",
            ]
            .map(|v| (r.to_string(), v.to_string()))
        })
        .collect();
    assert_eq!(volumes, expected);
    let page = |id: &str| {
        resource(
            &snapshot,
            &format!("arn:aws:ec2:{HOME}:{FULL_ACCOUNT}:volume/{id}"),
        )["provenance"]["resource"]["response_sha256"]
            .clone()
    };
    assert_eq!(page("vol-0page1aaaaaaaaaa1"), page("vol-0page1aaaaaaaaaa2"));
    assert_ne!(
        page("vol-0page1aaaaaaaaaa1"),
        page("vol-0page2bbbbbbbbbb3"),
        "each item cites the page it came from"
    );
    // KMS ListKeys: Truncated + NextMarker; both keys described and their rotation read.
    assert_eq!(proxy.count("kms:ListKeys"), 3);
    let keys: Vec<&Value> = resources(&snapshot, "aws_kms_key")
        .into_iter()
        .filter(|k| k["region"] == HOME)
        .collect();
    assert_eq!(keys.len(), 2, "{keys:#?}");
    assert_eq!(
        resource(&snapshot, seed_str(&f.seed, "cmk"))["rotation_enabled"],
        true
    );
    assert_eq!(
        resource(&snapshot, seed_str(&f.seed, "static_key"))["rotation_enabled"],
        false
    );
    // IAM ListGroups and GetGroup: IsTruncated + Marker.
    assert_eq!(proxy.count("iam:ListGroups"), 2);
    let groups: BTreeSet<&str> = resources(&snapshot, "aws_iam_group")
        .iter()
        .filter_map(|g| g["id"].as_str())
        .collect();
    assert_eq!(groups, BTreeSet::from(["developers", "support"]));
    assert_eq!(
        resource(&snapshot, &arn_of("group", "", "support"))["members"],
        serde_json::json!(["alice", "bob"])
    );
}
