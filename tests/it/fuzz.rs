//! Fuzzing that stays: every parser assay exposes to a file, and the rule evaluator, fed
//! mutated copies of the committed fixtures and samples, on stable Rust, as part of the
//! normal test run (docs/fuzzing.md).
//!
//! The mutator is small and deterministic: a seeded generator (splitmix64) applies one to
//! four edits per input, byte-level (flip, delete, duplicate, insert a token from the
//! target's dictionary of hostile fragments) or, for JSON, structure-aware (replace a
//! value with one of another type, an empty or huge one, delete a key, nest deeply). Each
//! target asserts that the library never panics and that whatever it refuses it refuses
//! with an error that says something. Hangs are bounded by the evaluation budget and the
//! input size cap; a hang would show as the test not finishing.
//!
//! The short run (the default) takes a few seconds. `ASSAY_FUZZ_ITERATIONS=N` runs N
//! inputs per target instead, `ASSAY_FUZZ_SEED=S` starts from another seed; an input that
//! fails is written to `target/fuzz-failures/` and its name printed, to be added to
//! `tests/fixtures/fuzz/regressions/` once fixed (those are replayed on every run).

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::root;

/// splitmix64: tiny, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn seed() -> u64 {
    std::env::var("ASSAY_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x0A55_A7F0_2026_1123)
}

/// Inputs per target: `short` unless `ASSAY_FUZZ_ITERATIONS` says otherwise.
fn iterations(short: usize) -> usize {
    std::env::var("ASSAY_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(short)
}

/// Fragments that break parsers: delimiters, escapes, control and non-ASCII characters,
/// numbers at the edges, YAML anchors, tags and merge keys.
const COMMON: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\\",
    ":",
    ",",
    "\n",
    "\t",
    "\r",
    "\u{0}",
    "\u{1b}[2J",
    "\u{7f}",
    "\u{feff}",
    "é",
    "\u{10ffff}",
    "-1",
    "0",
    "9223372036854775807",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
    "&a ",
    "*a",
    "!!binary ",
    "<<: ",
    "- ",
    "? ",
    "|",
    ">",
    "#",
    "%",
    "'",
    "..",
    "../",
    "/etc/passwd",
    "\\u0000",
    "\\ud800",
];

fn mutate_bytes(rng: &mut Rng, input: &[u8], dict: &[&str]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(128)).min(out.len());
                let slice = out[start..end].to_vec();
                out.splice(at..at, slice);
            }
            3 => out.truncate(at),
            _ => {
                let token = if rng.below(3) == 0 {
                    dict[rng.below(dict.len())]
                } else {
                    COMMON[rng.below(COMMON.len())]
                };
                out.splice(at..at, token.bytes());
            }
        }
    }
    out
}

/// A JSON value of another kind than usual: what a forged or careless file holds.
fn odd_value(rng: &mut Rng) -> Json {
    match rng.below(9) {
        0 => Json::Null,
        1 => Json::Bool(rng.below(2) == 0),
        2 => serde_json::json!(-1),
        3 => serde_json::json!(u64::MAX),
        4 => serde_json::json!(1.5e300),
        5 => Json::String(String::new()),
        6 => Json::String("\u{1b}[31m\u{0}x\u{202e}".repeat(1 + rng.below(4))),
        7 => Json::Array(Vec::new()),
        _ => {
            let mut v = Json::Null;
            for _ in 0..rng.below(64) {
                v = Json::Array(vec![v]);
            }
            v
        }
    }
}

/// Mutates one node of a JSON document, a random path down: the structure-aware edits.
fn mutate_json(rng: &mut Rng, node: &mut Json, depth: usize) {
    if depth > 0 && rng.below(4) != 0 {
        match node {
            Json::Object(map) if !map.is_empty() => {
                let key = map
                    .keys()
                    .nth(rng.below(map.len()))
                    .cloned()
                    .expect("a key");
                if let Some(child) = map.get_mut(&key) {
                    return mutate_json(rng, child, depth - 1);
                }
            }
            Json::Array(items) if !items.is_empty() => {
                let i = rng.below(items.len());
                return mutate_json(rng, &mut items[i], depth - 1);
            }
            _ => {}
        }
    }
    match node {
        Json::Object(map) if !map.is_empty() && rng.below(3) == 0 => {
            let key = map
                .keys()
                .nth(rng.below(map.len()))
                .cloned()
                .expect("a key");
            map.remove(&key);
        }
        Json::Array(items) if !items.is_empty() && rng.below(3) == 0 => {
            let i = rng.below(items.len());
            let copy = items[i].clone();
            items.push(copy);
        }
        other => *other = odd_value(rng),
    }
}

/// One mutated input from `seeds`: JSON-aware for JSON seeds half the time.
fn next_input(rng: &mut Rng, seeds: &[Vec<u8>], dict: &[&str]) -> Vec<u8> {
    let seed = &seeds[rng.below(seeds.len())];
    if rng.below(2) == 0
        && let Ok(mut value) = serde_json::from_slice::<Json>(seed)
    {
        for _ in 0..1 + rng.below(3) {
            mutate_json(rng, &mut value, 8);
        }
        return serde_json::to_vec_pretty(&value).expect("serialises");
    }
    mutate_bytes(rng, seed, dict)
}

/// Inputs that once broke something (issue 11 and later), replayed on every run.
fn regressions(target: &str) -> Vec<Vec<u8>> {
    let dir = root().join("tests/fixtures/fuzz/regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|e| e.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("regression input"))
        .collect()
}

/// Runs `check` on every regression input, the seeds themselves, and `count` mutants.
/// A panic is caught, the input written to `target/fuzz-failures/` and the test failed.
fn fuzz(target: &str, seeds: Vec<Vec<u8>>, dict: &[&str], count: usize, check: impl Fn(&[u8])) {
    let mut rng = Rng(seed()
        ^ target
            .bytes()
            .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b)));
    let mut inputs = regressions(target);
    inputs.extend(seeds.iter().cloned());
    for _ in 0..count {
        inputs.push(next_input(&mut rng, &seeds, dict));
    }
    // Quiet the default panic message; the failure below names the input.
    for (n, input) in inputs.iter().enumerate() {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(input)));
        if let Err(panic) = outcome {
            let dir = root().join("target/fuzz-failures");
            std::fs::create_dir_all(&dir).expect("failures dir");
            let path = dir.join(format!("{target}-{:016x}-{n}", seed()));
            std::fs::write(&path, input).expect("failure input");
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!(
                "fuzz target {target}: input {n} (seed {:#x}) failed: {message}; input saved as {}",
                seed(),
                path.display()
            );
        }
    }
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A refusal must say what is wrong.
fn says_something(error: impl std::fmt::Display) {
    let text = error.to_string();
    assert!(!text.trim().is_empty(), "an error without a message");
}

/// A scratch file the file-based loaders read.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("scratch file");
        path
    }
}

fn bundled_pack() -> Arc<assay::rules::RulePack> {
    static PACK: std::sync::OnceLock<Arc<assay::rules::RulePack>> = std::sync::OnceLock::new();
    PACK.get_or_init(|| {
        let mut sources = assay::diag::Sources::default();
        let (pack, diags) = assay::rules::load::load_pack(&root().join("rules"), &mut sources);
        Arc::new(pack.unwrap_or_else(|| panic!("{}", diags.render_plain(&sources))))
    })
    .clone()
}

#[test]
fn fuzz_snapshot() {
    let seeds = vec![read("tests/fixtures/fuzz/snapshot-small.json")];
    fuzz(
        "snapshot",
        seeds,
        &["\"sha256\"", "\"gaps\"", "\"unread\"", "\"tags\""],
        iterations(60),
        |input| {
            let text = String::from_utf8_lossy(input);
            match assay::snapshot::Snapshot::parse(&text, "fuzz.json") {
                Ok(snapshot) => {
                    let _ = snapshot.verify_hashes();
                    let _ = snapshot.compute_digest();
                }
                Err(e) => says_something(e),
            }
        },
    );
}

#[test]
fn fuzz_plan() {
    let seeds = vec![
        read("tests/fixtures/plans/gate/plan.json"),
        read("tests/fixtures/plans/gate/plan-new-violation.json"),
    ];
    let options = assay::plan::PlanOptions {
        account: Some("111122223333".into()),
        now: None,
    };
    fuzz(
        "plan",
        seeds,
        &[
            "\"after_unknown\"",
            "\"resource_changes\"",
            "\"provider_config_key\"",
        ],
        iterations(60),
        |input| match assay::plan::from_json(&String::from_utf8_lossy(input), "fuzz.json", &options)
        {
            Ok(planned) => {
                let _ = planned.snapshot.to_json_pretty();
            }
            Err(e) => says_something(e),
        },
    );
}

#[test]
fn fuzz_findings() {
    let seeds = vec![read("tests/fixtures/reports/small-findings.json")];
    fuzz(
        "findings",
        seeds,
        &["\"status\"", "\"FAIL\"", "\"PASS\""],
        iterations(40),
        |input| {
            match assay::report::Report::from_json(&String::from_utf8_lossy(input), "fuzz.json") {
                Ok(report) => {
                    // Everything that renders a loaded findings document must cope with it.
                    let _ = report.exit_code();
                    let _ = assay::report::terminal::render(&report, false);
                    let _ = assay::report::csv::render(&report, &mut std::io::sink());
                }
                Err(e) => says_something(e),
            }
        },
    );
}

#[test]
fn fuzz_profile() {
    let pack = bundled_pack();
    let scratch = Scratch::new();
    let seeds = vec![
        read("samples/air-maestro/profile.yaml"),
        read("samples/aeronet/profile.yaml"),
        read("tests/fixtures/plans/profile.yaml"),
        read("tests/fixtures/bad-inputs/profile-bad-types.yaml"),
    ];
    fuzz(
        "profile",
        seeds,
        &["params:", "attestations:", "frameworks:", "rules:"],
        iterations(40),
        |input| {
            let path = scratch.write("profile.yaml", input);
            let mut sources = assay::diag::Sources::default();
            let (profile, diags) = assay::profile::load(&path, &pack, &mut sources);
            if profile.is_none() {
                assert!(diags.error_count() > 0, "refused without a diagnostic");
                says_something(diags.render_plain(&sources));
            }
        },
    );
}

#[test]
fn fuzz_waivers() {
    let pack = bundled_pack();
    let scratch = Scratch::new();
    let seeds = vec![
        read("samples/waivers.yaml"),
        read("tests/fixtures/bad-inputs/waivers-bad.yaml"),
    ];
    fuzz(
        "waivers",
        seeds,
        &["expires:", "rule:", "resource:", "2026-02-30"],
        iterations(40),
        |input| {
            let path = scratch.write("waivers.yaml", input);
            let mut sources = assay::diag::Sources::default();
            let (waivers, diags) = assay::waivers::load(&path, &pack, &mut sources);
            if waivers.is_none() {
                assert!(diags.error_count() > 0, "refused without a diagnostic");
                says_something(diags.render_plain(&sources));
            }
        },
    );
}

/// A rules directory with the bundled `params.yaml` and catalogues and one rule file,
/// the one being fuzzed (or `params.yaml` itself).
fn fuzz_rules_dir(target: &str, file: &str, seeds: Vec<Vec<u8>>, count: usize) {
    let scratch = Scratch::new();
    let rules = scratch.dir.path().join("rules");
    std::fs::create_dir_all(rules.join("frameworks")).expect("dir");
    std::fs::create_dir_all(rules.join("encryption")).expect("dir");
    for entry in std::fs::read_dir(root().join("rules/frameworks")).expect("frameworks") {
        let entry = entry.expect("entry");
        std::fs::copy(
            entry.path(),
            rules.join("frameworks").join(entry.file_name()),
        )
        .expect("copy");
    }
    std::fs::copy(root().join("rules/params.yaml"), rules.join("params.yaml")).expect("copy");
    std::fs::copy(
        root().join("rules/encryption/s3-bucket-kms-cmk.yaml"),
        rules.join("encryption/s3-bucket-kms-cmk.yaml"),
    )
    .expect("copy");
    fuzz(
        target,
        seeds,
        &[
            "expr:",
            "let:",
            "assert:",
            "resource.",
            "params.",
            "of_type(",
        ],
        count,
        |input| {
            std::fs::write(rules.join(file), input).expect("rule file");
            let mut sources = assay::diag::Sources::default();
            let (pack, diags) = assay::rules::load::load_pack(&rules, &mut sources);
            if pack.is_none() {
                assert!(diags.error_count() > 0, "refused without a diagnostic");
                says_something(diags.render_plain(&sources));
            }
        },
    );
}

#[test]
fn fuzz_rule_file() {
    let seeds = vec![
        read("rules/encryption/s3-bucket-kms-cmk.yaml"),
        read("rules/network/no-public-admin-ports.yaml"),
        read("tests/fixtures/hostile-rules/hostile/replace-chain.yaml"),
    ];
    fuzz_rules_dir(
        "rule",
        "encryption/s3-bucket-kms-cmk.yaml",
        seeds,
        iterations(12),
    );
}

#[test]
fn fuzz_params_file() {
    fuzz_rules_dir(
        "params",
        "params.yaml",
        vec![read("rules/params.yaml")],
        iterations(12),
    );
}

#[test]
fn fuzz_attestation() {
    let scratch = Scratch::new();
    let key = assay::attest::sign::read_verifying_key(
        &root().join("tests/fixtures/fuzz/attestation.pub"),
    )
    .expect("fixture key");
    let signature = String::from_utf8(read("tests/fixtures/fuzz/attestation.sig")).expect("utf-8");
    let seeds = vec![read("tests/fixtures/fuzz/attestation.json")];
    fuzz(
        "attestation",
        seeds,
        &["\"data_stores\"", "\"signer\"", "\"exceptions\""],
        iterations(60),
        |input| {
            let path = scratch.write("attestation.json", input);
            match assay::attest::verify::read(&path) {
                Ok(_) => {
                    let mut checks = assay::attest::verify::Checks::default();
                    let text = String::from_utf8_lossy(input);
                    let parsed = assay::attest::verify::attestation(
                        &mut checks,
                        &text,
                        Some(&signature),
                        &key,
                    );
                    // The committed attestation verifies; every change to it must be caught.
                    if input != read("tests/fixtures/fuzz/attestation.json").as_slice() {
                        assert!(
                            checks.failed() || parsed.is_none(),
                            "a changed attestation verified"
                        );
                    }
                }
                Err(e) => says_something(e),
            }
        },
    );
}

#[test]
fn fuzz_baseline_and_keys() {
    let scratch = Scratch::new();
    let baseline = {
        let report = assay::report::Report::from_json(
            &String::from_utf8(read("tests/fixtures/reports/small-findings.json")).expect("utf-8"),
            "small-findings.json",
        )
        .expect("fixture findings");
        assay::gate::baseline::Baseline::from_report(&report)
            .to_json_pretty()
            .into_bytes()
    };
    fuzz(
        "baseline",
        vec![baseline],
        &["\"findings\"", "\"fingerprint\""],
        iterations(40),
        |input| {
            let path = scratch.write("baseline.json", input);
            if let Err(e) = assay::gate::baseline::Baseline::load(&path) {
                says_something(e);
            }
        },
    );
    fuzz(
        "key",
        vec![read("tests/fixtures/fuzz/attestation.pub")],
        &["-----", "BEGIN", "KEY"],
        iterations(40),
        |input| {
            let path = scratch.write("key.pub", input);
            if let Err(e) = assay::attest::sign::read_verifying_key(&path) {
                says_something(e);
            }
        },
    );
}

/// Expressions of the bundled rules, mutated, compiled, checked and evaluated over the
/// small snapshot with the evaluation budget.
#[test]
fn fuzz_cel_expressions() {
    let pack = bundled_pack();
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for rule in &pack.rules {
        for a in &rule.assertions {
            seeds.push(a.expr.source.clone().into_bytes());
        }
        for (_, e, _) in &rule.lets {
            seeds.push(e.source.clone().into_bytes());
        }
    }
    seeds.push(b"[1,2,3].all(x, [1,2,3].all(y, [1,2,3].exists(z, x + y + z > 0)))".to_vec());
    let snapshot = assay::snapshot::Snapshot::parse(
        &String::from_utf8(read("tests/fixtures/fuzz/snapshot-small.json")).expect("utf-8"),
        "snapshot-small.json",
    )
    .expect("fixture snapshot");
    let index = Arc::new(assay::evaluate::functions::Index::new(&snapshot));
    let touched = Arc::new(std::sync::Mutex::new(
        assay::evaluate::functions::Touched::default(),
    ));
    let budget = Arc::new(assay::evaluate::budget::Budget::default());
    let mut ctx = cel::Context::with_env(assay::rules::expr::ENV.clone());
    assay::evaluate::functions::register(&mut ctx, index.clone(), touched);
    assay::evaluate::budget::register(&mut ctx, budget.clone());
    let empty = assay::evaluate::values::to_cel(&serde_json::json!({}));
    ctx.add_variable_from_value("params", empty.clone());
    ctx.add_variable_from_value("snapshot", empty);
    if snapshot.resources.is_empty() {
        ctx.add_variable_from_value("resource", cel::Value::Null);
    } else {
        ctx.add_variable_as_val("resource", index.resource(0));
    }
    let dict = [
        ".replace(\"a\", \"aaaa\")",
        ".map(x, x)",
        ".all(x, ",
        ".exists(y, ",
        " + ",
        ".size()",
        "of_type(\"aws_s3_bucket\")",
        "related(",
        "lists.range(1000000000)",
        ".join(\",\")",
        "\"%s\".format(",
        "matches(\"(a+)+$\")",
        "1/0",
        "-9223372036854775808",
        ".distinct()",
    ];
    fuzz("cel", seeds, &dict, iterations(150), |input| {
        let source = String::from_utf8_lossy(input);
        match assay::rules::expr::compile(&source) {
            Ok(expr) => {
                let _ = assay::rules::expr::nesting_warnings(&expr);
                budget.reset();
                // A value or a typed error; never a panic, a hang or an allocation
                // past the budget.
                let _ = ctx.resolve(&expr.budgeted);
            }
            Err(problems) => {
                assert!(!problems.is_empty());
                for p in problems {
                    says_something(p.message);
                }
            }
        }
    });
}
