//! Live-scan fidelity (the scan reads what AWS means, not what the emulator happens to
//! say): backup schedules classed by how often they run, for plans and scans alike.
//! The emulator cases are in `live_scan.rs`.

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
