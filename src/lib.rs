//! assay: compliance evidence for AWS accounts.
//!
//! The pipeline, one module per stage:
//! collect (live scan, a later issue) → [`snapshot`] (the evidence inventory) →
//! [`evaluate`] (rules × resources → [`findings`]) → [`report`] (JSON, CSV, terminal).
//! [`rules`], [`frameworks`], [`profile`] and [`waivers`] are the inputs that say what
//! must hold; [`diag`] renders problems in those inputs with file, line and column;
//! [`cli`] is the command line.

pub mod cli;
pub mod collect;
pub mod diag;
pub mod evaluate;
pub mod findings;
pub mod frameworks;
pub mod gate;
pub mod plan;
pub mod profile;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod waivers;
