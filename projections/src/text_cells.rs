//! Several text values held in one buffer, each found by its index. The rows and snapshots the
//! projector builds for most events hold their text this way: one allocation where a `String`
//! per value was one each (BENCHMARKS.md, session 18).

/// `N` text values, each present or not (NULL, or an absent field), in one `String`.
pub(crate) struct TextCells<const N: usize> {
    /// Every present value, one after another.
    text: String,
    /// Where each value lies in `text`.
    spans: [Option<(u32, u32)>; N],
}

impl<const N: usize> TextCells<N> {
    /// No values yet, with room for `bytes` of text.
    pub fn with_capacity(bytes: usize) -> Self {
        TextCells {
            text: String::with_capacity(bytes),
            spans: [None; N],
        }
    }

    /// Forgets every value, keeping the buffer.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans = [None; N];
    }

    /// Sets value `at` to what `write` appends to the buffer.
    pub fn write(&mut self, at: usize, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        self.spans[at] = Some((start as u32, self.text.len() as u32));
    }

    /// Value `at`, if it was set.
    pub fn get(&self, at: usize) -> Option<&str> {
        let (start, end) = self.spans[at]?;
        Some(&self.text[start as usize..end as usize])
    }

    /// Bytes the buffer holds beyond its text: none when it was sized exactly.
    #[cfg(test)]
    pub fn spare(&self) -> usize {
        self.text.capacity() - self.text.len()
    }
}

impl<const N: usize> Default for TextCells<N> {
    fn default() -> Self {
        TextCells::with_capacity(0)
    }
}

#[cfg(test)]
mod tests {
    use super::TextCells;

    #[test]
    fn values_are_found_by_index_and_forgotten_on_clear() {
        let mut cells = TextCells::<3>::with_capacity(8);
        cells.write(2, |t| t.push_str("Môn"));
        cells.write(0, |t| t.push_str("ICB"));
        assert_eq!(cells.get(0), Some("ICB"));
        assert_eq!(cells.get(1), None);
        assert_eq!(cells.get(2), Some("Môn"));
        cells.clear();
        assert!((0..3).all(|at| cells.get(at).is_none()));
        cells.write(1, |t| t.push_str("CC2"));
        assert_eq!(cells.get(1), Some("CC2"));
    }
}
