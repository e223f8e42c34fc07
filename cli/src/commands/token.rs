//! `hrledger token create|list|revoke`: API bearer tokens, stored hashed in the ledger's
//! database. `create` prints the secret alone on stdout so scripts can capture it; it is shown
//! once and cannot be recovered.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use hrledger_commands::Role;
use hrledger_graphql::auth::{self, TokenDb};

use crate::cli::DbArg;
use crate::db;

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(subcommand)]
    pub action: TokenAction,
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print its secret (alone, on stdout).
    Create {
        /// admin, hr_adviser, payroll or auditor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The token's name: recorded as the actor of every command issued with it.
        #[arg(long)]
        name: String,
    },
    /// List tokens (names, roles, dates; never secrets).
    List,
    /// Revoke a token: it authenticates nothing from now on.
    Revoke {
        /// The token's name.
        name: String,
    },
}

pub fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!("unknown role {text:?}: use one of admin, hr_adviser, payroll, auditor")
    })
}

pub async fn run(args: TokenArgs) -> Result<()> {
    let store = db::open(&args.db.url).await?;
    let tokens = TokenDb::from(store.backend());
    let result = act(&tokens, args.action).await;
    store.close().await;
    result
}

async fn act(tokens: &TokenDb, action: TokenAction) -> Result<()> {
    match action {
        TokenAction::Create { role, name } => {
            let secret = auth::create_token(tokens, &name, role)
                .await
                .context("creating the token")?;
            println!("{secret}");
        }
        TokenAction::List => {
            let list = auth::list_tokens(tokens).await?;
            println!("{:<32} {:<11} {:<32} REVOKED", "NAME", "ROLE", "CREATED");
            for t in list {
                let revoked = t.revoked_at.as_deref().unwrap_or("-");
                println!(
                    "{:<32} {:<11} {:<32} {revoked}",
                    t.name, t.role, t.created_at
                );
            }
        }
        TokenAction::Revoke { name } => {
            auth::revoke_token(tokens, &name).await?;
            eprintln!("token {name:?} revoked");
        }
    }
    Ok(())
}
