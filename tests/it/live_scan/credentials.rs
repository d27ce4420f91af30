//! Credentials and roles: who the calls were made as, signing, a refused role, and the
//! credential failures that stop a scan.

use super::*;

/// With `--role-arn`, the scan's calls are made as the assumed-role session, and the
/// snapshot says so (not the base credentials that assumed it).
#[test]
fn the_snapshot_names_the_assumed_role_the_calls_were_made_as() {
    let f = full();
    let session = format!("arn:aws:sts::{FULL_ACCOUNT}:assumed-role/assay-audit/assay-audit");
    assert_eq!(f.snapshot["origin"]["principal_arn"], session);
    assert_eq!(f.snapshot["accounts"][0]["principal_arn"], session);
}

#[test]
fn collect_signs_the_snapshot_with_the_key_given() {
    // A scan refused at the role (quick: nothing to read) still writes and signs its
    // snapshot; the signature holds against the public key, and `audit --key` accepts it.
    let keys = tempfile::tempdir().unwrap();
    let prefix = keys.path().join("collector");
    let keygen = run(command(None), &["keygen", "-o", prefix.to_str().unwrap()]);
    assert_eq!(keygen.code, 0, "{keygen:?}");
    let private = prefix.with_extension("key");
    let public = prefix.with_extension("pub");
    let (ran, snapshot, _, _proxy, dir) = faulted_scan(
        vec![on(&["sts:AssumeRole"], denied)],
        &["--sign", private.to_str().unwrap()],
    );
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("signed by Ed25519 key SHA256:"),
        "{}",
        ran.stderr
    );
    assert_eq!(snapshot["manifest"]["signature"]["algorithm"], "ed25519");
    let path = dir.path().join("snapshot.json");
    let verified = run(
        command(None),
        &[
            "snapshot",
            "verify",
            path.to_str().unwrap(),
            "--key",
            public.to_str().unwrap(),
        ],
    );
    assert_eq!(verified.code, 0, "{verified:?}");
    assert!(
        verified.stdout.contains("the signature is valid"),
        "{verified:?}"
    );
}

#[test]
fn a_refused_role_leaves_the_account_unread() {
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![on(&["sts:AssumeRole"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(snapshot["resources"].as_array().unwrap().is_empty());
    let account = &snapshot["accounts"][0];
    assert_eq!(account["account_id"], FULL_ACCOUNT);
    assert_eq!(account["regions_read"], serde_json::json!([]));
    assert!(
        account.get("principal_arn").is_none(),
        "no call was made as anyone in the account: {account}"
    );
    // Only the base caller made calls: moto's default identity for the test keys.
    assert_eq!(
        snapshot["origin"]["principal_arn"],
        "arn:aws:sts::123456789012:user/moto"
    );
    assert_eq!(account["regions_not_read"].as_array().unwrap().len(), 2);
    // The account's one gap; the backup location the scan was given is a gap of its own,
    // since no account read owns its bucket.
    let all = gaps(&snapshot);
    let (location, g): (Vec<&Value>, Vec<&Value>) = all
        .into_iter()
        .partition(|g| g["error_code"] == "BackupLocationNotRead");
    assert_eq!(location.len(), 1, "{location:#?}");
    assert_eq!(g.len(), 1, "{g:#?}");
    assert_eq!(g[0]["error_code"], "AssumeRoleFailed");
    assert!(
        g[0]["message"].as_str().unwrap().contains("AccessDenied"),
        "{}",
        g[0]["message"]
    );
    assert_eq!(
        g[0]["resource_types"].as_array().unwrap().len(),
        assay::snapshot::RESOURCE_TYPES.len()
    );
    let statuses: BTreeSet<&str> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["GAP", "MANUAL"]),
        "nothing can be judged"
    );
}

#[test]
fn no_credentials_exit_2_with_one_message_and_no_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let mut cmd = command(Some(&moto().url));
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let ran = run(
        cmd,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(!out.exists(), "no snapshot is written");
    let errors: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(errors.len(), 1, "one clear message:\n{}", ran.stderr);
    assert!(
        errors[0].contains("no usable AWS credentials"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.len() < 1200,
        "no dump of SDK internals:\n{}",
        ran.stderr
    );
}

#[test]
fn an_invalid_token_exit_2_and_no_snapshot() {
    let proxy = Proxy::start(
        &moto().url,
        vec![on(&["sts:GetCallerIdentity"], |r| {
            Reply::Respond(aws_error(
                r,
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            ))
        })],
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let ran = assay_live(
        &proxy.url,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(!out.exists());
    assert!(
        ran.stderr
            .contains("no usable AWS credentials (InvalidClientTokenId)"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("security token included in the request is invalid"),
        "{}",
        ran.stderr
    );
}

#[test]
fn an_unreachable_sts_endpoint_exit_2_naming_it() {
    let dead = format!("http://127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let ran = assay_live(
        &dead,
        &[
            "collect",
            "--region",
            HOME,
            "--max-attempts",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(!out.exists());
    assert!(
        ran.stderr.contains("cannot reach AWS STS"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains(&dead),
        "the message names the endpoint:\n{}",
        ran.stderr
    );
    assert_eq!(
        ran.stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .count(),
        1,
        "{}",
        ran.stderr
    );
}
