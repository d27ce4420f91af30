//! `assay archive` against the emulator: the real SDK to moto over loopback HTTP, through
//! the proxy for the one call moto does not implement.
//!
//! moto 5.1 keeps Object Lock retention (PutObject with a mode and retain-until date, the
//! bucket's ObjectLockConfiguration) but answers `GET /<key>?retention` as a GetObject. AWS
//! documents GetObjectRetention as returning `<Retention><Mode>…</Mode><RetainUntilDate>…`
//! and a version without retention as the error `NoSuchObjectLockConfiguration` (404)
//! (Amazon S3 API Reference, GetObjectRetention): [`object_retention`] reshapes moto's
//! answer, the object's own `x-amz-object-lock-*` headers, into that wire format.

use std::path::Path;

use serde_json::Value;

use crate::emulator::proxy::{Proxy, Reply, Request, Response, aws_error, on};
use crate::emulator::{Ran, command, moto, run};
use crate::root;
use crate::setup::{SAMPLE as SNAPSHOT, audit_sample, keys};
const ACCOUNT: &str = "111122223333";

/// GetObjectRetention in AWS's wire format, from the object moto returns for it.
fn object_retention() -> crate::emulator::proxy::Rule {
    on(&["s3:GetObjectRetention"], |r: &Request| {
        let request = r.clone();
        Reply::Rewrite(Box::new(move |response: Response| {
            if response.status != 200 {
                return response;
            }
            let header = |name: &str| {
                response
                    .headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
            };
            match (
                header("x-amz-object-lock-mode"),
                header("x-amz-object-lock-retain-until-date"),
            ) {
                (Some(mode), Some(until)) => Response::new(
                    200,
                    "application/xml",
                    format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>{mode}</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>"
                    ),
                ),
                _ => aws_error(
                    &request,
                    404,
                    "NoSuchObjectLockConfiguration",
                    "The specified object does not have a ObjectLock configuration",
                ),
            }
        }))
    })
}

fn script(args: &[&str]) -> Value {
    moto().run_seed("tests/emulator/archive.py", args)
}

/// A bucket named for the test (moto's bucket names are global to the server).
fn bucket(name: &str, region: &str, flags: &[&str]) -> String {
    let name = format!("assay-archive-{name}");
    let mut args = vec!["--action", "create", "--bucket", &name, "--region", region];
    args.extend(flags);
    script(&args);
    name
}

fn archive(proxy: &Proxy, args: &[&str]) -> Ran {
    run(command(Some(&proxy.url)), args)
}

/// The air-maestro profile with an archive section, and the sample audited with it.
fn inputs(dir: &Path) -> (String, String, String) {
    let profile = dir.join("profile.yaml");
    let mut text =
        std::fs::read_to_string(root().join("samples/air-maestro/profile.yaml")).unwrap();
    text.push_str("\narchive:\n  mode: compliance\n  retain_years: 7\n  regions: [eu-central-1]\n");
    std::fs::write(&profile, text).unwrap();
    let out = dir.join("out");
    let (code, _, stderr) = audit_sample(
        profile.to_str().unwrap(),
        false,
        "json,html",
        "2026-12-05T08:00:00Z",
        &out,
    );
    assert!(code == 1 || code == 3, "{stderr}");
    (
        profile.display().to_string(),
        out.join("findings.json").display().to_string(),
        out.join("report.html").display().to_string(),
    )
}

fn versions(bucket: &str) -> u64 {
    script(&["--action", "count", "--bucket", bucket])["versions"]
        .as_u64()
        .unwrap()
}

#[test]
fn push_refuses_a_bucket_unfit_for_evidence_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (profile, _, _) = inputs(dir.path());
    let proxy = Proxy::start(&moto().url, vec![object_retention()]);
    let cases = [
        (
            bucket("no-lock", "eu-central-1", &["--versioning"]),
            "S3 Object Lock is not enabled on it",
        ),
        (
            bucket("no-versioning", "eu-central-1", &[]),
            "versioning has never been enabled on it",
        ),
        (
            bucket("elsewhere", "us-west-2", &["--lock"]),
            "it is in us-west-2, and the profile's archive.regions allows only eu-central-1",
        ),
    ];
    for (name, reason) in &cases {
        let ran = archive(
            &proxy,
            &[
                "archive",
                "push",
                "--bucket",
                name,
                "--profile",
                &profile,
                "--snapshot",
                SNAPSHOT,
            ],
        );
        assert_eq!(ran.code, 2, "{name}: {}", ran.stderr);
        assert!(
            ran.stderr
                .contains(&format!("refusing to archive to bucket {name}: {reason}")),
            "{name}: {}",
            ran.stderr
        );
        assert_eq!(versions(name), 0, "{name}: nothing is written");
    }
    // A profile without an archive section is bad input, before any call.
    let ran = archive(
        &proxy,
        &[
            "archive",
            "push",
            "--bucket",
            &cases[0].0,
            "--profile",
            "samples/air-maestro/profile.yaml",
            "--snapshot",
            SNAPSHOT,
        ],
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("the profile has no `archive` section"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_scan_is_pushed_listed_pulled_and_verified_and_tampering_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let (profile, findings, report) = inputs(dir.path());
    let name = bucket("round-trip", "eu-central-1", &["--lock"]);
    let proxy = Proxy::start(&moto().url, vec![object_retention()]);
    let ran = archive(
        &proxy,
        &[
            "archive",
            "push",
            "--bucket",
            &name,
            "--profile",
            &profile,
            "--snapshot",
            SNAPSHOT,
            "--findings",
            &findings,
            "--report",
            &report,
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.stdout
            .contains("archived 3 file(s), COMPLIANCE retention until 2033-"),
        "{}",
        ran.stdout
    );

    // Listed by account, by date, by quarter; another quarter lists nothing, and says so.
    let base = ["archive", "list", "--bucket", &name];
    let list = |extra: &[&str]| archive(&proxy, &[&base[..], extra].concat());
    let by_account = list(&["--account", ACCOUNT]);
    assert_eq!(by_account.code, 0, "{}", by_account.stderr);
    let lines: Vec<&str> = by_account.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", by_account.stdout);
    let record = lines[0].split_whitespace().nth(2).unwrap().to_string();
    assert!(
        record.starts_with(&format!("assay/scans/{ACCOUNT}/2026-12-05/")),
        "{record}"
    );
    assert_eq!(
        list(&[]).stdout.lines().count(),
        3,
        "one record per account of the sample"
    );
    assert_eq!(list(&["--date", "2026-12-05"]).stdout.lines().count(), 3);
    assert_eq!(list(&["--quarter", "2026-Q4"]).stdout.lines().count(), 3);
    let q3 = list(&["--quarter", "2026-Q3"]);
    assert_eq!((q3.code, q3.stdout.as_str()), (0, ""));
    assert!(q3.stderr.contains("no scans in"), "{}", q3.stderr);
    let bad = list(&["--quarter", "2026-Q7"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("--quarter: `2026-Q7` is not a quarter"),
        "{}",
        bad.stderr
    );

    // Pulled back byte for byte.
    let pulled = dir.path().join("pulled");
    let ran = archive(
        &proxy,
        &[
            "archive",
            "pull",
            "--bucket",
            &name,
            &record,
            "--out",
            pulled.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    for (original, name) in [
        (SNAPSHOT.to_string(), "snapshot.json"),
        (findings.clone(), "findings.json"),
        (report.clone(), "report.html"),
    ] {
        assert_eq!(
            std::fs::read(root().join(&original)).unwrap(),
            std::fs::read(pulled.join(name)).unwrap(),
            "{name}"
        );
    }

    // Verified: hashes, the snapshot's manifest, retention.
    let verify = |extra: &[&str]| {
        archive(
            &proxy,
            &[&["archive", "verify", "--bucket", &name][..], extra].concat(),
        )
    };
    let ran = verify(&[&record]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("findings.json")
            && ran.stdout.contains("hash matches, COMPLIANCE until 2033-"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("snapshot: unsigned"), "{}", ran.stdout);
    assert!(
        proxy.count("s3:GetObjectRetention") >= 4,
        "each object and the record"
    );
    // Retention judged at a date after it ends.
    let ran = verify(&[&record, "--at", "2034-01-01T00:00:00Z"]);
    assert_eq!(ran.code, 1);
    assert!(
        ran.stdout
            .contains("not under retention: its COMPLIANCE retention ended 2033-"),
        "{}",
        ran.stdout
    );

    // A changed object: a new version over the findings, without retention.
    let findings_key = ran
        .stdout
        .lines()
        .find_map(|l| l.split("findings.json (").nth(1))
        .and_then(|rest| rest.split(')').next())
        .expect("the findings' key is printed")
        .to_string();
    script(&[
        "--action",
        "overwrite",
        "--bucket",
        &name,
        "--key",
        &findings_key,
        "--body",
        "{}",
    ]);
    let ran = verify(&["--account", ACCOUNT]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert!(
        ran.stdout.contains(&format!("{record}: NOT VERIFIED")),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains(&format!(
            "findings.json ({findings_key}): changed: the current version"
        )),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("0 scan(s) verified, 1 not"),
        "{}",
        ran.stdout
    );
}

#[test]
fn verify_catches_objects_written_without_retention() {
    let dir = tempfile::tempdir().unwrap();
    let (profile, findings, _) = inputs(dir.path());
    let source = bucket("locked", "eu-central-1", &["--lock"]);
    let copy = bucket("unlocked-copy", "eu-central-1", &["--lock"]);
    let proxy = Proxy::start(&moto().url, vec![object_retention()]);
    let ran = archive(
        &proxy,
        &[
            "archive",
            "push",
            "--bucket",
            &source,
            "--profile",
            &profile,
            "--snapshot",
            SNAPSHOT,
            "--findings",
            &findings,
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // The same keys and bytes, written by something that set no retention.
    script(&["--action", "copy", "--bucket", &source, "--to", &copy]);
    let ran = archive(
        &proxy,
        &["archive", "verify", "--bucket", &copy, "--account", ACCOUNT],
    );
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains(
            "the scan record is not under retention: this version has no Object Lock retention"
        ),
        "{}",
        ran.stdout
    );
    assert_eq!(
        ran.stdout
            .matches("): not under retention: this version has no Object Lock retention")
            .count(),
        2,
        "the snapshot and the findings: {}",
        ran.stdout
    );
}

#[test]
fn the_archive_policy_is_printed_apart_from_the_read_only_one() {
    let read_only = run(command(None), &["iam-policy"]);
    assert_eq!(read_only.code, 0);
    assert!(
        !read_only.stdout.contains("s3:PutObject"),
        "scanning never writes"
    );
    let ran = run(
        command(None),
        &["iam-policy", "--archive", "--bucket", "acme-evidence"],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let policy: Value = serde_json::from_str(&ran.stdout).unwrap();
    let actions: Vec<&str> = policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for needed in [
        "s3:PutObject",
        "s3:PutObjectRetention",
        "s3:GetObjectRetention",
        "s3:GetBucketObjectLockConfiguration",
    ] {
        assert!(actions.contains(&needed), "{needed} in {actions:?}");
    }
    assert!(
        actions
            .iter()
            .all(|a| !a.contains("Delete") && !a.contains("Bypass"))
    );
    assert_eq!(
        policy["Statement"][0]["Resource"],
        serde_json::json!(["arn:aws:s3:::acme-evidence", "arn:aws:s3:::acme-evidence/*"])
    );
}

#[test]
fn a_bad_archive_section_names_the_profile_line_and_nothing_is_called() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.yaml");
    let mut text =
        std::fs::read_to_string(root().join("samples/air-maestro/profile.yaml")).unwrap();
    text.push_str("\narchive:\n  mode: compliance\n  retain_years: 7\n  retain_days: 30\n  regions: [eu-central-1]\n");
    std::fs::write(&profile, text).unwrap();
    // No endpoint at all: a call would fail differently.
    let ran = run(
        command(Some("http://127.0.0.1:9")),
        &[
            "archive",
            "push",
            "--bucket",
            "b",
            "--profile",
            profile.to_str().unwrap(),
            "--snapshot",
            SNAPSHOT,
        ],
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr
            .contains("profile: archive: give `retain_years` or `retain_days`, not both"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("profile.yaml:"),
        "names the file and line: {}",
        ran.stderr
    );
}

#[test]
fn findings_of_another_snapshot_are_refused_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let (profile, findings, _) = inputs(dir.path());
    // The findings' snapshot, changed and sealed again: another snapshot.
    let mut snapshot = assay::snapshot::Snapshot::load(&root().join(SNAPSHOT)).unwrap();
    snapshot.resources.pop();
    snapshot.seal();
    let other = dir.path().join("other.json");
    std::fs::write(&other, snapshot.to_json_pretty()).unwrap();
    let ran = run(
        command(Some("http://127.0.0.1:9")),
        &[
            "archive",
            "push",
            "--bucket",
            "b",
            "--profile",
            &profile,
            "--snapshot",
            other.to_str().unwrap(),
            "--findings",
            &findings,
        ],
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr
            .contains("these findings were evaluated from another snapshot"),
        "{}",
        ran.stderr
    );
}

/// The bucket whose encryption issue 17's scenario breaks and mends.
const BROKEN: &str = "arn:aws:s3:::flightdeck-ami-build-artifacts";

/// Issue 17's scenario: three scans of the sample estate (1 October, 1 November,
/// 1 December 2026), each audited and archived with its findings in `name`; the bucket
/// `BROKEN`'s encryption is off in the second. Returns the snapshots' paths.
fn archive_three_scans(dir: &Path, proxy: &Proxy, name: &str, profile: &str) -> Vec<String> {
    archive_scans(dir, proxy, name, profile, |day, snapshot| {
        if day == "2026-11-01" {
            let bucket = snapshot
                .resources
                .iter_mut()
                .find(|r| r.arn == BROKEN)
                .unwrap();
            let mut value = serde_json::to_value(&*bucket).unwrap();
            value["encryption"] =
                serde_json::json!({"enabled": false, "algorithm": null, "kms_key_arn": null});
            *bucket = serde_json::from_value(value).unwrap();
        }
    })
}

/// Three scans of the sample estate (1 October, 1 November, 1 December 2026), each
/// changed by `edit` (given the day), audited and archived with its findings in `name`.
/// Returns the snapshots' paths.
fn archive_scans(
    dir: &Path,
    proxy: &Proxy,
    name: &str,
    profile: &str,
    edit: impl Fn(&str, &mut assay::snapshot::Snapshot),
) -> Vec<String> {
    let mut snapshots = Vec::new();
    for day in ["2026-10-01", "2026-11-01", "2026-12-01"] {
        let mut snapshot = assay::snapshot::Snapshot::load(&root().join(SNAPSHOT)).unwrap();
        snapshot.collected_at = format!("{day}T00:00:00Z").parse().unwrap();
        edit(day, &mut snapshot);
        snapshot.seal();
        let path = dir.join(format!("snapshot-{day}.json"));
        std::fs::write(&path, snapshot.to_json_pretty()).unwrap();
        let out = dir.join(format!("out-{day}"));
        let ran = run(
            command(None),
            &[
                "audit",
                "--snapshot",
                path.to_str().unwrap(),
                "--profile",
                profile,
                "--format",
                "json",
                "--out",
                out.to_str().unwrap(),
                "--now",
                &format!("{day}T01:00:00Z"),
            ],
        );
        assert!(ran.code == 1 || ran.code == 3, "{}", ran.stderr);
        let ran = archive(
            proxy,
            &[
                "archive",
                "push",
                "--bucket",
                name,
                "--profile",
                profile,
                "--snapshot",
                path.to_str().unwrap(),
                "--findings",
                out.join("findings.json").to_str().unwrap(),
            ],
        );
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        snapshots.push(path.display().to_string());
    }
    snapshots
}

/// Issue 17's scenario through `archive period`: the judgement per finding shows the
/// exception with its dates, `diff` lists exactly the change, and the judgement is the
/// same when built again.
#[test]
fn three_archived_scans_show_a_break_between_two_of_them() {
    const BUCKET: &str = BROKEN;
    let dir = tempfile::tempdir().unwrap();
    let (profile, _, _) = inputs(dir.path());
    let name = bucket("period", "eu-central-1", &["--lock"]);
    let proxy = Proxy::start(&moto().url, vec![object_retention()]);
    let snapshots = archive_three_scans(dir.path(), &proxy, &name, &profile);

    let period = |format: &str| {
        archive(
            &proxy,
            &[
                "archive",
                "period",
                "--bucket",
                &name,
                "--quarter",
                "2026-Q4",
                "--account",
                ACCOUNT,
                "--max-gap-hours",
                "1488",
                "--format",
                format,
            ],
        )
    };
    let ran = period("json");
    assert_eq!(ran.code, 1, "exceptions: {}", ran.stderr);
    let report: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(report["scans"].as_array().unwrap().len(), 3);
    assert_eq!(report["not_covered"], serde_json::json!([]));
    let broken: Vec<&Value> = report["timelines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["resource"] == BUCKET && t["verdict"] == "exceptions")
        .collect();
    assert!(
        !broken.is_empty(),
        "the bucket's encryption rules show the break"
    );
    for t in &broken {
        let exceptions: Vec<(&str, &str)> = t["spans"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["state"] == "exception")
            .map(|s| (s["from"].as_str().unwrap(), s["to"].as_str().unwrap()))
            .collect();
        assert_eq!(
            exceptions,
            vec![("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")],
            "{}",
            t["rule_id"]
        );
    }
    // The same judgement when built again, byte for byte.
    assert_eq!(period("json").stdout, ran.stdout);
    let text = period("text").stdout;
    assert!(
        text.contains("exception from 2026-11-01 00:00 to 2026-12-01 00:00"),
        "{text}"
    );
    assert!(text.contains("coverage: the whole period"), "{text}");

    // The diff between the first two scans lists exactly the change.
    let ran = run(
        command(None),
        &["diff", &snapshots[0], &snapshots[1], "--format", "json"],
    );
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let diff: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(diff["resources"]["added"], serde_json::json!([]));
    assert_eq!(diff["resources"]["removed"], serde_json::json!([]));
    let changed = diff["resources"]["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["arn"], BUCKET);

    // A quarter with no scans is not observed at all (exit 3), never a pass.
    let ran = archive(
        &proxy,
        &[
            "archive",
            "period",
            "--bucket",
            &name,
            "--quarter",
            "2026-Q2",
            "--account",
            ACCOUNT,
        ],
    );
    assert_eq!(ran.code, 3, "{}", ran.stdout);
    assert!(
        ran.stdout
            .contains("not observed: 2026-04-01 00:00 to 2026-07-01 00:00 (no scan)"),
        "{}",
        ran.stdout
    );

    // Issue 17, item 4: a one-scan audit given the archive shows the trend across the
    // last four quarters in report.html, and its terminal summary the change since the
    // latest archived scan before it.
    let profile_path = dir.path().join("profile.yaml");
    let out = dir.path().join("with-trend");
    let ran = archive(
        &proxy,
        &[
            "audit",
            "--snapshot",
            &snapshots[2],
            "--profile",
            profile_path.to_str().unwrap(),
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
            "--now",
            "2026-12-01T01:00:00Z",
            "--bucket",
            &name,
            "--account",
            ACCOUNT,
            "--max-gap-hours",
            "1488",
        ],
    );
    assert!(ran.code == 1 || ran.code == 3, "{}", ran.stderr);
    assert!(
        ran.stdout
            .contains("Since the previous archived scan (collected 2026-11-01 00:00 UTC"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains(&format!("on {BUCKET}: FAIL -> PASS")),
        "{}",
        ran.stdout
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let section = &html[html
        .find("<section id=\"trends\">")
        .expect("a trend section")..];
    assert!(section.contains("Trend across the last four quarters"));
    for q in ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4 (3 scan(s))"] {
        assert!(section.contains(q), "{q}");
    }
    assert!(section.contains("exceptions"), "Q4 shows the exception");
    // Without the archive, no trend section: the report is as it was.
    let plain = dir.path().join("plain");
    let ran = run(
        command(None),
        &[
            "audit",
            "--snapshot",
            &snapshots[2],
            "--profile",
            profile_path.to_str().unwrap(),
            "--format",
            "html",
            "--out",
            plain.to_str().unwrap(),
            "--now",
            "2026-12-01T01:00:00Z",
        ],
    );
    assert!(ran.code == 1 || ran.code == 3, "{}", ran.stderr);
    let html = std::fs::read_to_string(plain.join("report.html")).unwrap();
    assert!(!html.contains("id=\"trends\""));
}

#[test]
fn verify_checks_the_snapshot_signature_against_the_key_given() {
    let dir = tempfile::tempdir().unwrap();
    let (profile, _, _) = inputs(dir.path());
    let (signer, _) = keys(dir.path(), "signer");
    let (_, other) = keys(dir.path(), "other");
    let key = assay::attest::sign::read_signing_key(&signer).unwrap();
    let mut snapshot = assay::snapshot::Snapshot::load(&root().join(SNAPSHOT)).unwrap();
    assay::snapshot::seal::sign(&mut snapshot, &key);
    let signed = dir.path().join("signed.json");
    std::fs::write(&signed, snapshot.to_json_pretty()).unwrap();

    let name = bucket("signed", "eu-central-1", &["--lock"]);
    let proxy = Proxy::start(&moto().url, vec![object_retention()]);
    let ran = archive(
        &proxy,
        &[
            "archive",
            "push",
            "--bucket",
            &name,
            "--profile",
            &profile,
            "--snapshot",
            signed.to_str().unwrap(),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let verify = |key: &Path| {
        archive(
            &proxy,
            &[
                "archive",
                "verify",
                "--bucket",
                &name,
                "--account",
                ACCOUNT,
                "--key",
                key.with_extension("pub").to_str().unwrap(),
            ],
        )
    };
    let ran = verify(&signer);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout.contains("the key given: the signature is valid"),
        "{}",
        ran.stdout
    );
    let ran = verify(&other);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert!(
        ran.stdout.contains("NOT VERIFIED")
            && ran.stdout.contains("- signed.json (")
            && ran.stdout.contains("not by the key given"),
        "{}",
        ran.stdout
    );
}

/// Every file `assay audit --quarter` wrote into `out`, by name.
fn pack_files(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Issue 17's "done when": three archived scans, one setting broken between the first and
/// the second and mended before the third. The period pack (`audit --quarter`) shows the
/// control's exception with its dates and is byte-identical when rebuilt (from the bucket,
/// and the same judgement from pulled scans offline); `archive verify` catches a changed
/// object and one pushed without retention, and the pack then refuses to rest on them;
/// `diff` lists exactly the change.
#[test]
fn the_period_pack_shows_the_exception_with_its_dates_and_is_rebuilt_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (profile, _, _) = inputs(dir.path());
    // The profile says how long a scan's evidence stands: the scans are a month apart.
    let mut text = std::fs::read_to_string(&profile).unwrap();
    text.push_str("  scan_interval_hours: 1488\n");
    std::fs::write(&profile, text).unwrap();
    let name = bucket("period-pack", "eu-central-1", &["--lock"]);
    let proxy = Proxy::start(&moto().url, vec![object_retention()]);
    let snapshots = archive_three_scans(dir.path(), &proxy, &name, &profile);

    let audit = |out: &Path, source: &[&str]| {
        let mut args = vec![
            "audit",
            "--quarter",
            "2026-Q4",
            "--account",
            ACCOUNT,
            "--profile",
            &profile,
            "--format",
            "json,csv,html,pdf",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(source);
        archive(&proxy, &args)
    };
    let first = dir.path().join("q4");
    let ran = audit(&first, &["--bucket", &name]);
    assert_eq!(ran.code, 1, "an exception: {}\n{}", ran.stdout, ran.stderr);
    let pack: Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("period.json")).unwrap()).unwrap();
    assert_eq!(pack["label"], "2026-Q4");
    assert_eq!(pack["scan_interval_hours"], 1488);
    let scans: Vec<&str> = pack["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["collected_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        scans,
        [
            "2026-10-01T00:00:00Z",
            "2026-11-01T00:00:00Z",
            "2026-12-01T00:00:00Z"
        ]
    );
    assert!(
        pack["scans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["manifest_digest"].as_str().unwrap().len() == 64)
    );
    assert_eq!(pack["coverage"]["not_covered"], serde_json::json!([]));
    assert_eq!(pack["coverage"]["covered_hours"], 92 * 24);

    // Every control the bucket's rules support shows the exception, with its dates.
    let mut controls_with_break = 0;
    for fw in pack["frameworks"].as_array().unwrap() {
        for c in fw["controls"].as_array().unwrap() {
            let on_bucket: Vec<(&str, &str)> = c["exceptions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["resource"] == BROKEN)
                .map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap()))
                .collect();
            if on_bucket.is_empty() {
                continue;
            }
            controls_with_break += 1;
            assert_eq!(c["verdict"], "exceptions", "{}", c["id"]);
            assert!(
                on_bucket
                    .iter()
                    .all(|span| *span == ("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")),
                "{}: {on_bucket:?}",
                c["id"]
            );
            assert!(
                c["statement"].as_str().unwrap().contains(&format!(
                    "on {BROKEN} from 2026-11-01 00:00 UTC to 2026-12-01 00:00 UTC"
                )),
                "{}",
                c["statement"]
            );
        }
    }
    assert!(controls_with_break > 0, "the break shows under a control");
    // A control that held at every scan says so.
    assert!(
        pack["frameworks"][0]["controls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["verdict"] == "held_throughout"),
    );
    // Trends: four quarters, the three before Q4 without a scan, so not observed.
    let quarters: Vec<&str> = pack["trends"]["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["label"].as_str().unwrap())
        .collect();
    assert_eq!(quarters, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    for c in pack["trends"]["frameworks"][0]["controls"]
        .as_array()
        .unwrap()
    {
        assert_eq!(
            c["verdicts"].as_array().unwrap()[..3],
            ["not_observed", "not_observed", "not_observed"],
            "{}",
            c["id"]
        );
    }
    // Since the previous scan: exactly the bucket's findings, FAIL to PASS. (The three
    // scans are one snapshot re-dated: a database's restore window is a span of times, so
    // moving the collection time back moves it out of the window it covers; those
    // findings change with the dates, not with the estate.)
    let changed: Vec<&serde_json::Value> = pack["since_previous"]["findings"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule_id"] != "backup.database-restore-window")
        .collect();
    assert!(!changed.is_empty());
    assert!(
        changed.iter().all(|c| c["resource"] == BROKEN
            && c["old_status"] == "FAIL"
            && c["new_status"] == "PASS"),
        "{changed:?}"
    );
    assert!(
        ran.stdout
            .contains("Since the previous scan (2026-11-01 00:00 UTC to 2026-12-01 00:00 UTC)"),
        "{}",
        ran.stdout
    );
    let csv = String::from_utf8(std::fs::read(first.join("period.csv")).unwrap()).unwrap();
    assert!(
        csv.contains(&format!(
            "exception,{}",
            changed[0]["rule_id"].as_str().unwrap()
        )) && csv.contains("2026-11-01 00:00 UTC,2026-12-01 00:00 UTC"),
        "{csv}"
    );
    let html = String::from_utf8(std::fs::read(first.join("period.html")).unwrap()).unwrap();
    assert!(html.contains("Trend across the last four quarters"));
    assert!(html.contains("2026-11-01 00:00 UTC"));
    let files = pack_files(&first);
    assert!(
        files.iter().any(|(n, b)| n.starts_with("period-")
            && n.ends_with(".pdf")
            && b.starts_with(b"%PDF")),
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );

    // Rebuilt from the same archive: the same bytes, every file.
    let again = dir.path().join("q4-again");
    assert_eq!(audit(&again, &["--bucket", &name]).code, 1);
    assert_eq!(pack_files(&again), files);

    // Offline, from the scans pulled into a directory: the same judgement.
    let pulled = dir.path().join("pulled");
    let list = archive(
        &proxy,
        &["archive", "list", "--bucket", &name, "--account", ACCOUNT],
    );
    let records: Vec<String> = list
        .stdout
        .lines()
        .map(|l| l.split_whitespace().nth(2).unwrap().to_string())
        .collect();
    assert_eq!(records.len(), 3, "{}", list.stdout);
    for (i, record) in records.iter().enumerate() {
        let ran = archive(
            &proxy,
            &[
                "archive",
                "pull",
                "--bucket",
                &name,
                record,
                "--out",
                pulled.join(format!("scan-{i}")).to_str().unwrap(),
            ],
        );
        assert_eq!(ran.code, 0, "{}", ran.stderr);
    }
    let offline = dir.path().join("q4-offline");
    let ran = audit(&offline, &["--archive-dir", pulled.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let offline_pack: Value =
        serde_json::from_str(&std::fs::read_to_string(offline.join("period.json")).unwrap())
            .unwrap();
    assert_eq!(offline_pack["frameworks"], pack["frameworks"]);
    assert!(
        offline_pack["verification"]
            .as_str()
            .unwrap()
            .contains("Object Lock retention was not checked"),
    );
    // A pulled file changed: refused, nothing written.
    let findings = pulled.join("scan-1/findings.json");
    let mut bytes = std::fs::read(&findings).unwrap();
    bytes.push(b'\n');
    std::fs::write(&findings, bytes).unwrap();
    let refused = dir.path().join("q4-refused");
    let ran = audit(&refused, &["--archive-dir", pulled.to_str().unwrap()]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("does not verify") && ran.stderr.contains("findings.json: hashes to"),
        "{}",
        ran.stderr
    );
    assert!(!refused.exists());

    // `diff` lists exactly the change.
    let ran = run(
        command(None),
        &["diff", &snapshots[0], &snapshots[1], "--format", "json"],
    );
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let diff: Value = serde_json::from_str(&ran.stdout).unwrap();
    let changed = diff["resources"]["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["arn"], BROKEN);
    assert_eq!(diff["resources"]["added"], serde_json::json!([]));
    assert_eq!(diff["resources"]["removed"], serde_json::json!([]));

    // One scan pushed without retention: `archive verify` catches it, and the pack refuses.
    let copy = bucket("period-pack-copy", "eu-central-1", &["--lock"]);
    script(&["--action", "copy", "--bucket", &name, "--to", &copy]);
    let ran = archive(
        &proxy,
        &["archive", "verify", "--bucket", &copy, "--account", ACCOUNT],
    );
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert!(
        ran.stdout
            .contains("not under retention: this version has no Object Lock retention"),
        "{}",
        ran.stdout
    );
    let ran = audit(&dir.path().join("q4-copy"), &["--bucket", &copy]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("not under retention"), "{}", ran.stderr);

    // A changed object in the archive: verify catches it, and the pack refuses it.
    let findings_key = {
        let ran = archive(
            &proxy,
            &["archive", "verify", "--bucket", &name, &records[1]],
        );
        assert_eq!(ran.code, 0, "{}", ran.stdout);
        ran.stdout
            .lines()
            .find_map(|l| l.split("findings.json (").nth(1))
            .and_then(|rest| rest.split(')').next())
            .unwrap()
            .to_string()
    };
    script(&[
        "--action",
        "overwrite",
        "--bucket",
        &name,
        "--key",
        &findings_key,
        "--body",
        "{}",
    ]);
    let ran = archive(
        &proxy,
        &["archive", "verify", "--bucket", &name, &records[1]],
    );
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert!(
        ran.stdout.contains("changed: the current version"),
        "{}",
        ran.stdout
    );
    let ran = audit(&dir.path().join("q4-changed"), &["--bucket", &name]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("does not verify"), "{}", ran.stderr);
}

/// A snapshot's CloudTrail change history of the sample account in `region`, read back
/// to `from`, with `events` (id, name, time) on the bucket `BROKEN`.
fn change_history(
    region: &str,
    from: &str,
    to: &str,
    events: &[(&str, &str, &str)],
) -> assay::snapshot::Resource {
    let bucket = BROKEN.trim_start_matches("arn:aws:s3:::");
    let events: Vec<Value> = events
        .iter()
        .map(|(id, name, at)| {
            serde_json::json!({
                "event_id": id, "event_name": name, "event_source": "s3.amazonaws.com",
                "event_time": at, "user_name": "mallory", "resources": [bucket], "error_code": null
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "arn": format!("arn:aws:cloudtrail:{region}:{ACCOUNT}:change-history"),
        "id": "change-history",
        "name": format!("CloudTrail change history {region}"),
        "account": ACCOUNT,
        "region": region,
        "tags": {},
        "type": "aws_change_history",
        "from": from,
        "to": to,
        "event_names": assay::changes::kinds().iter().map(|k| k.event.clone()).collect::<Vec<_>>(),
        "events": events,
        "provenance": {},
        "unread": []
    }))
    .unwrap()
}

/// Issue 17, item 3: a setting broken and mended between two scans that both saw it hold.
/// The second scan's CloudTrail change history shows the bucket's encryption deleted on
/// 10 October and put back on 12 October: the period pack shows the exception with
/// those dates and the event, not "held throughout". The third scan could not read the
/// history (AccessDenied): the month before it is not observed for the rules the change
/// table names, said on the cover. The pack is rebuilt byte for byte.
#[test]
fn a_change_and_revert_between_two_passing_scans_is_an_exception_with_its_dates() {
    const RULE: &str = "encryption.s3-bucket-kms-cmk";
    let dir = tempfile::tempdir().unwrap();
    let (profile, _, _) = inputs(dir.path());
    let mut text = std::fs::read_to_string(&profile).unwrap();
    text.push_str("  scan_interval_hours: 1488\n");
    std::fs::write(&profile, text).unwrap();
    let name = bucket("period-changes", "eu-central-1", &["--lock"]);
    let proxy = Proxy::start(&moto().url, vec![object_retention()]);
    let region = "ap-southeast-2";
    archive_scans(dir.path(), &proxy, &name, &profile, |day, snapshot| {
        match day {
        "2026-11-01" => snapshot.resources.push(change_history(
            region,
            "2026-08-03T00:00:00Z",
            "2026-11-01T00:00:00Z",
            &[
                ("e-break", "DeleteBucketEncryption", "2026-10-10T08:00:00Z"),
                ("e-mend", "PutBucketEncryption", "2026-10-12T09:30:00Z"),
            ],
        )),
        "2026-12-01" => snapshot.gaps.push(
            serde_json::from_value(serde_json::json!({
                "id": "gap-history",
                "account": ACCOUNT,
                "service": "cloudtrail",
                "region": region,
                "operation": "cloudtrail:LookupEvents",
                "error_code": "AccessDeniedException",
                "message": "change history (AssociateKmsKey): User is not authorized to perform: cloudtrail:LookupEvents",
                "resource_types": ["aws_change_history"],
                "occurred_at": "2026-12-01T00:00:00Z"
            }))
            .unwrap(),
        ),
        _ => {}
    }
    });
    let audit = |out: &Path| {
        archive(
            &proxy,
            &[
                "audit",
                "--quarter",
                "2026-Q4",
                "--account",
                ACCOUNT,
                "--profile",
                &profile,
                "--format",
                "json,html",
                "--out",
                out.to_str().unwrap(),
                "--bucket",
                &name,
            ],
        )
    };
    let first = dir.path().join("q4");
    let ran = audit(&first);
    assert_eq!(ran.code, 1, "an exception: {}\n{}", ran.stdout, ran.stderr);
    let pack: Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("period.json")).unwrap()).unwrap();
    let timeline = pack["timelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["rule_id"] == RULE && t["resource"] == BROKEN)
        .unwrap();
    assert_eq!(timeline["verdict"], "exceptions", "{timeline:#}");
    let spans: Vec<(&str, &str, &str)> = timeline["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["from"].as_str().unwrap(),
                s["to"].as_str().unwrap(),
                s["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("2026-10-01T00:00:00Z", "2026-10-10T08:00:00Z", "held"),
            ("2026-10-10T08:00:00Z", "2026-10-12T09:30:00Z", "exception"),
            ("2026-10-12T09:30:00Z", "2026-11-01T00:00:00Z", "held"),
            (
                "2026-11-01T00:00:00Z",
                "2026-12-01T00:00:00Z",
                "not_observed"
            ),
            ("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z", "held"),
        ],
        "{timeline:#}"
    );
    let cause = timeline["spans"][1]["cause"].as_str().unwrap();
    assert!(
        cause.contains("DeleteBucketEncryption by mallory at 2026-10-10 08:00 UTC (event e-break)"),
        "{cause}"
    );
    assert!(
        timeline["spans"][3]["cause"]
            .as_str()
            .unwrap()
            .contains("AccessDeniedException"),
        "{timeline:#}"
    );
    // Under each control the rule supports: the exception with its dates and its cause.
    let mut shown = 0;
    for fw in pack["frameworks"].as_array().unwrap() {
        for c in fw["controls"].as_array().unwrap() {
            let statement = c["statement"].as_str().unwrap();
            if !statement.contains(&format!("{RULE} on {BROKEN}")) {
                continue;
            }
            shown += 1;
            assert_eq!(c["verdict"], "exceptions", "{}", c["id"]);
            assert!(
                statement.contains(&format!(
                    "{RULE} on {BROKEN} from 2026-10-10 08:00 UTC to 2026-10-12 09:30 UTC (CloudTrail: DeleteBucketEncryption"
                )),
                "{statement}"
            );
            assert!(statement.contains("Between scans:"), "{statement}");
        }
    }
    assert!(shown > 0);
    // A rule the change table does not name held throughout on the same bucket.
    let region_rule = pack["timelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["rule_id"] == "residency.s3-bucket-region" && t["resource"] == BROKEN)
        .unwrap();
    assert_eq!(region_rule["verdict"], "held_throughout");
    // The cover says what the history showed of each interval.
    let intervals: Vec<&str> = pack["change_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["history"].as_str().unwrap())
        .collect();
    assert_eq!(intervals, ["read", "gap", "not_read"]);
    let not_read = pack["not_read"].as_array().unwrap();
    assert!(
        not_read
            .iter()
            .any(|n| n.as_str().unwrap().contains("AccessDeniedException")),
        "{not_read:?}"
    );
    let html = std::fs::read_to_string(first.join("period.html")).unwrap();
    assert!(
        html.contains("DeleteBucketEncryption"),
        "the HTML pack names the event"
    );
    // Rebuilt from the same archive: the same bytes.
    let again = dir.path().join("q4-again");
    assert_eq!(audit(&again).code, 1);
    assert_eq!(pack_files(&again), pack_files(&first));
}
