//! AWS Config: the configuration recorders of the region and whether each is recording.

use std::collections::BTreeMap;

use super::{ServiceCtx, resource};
use crate::snapshot::resources::ConfigRecorder;
use crate::snapshot::{Attributes, Resource, Tags, Unread};

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let config = service_client!(aws_sdk_config, ctx);
    let (account, region) = (ctx.account, ctx.region);
    let (recorders, listed) = match ctx
        .recorder
        .call(region, "config:DescribeConfigurationRecorders", |c| {
            config
                .describe_configuration_recorders()
                .customize()
                .interceptor(c)
                .send()
        })
        .await
    {
        Ok((out, p)) => (out.configuration_recorders().to_vec(), p),
        Err(e) => {
            ctx.recorder.gap(
                account,
                region,
                "config:DescribeConfigurationRecorders",
                &e.failure,
                &["aws_config_recorder"],
                "",
            );
            return Vec::new();
        }
    };
    if recorders.is_empty() {
        return Vec::new();
    }
    let status = ctx
        .recorder
        .call(region, "config:DescribeConfigurationRecorderStatus", |c| {
            config
                .describe_configuration_recorder_status()
                .customize()
                .interceptor(c)
                .send()
        })
        .await;
    recorders
        .iter()
        .map(|r| {
            let name = r.name().unwrap_or("default").to_string();
            let arn = r.arn().map_or_else(
                || format!("arn:aws:config:{region}:{account}:config-recorder/{name}"),
                str::to_string,
            );
            let mut provenance = BTreeMap::from([("resource".to_string(), listed.clone())]);
            let mut unread = Vec::new();
            let (recording, last_status) = match &status {
                Ok((out, p)) => {
                    provenance.insert("recording".into(), p.clone());
                    let s = out
                        .configuration_recorders_status()
                        .iter()
                        .find(|s| s.name() == Some(name.as_str()));
                    (
                        Some(s.is_some_and(|s| s.recording())),
                        s.and_then(|s| s.last_status())
                            .map(|l| l.as_str().to_string()),
                    )
                }
                Err(e) => {
                    let gap = ctx.recorder.gap(
                        account,
                        region,
                        "config:DescribeConfigurationRecorderStatus",
                        &e.failure,
                        &[],
                        &arn,
                    );
                    unread.push(Unread {
                        group: "recording".into(),
                        gap,
                    });
                    (None, None)
                }
            };
            let group = r.recording_group();
            let attributes = ConfigRecorder {
                recording,
                all_supported: group.is_some_and(|g| g.all_supported()),
                include_global_resource_types: group
                    .is_some_and(|g| g.include_global_resource_types()),
                last_status,
                role_arn: r.role_arn().map(str::to_string),
            };
            resource(
                Attributes::ConfigRecorder(attributes),
                arn,
                name.clone(),
                Some(name),
                account,
                region,
                Tags::new(),
                provenance,
                unread,
            )
        })
        .collect()
}
