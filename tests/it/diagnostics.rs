//! What a user sees for malformed rules, profiles, waivers and snapshots: every problem,
//! with file, line and column, in one pass. Snapshots of the rendered messages.

use std::path::Path;

use assay::diag::{Level, Sources};
use assay::rules::load::load_pack;

use crate::{assay_in, root, rules_dir};

/// A rules directory with the real params and catalogues plus one bad rule as
/// `bad/<name>.yaml`.
fn pack_with(bad_rule: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("frameworks")).unwrap();
    std::fs::create_dir_all(dir.path().join("bad")).unwrap();
    std::fs::copy(
        rules_dir().join("params.yaml"),
        dir.path().join("params.yaml"),
    )
    .unwrap();
    for entry in std::fs::read_dir(rules_dir().join("frameworks")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("frameworks").join(entry.file_name()),
        )
        .unwrap();
    }
    std::fs::copy(
        bad_rule,
        dir.path().join("bad").join(bad_rule.file_name().unwrap()),
    )
    .unwrap();
    dir
}

fn rule_errors(name: &str) -> String {
    let bad = root().join("tests/fixtures/bad-rules").join(name);
    let dir = pack_with(&bad);
    let mut sources = Sources::default();
    let (pack, mut diags) = load_pack(dir.path(), &mut sources);
    assert!(pack.is_none(), "{name} must not load");
    diags.items.retain(|d| d.level == Level::Error);
    let text = diags.render_plain(&sources);
    text.replace(&dir.path().display().to_string(), "<rules>")
}

#[test]
fn cel_syntax_error_points_into_the_block_scalar() {
    insta::assert_snapshot!(rule_errors("cel-syntax.yaml"));
}

#[test]
fn misspelt_field_on_the_second_line_gets_did_you_mean() {
    let text = rule_errors("unknown-field.yaml");
    assert!(
        text.contains("<rules>/bad/unknown-field.yaml:11:"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn unknown_parameter_and_variable_are_both_reported() {
    insta::assert_snapshot!(rule_errors("unknown-param-and-variable.yaml"));
}

#[test]
fn misspelt_yaml_key_is_named_with_its_line() {
    insta::assert_snapshot!(rule_errors("yaml-key.yaml"));
}

#[test]
fn unknown_controls_severity_and_type_are_all_reported() {
    let text = rule_errors("unknown-control-and-type.yaml");
    for needle in [
        "A.8.99",
        "Art.32(1)(z)",
        "urgent",
        "aws_s3_buckets",
        "did you mean `aws_s3_bucket`",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn wrong_id_unmapped_and_undocumented_rule() {
    insta::assert_snapshot!(rule_errors("wrong-id-unmapped.yaml"));
}

#[test]
fn a_bad_profile_reports_every_problem_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("reports");
    let (code, stdout, stderr) = assay_in(
        &root(),
        &[
            "audit",
            "--snapshot",
            "samples/aws-sample/snapshot.json",
            "--profile",
            "tests/fixtures/bad-inputs/profile-bad-types.yaml",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert!(!out_dir.exists(), "no partial report may be written");
    insta::assert_snapshot!(stderr);
}

/// The Statement of Applicability section: every problem at its file, line and field.
#[test]
fn a_bad_applicability_section_reports_every_problem() {
    let out_dir = root().join("target/never-written-applicability");
    let (code, stdout, stderr) = assay_in(
        &root(),
        &[
            "audit",
            "--snapshot",
            "samples/aws-sample/snapshot.json",
            "--profile",
            "tests/fixtures/bad-inputs/profile-bad-applicability.yaml",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert!(!out_dir.exists(), "no partial report may be written");
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_bad_waiver_file_reports_every_problem() {
    let (code, _, stderr) = assay_in(
        &root(),
        &[
            "audit",
            "--snapshot",
            "samples/aws-sample/snapshot.json",
            "--profile",
            "samples/air-maestro/profile.yaml",
            "--waivers",
            "tests/fixtures/bad-inputs/waivers-bad.yaml",
            "--out",
            "target/never-written",
        ],
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!(stderr);
}

/// `assay rules lint` checks a profile and a waiver file without evaluating anything: the
/// samples pass, and a bad waiver file fails with the same field-level errors as `audit`.
#[test]
fn rules_lint_checks_a_profile_and_a_waiver_file() {
    let (code, stdout, stderr) = assay_in(
        &root(),
        &[
            "rules",
            "lint",
            "--profile",
            "samples/air-maestro/profile.yaml",
            "--waivers",
            "samples/waivers.yaml",
        ],
    );
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains("samples/waivers.yaml: 3 waiver(s), no errors"),
        "{stdout}"
    );
    let (code, _, stderr) = assay_in(
        &root(),
        &[
            "rules",
            "lint",
            "--waivers",
            "tests/fixtures/bad-inputs/waivers-bad.yaml",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("waivers-bad.yaml:20:16")
            && stderr.contains("`risk_rating` must be one of"),
        "{stderr}"
    );
    let (code, _, stderr) = assay_in(
        &root(),
        &[
            "rules",
            "lint",
            "--profile",
            "tests/fixtures/bad-inputs/profile-bad-applicability.yaml",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`justification` is required"), "{stderr}");
}
