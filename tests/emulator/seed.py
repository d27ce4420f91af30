"""Seeds the moto emulator with scenarios for assay's live-scan tests.

Usage: seed.py --endpoint URL --account 123456789012 --scenario NAME

Each scenario creates resources in one account (moto keys state by the 12-digit access key
id used as credentials, so parallel tests stay apart). Seeding is sequential: moto's server
is not safe for concurrent writes.
"""

import argparse
import json
import sys

import boto3

REGION = "ap-southeast-2"


def client(args, service, region=REGION):
    return boto3.client(
        service,
        endpoint_url=args.endpoint,
        region_name=region,
        aws_access_key_id=args.account,
        aws_secret_access_key="testing",
    )


def smoke(args):
    """One rotating CMK, a bucket encrypted with it, an unencrypted bucket."""
    kms = client(args, "kms")
    key = kms.create_key(Description="smoke")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    s3 = client(args, "s3")
    location = {"LocationConstraint": REGION}
    s3.create_bucket(Bucket=f"smoke-encrypted-{args.account}", CreateBucketConfiguration=location)
    s3.put_bucket_encryption(
        Bucket=f"smoke-encrypted-{args.account}",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]
        },
    )
    s3.create_bucket(Bucket=f"smoke-plain-{args.account}", CreateBucketConfiguration=location)


SCENARIOS = {"smoke": smoke}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    args = parser.parse_args()
    SCENARIOS[args.scenario](args)
    print(json.dumps({"seeded": args.scenario, "account": args.account}))


if __name__ == "__main__":
    sys.exit(main())
