//! Dependencies point one way: collect/plan → snapshot → rules/evaluate → report/gate/attest
//! → pipeline → cli, read as "may import what is to its left and the leaves". This reads every
//! `crate::<module>` path in `src/` (outside comments) and fails on an import that points up
//! the layers or sideways between collect and plan, unless it is a known exception below;
//! a known exception that is gone must be struck from the list too.

use std::collections::BTreeSet;
use std::path::Path;

/// Each top-level module of the library and its layer; a module imports only from lower
/// layers, or from its own layer where that layer is one piece (rules/evaluate, outputs).
const LAYERS: &[(&str, u8)] = &[
    // Leaves: no knowledge of AWS, rules or findings.
    ("strict_json", 0),
    ("typeset", 0),
    ("frameworks", 0),
    ("input", 0),
    ("exit", 0),
    ("output", 0),
    ("text", 0),
    // The CloudTrail events that change judged settings, kept as data: read by collect
    // (which events to look up) and period (what an event does to a finding).
    ("changes", 0),
    // Over the leaves: diagnostics read the input files they quote (`input`); Ed25519
    // keys are written all or nothing (`output`).
    ("diag", 1),
    ("keys", 1),
    ("snapshot", 2),
    ("collect", 3),
    ("plan", 3),
    ("rules", 4),
    ("selectors", 4),
    ("findings", 4),
    ("profile", 4),
    ("waivers", 4),
    ("evaluate", 4),
    ("report", 5),
    ("gate", 5),
    ("attest", 5),
    ("diff", 5),
    ("archive", 5),
    ("period", 5),
    ("pipeline", 6),
    ("cli", 7),
];

/// Layers whose modules may import each other.
const ONE_PIECE: &[u8] = &[4, 5];

/// Imports that point up, each with why it is left: none today. One added here must say
/// why, and is struck when it goes.
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

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

/// Every top-level module → the top-level modules it imports.
fn import_graph() -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = std::collections::BTreeMap::new();
    for &(module, _) in LAYERS {
        let mut paths = Vec::new();
        files(&src, module, &mut paths);
        let mut targets = BTreeSet::new();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("source reads");
            targets.extend(imports(&text).into_iter().filter(|t| t != module));
        }
        graph.insert(module.to_string(), targets);
    }
    graph
}

/// No cycle between top-level modules, within the layers that are one piece too: a module
/// reachable from one it imports is a cycle. There is no list of accepted cycles: one that
/// appears is broken (a shared piece moves below both) before it lands.
#[test]
fn no_module_imports_lead_back_to_it() {
    let graph = import_graph();
    // A known upward import already fails `imports_point_down_the_layers` unless listed
    // there with its reason; it is left out here so the cycles it makes are not counted
    // twice.
    let known = |a: &str, b: &str| KNOWN_EXCEPTIONS.contains(&(a, b));
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(m) = stack.pop() {
            if m == to {
                return true;
            }
            if !seen.insert(m.clone()) {
                continue;
            }
            for next in graph.get(&m).into_iter().flatten() {
                if !known(&m, next) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let mut cycles = Vec::new();
    for (module, targets) in &graph {
        for target in targets {
            if !known(module, target) && reaches(target, module) {
                cycles.push(format!("{module} → {target} → … → {module}"));
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
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
