//! Appointment case: filling a post in the new structure by slot-in, ring-fenced or open
//! competition, through to an accepted offer that changes the appointee's assignment.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::common::{
    ensure_new, ensure_non_empty, ensure_open, ensure_text, event_enum, Assignment, CaseStatus,
    Grade, Narrative,
};
use crate::employee;
use crate::error::DomainError;
use crate::ledger::LedgerEvent;
use crate::related::Related;
use crate::rules::afc;
use crate::stream::StreamId;

pub const RULE_OFFER_WITHOUT_SELECTION: &str = "APPOINTMENT_OFFER_WITHOUT_SELECTION";
pub const RULE_NOT_IN_POOL: &str = "APPOINTMENT_RING_FENCE_POOL";
pub const RULE_SLOT_IN_MATCH: &str = "APPOINTMENT_SLOT_IN_MATCH_BELOW_POLICY";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillRoute {
    DirectSlotIn,
    CompetitiveSlotIn,
    RingFenced,
    Open,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectionStage {
    Shortlisting,
    Interview,
    AssessmentCentre,
    Test,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub position_code: String,
    pub job_title: String,
    pub staff_group: String,
    pub grade: Grade,
    pub job_evaluation_score: Option<u16>,
    pub cost_centre: String,
    pub location: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    Made,
    Accepted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub employee_id: Uuid,
    pub start_date: NaiveDate,
    pub status: OfferStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentCase {
    pub appointment_id: Uuid,
    pub programme_id: Option<Uuid>,
    pub post: Post,
    pub route: FillRoute,
    pub slot_in_match_percent: u8,
    pub pool: BTreeSet<Uuid>,
    pub matches: BTreeMap<Uuid, u8>,
    pub stages: Vec<SelectionStage>,
    /// The candidate chosen by a closed selection or a slot-in decision.
    pub chosen: Option<Uuid>,
    pub offer: Option<Offer>,
    pub status: CaseStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State(pub Option<AppointmentCase>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    EstablishPost {
        appointment_id: Uuid,
        programme_id: Option<Uuid>,
        post: Post,
        route: FillRoute,
        effective_date: NaiveDate,
    },
    DeclarePool {
        appointment_id: Uuid,
        employee_ids: Vec<Uuid>,
        effective_date: NaiveDate,
    },
    MatchCandidate {
        appointment_id: Uuid,
        employee_id: Uuid,
        match_percent: u8,
        effective_date: NaiveDate,
    },
    HoldSelectionStage {
        appointment_id: Uuid,
        stage: SelectionStage,
        candidate_ids: Vec<Uuid>,
        effective_date: NaiveDate,
    },
    CloseSelection {
        appointment_id: Uuid,
        selected: Uuid,
        effective_date: NaiveDate,
    },
    SlotIn {
        appointment_id: Uuid,
        employee_id: Uuid,
        effective_date: NaiveDate,
    },
    MakeOffer {
        appointment_id: Uuid,
        employee_id: Uuid,
        start_date: NaiveDate,
        effective_date: NaiveDate,
    },
    AcceptOffer {
        appointment_id: Uuid,
        effective_date: NaiveDate,
    },
    DeclineOffer {
        appointment_id: Uuid,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    /// Changes the appointee's assignment from the offer's start date.
    ConfirmAppointment { appointment_id: Uuid },
    CancelAppointment {
        appointment_id: Uuid,
        reason: Narrative,
        effective_date: NaiveDate,
    },
}

impl Command {
    pub fn appointment_id(&self) -> Uuid {
        use Command::*;
        match self {
            EstablishPost { appointment_id, .. }
            | DeclarePool { appointment_id, .. }
            | MatchCandidate { appointment_id, .. }
            | HoldSelectionStage { appointment_id, .. }
            | CloseSelection { appointment_id, .. }
            | SlotIn { appointment_id, .. }
            | MakeOffer { appointment_id, .. }
            | AcceptOffer { appointment_id, .. }
            | DeclineOffer { appointment_id, .. }
            | ConfirmAppointment { appointment_id }
            | CancelAppointment { appointment_id, .. } => *appointment_id,
        }
    }

    pub fn related_streams(&self, state: &State) -> Vec<StreamId> {
        match self {
            Command::EstablishPost {
                programme_id: Some(p),
                ..
            } => vec![StreamId::programme(*p)],
            Command::ConfirmAppointment { .. } => state
                .0
                .iter()
                .flat_map(|c| &c.offer)
                .map(|o| StreamId::employee(o.employee_id))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostEstablished {
    pub appointment_id: Uuid,
    pub programme_id: Option<Uuid>,
    pub post: Post,
    pub route: FillRoute,
    /// The programme's slot-in threshold when the post was established.
    pub slot_in_match_percent: u8,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolDeclared {
    pub appointment_id: Uuid,
    pub employee_ids: Vec<Uuid>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateMatched {
    pub appointment_id: Uuid,
    pub employee_id: Uuid,
    pub match_percent: u8,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionStageHeld {
    pub appointment_id: Uuid,
    pub stage: SelectionStage,
    pub candidate_ids: Vec<Uuid>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionClosed {
    pub appointment_id: Uuid,
    pub selected: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlottedIn {
    pub appointment_id: Uuid,
    pub employee_id: Uuid,
    pub match_percent: u8,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentOffered {
    pub appointment_id: Uuid,
    pub employee_id: Uuid,
    pub start_date: NaiveDate,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentOfferAccepted {
    pub appointment_id: Uuid,
    pub employee_id: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentOfferDeclined {
    pub appointment_id: Uuid,
    pub employee_id: Uuid,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentConfirmed {
    pub appointment_id: Uuid,
    pub employee_id: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentCancelled {
    pub appointment_id: Uuid,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

event_enum! {
    key: appointment_id: Uuid;
    pub enum Event {
        PostEstablished,
        PoolDeclared,
        CandidateMatched,
        SelectionStageHeld,
        SelectionClosed,
        SlottedIn,
        AppointmentOffered,
        AppointmentOfferAccepted,
        AppointmentOfferDeclined,
        AppointmentConfirmed,
        AppointmentCancelled,
    }
}

impl Event {
    pub fn employees_touched(&self) -> Vec<Uuid> {
        match self {
            Event::PoolDeclared(e) => e.employee_ids.clone(),
            Event::SelectionStageHeld(e) => e.candidate_ids.clone(),
            Event::CandidateMatched(CandidateMatched { employee_id, .. })
            | Event::SlottedIn(SlottedIn { employee_id, .. })
            | Event::AppointmentOffered(AppointmentOffered { employee_id, .. })
            | Event::AppointmentOfferAccepted(AppointmentOfferAccepted { employee_id, .. })
            | Event::AppointmentOfferDeclined(AppointmentOfferDeclined { employee_id, .. })
            | Event::AppointmentConfirmed(AppointmentConfirmed { employee_id, .. }) => {
                vec![*employee_id]
            }
            Event::SelectionClosed(e) => vec![e.selected],
            _ => Vec::new(),
        }
    }
}

fn check_post(post: &Post) -> Result<(), DomainError> {
    ensure_text(&post.job_title, "job_title")?;
    let (Grade::AgendaForChange { band, .. }, Some(score)) =
        (&post.grade, post.job_evaluation_score)
    else {
        return Ok(());
    };
    if afc::band_for_score(score) != Some(*band) {
        return Err(DomainError::rule(
            afc::RULE_JE_BAND,
            format!("NHS Job Evaluation Scheme: a job weight of {score} does not fall in AfC band {band:?} (it maps to {:?})", afc::band_for_score(score)),
        ));
    }
    Ok(())
}

/// Ring-fenced and competitive slot-in routes are limited to the declared pool.
fn check_in_pool(c: &AppointmentCase, employee_id: Uuid) -> Result<(), DomainError> {
    let pooled = matches!(
        c.route,
        FillRoute::RingFenced | FillRoute::CompetitiveSlotIn
    );
    if pooled && !c.pool.contains(&employee_id) {
        return Err(DomainError::rule(
            RULE_NOT_IN_POOL,
            format!(
                "employee {employee_id} is not in the declared pool of this {:?} appointment",
                c.route
            ),
        ));
    }
    Ok(())
}

/// Reads the programme policy (EstablishPost) and the appointee's record (ConfirmAppointment);
/// confirmation also appends the new assignment to the appointee's stream.
pub fn decide(
    state: &State,
    cmd: Command,
    related: &Related,
    _clock: &Clock,
) -> Result<Vec<(StreamId, LedgerEvent)>, DomainError> {
    let appointment_id = cmd.appointment_id();
    let stream = StreamId::appointment(appointment_id);
    let own = |e: Event| vec![(stream.clone(), LedgerEvent::Appointment(e))];
    if let Command::EstablishPost {
        programme_id,
        post,
        route,
        effective_date,
        ..
    } = cmd
    {
        ensure_new(&state.0, &stream)?;
        check_post(&post)?;
        let slot_in_match_percent = related.policy(programme_id)?.slot_in_match_percent;
        return Ok(own(PostEstablished {
            appointment_id,
            programme_id,
            post,
            route,
            slot_in_match_percent,
            effective_date,
        }
        .into()));
    }
    let c = state
        .0
        .as_ref()
        .ok_or_else(|| DomainError::not_found(&stream, "no post has been established"))?;
    ensure_open(c.status, &format!("appointment case {appointment_id}"))?;
    let event: Event = match cmd {
        Command::EstablishPost { .. } => {
            return Err(DomainError::AlreadyExists {
                stream: stream.to_string(),
            })
        }
        Command::DeclarePool {
            employee_ids,
            effective_date,
            ..
        } => {
            ensure_non_empty(&employee_ids, "employee_ids")?;
            PoolDeclared {
                appointment_id,
                employee_ids,
                effective_date,
            }
            .into()
        }
        Command::MatchCandidate {
            employee_id,
            match_percent,
            effective_date,
            ..
        } => {
            if match_percent > 100 {
                return Err(DomainError::invalid("match_percent", "must be 0-100"));
            }
            CandidateMatched {
                appointment_id,
                employee_id,
                match_percent,
                effective_date,
            }
            .into()
        }
        Command::HoldSelectionStage {
            stage,
            candidate_ids,
            effective_date,
            ..
        } => {
            ensure_non_empty(&candidate_ids, "candidate_ids")?;
            for id in &candidate_ids {
                check_in_pool(c, *id)?;
            }
            SelectionStageHeld {
                appointment_id,
                stage,
                candidate_ids,
                effective_date,
            }
            .into()
        }
        Command::CloseSelection {
            selected,
            effective_date,
            ..
        } => {
            if c.stages.is_empty() {
                return Err(DomainError::state(
                    "NO_SELECTION_STAGE",
                    "no selection stage has been held",
                ));
            }
            check_in_pool(c, selected)?;
            SelectionClosed {
                appointment_id,
                selected,
                effective_date,
            }
            .into()
        }
        Command::SlotIn {
            employee_id,
            effective_date,
            ..
        } => slot_in(c, employee_id, effective_date)?.into(),
        Command::MakeOffer {
            employee_id,
            start_date,
            effective_date,
            ..
        } => make_offer(c, employee_id, start_date, effective_date)?.into(),
        Command::AcceptOffer { effective_date, .. } => {
            let offer = pending_offer(c)?;
            AppointmentOfferAccepted {
                appointment_id,
                employee_id: offer.employee_id,
                effective_date,
            }
            .into()
        }
        Command::DeclineOffer {
            reason,
            effective_date,
            ..
        } => {
            let offer = pending_offer(c)?;
            AppointmentOfferDeclined {
                appointment_id,
                employee_id: offer.employee_id,
                reason,
                effective_date,
            }
            .into()
        }
        Command::ConfirmAppointment { .. } => return confirm(c, related),
        Command::CancelAppointment {
            reason,
            effective_date,
            ..
        } => {
            ensure_text(&reason.0, "reason")?;
            AppointmentCancelled {
                appointment_id,
                reason,
                effective_date,
            }
            .into()
        }
    };
    Ok(own(event))
}

fn slot_in(
    c: &AppointmentCase,
    employee_id: Uuid,
    effective_date: NaiveDate,
) -> Result<SlottedIn, DomainError> {
    if !matches!(
        c.route,
        FillRoute::DirectSlotIn | FillRoute::CompetitiveSlotIn
    ) {
        return Err(DomainError::state(
            "ROUTE_NOT_SLOT_IN",
            format!("the post is filled by {:?}, not by slot-in", c.route),
        ));
    }
    check_in_pool(c, employee_id)?;
    let pct = c.matches.get(&employee_id).copied().unwrap_or(0);
    if pct < c.slot_in_match_percent {
        return Err(DomainError::rule(
            RULE_SLOT_IN_MATCH,
            format!("local policy: slot-in needs a match of at least {}% between the old and new post; employee {employee_id} matches {pct}%", c.slot_in_match_percent),
        ));
    }
    Ok(SlottedIn {
        appointment_id: c.appointment_id,
        employee_id,
        match_percent: pct,
        effective_date,
    })
}

fn make_offer(
    c: &AppointmentCase,
    employee_id: Uuid,
    start_date: NaiveDate,
    effective_date: NaiveDate,
) -> Result<AppointmentOffered, DomainError> {
    if c.offer.is_some() {
        return Err(DomainError::state(
            "OFFER_OUTSTANDING",
            "an offer is already outstanding",
        ));
    }
    let Some(chosen) = c.chosen else {
        return Err(DomainError::rule(
            RULE_OFFER_WITHOUT_SELECTION,
            format!("an offer on {effective_date} needs a closed selection or a slot-in decision on this post first"),
        ));
    };
    check_in_pool(c, employee_id)?;
    if chosen != employee_id {
        return Err(DomainError::invalid(
            "employee_id",
            format!("the selection chose employee {chosen}, not {employee_id}"),
        ));
    }
    Ok(AppointmentOffered {
        appointment_id: c.appointment_id,
        employee_id,
        start_date,
        effective_date,
    })
}

fn pending_offer(c: &AppointmentCase) -> Result<&Offer, DomainError> {
    c.offer
        .as_ref()
        .filter(|o| o.status == OfferStatus::Made)
        .ok_or_else(|| DomainError::state("NO_PENDING_OFFER", "no offer is awaiting an answer"))
}

fn confirm(
    c: &AppointmentCase,
    related: &Related,
) -> Result<Vec<(StreamId, LedgerEvent)>, DomainError> {
    let offer = c
        .offer
        .as_ref()
        .filter(|o| o.status == OfferStatus::Accepted)
        .ok_or_else(|| {
            DomainError::state("OFFER_NOT_ACCEPTED", "the offer has not been accepted")
        })?;
    let current = related.employee(offer.employee_id)?.current_employment()?;
    // The assignment number and FTE stay with the person; the post defines the rest.
    let assignment = Assignment {
        assignment_number: current.assignment.assignment_number.clone(),
        position_code: c.post.position_code.clone(),
        job_title: c.post.job_title.clone(),
        staff_group: c.post.staff_group.clone(),
        grade: c.post.grade.clone(),
        fte: current.assignment.fte,
        cost_centre: c.post.cost_centre.clone(),
        location: c.post.location.clone(),
    };
    let changed = employee::AssignmentChanged {
        employee_id: offer.employee_id,
        assignment,
        reason: Narrative(format!(
            "appointed to {} ({})",
            c.post.job_title, c.post.position_code
        )),
        case_id: Some(c.appointment_id),
        effective_date: offer.start_date,
    };
    let confirmed = AppointmentConfirmed {
        appointment_id: c.appointment_id,
        employee_id: offer.employee_id,
        effective_date: offer.start_date,
    };
    Ok(vec![
        (
            StreamId::appointment(c.appointment_id),
            LedgerEvent::Appointment(confirmed.into()),
        ),
        (
            StreamId::employee(offer.employee_id),
            LedgerEvent::Employee(changed.into()),
        ),
    ])
}

pub fn evolve(state: State, event: &Event) -> State {
    let State(mut c) = state;
    match (event, c.as_mut()) {
        (Event::PostEstablished(e), _) => {
            c = Some(AppointmentCase {
                appointment_id: e.appointment_id,
                programme_id: e.programme_id,
                post: e.post.clone(),
                route: e.route,
                slot_in_match_percent: e.slot_in_match_percent,
                pool: BTreeSet::new(),
                matches: BTreeMap::new(),
                stages: Vec::new(),
                chosen: None,
                offer: None,
                status: CaseStatus::Open,
            })
        }
        (Event::PoolDeclared(e), Some(c)) => c.pool.extend(e.employee_ids.iter().copied()),
        (Event::CandidateMatched(e), Some(c)) => {
            c.matches.insert(e.employee_id, e.match_percent);
        }
        (Event::SelectionStageHeld(e), Some(c)) => c.stages.push(e.stage),
        (Event::SelectionClosed(e), Some(c)) => c.chosen = Some(e.selected),
        (Event::SlottedIn(e), Some(c)) => c.chosen = Some(e.employee_id),
        (Event::AppointmentOffered(e), Some(c)) => {
            c.offer = Some(Offer {
                employee_id: e.employee_id,
                start_date: e.start_date,
                status: OfferStatus::Made,
            })
        }
        (Event::AppointmentOfferAccepted(_), Some(c)) => {
            if let Some(o) = c.offer.as_mut() {
                o.status = OfferStatus::Accepted;
            }
        }
        // A declined offer reopens the post: a new selection or slot-in decision is needed.
        (Event::AppointmentOfferDeclined(_), Some(c)) => {
            c.offer = None;
            c.chosen = None;
        }
        (Event::AppointmentConfirmed(_), Some(c)) => c.status = CaseStatus::Closed,
        (Event::AppointmentCancelled(_), Some(c)) => c.status = CaseStatus::Cancelled,
        _ => {}
    }
    State(c)
}
