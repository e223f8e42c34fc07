//! Transfer cases: TUPE business transfers, service provision changes and COSOP transfers.

use chrono::NaiveDate;
use hrledger_domain::transfer::Command;
use hrledger_domain::Narrative;
use uuid::Uuid;

use super::{command_input, mutations};
use crate::schema::inputs::{Party, RepresentativeKind, StaffToScopeInput, Text, TransferBasis};

command_input! {
    ProposeTransferInput => Transfer(Command::ProposeTransfer) {
        transfer_id: Uuid,
        programme_id: Option<Uuid>,
        basis: TransferBasis,
        /// Code of the transferor organisation.
        transferor: String,
        /// Code of the transferee organisation.
        transferee: String,
        transfer_date: NaiveDate,
        effective_date: NaiveDate,
    }
}

command_input! {
    /// Scopes staff into the transfer (bulk: hundreds in one command, all or none).
    ScopeStaffInInput => Transfer(Command::ScopeStaffIn) {
        transfer_id: Uuid,
        staff: Vec<StaffToScopeInput>,
        effective_date: NaiveDate,
    }
}

command_input! {
    ScopeStaffOutInput => Transfer(Command::ScopeStaffOut) {
        transfer_id: Uuid,
        employee_ids: Vec<Uuid>,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    IdentifyRepresentativesInput => Transfer(Command::IdentifyRepresentatives) {
        transfer_id: Uuid,
        party: Party,
        kind: RepresentativeKind,
        description: Text,
        effective_date: NaiveDate,
    }
}

command_input! {
    InviteRepresentativeElectionInput => Transfer(Command::InviteRepresentativeElection) {
        transfer_id: Uuid,
        party: Party,
        seats: u32,
        effective_date: NaiveDate,
    }
}

command_input! {
    RecordElectionHeldInput => Transfer(Command::RecordElectionHeld) {
        transfer_id: Uuid,
        party: Party,
        seats: u32,
        candidates: u32,
        ballot_held: bool,
        effective_date: NaiveDate,
    }
}

command_input! {
    ElectDirectConsultationInput => Transfer(Command::ElectDirectConsultation) {
        transfer_id: Uuid,
        party: Party,
        employer_headcount: u32,
        effective_date: NaiveDate,
    }
}

command_input! {
    NotifyMeasuresInput => Transfer(Command::NotifyMeasures) {
        transfer_id: Uuid,
        by: Party,
        /// Empty: the employer envisages no measures.
        measures: Vec<String>,
        effective_date: NaiveDate,
    }
}

command_input! {
    GiveInformationInput => Transfer(Command::GiveInformation) {
        transfer_id: Uuid,
        by: Party,
        items: Vec<String>,
        effective_date: NaiveDate,
    }
}

command_input! {
    HoldConsultationMeetingInput => Transfer(Command::HoldConsultationMeeting) {
        transfer_id: Uuid,
        by: Party,
        summary: Text,
        effective_date: NaiveDate,
    }
}

command_input! {
    ProvideEmployeeLiabilityInformationInput => Transfer(Command::ProvideEmployeeLiabilityInformation) {
        transfer_id: Uuid,
        employee_ids: Vec<Uuid>,
        /// The date the information is correct at.
        as_at: NaiveDate,
        effective_date: NaiveDate,
    }
}

command_input! {
    UpdateEmployeeLiabilityInformationInput => Transfer(Command::UpdateEmployeeLiabilityInformation) {
        transfer_id: Uuid,
        employee_ids: Vec<Uuid>,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    ReceiveObjectionInput => Transfer(Command::ReceiveObjection) {
        transfer_id: Uuid,
        employee_id: Uuid,
        received_by: Party,
        effective_date: NaiveDate,
    }
}

command_input! {
    WithdrawObjectionInput => Transfer(Command::WithdrawObjection) {
        transfer_id: Uuid,
        employee_id: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    ConfirmTransferDateInput => Transfer(Command::ConfirmTransferDate) {
        transfer_id: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    ChangeTransferDateInput => Transfer(Command::ChangeTransferDate) {
        transfer_id: Uuid,
        new_date: NaiveDate,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    /// Completes the transfer on its transfer date: transferring staff move to the transferee
    /// with continuity of service; objectors' employment ends (reg 4(7)).
    CompleteTransferInput => Transfer(Command::CompleteTransfer) {
        transfer_id: Uuid,
    }
}

command_input! {
    CancelTransferInput => Transfer(Command::CancelTransfer) {
        transfer_id: Uuid,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

mutations!(TransferMutations {
    /// Opens a transfer case: transferor, transferee, basis and proposed transfer date.
    propose_transfer(ProposeTransferInput),
    /// Scopes staff into the transfer.
    scope_staff_in(ScopeStaffInInput),
    /// Takes staff out of scope; the command's reason is recorded.
    scope_staff_out(ScopeStaffOutInput),
    /// Records who represents the affected staff (reg 14).
    identify_representatives(IdentifyRepresentativesInput),
    /// Invites an election of representatives (reg 14).
    invite_representative_election(InviteRepresentativeElectionInput),
    /// Records an election held (reg 14).
    record_election_held(RecordElectionHeldInput),
    /// Elects direct consultation for a micro-business (reg 13A).
    elect_direct_consultation(ElectDirectConsultationInput),
    /// Notifies measures envisaged (reg 13(2)(d), 13(4)).
    notify_measures(NotifyMeasuresInput),
    /// Records information given to representatives (reg 13(2)).
    give_information(GiveInformationInput),
    /// Records a consultation meeting (reg 13(6)).
    hold_consultation_meeting(HoldConsultationMeetingInput),
    /// Records employee liability information given to the transferee (reg 11).
    provide_employee_liability_information(ProvideEmployeeLiabilityInformationInput),
    /// Records an update to employee liability information (reg 11(5)).
    update_employee_liability_information(UpdateEmployeeLiabilityInformationInput),
    /// Records an employee's objection to transferring (reg 4(7)).
    receive_objection(ReceiveObjectionInput),
    /// Records an objection withdrawn before the transfer.
    withdraw_objection(WithdrawObjectionInput),
    /// Confirms the proposed transfer date.
    confirm_transfer_date(ConfirmTransferDateInput),
    /// Moves the transfer date; the command's reason is recorded.
    change_transfer_date(ChangeTransferDateInput),
    /// Completes the transfer on its transfer date.
    complete_transfer(CompleteTransferInput),
    /// Cancels the transfer, releasing every scoped employee.
    cancel_transfer(CancelTransferInput),
});
