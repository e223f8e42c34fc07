//! Consultation cases: TUPE reg 13, collective redundancy (TULRCA s.188, HR1 under s.193) and
//! local organisational-change consultations.

use chrono::NaiveDate;
use hrledger_domain::consultation::Command;
use uuid::Uuid;

use super::{command_input, mutations};
use crate::schema::inputs::{ConsultationKind, Text};

command_input! {
    OpenConsultationInput => Consultation(Command::OpenConsultation) {
        consultation_id: Uuid,
        programme_id: Option<Uuid>,
        kind: ConsultationKind,
        /// Code of the employing organisation.
        employer: String,
        establishment: String,
        proposal: Text,
        proposed_dismissals: u32,
        planned_first_dismissal: Option<NaiveDate>,
        effective_date: NaiveDate,
    }
}

command_input! {
    SubmitHr1Input => Consultation(Command::SubmitHr1) {
        consultation_id: Uuid,
        reference: String,
        dismissals: u32,
        effective_date: NaiveDate,
    }
}

command_input! {
    HoldMeetingInput => Consultation(Command::HoldMeeting) {
        consultation_id: Uuid,
        summary: Text,
        effective_date: NaiveDate,
    }
}

command_input! {
    ElectPreTransferConsultationInput => Consultation(Command::ElectPreTransferConsultation) {
        consultation_id: Uuid,
        transfer_id: Uuid,
        transferor_agreed: bool,
        effective_date: NaiveDate,
    }
}

command_input! {
    CancelPreTransferConsultationInput => Consultation(Command::CancelPreTransferConsultation) {
        consultation_id: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    AmendProposalInput => Consultation(Command::AmendProposal) {
        consultation_id: Uuid,
        proposal: Text,
        proposed_dismissals: u32,
        planned_first_dismissal: Option<NaiveDate>,
        effective_date: NaiveDate,
    }
}

command_input! {
    RecordProtectiveAwardInput => Consultation(Command::RecordProtectiveAward) {
        consultation_id: Uuid,
        days: u32,
        effective_date: NaiveDate,
    }
}

command_input! {
    CloseConsultationInput => Consultation(Command::CloseConsultation) {
        consultation_id: Uuid,
        outcome: Text,
        effective_date: NaiveDate,
    }
}

mutations!(ConsultationMutations {
    /// Opens a consultation; the s.188 minimum period follows from the proposed dismissals.
    open_consultation(OpenConsultationInput),
    /// Records the HR1 notice to the Secretary of State (s.193).
    submit_hr1(SubmitHr1Input),
    /// Records a consultation meeting.
    hold_meeting(HoldMeetingInput),
    /// Elects pre-transfer collective consultation by the transferee (TUPE reg 13A / s.198A).
    elect_pre_transfer_consultation(ElectPreTransferConsultationInput),
    /// Cancels a pre-transfer consultation election.
    cancel_pre_transfer_consultation(CancelPreTransferConsultationInput),
    /// Amends the proposal (dismissal numbers and dates are re-checked).
    amend_proposal(AmendProposalInput),
    /// Records a protective award made by a tribunal.
    record_protective_award(RecordProtectiveAwardInput),
    /// Closes the consultation with its outcome.
    close_consultation(CloseConsultationInput),
});
