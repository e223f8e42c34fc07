//! Organisations: employing bodies (ICBs, trusts, CSUs, ...).

use chrono::NaiveDate;
use hrledger_domain::organisation::Command;
use hrledger_domain::Narrative;

use super::{command_input, mutations};
use crate::schema::inputs::OrganisationKind;

command_input! {
    /// Registers an employing organisation under its (ODS-like) code.
    RegisterOrganisationInput => Organisation(Command::RegisterOrganisation) {
        code: String,
        name: String,
        kind: OrganisationKind,
        payroll_database_id: Option<String>,
        effective_date: NaiveDate,
    }
}

command_input! {
    RenameOrganisationInput => Organisation(Command::RenameOrganisation) {
        code: String,
        new_name: String,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    DissolveOrganisationInput => Organisation(Command::DissolveOrganisation) {
        code: String,
        successor_code: Option<String>,
        effective_date: NaiveDate,
    }
}

mutations!(OrganisationMutations {
    /// Registers an employing organisation.
    register_organisation(RegisterOrganisationInput),
    /// Renames an organisation from an effective date; the command's reason is recorded.
    rename_organisation(RenameOrganisationInput),
    /// Dissolves an organisation, naming its successor if any.
    dissolve_organisation(DissolveOrganisationInput),
});
