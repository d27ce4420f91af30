//! Benchmark of the PDF evidence packs (not a timed test): the bundled sample account's
//! findings replicated to a large account (10,000+ findings), rendered one pack per
//! framework. Prints pages, seconds and MB per pack, the wall time of all packs on
//! threads, and the peak memory of the process.
//!
//! ```sh
//! cargo run --release --example pdf_bench            # 13 copies of the sample: 12,311 findings
//! cargo run --release --example pdf_bench -- 30      # 30 copies
//! cargo run --release --example pdf_bench -- 13 /tmp/bench   # also write the packs there
//! ```
//!
//! Why replicate the sample instead of inventing findings: the mix of statuses, rules,
//! controls, evidence sizes and ARN lengths is the real one, only larger. Each copy gets
//! its own ARNs and finding ids, as if the account had that many more resources.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
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

/// The report with every resource finding copied `copies` times under new ARNs.
fn scale(mut report: Report, copies: usize) -> Report {
    let base = std::mem::take(&mut report.findings);
    for copy in 0..copies {
        for f in &base {
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
    }
    // Control counts follow the findings.
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
        }
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

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let copies: usize = match args.next() {
        Some(n) => n
            .parse()
            .context("the first argument is the number of copies")?,
        None => 13,
    };
    let out: Option<PathBuf> = args.next().map(PathBuf::from);

    let report = scale(sample_report()?, copies);
    println!(
        "{} findings ({} copies of the sample), {} frameworks",
        report.findings.len(),
        copies,
        report.frameworks.len()
    );
    println!("{:<16} {:>6} {:>9} {:>8}", "pack", "pages", "seconds", "MB");
    for fw in &report.frameworks {
        let t = Instant::now();
        let pack = assay::report::pdf::render_framework(&report, fw)?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{:<16} {:>6} {:>9.2} {:>8.2}",
            pack.framework,
            pack.pages,
            secs,
            pack.bytes.len() as f64 / 1e6
        );
    }
    let rss_sequential = peak_rss_mb();
    let t = Instant::now();
    let packs = assay::report::pdf::render(&report)?;
    let secs = t.elapsed().as_secs_f64();
    let pages: usize = packs.iter().map(|p| p.pages).sum();
    let bytes: usize = packs.iter().map(|p| p.bytes.len()).sum();
    println!(
        "all packs on threads: {pages} pages in {secs:.2} s, {:.2} MB",
        bytes as f64 / 1e6
    );
    if let Some(mb) = rss_sequential {
        println!("peak RSS after the sequential runs: {mb:.0} MB");
    }
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS after the threaded run: {mb:.0} MB");
    }
    if let Some(dir) = out {
        std::fs::create_dir_all(&dir)?;
        for p in &packs {
            std::fs::write(dir.join(&p.file_name), &p.bytes)?;
        }
        println!("written to {}", dir.display());
    }
    Ok(())
}
