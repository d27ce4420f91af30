//! What `assay verify` proves, tried as someone who edits the evidence would: one test
//! per tamper class (a FAIL edited to PASS, a deleted finding, removed gaps, a moved
//! waiver expiry, no snapshot at hand, a forged and resealed snapshot, a duplicate key,
//! an empty snapshot), each of which verified or passed before. And the customer
//! attestation tells the same story as the evidence pack, claim by claim.

use std::path::{Path, PathBuf};

use assay::snapshot::Snapshot;
use serde_json::Value;

use crate::setup::{AIR_MAESTRO, NOW, SAMPLE, WAIVERS, audit_sample, keys, s};
use crate::{assay, assay_in, root};

/// `assay audit` of the sample (Air Maestro, sample waivers) into a temp dir; returns the
/// dir and the findings document.
fn audited() -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = audit_sample(AIR_MAESTRO, true, "json", NOW, dir.path());
    assert_eq!(code, 1, "the sample has failures: {out}{err}");
    let doc =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("findings.json")).unwrap())
            .unwrap();
    (dir, doc)
}

/// Writes `doc` beside the original and runs `assay verify` on it from the repository root.
fn verify_edited(dir: &Path, doc: &Value) -> (i32, String) {
    let path = dir.join("edited.json");
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    let (code, out, err) = assay(&["verify", s(&path)]);
    (code, format!("{out}{err}"))
}

fn findings_mut(doc: &mut Value) -> &mut Vec<Value> {
    doc["findings"].as_array_mut().unwrap()
}

fn arn(f: &Value) -> String {
    f["resource"]["arn"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn an_untouched_findings_document_verifies_by_re_evaluation() {
    let (dir, _) = audited();
    let (code, out, err) = assay(&["verify", s(&dir.path().join("findings.json"))]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ok      re-evaluation: evaluating the snapshot again"),
        "{out}"
    );
    assert!(
        out.contains("ok      profile:") && out.contains("ok      waivers:"),
        "{out}"
    );
    assert!(out.contains("snapshot signature: unsigned"), "{out}");
    assert!(out.ends_with("verified\n"), "{out}");
}

#[test]
fn a_fail_edited_to_pass_is_named_and_exits_1() {
    let (dir, mut doc) = audited();
    let f = findings_mut(&mut doc)
        .iter_mut()
        .find(|f| f["status"] == "FAIL" && f["resource"].is_object())
        .expect("a FAIL on a resource");
    f["status"] = "PASS".into();
    let (rule, arn) = (f["rule_id"].as_str().unwrap().to_string(), arn(f));
    let (code, out) = verify_edited(dir.path(), &doc);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "{rule} on {arn}: status: the document says \"PASS\", evaluating the inputs gives \"FAIL\""
        )),
        "{out}"
    );
    assert!(out.contains("NOT verified"), "{out}");
}

#[test]
fn an_observed_value_edited_is_named() {
    let (dir, mut doc) = audited();
    let f = findings_mut(&mut doc)
        .iter_mut()
        .find(|f| f["status"] == "FAIL" && f["assertions"][0].get("observed").is_some())
        .expect("a FAIL with an observed value");
    f["assertions"][0]["observed"] = "edited".into();
    let rule = f["rule_id"].as_str().unwrap().to_string();
    let (code, out) = verify_edited(dir.path(), &doc);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&rule) && out.contains("assertions.0.observed"),
        "{out}"
    );
}

#[test]
fn a_deleted_finding_is_named_and_exits_1() {
    let (dir, mut doc) = audited();
    let list = findings_mut(&mut doc);
    let at = list
        .iter()
        .position(|f| f["status"] == "FAIL" && f["resource"].is_object())
        .unwrap();
    let removed = list.remove(at);
    let (code, out) = verify_edited(dir.path(), &doc);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "{} on {}: evaluating the inputs gives FAIL, but the document has no such finding (deleted from the document)",
            removed["rule_id"].as_str().unwrap(),
            arn(&removed)
        )),
        "{out}"
    );
}

#[test]
fn removed_gaps_are_named_and_exit_1() {
    let (dir, mut doc) = audited();
    // The gap records of the document, and a GAP finding turned into a PASS without them.
    doc["gaps"] = Value::Array(Vec::new());
    let f = findings_mut(&mut doc)
        .iter_mut()
        .find(|f| f["status"] == "GAP")
        .expect("the sample has GAP findings");
    f["status"] = "PASS".into();
    f.as_object_mut().unwrap().remove("gaps");
    let rule = f["rule_id"].as_str().unwrap().to_string();
    let (code, out) = verify_edited(dir.path(), &doc);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&rule), "{out}");
    assert!(
        out.contains("gaps: the document has none, evaluating the inputs gives [\"gap-"),
        "{out}"
    );
    assert!(out.contains("\n    - gaps: the document says []"), "{out}");
}

#[test]
fn a_moved_waiver_expiry_is_named_and_exits_1() {
    let (dir, mut doc) = audited();
    let f = findings_mut(&mut doc)
        .iter_mut()
        .find(|f| f["waiver"].is_object())
        .expect("the sample waivers apply to a finding");
    let was = f["waiver"]["expires"].as_str().unwrap().to_string();
    f["waiver"]["expires"] = "2099-12-31".into();
    let (rule, arn) = (f["rule_id"].as_str().unwrap().to_string(), arn(f));
    let (code, out) = verify_edited(dir.path(), &doc);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "{rule} on {arn}: waiver.expires: the document says \"2099-12-31\", evaluating the inputs gives \"{was}\""
        )),
        "{out}"
    );
}

#[test]
fn a_claim_or_a_count_edited_is_named() {
    let (dir, mut doc) = audited();
    doc["claims"][0]["status"] = "supported".into();
    doc["summary"]["FAIL"] = 0.into();
    let (code, out) = verify_edited(dir.path(), &doc);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("summary.FAIL: the document says 0"), "{out}");
}

#[test]
fn with_no_snapshot_at_hand_it_is_not_verified() {
    let (dir, _) = audited();
    // From a directory where neither the recorded paths nor anything beside the document
    // exist: nothing can be re-derived.
    let elsewhere = tempfile::tempdir().unwrap();
    let findings = dir.path().join("findings.json");
    let (code, out, err) = assay_in(elsewhere.path(), &["verify", s(&findings)]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("not checked snapshot: no snapshot at hand: the document names samples/aws-sample/snapshot.json"),
        "{out}"
    );
    assert!(
        out.contains("not checked profile: no profile at hand"),
        "{out}"
    );
    assert!(
        out.contains(": not verified: snapshot, profile, waivers, re-evaluation"),
        "{out}"
    );
    assert!(!out.contains(": verified"), "{out}");
    // Given them, it verifies from there too.
    let (code, out, err) = assay_in(
        elsewhere.path(),
        &[
            "verify",
            s(&findings),
            "--snapshot",
            s(&root().join(SAMPLE)),
            "--profile",
            s(&root().join(AIR_MAESTRO)),
            "--waivers",
            s(&root().join(WAIVERS)),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn another_profile_is_not_the_one_recorded() {
    let (dir, _) = audited();
    let (code, out, _) = assay(&[
        "verify",
        s(&dir.path().join("findings.json")),
        "--profile",
        "samples/aeronet/profile.yaml",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("is not the profile the document was evaluated with"),
        "{out}"
    );
}

#[test]
fn report_refuses_a_document_that_does_not_re_derive() {
    let (dir, mut doc) = audited();
    let f = findings_mut(&mut doc)
        .iter_mut()
        .find(|f| f["status"] == "FAIL")
        .unwrap();
    f["status"] = "PASS".into();
    let edited = dir.path().join("edited.json");
    std::fs::write(&edited, doc.to_string()).unwrap();
    let target = dir.path().join("never");
    let (code, _, err) = assay(&["report", "--findings", s(&edited), "--out", s(&target)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is not verified, so no report is rendered"),
        "{err}"
    );
    assert!(err.contains("status: the document says \"PASS\""), "{err}");
    assert!(!target.exists(), "nothing is written");
}

#[test]
fn a_forged_snapshot_is_rejected_against_the_signers_key() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keys(dir.path(), "collector");
    // A signed snapshot, as `assay plan --sign` (and `assay collect --sign`) write it.
    let signed = dir.path().join("signed.json");
    let (code, _, err) = assay(&[
        "plan",
        "tests/fixtures/plans/estate/plan.json",
        "--sign",
        s(&private),
        "-o",
        s(&signed),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = assay(&["snapshot", "verify", s(&signed), "--key", s(&public)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signed by Ed25519 key SHA256:"), "{out}");
    assert!(out.contains("the signature is valid"), "{out}");
    let (code, out, _) = assay(&["snapshot", "verify", s(&signed)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("not checked: no --key"), "{out}");

    // The sample, signed; then forged: gaps removed, every `unread` emptied, resealed.
    let text = std::fs::read_to_string(root().join(SAMPLE)).unwrap();
    let mut snapshot = Snapshot::parse(&text, SAMPLE).unwrap();
    let key = assay::attest::sign::read_signing_key(&private).unwrap();
    assay::snapshot::seal::sign(&mut snapshot, &key);
    let genuine = dir.path().join("genuine.json");
    std::fs::write(&genuine, snapshot.to_json_pretty()).unwrap();
    assert!(!snapshot.gaps.is_empty());
    let signature = snapshot.manifest.signature.clone();
    snapshot.gaps.clear();
    for r in &mut snapshot.resources {
        r.unread.clear();
    }
    snapshot.seal();
    snapshot.manifest.signature = signature;
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, snapshot.to_json_pretty()).unwrap();

    // The digest alone cannot tell: the forgery is "intact".
    let (code, out, _) = assay(&["snapshot", "verify", s(&forged)]);
    assert_eq!(code, 0, "{out}");
    // The signature can.
    let (code, out, _) = assay(&["snapshot", "verify", s(&forged), "--key", s(&public)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("changed and resealed after it was signed"),
        "{out}"
    );
    let (code, out, _) = assay(&["verify", s(&forged), "--key", s(&public)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED  snapshot signature"), "{out}");
    let (code, out, err) = assay(&[
        "audit",
        "--snapshot",
        s(&forged),
        "--profile",
        AIR_MAESTRO,
        "--key",
        s(&public),
        "--out",
        s(&dir.path().join("never")),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("changed and resealed"), "{err}");
    assert!(!dir.path().join("never").exists());
    // The genuine one audits, and says it is signed.
    let (code, out, err) = assay(&[
        "audit",
        "--snapshot",
        s(&genuine),
        "--profile",
        AIR_MAESTRO,
        "--key",
        s(&public),
        "--out",
        s(&dir.path().join("out")),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("the signature is valid over the manifest digest"),
        "{out}"
    );
    // Unsigned with a key given: refused, saying so.
    let (code, _, err) = assay(&[
        "audit",
        "--snapshot",
        SAMPLE,
        "--profile",
        AIR_MAESTRO,
        "--key",
        s(&public),
        "--out",
        s(&dir.path().join("never")),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unsigned"), "{err}");
    // Another key's signature is not the key given.
    let (_, other) = keys(dir.path(), "other");
    let (code, out, _) = assay(&["snapshot", "verify", s(&genuine), "--key", s(&other)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not by the key given"), "{out}");
}

#[test]
fn a_snapshot_with_a_duplicate_key_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(SAMPLE)).unwrap();
    let duplicated = text.replacen(
        "\"arn\": ",
        "\"arn\": \"arn:aws:s3:::decoy\",\n      \"arn\": ",
        1,
    );
    assert_ne!(duplicated, text);
    let path = dir.path().join("duplicate.json");
    std::fs::write(&path, duplicated).unwrap();
    for args in [
        vec!["snapshot", "verify", s(&path)],
        vec![
            "audit",
            "--snapshot",
            s(&path),
            "--profile",
            AIR_MAESTRO,
            "--out",
            s(&dir.path().join("never")),
        ],
        vec!["verify", s(&path)],
    ] {
        let (code, out, err) = assay(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains("duplicate.json:")
                && err.contains("duplicate key `arn` in the object at /resources/0"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_profile_with_a_duplicate_key_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(AIR_MAESTRO)).unwrap();
    let path = dir.path().join("profile.yaml");
    std::fs::write(&path, format!("{text}\norganisation: Someone Else\n")).unwrap();
    let (code, out, err) = assay(&[
        "audit",
        "--snapshot",
        SAMPLE,
        "--profile",
        s(&path),
        "--out",
        s(&dir.path().join("never")),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("profile.yaml"), "{err}");
    assert!(
        err.contains("invalid profile: duplicate key `organisation`"),
        "{err}"
    );
    // The same reader for every YAML input: a waiver given its expiry twice.
    let text = std::fs::read_to_string(root().join(WAIVERS)).unwrap();
    let at = text.find("  expires:").unwrap();
    let line_end = at + text[at..].find('\n').unwrap() + 1;
    let doubled = format!(
        "{}{}{}",
        &text[..line_end],
        &text[at..line_end],
        &text[line_end..]
    );
    let waivers = dir.path().join("waivers.yaml");
    std::fs::write(&waivers, doubled).unwrap();
    let (code, out, err) = assay(&[
        "audit",
        "--snapshot",
        SAMPLE,
        "--profile",
        AIR_MAESTRO,
        "--waivers",
        s(&waivers),
        "--out",
        s(&dir.path().join("never")),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("waivers.yaml") && err.contains("duplicate key `expires`"),
        "{err}"
    );
}

/// The sample emptied: no resources, gaps or raw responses; `accounts` as `f` leaves them.
/// Both empty forms audited with exit 0 and passed the gate before.
fn emptied(dir: &Path, name: &str, f: impl Fn(&mut Snapshot)) -> PathBuf {
    let text = std::fs::read_to_string(root().join(SAMPLE)).unwrap();
    let mut snapshot = Snapshot::parse(&text, SAMPLE).unwrap();
    snapshot.resources.clear();
    snapshot.gaps.clear();
    snapshot.raw_responses.clear();
    f(&mut snapshot);
    snapshot.seal();
    let path = dir.join(name);
    std::fs::write(&path, snapshot.to_json_pretty()).unwrap();
    path
}

#[test]
fn an_empty_snapshot_is_incomplete_and_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let no_accounts = emptied(dir.path(), "no-accounts.json", |s| s.accounts.clear());
    let no_resources = emptied(dir.path(), "no-resources.json", |_| {});
    for (path, says) in [
        (&no_accounts, "records no account read"),
        (&no_resources, "no automated rule found any resource"),
    ] {
        let (code, out, err) = assay(&[
            "audit",
            "--snapshot",
            s(path),
            "--profile",
            AIR_MAESTRO,
            "--out",
            s(&dir.path().join("out")),
        ]);
        assert_eq!(code, 3, "{}: {out}{err}", path.display());
        assert!(err.contains(says), "{err}");
        assert!(err.contains("INCOMPLETE: no evidence"), "{err}");
        let (code, out, err) = assay(&[
            "gate",
            "--snapshot",
            s(path),
            "--profile",
            AIR_MAESTRO,
            "--format",
            "json",
            "--out",
            s(&dir.path().join("gate")),
        ]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(out.contains("gate FAILED"), "{out}");
        assert!(out.contains("INCOMPLETE: no evidence"), "{out}");
        let gate: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("gate/gate.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(gate["passed"], false);
        assert!(gate["no_evidence"].as_str().unwrap().contains(says));
        let (code, out, err) = assay(&[
            "gate",
            "--snapshot",
            s(path),
            "--profile",
            AIR_MAESTRO,
            "--allow-empty",
            "--format",
            "json",
            "--out",
            s(&dir.path().join("gate")),
        ]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("allowed by --allow-empty"), "{out}");
    }
}

/// Claim id → status in a findings document (`claims`) or an attestation (`claims`).
fn claim_statuses(doc: &Value) -> Vec<(String, String)> {
    doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_attestation_and_the_evidence_pack_agree_on_every_claim() {
    for profile in [AIR_MAESTRO, "samples/aeronet/profile.yaml"] {
        let dir = tempfile::tempdir().unwrap();
        let common = [
            "--snapshot",
            SAMPLE,
            "--profile",
            profile,
            "--waivers",
            WAIVERS,
            "--now",
            NOW,
        ];
        let report = dir.path().join("report");
        let mut args = vec!["audit", "--format", "json", "--quiet", "--out", s(&report)];
        args.extend(common);
        let (code, out, err) = assay(&args);
        assert!(code == 1 || code == 0, "{profile}: {out}{err}");
        let attestation = dir.path().join("attestation");
        let mut args = vec!["attest", "--out", s(&attestation)];
        args.extend(common);
        let (code, out, err) = assay(&args);
        assert_eq!(code, 0, "{profile}: {out}{err}");
        let read = |p: PathBuf| -> Value {
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
        };
        let pack = claim_statuses(&read(report.join("findings.json")));
        let attested = claim_statuses(&read(attestation.join("attestation.json")));
        assert!(!pack.is_empty(), "{profile} quotes claims");
        assert_eq!(pack, attested, "{profile}: evidence pack vs attestation");
        assert!(
            pack.iter().any(|(_, status)| status == "attested"),
            "{profile}: a manual claim is shown as attested in both: {pack:?}"
        );
    }
}

#[test]
fn the_gates_findings_of_a_snapshot_verify_as_an_audits_do() {
    for profile in [AIR_MAESTRO, "samples/aeronet/profile.yaml"] {
        let dir = tempfile::tempdir().unwrap();
        let (code, out, err) = assay(&[
            "gate",
            "--snapshot",
            SAMPLE,
            "--profile",
            profile,
            "--waivers",
            WAIVERS,
            "--now",
            NOW,
            "--format",
            "json",
            "--out",
            s(dir.path()),
        ]);
        assert_eq!(code, 1, "{profile}: {out}{err}");
        let (code, out, err) = assay(&["verify", s(&dir.path().join("findings.json"))]);
        assert_eq!(code, 0, "{profile}: {out}{err}");
    }
}
