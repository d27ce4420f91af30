//! AWS Config's catch-all inventory through an aggregator (`--config-aggregator`): one
//! advanced query (`SelectAggregateResourceConfig`, paginated) for every account and
//! region the aggregator gathers, instead of one query per account and region.
//!
//! The aggregator says which accounts and regions it covers; whether it holds their
//! current state is its sources' status. So an account and region the scan reads is
//! covered only when the aggregator's sources include it and their status for it is
//! `SUCCEEDED`; anywhere else the catch-all could not look, which is a gap for
//! `aws_config_resource` there, with the reason (not a source, a source that failed or is
//! out of date, the aggregator denied or missing). Rows of accounts the scan does not
//! cover (another shard's, or the organisation's other accounts in a one-account scan)
//! are outside this snapshot's scope and are not kept.
//!
//! The aggregator is read in the caller's account, in the scan's home region (the first
//! `--region`), with the caller's own credentials: where an organisation's aggregator
//! lives (the management or a delegated administrator account).

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use aws_sdk_config::operation::describe_configuration_aggregator_sources_status::DescribeConfigurationAggregatorSourcesStatusOutput;
use aws_sdk_config::operation::select_aggregate_resource_config::SelectAggregateResourceConfigOutput;
use aws_sdk_config::types::{AggregatedSourceStatus, ConfigurationAggregator};

use super::aws::{Failure, FailureKind};
use super::config::{INVENTORY, QUERY, inventory_item};
use super::read::Paging;
use super::recorder::Recorder;
use crate::snapshot::{AccountScope, Resource};

/// The accounts and regions the scan read: where the catch-all has to look.
fn scanned(scopes: &[AccountScope]) -> Vec<(&str, &str)> {
    scopes
        .iter()
        .flat_map(|s| {
            s.regions_read
                .iter()
                .map(|r| (s.account_id.as_str(), r.as_str()))
        })
        .collect()
}

/// Records the same failure as the catch-all's gap in every account and region in `at`.
fn gaps_at(recorder: &Recorder, at: &[(&str, &str)], operation: &str, failure: &Failure) {
    for (account, region) in at {
        recorder.gap(account, region, operation, failure, INVENTORY, "");
    }
}

/// Every recorded resource of the accounts scanned, read through the aggregator `name`.
pub async fn inventory(
    base: &SdkConfig,
    recorder: &Recorder,
    home: &str,
    caller: &str,
    name: &str,
    scopes: &[AccountScope],
) -> Vec<Resource> {
    let at = scanned(scopes);
    if at.is_empty() {
        return Vec::new();
    }
    let client = aws_sdk_config::Client::from_conf(
        aws_sdk_config::config::Builder::from(&super::aws::in_region(base, home))
            .retry_partition(aws_sdk_sts::config::retry::RetryPartition::new(format!(
                "config-aggregator-{home}"
            )))
            .build(),
    );
    let Some(aggregator) = describe(&client, recorder, home, caller, name, &at).await else {
        return Vec::new();
    };
    if let Some(statuses) = sources_status(&client, recorder, home, name, caller).await {
        for (account, region) in &at {
            if let Some(failure) = not_covered(&aggregator, &statuses, name, account, region) {
                recorder.gap(
                    account,
                    region,
                    "config:DescribeConfigurationAggregatorSourcesStatus",
                    &failure,
                    INVENTORY,
                    "",
                );
            }
        }
    } else {
        let failure = Failure {
            kind: FailureKind::Service,
            code: "AggregatorSourcesUnknown".into(),
            message: format!(
                "the status of the sources of Config aggregator `{name}` could not be read, so whether it holds this account and region is not known"
            ),
        };
        gaps_at(
            recorder,
            &at,
            "config:DescribeConfigurationAggregatorSourcesStatus",
            &failure,
        );
    }
    query(&client, recorder, home, name, caller, &at).await
}

/// The aggregator named, or `None` (with a gap everywhere) when it cannot be read or does
/// not exist.
async fn describe(
    client: &aws_sdk_config::Client,
    recorder: &Recorder,
    home: &str,
    caller: &str,
    name: &str,
    at: &[(&str, &str)],
) -> Option<ConfigurationAggregator> {
    let operation = "config:DescribeConfigurationAggregators";
    match recorder
        .call(caller, home, operation, |c| {
            client
                .describe_configuration_aggregators()
                .configuration_aggregator_names(name)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
    {
        Ok((out, _)) => {
            let found = out
                .configuration_aggregators()
                .iter()
                .find(|a| a.configuration_aggregator_name() == Some(name))
                .cloned();
            if found.is_none() {
                let failure = Failure {
                    kind: FailureKind::Service,
                    code: "NoSuchConfigurationAggregatorException".into(),
                    message: format!(
                        "Config aggregator `{name}` is not in {home}: the catch-all inventory could not look anywhere"
                    ),
                };
                gaps_at(recorder, at, operation, &failure);
            }
            found
        }
        Err(e) => {
            let failure = Failure {
                message: format!(
                    "Config aggregator `{name}` in {home} could not be read, so the catch-all inventory could not look anywhere: {}",
                    e.failure.message
                ),
                ..e.failure
            };
            gaps_at(recorder, at, operation, &failure);
            None
        }
    }
}

/// Every source status of the aggregator, or `None` when a page could not be read.
async fn sources_status(
    client: &aws_sdk_config::Client,
    recorder: &Recorder,
    home: &str,
    name: &str,
    caller: &str,
) -> Option<Vec<AggregatedSourceStatus>> {
    let pages = recorder
        .pages(
            Paging::of(
                caller,
                home,
                "config:DescribeConfigurationAggregatorSourcesStatus",
                name,
            ),
            |token, c| {
                client
                    .describe_configuration_aggregator_sources_status()
                    .configuration_aggregator_name(name)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: DescribeConfigurationAggregatorSourcesStatusOutput| {
                (
                    out.aggregated_source_status_list().to_vec(),
                    out.next_token().map(str::to_string),
                )
            },
        )
        .await;
    pages
        .complete()
        .map(|items| items.into_iter().map(|(s, _)| s).collect())
}

/// Why the aggregator does not hold `account` in `region`, or `None` when it does: the
/// region and account must be among its sources (an organisation source covers every
/// account of the organisation), and a source status for them must say `SUCCEEDED`
/// ("FAILED indicates errors while moving data", "OUTDATED indicates the data is not the
/// most recent", DescribeConfigurationAggregatorSourcesStatus in the AWS Config API
/// reference). An organisation source's status is per region; an account source's per
/// account and region.
fn not_covered(
    aggregator: &ConfigurationAggregator,
    statuses: &[AggregatedSourceStatus],
    name: &str,
    account: &str,
    region: &str,
) -> Option<Failure> {
    let failure = |code: &str, message: String| {
        Some(Failure {
            kind: FailureKind::Service,
            code: code.into(),
            message,
        })
    };
    let in_regions = |all: bool, regions: &[String]| all || regions.iter().any(|r| r == region);
    let by_organisation = aggregator
        .organization_aggregation_source()
        .is_some_and(|o| in_regions(o.all_aws_regions(), o.aws_regions()));
    let by_account = aggregator.account_aggregation_sources().iter().any(|s| {
        s.account_ids().iter().any(|a| a == account)
            && in_regions(s.all_aws_regions(), s.aws_regions())
    });
    if !by_organisation && !by_account {
        return failure(
            "NotAnAggregatorSource",
            format!(
                "Config aggregator `{name}` does not gather account {account} in {region}: the catch-all inventory could not look here"
            ),
        );
    }
    let applies = |s: &&AggregatedSourceStatus| {
        s.aws_region() == Some(region)
            && match s.source_type().map(|t| t.as_str()) {
                Some("ORGANIZATION") => by_organisation,
                _ => s.source_id() == Some(account),
            }
    };
    let relevant: Vec<&AggregatedSourceStatus> = statuses.iter().filter(applies).collect();
    if let Some(bad) = relevant.iter().find(|s| {
        s.last_update_status()
            .is_none_or(|u| u.as_str() != "SUCCEEDED")
    }) {
        let status = bad.last_update_status().map_or("no status", |u| u.as_str());
        let code = bad
            .last_error_code()
            .map_or_else(|| format!("AggregatorSource{status}"), str::to_string);
        return failure(
            &code,
            format!(
                "Config aggregator `{name}`'s source {} in {region} is {status}{}: the catch-all inventory of account {account} there is not current",
                bad.source_id().unwrap_or("(unnamed)"),
                bad.last_error_message()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            ),
        );
    }
    if relevant.is_empty() {
        return failure(
            "NoAggregatorSourceStatus",
            format!(
                "Config aggregator `{name}` gives no status for account {account} in {region}, so whether it holds the account's current resources there is not known"
            ),
        );
    }
    None
}

/// The aggregator's advanced query, page by page; the rows of the accounts scanned. A
/// failed page leaves the inventory incomplete everywhere: a gap in every account and
/// region scanned.
async fn query(
    client: &aws_sdk_config::Client,
    recorder: &Recorder,
    home: &str,
    name: &str,
    caller: &str,
    at: &[(&str, &str)],
) -> Vec<Resource> {
    let operation = "config:SelectAggregateResourceConfig";
    let pages = recorder
        .pages(
            Paging::of(caller, home, operation, name),
            |token, c| {
                client
                    .select_aggregate_resource_config()
                    .configuration_aggregator_name(name)
                    .expression(QUERY)
                    .limit(100)
                    .set_next_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: SelectAggregateResourceConfigOutput| {
                (out.results().to_vec(), out.next_token().map(str::to_string))
            },
        )
        .await;
    if let Some((_, failure)) = &pages.failed {
        let failure = Failure {
            message: format!(
                "the advanced query of Config aggregator `{name}` failed, so its inventory is incomplete: {}",
                failure.message
            ),
            ..failure.clone()
        };
        gaps_at(recorder, at, operation, &failure);
    }
    let accounts: BTreeSet<&str> = at.iter().map(|(a, _)| *a).collect();
    let mut by_account: BTreeMap<String, Vec<Resource>> = BTreeMap::new();
    for (row, listed) in pages.items {
        if let Some(r) = inventory_item(recorder, caller, home, operation, &row, listed) {
            by_account.entry(r.account.clone()).or_default().push(r);
        }
    }
    by_account
        .into_iter()
        .filter(|(account, _)| accounts.contains(account.as_str()))
        .flat_map(|(_, found)| found)
        .collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_config::types::{
        AccountAggregationSource, AggregatedSourceStatusType, AggregatedSourceType,
    };

    use super::*;

    fn by_accounts(accounts: &[&str], regions: &[&str]) -> ConfigurationAggregator {
        let mut source = AccountAggregationSource::builder().all_aws_regions(regions.is_empty());
        for a in accounts {
            source = source.account_ids(*a);
        }
        for r in regions {
            source = source.aws_regions(*r);
        }
        ConfigurationAggregator::builder()
            .configuration_aggregator_name("agg")
            .account_aggregation_sources(source.build().expect("source"))
            .build()
    }

    fn status(
        account: &str,
        region: &str,
        s: AggregatedSourceStatusType,
    ) -> AggregatedSourceStatus {
        AggregatedSourceStatus::builder()
            .source_id(account)
            .source_type(AggregatedSourceType::Account)
            .aws_region(region)
            .last_update_status(s)
            .build()
    }

    fn code(f: Option<Failure>) -> Option<String> {
        f.map(|f| f.code)
    }

    #[test]
    fn an_account_and_region_is_covered_only_by_a_source_that_succeeded() {
        use AggregatedSourceStatusType::{Outdated, Succeeded};
        let agg = by_accounts(&["111111111111"], &["ap-southeast-2"]);
        let ok = [status("111111111111", "ap-southeast-2", Succeeded)];
        assert_eq!(
            code(not_covered(
                &agg,
                &ok,
                "agg",
                "111111111111",
                "ap-southeast-2"
            )),
            None
        );
        // Another account, another region: not among the sources.
        for (account, region) in [
            ("222222222222", "ap-southeast-2"),
            ("111111111111", "us-east-1"),
        ] {
            assert_eq!(
                code(not_covered(&agg, &ok, "agg", account, region)).as_deref(),
                Some("NotAnAggregatorSource")
            );
        }
        // A source without a status is not known to be held; an outdated one is not current.
        assert_eq!(
            code(not_covered(
                &agg,
                &[],
                "agg",
                "111111111111",
                "ap-southeast-2"
            ))
            .as_deref(),
            Some("NoAggregatorSourceStatus")
        );
        let stale = [status("111111111111", "ap-southeast-2", Outdated)];
        let failure = not_covered(&agg, &stale, "agg", "111111111111", "ap-southeast-2")
            .expect("outdated is a gap");
        assert_eq!(failure.code, "AggregatorSourceOUTDATED");
        assert!(
            failure.message.contains("is OUTDATED"),
            "{}",
            failure.message
        );
    }
}
