//! The command line: global options and the list of subcommands. Each subcommand's arguments
//! are declared beside its code in `commands/<name>.rs`.

use clap::{Args, Parser, Subcommand};

use crate::commands::{
    demo, digest, export, import, migrate, rebuild, replay, serve, token, verify,
};
use crate::logging::LogFormat;

/// hrledger: an event-sourced case ledger for UK HR processes (TUPE/COSOP transfers, merger
/// programmes, consultations, appointments, displacement, mediation).
#[derive(Debug, Parser)]
#[command(name = "hrledger", version, propagate_version = true)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// The ledger database, shared by every subcommand that touches the ledger.
#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// sqlite://FILE (created and migrated on first use) or postgres://USER@HOST/DATABASE.
    #[arg(
        long = "db",
        env = "HRLEDGER_DB",
        default_value = "sqlite://hrledger.db",
        value_name = "URL",
        hide_env_values = true,
        global = true
    )]
    pub url: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (GraphiQL on /graphql); --demo seeds the demo programme first.
    Serve(serve::ServeArgs),
    /// Seed the deterministic demo merger programme through the command path.
    Demo(demo::DemoArgs),
    /// Import data from files (a staff list from a payroll extract).
    Import(import::ImportArgs),
    /// Build the read models as they were at a past position or time, into another database.
    Replay(replay::ReplayArgs),
    /// Empty the read models and rebuild them from the whole ledger.
    Rebuild(rebuild::RebuildArgs),
    /// Recompute the hash chain and report the first bad position (or check an export file).
    Verify(verify::VerifyArgs),
    /// Print the current digest POSITION:HASH, to hand to auditors.
    Digest(digest::DigestArgs),
    /// Write the whole ledger, one event per line with its hash, for offline verification.
    Export(export::ExportArgs),
    /// Create, list and revoke API tokens.
    Token(token::TokenArgs),
    /// Create the database if needed and bring its schema up to date.
    Migrate(migrate::MigrateArgs),
}
