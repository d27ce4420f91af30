//! The HTML view of the Statement of Applicability (`crate::report::soa`) and of who
//! collected the evidence from where (`crate::report::collector`).

use serde::Serialize;

use crate::report::Report;
use crate::report::soa;

#[derive(Serialize)]
pub struct SoaFrameworkView {
    pub id: String,
    pub name: String,
    /// `93 controls: 81 applicable (…), 1 excluded, 11 inherited`.
    pub tally: String,
    pub rows: Vec<SoaRowView>,
}

#[derive(Serialize)]
pub struct SoaRowView {
    pub control: String,
    pub title: String,
    /// `applicable`, `excluded` or `inherited`: the CSS class and the filterable word.
    pub status: String,
    /// The applicability in words (`inherited from AWS`, `applicable (not stated …)`).
    pub label: String,
    pub justification: Option<String>,
    pub reference: Option<String>,
    pub automated_rules: Vec<String>,
    pub manual_rules: Vec<String>,
    /// The manual evidence state when the control has manual rules.
    pub manual_evidence: Option<String>,
    pub result: String,
}

pub fn soa_views(report: &Report) -> Vec<SoaFrameworkView> {
    report
        .frameworks
        .iter()
        .map(|fw| {
            let rows = soa::rows(report, fw);
            let tally = soa::tally(&rows);
            let rows = rows
                .into_iter()
                .map(|r| SoaRowView {
                    control: r.control.id.clone(),
                    title: r.control.title.clone(),
                    status: r.applicability.status.clone(),
                    label: soa::applicability_label(&r.applicability),
                    justification: r.applicability.justification.clone(),
                    reference: r.applicability.reference.clone(),
                    automated_rules: r.automated_rules.iter().map(|s| s.to_string()).collect(),
                    manual_rules: r.manual_rules.iter().map(|s| s.to_string()).collect(),
                    manual_evidence: r.control.manual_evidence.clone().filter(|m| m != "no-rule"),
                    result: r.result,
                })
                .collect();
            SoaFrameworkView {
                id: fw.id.clone(),
                name: fw.name.clone(),
                tally,
                rows,
            }
        })
        .collect()
}

/// Who collected the evidence, from where, with what.
#[derive(Serialize)]
pub struct CollectionView {
    pub principal: String,
    pub endpoint: String,
    /// The endpoint is not AWS's own: the page says so in red at the top.
    pub not_aws: bool,
    pub endpoint_url: Option<String>,
    pub collected_by: String,
}

pub fn collection_view(report: &Report) -> Option<CollectionView> {
    report.snapshot.collection.as_ref().map(|c| CollectionView {
        principal: c.principal_text(),
        endpoint: c.endpoint_text(),
        not_aws: c.not_aws(),
        endpoint_url: c.endpoint_url.clone(),
        collected_by: c.collected_by.clone(),
    })
}
