//! The seeds' claims (issue 16): every sentence of the two vendor statements the project
//! was founded on is either a claim of its sample profile or listed here as not a promise
//! about AWS (with the reason), and every claim about AWS is backed by a rule that reads
//! what exists in the account, or by a manual rule with a dated attestation that expires.
//! A claim backed only by rules that read configuration (a Backup plan's schedule, a
//! lifecycle rule, a retention setting) says what should happen, not what did: those
//! claims are listed by name below, so the list can only shrink.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use assay::profile::Profile;
use assay::rules::{RuleKind, RulePack};

use crate::root;

/// The two statements and the profiles that quote them.
const SEEDS: [(&str, &str); 2] = [
    ("000_6072ad9b7550c56d.txt", "samples/aeronet/profile.yaml"),
    (
        "001_67cff4ed9420ff6d.txt",
        "samples/air-maestro/profile.yaml",
    ),
];

/// Text of the statements that promises nothing about an AWS account, and why. Every
/// other word of a statement must be inside a claim's quote.
const NOT_PROMISES: [(&str, &str); 16] = [
    (
        "BACKUPS. REDUNDANCY. ARCHIVING,. SECURITY. DATA. INFRASTRUCTURE.",
        "headings",
    ),
    ("Compliance Information.", "heading"),
    (
        "Keeping multiple copies of a back up is called an archive. This enables us to restore last months version if any undesired data makes it to the backup.",
        "explains what an archive is",
    ),
    (
        "Keeping multiple copies of a backup is called an archive. This enables us to restore historical versions of your site if production data is corrupted or you require access to a version of your site at some previous point in time.",
        "explains what an archive is",
    ),
    (
        "Security is about protecting your data against physical and electronic attacks and unauthorized access.",
        "a definition",
    ),
    (
        "Data is both the records in the database and the attachments that make up your Aeronet (not including the source code or Aeronet's IP).",
        "a definition",
    ),
    (
        "Data is both the records in the database and the attachments that make up the Aeronet install excluding code.",
        "a definition",
    ),
    (
        "The included Aeronet data package is 1 GB.",
        "a commercial term (storage quota of the application)",
    ),
    (
        "Included Aeronet data package is 0 - 1 GB. Additional Options include: - 1 5 GB Data Package - 5 20 GB Data Package - > 20 GB Data Package",
        "commercial terms",
    ),
    (
        "Additional Options include (per month) - Available on request: Twice daily backups Database replication Daily data folder (including attachments) backups exceeding 1 GB Daily data folder (including attachments) backups exceeding 5 GB",
        "options offered, not promised (the profile leaves them off)",
    ),
    ("Included in subscription price:", "a heading"),
    (
        "Additional options include (per month): Monthly backups for a year Yearly backups for seven years Daily data folder (including attachments) backups exceeding 1 GB Daily data folder (including attachments) backups exceeding 5 GB",
        "options offered, not promised",
    ),
    (
        "(This also mitigates against DDOS attacks)",
        "the reason for the ban claim (an-failed-login-ban)",
    ),
    (
        "The following documents the physical security measure in place at AWS https://media.amazonwebservices.com/pdf/AWS_Security_Whitepaper.pdf Further information is available here... http://aws.amazon.com/security/",
        "links to AWS's own documents",
    ),
    (
        "Additional infrastructure options are available. Additional Options include: Additional production site Test site - Copy of Live site every new release Training site - A copy of Live site every night. Development site - Access to the latest code Dedicated server",
        "options offered, not promised",
    ),
    (
        "– (AWS Key Management Service (KMS) is a managed service that makes it easy for you to create and manage keys and control the use of encryption across a wide range of AWS services.",
        "describes the AWS service",
    ),
];

/// Section headings, removed word for word (once each, in any order) after the quotes.
const HEADINGS: &str = "Backups Archiving Security Data Infrastructure BACKUPS ARCHIVING SECURITY \
    Electronic: Physical: DATA INFRASTRUCTURE Compliance with Data Protection Regulations: \
    Data Encryption: Access Controls: Data Storage and Retention: Backup retention: \
    Server Image Backups: Third-Party Involvement:";

/// Claims that promise nothing an AWS API of the account can show, and why (they are
/// listed in the reports as not evaluated, or rest on manual evidence for the vendor).
const NOT_ABOUT_THE_ACCOUNT: [(&str, &str); 8] = [
    (
        "am-kms-fips",
        "a property of the AWS KMS service, not of this account",
    ),
    (
        "am-client-user-rights",
        "access control inside the application",
    ),
    ("am-client-sso", "an application feature"),
    (
        "an-attachments-saturday",
        "what the application puts in a backup",
    ),
    ("an-data-owned-by-subscriber", "contractual"),
    (
        "an-hosted-on-aws",
        "a description; the scan itself shows the account",
    ),
    (
        "an-housed-on-aws",
        "a description; no API lists infrastructure outside AWS",
    ),
    (
        "am-gdpr-iso",
        "staff training and the vendor's certification (manual evidence)",
    ),
];

/// Rules that read what an account is configured to do rather than what it holds: a
/// Backup plan's rules (schedule, retention, copy actions), a bucket's lifecycle, a
/// database's retention setting. A plan that says 42 days is kept whether or not a
/// single backup exists.
const CONFIGURATION_ONLY: [&str; 8] = [
    "backup.plan-daily-retention",
    "backup.plan-weekly-retention",
    "backup.plan-monthly-retention",
    "backup.frequent-snapshots",
    "backup.separate-account-copy",
    "backup.dr-copy",
    "backup.s3-backup-bucket-retention",
    "backup.rds-retention-period",
];

/// Claims about AWS whose numbers (the profile parameters that encode them) are still
/// checked against configuration only, with those parameters. Empty since issue 16: every
/// number is read by a rule that reads what exists (the backups per class, their copies
/// in the backup accounts, the restore windows, the S3 backups' ages). The test fails
/// when a claim loses that backing, so that this list is kept exact.
const STILL_CONFIGURATION_ONLY: [(&str, &[&str]); 0] = [];

/// The statement's text with every run of white space (line breaks included) made one
/// space, as the profiles' quotes are compared.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The directory holding the seed statements: beside the repository in the project's
/// layout (`../shared/seeds`), or one level higher for a worktree in a subdirectory.
fn seeds_dir() -> Option<PathBuf> {
    [
        root().join("../shared/seeds"),
        root().join("../../shared/seeds"),
    ]
    .into_iter()
    .find(|d| d.join(SEEDS[0].0).is_file())
}

fn pack() -> RulePack {
    let mut sources = assay::diag::Sources::default();
    let (pack, diags) = assay::rules::load::load_pack(&root().join("rules"), &mut sources);
    pack.unwrap_or_else(|| panic!("{}", diags.render_plain(&sources)))
}

fn profile(pack: &RulePack, path: &str) -> Profile {
    let mut sources = assay::diag::Sources::default();
    let (profile, diags) = assay::profile::load(&root().join(path), pack, &mut sources);
    profile.unwrap_or_else(|| panic!("{path}: {}", diags.render_plain(&sources)))
}

/// Why a claim stands, or `None` when nothing but configuration backs it.
fn backing(claim_rules: &[String], profile: &Profile, pack: &RulePack) -> Option<String> {
    let mut observed = Vec::new();
    let mut attested = Vec::new();
    for id in claim_rules {
        let rule = pack
            .rule(id)
            .unwrap_or_else(|| panic!("claim names unknown rule {id}"));
        match rule.kind {
            RuleKind::Automated if !CONFIGURATION_ONLY.contains(&id.as_str()) => {
                observed.push(id.clone());
            }
            RuleKind::Automated => {}
            RuleKind::Manual => {
                if let Some(a) = profile.attestations.iter().find(|a| &a.rule == id) {
                    let date = chrono::NaiveDate::parse_from_str(&a.date, "%Y-%m-%d");
                    let expires = chrono::NaiveDate::parse_from_str(&a.expires, "%Y-%m-%d");
                    match (date, expires) {
                        (Ok(d), Ok(e)) if d < e => attested.push(format!("{id} ({d} to {e})")),
                        _ => panic!("{id}: attestation dates {} / {}", a.date, a.expires),
                    }
                }
            }
        }
    }
    match (observed.is_empty(), attested.is_empty()) {
        (true, true) => None,
        (false, _) => Some(format!("observed by {}", observed.join(", "))),
        (true, false) => Some(format!("attested: {}", attested.join(", "))),
    }
}

/// The claim's parameters that no rule of the claim reading what exists reads: the
/// numbers of the promise only configuration (or nothing) checks.
fn unobserved_params(params: &[String], rules: &[String], pack: &RulePack) -> Vec<String> {
    params
        .iter()
        .filter(|p| {
            !rules.iter().any(|id| {
                pack.rule(id).is_some_and(|r| {
                    r.kind == RuleKind::Automated
                        && !CONFIGURATION_ONLY.contains(&id.as_str())
                        && r.params.contains(p.as_str())
                })
            })
        })
        .cloned()
        .collect()
}

#[test]
fn every_sentence_of_the_seeds_is_a_claim_or_is_said_not_to_be_a_promise() {
    let Some(dir) = seeds_dir() else {
        // The statements live beside the repository, not in it; the claim checks below
        // run from the profiles alone.
        eprintln!("seed statements not found beside the repository: sentence coverage not checked");
        return;
    };
    let pack = pack();
    for (seed, path) in SEEDS {
        let text = normalise(&std::fs::read_to_string(dir.join(seed)).expect("seed"));
        let profile = profile(&pack, path);
        let mut rest = text.clone();
        for claim in &profile.claims {
            let quote = normalise(&claim.quote);
            assert!(
                text.contains(&quote),
                "{path}: claim {} is not quoted verbatim from {seed}: {quote}",
                claim.id
            );
            rest = rest.replace(&quote, " ");
        }
        for (fragment, _why) in NOT_PROMISES {
            rest = rest.replace(fragment, " ");
        }
        let mut words: Vec<&str> = rest.split_whitespace().collect();
        for heading in HEADINGS.split_whitespace() {
            if let Some(i) = words.iter().position(|w| *w == heading) {
                words.remove(i);
            }
        }
        let left: Vec<&str> = words
            .into_iter()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect();
        assert!(
            left.is_empty(),
            "{seed}: text neither quoted by a claim of {path} nor listed as no promise: {}",
            left.join(" ")
        );
    }
}

#[test]
fn every_claim_about_aws_is_observed_or_attested() {
    let pack = pack();
    let not_about: BTreeMap<&str, &str> = NOT_ABOUT_THE_ACCOUNT.into_iter().collect();
    let mut configuration_only = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for (_seed, path) in SEEDS {
        let profile = profile(&pack, path);
        for claim in &profile.claims {
            seen.insert(claim.id.clone());
            if not_about.contains_key(claim.id.as_str()) {
                continue;
            }
            assert!(
                !claim.rules.is_empty(),
                "{path}: claim {} names no rule and is not listed as outside the account",
                claim.id
            );
            match backing(&claim.rules, &profile, &pack) {
                Some(why) => eprintln!("{}: {why}", claim.id),
                None => {
                    configuration_only.insert((claim.id.clone(), Vec::new()));
                    continue;
                }
            }
            let unobserved = unobserved_params(&claim.params, &claim.rules, &pack);
            if !unobserved.is_empty() {
                configuration_only.insert((claim.id.clone(), unobserved));
            }
        }
    }
    for id in not_about.keys() {
        assert!(seen.contains(*id), "{id} is listed but no profile has it");
    }
    let expected: BTreeSet<(String, Vec<String>)> = STILL_CONFIGURATION_ONLY
        .iter()
        .map(|(id, params)| {
            (
                id.to_string(),
                params.iter().map(|p| p.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        configuration_only, expected,
        "claims backed only by configuration (no rule reading what exists, no dated \
         attestation: listed with an empty parameter list), and claims whose numbers only \
         configuration checks (with those parameters)"
    );
}

/// Claims that stood on an attestation alone before Identity Center and restore jobs were
/// read: each is now observed by the rule that reads them, the attestation beside it
/// covering what no AWS API shows (MFA at the identity provider, a restore outside AWS
/// Backup).
#[test]
fn support_access_and_restore_claims_are_observed_not_only_attested() {
    let pack = pack();
    let observed: [(&str, &str, &[&str]); 4] = [
        (
            "samples/air-maestro/profile.yaml",
            "am-support-sso-mfa",
            &[
                "iam.identity-center-support-assignments",
                "iam.identity-center-support-group-directory",
            ],
        ),
        (
            "samples/aeronet/profile.yaml",
            "an-restore-one-day",
            &["backup.restore-test-completed"],
        ),
        (
            "samples/aeronet/profile.yaml",
            "an-backup-contents",
            &["backup.restore-test-completed"],
        ),
        (
            "samples/aeronet/profile.yaml",
            "an-staff-limited-access",
            &["iam.identity-center-support-assignments"],
        ),
    ];
    for (path, id, rules) in observed {
        let profile = profile(&pack, path);
        let claim = profile
            .claims
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{path}: no claim {id}"));
        let why = backing(&claim.rules, &profile, &pack).unwrap_or_default();
        for rule in rules {
            assert!(
                why.starts_with("observed by") && why.contains(rule),
                "{id}: {why}"
            );
        }
        assert!(
            unobserved_params(&claim.params, &claim.rules, &pack).is_empty(),
            "{id}: every number of the claim is read by a rule that reads what exists"
        );
    }
    // MFA at the identity provider has no AWS API: it stands on a dated attestation.
    let air_maestro = profile(&pack, "samples/air-maestro/profile.yaml");
    assert!(
        air_maestro
            .attestations
            .iter()
            .any(|a| a.rule == "manual.support-idp-mfa")
    );
}

/// The backup claims that were checked against configuration only before issue 16: each
/// now names the rule that reads the backups, copies or restore windows that exist.
#[test]
fn backup_claims_are_observed_by_the_backups_that_exist() {
    let pack = pack();
    let observed: [(&str, &str, &[&str]); 12] = [
        (
            "samples/air-maestro/profile.yaml",
            "am-backup-daily-6-weeks",
            &["backup.database-backups-per-class"],
        ),
        (
            "samples/air-maestro/profile.yaml",
            "am-backup-daily-hourly",
            &[
                "backup.database-backups-per-class",
                "backup.database-restore-window",
            ],
        ),
        (
            "samples/air-maestro/profile.yaml",
            "am-backup-weekly-1-year-glacier",
            &["backup.database-backups-per-class"],
        ),
        (
            "samples/air-maestro/profile.yaml",
            "am-backup-monthly-10-years-deep-archive",
            &["backup.database-backups-per-class"],
        ),
        (
            "samples/air-maestro/profile.yaml",
            "am-backup-separate-account",
            &["backup.database-backup-copies"],
        ),
        (
            "samples/air-maestro/profile.yaml",
            "am-backup-dr-copy-4-weeks",
            &["backup.database-backup-copies"],
        ),
        (
            "samples/air-maestro/profile.yaml",
            "am-transaction-logs-3-days",
            &[
                "backup.database-restore-window",
                "backup.database-backup-copies",
            ],
        ),
        (
            "samples/aeronet/profile.yaml",
            "an-backups-in-s3",
            &["backup.s3-backup-kept-days"],
        ),
        (
            "samples/aeronet/profile.yaml",
            "an-monthly-two-months",
            &["backup.s3-backup-kept-days"],
        ),
        (
            "samples/aeronet/profile.yaml",
            "an-twelve-backups",
            &["backup.s3-backup-kept-days"],
        ),
        (
            "samples/aeronet/profile.yaml",
            "an-weekly-one-month",
            &["backup.s3-backup-kept-days"],
        ),
        (
            "samples/aeronet/profile.yaml",
            "an-records-daily",
            &["backup.database-restore-window"],
        ),
    ];
    for (path, id, rules) in observed {
        let profile = profile(&pack, path);
        let claim = profile
            .claims
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{path}: no claim {id}"));
        let why = backing(&claim.rules, &profile, &pack).unwrap_or_default();
        for rule in rules {
            assert!(why.contains(rule), "{id}: {why}");
        }
        assert!(
            unobserved_params(&claim.params, &claim.rules, &pack).is_empty(),
            "{id}: every number of the claim is read by a rule that reads what exists"
        );
    }
}
