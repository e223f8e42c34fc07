//! What can go wrong on the command path, kept apart so the API can give each its own code.

use hrledger_domain::DomainError;
use hrledger_store::{InvalidAppend, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The law or the process forbids it (or the command names something that does not exist):
    /// the domain's own message says which rule and which dates.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Someone else changed a stream first and the caller asked for a specific version (or
    /// retries ran out).
    #[error("{0}")]
    Conflict(String),
    /// The role may not issue commands.
    #[error("role {role} may not issue commands (only admin and hr_adviser may)")]
    Forbidden { role: String },
    /// The request is malformed before it reaches the domain (e.g. no reason given).
    #[error("{0}")]
    Validation(String),
    /// The ledger holds an event this build cannot read.
    #[error("stored event {position} cannot be read: {detail}")]
    UnreadableEvent { position: u64, detail: String },
    #[error("event store: {0}")]
    Store(StoreError),
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => CommandError::Conflict(e.to_string()),
            StoreError::Invalid(invalid) => CommandError::from(invalid),
            other => CommandError::Store(other),
        }
    }
}

impl From<InvalidAppend> for CommandError {
    fn from(e: InvalidAppend) -> Self {
        CommandError::Validation(e.to_string())
    }
}
