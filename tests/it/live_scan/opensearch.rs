//! OpenSearch: domains with encryption at rest and in transit, public access and the
//! regions of their cross-cluster connections (recorded: moto implements no
//! connections); a denied connection listing and a region not read; six domains described
//! five at a time and connections in two pages.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::*;

/// A rule that claims nothing: it holds each `es:DescribeDomains` request until another is
/// in flight beside it (or 10 s have passed), and keeps the most it saw at once.
fn describes_at_once() -> (Rule, Arc<AtomicUsize>) {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let seen = peak.clone();
    let rule: Rule = Box::new(move |r: &Request| {
        if r.operation != "es:DescribeDomains" {
            return None;
        }
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        seen.fetch_max(now, Ordering::SeqCst);
        let since = Instant::now();
        while seen.load(Ordering::SeqCst) < 2 && since.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        in_flight.fetch_sub(1, Ordering::SeqCst);
        None
    });
    (rule, peak)
}

/// The done-when: an encrypted domain in a VPC connected to eu-west-1, an unencrypted one
/// open to anyone, and one in us-east-1, give the right PASS/FAIL per domain.
#[test]
fn domains_are_read_and_judged() {
    let f = full();
    let search = seed_str(&f.seed, "opensearch_search");
    let logs = seed_str(&f.seed, "opensearch_logs");
    let us = seed_str(&f.seed, "opensearch_logs_us");
    let read = resource(&f.snapshot, search);
    assert_eq!(
        read["encryption"]["kms_key_arn"],
        seed_str(&f.seed, "cmk"),
        "the key id DescribeDomains gives is resolved to its ARN"
    );
    assert_eq!(read["node_to_node_encryption"], true);
    assert_eq!(read["connection_regions"], serde_json::json!(["eu-west-1"]));
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    let open = resource(&f.snapshot, logs);
    assert_eq!(
        open["access_policy"]["Statement"][0]["Principal"]["AWS"],
        serde_json::json!(["*"])
    );

    expect(&f.findings, "encryption.opensearch-kms-cmk", search, "PASS");
    expect(&f.findings, "encryption.opensearch-kms-cmk", logs, "FAIL");
    expect(
        &f.findings,
        "encryption.opensearch-in-transit",
        search,
        "PASS",
    );
    expect(
        &f.findings,
        "encryption.opensearch-in-transit",
        logs,
        "FAIL",
    );
    expect(&f.findings, "network.opensearch-not-public", search, "PASS");
    expect(&f.findings, "network.opensearch-not-public", logs, "FAIL");
    expect(&f.findings, "residency.opensearch-region", search, "FAIL");
    expect(&f.findings, "residency.opensearch-region", logs, "PASS");
    expect(&f.findings, "residency.opensearch-region", us, "FAIL");
}

/// `DescribeOutboundConnections` denied: the domains are still read and judged on what
/// was read, their connection regions unread, the residency rule GAP where it would
/// otherwise pass. `ListDomainNames` denied in us-east-1: that region's domains are not
/// known to be absent.
#[test]
fn denied_connections_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "es:DescribeOutboundConnections"
            || (r.operation == "es:ListDomainNames" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let search = seed_str(&f.seed, "opensearch_search");
    let logs = seed_str(&f.seed, "opensearch_logs");
    let read = resource(&snapshot, search);
    assert_eq!(read["unread"][0]["group"], "connection_regions", "{read:#}");
    expect(&findings, "encryption.opensearch-kms-cmk", search, "PASS");
    expect(&findings, "residency.opensearch-region", logs, "GAP");
    let es_gaps: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["service"] == "es")
        .collect();
    assert!(
        es_gaps
            .iter()
            .any(|g| g["operation"] == "es:ListDomainNames"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDeniedException"
                && g["resource_types"] == serde_json::json!(["aws_opensearch_domain"])),
        "{es_gaps:#?}"
    );
    assert!(
        rule_statuses(&findings, "residency.opensearch-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.opensearch-region")
    );
}

/// The two batches are described at once, not one after the other (the live-scan
/// benchmark saw a region of 333 domains wait on 67 batches with one call in flight).
#[test]
fn six_domains_and_two_pages_of_connections_are_all_read() {
    let f = full();
    let key = seed_str(&f.seed, "cmk");
    let (overlap, peak) = describes_at_once();
    let mut rules = vec![overlap];
    rules.extend(recorded::domains_in_two_batches(FULL_ACCOUNT, key));
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(rules, &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("es:DescribeDomains"),
        2,
        "five names, then one, at home; none where no domain is listed"
    );
    assert_eq!(
        peak.load(Ordering::SeqCst),
        2,
        "both DescribeDomains batches in flight together"
    );
    assert_eq!(
        proxy.count("es:DescribeOutboundConnections"),
        2,
        "two pages at home; not read where the region has no domain"
    );
    let home: BTreeSet<&str> = resources(&snapshot, "aws_opensearch_domain")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(home.len(), 6, "{home:?}");
    let arn = |n: &str| format!("arn:aws:es:{HOME}:{FULL_ACCOUNT}:domain/{n}");
    let first = resource(&snapshot, &arn("catalogue-1"));
    assert_eq!(
        first["connection_regions"],
        serde_json::json!(["eu-west-1"])
    );
    assert_eq!(
        resource(&snapshot, &arn("catalogue-6"))["connection_regions"],
        serde_json::json!(["ap-southeast-4"]),
        "the second page's connection"
    );
    assert_eq!(
        resource(&snapshot, &arn("catalogue-2"))["connection_regions"],
        serde_json::json!([]),
        "a deleted connection is left out"
    );
    expect(
        &findings,
        "residency.opensearch-region",
        &arn("catalogue-1"),
        "FAIL",
    );
    expect(
        &findings,
        "residency.opensearch-region",
        &arn("catalogue-3"),
        "PASS",
    );
}
