//! The backups of a database as they exist: the point-in-time window its automated
//! backups cover (`DescribeDBInstanceAutomatedBackups`' `RestoreWindow`, which moto does
//! not give: recorded), a recovery point's storage tier once due in cold storage
//! (`DescribeRecoveryPoint`, which moto does not implement: recorded), and what a denied
//! read of either leaves.

use super::*;

fn orders_db() -> String {
    format!("arn:aws:rds:{HOME}:{FULL_ACCOUNT}:db:orders-db")
}

#[test]
fn an_instances_restore_window_and_a_points_storage_tier_are_read() {
    let f = full();
    let mut rules = vec![recorded::instance_with_restore_window(FULL_ACCOUNT)];
    rules.extend(recorded::recovery_point_in_cold_storage(&f.seed));
    let (ran, snapshot, findings, proxy, _dir) = faulted_scan(rules, &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let db = resource(&snapshot, &orders_db());
    // The instance's own automated backups, not the retained ones of an earlier instance
    // of the same name (40 days back).
    let earliest = db["earliest_restorable_time"].as_str().expect("read");
    let days = (chrono::Utc::now()
        - chrono::DateTime::parse_from_rfc3339(earliest)
            .unwrap()
            .with_timezone(&chrono::Utc))
    .num_days();
    assert_eq!(days, 10, "{db:#}");
    assert!(db["latest_restorable_time"].is_string(), "{db:#}");
    assert!(db["created"].is_string(), "{db:#}");
    assert_eq!(
        db["provenance"]["earliest_restorable_time"]["operation"],
        "rds:DescribeDBInstanceAutomatedBackups"
    );
    expect(
        &findings,
        "backup.database-restore-window",
        &orders_db(),
        "PASS",
    );
    // One point is due in cold storage: only its tier is read.
    assert_eq!(proxy.count("backup:DescribeRecoveryPoint"), 1);
    let cold: Vec<&Value> = resources(&snapshot, "aws_backup_recovery_point")
        .into_iter()
        .filter(|p| p["storage_class"] == "COLD")
        .collect();
    assert_eq!(cold.len(), 1, "the point moved to cold storage");
    assert_eq!(
        cold[0]["provenance"]["storage_class"]["operation"],
        "backup:DescribeRecoveryPoint"
    );
    assert!(cold[0]["move_to_cold_storage_at"].is_string());
    assert!(cold[0]["delete_at"].is_string());
    assert!(cold[0]["backup_rule_id"].is_string());
    let fresh = resources(&snapshot, "aws_backup_recovery_point")
        .into_iter()
        .find(|p| p["source_resource_type"] == "RDS" && p["storage_class"].is_null())
        .expect("the fresh RDS point");
    assert!(
        fresh["unread"].as_array().is_none_or(|u| u.is_empty()),
        "a point not due in cold storage is not read, and not unread: {fresh:#}"
    );
}

#[test]
fn denied_restore_windows_and_storage_tiers_are_gaps_never_passes() {
    let f = full();
    let deny: Rule = Box::new(|r: &Request| {
        (r.operation == "rds:DescribeDBInstanceAutomatedBackups"
            || r.operation == "backup:DescribeRecoveryPoint")
            .then(|| denied(r))
    });
    let mut rules = vec![deny, recorded::instance_with_restore_window(FULL_ACCOUNT)];
    rules.extend(recorded::recovery_point_in_cold_storage(&f.seed));
    let (ran, snapshot, findings, _proxy, _dir) = faulted_scan(rules, &[]);
    assert_eq!(ran.code, 3, "a scan with gaps: {}", ran.stderr);
    let db = resource(&snapshot, &orders_db());
    assert_eq!(
        db["unread"][0]["group"], "earliest_restorable_time",
        "{db:#}"
    );
    assert!(db["earliest_restorable_time"].is_null());
    assert!(
        gaps(&snapshot).iter().any(
            |g| g["operation"] == "rds:DescribeDBInstanceAutomatedBackups"
                && g["error_code"] == "AccessDenied"
        ),
        "{:#?}",
        gaps(&snapshot)
    );
    expect(
        &findings,
        "backup.database-restore-window",
        &orders_db(),
        "GAP",
    );
    let unread: Vec<&Value> = resources(&snapshot, "aws_backup_recovery_point")
        .into_iter()
        .filter(|p| {
            p["unread"]
                .as_array()
                .is_some_and(|u| u.iter().any(|x| x["group"] == "storage_class"))
        })
        .collect();
    assert_eq!(unread.len(), 1, "the point due in cold storage");
}
