//! The organisation profile: the numbers an organisation promises (parameter values),
//! the accounts in scope, attestations for manual controls, and the sentences of its
//! compliance statement each setting verifies, so a report can print claim beside evidence.

pub mod applicability;

use std::collections::BTreeMap;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value as Json;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Diagnostics, FileId, Sources, YamlFile, did_you_mean, read_yaml};
use crate::rules::RulePack;
use crate::snapshot::sha256_hex;

pub mod issuing;
pub use issuing::IssuingSettings;

/// A person's statement that a manual control holds (from the profile).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub rule: String,
    pub attested_by: String,
    /// When it was attested (`YYYY-MM-DD`).
    pub date: String,
    /// Last day it is valid (`YYYY-MM-DD`, UTC).
    pub expires: String,
    /// Link to the evidence (document, ticket, screenshot set).
    pub evidence: String,
    pub statement: String,
}

/// A claim from the organisation's compliance statement and the rules that check it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub id: String,
    /// The sentence, quoted verbatim.
    pub quote: String,
    /// Where the sentence is from.
    pub source: String,
    pub rules: Vec<String>,
    /// Parameters whose values encode this claim.
    #[serde(default)]
    pub params: Vec<String>,
}

/// Where and how long scans are kept (`assay archive push`, `docs/archive.md`): the S3
/// Object Lock mode, the retention period and the regions the archive bucket may be in.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivePolicy {
    /// `compliance` (nobody, root included, can shorten or remove it) or `governance`
    /// (users with `s3:BypassGovernanceRetention` can).
    pub mode: RetentionMode,
    /// The retention period in years or in days: exactly one of the two, as in S3's
    /// default retention.
    #[serde(default)]
    pub retain_years: Option<u32>,
    #[serde(default)]
    pub retain_days: Option<u32>,
    /// Regions the archive bucket may be in.
    pub regions: Vec<String>,
    /// How long a scan's evidence stands without a next scan, in hours (`assay audit
    /// --period`): time beyond it is not observed. Default 48 (a nightly scan may miss a
    /// night).
    #[serde(default)]
    pub scan_interval_hours: Option<u32>,
}

/// S3 Object Lock retention modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RetentionMode {
    Compliance,
    Governance,
}

impl RetentionMode {
    /// The name S3 uses (`COMPLIANCE`, `GOVERNANCE`).
    pub fn as_s3(self) -> &'static str {
        match self {
            RetentionMode::Compliance => "COMPLIANCE",
            RetentionMode::Governance => "GOVERNANCE",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    organisation: String,
    #[serde(default)]
    description: Option<String>,
    frameworks: Vec<Spanned<String>>,
    #[serde(default)]
    params: IndexMap<String, Spanned<Json>>,
    #[serde(default)]
    rules: RuleSelection,
    #[serde(default)]
    attestations: Vec<Spanned<Attestation>>,
    #[serde(default)]
    claims: Vec<Spanned<Claim>>,
    #[serde(default)]
    applicability: Vec<Spanned<applicability::RawEntry>>,
    #[serde(default)]
    archive: Option<Spanned<ArchivePolicy>>,
    /// How attestations are issued (`issuing.rs`).
    #[serde(default)]
    attestation: Option<Spanned<IssuingSettings>>,
    /// The AWS Config aggregator whose inventory `assay audit` reads when it scans.
    #[serde(default)]
    config_aggregator: Option<String>,
}

/// Which rules of the pack run: all by default; `include`/`exclude` take rule ids or
/// id prefixes ending in `.` (a domain, e.g. `network.`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSelection {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl RuleSelection {
    pub fn selects(&self, id: &str) -> bool {
        let hit = |pattern: &String| {
            pattern == id || (pattern.ends_with('.') && id.starts_with(pattern.as_str()))
        };
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }
}

/// A validated profile with parameter values resolved (defaults filled in).
#[derive(Debug, Clone)]
pub struct Profile {
    pub organisation: String,
    pub description: Option<String>,
    pub frameworks: Vec<String>,
    /// Every declared parameter that has a value (profile or default).
    pub params: BTreeMap<String, Json>,
    pub rules: RuleSelection,
    pub attestations: Vec<Attestation>,
    pub claims: Vec<Claim>,
    /// The controls the profile declares excluded, inherited or applicable
    /// (`applicability`); a control not named is applicable by default.
    pub applicability: applicability::ApplicabilityMap,
    /// The `archive` section, when the profile has one.
    pub archive: Option<ArchivePolicy>,
    /// Who signs attestations, their validity, what `--redact` replaces.
    pub attestation: IssuingSettings,
    /// The AWS Config aggregator (name) whose advanced query is the catch-all inventory
    /// when `assay audit` scans (`--config-aggregator` wins over it).
    pub config_aggregator: Option<String>,
    pub sha256: String,
}

/// Loads `path` and checks it against the rule pack: parameter names and types, required
/// parameters, framework ids, rule ids named by attestations, claims and selections.
pub fn load(path: &Path, pack: &RulePack, sources: &mut Sources) -> (Option<Profile>, Diagnostics) {
    let YamlFile {
        file,
        text,
        value: raw,
    } = match read_yaml::<RawProfile>(path, "profile", "profile", sources) {
        Ok(read) => read,
        Err(d) => {
            let mut diags = Diagnostics::default();
            diags.push(*d);
            return (None, diags);
        }
    };
    let mut check = Check {
        pack,
        file,
        sources,
        diags: Diagnostics::default(),
    };
    check.frameworks(&raw);
    let params = check.params(&raw);
    let selection = check.selection(&raw, &params);
    let attestations = check.attestations(&raw);
    let claims = check.claims(&raw);
    let frameworks: Vec<String> = raw.frameworks.iter().map(|f| f.value.clone()).collect();
    let applicability = applicability::check(
        &raw.applicability,
        &frameworks,
        pack,
        file,
        check.sources,
        &mut check.diags,
    );
    check.archive(&raw);
    let issuing = check.issuing(&raw);
    let diags = check.diags;
    if diags.has_errors() {
        return (None, diags);
    }
    let profile = Profile {
        organisation: raw.organisation,
        description: raw.description,
        frameworks,
        params,
        rules: selection,
        attestations,
        claims,
        applicability,
        archive: raw.archive.map(|a| a.value),
        attestation: issuing,
        config_aggregator: raw.config_aggregator,
        sha256: sha256_hex(text.as_bytes()),
    };
    (Some(profile), diags)
}

/// A profile being checked against the rule pack, one part at a time; every problem is a
/// diagnostic, so one run reports them all.
struct Check<'a> {
    pack: &'a RulePack,
    file: FileId,
    sources: &'a Sources,
    diags: Diagnostics,
}

impl Check<'_> {
    /// Where a spanned value starts in the file.
    fn at(&self, s: &Spanned<Json>) -> std::ops::Range<usize> {
        self.at_any(s.referenced.line(), s.referenced.column())
    }

    fn at_any(&self, line: u64, column: u64) -> std::ops::Range<usize> {
        let start = self
            .sources
            .offset(self.file, line as usize, column as usize);
        start..start + 1
    }

    fn rule_suggestions(&self, id: &str) -> Vec<&str> {
        did_you_mean(id, self.pack.rules.iter().map(|r| r.id.as_str()))
    }

    /// Every framework named is in the pack.
    fn frameworks(&mut self, raw: &RawProfile) {
        for f in &raw.frameworks {
            if self.pack.framework(&f.value).is_none() {
                let known: Vec<&str> = self.pack.frameworks.iter().map(|f| f.id.as_str()).collect();
                self.diags.push(
                    Diagnostic::error(
                        "unknown-framework",
                        format!("profile: `{}` is not a framework", f.value),
                    )
                    .at(
                        self.file,
                        self.at_any(f.referenced.line(), f.referenced.column()),
                        "unknown framework",
                    )
                    .note(format!("known frameworks: {}", known.join(", "))),
                );
            }
        }
    }

    /// The parameter values: declared, of their type, normalised; defaults for the rest.
    fn params(&mut self, raw: &RawProfile) -> BTreeMap<String, Json> {
        let mut params: BTreeMap<String, Json> = BTreeMap::new();
        for (name, value) in &raw.params {
            match self.pack.params.get(name) {
                None => {
                    let suggestions =
                        did_you_mean(name, self.pack.params.keys().map(String::as_str));
                    let mut d = Diagnostic::error(
                        "unknown-param",
                        format!("profile: parameter `{name}` is not declared in rules/params.yaml"),
                    )
                    .at(self.file, self.at(value), "unknown parameter");
                    for s in suggestions {
                        d = d.note(format!("did you mean `{s}`?"));
                    }
                    self.diags.push(d);
                }
                Some(decl) => match decl.ty.check(&value.value) {
                    Ok(()) => {
                        params.insert(name.clone(), decl.ty.normalise(&value.value));
                    }
                    Err(e) => self.diags.push(
                        Diagnostic::error(
                            "param-type",
                            format!("profile: parameter `{name}`: {e}"),
                        )
                        .at(
                            self.file,
                            self.at(value),
                            format!("expected {}", decl.ty.name()),
                        ),
                    ),
                },
            }
        }
        for decl in self.pack.params.values() {
            if !params.contains_key(&decl.name)
                && let Some(default) = &decl.default
            {
                params.insert(decl.name.clone(), decl.ty.normalise(default));
            }
        }

        params
    }

    /// The rule selection: each pattern matches a rule, and every parameter the selected
    /// rules read has a value (one error per parameter, naming the rules that need it).
    fn selection(&mut self, raw: &RawProfile, params: &BTreeMap<String, Json>) -> RuleSelection {
        let selection = raw.rules.clone();
        for pattern in selection.include.iter().chain(&selection.exclude) {
            let matches_any = self.pack.rules.iter().any(|r| {
                RuleSelection {
                    include: vec![pattern.clone()],
                    exclude: vec![],
                }
                .selects(&r.id)
            });
            if !matches_any {
                self.diags.push(Diagnostic::error(
                    "unknown-rule",
                    format!("profile: `rules` names `{pattern}`, which matches no rule"),
                ));
            }
        }

        // Parameters the selected rules read must have a value: one error per parameter,
        // naming the rules that need it.
        let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for rule in self.pack.rules.iter().filter(|r| selection.selects(&r.id)) {
            for p in rule.params.iter().filter(|p| !params.contains_key(*p)) {
                missing
                    .entry(p.as_str())
                    .or_default()
                    .push(rule.id.as_str());
            }
        }
        for (p, rules) in missing {
            let description = self
                .pack
                .params
                .get(p)
                .map(|d| d.description.clone())
                .unwrap_or_default();
            self.diags.push(
                Diagnostic::error(
                    "missing-param",
                    format!(
                        "profile: parameter `{p}` has no default and is not set; needed by {}",
                        rules.join(", ")
                    ),
                )
                .note(format!("{p}: {description}")),
            );
        }

        selection
    }

    /// Attestations: for manual rules of the pack, with dates.
    fn attestations(&mut self, raw: &RawProfile) -> Vec<Attestation> {
        let mut attestations = Vec::new();
        for a in &raw.attestations {
            let place = self.at_any(a.referenced.line(), a.referenced.column());
            match self.pack.rule(&a.value.rule) {
            Some(rule) if rule.kind == crate::rules::RuleKind::Manual => {}
            Some(_) => self.diags.push(Diagnostic::error("attestation", format!("profile: attestation for `{}`, which is an automated rule (only manual rules take attestations)", a.value.rule)).at(self.file, place.clone(), "here")),
            None => {
                let mut d = Diagnostic::error("unknown-rule", format!("profile: attestation for unknown rule `{}`", a.value.rule)).at(self.file, place.clone(), "here");
                for s in self.rule_suggestions(&a.value.rule) {
                    d = d.note(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
            }
        }
            for (field, value) in [("date", &a.value.date), ("expires", &a.value.expires)] {
                if chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err() {
                    self.diags.push(Diagnostic::error("date", format!("profile: attestation `{}`: `{field}` must be a date YYYY-MM-DD, got `{value}`", a.value.rule)).at(self.file, place.clone(), "here"));
                }
            }
            attestations.push(a.value.clone());
        }

        attestations
    }

    /// The archive policy, when there is one: exactly one retention period of at least 1,
    /// and the regions the bucket may be in.
    /// The `attestation:` settings (`issuing.rs`), defaults when absent.
    fn issuing(&mut self, raw: &RawProfile) -> IssuingSettings {
        let Some(settings) = &raw.attestation else {
            return IssuingSettings::default();
        };
        let place = self.at_any(settings.referenced.line(), settings.referenced.column());
        for problem in settings.value.problems() {
            self.diags.push(
                Diagnostic::error("attestation-settings", format!("profile: {problem}")).at(
                    self.file,
                    place.clone(),
                    "in these settings",
                ),
            );
        }
        settings.value.clone()
    }

    fn archive(&mut self, raw: &RawProfile) {
        let Some(a) = &raw.archive else {
            return;
        };
        let place = self.at_any(a.referenced.line(), a.referenced.column());
        let p = &a.value;
        let problem = match (p.retain_years, p.retain_days) {
            (Some(_), Some(_)) => Some("give `retain_years` or `retain_days`, not both"),
            (None, None) => Some("`retain_years` or `retain_days` is required"),
            (Some(0), _) | (_, Some(0)) => Some("the retention period must be at least 1"),
            _ if p.scan_interval_hours == Some(0) => {
                Some("`scan_interval_hours` must be at least 1")
            }
            _ if p.regions.is_empty() => {
                Some("`regions` is empty: name the regions the archive bucket may be in")
            }
            _ => None,
        };
        if let Some(problem) = problem {
            self.diags.push(
                Diagnostic::error("archive", format!("profile: archive: {problem}"))
                    .at(self.file, place, "here"),
            );
        }
    }

    /// Claims: every rule and parameter they name exists.
    fn claims(&mut self, raw: &RawProfile) -> Vec<Claim> {
        let mut claims = Vec::new();
        for c in &raw.claims {
            let place = self.at_any(c.referenced.line(), c.referenced.column());
            for r in &c.value.rules {
                if self.pack.rule(r).is_none() {
                    let mut d = Diagnostic::error(
                        "unknown-rule",
                        format!("profile: claim `{}` names unknown rule `{r}`", c.value.id),
                    )
                    .at(self.file, place.clone(), "in this claim");
                    for s in self.rule_suggestions(r) {
                        d = d.note(format!("did you mean `{s}`?"));
                    }
                    self.diags.push(d);
                }
            }
            for p in &c.value.params {
                if !self.pack.params.contains_key(p) {
                    self.diags.push(
                        Diagnostic::error(
                            "unknown-param",
                            format!(
                                "profile: claim `{}` names unknown parameter `{p}`",
                                c.value.id
                            ),
                        )
                        .at(self.file, place.clone(), "in this claim"),
                    );
                }
            }
            claims.push(c.value.clone());
        }

        claims
    }
}
