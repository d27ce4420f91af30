//! The container image: the Dockerfile's structure, and the read-only root file system it
//! is made for.

use std::path::Path;
use std::process::Command;

use super::*;

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
