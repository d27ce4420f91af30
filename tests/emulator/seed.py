"""Seeds the moto emulator with scenarios for assay's live-scan tests.

Usage: seed.py --endpoint URL --account 123456789012 --scenario NAME

Each scenario creates resources in one account. moto maps requests to an account only for
credentials it issued, so the seed assumes `arn:aws:iam::<ACCOUNT>:role/seed` (moto's STS
accepts any role) and works with the temporary credentials; tests then scan the account by
assuming `arn:aws:iam::<ACCOUNT>:role/assay-audit`. Parallel tests use distinct accounts
and never see each other's resources.

Seeding is sequential: moto's server is not safe for concurrent writes. The script prints
one JSON object on stdout with what the test needs to know (ids moto generated).
"""

import argparse
import json
import sys

import boto3

HOME = "ap-southeast-2"
OTHER = "us-east-1"
# The backup account of tests/emulator/profile.yaml: copy actions target a vault there.
BACKUP_ACCOUNT = "999900000001"


class Seed:
    def __init__(self, endpoint, account):
        self.endpoint = endpoint
        self.account = account
        sts = boto3.client(
            "sts",
            endpoint_url=endpoint,
            region_name=HOME,
            aws_access_key_id="seeding",
            aws_secret_access_key="seeding",
        )
        self.credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="assay-seed"
        )["Credentials"]
        who = self.client("sts").get_caller_identity()["Account"]
        assert who == account, f"assumed into {who}, not {account}"

    def client(self, service, region=HOME):
        c = self.credentials
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=c["AccessKeyId"],
            aws_secret_access_key=c["SecretAccessKey"],
            aws_session_token=c["SessionToken"],
        )


def bucket(s3, name, region):
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def record_config(seed, regions=(HOME, OTHER)):
    """A Config recorder recording every type in each region, so the inventory
    (config:SelectResourceConfig) can look there: without one a scan has a
    ConfigNotRecording gap for the catch-all in that region."""
    for region in regions:
        config = seed.client("config", region)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{seed.account}:role/config",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME},
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"config-{seed.account}"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def smoke(seed):
    """One rotating CMK, a bucket encrypted with it, an unencrypted bucket."""
    account = seed.account
    kms = seed.client("kms")
    key = kms.create_key(Description="smoke")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    s3 = seed.client("s3")
    bucket(s3, f"smoke-encrypted-{account}", HOME)
    s3.put_bucket_encryption(
        Bucket=f"smoke-encrypted-{account}",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]
        },
    )
    bucket(s3, f"smoke-plain-{account}", HOME)
    return {"key": key["Arn"]}


def kms_only(seed):
    """Two keys in the home region: one rotating, one not."""
    kms = seed.client("kms")
    rotating = kms.create_key(Description="rotating")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=rotating["KeyId"])
    static = kms.create_key(Description="static")["KeyMetadata"]
    return {"rotating_key": rotating["Arn"], "static_key": static["Arn"]}


def full(seed):
    """Every resource type of the model, in ap-southeast-2 (allowed) and us-east-1 (not).

    The comments say which finding each resource is for; tests/it/live_scan/ asserts
    them against tests/emulator/profile.yaml (allowed region ap-southeast-2).
    """
    account = seed.account
    out = {}

    # --- KMS ------------------------------------------------------------------------
    kms = seed.client("kms")
    cmk = kms.create_key(Description="data key")["KeyMetadata"]  # rotating CMK: PASS
    kms.enable_key_rotation(KeyId=cmk["KeyId"])
    kms.create_alias(AliasName="alias/data", TargetKeyId=cmk["KeyId"])
    static = kms.create_key(Description="static key")["KeyMetadata"]  # rotation off: FAIL
    kms_us = seed.client("kms", OTHER)
    cmk_us = kms_us.create_key(Description="us key")["KeyMetadata"]  # residency FAIL
    kms_us.enable_key_rotation(KeyId=cmk_us["KeyId"])
    out.update(cmk=cmk["Arn"], cmk_id=cmk["KeyId"], static_key=static["Arn"], cmk_us=cmk_us["Arn"])

    # --- S3 -------------------------------------------------------------------------
    s3 = seed.client("s3")
    s3_us = seed.client("s3", OTHER)
    names = {k: f"{k}-{account}" for k in ["data", "dr", "aes", "plain", "lock", "us"]}
    out["buckets"] = names
    for key in ["data", "dr", "aes", "plain", "lock"]:
        if key == "lock":
            s3.create_bucket(
                Bucket=names[key],
                CreateBucketConfiguration={"LocationConstraint": HOME},
                ObjectLockEnabledForBucket=True,
            )
        else:
            bucket(s3, names[key], HOME)
    bucket(s3_us, names["us"], OTHER)
    # Two backups under a prefix the full scan names with --s3-backups (aws_s3_backup_objects).
    for key in ["backups/2026-11-30.tar.gz", "backups/2026-12-01.tar.gz"]:
        s3.put_object(Bucket=names["data"], Key=key, Body=b"backup")
    out["backup_location"] = f"{names['data']}/backups/"

    def kms_encryption(key_arn):
        return {
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                    "BucketKeyEnabled": True,
                }
            ]
        }

    # data: SSE-KMS with the rotating CMK, versioned, lifecycle, PAB, tags, replicated to
    # dr (same region): encryption, backup-bucket retention and replication residency PASS.
    s3.put_bucket_encryption(Bucket=names["data"], ServerSideEncryptionConfiguration=kms_encryption(cmk["Arn"]))
    s3.put_bucket_versioning(Bucket=names["data"], VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(
        Bucket=names["data"],
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "archive",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "backups/"},
                    "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}],
                    "Expiration": {"Days": 365},
                }
            ]
        },
    )
    s3.put_public_access_block(
        Bucket=names["data"],
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_tagging(
        Bucket=names["data"], Tagging={"TagSet": [{"Key": "purpose", "Value": "backup"}, {"Key": "owner", "Value": "ops"}]}
    )
    s3.put_bucket_versioning(Bucket=names["dr"], VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket=names["dr"], ServerSideEncryptionConfiguration=kms_encryption(cmk["Arn"]))
    s3.put_bucket_replication(
        Bucket=names["data"],
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{account}:role/replication",
            "Rules": [
                {
                    "ID": "to-dr",
                    "Status": "Enabled",
                    "Priority": 1,
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{names['dr']}"},
                }
            ],
        },
    )
    # aes: SSE-S3 (AES256), tagged as a backup bucket with a 7-day expiry and no
    # versioning: encryption FAIL (not KMS), backup-bucket retention FAIL; replicates to
    # the us-east-1 bucket: replication residency FAIL.
    s3.put_bucket_encryption(
        Bucket=names["aes"],
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
    )
    s3.put_bucket_tagging(Bucket=names["aes"], Tagging={"TagSet": [{"Key": "purpose", "Value": "backup"}]})
    s3.put_bucket_lifecycle_configuration(
        Bucket=names["aes"],
        LifecycleConfiguration={"Rules": [{"ID": "short", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 7}}]},
    )
    s3.put_bucket_versioning(Bucket=names["aes"], VersioningConfiguration={"Status": "Enabled"})
    s3_us.put_bucket_versioning(Bucket=names["us"], VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket=names["aes"],
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{account}:role/replication",
            "Rules": [
                {
                    "ID": "to-us",
                    "Status": "Enabled",
                    "Priority": 1,
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{names['us']}"},
                }
            ],
        },
    )
    s3.put_bucket_versioning(Bucket=names["aes"], VersioningConfiguration={"Status": "Suspended"})
    # plain: nothing configured (encryption FAIL). lock: object lock COMPLIANCE 30 days.
    s3.put_object_lock_configuration(
        Bucket=names["lock"],
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 30}},
        },
    )
    # us: in us-east-1 (empty LocationConstraint): residency FAIL.

    # --- EC2 ------------------------------------------------------------------------
    ec2 = seed.client("ec2")
    ec2_us = seed.client("ec2", OTHER)
    ec2.enable_ebs_encryption_by_default()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=cmk["Arn"])
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "environment", "Value": "production"}, {"Key": "Name", "Value": "prod"}])
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone=f"{HOME}a")["Subnet"]["SubnetId"]
    vpc_us = ec2_us.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]  # no environment tag
    subnet_us = ec2_us.create_subnet(VpcId=vpc_us, CidrBlock="10.30.1.0/24", AvailabilityZone=f"{OTHER}a")["Subnet"]["SubnetId"]

    def group(client, vpc_id, name, permissions):
        gid = client.create_security_group(GroupName=name, Description=f"{name} group", VpcId=vpc_id)["GroupId"]
        if permissions:
            client.authorize_security_group_ingress(GroupId=gid, IpPermissions=permissions)
        return gid

    sg_ssh = group(ec2, vpc, "ssh-open", [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh from anywhere"}]}])
    sg_web = group(ec2, vpc, "web", [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    sg_all6 = group(ec2, vpc, "all-ipv6", [{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    sg_internal = group(ec2, vpc, "internal", [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}])
    # The custom VPC's default group, closed: default-security-group-closed PASS. The
    # default VPC's default groups keep AWS's rules: FAIL.
    default_sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    if default_sg["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=default_sg["GroupId"], IpPermissions=default_sg["IpPermissions"])
    if default_sg["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=default_sg["GroupId"], IpPermissions=default_sg["IpPermissionsEgress"])
    out.update(vpc=vpc, vpc_us=vpc_us, sg_ssh=sg_ssh, sg_web=sg_web, sg_all6=sg_all6, sg_internal=sg_internal, default_sg=default_sg["GroupId"])

    vol_cmk = ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=8, Encrypted=True, KmsKeyId=cmk["Arn"])["VolumeId"]
    vol_plain = ec2.create_volume(AvailabilityZone=f"{HOME}a", Size=4, Encrypted=False)["VolumeId"]
    vol_us = ec2_us.create_volume(AvailabilityZone=f"{OTHER}a", Size=2)["VolumeId"]
    snap_cmk = ec2.create_snapshot(VolumeId=vol_cmk, Description="encrypted snapshot")["SnapshotId"]
    snap_public = ec2.create_snapshot(VolumeId=vol_plain, Description="public snapshot")["SnapshotId"]
    ec2.modify_snapshot_attribute(
        SnapshotId=snap_public, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    out.update(vol_cmk=vol_cmk, vol_plain=vol_plain, vol_us=vol_us, snap_cmk=snap_cmk, snap_public=snap_public)

    instance = ec2.run_instances(
        ImageId="ami-12345678",
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[sg_web],
        KeyName="ops",
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "app-1"}]}],
    )["Instances"][0]["InstanceId"]
    instance_us = ec2_us.run_instances(
        ImageId="ami-12345678",
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_us,
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    )["Instances"][0]["InstanceId"]
    out.update(instance=instance, instance_us=instance_us)

    # Images (AMIs) of the instances: a private one in each region, and a public one
    # (residency.ami-launch-permissions FAIL). Each records its SourceInstanceId; app-1's
    # also carry the instance id in the tag the test profile names (a tool that does not
    # use CreateImage), counted once: two versions, PASS; the us-east-1 instance keeps one
    # (backup.ami-per-instance FAIL). moto's block devices do not say whether they are
    # encrypted (encryption.ami-snapshots-encrypted FAIL).
    image = ec2.create_image(InstanceId=instance, Name="app-1-2026-11",
                             TagSpecifications=[{"ResourceType": "image", "Tags": [
                                 {"Key": "source-instance", "Value": instance}]}])["ImageId"]
    image_public = ec2.create_image(InstanceId=instance, Name="app-1-2026-10-public",
                                    TagSpecifications=[{"ResourceType": "image", "Tags": [
                                        {"Key": "source-instance", "Value": instance}]}])["ImageId"]
    ec2.modify_image_attribute(ImageId=image_public, LaunchPermission={"Add": [{"Group": "all"}]})
    image_us = ec2_us.create_image(InstanceId=instance_us, Name="us-1-2026-11")["ImageId"]
    out.update(image=image, image_public=image_public, image_us=image_us)

    # --- RDS ------------------------------------------------------------------------
    rds = seed.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="db-encrypted",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="password123",
        StorageEncrypted=True,
        KmsKeyId=cmk["Arn"],
        BackupRetentionPeriod=7,
        MultiAZ=True,
        DeletionProtection=False,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="db-plain",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="password123",
        StorageEncrypted=False,
        BackupRetentionPeriod=1,
        PubliclyAccessible=True,
    )
    rds.create_db_snapshot(DBInstanceIdentifier="db-encrypted", DBSnapshotIdentifier="db-encrypted-manual")
    rds.create_db_snapshot(DBInstanceIdentifier="db-plain", DBSnapshotIdentifier="db-plain-manual")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="db-plain-manual", AttributeName="restore", ValuesToAdd=["all"])
    out.update(
        db_encrypted=f"arn:aws:rds:{HOME}:{account}:db:db-encrypted",
        db_plain=f"arn:aws:rds:{HOME}:{account}:db:db-plain",
    )

    # --- EFS ----------------------------------------------------------------------------
    efs = seed.client("efs")
    # CMK, automatic backups: encryption PASS, backup PASS; its replication to eu-west-1
    # (recorded: moto implements no replication) fails residency.
    efs_shared = efs.create_file_system(
        CreationToken="shared", Encrypted=True, KmsKeyId=cmk["Arn"], Backup=True,
        Tags=[{"Key": "Name", "Value": "shared"}, {"Key": "data", "Value": "client"}],
    )["FileSystemId"]
    # Unencrypted, no backup policy: encryption FAIL, backup FAIL.
    efs_plain = efs.create_file_system(CreationToken="scratch", Encrypted=False)["FileSystemId"]
    # us-east-1: residency FAIL.
    efs_us = seed.client("efs", OTHER).create_file_system(
        CreationToken="uploads-us", Encrypted=True, KmsKeyId=cmk_us["Arn"]
    )["FileSystemId"]
    out.update(
        efs_shared=efs_shared,
        efs_shared_arn=f"arn:aws:elasticfilesystem:{HOME}:{account}:file-system/{efs_shared}",
        efs_plain_arn=f"arn:aws:elasticfilesystem:{HOME}:{account}:file-system/{efs_plain}",
        efs_us_arn=f"arn:aws:elasticfilesystem:{OTHER}:{account}:file-system/{efs_us}",
    )

    # --- Secrets Manager --------------------------------------------------------------
    sm = seed.client("secretsmanager")
    # CMK, replicated to us-east-1: encryption PASS, residency FAIL (the replica's region);
    # the replica itself, a secret in us-east-1, fails residency there too.
    secret_db = sm.create_secret(
        Name="app/db", SecretString="not-a-real-secret", KmsKeyId=cmk["Arn"],
        AddReplicaRegions=[{"Region": OTHER}], Tags=[{"Key": "data", "Value": "client"}],
    )["ARN"]
    # No KmsKeyId: the AWS managed key aws/secretsmanager, encryption FAIL; residency PASS.
    secret_legacy = sm.create_secret(Name="app/legacy", SecretString="not-a-real-secret")["ARN"]
    out.update(
        secret_db=secret_db,
        secret_db_us=secret_db.replace(f":{HOME}:", f":{OTHER}:"),
        secret_legacy=secret_legacy,
    )

    # --- SQS, SNS, ECR, Kinesis -------------------------------------------------------
    out.update(queues_topics_repositories_streams(seed, cmk["Arn"]))
    out.update(functions(seed, cmk["Arn"]))

    # --- RDS DB clusters ----------------------------------------------------------------
    # Aurora on the CMK, 14 days of backups, the primary of a global database whose
    # secondary is in us-east-1: encryption PASS, retention PASS, residency.rds-region PASS,
    # residency.rds-replica-regions FAIL (the secondary's region).
    rds.create_global_cluster(
        GlobalClusterIdentifier="orders-global", Engine="aurora-postgresql", StorageEncrypted=True
    )
    orders_cluster = rds.create_db_cluster(
        DBClusterIdentifier="orders-aurora",
        GlobalClusterIdentifier="orders-global",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="password123",
        StorageEncrypted=True,
        KmsKeyId=cmk["Arn"],
        BackupRetentionPeriod=14,
        Tags=[{"Key": "data", "Value": "client"}],
    )["DBCluster"]["DBClusterArn"]
    rds_us = seed.client("rds", OTHER)
    # The global database's secondary in us-east-1: residency.rds-region FAIL.
    orders_us = rds_us.create_db_cluster(
        DBClusterIdentifier="orders-aurora-us",
        Engine="aurora-postgresql",
        GlobalClusterIdentifier="orders-global",
        StorageEncrypted=True,
        KmsKeyId=cmk_us["Arn"],
        BackupRetentionPeriod=14,
    )["DBCluster"]["DBClusterArn"]
    # Neptune (the RDS API returns Neptune and DocumentDB clusters too), unencrypted, one
    # day of backups: encryption FAIL, retention FAIL.
    graph_cluster = rds.create_db_cluster(
        DBClusterIdentifier="graph",
        Engine="neptune",
        StorageEncrypted=False,
        BackupRetentionPeriod=1,
    )["DBCluster"]["DBClusterArn"]
    # A manual snapshot of the unencrypted cluster shared with everyone: sharing FAIL,
    # encryption FAIL; a private one of the encrypted cluster: sharing PASS, encryption PASS.
    graph_public = rds.create_db_cluster_snapshot(
        DBClusterIdentifier="graph", DBClusterSnapshotIdentifier="graph-manual"
    )["DBClusterSnapshot"]["DBClusterSnapshotArn"]
    rds.modify_db_cluster_snapshot_attribute(
        DBClusterSnapshotIdentifier="graph-manual", AttributeName="restore", ValuesToAdd=["all"]
    )
    orders_snapshot = rds.create_db_cluster_snapshot(
        DBClusterIdentifier="orders-aurora", DBClusterSnapshotIdentifier="orders-manual"
    )["DBClusterSnapshot"]["DBClusterSnapshotArn"]
    out.update(
        cluster_orders=orders_cluster,
        cluster_orders_us=orders_us,
        cluster_graph=graph_cluster,
        cluster_snapshot_public=graph_public,
        cluster_snapshot_orders=orders_snapshot,
    )

    # --- Redshift -----------------------------------------------------------------------
    redshift = seed.client("redshift")
    # CMK, private, a week of snapshots: encryption PASS, network PASS, retention PASS,
    # residency.redshift-region PASS; its snapshots copied to us-east-1 for 7 days:
    # residency.redshift-snapshot-copy-region FAIL.
    redshift.create_cluster(
        ClusterIdentifier="warehouse", NodeType="ra3.xlplus", MasterUsername="admin",
        MasterUserPassword="Password123", ClusterType="multi-node", NumberOfNodes=2,
        Encrypted=True, KmsKeyId=cmk["Arn"], PubliclyAccessible=False,
        AutomatedSnapshotRetentionPeriod=7, Tags=[{"Key": "data", "Value": "client"}],
    )
    redshift.enable_snapshot_copy(
        ClusterIdentifier="warehouse", DestinationRegion=OTHER, RetentionPeriod=7,
        SnapshotCopyGrantName="warehouse-copy",
    )
    # Unencrypted, publicly accessible, one day of snapshots (Redshift's default):
    # encryption FAIL, network FAIL, retention FAIL.
    redshift.create_cluster(
        ClusterIdentifier="scratch", NodeType="dc2.large", MasterUsername="admin",
        MasterUserPassword="Password123", ClusterType="single-node", Encrypted=False,
        PubliclyAccessible=True, AutomatedSnapshotRetentionPeriod=1,
    )
    # A manual snapshot of the encrypted cluster: encryption PASS, sharing PASS.
    redshift.create_cluster_snapshot(SnapshotIdentifier="warehouse-manual", ClusterIdentifier="warehouse")
    # us-east-1: residency.redshift-region FAIL.
    seed.client("redshift", OTHER).create_cluster(
        ClusterIdentifier="analytics-us", NodeType="ra3.xlplus", MasterUsername="admin",
        MasterUserPassword="Password123", ClusterType="single-node", Encrypted=True,
        KmsKeyId=cmk_us["Arn"], AutomatedSnapshotRetentionPeriod=7,
    )
    out.update(
        redshift_warehouse=f"arn:aws:redshift:{HOME}:{account}:cluster:warehouse",
        redshift_scratch=f"arn:aws:redshift:{HOME}:{account}:cluster:scratch",
        redshift_snapshot=f"arn:aws:redshift:{HOME}:{account}:snapshot:warehouse/warehouse-manual",
        redshift_us=f"arn:aws:redshift:{OTHER}:{account}:cluster:analytics-us",
    )

    # --- ElastiCache --------------------------------------------------------------------
    elasticache = seed.client("elasticache")
    # CMK at rest, TLS, a week of snapshots: encryption PASS, in-transit PASS, backup PASS,
    # residency PASS.
    sessions = elasticache.create_replication_group(
        ReplicationGroupId="sessions", ReplicationGroupDescription="web sessions",
        Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
        AtRestEncryptionEnabled=True, KmsKeyId=cmk["Arn"], TransitEncryptionEnabled=True,
        SnapshotRetentionLimit=7, Tags=[{"Key": "data", "Value": "client"}],
    )["ReplicationGroup"]["ARN"]
    # Memcached, which cannot be encrypted at rest: encryption FAIL, in-transit FAIL,
    # backup PASS (nothing to snapshot).
    pages = elasticache.create_cache_cluster(
        CacheClusterId="pages", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=1,
    )["CacheCluster"]["ARN"]
    # us-east-1, unencrypted, no snapshots: residency FAIL, encryption FAIL, backup FAIL.
    carts_us = seed.client("elasticache", OTHER).create_replication_group(
        ReplicationGroupId="carts-us", ReplicationGroupDescription="carts",
        Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=1,
    )["ReplicationGroup"]["ARN"]
    out.update(elasticache_sessions=sessions, elasticache_pages=pages, elasticache_carts_us=carts_us)

    # --- OpenSearch ---------------------------------------------------------------------
    opensearch = seed.client("opensearch")
    # CMK at rest, node to node, HTTPS, in a VPC: encryption PASS, in-transit PASS, network
    # PASS; its cross-cluster connection to a domain in eu-west-1 (recorded: moto keeps no
    # connections) fails residency.
    search = opensearch.create_domain(
        DomainName="search", EngineVersion="OpenSearch_2.11",
        EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": cmk["KeyId"]},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True},
        VPCOptions={"SubnetIds": ["subnet-0123456789abcdef0"]},
        TagList=[{"Key": "data", "Value": "client"}],
    )["DomainStatus"]["ARN"]
    # Unencrypted, public endpoint open to anyone: encryption FAIL, in-transit FAIL,
    # network FAIL.
    open_policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*",
                       "Resource": f"arn:aws:es:{HOME}:{account}:domain/logs/*"}],
    }
    logs_domain = opensearch.create_domain(
        DomainName="logs", EngineVersion="OpenSearch_2.11", AccessPolicies=json.dumps(open_policy),
    )["DomainStatus"]["ARN"]
    # us-east-1: residency FAIL.
    logs_us = seed.client("opensearch", OTHER).create_domain(
        DomainName="logs-us", EngineVersion="OpenSearch_2.11",
        EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": cmk_us["KeyId"]},
    )["DomainStatus"]["ARN"]
    out.update(opensearch_search=search, opensearch_logs=logs_domain, opensearch_logs_us=logs_us)

    # --- IAM ------------------------------------------------------------------------
    iam = seed.client("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        PasswordReusePrevention=24,
        MaxPasswordAge=90,
    )
    iam.create_group(GroupName="support")
    iam.create_group(GroupName="developers")
    for user, console, mfa, groups in [
        ("alice", True, True, ["support"]),  # support with MFA: PASS
        ("bob", True, False, ["support", "developers"]),  # support console user without MFA: FAIL
        ("carol", False, False, ["developers"]),  # no console access: not applicable
    ]:
        iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "ops"}])
        if console:
            iam.create_login_profile(UserName=user, Password="Correct-Horse-9!")
        for g in groups:
            iam.add_user_to_group(GroupName=g, UserName=user)
        if mfa:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]
            iam.enable_mfa_device(
                UserName=user, SerialNumber=device["SerialNumber"], AuthenticationCode1="123456", AuthenticationCode2="654321"
            )
    iam.create_access_key(UserName="carol")

    def trust(condition):
        statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
        if condition:
            statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    iam.create_role(RoleName="support-mfa", AssumeRolePolicyDocument=trust(True))  # PASS
    iam.create_role(RoleName="support-nomfa", AssumeRolePolicyDocument=trust(False))  # FAIL
    iam.create_role(
        RoleName="app",
        AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}
        ),
    )

    # --- CloudTrail -----------------------------------------------------------------
    bucket(s3, f"trail-{account}", HOME)
    ct = seed.client("cloudtrail")
    ct.create_trail(
        Name="org-audit",
        S3BucketName=f"trail-{account}",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=cmk["Arn"],
    )
    ct.put_event_selectors(
        TrailName="org-audit",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}],
    )
    ct.start_logging(Name="org-audit")
    ct_us = seed.client("cloudtrail", OTHER)
    bucket(s3_us, f"trail-us-{account}", OTHER)
    ct_us.create_trail(Name="us-plain", S3BucketName=f"trail-us-{account}")  # no KMS: FAIL
    out["trail"] = f"arn:aws:cloudtrail:{HOME}:{account}:trail/org-audit"
    out["trail_us"] = f"arn:aws:cloudtrail:{OTHER}:{account}:trail/us-plain"

    # --- Config (all types at home; us-east-1 config-recording FAIL) -------------------
    config = seed.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"trail-{account}"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    # us-east-1 records only some types (config-recording FAIL there), so the inventory
    # (config:SelectResourceConfig, served recorded: moto does not evaluate queries) can
    # look in both regions.
    config_us = seed.client("config", OTHER)
    config_us.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account}:role/config",
            "recordingGroup": {
                "allSupported": False,
                "includeGlobalResourceTypes": False,
                "resourceTypes": ["AWS::DynamoDB::Table", "AWS::MSK::Cluster"],
            },
        }
    )
    config_us.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"trail-{account}"})
    config_us.start_configuration_recorder(ConfigurationRecorderName="default")

    # --- Backup ---------------------------------------------------------------------
    backup = seed.client("backup")
    vault = backup.create_backup_vault(BackupVaultName="main", EncryptionKeyArn=cmk["Arn"])["BackupVaultArn"]
    dr_vault = f"arn:aws:backup:{HOME}:{BACKUP_ACCOUNT}:backup-vault:dr"
    plan = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "tiered",
            "Rules": [
                {
                    "RuleName": "daily",
                    "TargetBackupVaultName": "main",
                    "ScheduleExpression": "cron(0 5 * * ? *)",
                    "Lifecycle": {"DeleteAfterDays": 42},
                    "CopyActions": [{"DestinationBackupVaultArn": dr_vault, "Lifecycle": {"DeleteAfterDays": 28}}],
                },
                {
                    "RuleName": "weekly",
                    "TargetBackupVaultName": "main",
                    "ScheduleExpression": "cron(0 18 ? * SAT *)",
                    "Lifecycle": {"MoveToColdStorageAfterDays": 30, "DeleteAfterDays": 365},
                },
                {
                    "RuleName": "monthly",
                    "TargetBackupVaultName": "main",
                    "ScheduleExpression": "cron(0 18 1 * ? *)",
                    "Lifecycle": {"MoveToColdStorageAfterDays": 90, "DeleteAfterDays": 3650},
                },
                {
                    "RuleName": "snapshots",
                    "TargetBackupVaultName": "main",
                    "ScheduleExpression": "cron(0 */6 * * ? *)",
                    "Lifecycle": {"DeleteAfterDays": 7},
                },
            ],
        }
    )
    # moto implements neither backup selections nor recovery points: the tests serve
    # ListBackupSelections, GetBackupSelection and ListRecoveryPointsByBackupVault as
    # recorded responses (tests/it/emulator/proxy.rs).
    backup_us = seed.client("backup", OTHER)
    vault_us = backup_us.create_backup_vault(BackupVaultName="us-vault")["BackupVaultArn"]
    plan_us = backup_us.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "short",
            "Rules": [
                {
                    "RuleName": "daily-short",
                    "TargetBackupVaultName": "us-vault",
                    "ScheduleExpression": "cron(0 3 * * ? *)",
                    "Lifecycle": {"DeleteAfterDays": 7},
                    "CopyActions": [{"DestinationBackupVaultArn": f"arn:aws:backup:eu-west-1:{account}:backup-vault:eu"}],
                }
            ],
        }
    )
    # --- DynamoDB ---------------------------------------------------------------------
    # moto keeps no global-table replicas (UpdateTable's ReplicaUpdates is accepted and
    # dropped): the tests serve `orders`' DescribeTable with a replica in eu-west-1 as a
    # recorded response (tests/it/emulator/recorded.rs).
    def table(client, name, **extra):
        return client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )["TableDescription"]["TableArn"]

    ddb = seed.client("dynamodb")
    # CMK, point-in-time recovery, one on-demand backup: encryption, residency, backup PASS
    # (the recorded DescribeTable adds a replica in eu-west-1: residency FAIL).
    orders = table(
        ddb,
        "orders",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": cmk["Arn"]},
        Tags=[{"Key": "data", "Value": "client"}],
    )
    ddb.update_continuous_backups(
        TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    ddb.create_backup(TableName="orders", BackupName="orders-before-migration")
    # The AWS owned key, no point-in-time recovery: encryption FAIL, backup FAIL.
    sessions = table(ddb, "sessions")
    # us-east-1: residency FAIL.
    sessions_us = table(seed.client("dynamodb", OTHER), "sessions-us")
    out.update(table_orders=orders, table_sessions=sessions, table_us=sessions_us)

    # --- CloudWatch Logs ----------------------------------------------------------------
    logs = seed.client("logs")
    # CMK, 365 days: encryption PASS, retention PASS (profile: 90 to 400 days).
    logs.create_log_group(logGroupName="/app/api", kmsKeyId=cmk["Arn"], tags={"data": "client"})
    logs.put_retention_policy(logGroupName="/app/api", retentionInDays=365)
    # No key, never expires: encryption FAIL, retention FAIL.
    logs.create_log_group(logGroupName="/app/worker")
    # us-east-1, 30 days: residency FAIL, retention FAIL (below the minimum).
    logs_us = seed.client("logs", OTHER)
    logs_us.create_log_group(logGroupName="/aws/lambda/edge-auth")
    logs_us.put_retention_policy(logGroupName="/aws/lambda/edge-auth", retentionInDays=30)
    out.update(
        log_api=f"arn:aws:logs:{HOME}:{account}:log-group:/app/api",
        log_worker=f"arn:aws:logs:{HOME}:{account}:log-group:/app/worker",
        log_us=f"arn:aws:logs:{OTHER}:{account}:log-group:/aws/lambda/edge-auth",
    )

    out.update(identity_center(seed))

    rules = backup.get_backup_plan(BackupPlanId=plan["BackupPlanId"])["BackupPlan"]["Rules"]
    out.update(
        vault=vault,
        vault_us=vault_us,
        plan=plan["BackupPlanArn"],
        plan_id=plan["BackupPlanId"],
        plan_version=plan["VersionId"],
        plan_us=plan_us["BackupPlanArn"],
        plan_us_id=plan_us["BackupPlanId"],
        rule_ids={r["RuleName"]: r["RuleId"] for r in rules},
    )
    return out


# A queue, topic or repository policy that grants another account (no trusted account of
# tests/emulator/profile.yaml): residency.resource-policy-sharing FAIL.
PARTNER = "999988887777"


def policy(resource, principal, actions, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def queues_topics_repositories_streams(seed, cmk):
    """SQS queues, SNS topics, ECR repositories and Kinesis streams in both regions; the
    comments say which finding each is for."""
    account = seed.account
    out = {}
    sqs = seed.client("sqs")
    # CMK, a policy granting only its own account: encryption, residency, sharing PASS.
    orders = sqs.create_queue(QueueName="orders", Attributes={"KmsMasterKeyId": cmk},
                              tags={"data": "client"})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=orders, Attributes={"Policy": policy(
        f"arn:aws:sqs:{HOME}:{account}:orders", {"AWS": f"arn:aws:iam::{account}:root"}, ["sqs:*"])})
    # SSE-SQS (keys SQS owns), read by another account: encryption FAIL (kms-key),
    # sharing FAIL (no-outside-principals); residency PASS.
    jobs = sqs.create_queue(QueueName="jobs", Attributes={"SqsManagedSseEnabled": "true",
                            "MessageRetentionPeriod": "1209600"})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=jobs, Attributes={"Policy": policy(
        f"arn:aws:sqs:{HOME}:{account}:jobs", {"AWS": f"arn:aws:iam::{PARTNER}:root"}, ["sqs:ReceiveMessage"])})
    # us-east-1, unencrypted: residency FAIL, encryption FAIL (encrypted).
    seed.client("sqs", OTHER).create_queue(QueueName="orders-us", Attributes={"SqsManagedSseEnabled": "false"})
    out.update(
        queue_orders=f"arn:aws:sqs:{HOME}:{account}:orders",
        queue_jobs=f"arn:aws:sqs:{HOME}:{account}:jobs",
        queue_us=f"arn:aws:sqs:{OTHER}:{account}:orders-us",
    )

    sns = seed.client("sns")
    # CMK and SNS's default policy (everyone, confined to the topic's owner): all PASS.
    alerts = sns.create_topic(Name="alerts", Attributes={"KmsMasterKeyId": cmk},
                              Tags=[{"Key": "data", "Value": "client"}])["TopicArn"]
    # No key (SSE off), anyone may subscribe: encryption FAIL, sharing FAIL (not-public).
    events = sns.create_topic(Name="events")["TopicArn"]
    sns.set_topic_attributes(TopicArn=events, AttributeName="Policy", AttributeValue=policy(
        events, {"AWS": "*"}, ["sns:Subscribe"]))
    # us-east-1: residency FAIL.
    alerts_us = seed.client("sns", OTHER).create_topic(Name="alerts-us")["TopicArn"]
    out.update(topic_alerts=alerts, topic_events=events, topic_us=alerts_us)

    ecr = seed.client("ecr")
    # CMK; the registry replicates `app/` repositories to us-east-1: encryption PASS,
    # residency FAIL (replicas-allowed).
    api = ecr.create_repository(repositoryName="app/api", tags=[{"Key": "data", "Value": "client"}],
                                encryptionConfiguration={"encryptionType": "KMS", "kmsKey": cmk})["repository"]
    # Keys ECR owns (AES256), public pull: encryption FAIL, sharing FAIL (not-public);
    # residency PASS (no rule copies `tools`).
    tools = ecr.create_repository(repositoryName="tools")["repository"]
    ecr.set_repository_policy(repositoryName="tools", policyText=policy(
        tools["repositoryArn"], {"AWS": "*"}, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]))
    ecr.put_replication_configuration(replicationConfiguration={"rules": [{
        "destinations": [{"region": OTHER, "registryId": account}],
        "repositoryFilters": [{"filter": "app/", "filterType": "PREFIX_MATCH"}],
    }]})
    # The replica in us-east-1 (moto does not replicate; AWS creates it on the first
    # push): residency FAIL.
    api_us = seed.client("ecr", OTHER).create_repository(repositoryName="app/api")["repository"]
    out.update(repo_api=api["repositoryArn"], repo_tools=tools["repositoryArn"], repo_api_us=api_us["repositoryArn"])

    kinesis = seed.client("kinesis")
    # CMK, a week of retention: encryption, residency PASS.
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="clicks", EncryptionType="KMS", KeyId=cmk)
    kinesis.increase_stream_retention_period(StreamName="clicks", RetentionPeriodHours=168)
    kinesis.add_tags_to_stream(StreamName="clicks", Tags={"data": "client"})
    # Unencrypted: encryption FAIL.
    kinesis.create_stream(StreamName="audit", ShardCount=1)
    # us-east-1: residency FAIL.
    seed.client("kinesis", OTHER).create_stream(StreamName="clicks-us", ShardCount=1)
    out.update(
        stream_clicks=f"arn:aws:kinesis:{HOME}:{account}:stream/clicks",
        stream_audit=f"arn:aws:kinesis:{HOME}:{account}:stream/audit",
        stream_us=f"arn:aws:kinesis:{OTHER}:{account}:stream/clicks-us",
    )
    return out


def function_zip():
    """A deployment package with one handler (moto stores it and never runs it here)."""
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def functions(seed, cmk):
    """Lambda functions in both regions; the comments say which finding each is for."""
    account = seed.account
    role = seed.client("iam").create_role(
        RoleName="lambda-exec",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    )["Role"]["Arn"]
    code = {"ZipFile": function_zip()}
    lam = seed.client("lambda")
    # Variables on the CMK: encryption PASS, residency PASS.
    api = lam.create_function(FunctionName="api", Runtime="python3.12", Role=role, Handler="handler.handler",
                              Code=code, KMSKeyArn=cmk, Environment={"Variables": {"DB_HOST": "db.internal"}},
                              Tags={"data": "client", "tier": "api"})["FunctionArn"]
    # Variables on AWS's key (no KMSKeyArn): encryption FAIL. The value is a stand-in for a
    # secret: the snapshot must not hold it.
    legacy = lam.create_function(FunctionName="legacy", Runtime="python3.12", Role=role, Handler="handler.handler",
                                 Code=code, Environment={"Variables": {"API_TOKEN": "not-a-real-token-5f1c"}},
                                 Tags={"tier": "legacy"})["FunctionArn"]
    # No variables: encryption NOT_APPLICABLE; us-east-1: residency FAIL. (Every function
    # has tags: raw responses are kept by the hash of their body, and an empty tag list
    # reads the same from lambda:ListTags as from sqs:ListQueueTags.)
    edge = seed.client("lambda", OTHER).create_function(FunctionName="edge-auth", Runtime="python3.12", Role=role,
                                                         Handler="handler.handler", Code=code,
                                                         Tags={"tier": "edge"})["FunctionArn"]
    return {"function_api": api, "function_legacy": legacy, "function_us": edge,
            "function_secret_value": "not-a-real-token-5f1c"}


def identity_center(seed):
    """IAM Identity Center in its home region (ap-southeast-2): a support group (moto keeps
    no ExternalIds; the tests add the directory's id to `support` as a recorded ListGroups
    answer), a user, and three permission sets. moto has an instance in every region;
    AWS answers ListInstances only in the home region, as the tests' recorded answer for
    us-east-1 does."""
    sso = seed.client("sso-admin")
    instance = sso.list_instances()["Instances"][0]
    arn, store_id = instance["InstanceArn"], instance["IdentityStoreId"]
    ids = seed.client("identitystore")
    support = ids.create_group(IdentityStoreId=store_id, DisplayName="support", Description="AD: AWS support")["GroupId"]
    handmade = ids.create_group(IdentityStoreId=store_id, DisplayName="developers")["GroupId"]
    user = ids.create_user(
        IdentityStoreId=store_id,
        UserName="jo@example.com",
        DisplayName="Jo Example",
        Name={"GivenName": "Jo", "FamilyName": "Example"},
    )["UserId"]
    ids.create_group_membership(IdentityStoreId=store_id, GroupId=support, MemberId={"UserId": user})

    def permission_set(name, duration, assign):
        ps = sso.create_permission_set(InstanceArn=arn, Name=name, SessionDuration=duration)["PermissionSet"][
            "PermissionSetArn"
        ]
        sso.provision_permission_set(InstanceArn=arn, PermissionSetArn=ps, TargetType="ALL_PROVISIONED_ACCOUNTS")
        for principal_type, principal in assign:
            sso.create_account_assignment(
                InstanceArn=arn,
                TargetId=seed.account,
                TargetType="AWS_ACCOUNT",
                PermissionSetArn=ps,
                PrincipalType=principal_type,
                PrincipalId=principal,
            )
        return ps

    # AWSSupportAccess for the support group only, four hours: iam.identity-center-* PASS.
    support_ps = permission_set("SupportAccess", "PT4H", [("GROUP", support)])
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=arn, PermissionSetArn=support_ps, ManagedPolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess"
    )
    # Inline *:* assigned to the user directly, twelve hours: assignments FAIL (user, session).
    admin_ps = permission_set("BreakGlass", "PT12H", [("USER", user)])
    sso.put_inline_policy_to_permission_set(
        InstanceArn=arn,
        PermissionSetArn=admin_ps,
        InlinePolicy=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    # ReadOnlyAccess for the hand-made group: not a support permission set (NOT_APPLICABLE).
    readonly_ps = permission_set("ReadOnly", "PT8H", [("GROUP", handmade)])
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=arn, PermissionSetArn=readonly_ps, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    return {
        "sso_instance": arn,
        "identity_store": store_id,
        "sso_group_support": support,
        "sso_group_developers": handmade,
        "sso_user": user,
        "ps_support": support_ps,
        "ps_breakglass": admin_ps,
        "ps_readonly": readonly_ps,
    }


def organisation(seed):
    """An organisation whose management account is `account`, with one member account.

    The management account gets the two KMS keys of the `kms` scenario and the member the
    buckets of `smoke`. moto maps only keys it issued to an account, so the scan's base
    credentials are an access key of an IAM user in the management account: listing the
    organisation needs the management account's own credentials.
    """
    org = seed.client("organizations")
    org.create_organization(FeatureSet="ALL")
    created = org.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]
    member = created["AccountId"]
    managed = kms_only(seed)
    member_seeded = smoke(Seed(seed.endpoint, member))
    record_config(seed)
    record_config(Seed(seed.endpoint, member))
    iam = seed.client("iam")
    iam.create_user(UserName="auditor")
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    return {
        "member": member,
        "management": managed,
        "member_key": member_seeded["key"],
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
    }


def large_organisation(seed, members=50):
    """An organisation of `members` member accounts (tests/it/organisation.rs: sharded
    scans merged must equal one scan), a few resources each so the scan stays fast while
    the findings differ from account to account: a bucket in every member (SSE-S3 in odd
    ones, none in even ones), a customer key in every fifth (rotating in every tenth), and
    an IAM user in every seventh. The management account gets one static key and the
    `auditor` user whose access key the scan lists the organisation with.
    """
    org = seed.client("organizations")
    org.create_organization(FeatureSet="ALL")
    accounts = []
    for i in range(members):
        created = org.create_account(Email=f"member-{i}@example.com", AccountName=f"member-{i}")
        accounts.append(created["CreateAccountStatus"]["AccountId"])
    # Config records in every account, so the inventory can look there (no ConfigNotRecording
    # gap): the scans must be complete for the sharded and single results to be compared.
    record_config(seed)
    for i, account in enumerate(accounts):
        member = Seed(seed.endpoint, account)
        record_config(member)
        s3 = member.client("s3")
        name = f"org-{i}-{account}"
        bucket(s3, name, HOME)
        if i % 2:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            )
        if i % 5 == 0:
            kms = member.client("kms")
            key = kms.create_key(Description=f"member {i}")["KeyMetadata"]
            if i % 10 == 0:
                kms.enable_key_rotation(KeyId=key["KeyId"])
        if i % 7 == 0:
            member.client("iam").create_user(UserName=f"user-{i}")
    seed.client("kms").create_key(Description="management, static")
    iam = seed.client("iam")
    iam.create_user(UserName="auditor")
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    return {
        "members": accounts,
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
    }


def fidelity(seed):
    """What real accounts do that the other scenarios do not (tests/it/live_scan/,
    "live-scan fidelity"):

    - a multi-Region trail created without event selectors (AWS then logs all read and
      write management events; moto answers GetEventSelectors with none), homed in
      ap-southeast-2, and a bucket there encrypted with a key of that region: a scan of
      us-east-1 alone must see the trail as a shadow trail and say GAP, not FAIL, for the
      key it cannot read;
    - Aeronet's "six daily (Sunday - Friday)" backup plan, `cron(0 18 ? * SUN-FRI *)`,
      kept 14 days (a daily tier, failing the 42-day daily retention);
    - a customer-managed key whose policy grants another account (999988887777) decrypt;
    - support access named otherwise: a `helpdesk` role any principal of the account can
      assume without MFA and an `ops` group (its member `dana` has no MFA), both with the
      organisation's `customer-data-read` policy, which the test profile lists in
      `support_policies`.
    """
    account = seed.account
    kms = seed.client("kms")
    key = kms.create_key(Description="fidelity trail and bucket key")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    shared = kms.create_key(Description="shared with a partner")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=shared["KeyId"])
    kms.put_key_policy(
        KeyId=shared["KeyId"],
        PolicyName="default",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"},
                    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
                ],
            }
        ),
    )
    s3 = seed.client("s3")
    bucket(s3, f"fidelity-trail-{account}", HOME)
    s3.put_bucket_encryption(
        Bucket=f"fidelity-trail-{account}",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]
        },
    )
    ct = seed.client("cloudtrail")
    ct.create_trail(
        Name="default-selectors",
        S3BucketName=f"fidelity-trail-{account}",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key["Arn"],
    )
    ct.start_logging(Name="default-selectors")
    backup = seed.client("backup")
    backup.create_backup_vault(BackupVaultName="aeronet", EncryptionKeyArn=key["Arn"])
    plan = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "aeronet-six-daily",
            "Rules": [
                {
                    "RuleName": "six-daily",
                    "TargetBackupVaultName": "aeronet",
                    "ScheduleExpression": "cron(0 18 ? * SUN-FRI *)",
                    "Lifecycle": {"DeleteAfterDays": 14},
                }
            ],
        }
    )
    iam = seed.client("iam")
    policy = iam.create_policy(
        PolicyName="customer-data-read",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    iam.create_role(
        RoleName="helpdesk",
        AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
        ),
    )
    iam.attach_role_policy(RoleName="helpdesk", PolicyArn=policy)
    iam.create_group(GroupName="ops")
    iam.attach_group_policy(GroupName="ops", PolicyArn=policy)
    iam.create_user(UserName="dana")
    iam.add_user_to_group(GroupName="ops", UserName="dana")
    record_config(seed)
    return {
        "helpdesk": f"arn:aws:iam::{account}:role/helpdesk",
        "dana": f"arn:aws:iam::{account}:user/dana",
        "key": key["Arn"],
        "shared_key": shared["Arn"],
        "bucket": f"arn:aws:s3:::fidelity-trail-{account}",
        "trail": f"arn:aws:cloudtrail:{HOME}:{account}:trail/default-selectors",
        "plan": plan["BackupPlanArn"],
    }


def s3_backups(seed):
    """Backup objects for the S3 backup-location reader: 1,001 keys under one prefix (more
    than AWS's 1,000 a page), two under a prefix nobody named, and a second bucket whose
    listing the test denies."""
    s3 = seed.client("s3")
    name = f"backups-{seed.account}"
    denied = f"denied-backups-{seed.account}"
    bucket(s3, name, HOME)
    bucket(s3, denied, HOME)
    for i in range(1001):
        s3.put_object(Bucket=name, Key=f"site/{i:04d}.tar.gz", Body=b"x")
    for key in ["other/a", "other/b"]:
        s3.put_object(Bucket=name, Key=key, Body=b"x")
    s3.put_object(Bucket=denied, Key="site/0000.tar.gz", Body=b"x")
    return {"bucket": name, "denied_bucket": denied}


SCENARIOS = {
    "smoke": smoke,
    "kms": kms_only,
    "full": full,
    "organisation": organisation,
    "large-organisation": large_organisation,
    "fidelity": fidelity,
    "s3-backups": s3_backups,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--members", type=int, help="large-organisation: member accounts (default 50)")
    args = parser.parse_args()
    seed = Seed(args.endpoint, args.account)
    if args.members is not None:
        seeded = SCENARIOS[args.scenario](seed, members=args.members)
    else:
        seeded = SCENARIOS[args.scenario](seed)
    print(json.dumps({"seeded": args.scenario, "account": args.account, **seeded}))


if __name__ == "__main__":
    sys.exit(main())
