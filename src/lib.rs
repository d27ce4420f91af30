//! assay: compliance evidence for AWS accounts.
//!
//! The pipeline, one module per stage:
//! collect (live scan, a later issue) → [`snapshot`] (the evidence inventory) →
//! [`evaluate`] (rules × resources → findings) → [`report`] (JSON, CSV, terminal).
//! [`rules`], [`frameworks`], [`profile`] and [`waivers`] are the inputs that say what
//! must hold; [`diag`] renders problems in those inputs with file, line and column.

pub mod snapshot;
