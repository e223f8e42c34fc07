//! Aggregate states folded from the log as the projector goes, so every read model is derived
//! from the domain's own `evolve` (one source of truth for what an event means) rather than
//! re-interpreting events a second time here.
//!
//! The cache is only an optimisation: on a miss (a restart, or an evicted stream) the state is
//! folded again from the store, up to the version just before the event being applied.

use std::collections::HashMap;

use hrledger_domain::{AggregateState, LedgerEvent, StreamId};
use hrledger_store::{EventStore, RecordedEvent};

use crate::ProjectionError;

pub(crate) struct FoldedStates {
    states: HashMap<String, (u64, AggregateState)>,
    capacity: usize,
}

impl FoldedStates {
    pub fn new(capacity: usize) -> Self {
        FoldedStates {
            states: HashMap::new(),
            capacity,
        }
    }

    pub fn clear(&mut self) {
        self.states.clear();
    }

    /// Applies `event` (recorded at `recorded`) to its stream's state; returns the state before
    /// and after.
    pub async fn apply(
        &mut self,
        source: &EventStore,
        recorded: &RecordedEvent,
        event: &LedgerEvent,
    ) -> Result<(AggregateState, AggregateState), ProjectionError> {
        let before = match self.states.remove(&recorded.stream) {
            Some((version, state)) if version + 1 == recorded.version => state,
            _ => {
                let stream =
                    StreamId::parse(&recorded.stream).map_err(|e| ProjectionError::Unreadable {
                        position: recorded.position,
                        detail: e.to_string(),
                    })?;
                fold_until(source, &stream, recorded.version).await?
            }
        };
        let after = before.clone().evolve(event);
        if self.states.len() >= self.capacity {
            self.states.clear();
        }
        self.states
            .insert(recorded.stream.clone(), (recorded.version, after.clone()));
        Ok((before, after))
    }
}

/// The stream's state from its first event up to, not including, `version`.
async fn fold_until(
    source: &EventStore,
    stream: &StreamId,
    version: u64,
) -> Result<AggregateState, ProjectionError> {
    let mut state = AggregateState::initial(stream.kind());
    if version == 0 {
        return Ok(state);
    }
    for recorded in source.read_stream(stream.as_str(), 0).await? {
        if recorded.version >= version {
            break;
        }
        state = state.evolve(&decode(&recorded)?);
    }
    Ok(state)
}

pub(crate) fn decode(recorded: &RecordedEvent) -> Result<LedgerEvent, ProjectionError> {
    LedgerEvent::from_stored(
        &recorded.event_type,
        recorded.schema_version,
        &recorded.data,
    )
    .map_err(|e| ProjectionError::Unreadable {
        position: recorded.position,
        detail: e.to_string(),
    })
}
