//! One line of a JSONL export: every field the hash chain covers (see `hrledger_store::hash`
//! for the canonical bytes), plus the stored hash, so an auditor can recompute the chain with
//! any tool. `data` is the event body as the exact text that was hashed, not re-encoded JSON.

use anyhow::{bail, Context, Result};
use chrono::SecondsFormat;
use hrledger_store::hash::ChainedFields;
use hrledger_store::RecordedEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportLine {
    pub position: u64,
    pub stream: String,
    pub version: u64,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    /// `YYYY-MM-DD`, as hashed.
    pub effective_date: String,
    /// Microseconds since the Unix epoch, as hashed.
    pub recorded_at_us: i64,
    /// The same instant in RFC 3339, for people; not hashed.
    pub recorded_at: String,
    pub command_id: Uuid,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub actor: String,
    pub actor_role: String,
    pub reason: String,
    /// The JSON body as text, exactly as hashed.
    pub data: String,
    /// Hex SHA-256 of the previous line's hash and this event's canonical bytes.
    pub hash: String,
}

impl ExportLine {
    pub fn from_recorded(event: &RecordedEvent) -> Result<ExportLine> {
        // The store keeps the compact serde_json text of the body; serde_json writes a value the
        // same way every time, so re-encoding the parsed body gives back the hashed text.
        let data = serde_json::to_string(&event.data).context("encode an event body")?;
        Ok(ExportLine {
            position: event.position,
            stream: event.stream.clone(),
            version: event.version,
            event_id: event.event_id,
            event_type: event.event_type.clone(),
            schema_version: event.schema_version,
            effective_date: event.effective_date.format("%Y-%m-%d").to_string(),
            recorded_at_us: event.recorded_at.timestamp_micros(),
            recorded_at: event
                .recorded_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            command_id: event.metadata.command_id,
            correlation_id: event.metadata.correlation_id,
            causation_id: event.metadata.causation_id,
            actor: event.metadata.actor.clone(),
            actor_role: event.metadata.actor_role.clone(),
            reason: event.metadata.reason.clone(),
            data,
            hash: hex::encode(event.hash),
        })
    }

    pub fn chained(&self) -> ChainedFields<'_> {
        ChainedFields {
            position: self.position,
            stream: &self.stream,
            version: self.version,
            event_id: self.event_id,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            effective_date: &self.effective_date,
            recorded_at_micros: self.recorded_at_us,
            command_id: self.command_id,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            actor: &self.actor,
            actor_role: &self.actor_role,
            reason: &self.reason,
            data: &self.data,
        }
    }

    /// The stored hash as bytes.
    pub fn hash_bytes(&self) -> Result<[u8; 32]> {
        let bytes = hex::decode(&self.hash).context("hash is not hex")?;
        match <[u8; 32]>::try_from(bytes.as_slice()) {
            Ok(hash) => Ok(hash),
            Err(_) => bail!("hash is {} bytes, not 32", bytes.len()),
        }
    }
}
