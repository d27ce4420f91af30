//! Reading input files: every file assay reads (snapshot, plan, profile, waivers, rules,
//! params, findings, attestation, baseline, keys) goes through [`read`] or [`read_text`].
//!
//! An input must be a regular file (a symbolic link to one is fine): a device such as
//! `/dev/zero` would never end, and a FIFO would block until someone writes to it. It is
//! read with a size cap, so a huge or endless file stops with a clear error instead of
//! exhausting memory. The cap is [`DEFAULT_MAX_BYTES`] unless the environment variable
//! [`MAX_BYTES_VAR`] sets another number of bytes.

use std::io::Read;
use std::path::Path;

/// The environment variable that sets the cap, in bytes.
pub const MAX_BYTES_VAR: &str = "ASSAY_MAX_INPUT_BYTES";

/// The cap when [`MAX_BYTES_VAR`] is not set: 1 GiB, several times the largest snapshot
/// a live scan of a large organisation writes.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Why an input was refused. Callers receive it inside a [`std::io::Error`] (kind
/// `InvalidInput`, or `InvalidData` for non-UTF-8 text), so each keeps its own
/// "cannot read <what> <path>: …" message and error type; `get_ref()` gives this back.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("it is {0}, not a regular file")]
    NotAFile(&'static str),
    #[error("it is larger than the input size cap of {0} bytes (set {MAX_BYTES_VAR} to raise it)")]
    TooLarge(u64),
    #[error("stream did not contain valid UTF-8")]
    NotUtf8,
    #[error("{MAX_BYTES_VAR}={0} is not a number of bytes")]
    BadCap(String),
}

impl From<InputError> for std::io::Error {
    fn from(e: InputError) -> Self {
        let kind = match e {
            InputError::NotUtf8 => std::io::ErrorKind::InvalidData,
            _ => std::io::ErrorKind::InvalidInput,
        };
        std::io::Error::new(kind, e)
    }
}

/// The cap in force: [`MAX_BYTES_VAR`] when set, else [`DEFAULT_MAX_BYTES`].
pub fn max_bytes() -> Result<u64, InputError> {
    match std::env::var(MAX_BYTES_VAR) {
        Ok(value) => value
            .trim()
            .parse::<u64>()
            .map_err(|_| InputError::BadCap(value)),
        Err(_) => Ok(DEFAULT_MAX_BYTES),
    }
}

/// The bytes of the regular file at `path`, at most the cap.
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    read_capped(path, max_bytes()?)
}

/// The UTF-8 text of the regular file at `path`, at most the cap.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read(path)?).map_err(|_| InputError::NotUtf8.into())
}

/// [`read`] with an explicit cap.
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    // Look before opening: opening a FIFO for reading blocks until a writer appears.
    check_regular(&std::fs::metadata(path)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Should the path be swapped for a FIFO between the look and the open, the open
        // still returns at once; the second look below then refuses it.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    check_regular(&meta)?;
    if meta.len() > cap {
        return Err(InputError::TooLarge(cap).into());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte past the cap tells a file that grew while being read.
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(InputError::TooLarge(cap).into());
    }
    Ok(bytes)
}

fn check_regular(meta: &std::fs::Metadata) -> Result<(), InputError> {
    if meta.is_file() {
        return Ok(());
    }
    Err(InputError::NotAFile(if meta.is_dir() {
        "a directory"
    } else {
        special_kind(meta)
    }))
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_before_a_byte_is_read() {
        let err = read(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("a character device"), "{err}");
    }

    #[test]
    fn a_file_over_the_cap_is_refused_naming_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; 100]).unwrap();
        let err = read_capped(&path, 99).unwrap_err();
        assert!(err.to_string().contains("cap of 99 bytes"), "{err}");
        assert!(err.to_string().contains(MAX_BYTES_VAR), "{err}");
        assert_eq!(read_capped(&path, 100).unwrap().len(), 100);
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path()).unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
    }
}
