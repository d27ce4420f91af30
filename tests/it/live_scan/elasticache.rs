//! ElastiCache: replication groups and cache clusters outside them with encryption at
//! rest and in transit and snapshot retention; global datastore members (recorded: moto
//! implements no global datastores); denied global datastores and a region not read;
//! replication groups listed in two pages.

use super::*;

/// The done-when: an encrypted group with TLS and snapshots, a Memcached cluster, and an
/// unencrypted group in us-east-1 give the right PASS/FAIL per cache; a group's member
/// nodes are not listed as clusters of their own.
#[test]
fn caches_are_read_and_judged() {
    let f = full();
    let sessions = seed_str(&f.seed, "elasticache_sessions");
    let pages = seed_str(&f.seed, "elasticache_pages");
    let carts_us = seed_str(&f.seed, "elasticache_carts_us");
    let read = resource(&f.snapshot, sessions);
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["transit_encryption"], true);
    assert_eq!(read["snapshot_retention_days"], 7);
    assert_eq!(read["replica_regions"], serde_json::json!([]));
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    let clusters: Vec<&str> = resources(&f.snapshot, "aws_elasticache_cluster")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        clusters,
        vec!["pages"],
        "the groups' nodes are read as their groups"
    );
    assert_eq!(resource(&f.snapshot, pages)["engine"], "memcached");

    expect(
        &f.findings,
        "encryption.elasticache-kms-cmk",
        sessions,
        "PASS",
    );
    expect(&f.findings, "encryption.elasticache-kms-cmk", pages, "FAIL");
    expect(
        &f.findings,
        "encryption.elasticache-kms-cmk",
        carts_us,
        "FAIL",
    );
    expect(
        &f.findings,
        "encryption.elasticache-in-transit",
        sessions,
        "PASS",
    );
    expect(
        &f.findings,
        "encryption.elasticache-in-transit",
        pages,
        "FAIL",
    );
    expect(
        &f.findings,
        "backup.elasticache-snapshot-retention",
        sessions,
        "PASS",
    );
    expect(
        &f.findings,
        "backup.elasticache-snapshot-retention",
        pages,
        "PASS",
    );
    expect(
        &f.findings,
        "backup.elasticache-snapshot-retention",
        carts_us,
        "FAIL",
    );
    expect(
        &f.findings,
        "residency.elasticache-region",
        sessions,
        "PASS",
    );
    expect(
        &f.findings,
        "residency.elasticache-region",
        carts_us,
        "FAIL",
    );
    expect(
        &f.findings,
        "residency.elasticache-global-datastore-regions",
        sessions,
        "PASS",
    );
}

#[test]
fn replication_groups_in_two_pages_and_a_global_datastore_are_read() {
    let f = full();
    let key = seed_str(&f.seed, "cmk");
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(
        recorded::replication_groups_in_two_pages(FULL_ACCOUNT, key),
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("elasticache:DescribeReplicationGroups"),
        3,
        "two pages at home, one in us-east-1"
    );
    assert_eq!(
        proxy.count("elasticache:DescribeGlobalReplicationGroups"),
        1,
        "read once, in the only region with a group in a global datastore"
    );
    let arn = |id: &str| format!("arn:aws:elasticache:{HOME}:{FULL_ACCOUNT}:replicationgroup:{id}");
    let carts = resource(&snapshot, &arn("carts"));
    assert_eq!(carts["global_replication_group_id"], "ldgnf-carts");
    assert_eq!(carts["replica_regions"], serde_json::json!(["us-west-2"]));
    assert_eq!(
        carts["provenance"]["replica_regions"]["operation"],
        "elasticache:DescribeGlobalReplicationGroups"
    );
    assert_eq!(
        resource(&snapshot, &arn("orders-cache"))["replica_regions"],
        serde_json::json!([])
    );
    expect(
        &findings,
        "residency.elasticache-global-datastore-regions",
        &arn("carts"),
        "FAIL",
    );
    expect(
        &findings,
        "residency.elasticache-global-datastore-regions",
        &arn("orders-cache"),
        "PASS",
    );
}

/// `DescribeGlobalReplicationGroups` denied: the global datastore's members are unknown,
/// never none, so its rule GAPs for the group in one; `DescribeCacheClusters` denied in
/// us-east-1: that region's clusters are not known to be absent.
#[test]
fn denied_global_datastores_and_a_region_not_read_are_gaps() {
    let f = full();
    let key = seed_str(&f.seed, "cmk");
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "elasticache:DescribeGlobalReplicationGroups"
            || (r.operation == "elasticache:DescribeCacheClusters" && r.region == OTHER))
            .then(|| denied(r))
    });
    let mut rules = vec![deny];
    rules.extend(recorded::replication_groups_in_two_pages(FULL_ACCOUNT, key));
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(rules, &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let carts = format!("arn:aws:elasticache:{HOME}:{FULL_ACCOUNT}:replicationgroup:carts");
    let read = resource(&snapshot, &carts);
    assert_eq!(read["unread"][0]["group"], "replica_regions", "{read:#}");
    assert_eq!(
        read["encryption"]["enabled"], true,
        "the listing still read"
    );
    expect(
        &findings,
        "residency.elasticache-global-datastore-regions",
        &carts,
        "GAP",
    );
    let cache_gaps: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["service"] == "elasticache")
        .collect();
    assert!(
        cache_gaps
            .iter()
            .any(|g| g["operation"] == "elasticache:DescribeCacheClusters"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDenied"
                && g["resource_types"] == serde_json::json!(["aws_elasticache_cluster"])),
        "{cache_gaps:#?}"
    );
    assert!(
        rule_statuses(&findings, "residency.elasticache-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.elasticache-region")
    );
}
