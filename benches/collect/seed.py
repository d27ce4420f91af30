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
         Then the data stores added since (issue 15), `--stores-n` of each (default: N):
         DynamoDB tables, CloudWatch Logs groups, EFS file systems, Secrets Manager
         secrets, SQS queues, SNS topics, Kinesis streams, ECR repositories, Lambda
         functions, Redshift clusters, ElastiCache replication groups, OpenSearch domains,
         RDS (Aurora) clusters and AMIs; half of each on a customer-managed key where the
         service takes one.

Buckets are created inside the emulator's process by default (`seed_buckets_in_process`,
through moto_counting.py's /__bench/seed-buckets): the same calls of moto's S3 model
that its HTTP handlers make, with the configuration parsed from the XML bodies an SDK
sends, so the state is the one an HTTP seed leaves, without a boto3 request and an HTTP
round trip per setting (10,000 buckets: ~40,000 calls, over 20 minutes on a loaded
machine). `--buckets-over-http` seeds them over HTTP as before. The scans themselves
always go over HTTP.

Creates run on a few threads with botocore retries: moto is not safe for concurrent
writes and sometimes answers 500, which the retry absorbs; the seed then counts every
type back and fails loudly when anything is missing.
"""

import argparse
import http.client
import io
import json
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

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
    rule = encryption_rule(plan, keys, region)
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


S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"


def encryption_rule(plan, keys, region):
    """The bucket's default-encryption rule (as boto3 takes it), or None."""
    enc = plan["encryption"]
    if enc == "AES256":
        return {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    if enc.startswith("kms"):
        key = keys[region]["rotating" if enc == "kms-rotating" else "static"]
        return {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
    return None


def seed_buckets_in_process(n, keys):
    """Creates the s3 scenario's N buckets inside the emulator's process (called by
    moto_counting.py at POST /__bench/seed-buckets, with the keys `bucket_keys` made).

    Each step is the call of moto's S3 model that its HTTP handler makes for the same
    request (moto/s3/responses.py): CreateBucket -> `create_bucket(name, region)`,
    PutBucketEncryption -> `put_bucket_encryption(name, <the XML body parsed by
    xmltodict>)`, PutBucketVersioning -> `put_bucket_versioning(name, "Enabled")`,
    PutPublicAccessBlock -> `put_public_access_block(name, <the parsed body>)`, with the
    XML bodies boto3 sends for `seed_bucket`'s arguments. What is skipped is the HTTP
    round trip and the client.
    """
    import xmltodict
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    flag = "true"
    pab = xmltodict.parse(
        f'<PublicAccessBlockConfiguration xmlns="{S3_XMLNS}"><BlockPublicAcls>{flag}</BlockPublicAcls>'
        f"<IgnorePublicAcls>{flag}</IgnorePublicAcls><BlockPublicPolicy>{flag}</BlockPublicPolicy>"
        f"<RestrictPublicBuckets>{flag}</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
    )
    pab["PublicAccessBlockConfiguration"].pop("@xmlns", None)
    for i in range(n):
        region, name, plan = region_of(i), bucket_name(i), bucket_plan(i)
        backend.create_bucket(name, region)
        rule = encryption_rule(plan, keys, region)
        if rule:
            default = rule["ApplyServerSideEncryptionByDefault"]
            inner = "".join(f"<{k}>{v}</{k}>" for k, v in default.items())
            body = (f'<ServerSideEncryptionConfiguration xmlns="{S3_XMLNS}"><Rule><ApplyServerSideEncryptionByDefault>'
                    f"{inner}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")
            backend.put_bucket_encryption(name, xmltodict.parse(body)["ServerSideEncryptionConfiguration"])
        if plan["versioning"]:
            backend.put_bucket_versioning(name, "Enabled")
        if plan["pab"]:
            backend.put_public_access_block(name, pab["PublicAccessBlockConfiguration"])
    return n


def seed_buckets_via_server(endpoint, n, keys):
    """Asks the counting server to run `seed_buckets_in_process` (see its docstring)."""
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=3600)
    conn.request("POST", "/__bench/seed-buckets", body=json.dumps({"n": n, "keys": keys}),
                 headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise SystemExit(f"seeding buckets in the emulator failed: {resp.status} {body[:500]!r}")


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


# --- the data stores of issue 15 (mixed scenario) ----------------------------------------
# Store i lives in region_of(i); `on_cmk(i)` (half of them) puts it on the region's
# rotating bucket key where the service takes a customer-managed key. Names are unique
# per type; every create is one or two calls.


def on_cmk(i):
    return (i // 3) % 2 == 0


def store_name(kind, i):
    return f"bench-{kind}-{i:05d}"


def seed_table(endpoint, i, keys):
    region = region_of(i)
    args = {}
    if on_cmk(i):
        args["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": keys[region]["rotating"]}
    client(endpoint, "dynamodb", region).create_table(
        TableName=store_name("table", i),
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **args,
    )


def seed_log_group(endpoint, i, keys):
    region = region_of(i)
    logs = client(endpoint, "logs", region)
    name = f"/bench/{i:05d}"
    args = {"kmsKeyId": keys[region]["rotating"]} if on_cmk(i) else {}
    logs.create_log_group(logGroupName=name, **args)
    if i % 2 == 0:
        logs.put_retention_policy(logGroupName=name, retentionInDays=365)


def seed_file_system(endpoint, i, keys):
    region = region_of(i)
    args = {"Encrypted": True, "KmsKeyId": keys[region]["rotating"]} if on_cmk(i) else {"Encrypted": False}
    client(endpoint, "efs", region).create_file_system(CreationToken=store_name("efs", i), Backup=i % 2 == 0, **args)


def seed_secret(endpoint, i, keys):
    region = region_of(i)
    args = {"KmsKeyId": keys[region]["rotating"]} if on_cmk(i) else {}
    client(endpoint, "secretsmanager", region).create_secret(
        Name=store_name("secret", i), SecretString="not-a-real-secret", **args
    )


def seed_queue(endpoint, i, keys):
    region = region_of(i)
    attrs = {"KmsMasterKeyId": keys[region]["rotating"]} if on_cmk(i) else {"SqsManagedSseEnabled": "false"}
    client(endpoint, "sqs", region).create_queue(QueueName=store_name("queue", i), Attributes=attrs)


def seed_topic(endpoint, i, keys):
    region = region_of(i)
    attrs = {"KmsMasterKeyId": keys[region]["rotating"]} if on_cmk(i) else {}
    client(endpoint, "sns", region).create_topic(Name=store_name("topic", i), Attributes=attrs)


def seed_stream(endpoint, i, keys):
    region = region_of(i)
    kinesis = client(endpoint, "kinesis", region)
    name = store_name("stream", i)
    kinesis.create_stream(StreamName=name, ShardCount=1)
    if on_cmk(i):
        kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=keys[region]["rotating"])


def seed_repository(endpoint, i, keys):
    region = region_of(i)
    args = {}
    if on_cmk(i):
        args["encryptionConfiguration"] = {"encryptionType": "KMS", "kmsKey": keys[region]["rotating"]}
    client(endpoint, "ecr", region).create_repository(repositoryName=store_name("repo", i), **args)


def function_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def lambda_role(endpoint):
    return client(endpoint, "iam", "us-east-1").create_role(
        RoleName="bench-lambda",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    )["Role"]["Arn"]


def seed_function(endpoint, i, keys, role, code):
    region = region_of(i)
    args = {"KMSKeyArn": keys[region]["rotating"]} if on_cmk(i) else {}
    client(endpoint, "lambda", region).create_function(
        FunctionName=store_name("fn", i), Runtime="python3.12", Role=role, Handler="handler.handler",
        Code={"ZipFile": code}, Environment={"Variables": {"STAGE": "bench"}}, **args,
    )


def seed_warehouse(endpoint, i, keys):
    region = region_of(i)
    args = {"Encrypted": True, "KmsKeyId": keys[region]["rotating"]} if on_cmk(i) else {"Encrypted": False}
    client(endpoint, "redshift", region).create_cluster(
        ClusterIdentifier=store_name("rs", i), NodeType="ra3.xlplus", MasterUsername="admin",
        MasterUserPassword="Password123", ClusterType="single-node", AutomatedSnapshotRetentionPeriod=7, **args,
    )


def seed_cache(endpoint, i, keys):
    region = region_of(i)
    args = {"AtRestEncryptionEnabled": True, "KmsKeyId": keys[region]["rotating"]} if on_cmk(i) else {}
    client(endpoint, "elasticache", region).create_replication_group(
        ReplicationGroupId=store_name("cache", i), ReplicationGroupDescription="bench",
        Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=1, **args,
    )


def seed_domain(endpoint, i, keys):
    region = region_of(i)
    args = {}
    if on_cmk(i):
        args["EncryptionAtRestOptions"] = {"Enabled": True, "KmsKeyId": keys[region]["rotating"]}
    client(endpoint, "opensearch", region).create_domain(
        DomainName=f"bench-os-{i:05d}", EngineVersion="OpenSearch_2.11", **args
    )


def seed_cluster(endpoint, i, keys):
    region = region_of(i)
    args = {"StorageEncrypted": True, "KmsKeyId": keys[region]["rotating"]} if on_cmk(i) else {"StorageEncrypted": False}
    client(endpoint, "rds", region).create_db_cluster(
        DBClusterIdentifier=store_name("aurora", i), Engine="aurora-postgresql", MasterUsername="bench",
        MasterUserPassword="password123", BackupRetentionPeriod=7, **args,
    )


def seed_image(endpoint, i, keys):
    client(endpoint, "ec2", region_of(i)).register_image(Name=store_name("ami", i), Description="bench")


# (snapshot type, seed function): the data stores of the mixed scenario.
STORES = [
    ("aws_dynamodb_table", seed_table),
    ("aws_cloudwatch_log_group", seed_log_group),
    ("aws_efs_file_system", seed_file_system),
    ("aws_secretsmanager_secret", seed_secret),
    ("aws_sqs_queue", seed_queue),
    ("aws_sns_topic", seed_topic),
    ("aws_kinesis_stream", seed_stream),
    ("aws_ecr_repository", seed_repository),
    ("aws_lambda_function", seed_function),
    ("aws_redshift_cluster", seed_warehouse),
    ("aws_elasticache_replication_group", seed_cache),
    ("aws_opensearch_domain", seed_domain),
    ("aws_rds_cluster", seed_cluster),
    ("aws_ec2_image", seed_image),
]


def stream_names(kinesis):
    """ListStreams page by page on ExclusiveStartStreamName (moto pages StreamNames by 10
    and sets no NextToken, which boto3's paginator needs)."""
    names, more = [], True
    while more:
        page = kinesis.list_streams(**({"ExclusiveStartStreamName": names[-1]} if names else {}))
        names += page["StreamNames"]
        more = page["HasMoreStreams"] and page["StreamNames"]
    return names


def count_stores(endpoint):
    """Each data store type counted back from the emulator's listings."""
    out = {t: 0 for t, _ in STORES}

    def pages(service, region, op, key, **kw):
        return sum(len(p[key]) for p in client(endpoint, service, region).get_paginator(op).paginate(**kw))

    for region in REGIONS:
        out["aws_dynamodb_table"] += pages("dynamodb", region, "list_tables", "TableNames")
        out["aws_cloudwatch_log_group"] += pages("logs", region, "describe_log_groups", "logGroups", logGroupNamePrefix="/bench/")
        out["aws_efs_file_system"] += pages("efs", region, "describe_file_systems", "FileSystems")
        out["aws_secretsmanager_secret"] += pages("secretsmanager", region, "list_secrets", "SecretList")
        out["aws_sqs_queue"] += sum(len(p.get("QueueUrls", [])) for p in client(endpoint, "sqs", region).get_paginator("list_queues").paginate())
        out["aws_sns_topic"] += pages("sns", region, "list_topics", "Topics")
        out["aws_kinesis_stream"] += len(stream_names(client(endpoint, "kinesis", region)))
        out["aws_ecr_repository"] += pages("ecr", region, "describe_repositories", "repositories")
        out["aws_lambda_function"] += pages("lambda", region, "list_functions", "Functions")
        out["aws_redshift_cluster"] += pages("redshift", region, "describe_clusters", "Clusters")
        out["aws_elasticache_replication_group"] += pages("elasticache", region, "describe_replication_groups", "ReplicationGroups")
        out["aws_opensearch_domain"] += len(client(endpoint, "opensearch", region).list_domain_names()["DomainNames"])
        out["aws_rds_cluster"] += pages("rds", region, "describe_db_clusters", "DBClusters")
        out["aws_ec2_image"] += pages("ec2", region, "describe_images", "Images", Owners=["self"])
    return out


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


def seed(endpoint, scenario, n, threads=4, stores_n=None, buckets_over_http=False):
    """Seeds the scenario; `stores_n` data stores of each type in the mixed scenario
    (default n). Returns the seconds it took and every type counted back."""
    started = time.monotonic()
    keys = bucket_keys(endpoint)
    if buckets_over_http:
        tasks = [lambda i=i: seed_bucket(endpoint, i, keys) for i in range(n)]
    else:
        seed_buckets_via_server(endpoint, n, keys)
        tasks = []
    stores_n = n if stores_n is None else stores_n
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
        role, code = lambda_role(endpoint), function_zip()
        for kind, fn in STORES:
            extra = (role, code) if kind == "aws_lambda_function" else ()
            tasks += [lambda i=i, fn=fn, extra=extra: fn(endpoint, i, keys, *extra) for i in range(stores_n)]
    phases = {"buckets": round(time.monotonic() - started, 1)}
    run_all(tasks, threads)
    phases["the rest"] = round(time.monotonic() - started - phases["buckets"], 1)
    got = count(endpoint)
    want = {"s3_buckets": n, "kms_keys": 6}
    if scenario == "mixed":
        want.update(kms_keys=n + 6 + (3 if n >= 6 else 0), security_groups=n, ebs_volumes=n, iam_users=n, rds_instances=n)
        stores = count_stores(endpoint)
        got.update(stores)
        want.update({kind: stores_n for kind, _ in STORES})
    for k, v in want.items():
        if got[k] != v:
            raise SystemExit(f"seed incomplete: {k} = {got[k]}, expected {v}")
    phases["counting back"] = round(time.monotonic() - started - sum(phases.values()), 1)
    return {"seconds": round(time.monotonic() - started, 1), "phases": phases, "counts": got,
            "stores_n": stores_n if scenario == "mixed" else 0}


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
    ap.add_argument("--stores-n", type=int, help="data stores of each type in the mixed scenario (default: n)")
    ap.add_argument("--buckets-over-http", action="store_true", help="seed the buckets over HTTP, not in the emulator")
    args = ap.parse_args()
    print(json.dumps(seed(args.endpoint, args.scenario, args.n, args.threads, args.stores_n, args.buckets_over_http)))


if __name__ == "__main__":
    sys.exit(main())
