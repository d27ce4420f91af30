//! What changed between two scans: `assay diff OLD NEW`.
//!
//! Two snapshots give the resources added, removed and changed (each change named by its
//! attribute path, with the old and new value). Two findings documents give the findings
//! that are new, resolved (no longer produced) or changed in status, and the waivers that
//! started or ended. Findings documents do not hold resources and snapshots hold no
//! findings or waivers: what a pair of inputs cannot show is said in the output, never
//! shown as "no change".
//!
//! Both sides are paired by key ([`compare::by_key`]: the resource ARN, the finding
//! fingerprint), the comparison the gate's baseline uses too.

pub mod compare;
mod findings;
pub mod render;
mod resources;

use crate::exit::ExitStatus;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::report::Report;
use crate::snapshot::Snapshot;

pub use findings::{
    FindingChange, FindingRef, FindingsDiff, WaiverChange, WaiversDiff, compare as compare_findings,
};
pub use resources::{AttributeChange, ResourceChange, ResourceRef, ResourcesDiff};

/// The version of the diff JSON document (`docs/archive.md`, "Diff").
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// One side of a diff, loaded.
#[derive(Debug)]
pub enum Side {
    Snapshot(Box<Snapshot>),
    Findings(Box<Report>),
}

/// What one side was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideInfo {
    pub path: String,
    /// `snapshot` or `findings`.
    pub kind: &'static str,
    /// The snapshot's manifest digest (for findings: that of the snapshot evaluated).
    pub manifest_digest: String,
    pub collected_at: DateTime<Utc>,
    /// Findings documents only: when the evaluation ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluated_at: Option<DateTime<Utc>>,
}

/// Everything that changed from `old` to `new`.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub schema_version: u32,
    pub old: SideInfo,
    pub new: SideInfo,
    /// `null` for findings documents, which do not hold resources.
    pub resources: Option<ResourcesDiff>,
    /// `null` for snapshots, which hold no findings.
    pub findings: Option<FindingsDiff>,
    /// `null` for snapshots, which hold no waivers.
    pub waivers: Option<WaiversDiff>,
    /// What this pair of inputs cannot show, in words.
    pub not_compared: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not JSON: {message}")]
    NotJson {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: neither a snapshot (no `manifest` and `resources`) nor a findings document (no `findings` and `rule_pack`)"
    )]
    UnknownKind { path: String },
    #[error(transparent)]
    Snapshot(#[from] crate::snapshot::SnapshotError),
    #[error(transparent)]
    Findings(#[from] crate::report::LoadError),
    #[error(
        "{old} is a {old_kind} and {new} a {new_kind}: give two snapshots or two findings documents"
    )]
    Mixed {
        old: String,
        old_kind: &'static str,
        new: String,
        new_kind: &'static str,
    },
}

impl Side {
    /// Loads a snapshot (its integrity checked, as everywhere) or a findings document,
    /// telling them apart by their top-level fields.
    pub fn load(path: &Path) -> Result<Side, DiffError> {
        let display = path.display().to_string();
        let text = crate::input::read_text(path).map_err(|source| DiffError::Io {
            path: display.clone(),
            source,
        })?;
        #[derive(Deserialize)]
        struct Probe {
            manifest: Option<serde::de::IgnoredAny>,
            resources: Option<serde::de::IgnoredAny>,
            findings: Option<serde::de::IgnoredAny>,
            rule_pack: Option<serde::de::IgnoredAny>,
        }
        let probe: Probe = serde_json::from_str(&text).map_err(|e| DiffError::NotJson {
            path: display.clone(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if probe.manifest.is_some() && probe.resources.is_some() {
            drop(text);
            Ok(Side::Snapshot(Box::new(Snapshot::load(path)?)))
        } else if probe.findings.is_some() && probe.rule_pack.is_some() {
            Ok(Side::Findings(Box::new(Report::from_json(
                &text, &display,
            )?)))
        } else {
            Err(DiffError::UnknownKind { path: display })
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Side::Snapshot(_) => "snapshot",
            Side::Findings(_) => "findings",
        }
    }

    fn info(&self, path: &str) -> SideInfo {
        match self {
            Side::Snapshot(s) => SideInfo {
                path: path.to_string(),
                kind: "snapshot",
                manifest_digest: s.manifest.digest.clone(),
                collected_at: s.collected_at,
                evaluated_at: None,
            },
            Side::Findings(r) => SideInfo {
                path: path.to_string(),
                kind: "findings",
                manifest_digest: r.snapshot.manifest_digest.clone(),
                collected_at: r.snapshot.collected_at,
                evaluated_at: Some(r.evaluated_at),
            },
        }
    }
}

/// Loads both files and compares them.
pub fn diff_files(old: &Path, new: &Path) -> Result<Diff, DiffError> {
    let (a, b) = (Side::load(old)?, Side::load(new)?);
    diff(
        &a,
        &old.display().to_string(),
        &b,
        &new.display().to_string(),
    )
}

/// Compares two loaded sides of the same kind.
pub fn diff(old: &Side, old_path: &str, new: &Side, new_path: &str) -> Result<Diff, DiffError> {
    let (old_info, new_info) = (old.info(old_path), new.info(new_path));
    let mut out = Diff {
        schema_version: DIFF_SCHEMA_VERSION,
        old: old_info,
        new: new_info,
        resources: None,
        findings: None,
        waivers: None,
        not_compared: Vec::new(),
    };
    match (old, new) {
        (Side::Snapshot(a), Side::Snapshot(b)) => {
            out.resources = Some(resources::compare(&a.resources, &b.resources));
            out.not_compared.push(
                "findings and waivers: snapshots hold none (diff two findings documents for them)"
                    .into(),
            );
        }
        (Side::Findings(a), Side::Findings(b)) => {
            out.findings = Some(findings::compare(&a.findings, &b.findings));
            out.waivers = Some(findings::compare_waivers(&a.waivers, &b.waivers));
            out.not_compared.push(
                "resource attributes: findings documents do not hold resources (diff the two snapshots for them)"
                    .into(),
            );
        }
        _ => {
            return Err(DiffError::Mixed {
                old: old_path.to_string(),
                old_kind: old.kind(),
                new: new_path.to_string(),
                new_kind: new.kind(),
            });
        }
    }
    Ok(out)
}

impl Diff {
    /// Whether anything changed (what was compared; see `not_compared`).
    pub fn is_empty(&self) -> bool {
        self.resources.as_ref().is_none_or(ResourcesDiff::is_empty)
            && self.findings.as_ref().is_none_or(FindingsDiff::is_empty)
            && self.waivers.as_ref().is_none_or(WaiversDiff::is_empty)
    }

    /// The exit status, as `diff(1)`: 0 nothing changed, 1 something did.
    pub fn exit_code(&self) -> ExitStatus {
        if self.is_empty() {
            ExitStatus::Ok
        } else {
            ExitStatus::Failed
        }
    }
}
