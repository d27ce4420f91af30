//! `assay keygen`, `assay attest` and `assay verify`: signed customer attestations and
//! checking evidence after the fact (`docs/attestation.md`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;

use super::{EvaluationArgs, RulesArg};
use crate::attest::build::{Request, build as build_attestation};
use crate::attest::render::Renderer;
use crate::attest::scope::Selectors;
use crate::attest::verify::{self, Checks, Outcome, Subject};
use crate::attest::{self, HTML_FILE, JSON_FILE, PDF_FILE, SIG_FILE, sign};
use crate::exit::ExitStatus;
use crate::pipeline::{self, Evidence};
use crate::report::Report;
use crate::snapshot::{Snapshot, sha256_hex};

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the key pair: `<PREFIX>.key` (private, PKCS#8 PEM, mode 0600) and
    /// `<PREFIX>.pub` (public, SPKI PEM). Existing files are never overwritten.
    #[arg(
        long,
        short = 'o',
        value_name = "PREFIX",
        default_value = "assay-signing"
    )]
    pub out: PathBuf,
}

pub const KEYGEN_AFTER_HELP: &str = "Examples:\n  assay keygen -o keys/air-maestro\n  openssl pkey -pubin -in keys/air-maestro.pub -text   # the public key, read by OpenSSL\n\nGive the .pub file to customers; keep the .key file secret.\n\nExit status: 0 written, 2 a file exists or cannot be written.";

#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The snapshot the attestation states facts from.
    #[arg(long)]
    pub snapshot: PathBuf,
    /// The profile (allowed regions, retention, claims), the waivers (waived findings are
    /// disclosed with their reason), the rules, and the issue time (`--now`).
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
    /// The customer the attestation is for (printed on it).
    #[arg(long)]
    pub customer: Option<String>,
    /// Only these accounts (repeatable). Default: every account of the snapshot.
    #[arg(long = "account", value_name = "ID")]
    pub accounts: Vec<String>,
    /// Only data stores with this tag (repeatable; any of them). Their snapshots and
    /// recovery points follow them.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Only data stores whose ARN matches this glob (repeatable; any of them).
    #[arg(long = "resource", value_name = "ARN_GLOB")]
    pub resources: Vec<String>,
    /// Sign with this Ed25519 private key (from `assay keygen`).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// Directory of templates replacing `attestation.html.tera` / `attestation.pdf.tera`.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Output directory (created if missing).
    #[arg(short = 'o', long, default_value = "out")]
    pub out: PathBuf,
}

pub const ATTEST_AFTER_HELP: &str = "Writes attestation.json (the signed facts, RFC 8785 canonical JSON), attestation.sig (base64 Ed25519 signature), attestation.html and attestation.pdf.\n\nExamples:\n  assay attest --snapshot samples/aws-sample/snapshot.json --profile samples/air-maestro/profile.yaml --sign keys/air-maestro.key --out out/attestation\n  assay attest --snapshot snap.json --profile p.yaml --tag customer=acme --customer \"Acme Ltd\" --sign vendor.key\n\nExit status: 0 written (exceptions are disclosed in the document, not in the exit status), 2 bad input.";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// An attestation (attestation.json, .html or .pdf), a snapshot, or a findings.json.
    pub file: PathBuf,
    /// The signer's public key (`.pub` from `assay keygen`): for an attestation, the key
    /// that signed it (required); for a snapshot or a findings document, the key the
    /// snapshot must be signed with (`assay collect --sign`).
    #[arg(long, value_name = "PUB")]
    pub key: Option<PathBuf>,
    /// For an attestation: the key its snapshot must be signed with (default: the
    /// snapshot's signature is reported, not checked).
    #[arg(long, value_name = "PUB")]
    pub snapshot_key: Option<PathBuf>,
    /// The detached signature. Default: attestation.sig beside a JSON attestation; HTML
    /// and PDF attestations carry theirs.
    #[arg(long, value_name = "FILE")]
    pub sig: Option<PathBuf>,
    /// The snapshot the document names. Default: the recorded name, then beside the file.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// Evaluate the snapshot again with these rules and profile and check that the
    /// attested facts follow from it.
    #[arg(long, requires = "profile")]
    pub reevaluate: bool,
    /// The profile: for --reevaluate, and for a findings document when it is not at the
    /// path the document records (nor beside it).
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// The waiver file: for --reevaluate (if the attestation used one), and for a findings
    /// document when it is not at the recorded path (nor beside it).
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArg,
    /// Templates the HTML or PDF was rendered with, if not the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

pub const VERIFY_AFTER_HELP: &str = "Examples:\n  assay verify out/attestation/attestation.json --key keys/air-maestro.pub --snapshot samples/aws-sample/snapshot.json\n  assay verify out/attestation/attestation.pdf --key keys/air-maestro.pub --reevaluate --profile samples/air-maestro/profile.yaml --waivers samples/waivers.yaml\n  assay verify samples/aws-sample/snapshot.json\n  assay verify out/findings.json\n\nA findings document is evaluated again from the snapshot, rule pack, profile and waiver file it records (found at the recorded paths or beside it, or given) at its own evaluation time, and compared finding by finding. An input not at hand or not the one recorded is \"not verified\", never verified.\n\nExit status: 0 every check passed, 1 a check failed (the file, its signature, its evidence or a finding differs from what its inputs give), 2 unreadable input, or not verified: an input needed is missing or is not the one recorded (an attestation whose snapshot is not at hand: 0, saying its evidence was not checked).";

pub fn keygen(args: KeygenArgs) -> Result<ExitStatus> {
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let key = sign::generate()?;
    let (private, public) = sign::write_key_pair(&key, &args.out)?;
    println!(
        "Wrote {} (keep it secret) and {} (give it to customers).\nFingerprint: {}",
        private.display(),
        public.display(),
        sign::fingerprint(&key.verifying_key())
    );
    Ok(ExitStatus::Ok)
}

fn file_sha256(path: &Path) -> Result<String> {
    let bytes =
        crate::input::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(sha256_hex(&bytes))
}

/// Evaluates `snapshot` as `assay audit` does; the report the attestation is built from.
fn evaluate(
    snapshot: &Snapshot,
    snapshot_path: &Path,
    evaluation: &EvaluationArgs,
    now: DateTime<Utc>,
) -> Result<Report> {
    let inputs = evaluation.load()?;
    let path = snapshot_path.display().to_string();
    Ok(pipeline::evaluate(&inputs, Evidence::Snapshot(snapshot), &path, now).report)
}

pub fn attest(args: AttestArgs) -> Result<ExitStatus> {
    let renderer = Renderer::new(args.templates.as_deref())?;
    let selectors = Selectors::new(&args.accounts, &args.tags, &args.resources)?;
    let key = args
        .sign
        .as_deref()
        .map(sign::read_signing_key)
        .transpose()?;
    let snapshot = Snapshot::load(&args.snapshot)?;
    let now = args.evaluation.now();
    let report = evaluate(&snapshot, &args.snapshot, &args.evaluation, now)?;
    let request = Request {
        selectors: &selectors,
        customer: args.customer.clone(),
        issued_at: now,
        snapshot_file: args
            .snapshot
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        waivers_sha256: args
            .evaluation
            .waivers
            .as_deref()
            .map(file_sha256)
            .transpose()?,
    };
    let attestation = build_attestation(&snapshot, &report, &request)?;
    let done = attest::finish(attestation, key.as_ref(), &renderer)?;

    // Every file is staged and appears only when all were written (`crate::output`).
    let mut outputs = crate::output::Outputs::into_dir(&args.out)?;
    let mut write = |name: &str, bytes: &[u8]| -> Result<PathBuf> {
        let path = args.out.join(name);
        outputs.write(&path, bytes)?;
        Ok(path)
    };
    let mut written = vec![write(
        JSON_FILE,
        format!("{}\n", done.canonical).as_bytes(),
    )?];
    if let Some(sig) = &done.signature {
        written.push(write(SIG_FILE, format!("{sig}\n").as_bytes())?);
    }
    written.push(write(HTML_FILE, done.html.as_bytes())?);
    written.push(write(PDF_FILE, &done.pdf)?);
    outputs.commit()?;
    if done.signature.is_none() {
        // A stale signature beside a new unsigned attestation would mislead.
        let stale = args.out.join(SIG_FILE);
        if std::fs::symlink_metadata(&stale).is_ok() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("removing {}", stale.display()))?;
        }
    }

    let a = &done.attestation;
    let stores: usize = a.data_stores.iter().map(|s| s.count).sum();
    let outside: usize = a
        .data_stores
        .iter()
        .map(|s| s.outside_allowed_regions)
        .sum();
    println!(
        "Attestation {} for {}: {stores} data store(s) in scope, {outside} outside the allowed regions, {} copy destination(s), {} exception(s) disclosed; evidence observed {}.",
        a.id,
        crate::text::terminal_with(&a.organisation, false),
        a.copies.len(),
        a.exceptions.len(),
        a.observed_at.to_rfc3339()
    );
    match &a.signer {
        Some(s) => println!("Signed with Ed25519 key {}.", s.fingerprint),
        None => println!("UNSIGNED (pass --sign KEY to sign it)."),
    }
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!("Wrote: {}", names.join(", "));
    Ok(ExitStatus::Ok)
}

pub fn verify(args: VerifyArgs) -> Result<ExitStatus> {
    let (_, subject) = verify::read(&args.file)?;
    let mut checks = Checks::default();
    let is_attestation = matches!(subject, Subject::Attestation { .. });
    match subject {
        Subject::Snapshot => {
            let key = args
                .key
                .as_deref()
                .map(sign::read_verifying_key)
                .transpose()?;
            match Snapshot::load(&args.file) {
                Ok(s) => {
                    checks.pass(
                        "snapshot",
                        format!(
                            "intact: manifest {} over {} resources, {} raw responses each matching its hash",
                            s.manifest.digest,
                            s.resources.len(),
                            s.raw_responses.len()
                        ),
                    );
                    verify::snapshot_seal(&mut checks, &s, key.as_ref());
                }
                Err(e) => checks.fail("snapshot", e.to_string()),
            }
        }
        Subject::Findings(report) => {
            let key = args
                .key
                .as_deref()
                .map(sign::read_verifying_key)
                .transpose()?;
            let given = super::rederive::Given {
                snapshot: args.snapshot.as_deref(),
                profile: args.profile.as_deref(),
                waivers: args.waivers.as_deref(),
                rules: &args.rules,
                key: key.as_ref(),
            };
            super::rederive::rederive(&mut checks, &args.file, &report, &given)?;
        }
        Subject::Attestation {
            text,
            carrier,
            embedded_signature,
            rendering,
        } => verify_attestation(
            &args,
            &mut checks,
            &text,
            carrier,
            embedded_signature,
            rendering,
        )?,
    }
    print_checks(&checks);
    let not_made = checks.not_made_list();
    if checks.failed() {
        let n = checks
            .0
            .iter()
            .filter(|c| c.outcome == Outcome::Failed)
            .count();
        println!(
            "{}: NOT verified ({n} check(s) failed)",
            args.file.display()
        );
        Ok(ExitStatus::Failed)
    } else if not_made.is_empty() {
        println!("{}: verified", args.file.display());
        Ok(ExitStatus::Ok)
    } else if is_attestation {
        // The signature was checked (it is required); what is left is its evidence.
        let names: Vec<&str> = not_made.iter().map(|c| c.name.as_str()).collect();
        println!(
            "{}: the signed attestation is verified; its evidence is not verified ({} not checked)",
            args.file.display(),
            names.join(", ")
        );
        Ok(ExitStatus::Ok)
    } else {
        let names: Vec<&str> = not_made.iter().map(|c| c.name.as_str()).collect();
        println!(
            "{}: not verified: {} could not be checked (see above); nothing is vouched for",
            args.file.display(),
            names.join(", ")
        );
        Ok(ExitStatus::Error)
    }
}

/// One line per check: `ok`, `FAILED`, `not checked` or `note`.
pub(crate) fn print_checks(checks: &Checks) {
    for c in &checks.0 {
        println!("{}", check_line(c));
    }
}

pub(crate) fn check_line(c: &verify::Check) -> String {
    let mark = match c.outcome {
        Outcome::Passed => "ok     ",
        Outcome::Failed => "FAILED ",
        Outcome::NotMade => "not checked",
        Outcome::Noted => "note   ",
    };
    // Details quote the document being verified: shown, never obeyed by the terminal.
    format!("{mark} {}: {}", c.name, crate::text::terminal(&c.detail))
}

fn verify_attestation(
    args: &VerifyArgs,
    checks: &mut Checks,
    text: &str,
    carrier: &str,
    embedded_signature: Option<String>,
    rendering: Option<Vec<u8>>,
) -> Result<()> {
    let Some(key_path) = &args.key else {
        bail!(
            "{}: give the signer's public key with --key (an attestation is only as good as the key you trust)",
            args.file.display()
        );
    };
    let key = sign::read_verifying_key(key_path)?;
    let signature = match (&args.sig, carrier) {
        (Some(path), _) => Some(
            crate::input::read_text(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        ),
        (None, "json") => {
            let beside = args.file.with_file_name(SIG_FILE);
            crate::input::read_text(&beside).ok()
        }
        (None, _) => embedded_signature.clone(),
    };
    let Some(attestation) = verify::attestation(checks, text, signature.as_deref(), &key) else {
        return Ok(());
    };
    if let Some(bytes) = rendering {
        let renderer = Renderer::new(args.templates.as_deref())?;
        let view = attest::view::View::new(&attestation, text, embedded_signature.as_deref());
        let fresh = match carrier {
            "pdf" => renderer.pdf(&view)?,
            _ => renderer.html(&view)?.into_bytes(),
        };
        if fresh == bytes {
            checks.pass(
                "document",
                format!("the {carrier} is exactly the rendering of the signed attestation"),
            );
        } else {
            checks.fail(
                "document",
                format!("the {carrier} differs from the rendering of the signed attestation it carries: it was edited after it was written (or rendered with other templates: pass --templates)"),
            );
        }
    }
    let snapshot_path = verify::locate(
        args.snapshot.as_deref(),
        &attestation.evidence.snapshot_file,
        &args.file,
    );
    let snapshot = verify::snapshot_matches(
        checks,
        snapshot_path.as_deref(),
        &attestation.evidence.snapshot_manifest_sha256,
    );
    if let Some(s) = &snapshot {
        let key = args
            .snapshot_key
            .as_deref()
            .map(sign::read_verifying_key)
            .transpose()?;
        verify::snapshot_seal(checks, s, key.as_ref());
    }
    if args.reevaluate {
        match (snapshot, snapshot_path, &args.profile) {
            (Some(snapshot), Some(path), Some(profile)) => {
                reevaluate(args, checks, &attestation, &snapshot, &path, profile)?
            }
            _ => checks.fail(
                "re-evaluation",
                "not possible without an intact snapshot that is the one named",
            ),
        }
    }
    Ok(())
}

/// Evaluates the snapshot again and rebuilds the facts; they must equal the signed ones.
fn reevaluate(
    args: &VerifyArgs,
    checks: &mut Checks,
    attested: &attest::Attestation,
    snapshot: &Snapshot,
    snapshot_path: &Path,
    profile: &Path,
) -> Result<()> {
    let evaluation = EvaluationArgs {
        profile: profile.to_path_buf(),
        waivers: args.waivers.clone(),
        rules: args.rules.clone(),
        now: Some(attested.issued_at),
    };
    let report = evaluate(snapshot, snapshot_path, &evaluation, attested.issued_at)?;
    let mut inputs = Vec::new();
    if report.rule_pack.digest != attested.evidence.rule_pack_sha256 {
        inputs.push(format!(
            "the rule pack is {}, the attestation was made with {}",
            report.rule_pack.digest, attested.evidence.rule_pack_sha256
        ));
    }
    if report.profile.sha256 != attested.evidence.profile_sha256 {
        inputs.push(format!(
            "the profile is {}, the attestation was made with {}",
            report.profile.sha256, attested.evidence.profile_sha256
        ));
    }
    let waivers = args.waivers.as_deref().map(file_sha256).transpose()?;
    if waivers != attested.evidence.waivers_sha256 {
        inputs.push("the waiver file differs from the one the attestation was made with".into());
    }
    if !inputs.is_empty() {
        checks.fail("re-evaluation inputs", inputs.join("; "));
        return Ok(());
    }
    let selectors = Selectors::from_described(&attested.scope.selectors)?;
    let request = Request {
        selectors: &selectors,
        customer: attested.customer.clone(),
        issued_at: attested.issued_at,
        snapshot_file: attested.evidence.snapshot_file.clone(),
        waivers_sha256: attested.evidence.waivers_sha256.clone(),
    };
    let mut rebuilt = build_attestation(snapshot, &report, &request)?;
    rebuilt.signer = attested.signer.clone();
    let (a, b) = (
        serde_json::to_value(attested)?,
        serde_json::to_value(&rebuilt)?,
    );
    let differing: Vec<String> = match (a.as_object(), b.as_object()) {
        (Some(a), Some(b)) => a
            .iter()
            .filter(|(k, v)| b.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => vec!["the whole document".into()],
    };
    if differing.is_empty() {
        checks.pass(
            "re-evaluation",
            format!(
                "evaluating the snapshot again gives exactly the attested facts ({} findings in scope)",
                attested.evidence.findings.values().sum::<usize>()
            ),
        );
    } else {
        checks.fail(
            "re-evaluation",
            format!(
                "evaluating the snapshot again gives different facts in: {}",
                differing.join(", ")
            ),
        );
    }
    Ok(())
}
