//! Writes a large, valid snapshot for the offline-scale benchmark (`benches/offline/run.sh`):
//! the bundled sample replicated COPIES times, each copy under new account ids and new bucket
//! and image names, its raw responses rewritten the same way and hashed again, and the whole
//! sealed with a fresh manifest digest, so `assay snapshot verify` accepts it.
//!
//! ```sh
//! cargo run --release --example scale_snapshot -- 250 /tmp/scale-250.json   # 102,000 resources
//! ```
//!
//! Why replicate the sample instead of inventing resources: the mix of types, attribute
//! sizes, joins, gaps and raw response sizes is the real one, only larger. Copy 0 is the
//! sample itself; copy k renames every account id (to `9kkkkk` + the account's position)
//! and every name in an ARN without an account (S3 buckets, AMIs: `name-ck`) wherever it appears as a whole token (ARNs, policies,
//! replication destinations, response bodies), so cross-account joins stay inside a copy,
//! and suffixes gap ids with `-ck`. Raw responses that name neither are shared between
//! copies, as identical responses are in a real snapshot.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use assay::snapshot::{Resource, Snapshot, sha256_hex};

/// Replaces whole-token occurrences of `from` (not preceded or followed by a character
/// `is_token` accepts) with `to`.
fn replace_token(text: &str, from: &str, to: &str, is_token: fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + from.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(is_token) || after.is_some_and(is_token) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

fn bucket_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'
}

/// The renames of one copy, applied to every string of it in the same order.
struct Renames {
    buckets: Vec<(String, String)>,
    accounts: Vec<(String, String)>,
}

impl Renames {
    fn new(sample: &Snapshot, copy: usize) -> Renames {
        // Resources whose ARN names no account (S3 buckets, the AMIs of EC2 recovery
        // points) get a new name: the account's new id alone would not make them unique.
        let mut buckets: Vec<(String, String)> = sample
            .resources
            .iter()
            .filter(|r| r.arn.split(':').nth(4).is_none_or(str::is_empty))
            .filter_map(|r| r.arn.rsplit(['/', ':']).next())
            // An S3 prefix's ARN ends in `/` (its bucket is renamed as a bucket); an empty
            // name would match everywhere and never end.
            .filter(|name| !name.is_empty())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|name| (name.to_string(), format!("{name}-c{copy}")))
            .collect();
        // Longer names first, so no name is rewritten inside another's new name.
        buckets.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        let accounts = sample
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.account_id.clone(), format!("9{copy:05}{i:06}")))
            .collect();
        Renames { buckets, accounts }
    }

    fn apply(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (from, to) in &self.buckets {
            if text.contains(from.as_str()) {
                text = replace_token(&text, from, to, bucket_char);
            }
        }
        for (from, to) in &self.accounts {
            if text.contains(from.as_str()) {
                text = replace_token(&text, from, to, |c| c.is_ascii_digit());
            }
        }
        text
    }
}

fn replicate(sample: &Snapshot, copies: usize) -> Result<Snapshot> {
    if copies == 0 {
        bail!("at least one copy (the sample itself)");
    }
    if sample
        .accounts
        .iter()
        .any(|a| a.account_id.starts_with('9'))
    {
        bail!("the sample has an account id starting with 9; the copies' ids would collide");
    }
    let mut out = sample.clone();
    for copy in 1..copies {
        let renames = Renames::new(sample, copy);
        let gap_id = |id: &str| format!("{id}-c{copy}");
        // Raw responses: rewritten, hashed again; the old hash → the new one.
        let mut rehashed: BTreeMap<&str, String> = BTreeMap::new();
        for (hash, raw) in &sample.raw_responses {
            let body = renames.apply(&raw.body);
            let new_hash = if body == raw.body {
                hash.clone()
            } else {
                sha256_hex(body.as_bytes())
            };
            let mut raw = raw.clone();
            raw.body = body;
            out.raw_responses.entry(new_hash.clone()).or_insert(raw);
            rehashed.insert(hash, new_hash);
        }
        for account in &sample.accounts {
            let text = renames.apply(&serde_json::to_string(account)?);
            out.accounts.push(serde_json::from_str(&text)?);
        }
        for gap in &sample.gaps {
            let mut gap: assay::snapshot::Gap =
                serde_json::from_str(&renames.apply(&serde_json::to_string(gap)?))?;
            gap.id = gap_id(&gap.id);
            out.gaps.push(gap);
        }
        for resource in &sample.resources {
            let mut resource: Resource =
                serde_json::from_str(&renames.apply(&serde_json::to_string(resource)?))?;
            for provenance in resource.provenance.values_mut() {
                if let Some(new_hash) = rehashed.get(provenance.response_sha256.as_str()) {
                    provenance.response_sha256 = new_hash.clone();
                }
            }
            for unread in &mut resource.unread {
                unread.gap = gap_id(&unread.gap);
            }
            out.resources.push(resource);
        }
    }
    out.seal();
    Ok(out)
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let copies: usize = args
        .next()
        .context("usage: scale_snapshot COPIES OUT.json")?
        .parse()
        .context("COPIES is a number")?;
    let out = PathBuf::from(
        args.next()
            .context("usage: scale_snapshot COPIES OUT.json")?,
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = Snapshot::load(&root.join("samples/aws-sample/snapshot.json"))?;
    let snapshot = replicate(&sample, copies)?;
    let mut arns = std::collections::HashSet::new();
    if let Some(dup) = snapshot.resources.iter().find(|r| !arns.insert(&r.arn)) {
        bail!("two resources share the ARN {}", dup.arn);
    }
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?,
    );
    serde_json::to_writer_pretty(&mut file, &snapshot)?;
    file.write_all(b"\n")?;
    file.flush()?;
    println!(
        "{}: {} resources, {} raw responses, {} accounts ({copies} copies of the sample)",
        out.display(),
        snapshot.resources.len(),
        snapshot.raw_responses.len(),
        snapshot.accounts.len()
    );
    Ok(())
}
