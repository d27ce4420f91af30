//! `assay keygen`, `assay attest` and `assay verify` through the binary, on the bundled
//! sample: a signed attestation verifies in each of its forms; one changed byte in the
//! attestation, its signature, its PDF, the snapshot or a raw response makes `verify`
//! fail and name what changed; a resource outside the allowed regions is disclosed.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::setup::{AIR_MAESTRO, NOW, SAMPLE, WAIVERS, keys, s};
use crate::{assay, root};

/// A key pair and a signed attestation of the sample for Air Maestro, in a temp dir.
struct Signed {
    dir: tempfile::TempDir,
}

impl Signed {
    fn new() -> Signed {
        Signed::with(&[])
    }

    /// As `new`, with `extra` arguments to `assay attest` (`--redact`).
    fn with(extra: &[&str]) -> Signed {
        let dir = tempfile::tempdir().unwrap();
        keys(&dir.path().join("keys"), "vendor");
        let signed = Signed { dir };
        let (code, out, err) = assay(
            &[
                "attest",
                "--snapshot",
                SAMPLE,
                "--profile",
                AIR_MAESTRO,
                "--waivers",
                WAIVERS,
                "--customer",
                "Example Airline Pty Ltd",
                "--sign",
                s(&signed.key()),
                "--now",
                NOW,
                "--out",
                s(&signed.out()),
            ]
            .into_iter()
            .chain(extra.iter().copied())
            .collect::<Vec<_>>(),
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("Signed with Ed25519 key SHA256:"), "{out}");
        signed
    }
    fn key(&self) -> PathBuf {
        self.dir.path().join("keys/vendor.key")
    }
    fn public(&self) -> PathBuf {
        self.dir.path().join("keys/vendor.pub")
    }
    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
    fn file(&self, name: &str) -> PathBuf {
        self.out().join(name)
    }
    fn verify(&self, file: &Path, extra: &[&str]) -> (i32, String) {
        let public = self.public();
        let mut args = vec!["verify", s(file), "--key", s(&public)];
        args.extend_from_slice(extra);
        let (code, out, err) = assay(&args);
        (code, format!("{out}{err}"))
    }
    fn json(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.file("attestation.json")).unwrap())
            .unwrap()
    }
}

#[test]
fn a_signed_attestation_verifies_as_json_html_and_pdf_and_against_its_snapshot() {
    let a = Signed::new();
    let snapshot = root().join(SAMPLE);
    for name in ["attestation.json", "attestation.html", "attestation.pdf"] {
        let (code, out) = a.verify(&a.file(name), &["--snapshot", s(&snapshot)]);
        assert_eq!(code, 0, "{name}: {out}");
        assert!(out.contains("ok      signature: valid"), "{name}: {out}");
        assert!(out.contains("ok      snapshot:"), "{name}: {out}");
        assert!(out.ends_with("verified\n"), "{name}: {out}");
    }
    // The HTML and PDF are checked as renderings of what was signed.
    let (_, out) = a.verify(&a.file("attestation.pdf"), &["--snapshot", s(&snapshot)]);
    assert!(out.contains("the pdf is exactly the rendering"), "{out}");
    // The facts follow from the snapshot: evaluating it again gives the same document.
    let (code, out) = a.verify(
        &a.file("attestation.json"),
        &[
            "--snapshot",
            s(&snapshot),
            "--reevaluate",
            "--profile",
            "samples/air-maestro/profile.yaml",
            "--waivers",
            "samples/waivers.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "ok      re-evaluation: evaluating the snapshot again gives exactly the attested facts"
        ),
        "{out}"
    );
    // With another organisation's profile the inputs differ, and verify says so.
    let (code, out) = a.verify(
        &a.file("attestation.json"),
        &[
            "--snapshot",
            s(&snapshot),
            "--reevaluate",
            "--profile",
            "samples/aeronet/profile.yaml",
            "--waivers",
            "samples/waivers.yaml",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED  re-evaluation inputs: the profile is"),
        "{out}"
    );
}

#[test]
fn the_signed_document_names_its_evidence_and_the_pdf_carries_it() {
    let a = Signed::new();
    let doc = a.json();
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SAMPLE)).unwrap()).unwrap();
    assert_eq!(doc["format"], "assay-attestation");
    assert_eq!(
        doc["evidence"]["snapshot_manifest_sha256"],
        snapshot["manifest"]["digest"]
    );
    assert_eq!(doc["observed_at"], snapshot["collected_at"]);
    assert_eq!(doc["customer"], "Example Airline Pty Ltd");
    assert_eq!(doc["signer"]["algorithm"], "ed25519");
    for key in ["rule_pack_sha256", "profile_sha256", "waivers_sha256"] {
        assert_eq!(
            doc["evidence"][key].as_str().map(str::len),
            Some(64),
            "{key}"
        );
    }
    // The file is its canonical form, so any edit shows.
    let text = std::fs::read_to_string(a.file("attestation.json")).unwrap();
    assert_eq!(
        text.trim_end(),
        serde_json_canonicalizer::to_string(&doc).unwrap()
    );
    // The same inputs give the same PDF, byte for byte (signatures are deterministic).
    let again = tempfile::tempdir().unwrap();
    let (code, out, err) = assay(&[
        "attest",
        "--snapshot",
        SAMPLE,
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--waivers",
        "samples/waivers.yaml",
        "--customer",
        "Example Airline Pty Ltd",
        "--sign",
        s(&a.key()),
        "--now",
        NOW,
        "--out",
        s(again.path()),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read(again.path().join("attestation.pdf")).unwrap(),
        std::fs::read(a.file("attestation.pdf")).unwrap()
    );
}

/// Flips one byte of `path` at the first occurrence of `needle` (+ `offset`).
fn flip(path: &Path, needle: &[u8], offset: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {}", path.display()))
        + offset;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn one_changed_byte_in_the_attestation_its_signature_or_its_pdf_fails_and_is_named() {
    let a = Signed::new();
    let snapshot = root().join(SAMPLE);
    let snap = ["--snapshot", s(&snapshot)];

    // The attestation: a count changed in the JSON.
    let json = a.file("attestation.json");
    let original = std::fs::read(&json).unwrap();
    flip(&json, b"\"count\":", 8);
    let (code, out) = a.verify(&json, &snap);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED  signature: the signature does not match the attestation"),
        "{out}"
    );
    assert!(out.contains("NOT verified"), "{out}");
    std::fs::write(&json, &original).unwrap();

    // Whitespace added: the content is the same, the signed bytes are not.
    std::fs::write(&json, [&b" "[..], &original[..]].concat()).unwrap();
    let (code, out) = a.verify(&json, &snap);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED  canonical form"), "{out}");
    std::fs::write(&json, &original).unwrap();

    // The signature.
    let sig = a.file("attestation.sig");
    let original_sig = std::fs::read(&sig).unwrap();
    let mut changed = original_sig.clone();
    changed[10] = if changed[10] == b'A' { b'B' } else { b'A' };
    std::fs::write(&sig, changed).unwrap();
    let (code, out) = a.verify(&json, &snap);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED  signature:"), "{out}");
    std::fs::write(&sig, &original_sig).unwrap();

    // Another vendor's key.
    let other = tempfile::tempdir().unwrap();
    let (_, other_public) = keys(other.path(), "other");
    let (code, out, _) = assay(&[
        "verify",
        s(&json),
        "--key",
        s(&other_public),
        "--snapshot",
        s(&snapshot),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED  signer: the attestation names key SHA256:"),
        "{out}"
    );

    // The PDF: one byte of a page's content stream.
    let pdf = a.file("attestation.pdf");
    let mut bytes = std::fs::read(&pdf).unwrap();
    let stream = bytes
        .windows(6)
        .position(|w| w == b"stream")
        .expect("a content stream")
        + 20;
    bytes[stream] ^= 0x01;
    std::fs::write(&pdf, bytes).unwrap();
    let (code, out) = a.verify(&pdf, &snap);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "FAILED  document: the pdf differs from the rendering of the signed attestation"
        ),
        "{out}"
    );
}

#[test]
fn one_changed_byte_in_the_snapshot_or_a_raw_response_fails_and_is_named() {
    let a = Signed::new();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("snapshot.json");
    let text = std::fs::read_to_string(root().join(SAMPLE)).unwrap();

    // A raw response body: its hash no longer matches, nor does the manifest.
    let value: Value = serde_json::from_str(&text).unwrap();
    let (key, raw) = value["raw_responses"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let body = raw["body"].as_str().unwrap();
    let needle = &body[..body.len().min(40)];
    let needle_json = serde_json::to_string(needle).unwrap();
    let needle_json = &needle_json[1..needle_json.len() - 1];
    std::fs::write(&copy, &text).unwrap();
    // A letter or digit of the body, so the file stays valid JSON and only the body's
    // hash tells (a flipped backslash or quote would make it unreadable instead).
    let letter = needle_json
        .bytes()
        .position(|b| b.is_ascii_alphanumeric())
        .expect("a letter or digit in the body");
    flip(&copy, needle_json.as_bytes(), letter);
    let (code, out) = a.verify(&a.file("attestation.json"), &["--snapshot", s(&copy)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("ok      signature"),
        "the attestation itself is intact: {out}"
    );
    assert!(out.contains("FAILED  snapshot:"), "{out}");
    assert!(
        out.contains(&format!("raw response {key}")),
        "names the response: {out}"
    );
    assert!(out.contains("its body was changed"), "{out}");
    // The snapshot alone says the same.
    let (code, out, _) = assay(&["verify", s(&copy)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("its body was changed"), "{out}");

    // A resource's attribute: the manifest digest no longer matches.
    std::fs::write(&copy, &text).unwrap();
    flip(&copy, b"\"region\": \"ap-southeast-2\"", 13);
    let (code, out) = a.verify(&a.file("attestation.json"), &["--snapshot", s(&copy)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("manifest digest mismatch"), "{out}");

    // The untouched sample verifies alone.
    let (code, out, _) = assay(&["verify", SAMPLE]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok      snapshot: intact"), "{out}");
}

#[test]
fn a_resource_in_a_disallowed_region_is_disclosed_on_the_attestation() {
    let a = Signed::new();
    let doc = a.json();
    let allowed: Vec<&str> = doc["allowed_regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(allowed, ["ap-southeast-2"]);
    // The sample holds a bucket outside Sydney: counted, and disclosed as an exception.
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SAMPLE)).unwrap()).unwrap();
    let outside: Vec<&Value> = snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "aws_s3_bucket" && r["region"] != "ap-southeast-2")
        .collect();
    assert!(
        !outside.is_empty(),
        "the sample has a bucket outside Sydney"
    );
    let buckets = doc["data_stores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["resource_type"] == "aws_s3_bucket")
        .unwrap();
    assert_eq!(buckets["outside_allowed_regions"], outside.len());
    // A replication destination in another scanned account (the backup account's vault
    // bucket) is located by that account's own read, not left without a region.
    let cross_account = doc["copies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["destination"] == "arn:aws:s3:::flightdeck-backup-vault-syd")
        .expect("the production database backups replicate to the backup account");
    assert_eq!(cross_account["destination_account"], "444455556666");
    assert_eq!(cross_account["destination_region"], "ap-southeast-2");
    assert_eq!(cross_account["within_allowed_regions"], true);
    let arn = outside[0]["arn"].as_str().unwrap();
    let disclosed = doc["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["rule_id"] == "residency.s3-bucket-region" && e["subject"] == arn);
    assert!(disclosed, "{arn} is not among the exceptions");
    // And a person reading the PDF sees it: the count on the first pages, the ARN in the
    // document.
    let text = pdf_text(&a.file("attestation.pdf"));
    assert!(
        text[..2].concat().contains("outside the allowed regions"),
        "{:?}",
        &text[0]
    );
    // (pdftotext drops a hyphen where a line was broken after it.)
    assert!(
        text.concat()
            .replace(['\n', '-'], "")
            .contains(&arn.replace('-', "")),
        "{arn} not printed"
    );
    let html = std::fs::read_to_string(a.file("attestation.html")).unwrap();
    // (The HTML offers line breaks after `:` and `/` in an ARN.)
    assert!(html.replace("<wbr>", "").contains(arn));
}

/// The PDF's text per page (poppler's pdftotext, installed by scripts/test.sh).
pub fn pdf_text(path: &Path) -> Vec<String> {
    let output = std::process::Command::new("pdftotext")
        .args([s(path), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test.sh");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout)
        .split('\u{c}')
        .map(str::to_string)
        .collect()
}

/// The body (everything up to and including the signature) fits on three A4 pages at
/// 8 pt or larger, even for the sample account, full of deliberate failures (70-odd rules
/// with exceptions, 20–30 claims); "How to verify" follows, then the annexes. The body's
/// table of exceptions has a row for at most 5 rules (and any whose waiver expired), so it
/// does not grow with the rule pack; Annex A lists every rule and finding. The data stores
/// take one row per service and the copies one row per kind, so neither grows with the
/// types registered; Annex B lists each type and each copy.
const BODY_PAGES_MAX: usize = 3;

/// The body's section headings, in order.
const BODY_HEADINGS: [&str; 9] = [
    "Issue and validity",
    "Evidence and scope",
    "Where the data is stored",
    "Copies of the data",
    "Backup retention",
    "Encryption keys",
    "Statements checked",
    "Exceptions",
    "Signature",
];

/// Signs an attestation of the sample for `profile` and returns its JSON and PDF pages.
fn attest_sample(profile: &str) -> (Value, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let (private, _) = keys(dir.path(), "vendor");
    let out = dir.path().join("out");
    let (code, stdout, err) = assay(&[
        "attest",
        "--snapshot",
        SAMPLE,
        "--profile",
        profile,
        "--waivers",
        WAIVERS,
        "--sign",
        s(&private),
        "--now",
        NOW,
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    let json =
        serde_json::from_str(&std::fs::read_to_string(out.join("attestation.json")).unwrap())
            .unwrap();
    (json, pdf_text(&out.join("attestation.pdf")))
}

#[test]
fn the_pdf_body_is_short_and_the_annex_lists_every_exception() {
    for profile in [
        "samples/air-maestro/profile.yaml",
        "samples/aeronet/profile.yaml",
    ] {
        let (doc, pages) = attest_sample(profile);
        // The body: every section in order, the signature block with its fingerprint.
        let body = pages[..BODY_PAGES_MAX].concat();
        let mut from = 0;
        for heading in BODY_HEADINGS {
            let at = body[from..]
                .find(heading)
                .unwrap_or_else(|| panic!("{profile}: `{heading}` missing or out of order"));
            from += at;
        }
        let fingerprint = doc["signer"]["fingerprint"].as_str().unwrap();
        assert!(
            body.replace('\n', "").contains(fingerprint),
            "{profile}: the fingerprint is not printed in the body"
        );
        // The body ends by page 3 with the signature; "How to verify" and the annexes
        // follow.
        let annex = pages
            .iter()
            .position(|p| p.contains("Annex A: every exception in scope"))
            .unwrap_or_else(|| panic!("{profile}: no annex"));
        assert!(
            annex >= BODY_PAGES_MAX,
            "{profile}: annex on page {}",
            annex + 1
        );
        let verify = pages
            .iter()
            .position(|p| p.contains("How to verify"))
            .unwrap_or_else(|| panic!("{profile}: no How to verify"));
        assert!(
            verify < annex,
            "{profile}: How to verify comes before the annexes"
        );
        assert!(
            body.contains("Signed by"),
            "{profile}: the signature block is not in the first {BODY_PAGES_MAX} pages"
        );
        assert!(!pages[annex..].concat().contains("Statements checked"));
        // It lists every exception: each rule and each subject of the signed JSON.
        // (pdftotext drops a hyphen where a long ARN was broken across lines, so hyphens
        // are left out of the comparison.)
        let flat = |t: &str| t.replace(['\n', '-'], "");
        let annex_text = flat(&pages[annex..].concat());
        for e in doc["exceptions"].as_array().unwrap() {
            let rule = e["rule_id"].as_str().unwrap();
            let subject = e["subject"].as_str().unwrap();
            assert!(
                annex_text.contains(&flat(rule)),
                "{profile}: {rule} not in the annex"
            );
            assert!(
                annex_text.contains(&flat(subject)),
                "{profile}: {subject} ({rule}) not in the annex"
            );
        }
        // The body summarises per rule: a row for each of the most severe 5 rules, the
        // rest counted in one line that points to the annex.
        let rules: std::collections::BTreeSet<&str> = doc["exceptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["rule_id"].as_str().unwrap())
            .collect();
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let body_text = words(&body);
        assert!(
            body_text.contains(&format!(
                "finding(s) under {} rule(s) did not plainly pass: one row per rule",
                rules.len()
            )),
            "{profile}: {body_text}"
        );
        assert!(
            rules.len() > 5,
            "{profile}: the sample has more rules than rows"
        );
        let more = body_text
            .find(" more rule(s) with ")
            .map(|at| &body_text[at..])
            .unwrap_or_else(|| panic!("{profile}: no line for the rules past the rows"));
        assert!(
            more[..more.find('.').unwrap_or(more.len())].ends_with("each listed in Annex A"),
            "{profile}: {more:.200}"
        );
    }
}

#[test]
fn the_pdf_reads_as_a_short_document_with_every_section() {
    let a = Signed::new();
    let pages = pdf_text(&a.file("attestation.pdf"));
    // The first page answers the customer's first question: where the data is.
    for heading in [
        "Data residency and protection attestation",
        "Evidence and scope",
        "Where the data is stored",
    ] {
        assert!(
            pages[0].contains(heading),
            "`{heading}` is not on the first page"
        );
    }
    let all = pages.concat();
    assert!(all.contains("Example Airline Pty Ltd"));
    assert!(
        !all.to_lowercase().contains(" compliant"),
        "facts, never verdicts (assertion names such as `compliant-trail` may appear)"
    );
    // Verify works from the PDF alone, since it carries the signed JSON.
    let (code, out) = a.verify(&a.file("attestation.pdf"), &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_findings_document_is_verified_against_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = assay(&[
        "audit",
        "--snapshot",
        SAMPLE,
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--format",
        "json",
        "--now",
        NOW,
        "--quiet",
        "--out",
        s(dir.path()),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let findings = dir.path().join("findings.json");
    let (code, out, _) = assay(&["verify", s(&findings)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok      re-evaluation:"), "{out}");
    // Against another snapshot: named, and not verified (exit 2: not the input recorded).
    let other = dir.path().join("other.json");
    let (code, _, err) = assay(&[
        "plan",
        "tests/fixtures/plans/estate/plan.json",
        "-o",
        s(&other),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = assay(&["verify", s(&findings), "--snapshot", s(&other)]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("is intact but is not the snapshot the document names"),
        "{out}"
    );
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let a = Signed::new();
    // No key: refused, not passed.
    let (code, _, err) = assay(&["verify", s(&a.file("attestation.json"))]);
    assert_eq!(code, 2);
    assert!(
        err.contains("give the signer's public key with --key"),
        "{err}"
    );
    // A public key given to --sign.
    let (code, _, err) = assay(&[
        "attest",
        "--snapshot",
        SAMPLE,
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--sign",
        s(&a.public()),
        "--out",
        s(&a.out()),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not an Ed25519 private key"), "{err}");
    // A malformed tag selector.
    let (code, _, err) = assay(&[
        "attest",
        "--snapshot",
        SAMPLE,
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--tag",
        "customer",
        "--out",
        s(&a.out()),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--tag `customer`: expected KEY=VALUE"),
        "{err}"
    );
    // keygen never overwrites.
    let (code, _, err) = assay(&["keygen", "-o", s(&a.dir.path().join("keys/vendor"))]);
    assert_eq!(code, 2);
    assert!(err.contains("refusing to overwrite"), "{err}");
    // Not a document assay knows.
    let (code, _, err) = assay(&["verify", "Cargo.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an assay attestation"), "{err}");
}

/// The attestation quotes the residency findings rather than judging regions itself, so
/// the two agree: on the sample profiles, and on an empty `allowed_regions`, where every
/// residency rule fails and the attestation once counted every store as inside.
#[test]
fn the_attestation_counts_what_the_residency_findings_say() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty-list.yaml");
    let profile = std::fs::read_to_string(root().join("samples/air-maestro/profile.yaml"))
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("  allowed_regions:") {
                "  allowed_regions: []".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(profile.contains("allowed_regions: []"));
    std::fs::write(&empty, profile).unwrap();
    for profile in [
        "samples/air-maestro/profile.yaml",
        "samples/aeronet/profile.yaml",
        s(&empty),
    ] {
        let out = dir.path().join(format!("out-{}", profile.len()));
        let common = [
            "--snapshot",
            SAMPLE,
            "--profile",
            profile,
            "--waivers",
            "samples/waivers.yaml",
            "--now",
            NOW,
        ];
        let (code, stdout, err) = assay(&[&["attest"][..], &common, &["--out", s(&out)]].concat());
        assert_eq!(code, 0, "{stdout}{err}");
        let (_, stdout, err) = assay(
            &[
                &["audit"][..],
                &common,
                &["--format", "json", "--out", s(&out), "--quiet"],
            ]
            .concat(),
        );
        let read = |name: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(out.join(name)).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}\n{stdout}{err}"))
        };
        let (attestation, report) = (read("attestation.json"), read("findings.json"));
        let stores = attestation["data_stores"].as_array().unwrap();
        assert!(!stores.is_empty(), "{profile}: no data stores");
        for store in stores {
            let type_name = store["resource_type"].as_str().unwrap();
            // The residency rule that judges the type's region, from the registry.
            let rule = assay::snapshot::type_info(type_name)
                .and_then(|t| t.data_store)
                .unwrap()
                .region_rule;
            let failed = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule_id"] == rule && f["resource"]["type"] == type_name)
                .filter(|f| {
                    f["assertions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|a| a["name"] == "region-allowed" && a["status"] == "FAIL")
                })
                .count();
            assert_eq!(
                store["outside_allowed_regions"].as_u64().unwrap() as usize,
                failed,
                "{profile}: {type_name} outside the allowed regions"
            );
            if profile == s(&empty) {
                assert_eq!(
                    store["outside_allowed_regions"], store["count"],
                    "{type_name}"
                );
            }
        }
        if profile == s(&empty) {
            for copy in attestation["copies"].as_array().unwrap() {
                assert_ne!(copy["within_allowed_regions"], true, "{copy}");
            }
        }
    }
}

/// Text for comparisons: line breaks and hyphens (pdftotext drops a hyphen where a line
/// was broken after it) left out, whitespace collapsed.
fn flat(text: &str) -> String {
    text.replace('-', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_sample_names_its_signer_beside_the_fingerprint_and_its_validity() {
    let a = Signed::new();
    let doc = a.json();
    // From the profile's `attestation:` settings, counted from the issue time.
    assert_eq!(
        doc["issuer"],
        serde_json::json!({
            "name": "Grace Lin",
            "role": "Chief Information Security Officer",
            "organisation": "Air Maestro (sample)"
        })
    );
    assert_eq!(doc["issued_at"], "2026-12-04T09:00:00Z");
    assert_eq!(doc["valid_until"], "2027-03-04T09:00:00Z", "90 days");
    assert_eq!(doc["next_issue"], "2027-02-02T09:00:00Z", "60 days");
    let fingerprint = doc["signer"]["fingerprint"].as_str().unwrap();
    let pdf = flat(&pdf_text(&a.file("attestation.pdf")).concat());
    let html = std::fs::read_to_string(a.file("attestation.html")).unwrap();
    let signed_by =
        "Grace Lin, Chief Information Security Officer, Air Maestro (sample), with Ed25519 key";
    assert!(
        pdf.contains(&flat(&format!("{signed_by} {fingerprint}"))),
        "the PDF names the signer beside the fingerprint"
    );
    assert!(html.contains(&format!("{signed_by} <code>{fingerprint}</code>")));
    for text in [
        "valid until 2027-03-04 09:00 UTC",
        "next issue 2027-02-02 09:00 UTC",
    ] {
        assert!(pdf.contains(&flat(text)), "PDF: {text}");
    }
    assert!(html.contains("<dt>Valid until</dt><dd>2027-03-04 09:00 UTC</dd>"));
    assert!(html.contains("<dt>Next issue</dt><dd>2027-02-02 09:00 UTC</dd>"));
}

#[test]
fn a_next_issue_after_the_validity_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let profile = std::fs::read_to_string(root().join("samples/air-maestro/profile.yaml"))
        .unwrap()
        .replace("next_issue_after_days: 60", "next_issue_after_days: 120");
    let path = dir.path().join("profile.yaml");
    std::fs::write(&path, profile).unwrap();
    let (code, out, err) = assay(&[
        "attest",
        "--snapshot",
        SAMPLE,
        "--profile",
        s(&path),
        "--out",
        s(&dir.path().join("out")),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("attestation.next_issue_after_days (120) is after the attestation expires (valid_for_days 90)"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists(), "nothing half-written");
}

/// The security-group ids (`sg-` and 8 or 17 hex digits) in `text`.
fn security_group_ids(text: &str) -> Vec<String> {
    text.match_indices("sg-")
        .map(|(i, _)| {
            text[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
        })
        .filter(|id| id.len() >= 11 && id[3..].chars().all(|c| c.is_ascii_hexdigit()))
        .collect()
}

/// `text` with line breaks and hyphens left out (pdftotext drops a hyphen where a line
/// was broken after it), for finding identifiers in any of the three documents.
fn joined(text: &str) -> String {
    text.replace(['\n', '-'], "")
}

/// The IAM user names of the sample snapshot.
fn sample_user_names() -> Vec<String> {
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SAMPLE)).unwrap()).unwrap();
    snapshot["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["arn"].as_str())
        .filter_map(|arn| arn.split_once(":user/").map(|(_, n)| n.to_string()))
        .collect()
}

#[test]
fn with_redact_no_security_group_id_or_user_name_is_disclosed_and_it_still_verifies() {
    let plain = Signed::new();
    let redacted = Signed::with(&["--redact"]);
    let users = sample_user_names();
    assert!(users.len() >= 2, "{users:?}");
    let texts = |a: &Signed| {
        [
            std::fs::read_to_string(a.file("attestation.json")).unwrap(),
            std::fs::read_to_string(a.file("attestation.html")).unwrap(),
            pdf_text(&a.file("attestation.pdf")).concat(),
        ]
    };
    // Without --redact the sample discloses both kinds in each document (so the check
    // below means something).
    let plain_texts = texts(&plain);
    let groups: std::collections::BTreeSet<String> =
        security_group_ids(&plain_texts[0]).into_iter().collect();
    assert_eq!(groups.len(), 5, "{groups:?}");
    let disclosed = |text: &str| -> Vec<String> {
        let text = joined(text);
        groups
            .iter()
            .chain(&users)
            .filter(|id| text.contains(&joined(id)))
            .cloned()
            .collect()
    };
    for (name, text) in ["json", "html", "pdf"].iter().zip(&plain_texts) {
        assert!(disclosed(text).len() >= 7, "{name}: {:?}", disclosed(text));
    }
    for (name, text) in ["json", "html", "pdf"].iter().zip(texts(&redacted)) {
        assert_eq!(disclosed(&text), Vec::<String>::new(), "{name}");
        assert_eq!(security_group_ids(&text), Vec::<String>::new(), "{name}");
    }
    // Replaced by counts: nothing is dropped.
    let (before, after) = (plain.json(), redacted.json());
    let count = |doc: &Value| -> u64 {
        doc["exceptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["findings"].as_u64().unwrap_or(1))
            .sum()
    };
    assert_eq!(count(&after), count(&before));
    assert_eq!(
        after["evidence"]["findings"],
        before["evidence"]["findings"]
    );
    assert_eq!(
        after["redaction"]["kinds"],
        serde_json::json!(["security-group", "iam-user", "access-key"])
    );
    assert_eq!(after["redaction"]["replaced"]["security-group"], 5);
    assert_eq!(after["redaction"]["replaced"]["iam-user"], 2);
    let pdf = flat(&pdf_text(&redacted.file("attestation.pdf")).concat());
    assert!(
        pdf.contains(&flat("4 security groups (identifiers redacted)")),
        "{pdf}"
    );
    // The redacted document is what was signed, and re-evaluation redacts the same way.
    let (code, out) = redacted.verify(
        &redacted.file("attestation.json"),
        &[
            "--snapshot",
            SAMPLE,
            "--reevaluate",
            "--profile",
            "samples/air-maestro/profile.yaml",
            "--waivers",
            "samples/waivers.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok      re-evaluation"), "{out}");
}

#[test]
fn public_sharing_and_an_expired_waiver_are_named_as_exceptions() {
    let a = Signed::new();
    let pages = pdf_text(&a.file("attestation.pdf"));
    let body = flat(&pages[..BODY_PAGES_MAX].concat());
    // The EBS snapshot shared with everyone is an exception, not an "n/a" row.
    let exceptions = &body[body
        .find("Exceptions Shared outside")
        .expect("sharing under Exceptions")..];
    for text in [
        "Shared outside the account that holds it (5): an exception whatever the region.",
        "1 snapshot(s) in us-east-1",
        "everyone (public)",
        "other account PUBLIC",
    ] {
        assert!(exceptions.contains(&flat(text)), "{text}: {exceptions}");
    }
    // The residency FAIL whose waiver lapsed names the waiver beside the rule, and the
    // annex gives it beside the finding.
    assert!(
        body.contains(&flat("(EXPIRED: waiver SEC-2204 expired 2026-09-30)")),
        "{body}"
    );
    let annex = flat(&pages[BODY_PAGES_MAX..].concat());
    assert!(annex.contains(&flat(
        "waiver EXPIRED on 2026-09-30 (SEC-2204, approved by Grace Lin, CISO"
    )));
    let html = std::fs::read_to_string(a.file("attestation.html")).unwrap();
    assert!(html.contains(r#"<td class="bad">PUBLIC</td>"#));
    assert!(html.contains("(EXPIRED: waiver SEC-2204 expired 2026-09-30)"));
}

/// The commands the attestation prints for checking its signature with OpenSSL.
fn printed_openssl_steps(html: &str) -> Vec<String> {
    let start = html
        .find(r#"<pre class="openssl">"#)
        .expect("the OpenSSL steps")
        + 21;
    let end = start + html[start..].find("</pre>").unwrap();
    html[start..end]
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_printed_openssl_commands_verify_the_sample_signature() {
    let a = Signed::new();
    let html = std::fs::read_to_string(a.file("attestation.html")).unwrap();
    let steps = printed_openssl_steps(&html);
    assert_eq!(steps.len(), 7, "{steps:?}");
    // The PDF prints the same commands.
    let pdf = flat(&pdf_text(&a.file("attestation.pdf")).concat());
    for step in &steps {
        assert!(pdf.contains(&flat(step)), "the PDF lacks `{step}`");
    }
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        // Documented in docs/attestation.md ("Keys"); scripts/test.sh machines have it.
        eprintln!("openssl is not installed: the printed commands were not run");
        return;
    }
    std::fs::copy(a.public(), a.file("vendor.pub")).unwrap();
    let run = |step: &str| {
        let output = std::process::Command::new("sh")
            .args(["-c", step])
            .current_dir(a.out())
            .output()
            .unwrap();
        (
            output.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        )
    };
    let outputs: Vec<(bool, String)> = steps.iter().map(|s| run(s)).collect();
    for (step, (ok, out)) in steps.iter().zip(&outputs) {
        assert!(ok, "`{step}` failed: {out}");
    }
    assert!(
        outputs[2].1.contains("Signature Verified Successfully"),
        "{:?}",
        outputs[2]
    );
    let fingerprint = a.json()["signer"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        format!("SHA256:{}", outputs[6].1.trim().trim_end_matches('=')),
        fingerprint
    );
    // And they catch a change: one count edited, step 1 and 3 again.
    let json = a.file("attestation.json");
    let text = std::fs::read_to_string(&json).unwrap();
    std::fs::write(&json, text.replacen("\"count\":29", "\"count\":28", 1)).unwrap();
    assert_ne!(
        std::fs::read_to_string(&json).unwrap(),
        text,
        "the edit took"
    );
    assert!(run(&steps[0]).0);
    let (ok, out) = run(&steps[2]);
    assert!(
        !ok && out.contains("Signature Verification Failure"),
        "{out}"
    );
}

/// Issue 15, item 3: the attestation states what it covered: the data-store types judged
/// in detail, the types AWS Config's inventory only located (the sample's Redshift
/// clusters; its SQS queue is read in detail now), and where the inventory could not look (regions where Config
/// is not recording, regions not read); the statement about all data says the inventory
/// did not look everywhere.
#[test]
fn the_attestation_names_what_it_covered_and_where_the_inventory_could_not_look() {
    let (doc, pages) = attest_sample("samples/air-maestro/profile.yaml");
    let coverage = &doc["coverage"];
    assert!(
        coverage["judged_in_detail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "DynamoDB tables"),
        "{coverage}"
    );
    let located: Vec<(&str, u64)> = coverage["located_only"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["resource_type"].as_str().unwrap(),
                t["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(located, [("AWS::MSK::Cluster", 2)], "{coverage}");
    let not_looked: Vec<(&str, &str, &str)> = coverage["not_looked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["account"].as_str().unwrap(),
                n["region"].as_str().unwrap(),
                n["reason"].as_str().unwrap().split(':').next().unwrap(),
            )
        })
        .collect();
    assert!(
        not_looked.contains(&("111122223333", "us-east-1", "ConfigNotRecording")),
        "{not_looked:?}"
    );
    assert!(
        not_looked.contains(&("111122223333", "me-central-1", "region not read")),
        "{not_looked:?}"
    );
    assert!(
        !not_looked
            .iter()
            .any(|(a, r, _)| *a == "111122223333" && *r == "ap-southeast-2"),
        "the inventory looked at home: {not_looked:?}"
    );
    let claim = doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "am-data-in-region")
        .unwrap();
    assert_ne!(claim["status"], "supported");
    assert!(
        claim["missing"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("{} account-region(s)", not_looked.len()))),
        "{claim}"
    );
    let body = flat(&pages[..BODY_PAGES_MAX].concat());
    for said in [
        "Judged in detail",
        "AWS::MSK::Cluster, holds data (2 in apsoutheast2, euwest1)",
        "ConfigNotRecording: 111122223333 useast1",
        "statements about all data are not fully observed",
    ] {
        assert!(body.contains(said), "`{said}` not in the body: {body}");
    }
}

/// Every copy the registry's listers name in the sample (`Attributes::copies`) is in the
/// attestation, for every data store (issue 15: global-table replicas, cluster replicas,
/// replication destinations, secret replicas, snapshot copy, cross-cluster connections,
/// shared cluster snapshots and a public image among them), each with the verdict of the
/// residency rule that judged it, and none "yes" without one.
#[test]
fn every_copy_of_every_data_store_is_followed_with_its_rules_verdict() {
    use assay::snapshot::copies::{Form, KEY_REPLICA};
    let (doc, pages) = attest_sample("samples/air-maestro/profile.yaml");
    let copies = doc["copies"].as_array().unwrap();
    let snapshot = assay::snapshot::Snapshot::load(&root().join(SAMPLE)).unwrap();
    let mut followed = 0;
    for r in &snapshot.resources {
        for c in r.attributes.copies() {
            if c.form != Form::Copy || c.kind == KEY_REPLICA {
                continue;
            }
            let source = c
                .via
                .as_ref()
                .map_or(r.arn.clone(), |via| format!("{} / {via}", r.name));
            assert!(
                copies.iter().any(|d| d["kind"] == c.kind
                    && d["source"] == source.as_str()
                    && d["destination"] == c.destination.as_str()),
                "{} from {source} to {} is not in the attestation",
                c.kind,
                c.destination
            );
            followed += 1;
        }
    }
    assert!(followed >= 20, "{followed} copies");
    let verdict = |kind: &str, destination: &str| {
        copies
            .iter()
            .find(|c| c["kind"] == kind && c["destination"] == destination)
            .unwrap_or_else(|| panic!("no {kind} to {destination}"))["within_allowed_regions"]
            .clone()
    };
    // Air Maestro allows ap-southeast-2 only.
    for (kind, destination, within) in [
        ("DynamoDB replica", "us-east-1", false),
        ("EFS replication", "eu-west-1", false),
        ("ECR replication", "ap-southeast-4", false),
        ("OpenSearch connection", "ap-southeast-4", false),
        ("RDS cluster replica", "ap-southeast-4", false),
        ("RDS cluster replica", "ap-southeast-2", true),
        ("Redshift snapshot copy", "ap-southeast-4", false),
        ("Secrets Manager replica", "us-east-1", false),
    ] {
        assert_eq!(
            verdict(kind, destination),
            within,
            "{kind} to {destination}"
        );
    }
    // Grants have no region and no verdict, and are exceptions in the body.
    for (kind, destination) in [
        ("AMI shared", "everyone (public)"),
        ("RDS cluster snapshot shared", "everyone (public)"),
        ("RDS cluster snapshot shared", "account 444455556666"),
    ] {
        assert_eq!(verdict(kind, destination), Value::Null, "{kind}");
    }
    // The body: a row per kind, each place with its count and verdict (pdftotext gives
    // a table column by column, so each cell is looked for alone).
    let body = flat(&pages[..BODY_PAGES_MAX].concat());
    for said in [
        "DynamoDB replica",
        "Redshift snapshot copy",
        "111122223333 euwest1 (1, NO)",
        "AMI shared",
        "1 image(s) in useast1",
    ] {
        assert!(body.contains(said), "`{said}` not in the body: {body}");
    }
}
