//! Relay-style pages: `first` (capped) and an opaque-to-clients `after` cursor.

use async_graphql::connection::{Connection, Edge};
use async_graphql::OutputType;

use crate::error::ApiError;

/// Largest page a client may ask for.
pub const MAX_FIRST: i32 = 500;
/// Page size when `first` is not given.
pub const DEFAULT_FIRST: i32 = 100;

/// The page size asked for, refusing anything outside `0..=MAX_FIRST`.
pub fn first(first: Option<i32>) -> Result<usize, ApiError> {
    let n = first.unwrap_or(DEFAULT_FIRST);
    if !(0..=MAX_FIRST).contains(&n) {
        return Err(ApiError::validation(format!(
            "first must be between 0 and {MAX_FIRST}, got {n}"
        )));
    }
    Ok(n as usize)
}

/// A numeric cursor (ledger positions, stream versions); absent means "from the start".
pub fn position_cursor(after: Option<&str>) -> Result<u64, ApiError> {
    match after {
        None => Ok(0),
        Some(text) => text.parse().map_err(|_| {
            ApiError::validation(format!(
                "cursor {text:?} is not a position (a whole number)"
            ))
        }),
    }
}

/// Cuts up to `first + 1` fetched rows down to the page: the extra row only tells whether
/// there is a next page, which is returned.
pub fn cut_to_page<T>(rows: &mut Vec<T>, first: usize) -> bool {
    let has_next = rows.len() > first;
    rows.truncate(first);
    has_next
}

/// Builds a connection from up to `first + 1` fetched rows (see [`cut_to_page`]).
pub fn connection<T, N>(
    mut rows: Vec<T>,
    first: usize,
    cursor: impl Fn(&T) -> String,
    node: impl Fn(T) -> Result<N, ApiError>,
) -> Result<Connection<String, N>, ApiError>
where
    N: OutputType,
{
    let has_next = cut_to_page(&mut rows, first);
    let mut page = Connection::new(false, has_next);
    for row in rows {
        let c = cursor(&row);
        page.edges.push(Edge::new(c, node(row)?));
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_is_capped() {
        assert_eq!(first(None).unwrap(), DEFAULT_FIRST as usize);
        assert_eq!(first(Some(500)).unwrap(), 500);
        assert!(first(Some(501)).is_err());
        assert!(first(Some(-1)).is_err());
    }

    #[test]
    fn position_cursors_are_numbers() {
        assert_eq!(position_cursor(None).unwrap(), 0);
        assert_eq!(position_cursor(Some("42")).unwrap(), 42);
        assert!(position_cursor(Some("abc")).is_err());
    }

    #[test]
    fn an_extra_row_means_a_next_page() {
        let page = connection(vec![1u32, 2, 3], 2, |n| n.to_string(), Ok).unwrap();
        assert!(page.has_next_page);
        assert_eq!(page.edges.len(), 2);
        let page = connection(vec![1u32, 2], 2, |n| n.to_string(), Ok).unwrap();
        assert!(!page.has_next_page);
    }
}
