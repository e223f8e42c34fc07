//! Aggregate states folded from the log as the projector goes, so every read model is derived
//! from the domain's own `evolve` (one source of truth for what an event means) rather than
//! re-interpreting events a second time here.
//!
//! The cache is only an optimisation: on a miss (a restart, or an evicted stream) the state is
//! folded again from the store, up to the version just before the event being applied.

use std::collections::HashMap;

use hrledger_domain::{AggregateKind, AggregateState, LedgerEvent, StreamId};
use hrledger_store::{EventStore, RecordedEvent};

use crate::evict::keep_newer_half;
use crate::feed::Logged;
use crate::ProjectionError;

pub(crate) struct FoldedStates {
    states: HashMap<String, Cached, foldhash::fast::RandomState>,
    capacity: usize,
    /// States folded again from the store since [`FoldedStates::take_refolded`] last ran.
    refolded: usize,
}

impl FoldedStates {
    pub fn new(capacity: usize) -> Self {
        FoldedStates {
            states: HashMap::default(),
            capacity,
            refolded: 0,
        }
    }

    /// How many states were folded again from the store (cache misses) since the last call.
    pub fn take_refolded(&mut self) -> usize {
        std::mem::take(&mut self.refolded)
    }

    pub fn clear(&mut self) {
        self.states.clear();
    }

    /// Applies `event` (recorded at `recorded`) to its stream's state in place. Returns what
    /// `observe` makes of the state before, and the state after: the state is never copied.
    ///
    /// A cached state is evolved where it lies in the map. Taking it out and putting it back
    /// left a tombstone per event, and hashbrown rehashed the whole table each time they
    /// used up its room: 3.8% of a SQLite rebuild's samples, on the projector's thread.
    pub async fn apply<T>(
        &mut self,
        source: &EventStore,
        recorded: &Logged,
        event: &LedgerEvent,
        observe: impl FnOnce(&AggregateState) -> T,
    ) -> Result<(T, &AggregateState), ProjectionError> {
        let next = |c: &Cached| c.version + 1 == recorded.version;
        if !self.states.get(&recorded.stream).is_some_and(next) {
            self.refolded += usize::from(recorded.version > 0);
            let before = fold_until(
                source,
                &recorded.stream,
                recorded.version,
                recorded.position,
            )
            .await?;
            return Ok(self.insert(recorded, before, event, observe));
        }
        let cached = self
            .states
            .get_mut(&recorded.stream)
            .expect("looked up just above");
        let observed = observe(&cached.state);
        let before = std::mem::replace(&mut *cached.state, placeholder());
        *cached.state = before.evolve(event);
        cached.version = recorded.version;
        cached.position = recorded.position;
        Ok((observed, &cached.state))
    }

    /// Caches the state `event` makes of `before`, a state folded from the store.
    fn insert<T>(
        &mut self,
        recorded: &Logged,
        before: AggregateState,
        event: &LedgerEvent,
        observe: impl FnOnce(&AggregateState) -> T,
    ) -> (T, &AggregateState) {
        let observed = observe(&before);
        if self.states.len() >= self.capacity {
            self.evict_older_half();
        }
        let cached = self
            .states
            .entry(recorded.stream.clone())
            .insert_entry(Cached {
                version: recorded.version,
                position: recorded.position,
                state: Box::new(before.evolve(event)),
            })
            .into_mut();
        (observed, &cached.state)
    }

    /// The stream's state after its event `version` (at global `position`): the cached one
    /// when the cache still has it at that version, else folded again from the store.
    pub async fn after<'a>(
        &'a mut self,
        source: &EventStore,
        stream: &str,
        version: u64,
        position: u64,
    ) -> Result<&'a AggregateState, ProjectionError> {
        let cached = self
            .states
            .get(stream)
            .is_some_and(|c| c.version == version);
        if !cached {
            self.refolded += 1;
            let state = fold_until(source, stream, version + 1, position).await?;
            self.states.insert(
                stream.to_string(),
                Cached {
                    version,
                    position,
                    state: Box::new(state),
                },
            );
        }
        Ok(&self.states[stream].state)
    }

    /// Forgets the streams least recently changed: the ones still in progress stay, so a
    /// rebuild of a long ledger does not fold them again from the store.
    fn evict_older_half(&mut self) {
        keep_newer_half(&mut self.states, |cached| cached.position);
    }
}

/// What a cached state's place holds while `evolve` takes the state by value: an empty state,
/// which allocates nothing.
fn placeholder() -> AggregateState {
    AggregateState::initial(AggregateKind::Organisation)
}

/// A stream's state as of its event `version`, at global `position`.
///
/// The state is boxed so that the map's slots stay small: an `AggregateState` is 440 bytes
/// (its largest variant, the employee's), and every time the map grew, hashbrown copied all
/// its slots into fresh memory whose first touch the kernel zeroes. Inline, those rehashes
/// took 7% of a SQLite rebuild's CPU samples (BENCHMARKS.md, session 17).
struct Cached {
    version: u64,
    position: u64,
    state: Box<AggregateState>,
}

/// The stream's state from its first event up to, not including, `version`; `position` is
/// that of the event it is folded for, for the error if the stream's name is unreadable.
async fn fold_until(
    source: &EventStore,
    stream: &str,
    version: u64,
    position: u64,
) -> Result<AggregateState, ProjectionError> {
    let stream = StreamId::parse(stream).map_err(|e| unreadable(position, e))?;
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
    .map_err(|e| unreadable(recorded.position, e))
}

pub(crate) fn unreadable(position: u64, detail: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Unreadable {
        position,
        detail: detail.to_string(),
    }
}
