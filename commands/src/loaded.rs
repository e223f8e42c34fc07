//! Loading aggregate states from their streams, with a small cache keyed by stream version so a
//! hot case (hundreds of commands against one transfer) is not re-read from the start each time.

use std::collections::HashMap;
use std::sync::Mutex;

use hrledger_domain::{AggregateState, LedgerEvent, StreamId};
use hrledger_store::{EventStore, RecordedEvent};

use crate::CommandError;

/// A folded state and the version of the last event folded into it (`None`: no events yet).
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub state: AggregateState,
    pub version: Option<u64>,
}

/// Most recently used states; cleared wholesale when it grows past its bound, which is simple
/// and keeps memory flat (a reload is only a read, never a correctness issue).
pub(crate) struct StateCache {
    entries: Mutex<HashMap<StreamId, Loaded>>,
    capacity: usize,
}

impl StateCache {
    pub fn new(capacity: usize) -> Self {
        StateCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The cached state, without reading the store.
    pub fn cached(&self, stream: &StreamId) -> Option<Loaded> {
        self.get(stream)
    }

    fn get(&self, stream: &StreamId) -> Option<Loaded> {
        self.entries
            .lock()
            .expect("cache lock")
            .get(stream)
            .cloned()
    }

    pub fn put(&self, stream: StreamId, loaded: Loaded) {
        let mut entries = self.entries.lock().expect("cache lock");
        if entries.len() >= self.capacity && !entries.contains_key(&stream) {
            entries.clear();
        }
        entries.insert(stream, loaded);
    }

    /// The stream's state as of its latest event: the cached state plus whatever came after it.
    pub async fn load(
        &self,
        store: &EventStore,
        stream: &StreamId,
    ) -> Result<Loaded, CommandError> {
        let cached = self.get(stream);
        let (mut loaded, from) = match cached {
            Some(c) => {
                let from = c.version.map_or(0, |v| v + 1);
                (c, from)
            }
            None => (
                Loaded {
                    state: AggregateState::initial(stream.kind()),
                    version: None,
                },
                0,
            ),
        };
        let events = store.read_stream(stream.as_str(), from).await?;
        if events.is_empty() {
            return Ok(loaded);
        }
        for recorded in &events {
            let event = decode(recorded)?;
            loaded.state = loaded.state.evolve(&event);
            loaded.version = Some(recorded.version);
        }
        self.put(stream.clone(), loaded.clone());
        Ok(loaded)
    }
}

/// Turns a stored event back into a domain event, upcasting old schema versions.
pub(crate) fn decode(recorded: &RecordedEvent) -> Result<LedgerEvent, CommandError> {
    LedgerEvent::from_stored(
        &recorded.event_type,
        recorded.schema_version,
        &recorded.data,
    )
    .map_err(|e| CommandError::UnreadableEvent {
        position: recorded.position,
        detail: e.to_string(),
    })
}
