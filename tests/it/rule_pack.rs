//! The bundled rule pack: it loads cleanly, every rule's fixtures pass, every rule has
//! fixtures, and the framework catalogues are complete.

use assay::diag::Sources;
use assay::pipeline::fixtures;
use assay::rules::load::load_pack;

use crate::rules_dir;

fn pack() -> assay::rules::RulePack {
    let mut sources = Sources::default();
    let (pack, diags) = load_pack(&rules_dir(), &mut sources);
    let rendered = diags.render_plain(&sources);
    assert!(
        !diags.has_errors(),
        "the bundled rules have errors:\n{rendered}"
    );
    pack.expect("no errors means a pack")
}

#[test]
fn every_rule_passes_its_fixtures() {
    let pack = pack();
    let results = fixtures::run_all(&pack, None);
    let failures: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.failures
                .iter()
                .map(move |f| format!("{}: {f}", r.rule_id))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} fixture failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(results.len(), pack.rules.len());
}

#[test]
fn a_rule_without_fixtures_fails_the_suite() {
    let pack = pack();
    let mut rule = pack.rules[0].clone();
    rule.path = rule.path.with_file_name("no-such-rule.yaml");
    let result = fixtures::run_rule(&pack, &rule);
    assert!(
        result.failures.iter().any(|f| f.contains("no fixtures")),
        "{:?}",
        result.failures
    );
}

#[test]
fn catalogues_are_complete() {
    let pack = pack();
    let count = |id: &str| pack.framework(id).map(|f| f.controls.len());
    assert_eq!(count("iso27001-2022"), Some(93));
    assert_eq!(count("iso27001-2013"), Some(114));
    let gdpr = pack.framework("gdpr").expect("gdpr catalogue");
    for id in [
        "Art.5(1)(e)",
        "Art.5(1)(f)",
        "Art.25(1)",
        "Art.28(3)",
        "Art.30(1)",
        "Art.32(1)(a)",
        "Art.32(1)(b)",
        "Art.32(1)(c)",
        "Art.32(1)(d)",
        "Art.33(1)",
        "Art.44",
        "Art.45(1)",
        "Art.46(1)",
    ] {
        assert!(gdpr.control(id).is_some(), "GDPR {id} missing");
    }
    for f in &pack.frameworks {
        assert!(f.problems().is_empty(), "{}: {:?}", f.id, f.problems());
    }
}

#[test]
fn every_rule_is_mapped_and_documented() {
    let pack = pack();
    for rule in &pack.rules {
        assert!(
            rule.controls.values().any(|ids| !ids.is_empty()),
            "{} maps to nothing",
            rule.id
        );
        assert!(
            !rule.doc.what.trim().is_empty() && !rule.doc.remediation.trim().is_empty(),
            "{} undocumented",
            rule.id
        );
    }
}

#[test]
fn the_rule_set_covers_every_family_of_the_mission() {
    let pack = pack();
    for domain in [
        "encryption.",
        "residency.",
        "backup.",
        "iam.",
        "network.",
        "logging.",
        "manual.",
    ] {
        let n = pack
            .rules
            .iter()
            .filter(|r| r.id.starts_with(domain))
            .count();
        assert!(n > 0, "no rule in {domain}");
    }
    assert!(pack.rules.len() >= 30, "only {} rules", pack.rules.len());
}

/// The change table (`src/changes/events.yaml`): each event name once, and each rule it
/// names a bundled rule judging the resource type the entry says.
#[test]
fn the_change_table_names_only_bundled_rules_on_their_own_types() {
    let pack = pack();
    let mut names = std::collections::HashSet::new();
    assert!(assay::changes::kinds().len() >= 30);
    for k in assay::changes::kinds() {
        assert!(names.insert(k.event.as_str()), "{} twice", k.event);
        assert!(k.source.ends_with(".amazonaws.com"), "{}", k.event);
        for t in &k.targets {
            if let Some(p) = &t.identifier {
                assert!(p.starts_with("/requestParameters/"), "{}", k.event);
            }
            for r in &t.rules {
                let rule = pack
                    .rule(r)
                    .unwrap_or_else(|| panic!("{}: no rule {r}", k.event));
                assert!(
                    rule.resource_types.contains(&t.resource_type),
                    "{}: {r} does not judge {}",
                    k.event,
                    t.resource_type
                );
            }
        }
    }
}
