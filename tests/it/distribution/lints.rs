//! The linters of `scripts/lint-env.sh` over the workflows, the action, the GitLab
//! template, the install script, the examples of docs/ci.md and the Dockerfile.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use super::*;

/// A linter installed by `scripts/lint-env.sh`: `$var`, else its default path. A missing
/// linter fails the test: a lint that did not run is not a pass.
pub fn linter(var: &str, name: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/assay/lint-venv/bin")
            .join(name)
    });
    assert!(
        path.is_file(),
        "{name} is not installed at {} (run scripts/test.sh, or `source scripts/lint-env.sh`)",
        path.display()
    );
    path
}

/// PATH with the lint venv first, so actionlint finds shellcheck.
pub fn lint_path() -> String {
    let shellcheck = linter("ASSAY_SHELLCHECK", "shellcheck");
    let dir = shellcheck.parent().expect("a directory");
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// actionlint over `.github/workflows/`, with shellcheck on the `run:` scripts. The smoke
/// workflow uses the action as `uses: ./`, so actionlint also reads `action.yml` and
/// checks the inputs it is given against the ones it declares.
#[test]
fn the_workflows_and_the_action_pass_actionlint() {
    let output = Command::new(linter("ASSAY_ACTIONLINT", "actionlint"))
        .args(["-oneline", "-no-color"])
        .current_dir(root())
        .env("PATH", lint_path())
        .output()
        .expect("actionlint runs");
    assert!(output.status.success(), "{}", output_text(&output));
    let workflows: Vec<String> = std::fs::read_dir(root().join(".github/workflows"))
        .expect("the workflows")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(workflows.contains(&"release.yml".into()), "{workflows:?}");
    assert!(
        workflows.contains(&"action-smoke.yml".into()),
        "{workflows:?}"
    );
}

/// A misspelt input is caught: the lint above really reads `action.yml`.
#[test]
fn actionlint_rejects_an_input_the_action_does_not_declare() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("action.yml"), read("action.yml")).expect("copied");
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("created");
    std::fs::write(
        workflows.join("gate.yml"),
        "on: push\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n          plan: tfplan.json\n          fial-on: high\n",
    )
    .expect("written");
    std::fs::create_dir(dir.path().join(".git")).expect("a project root");
    let output = Command::new(linter("ASSAY_ACTIONLINT", "actionlint"))
        .args(["-oneline", "-no-color"])
        .current_dir(dir.path())
        .output()
        .expect("actionlint runs");
    assert!(!output.status.success());
    assert!(
        output_text(&output).contains("input \"fial-on\" is not defined"),
        "{}",
        output_text(&output)
    );
}

/// The GitHub workflow of docs/ci.md lints clean too.
#[test]
fn the_docs_ci_github_workflow_passes_actionlint() {
    let workflow = doc_yaml_block("<!-- github-actions -->");
    let mut child = Command::new(linter("ASSAY_ACTIONLINT", "actionlint"))
        .args([
            "-oneline",
            "-no-color",
            "-stdin-filename",
            "docs-ci.yml",
            "-",
        ])
        .current_dir(root())
        .env("PATH", lint_path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("actionlint runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(workflow.as_bytes())
        .expect("written");
    let output = child.wait_with_output().expect("actionlint ends");
    assert!(output.status.success(), "{}", output_text(&output));
}

/// shellcheck over the install script, the action's scripts (bash, as GitHub runs them)
/// and the GitLab template's (sh, as an Alpine job image runs them).
#[test]
fn the_shell_scripts_pass_shellcheck() {
    let shellcheck = linter("ASSAY_SHELLCHECK", "shellcheck");
    let check = |name: &str, shell: &str, script: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("script.sh");
        std::fs::write(&file, script).expect("written");
        let output = Command::new(&shellcheck)
            .args(["--shell", shell, "--severity", "style"])
            .arg(&file)
            .output()
            .expect("shellcheck runs");
        assert!(
            output.status.success(),
            "{name}: {}\n{script}",
            output_text(&output)
        );
    };
    check("scripts/install.sh", "sh", &read("scripts/install.sh"));
    for step in action()["runs"]["steps"].as_array().expect("steps") {
        assert_eq!(step["shell"], "bash", "{step}");
        // Expressions stand in for values: what shellcheck sees is what GitHub runs,
        // give or take the values.
        check(
            step["name"].as_str().expect("a name"),
            "bash",
            step["run"].as_str().expect("a run script"),
        );
    }
    let template = gitlab_template(&BTreeMap::from([("repository", "example/assay")]));
    let (before, script) = gitlab_scripts(&template, "assay-gate");
    check("GitLab before_script", "sh", &before);
    check("GitLab script", "sh", &script);
}

#[test]
fn the_dockerfile_passes_hadolint() {
    let output = Command::new(linter("ASSAY_HADOLINT", "hadolint"))
        .arg("Dockerfile")
        .current_dir(root())
        .output()
        .expect("hadolint runs");
    assert!(output.status.success(), "{}", output_text(&output));
}

/// The files GitHub and GitLab read, against the schemas check-jsonschema ships: GitHub's
/// action metadata schema for `action.yml`, its workflow schema for `.github/workflows/`
/// and docs/ci.md's workflow, GitLab CI's for the template (its `spec:` header, and its
/// jobs once the inputs are filled in) and docs/ci.md's pipeline.
#[test]
fn the_action_workflows_and_gitlab_files_match_their_schemas() {
    let checker = linter("ASSAY_CHECK_JSONSCHEMA", "check-jsonschema");
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("written");
        path
    };
    let template = read("ci/gitlab/assay-gate.yml");
    let (header, _) = template.split_once("\n---\n").expect("a spec header");
    let jobs = gitlab_template(&BTreeMap::from([("repository", "example/assay")]));
    let mut workflows: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .expect("the workflows")
        .map(|e| e.expect("an entry").path())
        .collect();
    workflows.push(write(
        "docs-github.yml",
        &doc_yaml_block("<!-- github-actions -->"),
    ));
    let checks: [(&str, Vec<PathBuf>); 3] = [
        ("vendor.github-actions", vec![root().join("action.yml")]),
        ("vendor.github-workflows", workflows),
        (
            "vendor.gitlab-ci",
            vec![
                write("spec.yml", header),
                write("jobs.yml", &serde_json::to_string(&jobs).expect("JSON")),
                write("docs-gitlab.yml", &doc_yaml_block("<!-- gitlab-ci -->")),
            ],
        ),
    ];
    for (schema, files) in checks {
        let output = Command::new(&checker)
            .args(["--builtin-schema", schema])
            .args(&files)
            .output()
            .expect("check-jsonschema runs");
        assert!(
            output.status.success(),
            "{schema}: {}",
            output_text(&output)
        );
    }
}
