//! What the evidence covered, stated wherever a conclusion is drawn (the reports' scope
//! section, the evidence packs' front matter, the attestation): the data-store types
//! assay judges in detail, the types AWS Config's inventory only located (no collector
//! reads them), and the accounts and regions where the inventory could not look.
//!
//! Why: a statement about "all data" is only as wide as what was read. The detailed
//! collectors read a fixed list of types; the inventory is what speaks for every other
//! type, so where it could not look, nothing is known about data stores of other types.
//! A claim naming the catch-all rule ([`INVENTORY_RULE`]) is therefore "supported" only
//! when the inventory looked in every account and region read ([`Coverage::missing`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::snapshot::registry::Plan;
use crate::snapshot::{Attributes, Resource, Snapshot};

/// The rule judging the inventory: a claim naming it speaks for all data.
pub const INVENTORY_RULE: &str = "residency.inventory-data-region";

/// The inventory's resource type.
const INVENTORY_TYPE: &str = "aws_config_resource";

/// The calls that read the inventory; a snapshot without any of their responses, rows or
/// gaps holds no inventory.
const INVENTORY_CALLS: &[&str] = &[
    "config:SelectResourceConfig",
    "config:SelectAggregateResourceConfig",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// The data-store types assay reads and judges in detail (the registry's labels),
    /// those a snapshot of this origin can hold.
    pub judged_in_detail: Vec<String>,
    /// Whether the snapshot holds AWS Config's inventory at all (not in a Terraform plan,
    /// nor in a scan made without it).
    pub inventory_read: bool,
    /// The AWS Config types the inventory located that no collector reads.
    pub located_only: Vec<LocatedType>,
    /// Where the inventory could not look, with why.
    pub not_looked: Vec<NotLooked>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocatedType {
    /// AWS's name, e.g. `AWS::EFS::FileSystem`.
    pub resource_type: String,
    pub count: usize,
    pub regions: Vec<String>,
    /// In the profile's `data_resource_types`: the catch-all judges its region.
    pub data_holding: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotLooked {
    pub account: String,
    pub region: String,
    /// `ConfigNotRecording: no configuration recorder in this region`, `region not read: …`.
    pub reason: String,
}

impl Coverage {
    /// The coverage of `snapshot` in `accounts` (every account when `None`), over the
    /// inventory rows among `resources`. `data_types` is the profile's
    /// `data_resource_types`.
    pub fn of<'r>(
        snapshot: &Snapshot,
        accounts: Option<&[String]>,
        resources: impl IntoIterator<Item = &'r Resource>,
        data_types: &[String],
    ) -> Coverage {
        let in_scope = |account: &str| accounts.is_none_or(|a| a.iter().any(|x| x == account));
        let plan = snapshot.origin.kind == "plan";
        let judged_in_detail = crate::snapshot::resources::TYPES
            .iter()
            .filter(|t| !plan || t.plan == Plan::Shown)
            .filter_map(|t| t.data_store.map(|d| d.label.to_string()))
            .collect();
        let mut located: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
        for r in resources {
            if let Attributes::ConfigResource(c) = &r.attributes
                && c.detailed_as.is_none()
            {
                let entry = located.entry(c.resource_type.as_str()).or_default();
                entry.0 += 1;
                entry.1.insert(r.region.as_str());
            }
        }
        let inventory_gaps: Vec<_> = snapshot
            .gaps
            .iter()
            .filter(|g| g.resource_types.iter().any(|t| t == INVENTORY_TYPE))
            .collect();
        let inventory_read = !plan
            && (snapshot
                .resources
                .iter()
                .any(|r| r.type_name() == INVENTORY_TYPE)
                || !inventory_gaps.is_empty()
                || snapshot
                    .raw_responses
                    .values()
                    .any(|raw| INVENTORY_CALLS.contains(&raw.operation.as_str())));
        let mut not_looked = Vec::new();
        if inventory_read {
            for a in snapshot.accounts.iter().filter(|a| in_scope(&a.account_id)) {
                for region in &a.regions_read {
                    let mut reasons: Vec<String> = inventory_gaps
                        .iter()
                        .filter(|g| g.account == a.account_id && &g.region == region)
                        .map(|g| format!("{}: {}", g.error_code, g.message))
                        .collect();
                    reasons.dedup();
                    if !reasons.is_empty() {
                        not_looked.push(NotLooked {
                            account: a.account_id.clone(),
                            region: region.clone(),
                            reason: reasons.join("; "),
                        });
                    }
                }
                for r in &a.regions_not_read {
                    not_looked.push(NotLooked {
                        account: a.account_id.clone(),
                        region: r.region.clone(),
                        reason: format!("region not read: {}", r.reason),
                    });
                }
            }
        }
        Coverage {
            judged_in_detail,
            inventory_read,
            located_only: located
                .into_iter()
                .map(|(t, (count, regions))| LocatedType {
                    resource_type: t.to_string(),
                    count,
                    regions: regions.into_iter().map(str::to_string).collect(),
                    data_holding: data_types.iter().any(|d| d == t),
                })
                .collect(),
            not_looked,
        }
    }

    /// What the inventory did not cover, in one sentence; `None` when it looked in every
    /// account and region read.
    pub fn missing(&self) -> Option<String> {
        if !self.inventory_read {
            return Some(
                "AWS Config's inventory is not in this evidence, so data stores of types assay does not read in detail were not looked for anywhere".into(),
            );
        }
        if self.not_looked.is_empty() {
            return None;
        }
        let why = self
            .by_reason()
            .into_iter()
            .map(|(code, places)| format!("{code}: {}", places.len()))
            .collect::<Vec<_>>()
            .join(", ");
        Some(format!(
            "AWS Config's inventory could not look in {} account-region(s) ({why}), so data stores of types assay does not read in detail were not looked for there",
            self.not_looked.len()
        ))
    }

    /// The places the inventory could not look, by the first part of the reason (the
    /// error code, or `region not read`), in order.
    fn by_reason(&self) -> Vec<(&str, Vec<&NotLooked>)> {
        let mut out: Vec<(&str, Vec<&NotLooked>)> = Vec::new();
        for n in &self.not_looked {
            let code = n.reason.split(':').next().unwrap_or(&n.reason);
            match out.iter_mut().find(|(c, _)| *c == code) {
                Some((_, places)) => places.push(n),
                None => out.push((code, vec![n])),
            }
        }
        out
    }

    /// `AWS::EFS::FileSystem, holds data (2 in ap-southeast-2, us-east-1)`, `; `-joined; data-holding
    /// types first.
    pub fn located_only_text(&self) -> String {
        let mut types: Vec<&LocatedType> = self.located_only.iter().collect();
        types.sort_by_key(|t| !t.data_holding);
        types
            .iter()
            .map(|t| {
                format!(
                    "{}{} ({} in {})",
                    t.resource_type,
                    if t.data_holding { ", holds data" } else { "" },
                    t.count,
                    t.regions.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Where the inventory could not look, grouped by why: `ConfigNotRecording:
    /// 111122223333 us-east-1, 444455556666 eu-west-1; region not read: …`. The full
    /// reasons are in `not_looked`.
    pub fn not_looked_text(&self) -> String {
        self.by_reason()
            .into_iter()
            .map(|(code, places)| {
                let places: Vec<String> = places
                    .iter()
                    .map(|n| format!("{} {}", n.account, n.region))
                    .collect();
                format!("{code}: {}", places.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The profile's `data_resource_types` (AWS's type names) from its parameters.
pub fn data_types(params: &BTreeMap<String, serde_json::Value>) -> Vec<String> {
    params
        .get("data_resource_types")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The coverage in words, as every document prints it.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageView {
    /// `S3 buckets, EBS volumes, …`.
    pub judged: String,
    /// The located-only types with counts and regions, or `none`.
    pub located_only: String,
    /// Where the inventory could not look, with why; `every account and region read`
    /// when it looked everywhere; or that the evidence holds no inventory.
    pub not_looked: String,
    /// The inventory looked in every account and region read.
    pub complete: bool,
}

impl Coverage {
    pub fn view(&self) -> CoverageView {
        CoverageView {
            judged: self.judged_in_detail.join(", "),
            located_only: if !self.inventory_read {
                "not known: the evidence holds no AWS Config inventory".into()
            } else if self.located_only.is_empty() {
                "none".into()
            } else {
                self.located_only_text()
            },
            not_looked: if !self.inventory_read {
                "everywhere: the evidence holds no AWS Config inventory".into()
            } else if self.not_looked.is_empty() {
                "nowhere: it looked in every account and region read".into()
            } else {
                self.not_looked_text()
            },
            complete: self.missing().is_none(),
        }
    }
}
