//! The plan file before it is a plan: its bytes decoded to text (UTF-8 with or without a
//! byte-order mark, and the UTF-16 PowerShell's `>` writes), and its top level checked to
//! be what `terraform show -json <planfile>` writes, not a state, an empty object or
//! something else that would otherwise evaluate to "0 resources".

use serde_json::Value;

use super::error::{PlanError, kind};

/// The text of a plan file, and a note when it was not plain UTF-8.
pub fn decode(bytes: &[u8], path: &str) -> Result<(String, Option<String>), PlanError> {
    let encoding_error = |encoding: &str, detail: String| PlanError::Encoding {
        path: path.to_string(),
        encoding: encoding.to_string(),
        detail,
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(|s| {
                (
                    s.to_string(),
                    Some("UTF-8 with a byte-order mark: read as UTF-8".to_string()),
                )
            })
            .map_err(|e| encoding_error("UTF-8 (with a byte-order mark)", e.to_string()));
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some(("UTF-16 little-endian", rest, true)),
        [0xFE, 0xFF, rest @ ..] => Some(("UTF-16 big-endian", rest, false)),
        // No byte-order mark, but JSON starts with an ASCII character: a zero byte beside
        // it gives the byte order away (RFC 8259 section 8.1 requires UTF-8, so this is
        // only ever a file a shell re-encoded).
        [c, 0, ..] if *c != 0 => Some(("UTF-16 little-endian", bytes, true)),
        [0, c, ..] if *c != 0 => Some(("UTF-16 big-endian", bytes, false)),
        _ => None,
    };
    if let Some((name, rest, little)) = utf16 {
        if rest.len() % 2 != 0 {
            return Err(encoding_error(
                name,
                "an odd number of bytes: the file is cut short".into(),
            ));
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return String::from_utf16(&units)
            .map(|s| {
                let s = s.strip_prefix('\u{feff}').unwrap_or(&s).to_string();
                (
                    s,
                    Some(format!(
                        "{name} (as PowerShell's `>` writes it): read as such; `terraform show -json tfplan | Out-File -Encoding utf8` writes UTF-8"
                    )),
                )
            })
            .map_err(|e| encoding_error(name, e.to_string()));
    }
    std::str::from_utf8(bytes)
        .map(|s| (s.to_string(), None))
        .map_err(|e| {
            encoding_error(
                "UTF-8",
                format!(
                    "{e}: the file is neither UTF-8 nor UTF-16; write it with `terraform show -json tfplan > tfplan.json`"
                ),
            )
        })
}

/// The plan JSON format versions this build reads. 0.1 (Terraform 0.12–0.14) and 0.2
/// (0.15) hold every field assay reads in the same place as 1.x (1.0 onwards); the
/// additions of later versions (`timestamp`, `checks`, `relevant_attributes`, …) are read
/// when present. Documented at https://developer.hashicorp.com/terraform/internals/json-format:
/// a new major version may change the format, so 2.x and later are refused.
pub fn supported_format(version: &str) -> bool {
    matches!(version.split('.').next(), Some("0" | "1"))
        && version
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks that `plan` is the JSON of a plan, and says what it is when not.
pub fn check_shape(plan: &Value, path: &str) -> Result<(), PlanError> {
    let not_a_plan = |what: String| PlanError::NotAPlan {
        path: path.to_string(),
        what,
    };
    let Some(top) = plan.as_object() else {
        return Err(not_a_plan(format!(
            "{} (the JSON of `terraform show -json <planfile>` is an object)",
            kind(plan)
        )));
    };
    let has = |k: &str| top.get(k).is_some_and(|v| !v.is_null());
    // `terraform show -json` of a state (no plan file) writes `values`; a raw state file
    // (`terraform.tfstate`) has `version` 4 and `resources`.
    if has("values") && !has("planned_values") && !has("resource_changes") {
        return Err(not_a_plan(
            "the JSON of a Terraform state (`terraform show -json` without a plan file), not of a plan: run `terraform plan -out=tfplan` and `terraform show -json tfplan`".into(),
        ));
    }
    if top.contains_key("version") && top.contains_key("resources") && !has("format_version") {
        return Err(not_a_plan(
            "a Terraform state file (`terraform.tfstate`), not a plan: run `terraform plan -out=tfplan` and `terraform show -json tfplan`".into(),
        ));
    }
    let Some(version) = top.get("format_version") else {
        return Err(not_a_plan(
            "JSON without `format_version`: not the output of `terraform show -json <planfile>` (a state file or `terraform plan` text is not a plan)".into(),
        ));
    };
    let Some(version) = version.as_str() else {
        return Err(PlanError::Field {
            path: path.to_string(),
            field: "format_version".into(),
            message: format!("expected a string such as \"1.2\", found {}", kind(version)),
        });
    };
    if !supported_format(version) {
        return Err(PlanError::Field {
            path: path.to_string(),
            field: "format_version".into(),
            message: format!(
                "plan JSON format {version} is not supported (this build reads 0.1, 0.2 and 1.x)"
            ),
        });
    }
    // Every plan has `planned_values` and `configuration` (Terraform writes both even when
    // nothing changes); `resource_changes` is left out of a plan without resources.
    if !has("planned_values") && !has("configuration") && !has("resource_changes") {
        return Err(not_a_plan(format!(
            "format {version} JSON with neither `planned_values`, `resource_changes` nor `configuration`: not the output of `terraform show -json <planfile>`"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn byte_order_marks_and_utf16_are_read() {
        let text = "{\"format_version\":\"1.2\"}";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom, "p").unwrap().0, text);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let (decoded, note) = decode(&le, "p").unwrap();
        assert_eq!(decoded, text);
        assert!(note.unwrap().contains("UTF-16 little-endian"));
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be, "p").unwrap().0, text);
        let e = decode(&[b'{', 0xC3, 0x28, b'}'], "p.json").unwrap_err();
        assert!(e.to_string().contains("neither UTF-8 nor UTF-16"), "{e}");
    }

    #[test]
    fn what_is_not_a_plan_says_what_it_is() {
        let msg = |v: Value| check_shape(&v, "f.json").unwrap_err().to_string();
        assert!(msg(json!({"format_version": "1.0", "values": {}})).contains("state"));
        assert!(msg(json!({"version": 4, "resources": []})).contains("terraform.tfstate"));
        assert!(msg(json!({"format_version": "1.2"})).contains("neither"));
        assert!(msg(json!([])).contains("a list"));
        assert!(msg(json!({"format_version": "2.0", "planned_values": {}})).contains("2.0"));
        for v in ["0.1", "0.2", "1.0", "1.2"] {
            assert!(check_shape(&json!({"format_version": v, "planned_values": {}}), "f").is_ok());
        }
    }
}
