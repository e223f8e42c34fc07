//! Consultation case: TUPE reg 13 consultation, collective redundancy consultation (TULRCA
//! s.188, with the HR1 notice of s.193) or a local organisational-change consultation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::common::{ensure_new, ensure_open, ensure_text, event_enum, CaseStatus, Narrative};
use crate::error::DomainError;
use crate::related::Related;
use crate::rules::collective::{
    self, RULE_S188_LEAD_TIME, RULE_S189_AWARD_MAX, RULE_S193_HR1_LEAD_TIME,
    RULE_S198A_PRE_TRANSFER,
};
use crate::stream::StreamId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationKind {
    TupeReg13,
    CollectiveRedundancyS188,
    OrganisationalChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hr1 {
    pub reference: String,
    pub submitted_on: NaiveDate,
    pub dismissals: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsultationCase {
    pub consultation_id: Uuid,
    pub programme_id: Option<Uuid>,
    pub kind: ConsultationKind,
    pub employer: String,
    pub establishment: String,
    pub proposed_dismissals: u32,
    pub opened_on: NaiveDate,
    pub planned_first_dismissal: Option<NaiveDate>,
    /// Threshold in force for this case (programme policy at opening).
    pub threshold: u32,
    pub hr1: Option<Hr1>,
    pub meetings: Vec<NaiveDate>,
    pub pre_transfer_for: Option<Uuid>,
    pub protective_award_days: Option<u32>,
    pub status: CaseStatus,
}

impl ConsultationCase {
    /// Minimum s.188 lead time in days; `None` when collective consultation is not triggered.
    pub fn minimum_days(&self) -> Option<u64> {
        collective::minimum_days(self.proposed_dismissals, self.threshold)
    }

    /// Checks a dismissal date against s.188 (consultation start) and s.193 (HR1).
    pub fn check_dismissal_date(&self, dismissal: NaiveDate) -> Result<(), DomainError> {
        let Some(days) = self.minimum_days() else {
            return Ok(());
        };
        check_lead_time(self.opened_on, days, dismissal, self.proposed_dismissals)?;
        match &self.hr1 {
            Some(h) => check_hr1_lead_time(h.submitted_on, days, dismissal),
            None => Err(DomainError::rule(
                RULE_S193_HR1_LEAD_TIME,
                format!("TULRCA 1992 s.193: no HR1 has been submitted; it must reach the Secretary of State at least {days} days before the first dismissal on {dismissal}"),
            )),
        }
    }
}

fn check_lead_time(
    start: NaiveDate,
    days: u64,
    dismissal: NaiveDate,
    proposed: u32,
) -> Result<(), DomainError> {
    let earliest = collective::earliest_dismissal(start, days);
    if dismissal < earliest {
        return Err(DomainError::rule(
            RULE_S188_LEAD_TIME,
            format!("TULRCA 1992 s.188: with {proposed} proposed dismissals consultation must start at least {days} days before the first dismissal; consultation began {start}, so no dismissal may take effect before {earliest} (proposed {dismissal})"),
        ));
    }
    Ok(())
}

fn check_hr1_lead_time(
    submitted: NaiveDate,
    days: u64,
    dismissal: NaiveDate,
) -> Result<(), DomainError> {
    let earliest = collective::earliest_dismissal(submitted, days);
    if dismissal < earliest {
        return Err(DomainError::rule(
            RULE_S193_HR1_LEAD_TIME,
            format!("TULRCA 1992 s.193: the HR1 submitted {submitted} must precede the first dismissal by at least {days} days; the first dismissal on {dismissal} is before {earliest}"),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State(pub Option<ConsultationCase>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    OpenConsultation {
        consultation_id: Uuid,
        programme_id: Option<Uuid>,
        kind: ConsultationKind,
        employer: String,
        establishment: String,
        proposal: Narrative,
        proposed_dismissals: u32,
        planned_first_dismissal: Option<NaiveDate>,
        effective_date: NaiveDate,
    },
    SubmitHr1 {
        consultation_id: Uuid,
        reference: String,
        dismissals: u32,
        effective_date: NaiveDate,
    },
    HoldMeeting {
        consultation_id: Uuid,
        summary: Narrative,
        effective_date: NaiveDate,
    },
    ElectPreTransferConsultation {
        consultation_id: Uuid,
        transfer_id: Uuid,
        transferor_agreed: bool,
        effective_date: NaiveDate,
    },
    CancelPreTransferConsultation {
        consultation_id: Uuid,
        effective_date: NaiveDate,
    },
    AmendProposal {
        consultation_id: Uuid,
        proposal: Narrative,
        proposed_dismissals: u32,
        planned_first_dismissal: Option<NaiveDate>,
        effective_date: NaiveDate,
    },
    RecordProtectiveAward {
        consultation_id: Uuid,
        days: u32,
        effective_date: NaiveDate,
    },
    CloseConsultation {
        consultation_id: Uuid,
        outcome: Narrative,
        effective_date: NaiveDate,
    },
}

impl Command {
    pub fn consultation_id(&self) -> Uuid {
        use Command::*;
        match self {
            OpenConsultation {
                consultation_id, ..
            }
            | SubmitHr1 {
                consultation_id, ..
            }
            | HoldMeeting {
                consultation_id, ..
            }
            | ElectPreTransferConsultation {
                consultation_id, ..
            }
            | CancelPreTransferConsultation {
                consultation_id, ..
            }
            | AmendProposal {
                consultation_id, ..
            }
            | RecordProtectiveAward {
                consultation_id, ..
            }
            | CloseConsultation {
                consultation_id, ..
            } => *consultation_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsultationOpened {
    pub consultation_id: Uuid,
    pub programme_id: Option<Uuid>,
    pub kind: ConsultationKind,
    pub employer: String,
    pub establishment: String,
    pub proposal: Narrative,
    pub proposed_dismissals: u32,
    pub planned_first_dismissal: Option<NaiveDate>,
    pub threshold: u32,
    pub minimum_days: Option<u64>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hr1Submitted {
    pub consultation_id: Uuid,
    pub reference: String,
    pub dismissals: u32,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsultationMeetingHeld {
    pub consultation_id: Uuid,
    pub summary: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreTransferConsultationElected {
    pub consultation_id: Uuid,
    pub transfer_id: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreTransferConsultationCancelled {
    pub consultation_id: Uuid,
    pub transfer_id: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalAmended {
    pub consultation_id: Uuid,
    pub proposal: Narrative,
    pub proposed_dismissals: u32,
    pub planned_first_dismissal: Option<NaiveDate>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtectiveAwardRecorded {
    pub consultation_id: Uuid,
    pub days: u32,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsultationClosed {
    pub consultation_id: Uuid,
    pub outcome: Narrative,
    pub effective_date: NaiveDate,
}

event_enum! {
    key: consultation_id: Uuid;
    pub enum Event {
        ConsultationOpened,
        Hr1Submitted,
        ConsultationMeetingHeld,
        PreTransferConsultationElected,
        PreTransferConsultationCancelled,
        ProposalAmended,
        ProtectiveAwardRecorded,
        ConsultationClosed,
    }
}

/// Checks a planned first dismissal (when known) against the lead time from `start`.
fn check_plan(
    proposed: u32,
    threshold: u32,
    start: NaiveDate,
    planned: Option<NaiveDate>,
    hr1: Option<&Hr1>,
) -> Result<(), DomainError> {
    let (Some(days), Some(dismissal)) = (collective::minimum_days(proposed, threshold), planned)
    else {
        return Ok(());
    };
    check_lead_time(start, days, dismissal, proposed)?;
    match hr1 {
        Some(h) => check_hr1_lead_time(h.submitted_on, days, dismissal),
        None => Ok(()),
    }
}

/// Reads the programme's policy (collective-consultation threshold) from `related`.
pub fn decide(
    state: &State,
    cmd: Command,
    related: &Related,
    _clock: &Clock,
) -> Result<Vec<Event>, DomainError> {
    let consultation_id = cmd.consultation_id();
    let stream = StreamId::consultation(consultation_id);
    if let Command::OpenConsultation {
        programme_id,
        kind,
        employer,
        establishment,
        proposal,
        proposed_dismissals,
        planned_first_dismissal,
        effective_date,
        ..
    } = cmd
    {
        ensure_new(&state.0, &stream)?;
        ensure_text(&employer, "employer")?;
        ensure_text(&proposal.0, "proposal")?;
        let threshold = related
            .policy(programme_id)?
            .collective_consultation_threshold;
        check_plan(
            proposed_dismissals,
            threshold,
            effective_date,
            planned_first_dismissal,
            None,
        )?;
        let minimum_days = collective::minimum_days(proposed_dismissals, threshold);
        let e = ConsultationOpened {
            consultation_id,
            programme_id,
            kind,
            employer,
            establishment,
            proposal,
            proposed_dismissals,
            planned_first_dismissal,
            threshold,
            minimum_days,
            effective_date,
        };
        return Ok(vec![e.into()]);
    }
    let c = state
        .0
        .as_ref()
        .ok_or_else(|| DomainError::not_found(&stream, "the consultation has not been opened"))?;
    ensure_open(c.status, &format!("consultation {consultation_id}"))?;
    let event: Event = match cmd {
        Command::OpenConsultation { .. } => {
            return Err(DomainError::AlreadyExists {
                stream: stream.to_string(),
            })
        }
        Command::SubmitHr1 {
            reference,
            dismissals,
            effective_date,
            ..
        } => {
            ensure_text(&reference, "reference")?;
            let hr1 = Hr1 {
                reference: reference.clone(),
                submitted_on: effective_date,
                dismissals,
            };
            check_plan(
                c.proposed_dismissals,
                c.threshold,
                c.opened_on,
                c.planned_first_dismissal,
                Some(&hr1),
            )?;
            Hr1Submitted {
                consultation_id,
                reference,
                dismissals,
                effective_date,
            }
            .into()
        }
        Command::HoldMeeting {
            summary,
            effective_date,
            ..
        } => ConsultationMeetingHeld {
            consultation_id,
            summary,
            effective_date,
        }
        .into(),
        Command::ElectPreTransferConsultation {
            transfer_id,
            transferor_agreed,
            effective_date,
            ..
        } => {
            if !transferor_agreed {
                return Err(DomainError::rule(RULE_S198A_PRE_TRANSFER, "TULRCA 1992 s.198A(2): pre-transfer consultation needs the transferor's written agreement"));
            }
            if c.minimum_days().is_none() {
                return Err(DomainError::rule(
                    RULE_S198A_PRE_TRANSFER,
                    format!("TULRCA 1992 s.198A(1): only a transferee proposing {} or more redundancies may elect; this proposal has {}", c.threshold, c.proposed_dismissals),
                ));
            }
            PreTransferConsultationElected {
                consultation_id,
                transfer_id,
                effective_date,
            }
            .into()
        }
        Command::CancelPreTransferConsultation { effective_date, .. } => {
            let transfer_id = c.pre_transfer_for.ok_or_else(|| {
                DomainError::state(
                    "PRE_TRANSFER_NOT_ELECTED",
                    "no pre-transfer consultation was elected",
                )
            })?;
            PreTransferConsultationCancelled {
                consultation_id,
                transfer_id,
                effective_date,
            }
            .into()
        }
        Command::AmendProposal {
            proposal,
            proposed_dismissals,
            planned_first_dismissal,
            effective_date,
            ..
        } => {
            ensure_text(&proposal.0, "proposal")?;
            check_plan(
                proposed_dismissals,
                c.threshold,
                c.opened_on,
                planned_first_dismissal,
                c.hr1.as_ref(),
            )?;
            ProposalAmended {
                consultation_id,
                proposal,
                proposed_dismissals,
                planned_first_dismissal,
                effective_date,
            }
            .into()
        }
        Command::RecordProtectiveAward {
            days,
            effective_date,
            ..
        } => {
            let max = collective::max_protective_award_days(effective_date);
            if days == 0 || days > max {
                return Err(DomainError::rule(
                    RULE_S189_AWARD_MAX,
                    format!("TULRCA 1992 s.189(4): a protective award made on {effective_date} is at most {max} days' pay (180 from 2026-04-06); {days} days recorded"),
                ));
            }
            ProtectiveAwardRecorded {
                consultation_id,
                days,
                effective_date,
            }
            .into()
        }
        Command::CloseConsultation {
            outcome,
            effective_date,
            ..
        } => {
            ensure_text(&outcome.0, "outcome")?;
            ConsultationClosed {
                consultation_id,
                outcome,
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
        (Event::ConsultationOpened(e), _) => {
            c = Some(ConsultationCase {
                consultation_id: e.consultation_id,
                programme_id: e.programme_id,
                kind: e.kind,
                employer: e.employer.clone(),
                establishment: e.establishment.clone(),
                proposed_dismissals: e.proposed_dismissals,
                opened_on: e.effective_date,
                planned_first_dismissal: e.planned_first_dismissal,
                threshold: e.threshold,
                hr1: None,
                meetings: Vec::new(),
                pre_transfer_for: None,
                protective_award_days: None,
                status: CaseStatus::Open,
            })
        }
        (Event::Hr1Submitted(e), Some(c)) => {
            c.hr1 = Some(Hr1 {
                reference: e.reference.clone(),
                submitted_on: e.effective_date,
                dismissals: e.dismissals,
            })
        }
        (Event::ConsultationMeetingHeld(e), Some(c)) => c.meetings.push(e.effective_date),
        (Event::PreTransferConsultationElected(e), Some(c)) => {
            c.pre_transfer_for = Some(e.transfer_id)
        }
        (Event::PreTransferConsultationCancelled(_), Some(c)) => c.pre_transfer_for = None,
        (Event::ProposalAmended(e), Some(c)) => {
            c.proposed_dismissals = e.proposed_dismissals;
            c.planned_first_dismissal = e.planned_first_dismissal;
        }
        (Event::ProtectiveAwardRecorded(e), Some(c)) => c.protective_award_days = Some(e.days),
        (Event::ConsultationClosed(_), Some(c)) => c.status = CaseStatus::Closed,
        _ => {}
    }
    State(c)
}
