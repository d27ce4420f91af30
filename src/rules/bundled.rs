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

/// The directory holding the built-in pack, written there first if it is not yet: under
/// `$XDG_CACHE_HOME/assay` (or `$HOME/.cache/assay`, or the temporary directory).
pub fn unpacked() -> Result<PathBuf, UnpackError> {
    unpack_into(&cache_root())
}

fn cache_root() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir)
        .join("assay")
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

/// Writes the pack to `<root>/rules-<digest>` unless it is there. It is written to a
/// temporary sibling and renamed into place, so a concurrent run never sees half a pack.
fn unpack_into(root: &Path) -> Result<PathBuf, UnpackError> {
    let name = format!("rules-{}", digest());
    let target = root.join(&name);
    if target.join("params.yaml").is_file() {
        return Ok(target);
    }
    let error = |path: &Path| {
        let path = path.display().to_string();
        move |source| UnpackError { path, source }
    };
    let staging = root.join(format!("{name}.tmp-{}", std::process::id()));
    for (relative, contents) in FILES {
        let file = staging.join(relative);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(error(parent))?;
        }
        std::fs::write(&file, contents).map_err(error(&file))?;
    }
    if let Err(source) = std::fs::rename(&staging, &target) {
        // Another run unpacked the same pack first: use theirs.
        let _ = std::fs::remove_dir_all(&staging);
        if !target.join("params.yaml").is_file() {
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
}
