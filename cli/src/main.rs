//! `hrledger`: the one binary every user starts from. `main` only parses the command line,
//! sets up logging and maps the outcome to an exit code; each subcommand lives in its own
//! module under [`commands`].

mod cli;
mod commands;
mod db;
mod exit;
mod export_line;
mod logging;

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return exit::usage_error(e),
    };
    logging::init(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return exit::report(anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => exit::report(e),
    }
}
