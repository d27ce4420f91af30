//! Hostile and broken inputs and outputs (issue 11, breaks 5–8): every output set appears
//! whole or not at all, no symbolic link is written through, two runs into one directory
//! do not interleave, inputs that are not regular files or are too large fail at once,
//! text from the evidence is escaped for XML, CSV and the terminal, credentials in an
//! endpoint URL are never printed, and a closed pipe ends the run quietly.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::plan::plans;
use crate::{assay, root};

const SNAPSHOT: &str = "samples/aws-sample/snapshot.json";
const PROFILE: &str = "samples/air-maestro/profile.yaml";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The names in `dir`, sorted (hidden staging files included: none may be left).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn audit_into(out: &Path, formats: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "audit",
        "--snapshot",
        SNAPSHOT,
        "--profile",
        PROFILE,
        "--format",
        formats,
        "--out",
        s(out),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    assay(&args)
}

#[test]
fn a_template_error_part_way_leaves_no_report_at_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let templates = dir.path().join("templates/partials");
    std::fs::create_dir_all(&templates).expect("templates dir");
    // Parses, so it passes the check before evaluation; fails while rendering, after the
    // JSON and CSV were written and the HTML is half-way.
    std::fs::write(
        templates.join("waivers.html.tera"),
        "{{ no_such_variable.field }}",
    )
    .expect("template");
    let out = dir.path().join("out");
    let (code, _, stderr) = audit_into(
        &out,
        "json,csv,html",
        &["--templates", s(&dir.path().join("templates"))],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(listing(&out), Vec::<String>::new(), "{stderr}");
}

#[test]
fn a_directory_where_a_pdf_goes_stops_the_whole_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("report-iso27001-2022.pdf")).expect("dir");
    let (code, _, stderr) = audit_into(&out, "json,csv,html,pdf", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("report-iso27001-2022.pdf"), "{stderr}");
    assert_eq!(listing(&out), vec!["report-iso27001-2022.pdf"], "{stderr}");
}

#[test]
fn the_gate_leaves_no_junit_or_sarif_when_the_summary_cannot_be_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("summary.md")).expect("dir");
    let (code, stdout, stderr) = assay(&[
        "gate",
        "--plan",
        s(&plans().join("gate/plan.json")),
        "--account",
        "111122223333",
        "--profile",
        s(&plans().join("profile.yaml")),
        "--format",
        "junit,sarif,markdown",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(listing(&out), vec!["summary.md"], "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_in_the_output_directory_is_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    std::os::unix::fs::symlink(&victim, out.join("findings.json")).expect("symlink");
    let (code, _, stderr) = audit_into(&out, "json,csv", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    assert_eq!(listing(&out), vec!["findings.json"]);

    // A snapshot, plan or baseline path that is a link is refused the same way.
    let (code, _, stderr) = assay(&[
        "plan",
        s(&plans().join("gate/plan.json")),
        "--account",
        "111122223333",
        "-o",
        s(&out.join("findings.json")),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
}

#[test]
fn two_audits_into_one_directory_never_interleave() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_assay"))
            .args([
                "audit",
                "--snapshot",
                SNAPSHOT,
                "--profile",
                PROFILE,
                "--format",
                "json,html",
                "--out",
                s(&out),
                "--quiet",
                "--now",
                "2026-11-23T12:00:00Z",
            ])
            .current_dir(root())
            .env_remove("ASSAY_RULES")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("assay runs")
    };
    let runs = [spawn(), spawn()];
    let mut finished = 0;
    for run in runs {
        let output = run.wait_with_output().expect("assay ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            // The sample has deliberate failures.
            Some(1) => finished += 1,
            Some(2) => assert!(
                stderr.contains("another assay run is writing into"),
                "{stderr}"
            ),
            other => panic!("unexpected exit {other:?}: {stderr}"),
        }
    }
    assert!(finished >= 1);
    assert_eq!(listing(&out), vec!["findings.json", "report.html"]);
    let html = std::fs::read_to_string(out.join("report.html")).expect("report");
    assert_eq!(html.matches("<!DOCTYPE html>").count(), 1);
    assert!(html.trim_end().ends_with("</html>"), "a whole report");
    let (_, stdout, _) = assay(&[
        "evaluate",
        "--snapshot",
        SNAPSHOT,
        "--profile",
        PROFILE,
        "--now",
        "2026-11-23T12:00:00Z",
    ]);
    assert_eq!(
        std::fs::read_to_string(out.join("findings.json")).expect("findings"),
        stdout,
        "the findings are one run's, whole"
    );
}

#[test]
fn rules_new_refuses_names_that_leave_the_rules_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("inner/rules");
    std::fs::create_dir_all(&rules).expect("rules");
    for name in [
        "a/../../b",
        "../x/y",
        "a/../b",
        "/etc/x",
        "a/b/c",
        "a/.hidden",
        "A/b",
    ] {
        let (code, _, stderr) = assay(&["rules", "new", name, "--rules", s(&rules)]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("is not a rule name"), "{name}: {stderr}");
    }
    assert_eq!(listing(dir.path()), vec!["inner"]);
    assert_eq!(listing(&dir.path().join("inner")), vec!["rules"]);
    assert_eq!(listing(&rules), Vec::<String>::new());
    let (code, _, stderr) = assay(&["rules", "new", "backup/vault-lock", "--rules", s(&rules)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        listing(&rules.join("backup")),
        vec!["vault-lock.tests.yaml", "vault-lock.yaml"]
    );
}

#[cfg(unix)]
#[test]
fn a_device_or_a_fifo_as_input_fails_at_once() {
    let (code, _, stderr) = assay(&[
        "audit",
        "--snapshot",
        "/dev/zero",
        "--profile",
        PROFILE,
        "--out",
        "target/never",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "cannot read snapshot /dev/zero: it is a character device, not a regular file"
        ),
        "{stderr}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("snapshot.json");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    for args in [
        vec!["audit", "--snapshot", s(&fifo), "--profile", PROFILE],
        vec!["audit", "--snapshot", SNAPSHOT, "--profile", s(&fifo)],
        vec!["plan", s(&fifo)],
        vec!["verify", s(&fifo)],
    ] {
        let (code, _, stderr) = assay(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("a FIFO (named pipe)"), "{args:?}: {stderr}");
    }
}

#[test]
fn an_input_over_the_size_cap_is_refused_naming_the_cap() {
    let output = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["snapshot", "verify", SNAPSHOT])
        .current_dir(root())
        .env("ASSAY_MAX_INPUT_BYTES", "4096")
        .output()
        .expect("assay runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("larger than the input size cap of 4096 bytes (set ASSAY_MAX_INPUT_BYTES"),
        "{stderr}"
    );
}

/// The gate fixture plan with a control character and a terminal escape sequence in a
/// resource address, as a hostile or broken account could name a resource.
fn plan_with_control_characters(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(plans().join("gate/plan.json")).expect("plan");
    let hostile = text
        .replace(
            "\"aws_ebs_volume.scratch\"",
            "\"aws_ebs_volume.scr\\u0001\\u001b[2Jatch\"",
        )
        .replace(
            "\"name\": \"scratch\"",
            "\"name\": \"scr\\u0001\\u001b[2Jatch\"",
        );
    assert_ne!(hostile, text);
    let path = dir.join("plan.json");
    std::fs::write(&path, hostile).expect("plan");
    path
}

#[test]
fn control_characters_in_evidence_keep_junit_well_formed_and_the_terminal_safe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = plan_with_control_characters(dir.path());
    let out = dir.path().join("out");
    let (code, stdout, stderr) = assay(&[
        "gate",
        "--plan",
        s(&plan),
        "--account",
        "111122223333",
        "--profile",
        s(&plans().join("profile.yaml")),
        "--format",
        "junit,sarif,markdown",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let xml = std::fs::read_to_string(out.join("junit.xml")).expect("junit");
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("junit.xml is not well-formed: {e}"),
        }
    }
    assert!(
        !xml.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
        "no XML-invalid character"
    );
    assert!(
        xml.contains("aws_ebs_volume.scr[2Jatch"),
        "the rest is kept"
    );
    assert!(!stdout.contains('\u{1b}'), "no raw escape: {stdout:?}");
    assert!(stdout.contains("scr\\x01\\e[2Jatch"), "{stdout}");
}

#[test]
fn csv_cells_never_start_a_formula() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, stderr) = audit_into(dir.path(), "csv", &[]);
    assert_eq!(code, 1, "{stderr}");
    let mut reader = csv::Reader::from_path(dir.path().join("findings.csv")).expect("csv");
    let header = reader.headers().expect("header").clone();
    let expected = header.iter().position(|h| h == "expected").expect("column");
    let mut equals = 0;
    for record in reader.records() {
        let record = record.expect("record");
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula-like cell {cell:?} in {record:?}"
            );
        }
        equals += usize::from(record[expected].starts_with("equals "));
    }
    assert!(equals > 0, "`==` is written as `equals`");
}

#[test]
fn credentials_in_the_endpoint_url_are_never_printed() {
    let port = crate::emulator::free_port();
    let url = format!("http://auditor:s3cr3t-pw@127.0.0.1:{port}");
    let dir = tempfile::tempdir().expect("tempdir");
    let ran = crate::emulator::run(
        crate::emulator::command(None),
        &[
            "collect",
            "--endpoint-url",
            &url,
            "--region",
            "ap-southeast-2",
            "-o",
            s(&dir.path().join("snapshot.json")),
        ],
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(!ran.stderr.contains("s3cr3t-pw"), "{}", ran.stderr);
    assert!(!ran.stdout.contains("s3cr3t-pw"), "{}", ran.stdout);
    assert!(ran.stderr.contains("***@127.0.0.1"), "{}", ran.stderr);
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["rules", "list"])
        .current_dir(root())
        .env_remove("ASSAY_RULES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("assay runs");
    // `| head -0`: the reader is gone before the first line is written.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("assay ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "", "nothing said");
    assert_eq!(
        output.status.signal(),
        Some(13),
        "ended by SIGPIPE (status 141 in a shell)"
    );
}

/// The bundled rules plus the hostile rule fixtures (tests/fixtures/hostile-rules) in a
/// temporary rules directory.
fn rules_with_hostile_fixtures() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("dir");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).expect("copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    copy(&root().join("rules"), &dir.path().join("rules"));
    copy(
        &root().join("tests/fixtures/hostile-rules"),
        &dir.path().join("rules"),
    );
    dir
}

#[test]
fn a_rule_that_would_hang_or_exhaust_memory_is_an_error_finding() {
    let dir = rules_with_hostile_fixtures();
    let rules = dir.path().join("rules");
    // Each fixture expects ERROR for the resource whose evaluation runs over the budget
    // (10^9 iterations; a string grown to 4^20 bytes), PASS and FAIL for the others.
    let (code, stdout, stderr) = assay(&["rules", "test", "hostile", "--rules", s(&rules)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("2 passed, 0 failed"), "{stdout}");
}

#[test]
fn rules_lint_warns_about_nested_comprehensions_that_multiply() {
    let dir = rules_with_hostile_fixtures();
    let rules = dir.path().join("rules");
    let (code, stdout, stderr) = assay(&["rules", "lint", "--rules", s(&rules)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("warning[nested-comprehension]") && stderr.contains("hostile.cube"),
        "{stderr}"
    );
    assert!(stderr.contains("2 warning(s)"), "{stderr}");
    // The bundled rules walk each resource's own nested lists, or lists from the
    // profile: their cost is the size of the data, not a product, so no warning.
    let (code, _, stderr) = assay(&["rules", "lint", "--rules", "rules"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn credentials_in_the_endpoint_url_are_not_stored_in_the_snapshot() {
    let moto = crate::emulator::moto();
    let url = moto.url.replacen("http://", "http://auditor:s3cr3t-pw@", 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("snapshot.json");
    let ran = crate::emulator::run(
        crate::emulator::command(None),
        &[
            "collect",
            "--endpoint-url",
            &url,
            "--region",
            "ap-southeast-2",
            "-o",
            s(&path),
        ],
    );
    assert!(matches!(ran.code, 0 | 3), "{}", ran.stderr);
    let text = std::fs::read_to_string(&path).expect("snapshot");
    assert!(
        !text.contains("s3cr3t-pw"),
        "the password is not in the snapshot"
    );
    assert!(!ran.stderr.contains("s3cr3t-pw"), "{}", ran.stderr);
    let snapshot: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        snapshot["origin"]["endpoint_url"],
        moto.url.replacen("http://", "http://***@", 1)
    );
}
