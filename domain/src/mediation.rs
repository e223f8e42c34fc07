//! Mediation (early resolution) case. Voluntary and confidential: notes are narratives kept in
//! dedicated fields, the written agreement is recorded only by its hash.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::common::{ensure_new, ensure_non_empty, ensure_open, event_enum, CaseStatus, Narrative};
use crate::error::DomainError;
use crate::stream::StreamId;

pub const RULE_DURING_PROCEEDINGS: &str = "MEDIATION_DURING_LEGAL_PROCEEDINGS";
pub const RULE_CONSENT: &str = "MEDIATION_CONSENT_REQUIRED";
pub const RULE_INDIVIDUAL_FIRST: &str = "MEDIATION_INDIVIDUAL_MEETINGS_FIRST";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Referrer {
    Manager,
    SelfReferral,
    HumanResources,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MediationOutcome {
    ResolvedInformally,
    PartiallyResolved,
    NotResolved { grievance_reference: Option<String> },
    Declined,
    Withdrawn,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediationCase {
    pub mediation_id: Uuid,
    /// Pseudonymous keys of the parties (employee ids).
    pub parties: BTreeSet<Uuid>,
    pub referrer: Referrer,
    pub accepted: BTreeSet<Uuid>,
    pub mediators: Vec<String>,
    pub individual_meetings: BTreeSet<Uuid>,
    pub joint_meetings: u32,
    pub agreement_hash: Option<String>,
    pub outcome: Option<MediationOutcome>,
    pub status: CaseStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State(pub Option<MediationCase>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    ReferForMediation {
        mediation_id: Uuid,
        parties: Vec<Uuid>,
        referrer: Referrer,
        /// Early conciliation or a tribunal claim is under way.
        legal_proceedings_pending: bool,
        referral_notes: Narrative,
        effective_date: NaiveDate,
    },
    AcceptMediation {
        mediation_id: Uuid,
        party: Uuid,
        effective_date: NaiveDate,
    },
    DeclineMediation {
        mediation_id: Uuid,
        party: Uuid,
        effective_date: NaiveDate,
    },
    AssignMediators {
        mediation_id: Uuid,
        mediators: Vec<String>,
        effective_date: NaiveDate,
    },
    HoldIndividualMeeting {
        mediation_id: Uuid,
        party: Uuid,
        notes: Narrative,
        effective_date: NaiveDate,
    },
    HoldJointMeeting {
        mediation_id: Uuid,
        notes: Narrative,
        effective_date: NaiveDate,
    },
    RecordAgreement {
        mediation_id: Uuid,
        agreement_hash: String,
        effective_date: NaiveDate,
    },
    CloseMediation {
        mediation_id: Uuid,
        outcome: MediationOutcome,
        effective_date: NaiveDate,
    },
}

impl Command {
    pub fn mediation_id(&self) -> Uuid {
        use Command::*;
        match self {
            ReferForMediation { mediation_id, .. }
            | AcceptMediation { mediation_id, .. }
            | DeclineMediation { mediation_id, .. }
            | AssignMediators { mediation_id, .. }
            | HoldIndividualMeeting { mediation_id, .. }
            | HoldJointMeeting { mediation_id, .. }
            | RecordAgreement { mediation_id, .. }
            | CloseMediation { mediation_id, .. } => *mediation_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediationReferred {
    pub mediation_id: Uuid,
    pub parties: Vec<Uuid>,
    pub referrer: Referrer,
    pub referral_notes: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediationAccepted {
    pub mediation_id: Uuid,
    pub party: Uuid,
    pub effective_date: NaiveDate,
}

/// Voluntary: one party declining ends the case ("mediation not possible").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediationDeclined {
    pub mediation_id: Uuid,
    pub party: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediatorsAssigned {
    pub mediation_id: Uuid,
    pub mediators: Vec<String>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndividualMeetingHeld {
    pub mediation_id: Uuid,
    pub party: Uuid,
    pub notes: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JointMeetingHeld {
    pub mediation_id: Uuid,
    pub notes: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementRecorded {
    pub mediation_id: Uuid,
    pub agreement_hash: String,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediationClosed {
    pub mediation_id: Uuid,
    pub outcome: MediationOutcome,
    pub effective_date: NaiveDate,
}

event_enum! {
    key: mediation_id: Uuid;
    pub enum Event {
        MediationReferred,
        MediationAccepted,
        MediationDeclined,
        MediatorsAssigned,
        IndividualMeetingHeld,
        JointMeetingHeld,
        AgreementRecorded,
        MediationClosed,
    }
}

impl Event {
    pub fn employees_touched(&self) -> Vec<Uuid> {
        match self {
            Event::MediationReferred(e) => e.parties.clone(),
            Event::MediationAccepted(MediationAccepted { party, .. })
            | Event::MediationDeclined(MediationDeclined { party, .. })
            | Event::IndividualMeetingHeld(IndividualMeetingHeld { party, .. }) => vec![*party],
            _ => Vec::new(),
        }
    }
}

fn party(c: &MediationCase, id: Uuid) -> Result<(), DomainError> {
    if c.parties.contains(&id) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "party",
            format!("{id} is not a party to this mediation"),
        ))
    }
}

/// Meetings need every party's consent and an assigned mediator.
fn ready_to_meet(c: &MediationCase, date: NaiveDate) -> Result<(), DomainError> {
    if c.accepted != c.parties {
        return Err(DomainError::rule(
            RULE_CONSENT,
            format!("mediation is voluntary: not every party has accepted it by {date}"),
        ));
    }
    if c.mediators.is_empty() {
        return Err(DomainError::state(
            "NO_MEDIATOR",
            "no mediator has been assigned",
        ));
    }
    Ok(())
}

pub fn decide(state: &State, cmd: Command, _clock: &Clock) -> Result<Vec<Event>, DomainError> {
    let mediation_id = cmd.mediation_id();
    let stream = StreamId::mediation(mediation_id);
    if let Command::ReferForMediation {
        parties,
        referrer,
        legal_proceedings_pending,
        referral_notes,
        effective_date,
        ..
    } = cmd
    {
        ensure_new(&state.0, &stream)?;
        if parties.iter().collect::<BTreeSet<_>>().len() < 2 {
            return Err(DomainError::invalid(
                "parties",
                "mediation needs at least two different parties",
            ));
        }
        if legal_proceedings_pending {
            return Err(DomainError::rule(
                RULE_DURING_PROCEEDINGS,
                format!("Acas practice: mediation is not offered while early conciliation or a tribunal claim is under way (referral {effective_date})"),
            ));
        }
        return Ok(vec![MediationReferred {
            mediation_id,
            parties,
            referrer,
            referral_notes,
            effective_date,
        }
        .into()]);
    }
    let c = state
        .0
        .as_ref()
        .ok_or_else(|| DomainError::not_found(&stream, "no referral has been made"))?;
    ensure_open(c.status, &format!("mediation {mediation_id}"))?;
    let event: Event = match cmd {
        Command::ReferForMediation { .. } => {
            return Err(DomainError::AlreadyExists {
                stream: stream.to_string(),
            })
        }
        Command::AcceptMediation {
            party: p,
            effective_date,
            ..
        } => {
            party(c, p)?;
            MediationAccepted {
                mediation_id,
                party: p,
                effective_date,
            }
            .into()
        }
        Command::DeclineMediation {
            party: p,
            effective_date,
            ..
        } => {
            party(c, p)?;
            MediationDeclined {
                mediation_id,
                party: p,
                effective_date,
            }
            .into()
        }
        Command::AssignMediators {
            mediators,
            effective_date,
            ..
        } => {
            ensure_non_empty(&mediators, "mediators")?;
            MediatorsAssigned {
                mediation_id,
                mediators,
                effective_date,
            }
            .into()
        }
        Command::HoldIndividualMeeting {
            party: p,
            notes,
            effective_date,
            ..
        } => {
            party(c, p)?;
            ready_to_meet(c, effective_date)?;
            IndividualMeetingHeld {
                mediation_id,
                party: p,
                notes,
                effective_date,
            }
            .into()
        }
        Command::HoldJointMeeting {
            notes,
            effective_date,
            ..
        } => {
            ready_to_meet(c, effective_date)?;
            if c.individual_meetings != c.parties {
                return Err(DomainError::rule(RULE_INDIVIDUAL_FIRST, format!("a joint meeting on {effective_date} follows a separate meeting with each party; not every party has had one")));
            }
            JointMeetingHeld {
                mediation_id,
                notes,
                effective_date,
            }
            .into()
        }
        Command::RecordAgreement {
            agreement_hash,
            effective_date,
            ..
        } => {
            if c.joint_meetings == 0 {
                return Err(DomainError::state(
                    "NO_JOINT_MEETING",
                    "an agreement is reached in a joint meeting; none has been held",
                ));
            }
            if agreement_hash.len() != 64
                || !agreement_hash.chars().all(|ch| ch.is_ascii_hexdigit())
            {
                return Err(DomainError::invalid(
                    "agreement_hash",
                    "must be a hex SHA-256 digest; the agreement itself stays with the parties",
                ));
            }
            AgreementRecorded {
                mediation_id,
                agreement_hash,
                effective_date,
            }
            .into()
        }
        Command::CloseMediation {
            outcome,
            effective_date,
            ..
        } => MediationClosed {
            mediation_id,
            outcome,
            effective_date,
        }
        .into(),
    };
    Ok(vec![event])
}

pub fn evolve(state: State, event: &Event) -> State {
    let State(mut c) = state;
    match (event, c.as_mut()) {
        (Event::MediationReferred(e), _) => {
            c = Some(MediationCase {
                mediation_id: e.mediation_id,
                parties: e.parties.iter().copied().collect(),
                referrer: e.referrer,
                accepted: BTreeSet::new(),
                mediators: Vec::new(),
                individual_meetings: BTreeSet::new(),
                joint_meetings: 0,
                agreement_hash: None,
                outcome: None,
                status: CaseStatus::Open,
            })
        }
        (Event::MediationAccepted(e), Some(c)) => {
            c.accepted.insert(e.party);
        }
        (Event::MediationDeclined(_), Some(c)) => {
            c.outcome = Some(MediationOutcome::Declined);
            c.status = CaseStatus::Closed;
        }
        (Event::MediatorsAssigned(e), Some(c)) => c.mediators = e.mediators.clone(),
        (Event::IndividualMeetingHeld(e), Some(c)) => {
            c.individual_meetings.insert(e.party);
        }
        (Event::JointMeetingHeld(_), Some(c)) => c.joint_meetings += 1,
        (Event::AgreementRecorded(e), Some(c)) => c.agreement_hash = Some(e.agreement_hash.clone()),
        (Event::MediationClosed(e), Some(c)) => {
            c.outcome = Some(e.outcome.clone());
            c.status = CaseStatus::Closed;
        }
        _ => {}
    }
    State(c)
}
