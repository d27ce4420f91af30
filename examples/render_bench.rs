//! Benchmark of the HTML evidence report (not a timed test): the bundled sample account's
//! findings replicated to 10,000, rendered once with the built-in templates. Prints the
//! render time, the file size and the peak memory; with `--browser`, also opens the file
//! in headless Chromium and times loading it and using the findings table.
//!
//! ```sh
//! cargo run --release --example render_bench                      # 10,000 findings
//! cargo run --release --example render_bench -- 20000             # another count
//! cargo run --release --example render_bench -- 10000 --browser   # + Chromium timings
//! cargo run --release --example render_bench -- --out=/tmp/r.html  # keep the file
//! ```
//!
//! Why replicate the sample instead of inventing findings: the mix of statuses, rules,
//! evidence sizes and ARN lengths is the real one, only larger (as `pdf_bench` does).
//! The browser timings come from a copy of the report with a measuring script appended
//! and the Content-Security-Policy removed (it would block that script, by design).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use assay::findings::count_by_status;
use assay::report::Report;

fn sample_report() -> Result<Report> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = assay::diag::Sources::default();
    let (pack, _) = assay::rules::load::load_pack(&root.join("rules"), &mut sources);
    let pack = pack.ok_or_else(|| anyhow!("rule pack does not load"))?;
    let (profile, _) = assay::profile::load(
        &root.join("samples/air-maestro/profile.yaml"),
        &pack,
        &mut sources,
    );
    let profile = profile.ok_or_else(|| anyhow!("profile does not load"))?;
    let (waivers, _) =
        assay::waivers::load(&root.join("samples/waivers.yaml"), &pack, &mut sources);
    let waivers = waivers.ok_or_else(|| anyhow!("waivers do not load"))?;
    let snapshot = assay::snapshot::Snapshot::load(&root.join("samples/aws-sample/snapshot.json"))?;
    let rules: Vec<&assay::rules::Rule> = pack
        .rules
        .iter()
        .filter(|r| profile.rules.selects(&r.id))
        .collect();
    let now: chrono::DateTime<chrono::Utc> = "2026-11-23T09:00:00Z".parse()?;
    let mut findings =
        assay::evaluate::evaluate(&snapshot, &rules, &profile.params, &profile.attestations);
    let register = assay::waivers::apply(&mut findings, &waivers, now.date_naive());
    Ok(Report::build(
        findings,
        &snapshot,
        "samples/aws-sample/snapshot.json",
        &pack,
        &profile,
        register,
        now,
    ))
}

/// The report with resource findings copied under new ARNs until it holds `target`.
fn scale(mut report: Report, target: usize) -> Report {
    let base = std::mem::take(&mut report.findings);
    let mut copy = 0;
    while report.findings.len() < target {
        for f in &base {
            if report.findings.len() == target {
                break;
            }
            let mut f = f.clone();
            if copy > 0 {
                let Some(res) = f.resource.as_mut() else {
                    continue;
                };
                res.arn = format!("{}-copy{copy}", res.arn);
                res.name = format!("{}-copy{copy}", res.name);
                f.id = assay::findings::fingerprint(&f.rule_id, &res.arn);
            }
            report.findings.push(f);
        }
        copy += 1;
    }
    for fw in &mut report.frameworks {
        for fam in &mut fw.families {
            for c in &mut fam.controls {
                c.summary = count_by_status(
                    report
                        .findings
                        .iter()
                        .filter(|f| c.rules.contains(&f.rule_id)),
                );
            }
            // As in the model: a family sums its controls' counts.
            fam.summary.clear();
            for c in &fam.controls {
                for (s, n) in &c.summary {
                    *fam.summary.entry(*s).or_default() += n;
                }
            }
        }
    }
    for rule in &mut report.rule_catalogue {
        rule.summary = count_by_status(report.findings.iter().filter(|f| f.rule_id == rule.id));
    }
    report.summary = count_by_status(&report.findings);
    report
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Appended to the report copy: times a few table operations after load and writes the
/// results into `<pre id="bench">`, which `--dump-dom` prints.
const MEASURE: &str = r#"<script>
window.addEventListener("load", function () {
  function time(label, act) {
    var t = performance.now(); act(); void document.body.offsetHeight;
    return label + " " + (performance.now() - t).toFixed(1) + " ms";
  }
  var form = document.getElementById("filters"), out = [];
  var nav = performance.getEntriesByType("navigation")[0];
  out.push("DOMContentLoaded " + nav.domContentLoadedEventEnd.toFixed(0) + " ms");
  out.push("load " + nav.loadEventStart.toFixed(0) + " ms");
  out.push("finding rows " + document.querySelectorAll("tbody.finding").length);
  var pass = form.querySelector("input[name=status][value=PASS]");
  out.push(time("filter: hide PASS", function () { pass.checked = false; form.dispatchEvent(new Event("change")); }));
  var region = form.elements.region;
  out.push(time("filter: one region", function () { region.selectedIndex = 1; form.dispatchEvent(new Event("change")); }));
  out.push(time("filter: text search", function () { form.elements.q.value = "bucket"; form.dispatchEvent(new Event("submit")); }));
  out.push(time("reset filters", function () { document.getElementById("filters-reset").click(); }));
  var sort = document.querySelector("button.sort[data-key=name]");
  out.push(time("sort by resource", function () { sort.click(); }));
  out.push(time("sort by resource, reversed", function () { sort.click(); }));
  out.push(time("next page", function () { document.querySelector("button[data-page=next]").click(); }));
  out.push(time("open one finding's evidence", function () { document.querySelector("tbody.finding:not([hidden]) button.ev-toggle").click(); }));
  var pre = document.createElement("pre"); pre.id = "bench"; pre.textContent = out.join("\n");
  document.body.appendChild(pre);
});
</script>"#;

fn browser(html: &str, dir: &Path) -> Result<()> {
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .context("the report has a CSP")?;
    let csp_end = csp_start + html[csp_start..].find('>').context("the CSP meta ends")? + 1;
    let measured = format!("{}{}", &html[..csp_start], &html[csp_end..])
        .replace("</body>", &format!("{MEASURE}</body>"));
    let page = dir.join("report-measured.html");
    std::fs::write(&page, measured)?;
    let t = Instant::now();
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .context("running chromium (apt-get install chromium)")?;
    let wall = t.elapsed().as_secs_f64();
    let dom = String::from_utf8_lossy(&output.stdout);
    let Some(start) = dom.find("<pre id=\"bench\">") else {
        bail!(
            "no measurements in the dumped DOM; chromium said: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let body = &dom[start + "<pre id=\"bench\">".len()..];
    let end = body.find("</pre>").unwrap_or(body.len());
    println!("headless Chromium (process wall time {wall:.1} s, start-up and DOM dump included):");
    for line in body[..end].lines() {
        println!("  {line}");
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target: usize = match args.iter().find(|a| !a.starts_with("--")) {
        Some(n) => n
            .parse()
            .context("the argument is the number of findings")?,
        None => 10_000,
    };
    let report = scale(sample_report()?, target);
    let renderer = assay::report::html::Renderer::new(None)?;
    let t = Instant::now();
    let mut html = Vec::new();
    renderer.render(&report, &mut html)?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{} findings: rendered in {:.3} s, {:.1} MB",
        report.findings.len(),
        secs,
        html.len() as f64 / 1e6
    );
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS {mb:.0} MB");
    }
    if let Some(path) = args.iter().find_map(|a| a.strip_prefix("--out=")) {
        std::fs::write(path, &html).with_context(|| format!("writing {path}"))?;
        println!("written to {path}");
    }
    if args.iter().any(|a| a == "--browser") {
        let dir = tempfile::tempdir()?;
        browser(&String::from_utf8(html)?, dir.path())?;
    }
    Ok(())
}
