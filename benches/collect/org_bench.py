"""Organisations: `assay collect --org` wall time, CPU and memory against the number of
member accounts, on the emulator (benches/collect/org.sh sets it up and calls it).

For each size: a fresh moto server (moto_counting.py, with the latency layer of realism.py
when --latency is given), an organisation of that many members seeded by
tests/emulator/seed.py's `large-organisation` scenario (a bucket in every member, a key in
every fifth, a user in every seventh), then `assay collect --org assay-audit` over
--regions under /usr/bin/time. Prints one table: accounts, wall, CPU, peak RSS, API calls,
calls in flight, and per account. Raw results under benches/results/.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
from bench import Moto, in_flight, loadavg, log, summarise_calls, timed, tool_env  # noqa: E402


def one(args, members, outdir):
    workdir = outdir / f"org-{members}"
    workdir.mkdir(parents=True)
    moto = Moto(args.moto_python, workdir / "moto.log")
    try:
        log(f"org of {members} members: seeding on port {moto.port}")
        out = subprocess.run(
            [args.moto_python, str(REPO / "tests/emulator/seed.py"), "--endpoint", moto.endpoint,
             "--account", "100000000950", "--scenario", "large-organisation", "--members", str(members)],
            capture_output=True, text=True, env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        )
        if out.returncode:
            raise SystemExit(f"seeding {members} members failed:\n{out.stderr[-3000:]}")
        seeded = json.loads(out.stdout)
        env = tool_env(moto.endpoint, workdir)
        env.update(AWS_ACCESS_KEY_ID=seeded["access_key_id"], AWS_SECRET_ACCESS_KEY=seeded["secret_access_key"])
        regions = [a for r in args.regions.split(",") for a in ("--region", r)]
        cmd = [args.assay, "collect", "--org", "assay-audit", *regions, "-o", str(workdir / "snapshot.json")]
        if args.concurrency:
            cmd += ["--concurrency", str(args.concurrency)]
        mode = {"latency": [float(x) for x in args.latency.split(",")]} if args.latency else {}
        if mode:
            moto.realism(mode)
        before, cpu0, load0 = moto.counts(), moto.cpu(), loadavg()
        t = timed(cmd, env, workdir, "collect")
        after = moto.counts()
        rec = {"members": members, "accounts": members + 1, "time": t, "calls": summarise_calls(before, after),
               "moto_cpu": round(moto.cpu() - cpu0, 1), "load_before": load0, "load_after": loadavg(), "realism": mode}
        if mode:
            stats = moto.stats()
            moto.realism({})
            busy = [s for s, k, _ in stats["samples"] if k > 0]
            rec["in_flight"] = dict(zip(("mean", "peak"), in_flight(stats, busy[0], busy[-1]) if busy else (0, 0)))
        snap = json.loads((workdir / "snapshot.json").read_text())
        rec["snapshot"] = {"accounts": len(snap["accounts"]), "resources": len(snap["resources"]),
                           "gaps": len(snap["gaps"]), "bytes": (workdir / "snapshot.json").stat().st_size}
        log(f"  {members + 1} accounts: exit {t['exit']}, wall {t['wall']:.1f} s, CPU {t['user'] + t['sys']:.1f} s, "
            f"RSS {t['rss_mb']:.0f} MB, {rec['calls']['total']} calls, {rec.get('in_flight')}")
        (workdir / "result.json").write_text(json.dumps(rec, indent=1, default=str))
        return rec
    finally:
        moto.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", default="10,50,100")
    ap.add_argument("--regions", default="us-east-1,eu-west-1")
    ap.add_argument("--latency", help="LOW,HIGH ms per call (realism.py), e.g. 20,80")
    ap.add_argument("--concurrency", type=int)
    ap.add_argument("--out", default=str(HERE.parent / "results"))
    args = ap.parse_args()
    args.assay = os.environ.get("ASSAY_BIN", "assay")
    args.moto_python = os.environ.get("MOTO_PYTHON", sys.executable)
    outdir = Path(args.out) / ("org-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    outdir.mkdir(parents=True)
    results = [one(args, int(m), outdir) for m in args.members.split(",")]
    lat = f", latency {args.latency.replace(',', '-')} ms" if args.latency else ""
    lines = [f"\n### --org over {len(args.regions.split(','))} regions{lat}\n",
             "| accounts | wall | CPU (user+sys) | peak RSS | API calls | in flight (mean / peak) | wall per account | CPU per call | load before/after | exit |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        t = r["time"]
        cpu = t["user"] + t["sys"]
        f = r.get("in_flight") or {}
        lines.append(
            f"| {r['accounts']} | {t['wall']:.1f} s | {cpu:.1f} s | {t['rss_mb']:.0f} MB | {r['calls']['total']:,} | "
            f"{f.get('mean', '—')} / {f.get('peak', '—')} | {t['wall'] / r['accounts']:.2f} s | "
            f"{1000 * cpu / max(r['calls']['total'], 1):.2f} ms | {r['load_before'][0]:.1f} / {r['load_after'][0]:.1f} | {t['exit']} |"
        )
    text = "\n".join(lines)
    (outdir / "report.md").write_text(text + "\n")
    print(text)
    print(f"\nresults in {outdir}")


if __name__ == "__main__":
    main()
