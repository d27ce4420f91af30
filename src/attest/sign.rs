//! Ed25519 signatures for attestations. What is signed is the attestation's RFC 8785
//! canonical JSON: exactly the bytes of `attestation.json` (without its final newline);
//! the signature is written base64 in the detached `.sig` file. The keys and the
//! signing itself are [`crate::keys`], shared with the snapshot seal, and re-exported here.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;

use super::model::{Attestation, Signer};
pub use crate::keys::*;

/// The `signer` block for a key.
pub fn signer(key: &VerifyingKey) -> Signer {
    Signer {
        algorithm: "ed25519".into(),
        public_key: STANDARD.encode(key.as_bytes()),
        fingerprint: fingerprint(key),
    }
}

/// The attestation's signed form: RFC 8785 canonical JSON.
pub fn canonical(attestation: &Attestation) -> String {
    let value = serde_json::to_value(attestation).expect("an attestation always serialises");
    serde_json_canonicalizer::to_string(&value)
        .expect("canonical JSON of a serde_json value cannot fail")
}

/// The public key a `signer` block names.
pub fn key_of(signer: &Signer) -> Option<VerifyingKey> {
    let raw: [u8; 32] = STANDARD.decode(&signer.public_key).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signer_block_names_its_key() {
        let key = generate().unwrap().verifying_key();
        let block = signer(&key);
        assert_eq!(key_of(&block), Some(key));
        assert_eq!(block.fingerprint, fingerprint(&key));
    }
}
