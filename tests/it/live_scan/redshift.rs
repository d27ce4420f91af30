//! Redshift: clusters with their key, public access, snapshot retention and cross-region
//! snapshot copy, and cluster snapshots with who they are shared with (recorded: moto
//! implements no snapshot sharing); a denied listing in a region; clusters listed in two
//! pages.

use super::*;

/// The done-when: an encrypted private cluster copying its snapshots to us-east-1, an
/// unencrypted public one, and one in us-east-1, give the right PASS/FAIL per cluster.
#[test]
fn clusters_and_snapshots_are_read_and_judged() {
    let f = full();
    let warehouse = seed_str(&f.seed, "redshift_warehouse");
    let scratch = seed_str(&f.seed, "redshift_scratch");
    let us = seed_str(&f.seed, "redshift_us");
    let read = resource(&f.snapshot, warehouse);
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["publicly_accessible"], false);
    assert_eq!(read["automated_snapshot_retention_days"], 7);
    assert_eq!(read["snapshot_copy_region"], OTHER);
    assert_eq!(read["snapshot_copy_retention_days"], 7);
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    let manual = resource(&f.snapshot, seed_str(&f.seed, "redshift_snapshot"));
    assert_eq!(manual["snapshot_type"], "manual");
    assert_eq!(manual["cluster_id"], "warehouse");
    assert_eq!(manual["encryption"]["enabled"], true);
    assert_eq!(manual["shared_with"], serde_json::json!([]));
    assert!(
        resources(&f.snapshot, "aws_redshift_snapshot")
            .iter()
            .any(|s| s["region"] == OTHER),
        "us-east-1's snapshots are read there"
    );

    expect(
        &f.findings,
        "encryption.redshift-kms-cmk",
        warehouse,
        "PASS",
    );
    expect(&f.findings, "encryption.redshift-kms-cmk", scratch, "FAIL");
    expect(
        &f.findings,
        "network.redshift-not-public",
        warehouse,
        "PASS",
    );
    expect(&f.findings, "network.redshift-not-public", scratch, "FAIL");
    expect(
        &f.findings,
        "backup.redshift-snapshot-retention",
        warehouse,
        "PASS",
    );
    expect(
        &f.findings,
        "backup.redshift-snapshot-retention",
        scratch,
        "FAIL",
    );
    expect(&f.findings, "residency.redshift-region", warehouse, "PASS");
    expect(&f.findings, "residency.redshift-region", us, "FAIL");
    expect(
        &f.findings,
        "residency.redshift-snapshot-copy-region",
        warehouse,
        "FAIL",
    );
    expect(
        &f.findings,
        "residency.redshift-snapshot-copy-region",
        scratch,
        "PASS",
    );
}

/// `DescribeClusters` denied in us-east-1: that region's clusters are not known to be
/// absent, so the region rule GAPs there; the snapshots still listed there are judged.
#[test]
fn a_region_whose_clusters_could_not_be_listed_is_a_gap() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "redshift:DescribeClusters" && r.region == OTHER).then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let redshift_gaps: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["service"] == "redshift")
        .collect();
    assert!(
        redshift_gaps
            .iter()
            .any(|g| g["operation"] == "redshift:DescribeClusters"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDenied"
                && g["resource_types"] == serde_json::json!(["aws_redshift_cluster"])),
        "{redshift_gaps:#?}"
    );
    assert!(
        rule_statuses(&findings, "residency.redshift-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.redshift-region")
    );
    expect(
        &findings,
        "residency.redshift-region",
        seed_str(&f.seed, "redshift_warehouse"),
        "PASS",
    );
}

#[test]
fn clusters_listed_in_two_pages_are_all_read() {
    let f = full();
    let key = seed_str(&f.seed, "cmk");
    let (ran, snapshot, findings, proxy, _dir) =
        faulted_scan(vec![recorded::redshift_clusters_in_two_pages(key)], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("redshift:DescribeClusters"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_redshift_cluster")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .collect();
    let ids: BTreeSet<&str> = home.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from(["billing-warehouse", "ledger-warehouse"])
    );
    let pages: BTreeSet<String> = home
        .iter()
        .map(|r| r["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(
        pages.len(),
        2,
        "each cluster cites the page it was listed on"
    );
    let arn = |id: &str| format!("arn:aws:redshift:{HOME}:{FULL_ACCOUNT}:cluster:{id}");
    expect(
        &findings,
        "encryption.redshift-kms-cmk",
        &arn("billing-warehouse"),
        "PASS",
    );
    expect(
        &findings,
        "encryption.redshift-kms-cmk",
        &arn("ledger-warehouse"),
        "FAIL",
    );
    expect(
        &findings,
        "residency.redshift-snapshot-copy-region",
        &arn("billing-warehouse"),
        "FAIL",
    );
}

/// A manual snapshot shared with an account outside the scan and the profile's trusted
/// ones fails sharing (recorded `AccountsWithRestoreAccess`).
#[test]
fn a_snapshot_shared_with_an_unknown_account_fails() {
    let f = full();
    let key = seed_str(&f.seed, "cmk");
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(
        vec![recorded::redshift_shared_snapshot(FULL_ACCOUNT, key)],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let arn =
        format!("arn:aws:redshift:{HOME}:{FULL_ACCOUNT}:snapshot:warehouse/warehouse-handover");
    assert_eq!(
        resource(&snapshot, &arn)["shared_with"],
        serde_json::json!(["999988887777"])
    );
    expect(
        &findings,
        "residency.redshift-snapshot-sharing",
        &arn,
        "FAIL",
    );
    expect(&findings, "encryption.redshift-kms-cmk", &arn, "PASS");
}
