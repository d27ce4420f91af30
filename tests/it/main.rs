//! One integration-test binary (as ripgrep and ruff do): faster to link, one place to look.

mod archive;
mod attestation;
mod claims;
mod cli;
mod diagnostics;
mod diff;
mod distribution;
mod emulator;
mod formats;
mod function_length;
mod fuzz;
mod gate;
mod harness;
mod hostile_io;
mod html_report;
mod layers;
mod live_scan;
mod organisation;
mod page_scan;
mod pdf;
mod plan;
mod plan_corpus;
mod provenance;
mod registry;
mod rule_pack;
mod sample;
mod sample_outputs;
mod sample_scan;
mod scan_fidelity;
mod setup;
mod snapshot_integrity;
mod trust;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled rules directory.
pub fn rules_dir() -> PathBuf {
    root().join("rules")
}

/// The id of the bundled sample's gap recorded for `operation` (gap ids are derived from
/// what was unread, so tests name the gap by its operation).
pub fn sample_gap(operation: &str) -> String {
    let path = root().join("samples/aws-sample/snapshot.json");
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("the sample")).expect("JSON");
    snapshot["gaps"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["operation"] == operation)
        .and_then(|g| g["id"].as_str())
        .unwrap_or_else(|| panic!("the sample has no gap for {operation}"))
        .to_string()
}

/// Runs the assay binary with `args` from the repository root; returns (exit code, stdout, stderr).
pub fn assay(args: &[&str]) -> (i32, String, String) {
    assay_in(&root(), args)
}

pub fn assay_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .current_dir(dir)
        .env_remove("ASSAY_RULES")
        .output()
        .expect("the assay binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
