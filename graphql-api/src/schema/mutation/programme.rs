//! Merger programmes: predecessors becoming one successor on legal day one.

use chrono::NaiveDate;
use hrledger_domain::programme::Command;
use hrledger_domain::Narrative;
use uuid::Uuid;

use super::{command_input, mutations};
use crate::schema::inputs::{CaseRefInput, PolicyInput};

command_input! {
    OpenMergerProgrammeInput => Programme(Command::OpenProgramme) {
        programme_id: Uuid,
        name: String,
        /// Codes of the predecessor organisations.
        predecessors: Vec<String>,
        /// Code of the successor organisation.
        successor: String,
        legal_day_one: NaiveDate,
        /// Local policy; the defaults when absent.
        policy: Option<PolicyInput>,
        effective_date: NaiveDate,
    }
}

command_input! {
    LinkCaseInput => Programme(Command::LinkCase) {
        programme_id: Uuid,
        case: CaseRefInput,
        effective_date: NaiveDate,
    }
}

command_input! {
    ChangePolicyInput => Programme(Command::ChangePolicy) {
        programme_id: Uuid,
        policy: PolicyInput,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    SchedulePayrollMergeInput => Programme(Command::SchedulePayrollMerge) {
        programme_id: Uuid,
        from_database: String,
        to_database: String,
        merge_date: NaiveDate,
        freeze_from: NaiveDate,
        freeze_until: NaiveDate,
        effective_date: NaiveDate,
    }
}

command_input! {
    CompletePayrollMergeInput => Programme(Command::CompletePayrollMerge) {
        programme_id: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    CloseProgrammeInput => Programme(Command::CloseProgramme) {
        programme_id: Uuid,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

mutations!(ProgrammeMutations {
    /// Opens a merger programme (predecessors, successor, legal day one, local policy).
    open_merger_programme(OpenMergerProgrammeInput),
    /// Links a case to a programme so it counts on the programme's dashboard.
    link_case(LinkCaseInput),
    /// Changes the programme's local policy from an effective date.
    change_policy(ChangePolicyInput),
    /// Schedules the payroll database merge and its freeze window.
    schedule_payroll_merge(SchedulePayrollMergeInput),
    /// Records the payroll merge as done.
    complete_payroll_merge(CompletePayrollMergeInput),
    /// Closes the programme.
    close_programme(CloseProgrammeInput),
});
