//! The registry of resource types (`src/snapshot/registry.rs`) against what is written
//! elsewhere by hand: the bundled residency rules the attestation quotes, the snapshot
//! documentation and the published JSON Schema. A type registered without them fails
//! here, so a new service cannot forget them.

use std::collections::BTreeSet;

use assay::rules::load::load_pack;
use assay::snapshot::registry::data_stores;
use assay::snapshot::resources::TYPES;

use crate::{root, rules_dir};

/// Every data store's region rule is a bundled rule on that type with a `region-allowed`
/// assertion, so the attestation never quotes a rule that does not exist.
#[test]
fn every_data_store_has_a_bundled_region_rule_on_its_type() {
    let mut sources = assay::diag::Sources::default();
    let (pack, diags) = load_pack(&rules_dir(), &mut sources);
    let pack = pack.unwrap_or_else(|| panic!("the bundled rules load: {diags:?}"));
    for (type_name, store) in data_stores() {
        let rule = pack
            .rules
            .iter()
            .find(|r| r.id == store.region_rule)
            .unwrap_or_else(|| panic!("{type_name}: no rule {}", store.region_rule));
        assert!(
            rule.resource_types.iter().any(|t| t == type_name),
            "{}: does not judge {type_name}",
            rule.id
        );
        assert!(
            rule.assertions.iter().any(|a| a.name == "region-allowed"),
            "{}: no region-allowed assertion",
            rule.id
        );
    }
}

/// `docs/snapshot.md` has one row per registered type in its table of resource types,
/// naming the registry's service, and no row for a type that is not registered.
#[test]
fn the_snapshot_documentation_lists_every_registered_type() {
    let doc = std::fs::read_to_string(root().join("docs/snapshot.md")).expect("docs/snapshot.md");
    let rows: Vec<(String, String)> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `aws_"))
        .filter_map(|rest| {
            let mut cells = rest.split('|');
            let name = format!("aws_{}", cells.next()?.trim().trim_end_matches('`'));
            Some((name, cells.next()?.trim().to_string()))
        })
        .collect();
    let documented: BTreeSet<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    let registered: BTreeSet<&str> = TYPES.iter().map(|t| t.name).collect();
    assert_eq!(
        documented, registered,
        "docs/snapshot.md's resource types differ from the registry"
    );
    for t in TYPES {
        assert!(
            rows.iter().any(|(n, s)| n == t.name && s == t.service),
            "docs/snapshot.md: {} should name service {}",
            t.name,
            t.service
        );
    }
}

/// The published schema (itself checked against the generated one in
/// `snapshot_integrity`) names every registered type.
#[test]
fn the_published_schema_names_every_registered_type() {
    let schema = std::fs::read_to_string(root().join("docs/snapshot.schema.json"))
        .expect("docs/snapshot.schema.json");
    for t in TYPES {
        assert!(
            schema.contains(&format!("\"{}\"", t.name)),
            "docs/snapshot.schema.json does not name {}",
            t.name
        );
    }
}

/// Every residency assertion a registry copy lister quotes for the sample's copies is a
/// bundled rule's, on that type (the unit self-check in `snapshot/copies.rs` reads the
/// rule files as text, below the rule loader's layer; this one loads the pack).
#[test]
fn every_copy_verdict_quoted_is_a_bundled_assertion_on_its_type() {
    use assay::snapshot::copies::Judge;
    let mut sources = assay::diag::Sources::default();
    let (pack, diags) = load_pack(&rules_dir(), &mut sources);
    let pack = pack.unwrap_or_else(|| panic!("the bundled rules load: {diags:?}"));
    let snapshot =
        assay::snapshot::Snapshot::load(&root().join("samples/aws-sample/snapshot.json")).unwrap();
    let mut quoted = BTreeSet::new();
    for r in &snapshot.resources {
        for c in r.attributes.copies() {
            if let Judge::Assertion { rule, assertion } = c.judged_by {
                quoted.insert((r.type_name(), rule, assertion));
            }
        }
    }
    assert!(quoted.len() >= 10, "{quoted:?}");
    for (type_name, rule, assertion) in quoted {
        let found = pack
            .rules
            .iter()
            .find(|r| r.id == rule)
            .unwrap_or_else(|| panic!("{type_name}: no rule {rule}"));
        assert!(
            found.resource_types.iter().any(|t| t == type_name),
            "{rule} does not judge {type_name}"
        );
        assert!(
            found.assertions.iter().any(|a| a.name == assertion),
            "{rule} has no assertion {assertion}"
        );
    }
}
