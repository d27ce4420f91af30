//! CloudTrail: console sign-ins from event history, trails and their event selectors,
//! shadow trails.

use super::*;

#[test]
fn console_signins_from_recorded_lookup_events() {
    let f = full();
    // Sign-ins: two pages in us-east-1, one (empty) page in ap-southeast-2; then one
    // lookup per event name of the change table in each.
    let lookups = f
        .operations
        .iter()
        .filter(|op| *op == "cloudtrail:LookupEvents")
        .count();
    assert_eq!(
        lookups,
        3 + 2 * assay::changes::kinds().len() + 2,
        "{:?}",
        f.operations
    );
    let signins = resources(&f.snapshot, "aws_console_signin");
    assert_eq!(signins.len(), 4, "{signins:#?}");
    assert!(
        signins
            .iter()
            .all(|s| s["region"] == OTHER && s["account"] == FULL_ACCOUNT)
    );
    let alice = resource(&f.snapshot, &signin(recorded::SIGNIN_ALICE_MFA));
    assert_eq!(alice["id"], recorded::SIGNIN_ALICE_MFA);
    assert_eq!(alice["user_name"], "alice");
    assert_eq!(alice["user_type"], "IAMUser");
    assert_eq!(
        alice["principal_arn"],
        format!("arn:aws:iam::{FULL_ACCOUNT}:user/alice")
    );
    assert_eq!(alice["source_ip"], "203.0.113.24");
    assert_eq!(alice["mfa_used"], true);
    assert_eq!(alice["login_result"], "Success");
    assert_eq!(alice["error_message"], Value::Null);
    let time = chrono::DateTime::parse_from_rfc3339(alice["event_time"].as_str().unwrap())
        .expect("event_time is RFC 3339");
    let age = chrono::Utc::now().signed_duration_since(time);
    assert!(
        age > chrono::Duration::hours(1) && age < chrono::Duration::hours(3),
        "{time}"
    );
    let root = resource(&f.snapshot, &signin(recorded::SIGNIN_ROOT_NO_MFA));
    assert_eq!(
        (root["user_type"].as_str(), root["mfa_used"].as_bool()),
        (Some("Root"), Some(false))
    );
    assert_eq!(
        root["principal_arn"],
        format!("arn:aws:iam::{FULL_ACCOUNT}:root")
    );
    let failed = resource(&f.snapshot, &signin(recorded::SIGNIN_FAILED));
    assert_eq!(
        (
            failed["login_result"].as_str(),
            failed["error_message"].as_str()
        ),
        (Some("Failure"), Some("Failed authentication"))
    );
    // Each event cites the page it came from, and the raw page holds its document.
    let page_of = |id: &str| {
        resource(&f.snapshot, &signin(id))["provenance"]["resource"]["response_sha256"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        page_of(recorded::SIGNIN_ALICE_MFA),
        page_of(recorded::SIGNIN_BOB_NO_MFA)
    );
    assert_ne!(
        page_of(recorded::SIGNIN_ALICE_MFA),
        page_of(recorded::SIGNIN_ROOT_NO_MFA)
    );
    let raw = &f.snapshot["raw_responses"][page_of(recorded::SIGNIN_ROOT_NO_MFA)];
    assert_eq!(raw["operation"], "cloudtrail:LookupEvents");
    assert!(
        raw["body"]
            .as_str()
            .unwrap()
            .contains(recorded::SIGNIN_FAILED),
        "the raw page is kept"
    );
    let finding = f.findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| {
            x["rule_id"] == "iam.console-signin-mfa"
                && x["resource"]["arn"] == signin(recorded::SIGNIN_BOB_NO_MFA)
        })
        .unwrap();
    assert_eq!(finding["status"], "FAIL");
    assert!(
        finding["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["operation"] == "cloudtrail:LookupEvents"),
        "{finding}"
    );
}

/// A scan limited to Sydney still reads the sign-ins of the global sign-in endpoint,
/// which CloudTrail records in us-east-1 only; us-east-1 is not counted as a region read.
#[test]
fn sign_ins_are_read_in_us_east_1_when_the_scan_is_limited_to_other_regions() {
    let f = full();
    let proxy = Proxy::start(&moto().url, recorded::moto_holes(Some(&f.seed)));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let role = format!("arn:aws:iam::{FULL_ACCOUNT}:role/assay-audit");
    let ran = assay_live(
        &proxy.url,
        &[
            "collect",
            "--region",
            HOME,
            "--role-arn",
            &role,
            "--max-attempts",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // Sign-ins: one (empty) page in Sydney, two pages in us-east-1; Identity Center's
    // sign-in events in its home region, Sydney (the change history is not asked for).
    assert_eq!(proxy.count("cloudtrail:LookupEvents"), 3 + 2);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        snapshot["accounts"][0]["regions_read"],
        serde_json::json!([HOME])
    );
    let signins = resources(&snapshot, "aws_console_signin");
    assert_eq!(signins.len(), 4, "{signins:#?}");
    let elsewhere: Vec<&Value> = snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        // Buckets are listed globally and located wherever they are.
        .filter(|r| r["region"] == OTHER)
        .filter(|r| r["type"] != "aws_console_signin" && r["type"] != "aws_s3_bucket")
        .collect();
    assert!(
        elsewhere.is_empty(),
        "only sign-ins are read in us-east-1: {elsewhere:#?}"
    );
    let (_, findings) = audit(&out, dir.path());
    expect(
        &findings,
        "iam.console-signin-mfa",
        &signin(recorded::SIGNIN_ROOT_NO_MFA),
        "FAIL",
    );
}

#[test]
fn sign_in_history_that_cannot_be_read_is_gap_never_pass() {
    let (ran, snapshot, findings, proxy, _dir) =
        faulted_scan(vec![on(&["cloudtrail:LookupEvents"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    // Per region: the sign-ins' lookup, and the change history's first lookup (the
    // history stops there: it is whole or absent); in Identity Center's home region, its
    // sign-in events' first lookup.
    assert_eq!(proxy.count("cloudtrail:LookupEvents"), 5);
    assert!(resources(&snapshot, "aws_console_signin").is_empty());
    assert!(resources(&snapshot, "aws_change_history").is_empty());
    assert!(resources(&snapshot, "aws_sso_signin").is_empty());
    let found: Vec<&Value> = gaps(&snapshot);
    assert_eq!(found.len(), 5, "{found:#?}");
    let mut unread: Vec<String> = Vec::new();
    for g in found {
        assert_eq!(g["operation"], "cloudtrail:LookupEvents");
        assert_eq!(g["error_code"], "AccessDeniedException");
        unread.push(format!(
            "{} {}",
            g["region"].as_str().unwrap(),
            g["resource_types"]
        ));
    }
    unread.sort();
    assert_eq!(
        unread,
        [
            format!("{HOME} [\"aws_change_history\"]"),
            format!("{HOME} [\"aws_console_signin\"]"),
            format!("{HOME} [\"aws_sso_signin\"]"),
            format!("{OTHER} [\"aws_change_history\"]"),
            format!("{OTHER} [\"aws_console_signin\"]"),
        ]
    );
    expect_gap_not_pass(&findings, &["iam.console-signin-mfa"]);
    // The trails themselves were read.
    expect(
        &findings,
        "encryption.cloudtrail-kms",
        seed_str(&full().seed, "trail"),
        "PASS",
    );
}

#[test]
fn a_malformed_cloudtrail_event_is_a_gap_with_a_clear_message() {
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![recorded::malformed_signin(FULL_ACCOUNT)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    let broken = resource(&snapshot, &signin(recorded::SIGNIN_BOB_NO_MFA));
    assert_eq!(broken["user_name"], "bob", "the envelope is still read");
    assert_eq!(broken["mfa_used"], Value::Null);
    let unread: BTreeSet<&str> = broken["unread"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["group"].as_str())
        .collect();
    assert!(
        unread.contains("mfa_used") && unread.contains("login_result"),
        "{unread:?}"
    );
    let found = gaps(&snapshot);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["error_code"], "MalformedCloudTrailEvent");
    assert_eq!(found[0]["resource_types"], serde_json::json!([]));
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains(recorded::SIGNIN_BOB_NO_MFA)
            && message.contains("CloudTrailEvent is not valid JSON"),
        "{message}"
    );
    expect(
        &findings,
        "iam.console-signin-mfa",
        &signin(recorded::SIGNIN_BOB_NO_MFA),
        "GAP",
    );
    expect(
        &findings,
        "iam.console-signin-mfa",
        &signin(recorded::SIGNIN_ALICE_MFA),
        "PASS",
    );
}

/// The change history: every event name of the change table looked up in each region over
/// the last 90 days; the events found kept with the resources they name (CloudTrail's
/// `Resources` and the table's `requestParameters` field), a denied call with its
/// `errorCode`, oldest first; each region's history cites the pages read.
#[test]
fn change_history_from_recorded_lookup_events() {
    let now = chrono::Utc::now();
    let bucket = "flightdeck-change-target";
    let events = serde_json::json!([
        recorded::bucket_change_event(
            "c0a1",
            "PutBucketEncryption",
            now - chrono::Duration::days(3),
            FULL_ACCOUNT,
            bucket,
            None
        ),
        recorded::bucket_change_event(
            "c0a0",
            "DeleteBucketEncryption",
            now - chrono::Duration::days(4),
            FULL_ACCOUNT,
            bucket,
            None
        ),
        recorded::bucket_change_event(
            "c0a2",
            "DeleteBucketEncryption",
            now - chrono::Duration::days(2),
            FULL_ACCOUNT,
            bucket,
            Some("AccessDenied")
        ),
    ]);
    let (ran, snapshot, _findings, proxy, _dir) =
        faulted_scan(vec![recorded::change_events(HOME, events)], &[]);
    assert!(
        ran.code == 1 || ran.code == 0 || ran.code == 3,
        "{}",
        ran.stderr
    );
    assert_eq!(
        proxy.count("cloudtrail:LookupEvents"),
        3 + 2 * assay::changes::kinds().len() + 2
    );
    let histories = resources(&snapshot, "aws_change_history");
    let mut regions: Vec<&str> = histories
        .iter()
        .map(|h| h["region"].as_str().unwrap())
        .collect();
    regions.sort();
    assert_eq!(regions, [HOME, OTHER]);
    let home = histories.iter().find(|h| h["region"] == HOME).unwrap();
    assert_eq!(
        home["arn"],
        format!("arn:aws:cloudtrail:{HOME}:{FULL_ACCOUNT}:change-history")
    );
    assert_eq!(
        home["event_names"].as_array().unwrap().len(),
        assay::changes::kinds().len()
    );
    let from = chrono::DateTime::parse_from_rfc3339(home["from"].as_str().unwrap()).unwrap();
    let to = chrono::DateTime::parse_from_rfc3339(home["to"].as_str().unwrap()).unwrap();
    assert_eq!((to - from).num_days(), 90);
    let events = home["events"].as_array().unwrap();
    let seen: Vec<(&str, &str, Option<&str>)> = events
        .iter()
        .map(|e| {
            (
                e["event_id"].as_str().unwrap(),
                e["event_name"].as_str().unwrap(),
                e["error_code"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("c0a0", "DeleteBucketEncryption", None),
            ("c0a1", "PutBucketEncryption", None),
            ("c0a2", "DeleteBucketEncryption", Some("AccessDenied")),
        ]
    );
    assert_eq!(events[0]["resources"], serde_json::json!([bucket]));
    assert_eq!(events[0]["user_name"], "mallory");
    assert_eq!(events[0]["event_source"], "s3.amazonaws.com");
    let page = home["provenance"]["events.DeleteBucketEncryption"]["response_sha256"]
        .as_str()
        .unwrap();
    assert!(
        snapshot["raw_responses"][page]["body"]
            .as_str()
            .unwrap()
            .contains("c0a0"),
        "the raw page is kept"
    );
    let other = histories.iter().find(|h| h["region"] == OTHER).unwrap();
    assert_eq!(other["events"], serde_json::json!([]));
}

/// A trail created without event selectors logs all read and write management events (the
/// CloudTrail `EventSelector` reference); moto, like older trails on AWS, answers
/// GetEventSelectors with no selectors at all.
#[test]
fn a_trail_without_event_selectors_records_management_events() {
    let seed = fidelity();
    let (ran, snapshot, findings, _dir) = fidelity_scan(Vec::new(), &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        !ran.stderr.contains("calls made"),
        "no progress line when stderr is not a terminal: {}",
        ran.stderr
    );
    let trail = resource(&snapshot, seed_str(seed, "trail"));
    let raw = &snapshot["raw_responses"]
        [trail["provenance"]["records_management_events"]["response_sha256"]
            .as_str()
            .unwrap()];
    assert!(
        !raw["body"]
            .as_str()
            .unwrap()
            .contains("IncludeManagementEvents"),
        "the emulator answered without selectors: {raw}"
    );
    assert_eq!(trail["records_management_events"], true);
    assert_eq!(
        account_finding(
            &findings,
            "logging.cloudtrail-multi-region",
            FIDELITY_ACCOUNT
        )["status"],
        "PASS"
    );
}

/// Advanced event selectors as AWS sends them: write-only management events are not every
/// management event.
#[test]
fn advanced_event_selectors_are_read_as_aws_documents_them() {
    let seed = fidelity();
    let trail = seed_str(seed, "trail");
    let (_, snapshot, findings, _dir) =
        fidelity_scan(vec![recorded::advanced_event_selectors(trail, None)], &[]);
    assert_eq!(
        resource(&snapshot, trail)["records_management_events"],
        true
    );
    assert_eq!(
        account_finding(
            &findings,
            "logging.cloudtrail-multi-region",
            FIDELITY_ACCOUNT
        )["status"],
        "PASS"
    );
    let (_, snapshot, findings, _dir) = fidelity_scan(
        vec![recorded::advanced_event_selectors(trail, Some("false"))],
        &[],
    );
    assert_eq!(
        resource(&snapshot, trail)["records_management_events"],
        false
    );
    assert_eq!(
        account_finding(
            &findings,
            "logging.cloudtrail-multi-region",
            FIDELITY_ACCOUNT
        )["status"],
        "FAIL"
    );
}

/// A scan of us-east-1 alone: the multi-Region trail homed in ap-southeast-2 is seen as
/// the shadow trail AWS shows in every region, and the bucket (listed globally) whose key
/// is in the region not read is GAP naming that region, never FAIL on the missing key.
#[test]
fn a_scan_of_one_region_sees_shadow_trails_and_says_gap_for_regions_not_read() {
    let seed = fidelity();
    let (ran, snapshot, findings, _dir) = fidelity_scan(Vec::new(), &[OTHER]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let trails = resources(&snapshot, "aws_cloudtrail_trail");
    assert_eq!(trails.len(), 1, "{trails:#?}");
    assert_eq!(trails[0]["arn"], seed_str(seed, "trail"));
    assert_eq!(trails[0]["home_region"], HOME);
    assert_eq!(trails[0]["is_logging"], true);
    assert_eq!(
        account_finding(
            &findings,
            "logging.cloudtrail-multi-region",
            FIDELITY_ACCOUNT
        )["status"],
        "PASS"
    );
    let bucket = seed_str(seed, "bucket");
    expect(&findings, "encryption.s3-bucket-kms-cmk", bucket, "GAP");
    let finding = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "encryption.s3-bucket-kms-cmk" && f["resource"]["arn"] == bucket)
        .unwrap();
    assert!(
        finding["summary"]
            .as_str()
            .unwrap()
            .contains("a region that was not read: ap-southeast-2"),
        "{finding:#}"
    );
    assert!(
        finding["gaps"]
            .as_array()
            .unwrap()
            .contains(&Value::from(format!(
                "region-not-read:{FIDELITY_ACCOUNT}:{HOME}"
            ))),
        "{finding:#}"
    );
}
