//! An organisation of 50 member accounts in the emulator (Organizations and assume-role in
//! moto), scanned whole and as shards (`assay collect --org ROLE --shard I/N`, the shards
//! as separate processes at the same time, as an AWS Batch array job or a Kubernetes
//! Indexed Job runs them), the shards joined with `assay snapshot merge`: the merged
//! snapshot must give the same findings as the single scan. See docs/scale.md.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use crate::emulator::proxy::Proxy;
use crate::emulator::{Ran, command, moto, recorded, run};

/// The management account of the organisation (its own, so the other organisation tests
/// never see these members).
const MANAGEMENT: &str = "100000000950";
const MEMBERS: usize = 50;
const SHARDS: u32 = 3;
const HOME: &str = "ap-southeast-2";
const PROFILE: &str = "tests/emulator/profile.yaml";

fn s(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// `assay collect` of the organisation through `endpoint`, with `extra` arguments and
/// environment, as the organisation's auditor.
fn collect(
    seed: &Value,
    endpoint: &str,
    out: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> std::process::Command {
    let mut cmd = command(Some(endpoint));
    cmd.env("AWS_ACCESS_KEY_ID", seed["access_key_id"].as_str().unwrap())
        .env(
            "AWS_SECRET_ACCESS_KEY",
            seed["secret_access_key"].as_str().unwrap(),
        )
        .args([
            "collect",
            "--region",
            HOME,
            "--org",
            "assay-audit",
            "-o",
            s(out),
        ])
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Every finding as (rule, resource, status): what a reader of the report acts on.
fn verdicts(snapshot: &Path, dir: &Path) -> BTreeSet<(String, String, String)> {
    let ran = run(
        command(None),
        &["evaluate", "--snapshot", s(snapshot), "--profile", PROFILE],
    );
    let findings: Value = serde_json::from_str(&ran.stdout)
        .unwrap_or_else(|e| panic!("no findings JSON ({e}): {ran:?}"));
    let _ = dir;
    findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["resource"]["arn"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn accounts(snapshot: &Value) -> Vec<String> {
    snapshot["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["account_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn assay(args: &[&str]) -> Ran {
    run(command(None), args)
}

#[test]
fn an_organisation_of_fifty_accounts_scanned_in_shards_and_merged_equals_one_scan() {
    let seed = moto().run_seed(
        "tests/emulator/seed.py",
        &["--account", MANAGEMENT, "--scenario", "large-organisation"],
    );
    let members: Vec<String> = seed["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    assert_eq!(members.len(), MEMBERS);
    let proxy = Proxy::start(&moto().url, recorded::moto_holes(None));
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("collector");
    assert_eq!(assay(&["keygen", "-o", s(&keys)]).code, 0);
    let (private, public) = (keys.with_extension("key"), keys.with_extension("pub"));

    // One scan of the whole organisation.
    let whole = dir.path().join("whole.json");
    let ran = run(collect(&seed, &proxy.url, &whole, &[], &[]), &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let whole_json = read(&whole);
    let mut expected: Vec<String> = members.clone();
    expected.push(MANAGEMENT.to_string());
    expected.sort();
    assert_eq!(accounts(&whole_json), expected);
    assert!(whole_json["origin"].get("shard").is_none());

    // The shards, as separate processes at once, each index given the way an engine
    // gives it: AWS Batch's variable, Kubernetes' variable, and explicitly (a CI matrix).
    let shard_paths: Vec<_> = (0..SHARDS)
        .map(|i| dir.path().join(format!("shard-{i}.json")))
        .collect();
    let mut running = Vec::new();
    for (i, path) in shard_paths.iter().enumerate() {
        let explicit = format!("{i}/{SHARDS}");
        let auto = format!("auto/{SHARDS}");
        let index = i.to_string();
        let (shard, env): (&str, Vec<(&str, &str)>) = match i {
            0 => (&auto, vec![("AWS_BATCH_JOB_ARRAY_INDEX", &index)]),
            1 => (&auto, vec![("JOB_COMPLETION_INDEX", &index)]),
            _ => (&explicit, vec![]),
        };
        // One writes through the `{shard}` placeholder, as the engines' examples do.
        let template = dir.path().join("shard-{shard}.json");
        let mut cmd = collect(
            &seed,
            &proxy.url,
            if i == 1 { &template } else { path },
            &["--shard", shard, "--sign", s(&private)],
            &env,
        );
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        running.push(cmd.spawn().expect("assay runs"));
    }
    for child in running {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut held = Vec::new();
    for (i, path) in shard_paths.iter().enumerate() {
        let part = read(path);
        let shard = &part["origin"]["shard"];
        assert_eq!(shard["index"], i);
        assert_eq!(shard["count"], SHARDS);
        assert_eq!(shard["organisation_accounts"], serde_json::json!(expected));
        held.extend(accounts(&part));
    }
    // Each account in exactly one shard, and no shard empty at this size.
    held.sort();
    assert_eq!(held, expected);
    for path in &shard_paths {
        assert!(
            !accounts(&read(path)).is_empty(),
            "{} is empty",
            path.display()
        );
    }

    // Joined, checked against the collector's key, signed by the merger's.
    let merger = dir.path().join("merger");
    assert_eq!(assay(&["keygen", "-o", s(&merger)]).code, 0);
    let merger_key = merger.with_extension("key");
    let merged = dir.path().join("merged.json");
    let mut args = vec!["snapshot", "merge"];
    args.extend(shard_paths.iter().map(|p| s(p)));
    args.extend([
        "--key",
        s(&public),
        "--sign",
        s(&merger_key),
        "-o",
        s(&merged),
    ]);
    let ran = assay(&args);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let verified = assay(&[
        "snapshot",
        "verify",
        s(&merged),
        "--key",
        s(&merger.with_extension("pub")),
    ]);
    assert_eq!(verified.code, 0, "{}", verified.stdout);
    assert!(
        verified.stdout.contains("signature is valid"),
        "{}",
        verified.stdout
    );
    let merged_json = read(&merged);
    assert_eq!(accounts(&merged_json), expected);
    let parts = merged_json["origin"]["parts"].as_array().unwrap();
    assert_eq!(parts.len(), SHARDS as usize);
    for (part, path) in parts.iter().zip(&shard_paths) {
        let shard = read(path);
        assert_eq!(part["digest"], shard["manifest"]["digest"]);
        assert_eq!(part["signature"], shard["manifest"]["signature"]);
        assert_eq!(part["origin"]["shard"], shard["origin"]["shard"]);
        assert!(
            part["seal"]
                .as_str()
                .unwrap()
                .contains("a key given to the merge"),
            "{part}"
        );
    }
    let arns = |v: &Value| -> BTreeSet<String> {
        v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["arn"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(arns(&merged_json), arns(&whole_json));
    assert_eq!(merged_json["gaps"], whole_json["gaps"]);

    // The same findings as the single scan, and findings that differ between accounts.
    let one = verdicts(&whole, dir.path());
    assert_eq!(verdicts(&merged, dir.path()), one);
    let buckets: Vec<&str> = one
        .iter()
        .filter(|(rule, arn, _)| rule == "encryption.s3-bucket-kms-cmk" && arn.contains(":::org-"))
        .map(|(_, _, status)| status.as_str())
        .collect();
    assert_eq!(buckets.len(), MEMBERS);
    assert!(buckets.iter().all(|s| *s == "FAIL"), "{buckets:?}");
    let rotation: BTreeSet<&str> = one
        .iter()
        .filter(|(rule, _, _)| rule == "encryption.kms-cmk-rotation")
        .map(|(_, _, status)| status.as_str())
        .collect();
    assert_eq!(rotation, BTreeSet::from(["FAIL", "PASS"]));

    // Refused, nothing written: a shard missing, a shard twice, an account in two parts,
    // a part not signed by the key given.
    let refused = dir.path().join("refused.json");
    let two = assay(&[
        "snapshot",
        "merge",
        s(&shard_paths[0]),
        s(&shard_paths[1]),
        "-o",
        s(&refused),
    ]);
    assert_eq!(two.code, 2, "{}", two.stderr);
    assert!(two.stderr.contains("shard(s) 2/3"), "{}", two.stderr);
    let twice = assay(&[
        "snapshot",
        "merge",
        s(&shard_paths[0]),
        s(&shard_paths[0]),
        "-o",
        s(&refused),
    ]);
    assert_eq!(twice.code, 2, "{}", twice.stderr);
    assert!(
        twice.stderr.contains("are both shard 0/3"),
        "{}",
        twice.stderr
    );
    let overlap = assay(&[
        "snapshot",
        "merge",
        s(&whole),
        s(&merged),
        "-o",
        s(&refused),
    ]);
    assert_eq!(overlap.code, 2, "{}", overlap.stderr);
    assert!(overlap.stderr.contains("is in both"), "{}", overlap.stderr);
    let unsigned = assay(&[
        "snapshot",
        "merge",
        s(&whole),
        "--key",
        s(&public),
        "-o",
        s(&refused),
    ]);
    assert_eq!(unsigned.code, 2, "{}", unsigned.stderr);
    assert!(unsigned.stderr.contains("unsigned"), "{}", unsigned.stderr);
    assert!(!refused.exists());
}

// ---- docs/scale.md ----------------------------------------------------------------------

/// The fenced block of `lang` that follows `marker` in docs/scale.md.
fn doc_block(marker: &str, lang: &str) -> String {
    let doc = std::fs::read_to_string(crate::root().join("docs/scale.md")).expect("docs/scale.md");
    let from = doc
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in docs/scale.md"));
    let fence = format!("```{lang}\n");
    let rest = &doc[from..];
    let start = rest.find(&fence).expect("a fenced block") + fence.len();
    let end = rest[start..].find("\n```").expect("closed");
    rest[start..start + end].to_string()
}

/// The words after `--shard` in a command line, and the count N of its `auto/N` or `I/N`.
fn shard_count(args: &[Value]) -> u64 {
    let words: Vec<&str> = args.iter().filter_map(Value::as_str).collect();
    let at = words
        .iter()
        .position(|w| *w == "--shard")
        .unwrap_or_else(|| panic!("no --shard in {words:?}"));
    words[at + 1]
        .split_once('/')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("{} is not I/N", words[at + 1]))
}

/// The engines' examples are what the engines need: Kubernetes runs as many indexed pods
/// as there are shards, non-root on a read-only root file system; AWS Batch's job is
/// read-only and non-root too, its command writes one file per shard; each parses as the
/// engine's format, and the GitHub workflow passes actionlint.
#[test]
fn the_engine_examples_in_docs_scale_md_are_consistent() {
    let job: Value = serde_saphyr::from_str(&doc_block("<!-- kubernetes -->", "yaml"))
        .expect("the Kubernetes Job parses");
    let spec = &job["spec"];
    assert_eq!(job["kind"], "Job");
    assert_eq!(spec["completionMode"], "Indexed");
    let pod = &spec["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(
        spec["completions"].as_u64(),
        Some(shard_count(container["args"].as_array().unwrap()))
    );
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], 65532);
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert!(
        container["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().is_some_and(|a| a.contains("{shard}"))),
        "each pod writes its own file"
    );

    let batch: Value = serde_json::from_str(&doc_block("<!-- aws-batch -->", "json"))
        .expect("the Batch job definition parses");
    let container = &batch["containerProperties"];
    let command = container["command"].as_array().unwrap();
    assert_eq!(shard_count(command), 8);
    assert!(
        doc_block("<!-- aws-batch -->", "sh").contains("size=8"),
        "the array is as large as the shard count"
    );
    assert_eq!(container["readonlyRootFilesystem"], true);
    assert_eq!(container["user"], "65532");
    assert!(
        command
            .iter()
            .any(|a| a.as_str().is_some_and(|a| a.contains("{shard}")))
    );

    let workflow = doc_block("<!-- github-actions-shards -->", "yaml");
    let mut child = std::process::Command::new(crate::distribution::lints::linter(
        "ASSAY_ACTIONLINT",
        "actionlint",
    ))
    .args(["-oneline", "-no-color", "-stdin-filename", "scale.yml", "-"])
    .current_dir(crate::root())
    .env("PATH", crate::distribution::lints::lint_path())
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("actionlint runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(workflow.as_bytes())
        .expect("written");
    let output = child.wait_with_output().expect("actionlint ends");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
