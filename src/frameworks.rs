//! Framework catalogues (`rules/frameworks/*.yaml`): every control of ISO/IEC 27001:2022
//! and 2013 Annex A and the GDPR paragraphs in scope. Rules map to these ids; controls
//! without a rule are still listed, as needing manual evidence, so a report never drops one.

use serde::Deserialize;

/// A framework catalogue as written in its YAML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// The key rules use in `controls:` (`iso27001-2022`, `iso27001-2013`, `gdpr`).
    pub id: String,
    pub name: String,
    pub version: String,
    pub source: String,
    pub families: Vec<Family>,
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub family: String,
    pub title: String,
    /// assay's own one-sentence summary (the standards' text is not reproduced).
    pub summary: String,
}

impl Framework {
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    /// Problems inside the catalogue itself: duplicate ids, unknown families.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for control in &self.controls {
            if !seen.insert(control.id.as_str()) {
                problems.push(format!("control `{}` is listed twice", control.id));
            }
            if self.family(&control.family).is_none() {
                problems.push(format!(
                    "control `{}` names unknown family `{}`",
                    control.id, control.family
                ));
            }
        }
        problems
    }
}
