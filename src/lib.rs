//! assay: compliance evidence for AWS accounts.
//!
//! The pipeline, one module per stage:
//! [`collect`] (live scan) or [`plan`] (Terraform) → [`snapshot`] (the evidence inventory) →
//! [`evaluate`] (rules × resources → [`findings`]) → [`report`] (JSON, CSV, HTML, PDF, CI
//! formats), [`gate`] (the CI gate) and [`attest`] (signed customer attestations).
//! [`rules`], [`frameworks`], [`profile`] and [`waivers`] are the inputs that say what
//! must hold; [`diag`] renders problems in those inputs with file, line and column;
//! [`strict_json`] reads every JSON input, refusing a key given twice;
//! [`input`] reads every input file (regular files only, size-capped), [`output`] writes
//! every output set all or nothing;
//! [`cli`] is the command line.

pub mod archive;
pub mod attest;
pub mod cli;
pub mod collect;
pub mod diag;
pub mod diff;
pub mod evaluate;
pub mod findings;
pub mod frameworks;
pub mod gate;
pub mod input;
pub mod output;
pub mod period;
pub mod plan;
pub mod profile;
pub mod report;
pub mod rules;
pub mod selectors;
pub mod snapshot;
pub mod strict_json;
pub mod typeset;
pub mod waivers;
