//! The compile-time half of the evaluation budget: every rule expression is *instrumented*
//! once, when it is compiled ([`instrument`]), so that each place where work or memory can
//! grow without bound passes through a counting function of assay's, before the work is done
//! where possible:
//!
//! - every comprehension (`all`, `exists`, `exists_one`, `map`, `filter`) charges the size
//!   of the list or map it iterates, each time it starts; a nested comprehension charges
//!   its inner list once per outer element, so the charge is the number of iterations;
//! - `lists.range(n)` is checked and charged before the list is made;
//! - `replace` is assay's own, with the size of the result computed before it is built
//!   (a chain of `replace` grows a string geometrically);
//! - `join` and `format` are checked on the size of what they would write, before;
//! - `distinct` charges the square of its list's length (it compares every pair);
//! - `+` of strings or lists, `split` and `format` results are checked after: one step
//!   at most doubles a value already under the cap.
//!
//! This module holds the rewrite, the names of the counting functions it calls and the
//! caps; the counting functions themselves, and the counters they charge at run time, are
//! the evaluator's (`evaluate::budget`). The rewrite lives with the rules so that compiling a
//! rule needs nothing from the evaluator.
//!
//! One evaluation of one expression (a rule's `where`, a `let`, an assertion or an
//! evidence value, for one resource) may take [`MAX_STEPS`] steps, build strings up to
//! [`MAX_STRING_BYTES`] and lists up to [`MAX_LIST_ITEMS`], and run for [`MAX_TIME`]
//! (checked at every counting point). Going over is an error of that expression: the
//! finding is ERROR, naming the rule and the resource, and the run goes on.

use std::time::Duration;

use cel::common::ast::{
    CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedEntryExpr, IdedExpr, ListExpr, MapEntryExpr,
    MapExpr, SelectExpr, StructExpr, StructFieldExpr,
};

/// Steps (comprehension iterations, list elements made) one expression evaluation may take.
pub const MAX_STEPS: u64 = 1_000_000;
/// The longest string an expression may build, in bytes.
pub const MAX_STRING_BYTES: usize = 4 << 20;
/// The longest list an expression may build.
pub const MAX_LIST_ITEMS: usize = 1_000_000;
/// How long one expression evaluation may run.
pub const MAX_TIME: Duration = Duration::from_secs(5);

/// The counting functions the rewrite calls; the evaluator registers them under these
/// names (`evaluate::budget::register`).
pub const STEPS: &str = "__assay_steps";
pub const STEPS_SQUARED: &str = "__assay_steps_squared";
pub const COUNT: &str = "__assay_count";
pub const SIZED: &str = "__assay_sized";
pub const REPLACE: &str = "__assay_replace";
pub const REPLACE_N: &str = "__assay_replace_n";
pub const JOIN_GUARD: &str = "__assay_join_guard";
pub const FORMAT_GUARD: &str = "__assay_format_guard";

fn call(id: u64, name: &str, target: Option<IdedExpr>, args: Vec<IdedExpr>) -> IdedExpr {
    IdedExpr {
        id,
        expr: Expr::Call(CallExpr {
            func_name: name.to_string(),
            target: target.map(Box::new),
            args,
        }),
    }
}

/// `node` with every unbounded operation routed through the budget (see the module
/// documentation). The result computes the same values as `node` within the budget.
pub fn instrument(node: &IdedExpr) -> IdedExpr {
    instrument_in(node, None)
}

/// `accu`: the accumulator of the comprehension whose loop step this is, if any; its
/// `@result + [x]` steps are left as they are (they are bounded by the iterations
/// charged, and `cel` recognises that shape to append in place).
fn instrument_in(node: &IdedExpr, accu: Option<&str>) -> IdedExpr {
    let id = node.id;
    let expr = match &node.expr {
        Expr::Call(c) => return instrument_call(id, c, accu),
        Expr::Comprehension(c) => Expr::Comprehension(Box::new(ComprehensionExpr {
            iter_range: call(id, STEPS, None, vec![instrument(&c.iter_range)]),
            iter_var: c.iter_var.clone(),
            iter_var2: c.iter_var2.clone(),
            accu_var: c.accu_var.clone(),
            accu_init: instrument(&c.accu_init),
            loop_cond: instrument(&c.loop_cond),
            loop_step: instrument_in(&c.loop_step, Some(&c.accu_var)),
            result: instrument(&c.result),
        })),
        Expr::List(l) => Expr::List(ListExpr {
            elements: l.elements.iter().map(instrument).collect(),
            optional_indices: l.optional_indices.clone(),
        }),
        Expr::Map(m) => Expr::Map(MapExpr {
            entries: m.entries.iter().map(instrument_entry).collect(),
        }),
        Expr::Struct(s) => Expr::Struct(StructExpr {
            type_name: s.type_name.clone(),
            entries: s.entries.iter().map(instrument_entry).collect(),
        }),
        Expr::Select(s) => Expr::Select(SelectExpr {
            operand: Box::new(instrument(&s.operand)),
            field: s.field.clone(),
            test: s.test,
        }),
        other => other.clone(),
    };
    IdedExpr { id, expr }
}

fn instrument_entry(entry: &IdedEntryExpr) -> IdedEntryExpr {
    IdedEntryExpr {
        id: entry.id,
        expr: match &entry.expr {
            EntryExpr::MapEntry(e) => EntryExpr::MapEntry(MapEntryExpr {
                key: instrument(&e.key),
                value: instrument(&e.value),
                optional: e.optional,
            }),
            EntryExpr::StructField(f) => EntryExpr::StructField(StructFieldExpr {
                field: f.field.clone(),
                value: instrument(&f.value),
                optional: f.optional,
            }),
        },
    }
}

fn is_ident(node: &IdedExpr, name: &str) -> bool {
    matches!(&node.expr, Expr::Ident(n) if n == name)
}

fn instrument_call(id: u64, c: &CallExpr, accu: Option<&str>) -> IdedExpr {
    // The conditional of a guarded `filter` step keeps its shape too.
    let args_accu = if c.func_name == "_?_:_" { accu } else { None };
    let target = c.target.as_ref().map(|t| instrument(t));
    let args: Vec<IdedExpr> = c.args.iter().map(|a| instrument_in(a, args_accu)).collect();
    let same = |target: Option<IdedExpr>, args: Vec<IdedExpr>| call(id, &c.func_name, target, args);
    match (c.func_name.as_str(), target, args.len()) {
        ("replace", Some(this), 2) => call(id, REPLACE, None, [vec![this], args].concat()),
        ("replace", Some(this), 3) => call(id, REPLACE_N, None, [vec![this], args].concat()),
        ("join", Some(list), n) if n <= 1 => {
            let sep = args.first().cloned().unwrap_or_else(|| IdedExpr {
                id,
                expr: Expr::Literal(cel::common::ast::LiteralValue::String("".into())),
            });
            same(Some(call(id, JOIN_GUARD, None, vec![list, sep])), args)
        }
        ("format", Some(template), 1) => {
            let guarded = call(id, FORMAT_GUARD, None, args);
            call(id, SIZED, None, vec![same(Some(template), vec![guarded])])
        }
        ("distinct", Some(list), 0) => same(Some(call(id, STEPS_SQUARED, None, vec![list])), args),
        ("range", Some(lists), 1) if is_ident(&lists, "lists") => {
            same(Some(lists), vec![call(id, COUNT, None, args)])
        }
        ("lists.range", None, 1) => same(None, vec![call(id, COUNT, None, args)]),
        ("_+_", None, 2) if accu.is_some_and(|a| is_ident(&args[0], a)) => same(None, args),
        ("_+_", None, 2) => call(id, SIZED, None, vec![same(None, args)]),
        ("split", Some(this), _) => call(id, SIZED, None, vec![same(Some(this), args)]),
        (_, target, _) => same(target, args),
    }
}
