//! Given/when/then tests over `ledger::decide`, plus codec and property tests.

mod appointment;
mod codec;
mod consultation;
mod displacement;
mod employee;
mod fixtures;
mod harness;
mod mediation;
mod organisation;
mod programme;
mod props;
mod stream;
mod transfer;
