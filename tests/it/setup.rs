//! The set-up the signing, trust and archive tests share: the bundled sample's inputs, a
//! key pair from `assay keygen`, and the sample audited into a directory. Written once, so a
//! change to the sample's paths or to a command's flags is made in one place.

use std::path::{Path, PathBuf};

use crate::assay;

/// The bundled sample snapshot, relative to the repository root (where `assay` runs).
pub const SAMPLE: &str = "samples/aws-sample/snapshot.json";
/// The sample vendor's profile.
pub const AIR_MAESTRO: &str = "samples/air-maestro/profile.yaml";
/// The sample's waivers.
pub const WAIVERS: &str = "samples/waivers.yaml";
/// The evaluation time the signing and trust tests pass as `--now`.
pub const NOW: &str = "2026-12-04T09:00:00Z";

/// A test path as an argument.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// A key pair from `assay keygen -o <dir>/<name>`: (private, public). `dir` is made when
/// missing.
pub fn keys(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).expect("the key directory is made");
    let prefix = dir.join(name);
    let (code, out, err) = assay(&["keygen", "-o", s(&prefix)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Fingerprint: SHA256:"), "{out}");
    (prefix.with_extension("key"), prefix.with_extension("pub"))
}

/// `assay audit --quiet` of the sample snapshot with `profile` (and the sample's waivers
/// when `waivers`), writing `formats` into `out` as at `now`: (exit code, stdout, stderr).
pub fn audit_sample(
    profile: &str,
    waivers: bool,
    formats: &str,
    now: &str,
    out: &Path,
) -> (i32, String, String) {
    let mut args = vec!["audit", "--snapshot", SAMPLE, "--profile", profile];
    if waivers {
        args.extend(["--waivers", WAIVERS]);
    }
    args.extend([
        "--format",
        formats,
        "--now",
        now,
        "--quiet",
        "--out",
        s(out),
    ]);
    assay(&args)
}
