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
//! every output set all or nothing; [`keys`] holds the Ed25519 keys and signatures that
//! seal snapshots and sign attestations; [`text`] makes evidence text safe to print or embed;
//! [`pipeline`] is the whole run as one call (inputs and evidence in, the evaluated report
//! out), which every evaluating command makes; [`exit`] is every command's exit status;
//! [`cli`] is the command line: it parses arguments, calls the pipeline and writes.

pub mod archive;
pub mod attest;
pub mod changes;
pub mod cli;
pub mod collect;
pub mod diag;
pub mod diff;
pub mod evaluate;
pub mod exit;
pub mod findings;
pub mod frameworks;
pub mod gate;
pub mod input;
pub mod keys;
pub mod output;
pub mod period;
pub mod pipeline;
pub mod plan;
pub mod profile;
pub mod report;
pub mod rules;
pub mod selectors;
pub mod snapshot;
pub mod strict_json;
pub mod text;
pub mod typeset;
pub mod waivers;

/// Every program built on this library (the `assay` binary, the examples, the tests)
/// allocates through mimalloc: an offline audit builds and frees millions of small strings,
/// maps and CEL values, and glibc's malloc and free were about a third of its CPU at
/// 100,000 resources (see BENCHMARKS.md, "Offline scale"). Set here rather than in
/// `main.rs` so the benchmarks and tests measure the allocator the command uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
