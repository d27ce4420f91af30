//! Where a planned resource is declared: `resource "type" "name"` lines in the `.tf` files
//! of the configuration directory. The plan JSON has no source positions, and SARIF
//! viewers (GitHub code scanning among them) need a file and line to annotate.

use std::collections::BTreeMap;
use std::path::Path;

/// A declaration: the file (relative to the configuration directory) and its 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    pub file: String,
    pub line: usize,
}

/// Root-module resource addresses (`aws_s3_bucket.data`) → where they are declared, for
/// the `.tf` files directly in `dir`. Files that cannot be read are skipped: locations
/// are a convenience, the logical location (the address) is always given.
pub fn scan(dir: &Path) -> BTreeMap<String, Declared> {
    let mut found = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    for path in files {
        let Ok(text) = crate::input::read_text(&path) else {
            continue;
        };
        let file = path
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        for (i, line) in text.lines().enumerate() {
            if let Some(address) = declared_address(line) {
                found.entry(address).or_insert(Declared {
                    file: file.clone(),
                    line: i + 1,
                });
            }
        }
    }
    found
}

/// `resource "aws_s3_bucket" "data" {` → `aws_s3_bucket.data`; `module "net" {` →
/// `module.net` (the call site of a module, where its resources are configured from).
fn declared_address(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("module") {
        let mut quoted = rest.split('"');
        let (before, name, after) = (quoted.next()?, quoted.next()?, quoted.next()?);
        return (before.trim().is_empty()
            && !name.is_empty()
            && after.trim_start().starts_with('{'))
        .then(|| format!("module.{name}"));
    }
    let rest = trimmed.strip_prefix("resource")?;
    let mut quoted = rest.split('"');
    let (_, type_name, between, name) = (
        quoted.next()?,
        quoted.next()?,
        quoted.next()?,
        quoted.next()?,
    );
    (between.trim().is_empty() && !type_name.is_empty() && !name.is_empty())
        .then(|| format!("{type_name}.{name}"))
}

/// Where in the root configuration a planned resource is declared: `aws_x.y["k"]` →
/// `aws_x.y`; a resource in a module (`module.net[0].module.sg.aws_x.y`) → the call of
/// the outermost module in the root configuration, `module.net` (the module's own blocks
/// are in its source, which may not be in the repository at all).
pub fn root_address(address: &str) -> Option<String> {
    // A part of a resource (`aws_instance.web/root_block_device`) is declared with it.
    let whole = address.split('/').next().unwrap_or(address);
    let base = crate::plan::config_address(whole);
    match base.strip_prefix("module.") {
        Some(rest) => rest
            .split('.')
            .next()
            .filter(|n| !n.is_empty())
            .map(|n| format!("module.{n}")),
        None => Some(base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_resource_blocks() {
        assert_eq!(
            declared_address(r#"resource "aws_s3_bucket" "data" {"#).as_deref(),
            Some("aws_s3_bucket.data")
        );
        assert_eq!(
            declared_address(r#"  resource "aws_vpc" "main"{"#).as_deref(),
            Some("aws_vpc.main")
        );
        assert_eq!(declared_address(r#"data "aws_s3_bucket" "dr" {"#), None);
        assert_eq!(root_address("aws_x.y[\"k\"]").as_deref(), Some("aws_x.y"));
        assert_eq!(
            root_address("module.m[\"a\"].module.n.aws_x.y").as_deref(),
            Some("module.m")
        );
        assert_eq!(
            declared_address(r#"module "net" {"#).as_deref(),
            Some("module.net")
        );
        assert_eq!(declared_address(r#"module "net" = 1"#), None);
    }
}
