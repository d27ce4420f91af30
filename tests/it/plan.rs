//! Terraform plans as input: the same rule files give the same verdicts on a plan that
//! creates resources and on the account after apply; values known only after apply are
//! UNKNOWN, never PASS; malformed plans are named errors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assay::diag::Sources;
use assay::findings::{AssertionStatus, Finding, Status};
use assay::plan::{self, PlanOptions};
use assay::rules::RulePack;
use assay::snapshot::{self, AccountScope, Attributes, Origin, Snapshot, ToolInfo};
use serde_json::{Value as Json, json};

use crate::{assay, root, rules_dir};

pub fn plans() -> PathBuf {
    root().join("tests/fixtures/plans")
}

pub fn load_rules() -> (RulePack, assay::profile::Profile) {
    let mut sources = Sources::default();
    let (pack, diags) = assay::rules::load::load_pack(&rules_dir(), &mut sources);
    let pack = pack.unwrap_or_else(|| panic!("rules load: {}", diags.render_plain(&sources)));
    let (profile, diags) = assay::profile::load(&plans().join("profile.yaml"), &pack, &mut sources);
    let profile =
        profile.unwrap_or_else(|| panic!("profile loads: {}", diags.render_plain(&sources)));
    (pack, profile)
}

fn options() -> PlanOptions {
    PlanOptions {
        account: Some("111122223333".into()),
        now: None,
    }
}

/// The rules the profile selects that can be evaluated on a plan.
fn plan_rules<'p>(
    pack: &'p RulePack,
    profile: &assay::profile::Profile,
) -> Vec<&'p assay::rules::Rule> {
    pack.rules
        .iter()
        .filter(|r| {
            profile.rules.selects(&r.id) && assay::rules::on_plan::not_evaluable(r).is_none()
        })
        .collect()
}

/// Builds the "applied" snapshot from `estate/applied.yaml`: sparse resources over blank
/// attributes, like rule fixtures. Returns it with ARN → Terraform address.
fn applied() -> (Snapshot, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(plans().join("estate/applied.yaml")).expect("applied.yaml");
    let doc: Json = serde_saphyr::from_str(&text).expect("applied.yaml parses");
    let account = doc["account"].as_str().expect("account").to_string();
    let mut addresses = BTreeMap::new();
    let mut resources = Vec::new();
    for sparse in doc["resources"].as_array().expect("resources") {
        let mut sparse = sparse.clone();
        let address = sparse
            .as_object_mut()
            .and_then(|o| o.remove("address"))
            .expect("address");
        let type_name = sparse["type"].as_str().expect("type").to_string();
        let arn = sparse["arn"].as_str().expect("arn").to_string();
        let region = arn
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty())
            .unwrap_or("global");
        let id = arn.rsplit(['/', ':']).next().unwrap_or(&arn).to_string();
        let mut base = serde_json::to_value(Attributes::blank(&type_name).expect("known type"))
            .expect("blank");
        merge(
            &mut base,
            &json!({"arn": arn, "id": id, "name": id, "account": account, "region": region, "tags": {}, "provenance": {}, "unread": []}),
        );
        merge(&mut base, &sparse);
        addresses.insert(
            arn.clone(),
            address.as_str().expect("address is a string").to_string(),
        );
        resources.push(serde_json::from_value(base).unwrap_or_else(|e| panic!("{arn}: {e}")));
    }
    let collected_at = doc["collected_at"]
        .as_str()
        .expect("collected_at")
        .parse()
        .expect("time");
    let mut snapshot = Snapshot {
        schema_version: snapshot::SCHEMA_VERSION,
        tool: ToolInfo {
            name: "test".into(),
            version: "0".into(),
        },
        collected_at,
        origin: Origin::whole("live", None, None),
        accounts: vec![AccountScope {
            account_id: account,
            regions_requested: vec!["ap-southeast-2".into(), "us-east-1".into()],
            regions_read: vec!["ap-southeast-2".into(), "us-east-1".into()],
            regions_not_read: Vec::new(),
            principal_arn: None,
        }],
        resources,
        gaps: Vec::new(),
        raw_responses: BTreeMap::new(),
        manifest: snapshot::Manifest {
            algorithm: String::new(),
            canonicalization: String::new(),
            digest: String::new(),
            signature: None,
        },
    };
    snapshot.seal();
    (snapshot, addresses)
}

fn merge(base: &mut Json, top: &Json) {
    match (base, top) {
        (Json::Object(b), Json::Object(t)) => {
            for (k, v) in t {
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, t) => *b = t.clone(),
    }
}

/// A verdict: status and the assertions that failed.
fn verdict(f: &Finding) -> (Status, Vec<String>) {
    let failed = f
        .assertions
        .iter()
        .filter(|a| a.status == AssertionStatus::Fail)
        .map(|a| a.name.clone())
        .collect();
    (f.status, failed)
}

#[test]
fn the_same_rules_give_the_same_verdicts_on_the_plan_and_on_the_applied_account() {
    let (pack, profile) = load_rules();
    let rules = plan_rules(&pack, &profile);
    let planned =
        plan::load(&plans().join("estate/plan.json"), &options()).expect("the plan reads");
    let plan_findings = assay::evaluate::evaluate(&planned.snapshot, &rules, &profile.params, &[]);
    let (applied, addresses) = applied();
    let applied_findings = assay::evaluate::evaluate(&applied, &rules, &profile.params, &[]);

    let by_address = |findings: &[Finding],
                      address_of: &dyn Fn(&str) -> Option<String>|
     -> BTreeMap<(String, String), (Status, Vec<String>)> {
        findings
            .iter()
            .filter_map(|f| {
                let arn = &f.resource.as_ref()?.arn;
                Some(((f.rule_id.clone(), address_of(arn)?), verdict(f)))
            })
            .collect()
    };
    let on_plan = by_address(&plan_findings, &|arn| {
        arn.strip_prefix("terraform:").map(str::to_string)
    });
    let on_account = by_address(&applied_findings, &|arn| addresses.get(arn).cloned());
    assert_eq!(
        on_plan.keys().collect::<BTreeSet<_>>(),
        on_account.keys().collect::<BTreeSet<_>>(),
        "both sides judge the same rule × resource pairs"
    );

    // Where the plan cannot know a value, it says UNKNOWN (and only there).
    let expected_unknown: BTreeSet<(String, String)> = [
        // A database's restore window exists only once it runs and backs up.
        ("backup.database-restore-window", "aws_db_instance.main"),
        ("encryption.ebs-volume-kms-cmk", "aws_ebs_volume.cache"),
        ("iam.console-users-mfa", "aws_iam_user.alice"),
        ("iam.support-group-mfa", "aws_iam_user.alice"),
    ]
    .iter()
    .map(|(r, a)| (r.to_string(), a.to_string()))
    .collect();
    let mut families: BTreeMap<String, BTreeSet<Status>> = BTreeMap::new();
    for (key, plan_verdict) in &on_plan {
        let account_verdict = &on_account[key];
        if expected_unknown.contains(key) {
            assert_eq!(
                plan_verdict.0,
                Status::Unknown,
                "{key:?} is known only after apply"
            );
            assert_ne!(account_verdict.0, Status::Unknown);
            continue;
        }
        assert_eq!(
            plan_verdict, account_verdict,
            "{key:?}: plan {plan_verdict:?}, applied {account_verdict:?}"
        );
        let family = key.0.split('.').next().unwrap_or_default().to_string();
        families.entry(family).or_default().insert(plan_verdict.0);
    }
    for family in [
        "encryption",
        "residency",
        "backup",
        "network",
        "iam",
        "logging",
    ] {
        let seen = families
            .get(family)
            .unwrap_or_else(|| panic!("no {family} rule compared"));
        assert!(
            seen.contains(&Status::Pass),
            "{family}: no PASS compared ({seen:?})"
        );
    }
    for family in ["encryption", "residency", "backup", "network", "iam"] {
        assert!(
            families[family].contains(&Status::Fail),
            "{family}: no FAIL compared"
        );
    }
}

#[test]
fn values_known_after_apply_are_unknown_with_that_reason_never_pass() {
    let (pack, profile) = load_rules();
    let rules = plan_rules(&pack, &profile);
    let planned = plan::load(&plans().join("estate/plan.json"), &options()).expect("plan");
    let findings = assay::evaluate::evaluate(&planned.snapshot, &rules, &profile.params, &[]);
    let cache = findings
        .iter()
        .find(|f| {
            f.rule_id == "encryption.ebs-volume-kms-cmk"
                && f.resource
                    .as_ref()
                    .is_some_and(|r| r.arn == "terraform:aws_ebs_volume.cache")
        })
        .expect("finding for the cache volume");
    assert_eq!(cache.status, Status::Unknown);
    let encrypted = &cache.assertions[0];
    assert_eq!(encrypted.status, AssertionStatus::Unknown);
    let evidence = encrypted.evidence["known_after_apply"].to_string();
    assert!(
        evidence.contains("aws_ebs_volume.cache.encrypted is known after apply"),
        "{evidence}"
    );
    assert!(!findings.iter().any(|f| {
        f.status == Status::Pass
            && f.assertions
                .iter()
                .any(|a| a.status == AssertionStatus::Unknown)
    }));
}

#[test]
fn regions_come_from_the_provider_alias_and_references_join_planned_resources() {
    let planned = plan::load(&plans().join("estate/plan.json"), &options()).expect("plan");
    let get = |arn: &str| {
        planned
            .snapshot
            .resources
            .iter()
            .find(|r| r.arn == arn)
            .unwrap_or_else(|| panic!("{arn}"))
    };
    assert_eq!(
        get("terraform:aws_kms_replica_key.global_us").region,
        "us-east-1"
    );
    assert_eq!(get("terraform:aws_s3_bucket.data").region, "ap-southeast-2");
    let Attributes::S3Bucket(bucket) = &get("terraform:aws_s3_bucket.data").attributes else {
        panic!("bucket")
    };
    let encryption = bucket.encryption.as_ref().expect("encryption");
    assert_eq!(
        encryption.kms_key_arn.as_deref(),
        Some("terraform:aws_kms_key.data")
    );
    let replication = bucket.replication.as_ref().expect("replication");
    assert_eq!(
        replication.destinations[0].region.as_deref(),
        Some("us-east-1"),
        "region of the bucket read by a data source"
    );
    assert_eq!(
        get("terraform:aws_s3_bucket.data").name,
        "am-client-data-example"
    );
    assert_eq!(get("terraform:aws_s3_bucket.data").id, "aws_s3_bucket.data");
    assert!(planned.not_read.iter().any(|n| n.address == "aws_vpc.main"));
    assert!(
        planned.snapshot.verify().is_empty(),
        "a plan snapshot is sealed and verifiable"
    );
}

/// The gate plan with one resource's change rewritten.
fn with_actions(address: &str, actions: Json) -> String {
    let text = std::fs::read_to_string(plans().join("gate/plan.json")).expect("plan");
    let mut plan: Json = serde_json::from_str(&text).expect("json");
    for rc in plan["resource_changes"].as_array_mut().expect("changes") {
        if rc["address"] == address {
            rc["change"]["actions"] = actions.clone();
        }
    }
    plan.to_string()
}

#[test]
fn deleted_resources_are_out_of_scope_and_replaced_ones_are_their_new_version() {
    let arns = |text: &str| -> Vec<String> {
        plan::from_json(text, "p.json", &options())
            .expect("plan")
            .snapshot
            .resources
            .into_iter()
            .map(|r| r.arn)
            .collect()
    };
    let deleted = with_actions("aws_ebs_volume.scratch", json!(["delete"]));
    assert!(!arns(&deleted).contains(&"terraform:aws_ebs_volume.scratch".to_string()));
    let replaced = with_actions("aws_ebs_volume.scratch", json!(["delete", "create"]));
    assert!(arns(&replaced).contains(&"terraform:aws_ebs_volume.scratch".to_string()));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn malformed_plans_are_errors_that_name_the_file_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(plans().join("gate/plan.json")).expect("plan");
    let mut plan: Json = serde_json::from_str(&text).expect("json");
    let pos = plan["resource_changes"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .position(|rc| rc["address"] == "aws_ebs_volume.scratch")
        })
        .expect("volume");
    plan["resource_changes"][pos]["change"]["after"]["size"] = json!("twenty");
    let bad_field = write(dir.path(), "bad-field.json", &plan.to_string());
    let (code, _, stderr) = assay(&[
        "plan",
        bad_field.to_str().expect("utf-8"),
        "-o",
        "/dev/null",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad-field.json"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "resource_changes[{pos}].change.after.size`: expected a number, found a string"
        )),
        "{stderr}"
    );

    let not_json = write(
        dir.path(),
        "not-json.json",
        "{\"format_version\": \"1.2\",\n  oops}",
    );
    let (code, _, stderr) = assay(&["plan", not_json.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not-json.json:2:"), "{stderr}");

    let state = write(
        dir.path(),
        "state.json",
        "{\"version\": 4, \"resources\": []}",
    );
    let (code, _, stderr) = assay(&["plan", state.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is not a Terraform plan: it is a Terraform state file"),
        "{stderr}"
    );
}

#[test]
fn plan_command_writes_a_snapshot_that_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("plan-snapshot.json");
    let plan_path = plans().join("gate/plan.json");
    let (code, _, stderr) = assay(&[
        "plan",
        plan_path.to_str().expect("utf-8"),
        "--account",
        "111122223333",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = assay(&["snapshot", "verify", out.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let snapshot: Json =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    assert_eq!(snapshot["origin"]["kind"], "plan");
}

#[test]
fn rules_a_plan_cannot_judge_are_listed_not_passed() {
    let (pack, _) = load_rules();
    let reason = |id: &str| pack.rule(id).and_then(assay::rules::on_plan::not_evaluable);
    assert!(
        reason("backup.recovery-point-fresh")
            .is_some_and(|r| r.contains("aws_backup_recovery_point"))
    );
    assert!(reason("encryption.backup-recovery-point-encrypted").is_some());
    assert!(reason("iam.root-mfa").is_some());
    assert_eq!(reason("encryption.s3-bucket-kms-cmk"), None);
    assert_eq!(reason("logging.config-recording"), None);
}

#[test]
fn a_fail_outranks_unknown_in_the_roll_up() {
    // A backup bucket: versioning is known (not set: FAIL), the lifecycle expiry comes from
    // a variable that is known only after apply (UNKNOWN). Minimal plan JSON in the
    // documented format.
    let plan = json!({
        "format_version": "1.2",
        "timestamp": "2026-11-23T10:00:00Z",
        "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "ap-southeast-2"}}}},
            "root_module": {"resources": [
                {"address": "aws_s3_bucket.b", "provider_config_key": "aws", "expressions": {"bucket": {"constant_value": "b"}}},
                {"address": "aws_s3_bucket_lifecycle_configuration.b", "provider_config_key": "aws",
                 "expressions": {"bucket": {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]}}}
            ]}},
        "resource_changes": [
            {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
             "change": {"actions": ["create"], "after": {"bucket": "b", "tags": {"purpose": "backup"}, "tags_all": {"purpose": "backup"}},
                        "after_unknown": {"arn": true, "id": true}}},
            {"address": "aws_s3_bucket_lifecycle_configuration.b", "mode": "managed", "type": "aws_s3_bucket_lifecycle_configuration", "name": "b",
             "change": {"actions": ["create"],
                        "after": {"rule": [{"id": "expire", "status": "Enabled", "expiration": [{"days": null}], "noncurrent_version_expiration": []}]},
                        "after_unknown": {"bucket": true, "rule": [{"expiration": [{"days": true}]}]}}}
        ]
    });
    let (pack, profile) = load_rules();
    let rule = pack
        .rule("backup.s3-backup-bucket-retention")
        .expect("rule");
    let planned = plan::from_json(&plan.to_string(), "inline.json", &options()).expect("plan");
    let findings = assay::evaluate::evaluate(&planned.snapshot, &[rule], &profile.params, &[]);
    let statuses: Vec<(String, AssertionStatus)> = findings[0]
        .assertions
        .iter()
        .map(|a| (a.name.clone(), a.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("versioning-enabled".to_string(), AssertionStatus::Fail),
            ("retention-rule".to_string(), AssertionStatus::Unknown),
            ("no-early-expiry".to_string(), AssertionStatus::Unknown),
        ]
    );
    assert_eq!(findings[0].status, Status::Fail);
    assert!(
        findings[0].assertions[1].message.as_deref().is_some_and(
            |m| m.contains("aws_s3_bucket_lifecycle_configuration.b.rule is known after apply")
        )
    );
}
