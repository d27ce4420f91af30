//! A long PDF written page by page, in memory that does not grow with its pages.
//!
//! [`super::write`] hands printpdf every page and saves the whole lopdf document: at 5,000
//! pages that is gigabytes of drawing ops and uncompressed streams held at once. Here the
//! file is written in object order as the pages arrive, and each page is dropped once
//! written. The bytes are the same as [`super::write`]'s for the same pages (the
//! sample's packs are pinned by digest), because the objects are the ones printpdf makes
//! and are numbered and serialised as lopdf would:
//!
//! - a *frame*, printpdf's document of one page that draws every character the whole
//!   document uses, gives the objects that do not depend on the pages: the embedded fonts
//!   (whose widths and character maps follow the characters used), the shared resource
//!   dictionaries, a page dictionary, the catalog;
//! - printpdf numbers objects as: the page tree, the fonts and shared dictionaries, one id
//!   per page, then a resource dictionary and a content stream per page, the catalog,
//!   the document info; the outline follows (`super::outline`). With the page count
//!   known beforehand (the caller's first layout pass), every id is known before the
//!   first page is written;
//! - each page's content stream is printpdf's own, made a batch of pages at a time in a
//!   document that begins with the frame's page, so that the fonts it encodes with are
//!   the whole document's.
//!
//! What is kept: the byte offset of each object (for the cross-reference table), 4 bytes
//! a page and a half; and one batch of pages.

use std::io::Write;

use lopdf::xref::{XrefEntry, XrefSection};
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{Op, PdfFontHandle, Pt, TextItem};

use super::{Meta, a4, compress_object, font_resources, info_dict, link_outline, outline_objects};
use super::{tidy, to_lopdf};
use crate::typeset::fonts::FontSet;
use crate::typeset::layout::{CharSets, Mark};

/// Pages translated into content streams at a time.
const BATCH: usize = 64;

/// Writes a document of exactly `page_count` pages, taken from `pages` in order (each
/// with its header and footer already drawn), with the characters `used` embedded, the
/// outline of `marks` and `meta`'s info, to `out`. Fails, having written part of the
/// file, if `pages` yields another number of pages or `out` fails: the caller writes
/// to a staged file, which is then discarded.
pub fn write_paged(
    fonts: &FontSet,
    used: &CharSets,
    page_count: usize,
    pages: impl Iterator<Item = Vec<Op>>,
    marks: &[Mark],
    meta: &Meta,
    out: &mut dyn Write,
) -> Result<(), String> {
    let fonts = font_resources(fonts, used);
    let glyphs = glyph_page(&fonts, used);
    let frame = Frame::new(&meta.title, &fonts, glyphs.clone(), page_count)?;
    let mut file = ObjectWriter::new(out);
    file.header(&frame.doc.version, &frame.doc.binary_mark)?;

    // The page tree and everything printpdf numbered before the pages.
    for id in 1..frame.page_base {
        let object = if (id, 0) == frame.pages_id {
            frame.page_tree()?
        } else {
            frame
                .doc
                .objects
                .get(&(id, 0))
                .cloned()
                .ok_or_else(|| format!("PDF frame: object {id} missing"))?
        };
        file.object(id, &object)?;
    }
    for i in 0..page_count {
        let mut page = frame.page.clone();
        page.set("Resources", frame.resources_id(i));
        page.set("Contents", frame.contents_id(i));
        file.object(frame.page_id(i).0, &Object::Dictionary(page))?;
    }

    // The pages, a batch at a time.
    let mut written = 0;
    let mut batch: Vec<Vec<Op>> = Vec::with_capacity(BATCH);
    let mut pages = pages.fuse();
    loop {
        batch.extend(pages.by_ref().take(BATCH));
        if batch.is_empty() {
            break;
        }
        if written + batch.len() > page_count {
            return Err(format!(
                "the layout made more than the {page_count} pages it counted"
            ));
        }
        for content in contents(&meta.title, &fonts, &glyphs, std::mem::take(&mut batch))? {
            file.object(frame.resources_id(written).0, &frame.resources)?;
            file.object(frame.contents_id(written).0, &content)?;
            written += 1;
        }
    }
    if written != page_count {
        return Err(format!(
            "the layout made {written} pages where it had counted {page_count}"
        ));
    }

    // The catalog, the document info and the outline.
    let mut next = frame.info_id().0;
    let page_id = |index: usize| (index < page_count).then(|| frame.page_id(index));
    let outline = outline_objects(marks, page_id, &mut next)?;
    let mut catalog = frame.catalog.clone();
    if let Some((root, _)) = &outline {
        link_outline(&mut catalog, *root);
    }
    file.object(frame.catalog_id().0, &Object::Dictionary(catalog))?;
    file.object(frame.info_id().0, &Object::Dictionary(info_dict(meta)))?;
    for (id, object) in outline.map(|(_, objects)| objects).unwrap_or_default() {
        file.object(id.0, &object)?;
    }

    let id = Object::String(meta.id.clone(), StringFormat::Hexadecimal);
    let mut trailer = Dictionary::new();
    trailer.set("Root", frame.catalog_id());
    trailer.set("Info", frame.info_id());
    trailer.set("ID", Object::Array(vec![id.clone(), id]));
    file.finish(trailer)
}

/// A page that draws every character of `used` in its face: printpdf sizes the fonts'
/// widths and character maps by the characters a document draws.
fn glyph_page(fonts: &[(printpdf::FontId, printpdf::PdfFont)], used: &CharSets) -> Vec<Op> {
    let mut ops = vec![Op::StartTextSection];
    for face in crate::typeset::fonts::Face::ALL {
        let Some((id, _)) = fonts.iter().find(|(id, _)| id.0 == face.resource_name()) else {
            continue;
        };
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(id.clone()),
            size: Pt(10.0),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(used.chars(face).into_iter().collect())],
        });
    }
    ops.push(Op::EndTextSection);
    ops
}

/// The content streams of `pages`, compressed, made in a document that begins with the
/// glyph page (whose own stream is left out).
fn contents(
    title: &str,
    fonts: &[(printpdf::FontId, printpdf::PdfFont)],
    glyphs: &[Op],
    pages: Vec<Vec<Op>>,
) -> Result<Vec<Object>, String> {
    let count = pages.len();
    let pages = std::iter::once(a4(glyphs.to_vec()))
        .chain(pages.into_iter().map(|ops| a4(tidy(ops))))
        .collect();
    let mut doc = to_lopdf(title, fonts, pages)?;
    let ids = doc.get_pages();
    (2..=count as u32 + 1)
        .map(|n| {
            let contents = ids
                .get(&n)
                .and_then(|id| doc.get_dictionary(*id).ok())
                .and_then(|page| page.get(b"Contents").ok())
                .and_then(|c| c.as_reference().ok())
                .ok_or_else(|| format!("PDF batch: page {n} has no content stream"))?;
            let mut object = doc
                .objects
                .remove(&contents)
                .ok_or_else(|| format!("PDF batch: content stream of page {n} missing"))?;
            compress_object(&mut object);
            Ok(object)
        })
        .collect()
}

/// printpdf's one-page document, and the numbering of the whole document from it.
struct Frame {
    doc: lopdf::Document,
    pages_id: ObjectId,
    /// The first page's id in the frame, which is that in the document too.
    page_base: u32,
    page: Dictionary,
    resources: Object,
    catalog: Dictionary,
    page_count: u32,
}

impl Frame {
    fn new(
        title: &str,
        fonts: &[(printpdf::FontId, printpdf::PdfFont)],
        glyphs: Vec<Op>,
        page_count: usize,
    ) -> Result<Frame, String> {
        let unexpected = |what: &str| format!("PDF frame: {what} is not where printpdf puts it");
        let mut doc = to_lopdf(title, fonts, vec![a4(glyphs)])?;
        doc.version = "1.7".into();
        super::compress(&mut doc);
        let page_id = doc
            .get_pages()
            .get(&1)
            .copied()
            .ok_or_else(|| unexpected("the page"))?;
        let page = doc
            .get_dictionary(page_id)
            .map_err(|_| unexpected("the page"))?
            .clone();
        let reference = |dict: &Dictionary, key: &[u8]| {
            dict.get(key)
                .and_then(Object::as_reference)
                .map_err(|_| unexpected(&String::from_utf8_lossy(key)))
        };
        let resources_id = reference(&page, b"Resources")?;
        let contents_id = reference(&page, b"Contents")?;
        let catalog_id = reference(&doc.trailer, b"Root")?;
        let info_id = reference(&doc.trailer, b"Info")?;
        let catalog = doc
            .get_dictionary(catalog_id)
            .map_err(|_| unexpected("the catalog"))?
            .clone();
        let pages_id = reference(&catalog, b"Pages")?;
        let n = page_id.0;
        if page_id.1 != 0
            || resources_id != (n + 1, 0)
            || contents_id != (n + 2, 0)
            || catalog_id != (n + 3, 0)
            || info_id != (n + 4, 0)
            || doc.max_id != n + 4
            || pages_id.0 >= n
        {
            return Err(unexpected("the numbering of objects"));
        }
        let resources = doc
            .objects
            .get(&resources_id)
            .cloned()
            .ok_or_else(|| unexpected("the page's resources"))?;
        let page_count =
            u32::try_from(page_count).map_err(|_| "too many pages for one PDF".to_string())?;
        Ok(Frame {
            doc,
            pages_id,
            page_base: n,
            page,
            resources,
            catalog,
            page_count,
        })
    }

    fn page_id(&self, index: usize) -> ObjectId {
        (self.page_base + index as u32, 0)
    }

    fn resources_id(&self, index: usize) -> ObjectId {
        (self.page_base + self.page_count + 2 * index as u32, 0)
    }

    fn contents_id(&self, index: usize) -> ObjectId {
        (self.page_base + self.page_count + 2 * index as u32 + 1, 0)
    }

    fn catalog_id(&self) -> ObjectId {
        (self.page_base + 3 * self.page_count, 0)
    }

    fn info_id(&self) -> ObjectId {
        (self.page_base + 3 * self.page_count + 1, 0)
    }

    /// The page tree with every page of the document.
    fn page_tree(&self) -> Result<Object, String> {
        let mut tree = self
            .doc
            .get_dictionary(self.pages_id)
            .map_err(|e| format!("PDF frame: page tree: {e}"))?
            .clone();
        tree.set("Count", i64::from(self.page_count));
        tree.set(
            "Kids",
            Object::Array(
                (0..self.page_count as usize)
                    .map(|i| Object::Reference(self.page_id(i)))
                    .collect(),
            ),
        );
        Ok(Object::Dictionary(tree))
    }
}

/// Writes indirect objects in id order as lopdf's `save_to` does, keeping only their
/// offsets, then the cross-reference table and the trailer.
struct ObjectWriter<'w> {
    out: &'w mut dyn Write,
    written: u64,
    /// Offset of object `i + 1`.
    offsets: Vec<u32>,
}

impl<'w> ObjectWriter<'w> {
    fn new(out: &'w mut dyn Write) -> ObjectWriter<'w> {
        ObjectWriter {
            out,
            written: 0,
            offsets: Vec::new(),
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.out
            .write_all(bytes)
            .map_err(|e| format!("writing the PDF: {e}"))?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn header(&mut self, version: &str, binary_mark: &[u8]) -> Result<(), String> {
        self.put(format!("%PDF-{version}\n%").as_bytes())?;
        self.put(binary_mark)?;
        self.put(b"\n")
    }

    /// Object `id`, which must be the next in order.
    fn object(&mut self, id: u32, object: &Object) -> Result<(), String> {
        if id as usize != self.offsets.len() + 1 {
            return Err(format!(
                "PDF object {id} written out of order (expected {})",
                self.offsets.len() + 1
            ));
        }
        let offset = u32::try_from(self.written).map_err(|_| "PDF larger than 4 GB".to_string())?;
        self.offsets.push(offset);
        let bytes = serialise(id, object.clone())?;
        self.put(&bytes)
    }

    /// The cross-reference table and the trailer (`Size` added), as lopdf writes them.
    fn finish(mut self, mut trailer: Dictionary) -> Result<(), String> {
        let start = self.written;
        let mut section = XrefSection::new(0);
        section.add_unusable_free_entry();
        for offset in &self.offsets {
            section.add_entry(XrefEntry::Normal {
                offset: *offset,
                generation: 0,
            });
        }
        let mut bytes = b"xref\n".to_vec();
        section
            .write_xref_section(&mut bytes)
            .map_err(|e| format!("PDF cross-references: {e}"))?;
        trailer.set("Size", self.offsets.len() as i64 + 1);
        bytes.extend_from_slice(b"trailer\n");
        // The trailer is written as a direct dictionary: the bytes of object 0's body.
        let body = serialise(0, Object::Dictionary(trailer))?;
        let body = body
            .strip_prefix(b"0 0 obj\n".as_slice())
            .and_then(|b| b.strip_suffix(b"\nendobj\n".as_slice()))
            .ok_or_else(|| "PDF trailer: unexpected serialisation".to_string())?;
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(format!("\nstartxref\n{start}\n%%EOF").as_bytes());
        self.put(&bytes)
    }
}

/// Indirect object `id` as lopdf's `save_to` writes it (`<id> 0 obj` … `endobj`), through
/// lopdf itself, whose writer is not public: a document holding only this object is saved
/// and the object cut from between its header and its cross-reference table (with the
/// document's `max_id` at 0, the table has no entry to walk).
fn serialise(id: u32, object: Object) -> Result<Vec<u8>, String> {
    let mut doc = lopdf::Document::with_version("1.7");
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    doc.max_id = 0;
    doc.objects.insert((id, 0), object);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .map_err(|e| format!("PDF object {id}: {e}"))?;
    // The object runs from after the header (`%PDF-1.7`, the binary mark) to where
    // `startxref` says the cross-reference table begins.
    let unexpected = || format!("PDF object {id}: unexpected serialisation");
    let header = format!("%PDF-{}\n%", doc.version).len() + doc.binary_mark.len() + 1;
    let tail = bytes
        .windows(10)
        .rposition(|w| w == b"startxref\n")
        .ok_or_else(unexpected)?;
    let end: usize = std::str::from_utf8(&bytes[tail + 10..])
        .ok()
        .and_then(|t| t.strip_suffix("\n%%EOF"))
        .and_then(|n| n.parse().ok())
        .ok_or_else(unexpected)?;
    bytes
        .get(header..end)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| format!("PDF object {id}: unexpected serialisation"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::fonts::fonts;
    use crate::typeset::layout::{BODY, Canvas, MONO, Table};

    /// A document of a few batches of pages, in several faces, with marks.
    fn pages() -> (Vec<Vec<Op>>, Vec<Mark>, crate::typeset::layout::Painter) {
        let mut canvas = Canvas::new(fonts().expect("fonts"));
        let table = Table::new(&[("Resource", 2.0), ("Status", 1.0)]).caption("Findings");
        for section in 0..3 {
            canvas.heading(
                crate::typeset::layout::H2,
                &format!("Section {section}"),
                0,
                20.0,
            );
            canvas.table_start(&table);
            for i in 0..2_500 {
                let cells = vec![
                    vec![(MONO, format!("arn:aws:s3:::bucket-{section}-{i}"))],
                    vec![(BODY, if i % 7 == 0 { "FAIL — ü" } else { "PASS" }.into())],
                ];
                canvas.table_row(&table, &cells, i % 2 == 0);
            }
        }
        canvas.finish()
    }

    fn meta() -> Meta {
        Meta {
            title: "Paged".into(),
            author: "assay".into(),
            subject: "test".into(),
            keywords: vec!["a".into()],
            creator: "assay".into(),
            producer: "assay".into(),
            date: "D:20261205000000Z".into(),
            id: vec![7; 16],
            extra: Vec::new(),
        }
    }

    #[test]
    fn page_by_page_gives_the_bytes_of_the_whole_document() {
        let (pages, marks, painter) = pages();
        assert!(pages.len() > 2 * BATCH, "{} pages", pages.len());
        let whole = super::super::write(fonts().unwrap(), pages.clone(), &marks, &painter, &meta())
            .expect("whole");
        let mut paged = Vec::new();
        write_paged(
            fonts().unwrap(),
            &painter.used,
            pages.len(),
            pages.into_iter(),
            &marks,
            &meta(),
            &mut paged,
        )
        .expect("paged");
        assert!(whole == paged, "the page-by-page file differs");
    }

    #[test]
    fn a_page_count_other_than_announced_is_an_error() {
        let (pages, marks, painter) = pages();
        for count in [pages.len() - 1, pages.len() + 1] {
            let err = write_paged(
                fonts().unwrap(),
                &painter.used,
                count,
                pages.clone().into_iter(),
                &marks,
                &meta(),
                &mut Vec::new(),
            )
            .expect_err("wrong count");
            assert!(err.contains("pages"), "{err}");
        }
    }
}
