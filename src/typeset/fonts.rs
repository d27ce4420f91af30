//! The fonts of the PDF evidence pack: four faces compiled into the binary, text
//! measurement with per-character fallback, and subsetting at write time.
//!
//! Why our own measurement instead of printpdf's `shape_text`: that helper exists only
//! with printpdf's `text_layout` feature, which pulls in azul-layout and a system font
//! loader (the HTML stack that `default-features = false` keeps out). Evidence text is
//! Latin prose, ARNs, hashes, dates and the odd non-Latin resource name or tag: a cmap
//! lookup plus advance widths lays that out exactly (no kerning, ligatures or bidi, which
//! these strings do not need).
//!
//! Why embedded fonts: the pack must render identically on every machine, and names and
//! tags are arbitrary Unicode. Noto Sans covers Latin, Greek and Cyrillic; Droid Sans
//! Fallback covers Chinese, Japanese and Korean; a character no face has is drawn as `?`
//! (visible, never silently dropped). See `fonts/README.md` for sources and licences.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use printpdf::ParsedFont;
use sha2::Digest as _;

const NOTO_SANS_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
const NOTO_SANS_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
const NOTO_SANS_MONO: &[u8] = include_bytes!("../../fonts/NotoSansMono-Regular.ttf");
const DROID_SANS_FALLBACK: &[u8] = include_bytes!("../../fonts/DroidSansFallback.ttf");

/// The character drawn for one that no embedded face has.
pub const MISSING: char = '?';

/// Codepoints below this get a flat width table (Latin, punctuation, arrows): the hot path
/// of measurement. Others go through the font's cmap map.
const FAST_RANGE: usize = 0x2200;

/// A font face of the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Face {
    Regular,
    Bold,
    Mono,
    /// Fallback for CJK; never asked for directly.
    Cjk,
}

impl Face {
    pub const ALL: [Face; 4] = [Face::Regular, Face::Bold, Face::Mono, Face::Cjk];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The font's resource name in the PDF (also what `pdffonts` shows).
    pub fn resource_name(self) -> &'static str {
        match self {
            Face::Regular => "NotoSans",
            Face::Bold => "NotoSansBold",
            Face::Mono => "NotoSansMono",
            Face::Cjk => "DroidSansFallback",
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => NOTO_SANS_REGULAR,
            Face::Bold => NOTO_SANS_BOLD,
            Face::Mono => NOTO_SANS_MONO,
            Face::Cjk => DROID_SANS_FALLBACK,
        }
    }

    /// Faces tried in turn for a character, starting with the one asked for.
    fn chain(self) -> &'static [Face] {
        match self {
            Face::Regular => &[Face::Regular, Face::Cjk],
            Face::Bold => &[Face::Bold, Face::Regular, Face::Cjk],
            Face::Mono => &[Face::Mono, Face::Regular, Face::Cjk],
            Face::Cjk => &[Face::Cjk],
        }
    }
}

/// One parsed face with a fast width table.
struct FaceData {
    font: ParsedFont,
    units_per_em: f32,
    /// Advance in em for codepoints below `FAST_RANGE`; negative when the face lacks it.
    fast: Vec<f32>,
}

impl FaceData {
    fn parse(face: Face) -> Result<FaceData, String> {
        let mut warnings = Vec::new();
        let font = ParsedFont::from_bytes(face.bytes(), 0, &mut warnings)
            .ok_or_else(|| format!("embedded font {} does not parse", face.resource_name()))?;
        let units_per_em = f32::from(font.units_per_em.max(1));
        let mut data = FaceData {
            font,
            units_per_em,
            fast: Vec::new(),
        };
        data.fast = (0..FAST_RANGE as u32)
            .map(|cp| data.slow_advance(cp).unwrap_or(-1.0))
            .collect();
        Ok(data)
    }

    fn slow_advance(&self, cp: u32) -> Option<f32> {
        let gid = self.font.lookup_glyph_index(cp)?;
        if gid == 0 {
            return None;
        }
        let width = self.font.get_glyph_width(gid).unwrap_or(0);
        Some(f32::from(width) / self.units_per_em)
    }

    fn advance(&self, ch: char) -> Option<f32> {
        let cp = ch as usize;
        if cp < FAST_RANGE {
            let w = self.fast[cp];
            (w >= 0.0).then_some(w)
        } else {
            self.slow_advance(cp as u32)
        }
    }
}

/// The four faces, parsed once per process.
pub struct FontSet {
    faces: Vec<FaceData>,
}

/// A stretch of text drawn in one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub face: Face,
    pub text: String,
    /// Width in points at the size it was measured for.
    pub width: f32,
}

static FONTS: OnceLock<Result<FontSet, String>> = OnceLock::new();

/// The shared font set (parsing the four faces takes a few milliseconds, once).
pub fn fonts() -> Result<&'static FontSet, String> {
    FONTS
        .get_or_init(|| {
            Ok(FontSet {
                faces: Face::ALL
                    .iter()
                    .map(|f| FaceData::parse(*f))
                    .collect::<Result<_, _>>()?,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Text is drawn on one line per call: control characters become spaces.
fn clean(ch: char) -> char {
    if ch.is_control() { ' ' } else { ch }
}

impl FontSet {
    fn face(&self, face: Face) -> &FaceData {
        &self.faces[face.index()]
    }

    /// The face that draws `ch` when `face` is asked for, the character actually drawn
    /// (`MISSING` when no face has it) and its advance in em.
    pub fn resolve(&self, face: Face, ch: char) -> (Face, char, f32) {
        let ch = clean(ch);
        for f in face.chain() {
            if let Some(w) = self.face(*f).advance(ch) {
                return (*f, ch, w);
            }
        }
        let w = self.face(face).advance(MISSING).unwrap_or(0.5);
        (face, MISSING, w)
    }

    /// Width of `text` in points at `size`.
    pub fn width(&self, face: Face, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.resolve(face, c).2).sum::<f32>() * size
    }

    /// Width of one character in points at `size`.
    pub fn char_width(&self, face: Face, ch: char, size: f32) -> f32 {
        self.resolve(face, ch).2 * size
    }

    /// Splits `text` into runs of one face each, substituting `MISSING` where needed.
    pub fn runs(&self, face: Face, text: &str, size: f32) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        for ch in text.chars() {
            let (f, drawn, w) = self.resolve(face, ch);
            match runs.last_mut() {
                Some(run) if run.face == f => {
                    run.text.push(drawn);
                    run.width += w * size;
                }
                _ => runs.push(Run {
                    face: f,
                    text: drawn.to_string(),
                    width: w * size,
                }),
            }
        }
        runs
    }

    /// A face reduced to the characters a document uses, so a pack embeds kilobytes of
    /// font rather than megabytes. Falls back to the whole face if subsetting fails
    /// (the document is still correct, only larger).
    pub fn subset(&self, face: Face, chars: &BTreeSet<char>) -> ParsedFont {
        let data = self.face(face);
        let mut font = data.font.clone();
        font.font_name = Some(face.resource_name().to_string());
        let Some(bytes) = subset_bytes(face.bytes(), &data.font, chars) else {
            return font;
        };
        let mut warnings = Vec::new();
        let Some(mut small) = ParsedFont::from_bytes(&bytes, 0, &mut warnings) else {
            return font;
        };
        // ISO 32000-1 9.6.4: a subset's name carries a six-letter tag. Derived from the
        // subset's bytes, so it is stable for identical input.
        let tag: String = hex::encode(sha2::Sha256::digest(&bytes))
            .bytes()
            .take(6)
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        small.font_name = Some(format!("{tag}+{}", face.resource_name()));
        small
    }
}

/// Subsets a TrueType face to `chars`, keeping a Unicode cmap for them (printpdf maps
/// text to glyphs through the cmap of the font it embeds).
fn subset_bytes(bytes: &[u8], font: &ParsedFont, chars: &BTreeSet<char>) -> Option<Vec<u8>> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile, subset};

    let mut glyphs: BTreeSet<u16> = chars
        .iter()
        .filter_map(|c| font.lookup_glyph_index(*c as u32))
        .collect();
    glyphs.remove(&0);
    let mut ids = vec![0u16];
    ids.extend(glyphs);
    let data = ReadScope::new(bytes).read::<FontData<'_>>().ok()?;
    let provider = data.table_provider(0).ok()?;
    subset(
        &provider,
        &ids,
        &SubsetProfile::Minimal,
        CmapTarget::Unicode,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_face_parses_and_measures() {
        let fonts = fonts().expect("embedded fonts parse");
        for face in [Face::Regular, Face::Bold, Face::Mono] {
            let w = fonts.width(face, "arn:aws:s3:::bucket", 10.0);
            assert!(w > 50.0 && w < 150.0, "{face:?}: {w}");
        }
        // Mono: every character has the same advance.
        let a = fonts.width(Face::Mono, "iiii", 10.0);
        let b = fonts.width(Face::Mono, "MMMM", 10.0);
        assert!((a - b).abs() < 0.01);
    }

    #[test]
    fn cjk_falls_back_and_unknown_becomes_question_mark() {
        let fonts = fonts().unwrap();
        let runs = fonts.runs(Face::Regular, "Zürich 東京", 9.0);
        let faces: Vec<Face> = runs.iter().map(|r| r.face).collect();
        assert_eq!(faces, vec![Face::Regular, Face::Cjk], "{runs:?}");
        assert_eq!(runs[0].text, "Zürich ");
        assert_eq!(runs[1].text, "東京");
        // A private-use codepoint is in no face.
        let runs = fonts.runs(Face::Regular, "a\u{E000}b", 9.0);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].text, "a?b");
        // Control characters are drawn as spaces.
        assert_eq!(fonts.runs(Face::Regular, "a\tb", 9.0)[0].text, "a b");
    }

    #[test]
    fn subsets_keep_the_used_characters() {
        let fonts = fonts().unwrap();
        let chars: BTreeSet<char> = "Zürich evidence".chars().collect();
        let small = fonts.subset(Face::Regular, &chars);
        assert!(
            small.original_bytes.len() < 40_000,
            "{}",
            small.original_bytes.len()
        );
        for c in &chars {
            assert!(small.lookup_glyph_index(*c as u32).is_some(), "{c}");
        }
        let cjk: BTreeSet<char> = "東京".chars().collect();
        let small = fonts.subset(Face::Cjk, &cjk);
        assert!(small.original_bytes.len() < 40_000);
        assert!(small.lookup_glyph_index('東' as u32).is_some());
    }
}
