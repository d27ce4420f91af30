//! The replay rules of the bundled sample's estate (`samples/flightdeck/seed.py`): what
//! the three Flightdeck accounts would answer on AWS where moto cannot, served through
//! the [`proxy`](super::proxy) in AWS's documented wire format from the `replay` section
//! the seed script prints.
//!
//! Several accounts go through one proxy, so the rules learn which account a request is
//! for: each `sts:AssumeRole` answer hands out an access key for the role's account, and
//! every later request is signed with it ([`Accounts`]).
//!
//! Replayed: the organisation's account list, opted-in regions, the credential report's
//! root row, AWS-managed KMS keys (moto makes them customer keys and has no
//! `alias/aws/backup`), the EBS default key and the keys of EBS snapshots and S3 replicas
//! (moto drops them), the start times of the six-hourly EBS snapshots, a database snapshot copied across accounts, Backup selections,
//! recovery points with their storage tier and vault counts, the production databases'
//! creation times, resource ids and restore windows, CloudTrail console sign-ins, and the sample's two
//! AccessDenied (one bucket's encryption, one vault's recovery points). Where moto answers
//! in a shape AWS never uses (`MaxPasswordAge` 0 for passwords that do not expire, a
//! recorder status `PENDING`), the answer is corrected. Times are given in hours before
//! the scan.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::proxy::{Reply, Request, Response, Rule, aws_error, on, xml_elements};
use super::recorded::{
    aws_json, ec2_xml, efs_replication, epoch_at, lookup_events_page, opensearch_connection,
    query_xml, rest_json, signin_event_at, sso_signin_event,
};

/// The account moto maps the scan's base credentials to: the organisation's management
/// account, which lists the members and assumes the audit role in each.
pub const MANAGEMENT_ACCOUNT: &str = "123456789012";

/// Which account each access key handed out by `sts:AssumeRole` belongs to.
#[derive(Clone, Default)]
pub struct Accounts(Arc<Mutex<BTreeMap<String, String>>>);

impl Accounts {
    /// Learns the access key of every role assumed through the proxy (moto's answer is
    /// passed on unchanged).
    pub fn learn(&self) -> Rule {
        let keys = self.0.clone();
        on(&["sts:AssumeRole"], move |r: &Request| {
            let account = r
                .param("RoleArn")
                .and_then(|arn| arn.split(':').nth(4).map(str::to_string))
                .unwrap_or_default();
            let keys = keys.clone();
            Reply::Rewrite(Box::new(move |response: Response| {
                let text = response.text();
                if let (Some((start, end)), Ok(mut keys)) =
                    (xml_elements(&text, "AccessKeyId").first(), keys.lock())
                {
                    keys.insert(text[*start..*end].to_string(), account);
                }
                response
            }))
        })
    }

    /// The account a request is signed for, if it uses an assumed role's key.
    pub fn of(&self, r: &Request) -> Option<String> {
        let key = r
            .header("authorization")?
            .split("Credential=")
            .nth(1)?
            .split('/')
            .next()?
            .to_string();
        self.0.lock().ok()?.get(&key).cloned()
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("the seed's replay section has no `{key}`: {v}"))
}

/// The array at `key` (empty when absent).
fn array(v: &Value, key: &str) -> Vec<Value> {
    v[key].as_array().cloned().unwrap_or_default()
}

/// Whether a replay entry is for `account` in `region`.
fn is_in(v: &Value, account: &str, region: &str) -> bool {
    text(v, "account") == account && text(v, "region") == region
}

/// Forwards to moto and changes its JSON answer.
fn rewrite_json(change: impl FnOnce(&mut Value) + Send + 'static) -> Reply {
    Reply::Rewrite(Box::new(move |mut response: Response| {
        if let Ok(mut body) = serde_json::from_slice::<Value>(&response.body) {
            change(&mut body);
            response.body = body.to_string().into_bytes();
        }
        response
    }))
}

fn hours_ago(v: &Value) -> chrono::DateTime<Utc> {
    let hours = v["hours_ago"]
        .as_f64()
        .unwrap_or_else(|| panic!("no `hours_ago` in {v}"));
    Utc::now() - Duration::seconds((hours * 3600.0) as i64)
}

/// Every replay rule for the estate, given the seed script's output. The first rule
/// learns the accounts; keep it first.
pub fn rules(seed: &Value) -> Vec<Rule> {
    let replay = seed["replay"].clone();
    let accounts = Accounts::default();
    vec![
        accounts.learn(),
        organisation(&replay),
        opted_in_regions(&replay, &accounts),
        root_rows(&replay, &accounts),
        password_expiry(),
        recorder_status(),
        aws_managed_keys(&replay, &accounts),
        multi_region_key_types(),
        ebs_default_keys(&replay, &accounts),
        snapshot_keys(&replay),
        image_dates_and_encryption(&replay),
        copied_db_snapshots(&replay, &accounts),
        replica_keys(&replay),
        vault_counts(&replay, &accounts),
        denied_bucket(&replay),
        site_backup_times(&replay),
        selections(&replay),
        recovery_points(&replay, &accounts),
        identity_center_signins(&replay, &accounts),
        recovery_point_tiers(&replay, &accounts),
        database_times(&replay, &accounts),
        automated_backups(&replay, &accounts),
        signins(&replay, &accounts),
        dynamodb_replicas(&replay, &accounts),
        efs_replications(&replay, &accounts),
        opensearch_connections(&replay, &accounts),
        redshift_snapshot_keys(&replay),
        config_inventory(&replay, &accounts),
        identity_center_instance(&replay, &accounts),
        provisioned_accounts(&replay),
        group_directory_ids(&replay),
        permissions_boundaries(),
        restore_testing_plans(&replay, &accounts),
        restore_testing_plan(&replay, &accounts),
        restore_jobs(&replay, &accounts),
    ]
}

/// `organizations:ListAccounts` for the management account: the three Flightdeck accounts.
fn organisation(replay: &Value) -> Rule {
    let ids: Vec<String> = replay["organisation"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    on(&["organizations:ListAccounts"], move |_| {
        let joined = epoch_at(Utc::now() - Duration::days(2000));
        let accounts: Vec<Value> = ids
            .iter()
            .map(|id| {
                json!({
                    "Id": id,
                    "Arn": format!("arn:aws:organizations::{MANAGEMENT_ACCOUNT}:account/o-fl1ghtd3ck/{id}"),
                    "Email": format!("aws+{id}@flightdeck.example"),
                    "Name": format!("flightdeck-{id}"),
                    "Status": "ACTIVE",
                    "JoinedMethod": "CREATED",
                    "JoinedTimestamp": joined,
                })
            })
            .collect();
        aws_json(json!({"Accounts": accounts}))
    })
}

/// `ec2:DescribeRegions` as the account sees it: moto lists every opt-in region as
/// `not-opted-in`; the regions each account opted in to say `opted-in`.
fn opted_in_regions(replay: &Value, accounts: &Accounts) -> Rule {
    let opted_in = replay["opted_in"].clone();
    let accounts = accounts.clone();
    on(&["ec2:DescribeRegions"], move |r: &Request| {
        let regions: Vec<String> = accounts
            .of(r)
            .and_then(|a| opted_in[a].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let mut body = response.text();
            for region in &regions {
                let name = format!("<regionName>{region}</regionName>");
                let item = xml_elements(&body, "item")
                    .into_iter()
                    .find(|&(start, end)| body[start..end].contains(&name));
                let Some((start, end)) = item else { continue };
                let Some(&(from, to)) = xml_elements(&body[start..end], "optInStatus").first()
                else {
                    continue;
                };
                body.replace_range(start + from..start + to, "opted-in");
            }
            response.body = body.into_bytes();
            response
        }))
    })
}

/// `iam:GetCredentialReport` with the `<root_account>` row AWS puts first (moto has none):
/// the root user's MFA and access keys per account.
fn root_rows(replay: &Value, accounts: &Accounts) -> Rule {
    let root = replay["root"].clone();
    let accounts = accounts.clone();
    on(&["iam:GetCredentialReport"], move |r: &Request| {
        let Some(account) = accounts.of(r) else {
            return Reply::Forward;
        };
        let facts = &root[&account];
        let (mfa, keys) = (facts["mfa"] == true, facts["keys"] == true);
        let row = format!(
            "<root_account>,arn:aws:iam::{account}:root,2019-07-30T03:50:00+00:00,not_supported,2026-02-03T22:10:41+00:00,not_supported,not_supported,{mfa},{keys},{},N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
            if keys {
                "2019-07-30T03:55:00+00:00"
            } else {
                "N/A"
            }
        );
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let body = response.text();
            let Some(&(start, end)) = xml_elements(&body, "Content").first() else {
                return response;
            };
            let Ok(csv) = STANDARD.decode(body[start..end].trim()) else {
                return response;
            };
            let csv = String::from_utf8_lossy(&csv);
            let (header, users) = csv.split_once('\n').unwrap_or((&csv, ""));
            let content = STANDARD.encode(format!("{header}\n{row}\n{users}"));
            response.body = format!("{}{content}{}", &body[..start], &body[end..]).into_bytes();
            response
        }))
    })
}

/// `iam:GetAccountPasswordPolicy` without moto's `<MaxPasswordAge>0</MaxPasswordAge>` when
/// passwords do not expire: AWS leaves the element out.
fn password_expiry() -> Rule {
    on(&["iam:GetAccountPasswordPolicy"], |_| {
        Reply::Rewrite(Box::new(|mut response: Response| {
            let body = response.text();
            if body.contains("<ExpirePasswords>false</ExpirePasswords>") {
                response.body = body
                    .replacen("<MaxPasswordAge>0</MaxPasswordAge>", "", 1)
                    .into_bytes();
            }
            response
        }))
    })
}

/// `config:DescribeConfigurationRecorderStatus` with `lastStatus` as AWS spells it
/// (`Success` once a recording recorder has delivered); moto says `PENDING` forever.
fn recorder_status() -> Rule {
    on(&["config:DescribeConfigurationRecorderStatus"], |_| {
        rewrite_json(|body: &mut Value| {
            for status in body["ConfigurationRecordersStatus"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                if status["lastStatus"] == "PENDING" {
                    status["lastStatus"] = json!("Success");
                }
            }
        })
    })
}

/// The keys AWS creates for its services (`alias/aws/s3`, ...): moto makes them customer
/// keys without rotation and has no `alias/aws/backup`. Their `DescribeKey` says
/// `KeyManager: AWS` with AWS's description, rotation is on (AWS rotates them yearly), and
/// `ListAliases` names them.
fn aws_managed_keys(replay: &Value, accounts: &Accounts) -> Rule {
    let keys = replay["aws_managed_keys"].clone();
    let accounts = accounts.clone();
    Box::new(move |r: &Request| {
        let managed = |id: &str| {
            let id = id.rsplit('/').next().unwrap_or(id);
            keys.get(id).cloned()
        };
        match r.operation.as_str() {
            "kms:DescribeKey" => {
                let key = managed(&r.param("KeyId")?)?;
                let description = match text(&key, "service") {
                    "s3" => "Default key that protects my S3 objects when no other key is defined",
                    "ebs" => {
                        "Default key that protects my EBS volumes when no other key is defined"
                    }
                    "rds" => {
                        "Default key that protects my RDS database volumes when no other key is defined"
                    }
                    _ => "Default key that protects my backups when no other key is defined",
                };
                Some(rewrite_json(move |body: &mut Value| {
                    body["KeyMetadata"]["KeyManager"] = json!("AWS");
                    body["KeyMetadata"]["Description"] = json!(description);
                }))
            }
            "kms:GetKeyRotationStatus" => {
                managed(&r.param("KeyId")?)?;
                Some(rewrite_json(|body: &mut Value| {
                    body["KeyRotationEnabled"] = json!(true);
                    body["RotationPeriodInDays"] = json!(365);
                }))
            }
            "kms:ListAliases" => {
                let account = accounts.of(r)?;
                let region = r.region.clone();
                let mine: Vec<(String, String)> = keys
                    .as_object()?
                    .iter()
                    .filter(|(_, k)| is_in(k, &account, &region))
                    .map(|(id, k)| (id.clone(), text(k, "service").to_string()))
                    .collect();
                Some(rewrite_json(move |body: &mut Value| {
                    let Some(aliases) = body["Aliases"].as_array_mut() else {
                        return;
                    };
                    for (id, service) in mine {
                        let name = format!("alias/aws/{service}");
                        aliases.retain(|a| a["AliasName"] != name.as_str());
                        aliases.push(json!({
                            "AliasName": name,
                            "AliasArn": format!("arn:aws:kms:{region}:{account}:{name}"),
                            "TargetKeyId": id,
                        }));
                    }
                }))
            }
            _ => None,
        }
    })
}

/// `kms:DescribeKey` of a multi-Region key names it `PRIMARY` or `REPLICA` by what the key
/// is ("MultiRegionKeyType: Indicates whether the KMS key is a PRIMARY or REPLICA key",
/// https://docs.aws.amazon.com/kms/latest/APIReference/API_MultiRegionConfiguration.html):
/// the key whose ARN is the configuration's `PrimaryKey` is the primary. moto shares one
/// configuration between a primary and its replicas and rewrites it to `REPLICA` when the
/// replica is described, so the primary's answer depended on which region was read first.
fn multi_region_key_types() -> Rule {
    on(&["kms:DescribeKey"], |_| {
        rewrite_json(|body: &mut Value| {
            let metadata = &mut body["KeyMetadata"];
            let arn = metadata["Arn"].clone();
            let config = &mut metadata["MultiRegionConfiguration"];
            if config.is_object() && config["PrimaryKey"]["Arn"].is_string() {
                let role = if config["PrimaryKey"]["Arn"] == arn {
                    "PRIMARY"
                } else {
                    "REPLICA"
                };
                config["MultiRegionKeyType"] = json!(role);
            }
        })
    })
}

/// `ec2:GetEbsDefaultKmsKeyId`: moto accepts `ModifyEbsDefaultKmsKeyId` but cannot answer
/// this; the key the seed set, else AWS's default `alias/aws/ebs`.
fn ebs_default_keys(replay: &Value, accounts: &Accounts) -> Rule {
    let keys = replay["ebs_default_keys"].clone();
    let accounts = accounts.clone();
    on(&["ec2:GetEbsDefaultKmsKeyId"], move |r: &Request| {
        let key = accounts
            .of(r)
            .and_then(|a| {
                keys[format!("{a}/{}", r.region)]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "alias/aws/ebs".to_string());
        ec2_xml(
            "GetEbsDefaultKmsKeyId",
            &format!("    <kmsKeyId>{key}</kmsKeyId>"),
        )
    })
}

/// `ec2:DescribeSnapshots` with each encrypted snapshot's `kmsKeyId`, its volume's key
/// (moto says `encrypted` but omits the key), and the start times of the six-hourly
/// series (moto stamps `startTime` with the time of `CreateSnapshot`).
fn snapshot_keys(replay: &Value) -> Rule {
    let keys = replay["volume_keys"].clone();
    let images = replay["image_snapshots"].clone();
    let times = replay["snapshot_times"].clone();
    on(&["ec2:DescribeSnapshots"], move |_| {
        let (keys, images, times) = (keys.clone(), images.clone(), times.clone());
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let body = snapshot_start_times(&response.text(), &times);
            let mut out = String::new();
            let mut copied = 0;
            for (start, end) in xml_elements(&body, "encrypted") {
                let before = &body[copied..start];
                let volume = xml_elements(before, "volumeId")
                    .last()
                    .map(|&(a, b)| before[a..b].to_string());
                let after = end + "</encrypted>".len();
                // The snapshots behind an image: encrypted with the image's key, as AWS
                // makes them from encrypted volumes (moto makes them unencrypted).
                let image_key = xml_elements(before, "snapshotId")
                    .last()
                    .and_then(|&(a, b)| images[&before[a..b]].as_str());
                if let Some(key) = image_key {
                    out.push_str(&body[copied..start]);
                    out.push_str(&format!("true</encrypted><kmsKeyId>{key}</kmsKeyId>"));
                    copied = after;
                    continue;
                }
                let key = volume.and_then(|v| keys[v].as_str().map(str::to_string));
                out.push_str(&body[copied..after]);
                copied = after;
                let encrypted = &body[start..end] == "true";
                if let Some(key) =
                    key.filter(|_| encrypted && !body[after..].starts_with("<kmsKeyId>"))
                {
                    out.push_str(&format!("<kmsKeyId>{key}</kmsKeyId>"));
                }
            }
            out.push_str(&body[copied..]);
            response.body = out.into_bytes();
            response
        }))
    })
}

/// `body` with the `startTime` of each snapshot named in `times` set to its hours before
/// now, in EC2's format (`2026-11-28T16:58:00.000Z`; "StartTime: The time stamp when the
/// snapshot was initiated",
/// <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html>). In moto's
/// answer a snapshot's `snapshotId` comes before its `startTime`.
fn snapshot_start_times(body: &str, times: &Value) -> String {
    let ids = xml_elements(body, "snapshotId");
    let mut out = body.to_string();
    for (start, end) in xml_elements(body, "startTime").into_iter().rev() {
        let Some(id) = ids
            .iter()
            .rev()
            .find(|(a, _)| *a < start)
            .map(|&(a, b)| &body[a..b])
        else {
            continue;
        };
        if let Some(hours) = times[id].as_f64() {
            let at = Utc::now() - Duration::seconds((hours * 3600.0) as i64);
            out.replace_range(start..end, &at.format("%Y-%m-%dT%H:%M:%S.000Z").to_string());
        }
    }
    out
}

/// `ec2:DescribeImages` with each image's creation date (moto stamps the seeding time)
/// and its EBS devices' `encrypted` and `kmsKeyId`, which moto leaves out and AWS always
/// returns for an EBS mapping
/// (<https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EbsBlockDevice.html>).
/// In moto's answer an image's `blockDeviceMapping` comes before its `imageId` and its
/// `creationDate` after it, so each device and date belongs to the nearest `imageId`.
fn image_dates_and_encryption(replay: &Value) -> Rule {
    let images = replay["images"].clone();
    on(&["ec2:DescribeImages"], move |_| {
        let images = images.clone();
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let body = response.text();
            let ids = xml_elements(&body, "imageId");
            let id_after = |at: usize| {
                ids.iter()
                    .find(|(start, _)| *start > at)
                    .map(|&(a, b)| &body[a..b])
            };
            let id_before = |at: usize| {
                ids.iter()
                    .rev()
                    .find(|(start, _)| *start < at)
                    .map(|&(a, b)| &body[a..b])
            };
            // (position, bytes replaced, text inserted), applied from the end.
            let mut edits: Vec<(usize, usize, String)> = Vec::new();
            let mut from = 0;
            while let Some(at) = body[from..].find("<ebs>").map(|i| from + i + "<ebs>".len()) {
                from = at;
                let Some(image) = id_after(at).map(|id| &images[id]) else {
                    continue;
                };
                if let Some(encrypted) = image["encrypted"].as_bool() {
                    let key = image["key"]
                        .as_str()
                        .map(|k| format!("<kmsKeyId>{k}</kmsKeyId>"))
                        .unwrap_or_default();
                    edits.push((at, 0, format!("<encrypted>{encrypted}</encrypted>{key}")));
                }
            }
            for (start, end) in xml_elements(&body, "creationDate") {
                let Some(image) = id_before(start).map(|id| &images[id]) else {
                    continue;
                };
                if image["hours_ago"].is_number() {
                    let date = hours_ago(image).format("%Y-%m-%dT%H:%M:%S.000Z");
                    edits.push((start, end - start, date.to_string()));
                }
            }
            edits.sort_by_key(|(at, _, _)| std::cmp::Reverse(*at));
            let mut out = body.clone();
            for (at, len, text) in edits {
                out.replace_range(at..at + len, &text);
            }
            response.body = out.into_bytes();
            response
        }))
    })
}

/// `rds:DescribeDBSnapshots` with the manual snapshots copied in from another account
/// (moto cannot copy across accounts), and their `DescribeDBSnapshotAttributes`: shared
/// with nobody.
fn copied_db_snapshots(replay: &Value, accounts: &Accounts) -> Rule {
    let snapshots = array(replay, "db_snapshots");
    let accounts = accounts.clone();
    Box::new(move |r: &Request| {
        let account = accounts.of(r)?;
        let here: Vec<&Value> = snapshots
            .iter()
            .filter(|s| is_in(s, &account, &r.region))
            .collect();
        match r.operation.as_str() {
            "rds:DescribeDBSnapshotAttributes" => {
                let id = r.param("DBSnapshotIdentifier")?;
                here.iter().find(|s| text(s, "id") == id)?;
                Some(query_xml(
                    "rds",
                    "DescribeDBSnapshotAttributes",
                    &format!(
                        "<DBSnapshotAttributesResult><DBSnapshotIdentifier>{id}</DBSnapshotIdentifier><DBSnapshotAttributes><DBSnapshotAttribute><AttributeName>restore</AttributeName><AttributeValues/></DBSnapshotAttribute></DBSnapshotAttributes></DBSnapshotAttributesResult>"
                    ),
                ))
            }
            "rds:DescribeDBSnapshots" if !here.is_empty() => {
                let items: String = here
                    .iter()
                    .map(|s| db_snapshot(s, &account, &r.region))
                    .collect();
                Some(Reply::Rewrite(Box::new(move |mut response: Response| {
                    let body = response.text();
                    let body = if body.contains("<DBSnapshots/>") {
                        body.replacen(
                            "<DBSnapshots/>",
                            &format!("<DBSnapshots>{items}</DBSnapshots>"),
                            1,
                        )
                    } else {
                        body.replacen("</DBSnapshots>", &format!("{items}</DBSnapshots>"), 1)
                    };
                    response.body = body.into_bytes();
                    response
                })))
            }
            _ => None,
        }
    })
}

/// One `<DBSnapshot>` as `DescribeDBSnapshots` returns it.
fn db_snapshot(s: &Value, account: &str, region: &str) -> String {
    let id = text(s, "id");
    let created = hours_ago(s).format("%Y-%m-%dT%H:%M:%S%.3fZ");
    format!(
        "<DBSnapshot><DBSnapshotIdentifier>{id}</DBSnapshotIdentifier><DBInstanceIdentifier>{}</DBInstanceIdentifier><SnapshotCreateTime>{created}</SnapshotCreateTime><Engine>{}</Engine><AllocatedStorage>{}</AllocatedStorage><Status>available</Status><EngineVersion>{}</EngineVersion><SnapshotType>manual</SnapshotType><Encrypted>true</Encrypted><KmsKeyId>{}</KmsKeyId><DBSnapshotArn>arn:aws:rds:{region}:{account}:snapshot:{id}</DBSnapshotArn><StorageType>gp3</StorageType></DBSnapshot>",
        text(s, "db"),
        text(s, "engine"),
        s["storage"],
        text(s, "version"),
        text(s, "key"),
    )
}

/// `s3:GetBucketReplication` with each destination's `EncryptionConfiguration` (moto
/// drops it): the KMS key replicas are encrypted with.
fn replica_keys(replay: &Value) -> Rule {
    let keys = replay["replica_keys"].clone();
    on(&["s3:GetBucketReplication"], move |_| {
        let keys = keys.clone();
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let mut body = response.text();
            for (bucket, key) in keys.as_object().into_iter().flatten() {
                let Some(key) = key.as_str() else { continue };
                let marker = format!("<Bucket>{bucket}</Bucket>");
                let Some(at) = body.find(&marker) else {
                    continue;
                };
                if let Some(end) = body[at..].find("</Destination>") {
                    let config = format!(
                        "<EncryptionConfiguration><ReplicaKmsKeyID>{key}</ReplicaKmsKeyID></EncryptionConfiguration>"
                    );
                    body.insert_str(at + end, &config);
                }
            }
            response.body = body.into_bytes();
            response
        }))
    })
}

/// `backup:ListBackupVaults` with each vault's `NumberOfRecoveryPoints`: moto counts none;
/// the replayed points, and the denied vault's count (its listing is readable, its points
/// are not).
fn vault_counts(replay: &Value, accounts: &Accounts) -> Rule {
    let points = array(replay, "recovery_points");
    let denied = replay["denied_vault"].clone();
    let accounts = accounts.clone();
    on(&["backup:ListBackupVaults"], move |r: &Request| {
        let account = accounts.of(r).unwrap_or_default();
        let region = r.region.clone();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for p in &points {
            if is_in(p, &account, &region) {
                *counts.entry(text(p, "vault").to_string()).or_default() += 1;
            }
        }
        if is_in(&denied, &account, &region) {
            counts.insert(
                text(&denied, "name").to_string(),
                denied["points"].as_u64().unwrap_or_default() as usize,
            );
        }
        rewrite_json(move |body: &mut Value| {
            for vault in body["BackupVaultList"].as_array_mut().into_iter().flatten() {
                let name = vault["BackupVaultName"].as_str().unwrap_or_default();
                vault["NumberOfRecoveryPoints"] = json!(counts.get(name).copied().unwrap_or(0));
            }
        })
    })
}

/// The bucket whose policy denies the audit role `s3:GetEncryptionConfiguration`.
fn denied_bucket(replay: &Value) -> Rule {
    let bucket = text(replay, "denied_bucket").to_string();
    on(&["s3:GetBucketEncryption"], move |r: &Request| {
        if r.bucket() != Some(bucket.as_str()) {
            return Reply::Forward;
        }
        Reply::Respond(aws_error(
            r,
            403,
            "AccessDenied",
            &format!(
                "User: arn:aws:sts::111122223333:assumed-role/assay-audit/assay-audit is not authorized to perform: s3:GetEncryptionConfiguration on resource: \"arn:aws:s3:::{bucket}\" with an explicit deny in a resource-based policy"
            ),
        ))
    })
}

/// `s3:ListObjectsV2` of Aeronet's site backups with the times they were written (moto
/// stamps LastModified with the time of the put): each `LastModified` set from the seed's
/// hours before the scan for the key it belongs to, in S3's format
/// (`2026-11-28T16:58:00.000Z`, the ListObjectsV2 API reference).
fn site_backup_times(replay: &Value) -> Rule {
    let bucket = text(&replay["site_backups"], "bucket").to_string();
    let written = replay["site_backups"]["written_hours_ago"].clone();
    on(&["s3:ListObjectsV2"], move |r: &Request| {
        if r.bucket() != Some(bucket.as_str()) {
            return Reply::Forward;
        }
        let written = written.clone();
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let body = response.text();
            let keys = xml_elements(&body, "Key");
            let mut edits: Vec<(usize, usize, String)> = Vec::new();
            for (start, end) in xml_elements(&body, "LastModified") {
                let Some(key) = keys
                    .iter()
                    .rev()
                    .find(|(k, _)| *k < start)
                    .map(|&(a, b)| &body[a..b])
                else {
                    continue;
                };
                if let Some(hours) = written[key].as_f64() {
                    let at = Utc::now() - Duration::seconds((hours * 3600.0) as i64);
                    edits.push((
                        start,
                        end - start,
                        at.format("%Y-%m-%dT%H:%M:%S.000Z").to_string(),
                    ));
                }
            }
            let mut out = body.clone();
            for (at, len, text) in edits.into_iter().rev() {
                out.replace_range(at..at + len, &text);
            }
            response.body = out.into_bytes();
            response
        }))
    })
}

/// `backup:ListBackupSelections` and `backup:GetBackupSelection` (moto implements
/// neither): one selection per plan, naming the resources it backs up.
fn selections(replay: &Value) -> Rule {
    let selections = array(replay, "selections");
    Box::new(move |r: &Request| {
        let segments = r.segments();
        let plan = segments.get(2)?;
        let mine = || {
            selections
                .iter()
                .filter(move |s| text(s, "plan_id") == plan.as_str())
        };
        let role = |s: &Value| {
            format!(
                "arn:aws:iam::{}:role/service-role/AWSBackupDefaultServiceRole",
                text(s, "account")
            )
        };
        let created = epoch_at(Utc::now() - Duration::days(400));
        match r.operation.as_str() {
            "backup:ListBackupSelections" => {
                let list: Vec<Value> = mine()
                    .map(|s| {
                        json!({
                            "SelectionId": text(s, "selection_id"),
                            "SelectionName": text(s, "name"),
                            "BackupPlanId": plan,
                            "CreationDate": created,
                            "IamRoleArn": role(s),
                        })
                    })
                    .collect();
                Some(rest_json(json!({"BackupSelectionsList": list})))
            }
            "backup:GetBackupSelection" => {
                let id = segments.get(4)?;
                let s = mine().find(|s| text(s, "selection_id") == id.as_str())?;
                Some(rest_json(json!({
                    "BackupPlanId": plan,
                    "SelectionId": id,
                    "CreationDate": created,
                    "BackupSelection": {
                        "SelectionName": text(s, "name"),
                        "IamRoleArn": role(s),
                        "Resources": s["resources"],
                        "NotResources": [],
                        "ListOfTags": [],
                        "Conditions": {"StringEquals": [], "StringLike": [], "StringNotEquals": [], "StringNotLike": []}
                    }
                })))
            }
            _ => None,
        }
    })
}

/// `backup:ListRecoveryPointsByBackupVault` (moto implements no recovery points): the
/// seed's points of the vault, and AccessDenied for the vault the audit role may not read.
fn recovery_points(replay: &Value, accounts: &Accounts) -> Rule {
    let points = array(replay, "recovery_points");
    let denied = replay["denied_vault"].clone();
    let accounts = accounts.clone();
    on(
        &["backup:ListRecoveryPointsByBackupVault"],
        move |r: &Request| {
            let vault = r.segments().get(1).cloned().unwrap_or_default();
            let account = accounts.of(r).unwrap_or_default();
            if is_in(&denied, &account, &r.region) && text(&denied, "name") == vault {
                let arn = format!("arn:aws:backup:{}:{account}:backup-vault:{vault}", r.region);
                return Reply::Respond(aws_error(
                    r,
                    403,
                    "AccessDeniedException",
                    &format!(
                        "User: arn:aws:sts::{account}:assumed-role/assay-audit/assay-audit is not authorized to perform: backup:ListRecoveryPointsByBackupVault on resource: {arn} because no identity-based policy allows the backup:ListRecoveryPointsByBackupVault action"
                    ),
                ));
            }
            let list: Vec<Value> = points
                .iter()
                .filter(|p| is_in(p, &account, &r.region) && text(p, "vault") == vault)
                .map(recovery_point)
                .collect();
            rest_json(json!({"RecoveryPoints": list}))
        },
    )
}

/// `backup:DescribeRecoveryPoint` (moto does not implement it), asked for the points due in
/// cold storage: each point of the replay with its `StorageClass`. RDS and Aurora points
/// stay `WARM` whatever their lifecycle says, as AWS Backup does not move them to cold
/// storage ("Cold storage" in the feature availability by resource table of the AWS
/// Backup developer guide); the other types are `COLD` once due.
fn recovery_point_tiers(replay: &Value, accounts: &Accounts) -> Rule {
    let points = array(replay, "recovery_points");
    let accounts = accounts.clone();
    on(&["backup:DescribeRecoveryPoint"], move |r: &Request| {
        let account = accounts.of(r).unwrap_or_default();
        let segments = r.segments();
        let arn = segments.get(3).cloned().unwrap_or_default();
        let Some(p) = points
            .iter()
            .find(|p| is_in(p, &account, &r.region) && text(p, "arn") == arn)
        else {
            let message = format!("Recovery point {arn} not found");
            return Reply::Respond(aws_error(r, 404, "ResourceNotFoundException", &message));
        };
        let mut point = recovery_point(p);
        point["StorageClass"] = json!(if text(p, "source_type") == "RDS" {
            "WARM"
        } else {
            "COLD"
        });
        rest_json(point)
    })
}

/// `rds:DescribeDBInstances` with the production databases' creation times (moto stamps
/// the seeding time) and a `DbiResourceId` of each one's own (moto gives every instance
/// the same), set on the `<DBInstance>` of each by its identifier.
fn database_times(replay: &Value, accounts: &Accounts) -> Rule {
    let databases = array(replay, "databases");
    let accounts = accounts.clone();
    on(&["rds:DescribeDBInstances"], move |r: &Request| {
        let account = accounts.of(r).unwrap_or_default();
        let here: Vec<Value> = databases
            .iter()
            .filter(|d| is_in(d, &account, &r.region))
            .cloned()
            .collect();
        if here.is_empty() {
            return Reply::Forward;
        }
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let mut body = response.text();
            for d in &here {
                let created =
                    Utc::now() - Duration::days(d["created_days_ago"].as_i64().unwrap_or_default());
                let name = format!(
                    "<DBInstanceIdentifier>{}</DBInstanceIdentifier>",
                    text(d, "id")
                );
                let Some(&(start, end)) = xml_elements(&body, "DBInstance")
                    .iter()
                    .find(|&&(start, end)| body[start..end].contains(&name))
                else {
                    continue;
                };
                let mut instance = body[start..end].to_string();
                for (tag, value) in [
                    (
                        "InstanceCreateTime",
                        created.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                    ),
                    ("DbiResourceId", text(d, "resource_id").to_string()),
                ] {
                    if let Some(&(a, b)) = xml_elements(&instance, tag).first() {
                        instance.replace_range(a..b, &value);
                    }
                }
                body.replace_range(start..end, &instance);
            }
            response.body = body.into_bytes();
            response
        }))
    })
}

/// `rds:DescribeDBInstanceAutomatedBackups` as the API reference shows it (moto lists its
/// automated snapshots without a `RestoreWindow`): one active automated backup per
/// production database, restorable from the replay's hours before the scan to five
/// minutes ago.
fn automated_backups(replay: &Value, accounts: &Accounts) -> Rule {
    let databases = array(replay, "databases");
    let accounts = accounts.clone();
    on(
        &["rds:DescribeDBInstanceAutomatedBackups"],
        move |r: &Request| {
            let account = accounts.of(r).unwrap_or_default();
            let region = r.region.clone();
            let items: String = databases
            .iter()
            .filter(|d| is_in(d, &account, &region))
            .map(|d| {
                let id = text(d, "id");
                let resource_id = text(d, "resource_id");
                let hours = d["restore_window_hours"].as_f64().unwrap_or_default();
                let earliest = Utc::now() - Duration::seconds((hours * 3600.0) as i64);
                let latest = Utc::now() - Duration::minutes(5);
                let at = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
                format!(
                    "<DBInstanceAutomatedBackup><DBInstanceArn>arn:aws:rds:{region}:{account}:db:{id}</DBInstanceArn><DbiResourceId>{resource_id}</DbiResourceId><Region>{region}</Region><DBInstanceIdentifier>{id}</DBInstanceIdentifier><RestoreWindow><EarliestTime>{}</EarliestTime><LatestTime>{}</LatestTime></RestoreWindow><Status>active</Status><Engine>postgres</Engine><BackupRetentionPeriod>35</BackupRetentionPeriod><DBInstanceAutomatedBackupsArn>arn:aws:rds:{region}:{account}:auto-backup:ab-{}</DBInstanceAutomatedBackupsArn></DBInstanceAutomatedBackup>",
                    at(earliest),
                    at(latest),
                    resource_id.trim_start_matches("db-").to_lowercase(),
                )
            })
            .collect();
            query_xml(
                "rds",
                "DescribeDBInstanceAutomatedBackups",
                &format!("<DBInstanceAutomatedBackups>{items}</DBInstanceAutomatedBackups>"),
            )
        },
    )
}

/// One recovery point as `ListRecoveryPointsByBackupVault` returns it.
fn recovery_point(p: &Value) -> Value {
    let created = hours_ago(p);
    let lifecycle = &p["lifecycle"];
    let days = |key: &str| lifecycle[key].as_i64();
    let mut calculated = json!({});
    if let Some(d) = days("DeleteAfterDays") {
        calculated["DeleteAt"] = json!(epoch_at(created + Duration::days(d)));
    }
    if let Some(d) = days("MoveToColdStorageAfterDays") {
        calculated["MoveToColdStorageAt"] = json!(epoch_at(created + Duration::days(d)));
    }
    let source = text(p, "source");
    let mut point = json!({
        "RecoveryPointArn": text(p, "arn"),
        "BackupVaultName": text(p, "vault"),
        "BackupVaultArn": text(p, "vault_arn"),
        "ResourceArn": source,
        "ResourceType": text(p, "source_type"),
        "ResourceName": source.rsplit([':', '/']).next().unwrap_or(source),
        "CreatedBy": {
            "BackupPlanId": text(p, "plan_id"),
            "BackupPlanArn": text(p, "plan_arn"),
            "BackupPlanVersion": text(p, "plan_version"),
            "BackupRuleId": text(p, "rule_id"),
        },
        "IamRoleArn": format!("arn:aws:iam::{}:role/service-role/AWSBackupDefaultServiceRole", text(p, "account")),
        "Status": text(p, "status"),
        "CreationDate": epoch_at(created),
        "CompletionDate": epoch_at(created + Duration::minutes(17)),
        "BackupSizeInBytes": p["size_bytes"],
        "CalculatedLifecycle": calculated,
        "Lifecycle": lifecycle,
        "IsEncrypted": p["key"].is_string(),
        "VaultType": "BACKUP_VAULT",
    });
    if let Some(key) = p["key"].as_str() {
        point["EncryptionKeyArn"] = json!(key);
    }
    if p["status"] == "PARTIAL" {
        point["StatusMessage"] =
            json!("Windows VSS Backup Job Error encountered, trying for regular backup");
    }
    if let Some(vault) = p["source_vault"].as_str() {
        point["SourceBackupVaultArn"] = json!(vault);
    }
    point
}

/// `cloudtrail:LookupEvents` of Identity Center's sign-in events (`UserAuthentication`,
/// `CredentialVerification`) in the instance's home region: each sign-in of the seed with
/// one verification per credential type, in one workflow. Other lookups go to the next rule.
fn identity_center_signins(replay: &Value, accounts: &Accounts) -> Rule {
    let ic = replay["identity_center"].clone();
    let accounts = accounts.clone();
    Box::new(move |r: &Request| {
        if r.operation != "cloudtrail:LookupEvents" {
            return None;
        }
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let name = body["LookupAttributes"][0]["AttributeValue"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if name != "UserAuthentication" && name != "CredentialVerification" {
            return None;
        }
        let account = accounts.of(r).unwrap_or_default();
        if !is_in(&ic, &account, &r.region) {
            return Some(lookup_events_page(r, json!([]), None));
        }
        let mut events = Vec::new();
        for (i, s) in ic["signins"].as_array().into_iter().flatten().enumerate() {
            let (user, id) = (text(s, "user"), text(s, "user_id"));
            let workflow = text(s, "workflow");
            let hours = s["hours_ago"].as_i64().unwrap_or(0);
            let credentials: Vec<&str> = s["credentials"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for (k, credential) in credentials.iter().enumerate() {
                if *credential != "EXTERNAL_IDP" {
                    events.push(sso_signin_event(
                        &format!("7c0e9d1a-{i:04}-4b2c-8d3e-{k:012}"),
                        "CredentialVerification",
                        hours,
                        [&account, id, user],
                        workflow,
                        credential,
                    ));
                }
            }
            let authenticated = if credentials.contains(&"EXTERNAL_IDP") {
                "EXTERNAL_IDP"
            } else {
                credentials.first().copied().unwrap_or_default()
            };
            events.push(sso_signin_event(
                &format!("7c0e9d1a-{i:04}-4b2c-8d3e-aaaaaaaaaaaa"),
                "UserAuthentication",
                hours,
                [&account, id, user],
                workflow,
                authenticated,
            ));
        }
        Some(lookup_events_page(r, Value::Array(events), None))
    })
}

/// `cloudtrail:LookupEvents`: the production account's console sign-ins, recorded in
/// us-east-1 (the global sign-in endpoint); no events anywhere else.
fn signins(replay: &Value, accounts: &Accounts) -> Rule {
    let signins = replay["signins"].clone();
    let accounts = accounts.clone();
    on(&["cloudtrail:LookupEvents"], move |r: &Request| {
        let account = text(&signins, "account");
        if accounts.of(r).as_deref() != Some(account) || r.region != text(&signins, "region") {
            return lookup_events_page(r, json!([]), None);
        }
        let sso = text(&signins, "sso_role");
        let events: Vec<Value> = signins["events"]
            .as_array()
            .map(|events| events.iter().map(|e| signin(e, account, sso)).collect())
            .unwrap_or_default();
        lookup_events_page(r, Value::Array(events), None)
    })
}

fn signin(e: &Value, account: &str, sso_role: &str) -> Value {
    let user = text(e, "user");
    let failed = e["result"] == "Failure";
    let mut identity = json!({"type": text(e, "type"), "accountId": account, "accessKeyId": ""});
    match text(e, "type") {
        "Root" => {
            identity["principalId"] = json!(account);
            identity["arn"] = json!(format!("arn:aws:iam::{account}:root"));
        }
        "AssumedRole" => {
            identity["arn"] = json!(format!(
                "arn:aws:sts::{account}:assumed-role/{sso_role}/{user}"
            ));
        }
        _ if failed => identity["userName"] = json!(user),
        _ => {
            identity["arn"] = json!(format!("arn:aws:iam::{account}:user/{user}"));
            identity["userName"] = json!(user);
        }
    }
    signin_event_at(
        text(e, "id"),
        hours_ago(e),
        text(e, "ip"),
        identity,
        user,
        text(e, "mfa"),
        failed.then_some("Failed authentication"),
    )
}

/// `dynamodb:DescribeTable` with the table's global-table replicas (moto accepts
/// `ReplicaUpdates` and keeps nothing): `Replicas` and `GlobalTableVersion` as the
/// DescribeTable reference shows them; moto's `x-amz-crc32` no longer matches the body
/// and is dropped.
fn dynamodb_replicas(replay: &Value, accounts: &Accounts) -> Rule {
    let tables = array(replay, "dynamodb_replicas");
    let accounts = accounts.clone();
    Box::new(move |r: &Request| {
        if r.operation != "dynamodb:DescribeTable" {
            return None;
        }
        let account = accounts.of(r)?;
        let name = r.param("TableName")?;
        let table = tables
            .iter()
            .find(|t| is_in(t, &account, &r.region) && text(t, "table") == name)?;
        let replicas: Vec<Value> = array(table, "replicas")
            .iter()
            .map(|region| json!({"RegionName": region, "ReplicaStatus": "ACTIVE"}))
            .collect();
        Some(Reply::Rewrite(Box::new(move |mut response: Response| {
            if let Ok(mut body) = serde_json::from_slice::<Value>(&response.body) {
                body["Table"]["GlobalTableVersion"] = json!("2019.11.21");
                body["Table"]["Replicas"] = Value::Array(replicas);
                response.body = body.to_string().into_bytes();
                response
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case("x-amz-crc32"));
            }
            response
        })))
    })
}

/// `elasticfilesystem:DescribeReplicationConfigurations` (moto does not implement it): the
/// replayed replications of the account and region, none elsewhere.
fn efs_replications(replay: &Value, accounts: &Accounts) -> Rule {
    let replications = array(replay, "efs_replications");
    let accounts = accounts.clone();
    Box::new(move |r: &Request| {
        if r.operation != "elasticfilesystem:DescribeReplicationConfigurations" {
            return None;
        }
        let account = accounts.of(r)?;
        let here: Vec<Value> = replications
            .iter()
            .filter(|e| is_in(e, &account, &r.region))
            .map(|e| {
                efs_replication(
                    &account,
                    &r.region,
                    text(e, "file_system"),
                    text(e, "destination"),
                )
            })
            .collect();
        Some(rest_json(json!({"Replications": here})))
    })
}

/// `es:DescribeOutboundConnections` (moto's OpenSearch backend has none: it answers 404):
/// the replayed cross-cluster connections of the account and region, as the API reference
/// shows them, in one page.
fn opensearch_connections(replay: &Value, accounts: &Accounts) -> Rule {
    let connections = array(replay, "opensearch_connections");
    let accounts = accounts.clone();
    Box::new(move |r: &Request| {
        if r.operation != "es:DescribeOutboundConnections" {
            return None;
        }
        let account = accounts.of(r)?;
        let here: Vec<Value> = connections
            .iter()
            .filter(|c| is_in(c, &account, &r.region))
            .map(|c| {
                opensearch_connection(
                    &account,
                    &r.region,
                    text(c, "domain"),
                    text(c, "remote"),
                    text(c, "remote_region"),
                    "ACTIVE",
                )
            })
            .collect();
        Some(rest_json(json!({"Connections": here, "NextToken": null})))
    })
}

/// `redshift:DescribeClusterSnapshots`: moto gives an encrypted cluster's snapshots no
/// `KmsKeyId`; AWS names the key they are encrypted with, the cluster's ("KmsKeyId: The
/// Key Management Service (KMS) key ID of the encryption key that was used to encrypt data
/// in the cluster from which the snapshot was taken", the Snapshot data type). Moto's
/// answer with each encrypted snapshot's cluster key (replayed) added.
fn redshift_snapshot_keys(replay: &Value) -> Rule {
    let keys = replay["redshift_keys"].clone();
    on(&["redshift:DescribeClusterSnapshots"], move |_| {
        let keys = keys.clone();
        Reply::Rewrite(Box::new(move |mut response: Response| {
            let body = response.text();
            let mut out = String::new();
            let mut copied = 0;
            for (start, end) in xml_elements(&body, "Snapshot") {
                let snapshot = &body[start..end];
                let cluster = xml_elements(snapshot, "ClusterIdentifier")
                    .first()
                    .map(|&(a, b)| &snapshot[a..b]);
                let key = cluster.and_then(|c| keys[c].as_str());
                let marker = "<Encrypted>true</Encrypted>";
                if let (Some(key), Some(at)) = (key, snapshot.find(marker))
                    && !snapshot.contains("<KmsKeyId>")
                {
                    let at = start + at + marker.len();
                    out.push_str(&body[copied..at]);
                    out.push_str(&format!("<KmsKeyId>{key}</KmsKeyId>"));
                    copied = at;
                }
            }
            out.push_str(&body[copied..]);
            response.body = out.into_bytes();
            response
        }))
    })
}

/// `config:SelectResourceConfig` (moto does not evaluate queries): the replayed rows of
/// the account and region, as the API reference shows them (`Results` JSON documents as
/// strings, `QueryInfo.SelectFields`), in one page; elsewhere moto's empty answer.
fn config_inventory(replay: &Value, accounts: &Accounts) -> Rule {
    let inventory = array(replay, "config_inventory");
    let accounts = accounts.clone();
    Box::new(move |r: &Request| {
        if r.operation != "config:SelectResourceConfig" {
            return None;
        }
        let account = accounts.of(r)?;
        let entry = inventory.iter().find(|e| is_in(e, &account, &r.region))?;
        let rows: Vec<Value> = array(entry, "rows")
            .iter()
            .map(|row| Value::String(row.to_string()))
            .collect();
        let names = [
            "resourceId",
            "resourceName",
            "resourceType",
            "awsRegion",
            "accountId",
            "arn",
        ];
        Some(aws_json(json!({
            "Results": rows,
            "QueryInfo": {"SelectFields": names.map(|n| json!({"Name": n}))},
        })))
    })
}

/// `sso:ListInstances`: the organisation's instance, in its home region, as its delegated
/// administrator (the utility account) sees it: owned by the management account. AWS lists
/// no instance in any other region or account of the organisation ("IAM Identity Center …
/// you enable it in one AWS Region", the IAM Identity Center user guide); moto makes one
/// everywhere.
fn identity_center_instance(replay: &Value, accounts: &Accounts) -> Rule {
    let ic = replay["identity_center"].clone();
    let accounts = accounts.clone();
    on(&["sso:ListInstances"], move |r: &Request| {
        let account = accounts.of(r).unwrap_or_default();
        if is_in(&ic, &account, &r.region) {
            let owner = text(&ic, "management_account").to_string();
            rewrite_json(move |body: &mut Value| {
                for i in body["Instances"].as_array_mut().into_iter().flatten() {
                    i["OwnerAccountId"] = json!(owner);
                    i["Name"] = json!("flightdeck");
                }
            })
        } else {
            aws_json(json!({"Instances": []}))
        }
    })
}

/// `sso:ListAccountsForProvisionedPermissionSet`: the accounts each permission set was
/// assigned in (moto lists only its own account).
fn provisioned_accounts(replay: &Value) -> Rule {
    let provisioned = replay["identity_center"]["provisioned"].clone();
    on(
        &["sso:ListAccountsForProvisionedPermissionSet"],
        move |r: &Request| {
            let arn = r.param("PermissionSetArn").unwrap_or_default();
            aws_json(json!({"AccountIds": provisioned[arn.as_str()].clone()}))
        },
    )
}

/// `identitystore:ListGroups`: the AD object id of each group provisioned from Active
/// Directory (`ExternalIds`, which moto does not keep).
fn group_directory_ids(replay: &Value) -> Rule {
    let external = replay["identity_center"]["external_ids"].clone();
    on(&["identitystore:ListGroups"], move |_r: &Request| {
        let external = external.clone();
        rewrite_json(move |body: &mut Value| {
            for g in body["Groups"].as_array_mut().into_iter().flatten() {
                let name = g["DisplayName"].as_str().unwrap_or_default().to_string();
                if let Some(id) = external[&name].as_str() {
                    g["ExternalIds"] = json!([{
                        "Issuer": "https://scim.ap-southeast-2.amazonaws.com/f1d2e3c4b5a-6789-4abc-9def-0123456789ab/scim/v2/",
                        "Id": id,
                    }]);
                }
            }
        })
    })
}

/// `sso:GetPermissionsBoundaryForPermissionSet` (moto: not implemented): no permission set
/// of the estate has a boundary, which AWS answers with `ResourceNotFoundException`.
fn permissions_boundaries() -> Rule {
    on(
        &["sso:GetPermissionsBoundaryForPermissionSet"],
        |r: &Request| {
            Reply::Respond(aws_error(
                r,
                400,
                "ResourceNotFoundException",
                "Permissions boundary not found for the permission set",
            ))
        },
    )
}

fn restore_plan_arn(account: &str, region: &str, name: &str) -> String {
    format!("arn:aws:backup:{region}:{account}:restore-testing-plan:{name}-0a1b2c")
}

fn restore_plan(p: &Value) -> Value {
    let (account, region, name) = (text(p, "account"), text(p, "region"), text(p, "name"));
    let last = p["last_hours_ago"].as_f64().unwrap_or_default();
    json!({
        "RestoreTestingPlanArn": restore_plan_arn(account, region, name),
        "RestoreTestingPlanName": name,
        "ScheduleExpression": text(p, "schedule"),
        "ScheduleExpressionTimezone": "Australia/Sydney",
        "StartWindowHours": 24,
        "CreationTime": epoch_at(Utc::now() - Duration::days(200)),
        "LastExecutionTime": epoch_at(Utc::now() - Duration::seconds((last * 3600.0) as i64)),
    })
}

/// `backup:ListRestoreTestingPlans` (moto: not implemented), per account and region.
fn restore_testing_plans(replay: &Value, accounts: &Accounts) -> Rule {
    let plans = array(&replay["restores"], "plans");
    let accounts = accounts.clone();
    on(&["backup:ListRestoreTestingPlans"], move |r: &Request| {
        let account = accounts.of(r).unwrap_or_default();
        let list: Vec<Value> = plans
            .iter()
            .filter(|p| is_in(p, &account, &r.region))
            .map(restore_plan)
            .collect();
        rest_json(json!({"RestoreTestingPlans": list}))
    })
}

/// `backup:GetRestoreTestingPlan` (moto: not implemented): the plan with its selection.
fn restore_testing_plan(replay: &Value, accounts: &Accounts) -> Rule {
    let plans = array(&replay["restores"], "plans");
    let accounts = accounts.clone();
    on(&["backup:GetRestoreTestingPlan"], move |r: &Request| {
        let account = accounts.of(r).unwrap_or_default();
        let name = r.segments().get(2).cloned().unwrap_or_default();
        match plans
            .iter()
            .find(|p| is_in(p, &account, &r.region) && text(p, "name") == name)
        {
            Some(p) => {
                let mut plan = restore_plan(p);
                plan["RecoveryPointSelection"] = json!({
                    "Algorithm": "LATEST_WITHIN_WINDOW",
                    "IncludeVaults": ["*"],
                    "RecoveryPointTypes": ["SNAPSHOT"],
                    "SelectionWindowDays": 7,
                });
                rest_json(json!({"RestoreTestingPlan": plan}))
            }
            None => Reply::Respond(aws_error(
                r,
                404,
                "ResourceNotFoundException",
                "Restore testing plan not found",
            )),
        }
    })
}

/// `backup:ListRestoreJobs` (moto: not implemented): the estate's restores, per account
/// and region, with their start, end and the plan that ran them.
fn restore_jobs(replay: &Value, accounts: &Accounts) -> Rule {
    let jobs = array(&replay["restores"], "jobs");
    let accounts = accounts.clone();
    on(&["backup:ListRestoreJobs"], move |r: &Request| {
        let account = accounts.of(r).unwrap_or_default();
        let list: Vec<Value> = jobs
            .iter()
            .filter(|j| is_in(j, &account, &r.region))
            .map(|j| {
                let started = hours_ago(j);
                let minutes = j["minutes"].as_i64().unwrap_or_default();
                let id = text(j, "id");
                let mut job = json!({
                    "AccountId": account,
                    "RestoreJobId": id,
                    "RecoveryPointArn": format!("arn:aws:backup:{}:{account}:recovery-point:{id}", r.region),
                    "ResourceType": text(j, "type"),
                    "CreationDate": epoch_at(started),
                    "CompletionDate": epoch_at(started + Duration::minutes(minutes)),
                    "Status": text(j, "status"),
                    "IsParent": false,
                });
                if let Some(plan) = j["plan"].as_str() {
                    job["CreatedBy"] =
                        json!({"RestoreTestingPlanArn": restore_plan_arn(&account, &r.region, plan)});
                    job["ValidationStatus"] = json!("SUCCESSFUL");
                }
                job
            })
            .collect();
        rest_json(json!({"RestoreJobs": list}))
    })
}
