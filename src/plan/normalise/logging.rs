//! Logging: `aws_cloudtrail` → `aws_cloudtrail_trail`, and
//! `aws_config_configuration_recorder` (+ `_status`) → `aws_config_recorder`.

use super::super::attrs::Field;
use super::super::build::{Ctx, Draft};
use super::super::error::PlanError;
use super::Drafts;
use crate::snapshot::Attributes;
use crate::snapshot::resources::{CloudTrailTrail, ConfigRecorder};

pub fn trail(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    let flag = |k: &str, default: bool| -> Result<Field<bool>, PlanError> {
        Ok(a.bool(k)?.or_default_when_null(default))
    };
    let home_region = ctx.region_or_reason(p);
    if let Err(reason) = &home_region {
        unknown.push(("home_region", reason.clone()));
    }
    let mut trail = CloudTrailTrail {
        home_region: home_region.unwrap_or_default(),
        kms_key_arn: None,
        s3_bucket_name: a.string("s3_bucket_name")?.known(),
        ..CloudTrailTrail::default()
    };
    // Terraform's defaults: single-region, not an organisation trail, logging on, no log
    // file validation.
    for (group, key, default, slot) in [
        (
            "is_multi_region",
            "is_multi_region_trail",
            false,
            &mut trail.is_multi_region,
        ),
        (
            "is_organization_trail",
            "is_organization_trail",
            false,
            &mut trail.is_organization_trail,
        ),
        (
            "log_file_validation_enabled",
            "enable_log_file_validation",
            false,
            &mut trail.log_file_validation_enabled,
        ),
    ] {
        match flag(key, default)? {
            Field::Known(v) => *slot = v,
            _ => unknown.push((group, a.unknown_reason(key))),
        }
    }
    match flag("enable_logging", true)? {
        Field::Known(v) => trail.is_logging = Some(v),
        _ => unknown.push(("is_logging", a.unknown_reason("enable_logging"))),
    }
    match ctx.arn_ref(&a, p, "kms_key_id")? {
        Field::Known(arn) => trail.kms_key_arn = Some(arn),
        Field::Null => {}
        Field::Unknown => unknown.push(("kms_key_arn", a.unknown_reason("kms_key_id"))),
    }
    match management_events(&a)? {
        Field::Known(v) => trail.records_management_events = Some(v),
        _ => unknown.push((
            "records_management_events",
            a.unknown_reason("event_selector"),
        )),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::CloudTrailTrail(trail), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

/// Whether the trail records read and write management events. Without selectors
/// CloudTrail records all management events; with basic selectors, one must include them
/// for `All`; advanced selectors must select the `Management` event category.
fn management_events(a: &super::super::attrs::Attrs) -> Result<Field<bool>, PlanError> {
    let (Field::Known(basic), Field::Known(advanced)) = (
        a.blocks("event_selector")?,
        a.blocks("advanced_event_selector")?,
    ) else {
        return Ok(Field::Unknown);
    };
    if basic.is_empty() && advanced.is_empty() {
        return Ok(Field::Known(true));
    }
    for s in &basic {
        let include = s
            .bool("include_management_events")?
            .or_default_when_null(true);
        let rw = s
            .string("read_write_type")?
            .or_default_when_null("All".into());
        match (include, rw) {
            (Field::Known(true), Field::Known(rw)) if rw == "All" => return Ok(Field::Known(true)),
            (Field::Known(_), Field::Known(_)) => {}
            _ => return Ok(Field::Unknown),
        }
    }
    for s in &advanced {
        for f in s.blocks("field_selector")?.known().unwrap_or_default() {
            let field = f.string("field")?.known();
            let equals = f.strings("equals")?.known().unwrap_or_default();
            if field.as_deref() == Some("eventCategory") && equals.iter().any(|e| e == "Management")
            {
                return Ok(Field::Known(true));
            }
        }
    }
    Ok(Field::Known(false))
}

pub fn recorder(ctx: &Ctx, index: usize) -> Result<Draft, PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let mut unknown = Vec::new();
    // Not recording until a recorder status turns it on (attached below).
    let mut recorder = ConfigRecorder {
        recording: Some(false),
        role_arn: ctx.arn_ref(&a, p, "role_arn")?.known(),
        ..ConfigRecorder::default()
    };
    match a.block("recording_group")? {
        Field::Known(Some(g)) => {
            match g.bool("all_supported")?.or_default_when_null(true) {
                Field::Known(v) => recorder.all_supported = v,
                _ => unknown.push(("all_supported", g.unknown_reason("all_supported"))),
            }
            match g
                .bool("include_global_resource_types")?
                .or_default_when_null(false)
            {
                Field::Known(v) => recorder.include_global_resource_types = v,
                _ => unknown.push((
                    "include_global_resource_types",
                    g.unknown_reason("include_global_resource_types"),
                )),
            }
        }
        // Without a recording group AWS Config records all supported types.
        Field::Known(None) | Field::Null => recorder.all_supported = true,
        Field::Unknown => unknown.push(("all_supported", a.unknown_reason("recording_group"))),
    }
    let name = a.string("name")?.known();
    let mut draft = ctx.draft(index, Attributes::ConfigRecorder(recorder), name, false)?;
    for (group, reason) in unknown {
        draft.unknown(group, reason);
    }
    Ok(draft)
}

pub fn recorder_status(ctx: &Ctx, index: usize, drafts: &mut Drafts) -> Result<(), PlanError> {
    let p = &ctx.changes[index];
    let a = ctx.attrs(p);
    let Some(target) = ctx.target(&a, p, "name", &["aws_config_configuration_recorder"]) else {
        drafts.outside(
            ctx,
            index,
            "name",
            "Config recorder",
            "the recorder is not in the plan, so what it records is not judged",
        );
        return Ok(());
    };
    let enabled = a.bool("is_enabled")?;
    if let Some(d) = drafts.of_mut(target) {
        match enabled {
            Field::Known(on) => {
                if let Attributes::ConfigRecorder(r) = &mut d.resource.attributes {
                    r.recording = Some(on);
                }
                d.cite("recording", p, ctx.collected_at);
            }
            _ => d.unknown("recording", a.unknown_reason("is_enabled")),
        }
    }
    Ok(())
}
