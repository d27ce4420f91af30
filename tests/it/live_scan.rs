//! The live scan end to end: the real `assay` binary and the official AWS SDK against a
//! seeded moto server (tests/emulator/seed.py), through a loopback proxy that injects
//! AWS-shaped faults and serves recorded responses for what moto cannot show
//! (tests/it/emulator/). Nothing is faked above HTTP.
//!
//! One account is seeded with the `full` scenario once per test binary and scanned by
//! many tests, each through its own proxy; scans only read, so they do not disturb each
//! other. Scenarios that need their own state use their own account.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::emulator::proxy::{Proxy, Reply, Rule, aws_error, denied, on, on_service, throttled};
use crate::emulator::{Ran, assay_live, command, free_port, moto, recorded, run};

const FULL_ACCOUNT: &str = "100000000001";
const ORG_MANAGEMENT: &str = "100000000900";
const HOME: &str = "ap-southeast-2";
const OTHER: &str = "us-east-1";
const PROFILE: &str = "tests/emulator/profile.yaml";

/// The `full` scenario, seeded once, and its complete scan (through a proxy that fills
/// moto's unimplemented operations with recorded responses) with the audit of it.
struct Full {
    seed: Value,
    _dir: tempfile::TempDir,
    path: PathBuf,
    collect: Ran,
    snapshot: Value,
    audit: Ran,
    findings: Value,
    /// Every operation the scan sent, as the proxy saw it.
    operations: Vec<String>,
}

static FULL: OnceLock<Result<Full, String>> = OnceLock::new();

/// The full scenario; a failure while seeding or scanning it is reported by every test
/// that needs it (seeding twice would fail on existing resources).
fn full() -> &'static Full {
    let built = FULL.get_or_init(|| {
        std::panic::catch_unwind(build_full).map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        })
    });
    match built {
        Ok(full) => full,
        Err(message) => panic!("the full scenario could not be seeded and scanned: {message}"),
    }
}

fn build_full() -> Full {
    {
        let seed = moto().seed(FULL_ACCOUNT, "full");
        let proxy = Proxy::start(&moto().url, recorded::moto_holes(Some(&seed)));
        let dir = tempfile::tempdir().unwrap();
        let (collect, snapshot) = scan(&proxy, FULL_ACCOUNT, &[], dir.path());
        let snapshot =
            snapshot.unwrap_or_else(|| panic!("the full scan wrote no snapshot: {collect:?}"));
        let path = dir.path().join("snapshot.json");
        let (audit, findings) = audit(&path, dir.path());
        let operations = proxy.log().into_iter().map(|(op, _)| op).collect();
        Full {
            seed,
            _dir: dir,
            path,
            collect,
            snapshot,
            audit,
            findings,
            operations,
        }
    }
}

fn seed_str<'a>(seed: &'a Value, key: &str) -> &'a str {
    seed[key]
        .as_str()
        .unwrap_or_else(|| panic!("seed output has no `{key}`"))
}

/// `assay collect` of `account` (both test regions, no retries) through `proxy`; returns
/// the run and the snapshot it wrote, if any.
fn scan(proxy: &Proxy, account: &str, extra: &[&str], dir: &Path) -> (Ran, Option<Value>) {
    let out = dir.join("snapshot.json");
    let role = format!("arn:aws:iam::{account}:role/assay-audit");
    let mut args = vec![
        "collect",
        "--region",
        HOME,
        "--region",
        OTHER,
        "--role-arn",
        &role,
        "-o",
        out.to_str().unwrap(),
    ];
    if !extra.contains(&"--max-attempts") {
        // No retries: moto's answers are deterministic, and a fault should show at once.
        args.extend(["--max-attempts", "1"]);
    }
    args.extend_from_slice(extra);
    let ran = assay_live(&proxy.url, &args);
    let snapshot = std::fs::read_to_string(&out)
        .ok()
        .map(|t| serde_json::from_str(&t).expect("the snapshot is JSON"));
    (ran, snapshot)
}

/// `assay audit` of a snapshot with the test profile; returns the run and findings.json.
fn audit(snapshot: &Path, dir: &Path) -> (Ran, Value) {
    let out = dir.join("report");
    let ran = run(
        command(None),
        &[
            "audit",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--profile",
            PROFILE,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    let text = std::fs::read_to_string(out.join("findings.json"))
        .unwrap_or_else(|e| panic!("no findings.json ({e}): {ran:?}"));
    (ran, serde_json::from_str(&text).unwrap())
}

/// A scan of the full account through a proxy with `faults` (tried first) and the
/// recorded answers for moto's holes, audited.
fn faulted_scan(
    faults: Vec<Rule>,
    extra: &[&str],
) -> (Ran, Value, Value, Proxy, tempfile::TempDir) {
    let f = full();
    let mut rules = faults;
    rules.extend(recorded::moto_holes(Some(&f.seed)));
    let proxy = Proxy::start(&moto().url, rules);
    let dir = tempfile::tempdir().unwrap();
    let (ran, snapshot) = scan(&proxy, FULL_ACCOUNT, extra, dir.path());
    let snapshot = snapshot.unwrap_or_else(|| panic!("no snapshot written: {ran:?}"));
    let (_, findings) = audit(&dir.path().join("snapshot.json"), dir.path());
    (ran, snapshot, findings, proxy, dir)
}

fn resources<'a>(snapshot: &'a Value, type_name: &str) -> Vec<&'a Value> {
    snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == type_name)
        .collect()
}

fn resource<'a>(snapshot: &'a Value, arn: &str) -> &'a Value {
    snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["arn"] == arn)
        .unwrap_or_else(|| {
            let arns: Vec<&str> = snapshot["resources"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r["arn"].as_str())
                .collect();
            panic!(
                "no resource {arn} in the snapshot; it has:\n  {}",
                arns.join("\n  ")
            )
        })
}

fn gaps(snapshot: &Value) -> Vec<&Value> {
    snapshot["gaps"].as_array().unwrap().iter().collect()
}

/// The finding of `rule` for the resource `arn`.
fn status(findings: &Value, rule: &str, arn: &str) -> String {
    let found: Vec<&Value> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule && f["resource"]["arn"] == arn)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {rule} finding for {arn}, found {}: {:?}",
        found.len(),
        rule_statuses(findings, rule)
    );
    found[0]["status"].as_str().unwrap().to_string()
}

/// (resource ARN or scope, status) of every finding of `rule`.
fn rule_statuses(findings: &Value, rule: &str) -> Vec<(String, String)> {
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            (
                f["resource"]["arn"]
                    .as_str()
                    .or(f["scope"].as_str())
                    .unwrap_or("")
                    .to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[track_caller]
fn expect(findings: &Value, rule: &str, arn: &str, expected: &str) {
    let actual = status(findings, rule, arn);
    if actual != expected {
        let detail = findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == rule && f["resource"]["arn"] == arn)
            .unwrap();
        panic!(
            "{rule} on {arn}: expected {expected}, got {actual}\n{}",
            serde_json::to_string_pretty(detail).unwrap()
        );
    }
}

/// Each rule has at least one GAP finding and none is PASS: data that was not read
/// never passes.
#[track_caller]
fn expect_gap_not_pass(findings: &Value, rules: &[&str]) {
    for rule in rules {
        let statuses = rule_statuses(findings, rule);
        assert!(
            statuses.iter().any(|(_, s)| s == "GAP"),
            "{rule} has no GAP finding: {statuses:?}"
        );
        expect_no_pass(findings, &[rule]);
    }
}

#[track_caller]
fn expect_no_pass(findings: &Value, rules: &[&str]) {
    for rule in rules {
        let statuses = rule_statuses(findings, rule);
        assert!(!statuses.is_empty(), "{rule} has no findings");
        assert!(
            statuses.iter().all(|(_, s)| s != "PASS"),
            "{rule} passes on unread data: {statuses:?}"
        );
    }
}

fn arn_of(kind: &str, region: &str, id: &str) -> String {
    match kind {
        "volume" | "instance" | "security-group" | "vpc" | "snapshot" => {
            format!("arn:aws:ec2:{region}:{FULL_ACCOUNT}:{kind}/{id}")
        }
        "region" => format!("arn:aws:ec2:{region}:{FULL_ACCOUNT}:region/{region}"),
        "db" | "rds-snapshot" => format!(
            "arn:aws:rds:{region}:{FULL_ACCOUNT}:{}:{id}",
            if kind == "db" { "db" } else { "snapshot" }
        ),
        "bucket" => format!("arn:aws:s3:::{id}"),
        "user" | "role" | "group" => format!("arn:aws:iam::{FULL_ACCOUNT}:{kind}/{id}"),
        _ => panic!("unknown kind {kind}"),
    }
}

/// assay's ARN for a console sign-in event recorded in us-east-1.
fn signin(event_id: &str) -> String {
    format!("arn:aws:cloudtrail:{OTHER}:{FULL_ACCOUNT}:event/{event_id}")
}

fn bucket(seed: &Value, key: &str) -> String {
    arn_of("bucket", "", seed["buckets"][key].as_str().unwrap())
}

fn ec2(seed: &Value, kind: &str, region: &str, key: &str) -> String {
    arn_of(kind, region, seed_str(seed, key))
}

/// The default security group of the region's default VPC (moto creates it).
fn default_vpc_default_sg(snapshot: &Value, region: &str) -> String {
    let default_vpc = resources(snapshot, "aws_vpc")
        .into_iter()
        .find(|v| v["region"] == region && v["is_default"] == true)
        .expect("a default VPC");
    let sg = resources(snapshot, "aws_security_group")
        .into_iter()
        .find(|g| {
            g["region"] == region && g["is_default"] == true && g["vpc_id"] == default_vpc["id"]
        })
        .expect("the default VPC's default group");
    sg["arn"].as_str().unwrap().to_string()
}

// --- the complete scan -------------------------------------------------------------------

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
    let recorders = resources(s, "aws_config_recorder");
    assert_eq!(recorders.len(), 1, "only the home region records");
    assert_eq!(
        (
            recorders[0]["region"].as_str(),
            recorders[0]["recording"].as_bool(),
            recorders[0]["all_supported"].as_bool()
        ),
        (Some(HOME), Some(true), Some(true))
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
        !statuses.contains("ERROR") && !statuses.contains("GAP"),
        "a complete scan evaluates cleanly: {statuses:?}"
    );
}

#[test]
fn backup_recovery_points_from_recorded_responses() {
    let f = full();
    let points = resources(&f.snapshot, "aws_backup_recovery_point");
    assert_eq!(points.len(), 3, "{points:#?}");
    let recorded = recorded::recovery_points(&f.seed);
    let by_arn = |i: usize| {
        resource(
            &f.snapshot,
            recorded[i]["RecoveryPointArn"].as_str().unwrap(),
        )
    };
    let rds = by_arn(0);
    assert_eq!(rds["vault_name"], "main");
    assert_eq!(rds["region"], HOME);
    assert_eq!(
        rds["source_resource_arn"],
        seed_str(&f.seed, "db_encrypted")
    );
    assert_eq!(rds["source_resource_type"], "RDS");
    assert_eq!(rds["status"], "COMPLETED");
    assert_eq!(
        rds["encryption"],
        serde_json::json!({"enabled": true, "algorithm": "aws:kms", "kms_key_arn": seed_str(&f.seed, "cmk")})
    );
    assert_eq!(
        (
            rds["delete_after_days"].as_i64(),
            rds["cold_storage_after_days"].as_i64()
        ),
        (Some(42), None)
    );
    assert_eq!(
        rds["frequency"], "daily",
        "labelled with the class of the plan rule that made it"
    );
    assert_eq!(rds["copied_from_account"], Value::Null);
    let created = chrono::DateTime::parse_from_rfc3339(rds["created"].as_str().unwrap())
        .expect("created is RFC 3339");
    let age = chrono::Utc::now().signed_duration_since(created);
    assert!(
        age > chrono::Duration::hours(2) && age < chrono::Duration::hours(4),
        "created {created}"
    );
    assert_eq!(
        rds["provenance"]["resource"]["operation"],
        "backup:ListRecoveryPointsByBackupVault"
    );
    let ebs = by_arn(1);
    assert_eq!(
        (
            ebs["source_resource_type"].as_str(),
            ebs["frequency"].as_str(),
            ebs["encryption"]["enabled"].as_bool()
        ),
        (Some("EBS"), Some("hourly"), Some(false))
    );
    let copy = by_arn(2);
    assert_eq!(
        (
            copy["copied_from_account"].as_str(),
            copy["frequency"].clone(),
            copy["cold_storage_after_days"].as_i64()
        ),
        (Some("999900000001"), Value::Null, Some(30))
    );
    assert_eq!(
        resource(&f.snapshot, seed_str(&f.seed, "vault_us"))["recovery_points"],
        0
    );
}

#[test]
fn every_operation_called_is_declared() {
    let f = full();
    let declared: BTreeSet<&str> = assay::collect::operations::DECLARED
        .iter()
        .map(|(op, _)| *op)
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
        "operations called but not declared in src/collect/operations.rs: {undeclared:?}"
    );
    assert!(
        called.len() >= 40,
        "the scan exercised {} operations: {called:?}",
        called.len()
    );
    // Every declared operation was exercised (`organizations:ListAccounts` by the
    // organisation test).
    let unused: Vec<&&str> = declared
        .iter()
        .filter(|op| !called.contains(**op))
        .collect();
    assert!(
        unused
            .iter()
            .all(|op| ["organizations:ListAccounts"].contains(*op)),
        "declared operations a full scan never called: {unused:?}"
    );
}

/// With `--role-arn`, the scan's calls are made as the assumed-role session, and the
/// snapshot says so (not the base credentials that assumed it).
#[test]
fn the_snapshot_names_the_assumed_role_the_calls_were_made_as() {
    let f = full();
    let session = format!("arn:aws:sts::{FULL_ACCOUNT}:assumed-role/assay-audit/assay-audit");
    assert_eq!(f.snapshot["origin"]["principal_arn"], session);
    assert_eq!(f.snapshot["accounts"][0]["principal_arn"], session);
}

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
        ("cloudtrail:LookupEvents", HOME, "Http500"),
        ("cloudtrail:LookupEvents", OTHER, "Http500"),
        ("ec2:GetEbsDefaultKmsKeyId", HOME, "Http500"),
        ("ec2:GetEbsDefaultKmsKeyId", OTHER, "Http500"),
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

// --- gap paths ---------------------------------------------------------------------------

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
            vec!["aws_config_recorder"],
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
            "backup.rds-retention-period",
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

/// The done-when: `assay audit --live` with one service's permissions removed
/// (every `kms:*` call denied) makes that service's rules GAP, none PASS.
#[test]
fn kms_permissions_removed_make_every_kms_rule_gap() {
    let f = full();
    let mut rules = vec![on_service("kms", denied)];
    rules.extend(recorded::moto_holes(Some(&f.seed)));
    let proxy = Proxy::start(&moto().url, rules);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let role = format!("arn:aws:iam::{FULL_ACCOUNT}:role/assay-audit");
    let ran = assay_live(
        &proxy.url,
        &[
            "audit",
            "--live",
            "--endpoint-url",
            &proxy.url,
            "--region",
            HOME,
            "--region",
            OTHER,
            "--max-attempts",
            "1",
            "--role-arn",
            &role,
            "--profile",
            PROFILE,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    assert_eq!(ran.code, 1, "other rules still fail: {}", ran.stderr);
    assert!(
        proxy
            .log()
            .iter()
            .all(|(op, what)| !op.starts_with("kms:") || what == "respond"),
        "no KMS call reached moto"
    );
    let findings: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("findings.json")).unwrap()).unwrap();
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("snapshot.json"))
            .expect("audit --live keeps its snapshot"),
    )
    .unwrap();
    let kms_gaps: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["service"] == "kms")
        .collect();
    assert_eq!(
        kms_gaps.len(),
        2,
        "kms:ListKeys in each region: {kms_gaps:#?}"
    );
    assert!(
        kms_gaps
            .iter()
            .all(|g| g["error_code"] == "AccessDeniedException"
                && g["resource_types"] == serde_json::json!(["aws_kms_key"]))
    );
    assert!(
        gaps(&snapshot).iter().all(|g| g["service"] == "kms"),
        "only KMS is missing: {:#?}",
        snapshot["gaps"]
    );
    // The service's rules: every rule that needs a kms: permission.
    let kms_rules = rules_needing("kms:");
    assert!(kms_rules.len() >= 10, "{kms_rules:?}");
    let kms_rules: Vec<&str> = kms_rules.iter().map(String::as_str).collect();
    expect_no_pass(&findings, &kms_rules);
    // GAP wherever the rule had a key to look up. (moto omits KmsKeyId on EBS snapshots,
    // so that rule fails on "no key" before it needs KMS.)
    let with_keys: Vec<&str> = kms_rules
        .iter()
        .copied()
        .filter(|r| *r != "encryption.ebs-snapshot-kms-cmk")
        .collect();
    expect_gap_not_pass(&findings, &with_keys);
    // A rule without KMS still passes.
    expect(
        &findings,
        "residency.s3-bucket-region",
        &bucket(&f.seed, "data"),
        "PASS",
    );
}

/// Rule ids whose `iam_actions` include an action starting with `prefix`.
fn rules_needing(prefix: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for dir in std::fs::read_dir(crate::rules_dir()).unwrap().flatten() {
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for file in files.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".yaml") || name.ends_with(".tests.yaml") {
                continue;
            }
            let text = std::fs::read_to_string(file.path()).unwrap();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("id: "))
                .map(str::to_string);
            let needs = text
                .lines()
                .any(|l| l.starts_with("iam_actions:") && l.contains(prefix));
            if let (Some(id), true) = (id, needs) {
                ids.push(id);
            }
        }
    }
    ids.sort();
    ids
}

#[test]
fn throttling_that_outlasts_the_retries_is_a_gap() {
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(
        vec![on(&["kms:ListKeys", "iam:ListRoles"], throttled)],
        &["--max-attempts", "2"],
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

#[test]
fn a_dead_endpoint_mid_scan_is_a_gap_and_the_scan_completes() {
    let (ran, snapshot, findings, proxy, _dir) =
        faulted_scan(vec![on_service("rds", |_| Reply::Drop)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(proxy.count("rds:DescribeDBInstances") >= 2);
    let found: Vec<&Value> = gaps(&snapshot);
    assert_eq!(
        found.len(),
        4,
        "instances and snapshots in two regions: {found:#?}"
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
            "aws_rds_snapshot".to_string()
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
            serde_json::json!(["aws_config_recorder"])
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
        "ec2:DescribeVpcs",
        "ec2:DescribeSecurityGroups",
        "rds:DescribeDBInstances",
        "rds:DescribeDBSnapshots",
        "kms:ListKeys",
        "backup:ListBackupPlans",
        "backup:ListBackupVaults",
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

#[test]
fn collect_signs_the_snapshot_with_the_key_given() {
    // A scan refused at the role (quick: nothing to read) still writes and signs its
    // snapshot; the signature holds against the public key, and `audit --key` accepts it.
    let keys = tempfile::tempdir().unwrap();
    let prefix = keys.path().join("collector");
    let keygen = run(command(None), &["keygen", "-o", prefix.to_str().unwrap()]);
    assert_eq!(keygen.code, 0, "{keygen:?}");
    let private = prefix.with_extension("key");
    let public = prefix.with_extension("pub");
    let (ran, snapshot, _, _proxy, dir) = faulted_scan(
        vec![on(&["sts:AssumeRole"], denied)],
        &["--sign", private.to_str().unwrap()],
    );
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("signed by Ed25519 key SHA256:"),
        "{}",
        ran.stderr
    );
    assert_eq!(snapshot["manifest"]["signature"]["algorithm"], "ed25519");
    let path = dir.path().join("snapshot.json");
    let verified = run(
        command(None),
        &[
            "snapshot",
            "verify",
            path.to_str().unwrap(),
            "--key",
            public.to_str().unwrap(),
        ],
    );
    assert_eq!(verified.code, 0, "{verified:?}");
    assert!(
        verified.stdout.contains("the signature is valid"),
        "{verified:?}"
    );
}

#[test]
fn a_refused_role_leaves_the_account_unread() {
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![on(&["sts:AssumeRole"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(snapshot["resources"].as_array().unwrap().is_empty());
    let account = &snapshot["accounts"][0];
    assert_eq!(account["account_id"], FULL_ACCOUNT);
    assert_eq!(account["regions_read"], serde_json::json!([]));
    assert!(
        account.get("principal_arn").is_none(),
        "no call was made as anyone in the account: {account}"
    );
    // Only the base caller made calls: moto's default identity for the test keys.
    assert_eq!(
        snapshot["origin"]["principal_arn"],
        "arn:aws:sts::123456789012:user/moto"
    );
    assert_eq!(account["regions_not_read"].as_array().unwrap().len(), 2);
    let g = gaps(&snapshot);
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!(g[0]["error_code"], "AssumeRoleFailed");
    assert!(
        g[0]["message"].as_str().unwrap().contains("AccessDenied"),
        "{}",
        g[0]["message"]
    );
    assert_eq!(
        g[0]["resource_types"].as_array().unwrap().len(),
        assay::snapshot::RESOURCE_TYPES.len()
    );
    let statuses: BTreeSet<&str> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["GAP", "MANUAL"]),
        "nothing can be judged"
    );
}

#[test]
fn no_credentials_exit_2_with_one_message_and_no_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut cmd = command(Some(&moto().url));
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let ran = run(
        cmd,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(!out.exists(), "no snapshot is written");
    let errors: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(errors.len(), 1, "one clear message:\n{}", ran.stderr);
    assert!(
        errors[0].contains("no usable AWS credentials"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.len() < 1200,
        "no dump of SDK internals:\n{}",
        ran.stderr
    );
}

#[test]
fn an_invalid_token_exit_2_and_no_snapshot() {
    let proxy = Proxy::start(
        &moto().url,
        vec![on(&["sts:GetCallerIdentity"], |r| {
            Reply::Respond(aws_error(
                r,
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            ))
        })],
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let ran = assay_live(
        &proxy.url,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(!out.exists());
    assert!(
        ran.stderr
            .contains("no usable AWS credentials (InvalidClientTokenId)"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("security token included in the request is invalid"),
        "{}",
        ran.stderr
    );
}

#[test]
fn an_unreachable_sts_endpoint_exit_2_naming_it() {
    let dead = format!("http://127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let ran = assay_live(
        &dead,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(!out.exists());
    assert!(
        ran.stderr.contains("cannot reach AWS STS"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains(&dead),
        "the message names the endpoint:\n{}",
        ran.stderr
    );
    assert_eq!(
        ran.stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .count(),
        1,
        "{}",
        ran.stderr
    );
}

// --- what moto cannot show: recorded responses ------------------------------------------

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

#[test]
fn console_signins_from_recorded_lookup_events() {
    let f = full();
    // Two pages in us-east-1, one (empty) page in ap-southeast-2.
    let lookups = f
        .operations
        .iter()
        .filter(|op| *op == "cloudtrail:LookupEvents")
        .count();
    assert_eq!(lookups, 3, "{:?}", f.operations);
    let signins = resources(&f.snapshot, "aws_console_signin");
    assert_eq!(signins.len(), 4, "{signins:#?}");
    assert!(
        signins
            .iter()
            .all(|s| s["region"] == OTHER && s["account"] == FULL_ACCOUNT)
    );
    let alice = resource(&f.snapshot, &signin(recorded::SIGNIN_ALICE_MFA));
    assert_eq!(alice["id"], recorded::SIGNIN_ALICE_MFA);
    assert_eq!(alice["user_name"], "alice");
    assert_eq!(alice["user_type"], "IAMUser");
    assert_eq!(
        alice["principal_arn"],
        format!("arn:aws:iam::{FULL_ACCOUNT}:user/alice")
    );
    assert_eq!(alice["source_ip"], "203.0.113.24");
    assert_eq!(alice["mfa_used"], true);
    assert_eq!(alice["login_result"], "Success");
    assert_eq!(alice["error_message"], Value::Null);
    let time = chrono::DateTime::parse_from_rfc3339(alice["event_time"].as_str().unwrap())
        .expect("event_time is RFC 3339");
    let age = chrono::Utc::now().signed_duration_since(time);
    assert!(
        age > chrono::Duration::hours(1) && age < chrono::Duration::hours(3),
        "{time}"
    );
    let root = resource(&f.snapshot, &signin(recorded::SIGNIN_ROOT_NO_MFA));
    assert_eq!(
        (root["user_type"].as_str(), root["mfa_used"].as_bool()),
        (Some("Root"), Some(false))
    );
    assert_eq!(
        root["principal_arn"],
        format!("arn:aws:iam::{FULL_ACCOUNT}:root")
    );
    let failed = resource(&f.snapshot, &signin(recorded::SIGNIN_FAILED));
    assert_eq!(
        (
            failed["login_result"].as_str(),
            failed["error_message"].as_str()
        ),
        (Some("Failure"), Some("Failed authentication"))
    );
    // Each event cites the page it came from, and the raw page holds its document.
    let page_of = |id: &str| {
        resource(&f.snapshot, &signin(id))["provenance"]["resource"]["response_sha256"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        page_of(recorded::SIGNIN_ALICE_MFA),
        page_of(recorded::SIGNIN_BOB_NO_MFA)
    );
    assert_ne!(
        page_of(recorded::SIGNIN_ALICE_MFA),
        page_of(recorded::SIGNIN_ROOT_NO_MFA)
    );
    let raw = &f.snapshot["raw_responses"][page_of(recorded::SIGNIN_ROOT_NO_MFA)];
    assert_eq!(raw["operation"], "cloudtrail:LookupEvents");
    assert!(
        raw["body"]
            .as_str()
            .unwrap()
            .contains(recorded::SIGNIN_FAILED),
        "the raw page is kept"
    );
    let finding = f.findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| {
            x["rule_id"] == "iam.console-signin-mfa"
                && x["resource"]["arn"] == signin(recorded::SIGNIN_BOB_NO_MFA)
        })
        .unwrap();
    assert_eq!(finding["status"], "FAIL");
    assert!(
        finding["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["operation"] == "cloudtrail:LookupEvents"),
        "{finding}"
    );
}

/// A scan limited to Sydney still reads the sign-ins of the global sign-in endpoint,
/// which CloudTrail records in us-east-1 only; us-east-1 is not counted as a region read.
#[test]
fn sign_ins_are_read_in_us_east_1_when_the_scan_is_limited_to_other_regions() {
    let f = full();
    let proxy = Proxy::start(&moto().url, recorded::moto_holes(Some(&f.seed)));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let role = format!("arn:aws:iam::{FULL_ACCOUNT}:role/assay-audit");
    let ran = assay_live(
        &proxy.url,
        &[
            "collect",
            "--region",
            HOME,
            "--role-arn",
            &role,
            "--max-attempts",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // One (empty) page in Sydney, two pages in us-east-1.
    assert_eq!(proxy.count("cloudtrail:LookupEvents"), 3);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        snapshot["accounts"][0]["regions_read"],
        serde_json::json!([HOME])
    );
    let signins = resources(&snapshot, "aws_console_signin");
    assert_eq!(signins.len(), 4, "{signins:#?}");
    let elsewhere: Vec<&Value> = snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        // Buckets are listed globally and located wherever they are.
        .filter(|r| r["region"] == OTHER)
        .filter(|r| r["type"] != "aws_console_signin" && r["type"] != "aws_s3_bucket")
        .collect();
    assert!(
        elsewhere.is_empty(),
        "only sign-ins are read in us-east-1: {elsewhere:#?}"
    );
    let (_, findings) = audit(&out, dir.path());
    expect(
        &findings,
        "iam.console-signin-mfa",
        &signin(recorded::SIGNIN_ROOT_NO_MFA),
        "FAIL",
    );
}

#[test]
fn sign_in_history_that_cannot_be_read_is_gap_never_pass() {
    let (ran, snapshot, findings, proxy, _dir) =
        faulted_scan(vec![on(&["cloudtrail:LookupEvents"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert_eq!(proxy.count("cloudtrail:LookupEvents"), 2, "once per region");
    assert!(resources(&snapshot, "aws_console_signin").is_empty());
    let found: Vec<&Value> = gaps(&snapshot);
    assert_eq!(found.len(), 2, "{found:#?}");
    for g in found {
        assert_eq!(g["operation"], "cloudtrail:LookupEvents");
        assert_eq!(g["error_code"], "AccessDeniedException");
        assert_eq!(
            g["resource_types"],
            serde_json::json!(["aws_console_signin"])
        );
    }
    expect_gap_not_pass(&findings, &["iam.console-signin-mfa"]);
    // The trails themselves were read.
    expect(
        &findings,
        "encryption.cloudtrail-kms",
        seed_str(&full().seed, "trail"),
        "PASS",
    );
}

#[test]
fn a_malformed_cloudtrail_event_is_a_gap_with_a_clear_message() {
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![recorded::malformed_signin(FULL_ACCOUNT)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    let broken = resource(&snapshot, &signin(recorded::SIGNIN_BOB_NO_MFA));
    assert_eq!(broken["user_name"], "bob", "the envelope is still read");
    assert_eq!(broken["mfa_used"], Value::Null);
    let unread: BTreeSet<&str> = broken["unread"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["group"].as_str())
        .collect();
    assert!(
        unread.contains("mfa_used") && unread.contains("login_result"),
        "{unread:?}"
    );
    let found = gaps(&snapshot);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["error_code"], "MalformedCloudTrailEvent");
    assert_eq!(found[0]["resource_types"], serde_json::json!([]));
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains(recorded::SIGNIN_BOB_NO_MFA)
            && message.contains("CloudTrailEvent is not valid JSON"),
        "{message}"
    );
    expect(
        &findings,
        "iam.console-signin-mfa",
        &signin(recorded::SIGNIN_BOB_NO_MFA),
        "GAP",
    );
    expect(
        &findings,
        "iam.console-signin-mfa",
        &signin(recorded::SIGNIN_ALICE_MFA),
        "PASS",
    );
}

#[test]
fn the_credential_report_root_row_sets_the_root_facts() {
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(recorded::credential_report(FULL_ACCOUNT), &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let root = format!("arn:aws:iam::{FULL_ACCOUNT}:root");
    let account = resource(&snapshot, &root);
    assert_eq!(account["root_mfa_enabled"], false);
    assert_eq!(
        account["root_access_keys_present"], true,
        "access_key_1_active=true on <root_account>"
    );
    assert_eq!(
        account["provenance"]["root_access_keys_present"]["operation"],
        "iam:GetCredentialReport"
    );
    let raw = &snapshot["raw_responses"]
        [account["provenance"]["root_access_keys_present"]["response_sha256"]
            .as_str()
            .unwrap()];
    assert!(
        raw["body"].as_str().unwrap().contains("<Content>"),
        "the raw report is kept"
    );
    assert_eq!(
        resource(&snapshot, &arn_of("user", "", "carol"))["console_access"],
        false
    );
    assert_eq!(
        resource(&snapshot, &arn_of("user", "", "bob"))["console_access"],
        true
    );
    expect(&findings, "iam.root-no-access-keys", &root, "FAIL");
    expect(&findings, "iam.root-mfa", &root, "FAIL");
}

#[test]
fn url_encoded_trust_policies_are_decoded_and_normalised() {
    let f = full();
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![recorded::url_encoded_trust_policies()], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let listed = snapshot["raw_responses"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["operation"] == "iam:ListRoles")
        .unwrap();
    assert!(
        listed["body"]
            .as_str()
            .unwrap()
            .contains("<AssumeRolePolicyDocument>%7B%22Version%22%3A"),
        "the raw response is URL-encoded as AWS sends it"
    );
    for role in ["support-mfa", "support-nomfa", "app"] {
        let arn = arn_of("role", "", role);
        assert_eq!(
            resource(&snapshot, &arn)["assume_role_policy"],
            resource(&f.snapshot, &arn)["assume_role_policy"],
            "{role}"
        );
        assert!(resource(&snapshot, &arn)["assume_role_policy"]["Statement"].is_array());
    }
    expect(
        &findings,
        "iam.support-role-mfa",
        &arn_of("role", "", "support-mfa"),
        "PASS",
    );
    expect(
        &findings,
        "iam.support-role-mfa",
        &arn_of("role", "", "support-nomfa"),
        "FAIL",
    );
}

// --- several accounts ----------------------------------------------------------------------

/// As on AWS, the management account has no audit role of the member accounts' name
/// (AWS creates OrganizationAccountAccessRole in member accounts only): assuming it
/// there is refused, so `--org` reads that account with the caller's own credentials.
fn no_member_role_in_the_management_account() -> Rule {
    let refused = format!("arn:aws:iam::{ORG_MANAGEMENT}:role/assay-audit");
    on(&["sts:AssumeRole"], move |r| {
        if r.param("RoleArn").as_deref() == Some(refused.as_str()) {
            Reply::Respond(aws_error(
                r,
                403,
                "AccessDenied",
                &format!(
                    "User: arn:aws:iam::{ORG_MANAGEMENT}:user/auditor is not authorized to perform: sts:AssumeRole on resource: {refused}"
                ),
            ))
        } else {
            Reply::Forward
        }
    })
}

#[test]
fn an_organisation_scan_reads_every_member_account() {
    let seed = moto().seed(ORG_MANAGEMENT, "organisation");
    let member = seed_str(&seed, "member");
    let mut rules = vec![no_member_role_in_the_management_account()];
    rules.extend(recorded::moto_holes(None));
    let proxy = Proxy::start(&moto().url, rules);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut cmd = command(Some(&proxy.url));
    cmd.env("AWS_ACCESS_KEY_ID", seed_str(&seed, "access_key_id"))
        .env(
            "AWS_SECRET_ACCESS_KEY",
            seed_str(&seed, "secret_access_key"),
        );
    let ran = run(
        cmd,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "--org",
            "assay-audit",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(proxy.count("organizations:ListAccounts"), 1);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let accounts: Vec<&str> = snapshot["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["account_id"].as_str())
        .collect();
    let mut expected = vec![ORG_MANAGEMENT, member];
    expected.sort();
    assert_eq!(accounts, expected);
    assert!(gaps(&snapshot).is_empty(), "{:#?}", gaps(&snapshot));
    for a in snapshot["accounts"].as_array().unwrap() {
        assert_eq!(a["regions_read"], serde_json::json!([HOME]));
        // Each member account is read as the role assumed in it, the management account
        // as the caller.
        let id = a["account_id"].as_str().unwrap();
        let expected = if id == ORG_MANAGEMENT {
            format!("arn:aws:iam::{ORG_MANAGEMENT}:user/auditor")
        } else {
            format!("arn:aws:sts::{id}:assumed-role/assay-audit/assay-audit")
        };
        assert_eq!(a["principal_arn"], expected);
    }
    // The organisation was listed, and the roles assumed, by the base caller.
    assert_eq!(
        snapshot["origin"]["principal_arn"],
        format!("arn:aws:iam::{ORG_MANAGEMENT}:user/auditor")
    );
    // Each account's resources, and only its own.
    let of = |type_name: &str, account: &str| -> BTreeSet<String> {
        resources(&snapshot, type_name)
            .iter()
            .filter(|r| r["account"] == account)
            .filter_map(|r| r["arn"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        of("aws_s3_bucket", member),
        BTreeSet::from([
            format!("arn:aws:s3:::smoke-encrypted-{member}"),
            format!("arn:aws:s3:::smoke-plain-{member}")
        ])
    );
    assert!(of("aws_s3_bucket", ORG_MANAGEMENT).is_empty());
    assert_eq!(
        of("aws_kms_key", member),
        BTreeSet::from([seed_str(&seed, "member_key").to_string()])
    );
    assert_eq!(
        of("aws_kms_key", ORG_MANAGEMENT),
        BTreeSet::from([
            seed["management"]["rotating_key"]
                .as_str()
                .unwrap()
                .to_string(),
            seed["management"]["static_key"]
                .as_str()
                .unwrap()
                .to_string()
        ])
    );
    assert_eq!(
        of("aws_account", member),
        BTreeSet::from([format!("arn:aws:iam::{member}:root")])
    );
    assert_eq!(
        of("aws_iam_user", ORG_MANAGEMENT),
        BTreeSet::from([format!("arn:aws:iam::{ORG_MANAGEMENT}:user/auditor")])
    );
    let (_, findings) = audit(&out, dir.path());
    expect(
        &findings,
        "encryption.s3-bucket-kms-cmk",
        &format!("arn:aws:s3:::smoke-encrypted-{member}"),
        "PASS",
    );
    expect(
        &findings,
        "encryption.s3-bucket-kms-cmk",
        &format!("arn:aws:s3:::smoke-plain-{member}"),
        "FAIL",
    );
    expect(
        &findings,
        "encryption.kms-cmk-rotation",
        seed["management"]["static_key"].as_str().unwrap(),
        "FAIL",
    );
}

#[test]
fn the_management_account_can_be_read_through_a_role_named_for_it() {
    let seed = moto().seed("100000000901", "organisation");
    let proxy = Proxy::start(&moto().url, recorded::moto_holes(None));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut cmd = command(Some(&proxy.url));
    cmd.env("AWS_ACCESS_KEY_ID", seed_str(&seed, "access_key_id"))
        .env(
            "AWS_SECRET_ACCESS_KEY",
            seed_str(&seed, "secret_access_key"),
        );
    let ran = run(
        cmd,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "--org",
            "assay-audit",
            "--org-management-role",
            "assay-management-audit",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let management = snapshot["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == "100000000901")
        .expect("the management account is in the snapshot");
    assert_eq!(
        management["principal_arn"],
        "arn:aws:sts::100000000901:assumed-role/assay-management-audit/assay-audit"
    );
}

// --- live-scan fidelity: what real AWS does that the other scenarios do not ------------------

const FIDELITY_ACCOUNT: &str = "100000000013";

/// The `fidelity` scenario, seeded once.
fn fidelity() -> &'static Value {
    static SEEDED: OnceLock<Value> = OnceLock::new();
    SEEDED.get_or_init(|| moto().seed(FIDELITY_ACCOUNT, "fidelity"))
}

/// A scan of the fidelity account through a proxy with `rules` first, limited to
/// `regions` (both test regions when empty), audited.
fn fidelity_scan(rules: Vec<Rule>, regions: &[&str]) -> (Ran, Value, Value, tempfile::TempDir) {
    let seed = fidelity();
    let mut all = rules;
    all.extend(recorded::moto_holes(None));
    let proxy = Proxy::start(&moto().url, all);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let role = format!("arn:aws:iam::{FIDELITY_ACCOUNT}:role/assay-audit");
    let mut args = vec!["collect", "--role-arn", &role, "--max-attempts", "1"];
    let regions = if regions.is_empty() {
        vec![HOME, OTHER]
    } else {
        regions.to_vec()
    };
    for r in &regions {
        args.extend(["--region", r]);
    }
    let out_text = out.to_str().unwrap().to_string();
    args.extend(["-o", &out_text]);
    let ran = assay_live(&proxy.url, &args);
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("no snapshot ({e}): {ran:?}")),
    )
    .unwrap();
    let _ = seed;
    let (_, findings) = audit(&out, dir.path());
    (ran, snapshot, findings, dir)
}

/// The finding of `rule` for the account itself.
fn account_finding<'a>(findings: &'a Value, rule: &str, account: &str) -> &'a Value {
    let root = format!("arn:aws:iam::{account}:root");
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource"]["arn"] == root.as_str())
        .unwrap_or_else(|| panic!("no {rule} finding for {account}"))
}

/// A trail created without event selectors logs all read and write management events (the
/// CloudTrail `EventSelector` reference); moto, like older trails on AWS, answers
/// GetEventSelectors with no selectors at all.
#[test]
fn a_trail_without_event_selectors_records_management_events() {
    let seed = fidelity();
    let (ran, snapshot, findings, _dir) = fidelity_scan(Vec::new(), &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        !ran.stderr.contains("calls made"),
        "no progress line when stderr is not a terminal: {}",
        ran.stderr
    );
    let trail = resource(&snapshot, seed_str(seed, "trail"));
    let raw = &snapshot["raw_responses"]
        [trail["provenance"]["records_management_events"]["response_sha256"]
            .as_str()
            .unwrap()];
    assert!(
        !raw["body"]
            .as_str()
            .unwrap()
            .contains("IncludeManagementEvents"),
        "the emulator answered without selectors: {raw}"
    );
    assert_eq!(trail["records_management_events"], true);
    assert_eq!(
        account_finding(
            &findings,
            "logging.cloudtrail-multi-region",
            FIDELITY_ACCOUNT
        )["status"],
        "PASS"
    );
}

/// Advanced event selectors as AWS sends them: write-only management events are not every
/// management event.
#[test]
fn advanced_event_selectors_are_read_as_aws_documents_them() {
    let seed = fidelity();
    let trail = seed_str(seed, "trail");
    let (_, snapshot, findings, _dir) =
        fidelity_scan(vec![recorded::advanced_event_selectors(trail, None)], &[]);
    assert_eq!(
        resource(&snapshot, trail)["records_management_events"],
        true
    );
    assert_eq!(
        account_finding(
            &findings,
            "logging.cloudtrail-multi-region",
            FIDELITY_ACCOUNT
        )["status"],
        "PASS"
    );
    let (_, snapshot, findings, _dir) = fidelity_scan(
        vec![recorded::advanced_event_selectors(trail, Some("false"))],
        &[],
    );
    assert_eq!(
        resource(&snapshot, trail)["records_management_events"],
        false
    );
    assert_eq!(
        account_finding(
            &findings,
            "logging.cloudtrail-multi-region",
            FIDELITY_ACCOUNT
        )["status"],
        "FAIL"
    );
}

/// A scan of us-east-1 alone: the multi-Region trail homed in ap-southeast-2 is seen as
/// the shadow trail AWS shows in every region, and the bucket (listed globally) whose key
/// is in the region not read is GAP naming that region, never FAIL on the missing key.
#[test]
fn a_scan_of_one_region_sees_shadow_trails_and_says_gap_for_regions_not_read() {
    let seed = fidelity();
    let (ran, snapshot, findings, _dir) = fidelity_scan(Vec::new(), &[OTHER]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let trails = resources(&snapshot, "aws_cloudtrail_trail");
    assert_eq!(trails.len(), 1, "{trails:#?}");
    assert_eq!(trails[0]["arn"], seed_str(seed, "trail"));
    assert_eq!(trails[0]["home_region"], HOME);
    assert_eq!(trails[0]["is_logging"], true);
    assert_eq!(
        account_finding(
            &findings,
            "logging.cloudtrail-multi-region",
            FIDELITY_ACCOUNT
        )["status"],
        "PASS"
    );
    let bucket = seed_str(seed, "bucket");
    expect(&findings, "encryption.s3-bucket-kms-cmk", bucket, "GAP");
    let finding = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "encryption.s3-bucket-kms-cmk" && f["resource"]["arn"] == bucket)
        .unwrap();
    assert!(
        finding["summary"]
            .as_str()
            .unwrap()
            .contains("a region that was not read: ap-southeast-2"),
        "{finding:#}"
    );
    assert!(
        finding["gaps"]
            .as_array()
            .unwrap()
            .contains(&Value::from(format!(
                "region-not-read:{FIDELITY_ACCOUNT}:{HOME}"
            ))),
        "{finding:#}"
    );
}

/// Aeronet's "six daily (Sunday - Friday)" is the plan's daily tier: the daily retention
/// rule judges it (14 days < 42) instead of calling the plan weekly and NOT_APPLICABLE.
#[test]
fn a_six_day_backup_schedule_is_daily_in_a_live_scan() {
    let seed = fidelity();
    let (_, snapshot, findings, _dir) = fidelity_scan(Vec::new(), &[]);
    let plan = resource(&snapshot, seed_str(seed, "plan"));
    assert_eq!(
        plan["rules"][0]["schedule_expression"],
        "cron(0 18 ? * SUN-FRI *)"
    );
    assert_eq!(plan["rules"][0]["frequency"], "daily");
    assert_eq!(plan["rules"][0]["runs_per_day"], 1);
    expect(
        &findings,
        "backup.plan-daily-retention",
        seed_str(seed, "plan"),
        "FAIL",
    );
}

/// Key policies are read (GetKeyPolicy) and a key granting another account fails.
#[test]
fn a_key_policy_granting_another_account_fails() {
    let seed = fidelity();
    let (_, snapshot, findings, _dir) = fidelity_scan(Vec::new(), &[]);
    let shared = resource(&snapshot, seed_str(seed, "shared_key"));
    assert_eq!(
        shared["provenance"]["policy"]["operation"],
        "kms:GetKeyPolicy"
    );
    assert_eq!(
        shared["policy"]["Statement"][1]["Principal"]["AWS"],
        serde_json::json!(["arn:aws:iam::999988887777:root"])
    );
    expect(
        &findings,
        "residency.kms-key-policy-accounts",
        seed_str(seed, "shared_key"),
        "FAIL",
    );
    expect(
        &findings,
        "residency.kms-key-policy-accounts",
        seed_str(seed, "key"),
        "PASS",
    );
}

/// Support access named otherwise is found by what it grants: a role and a group with a
/// policy the profile lists in `support_policies`.
#[test]
fn support_roles_and_groups_are_found_by_what_they_grant() {
    let seed = fidelity();
    let (_, _, findings, _dir) = fidelity_scan(Vec::new(), &[]);
    expect(
        &findings,
        "iam.support-role-mfa",
        seed_str(seed, "helpdesk"),
        "FAIL",
    );
    expect(
        &findings,
        "iam.support-group-mfa",
        seed_str(seed, "dana"),
        "FAIL",
    );
}
