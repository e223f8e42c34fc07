//! Opening the ledger from a URL with errors a person can act on: an unreachable server or a
//! missing file is named in one line, and a password in the URL is never printed.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use hrledger_store::EventStore;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// How long to wait for a PostgreSQL server before giving up. sqlx's pool would retry a
/// refused connection for 30 s and then report only "pool timed out"; one direct attempt
/// gives the real cause quickly.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating and migrating if needed) the ledger at `url`.
pub async fn open(url: &str) -> Result<EventStore> {
    if is_postgres(url) {
        probe_postgres(url).await?;
    } else {
        check_sqlite_directory(url)?;
    }
    EventStore::open(url)
        .await
        .with_context(|| format!("cannot open the ledger at {}", redact(url)))
}

/// Opens a ledger that must already exist: reading commands never create an empty one.
pub async fn open_existing(url: &str) -> Result<EventStore> {
    if let Some(path) = sqlite_path(url) {
        if !path.exists() {
            bail!(
                "no ledger at {}: {} does not exist (run 'hrledger migrate' or 'hrledger demo' first, or pass --db)",
                redact(url),
                path.display()
            );
        }
    }
    open(url).await
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The file behind a `sqlite:` URL; `None` for PostgreSQL or an in-memory database.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn check_sqlite_directory(url: &str) -> Result<()> {
    let Some(path) = sqlite_path(url) else {
        return Ok(());
    };
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent {
        if !dir.is_dir() {
            bail!(
                "cannot open the ledger at {}: directory {} does not exist",
                redact(url),
                dir.display()
            );
        }
    }
    Ok(())
}

async fn probe_postgres(url: &str) -> Result<()> {
    let options = PgConnectOptions::from_str(url)
        .with_context(|| format!("invalid PostgreSQL URL {}", redact(url)))?;
    let options = options.disable_statement_logging();
    match tokio::time::timeout(CONNECT_TIMEOUT, sqlx::PgConnection::connect_with(&options)).await {
        Err(_) => bail!(
            "cannot reach PostgreSQL at {}: no answer within {} s",
            redact(url),
            CONNECT_TIMEOUT.as_secs()
        ),
        Ok(Err(e)) => bail!("cannot reach PostgreSQL at {}: {e}", redact(url)),
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            Ok(())
        }
    }
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    let Some((user, _password)) = userinfo.split_once(':') else {
        return url.to_string();
    };
    format!(
        "{}{user}:***@{host}{}",
        &url[..authority_start],
        &url[authority_end..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_and_the_rest_kept() {
        assert_eq!(
            redact("postgres://hr:s3cret@db.example:5432/ledger?sslmode=require"),
            "postgres://hr:***@db.example:5432/ledger?sslmode=require"
        );
        assert_eq!(
            redact("postgres://hr@db.example/ledger"),
            "postgres://hr@db.example/ledger"
        );
        assert_eq!(redact("sqlite://hrledger.db"), "sqlite://hrledger.db");
    }

    #[test]
    fn sqlite_paths_are_found_in_both_url_forms() {
        assert_eq!(
            sqlite_path("sqlite://dir/a.db?mode=rwc"),
            Some(PathBuf::from("dir/a.db"))
        );
        assert_eq!(sqlite_path("sqlite:a.db"), Some(PathBuf::from("a.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }
}
