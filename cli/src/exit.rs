//! Exit codes and how failures are shown: one clear line on stderr (plus, for rejected input,
//! one line per problem), so scripts can branch on the code and people can read the line.
//!
//! | code | meaning                                                               |
//! |------|-----------------------------------------------------------------------|
//! | 0    | success                                                               |
//! | 1    | the command could not be carried out (database unreachable, port in use, ...) |
//! | 2    | usage error: unknown flag, missing or malformed argument              |
//! | 3    | integrity failure: the hash chain (or an export, or a digest) does not verify |
//! | 4    | input rejected: e.g. bad CSV rows; nothing was written                |

use std::process::ExitCode;

pub const USAGE: u8 = 2;
pub const INTEGRITY: u8 = 3;
pub const REJECTED: u8 = 4;

/// Failures that need their own exit code; anything else is code 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The ledger (or an export of it) does not verify.
    #[error("{0}")]
    Integrity(String),
    /// The input was refused as a whole; `details` names every problem.
    #[error("{summary}")]
    Rejected {
        summary: String,
        details: Vec<String>,
    },
}

/// Prints `error` on stderr and returns its exit code.
pub fn report(error: anyhow::Error) -> ExitCode {
    // `{:#}` joins the context chain with ": " on one line; stray newlines from lower layers
    // are folded so the message stays one line.
    let line = format!("{error:#}").replace('\n', " ");
    eprintln!("error: {line}");
    match error.downcast_ref::<Failure>() {
        Some(Failure::Integrity(_)) => ExitCode::from(INTEGRITY),
        Some(Failure::Rejected { details, .. }) => {
            for detail in details {
                eprintln!("  {detail}");
            }
            ExitCode::from(REJECTED)
        }
        None => ExitCode::FAILURE,
    }
}

/// clap's own errors: help and version print as usual; a usage error becomes one line.
pub fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            // clap exits 2 for help shown because a subcommand is missing; keep that.
            if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(USAGE)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            // clap's message is its first paragraph (the missing arguments are on the lines
            // below "were not provided:"); tips and usage follow a blank line.
            let rendered = error.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let message = message.join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            eprintln!("error: {message} (see 'hrledger --help')");
            ExitCode::from(USAGE)
        }
    }
}
