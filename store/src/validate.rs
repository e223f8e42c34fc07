//! Checks every append request before it reaches a backend, so both backends refuse the same
//! requests with the same typed [`InvalidAppend`] and nothing malformed is ever queued.
//!
//! Validation also serializes each body once into the compact JSON text that is stored and
//! hashed, so the size limit is checked against exactly the bytes the ledger keeps.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::error::InvalidAppend;
use crate::event::{AppendRequest, ExpectedVersion, Metadata, NewEvent};
use crate::limits::{MAX_EVENTS_PER_APPEND, MAX_EVENT_BYTES, MAX_STREAM_NAME_BYTES};

/// A request that passed validation, with each body already in its stored form.
#[derive(Debug, Clone)]
pub(crate) struct ValidAppend {
    pub metadata: Metadata,
    pub streams: Vec<ValidStream>,
}

#[derive(Debug, Clone)]
pub(crate) struct ValidStream {
    pub stream: String,
    pub expected: ExpectedVersion,
    pub events: Vec<ValidEvent>,
}

#[derive(Debug, Clone)]
pub(crate) struct ValidEvent {
    pub event_type: String,
    pub schema_version: u32,
    /// The body as compact JSON text (`serde_json::to_string`): stored and hashed as is.
    pub data: String,
    pub effective_date: NaiveDate,
}

impl ValidAppend {
    pub fn event_count(&self) -> usize {
        self.streams.iter().map(|s| s.events.len()).sum()
    }
}

/// Refuses a malformed request whole; on success returns it in stored form.
pub(crate) fn validate(request: AppendRequest) -> Result<ValidAppend, InvalidAppend> {
    check_shape(&request)?;
    let streams = request
        .streams
        .into_iter()
        .map(|s| {
            let events = s
                .events
                .into_iter()
                .map(|e| valid_event(&s.stream, e))
                .collect::<Result<_, _>>()?;
            Ok(ValidStream {
                stream: s.stream,
                expected: s.expected,
                events,
            })
        })
        .collect::<Result<_, InvalidAppend>>()?;
    Ok(ValidAppend {
        metadata: request.metadata,
        streams,
    })
}

/// Checks that need no serialization: counts, names, actor, duplicates.
fn check_shape(request: &AppendRequest) -> Result<(), InvalidAppend> {
    let count = request.event_count();
    if count == 0 {
        return Err(InvalidAppend::NoEvents);
    }
    if count > MAX_EVENTS_PER_APPEND {
        return Err(InvalidAppend::TooManyEvents(count));
    }
    if request.metadata.actor.trim().is_empty() {
        return Err(InvalidAppend::EmptyActor);
    }
    let mut seen = HashSet::new();
    for s in &request.streams {
        check_stream_name(&s.stream)?;
        if !seen.insert(s.stream.as_str()) {
            return Err(InvalidAppend::DuplicateStream(s.stream.clone()));
        }
    }
    Ok(())
}

fn check_stream_name(name: &str) -> Result<(), InvalidAppend> {
    if name.is_empty() {
        return Err(InvalidAppend::EmptyStreamName);
    }
    if name.len() > MAX_STREAM_NAME_BYTES {
        return Err(InvalidAppend::StreamNameTooLong(name.to_owned()));
    }
    Ok(())
}

fn valid_event(stream: &str, event: NewEvent) -> Result<ValidEvent, InvalidAppend> {
    if event.event_type.is_empty() {
        return Err(InvalidAppend::EmptyEventType);
    }
    if !event.data.is_object() {
        return Err(InvalidAppend::BodyNotAnObject {
            stream: stream.to_owned(),
            found: json_kind(&event.data),
        });
    }
    // Serializing a `Value` cannot fail: its map keys are always strings.
    let data = serde_json::to_string(&event.data).expect("a JSON value always serializes");
    if data.len() > MAX_EVENT_BYTES {
        return Err(InvalidAppend::EventTooLarge {
            stream: stream.to_owned(),
            bytes: data.len(),
        });
    }
    Ok(ValidEvent {
        event_type: event.event_type,
        schema_version: event.schema_version,
        data,
        effective_date: event.effective_date,
    })
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
