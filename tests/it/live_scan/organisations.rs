//! Organisation scans (`--org`): every member account, and the management account.

use super::*;

/// As on AWS, the management account has no audit role of the member accounts' name
/// (AWS creates OrganizationAccountAccessRole in member accounts only): assuming it
/// there is refused, so `--org` reads that account with the caller's own credentials.
fn no_member_role_in_the_management_account() -> Rule {
    let refused = format!("arn:aws:iam::{ORG_MANAGEMENT}:role/assay-audit");
    on(&["sts:AssumeRole"], move |r| {
        if r.param("RoleArn").as_deref() == Some(refused.as_str()) {
            Reply::Respond(aws_error(
                r,
                403,
                "AccessDenied",
                &format!(
                    "User: arn:aws:iam::{ORG_MANAGEMENT}:user/auditor is not authorized to perform: sts:AssumeRole on resource: {refused}"
                ),
            ))
        } else {
            Reply::Forward
        }
    })
}

#[test]
fn an_organisation_scan_reads_every_member_account() {
    let seed = moto().seed(ORG_MANAGEMENT, "organisation");
    let member = seed_str(&seed, "member");
    let mut rules = vec![no_member_role_in_the_management_account()];
    rules.extend(recorded::moto_holes(None));
    let proxy = Proxy::start(&moto().url, rules);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut cmd = command(Some(&proxy.url));
    cmd.env("AWS_ACCESS_KEY_ID", seed_str(&seed, "access_key_id"))
        .env(
            "AWS_SECRET_ACCESS_KEY",
            seed_str(&seed, "secret_access_key"),
        );
    let ran = run(
        cmd,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "--org",
            "assay-audit",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(proxy.count("organizations:ListAccounts"), 1);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let accounts: Vec<&str> = snapshot["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["account_id"].as_str())
        .collect();
    let mut expected = vec![ORG_MANAGEMENT, member];
    expected.sort();
    assert_eq!(accounts, expected);
    assert!(gaps(&snapshot).is_empty(), "{:#?}", gaps(&snapshot));
    for a in snapshot["accounts"].as_array().unwrap() {
        assert_eq!(a["regions_read"], serde_json::json!([HOME]));
        // Each member account is read as the role assumed in it, the management account
        // as the caller.
        let id = a["account_id"].as_str().unwrap();
        let expected = if id == ORG_MANAGEMENT {
            format!("arn:aws:iam::{ORG_MANAGEMENT}:user/auditor")
        } else {
            format!("arn:aws:sts::{id}:assumed-role/assay-audit/assay-audit")
        };
        assert_eq!(a["principal_arn"], expected);
    }
    // The organisation was listed, and the roles assumed, by the base caller.
    assert_eq!(
        snapshot["origin"]["principal_arn"],
        format!("arn:aws:iam::{ORG_MANAGEMENT}:user/auditor")
    );
    // Each account's resources, and only its own.
    let of = |type_name: &str, account: &str| -> BTreeSet<String> {
        resources(&snapshot, type_name)
            .iter()
            .filter(|r| r["account"] == account)
            .filter_map(|r| r["arn"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        of("aws_s3_bucket", member),
        BTreeSet::from([
            format!("arn:aws:s3:::smoke-encrypted-{member}"),
            format!("arn:aws:s3:::smoke-plain-{member}")
        ])
    );
    assert!(of("aws_s3_bucket", ORG_MANAGEMENT).is_empty());
    assert_eq!(
        of("aws_kms_key", member),
        BTreeSet::from([seed_str(&seed, "member_key").to_string()])
    );
    assert_eq!(
        of("aws_kms_key", ORG_MANAGEMENT),
        BTreeSet::from([
            seed["management"]["rotating_key"]
                .as_str()
                .unwrap()
                .to_string(),
            seed["management"]["static_key"]
                .as_str()
                .unwrap()
                .to_string()
        ])
    );
    assert_eq!(
        of("aws_account", member),
        BTreeSet::from([format!("arn:aws:iam::{member}:root")])
    );
    assert_eq!(
        of("aws_iam_user", ORG_MANAGEMENT),
        BTreeSet::from([format!("arn:aws:iam::{ORG_MANAGEMENT}:user/auditor")])
    );
    let (_, findings) = audit(&out, dir.path());
    expect(
        &findings,
        "encryption.s3-bucket-kms-cmk",
        &format!("arn:aws:s3:::smoke-encrypted-{member}"),
        "PASS",
    );
    expect(
        &findings,
        "encryption.s3-bucket-kms-cmk",
        &format!("arn:aws:s3:::smoke-plain-{member}"),
        "FAIL",
    );
    expect(
        &findings,
        "encryption.kms-cmk-rotation",
        seed["management"]["static_key"].as_str().unwrap(),
        "FAIL",
    );
}

#[test]
fn the_management_account_can_be_read_through_a_role_named_for_it() {
    let seed = moto().seed("100000000901", "organisation");
    let proxy = Proxy::start(&moto().url, recorded::moto_holes(None));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut cmd = command(Some(&proxy.url));
    cmd.env("AWS_ACCESS_KEY_ID", seed_str(&seed, "access_key_id"))
        .env(
            "AWS_SECRET_ACCESS_KEY",
            seed_str(&seed, "secret_access_key"),
        );
    let ran = run(
        cmd,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "--org",
            "assay-audit",
            "--org-management-role",
            "assay-management-audit",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let management = snapshot["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == "100000000901")
        .expect("the management account is in the snapshot");
    assert_eq!(
        management["principal_arn"],
        "arn:aws:sts::100000000901:assumed-role/assay-management-audit/assay-audit"
    );
}
