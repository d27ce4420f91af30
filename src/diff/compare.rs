//! The one comparison behind `assay diff` and the gate's baseline: two lists paired by a
//! key (a finding's fingerprint, a resource's ARN), never by position or message text.
//!
//! Each item of the new side is paired with the first item of the old side that has its
//! key; old items whose key no new item has are left over. Several new items with one key
//! (scope findings can share a fingerprint) all pair with that first old item, as the
//! gate's baseline has always matched them: a key accepted once is accepted for each.

use std::collections::HashMap;

/// How the items of two lists pair up by key. Indexes point into the lists given to
/// [`by_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    /// For each new item, in order: the index of the old item with its key, if any.
    pub old_of_new: Vec<Option<usize>>,
    /// Old items no new item pairs with, in old order.
    pub unmatched_old: Vec<usize>,
}

impl Matching {
    /// New items with no old counterpart, in new order.
    pub fn unmatched_new(&self) -> impl Iterator<Item = usize> + '_ {
        self.old_of_new
            .iter()
            .enumerate()
            .filter(|(_, old)| old.is_none())
            .map(|(i, _)| i)
    }

    /// `(old, new)` index pairs, in new order.
    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.old_of_new
            .iter()
            .enumerate()
            .filter_map(|(new, old)| old.map(|old| (old, new)))
    }
}

/// Pairs `new` with `old` by the keys the two functions give.
pub fn by_key<O, N>(
    old: &[O],
    new: &[N],
    old_key: impl Fn(&O) -> &str,
    new_key: impl Fn(&N) -> &str,
) -> Matching {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(old.len());
    for (i, item) in old.iter().enumerate() {
        first.entry(old_key(item)).or_insert(i);
    }
    let old_of_new: Vec<Option<usize>> = new
        .iter()
        .map(|item| first.get(new_key(item)).copied())
        .collect();
    let mut used = vec![false; old.len()];
    for i in old_of_new.iter().flatten() {
        used[*i] = true;
    }
    // An old item whose key is shared with an earlier old item is matched when the key is.
    let unmatched_old = old
        .iter()
        .enumerate()
        .filter(|(_, item)| !first.get(old_key(item)).is_some_and(|i| used[*i]))
        .map(|(i, _)| i)
        .collect();
    Matching {
        old_of_new,
        unmatched_old,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_by_key_not_position() {
        let old = ["a", "b", "c"];
        let new = ["c", "d", "a", "a"];
        let m = by_key(&old, &new, |s| s, |s| s);
        assert_eq!(m.old_of_new, vec![Some(2), None, Some(0), Some(0)]);
        assert_eq!(m.unmatched_old, vec![1]);
        assert_eq!(m.unmatched_new().collect::<Vec<_>>(), vec![1]);
        assert_eq!(m.pairs().collect::<Vec<_>>(), vec![(2, 0), (0, 2), (0, 3)]);
    }

    #[test]
    fn a_repeated_old_key_is_matched_with_its_first() {
        let m = by_key(&["a", "a", "b"], &["a"], |s| s, |s| s);
        assert_eq!(m.unmatched_old, vec![2]);
    }
}
