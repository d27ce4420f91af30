//! The `assay` binary: parse arguments, run, map the outcome to an exit status.

use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = assay::cli::Cli::from_command_line();
    match assay::cli::run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            // A closed pipe (`assay … | head`) is not an error.
            if error.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // Library errors often name their source in their own message (`cannot read
            // X: No such file`); a cause already said is not said again.
            // Messages quote paths, ARNs and file contents: escape sequences in them are
            // shown, never sent to the terminal raw.
            let safe = |text: &str| assay::text::terminal(text).into_owned();
            let mut said = error.to_string();
            eprintln!("error: {}", safe(&said));
            for cause in error.chain().skip(1) {
                let cause = cause.to_string();
                if !said.contains(&cause) {
                    eprintln!("  caused by: {}", safe(&cause));
                    said.push_str(&cause);
                }
            }
            assay::exit::ExitStatus::Error.into()
        }
    }
}

/// `assay rules list | head -1`: when the reader goes away, end quietly as Unix tools do,
/// killed by SIGPIPE (the shell reports status 141), instead of panicking in `println!`.
/// Rust ignores SIGPIPE by default; sockets are unaffected (the standard library sends
/// with MSG_NOSIGNAL on Linux and sets SO_NOSIGPIPE elsewhere), so a live scan's
/// connections still see a closed peer as an error, not a signal.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
