//! IAM (global): the account resource (account summary, password policy, alias, root MFA
//! and keys from the credential report), users (console access, MFA devices, groups, access
//! keys, policies), groups (members, policies) and roles (trust policy, policies).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_iam::Client;
use aws_sdk_iam::operation::get_group::GetGroupOutput;
use aws_sdk_iam::operation::list_groups::ListGroupsOutput;
use aws_sdk_iam::operation::list_roles::ListRolesOutput;
use aws_sdk_iam::operation::list_users::ListUsersOutput;
use aws_sdk_iam::types::{AttachedPolicy, SummaryKeyType, User};
use futures::StreamExt;

use super::read::{Groups, Paging, next_marker};
use super::recorder::CallError;
use super::{ServiceCtx, resource};
use crate::snapshot::normalise::policy_document;
use crate::snapshot::resources::{
    AccessKey, Account, IamGroup, IamRole, IamUser, MfaDevice, PasswordPolicy,
};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("iam:GetAccountSummary", "iam:GetAccountSummary"),
    (
        "iam:GetAccountPasswordPolicy",
        "iam:GetAccountPasswordPolicy",
    ),
    ("iam:ListAccountAliases", "iam:ListAccountAliases"),
    (
        "iam:GenerateCredentialReport",
        "iam:GenerateCredentialReport",
    ),
    ("iam:GetCredentialReport", "iam:GetCredentialReport"),
    ("iam:ListUsers", "iam:ListUsers"),
    ("iam:ListMFADevices", "iam:ListMFADevices"),
    ("iam:ListGroupsForUser", "iam:ListGroupsForUser"),
    ("iam:ListAccessKeys", "iam:ListAccessKeys"),
    (
        "iam:ListAttachedUserPolicies",
        "iam:ListAttachedUserPolicies",
    ),
    ("iam:ListGroups", "iam:ListGroups"),
    ("iam:GetGroup", "iam:GetGroup"),
    (
        "iam:ListAttachedGroupPolicies",
        "iam:ListAttachedGroupPolicies",
    ),
    ("iam:ListRoles", "iam:ListRoles"),
    (
        "iam:ListAttachedRolePolicies",
        "iam:ListAttachedRolePolicies",
    ),
];

/// One row of the credential report, as far as the rules need it.
#[derive(Debug, Clone, Default)]
struct ReportRow {
    password_enabled: bool,
    mfa_active: bool,
    access_key_active: bool,
}

/// The credential report: CSV with one row per user and `<root_account>` for the root.
fn parse_credential_report(csv_text: &str) -> BTreeMap<String, ReportRow> {
    let mut rows = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(_) => return rows,
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (user, password, mfa, key1, key2) = (
        column("user"),
        column("password_enabled"),
        column("mfa_active"),
        column("access_key_1_active"),
        column("access_key_2_active"),
    );
    for record in reader.records().flatten() {
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        rows.insert(
            field(user).to_string(),
            ReportRow {
                password_enabled: field(password) == "true",
                mfa_active: field(mfa) == "true",
                access_key_active: field(key1) == "true" || field(key2) == "true",
            },
        );
    }
    rows
}

async fn credential_report(
    ctx: &ServiceCtx<'_>,
    iam: &Client,
) -> Result<(BTreeMap<String, ReportRow>, Provenance), CallError> {
    // Generation is asynchronous: ask, then poll briefly until the report is ready.
    for attempt in 0..10 {
        match ctx
            .recorder
            .call(ctx.account, "global", "iam:GenerateCredentialReport", |c| {
                iam.generate_credential_report()
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
        {
            Ok((out, _))
                if out.state().is_some_and(|s| s.as_str() == "COMPLETE") || attempt > 0 => {}
            Ok(_) => {}
            Err(e) => return Err(e),
        }
        match ctx
            .recorder
            .call(ctx.account, "global", "iam:GetCredentialReport", |c| {
                iam.get_credential_report()
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
        {
            Ok((out, p)) => {
                let text = out
                    .content()
                    .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
                    .unwrap_or_default();
                return Ok((parse_credential_report(&text), p));
            }
            Err(e)
                if e.failure.code == "ReportInProgress" || e.failure.code == "ReportNotPresent" =>
            {
                tokio::time::sleep(Duration::from_millis(500)).await
            }
            Err(e) => return Err(e),
        }
    }
    Err(CallError {
        failure: super::aws::Failure {
            kind: super::aws::FailureKind::Timeout,
            code: "ReportInProgress".into(),
            message: "the credential report was not ready after 10 attempts".into(),
        },
        provenance: None,
    })
}

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let iam = service_client!(aws_sdk_iam, ctx);
    let account = ctx.account;
    let mut found = Vec::new();

    // Console access and root state come from the credential report.
    let report = credential_report(ctx, &iam).await;
    let report_gap = report.as_ref().err().map(|e| {
        ctx.recorder.gap(
            account,
            "global",
            "iam:GetCredentialReport",
            &e.failure,
            &[],
            "credential report",
        )
    });

    found.push(account_resource(ctx, &iam, &report).await);

    found.extend(users(ctx, &iam, &report, &report_gap).await);
    groups(ctx, &iam, &mut found).await;
    roles(ctx, &iam, &mut found).await;
    found
}

/// Every user, each with its groups, MFA devices, access keys and policies (per-user
/// calls fanned out).
async fn users(
    ctx: &ServiceCtx<'_>,
    iam: &Client,
    report: &Result<(BTreeMap<String, ReportRow>, Provenance), CallError>,
    report_gap: &Option<String>,
) -> Vec<Resource> {
    let account = ctx.account;
    let users = ctx
        .recorder
        .pages(
            Paging::listing(account, "global", "iam:ListUsers", &["aws_iam_user"]),
            |marker, c| {
                iam.list_users()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListUsersOutput| {
                (
                    out.users().to_vec(),
                    next_marker(out.marker(), out.is_truncated()),
                )
            },
        )
        .await
        .items;
    futures::stream::iter(
        users
            .into_iter()
            .map(|(u, listed)| user(ctx, iam, u, listed, report, report_gap)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// Every group, with its members (every page) and attached policies.
async fn groups(ctx: &ServiceCtx<'_>, iam: &Client, found: &mut Vec<Resource>) {
    let account = ctx.account;
    let groups = ctx
        .recorder
        .pages(
            Paging::listing(account, "global", "iam:ListGroups", &["aws_iam_group"]),
            |marker, c| {
                iam.list_groups()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListGroupsOutput| {
                (
                    out.groups().to_vec(),
                    next_marker(out.marker(), out.is_truncated()),
                )
            },
        )
        .await
        .items;
    for (g, listed) in groups {
        let name = g.group_name().to_string();
        let arn = g.arn().to_string();
        let mut read = Groups::listed(ctx.recorder, account, "global", &arn, listed);
        // Members, every page (a support group can have more than one page of users).
        let members = ctx
            .recorder
            .pages(
                Paging::of(account, "global", "iam:GetGroup", &arn),
                |marker, c| {
                    iam.get_group()
                        .group_name(&name)
                        .set_marker(marker)
                        .customize()
                        .interceptor(c)
                        .send()
                },
                |out: GetGroupOutput| {
                    (
                        out.users()
                            .iter()
                            .map(|u| u.user_name().to_string())
                            .collect(),
                        next_marker(out.marker(), out.is_truncated()),
                    )
                },
            )
            .await;
        let members = read.paged("members", members).unwrap_or_default();
        let attached_policies = read
            .read("attached_policies", "iam:ListAttachedGroupPolicies", |c| {
                iam.list_attached_group_policies()
                    .group_name(&name)
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
            .map(|out| policy_arns(out.attached_policies()))
            .unwrap_or_default();
        let (provenance, unread) = read.finish();
        found.push(resource(
            Attributes::IamGroup(IamGroup {
                members,
                attached_policies,
            }),
            arn,
            name.clone(),
            Some(name),
            account,
            "global",
            Tags::new(),
            provenance,
            unread,
        ));
    }
}

/// Every role, with its trust policy and attached policies.
async fn roles(ctx: &ServiceCtx<'_>, iam: &Client, found: &mut Vec<Resource>) {
    let account = ctx.account;
    let roles = ctx
        .recorder
        .pages(
            Paging::listing(account, "global", "iam:ListRoles", &["aws_iam_role"]),
            |marker, c| {
                iam.list_roles()
                    .set_marker(marker)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListRolesOutput| {
                (
                    out.roles().to_vec(),
                    next_marker(out.marker(), out.is_truncated()),
                )
            },
        )
        .await
        .items;
    for (r, listed) in roles {
        let name = r.role_name().to_string();
        let arn = r.arn().to_string();
        let mut read = Groups::listed(ctx.recorder, account, "global", &arn, listed);
        let attached_policies = read
            .read("attached_policies", "iam:ListAttachedRolePolicies", |c| {
                iam.list_attached_role_policies()
                    .role_name(&name)
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
            .map(|out| policy_arns(out.attached_policies()))
            .unwrap_or_default();
        let attributes = IamRole {
            path: r.path().to_string(),
            created: Some(r.create_date().to_string()),
            assume_role_policy: r
                .assume_role_policy_document()
                .map(policy_document)
                .unwrap_or(serde_json::Value::Null),
            attached_policies,
            is_service_linked: r.path().starts_with("/aws-service-role/"),
        };
        let tags: Tags = r
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        let (provenance, unread) = read.finish();
        found.push(resource(
            Attributes::IamRole(attributes),
            arn,
            name.clone(),
            Some(name),
            account,
            "global",
            tags,
            provenance,
            unread,
        ));
    }
}

fn policy_arns(attached: &[AttachedPolicy]) -> Vec<String> {
    attached
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

/// One user: console access from the credential report, then MFA devices, groups, access
/// keys and attached policies, one call each.
async fn user(
    ctx: &ServiceCtx<'_>,
    iam: &Client,
    u: User,
    listed: Provenance,
    report: &Result<(BTreeMap<String, ReportRow>, Provenance), CallError>,
    report_gap: &Option<String>,
) -> Resource {
    let name = u.user_name().to_string();
    let arn = u.arn().to_string();
    let mut read = Groups::listed(ctx.recorder, ctx.account, "global", &arn, listed);
    let mut attributes = IamUser {
        created: Some(u.create_date().to_string()),
        password_last_used: u.password_last_used().map(|d| d.to_string()),
        ..IamUser::default()
    };
    match report {
        Ok((rows, p)) => {
            read.cite("console_access", p.clone());
            attributes.console_access = rows.get(&name).is_some_and(|r| r.password_enabled);
        }
        Err(_) => {
            if let Some(gap) = report_gap {
                read.unread_by("console_access", gap);
            }
        }
    }
    attributes.mfa_devices = read
        .read("mfa_devices", "iam:ListMFADevices", |c| {
            iam.list_mfa_devices()
                .user_name(&name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .map(|out| {
            out.mfa_devices()
                .iter()
                .map(|d| MfaDevice {
                    serial_number: d.serial_number().to_string(),
                    kind: if d.serial_number().contains(":mfa/") {
                        "virtual".into()
                    } else {
                        "hardware".into()
                    },
                    enabled_at: Some(d.enable_date().to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    attributes.groups = read
        .read("groups", "iam:ListGroupsForUser", |c| {
            iam.list_groups_for_user()
                .user_name(&name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .map(|out| {
            out.groups()
                .iter()
                .map(|g| g.group_name().to_string())
                .collect()
        })
        .unwrap_or_default();
    attributes.access_keys = read
        .read("access_keys", "iam:ListAccessKeys", |c| {
            iam.list_access_keys()
                .user_name(&name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .map(|out| {
            out.access_key_metadata()
                .iter()
                .map(|k| AccessKey {
                    id: k.access_key_id().unwrap_or_default().to_string(),
                    status: k.status().map_or(String::new(), |s| s.as_str().to_string()),
                    created: k.create_date().map(|d| d.to_string()),
                    last_used: None,
                })
                .collect()
        })
        .unwrap_or_default();
    attributes.attached_policies = read
        .read("attached_policies", "iam:ListAttachedUserPolicies", |c| {
            iam.list_attached_user_policies()
                .user_name(&name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .map(|out| policy_arns(out.attached_policies()))
        .unwrap_or_default();
    let tags: Tags = u
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    let (provenance, unread) = read.finish();
    resource(
        Attributes::IamUser(attributes),
        arn,
        name.clone(),
        Some(name),
        ctx.account,
        "global",
        tags,
        provenance,
        unread,
    )
}

/// The account resource: summary, password policy, alias and root state.
async fn account_resource(
    ctx: &ServiceCtx<'_>,
    iam: &Client,
    report: &Result<(BTreeMap<String, ReportRow>, Provenance), CallError>,
) -> Resource {
    let account = ctx.account;
    let arn = format!("arn:aws:iam::{account}:root");
    let mut read = Groups::new(ctx.recorder, account, "global", &arn);
    let mut attributes = Account::default();

    const ROOT: [&str; 2] = ["root_mfa_enabled", "root_access_keys_present"];
    let summary = read
        .read_optional(&ROOT, "iam:GetAccountSummary", &[], |c| {
            iam.get_account_summary().customize().interceptor(c).send()
        })
        .await
        .flatten();
    if let Some(out) = summary {
        let summary = out.summary_map();
        let value = |key: SummaryKeyType| summary.and_then(|m| m.get(&key)).copied();
        attributes.root_mfa_enabled = value(SummaryKeyType::AccountMfaEnabled).map(|v| v > 0);
        attributes.root_access_keys_present =
            value(SummaryKeyType::AccountAccessKeysPresent).map(|v| v > 0);
    }
    // The credential report's root row is the better source when present.
    // (It also answers for a summary that could not be read.)
    if let Ok((rows, p)) = report
        && let Some(root) = rows.get("<root_account>")
    {
        attributes.root_mfa_enabled = Some(root.mfa_active);
        attributes.root_access_keys_present = Some(root.access_key_active);
        for group in ROOT {
            read.cite(group, p.clone());
        }
        read.unread.retain(|u| !ROOT.contains(&u.group.as_str()));
    }
    // No policy set: AWS answers NoSuchEntity, which is the fact "none".
    let policy = read
        .read_optional(
            &["password_policy"],
            "iam:GetAccountPasswordPolicy",
            &["NoSuchEntity"],
            |c| {
                iam.get_account_password_policy()
                    .customize()
                    .interceptor(c)
                    .send()
            },
        )
        .await;
    if let Some(Some(out)) = policy {
        attributes.password_policy = out.password_policy().map(password_policy);
    }
    if let Ok((out, _)) = ctx
        .recorder
        .call(ctx.account, "global", "iam:ListAccountAliases", |c| {
            iam.list_account_aliases().customize().interceptor(c).send()
        })
        .await
    {
        attributes.alias = out.account_aliases().first().cloned();
    }
    let name = attributes.alias.clone();
    let (provenance, unread) = read.finish();
    resource(
        Attributes::Account(attributes),
        arn,
        account.to_string(),
        name,
        account,
        "global",
        Tags::new(),
        provenance,
        unread,
    )
}

/// The account password policy. AWS omits `MaxPasswordAge` when passwords never expire
/// and `PasswordReusePrevention` when reuse is not limited (their valid values start at
/// 1); a 0 from an emulator or proxy means the same and is read as absent, never as
/// "expires after 0 days".
fn password_policy(pp: &aws_sdk_iam::types::PasswordPolicy) -> PasswordPolicy {
    let set = |v: Option<i32>| v.filter(|&n| n > 0).map(i64::from);
    PasswordPolicy {
        minimum_length: i64::from(pp.minimum_password_length().unwrap_or(0)),
        require_symbols: pp.require_symbols(),
        require_numbers: pp.require_numbers(),
        require_uppercase: pp.require_uppercase_characters(),
        require_lowercase: pp.require_lowercase_characters(),
        max_age_days: set(pp.max_password_age()),
        reuse_prevention: set(pp.password_reuse_prevention()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_report_rows_including_root() {
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T00:00:00+00:00,not_supported,not_supported,false,true,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
alice,arn:aws:iam::111122223333:user/alice,2024-01-01T00:00:00+00:00,true,2026-11-20T00:00:00+00:00,N/A,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
        let rows = parse_credential_report(csv);
        let root = &rows["<root_account>"];
        assert!(!root.mfa_active && root.access_key_active);
        assert!(rows["alice"].password_enabled && rows["alice"].mfa_active);
    }

    #[test]
    fn a_zero_password_age_or_reuse_limit_is_absent() {
        let zero = aws_sdk_iam::types::PasswordPolicy::builder()
            .minimum_password_length(14)
            .max_password_age(0)
            .password_reuse_prevention(0)
            .build();
        let read = password_policy(&zero);
        assert_eq!((read.max_age_days, read.reuse_prevention), (None, None));
        let set = aws_sdk_iam::types::PasswordPolicy::builder()
            .max_password_age(90)
            .password_reuse_prevention(24)
            .build();
        let read = password_policy(&set);
        assert_eq!(
            (read.max_age_days, read.reuse_prevention),
            (Some(90), Some(24))
        );
    }
}
