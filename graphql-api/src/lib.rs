//! hrledger's GraphQL API: async-graphql on axum.
//!
//! HR advisers issue typed commands and read cases; payroll integrators read staff records
//! (now or as of a date) and follow the change feed; auditors read history and verify the
//! ledger. Every request carries a bearer token ([`auth`]) whose name and role become the actor
//! of the commands it issues.
//!
//! Layout: [`auth`] tokens ([`token_cache`] their recent lookups), [`error`] coded GraphQL
//! errors, [`schema`] queries, mutations and subscriptions, [`http`] the axum router,
//! [`parsed_queries`] query texts already parsed, [`response_body`] the JSON of a response,
//! [`metrics`] Prometheus counters, [`server`] the process around them.

pub mod auth;
pub mod error;
pub mod http;
pub mod metrics;
pub mod parsed_queries;
pub mod response_body;
pub mod schema;
pub mod server;
pub mod token_cache;

pub use http::{router, AppState, Limits};
pub use server::{serve, Server, ServerConfig, ServerError};
