//! The PDF typesetting engine: fonts, page layout (wrapped text, tables that break across
//! pages under a repeated header, a two-pass page count) and the document writer (outline,
//! metadata, embedded fonts). A leaf: it knows nothing of findings or attestations, so the
//! evidence pack (`report::pdf`) and the attestation (`attest::pdf`) both build on it
//! without either depending on the other.

pub(crate) mod document;
pub mod fonts;
pub mod layout;
