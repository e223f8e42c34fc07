//! Deciding a whole batch in memory: which requests replay, which conflict, and which rows,
//! stream versions and command results the rest write.
//!
//! The writer reads what the batch needs (its command ids and the versions of its streams)
//! in two queries, plans here without touching the database, then writes the batch with a
//! few multi-row statements. Requests are planned in queue order against the versions left by
//! the requests before them, so the outcome is the same as running them one by one.

use std::collections::HashMap;

use uuid::Uuid;

use crate::error::{StoreError, StreamPosition};
use crate::event::{AppendResult, ExpectedVersion, Metadata, StreamVersion};
use crate::record::{micros_to_time, StoredRow};
use crate::validate::{ValidAppend, ValidEvent, ValidStream};
use crate::write_conn::ChainHead;

pub(crate) type Outcomes = Vec<Result<AppendResult, StoreError>>;

/// What the database already holds for a batch.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// Stored results (JSON) of the batch's command ids that were recorded before.
    pub commands: HashMap<Uuid, String>,
    /// Current versions of the batch's streams that have events.
    pub versions: HashMap<String, u64>,
}

/// Everything a batch writes, ready for multi-row statements.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    pub events: Vec<StoredRow>,
    /// Command ids with their results as stored JSON.
    pub commands: Vec<(Uuid, String)>,
}

/// A planned batch: each request's outcome, what to write, and the head after it.
pub(crate) struct BatchPlan {
    pub outcomes: Outcomes,
    pub writes: Writes,
    pub head: ChainHead,
    /// The version every stream of the batch with events is at once the batch is written.
    pub versions: HashMap<String, u64>,
}

impl BatchPlan {
    /// True when every request is written as a first run: none replays or conflicts.
    pub fn all_first_runs(&self) -> bool {
        self.outcomes
            .iter()
            .all(|o| o.as_ref().is_ok_and(|r| !r.replayed))
    }
}

/// Plans `appends` in order on top of `start`, given what the database holds.
pub(crate) fn plan_batch(
    start: ChainHead,
    appends: &[ValidAppend],
    known: Known,
    recorded_at: i64,
) -> BatchPlan {
    let mut head = start;
    let mut versions = known.versions;
    let mut writes = Writes::default();
    // Results of this batch's own first runs: a second request with the same id replays them.
    let mut first_runs: HashMap<Uuid, AppendResult> = HashMap::new();
    let mut outcomes = Vec::with_capacity(appends.len());
    for append in appends {
        let command_id = append.metadata.command_id;
        let outcome = if let Some(stored) = known.commands.get(&command_id) {
            replayed(command_id, stored)
        } else if let Some(first) = first_runs.get(&command_id) {
            Ok(AppendResult {
                replayed: true,
                ..first.clone()
            })
        } else {
            plan_request(&mut head, &mut versions, append, recorded_at).map(|planned| {
                let result = planned.result.clone();
                writes.add(planned, command_id);
                first_runs.insert(command_id, result.clone());
                result
            })
        };
        outcomes.push(outcome);
    }
    BatchPlan {
        outcomes,
        writes,
        head,
        versions,
    }
}

/// The result stored for `command_id`, marked as a replay.
pub(crate) fn replayed(command_id: Uuid, stored: &str) -> Result<AppendResult, StoreError> {
    let first: AppendResult = serde_json::from_str(stored).map_err(|e| StoreError::Corrupt {
        position: 0,
        detail: format!("stored result of command {command_id} is unreadable: {e}"),
    })?;
    Ok(AppendResult {
        replayed: true,
        ..first
    })
}

/// One request's rows and result.
struct Planned {
    rows: Vec<StoredRow>,
    result: AppendResult,
}

impl Writes {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn add(&mut self, planned: Planned, command_id: Uuid) {
        let json = serde_json::to_string(&planned.result).expect("an append result serializes");
        self.events.extend(planned.rows);
        self.commands.push((command_id, json));
    }
}

/// Checks every stream of the request, then chains its events. On a conflict nothing changes.
fn plan_request(
    head: &mut ChainHead,
    versions: &mut HashMap<String, u64>,
    append: &ValidAppend,
    recorded_at: i64,
) -> Result<Planned, StoreError> {
    for stream in &append.streams {
        check_expected(stream, versions.get(stream.stream.as_str()).copied())?;
    }
    let first_position = head.position + 1;
    let mut rows = Vec::with_capacity(append.event_count());
    let mut written = Vec::with_capacity(append.streams.len());
    for stream in append.streams.iter().filter(|s| !s.events.is_empty()) {
        // Streams without events were a read the decision relied on: checked, nothing written.
        let mut version = versions.get(stream.stream.as_str()).map_or(0, |v| v + 1);
        for event in &stream.events {
            rows.push(chain_row(
                head,
                stream,
                event,
                version,
                &append.metadata,
                recorded_at,
            ));
            version += 1;
        }
        versions.insert(stream.stream.clone(), version - 1);
        written.push(StreamVersion {
            stream: stream.stream.clone(),
            version: version - 1,
        });
    }
    let result = AppendResult {
        first_position,
        last_position: head.position,
        streams: written,
        recorded_at: micros_to_time(recorded_at).expect("the clock is within chrono's range"),
        replayed: false,
    };
    Ok(Planned { rows, result })
}

fn check_expected(stream: &ValidStream, current: Option<u64>) -> Result<(), StoreError> {
    let matches = match stream.expected {
        ExpectedVersion::Any => true,
        ExpectedVersion::NoStream => current.is_none(),
        ExpectedVersion::Exact(v) => current == Some(v),
    };
    if matches {
        return Ok(());
    }
    Err(StoreError::Conflict {
        stream: stream.stream.clone(),
        expected: stream.expected,
        actual: current.map_or(StreamPosition::NoStream, StreamPosition::At),
    })
}

/// The next event row on the chain: takes the next position and extends the hash.
fn chain_row(
    head: &mut ChainHead,
    stream: &ValidStream,
    event: &ValidEvent,
    version: u64,
    meta: &Metadata,
    recorded_at: i64,
) -> StoredRow {
    let mut row = StoredRow {
        position: (head.position + 1) as i64,
        stream: stream.stream.clone(),
        version: version as i64,
        event_id: Uuid::now_v7(),
        event_type: event.event_type.clone(),
        schema_version: i64::from(event.schema_version),
        data: event.data.clone(),
        effective_date: event.effective_date,
        recorded_at_us: recorded_at,
        command_id: meta.command_id,
        correlation_id: meta.correlation_id,
        causation_id: meta.causation_id,
        actor: meta.actor.clone(),
        actor_role: meta.actor_role.clone(),
        reason: meta.reason.clone(),
        hash: Vec::new(),
    };
    let hash = row.compute_hash(&head.hash);
    row.hash = hash.to_vec();
    *head = ChainHead {
        position: head.position + 1,
        hash,
    };
    row
}
