//! IAM Identity Center: the instance in its home region, permission sets with their
//! policies, session and assignments, and the identity store's groups; what a denied
//! call leaves unread. moto has no `ExternalIds`, no permissions boundaries and an
//! instance in every region: the recorded answers (`recorded::identity_center_holes`)
//! give AWS's.

use super::*;

fn permission_set<'a>(s: &'a Value, seed: &Value, key: &str) -> &'a Value {
    resource(s, seed_str(seed, key))
}

fn group_arn(seed: &Value, key: &str) -> String {
    format!("arn:aws:identitystore:::group/{}", seed_str(seed, key))
}

#[test]
fn identity_center_is_read_in_its_home_region_only() {
    let f = full();
    let (seed, s) = (&f.seed, &f.snapshot);
    let instances = resources(s, "aws_sso_instance");
    assert_eq!(instances.len(), 1, "{instances:#?}");
    assert_eq!(instances[0]["arn"], seed_str(seed, "sso_instance"));
    assert_eq!(instances[0]["region"], HOME);
    assert_eq!(
        instances[0]["identity_store_id"],
        seed_str(seed, "identity_store")
    );
    assert_eq!(instances[0]["status"], "ACTIVE");
    assert!(
        resources(s, "aws_sso_permission_set")
            .iter()
            .chain(resources(s, "aws_identitystore_group").iter())
            .all(|r| r["region"] == HOME)
    );
}

#[test]
fn permission_sets_are_read_with_policies_session_and_assignments() {
    let f = full();
    let (seed, s) = (&f.seed, &f.snapshot);
    let support = permission_set(s, seed, "ps_support");
    assert_eq!(support["name"], "SupportAccess");
    assert_eq!(support["session_duration"], "PT4H");
    assert_eq!(support["session_duration_minutes"], 240);
    assert_eq!(
        support["managed_policies"],
        serde_json::json!(["arn:aws:iam::aws:policy/AWSSupportAccess"])
    );
    assert_eq!(support["inline_policy"], Value::Null);
    assert_eq!(support["customer_managed_policies"], serde_json::json!([]));
    // No boundary: AWS's ResourceNotFoundException, cited as the fact "none".
    assert_eq!(support["permissions_boundary"], Value::Null);
    assert_eq!(
        support["provenance"]["permissions_boundary"]["operation"],
        "sso:GetPermissionsBoundaryForPermissionSet"
    );
    assert_eq!(
        support["provisioned_accounts"],
        serde_json::json!([FULL_ACCOUNT])
    );
    assert_eq!(
        support["assignments"],
        serde_json::json!([{
            "account_id": FULL_ACCOUNT,
            "principal_type": "GROUP",
            "principal_id": seed_str(seed, "sso_group_support"),
            "principal_name": "support",
        }])
    );
    assert_eq!(
        support["provenance"]["assignments"]["operation"],
        "sso:ListAccountAssignments"
    );
    let breakglass = permission_set(s, seed, "ps_breakglass");
    assert_eq!(
        breakglass["inline_policy"]["Statement"][0]["Action"],
        serde_json::json!(["*"])
    );
    assert_eq!(breakglass["session_duration_minutes"], 720);
    assert_eq!(
        breakglass["assignments"],
        serde_json::json!([{
            "account_id": FULL_ACCOUNT,
            "principal_type": "USER",
            "principal_id": seed_str(seed, "sso_user"),
            "principal_name": "jo@example.com",
        }])
    );
}

#[test]
fn groups_are_read_with_their_directory_ids_and_members() {
    let f = full();
    let (seed, s) = (&f.seed, &f.snapshot);
    let support = resource(s, &group_arn(seed, "sso_group_support"));
    assert_eq!(support["name"], "support");
    assert_eq!(
        support["identity_store_id"],
        seed_str(seed, "identity_store")
    );
    assert_eq!(
        support["external_ids"][0]["id"],
        "S-1-5-21-3623811015-3361044348-30300820-1013"
    );
    assert_eq!(
        support["members"],
        serde_json::json!([seed_str(seed, "sso_user")])
    );
    assert_eq!(
        support["provenance"]["members"]["operation"],
        "identitystore:ListGroupMemberships"
    );
    let developers = resource(s, &group_arn(seed, "sso_group_developers"));
    assert_eq!(developers["external_ids"], serde_json::json!([]));
    assert_eq!(developers["members"], serde_json::json!([]));
}

#[test]
fn the_rules_judge_who_holds_support_access() {
    let f = full();
    let (seed, findings) = (&f.seed, &f.findings);
    let rule = "iam.identity-center-support-assignments";
    assert_eq!(status(findings, rule, seed_str(seed, "ps_support")), "PASS");
    // The inline *:* set held by a user directly for twelve hours.
    let breakglass = seed_str(seed, "ps_breakglass");
    assert_eq!(status(findings, rule, breakglass), "FAIL");
    let finding = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule_id"] == rule && x["resource"]["arn"] == breakglass)
        .unwrap();
    let failed: Vec<&str> = finding["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "FAIL")
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(failed, ["assigned-to-groups-only", "session-within-limit"]);
    assert_eq!(
        status(findings, rule, seed_str(seed, "ps_readonly")),
        "NOT_APPLICABLE"
    );
    let directory = "iam.identity-center-support-group-directory";
    assert_eq!(
        status(findings, directory, &group_arn(seed, "sso_group_support")),
        "PASS"
    );
    assert_eq!(
        status(
            findings,
            directory,
            &group_arn(seed, "sso_group_developers")
        ),
        "NOT_APPLICABLE"
    );
}

#[test]
fn a_denied_instance_listing_is_a_gap_for_every_identity_center_type_and_never_a_pass() {
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![on(&["sso:ListInstances"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    let listing: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["operation"] == "sso:ListInstances")
        .collect();
    assert_eq!(listing.len(), 2, "one per region: {listing:#?}");
    for g in &listing {
        assert_eq!(g["service"], "sso");
        assert_eq!(
            g["resource_types"],
            serde_json::json!([
                "aws_sso_instance",
                "aws_sso_permission_set",
                "aws_identitystore_group",
                "aws_sso_signin"
            ])
        );
    }
    assert!(resources(&snapshot, "aws_sso_permission_set").is_empty());
    for rule in [
        "iam.identity-center-support-assignments",
        "iam.identity-center-support-group-directory",
        "iam.identity-center-signin-mfa",
    ] {
        let statuses = rule_statuses(&findings, rule);
        assert!(
            !statuses.is_empty() && statuses.iter().all(|(_, s)| s == "GAP"),
            "{rule}: {statuses:?}"
        );
    }
}

#[test]
fn denied_assignments_leave_them_unread_and_the_support_sets_gap() {
    let f = full();
    let (ran, snapshot, findings, proxy, _dir) =
        faulted_scan(vec![on(&["sso:ListAccountAssignments"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(proxy.count("sso:ListAccountAssignments") > 0);
    let support = seed_str(&f.seed, "ps_support");
    let ps = resource(&snapshot, support);
    assert_eq!(ps["unread"][0]["group"], "assignments");
    assert_eq!(ps["assignments"], serde_json::json!([]));
    let rule = "iam.identity-center-support-assignments";
    assert_eq!(status(&findings, rule, support), "GAP");
    // The session is read, and still judged: the break-glass set fails on it.
    assert_eq!(
        status(&findings, rule, seed_str(&f.seed, "ps_breakglass")),
        "FAIL"
    );
}

/// Issue 16, item 2: Identity Center's own sign-in events. A support user's sign-in that
/// verified a password and a TOTP code passes; one with a password alone fails; one
/// through the external identity provider (`EXTERNAL_IDP`: AWS cannot see its factors)
/// is not judged here, and stands on the attestation manual.support-idp-mfa.
#[test]
fn support_sign_ins_show_the_second_factor_where_aws_records_it() {
    let f = full();
    let (seed, account) = (&f.seed, FULL_ACCOUNT);
    let user = seed_str(seed, "sso_user");
    let event = |id: &str, name: &str, hours: i64, workflow: &str, credential: &str| {
        recorded::sso_signin_event(
            id,
            name,
            hours,
            [account, user, "carol"],
            workflow,
            credential,
        )
    };
    let events = serde_json::json!([
        event("a1", "CredentialVerification", 5, "w-mfa", "PASSWORD"),
        event("a2", "CredentialVerification", 5, "w-mfa", "TOTP"),
        event("a3", "UserAuthentication", 5, "w-mfa", "PASSWORD"),
        event("b1", "CredentialVerification", 3, "w-password", "PASSWORD"),
        event("b2", "UserAuthentication", 3, "w-password", "PASSWORD"),
        event("c1", "UserAuthentication", 1, "w-idp", "EXTERNAL_IDP"),
    ]);
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![recorded::sso_signins(HOME, events)], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let signins = resources(&snapshot, "aws_sso_signin");
    assert_eq!(signins.len(), 3, "{signins:#?}");
    let arn = |id: &str| format!("arn:aws:cloudtrail:{HOME}:{account}:event/{id}");
    let mfa = resource(&snapshot, &arn("a3"));
    assert_eq!(
        mfa["credential_types"],
        serde_json::json!(["PASSWORD", "TOTP"])
    );
    assert_eq!(mfa["mfa_used"], true);
    assert_eq!(mfa["groups"], serde_json::json!(["support"]));
    assert_eq!(mfa["user_id"], user);
    assert_eq!(mfa["user_name"], "carol");
    let idp = resource(&snapshot, &arn("c1"));
    assert_eq!(
        (idp["federated"].as_bool(), &idp["mfa_used"]),
        (Some(true), &Value::Null)
    );
    let rule = "iam.identity-center-signin-mfa";
    expect(&findings, rule, &arn("a3"), "PASS");
    expect(&findings, rule, &arn("b2"), "FAIL");
    expect(&findings, rule, &arn("c1"), "NOT_APPLICABLE");
}
