//! The run-time half of the evaluation budget: a rule expression cannot hang assay or
//! exhaust its memory.
//!
//! The `cel` interpreter has no step limit, so assay bounds the work itself. Each
//! expression is rewritten when it is compiled (`rules::instrument`) to call counting
//! functions at every place where work or memory can grow without bound; this module
//! registers those functions and keeps the counters they charge ([`Budget`]), reset before
//! each expression evaluation. The caps are `rules::instrument`'s.
//!
//! Going over is an error of that expression: the finding is ERROR, naming the rule and
//! the resource, and the run goes on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cel::common::types::{CelList, CelMap, CelString};
use cel::common::value::Val;
use cel::{Context, ExecutionError, Value};

use super::functions::{Handler, handler};
use crate::rules::instrument::{
    COUNT, FORMAT_GUARD, JOIN_GUARD, MAX_LIST_ITEMS, MAX_STEPS, MAX_STRING_BYTES, MAX_TIME,
    REPLACE, REPLACE_N, SIZED, STEPS, STEPS_SQUARED,
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::instrument::instrument;

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
