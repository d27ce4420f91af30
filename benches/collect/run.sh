#!/usr/bin/env bash
# The live-scan benchmark: assay collect vs Prowler vs Cloud Custodian on the same seeded
# moto emulator, one fresh server per tool run. See BENCHMARKS.md, "Live scan".
#
#   benches/collect/run.sh [--sizes 1000,10000] [--tools assay,prowler,custodian]
#                          [--scenarios s3,mixed] [--ceiling-seconds 15]
#                          [--latency 20,80] [--throttle] [--replay] [--concurrency N]
#                          [--stores-n N] [--buckets-over-http]
#
# --latency/--throttle/--replay put the layer of benches/collect/realism.py in front of the
# emulator for the timed run (AWS's latency and throttling; see BENCHMARKS.md, "Live scan
# at AWS's latency"); the floor is then the latency's and the throttling's.
#
# --stores-n: the data stores of each type (DynamoDB … AMIs) in the mixed scenario (default:
# the size); --buckets-over-http: seed buckets over HTTP instead of inside the emulator.
#
# Defaults: --sizes 1000 --scenarios s3,mixed, all three tools (~15 min on two cores).
# `--sizes 10000 --scenarios s3` takes ~30 min (Prowler alone ~10); the mixed scenario at
# 10,000 per type is impractical on moto (seeding 10,000 KMS keys costs an RSA key each).
#
# Sets up what is missing (pinned versions, each in its own virtual environment in a cache
# directory, $HOME/.cache/assay by default): moto[server] (the same venv as scripts/test.sh),
# Prowler, Cloud Custodian, and assay's release binary (CARGO_TARGET_DIR defaults to the
# same cache). Then runs benches/collect/bench.py, which prints the tables and keeps raw
# results under benches/results/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE="${ASSAY_CACHE:-$HOME/.cache/assay}"
MOTO_VENV="${ASSAY_MOTO_VENV:-$CACHE/moto-venv}"
PROWLER_VENV="$CACHE/prowler-venv"
CUSTODIAN_VENV="$CACHE/custodian-venv"
MOTO_VERSION=5.1.22
PROWLER_VERSION=5.46.0
CUSTODIAN_VERSION=0.9.53
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"

tools="assay,prowler,custodian"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --tools) tools="${args[$((i + 1))]}" ;;
    --tools=*) tools="${args[$i]#--tools=}" ;;
  esac
done

command -v /usr/bin/time >/dev/null || { echo "needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }

venv() { # venv DIR PYTHON_CHECK PIP_ARGS...
  local dir=$1 check=$2
  shift 2
  if [[ ! -x "$dir/bin/python" ]] || ! "$dir/bin/python" -c "$check" 2>/dev/null; then
    echo "installing $* into $dir (Prowler takes several minutes)" >&2
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  fi
}

venv "$MOTO_VENV" "import moto, boto3, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" \
  "moto[server]==$MOTO_VERSION" 'boto3>=1.35,<2'
[[ ",$tools," == *,prowler,* ]] && venv "$PROWLER_VENV" \
  "import importlib.metadata as m, sys; sys.exit(m.version('prowler') != '$PROWLER_VERSION')" "prowler==$PROWLER_VERSION"
[[ ",$tools," == *,custodian,* ]] && venv "$CUSTODIAN_VENV" \
  "import importlib.metadata as m, sys; sys.exit(m.version('c7n') != '$CUSTODIAN_VERSION')" "c7n==$CUSTODIAN_VERSION"

# ASSAY_BIN=PATH benchmarks another build (an earlier commit's, say) instead.
if [[ -n "${ASSAY_BIN:-}" ]]; then
  [[ -x "$ASSAY_BIN" ]] || { echo "ASSAY_BIN=$ASSAY_BIN is not an executable" >&2; exit 2; }
else
  ASSAY_BIN="$CARGO_TARGET_DIR/release/assay"
fi
if [[ ",$tools," == *,assay,* ]] && { [[ ! -x "$ASSAY_BIN" ]] || [[ -n "${ASSAY_REBUILD:-}" ]]; }; then
  # A cold release build takes ~10 min on two cores (ASSAY_REBUILD=1: rebuild a stale one).
  cargo build --release --locked --bin assay >&2
fi

export ASSAY_BIN PROWLER_BIN="$PROWLER_VENV/bin/prowler" CUSTODIAN_BIN="$CUSTODIAN_VENV/bin/custodian" \
  MOTO_PYTHON="$MOTO_VENV/bin/python"
exec "$MOTO_VENV/bin/python" benches/collect/bench.py "$@"
