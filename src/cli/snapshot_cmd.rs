//! `assay snapshot verify|schema`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;

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
        SnapshotCommand::Schema => {
            print!("{}", crate::snapshot::schema::snapshot_json_schema());
            Ok(ExitStatus::Ok)
        }
    }
}
