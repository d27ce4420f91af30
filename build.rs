//! Builds the rule pack into the binary, so an installed `assay` audits without a
//! checkout of this repository (see `src/rules/bundled.rs`). Writes
//! `$OUT_DIR/bundled_rules.rs`: every YAML file under `rules/` (rules, fixtures, parameters,
//! framework catalogues) as (relative path, contents).
//!
//! Also records the commit the binary is built from, for `assay --version`
//! (`ASSAY_BUILD_COMMIT`): `$ASSAY_BUILD_COMMIT` when the build sets it (a container build
//! without `.git`), else `git rev-parse HEAD`, else `unknown` (a source tarball, no git).
//! Never a build failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    record_commit();

    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let rules = root.join("rules");
    // A directory here makes cargo rerun this script when any file below it changes,
    // is added or is removed.
    println!("cargo::rerun-if-changed=rules");
    let mut files = Vec::new();
    walk(&rules, &mut files);
    files.sort();
    let mut out = String::from("&[\n");
    for path in &files {
        let relative = path
            .strip_prefix(&rules)
            .expect("below rules/")
            .to_string_lossy()
            .replace('\\', "/");
        out.push_str(&format!(
            "    ({relative:?}, include_str!({:?})),\n",
            path.to_string_lossy()
        ));
    }
    out.push_str("]\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    write_if_changed(&target.join("bundled_rules.rs"), &out);
}

/// Writes `contents` to `path` unless it already holds them, through a temporary file in
/// the same directory renamed over it. Never in place: a target directory copied with hard
/// links (`cp -al`) shares the file's inode with its original, and writing through one would
/// change the other; a rename gives this directory a new inode. Unchanged contents keep
/// the old file and its time, so nothing downstream rebuilds.
fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return;
    }
    let temporary = path.with_extension(format!("rs.{}.tmp", std::process::id()));
    std::fs::write(&temporary, contents).expect("OUT_DIR is writable");
    std::fs::rename(&temporary, path).expect("OUT_DIR is writable");
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable directory entry").path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
}

/// Sets `ASSAY_BUILD_COMMIT` for the crate, and asks cargo to run this script again when
/// the checkout moves to another commit (the files git keeps `HEAD` and its branch in).
fn record_commit() {
    println!("cargo::rerun-if-env-changed=ASSAY_BUILD_COMMIT");
    let from_env = std::env::var("ASSAY_BUILD_COMMIT")
        .ok()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let commit = from_env
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".into());
    println!("cargo::rustc-env=ASSAY_BUILD_COMMIT={commit}");
}

/// `git rev-parse HEAD` in the manifest directory, or None without git or a repository.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()?;
        let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    let commit = git(&["rev-parse", "HEAD"])?;
    if !commit.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    // Rerun when HEAD moves: HEAD itself (a checkout), the branch it names (a commit) and
    // packed-refs (a branch packed by `git gc`). Only paths that exist: cargo reruns a
    // script on every build while a path it watches is missing. A branch that is only in
    // packed-refs is watched through the nearest directory above it, where its loose ref
    // file appears on the next commit.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--git-path", &name]) {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
            if let Some(existing) = path.ancestors().find(|p| p.exists()) {
                println!("cargo::rerun-if-changed={}", existing.display());
            }
        }
    }
    Some(commit)
}
