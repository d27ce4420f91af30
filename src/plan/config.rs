//! The plan's `configuration` (what the `.tf` files say) and `prior_state` (data sources
//! read at plan time), indexed for the two questions `change.after` cannot answer: which
//! provider configuration — and so which region and account — a resource uses, and what
//! an attribute that is "known after apply" refers to.

use std::collections::HashMap;

use serde_json::Value;

/// What a provider configuration says about where its resources live.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provider {
    /// `region`, as a constant or a root variable's value.
    pub region: Option<String>,
    /// The account: the only entry of `allowed_account_ids`, or the account of a constant
    /// `assume_role.role_arn`.
    pub account: Option<String>,
    /// Whether `default_tags` is set (then a resource's tags are only known from `tags_all`).
    pub default_tags: bool,
}

/// One `resource` block of the configuration.
#[derive(Debug, Clone)]
pub struct ConfigResource<'a> {
    pub provider_key: String,
    pub expressions: Option<&'a Value>,
}

/// The configuration and the data sources, indexed by absolute address.
#[derive(Debug, Default)]
pub struct Config<'a> {
    /// By absolute address without instance keys (`module.net.aws_security_group.web`).
    resources: HashMap<String, ConfigResource<'a>>,
    providers: HashMap<String, Provider>,
    /// Module outputs by absolute address (`module.keys.key_arn`): their expressions.
    outputs: HashMap<String, &'a Value>,
    /// Module calls by absolute address (`module.keys`): their `source`.
    pub module_calls: HashMap<String, String>,
    /// Module call arguments by the called module's prefix (`module.storage.`): the
    /// expressions its `var.*` take their values from.
    module_inputs: HashMap<String, &'a Value>,
    /// Data sources read at plan time, by absolute address: their attribute values.
    pub data: HashMap<String, &'a Value>,
}

impl<'a> Config<'a> {
    pub fn new(plan: &'a Value) -> Config<'a> {
        let mut config = Config::default();
        let variables = plan.get("variables");
        let configuration = plan.get("configuration");
        if let Some(providers) = configuration
            .and_then(|c| c.get("provider_config"))
            .and_then(Value::as_object)
        {
            for (key, p) in providers {
                config.providers.insert(key.clone(), provider(p, variables));
            }
        }
        if let Some(root) = configuration.and_then(|c| c.get("root_module")) {
            config.walk_module(root, "");
        }
        if let Some(root) = plan
            .get("prior_state")
            .and_then(|s| s.get("values"))
            .and_then(|v| v.get("root_module"))
        {
            config.walk_state(root);
        }
        config
    }

    fn walk_module(&mut self, module: &'a Value, prefix: &str) {
        for r in module
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(address) = r.get("address").and_then(Value::as_str) else {
                continue;
            };
            let provider_key = r
                .get("provider_config_key")
                .and_then(Value::as_str)
                .unwrap_or("aws")
                .to_string();
            self.resources.insert(
                format!("{prefix}{address}"),
                ConfigResource {
                    provider_key,
                    expressions: r.get("expressions"),
                },
            );
        }
        if let Some(outputs) = module.get("outputs").and_then(Value::as_object) {
            for (name, output) in outputs {
                if let Some(expression) = output.get("expression") {
                    self.outputs.insert(format!("{prefix}{name}"), expression);
                }
            }
        }
        if let Some(calls) = module.get("module_calls").and_then(Value::as_object) {
            for (name, call) in calls {
                self.module_calls.insert(
                    format!("{prefix}module.{name}"),
                    call.get("source")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                );
                if let Some(expressions) = call.get("expressions") {
                    self.module_inputs
                        .insert(format!("{prefix}module.{name}."), expressions);
                }
                if let Some(child) = call.get("module") {
                    self.walk_module(child, &format!("{prefix}module.{name}."));
                }
            }
        }
    }

    fn walk_state(&mut self, module: &'a Value) {
        for r in module
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if r.get("mode").and_then(Value::as_str) != Some("data") {
                continue;
            }
            if let (Some(address), Some(values)) =
                (r.get("address").and_then(Value::as_str), r.get("values"))
            {
                self.data.insert(address.to_string(), values);
            }
        }
        for child in module
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.walk_state(child);
        }
    }

    /// The resources a reference names, as absolute addresses, following module outputs
    /// (`module.keys.key_arn` → the expression of output `key_arn` in module `keys` →
    /// `module.keys.aws_kms_key.this`) as far as the configuration shows them.
    pub fn resolve(&self, module_prefix: &str, reference: &str) -> Vec<String> {
        let mut out = self.resolve_depth(module_prefix, reference, 0);
        let mut seen = std::collections::HashSet::new();
        out.retain(|a| seen.insert(a.clone()));
        out
    }

    fn resolve_depth(&self, module_prefix: &str, reference: &str, depth: usize) -> Vec<String> {
        if let Some(address) = referenced_address(module_prefix, reference) {
            return vec![address];
        }
        let parts = split_reference(reference);
        if depth > 32 {
            return Vec::new();
        }
        // `var.<name>` inside a module: the argument its call passes.
        if parts.len() >= 2 && parts[0] == "var" && !module_prefix.is_empty() {
            let parent = parent_prefix(module_prefix);
            return self
                .module_inputs
                .get(module_prefix)
                .and_then(|e| e.get(&parts[1]))
                .and_then(|e| e.get("references"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .flat_map(|r| self.resolve_depth(&parent, r, depth + 1))
                .collect();
        }
        // `module.<name>.<output>`.
        if parts.len() < 3 || parts[0] != "module" {
            return Vec::new();
        }
        let name = strip_instance_keys(&parts[1]);
        let child = format!("{module_prefix}module.{name}.");
        let Some(expression) = self.outputs.get(&format!("{child}{}", parts[2])) else {
            return Vec::new();
        };
        expression
            .get("references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .flat_map(|r| self.resolve_depth(&child, r, depth + 1))
            .collect()
    }

    /// The configuration block of a planned resource (instance keys are ignored: every
    /// instance of a `count`/`for_each` resource shares one block).
    pub fn resource(&self, address: &str) -> Option<&ConfigResource<'a>> {
        self.resources.get(&strip_instance_keys(address))
    }

    /// The provider configuration a resource uses. Keys of providers declared inside a
    /// module look like `module.net:aws.east`; a module that inherits its provider names
    /// the parent's, so the module part is dropped step by step until one matches.
    pub fn provider_of(&self, address: &str) -> Provider {
        let key = self
            .resource(address)
            .map_or_else(|| "aws".to_string(), |r| r.provider_key.clone());
        let mut candidates = vec![key.clone()];
        if let Some((module, local)) = key.rsplit_once(':') {
            let mut module = module.to_string();
            while let Some((parent, _)) = module.rsplit_once(".module.") {
                candidates.push(format!("{parent}:{local}"));
                module = parent.to_string();
            }
            candidates.push(local.to_string());
        }
        candidates.push("aws".into());
        candidates
            .iter()
            .find_map(|k| self.providers.get(k))
            .cloned()
            .unwrap_or_default()
    }
}

fn provider(p: &Value, variables: Option<&Value>) -> Provider {
    let expressions = p.get("expressions");
    let constant = |name: &str| {
        expressions
            .and_then(|e| e.get(name))
            .and_then(|e| e.get("constant_value"))
    };
    // Only a root-module provider can read root variables.
    let root = p.get("module_address").is_none();
    let region = match constant("region").and_then(Value::as_str) {
        Some(r) => Some(r.to_string()),
        None if root => expressions
            .and_then(|e| e.get("region"))
            .and_then(|r| r.get("references"))
            .and_then(Value::as_array)
            .and_then(|refs| {
                refs.iter()
                    .filter_map(Value::as_str)
                    .find_map(|r| r.strip_prefix("var."))
            })
            .and_then(|name| variables?.get(name)?.get("value")?.as_str())
            .map(str::to_string),
        None => None,
    };
    let allowed = constant("allowed_account_ids")
        .and_then(Value::as_array)
        .filter(|ids| ids.len() == 1)
        .and_then(|ids| ids[0].as_str())
        .map(str::to_string);
    let assumed = expressions
        .and_then(|e| e.get("assume_role"))
        .and_then(Value::as_array)
        .and_then(|blocks| blocks.first())
        .and_then(|b| b.get("role_arn"))
        .and_then(|r| r.get("constant_value"))
        .and_then(Value::as_str)
        .and_then(|arn| arn.split(':').nth(4))
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    Provider {
        region,
        account: allowed.or(assumed),
        default_tags: expressions.and_then(|e| e.get("default_tags")).is_some(),
    }
}

/// `module.a.module.b.` → `module.a.`; `module.a.` → ``.
fn parent_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim_end_matches('.');
    match trimmed.rfind(".module.") {
        Some(i) => format!("{}.", &trimmed[..i]),
        None => String::new(),
    }
}

/// `module.a[0].aws_x.y["k"]` → `module.a.aws_x.y`: the configuration address.
pub fn strip_instance_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in address.chars() {
        if depth > 0 {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                '[' if !quoted => depth += 1,
                ']' if !quoted => depth -= 1,
                _ => {}
            }
            continue;
        }
        if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

/// The resource a configuration reference names, as an absolute address: `aws_kms_key.k.arn`
/// in module `module.m.` → `module.m.aws_kms_key.k`; `data.aws_s3_bucket.b.arn` →
/// `module.m.data.aws_s3_bucket.b`. Variables, locals, module outputs and the like name no
/// resource.
pub fn referenced_address(module_prefix: &str, reference: &str) -> Option<String> {
    let parts = split_reference(reference);
    let take = match parts.first().map(String::as_str) {
        Some("data") => 3,
        Some(first) if first.starts_with("aws_") => 2,
        _ => return None,
    };
    (parts.len() >= take).then(|| format!("{module_prefix}{}", parts[..take].join(".")))
}

/// Splits a reference on dots outside instance keys: `aws_x.y["a.b"].arn` → `aws_x`,
/// `y["a.b"]`, `arn`.
fn split_reference(reference: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let (mut depth, mut quoted) = (0usize, false);
    for c in reference.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instance_keys_are_stripped_for_configuration_lookups() {
        assert_eq!(
            strip_instance_keys("module.a[0].aws_x.y[\"k.[1]\"]"),
            "module.a.aws_x.y"
        );
        assert_eq!(strip_instance_keys("aws_x.y"), "aws_x.y");
    }

    #[test]
    fn references_name_resources_not_attributes() {
        assert_eq!(
            referenced_address("", "aws_kms_key.k.arn").as_deref(),
            Some("aws_kms_key.k")
        );
        assert_eq!(
            referenced_address("module.m.", "aws_kms_key.k[0].arn").as_deref(),
            Some("module.m.aws_kms_key.k[0]")
        );
        assert_eq!(
            referenced_address("", "data.aws_s3_bucket.b.arn").as_deref(),
            Some("data.aws_s3_bucket.b")
        );
        assert_eq!(referenced_address("", "var.key_arn"), None);
        assert_eq!(referenced_address("", "module.keys.arn"), None);
    }

    #[test]
    fn references_follow_module_outputs_and_inputs() {
        let plan = json!({"configuration": {"root_module": {
        "module_calls": {
            "keys": {"source": "./keys", "module": {
                "outputs": {"key_arn": {"expression": {"references": ["aws_kms_key.this.arn", "aws_kms_key.this"]}}},
                "resources": [{"address": "aws_kms_key.this", "expressions": {}}]}},
            "storage": {"source": "./storage",
                "expressions": {"kms_key_arn": {"references": ["module.keys.key_arn", "module.keys"]}},
                "module": {"resources": [{"address": "aws_s3_bucket.this", "expressions": {}}]}}
        }}}});
        let config = Config::new(&plan);
        assert_eq!(
            config.resolve("", "module.keys.key_arn"),
            ["module.keys.aws_kms_key.this"]
        );
        assert_eq!(
            config.resolve("module.storage.", "var.kms_key_arn"),
            ["module.keys.aws_kms_key.this"]
        );
        assert!(config.resolve("", "var.nothing").is_empty());
        assert_eq!(parent_prefix("module.a.module.b."), "module.a.");
    }

    #[test]
    fn providers_give_region_and_account_through_aliases_modules_and_variables() {
        let plan = json!({
            "variables": {"region": {"value": "ap-southeast-4"}},
            "configuration": {
                "provider_config": {
                    "aws": {"name": "aws", "expressions": {"region": {"references": ["var.region"]},
                        "allowed_account_ids": {"constant_value": ["111122223333"]}}},
                    "aws.us": {"name": "aws", "alias": "us", "expressions": {"region": {"constant_value": "us-east-1"},
                        "assume_role": [{"role_arn": {"constant_value": "arn:aws:iam::444455556666:role/ci"}}]}}
                },
                "root_module": {
                    "resources": [{"address": "aws_s3_bucket.a", "provider_config_key": "aws.us", "expressions": {}}],
                    "module_calls": {"net": {"module": {"resources": [
                        {"address": "aws_vpc.v", "provider_config_key": "module.net:aws", "expressions": {}}
                    ]}}}
                }
            }
        });
        let config = Config::new(&plan);
        let us = config.provider_of("aws_s3_bucket.a[0]");
        assert_eq!(
            (us.region.as_deref(), us.account.as_deref()),
            (Some("us-east-1"), Some("444455556666"))
        );
        let inherited = config.provider_of("module.net.aws_vpc.v");
        assert_eq!(
            (inherited.region.as_deref(), inherited.account.as_deref()),
            (Some("ap-southeast-4"), Some("111122223333"))
        );
    }
}
