"""The live-scan benchmark driver (benches/collect/run.sh sets it up and calls it).

For every size × scenario × tool: a fresh moto server on a free loopback port (with the
request counter of moto_counting.py), the same seed, a warm-up, the emulator's ceiling
measured by a small load generator, then the tool under `/usr/bin/time -v`. Prints one
table per size and scenario with wall, CPU, peak RSS, API calls, calls/s, the floor
(calls ÷ ceiling) and the ratios between tools, then what each tool found beside what the
seed implies. Raw results (JSON, tool logs and outputs) go under benches/results/.
"""

import argparse
import csv
import datetime as dt
import glob
import http.client
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

import boto3

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import seed  # noqa: E402
from realism import FAMILIES  # noqa: E402

REGIONS = seed.REGIONS
SERVICES = {"s3": ["s3"], "mixed": ["s3", "ec2", "iam", "kms", "rds"]}
CLK = os.sysconf("SC_CLK_TCK")

# Each compared question: the seed's answer, and where each tool's answer comes from.
# assay: (rule id, status); prowler: (check id, status); custodian: policy name (matches).
QUESTIONS = [
    ("s3.no_default_encryption", "S3 buckets without default encryption", None,
     ("s3_bucket_default_encryption", "FAIL"), "s3-no-default-encryption"),
    ("s3.not_sse_kms", "S3 buckets not SSE-KMS", None,
     ("s3_bucket_kms_encryption", "FAIL"), "s3-not-sse-kms"),
    ("s3.not_kms_rotating_cmk", "S3 buckets not SSE-KMS with a rotating CMK",
     ("encryption.s3-bucket-kms-cmk", "FAIL"), None, None),
    ("s3.versioning_off", "S3 buckets without versioning", None,
     ("s3_bucket_object_versioning", "FAIL"), "s3-versioning-off"),
    ("s3.no_public_access_block", "S3 buckets without a public access block", None,
     ("s3_bucket_level_public_access_block", "FAIL"), "s3-no-public-access-block"),
    ("kms.rotation_off", "customer KMS keys without rotation",
     ("encryption.kms-cmk-rotation", "FAIL"), ("kms_cmk_rotation_enabled", "FAIL"), "kms-rotation-off"),
    ("ec2.sg_ssh_open", "security groups with SSH open to 0.0.0.0/0",
     ("network.no-public-admin-ports", "FAIL"),
     ("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "FAIL"), "sg-ssh-open"),
    ("ec2.volume_unencrypted", "EBS volumes unencrypted", None, ("ec2_ebs_volume_encryption", "FAIL"), "ebs-unencrypted"),
    ("ec2.volume_not_cmk", "EBS volumes not encrypted with a CMK",
     ("encryption.ebs-volume-kms-cmk", "FAIL"), None, None),
    ("iam.console_no_mfa", "IAM console users without MFA",
     ("iam.console-users-mfa", "FAIL"), ("iam_user_mfa_enabled_console_access", "FAIL"), "iam-console-no-mfa"),
    ("rds.unencrypted", "RDS instances unencrypted", None, ("rds_instance_storage_encrypted", "FAIL"), "rds-unencrypted"),
]

# Resources each tool evaluated, by type: assay snapshot type / custodian inventory policy.
TYPES = [
    ("S3 buckets", "aws_s3_bucket", "s3-all", "s3_bucket_default_encryption"),
    ("KMS keys", "aws_kms_key", "kms-all", "kms_cmk_rotation_enabled"),
    ("security groups", "aws_security_group", "sg-all", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"),
    ("EBS volumes", "aws_ebs_volume", "ebs-all", "ec2_ebs_volume_encryption"),
    ("IAM users", "aws_iam_user", "iam-user-all", "iam_user_mfa_enabled_console_access"),
    ("RDS instances", "aws_rds_instance", "rds-all", "rds_instance_storage_encrypted"),
] + [(kind, kind, None, None) for kind, _ in seed.STORES]  # the data stores: assay only


def log(msg):
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg():
    return os.getloadavg()


class Moto:
    def __init__(self, python, logfile):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false", MOTO_IAM_LOAD_MANAGED_POLICIES="true")
        self.log = open(logfile, "w")
        self.proc = subprocess.Popen(
            [python, str(HERE / "moto_counting.py"), str(self.port)], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/moto-api/")
                if c.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"moto did not start on port {self.port}; see {logfile}")

    def cpu(self):
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK

    def rss_mb(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0

    def counts(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("GET", "/__bench/counts")
        rows = json.loads(c.getresponse().read())
        return Counter({(r["service"], r["region"], r["operation"], r["status"]): r["n"] for r in rows})

    def realism(self, mode):
        """Turns the latency/throttling/replay layer on (a mode) or off ({})."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("POST", "/__bench/realism", body=json.dumps(mode), headers={"Content-Type": "application/json"})
        c.getresponse().read()

    def stats(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("GET", "/__bench/stats")
        return json.loads(c.getresponse().read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def boto(endpoint, service, region="us-east-1"):
    return boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def warm(endpoint, scenario):
    """Loads every backend the tools will touch (moto loads each lazily, EC2 takes seconds)."""
    boto(endpoint, "sts").get_caller_identity()
    boto(endpoint, "s3").list_buckets()
    for region in REGIONS:
        ec2 = boto(endpoint, "ec2", region)
        ec2.describe_regions()
        ec2.describe_vpcs()
        boto(endpoint, "kms", region).list_keys()
        boto(endpoint, "rds", region).describe_db_instances()
        boto(endpoint, "cloudtrail", region).describe_trails()
        boto(endpoint, "config", region).describe_configuration_recorders()
        boto(endpoint, "backup", region).list_backup_plans()
        # the data-store services every scan reads (empty in the s3 scenario)
        boto(endpoint, "dynamodb", region).list_tables()
        boto(endpoint, "logs", region).describe_log_groups()
        boto(endpoint, "efs", region).describe_file_systems()
        boto(endpoint, "secretsmanager", region).list_secrets()
        boto(endpoint, "sqs", region).list_queues()
        boto(endpoint, "sns", region).list_topics()
        boto(endpoint, "kinesis", region).list_streams()
        boto(endpoint, "ecr", region).describe_repositories()
        boto(endpoint, "lambda", region).list_functions()
        boto(endpoint, "redshift", region).describe_clusters()
        boto(endpoint, "elasticache", region).describe_cache_clusters()
        boto(endpoint, "opensearch", region).list_domain_names()
        boto(endpoint, "rds", region).describe_db_clusters()
    boto(endpoint, "iam").get_account_summary()


# --- the emulator's ceiling --------------------------------------------------------------


def auth(region, service):
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0",
        "X-Amz-Date": "20260101T000000Z",
    }


def ceiling_requests(endpoint, scenario, n):
    """The per-resource reads a scan is made of, as raw HTTP requests (moto does not check
    signatures): S3 bucket GETs; in the mixed scenario also KMS, IAM, EC2 and RDS reads."""
    rnd = random.Random(7)
    reqs = []
    for _ in range(400):
        i = rnd.randrange(n)
        sub = rnd.choice(["encryption", "versioning", "location", "publicAccessBlock"])
        reqs.append(("GET", f"/{seed.bucket_name(i)}?{sub}", b"", auth(seed.region_of(i), "s3")))
    if scenario == "mixed":
        form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        keys = {r: [k["KeyId"] for k in boto(endpoint, "kms", r).list_keys()["Keys"]] for r in REGIONS}
        vols = {r: [v["VolumeId"] for v in boto(endpoint, "ec2", r).describe_volumes()["Volumes"]] for r in REGIONS}
        for _ in range(100):
            r = rnd.choice(REGIONS)
            body = json.dumps({"KeyId": rnd.choice(keys[r])}).encode()
            h = dict(auth(r, "kms"), **{"X-Amz-Target": "TrentService.GetKeyRotationStatus", "Content-Type": "application/x-amz-json-1.1"})
            reqs.append(("POST", "/", body, h))
            i = rnd.randrange(n)
            body = urlencode({"Action": "ListMFADevices", "Version": "2010-05-08", "UserName": f"bench-user-{i:05d}"}).encode()
            reqs.append(("POST", "/", body, dict(auth("us-east-1", "iam"), **form)))
            body = urlencode({"Action": "DescribeVolumes", "Version": "2016-11-15", "VolumeId.1": rnd.choice(vols[r])}).encode()
            reqs.append(("POST", "/", body, dict(auth(r, "ec2"), **form)))
            i = rnd.randrange(n)
            body = urlencode({"Action": "DescribeDBInstances", "Version": "2014-10-31", "DBInstanceIdentifier": f"bench-db-{i:05d}"}).encode()
            reqs.append(("POST", "/", body, dict(auth(seed.region_of(i), "rds"), **form)))
    rnd.shuffle(reqs)
    return reqs


def ceiling(moto, scenario, n, seconds, threads):
    """Responses per second moto sustains for a concurrent loop of per-resource reads."""
    reqs = ceiling_requests(moto.endpoint, scenario, n)
    statuses = Counter()
    lock = threading.Lock()
    deadline = [0.0]

    def worker(k):
        conn = http.client.HTTPConnection("127.0.0.1", moto.port, timeout=60)
        local = Counter()
        idx = k * 37
        while time.monotonic() < deadline[0]:
            method, path, body, headers = reqs[idx % len(reqs)]
            idx += 1
            try:
                conn.request(method, path, body=body or None, headers=headers)
                resp = conn.getresponse()
                resp.read()
                local[resp.status] += 1
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", moto.port, timeout=60)
            except (OSError, http.client.HTTPException):
                local["error"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", moto.port, timeout=60)
        with lock:
            statuses.update(local)

    # A short untimed pass first (connections, code paths), then the timed one.
    for span in (2.0, seconds):
        statuses.clear()
        deadline[0] = time.monotonic() + span
        start, cpu0 = time.monotonic(), moto.cpu()
        ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        elapsed = time.monotonic() - start
    total = sum(v for k, v in statuses.items() if k != "error")
    bad = {str(k): v for k, v in statuses.items() if k == "error" or (isinstance(k, int) and k >= 500)}
    return {
        "calls_per_s": round(total / elapsed, 1),
        "seconds": round(elapsed, 1),
        "threads": threads,
        "moto_cpu_share": round((moto.cpu() - cpu0) / elapsed, 2),
        "statuses": {str(k): v for k, v in statuses.items()},
        "server_errors": bad,
    }


# --- the tools ---------------------------------------------------------------------------


def tool_env(endpoint, workdir):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=str(workdir / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(workdir / "aws-credentials"),
        HOME=str(workdir / "home"),
        NO_COLOR="1",
    )
    (workdir / "home").mkdir(parents=True, exist_ok=True)
    return env


def timed(cmd, env, workdir, name, cwd=None):
    """Runs cmd under /usr/bin/time -v; returns exit status, wall, user, sys, max RSS."""
    timefile = workdir / f"{name}.time"
    with open(workdir / f"{name}.out", "w") as out, open(workdir / f"{name}.err", "w") as err:
        rc = subprocess.run(
            ["/usr/bin/time", "-v", "-o", str(timefile)] + cmd, env=env, stdout=out, stderr=err, cwd=cwd or workdir
        ).returncode
    text = timefile.read_text()

    def field(label):
        m = re.search(rf"^\s*{re.escape(label)}: (.+)$", text, re.M)
        return m.group(1).strip() if m else "0"

    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    return {
        "exit": rc,
        "wall": wall,
        "user": float(field("User time (seconds)")),
        "sys": float(field("System time (seconds)")),
        "rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
    }


def run_assay(paths, endpoint, workdir, scenario, extra=(), name="collect"):
    env = tool_env(endpoint, workdir)
    regions = [a for r in REGIONS for a in ("--region", r)]
    snap = workdir / "snapshot.json"
    collect = timed([paths["assay"], "collect", "--endpoint-url", endpoint, *regions, *extra, "-o", str(snap)], env, workdir, name)
    found, resources = {}, {}
    evaluate = None
    if snap.exists():
        evaluate = timed(
            [paths["assay"], "evaluate", "--snapshot", str(snap),
             "--profile", str(HERE / ("profile-mixed.yaml" if scenario == "mixed" else "profile.yaml")),
             "--rules", os.environ.get("ASSAY_RULES", str(REPO / "rules"))],
            env, workdir, "evaluate",
        )
        found, resources = assay_found(workdir)
    return collect, evaluate, found, resources


def assay_found(workdir):
    snap = json.loads((workdir / "snapshot.json").read_text())
    resources = Counter(r.get("type") for r in snap["resources"])
    text = (workdir / "evaluate.out").read_text()
    found = Counter()
    try:
        data = json.loads(text)
        findings = data["findings"] if isinstance(data, dict) else data
        for f in findings:
            found[(f.get("rule_id") or f.get("rule"), f.get("status"))] += 1
    except (ValueError, KeyError):
        pass
    gaps = len(snap.get("gaps", []))
    return {f"{r}|{s}": n for (r, s), n in found.items()}, dict(resources, _gaps=gaps)


def run_prowler(paths, endpoint, workdir, scenario):
    env = tool_env(endpoint, workdir)
    out = workdir / "prowler-out"
    cmd = [
        paths["prowler"], "aws", "--service", *SERVICES[scenario], "-f", *REGIONS,
        "--scan-unused-services", "--no-banner", "--no-color", "-M", "csv", "-o", str(out), "--ignore-exit-code-3",
    ]
    t = timed(cmd, env, workdir, "prowler")
    found, uids = Counter(), defaultdict(set)
    for path in glob.glob(str(out / "*.csv")):
        with open(path, newline="") as f:
            for row in csv.DictReader(f, delimiter=";"):
                found[(row.get("CHECK_ID"), row.get("STATUS"))] += 1
                uids[row.get("CHECK_ID")].add(row.get("RESOURCE_UID"))
    return t, {f"{c}|{s}": n for (c, s), n in found.items()}, {c: len(u) for c, u in uids.items()}


def run_custodian(paths, endpoint, workdir, scenario):
    env = tool_env(endpoint, workdir)
    out = workdir / "custodian-out"
    regions = [a for r in REGIONS for a in ("--region", r)]
    policy = HERE / f"custodian-{scenario}.yml"
    cmd = [paths["custodian"], "run", "-s", str(out), "--cache", str(workdir / "c7n.cache"), *regions, str(policy)]
    t = timed(cmd, env, workdir, "custodian")
    found = Counter()
    api = Counter()
    for path in glob.glob(str(out / "**" / "resources.json"), recursive=True):
        policy_name = Path(path).parent.name
        found[policy_name] += len(json.loads(Path(path).read_text()))
    for path in glob.glob(str(out / "**" / "metadata.json"), recursive=True):
        meta = json.loads(Path(path).read_text())
        api.update(meta.get("api-stats", {}))
    return t, dict(found), dict(api)


# --- the matrix --------------------------------------------------------------------------


def summarise_calls(before, after):
    delta = after - before
    total = sum(delta.values())
    by_service = Counter()
    by_op = Counter()
    errors = Counter()
    for (service, region, op, status), n in delta.items():
        by_service[service] += n
        by_op[f"{service}:{op}"] += n
        if not status.startswith("2"):
            errors[f"{service}:{op} {status}"] += n
    return {
        "total": total,
        "by_service": dict(by_service),
        "top_operations": dict(by_op.most_common(25)),
        "non_2xx": dict(errors.most_common(25)),
    }


def realism_mode(args):
    """The latency/throttling layer's mode for the timed run ({} when off)."""
    mode = {}
    if args.latency:
        mode["latency"] = [float(x) for x in args.latency.split(",")]
    if args.throttle:
        mode["throttle"] = True
    if args.replay:
        mode["replay"] = True
    return mode


def throttle_floor(calls_by_key, families):
    """Seconds the throttling alone forces: per account (one here), region and family,
    the calls past the burst at the refill rate."""
    per_family = Counter()
    for (service, region, op, status), n in calls_by_key.items():
        if status in ("503", "400"):  # throttled (or refused): not a call that had to be served
            continue
        fam = None
        for fam_service, prefix, burst, rate in families:
            if fam_service in ("", service) and op.startswith(prefix):
                fam = (region, service, op if service == "s3" else prefix, burst, rate)
                break
        if fam:
            per_family[fam] += n
    worst, which = 0.0, None
    for (region, service, name, burst, rate), n in per_family.items():
        t = max(0.0, (n - burst) / rate)
        if t > worst:
            worst, which = t, f"{service}:{name or '*'} in {region}"
    return round(worst, 1), which


def in_flight(stats, start, end):
    """Mean and peak calls in flight between start and end (monotonic seconds of the server)."""
    window = [n for t, n, _ in stats["samples"] if start <= t <= end]
    if not window:
        window = [n for _, n, _ in stats["samples"]]
    return (round(sum(window) / len(window), 1) if window else 0, stats["peak_in_flight"])


def by_service(samples, start, end):
    """Per service: the first and last second of the run with its calls in flight, their
    mean over the samples in that span, and the peak; plus the run's calls in flight per
    service per second (`per_second`), to see which service is alone at the end."""
    out = {}
    per_second = defaultdict(lambda: defaultdict(list))
    window = [(t - start, by) for t, _, by in samples if start <= t <= end]
    services = {svc for _, by in window for svc in by}
    for svc in services:
        active = [t for t, by in window if by.get(svc)]
        span = [by.get(svc, 0) for t, by in window if active[0] <= t <= active[-1]]
        out[svc] = {"first_s": round(active[0], 1), "last_s": round(active[-1], 1),
                    "mean_active": round(sum(span) / len(span), 1), "peak": max(span)}
    for t, by in window:
        for svc in services:
            per_second[int(t)][svc].append(by.get(svc, 0))
    for svc in out:
        out[svc]["per_second"] = [round(sum(per_second[s][svc]) / len(per_second[s][svc]), 1)
                                  for s in sorted(per_second)]
    return out


def one_run(args, paths, scenario, n, tool, outdir):
    workdir = outdir / f"{scenario}-{n}-{tool}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    moto = Moto(paths["moto_python"], workdir / "moto.log")
    try:
        log(f"{scenario} n={n} {tool}: seeding on port {moto.port}")
        seeded = seed.seed(moto.endpoint, scenario, n, args.seed_threads, args.stores_n, args.buckets_over_http)
        log(f"  seeded in {seeded['seconds']} s: {seeded['counts']}")
        warm(moto.endpoint, scenario)
        mode = realism_mode(args)
        assay_extra = ["--concurrency", str(args.concurrency)] if args.concurrency else []
        if mode:
            # The floor is the latency's and the throttling's, not the emulator's.
            ceil = {"calls_per_s": 0, "moto_cpu_share": 0, "skipped": "latency layer on"}
            if mode.get("replay"):
                # One unmeasured run records moto's answers; the timed run is answered from them.
                log("  recording the emulator's answers for replay")
                moto.realism({"record": True})
                if tool == "assay":
                    run_assay(paths, moto.endpoint, workdir, scenario, assay_extra, name="record")
                elif tool == "prowler":
                    run_prowler(paths, moto.endpoint, workdir, scenario)
                else:
                    run_custodian(paths, moto.endpoint, workdir, scenario)
            moto.realism(mode)
        else:
            ceil = ceiling(moto, scenario, n, args.ceiling_seconds, args.ceiling_threads)
            log(f"  emulator ceiling {ceil['calls_per_s']} calls/s (moto CPU {ceil['moto_cpu_share']} cores)")
        before, cpu0, load0 = moto.counts(), moto.cpu(), loadavg()
        rec = {"tool": tool, "scenario": scenario, "n": n, "seed": seeded, "ceiling": ceil, "load_before": load0,
               "realism": mode}
        if tool == "assay":
            t, evaluate, found, resources = run_assay(paths, moto.endpoint, workdir, scenario, assay_extra)
            rec["evaluate"] = evaluate
        elif tool == "prowler":
            t, found, resources = run_prowler(paths, moto.endpoint, workdir, scenario)
        else:
            t, found, resources = run_custodian(paths, moto.endpoint, workdir, scenario)
        after = moto.counts()
        if mode:
            stats = moto.stats()
            moto.realism({})
            rec["layer"] = {k: v for k, v in stats.items() if k != "samples"}
            samples = stats["samples"]
            # The tool's run is the span with calls in flight.
            busy = [t for t, k, _ in samples if k > 0]
            mean, peak = in_flight(stats, busy[0], busy[-1]) if busy else (0, stats["peak_in_flight"])
            rec["in_flight"] = {"mean": mean, "peak": peak, "connections": stats["connections"]}
            if busy:
                rec["in_flight_by_service"] = by_service(samples, busy[0], busy[-1])
                log("  in flight per service (from s to s of the run: mean while active / peak):")
                for svc, v in sorted(rec["in_flight_by_service"].items(), key=lambda kv: kv[1]["last_s"]):
                    log(f"    {svc:16} {v['first_s']:6.1f} - {v['last_s']:6.1f} s: {v['mean_active']:5.1f} / {v['peak']}")
            delta = after - before
            calls = sum(delta.values())
            throttled = sum(stats["throttled"].values())
            lat = mode.get("latency") or [0, 0]
            conc = args.floor_concurrency
            latency_floor = (calls - throttled) * (sum(lat) / 2 / 1000) / conc
            from_throttle, family = throttle_floor(delta, FAMILIES) if mode.get("throttle") else (0.0, None)
            rec["floor"] = {"latency_s": round(latency_floor, 1), "concurrency": conc,
                            "throttle_s": from_throttle, "throttle_family": family,
                            "throttled_calls": throttled}
        rec.update(
            time=t,
            calls=summarise_calls(before, after),
            moto_cpu=round(moto.cpu() - cpu0, 1),
            moto_rss_mb=round(moto.rss_mb()),
            load_after=loadavg(),
            found=found,
            resources=resources,
        )
        calls = rec["calls"]["total"]
        rec["calls_per_s"] = round(calls / t["wall"], 1) if t["wall"] else 0
        if mode:
            rec["floor_s"] = max(rec["floor"]["latency_s"], rec["floor"]["throttle_s"]) or None
            log(f"  layer: {rec['in_flight']}, floor {rec['floor']}")
        else:
            rec["floor_s"] = round(calls / ceil["calls_per_s"], 1) if ceil["calls_per_s"] else None
        log(
            f"  {tool}: exit {t['exit']}, wall {t['wall']:.1f} s, CPU {t['user'] + t['sys']:.1f} s, "
            f"RSS {t['rss_mb']:.0f} MB, {calls} calls ({rec['calls_per_s']}/s), floor {rec['floor_s']} s, "
            f"moto CPU {rec['moto_cpu']} s"
        )
        (workdir / "result.json").write_text(json.dumps(rec, indent=1, default=str))
        return rec
    finally:
        moto.stop()


def total_time(rec):
    """The scan as a user runs it: assay's collect plus evaluate; the others' single run."""
    t = dict(rec["time"])
    e = rec.get("evaluate")
    if e:
        t = {"wall": t["wall"] + e["wall"], "user": t["user"] + e["user"], "sys": t["sys"] + e["sys"],
             "rss_mb": max(t["rss_mb"], e["rss_mb"]), "exit": t["exit"]}
    return t


def fmt_s(x):
    return f"{x:.1f} s" if x < 100 else f"{x:.0f} s"


def realism_table(mode, by_tool, scenario, n, tools):
    lat = mode.get("latency")
    what = ", ".join(
        x for x in [f"latency {lat[0]:.0f}-{lat[1]:.0f} ms" if lat else "", "throttled" if mode.get("throttle") else "",
                    "answers replayed" if mode.get("replay") else ""] if x
    )
    lines = [f"\n### {scenario}, {n:,} per type, 3 regions, {what}\n",
             "| tool | wall | CPU (user+sys) | load before/after | API calls | throttled answers | in flight (mean / peak) | "
             "latency floor | throttling floor | wall ÷ latency floor | wall ÷ throttling floor | exit |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for tool in tools:
        r = by_tool.get(tool)
        if not r:
            continue
        t = total_time(r)
        label = tool
        if tool == "assay" and r.get("evaluate"):
            label = f"assay (collect {fmt_s(r['time']['wall'])} + evaluate {fmt_s(r['evaluate']['wall'])})"
        f = r["floor"]
        fam = f" ({f['throttle_family']})" if f.get("throttle_family") else ""
        lines.append(
            f"| {label} | {fmt_s(t['wall'])} | {fmt_s(t['user'] + t['sys'])} | {r['load_before'][0]:.1f} / {r['load_after'][0]:.1f} | "
            f"{r['calls']['total']:,} | {f['throttled_calls']:,} | {r['in_flight']['mean']} / {r['in_flight']['peak']} | "
            f"{fmt_s(f['latency_s'])} at {f['concurrency']} | {fmt_s(f['throttle_s'])}{fam} | "
            f"{r['time']['wall'] / f['latency_s'] if f['latency_s'] else 0:.2f} | "
            f"{r['time']['wall'] / f['throttle_s'] if f['throttle_s'] else 0:.2f} | {t['exit']} |"
        )
    lines.append("\n(the ratios are collect's wall against each floor; the latency floor is the calls "
                 "served × the mean latency ÷ the calls in flight it assumes; the throttling floor is the calls past "
                 "the burst of the busiest family ÷ its rate.)")
    return lines


def assay_coverage(a, scenario, n):
    """What assay's snapshot holds per seeded type, its findings by status, and (mixed) its
    residency FAILs per rule beside the seed's count in the region not allowed."""
    seeded = a["seed"]["counts"]
    keys = {"S3 buckets": "s3_buckets", "KMS keys": "kms_keys", "security groups": "security_groups",
            "EBS volumes": "ebs_volumes", "IAM users": "iam_users", "RDS instances": "rds_instances",
            **{kind: kind for kind, _ in seed.STORES}}
    cells = [f"{label} {a['resources'].get(atype, 0):,}/{seeded[keys[label]]:,}"
             for label, atype, _, _ in TYPES if seeded.get(keys[label])]
    lines = ["\nassay's snapshot, resources per type / seeded: " + ", ".join(cells)]
    statuses = Counter()
    for k, v in a["found"].items():
        statuses[k.split("|")[1]] += v
    lines.append(f"\nassay findings by status: {dict(statuses)}; gaps in the snapshot: {a['resources'].get('_gaps', 0)}")
    if scenario == "mixed":
        # profile-mixed.yaml does not allow ap-southeast-2: resource i with i % 3 == 2
        outside = {k.split("|")[0]: v for k, v in a["found"].items()
                   if k.startswith("residency.") and k.endswith("-region|FAIL")}
        stores_n = a["seed"].get("stores_n", n)
        lines.append(f"assay residency FAILs per rule (ap-southeast-2 not allowed; the seed puts "
                     f"{n // 3:,} of each first type and {stores_n // 3:,} of each data store there): "
                     + ", ".join(f"{k} {v:,}" for k, v in sorted(outside.items())))
    return lines


def report(results, sizes, scenarios, tools):
    lines = []
    for scenario in scenarios:
        for n in sizes:
            rows = [r for r in results if r["scenario"] == scenario and r["n"] == n]
            if not rows:
                continue
            by_tool = {r["tool"]: r for r in rows}
            if rows[0].get("realism"):
                lines.extend(realism_table(rows[0]["realism"], by_tool, scenario, n, tools))
                if "assay" in by_tool:
                    lines.extend(assay_coverage(by_tool["assay"], scenario, n))
                continue
            lines.append(f"\n### {scenario}, {n:,} per type, 3 regions\n")
            lines.append(
                "| tool | wall | CPU (user+sys) | peak RSS | API calls | calls/s | emulator ceiling | floor (calls ÷ ceiling) | wall ÷ floor | moto CPU | exit |"
            )
            lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
            for tool in tools:
                r = by_tool.get(tool)
                if not r:
                    continue
                t = total_time(r)
                label = tool
                if tool == "assay" and r.get("evaluate"):
                    label = f"assay (collect {fmt_s(r['time']['wall'])} + evaluate {fmt_s(r['evaluate']['wall'])})"
                floor = r["floor_s"] or 0
                lines.append(
                    f"| {label} | {fmt_s(t['wall'])} | {fmt_s(t['user'] + t['sys'])} | {t['rss_mb']:.0f} MB | "
                    f"{r['calls']['total']:,} | {r['calls_per_s']:.0f} | {r['ceiling']['calls_per_s']:.0f}/s | "
                    f"{fmt_s(floor)} | {t['wall'] / floor if floor else 0:.2f} | {r['moto_cpu']:.0f} s | {t['exit']} |"
                )
            if "assay" in by_tool:
                a = by_tool["assay"]
                at = total_time(a)
                for other in [t for t in tools if t != "assay" and t in by_tool]:
                    o = by_tool[other]
                    ot = total_time(o)
                    lines.append(
                        f"\nassay ÷ {other}: wall {at['wall'] / ot['wall']:.3f} (×{ot['wall'] / at['wall']:.1f} faster), "
                        f"CPU {(at['user'] + at['sys']) / max(ot['user'] + ot['sys'], 0.01):.3f}, "
                        f"RSS {at['rss_mb'] / ot['rss_mb']:.2f}, calls {a['calls']['total'] / max(o['calls']['total'], 1):.2f}"
                    )
            lines.append("\nWhat each tool found (the seed's answer first; — = no equivalent check):\n")
            lines.append("| question | seed | " + " | ".join(t for t in tools if t in by_tool) + " |")
            lines.append("|---|---" + "|---" * len([t for t in tools if t in by_tool]) + "|")
            exp = seed.expected(scenario, n)
            for key, label, a_src, p_src, c_src in QUESTIONS:
                if key not in exp:
                    continue
                want = exp[key]
                cells = []
                for tool in tools:
                    r = by_tool.get(tool)
                    if not r:
                        continue
                    if tool == "assay":
                        v = r["found"].get(f"{a_src[0]}|{a_src[1]}", 0) if a_src else "—"
                    elif tool == "prowler":
                        v = r["found"].get(f"{p_src[0]}|{p_src[1]}", 0) if p_src else "—"
                    else:
                        v = r["found"].get(c_src, 0) if c_src else "—"
                    cells.append(f"{v:,}" if isinstance(v, int) else v)
                lines.append(f"| {label} | {want:,} | " + " | ".join(cells) + " |")
            lines.append("\nResources evaluated (assay: in the snapshot; Prowler: resources its check reported on; Custodian: the unfiltered policy):\n")
            lines.append("| type | seeded | " + " | ".join(t for t in tools if t in by_tool) + " |")
            lines.append("|---|---" + "|---" * len([t for t in tools if t in by_tool]) + "|")
            seeded_counts = rows[0]["seed"]["counts"]
            seeded_key = {"S3 buckets": "s3_buckets", "KMS keys": "kms_keys", "security groups": "security_groups",
                          "EBS volumes": "ebs_volumes", "IAM users": "iam_users", "RDS instances": "rds_instances",
                          **{kind: kind for kind, _ in seed.STORES}}
            for label, atype, cpol, pcheck in TYPES:
                s = seeded_counts.get(seeded_key[label], 0)
                if not s:
                    continue
                cells = []
                for tool in tools:
                    r = by_tool.get(tool)
                    if not r:
                        continue
                    if tool == "assay":
                        v = r["resources"].get(atype, 0)
                    elif tool == "prowler":
                        v = r["resources"].get(pcheck, 0) if pcheck else "—"
                    else:
                        v = r["found"].get(cpol, 0) if cpol else "—"
                    cells.append(f"{v:,}" if isinstance(v, int) else v)
                lines.append(f"| {label} | {s:,} | " + " | ".join(cells) + " |")
            if "assay" in by_tool:
                lines.extend(assay_coverage(by_tool["assay"], scenario, n)[1:])
            if "prowler" in by_tool:
                p = by_tool["prowler"]
                statuses = Counter()
                checks = set()
                for k, v in p["found"].items():
                    c, s = k.split("|")
                    statuses[s] += v
                    checks.add(c)
                lines.append(f"Prowler findings by status: {dict(statuses)} from {len(checks)} checks")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000")
    ap.add_argument("--tools", default="assay,prowler,custodian")
    ap.add_argument("--scenarios", default="s3,mixed")
    ap.add_argument("--ceiling-seconds", type=float, default=15)
    ap.add_argument("--ceiling-threads", type=int, default=8)
    ap.add_argument("--seed-threads", type=int, default=4)
    ap.add_argument("--stores-n", type=int,
                    help="data stores of each type in the mixed scenario (default: the size; see seed.py)")
    ap.add_argument("--buckets-over-http", action="store_true",
                    help="seed the buckets over HTTP instead of inside the emulator (seed.py)")
    ap.add_argument("--out", default=str(HERE.parent / "results"))
    ap.add_argument("--report-only", help="print the tables of an earlier results directory")
    ap.add_argument("--latency", help="LOW,HIGH: each call waits uniformly LOW-HIGH ms (realism.py); e.g. 20,80")
    ap.add_argument("--throttle", action="store_true", help="throttle per account/region/API family (realism.py FAMILIES)")
    ap.add_argument("--replay", action="store_true", help="answer the timed run from a recorded run (moto not the limit)")
    ap.add_argument("--concurrency", type=int, help="assay's --concurrency (default: assay's own)")
    ap.add_argument("--floor-concurrency", type=int, default=8,
                    help="the calls in flight the latency floor assumes (default 8, assay's default)")
    args = ap.parse_args()
    paths = {
        "assay": os.environ.get("ASSAY_BIN", "assay"),
        "prowler": os.environ.get("PROWLER_BIN", "prowler"),
        "custodian": os.environ.get("CUSTODIAN_BIN", "custodian"),
        "moto_python": os.environ.get("MOTO_PYTHON", sys.executable),
    }
    sizes = [int(s) for s in args.sizes.split(",")]
    tools = args.tools.split(",")
    scenarios = args.scenarios.split(",")
    if args.report_only:
        results = [json.loads(Path(p).read_text()) for p in sorted(glob.glob(f"{args.report_only}/*/result.json"))]
        print(report(results, sizes, scenarios, tools))
        return
    outdir = Path(args.out) / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    outdir.mkdir(parents=True)
    machine = {
        "cpus": os.cpu_count(),
        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
        "python": platform.python_version(),
        "load_start": loadavg(),
    }
    log(f"results in {outdir}; machine {machine}")
    results = []
    for n in sizes:
        for scenario in scenarios:
            for tool in tools:
                results.append(one_run(args, paths, scenario, n, tool, outdir))
                (outdir / "results.json").write_text(json.dumps({"machine": machine, "runs": results}, indent=1, default=str))
    machine["load_end"] = loadavg()
    text = report(results, sizes, scenarios, tools)
    (outdir / "report.md").write_text(text + "\n")
    print(text)
    print(f"\nload average at start {machine['load_start']}, at end {machine['load_end']}; results in {outdir}")


if __name__ == "__main__":
    main()
