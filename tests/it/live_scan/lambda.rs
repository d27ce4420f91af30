//! Lambda: functions with the key of their environment variables (never the values); a
//! denied tag listing and a region not read; functions listed in two pages.

use super::*;

/// The done-when: a function whose variables are on the customer key, one whose variables
/// are on AWS's key, and one without variables in us-east-1 give the right PASS/FAIL; the
/// value of a variable is nowhere in the snapshot, raw responses included.
#[test]
fn functions_are_read_and_judged_without_their_variables_values() {
    let f = full();
    let api = seed_str(&f.seed, "function_api");
    let legacy = seed_str(&f.seed, "function_legacy");
    let us = seed_str(&f.seed, "function_us");
    let read = resource(&f.snapshot, api);
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["environment_variables"], 1);
    assert_eq!(read["aws_managed_key"], false);
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    let legacy_read = resource(&f.snapshot, legacy);
    assert_eq!(
        (
            legacy_read["aws_managed_key"].as_bool(),
            legacy_read["encryption"]["kms_key_arn"].clone()
        ),
        (Some(true), Value::Null),
        "no KMSKeyArn: AWS's key, said so"
    );
    let written = std::fs::read_to_string(&f.path).unwrap();
    let secret = seed_str(&f.seed, "function_secret_value");
    assert!(
        !written.contains(secret),
        "an environment variable's value is in the snapshot"
    );
    assert!(
        written.contains("API_TOKEN"),
        "the variable's name stays in the kept response"
    );

    expect(
        &f.findings,
        "encryption.lambda-environment-kms-cmk",
        api,
        "PASS",
    );
    expect(
        &f.findings,
        "encryption.lambda-environment-kms-cmk",
        legacy,
        "FAIL",
    );
    expect(
        &f.findings,
        "encryption.lambda-environment-kms-cmk",
        us,
        "NOT_APPLICABLE",
    );
    expect(&f.findings, "residency.lambda-function-region", api, "PASS");
    expect(&f.findings, "residency.lambda-function-region", us, "FAIL");
}

/// `ListTags` denied: the functions are still listed and judged, their tags unread.
/// `ListFunctions` denied in us-east-1: that region's functions are not known to be
/// absent.
#[test]
fn denied_tags_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "lambda:ListTags"
            || (r.operation == "lambda:ListFunctions" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let api = seed_str(&f.seed, "function_api");
    let read = resource(&snapshot, api);
    assert_eq!(read["unread"][0]["group"], "tags", "{read:#}");
    assert!(
        gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "lambda:ListFunctions"
                && g["region"] == OTHER
                && g["error_code"] == "AccessDeniedException"
                && g["resource_types"] == serde_json::json!(["aws_lambda_function"])),
        "{:#?}",
        gaps(&snapshot)
    );
    expect(
        &findings,
        "encryption.lambda-environment-kms-cmk",
        api,
        "PASS",
    );
    assert!(
        rule_statuses(&findings, "residency.lambda-function-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.lambda-function-region")
    );
}

/// `ListFunctions` in two pages (recorded), each function citing its page, the recorded
/// variable's value not kept.
#[test]
fn functions_listed_in_two_pages_are_all_read() {
    let f = full();
    let (ran, snapshot, _findings, proxy, _dir) = faulted_scan(
        vec![recorded::functions_in_two_pages(
            FULL_ACCOUNT,
            seed_str(&f.seed, "cmk"),
        )],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("lambda:ListFunctions"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_lambda_function")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .collect();
    assert_eq!(home.len(), 2);
    let pages: BTreeSet<String> = home
        .iter()
        .map(|r| r["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(
        pages.len(),
        2,
        "each function cites the page it was listed on"
    );
    assert!(!snapshot.to_string().contains("recorded-not-a-real-token"));
}
