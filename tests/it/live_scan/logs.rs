//! CloudWatch Logs: log groups with their key and retention; a denied listing and tags;
//! log groups listed in two pages.

use super::*;

/// The done-when: log groups in the allowed and the other region, with a customer key
/// and without, with a bounded and an unlimited retention, give the right PASS/FAIL.
#[test]
fn log_groups_are_read_and_judged() {
    let f = full();
    let (api, worker, us) = (
        seed_str(&f.seed, "log_api"),
        seed_str(&f.seed, "log_worker"),
        seed_str(&f.seed, "log_us"),
    );
    let read = resource(&f.snapshot, api);
    assert_eq!(read["retention_days"], 365);
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(resource(&f.snapshot, worker)["retention_days"], Value::Null);

    expect(&f.findings, "encryption.log-group-kms-cmk", api, "PASS");
    expect(&f.findings, "encryption.log-group-kms-cmk", worker, "FAIL");
    expect(&f.findings, "logging.log-group-retention", api, "PASS");
    expect(&f.findings, "logging.log-group-retention", worker, "FAIL");
    expect(&f.findings, "logging.log-group-retention", us, "FAIL");
    expect(&f.findings, "residency.log-group-region", api, "PASS");
    expect(&f.findings, "residency.log-group-region", us, "FAIL");
}

/// `DescribeLogGroups` denied in us-east-1 and `ListTagsForResource` everywhere: the
/// region's groups are a gap (the residency rule GAP there), the other groups are judged
/// with their tags unread.
#[test]
fn a_denied_listing_and_denied_tags_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "logs:ListTagsForResource"
            || (r.operation == "logs:DescribeLogGroups" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let api = seed_str(&f.seed, "log_api");
    let read = resource(&snapshot, api);
    assert_eq!(read["unread"][0]["group"], "tags", "{read:#}");
    assert!(
        resources(&snapshot, "aws_cloudwatch_log_group")
            .iter()
            .all(|g| g["region"] == HOME),
        "nothing listed in us-east-1"
    );
    assert!(
        gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "logs:DescribeLogGroups"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDeniedException"),
        "{:#?}",
        snapshot["gaps"]
    );
    expect(&findings, "encryption.log-group-kms-cmk", api, "PASS");
    assert!(
        rule_statuses(&findings, "residency.log-group-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.log-group-region")
    );
}

#[test]
fn log_groups_listed_in_two_pages_are_all_read() {
    let f = full();
    let rule = recorded::log_groups_in_two_pages(FULL_ACCOUNT, seed_str(&f.seed, "cmk"));
    let (ran, snapshot, _findings, proxy, _dir) = faulted_scan(vec![rule], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("logs:DescribeLogGroups"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_cloudwatch_log_group")
        .into_iter()
        .filter(|g| g["region"] == HOME)
        .collect();
    let names: BTreeSet<&str> = home.iter().filter_map(|g| g["id"].as_str()).collect();
    assert_eq!(names, BTreeSet::from(["/app/api", "/app/worker"]));
    let pages: BTreeSet<String> = home
        .iter()
        .map(|g| g["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(pages.len(), 2, "each group cites the page it was listed on");
}
