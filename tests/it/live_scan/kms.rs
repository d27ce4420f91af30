//! KMS: keys whose permissions are removed, key policies granting other accounts.

use super::*;

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
