//! JSON the read models already hold as text, passed into responses as it is.
//!
//! A `JSON` field resolved from a parsed `serde_json::Value` is built twice more before it is
//! sent (as an async-graphql value tree, then as text). The read models store these cells as
//! compact JSON written by `serde_json` (keys sorted), which is exactly what that round trip
//! prints, so the stored text can be copied into the response instead (async-graphql's
//! `raw_value`): the same bytes without the trees.

use std::borrow::Cow;
use std::sync::LazyLock;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, Json, Name, OutputType, Positioned, ServerResult, Value};
use async_graphql_value::RAW_VALUE_TOKEN;
use uuid::Uuid;

use crate::schema::json_check;

/// A `JSON` scalar holding one JSON value as text (checked to be JSON when made).
#[derive(Debug, Clone)]
pub struct RawJson(Box<str>);

impl RawJson {
    /// The stored text of a JSON cell, read in place and copied once, without the whitespace
    /// around it; a cell that is not JSON reads as `null`, as it does when parsed
    /// (`queries::StaffChange`).
    pub fn from_cell(text: &str) -> RawJson {
        match json_check::is_json(text) {
            true => RawJson(text.trim_matches(JSON_SPACE).into()),
            false => RawJson("null".into()),
        }
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The whitespace JSON allows around a value.
const JSON_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// A response value serialised as the JSON text `json` (which must be one JSON value).
pub fn raw_value(json: String) -> Value {
    let mut object = async_graphql::indexmap::IndexMap::with_capacity(1);
    object.insert(Name::new(RAW_VALUE_TOKEN), Value::String(json));
    Value::Object(object)
}

/// Marks a request whose response body is written by [`crate::response_body`], which copies
/// [`checked_value`]s into the body as they are.
#[derive(Debug, Clone, Copy)]
pub struct BodyCopiesCheckedJson;

/// The key of a [`checked_value`]: drawn at random per process, so that no stored JSON (which
/// clients' inputs reach) can ever spell it.
static CHECKED_KEY: LazyLock<String> =
    LazyLock::new(|| format!("$hrledger::checked_json::{}", Uuid::new_v4()));

/// A response value holding JSON text this process has just written and checked itself.
///
/// async-graphql parses every raw value once more while serialising the response, to be sure
/// it is JSON; for a 500-row change page that second parse (and a copy) was about a sixth of
/// the page's CPU time. When the body writer is [`crate::response_body`] (the request carries
/// [`BodyCopiesCheckedJson`]) the text goes into the body unparsed; otherwise (WebSocket,
/// tests calling the schema directly) it is an ordinary [`raw_value`].
pub fn checked_value(ctx: &ContextSelectionSet<'_>, json: String) -> Value {
    match ctx.data_opt::<BodyCopiesCheckedJson>() {
        Some(_) => checked_object(json),
        None => raw_value(json),
    }
}

pub(crate) fn checked_object(json: String) -> Value {
    let mut object = async_graphql::indexmap::IndexMap::with_capacity(1);
    object.insert(Name::new(CHECKED_KEY.as_str()), Value::String(json));
    Value::Object(object)
}

/// The text of a [`checked_value`].
pub fn checked_text(value: &Value) -> Option<&str> {
    // Most objects have more than one field: no lookup for those.
    let Value::Object(object) = value else {
        return None;
    };
    if object.len() != 1 {
        return None;
    }
    match object.get(CHECKED_KEY.as_str()) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// The same `JSON` scalar as `Json<Value>` in the schema, so the SDL does not change.
impl OutputType for RawJson {
    fn type_name() -> Cow<'static, str> {
        Json::<serde_json::Value>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Json::<serde_json::Value>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(raw_value(self.0.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_value_serialises_as_its_text() {
        let text = r#"{"band":"5","fte":0.8,"note":"a \"quoted\" word"}"#;
        let response = serde_json::to_string(&raw_value(text.to_string())).unwrap();
        assert_eq!(response, text);
    }

    #[test]
    fn a_cell_reads_as_serde_json_reads_it_and_not_json_as_null() {
        for text in [
            "{oops",
            "[1,2]",
            " [1, 2] ",
            "\t{\"a\": 1}\r\n",
            "\"a\"",
            "1 2",
            "",
        ] {
            let expected = serde_json::value::RawValue::from_string(text.to_string())
                .map_or("null".to_string(), |raw| raw.get().to_string());
            assert_eq!(RawJson::from_cell(text).as_str(), expected, "{text:?}");
        }
    }
}
