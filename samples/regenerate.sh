#!/usr/bin/env bash
# Regenerates samples/aws-sample/snapshot.json from a live scan: seeds an AWS emulator
# with the Flightdeck estate (samples/flightdeck/seed.py), replays what the emulator cannot
# hold through the test proxy (tests/it/emulator/estate.rs) and writes what
# `assay collect --org` reads. The same test, without ASSAY_WRITE_SAMPLE, runs in the
# normal suite and fails when the committed sample is not what the scan produces.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/assay/target}"
source scripts/moto-env.sh
ASSAY_WRITE_SAMPLE=1 cargo test --locked --test it -- --exact \
  sample_scan::the_committed_sample_is_what_a_scan_of_the_seeded_estate_produces
git --no-pager diff --stat -- samples/aws-sample/snapshot.json
