#!/usr/bin/env python3
"""Seeds the moto emulator with "Flightdeck", the AWS estate of the bundled sample.

Usage: seed.py --endpoint URL

Flightdeck is a fictional aviation-safety SaaS vendor built after the two vendor compliance
statements in the project's seed documents: it encrypts everything with KMS, keeps data
and backups in Sydney, ships backups to a separate account and keeps a DR copy in a
utility account. Three accounts:

- 111122223333  production  (ap-southeast-2, ap-southeast-4, us-east-1, eu-west-1)
- 444455556666  backup      (ap-southeast-2, ap-southeast-4)
- 777788889999  utility/DR  (ap-southeast-2)

The scan (`assay collect --org assay-audit`) asks for the same five regions in every
account: the four above and me-central-1, which no account has opted in to (nor has the
utility account ap-southeast-4); regions an account does not use hold only AWS's defaults.

Most resources are compliant; deliberate failures are sprinkled through every rule family:
- encryption: AES256-only buckets (prod-config-logs, prod-alb-logs, dev-sandbox,
  backup-cloudtrail); prod-static-assets on the AWS-managed aws/s3 key; the staging CMK
  without rotation; unencrypted volumes (the `<script>` scratch volume, app-07's data
  disk, growth-wordpress root) and their snapshots; worker-03's data disk on aws/ebs; the
  unencrypted legacy MySQL and its snapshots; growth-analytics on aws/rds; the `Default`
  vault on aws/backup; app-07's recovery point unencrypted; two trails without KMS; EBS
  encryption by default off in production us-east-1.
- residency: a bucket, an instance, an RDS instance, a vault and keys in us-east-1; S3
  replication to us-east-1; a multi-Region key replicated to us-west-2; the `analytics`
  plan copying to us-east-1; the growth key's policy letting a contractor's account decrypt.
- backup: `staging` plan (14 days, no copies); `analytics` and `melbourne-dr` plans (35
  days, copies outside the DR account); `melbourne-dr` snapshots twice a day kept 3 days;
  flightdeck-reporting's newest recovery point is 3+ days old; app-04's newest point is
  PARTIAL; staging RDS retention 1 day; prod-site-backups expires after 14 days (and
  Aeronet's site backups under sites/prod/ miss a Saturday weekly: times replayed); app-03
  keeps one monthly image (AMI) instead of two; growth-wordpress's one image is public;
  the web servers' six-hourly snapshots (times replayed) miss one run on web-02 (their
  twice-daily copies in the utility account are all there); the production databases'
  backups per class: flightdeck-prod-pg keeps one monthly where its 100 days need three
  and its DR copies in the utility account reach back 20 days of the 28 promised, the
  weeklies and monthlies of both are RDS recovery points AWS Backup keeps warm (RDS has
  no cold tier), and flightdeck-reporting's restore window covers two days of the seven.
- network: SSH open to 0.0.0.0/0, RDP open to ::/0, all traffic open to 0.0.0.0/0, ports
  8000-9000 public; the staging VPC's default group keeps AWS's default rules; IMDSv1 on
  worker-05, worker-06 and growth-wordpress; an unlabelled VPC in us-east-1.
- IAM and logging: ian.murphy (support) and jack.taylor (developer) without MFA; the
  support-legacy role without an MFA condition; no password policy in the backup account;
  a weak one, no root MFA and root access keys in the utility account; non-compliant
  backup-account and utility trails; Config stopped in production us-east-1 and absent in
  the backup account's ap-southeast-4; console sign-ins without MFA.
- RDS DB clusters and EFS (seeded last of all, see `seed_late_stores`): the growth-graph
  Neptune cluster in us-east-1 unencrypted with one day of backups, and its manual snapshot
  public; the growth-uploads EFS file system in us-east-1 unencrypted without automatic
  backups; flightdeck-shared (encrypted, backed up) replicating to eu-west-1 (replayed:
  moto keeps no replication); the growth/partner-api-key secret on the AWS-managed key and
  replicated to us-east-1; the flightdeck-partner-sync queue on SSE-SQS read by a partner
  account, the flightdeck-eu-events queue in eu-west-1, the public growth-campaigns topic in
  us-east-1 without a key, the unencrypted flightdeck-audit stream, the public
  growth/landing image repository on ECR's keys, the booking-notifier function's variables
  on AWS's key.
  replicated to us-east-1; the growth-analytics Redshift cluster in us-east-1 unencrypted,
  public, with one day of snapshots (flightdeck-reporting, on the production RDS key, copies
  its snapshots to Melbourne); the flightdeck-web-cache ElastiCache replication group
  without encryption at rest or in transit and without snapshots; the growth-logs
  OpenSearch domain unencrypted, on a public endpoint open to anyone.
- data stores beyond S3, EBS and RDS (seeded last, see `seed_data_stores`): the
  flightdeck-bookings DynamoDB table is a global table with a replica in us-east-1 (replayed:
  moto keeps no replicas); flightdeck-sessions on the key AWS owns without point-in-time
  recovery; the /flightdeck/worker log group without a key and never expiring; a Lambda log
  group in us-east-1; AWS Config's inventory (replayed: moto does not evaluate queries)
  locates a Redshift cluster in eu-west-1, a type assay has no collector for, and the
  flightdeck-eu-events queue there (the catch-all rule).
  locates an MSK (Kafka) cluster and an SQS queue in eu-west-1, types assay has no collector
  for (the catch-all rule).
- gaps: AccessDenied listing the recovery points of the backup account's Melbourne vault,
  and AccessDenied reading flightdeck-prod-audit-evidence's encryption; AWS Config not
  recording wherever no recorder records (the inventory could not look there).
Two resource names carry HTML/script payloads for report-escaping tests: the Name tags of
the scratch volume and of its snapshot (also the metrics-public group's Name tag, though
the collector names groups by their group name).

What moto cannot hold (recovery points with their storage tier and vault counts, the
databases' creation times and restore windows, backup selections, console
sign-ins, the utility account's copy of a production database snapshot, the credential
report's root row, the EBS default key, AWS-managed keys, snapshot start times, the KMS
keys of EBS snapshots and of S3 replicas, the organisation's account list, opt-in regions,
the two AccessDenied) is printed in the `replay` section of the JSON this script writes on
stdout; tests/it/emulator/estate.rs serves it through the loopback proxy in AWS's wire
format. Times there are hours before the scan.

Deterministic: moto's random generator is seeded and its state reset first, and every
write is sequential in a fixed order, so moto generates the same ids on every run. Run by
tests/it/sample_scan.rs (see samples/regenerate.sh), on an emulator of its own.
"""

import argparse
import io
import json
import sys
import urllib.request
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "emulator"))
from seed import Seed, bucket  # noqa: E402  (the test seed's account access)

MOTO_SEED = 20261122
PROD, BACKUP, UTILITY = "111122223333", "444455556666", "777788889999"
SYD, MEL, USE1, EUW1, MEC1 = "ap-southeast-2", "ap-southeast-4", "us-east-1", "eu-west-1", "me-central-1"
REGIONS = [SYD, MEL, USE1, EUW1, MEC1]
# Regions each account has opted in to (ap-southeast-4 and me-central-1 are opt-in).
OPTED_IN = {PROD: [MEL], BACKUP: [MEL], UTILITY: []}
ALIASES = {PROD: "flightdeck-prod", BACKUP: "flightdeck-backup", UTILITY: None}
GIB = 1073741824


def moto_api(endpoint, path):
    request = urllib.request.Request(endpoint + path, data=b"", method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, f"{path}: HTTP {response.status}"


class Estate:
    """What was seeded, by handle: the replay and later sections need the ids."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.seeds = {a: Seed(endpoint, a) for a in (PROD, BACKUP, UTILITY)}
        self.keys = {}  # handle -> (account, region, arn)
        self.aws_keys = {}  # key id -> service (alias/aws/<service>), account, region
        self.vpcs = {}  # handle -> (account, region, vpc id, [subnet ids])
        self.sgs = {}  # handle -> (account, region, group id)
        self.instances = {}  # handle -> dict
        self.volumes = {}  # handle -> volume id
        self.volume_keys = {}  # volume id -> KMS key ARN (encrypted volumes)
        self.replica_keys = {}  # replication destination bucket ARN -> replica KMS key ARN
        self.rds = {}  # id -> dict
        self.plans = {}  # name -> dict
        self.vaults = {}  # (account, name) -> arn
        self.ebs_default = {}  # "account/region" -> key arn
        self.points = []
        self.selections = []
        self.snapshot_times = {}  # snapshot id -> hours before the scan (replayed StartTime)

    def client(self, account, service, region=SYD):
        return self.seeds[account].client(service, region)

    def key(self, handle):
        return self.keys[handle][2]


# --- KMS -----------------------------------------------------------------------------------

CMKS = [
    # handle, account, region, alias, description, rotation
    ("prod-data", PROD, SYD, "flightdeck/data", "Flightdeck production customer data (S3)", True),
    ("prod-ebs", PROD, SYD, "flightdeck/ebs", "Flightdeck production EBS volumes and snapshots", True),
    ("prod-rds", PROD, SYD, "flightdeck/rds", "Flightdeck production databases", True),
    ("prod-backup", PROD, SYD, "flightdeck/backup", "AWS Backup vault key, production", True),
    ("prod-cloudtrail", PROD, SYD, "flightdeck/cloudtrail", "CloudTrail log encryption", True),
    ("prod-staging", PROD, SYD, "flightdeck/staging", "Staging environment data", False),
    ("prod-legacy", PROD, SYD, "flightdeck/legacy-app", "Legacy application key (retired)", False),
    ("prod-data-mel", PROD, MEL, "flightdeck/data-mel", "Flightdeck production data, Melbourne", True),
    ("prod-ebs-mel", PROD, MEL, "flightdeck/ebs-mel", "Flightdeck EBS, Melbourne", True),
    ("prod-rds-mel", PROD, MEL, "flightdeck/rds-mel", "Flightdeck databases, Melbourne", True),
    ("prod-growth", PROD, USE1, "growth/data", "Growth marketing data", True),
    ("backup-vault-syd", BACKUP, SYD, "backup/vault", "Backup account vault key, Sydney", True),
    ("backup-s3-syd", BACKUP, SYD, "backup/s3", "Backup account S3 buckets, Sydney", True),
    ("backup-ebs-syd", BACKUP, SYD, "backup/ebs", "Backup account default EBS key, Sydney", True),
    ("backup-vault-mel", BACKUP, MEL, "backup/vault-mel", "Backup account vault key, Melbourne", True),
    ("backup-ebs-mel", BACKUP, MEL, "backup/ebs-mel", "Backup account default EBS key, Melbourne", True),
    ("util-dr", UTILITY, SYD, "utility/dr", "DR copies of production databases", True),
    ("util-logs", UTILITY, SYD, "utility/logs", "Utility account CloudTrail logs", True),
    ("util-ebs", UTILITY, SYD, "utility/ebs", "Utility account default EBS key", True),
]
# Multi-Region primaries: handle, alias, description, replica region (and its handle).
MULTI_REGION = [
    ("prod-tenant", "flightdeck/tenant-data",
     "Tenant uploads, multi-Region (Sydney primary, Melbourne replica)", MEL, "prod-tenant-mel"),
    ("prod-reports", "flightdeck/reports-global",
     "Customer reports, multi-Region (replica in us-west-2 for the US mirror)", "us-west-2", None),
]
# AWS-managed keys AWS creates on first use of a service: handle, account, region, service.
AWS_MANAGED = [
    ("aws/s3@prod/syd", PROD, SYD, "s3"),
    ("aws/ebs@prod/syd", PROD, SYD, "ebs"),
    ("aws/backup@prod/syd", PROD, SYD, "backup"),
    ("aws/ebs@prod/use1", PROD, USE1, "ebs"),
    ("aws/rds@prod/use1", PROD, USE1, "rds"),
    ("aws/ebs@prod/euw1", PROD, EUW1, "ebs"),
]


def seed_keys(e):
    for handle, account, region, alias, description, rotation in CMKS:
        kms = e.client(account, "kms", region)
        key = kms.create_key(Description=description)["KeyMetadata"]
        if rotation:
            kms.enable_key_rotation(KeyId=key["KeyId"])
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key["KeyId"])
        e.keys[handle] = (account, region, key["Arn"])
    e.client(PROD, "kms").schedule_key_deletion(KeyId=e.key("prod-legacy").split("/")[-1], PendingWindowInDays=30)
    for handle, alias, description, replica_region, replica_handle in MULTI_REGION:
        kms = e.client(PROD, "kms")
        key = kms.create_key(Description=description, MultiRegion=True)["KeyMetadata"]
        kms.enable_key_rotation(KeyId=key["KeyId"])
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key["KeyId"])
        e.keys[handle] = (PROD, SYD, key["Arn"])
        replica = kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion=replica_region)["ReplicaKeyMetadata"]
        if replica_handle:
            # moto's replica keeps the primary's aliases (as AWS replicates them).
            e.keys[replica_handle] = (PROD, replica_region, replica["Arn"])
    for handle, account, region, service in AWS_MANAGED:
        # moto creates the key behind a reserved alias when it is first asked for, except
        # alias/aws/backup: a plain key then, its alias and AWS ownership replayed.
        kms = e.client(account, "kms", region)
        if service == "backup":
            meta = kms.create_key(Description="Default key")["KeyMetadata"]
        else:
            meta = kms.describe_key(KeyId=f"alias/aws/{service}")["KeyMetadata"]
        e.keys[handle] = (account, region, meta["Arn"])
        e.aws_keys[meta["KeyId"]] = {"service": service, "account": account, "region": region}


# --- EC2: networks -------------------------------------------------------------------------


def perm(protocol, from_port=None, to_port=None, v4=(), v6=(), sgs=(), prefix_lists=(), description=None):
    """A security-group permission; `sgs` are handles, resolved when authorised."""
    return {"protocol": protocol, "ports": (from_port, to_port), "v4": v4, "v6": v6, "sgs": sgs,
            "prefix_lists": prefix_lists, "description": description}


def ip_permission(e, p):
    d = {"Description": p["description"]} if p["description"] else {}
    out = {"IpProtocol": p["protocol"]}
    if p["protocol"] != "-1":
        out.update(FromPort=p["ports"][0], ToPort=p["ports"][1])
    out["IpRanges"] = [{"CidrIp": c, **d} for c in p["v4"]]
    out["Ipv6Ranges"] = [{"CidrIpv6": c, **d} for c in p["v6"]]
    out["UserIdGroupPairs"] = [{"GroupId": e.sgs[g][2], **d} for g in p["sgs"]]
    out["PrefixListIds"] = [{"PrefixListId": pl, **d} for pl in p["prefix_lists"]]
    return out


EGRESS_ALL = [perm("-1", v4=["0.0.0.0/0"])]
EGRESS_ALL_DUAL = [perm("-1", v4=["0.0.0.0/0"], v6=["::/0"])]
WEB_PUBLIC = [perm("tcp", 443, 443, v4=["0.0.0.0/0"], v6=["::/0"], description="HTTPS from anywhere"),
              perm("tcp", 80, 80, v4=["0.0.0.0/0"], v6=["::/0"], description="HTTP redirect to HTTPS")]

VPCS = [
    # handle, account, region, cidr, Name, environment
    ("prod-syd", PROD, SYD, "10.10.0.0/16", "flightdeck-production-syd", "production"),
    ("stg-syd", PROD, SYD, "10.20.0.0/16", "flightdeck-staging-syd", "staging"),
    ("dev-syd", PROD, SYD, "10.30.0.0/16", "flightdeck-development-syd", "development"),
    ("prod-mel", PROD, MEL, "10.40.0.0/16", "flightdeck-production-mel", "production"),
    ("growth-use1", PROD, USE1, "10.50.0.0/16", "growth-marketing-use1", "production"),
    # An agency-built VPC nobody labelled with its environment.
    ("wp-legacy-use1", PROD, USE1, "10.51.0.0/16", "wordpress-legacy", None),
    ("dr-syd", UTILITY, SYD, "10.60.0.0/16", "utility-dr-syd", "dr"),
]

PROD_TAGS = {"environment": "production", "owner": "platform-team"}
STG_TAGS = {"environment": "staging", "owner": "platform-team"}
DEV_TAGS = {"environment": "development", "owner": "platform-team"}
GROWTH_TAGS = {"environment": "production", "owner": "growth-team"}
DR_TAGS = {"environment": "dr", "owner": "platform-team"}

SECURITY_GROUPS = [
    # handle, vpc, group name, description, ingress, egress, tags, Name tag (default: group name)
    ("web-alb", "prod-syd", "flightdeck-web-alb", "Public load balancer", WEB_PUBLIC, EGRESS_ALL_DUAL, PROD_TAGS),
    ("web-servers", "prod-syd", "flightdeck-web-servers", "Web tier (nginx)",
     [perm("tcp", 443, 443, sgs=["web-alb"], description="From the load balancer"),
      perm("tcp", 22, 22, v4=["10.10.0.0/16"], description="SSH from inside the VPC")], EGRESS_ALL, PROD_TAGS),
    ("app-servers", "prod-syd", "flightdeck-app-servers", "Application tier (IIS)",
     [perm("tcp", 443, 443, sgs=["web-servers"], description="From the web tier"),
      perm("tcp", 8443, 8443, sgs=["web-alb"], description="API from the load balancer")], EGRESS_ALL, PROD_TAGS),
    ("workers", "prod-syd", "flightdeck-workers", "Background workers (no inbound)", [],
     [perm("tcp", 443, 443, prefix_lists=["pl-6ca54005"], description="S3 gateway endpoint"),
      perm("-1", v4=["10.10.0.0/16"], description="Inside the VPC")], PROD_TAGS),
    ("db-sqlserver", "prod-syd", "flightdeck-db-sqlserver", "SQL Server",
     [perm("tcp", 1433, 1433, sgs=["app-servers", "workers"], description="App and workers")], [], PROD_TAGS),
    ("db-postgres", "prod-syd", "flightdeck-db-postgres", "PostgreSQL",
     [perm("tcp", 5432, 5432, sgs=["app-servers", "workers"], description="App and workers")], [], PROD_TAGS),
    ("db-legacy-mysql", "prod-syd", "flightdeck-db-legacy-mysql", "Legacy MySQL",
     [perm("tcp", 3306, 3306, sgs=["app-servers"], description="App tier")], [], PROD_TAGS),
    ("redis", "prod-syd", "flightdeck-redis", "Session cache",
     [perm("tcp", 6379, 6379, sgs=["app-servers"], description="App tier")], [], PROD_TAGS),
    ("vpc-endpoints", "prod-syd", "flightdeck-vpc-endpoints", "Interface endpoints",
     [perm("tcp", 443, 443, v4=["10.10.0.0/16"], description="HTTPS from the VPC")], EGRESS_ALL, PROD_TAGS),
    ("monitoring", "prod-syd", "flightdeck-monitoring-agents", "Metrics exporters",
     [perm("tcp", 9100, 9182, v4=["10.10.0.0/16"], description="Prometheus exporters")], EGRESS_ALL, PROD_TAGS),
    ("legacy-ssh", "prod-syd", "legacy-ssh-access", "Temporary SSH for the migration (2023)",
     [perm("tcp", 22, 22, v4=["0.0.0.0/0"], description="SSH")], EGRESS_ALL, PROD_TAGS),
    ("support-rdp", "prod-syd", "support-rdp-v6", "Vendor RDP support",
     [perm("tcp", 3389, 3389, v6=["::/0"], description="RDP for vendor support")], EGRESS_ALL, PROD_TAGS),
    ("metrics-public", "prod-syd", "metrics-public", "Metrics dashboard (public)",
     [perm("tcp", 8000, 9000, v4=["0.0.0.0/0"], description="Dashboards")], EGRESS_ALL, PROD_TAGS,
     '"><img src=x onerror=alert(1)>'),
    ("stg-web-alb", "stg-syd", "staging-web-alb", "Staging load balancer", WEB_PUBLIC, EGRESS_ALL_DUAL, STG_TAGS),
    ("stg-app", "stg-syd", "staging-app", "Staging app tier",
     [perm("tcp", 8443, 8443, sgs=["stg-web-alb"], description="From the load balancer")], EGRESS_ALL, STG_TAGS),
    ("stg-db", "stg-syd", "staging-db", "Staging PostgreSQL",
     [perm("tcp", 5432, 5432, sgs=["stg-app"], description="Staging app")], [], STG_TAGS),
    ("dev-app", "dev-syd", "dev-app", "Development app servers",
     [perm("tcp", 22, 22, v4=["10.30.0.0/16"], description="SSH inside the VPC"),
      perm("tcp", 8080, 8080, v4=["10.30.0.0/16"], description="App")], EGRESS_ALL, DEV_TAGS),
    ("dev-db", "dev-syd", "dev-db", "Development database",
     [perm("tcp", 5432, 5432, sgs=["dev-app"], description="Dev app")], [], DEV_TAGS),
    ("dev-allow-all", "dev-syd", "temp-allow-all", "TEMP debugging - remove",
     [perm("-1", v4=["0.0.0.0/0"], description="debug")], EGRESS_ALL, DEV_TAGS),
    ("mel-web-alb", "prod-mel", "flightdeck-mel-web-alb", "Public load balancer (Melbourne)", WEB_PUBLIC[:1],
     EGRESS_ALL_DUAL, PROD_TAGS),
    ("mel-app", "prod-mel", "flightdeck-mel-app", "Application tier (Melbourne)",
     [perm("tcp", 443, 443, sgs=["mel-web-alb"], description="From the load balancer")], EGRESS_ALL, PROD_TAGS),
    ("mel-db", "prod-mel", "flightdeck-mel-db", "PostgreSQL (Melbourne)",
     [perm("tcp", 5432, 5432, sgs=["mel-app"], description="App tier")], [], PROD_TAGS),
    ("growth-web", "growth-use1", "growth-web", "Marketing site", WEB_PUBLIC, EGRESS_ALL, GROWTH_TAGS),
    ("growth-db", "growth-use1", "growth-db", "Marketing analytics MySQL",
     [perm("tcp", 3306, 3306, sgs=["growth-web"], description="Marketing site")], [], GROWTH_TAGS),
    ("dr-app", "dr-syd", "dr-restore-app", "Pilot-light restore hosts",
     [perm("tcp", 443, 443, v4=["10.60.0.0/16"], description="Inside the VPC")], EGRESS_ALL, DR_TAGS),
    ("dr-db", "dr-syd", "dr-db", "Restored databases",
     [perm("tcp", 5432, 5432, sgs=["dr-app"], description="Restore hosts")], [], DR_TAGS),
]


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def close_default_group(ec2, vpc_id):
    """Removes the rules AWS gives a VPC's `default` group (all from itself, all out)."""
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    return group["GroupId"]


def seed_network(e):
    # Every default VPC's default group is closed, in every region the scan reads.
    for account in (PROD, BACKUP, UTILITY):
        for region in (SYD, MEL, USE1, EUW1):
            if region == MEL and MEL not in OPTED_IN[account]:
                continue
            ec2 = e.client(account, "ec2", region)
            for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
                close_default_group(ec2, vpc["VpcId"])
    for handle, account, region, cidr, name, environment in VPCS:
        ec2 = e.client(account, "ec2", region)
        tags = {"Name": name, "owner": "platform-team", **({"environment": environment} if environment else {})}
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": tag_list(tags)}])
        vpc_id = vpc["Vpc"]["VpcId"]
        base = cidr.split(".")
        subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{base[0]}.{base[1]}.{16 * i}.0/20",
                                     AvailabilityZone=f"{region}{'abc'[i]}")["Subnet"]["SubnetId"]
                   for i in range(3)]
        e.vpcs[handle] = (account, region, vpc_id, subnets)
        # The staging VPC's default group keeps the rules AWS creates it with.
        if handle != "stg-syd":
            close_default_group(ec2, vpc_id)
    for handle, vpc_handle, group_name, description, ingress, egress, tags, *name_tag in SECURITY_GROUPS:
        account, region, vpc_id, _ = e.vpcs[vpc_handle]
        ec2 = e.client(account, "ec2", region)
        all_tags = {**tags, "Name": name_tag[0] if name_tag else group_name}
        gid = ec2.create_security_group(
            GroupName=group_name, Description=description, VpcId=vpc_id,
            TagSpecifications=[{"ResourceType": "security-group", "Tags": tag_list(all_tags)}])["GroupId"]
        e.sgs[handle] = (account, region, gid)
    for handle, _vpc, _name, _desc, ingress, egress, *_ in SECURITY_GROUPS:
        account, region, gid = e.sgs[handle]
        ec2 = e.client(account, "ec2", region)
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[ip_permission(e, p) for p in ingress])
        # New groups allow all egress; replace that with the group's own egress rules.
        ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[{"IpProtocol": "-1",
                                                                      "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        if egress:
            ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[ip_permission(e, p) for p in egress])


# --- EC2: instances, volumes, snapshots -----------------------------------------------------

AMIS = {"linux": "ami-0c1f2e3d4a5b60718", "windows": "ami-0d2e3f4a5b6c70819"}


def instance(e, handle, vpc_handle, index, *, name, itype, os, sgs, tags, root_gib, data_gib, key_name, vkey,
             data_vkey="same", imds_v2=True, public=False):
    account, region, _vpc_id, subnets = e.vpcs[vpc_handle]
    ec2 = e.client(account, "ec2", region)
    root_device = "/dev/sda1" if os == "windows" else "/dev/xvda"
    ebs = {"VolumeSize": root_gib, "VolumeType": "gp3", "DeleteOnTermination": True, "Encrypted": vkey is not None}
    if vkey:
        ebs["KmsKeyId"] = e.key(vkey)
    volume_tags = {"Name": f"{name}-root", **{k: v for k, v in tags.items()}}
    args = dict(ImageId=AMIS[os], InstanceType=itype, MinCount=1, MaxCount=1, SubnetId=subnets[index % 3],
                SecurityGroupIds=[e.sgs[g][2] for g in sgs],
                BlockDeviceMappings=[{"DeviceName": root_device, "Ebs": ebs}],
                MetadataOptions={"HttpTokens": "required" if imds_v2 else "optional", "HttpEndpoint": "enabled"},
                TagSpecifications=[{"ResourceType": "instance", "Tags": tag_list({"Name": name, **tags})},
                                   {"ResourceType": "volume", "Tags": tag_list(volume_tags)}])
    if key_name:
        args["KeyName"] = key_name
    inst = ec2.run_instances(**args)["Instances"][0]
    iid = inst["InstanceId"]
    volumes = [m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", [])]
    if vkey:
        e.volume_keys.update({v: e.key(vkey) for v in volumes})
    if data_gib:
        dkey = vkey if data_vkey == "same" else data_vkey
        vargs = dict(AvailabilityZone=inst["Placement"]["AvailabilityZone"], Size=data_gib, VolumeType="gp3",
                     Encrypted=dkey is not None,
                     TagSpecifications=[{"ResourceType": "volume", "Tags": tag_list({**tags, "Name": f"{name}-data"})}])
        if dkey:
            vargs["KmsKeyId"] = e.key(dkey)
        vid = ec2.create_volume(**vargs)["VolumeId"]
        if dkey:
            e.volume_keys[vid] = e.key(dkey)
        ec2.attach_volume(VolumeId=vid, InstanceId=iid, Device="xvdf")
        volumes.append(vid)
    if public:
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.associate_address(AllocationId=allocation, InstanceId=iid)
    e.instances[handle] = {"id": iid, "account": account, "region": region, "volumes": volumes,
                           "arn": f"arn:aws:ec2:{region}:{account}:instance/{iid}"}


# The backup tool's six-hourly policy: the tag on the instances (and so their volumes) it
# snapshots, and on every snapshot it takes (Air Maestro's profile names it as the scope of
# backup.ebs-snapshots-per-volume and as the class marker of the snapshots counted).
SNAPSHOT_POLICY = {"snapshot-policy": "syd-6h"}


def seed_compute(e):
    prod = {"environment": "production", "owner": "platform-team", "data-classification": "confidential"}
    idx = 0
    for n in range(1, 5):
        instance(e, f"web-{n:02d}", "prod-syd", idx, name=f"flightdeck-web-{n:02d}", itype="m6i.large", os="linux",
                 sgs=["web-servers", "monitoring"], tags={**prod, "role": "web", "backup": "ec2-6h", **SNAPSHOT_POLICY},
                 root_gib=50,
                 data_gib=None, key_name="flightdeck-prod-2024", vkey="prod-ebs")
        idx += 1
    for n in range(1, 11):
        # app-07's data disk predates default encryption and was never re-created.
        instance(e, f"app-{n:02d}", "prod-syd", idx, name=f"flightdeck-app-{n:02d}", itype="m6i.2xlarge",
                 os="windows", sgs=["app-servers", "monitoring"] + (["support-rdp"] if n == 10 else []),
                 tags={**prod, "role": "app", "backup": "ec2-6h"}, root_gib=150, data_gib=500,
                 key_name="flightdeck-prod-2024", vkey="prod-ebs", data_vkey=None if n == 7 else "same")
        idx += 1
    for n in range(1, 7):
        # worker-03's data disk was created with the AWS-managed aws/ebs key.
        instance(e, f"worker-{n:02d}", "prod-syd", idx, name=f"flightdeck-worker-{n:02d}", itype="c6i.xlarge",
                 os="windows", sgs=["workers", "monitoring"] + (["legacy-ssh"] if n == 6 else []),
                 tags={**prod, "role": "worker", "backup": "ec2-6h"}, root_gib=100, data_gib=250,
                 key_name="flightdeck-prod-2024", vkey="prod-ebs",
                 data_vkey="aws/ebs@prod/syd" if n == 3 else "same", imds_v2=n < 5, public=n == 6)
        idx += 1
    for n in range(1, 3):
        instance(e, f"mel-app-{n:02d}", "prod-mel", n - 1, name=f"flightdeck-mel-app-{n:02d}", itype="m6i.large",
                 os="windows", sgs=["mel-app"],
                 tags={"environment": "production", "owner": "platform-team", "role": "app-dr"},
                 root_gib=150, data_gib=200 if n == 1 else None, key_name="flightdeck-mel-2024", vkey="prod-ebs-mel")
    instance(e, "growth-wp", "growth-use1", 0, name="growth-wordpress", itype="t3.medium", os="linux",
             sgs=["growth-web"], tags={"environment": "production", "owner": "growth-team"}, root_gib=30,
             data_gib=None, key_name=None, vkey=None, imds_v2=False, public=True)

    # Unattached volumes.
    ec2 = e.client(PROD, "ec2")
    for handle, zone, size, key, tags in [
        ("scratch", "a", 200, None, {"Name": "<script>alert(1)</script>", "environment": "development",
                                     "owner": "unknown"}),
        ("old-migration", "b", 500, "prod-ebs", {"Name": "old-migration-2024", "environment": "production",
                                                 "owner": "platform-team"}),
        ("build-cache", "c", 100, "prod-staging", {"Name": "staging-build-cache", "environment": "staging",
                                                   "owner": "platform-team"}),
    ]:
        args = dict(AvailabilityZone=f"{SYD}{zone}", Size=size, VolumeType="gp3" if key else "gp2",
                    Encrypted=key is not None, TagSpecifications=[{"ResourceType": "volume", "Tags": tag_list(tags)}])
        if key:
            args["KmsKeyId"] = e.key(key)
        e.volumes[handle] = ec2.create_volume(**args)["VolumeId"]
        if key:
            e.volume_keys[e.volumes[handle]] = e.key(key)

    # Network interfaces of load balancers, databases, caches and endpoints.
    for vpc_handle, sgs, description, count in [
        ("prod-syd", ["web-alb"], "ELB app/flightdeck-prod-web/50dc6c495c0c9188", 3),
        ("prod-syd", ["vpc-endpoints"], "VPC Endpoint Interface vpce-0a1b2c3d4e5f60718", 3),
        ("prod-syd", ["db-sqlserver"], "RDSNetworkInterface", 2),
        ("prod-syd", ["db-postgres"], "RDSNetworkInterface", 3),
        ("prod-syd", ["db-legacy-mysql"], "RDSNetworkInterface", 1),
        ("prod-syd", ["redis"], "ElastiCache flightdeck-sessions-001", 2),
        ("stg-syd", ["stg-web-alb"], "ELB app/flightdeck-staging-web/7f1e2d3c4b5a6978", 2),
        ("stg-syd", ["stg-db"], "RDSNetworkInterface", 1),
        ("prod-mel", ["mel-web-alb"], "ELB app/flightdeck-mel-web/0c9d8e7f6a5b4c3d", 2),
        ("prod-mel", ["mel-db"], "RDSNetworkInterface", 1),
        ("growth-use1", ["growth-db"], "RDSNetworkInterface", 1),
    ]:
        account, region, _vpc, subnets = e.vpcs[vpc_handle]
        ec2 = e.client(account, "ec2", region)
        for i in range(count):
            ec2.create_network_interface(SubnetId=subnets[i % 3], Description=description,
                                         Groups=[e.sgs[g][2] for g in sgs])

    # EBS encryption by default, and the default key (replayed: moto cannot return it).
    for account, region, enabled, key in [
        (PROD, SYD, True, "prod-ebs"), (PROD, MEL, True, "prod-ebs-mel"), (PROD, USE1, False, "aws/ebs@prod/use1"),
        (PROD, EUW1, True, "aws/ebs@prod/euw1"), (BACKUP, SYD, True, "backup-ebs-syd"),
        (BACKUP, MEL, True, "backup-ebs-mel"), (UTILITY, SYD, True, "util-ebs"),
    ]:
        ec2 = e.client(account, "ec2", region)
        if enabled:
            ec2.enable_ebs_encryption_by_default()
        ec2.modify_ebs_default_kms_key_id(KmsKeyId=e.key(key))
        e.ebs_default[f"{account}/{region}"] = e.key(key)


def seed_snapshots(e):
    """AWS Backup's EC2 snapshots of every attached production volume in Sydney, the
    monthly patch images of the app servers, a few manual snapshots, Melbourne's DLM
    dailies."""
    def snap(account, region, volume_id, description, tags, shared=()):
        ec2 = e.client(account, "ec2", region)
        sid = ec2.create_snapshot(VolumeId=volume_id, Description=description,
                                  TagSpecifications=[{"ResourceType": "snapshot", "Tags": tag_list(tags)}])["SnapshotId"]
        for who in shared:
            if who == "all":
                ec2.modify_snapshot_attribute(SnapshotId=sid, Attribute="createVolumePermission",
                                              OperationType="add", GroupNames=["all"])
            else:
                ec2.modify_snapshot_attribute(SnapshotId=sid, Attribute="createVolumePermission",
                                              OperationType="add", UserIds=[who])
        return sid

    for inst in e.instances.values():
        if inst["region"] != SYD:
            continue
        for volume_id in inst["volumes"]:
            snap(PROD, SYD, volume_id, "This snapshot is created by the AWS Backup service.",
                 {"aws:backup:source-resource": inst["id"], "environment": "production"})
    for n in range(1, 11):
        inst = e.instances[f"app-{n:02d}"]
        for month in ("10", "11"):
            snap(PROD, SYD, inst["volumes"][0], f"Created by CreateImage({inst['id']}) for monthly patching",
                 {"Name": f"flightdeck-app-{n:02d}-patched-2026-{month}", "environment": "production",
                  "purpose": "monthly-ami"})
    snap(PROD, SYD, e.volumes["scratch"], "before cleanup",
         {"Name": '"><img src=x onerror=alert(1)>', "environment": "development"})
    snap(PROD, SYD, e.volumes["old-migration"], "migration seed for the backup account",
         {"Name": "migration-seed-2024", "environment": "production"}, shared=[BACKUP])
    growth = e.instances["growth-wp"]
    snap(PROD, USE1, growth["volumes"][0], "wordpress export for agency",
         {"Name": "wordpress-export-public", "environment": "production", "owner": "growth-team"}, shared=["all"])
    for n in (1, 2):
        inst = e.instances[f"mel-app-{n:02d}"]
        snap(PROD, MEL, inst["volumes"][0], "Created for policy: policy-0f3c1a2b4d5e6f708 schedule: mel-daily",
             {"dlm:managed": "true", "environment": "production"})


def seed_snapshot_series(e):
    """The six-hourly snapshots of the web servers' volumes (the volumes tagged with
    SNAPSHOT_POLICY): every six hours, 28 each (seven days of runs), the newest 1.5 h
    and the oldest 163.5 h before the scan. web-02 missed the run 7.5 h ago (the
    deliberate gap: three in the last 24 h, twelve hours apart). moto stamps StartTime
    with the time of the call, so the times are replayed (`snapshot_times`). Seeded last
    so the ids generated before stay as they were. Only the four web servers carry the
    series: 28 snapshots for each of the fleet's 36 volumes would triple the sample's
    snapshots for no more evidence than four volumes give."""
    copies = []
    for n in range(1, 5):
        inst = e.instances[f"web-{n:02d}"]
        ec2 = e.client(inst["account"], "ec2", inst["region"])
        for volume_id in inst["volumes"]:
            for run in range(28):
                if n == 2 and run == 1:
                    continue
                sid = ec2.create_snapshot(
                    VolumeId=volume_id, Description=f"six-hourly snapshot of {inst['id']} (policy syd-6h)",
                    TagSpecifications=[{"ResourceType": "snapshot", "Tags": tag_list(
                        {**SNAPSHOT_POLICY, "environment": "production"})}])["SnapshotId"]
                e.snapshot_times[sid] = 1.5 + 6 * run
                if run % 2 == 0 and run < 8:
                    copies.append((sid, 1.0 + 6 * run))
    # The copies in the utility account, twice a day (every other run, half an hour after
    # it), the last two days: the copy's description names its source snapshot. moto
    # cannot copy a snapshot across accounts, so they are snapshots of a volume made in
    # the utility account for the purpose and deleted after (a copy's volume id is
    # arbitrary on AWS too); their times are replayed like the sources'.
    ec2 = e.client(UTILITY, "ec2", SYD)
    vid = ec2.create_volume(AvailabilityZone=f"{SYD}a", Size=50, VolumeType="gp3", Encrypted=True,
                            KmsKeyId=e.key("util-dr"))["VolumeId"]
    e.volume_keys[vid] = e.key("util-dr")
    for source, hours in copies:
        sid = ec2.create_snapshot(
            VolumeId=vid, Description=f"[Copied {source} from {SYD}]",
            TagSpecifications=[{"ResourceType": "snapshot", "Tags": tag_list(
                {**SNAPSHOT_POLICY, "environment": "dr"})}])["SnapshotId"]
        e.snapshot_times[sid] = hours
    ec2.delete_volume(VolumeId=vid)


# --- RDS -----------------------------------------------------------------------------------

DATABASES = [
    # id, account, region, engine, class, key, retention, public, multi-AZ, protection, sg, GiB, tags
    ("flightdeck-prod-sql", PROD, SYD, "sqlserver-se", "db.r6i.2xlarge", "prod-rds", 35, False, True, True,
     "db-sqlserver", 1000, ("production", "platform-team", "confidential")),
    ("flightdeck-prod-pg", PROD, SYD, "postgres", "db.r6g.xlarge", "prod-rds", 35, False, True, True,
     "db-postgres", 500, ("production", "platform-team", "confidential")),
    ("flightdeck-reporting", PROD, SYD, "postgres", "db.r6g.large", "prod-rds", 35, False, False, True,
     "db-postgres", 300, ("production", "data-team", "confidential")),
    ("flightdeck-staging-pg", PROD, SYD, "postgres", "db.t4g.medium", "prod-staging", 1, False, False, False,
     "stg-db", 100, ("staging", "platform-team", "internal")),
    ("flightdeck-legacy-mysql", PROD, SYD, "mysql", "db.t3.medium", None, 7, True, False, False,
     "db-legacy-mysql", 200, ("production", "platform-team", "confidential")),
    ("flightdeck-dr-pg", PROD, MEL, "postgres", "db.r6g.large", "prod-rds-mel", 14, False, False, True,
     "mel-db", 500, ("production", "platform-team", "confidential")),
    ("growth-analytics", PROD, USE1, "mysql", "db.t3.small", "aws/rds@prod/use1", 7, False, False, False,
     "growth-db", 50, ("production", "growth-team", "internal")),
]


# The production databases the `production-db` plan backs up: tagged with it, so the
# profiles' database backup promises apply to them (and to no other database).
PRODUCTION_DB = ["flightdeck-prod-sql", "flightdeck-prod-pg", "flightdeck-reporting"]
# What moto cannot date (replayed): when each production database was created (days
# before the scan; moto stamps the seeding time) and how far back each one's automated
# backups can restore (hours). flightdeck-reporting's automated backups restarted two days
# ago: its restore window covers two days, not the seven promised.
DB_CREATED_DAYS = {db: 100 for db in PRODUCTION_DB}
DB_RESTORE_WINDOW_HOURS = {"flightdeck-prod-sql": 35 * 24, "flightdeck-prod-pg": 35 * 24,
                           "flightdeck-reporting": 50.0}


def seed_rds(e):
    for (db_id, account, region, engine, cls, key, retention, public, multi_az, protect, sg, storage,
         (env, owner, classification)) in DATABASES:
        rds = e.client(account, "rds", region)
        tags = {"environment": env, "owner": owner, "data-classification": classification}
        if db_id in PRODUCTION_DB:
            tags["backup-policy"] = "production-db"
        args = dict(DBInstanceIdentifier=db_id, DBInstanceClass=cls, Engine=engine, AllocatedStorage=storage,
                    MasterUsername="fdadmin", MasterUserPassword="not-a-real-password-1",
                    StorageEncrypted=key is not None, BackupRetentionPeriod=retention, PubliclyAccessible=public,
                    MultiAZ=multi_az, DeletionProtection=protect, VpcSecurityGroupIds=[e.sgs[sg][2]],
                    Tags=tag_list(tags))
        if key:
            args["KmsKeyId"] = e.key(key)
        rds.create_db_instance(**args)
        e.rds[db_id] = {"arn": f"arn:aws:rds:{region}:{account}:db:{db_id}", "account": account, "region": region}
    rds = e.client(PROD, "rds")
    for db_id, name in [("flightdeck-prod-sql", "flightdeck-prod-sql-pre-upgrade-2026-10-14"),
                        ("flightdeck-prod-pg", "flightdeck-prod-pg-before-tenant-merge"),
                        ("flightdeck-reporting", "flightdeck-reporting-schema-v42"),
                        ("flightdeck-staging-pg", "flightdeck-staging-refresh-2026-11-15"),
                        ("flightdeck-legacy-mysql", "flightdeck-legacy-mysql-final-2025")]:
        rds.create_db_snapshot(DBInstanceIdentifier=db_id, DBSnapshotIdentifier=name)


# --- S3 ------------------------------------------------------------------------------------

PAB_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
           "RestrictPublicBuckets": True}


def expire(rule_id, days, noncurrent=None, prefix="", transitions=(), enabled=True):
    rule = {"ID": rule_id, "Status": "Enabled" if enabled else "Disabled", "Filter": {"Prefix": prefix}}
    if transitions:
        rule["Transitions"] = [{"Days": d, "StorageClass": c} for d, c in transitions]
    if days is not None:
        rule["Expiration"] = {"Days": days}
    if noncurrent is not None:
        rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": noncurrent}
    return rule


ARCHIVE = expire("archive-then-expire", 3650, 90, transitions=[(30, "GLACIER"), (90, "DEEP_ARCHIVE")])


def t(env, owner="platform-team", cls="confidential", **extra):
    return {"environment": env, "owner": owner, "data-classification": cls, **extra}


# name, account, region, key handle or "AES256", versioning, lifecycle rules, replication
# [(rule id, destination bucket, destination account or None, replica key)], public access
# block, object lock (mode, days), tags
BUCKETS = [
    ("flightdeck-prod-attachments", PROD, SYD, "prod-data", "Enabled", [expire("expire-old-versions", None, 90)],
     [("to-melbourne", "flightdeck-prod-attachments-mel", None, "prod-data-mel")], True, None,
     t("production", Name="Customer attachments")),
    ("flightdeck-prod-db-backups", PROD, SYD, "prod-backup", "Enabled", [ARCHIVE],
     [("to-backup-account", "flightdeck-backup-vault-syd", BACKUP, "backup-s3-syd")], True, ("COMPLIANCE", 42),
     t("production", purpose="backup")),
    ("flightdeck-prod-site-backups", PROD, SYD, "prod-backup", "Enabled",
     [expire("expire-nightly", 14, 1, prefix="nightly/")], None, True, None, t("production", purpose="backup")),
    ("flightdeck-prod-search-snapshots", PROD, SYD, "prod-data", "Enabled", [ARCHIVE], None, True,
     ("GOVERNANCE", 30), t("production", purpose="backup")),
    ("flightdeck-prod-cloudtrail-logs", PROD, SYD, "prod-cloudtrail", "Enabled",
     [expire("archive-logs", 2557, prefix="AWSLogs/", transitions=[(90, "GLACIER")])], None, True, None,
     t("production", "security-team", "internal", purpose="audit-logs")),
    ("flightdeck-prod-config-logs", PROD, SYD, "AES256", "Enabled", [], None, True, None,
     t("production", "security-team", "internal", purpose="audit-logs")),
    ("flightdeck-prod-alb-logs", PROD, SYD, "AES256", None, [expire("expire-90", 90)], None, True, None,
     t("production", cls="internal", purpose="access-logs")),
    ("flightdeck-prod-static-assets", PROD, SYD, "aws/s3@prod/syd", "Enabled", [], None, False, None,
     t("production", cls="public")),
    ("flightdeck-prod-exports", PROD, SYD, "prod-data", "Suspended", [], None, True, None, t("production")),
    ("flightdeck-prod-tenant-uploads", PROD, SYD, "prod-tenant", "Enabled", [], None, True, None, t("production")),
    ("flightdeck-prod-reports", PROD, SYD, "prod-reports", "Enabled", [],
     [("us-mirror", "flightdeck-reports-us-mirror", None, "prod-growth")], True, None, t("production")),
    ("flightdeck-analytics-exports", PROD, SYD, "prod-data", "Enabled", [], None, True, None,
     t("production", "data-team", "internal")),
    # Its encryption cannot be read: an explicit deny in its bucket policy (replayed).
    ("flightdeck-prod-audit-evidence", PROD, SYD, "prod-data", "Enabled", [], None, True, ("COMPLIANCE", 2557),
     t("production", "security-team", "restricted")),
    ("flightdeck-prod-email-templates", PROD, SYD, "prod-data", "Enabled", [], None, True, None,
     t("production", cls="internal")),
    ("flightdeck-terraform-state", PROD, SYD, "prod-data", "Enabled", [], None, True, None,
     t("production", cls="restricted")),
    ("flightdeck-ami-build-artifacts", PROD, SYD, "prod-ebs", "Enabled", [expire("expire-180", 180, 30)], None,
     True, None, t("production", cls="internal")),
    ("flightdeck-staging-attachments", PROD, SYD, "prod-staging", "Enabled", [], None, True, None,
     t("staging", cls="internal")),
    ("flightdeck-staging-db-dumps", PROD, SYD, "prod-staging", "Enabled", [expire("expire-30", 30, 7)], None, True,
     None, t("staging", cls="internal")),
    ("flightdeck-dev-sandbox", PROD, SYD, "AES256", None, [expire("cleanup-tmp", 7, prefix="tmp/", enabled=False)],
     None, True, None, t("development", cls="internal")),
    ("flightdeck-prod-attachments-mel", PROD, MEL, "prod-data-mel", "Enabled", [], None, True, None,
     t("production", Name="Customer attachments (replica)")),
    ("flightdeck-dr-restore-mel", PROD, MEL, "prod-data-mel", "Enabled", [], None, True, None,
     t("production", purpose="restore-staging")),
    ("flightdeck-reports-us-mirror", PROD, USE1, "prod-growth", "Enabled", [], None, True, None,
     t("production", "growth-team")),
    ("flightdeck-backup-vault-syd", BACKUP, SYD, "backup-s3-syd", "Enabled", [ARCHIVE], None, True,
     ("COMPLIANCE", 42), t("backup", purpose="backup")),
    ("flightdeck-backup-cloudtrail", BACKUP, SYD, "AES256", "Enabled", [], None, True, None,
     t("backup", "security-team", "internal", purpose="audit-logs")),
    ("flightdeck-backup-inventory", BACKUP, SYD, "backup-s3-syd", "Enabled", [], None, True, None,
     t("backup", cls="internal")),
    ("flightdeck-backup-vault-mel", BACKUP, MEL, "backup-vault-mel", "Enabled", [ARCHIVE], None, True,
     ("GOVERNANCE", 42), t("backup", purpose="backup")),
    ("flightdeck-utility-dr-db", UTILITY, SYD, "util-dr", "Enabled", [expire("keep-4-weeks", 28, 1)], None, True,
     ("COMPLIANCE", 28), t("dr", purpose="disaster-recovery")),
    ("flightdeck-utility-tx-logs", UTILITY, SYD, "util-dr", "Enabled", [expire("keep-3-days", 3, 1)], None, True,
     None, t("dr", purpose="transaction-logs")),
    ("flightdeck-utility-cloudtrail", UTILITY, SYD, "util-logs", "Enabled", [], None, True, None,
     t("dr", "security-team", "internal", purpose="audit-logs")),
]
DENIED_BUCKET = "flightdeck-prod-audit-evidence"


# Aeronet's nightly site backups (samples/aeronet/profile.yaml): objects under
# SITE_BACKUPS's prefix written at 03:58 Sydney time, rotated as six daily, four weekly
# (Saturday) and two monthly (first of the month), with one deliberate failure: the
# second most recent Saturday weekly is missing. Their days follow the day the estate is
# seeded (the rules class them by the local day written), so the keys name the class and
# its place, never a date, and the times are replayed as hours before the scan
# (moto stamps LastModified with the time of the put).
SITE_BACKUPS = ("flightdeck-prod-site-backups", "sites/prod/")


def site_backup_rotation(now=None):
    """[(key, hours before now)] of the rotation as it stands now."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo
    sydney = ZoneInfo("Australia/Sydney")
    now = now or datetime.now(sydney)
    kept = {"daily": [], "weekly": [], "monthly": []}
    wanted = {"daily": 6, "weekly": 4, "monthly": 2}
    for back in range(0, 80):
        day = now.date() - timedelta(days=back)
        written = datetime.combine(day, time(3, 58), tzinfo=sydney)
        if written > now:
            continue
        cls = "monthly" if day.day == 1 else "weekly" if day.weekday() == 5 else "daily"
        if len(kept[cls]) < wanted[cls]:
            kept[cls].append(written)
    # The deliberate failure: the second most recent Saturday's weekly was never written.
    del kept["weekly"][1]
    out = []
    for cls, times in kept.items():
        for n, written in enumerate(times, start=1):
            hours = round((now - written).total_seconds() / 3600, 3)
            out.append((f"{SITE_BACKUPS[1]}aeronet-prod-{cls}-{n:02d}.tar.gz", hours))
    return sorted(out)


def seed_site_backups(e):
    s3 = e.client(PROD, "s3", SYD)
    rotation = site_backup_rotation()
    for key, _hours in rotation:
        s3.put_object(Bucket=SITE_BACKUPS[0], Key=key, Body=b"aeronet site backup")
    return {key: hours for key, hours in rotation}



def seed_buckets(e):
    for name, account, region, key, versioning, lifecycle, _repl, pab, lock, tags in BUCKETS:
        s3 = e.client(account, "s3", region)
        if lock:
            args = {"Bucket": name, "ObjectLockEnabledForBucket": True}
            if region != USE1:
                args["CreateBucketConfiguration"] = {"LocationConstraint": region}
            s3.create_bucket(**args)
            s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": lock[0], "Days": lock[1]}}})
        else:
            bucket(s3, name, region)
        sse = ({"SSEAlgorithm": "AES256"} if key == "AES256"
               else {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": e.key(key)})
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": sse, "BucketKeyEnabled": key != "AES256"}]})
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if lifecycle:
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": lifecycle})
        if pab:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PAB_ALL)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tags)})
    for name, account, region, _key, versioning, _l, replication, *_ in BUCKETS:
        s3 = e.client(account, "s3", region)
        if replication:
            rules = []
            for priority, (rule_id, destination, dest_account, replica_key) in enumerate(replication, start=1):
                dest = {"Bucket": f"arn:aws:s3:::{destination}",
                        "EncryptionConfiguration": {"ReplicaKmsKeyID": e.key(replica_key)}}
                e.replica_keys[dest["Bucket"]] = e.key(replica_key)
                if dest_account:
                    dest.update(Account=dest_account, AccessControlTranslation={"Owner": "Destination"})
                rules.append({"ID": rule_id, "Priority": priority, "Filter": {"Prefix": ""}, "Status": "Enabled",
                              "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
                              "Destination": dest, "DeleteMarkerReplication": {"Status": "Disabled"}})
            s3.put_bucket_replication(Bucket=name, ReplicationConfiguration={
                "Role": f"arn:aws:iam::{PROD}:role/s3-replication", "Rules": rules})
        if versioning == "Suspended":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})


# --- IAM -----------------------------------------------------------------------------------

PEOPLE = [
    # name, group, MFA (None, "virtual" or a hardware serial)
    ("alice.nguyen", "admins", "GAHT40011234"), ("ben.carter", "admins", "virtual"),
    ("chloe.martin", "support", "virtual"), ("dan.okafor", "support", "virtual"),
    ("emma.wilson", "support", "virtual"), ("ian.murphy", "support", None),
    ("farah.haddad", "developers", "virtual"), ("george.li", "developers", "virtual"),
    ("hana.sato", "developers", "virtual"), ("jack.taylor", "developers", None),
]
SERVICE_USERS = [
    # name, policies, access keys (active?)
    ("svc-ci-deploy", [f"arn:aws:iam::{PROD}:policy/ci-deploy"], [True]),
    ("svc-backup-report", ["arn:aws:iam::aws:policy/AWSBackupAuditAccess"], [True]),
    ("svc-monitoring", ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"], [True]),
    ("svc-legacy-ftp", [f"arn:aws:iam::{PROD}:policy/legacy-ftp-s3"], [False, True]),
    ("terraform-ci", ["arn:aws:iam::aws:policy/AdministratorAccess"], [True]),
]
GROUPS = {
    "admins": ["arn:aws:iam::aws:policy/AdministratorAccess"],
    "support": ["arn:aws:iam::aws:policy/job-function/SupportUser", f"arn:aws:iam::{PROD}:policy/support-readonly"],
    "developers": ["arn:aws:iam::aws:policy/ReadOnlyAccess", f"arn:aws:iam::{PROD}:policy/developer-deploy"],
}
CUSTOMER_POLICIES = ["ci-deploy", "legacy-ftp-s3", "support-readonly", "developer-deploy", "app-server-s3",
                     "s3-replication"]


def trust(principal, actions, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": actions[0] if len(actions) == 1 else actions}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def service_trust(service):
    return trust({"Service": service}, ["sts:AssumeRole"])


def sso_trust(account):
    return trust({"Federated": f"arn:aws:iam::{account}:saml-provider/AWSSSO_5c1f0d93e2a8b7a4_DO_NOT_DELETE"},
                 ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                 {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})


SSO_PATH = "/aws-reserved/sso.amazonaws.com/ap-southeast-2/"
BACKUP_ROLE = "Provides AWS Backup permission to create backups and perform restores on your behalf"
BACKUP_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
CONFIG_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"
AUDIT_POLICIES = ["arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/ReadOnlyAccess"]


def roles(account):
    """(name, path, trust policy, attached policies, description) of the account's roles."""
    audit = ("assay-audit", "/", trust({"AWS": f"arn:aws:iam::{PROD}:root"}, ["sts:AssumeRole"]), AUDIT_POLICIES,
             "Read-only role for compliance evidence collection")
    config = ("AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/",
              service_trust("config.amazonaws.com"), [CONFIG_POLICY], None)
    if account == PROD:
        return [
            ("support", "/", trust({"AWS": f"arn:aws:iam::{PROD}:root"}, ["sts:AssumeRole"],
                                   {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
             ["arn:aws:iam::aws:policy/job-function/SupportUser", f"arn:aws:iam::{PROD}:policy/support-readonly"],
             "Support engineers, MFA required"),
            ("support-legacy", "/", trust({"AWS": f"arn:aws:iam::{PROD}:root"}, ["sts:AssumeRole"]),
             ["arn:aws:iam::aws:policy/job-function/SupportUser"], "Old support role (pre-SSO)"),
            ("AWSReservedSSO_Support_abc123", SSO_PATH, sso_trust(PROD),
             ["arn:aws:iam::aws:policy/job-function/SupportUser"], None),
            ("AWSReservedSSO_AdministratorAccess_9f3c2e1d4b5a6978", SSO_PATH, sso_trust(PROD),
             ["arn:aws:iam::aws:policy/AdministratorAccess"], None),
            ("flightdeck-app-server", "/", service_trust("ec2.amazonaws.com"),
             ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", f"arn:aws:iam::{PROD}:policy/app-server-s3"],
             "Instance profile role for app servers"),
            ("s3-replication", "/", service_trust("s3.amazonaws.com"), [f"arn:aws:iam::{PROD}:policy/s3-replication"],
             "S3 cross-region replication"),
            ("AWSBackupDefaultServiceRole", "/service-role/", service_trust("backup.amazonaws.com"),
             [BACKUP_POLICY, "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
             BACKUP_ROLE),
            ("AWSServiceRoleForRDS", "/aws-service-role/rds.amazonaws.com/", service_trust("rds.amazonaws.com"),
             ["arn:aws:iam::aws:policy/aws-service-role/AmazonRDSServiceRolePolicy"],
             "Allows Amazon RDS to manage AWS resources on your behalf"),
            config, audit,
        ]
    sso = [("AWSReservedSSO_Support_7e21bb04c9d3a511", SSO_PATH, sso_trust(account),
            ["arn:aws:iam::aws:policy/job-function/SupportUser"], None)] if account == BACKUP else []
    return sso + [("AWSBackupDefaultServiceRole", "/service-role/", service_trust("backup.amazonaws.com"),
                   [BACKUP_POLICY], BACKUP_ROLE), config, audit]


PASSWORD_POLICIES = {
    PROD: dict(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True, RequireUppercaseCharacters=True,
               RequireLowercaseCharacters=True, AllowUsersToChangePassword=True, MaxPasswordAge=90,
               PasswordReusePrevention=24, HardExpiry=False),
    # The backup account has none; the utility account a weak one.
    UTILITY: dict(MinimumPasswordLength=8, RequireSymbols=False, RequireNumbers=True, RequireUppercaseCharacters=True,
                  RequireLowercaseCharacters=True, AllowUsersToChangePassword=True, HardExpiry=False),
}
# Root user facts, from the credential report's <root_account> row (replayed).
ROOT = {PROD: {"mfa": True, "keys": False}, BACKUP: {"mfa": True, "keys": False},
        UTILITY: {"mfa": False, "keys": True}}


def seed_iam(e):
    for account in (PROD, BACKUP, UTILITY):
        iam = e.client(account, "iam")
        if ALIASES[account]:
            iam.create_account_alias(AccountAlias=ALIASES[account])
        if account in PASSWORD_POLICIES:
            iam.update_account_password_policy(**PASSWORD_POLICIES[account])
    iam = e.client(PROD, "iam")
    for name in CUSTOMER_POLICIES:
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::flightdeck-{name}/*"}]}))
    for group, policies in GROUPS.items():
        iam.create_group(GroupName=group)
        for p in policies:
            iam.attach_group_policy(GroupName=group, PolicyArn=p)
    for name, group, mfa in PEOPLE:
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password="Not-a-real-password-1!")
        iam.add_user_to_group(GroupName=group, UserName=name)
        if mfa == "virtual":
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        else:
            serial = mfa
        if mfa:
            iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                                  AuthenticationCode2="654321")
    iam.create_access_key(UserName="jack.taylor")
    iam.attach_user_policy(UserName="jack.taylor", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    for name, policies, keys in SERVICE_USERS:
        iam.create_user(UserName=name)
        for p in policies:
            iam.attach_user_policy(UserName=name, PolicyArn=p)
        for active in keys:
            key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
            if not active:
                iam.update_access_key(UserName=name, AccessKeyId=key, Status="Inactive")
    for account in (PROD, BACKUP, UTILITY):
        iam = e.client(account, "iam")
        for name, path, document, policies, description in roles(account):
            args = dict(RoleName=name, Path=path, AssumeRolePolicyDocument=document)
            if description:
                args["Description"] = description
            iam.create_role(**args)
            for p in policies:
                iam.attach_role_policy(RoleName=name, PolicyArn=p)


# --- CloudTrail and Config -----------------------------------------------------------------

TRAILS = [
    # name, account, home, multi-Region, logging, validation, key, bucket, read/write
    ("flightdeck-prod-trail", PROD, SYD, True, True, True, "prod-cloudtrail", "flightdeck-prod-cloudtrail-logs", "All"),
    ("legacy-us-trail", PROD, USE1, False, False, False, None, "flightdeck-prod-cloudtrail-logs", "All"),
    ("backup-account-trail", BACKUP, SYD, True, True, False, None, "flightdeck-backup-cloudtrail", "WriteOnly"),
    ("utility-trail", UTILITY, SYD, False, True, True, "util-logs", "flightdeck-utility-cloudtrail", "All"),
]
RECORDERS = [
    # account, region, recording, global resource types (none in the backup account's Melbourne)
    (PROD, SYD, True, True), (PROD, MEL, True, False), (PROD, USE1, False, False), (PROD, EUW1, True, False),
    (BACKUP, SYD, True, True), (UTILITY, SYD, True, True),
]


def seed_logging(e):
    for name, account, home, multi, logging, validation, key, bucket_name, rw in TRAILS:
        ct = e.client(account, "cloudtrail", home)
        args = dict(Name=name, S3BucketName=bucket_name, IsMultiRegionTrail=multi, IncludeGlobalServiceEvents=multi,
                    EnableLogFileValidation=validation)
        if key:
            args["KmsKeyId"] = e.key(key)
        ct.create_trail(**args)
        ct.put_event_selectors(TrailName=name, EventSelectors=[
            {"ReadWriteType": rw, "IncludeManagementEvents": True, "DataResources": []}])
        if logging:
            ct.start_logging(Name=name)
    for account, region, recording, global_types in RECORDERS:
        config = e.client(account, "config", region)
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": global_types}})
        logs = {PROD: "flightdeck-prod-config-logs", BACKUP: "flightdeck-backup-cloudtrail",
                UTILITY: "flightdeck-utility-cloudtrail"}[account]
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": logs})
        if recording:
            config.start_configuration_recorder(ConfigurationRecorderName="default")


# --- AWS Backup ----------------------------------------------------------------------------

VAULTS = [
    # name, account, region, key handle, lock (min, max days)
    ("production", PROD, SYD, "prod-backup", None),
    ("Default", PROD, SYD, "aws/backup@prod/syd", None),
    ("melbourne", PROD, MEL, "prod-data-mel", None),
    ("analytics-us", PROD, USE1, "prod-growth", None),
    ("prod-copies", BACKUP, SYD, "backup-vault-syd", (7, 3650)),
    ("prod-copies-mel", BACKUP, MEL, "backup-vault-mel", (7, 3650)),
    ("dr", UTILITY, SYD, "util-dr", None),
]
# The vault whose recovery points the audit role may not list (replayed AccessDenied).
DENIED_VAULT = (BACKUP, MEL, "prod-copies-mel")


def vault_arn(account, region, name):
    return f"arn:aws:backup:{region}:{account}:backup-vault:{name}"


def copy_to(account, region, vault, delete, cold=None):
    lifecycle = {"DeleteAfterDays": delete, **({"MoveToColdStorageAfterDays": cold} if cold else {})}
    return {"DestinationBackupVaultArn": vault_arn(account, region, vault), "Lifecycle": lifecycle}


def rule(name, schedule, vault, delete, cold=None, copies=()):
    lifecycle = {"DeleteAfterDays": delete, **({"MoveToColdStorageAfterDays": cold} if cold else {})}
    return {"RuleName": name, "ScheduleExpression": schedule, "TargetBackupVaultName": vault,
            "StartWindowMinutes": 60, "CompletionWindowMinutes": 360, "Lifecycle": lifecycle,
            "CopyActions": list(copies)}


def plans(e):
    """(name, account, region, rules, selected resource ARNs)."""
    syd_instances = [i["arn"] for i in e.instances.values() if i["region"] == SYD]
    db = {k: v["arn"] for k, v in e.rds.items()}
    return [
        ("production-db", PROD, SYD, [
            rule("daily", "cron(0 18 * * ? *)", "production", 42,
                 copies=[copy_to(BACKUP, SYD, "prod-copies", 42), copy_to(UTILITY, SYD, "dr", 28)]),
            rule("weekly", "cron(0 18 ? * SAT *)", "production", 365, 7,
                 copies=[copy_to(BACKUP, SYD, "prod-copies", 365, 7)]),
            rule("monthly", "cron(0 18 1 * ? *)", "production", 3650, 30,
                 copies=[copy_to(BACKUP, SYD, "prod-copies", 3650, 30)]),
        ], [db["flightdeck-prod-sql"], db["flightdeck-prod-pg"], db["flightdeck-reporting"]]),
        ("ebs-snapshots", PROD, SYD, [
            rule("every-6-hours", "cron(0 0/6 * * ? *)", "production", 7),
            rule("twice-daily-copy", "cron(0 0/12 * * ? *)", "production", 7,
                 copies=[copy_to(BACKUP, SYD, "prod-copies", 7)]),
        ], syd_instances),
        ("staging", PROD, SYD, [rule("daily", "cron(0 16 * * ? *)", "Default", 14)], [db["flightdeck-staging-pg"]]),
        ("analytics", PROD, SYD, [rule("daily-analytics", "cron(0 19 * * ? *)", "production", 35,
                                       copies=[copy_to(PROD, USE1, "analytics-us", 35)])],
         ["arn:aws:s3:::flightdeck-analytics-exports"]),
        ("melbourne-dr", PROD, MEL, [
            rule("daily", "cron(0 17 * * ? *)", "melbourne", 35, copies=[copy_to(BACKUP, MEL, "prod-copies-mel", 35)]),
            rule("mel-snapshots", "cron(0 0/12 * * ? *)", "melbourne", 3),
        ], [db["flightdeck-dr-pg"], e.instances["mel-app-01"]["arn"], e.instances["mel-app-02"]["arn"]]),
    ]


def seed_backup(e):
    for name, account, region, key, lock in VAULTS:
        backup = e.client(account, "backup", region)
        arn = backup.create_backup_vault(BackupVaultName=name, EncryptionKeyArn=e.key(key))["BackupVaultArn"]
        if lock:
            backup.put_backup_vault_lock_configuration(BackupVaultName=name, MinRetentionDays=lock[0],
                                                       MaxRetentionDays=lock[1])
        e.vaults[(account, name)] = arn
    for name, account, region, rules, selected in plans(e):
        backup = e.client(account, "backup", region)
        created = backup.create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": rules})
        got = backup.get_backup_plan(BackupPlanId=created["BackupPlanId"])["BackupPlan"]
        e.plans[name] = {"id": created["BackupPlanId"], "arn": created["BackupPlanArn"],
                         "version": created["VersionId"], "account": account, "region": region,
                         "rules": {r["RuleName"]: {"id": r["RuleId"], **r} for r in got["Rules"]}}
        # moto implements no backup selections: replayed.
        e.selections.append({"plan_id": created["BackupPlanId"], "account": account, "region": region,
                             "selection_id": f"{created['BackupPlanId'][:8]}-5e1e-4c7a-9b0d-{name[:4].encode().hex()}0000"[:36],
                             "name": f"{name}-resources", "resources": selected})


def recovery_points(e):
    """What AWS Backup would hold (moto cannot): the newest points of each plan and their
    copies, with their age in hours before the scan."""
    points = []

    def point(account, vault, region, *, source, source_type, hours, key, plan, rule_name, status="COMPLETED",
              copied_from=None, source_vault=None, lifecycle=None, size_gib=10, arn=None):
        p = e.plans[plan]
        r = p["rules"][rule_name]
        n = len(points)
        if arn is None:
            if source_type == "EC2":
                arn = f"arn:aws:ec2:{region}::image/ami-0{n:04x}b4c5d6e7f80{account[-2:]}"
            elif source_type == "RDS":
                arn = f"arn:aws:rds:{region}:{account}:snapshot:awsbackup:job-{n:08x}-3c1d-4e2f-9a0b-{account}"
            else:
                arn = f"arn:aws:backup:{region}:{account}:recovery-point:{n:08x}-7f1e-4d2c-8b3a-{account}"
        points.append({
            "account": account, "region": region, "vault": vault, "vault_arn": e.vaults[(account, vault)],
            "arn": arn, "source": source, "source_type": source_type, "hours_ago": hours, "status": status,
            "key": e.key(key) if key else None, "plan_id": p["id"], "plan_arn": p["arn"], "plan_version": p["version"],
            "rule_id": r["id"], "lifecycle": lifecycle or r["Lifecycle"], "copied_from": copied_from,
            "source_vault": source_vault, "size_bytes": size_gib * GIB,
        })

    production = e.vaults[(PROD, "production")]
    # EC2 images of the Sydney instances, the latest six-hourly run; app-04's is PARTIAL
    # (and not copied); app-07's includes its unencrypted data disk.
    for n, (handle, inst) in enumerate((h, i) for h, i in e.instances.items() if i["region"] == SYD):
        key = None if handle == "app-07" else "prod-ebs"
        point(PROD, "production", SYD, source=inst["arn"], source_type="EC2", hours=3.9 - n * 0.003, key=key,
              plan="ebs-snapshots", rule_name="every-6-hours", status="PARTIAL" if handle == "app-04" else "COMPLETED")
        if handle != "app-04":
            point(BACKUP, "prod-copies", SYD, source=inst["arn"], source_type="EC2", hours=3.1 - n * 0.003,
                  key=key and "backup-vault-syd", plan="ebs-snapshots", rule_name="twice-daily-copy",
                  copied_from=PROD, source_vault=production, lifecycle={"DeleteAfterDays": 7})
    # Databases: daily (reporting's last good run is three days old), weekly, monthly, and copies.
    # The two main databases keep their history (below); reporting has only its newest.
    for db_id, hours in [("flightdeck-prod-sql", 9.9), ("flightdeck-prod-pg", 9.8), ("flightdeck-reporting", 81.8)]:
        source = e.rds[db_id]["arn"]
        point(PROD, "production", SYD, source=source, source_type="RDS", hours=hours, key="prod-rds",
              plan="production-db", rule_name="daily")
        point(BACKUP, "prod-copies", SYD, source=source, source_type="RDS", hours=hours - 0.7, key="backup-vault-syd",
              plan="production-db", rule_name="daily", copied_from=PROD, source_vault=production,
              lifecycle={"DeleteAfterDays": 42})
        point(UTILITY, "dr", SYD, source=source, source_type="RDS", hours=hours - 0.95, key="util-dr",
              plan="production-db", rule_name="daily", copied_from=PROD, source_vault=production,
              lifecycle={"DeleteAfterDays": 28})
    for rule_name, db_id, hours in [("weekly", "flightdeck-prod-sql", 9.9), ("weekly", "flightdeck-prod-pg", 9.8),
                                    ("monthly", "flightdeck-prod-sql", 489.9),
                                    ("monthly", "flightdeck-prod-pg", 489.8),
                                    ("monthly", "flightdeck-reporting", 489.7)]:
        source = e.rds[db_id]["arn"]
        point(PROD, "production", SYD, source=source, source_type="RDS", hours=hours, key="prod-rds",
              plan="production-db", rule_name=rule_name)
        point(BACKUP, "prod-copies", SYD, source=source, source_type="RDS", hours=hours - 0.7, key="backup-vault-syd",
              plan="production-db", rule_name=rule_name, copied_from=PROD, source_vault=production,
              lifecycle=e.plans["production-db"]["rules"][rule_name]["CopyActions"][0]["Lifecycle"])
    # The history of the two main databases (100 days old): dailies back six weeks,
    # weeklies back to the database's creation, and the utility account's daily DR copies
    # back four weeks. flightdeck-prod-sql has three monthlies, reaching back to its
    # creation; flightdeck-prod-pg only the newest monthly (its monthly class is short of
    # its span) and DR copies for 20 days only (the copies older than that are missing).
    history = [("flightdeck-prod-sql", 9.9, 3, 28), ("flightdeck-prod-pg", 9.8, 1, 20)]
    for db_id, newest, monthlies, dr_days in history:
        source = e.rds[db_id]["arn"]
        for k in range(1, 42):
            point(PROD, "production", SYD, source=source, source_type="RDS", hours=newest + 24 * k, key="prod-rds",
                  plan="production-db", rule_name="daily")
        for k in range(1, 15):
            point(PROD, "production", SYD, source=source, source_type="RDS", hours=newest + 168 * k, key="prod-rds",
                  plan="production-db", rule_name="weekly")
        for k in range(1, monthlies):
            point(PROD, "production", SYD, source=source, source_type="RDS", hours=newest + 480 + 730 * k,
                  key="prod-rds", plan="production-db", rule_name="monthly")
        for k in range(1, dr_days):
            point(UTILITY, "dr", SYD, source=source, source_type="RDS", hours=newest - 0.95 + 24 * k, key="util-dr",
                  plan="production-db", rule_name="daily", copied_from=PROD, source_vault=production,
                  lifecycle={"DeleteAfterDays": 28})
    point(PROD, "Default", SYD, source=e.rds["flightdeck-staging-pg"]["arn"], source_type="RDS", hours=11.9,
          key="prod-staging", plan="staging", rule_name="daily")
    point(PROD, "melbourne", MEL, source=e.rds["flightdeck-dr-pg"]["arn"], source_type="RDS", hours=10.9,
          key="prod-rds-mel", plan="melbourne-dr", rule_name="daily")
    for n, handle in enumerate(["mel-app-01", "mel-app-02"]):
        point(PROD, "melbourne", MEL, source=e.instances[handle]["arn"], source_type="EC2", hours=3.95 - n * 0.01,
              key="prod-ebs-mel", plan="melbourne-dr", rule_name="mel-snapshots")
    point(PROD, "production", SYD, source="arn:aws:s3:::flightdeck-analytics-exports", source_type="S3", hours=8.9,
          key="prod-backup", plan="analytics", rule_name="daily-analytics", size_gib=48)
    point(PROD, "analytics-us", USE1, source="arn:aws:s3:::flightdeck-analytics-exports", source_type="S3",
          hours=7.4, key="prod-growth", plan="analytics", rule_name="daily-analytics", source_vault=production,
          lifecycle={"DeleteAfterDays": 35}, size_gib=48)
    return points


# --- what moto cannot hold -----------------------------------------------------------------

SIGNINS = [
    # event id, user, identity type, MFA used, result, hours before the scan, source IP
    ("6c1b7e52-3f0a-4d8e-9b21-0a5d7f3e9c01", "alice.nguyen", "IAMUser", "Yes", "Success", 5.8, "203.0.113.41"),
    ("6c1b7e52-3f0a-4d8e-9b21-0a5d7f3e9c02", "chloe.martin", "IAMUser", "Yes", "Success", 5.0, "198.51.100.77"),
    ("6c1b7e52-3f0a-4d8e-9b21-0a5d7f3e9c03", "ian.murphy", "IAMUser", "No", "Success", 97.5, "192.0.2.150"),
    ("6c1b7e52-3f0a-4d8e-9b21-0a5d7f3e9c04", "jack.taylor", "IAMUser", "No", "Success", 239.2, "203.0.113.9"),
    ("6c1b7e52-3f0a-4d8e-9b21-0a5d7f3e9c05", "root", "Root", "Yes", "Success", 1226.8, "203.0.113.41"),
    ("6c1b7e52-3f0a-4d8e-9b21-0a5d7f3e9c06", "HIDDEN_DUE_TO_SECURITY_REASONS", "IAMUser", "No", "Failure", 34.3,
     "185.220.101.3"),
    ("6c1b7e52-3f0a-4d8e-9b21-0a5d7f3e9c07", "george.li@flightdeck.example", "AssumedRole", "No", "Success", 23.0,
     "198.51.100.12"),
]


def replay(e):
    return {
        "organisation": [PROD, BACKUP, UTILITY],
        "opted_in": OPTED_IN,
        "root": ROOT,
        "aws_managed_keys": e.aws_keys,
        "ebs_default_keys": e.ebs_default,
        "denied_bucket": DENIED_BUCKET,
        # When each of Aeronet's site backups was written (hours before the scan).
        "site_backups": {"bucket": SITE_BACKUPS[0], "written_hours_ago": e.site_backups},
        # The denied vault holds 35 points: its listing says so, its points cannot be read.
        "denied_vault": {"account": DENIED_VAULT[0], "region": DENIED_VAULT[1], "name": DENIED_VAULT[2],
                         "points": 35},
        # The DR seed of flightdeck-prod-pg, copied into the utility account (moto cannot
        # copy a snapshot across accounts).
        # The production databases' creation times and restore windows (moto dates neither),
        # each with a resource id of its own (moto gives every instance the same one).
        "databases": [{"account": PROD, "region": SYD, "id": db, "created_days_ago": DB_CREATED_DAYS[db],
                       "restore_window_hours": DB_RESTORE_WINDOW_HOURS[db],
                       "resource_id": "db-" + db.upper().replace("-", "")[:26]} for db in PRODUCTION_DB],
        "db_snapshots": [{"account": UTILITY, "region": SYD, "id": "flightdeck-prod-pg-dr-seed-2026-11",
                          "db": "flightdeck-prod-pg", "engine": "postgres", "version": "16.4", "storage": 500,
                          "key": e.key("util-dr"), "hours_ago": 762.0}],
        "volume_keys": e.volume_keys,
        # When each six-hourly snapshot started (hours before the scan).
        "snapshot_times": e.snapshot_times,
        "images": e.images,
        "image_snapshots": e.image_snapshots,
        "replica_keys": e.replica_keys,
        "selections": e.selections,
        "recovery_points": recovery_points(e),
        "dynamodb_replicas": [{"account": PROD, "region": SYD, "table": name, "replicas": replicas}
                              for name, _k, _p, replicas in TABLES if replicas],
        "config_inventory": config_inventory(),
        "efs_replications": [{"account": PROD, "region": SYD, "file_system": e.efs["flightdeck-shared"],
                              "destination": EUW1}],
        # The key of each encrypted Redshift cluster, which AWS names on its snapshots.
        "redshift_keys": {"flightdeck-reporting": e.key("prod-rds")},
        # flightdeck-search reads the Melbourne replica of its index (cross-cluster search).
        "opensearch_connections": [{"account": PROD, "region": SYD, "domain": "flightdeck-search",
                                    "remote": "flightdeck-search-mel", "remote_region": MEL}],
        "signins": {"account": PROD, "region": USE1,
                    "sso_role": "AWSReservedSSO_ReadOnly_5e2c0a1b7d9f3e46",
                    "events": [dict(zip(["id", "user", "type", "mfa", "result", "hours_ago", "ip"], s))
                               for s in SIGNINS]},
    }


def seed_key_grants(e):
    """Key policies, last: moto draws request ids from its seeded generator, so any write
    placed earlier would change every id generated after it."""
    # The growth team's key also lets an analytics contractor's account decrypt: a grant
    # outside Flightdeck's accounts (residency.kms-key-policy-accounts FAIL).
    growth = e.client(PROD, "kms", USE1)
    growth.put_key_policy(
        KeyId=e.key("prod-growth").split("/")[-1],
        PolicyName="default",
        Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"}, "Action": "kms:*", "Resource": "*"},
                {"Sid": "Analytics contractor", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                 "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
            ],
        }),
    )


# --- Data stores beyond S3, EBS and RDS ------------------------------------------------------

TABLES = [
    # name, key handle (None: the key AWS owns), point-in-time recovery, replica regions (replayed)
    ("flightdeck-bookings", "prod-data", True, [USE1]),
    ("flightdeck-sessions", None, False, []),
]
LOG_GROUPS = [
    # name, region, key handle, retention days (None: never expire)
    ("/flightdeck/api", SYD, "prod-data", 365),
    ("/flightdeck/worker", SYD, None, None),
    ("/aws/lambda/flightdeck-edge-auth", USE1, None, 30),
]


def seed_data_stores(e):
    """DynamoDB tables and log groups, last for the same reason as the key grants."""
    ddb = e.client(PROD, "dynamodb", SYD)
    for name, key, pitr, _replicas in TABLES:
        extra = {}
        if key:
            extra["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": e.key(key)}
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=[{"Key": "environment", "Value": "production"}],
            **extra,
        )
        if pitr:
            ddb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for name, region, key, days in LOG_GROUPS:
        logs = e.client(PROD, "logs", region)
        args = {"logGroupName": name}
        if key:
            args["kmsKeyId"] = e.key(key)
        logs.create_log_group(**args)
        if days:
            logs.put_retention_policy(logGroupName=name, retentionInDays=days)


def seed_late_stores(e):
    """RDS DB clusters, EFS, Secrets Manager, Redshift, ElastiCache, OpenSearch, SQS, SNS,
    Kinesis, ECR and Lambda, last of all for the same reason as the key grants."""
    seed_db_clusters(e)
    seed_file_systems(e)
    seed_secrets(e)
    seed_warehouses_caches_search(e)
    seed_queues_topics_streams(e)
    seed_repositories_and_functions(e)


def resource_policy(resource, principal, actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": actions, "Resource": resource}]})


def seed_queues_topics_streams(e):
    """SQS, SNS and Kinesis: the booking events queue, notifications topic and clickstream on
    the production data key (compliant); the partner-sync queue on SSE-SQS, read by a
    partner account (encryption and sharing fail); the growth-campaigns topic without a key,
    open to anyone's subscription, in us-east-1 (encryption, residency and sharing fail);
    the audit stream unencrypted; the flightdeck-eu-events queue in eu-west-1 that AWS
    Config's inventory also locates (residency fails)."""
    sqs = e.client(PROD, "sqs", SYD)
    sqs.create_queue(QueueName="flightdeck-booking-events", Attributes={"KmsMasterKeyId": e.key("prod-data")},
                     tags=PROD_TAGS)
    sync = sqs.create_queue(QueueName="flightdeck-partner-sync", Attributes={"SqsManagedSseEnabled": "true"},
                            tags=PROD_TAGS)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=sync, Attributes={"Policy": resource_policy(
        f"arn:aws:sqs:{SYD}:{PROD}:flightdeck-partner-sync", {"AWS": "arn:aws:iam::210987654321:root"},
        ["sqs:ReceiveMessage", "sqs:DeleteMessage"])})
    e.client(PROD, "sqs", EUW1).create_queue(QueueName="flightdeck-eu-events",
                                             Attributes={"KmsMasterKeyId": "alias/aws/sqs"}, tags=PROD_TAGS)
    sns = e.client(PROD, "sns", SYD)
    sns.create_topic(Name="flightdeck-notifications", Attributes={"KmsMasterKeyId": e.key("prod-data")},
                     Tags=tag_list(PROD_TAGS))
    campaigns = e.client(PROD, "sns", USE1).create_topic(
        Name="growth-campaigns", Tags=tag_list({"environment": "production", "owner": "growth-team"}))["TopicArn"]
    e.client(PROD, "sns", USE1).set_topic_attributes(TopicArn=campaigns, AttributeName="Policy",
                                                    AttributeValue=resource_policy(campaigns, {"AWS": "*"},
                                                                                   ["sns:Subscribe"]))
    kinesis = e.client(PROD, "kinesis", SYD)
    kinesis.create_stream(StreamName="flightdeck-clickstream", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="flightdeck-clickstream", EncryptionType="KMS",
                                    KeyId=e.key("prod-data"))
    kinesis.add_tags_to_stream(StreamName="flightdeck-clickstream", Tags=PROD_TAGS)
    kinesis.create_stream(StreamName="flightdeck-audit", ShardCount=1)
    kinesis.add_tags_to_stream(StreamName="flightdeck-audit", Tags=PROD_TAGS)


def seed_repositories_and_functions(e):
    """ECR and Lambda: the flightdeck/api image repository on the production data key, which
    the registry replicates to Melbourne (residency fails where only Sydney is allowed, as
    for the database secret's Melbourne replica); the growth/landing repository on ECR's
    own keys, public to pull (encryption and sharing fail); the booking-notifier function
    whose environment variables are on AWS's key (encryption fails; moto does not return a
    function's key, so the sample has none with one) and the image-resizer without
    variables (no key needed)."""
    ecr = e.client(PROD, "ecr", SYD)
    ecr.create_repository(repositoryName="flightdeck/api", tags=tag_list(PROD_TAGS),
                          encryptionConfiguration={"encryptionType": "KMS", "kmsKey": e.key("prod-data")})
    landing = ecr.create_repository(repositoryName="growth/landing",
                                    tags=tag_list({"environment": "production", "owner": "growth-team"}))
    ecr.set_repository_policy(repositoryName="growth/landing", policyText=resource_policy(
        landing["repository"]["repositoryArn"], {"AWS": "*"}, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]))
    ecr.put_replication_configuration(replicationConfiguration={"rules": [{
        "destinations": [{"region": MEL, "registryId": PROD}],
        "repositoryFilters": [{"filter": "flightdeck/", "filterType": "PREFIX_MATCH"}],
    }]})
    role = f"arn:aws:iam::{PROD}:role/flightdeck-lambda"
    e.client(PROD, "iam", SYD).create_role(RoleName="flightdeck-lambda", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    lam = e.client(PROD, "lambda", SYD)
    lam.create_function(FunctionName="booking-notifier", Runtime="python3.12", Role=role, Handler="handler.handler",
                        Code={"ZipFile": buffer.getvalue()}, Tags={**PROD_TAGS, "function": "booking-notifier"},
                        Environment={"Variables": {"QUEUE_URL": "flightdeck-booking-events"}})
    lam.create_function(FunctionName="image-resizer", Runtime="python3.12", Role=role, Handler="handler.handler",
                        Code={"ZipFile": buffer.getvalue()}, Tags={**PROD_TAGS, "function": "image-resizer"})


def seed_warehouses_caches_search(e):
    """Redshift, ElastiCache and OpenSearch, last of all for the same reason as the key
    grants. flightdeck-reporting (Redshift, the production RDS key, private, a week of
    snapshots copied to Melbourne), flightdeck-sessions-cache (ElastiCache, the production
    EBS key, TLS, a week of snapshots) and flightdeck-search (OpenSearch, the production EBS
    key, node to node, HTTPS) are compliant; growth-analytics (Redshift, us-east-1,
    unencrypted, public, one day of snapshots), flightdeck-web-cache (no encryption at rest
    or in transit, no snapshots) and growth-logs (unencrypted, a public endpoint open to
    anyone) fail."""
    prod = {"environment": "production", "owner": "platform-team", "data-classification": "confidential"}
    growth = {"environment": "production", "owner": "growth-team", "data-classification": "internal"}
    redshift = e.client(PROD, "redshift", SYD)
    redshift.create_cluster(ClusterIdentifier="flightdeck-reporting", NodeType="ra3.xlplus", ClusterType="multi-node",
                            NumberOfNodes=2, MasterUsername="fdadmin", MasterUserPassword="Not-a-real-password-1",
                            Encrypted=True, KmsKeyId=e.key("prod-rds"), PubliclyAccessible=False,
                            AutomatedSnapshotRetentionPeriod=7, Tags=tag_list(prod))
    redshift.enable_snapshot_copy(ClusterIdentifier="flightdeck-reporting", DestinationRegion=MEL, RetentionPeriod=7,
                                  SnapshotCopyGrantName="flightdeck-reporting-mel")
    e.client(PROD, "redshift", USE1).create_cluster(
        ClusterIdentifier="growth-analytics", NodeType="dc2.large", ClusterType="single-node", MasterUsername="growth",
        MasterUserPassword="Not-a-real-password-2", Encrypted=False, PubliclyAccessible=True,
        AutomatedSnapshotRetentionPeriod=1, Tags=tag_list(growth))
    cache = e.client(PROD, "elasticache", SYD)
    cache.create_replication_group(
        ReplicationGroupId="flightdeck-sessions-cache", ReplicationGroupDescription="web sessions", Engine="redis",
        CacheNodeType="cache.r7g.large", NumCacheClusters=2, AtRestEncryptionEnabled=True, KmsKeyId=e.key("prod-ebs"),
        TransitEncryptionEnabled=True, SnapshotRetentionLimit=7, Tags=tag_list(prod))
    cache.create_replication_group(
        ReplicationGroupId="flightdeck-web-cache", ReplicationGroupDescription="page fragments", Engine="redis",
        CacheNodeType="cache.t4g.medium", NumCacheClusters=1, Tags=tag_list(prod))
    search = e.client(PROD, "opensearch", SYD)
    search.create_domain(DomainName="flightdeck-search", EngineVersion="OpenSearch_2.13",
                         EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": e.key("prod-ebs")},
                         NodeToNodeEncryptionOptions={"Enabled": True}, DomainEndpointOptions={"EnforceHTTPS": True},
                         TagList=tag_list(prod))
    open_policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*",
         "Resource": f"arn:aws:es:{SYD}:{PROD}:domain/growth-logs/*"}]}
    search.create_domain(DomainName="growth-logs", EngineVersion="OpenSearch_2.13",
                         AccessPolicies=json.dumps(open_policy), TagList=tag_list(growth))


def seed_secrets(e):
    """Secrets Manager: the production database credentials on the production RDS key,
    replicated to Melbourne (compliant); the growth team's API key on the AWS-managed key
    aws/secretsmanager, replicated to us-east-1 (encryption and residency fail, and its
    replica there fails residency)."""
    sm = e.client(PROD, "secretsmanager", SYD)
    sm.create_secret(Name="flightdeck/prod/db", SecretString="not-a-real-secret", KmsKeyId=e.key("prod-rds"),
                     AddReplicaRegions=[{"Region": MEL, "KmsKeyId": e.key("prod-rds-mel")}],
                     Tags=tag_list({"environment": "production", "owner": "platform-team"}))
    sm.create_secret(Name="growth/partner-api-key", SecretString="not-a-real-secret",
                     AddReplicaRegions=[{"Region": USE1}],
                     Tags=tag_list({"environment": "production", "owner": "growth-team"}))


def seed_file_systems(e):
    """EFS: flightdeck-shared in Sydney on the production EBS key with automatic backups
    (its replication to eu-west-1 is replayed), growth-uploads in us-east-1 unencrypted and
    without automatic backups."""
    efs = e.client(PROD, "efs", SYD)
    shared = efs.create_file_system(CreationToken="flightdeck-shared", Encrypted=True, KmsKeyId=e.key("prod-ebs"),
                                    Backup=True, Tags=tag_list({"Name": "flightdeck-shared", **PROD_TAGS}))
    e.efs = {"flightdeck-shared": shared["FileSystemId"]}
    growth = e.client(PROD, "efs", USE1).create_file_system(
        CreationToken="growth-uploads", Encrypted=False,
        Tags=tag_list({"Name": "growth-uploads", "environment": "production", "owner": "growth-team"}))
    e.efs["growth-uploads"] = growth["FileSystemId"]


def seed_db_clusters(e):
    """RDS DB clusters and cluster snapshots, last of all for the same reason as the key
    grants. flightdeck-ledger (Aurora PostgreSQL on the production RDS key, 35 days) is the
    primary of a global database whose secondary is in Melbourne: compliant. growth-graph
    (Neptune, us-east-1, unencrypted, one day of backups) fails encryption, residency and
    retention, and its manual snapshot is shared with everyone; the ledger's manual snapshot
    is shared with the backup account only."""
    rds = e.client(PROD, "rds", SYD)
    rds.create_global_cluster(GlobalClusterIdentifier="flightdeck-ledger-global", Engine="aurora-postgresql",
                              StorageEncrypted=True, DeletionProtection=True)
    rds.create_db_cluster(DBClusterIdentifier="flightdeck-ledger", Engine="aurora-postgresql",
                          GlobalClusterIdentifier="flightdeck-ledger-global", MasterUsername="fdadmin",
                          MasterUserPassword="not-a-real-password-1", StorageEncrypted=True,
                          KmsKeyId=e.key("prod-rds"), BackupRetentionPeriod=35, DeletionProtection=True,
                          Tags=tag_list({"environment": "production", "owner": "platform-team",
                                         "data-classification": "confidential"}))
    e.client(PROD, "rds", MEL).create_db_cluster(
        DBClusterIdentifier="flightdeck-ledger-mel", Engine="aurora-postgresql",
        GlobalClusterIdentifier="flightdeck-ledger-global", StorageEncrypted=True,
        KmsKeyId=e.key("prod-rds-mel"), BackupRetentionPeriod=35, DeletionProtection=True,
        Tags=tag_list({"environment": "production", "owner": "platform-team",
                       "data-classification": "confidential"}))
    rds_us = e.client(PROD, "rds", USE1)
    rds_us.create_db_cluster(DBClusterIdentifier="growth-graph", Engine="neptune", StorageEncrypted=False,
                             BackupRetentionPeriod=1,
                             Tags=tag_list({"environment": "production", "owner": "growth-team",
                                            "data-classification": "internal"}))
    rds.create_db_cluster_snapshot(DBClusterIdentifier="flightdeck-ledger",
                                   DBClusterSnapshotIdentifier="flightdeck-ledger-before-partitioning")
    rds.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier="flightdeck-ledger-before-partitioning",
                                             AttributeName="restore", ValuesToAdd=[BACKUP])
    rds_us.create_db_cluster_snapshot(DBClusterIdentifier="growth-graph",
                                      DBClusterSnapshotIdentifier="growth-graph-export")
    rds_us.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier="growth-graph-export",
                                                AttributeName="restore", ValuesToAdd=["all"])


def config_inventory():
    """What AWS Config's inventory answers (config:SelectResourceConfig), per account and
    region, beyond what moto records: the two tables, and stores of types assay has no
    collector for."""
    def row(kind, rid, region, arn):
        return {"resourceId": rid, "resourceName": rid, "resourceType": kind, "awsRegion": region,
                "accountId": PROD, "arn": arn}
    return [
        {"account": PROD, "region": SYD, "rows": [
            row("AWS::DynamoDB::Table", name, SYD, f"arn:aws:dynamodb:{SYD}:{PROD}:table/{name}")
            for name, *_ in TABLES] + [
            row("AWS::MSK::Cluster", "flightdeck-events", SYD,
                f"arn:aws:kafka:{SYD}:{PROD}:cluster/flightdeck-events/7c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f-2")]},
        {"account": PROD, "region": EUW1, "rows": [
            row("AWS::MSK::Cluster", "flightdeck-eu-events", EUW1,
                f"arn:aws:kafka:{EUW1}:{PROD}:cluster/flightdeck-eu-events/2b3c4d5e-6f7a-8b9c-0d1e-2f3a4b5c6d7e-1"),
            row("AWS::SQS::Queue", f"https://sqs.{EUW1}.amazonaws.com/{PROD}/flightdeck-eu-events", EUW1,
                f"arn:aws:sqs:{EUW1}:{PROD}:flightdeck-eu-events")]},
    ]
IMAGE_KEYS = {SYD: "prod-ebs", MEL: "prod-ebs-mel", USE1: "prod-growth"}


def seed_images(e):
    """Monthly images (AMIs) of every production instance, made with CreateImage (so AWS
    records SourceInstanceId): the November and October patch images, 20 and 50 days old,
    encrypted with the region's EBS key. Deliberate failures: app-03 keeps only November's
    (backup.ami-per-instance), growth-wordpress has one image, and it is public
    (residency.ami-launch-permissions). Last, as the key grants: moto draws ids from its
    seeded generator, so these writes change no earlier id. Dates, the devices' encryption
    and the encryption of the snapshots behind the images are replayed (moto stamps the
    seeding time, leaves `encrypted` out of the image and makes the snapshots unencrypted).
    Returns (image id -> replay entry, snapshot id -> key ARN)."""
    images, snapshots = {}, {}
    for handle, inst in e.instances.items():
        ec2 = e.client(inst["account"], "ec2", inst["region"])
        months = [("2026-11", 480.5), ("2026-10", 1200.5)]
        if handle in ("app-03", "growth-wp"):
            months = months[:1]
        key = e.key(IMAGE_KEYS[inst["region"]])
        for month, hours in months:
            name = f"{handle}-patched-{month}"
            image_id = ec2.create_image(InstanceId=inst["id"], Name=name, NoReboot=True,
                                        TagSpecifications=[{"ResourceType": "image", "Tags": tag_list(
                                            {"Name": name, "purpose": "monthly-ami"})}])["ImageId"]
            images[image_id] = {"hours_ago": hours, "encrypted": True, "key": key}
            for image in ec2.describe_images(ImageIds=[image_id])["Images"]:
                for device in image.get("BlockDeviceMappings", []):
                    if device.get("Ebs", {}).get("SnapshotId"):
                        snapshots[device["Ebs"]["SnapshotId"]] = key
            if handle == "growth-wp":
                ec2.modify_image_attribute(ImageId=image_id, LaunchPermission={"Add": [{"Group": "all"}]})
    return images, snapshots


# --- IAM Identity Center and restore tests ---------------------------------------------------

# Identity Center: the organisation's instance (home region Sydney), administered from the
# utility account as its delegated administrator, so the scan of that account reads it.
# The support group is provisioned from Active Directory (its ExternalIds are replayed: moto
# keeps none); Developers was made by hand in Identity Center.
SSO_GROUPS = [
    # display name, description, AD object id (None: made in Identity Center), members
    ("AWS-Support", "AD: GG-AWS-Support", "S-1-5-21-1390067357-1202590428-2064532313-4121",
     ["ian.murphy", "priya.natarajan"]),
    ("Developers", "Flightdeck developers (made in Identity Center)", None, ["jack.taylor"]),
]
SSO_USERS = ["ian.murphy", "priya.natarajan", "jack.taylor"]
# Identity Center sign-ins (CloudTrail UserAuthentication, with the CredentialVerification
# events of the same workflow), replayed by the test proxy: user, workflow id, credential
# types verified, hours before the scan. priya.natarajan (support) verified a password and
# a TOTP code (iam.identity-center-signin-mfa PASS); ian.murphy (support) came through the
# external identity provider, which AWS cannot see into (NOT_APPLICABLE there: attested by
# manual.support-idp-mfa); jack.taylor is no support user.
SSO_SIGNINS = [
    ("priya.natarajan", "3b1e6c2a-0d4f-4e8a-9b7c-5a1d2e3f4a01", ["PASSWORD", "TOTP"], 30),
    ("ian.murphy", "3b1e6c2a-0d4f-4e8a-9b7c-5a1d2e3f4a02", ["EXTERNAL_IDP"], 54),
    ("jack.taylor", "3b1e6c2a-0d4f-4e8a-9b7c-5a1d2e3f4a03", ["PASSWORD"], 8),
]
# name, managed policy, session, assignments (group or user@, accounts). The break-glass
# administrator is also assigned to ian.murphy directly: a support permission set held by a
# user outside the directory group (iam.identity-center-support-assignments FAIL).
PERMISSION_SETS = [
    # AWSSupportAccess (moto refuses job-function/SupportUser in a permission set: it reads
    # the managed policy's path from a key its data does not have).
    ("Support", "arn:aws:iam::aws:policy/AWSSupportAccess", "PT4H",
     [("GROUP", "AWS-Support", [PROD, BACKUP])]),
    ("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess", "PT8H",
     [("GROUP", "AWS-Support", [PROD]), ("USER", "ian.murphy", [PROD])]),
    ("ReadOnly", "arn:aws:iam::aws:policy/ReadOnlyAccess", "PT8H",
     [("GROUP", "Developers", [PROD])]),
]
# AWS Backup restore tests (replayed: moto implements no restore testing): the monthly
# restore testing plan in production and the restores it ran, the DR restore test in
# Melbourne and the growth team's in us-east-1 (each region's backups are judged by that
# region's restores), and the restores run by hand in the backup and utility accounts.
# Every one completed within a working day.
RESTORE_PLANS = [
    # account, region, name, schedule, hours since it last ran
    (PROD, SYD, "monthly_restore_test", "cron(0 2 ? * SUN#1 *)", 24 * 5 + 10),
]
RESTORE_JOBS = [
    # account, region, id, resource type, hours ago started, minutes taken, status, plan
    (PROD, SYD, "5d0e7a31-8c2b-4f6e-9a14-3b7c2e9d1f01", "RDS", 24 * 5 + 10, 160, "COMPLETED",
     "monthly_restore_test"),
    (PROD, SYD, "5d0e7a31-8c2b-4f6e-9a14-3b7c2e9d1f02", "EBS", 24 * 5 + 10, 25, "COMPLETED",
     "monthly_restore_test"),
    (PROD, SYD, "5d0e7a31-8c2b-4f6e-9a14-3b7c2e9d1f03", "RDS", 24 * 33 + 10, 171, "COMPLETED",
     "monthly_restore_test"),
    (PROD, MEL, "5d0e7a31-8c2b-4f6e-9a14-3b7c2e9d1f04", "RDS", 24 * 47 + 3, 232, "COMPLETED", None),
    (PROD, USE1, "5d0e7a31-8c2b-4f6e-9a14-3b7c2e9d1f05", "RDS", 24 * 20 + 7, 48, "COMPLETED", None),
    (BACKUP, SYD, "9b4f2c17-6a3e-4d8b-b5c9-0e1f2a3b4c01", "RDS", 24 * 40, 205, "COMPLETED", None),
    (UTILITY, SYD, "c3a8e6d2-1f4b-4a7c-8e9d-5b6a7c8d9e01", "RDS", 24 * 61, 290, "COMPLETED", None),
]


def seed_identity_center(e):
    """Identity Center in the utility account (last, for the same reason as the key grants).
    Returns the replay: the accounts each permission set is provisioned to (moto lists only
    its own), the groups' AD ids and where the instance is."""
    sso = e.client(UTILITY, "sso-admin", SYD)
    instance = sso.list_instances()["Instances"][0]
    arn, store = instance["InstanceArn"], instance["IdentityStoreId"]
    ids = e.client(UTILITY, "identitystore", SYD)
    users = {}
    for name in SSO_USERS:
        given, family = name.split(".")
        users[name] = ids.create_user(
            IdentityStoreId=store, UserName=f"{name}@flightdeck.example",
            DisplayName=f"{given.title()} {family.title()}",
            Name={"GivenName": given.title(), "FamilyName": family.title()})["UserId"]
    groups, external = {}, {}
    for name, description, ad_id, members in SSO_GROUPS:
        groups[name] = ids.create_group(IdentityStoreId=store, DisplayName=name, Description=description)["GroupId"]
        if ad_id:
            external[name] = ad_id
        for member in members:
            ids.create_group_membership(IdentityStoreId=store, GroupId=groups[name], MemberId={"UserId": users[member]})
    provisioned = {}
    for name, policy, session, assignments in PERMISSION_SETS:
        ps = sso.create_permission_set(InstanceArn=arn, Name=name, SessionDuration=session)["PermissionSet"][
            "PermissionSetArn"]
        sso.attach_managed_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=ps, ManagedPolicyArn=policy)
        accounts = set()
        for principal_type, principal, targets in assignments:
            principal_id = groups[principal] if principal_type == "GROUP" else users[principal]
            for target in targets:
                accounts.add(target)
                sso.create_account_assignment(
                    InstanceArn=arn, TargetId=target, TargetType="AWS_ACCOUNT", PermissionSetArn=ps,
                    PrincipalType=principal_type, PrincipalId=principal_id)
        provisioned[ps] = sorted(accounts)
    signins = [{"user": user, "user_id": users[user], "workflow": workflow, "credentials": credentials,
                "hours_ago": hours} for user, workflow, credentials, hours in SSO_SIGNINS]
    return {"account": UTILITY, "region": SYD, "management_account": "123456789012",
            "provisioned": provisioned, "external_ids": external, "signins": signins}


def restores():
    plans = [{"account": a, "region": r, "name": n, "schedule": s, "last_hours_ago": h}
             for a, r, n, s, h in RESTORE_PLANS]
    jobs = [{"account": a, "region": r, "id": i, "type": t, "hours_ago": h, "minutes": m, "status": st,
             "plan": p} for a, r, i, t, h, m, st, p in RESTORE_JOBS]
    return {"plans": plans, "jobs": jobs}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    args = parser.parse_args()
    moto_api(args.endpoint, "/moto-api/reset")
    moto_api(args.endpoint, f"/moto-api/seed?a={MOTO_SEED}")
    e = Estate(args.endpoint)
    seed_keys(e)
    seed_network(e)
    seed_compute(e)
    seed_snapshots(e)
    seed_rds(e)
    seed_buckets(e)
    seed_iam(e)
    seed_logging(e)
    seed_backup(e)
    seed_key_grants(e)
    seed_data_stores(e)
    e.images, e.image_snapshots = seed_images(e)
    e.site_backups = seed_site_backups(e)
    identity_center = seed_identity_center(e)
    seed_snapshot_series(e)
    seed_late_stores(e)
    out = {
        "accounts": {PROD: "production", BACKUP: "backup", UTILITY: "dr"},
        "regions": REGIONS,
        # Listed by `assay collect --s3-backups` (the Aeronet profile's location).
        "s3_backup_locations": ["/".join(SITE_BACKUPS)],
        "keys": {h: arn for h, (_a, _r, arn) in e.keys.items()},
        "instances": {h: i["id"] for h, i in e.instances.items()},
        "plans": {n: p["id"] for n, p in e.plans.items()},
        "replay": {**replay(e), "identity_center": identity_center, "restores": restores()},
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    sys.exit(main())
