//! SQS: queues with their encryption (a KMS key, SSE-SQS or none), retention and access
//! policy; denied attributes and a region not read; queues listed in two pages.

use super::*;

/// The done-when: a queue on the customer key with a policy for its own account, one with
/// SSE-SQS read by another account, and an unencrypted one in us-east-1 give the right
/// PASS/FAIL per queue.
#[test]
fn queues_are_read_and_judged() {
    let f = full();
    let orders = seed_str(&f.seed, "queue_orders");
    let jobs = seed_str(&f.seed, "queue_jobs");
    let us = seed_str(&f.seed, "queue_us");
    let read = resource(&f.snapshot, orders);
    assert_eq!(read["name"], "orders");
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    assert_eq!(
        read["provenance"]["encryption"]["operation"],
        "sqs:GetQueueAttributes"
    );
    let jobs_read = resource(&f.snapshot, jobs);
    assert_eq!(
        jobs_read["encryption"],
        serde_json::json!({"enabled": true, "algorithm": "AES256", "kms_key_arn": null}),
        "SSE-SQS: encrypted with keys SQS owns"
    );
    assert_eq!(jobs_read["message_retention_seconds"], 1_209_600);
    assert_eq!(
        jobs_read["policy"]["Statement"][0]["Principal"]["AWS"],
        serde_json::json!(["arn:aws:iam::999988887777:root"])
    );
    assert_eq!(resource(&f.snapshot, us)["encryption"]["enabled"], false);

    expect(&f.findings, "encryption.sqs-queue-kms-cmk", orders, "PASS");
    expect(&f.findings, "encryption.sqs-queue-kms-cmk", jobs, "FAIL");
    expect(&f.findings, "encryption.sqs-queue-kms-cmk", us, "FAIL");
    expect(&f.findings, "residency.sqs-queue-region", orders, "PASS");
    expect(&f.findings, "residency.sqs-queue-region", us, "FAIL");
    expect(
        &f.findings,
        "residency.resource-policy-sharing",
        orders,
        "PASS",
    );
    expect(
        &f.findings,
        "residency.resource-policy-sharing",
        jobs,
        "FAIL",
    );
    expect(&f.findings, "residency.resource-policy-sharing", us, "PASS");
}

/// `GetQueueAttributes` denied: the queues are still listed and their regions judged,
/// their encryption and policy unread (GAP). `ListQueues` denied in us-east-1: that
/// region's queues are not known to be absent.
#[test]
fn denied_attributes_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "sqs:GetQueueAttributes"
            || (r.operation == "sqs:ListQueues" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let orders = seed_str(&f.seed, "queue_orders");
    let read = resource(&snapshot, orders);
    let unread: BTreeSet<&str> = read["unread"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["group"].as_str())
        .collect();
    assert!(
        unread.contains("encryption") && unread.contains("policy"),
        "{read:#}"
    );
    assert!(
        gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "sqs:ListQueues"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDeniedException"
                && g["resource_types"] == serde_json::json!(["aws_sqs_queue"])),
        "{:#?}",
        gaps(&snapshot)
    );
    expect(&findings, "encryption.sqs-queue-kms-cmk", orders, "GAP");
    expect(
        &findings,
        "residency.resource-policy-sharing",
        orders,
        "GAP",
    );
    expect(&findings, "residency.sqs-queue-region", orders, "PASS");
    assert!(
        rule_statuses(&findings, "residency.sqs-queue-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.sqs-queue-region")
    );
    expect_no_pass(&findings, &["encryption.sqs-queue-kms-cmk"]);
}

/// `ListQueues` in two pages (recorded: AWS pages only with `MaxResults`, which the
/// collector sets), each queue citing its page.
#[test]
fn queues_listed_in_two_pages_are_all_read() {
    let (ran, snapshot, _findings, proxy, _dir) =
        faulted_scan(vec![recorded::queues_in_two_pages(FULL_ACCOUNT)], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("sqs:ListQueues"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_sqs_queue")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .collect();
    let names: BTreeSet<&str> = home.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, BTreeSet::from(["jobs", "orders"]));
    assert!(home.iter().all(|r| r["unread"] == serde_json::json!([])));
    let pages: BTreeSet<String> = home
        .iter()
        .map(|r| r["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(pages.len(), 2, "each queue cites the page it was listed on");
}
