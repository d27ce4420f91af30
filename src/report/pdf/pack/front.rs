//! The cover and section 1, scope and method: what was read and what was not, the
//! hashes that identify every input, how outcomes are decided, the parameters and the
//! organisation's own claims. An auditor reads this before any finding.

use super::{PackData, badge, counts_line, kv_table, text, time, value_text};
use crate::findings::Status;
use crate::typeset::layout::{
    ACCENT, BODY, Canvas, Cell, GREY, H1, H2, LEFT, MONO, SMALL, SMALL_BOLD, SMALL_GREY, Style,
    TOP, Table, WIDTH,
};

pub(super) fn cover(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
    canvas.mark(0, "Cover", false);
    let fw = &data.framework.name;
    canvas.draw(|p, ops| {
        p.rect(ops, LEFT, TOP + 6.0, WIDTH, 3.0, ACCENT);
        p.text(ops, LEFT, TOP + 40.0, H2.colour(GREY), "Evidence pack");
        p.text(ops, LEFT, TOP + 70.0, H1.colour(ACCENT), fw);
    });
    canvas.y = TOP + 88.0;
    let org_style = Style::new(crate::typeset::fonts::Face::Bold, 14.0);
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
    if let Some(c) = r.snapshot.collection.as_ref().filter(|c| c.not_aws()) {
        canvas.paragraph(
            badge(Status::Fail).size_of(10.0),
            &format!(
                "NOT READ FROM AWS: the evidence in this pack was collected through {}, which                  is not an AWS endpoint (an emulator or a proxy). It shows what that endpoint                  answered, not the state of an AWS account.",
                c.endpoint_url.as_deref().unwrap_or("an endpoint override")
            ),
            0.0,
        );
        canvas.space(6.0);
    }

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
            ("Collected by", collected_by(r)),
            ("Endpoint(s)", endpoints(r)),
            ("Scope", text(SMALL, scope)),
            ("Coverage", text(SMALL, coverage)),
            (
                "Statement of Applicability",
                text(
                    SMALL,
                    format!(
                        "section {}: {}",
                        super::soa::number(data),
                        super::soa::tally(data)
                    ),
                ),
            ),
            (
                "Findings (this framework)",
                text(SMALL, counts_line(&data.counts())),
            ),
            (
                "Produced by",
                text(SMALL, format!("{} {}", r.tool.name, r.tool.version)),
            ),
            ("Input digests (SHA-256)", digests(r)),
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

pub(super) fn scope(data: &PackData<'_>, canvas: &mut Canvas) {
    canvas.heading(H1, "1 Scope and method", 0, 80.0);

    accounts_and_regions(data, canvas);
    what_was_covered(data, canvas);
    evidence_and_inputs(data, canvas);
    how_outcomes_are_decided(data, canvas);
    parameters_used(data, canvas);
}

/// 1.1: the accounts and regions the snapshot covers, read or not.
fn accounts_and_regions(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
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
    if !r.unmatched_selectors.is_empty() {
        canvas.paragraph(
            BODY,
            "Profile values that decide which resources rules apply to, and matched none (the \
             rules reading them are NOT_APPLICABLE everywhere; check the profile):",
            0.0,
        );
        for u in &r.unmatched_selectors {
            canvas.paragraph(SMALL, &format!("- {}", u.message), 0.0);
        }
        canvas.space(8.0);
    }
}

/// Under 1.1: the data-store types judged in detail, the types AWS Config's inventory only
/// located, and where the inventory could not look (`report::coverage`).
fn what_was_covered(data: &PackData<'_>, canvas: &mut Canvas) {
    let Some(c) = data.report.snapshot.coverage.as_ref().map(|c| c.view()) else {
        return;
    };
    canvas.paragraph(
        BODY,
        "What the evidence covered. Types only located are not judged in detail; where the \
         inventory could not look, data stores of other types were not looked for, so no \
         statement about all data is supported there.",
        0.0,
    );
    kv_table(
        canvas,
        &[
            ("Data stores judged in detail", text(SMALL, c.judged)),
            (
                "Types only located by AWS Config's inventory",
                text(SMALL, c.located_only),
            ),
            (
                "Where the inventory could not look",
                text(if c.complete { SMALL } else { SMALL_BOLD }, c.not_looked),
            ),
        ],
    );
}

/// 1.2: the hashes that identify every input.
fn evidence_and_inputs(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
    canvas.heading(H2, "1.2 Evidence and inputs", 1, 60.0);
    canvas.paragraph(
        BODY.with_code_spans(),
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
}

/// 1.3: what each outcome means and how waivers and attestations apply.
fn how_outcomes_are_decided(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
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
        (
            Status::Unknown,
            "Evaluated against a Terraform plan that does not know a value the rule needs yet.",
            "no",
        ),
    ];
    let shown = meanings
        .iter()
        .filter(|(s, _, _)| *s != Status::Unknown || r.summary.contains_key(s));
    for (i, (s, m, pass)) in shown.enumerate() {
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
}

/// 1.4: the parameter values the rules were evaluated with.
fn parameters_used(data: &PackData<'_>, canvas: &mut Canvas) {
    let r = data.report;
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

/// The principal the calls were made as, and the tool that made them.
fn collected_by(r: &crate::report::Report) -> Cell {
    match &r.snapshot.collection {
        Some(c) => vec![
            (MONO, c.principal_text()),
            (SMALL_GREY, format!("with {}", c.collected_by)),
        ],
        None => text(SMALL_GREY, "not recorded in this findings document"),
    }
}

/// Where the calls went; in red when that is not AWS.
fn endpoints(r: &crate::report::Report) -> Cell {
    match &r.snapshot.collection {
        Some(c) if c.not_aws() => text(badge(Status::Fail), c.endpoint_text()),
        Some(c) => text(SMALL, c.endpoint_text()),
        None => text(SMALL_GREY, "not recorded in this findings document"),
    }
}

/// The digests that name every input: snapshot manifest, rule pack, profile, waivers.
fn digests(r: &crate::report::Report) -> Cell {
    let mut cell = vec![
        (SMALL_GREY, "snapshot manifest".to_string()),
        (MONO, r.snapshot.manifest_digest.clone()),
        (SMALL_GREY, "rule pack".to_string()),
        (MONO, r.rule_pack.digest.clone()),
        (SMALL_GREY, "profile".to_string()),
        (MONO, r.profile.sha256.clone()),
    ];
    if let Some(w) = r.inputs.as_ref().and_then(|i| i.waivers.as_ref()) {
        cell.push((SMALL_GREY, format!("waivers ({})", w.path)));
        cell.push((MONO, w.sha256.clone()));
    }
    cell
}
