//! Output files written all or nothing.
//!
//! Every command that writes files (audit, report, gate, attest, collect, plan, baseline,
//! keygen) stages each file as a temporary file beside its destination (same directory,
//! so the same file system) and renames the whole set into place only once every file
//! was written and flushed. A failure part-way (a template error, a directory where a PDF
//! should go, a full disk) leaves no new file behind: the staged files are removed when
//! the [`Outputs`] is dropped without [`Outputs::commit`].
//!
//! Two more guarantees:
//! - a destination that is a symbolic link is refused, never written through (a link
//!   planted in an output directory cannot redirect a report onto another file);
//! - a directory written by one run is locked (an advisory lock on the directory, released
//!   when the process ends, even by a crash), so two runs into one `--out` cannot interleave
//!   two reports: the second refuses.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("refusing to write {0}: it is a symbolic link (remove it, or choose another path)")]
    Symlink(String),
    #[error("cannot write {0}: it exists and is not a regular file")]
    NotAFile(String),
    #[error("{0} exists; refusing to overwrite it (remove it first)")]
    Exists(String),
    #[error(
        "another assay run is writing into {0}; wait for it to finish or choose another output directory"
    )]
    Locked(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One staged file: written under `temp`, renamed to `dest` on commit.
struct Staged {
    temp: PathBuf,
    dest: PathBuf,
    /// Refuse to replace an existing file (keys).
    no_clobber: bool,
}

/// A set of output files that appear together or not at all.
#[derive(Default)]
pub struct Outputs {
    staged: Vec<Staged>,
    /// Directories locked for this run (the lock lives as long as the handle).
    locks: Vec<File>,
    /// The output directory named by [`Outputs::into_dir`], if any.
    dir: Option<PathBuf>,
}

impl Outputs {
    /// A set of files at paths given one by one ([`Outputs::file`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A set of files inside `dir` (created if missing), locked against a second run
    /// writing into the same directory at the same time.
    pub fn into_dir(dir: &Path) -> Result<Self, OutputError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut outputs = Self::new();
        outputs.lock(dir)?;
        outputs.dir = Some(dir.to_path_buf());
        Ok(outputs)
    }

    /// `dir/name` for a set made by [`Outputs::into_dir`].
    pub fn path(&self, name: &str) -> PathBuf {
        match &self.dir {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        }
    }

    /// An advisory lock on `dir`, held until this set is dropped; a second holder refuses.
    fn lock(&mut self, dir: &Path) -> Result<(), OutputError> {
        // Opening a directory read-only works on Unix; elsewhere the lock is skipped
        // (the per-file renames still keep every file whole).
        let Ok(handle) = File::open(dir) else {
            return Ok(());
        };
        match handle.try_lock() {
            Ok(()) => {
                self.locks.push(handle);
                Ok(())
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(OutputError::Locked(dir.display().to_string()))
            }
            // A file system without locks: carry on unlocked rather than refuse to write.
            Err(std::fs::TryLockError::Error(_)) => Ok(()),
        }
    }

    /// Starts the file that will become `dest`; returns a writer into its staged copy.
    pub fn file(&mut self, dest: &Path) -> Result<std::io::BufWriter<File>, OutputError> {
        self.stage(dest, false, None)
    }

    /// Writes `bytes` as the file that will become `dest`.
    pub fn write(&mut self, dest: &Path, bytes: &[u8]) -> Result<(), OutputError> {
        let mut out = self.file(dest)?;
        out.write_all(bytes).map_err(io(dest))?;
        out.flush().map_err(io(dest))
    }

    /// Writes the file that will become `dest` through `write`, which streams into its
    /// staged copy: a snapshot of 100,000 resources is not also held as one string.
    pub fn write_with(
        &mut self,
        dest: &Path,
        write: impl FnOnce(&mut std::io::BufWriter<File>) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let mut out = self.file(dest)?;
        write(&mut out).map_err(io(dest))?;
        out.flush().map_err(io(dest))
    }

    /// Writes a new file that must not replace an existing one (a key), with Unix
    /// permission bits `mode` when given.
    pub fn write_new(
        &mut self,
        dest: &Path,
        bytes: &[u8],
        mode: Option<u32>,
    ) -> Result<(), OutputError> {
        if std::fs::symlink_metadata(dest).is_ok() {
            return Err(OutputError::Exists(dest.display().to_string()));
        }
        let mut out = self.stage(dest, true, mode)?;
        out.write_all(bytes).map_err(io(dest))?;
        out.flush().map_err(io(dest))
    }

    fn stage(
        &mut self,
        dest: &Path,
        no_clobber: bool,
        mode: Option<u32>,
    ) -> Result<std::io::BufWriter<File>, OutputError> {
        check_destination(dest)?;
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        // A fresh name, created exclusively: never an existing file or a planted link.
        for attempt in 0u32.. {
            let temp = dir.join(format!(
                ".{name}.assay-{}-{}.tmp",
                std::process::id(),
                unique() ^ u64::from(attempt)
            ));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(mode.unwrap_or(0o666));
            }
            #[cfg(not(unix))]
            let _ = mode;
            match options.open(&temp) {
                Ok(file) => {
                    self.staged.push(Staged {
                        temp,
                        dest: dest.to_path_buf(),
                        no_clobber,
                    });
                    return Ok(std::io::BufWriter::new(file));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {}
                Err(e) => return Err(io(dest)(e)),
            }
        }
        unreachable!("the loop returns within 16 attempts")
    }

    /// Renames every staged file into place; returns the destinations in the order they
    /// were staged. Every destination is checked before the first rename, so a
    /// destination that became a link or a directory stops the whole set.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, OutputError> {
        for staged in &self.staged {
            check_destination(&staged.dest)?;
            if staged.no_clobber && std::fs::symlink_metadata(&staged.dest).is_ok() {
                return Err(OutputError::Exists(staged.dest.display().to_string()));
            }
        }
        let staged = std::mem::take(&mut self.staged);
        let mut done = Vec::with_capacity(staged.len());
        let mut pending = staged.into_iter();
        while let Some(s) = pending.next() {
            if let Err(e) = std::fs::rename(&s.temp, &s.dest) {
                // Put the rest back so drop removes them.
                let _ = std::fs::remove_file(&s.temp);
                self.staged.extend(pending);
                return Err(io(&s.dest)(e));
            }
            done.push(s.dest);
        }
        Ok(done)
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        for staged in &self.staged {
            let _ = std::fs::remove_file(&staged.temp);
        }
    }
}

/// Refuses a destination that is a symbolic link or exists as something other than a
/// regular file.
pub fn check_destination(dest: &Path) -> Result<(), OutputError> {
    match std::fs::symlink_metadata(dest) {
        Ok(meta) if meta.file_type().is_symlink() => {
            Err(OutputError::Symlink(dest.display().to_string()))
        }
        Ok(meta) if !meta.is_file() => Err(OutputError::NotAFile(dest.display().to_string())),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(dest)(e)),
    }
}

/// A value that differs between calls and processes, for temporary names.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos.rotate_left(17) ^ COUNTER.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit_and_nothing_stays_after_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut outputs = Outputs::into_dir(dir.path()).unwrap();
            outputs.write(&dir.path().join("a.txt"), b"a").unwrap();
            assert!(!dir.path().join("a.txt").exists());
            // Dropped without commit: a failure later in the run.
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut outputs = Outputs::into_dir(dir.path()).unwrap();
        outputs.write(&dir.path().join("a.txt"), b"a").unwrap();
        outputs.write(&dir.path().join("b.txt"), b"b").unwrap();
        let written = outputs.commit().unwrap();
        assert_eq!(written.len(), 2);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_a_destination_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("report.html");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut outputs = Outputs::new();
        let err = outputs.write(&link, b"x").unwrap_err();
        assert!(matches!(err, OutputError::Symlink(_)), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }

    #[cfg(unix)]
    #[test]
    fn a_second_writer_into_a_locked_directory_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let first = Outputs::into_dir(dir.path()).unwrap();
        let second = Outputs::into_dir(dir.path());
        assert!(matches!(second, Err(OutputError::Locked(_))));
        drop(first);
        Outputs::into_dir(dir.path()).unwrap();
    }
}
