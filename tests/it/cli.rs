//! The command line as a user meets it: help, explain, exit codes.

use crate::assay;

#[test]
fn help_documents_exit_codes() {
    let (code, stdout, _) = assay(&["--help"]);
    assert_eq!(code, 0);
    for needle in [
        "Exit status",
        "1  at least one FAIL",
        "3  no FAIL, but at least one GAP",
    ] {
        assert!(stdout.contains(needle), "{needle} missing:\n{stdout}");
    }
}

#[test]
fn explain_prints_docs_and_controls() {
    let (code, stdout, _) = assay(&["rules", "explain", "encryption.s3-bucket-kms-cmk"]);
    assert_eq!(code, 0);
    for needle in [
        "## What it checks",
        "## Why it matters",
        "## Remediation",
        "iso27001-2022 A.8.24 Use of cryptography",
        "evidence supporting",
    ] {
        assert!(stdout.contains(needle), "{needle} missing:\n{stdout}");
    }
}

#[test]
fn explain_suggests_close_ids() {
    let (code, _, stderr) = assay(&["rules", "explain", "encryption.s3-bucket-kms-cmkk"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean encryption.s3-bucket-kms-cmk"),
        "{stderr}"
    );
}

#[test]
fn missing_snapshot_is_a_clear_error() {
    let (code, _, stderr) = assay(&[
        "audit",
        "--snapshot",
        "nope.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--out",
        "target/never-written",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read snapshot nope.json"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_names_the_os_error_once() {
    let (code, _, stderr) = assay(&["verify", "no-such-attestation.json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no-such-attestation.json"), "{stderr}");
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "the OS error is said once: {stderr}"
    );
}

#[test]
fn rules_test_command_runs_the_fixtures() {
    let (code, stdout, _) = assay(&["rules", "test", "encryption.s3"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
}

#[test]
fn frameworks_lists_manual_controls() {
    let (code, stdout, _) = assay(&["frameworks", "iso27001-2022"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("A.8.24") && stdout.contains("manual evidence"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 93);
}

/// A rule mapped to two controls of one family (network.no-public-admin-ports: A.8.20 and
/// A.8.22) counts once in that family's totals: each family summary is the outcome count
/// of the findings of the distinct rules mapped to its controls.
#[test]
fn family_totals_count_each_finding_once() {
    let (code, stdout, stderr) = assay(&[
        "evaluate",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
    ]);
    assert!(code == 1 || code == 3, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("findings JSON");
    let findings = report["findings"].as_array().expect("findings");
    let mut checked_a_shared_rule = false;
    for framework in report["frameworks"].as_array().expect("frameworks") {
        for family in framework["families"].as_array().expect("families") {
            let mut rules = std::collections::BTreeSet::new();
            let mut mapped = 0;
            for control in family["controls"].as_array().expect("controls") {
                for rule in control["rules"].as_array().expect("rules") {
                    mapped += 1;
                    rules.insert(rule.as_str().expect("rule id"));
                }
            }
            checked_a_shared_rule |= mapped > rules.len();
            let mut expected: std::collections::BTreeMap<&str, u64> = Default::default();
            for f in findings
                .iter()
                .filter(|f| rules.contains(f["rule_id"].as_str().expect("rule_id")))
            {
                *expected
                    .entry(f["status"].as_str().expect("status"))
                    .or_default() += 1;
            }
            let summary: std::collections::BTreeMap<&str, u64> = family["summary"]
                .as_object()
                .expect("summary")
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_u64().expect("count")))
                .collect();
            assert_eq!(
                summary, expected,
                "{} family {}",
                framework["id"], family["id"]
            );
        }
    }
    assert!(checked_a_shared_rule, "no family had a rule mapped twice");
}

/// Outside a checkout (no ./rules), assay uses the rule pack built into it: the same rules,
/// so the same rule-pack digest in the findings as from the repository's `rules/`.
#[test]
fn without_a_rules_directory_the_built_in_pack_is_used() {
    let elsewhere = tempfile::tempdir().expect("a temporary directory");
    let cache = tempfile::tempdir().expect("a temporary directory");
    let sample = crate::root().join("samples");
    let run = |dir: &std::path::Path| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(["evaluate", "--snapshot"])
            .arg(sample.join("aws-sample/snapshot.json"))
            .arg("--profile")
            .arg(sample.join("air-maestro/profile.yaml"))
            .current_dir(dir)
            .env_remove("ASSAY_RULES")
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .expect("the assay binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("findings JSON ({e}); stderr: {stderr}"));
        report["rule_pack"]["digest"].clone()
    };
    let built_in = run(elsewhere.path());
    assert!(built_in.is_string(), "{built_in}");
    assert_eq!(built_in, run(&crate::root()), "the same pack as rules/");
    let unpacked: Vec<String> = std::fs::read_dir(cache.path().join("assay"))
        .expect("the pack was unpacked into the cache")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(unpacked.len(), 1, "{unpacked:?}");
    assert!(unpacked[0].starts_with("rules-"), "{unpacked:?}");

    // A new rule is never written into the unpacked built-in pack.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["rules", "new", "backup/vault-lock"])
        .current_dir(elsewhere.path())
        .env_remove("ASSAY_RULES")
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .expect("the assay binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--rules DIR"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The Identity Center and restore rules count under the access-control, privileged
/// access and backup controls of every catalogue (issue 16).
#[test]
fn frameworks_count_identity_center_and_restore_rules_under_their_controls() {
    let expected: [(&str, &str, &[&str]); 3] = [
        (
            "iso27001-2022",
            "iam.identity-center-support-assignments",
            &["A.5.15", "A.5.16", "A.5.18", "A.8.2"],
        ),
        (
            "iso27001-2013",
            "iam.identity-center-support-assignments",
            &["A.9.2.1", "A.9.2.2", "A.9.2.3", "A.9.2.5"],
        ),
        ("gdpr", "backup.restore-test-completed", &["Art.32(1)(c)"]),
    ];
    for (framework, rule, controls) in expected {
        let (code, stdout, stderr) = assay(&["frameworks", framework]);
        assert_eq!(code, 0, "{stderr}");
        for control in controls {
            let line = stdout
                .lines()
                .find(|l| l.split_whitespace().next() == Some(control))
                .unwrap_or_else(|| panic!("{framework}: no line for {control}:\n{stdout}"));
            assert!(line.contains(rule), "{framework} {control}: {line}");
        }
    }
    let (_, stdout, _) = assay(&["frameworks", "iso27001-2022"]);
    let backup = stdout.lines().find(|l| l.starts_with("A.8.13")).unwrap();
    assert!(backup.contains("backup.restore-test-completed"), "{backup}");
    let idp = stdout.lines().find(|l| l.starts_with("A.5.17")).unwrap();
    assert!(
        idp.contains("iam.identity-center-support-group-directory")
            && idp.contains("manual.support-idp-mfa"),
        "{idp}"
    );
}

/// `assay iam-policy` grants exactly the reads the Identity Center, restore and database
/// backup collectors declare.
#[test]
fn iam_policy_lists_the_identity_center_and_restore_reads() {
    let (code, stdout, stderr) = assay(&["iam-policy"]);
    assert_eq!(code, 0, "{stderr}");
    let policy: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let actions: Vec<&str> = policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    for action in [
        "sso:ListInstances",
        "sso:ListPermissionSets",
        "sso:DescribePermissionSet",
        "sso:ListManagedPoliciesInPermissionSet",
        "sso:GetInlinePolicyForPermissionSet",
        "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
        "sso:GetPermissionsBoundaryForPermissionSet",
        "sso:ListAccountsForProvisionedPermissionSet",
        "sso:ListAccountAssignments",
        "identitystore:ListGroups",
        "identitystore:ListGroupMemberships",
        "identitystore:DescribeUser",
        "backup:ListRestoreTestingPlans",
        "backup:GetRestoreTestingPlan",
        "backup:ListRestoreJobs",
        "backup:DescribeRecoveryPoint",
        "rds:DescribeDBInstanceAutomatedBackups",
    ] {
        assert!(actions.contains(&action), "{action} missing: {actions:?}");
    }
}
