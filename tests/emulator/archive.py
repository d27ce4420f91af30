"""Sets up and tampers with archive buckets in the moto emulator for tests/it/archive.rs.

Usage: archive.py --endpoint URL --action ACTION [options]

  create     --bucket B --region R [--lock] [--versioning]   a bucket (Object Lock implies versioning)
  overwrite  --bucket B --key K --body TEXT                  a new version of K, without retention
  copy       --bucket B --to D                               every current object of B into D, without retention
  count      --bucket B                                      how many object versions B holds

Uses the emulator's base credentials (the default account), as the assay binary does in
these tests. Prints one JSON object.
"""

import argparse
import json

import boto3


def client(endpoint, region="eu-central-1"):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--action", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--region", default="eu-central-1")
    p.add_argument("--lock", action="store_true")
    p.add_argument("--versioning", action="store_true")
    p.add_argument("--key")
    p.add_argument("--body")
    p.add_argument("--to")
    a = p.parse_args()
    s3 = client(a.endpoint, a.region)
    out = {}
    if a.action == "create":
        kwargs = {"Bucket": a.bucket}
        if a.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": a.region}
        if a.lock:
            kwargs["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**kwargs)
        if a.versioning and not a.lock:
            s3.put_bucket_versioning(Bucket=a.bucket, VersioningConfiguration={"Status": "Enabled"})
    elif a.action == "overwrite":
        r = s3.put_object(Bucket=a.bucket, Key=a.key, Body=a.body.encode())
        out["version_id"] = r.get("VersionId")
    elif a.action == "copy":
        copied = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=a.bucket):
            for o in page.get("Contents", []):
                body = s3.get_object(Bucket=a.bucket, Key=o["Key"])["Body"].read()
                s3.put_object(Bucket=a.to, Key=o["Key"], Body=body)
                copied.append(o["Key"])
        out["copied"] = copied
    elif a.action == "count":
        versions = s3.list_object_versions(Bucket=a.bucket).get("Versions", [])
        out["versions"] = len(versions)
    else:
        raise SystemExit(f"unknown action {a.action}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
