//! The profile's `attestation:` settings: who signs the vendor's attestations (name, role,
//! organisation, printed beside the key fingerprint), how long one is valid and when the
//! next is due, and which identifiers `assay attest --redact` replaces by counts.
//!
//! Why in the profile: these are the vendor's standing decisions, made once and reviewed
//! like the rest of its statement; the command line only says whether to redact this time.

use serde::{Deserialize, Serialize};

/// Identifiers `--redact` can replace, with the words the documents use for them.
pub const REDACTABLE: [(&str, &str); 4] = [
    ("security-group", "security group"),
    ("iam-user", "IAM user"),
    ("iam-role", "IAM role"),
    ("access-key", "access key"),
];

/// What `--redact` replaces when the profile does not say: the identifiers a customer's
/// review does not need and an attacker would.
pub const DEFAULT_REDACT: [&str; 3] = ["security-group", "iam-user", "access-key"];

/// The longest validity a profile may give an attestation: facts observed once are not a
/// statement about the year after.
pub const MAX_VALID_FOR_DAYS: u32 = 366;

/// `attestation:` in the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuingSettings {
    /// The person who signs, as printed beside the key fingerprint.
    #[serde(default)]
    pub signer: Option<SignerIdentity>,
    /// Days from the issue date the attestation may be relied on ("valid until").
    #[serde(default)]
    pub valid_for_days: Option<u32>,
    /// Days from the issue date the next attestation is due; at most `valid_for_days`,
    /// so a customer always holds one that is valid.
    #[serde(default)]
    pub next_issue_after_days: Option<u32>,
    /// Identifier kinds `--redact` replaces by counts (`REDACTABLE`).
    #[serde(default = "default_redact")]
    pub redact: Vec<String>,
}

impl Default for IssuingSettings {
    fn default() -> Self {
        IssuingSettings {
            signer: None,
            valid_for_days: None,
            next_issue_after_days: None,
            redact: default_redact(),
        }
    }
}

fn default_redact() -> Vec<String> {
    DEFAULT_REDACT.iter().map(|k| (*k).to_string()).collect()
}

/// The signer, as the vendor states it: the key proves who signed, this names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignerIdentity {
    pub name: String,
    pub role: String,
    /// Default: the profile's `organisation`.
    #[serde(default)]
    pub organisation: Option<String>,
}

impl IssuingSettings {
    /// What is wrong with the settings, one message per problem (empty when valid).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = &self.signer {
            for (field, value) in [("name", &s.name), ("role", &s.role)] {
                if value.trim().is_empty() {
                    out.push(format!("attestation.signer.{field} is empty"));
                }
            }
            if s.organisation
                .as_deref()
                .is_some_and(|o| o.trim().is_empty())
            {
                out.push("attestation.signer.organisation is empty".into());
            }
        }
        match (self.valid_for_days, self.next_issue_after_days) {
            (Some(0), _) => out.push("attestation.valid_for_days must be at least 1".into()),
            (Some(v), _) if v > MAX_VALID_FOR_DAYS => out.push(format!(
                "attestation.valid_for_days is {v}; at most {MAX_VALID_FOR_DAYS} (facts observed once do not hold for longer)"
            )),
            _ => {}
        }
        match (self.valid_for_days, self.next_issue_after_days) {
            (_, Some(0)) => out.push("attestation.next_issue_after_days must be at least 1".into()),
            (None, Some(_)) => out.push(
                "attestation.next_issue_after_days is set without valid_for_days (the next issue must fall within the validity)".into(),
            ),
            (Some(v), Some(n)) if n > v => out.push(format!(
                "attestation.next_issue_after_days ({n}) is after the attestation expires (valid_for_days {v}): customers would hold none that is valid"
            )),
            _ => {}
        }
        for kind in &self.redact {
            if !REDACTABLE.iter().any(|(k, _)| k == kind) {
                let known: Vec<&str> = REDACTABLE.iter().map(|(k, _)| *k).collect();
                out.push(format!(
                    "attestation.redact: `{kind}` is not an identifier kind assay can redact (known: {})",
                    known.join(", ")
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(valid: Option<u32>, next: Option<u32>) -> IssuingSettings {
        IssuingSettings {
            valid_for_days: valid,
            next_issue_after_days: next,
            ..IssuingSettings::default()
        }
    }

    #[test]
    fn the_next_issue_falls_within_the_validity() {
        assert!(settings(Some(90), Some(60)).problems().is_empty());
        assert!(settings(Some(90), Some(90)).problems().is_empty());
        assert!(
            settings(Some(60), Some(90)).problems()[0].contains("after the attestation expires")
        );
        assert!(settings(None, Some(30)).problems()[0].contains("without valid_for_days"));
        assert!(settings(Some(0), None).problems()[0].contains("at least 1"));
        assert!(settings(Some(400), None).problems()[0].contains("at most 366"));
    }

    #[test]
    fn signer_fields_and_redact_kinds_are_checked() {
        let mut s = IssuingSettings {
            signer: Some(SignerIdentity {
                name: " ".into(),
                role: "CISO".into(),
                organisation: None,
            }),
            redact: vec!["security-group".into(), "vpc".into()],
            ..IssuingSettings::default()
        };
        let problems = s.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("signer.name is empty"));
        assert!(problems[1].contains("`vpc`") && problems[1].contains("security-group"));
        s.signer = None;
        s.redact = default_redact();
        assert!(s.problems().is_empty());
    }
}
