//! EFS: file systems with their key, automatic backups and replication (recorded: moto
//! implements no replication); a denied backup policy and a region not read; file
//! systems listed in two pages.

use super::*;

/// The done-when: one file system of each kind, in the allowed region and the other,
/// encrypted and not, backed up and not, replicated outside the allowed region, gives the
/// right PASS/FAIL per file system.
#[test]
fn file_systems_are_read_and_judged() {
    let f = full();
    let shared = seed_str(&f.seed, "efs_shared_arn");
    let plain = seed_str(&f.seed, "efs_plain_arn");
    let us = seed_str(&f.seed, "efs_us_arn");
    let read = resource(&f.snapshot, shared);
    assert_eq!(read["name"], "shared");
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["automatic_backups"], true);
    assert_eq!(read["replica_regions"], serde_json::json!(["eu-west-1"]));
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    let plain_read = resource(&f.snapshot, plain);
    assert_eq!(
        plain_read["encryption"],
        serde_json::json!({"enabled": false, "algorithm": null, "kms_key_arn": null})
    );
    assert_eq!(
        plain_read["automatic_backups"], false,
        "no backup policy (PolicyNotFound) is the fact that backups are off"
    );
    assert_eq!(
        plain_read["provenance"]["automatic_backups"]["operation"],
        "elasticfilesystem:DescribeBackupPolicy"
    );

    expect(&f.findings, "encryption.efs-kms-cmk", shared, "PASS");
    expect(&f.findings, "encryption.efs-kms-cmk", plain, "FAIL");
    expect(&f.findings, "backup.efs-automatic-backups", shared, "PASS");
    expect(&f.findings, "backup.efs-automatic-backups", plain, "FAIL");
    expect(&f.findings, "residency.efs-region", shared, "FAIL");
    expect(&f.findings, "residency.efs-region", plain, "PASS");
    expect(&f.findings, "residency.efs-region", us, "FAIL");
}

/// `DescribeBackupPolicy` denied: the file systems are still listed and judged on what was
/// read, their backups GAP. `DescribeFileSystems` denied in us-east-1: that region's file
/// systems are not known to be absent. `DescribeReplicationConfigurations` denied: the
/// replica regions are unread, the residency rule GAP where it would otherwise pass.
#[test]
fn a_denied_backup_policy_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "elasticfilesystem:DescribeBackupPolicy"
            || r.operation == "elasticfilesystem:DescribeReplicationConfigurations"
            || (r.operation == "elasticfilesystem:DescribeFileSystems" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let shared = seed_str(&f.seed, "efs_shared_arn");
    let plain = seed_str(&f.seed, "efs_plain_arn");
    let read = resource(&snapshot, shared);
    let unread: BTreeSet<&str> = read["unread"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["group"].as_str())
        .collect();
    assert_eq!(
        unread,
        BTreeSet::from(["automatic_backups", "replica_regions"]),
        "{read:#}"
    );
    assert_eq!(
        read["encryption"]["enabled"], true,
        "the listing still read"
    );
    let efs_gaps: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["service"] == "elasticfilesystem")
        .collect();
    assert!(
        efs_gaps.iter().any(
            |g| g["operation"] == "elasticfilesystem:DescribeFileSystems"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDeniedException"
                && g["resource_types"] == serde_json::json!(["aws_efs_file_system"])
        ),
        "{efs_gaps:#?}"
    );
    expect(&findings, "encryption.efs-kms-cmk", shared, "PASS");
    expect(&findings, "backup.efs-automatic-backups", shared, "GAP");
    expect(&findings, "residency.efs-region", plain, "GAP");
    assert!(
        rule_statuses(&findings, "residency.efs-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.efs-region")
    );
    expect_no_pass(&findings, &["backup.efs-automatic-backups"]);
}

#[test]
fn file_systems_listed_in_two_pages_are_all_read() {
    let f = full();
    let key = seed_str(&f.seed, "cmk");
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(
        vec![recorded::file_systems_in_two_pages(FULL_ACCOUNT, key)],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("elasticfilesystem:DescribeFileSystems"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_efs_file_system")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .collect();
    let ids: BTreeSet<&str> = home.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from(["fs-0aaaaaaaaaaaaaaa1", "fs-0bbbbbbbbbbbbbbb2"])
    );
    let pages: BTreeSet<String> = home
        .iter()
        .map(|r| r["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(
        pages.len(),
        2,
        "each file system cites the page it was listed on"
    );
    let second =
        format!("arn:aws:elasticfilesystem:{HOME}:{FULL_ACCOUNT}:file-system/fs-0bbbbbbbbbbbbbbb2");
    expect(&findings, "encryption.efs-kms-cmk", &second, "FAIL");
}
