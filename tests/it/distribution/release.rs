//! The release files and `scripts/install.sh`: a release served from a local directory,
//! checksums checked, the release asked for.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::*;

pub const TARGETS: [&str; 3] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "aarch64-apple-darwin",
];

/// A release as the workflow publishes it, in `dir/release`: one archive per target
/// holding `assay-<target>/assay` (a wrapper that runs the binary under test), and
/// SHA256SUMS. Returns its `file://` URL.
pub fn fake_release(dir: &Path) -> String {
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

pub fn install(release_url: &str, into: &Path) -> std::process::Output {
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
pub fn github_stand_in(dir: &Path) -> String {
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

pub fn urls_asked(dir: &Path) -> Vec<String> {
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
