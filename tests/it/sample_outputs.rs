//! The sample audit's outputs, pinned: every report format of the bundled sample, compared
//! with the outputs recorded before the evaluation and the writers were rebuilt for scale
//! (issue 20). Faster must not mean different: the findings JSON must be the recorded one
//! exactly, except for evidence citations of joined resources the verdict does not rest on
//! (which a finding may drop, never add), and the CSV, HTML and PDF files must hash to the
//! recorded digests.
//!
//! When a change to the rules, the sample or a renderer is *meant* to change the outputs,
//! record them again with `ASSAY_RECORD_SAMPLE_OUTPUTS=1 cargo test --test it sample_outputs`
//! and say in the commit why they changed.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use serde_json::Value;

use crate::{assay, root};

const FIXTURE: &str = "tests/fixtures/sample-audit";

/// Audits the sample with every format into `out`; returns the exit code.
fn audit_all_formats(out: &Path) -> i32 {
    let (code, stdout, stderr) = assay(&[
        "audit",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--waivers",
        "samples/waivers.yaml",
        "--format",
        "json,csv,html,pdf,soa,ocsf,asff",
        "--out",
        out.to_str().unwrap(),
        "--now",
        "2026-12-04T00:00:00Z",
        "--quiet",
    ]);
    assert!(stderr.is_empty(), "stderr: {stderr}\nstdout: {stdout}");
    code
}

/// The files compared by digest (everything but findings.json, compared by content).
fn digested_files(out: &Path) -> BTreeMap<String, String> {
    let mut names: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "findings.json")
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(out.join(&n)).unwrap();
            (n, assay::snapshot::sha256_hex(&bytes))
        })
        .collect()
}

fn read_recorded_findings() -> Value {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(root().join(FIXTURE).join("findings.json.gz"))
            .expect("recorded findings"),
    )
    .read_to_string(&mut text)
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn record(out: &Path) {
    let dir = root().join(FIXTURE);
    std::fs::create_dir_all(&dir).unwrap();
    let json = std::fs::read(out.join("findings.json")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(dir.join("findings.json.gz")).unwrap(),
        flate2::Compression::best(),
    );
    gz.write_all(&json).unwrap();
    gz.finish().unwrap();
    let digests: String = digested_files(out)
        .iter()
        .map(|(name, digest)| format!("{digest}  {name}\n"))
        .collect();
    std::fs::write(dir.join("digests.txt"), digests).unwrap();
}

/// Checks that `now` is `recorded` with, at most, some evidence sources of joined
/// resources left out of some findings (in the recorded order). Returns how many were left out.
fn same_but_fewer_citations(recorded: &Value, now: &Value) -> usize {
    let mut recorded = recorded.clone();
    let mut dropped = 0;
    let (Some(rec), Some(cur)) = (
        recorded["findings"].as_array_mut(),
        now["findings"].as_array(),
    ) else {
        panic!("no findings array");
    };
    assert_eq!(rec.len(), cur.len(), "the number of findings changed");
    for (r, c) in rec.iter_mut().zip(cur) {
        assert_eq!(r["id"], c["id"], "findings are in another order");
        let own_arn = r["resource"]["arn"].clone();
        let kept = c["sources"].as_array().cloned().unwrap_or_default();
        let before = r["sources"].as_array().cloned().unwrap_or_default();
        // `kept` must be a subsequence of `before`; what is left out must be a joined
        // resource's citation, never one of the finding's own resource.
        let mut next = kept.iter().peekable();
        for source in &before {
            if next.peek() == Some(&source) {
                next.next();
            } else {
                assert_ne!(
                    source["resource_arn"], own_arn,
                    "finding {} lost a citation of its own resource: {source}",
                    r["id"]
                );
                dropped += 1;
            }
        }
        assert!(
            next.peek().is_none(),
            "finding {} cites something it did not cite before: {:?}",
            r["id"],
            next.peek()
        );
        r["sources"] = Value::Array(kept);
    }
    assert!(
        recorded == *now,
        "findings.json differs from the recorded one in more than citations"
    );
    dropped
}

#[test]
fn the_sample_audit_outputs_are_the_recorded_ones() {
    let out = tempfile::tempdir().unwrap();
    assert_eq!(audit_all_formats(out.path()), 1, "the sample has failures");
    if std::env::var_os("ASSAY_RECORD_SAMPLE_OUTPUTS").is_some() {
        record(out.path());
    }
    let now: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("findings.json")).unwrap())
            .unwrap();
    same_but_fewer_citations(&read_recorded_findings(), &now);

    let recorded: BTreeMap<String, String> =
        std::fs::read_to_string(root().join(FIXTURE).join("digests.txt"))
            .expect("recorded digests")
            .lines()
            .filter_map(|l| l.split_once("  "))
            .map(|(digest, name)| (name.to_string(), digest.to_string()))
            .collect();
    assert_eq!(
        digested_files(out.path()),
        recorded,
        "a report file differs from the recorded one (see {FIXTURE}/README.md)"
    );
}

/// A finding cites the joined resources its verdict rests on, not every resource the join
/// offered to a filter: each account's CloudTrail finding cites its own trails (the sample
/// has no organisation trail), each region's Config finding that region's recorders, and
/// each recovery-point finding only the resource's own recovery points. When the filter
/// kept nothing (a region without a recorder), the verdict rests on what the join looked
/// at, and all of that is cited. Before joins were indexed, every account's finding cited
/// every trail of every account.
#[test]
fn joined_citations_are_those_the_verdict_rests_on() {
    let (_, stdout, stderr) = assay(&[
        "evaluate",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--now",
        "2026-12-04T00:00:00Z",
    ]);
    // Only the line that says how far the snapshot's seal was checked.
    assert!(
        stderr.lines().all(|l| l.starts_with("Snapshot ")),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("samples/aws-sample/snapshot.json")).unwrap(),
    )
    .unwrap();
    let resources: BTreeMap<&str, &Value> = snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["arn"].as_str().unwrap(), r))
        .collect();
    let mut kept = BTreeMap::<&str, usize>::new();
    for f in report["findings"].as_array().unwrap() {
        let rule = f["rule_id"].as_str().unwrap();
        let Some(own) = f["resource"]["arn"].as_str() else {
            continue;
        };
        let rests_on = |joined: &Value| match rule {
            "logging.cloudtrail-multi-region" => Some(
                joined["account"] == f["resource"]["account"]
                    || joined["is_organization_trail"] == true,
            ),
            "logging.config-recording" => Some(joined["region"] == f["resource"]["region"]),
            "backup.recovery-point-fresh" => Some(joined["source_resource_arn"] == own),
            _ => None,
        };
        let verdicts: Vec<bool> = f["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["resource_arn"].as_str().unwrap())
            .filter(|cited| *cited != own)
            .filter_map(|cited| rests_on(resources[cited]))
            .collect();
        // Either the joined resources the verdict rests on, or (nothing matched) all the
        // join looked at; never a mix.
        assert!(
            verdicts.iter().all(|v| *v) || verdicts.iter().all(|v| !*v),
            "{rule} finding for {own} cites joined resources beside the ones it rests on"
        );
        if verdicts.iter().any(|v| *v) {
            *kept.entry(rule).or_default() += 1;
        }
    }
    assert_eq!(
        kept.len(),
        3,
        "each join rule cites what it rests on: {kept:?}"
    );
}

/// The sample's inputs as arguments: snapshot, profile, waivers and the evaluation time.
const SAMPLE_INPUTS: &[&str] = &[
    "--snapshot",
    "samples/aws-sample/snapshot.json",
    "--profile",
    "samples/air-maestro/profile.yaml",
    "--waivers",
    "samples/waivers.yaml",
    "--now",
    "2026-12-04T00:00:00Z",
];

/// The Terraform plan fixtures' profile, account and evaluation time.
const PLAN_INPUTS: &[&str] = &[
    "--profile",
    "tests/fixtures/plans/profile.yaml",
    "--account",
    "111122223333",
    "--now",
    "2026-11-23T12:00:00Z",
];

/// Every offline command besides `audit`, each with its name in `commands.txt` and its
/// arguments, run in this order from the repository root. `<out>` is the command's own
/// output directory (made before it runs), `<dir>` the directory all of them share:
/// `<dir>/audit` holds the sample audited with its waivers, `<dir>/unwaived` without them,
/// and `<dir>/changed.json` the sample with one bucket changed, one volume removed and one
/// bucket added, sealed again (as `tests/it/diff.rs` makes it).
///
/// Not here: `collect` and `archive` read or write AWS (the live-scan and archive tests run
/// them against the emulator and assert what they write); `keygen` writes a fresh random key
/// pair; `rules new` scaffolds files for the author to edit; `snapshot merge` is pinned by
/// the organisation tests' shards; signed outputs are pinned by the signing tests.
fn commands() -> Vec<(&'static str, Vec<&'static str>)> {
    let with = |args: &[&'static str], inputs: &[&'static str]| [args, inputs].concat();
    let sample = |args: &[&'static str]| with(args, SAMPLE_INPUTS);
    let diff = |old: &'static str, new: &'static str, format: &'static str| {
        vec!["diff", old, new, "--format", format]
    };
    let snapshots = ("samples/aws-sample/snapshot.json", "<dir>/changed.json");
    let findings = ("<dir>/unwaived/findings.json", "<dir>/audit/findings.json");
    vec![
        ("evaluate", sample(&["evaluate"])),
        ("gate", sample(&["gate", "--out", "<out>"])),
        ("attest", sample(&["attest", "--out", "<out>"])),
        (
            "report",
            with(
                &[
                    "report",
                    "--findings",
                    "<dir>/audit/findings.json",
                    "--format",
                    "json,csv,html,pdf",
                    "--out",
                    "<out>",
                ],
                &SAMPLE_INPUTS[..6],
            ),
        ),
        (
            "verify findings",
            vec!["verify", "<dir>/audit/findings.json"],
        ),
        (
            "snapshot verify",
            vec!["snapshot", "verify", "samples/aws-sample/snapshot.json"],
        ),
        ("snapshot schema", vec!["snapshot", "schema"]),
        (
            "baseline create",
            sample(&["baseline", "create", "-o", "<out>/baseline.json"]),
        ),
        (
            "gate baseline",
            sample(&[
                "gate",
                "--baseline",
                "<dir>/baseline create/baseline.json",
                "--out",
                "<out>",
            ]),
        ),
        (
            "diff snapshots text",
            diff(snapshots.0, snapshots.1, "text"),
        ),
        (
            "diff snapshots markdown",
            diff(snapshots.0, snapshots.1, "markdown"),
        ),
        (
            "diff snapshots json",
            diff(snapshots.0, snapshots.1, "json"),
        ),
        (
            "diff snapshots html",
            diff(snapshots.0, snapshots.1, "html"),
        ),
        ("diff findings text", diff(findings.0, findings.1, "text")),
        (
            "diff findings markdown",
            diff(findings.0, findings.1, "markdown"),
        ),
        ("diff findings json", diff(findings.0, findings.1, "json")),
        (
            "diff findings file",
            vec![
                "diff",
                findings.0,
                findings.1,
                "--format",
                "html",
                "-o",
                "<out>/diff.html",
            ],
        ),
        (
            "plan",
            vec![
                "plan",
                "tests/fixtures/plans/estate/plan.json",
                "--account",
                "111122223333",
            ],
        ),
        (
            "gate plan",
            with(
                &[
                    "gate",
                    "--plan",
                    "tests/fixtures/plans/gate/plan.json",
                    "--out",
                    "<out>",
                ],
                PLAN_INPUTS,
            ),
        ),
        (
            "baseline plan",
            with(
                &[
                    "baseline",
                    "create",
                    "--plan",
                    "tests/fixtures/plans/gate/plan.json",
                    "-o",
                    "<out>/baseline.json",
                ],
                PLAN_INPUTS,
            ),
        ),
        (
            "gate plan new violation",
            with(
                &[
                    "gate",
                    "--plan",
                    "tests/fixtures/plans/gate/plan-new-violation.json",
                    "--baseline",
                    "<dir>/baseline plan/baseline.json",
                    "--out",
                    "<out>",
                ],
                PLAN_INPUTS,
            ),
        ),
        ("frameworks", vec!["frameworks"]),
        (
            "frameworks iso27001-2022",
            vec!["frameworks", "iso27001-2022"],
        ),
        ("frameworks gdpr", vec!["frameworks", "gdpr"]),
        ("rules list", vec!["rules", "list"]),
        (
            "rules lint",
            vec![
                "rules",
                "lint",
                "--profile",
                "samples/air-maestro/profile.yaml",
                "--waivers",
                "samples/waivers.yaml",
            ],
        ),
        ("rules test", vec!["rules", "test"]),
        (
            "rules explain",
            vec!["rules", "explain", "logging.cloudtrail-multi-region"],
        ),
        ("iam-policy", vec!["iam-policy"]),
        ("iam-policy archive", vec!["iam-policy", "--archive"]),
        (
            "iam-policy archive bucket",
            vec!["iam-policy", "--archive", "--bucket", "example-evidence"],
        ),
    ]
}

/// Every other offline command's output, pinned as the audit's is: its exit code, what it
/// prints on stdout and stderr and every file it writes (in text, the test's directories
/// written `<out>` and `<dir>`), by SHA-256, against `commands.txt`, so a change meant to be
/// invisible (issue 14's restructuring, issue 20's speed work) is shown to be.
#[test]
fn every_commands_output_on_the_sample_is_the_recorded_one() {
    use crate::setup::s;
    let dir = tempfile::tempdir().unwrap();
    for (name, waivers) in [("audit", true), ("unwaived", false)] {
        let inputs = if waivers {
            SAMPLE_INPUTS.to_vec()
        } else {
            [&SAMPLE_INPUTS[..4], &SAMPLE_INPUTS[6..]].concat()
        };
        let out = dir.path().join(name);
        let (code, _, err) = assay(
            &[
                &["audit", "--format", "json", "--quiet", "--out", s(&out)],
                &inputs[..],
            ]
            .concat(),
        );
        assert_eq!(code, 1, "{err}");
    }
    crate::diff::changed_sample(dir.path());
    let mut got = BTreeMap::new();
    let digest = |bytes: &[u8]| assay::snapshot::sha256_hex(bytes);
    for (name, args) in commands() {
        let out = dir.path().join(name);
        std::fs::create_dir_all(&out).unwrap();
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("<out>", s(&out)).replace("<dir>", s(dir.path())))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = assay(&args);
        assert_ne!(code, 2, "{name}: {stderr}");
        let printed = |text: &str| {
            let text = text
                .replace(s(&out), "<out>")
                .replace(s(dir.path()), "<dir>");
            digest(text.as_bytes())
        };
        got.insert(format!("{name} exit code"), code.to_string());
        got.insert(format!("{name} stdout"), printed(&stdout));
        got.insert(format!("{name} stderr"), printed(&stderr));
        for entry in std::fs::read_dir(&out).into_iter().flatten() {
            let file = entry.unwrap().path();
            let name = format!("{name}/{}", file.file_name().unwrap().to_string_lossy());
            let bytes = std::fs::read(&file).unwrap();
            // A file naming its inputs (`diff -o`) names them as printed text does.
            let sha = match String::from_utf8(bytes) {
                Ok(text) => printed(&text),
                Err(e) => digest(e.as_bytes()),
            };
            got.insert(name, sha);
        }
    }
    let path = root().join(FIXTURE).join("commands.txt");
    if std::env::var_os("ASSAY_RECORD_SAMPLE_OUTPUTS").is_some() {
        let text: String = got
            .iter()
            .map(|(name, sha)| format!("{sha}  {name}\n"))
            .collect();
        std::fs::write(&path, text).unwrap();
    }
    let recorded: BTreeMap<String, String> = std::fs::read_to_string(&path)
        .expect("recorded command outputs")
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(sha, name)| (name.to_string(), sha.to_string()))
        .collect();
    let differ: Vec<String> = got
        .keys()
        .chain(recorded.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| got.get(*k) != recorded.get(*k))
        .map(|k| match (recorded.get(k), got.get(k)) {
            (Some(was), Some(now)) => format!("  {k}: recorded {was}, now {now}"),
            (Some(_), None) => format!("  {k}: recorded, not written now"),
            _ => format!("  {k}: written now, not recorded"),
        })
        .collect();
    assert!(
        differ.is_empty(),
        "command outputs differ from the recorded ones ({FIXTURE}/commands.txt; see \
         {FIXTURE}/README.md to record them again):\n{}",
        differ.join("\n")
    );
}
