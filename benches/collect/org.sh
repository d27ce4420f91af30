#!/usr/bin/env bash
# Organisations: assay collect --org against the number of member accounts, on the emulator.
# See BENCHMARKS.md, "Organisations".
#
#   benches/collect/org.sh [--members 10,50,100] [--regions us-east-1,eu-west-1]
#                          [--latency 20,80] [--concurrency N]
#
# Uses the moto virtual environment of scripts/test.sh and assay's release binary (built
# if missing; ASSAY_BIN=PATH for another build).
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHE="${ASSAY_CACHE:-$HOME/.cache/assay}"
MOTO_VENV="${ASSAY_MOTO_VENV:-$CACHE/moto-venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
[[ -x "$MOTO_VENV/bin/python" ]] || { echo "no moto virtual environment at $MOTO_VENV: run scripts/test.sh or benches/collect/run.sh first" >&2; exit 2; }
if [[ -z "${ASSAY_BIN:-}" ]]; then
  ASSAY_BIN="$CARGO_TARGET_DIR/release/assay"
  [[ -x "$ASSAY_BIN" ]] || cargo build --release --locked --bin assay >&2
fi
export ASSAY_BIN MOTO_PYTHON="$MOTO_VENV/bin/python"
exec "$MOTO_VENV/bin/python" benches/collect/org_bench.py "$@"
