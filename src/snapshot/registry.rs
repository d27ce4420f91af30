//! The registry of resource types: every fact about a type that code outside its
//! collector needs, stated once, next to the type's attribute struct.
//!
//! Before this registry, the same facts lived in hand-kept lists (which types put a region
//! in use, which are listed per region, which are data stores an attestation counts,
//! which residency rule judges their region, which a Terraform plan can show, how their
//! KMS key references are found), so a new type had to be added to five places and a
//! forgotten one went unnoticed. Now [`resource_types!`] (invoked once, in
//! `resources.rs`) takes every fact of every type, in a fixed order: a type with a fact
//! left out does not compile, and the self-checks below test that the facts agree with
//! each other and with the bundled rules.
//!
//! The macro generates the tagged [`Attributes`](super::Attributes) enum, the list of type
//! names, and the per-type accessors; this module holds the fact types and the lookups.

use super::resources::{Attributes, Encryption};

/// Everything the rest of assay knows about one resource type.
#[derive(Debug, Clone, Copy)]
pub struct TypeInfo {
    /// The snapshot name, e.g. `aws_s3_bucket`.
    pub name: &'static str,
    /// The AWS service whose API describes it (gaps name this service; `service_gaps()`
    /// matches on it).
    pub service: &'static str,
    /// Whether it is listed region by region in the regions read, so that in an account
    /// where no region could be read it is not known to be absent. Types listed once per
    /// account (IAM, S3's `ListBuckets`) are not; neither are console sign-ins, which are
    /// also read in us-east-1 whatever the regions asked for.
    pub regional: bool,
    /// Set for the types that hold customer data: what an attestation counts.
    pub data_store: Option<DataStore>,
    /// Whether a Terraform plan can show resources of this type.
    pub plan: Plan,
    /// Whether a resource of this type puts its region in use (`aws_region.in_use`).
    pub in_use: InUse,
}

/// The facts of a data store (a type holding customer data or a copy of it).
#[derive(Debug, Clone, Copy)]
pub struct DataStore {
    /// Its name for people, plural: `S3 buckets`.
    pub label: &'static str,
    /// The residency rule whose `region-allowed` assertion judges the store's region; the
    /// attestation quotes its verdict rather than judging regions itself.
    pub region_rule: &'static str,
    /// Chosen by an attestation's tag and ARN selectors (a bucket, a volume, a copy of
    /// one). A store that is false here (a backup vault) is account-wide: in scope
    /// whenever its account is.
    pub selected: bool,
}

/// Whether a Terraform plan can show a type, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// A plan normaliser produces it (see `plan/normalise`).
    Shown,
    /// A plan can never show it; the text says why, naming the type.
    Never(&'static str),
    /// Terraform could describe it, but assay has no normaliser for it yet.
    NotRead,
}

/// How a resource of a type bears on whether its region is in use.
#[derive(Debug, Clone, Copy)]
pub enum InUse {
    /// Its presence says nothing about use (settings, trails, recorders, events, and the
    /// global IAM types, which have no region).
    Never,
    /// Any resource of the type puts its region in use.
    Always,
    /// A resource puts its region in use when the test holds (a VPC that is not the
    /// default one). A failed listing of the type still hides whether the region is used.
    When(fn(&Attributes) -> bool),
}

impl InUse {
    /// Whether a listing of this type, had it failed, could have hidden a resource that
    /// puts the region in use.
    pub fn can_mark_use(&self) -> bool {
        !matches!(self, InUse::Never)
    }
}

/// The registry entry of the named type, or `None` for a type assay does not know.
pub fn type_info(type_name: &str) -> Option<&'static TypeInfo> {
    super::resources::TYPES.iter().find(|t| t.name == type_name)
}

/// The data-store types, in registry order, with their facts.
pub fn data_stores() -> impl Iterator<Item = (&'static str, &'static DataStore)> {
    super::resources::TYPES
        .iter()
        .filter_map(|t| t.data_store.as_ref().map(|d| (t.name, d)))
}

/// The KMS key reference of an encryption group, for [`Attributes::key_references`].
pub(crate) fn encryption_key(encryption: &mut Option<Encryption>) -> Vec<&mut Option<String>> {
    encryption
        .as_mut()
        .map(|e| &mut e.kms_key_arn)
        .into_iter()
        .collect()
}

/// Declares, once, each resource type: its attribute struct, its snapshot name, and every
/// fact of [`TypeInfo`], plus how its encryption group, its KMS key references and its
/// copies are read. Every fact is required, in this order, so a type with a fact missing
/// does not compile.
///
/// - `encryption: |a| …` gives `Some(&a.encryption)` for a data store whose encryption
///   at rest the attestation summarises, `None` for any other type;
/// - `key_references: |a| …` gives every field that names a KMS key (by id, alias or
///   ARN), which the collector rewrites to the key's ARN so rules can join on it;
/// - `copies: |a| …` lists every copy of the resource's data, and every grant of it to
///   another account, that its attributes name ([`super::copies`]): what an attestation's
///   "copies of the data" shows. A type that holds none gives `Vec::new()`; the
///   self-check in `copies.rs` fails for a type whose attributes name replicas, copies or
///   shares and whose lister gives none.
macro_rules! resource_types {
    ($(
        $variant:ident => $name:literal {
            service: $service:literal,
            regional: $regional:expr,
            data_store: $data_store:expr,
            plan: $plan:expr,
            in_use: $in_use:expr,
            encryption: |$e:pat_param| $encryption:expr,
            key_references: |$k:pat_param| $keys:expr,
            copies: |$c:pat_param| $copies:expr $(,)?
        }
    )*) => {
        /// The type-specific attributes of a resource, tagged by `type`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(tag = "type")]
        pub enum Attributes {
            $(
                #[serde(rename = $name)]
                $variant($variant),
            )*
        }

        /// Every resource type assay knows, by its snapshot name.
        pub const RESOURCE_TYPES: &[&str] = &[$($name),*];

        /// The registry: every resource type with its facts, in declaration order.
        pub static TYPES: &[TypeInfo] = &[$(
            TypeInfo {
                name: $name,
                service: $service,
                regional: $regional,
                data_store: $data_store,
                plan: $plan,
                in_use: $in_use,
            },
        )*];

        impl Attributes {
            /// The snapshot name of this resource's type, e.g. `aws_s3_bucket`.
            pub fn type_name(&self) -> &'static str {
                match self { $(Attributes::$variant(_) => $name),* }
            }

            /// A blank instance of the named type (all fields empty), or `None` for an
            /// unknown type.
            pub fn blank(type_name: &str) -> Option<Attributes> {
                match type_name {
                    $($name => Some(Attributes::$variant(Default::default())),)*
                    _ => None,
                }
            }

            /// The JSON Schema of the named type's attribute object.
            pub fn schema_of(type_name: &str) -> Option<schemars::Schema> {
                match type_name {
                    $($name => Some(schemars::schema_for!($variant)),)*
                    _ => None,
                }
            }

            /// The encryption-at-rest group of a data store (`Some(&None)` when it was
            /// not read), or `None` for a type that has none.
            pub fn encryption(&self) -> Option<&Option<Encryption>> {
                match self { $(Attributes::$variant($e) => $encryption,)* }
            }

            /// Every field of this resource that references a KMS key.
            pub fn key_references(&mut self) -> Vec<&mut Option<String>> {
                match self { $(Attributes::$variant($k) => $keys,)* }
            }

            /// Every copy of this resource's data, and every grant of it to another
            /// account, that its attributes name.
            pub fn copies(&self) -> Vec<super::copies::Copy> {
                match self { $(Attributes::$variant($c) => $copies,)* }
            }
        }

        /// The AWS service whose API describes the named type (for gaps and IAM policy).
        pub fn service_of(type_name: &str) -> Option<&'static str> {
            match type_name {
                $($name => Some($service),)*
                _ => None,
            }
        }
    };
}
pub(crate) use resource_types;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::snapshot::RESOURCE_TYPES;

    #[test]
    fn every_type_is_registered_once_with_a_name_and_service() {
        let names: BTreeSet<&str> = super::super::resources::TYPES
            .iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(
            names.len(),
            RESOURCE_TYPES.len(),
            "a type is declared twice"
        );
        for t in super::super::resources::TYPES {
            assert!(t.name.starts_with("aws_"), "{}", t.name);
            assert!(!t.service.is_empty(), "{} has no service", t.name);
            let blank = Attributes::blank(t.name).expect("a blank instance");
            assert_eq!(blank.type_name(), t.name);
            assert!(Attributes::schema_of(t.name).is_some());
        }
    }

    /// A data store is exactly a type with an encryption group, and that group's key is
    /// among the references resolved to key ARNs: the attestation's encryption summary
    /// and the key resolution read the same field.
    #[test]
    fn data_stores_have_an_encryption_group_whose_key_is_resolved() {
        for t in super::super::resources::TYPES {
            let blank = Attributes::blank(t.name).expect("blank");
            assert_eq!(
                blank.encryption().is_some(),
                t.data_store.is_some(),
                "{}: a data store has an encryption group and only a data store does",
                t.name
            );
            if t.data_store.is_none() {
                continue;
            }
            let mut json = serde_json::to_value(&blank).expect("serialises");
            json["encryption"] = serde_json::json!({
                "enabled": true, "algorithm": "aws:kms", "kms_key_arn": "alias/k"
            });
            let mut keyed: Attributes = serde_json::from_value(json).expect("deserialises");
            assert_eq!(
                keyed.encryption(),
                Some(&Some(Encryption {
                    enabled: true,
                    algorithm: Some("aws:kms".into()),
                    kms_key_arn: Some("alias/k".into()),
                })),
                "{}: `encryption` reads another field",
                t.name
            );
            assert!(
                keyed
                    .key_references()
                    .iter()
                    .any(|k| k.as_deref() == Some("alias/k")),
                "{}: its encryption key is not resolved",
                t.name
            );
        }
    }

    #[test]
    fn a_plan_reason_names_its_type() {
        for t in super::super::resources::TYPES {
            if let Plan::Never(why) = t.plan {
                assert!(why.contains(t.name), "{}: {why}", t.name);
            }
        }
    }
}
