//! Every failure the API reports, with the stable `extensions.code` clients branch on.
//!
//! Codes: `RULE_VIOLATION` (with `extensions.rule`), `CONFLICT`, `NOT_FOUND`, `FORBIDDEN`,
//! `VALIDATION` (with `extensions.field` where known), `UNAUTHENTICATED`, `INTERNAL`.
//! Domain messages pass through unchanged: they name the regulation and the dates.

use async_graphql::ErrorExtensions;
use hrledger_commands::CommandError;
use hrledger_domain::DomainError;
use hrledger_projections::ProjectionError;
use hrledger_store::StoreError;

use crate::auth::AuthError;

pub const RULE_VIOLATION: &str = "RULE_VIOLATION";
pub const CONFLICT: &str = "CONFLICT";
pub const NOT_FOUND: &str = "NOT_FOUND";
pub const FORBIDDEN: &str = "FORBIDDEN";
pub const VALIDATION: &str = "VALIDATION";
pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
pub const INTERNAL: &str = "INTERNAL";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("role {role} may not {what}")]
    Forbidden { role: String, what: &'static str },
    #[error("no valid bearer token: send `Authorization: Bearer <token>`")]
    Unauthenticated,
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    NotFound(String),
    /// The read models did not reach a position a client asked to read its own write at.
    #[error("the read models have not reached position {wanted} within {seconds} s (they are at {reached}); retry shortly")]
    NotYetVisible {
        wanted: u64,
        reached: u64,
        seconds: u64,
    },
}

impl ApiError {
    pub fn validation(message: impl Into<String>) -> Self {
        ApiError::Validation(message.into())
    }

    /// The stable code and, for rule violations and invalid fields, the rule or field.
    fn classify(&self) -> (&'static str, Option<(&'static str, String)>) {
        match self {
            ApiError::Command(CommandError::Domain(e)) => classify_domain(e),
            ApiError::Command(CommandError::Conflict(_)) => (CONFLICT, None),
            ApiError::Command(CommandError::Forbidden { .. }) | ApiError::Forbidden { .. } => {
                (FORBIDDEN, None)
            }
            ApiError::Command(CommandError::Validation(_)) | ApiError::Validation(_) => {
                (VALIDATION, None)
            }
            ApiError::Store(StoreError::Conflict { .. }) => (CONFLICT, None),
            ApiError::NotFound(_) => (NOT_FOUND, None),
            ApiError::Unauthenticated => (UNAUTHENTICATED, None),
            ApiError::Command(_)
            | ApiError::Projection(_)
            | ApiError::Store(_)
            | ApiError::Auth(_)
            | ApiError::NotYetVisible { .. } => (INTERNAL, None),
        }
    }

    /// Internal failures are logged in full but reported without database details, except
    /// the store's own advice on an uncertain commit (re-send with the same command id).
    fn public_message(&self) -> String {
        match self {
            ApiError::Command(CommandError::Store(e @ StoreError::CommitFailed(_))) => {
                e.to_string()
            }
            ApiError::NotYetVisible { .. } => self.to_string(),
            _ if self.classify().0 == INTERNAL => {
                tracing::error!(error = %self, "internal error");
                "internal error; it has been logged".to_string()
            }
            _ => self.to_string(),
        }
    }
}

fn classify_domain(e: &DomainError) -> (&'static str, Option<(&'static str, String)>) {
    match e {
        DomainError::RuleViolation { rule, .. } => {
            (RULE_VIOLATION, Some(("rule", rule.to_string())))
        }
        DomainError::InvalidState { code, .. } => {
            (RULE_VIOLATION, Some(("rule", code.to_string())))
        }
        DomainError::InvalidCommand { field, .. } => {
            (VALIDATION, Some(("field", field.to_string())))
        }
        DomainError::NotFound { .. } => (NOT_FOUND, None),
        DomainError::AlreadyExists { .. } => (CONFLICT, None),
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let (code, detail) = self.classify();
        async_graphql::Error::new(self.public_message()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some((key, value)) = detail {
                ext.set(key, value);
            }
        })
    }
}

/// Converts any failure the API knows into a coded GraphQL error (`.map_err(gql)`).
pub fn gql(error: impl Into<ApiError>) -> async_graphql::Error {
    error.into().extend()
}

/// The result type of resolvers.
pub type ApiResult<T> = Result<T, async_graphql::Error>;

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(e: ApiError) -> (String, Option<String>) {
        let err = e.extend();
        let ext = err.extensions.expect("extensions");
        let code = ext.get("code").map(|v| v.to_string()).unwrap_or_default();
        let rule = ext.get("rule").map(|v| v.to_string());
        (
            code.trim_matches('"').to_string(),
            rule.map(|r| r.trim_matches('"').to_string()),
        )
    }

    #[test]
    fn rule_violations_carry_the_rule() {
        let e = ApiError::from(CommandError::Domain(DomainError::rule(
            "TUPE_REG4_7_OBJECTION_AFTER_TRANSFER",
            "objection received 2026-05-02 after the transfer on 2026-04-01",
        )));
        let (code, rule) = code_of(e);
        assert_eq!(code, RULE_VIOLATION);
        assert_eq!(
            rule.as_deref(),
            Some("TUPE_REG4_7_OBJECTION_AFTER_TRANSFER")
        );
    }

    #[test]
    fn each_command_error_has_its_own_code() {
        let cases = [
            (CommandError::Conflict("x".into()), CONFLICT),
            (
                CommandError::Forbidden {
                    role: "payroll".into(),
                },
                FORBIDDEN,
            ),
            (CommandError::Validation("x".into()), VALIDATION),
            (
                CommandError::Domain(DomainError::not_found("employee-1", "x")),
                NOT_FOUND,
            ),
            (
                CommandError::Domain(DomainError::AlreadyExists { stream: "s".into() }),
                CONFLICT,
            ),
            (CommandError::Store(StoreError::Closed), INTERNAL),
        ];
        for (error, expected) in cases {
            assert_eq!(code_of(ApiError::from(error)).0, expected);
        }
    }

    #[test]
    fn internal_details_are_not_leaked() {
        let err = ApiError::from(StoreError::Corrupt {
            position: 7,
            detail: "secret table detail".into(),
        })
        .extend();
        assert!(!err.message.contains("secret table detail"));
    }
}
