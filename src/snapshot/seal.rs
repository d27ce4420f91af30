//! Signing a snapshot where it is made, and checking that signature.
//!
//! The manifest digest alone detects accidental change, but anyone who edits a snapshot
//! can compute a new one ("reseal"). A signature binds the digest to a key: with the
//! signer's public key, a reader knows the snapshot is the one that key's holder sealed.
//! Neither proves the data came from AWS: the collector's identity and endpoint are
//! recorded in `origin`, and are as trustworthy as the signer.
//!
//! The signature is Ed25519 (the attestation keys of `assay keygen`, `attest::sign`) over
//! the ASCII bytes `assay-snapshot-manifest-v1:` followed by the hex manifest digest; it
//! lives in the manifest block, which the digest does not cover, so signing changes no
//! digest. The prefix keeps a snapshot signature from ever being valid as anything else.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Snapshot;
use crate::keys;

/// What is signed, before the digest.
pub const CONTEXT: &str = "assay-snapshot-manifest-v1:";

/// The signature in a snapshot's manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestSignature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The signer's raw public key, base64 (to name it; trust comes from the key the
    /// reader gives, never from this field).
    pub public_key: String,
    /// `SHA256:` + base64 of SHA-256 over the public key, as `assay keygen` prints it.
    pub fingerprint: String,
    /// Base64 Ed25519 signature over `assay-snapshot-manifest-v1:<digest>`.
    pub value: String,
}

/// The bytes signed for a manifest digest.
pub fn message(digest: &str) -> Vec<u8> {
    format!("{CONTEXT}{digest}").into_bytes()
}

/// Signs a sealed snapshot's digest.
pub fn sign(snapshot: &mut Snapshot, key: &SigningKey) {
    let public = key.verifying_key();
    snapshot.manifest.signature = Some(ManifestSignature {
        algorithm: "ed25519".into(),
        public_key: STANDARD.encode(public.as_bytes()),
        fingerprint: keys::fingerprint(&public),
        value: keys::sign(&message(&snapshot.manifest.digest), key),
    });
}

/// What can be said of a snapshot's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seal {
    /// No signature: only the digest, which anyone can recompute.
    Unsigned,
    /// Signed, but no key was given to check it against.
    NotChecked { fingerprint: String },
    /// Signed by the key given, and the signature is valid over the digest.
    Valid { fingerprint: String },
    /// A key was given and the snapshot is unsigned, signed by another key, or its
    /// signature does not match its digest.
    Invalid(String),
}

impl Seal {
    /// One line for people, always with the word `unsigned`, `signed` or `signature`.
    pub fn describe(&self) -> String {
        match self {
            Seal::Unsigned => "unsigned: only the manifest digest, which detects accidental change but which anyone editing the file can recompute (sign with `assay collect --sign KEY`)".into(),
            Seal::NotChecked { fingerprint } => format!(
                "signed by Ed25519 key {fingerprint}, not checked: no --key (give the signer's public key to check who sealed it)"
            ),
            Seal::Valid { fingerprint } => format!(
                "signed by Ed25519 key {fingerprint}, the key given: the signature is valid over the manifest digest"
            ),
            Seal::Invalid(why) => why.clone(),
        }
    }
}

/// Judges the snapshot's signature, against `key` when one is given.
pub fn judge(snapshot: &Snapshot, key: Option<&VerifyingKey>) -> Seal {
    let signature = snapshot.manifest.signature.as_ref();
    let Some(key) = key else {
        return match signature {
            None => Seal::Unsigned,
            Some(s) => Seal::NotChecked {
                fingerprint: s.fingerprint.clone(),
            },
        };
    };
    let given = keys::fingerprint(key);
    let Some(s) = signature else {
        return Seal::Invalid(format!(
            "unsigned, but --key {given} was given: nothing shows who sealed this snapshot"
        ));
    };
    let named = STANDARD
        .decode(&s.public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok());
    if s.algorithm != "ed25519" || named != Some(*key.as_bytes()) {
        return Seal::Invalid(format!(
            "signed by key {}, not by the key given ({given})",
            s.fingerprint
        ));
    }
    match keys::verify(&message(&snapshot.manifest.digest), &s.value, key) {
        Ok(()) => Seal::Valid { fingerprint: given },
        Err(_) => Seal::Invalid(format!(
            "the signature by key {given} does not match the manifest digest {}: the snapshot was changed and resealed after it was signed",
            snapshot.manifest.digest
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        let text = include_str!("../../samples/aws-sample/snapshot.json");
        Snapshot::parse(text, "sample").expect("the sample parses")
    }

    #[test]
    fn a_signature_binds_the_digest_to_the_key() {
        let key = keys::generate().unwrap();
        let public = key.verifying_key();
        let mut snapshot = sample();
        assert_eq!(judge(&snapshot, None), Seal::Unsigned);
        assert!(
            judge(&snapshot, Some(&public))
                .describe()
                .contains("unsigned")
        );
        sign(&mut snapshot, &key);
        assert!(snapshot.verify().is_empty(), "signing changes no digest");
        assert!(matches!(
            judge(&snapshot, Some(&public)),
            Seal::Valid { .. }
        ));
        assert!(matches!(judge(&snapshot, None), Seal::NotChecked { .. }));

        // Forged: gaps removed and resealed, the old signature put back.
        let signature = snapshot.manifest.signature.clone();
        snapshot.gaps.clear();
        for r in &mut snapshot.resources {
            r.unread.clear();
        }
        snapshot.seal();
        snapshot.manifest.signature = signature;
        assert!(snapshot.verify().is_empty(), "the reseal is intact");
        let Seal::Invalid(why) = judge(&snapshot, Some(&public)) else {
            panic!("a resealed snapshot must not verify against the key");
        };
        assert!(why.contains("changed and resealed"), "{why}");

        // Re-signed with the forger's own key: not the key given.
        let forger = keys::generate().unwrap();
        sign(&mut snapshot, &forger);
        let Seal::Invalid(why) = judge(&snapshot, Some(&public)) else {
            panic!("another key's signature must not verify");
        };
        assert!(why.contains("not by the key given"), "{why}");
    }
}
