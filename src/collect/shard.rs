//! One shard of an organisation scan: `assay collect --org ROLE --shard I/N` reads only the
//! accounts whose shard is I, so N processes (an AWS Batch array job, a Kubernetes Indexed
//! Job, a CI matrix) read the organisation between them and `assay snapshot merge` joins
//! their snapshots. See `docs/scale.md`.
//!
//! The partition is a function of the account id alone (SHA-256 of the id, its first eight
//! bytes as a big-endian integer, modulo N): every shard computes it the same way from the
//! same organisation listing with no coordination, and an account keeps its shard when
//! others join or leave the organisation. Shard sizes vary around the mean (a hash, not a
//! round robin); that is the price of stability.

use sha2::{Digest, Sha256};

use crate::snapshot::ShardScope;

/// The environment variables an engine sets to the index of the task it runs: AWS Batch
/// array jobs ("AWS_BATCH_JOB_ARRAY_INDEX … set to the child job's array index number",
/// the AWS Batch user guide, "Array jobs") and Kubernetes Indexed Jobs
/// (`JOB_COMPLETION_INDEX`, the Kubernetes documentation, "Jobs: completion mode"). Both
/// count from 0.
pub const INDEX_VARIABLES: [&str; 2] = ["AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"];

/// How the partition is computed, as recorded in each shard's snapshot.
pub const PARTITION: &str = "sha256(account id), first 8 bytes big-endian, mod count";

/// Shard `index` of `count` (0 ≤ index < count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `I/N`, or `auto/N` with I from the engine's index variable (read through
    /// `var`, so tests need not change the process environment). The message says what
    /// was wrong and how to write it.
    pub fn parse_with(text: &str, var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let usage = "write the shard as I/N (0 ≤ I < N, e.g. 0/4) or auto/N (I from AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX)";
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a shard: {usage}"))?;
        let count: u32 = count
            .trim()
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                format!("`{text}`: the shard count must be a whole number ≥ 1; {usage}")
            })?;
        let index = if index.trim() == "auto" {
            auto_index(&var)?
        } else {
            index
                .trim()
                .parse()
                .map_err(|_| format!("`{text}`: the shard index must be a whole number; {usage}"))?
        };
        if index >= count {
            return Err(format!(
                "`{text}`: shard index {index} is not below the count {count} (shards count from 0)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Whether `account` belongs to this shard.
    pub fn contains(&self, account: &str) -> bool {
        shard_of(account, self.count) == self.index
    }
}

/// This shard's accounts among those the organisation listed, and the record of the
/// shard for the snapshot (which keeps the whole listing, so a merge can tell whether every
/// shard is there).
pub fn select(shard: Shard, listed: Vec<String>) -> (Vec<String>, ShardScope) {
    let mut organisation_accounts = listed.clone();
    organisation_accounts.sort();
    organisation_accounts.dedup();
    let ours = listed.into_iter().filter(|a| shard.contains(a)).collect();
    let scope = ShardScope {
        index: shard.index,
        count: shard.count,
        partition: PARTITION.to_string(),
        organisation_accounts,
    };
    (ours, scope)
}

/// The shard of `account` among `count`.
pub fn shard_of(account: &str, count: u32) -> u32 {
    let digest = Sha256::digest(account.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32
}

/// The index an engine gave this task: one of [`INDEX_VARIABLES`], which must agree when
/// both are set.
fn auto_index(var: &impl Fn(&str) -> Option<String>) -> Result<u32, String> {
    let mut found: Option<(&str, u32)> = None;
    for name in INDEX_VARIABLES {
        let Some(value) = var(name) else { continue };
        let index: u32 = value
            .trim()
            .parse()
            .map_err(|_| format!("--shard auto: {name} is `{value}`, not a whole number"))?;
        match found {
            Some((other, seen)) if seen != index => {
                return Err(format!(
                    "--shard auto: {other} is {seen} but {name} is {index}; give the index explicitly (--shard I/N)"
                ));
            }
            _ => found = Some((name, index)),
        }
    }
    found.map(|(_, index)| index).ok_or_else(|| {
        format!(
            "--shard auto: neither {} nor {} is set (they are set by AWS Batch array jobs and Kubernetes Indexed Jobs); give the index explicitly (--shard I/N)",
            INDEX_VARIABLES[0], INDEX_VARIABLES[1]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_shard_is_written_index_slash_count() {
        assert_eq!(
            Shard::parse_with("2/4", none),
            Ok(Shard { index: 2, count: 4 })
        );
        assert_eq!(
            Shard::parse_with("0/1", none),
            Ok(Shard { index: 0, count: 1 })
        );
        for bad in ["4/4", "1", "a/4", "1/0", "1/x", "-1/4"] {
            let err = Shard::parse_with(bad, none).unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
        assert!(
            Shard::parse_with("4/4", none)
                .unwrap_err()
                .contains("count from 0")
        );
    }

    #[test]
    fn auto_takes_the_index_the_engine_set() {
        let batch = |n: &str| (n == "AWS_BATCH_JOB_ARRAY_INDEX").then(|| "3".to_string());
        assert_eq!(
            Shard::parse_with("auto/8", batch),
            Ok(Shard { index: 3, count: 8 })
        );
        let k8s = |n: &str| (n == "JOB_COMPLETION_INDEX").then(|| "1".to_string());
        assert_eq!(
            Shard::parse_with("auto/2", k8s),
            Ok(Shard { index: 1, count: 2 })
        );
        let neither = Shard::parse_with("auto/2", none).unwrap_err();
        assert!(neither.contains("JOB_COMPLETION_INDEX"), "{neither}");
        let disagree = |n: &str| {
            Some(
                if n == "JOB_COMPLETION_INDEX" {
                    "1"
                } else {
                    "0"
                }
                .to_string(),
            )
        };
        assert!(
            Shard::parse_with("auto/2", disagree)
                .unwrap_err()
                .contains("give the index explicitly")
        );
        let past = |_: &str| Some("2".to_string());
        assert!(Shard::parse_with("auto/2", past).is_err());
    }

    /// The partition is part of the snapshot format (a merge checks each part's accounts
    /// against it): these values must never change.
    #[test]
    fn the_partition_is_stable_and_covers_every_account_once() {
        assert_eq!(shard_of("123456789012", 4), shard_of("123456789012", 4));
        let pinned: Vec<u32> = ["123456789012", "111122223333", "000000000001"]
            .iter()
            .map(|a| shard_of(a, 7))
            .collect();
        assert_eq!(pinned, PINNED);
        let accounts: Vec<String> = (0..200).map(|i| format!("{:012}", 100_000 + i)).collect();
        for count in [1, 2, 3, 8] {
            for account in &accounts {
                let owners = (0..count)
                    .filter(|&index| Shard { index, count }.contains(account))
                    .count();
                assert_eq!(owners, 1, "{account} in {owners} of {count} shards");
            }
        }
    }

    /// Computed independently (Python's hashlib) as well.
    const PINNED: [u32; 3] = [1, 4, 3];
}
