//! The rule pack built into the binary (by `build.rs`), for an `assay` run where there is
//! no `rules/` directory: an installed binary, a CI image, a customer's laptop.
//!
//! The loader reads rule files from disk so that every diagnostic names a real file and
//! line; the bundled pack is therefore written out once, to a directory named after the
//! digest of its contents, and loaded from there like any other pack. The same bytes give
//! the same rule-pack digest in every report, whether they came from a checkout or from
//! the binary.

use std::path::{Path, PathBuf};

/// Every YAML file under the repository's `rules/`: (path relative to it, contents).
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/bundled_rules.rs"));

#[derive(Debug, thiserror::Error)]
#[error("cannot write the built-in rule pack to {path}: {source}")]
pub struct UnpackError {
    path: String,
    source: std::io::Error,
}

/// No cache directory could hold the built-in pack.
#[derive(Debug, thiserror::Error)]
#[error(
    "no writable directory for the built-in rule pack ({}); set XDG_CACHE_HOME to a writable directory or pass --rules DIR",
    .tried.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
)]
pub struct NoCacheError {
    tried: Vec<UnpackError>,
}

/// The directory holding the built-in pack, written there first if it is not yet: under
/// `$XDG_CACHE_HOME/assay`, else `$HOME/.cache/assay`, else the temporary directory. A
/// directory that cannot be written (a read-only root file system in a container, where
/// only `/tmp` is writable) is passed over for the next; one that already holds an exact
/// copy of the pack is used as it is, read-only or not (the container image ships one).
pub fn unpacked() -> Result<PathBuf, NoCacheError> {
    let mut tried = Vec::new();
    for root in cache_roots() {
        match unpack_into(&root) {
            Ok(dir) => return Ok(dir),
            Err(e) => tried.push(e),
        }
    }
    Err(NoCacheError { tried })
}

/// The candidate cache roots, in order of preference, without repeats.
fn cache_roots() -> Vec<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let mut roots: Vec<PathBuf> = Vec::new();
    let candidates = [
        set("XDG_CACHE_HOME").map(PathBuf::from),
        set("HOME").map(|home| PathBuf::from(home).join(".cache")),
        Some(std::env::temp_dir()),
    ];
    for root in candidates.into_iter().flatten() {
        let root = root.join("assay");
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    roots
}

/// The first 16 hex digits of SHA-256 over every path and content: a changed pack gets a
/// directory of its own, so an older binary's unpacked pack is never reused.
fn digest() -> String {
    let mut text = String::new();
    for (path, contents) in FILES {
        text.push_str(path);
        text.push('\0');
        text.push_str(contents);
        text.push('\0');
    }
    crate::snapshot::sha256_hex(text.as_bytes())
        .chars()
        .take(16)
        .collect()
}

/// The rule-pack digest every report shows for the built-in pack (`RulePack::digest`,
/// computed by the loader over the files it reads), without unpacking or loading it: for
/// `assay --version`, so a report can be matched to the binary that made it.
pub fn pack_digest() -> String {
    let mut hashes: Vec<(&str, String)> = FILES
        .iter()
        .filter(|(path, _)| read_by_the_loader(path))
        .map(|(path, contents)| (*path, crate::snapshot::sha256_hex(contents.as_bytes())))
        .collect();
    hashes.sort();
    crate::snapshot::sha256_hex(
        hashes
            .iter()
            .map(|(p, h)| format!("{p} {h}\n"))
            .collect::<String>()
            .as_bytes(),
    )
}

/// Whether `load::load_pack` reads (and so hashes) the file at this relative path: the
/// parameters, the framework catalogues directly in `frameworks/`, and every rule file
/// (not fixtures, not `schema/`).
fn read_by_the_loader(relative: &str) -> bool {
    if relative == "params.yaml" {
        return true;
    }
    if let Some(name) = relative.strip_prefix("frameworks/") {
        return !name.contains('/');
    }
    !relative.starts_with("schema/") && !relative.ends_with(".tests.yaml")
}

/// Whether `dir` holds exactly the built-in pack: every file with the same bytes and no
/// other YAML file. A directory someone else wrote (a shared temporary directory) or that
/// was edited is never loaded as the built-in pack.
fn holds_exactly_the_pack(dir: &Path) -> bool {
    let same = FILES.iter().all(|(relative, contents)| {
        std::fs::read(dir.join(relative)).is_ok_and(|bytes| bytes == contents.as_bytes())
    });
    same && count_yaml(dir) == Some(FILES.len())
}

/// The number of YAML files below `dir`, or None when a directory cannot be listed.
fn count_yaml(dir: &Path) -> Option<usize> {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        let kind = std::fs::symlink_metadata(&path).ok()?.file_type();
        if kind.is_dir() {
            count += count_yaml(&path)?;
        } else if path.extension().is_some_and(|e| e == "yaml") {
            count += 1;
        }
    }
    Some(count)
}

/// Writes the pack to `<root>/rules-<digest>` unless an exact copy is there. It is written
/// to a temporary sibling and renamed into place, so a concurrent run never sees half a
/// pack; a directory of that name holding anything else is moved aside first.
fn unpack_into(root: &Path) -> Result<PathBuf, UnpackError> {
    let name = format!("rules-{}", digest());
    let target = root.join(&name);
    if holds_exactly_the_pack(&target) {
        return Ok(target);
    }
    let error = |path: &Path| {
        let path = path.display().to_string();
        move |source| UnpackError { path, source }
    };
    // Unique per run, also across containers that all run as process 1 on a shared volume.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let unique = format!("{}-{nanos}", std::process::id());
    let staging = root.join(format!("{name}.tmp-{unique}"));
    let written = FILES.iter().try_for_each(|(relative, contents)| {
        let file = staging.join(relative);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(error(parent))?;
        }
        std::fs::write(&file, contents).map_err(error(&file))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    if target.exists() && !holds_exactly_the_pack(&target) {
        // Not the pack (edited, truncated, or planted): out of the way, then removed.
        let aside = root.join(format!("{name}.stale-{unique}"));
        if let Err(source) = std::fs::rename(&target, &aside) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error(&target)(source));
        }
        let _ = std::fs::remove_dir_all(&aside);
    }
    if let Err(source) = std::fs::rename(&staging, &target) {
        // Another run unpacked the same pack first: use theirs.
        let _ = std::fs::remove_dir_all(&staging);
        if !holds_exactly_the_pack(&target) {
            return Err(error(&target)(source));
        }
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_holds_the_parameters_catalogues_and_rules() {
        let paths: Vec<&str> = FILES.iter().map(|(p, _)| *p).collect();
        assert!(paths.contains(&"params.yaml"));
        assert!(paths.contains(&"frameworks/iso27001-2022.yaml"));
        assert!(paths.contains(&"encryption/s3-bucket-kms-cmk.yaml"));
        assert!(paths.contains(&"encryption/s3-bucket-kms-cmk.tests.yaml"));
    }

    #[test]
    fn unpacking_twice_gives_the_same_complete_directory() {
        let root = tempfile::tempdir().expect("a temporary directory");
        let first = unpack_into(root.path()).expect("unpacked");
        let second = unpack_into(root.path()).expect("found");
        assert_eq!(first, second);
        for (relative, contents) in FILES {
            let on_disk = std::fs::read_to_string(first.join(relative)).expect("written");
            assert_eq!(&on_disk, contents, "{relative}");
        }
        let entries = std::fs::read_dir(root.path()).expect("listed").count();
        assert_eq!(entries, 1, "no staging directory is left behind");
    }

    #[test]
    fn an_edited_or_planted_copy_is_replaced_by_the_pack() {
        let root = tempfile::tempdir().expect("a temporary directory");
        let dir = unpack_into(root.path()).expect("unpacked");
        std::fs::write(dir.join("params.yaml"), "parameters: {}\n").expect("edited");
        std::fs::write(dir.join("planted.yaml"), "id: planted\n").expect("planted");
        assert!(!holds_exactly_the_pack(&dir));
        let again = unpack_into(root.path()).expect("unpacked again");
        assert_eq!(again, dir);
        assert!(
            holds_exactly_the_pack(&again),
            "the built-in bytes, nothing else"
        );
        let entries = std::fs::read_dir(root.path()).expect("listed").count();
        assert_eq!(entries, 1, "nothing moved aside is left behind");
    }

    #[test]
    fn a_cache_root_that_cannot_be_written_is_reported() {
        let root = tempfile::tempdir().expect("a temporary directory");
        // A directory below a regular file can never be created, whoever runs the test.
        let file = root.path().join("a-file");
        std::fs::write(&file, "").expect("written");
        let error = unpack_into(&file.join("assay")).expect_err("not writable");
        assert!(error.to_string().contains("a-file"), "{error}");
        let entries = std::fs::read_dir(root.path()).expect("listed").count();
        assert_eq!(entries, 1, "nothing half-written");
    }

    #[test]
    fn the_version_digest_is_the_digest_the_loader_computes() {
        let root = tempfile::tempdir().expect("a temporary directory");
        let dir = unpack_into(root.path()).expect("unpacked");
        let mut sources = crate::diag::Sources::default();
        let (pack, diags) = crate::rules::load::load_pack(&dir, &mut sources);
        let pack = pack.unwrap_or_else(|| panic!("the built-in pack loads: {diags:?}"));
        assert_eq!(pack_digest(), pack.digest);
    }
}
