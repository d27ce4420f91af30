//! SNS: topics with their key and access policy; denied attributes and a region not read;
//! topics listed in two pages.

use super::*;

/// The done-when: a topic on the customer key with SNS's default policy, one without a
/// key anyone may subscribe to, and one in us-east-1 give the right PASS/FAIL per topic.
#[test]
fn topics_are_read_and_judged() {
    let f = full();
    let alerts = seed_str(&f.seed, "topic_alerts");
    let events = seed_str(&f.seed, "topic_events");
    let us = seed_str(&f.seed, "topic_us");
    let read = resource(&f.snapshot, alerts);
    assert_eq!(read["encryption"]["kms_key_arn"], seed_str(&f.seed, "cmk"));
    assert_eq!(read["tags"]["data"], "client");
    assert_eq!(read["unread"], serde_json::json!([]));
    assert_eq!(
        resource(&f.snapshot, events)["encryption"],
        serde_json::json!({"enabled": false, "algorithm": null, "kms_key_arn": null}),
        "no KmsMasterKeyId: server-side encryption is off"
    );

    expect(&f.findings, "encryption.sns-topic-kms-cmk", alerts, "PASS");
    expect(&f.findings, "encryption.sns-topic-kms-cmk", events, "FAIL");
    expect(&f.findings, "residency.sns-topic-region", alerts, "PASS");
    expect(&f.findings, "residency.sns-topic-region", us, "FAIL");
    // SNS's default policy grants everyone, confined to the topic's owner by
    // `AWS:SourceOwner`: not a share.
    expect(
        &f.findings,
        "residency.resource-policy-sharing",
        alerts,
        "PASS",
    );
    expect(&f.findings, "residency.resource-policy-sharing", us, "PASS");
    expect(
        &f.findings,
        "residency.resource-policy-sharing",
        events,
        "FAIL",
    );
}

/// `GetTopicAttributes` denied (SNS's `AuthorizationError`): the topics are still listed,
/// their key and policy unread (GAP). `ListTopics` denied in us-east-1: that region's
/// topics are not known to be absent.
#[test]
fn denied_attributes_and_a_region_not_read_are_gaps() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "sns:GetTopicAttributes"
            || (r.operation == "sns:ListTopics" && r.region == OTHER))
            .then(|| denied(r))
    });
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(vec![deny], &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let alerts = seed_str(&f.seed, "topic_alerts");
    let read = resource(&snapshot, alerts);
    assert_eq!(read["unread"][0]["group"], "encryption", "{read:#}");
    assert!(
        gaps(&snapshot)
            .iter()
            .any(|g| g["operation"] == "sns:ListTopics"
                && g["region"] == OTHER
                && g["error_code"] == "AuthorizationError"
                && g["resource_types"] == serde_json::json!(["aws_sns_topic"])),
        "{:#?}",
        gaps(&snapshot)
    );
    expect(&findings, "encryption.sns-topic-kms-cmk", alerts, "GAP");
    expect(
        &findings,
        "residency.resource-policy-sharing",
        alerts,
        "GAP",
    );
    assert!(
        rule_statuses(&findings, "residency.sns-topic-region")
            .iter()
            .any(|(scope, s)| scope == &format!("{FULL_ACCOUNT}/{OTHER}") && s == "GAP"),
        "{:?}",
        rule_statuses(&findings, "residency.sns-topic-region")
    );
    expect_no_pass(&findings, &["encryption.sns-topic-kms-cmk"]);
}

/// `ListTopics` in two pages (recorded: moto pages only after 100 topics), each topic
/// citing its page.
#[test]
fn topics_listed_in_two_pages_are_all_read() {
    let f = full();
    let (ran, snapshot, _findings, proxy, _dir) = faulted_scan(
        vec![recorded::topics_in_two_pages(
            seed_str(&f.seed, "topic_alerts"),
            seed_str(&f.seed, "topic_events"),
        )],
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        proxy.count("sns:ListTopics"),
        3,
        "two pages at home, one in us-east-1"
    );
    let home: Vec<&Value> = resources(&snapshot, "aws_sns_topic")
        .into_iter()
        .filter(|r| r["region"] == HOME)
        .collect();
    assert_eq!(home.len(), 2);
    let pages: BTreeSet<String> = home
        .iter()
        .map(|r| r["provenance"]["resource"]["response_sha256"].to_string())
        .collect();
    assert_eq!(pages.len(), 2, "each topic cites the page it was listed on");
}
