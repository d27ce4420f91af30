//! CloudTrail: trails whose home is this region (multi-Region trails are listed once, in
//! their home region), with logging status and whether management events are recorded.

use aws_sdk_cloudtrail::Client;

use super::read::Groups;
use super::{ServiceCtx, resource};
use crate::snapshot::resources::CloudTrailTrail;
use crate::snapshot::{Attributes, Resource, Tags};

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let trail_client = Client::new(ctx.config);
    let (account, region) = (ctx.account, ctx.region);
    let (trails, listed) = match ctx
        .recorder
        .call(region, "cloudtrail:DescribeTrails", |c| {
            trail_client
                .describe_trails()
                .include_shadow_trails(false)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
    {
        Ok((out, p)) => (out.trail_list().to_vec(), p),
        Err(e) => {
            ctx.recorder.gap(
                account,
                region,
                "cloudtrail:DescribeTrails",
                &e.failure,
                &["aws_cloudtrail_trail"],
                "",
            );
            return Vec::new();
        }
    };
    let mut found = Vec::new();
    for t in trails {
        let name = t.name().unwrap_or_default().to_string();
        let arn = t.trail_arn().map_or_else(
            || format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}"),
            str::to_string,
        );
        let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed.clone());
        let is_logging = read
            .read("is_logging", "cloudtrail:GetTrailStatus", |c| {
                trail_client
                    .get_trail_status()
                    .name(&arn)
                    .customize()
                    .interceptor(c)
                    .send()
            })
            .await
            .and_then(|out| out.is_logging());
        let records_management_events = read
            .read(
                "records_management_events",
                "cloudtrail:GetEventSelectors",
                |c| {
                    trail_client
                        .get_event_selectors()
                        .trail_name(&arn)
                        .customize()
                        .interceptor(c)
                        .send()
                },
            )
            .await
            .map(|out| {
                let classic = out.event_selectors().iter().any(|s| {
                    s.include_management_events().unwrap_or(true)
                        && s.read_write_type().is_none_or(|rw| rw.as_str() == "All")
                });
                let advanced = out.advanced_event_selectors().iter().any(|s| {
                    s.field_selectors().iter().any(|f| {
                        f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Management")
                    })
                });
                classic || advanced
            });
        let attributes = CloudTrailTrail {
            home_region: t.home_region().unwrap_or(region).to_string(),
            is_multi_region: t.is_multi_region_trail().unwrap_or(false),
            is_organization_trail: t.is_organization_trail().unwrap_or(false),
            is_logging,
            log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
            kms_key_arn: t.kms_key_id().map(str::to_string),
            s3_bucket_name: t.s3_bucket_name().map(str::to_string),
            records_management_events,
        };
        let (provenance, unread) = read.finish();
        found.push(resource(
            Attributes::CloudTrailTrail(attributes),
            arn,
            name.clone(),
            Some(name),
            account,
            region,
            Tags::new(),
            provenance,
            unread,
        ));
    }
    found
}
