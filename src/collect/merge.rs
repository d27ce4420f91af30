//! Joining snapshots of different accounts into one: `assay snapshot merge A B … -o all.json`,
//! for organisation scans run as shards on several machines (`docs/scale.md`). It lives
//! with the collector because it finishes what one scan of all the accounts would have
//! done (shadow trails kept once, key references across accounts resolved).
//!
//! Every part is verified first (manifest digest, raw-response hashes, and its signature:
//! against the keys given, or else against the key it names). Parts must be of the same
//! kind, made by the same assay version against the same endpoint, and hold different
//! accounts; shards of an organisation scan must all be there. The joined snapshot keeps
//! every part's digest, signature and origin (`origin.parts`), and is sealed anew, so it
//! verifies on its own like any other.

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::VerifyingKey;

use crate::snapshot::seal::{self, Seal};
use crate::snapshot::{Gap, Origin, Part, ShardScope, Snapshot};

/// A snapshot to join, with the name it is reported by (its file).
pub struct Input {
    pub name: String,
    pub snapshot: Snapshot,
}

/// Why snapshots could not be joined. Each names the parts concerned.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give the snapshots to join")]
    Empty,
    #[error("{name}: {why}")]
    Seal { name: String, why: String },
    #[error(
        "{first} and {second} were made differently ({what}: {a} vs {b}); only snapshots of the same kind, by the same assay version, against the same endpoint can be merged"
    )]
    Mismatch {
        first: String,
        second: String,
        what: &'static str,
        a: String,
        b: String,
    },
    #[error(
        "account {account} is in both {first} and {second}: parts must hold different accounts (was a shard run twice, or with another count?)"
    )]
    Overlap {
        account: String,
        first: String,
        second: String,
    },
    #[error("gap id {id} is in both {first} and {second} with different content")]
    GapConflict {
        id: String,
        first: String,
        second: String,
    },
    #[error("{0}")]
    Shards(String),
}

/// Joins `inputs` into one sealed (unsigned) snapshot. `keys`: when any is given, every
/// part must be signed by one of them.
pub fn merge(inputs: Vec<Input>, keys: &[VerifyingKey]) -> Result<Snapshot, MergeError> {
    if inputs.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut parts = Vec::with_capacity(inputs.len());
    for input in &inputs {
        parts.push(part_of(input, keys)?);
    }
    let first = &inputs[0];
    for input in &inputs[1..] {
        same(first, input, "kind", |s| s.origin.kind.clone())?;
        same(first, input, "tool", |s| {
            format!("{} {}", s.tool.name, s.tool.version)
        })?;
        same(first, input, "endpoint", |s| {
            s.origin
                .endpoint_url
                .clone()
                .unwrap_or_else(|| "AWS".into())
        })?;
    }
    check_shards(&inputs)?;

    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut gap_owner: BTreeMap<String, (String, Gap)> = BTreeMap::new();
    let principals: BTreeSet<Option<String>> = inputs
        .iter()
        .map(|i| i.snapshot.origin.principal_arn.clone())
        .collect();
    let collected_at = inputs
        .iter()
        .map(|i| i.snapshot.collected_at)
        .max()
        .expect("at least one part");
    let mut merged = Snapshot {
        schema_version: first.snapshot.schema_version,
        tool: first.snapshot.tool.clone(),
        collected_at,
        origin: Origin {
            kind: first.snapshot.origin.kind.clone(),
            endpoint_url: first.snapshot.origin.endpoint_url.clone(),
            // One caller for all parts, or none named here (each part's is in `parts`).
            principal_arn: match principals.len() {
                1 => principals.into_iter().next().flatten(),
                _ => None,
            },
            shard: None,
            parts,
        },
        accounts: Vec::new(),
        resources: Vec::new(),
        gaps: Vec::new(),
        raw_responses: BTreeMap::new(),
        manifest: first.snapshot.manifest.clone(),
    };
    for input in inputs {
        let name = input.name;
        let part = input.snapshot;
        for scope in &part.accounts {
            if let Some(first) = owner.insert(scope.account_id.clone(), name.clone()) {
                return Err(MergeError::Overlap {
                    account: scope.account_id.clone(),
                    first,
                    second: name,
                });
            }
        }
        for gap in part.gaps {
            match gap_owner.get(&gap.id) {
                Some((_, seen)) if same_gap(seen, &gap) => {}
                Some((first, _)) => {
                    return Err(MergeError::GapConflict {
                        id: gap.id,
                        first: first.clone(),
                        second: name,
                    });
                }
                None => {
                    gap_owner.insert(gap.id.clone(), (name.clone(), gap.clone()));
                    merged.gaps.push(gap);
                }
            }
        }
        merged.accounts.extend(part.accounts);
        merged.resources.extend(part.resources);
        // Keyed by the body's hash: the same key is the same body.
        merged.raw_responses.extend(part.raw_responses);
    }
    // As one scan of all the accounts would leave them: an organisation trail seen by
    // accounts in different parts is kept once, key references across accounts resolved,
    // everything in the collector's order.
    super::drop_duplicate_arns(&mut merged.resources);
    super::resolve_key_references(&mut merged.resources);
    merged.resources.sort_by(|a, b| {
        (&a.account, a.type_name(), &a.region, &a.arn).cmp(&(
            &b.account,
            b.type_name(),
            &b.region,
            &b.arn,
        ))
    });
    merged
        .accounts
        .sort_by(|a, b| a.account_id.cmp(&b.account_id));
    merged.gaps.sort_by(|a, b| {
        (&a.account, &a.service, &a.region, &a.operation, &a.id).cmp(&(
            &b.account,
            &b.service,
            &b.region,
            &b.operation,
            &b.id,
        ))
    });
    merged.seal();
    Ok(merged)
}

/// The same failure recorded twice (the time it happened aside).
fn same_gap(a: &Gap, b: &Gap) -> bool {
    (
        &a.account,
        &a.region,
        &a.operation,
        &a.error_code,
        &a.resource_types,
    ) == (
        &b.account,
        &b.region,
        &b.operation,
        &b.error_code,
        &b.resource_types,
    )
}

fn same(
    first: &Input,
    other: &Input,
    what: &'static str,
    of: impl Fn(&Snapshot) -> String,
) -> Result<(), MergeError> {
    let (a, b) = (of(&first.snapshot), of(&other.snapshot));
    if a == b {
        return Ok(());
    }
    Err(MergeError::Mismatch {
        first: first.name.clone(),
        second: other.name.clone(),
        what,
        a,
        b,
    })
}

/// The record of a part, after checking its signature. (Its digest and hashes were checked
/// when it was loaded: `Snapshot::load`.)
fn part_of(input: &Input, keys: &[VerifyingKey]) -> Result<Part, MergeError> {
    let snapshot = &input.snapshot;
    let refuse = |why: String| MergeError::Seal {
        name: input.name.clone(),
        why,
    };
    let problems = snapshot.verify();
    if !problems.is_empty() {
        return Err(refuse(format!(
            "failed verification: {}",
            problems.join("; ")
        )));
    }
    let seal = if keys.is_empty() {
        match named_key(snapshot) {
            // Signed: at least the signature must hold for the key it names; who that key
            // belongs to is the reader's to check (`--key`).
            Some(named) => match seal::judge(snapshot, Some(&named)) {
                Seal::Valid { fingerprint } => format!(
                    "signed by Ed25519 key {fingerprint}: the signature is valid over its digest; the key was not checked against one given (merge --key)"
                ),
                Seal::Invalid(why) => return Err(refuse(why)),
                other => other.describe(),
            },
            None if snapshot.manifest.signature.is_some() => {
                return Err(refuse(
                    "its signature names no usable Ed25519 public key".into(),
                ));
            }
            None => "unsigned".into(),
        }
    } else {
        let mut last = String::new();
        let mut valid = None;
        for key in keys {
            match seal::judge(snapshot, Some(key)) {
                Seal::Valid { fingerprint } => {
                    valid = Some(format!(
                        "signed by Ed25519 key {fingerprint}, a key given to the merge: valid"
                    ));
                    break;
                }
                other => last = other.describe(),
            }
        }
        valid.ok_or_else(|| refuse(last))?
    };
    let file = std::path::Path::new(&input.name)
        .file_name()
        .map_or_else(|| input.name.clone(), |f| f.to_string_lossy().into_owned());
    Ok(Part {
        file,
        tool: snapshot.tool.clone(),
        collected_at: snapshot.collected_at,
        origin: snapshot.origin.clone(),
        accounts: snapshot
            .accounts
            .iter()
            .map(|a| a.account_id.clone())
            .collect(),
        digest: snapshot.manifest.digest.clone(),
        signature: snapshot.manifest.signature.clone(),
        seal,
    })
}

/// The public key a signed snapshot names, if it is a well-formed Ed25519 key.
fn named_key(snapshot: &Snapshot) -> Option<VerifyingKey> {
    use base64::Engine;
    let signature = snapshot.manifest.signature.as_ref()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&signature.public_key)
        .ok()?;
    VerifyingKey::from_bytes(&<[u8; 32]>::try_from(bytes).ok()?).ok()
}

/// Shards of an organisation scan must come from the same listing and count, each index
/// once, each part holding exactly its shard's accounts: otherwise the merged snapshot
/// would stand for the organisation with accounts missing.
fn check_shards(inputs: &[Input]) -> Result<(), MergeError> {
    let sharded: Vec<(&Input, &ShardScope)> = inputs
        .iter()
        .filter_map(|i| i.snapshot.origin.shard.as_ref().map(|s| (i, s)))
        .collect();
    let Some((first, scope)) = sharded.first() else {
        return Ok(());
    };
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for (input, shard) in &sharded {
        if shard.count != scope.count
            || shard.organisation_accounts != scope.organisation_accounts
            || shard.partition != scope.partition
        {
            return Err(MergeError::Shards(format!(
                "{} and {} are shards of different scans (shard counts {} and {}, {} and {} organisation accounts listed): merge the shards of one scan",
                first.name,
                input.name,
                scope.count,
                shard.count,
                scope.organisation_accounts.len(),
                shard.organisation_accounts.len()
            )));
        }
        if let Some(other) = seen.insert(shard.index, &input.name) {
            return Err(MergeError::Shards(format!(
                "{other} and {} are both shard {}/{}",
                input.name, shard.index, shard.count
            )));
        }
        let expected: BTreeSet<&str> = scope
            .organisation_accounts
            .iter()
            .map(String::as_str)
            .filter(|a| super::shard::shard_of(a, shard.count) == shard.index)
            .collect();
        let held: BTreeSet<&str> = input
            .snapshot
            .accounts
            .iter()
            .map(|a| a.account_id.as_str())
            .collect();
        if held != expected {
            let missing: Vec<&&str> = expected.difference(&held).collect();
            let extra: Vec<&&str> = held.difference(&expected).collect();
            return Err(MergeError::Shards(format!(
                "{} (shard {}/{}) does not hold its shard's accounts: missing {missing:?}, not of this shard {extra:?}",
                input.name, shard.index, shard.count
            )));
        }
    }
    let missing: Vec<String> = (0..scope.count)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{}", scope.count))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Shards(format!(
            "shard(s) {} of the organisation scan are missing: the merged snapshot would leave their accounts out",
            missing.join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    /// A fixed test key (no randomness needed to check a signature).
    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn sample(name: &str) -> Input {
        let text = include_str!("../../samples/aws-sample/snapshot.json");
        Input {
            name: name.into(),
            snapshot: Snapshot::parse(text, "sample").expect("the sample parses"),
        }
    }

    #[test]
    fn one_part_merges_to_the_same_evidence_with_its_provenance() {
        let part = sample("dir/a.json");
        let original = part.snapshot.clone();
        let merged = merge(vec![part], &[]).expect("merged");
        assert!(merged.verify().is_empty());
        assert_eq!(merged.resources, original.resources);
        assert_eq!(merged.gaps, original.gaps);
        assert_eq!(merged.raw_responses, original.raw_responses);
        assert_eq!(merged.origin.parts.len(), 1);
        let part = &merged.origin.parts[0];
        assert_eq!(part.file, "a.json");
        assert_eq!(part.digest, original.manifest.digest);
        assert_eq!(part.seal, "unsigned");
    }

    #[test]
    fn an_account_in_two_parts_is_refused() {
        let err = merge(vec![sample("a.json"), sample("b.json")], &[]).unwrap_err();
        assert!(
            matches!(&err, MergeError::Overlap { first, second, .. } if first == "a.json" && second == "b.json"),
            "{err}"
        );
    }

    #[test]
    fn parts_of_another_version_are_refused() {
        let mut b = sample("b.json");
        b.snapshot.tool.version = "0.0.1".into();
        b.snapshot.accounts.clear();
        b.snapshot.seal();
        let err = merge(vec![sample("a.json"), b], &[]).unwrap_err();
        assert!(err.to_string().contains("assay 0.0.1"), "{err}");
    }

    #[test]
    fn a_part_resealed_after_signing_or_not_signed_by_the_key_given_is_refused() {
        let signer = key(7);
        let mut part = sample("a.json");
        part.snapshot.seal();
        seal::sign(&mut part.snapshot, &signer);
        let signed = part.snapshot.clone();
        let merged = merge(vec![part], &[signer.verifying_key()]).expect("signed by the key");
        assert!(merged.origin.parts[0].seal.contains("valid"));

        let mut forged = Input {
            name: "a.json".into(),
            snapshot: signed.clone(),
        };
        let signature = forged.snapshot.manifest.signature.clone();
        forged.snapshot.gaps.clear();
        for r in &mut forged.snapshot.resources {
            r.unread.clear();
        }
        forged.snapshot.seal();
        forged.snapshot.manifest.signature = signature;
        let err = merge(vec![forged], &[]).unwrap_err();
        assert!(err.to_string().contains("changed and resealed"), "{err}");

        let other = key(9);
        let unsigned = merge(vec![sample("u.json")], &[other.verifying_key()]).unwrap_err();
        assert!(unsigned.to_string().contains("unsigned"), "{unsigned}");
        let by_another = Input {
            name: "a.json".into(),
            snapshot: signed,
        };
        let err = merge(vec![by_another], &[other.verifying_key()]).unwrap_err();
        assert!(err.to_string().contains("not by the key given"), "{err}");
    }
}
