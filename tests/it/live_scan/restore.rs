//! AWS Backup restore evidence: restore testing plans and restore jobs (moto implements
//! neither: recorded answers in AWS's wire format, `recorded::restore_holes`), and what a
//! denied listing leaves.

use super::*;

/// The region the restores and recovery points are in: the rule judges region by region.
fn home_region_arn() -> String {
    format!("arn:aws:ec2:{HOME}:{FULL_ACCOUNT}:region/{HOME}")
}

#[test]
fn restore_testing_plans_and_jobs_are_read_with_their_durations() {
    let s = &full().snapshot;
    let plans = resources(s, "aws_backup_restore_testing_plan");
    assert_eq!(plans.len(), 1, "{plans:#?}");
    let plan = plans[0];
    assert_eq!(plan["name"], "monthly_restore");
    assert_eq!(plan["region"], HOME);
    assert_eq!(plan["schedule_expression"], "cron(0 2 ? * SUN#1 *)");
    assert_eq!(plan["schedule_timezone"], "Australia/Sydney");
    assert_eq!(plan["selection_algorithm"], "LATEST_WITHIN_WINDOW");
    assert_eq!(
        plan["recovery_point_types"],
        serde_json::json!(["SNAPSHOT"])
    );
    assert_eq!(plan["selection_window_days"], 7);
    assert_eq!(
        plan["provenance"]["selection_algorithm"]["operation"],
        "backup:GetRestoreTestingPlan"
    );
    let jobs = resources(s, "aws_backup_restore_job");
    assert_eq!(jobs.len(), 2, "{jobs:#?}");
    let rds = jobs.iter().find(|j| j["resource_type"] == "RDS").unwrap();
    assert_eq!(rds["status"], "COMPLETED");
    assert_eq!(rds["duration_minutes"], 160);
    assert_eq!(rds["validation_status"], "SUCCESSFUL");
    assert_eq!(rds["restore_testing_plan_arn"], plan["arn"]);
    assert_eq!(
        rds["arn"],
        format!(
            "arn:aws:backup:{HOME}:{FULL_ACCOUNT}:restore-job:7e1c2d3b-0a9f-4b8e-9c7d-6e5f4a3b2c1d"
        )
    );
    let ebs = jobs.iter().find(|j| j["resource_type"] == "EBS").unwrap();
    assert_eq!(ebs["status"], "FAILED");
    assert_eq!(ebs["status_message"], "The snapshot is not available");
}

#[test]
fn a_completed_restore_test_within_the_promised_time_passes() {
    let findings = &full().findings;
    assert_eq!(
        status(
            findings,
            "backup.restore-test-completed",
            &home_region_arn()
        ),
        "PASS"
    );
}

#[test]
fn a_region_without_backups_or_restores_is_not_judged() {
    let findings = &full().findings;
    assert_eq!(
        status(
            findings,
            "backup.restore-test-completed",
            &format!("arn:aws:ec2:{OTHER}:{FULL_ACCOUNT}:region/{OTHER}")
        ),
        "NOT_APPLICABLE"
    );
}

#[test]
fn denied_restore_jobs_are_a_gap_never_a_pass() {
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![on(&["backup:ListRestoreJobs"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    let listing: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["operation"] == "backup:ListRestoreJobs")
        .collect();
    assert_eq!(listing.len(), 2, "one per region: {listing:#?}");
    assert!(
        listing
            .iter()
            .all(|g| g["resource_types"] == serde_json::json!(["aws_backup_restore_job"]))
    );
    assert_eq!(
        status(
            &findings,
            "backup.restore-test-completed",
            &home_region_arn()
        ),
        "GAP"
    );
}
