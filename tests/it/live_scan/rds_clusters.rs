//! RDS DB clusters and cluster snapshots: encryption, engines beyond Aurora, a global
//! database with a secondary in another region, who a snapshot is shared with; a denied
//! global-database read and a region whose clusters could not be listed; clusters listed
//! in two pages; and RDS instances' replicated automated backups and cross-region read
//! replicas (recorded: moto implements neither).

use super::*;

/// The done-when: each seeded cluster and cluster snapshot, in the allowed region and the
/// other, encrypted and not, gives the right PASS/FAIL.
#[test]
fn clusters_and_cluster_snapshots_are_read_and_judged() {
    let f = full();
    let orders = seed_str(&f.seed, "cluster_orders");
    let orders_us = seed_str(&f.seed, "cluster_orders_us");
    let graph = seed_str(&f.seed, "cluster_graph");
    let public = seed_str(&f.seed, "cluster_snapshot_public");
    let private = seed_str(&f.seed, "cluster_snapshot_orders");

    let read = resource(&f.snapshot, orders);
    assert_eq!(read["engine"], "aurora-postgresql");
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["backup_retention_days"], 14);
    assert_eq!(read["global_cluster_id"], "orders-global");
    assert_eq!(
        read["replica_regions"],
        serde_json::json!([OTHER]),
        "the global database's secondary"
    );
    assert_eq!(read["tags"]["data"], "client");
    assert!(
        read["provenance"]["replica_regions"]["operation"] == "rds:DescribeGlobalClusters",
        "{read:#}"
    );
    let graph_read = resource(&f.snapshot, graph);
    assert_eq!(graph_read["engine"], "neptune");
    assert_eq!(
        graph_read["encryption"],
        serde_json::json!({"enabled": false, "algorithm": null, "kms_key_arn": null})
    );
    assert_eq!(
        resource(&f.snapshot, public)["shared_with"],
        serde_json::json!(["all"])
    );
    assert_eq!(
        resource(&f.snapshot, private)["shared_with"],
        serde_json::json!([])
    );

    expect(
        &f.findings,
        "encryption.rds-cluster-kms-cmk",
        orders,
        "PASS",
    );
    expect(&f.findings, "encryption.rds-cluster-kms-cmk", graph, "FAIL");
    expect(&f.findings, "backup.rds-retention-period", orders, "PASS");
    expect(&f.findings, "backup.rds-retention-period", graph, "FAIL");
    expect(&f.findings, "residency.rds-region", orders, "PASS");
    expect(&f.findings, "residency.rds-region", orders_us, "FAIL");
    expect(&f.findings, "residency.rds-replica-regions", orders, "FAIL");
    expect(&f.findings, "residency.rds-replica-regions", graph, "PASS");
    expect(
        &f.findings,
        "residency.rds-snapshot-sharing",
        public,
        "FAIL",
    );
    expect(
        &f.findings,
        "residency.rds-snapshot-sharing",
        private,
        "PASS",
    );
    expect(
        &f.findings,
        "encryption.rds-snapshot-kms-cmk",
        public,
        "FAIL",
    );
    expect(
        &f.findings,
        "encryption.rds-snapshot-kms-cmk",
        private,
        "PASS",
    );
    // The automated snapshots moto takes at creation are read too.
    assert!(
        resources(&f.snapshot, "aws_rds_cluster_snapshot")
            .iter()
            .any(|s| s["snapshot_type"] == "automated"),
        "automated cluster snapshots are listed"
    );
}

/// `DescribeGlobalClusters` denied: the clusters are still listed, the global database
/// member's replica regions unread (GAP, never PASS), a cluster outside any global
/// database still judged. `DescribeDBClusters` denied in us-east-1: that region's clusters
/// are not known to be absent.
#[test]
fn a_denied_global_database_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "rds:DescribeGlobalClusters"
            || (r.operation == "rds:DescribeDBClusters" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let orders = seed_str(&f.seed, "cluster_orders");
    let graph = seed_str(&f.seed, "cluster_graph");
    let read = resource(&snapshot, orders);
    assert_eq!(read["unread"][0]["group"], "replica_regions", "{read:#}");
    assert_eq!(read["replica_regions"], serde_json::json!([]));
    assert_eq!(
        read["encryption"]["enabled"], true,
        "the listing still read"
    );
    assert!(
        gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "rds:DescribeDBClusters"
                && g["region"] == OTHER
                && g["resource_types"] == serde_json::json!(["aws_rds_cluster"])),
        "{:#?}",
        gaps(&snapshot)
    );
    expect(&findings, "residency.rds-replica-regions", orders, "GAP");
    expect(&findings, "residency.rds-replica-regions", graph, "PASS");
    assert!(
        rule_statuses(&findings, "residency.rds-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.rds-region")
    );
}

/// Clusters in two pages (recorded: moto pages only past 100), each citing its page, with
/// read replica clusters in other regions named by ARN.
#[test]
fn clusters_listed_in_two_pages_are_all_read() {
    let f = full();
    let key = seed_str(&f.seed, "cmk");
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(
        vec![recorded::clusters_in_two_pages(FULL_ACCOUNT, key)],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("rds:DescribeDBClusters"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_rds_cluster")
        .into_iter()
        .filter(|c| c["region"] == HOME)
        .collect();
    let names: BTreeSet<&str> = home.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(names, BTreeSet::from(["billing-aurora", "ledger-aurora"]));
    let pages: BTreeSet<String> = home
        .iter()
        .map(|c| c["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(
        pages.len(),
        2,
        "each cluster cites the page it was listed on"
    );
    let billing = format!("arn:aws:rds:{HOME}:{FULL_ACCOUNT}:cluster:billing-aurora");
    let ledger = format!("arn:aws:rds:{HOME}:{FULL_ACCOUNT}:cluster:ledger-aurora");
    assert_eq!(
        resource(&snapshot, &billing)["replica_regions"],
        serde_json::json!(["eu-west-1"])
    );
    expect(&findings, "residency.rds-replica-regions", &billing, "FAIL");
    expect(&findings, "residency.rds-replica-regions", &ledger, "FAIL");
}

/// An instance's replicated automated backups and cross-region read replica, as AWS
/// reports them on the instance (recorded), are judged from the source's region.
#[test]
fn replicated_backups_and_replicas_of_an_instance_are_judged() {
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(
        vec![recorded::instance_with_replicated_backups(FULL_ACCOUNT)],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let payments = format!("arn:aws:rds:{HOME}:{FULL_ACCOUNT}:db:payments");
    let read = resource(&snapshot, &payments);
    assert_eq!(read["replica_regions"], serde_json::json!(["us-west-2"]));
    assert_eq!(
        read["backup_replication_regions"],
        serde_json::json!(["eu-west-1"])
    );
    expect(
        &findings,
        "residency.rds-replica-regions",
        &payments,
        "FAIL",
    );
}
