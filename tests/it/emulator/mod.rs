//! A real AWS emulator for the live-scan tests: moto in server mode on a free loopback
//! port, one per test binary, started on first use and stopped when the binary exits.
//!
//! Statics are never dropped, and a test binary can also end by a panic in another
//! thread, a signal or a kill: so moto is not stopped by `Drop` alone. It runs under a
//! watchdog ([`WATCHDOG`]) that ends it as soon as its standard input closes, which the
//! operating system does when the test binary ends, however it ends.
//! `scripts/test.sh` installs it (pinned) and exports where it is; a test that finds no
//! emulator fails loudly rather than skipping.
//!
//! Tests run in parallel against the one server and stay isolated by account: moto maps a
//! request to an account only for credentials it issued, so the seed script and assay both
//! assume a role (`arn:aws:iam::<ACCOUNT>:role/...`; moto's STS accepts any role) and work
//! with the temporary credentials moto hands out for that account.

pub mod estate;
pub mod proxy;
pub mod recorded;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Moto {
    pub url: String,
    port: u16,
    child: Mutex<Child>,
}

static MOTO: OnceLock<Moto> = OnceLock::new();

/// Runs moto's server in a Python process that exits when its standard input reaches end
/// of file. The test binary holds the only write end of that pipe (Rust opens it
/// close-on-exec, so no other child inherits it): when the binary exits, is killed or
/// crashes, the pipe closes and moto goes with it, never left listening as an orphan.
const WATCHDOG: &str = "\
import os, sys, threading
def watch():
    sys.stdin.buffer.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
";

fn venv_bin(name: &str) -> PathBuf {
    let var = match name {
        "moto_server" => "ASSAY_MOTO_SERVER",
        _ => "ASSAY_MOTO_PYTHON",
    };
    if let Ok(path) = std::env::var(var) {
        return PathBuf::from(path);
    }
    let home = std::env::var("HOME").unwrap_or_default();
    PathBuf::from(home)
        .join(".cache/assay/moto-venv/bin")
        .join(name)
}

/// The shared emulator, started on first use.
pub fn moto() -> &'static Moto {
    MOTO.get_or_init(|| Moto::start(false))
}

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Moto {
    /// Starts an emulator on a free loopback port and waits until it answers. Tests that
    /// need moto's generated ids to be the same on every run use one of their own
    /// (`/moto-api/seed` fixes the generator, other tests' writes would advance it);
    /// `managed_policies` loads AWS's managed IAM policies (`arn:aws:iam::aws:policy/…`)
    /// so they can be attached.
    pub fn start(managed_policies: bool) -> Moto {
        let server = venv_bin("moto_server");
        assert!(
            server.exists(),
            "no AWS emulator: {} does not exist. Run scripts/test.sh (it installs moto[server] into a virtual environment), or set ASSAY_MOTO_SERVER.",
            server.display()
        );
        let port = free_port();
        let log = std::env::temp_dir().join(format!("assay-moto-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("moto log file");
        let python = venv_bin("python");
        let child = Command::new(&python)
            .args(["-c", WATCHDOG, "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::piped())
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .env(
                "MOTO_IAM_LOAD_MANAGED_POLICIES",
                if managed_policies { "true" } else { "false" },
            )
            .stdout(Stdio::from(log_file.try_clone().expect("log handle")))
            .stderr(Stdio::from(log_file))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto with {}: {e}", python.display()));
        let moto = Moto {
            url: format!("http://127.0.0.1:{port}"),
            port,
            child: Mutex::new(child),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !moto
            .http("GET", "/moto-api/")
            .is_some_and(|s| s.starts_with("HTTP/1.1 200") || s.starts_with("HTTP/1.0 200"))
        {
            assert!(
                Instant::now() < deadline,
                "moto did not answer on port {port} within 30 s; see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// The emulator's process id (for the test that it does not outlive the binary).
    pub fn pid(&self) -> u32 {
        self.child.lock().map(|c| c.id()).unwrap_or(0)
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A minimal HTTP/1.0 request to the emulator's control API; returns the response.
    fn http(&self, method: &str, path: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    }

    /// Seeds the emulator for `account` with a scenario from `tests/emulator/seed.py`;
    /// returns what the script printed (ids moto generated).
    pub fn seed(&self, account: &str, scenario: &str) -> Value {
        self.run_seed(
            "tests/emulator/seed.py",
            &["--account", account, "--scenario", scenario],
        )
    }

    /// Runs a boto3 seed script (a path from the repository root) against the emulator
    /// with `--endpoint` and `args`, without the caller's AWS set-up; returns the JSON it
    /// printed.
    pub fn run_seed(&self, script: &str, args: &[&str]) -> Value {
        let python = venv_bin("python");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(script);
        let mut command = Command::new(&python);
        command
            .arg(&script)
            .args(["--endpoint", &self.url])
            .args(args);
        for (k, _) in std::env::vars() {
            if k.starts_with("AWS_") {
                command.env_remove(k);
            }
        }
        let output = command
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        assert!(
            output.status.success(),
            "{} {args:?} failed:\n{}\n{}",
            script.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "{} printed no JSON ({e}): {}",
                script.display(),
                String::from_utf8_lossy(&output.stdout)
            )
        })
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

/// The outcome of one assay run.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The assay binary with none of the caller's AWS set-up (no profiles, no instance
/// metadata, no AWS_* variables) and the emulator's base credentials, which moto maps to
/// its default account; tests reach their own account with `--role-arn`.
pub fn command(endpoint: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_assay"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") || k == "ASSAY_RULES" {
            command.env_remove(k);
        }
    }
    command
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "ap-southeast-2");
    if let Some(url) = endpoint {
        command.env("AWS_ENDPOINT_URL", url);
    }
    command
}

pub fn run(mut command: Command, args: &[&str]) -> Ran {
    let output = command.args(args).output().expect("the assay binary runs");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs assay against `endpoint` (moto or a proxy in front of it).
pub fn assay_live(endpoint: &str, args: &[&str]) -> Ran {
    run(command(Some(endpoint)), args)
}
