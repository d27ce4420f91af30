//! The GitHub Action (`action.yml`): its metadata, and its steps run as GitHub runs them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

use super::*;

pub fn action() -> Json {
    yaml(&read("action.yml"), "action.yml")
}

/// The inputs of the gate, common to the action and the GitLab template.
pub const GATE_INPUTS: [&str; 12] = [
    "plan", "snapshot", "profile", "waivers", "fail-on", "baseline", "account", "tf-dir", "format",
    "out", "args", "version",
];

/// The metadata GitHub reads: a composite action, the gate's inputs with descriptions,
/// the verdict and the SARIF path as outputs, and inputs reaching scripts only through
/// `env:` (an input pasted into a `run:` script is a script injection).
#[test]
fn the_action_declares_the_gate_inputs_and_outputs() {
    let action = action();
    for key in ["name", "description", "inputs", "outputs", "runs"] {
        assert!(!action[key].is_null(), "action.yml has {key}");
    }
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().expect("inputs");
    for name in GATE_INPUTS {
        let input = inputs.get(name).unwrap_or_else(|| panic!("input {name}"));
        assert!(input["description"].is_string(), "{name} is described");
        assert!(input["default"].is_string(), "{name} has a default");
    }
    for name in ["verdict", "sarif", "exit-code", "summary"] {
        let output = &action["outputs"][name];
        assert!(output["description"].is_string(), "output {name}");
        assert_eq!(
            output["value"],
            format!("${{{{ steps.gate.outputs.{name} }}}}"),
            "{name} comes from the gate step"
        );
    }
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let mut used = Vec::new();
    for step in steps {
        let run = step["run"].as_str().expect("a run step");
        assert!(!run.contains("${{"), "no expression in a run script: {run}");
        for value in step["env"].as_object().into_iter().flat_map(|e| e.values()) {
            let value = value.as_str().expect("a string");
            if let Some(name) = value
                .strip_prefix("${{ inputs.")
                .and_then(|v| v.strip_suffix(" }}"))
            {
                used.push(name.to_string());
            }
        }
    }
    for name in inputs.keys() {
        assert!(used.contains(name), "input {name} reaches a script");
    }
    for name in &used {
        assert!(inputs.contains_key(name), "{name} is declared");
    }
}

/// A directory with `assay` in it (the binary under test) and PATH with it first.
pub fn assay_path(dir: &Path) -> String {
    let bin = dir.join("assay-on-path");
    std::fs::create_dir_all(&bin).expect("created");
    let link = bin.join("assay");
    if !link.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_assay"), &link).expect("linked");
    }
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// What a run of a step of the action left: exit status, output, `$GITHUB_OUTPUT`,
/// `$GITHUB_PATH` and `$GITHUB_STEP_SUMMARY`.
pub struct StepRun {
    pub code: i32,
    pub log: String,
    pub outputs: BTreeMap<String, String>,
    pub path: String,
    pub summary: String,
}

/// Runs the step `id` of action.yml as GitHub does (`bash --noprofile --norc -eo
/// pipefail`), its `env:` evaluated with `inputs` over the declared defaults, in `cwd`.
pub fn run_action_step(
    id: &str,
    inputs: &BTreeMap<String, String>,
    cwd: &Path,
    env: &[(&str, &str)],
) -> StepRun {
    let action = action();
    let declared = action["inputs"].as_object().expect("inputs");
    for name in inputs.keys() {
        assert!(declared.contains_key(name), "action.yml declares {name}");
    }
    let step = action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("a step {id}"));
    let files = tempfile::tempdir().expect("tempdir");
    let file = |name: &str| {
        let path = files.path().join(name);
        std::fs::write(&path, "").expect("written");
        path
    };
    let (output, path, summary) = (file("output"), file("path"), file("summary"));
    // Outlives the step, as on a runner: what it installs stays for the next.
    let runner_temp = cwd.join("runner-temp");
    std::fs::create_dir_all(&runner_temp).expect("created");
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(step["run"].as_str().expect("run"))
        .current_dir(cwd)
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_PATH", &path)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_REPOSITORY", "example/assay")
        .env("RUNNER_TEMP", &runner_temp)
        .env_remove("ASSAY_RULES");
    for (name, value) in step["env"].as_object().into_iter().flatten() {
        let value = value.as_str().expect("a string");
        let value = match value
            .strip_prefix("${{ inputs.")
            .and_then(|v| v.strip_suffix(" }}"))
        {
            Some(input) => inputs.get(input).cloned().unwrap_or_else(|| {
                declared[input]["default"]
                    .as_str()
                    .expect("a default")
                    .into()
            }),
            // github.action_repository / action_ref: empty for `uses: ./`.
            None if value.starts_with("${{ github.") => String::new(),
            None => value.to_string(),
        };
        command.env(name, value);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let result = command.output().expect("bash runs");
    let outputs = std::fs::read_to_string(&output)
        .expect("GITHUB_OUTPUT")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    StepRun {
        code: result.status.code().unwrap_or(-1),
        log: output_text(&result),
        outputs,
        path: std::fs::read_to_string(&path).expect("GITHUB_PATH"),
        summary: std::fs::read_to_string(&summary).expect("GITHUB_STEP_SUMMARY"),
    }
}

/// Runs the action's gate step with `inputs` and the binary under test on PATH.
pub fn run_action_gate(inputs: &BTreeMap<String, String>, cwd: &Path) -> StepRun {
    let path = assay_path(cwd);
    run_action_step("gate", inputs, cwd, &[("PATH", &path)])
}

pub fn fixture_plan_inputs(out: &Path) -> BTreeMap<String, String> {
    let plans = root().join("tests/fixtures/plans");
    strings(&[
        ("plan", &plans.join("gate/plan.json").to_string_lossy()),
        ("account", "111122223333"),
        ("profile", &plans.join("profile.yaml").to_string_lossy()),
        ("fail-on", "high"),
        ("out", &out.to_string_lossy()),
    ])
}

/// The action installs the release for this machine, checksum checked, onto PATH; then
/// gates the fixture plan (four violations): verdict `failed`, exit 1, the SARIF path.
#[test]
fn the_action_installs_the_release_and_gates_a_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fake_release(dir.path());
    let install = run_action_step(
        "install",
        &strings(&[("version", "v9.9.9")]),
        dir.path(),
        &[("ASSAY_RELEASE_URL", &url)],
    );
    assert_eq!(install.code, 0, "{}", install.log);
    let bin = PathBuf::from(install.path.trim());
    assert!(bin.join("assay").is_file(), "{}", install.path);
    assert_eq!(
        install.outputs["assay-version"],
        format!("assay {}", env!("CARGO_PKG_VERSION"))
    );

    let out = dir.path().join("gate");
    let gate = run_action_step(
        "gate",
        &fixture_plan_inputs(&out),
        dir.path(),
        &[(
            "PATH",
            &format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )],
    );
    assert_eq!(gate.code, 1, "{}", gate.log);
    assert_eq!(gate.outputs["verdict"], "failed");
    assert_eq!(gate.outputs["exit-code"], "1");
    let sarif = &gate.outputs["sarif"];
    assert_eq!(PathBuf::from(sarif), out.join("results.sarif"));
    let sarif: Json = serde_json::from_str(&std::fs::read_to_string(sarif).expect("SARIF"))
        .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        gate.summary.starts_with("## assay gate: ❌ failed"),
        "{}",
        gate.summary
    );

    // A tampered release is refused before anything runs.
    let sums = dir.path().join("release/SHA256SUMS");
    let text = std::fs::read_to_string(&sums).expect("SHA256SUMS");
    std::fs::write(&sums, text.replace('a', "b").replace('0', "1")).expect("written");
    let refused = run_action_step(
        "install",
        &BTreeMap::new(),
        dir.path(),
        &[("ASSAY_RELEASE_URL", &url)],
    );
    assert_eq!(refused.code, 2, "{}", refused.log);
    assert!(refused.path.is_empty(), "nothing put on PATH");
}

/// Bad input is verdict `error`, exit 2, and the extra flags reach assay.
#[test]
fn the_action_reports_bad_input_as_an_error_verdict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inputs = fixture_plan_inputs(&dir.path().join("gate"));
    inputs.insert("fail-on".into(), "severe".into());
    let gate = run_action_gate(&inputs, dir.path());
    assert_eq!(gate.code, 2, "{}", gate.log);
    assert_eq!(gate.outputs["verdict"], "error");
    assert!(!gate.outputs.contains_key("sarif"), "no SARIF was written");

    let mut inputs = fixture_plan_inputs(&dir.path().join("gate"));
    inputs.insert(
        "args".into(),
        "--no-fail-on-gap --now 2026-12-01T00:00:00Z".into(),
    );
    let gate = run_action_gate(&inputs, dir.path());
    assert_eq!(gate.code, 1, "{}", gate.log);
    assert!(
        gate.log
            .contains("--no-fail-on-gap --now 2026-12-01T00:00:00Z"),
        "{}",
        gate.log
    );
}
