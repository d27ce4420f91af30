"""assay's own CPU per API call at several sizes, from the same seeded emulator.

    benches/collect/cpu_per_call.py --sizes 1000,10000 [--runs 3] [--perf] BIN [BIN …]

For each size: one emulator, `seed.py`'s s3 scenario (n buckets in three regions), then
each binary given runs `assay collect` `--runs` times, interleaved (A B A B …, so the
machine's load falls on all of them alike), with answers replayed by the latency layer
(`realism.py`, no latency), so the emulator's CPU per call is the same from 1,000 to 10,000
and what is measured is assay's. Prints user+sys CPU ÷ calls per binary and size (median
and spread of the runs). `--perf` records the last run of each under `perf record -g`
(perf.data beside the results) to find where the CPU goes.

Run with the moto venv's python (benches/collect/run.sh sets it up):
    ~/.cache/assay/moto-venv/bin/python benches/collect/cpu_per_call.py --sizes 1000,10000 OLD NEW
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402
import seed  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--out", default=str(HERE.parent / "results"))
    ap.add_argument("bins", nargs="+")
    args = ap.parse_args()
    outdir = Path(args.out) / ("cpu-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    outdir.mkdir(parents=True)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        workdir = outdir / str(n)
        workdir.mkdir()
        moto = bench.Moto(os.environ.get("MOTO_PYTHON", sys.executable), workdir / "moto.log")
        try:
            bench.log(f"n={n}: seeding")
            seeded = seed.seed(moto.endpoint, "s3", n, 4)
            bench.log(f"  seeded in {seeded['seconds']} s")
            bench.warm(moto.endpoint, "s3")
            moto.realism({"record": True})
            paths = {"assay": args.bins[0]}
            bench.run_assay(paths, moto.endpoint, workdir, "s3", name="record")
            moto.realism({"replay": True})
            per = {b: [] for b in args.bins}
            for run in range(args.runs):
                for i, binary in enumerate(args.bins):
                    before = moto.counts()
                    name = f"bin{i}-run{run}"
                    cmd = [binary, "collect", "--endpoint-url", moto.endpoint,
                           *[a for r in seed.REGIONS for a in ("--region", r)], "-o", str(workdir / "snapshot.json")]
                    if args.perf and run == args.runs - 1:
                        cmd = ["perf", "record", "-g", "-F", "499", "-o", str(workdir / f"{name}.perf.data")] + cmd
                    t = bench.timed(cmd, bench.tool_env(moto.endpoint, workdir), workdir, name)
                    calls = sum((moto.counts() - before).values())
                    cpu_ms = (t["user"] + t["sys"]) * 1000 / max(calls, 1)
                    per[binary].append({"calls": calls, "cpu_ms_per_call": round(cpu_ms, 3), **t,
                                        "load": os.getloadavg()[0]})
                    bench.log(f"  {binary}: {calls} calls, {t['user'] + t['sys']:.1f} s CPU, "
                              f"{cpu_ms:.3f} ms/call, wall {t['wall']:.1f} s, RSS {t['rss_mb']:.0f} MB")
            for binary, runs in per.items():
                ms = [r["cpu_ms_per_call"] for r in runs]
                rows.append({"n": n, "bin": binary, "median_ms": statistics.median(ms), "min_ms": min(ms),
                             "max_ms": max(ms), "calls": runs[0]["calls"], "runs": runs})
        finally:
            moto.stop()
        (outdir / "results.json").write_text(json.dumps(rows, indent=1))
    print("| n | binary | calls | CPU per call, median (min–max) |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['bin']} | {r['calls']:,} | {r['median_ms']:.3f} ms ({r['min_ms']:.3f}–{r['max_ms']:.3f}) |")
    print(f"results in {outdir}")


if __name__ == "__main__":
    main()
