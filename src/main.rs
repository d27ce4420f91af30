//! The `assay` binary: parse arguments, run, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = assay::cli::Cli::parse();
    match assay::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // A closed pipe (`assay … | head`) is not an error.
            if error.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
