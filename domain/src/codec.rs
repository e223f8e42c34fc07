//! Serialized form of events: `{event_type, schema_version, data}` with `data` the event's
//! fields as a snake_case JSON object. Old schema versions are upcast on read, never rewritten.

use std::borrow::Cow;

use serde::de::value::{BorrowedStrDeserializer, MapDeserializer};
use serde::de::{IntoDeserializer, Visitor};
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
    let kind = check_version(event_type, schema_version)?;
    decode_value(kind, event_type, schema_version, Cow::Borrowed(data))
}

/// Decodes `data` of a checked `kind` and version. Data at the current version is read where
/// it lies; only older data is owned, to be upcast (copied first if it was borrowed).
fn decode_value(
    kind: AggregateKind,
    event_type: &str,
    schema_version: u32,
    data: Cow<'_, Value>,
) -> Result<LedgerEvent, DecodeError> {
    let data = if schema_version < current_version(event_type) {
        Cow::Owned(upcast(event_type, schema_version, data.into_owned())?)
    } else {
        data
    };
    let tag = Value::String(event_type.to_string());
    decode_tagged(kind, || tagged(&tag, &data))
        .map_err(|e| malformed(event_type, schema_version, e))
}

/// As [`decode`], from the data's stored JSON text: at the current schema version the fields
/// are read from the text itself, with no `Value` tree built between.
pub(crate) fn decode_text(
    event_type: &str,
    schema_version: u32,
    data: &str,
) -> Result<LedgerEvent, DecodeError> {
    let kind = check_version(event_type, schema_version)?;
    let bad = |e: serde_json::Error| malformed(event_type, schema_version, e);
    if schema_version < current_version(event_type) {
        let value: Value = serde_json::from_str(data).map_err(bad)?;
        return decode_value(kind, event_type, schema_version, Cow::Owned(value));
    }
    let entries = [
        ("type", Entry::Tag(event_type)),
        ("data", Entry::Text(data)),
    ];
    decode_tagged(kind, || MapDeserializer::new(entries.into_iter())).map_err(bad)
}

/// The aggregate kind of `event_type`, if this build reads `schema_version` of it.
fn check_version(event_type: &str, schema_version: u32) -> Result<AggregateKind, DecodeError> {
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
    Ok(kind)
}

/// Deserializes the event of `kind` from its tagged form (see [`tagged`]).
fn decode_tagged<'de, D>(
    kind: AggregateKind,
    fields: impl Fn() -> D,
) -> Result<LedgerEvent, serde_json::Error>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    Ok(match kind {
        AggregateKind::Organisation => {
            LedgerEvent::Organisation(Deserialize::deserialize(fields())?)
        }
        AggregateKind::Employee => LedgerEvent::Employee(Deserialize::deserialize(fields())?),
        AggregateKind::Programme => LedgerEvent::Programme(Deserialize::deserialize(fields())?),
        AggregateKind::Transfer => LedgerEvent::Transfer(Deserialize::deserialize(fields())?),
        AggregateKind::Consultation => {
            LedgerEvent::Consultation(Deserialize::deserialize(fields())?)
        }
        AggregateKind::Appointment => LedgerEvent::Appointment(Deserialize::deserialize(fields())?),
        AggregateKind::Displacement => {
            LedgerEvent::Displacement(Deserialize::deserialize(fields())?)
        }
        AggregateKind::Mediation => LedgerEvent::Mediation(Deserialize::deserialize(fields())?),
    })
}

/// An entry of the tagged form read from text: the tag, or the data's JSON text, parsed
/// straight into the variant's fields once serde has picked the variant from the tag.
#[derive(Clone, Copy)]
enum Entry<'a> {
    Tag(&'a str),
    Text(&'a str),
}

impl<'de> IntoDeserializer<'de, serde_json::Error> for Entry<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> serde::Deserializer<'de> for Entry<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Entry::Tag(tag) => visitor.visit_borrowed_str(tag),
            Entry::Text(text) => whole_text(text, |json| json.deserialize_any(visitor)),
        }
    }

    /// Serde reads an adjacent tag as a unit variant of the enum's tag type.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            Entry::Tag(tag) => visitor.visit_enum(BorrowedStrDeserializer::new(tag)),
            Entry::Text(text) => {
                whole_text(text, |json| json.deserialize_enum(name, variants, visitor))
            }
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// Reads `text` with `read`, which must take all of it but trailing whitespace.
fn whole_text<'de, T>(
    text: &'de str,
    read: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
    ) -> Result<T, serde_json::Error>,
) -> Result<T, serde_json::Error> {
    let mut json = serde_json::Deserializer::from_str(text);
    let value = read(&mut json)?;
    json.end()?;
    Ok(value)
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
