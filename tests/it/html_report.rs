//! The HTML evidence report end to end: `assay audit --format html`, `assay report`
//! re-rendering saved findings, and the sample's payload names in a real browser (Debian's
//! `chromium`, which `scripts/test.sh` installs; without it the browser test fails, it
//! does not skip).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::{assay, assay_in, root};

const SAMPLE: &str = "samples/aws-sample/snapshot.json";

/// Audits the sample with a fixed clock into a temporary directory.
fn audit(formats: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = assay(&[
        "audit",
        "--snapshot",
        SAMPLE,
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--waivers",
        "samples/waivers.yaml",
        "--format",
        formats,
        "--out",
        out.path().to_str().expect("UTF-8 path"),
        "--now",
        "2026-12-04T09:00:00Z",
        "--quiet",
    ]);
    assert_eq!(code, 1, "the sample has failures\n{stdout}\n{stderr}");
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn findings(dir: &Path) -> Value {
    serde_json::from_str(&read(&dir.join("findings.json"))).expect("findings.json parses")
}

#[test]
fn audit_writes_one_self_contained_report() {
    let out = audit("html,json,csv");
    for name in ["report.html", "findings.json", "findings.csv"] {
        assert!(out.path().join(name).is_file(), "{name} not written");
    }
    let html = read(&out.path().join("report.html"));
    let doc = findings(out.path());
    let all = doc["findings"].as_array().expect("findings");
    assert_eq!(
        html.matches("<tbody class=\"finding\"").count(),
        all.len(),
        "one row group per finding"
    );
    for f in all {
        assert!(html.contains(&format!("id=\"f-{}\"", f["id"].as_str().expect("id"))));
    }
    // Every control of every framework is shown, with or without automated rules.
    for fw in doc["frameworks"].as_array().expect("frameworks") {
        for fam in fw["families"].as_array().expect("families") {
            for c in fam["controls"].as_array().expect("controls") {
                let id = format!(
                    "id=\"ctl-{}-{}\"",
                    fw["id"].as_str().expect("fw"),
                    c["id"].as_str().expect("c")
                );
                assert!(html.contains(&id), "{id} missing");
            }
        }
    }
    for section in [
        "scope", "summary", "claims", "controls", "gaps", "waivers", "manual", "findings", "rules",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{section}\">")),
            "section {section} missing"
        );
    }
    // Scope first: the scope section comes before any finding.
    assert!(html.find("<section id=\"scope\">") < html.find("<tbody class=\"finding\""));
    assert!(
        html.contains("me-central-1"),
        "the region not read is named"
    );
    assert!(
        html.contains("expired") && html.contains("unused"),
        "the waiver register shows expired and unused"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("<script>alert") && !html.contains("<img"));
    assert_eq!(
        html.matches("<svg").count(),
        doc["frameworks"].as_array().map_or(0, Vec::len),
        "one chart per framework"
    );
}

#[test]
fn report_rerenders_saved_findings_after_re_deriving_them() {
    let out = audit("html,json");
    let again = tempfile::tempdir().expect("tempdir");
    // From a directory without rules: the built-in pack is the same pack; the snapshot,
    // profile and waivers the document records are given.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let findings_path = out.path().join("findings.json");
    let (code, stdout, stderr) = assay_in(
        elsewhere.path(),
        &[
            "report",
            "--findings",
            findings_path.to_str().expect("UTF-8"),
            "--snapshot",
            root().join(SAMPLE).to_str().expect("UTF-8"),
            "--profile",
            root()
                .join("samples/air-maestro/profile.yaml")
                .to_str()
                .expect("UTF-8"),
            "--waivers",
            root().join("samples/waivers.yaml").to_str().expect("UTF-8"),
            "--format",
            "html,json",
            "--out",
            again.path().to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("report.html"), "{stdout}");
    // Compared without printing: a difference would fill the terminal with the whole page.
    assert!(
        read(&out.path().join("report.html")) == read(&again.path().join("report.html")),
        "the same findings must give the same page: diff {} {}",
        out.path().join("report.html").display(),
        again.path().join("report.html").display()
    );
    assert!(
        read(&findings_path) == read(&again.path().join("findings.json")),
        "findings.json must round-trip unchanged"
    );
}

#[test]
fn report_finds_the_snapshot_the_findings_name() {
    let out = audit("json");
    let again = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = assay(&[
        "report",
        "--findings",
        out.path().join("findings.json").to_str().expect("UTF-8"),
        "--out",
        again.path().to_str().expect("UTF-8"),
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(again.path().join("report.html").is_file());
}

#[test]
fn report_refuses_a_snapshot_the_findings_do_not_name() {
    let out = audit("json");
    let mut doc = findings(out.path());
    doc["snapshot"]["manifest_digest"] = Value::String("0".repeat(64));
    let edited = out.path().join("edited.json");
    std::fs::write(&edited, doc.to_string()).expect("write");
    let target = out.path().join("never");
    let (code, _, stderr) = assay(&[
        "report",
        "--findings",
        edited.to_str().expect("UTF-8"),
        "--out",
        target.to_str().expect("UTF-8"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not the snapshot"), "{stderr}");
    assert!(!target.exists(), "nothing is written");
}

#[test]
fn report_refuses_a_changed_snapshot() {
    let out = audit("json");
    let original = read(&root().join(SAMPLE));
    let snapshot = original.replacen(
        "\"region\": \"ap-southeast-2\"",
        "\"region\": \"ap-southeast-4\"",
        1,
    );
    assert!(snapshot != original, "the edit changed nothing");
    let copy = out.path().join("snapshot.json");
    std::fs::write(&copy, snapshot).expect("write");
    let (code, _, stderr) = assay(&[
        "report",
        "--findings",
        out.path().join("findings.json").to_str().expect("UTF-8"),
        "--snapshot",
        copy.to_str().expect("UTF-8"),
        "--out",
        out.path().join("never").to_str().expect("UTF-8"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("failed verification"), "{stderr}");
}

#[test]
fn a_broken_template_stops_the_audit_before_anything_is_written() {
    let templates = tempfile::tempdir().expect("tempdir");
    std::fs::write(templates.path().join("evidence.html.tera"), "{% for %}").expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let target = out.path().join("out");
    let (code, _, stderr) = assay(&[
        "audit",
        "--snapshot",
        SAMPLE,
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--format",
        "html,json",
        "--templates",
        templates.path().to_str().expect("UTF-8"),
        "--out",
        target.to_str().expect("UTF-8"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("evidence.html.tera"), "{stderr}");
    assert!(!target.exists(), "no report directory");
}

/// Debian's chromium, or a failure that says how to get it.
fn chromium() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "chromium is not installed, so the report cannot be checked in a real browser; \
             scripts/test.sh installs it (apt-get install -y chromium)"
        )
    })
}

/// Loads `page` in headless Chromium, lets its scripts and error handlers run, and returns
/// the DOM as the browser built it.
fn dump_dom(page: &Path) -> String {
    let profile = tempfile::tempdir().expect("tempdir");
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        dom.contains("</html>"),
        "chromium printed no DOM: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    dom
}

#[test]
fn payloads_stay_text_in_a_real_browser() {
    let out = audit("json");
    // The sample's payloads call alert(), which a headless browser cannot report; rewrite
    // them to leave a mark a dumped DOM shows: the title, and an element they would add.
    let script = "<script>document.title='pwned-script'</script>";
    let img = "\"><img id=pwned src=x onerror=\"document.title='pwned-img'\">";
    let mut doc = findings(out.path());
    let mut marked = 0;
    for f in doc["findings"].as_array_mut().expect("findings") {
        let name = f["resource"]["name"].as_str().unwrap_or("").to_string();
        let payload = if name.starts_with("<script>") {
            script
        } else if name.starts_with("\"><img") {
            img
        } else {
            continue;
        };
        f["resource"]["name"] = Value::String(payload.into());
        f["summary"] = Value::String(payload.into());
        marked += 1;
    }
    assert!(marked >= 2, "the sample's payload resources have findings");
    // An edited document no longer re-derives, so `assay report` refuses it: the page is
    // rendered by the library's HTML renderer directly.
    let report = assay::report::Report::from_json(&doc.to_string(), "marked.json")
        .expect("still a findings document");
    let renderer = assay::report::html::Renderer::new(None).expect("the built-in templates");
    let mut outputs = assay::output::Outputs::into_dir(out.path()).expect("the output directory");
    let page =
        assay::report::html::write(&renderer, &report, out.path(), &mut outputs).expect("rendered");
    outputs.commit().expect("written");
    let html = read(&page);
    // The same page without its Content-Security-Policy: escaping alone must hold.
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("a CSP");
    let csp_end = csp_start + html[csp_start..].find('>').expect("meta ends") + 1;
    let bare = out.path().join("report-without-csp.html");
    std::fs::write(&bare, format!("{}{}", &html[..csp_start], &html[csp_end..])).expect("write");

    for page in [&page, &bare] {
        let dom = dump_dom(page);
        let title = dom
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap_or("");
        assert!(
            title.starts_with("Evidence report"),
            "{}: the title was changed to {title:?}",
            page.display()
        );
        assert!(
            !dom.contains("pwned\""),
            "{}: an injected element exists",
            page.display()
        );
        assert!(
            !dom.contains("<img"),
            "{}: an <img> element exists",
            page.display()
        );
        assert_eq!(
            dom.matches("<script").count(),
            1,
            "{}: only our script",
            page.display()
        );
        assert!(
            dom.contains("&lt;script&gt;document.title='pwned-script'&lt;/script&gt;"),
            "{}: the <script> name is not shown as text",
            page.display()
        );
        assert!(
            dom.contains("\"&gt;&lt;img id=pwned src=x onerror=\"document.title='pwned-img'\"&gt;"),
            "{}: the <img> name is not shown as text",
            page.display()
        );
        // Our own script ran (under the CSP, by its hash): it paged the table.
        assert!(
            dom.contains("Showing 1–100 of "),
            "{}: the table script did not run",
            page.display()
        );
    }
}

/// Appended to a copy of the report (without its CSP, which would block it): drives the
/// findings table like a user and records what is shown after each step.
const TABLE_CHECK: &str = r#"<script>
window.addEventListener("load", function () {
  var form = document.getElementById("filters"), out = {};
  function shown() {
    return Array.prototype.filter.call(document.querySelectorAll("tbody.finding"), function (t) { return !t.hidden; });
  }
  function change() { form.dispatchEvent(new Event("change")); }
  out.initial = shown().length;
  form.querySelector("input[name=status][value=PASS]").checked = false; change();
  out.no_pass = shown().length > 0 && shown().every(function (t) { return t.dataset.status !== "PASS"; });
  document.getElementById("filters-reset").click();
  form.elements.region.selectedIndex = 1; change();
  var region = form.elements.region.value;
  out.region = shown().length > 0 && shown().every(function (t) { return t.dataset.region === region; });
  document.getElementById("filters-reset").click();
  form.elements.control.selectedIndex = 1; change();
  var control = "|" + form.elements.control.value + "|";
  out.control = shown().length > 0 && shown().every(function (t) { return t.dataset.controls.indexOf(control) !== -1; });
  document.getElementById("filters-reset").click();
  form.elements.q.value = "legacy-ssh-access"; form.dispatchEvent(new Event("submit"));
  out.search = shown().length > 0 && shown().every(function (t) { return t.rows[0].textContent.indexOf("legacy-ssh-access") !== -1; });
  document.getElementById("filters-reset").click();
  out.reset = shown().length;
  document.querySelector("button.sort[data-key=name]").click();
  var names = shown().map(function (t) { return t.dataset.name.toLowerCase(); });
  out.sorted = names.length === 100 && names.every(function (n, i) { return i === 0 || names[i - 1] <= n; });
  document.querySelector("button[data-page=next]").click();
  out.page = document.getElementById("page-of").textContent;
  out.page_rows = shown().length;
  var button = shown()[0].querySelector("button.ev-toggle"); button.click();
  out.evidence_open = !document.getElementById(button.getAttribute("aria-controls")).hidden;
  // A link from the control view to a finding on another page: it is shown, evidence open.
  var bodies = document.querySelectorAll("tbody.finding"), last = bodies[bodies.length - 1];
  window.addEventListener("hashchange", function () {
    out.link_shown = !last.hidden;
    out.link_evidence_open = !document.getElementById("ev-" + last.id.slice(2)).hidden;
    var pre = document.createElement("pre"); pre.id = "check"; pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  });
  location.hash = last.id;
});
</script>"#;

#[test]
fn the_findings_table_filters_sorts_and_pages_in_a_browser() {
    let out = audit("html");
    let html = read(&out.path().join("report.html"));
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("a CSP");
    let csp_end = csp_start + html[csp_start..].find('>').expect("meta ends") + 1;
    let page = out.path().join("report-checked.html");
    let checked = format!("{}{}", &html[..csp_start], &html[csp_end..])
        .replace("</body>", &format!("{TABLE_CHECK}</body>"));
    std::fs::write(&page, checked).expect("write");
    let dom = dump_dom(&page);
    let text = dom
        .split("<pre id=\"check\">")
        .nth(1)
        .and_then(|t| t.split("</pre>").next())
        .unwrap_or_else(|| panic!("the check script left no result"));
    let result: Value = serde_json::from_str(
        &text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
    .expect("JSON");
    assert_eq!(result["initial"], 100, "one page of 100 rows: {result}");
    for check in [
        "no_pass",
        "region",
        "control",
        "search",
        "sorted",
        "evidence_open",
        "link_shown",
        "link_evidence_open",
    ] {
        assert_eq!(result[check], true, "{check}: {result}");
    }
    assert_eq!(result["reset"], 100, "{result}");
    assert_eq!(result["page"], "page 2 of 23", "{result}");
    assert_eq!(result["page_rows"], 100, "{result}");
}

/// The tables of `page` wider than their box in a `width`-pixel window, as
/// `section#index:table width>box width`, measured by headless Chromium (a copy of the page
/// without its CSP runs the measuring script).
fn tables_wider_than_their_box(page: &Path, width: u32) -> Vec<String> {
    let html = read(page);
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("a CSP");
    let csp_end = csp_start + html[csp_start..].find('>').expect("meta ends") + 1;
    let script = "<script>window.addEventListener('load', function () { var out = []; \
        document.querySelectorAll('table').forEach(function (t, i) { var box = t.parentElement; \
        if (t.scrollWidth > box.clientWidth + 1) { out.push(((t.closest('section') || {}).id || '') \
        + '#' + i + ':' + t.scrollWidth + '>' + box.clientWidth); } }); \
        document.title = 'measured:' + out.join(','); });</script>";
    let measured = page.with_extension("measured.html");
    std::fs::write(
        &measured,
        format!("{}{}", &html[..csp_start], &html[csp_end..])
            .replace("</body>", &format!("{script}</body>")),
    )
    .expect("write");
    let profile = tempfile::tempdir().expect("tempdir");
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--window-size={width},1000"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", measured.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let title = dom
        .split("<title>measured:")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_else(|| {
            panic!(
                "the page was not measured: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    title
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| t.replace("&gt;", ">"))
        .collect()
}

#[test]
fn every_table_fits_its_box_at_1400_pixels_in_the_report_and_the_attestation() {
    let out = audit("html");
    let report = out.path().join("report.html");
    assert_eq!(
        tables_wider_than_their_box(&report, 1400),
        Vec::<String>::new()
    );
    let (code, stdout, stderr) = assay(&[
        "attest",
        "--snapshot",
        SAMPLE,
        "--profile",
        "samples/air-maestro/profile.yaml",
        "--waivers",
        "samples/waivers.yaml",
        "--now",
        "2026-12-04T00:00:00Z",
        "--out",
        out.path().join("attestation").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let attestation = out.path().join("attestation/attestation.html");
    assert_eq!(
        tables_wider_than_their_box(&attestation, 1400),
        Vec::<String>::new()
    );
    // Account ids and regions are never broken: they sit in cells that do not wrap.
    let html = read(&attestation);
    assert!(html.contains(r#"<td class="id">111122223333</td><td class="id">us-east-1</td>"#));
}

/// Issue 15, item 3: the report's scope section and the evidence packs' front matter
/// state what the evidence covered: the data-store types judged in detail, the types
/// AWS Config's inventory only located, and where it could not look.
#[test]
fn the_scope_states_what_the_evidence_covered() {
    let out = audit("json,html,pdf");
    let coverage = &findings(out.path())["snapshot"]["coverage"];
    assert_eq!(coverage["inventory_read"], true, "{coverage}");
    let html = read(&out.path().join("report.html"));
    let section = &html[html
        .find("What the evidence covered")
        .expect("coverage in the scope")..];
    let section = &section[..section.find("</table>").unwrap()];
    for said in [
        "Data stores judged in detail",
        "DynamoDB tables",
        "AWS::MSK::Cluster, holds data (2 in ap-southeast-2, eu-west-1)",
        "ConfigNotRecording: 111122223333 us-east-1",
        "region not read: 111122223333 me-central-1",
    ] {
        assert!(section.contains(said), "`{said}` not in: {section}");
    }
    let pack = crate::attestation::pdf_text(&out.path().join("report-gdpr.pdf")).concat();
    let pack = pack.split_whitespace().collect::<Vec<_>>().join(" ");
    for said in [
        "Data stores judged in detail",
        "Types only located by AWS Config's inventory",
        "ConfigNotRecording: 111122223333 us-east-1",
    ] {
        assert!(
            pack.contains(said),
            "`{said}` not in the pack's front matter"
        );
    }
}
