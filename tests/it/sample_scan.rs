//! The bundled sample is what a live scan produces: the Flightdeck estate
//! (`samples/flightdeck/seed.py`) seeded into an emulator of its own, what moto cannot hold
//! replayed through the proxy (`emulator/estate.rs`), and the real `assay collect --org`
//! over the three accounts. The committed `samples/aws-sample/snapshot.json` must equal
//! that scan except for what legitimately changes between runs: times, request ids, the
//! raw responses (they embed both) and their hashes, the manifest digest, the proxy's
//! port.
//!
//! `ASSAY_WRITE_SAMPLE=1` writes the scan as the new sample instead
//! (`samples/regenerate.sh`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::emulator::estate::{self, MANAGEMENT_ACCOUNT};
use crate::emulator::proxy::Proxy;
use crate::emulator::{Moto, assay_live};

const SAMPLE: &str = "samples/aws-sample/snapshot.json";
const SEED: &str = "samples/flightdeck/seed.py";

/// Seeds a fresh emulator with the estate and scans it; returns the snapshot's text.
fn scan_the_estate() -> String {
    let moto = Moto::start(true);
    let seed = moto.run_seed(SEED, &[]);
    let proxy = Proxy::start(&moto.url, estate::rules(&seed));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut args = vec![
        "collect",
        "--org",
        "assay-audit",
        "-o",
        out.to_str().unwrap(),
    ];
    let regions: Vec<&str> = seed["regions"]
        .as_array()
        .expect("the seed names the regions to scan")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for region in &regions {
        args.extend(["--region", region]);
    }
    let locations: Vec<&str> = seed["s3_backup_locations"]
        .as_array()
        .expect("the seed names the backup locations to list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for location in &locations {
        args.extend(["--s3-backups", location]);
    }
    let ran = assay_live(&proxy.url, &args);
    // The two deliberate gaps make the scan incomplete: exit 3, snapshot written.
    assert_eq!(ran.code, 3, "assay collect of the estate: {ran:?}");
    std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("no snapshot ({e}): {ran:?}"))
}

#[test]
fn the_committed_sample_is_what_a_scan_of_the_seeded_estate_produces() {
    let text = scan_the_estate();
    let scanned: Value = serde_json::from_str(&text).expect("the snapshot is JSON");
    assert_eq!(
        scanned["origin"]["principal_arn"],
        format!("arn:aws:sts::{MANAGEMENT_ACCOUNT}:user/moto"),
        "the organisation is listed by the management account's caller"
    );
    let path = crate::root().join(SAMPLE);
    if std::env::var_os("ASSAY_WRITE_SAMPLE").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).expect("write the sample");
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("the committed sample is JSON");
    let differences = compare(&normalise(&committed), &normalise(&scanned));
    assert!(
        differences.is_empty(),
        "{SAMPLE} is not what a scan of the seeded estate produces ({} differences; regenerate it with samples/regenerate.sh if the change is intended):\n{}",
        differences.len(),
        differences
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The FAIL findings of an audit of `snapshot` with the Air Maestro profile, as
/// (rule, resource ARN or scope).
fn fails(snapshot: &std::path::Path) -> std::collections::BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (_, _, stderr) = crate::assay(&[
        "audit",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let text = std::fs::read_to_string(out.join("findings.json"))
        .unwrap_or_else(|e| panic!("no findings ({e}): {stderr}"));
    let findings: Value = serde_json::from_str(&text).unwrap();
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL")
        .map(|f| {
            let at = f["resource"]["arn"]
                .as_str()
                .or(f["scope"].as_str())
                .unwrap_or_default();
            // Automated RDS snapshots are named for the minute they were taken.
            (f["rule_id"].as_str().unwrap().to_string(), mask_times(at))
        })
        .collect()
}

/// A scan limited to one region must never FAIL what the full scan does not: a trail,
/// key, vault or replica in a region that was not read is GAP naming the region, not a
/// null that fails. The estate is scanned one region at a time and each audit's FAILs are
/// compared with the audit of the full scan (the committed sample, which the test above
/// keeps equal to a full scan).
#[test]
fn a_scan_of_one_region_gives_no_fail_the_full_scan_does_not() {
    let full = fails(&crate::root().join(SAMPLE));
    let moto = Moto::start(true);
    let seed = moto.run_seed(SEED, &[]);
    let proxy = Proxy::start(&moto.url, estate::rules(&seed));
    let regions: Vec<String> = seed["regions"]
        .as_array()
        .expect("the seed names the regions to scan")
        .iter()
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect();
    assert!(regions.len() > 1, "{regions:?}");
    let mut extra = Vec::new();
    for region in &regions {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("snapshot.json");
        let ran = assay_live(
            &proxy.url,
            &[
                "collect",
                "--org",
                "assay-audit",
                "--region",
                region,
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert!(out.exists(), "scan of {region}: {ran:?}");
        for fail in fails(&out).difference(&full) {
            extra.push(format!("{region}: {} on {}", fail.0, fail.1));
        }
    }
    assert!(
        extra.is_empty(),
        "FAILs in a one-region scan that the full scan does not give:\n{}",
        extra.join("\n")
    );
}

/// The snapshot without what changes from run to run: times (RFC 3339 values, and the
/// `YYYY-MM-DD-HH-MM` in the names of RDS automated snapshots), request ids, raw
/// responses and the hashes citing them, the manifest, the endpoint's port.
fn normalise(snapshot: &Value) -> Value {
    let mut s = snapshot.clone();
    if let Some(map) = s.as_object_mut() {
        for key in ["collected_at", "raw_responses", "manifest"] {
            map.remove(key);
        }
    }
    s["origin"]["endpoint_url"] = Value::from("<endpoint>");
    mask(&mut s);
    s
}

fn mask(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                if ["called_at", "request_id", "response_sha256", "occurred_at"]
                    .contains(&k.as_str())
                {
                    *item = Value::from("<varies>");
                } else {
                    mask(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        Value::String(text) => *text = mask_times(text),
        _ => {}
    }
}

/// Replaces `YYYY-MM-DDTHH:MM…` (to the end of the time) and `YYYY-MM-DD-HH-MM` with
/// `<time>`.
fn mask_times(text: &str) -> String {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let mut out = String::new();
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        let date = digits(i, 4)
            && at(i + 4, b'-')
            && digits(i + 5, 2)
            && at(i + 7, b'-')
            && digits(i + 8, 2);
        if date && (at(i + 10, b'T') || at(i + 10, b'-')) && digits(i + 11, 2) && digits(i + 14, 2)
        {
            let mut end = i + 16;
            while end < b.len() && (b[end].is_ascii_digit() || b":.+Z".contains(&b[end])) {
                end += 1;
            }
            // Every byte matched is ASCII, so both ends are character boundaries.
            out.push_str(&text[copied..i]);
            out.push_str("<time>");
            (i, copied) = (end, end);
            continue;
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// The differences between two normalised snapshots, one line each, naming the resource
/// (type and ARN) and the attribute that differs.
fn compare(committed: &Value, scanned: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["schema_version", "tool", "origin", "accounts", "gaps"] {
        diff(&format!(".{key}"), &committed[key], &scanned[key], &mut out);
    }
    let by_arn = |s: &Value| -> BTreeMap<String, Value> {
        s["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let label = format!(
                    "{} {} ({})",
                    r["type"].as_str().unwrap_or("?"),
                    r["arn"].as_str().unwrap_or("?"),
                    r["account"].as_str().unwrap_or("?")
                );
                (label, r.clone())
            })
            .collect()
    };
    let (old, new) = (by_arn(committed), by_arn(scanned));
    for (label, r) in &old {
        match new.get(label) {
            None => out.push(format!("{label}: in the sample, not found by the scan")),
            Some(n) => diff(label, r, n, &mut out),
        }
    }
    for label in new.keys().filter(|l| !old.contains_key(*l)) {
        out.push(format!("{label}: found by the scan, not in the sample"));
    }
    out
}

fn diff(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let (x, y) = (
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                );
                diff(&format!("{path}.{k}"), x, y, out);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), x, y, out);
            }
        }
        _ if old != new => out.push(format!("{path}: sample {old}, scan {new}")),
        _ => {}
    }
}

#[test]
fn times_are_masked_wherever_they_appear() {
    assert_eq!(mask_times("2026-12-03T14:25:07Z"), "<time>");
    assert_eq!(mask_times("2026-12-03T14:25:07.123+00:00"), "<time>");
    assert_eq!(
        mask_times("rds:flightdeck-prod-pg-2026-12-03-14-25"),
        "rds:flightdeck-prod-pg-<time>"
    );
    assert_eq!(
        mask_times("flightdeck-prod-sql-pre-upgrade-2026-10-14"),
        "flightdeck-prod-sql-pre-upgrade-2026-10-14"
    );
    assert_eq!(
        mask_times("<script>alert(1)</script>"),
        "<script>alert(1)</script>"
    );
}

#[test]
fn a_difference_names_the_resource_and_the_attribute() {
    let sample = serde_json::json!({"resources": [
        {"type": "aws_s3_bucket", "arn": "arn:aws:s3:::b", "account": "1", "versioning": {"status": "Enabled"}},
        {"type": "aws_vpc", "arn": "arn:aws:ec2:r:1:vpc/v", "account": "1"}
    ]});
    let scan = serde_json::json!({"resources": [
        {"type": "aws_s3_bucket", "arn": "arn:aws:s3:::b", "account": "1", "versioning": {"status": "Suspended"}}
    ]});
    assert_eq!(
        compare(&normalise(&sample), &normalise(&scan)),
        [
            "aws_s3_bucket arn:aws:s3:::b (1).versioning.status: sample \"Enabled\", scan \"Suspended\"",
            "aws_vpc arn:aws:ec2:r:1:vpc/v (1): in the sample, not found by the scan"
        ]
    );
}

/// A backup account the snapshot did not cover is a gap for the rules that look for
/// copies there, not a FAIL: nothing was looked for in it. The sample without one of the
/// air-maestro profile's two backup accounts gives no FAIL the full sample does not, and
/// the copies rules name the account in their GAP.
#[test]
fn a_backup_account_not_scanned_is_a_gap_for_the_copies_rules_not_a_fail() {
    const DROPPED: &str = "777788889999";
    let mut snapshot =
        assay::snapshot::Snapshot::load(&crate::root().join(SAMPLE)).expect("the sample loads");
    snapshot.accounts.retain(|a| a.account_id != DROPPED);
    snapshot.resources.retain(|r| r.account != DROPPED);
    snapshot.gaps.retain(|g| g.account != DROPPED);
    snapshot.seal();
    let dir = tempfile::tempdir().unwrap();
    let trimmed = dir.path().join("without-backup-account.json");
    std::fs::write(&trimmed, serde_json::to_string(&snapshot).unwrap()).unwrap();

    let full = fails(&crate::root().join(SAMPLE));
    let extra: Vec<_> = fails(&trimmed).difference(&full).cloned().collect();
    assert!(
        extra.is_empty(),
        "FAILs the full sample does not give: {extra:#?}"
    );

    let out = dir.path().join("out");
    crate::assay(&[
        "audit",
        "--snapshot",
        trimmed.to_str().unwrap(),
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let findings: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("findings.json")).unwrap()).unwrap();
    for rule in [
        "backup.ebs-snapshot-copies",
        "backup.database-backup-copies",
    ] {
        let of_rule: Vec<&Value> = findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == rule && f["status"] != "NOT_APPLICABLE")
            .collect();
        assert!(!of_rule.is_empty(), "{rule} judged nothing");
        for f in of_rule {
            assert_eq!(f["status"], "GAP", "{rule}: {f:#}");
            assert!(
                f.to_string()
                    .contains(&format!("an account the snapshot did not cover: {DROPPED}")),
                "{rule}: the GAP does not name the account: {f:#}"
            );
        }
    }
}
