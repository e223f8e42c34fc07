//! Typed errors. Each variant is kept apart so an API can map it to its own error code.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A statutory or policy rule forbids the command. `rule` is a stable code for clients;
    /// `message` names the regulation and the dates, for an HR adviser.
    #[error("{rule}: {message}")]
    RuleViolation { rule: &'static str, message: String },
    /// The command itself is malformed (missing or contradictory input).
    #[error("invalid {field}: {message}")]
    InvalidCommand {
        field: &'static str,
        message: String,
    },
    /// The aggregate is in a state where the command makes no sense (closed, cancelled, ...).
    #[error("{code}: {message}")]
    InvalidState { code: &'static str, message: String },
    /// The command targets a stream (or names a record) that does not exist.
    #[error("not found: {stream}: {message}")]
    NotFound { stream: String, message: String },
    /// The command would create something that already exists.
    #[error("already exists: {stream}")]
    AlreadyExists { stream: String },
}

impl DomainError {
    pub fn rule(rule: &'static str, message: impl Into<String>) -> Self {
        DomainError::RuleViolation {
            rule,
            message: message.into(),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::InvalidCommand {
            field,
            message: message.into(),
        }
    }

    pub fn state(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::InvalidState {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(stream: impl ToString, message: impl Into<String>) -> Self {
        DomainError::NotFound {
            stream: stream.to_string(),
            message: message.into(),
        }
    }

    /// A stable code for every variant: the rule code, the state code, or a generic one.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::RuleViolation { rule, .. } => rule,
            DomainError::InvalidCommand { .. } => "INVALID_COMMAND",
            DomainError::InvalidState { code, .. } => code,
            DomainError::NotFound { .. } => "NOT_FOUND",
            DomainError::AlreadyExists { .. } => "ALREADY_EXISTS",
        }
    }
}

/// Why a stored event could not be turned back into a domain event.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("unknown event type {0}")]
    UnknownEventType(String),
    #[error(
        "{event_type}: schema version {version} is newer than this build understands ({current})"
    )]
    UnsupportedVersion {
        event_type: String,
        version: u32,
        current: u32,
    },
    #[error("{event_type} v{version}: {message}")]
    Malformed {
        event_type: String,
        version: u32,
        message: String,
    },
}
