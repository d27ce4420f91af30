//! `assay diff`: two snapshots give exactly the resources changed; two findings documents
//! give the findings and waivers that changed; bad input is refused with exit 2.

use std::path::Path;

use assay::snapshot::Snapshot;
use serde_json::Value;

use crate::{assay, root};

const BUCKET: &str = "arn:aws:s3:::flightdeck-ami-build-artifacts";
const NOW: &str = "2026-12-05T08:00:00Z";

/// The sample with one bucket's encryption turned off, one resource removed and one
/// bucket added, sealed again, written to `<dir>/changed.json`: (its path, the ARN added, the ARN
/// removed). `sample_outputs` pins every command's output on it.
pub(crate) fn changed_sample(dir: &Path) -> (String, String, String) {
    let mut snapshot = Snapshot::load(&root().join("samples/aws-sample/snapshot.json")).unwrap();
    let bucket = snapshot
        .resources
        .iter_mut()
        .find(|r| r.arn == BUCKET)
        .expect("the sample has the bucket");
    let mut value = serde_json::to_value(&*bucket).unwrap();
    value["encryption"] =
        serde_json::json!({"enabled": false, "algorithm": null, "kms_key_arn": null});
    *bucket = serde_json::from_value(value.clone()).unwrap();
    let added = "arn:aws:s3:::flightdeck-new-bucket";
    value["arn"] = added.into();
    value["id"] = "flightdeck-new-bucket".into();
    value["name"] = "flightdeck-new-bucket".into();
    snapshot
        .resources
        .push(serde_json::from_value(value).unwrap());
    let index = snapshot
        .resources
        .iter()
        .position(|r| r.type_name() == "aws_ebs_volume")
        .expect("the sample has a volume");
    let removed = snapshot.resources.remove(index).arn;
    snapshot.seal();
    let path = dir.join("changed.json");
    std::fs::write(&path, snapshot.to_json_pretty()).unwrap();
    (path.display().to_string(), added.to_string(), removed)
}

fn arns(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["arn"].as_str().unwrap())
        .collect()
}

#[test]
fn two_snapshots_give_exactly_the_resources_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (changed, added, removed) = changed_sample(dir.path());
    let old = "samples/aws-sample/snapshot.json";
    let (code, out, err) = assay(&["diff", old, &changed, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let diff: Value = serde_json::from_str(&out).unwrap();
    let resources = &diff["resources"];
    assert_eq!(arns(&resources["added"]), vec![added.as_str()]);
    assert_eq!(arns(&resources["removed"]), vec![removed.as_str()]);
    assert_eq!(arns(&resources["changed"]), vec![BUCKET]);
    let paths: Vec<&str> = resources["changed"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec![
            "/encryption/algorithm",
            "/encryption/enabled",
            "/encryption/kms_key_arn"
        ]
    );
    assert_eq!(resources["changed"][0]["changes"][1]["old"], true);
    assert_eq!(resources["changed"][0]["changes"][1]["new"], false);
    assert!(diff["findings"].is_null());
    assert!(
        diff["not_compared"][0]
            .as_str()
            .unwrap()
            .contains("snapshots hold none")
    );

    let (code, md, _) = assay(&["diff", old, &changed, "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(md.contains("| changed | `arn:aws:s3:::flightdeck-ami-build-artifacts` | aws_s3_bucket | `/encryption/enabled` | true | false |"), "{md}");
    let (_, html, _) = assay(&["diff", old, &changed, "--format", "html"]);
    assert!(html.starts_with("<section class=\"assay-diff\">"));
    let (code, text, _) = assay(&["diff", old, old]);
    assert_eq!(code, 0);
    assert!(text.contains("no change in what was compared"), "{text}");
}

#[test]
fn two_findings_documents_give_findings_and_waivers_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (changed, added, removed) = changed_sample(dir.path());
    let audit = |snapshot: &str, waivers: bool, out: &str| {
        let out = dir.path().join(out);
        let out = out.to_str().unwrap();
        let mut args = vec![
            "audit",
            "--snapshot",
            snapshot,
            "--profile",
            "samples/air-maestro/profile.yaml",
            "--format",
            "json",
            "--out",
            out,
            "--now",
            NOW,
        ];
        if waivers {
            args.extend(["--waivers", "samples/waivers.yaml"]);
        }
        let (code, _, err) = assay(&args);
        assert!(code == 1 || code == 3, "{err}");
        format!("{out}/findings.json")
    };
    let old = audit("samples/aws-sample/snapshot.json", true, "old");
    let new = audit(&changed, false, "new");
    let (code, out, err) = assay(&["diff", &old, &new, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let diff: Value = serde_json::from_str(&out).unwrap();
    let findings = &diff["findings"];
    let on = |list: &Value, arn: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|f| f["resource"] == arn)
            .count()
    };
    assert!(on(&findings["new"], &added) > 0, "{findings}");
    assert!(on(&findings["resolved"], &removed) > 0, "{findings}");
    let encryption: Vec<&Value> = findings["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"] == BUCKET)
        .collect();
    assert!(
        encryption
            .iter()
            .any(|f| f["old_status"] == "PASS" && f["new_status"] == "FAIL"),
        "{findings}"
    );
    // Every change to an unchanged resource is a waiver that is no longer there.
    let waivers = &diff["waivers"];
    assert!(waivers["started"].as_array().unwrap().is_empty());
    assert!(
        !waivers["removed"].as_array().unwrap().is_empty(),
        "{waivers}"
    );
    for f in findings["changed"].as_array().unwrap() {
        assert!(
            f["resource"] == BUCKET || (f["old_status"] == "WAIVED" && f["new_status"] == "FAIL"),
            "unexpected change {f}"
        );
    }
    // And the other way round the waivers started.
    let (_, out, _) = assay(&["diff", &new, &old, "--format", "json"]);
    let back: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(back["waivers"]["started"], waivers["removed"]);
}

#[test]
fn bad_input_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = "samples/aws-sample/snapshot.json";
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"a\": 1,\n oops}").unwrap();
    let (code, _, err) = assay(&["diff", snapshot, junk.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("junk.json:2:2: not JSON"), "{err}");
    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"a\": 1}").unwrap();
    let (code, _, err) = assay(&["diff", snapshot, other.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("neither a snapshot"), "{err}");
    // A snapshot changed after sealing fails its integrity check.
    let text = std::fs::read_to_string(root().join(snapshot))
        .unwrap()
        .replacen(
            "flightdeck-ami-build-artifacts",
            "flightdeck-ami-build-artefacts",
            1,
        );
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, text).unwrap();
    let (code, _, err) = assay(&["diff", snapshot, tampered.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    // One of each kind.
    let out = dir.path().join("out");
    assay(&[
        "audit",
        "--snapshot",
        snapshot,
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    let findings = out.join("findings.json");
    let (code, _, err) = assay(&["diff", snapshot, findings.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("is a snapshot and")
            && err.contains("give two snapshots or two findings documents"),
        "{err}"
    );
}

/// `assay audit --previous`: the terminal summary says what changed since the previous
/// scan (the same comparison as `assay diff`); a snapshot in its place is refused before
/// anything is written.
#[test]
fn the_audit_summary_shows_the_change_since_the_previous_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (changed, _, _) = changed_sample(dir.path());
    let old = dir.path().join("old");
    let (code, _, err) = assay(&[
        "audit",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--format",
        "json",
        "--out",
        old.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(code == 1 || code == 3, "{err}");
    let previous = old.join("findings.json");
    let new = dir.path().join("new");
    let audit = |previous: &str| {
        assay(&[
            "audit",
            "--snapshot",
            &changed,
            "--profile",
            "samples/air-maestro/profile.yaml",
            "--format",
            "json",
            "--out",
            new.to_str().unwrap(),
            "--now",
            NOW,
            "--previous",
            previous,
        ])
    };
    let (code, out, err) = audit(previous.to_str().unwrap());
    assert!(code == 1 || code == 3, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("Since the previous scan"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("changed in status"), "{line}");
    assert!(
        out.lines()
            .any(|l| l.contains(&format!("on {BUCKET}: PASS -> FAIL"))),
        "{out}"
    );
    let (code, _, err) = audit("samples/aws-sample/snapshot.json");
    assert_eq!(code, 2);
    assert!(err.contains("not a snapshot"), "{err}");
}
