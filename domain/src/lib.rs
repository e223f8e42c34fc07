//! Pure HR domain model of hrledger: commands, events, deciders and statutory rules (no IO).
//!
//! Each aggregate module follows the Decider pattern: `State`, `Command`, `Event`,
//! `decide` and `evolve`. Aggregates whose decisions read other streams (transfer,
//! appointment, consultation, displacement) take a read-only [`related::Related`] view;
//! [`ledger::decide`] is the single entry point the command path uses.

pub mod appointment;
pub mod clock;
pub mod codec;
pub mod common;
pub mod consultation;
pub mod displacement;
pub mod employee;
pub mod error;
pub mod ledger;
pub mod mediation;
pub mod organisation;
pub mod programme;
pub mod related;
pub mod rules;
pub mod stream;
pub mod transfer;
pub mod view;

#[cfg(test)]
mod tests;

pub use clock::Clock;
pub use codec::StoredEvent;
pub use common::{AfcBand, Assignment, CaseStatus, Grade, Narrative, PersonalDetails};
pub use error::{DecodeError, DomainError};
pub use ledger::{decide, AggregateState, LedgerCommand, LedgerEvent};
pub use stream::{AggregateKind, StreamId};
