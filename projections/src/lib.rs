//! hrledger's read models and the runner that keeps them up to date.
//!
//! A [`Projector`] consumes the global log in order and, per batch, updates every read model in
//! the same transaction as its checkpoint. Read models are derived from the domain's folded
//! aggregate states, so what an event means is decided once, in the domain.

mod append;
mod audit_trail;
mod batch;
pub mod bulk;
mod cases;
pub mod checkpoint;
pub mod db;
mod deferred_indexes;
mod error;
mod evict;
mod feed;
mod kept_memory;
mod payroll;
mod pg_rows;
pub mod queries;
mod runner;
mod sqlite_file;
mod sqlite_rows;
mod staff_record;
mod staff_versions;
mod states;
pub mod tables;
#[cfg(test)]
mod test_records;
mod text_cells;
mod writer;

pub use db::ReadDb;
pub use error::ProjectionError;
pub use runner::{Projector, Until};
