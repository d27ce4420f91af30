//! Installing assay where users run it: the release workflow, the GitHub Action
//! (`action.yml`), the GitLab template (`ci/gitlab/assay-gate.yml`), `scripts/install.sh`
//! and the `Dockerfile`. The linters come from `scripts/lint-env.sh` (run by
//! `scripts/test.sh`); the scripts of the action and the template run here as GitHub and
//! GitLab would run them, against a release directory served over `file://` whose archives
//! hold the assay binary under test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

use crate::root;

// ---- linters ---------------------------------------------------------------------------

/// A linter installed by `scripts/lint-env.sh`: `$var`, else its default path. A missing
/// linter fails the test: a lint that did not run is not a pass.
fn linter(var: &str, name: &str) -> PathBuf {
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
fn lint_path() -> String {
    let shellcheck = linter("ASSAY_SHELLCHECK", "shellcheck");
    let dir = shellcheck.parent().expect("a directory");
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
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

// ---- Dockerfile -------------------------------------------------------------------------

/// The image runs as a numeric non-root user on pinned bases, copies nothing from a URL,
/// enters at `assay`, and ships the built-in rule pack unpacked where its XDG_CACHE_HOME
/// points (so a read-only root file system needs nothing writable for it). Everything the
/// build copies is let into the build context by `.dockerignore`.
#[test]
fn the_dockerfile_builds_a_non_root_image_that_needs_no_writable_root() {
    let dockerfile = read("Dockerfile");
    let instructions: Vec<(String, String)> = dockerfile
        .replace("\\\n", " ")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (word, rest) = l.split_once(' ').unwrap_or((l, ""));
            (word.to_uppercase(), rest.trim().to_string())
        })
        .collect();
    let all = |word: &str| -> Vec<&str> {
        instructions
            .iter()
            .filter(|(w, _)| w == word)
            .map(|(_, r)| r.as_str())
            .collect()
    };
    assert!(all("ADD").is_empty(), "COPY only, never ADD");
    let froms = all("FROM");
    assert_eq!(
        froms.len(),
        2,
        "a build stage and a runtime stage: {froms:?}"
    );
    for from in &froms {
        let image = from.split_whitespace().next().expect("an image");
        let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
        assert!(
            !tag.is_empty() && tag != "latest",
            "{image}: pinned to a tag"
        );
    }
    assert!(froms[0].contains("${RUST_VERSION}"), "{}", froms[0]);
    assert!(
        all("ARG").iter().any(|a| a.starts_with("RUST_VERSION=1.")),
        "the Rust version is pinned"
    );
    assert!(froms[1].starts_with("gcr.io/distroless/"), "{}", froms[1]);

    // The last USER is numeric and not root.
    let runtime = instructions
        .iter()
        .rposition(|(w, _)| w == "FROM")
        .expect("a runtime stage");
    let users: Vec<&str> = instructions[runtime..]
        .iter()
        .filter(|(w, _)| w == "USER")
        .map(|(_, r)| r.as_str())
        .collect();
    let user = users.last().expect("the runtime stage sets USER");
    let uid: u32 = user
        .split(':')
        .next()
        .and_then(|u| u.parse().ok())
        .unwrap_or_else(|| panic!("USER {user} is numeric"));
    assert_ne!(uid, 0, "not root");

    let entrypoint = all("ENTRYPOINT");
    assert_eq!(entrypoint, ["[\"/usr/local/bin/assay\"]"]);

    // The pack is unpacked at build time under the runtime's XDG_CACHE_HOME.
    let env = all("ENV");
    let cache = env
        .iter()
        .find_map(|e| e.strip_prefix("XDG_CACHE_HOME="))
        .expect("the runtime sets XDG_CACHE_HOME");
    let unpacks = all("RUN")
        .iter()
        .any(|r| r.contains(&format!("XDG_CACHE_HOME=/out{cache}")) && r.contains("rules list"));
    assert!(unpacks, "the build stage unpacks the pack into /out{cache}");
    assert!(
        all("COPY").contains(&"--from=build /out/ /"),
        "the runtime copies the binary and the unpacked pack"
    );

    // Every source the build copies passes .dockerignore (an allow-list).
    let ignore = read(".dockerignore");
    let allowed: Vec<&str> = ignore
        .lines()
        .filter_map(|l| l.trim().strip_prefix('!'))
        .map(|l| l.trim_end_matches('/'))
        .collect();
    for copy in all("COPY") {
        if copy.starts_with("--from") {
            continue;
        }
        let words: Vec<&str> = copy.split_whitespace().collect();
        for source in &words[..words.len() - 1] {
            assert!(allowed.contains(source), "{source} is in the build context");
            assert!(root().join(source).exists(), "{source} exists");
        }
    }
    // What the binary compiles in (include_str!/include_bytes! outside tests) is copied.
    for dir in ["src", "rules", "report-templates", "fonts", "build.rs"] {
        let copied = all("COPY").iter().any(|c| {
            let words: Vec<&str> = c.split_whitespace().collect();
            words[..words.len() - 1].contains(&dir)
        });
        assert!(copied, "{dir} is copied");
    }
}

/// The read-only root file system the image is made for, without Docker: the home and
/// the cache directory cannot be written, and the built-in pack is still found (from a
/// copy unpacked beforehand, as the image has) or written to the temporary directory.
#[test]
fn the_built_in_pack_works_where_only_the_temporary_directory_is_writable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blocked = dir.path().join("not-a-directory");
    std::fs::write(&blocked, "").expect("written");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).expect("created");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("created");
    let run = |cache: &Path| {
        Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(["rules", "list"])
            .current_dir(&work)
            .env_remove("ASSAY_RULES")
            .env("XDG_CACHE_HOME", cache)
            .env("HOME", blocked.join("home"))
            .env("TMPDIR", &tmp)
            .output()
            .expect("assay runs")
    };
    // Nothing writable but TMPDIR: the pack goes there.
    let output = run(&blocked.join("cache"));
    assert!(output.status.success(), "{}", output_text(&output));
    let unpacked: Vec<String> = std::fs::read_dir(tmp.join("assay"))
        .expect("unpacked under TMPDIR")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(unpacked.len(), 1, "{unpacked:?}");
    assert!(unpacked[0].starts_with("rules-"), "{unpacked:?}");

    // As in the image: XDG_CACHE_HOME holds the unpacked pack, and nothing at all can be
    // written (TMPDIR is blocked too): the copy is read and used as it is.
    let before = std::fs::metadata(tmp.join("assay").join(&unpacked[0]))
        .and_then(|m| m.modified())
        .expect("the unpacked pack");
    let output = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["rules", "list"])
        .current_dir(&work)
        .env_remove("ASSAY_RULES")
        .env("XDG_CACHE_HOME", &tmp)
        .env("HOME", blocked.join("home"))
        .env("TMPDIR", blocked.join("tmp"))
        .output()
        .expect("assay runs");
    assert!(output.status.success(), "{}", output_text(&output));
    let listed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(listed.contains("backup."), "{listed}");
    let entries = std::fs::read_dir(tmp.join("assay"))
        .expect("listed")
        .count();
    assert_eq!(entries, 1, "nothing written beside the copy");
    let after = std::fs::metadata(tmp.join("assay").join(&unpacked[0]))
        .and_then(|m| m.modified())
        .expect("the unpacked pack");
    assert_eq!(before, after, "the copy was not rewritten");

    // Nowhere to write and no copy: a clear error naming every place tried, exit 2.
    let output = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["rules", "list"])
        .current_dir(&work)
        .env_remove("ASSAY_RULES")
        .env("XDG_CACHE_HOME", blocked.join("cache"))
        .env("HOME", blocked.join("home"))
        .env("TMPDIR", blocked.join("tmp"))
        .output()
        .expect("assay runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    for tried in [
        "cache/assay",
        "home/.cache/assay",
        "tmp/assay",
        "XDG_CACHE_HOME",
    ] {
        assert!(stderr.contains(tried), "{tried}: {stderr}");
    }
}

// ---- assay --version ----------------------------------------------------------------------

/// `assay --version` names the version, the commit (this checkout's, as build.rs read it)
/// and the digest reports show for the built-in pack (the same files as `rules/`).
#[test]
fn the_version_names_the_commit_and_the_rule_pack_digest() {
    let (code, stdout, stderr) = crate::assay(&["--version"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("assay {}", env!("CARGO_PKG_VERSION")),
        "{stdout}"
    );
    let commit = lines[1].strip_prefix("commit: ").expect("a commit line");
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    let digest = lines[2]
        .strip_prefix("rule pack digest: ")
        .and_then(|l| l.split_whitespace().next())
        .expect("a digest line");

    // The digest of the findings from the repository's rules/ (identical to the built-in).
    let (_, findings, stderr) = crate::assay(&[
        "evaluate",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
    ]);
    let findings: Json =
        serde_json::from_str(&findings).unwrap_or_else(|e| panic!("findings JSON ({e}): {stderr}"));
    assert_eq!(findings["rule_pack"]["digest"], digest);
    let (_, short, _) = crate::assay(&["-V"]);
    assert_eq!(short, stdout, "-V says the same");
}

/// build.rs takes the commit from `$ASSAY_BUILD_COMMIT`, else from git in a checkout,
/// else says `unknown`; the binary prints what it recorded.
#[test]
fn the_version_commit_is_the_checkouts() {
    let recorded = env!("ASSAY_BUILD_COMMIT");
    let (_, stdout, _) = crate::assay(&["--version"]);
    assert!(
        stdout.contains(&format!("commit: {recorded}\n")),
        "{stdout} ({recorded})"
    );
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let expected = match (std::env::var("ASSAY_BUILD_COMMIT"), head) {
        (Ok(set), _) if !set.trim().is_empty() => set.trim().to_string(),
        (_, Some(head)) => head,
        (_, None) => "unknown".to_string(),
    };
    assert_eq!(recorded, expected);
}

// ---- release files ----------------------------------------------------------------------

const TARGETS: [&str; 3] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "aarch64-apple-darwin",
];

/// A release as the workflow publishes it, in `dir/release`: one archive per target
/// holding `assay-<target>/assay` (a wrapper that runs the binary under test), and
/// SHA256SUMS. Returns its `file://` URL.
fn fake_release(dir: &Path) -> String {
    let release = dir.join("release");
    let staging = dir.join("staging");
    std::fs::create_dir_all(&release).expect("created");
    let mut sums = String::new();
    for target in TARGETS {
        let folder = staging.join(format!("assay-{target}"));
        std::fs::create_dir_all(&folder).expect("created");
        let binary = folder.join("assay");
        std::fs::write(
            &binary,
            format!("#!/bin/sh\nexec '{}' \"$@\"\n", env!("CARGO_BIN_EXE_assay")),
        )
        .expect("written");
        make_executable(&binary);
        let archive = format!("assay-{target}.tar.gz");
        let status = Command::new("tar")
            .arg("-czf")
            .arg(release.join(&archive))
            .arg("-C")
            .arg(&staging)
            .arg(format!("assay-{target}"))
            .status()
            .expect("tar runs");
        assert!(status.success());
        let bytes = std::fs::read(release.join(&archive)).expect("the archive");
        sums.push_str(&format!(
            "{}  {archive}\n",
            assay::snapshot::sha256_hex(&bytes)
        ));
    }
    std::fs::write(release.join("SHA256SUMS"), sums).expect("written");
    format!("file://{}", release.display())
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn install(release_url: &str, into: &Path) -> std::process::Output {
    Command::new("sh")
        .arg(root().join("scripts/install.sh"))
        .args(["--repo", "example/assay", "--dir"])
        .arg(into)
        .env("ASSAY_RELEASE_URL", release_url)
        .output()
        .expect("install.sh runs")
}

/// A `curl` first on PATH that serves GitHub release URLs from the fake release in
/// `dir/release` and logs every URL asked for to `dir/urls`: where the scripts look for a
/// release, without a network. Returns the PATH to use.
fn github_stand_in(dir: &Path) -> String {
    let bin = dir.join("stand-in");
    std::fs::create_dir_all(&bin).expect("created");
    let curl = bin.join("curl");
    std::fs::write(
        &curl,
        format!(
            "#!/bin/sh\nout=\nurl=\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in\n    -o) out=\"$2\"; shift 2 ;;\n    -*) shift ;;\n    *) url=\"$1\"; shift ;;\n  esac\ndone\necho \"$url\" >> '{log}'\ncase \"$url\" in\n  https://github.com/example/assay/releases/*) cp '{release}'/\"${{url##*/}}\" \"$out\" ;;\n  *) exit 22 ;;\nesac\n",
            log = dir.join("urls").display(),
            release = dir.join("release").display(),
        ),
    )
    .expect("written");
    make_executable(&curl);
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn urls_asked(dir: &Path) -> Vec<String> {
    let urls = std::fs::read_to_string(dir.join("urls")).unwrap_or_default();
    std::fs::remove_file(dir.join("urls")).ok();
    urls.lines().map(str::to_string).collect()
}

/// The release a script asks for: the version given, else the latest; the action's own
/// tag when the action is used at a release tag (`uses: OWNER/assay@v0.3.0`).
#[test]
fn the_scripts_download_the_release_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    fake_release(dir.path());
    let path = github_stand_in(dir.path());
    let base = "https://github.com/example/assay/releases";
    let asked = |urls: Vec<String>, release: &str| {
        assert_eq!(urls.len(), 2, "{urls:?}");
        assert!(
            urls[0].starts_with(&format!("{base}/{release}/assay-")),
            "{urls:?}"
        );
        assert!(urls[0].ends_with(".tar.gz"), "{urls:?}");
        assert_eq!(urls[1], format!("{base}/{release}/SHA256SUMS"));
    };
    let script = |version: Option<&str>| {
        let mut command = Command::new("sh");
        command
            .arg(root().join("scripts/install.sh"))
            .args(["--repo", "example/assay", "--dir"])
            .arg(dir.path().join("bin"))
            .env("PATH", &path)
            .env_remove("ASSAY_RELEASE_URL")
            .env_remove("ASSAY_VERSION");
        if let Some(version) = version {
            command.args(["--version", version]);
        }
        let output = command.output().expect("install.sh runs");
        assert!(output.status.success(), "{}", output_text(&output));
    };
    script(None);
    asked(urls_asked(dir.path()), "latest/download");
    script(Some("v1.2.3"));
    asked(urls_asked(dir.path()), "download/v1.2.3");

    let action = |version: &str, action_ref: &str| {
        let run = run_action_step(
            "install",
            &strings(&[("version", version)]),
            dir.path(),
            &[
                ("PATH", &path),
                ("ACTION_REPOSITORY", "example/assay"),
                ("ACTION_REF", action_ref),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.log);
    };
    action("", "v0.3.0");
    asked(urls_asked(dir.path()), "download/v0.3.0");
    action("", "main");
    asked(urls_asked(dir.path()), "latest/download");
    action("v0.2.0", "v0.3.0");
    asked(urls_asked(dir.path()), "download/v0.2.0");

    let gitlab = |version: &str| {
        let (code, log) = run_gitlab_job(
            &BTreeMap::from([("repository", "example/assay"), ("version", version)]),
            dir.path(),
            true,
            &[("PATH", &path)],
        );
        // No plan or snapshot: the gate itself is bad input (2) once assay is installed.
        assert!(log.contains("rule pack digest: "), "installed: {log}");
        assert_eq!(code, 2, "{log}");
    };
    gitlab("v0.3.0");
    asked(urls_asked(dir.path()), "download/v0.3.0");
    gitlab("latest");
    asked(urls_asked(dir.path()), "latest/download");
}

#[test]
fn install_sh_installs_a_release_whose_checksum_matches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fake_release(dir.path());
    let bin = dir.path().join("bin");
    let output = install(&url, &bin);
    assert!(output.status.success(), "{}", output_text(&output));
    let text = output_text(&output);
    assert!(text.contains("sha256 of assay-"), "{text}");
    assert!(
        text.contains("rule pack digest: "),
        "the installed assay ran: {text}"
    );
    let version = Command::new(bin.join("assay"))
        .arg("--version")
        .output()
        .expect("the installed assay runs");
    assert!(version.status.success());
}

#[test]
fn install_sh_installs_nothing_when_the_checksum_differs_or_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fake_release(dir.path());
    let sums_path = dir.path().join("release/SHA256SUMS");
    let sums = std::fs::read_to_string(&sums_path).expect("SHA256SUMS");

    // Every archive's checksum changed in its last digit.
    let tampered: String = sums
        .lines()
        .map(|l| {
            let (hash, file) = l.split_once("  ").expect("two columns");
            let last = if hash.ends_with('0') { '1' } else { '0' };
            format!("{}{last}  {file}\n", &hash[..hash.len() - 1])
        })
        .collect();
    std::fs::write(&sums_path, tampered).expect("written");
    let bin = dir.path().join("bin");
    let output = install(&url, &bin);
    assert_eq!(output.status.code(), Some(2), "{}", output_text(&output));
    assert!(
        output_text(&output).contains("checksum mismatch"),
        "{}",
        output_text(&output)
    );
    assert!(!bin.join("assay").exists(), "nothing installed");

    // The archive not listed at all.
    std::fs::write(&sums_path, "").expect("written");
    let output = install(&url, &bin);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        output_text(&output).contains("is not listed"),
        "{}",
        output_text(&output)
    );
    assert!(!bin.join("assay").exists(), "nothing installed");

    // Without a repository or a release URL, it says what to give.
    let output = Command::new("sh")
        .arg(root().join("scripts/install.sh"))
        .env_remove("ASSAY_REPOSITORY")
        .env_remove("ASSAY_RELEASE_URL")
        .output()
        .expect("install.sh runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(output_text(&output).contains("--repo OWNER/NAME"));
}

// ---- the GitHub Action ------------------------------------------------------------------

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn yaml(text: &str, what: &str) -> Json {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn action() -> Json {
    yaml(&read("action.yml"), "action.yml")
}

/// The inputs of the gate, common to the action and the GitLab template.
const GATE_INPUTS: [&str; 12] = [
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
fn assay_path(dir: &Path) -> String {
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

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn fixture_plan_inputs(out: &Path) -> BTreeMap<String, String> {
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

// ---- the GitLab template ------------------------------------------------------------------

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
fn gitlab_scripts(template: &Json, job: &str) -> (String, String) {
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
fn gitlab_variables(template: &Json, job: &str, env: &[(&str, &str)]) -> Vec<(String, String)> {
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

// ---- docs/ci.md -----------------------------------------------------------------------------

/// The fenced YAML block that follows `marker` in docs/ci.md.
pub fn doc_yaml_block(marker: &str) -> String {
    let doc = read("docs/ci.md");
    let from = doc
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in docs/ci.md"));
    let rest = &doc[from..];
    let start = rest.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = rest[start..].find("\n```").expect("closed");
    rest[start..start + end].to_string()
}
