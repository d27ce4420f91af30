//! Terraform plans as evidence: the JSON of `terraform show -json tfplan` becomes a
//! snapshot (origin `plan`) in the same resource model a live scan produces, so the same
//! rule files judge a change before it is applied. `docs/ci.md` describes the use;
//! `docs/snapshot.md` the plan-specific parts of the model.
//!
//! What a plan can and cannot say:
//! - `resource_changes[].change.after` is the resource as it will be; deleted resources
//!   are out of scope, replaced ones are their new version, unchanged ones (`no-op`) are
//!   included because they are part of what the configuration manages;
//! - values "known after apply" (`after_unknown`) become `unknown` groups, and rules
//!   reading them yield UNKNOWN, never PASS;
//! - the region comes from the provider configuration (aliases and module providers
//!   included); the account from the provider's `allowed_account_ids`/`assume_role`, or
//!   `--account`;
//! - references (`kms_key_id = aws_kms_key.main.arn`) are resolved through
//!   `configuration`, so joins between planned resources work;
//! - resource types a plan cannot show at all (recovery points, snapshots, MFA devices)
//!   and rules that need them are listed as not evaluated (see [`rules`]).

mod attrs;
mod build;
mod config;
mod error;
mod normalise;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use build::placeholder;
pub use error::PlanError;

/// The configuration address of a planned resource (instance keys dropped).
pub fn config_address(address: &str) -> String {
    config::strip_instance_keys(address)
}

use crate::snapshot::{self, AccountScope, Origin, RawResponse, Snapshot, ToolInfo};

/// Settings for reading a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// The account of resources whose provider configuration does not name one.
    pub account: Option<String>,
    /// The snapshot time when the plan has no `timestamp` (Terraform < 1.5).
    pub now: Option<DateTime<Utc>>,
}

/// A planned resource that assay does not read, listed so nobody mistakes silence for a
/// pass.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NotRead {
    pub address: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

/// A plan as a snapshot, with what was left out.
#[derive(Debug, Clone)]
pub struct PlanSnapshot {
    pub snapshot: Snapshot,
    /// Managed AWS resources of types assay does not read from plans.
    pub not_read: Vec<NotRead>,
}

/// Reads `terraform show -json` output from `path`.
pub fn load(path: &Path, options: &PlanOptions) -> Result<PlanSnapshot, PlanError> {
    let display = path.display().to_string();
    let text = crate::input::read_text(path).map_err(|source| PlanError::Io {
        path: display.clone(),
        source,
    })?;
    from_json(&text, &display, options)
}

/// Builds the snapshot from plan JSON; `file` names the plan in messages.
pub fn from_json(text: &str, file: &str, options: &PlanOptions) -> Result<PlanSnapshot, PlanError> {
    let plan: Value = serde_json::from_str(text).map_err(|e| PlanError::Json {
        path: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let field = |field: &str, message: String| PlanError::Field {
        path: file.to_string(),
        field: field.to_string(),
        message,
    };
    if !plan.is_object() {
        return Err(field(
            "(top level)",
            format!(
                "expected the object `terraform show -json` writes, found {}",
                error::kind(&plan)
            ),
        ));
    }
    match plan.get("format_version").and_then(Value::as_str) {
        Some(v) if v.split('.').next() == Some("1") => {}
        Some(v) => {
            return Err(field(
                "format_version",
                format!("plan JSON format {v} is not supported (this build reads 1.x)"),
            ));
        }
        None => {
            return Err(field(
                "format_version",
                "missing: is this the output of `terraform show -json <planfile>`? (a state file or `terraform plan` text is not a plan)".into(),
            ));
        }
    }
    let collected_at = match plan.get("timestamp").and_then(Value::as_str) {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|e| field("timestamp", format!("`{t}` is not an RFC 3339 time: {e}")))?
            .with_timezone(&Utc),
        None => options.now.unwrap_or_else(Utc::now),
    };
    let config = config::Config::new(&plan);
    let changes_json = match plan.get("resource_changes") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(other) => {
            return Err(field(
                "resource_changes",
                format!("expected a list, found {}", error::kind(other)),
            ));
        }
    };
    let mut changes = Vec::new();
    let mut raw = BTreeMap::new();
    let mut not_read = Vec::new();
    for (pos, rc) in changes_json.iter().enumerate() {
        if let Some(planned) = planned(file, pos, rc, &config, &mut raw)? {
            if normalise::is_read(&planned.type_name) {
                changes.push(planned);
            } else if planned.type_name.starts_with("aws_") {
                not_read.push(NotRead {
                    address: planned.address.clone(),
                    type_name: planned.type_name.clone(),
                });
            }
        }
    }
    let ctx = build::Ctx::new(
        file,
        config,
        changes,
        raw,
        collected_at,
        options.account.clone(),
    );
    let drafts = normalise::all(&ctx)?;
    let resources: Vec<snapshot::Resource> = drafts.into_iter().map(|d| d.resource).collect();
    // Only cite raw responses something refers to: the plan JSON of every resource read.
    let cited: BTreeSet<&String> = resources
        .iter()
        .flat_map(|r| r.provenance.values().map(|p| &p.response_sha256))
        .collect();
    let raw_responses = ctx
        .raw
        .iter()
        .filter(|(k, _)| cited.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &resources {
        if r.account != "unknown" {
            let entry = regions.entry(r.account.clone()).or_default();
            if r.region != "global" && r.region != "unknown" {
                entry.insert(r.region.clone());
            }
        }
    }
    let mut snapshot = Snapshot {
        schema_version: snapshot::SCHEMA_VERSION,
        tool: ToolInfo {
            name: "assay".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        collected_at,
        origin: Origin {
            kind: "plan".into(),
            endpoint_url: None,
            principal_arn: None,
        },
        accounts: regions
            .into_iter()
            .map(|(account_id, regions)| AccountScope {
                account_id,
                regions_requested: Vec::new(),
                regions_read: regions.into_iter().collect(),
                regions_not_read: Vec::new(),
                principal_arn: None,
            })
            .collect(),
        resources,
        gaps: Vec::new(),
        raw_responses,
        manifest: snapshot::Manifest {
            algorithm: String::new(),
            canonicalization: String::new(),
            digest: String::new(),
        },
    };
    snapshot.seal();
    Ok(PlanSnapshot { snapshot, not_read })
}

/// One `resource_changes` entry, when it describes a managed resource that will exist.
fn planned<'a>(
    file: &str,
    pos: usize,
    rc: &'a Value,
    config: &config::Config,
    raw: &mut BTreeMap<String, RawResponse>,
) -> Result<Option<build::Planned<'a>>, PlanError> {
    let at = |f: &str| format!("resource_changes[{pos}].{f}");
    let err = |f: &str, message: String| PlanError::Field {
        path: file.to_string(),
        field: at(f),
        message,
    };
    let text = |f: &str| -> Result<&'a str, PlanError> {
        match rc.get(f) {
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(other) => Err(err(
                f,
                format!("expected a string, found {}", error::kind(other)),
            )),
            None => Err(err(f, "missing".into())),
        }
    };
    if !rc.is_object() {
        return Err(PlanError::Field {
            path: file.to_string(),
            field: format!("resource_changes[{pos}]"),
            message: format!("expected an object, found {}", error::kind(rc)),
        });
    }
    let address = text("address")?;
    let type_name = text("type")?;
    if text("mode")? != "managed" {
        return Ok(None);
    }
    let change = rc
        .get("change")
        .ok_or_else(|| err("change", "missing".into()))?;
    let actions: Vec<&str> = match change.get("actions") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str().ok_or_else(|| {
                    err(
                        "change.actions",
                        format!("expected strings, found {}", error::kind(v)),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(err(
                "change.actions",
                format!("expected a list, found {}", error::kind(other)),
            ));
        }
        None => return Err(err("change.actions", "missing".into())),
    };
    let action = match actions.as_slice() {
        ["create"] => "create",
        ["update"] => "update",
        ["no-op"] => "no-op",
        ["delete", "create"] | ["create", "delete"] => "replace",
        // Deleted (or forgotten, or only read) resources will not exist after apply.
        _ => return Ok(None),
    };
    let after = match change.get("after") {
        Some(v @ Value::Object(_)) => v,
        Some(other) => {
            return Err(err(
                "change.after",
                format!(
                    "expected an object for a {action}, found {}",
                    error::kind(other)
                ),
            ));
        }
        None => return Err(err("change.after", "missing".into())),
    };
    static NULL: Value = Value::Null;
    let after_unknown = change.get("after_unknown").unwrap_or(&NULL);
    let module_prefix = match rc.get("module_address").and_then(Value::as_str) {
        Some(m) => format!("{m}."),
        None => String::new(),
    };
    let body = serde_json::to_string(rc).map_err(|e| err("", e.to_string()))?;
    let sha = snapshot::sha256_hex(body.as_bytes());
    raw.insert(
        sha.clone(),
        RawResponse {
            operation: build::OPERATION.into(),
            content_type: "application/json".into(),
            body,
        },
    );
    Ok(Some(build::Planned {
        pos,
        address: address.to_string(),
        module_prefix,
        type_name: type_name.to_string(),
        action,
        after,
        after_unknown,
        provider: config.provider_of(address),
        sha,
    }))
}
