//! The HTML renderer on a small fixed report: golden markup, escaping of account values,
//! self-containment and template overrides. The end-to-end and browser tests are in
//! `tests/it/html_report.rs`.

use super::*;

/// Ten findings of the sample account (one framework, the two payload-named resources
/// among them), trimmed from a real `findings.json`; see `tests/fixtures/reports/README.md`.
const FIXTURE: &str = include_str!("../../../tests/fixtures/reports/small-findings.json");

fn fixture() -> Report {
    Report::from_json(FIXTURE, "small-findings.json").expect("the fixture is a findings document")
}

fn render_fixture() -> String {
    let mut out = Vec::new();
    render(&fixture(), &mut out).expect("the fixture renders");
    String::from_utf8(out).expect("the report is UTF-8")
}

/// The page without its style sheet and script: the part worth reviewing in a snapshot.
fn markup(html: &str) -> String {
    let cut = |text: &str, open: &str, close: &str| -> String {
        match (text.find(open), text.find(close)) {
            (Some(a), Some(b)) if a < b => format!("{}{open}…{}", &text[..a], &text[b..]),
            _ => text.to_string(),
        }
    };
    let html = cut(html, "<style>", "</style>");
    let html = cut(&html, "<script>", "</script>");
    // The CSP carries the script's hash: it changes with every edit of the script.
    match (html.find("script-src 'sha256-"), html.find("'; img-src")) {
        (Some(a), Some(b)) => format!("{}script-src 'sha256-…{}", &html[..a], &html[b..]),
        _ => html,
    }
}

#[test]
fn golden_small_report() {
    insta::assert_snapshot!(markup(&render_fixture()));
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(render_fixture(), render_fixture());
}

#[test]
fn account_values_render_as_text() {
    let html = render_fixture();
    // The sample's payload names: a volume's Name tag and a security group's Name tag.
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the <script> name is missing"
    );
    assert!(
        html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        "the <img> name is missing"
    );
    assert!(!html.contains("<script>alert"), "a raw <script> payload");
    assert!(!html.contains("<img"), "a raw <img> payload");
    assert!(!html.contains("\"><img"), "an attribute break-out");
    // Exactly one script element: ours.
    assert_eq!(html.matches("<script").count(), 1);
}

#[test]
fn payloads_in_every_account_field_are_escaped() {
    let payload = "\"'><script>x()</script><img src=x onerror=y()>";
    let mut report = fixture();
    for f in &mut report.findings {
        f.summary = payload.into();
        if let Some(r) = f.resource.as_mut() {
            r.name = payload.into();
            r.arn = format!("arn:aws:s3:::{payload}");
            r.account = payload.into();
            r.region = payload.into();
        }
        for a in &mut f.assertions {
            a.observed = Some(serde_json::Value::String(payload.into()));
            a.message = Some(payload.into());
        }
        for s in &mut f.sources {
            s.request_id = Some(payload.into());
        }
    }
    for g in &mut report.gaps {
        g.message = payload.into();
    }
    for a in &mut report.snapshot.accounts {
        a.account_id = payload.into();
    }
    report.profile.organisation = payload.into();
    let mut out = Vec::new();
    render(&report, &mut out).expect("renders");
    let html = String::from_utf8(out).expect("UTF-8");
    assert!(!html.contains("<script>x()"), "raw <script>");
    assert!(!html.contains("<img src=x"), "raw <img>");
    assert!(!html.contains("\"'>"), "attribute break-out");
    assert!(html.contains("&quot;&#39;&gt;&lt;script&gt;x()&lt;/script&gt;"));
}

#[test]
fn nothing_is_fetched_from_the_network() {
    let html = render_fixture();
    for needle in [
        "src=\"http",
        "href=\"http",
        "url(",
        "@import",
        "<link",
        "<iframe",
    ] {
        assert!(!html.contains(needle), "{needle} in the report");
    }
    // The CSP allows our script by hash and nothing from anywhere else.
    let script_start = html.rfind("<script>").expect("script") + "<script>".len();
    let script_end = html.rfind("</script>").expect("script end");
    let hash = base64(&Sha256::digest(&html.as_bytes()[script_start..script_end]));
    assert!(html.contains(&format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'"
    )));
}

#[test]
fn the_report_never_says_compliant() {
    let html = render_fixture().to_lowercase();
    let uses = html.matches("compliant").count();
    let denials =
        html.matches("\"compliant\"").count() + html.matches("&quot;compliant&quot;").count();
    assert_eq!(
        uses, denials,
        "\"compliant\" used other than to say the report does not claim it"
    );
    assert!(html.contains("evidence supporting a.8.24"));
}

#[test]
fn every_control_is_listed_and_manual_ones_say_so() {
    let report = fixture();
    let html = render_fixture();
    for fw in &report.frameworks {
        for fam in &fw.families {
            for c in &fam.controls {
                assert!(
                    html.contains(&format!("id=\"ctl-{}-{}\"", fw.id, c.id)),
                    "{} missing",
                    c.id
                );
            }
        }
    }
    assert!(html.contains("manual evidence required: no automated rule"));
}

#[test]
fn every_finding_shows_its_evidence() {
    let report = fixture();
    let html = render_fixture();
    for f in &report.findings {
        assert!(html.contains(&format!("id=\"f-{}\"", f.id)));
        for s in &f.sources {
            assert!(
                html.contains(&s.response_sha256),
                "{} lacks its response hash",
                f.id
            );
            assert!(html.contains(&s.operation));
        }
        if let Some(r) = &f.resource {
            assert!(
                html.contains(&format!("<code>{}</code>", r.pointer)),
                "{} lacks its pointer",
                f.id
            );
        }
    }
}

#[test]
fn a_template_directory_overrides_and_adds() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("partials")).expect("mkdir");
    std::fs::write(
        dir.path().join("partials/scope.html.tera"),
        "<section id=\"scope\"><p class=\"custom\">Prepared for {{ organisation }}</p>{% include \"partials/extra.html.tera\" %}</section>",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("partials/extra.html.tera"),
        "<p>{{ report_id }}</p>",
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a template").expect("write");
    let renderer = Renderer::new(Some(dir.path())).expect("templates load");
    let mut report = fixture();
    report.profile.organisation = "<b>Org</b>".into();
    let mut out = Vec::new();
    renderer.render(&report, &mut out).expect("renders");
    let html = String::from_utf8(out).expect("UTF-8");
    assert!(
        html.contains("<p class=\"custom\">Prepared for &lt;b&gt;Org&lt;/b&gt;</p>"),
        "override not used or not escaped"
    );
    assert!(
        html.contains("id=\"findings\""),
        "the other built-ins are kept"
    );
}

#[test]
fn a_broken_template_is_reported_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("evidence.html.tera"), "{% if %}").expect("write");
    let Err(err) = Renderer::new(Some(dir.path())) else {
        panic!("a broken template loaded");
    };
    assert!(err.to_string().contains("evidence.html.tera"), "{err}");
}

#[test]
fn a_missing_template_directory_is_an_error() {
    let Err(err) = Renderer::new(Some(Path::new("/nonexistent/templates"))) else {
        panic!("loaded from nowhere");
    };
    assert!(err.to_string().contains("/nonexistent/templates"), "{err}");
}

#[test]
fn the_model_round_trips_through_json() {
    let report = fixture();
    let json = serde_json::to_value(&report).expect("serialises");
    let again = Report::from_json(&json.to_string(), "again").expect("parses");
    assert_eq!(serde_json::to_value(&again).expect("serialises"), json);
}

#[test]
fn base64_matches_rfc_4648() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
}

#[test]
fn rule_docs_show_backtick_spans_as_code_and_stay_escaped() {
    let mut tera = tera::Tera::new();
    tera.register_filter("inline_code", super::inline_code);
    tera.add_raw_template("t", "{{ what | inline_code }}")
        .unwrap();
    let render = |what: &str| {
        let mut context = tera::Context::new();
        context.insert("what", what);
        tera.render("t", &context).unwrap()
    };
    assert_eq!(
        render("Checks `BlockPublicAcls` <b>&</b>"),
        "Checks <code>BlockPublicAcls</code> &lt;b&gt;&amp;&lt;/b&gt;"
    );
    assert_eq!(render("a `b` c `d"), "a <code>b</code> c `d");
    assert_eq!(render("`<script>`"), "<code>&lt;script&gt;</code>");
}

#[test]
fn a_page_without_the_rows_placeholder_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("partials")).expect("mkdir");
    // A findings section written the way templates looped before the rows were streamed.
    std::fs::write(
        dir.path().join("partials/findings.html.tera"),
        "<section id=\"findings\">{{ total_findings }}</section>",
    )
    .expect("write");
    let renderer = Renderer::new(Some(dir.path())).expect("templates load");
    let mut out = Vec::new();
    let err = renderer
        .render(&fixture(), &mut out)
        .expect_err("no place for the rows");
    assert!(matches!(err, HtmlError::RowsPlaceholder(0)), "{err}");
    assert!(err.to_string().contains("finding_rows"), "{err}");
}

/// More findings than one batch of rows and than the first page: every finding is a row,
/// once, in table order (problems first), and only the first 100 rows are shown.
#[test]
fn rows_stream_in_batches_in_table_order() {
    let mut report = fixture();
    let base = report.findings.clone();
    report.findings = (0..ROWS_BATCH * 2 + 7)
        .map(|i| {
            let mut f = base[i % base.len()].clone();
            f.id = format!("{}-{i}", f.id);
            f
        })
        .collect();
    let mut out = Vec::new();
    render(&report, &mut out).expect("renders");
    let html = String::from_utf8(out).expect("UTF-8");
    let rows: Vec<&str> = html
        .split("<tbody class=\"finding\" id=\"f-")
        .skip(1)
        .collect();
    assert_eq!(rows.len(), report.findings.len());
    let expected: Vec<&str> = view::table_order(&report)
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r.split('"').next().unwrap_or(""))
        .collect();
    assert_eq!(ids, expected);
    let hidden: Vec<bool> = rows
        .iter()
        .map(|r| r.split('>').next().unwrap_or("").ends_with(" hidden"))
        .collect();
    assert!(hidden[..100].iter().all(|h| !h), "the first page is shown");
    assert!(hidden[100..].iter().all(|h| *h), "later rows start hidden");
    assert!(html.trim_end().ends_with("</html>"));
}
