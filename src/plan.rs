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
//!   and rules that need them are listed as not evaluated (see `rules::on_plan`).

mod attrs;
mod build;
mod config;
mod error;
mod input;
mod normalise;
mod sensitive;

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

/// A planned change read only in part: judged against a placeholder for a parent outside
/// the plan, or attached to something no rule reads. Shown in every output, so a change
/// is never dropped without a line that names it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlanNote {
    pub address: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub note: String,
}

/// A plan as a snapshot, with what was left out.
#[derive(Debug, Clone)]
pub struct PlanSnapshot {
    pub snapshot: Snapshot,
    /// Managed AWS resources of types assay does not read from plans.
    pub not_read: Vec<NotRead>,
    /// Changes read in part (a parent outside the plan, nothing a rule reads).
    pub notes: Vec<PlanNote>,
    /// Problems with the file that did not stop it being read (encoding, a malformed
    /// optional field).
    pub warnings: Vec<String>,
    /// Managed resources the plan changes or keeps (`resource_changes` entries that will
    /// exist after apply), of any provider.
    pub managed: usize,
}

impl PlanSnapshot {
    /// When the plan gives the rules nothing to judge, the sentence that says so.
    pub fn nothing_to_judge(&self) -> Option<String> {
        if !self.snapshot.resources.is_empty() {
            return None;
        }
        Some(match (self.managed, self.not_read.len()) {
            (0, _) => {
                "the plan changes no managed resource: there is nothing for the rules to judge"
                    .to_string()
            }
            (n, 0) => format!(
                "the plan changes {n} managed resource(s), none of a type the rules judge (none is an AWS resource assay reads): there is nothing for the rules to judge"
            ),
            (n, r) => format!(
                "the plan changes {n} managed resource(s), none of a type the rules judge ({r} AWS resource(s) of types assay does not read are listed as not read): there is nothing for the rules to judge"
            ),
        })
    }
}

/// Reads `terraform show -json` output from `path`: UTF-8 (with or without a byte-order
/// mark) or UTF-16.
pub fn load(path: &Path, options: &PlanOptions) -> Result<PlanSnapshot, PlanError> {
    let display = path.display().to_string();
    let bytes = crate::input::read(path).map_err(|source| PlanError::Io {
        path: display.clone(),
        source,
    })?;
    let (text, encoding) = input::decode(&bytes, &display)?;
    let mut planned = from_json(&text, &display, options)?;
    if let Some(note) = encoding {
        planned.warnings.insert(0, format!("{display}: {note}"));
    }
    Ok(planned)
}

/// Builds the snapshot from plan JSON; `file` names the plan in messages.
pub fn from_json(text: &str, file: &str, options: &PlanOptions) -> Result<PlanSnapshot, PlanError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let plan: Value = crate::strict_json::from_str(text).map_err(|e| PlanError::Json {
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
    input::check_shape(&plan, file)?;
    let mut warnings = Vec::new();
    // `timestamp` (Terraform 1.5+) only dates the snapshot: a value that is not RFC 3339
    // is reported and the reading time used, never a reason to refuse the plan.
    let collected_at = match plan.get("timestamp") {
        None | Some(Value::Null) => options.now.unwrap_or_else(Utc::now),
        Some(t) => match t.as_str().map(DateTime::parse_from_rfc3339) {
            Some(Ok(t)) => t.with_timezone(&Utc),
            _ => {
                let now = options.now.unwrap_or_else(Utc::now);
                warnings.push(format!(
                    "{file}: `timestamp`: {t} is not an RFC 3339 time; the snapshot is dated {} instead",
                    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ));
                now
            }
        },
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
    let mut managed = 0;
    for (pos, rc) in changes_json.iter().enumerate() {
        if let Some(planned) = planned(file, pos, rc, &config, &mut raw)? {
            managed += 1;
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
    let (drafts, notes) = normalise::all(&ctx)?;
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
        origin: Origin::whole("plan", None, None),
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
            signature: None,
        },
    };
    snapshot.seal();
    Ok(PlanSnapshot {
        snapshot,
        not_read,
        notes,
        warnings,
        managed,
    })
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
    // The actions Terraform writes (https://developer.hashicorp.com/terraform/internals/json-format,
    // "Change Representation"); anything else is not a plan Terraform wrote, and reading
    // past it could drop a resource that will exist.
    const ACTIONS: [&str; 6] = ["no-op", "create", "read", "update", "delete", "forget"];
    if let Some(bad) = actions.iter().find(|a| !ACTIONS.contains(a)) {
        return Err(err(
            "change.actions",
            format!(
                "`{bad}` is not a Terraform action ({}): this is not a plan Terraform wrote",
                ACTIONS.join(", ")
            ),
        ));
    }
    let action = match actions.as_slice() {
        ["create"] => "create",
        ["update"] => "update",
        ["no-op"] => "no-op",
        ["delete", "create"] | ["create", "delete"] | ["create", "forget"] => "replace",
        // Deleted, or forgotten (removed from state, left in AWS): not managed by this
        // configuration after apply. (`read` is for data sources, handled above.)
        ["delete"] | ["forget"] | ["delete", "forget"] => return Ok(None),
        other => {
            return Err(err(
                "change.actions",
                format!(
                    "{other:?} is not a combination of actions Terraform writes: this is not a plan Terraform wrote"
                ),
            ));
        }
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
    let after_sensitive = change.get("after_sensitive").unwrap_or(&NULL);
    let module_prefix = match rc.get("module_address").and_then(Value::as_str) {
        Some(m) => format!("{m}."),
        None => String::new(),
    };
    // Kept as evidence without the values Terraform marks sensitive.
    let body =
        serde_json::to_string(&sensitive::kept_change(rc)).map_err(|e| err("", e.to_string()))?;
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
        after_sensitive,
        provider: config.provider_of(address),
        sha,
    }))
}
