//! IAM (global): roles (trust policy, managed policies), users (console access, groups,
//! access keys, policies) and groups, from the resources that attach to them.
//!
//! A plan cannot show a user's MFA devices: a virtual device is enabled by its user with
//! two codes from the authenticator, after apply. `mfa_devices` is therefore always
//! unknown for planned users, so MFA rules say UNKNOWN, never PASS.

use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use super::Drafts;
use crate::collect::normalise::policy_document;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{AccessKey, Account, IamGroup, IamRole, IamUser, PasswordPolicy};

pub fn role(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let mut role = IamRole {
        path: a.string("path")?.known().unwrap_or_else(|| "/".into()),
        ..IamRole::default()
    };
    match a.string("assume_role_policy")? {
        Field::Known(doc) => role.assume_role_policy = policy_document(&doc),
        // `data.aws_iam_policy_document.trust.json`: the document read at plan time.
        _ => match ctx
            .referenced_data(&a, p, "assume_role_policy")
            .and_then(|d| d.get("json"))
            .and_then(|j| j.as_str())
        {
            Some(doc) => role.assume_role_policy = policy_document(doc),
            None => unknown.push(("assume_role_policy", a.unknown_reason("assume_role_policy"))),
        },
    }
    // Managed policies: the exclusive list when the configuration sets it, otherwise those
    // the plan attaches with `aws_iam_role_policy_attachment` (added below).
    match a.strings("managed_policy_arns")? {
        Field::Known(arns) => role.attached_policies = arns,
        Field::Null => {}
        Field::Unknown if p.action == "create" || p.action == "replace" => {}
        Field::Unknown => {
            unknown.push(("attached_policies", a.unknown_reason("managed_policy_arns")))
        }
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::IamRole(role), name, true)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

pub fn user(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::IamUser(IamUser::default()), name, true)?;
    draft.unknown(
        "mfa_devices",
        format!(
            "{}: MFA devices are enabled by the user after apply; a plan cannot show them",
            p.address
        ),
    );
    Ok(draft)
}

pub fn group(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let name = ctx.attrs(p).string("name")?.known();
    ctx.draft(index, Attributes::IamGroup(IamGroup::default()), name, true)
}

/// `aws_iam_{role,user,group}_policy_attachment`.
pub fn policy_attachment(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let (key, types): (&str, &[&str]) = match p.type_name.as_str() {
        "aws_iam_role_policy_attachment" => ("role", &["aws_iam_role"]),
        "aws_iam_user_policy_attachment" => ("user", &["aws_iam_user"]),
        _ => ("group", &["aws_iam_group"]),
    };
    let Some(target) = ctx.target(&a, p, key, types) else {
        drafts.outside(ctx, index, key, &format!("IAM {key}"), &format!("the {key}'s trust policy, MFA devices and memberships are not in the plan, so the IAM rules cannot judge this attachment"));
        return Ok(());
    };
    let policy = ctx.arn_ref(&a, p, "policy_arn")?;
    if let Some(d) = drafts.of_mut(target) {
        let Field::Known(policy) = policy else {
            d.unknown("attached_policies", a.unknown_reason("policy_arn"));
            return Ok(());
        };
        match &mut d.resource.attributes {
            Attributes::IamRole(r) => r.attached_policies.push(policy),
            Attributes::IamUser(u) => u.attached_policies.push(policy),
            Attributes::IamGroup(g) => g.attached_policies.push(policy),
            _ => return Ok(()),
        }
        d.cite("attached_policies", p, ctx.collected_at);
    }
    Ok(())
}

/// `aws_iam_user_login_profile`: the user gets a console password.
pub fn login_profile(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let Some(target) = ctx.target(&ctx.attrs(p), p, "user", &["aws_iam_user"]) else {
        drafts.outside(ctx, index, "user", "IAM user", "the user's MFA devices and groups are not in the plan, so the MFA rules cannot judge the console password it gets");
        return Ok(());
    };
    if let Some(d) = drafts.of_mut(target)
        && let Attributes::IamUser(u) = &mut d.resource.attributes
    {
        u.console_access = true;
        d.cite("console_access", p, ctx.collected_at);
    }
    Ok(())
}

/// `aws_iam_access_key`.
pub fn access_key(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let Some(target) = ctx.target(&a, p, "user", &["aws_iam_user"]) else {
        drafts.outside(
            ctx,
            index,
            "user",
            "IAM user",
            "the user is not in the plan, so no rule judges its access key",
        );
        return Ok(());
    };
    let status = a.string("status")?.or_default_when_null("Active".into());
    if let Some(d) = drafts.of_mut(target) {
        let Field::Known(status) = status else {
            d.unknown("access_keys", a.unknown_reason("status"));
            return Ok(());
        };
        if let Attributes::IamUser(u) = &mut d.resource.attributes {
            u.access_keys.push(AccessKey {
                id: a.string("id")?.known().unwrap_or_else(|| p.address.clone()),
                status,
                created: None,
                last_used: None,
            });
        }
        d.cite("access_keys", p, ctx.collected_at);
    }
    Ok(())
}

/// Group names from a list attribute: known names, or the names of the planned groups it
/// references.
fn names(
    ctx: &Ctx,
    index: usize,
    key: &str,
    types: &[&str],
) -> Result<Field<Vec<String>>, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    Ok(match a.strings(key)? {
        Field::Unknown => {
            let refs = ctx.referenced_placeholders(&a, p, key);
            let found: Vec<String> = ctx
                .changes
                .iter()
                .filter(|c| types.contains(&c.type_name.as_str()))
                .filter(|c| refs.contains(&super::super::build::placeholder(&c.address)))
                .filter_map(|c| {
                    c.after
                        .get("name")
                        .and_then(|n| n.as_str())
                        .map(str::to_string)
                })
                .collect();
            if found.is_empty() {
                Field::Unknown
            } else {
                Field::Known(found)
            }
        }
        other => other,
    })
}

/// `aws_iam_user_group_membership`: one user, several groups.
pub fn user_groups(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let groups = names(ctx, index, "groups", &["aws_iam_group"])?;
    let user_name = a.string("user")?.known();
    let target = ctx.target(&a, p, "user", &["aws_iam_user"]);
    if target.is_none() {
        drafts.outside(ctx, index, "user", "IAM user", "the user's MFA devices are not in the plan, so the support-group rule cannot judge this membership");
    }
    if let Some(target) = target
        && let Some(d) = drafts.of_mut(target)
    {
        match &groups {
            Field::Known(list) => {
                if let Attributes::IamUser(u) = &mut d.resource.attributes {
                    u.groups.extend(list.iter().cloned());
                }
                d.cite("groups", p, ctx.collected_at);
            }
            _ => d.unknown("groups", a.unknown_reason("groups")),
        }
    }
    add_members(
        ctx,
        index,
        drafts,
        groups.known().unwrap_or_default(),
        user_name.into_iter().collect(),
    );
    Ok(())
}

/// `aws_iam_group_membership`: one group, several users.
pub fn group_members(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let users = names(ctx, index, "users", &["aws_iam_user"])?
        .known()
        .unwrap_or_default();
    let Some(group) = a.string("group")?.known().or_else(|| {
        ctx.target(&a, p, "group", &["aws_iam_group"])
            .and_then(|i| {
                ctx.changes[i]
                    .after
                    .get("name")?
                    .as_str()
                    .map(str::to_string)
            })
    }) else {
        drafts.outside(ctx, index, "group", "IAM group", "the group's name is known only after apply, so its members are not judged as members of it");
        return Ok(());
    };
    for (i, c) in ctx.changes.iter().enumerate() {
        if c.type_name == "aws_iam_user"
            && let Some(name) = c.after.get("name").and_then(|n| n.as_str())
            && users.iter().any(|u| u == name)
            && let Some(d) = drafts.of_mut(i)
            && let Attributes::IamUser(u) = &mut d.resource.attributes
        {
            u.groups.push(group.clone());
            d.cite("groups", p, ctx.collected_at);
        }
    }
    add_members(ctx, index, drafts, vec![group], users);
    Ok(())
}

/// Adds `users` to the planned groups named `groups`.
fn add_members(
    ctx: &Ctx,
    index: usize,
    drafts: &mut Drafts,
    groups: Vec<String>,
    users: Vec<String>,
) {
    for (i, c) in ctx.changes.iter().enumerate() {
        if c.type_name != "aws_iam_group" {
            continue;
        }
        let Some(name) = c.after.get("name").and_then(|n| n.as_str()) else {
            continue;
        };
        if !groups.iter().any(|g| g == name) {
            continue;
        }
        if let Some(d) = drafts.of_mut(i) {
            if let Attributes::IamGroup(g) = &mut d.resource.attributes {
                for u in &users {
                    if !g.members.contains(u) {
                        g.members.push(u.clone());
                    }
                }
            }
            d.cite("members", &ctx.changes[index], ctx.collected_at);
        }
    }
}

/// `aws_iam_account_password_policy` → the `aws_account` the policy belongs to, with only
/// its password policy known (root MFA and access keys are not in a plan).
///
/// UpdateAccountPasswordPolicy replaces the whole policy, and every parameter left out
/// takes its documented default: a minimum length of 6, no character class required,
/// no reuse prevention and no expiry (0, which assay reads as absent, as the live scan
/// does) ("Request Parameters",
/// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html).
/// So an argument the configuration leaves unset is that default, not unknown.
pub fn password_policy(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let int = |key: &str, default: i64| -> Result<Field<i64>, PlanError> {
        Ok(match a.int(key)? {
            Field::Unknown if ctx.unset_in_config(p, key) => Field::Known(default),
            other => other.or_default_when_null(default),
        })
    };
    let flag = |key: &str| -> Result<Field<bool>, PlanError> {
        Ok(match a.bool(key)? {
            Field::Unknown if ctx.unset_in_config(p, key) => Field::Known(false),
            other => other.or_default_when_null(false),
        })
    };
    let fields = (
        int("minimum_password_length", 6)?,
        flag("require_symbols")?,
        flag("require_numbers")?,
        flag("require_uppercase_characters")?,
        flag("require_lowercase_characters")?,
        int("max_password_age", 0)?,
        int("password_reuse_prevention", 0)?,
    );
    let policy = match fields {
        (
            Field::Known(minimum_length),
            Field::Known(require_symbols),
            Field::Known(require_numbers),
            Field::Known(require_uppercase),
            Field::Known(require_lowercase),
            Field::Known(max_age),
            Field::Known(reuse),
        ) => Some(PasswordPolicy {
            minimum_length,
            require_symbols,
            require_numbers,
            require_uppercase,
            require_lowercase,
            max_age_days: (max_age > 0).then_some(max_age),
            reuse_prevention: (reuse > 0).then_some(reuse),
        }),
        _ => {
            let which: Vec<&str> = [
                ("minimum_password_length", fields.0.is_unknown()),
                ("require_symbols", fields.1.is_unknown()),
                ("require_numbers", fields.2.is_unknown()),
                ("require_uppercase_characters", fields.3.is_unknown()),
                ("require_lowercase_characters", fields.4.is_unknown()),
                ("max_password_age", fields.5.is_unknown()),
                ("password_reuse_prevention", fields.6.is_unknown()),
            ]
            .into_iter()
            .filter(|(_, u)| *u)
            .map(|(k, _)| k)
            .collect();
            unknown.push((
                "password_policy",
                format!("{}.{} is known after apply", p.address, which.join(", ")),
            ));
            None
        }
    };
    let account = Account {
        password_policy: policy,
        ..Account::default()
    };
    let mut draft = ctx.draft(index, Attributes::Account(account), None, true)?;
    draft.resource.name = match ctx.account(p) {
        Some(id) => format!("account {id} (password policy of {})", p.address),
        None => format!("the plan's account (password policy of {})", p.address),
    };
    let reason = format!(
        "{}: a plan shows the account's password policy only",
        p.address
    );
    for group in ["root_mfa_enabled", "root_access_keys_present", "alias"] {
        draft.unknown(group, reason.clone());
    }
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// `aws_iam_policy` (a customer managed policy): read so that attachments naming it join
/// it by address; a policy no planned attachment uses is noted. Inline policies
/// (`aws_iam_role_policy`, `_user_policy`, `_group_policy`) are noted with what they are
/// attached to: no rule reads permission policies, and a plan must not look as if it had
/// judged them.
pub fn policy(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let note = match p.type_name.as_str() {
        "aws_iam_policy" => {
            let attached = ctx.changes.iter().any(|c| {
                c.type_name.ends_with("_policy_attachment")
                    && ctx.target(&ctx.attrs(c), c, "policy_arn", &["aws_iam_policy"])
                        == Some(index)
            });
            if attached {
                return Ok(());
            }
            "a customer managed policy no planned role, user or group attachment uses; no rule reads permission policies".to_string()
        }
        t => {
            let (key, types): (&str, &[&str]) = match t {
                "aws_iam_role_policy" => ("role", &["aws_iam_role"]),
                "aws_iam_user_policy" => ("user", &["aws_iam_user"]),
                _ => ("group", &["aws_iam_group"]),
            };
            let a = ctx.attrs(p);
            let owner = match ctx.target(&a, p, key, types) {
                Some(i) => format!("`{}`", ctx.changes[i].address),
                None => {
                    ctx.outside_parent(&a, p, key, &format!("IAM {key}")).label
                        + " (outside the plan)"
                }
            };
            format!(
                "an inline permission policy of {owner}; no rule reads permission policies, so it is not judged"
            )
        }
    };
    drafts.note(ctx, index, note);
    Ok(())
}
