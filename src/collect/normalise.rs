//! Normalisation of AWS shapes into the resource model, kept in one place and unit-tested:
//! backup schedule classes from cron expressions, IAM policy documents (URL-decoded,
//! lists everywhere), security-group permissions (protocol `-1` → `all`, ports 0–65535).

use serde_json::{Map, Value};

use crate::snapshot::resources::SecurityGroupRule;

/// Classifies an AWS Backup schedule (`cron(min hour dom month dow year)` or
/// `rate(...)`) by how often it runs: a frequency and the number of runs per day.
///
/// AWS Backup's `ScheduleExpression` is an EventBridge cron expression (the `BackupRule`
/// API reference points to "Schedule expressions for rules"): day-of-week takes `1-7` or
/// `SUN-SAT`, with lists (`,`), ranges (`-`), `L` (last) and `#` (nth weekday of the
/// month); day-of-month takes numbers, lists, `L` and `W`; `?` means "any" in either.
///
/// The class follows how often the plan runs, not how the expression is written:
/// - six or seven days a week is `daily` (Aeronet's "six daily, Sunday to Friday",
///   `cron(0 18 ? * SUN-FRI *)`), and several runs on such a day is `hourly` with the
///   count (`cron(0 */6 * * ? *)` → 4);
/// - one day a week is `weekly`; two to five days a week is `other` (neither tier);
/// - one day a month (`1`, `L`, `15W`, or a weekday such as `6#1` or `6L`) is `monthly`;
/// - one day of one month is `yearly`;
/// - anything else, or an expression that does not parse, is `other`.
///
/// `runs_per_day` is the count of runs on a day it runs for `daily` and `hourly`, else 0.
/// The same classifier serves live scans and Terraform plans.
pub fn backup_frequency(expression: &str) -> (String, i64) {
    let expression = expression.trim();
    if let Some(rate) = expression
        .strip_prefix("rate(")
        .and_then(|r| r.strip_suffix(')'))
    {
        let mut parts = rate.split_whitespace();
        let n: i64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let unit = parts.next().unwrap_or("");
        return match unit.trim_end_matches('s') {
            "minute" if n > 0 => ("hourly".into(), 1440 / n),
            "hour" if n > 0 && n < 24 => ("hourly".into(), 24 / n),
            "hour" if n == 24 => ("daily".into(), 1),
            "day" if n == 1 => ("daily".into(), 1),
            "day" if n == 7 => ("weekly".into(), 0),
            _ => ("other".into(), 0),
        };
    }
    let other = ("other".to_string(), 0);
    let Some(fields) = expression
        .strip_prefix("cron(")
        .and_then(|c| c.strip_suffix(')'))
    else {
        return other;
    };
    let f: Vec<&str> = fields.split_whitespace().collect();
    if f.len() != 6 {
        return other;
    }
    let (minute, hour, dom, month, dow) = (f[0], f[1], f[2], f[3], f[4]);
    let any = |x: &str| x == "*" || x == "?";
    let (Some(minutes), Some(hours)) =
        (values_in_field(minute, 0, 59), values_in_field(hour, 0, 23))
    else {
        return other;
    };
    let runs_per_day = (minutes * hours) as i64;
    let on_a_day = |runs: i64| {
        if runs > 1 {
            ("hourly".to_string(), runs)
        } else {
            ("daily".to_string(), 1)
        }
    };
    // A weekday of the month (`6#1`, `6L`) or the last day (`L`, `LW`) is once a month.
    let nth_weekday = dow.contains('#') || (dow.ends_with('L') && dow != "L");
    if !any(month) {
        let one_month = values_in_field(month, 1, 12) == Some(1);
        let one_day = !any(dom) && days_of_month(dom) == Some(1) && any(dow);
        return if one_month && (one_day || nth_weekday) {
            ("yearly".into(), 0)
        } else {
            other
        };
    }
    if nth_weekday {
        return if any(dom) {
            ("monthly".into(), 0)
        } else {
            other
        };
    }
    match (any(dom), any(dow)) {
        (true, true) => on_a_day(runs_per_day),
        (true, false) => match days_of_week(dow) {
            Some(6 | 7) => on_a_day(runs_per_day),
            Some(1) => ("weekly".into(), 0),
            _ => other,
        },
        (false, true) => match days_of_month(dom) {
            Some(1) => ("monthly".into(), 0),
            _ => other,
        },
        (false, false) => other,
    }
}

/// How many distinct values a cron field takes between `low` and `high` (`*/6` over hours
/// → 4, `0/12` → 2, `1,13` → 2, `9-17` → 9); None when it does not parse.
fn values_in_field(field: &str, low: u32, high: u32) -> Option<usize> {
    expand(field, low, high, &|v: &str| v.parse().ok()).map(|set| set.len())
}

/// The days of the week a day-of-week field names (`SUN-FRI` → 6, `MON,WED` → 2,
/// `*` → 7). Days are `1-7` or `SUN-SAT` (Sunday is 1).
fn days_of_week(field: &str) -> Option<usize> {
    const NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let day = |v: &str| -> Option<u32> {
        NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(v))
            .map(|i| i as u32 + 1)
            .or_else(|| v.parse().ok())
    };
    expand(field, 1, 7, &day).map(|set| set.len())
}

/// The days of the month a day-of-month field names; `L` (last day) and `nW` (nearest
/// weekday) are one day each.
fn days_of_month(field: &str) -> Option<usize> {
    if field == "L" || field == "LW" || field.ends_with('W') {
        return Some(1);
    }
    expand(field, 1, 31, &|v: &str| v.parse().ok()).map(|set| set.len())
}

/// The set of values a cron field (`*`, `a`, `a-b`, `a/n`, `*/n`, `a-b/n`, lists of
/// these) takes within `low..=high`, with `value` reading one element.
fn expand(
    field: &str,
    low: u32,
    high: u32,
    value: &dyn Fn(&str) -> Option<u32>,
) -> Option<std::collections::BTreeSet<u32>> {
    let mut set = std::collections::BTreeSet::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" | "?" => (low, high),
            _ => match range.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                // `a/n` runs from a to the end of the range.
                None if part.contains('/') => (value(range)?, high),
                None => (value(range)?, value(range)?),
            },
        };
        if from < low || to > high || from > to {
            return None;
        }
        set.extend((from..=to).step_by(step as usize));
    }
    Some(set)
}

/// Decodes and normalises an IAM policy document. Real AWS returns documents URL-encoded
/// (`%7B%22Version…`); emulators often return plain JSON. Afterwards `Statement` is a
/// list, `Action`/`Resource` are lists, every `Principal` value is a list (`"*"` becomes
/// `{"AWS": ["*"]}`), and every condition value is a list of strings.
pub fn policy_document(raw: &str) -> Value {
    let decoded = if raw.trim_start().starts_with('%') {
        percent_decode(raw)
    } else {
        raw.to_string()
    };
    let mut doc: Value = serde_json::from_str(&decoded).unwrap_or(Value::Null);
    if let Some(obj) = doc.as_object_mut() {
        let statements = match obj.remove("Statement") {
            Some(Value::Array(list)) => list,
            Some(single) => vec![single],
            None => Vec::new(),
        };
        let statements = statements.into_iter().map(normalise_statement).collect();
        obj.insert("Statement".into(), Value::Array(statements));
    }
    doc
}

fn as_list(value: Value) -> Value {
    match value {
        Value::Array(_) => value,
        Value::Null => Value::Array(Vec::new()),
        other => Value::Array(vec![other]),
    }
}

fn normalise_statement(statement: Value) -> Value {
    let Value::Object(mut s) = statement else {
        return statement;
    };
    for key in ["Action", "NotAction", "Resource", "NotResource"] {
        if let Some(v) = s.remove(key) {
            s.insert(key.into(), as_list(v));
        }
    }
    if let Some(principal) = s.remove("Principal") {
        let principal = match principal {
            Value::String(star) => Value::Object(Map::from_iter([(
                "AWS".to_string(),
                Value::Array(vec![Value::String(star)]),
            )])),
            Value::Object(map) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, as_list(v))).collect())
            }
            other => other,
        };
        s.insert("Principal".into(), principal);
    }
    if let Some(Value::Object(conditions)) = s.remove("Condition") {
        let conditions = conditions
            .into_iter()
            .map(|(op, block)| {
                let block = match block {
                    Value::Object(keys) => Value::Object(
                        keys.into_iter()
                            .map(|(k, v)| {
                                let values = match as_list(v) {
                                    Value::Array(items) => items
                                        .into_iter()
                                        .map(|i| {
                                            Value::String(
                                                i.as_str()
                                                    .map_or_else(|| i.to_string(), str::to_string),
                                            )
                                        })
                                        .collect(),
                                    _ => Vec::new(),
                                };
                                (k, Value::Array(values))
                            })
                            .collect(),
                    ),
                    other => other,
                };
                (op, block)
            })
            .collect();
        s.insert("Condition".into(), Value::Object(conditions));
    }
    Value::Object(s)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 3 <= bytes.len() => match std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(())
            {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                }
                Err(_) => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One security-group permission in the normalised form.
#[allow(clippy::too_many_arguments)]
pub fn sg_rule(
    protocol: &str,
    from: Option<i32>,
    to: Option<i32>,
    ipv4: Vec<String>,
    ipv6: Vec<String>,
    groups: Vec<String>,
    prefix_lists: Vec<String>,
    description: Option<String>,
) -> SecurityGroupRule {
    let all = protocol == "-1" || protocol.eq_ignore_ascii_case("all");
    let protocol = match protocol {
        "-1" => "all".to_string(),
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        "58" => "icmpv6".to_string(),
        other => other.to_ascii_lowercase(),
    };
    let (from_port, to_port) = if all {
        (0, 65535)
    } else {
        (i64::from(from.unwrap_or(0)), i64::from(to.unwrap_or(65535)))
    };
    SecurityGroupRule {
        protocol,
        from_port,
        to_port,
        ipv4_ranges: ipv4,
        ipv6_ranges: ipv6,
        source_security_groups: groups,
        prefix_lists,
        description,
    }
}

/// Region of an S3 bucket from `GetBucketLocation`: empty means us-east-1, `EU` eu-west-1.
pub fn bucket_region(location: &str) -> String {
    match location {
        "" => "us-east-1".into(),
        "EU" => "eu-west-1".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn backup_schedules_classify() {
        assert_eq!(backup_frequency("cron(0 5 * * ? *)"), ("daily".into(), 1));
        assert_eq!(
            backup_frequency("cron(0 */6 * * ? *)"),
            ("hourly".into(), 4)
        );
        assert_eq!(
            backup_frequency("cron(0 0/12 * * ? *)"),
            ("hourly".into(), 2)
        );
        assert_eq!(
            backup_frequency("cron(0 1,13 * * ? *)"),
            ("hourly".into(), 2)
        );
        assert_eq!(
            backup_frequency("cron(0 18 ? * SAT *)"),
            ("weekly".into(), 0)
        );
        assert_eq!(
            backup_frequency("cron(0 18 1 * ? *)"),
            ("monthly".into(), 0)
        );
        assert_eq!(backup_frequency("cron(0 18 1 1 ? *)"), ("yearly".into(), 0));
        assert_eq!(backup_frequency("rate(12 hours)"), ("hourly".into(), 2));
        assert_eq!(backup_frequency("rate(1 day)"), ("daily".into(), 1));
        assert_eq!(backup_frequency("nonsense"), ("other".into(), 0));
    }

    /// Aeronet's "Six daily (Sunday - Friday)": six days a week is a daily tier, not weekly.
    #[test]
    fn schedules_are_classed_by_how_often_they_run() {
        let class = |e: &str| backup_frequency(e);
        assert_eq!(class("cron(0 18 ? * SUN-FRI *)"), ("daily".into(), 1));
        assert_eq!(class("cron(0 18 ? * 1-6 *)"), ("daily".into(), 1));
        assert_eq!(
            class("cron(0 18 ? * MON,TUE,WED,THU,FRI,SAT,SUN *)"),
            ("daily".into(), 1)
        );
        assert_eq!(class("cron(0 18 ? * SUN *)"), ("weekly".into(), 0));
        assert_eq!(class("cron(0 18 ? * 7 *)"), ("weekly".into(), 0));
        assert_eq!(class("cron(0 18 ? * MON-FRI *)"), ("other".into(), 0));
        assert_eq!(class("cron(0 0/6 ? * SUN-FRI *)"), ("hourly".into(), 4));
        assert_eq!(class("cron(0/30 * * * ? *)"), ("hourly".into(), 48));
        assert_eq!(class("cron(0 9-17 * * ? *)"), ("hourly".into(), 9));
        assert_eq!(class("cron(0 18 L * ? *)"), ("monthly".into(), 0));
        assert_eq!(class("cron(0 18 15W * ? *)"), ("monthly".into(), 0));
        assert_eq!(class("cron(0 18 ? * 6#1 *)"), ("monthly".into(), 0));
        assert_eq!(class("cron(0 18 ? * 6L *)"), ("monthly".into(), 0));
        assert_eq!(class("cron(0 18 1,15 * ? *)"), ("other".into(), 0));
        assert_eq!(class("cron(0 18 1 1,7 ? *)"), ("other".into(), 0));
        assert_eq!(class("cron(0 18 ? * XYZ *)"), ("other".into(), 0));
        assert_eq!(class("cron(0 25 * * ? *)"), ("other".into(), 0));
    }

    #[test]
    fn url_encoded_policies_decode_and_normalise() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A111122223333%3Aroot%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%2C%22Condition%22%3A%7B%22Bool%22%3A%7B%22aws%3AMultiFactorAuthPresent%22%3Atrue%7D%7D%7D%7D";
        let doc = policy_document(encoded);
        assert_eq!(
            doc["Statement"],
            json!([{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Action": ["sts:AssumeRole"], "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}}])
        );
        let star = policy_document(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#,
        );
        assert_eq!(star["Statement"][0]["Principal"], json!({"AWS": ["*"]}));
    }

    #[test]
    fn all_protocol_rules_cover_every_port() {
        let r = sg_rule(
            "-1",
            None,
            None,
            vec!["0.0.0.0/0".into()],
            vec![],
            vec![],
            vec![],
            None,
        );
        assert_eq!(
            (r.protocol.as_str(), r.from_port, r.to_port),
            ("all", 0, 65535)
        );
        let r = sg_rule(
            "tcp",
            Some(22),
            Some(22),
            vec![],
            vec!["::/0".into()],
            vec![],
            vec![],
            None,
        );
        assert_eq!(
            (r.protocol.as_str(), r.from_port, r.to_port),
            ("tcp", 22, 22)
        );
    }

    #[test]
    fn bucket_locations_map_to_regions() {
        assert_eq!(bucket_region(""), "us-east-1");
        assert_eq!(bucket_region("EU"), "eu-west-1");
        assert_eq!(bucket_region("ap-southeast-2"), "ap-southeast-2");
    }
}
