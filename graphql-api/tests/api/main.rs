//! The API over real HTTP against a server on an ephemeral port, on SQLite and (with
//! HRLEDGER_TEST_PG_URL) PostgreSQL.

mod bad_input;
mod change_feed;
mod concurrency;
mod fixtures;
mod harness;
mod roles;
mod scenario;
mod schema_file;
mod subscription;
