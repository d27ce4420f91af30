//! Who collected the evidence and from where, on every document: the bundled sample is a
//! real scan of the AWS emulator, so each of its documents must name the principal and
//! say, in red, that the endpoint is not AWS's own.

use serde_json::Value;

use crate::assay;
use crate::attestation::pdf_text;

/// The emulator endpoint the sample was scanned through (a free port, new at every
/// `samples/regenerate.sh`), as its snapshot records it.
fn endpoint() -> String {
    let text = std::fs::read_to_string(crate::root().join("samples/aws-sample/snapshot.json"))
        .expect("the sample snapshot");
    let snapshot: Value = serde_json::from_str(&text).expect("JSON");
    snapshot["origin"]["endpoint_url"]
        .as_str()
        .expect("the sample names its endpoint")
        .to_string()
}
const PRINCIPAL: &str = "arn:aws:sts::123456789012:user/moto";

#[test]
fn every_report_of_an_emulator_scan_says_it_was_not_read_from_aws() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let (code, stdout, stderr) = assay(&[
        "audit",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--waivers",
        "samples/waivers.yaml",
        "--format",
        "json,html,pdf",
        "--out",
        out.to_str().unwrap(),
        "--now",
        "2026-12-04T00:00:00Z",
        "--quiet",
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("findings.json")).unwrap()).unwrap();
    let collection = &doc["snapshot"]["collection"];
    assert_eq!(collection["endpoint_kind"], "other");
    let endpoint = endpoint();
    assert_eq!(collection["endpoint_url"], endpoint.as_str());
    assert_eq!(collection["principal_arn"], PRINCIPAL);

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
    assert!(
        header.contains("class=\"not-aws-banner\""),
        "the banner is in the header"
    );
    assert!(header.contains(PRINCIPAL) && header.contains(&endpoint));

    for framework in ["iso27001-2022", "iso27001-2013", "gdpr"] {
        let pages = pdf_text(&out.join(format!("report-{framework}.pdf")));
        let cover = pages[0].replace('\n', " ");
        assert!(cover.contains("NOT READ FROM AWS"), "{framework}: cover");
        assert!(
            cover.contains("NOT AN AWS ENDPOINT"),
            "{framework}: endpoint row"
        );
        assert!(cover.contains(PRINCIPAL), "{framework}: principal");
        for digest in [
            doc["rule_pack"]["digest"].as_str().unwrap(),
            doc["profile"]["sha256"].as_str().unwrap(),
            doc["snapshot"]["manifest_digest"].as_str().unwrap(),
        ] {
            assert!(
                cover.contains(digest),
                "{framework}: digest {digest} on the cover"
            );
        }
    }
}

#[test]
fn the_attestation_of_an_emulator_scan_says_it_was_not_read_from_aws() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let (code, stdout, stderr) = assay(&[
        "attest",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--now",
        "2026-12-04T00:00:00Z",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("attestation.json")).unwrap())
            .unwrap();
    assert_eq!(json["evidence"]["collection"]["endpoint_kind"], "other");
    let first = pdf_text(&out.join("attestation.pdf"))[0].replace('\n', " ");
    assert!(
        first.contains(&format!("NOT READ FROM AWS: read through {}", endpoint())),
        "{first}"
    );
    assert!(first.contains(PRINCIPAL));
    let html = std::fs::read_to_string(out.join("attestation.html")).unwrap();
    assert!(html.contains("NOT READ FROM AWS") && html.contains(PRINCIPAL));
}
