//! Who collected the evidence and from where: the principal the calls were made as, the
//! endpoint they went to and the tool that made them, from the snapshot's origin. Every
//! document (evidence packs, HTML report, attestation) prints it on its cover, and says
//! plainly, in red, when the endpoint is not AWS's own: evidence read from an emulator or
//! a proxy is not evidence of an AWS account, however real it looks.

use serde::{Deserialize, Serialize};

use crate::snapshot::Snapshot;

/// The DNS suffixes of AWS's own service endpoints, per partition, as the AWS SDKs
/// resolve them (`dnsSuffix` and `dualStackDnsSuffix` of the SDKs' `partitions.json`;
/// AWS General Reference, "AWS service endpoints"): `aws` and `aws-us-gov`
/// (`amazonaws.com`, dual-stack `api.aws`), `aws-cn` (`amazonaws.com.cn`,
/// `api.amazonwebservices.com.cn`), `aws-iso` (`c2s.ic.gov`), `aws-iso-b`
/// (`sc2s.sgov.gov`), `aws-iso-e` (`cloud.adc-e.uk`), `aws-iso-f` (`csp.hci.ic.gov`),
/// `aws-eusc` (`amazonaws.eu`).
pub const AWS_DNS_SUFFIXES: [&str; 9] = [
    "amazonaws.com",
    "api.aws",
    "amazonaws.com.cn",
    "api.amazonwebservices.com.cn",
    "c2s.ic.gov",
    "sc2s.sgov.gov",
    "cloud.adc-e.uk",
    "csp.hci.ic.gov",
    "amazonaws.eu",
];

/// How the evidence was collected, as every document states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// The principal the scan's calls were made as (`sts:GetCallerIdentity`), if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_arn: Option<String>,
    /// The accounts read as another principal than the one above (`--role-arn`, `--org`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_principals: Vec<AccountPrincipal>,
    /// The endpoint override the scan used (`--endpoint-url`, `AWS_ENDPOINT_URL`); absent
    /// when the SDK resolved AWS's endpoints itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    /// `aws` (AWS's own endpoints), `other` (an endpoint that is not AWS's: an emulator,
    /// a proxy) or `none` (not read from any endpoint: a generated sample, a Terraform plan).
    pub endpoint_kind: String,
    /// The tool that collected the snapshot, `name version`.
    pub collected_by: String,
}

/// An account and the principal its calls were made as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPrincipal {
    pub account_id: String,
    pub principal_arn: String,
}

impl Collection {
    pub fn from_snapshot(snapshot: &Snapshot) -> Collection {
        let origin = &snapshot.origin;
        let endpoint_kind = if origin.kind != "live" {
            "none"
        } else {
            match origin.endpoint_url.as_deref() {
                None => "aws",
                Some(url) if is_aws_endpoint(url) => "aws",
                Some(_) => "other",
            }
        };
        let account_principals = snapshot
            .accounts
            .iter()
            .filter_map(|a| {
                a.principal_arn
                    .as_ref()
                    .filter(|p| Some(*p) != origin.principal_arn.as_ref())
                    .map(|p| AccountPrincipal {
                        account_id: a.account_id.clone(),
                        principal_arn: p.clone(),
                    })
            })
            .collect();
        Collection {
            principal_arn: origin.principal_arn.clone(),
            account_principals,
            endpoint_url: origin.endpoint_url.clone(),
            endpoint_kind: endpoint_kind.into(),
            collected_by: format!("{} {}", snapshot.tool.name, snapshot.tool.version),
        }
    }

    /// True when the evidence was read through an endpoint that is not AWS's own.
    pub fn not_aws(&self) -> bool {
        self.endpoint_kind == "other"
    }

    /// The endpoint line of a cover: where the calls went.
    pub fn endpoint_text(&self) -> String {
        match (self.endpoint_kind.as_str(), self.endpoint_url.as_deref()) {
            ("other", Some(url)) => format!(
                "{url}: NOT AN AWS ENDPOINT. The evidence was read from an emulator or proxy at this address, not from AWS; it is not evidence of an AWS account."
            ),
            ("aws", Some(url)) => format!("{url} (an AWS endpoint, given as an override)"),
            ("aws", None) => {
                "AWS's own endpoints (resolved by the AWS SDK per service and region; no override)"
                    .into()
            }
            _ => {
                "none: the snapshot was not read from AWS (a generated sample or a Terraform plan)"
                    .into()
            }
        }
    }

    /// The principal line of a cover.
    pub fn principal_text(&self) -> String {
        let mut text = self
            .principal_arn
            .clone()
            .unwrap_or_else(|| "not recorded in the snapshot".into());
        for a in &self.account_principals {
            text.push_str(&format!(
                "; account {} read as {}",
                a.account_id, a.principal_arn
            ));
        }
        text
    }
}

/// Whether `url` names one of AWS's own endpoints: `https`, and a host that is one of
/// [`AWS_DNS_SUFFIXES`] or ends with `.` and one of them. Anything else (`http`, an IP
/// address, `localhost`, another domain, a look-alike such as `amazonaws.com.evil.example`)
/// is not.
pub fn is_aws_endpoint(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') || authority.starts_with('[') {
        return false;
    }
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    AWS_DNS_SUFFIXES
        .iter()
        .any(|suffix| host == *suffix || host.ends_with(&format!(".{suffix}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_endpoints_are_known_by_their_documented_suffixes() {
        for url in [
            "https://s3.ap-southeast-2.amazonaws.com",
            "https://sts.amazonaws.com/",
            "https://ec2.cn-north-1.amazonaws.com.cn",
            "https://s3.dualstack.eu-west-1.api.aws",
            "https://ec2.us-gov-west-1.amazonaws.com:443/path",
            "https://kms.us-iso-east-1.c2s.ic.gov",
        ] {
            assert!(is_aws_endpoint(url), "{url}");
        }
    }

    #[test]
    fn emulators_proxies_and_look_alikes_are_not_aws() {
        for url in [
            "http://127.0.0.1:39521",
            "http://localhost:4566",
            "http://s3.amazonaws.com",
            "https://localstack.internal:4566",
            "https://amazonaws.com.evil.example",
            "https://notamazonaws.com",
            "https://user@s3.amazonaws.com.attacker.test",
            "https://[::1]:4566",
            "s3.amazonaws.com",
        ] {
            assert!(!is_aws_endpoint(url), "{url}");
        }
    }
}
