//! Snapshots are evidence: any edit after collection is detected and named.

use assay::snapshot::{Snapshot, SnapshotError};

use crate::{assay, root};

fn sample_text() -> String {
    std::fs::read_to_string(root().join("samples/aws-sample/snapshot.json"))
        .expect("the bundled sample exists")
}

fn write_temp(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn the_bundled_sample_verifies() {
    let snapshot =
        Snapshot::load(&root().join("samples/aws-sample/snapshot.json")).expect("sample verifies");
    assert!(
        snapshot.resources.len() >= 200,
        "a few hundred resources, got {}",
        snapshot.resources.len()
    );
    let (code, stdout, _) = assay(&["snapshot", "verify", "samples/aws-sample/snapshot.json"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("intact"));
}

#[test]
fn an_edited_resource_breaks_the_manifest() {
    let mut snapshot = Snapshot::parse(&sample_text(), "sample").unwrap();
    snapshot.resources[0].region = "eu-west-1".into();
    let problems = snapshot.verify();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("manifest digest mismatch"));
}

#[test]
fn an_edited_raw_response_is_named() {
    let mut snapshot = Snapshot::parse(&sample_text(), "sample").unwrap();
    let (key, raw) = snapshot.raw_responses.iter_mut().next().unwrap();
    let key = key.clone();
    raw.body.push(' ');
    snapshot.seal(); // even a re-sealed manifest cannot hide a changed body
    let problems = snapshot.verify();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(&key) && problems[0].contains("body was changed"),
        "{problems:?}"
    );
}

#[test]
fn tampering_fails_the_audit_with_exit_2() {
    let text = sample_text().replacen("\"ap-southeast-2\"", "\"ap-southeast-1\"", 1);
    let file = write_temp(&text);
    let (code, _, stderr) = assay(&[
        "audit",
        "--snapshot",
        file.path().to_str().unwrap(),
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--out",
        "target/never-written",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("manifest digest mismatch"), "{stderr}");
}

#[test]
fn malformed_json_names_line_and_column() {
    let file = write_temp("{\n  \"schema_version\": 1,\n  \"tool\": \n}");
    match Snapshot::load(file.path()) {
        Err(SnapshotError::Invalid { line, column, .. }) => assert_eq!((line, column), (4, 1)),
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn an_unknown_version_is_refused_clearly() {
    let file =
        write_temp(&sample_text().replacen("\"schema_version\": 1", "\"schema_version\": 7", 1));
    let err = Snapshot::load(file.path()).unwrap_err().to_string();
    assert!(err.contains("schema_version 7 is not supported"), "{err}");
}

#[test]
fn the_published_schema_matches_the_rust_types() {
    let published = std::fs::read_to_string(root().join("docs/snapshot.schema.json"))
        .expect("docs/snapshot.schema.json exists");
    let generated = assay::snapshot::schema::snapshot_json_schema();
    assert!(
        published == generated,
        "docs/snapshot.schema.json is stale: run `cargo run -- snapshot schema > docs/snapshot.schema.json`"
    );
}
