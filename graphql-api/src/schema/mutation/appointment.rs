//! Appointment cases: filling a post by slot-in, ring-fenced or open competition.

use chrono::NaiveDate;
use hrledger_domain::appointment::Command;
use hrledger_domain::Narrative;
use uuid::Uuid;

use super::{command_input, mutations};
use crate::schema::inputs::{FillRoute, PostInput, SelectionStage};

command_input! {
    EstablishPostInput => Appointment(Command::EstablishPost) {
        appointment_id: Uuid,
        programme_id: Option<Uuid>,
        post: PostInput,
        route: FillRoute,
        effective_date: NaiveDate,
    }
}

command_input! {
    DeclarePoolInput => Appointment(Command::DeclarePool) {
        appointment_id: Uuid,
        employee_ids: Vec<Uuid>,
        effective_date: NaiveDate,
    }
}

command_input! {
    MatchCandidateInput => Appointment(Command::MatchCandidate) {
        appointment_id: Uuid,
        employee_id: Uuid,
        /// How far the candidate's current post matches the new one, in percent.
        match_percent: u8,
        effective_date: NaiveDate,
    }
}

command_input! {
    HoldSelectionStageInput => Appointment(Command::HoldSelectionStage) {
        appointment_id: Uuid,
        stage: SelectionStage,
        candidate_ids: Vec<Uuid>,
        effective_date: NaiveDate,
    }
}

command_input! {
    CloseSelectionInput => Appointment(Command::CloseSelection) {
        appointment_id: Uuid,
        selected: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    SlotInInput => Appointment(Command::SlotIn) {
        appointment_id: Uuid,
        employee_id: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    MakeOfferInput => Appointment(Command::MakeOffer) {
        appointment_id: Uuid,
        employee_id: Uuid,
        start_date: NaiveDate,
        effective_date: NaiveDate,
    }
}

command_input! {
    AcceptOfferInput => Appointment(Command::AcceptOffer) {
        appointment_id: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    DeclineOfferInput => Appointment(Command::DeclineOffer) {
        appointment_id: Uuid,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    ConfirmAppointmentInput => Appointment(Command::ConfirmAppointment) {
        appointment_id: Uuid,
    }
}

command_input! {
    CancelAppointmentInput => Appointment(Command::CancelAppointment) {
        appointment_id: Uuid,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

mutations!(AppointmentMutations {
    /// Establishes a post in the new structure and how it will be filled.
    establish_post(EstablishPostInput),
    /// Declares the ring-fenced pool of candidates.
    declare_pool(DeclarePoolInput),
    /// Records how far a candidate's post matches (slot-in needs the programme's threshold).
    match_candidate(MatchCandidateInput),
    /// Records a selection stage (shortlisting, interview, assessment centre, test).
    hold_selection_stage(HoldSelectionStageInput),
    /// Closes selection with the chosen candidate.
    close_selection(CloseSelectionInput),
    /// Slots a matched employee into the post.
    slot_in(SlotInInput),
    /// Offers the post.
    make_offer(MakeOfferInput),
    /// Records the offer accepted.
    accept_offer(AcceptOfferInput),
    /// Records the offer declined; the command's reason is recorded.
    decline_offer(DeclineOfferInput),
    /// Confirms the appointment: the appointee's assignment changes from the start date.
    confirm_appointment(ConfirmAppointmentInput),
    /// Cancels the appointment case.
    cancel_appointment(CancelAppointmentInput),
});
