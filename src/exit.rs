//! The process exit status of every command, one type so a script can rely on a number
//! meaning the same thing whatever the command (the table is in `assay --help`).
//!
//! Not a variant: 141, the shell's status for a process killed by SIGPIPE, which is how
//! assay ends when the reader of its output goes away (`assay rules list | head -1`).

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: nothing failed; the gate passed; every check was verified; written.
    Ok,
    /// 1: at least one FAIL, a failed gate, a failed rule fixture, a check that failed or
    /// a document that differs from what its inputs give.
    Failed,
    /// 2: bad input or tool error (nothing is written), or for `assay verify`, not
    /// verified: an input needed is missing or is not the one recorded.
    Error,
    /// 3: incomplete: no FAIL, but a GAP, ERROR or UNKNOWN, or no evidence at all; for
    /// `assay collect`, a scan with gaps.
    Incomplete,
}

impl ExitStatus {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::Failed => 1,
            ExitStatus::Error => 2,
            ExitStatus::Incomplete => 3,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}
