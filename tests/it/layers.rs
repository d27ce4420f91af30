//! Dependencies point one way: collect/plan → snapshot → rules/evaluate → report/gate/attest
//! → cli, read as "may import what is to its left and the leaves". This reads every
//! `crate::<module>` path in `src/` (outside comments) and fails on an import that points up
//! the layers or sideways between collect and plan, unless it is a known exception below;
//! a known exception that is gone must be struck from the list too.

use std::collections::BTreeSet;
use std::path::Path;

/// Each top-level module of the library and its layer; a module imports only from lower
/// layers, or from its own layer where that layer is one piece (rules/evaluate, outputs).
const LAYERS: &[(&str, u8)] = &[
    // Leaves: no knowledge of AWS, rules or findings.
    ("diag", 0),
    ("strict_json", 0),
    ("typeset", 0),
    ("frameworks", 0),
    ("input", 0),
    ("output", 0),
    ("snapshot", 1),
    ("collect", 2),
    ("plan", 2),
    ("rules", 3),
    ("selectors", 3),
    ("findings", 3),
    ("profile", 3),
    ("waivers", 3),
    ("evaluate", 3),
    ("report", 4),
    ("gate", 4),
    ("attest", 4),
    ("diff", 4),
    ("archive", 4),
    ("period", 4),
    ("cli", 5),
];

/// Layers whose modules may import each other.
const ONE_PIECE: &[u8] = &[3, 4];

/// Imports that point up today, each with why it is left (issue 14 has the plan).
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[
    // The snapshot seal signs with the attestation's Ed25519 keys (`attest::sign`); the
    // key handling belongs in a leaf both use.
    ("snapshot", "attest"),
    // `plan/rules.rs` says which rules a plan can judge, reading the rule model.
    ("plan", "rules"),
    // Diagnostics escape control characters for the terminal with `report::text`, a leaf
    // function that belongs beside them.
    ("diag", "report"),
];

fn layer(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .unwrap_or_else(|| panic!("src/{module}: add the new module to LAYERS in layers.rs"))
        .1
}

/// The `.rs` files of a top-level module: `src/<m>.rs` and everything under `src/<m>/`.
fn files(src: &Path, module: &str, out: &mut Vec<std::path::PathBuf>) {
    let file = src.join(format!("{module}.rs"));
    if file.exists() {
        out.push(file);
    }
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("readable directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
}

/// The top-level modules a file names as `crate::<module>`, outside comment lines.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            if at > 0 && line.as_bytes()[at - 1].is_ascii_alphanumeric() {
                continue; // `assay_crate::…` or similar: not a path into this crate
            }
            let name: String = line[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut upward = BTreeSet::new();
    for &(module, rank) in LAYERS {
        let mut paths = Vec::new();
        files(&src, module, &mut paths);
        assert!(
            !paths.is_empty(),
            "LAYERS names {module}, which has no source"
        );
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("source reads");
            for target in imports(&text) {
                if target == module {
                    continue;
                }
                let to = layer(&target);
                let allowed = to < rank || (to == rank && ONE_PIECE.contains(&rank));
                if !allowed {
                    upward.insert((module.to_string(), target, path.display().to_string()));
                }
            }
        }
    }
    let unexplained: Vec<_> = upward
        .iter()
        .filter(|(from, to, _)| !KNOWN_EXCEPTIONS.contains(&(from.as_str(), to.as_str())))
        .collect();
    assert!(
        unexplained.is_empty(),
        "imports that point up the layers (module, imported module, file): {unexplained:#?}"
    );
    for (from, to) in KNOWN_EXCEPTIONS {
        assert!(
            upward.iter().any(|(f, t, _)| f == from && t == to),
            "{from} no longer imports {to}: strike it from KNOWN_EXCEPTIONS"
        );
    }
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).expect("src reads") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        if matches!(name.as_str(), "lib" | "main") {
            continue;
        }
        layer(&name);
    }
}
