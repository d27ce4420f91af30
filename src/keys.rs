//! Ed25519 keys and signatures: what signs an attestation (`attest::sign`) and a snapshot's
//! manifest (`snapshot::seal`), a leaf both use.
//!
//! Keys are standard PEM files (PKCS#8 private key, SPKI public key), so OpenSSL and other
//! tools read them too; a customer can check a signature without assay
//! (`docs/attestation.md`). The signature is 64 bytes, written base64.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not an Ed25519 private key in PKCS#8 PEM form ({message})")]
    PrivateKey { path: String, message: String },
    #[error("{path}: not an Ed25519 public key in SPKI PEM form ({message})")]
    PublicKey { path: String, message: String },
    #[error("{0} exists; refusing to overwrite a key (remove it first)")]
    Exists(String),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    #[error("encoding the key: {0}")]
    Encode(String),
    #[error("the signature is not 64 bytes of base64: {0}")]
    SignatureFormat(String),
    #[error(
        "the signature does not match the attestation: the attestation or its signature was changed after signing"
    )]
    Mismatch,
}

/// A new key pair from the operating system's randomness.
pub fn generate() -> Result<SigningKey, SignError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| SignError::Random(e.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes `<prefix>.key` (private, mode 0600 on Unix) and `<prefix>.pub`; refuses to
/// overwrite either. Returns both paths.
pub fn write_key_pair(key: &SigningKey, prefix: &Path) -> Result<(PathBuf, PathBuf), SignError> {
    let private = prefix.with_extension("key");
    let public = prefix.with_extension("pub");
    for p in [&private, &public] {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(SignError::Exists(p.display().to_string()));
        }
    }
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| SignError::Encode(e.to_string()))?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| SignError::Encode(e.to_string()))?;
    // Both files appear together or not at all; the private key is never readable by
    // others, not even while it is being written.
    let mut outputs = crate::output::Outputs::new();
    outputs.write_new(&private, pem.as_bytes(), Some(0o600))?;
    outputs.write_new(&public, public_pem.as_bytes(), None)?;
    outputs.commit()?;
    Ok((private, public))
}

fn read(path: &Path) -> Result<String, SignError> {
    crate::input::read_text(path).map_err(|source| SignError::Io {
        path: path.display().to_string(),
        source,
    })
}

pub fn read_signing_key(path: &Path) -> Result<SigningKey, SignError> {
    SigningKey::from_pkcs8_pem(&read(path)?).map_err(|e| SignError::PrivateKey {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, SignError> {
    VerifyingKey::from_public_key_pem(&read(path)?).map_err(|e| SignError::PublicKey {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// `SHA256:` + base64 (unpadded) of SHA-256 over the raw public key.
pub fn fingerprint(key: &VerifyingKey) -> String {
    format!(
        "SHA256:{}",
        STANDARD_NO_PAD.encode(Sha256::digest(key.as_bytes()))
    )
}

/// Signs `bytes`; the base64 signature.
pub fn sign(bytes: &[u8], key: &SigningKey) -> String {
    STANDARD.encode(key.sign(bytes).to_bytes())
}

/// Checks a base64 signature over `bytes` (strict Ed25519 verification: no malleable
/// or small-order encodings).
pub fn verify(bytes: &[u8], signature: &str, key: &VerifyingKey) -> Result<(), SignError> {
    let raw = STANDARD
        .decode(signature.trim())
        .map_err(|e| SignError::SignatureFormat(e.to_string()))?;
    let raw: [u8; 64] = raw
        .try_into()
        .map_err(|v: Vec<u8>| SignError::SignatureFormat(format!("{} bytes", v.len())))?;
    key.verify_strict(bytes, &Signature::from_bytes(&raw))
        .map_err(|_| SignError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_pem_and_sign() {
        let dir = tempfile::tempdir().unwrap();
        let key = generate().unwrap();
        let (private, public) = write_key_pair(&key, &dir.path().join("vendor")).unwrap();
        let again = read_signing_key(&private).unwrap();
        let public_key = read_verifying_key(&public).unwrap();
        assert_eq!(again.to_bytes(), key.to_bytes());
        assert_eq!(public_key, key.verifying_key());
        assert!(
            std::fs::read_to_string(&private)
                .unwrap()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert!(
            std::fs::read_to_string(&public)
                .unwrap()
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        let sig = sign(b"facts", &again);
        verify(b"facts", &sig, &public_key).unwrap();
        assert!(matches!(
            verify(b"fact5", &sig, &public_key),
            Err(SignError::Mismatch)
        ));
        let other = generate().unwrap().verifying_key();
        assert!(matches!(
            verify(b"facts", &sig, &other),
            Err(SignError::Mismatch)
        ));
        assert!(matches!(
            verify(b"facts", "AAAA", &public_key),
            Err(SignError::SignatureFormat(_))
        ));
        // Never overwrites a key.
        assert!(matches!(
            write_key_pair(&key, &dir.path().join("vendor")),
            Err(SignError::Exists(_))
        ));
        assert!(fingerprint(&public_key).starts_with("SHA256:"));
        assert_eq!(fingerprint(&public_key).len(), 7 + 43);
    }

    #[test]
    fn a_public_key_is_not_accepted_as_a_private_one() {
        let dir = tempfile::tempdir().unwrap();
        let key = generate().unwrap();
        let (_, public) = write_key_pair(&key, &dir.path().join("k")).unwrap();
        let e = read_signing_key(&public).unwrap_err();
        assert!(e.to_string().contains("not an Ed25519 private key"), "{e}");
    }
}
