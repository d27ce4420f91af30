//! A loopback HTTP proxy in front of the emulator that can fault or replay chosen AWS
//! operations: the real SDK client talks to it exactly as to AWS (`AWS_ENDPOINT_URL`).
//!
//! Each request is identified as `service:Operation` the way the collectors name it: the
//! service from the SigV4 credential scope, the operation from `X-Amz-Target` (JSON
//! protocols), `Action=` (query protocols), the method and sub-resource (S3 REST) or the
//! path (Backup REST). Rules, tried in order, may answer it with a canned response in the
//! service's wire format, rewrite moto's answer, or drop the connection; anything no rule
//! claims is forwarded to moto unchanged.
//!
//! One request per connection (`Connection: close`), a thread per connection, at most
//! [`MAX_CONNECTIONS`] at a time; the proxy stops when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// AWS takes as many connections as a client opens; the limit only keeps a runaway test
/// from exhausting threads. Organisation scans (several accounts at once, several shard
/// processes at once) open over a hundred: below that, connections queue in the listen
/// backlog past the SDK's connect timeout.
const MAX_CONNECTIONS: usize = 256;

/// An HTTP message: start line, headers, body.
type Message = (String, Vec<(String, String)>, Vec<u8>);

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// SigV4 signing service (`s3`, `ec2`, `kms`, ...).
    pub service: String,
    /// SigV4 signing region.
    pub region: String,
    /// `service:Operation`, as the collectors record it (`kms:ListKeys`).
    pub operation: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A request parameter: form field (query protocols), top-level JSON string (JSON
    /// protocols) or query-string value (REST).
    pub fn param(&self, name: &str) -> Option<String> {
        let body = String::from_utf8_lossy(&self.body);
        if self
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
        {
            return form(&body)
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v);
        }
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&body)
            && let Some(v) = map.get(name)
        {
            return Some(v.as_str().map_or_else(|| v.to_string(), str::to_string));
        }
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// The account the request is signed for is not visible here (moto maps credentials);
    /// the bucket of an S3 path-style request is.
    pub fn bucket(&self) -> Option<&str> {
        self.path
            .trim_start_matches('/')
            .split('/')
            .next()
            .filter(|b| !b.is_empty())
    }

    /// Path segments after the leading slash.
    pub fn segments(&self) -> Vec<String> {
        self.path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect()
    }
}

/// A response to send back.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        let request_id = format!(
            "{:08x}-replay-4000-8000-assaytests00",
            REQUEST_IDS.fetch_add(1, Ordering::Relaxed)
        );
        Response {
            status,
            headers: vec![
                ("Content-Type".into(), content_type.into()),
                ("x-amzn-RequestId".into(), request_id.clone()),
                ("x-amz-request-id".into(), request_id),
            ],
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

static REQUEST_IDS: AtomicUsize = AtomicUsize::new(1);

type Rewrite = Box<dyn FnOnce(Response) -> Response + Send>;

/// What to do with a request.
pub enum Reply {
    /// Pass it to moto unchanged.
    Forward,
    /// Answer it without asking moto.
    Respond(Response),
    /// Ask moto, then change its answer.
    Rewrite(Rewrite),
    /// Close the connection without a response (a dead endpoint).
    Drop,
    /// Answer nothing for this long, then close (a hung endpoint).
    Stall(Duration),
}

/// A rule: `Some(reply)` claims the request; `None` leaves it to the next rule.
pub type Rule = Box<dyn Fn(&Request) -> Option<Reply> + Send + Sync>;

/// Answers every operation in `operations` with `reply`.
pub fn on(operations: &[&str], reply: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Rule {
    let operations: Vec<String> = operations.iter().map(|s| s.to_string()).collect();
    Box::new(move |r: &Request| {
        operations
            .iter()
            .any(|o| o == &r.operation)
            .then(|| reply(r))
    })
}

/// Answers every operation of `service` with `reply`.
pub fn on_service(
    service: &str,
    reply: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> Rule {
    let service = service.to_string();
    Box::new(move |r: &Request| (r.service == service).then(|| reply(r)))
}

pub struct Proxy {
    pub url: String,
    port: u16,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<(String, String)>>>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) on a free loopback port.
    pub fn start(upstream: &str, rules: Vec<Rule>) -> Proxy {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port for the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let rules = Arc::new(rules);
        let active = Arc::new(AtomicUsize::new(0));
        let accept = {
            let (stop, log) = (stop.clone(), log.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    while active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    active.fetch_add(1, Ordering::SeqCst);
                    let (rules, log, upstream, active) =
                        (rules.clone(), log.clone(), upstream.clone(), active.clone());
                    std::thread::spawn(move || {
                        let _ = serve(stream, &upstream, &rules, &log);
                        active.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            })
        };
        Proxy {
            url: format!("http://127.0.0.1:{port}"),
            port,
            stop,
            log,
            accept: Some(accept),
        }
    }

    /// Every request seen, as (`service:Operation`, what the proxy did).
    pub fn log(&self) -> Vec<(String, String)> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// How many times `operation` was requested.
    pub fn count(&self, operation: &str) -> usize {
        self.log().iter().filter(|(op, _)| op == operation).count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    upstream: &str,
    rules: &[Rule],
    log: &Mutex<Vec<(String, String)>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some((line, headers, body)) = read_message(&mut reader)? else {
        return Ok(());
    };
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let (path, query) = target
        .split_once('?')
        .map_or((target.clone(), String::new()), |(p, q)| {
            (p.to_string(), q.to_string())
        });
    let mut request = Request {
        method,
        path,
        query: form(&query),
        headers,
        body,
        service: String::new(),
        region: String::new(),
        operation: String::new(),
    };
    let (service, region) = signing_scope(&request);
    request.service = service;
    request.region = region;
    request.operation = operation(&request);
    let reply = rules
        .iter()
        .find_map(|rule| rule(&request))
        .unwrap_or(Reply::Forward);
    let what = match &reply {
        Reply::Forward => "forward",
        Reply::Respond(_) => "respond",
        Reply::Rewrite(_) => "rewrite",
        Reply::Drop => "drop",
        Reply::Stall(_) => "stall",
    };
    if let Ok(mut log) = log.lock() {
        log.push((request.operation.clone(), what.to_string()));
    }
    let mut client = stream;
    let response = match reply {
        Reply::Drop => {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Reply::Stall(time) => {
            std::thread::sleep(time);
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Reply::Respond(response) => response,
        Reply::Forward => forward(upstream, &request, &target)?,
        Reply::Rewrite(change) => change(forward(upstream, &request, &target)?),
    };
    write_response(&mut client, &response)?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// Reads one HTTP/1.1 message: start line, headers, body (Content-Length or chunked).
/// With `until_eof`, a body without a length runs to the end of the stream.
fn read_message_inner(
    reader: &mut impl BufRead,
    until_eof: bool,
) -> std::io::Result<Option<Message>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let start = line.trim_end().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if n == 0 {
                let mut end = String::new();
                reader.read_line(&mut end)?;
                break;
            }
            let mut chunk = vec![0; n];
            reader.read_exact(&mut chunk)?;
            body.extend(chunk);
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
        }
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("transfer-encoding"));
    } else if let Some(n) = header("content-length").and_then(|n| n.parse::<usize>().ok()) {
        body = vec![0; n];
        reader.read_exact(&mut body)?;
    } else if until_eof {
        reader.read_to_end(&mut body)?;
    }
    Ok(Some((start, headers, body)))
}

fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<Message>> {
    read_message_inner(reader, false)
}

fn forward(upstream: &str, request: &Request, target: &str) -> std::io::Result<Response> {
    let mut moto = TcpStream::connect(upstream)?;
    moto.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, target);
    for (k, v) in &request.headers {
        if [
            "connection",
            "keep-alive",
            "content-length",
            "transfer-encoding",
        ]
        .iter()
        .any(|h| k.eq_ignore_ascii_case(h))
        {
            continue;
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        request.body.len()
    ));
    moto.write_all(head.as_bytes())?;
    moto.write_all(&request.body)?;
    moto.flush()?;
    let mut reader = BufReader::new(moto);
    let Some((status_line, headers, body)) = read_message_inner(&mut reader, true)? else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "moto closed the connection without a response",
        ));
    };
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(502);
    let headers = headers
        .into_iter()
        .filter(|(k, _)| {
            !["connection", "content-length", "transfer-encoding"]
                .iter()
                .any(|h| k.eq_ignore_ascii_case(h))
        })
        .collect();
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn write_response(client: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    client.write_all(head.as_bytes())?;
    client.write_all(&response.body)?;
    client.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// (service, region) from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...`.
fn signing_scope(request: &Request) -> (String, String) {
    let scope = request
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .map(|c| {
            c.split([',', ' '])
                .next()
                .unwrap_or("")
                .split('/')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    match scope.as_slice() {
        [_, _, region, service, ..] => (service.clone(), region.clone()),
        _ => (String::new(), String::new()),
    }
}

/// `service:Operation` of a request, named as the collectors name it.
fn operation(request: &Request) -> String {
    let service = request.service.as_str();
    let name = if let Some(target) = request.header("x-amz-target") {
        target.rsplit('.').next().unwrap_or(target).to_string()
    } else if request
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        request.param("Action").unwrap_or_default()
    } else if service == "s3" {
        s3_operation(request)
    } else if service == "backup" {
        backup_operation(request)
    } else if service == "elasticfilesystem" {
        efs_operation(request)
    } else if service == "lambda" {
        lambda_operation(request)
    } else if service == "es" {
        opensearch_operation(request)
    } else {
        format!("{} {}", request.method, request.path)
    };
    format!("{service}:{name}")
}

fn s3_operation(request: &Request) -> String {
    if request.method == "GET" && request.bucket().is_none() {
        return "ListBuckets".into();
    }
    let has = |key: &str| request.query.iter().any(|(k, _)| k == key);
    // ListObjectsV2 is a GET on the bucket with `list-type=2` (no `x-id`).
    if request.method == "GET" && has("list-type") {
        return "ListObjectsV2".into();
    }
    let by_subresource = [
        ("location", "GetBucketLocation"),
        ("encryption", "GetBucketEncryption"),
        ("versioning", "GetBucketVersioning"),
        ("lifecycle", "GetBucketLifecycleConfiguration"),
        ("replication", "GetBucketReplication"),
        ("publicAccessBlock", "GetPublicAccessBlock"),
        ("object-lock", "GetObjectLockConfiguration"),
        ("tagging", "GetBucketTagging"),
        ("retention", "GetObjectRetention"),
    ];
    match by_subresource.iter().find(|(q, _)| has(q)) {
        Some((_, op)) if request.method == "GET" => op.to_string(),
        _ => request.query.iter().find(|(k, _)| k == "x-id").map_or_else(
            || format!("{} {}", request.method, request.path),
            |(_, v)| v.clone(),
        ),
    }
}

fn backup_operation(request: &Request) -> String {
    let s = request.segments();
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    match (request.method.as_str(), s.as_slice()) {
        ("GET", ["backup", "plans"]) => "ListBackupPlans".into(),
        ("GET", ["backup", "plans", _]) => "GetBackupPlan".into(),
        ("GET", ["backup", "plans", _, "selections"]) => "ListBackupSelections".into(),
        ("GET", ["backup", "plans", _, "selections", _]) => "GetBackupSelection".into(),
        ("GET", ["backup-vaults"]) => "ListBackupVaults".into(),
        ("GET", ["backup-vaults", _, "recovery-points"]) => {
            "ListRecoveryPointsByBackupVault".into()
        }
        ("GET", ["backup-vaults", _, "recovery-points", _]) => "DescribeRecoveryPoint".into(),
        ("GET", ["restore-testing", "plans"]) => "ListRestoreTestingPlans".into(),
        ("GET", ["restore-testing", "plans", _]) => "GetRestoreTestingPlan".into(),
        ("GET", ["restore-jobs"]) => "ListRestoreJobs".into(),
        _ => format!("{} {}", request.method, request.path),
    }
}

/// The EFS operations the collector calls, by their restJson paths (the EFS API reference).
fn efs_operation(request: &Request) -> String {
    let s = request.segments();
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    match (request.method.as_str(), s.as_slice()) {
        ("GET", ["2015-02-01", "file-systems"]) => "DescribeFileSystems".into(),
        ("GET", ["2015-02-01", "file-systems", "replication-configurations"]) => {
            "DescribeReplicationConfigurations".into()
        }
        ("GET", ["2015-02-01", "file-systems", _, "backup-policy"]) => {
            "DescribeBackupPolicy".into()
        }
        _ => format!("{} {}", request.method, request.path),
    }
}

/// The Lambda operations the collector calls, by their restJson paths (the Lambda API
/// reference: `GET /2015-03-31/functions/`, `GET /2017-03-31/tags/{ARN}`).
fn lambda_operation(request: &Request) -> String {
    let s = request.segments();
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    match (request.method.as_str(), s.as_slice()) {
        ("GET", ["2015-03-31", "functions"]) => "ListFunctions".into(),
        ("GET", ["2017-03-31", "tags", ..]) => "ListTags".into(),
        _ => format!("{} {}", request.method, request.path),
    }
}

/// The OpenSearch Service operations the collector calls, by their restJson paths (the
/// OpenSearch Service API reference, version 2021-01-01).
fn opensearch_operation(request: &Request) -> String {
    let s = request.segments();
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    match (request.method.as_str(), s.as_slice()) {
        ("GET", ["2021-01-01", "domain"]) => "ListDomainNames".into(),
        ("POST", ["2021-01-01", "opensearch", "domain-info"]) => "DescribeDomains".into(),
        (
            "POST",
            [
                "2021-01-01",
                "opensearch",
                "cc",
                "outboundConnection",
                "search",
            ],
        ) => "DescribeOutboundConnections".into(),
        ("GET", ["2021-01-01", "tags"]) => "ListTags".into(),
        _ => format!("{} {}", request.method, request.path),
    }
}

/// Parses `a=1&b=x%20y` (also `+` for space); a key without `=` has an empty value.
pub fn form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 3986 percent-encoding of everything but unreserved characters, as AWS encodes
/// IAM policy documents.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The wire protocol family of a service, for error bodies.
fn protocol(service: &str) -> &'static str {
    match service {
        "s3" => "rest-xml",
        "ec2" => "ec2",
        "iam" | "rds" | "sts" | "sns" | "redshift" | "elasticache" => "query",
        "backup" | "elasticfilesystem" | "lambda" | "es" => "rest-json",
        _ => "json",
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An AWS error response in the request's protocol: S3 `<Error>`, EC2
/// `<Response><Errors>`, query `<ErrorResponse>`, awsJson `__type` + `x-amzn-ErrorType`,
/// restJson `Code` + `x-amzn-ErrorType`.
pub fn aws_error(request: &Request, status: u16, code: &str, message: &str) -> Response {
    let msg = xml_escape(message);
    match protocol(&request.service) {
        "rest-xml" => Response::new(
            status,
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>hostid/assay-tests=</HostId></Error>"
            ),
        ),
        "ec2" => Response::new(
            status,
            "text/xml;charset=UTF-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{msg}</Message></Error></Errors><RequestID>9b6d4b7e-5b3c-4d1e-9a0a-assaytests01</RequestID></Response>"
            ),
        ),
        "query" => {
            let version = match request.service.as_str() {
                "iam" => "2010-05-08",
                "rds" => "2014-10-31",
                "sns" => "2010-03-31",
                "redshift" => "2012-12-01",
                "elasticache" => "2015-02-02",
                _ => "2011-06-15",
            };
            Response::new(
                status,
                "text/xml",
                format!(
                    "<ErrorResponse xmlns=\"https://{}.amazonaws.com/doc/{version}/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{code}</Code>\n    <Message>{msg}</Message>\n  </Error>\n  <RequestId>0d3c5b8e-8f4e-4a2b-9c1d-assaytests02</RequestId>\n</ErrorResponse>\n",
                    request.service
                ),
            )
        }
        "rest-json" => Response::new(
            status,
            "application/json",
            serde_json::json!({"Code": code, "Message": message}).to_string(),
        )
        .with_header("x-amzn-ErrorType", &format!("{code}:")),
        _ => Response::new(
            status,
            "application/x-amz-json-1.1",
            serde_json::json!({"__type": code, "message": message}).to_string(),
        )
        .with_header("x-amzn-ErrorType", &format!("{code}:")),
    }
}

/// The error AWS returns when the principal lacks the IAM permission, per service.
pub fn denied(request: &Request) -> Reply {
    let action = request.operation.clone();
    let message = format!(
        "User: arn:aws:sts::000000000000:assumed-role/assay-audit/assay-audit is not authorized to perform: {action} because no identity-based policy allows the {action} action"
    );
    let (status, code) = match request.service.as_str() {
        "s3" => (403, "AccessDenied"),
        "ec2" => (403, "UnauthorizedOperation"),
        "iam" | "rds" | "sts" | "redshift" | "elasticache" => (403, "AccessDenied"),
        // "AuthorizationError: Indicates that the user has been denied access to the
        // requested resource", HTTP 403 (the SNS API reference, common errors of every
        // action).
        "sns" => (403, "AuthorizationError"),
        "backup" | "elasticfilesystem" | "lambda" | "es" => (403, "AccessDeniedException"),
        _ => (400, "AccessDeniedException"),
    };
    Reply::Respond(aws_error(request, status, code, &message))
}

/// The throttling error each service sends when the caller exceeds its rate.
pub fn throttled(request: &Request) -> Reply {
    let (status, code) = match request.service.as_str() {
        "s3" => (503, "SlowDown"),
        "ec2" => (503, "RequestLimitExceeded"),
        "iam" | "rds" | "sts" | "redshift" | "elasticache" => (400, "Throttling"),
        "backup" | "elasticfilesystem" | "es" => (429, "ThrottlingException"),
        _ => (400, "ThrottlingException"),
    };
    Reply::Respond(aws_error(request, status, code, "Rate exceeded"))
}

/// The elements named `tag` in an XML text, as (start, end) byte ranges of their content.
pub fn xml_elements(text: &str, tag: &str) -> Vec<(usize, usize)> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find(&open).map(|i| from + i + open.len()) {
        let Some(end) = text[start..].find(&close).map(|i| start + i) else {
            break;
        };
        found.push((start, end));
        from = end + close.len();
    }
    found
}

/// Undoes XML character escapes in element text.
pub fn xml_unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
