//! Bearer tokens: created by the CLI, stored hashed, carrying a name (the actor written into
//! every event) and a role. A request is authenticated by hashing the presented secret and
//! looking the hash up among tokens that are not revoked; successful lookups are cached for
//! a second ([`crate::token_cache`] explains why revocation still holds).

use std::time::Instant;

use chrono::{DateTime, Utc};
use hrledger_commands::{Actor, Role};
use hrledger_store::Backend;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::token_cache::{SecretHash, TokenCache, TOKEN_CACHE_TTL};

/// Every secret starts with this, so a leaked one is recognisable (e.g. by secret scanners).
pub const SECRET_PREFIX: &str = "hrl_";
/// Longest token name; names become actor names in the ledger.
const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("a token named {0:?} already exists (names are never reused: they identify actors in the ledger)")]
    DuplicateName(String),
    #[error("no token named {0:?}")]
    UnknownToken(String),
    #[error("token {0:?} is already revoked")]
    AlreadyRevoked(String),
    #[error(
        "invalid token name {0:?}: use 1-{MAX_NAME_CHARS} letters, digits, '.', '_', '-' or '@'"
    )]
    InvalidName(String),
    #[error("token {name:?} has an unknown role {role:?}")]
    UnknownRole { name: String, role: String },
    #[error("token database: {0}")]
    Database(#[from] sqlx::Error),
}

/// The token table, in the ledger's own database, with the recently authenticated tokens.
#[derive(Debug, Clone)]
pub struct TokenDb {
    backend: Backend,
    cache: TokenCache,
}

impl From<Backend> for TokenDb {
    fn from(backend: Backend) -> Self {
        TokenDb {
            backend,
            cache: TokenCache::default(),
        }
    }
}

/// A token as listed (never with its secret, which is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Runs the same sqlx code on whichever pool the backend holds.
macro_rules! on_pool {
    ($backend:expr, $p:ident => $body:expr) => {
        match $backend {
            Backend::Sqlite($p) => $body,
            Backend::Postgres($p) => $body,
        }
    };
}

/// Creates a token and returns its secret, which is shown once and never stored.
pub async fn create_token(db: &TokenDb, name: &str, role: Role) -> Result<String, AuthError> {
    validate_name(name)?;
    let secret = new_secret();
    const SQL: &str = "INSERT INTO api_tokens (name, role, secret_hash, created_at) \
        VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING";
    let inserted = on_pool!(&db.backend, p => sqlx::query(SQL)
        .bind(name)
        .bind(role.as_str())
        .bind(hex::encode(hash_secret(&secret)))
        .bind(now_text())
        .execute(p)
        .await?
        .rows_affected());
    if inserted == 0 {
        return Err(AuthError::DuplicateName(name.to_string()));
    }
    Ok(secret)
}

/// Every token, revoked ones included, by name.
pub async fn list_tokens(db: &TokenDb) -> Result<Vec<TokenInfo>, AuthError> {
    const SQL: &str = "SELECT name, role, created_at, revoked_at FROM api_tokens ORDER BY name";
    let rows: Vec<(String, String, String, Option<String>)> =
        on_pool!(&db.backend, p => sqlx::query_as(SQL).fetch_all(p).await?);
    rows.into_iter()
        .map(|(name, role, created_at, revoked_at)| {
            let role = parse_role(&name, &role)?;
            Ok(TokenInfo {
                name,
                role,
                created_at,
                revoked_at,
            })
        })
        .collect()
}

/// Revokes a token: once this returns it authenticates nothing, in any server process. It
/// returns [`TOKEN_CACHE_TTL`] after the revocation is committed, when every server's cached
/// lookup of the token has expired.
pub async fn revoke_token(db: &TokenDb, name: &str) -> Result<(), AuthError> {
    const SQL: &str =
        "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL";
    let updated = on_pool!(&db.backend, p => sqlx::query(SQL)
        .bind(now_text())
        .bind(name)
        .execute(p)
        .await?
        .rows_affected());
    if updated == 1 {
        db.cache.forget(name);
        tokio::time::sleep(TOKEN_CACHE_TTL).await;
        return Ok(());
    }
    let exists = list_tokens(db).await?.into_iter().any(|t| t.name == name);
    Err(if exists {
        AuthError::AlreadyRevoked(name.to_string())
    } else {
        AuthError::UnknownToken(name.to_string())
    })
}

/// The actor a presented secret (with or without a `Bearer ` prefix) stands for, if any.
pub async fn authenticate(db: &TokenDb, bearer: &str) -> Result<Option<Actor>, AuthError> {
    let secret = bearer.trim();
    let secret = secret.strip_prefix("Bearer ").unwrap_or(secret).trim();
    if !secret.starts_with(SECRET_PREFIX) {
        return Ok(None);
    }
    let hash = hash_secret(secret);
    if let Some(actor) = db.cache.get(&hash) {
        return Ok(Some(actor));
    }
    // Taken before the lookup is sent: the entry must expire a TTL after the earliest moment
    // the database could have answered, not after the answer arrived.
    let asked = Instant::now();
    let actor = look_up(db, &hash).await?;
    if let Some(actor) = &actor {
        db.cache.insert(hash, actor.clone(), asked);
    }
    Ok(actor)
}

/// The actor of a valid (not revoked) token with this secret hash, from the table.
async fn look_up(db: &TokenDb, hash: &SecretHash) -> Result<Option<Actor>, AuthError> {
    const SQL: &str =
        "SELECT name, role FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL";
    let row: Option<(String, String)> = on_pool!(&db.backend, p => sqlx::query_as(SQL)
        .bind(hex::encode(hash))
        .fetch_optional(p)
        .await?);
    match row {
        Some((name, role)) => {
            let role = parse_role(&name, &role)?;
            Ok(Some(Actor::new(name, role)))
        }
        None => Ok(None),
    }
}

/// `hrl_` and 64 hex digits: 32 bytes from the OS random source, by way of two v4 UUIDs
/// (244 random bits, far beyond guessing).
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(Uuid::new_v4().as_bytes());
    format!("{SECRET_PREFIX}{}", hex::encode(bytes))
}

fn hash_secret(secret: &str) -> SecretHash {
    Sha256::digest(secret.as_bytes()).into()
}

fn validate_name(name: &str) -> Result<(), AuthError> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AuthError::InvalidName(name.to_string()))
    }
}

fn parse_role(name: &str, role: &str) -> Result<Role, AuthError> {
    Role::parse(role).ok_or_else(|| AuthError::UnknownRole {
        name: name.to_string(),
        role: role.to_string(),
    })
}

fn now_text() -> String {
    let now: DateTime<Utc> = Utc::now();
    now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_have_the_printed_format_and_differ() {
        let a = new_secret();
        let b = new_secret();
        assert_eq!(a.len(), SECRET_PREFIX.len() + 64);
        assert!(a.starts_with(SECRET_PREFIX));
        assert!(a[SECRET_PREFIX.len()..]
            .chars()
            .all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn names_are_restricted_to_actor_safe_characters() {
        assert!(validate_name("payroll-sync@trust").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("robert'); drop").is_err());
        assert!(validate_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
