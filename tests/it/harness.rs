//! The test harness cleans up after itself: an emulator it starts does not outlive the
//! test binary, whether the binary exits normally (statics are never dropped) or is
//! killed part-way (an interrupted run).
//!
//! Each case runs this test binary again with only [`moto_child`] selected; the child
//! starts the shared emulator, prints its process id and port, and then exits or waits to
//! be killed. The parent then checks that the emulator is gone.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::emulator::moto;

/// Set in the child run; [`moto_child`] does nothing without it.
const CHILD: &str = "ASSAY_TEST_HARNESS_CHILD";

/// How the child run ends.
#[derive(Clone, Copy)]
enum End {
    /// `std::process::exit(0)`: statics (the shared emulator) are not dropped.
    Exit,
    /// SIGKILL from the parent, as an interrupted or timed-out CI job ends.
    Killed,
}

#[test]
fn the_emulator_stops_when_the_test_binary_exits() {
    assert_emulator_stops(End::Exit);
}

#[test]
fn the_emulator_stops_when_the_test_binary_is_killed() {
    assert_emulator_stops(End::Killed);
}

/// The child side: only does something when run by [`assert_emulator_stops`].
#[test]
fn moto_child() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let moto = moto();
    println!("moto pid={} port={}", moto.pid(), moto.port());
    if mode == "exit" {
        std::process::exit(0);
    }
    loop {
        std::thread::park();
    }
}

fn assert_emulator_stops(end: End) {
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "harness::moto_child", "--nocapture"])
        .env(
            CHILD,
            match end {
                End::Exit => "exit",
                End::Killed => "wait",
            },
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the test binary runs");
    let stdout = child.stdout.take().expect("piped");
    let mut pid_port = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child output");
        if let Some(rest) = line.strip_prefix("moto pid=") {
            let (pid, port) = rest.split_once(" port=").expect("pid and port");
            pid_port = Some((
                pid.parse::<u32>().expect("pid"),
                port.parse::<u16>().expect("port"),
            ));
            break;
        }
    }
    let (pid, port) = pid_port.expect("the child started moto and said so");
    assert!(alive(pid), "moto {pid} runs while the child runs");
    if let End::Killed = end {
        child.kill().expect("kill the child");
    }
    child.wait().expect("the child ends");
    // The emulator notices its pipe closing at once; allow it time to exit under load.
    let deadline = Instant::now() + Duration::from_secs(60);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // The process is what matters: its port may already serve another test's proxy.
    assert!(
        !alive(pid),
        "moto {pid} (port {port}) outlived the test binary that started it"
    );
}

/// Whether process `pid` exists and is not a zombie waiting to be reaped.
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses: `123 (python3) S …`.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z') && !rest.starts_with('X')),
        Err(_) => false,
    }
}
