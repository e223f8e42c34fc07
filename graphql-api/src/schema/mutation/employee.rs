//! Staff records: registration, employment, assignments, terms, pay protection, leaving.

use chrono::NaiveDate;
use hrledger_domain::employee::Command;
use hrledger_domain::Narrative;
use uuid::Uuid;

use super::{command_input, mutations};
use crate::schema::inputs::{
    AssignmentInput, GradeInput, LeavingReason, PersonalDetailsInput, Text, VariationReason,
};

command_input! {
    /// Registers a person (a staff record with no employment yet).
    RegisterEmployeeInput => Employee(Command::RegisterEmployee) {
        employee_id: Uuid,
        personal: PersonalDetailsInput,
        effective_date: NaiveDate,
    }
}

command_input! {
    /// Corrects personal details; the earlier registration stays in the ledger.
    CorrectPersonalDetailsInput => Employee(Command::CorrectPersonalDetails) {
        employee_id: Uuid,
        personal: PersonalDetailsInput,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    StartEmploymentInput => Employee(Command::StartEmployment) {
        employee_id: Uuid,
        employer_code: String,
        start_date: NaiveDate,
        /// Defaults to the start date; earlier when prior NHS service counts.
        continuous_service_date: Option<NaiveDate>,
        assignment: AssignmentInput,
    }
}

command_input! {
    ChangeAssignmentInput => Employee(Command::ChangeAssignment) {
        employee_id: Uuid,
        assignment: AssignmentInput,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    /// Varies contractual terms; TUPE reg 4(4) voids a variation whose reason is the transfer.
    VaryTermsInput => Employee(Command::VaryTerms) {
        employee_id: Uuid,
        description: Text,
        linked_transfer: Option<Uuid>,
        effective_date: NaiveDate,
    }
    extra {
        variation_reason: VariationReason,
        /// Required for collective-agreement variations (reg 4(5B)).
        no_less_favourable: Option<bool>,
    }
    set |input, _reason| { reason: input.variation_reason.to_domain(input.no_less_favourable)? }
}

command_input! {
    ApplyPayProtectionInput => Employee(Command::ApplyPayProtection) {
        employee_id: Uuid,
        protected_grade: GradeInput,
        until: Option<NaiveDate>,
        policy_reference: String,
        case_id: Option<Uuid>,
        effective_date: NaiveDate,
    }
}

command_input! {
    EndPayProtectionInput => Employee(Command::EndPayProtection) {
        employee_id: Uuid,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    EndEmploymentInput => Employee(Command::EndEmployment) {
        employee_id: Uuid,
        effective_date: NaiveDate,
    }
    extra { leaving_reason: LeavingReason }
    set |input, _reason| { reason: input.leaving_reason.into() }
}

mutations!(EmployeeMutations {
    /// Registers a person: a staff record with no employment yet.
    register_employee(RegisterEmployeeInput),
    /// Corrects personal details (a compensating event; nothing is edited).
    correct_personal_details(CorrectPersonalDetailsInput),
    /// Starts employment with an employer in a post.
    start_employment(StartEmploymentInput),
    /// Moves the employee to another post from an effective date.
    change_assignment(ChangeAssignmentInput),
    /// Varies contractual terms, checked against TUPE reg 4(4)-(5B) when linked to a transfer.
    vary_terms(VaryTermsInput),
    /// Applies pay protection.
    apply_pay_protection(ApplyPayProtectionInput),
    /// Ends pay protection.
    end_pay_protection(EndPayProtectionInput),
    /// Ends employment (objections to a transfer are recorded on the transfer case instead).
    end_employment(EndEmploymentInput),
});
