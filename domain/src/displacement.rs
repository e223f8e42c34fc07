//! Displacement case: a member of staff at risk, offered suitable alternative employment
//! (with a trial period), redeployed, or given notice of redundancy.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::common::{
    ensure_new, ensure_open, ensure_text, event_enum, CaseStatus, Grade, Narrative,
};
use crate::error::DomainError;
use crate::related::Related;
use crate::stream::StreamId;

pub const RULE_TRIAL_PERIOD: &str = "ERA_S138_TRIAL_PERIOD";

/// ERA 1996 s.138(3): the statutory trial period is four weeks unless retraining is agreed.
pub const STATUTORY_TRIAL_DAYS: u64 = 28;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaeResponse {
    Pending,
    Accepted,
    /// Refused reasonably: redundancy pay is kept.
    RefusedReasonably,
    /// Refused unreasonably: redundancy pay may be lost (ERA s.141).
    RefusedUnreasonably,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaeOffer {
    pub post_title: String,
    pub grade: Grade,
    pub response: SaeResponse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trial {
    pub offer_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub successful: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplacementCase {
    pub displacement_id: Uuid,
    pub employee_id: Uuid,
    pub employer: String,
    pub consultation_id: Option<Uuid>,
    pub at_risk_on: NaiveDate,
    pub offers: BTreeMap<Uuid, SaeOffer>,
    pub trial: Option<Trial>,
    pub dismissal_date: Option<NaiveDate>,
    pub status: CaseStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State(pub Option<DisplacementCase>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    NotifyAtRisk {
        displacement_id: Uuid,
        employee_id: Uuid,
        employer: String,
        consultation_id: Option<Uuid>,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    OfferSuitableAlternative {
        displacement_id: Uuid,
        offer_id: Uuid,
        post_title: String,
        grade: Grade,
        effective_date: NaiveDate,
    },
    RecordSaeResponse {
        displacement_id: Uuid,
        offer_id: Uuid,
        response: SaeResponse,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    StartTrialPeriod {
        displacement_id: Uuid,
        offer_id: Uuid,
        ends_on: NaiveDate,
        retraining_agreed: bool,
        effective_date: NaiveDate,
    },
    EndTrialPeriod {
        displacement_id: Uuid,
        successful: bool,
        effective_date: NaiveDate,
    },
    RecordRedeployment {
        displacement_id: Uuid,
        effective_date: NaiveDate,
    },
    IssueRedundancyNotice {
        displacement_id: Uuid,
        dismissal_date: NaiveDate,
        effective_date: NaiveDate,
    },
    CloseDisplacement {
        displacement_id: Uuid,
        reason: Narrative,
        effective_date: NaiveDate,
    },
}

impl Command {
    pub fn displacement_id(&self) -> Uuid {
        use Command::*;
        match self {
            NotifyAtRisk {
                displacement_id, ..
            }
            | OfferSuitableAlternative {
                displacement_id, ..
            }
            | RecordSaeResponse {
                displacement_id, ..
            }
            | StartTrialPeriod {
                displacement_id, ..
            }
            | EndTrialPeriod {
                displacement_id, ..
            }
            | RecordRedeployment {
                displacement_id, ..
            }
            | IssueRedundancyNotice {
                displacement_id, ..
            }
            | CloseDisplacement {
                displacement_id, ..
            } => *displacement_id,
        }
    }

    pub fn related_streams(&self, state: &State) -> Vec<StreamId> {
        match self {
            Command::IssueRedundancyNotice { .. } => state
                .0
                .iter()
                .filter_map(|c| c.consultation_id)
                .map(StreamId::consultation)
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffAtRiskNotified {
    pub displacement_id: Uuid,
    pub employee_id: Uuid,
    pub employer: String,
    pub consultation_id: Option<Uuid>,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuitableAlternativeEmploymentOffered {
    pub displacement_id: Uuid,
    pub offer_id: Uuid,
    pub post_title: String,
    pub grade: Grade,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuitableAlternativeEmploymentAnswered {
    pub displacement_id: Uuid,
    pub offer_id: Uuid,
    pub response: SaeResponse,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialPeriodStarted {
    pub displacement_id: Uuid,
    pub offer_id: Uuid,
    pub ends_on: NaiveDate,
    pub retraining_agreed: bool,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialPeriodEnded {
    pub displacement_id: Uuid,
    pub successful: bool,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffRedeployed {
    pub displacement_id: Uuid,
    pub employee_id: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedundancyNoticeIssued {
    pub displacement_id: Uuid,
    pub employee_id: Uuid,
    pub dismissal_date: NaiveDate,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplacementClosed {
    pub displacement_id: Uuid,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

event_enum! {
    key: displacement_id: Uuid;
    pub enum Event {
        StaffAtRiskNotified,
        SuitableAlternativeEmploymentOffered,
        SuitableAlternativeEmploymentAnswered,
        TrialPeriodStarted,
        TrialPeriodEnded,
        StaffRedeployed,
        RedundancyNoticeIssued,
        DisplacementClosed,
    }
}

fn offer(c: &DisplacementCase, offer_id: Uuid) -> Result<&SaeOffer, DomainError> {
    c.offers.get(&offer_id).ok_or_else(|| {
        DomainError::invalid(
            "offer_id",
            format!("no suitable alternative employment offer {offer_id} on this case"),
        )
    })
}

/// Reads the linked consultation (if any) for the s.188/s.193 lead times of a redundancy notice.
pub fn decide(
    state: &State,
    cmd: Command,
    related: &Related,
    _clock: &Clock,
) -> Result<Vec<Event>, DomainError> {
    let displacement_id = cmd.displacement_id();
    let stream = StreamId::displacement(displacement_id);
    if let Command::NotifyAtRisk {
        employee_id,
        employer,
        consultation_id,
        reason,
        effective_date,
        ..
    } = cmd
    {
        ensure_new(&state.0, &stream)?;
        ensure_text(&employer, "employer")?;
        return Ok(vec![StaffAtRiskNotified {
            displacement_id,
            employee_id,
            employer,
            consultation_id,
            reason,
            effective_date,
        }
        .into()]);
    }
    let c = state.0.as_ref().ok_or_else(|| {
        DomainError::not_found(&stream, "no one has been notified at risk on this case")
    })?;
    ensure_open(c.status, &format!("displacement case {displacement_id}"))?;
    let event: Event = match cmd {
        Command::NotifyAtRisk { .. } => {
            return Err(DomainError::AlreadyExists {
                stream: stream.to_string(),
            })
        }
        Command::OfferSuitableAlternative {
            offer_id,
            post_title,
            grade,
            effective_date,
            ..
        } => {
            ensure_text(&post_title, "post_title")?;
            SuitableAlternativeEmploymentOffered {
                displacement_id,
                offer_id,
                post_title,
                grade,
                effective_date,
            }
            .into()
        }
        Command::RecordSaeResponse {
            offer_id,
            response,
            reason,
            effective_date,
            ..
        } => {
            if offer(c, offer_id)?.response != SaeResponse::Pending
                || response == SaeResponse::Pending
            {
                return Err(DomainError::state(
                    "SAE_ALREADY_ANSWERED",
                    format!("offer {offer_id} is already answered or the answer is empty"),
                ));
            }
            SuitableAlternativeEmploymentAnswered {
                displacement_id,
                offer_id,
                response,
                reason,
                effective_date,
            }
            .into()
        }
        Command::StartTrialPeriod {
            offer_id,
            ends_on,
            retraining_agreed,
            effective_date,
            ..
        } => {
            if offer(c, offer_id)?.response != SaeResponse::Accepted {
                return Err(DomainError::state(
                    "SAE_NOT_ACCEPTED",
                    format!("offer {offer_id} has not been accepted"),
                ));
            }
            let statutory_end = effective_date + Days::new(STATUTORY_TRIAL_DAYS);
            if ends_on > statutory_end && !retraining_agreed {
                return Err(DomainError::rule(
                    RULE_TRIAL_PERIOD,
                    format!("ERA 1996 s.138(3): a trial period starting {effective_date} lasts four weeks (to {statutory_end}) unless a longer period for retraining is agreed in writing; requested end {ends_on}"),
                ));
            }
            TrialPeriodStarted {
                displacement_id,
                offer_id,
                ends_on,
                retraining_agreed,
                effective_date,
            }
            .into()
        }
        Command::EndTrialPeriod {
            successful,
            effective_date,
            ..
        } => {
            if c.trial.as_ref().is_none_or(|t| t.successful.is_some()) {
                return Err(DomainError::state(
                    "NO_TRIAL_RUNNING",
                    "no trial period is running",
                ));
            }
            TrialPeriodEnded {
                displacement_id,
                successful,
                effective_date,
            }
            .into()
        }
        Command::RecordRedeployment { effective_date, .. } => {
            let accepted = c
                .offers
                .values()
                .any(|o| o.response == SaeResponse::Accepted);
            let trial_ok = c.trial.as_ref().is_none_or(|t| t.successful == Some(true));
            if !accepted || !trial_ok {
                return Err(DomainError::state(
                    "REDEPLOYMENT_NOT_SETTLED",
                    "redeployment needs an accepted offer and, if a trial ran, a successful trial",
                ));
            }
            StaffRedeployed {
                displacement_id,
                employee_id: c.employee_id,
                effective_date,
            }
            .into()
        }
        Command::IssueRedundancyNotice {
            dismissal_date,
            effective_date,
            ..
        } => {
            if dismissal_date < effective_date {
                return Err(DomainError::invalid(
                    "dismissal_date",
                    "cannot precede the notice",
                ));
            }
            if let Some(id) = c.consultation_id {
                related
                    .consultation(id)?
                    .check_dismissal_date(dismissal_date)?;
            }
            RedundancyNoticeIssued {
                displacement_id,
                employee_id: c.employee_id,
                dismissal_date,
                effective_date,
            }
            .into()
        }
        Command::CloseDisplacement {
            reason,
            effective_date,
            ..
        } => {
            ensure_text(&reason.0, "reason")?;
            DisplacementClosed {
                displacement_id,
                reason,
                effective_date,
            }
            .into()
        }
    };
    Ok(vec![event])
}

pub fn evolve(state: State, event: &Event) -> State {
    let State(mut c) = state;
    match (event, c.as_mut()) {
        (Event::StaffAtRiskNotified(e), _) => {
            c = Some(DisplacementCase {
                displacement_id: e.displacement_id,
                employee_id: e.employee_id,
                employer: e.employer.clone(),
                consultation_id: e.consultation_id,
                at_risk_on: e.effective_date,
                offers: BTreeMap::new(),
                trial: None,
                dismissal_date: None,
                status: CaseStatus::Open,
            })
        }
        (Event::SuitableAlternativeEmploymentOffered(e), Some(c)) => {
            c.offers.insert(
                e.offer_id,
                SaeOffer {
                    post_title: e.post_title.clone(),
                    grade: e.grade.clone(),
                    response: SaeResponse::Pending,
                },
            );
        }
        (Event::SuitableAlternativeEmploymentAnswered(e), Some(c)) => {
            if let Some(o) = c.offers.get_mut(&e.offer_id) {
                o.response = e.response;
            }
        }
        (Event::TrialPeriodStarted(e), Some(c)) => {
            c.trial = Some(Trial {
                offer_id: e.offer_id,
                starts_on: e.effective_date,
                ends_on: e.ends_on,
                successful: None,
            })
        }
        (Event::TrialPeriodEnded(e), Some(c)) => {
            if let Some(t) = c.trial.as_mut() {
                t.successful = Some(e.successful);
            }
        }
        (Event::StaffRedeployed(_), Some(c)) | (Event::DisplacementClosed(_), Some(c)) => {
            c.status = CaseStatus::Closed
        }
        (Event::RedundancyNoticeIssued(e), Some(c)) => c.dismissal_date = Some(e.dismissal_date),
        _ => {}
    }
    State(c)
}
