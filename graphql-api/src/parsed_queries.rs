//! Parsed query documents by query text.
//!
//! Clients send the same few query texts over and over (an integrator's `staffRecord` lookup,
//! its change-feed page); parsing one (a PEG parser) cost more than cloning its document.
//! Only parsing is skipped: every request is still validated and executed against the schema,
//! and a text that does not parse is not kept, so its error is reported as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_graphql::parser::types::ExecutableDocument;

/// Most documents kept; when full, the map is emptied and refills with what is in use.
const CAPACITY: usize = 256;
/// Longer texts are parsed every time: they are rare, and keeping them would cost memory.
const MAX_QUERY_BYTES: usize = 4096;

#[derive(Clone, Default)]
pub struct ParsedQueries {
    documents: Arc<Mutex<HashMap<String, Arc<ExecutableDocument>>>>,
}

impl ParsedQueries {
    /// Gives `request` its parsed document: a copy of the kept one, or parsed now and kept.
    pub fn prepare(&self, request: &mut async_graphql::Request) {
        if request.query.len() > MAX_QUERY_BYTES {
            return;
        }
        let kept = self.lock().get(&request.query).cloned();
        if let Some(document) = kept {
            request.set_parsed_query(ExecutableDocument::clone(&document));
            return;
        }
        let Ok(document) = request.parsed_query() else {
            return;
        };
        let document = Arc::new(document.clone());
        let mut documents = self.lock();
        if documents.len() >= CAPACITY {
            documents.clear();
        }
        documents.insert(request.query.clone(), document);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<ExecutableDocument>>> {
        // A single get, insert or clear cannot leave the map inconsistent.
        self.documents.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_document_is_the_parsed_one() {
        let queries = ParsedQueries::default();
        let text = "query($id: UUID!) { staffRecord(employeeId: $id) { band fte } }";
        let mut first = async_graphql::Request::new(text);
        queries.prepare(&mut first);
        let mut second = async_graphql::Request::new(text);
        queries.prepare(&mut second);
        let fresh = async_graphql::parser::parse_query(text).unwrap();
        assert_eq!(
            format!("{:?}", second.parsed_query().unwrap()),
            format!("{fresh:?}")
        );
        assert_eq!(queries.lock().len(), 1);
    }

    #[test]
    fn texts_that_do_not_parse_are_not_kept() {
        let queries = ParsedQueries::default();
        let mut request = async_graphql::Request::new("{ staffRecord(");
        queries.prepare(&mut request);
        assert!(queries.lock().is_empty());
        assert!(
            request.parsed_query().is_err(),
            "the error is still reported"
        );
    }

    #[test]
    fn the_map_is_bounded() {
        let queries = ParsedQueries::default();
        for i in 0..CAPACITY + 1 {
            let mut request = async_graphql::Request::new(format!("{{ a{i}: checkpoint }}"));
            queries.prepare(&mut request);
        }
        assert!(queries.lock().len() <= CAPACITY);
    }
}
