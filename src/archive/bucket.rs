//! The archive bucket: the S3 client, and the checks made before anything is written.
//!
//! A bucket is fit to hold evidence only if S3 Object Lock is enabled on it (so each
//! object version can carry a retention nobody can shorten in compliance mode), its
//! versioning is enabled (Object Lock protects versions: without versioning a later write
//! would replace the evidence) and it is in a region the profile allows. Any other bucket
//! is refused, with the reason, before the first write.

use aws_sdk_s3::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::ArchiveError;
use crate::collect::aws::{Connection, base_config, classify, in_region};

/// An S3 client for one bucket, in the bucket's own region.
pub struct Bucket {
    pub client: Client,
    pub name: String,
    pub region: String,
}

/// Turns an SDK error into the archive's error, naming the call, bucket and key.
pub fn call_error<E>(
    operation: &str,
    target: &str,
    error: &SdkError<E, HttpResponse>,
) -> ArchiveError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let failure = classify(error);
    ArchiveError::Call {
        operation: operation.to_string(),
        target: target.to_string(),
        code: failure.code,
        message: failure.message,
    }
}

fn client(config: &aws_config::SdkConfig, path_style: bool) -> Client {
    Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(path_style)
            .build(),
    )
}

impl Bucket {
    /// Finds the bucket's region (`GetBucketLocation`, asked in `home`) and returns a
    /// client there.
    pub async fn open(conn: &Connection, home: &str, name: &str) -> Result<Bucket, ArchiveError> {
        let config = base_config(conn, home).await;
        let path_style = conn.endpoint_url.is_some();
        let probe = client(&config, path_style);
        let location = probe
            .get_bucket_location()
            .bucket(name)
            .send()
            .await
            .map_err(|e| call_error("s3:GetBucketLocation", name, &e))?;
        // AWS: "Buckets in Region us-east-1 have a LocationConstraint of null"; `EU` is
        // the legacy name of eu-west-1 (GetBucketLocation, Amazon S3 API Reference).
        let region = match location.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1".to_string(),
            Some("EU") => "eu-west-1".to_string(),
            Some(r) => r.to_string(),
        };
        let config = in_region(&config, &region);
        Ok(Bucket {
            client: client(&config, path_style),
            name: name.to_string(),
            region,
        })
    }

    /// Refuses a bucket outside `allowed` regions, without versioning or without Object
    /// Lock, naming what is wrong.
    pub async fn check_fit(&self, allowed: &[String]) -> Result<(), ArchiveError> {
        let refuse = |reason: String| ArchiveError::Refused {
            bucket: self.name.clone(),
            reason,
        };
        if !allowed.iter().any(|r| r == &self.region) {
            return Err(refuse(format!(
                "it is in {}, and the profile's archive.regions allows only {}",
                self.region,
                allowed.join(", ")
            )));
        }
        let versioning = self
            .client
            .get_bucket_versioning()
            .bucket(&self.name)
            .send()
            .await
            .map_err(|e| call_error("s3:GetBucketVersioning", &self.name, &e))?;
        match versioning.status().map(|s| s.as_str()) {
            Some("Enabled") => {}
            Some(other) => {
                return Err(refuse(format!(
                    "its versioning is {other}, not Enabled (Object Lock protects object versions)"
                )));
            }
            None => {
                return Err(refuse(
                    "versioning has never been enabled on it (Object Lock protects object versions)"
                        .into(),
                ));
            }
        }
        let lock = self
            .client
            .get_object_lock_configuration()
            .bucket(&self.name)
            .send()
            .await;
        let enabled = match lock {
            Ok(out) => out
                .object_lock_configuration()
                .and_then(|c| c.object_lock_enabled())
                .is_some_and(|e| e.as_str() == "Enabled"),
            // AWS answers a bucket without Object Lock with this error code
            // (GetObjectLockConfiguration, Amazon S3 API Reference).
            Err(e) if e.code() == Some("ObjectLockConfigurationNotFoundError") => false,
            Err(e) => return Err(call_error("s3:GetObjectLockConfiguration", &self.name, &e)),
        };
        if !enabled {
            return Err(refuse(
                "S3 Object Lock is not enabled on it, so nothing written there could be kept from change or deletion (create the bucket with Object Lock, or enable it)"
                    .into(),
            ));
        }
        Ok(())
    }
}
