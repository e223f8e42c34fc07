//! The command path: the one way to change the ledger.
//!
//! `Ledger::execute` reads the streams a command needs, folds them with the domain's `evolve`,
//! runs the domain's `decide`, and appends the resulting events to every stream they touch in
//! one atomic append, with an expected version per stream and the actor's metadata. The API,
//! the CLI's demo and import, and the benches all go through here.

mod actor;
mod error;
mod ledger;
mod loaded;
pub mod scenario;

pub use actor::{Actor, Role};
pub use error::CommandError;
pub use ledger::{CommandOptions, Ledger, Outcome, SystemClock};
