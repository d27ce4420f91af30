//! AWS Config's inventory, the catch-all: every recorded resource located, a data store of
//! a type assay has no collector for caught outside the allowed regions; a region where
//! Config is not recording, or where the query is denied, is a gap for it.

use super::*;

fn inventory_arn(region: &str, kind: &str, id: &str) -> String {
    format!("arn:aws:config:{region}:{FULL_ACCOUNT}:inventory/{kind}/{id}")
}

/// The done-when: a resource of a type with no collector (an MSK cluster), in a
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
    let stream_other = inventory_arn(OTHER, "AWS::MSK::Cluster", recorded::STREAM_OTHER);
    let item = resource(&f.snapshot, &stream_other);
    assert_eq!(item["resource_type"], "AWS::MSK::Cluster");
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
    expect(&f.findings, rule, &stream_other, "FAIL");
    expect(
        &f.findings,
        rule,
        &inventory_arn(OTHER, "AWS::DynamoDB::Table", "sessions-us"),
        "FAIL",
    );
    expect(
        &f.findings,
        rule,
        &inventory_arn(HOME, "AWS::MSK::Cluster", recorded::STREAM_HOME),
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

const AGGREGATOR: &str = "org-inventory";

/// `config:DescribeConfigurationAggregators` for an organisation aggregator gathering
/// every region, as the AWS Config API reference shows it (JSON 1.1; times in epoch
/// seconds).
fn organisation_aggregator(_: &Request) -> Reply {
    recorded::aws_json(serde_json::json!({
        "ConfigurationAggregators": [{
            "ConfigurationAggregatorName": AGGREGATOR,
            "ConfigurationAggregatorArn": format!("arn:aws:config:{HOME}:123456789012:config-aggregator/config-aggregator-k1m2n3o4"),
            "OrganizationAggregationSource": {
                "RoleArn": "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
                "AllAwsRegions": true
            },
            "CreationTime": 1764547200.0,
            "LastUpdatedTime": 1764547200.0,
            "CreatedBy": "config.amazonaws.com"
        }]
    }))
}

/// The aggregator's sources status in two pages: the organisation's source succeeded at
/// home, and failed in us-east-1 (the error AWS gives when the organisation's role cannot
/// read a region).
fn sources_status(r: &Request) -> Reply {
    let status = |region: &str, ok: bool| {
        let mut s = serde_json::json!({
            "SourceId": "o-a1b2c3d4e5",
            "SourceType": "ORGANIZATION",
            "AwsRegion": region,
            "LastUpdateStatus": if ok { "SUCCEEDED" } else { "FAILED" },
            "LastUpdateTime": 1764979200.0
        });
        if !ok {
            s["LastErrorCode"] = "OrganizationAccessDeniedException".into();
            s["LastErrorMessage"] =
                "Config is not able to access the organization in this region".into();
        }
        s
    };
    match r.param("NextToken").as_deref() {
        None => recorded::aws_json(serde_json::json!({
            "AggregatedSourceStatusList": [status(HOME, true)],
            "NextToken": "status-page-2"
        })),
        Some("status-page-2") => recorded::aws_json(serde_json::json!({
            "AggregatedSourceStatusList": [status(OTHER, false)]
        })),
        Some(other) => panic!("unexpected sources-status token {other}"),
    }
}

/// `config:SelectAggregateResourceConfig` (which moto does not implement) in two pages:
/// the orders table and an MSK cluster at home, then an MSK cluster in us-east-1
/// and a bucket of an account the scan does not cover.
fn aggregate_query(r: &Request) -> Reply {
    assert_eq!(
        r.param("ConfigurationAggregatorName").as_deref(),
        Some(AGGREGATOR)
    );
    let f = full();
    let account = FULL_ACCOUNT;
    let row = |kind: &str, id: &str, region: &str, account: &str, arn: String| {
        serde_json::json!({"resourceId": id, "resourceName": id, "resourceType": kind, "awsRegion": region, "accountId": account, "arn": arn}).to_string()
    };
    let stream = |id: &str, region: &str| {
        row(
            "AWS::MSK::Cluster",
            id,
            region,
            account,
            recorded::msk_cluster_arn(region, account, id),
        )
    };
    let names = [
        "resourceId",
        "resourceName",
        "resourceType",
        "awsRegion",
        "accountId",
        "arn",
    ];
    let fields = serde_json::json!({"SelectFields": names.map(|n| serde_json::json!({"Name": n}))});
    match r.param("NextToken").as_deref() {
        None => recorded::aws_json(serde_json::json!({
            "Results": [
                row("AWS::DynamoDB::Table", "orders", HOME, account, f.seed["table_orders"].as_str().unwrap().to_string()),
                stream(recorded::STREAM_HOME, HOME),
            ],
            "QueryInfo": fields,
            "NextToken": "aggregate-page-2"
        })),
        Some("aggregate-page-2") => recorded::aws_json(serde_json::json!({
            "Results": [
                stream(recorded::STREAM_OTHER, OTHER),
                row("AWS::S3::Bucket", "elsewhere", "eu-west-1", "100000000777", "arn:aws:s3:::elsewhere".into()),
            ],
            "QueryInfo": fields
        })),
        Some(other) => panic!("unexpected aggregate-query token {other}"),
    }
}

/// Issue 15, item 2: with an aggregator named, the inventory is one paginated query for
/// the organisation (no per-region query); the aggregator's sources decide where it
/// looked: us-east-1's source failed, so the catch-all is a GAP there, saying why, while
/// the MSK cluster it still lists there fails the rule.
#[test]
fn an_aggregator_reads_the_inventory_once_and_its_failed_source_is_a_gap() {
    let faults: Vec<Rule> = vec![
        on(
            &["config:DescribeConfigurationAggregators"],
            organisation_aggregator,
        ),
        on(
            &["config:DescribeConfigurationAggregatorSourcesStatus"],
            sources_status,
        ),
        on(&["config:SelectAggregateResourceConfig"], aggregate_query),
    ];
    let (ran, snapshot, findings, proxy, _dir) =
        faulted_scan(faults, &["--config-aggregator", AGGREGATOR]);
    assert_eq!(ran.code, 3, "a scan with a gap: {}", ran.stderr);
    assert_eq!(proxy.count("config:SelectResourceConfig"), 0);
    assert_eq!(proxy.count("config:SelectAggregateResourceConfig"), 2);
    assert_eq!(
        proxy.count("config:DescribeConfigurationAggregatorSourcesStatus"),
        2
    );
    let items = resources(&snapshot, "aws_config_resource");
    let ids: BTreeSet<&str> = items
        .iter()
        .map(|i| i["resource_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from(["orders", recorded::STREAM_HOME, recorded::STREAM_OTHER]),
        "the other account's bucket is outside the scan: {items:#?}"
    );
    let inventory_gaps: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["resource_types"] == serde_json::json!(["aws_config_resource"]))
        .collect();
    assert_eq!(inventory_gaps.len(), 1, "{inventory_gaps:#?}");
    let gap = inventory_gaps[0];
    assert_eq!(gap["region"], OTHER);
    assert_eq!(gap["account"], FULL_ACCOUNT);
    assert_eq!(gap["error_code"], "OrganizationAccessDeniedException");
    let message = gap["message"].as_str().unwrap();
    assert!(
        message.contains(AGGREGATOR) && message.contains("FAILED"),
        "{message}"
    );

    let rule = "residency.inventory-data-region";
    expect(
        &findings,
        rule,
        &inventory_arn(OTHER, "AWS::MSK::Cluster", recorded::STREAM_OTHER),
        "FAIL",
    );
    expect(
        &findings,
        rule,
        &inventory_arn(HOME, "AWS::MSK::Cluster", recorded::STREAM_HOME),
        "PASS",
    );
    let statuses = rule_statuses(&findings, rule);
    assert!(
        statuses
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{statuses:?}"
    );
    assert!(
        !statuses
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{HOME}") && s == "GAP"),
        "{statuses:?}"
    );
}

/// An aggregator the caller may not read, or one that does not exist: the catch-all
/// could look nowhere, and every region scanned says so, naming the aggregator.
#[test]
fn a_denied_or_missing_aggregator_is_a_gap_everywhere() {
    for (fault, code) in [
        (
            on(&["config:DescribeConfigurationAggregators"], denied),
            "AccessDeniedException",
        ),
        (
            on(
                &["config:DescribeConfigurationAggregators"],
                |r: &Request| {
                    Reply::Respond(aws_error(
                        r,
                        400,
                        "NoSuchConfigurationAggregatorException",
                        "The configuration aggregator does not exist.",
                    ))
                },
            ),
            "NoSuchConfigurationAggregatorException",
        ),
    ] {
        let (ran, snapshot, findings, proxy, _dir) =
            faulted_scan(vec![fault], &["--config-aggregator", AGGREGATOR]);
        assert_eq!(ran.code, 3, "{}", ran.stderr);
        assert_eq!(proxy.count("config:SelectAggregateResourceConfig"), 0);
        assert_eq!(proxy.count("config:SelectResourceConfig"), 0);
        assert!(resources(&snapshot, "aws_config_resource").is_empty());
        let inventory_gaps: Vec<(String, String)> = gaps(&snapshot)
            .into_iter()
            .filter(|g| g["resource_types"] == serde_json::json!(["aws_config_resource"]))
            .map(|g| {
                assert!(g["message"].as_str().unwrap().contains(AGGREGATOR), "{g}");
                (
                    g["region"].as_str().unwrap().to_string(),
                    g["error_code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            inventory_gaps,
            [
                (HOME.to_string(), code.to_string()),
                (OTHER.to_string(), code.to_string())
            ],
        );
        let statuses = rule_statuses(&findings, "residency.inventory-data-region");
        assert!(statuses.iter().all(|(_, s)| s != "PASS"), "{statuses:?}");
    }
}

/// Issue 15, item 7: AWS Config's inventory of 10,000 resources in a region is read in
/// O(pages) calls: one `SelectResourceConfig` call per 100 results (the most a page holds,
/// which the collector asks for), whatever the types, so 100 calls; every resource is
/// located, each citing its page. Rows follow the API reference (JSON documents as
/// strings, `NextToken`); moto does not evaluate queries.
#[test]
fn ten_thousand_inventory_resources_take_one_call_per_hundred() {
    const TOTAL: usize = 10_000;
    const PAGE: usize = 100;
    let kinds = [
        ("AWS::EC2::Volume", "vol-"),
        ("AWS::SQS::Queue", "queue-"),
        ("AWS::MSK::Cluster", "events-"),
        ("AWS::Lambda::Function", "fn-"),
    ];
    let inventory = on(&["config:SelectResourceConfig"], move |r: &Request| {
        let names = [
            "resourceId",
            "resourceName",
            "resourceType",
            "awsRegion",
            "accountId",
            "arn",
        ];
        let fields =
            serde_json::json!({"SelectFields": names.map(|n| serde_json::json!({"Name": n}))});
        if r.region != HOME {
            return recorded::aws_json(serde_json::json!({"Results": [], "QueryInfo": fields}));
        }
        assert_eq!(
            r.param("Limit").as_deref(),
            Some("100"),
            "the most a page holds"
        );
        let page: usize = r
            .param("NextToken")
            .map_or(0, |t| t.trim_start_matches("page-").parse().unwrap());
        let rows: Vec<String> = (page * PAGE..(page + 1) * PAGE)
            .map(|i| {
                let (kind, prefix) = kinds[i % kinds.len()];
                let id = format!("{prefix}{i:05}");
                serde_json::json!({
                    "resourceId": id, "resourceName": id, "resourceType": kind,
                    "awsRegion": HOME, "accountId": FULL_ACCOUNT,
                    "arn": format!("arn:aws:inventory:{HOME}:{FULL_ACCOUNT}:{id}"),
                })
                .to_string()
            })
            .collect();
        let next = ((page + 1) * PAGE < TOTAL).then(|| format!("page-{}", page + 1));
        recorded::aws_json(
            serde_json::json!({"Results": rows, "QueryInfo": fields, "NextToken": next}),
        )
    });
    let (ran, snapshot, _findings, proxy, _dir) = faulted_scan(vec![inventory], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("config:SelectResourceConfig"),
        TOTAL / PAGE + 1,
        "one call per page at home, one in us-east-1"
    );
    let items = resources(&snapshot, "aws_config_resource");
    assert_eq!(items.len(), TOTAL);
    let pages: BTreeSet<String> = items
        .iter()
        .map(|i| i["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(pages.len(), TOTAL / PAGE, "each item cites its page");
}
