//! A real AWS emulator for the live-scan tests: moto in server mode on a free loopback
//! port, one per test binary, started on first use and stopped when the binary exits.
//! `scripts/test.sh` installs it (pinned) and exports where it is; a test that finds no
//! emulator fails loudly rather than skipping.
//!
//! Tests run in parallel against the one server and stay isolated by account: moto keys
//! its state by the 12-digit access key id each test uses as its credentials.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Moto {
    pub url: String,
    port: u16,
    child: Mutex<Child>,
}

static MOTO: OnceLock<Moto> = OnceLock::new();

fn venv_bin(name: &str) -> PathBuf {
    let var = match name {
        "moto_server" => "ASSAY_MOTO_SERVER",
        _ => "ASSAY_MOTO_PYTHON",
    };
    if let Ok(path) = std::env::var(var) {
        return PathBuf::from(path);
    }
    let home = std::env::var("HOME").unwrap_or_default();
    PathBuf::from(home).join(".cache/assay/moto-venv/bin").join(name)
}

/// The shared emulator, started on first use.
pub fn moto() -> &'static Moto {
    MOTO.get_or_init(|| {
        let server = venv_bin("moto_server");
        assert!(
            server.exists(),
            "no AWS emulator: {} does not exist. Run scripts/test.sh (it installs moto[server] into a virtual environment), or set ASSAY_MOTO_SERVER.",
            server.display()
        );
        let port = free_port();
        let log = std::env::temp_dir().join(format!("assay-moto-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("moto log file");
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
            .stdout(Stdio::from(log_file.try_clone().expect("log handle")))
            .stderr(Stdio::from(log_file))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
        let moto = Moto { url: format!("http://127.0.0.1:{port}"), port, child: Mutex::new(child) };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !moto.http("GET", "/moto-api/").is_some_and(|s| s.starts_with("HTTP/1.1 200") || s.starts_with("HTTP/1.0 200")) {
            assert!(Instant::now() < deadline, "moto did not answer on port {port} within 30 s; see {}", log.display());
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

impl Moto {
    /// A minimal HTTP/1.0 request to the emulator's control API; returns the response.
    fn http(&self, method: &str, path: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(stream, "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n").ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    }

    /// Seeds the emulator for `account` with a scenario from `tests/emulator/seed.py`.
    pub fn seed(&self, account: &str, scenario: &str) {
        let python = venv_bin("python");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/emulator/seed.py");
        let output = Command::new(&python)
            .arg(&script)
            .args(["--endpoint", &self.url, "--account", account, "--scenario", scenario])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        assert!(output.status.success(), "seeding {scenario} for {account} failed:\n{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    }

    /// Environment for running assay against the emulator as `account`.
    pub fn env(&self, account: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_ACCESS_KEY_ID", account.to_string()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
            ("AWS_REGION", "ap-southeast-2".to_string()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs assay with the emulator's environment (and nothing of the caller's AWS setup).
pub fn assay_live(account: &str, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_assay"));
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "ASSAY_RULES"] {
        command.env_remove(var);
    }
    command.env("AWS_CONFIG_FILE", "/dev/null").env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null").env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in moto().env(account) {
        command.env(k, v);
    }
    let output = command.output().expect("the assay binary runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}
