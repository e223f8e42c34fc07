//! Mutations: one typed mutation per domain command, named after it in camelCase.
//!
//! Every input carries `commandId` (the client's idempotency key: a retry returns the first
//! result and appends nothing), `reason` (recorded on every event) and an optional
//! `expectedVersion` of the command's stream (optimistic concurrency). The actor and role come
//! from the bearer token only; nothing in an input can name another actor.

mod appointment;
mod consultation;
mod displacement;
mod employee;
mod mediation;
mod organisation;
mod programme;
mod transfer;

use async_graphql::{Context, MergedObject};
use hrledger_commands::CommandOptions;
use hrledger_domain::LedgerCommand;

use crate::error::{gql, ApiError, ApiResult};
use crate::schema::access::{actor, Access};
use crate::schema::context::ApiContext;
use crate::schema::types::CommandResult;

/// An input that becomes one domain command plus its options.
pub trait CommandInput {
    fn into_command(self) -> Result<(LedgerCommand, CommandOptions), ApiError>;
}

/// Runs a command as the token's actor. Roles that may not issue commands are refused here,
/// before anything is decided or written (the command path checks again).
pub async fn run(ctx: &Context<'_>, input: impl CommandInput) -> ApiResult<CommandResult> {
    let actor = actor(ctx)?;
    if !Access::Commands.allows(actor.role) {
        return Err(gql(ApiError::Forbidden {
            role: actor.role.to_string(),
            what: "issue commands (only admin and hr_adviser may)",
        }));
    }
    let (command, options) = input.into_command().map_err(gql)?;
    let api = ctx.data_unchecked::<ApiContext>();
    let outcome = api.ledger.execute(command, actor, &options).await;
    if let Ok(o) = &outcome {
        if !o.replayed {
            api.metrics.appended(o.events.len() as u64);
        }
    }
    outcome.map(CommandResult::from).map_err(gql)
}

/// Declares a command's input type and its conversion into the domain command.
///
/// `fields` map one-to-one (same name) onto the domain command's fields through
/// [`ToDomain`](crate::schema::inputs::ToDomain). Optional `extra` fields exist only in the
/// input; `set |input, reason| { field: expr }` computes the remaining domain fields, e.g. a
/// domain `reason` narrative filled from the command's own `reason`.
macro_rules! command_input {
    (
        $(#[$doc:meta])*
        $input:ident => $wrap:ident($($path:ident)::+) {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)?
        }
        $( extra { $( $(#[$xdoc:meta])* $xfield:ident : $xty:ty ),* $(,)? } )?
        $( set |$inp:ident, $reason:ident| { $( $dfield:ident : $dexpr:expr ),* $(,)? } )?
    ) => {
        $(#[$doc])*
        #[derive(async_graphql::InputObject, Debug, Clone)]
        pub struct $input {
            /// The client's id for this command: re-sending it returns the first result and
            /// appends nothing. Prefer a time-ordered UUID (version 7): the ledger indexes
            /// every command id, and ids that follow one another are written side by side
            /// (random ones each touch a page of their own).
            pub command_id: uuid::Uuid,
            /// Why, in the adviser's words; recorded on every event the command writes.
            pub reason: String,
            /// The version of the command's stream the client last saw; if it has moved on,
            /// the command fails with CONFLICT and nothing is written.
            pub expected_version: Option<u64>,
            $( $(#[$fdoc])* pub $field: $ty, )*
            $($( $(#[$xdoc])* pub $xfield: $xty, )*)?
        }

        impl $crate::schema::mutation::CommandInput for $input {
            fn into_command(
                self,
            ) -> Result<(hrledger_domain::LedgerCommand, hrledger_commands::CommandOptions), $crate::error::ApiError> {
                #[allow(unused_imports)]
                use $crate::schema::inputs::ToDomain;
                let mut options = hrledger_commands::CommandOptions::new(self.command_id, self.reason.clone());
                options.expected_version = self.expected_version;
                let input = self;
                $( let $inp = &input; let $reason: &str = &options.reason; )?
                let command = $($path)::+ {
                    $( $field: ToDomain::to_domain(input.$field.clone())?, )*
                    $($( $dfield: $dexpr, )*)?
                };
                Ok((hrledger_domain::LedgerCommand::$wrap(command), options))
            }
        }
    };
}
pub(crate) use command_input;

/// Declares a mutation object whose fields each run one command input.
macro_rules! mutations {
    ($name:ident { $( $(#[$doc:meta])* $field:ident($input:ty) ),* $(,)? }) => {
        #[derive(Default)]
        pub struct $name;

        #[async_graphql::Object]
        impl $name {
            $(
                $(#[$doc])*
                async fn $field(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    input: $input,
                ) -> $crate::error::ApiResult<$crate::schema::types::CommandResult> {
                    $crate::schema::mutation::run(ctx, input).await
                }
            )*
        }
    };
}
pub(crate) use mutations;

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    organisation::OrganisationMutations,
    employee::EmployeeMutations,
    programme::ProgrammeMutations,
    transfer::TransferMutations,
    consultation::ConsultationMutations,
    appointment::AppointmentMutations,
    displacement::DisplacementMutations,
    mediation::MediationMutations,
);
