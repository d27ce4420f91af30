//! S3 buckets: `aws_s3_bucket` (with the provider-v4 inline blocks, still readable in v5)
//! and the split resources that configure a bucket since provider v4:
//! `_server_side_encryption_configuration`, `_versioning`, `_lifecycle_configuration`,
//! `_replication_configuration`, `_public_access_block`.

use super::super::attrs::{Attrs, Field};
use super::super::build::{Ctx, Draft, Parent, Planned};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{
    Encryption, LifecycleRule, ObjectLock, PublicAccessBlock, Replication, ReplicationDestination,
    S3Bucket, Transition, Versioning,
};

/// S3 has encrypted every new bucket with SSE-S3 since January 2023 ("Amazon S3 now
/// applies server-side encryption with Amazon S3 managed keys (SSE-S3) as the base level
/// of encryption for every bucket",
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html):
/// a bucket with no encryption configuration in the plan will report AES256.
fn sse_s3() -> Encryption {
    Encryption {
        enabled: true,
        algorithm: Some("AES256".into()),
        kms_key_arn: None,
    }
}

pub fn bucket(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let name = a.string("bucket")?.known();
    let mut bucket = S3Bucket {
        encryption: Some(sse_s3()),
        versioning: Some(Versioning {
            status: "Disabled".into(),
            mfa_delete: false,
        }),
        lifecycle_rules: Some(Vec::new()),
        ..S3Bucket::default()
    };
    let mut unknown = Vec::new();
    // Inline blocks (provider v4 style, or the state of an existing bucket). For a new
    // bucket they are "known after apply" only because the split resources may set them.
    if let Field::Known(Some(sse)) = a.block("server_side_encryption_configuration")? {
        match inline_encryption(ctx, p, &sse)? {
            Field::Known(e) => bucket.encryption = Some(e),
            _ => unknown.push(("encryption", sse.unknown_reason("rule"))),
        }
    }
    if let Field::Known(Some(v)) = a.block("versioning")? {
        bucket.versioning = Some(Versioning {
            status: if v.bool("enabled")?.known() == Some(true) {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
            mfa_delete: v.bool("mfa_delete")?.known() == Some(true),
        });
    }
    if let Field::Known(rules) = a.blocks("lifecycle_rule")? {
        bucket.lifecycle_rules = Some(
            rules
                .iter()
                .map(inline_lifecycle_rule)
                .collect::<Result<_, _>>()?,
        );
    }
    if let Field::Known(Some(r)) = a.block("replication_configuration")? {
        let role = ctx.arn_ref(&r, p, "role")?.known();
        let mut destinations = Vec::new();
        for rule in r.blocks("rules")?.known().unwrap_or_default() {
            for d in rule.blocks("destination")?.known().unwrap_or_default() {
                destinations.push(destination(
                    ctx,
                    p,
                    &rule,
                    &d,
                    "id",
                    "bucket",
                    "account_id",
                    "replica_kms_key_id",
                )?);
            }
        }
        bucket.replication = settle_destinations(ctx, role, destinations, &mut unknown);
    }
    if a.bool("object_lock_enabled")?.known() == Some(true) {
        bucket.object_lock = Some(ObjectLock {
            enabled: true,
            mode: None,
            retention_days: None,
        });
    }
    // Provider v3's inline block (`object_lock_enabled = "Enabled"` and a default rule).
    if let Field::Known(Some(lock)) = a.block("object_lock_configuration")?
        && lock.string("object_lock_enabled")?.known().as_deref() == Some("Enabled")
    {
        match default_retention(&lock)? {
            Field::Known((mode, days)) => {
                bucket.object_lock = Some(ObjectLock {
                    enabled: true,
                    mode,
                    retention_days: days,
                })
            }
            _ => unknown.push(("object_lock", lock.unknown_reason("rule"))),
        }
    }
    let mut draft = ctx.draft(index, Attributes::S3Bucket(bucket), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

fn inline_encryption(ctx: &Ctx, p: &Planned, sse: &Attrs) -> Result<Field<Encryption>, PlanError> {
    let Field::Known(Some(rule)) = sse.block("rule")? else {
        return Ok(Field::Unknown);
    };
    let Field::Known(Some(default)) = rule.block("apply_server_side_encryption_by_default")? else {
        return Ok(Field::Unknown);
    };
    by_default(ctx, p, &default)
}

/// `apply_server_side_encryption_by_default { sse_algorithm, kms_master_key_id }`.
fn by_default(ctx: &Ctx, p: &Planned, d: &Attrs) -> Result<Field<Encryption>, PlanError> {
    let algorithm = match d.string("sse_algorithm")? {
        Field::Known(a) => a,
        Field::Null => return Ok(Field::Known(sse_s3())),
        Field::Unknown => return Ok(Field::Unknown),
    };
    let key = match ctx.arn_ref(d, p, "kms_master_key_id")? {
        Field::Unknown => return Ok(Field::Unknown),
        Field::Known(k) if algorithm.starts_with("aws:kms") => Some(k),
        _ => None,
    };
    Ok(Field::Known(Encryption {
        enabled: true,
        algorithm: Some(algorithm),
        kms_key_arn: key,
    }))
}

fn inline_lifecycle_rule(r: &Attrs) -> Result<LifecycleRule, PlanError> {
    let days = |block: &str, key: &str| -> Result<Option<i64>, PlanError> {
        Ok(match r.block(block)? {
            Field::Known(Some(b)) => b.int(key)?.known().filter(|d| *d > 0),
            _ => None,
        })
    };
    Ok(LifecycleRule {
        id: r.string("id")?.known().unwrap_or_default(),
        enabled: r.bool("enabled")?.known() == Some(true),
        prefix: r.nonempty_string("prefix")?.known(),
        transitions: transitions(r, "transition", "days")?,
        expiration_days: days("expiration", "days")?,
        noncurrent_expiration_days: days("noncurrent_version_expiration", "days")?,
    })
}

fn transitions(r: &Attrs, block: &str, days_key: &str) -> Result<Vec<Transition>, PlanError> {
    r.blocks(block)?
        .known()
        .unwrap_or_default()
        .iter()
        .map(|t| {
            Ok(Transition {
                days: t.int(days_key)?.known().unwrap_or(0),
                storage_class: t.string("storage_class")?.known().unwrap_or_default(),
            })
        })
        .collect()
}

/// The bucket a split resource configures, when the plan holds it.
fn bucket_of(ctx: &Ctx, index: usize) -> Option<usize> {
    let p = &ctx.changes[index];
    ctx.target(&ctx.attrs(p), p, "bucket", &["aws_s3_bucket"])
}

/// The groups a split resource can set; on a placeholder for a bucket outside the plan,
/// those no change sets stay unknown.
const SPLIT_GROUPS: [&str; 6] = [
    "encryption",
    "versioning",
    "lifecycle_rules",
    "replication",
    "public_access_block",
    "object_lock",
];

/// A placeholder for a bucket outside the plan (it lives in another stack): it holds what
/// the plan's split resources set, and everything else about the bucket is unknown.
fn outside_bucket(ctx: &Ctx, index: usize, parent: &Parent) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let name = ctx.attrs(p).string("bucket")?.known();
    let mut draft = ctx.draft(
        index,
        Attributes::S3Bucket(S3Bucket::default()),
        Some(format!("{} (outside the plan)", parent.label)),
        false,
    )?;
    let outside = format!("{} is outside the plan", parent.label);
    for group in SPLIT_GROUPS {
        draft.unknown(
            group,
            format!("{outside}: its {group} is not set by this plan"),
        );
    }
    // A data source that read the bucket at plan time knows its region.
    let data_region = parent
        .data
        .and_then(|d| d.get("region"))
        .and_then(|r| r.as_str())
        .map(str::to_string);
    draft.known("region");
    match data_region {
        Some(region) => draft.resource.region = region,
        None => {
            draft.resource.region = "unknown".into();
            draft.unknown(
                "region",
                format!(
                    "{outside}: its region is not in the plan (read it with a data source to include it)"
                ),
            );
        }
    }
    draft.resource.tags = Default::default();
    draft.known("tags");
    draft.unknown("tags", format!("{outside}: its tags are not in the plan"));
    if let Some(name) = name {
        draft.resource.id = format!("{} ({name})", p.address);
    }
    Ok(draft)
}

/// Applies `value` to group `group` of the bucket `index` configures: a known value is
/// set and cited; an unknown one marks the group with `reason`. A bucket outside the plan
/// gets a placeholder, and a note says so.
fn apply<T>(
    ctx: &Ctx,
    index: usize,
    drafts: &mut Drafts,
    group: &str,
    value: Field<T>,
    reason: String,
    set: impl FnOnce(&mut S3Bucket, Option<T>),
) -> Result<(), PlanError> {
    let draft = match bucket_of(ctx, index) {
        Some(target) => match drafts.of_mut(target) {
            Some(d) => d,
            None => return Ok(()),
        },
        None => {
            let p = &ctx.changes[index];
            let parent = ctx.outside_parent(&ctx.attrs(p), p, "bucket", "bucket");
            drafts.note(
                ctx,
                index,
                format!(
                    "configures {} outside the plan: the {group} it sets is read into a placeholder bucket named after this change; what needs the bucket itself (region, tags, the settings this plan does not make) is UNKNOWN",
                    parent.label
                ),
            );
            // One placeholder per change, so each finding points at the change that
            // caused it.
            drafts.placeholder(&p.address, || outside_bucket(ctx, index, &parent))?
        }
    };
    let Attributes::S3Bucket(bucket) = &mut draft.resource.attributes else {
        return Ok(());
    };
    match value {
        Field::Known(v) => set(bucket, Some(v)),
        Field::Null => set(bucket, None),
        Field::Unknown => {
            draft.known(group);
            draft.unknown(group, reason);
            return Ok(());
        }
    }
    draft.known(group);
    draft.cite(group, &ctx.changes[index], ctx.collected_at);
    Ok(())
}

pub fn encryption(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let (value, reason) = match a.block("rule")? {
        Field::Known(Some(rule)) => match rule.block("apply_server_side_encryption_by_default")? {
            Field::Known(Some(d)) => {
                let reason = d.unknown_reason("kms_master_key_id");
                (by_default(ctx, p, &d)?, reason)
            }
            Field::Known(None) => (Field::Known(sse_s3()), String::new()),
            _ => (
                Field::Unknown,
                rule.unknown_reason("apply_server_side_encryption_by_default"),
            ),
        },
        Field::Known(None) => (Field::Known(sse_s3()), String::new()),
        _ => (Field::Unknown, a.unknown_reason("rule")),
    };
    apply(ctx, index, drafts, "encryption", value, reason, |b, v| {
        b.encryption = v
    })
}

pub fn versioning(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let a = ctx.attrs(&ctx.changes[index]);
    let Field::Known(Some(v)) = a.block("versioning_configuration")? else {
        return apply(
            ctx,
            index,
            drafts,
            "versioning",
            Field::<Versioning>::Unknown,
            a.unknown_reason("versioning_configuration"),
            |_, _| {},
        );
    };
    // MFA delete is off unless the configuration turns it on (AWS's default).
    let value = v.string("status")?.map(|status| Versioning {
        status,
        mfa_delete: matches!(v.string("mfa_delete"), Ok(Field::Known(ref m)) if m == "Enabled"),
    });
    apply(
        ctx,
        index,
        drafts,
        "versioning",
        value,
        v.unknown_reason("status"),
        |b, v| b.versioning = v,
    )
}

pub fn lifecycle(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let a = ctx.attrs(&ctx.changes[index]);
    let value = match a.blocks("rule")? {
        Field::Known(rules) => Field::Known(
            rules
                .iter()
                .map(lifecycle_rule)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => Field::Unknown,
    };
    let value = match value {
        Field::Known(rules) if rules.iter().any(Option::is_none) => Field::Unknown,
        Field::Known(rules) => Field::Known(rules.into_iter().flatten().collect()),
        other => other.map(|_| Vec::new()),
    };
    apply(
        ctx,
        index,
        drafts,
        "lifecycle_rules",
        value,
        a.unknown_reason("rule"),
        |b, v| b.lifecycle_rules = Some(v.unwrap_or_default()),
    )
}

/// One rule of `aws_s3_bucket_lifecycle_configuration`; `None` when a value a rule may
/// judge (status, days) is unknown.
fn lifecycle_rule(r: &Attrs) -> Result<Option<LifecycleRule>, PlanError> {
    let status = r.string("status")?;
    let expiration = match r.block("expiration")? {
        Field::Known(Some(e)) => e.int("days")?,
        Field::Known(None) => Field::Null,
        Field::Null | Field::Unknown => Field::Unknown,
    };
    let noncurrent = match r.block("noncurrent_version_expiration")? {
        Field::Known(Some(e)) => e.int("noncurrent_days")?,
        Field::Known(None) => Field::Null,
        Field::Null | Field::Unknown => Field::Unknown,
    };
    if status.is_unknown() || expiration.is_unknown() || noncurrent.is_unknown() {
        return Ok(None);
    }
    let prefix = match r.block("filter")? {
        Field::Known(Some(f)) => f.nonempty_string("prefix")?.known(),
        _ => None,
    }
    .or(r.nonempty_string("prefix")?.known());
    Ok(Some(LifecycleRule {
        id: r.string("id")?.known().unwrap_or_default(),
        enabled: status.known().as_deref() == Some("Enabled"),
        prefix,
        transitions: transitions(r, "transition", "days")?,
        expiration_days: expiration.known().filter(|d| *d > 0),
        noncurrent_expiration_days: noncurrent.known().filter(|d| *d > 0),
    }))
}

pub fn replication(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let role = ctx.arn_ref(&a, p, "role")?.known();
    let mut destinations = Vec::new();
    let mut unknown = Vec::new();
    match a.blocks("rule")? {
        Field::Known(rules) => {
            for rule in &rules {
                for d in rule.blocks("destination")?.known().unwrap_or_default() {
                    destinations.push(destination(
                        ctx, p, rule, &d, "id", "bucket", "account", "",
                    )?);
                }
            }
        }
        _ => unknown.push(("replication", a.unknown_reason("rule"))),
    }
    let value = match settle_destinations(ctx, role, destinations, &mut unknown) {
        Some(r) if unknown.is_empty() => Field::Known(r),
        _ => Field::Unknown,
    };
    let reason = unknown
        .into_iter()
        .map(|(_, r)| r)
        .collect::<Vec<_>>()
        .join("; ");
    apply(ctx, index, drafts, "replication", value, reason, |b, v| {
        b.replication = v
    })
}

/// A replication destination, with the region of its bucket when the plan can tell it:
/// a bucket the plan creates, or one read by a data source.
#[allow(clippy::too_many_arguments)]
fn destination(
    ctx: &Ctx,
    p: &Planned,
    rule: &Attrs,
    d: &Attrs,
    id_key: &str,
    bucket_key: &str,
    account_key: &str,
    kms_key: &str,
) -> Result<Field<(ReplicationDestination, Option<String>)>, PlanError> {
    let Field::Known(bucket_arn) = ctx.arn_ref(d, p, bucket_key)? else {
        return Ok(Field::Unknown);
    };
    let kms_key_arn = if kms_key.is_empty() {
        match d.block("encryption_configuration")? {
            Field::Known(Some(e)) => ctx.arn_ref(&e, p, "replica_kms_key_id")?.known(),
            _ => None,
        }
    } else {
        ctx.arn_ref(d, p, kms_key)?.known()
    };
    let enabled = match rule.string("status")? {
        Field::Known(s) => s == "Enabled",
        Field::Unknown => return Ok(Field::Unknown),
        Field::Null => rule.bool("enabled")?.known() != Some(false),
    };
    Ok(Field::Known((
        ReplicationDestination {
            rule_id: rule.string(id_key)?.known().unwrap_or_default(),
            enabled,
            bucket_arn: bucket_arn.clone(),
            region: None,
            account: d.nonempty_string(account_key)?.known(),
            kms_key_arn,
        },
        Some(d.unknown_reason(bucket_key)),
    )))
}

/// Fills in each destination's region (from the planned bucket, or a data source) and
/// records what stays unknown. `None` when there is no destination at all.
fn settle_destinations(
    ctx: &Ctx,
    role_arn: Option<String>,
    destinations: Vec<Field<(ReplicationDestination, Option<String>)>>,
    unknown: &mut Vec<(&'static str, String)>,
) -> Option<Replication> {
    let mut out = Vec::new();
    for d in destinations {
        let Field::Known((mut d, _)) = d else {
            unknown.push((
                "replication",
                "a replication destination bucket is known after apply".into(),
            ));
            continue;
        };
        let planned = ctx
            .changes
            .iter()
            .find(|c| super::super::build::placeholder(&c.address) == d.bucket_arn);
        d.region = match planned {
            Some(c) => ctx.region(c),
            None => ctx
                .data_by_arn(&d.bucket_arn)
                .and_then(|(_, region)| region),
        };
        if d.region.is_none() {
            unknown.push((
                "replication",
                format!(
                    "the region of replication destination {} is not in the plan (read the bucket with a data source to include it)",
                    d.bucket_arn
                ),
            ));
        }
        out.push(d);
    }
    (!out.is_empty()).then_some(Replication {
        role_arn,
        destinations: out,
    })
}

pub fn public_access_block(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let a = ctx.attrs(&ctx.changes[index]);
    let flag =
        |k: &str| -> Result<Field<bool>, PlanError> { Ok(a.bool(k)?.or_default_when_null(false)) };
    let flags = [
        flag("block_public_acls")?,
        flag("ignore_public_acls")?,
        flag("block_public_policy")?,
        flag("restrict_public_buckets")?,
    ];
    let value = match flags {
        [
            Field::Known(a1),
            Field::Known(a2),
            Field::Known(a3),
            Field::Known(a4),
        ] => Field::Known(PublicAccessBlock {
            block_public_acls: a1,
            ignore_public_acls: a2,
            block_public_policy: a3,
            restrict_public_buckets: a4,
        }),
        _ => Field::Unknown,
    };
    apply(
        ctx,
        index,
        drafts,
        "public_access_block",
        value,
        a.unknown_reason("block_public_policy"),
        |b, v| b.public_access_block = v,
    )
}

/// An object lock default retention: the mode and the days.
type Retention = (Option<String>, Option<i64>);

/// `rule { default_retention { mode, days | years } }` of an object lock configuration:
/// the mode and the retention in days (a year counts 365 days, as S3 computes it).
fn default_retention(lock: &Attrs) -> Result<Field<Retention>, PlanError> {
    let rule = match lock.block("rule")? {
        Field::Known(Some(rule)) => rule,
        Field::Known(None) => return Ok(Field::Known((None, None))),
        _ => return Ok(Field::Unknown),
    };
    let retention = match rule.block("default_retention")? {
        Field::Known(Some(r)) => r,
        Field::Known(None) => return Ok(Field::Known((None, None))),
        _ => return Ok(Field::Unknown),
    };
    let (mode, days, years) = (
        retention.string("mode")?,
        retention.int("days")?,
        retention.int("years")?,
    );
    if mode.is_unknown() || days.is_unknown() || years.is_unknown() {
        return Ok(Field::Unknown);
    }
    let days = days
        .known()
        .filter(|d| *d > 0)
        .or_else(|| years.known().filter(|y| *y > 0).map(|y| y * 365));
    Ok(Field::Known((mode.known(), days)))
}

/// `aws_s3_bucket_object_lock_configuration`: the bucket's default retention. Object
/// Lock itself can only be enabled on the bucket (`object_lock_enabled`), or by this
/// resource with a `token` on an existing bucket; either way the configuration holds.
pub fn object_lock(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let a = ctx.attrs(&ctx.changes[index]);
    let enabled = a
        .string("object_lock_enabled")?
        .or_default_when_null("Enabled".into());
    let value = match (enabled, default_retention(&a)?) {
        (Field::Known(e), Field::Known((mode, days))) => Field::Known(ObjectLock {
            enabled: e == "Enabled",
            mode,
            retention_days: days,
        }),
        _ => Field::Unknown,
    };
    apply(
        ctx,
        index,
        drafts,
        "object_lock",
        value,
        a.unknown_reason("rule"),
        |b, v| b.object_lock = v,
    )
}
