//! DynamoDB: tables with their key, replicas, point-in-time recovery and on-demand
//! backups; a denied description and a region not read; tables listed in two pages.

use super::*;

fn table(seed: &Value, key: &str) -> String {
    seed_str(seed, key).to_string()
}

/// The done-when: one table of each kind, in the allowed and the other region, encrypted
/// with a customer key and not, gives the right PASS/FAIL per table.
#[test]
fn tables_are_read_and_judged() {
    let f = full();
    let orders = resource(&f.snapshot, &table(&f.seed, "table_orders"));
    assert_eq!(orders["sse_type"], "KMS");
    assert_eq!(
        orders["encryption"]["kms_key_arn"],
        seed_str(&f.seed, "cmk")
    );
    assert_eq!(orders["point_in_time_recovery"], true);
    assert_eq!(orders["on_demand_backups"], 1);
    assert_eq!(orders["replica_regions"], serde_json::json!(["eu-west-1"]));
    assert_eq!(orders["tags"]["data"], "client");
    assert_eq!(orders["unread"], serde_json::json!([]));
    let sessions = resource(&f.snapshot, &table(&f.seed, "table_sessions"));
    assert_eq!(
        sessions["encryption"],
        serde_json::json!({"enabled": true, "algorithm": "AES256", "kms_key_arn": null}),
        "the default key AWS owns"
    );
    assert_eq!(sessions["point_in_time_recovery"], false);
    assert_eq!(sessions["on_demand_backups"], 0);

    let (orders, sessions, us) = (
        table(&f.seed, "table_orders"),
        table(&f.seed, "table_sessions"),
        table(&f.seed, "table_us"),
    );
    expect(&f.findings, "encryption.dynamodb-kms-cmk", &orders, "PASS");
    expect(
        &f.findings,
        "encryption.dynamodb-kms-cmk",
        &sessions,
        "FAIL",
    );
    // The replica in eu-west-1 (a recorded answer: moto keeps no replicas).
    expect(&f.findings, "residency.dynamodb-region", &orders, "FAIL");
    expect(&f.findings, "residency.dynamodb-region", &sessions, "PASS");
    expect(&f.findings, "residency.dynamodb-region", &us, "FAIL");
    expect(
        &f.findings,
        "backup.dynamodb-point-in-time-recovery",
        &orders,
        "PASS",
    );
    expect(
        &f.findings,
        "backup.dynamodb-point-in-time-recovery",
        &sessions,
        "FAIL",
    );
}

/// `DescribeTable` denied: the tables are still listed, their encryption and replicas
/// unread, and the rules on them GAP. `ListTables` denied in us-east-1: that region's
/// tables are not known to be absent, so the residency rule is GAP there.
#[test]
fn a_denied_description_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "dynamodb:DescribeTable"
            || (r.operation == "dynamodb:ListTables" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let orders = table(&f.seed, "table_orders");
    let read = resource(&snapshot, &orders);
    let unread: BTreeSet<&str> = read["unread"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["group"].as_str())
        .collect();
    assert!(
        unread.contains("encryption") && unread.contains("replica_regions"),
        "{read:#}"
    );
    assert_eq!(
        read["point_in_time_recovery"], true,
        "other calls still read"
    );
    let dynamo_gaps: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["service"] == "dynamodb")
        .collect();
    assert!(
        dynamo_gaps
            .iter()
            .any(|g| g["operation"] == "dynamodb:ListTables"
                && g["region"] == OTHER
                && g["resource_types"] == serde_json::json!(["aws_dynamodb_table"])),
        "{dynamo_gaps:#?}"
    );
    expect(&findings, "encryption.dynamodb-kms-cmk", &orders, "GAP");
    expect(&findings, "residency.dynamodb-region", &orders, "GAP");
    assert!(
        rule_statuses(&findings, "residency.dynamodb-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.dynamodb-region")
    );
    expect_no_pass(&findings, &["encryption.dynamodb-kms-cmk"]);
}

#[test]
fn tables_listed_in_two_pages_are_all_read() {
    let f = full();
    let (ran, snapshot, _findings, proxy, _dir) =
        faulted_scan(vec![recorded::tables_in_two_pages()], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("dynamodb:ListTables"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_dynamodb_table")
        .into_iter()
        .filter(|t| t["region"] == HOME)
        .collect();
    let names: BTreeSet<&str> = home.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(names, BTreeSet::from(["orders", "sessions"]));
    let pages: BTreeSet<String> = home
        .iter()
        .map(|t| t["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(pages.len(), 2, "each table cites the page it was listed on");
    let _ = f;
}
