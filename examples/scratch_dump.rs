use std::path::Path;
fn main() {
    let mut sources = assay::diag::Sources::default();
    let (pack, _) = assay::rules::load::load_pack(Path::new("rules"), &mut sources);
    let pack = pack.unwrap();
    let (profile, _) = assay::profile::load(
        Path::new("samples/air-maestro/profile.yaml"),
        &pack,
        &mut sources,
    );
    let profile = profile.unwrap();
    let (waivers, _) = assay::waivers::load(Path::new("samples/waivers.yaml"), &pack, &mut sources);
    let snapshot =
        assay::snapshot::Snapshot::load(Path::new("samples/aws-sample/snapshot.json")).unwrap();
    let rules: Vec<&assay::rules::Rule> = pack
        .rules
        .iter()
        .filter(|r| profile.rules.selects(&r.id))
        .collect();
    let now: chrono::DateTime<chrono::Utc> = "2026-11-23T09:00:00Z".parse().unwrap();
    let mut findings =
        assay::evaluate::evaluate(&snapshot, &rules, &profile.params, &profile.attestations);
    let reg = assay::waivers::apply(&mut findings, &waivers.unwrap(), now.date_naive());
    let report = assay::report::Report::build(
        findings,
        &snapshot,
        "samples/aws-sample/snapshot.json",
        &pack,
        &profile,
        reg,
        now,
    );
    let mut out = std::fs::File::create("/tmp/sample-findings.json").unwrap();
    assay::report::json::render(&report, &mut out).unwrap();
    std::fs::create_dir_all("/tmp/pdfout").unwrap();
    let t = std::time::Instant::now();
    let w = assay::report::pdf::write(&report, std::path::Path::new("/tmp/pdfout")).unwrap();
    eprintln!("{:?} in {:?}", w, t.elapsed());
}
// scratch: appended
