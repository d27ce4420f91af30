//! Customer-facing attestations: what a vendor can hand a customer about where the
//! customer's data lives, every copy of it, how it is encrypted and how long backups are
//! kept, built from a snapshot's evidence, signed, and verifiable by anyone.
//!
//! `build` turns an evaluated snapshot into facts (`model`), `sign` signs their canonical
//! JSON with Ed25519, `render` writes them as HTML and PDF through `view` and the
//! templates in `report-templates/`, and `verify` checks a signed attestation (JSON, HTML
//! or PDF), a snapshot, or a findings document against its snapshot. See
//! `docs/attestation.md`.

pub mod build;
pub mod model;
pub mod pdf;
pub mod redact;
pub mod render;
pub mod scope;
pub mod sign;
pub mod summary;
pub mod verify;
pub mod view;

use ed25519_dalek::SigningKey;

pub use model::Attestation;
use render::{RenderError, Renderer};
use view::View;

/// The files `assay attest` writes into its output directory.
pub const JSON_FILE: &str = "attestation.json";
pub const SIG_FILE: &str = "attestation.sig";
pub const HTML_FILE: &str = "attestation.html";
pub const PDF_FILE: &str = "attestation.pdf";

/// A finished attestation: the signed bytes, the signature and both renderings.
pub struct Rendered {
    pub attestation: Attestation,
    /// RFC 8785 canonical JSON: what is signed and what `attestation.json` holds.
    pub canonical: String,
    /// Base64 Ed25519 signature over `canonical`.
    pub signature: Option<String>,
    pub html: String,
    pub pdf: Vec<u8>,
}

/// Names the signer (when signing), signs the canonical JSON and renders it.
pub fn finish(
    mut attestation: Attestation,
    key: Option<&SigningKey>,
    renderer: &Renderer,
) -> Result<Rendered, RenderError> {
    attestation.signer = key.map(|k| sign::signer(&k.verifying_key()));
    let canonical = sign::canonical(&attestation);
    let signature = key.map(|k| sign::sign(canonical.as_bytes(), k));
    let view = View::new(&attestation, &canonical, signature.as_deref());
    let html = renderer.html(&view)?;
    let pdf = renderer.pdf(&view)?;
    Ok(Rendered {
        attestation,
        canonical,
        signature,
        html,
        pdf,
    })
}
