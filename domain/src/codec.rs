//! Serialized form of events: `{event_type, schema_version, data}` with `data` the event's
//! fields as a snake_case JSON object. Old schema versions are upcast on read, never rewritten.

use std::borrow::Cow;

use serde::de::value::MapDeserializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::DecodeError;
use crate::ledger::LedgerEvent;
use crate::stream::AggregateKind;
use crate::{
    appointment, consultation, displacement, employee, mediation, organisation, programme, transfer,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub event_type: String,
    pub schema_version: u32,
    pub data: Value,
}

/// The schema version this build writes for an event type. Bump it with an upcaster below.
pub fn current_version(event_type: &str) -> u32 {
    match event_type {
        // v2 added `continuous_service_date` (service with earlier NHS employers counts).
        "EmploymentStarted" => 2,
        _ => 1,
    }
}

pub fn kind_of_type(event_type: &str) -> Option<AggregateKind> {
    let tables: [(AggregateKind, &[&str]); 8] = [
        (AggregateKind::Organisation, organisation::Event::TYPES),
        (AggregateKind::Employee, employee::Event::TYPES),
        (AggregateKind::Programme, programme::Event::TYPES),
        (AggregateKind::Transfer, transfer::Event::TYPES),
        (AggregateKind::Consultation, consultation::Event::TYPES),
        (AggregateKind::Appointment, appointment::Event::TYPES),
        (AggregateKind::Displacement, displacement::Event::TYPES),
        (AggregateKind::Mediation, mediation::Event::TYPES),
    ];
    tables
        .into_iter()
        .find(|(_, types)| types.contains(&event_type))
        .map(|(k, _)| k)
}

pub(crate) fn encode(event: &LedgerEvent) -> StoredEvent {
    let tagged = match event {
        LedgerEvent::Organisation(e) => serde_json::to_value(e),
        LedgerEvent::Employee(e) => serde_json::to_value(e),
        LedgerEvent::Programme(e) => serde_json::to_value(e),
        LedgerEvent::Transfer(e) => serde_json::to_value(e),
        LedgerEvent::Consultation(e) => serde_json::to_value(e),
        LedgerEvent::Appointment(e) => serde_json::to_value(e),
        LedgerEvent::Displacement(e) => serde_json::to_value(e),
        LedgerEvent::Mediation(e) => serde_json::to_value(e),
    }
    .expect("domain events are plain data and always serialize");
    let event_type = event.event_type();
    // Taken out of the tagged form, not cloned: a deep copy cost as much as building it.
    let data = match tagged {
        Value::Object(mut fields) => fields.remove("data").unwrap_or(Value::Null),
        _ => Value::Null,
    };
    StoredEvent {
        event_type: event_type.to_string(),
        schema_version: current_version(event_type),
        data,
    }
}

/// Upcasts `data` one version at a time until it is current.
fn upcast(event_type: &str, mut version: u32, mut data: Value) -> Result<Value, DecodeError> {
    while version < current_version(event_type) {
        data = match (event_type, version) {
            ("EmploymentStarted", 1) => employment_started_v1_to_v2(data),
            _ => {
                return Err(malformed(
                    event_type,
                    version,
                    "no upcaster for this version",
                ))
            }
        };
        version += 1;
    }
    Ok(data)
}

/// v1 of EmploymentStarted had no continuous service date: service began on the start date.
fn employment_started_v1_to_v2(mut data: Value) -> Value {
    if let Some(obj) = data.as_object_mut() {
        let start = obj.get("effective_date").cloned().unwrap_or(Value::Null);
        obj.entry("continuous_service_date").or_insert(start);
    }
    data
}

fn malformed(event_type: &str, version: u32, message: impl ToString) -> DecodeError {
    DecodeError::Malformed {
        event_type: event_type.to_string(),
        version,
        message: message.to_string(),
    }
}

pub(crate) fn decode(
    event_type: &str,
    schema_version: u32,
    data: &Value,
) -> Result<LedgerEvent, DecodeError> {
    let kind = kind_of_type(event_type)
        .ok_or_else(|| DecodeError::UnknownEventType(event_type.to_string()))?;
    let current = current_version(event_type);
    if schema_version > current || schema_version == 0 {
        return Err(DecodeError::UnsupportedVersion {
            event_type: event_type.to_string(),
            version: schema_version,
            current,
        });
    }
    // Data at the current version is read where it lies; only older data is copied to upcast.
    let data = if schema_version < current {
        Cow::Owned(upcast(event_type, schema_version, data.clone())?)
    } else {
        Cow::Borrowed(data)
    };
    let tag = Value::String(event_type.to_string());
    let fields = || tagged(&tag, &data);
    let bad = |e: serde_json::Error| malformed(event_type, schema_version, e);
    Ok(match kind {
        AggregateKind::Organisation => {
            LedgerEvent::Organisation(Deserialize::deserialize(fields()).map_err(bad)?)
        }
        AggregateKind::Employee => {
            LedgerEvent::Employee(Deserialize::deserialize(fields()).map_err(bad)?)
        }
        AggregateKind::Programme => {
            LedgerEvent::Programme(Deserialize::deserialize(fields()).map_err(bad)?)
        }
        AggregateKind::Transfer => {
            LedgerEvent::Transfer(Deserialize::deserialize(fields()).map_err(bad)?)
        }
        AggregateKind::Consultation => {
            LedgerEvent::Consultation(Deserialize::deserialize(fields()).map_err(bad)?)
        }
        AggregateKind::Appointment => {
            LedgerEvent::Appointment(Deserialize::deserialize(fields()).map_err(bad)?)
        }
        AggregateKind::Displacement => {
            LedgerEvent::Displacement(Deserialize::deserialize(fields()).map_err(bad)?)
        }
        AggregateKind::Mediation => {
            LedgerEvent::Mediation(Deserialize::deserialize(fields()).map_err(bad)?)
        }
    })
}

/// The event in its tagged form, `{"type": tag, "data": data}`, as a deserializer that reads
/// both where they lie. The tag comes first, so serde picks the variant and then reads its
/// fields straight from `data`. Through a `Value` object the keys come out sorted, `data`
/// first, and serde buffered all of it before it knew the variant: with the copy of `data`
/// that the object needed, that was most of the cost of decoding an event.
fn tagged<'a>(
    tag: &'a Value,
    data: &'a Value,
) -> MapDeserializer<'a, std::array::IntoIter<(&'a str, &'a Value), 2>, serde_json::Error> {
    MapDeserializer::new([("type", tag), ("data", data)].into_iter())
}
