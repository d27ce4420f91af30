//! Reading a rules directory: YAML into spanned raw structs, then validation into
//! [`Rule`]s. Every problem in every file is collected as a [`Diagnostic`] pointing at the
//! file, line and column; the caller stops if any is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::expr::{self, CheckContext, ExprProblem, Expression, References};
use super::params::{ParamCatalogue, ParamDecl, ParamDeclFile, ParamType};
use super::{Assertion, Rule, RuleDoc, RuleKind, RulePack, Severity};
use crate::diag::{Diagnostic, Diagnostics, FileId, Sources, did_you_mean, yaml_error};
use crate::frameworks::Framework;
use crate::snapshot::{RESOURCE_TYPES, sha256_hex};

/// A rule file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    title: String,
    severity: Spanned<String>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    resource_types: Vec<Spanned<String>>,
    controls: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    iam_actions: Vec<String>,
    #[serde(rename = "where", default)]
    applies_when: Option<Spanned<String>>,
    #[serde(rename = "let", default)]
    lets: IndexMap<String, Spanned<String>>,
    #[serde(rename = "assert", default)]
    assertions: Vec<RawAssertion>,
    doc: RuleDoc,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssertion {
    name: Spanned<String>,
    expr: Spanned<String>,
    #[serde(default)]
    evidence: IndexMap<String, Spanned<String>>,
}

/// Loads and checks the rule pack in `root`. Returns the pack only when there is no error.
pub fn load_pack(root: &Path, sources: &mut Sources) -> (Option<RulePack>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut hashes: Vec<(String, String)> = Vec::new();

    let params = load_params(root, sources, &mut diags, &mut hashes);
    let frameworks = load_frameworks(root, sources, &mut diags, &mut hashes);

    let mut rule_files = Vec::new();
    collect_rule_files(root, root, &mut rule_files);
    rule_files.sort();
    if rule_files.is_empty() {
        diags.push(Diagnostic::error(
            "no-rules",
            format!("no rule files found under {}", root.display()),
        ));
    }

    let mut rules: Vec<Rule> = Vec::new();
    for path in rule_files {
        let Some((file, text)) = read_source(&path, sources, &mut diags) else {
            continue;
        };
        hashes.push((relative(root, &path), sha256_hex(text.as_bytes())));
        if let Some(rule) = load_rule(
            root,
            &path,
            file,
            &text,
            &params,
            &frameworks,
            sources,
            &mut diags,
        ) {
            if let Some(existing) = rules.iter().find(|r| r.id == rule.id) {
                diags.push(Diagnostic::error(
                    "duplicate-rule",
                    format!(
                        "rule id `{}` is defined twice: {} and {}",
                        rule.id,
                        existing.path.display(),
                        rule.path.display()
                    ),
                ));
            }
            rules.push(rule);
        }
    }

    hashes.sort();
    let digest = sha256_hex(
        hashes
            .iter()
            .map(|(p, h)| format!("{p} {h}\n"))
            .collect::<String>()
            .as_bytes(),
    );
    if diags.has_errors() {
        return (None, diags);
    }
    (
        Some(RulePack {
            rules,
            params,
            frameworks,
            root: root.to_path_buf(),
            digest,
        }),
        diags,
    )
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn read_source(
    path: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<(FileId, String)> {
    match crate::input::read_text(path) {
        Ok(text) => Some((sources.add(path.display().to_string(), text.clone()), text)),
        Err(e) => {
            diags.push(Diagnostic::error(
                "io",
                format!("cannot read {}: {e}", path.display()),
            ));
            None
        }
    }
}

/// Rule files: every `*.yaml` below `root` except `params.yaml`, fixtures
/// (`*.tests.yaml`) and the `frameworks/` and `schema/` folders.
fn collect_rule_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if dir == root && (name == "frameworks" || name == "schema") {
                continue;
            }
            collect_rule_files(root, &path, out);
        } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            let is_rule = name.ends_with(".yaml")
                && !name.ends_with(".tests.yaml")
                && !(dir == root && name == "params.yaml");
            if is_rule {
                out.push(path);
            }
        }
    }
}

/// Byte range in the file of a spanned scalar's value start.
fn span_start(sources: &Sources, file: FileId, s: &Spanned<impl Sized>) -> usize {
    sources.offset(
        file,
        s.referenced.line() as usize,
        s.referenced.column() as usize,
    )
}

fn span_of(sources: &Sources, file: FileId, s: &Spanned<String>) -> std::ops::Range<usize> {
    let start = span_start(sources, file, s);
    let text = sources.text(file);
    // Quoted or plain scalar on one line: cover its text when it is there verbatim.
    let len = if text[start..].starts_with(&s.value) {
        s.value.len()
    } else if text[start..].starts_with('"') || text[start..].starts_with('\'') {
        s.value.len() + 2
    } else {
        1
    };
    start..(start + len.max(1)).min(text.len())
}

/// Maps a byte range inside an expression to a byte range in the YAML file. Block scalars
/// (`|`) put the expression on the following lines with indentation; each expression line
/// is found verbatim in the file, in order, from the scalar's position on.
pub fn map_expr_range(
    sources: &Sources,
    file: FileId,
    at: &Spanned<String>,
    range: std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let text = sources.text(file);
    let mut cursor = span_start(sources, file, at);
    let mut expr_offset = 0;
    for line in at.value.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        let line_start_in_file = if content.trim().is_empty() {
            cursor
        } else {
            match text[cursor..].find(content) {
                Some(i) => cursor + i,
                None => return span_of(sources, file, at),
            }
        };
        let line_end = expr_offset + line.len();
        if range.start < line_end || line_end >= at.value.len() {
            let start = line_start_in_file + (range.start - expr_offset).min(content.len());
            let len = range.end.saturating_sub(range.start).clamp(
                1,
                content
                    .len()
                    .saturating_sub(range.start - expr_offset)
                    .max(1),
            );
            return start..(start + len).min(text.len());
        }
        cursor = line_start_in_file + content.len();
        expr_offset = line_end;
    }
    span_of(sources, file, at)
}

fn expr_problems(
    diags: &mut Diagnostics,
    sources: &Sources,
    file: FileId,
    at: &Spanned<String>,
    where_: &str,
    problems: Vec<ExprProblem>,
) {
    for p in problems {
        let range = map_expr_range(sources, file, at, p.range.clone());
        let mut d = Diagnostic::error(p.code, format!("{where_}: {}", p.message)).at(
            file,
            range,
            p.message.clone(),
        );
        for n in p.notes {
            d = d.note(n);
        }
        diags.push(d);
    }
}

fn compile_checked(
    diags: &mut Diagnostics,
    sources: &Sources,
    file: FileId,
    at: &Spanned<String>,
    where_: &str,
    ctx: &CheckContext,
) -> Option<(Expression, References)> {
    match expr::compile(&at.value) {
        Ok(e) => {
            let (refs, problems) = expr::check(&e, ctx);
            let ok = problems.is_empty();
            expr_problems(diags, sources, file, at, where_, problems);
            ok.then_some((e, refs))
        }
        Err(problems) => {
            expr_problems(diags, sources, file, at, where_, problems);
            None
        }
    }
}

/// The rule's control mappings: every framework and control id must exist, and at least
/// one control must be mapped.
fn rule_controls(
    raw: &RawRule,
    frameworks: &[Framework],
    file: FileId,
    sources: &Sources,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Vec<String>> {
    let mut controls = BTreeMap::new();
    for (framework_id, ids) in &raw.controls {
        let Some(framework) = frameworks.iter().find(|f| &f.id == framework_id) else {
            let known: Vec<&str> = frameworks.iter().map(|f| f.id.as_str()).collect();
            let mut d = Diagnostic::error(
                "unknown-framework",
                format!("`{framework_id}` is not a framework in rules/frameworks/"),
            );
            if let Some(first) = ids.first() {
                d = d.at(file, span_of(sources, file, first), "mapped here");
            }
            diags.push(d.note(format!("known frameworks: {}", known.join(", "))));
            continue;
        };
        for id in ids {
            if framework.control(&id.value).is_none() {
                let suggestions =
                    did_you_mean(&id.value, framework.controls.iter().map(|c| c.id.as_str()));
                let mut d = Diagnostic::error(
                    "unknown-control",
                    format!("`{}` is not a control of {}", id.value, framework.name),
                )
                .at(file, span_of(sources, file, id), "unknown control id");
                for s in suggestions {
                    d = d.note(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
        }
        controls.insert(
            framework_id.clone(),
            ids.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
        );
    }
    if controls.values().all(Vec::is_empty) {
        diags.push(
            Diagnostic::error("unmapped-rule", "the rule is mapped to no control").at(
                file,
                span_of(sources, file, &raw.id),
                "add `controls:` for at least one framework",
            ),
        );
    }
    controls
}

/// A rule's id must be `<directory>.<file stem>`, so a rule is found from its id.
fn check_id(
    root: &Path,
    path: &Path,
    raw: &RawRule,
    file: FileId,
    sources: &Sources,
    diags: &mut Diagnostics,
) {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let expected_id = rel
        .with_extension("")
        .to_string_lossy()
        .replace(['/', '\\'], ".");
    if raw.id.value != expected_id {
        diags.push(
            Diagnostic::error(
                "rule-id",
                format!(
                    "rule id `{}` does not match its path: expected `{expected_id}`",
                    raw.id.value
                ),
            )
            .at(
                file,
                span_of(sources, file, &raw.id),
                format!("expected `{expected_id}`"),
            ),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn load_rule(
    root: &Path,
    path: &Path,
    file: FileId,
    text: &str,
    params: &ParamCatalogue,
    frameworks: &[Framework],
    sources: &Sources,
    diags: &mut Diagnostics,
) -> Option<Rule> {
    let raw: RawRule = match serde_saphyr::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            diags.push(yaml_error(file, sources, &e, "rule file"));
            return None;
        }
    };
    let errors_before = diags.error_count();
    let at = At {
        file,
        sources,
        rule: &raw,
    };
    check_id(root, path, &raw, file, sources, diags);
    let (severity, kind) = rule_shape(&at, diags);
    let controls = rule_controls(&raw, frameworks, file, sources, diags);
    let compiled = compile_rule(&at, params, diags);
    check_doc(&at, diags);

    if diags.error_count() > errors_before {
        return None;
    }
    Some(Rule {
        id: raw.id.value,
        title: raw.title,
        severity: severity.unwrap_or(super::Severity::High),
        kind,
        resource_types: compiled.resource_types,
        controls,
        iam_actions: raw.iam_actions,
        applies_when: compiled.applies_when,
        lets: compiled.lets,
        assertions: compiled.assertions,
        doc: raw.doc,
        path: path.to_path_buf(),
        params: compiled.params,
        sha256: sha256_hex(text.as_bytes()),
    })
}

/// The rule file being checked, for diagnostics that point into it.
struct At<'a> {
    file: FileId,
    sources: &'a Sources,
    rule: &'a RawRule,
}

/// The rule's severity (`None` when unknown, reported) and kind, after checking its
/// resource types and that its shape fits its kind.
fn rule_shape(at: &At, diags: &mut Diagnostics) -> (Option<Severity>, RuleKind) {
    let (raw, file, sources) = (at.rule, at.file, at.sources);
    let severity = Severity::parse(&raw.severity.value);
    if severity.is_none() {
        diags.push(
            Diagnostic::error(
                "severity",
                format!("unknown severity `{}`", raw.severity.value),
            )
            .at(
                file,
                span_of(sources, file, &raw.severity),
                "unknown severity",
            )
            .note(format!("one of: {}", Severity::ALL.join(", "))),
        );
    }
    let kind = match raw.kind.as_ref().map(|k| k.value.as_str()) {
        None | Some("automated") => RuleKind::Automated,
        Some("manual") => RuleKind::Manual,
        Some(other) => {
            let k = raw.kind.as_ref().expect("matched Some");
            diags.push(
                Diagnostic::error("rule-kind", format!("unknown kind `{other}`")).at(
                    file,
                    span_of(sources, file, k),
                    "expected `automated` or `manual`",
                ),
            );
            RuleKind::Automated
        }
    };

    for t in &raw.resource_types {
        if !RESOURCE_TYPES.contains(&t.value.as_str()) {
            let suggestions = did_you_mean(&t.value, RESOURCE_TYPES.iter().copied());
            let mut d = Diagnostic::error(
                "unknown-resource-type",
                format!("`{}` is not a resource type", t.value),
            )
            .at(file, span_of(sources, file, t), "unknown resource type");
            for s in suggestions {
                d = d.note(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
    }
    match kind {
        RuleKind::Automated if raw.resource_types.is_empty() || raw.assertions.is_empty() => {
            diags.push(
                Diagnostic::error(
                    "rule-shape",
                    "an automated rule needs `resource_types` and at least one `assert`",
                )
                .at(file, span_of(sources, file, &raw.id), "in this rule"),
            );
        }
        RuleKind::Manual
            if !raw.assertions.is_empty() || raw.applies_when.is_some() || !raw.lets.is_empty() =>
        {
            diags.push(Diagnostic::error("rule-shape", "a manual rule has no expressions: it is satisfied by an attestation in the profile").at(file, span_of(sources, file, &raw.id), "in this rule"));
        }
        _ => {}
    }

    (severity, kind)
}

/// A rule's expressions, compiled and checked, and every profile parameter they read.
struct Compiled {
    resource_types: Vec<String>,
    applies_when: Option<(Expression, References)>,
    lets: Vec<(String, Expression, References)>,
    assertions: Vec<Assertion>,
    params: BTreeSet<String>,
}

/// Compiles `where`, the `let` bindings in order (each sees those before it) and the
/// assertions with their evidence expressions.
fn compile_rule(at: &At, params: &ParamCatalogue, diags: &mut Diagnostics) -> Compiled {
    let (raw, file, sources) = (at.rule, at.file, at.sources);
    let resource_types: Vec<String> = raw.resource_types.iter().map(|s| s.value.clone()).collect();
    let param_names: BTreeSet<String> = params.keys().cloned().collect();
    let mut let_shapes = BTreeMap::new();
    let mut all_params = BTreeSet::new();

    let applies_when = raw.applies_when.as_ref().and_then(|w| {
        let ctx = CheckContext {
            resource_types: &resource_types,
            params: &param_names,
            lets: &let_shapes,
            has_resource: true,
        };
        compile_checked(diags, sources, file, w, "where", &ctx)
    });
    if let Some((_, refs)) = &applies_when {
        all_params.extend(refs.params.iter().cloned());
    }

    let mut lets: Vec<(String, Expression, References)> = Vec::new();
    for (name, value) in &raw.lets {
        if expr::ROOT_VARIABLES.contains(&name.as_str()) {
            diags.push(
                Diagnostic::error(
                    "let-shadows",
                    format!("`let {name}` shadows a built-in variable"),
                )
                .at(file, span_of(sources, file, value), "rename this binding"),
            );
            continue;
        }
        let ctx = CheckContext {
            resource_types: &resource_types,
            params: &param_names,
            lets: &let_shapes,
            has_resource: true,
        };
        match compile_checked(diags, sources, file, value, &format!("let {name}"), &ctx) {
            Some((e, refs)) => {
                let shape = expr::shape_of(&e, &ctx);
                all_params.extend(refs.params.iter().cloned());
                let_shapes.insert(name.clone(), shape);
                lets.push((name.clone(), e, refs));
            }
            None => {
                let_shapes.insert(name.clone(), None);
            }
        }
    }

    let ctx = CheckContext {
        resource_types: &resource_types,
        params: &param_names,
        lets: &let_shapes,
        has_resource: true,
    };
    let assertions = compile_assertions(at, &ctx, &lets, &mut all_params, diags);
    Compiled {
        resource_types,
        applies_when,
        lets,
        assertions,
        params: all_params,
    }
}

/// The assertions (each named once) and their evidence expressions; the profile
/// parameters they read are added to `all_params`.
fn compile_assertions(
    at: &At,
    ctx: &CheckContext,
    lets: &[(String, Expression, References)],
    all_params: &mut BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Vec<Assertion> {
    let (raw, file, sources) = (at.rule, at.file, at.sources);
    let mut assertions = Vec::new();
    let mut names = BTreeSet::new();
    for a in &raw.assertions {
        if !names.insert(a.name.value.clone()) {
            diags.push(
                Diagnostic::error(
                    "duplicate-assertion",
                    format!("assertion `{}` is named twice", a.name.value),
                )
                .at(file, span_of(sources, file, &a.name), "rename one"),
            );
        }
        let Some((e, refs)) = compile_checked(
            diags,
            sources,
            file,
            &a.expr,
            &format!("assert `{}`", a.name.value),
            ctx,
        ) else {
            continue;
        };
        let mut evidence = Vec::new();
        for (label, ev) in &a.evidence {
            if let Some((ee, erefs)) = compile_checked(
                diags,
                sources,
                file,
                ev,
                &format!("evidence `{label}`"),
                ctx,
            ) {
                all_params.extend(erefs.params.iter().cloned());
                evidence.push((label.clone(), ee));
            }
        }
        all_params.extend(refs.params.iter().cloned());
        let refs = with_let_refs(refs, lets);
        assertions.push(Assertion {
            name: a.name.value.clone(),
            expr: e,
            refs,
            evidence,
        });
    }

    assertions
}

/// Every `doc` field a reader needs is filled in.
fn check_doc(at: &At, diags: &mut Diagnostics) {
    let (raw, file, sources) = (at.rule, at.file, at.sources);
    for doc_field in [
        ("what", &raw.doc.what),
        ("why", &raw.doc.why),
        ("evidence", &raw.doc.evidence),
        ("remediation", &raw.doc.remediation),
    ] {
        if doc_field.1.trim().is_empty() {
            diags.push(
                Diagnostic::error("rule-doc", format!("`doc.{}` is empty", doc_field.0)).at(
                    file,
                    span_of(sources, file, &raw.id),
                    "document this rule",
                ),
            );
        }
    }
}

fn with_let_refs(mut refs: References, lets: &[(String, Expression, References)]) -> References {
    let mut pending: Vec<String> = refs.lets.iter().cloned().collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some((_, _, r)) = lets.iter().find(|(n, _, _)| *n == name) {
            refs.resource_groups
                .extend(r.resource_groups.iter().cloned());
            refs.params.extend(r.params.iter().cloned());
            pending.extend(r.lets.iter().cloned());
        }
    }
    refs.lets.extend(seen);
    refs
}

fn load_params(
    root: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
    hashes: &mut Vec<(String, String)>,
) -> ParamCatalogue {
    let path = root.join("params.yaml");
    let Some((file, text)) = read_source(&path, sources, diags) else {
        return ParamCatalogue::new();
    };
    hashes.push(("params.yaml".into(), sha256_hex(text.as_bytes())));
    let raw: IndexMap<String, Spanned<ParamDeclFile>> = match serde_saphyr::from_str(&text) {
        Ok(raw) => raw,
        Err(e) => {
            diags.push(yaml_error(file, sources, &e, "params.yaml"));
            return ParamCatalogue::new();
        }
    };
    let raw_names: std::collections::BTreeSet<String> = raw.keys().cloned().collect();
    let mut catalogue = ParamCatalogue::new();
    for (name, decl) in raw {
        let at = span_start(sources, file, &decl);
        let Some(ty) = ParamType::parse(&decl.value.type_name) else {
            diags.push(
                Diagnostic::error(
                    "param-type",
                    format!(
                        "parameter `{name}` has unknown type `{}`",
                        decl.value.type_name
                    ),
                )
                .at(file, at..at + 1, "unknown type")
                .note("one of: int, string, bool, duration, list<string>, list<int>"),
            );
            continue;
        };
        if let Some(default) = &decl.value.default
            && let Err(e) = ty.check(default)
        {
            diags.push(
                Diagnostic::error("param-default", format!("default of `{name}`: {e}")).at(
                    file,
                    at..at + 1,
                    "bad default",
                ),
            );
        }
        if let Some(selects) = &decl.value.selects {
            for problem in selects_problems(selects, &raw_names) {
                diags.push(
                    Diagnostic::error("param-selects", format!("`selects` of `{name}`: {problem}"))
                        .at(file, at..at + 1, "bad selects"),
                );
            }
        }
        catalogue.insert(
            name.clone(),
            ParamDecl {
                name,
                ty,
                description: decl.value.description,
                default: decl.value.default,
                selects: decl.value.selects,
            },
        );
    }
    catalogue
}

/// What is wrong with a parameter's `selects`: unknown resource types, a `value` that is
/// not a declared parameter or given with a match other than `tag`.
fn selects_problems(
    selects: &crate::rules::params::Selects,
    declared: &std::collections::BTreeSet<String>,
) -> Vec<String> {
    let mut problems: Vec<String> = selects
        .types
        .iter()
        .filter(|t| !crate::snapshot::RESOURCE_TYPES.contains(&t.as_str()))
        .map(|t| format!("unknown resource type `{t}`"))
        .collect();
    if selects.types.is_empty() {
        problems.push("`types` is empty".into());
    }
    match (&selects.value, selects.by) {
        (Some(v), crate::rules::params::SelectBy::Tag) if !declared.contains(v) => problems.push(
            format!("`value` names `{v}`, which is not a declared parameter"),
        ),
        (Some(_), by) if by != crate::rules::params::SelectBy::Tag => {
            problems.push("`value` is only for `by: tag`".into())
        }
        _ => {}
    }
    problems
}

fn load_frameworks(
    root: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
    hashes: &mut Vec<(String, String)>,
) -> Vec<Framework> {
    let dir = root.join("frameworks");
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect(),
        Err(e) => {
            diags.push(Diagnostic::error(
                "io",
                format!("cannot read framework catalogues in {}: {e}", dir.display()),
            ));
            return Vec::new();
        }
    };
    paths.sort();
    let mut frameworks: Vec<Framework> = Vec::new();
    for path in paths {
        let Some((file, text)) = read_source(&path, sources, diags) else {
            continue;
        };
        hashes.push((relative(root, &path), sha256_hex(text.as_bytes())));
        match serde_saphyr::from_str::<Framework>(&text) {
            Ok(framework) => {
                for p in framework.problems() {
                    diags.push(Diagnostic::error(
                        "framework",
                        format!("{}: {p}", path.display()),
                    ));
                }
                if frameworks.iter().any(|f| f.id == framework.id) {
                    diags.push(Diagnostic::error(
                        "framework",
                        format!("framework id `{}` is defined twice", framework.id),
                    ));
                }
                frameworks.push(framework);
            }
            Err(e) => diags.push(yaml_error(file, sources, &e, "framework catalogue")),
        }
    }
    frameworks
}
