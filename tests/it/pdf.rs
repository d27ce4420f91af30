//! The PDF evidence packs, parsed back: pages, sections, outline, metadata, key evidence
//! text, Unicode, determinism, and the `--format pdf` CLI path.
//!
//! The packs are read with lopdf (already in the dependency tree through printpdf), so the
//! tests need no external tool. The bundled sample (947 findings, ~70 pages per pack) is
//! the fixture: small enough for the unoptimised test build.

use std::collections::BTreeMap;

use assay::findings::Status;
use assay::report::Report;
use assay::report::pdf::{Pack, render};

use crate::{assay, root};

fn sample_report() -> Report {
    let mut sources = assay::diag::Sources::default();
    let (pack, _) = assay::rules::load::load_pack(&root().join("rules"), &mut sources);
    let pack = pack.expect("rule pack loads");
    let (profile, _) = assay::profile::load(
        &root().join("samples/air-maestro/profile.yaml"),
        &pack,
        &mut sources,
    );
    let profile = profile.expect("profile loads");
    let (waivers, _) =
        assay::waivers::load(&root().join("samples/waivers.yaml"), &pack, &mut sources);
    let snapshot =
        assay::snapshot::Snapshot::load(&root().join("samples/aws-sample/snapshot.json")).unwrap();
    let rules: Vec<&assay::rules::Rule> = pack
        .rules
        .iter()
        .filter(|r| profile.rules.selects(&r.id))
        .collect();
    let now: chrono::DateTime<chrono::Utc> = "2026-12-04T09:00:00Z".parse().unwrap();
    let mut findings =
        assay::evaluate::evaluate(&snapshot, &rules, &profile.params, &profile.attestations);
    let register = assay::waivers::apply(&mut findings, &waivers.unwrap(), now.date_naive());
    Report::build(
        findings,
        &snapshot,
        "samples/aws-sample/snapshot.json",
        &pack,
        &profile,
        register,
        now,
    )
}

/// A pack parsed back: text per page, outline titles with depth, info dictionary.
struct Parsed {
    pages: Vec<String>,
    outline: Vec<(usize, String)>,
    info: BTreeMap<String, String>,
    fonts: Vec<String>,
}

fn pdf_string(obj: &lopdf::Object) -> String {
    match obj {
        lopdf::Object::String(bytes, _) => {
            if bytes.starts_with(&[0xFE, 0xFF]) {
                let units: Vec<u16> = bytes[2..]
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                String::from_utf16_lossy(&units)
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            }
        }
        other => format!("{other:?}"),
    }
}

fn parse(pack: &Pack) -> Parsed {
    let doc = lopdf::Document::load_mem(&pack.bytes).expect("the pack parses as PDF");
    let page_numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    let pages = page_numbers
        .iter()
        .map(|n| doc.extract_text(&[*n]).expect("text extracts"))
        .collect();

    let mut outline = Vec::new();
    let root = doc
        .catalog()
        .unwrap()
        .get(b"Outlines")
        .and_then(lopdf::Object::as_reference)
        .expect("the catalog has an outline");
    fn walk(
        doc: &lopdf::Document,
        first: Option<lopdf::ObjectId>,
        depth: usize,
        out: &mut Vec<(usize, String)>,
    ) {
        let mut next = first;
        while let Some(id) = next {
            let item = doc.get_dictionary(id).unwrap();
            out.push((depth, pdf_string(item.get(b"Title").unwrap())));
            let kid = item
                .get(b"First")
                .and_then(lopdf::Object::as_reference)
                .ok();
            walk(doc, kid, depth + 1, out);
            next = item.get(b"Next").and_then(lopdf::Object::as_reference).ok();
        }
    }
    let first = doc
        .get_dictionary(root)
        .unwrap()
        .get(b"First")
        .and_then(lopdf::Object::as_reference)
        .ok();
    walk(&doc, first, 0, &mut outline);

    let info_id = doc
        .trailer
        .get(b"Info")
        .and_then(lopdf::Object::as_reference)
        .unwrap();
    let info = doc
        .get_dictionary(info_id)
        .unwrap()
        .iter()
        .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), pdf_string(v)))
        .collect();
    let fonts = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(lopdf::Object::as_name).ok() == Some(b"Font"))
        .filter_map(|d| d.get(b"BaseFont").and_then(lopdf::Object::as_name).ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    Parsed {
        pages,
        outline,
        info,
        fonts,
    }
}

/// Text with line breaks and repeated spaces collapsed (extraction order is by drawing).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_sample_packs_read_back_as_evidence_documents() {
    let report = sample_report();
    let packs = render(&report).expect("packs render");
    let names: Vec<&str> = packs.iter().map(|p| p.file_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "report-gdpr.pdf",
            "report-iso27001-2013.pdf",
            "report-iso27001-2022.pdf"
        ]
    );
    let pack = packs
        .iter()
        .find(|p| p.framework == "iso27001-2022")
        .unwrap();
    let parsed = parse(pack);
    let n = parsed.pages.len();
    assert_eq!(n, pack.pages);
    assert!(n > 30, "a full pack, not a stub: {n} pages");

    // Cover: organisation, framework, evidence wording, report id; never "compliant".
    let cover = flat(&parsed.pages[0]);
    let collected = report
        .snapshot
        .collected_at
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string();
    for needle in [
        "Evidence pack",
        "ISO/IEC 27001:2022 Annex A",
        "Air Maestro (sample)",
        "evidence supporting the controls",
        collected.as_str(),
        &report.id(),
        &report.snapshot.manifest_digest,
        "page 1 of",
    ] {
        assert!(cover.contains(needle), "cover lacks {needle:?}: {cover}");
    }
    assert!(
        !cover.to_lowercase().contains("compliant"),
        "the cover says compliant"
    );
    // Rule data may use the word (an assertion is named `compliant-trail`); our wording
    // never claims compliance.
    let all = flat(&parsed.pages.join("\n"));
    for claim in ["compliant with", "is compliant", "are compliant"] {
        assert!(
            !all.to_lowercase().contains(claim),
            "the pack says {claim:?}"
        );
    }

    // Every page has the header and the footer with "page X of N".
    for (i, page) in parsed.pages.iter().enumerate() {
        let page = flat(page);
        assert!(
            page.contains(&format!("page {} of {n}", i + 1)),
            "page {}",
            i + 1
        );
        assert!(page.contains(&format!(
            "snapshot {}",
            &report.snapshot.manifest_digest[..16]
        )));
    }

    // Sections, in order.
    let sections = [
        "Contents",
        "1 Scope and method",
        "2 Summary",
        "3 Controls with automated evidence",
        "4 Controls needing manual evidence",
        "5 Gaps: data not read",
        "6 Waiver register",
        "7 Attestations",
        "Appendix A Rule catalogue",
    ];
    let mut at = 0;
    for s in sections {
        let found = all[at..]
            .find(s)
            .unwrap_or_else(|| panic!("section {s:?} missing or out of order"));
        at += found;
    }
    assert!(all.contains("GAP (not read)"), "the chart legend");
    assert!(all.contains("Findings by control family"));

    // Outline: sections at the top, families under section 3, controls under families.
    let top: Vec<&str> = parsed
        .outline
        .iter()
        .filter(|(d, _)| *d == 0)
        .map(|(_, t)| t.as_str())
        .collect();
    for s in sections {
        assert!(top.contains(&s), "outline lacks {s:?}: {top:?}");
    }
    assert!(
        parsed
            .outline
            .contains(&(1, "A.8 Technological controls".to_string()))
    );
    assert!(
        parsed
            .outline
            .contains(&(2, "A.8.24 Use of cryptography".to_string()))
    );

    // Metadata.
    assert_eq!(
        parsed.info["Title"],
        "Evidence pack: ISO/IEC 27001:2022 Annex A — Air Maestro (sample)"
    );
    assert_eq!(parsed.info["Author"], "assay");
    assert_eq!(parsed.info["CreationDate"], "D:20261204090000Z");
    assert!(parsed.info["Keywords"].contains("iso27001-2022"));

    // A known FAIL finding in full: its ARN, the failing value and the API call.
    let fail = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.controls.contains_key("iso27001-2022"))
        .filter(|f| f.resource.is_some() && !f.sources.is_empty())
        .min_by_key(|f| f.resource.as_ref().map(|r| r.arn.len()))
        .unwrap();
    let arn = &fail.resource.as_ref().unwrap().arn;
    assert!(all.contains(arn.as_str()), "FAIL ARN {arn} missing");
    assert!(
        all.contains(&fail.sources[0].operation),
        "operation missing"
    );
    if let Some(req) = &fail.sources[0].request_id {
        assert!(all.contains(req.as_str()), "request id {req} missing");
    }
    assert!(all.contains(&format!("finding {}", fail.id)));

    // The expired waiver and the unused one are in the register; the gap is listed.
    assert!(all.contains("EXPIRED"));
    assert!(all.contains("UNUSED"));
    assert!(all.contains(&crate::sample_gap("backup:ListRecoveryPointsByBackupVault")));
    assert!(
        all.contains("more PASS findings of this rule"),
        "PASS evidence is sampled"
    );

    // Fonts are embedded (subset to what the pack uses).
    assert!(
        parsed.fonts.iter().any(|f| f.contains("NotoSans")),
        "{:?}",
        parsed.fonts
    );
}

#[test]
fn identical_input_gives_identical_bytes() {
    let report = sample_report();
    let fw = &report.frameworks[0];
    let a = assay::report::pdf::render_framework(&report, fw).unwrap();
    let b = assay::report::pdf::render_framework(&report, fw).unwrap();
    assert!(
        a.bytes == b.bytes,
        "the same report renders to different bytes"
    );
}

#[test]
fn names_and_tags_in_any_script_are_drawn() {
    let mut report = sample_report();
    report.profile.organisation = "Bergbahn Zürich 東京 AG".into();
    let f = report
        .findings
        .iter_mut()
        .find(|f| {
            f.status == Status::Fail && f.controls.contains_key("gdpr") && f.resource.is_some()
        })
        .unwrap();
    if let Some(r) = f.resource.as_mut() {
        r.name = "backups-Zürich-東京".into();
    }
    let gdpr = report.frameworks.iter().find(|f| f.id == "gdpr").unwrap();
    let pack = assay::report::pdf::render_framework(&report, gdpr).unwrap();
    let parsed = parse(&pack);
    let all = flat(&parsed.pages.join("\n"));
    assert!(all.contains("Zürich"), "Latin-1 name");
    assert!(
        all.contains("東京"),
        "CJK name drawn from the fallback font"
    );
    assert!(all.contains("backups-Zürich-"), "resource name");
    assert!(
        parsed.fonts.iter().any(|f| f.contains("DroidSansFallback")),
        "{:?}",
        parsed.fonts
    );
    assert!(parsed.info["Title"].contains("Zürich 東京"));
}

#[test]
fn audit_writes_one_pdf_per_framework() {
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = assay(&[
        "audit",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--waivers",
        "samples/waivers.yaml",
        "--format",
        "json,pdf",
        "--out",
        out.path().to_str().unwrap(),
        "--now",
        "2026-12-04T09:00:00Z",
        "--quiet",
    ]);
    assert_eq!(code, 1, "the sample has failures: {stdout}{stderr}");
    for fw in ["gdpr", "iso27001-2013", "iso27001-2022"] {
        let bytes = std::fs::read(out.path().join(format!("report-{fw}.pdf")))
            .unwrap_or_else(|e| panic!("report-{fw}.pdf: {e}"));
        assert!(bytes.starts_with(b"%PDF-1.7"));
    }
    assert!(out.path().join("findings.json").exists());

    // `assay report` renders the same packs from the saved findings, byte for byte.
    let again = tempfile::tempdir().unwrap();
    let findings = out.path().join("findings.json");
    let (code, stdout, stderr) = assay(&[
        "report",
        "--findings",
        findings.to_str().unwrap(),
        "--format",
        "pdf",
        "--out",
        again.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    for fw in ["gdpr", "iso27001-2013", "iso27001-2022"] {
        let name = format!("report-{fw}.pdf");
        let first = std::fs::read(out.path().join(&name)).unwrap();
        let second = std::fs::read(again.path().join(&name)).unwrap();
        assert!(
            first == second,
            "{name} differs when re-rendered from findings.json"
        );
    }
    let (code, _, stderr) = assay(&[
        "audit",
        "--snapshot",
        "x",
        "--profile",
        "y",
        "--format",
        "docx",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown format `docx`"), "{stderr}");
}
