//! Early-resolution (mediation) cases. Their notes are confidential: only admin, hr_adviser
//! and auditor can read them back.

use chrono::NaiveDate;
use hrledger_domain::mediation::Command;
use uuid::Uuid;

use super::{command_input, mutations};
use crate::schema::inputs::{MediationOutcome, Referrer, Text};

command_input! {
    ReferForMediationInput => Mediation(Command::ReferForMediation) {
        mediation_id: Uuid,
        /// Employee ids of the parties.
        parties: Vec<Uuid>,
        referrer: Referrer,
        /// Early conciliation or a tribunal claim is under way.
        legal_proceedings_pending: bool,
        referral_notes: Text,
        effective_date: NaiveDate,
    }
}

command_input! {
    AcceptMediationInput => Mediation(Command::AcceptMediation) {
        mediation_id: Uuid,
        party: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    DeclineMediationInput => Mediation(Command::DeclineMediation) {
        mediation_id: Uuid,
        party: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    AssignMediatorsInput => Mediation(Command::AssignMediators) {
        mediation_id: Uuid,
        mediators: Vec<String>,
        effective_date: NaiveDate,
    }
}

command_input! {
    HoldIndividualMeetingInput => Mediation(Command::HoldIndividualMeeting) {
        mediation_id: Uuid,
        party: Uuid,
        notes: Text,
        effective_date: NaiveDate,
    }
}

command_input! {
    HoldJointMeetingInput => Mediation(Command::HoldJointMeeting) {
        mediation_id: Uuid,
        notes: Text,
        effective_date: NaiveDate,
    }
}

command_input! {
    RecordAgreementInput => Mediation(Command::RecordAgreement) {
        mediation_id: Uuid,
        /// Hash of the signed agreement (the document itself stays outside the ledger).
        agreement_hash: String,
        effective_date: NaiveDate,
    }
}

command_input! {
    CloseMediationInput => Mediation(Command::CloseMediation) {
        mediation_id: Uuid,
        effective_date: NaiveDate,
    }
    extra {
        outcome: MediationOutcome,
        /// For an unresolved case that goes on as a grievance.
        grievance_reference: Option<String>,
    }
    set |input, _reason| { outcome: input.outcome.to_domain(input.grievance_reference.clone()) }
}

mutations!(MediationMutations {
    /// Refers parties for mediation.
    refer_for_mediation(ReferForMediationInput),
    /// Records a party's consent.
    accept_mediation(AcceptMediationInput),
    /// Records a party declining.
    decline_mediation(DeclineMediationInput),
    /// Assigns mediators.
    assign_mediators(AssignMediatorsInput),
    /// Records an individual meeting with one party.
    hold_individual_meeting(HoldIndividualMeetingInput),
    /// Records a joint meeting.
    hold_joint_meeting(HoldJointMeetingInput),
    /// Records the agreement reached (by its hash).
    record_agreement(RecordAgreementInput),
    /// Closes the case with its outcome.
    close_mediation(CloseMediationInput),
});
