#!/usr/bin/env python3
"""Generate the sample evidence snapshot `samples/aws-sample/snapshot.json`.

What it models
--------------
The AWS estate of a fictional SaaS vendor, "Flightdeck", built after the two vendor
compliance statements in the project's seed documents (an aviation-safety SaaS that
encrypts everything with KMS, keeps data and backups in Sydney, ships backups to a separate
AWS account and keeps a DR copy in a utility account). Three accounts:

- 111122223333  production  (ap-southeast-2, ap-southeast-4, us-east-1, eu-west-1 read;
                             me-central-1 requested but not opted in, so not read)
- 444455556666  backup      (ap-southeast-2, ap-southeast-4)
- 777788889999  utility/DR  (ap-southeast-2)

Most resources are compliant; deliberate failures are sprinkled through every check
family (encryption, CMK use, key rotation, residency, backup retention and copies,
freshness, security groups, IAM MFA, CloudTrail, Config, ...), and two gaps are recorded
(an AccessDenied listing recovery points, and an AccessDenied reading one bucket's
encryption). Two Name tags carry HTML/script payloads for report-escaping tests.

The output is in assay's snapshot format (see src/snapshot.rs and
src/snapshot/resources.rs): every resource's attribute groups cite, by SHA-256, a raw API
response kept in `raw_responses`, and the manifest digest covers the whole document
(SHA-256 over the RFC 8785 canonical JSON of everything but `manifest`; the snapshot holds
no floating-point numbers, so sorted-key compact JSON is the canonical form).

Deliberate findings (what the rules should report; see the generator's sections):
- encryption: AES256-only buckets (prod-config-logs, prod-alb-logs, dev-sandbox,
  backup-cloudtrail); prod-static-assets on the AWS-managed aws/s3 key; everything on the
  staging CMK (rotation off); unencrypted volumes (the `<script>` scratch volume, app-07's
  data disk, growth-wordpress root) and their snapshots; worker-03's data disk on aws/ebs;
  unencrypted legacy MySQL and its snapshots; growth-analytics on aws/rds; the `Default`
  vault on aws/backup; app-07's EC2 recovery points unencrypted; two trails without KMS;
  EBS encryption by default off in production us-east-1.
- residency: a bucket, an instance, an RDS instance, a vault and keys in us-east-1; S3
  replication to us-east-1; a multi-Region key replicated to us-west-2; the `analytics`
  backup plan copying to us-east-1 (ap-southeast-4 is allowed by some profiles only).
- backup: `staging` plan (14 days, no copies, no weekly/monthly); `analytics` and
  `melbourne-dr` plans (35 days, copies outside the DR region or account); `melbourne-dr`
  snapshot rule twice a day kept 3 days; flightdeck-reporting's newest recovery point is
  3+ days old; app-04's newest point is PARTIAL; staging RDS retention 1 day; the
  prod-site-backups bucket expires after 14 days.
- network: SSH open to 0.0.0.0/0, RDP open to ::/0, all traffic open to 0.0.0.0/0, ports
  8000-9000 public; the staging VPC's default group keeps AWS's default rules; IMDSv1 on
  worker-05, worker-06 and growth-wordpress; an unlabelled VPC in us-east-1.
- IAM and logging: support user ian.murphy and developer jack.taylor without MFA;
  support-legacy role without an MFA condition; backup account without a password policy;
  utility account with a weak policy, no root MFA and root access keys; backup-account and
  utility trails not compliant; Config stopped in production us-east-1 and absent in the
  backup account's ap-southeast-4; console sign-ins without MFA by ian.murphy and
  jack.taylor (us-east-1).
- gaps: gap-1 (recovery points of the backup account's Melbourne vault, AccessDenied) and
  gap-2 (one bucket's encryption, AccessDenied).

Only operations the live collector declares (src/collect/operations.rs) are cited, so the
sample reads like a real scan: hence no tags on KMS keys, IAM users/roles, trails and
backup plans (their tag calls are not collected), and `shared_with` of RDS snapshots is
empty (rds:DescribeDBSnapshotAttributes is not collected).

Conventions of our own (not AWS's):
- `aws_region` resources use the ARN `arn:aws:ec2:REGION:ACCOUNT:region/REGION`.
- `aws_account` resources use `arn:aws:iam::ACCOUNT:root`, id = the account id.
- `aws_kms_key` `resource` provenance cites kms:DescribeKey (kms:ListKeys carries only ids).
- IAM calls and s3:ListBuckets are recorded with region `global`.

Deterministic: fixed seed, fixed timestamps, no wall clock; standard library only.

Run from the repository root:

    python3 samples/generate_sample.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------

SEED = 20261122
UTC = timezone.utc
COLLECTED_AT = datetime(2026, 11, 22, 4, 0, 0, tzinfo=UTC)
CALLS_START = datetime(2026, 11, 22, 3, 41, 0, tzinfo=UTC)

PROD, BACKUP, UTILITY = "111122223333", "444455556666", "777788889999"
SYD, MEL, USE1, EUW1, MEC1 = "ap-southeast-2", "ap-southeast-4", "us-east-1", "eu-west-1", "me-central-1"
GLOBAL = "global"

OUTPUT = Path(__file__).resolve().parent / "aws-sample" / "snapshot.json"

ACCOUNTS = [
    {
        "account_id": PROD,
        "alias": "flightdeck-prod",
        "role": "production",
        "regions_requested": [SYD, MEL, USE1, EUW1, MEC1],
        "regions_read": [SYD, MEL, USE1, EUW1],
        "regions_not_read": [{"region": MEC1, "reason": "not opted in (OptInRequired)"}],
    },
    {
        "account_id": BACKUP,
        "alias": "flightdeck-backup",
        "role": "backup",
        "regions_requested": [SYD, MEL],
        "regions_read": [SYD, MEL],
        "regions_not_read": [],
    },
    {
        "account_id": UTILITY,
        "alias": None,
        "role": "dr",
        "regions_requested": [SYD],
        "regions_read": [SYD],
        "regions_not_read": [],
    },
]

EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
RDS_NS = "http://rds.amazonaws.com/doc/2014-10-31/"
S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"

# The attribute fields of each resource type, in the order the Rust structs declare them
# (src/snapshot/resources.rs). `add_resource` refuses anything else.
ATTRIBUTE_FIELDS = {
    "aws_account": ["alias", "root_mfa_enabled", "root_access_keys_present", "password_policy"],
    "aws_region": ["opt_in_status", "in_use", "ebs_encryption_by_default"],
    "aws_s3_bucket": ["created", "encryption", "versioning", "lifecycle_rules", "replication",
                      "public_access_block", "object_lock"],
    "aws_ebs_volume": ["availability_zone", "size_gib", "volume_type", "state", "attached_instance_ids",
                       "encryption"],
    "aws_ebs_snapshot": ["volume_id", "start_time", "state", "description", "encryption", "shared_with"],
    "aws_ec2_instance": ["state", "instance_type", "image_id", "launch_time", "vpc_id", "subnet_id",
                         "public_ip", "key_name", "imds_v2_required", "security_group_ids", "volume_ids"],
    "aws_vpc": ["cidr_block", "is_default", "state"],
    "aws_security_group": ["group_id", "vpc_id", "description", "is_default", "ingress", "egress",
                           "attached_enis"],
    "aws_rds_instance": ["engine", "instance_class", "status", "encryption", "backup_retention_days",
                         "publicly_accessible", "multi_az", "deletion_protection"],
    "aws_rds_snapshot": ["db_instance_id", "snapshot_type", "created", "status", "encryption", "shared_with"],
    "aws_kms_key": ["key_id", "key_manager", "key_state", "key_spec", "key_usage", "description",
                    "rotation_enabled", "rotation_period_days", "multi_region", "multi_region_role",
                    "primary_region", "replica_regions", "aliases"],
    "aws_iam_user": ["created", "console_access", "password_last_used", "mfa_devices", "groups",
                     "access_keys", "attached_policies"],
    "aws_iam_group": ["members", "attached_policies"],
    "aws_iam_role": ["path", "created", "assume_role_policy", "attached_policies", "is_service_linked"],
    "aws_cloudtrail_trail": ["home_region", "is_multi_region", "is_organization_trail", "is_logging",
                             "log_file_validation_enabled", "kms_key_arn", "s3_bucket_name",
                             "records_management_events"],
    "aws_config_recorder": ["recording", "all_supported", "include_global_resource_types", "last_status",
                            "role_arn"],
    "aws_backup_plan": ["plan_id", "version_id", "rules", "selected_resources"],
    "aws_backup_vault": ["encryption", "locked", "min_retention_days", "max_retention_days", "recovery_points"],
    "aws_backup_recovery_point": ["vault_name", "source_resource_arn", "source_resource_type", "created",
                                  "status", "encryption", "delete_after_days", "cold_storage_after_days",
                                  "frequency", "copied_from_account"],
    "aws_console_signin": ["user_name", "event_time", "user_type", "principal_arn", "source_ip", "mfa_used",
                           "login_result", "error_message"],
}

# --------------------------------------------------------------------------------------
# Small helpers: time, hashing, XML / JSON bodies
# --------------------------------------------------------------------------------------


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """RFC 3339 UTC, whole seconds, as the snapshot stores times."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(moment: datetime) -> str:
    """The millisecond form the EC2 / S3 / RDS XML APIs use."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def epoch(moment: datetime) -> float:
    """Epoch seconds with a deterministic millisecond part, as the awsJson protocols send
    timestamps (only ever inside raw bodies; the snapshot itself holds no floats)."""
    return round(moment.timestamp() + (moment.second * 37 % 1000) / 1000, 3)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def xml_render(tag: str, value, depth: int = 0, attrs: str = "") -> str:
    """Renders (tag, value) where value is text, int, bool, None (empty element) or a
    list of (tag, value) children."""
    pad = "  " * depth
    if isinstance(value, list):
        if not value:
            return f"{pad}<{tag}{attrs}/>"
        inner = "\n".join(xml_render(t, v, depth + 1) for t, v in value)
        return f"{pad}<{tag}{attrs}>\n{inner}\n{pad}</{tag}>"
    if value is None:
        return f"{pad}<{tag}{attrs}/>"
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = escape(str(value))
    return f"{pad}<{tag}{attrs}>{text}</{tag}>"


def xml_doc(root: str, children: list, ns: str | None = None) -> str:
    attrs = f' xmlns="{ns}"' if ns else ""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_render(root, children, 0, attrs) + "\n"


def json_body(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


def ec2_tags(tags: dict) -> tuple:
    return ("tagSet", [("item", [("key", k), ("value", v)]) for k, v in tags.items()])


def enc(kms_key_arn: str | None = None, algorithm: str | None = None) -> dict:
    """An Encryption object: KMS when a key is given, `AES256` when only the algorithm
    is, unencrypted when neither is."""
    if kms_key_arn:
        return {"enabled": True, "algorithm": algorithm or "aws:kms", "kms_key_arn": kms_key_arn}
    if algorithm:
        return {"enabled": True, "algorithm": algorithm, "kms_key_arn": None}
    return {"enabled": False, "algorithm": None, "kms_key_arn": None}


def az(region: str, index: int) -> str:
    return f"{region}{'abc'[index % 3]}"


# --------------------------------------------------------------------------------------
# The collector: ids, the call clock, raw responses, resources and gaps
# --------------------------------------------------------------------------------------


class Estate:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.used_ids: set[str] = set()
        self.clock = CALLS_START
        self.raw_responses: dict[str, dict] = {}
        self.resources: list[dict] = []
        self.gaps: list[dict] = []
        # Registries filled while the estate is described, read by later sections.
        self.keys: dict[str, dict] = {}
        self.vpcs: dict[str, dict] = {}
        self.subnets: dict[str, list[str]] = {}
        self.sgs: dict[str, dict] = {}
        self.instances: dict[str, dict] = {}
        self.volumes: dict[str, dict] = {}
        self.enis: list[dict] = []
        self.rds: dict[str, dict] = {}
        self.buckets: dict[str, dict] = {}
        self.users: list[dict] = []
        self.images: dict[str, str] = {}
        self.replication_role = ""
        self.role_counts: dict[str, int] = {}

    # ---- ids -------------------------------------------------------------------------

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def ec2_id(self, prefix: str) -> str:
        """`vol-0123456789abcdef0` style: prefix, a dash and 17 hex digits."""
        return self._unique(lambda: f"{prefix}-0{self.rng.getrandbits(64):016x}")

    def uuid4(self) -> str:
        def make() -> str:
            raw = bytearray(self.rng.getrandbits(128).to_bytes(16, "big"))
            raw[6] = (raw[6] & 0x0F) | 0x40
            raw[8] = (raw[8] & 0x3F) | 0x80
            return str(uuid.UUID(bytes=bytes(raw)))

        return self._unique(make)

    def hexdigits(self, n: int) -> str:
        return self._unique(lambda: "".join(self.rng.choice("0123456789abcdef") for _ in range(n)))

    def iam_id(self, prefix: str, n: int = 17) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        return self._unique(lambda: prefix + "".join(self.rng.choice(alphabet) for _ in range(n)))

    def s3_request_id(self) -> str:
        return self._unique(lambda: f"{self.rng.getrandbits(64):016X}")

    def s3_host_id(self) -> str:
        return base64.b64encode(self.rng.getrandbits(456).to_bytes(57, "big")).decode()

    # ---- calls, responses, resources -------------------------------------------------

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        assert self.clock < COLLECTED_AT, "the call clock ran past collected_at"
        return self.clock

    def record(self, operation: str, region: str, body: str, content_type: str,
               request_id: str | None) -> dict:
        """Keeps a raw response and returns the provenance entry that cites it."""
        called_at = self.tick()
        digest = sha256_hex(body)
        existing = self.raw_responses.get(digest)
        if existing is not None:
            assert existing["operation"] == operation and existing["body"] == body
        self.raw_responses[digest] = {"operation": operation, "content_type": content_type, "body": body}
        return {
            "operation": operation,
            "region": region,
            "called_at": iso(called_at),
            "request_id": request_id,
            "response_sha256": digest,
        }

    def ec2_call(self, action: str, region: str, children: list) -> dict:
        rid = self.uuid4()
        body = xml_doc(f"{action}Response", [("requestId", rid)] + children, EC2_NS)
        return self.record(f"ec2:{action}", region, body, "text/xml", rid)

    def query_call(self, service: str, ns: str, action: str, region: str, result: list) -> dict:
        """IAM and RDS query-protocol responses: <ActionResponse><ActionResult>…"""
        rid = self.uuid4()
        body = xml_doc(
            f"{action}Response",
            [(f"{action}Result", result), ("ResponseMetadata", [("RequestId", rid)])],
            ns,
        )
        return self.record(f"{service}:{action}", region, body, "text/xml", rid)

    def iam_call(self, action: str, result: list) -> dict:
        return self.query_call("iam", IAM_NS, action, GLOBAL, result)

    def rds_call(self, action: str, region: str, result: list) -> dict:
        return self.query_call("rds", RDS_NS, action, region, result)

    def s3_call(self, action: str, region: str, root: str, children: list) -> dict:
        rid = self.s3_request_id()
        body = xml_doc(root, children, S3_NS)
        return self.record(f"s3:{action}", region, body, "application/xml", rid)

    def s3_error(self, action: str, region: str, code: str, message: str, bucket: str) -> dict:
        rid = self.s3_request_id()
        children = [("Code", code), ("Message", message), ("BucketName", bucket),
                    ("RequestId", rid), ("HostId", self.s3_host_id())]
        body = xml_doc("Error", children)
        return self.record(f"s3:{action}", region, body, "application/xml", rid)

    def json_call(self, operation: str, region: str, obj) -> dict:
        rid = self.uuid4()
        return self.record(operation, region, json_body(obj), "application/json", rid)

    def add_resource(self, type_name: str, *, arn: str, id: str, name: str, account: str, region: str,
                     tags: dict, attrs: dict, provenance: dict, unread: list | None = None) -> dict:
        expected = ATTRIBUTE_FIELDS[type_name]
        assert list(attrs) == expected, f"{type_name} {arn}: fields {list(attrs)} != {expected}"
        resource = {
            "arn": arn,
            "id": id,
            "name": name,
            "account": account,
            "region": region,
            "tags": dict(sorted(tags.items())),
            "type": type_name,
            **attrs,
            "provenance": dict(sorted(provenance.items())),
            "unread": unread or [],
        }
        self.resources.append(resource)
        return resource

    def add_gap(self, gap_id: str, *, account: str, service: str, region: str, operation: str, error_code: str,
                message: str, resource_types: list[str]) -> str:
        self.gaps.append({
            "id": gap_id,
            "account": account,
            "service": service,
            "region": region,
            "operation": operation,
            "error_code": error_code,
            "message": message,
            "resource_types": resource_types,
            "occurred_at": iso(self.tick()),
        })
        return gap_id

    def key_arn(self, handle: str) -> str:
        return self.keys[handle]["arn"]


# --------------------------------------------------------------------------------------
# KMS
# --------------------------------------------------------------------------------------

AWS_KEY_DESCRIPTIONS = {
    "s3": "Default key that protects my S3 objects when no other key is defined",
    "ebs": "Default key that protects my EBS volumes when no other key is defined",
    "rds": "Default key that protects my RDS database volumes when no other key is defined",
    "backup": "Default key that protects my backups when no other key is defined",
}


def define_key(e: Estate, handle: str, account: str, region: str, *, alias: str, description: str,
               rotation: bool = True, state: str = "Enabled",
               created: str = "2021-06-01T00:00:00Z", multi_region_role: str | None = None,
               primary: str | None = None, replica_regions: list[str] | None = None) -> None:
    if multi_region_role == "REPLICA":
        key_id = e.keys[primary]["key_id"]
    elif multi_region_role == "PRIMARY":
        key_id = "mrk-" + e.hexdigits(32)
    else:
        key_id = e.uuid4()
    e.keys[handle] = {
        "handle": handle,
        "account": account,
        "region": region,
        "key_id": key_id,
        "arn": f"arn:aws:kms:{region}:{account}:key/{key_id}",
        "manager": "CUSTOMER",
        "state": state,
        "description": description,
        "rotation": rotation,
        "multi_region_role": multi_region_role,
        "primary_region": e.keys[primary]["region"] if primary else (region if multi_region_role else None),
        "replica_regions": replica_regions or [],
        "primary_handle": primary,
        "aliases": [alias],
        "created": at(created),
    }


def define_aws_key(e: Estate, service: str, account: str, region: str, created: str) -> str:
    handle = f"aws/{service}@{account}/{region}"
    key_id = e.uuid4()
    e.keys[handle] = {
        "handle": handle,
        "account": account,
        "region": region,
        "key_id": key_id,
        "arn": f"arn:aws:kms:{region}:{account}:key/{key_id}",
        "manager": "AWS",
        "state": "Enabled",
        "description": AWS_KEY_DESCRIPTIONS[service],
        "rotation": True,
        "multi_region_role": None,
        "primary_region": None,
        "replica_regions": [],
        "primary_handle": None,
        "aliases": [f"alias/aws/{service}"],
        "created": at(created),
    }
    return handle


def describe_keys(e: Estate) -> None:
    # Production, Sydney: one CMK per purpose.
    define_key(e, "prod-data", PROD, SYD, alias="alias/flightdeck/data",
               description="Flightdeck production customer data (S3)",
               created="2020-02-11T03:12:40Z")
    define_key(e, "prod-ebs", PROD, SYD, alias="alias/flightdeck/ebs",
               description="Flightdeck production EBS volumes and snapshots",
               created="2020-02-11T03:14:02Z")
    define_key(e, "prod-rds", PROD, SYD, alias="alias/flightdeck/rds",
               description="Flightdeck production databases",
               created="2020-02-11T03:15:27Z")
    define_key(e, "prod-backup", PROD, SYD, alias="alias/flightdeck/backup",
               description="AWS Backup vault key, production",
               created="2021-04-06T22:41:09Z")
    define_key(e, "prod-cloudtrail", PROD, SYD, alias="alias/flightdeck/cloudtrail",
               description="CloudTrail log encryption",
               created="2020-02-12T00:03:55Z")
    define_key(e, "prod-staging", PROD, SYD, alias="alias/flightdeck/staging",
               description="Staging environment data", rotation=False,
               created="2022-08-19T05:30:12Z")
    define_key(e, "prod-legacy", PROD, SYD, alias="alias/flightdeck/legacy-app",
               description="Legacy application key (retired)", rotation=False, state="PendingDeletion",
               created="2018-10-02T01:00:00Z")
    define_key(e, "prod-tenant", PROD, SYD, alias="alias/flightdeck/tenant-data",
               description="Tenant uploads, multi-Region (Sydney primary, Melbourne replica)",
               created="2023-03-14T02:20:00Z", multi_region_role="PRIMARY", replica_regions=[MEL])
    define_key(e, "prod-reports", PROD, SYD, alias="alias/flightdeck/reports-global",
               description="Customer reports, multi-Region (replica in us-west-2 for the US mirror)",
               created="2024-01-22T21:45:10Z", multi_region_role="PRIMARY", replica_regions=["us-west-2"])
    define_aws_key(e, "s3", PROD, SYD, "2019-07-30T04:11:21Z")
    define_aws_key(e, "ebs", PROD, SYD, "2019-07-30T04:20:03Z")
    define_aws_key(e, "backup", PROD, SYD, "2021-04-06T22:38:40Z")
    # Production, Melbourne.
    define_key(e, "prod-data-mel", PROD, MEL, alias="alias/flightdeck/data-mel",
               description="Flightdeck production data, Melbourne",
               created="2023-03-14T02:05:00Z")
    define_key(e, "prod-ebs-mel", PROD, MEL, alias="alias/flightdeck/ebs-mel",
               description="Flightdeck EBS, Melbourne", created="2023-03-14T02:06:00Z")
    define_key(e, "prod-rds-mel", PROD, MEL, alias="alias/flightdeck/rds-mel",
               description="Flightdeck databases, Melbourne", created="2023-03-14T02:07:00Z")
    define_key(e, "prod-tenant-mel", PROD, MEL, alias="alias/flightdeck/tenant-data",
               description="Tenant uploads, multi-Region (Sydney primary, Melbourne replica)",
               created="2023-03-14T02:21:00Z", multi_region_role="REPLICA", primary="prod-tenant")
    # Production, us-east-1 (the growth team's stray workload).
    define_key(e, "prod-growth", PROD, USE1, alias="alias/growth/data",
               description="Growth marketing data",
               created="2024-05-02T15:10:00Z")
    define_aws_key(e, "ebs", PROD, USE1, "2024-05-02T15:30:00Z")
    define_aws_key(e, "rds", PROD, USE1, "2024-05-02T15:41:00Z")
    define_aws_key(e, "ebs", PROD, EUW1, "2022-11-09T10:02:00Z")
    # Backup account.
    define_key(e, "backup-vault-syd", BACKUP, SYD, alias="alias/backup/vault",
               description="Backup account vault key, Sydney", created="2021-04-07T01:00:00Z")
    define_key(e, "backup-s3-syd", BACKUP, SYD, alias="alias/backup/s3",
               description="Backup account S3 buckets, Sydney", created="2021-04-07T01:02:00Z")
    define_key(e, "backup-ebs-syd", BACKUP, SYD, alias="alias/backup/ebs",
               description="Backup account default EBS key, Sydney", created="2021-04-07T01:10:00Z")
    define_key(e, "backup-vault-mel", BACKUP, MEL, alias="alias/backup/vault-mel",
               description="Backup account vault key, Melbourne", created="2023-03-20T01:00:00Z")
    define_key(e, "backup-ebs-mel", BACKUP, MEL, alias="alias/backup/ebs-mel",
               description="Backup account default EBS key, Melbourne",
               created="2023-03-20T01:05:00Z")
    # Utility (DR) account.
    define_key(e, "util-dr", UTILITY, SYD, alias="alias/utility/dr",
               description="DR copies of production databases", created="2021-09-01T00:30:00Z")
    define_key(e, "util-logs", UTILITY, SYD, alias="alias/utility/logs",
               description="Utility account CloudTrail logs", created="2021-09-01T00:31:00Z")
    define_key(e, "util-ebs", UTILITY, SYD, alias="alias/utility/ebs",
               description="Utility account default EBS key", created="2021-09-01T00:40:00Z")


def emit_keys(e: Estate) -> None:
    groups: dict[tuple, list[dict]] = {}
    for key in e.keys.values():
        groups.setdefault((key["account"], key["region"]), []).append(key)
    for (account, region), keys in groups.items():
        aliases = []
        for key in keys:
            for alias in key["aliases"]:
                aliases.append({
                    "AliasName": alias,
                    "AliasArn": f"arn:aws:kms:{region}:{account}:{alias}",
                    "TargetKeyId": key["key_id"],
                    "CreationDate": epoch(key["created"]),
                    "LastUpdatedDate": epoch(key["created"]),
                })
        aliases_prov = e.json_call("kms:ListAliases", region, {"Aliases": aliases, "Truncated": False})
        for key in keys:
            meta = {
                "AWSAccountId": account,
                "KeyId": key["key_id"],
                "Arn": key["arn"],
                "CreationDate": epoch(key["created"]),
                "Enabled": key["state"] == "Enabled",
                "Description": key["description"],
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeyState": key["state"],
                "Origin": "AWS_KMS",
                "KeyManager": key["manager"],
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": key["multi_region_role"] is not None,
            }
            if key["state"] == "PendingDeletion":
                meta["DeletionDate"] = epoch(at("2026-12-19T22:14:03Z"))
                meta["PendingDeletionWindowInDays"] = 30
            if key["multi_region_role"]:
                primary = e.keys[key["primary_handle"]] if key["primary_handle"] else key
                replica_regions = primary["replica_regions"]
                meta["MultiRegionConfiguration"] = {
                    "MultiRegionKeyType": key["multi_region_role"],
                    "PrimaryKey": {"Arn": primary["arn"], "Region": primary["region"]},
                    "ReplicaKeys": [
                        {"Arn": f"arn:aws:kms:{r}:{account}:key/{primary['key_id']}", "Region": r}
                        for r in replica_regions
                    ],
                }
            provenance = {
                "resource": e.json_call("kms:DescribeKey", region, {"KeyMetadata": meta}),
                "aliases": aliases_prov,
            }
            if key["rotation"]:
                rotation = {
                    "KeyId": key["arn"],
                    "KeyRotationEnabled": True,
                    "NextRotationDate": epoch(key["created"].replace(year=2027)),
                    "RotationPeriodInDays": 365,
                }
            else:
                rotation = {"KeyId": key["arn"], "KeyRotationEnabled": False}
            provenance["rotation_enabled"] = e.json_call("kms:GetKeyRotationStatus", region, rotation)
            e.add_resource(
                "aws_kms_key",
                arn=key["arn"], id=key["key_id"], name=key["key_id"],
                account=account, region=region, tags={},
                attrs={
                    "key_id": key["key_id"],
                    "key_manager": key["manager"],
                    "key_state": key["state"],
                    "key_spec": "SYMMETRIC_DEFAULT",
                    "key_usage": "ENCRYPT_DECRYPT",
                    "description": key["description"],
                    "rotation_enabled": key["rotation"],
                    "rotation_period_days": 365 if key["rotation"] else None,
                    "multi_region": key["multi_region_role"] is not None,
                    "multi_region_role": key["multi_region_role"],
                    "primary_region": key["primary_region"],
                    "replica_regions": key["replica_regions"],
                    "aliases": key["aliases"],
                },
                provenance=provenance,
            )


# --------------------------------------------------------------------------------------
# EC2: VPCs, security groups, instances, volumes, snapshots
# --------------------------------------------------------------------------------------


def rule(protocol: str, from_port: int, to_port: int, *, v4=(), v6=(), sgs=(), prefix_lists=(),
         description: str | None = None) -> dict:
    """A normalised security-group rule; `sgs` holds SG handles, resolved to ids later."""
    if protocol == "all":
        from_port, to_port = 0, 65535
    return {
        "protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
        "ipv4_ranges": list(v4),
        "ipv6_ranges": list(v6),
        "source_security_groups": list(sgs),
        "prefix_lists": list(prefix_lists),
        "description": description,
    }


EGRESS_ALL = [rule("all", 0, 65535, v4=["0.0.0.0/0"])]
EGRESS_ALL_DUAL = [rule("all", 0, 65535, v4=["0.0.0.0/0"], v6=["::/0"])]
S3_PREFIX_LIST_SYD = "pl-6ca54005"


def define_vpc(e: Estate, handle: str, account: str, region: str, cidr: str, *, name: str | None = None,
               environment: str | None = None, default: bool = False) -> None:
    vpc_id = e.ec2_id("vpc")
    tags = {}
    if name:
        tags = {"Name": name, "owner": "platform-team"}
        if environment:
            tags["environment"] = environment
    e.vpcs[handle] = {"handle": handle, "id": vpc_id, "account": account, "region": region, "cidr": cidr,
                      "default": default, "tags": tags}
    e.subnets[handle] = [e.ec2_id("subnet") for _ in range(3)]
    # Every VPC has its `default` security group.
    define_sg(e, f"{handle}/default", handle, "default", "default VPC security group", [], [], default=True)


def define_sg(e: Estate, handle: str, vpc_handle: str, group_name: str, description: str, ingress: list,
              egress: list, *, name_tag: str | None = None, tags: dict | None = None,
              default: bool = False) -> None:
    vpc = e.vpcs[vpc_handle]
    all_tags = dict(tags or {})
    if not default:
        all_tags["Name"] = name_tag if name_tag is not None else group_name
    e.sgs[handle] = {"handle": handle, "id": e.ec2_id("sg"), "vpc": vpc_handle, "account": vpc["account"],
                     "region": vpc["region"], "group_name": group_name, "description": description,
                     "ingress": ingress, "egress": egress, "default": default, "tags": all_tags}


def describe_network(e: Estate) -> None:
    define_vpc(e, "prod-syd", PROD, SYD, "10.10.0.0/16", name="flightdeck-production-syd", environment="production")
    define_vpc(e, "stg-syd", PROD, SYD, "10.20.0.0/16", name="flightdeck-staging-syd", environment="staging")
    define_vpc(e, "dev-syd", PROD, SYD, "10.30.0.0/16", name="flightdeck-development-syd", environment="development")
    define_vpc(e, "default-prod-syd", PROD, SYD, "172.31.0.0/16", default=True)
    define_vpc(e, "prod-mel", PROD, MEL, "10.40.0.0/16", name="flightdeck-production-mel", environment="production")
    define_vpc(e, "default-prod-mel", PROD, MEL, "172.31.0.0/16", default=True)
    define_vpc(e, "growth-use1", PROD, USE1, "10.50.0.0/16", name="growth-marketing-use1", environment="production")
    # An agency-built VPC nobody labelled with its environment.
    define_vpc(e, "wp-legacy-use1", PROD, USE1, "10.51.0.0/16", name="wordpress-legacy")
    define_vpc(e, "default-prod-use1", PROD, USE1, "172.31.0.0/16", default=True)
    define_vpc(e, "default-prod-euw1", PROD, EUW1, "172.31.0.0/16", default=True)
    define_vpc(e, "default-backup-syd", BACKUP, SYD, "172.31.0.0/16", default=True)
    define_vpc(e, "default-backup-mel", BACKUP, MEL, "172.31.0.0/16", default=True)
    define_vpc(e, "dr-syd", UTILITY, SYD, "10.60.0.0/16", name="utility-dr-syd", environment="dr")
    define_vpc(e, "default-util-syd", UTILITY, SYD, "172.31.0.0/16", default=True)

    # The staging VPC's default group still carries the rules AWS creates it with.
    stg_default = e.sgs["stg-syd/default"]
    stg_default["ingress"] = [rule("all", 0, 65535, sgs=["stg-syd/default"])]
    stg_default["egress"] = [rule("all", 0, 65535, v4=["0.0.0.0/0"])]

    prod = {"environment": "production", "owner": "platform-team"}
    web_public = [
        rule("tcp", 443, 443, v4=["0.0.0.0/0"], v6=["::/0"], description="HTTPS from anywhere"),
        rule("tcp", 80, 80, v4=["0.0.0.0/0"], v6=["::/0"], description="HTTP redirect to HTTPS"),
    ]
    # Production VPC, Sydney.
    define_sg(e, "web-alb", "prod-syd", "flightdeck-web-alb", "Public load balancer", web_public, EGRESS_ALL_DUAL,
              tags=prod)
    define_sg(e, "web-servers", "prod-syd", "flightdeck-web-servers", "Web tier (nginx)",
              [rule("tcp", 443, 443, sgs=["web-alb"], description="From the load balancer"),
               rule("tcp", 22, 22, v4=["10.10.0.0/16"], description="SSH from inside the VPC")],
              EGRESS_ALL, tags=prod)
    define_sg(e, "app-servers", "prod-syd", "flightdeck-app-servers", "Application tier (IIS)",
              [rule("tcp", 443, 443, sgs=["web-servers"], description="From the web tier"),
               rule("tcp", 8443, 8443, sgs=["web-alb"], description="API from the load balancer")],
              EGRESS_ALL, tags=prod)
    define_sg(e, "workers", "prod-syd", "flightdeck-workers", "Background workers (no inbound)", [],
              [rule("tcp", 443, 443, prefix_lists=[S3_PREFIX_LIST_SYD], description="S3 gateway endpoint"),
               rule("all", 0, 65535, v4=["10.10.0.0/16"], description="Inside the VPC")],
              tags=prod)
    define_sg(e, "db-sqlserver", "prod-syd", "flightdeck-db-sqlserver", "SQL Server",
              [rule("tcp", 1433, 1433, sgs=["app-servers", "workers"], description="App and workers")],
              [], tags=prod)
    define_sg(e, "db-postgres", "prod-syd", "flightdeck-db-postgres", "PostgreSQL",
              [rule("tcp", 5432, 5432, sgs=["app-servers", "workers"], description="App and workers")],
              [], tags=prod)
    define_sg(e, "db-legacy-mysql", "prod-syd", "flightdeck-db-legacy-mysql", "Legacy MySQL",
              [rule("tcp", 3306, 3306, sgs=["app-servers"], description="App tier")], [], tags=prod)
    define_sg(e, "redis", "prod-syd", "flightdeck-redis", "Session cache",
              [rule("tcp", 6379, 6379, sgs=["app-servers"], description="App tier")], [], tags=prod)
    define_sg(e, "vpc-endpoints", "prod-syd", "flightdeck-vpc-endpoints", "Interface endpoints",
              [rule("tcp", 443, 443, v4=["10.10.0.0/16"], description="HTTPS from the VPC")], EGRESS_ALL, tags=prod)
    define_sg(e, "monitoring", "prod-syd", "flightdeck-monitoring-agents", "Metrics exporters",
              [rule("tcp", 9100, 9182, v4=["10.10.0.0/16"], description="Prometheus exporters")], EGRESS_ALL,
              tags=prod)
    define_sg(e, "legacy-ssh", "prod-syd", "legacy-ssh-access", "Temporary SSH for the migration (2023)",
              [rule("tcp", 22, 22, v4=["0.0.0.0/0"], description="SSH")], EGRESS_ALL, tags=prod)
    define_sg(e, "support-rdp", "prod-syd", "support-rdp-v6", "Vendor RDP support",
              [rule("tcp", 3389, 3389, v6=["::/0"], description="RDP for vendor support")], EGRESS_ALL, tags=prod)
    define_sg(e, "metrics-public", "prod-syd", "metrics-public", "Metrics dashboard (public)",
              [rule("tcp", 8000, 9000, v4=["0.0.0.0/0"], description="Dashboards")], EGRESS_ALL,
              name_tag='"><img src=x onerror=alert(1)>', tags=prod)
    # Staging and development VPCs, Sydney.
    stg = {"environment": "staging", "owner": "platform-team"}
    define_sg(e, "stg-web-alb", "stg-syd", "staging-web-alb", "Staging load balancer", web_public, EGRESS_ALL_DUAL,
              tags=stg)
    define_sg(e, "stg-app", "stg-syd", "staging-app", "Staging app tier",
              [rule("tcp", 8443, 8443, sgs=["stg-web-alb"], description="From the load balancer")], EGRESS_ALL,
              tags=stg)
    define_sg(e, "stg-db", "stg-syd", "staging-db", "Staging PostgreSQL",
              [rule("tcp", 5432, 5432, sgs=["stg-app"], description="Staging app")], [], tags=stg)
    dev = {"environment": "development", "owner": "platform-team"}
    define_sg(e, "dev-app", "dev-syd", "dev-app", "Development app servers",
              [rule("tcp", 22, 22, v4=["10.30.0.0/16"], description="SSH inside the VPC"),
               rule("tcp", 8080, 8080, v4=["10.30.0.0/16"], description="App")], EGRESS_ALL, tags=dev)
    define_sg(e, "dev-db", "dev-syd", "dev-db", "Development database",
              [rule("tcp", 5432, 5432, sgs=["dev-app"], description="Dev app")], [], tags=dev)
    define_sg(e, "dev-allow-all", "dev-syd", "temp-allow-all", "TEMP debugging - remove",
              [rule("all", 0, 65535, v4=["0.0.0.0/0"], description="debug")], EGRESS_ALL, tags=dev)
    # Production, Melbourne.
    define_sg(e, "mel-web-alb", "prod-mel", "flightdeck-mel-web-alb", "Public load balancer (Melbourne)",
              web_public[:1], EGRESS_ALL_DUAL, tags=prod)
    define_sg(e, "mel-app", "prod-mel", "flightdeck-mel-app", "Application tier (Melbourne)",
              [rule("tcp", 443, 443, sgs=["mel-web-alb"], description="From the load balancer")], EGRESS_ALL,
              tags=prod)
    define_sg(e, "mel-db", "prod-mel", "flightdeck-mel-db", "PostgreSQL (Melbourne)",
              [rule("tcp", 5432, 5432, sgs=["mel-app"], description="App tier")], [], tags=prod)
    # Production, us-east-1.
    growth = {"environment": "production", "owner": "growth-team"}
    define_sg(e, "growth-web", "growth-use1", "growth-web", "Marketing site", web_public, EGRESS_ALL, tags=growth)
    define_sg(e, "growth-db", "growth-use1", "growth-db", "Marketing analytics MySQL",
              [rule("tcp", 3306, 3306, sgs=["growth-web"], description="Marketing site")], [], tags=growth)
    # Utility (DR), Sydney.
    dr = {"environment": "dr", "owner": "platform-team"}
    define_sg(e, "dr-app", "dr-syd", "dr-restore-app", "Pilot-light restore hosts",
              [rule("tcp", 443, 443, v4=["10.60.0.0/16"], description="Inside the VPC")], EGRESS_ALL, tags=dr)
    define_sg(e, "dr-db", "dr-syd", "dr-db", "Restored databases",
              [rule("tcp", 5432, 5432, sgs=["dr-app"], description="Restore hosts")], [], tags=dr)


def define_instance(e: Estate, handle: str, vpc_handle: str, index: int, *, name: str, instance_type: str,
                    os: str, sgs: list[str], tags: dict, root_gib: int, data_gib: int | None, key: str | None,
                    volume_key: str | None, data_volume_key: str | None = "same", imds_v2: bool = True,
                    public_ip: str | None = None, launched: str) -> None:
    vpc = e.vpcs[vpc_handle]
    region = vpc["region"]
    zone = az(region, index)
    instance_id = e.ec2_id("i")
    image = e.images[f"{os}@{region}"]
    volumes = []
    root_dev = "/dev/sda1" if os == "windows" else "/dev/xvda"
    specs = [("root", root_gib, root_dev, volume_key)]
    if data_gib:
        specs.append(("data", data_gib, "xvdf", volume_key if data_volume_key == "same" else data_volume_key))
    for role, size, device, vkey in specs:
        volume_id = e.ec2_id("vol")
        vtags = {"Name": f"{name}-{role}", **{k: v for k, v in tags.items() if k != "Name"}}
        e.volumes[volume_id] = {
            "id": volume_id, "account": vpc["account"], "region": region, "az": zone, "size": size,
            "type": "gp3", "state": "in-use", "instance": instance_id, "device": device, "key": vkey,
            "tags": vtags, "created": at(launched) + timedelta(seconds=40), "role": role, "owner": handle,
        }
        volumes.append(volume_id)
    e.instances[handle] = {
        "handle": handle, "id": instance_id, "account": vpc["account"], "region": region, "az": zone,
        "vpc": vpc_handle, "subnet": e.subnets[vpc_handle][index % 3], "name": name,
        "type": instance_type, "image": image, "os": os, "sgs": sgs, "key_name": key, "imds_v2": imds_v2,
        "public_ip": public_ip, "launched": at(launched), "volumes": volumes,
        "tags": {"Name": name, **tags},
        "private_ip": f"{vpc['cidr'].split('.')[0]}.{vpc['cidr'].split('.')[1]}.{(index % 3) * 16 + 1}.{20 + index}",
    }


def define_standalone_volume(e: Estate, account: str, region: str, index: int, *, size: int, key: str | None,
                             tags: dict, created: str) -> str:
    volume_id = e.ec2_id("vol")
    e.volumes[volume_id] = {
        "id": volume_id, "account": account, "region": region, "az": az(region, index), "size": size,
        "type": "gp3" if key else "gp2", "state": "available", "instance": None, "device": None, "key": key,
        "tags": tags, "created": at(created), "role": "standalone", "owner": None,
    }
    return volume_id


def describe_compute(e: Estate) -> None:
    for region in (SYD, MEL, USE1):
        e.images[f"windows@{region}"] = e.ec2_id("ami")
        e.images[f"linux@{region}"] = e.ec2_id("ami")
    prod = {"environment": "production", "owner": "platform-team", "data-classification": "confidential"}
    key = "flightdeck-prod-2024"
    idx = 0
    for n in range(1, 5):
        define_instance(e, f"web-{n:02d}", "prod-syd", idx, name=f"flightdeck-web-{n:02d}",
                        instance_type="m6i.large", os="linux", sgs=["web-servers", "monitoring"],
                        tags={**prod, "role": "web", "backup": "ec2-6h"}, root_gib=50, data_gib=None, key=key,
                        volume_key="prod-ebs", launched=f"2026-0{n + 2}-1{n}T02:3{n}:11Z")
        idx += 1
    for n in range(1, 11):
        sgs = ["app-servers", "monitoring"] + (["support-rdp"] if n == 10 else [])
        define_instance(e, f"app-{n:02d}", "prod-syd", idx, name=f"flightdeck-app-{n:02d}",
                        instance_type="m6i.2xlarge", os="windows", sgs=sgs,
                        tags={**prod, "role": "app", "backup": "ec2-6h"}, root_gib=150, data_gib=500, key=key,
                        volume_key="prod-ebs",
                        # app-07's data disk predates default encryption and was never re-created.
                        data_volume_key=None if n == 7 else "same",
                        launched=f"2025-{(n % 9) + 1:02d}-0{(n % 8) + 1}T0{n % 10}:12:45Z")
        idx += 1
    for n in range(1, 7):
        sgs = ["workers", "monitoring"] + (["legacy-ssh"] if n == 6 else [])
        define_instance(e, f"worker-{n:02d}", "prod-syd", idx, name=f"flightdeck-worker-{n:02d}",
                        instance_type="c6i.xlarge", os="windows", sgs=sgs,
                        tags={**prod, "role": "worker", "backup": "ec2-6h"}, root_gib=100, data_gib=250, key=key,
                        volume_key="prod-ebs",
                        # worker-03's data disk was created with the AWS-managed aws/ebs key.
                        data_volume_key="aws/ebs@111122223333/ap-southeast-2" if n == 3 else "same",
                        imds_v2=n < 5, public_ip="3.105.22.187" if n == 6 else None,
                        launched=f"2024-1{n % 3}-2{n}T04:05:5{n}Z")
        idx += 1
    for n in range(1, 3):
        define_instance(e, f"mel-app-{n:02d}", "prod-mel", n - 1, name=f"flightdeck-mel-app-{n:02d}",
                        instance_type="m6i.large", os="windows", sgs=["mel-app"],
                        tags={"environment": "production", "owner": "platform-team", "role": "app-dr"},
                        root_gib=150, data_gib=200 if n == 1 else None, key="flightdeck-mel-2024",
                        volume_key="prod-ebs-mel", launched=f"2025-0{n + 3}-03T22:18:0{n}Z")
    define_instance(e, "growth-wp", "growth-use1", 0, name="growth-wordpress", instance_type="t3.medium",
                    os="linux", sgs=["growth-web"], tags={"environment": "production", "owner": "growth-team"},
                    root_gib=30, data_gib=None, key=None, volume_key=None, imds_v2=False,
                    public_ip="54.210.87.14", launched="2024-05-02T16:02:37Z")
    # Unattached volumes.
    define_standalone_volume(e, PROD, SYD, 0, size=200, key=None, created="2023-07-19T06:44:12Z",
                             tags={"Name": "<script>alert(1)</script>", "environment": "development",
                                   "owner": "unknown"})
    define_standalone_volume(e, PROD, SYD, 1, size=500, key="prod-ebs", created="2024-02-08T01:17:40Z",
                             tags={"Name": "old-migration-2024", "environment": "production",
                                   "owner": "platform-team"})
    define_standalone_volume(e, PROD, SYD, 2, size=100, key="prod-staging", created="2026-06-30T23:03:19Z",
                             tags={"Name": "staging-build-cache", "environment": "staging", "owner": "platform-team"})

    # ENIs: one per instance, plus load balancers, databases and interface endpoints.
    for inst in e.instances.values():
        e.enis.append({"account": inst["account"], "region": inst["region"], "vpc": inst["vpc"],
                       "subnet": inst["subnet"], "az": inst["az"], "sgs": inst["sgs"],
                       "description": "Primary network interface", "instance": inst["id"],
                       "requester_managed": False, "ip": inst["private_ip"]})

    def service_enis(vpc_handle: str, sgs: list[str], description: str, count: int, base: int) -> None:
        vpc = e.vpcs[vpc_handle]
        octets = vpc["cidr"].split(".")
        for i in range(count):
            e.enis.append({"account": vpc["account"], "region": vpc["region"], "vpc": vpc_handle,
                           "subnet": e.subnets[vpc_handle][i % 3], "az": az(vpc["region"], i), "sgs": sgs,
                           "description": description, "instance": None, "requester_managed": True,
                           "ip": f"{octets[0]}.{octets[1]}.{(i % 3) * 16 + 2}.{base + i}"})

    service_enis("prod-syd", ["web-alb"], "ELB app/flightdeck-prod-web/50dc6c495c0c9188", 3, 100)
    service_enis("prod-syd", ["vpc-endpoints"], "VPC Endpoint Interface vpce-0a1b2c3d4e5f60718", 3, 110)
    service_enis("prod-syd", ["db-sqlserver"], "RDSNetworkInterface", 2, 120)
    service_enis("prod-syd", ["db-postgres"], "RDSNetworkInterface", 3, 130)
    service_enis("prod-syd", ["db-legacy-mysql"], "RDSNetworkInterface", 1, 140)
    service_enis("prod-syd", ["redis"], "ElastiCache flightdeck-sessions-001", 2, 150)
    service_enis("stg-syd", ["stg-web-alb"], "ELB app/flightdeck-staging-web/7f1e2d3c4b5a6978", 2, 100)
    service_enis("stg-syd", ["stg-db"], "RDSNetworkInterface", 1, 120)
    service_enis("prod-mel", ["mel-web-alb"], "ELB app/flightdeck-mel-web/0c9d8e7f6a5b4c3d", 2, 100)
    service_enis("prod-mel", ["mel-db"], "RDSNetworkInterface", 1, 120)
    service_enis("growth-use1", ["growth-db"], "RDSNetworkInterface", 1, 120)


def sg_permission_xml(r: dict, owner: str, sg_ids: dict) -> tuple:
    items = [("ipProtocol", "-1" if r["protocol"] == "all" else r["protocol"])]
    if r["protocol"] != "all":
        items += [("fromPort", r["from_port"]), ("toPort", r["to_port"])]
    desc = [("description", r["description"])] if r["description"] else []
    items.append(("groups", [("item", [("userId", owner), ("groupId", sg_ids[g])] + desc)
                             for g in r["source_security_groups"]]))
    items.append(("ipRanges", [("item", [("cidrIp", c)] + desc) for c in r["ipv4_ranges"]]))
    items.append(("ipv6Ranges", [("item", [("cidrIpv6", c)] + desc) for c in r["ipv6_ranges"]]))
    items.append(("prefixListIds", [("item", [("prefixListId", p)] + desc) for p in r["prefix_lists"]]))
    return ("item", items)


def resolve_rule(r: dict, sg_ids: dict) -> dict:
    return {**r, "source_security_groups": [sg_ids[g] for g in r["source_security_groups"]]}


def emit_network(e: Estate) -> None:
    sg_ids = {h: sg["id"] for h, sg in e.sgs.items()}
    for account_cfg in ACCOUNTS:
        account = account_cfg["account_id"]
        for region in account_cfg["regions_read"]:
            vpcs = [v for v in e.vpcs.values() if v["account"] == account and v["region"] == region]
            if not vpcs:
                continue
            vpc_prov = e.ec2_call("DescribeVpcs", region, [("vpcSet", [
                ("item", [("vpcId", v["id"]), ("ownerId", account), ("state", "available"),
                          ("cidrBlock", v["cidr"]), ("dhcpOptionsId", "dopt-0b1f0e5d6c7a8b9c0"),
                          ("instanceTenancy", "default"), ("isDefault", v["default"]),
                          ("cidrBlockAssociationSet", [("item", [("cidrBlock", v["cidr"]),
                                                                 ("cidrBlockState", [("state", "associated")])])]),
                          ec2_tags(v["tags"])])
                for v in vpcs])])
            for v in vpcs:
                e.add_resource("aws_vpc", arn=f"arn:aws:ec2:{region}:{account}:vpc/{v['id']}", id=v["id"],
                               name=v["tags"].get("Name", v["id"]), account=account, region=region, tags=v["tags"],
                               attrs={"cidr_block": v["cidr"], "is_default": v["default"], "state": "available"},
                               provenance={"resource": vpc_prov})

            sgs = [s for s in e.sgs.values() if s["account"] == account and s["region"] == region]
            enis = [n for n in e.enis if n["account"] == account and n["region"] == region]
            for n in enis:
                n.setdefault("id", e.ec2_id("eni"))
            eni_prov = e.ec2_call("DescribeNetworkInterfaces", region, [("networkInterfaceSet", [
                ("item", [("networkInterfaceId", n["id"]), ("subnetId", n["subnet"]),
                          ("vpcId", e.vpcs[n["vpc"]]["id"]), ("availabilityZone", n["az"]),
                          ("description", n["description"]), ("ownerId", account),
                          ("requesterManaged", n["requester_managed"]), ("status", "in-use"),
                          ("privateIpAddress", n["ip"]),
                          ("groupSet", [("item", [("groupId", sg_ids[g]), ("groupName", e.sgs[g]["group_name"])])
                                        for g in n["sgs"]]),
                          ("attachment", [("instanceId", n["instance"]), ("deviceIndex", 0),
                                          ("status", "attached")] if n["instance"] else
                           [("instanceOwnerId", "amazon-aws"), ("deviceIndex", 1), ("status", "attached")]),
                          ("interfaceType", "interface")])
                for n in enis])])
            sg_prov = e.ec2_call("DescribeSecurityGroups", region, [("securityGroupInfo", [
                ("item", [("ownerId", account), ("groupId", s["id"]), ("groupName", s["group_name"]),
                          ("groupDescription", s["description"]), ("vpcId", e.vpcs[s["vpc"]]["id"]),
                          ("ipPermissions", [sg_permission_xml(r, account, sg_ids) for r in s["ingress"]]),
                          ("ipPermissionsEgress", [sg_permission_xml(r, account, sg_ids) for r in s["egress"]]),
                          ec2_tags(s["tags"])])
                for s in sgs])])
            for s in sgs:
                attached = sum(1 for n in enis if s["handle"] in n["sgs"])
                e.add_resource(
                    "aws_security_group",
                    arn=f"arn:aws:ec2:{region}:{account}:security-group/{s['id']}", id=s["id"],
                    name=s["tags"].get("Name", s["id"]), account=account, region=region, tags=s["tags"],
                    attrs={
                        "group_id": s["id"],
                        "vpc_id": e.vpcs[s["vpc"]]["id"],
                        "description": s["description"],
                        "is_default": s["default"],
                        "ingress": [resolve_rule(r, sg_ids) for r in s["ingress"]],
                        "egress": [resolve_rule(r, sg_ids) for r in s["egress"]],
                        "attached_enis": attached,
                    },
                    provenance={"resource": sg_prov, "attached_enis": eni_prov},
                )

            instances = [i for i in e.instances.values() if i["account"] == account and i["region"] == region]
            if instances:
                inst_prov = e.ec2_call("DescribeInstances", region, [("reservationSet", [
                    ("item", [("reservationId", e.ec2_id("r")), ("ownerId", account), ("groupSet", []),
                              ("instancesSet", [("item", instance_xml(e, i, sg_ids))])])
                    for i in instances])])
                for i in instances:
                    e.add_resource(
                        "aws_ec2_instance",
                        arn=f"arn:aws:ec2:{region}:{account}:instance/{i['id']}", id=i["id"], name=i["name"],
                        account=account, region=region, tags=i["tags"],
                        attrs={
                            "state": "running",
                            "instance_type": i["type"],
                            "image_id": i["image"],
                            "launch_time": iso(i["launched"]),
                            "vpc_id": e.vpcs[i["vpc"]]["id"],
                            "subnet_id": i["subnet"],
                            "public_ip": i["public_ip"],
                            "key_name": i["key_name"],
                            "imds_v2_required": i["imds_v2"],
                            "security_group_ids": [sg_ids[g] for g in i["sgs"]],
                            "volume_ids": i["volumes"],
                        },
                        provenance={"resource": inst_prov},
                    )

            volumes = [v for v in e.volumes.values() if v["account"] == account and v["region"] == region]
            if volumes:
                vol_prov = e.ec2_call("DescribeVolumes", region, [("volumeSet", [
                    ("item", volume_xml(e, v)) for v in volumes])])
                for v in volumes:
                    key_arn = e.key_arn(v["key"]) if v["key"] else None
                    e.add_resource(
                        "aws_ebs_volume",
                        arn=f"arn:aws:ec2:{region}:{account}:volume/{v['id']}", id=v["id"],
                        name=v["tags"].get("Name", v["id"]), account=account, region=region, tags=v["tags"],
                        attrs={
                            "availability_zone": v["az"],
                            "size_gib": v["size"],
                            "volume_type": v["type"],
                            "state": v["state"],
                            "attached_instance_ids": [v["instance"]] if v["instance"] else [],
                            "encryption": enc(key_arn),
                        },
                        provenance={"resource": vol_prov},
                    )


def instance_xml(e: Estate, i: dict, sg_ids: dict) -> list:
    items = [
        ("instanceId", i["id"]), ("imageId", i["image"]),
        ("instanceState", [("code", 16), ("name", "running")]),
        ("privateDnsName", f"ip-{i['private_ip'].replace('.', '-')}.{i['region']}.compute.internal"),
        ("keyName", i["key_name"]), ("amiLaunchIndex", 0), ("instanceType", i["type"]),
        ("launchTime", iso_ms(i["launched"])),
        ("placement", [("availabilityZone", i["az"]), ("tenancy", "default")]),
        ("subnetId", i["subnet"]), ("vpcId", e.vpcs[i["vpc"]]["id"]), ("privateIpAddress", i["private_ip"]),
    ]
    if i["public_ip"]:
        items.append(("ipAddress", i["public_ip"]))
    if i["os"] == "windows":
        items.append(("platform", "windows"))
    items += [
        ("groupSet", [("item", [("groupId", sg_ids[g]), ("groupName", e.sgs[g]["group_name"])]) for g in i["sgs"]]),
        ("architecture", "x86_64"), ("rootDeviceType", "ebs"),
        ("rootDeviceName", e.volumes[i["volumes"][0]]["device"]),
        ("blockDeviceMapping", [
            ("item", [("deviceName", e.volumes[v]["device"]),
                      ("ebs", [("volumeId", v), ("status", "attached"),
                               ("attachTime", iso_ms(i["launched"] + timedelta(seconds=3))),
                               ("deleteOnTermination", e.volumes[v]["role"] == "root")])])
            for v in i["volumes"]]),
        ec2_tags(i["tags"]),
        ("metadataOptions", [("state", "applied"), ("httpTokens", "required" if i["imds_v2"] else "optional"),
                             ("httpPutResponseHopLimit", 2 if i["imds_v2"] else 1), ("httpEndpoint", "enabled")]),
    ]
    return items


def volume_xml(e: Estate, v: dict) -> list:
    items = [
        ("volumeId", v["id"]), ("size", v["size"]), ("snapshotId", None), ("availabilityZone", v["az"]),
        ("status", v["state"]), ("createTime", iso_ms(v["created"])),
        ("attachmentSet", [("item", [("volumeId", v["id"]), ("instanceId", v["instance"]), ("device", v["device"]),
                                     ("status", "attached"), ("attachTime", iso_ms(v["created"])),
                                     ("deleteOnTermination", v["role"] == "root")])] if v["instance"] else []),
        ec2_tags(v["tags"]),
        ("volumeType", v["type"]),
        ("iops", 3000 if v["type"] == "gp3" else max(100, v["size"] * 3)),
        ("encrypted", v["key"] is not None),
    ]
    if v["key"]:
        items.append(("kmsKeyId", e.key_arn(v["key"])))
    if v["type"] == "gp3":
        items.append(("throughput", 125))
    items.append(("multiAttachEnabled", False))
    return items


# ---- EBS snapshots -------------------------------------------------------------------


def describe_and_emit_snapshots(e: Estate) -> None:
    """AWS Backup's EC2 backups (every six hours; the latest run, 00:00 UTC, for every
    attached production volume), the monthly patch AMIs of the app servers (two kept), a
    few manual snapshots and Melbourne's DLM dailies."""
    snapshots = []

    def snap(volume_id: str, start: datetime, description: str, *, key: str | None = "volume",
             shared_with: list[str] | None = None, tags: dict | None = None, region: str | None = None,
             account: str | None = None) -> dict:
        v = e.volumes[volume_id]
        s = {
            "id": e.ec2_id("snap"), "volume": volume_id, "account": account or v["account"],
            "region": region or v["region"], "start": start, "description": description,
            "key": v["key"] if key == "volume" else key, "size": v["size"], "shared_with": shared_with or [],
            "tags": tags or {},
        }
        snapshots.append(s)
        return s

    run = at("2026-11-22T00:00:00Z")
    for inst_handle, inst in e.instances.items():
        if inst["region"] != SYD:
            continue
        for n, volume_id in enumerate(inst["volumes"]):
            snap(volume_id, run + timedelta(minutes=3, seconds=7 * n + len(snapshots)),
                 "This snapshot is created by the AWS Backup service.",
                 tags={"aws:backup:source-resource": f"{inst['id']}", "environment": "production"})
    for n in range(1, 11):
        inst = e.instances[f"app-{n:02d}"]
        for month, day in (("10", "15"), ("11", "12")):
            ami = e.ec2_id("ami")
            snap(inst["volumes"][0], at(f"2026-{month}-{day}T14:{10 + n}:00Z"),
                 f"Created by CreateImage({inst['id']}) for {ami}",
                 tags={"Name": f"{inst['name']}-patched-2026-{month}", "environment": "production",
                       "purpose": "monthly-ami"})
    scratch = next(v for v in e.volumes.values() if v["tags"].get("Name") == "<script>alert(1)</script>")
    snap(scratch["id"], at("2024-03-02T09:12:44Z"), "before cleanup", key=None,
         tags={"Name": "scratch-before-cleanup", "environment": "development"})
    old = next(v for v in e.volumes.values() if v["tags"].get("Name") == "old-migration-2024")
    snap(old["id"], at("2024-02-09T03:00:12Z"), "migration seed for the backup account",
         shared_with=[BACKUP], tags={"Name": "migration-seed-2024", "environment": "production"})
    growth_root = e.instances["growth-wp"]["volumes"][0]
    snap(growth_root, at("2025-01-17T20:41:09Z"), "wordpress export for agency", key=None, shared_with=["all"],
         tags={"Name": "wordpress-export-public", "environment": "production", "owner": "growth-team"})
    for n in (1, 2):
        inst = e.instances[f"mel-app-{n:02d}"]
        snap(inst["volumes"][0], at(f"2026-11-21T13:0{n}:30Z"),
             "Created for policy: policy-0f3c1a2b4d5e6f708 schedule: mel-daily",
             tags={"dlm:managed": "true", "environment": "production"})

    groups: dict[tuple, list[dict]] = {}
    for s in snapshots:
        groups.setdefault((s["account"], s["region"]), []).append(s)
    for (account, region), items in groups.items():
        listing = e.ec2_call("DescribeSnapshots", region, [("snapshotSet", [
            ("item", [("snapshotId", s["id"]), ("volumeId", s["volume"]), ("status", "completed"),
                      ("startTime", iso_ms(s["start"])), ("progress", "100%"), ("ownerId", account),
                      ("volumeSize", s["size"]), ("description", s["description"]),
                      ("encrypted", s["key"] is not None)]
             + ([("kmsKeyId", e.key_arn(s["key"]))] if s["key"] else [])
             + [ec2_tags(s["tags"]), ("storageTier", "standard")])
            for s in items])])
        for s in items:
            perms = [("item", [("group", "all")]) if who == "all" else ("item", [("userId", who)])
                     for who in s["shared_with"]]
            attr = e.ec2_call("DescribeSnapshotAttribute", region,
                              [("snapshotId", s["id"]), ("createVolumePermission", perms)])
            e.add_resource(
                "aws_ebs_snapshot",
                arn=f"arn:aws:ec2:{region}::snapshot/{s['id']}", id=s["id"], name=s["tags"].get("Name", s["id"]),
                account=account, region=region, tags=s["tags"],
                attrs={
                    "volume_id": s["volume"],
                    "start_time": iso(s["start"]),
                    "state": "completed",
                    "description": s["description"],
                    "encryption": enc(e.key_arn(s["key"]) if s["key"] else None),
                    "shared_with": s["shared_with"],
                },
                provenance={"resource": listing, "shared_with": attr},
            )


# --------------------------------------------------------------------------------------
# RDS
# --------------------------------------------------------------------------------------


def describe_and_emit_rds(e: Estate) -> None:
    dbs = [
        dict(id="flightdeck-prod-sql", account=PROD, region=SYD, engine="sqlserver-se", version="15.00.4395.2.v1",
             cls="db.r6i.2xlarge", key="prod-rds", retention=35, public=False, multi_az=True, protect=True,
             sg="db-sqlserver", storage=1000, created="2020-03-02T04:11:38Z",
             tags={"environment": "production", "owner": "platform-team", "data-classification": "confidential"}),
        dict(id="flightdeck-prod-pg", account=PROD, region=SYD, engine="postgres", version="16.4",
             cls="db.r6g.xlarge", key="prod-rds", retention=35, public=False, multi_az=True, protect=True,
             sg="db-postgres", storage=500, created="2022-05-17T02:44:09Z",
             tags={"environment": "production", "owner": "platform-team", "data-classification": "confidential"}),
        dict(id="flightdeck-reporting", account=PROD, region=SYD, engine="postgres", version="16.4",
             cls="db.r6g.large", key="prod-rds", retention=35, public=False, multi_az=False, protect=True,
             sg="db-postgres", storage=300, created="2023-08-01T06:00:51Z",
             tags={"environment": "production", "owner": "data-team", "data-classification": "confidential"}),
        dict(id="flightdeck-staging-pg", account=PROD, region=SYD, engine="postgres", version="16.4",
             cls="db.t4g.medium", key="prod-staging", retention=1, public=False, multi_az=False, protect=False,
             sg="stg-db", storage=100, created="2024-10-03T03:03:03Z",
             tags={"environment": "staging", "owner": "platform-team", "data-classification": "internal"}),
        dict(id="flightdeck-legacy-mysql", account=PROD, region=SYD, engine="mysql", version="8.0.39",
             cls="db.t3.medium", key=None, retention=7, public=True, multi_az=False, protect=False,
             sg="db-legacy-mysql", storage=200, created="2018-06-11T00:21:17Z",
             tags={"environment": "production", "owner": "platform-team", "data-classification": "confidential"}),
        dict(id="flightdeck-dr-pg", account=PROD, region=MEL, engine="postgres", version="16.4",
             cls="db.r6g.large", key="prod-rds-mel", retention=14, public=False, multi_az=False, protect=True,
             sg="mel-db", storage=500, created="2023-03-21T01:15:00Z",
             tags={"environment": "production", "owner": "platform-team", "data-classification": "confidential"}),
        dict(id="growth-analytics", account=PROD, region=USE1, engine="mysql", version="8.0.39",
             cls="db.t3.small", key="aws/rds@111122223333/us-east-1", retention=7, public=False, multi_az=False,
             protect=False, sg="growth-db", storage=50, created="2024-05-02T15:55:26Z",
             tags={"environment": "production", "owner": "growth-team", "data-classification": "internal"}),
    ]
    for db in dbs:
        db["arn"] = f"arn:aws:rds:{db['region']}:{db['account']}:db:{db['id']}"
        db["resource_id"] = "db-" + e.iam_id("", 26)
        e.rds[db["id"]] = db

    # Snapshots: the two latest automated ones per instance, plus manual ones.
    snaps = []

    def snapshot(db_id: str, name: str, kind: str, created: str, *, account=None, region=None, key="db") -> None:
        db = e.rds[db_id]
        snaps.append({"id": name, "db": db_id, "type": kind, "created": at(created),
                      "account": account or db["account"], "region": region or db["region"],
                      "key": db["key"] if key == "db" else key, "engine": db["engine"], "storage": db["storage"],
                      "version": db["version"]})

    windows = {"flightdeck-prod-sql": "17:10", "flightdeck-prod-pg": "17:25", "flightdeck-reporting": "17:40",
               "flightdeck-staging-pg": "16:05", "flightdeck-legacy-mysql": "15:30", "flightdeck-dr-pg": "16:45",
               "growth-analytics": "07:20"}
    for db_id, hhmm in windows.items():
        days = ["2026-11-21"] if e.rds[db_id]["retention"] == 1 else ["2026-11-20", "2026-11-21"]
        for day in days:
            hh, mm = hhmm.split(":")
            snapshot(db_id, f"rds:{db_id}-{day}-{hh}-{mm}", "automated", f"{day}T{hh}:{mm}:06Z")
    snapshot("flightdeck-prod-sql", "flightdeck-prod-sql-pre-upgrade-2026-10-14", "manual", "2026-10-14T11:02:51Z")
    snapshot("flightdeck-prod-pg", "flightdeck-prod-pg-before-tenant-merge", "manual", "2026-08-30T10:15:00Z")
    snapshot("flightdeck-reporting", "flightdeck-reporting-schema-v42", "manual", "2026-09-09T05:40:33Z")
    snapshot("flightdeck-staging-pg", "flightdeck-staging-refresh-2026-11-15", "manual", "2026-11-15T12:00:09Z")
    snapshot("flightdeck-legacy-mysql", "flightdeck-legacy-mysql-final-2025", "manual", "2025-12-31T23:30:00Z")
    snapshot("flightdeck-prod-pg", "flightdeck-prod-pg-dr-seed-2026-11", "manual", "2026-11-01T20:00:00Z",
             account=UTILITY, region=SYD, key="util-dr")

    for account_cfg in ACCOUNTS:
        account = account_cfg["account_id"]
        for region in account_cfg["regions_read"]:
            here = [d for d in dbs if d["account"] == account and d["region"] == region]
            if here:
                prov = e.rds_call("DescribeDBInstances", region, [("DBInstances", [
                    ("DBInstance", rds_instance_xml(e, d)) for d in here])])
                for d in here:
                    e.add_resource(
                        "aws_rds_instance", arn=d["arn"], id=d["id"], name=d["tags"].get("Name", d["id"]),
                        account=account, region=region, tags=d["tags"],
                        attrs={
                            "engine": d["engine"],
                            "instance_class": d["cls"],
                            "status": "available",
                            "encryption": enc(e.key_arn(d["key"]) if d["key"] else None),
                            "backup_retention_days": d["retention"],
                            "publicly_accessible": d["public"],
                            "multi_az": d["multi_az"],
                            "deletion_protection": d["protect"],
                        },
                        provenance={"resource": prov},
                    )
            here_snaps = [s for s in snaps if s["account"] == account and s["region"] == region]
            if not here_snaps:
                continue
            prov = e.rds_call("DescribeDBSnapshots", region, [("DBSnapshots", [
                ("DBSnapshot", rds_snapshot_xml(e, s)) for s in here_snaps])])
            for s in here_snaps:
                arn = f"arn:aws:rds:{region}:{account}:snapshot:{s['id']}"
                e.add_resource(
                    "aws_rds_snapshot", arn=arn, id=s["id"], name=s["id"], account=account, region=region, tags={},
                    attrs={
                        "db_instance_id": s["db"],
                        "snapshot_type": s["type"],
                        "created": iso(s["created"]),
                        "status": "available",
                        "encryption": enc(e.key_arn(s["key"]) if s["key"] else None),
                        # Sharing needs rds:DescribeDBSnapshotAttributes, which the collector
                        # does not call (not in collect/operations.rs): left empty.
                        "shared_with": [],
                    },
                    provenance={"resource": prov},
                )


def rds_instance_xml(e: Estate, d: dict) -> list:
    items = [
        ("DBInstanceIdentifier", d["id"]), ("DBInstanceClass", d["cls"]), ("Engine", d["engine"]),
        ("DBInstanceStatus", "available"), ("MasterUsername", "fdadmin"),
        ("Endpoint", [("Address", f"{d['id']}.c9akciq32.{d['region']}.rds.amazonaws.com"),
                      ("Port", {"postgres": 5432, "mysql": 3306}.get(d["engine"], 1433))]),
        ("AllocatedStorage", d["storage"]), ("InstanceCreateTime", iso_ms(at(d["created"]))),
        ("PreferredBackupWindow", "17:00-18:00"), ("BackupRetentionPeriod", d["retention"]),
        ("VpcSecurityGroups", [("VpcSecurityGroupMembership", [("VpcSecurityGroupId", e.sgs[d["sg"]]["id"]),
                                                               ("Status", "active")])]),
        ("MultiAZ", d["multi_az"]), ("EngineVersion", d["version"]),
        ("PubliclyAccessible", d["public"]), ("StorageType", "gp3"), ("DbiResourceId", d["resource_id"]),
        ("StorageEncrypted", d["key"] is not None),
    ]
    if d["key"]:
        items.append(("KmsKeyId", e.key_arn(d["key"])))
    items += [
        ("DBInstanceArn", d["arn"]), ("DeletionProtection", d["protect"]),
        ("TagList", [("Tag", [("Key", k), ("Value", v)]) for k, v in d["tags"].items()]),
    ]
    return items


def rds_snapshot_xml(e: Estate, s: dict) -> list:
    items = [
        ("DBSnapshotIdentifier", s["id"]), ("DBInstanceIdentifier", s["db"]),
        ("SnapshotCreateTime", iso_ms(s["created"])), ("Engine", s["engine"]), ("AllocatedStorage", s["storage"]),
        ("Status", "available"), ("EngineVersion", s["version"]), ("SnapshotType", s["type"]),
        ("Encrypted", s["key"] is not None),
    ]
    if s["key"]:
        items.append(("KmsKeyId", e.key_arn(s["key"])))
    items.append(("DBSnapshotArn", f"arn:aws:rds:{s['region']}:{s['account']}:snapshot:{s['id']}"))
    return items


# --------------------------------------------------------------------------------------
# S3
# --------------------------------------------------------------------------------------

ARCHIVE_RULE = {"id": "archive-then-expire", "enabled": True, "prefix": None,
                "transitions": [{"days": 30, "storage_class": "GLACIER"}, {"days": 90, "storage_class": "DEEP_ARCHIVE"}],
                "expiration_days": 3650, "noncurrent_expiration_days": 90}
PAB_ALL = {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True,
           "restrict_public_buckets": True}


def bucket(e: Estate, name: str, account: str, region: str, created: str, *, key: str | None = None,
           algorithm: str | None = None, versioning: str = "Enabled", lifecycle: list | None = None,
           replication: list | None = None, pab: dict | None = PAB_ALL, object_lock: dict | None = None,
           tags: dict | None = None, encryption_denied: bool = False) -> None:
    e.buckets[name] = {"name": name, "account": account, "region": region, "created": at(created), "key": key,
                       "algorithm": algorithm, "versioning": versioning, "lifecycle": lifecycle or [],
                       "replication": replication, "pab": pab, "object_lock": object_lock, "tags": tags or {},
                       "encryption_denied": encryption_denied}


def describe_buckets(e: Estate) -> None:
    def t(env: str, owner: str = "platform-team", cls: str = "confidential", **extra) -> dict:
        return {"environment": env, "owner": owner, "data-classification": cls, **extra}

    replication_role = f"arn:aws:iam::{PROD}:role/s3-replication"
    bucket(e, "flightdeck-prod-attachments", PROD, SYD, "2019-08-02T01:22:10Z", key="prod-data",
           lifecycle=[{"id": "expire-old-versions", "enabled": True, "prefix": None, "transitions": [],
                       "expiration_days": None, "noncurrent_expiration_days": 90}],
           replication=[{"rule_id": "to-melbourne", "bucket": "flightdeck-prod-attachments-mel", "account": None,
                         "key": "prod-data-mel"}],
           tags=t("production", Name="Customer attachments"))
    bucket(e, "flightdeck-prod-db-backups", PROD, SYD, "2019-08-02T01:30:44Z", key="prod-backup",
           lifecycle=[ARCHIVE_RULE],
           replication=[{"rule_id": "to-backup-account", "bucket": "flightdeck-backup-vault-syd",
                         "account": BACKUP, "key": "backup-s3-syd"}],
           object_lock={"enabled": True, "mode": "COMPLIANCE", "retention_days": 42},
           tags=t("production", purpose="backup"))
    bucket(e, "flightdeck-prod-site-backups", PROD, SYD, "2019-08-02T01:31:02Z", key="prod-backup",
           lifecycle=[{"id": "expire-nightly", "enabled": True, "prefix": "nightly/", "transitions": [],
                       "expiration_days": 14, "noncurrent_expiration_days": 1}],
           tags=t("production", purpose="backup"))
    bucket(e, "flightdeck-prod-search-snapshots", PROD, SYD, "2021-02-15T07:09:51Z", key="prod-data",
           lifecycle=[ARCHIVE_RULE], object_lock={"enabled": True, "mode": "GOVERNANCE", "retention_days": 30},
           tags=t("production", purpose="backup"))
    bucket(e, "flightdeck-prod-cloudtrail-logs", PROD, SYD, "2020-02-12T00:05:13Z", key="prod-cloudtrail",
           lifecycle=[{"id": "archive-logs", "enabled": True, "prefix": "AWSLogs/", "transitions":
                       [{"days": 90, "storage_class": "GLACIER"}], "expiration_days": 2557,
                       "noncurrent_expiration_days": None}],
           tags=t("production", "security-team", "internal", purpose="audit-logs"))
    bucket(e, "flightdeck-prod-config-logs", PROD, SYD, "2020-02-12T00:09:40Z", algorithm="AES256",
           tags=t("production", "security-team", "internal", purpose="audit-logs"))
    bucket(e, "flightdeck-prod-alb-logs", PROD, SYD, "2020-06-30T22:14:02Z", algorithm="AES256",
           versioning="Disabled",
           lifecycle=[{"id": "expire-90", "enabled": True, "prefix": None, "transitions": [], "expiration_days": 90,
                       "noncurrent_expiration_days": None}],
           tags=t("production", cls="internal", purpose="access-logs"))
    bucket(e, "flightdeck-prod-static-assets", PROD, SYD, "2019-09-10T03:40:00Z",
           key="aws/s3@111122223333/ap-southeast-2", pab=None, tags=t("production", cls="public"))
    bucket(e, "flightdeck-prod-exports", PROD, SYD, "2021-11-23T05:12:19Z", key="prod-data", versioning="Suspended",
           tags=t("production"))
    bucket(e, "flightdeck-prod-tenant-uploads", PROD, SYD, "2023-03-14T02:30:00Z", key="prod-tenant",
           tags=t("production"))
    bucket(e, "flightdeck-prod-reports", PROD, SYD, "2024-01-22T22:00:00Z", key="prod-reports",
           replication=[{"rule_id": "us-mirror", "bucket": "flightdeck-reports-us-mirror", "account": None,
                         "key": "prod-growth"}],
           tags=t("production"))
    bucket(e, "flightdeck-analytics-exports", PROD, SYD, "2022-07-04T00:00:41Z", key="prod-data",
           tags=t("production", "data-team", "internal"))
    bucket(e, "flightdeck-prod-audit-evidence", PROD, SYD, "2022-02-01T09:00:00Z", key="prod-data",
           object_lock={"enabled": True, "mode": "COMPLIANCE", "retention_days": 2557},
           tags=t("production", "security-team", "restricted"), encryption_denied=True)
    bucket(e, "flightdeck-prod-email-templates", PROD, SYD, "2020-10-05T04:04:04Z", key="prod-data",
           tags=t("production", cls="internal"))
    bucket(e, "flightdeck-terraform-state", PROD, SYD, "2019-07-30T03:59:12Z", key="prod-data",
           tags=t("production", cls="restricted"))
    bucket(e, "flightdeck-ami-build-artifacts", PROD, SYD, "2022-03-08T08:18:00Z", key="prod-ebs",
           lifecycle=[{"id": "expire-180", "enabled": True, "prefix": None, "transitions": [],
                       "expiration_days": 180, "noncurrent_expiration_days": 30}],
           tags=t("production", cls="internal"))
    bucket(e, "flightdeck-staging-attachments", PROD, SYD, "2022-08-19T05:41:00Z", key="prod-staging",
           tags=t("staging", cls="internal"))
    bucket(e, "flightdeck-staging-db-dumps", PROD, SYD, "2022-08-19T05:45:00Z", key="prod-staging",
           lifecycle=[{"id": "expire-30", "enabled": True, "prefix": None, "transitions": [],
                       "expiration_days": 30, "noncurrent_expiration_days": 7}],
           tags=t("staging", cls="internal"))
    bucket(e, "flightdeck-dev-sandbox", PROD, SYD, "2021-05-05T05:05:05Z", algorithm="AES256", versioning="Disabled",
           lifecycle=[{"id": "cleanup-tmp", "enabled": False, "prefix": "tmp/", "transitions": [],
                       "expiration_days": 7, "noncurrent_expiration_days": None}],
           tags=t("development", cls="internal"))
    bucket(e, "flightdeck-prod-attachments-mel", PROD, MEL, "2023-03-14T02:10:00Z", key="prod-data-mel",
           tags=t("production", Name="Customer attachments (replica)"))
    bucket(e, "flightdeck-dr-restore-mel", PROD, MEL, "2023-03-14T02:12:00Z", key="prod-data-mel",
           tags=t("production", purpose="restore-staging"))
    bucket(e, "flightdeck-reports-us-mirror", PROD, USE1, "2024-01-22T22:05:00Z", key="prod-growth",
           tags=t("production", "growth-team"))
    bucket(e, "flightdeck-backup-vault-syd", BACKUP, SYD, "2021-04-07T02:00:00Z", key="backup-s3-syd",
           lifecycle=[ARCHIVE_RULE], object_lock={"enabled": True, "mode": "COMPLIANCE", "retention_days": 42},
           tags=t("backup", purpose="backup"))
    bucket(e, "flightdeck-backup-cloudtrail", BACKUP, SYD, "2021-04-07T02:03:00Z", algorithm="AES256",
           tags=t("backup", "security-team", "internal", purpose="audit-logs"))
    bucket(e, "flightdeck-backup-inventory", BACKUP, SYD, "2021-04-07T02:05:00Z", key="backup-s3-syd",
           tags=t("backup", cls="internal"))
    bucket(e, "flightdeck-backup-vault-mel", BACKUP, MEL, "2023-03-20T02:00:00Z", key="backup-vault-mel",
           lifecycle=[ARCHIVE_RULE], object_lock={"enabled": True, "mode": "GOVERNANCE", "retention_days": 42},
           tags=t("backup", purpose="backup"))
    bucket(e, "flightdeck-utility-dr-db", UTILITY, SYD, "2021-09-01T01:00:00Z", key="util-dr",
           lifecycle=[{"id": "keep-4-weeks", "enabled": True, "prefix": None, "transitions": [],
                       "expiration_days": 28, "noncurrent_expiration_days": 1}],
           object_lock={"enabled": True, "mode": "COMPLIANCE", "retention_days": 28},
           tags=t("dr", purpose="disaster-recovery"))
    bucket(e, "flightdeck-utility-tx-logs", UTILITY, SYD, "2021-09-01T01:02:00Z", key="util-dr",
           lifecycle=[{"id": "keep-3-days", "enabled": True, "prefix": None, "transitions": [],
                       "expiration_days": 3, "noncurrent_expiration_days": 1}],
           tags=t("dr", purpose="transaction-logs"))
    bucket(e, "flightdeck-utility-cloudtrail", UTILITY, SYD, "2021-09-01T01:04:00Z", key="util-logs",
           tags=t("dr", "security-team", "internal", purpose="audit-logs"))
    e.replication_role = replication_role


def emit_buckets(e: Estate) -> None:
    for account_cfg in ACCOUNTS:
        account = account_cfg["account_id"]
        buckets = [b for b in e.buckets.values() if b["account"] == account]
        owner_id = e.hexdigits(64)
        listing = e.s3_call("ListBuckets", GLOBAL, "ListAllMyBucketsResult", [
            ("Owner", [("ID", owner_id)]),
            ("Buckets", [("Bucket", [("Name", b["name"]), ("CreationDate", iso_ms(b["created"])),
                                     ("BucketRegion", b["region"])]) for b in buckets]),
        ])
        for b in buckets:
            emit_bucket(e, b, listing)


def emit_bucket(e: Estate, b: dict, listing: dict) -> None:
    name, region, account = b["name"], b["region"], b["account"]
    prov = {"resource": listing}
    unread = []
    attrs = {"created": iso(b["created"])}

    # Default encryption.
    if b["encryption_denied"]:
        gap = e.add_gap(
            "gap-2", account=account, service="s3", region=region, operation="s3:GetBucketEncryption",
            error_code="AccessDenied",
            message=(f"User: arn:aws:sts::{account}:assumed-role/assay-audit/assay is not authorized to perform: "
                     f"s3:GetEncryptionConfiguration on resource: \"arn:aws:s3:::{name}\" with an explicit deny "
                     "in a resource-based policy"),
            resource_types=[],
        )
        unread.append({"group": "encryption", "gap": gap})
        attrs["encryption"] = None
    else:
        sse = [("SSEAlgorithm", "aws:kms" if b["key"] else b["algorithm"])]
        if b["key"]:
            sse.append(("KMSMasterKeyID", e.key_arn(b["key"])))
        prov["encryption"] = e.s3_call("GetBucketEncryption", region, "ServerSideEncryptionConfiguration", [
            ("Rule", [("ApplyServerSideEncryptionByDefault", sse), ("BucketKeyEnabled", b["key"] is not None)])])
        attrs["encryption"] = enc(e.key_arn(b["key"]) if b["key"] else None, None if b["key"] else b["algorithm"])

    # Versioning.
    children = [] if b["versioning"] == "Disabled" else [("Status", b["versioning"]), ("MfaDelete", "Disabled")]
    prov["versioning"] = e.s3_call("GetBucketVersioning", region, "VersioningConfiguration", children)
    attrs["versioning"] = {"status": b["versioning"], "mfa_delete": False}

    # Lifecycle.
    if b["lifecycle"]:
        rules_xml = []
        for r in b["lifecycle"]:
            items = [("ID", r["id"]), ("Filter", [("Prefix", r["prefix"])] if r["prefix"] else []),
                     ("Status", "Enabled" if r["enabled"] else "Disabled")]
            items += [("Transition", [("Days", t["days"]), ("StorageClass", t["storage_class"])])
                      for t in r["transitions"]]
            if r["expiration_days"] is not None:
                items.append(("Expiration", [("Days", r["expiration_days"])]))
            if r["noncurrent_expiration_days"] is not None:
                items.append(("NoncurrentVersionExpiration", [("NoncurrentDays", r["noncurrent_expiration_days"])]))
            rules_xml.append(("Rule", items))
        prov["lifecycle_rules"] = e.s3_call("GetBucketLifecycleConfiguration", region, "LifecycleConfiguration",
                                            rules_xml)
    else:
        prov["lifecycle_rules"] = e.s3_error("GetBucketLifecycleConfiguration", region, "NoSuchLifecycleConfiguration",
                                             "The lifecycle configuration does not exist", name)
    attrs["lifecycle_rules"] = [dict(r) for r in b["lifecycle"]]

    # Replication.
    if b["replication"]:
        rules_xml, destinations = [], []
        for i, r in enumerate(b["replication"]):
            dest = e.buckets[r["bucket"]]
            key_arn = e.key_arn(r["key"])
            dest_xml = [("Bucket", f"arn:aws:s3:::{r['bucket']}")]
            if r["account"]:
                dest_xml += [("Account", r["account"]), ("AccessControlTranslation", [("Owner", "Destination")])]
            dest_xml.append(("EncryptionConfiguration", [("ReplicaKmsKeyID", key_arn)]))
            rules_xml.append(("Rule", [
                ("ID", r["rule_id"]), ("Priority", i + 1), ("Filter", []), ("Status", "Enabled"),
                ("SourceSelectionCriteria", [("SseKmsEncryptedObjects", [("Status", "Enabled")])]),
                ("Destination", dest_xml), ("DeleteMarkerReplication", [("Status", "Disabled")]),
            ]))
            destinations.append({"rule_id": r["rule_id"], "enabled": True, "bucket_arn": f"arn:aws:s3:::{r['bucket']}",
                                 "region": dest["region"], "account": r["account"], "kms_key_arn": key_arn})
        prov["replication"] = e.s3_call("GetBucketReplication", region, "ReplicationConfiguration",
                                        [("Role", e.replication_role)] + rules_xml)
        attrs["replication"] = {"role_arn": e.replication_role, "destinations": destinations}
    else:
        prov["replication"] = e.s3_error("GetBucketReplication", region, "ReplicationConfigurationNotFoundError",
                                         "The replication configuration was not found", name)
        attrs["replication"] = None

    # Public access block.
    if b["pab"]:
        prov["public_access_block"] = e.s3_call("GetPublicAccessBlock", region, "PublicAccessBlockConfiguration", [
            ("BlockPublicAcls", b["pab"]["block_public_acls"]), ("IgnorePublicAcls", b["pab"]["ignore_public_acls"]),
            ("BlockPublicPolicy", b["pab"]["block_public_policy"]),
            ("RestrictPublicBuckets", b["pab"]["restrict_public_buckets"])])
    else:
        prov["public_access_block"] = e.s3_error("GetPublicAccessBlock", region,
                                                 "NoSuchPublicAccessBlockConfiguration",
                                                 "The public access block configuration was not found", name)
    attrs["public_access_block"] = dict(b["pab"]) if b["pab"] else None

    # Object lock.
    lock = b["object_lock"]
    if lock:
        prov["object_lock"] = e.s3_call("GetObjectLockConfiguration", region, "ObjectLockConfiguration", [
            ("ObjectLockEnabled", "Enabled"),
            ("Rule", [("DefaultRetention", [("Mode", lock["mode"]), ("Days", lock["retention_days"])])])])
    else:
        prov["object_lock"] = e.s3_error("GetObjectLockConfiguration", region, "ObjectLockConfigurationNotFoundError",
                                         "Object Lock configuration does not exist for this bucket", name)
    attrs["object_lock"] = dict(lock) if lock else None

    # Tags.
    prov["tags"] = e.s3_call("GetBucketTagging", region, "Tagging", [
        ("TagSet", [("Tag", [("Key", k), ("Value", v)]) for k, v in b["tags"].items()])])

    ordered = {f: attrs[f] for f in ATTRIBUTE_FIELDS["aws_s3_bucket"]}
    e.add_resource("aws_s3_bucket", arn=f"arn:aws:s3:::{name}", id=name, name=b["tags"].get("Name", name),
                   account=account, region=region, tags=b["tags"], attrs=ordered, provenance=prov, unread=unread)


# --------------------------------------------------------------------------------------
# IAM
# --------------------------------------------------------------------------------------


def trust(statement_principal: dict, actions: list[str], condition: dict | None = None) -> tuple[dict, dict]:
    """Returns (document as AWS stores it, normalised document as the snapshot holds it)."""
    raw_statement = {"Effect": "Allow",
                     "Principal": {k: (v[0] if len(v) == 1 else v) for k, v in statement_principal.items()},
                     "Action": actions[0] if len(actions) == 1 else actions}
    norm_statement = {"Effect": "Allow", "Principal": statement_principal, "Action": actions}
    if condition:
        raw_statement["Condition"] = {op: {k: (v[0] if len(v) == 1 else v) for k, v in kv.items()}
                                      for op, kv in condition.items()}
        norm_statement["Condition"] = condition
    return ({"Version": "2012-10-17", "Statement": [raw_statement]},
            {"Version": "2012-10-17", "Statement": [norm_statement]})


def describe_and_emit_iam(e: Estate) -> None:
    people = [
        # name, groups, mfa kind, console, created, last password use
        ("alice.nguyen", ["admins"], "hardware", "2019-07-30T04:00:00Z", "2026-11-21T22:14:09Z"),
        ("ben.carter", ["admins"], "virtual", "2020-01-13T01:10:00Z", "2026-11-20T03:55:41Z"),
        ("chloe.martin", ["support"], "virtual", "2021-03-01T00:30:00Z", "2026-11-21T23:02:17Z"),
        ("dan.okafor", ["support"], "virtual", "2021-06-14T00:30:00Z", "2026-11-19T21:40:00Z"),
        ("emma.wilson", ["support"], "virtual", "2022-02-07T00:30:00Z", "2026-11-21T20:11:52Z"),
        ("ian.murphy", ["support"], None, "2024-09-02T00:30:00Z", "2026-11-18T02:27:35Z"),
        ("farah.haddad", ["developers"], "virtual", "2021-10-11T00:30:00Z", "2026-11-21T05:00:03Z"),
        ("george.li", ["developers"], "virtual", "2022-05-23T00:30:00Z", "2026-11-20T06:12:44Z"),
        ("hana.sato", ["developers"], "virtual", "2023-01-16T00:30:00Z", "2026-11-21T01:31:20Z"),
        ("jack.taylor", ["developers"], None, "2025-02-03T00:30:00Z", "2026-11-12T04:48:18Z"),
    ]
    users = []
    for name, groups, mfa, created, last in people:
        team = groups[0]
        users.append({
            "name": name, "groups": groups, "console": True, "created": created, "last_login": last,
            "mfa": [] if mfa is None else [{
                "serial_number": "GAHT40011234" if mfa == "hardware" else f"arn:aws:iam::{PROD}:mfa/{name}",
                "kind": mfa, "enabled_at": iso(at(created) + timedelta(hours=2)),
            }],
            "keys": [], "policies": [],
        })
    next(u for u in users if u["name"] == "jack.taylor")["keys"] = [
        {"status": "Active", "created": "2025-02-04T01:00:00Z", "last_used": "2026-11-21T06:40:00Z"}]
    next(u for u in users if u["name"] == "jack.taylor")["policies"] = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]
    services = [
        ("svc-ci-deploy", [f"arn:aws:iam::{PROD}:policy/ci-deploy"], "2021-01-20T00:00:00Z",
         [{"status": "Active", "created": "2025-11-02T00:00:00Z", "last_used": "2026-11-21T23:50:00Z"}]),
        ("svc-backup-report", ["arn:aws:iam::aws:policy/AWSBackupAuditAccess"], "2022-04-04T00:00:00Z",
         [{"status": "Active", "created": "2026-04-01T00:00:00Z", "last_used": "2026-11-21T19:00:00Z"}]),
        ("svc-monitoring", ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"], "2020-09-09T00:00:00Z",
         [{"status": "Active", "created": "2026-01-15T00:00:00Z", "last_used": "2026-11-22T03:55:00Z"}]),
        ("svc-legacy-ftp", [f"arn:aws:iam::{PROD}:policy/legacy-ftp-s3"], "2018-06-01T00:00:00Z",
         [{"status": "Inactive", "created": "2018-06-01T00:10:00Z", "last_used": "2021-02-11T10:00:00Z"},
          {"status": "Active", "created": "2021-02-11T09:00:00Z", "last_used": "2024-06-30T08:12:00Z"}]),
        ("terraform-ci", ["arn:aws:iam::aws:policy/AdministratorAccess"], "2019-07-30T04:05:00Z",
         [{"status": "Active", "created": "2026-07-01T00:00:00Z", "last_used": "2026-11-21T02:31:00Z"}]),
    ]
    for name, policies, created, keys in services:
        users.append({"name": name, "groups": [], "console": False, "created": created, "last_login": None,
                      "mfa": [], "keys": keys, "policies": policies})
    for u in users:
        u["id"] = e.iam_id("AIDA")
        for k in u["keys"]:
            k["id"] = e.iam_id("AKIA", 16)
    e.users = users

    groups = {
        "admins": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        "support": ["arn:aws:iam::aws:policy/job-function/SupportUser", f"arn:aws:iam::{PROD}:policy/support-readonly"],
        "developers": ["arn:aws:iam::aws:policy/ReadOnlyAccess", f"arn:aws:iam::{PROD}:policy/developer-deploy"],
    }
    group_ids = {g: e.iam_id("AGPA") for g in groups}

    # --- users (production account only; the other accounts are SSO-only) ---
    list_users = e.iam_call("ListUsers", [("IsTruncated", False), ("Users", [
        ("member", [("Path", "/"), ("UserName", u["name"]), ("UserId", u["id"]),
                    ("Arn", f"arn:aws:iam::{PROD}:user/{u['name']}"), ("CreateDate", u["created"])]
         + ([("PasswordLastUsed", u["last_login"])] if u["last_login"] else []))
        for u in users])])
    report = credential_report(PROD, users, root_mfa=True, root_keys=False)
    report_prov = e.record("iam:GetCredentialReport", GLOBAL, report, "text/csv", e.uuid4())
    for u in users:
        arn = f"arn:aws:iam::{PROD}:user/{u['name']}"
        prov = {"resource": list_users, "console_access": report_prov}
        prov["mfa_devices"] = e.iam_call("ListMFADevices", [("IsTruncated", False), ("MFADevices", [
            ("member", [("UserName", u["name"]), ("SerialNumber", m["serial_number"]), ("EnableDate", m["enabled_at"])])
            for m in u["mfa"]])])
        prov["groups"] = e.iam_call("ListGroupsForUser", [("IsTruncated", False), ("Groups", [
            ("member", [("Path", "/"), ("GroupName", g), ("GroupId", group_ids[g]),
                        ("Arn", f"arn:aws:iam::{PROD}:group/{g}"), ("CreateDate", "2019-07-30T04:02:00Z")])
            for g in u["groups"]])])
        prov["access_keys"] = e.iam_call("ListAccessKeys", [("UserName", u["name"]), ("IsTruncated", False), (
            "AccessKeyMetadata", [("member", [("UserName", u["name"]), ("AccessKeyId", k["id"]),
                                              ("Status", k["status"]), ("CreateDate", k["created"])])
                                  for k in u["keys"]])])
        prov["attached_policies"] = e.iam_call("ListAttachedUserPolicies", [("IsTruncated", False), (
            "AttachedPolicies", [("member", [("PolicyName", p.rsplit("/", 1)[1]), ("PolicyArn", p)])
                                 for p in u["policies"]])])
        e.add_resource(
            "aws_iam_user", arn=arn, id=u["name"], name=u["name"], account=PROD, region=GLOBAL, tags={},
            attrs={
                "created": u["created"],
                "console_access": u["console"],
                "password_last_used": u["last_login"],
                "mfa_devices": u["mfa"],
                "groups": u["groups"],
                "access_keys": [{"id": k["id"], "status": k["status"], "created": k["created"],
                                 "last_used": k["last_used"]} for k in u["keys"]],
                "attached_policies": u["policies"],
            },
            provenance=prov,
        )

    # --- groups ---
    list_groups = e.iam_call("ListGroups", [("IsTruncated", False), ("Groups", [
        ("member", [("Path", "/"), ("GroupName", g), ("GroupId", group_ids[g]),
                    ("Arn", f"arn:aws:iam::{PROD}:group/{g}"), ("CreateDate", "2019-07-30T04:02:00Z")])
        for g in groups])])
    for g, policies in groups.items():
        members = [u for u in users if g in u["groups"]]
        get_group = e.iam_call("GetGroup", [
            ("Group", [("Path", "/"), ("GroupName", g), ("GroupId", group_ids[g]),
                       ("Arn", f"arn:aws:iam::{PROD}:group/{g}"), ("CreateDate", "2019-07-30T04:02:00Z")]),
            ("IsTruncated", False),
            ("Users", [("member", [("Path", "/"), ("UserName", u["name"]), ("UserId", u["id"]),
                                   ("Arn", f"arn:aws:iam::{PROD}:user/{u['name']}"), ("CreateDate", u["created"])])
                       for u in members])])
        attached = e.iam_call("ListAttachedGroupPolicies", [("IsTruncated", False), (
            "AttachedPolicies", [("member", [("PolicyName", p.rsplit("/", 1)[1]), ("PolicyArn", p)])
                                 for p in policies])])
        e.add_resource(
            "aws_iam_group", arn=f"arn:aws:iam::{PROD}:group/{g}", id=g, name=g, account=PROD, region=GLOBAL, tags={},
            attrs={"members": [u["name"] for u in members], "attached_policies": policies},
            provenance={"resource": list_groups, "members": get_group, "attached_policies": attached},
        )

    # --- roles, per account ---
    sso_saml_condition = {"StringEquals": {"SAML:aud": ["https://signin.aws.amazon.com/saml"]}}
    mfa_condition = {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}

    def service_role(svc: str):
        return trust({"Service": [svc]}, ["sts:AssumeRole"])

    def sso_role(account: str, region: str = SYD):
        return trust({"Federated": [f"arn:aws:iam::{account}:saml-provider/AWSSSO_5c1f0d93e2a8b7a4_DO_NOT_DELETE"]},
                     ["sts:AssumeRoleWithSAML", "sts:TagSession"], sso_saml_condition)

    backup_role_description = "Provides AWS Backup permission to create backups and perform restores on your behalf"
    audit_trust = trust({"AWS": [f"arn:aws:iam::{PROD}:role/assay-audit"]}, ["sts:AssumeRole"])
    roles = {
        PROD: [
            ("support", "/", "2021-03-01T01:00:00Z",
             trust({"AWS": [f"arn:aws:iam::{PROD}:root"]}, ["sts:AssumeRole"], mfa_condition),
             ["arn:aws:iam::aws:policy/job-function/SupportUser", f"arn:aws:iam::{PROD}:policy/support-readonly"],
             "Support engineers, MFA required"),
            ("support-legacy", "/", "2019-11-04T01:00:00Z",
             trust({"AWS": [f"arn:aws:iam::{PROD}:root"]}, ["sts:AssumeRole"]),
             ["arn:aws:iam::aws:policy/job-function/SupportUser"], "Old support role (pre-SSO)"),
            ("AWSReservedSSO_Support_abc123", "/aws-reserved/sso.amazonaws.com/ap-southeast-2/",
             "2023-06-12T00:00:00Z", sso_role(PROD), ["arn:aws:iam::aws:policy/job-function/SupportUser"], None),
            ("AWSReservedSSO_AdministratorAccess_9f3c2e1d4b5a6978", "/aws-reserved/sso.amazonaws.com/ap-southeast-2/",
             "2023-06-12T00:00:00Z", sso_role(PROD), ["arn:aws:iam::aws:policy/AdministratorAccess"], None),
            ("flightdeck-app-server", "/", "2020-02-11T04:00:00Z", service_role("ec2.amazonaws.com"),
             ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", f"arn:aws:iam::{PROD}:policy/app-server-s3"],
             "Instance profile role for app servers"),
            ("s3-replication", "/", "2023-03-14T02:35:00Z", service_role("s3.amazonaws.com"),
             [f"arn:aws:iam::{PROD}:policy/s3-replication"], "S3 cross-region replication"),
            ("AWSBackupDefaultServiceRole", "/service-role/", "2021-04-06T22:40:00Z",
             service_role("backup.amazonaws.com"),
             ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
              "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
             backup_role_description),
            ("AWSServiceRoleForRDS", "/aws-service-role/rds.amazonaws.com/", "2018-06-11T00:20:00Z",
             service_role("rds.amazonaws.com"), ["arn:aws:iam::aws:policy/aws-service-role/AmazonRDSServiceRolePolicy"],
             "Allows Amazon RDS to manage AWS resources on your behalf"),
            ("AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/", "2020-02-12T00:08:00Z",
             service_role("config.amazonaws.com"),
             ["arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"], None),
            ("assay-audit", "/", "2026-10-01T00:00:00Z",
             trust({"AWS": [f"arn:aws:iam::{PROD}:root"]}, ["sts:AssumeRole"]),
             ["arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
             "Read-only role for compliance evidence collection"),
        ],
        BACKUP: [
            ("AWSReservedSSO_Support_7e21bb04c9d3a511", "/aws-reserved/sso.amazonaws.com/ap-southeast-2/",
             "2023-06-12T00:00:00Z", sso_role(BACKUP), ["arn:aws:iam::aws:policy/job-function/SupportUser"], None),
            ("AWSBackupDefaultServiceRole", "/service-role/", "2021-04-07T01:20:00Z",
             service_role("backup.amazonaws.com"),
             ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
             backup_role_description),
            ("AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/", "2021-04-07T01:25:00Z",
             service_role("config.amazonaws.com"),
             ["arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"], None),
            ("assay-audit", "/", "2026-10-01T00:00:00Z", audit_trust,
             ["arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
             "Read-only role for compliance evidence collection"),
        ],
        UTILITY: [
            ("AWSBackupDefaultServiceRole", "/service-role/", "2021-09-01T00:45:00Z",
             service_role("backup.amazonaws.com"),
             ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
             backup_role_description),
            ("AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/", "2021-09-01T00:50:00Z",
             service_role("config.amazonaws.com"),
             ["arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"], None),
            ("assay-audit", "/", "2026-10-01T00:00:00Z", audit_trust,
             ["arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
             "Read-only role for compliance evidence collection"),
        ],
    }
    e.role_counts = {a: len(r) for a, r in roles.items()}
    for account, account_roles in roles.items():
        role_ids = {r[0]: e.iam_id("AROA") for r in account_roles}
        members = []
        for name, path, created, (raw_doc, _), _, description in account_roles:
            member = [("Path", path), ("RoleName", name), ("RoleId", role_ids[name]),
                      ("Arn", f"arn:aws:iam::{account}:role{path}{name}"), ("CreateDate", created),
                      ("AssumeRolePolicyDocument", urllib.parse.quote(json.dumps(raw_doc, separators=(",", ":")),
                                                                      safe=""))]
            if description:
                member.append(("Description", description))
            member.append(("MaxSessionDuration", 43200 if name.startswith("AWSReservedSSO") else 3600))
            members.append(("member", member))
        list_roles = e.iam_call("ListRoles", [("IsTruncated", False), ("Roles", members)])
        for name, path, created, (_, norm_doc), policies, _ in account_roles:
            prov = {"resource": list_roles}
            prov["attached_policies"] = e.iam_call("ListAttachedRolePolicies", [("IsTruncated", False), (
                "AttachedPolicies", [("member", [("PolicyName", p.rsplit("/", 1)[1]), ("PolicyArn", p)])
                                     for p in policies])])
            e.add_resource(
                "aws_iam_role", arn=f"arn:aws:iam::{account}:role{path}{name}", id=name, name=name, account=account,
                region=GLOBAL, tags={},
                attrs={
                    "path": path,
                    "created": created,
                    "assume_role_policy": norm_doc,
                    "attached_policies": policies,
                    "is_service_linked": path.startswith("/aws-service-role/"),
                },
                provenance=prov,
            )


def credential_report(account: str, users: list[dict], *, root_mfa: bool, root_keys: bool) -> str:
    header = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
              "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
              "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
              "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
              "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
              "cert_2_active,cert_2_last_rotated")

    def t(value: str | None) -> str:
        return value.replace("Z", "+00:00") if value else "N/A"

    def key_cols(key: dict | None) -> list[str]:
        if not key:
            return ["false", "N/A", "N/A", "N/A", "N/A"]
        return ["true" if key["status"] == "Active" else "false", t(key["created"]), t(key["last_used"]),
                SYD, "s3" if key["last_used"] else "N/A"]

    rows = [header, ",".join([
        "<root_account>", f"arn:aws:iam::{account}:root", "2019-07-30T03:50:00+00:00", "not_supported",
        "2026-02-03T22:10:41+00:00", "not_supported", "not_supported", str(root_mfa).lower(),
        str(root_keys).lower(), "2019-07-30T03:55:00+00:00" if root_keys else "N/A", "N/A", "N/A", "N/A",
        "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"])]
    for u in users:
        keys = u["keys"] + [None, None]
        rows.append(",".join([
            u["name"], f"arn:aws:iam::{account}:user/{u['name']}", t(u["created"]),
            "true" if u["console"] else "false", t(u["last_login"]) if u["console"] else "N/A",
            t(u["created"]) if u["console"] else "N/A", "N/A", "true" if u["mfa"] else "false",
            *key_cols(keys[0]), *key_cols(keys[1]), "false", "N/A", "false", "N/A",
        ]))
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------------------
# CloudTrail and Config
# --------------------------------------------------------------------------------------


def describe_and_emit_trails(e: Estate) -> None:
    trails = [
        dict(name="flightdeck-prod-trail", account=PROD, home=SYD, multi=True, logging=True, validation=True,
             key="prod-cloudtrail", bucket="flightdeck-prod-cloudtrail-logs", rw="All"),
        dict(name="legacy-us-trail", account=PROD, home=USE1, multi=False, logging=False, validation=False, key=None,
             bucket="flightdeck-prod-cloudtrail-logs", rw="All"),
        dict(name="backup-account-trail", account=BACKUP, home=SYD, multi=True, logging=True, validation=False,
             key=None, bucket="flightdeck-backup-cloudtrail", rw="WriteOnly"),
        dict(name="utility-trail", account=UTILITY, home=SYD, multi=False, logging=True, validation=True,
             key="util-logs", bucket="flightdeck-utility-cloudtrail", rw="All"),
    ]
    for t in trails:
        t["arn"] = f"arn:aws:cloudtrail:{t['home']}:{t['account']}:trail/{t['name']}"
    for t in trails:
        # DescribeTrails in the home region also lists the account's multi-Region trails.
        visible = [x for x in trails if x["account"] == t["account"] and (x is t or x["multi"])]
        listing = e.json_call("cloudtrail:DescribeTrails", t["home"], {"trailList": [{
            "Name": x["name"], "S3BucketName": x["bucket"], "IncludeGlobalServiceEvents": x["multi"],
            "IsMultiRegionTrail": x["multi"], "HomeRegion": x["home"], "TrailARN": x["arn"],
            "LogFileValidationEnabled": x["validation"], "HasCustomEventSelectors": x["rw"] != "All",
            "HasInsightSelectors": False, "IsOrganizationTrail": False,
            **({"KmsKeyId": e.key_arn(x["key"])} if x["key"] else {}),
        } for x in visible]})
        status = {"IsLogging": t["logging"], "LatestDeliveryTime": epoch(at("2026-11-22T03:52:10Z")),
                  "StartLoggingTime": epoch(at("2021-04-07T02:10:00Z")),
                  "LatestDigestDeliveryTime": epoch(at("2026-11-22T03:30:00Z")) if t["validation"] else None}
        if not t["logging"]:
            status = {"IsLogging": False, "LatestDeliveryTime": epoch(at("2025-03-03T01:02:03Z")),
                      "StopLoggingTime": epoch(at("2025-03-03T01:04:00Z"))}
        status = {k: v for k, v in status.items() if v is not None}
        prov = {
            "resource": listing,
            "is_logging": e.json_call("cloudtrail:GetTrailStatus", t["home"], status),
            "records_management_events": e.json_call("cloudtrail:GetEventSelectors", t["home"], {
                "TrailARN": t["arn"],
                "EventSelectors": [{"ReadWriteType": t["rw"], "IncludeManagementEvents": True, "DataResources": [],
                                    "ExcludeManagementEventSources": []}]}),
        }
        e.add_resource(
            "aws_cloudtrail_trail", arn=t["arn"], id=t["name"], name=t["name"], account=t["account"],
            region=t["home"], tags={},
            attrs={
                "home_region": t["home"],
                "is_multi_region": t["multi"],
                "is_organization_trail": False,
                "is_logging": t["logging"],
                "log_file_validation_enabled": t["validation"],
                "kms_key_arn": e.key_arn(t["key"]) if t["key"] else None,
                "s3_bucket_name": t["bucket"],
                "records_management_events": t["rw"] == "All",
            },
            provenance=prov,
        )


def describe_and_emit_config(e: Estate) -> None:
    recorders = [
        (PROD, SYD, True, True), (PROD, MEL, True, False), (PROD, USE1, False, False), (PROD, EUW1, True, False),
        (BACKUP, SYD, True, True),  # none in the backup account's ap-southeast-4
        (UTILITY, SYD, True, True),
    ]
    for account, region, recording, global_types in recorders:
        role = f"arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
        listing = e.json_call("config:DescribeConfigurationRecorders", region, {"ConfigurationRecorders": [{
            "name": "default", "roleARN": role,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": global_types, "resourceTypes": [],
                               "exclusionByResourceTypes": {"resourceTypes": []},
                               "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}},
            "recordingMode": {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": []},
        }]})
        status = {"name": "default", "lastStartTime": epoch(at("2023-05-10T02:00:00Z")), "recording": recording,
                  "lastStatus": "SUCCESS", "lastStatusChangeTime": epoch(at("2026-11-22T03:15:44Z"))}
        if not recording:
            status["lastStopTime"] = epoch(at("2025-08-19T07:31:00Z"))
            status["lastStatusChangeTime"] = epoch(at("2025-08-19T07:30:12Z"))
        status_prov = e.json_call("config:DescribeConfigurationRecorderStatus", region,
                                  {"ConfigurationRecordersStatus": [status]})
        e.add_resource(
            "aws_config_recorder", arn=f"arn:aws:config:{region}:{account}:config-recorder/default", id="default",
            name="default", account=account, region=region, tags={},
            attrs={"recording": recording, "all_supported": True, "include_global_resource_types": global_types,
                   "last_status": "SUCCESS", "role_arn": role},
            provenance={"resource": listing, "recording": status_prov, "last_status": status_prov},
        )


# --------------------------------------------------------------------------------------
# AWS Backup
# --------------------------------------------------------------------------------------


def vault_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:backup:{region}:{account}:backup-vault:{name}"


def copy(region: str, account: str, vault: str, delete: int, cold: int | None = None) -> dict:
    return {"destination_vault_arn": vault_arn(region, account, vault), "destination_account": account,
            "destination_region": region, "delete_after_days": delete, "cold_storage_after_days": cold}


def backup_rule(name: str, schedule: str, frequency: str, runs: int, vault: str, delete: int,
                cold: int | None = None, copies: list | None = None) -> dict:
    return {"name": name, "schedule_expression": schedule, "frequency": frequency, "runs_per_day": runs,
            "target_vault": vault, "delete_after_days": delete, "cold_storage_after_days": cold,
            "copy_actions": copies or []}


def describe_and_emit_backup(e: Estate) -> None:
    inst_arn = {h: f"arn:aws:ec2:{i['region']}:{i['account']}:instance/{i['id']}" for h, i in e.instances.items()}
    prod_syd_instances = [h for h, i in e.instances.items() if i["region"] == SYD]
    db_arn = {d: r["arn"] for d, r in e.rds.items()}
    plans = [
        dict(name="production-db", account=PROD, region=SYD, created="2021-04-06T23:00:00Z",
             selection=[db_arn["flightdeck-prod-sql"], db_arn["flightdeck-prod-pg"], db_arn["flightdeck-reporting"]],
             rules=[
                 backup_rule("daily", "cron(0 18 * * ? *)", "daily", 1, "production", 42, copies=[
                     copy(SYD, BACKUP, "prod-copies", 42), copy(SYD, UTILITY, "dr", 28)]),
                 backup_rule("weekly", "cron(0 18 ? * SAT *)", "weekly", 0, "production", 365, 7, copies=[
                     copy(SYD, BACKUP, "prod-copies", 365, 7)]),
                 backup_rule("monthly", "cron(0 18 1 * ? *)", "monthly", 0, "production", 3650, 30, copies=[
                     copy(SYD, BACKUP, "prod-copies", 3650, 30)]),
             ]),
        dict(name="ebs-snapshots", account=PROD, region=SYD, created="2021-04-06T23:05:00Z",
             selection=[inst_arn[h] for h in prod_syd_instances],
             rules=[
                 backup_rule("every-6-hours", "cron(0 0/6 * * ? *)", "hourly", 4, "production", 7),
                 backup_rule("twice-daily-copy", "cron(0 0/12 * * ? *)", "hourly", 2, "production", 7, copies=[
                     copy(SYD, BACKUP, "prod-copies", 7)]),
             ]),
        dict(name="staging", account=PROD, region=SYD, created="2022-08-19T06:00:00Z",
             selection=[db_arn["flightdeck-staging-pg"]],
             rules=[backup_rule("daily", "cron(0 16 * * ? *)", "daily", 1, "Default", 14)]),
        dict(name="analytics", account=PROD, region=SYD, created="2024-01-23T00:00:00Z",
             selection=["arn:aws:s3:::flightdeck-analytics-exports"],
             rules=[backup_rule("daily-analytics", "cron(0 19 * * ? *)", "daily", 1, "production", 35, copies=[
                 copy(USE1, PROD, "analytics-us", 35)])]),
        dict(name="melbourne-dr", account=PROD, region=MEL, created="2023-03-21T02:00:00Z",
             selection=[db_arn["flightdeck-dr-pg"], inst_arn["mel-app-01"], inst_arn["mel-app-02"]],
             rules=[backup_rule("daily", "cron(0 17 * * ? *)", "daily", 1, "melbourne", 35, copies=[
                        copy(MEL, BACKUP, "prod-copies-mel", 35)]),
                    backup_rule("mel-snapshots", "cron(0 0/12 * * ? *)", "hourly", 2, "melbourne", 3)]),
    ]
    for p in plans:
        p["id"] = e.uuid4()
        p["version"] = base64.b64encode(e.uuid4().encode()).decode()
        p["arn"] = f"arn:aws:backup:{p['region']}:{p['account']}:backup-plan:{p['id']}"
        for r in p["rules"]:
            r["rule_id"] = e.uuid4()
    plan = {p["name"]: p for p in plans}

    vaults = [
        dict(name="production", account=PROD, region=SYD, key="prod-backup", locked=False, min=None, max=None),
        dict(name="Default", account=PROD, region=SYD, key="aws/backup@111122223333/ap-southeast-2", locked=False,
             min=None, max=None),
        dict(name="melbourne", account=PROD, region=MEL, key="prod-data-mel", locked=False, min=None, max=None),
        dict(name="analytics-us", account=PROD, region=USE1, key="prod-growth", locked=False, min=None, max=None),
        dict(name="prod-copies", account=BACKUP, region=SYD, key="backup-vault-syd", locked=True, min=7, max=3650),
        dict(name="prod-copies-mel", account=BACKUP, region=MEL, key="backup-vault-mel", locked=True, min=7,
             max=3650, unreadable_points=35),
        dict(name="dr", account=UTILITY, region=SYD, key="util-dr", locked=False, min=None, max=None),
    ]
    for v in vaults:
        v["arn"] = vault_arn(v["region"], v["account"], v["name"])
        v["points"] = []
    vault = {(v["account"], v["name"]): v for v in vaults}

    # ---- recovery points ----
    def point(vault_key: tuple, *, arn: str, rid: str, source_arn: str, source_type: str, created: datetime,
              key: str | None, plan_name: str, rule_name: str, status: str = "COMPLETED", copied_from: str | None = None,
              source_vault: str | None = None, delete: int | None = None, cold: int | None = None,
              size: int = 0) -> None:
        p = plan[plan_name]
        r = next(x for x in p["rules"] if x["name"] == rule_name)
        vault[vault_key]["points"].append({
            "arn": arn, "id": rid, "source_arn": source_arn, "source_type": source_type, "created": created,
            "status": status, "key": key, "delete": delete if delete is not None else r["delete_after_days"],
            "cold": cold if delete is not None else r["cold_storage_after_days"], "frequency": r["frequency"],
            "copied_from": copied_from, "source_vault": source_vault, "plan": p, "rule": r, "size": size,
        })

    def rds_point_arn(region: str, account: str, job: str) -> tuple[str, str]:
        rid = f"awsbackup:{job}-{e.uuid4()}"
        return f"arn:aws:rds:{region}:{account}:snapshot:{rid}", rid

    # EC2 (AMI) backups of the 20 production instances, latest six-hourly run; one PARTIAL.
    run = at("2026-11-22T00:00:00Z")
    for n, h in enumerate(prod_syd_instances):
        inst = e.instances[h]
        ami = e.ec2_id("ami")
        size = sum(e.volumes[v]["size"] for v in inst["volumes"]) * 1073741824 // 5
        created = run + timedelta(minutes=2, seconds=11 * n)
        # app-07's image includes its unencrypted data volume, so the point is not encrypted.
        point_key = None if h == "app-07" else "prod-ebs"
        point((PROD, "production"), arn=f"arn:aws:ec2:{SYD}::image/{ami}", rid=ami, source_arn=inst_arn[h],
              source_type="EC2", created=created, key=point_key, plan_name="ebs-snapshots",
              rule_name="every-6-hours", status="PARTIAL" if h == "app-04" else "COMPLETED", size=size)
        if h == "app-04":
            continue  # a PARTIAL point is not copied
        copy_ami = e.ec2_id("ami")
        point((BACKUP, "prod-copies"), arn=f"arn:aws:ec2:{SYD}::image/{copy_ami}", rid=copy_ami,
              source_arn=inst_arn[h], source_type="EC2", created=created + timedelta(minutes=48),
              key=point_key and "backup-vault-syd", plan_name="ebs-snapshots", rule_name="twice-daily-copy", copied_from=PROD,
              source_vault=vault[(PROD, "production")]["arn"], delete=7, cold=None, size=size)

    # Databases: daily (reporting's last good run is three days old), weekly, monthly.
    daily = {"flightdeck-prod-sql": at("2026-11-21T18:04:12Z"), "flightdeck-prod-pg": at("2026-11-21T18:06:40Z"),
             "flightdeck-reporting": at("2026-11-18T18:09:55Z")}
    for db_id, created in daily.items():
        db = e.rds[db_id]
        arn, rid = rds_point_arn(SYD, PROD, "job")
        point((PROD, "production"), arn=arn, rid=rid, source_arn=db["arn"], source_type="RDS", created=created,
              key=db["key"], plan_name="production-db", rule_name="daily", size=db["storage"] * 1073741824 // 3)
        arn, rid = rds_point_arn(SYD, BACKUP, "copyjob")
        point((BACKUP, "prod-copies"), arn=arn, rid=rid, source_arn=db["arn"], source_type="RDS",
              created=created + timedelta(minutes=41), key="backup-vault-syd", plan_name="production-db",
              rule_name="daily", copied_from=PROD, source_vault=vault[(PROD, "production")]["arn"], delete=42,
              cold=None, size=db["storage"] * 1073741824 // 3)
        arn, rid = rds_point_arn(SYD, UTILITY, "copyjob")
        point((UTILITY, "dr"), arn=arn, rid=rid, source_arn=db["arn"], source_type="RDS",
              created=created + timedelta(minutes=57), key="util-dr", plan_name="production-db", rule_name="daily",
              copied_from=PROD, source_vault=vault[(PROD, "production")]["arn"], delete=28, cold=None,
              size=db["storage"] * 1073741824 // 3)
    long_term = [("weekly", "flightdeck-prod-sql", at("2026-11-21T18:04:12Z")),
                 ("weekly", "flightdeck-prod-pg", at("2026-11-21T18:06:40Z")),
                 ("monthly", "flightdeck-prod-sql", at("2026-11-01T18:03:31Z")),
                 ("monthly", "flightdeck-prod-pg", at("2026-11-01T18:05:02Z")),
                 ("monthly", "flightdeck-reporting", at("2026-11-01T18:08:47Z"))]
    for rule_name, db_id, created in long_term:
        db = e.rds[db_id]
        arn, rid = rds_point_arn(SYD, PROD, "job")
        point((PROD, "production"), arn=arn, rid=rid, source_arn=db["arn"], source_type="RDS", created=created,
              key=db["key"], plan_name="production-db", rule_name=rule_name, size=db["storage"] * 1073741824 // 3)
        r = next(x for x in plan["production-db"]["rules"] if x["name"] == rule_name)
        arn, rid = rds_point_arn(SYD, BACKUP, "copyjob")
        point((BACKUP, "prod-copies"), arn=arn, rid=rid, source_arn=db["arn"], source_type="RDS",
              created=created + timedelta(minutes=44), key="backup-vault-syd", plan_name="production-db",
              rule_name=rule_name, copied_from=PROD, source_vault=vault[(PROD, "production")]["arn"],
              delete=r["copy_actions"][0]["delete_after_days"], cold=r["copy_actions"][0]["cold_storage_after_days"],
              size=db["storage"] * 1073741824 // 3)
    staging = e.rds["flightdeck-staging-pg"]
    arn, rid = rds_point_arn(SYD, PROD, "job")
    point((PROD, "Default"), arn=arn, rid=rid, source_arn=staging["arn"], source_type="RDS",
          created=at("2026-11-21T16:05:19Z"), key=staging["key"], plan_name="staging", rule_name="daily",
          size=20 * 1073741824)
    dr_pg = e.rds["flightdeck-dr-pg"]
    arn, rid = rds_point_arn(MEL, PROD, "job")
    point((PROD, "melbourne"), arn=arn, rid=rid, source_arn=dr_pg["arn"], source_type="RDS",
          created=at("2026-11-21T17:03:26Z"), key=dr_pg["key"], plan_name="melbourne-dr", rule_name="daily",
          size=160 * 1073741824)
    for n, h in enumerate(["mel-app-01", "mel-app-02"]):
        ami = e.ec2_id("ami")
        point((PROD, "melbourne"), arn=f"arn:aws:ec2:{MEL}::image/{ami}", rid=ami, source_arn=inst_arn[h],
              source_type="EC2", created=at("2026-11-22T00:01:30Z") + timedelta(seconds=47 * n), key="prod-ebs-mel",
              plan_name="melbourne-dr", rule_name="mel-snapshots", size=(150 + 200 * (1 - n)) * 1073741824 // 5)
    # S3 (analytics exports) and its copy to us-east-1.
    rp = e.uuid4()
    point((PROD, "production"), arn=f"arn:aws:backup:{SYD}:{PROD}:recovery-point:{rp}", rid=rp,
          source_arn="arn:aws:s3:::flightdeck-analytics-exports", source_type="S3",
          created=at("2026-11-21T19:02:45Z"), key="prod-backup", plan_name="analytics", rule_name="daily-analytics",
          size=48 * 1073741824)
    rp = e.uuid4()
    point((PROD, "analytics-us"), arn=f"arn:aws:backup:{USE1}:{PROD}:recovery-point:{rp}", rid=rp,
          source_arn="arn:aws:s3:::flightdeck-analytics-exports", source_type="S3",
          created=at("2026-11-21T20:31:08Z"), key="prod-growth", plan_name="analytics", rule_name="daily-analytics",
          source_vault=vault[(PROD, "production")]["arn"], delete=35, cold=None, size=48 * 1073741824)

    # ---- plans ----
    for p in plans:
        listing = e.json_call("backup:ListBackupPlans", p["region"], {"BackupPlansList": [{
            "BackupPlanArn": x["arn"], "BackupPlanId": x["id"], "BackupPlanName": x["name"],
            "CreationDate": epoch(at(x["created"])), "VersionId": x["version"],
            "LastExecutionDate": epoch(at("2026-11-22T00:00:00Z"))}
            for x in plans if x["account"] == p["account"] and x["region"] == p["region"]]})
        get_plan = e.json_call("backup:GetBackupPlan", p["region"], {
            "BackupPlan": {"BackupPlanName": p["name"], "Rules": [{
                "RuleName": r["name"], "TargetBackupVaultName": r["target_vault"],
                "ScheduleExpression": r["schedule_expression"], "StartWindowMinutes": 60,
                "CompletionWindowMinutes": 360,
                "Lifecycle": {"DeleteAfterDays": r["delete_after_days"],
                              **({"MoveToColdStorageAfterDays": r["cold_storage_after_days"]}
                                 if r["cold_storage_after_days"] else {})},
                "RuleId": r["rule_id"],
                "CopyActions": [{"Lifecycle": {"DeleteAfterDays": c["delete_after_days"],
                                               **({"MoveToColdStorageAfterDays": c["cold_storage_after_days"]}
                                                  if c["cold_storage_after_days"] else {})},
                                 "DestinationBackupVaultArn": c["destination_vault_arn"]} for c in r["copy_actions"]],
                "ScheduleExpressionTimezone": "Etc/UTC"} for r in p["rules"]]},
            "BackupPlanArn": p["arn"], "BackupPlanId": p["id"], "VersionId": p["version"],
            "CreationDate": epoch(at(p["created"]))})
        selection = e.json_call("backup:GetBackupSelection", p["region"], {
            "BackupSelection": {"SelectionName": f"{p['name']}-resources",
                                "IamRoleArn": f"arn:aws:iam::{p['account']}:role/service-role/AWSBackupDefaultServiceRole",
                                "Resources": p["selection"], "ListOfTags": [], "NotResources": [],
                                "Conditions": {"StringEquals": [], "StringNotEquals": [], "StringLike": [],
                                               "StringNotLike": []}},
            "SelectionId": e.uuid4(), "BackupPlanId": p["id"], "CreationDate": epoch(at(p["created"]))})
        e.add_resource(
            "aws_backup_plan", arn=p["arn"], id=p["id"], name=p["name"], account=p["account"], region=p["region"],
            tags={},
            attrs={"plan_id": p["id"], "version_id": p["version"],
                   "rules": [{k: v for k, v in r.items() if k != "rule_id"} for r in p["rules"]],
                   "selected_resources": p["selection"]},
            provenance={"resource": listing, "rules": get_plan, "selected_resources": selection},
        )

    # ---- vaults and their recovery points ----
    for v in vaults:
        count = v.get("unreadable_points", len(v["points"]))
        listing = e.json_call("backup:ListBackupVaults", v["region"], {"BackupVaultList": [{
            "BackupVaultName": x["name"], "BackupVaultArn": x["arn"], "VaultType": "BACKUP_VAULT",
            "CreationDate": epoch(at("2021-04-06T22:50:00Z")), "EncryptionKeyArn": e.key_arn(x["key"]),
            "CreatorRequestId": e.uuid4(), "NumberOfRecoveryPoints": x.get("unreadable_points", len(x["points"])),
            "Locked": x["locked"],
            **({"MinRetentionDays": x["min"], "MaxRetentionDays": x["max"],
                "LockDate": epoch(at("2024-01-10T00:00:00Z"))} if x["locked"] else {}),
        } for x in vaults if x["account"] == v["account"] and x["region"] == v["region"]]})
        e.add_resource(
            "aws_backup_vault", arn=v["arn"], id=v["name"], name=v["name"], account=v["account"], region=v["region"],
            tags={},
            attrs={"encryption": enc(e.key_arn(v["key"])), "locked": v["locked"], "min_retention_days": v["min"],
                   "max_retention_days": v["max"], "recovery_points": count},
            provenance={"resource": listing},
        )
        if "unreadable_points" in v:
            e.tick()  # the denied call
            e.add_gap(
                "gap-1", account=v["account"], service="backup", region=v["region"],
                operation="backup:ListRecoveryPointsByBackupVault", error_code="AccessDeniedException",
                message=(f"User: arn:aws:sts::{v['account']}:assumed-role/assay-audit/assay is not authorized to "
                         f"perform: backup:ListRecoveryPointsByBackupVault on resource: {v['arn']} because no "
                         "identity-based policy allows the backup:ListRecoveryPointsByBackupVault action"),
                resource_types=["aws_backup_recovery_point"],
            )
            continue
        if not v["points"]:
            continue
        points_prov = e.json_call("backup:ListRecoveryPointsByBackupVault", v["region"], {"RecoveryPoints": [
            recovery_point_json(e, v, p) for p in v["points"]]})
        for p in v["points"]:
            e.add_resource(
                "aws_backup_recovery_point", arn=p["arn"], id=p["id"], name=p["id"], account=v["account"],
                region=v["region"], tags={},
                attrs={
                    "vault_name": v["name"],
                    "source_resource_arn": p["source_arn"],
                    "source_resource_type": p["source_type"],
                    "created": iso(p["created"]),
                    "status": p["status"],
                    "encryption": enc(e.key_arn(p["key"]) if p["key"] else None),
                    "delete_after_days": p["delete"],
                    "cold_storage_after_days": p["cold"],
                    "frequency": p["frequency"],
                    "copied_from_account": p["copied_from"],
                },
                provenance={"resource": points_prov},
            )


def recovery_point_json(e: Estate, v: dict, p: dict) -> dict:
    completed = p["created"] + timedelta(minutes=17)
    lifecycle = {"DeleteAfterDays": p["delete"]}
    calculated = {"DeleteAt": epoch(p["created"] + timedelta(days=p["delete"]))}
    if p["cold"]:
        lifecycle["MoveToColdStorageAfterDays"] = p["cold"]
        calculated["MoveToColdStorageAt"] = epoch(p["created"] + timedelta(days=p["cold"]))
    out = {
        "RecoveryPointArn": p["arn"], "BackupVaultName": v["name"], "BackupVaultArn": v["arn"],
        "ResourceArn": p["source_arn"], "ResourceType": p["source_type"],
        "CreatedBy": {"BackupPlanId": p["plan"]["id"], "BackupPlanArn": p["plan"]["arn"],
                      "BackupPlanVersion": p["plan"]["version"], "BackupRuleId": p["rule"]["rule_id"]},
        "IamRoleArn": f"arn:aws:iam::{v['account']}:role/service-role/AWSBackupDefaultServiceRole",
        "Status": p["status"], "CreationDate": epoch(p["created"]), "CompletionDate": epoch(completed),
        "BackupSizeInBytes": p["size"], "CalculatedLifecycle": calculated, "Lifecycle": lifecycle,
        **({"EncryptionKeyArn": e.key_arn(p["key"])} if p["key"] else {}), "IsEncrypted": p["key"] is not None,
        "ResourceName": p["source_arn"].rsplit(":", 1)[-1].rsplit("/", 1)[-1], "VaultType": "BACKUP_VAULT",
    }
    if p["status"] == "PARTIAL":
        out["StatusMessage"] = "Windows VSS Backup Job Error encountered, trying for regular backup"
    if p["source_vault"]:
        out["SourceBackupVaultArn"] = p["source_vault"]
    return out


# --------------------------------------------------------------------------------------
# Accounts and regions (last: they summarise what was found)
# --------------------------------------------------------------------------------------

ACCOUNT_SETTINGS = {
    PROD: {"root_mfa": True, "root_keys": False,
           "policy": {"minimum_length": 14, "require_symbols": True, "require_numbers": True, "require_uppercase": True,
                      "require_lowercase": True, "max_age_days": 90, "reuse_prevention": 24}},
    BACKUP: {"root_mfa": True, "root_keys": False, "policy": None},
    UTILITY: {"root_mfa": False, "root_keys": True,
              "policy": {"minimum_length": 8, "require_symbols": False, "require_numbers": True,
                         "require_uppercase": True, "require_lowercase": True, "max_age_days": None,
                         "reuse_prevention": None}},
}

# EBS encryption by default per account and region: (enabled, key handle).
EBS_DEFAULTS = {
    (PROD, SYD): (True, "prod-ebs"),
    (PROD, MEL): (True, "prod-ebs-mel"),
    (PROD, USE1): (False, "aws/ebs@111122223333/us-east-1"),
    (PROD, EUW1): (True, "aws/ebs@111122223333/eu-west-1"),
    (BACKUP, SYD): (True, "backup-ebs-syd"),
    (BACKUP, MEL): (True, "backup-ebs-mel"),
    (UTILITY, SYD): (True, "util-ebs"),
}

OPT_IN = {
    PROD: {SYD: "opt-in-not-required", MEL: "opted-in", USE1: "opt-in-not-required", EUW1: "opt-in-not-required",
           MEC1: "not-opted-in"},
    BACKUP: {SYD: "opt-in-not-required", MEL: "opted-in", USE1: "opt-in-not-required", EUW1: "opt-in-not-required",
             MEC1: "not-opted-in"},
    UTILITY: {SYD: "opt-in-not-required", MEL: "not-opted-in", USE1: "opt-in-not-required",
              EUW1: "opt-in-not-required", MEC1: "not-opted-in"},
}



def makes_region_in_use(r: dict) -> bool:
    """As the live collector decides it (collect.rs, mark_regions_in_use): any data store,
    instance, customer-managed key, backup or non-default network resource."""
    if r["type"] in ("aws_region", "aws_account", "aws_config_recorder", "aws_cloudtrail_trail",
                     "aws_console_signin"):
        return False
    if r["type"] in ("aws_vpc", "aws_security_group"):
        return not r["is_default"]
    if r["type"] == "aws_kms_key":
        return r["key_manager"] == "CUSTOMER"
    return True


def emit_accounts_and_regions(e: Estate) -> None:
    for cfg in ACCOUNTS:
        account = cfg["account_id"]
        settings = ACCOUNT_SETTINGS[account]
        n_users = len(e.users) if account == PROD else 0
        summary = {
            "Users": n_users, "Groups": 3 if account == PROD else 0, "Roles": e.role_counts[account],
            "Policies": 9 if account == PROD else 0, "MFADevices": sum(len(u["mfa"]) for u in e.users) if account == PROD else 0,
            "MFADevicesInUse": sum(len(u["mfa"]) for u in e.users) if account == PROD else 0,
            "AccountMFAEnabled": int(settings["root_mfa"]), "AccountAccessKeysPresent": int(settings["root_keys"]),
            "AccountSigningCertificatesPresent": 0, "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000,
        }
        prov = {"resource": e.iam_call("GetAccountSummary", [("SummaryMap", [
            ("entry", [("key", k), ("value", v)]) for k, v in summary.items()])])}
        policy = settings["policy"]
        if policy:
            items = [("MinimumPasswordLength", policy["minimum_length"]), ("RequireSymbols", policy["require_symbols"]),
                     ("RequireNumbers", policy["require_numbers"]),
                     ("RequireUppercaseCharacters", policy["require_uppercase"]),
                     ("RequireLowercaseCharacters", policy["require_lowercase"]),
                     ("AllowUsersToChangePassword", True), ("ExpirePasswords", policy["max_age_days"] is not None)]
            if policy["max_age_days"] is not None:
                items.append(("MaxPasswordAge", policy["max_age_days"]))
            if policy["reuse_prevention"] is not None:
                items.append(("PasswordReusePrevention", policy["reuse_prevention"]))
            items.append(("HardExpiry", False))
            prov["password_policy"] = e.iam_call("GetAccountPasswordPolicy", [("PasswordPolicy", items)])
        else:
            rid = e.uuid4()
            body = xml_doc("ErrorResponse", [
                ("Error", [("Type", "Sender"), ("Code", "NoSuchEntity"),
                           ("Message", f"The Password Policy with domain name {account} cannot be found.")]),
                ("RequestId", rid)], IAM_NS)
            prov["password_policy"] = e.record("iam:GetAccountPasswordPolicy", GLOBAL, body, "text/xml", rid)
        prov["alias"] = e.iam_call("ListAccountAliases", [
            ("AccountAliases", [("member", cfg["alias"])] if cfg["alias"] else []), ("IsTruncated", False)])
        e.add_resource(
            "aws_account", arn=f"arn:aws:iam::{account}:root", id=account, name=cfg["alias"] or account,
            account=account, region=GLOBAL, tags={},
            attrs={"alias": cfg["alias"], "root_mfa_enabled": settings["root_mfa"],
                   "root_access_keys_present": settings["root_keys"],
                   "password_policy": dict(policy) if policy else None},
            provenance=prov,
        )

        # Regions. ARN convention (ours, not AWS's): arn:aws:ec2:REGION:ACCOUNT:region/REGION.
        regions_prov = e.ec2_call("DescribeRegions", cfg["regions_read"][0], [("regionInfo", [
            ("item", [("regionName", r), ("regionEndpoint", f"ec2.{r}.amazonaws.com"),
                      ("optInStatus", OPT_IN[account][r])])
            for r in (SYD, MEL, USE1, EUW1, MEC1)])])
        for region in cfg["regions_read"]:
            enabled, key = EBS_DEFAULTS[(account, region)]
            by_default = e.ec2_call("GetEbsEncryptionByDefault", region,
                                    [("ebsEncryptionByDefault", enabled), ("sseType", "sse-ebs")])
            in_use = any(r["account"] == account and r["region"] == region and makes_region_in_use(r)
                         for r in e.resources)
            e.add_resource(
                "aws_region", arn=f"arn:aws:ec2:{region}:{account}:region/{region}", id=region, name=region,
                account=account, region=region, tags={},
                attrs={"opt_in_status": OPT_IN[account][region], "in_use": in_use,
                       "ebs_encryption_by_default": {"enabled": enabled, "kms_key_arn": e.key_arn(key)}},
                provenance={"resource": regions_prov, "ebs_encryption_by_default": by_default},
            )


def describe_and_emit_signins(e: Estate) -> None:
    """Console sign-ins (cloudtrail:LookupEvents, EventName=ConsoleLogin, last 90 days) in
    every region read, as the collector asks for them. Production's IAM users sign in
    through the global endpoint, so their events are in us-east-1: alice and chloe with
    MFA, ian.murphy and jack.taylor (no MFA device) without, the root user with MFA, a
    failed sign-in and a federated (Identity Center) one. Emitted last so that adding
    them shifts no earlier id or call time."""
    sso = "AWSReservedSSO_ReadOnly_5e2c0a1b7d9f3e46"
    signins = [
        # user, identity type, MFAUsed, result, time, source IP
        ("alice.nguyen", "IAMUser", "Yes", "Success", "2026-11-21T22:14:09Z", "203.0.113.41"),
        ("chloe.martin", "IAMUser", "Yes", "Success", "2026-11-21T23:02:17Z", "198.51.100.77"),
        ("ian.murphy", "IAMUser", "No", "Success", "2026-11-18T02:27:35Z", "192.0.2.150"),
        ("jack.taylor", "IAMUser", "No", "Success", "2026-11-12T04:48:18Z", "203.0.113.9"),
        ("root", "Root", "Yes", "Success", "2026-10-02T01:15:00Z", "203.0.113.41"),
        ("HIDDEN_DUE_TO_SECURITY_REASONS", "IAMUser", "No", "Failure", "2026-11-20T17:44:02Z", "185.220.101.3"),
        ("george.li@flightdeck.example", "AssumedRole", "No", "Success", "2026-11-21T05:00:03Z", "198.51.100.12"),
    ]
    events = []
    for user, kind, mfa, result, time, ip in signins:
        event_id = e.uuid4()
        identity = {"type": kind, "principalId": e.iam_id("AIDA"), "accountId": PROD, "accessKeyId": ""}
        if kind == "Root":
            identity.update(principalId=PROD, arn=f"arn:aws:iam::{PROD}:root")
        elif kind == "AssumedRole":
            identity["arn"] = f"arn:aws:sts::{PROD}:assumed-role/{sso}/{user}"
        elif result == "Success":
            identity.update(arn=f"arn:aws:iam::{PROD}:user/{user}", userName=user)
        else:
            identity["userName"] = user
        record = {
            "eventVersion": "1.08", "userIdentity": identity, "eventTime": time,
            "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": USE1,
            "sourceIPAddress": ip, "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
            "requestParameters": None, "responseElements": {"ConsoleLogin": result},
            "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home",
                                    "MobileVersion": "No", "MFAUsed": mfa},
            "eventID": event_id, "readOnly": False, "eventType": "AwsConsoleSignIn",
            "managementEvent": True, "recipientAccountId": PROD, "eventCategory": "Management",
        }
        if result == "Failure":
            record["errorMessage"] = "Failed authentication"
        events.append((event_id, user, kind, mfa, result, time, ip, identity.get("arn"), record))
    listing = e.json_call("cloudtrail:LookupEvents", USE1, {"Events": [{
        "EventId": event_id, "EventName": "ConsoleLogin", "ReadOnly": "false", "EventTime": epoch(at(time)),
        "EventSource": "signin.amazonaws.com", "Username": user, "Resources": [],
        "CloudTrailEvent": json_body(record),
    } for event_id, user, _, _, _, time, _, _, record in events]})
    for event_id, user, kind, mfa, result, time, ip, principal, _ in events:
        e.add_resource(
            "aws_console_signin", arn=f"arn:aws:cloudtrail:{USE1}:{PROD}:event/{event_id}", id=event_id,
            name=f"{user} {time}", account=PROD, region=USE1, tags={},
            attrs={"user_name": user, "event_time": time, "user_type": kind, "principal_arn": principal,
                   "source_ip": ip, "mfa_used": mfa == "Yes", "login_result": result,
                   "error_message": "Failed authentication" if result == "Failure" else None},
            provenance={"resource": listing},
        )
    # The other regions read hold no sign-ins (one empty page each).
    for cfg in ACCOUNTS:
        for region in cfg["regions_read"]:
            if (cfg["account_id"], region) != (PROD, USE1):
                e.json_call("cloudtrail:LookupEvents", region, {"Events": []})


# --------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------


def canonical(obj) -> bytes:
    """RFC 8785 for our data: no floats, ASCII keys, so sorted compact JSON is canonical."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def build() -> dict:
    e = Estate()
    describe_keys(e)
    describe_network(e)
    describe_compute(e)
    describe_buckets(e)

    emit_keys(e)
    emit_network(e)
    describe_and_emit_snapshots(e)
    describe_and_emit_rds(e)
    emit_buckets(e)
    describe_and_emit_iam(e)
    describe_and_emit_trails(e)
    describe_and_emit_config(e)
    describe_and_emit_backup(e)
    emit_accounts_and_regions(e)
    describe_and_emit_signins(e)

    resources = sorted(e.resources, key=lambda r: (r["account"], r["type"], r["region"], r["arn"]))
    snapshot = {
        "schema_version": 1,
        "tool": {"name": "assay-sample-generator", "version": "1"},
        "collected_at": iso(COLLECTED_AT),
        "origin": {"kind": "sample", "endpoint_url": None, "principal_arn": f"arn:aws:iam::{PROD}:role/assay-audit"},
        "accounts": [{k: cfg[k] for k in ("account_id", "regions_requested", "regions_read", "regions_not_read")}
                     for cfg in ACCOUNTS],
        "resources": resources,
        "gaps": sorted(e.gaps, key=lambda g: (g["account"], g["service"], g["region"], g["operation"], g["id"])),
        "raw_responses": dict(sorted(e.raw_responses.items())),
    }
    snapshot["manifest"] = {"algorithm": "sha256", "canonicalization": "rfc8785",
                            "digest": hashlib.sha256(canonical(snapshot)).hexdigest()}
    return snapshot


def main() -> None:
    snapshot = build()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for r in snapshot["resources"]:
        counts[r["type"]] = counts.get(r["type"], 0) + 1
    print(f"wrote {OUTPUT} ({len(snapshot['resources'])} resources, {len(snapshot['raw_responses'])} raw responses, "
          f"{len(snapshot['gaps'])} gaps)")
    for type_name, n in sorted(counts.items()):
        print(f"  {type_name:28} {n}")


if __name__ == "__main__":
    main()
