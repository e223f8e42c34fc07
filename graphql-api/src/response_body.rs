//! The body of a `POST /graphql` response, written by us rather than by async-graphql.
//!
//! It is the bytes async-graphql's own serialisation gives (`data`, then `extensions` and
//! `errors` when there are any; tested), except that JSON text the resolvers wrote and checked
//! themselves ([`checked_value`]) is copied in without being parsed a second time.
//!
//! [`checked_value`]: crate::schema::raw_json::checked_value

use async_graphql::{Response, Value};
use async_graphql_value::RAW_VALUE_TOKEN;
use axum::body::Body;
use axum::http::{header, HeaderValue};
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::schema::raw_json::checked_text;

/// The HTTP response for a GraphQL response: its JSON body and headers, as
/// `async_graphql_axum::GraphQLResponse` would make them.
pub fn http_response(response: Response) -> axum::response::Response {
    // Room for the copied texts up front: growing by doubling would copy a page several times.
    let mut body = Vec::with_capacity(checked_len(&response.data) + 1024);
    serde_json::to_writer(&mut body, &ResponseJson(&response)).expect("a response serialises");
    let mut http = axum::response::Response::new(Body::from(body));
    let headers = http.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/graphql-response+json"),
    );
    if response.is_ok() {
        if let Some(value) = response.cache_control.value() {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(header::CACHE_CONTROL, value);
            }
        }
    }
    headers.extend(response.http_headers);
    http
}

/// The bytes of the checked texts in `value`.
fn checked_len(value: &Value) -> usize {
    match value {
        Value::List(items) => items.iter().map(checked_len).sum(),
        Value::Object(object) => match checked_text(value) {
            Some(text) => text.len(),
            None => object.values().map(checked_len).sum(),
        },
        _ => 0,
    }
}

struct ResponseJson<'a>(&'a Response);

impl Serialize for ResponseJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let fields = 1 + usize::from(!r.extensions.is_empty()) + usize::from(!r.errors.is_empty());
        let mut map = serializer.serialize_map(Some(fields))?;
        map.serialize_entry("data", &ValueJson(&r.data))?;
        if !r.extensions.is_empty() {
            map.serialize_entry("extensions", &r.extensions)?;
        }
        if !r.errors.is_empty() {
            map.serialize_entry("errors", &r.errors)?;
        }
        map.end()
    }
}

/// A value as async-graphql serialises it, with checked JSON text copied in as it is.
struct ValueJson<'a>(&'a Value);

impl Serialize for ValueJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&ValueJson(item))?;
                }
                seq.end()
            }
            Value::Object(object) => match checked_text(self.0) {
                Some(text) => copy_text(serializer, text),
                // Raw values other than ours keep async-graphql's check.
                None if object.contains_key(RAW_VALUE_TOKEN) => self.0.serialize(serializer),
                None => {
                    let mut map = serializer.serialize_map(Some(object.len()))?;
                    for (key, value) in object {
                        map.serialize_entry(key.as_str(), &ValueJson(value))?;
                    }
                    map.end()
                }
            },
            other => other.serialize(serializer),
        }
    }
}

/// Writes `text` into the output as it is: serde_json's protocol for its `RawValue` (a
/// one-field struct under this token), which is how `RawValue` serialises itself.
fn copy_text<S: Serializer>(serializer: S, text: &str) -> Result<S::Ok, S::Error> {
    let mut raw = serializer.serialize_struct(RAW_VALUE_TOKEN, 1)?;
    raw.serialize_field(RAW_VALUE_TOKEN, text)?;
    raw.end()
}

#[cfg(test)]
mod tests {
    use async_graphql::{ErrorExtensionValues, Name, Response, ServerError, Value};

    use super::ResponseJson;
    use crate::schema::raw_json::{checked_object, raw_value};

    const PAGE: &str =
        r#"[{"position":7,"changes":{"fte":{"from":1.0,"to":0.8}},"note":"a \"b\""}]"#;

    /// `data.staffChanges` holding `list`, beside ordinary fields and a stored JSON cell.
    fn response(list: Value) -> Response {
        let page =
            Value::from_json(serde_json::json!({"pageInfo": {"hasNextPage": true}})).unwrap();
        let Value::Object(mut page) = page else {
            unreachable!()
        };
        page.insert(Name::new("nodes"), list);
        page.insert(Name::new("cell"), raw_value(r#"{"k":[1,2]}"#.into()));
        let mut data = async_graphql::indexmap::IndexMap::new();
        data.insert(Name::new("staffChanges"), Value::Object(page));
        data.insert(Name::new("n"), Value::Null);
        Response::new(Value::Object(data))
    }

    fn ours(r: &Response) -> String {
        serde_json::to_string(&ResponseJson(r)).unwrap()
    }

    #[test]
    fn checked_text_is_copied_where_async_graphql_would_parse_it_again() {
        let expected = serde_json::to_string(&response(raw_value(PAGE.into()))).unwrap();
        assert!(expected.contains(PAGE), "{expected}");
        assert_eq!(ours(&response(checked_object(PAGE.into()))), expected);
        assert_eq!(ours(&response(raw_value(PAGE.into()))), expected);
    }

    #[test]
    fn errors_and_extensions_are_written_as_async_graphql_writes_them() {
        let mut error = ServerError::new("minPosition 9 is beyond the ledger head 3", None);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", "VALIDATION");
        error.extensions = Some(extensions);
        let mut r = response(raw_value(PAGE.into()));
        r.errors.push(error);
        r.extensions.insert("took".into(), Value::from(3));
        assert_eq!(ours(&r), serde_json::to_string(&r).unwrap());
        assert_eq!(ours(&Response::default()), r#"{"data":null}"#);
    }
}
