//! Builds the rule pack into the binary, so an installed `assay` audits without a
//! checkout of this repository (see `src/rules/bundled.rs`). Writes
//! `$OUT_DIR/bundled_rules.rs`: every YAML file under `rules/` (rules, fixtures, parameters,
//! framework catalogues) as (relative path, contents).

use std::path::{Path, PathBuf};

fn main() {
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
    std::fs::write(target.join("bundled_rules.rs"), out).expect("OUT_DIR is writable");
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
