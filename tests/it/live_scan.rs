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

use crate::emulator::proxy::{
    Proxy, Reply, Request, Rule, aws_error, denied, on, on_service, throttled,
};
use crate::emulator::{Ran, assay_live, command, free_port, moto, recorded, run};

mod ami;
mod backup;
mod cloudtrail;
mod config_inventory;
mod credentials;
mod database_backups;
mod dynamodb;
mod ecr;
mod efs;
mod elasticache;
mod faults;
mod full_scan;
mod iam;
mod identity_center;
mod kinesis;
mod kms;
mod lambda;
mod logs;
mod opensearch;
mod organisations;
mod rds_clusters;
mod redshift;
mod restore;
mod s3_backups;
mod secrets;
mod sns;
mod sqs;

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
        // The backup location the seed wrote objects under: every resource type is read.
        let location = seed_str(&seed, "backup_location").to_string();
        let (collect, snapshot) = scan(
            &proxy,
            FULL_ACCOUNT,
            &["--s3-backups", &location],
            dir.path(),
        );
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
        // Every type is read, the change history too.
        "--change-history",
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
    // The full scan's backup location too, so what it read and this one did not is the
    // fault's doing.
    let location = seed_str(&f.seed, "backup_location").to_string();
    let mut args = vec!["--s3-backups", location.as_str()];
    args.extend_from_slice(extra);
    let (ran, snapshot) = scan(&proxy, FULL_ACCOUNT, &args, dir.path());
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
        "volume" | "instance" | "security-group" | "vpc" | "snapshot" | "image" => {
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

// --- gap paths ---------------------------------------------------------------------------

// --- what moto cannot show: recorded responses ------------------------------------------

// --- several accounts ----------------------------------------------------------------------

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
