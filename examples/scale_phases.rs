//! Where the time of an offline audit goes, phase by phase, in one process (not a timed
//! test): load and verify the snapshot, evaluate, apply waivers and build the report, then
//! each writer into a sink. Prints wall seconds, CPU seconds (user + sys, every thread) and
//! the peak RSS after each phase, and, where Linux lets the peak be reset, the phase's own
//! peak above the memory held when it began (what a writer adds). Used with `scale_snapshot` by `benches/offline/run.sh`;
//! see BENCHMARKS.md, "Offline scale".
//!
//! ```sh
//! cargo run --release --example scale_phases -- /tmp/scale-250.json
//! ```

use std::io::{Sink, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU seconds (user + sys) of this process so far, every thread: on a shared machine
/// the steadier measure than wall time. Clock ticks from /proc (100 a second on Linux).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name, which is in parentheses and may hold spaces.
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            let utime: f64 = rest.get(11)?.parse().ok()?;
            let stime: f64 = rest.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets the peak RSS to the current RSS (Linux 4.0+, `clear_refs` value 5), so the peak
/// after a phase is that phase's own; false where the kernel does not allow it.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

thread_local! {
    /// The highest phase peak so far: the process's peak RSS.
    static PEAK: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

fn phase<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let (t, cpu, before) = (Instant::now(), cpu_seconds(), rss_mb());
    let own_peak = reset_peak();
    let out = f()?;
    let peak = peak_rss_mb();
    PEAK.with(|p| p.set(p.get().max(peak)));
    let growth = if own_peak {
        format!(
            "   phase peak {:>6.0} MB over {:>6.0} MB",
            peak - before,
            before
        )
    } else {
        String::new()
    };
    println!(
        "{name:<28} {:>8.2} s   CPU {:>7.2} s   peak RSS {:>7.0} MB{growth}",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        peak
    );
    Ok(out)
}

/// A sink that counts the bytes written to it.
#[derive(Default)]
struct Counted(u64);

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() -> Result<()> {
    let path = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: scale_phases SNAPSHOT.json")?,
    );
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
    let now: chrono::DateTime<chrono::Utc> = "2026-12-04T00:00:00Z".parse()?;
    let rules: Vec<&assay::rules::Rule> = pack
        .rules
        .iter()
        .filter(|r| profile.rules.selects(&r.id))
        .collect();

    let snapshot = phase("load + verify snapshot", || {
        Ok(assay::snapshot::Snapshot::load(&path)?)
    })?;
    let mut findings = phase("evaluate", || {
        Ok(assay::evaluate::evaluate(
            &snapshot,
            &rules,
            &profile.params,
            &profile.attestations,
        ))
    })?;
    let report = phase("waivers + report model", || {
        let register = assay::waivers::apply(&mut findings, &waivers, now.date_naive());
        Ok(assay::report::Report::build(
            std::mem::take(&mut findings),
            &snapshot,
            &path.display().to_string(),
            &pack,
            &profile,
            register,
            now,
        ))
    })?;
    println!(
        "{} resources, {} findings",
        snapshot.resources.len(),
        report.findings.len()
    );
    // `assay audit` frees the snapshot before it writes the reports.
    drop(snapshot);
    phase("findings.json", || {
        let mut out = std::io::BufWriter::new(Sink::default());
        assay::report::json::render(&report, &mut out)?;
        Ok(out.flush()?)
    })?;
    phase("findings.csv", || {
        let mut out = std::io::BufWriter::new(Sink::default());
        assay::report::csv::render(&report, &mut out)?;
        Ok(out.flush()?)
    })?;
    phase("report.html", || {
        let mut out = std::io::BufWriter::new(Sink::default());
        assay::report::html::render(&report, &mut out)?;
        Ok(out.flush()?)
    })?;
    for fw in &report.frameworks {
        phase(&format!("pdf {}", fw.id), || {
            let mut out = std::io::BufWriter::new(Counted::default());
            let pack = assay::report::pdf::render_framework_to(&report, fw, &mut out)?;
            out.flush()?;
            println!(
                "  {} pages, {:.1} MB",
                pack.pages,
                out.get_ref().0 as f64 / 1e6
            );
            Ok(())
        })?;
    }
    println!(
        "process peak RSS {:.0} MB",
        PEAK.with(std::cell::Cell::get).max(peak_rss_mb())
    );
    Ok(())
}
