//! `assay gate` and `assay baseline`: thresholds, baselines, waivers, exit codes, the CI
//! formats (JUnit well-formed and consistent, SARIF valid against the OASIS 2.1.0 schema),
//! and the docs/ci.md plan example run as written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value as Json;

use crate::plan::plans;
use crate::{assay, root};

const ACCOUNT: &str = "111122223333";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `assay gate --plan <plan> …` with the fixture profile; returns (code, stdout, stderr).
fn gate(plan: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let profile = plans().join("profile.yaml");
    let mut args = vec![
        "gate",
        "--plan",
        s(plan),
        "--account",
        ACCOUNT,
        "--profile",
        s(&profile),
        "--out",
        s(out),
        "--now",
        "2026-11-23T12:00:00Z",
    ];
    args.extend_from_slice(extra);
    assay(&args)
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("json")
}

/// (rule, resource label) of every blocking finding.
fn blocking(out: &Path) -> BTreeSet<(String, String)> {
    let gate = read_json(&out.join("gate.json"));
    let findings = read_json(&out.join("findings.json"));
    findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| gate["judgements"][f["id"].as_str().expect("id")] == "blocking")
        .map(|f| {
            let label = f["resource"]["arn"].as_str().map_or_else(
                || f["scope"].to_string(),
                |a| a.trim_start_matches("terraform:").to_string(),
            );
            (f["rule_id"].as_str().expect("rule").to_string(), label)
        })
        .collect()
}

fn the_four_violations() -> BTreeSet<(String, String)> {
    [
        (
            "residency.s3-replication-destinations",
            "aws_s3_bucket.data",
        ),
        ("encryption.ebs-volume-kms-cmk", "aws_ebs_volume.scratch"),
        (
            "network.no-public-admin-ports",
            "aws_security_group.bastion",
        ),
        ("backup.plan-daily-retention", "aws_backup_plan.main"),
    ]
    .iter()
    .map(|(r, a)| (r.to_string(), a.to_string()))
    .collect()
}

#[test]
fn the_gate_plan_fails_with_one_finding_per_violation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = gate(&plans().join("gate/plan.json"), dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(blocking(dir.path()), the_four_violations(), "{stdout}");
    assert!(stdout.contains("gate FAILED: 4 blocking"), "{stdout}");
}

#[test]
fn a_baseline_of_the_findings_passes_and_a_new_violation_fails_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("baseline.json");
    let profile = plans().join("profile.yaml");
    let plan = plans().join("gate/plan.json");
    let (code, stdout, stderr) = assay(&[
        "baseline",
        "create",
        "--plan",
        s(&plan),
        "--account",
        ACCOUNT,
        "--profile",
        s(&profile),
        "-o",
        s(&baseline),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let entries = read_json(&baseline);
    assert_eq!(entries["source"]["origin"], "plan");
    assert!(
        entries["findings"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["resource"]
                .as_str()
                .is_some_and(|r| r.starts_with("terraform:")))
    );

    let out = dir.path().join("same");
    let (code, stdout, _) = gate(&plan, &out, &["--baseline", s(&baseline)]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("gate PASSED: 0 blocking, 4 baselined"),
        "{stdout}"
    );

    let out = dir.path().join("new");
    let (code, stdout, _) = gate(
        &plans().join("gate/plan-new-violation.json"),
        &out,
        &["--baseline", s(&baseline)],
    );
    assert_eq!(code, 1, "{stdout}");
    let new: BTreeSet<(String, String)> = [(
        "network.no-public-admin-ports".to_string(),
        "aws_security_group.rdp[0]".to_string(),
    )]
    .into();
    assert_eq!(blocking(&out), new);
}

#[test]
fn thresholds_and_waivers_decide_what_blocks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = plans().join("gate/plan.json");
    let out = dir.path().join("critical");
    let (code, _, _) = gate(&plan, &out, &["--fail-on", "critical"]);
    assert_eq!(code, 1);
    assert_eq!(blocking(&out).len(), 1, "only the critical network rule");

    let waiver = |expires: &str| {
        format!(
            "- rule: network.no-public-admin-ports\n  resource: terraform:aws_security_group.bastion\n  reason: bastion replaced by SSM next sprint\n  approved_by: \"Jane Citizen, CISO\"\n  ticket: SEC-1\n  expires: \"{expires}\"\n"
        )
    };
    let valid = dir.path().join("valid.yaml");
    std::fs::write(&valid, waiver("2027-01-31")).expect("write");
    let out = dir.path().join("waived");
    let (code, stdout, _) = gate(
        &plan,
        &out,
        &["--fail-on", "critical", "--waivers", s(&valid)],
    );
    assert_eq!(code, 0, "a waived finding never fails the gate: {stdout}");

    let expired = dir.path().join("expired.yaml");
    std::fs::write(&expired, waiver("2026-11-01")).expect("write");
    let out = dir.path().join("expired");
    let (code, stdout, _) = gate(
        &plan,
        &out,
        &["--fail-on", "critical", "--waivers", s(&expired)],
    );
    assert_eq!(code, 1, "an expired waiver does: {stdout}");
}

#[test]
fn exit_codes_for_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = plans().join("gate/plan.json");
    let (code, _, stderr) = gate(&plan, dir.path(), &["--format", "html"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown format `html`"), "{stderr}");
    let (code, _, stderr) = gate(&dir.path().join("missing.json"), dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read plan"), "{stderr}");
    let bad = dir.path().join("baseline.json");
    std::fs::write(&bad, "{\"schema_version\": 1, \"findings\": 3}").expect("write");
    let (code, _, stderr) = gate(&plan, dir.path(), &["--baseline", s(&bad)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid baseline"), "{stderr}");
    let (code, _, stderr) = assay(&["gate", "--profile", "x.yaml"]);
    assert_eq!(code, 2, "neither --snapshot nor --plan: {stderr}");
    let (code, stdout, _) = assay(&["gate", "--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("1  the gate failed"), "{stdout}");
}

#[test]
fn unknown_findings_fail_the_gate_unless_let_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = plans().join("estate/plan.json");
    let out = dir.path().join("strict");
    gate(&plan, &out, &[]);
    let strict = blocking(&out);
    assert!(strict.contains(&(
        "encryption.ebs-volume-kms-cmk".to_string(),
        "aws_ebs_volume.cache".to_string()
    )));
    let out = dir.path().join("lenient");
    gate(&plan, &out, &["--no-fail-on-unknown"]);
    let lenient = blocking(&out);
    assert_eq!(
        strict.len() - lenient.len(),
        4,
        "the four UNKNOWN findings (the volume's key, two users' MFA, the planned database's \
         restore window) are let through"
    );
}

#[test]
fn junit_is_well_formed_and_agrees_with_the_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    gate(&plans().join("gate/plan.json"), dir.path(), &[]);
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit.xml");
    let mut reader = Reader::from_str(&xml);
    let (mut testcases, mut failures, mut depth, mut root_tests) = (0, 0, 0i32, None);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let empty = xml[..reader.buffer_position() as usize].ends_with("/>");
                match e.name().as_ref() {
                    "testsuites" => {
                        root_tests = e
                            .try_get_attribute("tests")
                            .ok()
                            .flatten()
                            .map(|a| a.value.to_string());
                    }
                    "testcase" => {
                        testcases += 1;
                        for attr in ["classname", "name"] {
                            assert!(
                                e.try_get_attribute(attr).ok().flatten().is_some(),
                                "testcase without {attr}"
                            );
                        }
                    }
                    "failure" => failures += 1,
                    _ => {}
                }
                if !empty {
                    depth += 1;
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Err(e) => panic!(
                "junit.xml is not well-formed at {}: {e}",
                reader.buffer_position()
            ),
            _ => {}
        }
    }
    assert_eq!(depth, 0, "balanced elements");
    let findings = read_json(&dir.path().join("findings.json"));
    let total = findings["findings"].as_array().expect("findings").len();
    assert_eq!(testcases, total, "one testcase per rule × resource finding");
    assert_eq!(root_tests, Some(total.to_string()));
    assert_eq!(
        failures, 4,
        "a testcase fails exactly when the gate fails on it"
    );
    assert!(
        xml.contains("observed: false") && xml.contains("terraform:plan"),
        "failures carry evidence and its source"
    );
}

/// The OASIS SARIF 2.1.0 schema (errata 01), committed beside the fixtures.
pub fn sarif_validator() -> jsonschema::Validator {
    let schema = read_json(&root().join("tests/fixtures/sarif-schema-2.1.0.json"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[test]
fn sarif_validates_against_the_schema_and_points_at_terraform() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, "{\"schema_version\":1,\"created_at\":\"2026-11-23T00:00:00Z\",\"source\":{\"origin\":\"plan\",\"path\":\"p\",\"manifest_digest\":\"d\"},\"findings\":[]}").expect("write");
    for (plan, extra) in [
        ("gate/plan.json", vec![]),
        ("estate/plan.json", vec!["--baseline", s(&baseline)]),
    ] {
        let out = dir.path().join(plan.replace('/', "-"));
        gate(&plans().join(plan), &out, &extra);
        let sarif = read_json(&out.join("results.sarif"));
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{plan}: {errors:#?}");
    }
    let sarif = read_json(&dir.path().join("gate-plan.json").join("results.sarif"));
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Json::from("fatal");
    assert!(!validator.is_valid(&broken), "the schema is really checked");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let bastion = results
        .iter()
        .find(|r| {
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                == "aws_security_group.bastion"
        })
        .expect("bastion result");
    let physical = &bastion["locations"][0]["physicalLocation"];
    assert!(
        physical["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("tests/fixtures/plans/gate/main.tf")),
        "{physical}"
    );
    let line = physical["region"]["startLine"].as_u64().expect("line") as usize;
    let tf = std::fs::read_to_string(plans().join("gate/main.tf")).expect("main.tf");
    assert_eq!(
        tf.lines().nth(line - 1),
        Some("resource \"aws_security_group\" \"bastion\" {")
    );
    assert!(bastion["partialFingerprints"]["assay/v1"].is_string());
}

#[test]
fn sarif_from_a_snapshot_validates_too() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = assay(&[
        "gate",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--waivers",
        "samples/waivers.yaml",
        "--out",
        s(dir.path()),
        "--now",
        "2026-12-04T12:00:00Z",
    ]);
    assert_eq!(code, 1, "the sample account has failures: {stdout}{stderr}");
    let sarif = read_json(&dir.path().join("results.sarif"));
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).expect("summary.md");
    assert!(summary.starts_with("## assay gate: ❌ failed"), "{summary}");
}

// ---- docs/ci.md ----------------------------------------------------------------------

/// The first line of docs/ci.md (after `marker`) that starts with `prefix`, as words.
fn doc_command(marker: &str, prefix: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).expect("docs/ci.md");
    let from = doc
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in docs/ci.md"));
    let line = doc[from..]
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ")
        })
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` after {marker}"));
    line.split_whitespace()
        .map(|w| w.trim_matches('"').to_string())
        .collect()
}

/// Runs a documented command against the fixtures: the documented paths are swapped for
/// fixture paths, everything else (flags, order) is as written.
fn run_documented(words: &[String], dir: &Path, plan: &str) -> (i32, String, String) {
    assert_eq!(words[0], "assay");
    let mut args: Vec<String> = Vec::new();
    for (i, w) in words.iter().enumerate().skip(1) {
        // The output directory is whatever follows `--out`.
        args.push(if words[i - 1] == "--out" {
            s(&dir.join("out")).to_string()
        } else {
            swap_documented(w, dir, plan)
        });
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assay(&args)
}

/// A documented value swapped for its fixture: the plan, profile, baseline and account.
fn swap_documented(value: &str, dir: &Path, plan: &str) -> String {
    match value {
        "tfplan.json" => s(&plans().join(plan)).to_string(),
        "infra" => s(&plans().join("gate")).to_string(),
        "$AWS_ACCOUNT_ID" | "${{ env.AWS_ACCOUNT_ID }}" => ACCOUNT.to_string(),
        "compliance/profile.yaml" => s(&plans().join("profile.yaml")).to_string(),
        "compliance/baseline.json" => s(&dir.join("baseline.json")).to_string(),
        other => other.to_string(),
    }
}

/// The `with:` of the GitHub workflow's step that gates the plan with the action, and the
/// `inputs:` of the GitLab example's include of the template that does.
fn documented_gate_inputs() -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let strings = |map: &Json| -> BTreeMap<String, String> {
        map.as_object()
            .expect("a map")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_string()))
            .collect()
    };
    let workflow: Json = serde_saphyr::from_str(&crate::distribution::doc_yaml_block(
        "<!-- github-actions -->",
    ))
    .expect("the GitHub example is YAML");
    let step = workflow["jobs"]
        .as_object()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_array().expect("steps"))
        .find(|step| {
            step["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("your-org/assay@"))
                && step["with"]["plan"].is_string()
        })
        .expect("a step gating the plan with the action");
    let pipeline: Json =
        serde_saphyr::from_str(&crate::distribution::doc_yaml_block("<!-- gitlab-ci -->"))
            .expect("the GitLab example is YAML");
    let include = pipeline["include"]
        .as_array()
        .expect("include")
        .iter()
        .find(|i| {
            i["remote"]
                .as_str()
                .is_some_and(|r| r.ends_with("ci/gitlab/assay-gate.yml"))
                && i["inputs"]["plan"].is_string()
        })
        .expect("an include of the template gating the plan");
    (strings(&step["with"]), strings(&include["inputs"]))
}

/// docs/ci.md's plan gate, as the GitHub Action and the GitLab template run it with the
/// documented inputs (tests/it/distribution/ runs their scripts), and its `assay
/// baseline create` command: exit 2 before the baseline exists, 0 once it does, 1 on a
/// plan with a new violation, the same from both.
#[test]
fn the_docs_ci_plan_example_runs_against_the_fixture() {
    let (github, gitlab) = documented_gate_inputs();
    for (name, value) in &github {
        if name == "version" {
            continue;
        }
        let other = gitlab
            .get(name)
            .unwrap_or_else(|| panic!("the GitLab example gives {name} too"));
        let dir = Path::new("/unused");
        assert_eq!(
            swap_documented(value, dir, "gate/plan.json"),
            swap_documented(other, dir, "gate/plan.json"),
            "{name}: the GitHub and GitLab examples run the same gate"
        );
    }
    let create = doc_command("<!-- baseline-create -->", "assay baseline create");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let run = |plan: &str| -> (i32, String) {
        let mut inputs: BTreeMap<String, String> = github
            .iter()
            .filter(|(k, _)| *k != "version")
            .map(|(k, v)| (k.clone(), swap_documented(v, dir.path(), plan)))
            .collect();
        inputs.insert("out".into(), s(&out).to_string());
        let action = crate::distribution::run_action_gate(&inputs, dir.path());
        let gitlab_inputs: BTreeMap<&str, &str> = inputs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain([("repository", "example/assay")])
            .collect();
        let (code, log) =
            crate::distribution::run_gitlab_job(&gitlab_inputs, dir.path(), false, &[]);
        assert_eq!(
            code, action.code,
            "GitLab as GitHub: {log}\n---\n{}",
            action.log
        );
        (action.code, action.log)
    };

    // Before a baseline exists the documented gate cannot run: bad input, exit 2.
    let (code, log) = run("gate/plan.json");
    assert_eq!(code, 2, "{log}");
    let (code, stdout, stderr) = run_documented(&create, dir.path(), "gate/plan.json");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, log) = run("gate/plan.json");
    assert_eq!(code, 0, "the baselined plan passes: {log}");
    for file in [
        "junit.xml",
        "results.sarif",
        "summary.md",
        "findings.json",
        "gate.json",
    ] {
        assert!(out.join(file).is_file(), "{file} written");
    }
    let (code, log) = run("gate/plan-new-violation.json");
    assert_eq!(code, 1, "a new violation fails: {log}");
    assert!(log.contains("aws_security_group.rdp[0]"), "{log}");
}
