//! The backups themselves, where they are objects in S3: every object under each backup
//! location the profile names (`s3_backup_locations`, `bucket/prefix`), with its size,
//! when it was written and its storage class. The evidence that backups were taken and
//! kept, which a lifecycle rule or a plan only promises.
//!
//! Only the named prefixes are listed, and only in the account that owns the bucket (the
//! bucket is among those `s3:ListBuckets` returned), in the bucket's region. A location
//! whose listing fails is a resource with its `objects` unread (a gap, never an empty
//! list); a location whose bucket no account read owns is a gap of its own
//! ([`unfound_locations`]).

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;

use super::aws::{Failure, FailureKind};
use super::read::{Groups, Paging};
use super::recorder::Recorder;
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{BackupObject, S3BackupObjects};
use crate::snapshot::{Attributes, Resource, Tags};

/// The resource type of one listed location.
pub const TYPE: &str = "aws_s3_backup_objects";

/// The call this reader makes (`ListObjectsV2` is permitted by `s3:ListBucket`).
pub const OPERATION: (&str, &str) = ("s3:ListObjectsV2", "s3:ListBucket");

/// Keys per page. AWS's own maximum (and default) is 1,000 ("Sets the maximum number of
/// keys returned in the response. By default, the action returns up to 1,000 key names",
/// the ListObjectsV2 API reference); the emulator tests page with fewer through
/// `ASSAY_S3_LIST_PAGE_SIZE`, which nothing else reads.
const PAGE_SIZE: i32 = 1000;

/// A backup location as the profile names it: `bucket/prefix` (the prefix may be empty;
/// an `s3://` in front is accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub bucket: String,
    pub prefix: String,
}

impl Location {
    pub fn parse(text: &str) -> Location {
        let text = text.trim().trim_start_matches("s3://");
        match text.split_once('/') {
            Some((bucket, prefix)) => Location {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            },
            None => Location {
                bucket: text.to_string(),
                prefix: String::new(),
            },
        }
    }

    /// `s3://bucket/prefix`: the resource id and how a gap names the location.
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    /// `bucket/prefix`, as the profile writes it.
    pub fn name(&self) -> String {
        format!("{}/{}", self.bucket, self.prefix)
    }

    /// `arn:aws:s3:::bucket/prefix` (the ARN form S3 gives objects and key prefixes).
    pub fn arn(&self) -> String {
        format!("arn:aws:s3:::{}/{}", self.bucket, self.prefix)
    }
}

fn page_size() -> i32 {
    std::env::var("ASSAY_S3_LIST_PAGE_SIZE")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|n| (1..=PAGE_SIZE).contains(n))
        .unwrap_or(PAGE_SIZE)
}

/// Lists every named location whose bucket is `bucket` (owned by this account, in
/// `region`), with `s3` a client in that region.
pub async fn read_bucket(
    ctx: &ServiceCtx<'_>,
    s3: &Client,
    bucket: &str,
    region: &str,
) -> Vec<Resource> {
    let mut found = Vec::new();
    for location in ctx
        .backup_locations
        .iter()
        .map(|l| Location::parse(l))
        .filter(|l| l.bucket == bucket)
    {
        found.push(read_location(ctx, s3, &location, region).await);
    }
    found
}

async fn read_location(
    ctx: &ServiceCtx<'_>,
    s3: &Client,
    location: &Location,
    region: &str,
) -> Resource {
    let arn = location.arn();
    let mut read = Groups::new(ctx.recorder, ctx.account, region, &arn);
    let size = page_size();
    let pages = ctx
        .recorder
        .pages(
            Paging::of(ctx.account, region, OPERATION.0, &arn),
            |token, c| {
                s3.list_objects_v2()
                    .bucket(&location.bucket)
                    .prefix(&location.prefix)
                    .max_keys(size)
                    .set_continuation_token(token)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |out: ListObjectsV2Output| {
                let objects = out.contents().iter().filter_map(object).collect();
                // `IsTruncated` says whether more pages follow; the token alone is not
                // trusted to end the listing.
                let next = out
                    .next_continuation_token()
                    .map(str::to_string)
                    .filter(|_| out.is_truncated().unwrap_or(false));
                (objects, next)
            },
        )
        .await;
    let mut objects = read.paged("objects", pages).unwrap_or_default();
    objects.sort_by(|a, b| a.key.cmp(&b.key));
    let (provenance, unread) = read.finish();
    resource(
        Attributes::S3BackupObjects(S3BackupObjects {
            bucket: location.bucket.clone(),
            prefix: location.prefix.clone(),
            objects,
        }),
        arn,
        location.url(),
        // Named as the profile writes it, so `s3_backup_locations` selects it (and a
        // location no scan read is warned about).
        Some(location.name()),
        ctx.account,
        region,
        Tags::new(),
        provenance,
        unread,
    )
}

/// One listed object; an entry without a key or a time is not a backup that can be
/// counted or dated (AWS always sends both).
fn object(o: &aws_sdk_s3::types::Object) -> Option<BackupObject> {
    let last_modified = o
        .last_modified()?
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .ok()?;
    Some(BackupObject {
        key: o.key()?.to_string(),
        size: o.size().unwrap_or(0),
        last_modified,
        storage_class: o.storage_class().map(|c| c.as_str().to_string()),
    })
}

/// A gap for each named location that no account read owns the bucket of (or whose
/// bucket could not be located): nothing under it was listed, and the rules reading
/// backup objects must say so rather than find nothing. No account owns it, so the gap
/// is recorded against `account`, the first account scanned.
pub fn unfound_locations(
    locations: &[String],
    resources: &[Resource],
    recorder: &Recorder,
    account: &str,
) {
    for location in locations.iter().map(|l| Location::parse(l)) {
        let arn = location.arn();
        if resources.iter().any(|r| r.arn == arn) {
            continue;
        }
        let failure = Failure {
            kind: FailureKind::Service,
            code: "BackupLocationNotRead".into(),
            message: format!(
                "bucket {} is not among the readable buckets of the accounts scanned: nothing under {} was listed",
                location.bucket,
                location.url()
            ),
        };
        recorder.gap(
            account,
            "global",
            OPERATION.0,
            &failure,
            &[TYPE],
            &location.url(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_a_bucket_and_a_prefix() {
        assert_eq!(
            Location::parse("s3://aeronet-backups/sites/prod/"),
            Location {
                bucket: "aeronet-backups".into(),
                prefix: "sites/prod/".into()
            }
        );
        assert_eq!(Location::parse("b").url(), "s3://b/");
        assert_eq!(Location::parse("b/p/").arn(), "arn:aws:s3:::b/p/");
    }
}
