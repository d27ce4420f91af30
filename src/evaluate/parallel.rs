//! Evaluation on every core, with output in input order.
//!
//! Rules × resources are independent, so the work is a map over a slice. Threads take
//! small chunks from a shared counter (the cost of an item varies a lot: a join-heavy rule
//! against a plain one), each with its own state (a CEL context, which records what the
//! functions touched), and the results are put back in input order, so the output does not
//! depend on the number of threads or on scheduling. `std::thread::scope` does all this in
//! a few lines; a work-stealing pool (rayon) would add a dependency for no gain here.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Items per chunk: large enough to amortise the counter, small enough to balance.
const CHUNK: usize = 64;

/// `f` over `items` on up to `available_parallelism()` threads, each with its own state
/// from `state`; the results in input order.
pub fn map<T, S, R>(
    items: &[T],
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len().div_ceil(CHUNK));
    if threads <= 1 {
        let mut s = state();
        return items.iter().map(|item| f(&mut s, item)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut chunks: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut s = state();
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= items.len() {
                            break done;
                        }
                        let end = (start + CHUNK).min(items.len());
                        done.push((
                            start,
                            items[start..end]
                                .iter()
                                .map(|item| f(&mut s, item))
                                .collect(),
                        ));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(done) => done,
                // A panic in a worker is a bug; carry it to the caller as it would be
                // carried without threads.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    chunks.sort_by_key(|(start, _)| *start);
    chunks
        .into_iter()
        .flat_map(|(_, results)| results)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_input_order() {
        let items: Vec<usize> = (0..10_000).collect();
        let squares = super::map(
            &items,
            || 0usize,
            |calls, &i| {
                *calls += 1;
                i * i
            },
        );
        assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn an_empty_input_gives_an_empty_output() {
        let items: Vec<u8> = Vec::new();
        assert!(super::map(&items, || (), |_, &i| i).is_empty());
    }
}
