//! `assay frameworks`: the catalogues and their automated coverage.

use anyhow::{Result, bail};
use clap::Args;

use super::{RulesArg, load_pack};
use crate::diag::Sources;
use crate::exit::ExitStatus;
use crate::rules::RuleKind;

#[derive(Debug, Args)]
pub struct FrameworksArgs {
    /// Show one framework's controls and the rules mapped to each.
    pub id: Option<String>,
    #[command(flatten)]
    pub rules: RulesArg,
}

pub fn run(args: FrameworksArgs) -> Result<ExitStatus> {
    let mut sources = Sources::default();
    let pack = load_pack(&args.rules, &mut sources)?;
    let rules_for = |framework: &str, control: &str| -> Vec<(&str, RuleKind)> {
        pack.rules
            .iter()
            .filter(|r| {
                r.controls
                    .get(framework)
                    .is_some_and(|ids| ids.iter().any(|i| i == control))
            })
            .map(|r| (r.id.as_str(), r.kind))
            .collect()
    };
    match args.id {
        None => {
            for f in &pack.frameworks {
                let automated = f
                    .controls
                    .iter()
                    .filter(|c| {
                        rules_for(&f.id, &c.id)
                            .iter()
                            .any(|(_, k)| *k == RuleKind::Automated)
                    })
                    .count();
                println!(
                    "{:<16} {:<40} {:>3} controls, {:>3} with automated rules, {:>3} need manual evidence",
                    f.id,
                    f.name,
                    f.controls.len(),
                    automated,
                    f.controls.len() - automated
                );
            }
        }
        Some(id) => {
            let Some(f) = pack.framework(&id) else {
                bail!(
                    "no framework `{id}` (known: {})",
                    pack.frameworks
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            for c in &f.controls {
                let rules = rules_for(&f.id, &c.id);
                let state = if rules.iter().any(|(_, k)| *k == RuleKind::Automated) {
                    "automated"
                } else if rules.is_empty() {
                    "manual evidence"
                } else {
                    "attestation"
                };
                let names: Vec<&str> = rules.iter().map(|(r, _)| *r).collect();
                println!(
                    "{:<14} {:<62} {:<16} {}",
                    c.id,
                    c.title,
                    state,
                    names.join(", ")
                );
            }
        }
    }
    Ok(ExitStatus::Ok)
}
