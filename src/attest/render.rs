//! Rendering an attestation as HTML and PDF from the templates in `report-templates/`
//! (`attestation.html.tera`, `attestation.pdf.tera`), compiled in and replaceable with
//! `--templates DIR` like the evidence report's.

use std::path::Path;

use tera::{Context, Tera};

use super::pdf::{self, MarkupError};
use super::view::View;
use crate::report::html::{HtmlError, load_templates, template_error};

pub const HTML_TEMPLATE: &str = "attestation.html.tera";
pub const PDF_TEMPLATE: &str = "attestation.pdf.tera";

const BUILT_IN: [(&str, &str); 2] = [
    (
        HTML_TEMPLATE,
        include_str!("../../report-templates/attestation.html.tera"),
    ),
    (
        PDF_TEMPLATE,
        include_str!("../../report-templates/attestation.pdf.tera"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Template(#[from] HtmlError),
    #[error(transparent)]
    Markup(#[from] MarkupError),
}

/// Loaded and checked attestation templates.
pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    pub fn new(overrides: Option<&Path>) -> Result<Renderer, RenderError> {
        Ok(Renderer {
            tera: load_templates(&BUILT_IN, overrides)?,
        })
    }

    /// The attestation as one self-contained HTML page.
    pub fn html(&self, view: &View) -> Result<String, RenderError> {
        let context = Context::from_serialize(view).map_err(template_error)?;
        Ok(self
            .tera
            .render(HTML_TEMPLATE, &context)
            .map_err(template_error)?)
    }

    /// The attestation as PDF bytes (same inputs, same bytes).
    pub fn pdf(&self, view: &View) -> Result<Vec<u8>, RenderError> {
        Ok(self.pdf_checked(view)?.0)
    }

    /// The PDF with the faults its layout could not avoid (for the page-scan test).
    pub fn pdf_checked(
        &self,
        view: &View,
    ) -> Result<(Vec<u8>, Vec<crate::typeset::layout::LayoutFault>), RenderError> {
        let mut value = serde_json::to_value(view).expect("the view always serialises");
        pdf::flatten_strings(&mut value);
        let context = Context::from_serialize(&value).map_err(template_error)?;
        let markup = self
            .tera
            .render(PDF_TEMPLATE, &context)
            .map_err(template_error)?;
        Ok(pdf::render_checked(&markup, PDF_TEMPLATE, view)?)
    }
}
