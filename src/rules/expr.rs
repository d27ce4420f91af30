//! CEL expressions in rule files: compiling them and checking them before any evaluation.
//!
//! cel-rust has no type checker, so this module walks the AST itself: every identifier
//! must be bound (`resource`, `params`, `snapshot`, a `let` name or a comprehension
//! variable), every `params.x` must be declared, and every field path below `resource`
//! (or below a variable iterating over one of its lists) must exist in the resource model.
//! Problems come back with the byte range of the offending node inside the expression, so
//! the loader can point at the exact characters in the YAML file.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use cel::common::ast::{Expr, IdedExpr};
use cel::{Env, Program};

use crate::snapshot::RESOURCE_TYPES;
use crate::snapshot::schema::{Field, resource_shape};

/// The CEL environment every rule expression is compiled and run with: the standard
/// library plus the `lists` and `strings` extensions.
pub static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| {
    let mut env = Env::stdlib();
    // The extensions are built into cel; registering them twice is impossible here.
    env.add_extension(cel::extensions::lists)
        .expect("lists extension registers once");
    env.add_extension(cel::extensions::strings)
        .expect("strings extension registers once");
    Arc::new(env)
});

/// The joins: assay's functions whose first argument is a resource type (a string literal
/// naming a known type, checked at load), and which return resources of that type.
pub const JOINS: &[&str] = &[
    "of_type",
    "all_of_type",
    "all_of_type_in",
    "of_type_where",
    "of_type_covering",
    "of_type_in_accounts",
    "of_type_in_accounts_in",
];

/// Functions assay adds to CEL (see `evaluate::functions`), with their arity.
pub const FUNCTIONS: &[(&str, usize)] = &[
    ("related", 1),
    ("of_type", 1),
    ("all_of_type", 1),
    ("all_of_type_in", 2),
    ("of_type_where", 3),
    ("of_type_covering", 2),
    ("of_type_in_accounts", 2),
    ("of_type_in_accounts_in", 3),
    ("age_days", 1),
    ("age_hours", 1),
    ("age_minutes", 1),
    ("is_public_cidr", 1),
    ("port_in_range", 2),
    ("requires_mfa", 1),
    ("allow_statements", 1),
    ("account_of", 1),
    ("region_of", 1),
    ("ids_in", 2),
    ("backup_classes", 2),
];

/// The variables every expression may use.
pub const ROOT_VARIABLES: &[&str] = &["resource", "params", "snapshot"];

/// Fields of the `snapshot` variable.
pub const SNAPSHOT_FIELDS: &[&str] = &["collected_at", "accounts", "regions_read"];

/// A compiled expression and its source text.
#[derive(Debug, Clone)]
pub struct Expression {
    pub source: String,
    pub program: Arc<Program>,
    /// The expression as it is evaluated: every unbounded operation counted against the
    /// evaluation budget (`evaluate::budget`).
    pub budgeted: Arc<cel::common::ast::IdedExpr>,
}

/// A problem found in an expression, at a byte range of the expression's source.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprProblem {
    pub code: &'static str,
    pub message: String,
    pub range: Range<usize>,
    pub notes: Vec<String>,
}

/// Compiles `source`. Syntax errors come back as problems with their position.
pub fn compile(source: &str) -> Result<Expression, Vec<ExprProblem>> {
    match ENV.compile(source) {
        Ok(program) => Ok(Expression {
            source: source.to_string(),
            budgeted: Arc::new(super::instrument::instrument(program.expression())),
            program: Arc::new(program),
        }),
        Err(errors) => Err(errors
            .errors
            .iter()
            .map(|e| {
                let start = line_col_to_offset(source, e.pos.0, e.pos.1);
                ExprProblem {
                    code: "cel-syntax",
                    message: format!("CEL syntax error: {}", e.msg),
                    range: start..(start + 1).min(source.len().max(start)),
                    notes: Vec::new(),
                }
            })
            .collect()),
    }
}

/// Byte offset of a 1-based line and 0-based column, clamped.
fn line_col_to_offset(source: &str, line: isize, col: isize) -> usize {
    let mut offset = 0;
    for (i, l) in source.split_inclusive('\n').enumerate() {
        if i as isize + 1 == line.max(1) {
            return offset + (col.max(0) as usize).min(l.trim_end_matches('\n').len());
        }
        offset += l.len();
    }
    source.len()
}

/// What the static checks need to know about the surrounding rule.
pub struct CheckContext<'a> {
    /// The rule's resource types.
    pub resource_types: &'a [String],
    /// Declared parameter names.
    pub params: &'a BTreeSet<String>,
    /// `let` names bound so far, with the shape of their value when known.
    pub lets: &'a BTreeMap<String, Option<Field>>,
    /// Whether `resource` is bound (false only for rule-level expressions).
    pub has_resource: bool,
}

/// What an expression refers to, found by the check.
#[derive(Debug, Default, Clone)]
pub struct References {
    pub params: BTreeSet<String>,
    /// Top-level attribute groups of `resource` the expression reads (`encryption`, …).
    pub resource_groups: BTreeSet<String>,
    pub lets: BTreeSet<String>,
}

/// Checks an expression and returns what it refers to, or every problem found.
pub fn check(expr: &Expression, ctx: &CheckContext) -> (References, Vec<ExprProblem>) {
    let mut walker = Walker {
        expr,
        ctx,
        scope: Vec::new(),
        refs: References::default(),
        problems: Vec::new(),
        chain_range: None,
    };
    walker.walk(expr.program.expression());
    (walker.refs, walker.problems)
}

/// Comprehensions nested so that their cost multiplies (for `rules lint`): one inside
/// another that iterates a list taken neither from the outer element nor from the profile
/// (a cross product, e.g. `of_type(a).exists(x, of_type(b).exists(y, …))`); each such
/// level multiplies the cost again. Walking a resource's own nested lists
/// (`resource.rules.exists(r, r.ranges.exists(…))`), however deep, or a profile list
/// inside a loop is not flagged: its cost grows with the data, not as a product. The
/// evaluation budget stops any of them at run time.
pub fn nesting_warnings(expr: &Expression) -> Vec<ExprProblem> {
    let mut found = Vec::new();
    let mut scope: Vec<Vec<String>> = Vec::new();
    nesting(expr.program.expression(), &mut scope, &mut found);
    found
        .into_iter()
        .map(|(id, depth)| ExprProblem {
            code: "nested-comprehension",
            message: format!(
                "a comprehension inside another (nested {depth} deep) iterates a list that comes neither from the outer element nor from the profile: its cost is the product of the lists' sizes"
            ),
            range: source_range(expr, id),
            notes: vec![format!(
                "one evaluation stops with an ERROR finding after {} steps (see \"Evaluation budget\" in rules/README.md)",
                super::instrument::MAX_STEPS
            )],
        })
        .collect()
}

/// Collects (id, depth) for every comprehension that makes a cross product.
fn nesting(node: &IdedExpr, scope: &mut Vec<Vec<String>>, found: &mut Vec<(u64, usize)>) {
    let mut children: Vec<&IdedExpr> = Vec::new();
    match &node.expr {
        Expr::Comprehension(c) => {
            nesting(&c.iter_range, scope, found);
            nesting(&c.accu_init, scope, found);
            let depth = scope.len() + 1;
            let outer: Vec<&String> = scope.iter().flatten().collect();
            let cross = !outer.is_empty()
                && !outer.iter().any(|v| mentions(&c.iter_range, v))
                && !config_sized(&c.iter_range);
            if cross {
                found.push((c.iter_range.id, depth));
            }
            let mut vars = vec![c.iter_var.clone()];
            vars.extend(c.iter_var2.clone());
            scope.push(vars);
            for part in [&c.loop_cond, &c.loop_step, &c.result] {
                nesting(part, scope, found);
            }
            scope.pop();
            return;
        }
        Expr::Call(call) => {
            children.extend(call.target.as_deref());
            children.extend(call.args.iter());
        }
        Expr::List(l) => children.extend(l.elements.iter()),
        Expr::Select(sel) => children.push(&sel.operand),
        Expr::Map(m) => {
            for e in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(e) = &e.expr {
                    children.push(&e.key);
                    children.push(&e.value);
                }
            }
        }
        Expr::Struct(st) => {
            for e in &st.entries {
                if let cel::common::ast::EntryExpr::StructField(f) = &e.expr {
                    children.push(&f.value);
                }
            }
        }
        _ => {}
    }
    for child in children {
        nesting(child, scope, found);
    }
}

/// Whether the list `node` yields is sized by the profile, not by the evidence: it reads
/// nothing but `params` and literals (`params.admin_ports`, `["tcp", "all"]`).
fn config_sized(node: &IdedExpr) -> bool {
    match &node.expr {
        Expr::Ident(n) => n == "params",
        Expr::Literal(_) => true,
        Expr::Select(sel) => config_sized(&sel.operand),
        Expr::List(l) => l.elements.iter().all(config_sized),
        _ => false,
    }
}

/// Whether `node` reads the variable `name` anywhere.
fn mentions(node: &IdedExpr, name: &str) -> bool {
    match &node.expr {
        Expr::Ident(n) => n == name,
        Expr::Select(sel) => mentions(&sel.operand, name),
        Expr::Call(call) => {
            call.target.as_deref().is_some_and(|t| mentions(t, name))
                || call.args.iter().any(|a| mentions(a, name))
        }
        Expr::List(l) => l.elements.iter().any(|e| mentions(e, name)),
        Expr::Comprehension(c) => [
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]
        .iter()
        .any(|e| mentions(e, name)),
        Expr::Map(m) => m.entries.iter().any(|e| match &e.expr {
            cel::common::ast::EntryExpr::MapEntry(e) => {
                mentions(&e.key, name) || mentions(&e.value, name)
            }
            cel::common::ast::EntryExpr::StructField(f) => mentions(&f.value, name),
        }),
        Expr::Struct(st) => st.entries.iter().any(|e| match &e.expr {
            cel::common::ast::EntryExpr::MapEntry(e) => {
                mentions(&e.key, name) || mentions(&e.value, name)
            }
            cel::common::ast::EntryExpr::StructField(f) => mentions(&f.value, name),
        }),
        _ => false,
    }
}

/// The shape of the value an expression yields, when it can be told statically.
pub fn shape_of(expr: &Expression, ctx: &CheckContext) -> Option<Field> {
    let walker = Walker {
        expr,
        ctx,
        scope: Vec::new(),
        refs: References::default(),
        problems: Vec::new(),
        chain_range: None,
    };
    walker.shape(expr.program.expression())
}

/// The byte range of node `id` in the expression's source (all of it when unknown).
fn source_range(expr: &Expression, id: u64) -> Range<usize> {
    match expr.program.source_info().offset_for(id) {
        Some((start, stop)) => {
            let (start, stop) = (start as usize, (stop as usize).max(start as usize + 1));
            start.min(expr.source.len())..stop.min(expr.source.len())
        }
        None => 0..expr.source.len(),
    }
}

struct Walker<'a> {
    expr: &'a Expression,
    ctx: &'a CheckContext<'a>,
    /// Comprehension variables in scope, innermost last.
    scope: Vec<(String, Option<Field>)>,
    refs: References,
    problems: Vec<ExprProblem>,
    /// The range of the select chain being checked, for path problems.
    chain_range: Option<Range<usize>>,
}

impl Walker<'_> {
    fn range(&self, id: u64) -> Range<usize> {
        source_range(self.expr, id)
    }

    fn problem(&mut self, id: u64, code: &'static str, message: String, notes: Vec<String>) {
        let range = self.chain_range.clone().unwrap_or_else(|| self.range(id));
        self.problems.push(ExprProblem {
            code,
            message,
            range,
            notes,
        });
    }

    fn scoped(&self, name: &str) -> Option<&Option<Field>> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f)
    }

    fn walk(&mut self, node: &IdedExpr) {
        match &node.expr {
            Expr::Ident(name) => self.ident(node.id, name),
            Expr::Select(select) => {
                if let Some((root_id, root, path)) = select_chain(node) {
                    self.ident(root_id, root);
                    // Point at the whole chain: from the root to the end of the last field
                    // (cel records a select's position at its dot).
                    let start = self.range(root_id).start;
                    let end = (self.range(node.id).start + 1 + select.field.len())
                        .min(self.expr.source.len());
                    self.chain_range = Some(start..end.max(start + 1));
                    self.path(node.id, root, &path, select.test);
                    self.chain_range = None;
                } else {
                    self.walk(&select.operand);
                }
            }
            Expr::Call(call) => {
                if let Some(target) = &call.target {
                    self.walk(target);
                }
                for arg in &call.args {
                    self.walk(arg);
                }
                if call.target.is_none()
                    && let Some((_, arity)) = FUNCTIONS.iter().find(|(f, _)| *f == call.func_name)
                    && *arity != call.args.len()
                {
                    self.problem(
                        node.id,
                        "cel-arity",
                        format!(
                            "`{}` takes {arity} argument(s), got {}",
                            call.func_name,
                            call.args.len()
                        ),
                        vec![],
                    );
                }
                // `of_type_covering` keeps the resources whose account is the evaluated
                // resource's (the `x.account == resource.account` it replaces): it reads
                // `resource.account`, so an unread or unknown account (or, in a plan, an
                // account's settings a plan cannot show) is said, as the filter said it.
                if call.func_name == "of_type_covering" && self.ctx.has_resource {
                    self.refs.resource_groups.insert("account".to_string());
                }
                if JOINS.contains(&call.func_name.as_str())
                    && let Some(Expr::Literal(cel::common::ast::LiteralValue::String(t))) =
                        call.args.first().map(|a| &a.expr)
                {
                    let t: &str = t.as_ref();
                    if !RESOURCE_TYPES.contains(&t) {
                        let suggestions =
                            crate::diag::did_you_mean(t, RESOURCE_TYPES.iter().copied());
                        self.problem(
                            node.id,
                            "unknown-resource-type",
                            format!("`{t}` is not a resource type"),
                            suggestion_notes(&suggestions),
                        );
                    } else if matches!(
                        call.func_name.as_str(),
                        "of_type_where" | "of_type_covering"
                    ) {
                        // The field is looked up in an index: it must be a literal naming
                        // a top-level field of the type.
                        match call.args.get(1).map(|a| &a.expr) {
                            Some(Expr::Literal(cel::common::ast::LiteralValue::String(f))) => {
                                if let Some(shape) = resource_shape(t) {
                                    let f: &str = f.as_ref();
                                    self.check_path(node.id, &shape, t, &[f]);
                                }
                            }
                            _ => self.problem(
                                node.id,
                                "cel-arity",
                                format!(
                                    "`{}` takes the field name as a string literal",
                                    call.func_name
                                ),
                                vec![],
                            ),
                        }
                    }
                }
            }
            Expr::Comprehension(c) => {
                self.walk(&c.iter_range);
                let item = match self.shape(&c.iter_range) {
                    Some(Field::List { item, .. }) => Some(*item),
                    _ => None,
                };
                self.walk(&c.accu_init);
                self.scope.push((c.accu_var.clone(), None));
                self.scope.push((c.iter_var.clone(), item));
                if let Some(v2) = &c.iter_var2 {
                    self.scope.push((v2.clone(), None));
                }
                self.walk(&c.loop_cond);
                self.walk(&c.loop_step);
                self.walk(&c.result);
                self.scope
                    .truncate(self.scope.len() - 2 - usize::from(c.iter_var2.is_some()));
            }
            Expr::List(list) => list.elements.iter().for_each(|e| self.walk(e)),
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(e) = &entry.expr {
                        self.walk(&e.key);
                        self.walk(&e.value);
                    }
                }
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let cel::common::ast::EntryExpr::StructField(f) = &entry.expr {
                        self.walk(&f.value);
                    }
                }
            }
            Expr::Literal(_) | Expr::Unspecified => {}
        }
    }

    fn ident(&mut self, id: u64, name: &str) {
        if self.scoped(name).is_some() {
            return;
        }
        if self.ctx.lets.contains_key(name) {
            self.refs.lets.insert(name.to_string());
            return;
        }
        if name == "resource" && !self.ctx.has_resource {
            self.problem(
                id,
                "unknown-variable",
                "`resource` is not bound here".into(),
                vec![],
            );
            return;
        }
        if ROOT_VARIABLES.contains(&name) {
            return;
        }
        let mut known: Vec<&str> = ROOT_VARIABLES.to_vec();
        known.extend(self.ctx.lets.keys().map(String::as_str));
        known.extend(self.scope.iter().map(|(n, _)| n.as_str()));
        let suggestions = crate::diag::did_you_mean(name, known.iter().copied());
        let mut notes = suggestion_notes(&suggestions);
        notes.push(format!("known variables here: {}", known.join(", ")));
        self.problem(
            id,
            "unknown-variable",
            format!("unknown variable `{name}`"),
            notes,
        );
    }

    fn path(&mut self, id: u64, root: &str, path: &[&str], is_has_test: bool) {
        let _ = is_has_test;
        if self.scoped(root).is_some() {
            if let Some(Some(shape)) = self.scoped(root).cloned() {
                self.check_path(id, &shape, root, path);
            }
            return;
        }
        if let Some(shape) = self.ctx.lets.get(root) {
            if let Some(shape) = shape.clone() {
                self.check_path(id, &shape, root, path);
            }
            return;
        }
        match root {
            "params" => {
                let name = path[0];
                self.refs.params.insert(name.to_string());
                if !self.ctx.params.contains(name) {
                    let suggestions =
                        crate::diag::did_you_mean(name, self.ctx.params.iter().map(String::as_str));
                    self.problem(
                        id,
                        "unknown-param",
                        format!("`params.{name}` is not declared in rules/params.yaml"),
                        suggestion_notes(&suggestions),
                    );
                }
            }
            "snapshot" if !SNAPSHOT_FIELDS.contains(&path[0]) => {
                let suggestions =
                    crate::diag::did_you_mean(path[0], SNAPSHOT_FIELDS.iter().copied());
                self.problem(
                    id,
                    "unknown-field",
                    format!("`snapshot.{}` does not exist", path[0]),
                    suggestion_notes(&suggestions),
                );
            }
            "resource" if self.ctx.has_resource => {
                self.refs.resource_groups.insert(path[0].to_string());
                // A path must exist in at least one of the rule's resource types; report
                // against the first type when it exists in none.
                let mut first_error = None;
                for t in self.ctx.resource_types {
                    let Some(shape) = resource_shape(t) else {
                        continue;
                    };
                    match lookup(&shape, path) {
                        Ok(_) => return,
                        Err(e) => {
                            first_error.get_or_insert((t.clone(), e));
                        }
                    }
                }
                if let Some((t, (depth, suggestions))) = first_error {
                    let shown = path[..=depth].join(".");
                    let mut notes = suggestion_notes(&suggestions);
                    notes.push(format!(
                        "checked against the resource model of {}",
                        self.ctx.resource_types.join(", ")
                    ));
                    let _ = t;
                    self.problem(
                        id,
                        "unknown-field",
                        format!(
                            "`resource.{shown}` is not a field of {}",
                            self.ctx.resource_types.join(" or ")
                        ),
                        notes,
                    );
                }
            }
            _ => {}
        }
    }

    fn check_path(&mut self, id: u64, shape: &Field, root: &str, path: &[&str]) {
        if let Err((depth, suggestions)) = lookup(shape, path) {
            let shown = path[..=depth].join(".");
            self.problem(
                id,
                "unknown-field",
                format!("`{root}.{shown}` does not exist"),
                suggestion_notes(&suggestions),
            );
        }
    }

    /// The shape of an expression's value, when it is a path, `of_type("t")`, or a
    /// `filter` over either.
    fn shape(&self, node: &IdedExpr) -> Option<Field> {
        match &node.expr {
            Expr::Select(_) => {
                let (_, root, path) = select_chain(node)?;
                let base = if let Some(s) = self.scoped(root) {
                    s.clone()?
                } else if let Some(s) = self.ctx.lets.get(root) {
                    s.clone()?
                } else if root == "resource" {
                    let t = self.ctx.resource_types.first()?;
                    resource_shape(t)?
                } else {
                    return None;
                };
                lookup(&base, &path).ok().cloned()
            }
            Expr::Ident(name) => self
                .scoped(name)
                .cloned()
                .flatten()
                .or_else(|| self.ctx.lets.get(name).cloned().flatten())
                .or_else(|| {
                    (name == "resource")
                        .then(|| {
                            self.ctx
                                .resource_types
                                .first()
                                .and_then(|t| resource_shape(t))
                        })
                        .flatten()
                }),
            Expr::Call(call)
                if call.target.is_none() && JOINS.contains(&call.func_name.as_str()) =>
            {
                match call.args.first().map(|a| &a.expr) {
                    Some(Expr::Literal(cel::common::ast::LiteralValue::String(t))) => {
                        let t: &str = t.as_ref();
                        Some(Field::List {
                            item: Box::new(resource_shape(t)?),
                            nullable: false,
                        })
                    }
                    _ => None,
                }
            }
            Expr::Call(call) if call.target.is_none() && call.func_name == "related" => None,
            Expr::Comprehension(c) if is_filter(c) => self.shape(&c.iter_range),
            _ => None,
        }
    }
}

/// Whether a comprehension is the expansion of `list.filter(x, cond)`: it accumulates
/// `[x]` into an initially empty list, so its result has the range's element shape.
fn is_filter(c: &cel::common::ast::ComprehensionExpr) -> bool {
    let empty_init = matches!(&c.accu_init.expr, Expr::List(l) if l.elements.is_empty());
    let result_is_accu = matches!(&c.result.expr, Expr::Ident(n) if *n == c.accu_var);
    empty_init && result_is_accu && contains_singleton_of(&c.loop_step, &c.iter_var)
}

fn contains_singleton_of(node: &IdedExpr, var: &str) -> bool {
    match &node.expr {
        Expr::List(l) => {
            l.elements.len() == 1 && matches!(&l.elements[0].expr, Expr::Ident(n) if n == var)
        }
        Expr::Call(call) => call.args.iter().any(|a| contains_singleton_of(a, var)),
        _ => false,
    }
}

/// `a.b.c` → (id of `a`, "a", ["b", "c"]). `None` when the chain does not start at an
/// identifier (e.g. `related(x).key_manager`).
fn select_chain(node: &IdedExpr) -> Option<(u64, &str, Vec<&str>)> {
    let mut path = Vec::new();
    let mut current = node;
    loop {
        match &current.expr {
            Expr::Select(s) => {
                path.push(s.field.as_str());
                current = &s.operand;
            }
            Expr::Ident(name) => {
                path.reverse();
                return Some((current.id, name.as_str(), path));
            }
            _ => return None,
        }
    }
}

/// Follows `path` through `shape`. On a miss, returns the depth of the first unknown
/// segment and did-you-mean suggestions.
pub fn lookup<'f>(shape: &'f Field, path: &[&str]) -> Result<&'f Field, (usize, Vec<String>)> {
    let mut current = shape;
    for (depth, segment) in path.iter().enumerate() {
        current = match current {
            Field::Object { fields, .. } => match fields.get(*segment) {
                Some(f) => f,
                None => {
                    let suggestions =
                        crate::diag::did_you_mean(segment, fields.keys().map(String::as_str));
                    let suggestions = if suggestions.is_empty() {
                        vec![format!(
                            "fields: {}",
                            fields.keys().cloned().collect::<Vec<_>>().join(", ")
                        )]
                    } else {
                        suggestions
                            .iter()
                            .map(|s| format!("did you mean `{s}`?"))
                            .collect()
                    };
                    return Err((depth, suggestions));
                }
            },
            Field::Map { value } => value,
            Field::Any => return Ok(current),
            Field::List { .. } | Field::Scalar { .. } => {
                return Err((
                    depth,
                    vec![format!(
                        "`{}` is a {}, which has no fields",
                        path[..depth].join("."),
                        current.describe()
                    )],
                ));
            }
        };
    }
    Ok(current)
}

fn suggestion_notes<S: AsRef<str>>(suggestions: &[S]) -> Vec<String> {
    suggestions
        .iter()
        .map(|s| {
            let s = s.as_ref();
            if s.starts_with("did you mean") || s.contains(' ') {
                s.to_string()
            } else {
                format!("did you mean `{s}`?")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_src(
        src: &str,
        types: &[&str],
        lets: &[(&str, Option<Field>)],
    ) -> (References, Vec<ExprProblem>) {
        let expr = compile(src).unwrap_or_else(|p| panic!("{p:?}"));
        let types: Vec<String> = types.iter().map(|s| s.to_string()).collect();
        let params: BTreeSet<String> = ["allowed_regions".to_string()].into();
        let lets: BTreeMap<String, Option<Field>> = lets
            .iter()
            .map(|(n, f)| (n.to_string(), f.clone()))
            .collect();
        check(
            &expr,
            &CheckContext {
                resource_types: &types,
                params: &params,
                lets: &lets,
                has_resource: true,
            },
        )
    }

    #[test]
    fn a_misspelt_field_is_found_with_a_suggestion() {
        let (_, problems) = check_src(
            "resource.encryption.enabeld == true",
            &["aws_s3_bucket"],
            &[],
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, "unknown-field");
        assert!(
            problems[0].message.contains("resource.encryption.enabeld"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[0].notes[0].contains("`enabled`"),
            "{:?}",
            problems[0].notes
        );
        assert_eq!(
            &"resource.encryption.enabeld == true"[problems[0].range.clone()],
            "resource.encryption.enabeld"
        );
    }

    #[test]
    fn comprehension_variables_are_checked_against_the_list_items() {
        let (_, problems) = check_src(
            "resource.ingress.all(r, r.from_prt > 0)",
            &["aws_security_group"],
            &[],
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("r.from_prt"));
        let (_, ok) = check_src(
            "resource.ingress.filter(r, r.protocol == 'tcp').all(r, r.from_port > 0)",
            &["aws_security_group"],
            &[],
        );
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn unknown_params_variables_and_types_are_reported() {
        let (refs, problems) = check_src(
            "resource.region in params.allowed_region && resourc.id != '' && of_type('aws_kms_kye') == []",
            &["aws_s3_bucket"],
            &[],
        );
        let codes: Vec<&str> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            vec!["unknown-param", "unknown-variable", "unknown-resource-type"]
        );
        assert!(refs.params.contains("allowed_region"));
        assert!(refs.resource_groups.contains("region"));
    }

    #[test]
    fn of_type_where_names_a_field_of_the_type() {
        let (_, problems) = check_src(
            "of_type_where('aws_backup_recovery_point', 'source_arn', resource.arn).exists(rp, rp.status == 'COMPLETED')",
            &["aws_ebs_volume"],
            &[],
        );
        let codes: Vec<&str> = problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, vec!["unknown-field"], "{problems:?}");
        let (_, ok) = check_src(
            "of_type_where('aws_backup_recovery_point', 'source_resource_arn', resource.arn).exists(rp, rp.status == 'COMPLETED')",
            &["aws_ebs_volume"],
            &[],
        );
        assert!(ok.is_empty(), "{ok:?}");
        let (_, typo) = check_src(
            "of_type_where('aws_backup_recovery_point', 'source_resource_arn', resource.arn).exists(rp, rp.stauts == 'COMPLETED')",
            &["aws_ebs_volume"],
            &[],
        );
        assert_eq!(typo.len(), 1, "the result has the type's shape: {typo:?}");
    }

    #[test]
    fn of_type_covering_names_a_field_of_the_type() {
        let (_, problems) = check_src(
            "of_type_covering('aws_cloudtrail_trail', 'is_org_trail').exists(t, t.is_logging == true)",
            &["aws_account"],
            &[],
        );
        let codes: Vec<&str> = problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, vec!["unknown-field"], "{problems:?}");
        let (_, ok) = check_src(
            "of_type_covering('aws_cloudtrail_trail', 'is_organization_trail').exists(t, t.is_logging == true)",
            &["aws_account"],
            &[],
        );
        assert!(ok.is_empty(), "{ok:?}");
        let (refs, _) = check_src(
            "of_type_covering('aws_cloudtrail_trail', 'is_organization_trail').size() > 0",
            &["aws_account"],
            &[],
        );
        assert!(
            refs.resource_groups.contains("account"),
            "it reads the resource's account: {refs:?}"
        );
        let (_, typo) = check_src(
            "of_type_covering('aws_cloudtrail_trail', 'is_organization_trail').exists(t, t.is_loging == true)",
            &["aws_account"],
            &[],
        );
        assert_eq!(typo.len(), 1, "the result has the type's shape: {typo:?}");
    }

    #[test]
    fn lets_and_of_type_have_shapes() {
        let trails =
            compile("of_type('aws_cloudtrail_trail').filter(t, t.account == resource.account)")
                .unwrap();
        let types = vec!["aws_account".to_string()];
        let params = BTreeSet::new();
        let lets = BTreeMap::new();
        let ctx = CheckContext {
            resource_types: &types,
            params: &params,
            lets: &lets,
            has_resource: true,
        };
        let shape = shape_of(&trails, &ctx);
        assert!(matches!(shape, Some(Field::List { .. })));
        let (_, problems) = check_src(
            "trails.exists(t, t.is_multiregion)",
            &["aws_account"],
            &[("trails", shape)],
        );
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].notes[0].contains("is_multi_region"),
            "{:?}",
            problems[0].notes
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let problems = compile("resource.region ==\n  == 'x'").unwrap_err();
        assert_eq!(problems[0].code, "cel-syntax");
        assert!(
            problems[0].range.start >= "resource.region ==\n".len(),
            "{problems:?}"
        );
    }
}
