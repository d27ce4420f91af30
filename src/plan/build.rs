//! The shared machinery of plan normalisation: the planned changes in scope, their region
//! and account, placeholder ARNs, reference resolution, and the resources being built.
//!
//! A planned resource gets the ARN `terraform:<address>`: deterministic, and the finding
//! fingerprint then keys on the Terraform address, so baselines made from plans do not
//! collide with baselines made from the applied account. Attributes naming another planned
//! resource (`kms_key_id = aws_kms_key.main.arn`) are rewritten to that placeholder, which
//! is how `related()` joins planned resources.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::attrs::{Attrs, Field};
use super::config::{Config, Provider, strip_instance_keys};
use super::error::PlanError;
use crate::snapshot::{Attributes, Provenance, RawResponse, Resource, Tags, Unknown};

/// The operation recorded as provenance of planned attributes.
pub const OPERATION: &str = "terraform:plan";

/// The placeholder ARN of a planned resource.
pub fn placeholder(address: &str) -> String {
    format!("terraform:{address}")
}

/// One resource change the snapshot describes (created, updated, replaced or unchanged).
#[derive(Debug)]
pub struct Planned<'a> {
    /// Position in `resource_changes`, for error paths.
    pub pos: usize,
    pub address: String,
    /// `module.net.` for resources in a module instance; empty in the root module.
    pub module_prefix: String,
    pub type_name: String,
    /// `create`, `update`, `replace` or `no-op`.
    pub action: &'static str,
    pub after: &'a Value,
    pub after_unknown: &'a Value,
    /// `change.after_sensitive`: `true` where a value of `after` is sensitive.
    pub after_sensitive: &'a Value,
    pub provider: Provider,
    /// Key of this change's JSON in the snapshot's raw responses.
    pub sha: String,
}

/// A resource being built, with the groups it does not know yet.
#[derive(Debug)]
pub struct Draft {
    /// Index of the change that created it (`None` for synthesised region settings).
    pub change: Option<usize>,
    pub resource: Resource,
}

impl Draft {
    pub fn unknown(&mut self, group: &str, reason: String) {
        if !self.resource.unknown.iter().any(|u| u.group == group) {
            self.resource.unknown.push(Unknown {
                group: group.to_string(),
                reason,
            });
        }
    }

    /// Marks a group as known again (a later change supplied it).
    pub fn known(&mut self, group: &str) {
        self.resource.unknown.retain(|u| u.group != group);
    }

    /// Cites `planned` as the source of `group`.
    pub fn cite(&mut self, group: &str, planned: &Planned, at: DateTime<Utc>) {
        self.resource.provenance.insert(
            group.to_string(),
            Provenance {
                operation: OPERATION.into(),
                region: planned
                    .provider
                    .region
                    .clone()
                    .unwrap_or_else(|| "global".into()),
                called_at: at,
                request_id: None,
                response_sha256: planned.sha.clone(),
            },
        );
    }
}

/// A parent outside the plan, as a change names it.
#[derive(Debug, Clone)]
pub struct Parent<'a> {
    pub label: String,
    /// The data source the parent was read with at plan time.
    pub data: Option<&'a Value>,
}

/// Everything normalisers share.
pub struct Ctx<'a> {
    pub file: &'a str,
    pub config: Config<'a>,
    pub changes: Vec<Planned<'a>>,
    pub collected_at: DateTime<Utc>,
    /// `--account`: the account of resources whose provider does not say.
    pub default_account: Option<String>,
    /// Planned address → index in `changes`.
    by_address: HashMap<String, usize>,
    /// Real ARNs (and S3 bucket names) of planned resources → their placeholder.
    real_arns: HashMap<String, String>,
    /// Raw JSON of each change, by its hash.
    pub raw: BTreeMap<String, RawResponse>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        file: &'a str,
        config: Config<'a>,
        changes: Vec<Planned<'a>>,
        raw: BTreeMap<String, RawResponse>,
        collected_at: DateTime<Utc>,
        default_account: Option<String>,
    ) -> Ctx<'a> {
        let by_address = changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.address.clone(), i))
            .collect();
        let mut real_arns = HashMap::new();
        for c in &changes {
            if let Some(arn) = c.after.get("arn").and_then(Value::as_str) {
                real_arns.insert(arn.to_string(), placeholder(&c.address));
            }
            if c.type_name == "aws_s3_bucket"
                && let Some(bucket) = c.after.get("bucket").and_then(Value::as_str)
            {
                real_arns.insert(format!("arn:aws:s3:::{bucket}"), placeholder(&c.address));
            }
        }
        Ctx {
            file,
            config,
            changes,
            collected_at,
            default_account,
            by_address,
            real_arns,
            raw,
        }
    }

    /// Whether the configuration leaves `key` unset on the resource (so AWS or the provider
    /// fills in its default). `false` when the configuration is not in the plan: then
    /// nobody can tell.
    pub fn unset_in_config(&self, p: &Planned, key: &str) -> bool {
        self.config
            .resource(&p.address)
            .and_then(|r| r.expressions)
            .is_some_and(|e| e.get(key).is_none())
    }

    /// The root attributes of a change, with its configuration expressions.
    pub fn attrs<'s>(&'s self, p: &'s Planned<'a>) -> Attrs<'s> {
        let expr = self.config.resource(&p.address).and_then(|r| r.expressions);
        Attrs::new(
            self.file,
            &p.address,
            p.after,
            p.after_unknown,
            expr,
            format!("resource_changes[{}].change.after", p.pos),
        )
    }

    /// The region: the resource's own `region` argument (provider v6), else its provider's.
    pub fn region(&self, p: &Planned) -> Option<String> {
        self.region_or_reason(p).ok()
    }

    /// The region, or why the plan does not show it. Provider v6 gives every regional
    /// resource a `region` argument; when the configuration sets it to a value known only
    /// after apply, the resource's region is unknown, whatever its provider says. (Before
    /// v6 some types had a computed `region` attribute, e.g. an S3 bucket's, which is the
    /// provider's region: unknown there, but not set by the configuration.)
    pub fn region_or_reason(&self, p: &Planned) -> Result<String, String> {
        let own_unknown = p.after_unknown.get("region") == Some(&Value::Bool(true));
        let configured = match self.config.resource(&p.address).and_then(|r| r.expressions) {
            Some(e) => e.get("region").is_some(),
            // Without the configuration nobody can tell: never assume the provider's.
            None => true,
        };
        if own_unknown && configured {
            return Err(format!(
                "{}.region is known after apply (its own `region` argument, provider v6), so its region is not its provider's",
                p.address
            ));
        }
        match p
            .after
            .get("region")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
        {
            Some(r) => Ok(r.to_string()),
            None => p.provider.region.clone().ok_or_else(|| {
                format!(
                    "the region of {} is not in the plan: its provider sets no constant region",
                    p.address
                )
            }),
        }
    }

    pub fn account(&self, p: &Planned) -> Option<String> {
        p.provider
            .account
            .clone()
            .or_else(|| self.default_account.clone())
    }

    /// The planned changes whose address a reference of `key` names.
    fn referenced(&self, a: &Attrs, p: &Planned, key: &str) -> Vec<usize> {
        let mut out: Vec<usize> = a
            .references(key)
            .iter()
            .flat_map(|r| self.config.resolve(&p.module_prefix, r))
            .filter_map(|address| self.change_at(&address))
            .collect();
        out.dedup();
        out
    }

    /// The change at `address`; an address without instance key names a resource with a
    /// single instance.
    pub fn change_at(&self, address: &str) -> Option<usize> {
        if let Some(&i) = self.by_address.get(address) {
            return Some(i);
        }
        let matches: Vec<usize> = self
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| strip_instance_keys(&c.address) == address)
            .map(|(i, _)| i)
            .collect();
        (matches.len() == 1).then(|| matches[0])
    }

    /// The data source a reference of `key` names, with its values.
    pub fn referenced_data(&self, a: &Attrs, p: &Planned, key: &str) -> Option<&'a Value> {
        a.references(key)
            .iter()
            .flat_map(|r| self.config.resolve(&p.module_prefix, r))
            .find_map(|address| self.config.data.get(&address).copied())
    }

    /// An attribute that names another resource by ARN: a planned resource becomes its
    /// placeholder, a data source its ARN, anything else stays as written.
    pub fn arn_ref(&self, a: &Attrs, p: &Planned, key: &str) -> Result<Field<String>, PlanError> {
        Ok(match a.string(key)? {
            Field::Known(v) if v.is_empty() => Field::Null,
            Field::Known(v) => Field::Known(self.real_arns.get(&v).cloned().unwrap_or(v)),
            Field::Null => Field::Null,
            Field::Unknown => match self.referenced(a, p, key).first() {
                Some(&i) => Field::Known(placeholder(&self.changes[i].address)),
                None => match self
                    .referenced_data(a, p, key)
                    .and_then(|d| d.get("arn"))
                    .and_then(Value::as_str)
                {
                    Some(arn) => Field::Known(arn.to_string()),
                    None => Field::Unknown,
                },
            },
        })
    }

    /// A literal ARN, rewritten to the placeholder when it names a planned resource.
    pub fn arn_ref_value(&self, arn: &str) -> String {
        self.real_arns
            .get(arn)
            .cloned()
            .unwrap_or_else(|| arn.to_string())
    }

    /// The placeholders of every planned resource a list attribute references (for lists
    /// whose values are known only after apply, such as backup selections).
    pub fn referenced_placeholders(&self, a: &Attrs, p: &Planned, key: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .referenced(a, p, key)
            .into_iter()
            .map(|i| placeholder(&self.changes[i].address))
            .collect();
        out.dedup();
        out
    }

    /// The planned resource of one of `types` that `key` points at: by reference, or by a
    /// known value equal to its id, name, bucket or ARN (a split S3 resource names its
    /// bucket; a security-group rule its group id).
    pub fn target(&self, a: &Attrs, p: &Planned, key: &str, types: &[&str]) -> Option<usize> {
        let of_type = |i: &usize| types.contains(&self.changes[*i].type_name.as_str());
        if let Some(i) = self.referenced(a, p, key).into_iter().find(of_type) {
            return Some(i);
        }
        let value = a.raw(key).known()?.as_str()?.to_string();
        let placeholder_match = self.real_arns.get(&value).cloned();
        (0..self.changes.len()).filter(of_type).find(|&i| {
            let c = &self.changes[i];
            ["id", "name", "bucket", "arn"]
                .iter()
                .any(|k| c.after.get(*k).and_then(Value::as_str) == Some(value.as_str()))
                || placeholder_match.as_deref() == Some(placeholder(&c.address).as_str())
        })
    }

    /// The parent a change names through `key` when the parent is not in the plan: a
    /// label for messages, and the values of the data source it was read with, if any.
    pub fn outside_parent(
        &self,
        a: &Attrs,
        p: &Planned,
        key: &str,
        parent_type: &str,
    ) -> Parent<'a> {
        if let Field::Known(Value::String(v)) = a.raw(key)
            && !v.is_empty()
        {
            let data = self.config.data.values().copied().find(|d| {
                ["id", "bucket", "arn"]
                    .iter()
                    .any(|k| d.get(*k).and_then(Value::as_str) == Some(v))
            });
            return Parent {
                label: format!("{parent_type} `{v}`"),
                data,
            };
        }
        let refs = a.references(key);
        if let Some(data_address) = refs
            .iter()
            .flat_map(|r| self.config.resolve(&p.module_prefix, r))
            .find(|address| self.config.data.contains_key(address))
        {
            return Parent {
                label: format!("{parent_type} read by `{data_address}`"),
                data: self.config.data.get(&data_address).copied(),
            };
        }
        match refs.first() {
            Some(r) => Parent {
                label: format!("{parent_type} `{r}`"),
                data: None,
            },
            None => Parent {
                label: format!("{parent_type} known only after apply"),
                data: None,
            },
        }
    }

    /// Values of the data source whose ARN is `arn` (e.g. an S3 bucket read at plan
    /// time), with the region it is in.
    pub fn data_by_arn(&self, arn: &str) -> Option<(&'a Value, Option<String>)> {
        self.config.data.iter().find_map(|(address, values)| {
            (values.get("arn").and_then(Value::as_str) == Some(arn)).then(|| {
                let region = values
                    .get("region")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| self.config.provider_of(address).region);
                (*values, region)
            })
        })
    }

    /// A new resource for `p` with the common envelope: placeholder ARN, the address as id,
    /// `name` (the AWS name when the plan knows it), region, account and tags.
    pub fn draft(
        &self,
        index: usize,
        attributes: Attributes,
        name: Option<String>,
        global: bool,
    ) -> Result<Draft, PlanError> {
        let p = &self.changes[index];
        let a = self.attrs(p);
        let mut draft = Draft {
            change: Some(index),
            resource: Resource {
                arn: placeholder(&p.address),
                id: p.address.clone(),
                name: name.unwrap_or_else(|| p.address.clone()),
                account: String::new(),
                region: String::new(),
                tags: Tags::new(),
                attributes,
                provenance: BTreeMap::new(),
                unread: Vec::new(),
                unknown: Vec::new(),
            },
        };
        draft.cite("resource", p, self.collected_at);
        match if global {
            Ok("global".into())
        } else {
            self.region_or_reason(p)
        } {
            Ok(region) => draft.resource.region = region,
            Err(reason) => {
                draft.resource.region = "unknown".into();
                draft.unknown("region", reason);
            }
        }
        match self.account(p) {
            Some(account) => draft.resource.account = account,
            None => {
                draft.resource.account = "unknown".into();
                draft.unknown(
                    "account",
                    format!("the account of {} is not in the plan: set allowed_account_ids in its provider, or pass --account", p.address),
                );
            }
        }
        let tags = match (a.string_map("tags_all")?, a.string_map("tags")?) {
            (Field::Known(all), _) => Field::Known(all),
            (_, Field::Known(tags)) if !p.provider.default_tags => Field::Known(tags),
            (_, Field::Null) if !p.provider.default_tags => Field::Known(Tags::new()),
            _ => Field::Unknown,
        };
        match tags {
            Field::Known(mut tags) => {
                sensitive_tags(p, &mut tags);
                if let Some(name) = tags
                    .get("Name")
                    .filter(|_| draft.resource.name == p.address)
                {
                    draft.resource.name = name.clone();
                }
                draft.resource.tags = tags;
            }
            _ => draft.unknown("tags", a.unknown_reason("tags_all")),
        }
        Ok(draft)
    }
}

/// Replaces the values of the tags Terraform marks sensitive (a tag set from a sensitive
/// variable) by the placeholder the kept plan JSON uses: the snapshot never holds a
/// value the plan marks sensitive, and the tag's key still shows it is set.
fn sensitive_tags(p: &Planned, tags: &mut Tags) {
    for key in ["tags_all", "tags"] {
        match p.after_sensitive.get(key) {
            Some(Value::Bool(true)) => tags
                .values_mut()
                .for_each(|v| *v = super::sensitive::REMOVED.to_string()),
            Some(Value::Object(masks)) => {
                for (k, m) in masks {
                    if m == &Value::Bool(true)
                        && let Some(v) = tags.get_mut(k)
                    {
                        *v = super::sensitive::REMOVED.to_string();
                    }
                }
            }
            _ => {}
        }
    }
}
