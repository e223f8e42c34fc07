//! Builders shared by the contract tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use hrledger_store::{AppendRequest, ExpectedVersion, Metadata, NewEvent, StreamAppend};
use uuid::Uuid;

pub fn meta() -> Metadata {
    Metadata {
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        actor: "adviser@example.org".into(),
        actor_role: "hr_adviser".into(),
        reason: "contract test".into(),
    }
}

pub fn event(n: u64) -> NewEvent {
    NewEvent {
        event_type: "Tested".into(),
        schema_version: 1,
        data: serde_json::json!({ "n": n, "text": "détail" }),
        effective_date: NaiveDate::from_ymd_opt(2025, 4, 1).expect("a valid date"),
    }
}

/// `count` events for one stream under a fresh command id.
pub fn append(stream: &str, expected: ExpectedVersion, count: u64) -> AppendRequest {
    AppendRequest::single(stream, expected, (0..count).map(event).collect(), meta())
}

pub fn part(stream: &str, expected: ExpectedVersion, count: u64) -> StreamAppend {
    StreamAppend {
        stream: stream.into(),
        expected,
        events: (0..count).map(event).collect(),
    }
}

pub fn multi(parts: Vec<StreamAppend>) -> AppendRequest {
    AppendRequest {
        metadata: meta(),
        streams: parts,
    }
}
