"""Seeds moto for the live-scan benchmark: N resources per type across three regions.

Resource i lives in REGIONS[i % 3]; its settings follow j = i // 3, so every region gets
the same mix. `expected(scenario, n)` returns what the seed implies for each compared
question (e.g. "buckets without default encryption"), which the driver prints beside what
each tool found.

Scenarios:
  s3     N buckets (encryption none / AES256 / SSE-KMS with a rotating CMK / SSE-KMS with a
         non-rotating CMK; versioning on half; public access block on 4 of 5), plus the two
         CMKs per region the buckets use.
  mixed  the s3 scenario plus N each of KMS keys (rotation on half), security groups (1 in
         10 opens SSH to 0.0.0.0/0), EBS volumes (plain / default key / CMK), IAM users
         (half with a console password, half of those with MFA) and RDS instances
         (encrypted on half). moto adds one `aws/ebs` key per region for the volumes on
         the default key (customer-managed and not rotating, as moto models it).

Creates run on a few threads with botocore retries: moto is not safe for concurrent
writes and sometimes answers 500, which the retry absorbs; the seed then counts every
type back and fails loudly when anything is missing.
"""

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
CONFIG = Config(retries={"max_attempts": 10, "mode": "standard"}, max_pool_connections=32)
SCENARIOS = ["s3", "mixed"]

_local = threading.local()


def client(endpoint, service, region):
    key = (endpoint, service, region)
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
    if key not in cache:
        cache[key] = boto3.session.Session().client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=CONFIG,
        )
    return cache[key]


def region_of(i):
    return REGIONS[i % 3]


def bucket_name(i):
    return f"bench-{i:05d}"


def bucket_plan(i):
    j = i // 3
    return {"encryption": ["none", "AES256", "kms-rotating", "kms-static"][j % 4], "versioning": j % 2 == 0, "pab": j % 5 != 0}


def seed_bucket(endpoint, i, keys):
    region = region_of(i)
    s3 = client(endpoint, "s3", region)
    name = bucket_name(i)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    plan = bucket_plan(i)
    enc = plan["encryption"]
    if enc == "AES256":
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    elif enc.startswith("kms"):
        key = keys[region]["rotating" if enc == "kms-rotating" else "static"]
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
    else:
        rule = None
    if rule:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
    if plan["versioning"]:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if plan["pab"]:
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )


def bucket_keys(endpoint):
    keys = {}
    for region in REGIONS:
        kms = client(endpoint, "kms", region)
        rotating = kms.create_key(Description="bench bucket key (rotating)")["KeyMetadata"]
        kms.enable_key_rotation(KeyId=rotating["KeyId"])
        static = kms.create_key(Description="bench bucket key (static)")["KeyMetadata"]
        keys[region] = {"rotating": rotating["Arn"], "static": static["Arn"]}
    return keys


def seed_key(endpoint, i):
    kms = client(endpoint, "kms", region_of(i))
    key = kms.create_key(Description=f"bench key {i}")["KeyMetadata"]
    if (i // 3) % 2 == 0:
        kms.enable_key_rotation(KeyId=key["KeyId"])


def seed_security_group(endpoint, i):
    ec2 = client(endpoint, "ec2", region_of(i))
    gid = ec2.create_security_group(GroupName=f"bench-sg-{i:05d}", Description="bench")["GroupId"]
    if (i // 3) % 10 == 0:
        perm = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    else:
        perm = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[perm])


def seed_volume(endpoint, i, keys):
    region = region_of(i)
    ec2 = client(endpoint, "ec2", region)
    kind = (i // 3) % 3
    args = {"AvailabilityZone": f"{region}a", "Size": 1}
    if kind == 1:
        args["Encrypted"] = True
    elif kind == 2:
        args.update(Encrypted=True, KmsKeyId=keys[region]["rotating"])
    ec2.create_volume(**args)


def seed_user(endpoint, i):
    iam = client(endpoint, "iam", "us-east-1")
    name = f"bench-user-{i:05d}"
    iam.create_user(UserName=name)
    if i % 2 == 0:
        iam.create_login_profile(UserName=name, Password="Correct-Horse-9!")
        if i % 4 == 0:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            iam.enable_mfa_device(
                UserName=name, SerialNumber=device["SerialNumber"], AuthenticationCode1="123456", AuthenticationCode2="654321"
            )


def seed_db(endpoint, i):
    rds = client(endpoint, "rds", region_of(i))
    rds.create_db_instance(
        DBInstanceIdentifier=f"bench-db-{i:05d}",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="bench",
        MasterUserPassword="password123",
        StorageEncrypted=(i // 3) % 2 == 0,
        BackupRetentionPeriod=7,
    )


def run_all(tasks, threads):
    errors = []
    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(t) for t in tasks]:
            try:
                f.result()
            except Exception as e:  # noqa: BLE001 - reported below, the seed then fails
                errors.append(repr(e))
    if errors:
        raise SystemExit(f"seeding failed ({len(errors)} errors), first: {errors[0]}")


def count(endpoint):
    """Counts every seeded type back (the check that the seed is complete)."""
    out = {"s3_buckets": 0, "kms_keys": 0, "security_groups": 0, "ebs_volumes": 0, "iam_users": 0, "rds_instances": 0}
    out["s3_buckets"] = len(client(endpoint, "s3", "us-east-1").list_buckets()["Buckets"])
    out["iam_users"] = sum(len(p["Users"]) for p in client(endpoint, "iam", "us-east-1").get_paginator("list_users").paginate())
    for region in REGIONS:
        kms = client(endpoint, "kms", region)
        out["kms_keys"] += sum(len(p["Keys"]) for p in kms.get_paginator("list_keys").paginate())
        ec2 = client(endpoint, "ec2", region)
        out["security_groups"] += sum(
            1 for p in ec2.get_paginator("describe_security_groups").paginate() for g in p["SecurityGroups"] if g["GroupName"] != "default"
        )
        out["ebs_volumes"] += sum(len(p["Volumes"]) for p in ec2.get_paginator("describe_volumes").paginate())
        out["rds_instances"] += sum(len(p["DBInstances"]) for p in client(endpoint, "rds", region).get_paginator("describe_db_instances").paginate())
    return out


def seed(endpoint, scenario, n, threads=4):
    started = time.monotonic()
    keys = bucket_keys(endpoint)
    tasks = [lambda i=i: seed_bucket(endpoint, i, keys) for i in range(n)]
    if scenario == "mixed":
        tasks += [lambda i=i: seed_key(endpoint, i) for i in range(n)]
        tasks += [lambda i=i: seed_security_group(endpoint, i) for i in range(n)]
        # The first volume encrypted with the default key makes moto create that region's
        # aws/ebs key; concurrent first volumes would each create one, so those go first.
        for i in range(3, min(n, 6)):
            seed_volume(endpoint, i, keys)
        tasks += [lambda i=i: seed_volume(endpoint, i, keys) for i in range(n) if not 3 <= i < 6]
        tasks += [lambda i=i: seed_user(endpoint, i) for i in range(n)]
        tasks += [lambda i=i: seed_db(endpoint, i) for i in range(n)]
    run_all(tasks, threads)
    got = count(endpoint)
    want = {"s3_buckets": n, "kms_keys": 6}
    if scenario == "mixed":
        want.update(kms_keys=n + 6 + (3 if n >= 6 else 0), security_groups=n, ebs_volumes=n, iam_users=n, rds_instances=n)
    for k, v in want.items():
        if got[k] != v:
            raise SystemExit(f"seed incomplete: {k} = {got[k]}, expected {v}")
    return {"seconds": round(time.monotonic() - started, 1), "counts": got}


def expected(scenario, n):
    """What the seed implies for each compared question."""
    plans = [bucket_plan(i) for i in range(n)]
    out = {
        "s3.no_default_encryption": sum(p["encryption"] == "none" for p in plans),
        "s3.not_sse_kms": sum(not p["encryption"].startswith("kms") for p in plans),
        "s3.not_kms_rotating_cmk": sum(p["encryption"] != "kms-rotating" for p in plans),
        "s3.versioning_off": sum(not p["versioning"] for p in plans),
        "s3.no_public_access_block": sum(not p["pab"] for p in plans),
    }
    if scenario == "mixed":
        js = [i // 3 for i in range(n)]
        out.update(
            {
                # + the 3 static bucket keys + moto's aws/ebs key per region (moto marks it
                # customer-managed with rotation off; AWS would call it AWS-managed)
                "kms.rotation_off": sum(j % 2 == 1 for j in js) + 3 + (3 if n >= 6 else 0),
                "ec2.sg_ssh_open": sum(j % 10 == 0 for j in js),
                "ec2.volume_unencrypted": sum(j % 3 == 0 for j in js),
                "ec2.volume_not_cmk": sum(j % 3 != 2 for j in js),
                "iam.console_no_mfa": sum(i % 2 == 0 and i % 4 != 0 for i in range(n)),
                "rds.unencrypted": sum(j % 2 == 1 for j in js),
            }
        )
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--scenario", choices=SCENARIOS, required=True)
    ap.add_argument("-n", type=int, required=True)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    print(json.dumps(seed(args.endpoint, args.scenario, args.n, args.threads)))


if __name__ == "__main__":
    sys.exit(main())
