//! Secrets Manager: secrets with their key (or the AWS managed key, said so) and replica
//! regions; a denied description and a region not read; secrets listed in two pages.

use super::*;

/// The done-when: a secret on the customer key replicated outside the allowed region, its
/// replica there, and a secret on the AWS managed key give the right PASS/FAIL.
#[test]
fn secrets_are_read_and_judged() {
    let f = full();
    let db = seed_str(&f.seed, "secret_db");
    let db_us = seed_str(&f.seed, "secret_db_us");
    let legacy = seed_str(&f.seed, "secret_legacy");
    let read = resource(&f.snapshot, db);
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["aws_managed_key"], false);
    assert_eq!(read["replica_regions"], serde_json::json!([OTHER]));
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    let replica = resource(&f.snapshot, db_us);
    assert_eq!(replica["primary_region"], HOME);
    assert_eq!(replica["replica_regions"], serde_json::json!([HOME]));
    let legacy_read = resource(&f.snapshot, legacy);
    assert_eq!(
        (
            legacy_read["aws_managed_key"].as_bool(),
            legacy_read["encryption"]["kms_key_arn"].clone()
        ),
        (Some(true), Value::Null),
        "no KmsKeyId: the AWS managed key, said so"
    );

    expect(&f.findings, "encryption.secret-kms-cmk", db, "PASS");
    expect(&f.findings, "encryption.secret-kms-cmk", legacy, "FAIL");
    expect(&f.findings, "residency.secret-region", db, "FAIL");
    expect(&f.findings, "residency.secret-region", db_us, "FAIL");
    expect(&f.findings, "residency.secret-region", legacy, "PASS");
}

/// `DescribeSecret` denied: the secrets are still listed and their keys judged, their
/// replicas unread (residency GAP). `ListSecrets` denied in us-east-1: that region's
/// secrets are not known to be absent.
#[test]
fn a_denied_description_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "secretsmanager:DescribeSecret"
            || (r.operation == "secretsmanager:ListSecrets" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let db = seed_str(&f.seed, "secret_db");
    let legacy = seed_str(&f.seed, "secret_legacy");
    let read = resource(&snapshot, db);
    assert_eq!(read["unread"][0]["group"], "replica_regions", "{read:#}");
    assert!(
        gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "secretsmanager:ListSecrets"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDeniedException"
                && g["resource_types"] == serde_json::json!(["aws_secretsmanager_secret"])),
        "{:#?}",
        gaps(&snapshot)
    );
    expect(&findings, "encryption.secret-kms-cmk", db, "PASS");
    expect(&findings, "residency.secret-region", db, "GAP");
    expect(&findings, "residency.secret-region", legacy, "GAP");
    assert!(
        rule_statuses(&findings, "residency.secret-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.secret-region")
    );
    expect_no_pass(&findings, &["residency.secret-region"]);
}

/// `ListSecrets` in two pages (recorded: moto pages only with `MaxResults`), each secret
/// citing its page.
#[test]
fn secrets_listed_in_two_pages_are_all_read() {
    let f = full();
    let (ran, snapshot, _findings, proxy, _dir) = faulted_scan(
        vec![recorded::secrets_in_two_pages(
            seed_str(&f.seed, "secret_db"),
            seed_str(&f.seed, "secret_legacy"),
        )],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("secretsmanager:ListSecrets"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_secretsmanager_secret")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .collect();
    assert_eq!(home.len(), 2);
    let pages: BTreeSet<String> = home
        .iter()
        .map(|r| r["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(
        pages.len(),
        2,
        "each secret cites the page it was listed on"
    );
}
