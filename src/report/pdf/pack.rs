//! The content of one evidence pack (one framework): what an auditor reads, in the order
//! they read it. Cover, scope and method first (what was and was not looked at, and how
//! to read the outcomes), then the summary chart, the controls one by one with their
//! evidence, the controls that need a person's evidence, gaps, waivers, attestations and
//! the rule catalogue.
//!
//! Wording rule: findings are "evidence supporting" a control. The pack never says a
//! control or the organisation is compliant.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::chart::{self, Bar};
use super::layout::{
    ACCENT, BODY, Canvas, Cell, GREY, H1, H2, H3, LEFT, MONO, SMALL, SMALL_BOLD, SMALL_GREY, Style,
    TOP, Table, WIDTH,
};
use crate::findings::{AssertionStatus, Finding, Status, StatusCounts};
use crate::report::{ControlCoverage, FrameworkCoverage, Report};

/// How many PASS findings of a rule are listed before "and N more".
pub const PASS_SAMPLE: usize = 20;

/// Request ids and finding ids: a UUID fits the evidence column on one line.
const FINE_MONO: Style = MONO.size_of(6.3);

/// A blank line a few points high, between blocks inside one table cell.
const SPACER: Style = SMALL.size_of(2.5);

/// Longest JSON value printed for an observed value or evidence item.
const VALUE_LIMIT: usize = 400;

/// Everything the pack's pages need, computed once from the report.
pub struct PackData<'a> {
    pub report: &'a Report,
    pub framework: &'a FrameworkCoverage,
    pub report_id: String,
    /// Findings of each rule mapped to this framework, in report order.
    by_rule: BTreeMap<&'a str, Vec<&'a Finding>>,
    /// Rules mapped to this framework, in rule-pack order.
    rules: Vec<&'a str>,
}

impl<'a> PackData<'a> {
    pub fn new(report: &'a Report, framework: &'a FrameworkCoverage, report_id: String) -> Self {
        let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        let mut rules: Vec<&str> = Vec::new();
        for f in &report.findings {
            if f.controls.get(&framework.id).is_none_or(|c| c.is_empty()) {
                continue;
            }
            let list = by_rule.entry(f.rule_id.as_str()).or_default();
            if list.is_empty() {
                rules.push(f.rule_id.as_str());
            }
            list.push(f);
        }
        PackData {
            report,
            framework,
            report_id,
            by_rule,
            rules,
        }
    }

    fn findings(&self, rule: &str) -> &[&'a Finding] {
        self.by_rule.get(rule).map(Vec::as_slice).unwrap_or(&[])
    }

    /// All findings of rules mapped to this framework, by status.
    fn counts(&self) -> StatusCounts {
        let mut c = StatusCounts::new();
        for f in self.by_rule.values().flatten() {
            *c.entry(f.status).or_default() += 1;
        }
        c
    }

    fn is_manual_rule(&self, rule: &str) -> bool {
        self.findings(rule)
            .iter()
            .all(|f| f.status == Status::Manual)
    }
}

/// UTC time as `2026-11-22 03:58:41 UTC`.
pub fn time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The first `n` characters of a hash.
pub fn short(hash: &str, n: usize) -> String {
    hash.chars().take(n).collect()
}

/// `PASS 434 · FAIL 65 · GAP 4`, in chart order; "no findings" when empty.
pub fn counts_line(c: &StatusCounts) -> String {
    let parts: Vec<String> = chart::SERIES
        .iter()
        .filter_map(|(s, _, _)| c.get(s).map(|n| format!("{} {n}", s.as_str())))
        .collect();
    if parts.is_empty() {
        "no findings".into()
    } else {
        parts.join(" · ")
    }
}

/// A JSON value as compact text, cut at `VALUE_LIMIT` characters.
fn value_text(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    if text.chars().count() > VALUE_LIMIT {
        let cut: String = text.chars().take(VALUE_LIMIT).collect();
        format!("{cut}… (cut; full value in findings.json)")
    } else {
        text
    }
}

fn badge(status: Status) -> Style {
    SMALL_BOLD.colour(chart::colour(status).darker())
}

trait Darker {
    fn darker(self) -> Self;
}

impl Darker for super::layout::Colour {
    /// Text in a status colour, dark enough to read on white.
    fn darker(self) -> Self {
        super::layout::Colour(self.0 * 0.8, self.1 * 0.8, self.2 * 0.8)
    }
}

/// Lays out the whole pack. Returns the canvas with its marks; the caller adds the
/// contents pages, header and footer.
pub fn layout(data: &PackData<'_>, canvas: &mut Canvas) {
    cover(data, canvas);
    canvas.new_page();
    scope(data, canvas);
    summary(data, canvas);
    controls(data, canvas);
    manual_controls(data, canvas);
    gaps(data, canvas);
    waivers(data, canvas);
    attestations(data, canvas);
    catalogue(data, canvas);
}

fn kv_table(canvas: &mut Canvas, rows: &[(&str, Cell)]) {
    let table = Table::new(&[("", 0.27), ("", 0.73)]).without_header();
    canvas.table_start(&table);
    for (i, (key, value)) in rows.iter().enumerate() {
        canvas.table_row(
            &table,
            &[vec![(SMALL_BOLD, (*key).to_string())], value.clone()],
            i % 2 == 0,
        );
    }
    canvas.space(8.0);
}

fn text(style: Style, s: impl Into<String>) -> Cell {
    vec![(style, s.into())]
}

fn cover(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
    canvas.mark(0, "Cover", false);
    let fw = &data.framework.name;
    canvas.draw(|p, ops| {
        p.rect(ops, LEFT, TOP + 6.0, WIDTH, 3.0, ACCENT);
        p.text(ops, LEFT, TOP + 40.0, H2.colour(GREY), "Evidence pack");
        p.text(ops, LEFT, TOP + 70.0, H1.colour(ACCENT), fw);
    });
    canvas.y = TOP + 88.0;
    let org_style = Style::new(super::fonts::Face::Bold, 14.0);
    canvas.paragraph(org_style, &r.profile.organisation, 0.0);
    canvas.space(6.0);
    canvas.paragraph(
        BODY,
        &format!(
            "This pack presents evidence supporting the controls of {fw}, read from the \
             organisation's AWS accounts by assay. It is evidence for an auditor to examine, \
             not a certification: assay does not certify any control. Data that \
             could not be read is reported as GAP and is never counted as a pass."
        ),
        0.0,
    );
    canvas.space(8.0);

    let accounts = &r.snapshot.accounts;
    let requested: usize = accounts.iter().map(|a| a.regions_requested.len()).sum();
    let read: usize = accounts.iter().map(|a| a.regions_read.len()).sum();
    let not_read: usize = accounts.iter().map(|a| a.regions_not_read.len()).sum();
    let scope = format!(
        "{} AWS account(s); {read} of {requested} requested account-regions read, {not_read} not read; \
         {} resources; {} gap record(s) (data not read)",
        accounts.len(),
        r.snapshot.resources,
        r.gaps.len()
    );
    let coverage = format!(
        "{} of {} controls have automated rules; {} need manual evidence",
        data.framework.automated_controls,
        data.framework.automated_controls + data.framework.manual_controls,
        data.framework.manual_controls
    );
    kv_table(
        canvas,
        &[
            ("Organisation", text(SMALL, r.profile.organisation.clone())),
            (
                "Framework",
                text(SMALL, format!("{fw} ({})", data.framework.id)),
            ),
            (
                "Evidence time",
                text(
                    SMALL,
                    format!("{} (snapshot collected)", time(&r.snapshot.collected_at)),
                ),
            ),
            ("Evaluated", text(SMALL, time(&r.evaluated_at))),
            ("Report id", text(MONO, data.report_id.clone())),
            (
                "Snapshot (SHA-256 manifest)",
                text(MONO, r.snapshot.manifest_digest.clone()),
            ),
            ("Snapshot origin", text(SMALL, r.snapshot.origin.clone())),
            ("Scope", text(SMALL, scope)),
            ("Coverage", text(SMALL, coverage)),
            (
                "Findings (this framework)",
                text(SMALL, counts_line(&data.counts())),
            ),
            (
                "Produced by",
                text(SMALL, format!("{} {}", r.tool.name, r.tool.version)),
            ),
        ],
    );
    canvas.paragraph(
        SMALL_GREY,
        "Every finding names the resource, region, observed and expected value and the AWS API \
         call (with request id and time) its evidence came from. The machine-readable findings \
         (findings.json) and the snapshot carry the same finding ids and resource pointers.",
        0.0,
    );
}

fn scope(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
    canvas.heading(H1, "1 Scope and method", 0, 80.0);

    canvas.heading(H2, "1.1 Accounts and regions", 1, 60.0);
    canvas.paragraph(
        BODY,
        "The accounts and regions the snapshot was asked to cover. A region that was not read \
         contributes no evidence: rules that needed it report GAP, not PASS.",
        0.0,
    );
    let table = Table::new(&[
        ("Account", 0.2),
        ("Regions read", 0.45),
        ("Regions not read (reason)", 0.35),
    ])
    .caption("Accounts and regions");
    canvas.table_start(&table);
    for (i, a) in r.snapshot.accounts.iter().enumerate() {
        let not_read: Vec<String> = a
            .regions_not_read
            .iter()
            .map(|n| format!("{} ({})", n.region, n.reason))
            .collect();
        canvas.table_row(
            &table,
            &[
                text(MONO, a.account_id.clone()),
                text(SMALL, a.regions_read.join(", ")),
                text(
                    SMALL,
                    if not_read.is_empty() {
                        "none".into()
                    } else {
                        not_read.join("; ")
                    },
                ),
            ],
            i % 2 == 1,
        );
    }
    canvas.space(8.0);

    canvas.heading(H2, "1.2 Evidence and inputs", 1, 60.0);
    canvas.paragraph(
        BODY,
        "Identical inputs give identical findings and an identical pack. The hashes below \
         identify each input exactly; `assay snapshot verify` re-checks the snapshot's manifest \
         and the raw API responses it holds.",
        0.0,
    );
    let accounts: Vec<&str> = r
        .snapshot
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    kv_table(
        canvas,
        &[
            (
                "Snapshot",
                text(
                    SMALL,
                    format!(
                        "{} ({} resources, origin {}, accounts {})",
                        r.snapshot.path,
                        r.snapshot.resources,
                        r.snapshot.origin,
                        accounts.join(", ")
                    ),
                ),
            ),
            ("Collected", text(SMALL, time(&r.snapshot.collected_at))),
            (
                "Snapshot manifest SHA-256",
                text(MONO, r.snapshot.manifest_digest.clone()),
            ),
            (
                "Rule pack",
                text(
                    SMALL,
                    format!(
                        "{} ({} rules selected by the profile)",
                        r.rule_pack.path, r.rule_pack.rules
                    ),
                ),
            ),
            ("Rule pack SHA-256", text(MONO, r.rule_pack.digest.clone())),
            (
                "Profile",
                text(
                    SMALL,
                    format!(
                        "{} (frameworks: {})",
                        r.profile.organisation,
                        r.profile.frameworks.join(", ")
                    ),
                ),
            ),
            ("Profile SHA-256", text(MONO, r.profile.sha256.clone())),
            (
                "Waivers",
                text(
                    SMALL,
                    format!("{} waiver(s) in the register (section 6)", r.waivers.len()),
                ),
            ),
            (
                "Evaluated",
                text(
                    SMALL,
                    format!(
                        "{} by {} {}",
                        time(&r.evaluated_at),
                        r.tool.name,
                        r.tool.version
                    ),
                ),
            ),
            ("Report id", text(MONO, data.report_id.clone())),
        ],
    );

    canvas.heading(H2, "1.3 How outcomes are decided", 1, 80.0);
    canvas.paragraph(
        BODY,
        "Each rule is a check written as data, mapped to the controls it gives evidence for. It \
         runs once for every resource of its types in the snapshot. Its assertions give the \
         outcome below. All assertions are evaluated and recorded, not only the first failure.",
        0.0,
    );
    let table = Table::new(&[("Status", 0.16), ("Meaning", 0.64), ("Counts as pass", 0.2)])
        .caption("Outcomes");
    canvas.table_start(&table);
    let meanings = [
        (
            Status::Pass,
            "Every assertion held for the resource.",
            "yes",
        ),
        (
            Status::Fail,
            "At least one assertion did not hold. The observed and expected values are shown.",
            "no",
        ),
        (
            Status::Gap,
            "The data the rule needs was not read (access denied, region not enabled, call failed). Not read is never a pass.",
            "no",
        ),
        (
            Status::Error,
            "The rule could not be evaluated for the resource.",
            "no",
        ),
        (
            Status::Waived,
            "A FAIL covered by an approved, unexpired waiver. The evidence is kept; the waiver is in the register.",
            "no (exception)",
        ),
        (
            Status::NotApplicable,
            "Nothing in scope for the rule (e.g. no resource of its type). Shown, never counted.",
            "no",
        ),
        (
            Status::Manual,
            "No AWS API can show this; a person attests to it (section 7).",
            "by attestation",
        ),
    ];
    for (i, (s, m, pass)) in meanings.iter().enumerate() {
        canvas.table_row(
            &table,
            &[
                text(badge(*s), s.as_str()),
                text(SMALL, *m),
                text(SMALL, *pass),
            ],
            i % 2 == 1,
        );
    }
    canvas.space(6.0);
    canvas.paragraph(
        BODY,
        "A waiver applies only to a FAIL, only until its expiry date (judged against the \
         evaluation date) and only to the rule and resource it names; an expired waiver leaves \
         the finding FAIL. An attestation is judged against the snapshot's collection date. \
         GAP and ERROR are never waived.",
        0.0,
    );

    canvas.heading(H2, "1.4 Parameters used", 1, 60.0);
    canvas.paragraph(
        BODY,
        "The organisation's values the rules were evaluated with (from the profile, or the rule \
         pack's default).",
        0.0,
    );
    let table = Table::new(&[("Parameter", 0.35), ("Value", 0.65)]).caption("Parameters");
    canvas.table_start(&table);
    for (i, (k, v)) in r.profile.params.iter().enumerate() {
        canvas.table_row(
            &table,
            &[text(MONO, k.clone()), text(MONO, value_text(v))],
            i % 2 == 1,
        );
    }
    canvas.space(8.0);

    if !r.claims.is_empty() {
        canvas.heading(
            H2,
            "1.5 The organisation's claims and their evidence",
            1,
            60.0,
        );
        canvas.paragraph(
            BODY,
            "Sentences of the organisation's own compliance statement, quoted verbatim, with the \
             outcome of the rules that check each one.",
            0.0,
        );
        let table =
            Table::new(&[("Claim", 0.5), ("Outcome", 0.18), ("Rules", 0.32)]).caption("Claims");
        canvas.table_start(&table);
        for (i, c) in r.claims.iter().enumerate() {
            canvas.table_row(
                &table,
                &[
                    vec![
                        (SMALL, format!("“{}”", c.claim.quote.trim())),
                        (SMALL_GREY, c.claim.source.clone()),
                    ],
                    vec![
                        (SMALL_BOLD, c.status.clone()),
                        (SMALL_GREY, counts_line(&c.summary)),
                    ],
                    text(MONO, c.claim.rules.join("\n")),
                ],
                i % 2 == 1,
            );
        }
        canvas.space(8.0);
    }
}

fn summary(data: &PackData<'_>, canvas: &mut Canvas) {
    let fw = data.framework;
    canvas.heading(H1, "2 Summary", 0, 200.0);
    canvas.paragraph(
        BODY,
        &format!(
            "Findings of the rules mapped to each control family of {}. A finding is counted once \
             per family even when its rule maps to several controls of the family. {} of {} \
             controls have automated rules; the other {} need manual evidence (section 4).",
            fw.name,
            fw.automated_controls,
            fw.automated_controls + fw.manual_controls,
            fw.manual_controls
        ),
        0.0,
    );
    canvas.heading(H3, "Findings by control family", 3, 120.0);
    let family_counts: Vec<StatusCounts> = fw
        .families
        .iter()
        .map(|fam| family_counts(data, fam.controls.iter()))
        .collect();
    let bars: Vec<Bar<'_>> = fw
        .families
        .iter()
        .zip(&family_counts)
        .map(|(fam, counts)| Bar {
            label: format!("{} {}", fam.id, fam.title),
            counts,
        })
        .collect();
    chart::draw(canvas, &bars);

    let table = Table::new(&[
        ("Family", 0.31),
        ("PASS", 0.08),
        ("FAIL", 0.08),
        ("GAP", 0.08),
        ("ERROR", 0.08),
        ("WAIVED", 0.09),
        ("MANUAL", 0.09),
        ("N/A", 0.07),
        ("Controls", 0.12),
    ])
    .caption("Findings by control family");
    canvas.table_start(&table);
    for (i, (fam, counts)) in fw.families.iter().zip(&family_counts).enumerate() {
        let automated = fam.controls.iter().filter(|c| c.state != "manual").count();
        let mut cells: Vec<Cell> = vec![text(SMALL, format!("{} {}", fam.id, fam.title))];
        for s in [
            Status::Pass,
            Status::Fail,
            Status::Gap,
            Status::Error,
            Status::Waived,
            Status::Manual,
            Status::NotApplicable,
        ] {
            let n = counts.get(&s).copied().unwrap_or(0);
            let style = if n > 0 && matches!(s, Status::Fail | Status::Gap | Status::Error) {
                badge(s)
            } else {
                SMALL
            };
            cells.push(text(style, n.to_string()));
        }
        cells.push(text(
            SMALL,
            format!("{automated} of {} automated", fam.controls.len()),
        ));
        canvas.table_row(&table, &cells, i % 2 == 1);
    }
    canvas.space(10.0);

    // The exceptions at a glance: rules with FAIL, GAP, ERROR or WAIVED findings.
    let exceptions: Vec<(&str, StatusCounts)> = data
        .rules
        .iter()
        .map(|r| {
            (
                *r,
                crate::findings::count_by_status(data.findings(r).iter().copied()),
            )
        })
        .filter(|(_, c)| {
            [Status::Fail, Status::Gap, Status::Error, Status::Waived]
                .iter()
                .any(|s| c.contains_key(s))
        })
        .collect();
    canvas.heading(H3, "Rules with exceptions", 3, 60.0);
    if exceptions.is_empty() {
        canvas.paragraph(
            BODY,
            "No rule mapped to this framework has a FAIL, GAP, ERROR or WAIVED finding.",
            0.0,
        );
        return;
    }
    let table = Table::new(&[("Rule", 0.5), ("Severity", 0.12), ("Outcomes", 0.38)])
        .caption("Rules with exceptions");
    canvas.table_start(&table);
    for (i, (rule, counts)) in exceptions.iter().enumerate() {
        let first = data.findings(rule).first();
        canvas.table_row(
            &table,
            &[
                vec![
                    (MONO, (*rule).to_string()),
                    (
                        SMALL_GREY,
                        first.map(|f| f.rule_title.clone()).unwrap_or_default(),
                    ),
                ],
                text(
                    SMALL,
                    first
                        .map(|f| f.severity.as_str().to_string())
                        .unwrap_or_default(),
                ),
                text(SMALL, counts_line(counts)),
            ],
            i % 2 == 1,
        );
    }
    canvas.space(8.0);
}

/// Findings of the rules of `controls`, each finding counted once.
fn family_counts<'c>(
    data: &PackData<'_>,
    controls: impl Iterator<Item = &'c ControlCoverage>,
) -> StatusCounts {
    let rules: BTreeSet<&str> = controls
        .flat_map(|c| c.rules.iter().map(String::as_str))
        .collect();
    let mut counts = StatusCounts::new();
    for r in rules {
        for f in data.findings(r) {
            *counts.entry(f.status).or_default() += 1;
        }
    }
    counts
}

fn controls(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.new_page();
    canvas.heading(H1, "3 Controls with automated evidence", 0, 80.0);
    canvas.paragraph(
        BODY,
        "Control by control: the rules mapped to it and their outcomes, every FAIL, GAP, ERROR \
         and WAIVED finding in full with the API call its evidence came from, and PASS evidence \
         (the first 20 per rule, then a count). A rule mapped to several controls is shown in \
         full under the first of them.",
        0.0,
    );
    // Rule id → the control under which its findings were shown in full.
    let mut shown: BTreeMap<&str, String> = BTreeMap::new();
    for fam in &data.framework.families {
        let automated: Vec<&ControlCoverage> = fam
            .controls
            .iter()
            .filter(|c| c.state != "manual")
            .collect();
        canvas.heading(H2, &format!("{} {}", fam.id, fam.title), 1, 60.0);
        canvas.paragraph(
            SMALL_GREY,
            &counts_line(&family_counts(data, fam.controls.iter())),
            0.0,
        );
        if automated.is_empty() {
            canvas.paragraph(
                BODY,
                "No control of this family has an automated rule: all of them need manual \
                 evidence (section 4).",
                0.0,
            );
            continue;
        }
        for control in automated {
            control_section(data, canvas, control, &mut shown);
        }
    }
}

fn control_section<'a>(
    data: &PackData<'a>,
    canvas: &mut Canvas,
    control: &ControlCoverage,
    shown: &mut BTreeMap<&'a str, String>,
) {
    canvas.heading(
        H3.colour(ACCENT),
        &format!("{} {}", control.id, control.title),
        2,
        50.0,
    );
    let state = match control.state.as_str() {
        "exceptions" => "exceptions: at least one FAIL, GAP or ERROR",
        "evidence" => "evidence: no FAIL, GAP or ERROR",
        other => other,
    };
    canvas.rich(
        &[
            (SMALL_BOLD, "State: "),
            (SMALL, state),
            (SMALL_GREY, "   "),
            (SMALL_GREY, &counts_line(&control.summary)),
        ],
        0.0,
    );
    let table = Table::new(&[("Rule", 0.52), ("Severity", 0.11), ("Outcomes", 0.37)])
        .caption(format!("{} rules", control.id));
    canvas.table_start(&table);
    for (i, rule) in control.rules.iter().enumerate() {
        let findings = data.findings(rule);
        let first = findings.first();
        canvas.table_row(
            &table,
            &[
                vec![
                    (MONO, rule.clone()),
                    (
                        SMALL_GREY,
                        first.map(|f| f.rule_title.clone()).unwrap_or_default(),
                    ),
                ],
                text(
                    SMALL,
                    first
                        .map(|f| f.severity.as_str().to_string())
                        .unwrap_or_default(),
                ),
                text(
                    SMALL,
                    counts_line(&crate::findings::count_by_status(findings.iter().copied())),
                ),
            ],
            i % 2 == 1,
        );
    }
    canvas.space(6.0);

    for rule in &control.rules {
        let Some((rule, findings)) = data.by_rule.get_key_value(rule.as_str()) else {
            continue;
        };
        let title = findings
            .first()
            .map(|f| f.rule_title.as_str())
            .unwrap_or("");
        canvas.ensure(60.0);
        canvas.rich(
            &[
                (SMALL_BOLD, "Rule "),
                (Style { size: 7.5, ..MONO }, rule),
                (SMALL_BOLD, " "),
                (SMALL, title),
            ],
            0.0,
        );
        if let Some(first) = shown.get(rule) {
            canvas.paragraph(
                SMALL_GREY,
                &format!("Its findings are shown in full above, under control {first}."),
                8.0,
            );
            continue;
        }
        shown.insert(rule, control.id.clone());
        rule_findings(data, canvas, rule, findings);
    }
    canvas.space(4.0);
}

fn rule_findings(data: &PackData<'_>, canvas: &mut Canvas, rule: &str, findings: &[&Finding]) {
    if data.is_manual_rule(rule) {
        for f in findings {
            canvas.paragraph(SMALL, &format!("MANUAL: {}", f.summary), 8.0);
        }
        return;
    }
    let exceptions: Vec<&&Finding> = findings
        .iter()
        .filter(|f| {
            matches!(
                f.status,
                Status::Fail | Status::Gap | Status::Error | Status::Waived
            )
        })
        .collect();
    if !exceptions.is_empty() {
        let table = Table::new(&[
            ("Status", 0.085),
            ("Resource", 0.3),
            ("Observed vs expected", 0.295),
            ("Evidence (API call)", 0.32),
        ])
        .caption(format!("{rule}: FAIL, GAP, ERROR and WAIVED findings"));
        canvas.table_start(&table);
        for (i, f) in exceptions.iter().enumerate() {
            canvas.table_row(&table, &exception_cells(data, f), i % 2 == 1);
        }
        canvas.space(5.0);
    }

    let passes: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Pass)
        .collect();
    if !passes.is_empty() {
        let table = Table::new(&[
            ("PASS evidence: resource", 0.45),
            ("Account / region", 0.2),
            ("Evidence (API call)", 0.35),
        ])
        .caption(format!("{rule}: PASS evidence"));
        canvas.table_start(&table);
        for (i, f) in passes.iter().take(PASS_SAMPLE).enumerate() {
            canvas.table_row(&table, &pass_cells(f), i % 2 == 1);
        }
        if passes.len() > PASS_SAMPLE {
            canvas.paragraph(
                SMALL_GREY,
                &format!(
                    "… and {} more PASS findings of this rule ({} in all; every one is in findings.json).",
                    passes.len() - PASS_SAMPLE,
                    passes.len()
                ),
                0.0,
            );
        }
        canvas.space(4.0);
    }

    let na: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::NotApplicable)
        .collect();
    if let Some(first) = na.first() {
        canvas.paragraph(
            SMALL_GREY,
            &format!(
                "NOT_APPLICABLE: {} finding(s), not counted as pass; e.g. {}",
                na.len(),
                first.summary
            ),
            8.0,
        );
    }
}

fn resource_cell(f: &Finding) -> Cell {
    match &f.resource {
        Some(res) => vec![
            (MONO, res.arn.clone()),
            (SMALL_GREY, format!("{} · {}", res.type_name, res.name)),
            (
                SMALL_GREY,
                format!("account {} · {}", res.account, res.region),
            ),
            (SMALL_GREY, format!("snapshot {}", res.pointer)),
            (FINE_MONO.colour(GREY), format!("finding {}", f.id)),
        ],
        None => vec![
            (
                SMALL,
                format!("scope {}", f.scope.as_deref().unwrap_or("-")),
            ),
            (FINE_MONO.colour(GREY), format!("finding {}", f.id)),
        ],
    }
}

fn exception_cells(data: &PackData<'_>, f: &Finding) -> Vec<Cell> {
    let status = vec![
        (badge(f.status), f.status.as_str().to_string()),
        (SMALL_GREY, f.severity.as_str().to_string()),
    ];

    let mut observed: Cell = Vec::new();
    for a in &f.assertions {
        match a.status {
            AssertionStatus::Fail => {
                let mut line = format!("{} failed", a.name);
                if let Some(v) = &a.observed {
                    line.push_str(&format!(": observed {}", value_text(v)));
                }
                if let Some(e) = &a.expected {
                    line.push_str(&format!(", expected {e}"));
                }
                observed.push((SMALL, line));
                for (k, v) in &a.evidence {
                    observed.push((SMALL_GREY, format!("{k} = {}", value_text(v))));
                }
            }
            AssertionStatus::Gap | AssertionStatus::Error => {
                observed.push((
                    SMALL,
                    format!(
                        "{} {}: {}",
                        a.name,
                        if a.status == AssertionStatus::Gap {
                            "GAP"
                        } else {
                            "ERROR"
                        },
                        a.message.as_deref().unwrap_or("")
                    ),
                ));
            }
            _ => {}
        }
    }
    if observed.is_empty() {
        observed.push((SMALL, f.summary.clone()));
    }
    let passed = f
        .assertions
        .iter()
        .filter(|a| a.status == AssertionStatus::Pass)
        .count();
    if passed > 0 {
        observed.push((
            SMALL_GREY,
            format!("{passed} of {} assertions held", f.assertions.len()),
        ));
    }
    if !f.gaps.is_empty() {
        observed.push((
            SMALL_GREY,
            format!("gap records: {} (section 5)", f.gaps.join(", ")),
        ));
    }
    if let Some(w) = &f.waiver {
        let state = if w.expired {
            "EXPIRED waiver, still FAIL"
        } else {
            "waived"
        };
        observed.push((
            SMALL_BOLD,
            format!(
                "{state}: {} ({}, approved by {}, expires {})",
                w.id, w.ticket, w.approved_by, w.expires
            ),
        ));
        observed.push((SMALL_GREY, w.reason.trim().to_string()));
    }

    let mut evidence: Cell = Vec::new();
    for (i, s) in f.sources.iter().enumerate() {
        if i > 0 {
            evidence.push((SPACER, String::new()));
        }
        evidence.push((MONO, s.operation.clone()));
        evidence.push((
            SMALL_GREY,
            format!(
                "{} · {}",
                s.region,
                s.called_at.format("%Y-%m-%d %H:%M:%SZ")
            ),
        ));
        if let Some(id) = &s.request_id {
            evidence.push((FINE_MONO, format!("req {id}")));
        }
    }
    for gap_id in &f.gaps {
        if let Some(g) = data.report.gaps.iter().find(|g| &g.id == gap_id) {
            evidence.push((MONO, g.operation.clone()));
            evidence.push((
                SMALL_GREY,
                format!(
                    "{} {} · {}",
                    g.account,
                    g.region,
                    g.occurred_at.format("%Y-%m-%d %H:%M:%SZ")
                ),
            ));
            evidence.push((SMALL_GREY, format!("not read: {}", g.error_code)));
        }
    }
    if evidence.is_empty() {
        evidence.push((SMALL_GREY, "no API call recorded".into()));
    }
    vec![status, resource_cell(f), observed, evidence]
}

fn pass_cells(f: &Finding) -> Vec<Cell> {
    let resource = match &f.resource {
        Some(r) => vec![(MONO, r.arn.clone())],
        None => vec![(SMALL, f.scope.clone().unwrap_or_default())],
    };
    let place = match &f.resource {
        Some(r) => format!("{}\n{}", r.account, r.region),
        None => String::new(),
    };
    let source = f
        .sources
        .iter()
        .find(|s| s.group != "resource")
        .or_else(|| f.sources.first());
    let evidence = match source {
        Some(s) => vec![
            (MONO, s.operation.clone()),
            (
                SMALL_GREY,
                format!(
                    "{}{}",
                    s.called_at.format("%Y-%m-%d %H:%M:%SZ"),
                    s.request_id
                        .as_ref()
                        .map(|r| format!(" · request {r}"))
                        .unwrap_or_default()
                ),
            ),
        ],
        None => vec![(SMALL_GREY, "no API call recorded".into())],
    };
    vec![resource, text(SMALL, place), evidence]
}

fn manual_controls(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.new_page();
    canvas.heading(H1, "4 Controls needing manual evidence", 0, 80.0);
    canvas.paragraph(
        BODY,
        "No automated rule maps to these controls: no AWS API shows them, or the rule pack has \
         no check for them yet. An auditor needs other evidence. Where the profile records a \
         person's attestation for a manual rule mapped to the control, it is shown (details in \
         section 7).",
        0.0,
    );
    let table = Table::new(&[
        ("Control", 0.4),
        ("Manual rules", 0.27),
        ("Attestation", 0.33),
    ])
    .caption("Controls needing manual evidence");
    canvas.table_start(&table);
    let mut i = 0;
    for fam in &data.framework.families {
        for c in fam.controls.iter().filter(|c| c.state == "manual") {
            let mut rules: Cell = Vec::new();
            let mut attest: Cell = Vec::new();
            for rule in &c.rules {
                rules.push((MONO, rule.clone()));
                for f in data.findings(rule) {
                    let style = match &f.attestation {
                        Some(a) if !a.expired => SMALL,
                        _ => SMALL_BOLD.colour(chart::colour(Status::Gap).darker()),
                    };
                    attest.push((style, f.summary.clone()));
                }
            }
            if rules.is_empty() {
                rules.push((SMALL_GREY, "none".into()));
                attest.push((SMALL_GREY, "manual evidence required".into()));
            }
            canvas.table_row(
                &table,
                &[
                    vec![(SMALL_BOLD, c.id.clone()), (SMALL, c.title.clone())],
                    rules,
                    attest,
                ],
                i % 2 == 1,
            );
            i += 1;
        }
    }
    if i == 0 {
        canvas.paragraph(
            BODY,
            "Every control of this framework has an automated rule.",
            0.0,
        );
    }
    canvas.space(8.0);
}

fn gaps(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
    canvas.heading(H1, "5 Gaps: data not read", 0, 100.0);
    canvas.paragraph(
        BODY,
        "What the collector could not read. Every rule that needed this data reports GAP for the \
         resources concerned; a GAP is never counted as a pass and never waived.",
        0.0,
    );
    if r.gaps.is_empty() {
        canvas.paragraph(
            BODY,
            "The snapshot records no gaps: every call it made succeeded.",
            0.0,
        );
    } else {
        let mut by_gap: BTreeMap<&str, usize> = BTreeMap::new();
        for f in data.by_rule.values().flatten() {
            for g in &f.gaps {
                *by_gap.entry(g.as_str()).or_default() += 1;
            }
        }
        let table = Table::new(&[
            ("Gap", 0.09),
            ("Where", 0.17),
            ("Call and error", 0.26),
            ("Message", 0.37),
            ("GAP findings", 0.11),
        ])
        .caption("Gap records");
        canvas.table_start(&table);
        for (i, g) in r.gaps.iter().enumerate() {
            let mut where_: Cell = vec![(MONO, g.account.clone()), (SMALL, g.region.clone())];
            if !g.resource_types.is_empty() {
                where_.push((
                    SMALL_GREY,
                    format!("unlisted: {}", g.resource_types.join(", ")),
                ));
            }
            canvas.table_row(
                &table,
                &[
                    text(SMALL_BOLD, g.id.clone()),
                    where_,
                    vec![
                        (MONO, g.operation.clone()),
                        (badge(Status::Gap), g.error_code.clone()),
                        (SMALL_GREY, time(&g.occurred_at)),
                    ],
                    text(SMALL, g.message.clone()),
                    text(
                        SMALL,
                        format!(
                            "{} in this framework",
                            by_gap.get(g.id.as_str()).copied().unwrap_or(0)
                        ),
                    ),
                ],
                i % 2 == 1,
            );
        }
        canvas.space(8.0);
    }
    let not_read: Vec<(String, String, String)> = r
        .snapshot
        .accounts
        .iter()
        .flat_map(|a| {
            a.regions_not_read
                .iter()
                .map(|n| (a.account_id.clone(), n.region.clone(), n.reason.clone()))
        })
        .collect();
    if !not_read.is_empty() {
        canvas.heading(H3, "Regions not read", 3, 40.0);
        let table = Table::new(&[("Account", 0.25), ("Region", 0.25), ("Reason", 0.5)])
            .caption("Regions not read");
        canvas.table_start(&table);
        for (i, (a, region, reason)) in not_read.into_iter().enumerate() {
            canvas.table_row(
                &table,
                &[text(MONO, a), text(SMALL, region), text(SMALL, reason)],
                i % 2 == 1,
            );
        }
        canvas.space(8.0);
    }
}

fn waivers(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
    canvas.heading(H1, "6 Waiver register", 0, 100.0);
    canvas.paragraph(
        BODY,
        "Every approved exception in the waiver file, whether or not it matched a finding. An \
         expired waiver leaves its findings FAIL; a waiver that matched nothing is listed as \
         unused so it can be removed.",
        0.0,
    );
    if r.waivers.is_empty() {
        canvas.paragraph(BODY, "No waiver file was given: no finding is waived.", 0.0);
        return;
    }
    let table = Table::new(&[
        ("Waiver", 0.14),
        ("Rule and resource", 0.34),
        ("Reason and approval", 0.34),
        ("State", 0.18),
    ])
    .caption("Waiver register");
    canvas.table_start(&table);
    for (i, w) in r.waivers.iter().enumerate() {
        let state = if w.expired {
            (
                badge(Status::Fail),
                format!("EXPIRED (last valid day {})", w.expires),
            )
        } else if w.matched == 0 {
            (
                badge(Status::Gap),
                format!("UNUSED (valid until {})", w.expires),
            )
        } else {
            (SMALL_BOLD, format!("active until {}", w.expires))
        };
        canvas.table_row(
            &table,
            &[
                text(SMALL_BOLD, w.id.clone()),
                vec![(MONO, w.rule.clone()), (MONO, w.resource.clone())],
                vec![
                    (SMALL, w.reason.trim().to_string()),
                    (
                        SMALL_GREY,
                        format!("approved by {} · {}", w.approved_by, w.ticket),
                    ),
                ],
                vec![
                    state,
                    (SMALL_GREY, format!("matched {} finding(s)", w.matched)),
                ],
            ],
            i % 2 == 1,
        );
    }
    canvas.space(8.0);
}

fn attestations(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.heading(H1, "7 Attestations", 0, 100.0);
    canvas.paragraph(
        BODY,
        "Manual rules mapped to this framework: what a person attested, when, until when and \
         where the evidence is. An attestation that has expired, or a manual rule without one, \
         needs manual evidence again.",
        0.0,
    );
    let manual: Vec<&Finding> = data
        .rules
        .iter()
        .flat_map(|r| data.findings(r))
        .filter(|f| f.status == Status::Manual)
        .copied()
        .collect();
    if manual.is_empty() {
        canvas.paragraph(BODY, "No manual rule maps to this framework.", 0.0);
        return;
    }
    let table = Table::new(&[
        ("Rule and controls", 0.27),
        ("Statement", 0.4),
        ("Attested", 0.33),
    ])
    .caption("Attestations");
    canvas.table_start(&table);
    for (i, f) in manual.iter().enumerate() {
        let controls = f
            .controls
            .get(&data.framework.id)
            .map(|c| c.join(", "))
            .unwrap_or_default();
        let (statement, attested): (Cell, Cell) = match &f.attestation {
            Some(a) => (
                vec![
                    (SMALL, a.statement.trim().to_string()),
                    (Style { size: 6.5, ..MONO }, a.evidence.clone()),
                ],
                vec![
                    (SMALL, format!("by {}", a.attested_by)),
                    (SMALL, format!("on {}, valid until {}", a.date, a.expires)),
                    if a.expired {
                        (
                            badge(Status::Fail),
                            "EXPIRED: manual evidence required".to_string(),
                        )
                    } else {
                        (SMALL_BOLD, "valid at the evidence time".to_string())
                    },
                ],
            ),
            None => (
                text(SMALL_GREY, f.rule_title.clone()),
                text(
                    badge(Status::Gap),
                    "no attestation: manual evidence required",
                ),
            ),
        };
        canvas.table_row(
            &table,
            &[
                vec![(MONO, f.rule_id.clone()), (SMALL_GREY, controls)],
                statement,
                attested,
            ],
            i % 2 == 1,
        );
    }
    canvas.space(8.0);
}

fn catalogue(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.new_page();
    canvas.heading(H1, "Appendix A Rule catalogue", 0, 80.0);
    canvas.paragraph(
        BODY,
        &format!(
            "The {} rules of the rule pack (SHA-256 {}) that map to {}, with the controls they \
             give evidence for and their outcomes.",
            data.rules.len(),
            short(&data.report.rule_pack.digest, 16),
            data.framework.name
        ),
        0.0,
    );
    let table = Table::new(&[
        ("Rule", 0.43),
        ("Severity", 0.1),
        ("Controls", 0.17),
        ("Outcomes", 0.3),
    ])
    .caption("Rule catalogue");
    canvas.table_start(&table);
    for (i, rule) in data.rules.iter().enumerate() {
        let findings = data.findings(rule);
        let Some(first) = findings.first() else {
            continue;
        };
        let controls = first
            .controls
            .get(&data.framework.id)
            .map(|c| c.join(", "))
            .unwrap_or_default();
        let kind = if data.is_manual_rule(rule) {
            "manual"
        } else {
            "automated"
        };
        canvas.table_row(
            &table,
            &[
                vec![
                    (MONO, (*rule).to_string()),
                    (SMALL, first.rule_title.clone()),
                ],
                vec![
                    (SMALL, first.severity.as_str().to_string()),
                    (SMALL_GREY, kind.to_string()),
                ],
                text(SMALL, controls),
                text(
                    SMALL,
                    counts_line(&crate::findings::count_by_status(findings.iter().copied())),
                ),
            ],
            i % 2 == 1,
        );
    }
    let others = data.report.rule_pack.rules.saturating_sub(data.rules.len());
    if others > 0 {
        canvas.space(4.0);
        canvas.paragraph(
            SMALL_GREY,
            &format!("{others} further selected rule(s) map to other frameworks only; they are in findings.json and the other packs."),
            0.0,
        );
    }
}
