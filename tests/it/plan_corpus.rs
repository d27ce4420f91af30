//! A corpus of Terraform plans in the real `terraform show -json` format, written by hand
//! for Terraform 0.12, 0.15, 1.9, 1.11 and 1.12 with AWS providers v3, v5 and v6 (inline
//! and split S3 encryption, security groups and buckets managed in another stack,
//! modules, per-resource regions). Each is read without `--account`, and every verdict is
//! asserted rule by rule, as a careful reviewer would give it; the gate's exit code too.

use std::collections::BTreeMap;
use std::path::PathBuf;

use assay::findings::Status;
use assay::plan::{self, PlanOptions};

use crate::assay;
use crate::plan::{load_rules, plans};

fn corpus(name: &str) -> PathBuf {
    plans().join("corpus").join(name)
}

/// Every finding of the plan as (rule, resource label) → status, with the rules not
/// evaluated on it.
fn verdicts(
    name: &str,
) -> (
    BTreeMap<(String, String), Status>,
    Vec<String>,
    plan::PlanSnapshot,
) {
    let (pack, profile) = load_rules();
    let planned = plan::load(
        &corpus(name),
        &PlanOptions {
            account: None,
            now: None,
        },
    )
    .unwrap_or_else(|e| panic!("{name} reads: {e}"));
    let mut not_evaluated = Vec::new();
    let rules: Vec<&assay::rules::Rule> = pack
        .rules
        .iter()
        .filter(|r| profile.rules.selects(&r.id))
        .filter(
            |r| match assay::rules::on_plan::not_evaluable_in(r, &planned.snapshot) {
                Some(_) => {
                    not_evaluated.push(r.id.clone());
                    false
                }
                None => true,
            },
        )
        .collect();
    let findings = assay::evaluate::evaluate(&planned.snapshot, &rules, &profile.params, &[]);
    let map = findings
        .iter()
        .map(|f| {
            let label = assay::gate::resource_label(f);
            ((f.rule_id.clone(), label), f.status)
        })
        .collect();
    (map, not_evaluated, planned)
}

/// The verdicts that are not NOT_APPLICABLE or MANUAL (those are listed by rule only).
fn judged(name: &str) -> BTreeMap<(String, String), Status> {
    verdicts(name)
        .0
        .into_iter()
        .filter(|(_, s)| !matches!(s, Status::NotApplicable | Status::Manual))
        .collect()
}

fn expect(list: &[(&str, &str, Status)]) -> BTreeMap<(String, String), Status> {
    list.iter()
        .map(|(r, a, s)| ((r.to_string(), a.to_string()), *s))
        .collect()
}

/// `assay gate --plan <corpus plan>` without `--account`; returns the exit code, stdout,
/// stderr and the output directory.
fn gate(plan: &std::path::Path, extra: &[&str]) -> (i32, String, String, tempfile::TempDir) {
    let out = tempfile::tempdir().expect("tempdir");
    let profile = plans().join("profile.yaml");
    let mut args = vec![
        "gate",
        "--plan",
        plan.to_str().expect("utf-8"),
        "--profile",
        profile.to_str().expect("utf-8"),
        "--out",
        out.path().to_str().expect("utf-8"),
        "--now",
        "2026-12-03T12:00:00Z",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = assay(&args);
    (code, stdout, stderr, out)
}

fn exit_code(name: &str) -> i32 {
    let (code, stdout, stderr, _) = gate(&corpus(name), &[]);
    assert_ne!(code, 2, "{name} is a plan: {stdout}{stderr}");
    code
}

use Status::{Fail, Pass, Unknown};

#[test]
fn terraform_0_12_provider_v3_inline_s3_encryption() {
    // Format 0.1; no account anywhere: the bucket and volume still join their planned key.
    assert_eq!(
        judged("tf0.12-aws3-inline-s3.json"),
        expect(&[
            ("encryption.ebs-volume-kms-cmk", "aws_ebs_volume.logs", Pass),
            ("encryption.kms-cmk-rotation", "aws_kms_key.data", Pass),
            ("encryption.s3-bucket-kms-cmk", "aws_s3_bucket.data", Pass),
            (
                "network.no-public-admin-ports",
                "aws_security_group.bastion",
                Fail
            ),
            ("residency.ebs-region", "aws_ebs_volume.logs", Pass),
            ("residency.kms-key-regions", "aws_kms_key.data", Pass),
            // AWS's default key policy grants the key's own account, which a plan without
            // --account does not name: UNKNOWN, asking for the account.
            (
                "residency.kms-key-policy-accounts",
                "aws_kms_key.data",
                Unknown
            ),
            ("residency.s3-bucket-region", "aws_s3_bucket.data", Pass),
            (
                "residency.s3-replication-destinations",
                "aws_s3_bucket.data",
                Pass
            ),
        ])
    );
    assert_eq!(exit_code("tf0.12-aws3-inline-s3.json"), 1);
}

#[test]
fn terraform_0_15_provider_v3_parents_outside_the_plan_and_rds_defaults() {
    let (all, _, planned) = verdicts("tf0.15-aws3-external-parents.json");
    let judged: BTreeMap<_, _> = all
        .iter()
        .filter(|(_, s)| !matches!(s, Status::NotApplicable | Status::Manual))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert_eq!(
        judged,
        expect(&[
            // An unset retention is the API default, 1 day; below the 7 required.
            ("backup.rds-retention-period", "aws_db_instance.app", Fail),
            // The window its backups can restore exists only once it runs.
            (
                "backup.database-restore-window",
                "aws_db_instance.app",
                Unknown
            ),
            // Encrypted with no key: the AWS managed aws/rds key, a definite FAIL.
            (
                "encryption.rds-instance-kms-cmk",
                "aws_db_instance.app",
                Fail
            ),
            ("residency.rds-region", "aws_db_instance.app", Pass),
            // Created by the plan: no replicas or replicated backups of its own yet.
            ("residency.rds-replica-regions", "aws_db_instance.app", Pass),
            // The bucket is in another stack: only its public access block is in the plan.
            (
                "backup.s3-backup-bucket-retention",
                "aws_s3_bucket_public_access_block.legacy",
                Unknown
            ),
            (
                "encryption.s3-bucket-kms-cmk",
                "aws_s3_bucket_public_access_block.legacy",
                Unknown
            ),
            (
                "residency.s3-bucket-region",
                "aws_s3_bucket_public_access_block.legacy",
                Unknown
            ),
            (
                "residency.s3-replication-destinations",
                "aws_s3_bucket_public_access_block.legacy",
                Unknown
            ),
            // The group is in another stack: the rule alone opens SSH to the world.
            (
                "network.no-public-admin-ports",
                "aws_security_group_rule.ssh_in",
                Fail
            ),
            (
                "network.no-public-admin-ports",
                "aws_security_group_rule.https_in",
                Pass
            ),
            (
                "network.default-security-group-closed",
                "aws_security_group_rule.ssh_in",
                Unknown
            ),
            (
                "network.default-security-group-closed",
                "aws_security_group_rule.https_in",
                Unknown
            ),
        ])
    );
    // The aws/rds key is a resource of the snapshot, managed by AWS.
    let key = planned
        .snapshot
        .resources
        .iter()
        .find(|r| r.arn.ends_with("/aws/rds"))
        .expect("the aws/rds key");
    let assay::snapshot::Attributes::KmsKey(k) = &key.attributes else {
        panic!("a key")
    };
    assert_eq!(k.key_manager, "AWS");
    // The finding says which assertion failed: the key, not the encryption.
    let (pack, profile) = load_rules();
    let rule = pack.rule("encryption.rds-instance-kms-cmk").expect("rule");
    let findings = assay::evaluate::evaluate(&planned.snapshot, &[rule], &profile.params, &[]);
    let statuses: Vec<(String, assay::findings::AssertionStatus)> = findings[0]
        .assertions
        .iter()
        .map(|a| (a.name.clone(), a.status))
        .collect();
    use assay::findings::AssertionStatus as A;
    assert_eq!(
        statuses,
        [
            ("encrypted".to_string(), A::Pass),
            ("customer-managed-key".to_string(), A::Fail),
            ("key-enabled".to_string(), A::Pass),
            ("key-rotates".to_string(), A::Pass),
        ]
    );
    // Both changes to parents outside the plan are named.
    let noted: Vec<&str> = planned.notes.iter().map(|n| n.address.as_str()).collect();
    assert_eq!(
        noted,
        [
            "aws_s3_bucket_public_access_block.legacy",
            "aws_security_group_rule.https_in",
            "aws_security_group_rule.ssh_in"
        ]
    );
    assert_eq!(exit_code("tf0.15-aws3-external-parents.json"), 1);
}

#[test]
fn terraform_1_9_provider_v5_split_s3_modules_instances_password_policy() {
    assert_eq!(
        judged("tf1.9-aws5-split-s3-modules.json"),
        expect(&[
            // The key reaches the module's bucket through module.keys.key_arn and var.kms_key_arn.
            (
                "encryption.s3-bucket-kms-cmk",
                "module.storage.aws_s3_bucket.this",
                Pass
            ),
            (
                "residency.s3-bucket-region",
                "module.storage.aws_s3_bucket.this",
                Pass
            ),
            (
                "residency.s3-replication-destinations",
                "module.storage.aws_s3_bucket.this",
                Pass
            ),
            (
                "encryption.kms-cmk-rotation",
                "module.keys.aws_kms_key.this",
                Pass
            ),
            (
                "residency.kms-key-regions",
                "module.keys.aws_kms_key.this",
                Pass
            ),
            (
                "residency.kms-key-policy-accounts",
                "module.keys.aws_kms_key.this",
                Pass
            ),
            // SSE-S3 on a bucket of another stack: the change alone fails the KMS rule.
            (
                "encryption.s3-bucket-kms-cmk",
                "aws_s3_bucket_server_side_encryption_configuration.legacy_logs",
                Fail
            ),
            (
                "backup.s3-backup-bucket-retention",
                "aws_s3_bucket_server_side_encryption_configuration.legacy_logs",
                Unknown
            ),
            (
                "residency.s3-bucket-region",
                "aws_s3_bucket_server_side_encryption_configuration.legacy_logs",
                Unknown
            ),
            (
                "residency.s3-replication-destinations",
                "aws_s3_bucket_server_side_encryption_configuration.legacy_logs",
                Unknown
            ),
            // The default group, read by a data source: any ingress rule breaks it.
            (
                "network.default-security-group-closed",
                "aws_vpc_security_group_ingress_rule.office_https",
                Fail
            ),
            (
                "network.no-public-admin-ports",
                "aws_vpc_security_group_ingress_rule.office_https",
                Pass
            ),
            // IMDSv2 and the root volume: set on web, left to the AMI and account on legacy.
            ("network.imds-v2-required", "aws_instance.web", Pass),
            ("network.imds-v2-required", "aws_instance.legacy", Unknown),
            (
                "encryption.ebs-volume-kms-cmk",
                "aws_instance.web/root_block_device",
                Pass
            ),
            (
                "encryption.ebs-volume-kms-cmk",
                "aws_instance.legacy/root_block_device",
                Unknown
            ),
            (
                "residency.ebs-region",
                "aws_instance.web/root_block_device",
                Pass
            ),
            (
                "residency.ebs-region",
                "aws_instance.legacy/root_block_device",
                Pass
            ),
            ("residency.ec2-instance-region", "aws_instance.web", Pass),
            ("residency.ec2-instance-region", "aws_instance.legacy", Pass),
            // Length 8, no numbers or case classes required, no reuse prevention.
            (
                "iam.password-policy",
                "aws_iam_account_password_policy.this",
                Fail
            ),
            // The trust policy comes from a policy document read at plan time.
            ("iam.support-role-mfa", "aws_iam_role.support", Pass),
        ])
    );
    assert_eq!(exit_code("tf1.9-aws5-split-s3-modules.json"), 1);
}

#[test]
fn terraform_1_10_provider_v5_launch_templates_object_lock_and_policies() {
    let (all, _, planned) = verdicts("tf1.10-aws5-launch-templates-object-lock.json");
    let judged: BTreeMap<_, _> = all
        .iter()
        .filter(|(_, s)| !matches!(s, Status::NotApplicable | Status::Manual))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert_eq!(
        judged,
        expect(&[
            // Versioned, kept 90 days, locked for a year in compliance mode.
            (
                "backup.s3-backup-bucket-retention",
                "aws_s3_bucket.archive",
                Pass
            ),
            (
                "encryption.s3-bucket-kms-cmk",
                "aws_s3_bucket.archive",
                Fail
            ),
            ("residency.s3-bucket-region", "aws_s3_bucket.archive", Pass),
            (
                "residency.s3-replication-destinations",
                "aws_s3_bucket.archive",
                Pass
            ),
            (
                "encryption.ebs-volume-kms-cmk",
                "aws_instance.batch/root_block_device",
                Unknown
            ),
            (
                "residency.ebs-region",
                "aws_instance.batch/root_block_device",
                Pass
            ),
            ("residency.ec2-instance-region", "aws_instance.batch", Pass),
            // The trust policy requires no MFA.
            ("iam.support-role-mfa", "aws_iam_role.support_tier2", Fail),
        ])
    );
    // The instance is stopped by aws_ec2_instance_state, so the IMDS rule does not apply;
    // its template requires IMDSv2.
    assert_eq!(
        all[&(
            "network.imds-v2-required".to_string(),
            "aws_instance.batch".to_string()
        )],
        Status::NotApplicable
    );
    let get = |arn: &str| {
        planned
            .snapshot
            .resources
            .iter()
            .find(|r| r.arn == arn)
            .unwrap_or_else(|| panic!("{arn}"))
    };
    let assay::snapshot::Attributes::Ec2Instance(i) =
        &get("terraform:aws_instance.batch").attributes
    else {
        panic!("instance")
    };
    assert_eq!((i.state.as_str(), i.imds_v2_required), ("stopped", true));
    let assay::snapshot::Attributes::S3Bucket(b) =
        &get("terraform:aws_s3_bucket.archive").attributes
    else {
        panic!("bucket")
    };
    let lock = b.object_lock.as_ref().expect("object lock");
    assert_eq!(
        (lock.enabled, lock.mode.as_deref(), lock.retention_days),
        (true, Some("COMPLIANCE"), Some(365))
    );
    let assay::snapshot::Attributes::IamRole(r) =
        &get("terraform:aws_iam_role.support_tier2").attributes
    else {
        panic!("role")
    };
    assert_eq!(
        r.attached_policies,
        ["terraform:aws_iam_policy.archive_read"]
    );
    // The inline policy and the template no planned instance uses are named.
    let noted: Vec<&str> = planned.notes.iter().map(|n| n.address.as_str()).collect();
    assert_eq!(
        noted,
        [
            "aws_iam_role_policy.support_tier2_inline",
            "aws_launch_template.asg_workers"
        ]
    );
    assert!(planned.notes[1].note.contains("`optional`"));
    assert_eq!(
        exit_code("tf1.10-aws5-launch-templates-object-lock.json"),
        1
    );
}

#[test]
fn terraform_1_12_provider_v6_resource_regions_and_joins_without_an_account() {
    let name = "tf1.12-aws6-resource-region.json";
    assert_eq!(
        judged(name),
        expect(&[
            (
                "backup.database-restore-window",
                "aws_db_instance.reports",
                Unknown
            ),
            (
                "backup.rds-retention-period",
                "aws_db_instance.reports",
                Pass
            ),
            (
                "encryption.rds-instance-kms-cmk",
                "aws_db_instance.reports",
                Pass
            ),
            ("residency.rds-region", "aws_db_instance.reports", Pass),
            // Created by the plan: no replicas or replicated backups of its own yet.
            (
                "residency.rds-replica-regions",
                "aws_db_instance.reports",
                Pass
            ),
            (
                "encryption.ebs-volume-kms-cmk",
                "aws_ebs_volume.scratch",
                Pass
            ),
            // Its own region is known only after apply: not its provider's.
            ("residency.ebs-region", "aws_ebs_volume.scratch", Unknown),
            ("encryption.kms-cmk-rotation", "aws_kms_key.main", Pass),
            ("residency.kms-key-regions", "aws_kms_key.main", Pass),
            // The default key policy names the key's own account, not in this plan.
            (
                "residency.kms-key-policy-accounts",
                "aws_kms_key.main",
                Unknown
            ),
            ("encryption.s3-bucket-kms-cmk", "aws_s3_bucket.data", Pass),
            ("residency.s3-bucket-region", "aws_s3_bucket.data", Pass),
            (
                "residency.s3-replication-destinations",
                "aws_s3_bucket.data",
                Pass
            ),
            // region = "us-east-1" on the bucket itself, whatever the provider says.
            (
                "encryption.s3-bucket-kms-cmk",
                "aws_s3_bucket.us_copy",
                Fail
            ),
            ("residency.s3-bucket-region", "aws_s3_bucket.us_copy", Fail),
            (
                "residency.s3-replication-destinations",
                "aws_s3_bucket.us_copy",
                Pass
            ),
        ])
    );
    assert_eq!(exit_code(name), 1);
    // The definite FAILs are not hidden behind UNKNOWN: letting UNKNOWN through still fails.
    let (code, _, _, _) = gate(&corpus(name), &["--no-fail-on-unknown"]);
    assert_eq!(code, 1);
    // Without the US bucket, the volume and the database (whose restore window no plan
    // shows: UNKNOWN until it runs) the plan is compliant. The joins to the planned
    // key are by address and need no account (above: the bucket's key rule PASSes without
    // one); the key-policy rule does, since AWS's default key policy grants the key's own
    // account, so the gate is given it.
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus(name)).expect("read")).expect("json");
    plan["resource_changes"]
        .as_array_mut()
        .expect("changes")
        .retain(|rc| {
            rc["address"] != "aws_s3_bucket.us_copy"
                && rc["address"] != "aws_ebs_volume.scratch"
                && rc["address"] != "aws_db_instance.reports"
        });
    let dir = tempfile::tempdir().expect("tempdir");
    let compliant = dir.path().join("compliant.json");
    std::fs::write(&compliant, plan.to_string()).expect("write");
    let (code, stdout, stderr, _) = gate(&compliant, &["--account", "111122223333"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, _, _) = gate(&compliant, &[]);
    assert_eq!(
        code, 1,
        "without the account the key policy is UNKNOWN: {stdout}"
    );
    assert!(stdout.contains("kms-key-policy-accounts"), "{stdout}");
}

#[test]
fn a_plan_with_nothing_to_judge_says_so_everywhere() {
    let (code, stdout, stderr, out) = gate(&corpus("tf1.11-nothing-to-judge.json"), &[]);
    // A plan, so never 2. Whether evidence of nothing passes the gate (0) or fails it (1)
    // is the evaluation layer's rule for an empty snapshot; either way it is said.
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("nothing for the rules to judge"),
        "{stderr}"
    );
    assert!(stdout.contains("NOTHING JUDGED"), "{stdout}");
    assert!(
        stdout.contains("not read: aws_sfn_state_machine.hello"),
        "{stdout}"
    );
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).expect(f);
    let gate_json: serde_json::Value = serde_json::from_str(&read("gate.json")).expect("json");
    assert!(
        gate_json["nothing_to_judge"]
            .as_str()
            .is_some_and(|s| s.contains("2 managed resource(s)")),
        "{gate_json}"
    );
    assert!(read("summary.md").contains("**Nothing was judged:**"));
    assert!(read("junit.xml").contains("nothing judged"));
    let sarif: serde_json::Value = serde_json::from_str(&read("results.sarif")).expect("json");
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(notes.contains("nothing judged"), "{notes}");
    assert!(notes.contains("aws_sfn_state_machine.hello"), "{notes}");
}

#[test]
fn files_that_are_not_plans_exit_2_saying_what_they_are() {
    let dir = plans().join("not-plans");
    for (file, says) in [
        ("state-show.json", "the JSON of a Terraform state"),
        (
            "format-version-only.json",
            "neither `planned_values`, `resource_changes` nor `configuration`",
        ),
        ("unknown-action.json", "`Create` is not a Terraform action"),
    ] {
        let path = dir.join(file);
        let (code, _, stderr) = assay(&["plan", path.to_str().expect("utf-8"), "-o", "/dev/null"]);
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stderr.contains(says), "{file}: {stderr}");
        let (code, stdout, stderr, out) = gate(&path, &[]);
        assert_eq!(code, 2, "{file}: {stdout}{stderr}");
        assert!(stderr.contains(says), "{file}: {stderr}");
        assert!(
            std::fs::read_dir(out.path()).expect("dir").next().is_none(),
            "{file}: nothing is written"
        );
    }
    // Other actions Terraform never writes for a managed resource.
    let text = std::fs::read_to_string(dir.join("unknown-action.json")).expect("read");
    let tmp = tempfile::tempdir().expect("tempdir");
    for (actions, says) in [
        ("[\"bogus\"]", "`bogus` is not a Terraform action"),
        (
            "[\"read\"]",
            "is not a combination of actions Terraform writes",
        ),
        (
            "[\"update\", \"create\"]",
            "is not a combination of actions Terraform writes",
        ),
    ] {
        let path = tmp.path().join("plan.json");
        std::fs::write(&path, text.replace("[\"Create\"]", actions)).expect("write");
        let (code, _, stderr) = assay(&["plan", path.to_str().expect("utf-8"), "-o", "/dev/null"]);
        assert_eq!(code, 2, "{actions}: {stderr}");
        assert!(stderr.contains(says), "{actions}: {stderr}");
        assert!(
            stderr.contains("resource_changes[0].change.actions"),
            "{stderr}"
        );
    }
}

#[test]
fn byte_order_marks_utf16_and_a_malformed_timestamp_still_read() {
    let name = "tf1.9-aws5-split-s3-modules.json";
    let text = std::fs::read_to_string(corpus(name)).expect("read");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    // What PowerShell's `>` writes: UTF-16 little-endian with a byte-order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let stamped = text.replace("2026-11-30T09:15:00Z", "30/11/2026 09:15");
    assert_ne!(stamped, text);
    for (file, bytes, warning) in [
        ("bom.json", bom, "byte-order mark"),
        ("utf16.json", utf16, "UTF-16 little-endian"),
        (
            "timestamp.json",
            stamped.into_bytes(),
            "is not an RFC 3339 time",
        ),
    ] {
        let path = dir.path().join(file);
        std::fs::write(&path, bytes).expect("write");
        let (code, stdout, stderr, _) = gate(&path, &[]);
        assert_eq!(
            code, 1,
            "{file}: the same verdicts as UTF-8: {stdout}{stderr}"
        );
        assert!(stderr.contains(warning), "{file}: {stderr}");
    }
    // Bytes that are neither say so, naming the encoding tried.
    let path = dir.path().join("latin1.json");
    std::fs::write(&path, b"{\"format_version\": \"1.2\", \"x\": \"caf\xe9\"}").expect("write");
    let (code, _, stderr) = assay(&["plan", path.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("neither UTF-8 nor UTF-16"), "{stderr}");
}

#[test]
fn sarif_points_module_resources_at_the_module_call() {
    // The module's key stops rotating: its finding points at `module "keys"` in main.tf.
    let name = "tf1.9-aws5-split-s3-modules.json";
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus(name)).expect("read")).expect("json");
    for rc in plan["resource_changes"].as_array_mut().expect("changes") {
        if rc["address"] == "module.keys.aws_kms_key.this" {
            rc["change"]["after"]["enable_key_rotation"] = serde_json::json!(false);
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("plan.json"), plan.to_string()).expect("write");
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {}\n\nmodule \"keys\" {\n  source = \"./modules/keys\"\n}\n",
    )
    .expect("write");
    let (code, _, stderr, out) = gate(
        &dir.path().join("plan.json"),
        &["--tf-dir", dir.path().to_str().expect("utf-8")],
    );
    assert_eq!(code, 1, "{stderr}");
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("results.sarif")).expect("sarif"),
    )
    .expect("json");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| {
            r["ruleId"] == "encryption.kms-cmk-rotation"
                && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    == "module.keys.aws_kms_key.this"
        })
        .expect("the rotation finding");
    let physical = &result["locations"][0]["physicalLocation"];
    assert!(
        physical["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("main.tf")),
        "{physical}"
    );
    assert_eq!(physical["region"]["startLine"], 3);
}

#[test]
fn changes_to_parents_outside_the_plan_are_named_in_every_output() {
    let (code, stdout, _, out) = gate(&corpus("tf0.15-aws3-external-parents.json"), &[]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("read in part: aws_security_group_rule.ssh_in"),
        "{stdout}"
    );
    let read = |f: &str| std::fs::read_to_string(out.path().join(f)).expect(f);
    let gate_json: serde_json::Value = serde_json::from_str(&read("gate.json")).expect("json");
    let notes: Vec<&str> = gate_json["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n["address"].as_str())
        .collect();
    assert!(notes.contains(&"aws_s3_bucket_public_access_block.legacy"));
    assert!(read("summary.md").contains("Planned changes read in part (3)"));
    assert!(read("junit.xml").contains("read in part: changes security group"));
    let sarif: serde_json::Value = serde_json::from_str(&read("results.sarif")).expect("json");
    let errors: Vec<String> = crate::gate::sarif_validator()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        sarif
            .to_string()
            .contains("aws_security_group_rule.https_in: read in part")
    );
}

/// DynamoDB tables, log groups and images in a plan (provider v5): each judged as a live
/// scan judges it, a value known only after apply UNKNOWN (never a pass), and a replica
/// or a launch permission whose parent another stack manages judged on a placeholder,
/// with the note saying so.
#[test]
fn terraform_1_11_provider_v5_tables_log_groups_and_images() {
    let name = "tf1.11-aws5-data-stores.json";
    let (all, not_evaluated, planned) = verdicts(name);
    let judged: BTreeMap<(String, String), Status> = all
        .into_iter()
        .filter(|((rule, _), s)| {
            !matches!(s, Status::NotApplicable | Status::Manual)
                && !rule.starts_with("encryption.kms")
                && !rule.starts_with("residency.kms")
        })
        .collect();
    let t = "aws_dynamodb_table";
    assert_eq!(
        judged,
        expect(&[
            // A customer key, recovery on, no replica.
            (
                "backup.dynamodb-point-in-time-recovery",
                &format!("{t}.orders"),
                Pass
            ),
            ("encryption.dynamodb-kms-cmk", &format!("{t}.orders"), Pass),
            ("residency.dynamodb-region", &format!("{t}.orders"), Pass),
            // The key is known only after apply: UNKNOWN, never a pass.
            (
                "backup.dynamodb-point-in-time-recovery",
                &format!("{t}.audit"),
                Pass
            ),
            (
                "encryption.dynamodb-kms-cmk",
                &format!("{t}.audit"),
                Unknown
            ),
            ("residency.dynamodb-region", &format!("{t}.audit"), Pass),
            // The key AWS owns, no recovery, a replica in us-east-1.
            (
                "backup.dynamodb-point-in-time-recovery",
                &format!("{t}.sessions"),
                Fail
            ),
            (
                "encryption.dynamodb-kms-cmk",
                &format!("{t}.sessions"),
                Fail
            ),
            ("residency.dynamodb-region", &format!("{t}.sessions"), Fail),
            // A replica in us-west-2 of a table another stack manages: its region fails
            // on the placeholder; what the table itself is, is not in the plan.
            (
                "backup.dynamodb-point-in-time-recovery",
                "aws_dynamodb_table_replica.legacy_us",
                Unknown
            ),
            (
                "encryption.dynamodb-kms-cmk",
                "aws_dynamodb_table_replica.legacy_us",
                Unknown
            ),
            (
                "residency.dynamodb-region",
                "aws_dynamodb_table_replica.legacy_us",
                Fail
            ),
            // Log groups: the planned key; none (the key the service owns); none either,
            // whatever the retention.
            (
                "encryption.log-group-kms-cmk",
                "aws_cloudwatch_log_group.app",
                Pass
            ),
            (
                "encryption.log-group-kms-cmk",
                "aws_cloudwatch_log_group.batch",
                Fail
            ),
            (
                "encryption.log-group-kms-cmk",
                "aws_cloudwatch_log_group.debug",
                Fail
            ),
            (
                "residency.log-group-region",
                "aws_cloudwatch_log_group.app",
                Pass
            ),
            (
                "residency.log-group-region",
                "aws_cloudwatch_log_group.batch",
                Pass
            ),
            (
                "residency.log-group-region",
                "aws_cloudwatch_log_group.debug",
                Pass
            ),
            // Images: registered from an encrypted snapshot and made public; a copy
            // shared with an account the profile does not name (its devices are made at
            // apply); everyone allowed to launch an image another stack manages.
            ("encryption.ami-snapshots-encrypted", "aws_ami.golden", Pass),
            ("residency.ami-launch-permissions", "aws_ami.golden", Fail),
            (
                "encryption.ami-snapshots-encrypted",
                "aws_ami_copy.golden_dr",
                Unknown
            ),
            (
                "residency.ami-launch-permissions",
                "aws_ami_copy.golden_dr",
                Fail
            ),
            (
                "encryption.ami-snapshots-encrypted",
                "aws_ami_launch_permission.base_public",
                Unknown
            ),
            (
                "residency.ami-launch-permissions",
                "aws_ami_launch_permission.base_public",
                Fail
            ),
        ])
    );
    // Images made after apply (backups) are not in a plan: the rule asking whether each
    // instance has one is not evaluated, rather than failed.
    assert!(not_evaluated.contains(&"backup.ami-per-instance".to_string()));
    // Retention as planned: 400 days; 0 is "never expire" (null, as AWS states it); a
    // value known only after apply is unknown.
    let group = |address: &str| {
        planned
            .snapshot
            .resources
            .iter()
            .find(|r| r.id == address)
            .unwrap_or_else(|| panic!("{address}"))
    };
    let retention = |address: &str| match &group(address).attributes {
        assay::snapshot::Attributes::LogGroup(g) => g.retention_days,
        other => panic!("{other:?}"),
    };
    assert_eq!(retention("aws_cloudwatch_log_group.app"), Some(400));
    assert_eq!(retention("aws_cloudwatch_log_group.debug"), None);
    assert!(
        group("aws_cloudwatch_log_group.batch")
            .unknown
            .iter()
            .any(|u| u.group == "retention_days"
                && u.reason.contains("retention_in_days is known after apply"))
    );
    // The parents outside the plan are named.
    let notes: Vec<&str> = planned.notes.iter().map(|n| n.address.as_str()).collect();
    assert_eq!(
        notes,
        [
            "aws_dynamodb_table_replica.legacy_us",
            "aws_ami_launch_permission.base_public"
        ]
    );
    assert!(
        planned.notes[1]
            .note
            .contains("image `ami-0aaaabbbbccccdddd` outside the plan")
    );
    assert_eq!(exit_code(name), 1);
}

/// Redshift clusters (and a snapshot copy of a cluster another stack manages), ElastiCache
/// replication groups (a global datastore with its secondary in us-east-1), a Memcached
/// cluster and a replication group's node, and OpenSearch domains in a plan (provider v5):
/// each judged as a live scan judges it, a value known only after apply or left to a
/// default that changed between provider generations UNKNOWN (never a pass).
#[test]
fn terraform_1_11_provider_v5_warehouses_caches_and_search_domains() {
    let name = "tf1.11-aws5-warehouses-caches-search.json";
    let (all, not_evaluated, planned) = verdicts(name);
    let judged: BTreeMap<(String, String), Status> = all
        .into_iter()
        .filter(|((rule, _), s)| {
            !matches!(s, Status::NotApplicable | Status::Manual)
                && !rule.starts_with("encryption.kms")
                && !rule.starts_with("residency.kms")
        })
        .collect();
    let (rs, ec, os) = (
        "aws_redshift_cluster",
        "aws_elasticache_replication_group",
        "aws_opensearch_domain",
    );
    let copy = "aws_redshift_snapshot_copy.ledger";
    assert_eq!(
        judged,
        expect(&[
            // A planned rotating key, private, a week of snapshots copied to us-east-1.
            (
                "encryption.redshift-kms-cmk",
                &format!("{rs}.warehouse"),
                Pass
            ),
            (
                "network.redshift-not-public",
                &format!("{rs}.warehouse"),
                Pass
            ),
            (
                "backup.redshift-snapshot-retention",
                &format!("{rs}.warehouse"),
                Pass
            ),
            (
                "residency.redshift-region",
                &format!("{rs}.warehouse"),
                Pass
            ),
            (
                "residency.redshift-snapshot-copy-region",
                &format!("{rs}.warehouse"),
                Fail
            ),
            // Unencrypted, public, one day of snapshots.
            (
                "encryption.redshift-kms-cmk",
                &format!("{rs}.scratch"),
                Fail
            ),
            (
                "network.redshift-not-public",
                &format!("{rs}.scratch"),
                Fail
            ),
            (
                "backup.redshift-snapshot-retention",
                &format!("{rs}.scratch"),
                Fail
            ),
            ("residency.redshift-region", &format!("{rs}.scratch"), Pass),
            (
                "residency.redshift-snapshot-copy-region",
                &format!("{rs}.scratch"),
                Pass
            ),
            // The account's default key and the provider's default public access: not in
            // the plan.
            (
                "encryption.redshift-kms-cmk",
                &format!("{rs}.reporting"),
                Unknown
            ),
            (
                "network.redshift-not-public",
                &format!("{rs}.reporting"),
                Unknown
            ),
            (
                "backup.redshift-snapshot-retention",
                &format!("{rs}.reporting"),
                Pass
            ),
            (
                "residency.redshift-region",
                &format!("{rs}.reporting"),
                Pass
            ),
            (
                "residency.redshift-snapshot-copy-region",
                &format!("{rs}.reporting"),
                Pass
            ),
            // A copy to eu-west-1 of a cluster another stack manages: its destination fails
            // on the placeholder; the cluster itself is not in the plan.
            ("encryption.redshift-kms-cmk", copy, Unknown),
            ("network.redshift-not-public", copy, Unknown),
            ("backup.redshift-snapshot-retention", copy, Unknown),
            ("residency.redshift-region", copy, Pass),
            ("residency.redshift-snapshot-copy-region", copy, Fail),
            // A planned key, TLS, a week of snapshots, no global datastore.
            (
                "encryption.elasticache-kms-cmk",
                &format!("{ec}.sessions"),
                Pass
            ),
            (
                "encryption.elasticache-in-transit",
                &format!("{ec}.sessions"),
                Pass
            ),
            (
                "backup.elasticache-snapshot-retention",
                &format!("{ec}.sessions"),
                Pass
            ),
            (
                "residency.elasticache-region",
                &format!("{ec}.sessions"),
                Pass
            ),
            (
                "residency.elasticache-global-datastore-regions",
                &format!("{ec}.sessions"),
                Pass
            ),
            // The primary of a global datastore whose secondary is in us-east-1.
            (
                "encryption.elasticache-kms-cmk",
                &format!("{ec}.carts"),
                Fail
            ),
            (
                "encryption.elasticache-in-transit",
                &format!("{ec}.carts"),
                Fail
            ),
            (
                "backup.elasticache-snapshot-retention",
                &format!("{ec}.carts"),
                Fail
            ),
            ("residency.elasticache-region", &format!("{ec}.carts"), Pass),
            (
                "residency.elasticache-global-datastore-regions",
                &format!("{ec}.carts"),
                Fail
            ),
            // The secondary: its settings come from the global datastore after apply.
            (
                "encryption.elasticache-kms-cmk",
                &format!("{ec}.carts_us"),
                Unknown
            ),
            (
                "encryption.elasticache-in-transit",
                &format!("{ec}.carts_us"),
                Unknown
            ),
            (
                "backup.elasticache-snapshot-retention",
                &format!("{ec}.carts_us"),
                Fail
            ),
            (
                "residency.elasticache-region",
                &format!("{ec}.carts_us"),
                Fail
            ),
            (
                "residency.elasticache-global-datastore-regions",
                &format!("{ec}.carts_us"),
                Pass
            ),
            // Memcached: no encryption at rest, no TLS, nothing to snapshot.
            (
                "encryption.elasticache-kms-cmk",
                "aws_elasticache_cluster.pages",
                Fail
            ),
            (
                "encryption.elasticache-in-transit",
                "aws_elasticache_cluster.pages",
                Fail
            ),
            (
                "backup.elasticache-snapshot-retention",
                "aws_elasticache_cluster.pages",
                Pass
            ),
            (
                "residency.elasticache-region",
                "aws_elasticache_cluster.pages",
                Pass
            ),
            // A planned key in a VPC (whose id is known after apply).
            (
                "encryption.opensearch-kms-cmk",
                &format!("{os}.search"),
                Pass
            ),
            (
                "encryption.opensearch-in-transit",
                &format!("{os}.search"),
                Pass
            ),
            (
                "network.opensearch-not-public",
                &format!("{os}.search"),
                Unknown
            ),
            ("residency.opensearch-region", &format!("{os}.search"), Pass),
            // Unencrypted, public and open to anyone.
            ("encryption.opensearch-kms-cmk", &format!("{os}.logs"), Fail),
            (
                "encryption.opensearch-in-transit",
                &format!("{os}.logs"),
                Fail
            ),
            ("network.opensearch-not-public", &format!("{os}.logs"), Fail),
            ("residency.opensearch-region", &format!("{os}.logs"), Pass),
            // The AWS managed key aws/es; its access policy known after apply.
            (
                "encryption.opensearch-kms-cmk",
                &format!("{os}.catalogue"),
                Fail
            ),
            (
                "encryption.opensearch-in-transit",
                &format!("{os}.catalogue"),
                Pass
            ),
            (
                "network.opensearch-not-public",
                &format!("{os}.catalogue"),
                Unknown
            ),
            (
                "residency.opensearch-region",
                &format!("{os}.catalogue"),
                Pass
            ),
        ])
    );
    // Snapshots are taken after apply: the rule on them alone is not evaluated.
    assert!(not_evaluated.contains(&"residency.redshift-snapshot-sharing".to_string()));
    // The node of a replication group is judged as its group; the parent outside the plan
    // is named.
    let notes: Vec<&str> = planned.notes.iter().map(|n| n.address.as_str()).collect();
    assert_eq!(
        notes,
        [
            "aws_elasticache_cluster.sessions_reader",
            "aws_redshift_snapshot_copy.ledger"
        ]
    );
    assert!(
        planned.notes[1]
            .note
            .contains("Redshift cluster `ledger` outside the plan")
    );
    assert_eq!(exit_code(name), 1);
}

/// SQS queues, SNS topics, Kinesis streams, ECR repositories and Lambda functions in a
/// plan (provider v5): each judged as a live scan judges it; a queue whose SSE-SQS and
/// policy are known only after apply, and a repository whose policy no resource of the
/// plan sets, are UNKNOWN (never a pass); an attached queue, topic or repository policy
/// and the registry's replication complete the resources they name.
#[test]
fn terraform_1_11_provider_v5_queues_topics_streams_repositories_functions() {
    let name = "tf1.11-aws5-queues-topics-repositories.json";
    let (all, _not_evaluated, planned) = verdicts(name);
    let judged: BTreeMap<(String, String), Status> = all
        .into_iter()
        .filter(|((rule, _), s)| {
            !matches!(s, Status::NotApplicable | Status::Manual)
                && !rule.starts_with("encryption.kms")
                && !rule.starts_with("residency.kms")
        })
        .collect();
    let (q, t, k, r, l) = (
        "aws_sqs_queue",
        "aws_sns_topic",
        "aws_kinesis_stream",
        "aws_ecr_repository",
        "aws_lambda_function",
    );
    let sharing = "residency.resource-policy-sharing";
    let rows: Vec<(String, String, Status)> = vec![
        // The planned customer key, no policy: all pass.
        ("encryption.sqs-queue-kms-cmk", format!("{q}.orders"), Pass),
        ("residency.sqs-queue-region", format!("{q}.orders"), Pass),
        (sharing, format!("{q}.orders"), Pass),
        // SSE-SQS (no KMS key), read by another account (aws_sqs_queue_policy).
        ("encryption.sqs-queue-kms-cmk", format!("{q}.jobs"), Fail),
        ("residency.sqs-queue-region", format!("{q}.jobs"), Pass),
        (sharing, format!("{q}.jobs"), Fail),
        // Neither key nor SSE-SQS set: AWS decides after apply; a policy from a data
        // source known only after apply.
        (
            "encryption.sqs-queue-kms-cmk",
            format!("{q}.legacy"),
            Unknown,
        ),
        ("residency.sqs-queue-region", format!("{q}.legacy"), Pass),
        (sharing, format!("{q}.legacy"), Unknown),
        // The AWS managed key alias/aws/sns; AWS's default policy.
        ("encryption.sns-topic-kms-cmk", format!("{t}.alerts"), Fail),
        ("residency.sns-topic-region", format!("{t}.alerts"), Pass),
        (sharing, format!("{t}.alerts"), Pass),
        // No key; anyone may subscribe (aws_sns_topic_policy).
        ("encryption.sns-topic-kms-cmk", format!("{t}.events"), Fail),
        ("residency.sns-topic-region", format!("{t}.events"), Pass),
        (sharing, format!("{t}.events"), Fail),
        (
            "encryption.kinesis-stream-kms-cmk",
            format!("{k}.clicks"),
            Pass,
        ),
        (
            "residency.kinesis-stream-region",
            format!("{k}.clicks"),
            Pass,
        ),
        (
            "encryption.kinesis-stream-kms-cmk",
            format!("{k}.audit"),
            Fail,
        ),
        (
            "residency.kinesis-stream-region",
            format!("{k}.audit"),
            Pass,
        ),
        // The customer key; the registry copies `app-` repositories to us-east-1; public
        // pull (aws_ecr_repository_policy).
        (
            "encryption.ecr-repository-kms-cmk",
            format!("{r}.api"),
            Pass,
        ),
        ("residency.ecr-repository-region", format!("{r}.api"), Fail),
        (sharing, format!("{r}.api"), Fail),
        // ECR's own keys; not replicated; no policy resource in the plan.
        (
            "encryption.ecr-repository-kms-cmk",
            format!("{r}.tools"),
            Fail,
        ),
        (
            "residency.ecr-repository-region",
            format!("{r}.tools"),
            Pass,
        ),
        (sharing, format!("{r}.tools"), Unknown),
        (
            "encryption.lambda-environment-kms-cmk",
            format!("{l}.api"),
            Pass,
        ),
        ("residency.lambda-function-region", format!("{l}.api"), Pass),
        (
            "encryption.lambda-environment-kms-cmk",
            format!("{l}.legacy"),
            Fail,
        ),
        (
            "residency.lambda-function-region",
            format!("{l}.legacy"),
            Pass,
        ),
    ]
    .into_iter()
    .map(|(rule, address, s)| (rule.to_string(), address, s))
    .collect();
    let rows: Vec<(&str, &str, Status)> = rows
        .iter()
        .map(|(rule, address, s)| (rule.as_str(), address.as_str(), *s))
        .collect();
    assert_eq!(judged, expect(&rows));
    let resource = |address: &str| {
        planned
            .snapshot
            .resources
            .iter()
            .find(|r| r.id == address)
            .unwrap_or_else(|| panic!("{address}"))
    };
    let legacy = resource("aws_sqs_queue.legacy");
    assert!(
        legacy
            .unknown
            .iter()
            .any(|u| u.group == "encryption" && u.reason.contains("sqs_managed_sse_enabled")),
        "{:?}",
        legacy.unknown
    );
    match &resource("aws_ecr_repository.api").attributes {
        assay::snapshot::Attributes::EcrRepository(repo) => {
            assert_eq!(repo.replica_regions, ["us-east-1"]);
            assert!(repo.replica_accounts.is_empty(), "its own registry");
        }
        other => panic!("{other:?}"),
    }
    match &resource("aws_lambda_function.legacy").attributes {
        assay::snapshot::Attributes::LambdaFunction(f) => {
            assert_eq!((f.environment_variables, f.aws_managed_key), (1, true));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(exit_code(name), 1);
}

/// EBS and RDS snapshots Terraform takes, their copies and who they are shared with
/// (provider v5): a create-volume permission for everyone, DB snapshots shared with
/// everyone and with an account the profile does not trust, an unencrypted copy, each
/// FAILing the rule a live scan would fail; a snapshot's encryption is its volume's or
/// instance's in the plan, a copy's its source's; a permission on a snapshot another stack
/// manages is judged on a placeholder and named as read in part. The database password
/// and the sensitive output are in no output.
#[test]
fn terraform_1_11_provider_v5_snapshots_sharing_and_sensitive_values() {
    let name = "tf1.11-aws5-snapshots-sensitive.json";
    let (all, not_evaluated, planned) = verdicts(name);
    let judged: BTreeMap<(String, String), Status> = all
        .into_iter()
        .filter(|((rule, _), s)| {
            !matches!(s, Status::NotApplicable | Status::Manual)
                && !rule.starts_with("encryption.kms")
                && !rule.starts_with("residency.kms")
        })
        .collect();
    let (ebs_kms, ebs_share, ebs_region) = (
        "encryption.ebs-snapshot-kms-cmk",
        "residency.ebs-snapshot-sharing",
        "residency.ebs-region",
    );
    let (rds_kms, rds_share, rds_region) = (
        "encryption.rds-snapshot-kms-cmk",
        "residency.rds-snapshot-sharing",
        "residency.rds-region",
    );
    let outside = "aws_snapshot_create_volume_permission.legacy_partner";
    let rows: Vec<(&str, &str, Status)> = vec![
        // The volumes: one on the planned customer key, one unencrypted.
        ("encryption.ebs-volume-kms-cmk", "aws_ebs_volume.data", Pass),
        (
            "encryption.ebs-volume-kms-cmk",
            "aws_ebs_volume.scratch",
            Fail,
        ),
        (ebs_region, "aws_ebs_volume.data", Pass),
        (ebs_region, "aws_ebs_volume.scratch", Pass),
        // A snapshot of the encrypted volume has its key; made public by a permission.
        (ebs_kms, "aws_ebs_snapshot.data", Pass),
        (ebs_share, "aws_ebs_snapshot.data", Fail),
        (ebs_region, "aws_ebs_snapshot.data", Pass),
        // A snapshot of the unencrypted volume, and a copy of it with `encrypted = false`.
        (ebs_kms, "aws_ebs_snapshot.scratch", Fail),
        (ebs_share, "aws_ebs_snapshot.scratch", Pass),
        (ebs_region, "aws_ebs_snapshot.scratch", Pass),
        (ebs_kms, "aws_ebs_snapshot_copy.scratch_copy", Fail),
        (ebs_share, "aws_ebs_snapshot_copy.scratch_copy", Pass),
        (ebs_region, "aws_ebs_snapshot_copy.scratch_copy", Pass),
        // A snapshot another stack manages, shared with an account the profile does not
        // trust: the sharing FAILs on the placeholder; its encryption is not in the plan.
        (ebs_kms, outside, Unknown),
        (ebs_share, outside, Fail),
        (ebs_region, outside, Pass),
        // The instance.
        (
            "backup.rds-retention-period",
            "aws_db_instance.orders",
            Pass,
        ),
        (
            "backup.database-restore-window",
            "aws_db_instance.orders",
            Unknown,
        ),
        (
            "encryption.rds-instance-kms-cmk",
            "aws_db_instance.orders",
            Pass,
        ),
        (rds_region, "aws_db_instance.orders", Pass),
        (
            "residency.rds-replica-regions",
            "aws_db_instance.orders",
            Pass,
        ),
        // Its snapshots have its key; one shared with everyone, one with a partner.
        (rds_kms, "aws_db_snapshot.orders_public", Pass),
        (rds_share, "aws_db_snapshot.orders_public", Fail),
        (rds_region, "aws_db_snapshot.orders_public", Pass),
        (rds_kms, "aws_db_snapshot.orders_partner", Pass),
        (rds_share, "aws_db_snapshot.orders_partner", Fail),
        (rds_region, "aws_db_snapshot.orders_partner", Pass),
        // A copy without `kms_key_id` keeps its source's key, and shares with nobody.
        (rds_kms, "aws_db_snapshot_copy.orders_partner_copy", Pass),
        (rds_share, "aws_db_snapshot_copy.orders_partner_copy", Pass),
        (rds_region, "aws_db_snapshot_copy.orders_partner_copy", Pass),
        // A cluster snapshot made public; its cluster's encryption is not in the plan.
        (rds_kms, "aws_db_cluster_snapshot.ledger", Unknown),
        (rds_share, "aws_db_cluster_snapshot.ledger", Fail),
        (rds_region, "aws_db_cluster_snapshot.ledger", Pass),
    ];
    assert_eq!(judged, expect(&rows));
    // Snapshots made after apply (backups, AWS's automated ones) are not in a plan: rules
    // asking whether each volume or database has them are not evaluated, rather than
    // failed.
    for rule in [
        "backup.ebs-snapshots-per-volume",
        "backup.ebs-snapshot-copies",
        "backup.database-backups-per-class",
        "backup.database-backup-copies",
    ] {
        assert!(
            not_evaluated.contains(&rule.to_string()),
            "{rule}: {not_evaluated:?}"
        );
    }
    let resource = |address: &str| {
        planned
            .snapshot
            .resources
            .iter()
            .find(|r| r.id.starts_with(address))
            .unwrap_or_else(|| panic!("{address}"))
    };
    match &resource("aws_db_snapshot.orders_public").attributes {
        assay::snapshot::Attributes::RdsSnapshot(s) => {
            assert_eq!(s.shared_with, ["all"]);
            assert_eq!(s.db_instance_id, "orders");
            assert_eq!(s.snapshot_type, "manual");
            assert_eq!(
                s.encryption.as_ref().and_then(|e| e.kms_key_arn.as_deref()),
                Some("terraform:aws_kms_key.backup")
            );
        }
        other => panic!("{other:?}"),
    }
    match &resource("aws_ebs_snapshot.data").attributes {
        assay::snapshot::Attributes::EbsSnapshot(s) => {
            assert_eq!(s.shared_with, ["all"]);
            assert_eq!(s.volume_id.as_deref(), Some("aws_ebs_volume.data"));
        }
        other => panic!("{other:?}"),
    }
    let ledger = resource("aws_db_cluster_snapshot.ledger");
    assert!(
        ledger
            .unknown
            .iter()
            .any(|u| u.group == "encryption" && u.reason.contains("aws_rds_cluster")),
        "{:?}",
        ledger.unknown
    );
    // The snapshot outside the plan is said plainly.
    let notes: Vec<&str> = planned.notes.iter().map(|n| n.address.as_str()).collect();
    assert_eq!(notes, [outside]);
    assert!(
        planned.notes[0]
            .note
            .contains("snapshot `snap-0fedcba9876543210` outside the plan"),
        "{}",
        planned.notes[0].note
    );
    // The gate blocks, and no output holds the password or the sensitive output.
    let (code, stdout, stderr, out) = gate(&corpus(name), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let kept = out.path().join("plan-snapshot.json");
    let (code, _, stderr) = assay(&[
        "plan",
        corpus(name).to_str().expect("utf-8"),
        "-o",
        kept.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut files = 0;
    for entry in std::fs::read_dir(out.path()).expect("out dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("text");
        assert!(
            !text.contains("correct-horse-battery-staple"),
            "{} holds the password",
            path.display()
        );
        files += 1;
    }
    assert!(files > 1, "the gate wrote its reports");
    let text = std::fs::read_to_string(&kept).expect("snapshot");
    assert!(text.contains("(sensitive value removed by assay)"));
}

/// Secrets Manager secrets (provider v5): one on the planned customer key, one on the
/// AWS managed key `aws/secretsmanager` with a replica in us-east-1, one whose key comes
/// from a data source read only during apply; EFS file systems with their backup policies
/// and replication, one another stack manages; DB clusters on a planned key and
/// unencrypted in a global database. Each is judged as a live scan would judge it, what
/// only apply knows UNKNOWN, never a pass. The secret's value (a secret version holding a
/// sensitive variable) is in no output.
#[test]
fn terraform_1_11_provider_v5_secrets_file_systems_and_db_clusters() {
    let name = "tf1.11-aws5-secrets-files-clusters.json";
    let (all, _, planned) = verdicts(name);
    let judged: BTreeMap<(String, String), Status> = all
        .into_iter()
        .filter(|((rule, _), s)| {
            !matches!(s, Status::NotApplicable | Status::Manual)
                && !rule.starts_with("encryption.kms")
                && !rule.starts_with("residency.kms")
        })
        .collect();
    let (kms, region) = ("encryption.secret-kms-cmk", "residency.secret-region");
    let (efs_kms, efs_backups, efs_region) = (
        "encryption.efs-kms-cmk",
        "backup.efs-automatic-backups",
        "residency.efs-region",
    );
    let legacy = "aws_efs_backup_policy.legacy";
    let rows: Vec<(&str, &str, Status)> = vec![
        (kms, "aws_secretsmanager_secret.db", Pass),
        (region, "aws_secretsmanager_secret.db", Pass),
        (kms, "aws_secretsmanager_secret.api_token", Fail),
        (region, "aws_secretsmanager_secret.api_token", Fail),
        (kms, "aws_secretsmanager_secret.partner", Unknown),
        (region, "aws_secretsmanager_secret.partner", Pass),
        // A file system on the planned customer key, backed up, replicated to us-east-1.
        (efs_kms, "aws_efs_file_system.shared", Pass),
        (efs_backups, "aws_efs_file_system.shared", Pass),
        (efs_region, "aws_efs_file_system.shared", Fail),
        // An unencrypted one without a backup policy in the plan.
        (efs_kms, "aws_efs_file_system.scratch", Fail),
        (efs_backups, "aws_efs_file_system.scratch", Unknown),
        (efs_region, "aws_efs_file_system.scratch", Pass),
        // Backups turned off on a file system another stack manages: judged on a
        // placeholder, whose encryption and replication are not in the plan.
        (efs_kms, legacy, Unknown),
        (efs_backups, legacy, Fail),
        (efs_region, legacy, Unknown),
        // A DB cluster on the planned customer key, and its snapshot, which has its key.
        (
            "encryption.rds-cluster-kms-cmk",
            "aws_rds_cluster.ledger",
            Pass,
        ),
        (
            "backup.rds-retention-period",
            "aws_rds_cluster.ledger",
            Pass,
        ),
        (
            "backup.database-restore-window",
            "aws_rds_cluster.ledger",
            Unknown,
        ),
        ("residency.rds-region", "aws_rds_cluster.ledger", Pass),
        (
            "residency.rds-replica-regions",
            "aws_rds_cluster.ledger",
            Pass,
        ),
        (
            "encryption.rds-snapshot-kms-cmk",
            "aws_db_cluster_snapshot.ledger",
            Pass,
        ),
        (
            "residency.rds-snapshot-sharing",
            "aws_db_cluster_snapshot.ledger",
            Pass,
        ),
        (
            "residency.rds-region",
            "aws_db_cluster_snapshot.ledger",
            Pass,
        ),
        // An unencrypted one keeping backups a day, a member of a global database whose
        // other members' regions the plan does not show.
        (
            "encryption.rds-cluster-kms-cmk",
            "aws_rds_cluster.reports",
            Fail,
        ),
        (
            "backup.rds-retention-period",
            "aws_rds_cluster.reports",
            Fail,
        ),
        (
            "backup.database-restore-window",
            "aws_rds_cluster.reports",
            Unknown,
        ),
        ("residency.rds-region", "aws_rds_cluster.reports", Pass),
        (
            "residency.rds-replica-regions",
            "aws_rds_cluster.reports",
            Unknown,
        ),
    ];
    assert_eq!(judged, expect(&rows));
    let resource = |address: &str| {
        planned
            .snapshot
            .resources
            .iter()
            .find(|r| r.id.starts_with(address))
            .unwrap_or_else(|| panic!("{address}"))
    };
    match &resource("aws_secretsmanager_secret.api_token").attributes {
        assay::snapshot::Attributes::Secret(s) => {
            assert!(s.aws_managed_key);
            assert_eq!(s.replica_regions, ["us-east-1"]);
            assert_eq!(s.primary_region.as_deref(), Some("ap-southeast-2"));
        }
        other => panic!("{other:?}"),
    }
    let partner = resource("aws_secretsmanager_secret.partner");
    assert!(
        partner
            .unknown
            .iter()
            .any(|u| u.group == "encryption" && u.reason.contains("kms_key_id")),
        "{:?}",
        partner.unknown
    );
    match &resource("aws_efs_file_system.shared").attributes {
        assay::snapshot::Attributes::EfsFileSystem(fs) => {
            assert_eq!(fs.replica_regions, ["us-east-1"]);
            assert_eq!(fs.automatic_backups, Some(true));
            assert_eq!(
                fs.encryption
                    .as_ref()
                    .and_then(|e| e.kms_key_arn.as_deref()),
                Some("terraform:aws_kms_key.files")
            );
        }
        other => panic!("{other:?}"),
    }
    match &resource("aws_db_cluster_snapshot.ledger").attributes {
        assay::snapshot::Attributes::RdsClusterSnapshot(s) => assert_eq!(
            s.encryption.as_ref().and_then(|e| e.kms_key_arn.as_deref()),
            Some("terraform:aws_kms_key.ledger")
        ),
        other => panic!("{other:?}"),
    }
    match &resource("aws_rds_cluster.reports").attributes {
        assay::snapshot::Attributes::RdsCluster(c) => {
            assert_eq!(c.global_cluster_id.as_deref(), Some("reports-global"))
        }
        other => panic!("{other:?}"),
    }
    // The file system outside the plan is said plainly.
    let notes: Vec<&str> = planned.notes.iter().map(|n| n.address.as_str()).collect();
    assert_eq!(notes, [legacy]);
    assert!(
        planned.notes[0].note.contains("fs-0123456789abcdef0"),
        "{}",
        planned.notes[0].note
    );
    // The gate blocks, and no output holds the secret's value.
    let (code, stdout, stderr, out) = gate(&corpus(name), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let kept = out.path().join("plan-snapshot.json");
    let (code, _, stderr) = assay(&[
        "plan",
        corpus(name).to_str().expect("utf-8"),
        "-o",
        kept.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    for entry in std::fs::read_dir(out.path()).expect("out dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("text");
        assert!(
            !text.contains("hunter2-not-in-any-output"),
            "{} holds the secret's value",
            path.display()
        );
    }
}
