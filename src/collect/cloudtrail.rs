//! CloudTrail: the trails that log this region, with logging status and whether
//! management events are recorded.
//!
//! Trails are listed with shadow trails included. The `DescribeTrails` reference:
//! "includeShadowTrails: Specifies whether to include shadow trails. The default is true.
//! A shadow trail is the replication in a Region of a trail that was created in a
//! different Region, or in the case of an organization trail, the replication of an
//! organization trail in member accounts." A trail is kept once: from its home region
//! when that region is read, otherwise from the first region read that shows it, so a
//! scan limited to some regions still sees the multi-Region trail that covers them.
//! Organisation trails of another account, shown to members, are kept too; the
//! snapshot keeps one resource per ARN (`collect::drop_duplicate_arns`).

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;

use super::read::Groups;
use super::{ServiceCtx, resource};
use crate::snapshot::resources::CloudTrailTrail;
use crate::snapshot::{Attributes, Resource, Tags};

/// Every API operation this collector calls, with the IAM action that permits it
/// (see `operations`: the recorder refuses any other call).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("cloudtrail:DescribeTrails", "cloudtrail:DescribeTrails"),
    ("cloudtrail:GetTrailStatus", "cloudtrail:GetTrailStatus"),
    (
        "cloudtrail:GetEventSelectors",
        "cloudtrail:GetEventSelectors",
    ),
];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let trail_client = service_client!(aws_sdk_cloudtrail, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let (trails, listed) = match ctx
        .recorder
        .call(ctx.account, region, "cloudtrail:DescribeTrails", |c| {
            trail_client
                .describe_trails()
                .include_shadow_trails(true)
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
        let home = t.home_region().unwrap_or(region);
        let home_is_read = ctx.regions_read.iter().any(|r| r == home);
        let first_read = ctx.regions_read.first().map(String::as_str);
        if home != region && (home_is_read || first_read != Some(region)) {
            continue;
        }
        // A shadow trail is read where it lives: its status and selectors are asked of its
        // home region, and it is recorded there.
        let home_config;
        let trail_client = if home == region {
            &trail_client
        } else {
            home_config = Client::new(&super::aws::in_region(ctx.config, home));
            &home_config
        };
        let name = t.name().unwrap_or_default().to_string();
        let arn = t.trail_arn().map_or_else(
            || format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}"),
            str::to_string,
        );
        let mut read = Groups::listed(ctx.recorder, account, home, &arn, listed.clone());
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
            .map(|out| records_management_events(&out));
        let attributes = CloudTrailTrail {
            home_region: home.to_string(),
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
            home,
            Tags::new(),
            provenance,
            unread,
        ));
    }
    found
}

/// Whether a trail's event selectors record every management event, read and write.
///
/// - No selectors at all is AWS's default. The `EventSelector` reference: "By default,
///   trails created without specific event selectors will be configured to log all read
///   and write management events, and no data events." (`GetEventSelectors` then answers
///   with neither `EventSelectors` nor `AdvancedEventSelectors`.)
/// - Basic selectors: `IncludeManagementEvents` defaults to true and `ReadWriteType` to
///   `All` (same reference); a `ReadOnly` and a `WriteOnly` selector together cover both.
/// - Advanced selectors (`AdvancedEventSelector` / `AdvancedFieldSelector` references):
///   a selector whose `eventCategory` equals `Management` logs management events; a
///   `readOnly` field limits it to read (`true`) or write (`false`) events, and together
///   the selectors must cover both. A selector with any other field than `eventCategory`,
///   `readOnly` or an `eventSource` exclusion (`NotEquals`, as the basic selectors'
///   `ExcludeManagementEventSources`) records only some events and does not count.
pub fn records_management_events(out: &GetEventSelectorsOutput) -> bool {
    let basic = out.event_selectors();
    let advanced = out.advanced_event_selectors();
    if basic.is_empty() && advanced.is_empty() {
        return true;
    }
    let (mut reads, mut writes) = (false, false);
    for s in basic {
        if !s.include_management_events().unwrap_or(true) {
            continue;
        }
        match s.read_write_type().map(|rw| rw.as_str()) {
            None | Some("All") => (reads, writes) = (true, true),
            Some("ReadOnly") => reads = true,
            Some("WriteOnly") => writes = true,
            Some(_) => {}
        }
    }
    for s in advanced {
        let fields = s.field_selectors();
        let management = fields
            .iter()
            .any(|f| f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Management"));
        let partial = fields.iter().any(|f| match f.field() {
            "eventCategory" | "readOnly" => false,
            "eventSource" => {
                !(f.equals().is_empty()
                    && f.starts_with().is_empty()
                    && f.ends_with().is_empty()
                    && f.not_starts_with().is_empty()
                    && f.not_ends_with().is_empty())
            }
            _ => true,
        });
        if !management || partial {
            continue;
        }
        match fields.iter().find(|f| f.field() == "readOnly") {
            None => (reads, writes) = (true, true),
            Some(f) => {
                // `Equals ["true"]` or `NotEquals ["false"]` both mean read events only.
                let only = |v: &str| {
                    f.equals().iter().any(|e| e.eq_ignore_ascii_case(v))
                        || (!f.not_equals().is_empty()
                            && !f.not_equals().iter().any(|e| e.eq_ignore_ascii_case(v)))
                };
                reads |= only("true");
                writes |= only("false");
            }
        }
    }
    reads && writes
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType,
    };

    fn field(name: &str, equals: &[&str]) -> AdvancedFieldSelector {
        let mut f = AdvancedFieldSelector::builder().field(name);
        for v in equals {
            f = f.equals(*v);
        }
        f.build().expect("a field selector")
    }

    fn advanced(fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
        AdvancedEventSelector::builder()
            .set_field_selectors(Some(fields))
            .build()
            .expect("an advanced selector")
    }

    fn basic(include: Option<bool>, rw: Option<ReadWriteType>) -> EventSelector {
        EventSelector::builder()
            .set_include_management_events(include)
            .set_read_write_type(rw)
            .build()
    }

    fn out(
        basic: Vec<EventSelector>,
        advanced: Vec<AdvancedEventSelector>,
    ) -> GetEventSelectorsOutput {
        GetEventSelectorsOutput::builder()
            .set_event_selectors((!basic.is_empty()).then_some(basic))
            .set_advanced_event_selectors((!advanced.is_empty()).then_some(advanced))
            .build()
    }

    #[test]
    fn a_trail_without_selectors_logs_all_management_events() {
        assert!(records_management_events(&out(vec![], vec![])));
    }

    #[test]
    fn basic_selectors_default_to_all_management_events() {
        assert!(records_management_events(&out(
            vec![basic(None, None)],
            vec![]
        )));
        assert!(records_management_events(&out(
            vec![basic(Some(true), Some(ReadWriteType::All))],
            vec![]
        )));
        assert!(!records_management_events(&out(
            vec![basic(Some(true), Some(ReadWriteType::WriteOnly))],
            vec![]
        )));
        assert!(records_management_events(&out(
            vec![
                basic(Some(true), Some(ReadWriteType::WriteOnly)),
                basic(None, Some(ReadWriteType::ReadOnly))
            ],
            vec![]
        )));
        assert!(!records_management_events(&out(
            vec![basic(Some(false), None)],
            vec![]
        )));
    }

    #[test]
    fn advanced_selectors_count_when_they_cover_reads_and_writes() {
        let management = || field("eventCategory", &["Management"]);
        assert!(records_management_events(&out(
            vec![],
            vec![advanced(vec![management()])]
        )));
        assert!(!records_management_events(&out(
            vec![],
            vec![advanced(vec![management(), field("readOnly", &["false"])])]
        )));
        assert!(records_management_events(&out(
            vec![],
            vec![
                advanced(vec![management(), field("readOnly", &["false"])]),
                advanced(vec![management(), field("readOnly", &["true"])])
            ]
        )));
        // Only some sources, or data events only: not every management event.
        assert!(!records_management_events(&out(
            vec![],
            vec![advanced(vec![
                management(),
                field("eventSource", &["s3.amazonaws.com"])
            ])]
        )));
        assert!(!records_management_events(&out(
            vec![],
            vec![advanced(vec![
                field("eventCategory", &["Data"]),
                field("resources.type", &["AWS::S3::Object"])
            ])]
        )));
        // Excluding a noisy source (as ExcludeManagementEventSources does) still counts.
        let exclude_kms = AdvancedFieldSelector::builder()
            .field("eventSource")
            .not_equals("kms.amazonaws.com")
            .build()
            .expect("a field selector");
        assert!(records_management_events(&out(
            vec![],
            vec![advanced(vec![management(), exclude_kms])]
        )));
    }
}
