//! AWS Config's inventory, the catch-all: every recorded resource located, a data store of
//! a type assay has no collector for caught outside the allowed regions; a region where
//! Config is not recording, or where the query is denied, is a gap for it.

use super::*;

fn inventory_arn(region: &str, kind: &str, id: &str) -> String {
    format!("arn:aws:config:{region}:{FULL_ACCOUNT}:inventory/{kind}/{id}")
}

/// The done-when: a resource of a type with no collector (a Redshift cluster), in a
/// region that is not allowed, is caught by the catch-all rule; the inventory is read in
/// two pages at home.
#[test]
fn the_catch_all_locates_a_store_assay_has_no_collector_for() {
    let f = full();
    let items = resources(&f.snapshot, "aws_config_resource");
    assert_eq!(
        items.len(),
        5,
        "two pages at home, one in us-east-1: {items:#?}"
    );
    let warehouse_other = inventory_arn(OTHER, "AWS::Redshift::Cluster", recorded::WAREHOUSE_OTHER);
    let item = resource(&f.snapshot, &warehouse_other);
    assert_eq!(item["resource_type"], "AWS::Redshift::Cluster");
    assert_eq!(item["detailed_as"], Value::Null);
    assert_eq!(item["account"], FULL_ACCOUNT);
    let orders = inventory_arn(HOME, "AWS::DynamoDB::Table", "orders");
    assert_eq!(
        resource(&f.snapshot, &orders)["detailed_as"],
        "aws_dynamodb_table"
    );
    let pages: BTreeSet<String> = items
        .iter()
        .filter(|i| i["region"] != OTHER)
        .map(|i| i["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(pages.len(), 2, "items cite the page they were listed on");

    let rule = "residency.inventory-data-region";
    expect(&f.findings, rule, &warehouse_other, "FAIL");
    expect(
        &f.findings,
        rule,
        &inventory_arn(OTHER, "AWS::DynamoDB::Table", "sessions-us"),
        "FAIL",
    );
    expect(
        &f.findings,
        rule,
        &inventory_arn(HOME, "AWS::Redshift::Cluster", recorded::WAREHOUSE_HOME),
        "PASS",
    );
    expect(&f.findings, rule, &orders, "PASS");
    expect(
        &f.findings,
        rule,
        &inventory_arn("global", "AWS::IAM::Role", "AROAAPP"),
        "NOT_APPLICABLE",
    );
}

/// Config stopped in us-east-1 (the recorder's status says not recording) and the query
/// denied at home: the catch-all could look nowhere, and says so in both regions.
#[test]
fn not_recording_and_a_denied_query_are_gaps_for_the_catch_all() {
    let faults: Rule = Box::new(|r: &Request| match r.operation.as_str() {
        "config:SelectResourceConfig" if r.region == HOME => Some(denied(r)),
        "config:DescribeConfigurationRecorderStatus" if r.region == OTHER => {
            Some(recorded::aws_json(serde_json::json!({
                "ConfigurationRecordersStatus": [
                    {"name": "default", "recording": false, "lastStatus": "SUCCESS"}
                ]
            })))
        }
        _ => None,
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![faults], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    assert!(resources(&snapshot, "aws_config_resource").is_empty());
    let inventory_gaps: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["resource_types"] == serde_json::json!(["aws_config_resource"]))
        .collect();
    let codes: BTreeSet<(&str, &str)> = inventory_gaps
        .iter()
        .map(|g| {
            (
                g["region"].as_str().unwrap(),
                g["error_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        BTreeSet::from([
            (HOME, "AccessDeniedException"),
            (OTHER, "ConfigNotRecording")
        ]),
        "{inventory_gaps:#?}"
    );
    let statuses = rule_statuses(&findings, "residency.inventory-data-region");
    for region in [HOME, OTHER] {
        assert!(
            statuses
                .iter()
                .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{region}") && s == "GAP"),
            "{statuses:?}"
        );
    }
    assert!(statuses.iter().all(|(_, s)| s != "PASS"), "{statuses:?}");
}
