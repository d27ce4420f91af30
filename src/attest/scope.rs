//! Which part of a snapshot an attestation speaks for: one customer's data, chosen by
//! account, tag or ARN pattern.
//!
//! Data stores (buckets, volumes, databases) are chosen by the selectors; their copies
//! (EBS and RDS snapshots of a chosen volume or database, recovery points of a chosen
//! resource) follow them even when untagged, because a copy of the customer's data is the
//! customer's data. Account-wide resources (IAM, trails, keys, backup plans and vaults,
//! regions) are in scope whenever their account is: they protect every store in it.

use std::collections::BTreeSet;

use globset::{Glob, GlobMatcher};

use crate::snapshot::{Attributes, Resource, Snapshot};

/// Types chosen by tag and ARN selectors (the registry's `DataStore::selected`); every
/// other type is account-wide.
fn selectable(type_name: &str) -> bool {
    crate::snapshot::type_info(type_name)
        .and_then(|t| t.data_store)
        .is_some_and(|d| d.selected)
}

#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    #[error("--tag `{0}`: expected KEY=VALUE")]
    Tag(String),
    #[error("--resource `{pattern}`: not a valid ARN pattern: {message}")]
    Pattern { pattern: String, message: String },
    #[error("scope selector `{0}` is not `account ID`, `tag KEY=VALUE` or `resource PATTERN`")]
    Described(String),
    #[error("--account {0}: not an account in the snapshot (it has: {1})")]
    Account(String, String),
}

/// The selectors of `assay attest`. Within a kind any value matches; every kind given
/// must match.
#[derive(Debug, Default)]
pub struct Selectors {
    accounts: Vec<String>,
    tags: Vec<(String, String)>,
    patterns: Vec<(String, GlobMatcher)>,
}

impl Selectors {
    pub fn new(
        accounts: &[String],
        tags: &[String],
        patterns: &[String],
    ) -> Result<Selectors, ScopeError> {
        let tags = tags
            .iter()
            .map(|t| match t.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
                _ => Err(ScopeError::Tag(t.clone())),
            })
            .collect::<Result<_, _>>()?;
        let patterns = patterns
            .iter()
            .map(|p| {
                Glob::new(p)
                    .map(|g| (p.clone(), g.compile_matcher()))
                    .map_err(|e| ScopeError::Pattern {
                        pattern: p.clone(),
                        message: e.kind().to_string(),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Selectors {
            accounts: accounts.to_vec(),
            tags,
            patterns,
        })
    }

    /// Reads back what [`Selectors::describe`] wrote (an attestation's `scope.selectors`),
    /// to rebuild the same scope when verifying.
    pub fn from_described(described: &[String]) -> Result<Selectors, ScopeError> {
        let (mut accounts, mut tags, mut patterns) = (Vec::new(), Vec::new(), Vec::new());
        for d in described {
            match d.split_once(' ') {
                Some(("account", a)) => accounts.push(a.to_string()),
                Some(("tag", t)) => tags.push(t.to_string()),
                Some(("resource", p)) => patterns.push(p.to_string()),
                _ => return Err(ScopeError::Described(d.clone())),
            }
        }
        Selectors::new(&accounts, &tags, &patterns)
    }

    /// The selectors as people read them, for the document.
    pub fn describe(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .accounts
            .iter()
            .map(|a| format!("account {a}"))
            .collect();
        out.extend(self.tags.iter().map(|(k, v)| format!("tag {k}={v}")));
        out.extend(self.patterns.iter().map(|(p, _)| format!("resource {p}")));
        out
    }

    /// The accounts in scope: those named, else every account of the snapshot.
    pub fn accounts(&self, snapshot: &Snapshot) -> Result<Vec<String>, ScopeError> {
        let known: Vec<&str> = snapshot
            .accounts
            .iter()
            .map(|a| a.account_id.as_str())
            .collect();
        if self.accounts.is_empty() {
            return Ok(known.iter().map(|a| a.to_string()).collect());
        }
        for a in &self.accounts {
            if !known.contains(&a.as_str()) {
                return Err(ScopeError::Account(a.clone(), known.join(", ")));
            }
        }
        Ok(self.accounts.clone())
    }

    fn chooses(&self, resource: &Resource) -> bool {
        let tag_ok = self.tags.is_empty()
            || self
                .tags
                .iter()
                .any(|(k, v)| resource.tags.get(k).is_some_and(|t| t == v));
        let arn_ok = self.patterns.is_empty()
            || self.patterns.iter().any(|(_, m)| m.is_match(&resource.arn));
        tag_ok && arn_ok
    }

    /// Indices of the snapshot's resources in scope.
    pub fn resources(&self, snapshot: &Snapshot) -> Result<BTreeSet<usize>, ScopeError> {
        let accounts = self.accounts(snapshot)?;
        let in_account = |r: &Resource| accounts.contains(&r.account);
        let mut chosen: BTreeSet<usize> = BTreeSet::new();
        for (i, r) in snapshot.resources.iter().enumerate() {
            if !in_account(r) {
                continue;
            }
            if !selectable(r.type_name()) || self.chooses(r) {
                chosen.insert(i);
            }
        }
        // Copies follow their source: recovery points of a chosen resource, snapshots of a
        // chosen volume or database.
        let sources: BTreeSet<(String, String)> = chosen
            .iter()
            .map(|i| &snapshot.resources[*i])
            .filter(|r| selectable(r.type_name()))
            .flat_map(|r| {
                [
                    (r.account.clone(), r.arn.clone()),
                    (r.account.clone(), r.id.clone()),
                ]
            })
            .collect();
        let arns: BTreeSet<&str> = sources.iter().map(|(_, a)| a.as_str()).collect();
        for (i, r) in snapshot.resources.iter().enumerate() {
            if chosen.contains(&i) || !in_account(r) {
                continue;
            }
            let follows = match &r.attributes {
                Attributes::BackupRecoveryPoint(p) => arns.contains(p.source_resource_arn.as_str()),
                Attributes::EbsSnapshot(s) => s
                    .volume_id
                    .as_ref()
                    .is_some_and(|v| sources.contains(&(r.account.clone(), v.clone()))),
                Attributes::RdsSnapshot(s) => {
                    sources.contains(&(r.account.clone(), s.db_instance_id.clone()))
                }
                _ => false,
            };
            if follows {
                chosen.insert(i);
            }
        }
        Ok(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_selectors_are_named() {
        let e = Selectors::new(&[], &["customer".into()], &[]).unwrap_err();
        assert_eq!(e.to_string(), "--tag `customer`: expected KEY=VALUE");
        let e = Selectors::new(&[], &[], &["arn:aws:s3:::[acme".into()]).unwrap_err();
        assert!(
            e.to_string().starts_with("--resource `arn:aws:s3:::[acme`"),
            "{e}"
        );
    }

    #[test]
    fn describes_every_selector() {
        let s = Selectors::new(
            &["111122223333".into()],
            &["customer=acme".into()],
            &["arn:aws:s3:::acme-*".into()],
        )
        .unwrap();
        assert_eq!(
            s.describe(),
            [
                "account 111122223333",
                "tag customer=acme",
                "resource arn:aws:s3:::acme-*"
            ]
        );
    }
}
