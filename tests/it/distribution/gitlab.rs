//! The GitLab template (`ci/gitlab/assay-gate.yml`): its inputs, and its job run as a
//! GitLab runner runs it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value as Json;

use super::*;

/// `ci/gitlab/assay-gate.yml` as GitLab reads it with `inputs`: the `spec:` header, and
/// the jobs with every `$[[ inputs.NAME ]]` replaced (by the input or its default).
pub fn gitlab_template(inputs: &BTreeMap<&str, &str>) -> Json {
    let text = read("ci/gitlab/assay-gate.yml");
    let (header, body) = text
        .split_once("\n---\n")
        .expect("a spec header and the jobs");
    let spec = yaml(header, "the spec header");
    let declared = spec["spec"]["inputs"].as_object().expect("spec:inputs");
    for name in inputs.keys() {
        assert!(declared.contains_key(*name), "the template declares {name}");
    }
    let mut body = body.to_string();
    while let Some(start) = body.find("$[[ inputs.") {
        let end = start + body[start..].find(" ]]").expect("closed") + 3;
        let name = &body[start + "$[[ inputs.".len()..end - 3];
        let value = match inputs.get(name) {
            Some(v) => v.to_string(),
            None => declared
                .get(name)
                .unwrap_or_else(|| panic!("{name} is declared"))["default"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} is mandatory and not given"))
                .to_string(),
        };
        body.replace_range(start..end, &value);
    }
    yaml(&body, "the template's jobs")
}

/// The install (`.assay-install`'s before_script) and gate (the job's script) scripts.
pub fn gitlab_scripts(template: &Json, job: &str) -> (String, String) {
    let lines = |v: &Json| -> String {
        v.as_array()
            .expect("a script list")
            .iter()
            .map(|l| l.as_str().expect("a line"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    (
        lines(&template[".assay-install"]["before_script"]),
        lines(&template[job]["script"]),
    )
}

/// The job's variables (its own over `.assay-install`'s), `$NAME` values taken from `env`.
pub fn gitlab_variables(template: &Json, job: &str, env: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut variables = Vec::new();
    for source in [&template[".assay-install"], &template[job]] {
        for (name, value) in source["variables"].as_object().into_iter().flatten() {
            let value = value.as_str().expect("a string");
            let value = match value.strip_prefix('$') {
                Some(var) => env
                    .iter()
                    .find(|(k, _)| *k == var)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default(),
                None => value.to_string(),
            };
            variables.push((name.clone(), value));
        }
    }
    variables
}

/// Runs the template's job `job` as a GitLab shell runner does (`sh -e`, before_script
/// then script in one shell), in `cwd`; `install` false leaves out the before_script and
/// puts the binary under test on PATH instead.
pub fn run_gitlab_job(
    inputs: &BTreeMap<&str, &str>,
    cwd: &Path,
    install: bool,
    env: &[(&str, &str)],
) -> (i32, String) {
    let template = gitlab_template(inputs);
    let job = inputs.get("job-name").copied().unwrap_or("assay-gate");
    let (before, script) = gitlab_scripts(&template, job);
    let text = if install {
        format!("{before}\n{script}")
    } else {
        script
    };
    let mut command = Command::new("sh");
    command
        .args(["-e", "-c", &text])
        .current_dir(cwd)
        .env_remove("ASSAY_RULES");
    if !install {
        command.env("PATH", assay_path(cwd));
    }
    for (name, value) in gitlab_variables(&template, job, env) {
        command.env(name, value);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("sh runs");
    (output.status.code().unwrap_or(-1), output_text(&output))
}

/// The template takes the action's inputs (and GitLab's own: job name, stage, image,
/// where the releases are), every `$[[ inputs.X ]]` is declared, and the job runs
/// `assay gate`, keeps JUnit as a test report and the verdict as a dotenv report.
#[test]
fn the_gitlab_template_has_the_action_inputs_and_runs_assay_gate() {
    let text = read("ci/gitlab/assay-gate.yml");
    let (header, _) = text.split_once("\n---\n").expect("a spec header");
    let spec = yaml(header, "the spec header");
    let declared = spec["spec"]["inputs"].as_object().expect("spec:inputs");
    for name in
        GATE_INPUTS
            .iter()
            .chain(&["job-name", "stage", "image", "repository", "release-url"])
    {
        let input = declared
            .get(*name)
            .unwrap_or_else(|| panic!("input {name}"));
        assert!(input["description"].is_string(), "{name} is described");
    }
    assert!(
        declared["repository"].get("default").is_none(),
        "the release repository must be named"
    );
    let action = action();
    for (name, input) in action["inputs"].as_object().expect("inputs") {
        if name == "step-summary" || name == "version" {
            continue; // GitHub's job summary; GitLab's version defaults to latest
        }
        assert_eq!(
            declared[name]["default"], input["default"],
            "{name}: same default"
        );
    }

    let template = gitlab_template(&BTreeMap::from([("repository", "example/assay")]));
    let job = &template["assay-gate"];
    assert_eq!(job["extends"], ".assay-install");
    let (_, script) = gitlab_scripts(&template, "assay-gate");
    assert!(script.contains("assay gate \"$@\""), "{script}");
    assert_eq!(job["artifacts"]["when"], "always");
    assert_eq!(job["artifacts"]["reports"]["junit"], "assay-gate/junit.xml");
    assert_eq!(job["artifacts"]["reports"]["dotenv"], "assay.env");
}

/// The template's job installs the release (checksum checked) and gates the fixture plan:
/// exit 1 and ASSAY_VERDICT=failed in the dotenv report; a tampered release stops it.
#[test]
fn the_gitlab_job_installs_the_release_and_gates_a_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fake_release(dir.path());
    let plans = root().join("tests/fixtures/plans");
    let plan = plans.join("gate/plan.json").to_string_lossy().into_owned();
    let profile = plans.join("profile.yaml").to_string_lossy().into_owned();
    let inputs = BTreeMap::from([
        ("repository", "example/assay"),
        ("release-url", url.as_str()),
        ("plan", plan.as_str()),
        ("account", "$AWS_ACCOUNT_ID"),
        ("profile", profile.as_str()),
        ("fail-on", "high"),
        ("out", "gate"),
    ]);
    let (code, log) = run_gitlab_job(
        &inputs,
        dir.path(),
        true,
        &[("AWS_ACCOUNT_ID", "111122223333")],
    );
    assert_eq!(code, 1, "{log}");
    assert!(
        log.contains("rule pack digest: "),
        "assay --version ran: {log}"
    );
    let env = std::fs::read_to_string(dir.path().join("assay.env")).expect("assay.env");
    assert!(env.contains("ASSAY_VERDICT=failed\n"), "{env}");
    assert!(env.contains("ASSAY_EXIT_CODE=1\n"), "{env}");
    assert!(env.contains("ASSAY_SARIF=gate/results.sarif\n"), "{env}");
    assert!(dir.path().join("gate/junit.xml").is_file());

    std::fs::remove_file(dir.path().join("assay.env")).expect("removed");
    let sums = dir.path().join("release/SHA256SUMS");
    std::fs::write(&sums, "").expect("emptied");
    let (code, log) = run_gitlab_job(&inputs, dir.path(), true, &[]);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("checksum mismatch"), "{log}");
    assert!(!dir.path().join("assay.env").exists(), "the gate never ran");
}
