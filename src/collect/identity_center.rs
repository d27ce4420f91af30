//! IAM Identity Center: the instance of the region, its permission sets (session
//! duration, AWS managed, inline and customer managed policies, permissions boundary) with
//! their account assignments, and the groups of its identity store with their external
//! (directory) ids and members.
//!
//! Identity Center lives in one region, the instance's home region: `sso:ListInstances`
//! answers with an empty list in every other region, so the collector runs region by
//! region and yields what the home region holds when it is among the regions read. A
//! region where `ListInstances` fails is a listing gap for every type here; a scan that
//! found no instance yields none, and the rules on these types say "no aws_sso_instance
//! in the snapshot" (NOT_APPLICABLE, never PASS).
//!
//! The identity store has no listing of its own (its id comes from the instance), so its
//! calls are made here too, under their own service prefix (`identitystore:`).

use std::collections::BTreeMap;

use aws_sdk_identitystore::Client as StoreClient;
use aws_sdk_identitystore::operation::list_group_memberships::ListGroupMembershipsOutput;
use aws_sdk_identitystore::operation::list_groups::ListGroupsOutput;
use aws_sdk_identitystore::types::Group;
use aws_sdk_ssoadmin::Client;
use aws_sdk_ssoadmin::operation::list_account_assignments::ListAccountAssignmentsOutput;
use aws_sdk_ssoadmin::operation::list_accounts_for_provisioned_permission_set::ListAccountsForProvisionedPermissionSetOutput;
use aws_sdk_ssoadmin::operation::list_customer_managed_policy_references_in_permission_set::ListCustomerManagedPolicyReferencesInPermissionSetOutput;
use aws_sdk_ssoadmin::operation::list_instances::ListInstancesOutput;
use aws_sdk_ssoadmin::operation::list_managed_policies_in_permission_set::ListManagedPoliciesInPermissionSetOutput;
use aws_sdk_ssoadmin::operation::list_permission_sets::ListPermissionSetsOutput;
use aws_sdk_ssoadmin::types::InstanceMetadata;
use futures::StreamExt;

use super::aws::{Failure, FailureKind};
use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::{
    AccountAssignment, CustomerManagedPolicyReference, ExternalId, IdentitystoreGroup,
    PermissionsBoundary, SsoInstance, SsoPermissionSet,
};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("sso:ListInstances", "sso:ListInstances"),
    ("sso:ListPermissionSets", "sso:ListPermissionSets"),
    ("sso:DescribePermissionSet", "sso:DescribePermissionSet"),
    (
        "sso:ListManagedPoliciesInPermissionSet",
        "sso:ListManagedPoliciesInPermissionSet",
    ),
    (
        "sso:GetInlinePolicyForPermissionSet",
        "sso:GetInlinePolicyForPermissionSet",
    ),
    (
        "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
        "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
    ),
    (
        "sso:GetPermissionsBoundaryForPermissionSet",
        "sso:GetPermissionsBoundaryForPermissionSet",
    ),
    (
        "sso:ListAccountsForProvisionedPermissionSet",
        "sso:ListAccountsForProvisionedPermissionSet",
    ),
    ("sso:ListAccountAssignments", "sso:ListAccountAssignments"),
    ("identitystore:ListGroups", "identitystore:ListGroups"),
    (
        "identitystore:ListGroupMemberships",
        "identitystore:ListGroupMemberships",
    ),
    ("identitystore:DescribeUser", "identitystore:DescribeUser"),
];

/// Every type this collector yields: a failed `ListInstances` leaves them all unread.
const TYPES: &[&str] = &[
    "aws_sso_instance",
    "aws_sso_permission_set",
    "aws_identitystore_group",
    super::sso_signins::TYPE,
];

/// The groups `DescribePermissionSet` fills.
const DESCRIBED: &[&str] = &[
    "description",
    "session_duration",
    "session_duration_minutes",
    "created",
];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let sso = service_client!(aws_sdk_ssoadmin, ctx);
    let store = service_client!(aws_sdk_identitystore, ctx);
    let instances = ctx
        .recorder
        .pages(
            Paging::listing(ctx.account, ctx.region, "sso:ListInstances", TYPES),
            |token, c| {
                sso.list_instances()
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListInstancesOutput| {
                (
                    out.instances().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    let mut found = Vec::new();
    for (metadata, listed) in instances {
        let (Some(instance_arn), Some(store_id)) =
            (metadata.instance_arn(), metadata.identity_store_id())
        else {
            // AWS documents both as always present; an instance without them cannot be
            // read further, and is kept as listed so that it is not lost.
            found.push(instance(ctx, &metadata, listed));
            continue;
        };
        let (instance_arn, store_id) = (instance_arn.to_string(), store_id.to_string());
        found.push(instance(ctx, &metadata, listed));
        let groups = groups(ctx, &store, &store_id).await;
        let names: BTreeMap<String, String> = groups
            .iter()
            .map(|g| (g.id.clone(), g.name.clone()))
            .collect();
        found.extend(permission_sets(ctx, &sso, &store, &instance_arn, &store_id, &names).await);
        // The instance's own sign-in events are recorded in its home region: this one.
        let members: Vec<(String, IdentitystoreGroup)> = groups
            .iter()
            .filter_map(|g| match &g.attributes {
                Attributes::IdentitystoreGroup(a) => Some((g.name.clone(), a.clone())),
                _ => None,
            })
            .collect();
        found.extend(super::sso_signins::collect(ctx, &store_id, &members).await);
        found.extend(groups);
    }
    found
}

/// The instance as `ListInstances` gave it.
fn instance(ctx: &ServiceCtx<'_>, m: &InstanceMetadata, listed: Provenance) -> Resource {
    let arn = m.instance_arn().unwrap_or_default().to_string();
    let id = arn.rsplit('/').next().unwrap_or_default().to_string();
    let attributes = SsoInstance {
        identity_store_id: m.identity_store_id().unwrap_or_default().to_string(),
        status: m.status().map(|s| s.as_str().to_string()),
        owner_account_id: m.owner_account_id().map(str::to_string),
        created: m.created_date().map(|d| d.to_string()),
    };
    resource(
        Attributes::SsoInstance(attributes),
        arn,
        id,
        m.name().map(str::to_string),
        ctx.account,
        ctx.region,
        Tags::new(),
        BTreeMap::from([("resource".to_string(), listed)]),
        Vec::new(),
    )
}

/// Every group of the identity store, each with its members.
async fn groups(ctx: &ServiceCtx<'_>, store: &StoreClient, store_id: &str) -> Vec<Resource> {
    let listed = ctx
        .recorder
        .pages(
            Paging::listing(
                ctx.account,
                ctx.region,
                "identitystore:ListGroups",
                &["aws_identitystore_group"],
            ),
            |token, c| {
                store
                    .list_groups()
                    .identity_store_id(store_id)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListGroupsOutput| (out.groups().to_vec(), out.next_token().map(str::to_string)),
        )
        .await
        .items;
    futures::stream::iter(
        listed
            .into_iter()
            .map(|(g, p)| group(ctx, store, store_id, g, p)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// One group and its members (`ListGroupMemberships`, every page).
async fn group(
    ctx: &ServiceCtx<'_>,
    store: &StoreClient,
    store_id: &str,
    g: Group,
    listed: Provenance,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    // "GroupArn: The Amazon Resource Name (ARN) of the group" (API_Group); the documented
    // form is arn:aws:identitystore:::group/GROUP_ID when a store does not return it.
    let arn = if g.group_arn().is_empty() {
        format!("arn:aws:identitystore:::group/{}", g.group_id())
    } else {
        g.group_arn().to_string()
    };
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    for field in ["description", "external_ids"] {
        if let Some(p) = read.provenance.get("resource").cloned() {
            read.cite(field, p);
        }
    }
    let pages = ctx
        .recorder
        .pages(
            Paging::of(account, region, "identitystore:ListGroupMemberships", &arn),
            |token, c| {
                store
                    .list_group_memberships()
                    .identity_store_id(store_id)
                    .group_id(g.group_id())
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListGroupMembershipsOutput| {
                (
                    out.group_memberships().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await;
    let mut members: Vec<String> = read
        .paged("members", pages)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.member_id().and_then(|id| id.as_user_id().ok()).cloned())
        .collect();
    members.sort();
    let attributes = IdentitystoreGroup {
        identity_store_id: g.identity_store_id().to_string(),
        description: g.description().map(str::to_string),
        external_ids: g
            .external_ids()
            .iter()
            .map(|e| ExternalId {
                issuer: e.issuer().to_string(),
                id: e.id().to_string(),
            })
            .collect(),
        members,
    };
    let (provenance, unread) = read.finish();
    resource(
        Attributes::IdentitystoreGroup(attributes),
        arn,
        g.group_id().to_string(),
        Some(g.display_name().unwrap_or(g.group_id()).to_string()),
        account,
        region,
        Tags::new(),
        provenance,
        unread,
    )
}

/// Every permission set of the instance, read in full.
async fn permission_sets(
    ctx: &ServiceCtx<'_>,
    sso: &Client,
    store: &StoreClient,
    instance_arn: &str,
    store_id: &str,
    group_names: &BTreeMap<String, String>,
) -> Vec<Resource> {
    let listed = ctx
        .recorder
        .pages(
            Paging::listing(
                ctx.account,
                ctx.region,
                "sso:ListPermissionSets",
                &["aws_sso_permission_set"],
            ),
            |token, c| {
                sso.list_permission_sets()
                    .instance_arn(instance_arn)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListPermissionSetsOutput| {
                (
                    out.permission_sets().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await
        .items;
    let instance = Instance {
        arn: instance_arn,
        store_id,
        group_names,
    };
    futures::stream::iter(
        listed
            .into_iter()
            .map(|(arn, p)| permission_set(ctx, sso, store, &instance, arn, p)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// What every permission set of an instance shares.
struct Instance<'a> {
    arn: &'a str,
    store_id: &'a str,
    /// Group id → display name, to name the groups assignments are made to.
    group_names: &'a BTreeMap<String, String>,
}

/// One permission set: its description, policies and assignments.
async fn permission_set(
    ctx: &ServiceCtx<'_>,
    sso: &Client,
    store: &StoreClient,
    instance: &Instance<'_>,
    arn: String,
    listed: Provenance,
) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let mut attributes = SsoPermissionSet {
        instance_arn: instance.arn.to_string(),
        identity_store_id: instance.store_id.to_string(),
        ..SsoPermissionSet::default()
    };
    let mut name = None;
    let described = ctx
        .recorder
        .call(ctx.account, region, "sso:DescribePermissionSet", |c| {
            sso.describe_permission_set()
                .instance_arn(instance.arn)
                .permission_set_arn(&arn)
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    match described {
        Ok((out, p)) => {
            for group in DESCRIBED {
                read.cite(group, p.clone());
            }
            if let Some(ps) = out.permission_set() {
                name = ps.name().map(str::to_string);
                attributes.description = ps.description().map(str::to_string);
                attributes.session_duration = ps.session_duration().map(str::to_string);
                attributes.session_duration_minutes =
                    ps.session_duration().and_then(iso8601_minutes);
                attributes.created = ps.created_date().map(|d| d.to_string());
            }
        }
        Err(e) => {
            let gap = read.miss(DESCRIBED[0], "sso:DescribePermissionSet", &e.failure);
            for group in &DESCRIBED[1..] {
                read.unread_by(group, &gap);
            }
        }
    }
    policies(ctx, &mut read, sso, instance.arn, &arn, &mut attributes).await;
    assignments(ctx, &mut read, sso, store, instance, &arn, &mut attributes).await;
    let id = arn.rsplit('/').next().unwrap_or_default().to_string();
    let (provenance, unread) = read.finish();
    resource(
        Attributes::SsoPermissionSet(attributes),
        arn,
        id,
        name,
        account,
        region,
        Tags::new(),
        provenance,
        unread,
    )
}

/// The permission set's AWS managed, inline and customer managed policies and its
/// permissions boundary, each group cited by its call or unread with its gap.
async fn policies(
    ctx: &ServiceCtx<'_>,
    read: &mut Groups<'_>,
    sso: &Client,
    instance_arn: &str,
    arn: &str,
    attributes: &mut SsoPermissionSet,
) {
    let (account, region) = (ctx.account, ctx.region);
    let managed = ctx
        .recorder
        .pages(
            Paging::of(
                account,
                region,
                "sso:ListManagedPoliciesInPermissionSet",
                arn,
            ),
            |token, c| {
                sso.list_managed_policies_in_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(arn)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListManagedPoliciesInPermissionSetOutput| {
                (
                    out.attached_managed_policies().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await;
    attributes.managed_policies = read
        .paged("managed_policies", managed)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.arn().map(str::to_string))
        .collect();
    let inline = read
        .read(
            "inline_policy",
            "sso:GetInlinePolicyForPermissionSet",
            |c| {
                sso.get_inline_policy_for_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(arn)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await;
    if let Some(out) = inline {
        match inline_policy(out.inline_policy().unwrap_or_default()) {
            Ok(doc) => attributes.inline_policy = doc,
            // A policy assay cannot read is unread, never "no policy".
            Err(failure) => {
                read.miss(
                    "inline_policy",
                    "sso:GetInlinePolicyForPermissionSet",
                    &failure,
                );
            }
        }
    }
    let customer = ctx
        .recorder
        .pages(
            Paging::of(
                account,
                region,
                "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
                arn,
            ),
            |token, c| {
                sso.list_customer_managed_policy_references_in_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(arn)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListCustomerManagedPolicyReferencesInPermissionSetOutput| {
                (
                    out.customer_managed_policy_references().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await;
    attributes.customer_managed_policies = read
        .paged("customer_managed_policies", customer)
        .unwrap_or_default()
        .iter()
        .map(|r| CustomerManagedPolicyReference {
            name: r.name().to_string(),
            path: r.path().map(str::to_string),
        })
        .collect();
    // "ResourceNotFoundException: Indicates that a requested resource is not found" is
    // what GetPermissionsBoundaryForPermissionSet answers for a permission set without a
    // boundary (the SSO Admin API reference, "Errors"): the fact "none", cited.
    let boundary = read
        .read_optional(
            &["permissions_boundary"],
            "sso:GetPermissionsBoundaryForPermissionSet",
            &["ResourceNotFoundException"],
            |c| {
                sso.get_permissions_boundary_for_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(arn)
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await;
    attributes.permissions_boundary = boundary
        .flatten()
        .and_then(|out| out.permissions_boundary().cloned())
        .map(|b| PermissionsBoundary {
            managed_policy_arn: b.managed_policy_arn().map(str::to_string),
            customer_managed_policy: b.customer_managed_policy_reference().map(|r| {
                CustomerManagedPolicyReference {
                    name: r.name().to_string(),
                    path: r.path().map(str::to_string),
                }
            }),
        });
}

/// The accounts the permission set is provisioned to and its assignments in each; the
/// `assignments` group is unread when any page of either failed (a partial list of who
/// holds a permission set must not look whole).
async fn assignments(
    ctx: &ServiceCtx<'_>,
    read: &mut Groups<'_>,
    sso: &Client,
    store: &StoreClient,
    instance: &Instance<'_>,
    arn: &str,
    attributes: &mut SsoPermissionSet,
) {
    let (account, region) = (ctx.account, ctx.region);
    let provisioned = ctx
        .recorder
        .pages(
            Paging::of(
                account,
                region,
                "sso:ListAccountsForProvisionedPermissionSet",
                arn,
            ),
            |token, c| {
                sso.list_accounts_for_provisioned_permission_set()
                    .instance_arn(instance.arn)
                    .permission_set_arn(arn)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListAccountsForProvisionedPermissionSetOutput| {
                (
                    out.account_ids().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await;
    if let Some(gap) = provisioned.gap().map(str::to_string) {
        read.unread_by("provisioned_accounts", &gap);
        read.unread_by("assignments", &gap);
        return;
    }
    let mut accounts: Vec<String> = read
        .paged("provisioned_accounts", provisioned)
        .unwrap_or_default();
    accounts.sort();
    accounts.dedup();
    let mut found = Vec::new();
    let mut first = None;
    for target in &accounts {
        let pages = ctx
            .recorder
            .pages(
                Paging::of(account, region, "sso:ListAccountAssignments", arn),
                |token, c| {
                    sso.list_account_assignments()
                        .instance_arn(instance.arn)
                        .account_id(target)
                        .permission_set_arn(arn)
                        .set_next_token(token)
                        .customize()
                        .interceptor(c)
                        .send()
                },
                |out: ListAccountAssignmentsOutput| {
                    (
                        out.account_assignments().to_vec(),
                        out.next_token().map(str::to_string),
                    )
                },
            )
            .await;
        if let Some(gap) = pages.gap() {
            read.unread_by("assignments", gap);
            attributes.provisioned_accounts = accounts;
            return;
        }
        first = first.or_else(|| pages.first_page().cloned());
        found.extend(pages.items.into_iter().map(|(a, _)| a));
    }
    if let Some(p) = first.or_else(|| read.provenance.get("provisioned_accounts").cloned()) {
        read.cite("assignments", p);
    }
    let mut users: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut list = Vec::new();
    for a in found {
        let principal_type = a
            .principal_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default();
        let principal_id = a.principal_id().unwrap_or_default().to_string();
        let principal_name = if principal_type == "GROUP" {
            instance.group_names.get(&principal_id).cloned()
        } else {
            match users.get(&principal_id) {
                Some(name) => name.clone(),
                None => {
                    let name = user_name(ctx, store, instance.store_id, &principal_id, arn).await;
                    users.insert(principal_id.clone(), name.clone());
                    name
                }
            }
        };
        list.push(AccountAssignment {
            account_id: a.account_id().unwrap_or_default().to_string(),
            principal_type,
            principal_id,
            principal_name,
        });
    }
    list.sort_by(|x, y| {
        (&x.account_id, &x.principal_type, &x.principal_id).cmp(&(
            &y.account_id,
            &y.principal_type,
            &y.principal_id,
        ))
    });
    attributes.provisioned_accounts = accounts;
    attributes.assignments = list;
}

/// A directly assigned user's `UserName` (`DescribeUser`); `None`, with a gap naming the
/// permission set, when it could not be read.
async fn user_name(
    ctx: &ServiceCtx<'_>,
    store: &StoreClient,
    store_id: &str,
    user_id: &str,
    permission_set: &str,
) -> Option<String> {
    let described = ctx
        .recorder
        .call(ctx.account, ctx.region, "identitystore:DescribeUser", |c| {
            store
                .describe_user()
                .identity_store_id(store_id)
                .user_id(user_id)
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    match described {
        Ok((out, _)) => out.user_name().map(str::to_string),
        Err(e) => {
            ctx.recorder.gap(
                ctx.account,
                ctx.region,
                "identitystore:DescribeUser",
                &e.failure,
                &[],
                &format!("{permission_set} (user {user_id})"),
            );
            None
        }
    }
}

/// The inline policy as a normalised document (null when the permission set has none),
/// or why it cannot be read.
fn inline_policy(raw: &str) -> Result<serde_json::Value, Failure> {
    if raw.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    match policy_document(raw) {
        doc @ serde_json::Value::Object(_) => Ok(doc),
        _ => Err(Failure {
            kind: FailureKind::Service,
            code: "UnreadablePolicy".into(),
            message: "the inline policy is not a JSON policy document".into(),
        }),
    }
}

/// Whole minutes of an ISO 8601 duration of hours, minutes and seconds (`PT8H`,
/// `PT1H30M`), the form `SessionDuration` takes; `None` for any other form.
pub fn iso8601_minutes(duration: &str) -> Option<i64> {
    let rest = duration.strip_prefix("PT")?;
    if rest.is_empty() {
        return None;
    }
    let mut seconds: i64 = 0;
    let mut number = String::new();
    for ch in rest.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        seconds += match ch {
            'H' => n.checked_mul(3600)?,
            'M' => n.checked_mul(60)?,
            'S' => n,
            _ => return None,
        };
    }
    number.is_empty().then_some(seconds / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_durations_are_read_in_minutes() {
        assert_eq!(iso8601_minutes("PT1H"), Some(60));
        assert_eq!(iso8601_minutes("PT8H"), Some(480));
        assert_eq!(iso8601_minutes("PT1H30M"), Some(90));
        assert_eq!(iso8601_minutes("PT12H0M0S"), Some(720));
        assert_eq!(iso8601_minutes("PT"), None);
        assert_eq!(iso8601_minutes("P1D"), None);
        assert_eq!(iso8601_minutes("PT8"), None);
        assert_eq!(iso8601_minutes("8 hours"), None);
    }

    #[test]
    fn an_inline_policy_that_is_not_json_is_unread() {
        assert_eq!(inline_policy("").ok(), Some(serde_json::Value::Null));
        assert_eq!(
            inline_policy("not json").map_err(|f| f.code),
            Err("UnreadablePolicy".to_string())
        );
        let doc = inline_policy(r#"{"Statement":{"Effect":"Allow","Action":"support:*"}}"#)
            .expect("a policy document");
        assert_eq!(doc["Statement"][0]["Action"][0], "support:*");
    }
}
