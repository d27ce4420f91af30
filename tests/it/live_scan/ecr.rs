//! ECR: repositories with their encryption, the registry's replication and the repository
//! policy; a denied registry and a region not read; repositories listed in two pages.

use super::*;

/// The done-when: a repository on the customer key that the registry replicates to
/// us-east-1, one on ECR's own keys anyone may pull from, and the replica in us-east-1
/// give the right PASS/FAIL per repository.
#[test]
fn repositories_are_read_and_judged() {
    let f = full();
    let api = seed_str(&f.seed, "repo_api");
    let tools = seed_str(&f.seed, "repo_tools");
    let api_us = seed_str(&f.seed, "repo_api_us");
    let read = resource(&f.snapshot, api);
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["aws_managed_key"], false);
    assert_eq!(read["replica_regions"], serde_json::json!([OTHER]));
    assert_eq!(read["replica_accounts"], serde_json::json!([]));
    assert_eq!(read["policy"], Value::Null, "no repository policy");
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    assert_eq!(
        read["provenance"]["policy"]["operation"], "ecr:GetRepositoryPolicy",
        "the absent policy cites the RepositoryPolicyNotFoundException that said so"
    );
    let tools_read = resource(&f.snapshot, tools);
    assert_eq!(tools_read["encryption"]["algorithm"], "AES256");
    assert_eq!(
        tools_read["replica_regions"],
        serde_json::json!([]),
        "no rule's prefix matches `tools`"
    );

    expect(
        &f.findings,
        "encryption.ecr-repository-kms-cmk",
        api,
        "PASS",
    );
    expect(
        &f.findings,
        "encryption.ecr-repository-kms-cmk",
        tools,
        "FAIL",
    );
    expect(&f.findings, "residency.ecr-repository-region", api, "FAIL");
    expect(
        &f.findings,
        "residency.ecr-repository-region",
        tools,
        "PASS",
    );
    expect(
        &f.findings,
        "residency.ecr-repository-region",
        api_us,
        "FAIL",
    );
    expect(
        &f.findings,
        "residency.resource-policy-sharing",
        api,
        "PASS",
    );
    expect(
        &f.findings,
        "residency.resource-policy-sharing",
        tools,
        "FAIL",
    );
}

/// `DescribeRegistry` and `GetRepositoryPolicy` denied: the repositories are still listed
/// and their keys judged, their replicas and policy unread (GAP). `DescribeRepositories`
/// denied in us-east-1: that region's repositories are not known to be absent.
#[test]
fn a_denied_registry_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "ecr:DescribeRegistry"
            || r.operation == "ecr:GetRepositoryPolicy"
            || (r.operation == "ecr:DescribeRepositories" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let api = seed_str(&f.seed, "repo_api");
    let tools = seed_str(&f.seed, "repo_tools");
    let read = resource(&snapshot, api);
    let unread: BTreeSet<&str> = read["unread"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["group"].as_str())
        .collect();
    assert_eq!(
        unread,
        BTreeSet::from(["policy", "replica_accounts", "replica_regions"]),
        "{read:#}"
    );
    assert!(
        gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "ecr:DescribeRepositories"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDeniedException"
                && g["resource_types"] == serde_json::json!(["aws_ecr_repository"])),
        "{:#?}",
        gaps(&snapshot)
    );
    expect(&findings, "encryption.ecr-repository-kms-cmk", api, "PASS");
    expect(&findings, "residency.ecr-repository-region", tools, "GAP");
    expect(&findings, "residency.resource-policy-sharing", tools, "GAP");
    assert!(
        rule_statuses(&findings, "residency.ecr-repository-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.ecr-repository-region")
    );
    expect_no_pass(&findings, &["residency.ecr-repository-region"]);
}

/// `DescribeRepositories` in two pages (recorded), each repository citing its page.
#[test]
fn repositories_listed_in_two_pages_are_all_read() {
    let f = full();
    let (ran, snapshot, _findings, proxy, _dir) = faulted_scan(
        vec![recorded::repositories_in_two_pages(
            FULL_ACCOUNT,
            seed_str(&f.seed, "cmk"),
        )],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("ecr:DescribeRepositories"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_ecr_repository")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .collect();
    assert_eq!(home.len(), 2);
    assert!(
        home.iter()
            .all(|r| r["image_tag_mutability"] == "IMMUTABLE" && r["scan_on_push"] == true)
    );
    let pages: BTreeSet<String> = home
        .iter()
        .map(|r| r["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(
        pages.len(),
        2,
        "each repository cites the page it was listed on"
    );
}
