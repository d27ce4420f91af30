//! Live-scan fidelity (the scan reads what AWS means, not what the emulator happens to
//! say): backup schedules classed by how often they run, for plans and scans alike.
//! The emulator cases are in `live_scan/`.

use assay::plan::{self, PlanOptions};
use assay::snapshot::Attributes;
use serde_json::Value as Json;

use crate::root;

/// Aeronet's "Six daily (Sunday - Friday)" as a Terraform plan: the rule is the plan's
/// daily tier, so the daily, weekly and monthly retention rules apply to it.
#[test]
fn a_six_day_schedule_in_a_plan_is_daily() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/plans/gate/plan.json"))
        .expect("the gate plan");
    let mut doc: Json = serde_json::from_str(&text).expect("JSON");
    let mut rewritten = 0;
    let mut rewrite = |values: &mut Json| {
        for rule in values["rule"].as_array_mut().into_iter().flatten() {
            if rule["schedule"] == "cron(0 14 * * ? *)" {
                rule["schedule"] = Json::from("cron(0 18 ? * SUN-FRI *)");
                rewritten += 1;
            }
        }
    };
    for rc in doc["resource_changes"].as_array_mut().expect("changes") {
        if rc["address"] == "aws_backup_plan.main" {
            rewrite(&mut rc["change"]["after"]);
        }
    }
    for r in doc["planned_values"]["root_module"]["resources"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if r["address"] == "aws_backup_plan.main" {
            rewrite(&mut r["values"]);
        }
    }
    assert!(rewritten > 0, "the gate plan has a daily rule to rewrite");
    let options = PlanOptions {
        account: Some("111122223333".into()),
        now: None,
    };
    let planned = plan::from_json(&doc.to_string(), "plan.json", &options).expect("plan");
    let Attributes::BackupPlan(backup) = &planned
        .snapshot
        .resources
        .iter()
        .find(|r| r.arn == "terraform:aws_backup_plan.main")
        .expect("the plan's backup plan")
        .attributes
    else {
        panic!("a backup plan")
    };
    let six_daily = backup
        .rules
        .iter()
        .find(|r| r.schedule_expression.as_deref() == Some("cron(0 18 ? * SUN-FRI *)"))
        .expect("the rewritten rule");
    assert_eq!(
        (six_daily.frequency.as_str(), six_daily.runs_per_day),
        ("daily", 1)
    );
}

/// Audits the bundled sample with `profile` (JSON and HTML); returns (exit code,
/// findings.json, stderr, report.html).
fn audit_sample(profile: &std::path::Path) -> (i32, Json, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = crate::assay(&[
        "audit",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        profile.to_str().unwrap(),
        "--waivers",
        "samples/waivers.yaml",
        "--format",
        "json,html",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let findings = std::fs::read_to_string(out.join("findings.json"))
        .unwrap_or_else(|e| panic!("no findings.json ({e}): {stderr}"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap_or_default();
    (code, serde_json::from_str(&findings).unwrap(), stderr, html)
}

#[test]
fn the_sample_audits_select_something_with_every_selector() {
    for profile in [
        "samples/air-maestro/profile.yaml",
        "samples/aeronet/profile.yaml",
    ] {
        let (_, findings, stderr, html) = audit_sample(&root().join(profile));
        assert!(!stderr.contains("matched no"), "{profile}: {stderr}");
        assert!(
            !html.contains("Profile values that matched nothing"),
            "{profile}"
        );
        assert!(findings.get("unmatched_selectors").is_none(), "{profile}");
    }
}

/// A tag key the estate does not use hides the backup bucket's retention failure behind
/// NOT_APPLICABLE: the audit says so on stderr, in the findings document's scope and in
/// each NOT_APPLICABLE finding of the rule.
#[test]
fn a_wrong_backup_tag_key_is_a_warning_not_silence() {
    let text = std::fs::read_to_string(root().join("samples/air-maestro/profile.yaml")).unwrap();
    assert!(text.contains("backup_tag_key: purpose\n"));
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.yaml");
    std::fs::write(
        &profile,
        text.replace(
            "backup_tag_key: purpose\n",
            "backup_tag_key: backup-purpose\n",
        ),
    )
    .unwrap();
    let (_, findings, stderr, html) = audit_sample(&profile);
    let message = "backup_tag_key backup-purpose=backup matched no s3 bucket";
    let scope = &html[html
        .find("<section id=\"scope\">")
        .expect("the scope section")..];
    let scope = &scope[..scope.find("</section>").unwrap()];
    assert!(
        scope.contains("Profile values that matched nothing") && scope.contains(message),
        "{scope}"
    );
    assert!(
        stderr.contains(&format!(
            "warning: {message} (read by backup.s3-backup-bucket-retention, backup.s3-backup-kept-days; check the profile)"
        )),
        "{stderr}"
    );
    assert_eq!(
        findings["unmatched_selectors"][0]["message"], message,
        "{}",
        findings["unmatched_selectors"]
    );
    let not_applicable: Vec<&Json> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "backup.s3-backup-bucket-retention")
        .collect();
    assert!(!not_applicable.is_empty());
    for f in not_applicable {
        assert_eq!(f["status"], "NOT_APPLICABLE");
        assert!(
            f["summary"]
                .as_str()
                .unwrap()
                .ends_with(&format!("({message})")),
            "{}",
            f["summary"]
        );
    }
}

/// The gate on a snapshot says so too: on stderr, in summary.md and in gate.json (before,
/// only its findings.json recorded the miss).
#[test]
fn the_gate_says_when_a_profile_value_matches_nothing() {
    let text = std::fs::read_to_string(root().join("samples/air-maestro/profile.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.yaml");
    std::fs::write(
        &profile,
        text.replace(
            "backup_tag_key: purpose\n",
            "backup_tag_key: backup-purpose\n",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (_, _, stderr) = crate::assay(&[
        "gate",
        "--snapshot",
        "samples/aws-sample/snapshot.json",
        "--profile",
        profile.to_str().unwrap(),
        "--waivers",
        "samples/waivers.yaml",
        "--format",
        "markdown,json",
        "--now",
        "2026-12-04T00:00:00Z",
        "--out",
        out.to_str().unwrap(),
    ]);
    let message = "backup_tag_key backup-purpose=backup matched no s3 bucket";
    assert!(stderr.contains(message), "{stderr}");
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains(message), "{summary}");
    let gate = std::fs::read_to_string(out.join("gate.json")).unwrap();
    assert!(gate.contains(message), "{gate}");
}
