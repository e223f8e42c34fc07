//! Displacement cases: staff at risk, suitable alternative employment, trial periods,
//! redeployment or redundancy notice.

use chrono::NaiveDate;
use hrledger_domain::displacement::Command;
use hrledger_domain::Narrative;
use uuid::Uuid;

use super::{command_input, mutations};
use crate::schema::inputs::{GradeInput, SaeResponse};

command_input! {
    NotifyAtRiskInput => Displacement(Command::NotifyAtRisk) {
        displacement_id: Uuid,
        employee_id: Uuid,
        /// Code of the employing organisation.
        employer: String,
        consultation_id: Option<Uuid>,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    OfferSuitableAlternativeInput => Displacement(Command::OfferSuitableAlternative) {
        displacement_id: Uuid,
        offer_id: Uuid,
        post_title: String,
        grade: GradeInput,
        effective_date: NaiveDate,
    }
}

command_input! {
    RecordSaeResponseInput => Displacement(Command::RecordSaeResponse) {
        displacement_id: Uuid,
        offer_id: Uuid,
        response: SaeResponse,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

command_input! {
    StartTrialPeriodInput => Displacement(Command::StartTrialPeriod) {
        displacement_id: Uuid,
        offer_id: Uuid,
        ends_on: NaiveDate,
        /// A longer trial agreed for retraining (ERA s.138(6)).
        retraining_agreed: bool,
        effective_date: NaiveDate,
    }
}

command_input! {
    EndTrialPeriodInput => Displacement(Command::EndTrialPeriod) {
        displacement_id: Uuid,
        successful: bool,
        effective_date: NaiveDate,
    }
}

command_input! {
    RecordRedeploymentInput => Displacement(Command::RecordRedeployment) {
        displacement_id: Uuid,
        effective_date: NaiveDate,
    }
}

command_input! {
    IssueRedundancyNoticeInput => Displacement(Command::IssueRedundancyNotice) {
        displacement_id: Uuid,
        dismissal_date: NaiveDate,
        effective_date: NaiveDate,
    }
}

command_input! {
    CloseDisplacementInput => Displacement(Command::CloseDisplacement) {
        displacement_id: Uuid,
        effective_date: NaiveDate,
    }
    set |_input, reason| { reason: Narrative(reason.to_string()) }
}

mutations!(DisplacementMutations {
    /// Notifies an employee that they are at risk; the command's reason is recorded.
    notify_at_risk(NotifyAtRiskInput),
    /// Offers suitable alternative employment.
    offer_suitable_alternative(OfferSuitableAlternativeInput),
    /// Records the employee's response to an offer (ERA s.141).
    record_sae_response(RecordSaeResponseInput),
    /// Starts a trial period in the alternative post (ERA s.138: 4 weeks unless retraining).
    start_trial_period(StartTrialPeriodInput),
    /// Ends the trial period.
    end_trial_period(EndTrialPeriodInput),
    /// Records the employee redeployed.
    record_redeployment(RecordRedeploymentInput),
    /// Issues notice of dismissal by reason of redundancy.
    issue_redundancy_notice(IssueRedundancyNoticeInput),
    /// Closes the case.
    close_displacement(CloseDisplacementInput),
});
