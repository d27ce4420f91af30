//! IAM: the credential report's root row, trust policies, support roles and groups.

use super::*;

#[test]
fn the_credential_report_root_row_sets_the_root_facts() {
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(recorded::credential_report(FULL_ACCOUNT), &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let root = format!("arn:aws:iam::{FULL_ACCOUNT}:root");
    let account = resource(&snapshot, &root);
    assert_eq!(account["root_mfa_enabled"], false);
    assert_eq!(
        account["root_access_keys_present"], true,
        "access_key_1_active=true on <root_account>"
    );
    assert_eq!(
        account["provenance"]["root_access_keys_present"]["operation"],
        "iam:GetCredentialReport"
    );
    let raw = &snapshot["raw_responses"]
        [account["provenance"]["root_access_keys_present"]["response_sha256"]
            .as_str()
            .unwrap()];
    assert!(
        raw["body"].as_str().unwrap().contains("<Content>"),
        "the raw report is kept"
    );
    assert_eq!(
        resource(&snapshot, &arn_of("user", "", "carol"))["console_access"],
        false
    );
    assert_eq!(
        resource(&snapshot, &arn_of("user", "", "bob"))["console_access"],
        true
    );
    expect(&findings, "iam.root-no-access-keys", &root, "FAIL");
    expect(&findings, "iam.root-mfa", &root, "FAIL");
}

#[test]
fn url_encoded_trust_policies_are_decoded_and_normalised() {
    let f = full();
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![recorded::url_encoded_trust_policies()], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let listed = snapshot["raw_responses"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["operation"] == "iam:ListRoles")
        .unwrap();
    assert!(
        listed["body"]
            .as_str()
            .unwrap()
            .contains("<AssumeRolePolicyDocument>%7B%22Version%22%3A"),
        "the raw response is URL-encoded as AWS sends it"
    );
    for role in ["support-mfa", "support-nomfa", "app"] {
        let arn = arn_of("role", "", role);
        assert_eq!(
            resource(&snapshot, &arn)["assume_role_policy"],
            resource(&f.snapshot, &arn)["assume_role_policy"],
            "{role}"
        );
        assert!(resource(&snapshot, &arn)["assume_role_policy"]["Statement"].is_array());
    }
    expect(
        &findings,
        "iam.support-role-mfa",
        &arn_of("role", "", "support-mfa"),
        "PASS",
    );
    expect(
        &findings,
        "iam.support-role-mfa",
        &arn_of("role", "", "support-nomfa"),
        "FAIL",
    );
}

/// Support access named otherwise is found by what it grants: a role and a group with a
/// policy the profile lists in `support_policies`.
#[test]
fn support_roles_and_groups_are_found_by_what_they_grant() {
    let seed = fidelity();
    let (_, _, findings, _dir) = fidelity_scan(Vec::new(), &[]);
    expect(
        &findings,
        "iam.support-role-mfa",
        seed_str(seed, "helpdesk"),
        "FAIL",
    );
    expect(
        &findings,
        "iam.support-group-mfa",
        seed_str(seed, "dana"),
        "FAIL",
    );
}
