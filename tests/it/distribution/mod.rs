//! Installing assay where users run it: the release workflow, the GitHub Action
//! (`action.yml`), the GitLab template (`ci/gitlab/assay-gate.yml`), `scripts/install.sh`
//! and the `Dockerfile`. The linters come from `scripts/lint-env.sh` (run by
//! `scripts/test.sh`); the scripts of the action and the template run here as GitHub and
//! GitLab would run them, against a release directory served over `file://` whose archives
//! hold the assay binary under test.

mod action;
mod gitlab;
mod image;
pub(crate) mod lints;
mod release;
mod version;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::root;

pub use action::*;
pub use gitlab::*;
pub use release::*;

/// What a finished process printed: stdout, then stderr.
pub fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A file of the repository, as text.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// YAML (or JSON) as JSON values; `what` names it in the panic.
pub fn yaml(text: &str, what: &str) -> Json {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Pairs of strings as an owned map (inputs of the action).
pub fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// chmod 755.
pub fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The fenced YAML block that follows `marker` in docs/ci.md.
pub fn doc_yaml_block(marker: &str) -> String {
    let doc = read("docs/ci.md");
    let from = doc
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in docs/ci.md"));
    let rest = &doc[from..];
    let start = rest.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = rest[start..].find("\n```").expect("closed");
    rest[start..start + end].to_string()
}
