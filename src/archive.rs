//! The evidence archive: scans written once to S3 under Object Lock, listed, pulled back
//! and verified (`assay archive push|list|pull|verify`, `docs/archive.md`).
//!
//! This is the one place assay writes to AWS. The collectors stay read-only; the archive's
//! permissions are a separate IAM policy ([`policy`], `assay iam-policy --archive`).
//! Every file goes under the SHA-256 of its bytes ([`keys`]) with the profile's retention,
//! after the bucket has been checked fit ([`bucket`]); a scan record per account lists
//! what was written ([`record`]).

pub mod bucket;
pub mod keys;
pub mod policy;
mod pull;
mod push;
pub mod record;
mod verify;

pub use pull::{fetch, list, pull, sha256_hex};
pub use push::{Prepared, PushInput, prepare, push};
pub use verify::{ObjectCheck, ScanCheck, verify};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("refusing to archive to bucket {bucket}: {reason}")]
    Refused { bucket: String, reason: String },
    #[error("{operation} on {target} failed: {code}: {message}")]
    Call {
        operation: String,
        target: String,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Input(String),
    #[error("s3://{bucket}/{key}: {problem}")]
    Object {
        bucket: String,
        key: String,
        problem: String,
    },
}
