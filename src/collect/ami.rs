//! EC2 images (AMIs) owned by the account, region by region: what each was made from,
//! the encryption of the snapshots behind it and who may launch it. The evidence for
//! "images are made every month and two versions are kept" and for "no image is public".

use aws_sdk_ec2::Client;
use aws_sdk_ec2::operation::describe_images::DescribeImagesOutput;
use aws_sdk_ec2::types::{Image, ImageAttributeName, Tag};
use futures::StreamExt;

use super::read::{Groups, Paging};
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{Ec2Image, ImageBlockDevice};
use crate::snapshot::{Attributes, Provenance, Resource, Tags};

/// The calls this collector makes (`assay iam-policy` prints their IAM actions).
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    ("ec2:DescribeImages", "ec2:DescribeImages"),
    ("ec2:DescribeImageAttribute", "ec2:DescribeImageAttribute"),
];

pub async fn collect(ctx: &ServiceCtx<'_>) -> Vec<Resource> {
    let ec2 = service_client!(aws_sdk_ec2, ctx);
    let Some(images) = list(ctx, &ec2).await else {
        return Vec::new();
    };
    futures::stream::iter(
        images
            .into_iter()
            .map(|(image, p)| one(ctx, &ec2, image, p)),
    )
    .buffer_unordered(ctx.concurrency)
    .collect()
    .await
}

/// Every page of `DescribeImages` for the images this account owns, or `None` with a
/// listing gap when a page failed. `MaxResults` makes AWS page the listing (without it
/// every image comes in one response and `NextToken` is never set).
async fn list(ctx: &ServiceCtx<'_>, ec2: &Client) -> Option<Vec<(Image, Provenance)>> {
    ctx.recorder
        .pages(
            Paging::listing(
                ctx.account,
                ctx.region,
                "ec2:DescribeImages",
                &["aws_ec2_image"],
            ),
            |t, c| {
                ec2.describe_images()
                    .owners("self")
                    .max_results(1000)
                    .set_next_token(t)
                    .customize()
                    .interceptor(c)
                    .send()
            },
            |o: DescribeImagesOutput| (o.images().to_vec(), o.next_token().map(str::to_string)),
        )
        .await
        .complete()
}

/// One image, with its launch permissions read (a failed read leaves the group unread).
async fn one(ctx: &ServiceCtx<'_>, ec2: &Client, image: Image, listed: Provenance) -> Resource {
    let (account, region) = (ctx.account, ctx.region);
    let id = image.image_id().unwrap_or_default().to_string();
    let arn = format!("arn:aws:ec2:{region}:{account}:image/{id}");
    let mut read = Groups::listed(ctx.recorder, account, region, &arn, listed);
    let launch_permissions = read
        .read("launch_permissions", "ec2:DescribeImageAttribute", |c| {
            ec2.describe_image_attribute()
                .image_id(&id)
                .attribute(ImageAttributeName::LaunchPermission)
                .customize()
                .interceptor(c)
                .send()
        })
        .await
        .map(|out| {
            out.launch_permissions()
                .iter()
                .filter_map(|perm| {
                    perm.user_id()
                        .map(str::to_string)
                        .or_else(|| perm.group().map(|g| g.as_str().to_string()))
                        .or_else(|| perm.organization_arn().map(str::to_string))
                        .or_else(|| perm.organizational_unit_arn().map(str::to_string))
                })
                .collect()
        })
        .unwrap_or_default();
    let attributes = Ec2Image {
        image_name: image.name().map(str::to_string),
        description: image
            .description()
            .map(str::to_string)
            .filter(|d| !d.is_empty()),
        creation_date: image.creation_date().map(str::to_string),
        state: image
            .state()
            .map_or(String::new(), |s| s.as_str().to_string()),
        public: image.public().unwrap_or(false),
        source_instance_id: image.source_instance_id().map(str::to_string),
        launch_permissions,
        block_devices: block_devices(&image),
    };
    let (provenance, unread) = read.finish();
    resource(
        Attributes::Ec2Image(attributes),
        arn,
        id,
        image.name().map(str::to_string),
        account,
        region,
        tags(image.tags()),
        provenance,
        unread,
    )
}

/// The image's EBS block devices (instance-store and no-device mappings name no snapshot
/// and hold no data of the image).
fn block_devices(image: &Image) -> Vec<ImageBlockDevice> {
    image
        .block_device_mappings()
        .iter()
        .filter_map(|m| {
            let ebs = m.ebs()?;
            Some(ImageBlockDevice {
                device_name: m.device_name().unwrap_or_default().to_string(),
                snapshot_id: ebs.snapshot_id().map(str::to_string),
                encrypted: ebs.encrypted(),
                kms_key_id: ebs.kms_key_id().map(str::to_string),
            })
        })
        .collect()
}

fn tags(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}
