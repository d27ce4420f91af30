//! The evaluation budget: a rule expression cannot hang assay or exhaust its memory.
//!
//! The `cel` interpreter has no step limit, so assay bounds the work itself. Every
//! expression is *instrumented* once, when it is compiled ([`instrument`]): the
//! checked expression tree is rewritten so that each place where work or memory can grow
//! without bound passes through a function of assay's that counts and checks, before the
//! work is done where possible:
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
//! One evaluation of one expression (a rule's `where`, a `let`, an assertion or an
//! evidence value, for one resource) may take [`MAX_STEPS`] steps, build strings up to
//! [`MAX_STRING_BYTES`] and lists up to [`MAX_LIST_ITEMS`], and run for [`MAX_TIME`]
//! (checked at every counting point). Going over is an error of that expression: the
//! finding is ERROR, naming the rule and the resource, and the run goes on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cel::common::ast::{
    CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedEntryExpr, IdedExpr, ListExpr, MapEntryExpr,
    MapExpr, SelectExpr, StructExpr, StructFieldExpr,
};
use cel::common::types::{CelList, CelMap, CelString};
use cel::common::value::Val;
use cel::{Context, ExecutionError, Value};

use super::functions::{Handler, handler};

/// Steps (comprehension iterations, list elements made) one expression evaluation may take.
pub const MAX_STEPS: u64 = 1_000_000;
/// The longest string an expression may build, in bytes.
pub const MAX_STRING_BYTES: usize = 4 << 20;
/// The longest list an expression may build.
pub const MAX_LIST_ITEMS: usize = 1_000_000;
/// How long one expression evaluation may run.
pub const MAX_TIME: Duration = Duration::from_secs(5);

const STEPS: &str = "__assay_steps";
const STEPS_SQUARED: &str = "__assay_steps_squared";
const COUNT: &str = "__assay_count";
const SIZED: &str = "__assay_sized";
const REPLACE: &str = "__assay_replace";
const REPLACE_N: &str = "__assay_replace_n";
const JOIN_GUARD: &str = "__assay_join_guard";
const FORMAT_GUARD: &str = "__assay_format_guard";

/// The budget of the expression evaluation under way.
#[derive(Debug)]
pub struct Budget {
    steps: AtomicU64,
    started: Mutex<Instant>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            steps: AtomicU64::new(0),
            started: Mutex::new(Instant::now()),
        }
    }
}

impl Budget {
    /// A fresh budget for the next expression evaluation.
    pub fn reset(&self) {
        self.steps.store(0, Ordering::Relaxed);
        if let Ok(mut started) = self.started.lock() {
            *started = Instant::now();
        }
    }

    /// Charges `n` steps; fails once the total or the time is over budget.
    fn charge(&self, function: &str, n: u64) -> Result<(), ExecutionError> {
        let total = self.steps.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        if total > MAX_STEPS {
            return Err(over(
                function,
                format!("more than {MAX_STEPS} steps (comprehension iterations and list elements)"),
            ));
        }
        let elapsed = self.started.lock().map(|s| s.elapsed()).unwrap_or_default();
        if elapsed > MAX_TIME {
            return Err(over(
                function,
                format!("longer than {} s", MAX_TIME.as_secs()),
            ));
        }
        Ok(())
    }
}

fn over(function: &str, what: String) -> ExecutionError {
    let _ = function;
    ExecutionError::function_error(
        "budget",
        format!("evaluation budget exceeded: {what}; see \"Evaluation budget\" in rules/README.md"),
    )
}

fn too_big(what: &str, size: usize, cap: usize) -> ExecutionError {
    ExecutionError::function_error(
        "budget",
        format!(
            "evaluation budget exceeded: {what} of {size} would be over the cap of {cap}; see \"Evaluation budget\" in rules/README.md"
        ),
    )
}

/// Checks a value an expression built against the string and list caps.
fn check_size(value: &dyn Val) -> Result<(), ExecutionError> {
    if let Some(s) = value.downcast_ref::<CelString>()
        && s.inner().len() > MAX_STRING_BYTES
    {
        return Err(too_big("a string", s.inner().len(), MAX_STRING_BYTES));
    }
    if let Some(l) = value.downcast_ref::<CelList>()
        && l.inner().len() > MAX_LIST_ITEMS
    {
        return Err(too_big("a list", l.inner().len(), MAX_LIST_ITEMS));
    }
    Ok(())
}

/// The length a comprehension over `value` charges: a list's items, a map's entries, a
/// string's bytes; 1 for anything else.
fn size_of(value: &dyn Val) -> u64 {
    if let Some(l) = value.downcast_ref::<CelList>() {
        l.inner().len() as u64
    } else if let Some(m) = value.downcast_ref::<CelMap>() {
        m.inner().len() as u64
    } else if let Some(s) = value.downcast_ref::<CelString>() {
        s.inner().len() as u64
    } else {
        1
    }
}

/// A counting function of one argument that hands the argument back as it is: the list a
/// comprehension iterates (every resource of a type, say) is checked, not copied.
fn pass_through<F>(check: F) -> Handler
where
    F: Fn(&dyn Val) -> Result<(), ExecutionError> + Send + Sync + 'static,
{
    handler(move |ftx| {
        if ftx.args.len() != 1 {
            return Err(ExecutionError::invalid_argument_count(1, ftx.args.len()));
        }
        check(ftx.args[0].as_ref())?;
        Ok(ftx.args.swap_remove(0))
    })
}

/// An upper estimate of the bytes `value` takes written out, stopping at `limit`.
fn written_size(value: &Value, limit: usize) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len() * 2,
        Value::List(items) => {
            let mut total = 2;
            for item in items.iter() {
                total += written_size(item, limit) + 2;
                if total > limit {
                    break;
                }
            }
            total
        }
        Value::Map(map) => {
            let mut total = 2;
            for (key, item) in map.map.iter() {
                total += format!("{key:?}").len() + written_size(item, limit) + 4;
                if total > limit {
                    break;
                }
            }
            total
        }
        _ => 24,
    }
}

fn length(value: &Value) -> u64 {
    match value {
        Value::List(l) => l.len() as u64,
        Value::Map(m) => m.map.len() as u64,
        Value::String(s) => s.len() as u64,
        _ => 1,
    }
}

/// Adds the counting functions to a root context; `budget` is reset before each
/// expression evaluation.
pub fn register(ctx: &mut Context<'_, '_>, budget: Arc<Budget>) {
    let b = budget.clone();
    let _ = ctx.add_function(
        STEPS,
        pass_through(move |range| b.charge(STEPS, size_of(range))),
    );
    let b = budget.clone();
    let _ = ctx.add_function(
        STEPS_SQUARED,
        pass_through(move |list| {
            let n = size_of(list);
            b.charge(STEPS_SQUARED, n.saturating_mul(n))
        }),
    );
    let b = budget.clone();
    let _ = ctx.add_function(COUNT, move |n: Value| -> Result<Value, ExecutionError> {
        if let Value::Int(count) = n {
            let wanted = usize::try_from(count).unwrap_or(0);
            if wanted > MAX_LIST_ITEMS {
                return Err(too_big("a list", wanted, MAX_LIST_ITEMS));
            }
            b.charge(COUNT, wanted as u64)?;
        }
        Ok(n)
    });
    let b = budget.clone();
    let _ = ctx.add_function(
        SIZED,
        pass_through(move |value| {
            b.charge(SIZED, 1)?;
            check_size(value)
        }),
    );
    let b = budget.clone();
    let _ = ctx.add_function(
        REPLACE,
        move |this: Value, from: Value, to: Value| -> Result<Value, ExecutionError> {
            b.charge(REPLACE, 1)?;
            replace(&this, &from, &to, None)
        },
    );
    let b = budget.clone();
    let _ = ctx.add_function(
        REPLACE_N,
        move |this: Value, from: Value, to: Value, n: Value| -> Result<Value, ExecutionError> {
            b.charge(REPLACE_N, 1)?;
            let n = match n {
                Value::Int(n) => usize::try_from(n).ok(),
                other => {
                    return Err(ExecutionError::function_error(
                        "replace",
                        format!("expected an int count, got {}", other.type_of()),
                    ));
                }
            };
            replace(&this, &from, &to, n)
        },
    );
    let b = budget.clone();
    let _ = ctx.add_function(
        JOIN_GUARD,
        move |list: Value, sep: Value| -> Result<Value, ExecutionError> {
            b.charge(JOIN_GUARD, length(&list))?;
            let sep_len = match &sep {
                Value::String(s) => s.len(),
                _ => 0,
            };
            let size = written_size(&list, MAX_STRING_BYTES)
                .saturating_add(sep_len.saturating_mul(length(&list) as usize));
            if size > MAX_STRING_BYTES {
                return Err(too_big("a joined string", size, MAX_STRING_BYTES));
            }
            Ok(list)
        },
    );
    let b = budget;
    let _ = ctx.add_function(
        FORMAT_GUARD,
        move |args: Value| -> Result<Value, ExecutionError> {
            b.charge(FORMAT_GUARD, length(&args))?;
            let size = written_size(&args, MAX_STRING_BYTES);
            if size > MAX_STRING_BYTES {
                return Err(too_big("a formatted string", size, MAX_STRING_BYTES));
            }
            Ok(args)
        },
    );
}

/// `this.replace(from, to[, n])` as the `strings` extension defines it (all occurrences,
/// or the first `n`; a negative `n` means all), refusing before building a result over
/// the string cap.
fn replace(
    this: &Value,
    from: &Value,
    to: &Value,
    n: Option<usize>,
) -> Result<Value, ExecutionError> {
    let (Value::String(this), Value::String(from), Value::String(to)) = (this, from, to) else {
        return Err(ExecutionError::function_error(
            "replace",
            format!(
                "expected strings, got {}, {} and {}",
                this.type_of(),
                from.type_of(),
                to.type_of()
            ),
        ));
    };
    // An empty pattern matches between every character and at both ends.
    let matches = if from.is_empty() {
        this.chars().count() + 1
    } else {
        this.matches(from.as_str()).count()
    };
    let matches = n.map_or(matches, |n| matches.min(n));
    let size = this
        .len()
        .saturating_add(matches.saturating_mul(to.len()))
        .saturating_sub(matches.saturating_mul(from.len()));
    if size > MAX_STRING_BYTES {
        return Err(too_big("a replaced string", size, MAX_STRING_BYTES));
    }
    let out = match n {
        Some(n) => this.replacen(from.as_str(), to, n),
        None => this.replace(from.as_str(), to),
    };
    Ok(Value::String(Arc::new(out)))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(source: &str) -> Result<Value, String> {
        let program = crate::rules::expr::ENV
            .compile(source)
            .map_err(|e| format!("{e:?}"))?;
        let budget = Arc::new(Budget::default());
        let mut ctx = Context::with_env(crate::rules::expr::ENV.clone());
        register(&mut ctx, budget.clone());
        budget.reset();
        ctx.resolve(&instrument(program.expression()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn instrumented_expressions_compute_the_same_values() {
        for (source, expected) in [
            ("[1, 2, 3].map(x, x * 2) == [2, 4, 6]", true),
            ("[1, 2, 3].filter(x, x > 1).size() == 2", true),
            ("[1, 2].all(x, [3, 4].exists(y, y > x))", true),
            ("'a-b-c'.replace('-', '+') == 'a+b+c'", true),
            ("'a-b-c'.replace('-', '+', 1) == 'a+b-c'", true),
            ("'ab'.replace('', '.') == '.a.b.'", true),
            ("['a', 'b'].join(',') == 'a,b'", true),
            ("['a', 'b'].join() == 'ab'", true),
            ("'%s-%d'.format(['x', 1]) == 'x-1'", true),
            ("lists.range(3) == [0, 1, 2]", true),
            ("[1, 1, 2].distinct() == [1, 2]", true),
            ("'a' + 'b' == 'ab' && [1] + [2] == [1, 2]", true),
            ("'a,b'.split(',') == ['a', 'b']", true),
        ] {
            assert_eq!(eval(source), Ok(Value::Bool(expected)), "{source}");
        }
    }

    #[test]
    fn a_billion_nested_iterations_stop_at_the_step_budget() {
        let err = eval(
            "lists.range(1000).all(x, lists.range(1000).all(y, lists.range(1000).all(z, x + y + z >= 0)))",
        )
        .unwrap_err();
        assert!(err.contains("evaluation budget exceeded"), "{err}");
        assert!(err.contains("steps"), "{err}");
    }

    #[test]
    fn a_chain_of_replace_stops_before_allocating() {
        let chain = format!("'aaaa'{}", ".replace('a', 'aaaa')".repeat(20));
        let err = eval(&format!("{chain}.size() > 0")).unwrap_err();
        assert!(err.contains("a replaced string of"), "{err}");
    }

    #[test]
    fn huge_ranges_joins_and_concatenations_are_refused() {
        let err = eval("lists.range(10000000000).size() > 0").unwrap_err();
        assert!(err.contains("a list of 10000000000"), "{err}");
        let err = eval(
            "lists.range(1000).map(x, 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'.replace('y', 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')).join(',').size() > 0",
        )
        .unwrap_err();
        assert!(err.contains("a joined string"), "{err}");
    }
}
