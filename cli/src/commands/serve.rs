//! `hrledger serve`: the GraphQL API over the ledger, with the projector following it live.
//! `--demo` seeds the demo programme into an empty ledger and prints a fresh token per role.
//! SIGINT or SIGTERM stops accepting connections, lets in-flight requests (and the writes they
//! were acknowledged for) finish, stops the projector and closes the store.

use std::net::{SocketAddr, TcpListener};

use anyhow::{Context, Result};
use clap::Args;
use hrledger_commands::Role;
use hrledger_graphql::auth::{self, TokenDb};
use hrledger_graphql::{Server, ServerConfig};

use crate::cli::DbArg;
use crate::db;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(
        long,
        env = "HRLEDGER_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
    /// Seed the demo programme if the ledger is empty, and print a new token for each role.
    #[arg(long)]
    pub demo: bool,
}

pub async fn run(args: ServeArgs) -> Result<()> {
    // Checked before anything is written, so a port in use fails with nothing half-done.
    ensure_port_free(args.listen)?;
    if args.demo {
        seed_if_empty(&args.db.url).await?;
    } else {
        // Creates and migrates a new SQLite file; names an unreachable server in one line.
        db::open(&args.db.url).await?.close().await;
    }
    let config = ServerConfig::new(args.db.url.clone(), args.listen);
    let server = Server::start(config)
        .await
        .with_context(|| format!("cannot start the API on {}", args.listen))?;
    let addr = server.local_addr();
    if args.demo {
        print_demo_tokens(server.tokens()).await?;
    }
    println!("hrledger listening on http://{addr} (GraphiQL: http://{addr}/graphql)");
    flush_stdout();
    server.run(shutdown_signal()).await?;
    eprintln!("hrledger stopped");
    Ok(())
}

fn ensure_port_free(addr: SocketAddr) -> Result<()> {
    if addr.port() == 0 {
        return Ok(());
    }
    TcpListener::bind(addr)
        .map(drop)
        .with_context(|| format!("cannot listen on {addr}"))
}

async fn seed_if_empty(url: &str) -> Result<()> {
    let store = db::open(url).await?;
    let head = store.head().await;
    let seeded = match head {
        Ok(0) => super::demo::seed(&store).await.map(Some),
        Ok(_) => Ok(None),
        Err(e) => Err(e.into()),
    };
    store.close().await;
    match seeded? {
        Some(s) => eprintln!(
            "seeded the demo programme {}: {} staff, ledger head {}",
            s.programme, s.staff, s.head
        ),
        None => eprintln!("the ledger already holds events; not seeding the demo"),
    }
    Ok(())
}

/// One new token per role. Token names are never reused (they are actors in the ledger), so
/// each start takes the next free `demo-<role>[-n]` name.
async fn print_demo_tokens(tokens: &TokenDb) -> Result<()> {
    let existing: Vec<String> = auth::list_tokens(tokens)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    println!("demo tokens (shown once; send as 'Authorization: Bearer <token>'):");
    for role in Role::ALL {
        let name = free_name(&format!("demo-{role}"), &existing);
        let secret = auth::create_token(tokens, &name, role).await?;
        println!("  {:<11} {secret}", role.as_str());
    }
    Ok(())
}

fn free_name(base: &str, existing: &[String]) -> String {
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|name| !existing.contains(name))
        .expect("an unbounded sequence has a free name")
}

fn flush_stdout() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM (what service managers send).
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::free_name;

    #[test]
    fn demo_token_names_skip_taken_ones() {
        let taken = vec!["demo-admin".to_string(), "demo-admin-2".to_string()];
        assert_eq!(free_name("demo-admin", &taken), "demo-admin-3");
        assert_eq!(free_name("demo-payroll", &taken), "demo-payroll");
    }
}
