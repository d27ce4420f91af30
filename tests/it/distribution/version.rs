//! `assay --version`: the version, the commit and the built-in rule pack's digest.

use std::process::Command;

use serde_json::Value as Json;

use super::*;

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
