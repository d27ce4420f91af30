"""moto's server (as `moto_server` runs it) with a request counter in front of it.

Usage: moto_counting.py PORT

Every request is counted by service, operation and HTTP status before moto sees it; the
counts are served (and not counted) at GET /__bench/counts. Telling the operation costs a
few microseconds (header parsing; the form body of query-protocol calls is read once and
handed on), against milliseconds for moto's own work, so the counter does not move the
emulator's ceiling. The werkzeug per-request log line is silenced for the same reason.

One change to moto's answers: an operation moto has not implemented gets a 501
NotImplemented error instead of an HTML 500 (see `not_implemented`).

POST /__bench/seed-buckets creates seed.py's buckets inside this process, through moto's
S3 model (seeding 10,000 over HTTP took over 20 minutes on a loaded machine).

A realism layer (`realism.py`), off until the driver turns it on at
POST /__bench/realism (so seeding and warm-up run at full speed), can add per-call
latency, throttle per account, region and API family as AWS answers it, replay
recorded answers instead of asking moto, and count calls in flight and connections
(GET /__bench/stats).
"""

import io
import json
import logging
import re
import sys
import threading
from collections import Counter
from urllib.parse import parse_qs

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

import realism

SCOPE = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/")

counts = Counter()
lock = threading.Lock()


def s3_operation(method, path, query):
    """An S3 REST call as METHOD plus what it addresses: `GET ?encryption`, `PUT bucket`."""
    keys = sorted(k.split("=")[0] for k in query.split("&") if k) if query else []
    parts = [p for p in path.split("/") if p]
    target = "service" if not parts else ("bucket" if len(parts) == 1 else "object")
    sub = ("?" + keys[0]) if keys else target
    return f"{method} {sub}"


def operation(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = SCOPE.search(auth)
    region, service = (m.group(1), m.group(2)) if m else ("-", "-")
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, region, target.split(".")[-1]
    method = environ.get("REQUEST_METHOD", "GET")
    ctype = environ.get("CONTENT_TYPE", "")
    if method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]
        return service, region, action
    query = environ.get("QUERY_STRING", "")
    if "Action=" in query:
        return service, region, parse_qs(query).get("Action", ["?"])[0]
    if service == "s3":
        return service, region, s3_operation(method, environ.get("PATH_INFO", "/"), query)
    return service, region, f"{method} {environ.get('PATH_INFO', '/')}"


def not_implemented(environ, start_response, key, message):
    """An operation moto lacks, as a non-retryable AWS-style error (501 NotImplemented).

    moto lets the NotImplementedError escape, which werkzeug turns into an HTML 500; AWS
    clients retry a 500 with backoff (the SDKs 3-5 times), so every tool would spend
    seconds per unimplemented call waiting on an emulator artifact. A 501 is not retried;
    each tool records the failure as it would any error.
    """
    service, _, operation = key
    if environ.get("HTTP_X_AMZ_TARGET"):
        ctype = "application/x-amz-json-1.1"
        body = json.dumps({"__type": "NotImplemented", "message": message})
    elif service == "s3":
        ctype = "application/xml"
        body = f"<Error><Code>NotImplemented</Code><Message>{message}</Message></Error>"
    elif service == "ec2":
        ctype = "text/xml"
        body = (
            f"<Response><Errors><Error><Code>NotImplemented</Code><Message>{message}</Message></Error>"
            "</Errors><RequestID>bench</RequestID></Response>"
        )
    else:
        ctype = "text/xml"
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code><Message>{message}</Message>"
            "</Error><RequestId>bench</RequestId></ErrorResponse>"
        )
    data = body.encode()
    start_response("501 Not Implemented", [("Content-Type", ctype), ("Content-Length", str(len(data)))])
    return [data]


class Counting:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/__bench/counts":
            with lock:
                body = json.dumps(
                    [{"service": s, "region": r, "operation": o, "status": st, "n": n} for (s, r, o, st), n in counts.items()]
                ).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("PATH_INFO") == "/__bench/seed-buckets":
            return seed_buckets(environ, start_response)
        if environ.get("PATH_INFO", "").startswith("/__bench/"):
            return realism.control(environ, start_response)
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        key = operation(environ)
        status_box = []

        def counting_start(status, headers, exc_info=None):
            status_box.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        def moto(environ, start):
            try:
                return self.app(environ, start)
            except NotImplementedError as e:
                return not_implemented(environ, start, key, str(e))

        try:
            return realism.LAYER.serve(environ, counting_start, key, moto)
        finally:
            with lock:
                counts[key + ((status_box[0] if status_box else "exc"),)] += 1


def seed_buckets(environ, start_response):
    """POST /__bench/seed-buckets {"n": N, "keys": {...}}: seed.py's buckets created in this
    process through moto's S3 model (see `seed.seed_buckets_in_process`), not counted."""
    import seed

    length = int(environ.get("CONTENT_LENGTH") or 0)
    args = json.loads(environ["wsgi.input"].read(length) or b"{}")
    try:
        n = seed.seed_buckets_in_process(int(args["n"]), args["keys"])
        status, body = "200 OK", json.dumps({"buckets": n}).encode()
    except Exception as e:  # noqa: BLE001 - answered to the driver, which stops
        status, body = "500 Internal Server Error", json.dumps({"error": repr(e)}).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def main():
    port = int(sys.argv[1])
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    run_simple("127.0.0.1", port, Counting(app), threaded=True)


if __name__ == "__main__":
    main()
