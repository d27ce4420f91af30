"""What the emulator lacks for a benchmark of scale: AWS's latency and throttling.

Used by moto_counting.py, in front of moto, in the same process. Off until the driver posts
a mode to /__bench/realism (seeding and warm-up run at full speed); GET /__bench/stats
reads what it saw; POST /__bench/realism with {} turns it off again.

Mode (JSON, every key optional):

- `latency`: `[low_ms, high_ms]`, each call waits a time drawn uniformly from that range
  before it is answered (default off). The benchmark uses 20-80 ms (mean 50 ms): the
  round trip of an API call from a machine in the same region is 20-40 ms for most
  read-only AWS APIs, 50-80 ms for S3 bucket-configuration reads and IAM (which answers
  from us-east-1); no single figure is right for every API, so the floor is computed from
  the mean of the range, the same for every tool. The wait is a sleep: it costs no CPU.
- `throttle`: token buckets per account (the caller's access key: moto issues one per
  assumed role, so one per account), region and API family; a call that finds its bucket
  empty is answered as AWS answers it (below) without reaching moto, and counted. The
  families and rates are in `FAMILIES`; `throttle: true` uses them, a list of
  `[service, operation_prefix, burst, per_second]` replaces them.
- `replay`: answer from the answers recorded earlier in the same server (`record: true`
  records every answer moto gives, keyed by the call's content, not its signature), so
  moto is not the limit: a miss goes to moto and is recorded.

Throttling answers, as AWS sends them:

- S3: HTTP 503, `SlowDown`, "Please reduce your request rate." (Amazon S3 API reference,
  "Error responses"; S3 scales per prefix and answers 503 SlowDown while it does).
- EC2: HTTP 503, `RequestLimitExceeded`, "Request limit exceeded." (EC2 API reference,
  "Request throttling"; non-mutating actions share a bucket of 100 tokens refilled at
  20 per second per account and region).
- JSON protocols (KMS, CloudTrail, Config, Backup, Organizations): HTTP 400,
  `ThrottlingException`, "Rate exceeded" (KMS developer guide, "Request quotas").
- Query protocols (IAM, STS, RDS): HTTP 400, `Throttling`, "Rate exceeded".

The in-flight count is sampled every 20 ms while a mode is on, in all and per service. Connections are counted by
the client's address and port, but against this server that is one per call whatever the
client does: werkzeug, which serves moto, closes every connection after its response
("Always close the connection. This disables HTTP/1.1 keep-alive connections", its
serving.py), so a client's connection reuse cannot be measured here.
"""

import json
import random
import threading
import time
from collections import Counter

# [service, operation prefix, burst, refills per second]; the first that matches a call's
# service and operation is its family (the family is the service plus that prefix, and for
# S3 the operation itself). Published where AWS publishes them (EC2; KMS per operation),
# the rates the issue observed for S3 bucket-configuration reads (50/s per operation),
# and a cautious assumption elsewhere (AWS does not publish IAM's, RDS's or
# Organizations' read rates).
FAMILIES = [
    ["s3", "", 50, 50],  # per S3 operation (GET ?encryption, GET ?versioning, …)
    ["ec2", "Describe", 100, 20],  # EC2: non-mutating actions
    ["ec2", "Get", 100, 20],
    ["kms", "List", 100, 100],  # KMS: ListKeys, ListAliases … 100/s
    ["kms", "", 1000, 1000],  # KMS: DescribeKey, GetKeyRotationStatus, GetKeyPolicy …
    ["iam", "", 40, 20],  # IAM: not published; assumed
    ["rds", "Describe", 40, 20],  # RDS: assumed
    ["sts", "", 100, 50],
    ["organizations", "", 20, 10],  # Organizations: assumed
    ["", "", 50, 25],  # anything else
]


class Bucket:
    def __init__(self, burst, rate):
        self.burst, self.rate = float(burst), float(rate)
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def throttled_answer(service, environ):
    """The status, content type and body AWS sends when it throttles this call."""
    if service == "s3":
        return 503, "application/xml", (
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
            "<RequestId>bench</RequestId></Error>"
        )
    if service == "ec2":
        return 503, "text/xml", (
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded."
            "</Message></Error></Errors><RequestID>bench</RequestID></Response>"
        )
    if environ.get("HTTP_X_AMZ_TARGET") or "json" in environ.get("CONTENT_TYPE", ""):
        return 400, "application/x-amz-json-1.1", json.dumps(
            {"__type": "ThrottlingException", "message": "Rate exceeded"}
        )
    if service == "backup":  # REST-JSON
        return 400, "application/json", json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
    return 400, "text/xml", (
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
        "</Error><RequestId>bench</RequestId></ErrorResponse>"
    )


def access_key(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" not in auth:
        return "-"
    return auth.split("Credential=", 1)[1].split("/", 1)[0]


class Layer:
    def __init__(self):
        self.lock = threading.Lock()
        self.mode = {}
        self.random = random.Random(1)
        self.buckets = {}
        self.families = FAMILIES
        self.recorded = {}
        self.reset_stats()
        threading.Thread(target=self.sample, daemon=True).start()

    def reset_stats(self):
        self.inflight = 0
        self.inflight_by = Counter()  # calls in flight per service
        self.peak = 0
        self.samples = []  # (monotonic seconds, calls in flight, {service: calls in flight})
        self.connections = set()
        self.throttled = Counter()
        self.replayed = 0
        self.calls = 0

    def set_mode(self, mode):
        with self.lock:
            self.mode = mode
            self.buckets = {}
            throttle = mode.get("throttle")
            self.families = throttle if isinstance(throttle, list) else FAMILIES
            self.random = random.Random(mode.get("seed", 1))
            self.reset_stats()

    def stats(self):
        with self.lock:
            samples = list(self.samples)
            return {
                "mode": self.mode,
                "calls": self.calls,
                "peak_in_flight": self.peak,
                "samples": samples,
                "connections": len(self.connections),
                "throttled": {" ".join(k): v for k, v in self.throttled.items()},
                "replayed": self.replayed,
                "recorded": len(self.recorded),
            }

    def sample(self):
        while True:
            time.sleep(0.02)
            if self.mode:
                with self.lock:
                    by = {k: v for k, v in self.inflight_by.items() if v}
                    self.samples.append((round(time.monotonic(), 3), self.inflight, by))

    def family(self, service, op):
        for fam_service, prefix, burst, rate in self.families:
            if fam_service in ("", service) and op.startswith(prefix):
                name = op if service == "s3" else (prefix or "*")
                return f"{service}:{name}", burst, rate
        return f"{service}:*", 50, 25

    def serve(self, environ, start_response, key, moto):
        mode = self.mode
        if not mode:
            return moto(environ, start_response)
        service, region, op = key
        with self.lock:
            self.inflight += 1
            self.inflight_by[service] += 1
            self.peak = max(self.peak, self.inflight)
            self.calls += 1
            self.connections.add((environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT")))
            delay = self.random.uniform(*mode["latency"]) / 1000 if mode.get("latency") else 0
        try:
            if delay:
                time.sleep(delay)
            if mode.get("throttle"):
                fam, burst, rate = self.family(service, op)
                bucket_key = (access_key(environ), region, fam)
                with self.lock:
                    bucket = self.buckets.get(bucket_key)
                    if bucket is None:
                        bucket = self.buckets[bucket_key] = Bucket(burst, rate)
                    allowed = bucket.take()
                    if not allowed:
                        self.throttled[(fam, region)] += 1
                if not allowed:
                    status, ctype, body = throttled_answer(service, environ)
                    data = body.encode()
                    reason = "Service Unavailable" if status == 503 else "Bad Request"
                    start_response(f"{status} {reason}", [("Content-Type", ctype), ("Content-Length", str(len(data)))])
                    return [data]
            if mode.get("replay") or mode.get("record"):
                return self.replayed_or_recorded(environ, start_response, key, moto, mode)
            return moto(environ, start_response)
        finally:
            with self.lock:
                self.inflight -= 1
                self.inflight_by[service] -= 1

    def replayed_or_recorded(self, environ, start_response, key, moto, mode):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        call = (access_key(environ), environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"),
                environ.get("QUERY_STRING"), environ.get("HTTP_X_AMZ_TARGET"), body) + key
        if mode.get("replay"):
            hit = self.recorded.get(call)
            if hit:
                with self.lock:
                    self.replayed += 1
                status, headers, data = hit
                start_response(status, headers)
                return [data]
        box = []

        def recording_start(status, headers, exc_info=None):
            box.append((status, headers))
            return start_response(status, headers, exc_info)

        chunks = b"".join(moto(environ, recording_start))
        if box and box[0][0].startswith("2"):
            headers = [(k, v) for k, v in box[0][1] if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(chunks))))
            self.recorded[call] = (box[0][0], headers, chunks)
        return [chunks]


LAYER = Layer()


def control(environ, start_response):
    """POST /__bench/realism (a mode, {} for off), GET /__bench/stats."""
    path = environ.get("PATH_INFO")
    if path == "/__bench/realism" and environ.get("REQUEST_METHOD") == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        LAYER.set_mode(json.loads(environ["wsgi.input"].read(length) or b"{}"))
        body = b"{}"
    elif path == "/__bench/stats":
        body = json.dumps(LAYER.stats()).encode()
    else:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
