#!/usr/bin/env bash
# The test command: the README gives it and CI (.ci/run) calls it.
# Formatting, lints with warnings as errors, then every unit, fixture, golden and CLI test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Interrupted (Ctrl-C, a CI job cancelled): stop everything this run started. The test
# binaries end their emulators themselves however they end (tests/it/emulator/mod.rs);
# this also stops cargo and the test binaries when the signal reached only this script.
# Only the script's own process group, and only when it leads one.
if [[ "$(ps -o pgid= -p $$ | tr -d ' ')" == "$$" ]]; then
  trap 'trap - INT TERM; kill -TERM -- -$$ 2>/dev/null; exit 130' INT TERM
fi

# CI runs in a fresh clone: keep compiled dependencies in a cache outside it so a warm
# machine rebuilds in seconds (the AWS SDK crates take ~10 min cold on two cores).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/assay/target}"
mkdir -p "$CARGO_TARGET_DIR"

# The AWS emulator for the live-scan tests (installs it on first use).
source scripts/moto-env.sh

# The linters for the release workflow, the GitHub Action and the Dockerfile.
source scripts/lint-env.sh

# Report tests look at the output as a person would: a headless browser for the HTML
# report, poppler for the PDF pack (Debian packages).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if ((${#missing[@]})) && command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || echo "warning: could not install ${missing[*]}; the report tests that need them will fail" >&2
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --all-targets --locked
