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
