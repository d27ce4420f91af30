//! The snapshot: a saved, verifiable evidence inventory of one or more AWS accounts.
//!
//! A snapshot is what was observed, where it came from and what could not be read. It is
//! written once by a collector (live scan, rule fixture, Terraform plan reader) and
//! evaluated any number of times offline. Its integrity is checkable on its own:
//! every attribute group names the API response it came from by SHA-256, the raw responses
//! are kept in the file, and a manifest digest (SHA-256 over the RFC 8785 canonical JSON of
//! everything but the manifest) covers the whole document. See `docs/snapshot.md`.

pub mod copies;
mod digest;
pub mod normalise;
pub mod registry;
pub mod resources;
pub mod schema;
pub mod seal;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use digest::Scanned;
pub use registry::{TypeInfo, type_info};
pub use resources::{Attributes, RESOURCE_TYPES, Tags};

/// The snapshot format version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The top-level members of a snapshot file, as [`Snapshot`] has them (a test checks):
/// the one-pass digest takes no other.
const TOP_LEVEL_KEYS: &[&str] = &[
    "schema_version",
    "tool",
    "collected_at",
    "origin",
    "accounts",
    "resources",
    "gaps",
    "raw_responses",
    "manifest",
];

/// A complete evidence inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Format version; a reader refuses versions it does not know.
    pub schema_version: u32,
    /// The tool (and version) that wrote the snapshot.
    pub tool: ToolInfo,
    /// When collection finished (UTC). Time-based rules measure age against this, not
    /// against the moment of evaluation, so re-evaluating an old snapshot is reproducible.
    pub collected_at: DateTime<Utc>,
    /// How the snapshot was produced (`live`, `sample`, `plan`) and from where.
    pub origin: Origin,
    /// The accounts in scope and, per account, the regions requested, read and not read.
    pub accounts: Vec<AccountScope>,
    pub resources: Vec<Resource>,
    /// What could not be read. A gap makes the rules that need the data yield GAP.
    pub gaps: Vec<Gap>,
    /// Raw API responses keyed by the SHA-256 (hex) of their body.
    pub raw_responses: BTreeMap<String, RawResponse>,
    /// Integrity digest over everything above.
    pub manifest: Manifest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// `live` (read from AWS), `sample` (generated), `plan` (a Terraform plan).
    pub kind: String,
    /// Endpoint override used for the scan, if any (emulators).
    pub endpoint_url: Option<String>,
    /// The principal the scan's calls were made as (`sts:GetCallerIdentity`), if known:
    /// the assumed role with `--role-arn`, the caller without; with `--org`, where each
    /// account is read as its own assumed role (`accounts[].principal_arn`), the caller
    /// that listed the organisation and assumed the roles.
    pub principal_arn: Option<String>,
    /// Set when this snapshot is one shard of an organisation scan (`assay collect --org
    /// ROLE --shard I/N`): it holds only that shard's accounts. Left out otherwise, so
    /// snapshots written before it existed keep their digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardScope>,
    /// Set when this snapshot was joined from others (`assay snapshot merge`): each part
    /// as it was verified before the join. Left out otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
}

impl Origin {
    /// The origin of a snapshot made in one piece (no shard, no parts).
    pub fn whole(kind: &str, endpoint_url: Option<String>, principal_arn: Option<String>) -> Self {
        Origin {
            kind: kind.to_string(),
            endpoint_url,
            principal_arn,
            shard: None,
            parts: Vec::new(),
        }
    }
}

/// Which part of an organisation a sharded scan read. A merge checks each part's accounts
/// against this and refuses an incomplete set of shards, so a merged snapshot never stands
/// for the whole organisation with a shard missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardScope {
    /// This shard's index, from 0.
    pub index: u32,
    /// How many shards the organisation was split into.
    pub count: u32,
    /// How an account's shard is computed (`sha256(account id), first 8 bytes
    /// big-endian, mod count`).
    pub partition: String,
    /// Every active account the organisation listed (`organizations:ListAccounts`), all
    /// shards', sorted.
    pub organisation_accounts: Vec<String>,
}

/// One snapshot joined into a merged one, as verified when it was joined. Its resources,
/// gaps and raw responses are in the merged snapshot (gap ids renumbered); its own digest
/// and signature are kept here as the record of what was joined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// The part's file name (without its directory).
    pub file: String,
    pub tool: ToolInfo,
    pub collected_at: DateTime<Utc>,
    pub origin: Origin,
    /// The accounts it held.
    pub accounts: Vec<String>,
    /// Its manifest digest, verified against its content when it was joined.
    pub digest: String,
    /// Its signature, if it was signed (checked when it was joined: against the key given
    /// to `assay snapshot merge --key`, or else against the key it names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<seal::ManifestSignature>,
    /// What the check of the signature showed (`unsigned`, or who signed it and whether
    /// it was checked against a key the merger gave).
    pub seal: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountScope {
    pub account_id: String,
    pub regions_requested: Vec<String>,
    pub regions_read: Vec<String>,
    pub regions_not_read: Vec<RegionNotRead>,
    /// The identity this account's calls were made as (`sts:GetCallerIdentity` with the
    /// credentials used for it: the assumed-role session with `--role-arn`/`--org`).
    /// Left out when not known (an account that could not be entered, a sample or plan),
    /// so snapshots written before it existed keep their digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionNotRead {
    pub region: String,
    pub reason: String,
}

/// One observed resource: the common envelope plus its type's attributes.
///
/// (No `deny_unknown_fields` here: serde does not support it next to `flatten`; unknown
/// keys are rejected by the attribute structs, which all deny them.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Resource {
    pub arn: String,
    /// The identifier AWS uses in its API (bucket name, `vol-…`, key id, user name).
    pub id: String,
    /// Human name: the `Name` tag or the id.
    pub name: String,
    pub account: String,
    /// Region the resource lives in; `global` for IAM and account-wide resources.
    pub region: String,
    pub tags: Tags,
    #[serde(flatten)]
    pub attributes: Attributes,
    /// Where each attribute group came from, keyed by group (`encryption`, `ingress`, …;
    /// `resource` for the listing call that found the resource).
    pub provenance: BTreeMap<String, Provenance>,
    /// Attribute groups that could not be read, with the gap that explains why.
    pub unread: Vec<Unread>,
    /// Attribute groups whose value is not known yet: only snapshots made from a Terraform
    /// plan have them ("known after apply"). Left out of the file when empty, so snapshots
    /// of live accounts are unchanged by this field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<Unknown>,
}

impl Resource {
    /// The snapshot name of the resource's type.
    pub fn type_name(&self) -> &'static str {
        self.attributes.type_name()
    }
}

/// The API call an attribute group was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The API operation as `service:Operation`, e.g. `s3:GetBucketEncryption` (the IAM
    /// action that permits it is in `collect::operations`).
    pub operation: String,
    pub region: String,
    pub called_at: DateTime<Utc>,
    pub request_id: Option<String>,
    /// SHA-256 of the raw response body; the body is in `raw_responses` under this key.
    pub response_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unread {
    /// The attribute group (top-level field) that is null because it was not read.
    pub group: String,
    /// The id of the gap record.
    pub gap: String,
}

/// An attribute group a Terraform plan does not know. Rules reading it yield UNKNOWN, never
/// PASS: the evaluator treats it like an unread group, with its own status because the
/// value will exist after apply (a gap is a value nobody could read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unknown {
    /// The attribute group (top-level field, or an envelope field such as `account`).
    pub group: String,
    /// Why, naming the Terraform attribute: e.g. `aws_ebs_volume.cache.encrypted is known
    /// after apply`.
    pub reason: String,
}

/// Something the collector could not read. Gaps are evidence too: a report lists them,
/// and every rule that needed the data yields GAP instead of a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// Unique within the snapshot, e.g. `gap-1`.
    pub id: String,
    pub account: String,
    pub service: String,
    /// Region of the failed call; `global` for IAM and S3 listing.
    pub region: String,
    pub operation: String,
    /// AWS error code (`AccessDenied`, `OptInRequired`, `Throttling`, `Timeout`, …).
    pub error_code: String,
    pub message: String,
    /// Resource types this gap leaves wholly unread in `account`/`region` (listing
    /// failures). Empty when only some attribute groups of known resources are missing.
    pub resource_types: Vec<String>,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawResponse {
    pub operation: String,
    /// `application/json`, `text/xml`, `text/csv`.
    pub content_type: String,
    /// The response body exactly as received (UTF-8).
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `sha256`.
    pub algorithm: String,
    /// Always `rfc8785` (JSON Canonicalization Scheme).
    pub canonicalization: String,
    /// Hex digest over the canonical JSON of the snapshot without its `manifest` field.
    pub digest: String,
    /// An Ed25519 signature over the digest by whoever sealed the snapshot (`assay collect
    /// --sign`); absent when unsigned. Inside the manifest, so it is not covered by the
    /// digest it signs. See [`seal`] and `docs/snapshot.md`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<seal::ManifestSignature>,
}

/// Why a snapshot file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid snapshot: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: snapshot schema_version {found} is not supported (this build reads {SCHEMA_VERSION})"
    )]
    Version { path: String, found: u64 },
    #[error("{path}: snapshot failed verification:{}", IntegrityList(.problems))]
    Integrity { path: String, problems: Vec<String> },
}

impl Snapshot {
    /// Reads, parses and verifies a snapshot file. Verification failures are errors: an
    /// edited snapshot is not evidence.
    pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
        let display = path.display().to_string();
        let text = crate::input::read_text(path).map_err(|source| SnapshotError::Io {
            path: display.clone(),
            source,
        })?;
        // The manifest covers the file as written: hash what was read, not a re-serialised
        // copy, so any difference in the file itself (a missing field too) is detected.
        // One pass over the text (`digest::scan`) computes the digest and checks what the
        // strict reader would (valid JSON, no key twice, the version) while the typed
        // snapshot is parsed on another thread. Anything that pass does not take is read
        // the slow way, which gives the error that says where.
        let (scanned, typed) = std::thread::scope(|scope| {
            let typed = scope.spawn(|| serde_json::from_str::<Snapshot>(&text));
            let scanned = digest::scan(&text, TOP_LEVEL_KEYS);
            (scanned, typed.join())
        });
        let typed = typed.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let (snapshot, digest) = match (scanned, typed) {
            (Some(scanned), Ok(snapshot))
                if scanned.schema_version == Some(SCHEMA_VERSION.into()) =>
            {
                (snapshot, scanned.digest)
            }
            (
                Some(Scanned {
                    schema_version: Some(found),
                    ..
                }),
                _,
            ) if found != u64::from(SCHEMA_VERSION) => {
                return Err(SnapshotError::Version {
                    path: display,
                    found,
                });
            }
            _ => {
                // `parse` rejects duplicate keys, which the digest (as RFC 8785 over a
                // parsed tree) would fold.
                let snapshot = Snapshot::parse(&text, &display)?;
                let value: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| SnapshotError::Invalid {
                        path: display.clone(),
                        line: e.line(),
                        column: e.column(),
                        message: e.to_string(),
                    })?;
                (snapshot, digest_of(value))
            }
        };
        drop(text);
        let mut problems = snapshot.verify_hashes();
        if digest != snapshot.manifest.digest {
            problems.insert(0, format!(
                "manifest digest mismatch: the file says {}, its content hashes to {digest} (the snapshot was changed after it was written)",
                snapshot.manifest.digest
            ));
        }
        if !problems.is_empty() {
            return Err(SnapshotError::Integrity {
                path: display,
                problems,
            });
        }
        Ok(snapshot)
    }

    /// Parses snapshot JSON, checking the version first so an old or future file gets a
    /// clear message rather than a field error.
    pub fn parse(text: &str, path: &str) -> Result<Snapshot, SnapshotError> {
        use crate::strict_json::{VersionedError, from_str_versioned};
        from_str_versioned(text, u64::from(SCHEMA_VERSION)).map_err(|e| match e {
            VersionedError::Json(e) => SnapshotError::Invalid {
                path: path.to_string(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            },
            VersionedError::Version(found) => SnapshotError::Version {
                path: path.to_string(),
                found,
            },
        })
    }

    /// The manifest digest this snapshot should carry: its JSON text scanned in one pass
    /// (`digest::scan`, as [`Snapshot::load`] does), not a tree of the whole snapshot,
    /// which at 100,000 resources held gigabytes to seal or check a merged scan.
    pub fn compute_digest(&self) -> String {
        let text = serde_json::to_string(self).expect("a snapshot always serialises");
        match digest::scan(&text, TOP_LEVEL_KEYS) {
            Some(scanned) => scanned.digest,
            // The text serde_json writes is always taken; the tree is the fallback anyway.
            None => digest_of(serde_json::from_str(&text).expect("serde_json reads its own text")),
        }
    }

    /// Sets the manifest to the current content, dropping any signature (it signed other
    /// content). Call after the last change; sign after sealing ([`seal::sign`]).
    pub fn seal(&mut self) {
        self.manifest = Manifest {
            algorithm: "sha256".into(),
            canonicalization: "rfc8785".into(),
            digest: String::new(),
            signature: None,
        };
        self.manifest.digest = self.compute_digest();
    }

    /// Checks the manifest, every raw response hash and every provenance reference.
    /// Returns one message per problem; empty means the snapshot is intact.
    pub fn verify(&self) -> Vec<String> {
        let mut problems = self.verify_hashes();
        let digest = self.compute_digest();
        if digest != self.manifest.digest {
            problems.insert(0, format!(
                "manifest digest mismatch: the file says {}, its content hashes to {digest} (the snapshot was changed after it was written)",
                self.manifest.digest
            ));
        }
        problems
    }

    /// Everything [`Snapshot::verify`] checks except the manifest digest itself: the
    /// manifest's algorithm, every raw response's hash, and every reference to a raw
    /// response or gap.
    pub fn verify_hashes(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.manifest.algorithm != "sha256" || self.manifest.canonicalization != "rfc8785" {
            problems.push(format!(
                "manifest uses {}/{}, expected sha256/rfc8785",
                self.manifest.algorithm, self.manifest.canonicalization
            ));
        }
        problems.extend(changed_raw_responses(&self.raw_responses));
        let gaps: std::collections::HashSet<&str> =
            self.gaps.iter().map(|g| g.id.as_str()).collect();
        for resource in &self.resources {
            for (group, provenance) in &resource.provenance {
                if !self.raw_responses.contains_key(&provenance.response_sha256) {
                    problems.push(format!(
                        "{} `{group}` cites raw response {} ({}), which is not in the snapshot",
                        resource.arn, provenance.response_sha256, provenance.operation
                    ));
                }
            }
            for unread in &resource.unread {
                if !gaps.contains(unread.gap.as_str()) {
                    problems.push(format!(
                        "{} `{}` cites gap {}, which is not in the snapshot",
                        resource.arn, unread.group, unread.gap
                    ));
                }
            }
        }
        problems
    }

    /// Writes the snapshot as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a snapshot always serialises")
    }

    /// Streams the snapshot as pretty JSON and a newline, the file `collect` writes: the
    /// same bytes as [`Snapshot::to_json_pretty`], without holding them all at once.
    pub fn write_pretty(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

/// The manifest digest of a snapshot as JSON: SHA-256 over the RFC 8785 canonical form of
/// everything but the `manifest` field.
fn digest_of(mut value: serde_json::Value) -> String {
    if let Some(map) = value.as_object_mut() {
        map.remove("manifest");
    }
    // Canonical bytes go straight into the hash: no canonical copy of the whole file.
    let mut hasher = HashWriter(Sha256::new());
    serde_json_canonicalizer::to_writer(&value, &mut hasher)
        .expect("canonical JSON of a serde_json value cannot fail");
    hex::encode(hasher.0.finalize())
}

/// An `io::Write` that hashes what is written to it.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A message for each raw response whose body does not hash to its key, in key order.
/// The bodies are most of a snapshot's bytes: they are hashed on every core.
fn changed_raw_responses(raw: &BTreeMap<String, RawResponse>) -> Vec<String> {
    let responses: Vec<(&String, &RawResponse)> = raw.iter().collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, responses.len().max(1));
    let per = responses.len().div_ceil(threads).max(1);
    let check = |chunk: &[(&String, &RawResponse)]| -> Vec<String> {
        chunk
            .iter()
            .filter_map(|(key, raw)| {
                let actual = sha256_hex(raw.body.as_bytes());
                (actual != **key).then(|| {
                    format!(
                        "raw response {key} ({}) hashes to {actual}: its body was changed",
                        raw.operation
                    )
                })
            })
            .collect()
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = responses
            .chunks(per)
            .map(|chunk| scope.spawn(move || check(chunk)))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl std::fmt::Display for IntegrityList<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in self.0 {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

/// Formats integrity problems as an indented list.
pub struct IntegrityList<'a>(pub &'a [String]);

#[cfg(test)]
mod tests {
    /// The one-pass digest takes only the members a snapshot has: the list it is given
    /// must be the serialised snapshot's keys.
    #[test]
    fn the_top_level_keys_are_the_snapshots_members() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("samples/aws-sample/snapshot.json"),
        )
        .expect("the sample snapshot");
        let value: serde_json::Value = serde_json::from_str(&text).expect("parses");
        let mut keys: Vec<&str> = value
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = super::TOP_LEVEL_KEYS.to_vec();
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }

    /// The one pass and the whole parsed file give the same digest on the sample, and
    /// the sample loads (its digest is the one it carries).
    #[test]
    fn the_sample_scans_to_the_digest_of_its_parsed_tree() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/aws-sample/snapshot.json");
        let text = std::fs::read_to_string(&path).expect("the sample snapshot");
        let scanned = super::digest::scan(&text, super::TOP_LEVEL_KEYS).expect("scans");
        let value: serde_json::Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(scanned.digest, super::digest_of(value));
        assert_eq!(
            scanned.schema_version,
            Some(u64::from(super::SCHEMA_VERSION))
        );
        let snapshot = super::Snapshot::load(&path).expect("loads");
        assert_eq!(snapshot.manifest.digest, scanned.digest);
    }

    /// The streamed file is byte for byte the pretty text and a newline.
    #[test]
    fn write_pretty_streams_the_pretty_text() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/aws-sample/snapshot.json");
        let snapshot = super::Snapshot::load(&path).expect("loads");
        let mut streamed = Vec::new();
        snapshot.write_pretty(&mut streamed).expect("writes");
        assert_eq!(streamed, (snapshot.to_json_pretty() + "\n").into_bytes());
    }

    /// Sealing scans the snapshot's own text: the digest is the one of its whole tree,
    /// and a change to a resource changes it.
    #[test]
    fn compute_digest_is_the_digest_of_the_whole_tree() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/aws-sample/snapshot.json");
        let mut snapshot = super::Snapshot::load(&path).expect("loads");
        let tree = |s: &super::Snapshot| super::digest_of(serde_json::to_value(s).expect("JSON"));
        assert_eq!(snapshot.compute_digest(), snapshot.manifest.digest);
        assert_eq!(snapshot.compute_digest(), tree(&snapshot));
        snapshot.resources[0].name.push_str("\u{e9}\u{1F600}");
        assert_ne!(snapshot.compute_digest(), snapshot.manifest.digest);
        assert_eq!(snapshot.compute_digest(), tree(&snapshot));
    }
}
