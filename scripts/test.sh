#!/usr/bin/env bash
# The test command: the README gives it and CI (.ci/run) calls it.
# Formatting, lints with warnings as errors, then every unit, fixture, golden and CLI test.
set -euo pipefail
cd "$(dirname "$0")/.."

# CI runs in a fresh clone: keep compiled dependencies in a cache outside it so a warm
# machine rebuilds in seconds (the AWS SDK crates take ~10 min cold on two cores).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/assay/target}"
mkdir -p "$CARGO_TARGET_DIR"

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --all-targets --locked
