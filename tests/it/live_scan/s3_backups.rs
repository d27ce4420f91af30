//! S3 backup objects: only the prefixes named are listed, every page of them, in the
//! bucket's own account and region; a location that cannot be listed, or whose bucket no
//! account read owns, is a gap and the backup rules never pass on it.

use super::*;

const ACCOUNT: &str = "100000000021";

#[test]
fn named_prefixes_are_listed_page_by_page_and_an_unreadable_location_is_a_gap() {
    let seed = moto().seed(ACCOUNT, "s3-backups");
    let (bucket, refused_bucket) = (
        seed_str(&seed, "bucket").to_string(),
        seed_str(&seed, "denied_bucket").to_string(),
    );
    let denied_bucket = refused_bucket.clone();
    let deny: Rule = Box::new(move |r: &Request| {
        (r.operation == "s3:ListObjectsV2" && r.bucket() == Some(denied_bucket.as_str()))
            .then(|| denied(r))
    });
    let proxy = Proxy::start(&moto().url, vec![deny]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshot.json");
    let role = format!("arn:aws:iam::{ACCOUNT}:role/assay-audit");
    let (site, refused, nowhere) = (
        format!("{bucket}/site/"),
        format!("{refused_bucket}/site/"),
        "no-such-bucket-anywhere/site/".to_string(),
    );
    let mut assay = command(Some(&proxy.url));
    // Pages of 400 keys: the 1,001 keys take three pages.
    assay.env("ASSAY_S3_LIST_PAGE_SIZE", "400");
    let ran = run(
        assay,
        &[
            "collect",
            "--region",
            HOME,
            "--role-arn",
            &role,
            "--max-attempts",
            "1",
            "--s3-backups",
            &site,
            "--s3-backups",
            &refused,
            "--s3-backups",
            &nowhere,
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 3, "gaps make the scan incomplete: {ran:?}");
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();

    let listed = resource(&snapshot, &format!("arn:aws:s3:::{site}"));
    assert_eq!(listed["region"], HOME);
    assert_eq!(listed["id"], format!("s3://{site}"));
    let objects = listed["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 1001, "every page read");
    assert!(
        objects
            .iter()
            .all(|o| o["key"].as_str().unwrap().starts_with("site/")),
        "only the named prefix"
    );
    assert_eq!(objects[0]["storage_class"], "STANDARD");
    assert!(objects[0]["last_modified"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        proxy.count("s3:ListObjectsV2"),
        4,
        "three pages for the named prefix, one refused"
    );
    assert_eq!(
        listed["provenance"]["objects"]["operation"],
        "s3:ListObjectsV2"
    );

    let refused_arn = format!("arn:aws:s3:::{refused}");
    let unreadable = resource(&snapshot, &refused_arn);
    assert_eq!(unreadable["unread"][0]["group"], "objects");
    assert_eq!(unreadable["objects"], serde_json::json!([]));
    let nowhere_gap = gaps(&snapshot)
        .into_iter()
        .find(|g| g["error_code"] == "BackupLocationNotRead")
        .unwrap_or_else(|| panic!("no gap for the bucket nobody owns: {:#?}", gaps(&snapshot)));
    assert!(
        nowhere_gap["message"]
            .as_str()
            .unwrap()
            .contains("s3://no-such-bucket-anywhere/site/"),
        "{nowhere_gap}"
    );
    assert_eq!(
        nowhere_gap["resource_types"],
        serde_json::json!(["aws_s3_backup_objects"])
    );

    // The test profile, naming the three locations (the rules judge only those a
    // profile names).
    let profile = dir.path().join("profile.yaml");
    let text = std::fs::read_to_string(crate::root().join(PROFILE)).unwrap();
    let named = format!("params:\n  s3_backup_locations: [{site}, {refused}, {nowhere}]\n");
    std::fs::write(&profile, text.replacen("params:\n", &named, 1)).unwrap();
    let report = dir.path().join("report");
    let ran = run(
        command(None),
        &[
            "audit",
            "--snapshot",
            out.to_str().unwrap(),
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            report.to_str().unwrap(),
            "--quiet",
        ],
    );
    let findings: Value = serde_json::from_str(
        &std::fs::read_to_string(report.join("findings.json"))
            .unwrap_or_else(|e| panic!("no findings ({e}): {ran:?}")),
    )
    .unwrap();
    assert_eq!(
        status(&findings, "backup.s3-backup-count", &refused_arn),
        "GAP"
    );
    expect_no_pass(
        &findings,
        &["backup.s3-backup-count", "backup.s3-backup-age"],
    );
}
