//! The data formats a security team or an auditor plugs in: OCSF and ASFF validated against
//! their published schemas (`tests/fixtures/schemas/README.md`), and the Statement of
//! Applicability CSV holding every control of every catalogue with the profile's
//! applicability.

use std::path::Path;

use serde_json::Value;

use crate::{assay, root};

/// Audits the bundled sample into `out` with `formats`.
fn audit_sample(out: &Path, formats: &str) {
    let (code, stdout, stderr) = assay(&[
        "audit",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--waivers",
        "samples/waivers.yaml",
        "--format",
        formats,
        "--out",
        out.to_str().unwrap(),
        "--now",
        "2026-12-04T00:00:00Z",
        "--quiet",
    ]);
    assert_eq!(
        code, 1,
        "the sample has FAILs\nstdout: {stdout}\nstderr: {stderr}"
    );
}

fn validator(file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/fixtures/schemas").join(file))
        .expect("the vendored schema");
    let schema: Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn findings(out: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(out.join("findings.json")).expect("findings.json");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    doc["findings"].as_array().cloned().expect("findings")
}

#[test]
fn ocsf_events_validate_against_the_compliance_finding_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    audit_sample(dir.path(), "json,ocsf");
    let validator = validator("ocsf-1.5.0-compliance_finding-cloud.json");
    let text = std::fs::read_to_string(dir.path().join("findings.ocsf.jsonl")).expect("ocsf");
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event per line"))
        .collect();
    let findings = findings(dir.path());
    assert_eq!(events.len(), findings.len(), "one event per finding");
    for event in &events {
        let errors = errors(&validator, event);
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            event["finding_info"]["uid"],
            errors.join("\n")
        );
    }
    // The outcome survives the mapping: a GAP is Unknown (never Pass), a WAIVED finding a
    // suppressed Fail, and every cited call keeps its response hash.
    for (event, finding) in events.iter().zip(&findings) {
        assert_eq!(event["finding_info"]["uid"], finding["id"]);
        assert_eq!(event["compliance"]["status_code"], finding["status"]);
        let expected = match finding["status"].as_str().unwrap() {
            "PASS" => 1,
            "FAIL" | "WAIVED" => 3,
            "NOT_APPLICABLE" => 99,
            _ => 0,
        };
        assert_eq!(
            event["compliance"]["status_id"], expected,
            "{}",
            finding["id"]
        );
        assert_eq!(
            event["status"],
            if finding["status"] == "WAIVED" {
                "Suppressed"
            } else {
                "New"
            }
        );
        let hashes: Vec<&Value> = finding["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| &s["response_sha256"])
            .collect();
        let cited: Vec<&Value> = event["evidences"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["data"]["response_sha256"])
            .collect();
        assert_eq!(cited, hashes, "{}", finding["id"]);
    }
    assert!(
        events
            .iter()
            .any(|e| e["compliance"]["status_code"] == "GAP"),
        "the sample has GAP findings to map"
    );
}

#[test]
fn asff_findings_validate_against_the_security_hub_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    audit_sample(dir.path(), "json,asff");
    let validator = validator("asff-AwsSecurityFinding-botocore-1.34.144.json");
    let text = std::fs::read_to_string(dir.path().join("findings.asff.json")).expect("asff");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let errors = errors(&validator, &doc);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let asff = doc["Findings"].as_array().expect("Findings");
    let findings = findings(dir.path());
    assert_eq!(asff.len(), findings.len(), "one ASFF finding per finding");
    for (a, f) in asff.iter().zip(&findings) {
        assert_eq!(a["ProductFields"]["assay/status"], f["status"]);
        let expected = match f["status"].as_str().unwrap() {
            "PASS" => "PASSED",
            "FAIL" | "WAIVED" => "FAILED",
            _ => "NOT_AVAILABLE",
        };
        assert_eq!(a["Compliance"]["Status"], expected, "{}", f["id"]);
        if let Some(first) = f["sources"].get(0) {
            assert_eq!(
                a["ProductFields"]["assay/source0/response_sha256"],
                first["response_sha256"]
            );
        }
        // Security Hub refuses an account id that is not 12 digits.
        let account = a["AwsAccountId"].as_str().unwrap();
        assert!(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    }
    assert!(
        asff.iter()
            .any(|a| a["Workflow"]["Status"] == "SUPPRESSED" && a["Note"]["Text"].is_string()),
        "the sample's active waiver suppresses a finding, with its note"
    );
}

/// A field the ASFF schema does not know is refused: the validation is not vacuous.
#[test]
fn the_asff_schema_refuses_what_security_hub_would() {
    let validator = validator("asff-AwsSecurityFinding-botocore-1.34.144.json");
    let bad: Value =
        serde_json::json!({ "Findings": [{ "SchemaVersion": "2018-10-08", "Id": "x" }] });
    assert!(
        !errors(&validator, &bad).is_empty(),
        "required attributes missing"
    );
    let ocsf = validator_ocsf_minimal_refusal();
    assert!(ocsf, "the OCSF schema refuses an event without class_uid");
}

fn validator_ocsf_minimal_refusal() -> bool {
    let validator = validator("ocsf-1.5.0-compliance_finding-cloud.json");
    let bad = serde_json::json!({ "activity_id": 1, "time": 0 });
    !errors(&validator, &bad).is_empty()
}

#[test]
fn the_statement_of_applicability_csv_lists_every_control_with_its_applicability() {
    let dir = tempfile::tempdir().expect("tempdir");
    audit_sample(dir.path(), "soa");
    let mut reader = csv::Reader::from_path(dir.path().join("soa.csv")).expect("soa.csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    // Every control of each catalogue the profile names, none dropped.
    for (framework, file) in [
        ("iso27001-2022", "iso27001-2022.yaml"),
        ("iso27001-2013", "iso27001-2013.yaml"),
        ("gdpr", "gdpr.yaml"),
    ] {
        let catalogue =
            std::fs::read_to_string(root().join("rules/frameworks").join(file)).unwrap();
        let controls = catalogue.matches("\n  - id: ").count()
            - catalogue
                .split("\ncontrols:")
                .next()
                .unwrap()
                .matches("\n  - id: ")
                .count();
        let listed = rows
            .iter()
            .filter(|r| &r[col("framework")] == framework)
            .count();
        assert_eq!(listed, controls, "{framework}: every control listed");
    }
    let row = |framework: &str, control: &str| {
        rows.iter()
            .find(|r| &r[col("framework")] == framework && &r[col("control")] == control)
            .unwrap_or_else(|| panic!("{framework} {control}"))
    };
    // Physical controls inherited from AWS, with the report that evidences them.
    let a71 = row("iso27001-2022", "A.7.1");
    assert_eq!(&a71[col("applicability")], "inherited");
    assert_eq!(&a71[col("provider")], "AWS");
    assert!(a71[col("reference")].contains("AWS Artifact"));
    assert!(a71[col("result")].starts_with("inherited"));
    // An exclusion carries its justification and is "not assessed", never a pass.
    let excluded = row("iso27001-2022", "A.8.30");
    assert_eq!(&excluded[col("applicability")], "excluded");
    assert!(!excluded[col("justification")].is_empty());
    assert_eq!(&excluded[col("result")], "not assessed: excluded");
    // A control the profile does not name is applicable, and said to be undeclared.
    let crypto = row("iso27001-2022", "A.8.24");
    assert_eq!(&crypto[col("applicability")], "applicable");
    assert_eq!(&crypto[col("declared")], "no");
    assert!(crypto[col("automated_rules")].contains("encryption.s3-bucket-kms-cmk"));
    assert!(crypto[col("fail")].parse::<usize>().unwrap() > 0);
    assert_eq!(
        &crypto[col("result")],
        "evidence, with exceptions to review"
    );
}

/// An auditor holding only the PDF or the CSV can check the chain: each cited call's
/// response SHA-256 is printed in the pack's evidence rows (in two halves of 32 hex
/// digits) and is the CSV's `response_sha256` column.
#[test]
fn response_hashes_are_in_the_pdf_evidence_rows_and_the_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    audit_sample(dir.path(), "json,csv,pdf");
    let findings = findings(dir.path());
    let failing = findings
        .iter()
        .find(|f| {
            f["status"] == "FAIL"
                && f["controls"]["iso27001-2022"].is_array()
                && f["sources"].get(0).is_some()
        })
        .expect("a FAIL finding of ISO 27001:2022 that cites a call");
    let pages = crate::attestation::pdf_text(&dir.path().join("report-iso27001-2022.pdf"));
    let text = pages.concat();
    for source in failing["sources"].as_array().unwrap() {
        let hash = source["response_sha256"].as_str().unwrap();
        assert!(
            text.contains(&format!("sha256 {}", &hash[..32])) && text.contains(&hash[32..]),
            "{}: {hash} not printed",
            failing["id"]
        );
    }
    let mut reader = csv::Reader::from_path(dir.path().join("findings.csv")).expect("csv");
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let id = header.iter().position(|h| h == "finding_id").unwrap();
    let hash = header
        .iter()
        .position(|h| h == "response_sha256")
        .expect("the column");
    assert_eq!(hash, header.len() - 1, "the last column");
    let by_id: std::collections::HashMap<String, &Value> = findings
        .iter()
        .map(|f| (f["id"].as_str().unwrap().to_string(), f))
        .collect();
    for row in reader.records().map(|r| r.unwrap()) {
        let f = by_id[&row[id]];
        // The cited source: the first whose group is not `resource`, else the first.
        let sources = f["sources"].as_array().cloned().unwrap_or_default();
        let cited = sources
            .iter()
            .find(|s| s["group"] != "resource")
            .or(sources.first());
        assert_eq!(
            &row[hash],
            cited.map_or("", |s| s["response_sha256"].as_str().unwrap()),
            "{}",
            &row[id]
        );
    }
}
