//! `assay snapshot verify|merge|schema`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Subcommand;

use crate::collect::merge;
use crate::exit::ExitStatus;
use crate::snapshot::{Snapshot, seal};

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Check a snapshot's manifest digest and every raw-response hash, and its signature
    /// against `--key` (without it, says `unsigned` or `signed, not checked`).
    Verify {
        path: PathBuf,
        /// The public key (`.pub` from `assay keygen`) the snapshot must be signed with.
        #[arg(long, value_name = "PUB")]
        key: Option<PathBuf>,
    },
    /// Join snapshots of different accounts (the shards of `assay collect --org ROLE
    /// --shard I/N`) into one: each part is verified first, the parts' digests,
    /// signatures and origins are kept in `origin.parts`, and the whole is sealed anew.
    #[command(
        after_help = "Examples:\n  assay snapshot merge shard-*.json -o org.json\n  assay snapshot merge a.json b.json --key collector.pub --sign merger.key -o org.json\n\nRefused (exit 2, nothing written): a part that fails verification, or is not signed by one of the --key keys when any is given; parts of another kind, assay version or endpoint; an account in two parts; shards of different scans, or a shard missing. See docs/scale.md."
    )]
    Merge {
        /// The snapshots to join.
        #[arg(required = true, value_name = "SNAPSHOT")]
        parts: Vec<PathBuf>,
        /// Where to write the joined snapshot.
        #[arg(short = 'o', long = "out", alias = "output")]
        output: PathBuf,
        /// A public key (`.pub` from `assay keygen`) the parts must be signed with
        /// (repeatable: each part by any of them). Without it, a signed part's signature
        /// is still checked against the key it names.
        #[arg(long = "key", value_name = "PUB")]
        keys: Vec<PathBuf>,
        /// Sign the joined snapshot's manifest digest with this Ed25519 private key.
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
    },
    /// Print the snapshot JSON Schema (generated from the Rust types).
    Schema,
}

pub fn run(cmd: SnapshotCommand) -> Result<ExitStatus> {
    match cmd {
        SnapshotCommand::Verify { path, key } => {
            let key = key
                .as_deref()
                .map(crate::attest::sign::read_verifying_key)
                .transpose()?;
            let snapshot = Snapshot::load(&path)?;
            println!(
                "{}: intact — {} resources, {} raw responses, {} gaps, manifest {}",
                path.display(),
                snapshot.resources.len(),
                snapshot.raw_responses.len(),
                snapshot.gaps.len(),
                snapshot.manifest.digest
            );
            let seal = seal::judge(&snapshot, key.as_ref());
            println!("{}: {}", path.display(), seal.describe());
            // A key was given and the signature does not hold: the snapshot is not the one
            // that key's holder sealed.
            Ok(if matches!(seal, seal::Seal::Invalid(_)) {
                ExitStatus::Failed
            } else {
                ExitStatus::Ok
            })
        }
        SnapshotCommand::Merge {
            parts,
            output,
            keys,
            sign,
        } => merge(&parts, &output, &keys, sign.as_deref()),
        SnapshotCommand::Schema => {
            print!("{}", crate::snapshot::schema::snapshot_json_schema());
            Ok(ExitStatus::Ok)
        }
    }
}

/// `assay snapshot merge`: nothing is written unless every part is accepted.
fn merge(
    parts: &[PathBuf],
    output: &Path,
    keys: &[PathBuf],
    sign: Option<&Path>,
) -> Result<ExitStatus> {
    let keys = keys
        .iter()
        .map(|k| crate::attest::sign::read_verifying_key(k))
        .collect::<Result<Vec<_>, _>>()?;
    let signing = sign
        .map(crate::attest::sign::read_signing_key)
        .transpose()?;
    let mut inputs = Vec::with_capacity(parts.len());
    for path in parts {
        inputs.push(merge::Input {
            name: path.display().to_string(),
            snapshot: Snapshot::load(path)?,
        });
    }
    let mut merged = merge::merge(inputs, &keys)?;
    if let Some(key) = &signing {
        seal::sign(&mut merged, key);
    }
    let mut outputs = crate::output::Outputs::new();
    outputs.write_with(output, |out| merged.write_pretty(out))?;
    outputs.commit()?;
    for part in &merged.origin.parts {
        eprintln!(
            "  {}: {} account(s), manifest {}, {}",
            part.file,
            part.accounts.len(),
            part.digest,
            part.seal
        );
    }
    eprintln!(
        "wrote {}: {} part(s), {} account(s), {} resources, {} gap(s); manifest {}: {}",
        output.display(),
        merged.origin.parts.len(),
        merged.accounts.len(),
        merged.resources.len(),
        merged.gaps.len(),
        merged.manifest.digest,
        seal::judge(&merged, None).describe()
    );
    Ok(ExitStatus::Ok)
}
