//! Kinesis: data streams with their key and retention; a denied summary and a region not
//! read; streams listed in two pages.

use super::*;

/// The done-when: a stream on the customer key, an unencrypted one and one in us-east-1
/// give the right PASS/FAIL per stream.
#[test]
fn streams_are_read_and_judged() {
    let f = full();
    let clicks = seed_str(&f.seed, "stream_clicks");
    let audit = seed_str(&f.seed, "stream_audit");
    let us = seed_str(&f.seed, "stream_us");
    let read = resource(&f.snapshot, clicks);
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["retention_hours"], 168);
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    assert_eq!(resource(&f.snapshot, audit)["encryption"]["enabled"], false);

    expect(
        &f.findings,
        "encryption.kinesis-stream-kms-cmk",
        clicks,
        "PASS",
    );
    expect(
        &f.findings,
        "encryption.kinesis-stream-kms-cmk",
        audit,
        "FAIL",
    );
    expect(
        &f.findings,
        "residency.kinesis-stream-region",
        clicks,
        "PASS",
    );
    expect(&f.findings, "residency.kinesis-stream-region", us, "FAIL");
}

/// `DescribeStreamSummary` denied: the streams are still listed and their regions judged,
/// their encryption unread (GAP). `ListStreams` denied in us-east-1: that region's streams
/// are not known to be absent.
#[test]
fn a_denied_summary_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "kinesis:DescribeStreamSummary"
            || (r.operation == "kinesis:ListStreams" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let clicks = seed_str(&f.seed, "stream_clicks");
    let read = resource(&snapshot, clicks);
    assert!(
        read["unread"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["group"] == "encryption"),
        "{read:#}"
    );
    assert!(
        gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "kinesis:ListStreams"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDeniedException"
                && g["resource_types"] == serde_json::json!(["aws_kinesis_stream"])),
        "{:#?}",
        gaps(&snapshot)
    );
    expect(
        &findings,
        "encryption.kinesis-stream-kms-cmk",
        clicks,
        "GAP",
    );
    expect(&findings, "residency.kinesis-stream-region", clicks, "PASS");
    assert!(
        rule_statuses(&findings, "residency.kinesis-stream-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.kinesis-stream-region")
    );
    expect_no_pass(&findings, &["encryption.kinesis-stream-kms-cmk"]);
}

/// `ListStreams` in two pages (recorded: `HasMoreStreams` with a `NextToken`), each stream
/// citing its page.
#[test]
fn streams_listed_in_two_pages_are_all_read() {
    let (ran, snapshot, _findings, proxy, _dir) =
        faulted_scan(vec![recorded::streams_in_two_pages(FULL_ACCOUNT)], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("kinesis:ListStreams"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_kinesis_stream")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .collect();
    let names: BTreeSet<&str> = home.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, BTreeSet::from(["audit", "clicks"]));
    let pages: BTreeSet<String> = home
        .iter()
        .map(|r| r["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(
        pages.len(),
        2,
        "each stream cites the page it was listed on"
    );
}
