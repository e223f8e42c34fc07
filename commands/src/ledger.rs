//! `Ledger::execute`: load, decide, append — the only write path of hrledger.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hrledger_domain::{decide, AggregateState, Clock, LedgerCommand, LedgerEvent, StreamId};
use hrledger_store::{
    AppendRequest, AppendResult, EventStore, ExpectedVersion, Metadata, NewEvent, StreamAppend,
};
use uuid::Uuid;

use crate::loaded::{Loaded, StateCache};
use crate::{Actor, CommandError};

/// How many times a command is decided again after losing a race, when the caller did not pin
/// a version. Each retry re-reads the streams, so the decision is always made on fresh state.
const CONFLICT_RETRIES: usize = 5;
/// Longest reason accepted, in characters.
const MAX_REASON_CHARS: usize = 4000;

/// Where "now" comes from; the demo and tests pin it, the server uses the system time.
pub type SystemClock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Per-command options supplied by the caller.
#[derive(Debug, Clone)]
pub struct CommandOptions {
    /// The client's idempotency key: a retry with the same id returns the first outcome.
    pub command_id: Uuid,
    /// Why, in the adviser's words; recorded on every event.
    pub reason: String,
    pub correlation_id: Option<Uuid>,
    pub causation_id: Option<Uuid>,
    /// Optimistic concurrency on the command's primary stream: the version the caller last saw.
    /// `None`: no check, and a lost race is decided again on fresh state.
    pub expected_version: Option<u64>,
}

impl CommandOptions {
    pub fn new(command_id: Uuid, reason: impl Into<String>) -> Self {
        CommandOptions {
            command_id,
            reason: reason.into(),
            correlation_id: None,
            causation_id: None,
            expected_version: None,
        }
    }

    pub fn expecting(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }

    pub fn correlated(mut self, correlation_id: Uuid) -> Self {
        self.correlation_id = Some(correlation_id);
        self
    }
}

/// What a command did: where its events landed in the global log.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub result: AppendResult,
    /// `(stream, event type)` of each event written, in position order.
    pub events: Vec<(String, String)>,
    /// True when this was a retry of an already-recorded command id: nothing new was written,
    /// and `result` and `events` are those of the first run.
    pub replayed: bool,
}

/// The command path over one event store.
#[derive(Clone)]
pub struct Ledger {
    store: EventStore,
    clock: SystemClock,
    cache: Arc<StateCache>,
}

impl Ledger {
    pub fn new(store: EventStore) -> Self {
        Self::with_clock(store, Arc::new(Utc::now))
    }

    /// A ledger whose "now" is given (demo data set in the past, tests).
    pub fn with_clock(store: EventStore, clock: SystemClock) -> Self {
        Ledger {
            store,
            clock,
            cache: Arc::new(StateCache::new(50_000)),
        }
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// Runs one command for an actor. See the module documentation.
    pub async fn execute(
        &self,
        command: LedgerCommand,
        actor: &Actor,
        options: &CommandOptions,
    ) -> Result<Outcome, CommandError> {
        authorise(actor)?;
        validate(options)?;
        // First from cached states, trusting the append's version checks to catch anything
        // stale; after a conflict, or before reporting a rule violation, from fresh reads.
        let mut fresh = false;
        let mut conflicts = 0;
        loop {
            match self.attempt(command.clone(), actor, options, fresh).await {
                Err(CommandError::Conflict(_))
                    if options.expected_version.is_none() && conflicts < CONFLICT_RETRIES =>
                {
                    conflicts += 1;
                    fresh = true;
                    tracing::debug!(conflicts, "conflict; deciding again on fresh state");
                }
                Err(CommandError::Domain(_)) if !fresh => fresh = true,
                Err(CommandError::Domain(e)) => return self.replay_or(options, e).await,
                other => return other,
            }
        }
    }

    /// The current state of one stream (for queries that need the domain's view, e.g. tests).
    pub async fn state(
        &self,
        stream: &StreamId,
    ) -> Result<(AggregateState, Option<u64>), CommandError> {
        let loaded = self.cache.load(&self.store, stream).await?;
        Ok((loaded.state, loaded.version))
    }

    async fn attempt(
        &self,
        command: LedgerCommand,
        actor: &Actor,
        options: &CommandOptions,
        fresh: bool,
    ) -> Result<Outcome, CommandError> {
        let primary = command.stream();
        let mut primary_loaded = self.load(&primary, fresh).await?;
        if options.expected_version.is_some() && primary_loaded.version != options.expected_version
        {
            // A caller's pinned version is judged against the stream as it is, not as cached.
            primary_loaded = self.load(&primary, true).await?;
        }
        check_expected(&primary, primary_loaded.version, options.expected_version)?;
        // States go to `decide` by reference and versions to the append: nothing is copied.
        let mut states = BTreeMap::new();
        let mut versions = BTreeMap::new();
        for stream in command.related_streams(&primary_loaded.state) {
            if stream != primary && !states.contains_key(&stream) {
                let l = self.load(&stream, fresh).await?;
                versions.insert(stream.clone(), l.version);
                states.insert(stream, l.state);
            }
        }
        versions.insert(primary.clone(), primary_loaded.version);
        states.insert(primary, primary_loaded.state);
        let clock = Clock {
            now: (self.clock)(),
        };
        let decided = decide(command, &states, &clock)?;
        if decided.is_empty() {
            return Err(CommandError::Validation(
                "the command changes nothing: the ledger already records it".into(),
            ));
        }
        let request = build_request(&decided, &versions, actor, options);
        let events = request_summary(&request);
        let result = self.store.append(request).await?;
        if result.replayed {
            return self.first_outcome(result).await;
        }
        self.remember(states, &decided, &result);
        Ok(Outcome {
            result,
            events,
            replayed: false,
        })
    }

    /// Caches the states as this command left them, so the next command on the same streams
    /// needs no read (and, deciding on current state, no conflict).
    fn remember(
        &self,
        mut states: BTreeMap<StreamId, AggregateState>,
        decided: &[(StreamId, LedgerEvent)],
        result: &AppendResult,
    ) {
        for (stream, event) in decided {
            let state = states
                .remove(stream)
                .unwrap_or_else(|| AggregateState::initial(stream.kind()));
            states.insert(stream.clone(), state.evolve(event));
        }
        for written in &result.streams {
            if let Ok(stream) = StreamId::parse(&written.stream) {
                if let Some(state) = states.remove(&stream) {
                    let version = Some(written.version);
                    self.cache.put(stream, Loaded { state, version });
                }
            }
        }
    }

    /// A stream's state: as cached when `fresh` is false and it is cached, else read.
    async fn load(&self, stream: &StreamId, fresh: bool) -> Result<Loaded, CommandError> {
        match self.cache.cached(stream) {
            Some(loaded) if !fresh => Ok(loaded),
            _ => self.cache.load(&self.store, stream).await,
        }
    }

    /// A command refused by the domain may be the retry of one that already succeeded (its
    /// first run changed the state the rule now looks at): then the first outcome is returned.
    async fn replay_or(
        &self,
        options: &CommandOptions,
        error: hrledger_domain::DomainError,
    ) -> Result<Outcome, CommandError> {
        match self.store.command_result(options.command_id).await? {
            Some(result) => self.first_outcome(result).await,
            None => Err(CommandError::Domain(error)),
        }
    }

    /// The outcome of a command's first run, read back from the log.
    async fn first_outcome(&self, result: AppendResult) -> Result<Outcome, CommandError> {
        let count = result.last_position - result.first_position + 1;
        let recorded = self
            .store
            .read_all(result.first_position - 1, count)
            .await?;
        let events = recorded
            .into_iter()
            .map(|e| (e.stream, e.event_type))
            .collect();
        Ok(Outcome {
            result,
            events,
            replayed: true,
        })
    }
}

fn authorise(actor: &Actor) -> Result<(), CommandError> {
    if actor.role.may_issue_commands() {
        Ok(())
    } else {
        Err(CommandError::Forbidden {
            role: actor.role.to_string(),
        })
    }
}

fn validate(options: &CommandOptions) -> Result<(), CommandError> {
    let reason = options.reason.trim();
    if reason.is_empty() {
        return Err(CommandError::Validation(
            "a reason is required: every decision in the ledger records why it was made".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(CommandError::Validation(format!(
            "the reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(())
}

fn check_expected(
    stream: &StreamId,
    actual: Option<u64>,
    expected: Option<u64>,
) -> Result<(), CommandError> {
    match expected {
        Some(v) if actual != Some(v) => Err(CommandError::Conflict(format!(
            "{stream} is at {}, but the command expected version {v}: someone else changed it first; reload and try again",
            actual.map_or("no events".to_string(), |a| format!("version {a}"))
        ))),
        _ => Ok(()),
    }
}

/// One atomic append: each touched stream gets its events, pinned to the version it was read at.
fn build_request(
    decided: &[(StreamId, LedgerEvent)],
    versions: &BTreeMap<StreamId, Option<u64>>,
    actor: &Actor,
    options: &CommandOptions,
) -> AppendRequest {
    let mut order: Vec<StreamId> = Vec::new();
    let mut seen = HashSet::new();
    let mut by_stream: BTreeMap<StreamId, Vec<NewEvent>> = BTreeMap::new();
    for (stream, event) in decided {
        if seen.insert(stream.clone()) {
            order.push(stream.clone());
        }
        let stored = event.to_stored();
        by_stream.entry(stream.clone()).or_default().push(NewEvent {
            event_type: stored.event_type,
            schema_version: stored.schema_version,
            data: stored.data,
            effective_date: event.effective_date(),
        });
    }
    // Streams the decision read but does not change are appended with no events: the store
    // checks they are still at the version read, so no decision stands on moved state.
    let read_only = versions.keys().filter(|s| !seen.contains(*s)).cloned();
    let streams = order
        .into_iter()
        .chain(read_only)
        .map(|stream| StreamAppend {
            expected: expected_for(versions.get(&stream).copied().flatten()),
            events: by_stream.remove(&stream).unwrap_or_default(),
            stream: stream.to_string(),
        })
        .collect();
    AppendRequest {
        metadata: Metadata {
            command_id: options.command_id,
            correlation_id: options.correlation_id.unwrap_or(options.command_id),
            causation_id: options.causation_id,
            actor: actor.name.clone(),
            actor_role: actor.role.to_string(),
            reason: options.reason.trim().to_string(),
        },
        streams,
    }
}

/// A stream the decision read is pinned to the version read; one it did not read (a new
/// aggregate created by the command) must not exist yet.
fn expected_for(version: Option<u64>) -> ExpectedVersion {
    match version {
        Some(v) => ExpectedVersion::Exact(v),
        None => ExpectedVersion::NoStream,
    }
}

fn request_summary(request: &AppendRequest) -> Vec<(String, String)> {
    request
        .streams
        .iter()
        .flat_map(|s| {
            s.events
                .iter()
                .map(move |e| (s.stream.clone(), e.event_type.clone()))
        })
        .collect()
}
