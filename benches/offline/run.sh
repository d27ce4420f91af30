#!/usr/bin/env bash
# The offline-scale benchmark: `assay snapshot verify`, `assay evaluate` and `assay audit`
# (every format) on the bundled sample replicated to ~10k, ~40k and ~100k resources.
# See BENCHMARKS.md, "Offline scale".
#
#   benches/offline/run.sh [--resources 10000,40000,100000 | --copies 15,60,151] [--formats json,csv,html,pdf] [--work DIR] [--no-build]
#
# Each size is a snapshot written by `examples/scale_snapshot.rs` (the sample under new
# account ids and bucket names, raw responses rehashed, resealed). `--resources` gives the
# sizes wanted, each made with as many copies of the sample as come nearest (the sample
# grows as collectors are added: 662 resources a copy at the fifth round); `--copies`
# gives the copies directly.
# Every command runs under GNU time (wall seconds, peak RSS). Two floors are measured in
# the same run: `sha256sum` of the snapshot file (reading and hashing its bytes once: no
# verification can take less) and `assay snapshot verify` (evaluate and audit load and
# verify the snapshot first). Needs ~4 GB of disk at the default sizes; the snapshots and
# outputs are kept under --work (default benches/results/offline, not committed). Then
# `examples/scale_phases.rs` times each phase in one process (load + verify, evaluate,
# report model, each writer into a sink) with the peak RSS after each. `--no-build` takes
# the release binaries already in the target directory as they are (a release build of a
# large crate takes many minutes on a loaded machine).
set -euo pipefail
cd "$(dirname "$0")/../.."

copies=""
resources_wanted="10000,40000,100000"
formats="json,csv,html,pdf"
work="benches/results/offline"
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --copies) copies="$2"; shift 2 ;;
    --resources) resources_wanted="$2"; shift 2 ;;
    --formats) formats="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v /usr/bin/time >/dev/null || { echo "needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/assay/target}"
mkdir -p "$work"
# Build, then copy: a shared target directory may hold another checkout's binary later.
if [[ $build == 1 ]]; then
  cargo build --release --locked --bin assay --example scale_snapshot --example scale_phases >&2
fi
cp "$CARGO_TARGET_DIR/release/assay" "$work/assay"
cp "$CARGO_TARGET_DIR/release/examples/scale_snapshot" "$work/scale_snapshot"
cp "$CARGO_TARGET_DIR/release/examples/scale_phases" "$work/scale_phases"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

per_copy=$(python3 -c 'import json;print(len(json.load(open("samples/aws-sample/snapshot.json"))["resources"]))')
if [[ -z $copies ]]; then
  copies=$(for r in ${resources_wanted//,/ }; do echo $(( (r + per_copy / 2) / per_copy )); done | paste -sd,)
fi
echo "$per_copy resources a copy of the sample; copies: $copies"

profile=samples/air-maestro/profile.yaml
waivers=samples/waivers.yaml
now=2026-12-04T00:00:00Z

# timed NAME CMD...: runs CMD under GNU time; prints "seconds MB cpu-seconds" of wall time,
# peak RSS and CPU time (user + sys: the steadier measure on a shared machine).
timed() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || true
  # GNU time writes "Command exited with non-zero status N" first when N != 0 (evaluate
  # and audit exit 1 on the sample's failures): the measurement is the last line.
  tail -1 "$work/$name.time" | awk '{printf "%.2f %.0f %.2f", $1, $2 / 1024, $3 + $4}'
}

printf '| resources | findings | snapshot | sha256sum | verify: wall, CPU, RSS | evaluate: wall, CPU, RSS | audit (%s): wall, CPU | audit peak RSS | verify ÷ sha256sum | load average |\n' "$formats"
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for n in ${copies//,/ }; do
  snap="$work/snapshot-$n.json"
  [[ -s "$snap" ]] || "$work/scale_snapshot" "$n" "$snap" >&2
  resources=$(( n * per_copy ))
  size_mb=$(du -m "$snap" | cut -f1)
  cat "$snap" >/dev/null # the file in the page cache for every run alike
  read -r floor_s _ _ <<<"$(timed "sha256-$n" sha256sum "$snap")"
  read -r verify_s verify_mb verify_cpu <<<"$(timed "verify-$n" "$work/assay" snapshot verify "$snap")"
  read -r eval_s eval_mb eval_cpu <<<"$(timed "evaluate-$n" "$work/assay" evaluate --snapshot "$snap" \
    --profile "$profile" --waivers "$waivers" --now "$now")"
  rm -rf "$work/out-$n"
  read -r audit_s audit_mb audit_cpu <<<"$(timed "audit-$n" "$work/assay" audit --snapshot "$snap" \
    --profile "$profile" --waivers "$waivers" --now "$now" --format "$formats" --out "$work/out-$n" --quiet)"
  findings=$(python3 -c 'import json,sys;print(len(json.load(open(sys.argv[1]))["findings"]))' "$work/evaluate-$n.out" 2>/dev/null || echo "?")
  printf '| %s | %s | %s MB | %s s | %s s, %s s, %s MB | %s s, %s s, %s MB | %s s, %s s | %s MB | %s | %s |\n' \
    "$resources" "$findings" "$size_mb" "$floor_s" "$verify_s" "$verify_cpu" "$verify_mb" \
    "$eval_s" "$eval_cpu" "$eval_mb" "$audit_s" "$audit_cpu" "$audit_mb" \
    "$(awk -v a="$verify_s" -v b="$floor_s" 'BEGIN{printf "%.1f", a/b}')" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  for step in verify evaluate audit; do
    [[ -s "$work/$step-$n.err" ]] && { echo "  $step at $n copies wrote to stderr:" >&2; head -3 "$work/$step-$n.err" >&2; }
  done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Where the time goes, phase by phase in one process (examples/scale_phases.rs).
for n in ${copies//,/ }; do
  echo
  echo "phases at $n copies:"
  "$work/scale_phases" "$work/snapshot-$n.json"
done
