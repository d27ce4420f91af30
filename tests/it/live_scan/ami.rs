//! EC2 images (AMIs): what the scan reads of each, and what a denied call leaves unread.

use super::*;

#[test]
fn images_are_read_with_their_source_launch_permissions_and_devices() {
    let f = full();
    let (seed, s) = (&f.seed, &f.snapshot);
    let image = resource(s, &ec2(seed, "image", HOME, "image"));
    assert_eq!(image["image_name"], "app-1-2026-11");
    assert_eq!(image["state"], "available");
    assert_eq!(image["public"], false);
    assert_eq!(image["launch_permissions"], serde_json::json!([]));
    // AWS records the instance an image was made from with CreateImage.
    assert_eq!(image["source_instance_id"], seed_str(seed, "instance"));
    assert!(
        image["creation_date"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z'))
    );
    let devices = image["block_devices"].as_array().unwrap();
    assert!(
        !devices.is_empty() && devices.iter().all(|d| d["snapshot_id"].is_string()),
        "{devices:?}"
    );
    assert_eq!(
        image["provenance"]["resource"]["operation"],
        "ec2:DescribeImages"
    );
    assert_eq!(
        image["provenance"]["launch_permissions"]["operation"],
        "ec2:DescribeImageAttribute"
    );
    let public = resource(s, &ec2(seed, "image", HOME, "image_public"));
    assert_eq!(public["public"], true);
    assert_eq!(public["launch_permissions"], serde_json::json!(["all"]));
    let us = resource(s, &ec2(seed, "image", OTHER, "image_us"));
    assert_eq!(us["source_instance_id"], seed_str(seed, "instance_us"));
}

#[test]
fn a_denied_launch_permission_read_leaves_the_group_unread_and_the_rule_gap() {
    let f = full();
    let (ran, snapshot, findings, proxy, _dir) =
        faulted_scan(vec![on(&["ec2:DescribeImageAttribute"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(proxy.count("ec2:DescribeImageAttribute") > 0);
    let public = ec2(&f.seed, "image", HOME, "image_public");
    let image = resource(&snapshot, &public);
    assert_eq!(image["unread"][0]["group"], "launch_permissions");
    assert_eq!(image["launch_permissions"], serde_json::json!([]));
    // The image is public by DescribeImages alone, but the rule's other assertion reads
    // the unread group: never a pass.
    assert_ne!(
        status(&findings, "residency.ami-launch-permissions", &public),
        "PASS"
    );
    let private = ec2(&f.seed, "image", HOME, "image");
    assert_eq!(
        status(&findings, "residency.ami-launch-permissions", &private),
        "GAP"
    );
}

#[test]
fn a_denied_image_listing_is_a_gap_for_the_images_and_the_instances_rule() {
    let f = full();
    let (ran, snapshot, findings, _proxy, _dir) =
        faulted_scan(vec![on(&["ec2:DescribeImages"], denied)], &[]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    let listing: Vec<&Value> = gaps(&snapshot)
        .into_iter()
        .filter(|g| g["operation"] == "ec2:DescribeImages")
        .collect();
    assert_eq!(listing.len(), 2, "one per region: {listing:#?}");
    assert!(
        listing
            .iter()
            .all(|g| g["resource_types"] == serde_json::json!(["aws_ec2_image"]))
    );
    assert!(resources(&snapshot, "aws_ec2_image").is_empty());
    let instance = ec2(&f.seed, "instance", HOME, "instance");
    assert_eq!(
        status(&findings, "backup.ami-per-instance", &instance),
        "GAP"
    );
}
