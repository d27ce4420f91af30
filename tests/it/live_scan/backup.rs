//! AWS Backup: recovery points and plan schedules.

use super::*;

#[test]
fn backup_recovery_points_from_recorded_responses() {
    let f = full();
    let points = resources(&f.snapshot, "aws_backup_recovery_point");
    assert_eq!(points.len(), 3, "{points:#?}");
    let recorded = recorded::recovery_points(&f.seed);
    let by_arn = |i: usize| {
        resource(
            &f.snapshot,
            recorded[i]["RecoveryPointArn"].as_str().unwrap(),
        )
    };
    let rds = by_arn(0);
    assert_eq!(rds["vault_name"], "main");
    assert_eq!(rds["region"], HOME);
    assert_eq!(
        rds["source_resource_arn"],
        seed_str(&f.seed, "db_encrypted")
    );
    assert_eq!(rds["source_resource_type"], "RDS");
    assert_eq!(rds["status"], "COMPLETED");
    assert_eq!(
        rds["encryption"],
        serde_json::json!({"enabled": true, "algorithm": "aws:kms", "kms_key_arn": seed_str(&f.seed, "cmk")})
    );
    assert_eq!(
        (
            rds["delete_after_days"].as_i64(),
            rds["cold_storage_after_days"].as_i64()
        ),
        (Some(42), None)
    );
    assert_eq!(
        rds["frequency"], "daily",
        "labelled with the class of the plan rule that made it"
    );
    assert_eq!(rds["copied_from_account"], Value::Null);
    let created = chrono::DateTime::parse_from_rfc3339(rds["created"].as_str().unwrap())
        .expect("created is RFC 3339");
    let age = chrono::Utc::now().signed_duration_since(created);
    assert!(
        age > chrono::Duration::hours(2) && age < chrono::Duration::hours(4),
        "created {created}"
    );
    assert_eq!(
        rds["provenance"]["resource"]["operation"],
        "backup:ListRecoveryPointsByBackupVault"
    );
    let ebs = by_arn(1);
    assert_eq!(
        (
            ebs["source_resource_type"].as_str(),
            ebs["frequency"].as_str(),
            ebs["encryption"]["enabled"].as_bool()
        ),
        (Some("EBS"), Some("hourly"), Some(false))
    );
    let copy = by_arn(2);
    assert_eq!(
        (
            copy["copied_from_account"].as_str(),
            copy["frequency"].clone(),
            copy["cold_storage_after_days"].as_i64()
        ),
        (Some("999900000001"), Value::Null, Some(30))
    );
    assert_eq!(
        resource(&f.snapshot, seed_str(&f.seed, "vault_us"))["recovery_points"],
        0
    );
}

/// Aeronet's "six daily (Sunday - Friday)" is the plan's daily tier: the daily retention
/// rule judges it (14 days < 42) instead of calling the plan weekly and NOT_APPLICABLE.
#[test]
fn a_six_day_backup_schedule_is_daily_in_a_live_scan() {
    let seed = fidelity();
    let (_, snapshot, findings, _dir) = fidelity_scan(Vec::new(), &[]);
    let plan = resource(&snapshot, seed_str(seed, "plan"));
    assert_eq!(
        plan["rules"][0]["schedule_expression"],
        "cron(0 18 ? * SUN-FRI *)"
    );
    assert_eq!(plan["rules"][0]["frequency"], "daily");
    assert_eq!(plan["rules"][0]["runs_per_day"], 1);
    expect(
        &findings,
        "backup.plan-daily-retention",
        seed_str(seed, "plan"),
        "FAIL",
    );
}
