//! Bounding the projector's caches without emptying them: when one is full, the entries
//! changed least recently go, and the ones a long rebuild is still working on stay.

use std::collections::HashMap;

/// Keeps the entries whose last change (`position`) is in the newer half.
pub(crate) fn keep_newer_half<V, S>(
    entries: &mut HashMap<String, V, S>,
    position: impl Fn(&V) -> u64,
) {
    let mut positions: Vec<u64> = entries.values().map(&position).collect();
    if positions.is_empty() {
        return;
    }
    let middle = positions.len() / 2;
    let (_, median, _) = positions.select_nth_unstable(middle);
    let median = *median;
    entries.retain(|_, v| position(v) > median);
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::keep_newer_half;

    #[test]
    fn the_most_recently_changed_entries_stay() {
        let mut entries: HashMap<String, u64> = (1..=10).map(|p| (format!("s{p}"), p)).collect();
        keep_newer_half(&mut entries, |p| *p);
        let mut kept: Vec<u64> = entries.into_values().collect();
        kept.sort_unstable();
        assert_eq!(kept, [7, 8, 9, 10]);
    }
}
