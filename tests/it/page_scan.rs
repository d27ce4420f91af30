//! Every page of the sample documents, scanned with the layout engine's own record of what
//! it placed (issue 19, item 6): no heading or table header row is the last thing on a
//! page, and no identifier is broken inside a token (only after `-`, `:`, `/`, `.` or
//! `_`, unless a token is wider than its column). The packs of both sample profiles, every
//! framework, and the attestation of each.

use std::path::Path;

use assay::attest::view::View;
use assay::typeset::layout::LayoutFault;

use crate::{assay, root};

const SAMPLE: &str = "samples/aws-sample/snapshot.json";
const PROFILES: [&str; 2] = [
    "samples/air-maestro/profile.yaml",
    "samples/aeronet/profile.yaml",
];

fn report(profile: &str) -> assay::report::Report {
    let mut sources = assay::diag::Sources::default();
    let (pack, _) = assay::rules::load::load_pack(&root().join("rules"), &mut sources);
    let pack = pack.expect("rule pack loads");
    let (profile, _) = assay::profile::load(&root().join(profile), &pack, &mut sources);
    let profile = profile.expect("profile loads");
    let (waivers, _) =
        assay::waivers::load(&root().join("samples/waivers.yaml"), &pack, &mut sources);
    let snapshot = assay::snapshot::Snapshot::load(&root().join(SAMPLE)).unwrap();
    let rules: Vec<&assay::rules::Rule> = pack
        .rules
        .iter()
        .filter(|r| profile.rules.selects(&r.id))
        .collect();
    let now: chrono::DateTime<chrono::Utc> = "2026-12-04T00:00:00Z".parse().unwrap();
    let mut findings =
        assay::evaluate::evaluate(&snapshot, &rules, &profile.params, &profile.attestations);
    let register = assay::waivers::apply(&mut findings, &waivers.unwrap(), now.date_naive());
    assay::report::Report::build(findings, &snapshot, SAMPLE, &pack, &profile, register, now)
}

fn listed(faults: &[LayoutFault]) -> String {
    faults
        .iter()
        .map(|f| format!("  {f}\n"))
        .collect::<String>()
}

#[test]
fn no_page_of_a_sample_pack_ends_on_a_header_or_breaks_an_identifier_mid_token() {
    let mut failures = String::new();
    let mut packs = 0;
    for profile in PROFILES {
        let report = report(profile);
        for pack in assay::report::pdf::render(&report).unwrap() {
            packs += 1;
            assert!(
                pack.pages > 10,
                "{} has {} pages",
                pack.file_name,
                pack.pages
            );
            if !pack.layout_faults.is_empty() {
                failures += &format!(
                    "{profile} {} (body pages, without the contents):\n{}",
                    pack.file_name,
                    listed(&pack.layout_faults)
                );
            }
        }
    }
    assert!(packs >= 4, "{packs} packs");
    assert!(failures.is_empty(), "{failures}");
}

/// Attests the sample for `profile` with the binary (signed, so the signature block is
/// laid out too) and renders the signed document again in-process with its layout record.
fn attestation_faults(profile: &str, dir: &Path) -> Vec<LayoutFault> {
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let prefix = dir.join("vendor");
    assert_eq!(assay(&["keygen", "-o", &s(&prefix)]).0, 0);
    let out = dir.join("out");
    let (code, stdout, err) = assay(&[
        "attest",
        "--snapshot",
        SAMPLE,
        "--profile",
        profile,
        "--waivers",
        "samples/waivers.yaml",
        "--customer",
        "Example Airline Pty Ltd",
        "--sign",
        &s(&prefix.with_extension("key")),
        "--now",
        "2026-12-04T00:00:00Z",
        "--out",
        &s(&out),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    let text = std::fs::read_to_string(out.join("attestation.json")).unwrap();
    let signed = text.strip_suffix('\n').unwrap_or(&text);
    let attestation: assay::attest::Attestation = serde_json::from_str(signed).unwrap();
    let signature = std::fs::read_to_string(out.join("attestation.sig")).unwrap();
    let view = View::new(&attestation, signed, Some(signature.trim()));
    let renderer = assay::attest::render::Renderer::new(None).unwrap();
    let (bytes, faults) = renderer.pdf_checked(&view).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(out.join("attestation.pdf")).unwrap(),
        "the document scanned is the one written"
    );
    faults
}

#[test]
fn no_page_of_a_sample_attestation_ends_on_a_header_or_breaks_an_identifier_mid_token() {
    let mut failures = String::new();
    for profile in PROFILES {
        let dir = tempfile::tempdir().unwrap();
        let faults = attestation_faults(profile, dir.path());
        if !faults.is_empty() {
            failures += &format!("attestation for {profile}:\n{}", listed(&faults));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
