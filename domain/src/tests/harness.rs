//! `given(events).at(date).when(command).then(events)` / `.then_error(rule)`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::{AggregateState, Clock, DomainError, LedgerCommand, LedgerEvent, StreamId};

pub struct Scenario {
    states: BTreeMap<StreamId, AggregateState>,
    clock: Clock,
}

/// Folds each event into its own stream's state (the stream comes from the event's key).
pub fn given(events: impl IntoIterator<Item = LedgerEvent>) -> Scenario {
    let mut states = BTreeMap::new();
    for e in events {
        assert_round_trips(&e);
        let stream = e.stream();
        let s = states
            .remove(&stream)
            .unwrap_or_else(|| AggregateState::initial(stream.kind()));
        states.insert(stream, s.evolve(&e));
    }
    Scenario {
        states,
        clock: Clock::at_date(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()),
    }
}

pub struct Outcome(pub Result<Vec<(StreamId, LedgerEvent)>, DomainError>);

impl Scenario {
    pub fn at(mut self, date: NaiveDate) -> Self {
        self.clock = Clock::at_date(date);
        self
    }

    pub fn when(self, cmd: LedgerCommand) -> Outcome {
        Outcome(crate::decide(cmd, &self.states, &self.clock))
    }
}

impl Outcome {
    fn events(self) -> Vec<LedgerEvent> {
        let out = self
            .0
            .unwrap_or_else(|e| panic!("expected events, got error {e}"));
        for (stream, e) in &out {
            assert_eq!(
                stream,
                &e.stream(),
                "{} was routed to the wrong stream",
                e.event_type()
            );
        }
        out.iter().for_each(|(_, e)| assert_round_trips(e));
        out.into_iter().map(|(_, e)| e).collect()
    }

    pub fn then(self, expected: Vec<LedgerEvent>) {
        assert_eq!(self.events(), expected);
    }

    /// Asserts the event types in order and returns the events for further checks.
    pub fn then_types(self, types: &[&str]) -> Vec<LedgerEvent> {
        let events = self.events();
        let got: Vec<&str> = events.iter().map(|e| e.event_type()).collect();
        assert_eq!(got, types);
        events
    }

    /// Asserts the error's stable code and returns its message.
    pub fn then_error(self, code: &str) -> String {
        match self.0 {
            Ok(events) => panic!(
                "expected {code}, got events {:?}",
                events
                    .iter()
                    .map(|(_, e)| e.event_type())
                    .collect::<Vec<_>>()
            ),
            Err(e) => {
                assert_eq!(e.code(), code, "unexpected error: {e}");
                e.to_string()
            }
        }
    }
}

/// Every event a test gives or produces goes through the codec and must come back unchanged.
pub fn assert_round_trips(e: &LedgerEvent) {
    let stored = e.to_stored();
    assert_eq!(stored.event_type, e.event_type());
    let back = LedgerEvent::from_stored(&stored.event_type, stored.schema_version, &stored.data)
        .unwrap_or_else(|err| panic!("{} does not decode: {err}", e.event_type()));
    assert_eq!(&back, e);
    // And from the JSON text the store keeps, as the projector reads it.
    let text = stored.data.to_string();
    let back = LedgerEvent::from_stored_text(&stored.event_type, stored.schema_version, &text)
        .unwrap_or_else(|err| panic!("{} does not decode from text: {err}", e.event_type()));
    assert_eq!(&back, e);
}
