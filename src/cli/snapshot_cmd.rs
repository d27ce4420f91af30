//! `assay snapshot verify|schema`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;

use crate::snapshot::Snapshot;

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Check a snapshot's manifest digest and every raw-response hash.
    Verify { path: PathBuf },
    /// Print the snapshot JSON Schema (generated from the Rust types).
    Schema,
}

pub fn run(cmd: SnapshotCommand) -> Result<u8> {
    match cmd {
        SnapshotCommand::Verify { path } => {
            let snapshot = Snapshot::load(&path)?;
            println!(
                "{}: intact — {} resources, {} raw responses, {} gaps, manifest {}",
                path.display(),
                snapshot.resources.len(),
                snapshot.raw_responses.len(),
                snapshot.gaps.len(),
                snapshot.manifest.digest
            );
            Ok(0)
        }
        SnapshotCommand::Schema => {
            print!("{}", crate::snapshot::schema::snapshot_json_schema());
            Ok(0)
        }
    }
}
