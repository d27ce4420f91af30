//! Responses moto cannot give, in AWS's documented wire format, served through the
//! [`proxy`](super::proxy) to the real SDK client: what a real account answers for
//! operations moto does not implement (Backup selections and recovery points, the EBS
//! default key, CloudTrail `LookupEvents`), and shapes moto never produces (several pages, the credential report's
//! root row, URL-encoded policy documents).
//!
//! Bodies follow the API references: EC2 query XML with `xmlns` 2016-11-15, IAM query XML
//! 2010-05-08, awsJson 1.1 for KMS, restJson for Backup with epoch-second timestamps.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::proxy::{
    Reply, Request, Response, Rule, aws_error, on, percent_encode, xml_elements, xml_unescape,
};

fn epoch(hours_ago: i64) -> f64 {
    epoch_at(Utc::now() - Duration::hours(hours_ago))
}

/// Epoch seconds with milliseconds, as the JSON protocols send timestamps.
pub fn epoch_at(t: chrono::DateTime<Utc>) -> f64 {
    t.timestamp() as f64 + f64::from(t.timestamp_subsec_millis()) / 1000.0
}

pub fn rest_json(body: Value) -> Reply {
    Reply::Respond(Response::new(200, "application/json", body.to_string()))
}

pub fn aws_json(body: Value) -> Reply {
    Reply::Respond(Response::new(
        200,
        "application/x-amz-json-1.1",
        body.to_string(),
    ))
}

pub fn ec2_xml(operation: &str, inner: &str) -> Reply {
    Reply::Respond(Response::new(
        200,
        "text/xml;charset=UTF-8",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{operation}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>\n{inner}\n</{operation}Response>"
        ),
    ))
}

pub fn iam_xml(operation: &str, result: &str) -> Reply {
    query_xml("iam", operation, result)
}

/// A query-protocol answer (IAM, RDS): `<OpResponse><OpResult>…` with the service's
/// namespace.
pub fn query_xml(service: &str, operation: &str, result: &str) -> Reply {
    let namespace = match service {
        "rds" => "http://rds.amazonaws.com/doc/2014-10-31/",
        "sns" => "http://sns.amazonaws.com/doc/2010-03-31/",
        "redshift" => "http://redshift.amazonaws.com/doc/2012-12-01/",
        "elasticache" => "http://elasticache.amazonaws.com/doc/2015-02-02/",
        _ => "https://iam.amazonaws.com/doc/2010-05-08/",
    };
    Reply::Respond(Response::new(
        200,
        "text/xml",
        format!(
            "<{operation}Response xmlns=\"{namespace}\">\n  <{operation}Result>\n{result}\n  </{operation}Result>\n  <ResponseMetadata>\n    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>\n  </ResponseMetadata>\n</{operation}Response>\n"
        ),
    ))
}

fn s(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("seed output has no `{key}`: {v}"))
        .to_string()
}

/// Answers for the operations moto 5.1.22 does not implement, so a scan of a seeded
/// account through the proxy is complete. With the `full` scenario's seed output, they
/// describe what that account would hold on AWS: the EBS default key set by the seed
/// (`ModifyEbsDefaultKmsKeyId` is accepted by moto but cannot be read back), one backup
/// selection, recovery points in the `main` vault, and the console sign-ins of
/// [`console_signins`] in us-east-1. Without it: the AWS defaults (`alias/aws/ebs`, no
/// selections, no recovery points, no sign-ins).
pub fn moto_holes(full: Option<&Value>) -> Vec<Rule> {
    let full = full.cloned();
    let f1 = full.clone();
    let default_key = on(&["ec2:GetEbsDefaultKmsKeyId"], move |r: &Request| {
        let key = match &f1 {
            Some(f) if r.region == "ap-southeast-2" => s(f, "cmk"),
            _ => "alias/aws/ebs".to_string(),
        };
        ec2_xml(
            "GetEbsDefaultKmsKeyId",
            &format!("    <kmsKeyId>{key}</kmsKeyId>"),
        )
    });
    let f2 = full.clone();
    let selections = on(&["backup:ListBackupSelections"], move |r: &Request| {
        let plan = r.segments().get(2).cloned().unwrap_or_default();
        let list = match &f2 {
            Some(f) if s(f, "plan_id") == plan => json!([{
                "SelectionId": "5bb3f1b5-3e7d-4c1a-9a61-1d2f3e4a5b6c",
                "SelectionName": "databases-and-servers",
                "BackupPlanId": plan,
                "CreationDate": epoch(24 * 30),
                "CreatorRequestId": null,
                "IamRoleArn": format!("arn:aws:iam::{}:role/service-role/AWSBackupDefaultServiceRole", s(f, "account")),
            }]),
            _ => json!([]),
        };
        rest_json(json!({"BackupSelectionsList": list, "NextToken": null}))
    });
    let f3 = full.clone();
    let selection = on(&["backup:GetBackupSelection"], move |r: &Request| {
        let f = f3
            .as_ref()
            .expect("GetBackupSelection is only called for the full scenario's selection");
        let segments = r.segments();
        rest_json(json!({
            "BackupPlanId": segments[2],
            "SelectionId": segments[4],
            "CreationDate": epoch(24 * 30),
            "CreatorRequestId": null,
            "BackupSelection": {
                "SelectionName": "databases-and-servers",
                "IamRoleArn": format!("arn:aws:iam::{}:role/service-role/AWSBackupDefaultServiceRole", s(f, "account")),
                "Resources": [s(f, "db_encrypted"), format!("arn:aws:ec2:ap-southeast-2:{}:volume/{}", s(f, "account"), s(f, "vol_cmk"))],
                "NotResources": [],
                "ListOfTags": [],
                "Conditions": {"StringEquals": [], "StringLike": [], "StringNotEquals": [], "StringNotLike": []}
            }
        }))
    });
    let f4_account = full.as_ref().map(|f| s(f, "account"));
    let f4 = full.clone();
    let points = on(
        &["backup:ListRecoveryPointsByBackupVault"],
        move |r: &Request| {
            let vault = r.segments().get(1).cloned().unwrap_or_default();
            let list = match &f4 {
                Some(f) if vault == "main" && r.region == "ap-southeast-2" => recovery_points(f),
                _ => json!([]),
            };
            rest_json(json!({"RecoveryPoints": list, "NextToken": null}))
        },
    );
    let signins = match f4_account {
        Some(account) => console_signins(&account),
        None => on(&["cloudtrail:LookupEvents"], |r: &Request| {
            lookup_events_page(r, json!([]), None)
        }),
    };
    // Identity Center's sign-ins in its home region: the support user with a TOTP code.
    let sso_user_signins = full.as_ref().map(|f| {
        let (account, user) = (s(f, "account"), s(f, "sso_user"));
        let event = |id: &str, name: &str, credential: &str| {
            sso_signin_event(
                id,
                name,
                6,
                [&account, &user, "carol"],
                "w-full",
                credential,
            )
        };
        sso_signins(
            "ap-southeast-2",
            json!([
                event(
                    "5d6e7f80-0000-4000-8000-000000000001",
                    "CredentialVerification",
                    "PASSWORD"
                ),
                event(
                    "5d6e7f80-0000-4000-8000-000000000002",
                    "CredentialVerification",
                    "TOTP"
                ),
                event(
                    "5d6e7f80-0000-4000-8000-000000000003",
                    "UserAuthentication",
                    "PASSWORD"
                ),
            ]),
        )
    });
    let mut rules: Vec<Rule> = sso_user_signins.into_iter().collect();
    rules.extend([
        default_key,
        selections,
        selection,
        points,
        signins,
        global_table_replica(),
        efs_replications(full.clone()),
        function_keys(full.as_ref()),
        opensearch_connections(full.clone()),
    ]);
    rules.extend(identity_center_holes("ap-southeast-2"));
    rules.extend(restore_holes(full.as_ref()));
    rules.push(config_inventory(full));
    rules
}

/// Three recovery points in the `main` vault, as `ListRecoveryPointsByBackupVault`
/// returns them: a fresh encrypted RDS point made by the daily rule, a five-day-old
/// unencrypted EBS point made by the snapshot rule, and an EC2 image copied in from the
/// backup account an hour ago.
pub fn recovery_points(f: &Value) -> Value {
    let account = s(f, "account");
    let vault = s(f, "vault");
    let rule = |name: &str| f["rule_ids"][name].as_str().unwrap_or_default().to_string();
    let created_by = |name: &str| json!({"BackupPlanId": s(f, "plan_id"), "BackupPlanArn": s(f, "plan"), "BackupPlanVersion": s(f, "plan_version"), "BackupRuleId": rule(name)});
    json!([
        {
            "RecoveryPointArn": format!("arn:aws:rds:ap-southeast-2:{account}:snapshot:awsbackup:job-0c0ffee0-1111-4222-8333-444455556666"),
            "BackupVaultName": "main",
            "BackupVaultArn": vault,
            "ResourceArn": s(f, "db_encrypted"),
            "ResourceType": "RDS",
            "ResourceName": "db-encrypted",
            "CreatedBy": created_by("daily"),
            "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"),
            "Status": "COMPLETED",
            "CreationDate": epoch(3),
            "CompletionDate": epoch(2),
            "BackupSizeInBytes": 21474836480_i64,
            "CalculatedLifecycle": {"DeleteAt": epoch(3 - 42 * 24)},
            "Lifecycle": {"DeleteAfterDays": 42},
            "EncryptionKeyArn": s(f, "cmk"),
            "IsEncrypted": true,
            "LastRestoreTime": null,
            "VaultType": "BACKUP_VAULT"
        },
        {
            "RecoveryPointArn": "arn:aws:ec2:ap-southeast-2::snapshot/snap-0a1b2c3d4e5f60718",
            "BackupVaultName": "main",
            "BackupVaultArn": vault,
            "ResourceArn": format!("arn:aws:ec2:ap-southeast-2:{account}:volume/{}", s(f, "vol_plain")),
            "ResourceType": "EBS",
            "CreatedBy": created_by("snapshots"),
            "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"),
            "Status": "COMPLETED",
            "CreationDate": epoch(5 * 24),
            "CompletionDate": epoch(5 * 24),
            "BackupSizeInBytes": 4294967296_i64,
            "Lifecycle": {"DeleteAfterDays": 7},
            "IsEncrypted": false,
            "VaultType": "BACKUP_VAULT"
        },
        {
            "RecoveryPointArn": "arn:aws:ec2:ap-southeast-2::image/ami-0fedcba9876543210",
            "SourceBackupVaultArn": "arn:aws:backup:ap-southeast-2:999900000001:backup-vault:dr",
            "BackupVaultName": "main",
            "BackupVaultArn": vault,
            "ResourceArn": format!("arn:aws:ec2:ap-southeast-2:{account}:instance/{}", s(f, "instance")),
            "ResourceType": "EC2",
            "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"),
            "Status": "COMPLETED",
            "CreationDate": epoch(1),
            "CompletionDate": epoch(1),
            "Lifecycle": {"MoveToColdStorageAfterDays": 30, "DeleteAfterDays": 365},
            "EncryptionKeyArn": s(f, "cmk"),
            "IsEncrypted": true,
            "VaultType": "BACKUP_VAULT"
        }
    ])
}

/// `ec2:DescribeVolumes` in two pages (page 1 carries `nextToken`), instead of moto's
/// volumes.
pub fn volumes_in_two_pages() -> Rule {
    on(&["ec2:DescribeVolumes"], |r: &Request| {
        let volume = |id: &str, size: i32, encrypted: bool| {
            format!(
                "        <item>\n            <volumeId>{id}</volumeId>\n            <size>{size}</size>\n            <snapshotId/>\n            <availabilityZone>ap-southeast-2b</availabilityZone>\n            <status>available</status>\n            <createTime>2026-10-01T00:00:00.000Z</createTime>\n            <attachmentSet/>\n            <volumeType>gp3</volumeType>\n            <iops>3000</iops>\n            <throughput>125</throughput>\n            <encrypted>{encrypted}</encrypted>\n            <multiAttachEnabled>false</multiAttachEnabled>\n        </item>"
            )
        };
        match r.param("NextToken").as_deref() {
            None => ec2_xml(
                "DescribeVolumes",
                &format!(
                    "    <volumeSet>\n{}\n{}\n    </volumeSet>\n    <nextToken>eyJwYWdlIjogMn0=</nextToken>",
                    volume("vol-0page1aaaaaaaaaa1", 10, true),
                    volume("vol-0page1aaaaaaaaaa2", 20, false)
                ),
            ),
            Some("eyJwYWdlIjogMn0=") => ec2_xml(
                "DescribeVolumes",
                &format!(
                    "    <volumeSet>\n{}\n    </volumeSet>",
                    volume("vol-0page2bbbbbbbbbb3", 30, true)
                ),
            ),
            Some(other) => panic!("unexpected DescribeVolumes NextToken {other}"),
        }
    })
}

/// `kms:ListKeys` in two pages (`Truncated` + `NextMarker`): the first key on page 1, the
/// second on page 2. DescribeKey and rotation still come from moto.
pub fn keys_in_two_pages(account: &str, first: &str, second: &str) -> Rule {
    let (account, first, second) = (account.to_string(), first.to_string(), second.to_string());
    on(&["kms:ListKeys"], move |r: &Request| {
        let key = |id: &str| json!({"KeyArn": format!("arn:aws:kms:{}:{account}:key/{id}", r.region), "KeyId": id});
        if r.region != "ap-southeast-2" {
            return aws_json(json!({"Keys": [], "Truncated": false}));
        }
        match r.param("Marker").as_deref() {
            None => aws_json(
                json!({"Keys": [key(&first)], "NextMarker": "AQIDAHhpage2marker", "Truncated": true}),
            ),
            Some("AQIDAHhpage2marker") => {
                aws_json(json!({"Keys": [key(&second)], "Truncated": false}))
            }
            Some(other) => panic!("unexpected ListKeys Marker {other}"),
        }
    })
}

/// `iam:ListGroups` and `iam:GetGroup` with `IsTruncated`/`Marker`: two pages of groups,
/// and the `support` group's members in two pages.
pub fn groups_in_two_pages(account: &str) -> Rule {
    let account = account.to_string();
    Box::new(move |r: &Request| {
        let group = |name: &str| {
            format!(
                "      <member>\n        <Path>/</Path>\n        <GroupName>{name}</GroupName>\n        <GroupId>AGPA{}</GroupId>\n        <Arn>arn:aws:iam::{account}:group/{name}</Arn>\n        <CreateDate>2026-01-01T00:00:00Z</CreateDate>\n      </member>",
                name.to_uppercase()
            )
        };
        let user = |name: &str| {
            format!(
                "      <member>\n        <Path>/</Path>\n        <UserName>{name}</UserName>\n        <UserId>AIDA{}</UserId>\n        <Arn>arn:aws:iam::{account}:user/{name}</Arn>\n        <CreateDate>2026-01-01T00:00:00Z</CreateDate>\n      </member>",
                name.to_uppercase()
            )
        };
        match (
            r.operation.as_str(),
            r.param("Marker").as_deref(),
            r.param("GroupName").as_deref(),
        ) {
            ("iam:ListGroups", None, _) => Some(iam_xml(
                "ListGroups",
                &format!(
                    "    <Groups>\n{}\n    </Groups>\n    <IsTruncated>true</IsTruncated>\n    <Marker>groups-page-2</Marker>",
                    group("developers")
                ),
            )),
            ("iam:ListGroups", Some("groups-page-2"), _) => Some(iam_xml(
                "ListGroups",
                &format!(
                    "    <Groups>\n{}\n    </Groups>\n    <IsTruncated>false</IsTruncated>",
                    group("support")
                ),
            )),
            ("iam:GetGroup", marker, Some("support")) => {
                let (members, more) = match marker {
                    None => (
                        user("alice"),
                        "<IsTruncated>true</IsTruncated>\n    <Marker>members-page-2</Marker>",
                    ),
                    _ => (user("bob"), "<IsTruncated>false</IsTruncated>"),
                };
                Some(iam_xml(
                    "GetGroup",
                    &format!(
                        "    <Group>\n      <Path>/</Path>\n      <GroupName>support</GroupName>\n      <GroupId>AGPASUPPORT</GroupId>\n      <Arn>arn:aws:iam::{account}:group/support</Arn>\n      <CreateDate>2026-01-01T00:00:00Z</CreateDate>\n    </Group>\n    <Users>\n{members}\n    </Users>\n    {more}"
                    ),
                ))
            }
            _ => None,
        }
    })
}

/// `iam:GenerateCredentialReport` (COMPLETE) and `iam:GetCredentialReport` with AWS's
/// 22 columns, base64 in `<Content>`, including the `<root_account>` row: root without
/// MFA and with an active access key.
pub fn credential_report(account: &str) -> Vec<Rule> {
    let csv = format!(
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::{account}:root,2020-03-01T09:00:00+00:00,not_supported,2026-11-01T08:12:44+00:00,not_supported,not_supported,false,true,2021-05-04T10:00:00+00:00,2026-11-20T03:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
alice,arn:aws:iam::{account}:user/alice,2026-01-01T00:00:00+00:00,true,2026-11-22T07:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
bob,arn:aws:iam::{account}:user/bob,2026-01-01T00:00:00+00:00,true,no_information,2026-01-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
carol,arn:aws:iam::{account}:user/carol,2026-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    );
    let content = base64(csv.as_bytes());
    vec![
        on(&["iam:GenerateCredentialReport"], |_| {
            iam_xml("GenerateCredentialReport", "    <State>COMPLETE</State>")
        }),
        on(&["iam:GetCredentialReport"], move |_| {
            iam_xml(
                "GetCredentialReport",
                &format!(
                    "    <Content>{content}</Content>\n    <ReportFormat>text/csv</ReportFormat>\n    <GeneratedTime>2026-11-23T08:00:00Z</GeneratedTime>"
                ),
            )
        }),
    ]
}

/// `s3:ListBuckets` in two pages (`ContinuationToken`), cut from moto's own answer (moto
/// ignores `MaxBuckets`): the first bucket on page 1, the others on page 2. Every
/// per-bucket call still goes to moto.
pub fn buckets_in_two_pages() -> Rule {
    const TOKEN: &str = "page-2-of-ListBuckets";
    on(&["s3:ListBuckets"], |r: &Request| {
        let page = r.param("continuation-token");
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let text = response.text();
            let buckets = xml_elements(&text, "Bucket");
            let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
                panic!("moto listed no buckets to split into pages: {text}");
            };
            // Byte ranges of the first <Bucket>…</Bucket> element and of all of them.
            let start = first.0 - "<Bucket>".len();
            let first_end = first.1 + "</Bucket>".len();
            let end = last.1 + "</Bucket>".len();
            let (kept, token) = match page.as_deref() {
                None => (
                    &text[start..first_end],
                    format!("<ContinuationToken>{TOKEN}</ContinuationToken>"),
                ),
                Some(TOKEN) => (&text[first_end..end], String::new()),
                Some(other) => panic!("unexpected ListBuckets continuation-token {other}"),
            };
            let mut out = format!("{}{kept}{}", &text[..start], &text[end..]);
            if let Some(at) = out.find("</Buckets>") {
                out.insert_str(at + "</Buckets>".len(), &token);
            }
            response.body = out.into_bytes();
            response
        }))
    })
}

/// Rewrites moto's `iam:ListRoles` answer the way AWS sends it: every
/// `AssumeRolePolicyDocument` URL-encoded (moto returns plain JSON).
pub fn url_encoded_trust_policies() -> Rule {
    on(&["iam:ListRoles"], |_| {
        Reply::Rewrite(Box::new(|mut response: Response| {
            let text = response.text();
            let mut out = String::new();
            let mut last = 0;
            for (start, end) in xml_elements(&text, "AssumeRolePolicyDocument") {
                out.push_str(&text[last..start]);
                out.push_str(&percent_encode(&xml_unescape(&text[start..end])));
                last = end;
            }
            out.push_str(&text[last..]);
            response.body = out.into_bytes();
            response
        }))
    })
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The `ConsoleLogin` events [`console_signins`] serves, by event id: alice with MFA,
/// bob without, the root user without, and a failed sign-in of bob's.
pub const SIGNIN_ALICE_MFA: &str = "3f2b7c1e-0a4d-4b8e-9c21-5d6e7f809a01";
pub const SIGNIN_BOB_NO_MFA: &str = "3f2b7c1e-0a4d-4b8e-9c21-5d6e7f809a02";
pub const SIGNIN_ROOT_NO_MFA: &str = "3f2b7c1e-0a4d-4b8e-9c21-5d6e7f809a03";
pub const SIGNIN_FAILED: &str = "3f2b7c1e-0a4d-4b8e-9c21-5d6e7f809a04";

/// One `LookupEvents` event as CloudTrail returns it: the envelope, with the full record
/// as a JSON string in `CloudTrailEvent`.
fn signin_event(
    id: &str,
    hours_ago: i64,
    identity: Value,
    user: &str,
    mfa: &str,
    error: Option<&str>,
) -> Value {
    let time = Utc::now() - Duration::hours(hours_ago);
    signin_event_at(id, time, "203.0.113.24", identity, user, mfa, error)
}

/// [`signin_event`] at a given time from a given address.
pub fn signin_event_at(
    id: &str,
    time: chrono::DateTime<Utc>,
    source_ip: &str,
    identity: Value,
    user: &str,
    mfa: &str,
    error: Option<&str>,
) -> Value {
    let account = identity["accountId"].clone();
    let mut record = json!({
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1",
        "sourceIPAddress": source_ip,
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        "requestParameters": null,
        "responseElements": {"ConsoleLogin": if error.is_some() { "Failure" } else { "Success" }},
        "additionalEventData": {
            "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
            "MobileVersion": "No",
            "MFAUsed": mfa
        },
        "eventID": id,
        "readOnly": false,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "signin.aws.amazon.com"}
    });
    if let Some(message) = error {
        record["errorMessage"] = json!(message);
    }
    json!({
        "EventId": id,
        "EventName": "ConsoleLogin",
        "ReadOnly": "false",
        "EventTime": epoch_at(time),
        "EventSource": "signin.amazonaws.com",
        "Username": user,
        "Resources": [],
        "CloudTrailEvent": record.to_string()
    })
}

/// A `LookupEvents` page, after checking the request is what the collectors must send: a
/// lookup of one event name over the last 90 days. Only the `events` of that name are
/// answered, as CloudTrail filters by its lookup attribute (the change history asks for
/// each name of its table, the sign-ins for `ConsoleLogin`). Anything else is answered
/// with a `ValidationException` naming what was wrong, which the scan records as a gap.
pub fn lookup_events_page(r: &Request, events: Value, next: Option<&str>) -> Reply {
    let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let name = body["LookupAttributes"][0]["AttributeValue"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let wanted = json!([{"AttributeKey": "EventName", "AttributeValue": name}]);
    let events: Vec<Value> = events
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["EventName"] == name.as_str())
        .cloned()
        .collect();
    // A page token belongs to one lookup: another name's lookup starts on its own page.
    let next = next.filter(|_| name == "ConsoleLogin");
    let days = |key: &str| {
        body[key]
            .as_f64()
            .map(|t| (Utc::now().timestamp() as f64 - t) / 86400.0)
    };
    let problem = if name.is_empty() || body["LookupAttributes"] != wanted {
        Some(format!(
            "expected LookupAttributes {wanted}, got {}",
            body["LookupAttributes"]
        ))
    } else if !days("StartTime").is_some_and(|d| (89.9..90.1).contains(&d)) {
        Some(format!(
            "expected a StartTime 90 days ago, got {}",
            body["StartTime"]
        ))
    } else if !days("EndTime").is_some_and(|d| d.abs() < 0.1) {
        Some(format!(
            "expected an EndTime of now, got {}",
            body["EndTime"]
        ))
    } else {
        None
    };
    if let Some(message) = problem {
        return Reply::Respond(super::proxy::aws_error(
            r,
            400,
            "ValidationException",
            &message,
        ));
    }
    let mut page = json!({"Events": events});
    if let Some(token) = next {
        page["NextToken"] = json!(token);
    }
    aws_json(page)
}

/// `cloudtrail:LookupEvents` with AWS's envelope and `CloudTrailEvent` documents, in two
/// pages (`NextToken`), in us-east-1 (where sign-ins through the global endpoint are
/// recorded); no events elsewhere. moto does not implement the operation.
pub fn console_signins(account: &str) -> Rule {
    let account = account.to_string();
    on(&["cloudtrail:LookupEvents"], move |r: &Request| {
        let user = |name: &str| json!({"type": "IAMUser", "principalId": format!("AIDA{}", name.to_uppercase()), "arn": format!("arn:aws:iam::{account}:user/{name}"), "accountId": account, "accessKeyId": "", "userName": name});
        if r.region != "us-east-1" {
            return lookup_events_page(r, json!([]), None);
        }
        match r.param("NextToken").as_deref() {
            None => lookup_events_page(
                r,
                json!([
                    signin_event(SIGNIN_ALICE_MFA, 2, user("alice"), "alice", "Yes", None),
                    signin_event(SIGNIN_BOB_NO_MFA, 26, user("bob"), "bob", "No", None),
                ]),
                Some("c2lnbmlucy1wYWdlLTI="),
            ),
            Some("c2lnbmlucy1wYWdlLTI=") => lookup_events_page(
                r,
                json!([
                    signin_event(
                        SIGNIN_ROOT_NO_MFA,
                        24 * 5,
                        json!({"type": "Root", "principalId": account, "arn": format!("arn:aws:iam::{account}:root"), "accountId": account, "accessKeyId": ""}),
                        "root",
                        "No",
                        None
                    ),
                    signin_event(
                        SIGNIN_FAILED,
                        24 * 30,
                        user("bob"),
                        "bob",
                        "No",
                        Some("Failed authentication")
                    ),
                ]),
                None,
            ),
            Some(other) => Reply::Respond(super::proxy::aws_error(
                r,
                400,
                "InvalidNextTokenException",
                &format!("unexpected NextToken {other}"),
            )),
        }
    })
}

/// `cloudtrail:LookupEvents` in us-east-1 with one well-formed sign-in and one whose
/// `CloudTrailEvent` is cut off mid-document.
pub fn malformed_signin(account: &str) -> Rule {
    let account = account.to_string();
    on(&["cloudtrail:LookupEvents"], move |r: &Request| {
        if r.region != "us-east-1" {
            return lookup_events_page(r, json!([]), None);
        }
        let identity = json!({"type": "IAMUser", "arn": format!("arn:aws:iam::{account}:user/alice"), "accountId": account, "userName": "alice"});
        let good = signin_event(SIGNIN_ALICE_MFA, 2, identity, "alice", "Yes", None);
        let mut broken = good.clone();
        broken["EventId"] = json!(SIGNIN_BOB_NO_MFA);
        broken["Username"] = json!("bob");
        broken["CloudTrailEvent"] = json!(
            r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"bob"},"additionalEventData":{"MFAUsed":"#
        );
        lookup_events_page(r, json!([good, broken]), None)
    })
}

/// `cloudtrail:GetEventSelectors` for `trail` answered with advanced event selectors, in
/// the form the CloudTrail API reference documents (`AdvancedEventSelectors`, each a
/// `Name` and `FieldSelectors` of `Field` with `Equals`): management events, limited to
/// write events when `read_only` is `Some("false")`. moto keeps whatever selectors it is
/// given but the tests need AWS's exact answer.
pub fn advanced_event_selectors(trail: &str, read_only: Option<&str>) -> Rule {
    let trail = trail.to_string();
    let read_only = read_only.map(str::to_string);
    on(&["cloudtrail:GetEventSelectors"], move |_| {
        let mut fields = vec![json!({"Field": "eventCategory", "Equals": ["Management"]})];
        if let Some(v) = &read_only {
            fields.push(json!({"Field": "readOnly", "Equals": [v]}));
        }
        aws_json(json!({
            "TrailARN": trail,
            "AdvancedEventSelectors": [{"Name": "Management events", "FieldSelectors": fields}],
        }))
    })
}

/// An awsJson 1.0 answer (DynamoDB).
pub fn aws_json_10(body: Value) -> Reply {
    Reply::Respond(Response::new(
        200,
        "application/x-amz-json-1.0",
        body.to_string(),
    ))
}

/// The full scenario's `orders` table as a global table (version 2019.11.21) with a
/// replica in eu-west-1, which moto does not keep: moto's `dynamodb:DescribeTable` answer
/// with `Replicas` and `GlobalTableVersion` added as the DescribeTable reference shows them
/// ("Replicas: Represents replicas of the table", each a `ReplicaDescription` with
/// `RegionName` and `ReplicaStatus`). moto's `x-amz-crc32` no longer matches the body and
/// is dropped (AWS sends it over the body it sends).
pub fn global_table_replica() -> Rule {
    Box::new(|r: &Request| {
        (r.operation == "dynamodb:DescribeTable"
            && r.region == "ap-southeast-2"
            && r.param("TableName").as_deref() == Some("orders"))
        .then(|| {
            Reply::Rewrite(Box::new(|mut response: Response| {
                if let Ok(mut body) = serde_json::from_slice::<Value>(&response.body) {
                    body["Table"]["GlobalTableVersion"] = json!("2019.11.21");
                    body["Table"]["Replicas"] = json!([
                        {"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE"}
                    ]);
                    response.body = body.to_string().into_bytes();
                    response
                        .headers
                        .retain(|(k, _)| !k.eq_ignore_ascii_case("x-amz-crc32"));
                }
                response
            }))
        })
    })
}

/// `dynamodb:ListTables` in ap-southeast-2 in two pages (`LastEvaluatedTableName` on page
/// 1, sent back as `ExclusiveStartTableName`): `orders` on page 1, `sessions` on page 2.
/// The tables' descriptions still come from moto.
pub fn tables_in_two_pages() -> Rule {
    Box::new(|r: &Request| {
        (r.operation == "dynamodb:ListTables" && r.region == "ap-southeast-2").then(|| {
            match r.param("ExclusiveStartTableName").as_deref() {
                None => aws_json_10(
                    json!({"TableNames": ["orders"], "LastEvaluatedTableName": "orders"}),
                ),
                Some("orders") => aws_json_10(json!({"TableNames": ["sessions"]})),
                Some(other) => panic!("unexpected ListTables ExclusiveStartTableName {other}"),
            }
        })
    })
}

/// `logs:DescribeLogGroups` in ap-southeast-2 in two pages (`nextToken` on page 1), each
/// group as the `LogGroup` data type reference shows it: `/app/api` (with `kmsKeyId` and
/// 365 days) on page 1, `/app/worker` on page 2.
pub fn log_groups_in_two_pages(account: &str, key: &str) -> Rule {
    let (account, key) = (account.to_string(), key.to_string());
    Box::new(move |r: &Request| {
        (r.operation == "logs:DescribeLogGroups" && r.region == "ap-southeast-2").then(|| {
            let group = |name: &str| {
                json!({
                    "logGroupName": name,
                    "creationTime": 1_790_000_000_000_i64,
                    "metricFilterCount": 0,
                    "arn": format!("arn:aws:logs:ap-southeast-2:{account}:log-group:{name}:*"),
                    "storedBytes": 2048,
                    "logGroupClass": "STANDARD",
                    "logGroupArn": format!("arn:aws:logs:ap-southeast-2:{account}:log-group:{name}"),
                })
            };
            match r.param("nextToken").as_deref() {
                None => {
                    let mut api = group("/app/api");
                    api["kmsKeyId"] = json!(key);
                    api["retentionInDays"] = json!(365);
                    aws_json(json!({"logGroups": [api], "nextToken": "log-groups-page-2"}))
                }
                Some("log-groups-page-2") => aws_json(json!({"logGroups": [group("/app/worker")]})),
                Some(other) => panic!("unexpected DescribeLogGroups nextToken {other}"),
            }
        })
    })
}

/// Amazon MSK (Kafka) cluster names in the full scenario's recorded Config inventory: a
/// data-holding type assay has no collector for, so only the catch-all sees them.
pub const STREAM_HOME: &str = "events";
pub const STREAM_OTHER: &str = "events-us";

/// The ARN of an MSK cluster (`arn:aws:kafka:region:account:cluster/name/uuid`, the MSK
/// resource types in the Service Authorization Reference).
pub fn msk_cluster_arn(region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:aws:kafka:{region}:{account}:cluster/{name}/5a3f9c1e-8b2d-4e6f-9a1b-2c3d4e5f6a7b-3"
    )
}

/// `config:SelectResourceConfig`, which moto accepts but does not evaluate (it answers
/// preset results, as objects rather than strings). The answer follows the API reference:
/// `Results` a list of JSON documents as strings, `QueryInfo.SelectFields`, `NextToken`.
/// For the full scenario: in ap-southeast-2 two pages (the `orders` table and an MSK
/// cluster, then an IAM role with `awsRegion` `global`), in us-east-1 one page (an MSK
/// cluster and the `sessions-us` table: both outside the allowed region). Other
/// accounts record nothing.
pub fn config_inventory(full: Option<Value>) -> Rule {
    on(&["config:SelectResourceConfig"], move |r: &Request| {
        let names = [
            "resourceId",
            "resourceName",
            "resourceType",
            "awsRegion",
            "accountId",
            "arn",
        ];
        let fields = json!({"SelectFields": names.map(|n| json!({"Name": n}))});
        let Some(f) = &full else {
            return aws_json(json!({"Results": [], "QueryInfo": fields}));
        };
        let account = s(f, "account");
        let row = |kind: &str, id: &str, name: &str, region: &str, arn: String| {
            json!({"resourceId": id, "resourceName": name, "resourceType": kind, "awsRegion": region, "accountId": account, "arn": arn}).to_string()
        };
        let stream = |id: &str, region: &str| {
            row(
                "AWS::MSK::Cluster",
                id,
                id,
                region,
                msk_cluster_arn(region, &account, id),
            )
        };
        match (r.region.as_str(), r.param("NextToken").as_deref()) {
            ("ap-southeast-2", None) => aws_json(json!({
                "Results": [
                    row("AWS::DynamoDB::Table", "orders", "orders", "ap-southeast-2", s(f, "table_orders")),
                    stream(STREAM_HOME, "ap-southeast-2"),
                ],
                "QueryInfo": fields,
                "NextToken": "inventory-page-2",
            })),
            ("ap-southeast-2", Some("inventory-page-2")) => aws_json(json!({
                "Results": [row("AWS::IAM::Role", "AROAAPP", "app", "global", format!("arn:aws:iam::{account}:role/app"))],
                "QueryInfo": fields,
            })),
            ("us-east-1", None) => aws_json(json!({
                "Results": [
                    stream(STREAM_OTHER, "us-east-1"),
                    row("AWS::DynamoDB::Table", "sessions-us", "sessions-us", "us-east-1", s(f, "table_us")),
                ],
                "QueryInfo": fields,
            })),
            (region, token) => panic!("unexpected SelectResourceConfig in {region} with {token:?}"),
        }
    })
}

/// What moto answers for IAM Identity Center where AWS answers otherwise:
/// - `sso:ListInstances` outside the instance's home region `home`: moto makes an instance
///   in every region; AWS keeps the one instance in its home region ("IAM Identity Center
///   … is a Regional service … you enable it in one AWS Region", the IAM Identity Center
///   user guide, "Region availability") and lists none elsewhere;
/// - `sso:GetPermissionsBoundaryForPermissionSet`, which moto does not implement (it
///   answers 500): AWS answers `ResourceNotFoundException` for a permission set without
///   a boundary (the SSO Admin API reference, GetPermissionsBoundaryForPermissionSet,
///   "Errors");
/// - `identitystore:ListGroups`: moto keeps no `ExternalIds`; AWS gives a group provisioned
///   from an external directory (SCIM) its `ExternalIds` (the Identity Store API reference,
///   `Group`): the group named `support` is the directory's.
pub fn identity_center_holes(home: &'static str) -> Vec<Rule> {
    let instances = Box::new(move |r: &Request| {
        (r.operation == "sso:ListInstances" && r.region != home)
            .then(|| aws_json(json!({"Instances": []})))
    }) as Rule;
    let boundary = on(
        &["sso:GetPermissionsBoundaryForPermissionSet"],
        |r: &Request| {
            Reply::Respond(aws_error(
                r,
                400,
                "ResourceNotFoundException",
                "Permissions boundary not found for the permission set",
            ))
        },
    );
    let groups = on(&["identitystore:ListGroups"], |_r: &Request| {
        Reply::Rewrite(Box::new(|mut response: Response| {
            if let Ok(mut body) = serde_json::from_slice::<Value>(&response.body) {
                if let Some(groups) = body["Groups"].as_array_mut() {
                    for g in groups.iter_mut().filter(|g| g["DisplayName"] == "support") {
                        g["ExternalIds"] = json!([{
                            "Issuer": "https://scim.ap-southeast-2.amazonaws.com/a1b2c3d4e5f-1234-5678-9abc-def012345678/scim/v2/",
                            "Id": "S-1-5-21-3623811015-3361044348-30300820-1013"
                        }]);
                    }
                }
                response.body = body.to_string().into_bytes();
            }
            response
        }))
    });
    vec![instances, boundary, groups]
}

/// AWS Backup restore testing, which moto does not implement (`ListRestoreTestingPlans`,
/// `GetRestoreTestingPlan`, `ListRestoreJobs`; restJson, epoch-second timestamps, as the
/// AWS Backup API reference gives them): for the full scenario, a monthly restore testing
/// plan in ap-southeast-2 and two restore jobs it ran (an RDS restore that completed in
/// 2 h 40 min, validated, and an EBS restore that failed); nothing anywhere else.
pub fn restore_holes(full: Option<&Value>) -> Vec<Rule> {
    let account = full.map(|f| s(f, "account"));
    let a1 = account.clone();
    let plans = on(&["backup:ListRestoreTestingPlans"], move |r: &Request| {
        let list = match &a1 {
            Some(account) if r.region == "ap-southeast-2" => json!([restore_plan(account)]),
            _ => json!([]),
        };
        rest_json(json!({"RestoreTestingPlans": list}))
    });
    let a2 = account.clone();
    let plan = on(&["backup:GetRestoreTestingPlan"], move |_r: &Request| {
        let account = a2
            .as_ref()
            .expect("GetRestoreTestingPlan is only called for the full scenario's plan");
        let mut plan = restore_plan(account);
        plan["RecoveryPointSelection"] = json!({
            "Algorithm": "LATEST_WITHIN_WINDOW",
            "IncludeVaults": ["*"],
            "RecoveryPointTypes": ["SNAPSHOT"],
            "SelectionWindowDays": 7
        });
        plan["CreatorRequestId"] = json!(null);
        rest_json(json!({"RestoreTestingPlan": plan}))
    });
    let jobs = on(&["backup:ListRestoreJobs"], move |r: &Request| {
        let list = match &account {
            Some(account) if r.region == "ap-southeast-2" => restore_jobs(account),
            _ => json!([]),
        };
        rest_json(json!({"RestoreJobs": list}))
    });
    vec![plans, plan, jobs]
}

fn restore_plan(account: &str) -> Value {
    json!({
        "RestoreTestingPlanArn": format!("arn:aws:backup:ap-southeast-2:{account}:restore-testing-plan:monthly-restore-3f2a1b"),
        "RestoreTestingPlanName": "monthly_restore",
        "ScheduleExpression": "cron(0 2 ? * SUN#1 *)",
        "ScheduleExpressionTimezone": "Australia/Sydney",
        "StartWindowHours": 24,
        "CreationTime": epoch(24 * 120),
        "LastExecutionTime": epoch(24 * 5 + 6)
    })
}

fn restore_jobs(account: &str) -> Value {
    let plan = format!(
        "arn:aws:backup:ap-southeast-2:{account}:restore-testing-plan:monthly-restore-3f2a1b"
    );
    json!([
        {
            "AccountId": account,
            "RestoreJobId": "7e1c2d3b-0a9f-4b8e-9c7d-6e5f4a3b2c1d",
            "RecoveryPointArn": format!("arn:aws:rds:ap-southeast-2:{account}:snapshot:awsbackup:job-db-1"),
            "ResourceType": "RDS",
            "CreationDate": epoch(24 * 5 + 6),
            "CompletionDate": epoch_at(Utc::now() - Duration::hours(24 * 5 + 6) + Duration::minutes(160)),
            "Status": "COMPLETED",
            "CreatedResourceArn": format!("arn:aws:rds:ap-southeast-2:{account}:db:restore-test-7e1c2d3b"),
            "CreatedBy": {"RestoreTestingPlanArn": plan},
            "ValidationStatus": "SUCCESSFUL",
            "IsParent": false
        },
        {
            "AccountId": account,
            "RestoreJobId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "RecoveryPointArn": "arn:aws:ec2:ap-southeast-2::snapshot/snap-0abc1234def567890",
            "ResourceType": "EBS",
            "CreationDate": epoch(24 * 5 + 6),
            "CompletionDate": epoch(24 * 5 + 5),
            "Status": "FAILED",
            "StatusMessage": "The snapshot is not available",
            "CreatedBy": {"RestoreTestingPlanArn": plan},
            "IsParent": false
        }
    ])
}

/// One `DBCluster` element as the DescribeDBClusters API reference shows it (query XML,
/// namespace 2014-10-31): an Aurora cluster encrypted with `key`, and a read replica
/// cluster in `replica_region` named by its ARN in `ReadReplicaIdentifiers`.
fn db_cluster_xml(account: &str, id: &str, key: &str, replica_region: &str) -> String {
    format!(
        "<DBCluster>\
           <DBClusterIdentifier>{id}</DBClusterIdentifier>\
           <DBClusterArn>arn:aws:rds:ap-southeast-2:{account}:cluster:{id}</DBClusterArn>\
           <Engine>aurora-mysql</Engine><EngineVersion>8.0.mysql_aurora.3.05.2</EngineVersion>\
           <EngineMode>provisioned</EngineMode><Status>available</Status>\
           <StorageEncrypted>true</StorageEncrypted><KmsKeyId>{key}</KmsKeyId>\
           <BackupRetentionPeriod>7</BackupRetentionPeriod>\
           <DeletionProtection>true</DeletionProtection><MultiAZ>false</MultiAZ>\
           <DBClusterMembers/>\
           <ReadReplicaIdentifiers>\
             <ReadReplicaIdentifier>arn:aws:rds:{replica_region}:{account}:cluster:{id}-replica</ReadReplicaIdentifier>\
           </ReadReplicaIdentifiers>\
           <TagList/>\
         </DBCluster>"
    )
}

/// `rds:DescribeDBClusters` in ap-southeast-2 in two pages (`Marker` on page 1, sent back
/// as `Marker`): `billing-aurora` with a read replica cluster in eu-west-1 on page 1,
/// `ledger-aurora` with one in ap-southeast-4 on page 2. Moto pages only past 100
/// clusters, and keeps no cross-region read replica clusters.
pub fn clusters_in_two_pages(account: &str, key: &str) -> Rule {
    let (account, key) = (account.to_string(), key.to_string());
    on(&["rds:DescribeDBClusters"], move |r: &Request| {
        if r.region != "ap-southeast-2" {
            return query_xml("rds", "DescribeDBClusters", "<DBClusters/>");
        }
        match r.param("Marker").as_deref() {
            None => query_xml(
                "rds",
                "DescribeDBClusters",
                &format!(
                    "<DBClusters>{}</DBClusters><Marker>clusters-page-2</Marker>",
                    db_cluster_xml(&account, "billing-aurora", &key, "eu-west-1")
                ),
            ),
            Some("clusters-page-2") => query_xml(
                "rds",
                "DescribeDBClusters",
                &format!(
                    "<DBClusters>{}</DBClusters>",
                    db_cluster_xml(&account, "ledger-aurora", &key, "ap-southeast-4")
                ),
            ),
            Some(other) => panic!("unexpected DescribeDBClusters Marker {other}"),
        }
    })
}

/// `rds:DescribeDBInstances` in ap-southeast-2 answering one instance whose automated
/// backups are replicated to eu-west-1 and which has a read replica in us-west-2, as the
/// `DBInstance` data type reference shows them (`DBInstanceAutomatedBackupsReplications`,
/// `ReadReplicaDBInstanceIdentifiers` with the replica's ARN). Moto implements neither
/// `StartDBInstanceAutomatedBackupsReplication` nor cross-region read replicas.
pub fn instance_with_replicated_backups(account: &str) -> Rule {
    let account = account.to_string();
    on(&["rds:DescribeDBInstances"], move |r: &Request| {
        if r.region != "ap-southeast-2" {
            return query_xml("rds", "DescribeDBInstances", "<DBInstances/>");
        }
        query_xml(
            "rds",
            "DescribeDBInstances",
            &format!(
                "<DBInstances><DBInstance>\
                   <DBInstanceIdentifier>payments</DBInstanceIdentifier>\
                   <DBInstanceArn>arn:aws:rds:ap-southeast-2:{account}:db:payments</DBInstanceArn>\
                   <DBInstanceClass>db.r6g.large</DBInstanceClass><Engine>postgres</Engine>\
                   <DBInstanceStatus>available</DBInstanceStatus>\
                   <StorageEncrypted>false</StorageEncrypted>\
                   <BackupRetentionPeriod>7</BackupRetentionPeriod>\
                   <PubliclyAccessible>false</PubliclyAccessible><MultiAZ>true</MultiAZ>\
                   <DeletionProtection>true</DeletionProtection>\
                   <ReadReplicaDBInstanceIdentifiers>\
                     <ReadReplicaDBInstanceIdentifier>arn:aws:rds:us-west-2:{account}:db:payments-replica</ReadReplicaDBInstanceIdentifier>\
                   </ReadReplicaDBInstanceIdentifiers>\
                   <ReadReplicaDBClusterIdentifiers/>\
                   <DBInstanceAutomatedBackupsReplications>\
                     <DBInstanceAutomatedBackupsReplication>\
                       <DBInstanceAutomatedBackupsArn>arn:aws:rds:eu-west-1:{account}:auto-backup:ab-3fzg5tkzqyvkd2wmbz6rvybkumzmdqcxa2xq4ya</DBInstanceAutomatedBackupsArn>\
                     </DBInstanceAutomatedBackupsReplication>\
                   </DBInstanceAutomatedBackupsReplications>\
                   <TagList/>\
                 </DBInstance></DBInstances>"
            ),
        )
    })
}

/// One `ReplicationConfigurationDescription` as the DescribeReplicationConfigurations API
/// reference shows it: file system `fs` of `account` in `region` replicating to a new file
/// system in `destination`.
pub fn efs_replication(account: &str, region: &str, fs: &str, destination: &str) -> Value {
    let arn = format!("arn:aws:elasticfilesystem:{region}:{account}:file-system/{fs}");
    json!({
        "SourceFileSystemId": fs,
        "SourceFileSystemRegion": region,
        "SourceFileSystemArn": arn,
        "OriginalSourceFileSystemArn": arn,
        "CreationTime": epoch(24 * 40),
        "Destinations": [{
            "Status": "ENABLED",
            "FileSystemId": "fs-0d1e2f3a4b5c6d7e8",
            "Region": destination,
            "LastReplicatedTimestamp": epoch(1),
        }],
    })
}

/// `elasticfilesystem:DescribeReplicationConfigurations`, which moto does not implement:
/// for the full scenario, the encrypted file system at home replicating to eu-west-1;
/// elsewhere no replication (`Replications` empty).
pub fn efs_replications(full: Option<Value>) -> Rule {
    on(
        &["elasticfilesystem:DescribeReplicationConfigurations"],
        move |r: &Request| {
            let replications = match &full {
                Some(f) if r.region == "ap-southeast-2" => json!([efs_replication(
                    &s(f, "account"),
                    "ap-southeast-2",
                    &s(f, "efs_shared"),
                    "eu-west-1"
                )]),
                _ => json!([]),
            };
            rest_json(json!({"Replications": replications}))
        },
    )
}

/// `elasticfilesystem:DescribeFileSystems` in ap-southeast-2 in two pages (`NextMarker` on
/// page 1, sent back as `Marker`), each file system as the `FileSystemDescription` data
/// type reference shows it: `fs-0aaaa…` encrypted with `key` on page 1, `fs-0bbbb…`
/// unencrypted on page 2; their backup policies (`ENABLED`), which moto cannot know. Moto
/// pages only with `MaxItems`, which the collector does not send.
pub fn file_systems_in_two_pages(account: &str, key: &str) -> Rule {
    let (account, key) = (account.to_string(), key.to_string());
    on(
        &[
            "elasticfilesystem:DescribeFileSystems",
            "elasticfilesystem:DescribeBackupPolicy",
        ],
        move |r: &Request| {
            if r.operation == "elasticfilesystem:DescribeBackupPolicy" {
                return rest_json(json!({"BackupPolicy": {"Status": "ENABLED"}}));
            }
            let fs = |id: &str, encrypted: bool| {
                let mut fs = json!({
                    "OwnerId": account,
                    "CreationToken": id,
                    "FileSystemId": id,
                    "FileSystemArn": format!("arn:aws:elasticfilesystem:ap-southeast-2:{account}:file-system/{id}"),
                    "CreationTime": epoch(24 * 60),
                    "LifeCycleState": "available",
                    "NumberOfMountTargets": 0,
                    "SizeInBytes": {"Value": 6144},
                    "PerformanceMode": "generalPurpose",
                    "Encrypted": encrypted,
                    "ThroughputMode": "elastic",
                    "Tags": [],
                });
                if encrypted {
                    fs["KmsKeyId"] = json!(key);
                }
                fs
            };
            if r.region != "ap-southeast-2" {
                return rest_json(json!({"FileSystems": []}));
            }
            match r.param("Marker").as_deref() {
                None => rest_json(json!({
                    "FileSystems": [fs("fs-0aaaaaaaaaaaaaaa1", true)],
                    "NextMarker": "file-systems-page-2",
                })),
                Some("file-systems-page-2") => {
                    rest_json(json!({"FileSystems": [fs("fs-0bbbbbbbbbbbbbbb2", false)]}))
                }
                Some(other) => panic!("unexpected DescribeFileSystems Marker {other}"),
            }
        },
    )
}

/// `secretsmanager:ListSecrets` in ap-southeast-2 in two pages (`NextToken` on page 1),
/// each entry as the `SecretListEntry` data type reference shows it: `db` (the secret's
/// ARN) on page 1, `legacy` on page 2. Their descriptions still come from moto. Elsewhere
/// no secrets.
pub fn secrets_in_two_pages(db: &str, legacy: &str) -> Rule {
    let (db, legacy) = (db.to_string(), legacy.to_string());
    on(&["secretsmanager:ListSecrets"], move |r: &Request| {
        let entry = |arn: &str| {
            let name = arn
                .rsplit(':')
                .next()
                .and_then(|n| n.rsplit_once('-'))
                .map_or(arn, |(name, _)| name);
            json!({"ARN": arn, "Name": name, "CreatedDate": epoch(24 * 3), "SecretVersionsToStages": {}, "OwningService": null, "Tags": []})
        };
        if r.region != "ap-southeast-2" {
            return aws_json(json!({"SecretList": []}));
        }
        match r.param("NextToken").as_deref() {
            None => aws_json(json!({"SecretList": [entry(&db)], "NextToken": "secrets-page-2"})),
            Some("secrets-page-2") => aws_json(json!({"SecretList": [entry(&legacy)]})),
            Some(other) => panic!("unexpected ListSecrets NextToken {other}"),
        }
    })
}

/// One management event as `LookupEvents` returns it (CloudTrail API reference, `Event`):
/// the envelope with `Resources` as CloudTrail names them, and the full record as a JSON
/// string in `CloudTrailEvent`, its `requestParameters` naming the bucket; `error` makes
/// it a call that failed (`errorCode`, as CloudTrail records a denied call).
pub fn bucket_change_event(
    id: &str,
    name: &str,
    time: chrono::DateTime<Utc>,
    account: &str,
    bucket: &str,
    error: Option<&str>,
) -> Value {
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAMALLORY", "arn": format!("arn:aws:iam::{account}:user/mallory"), "accountId": account, "userName": "mallory"},
        "eventTime": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": "ap-southeast-2",
        "sourceIPAddress": "203.0.113.24",
        "userAgent": "[aws-cli/2.17.0]",
        "requestParameters": {"bucketName": bucket, "Host": format!("{bucket}.s3.ap-southeast-2.amazonaws.com"), "encryption": ""},
        "responseElements": null,
        "eventID": id,
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management"
    });
    if let Some(code) = error {
        record["errorCode"] = json!(code);
        record["errorMessage"] = json!("User is not authorized to perform this action");
    }
    json!({
        "EventId": id,
        "EventName": name,
        "ReadOnly": "false",
        "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
        "EventTime": epoch_at(time),
        "EventSource": "s3.amazonaws.com",
        "Username": "mallory",
        "Resources": [{"ResourceType": "AWS::S3::Bucket", "ResourceName": bucket}],
        "CloudTrailEvent": record.to_string()
    })
}

/// `cloudtrail:LookupEvents` for the change history's event names in `region`, answering
/// `events` (filtered by the name looked up, as CloudTrail does); every other lookup
/// (sign-ins, other regions) is left to the next rule.
pub fn change_events(region: &str, events: Value) -> Rule {
    let region = region.to_string();
    Box::new(move |r: &Request| {
        if r.operation != "cloudtrail:LookupEvents" || r.region != region {
            return None;
        }
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        if body["LookupAttributes"][0]["AttributeValue"] == "ConsoleLogin" {
            return None;
        }
        Some(lookup_events_page(r, events.clone(), None))
    })
}

/// One IAM Identity Center sign-in event as `LookupEvents` returns it, in the shape "Understanding
/// IAM Identity Center sign-in events" (IAM Identity Center User Guide) documents: eventSource
/// `signin.amazonaws.com`, `userIdentity.onBehalfOf` naming the identity store user,
/// `additionalEventData` with `AuthWorkflowID`, `CredentialType` and `UserName`, and the
/// outcome in `serviceEventDetails`.
/// `who` is the account, the identity store user id and the user name.
pub fn sso_signin_event(
    id: &str,
    name: &str,
    hours_ago: i64,
    who: [&str; 3],
    workflow: &str,
    credential_type: &str,
) -> Value {
    let [account, user_id, user_name] = who;
    let time = Utc::now() - Duration::hours(hours_ago);
    let record = json!({
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "Unknown",
            "principalId": user_id,
            "accountId": account,
            "onBehalfOf": {"userId": user_id, "identityStoreArn": format!("arn:aws:identitystore::{account}:identitystore/d-97671a9bd4")},
            "credentialId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
        },
        "eventTime": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": "signin.amazonaws.com",
        "eventName": name,
        "awsRegion": "ap-southeast-2",
        "sourceIPAddress": "203.0.113.24",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        "requestParameters": null,
        "responseElements": null,
        "additionalEventData": {"AuthWorkflowID": workflow, "CredentialType": credential_type, "UserName": user_name},
        "eventID": id,
        "readOnly": false,
        "eventType": "AwsServiceEvent",
        "managementEvent": true,
        "recipientAccountId": account,
        "serviceEventDetails": {name: "Success"},
        "eventCategory": "Management"
    });
    json!({
        "EventId": id,
        "EventName": name,
        "ReadOnly": "false",
        "EventTime": epoch_at(time),
        "EventSource": "signin.amazonaws.com",
        "Username": user_name,
        "Resources": [],
        "CloudTrailEvent": record.to_string()
    })
}

/// `cloudtrail:LookupEvents` of Identity Center's sign-in events (`UserAuthentication`,
/// `CredentialVerification`) in `region`, answering `events`; every other lookup is left
/// to the next rule.
pub fn sso_signins(region: &str, events: Value) -> Rule {
    let region = region.to_string();
    Box::new(move |r: &Request| {
        if r.operation != "cloudtrail:LookupEvents" || r.region != region {
            return None;
        }
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let name = &body["LookupAttributes"][0]["AttributeValue"];
        if name != "UserAuthentication" && name != "CredentialVerification" {
            return None;
        }
        Some(lookup_events_page(r, events.clone(), None))
    })
}

/// One outbound cross-cluster connection as the DescribeOutboundConnections API reference
/// shows it: domain `local` of `account` in `region` to `remote` in `remote_region`.
pub fn opensearch_connection(
    account: &str,
    region: &str,
    local: &str,
    remote: &str,
    remote_region: &str,
    status: &str,
) -> Value {
    json!({
        "LocalDomainInfo": {"AWSDomainInformation": {"OwnerId": account, "DomainName": local, "Region": region}},
        "RemoteDomainInfo": {"AWSDomainInformation": {"OwnerId": account, "DomainName": remote, "Region": remote_region}},
        "ConnectionId": format!("cc-{local}-{remote}"),
        "ConnectionAlias": format!("{local}-to-{remote}"),
        "ConnectionStatus": {"StatusCode": status, "Message": "Connection is active"},
        "ConnectionMode": "DIRECT",
    })
}

/// `es:DescribeOutboundConnections`, which moto does not implement (its OpenSearch
/// backend answers 404): for the full scenario, the `search` domain at home connected to a
/// domain in eu-west-1; elsewhere no connections.
pub fn opensearch_connections(full: Option<Value>) -> Rule {
    on(&["es:DescribeOutboundConnections"], move |r: &Request| {
        let connections = match &full {
            Some(f) if r.region == "ap-southeast-2" => json!([opensearch_connection(
                &s(f, "account"),
                "ap-southeast-2",
                "search",
                "search-eu",
                "eu-west-1",
                "ACTIVE"
            )]),
            _ => json!([]),
        };
        rest_json(json!({"Connections": connections, "NextToken": null}))
    })
}

/// One `Cluster` in the DescribeClusters wire format (the Redshift API reference, Cluster
/// data type): `id` of `account`, encrypted with `key` when given, copying its snapshots to
/// `copy_region` when given.
fn redshift_cluster_xml(id: &str, key: Option<&str>, copy_region: Option<&str>) -> String {
    let encryption = match key {
        Some(k) => format!("<Encrypted>true</Encrypted><KmsKeyId>{k}</KmsKeyId>"),
        None => "<Encrypted>false</Encrypted>".to_string(),
    };
    let copy = copy_region.map_or_else(String::new, |r| {
        format!(
            "<ClusterSnapshotCopyStatus><DestinationRegion>{r}</DestinationRegion>\
             <RetentionPeriod>7</RetentionPeriod><ManualSnapshotRetentionPeriod>-1</ManualSnapshotRetentionPeriod>\
             <SnapshotCopyGrantName>{id}-copy</SnapshotCopyGrantName></ClusterSnapshotCopyStatus>"
        )
    });
    format!(
        "<Cluster><ClusterIdentifier>{id}</ClusterIdentifier><NodeType>ra3.xlplus</NodeType>\
         <ClusterStatus>available</ClusterStatus><NumberOfNodes>2</NumberOfNodes>\
         <ClusterCreateTime>2026-01-05T03:00:00.000Z</ClusterCreateTime>\
         <AutomatedSnapshotRetentionPeriod>7</AutomatedSnapshotRetentionPeriod>\
         <ManualSnapshotRetentionPeriod>-1</ManualSnapshotRetentionPeriod>\
         <PubliclyAccessible>false</PubliclyAccessible>{encryption}{copy}\
         <Tags><Tag><Key>data</Key><Value>client</Value></Tag></Tags></Cluster>"
    )
}

/// `redshift:DescribeClusters` in ap-southeast-2 in two pages (`Marker` on page 1, sent
/// back as `Marker`): `billing-warehouse` on `key` copying its snapshots to eu-west-1 on
/// page 1, the unencrypted `ledger-warehouse` on page 2. Moto pages only with
/// `MaxRecords`, which the collector does not send.
pub fn redshift_clusters_in_two_pages(key: &str) -> Rule {
    let key = key.to_string();
    on(&["redshift:DescribeClusters"], move |r: &Request| {
        if r.region != "ap-southeast-2" {
            return query_xml("redshift", "DescribeClusters", "<Clusters/>");
        }
        match r.param("Marker").as_deref() {
            None => query_xml(
                "redshift",
                "DescribeClusters",
                &format!(
                    "<Clusters>{}</Clusters><Marker>clusters-page-2</Marker>",
                    redshift_cluster_xml("billing-warehouse", Some(&key), Some("eu-west-1"))
                ),
            ),
            Some("clusters-page-2") => query_xml(
                "redshift",
                "DescribeClusters",
                &format!(
                    "<Clusters>{}</Clusters>",
                    redshift_cluster_xml("ledger-warehouse", None, None)
                ),
            ),
            Some(other) => panic!("unexpected DescribeClusters Marker {other}"),
        }
    })
}

/// `redshift:DescribeClusterSnapshots` in ap-southeast-2 answering one manual snapshot
/// shared with account 999988887777, as the Snapshot data type shows it
/// (`AccountsWithRestoreAccess`, "Visible only to the snapshot owner"); moto implements
/// no AuthorizeSnapshotAccess.
pub fn redshift_shared_snapshot(account: &str, key: &str) -> Rule {
    let (account, key) = (account.to_string(), key.to_string());
    on(
        &["redshift:DescribeClusterSnapshots"],
        move |r: &Request| {
            if r.region != "ap-southeast-2" {
                return query_xml("redshift", "DescribeClusterSnapshots", "<Snapshots/>");
            }
            query_xml(
                "redshift",
                "DescribeClusterSnapshots",
                &format!(
                    "<Snapshots><Snapshot>\
                   <SnapshotIdentifier>warehouse-handover</SnapshotIdentifier>\
                   <ClusterIdentifier>warehouse</ClusterIdentifier>\
                   <SnapshotCreateTime>2026-11-30T03:00:00.000Z</SnapshotCreateTime>\
                   <Status>available</Status><SnapshotType>manual</SnapshotType>\
                   <Encrypted>true</Encrypted><KmsKeyId>{key}</KmsKeyId>\
                   <OwnerAccount>{account}</OwnerAccount>\
                   <AccountsWithRestoreAccess>\
                     <AccountWithRestoreAccess><AccountId>999988887777</AccountId></AccountWithRestoreAccess>\
                   </AccountsWithRestoreAccess>\
                   <SnapshotArn>arn:aws:redshift:ap-southeast-2:{account}:snapshot:warehouse/warehouse-handover</SnapshotArn>\
                   <Tags/>\
                 </Snapshot></Snapshots>"
                ),
            )
        },
    )
}

/// One `ReplicationGroup` in the DescribeReplicationGroups wire format (the ElastiCache
/// API reference): `id` of `account` in ap-southeast-2, on `key`, in global datastore
/// `global` when given.
fn replication_group_xml(account: &str, id: &str, key: &str, global: Option<&str>) -> String {
    let info = global.map_or_else(String::new, |g| {
        format!(
            "<GlobalReplicationGroupInfo><GlobalReplicationGroupId>{g}</GlobalReplicationGroupId>\
             <GlobalReplicationGroupMemberRole>PRIMARY</GlobalReplicationGroupMemberRole></GlobalReplicationGroupInfo>"
        )
    });
    format!(
        "<ReplicationGroup><ReplicationGroupId>{id}</ReplicationGroupId>\
         <Description>{id}</Description>{info}<Status>available</Status>\
         <MemberClusters><ClusterId>{id}-001</ClusterId></MemberClusters>\
         <SnapshotRetentionLimit>7</SnapshotRetentionLimit><CacheNodeType>cache.r7g.large</CacheNodeType>\
         <TransitEncryptionEnabled>true</TransitEncryptionEnabled>\
         <AtRestEncryptionEnabled>true</AtRestEncryptionEnabled><KmsKeyId>{key}</KmsKeyId>\
         <ARN>arn:aws:elasticache:ap-southeast-2:{account}:replicationgroup:{id}</ARN>\
         <Engine>redis</Engine></ReplicationGroup>"
    )
}

/// ElastiCache as moto cannot show it: `elasticache:DescribeReplicationGroups` in
/// ap-southeast-2 in two pages (`Marker`), `carts` (the primary of global datastore
/// `ldgnf-carts`) on page 1 and `orders-cache` on page 2;
/// `elasticache:DescribeGlobalReplicationGroups` with `ldgnf-carts`'s members, the
/// secondary in us-west-2 (moto implements no global datastores); and the two groups'
/// tags (none).
pub fn replication_groups_in_two_pages(account: &str, key: &str) -> Vec<Rule> {
    let (account, key) = (account.to_string(), key.to_string());
    let a1 = account.clone();
    let groups = on(
        &["elasticache:DescribeReplicationGroups"],
        move |r: &Request| {
            if r.region != "ap-southeast-2" {
                return query_xml(
                    "elasticache",
                    "DescribeReplicationGroups",
                    "<ReplicationGroups/>",
                );
            }
            match r.param("Marker").as_deref() {
                None => query_xml(
                    "elasticache",
                    "DescribeReplicationGroups",
                    &format!(
                        "<ReplicationGroups>{}</ReplicationGroups><Marker>groups-page-2</Marker>",
                        replication_group_xml(&a1, "carts", &key, Some("ldgnf-carts"))
                    ),
                ),
                Some("groups-page-2") => query_xml(
                    "elasticache",
                    "DescribeReplicationGroups",
                    &format!(
                        "<ReplicationGroups>{}</ReplicationGroups>",
                        replication_group_xml(&a1, "orders-cache", &key, None)
                    ),
                ),
                Some(other) => panic!("unexpected DescribeReplicationGroups Marker {other}"),
            }
        },
    );
    let a2 = account.clone();
    let global = on(
        &["elasticache:DescribeGlobalReplicationGroups"],
        move |_: &Request| {
            query_xml(
                "elasticache",
                "DescribeGlobalReplicationGroups",
                &format!(
                    "<GlobalReplicationGroups><GlobalReplicationGroup>\
                       <GlobalReplicationGroupId>ldgnf-carts</GlobalReplicationGroupId>\
                       <Status>available</Status><Engine>redis</Engine>\
                       <Members>\
                         <GlobalReplicationGroupMember><ReplicationGroupId>carts</ReplicationGroupId>\
                           <ReplicationGroupRegion>ap-southeast-2</ReplicationGroupRegion><Role>PRIMARY</Role>\
                           <Status>associated</Status></GlobalReplicationGroupMember>\
                         <GlobalReplicationGroupMember><ReplicationGroupId>carts-west</ReplicationGroupId>\
                           <ReplicationGroupRegion>us-west-2</ReplicationGroupRegion><Role>SECONDARY</Role>\
                           <Status>associated</Status></GlobalReplicationGroupMember>\
                       </Members>\
                       <AtRestEncryptionEnabled>true</AtRestEncryptionEnabled>\
                       <ARN>arn:aws:elasticache::{a2}:globalreplicationgroup:ldgnf-carts</ARN>\
                     </GlobalReplicationGroup></GlobalReplicationGroups>"
                ),
            )
        },
    );
    let tags = on(&["elasticache:ListTagsForResource"], move |r: &Request| {
        let name = r.param("ResourceName").unwrap_or_default();
        if name.ends_with(":replicationgroup:carts")
            || name.ends_with(":replicationgroup:orders-cache")
        {
            query_xml("elasticache", "ListTagsForResource", "<TagList/>")
        } else {
            Reply::Forward
        }
    });
    vec![groups, global, tags]
}

/// One `DomainStatus` as the DescribeDomains API reference shows it: `name` of `account`
/// in ap-southeast-2, encrypted with `key`.
fn domain_status(account: &str, name: &str, key: &str) -> Value {
    json!({
        "DomainId": format!("{account}/{name}"),
        "DomainName": name,
        "ARN": format!("arn:aws:es:ap-southeast-2:{account}:domain/{name}"),
        "Created": true,
        "Deleted": false,
        "EngineVersion": "OpenSearch_2.13",
        "ClusterConfig": {"InstanceType": "r6g.large.search", "InstanceCount": 2},
        "EncryptionAtRestOptions": {"Enabled": true, "KmsKeyId": key},
        "NodeToNodeEncryptionOptions": {"Enabled": true},
        "DomainEndpointOptions": {"EnforceHTTPS": true},
        "VPCOptions": {"VPCId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0"]},
        "AccessPolicies": "",
    })
}

/// OpenSearch as moto cannot show it, in ap-southeast-2: six domains (`ListDomainNames`
/// has no pagination, `DescribeDomains` takes at most five names, so two calls), the
/// outbound connections in two pages (`NextToken`), `catalogue-1`'s to eu-west-1 on page
/// 1, `catalogue-6`'s to ap-southeast-4 on page 2; the domains' tags (none).
pub fn domains_in_two_batches(account: &str, key: &str) -> Vec<Rule> {
    let (account, key) = (account.to_string(), key.to_string());
    let names: Vec<String> = (1..=6).map(|i| format!("catalogue-{i}")).collect();
    let listed = names.clone();
    let list = on(&["es:ListDomainNames"], move |r: &Request| {
        let domains: Vec<Value> = if r.region == "ap-southeast-2" {
            listed
                .iter()
                .map(|n| json!({"DomainName": n, "EngineType": "OpenSearch"}))
                .collect()
        } else {
            Vec::new()
        };
        rest_json(json!({"DomainNames": domains}))
    });
    let a1 = account.clone();
    let describe = on(&["es:DescribeDomains"], move |r: &Request| {
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let asked: Vec<&str> = body["DomainNames"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert!(
            asked.len() <= 5,
            "DescribeDomains takes at most 5 names: {asked:?}"
        );
        let statuses: Vec<Value> = asked.iter().map(|n| domain_status(&a1, n, &key)).collect();
        rest_json(json!({"DomainStatusList": statuses}))
    });
    let a2 = account.clone();
    let connections = on(&["es:DescribeOutboundConnections"], move |r: &Request| {
        if r.region != "ap-southeast-2" {
            return rest_json(json!({"Connections": [], "NextToken": null}));
        }
        match r.param("NextToken").as_deref() {
            None => rest_json(json!({
                "Connections": [opensearch_connection(&a2, "ap-southeast-2", "catalogue-1", "catalogue-eu", "eu-west-1", "ACTIVE")],
                "NextToken": "connections-page-2",
            })),
            Some("connections-page-2") => rest_json(json!({
                "Connections": [
                    opensearch_connection(&a2, "ap-southeast-2", "catalogue-6", "catalogue-mel", "ap-southeast-4", "ACTIVE"),
                    opensearch_connection(&a2, "ap-southeast-2", "catalogue-2", "catalogue-us", "us-east-1", "DELETED"),
                ],
                "NextToken": null,
            })),
            Some(other) => panic!("unexpected DescribeOutboundConnections NextToken {other}"),
        }
    });
    let tags = on(&["es:ListTags"], move |r: &Request| {
        let arn = r.param("arn").unwrap_or_default();
        if arn.contains(":domain/catalogue-") {
            rest_json(json!({"TagList": []}))
        } else {
            Reply::Forward
        }
    });
    vec![list, describe, connections, tags]
}

/// `sqs:ListQueues` in ap-southeast-2 in two pages (`NextToken` on page 1, which AWS
/// sends only when the request sets `MaxResults`, as the collector does): the URLs of
/// `orders` on page 1 and `jobs` on page 2, in the documented form
/// `https://sqs.<region>.amazonaws.com/<account>/<name>` (awsJson 1.0, the ListQueues
/// reference). Their attributes still come from moto. Elsewhere no queues.
pub fn queues_in_two_pages(account: &str) -> Rule {
    let account = account.to_string();
    on(&["sqs:ListQueues"], move |r: &Request| {
        let url = |name: &str| format!("https://sqs.ap-southeast-2.amazonaws.com/{account}/{name}");
        if r.region != "ap-southeast-2" {
            return aws_json_10(json!({"QueueUrls": []}));
        }
        assert_eq!(
            r.param("MaxResults").as_deref(),
            Some("1000"),
            "without MaxResults AWS sends no NextToken"
        );
        match r.param("NextToken").as_deref() {
            None => {
                aws_json_10(json!({"QueueUrls": [url("orders")], "NextToken": "queues-page-2"}))
            }
            Some("queues-page-2") => aws_json_10(json!({"QueueUrls": [url("jobs")]})),
            Some(other) => panic!("unexpected ListQueues NextToken {other}"),
        }
    })
}

/// `sns:ListTopics` in ap-southeast-2 in two pages (query XML, `NextToken` on page 1, the
/// ListTopics reference): `alerts` on page 1, `events` on page 2. Their attributes still
/// come from moto. Elsewhere no topics.
pub fn topics_in_two_pages(alerts: &str, events: &str) -> Rule {
    let (alerts, events) = (alerts.to_string(), events.to_string());
    on(&["sns:ListTopics"], move |r: &Request| {
        let page = |arn: Option<&str>, next: Option<&str>| {
            let members = arn.map_or_else(String::new, |a| {
                format!("<member><TopicArn>{a}</TopicArn></member>")
            });
            let next = next.map_or_else(String::new, |n| format!("<NextToken>{n}</NextToken>"));
            query_xml(
                "sns",
                "ListTopics",
                &format!("<Topics>{members}</Topics>{next}"),
            )
        };
        if r.region != "ap-southeast-2" {
            return page(None, None);
        }
        match r.param("NextToken").as_deref() {
            None => page(Some(&alerts), Some("topics-page-2")),
            Some("topics-page-2") => page(Some(&events), None),
            Some(other) => panic!("unexpected ListTopics NextToken {other}"),
        }
    })
}

/// `ecr:DescribeRepositories` in ap-southeast-2 in two pages (`nextToken` on page 1),
/// each repository as the `Repository` data type reference shows it: `app/api` (KMS with
/// `key`) on page 1, `tools` (AES256) on page 2. Policies and the registry still come
/// from moto. Elsewhere no repositories.
pub fn repositories_in_two_pages(account: &str, key: &str) -> Rule {
    let (account, key) = (account.to_string(), key.to_string());
    on(&["ecr:DescribeRepositories"], move |r: &Request| {
        let repository = |name: &str, encryption: Value| {
            json!({
                "repositoryArn": format!("arn:aws:ecr:ap-southeast-2:{account}:repository/{name}"),
                "registryId": account,
                "repositoryName": name,
                "repositoryUri": format!("{account}.dkr.ecr.ap-southeast-2.amazonaws.com/{name}"),
                "createdAt": epoch(24),
                "imageTagMutability": "IMMUTABLE",
                "imageScanningConfiguration": {"scanOnPush": true},
                "encryptionConfiguration": encryption,
            })
        };
        if r.region != "ap-southeast-2" {
            return aws_json(json!({"repositories": []}));
        }
        match r.param("nextToken").as_deref() {
            None => aws_json(json!({
                "repositories": [repository("app/api", json!({"encryptionType": "KMS", "kmsKey": key}))],
                "nextToken": "repositories-page-2",
            })),
            Some("repositories-page-2") => aws_json(json!({
                "repositories": [repository("tools", json!({"encryptionType": "AES256"}))],
            })),
            Some(other) => panic!("unexpected DescribeRepositories nextToken {other}"),
        }
    })
}

/// `kinesis:ListStreams` in ap-southeast-2 in two pages (`HasMoreStreams` and `NextToken`
/// on page 1, the ListStreams reference), each stream as a `StreamSummary`: `clicks` on
/// page 1, `audit` on page 2. Their summaries still come from moto. Elsewhere no streams.
pub fn streams_in_two_pages(account: &str) -> Rule {
    let account = account.to_string();
    on(&["kinesis:ListStreams"], move |r: &Request| {
        let summary = |name: &str| {
            json!({
                "StreamName": name,
                "StreamARN": format!("arn:aws:kinesis:ap-southeast-2:{account}:stream/{name}"),
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "StreamCreationTimestamp": epoch(24),
            })
        };
        if r.region != "ap-southeast-2" {
            return aws_json(
                json!({"StreamNames": [], "HasMoreStreams": false, "StreamSummaries": []}),
            );
        }
        match r.param("NextToken").as_deref() {
            None => aws_json(json!({
                "StreamNames": ["clicks"],
                "HasMoreStreams": true,
                "NextToken": "streams-page-2",
                "StreamSummaries": [summary("clicks")],
            })),
            Some("streams-page-2") => aws_json(json!({
                "StreamNames": ["audit"],
                "HasMoreStreams": false,
                "StreamSummaries": [summary("audit")],
            })),
            Some(other) => panic!("unexpected ListStreams NextToken {other}"),
        }
    })
}

/// `lambda:ListFunctions` in ap-southeast-2 in two pages (restJson, `NextMarker` on page 1
/// sent back as `Marker`), each function as the `FunctionConfiguration` data type shows
/// it: `api` (variables, `KMSKeyArn` `key`) on page 1, `legacy` (a variable, no key) on
/// page 2. Elsewhere no functions.
pub fn functions_in_two_pages(account: &str, key: &str) -> Rule {
    let (account, key) = (account.to_string(), key.to_string());
    on(&["lambda:ListFunctions"], move |r: &Request| {
        let function = |name: &str, kms: Option<&str>, variables: Value| {
            let mut f = json!({
                "FunctionName": name,
                "FunctionArn": format!("arn:aws:lambda:ap-southeast-2:{account}:function:{name}"),
                "Runtime": "python3.12",
                "Role": format!("arn:aws:iam::{account}:role/lambda-exec"),
                "Handler": "handler.handler",
                "CodeSize": 311,
                "Timeout": 3,
                "MemorySize": 128,
                "LastModified": "2026-11-02T04:12:33.102+0000",
                "Version": "$LATEST",
                "PackageType": "Zip",
                "Environment": {"Variables": variables},
            });
            if let Some(k) = kms {
                f["KMSKeyArn"] = json!(k);
            }
            f
        };
        if r.region != "ap-southeast-2" {
            return rest_json(json!({"Functions": []}));
        }
        match r.param("Marker").as_deref() {
            None => rest_json(json!({
                "Functions": [function("api", Some(&key), json!({"DB_HOST": "db.internal"}))],
                "NextMarker": "functions-page-2",
            })),
            Some("functions-page-2") => rest_json(json!({
                "Functions": [function("legacy", None, json!({"API_TOKEN": "recorded-not-a-real-token"}))],
            })),
            Some(other) => panic!("unexpected ListFunctions Marker {other}"),
        }
    })
}

/// The full scenario's `api` function with the `KMSKeyArn` its seed set: moto keeps the
/// key but leaves it out of `lambda:ListFunctions`, where AWS returns it ("KMSKeyArn: The
/// ARN of the Key Management Service (KMS) customer managed key that's used to encrypt
/// the function's environment variables", the `FunctionConfiguration` data type). moto's
/// answer is kept with the key added to that function.
pub fn function_keys(full: Option<&Value>) -> Rule {
    let key = full.map(|f| s(f, "cmk"));
    Box::new(move |r: &Request| {
        let key = key.clone()?;
        (r.operation == "lambda:ListFunctions" && r.region == "ap-southeast-2").then(|| {
            Reply::Rewrite(Box::new(move |mut response: Response| {
                if let Ok(mut body) = serde_json::from_slice::<Value>(&response.body) {
                    if let Some(functions) = body["Functions"].as_array_mut() {
                        for f in functions.iter_mut().filter(|f| f["FunctionName"] == "api") {
                            f["KMSKeyArn"] = json!(key);
                        }
                    }
                    response.body = body.to_string().into_bytes();
                }
                response
            }))
        })
    })
}

/// One DB instance `orders-db` in ap-southeast-2 (created 30 days ago, restorable to five
/// minutes ago), as the DBInstance data type shows it, and its automated backups as
/// `DescribeDBInstanceAutomatedBackups` returns them: the instance's own (same
/// `DbiResourceId`, restorable from ten days ago) and a retained one of an earlier
/// instance of the same name (another resource id, restorable from 40 days ago), which is
/// not this instance's window. Moto gives automated backups no `RestoreWindow`.
pub fn instance_with_restore_window(account: &str) -> Rule {
    let account = account.to_string();
    let at = |hours: i64| {
        (Utc::now() - Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    let (created, earliest, retained, latest) = (at(30 * 24), at(10 * 24), at(40 * 24), {
        (Utc::now() - Duration::minutes(5))
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    });
    on(
        &[
            "rds:DescribeDBInstances",
            "rds:DescribeDBInstanceAutomatedBackups",
        ],
        move |r: &Request| {
            if r.region != "ap-southeast-2" {
                let (op, list) = if r.operation == "rds:DescribeDBInstances" {
                    ("DescribeDBInstances", "<DBInstances/>")
                } else {
                    (
                        "DescribeDBInstanceAutomatedBackups",
                        "<DBInstanceAutomatedBackups/>",
                    )
                };
                return query_xml("rds", op, list);
            }
            if r.operation == "rds:DescribeDBInstances" {
                return query_xml(
                    "rds",
                    "DescribeDBInstances",
                    &format!(
                        "<DBInstances><DBInstance>\
                           <DBInstanceIdentifier>orders-db</DBInstanceIdentifier>\
                           <DBInstanceArn>arn:aws:rds:ap-southeast-2:{account}:db:orders-db</DBInstanceArn>\
                           <DbiResourceId>db-ORDERS2NEWRESOURCEID000001</DbiResourceId>\
                           <DBInstanceClass>db.r6g.large</DBInstanceClass><Engine>postgres</Engine>\
                           <DBInstanceStatus>available</DBInstanceStatus>\
                           <InstanceCreateTime>{created}</InstanceCreateTime>\
                           <LatestRestorableTime>{latest}</LatestRestorableTime>\
                           <StorageEncrypted>false</StorageEncrypted>\
                           <BackupRetentionPeriod>14</BackupRetentionPeriod>\
                           <PubliclyAccessible>false</PubliclyAccessible><MultiAZ>false</MultiAZ>\
                           <DeletionProtection>true</DeletionProtection>\
                           <ReadReplicaDBInstanceIdentifiers/><ReadReplicaDBClusterIdentifiers/>\
                           <TagList/>\
                         </DBInstance></DBInstances>"
                    ),
                );
            }
            let backup = |resource_id: &str, earliest: &str, status: &str| {
                format!(
                    "<DBInstanceAutomatedBackup>\
                       <DBInstanceArn>arn:aws:rds:ap-southeast-2:{account}:db:orders-db</DBInstanceArn>\
                       <DbiResourceId>{resource_id}</DbiResourceId><Region>ap-southeast-2</Region>\
                       <DBInstanceIdentifier>orders-db</DBInstanceIdentifier>\
                       <RestoreWindow><EarliestTime>{earliest}</EarliestTime><LatestTime>{latest}</LatestTime></RestoreWindow>\
                       <Status>{status}</Status><Engine>postgres</Engine><BackupRetentionPeriod>14</BackupRetentionPeriod>\
                       <DBInstanceAutomatedBackupsArn>arn:aws:rds:ap-southeast-2:{account}:auto-backup:ab-{}</DBInstanceAutomatedBackupsArn>\
                     </DBInstanceAutomatedBackup>",
                    resource_id.to_lowercase()
                )
            };
            query_xml(
                "rds",
                "DescribeDBInstanceAutomatedBackups",
                &format!(
                    "<DBInstanceAutomatedBackups>{}{}</DBInstanceAutomatedBackups>",
                    backup("db-ORDERS2NEWRESOURCEID000001", &earliest, "active"),
                    backup("db-ORDERS1OLDRESOURCEID000001", &retained, "retained"),
                ),
            )
        },
    )
}

/// The `main` vault's recovery points (see [`recovery_points`]) plus a weekly RDS point of
/// 40 days ago whose lifecycle moved it to cold storage after 7 days, and
/// `DescribeRecoveryPoint` for it as the API reference shows it (`StorageClass` `COLD`;
/// moto implements neither the tier nor the call).
pub fn recovery_point_in_cold_storage(f: &Value) -> Vec<Rule> {
    let account = s(f, "account");
    let arn = format!(
        "arn:aws:rds:ap-southeast-2:{account}:snapshot:awsbackup:job-0c01d000-1111-4222-8333-444455556666"
    );
    let mut cold = recovery_points(f)[0].clone();
    cold["RecoveryPointArn"] = json!(arn);
    cold["CreationDate"] = json!(epoch(40 * 24));
    cold["CompletionDate"] = json!(epoch(40 * 24 - 1));
    cold["Lifecycle"] = json!({"MoveToColdStorageAfterDays": 7, "DeleteAfterDays": 365});
    cold["CalculatedLifecycle"] =
        json!({"MoveToColdStorageAt": epoch(33 * 24), "DeleteAt": epoch(40 * 24 - 365 * 24)});
    let f1 = f.clone();
    let listed = cold.clone();
    // Only the `main` vault's listing: the other vaults are left to the next rule.
    let list: Rule = Box::new(move |r: &Request| {
        let vault = r.segments().get(1).cloned().unwrap_or_default();
        if r.operation != "backup:ListRecoveryPointsByBackupVault"
            || vault != "main"
            || r.region != "ap-southeast-2"
        {
            return None;
        }
        let mut points = recovery_points(&f1);
        if let Some(list) = points.as_array_mut() {
            list.push(listed.clone());
        }
        Some(rest_json(
            json!({"RecoveryPoints": points, "NextToken": null}),
        ))
    });
    let describe = on(&["backup:DescribeRecoveryPoint"], move |_r: &Request| {
        let mut point = cold.clone();
        point["StorageClass"] = json!("COLD");
        rest_json(point)
    });
    vec![list, describe]
}
