//! Dispatch across aggregates: the one entry point of the command path and of projections.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::error::DomainError;
use crate::related::Related;
use crate::stream::{AggregateKind, StreamId};
use crate::{
    appointment, consultation, displacement, employee, mediation, organisation, programme, transfer,
};

pub use crate::codec::StoredEvent;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LedgerEvent {
    Organisation(organisation::Event),
    Employee(employee::Event),
    Programme(programme::Event),
    Transfer(transfer::Event),
    Consultation(consultation::Event),
    Appointment(appointment::Event),
    Displacement(displacement::Event),
    Mediation(mediation::Event),
}

/// Applies the same expression to the inner event of any variant.
macro_rules! on_inner {
    ($value:expr, $e:ident => $body:expr) => {
        match $value {
            LedgerEvent::Organisation($e) => $body,
            LedgerEvent::Employee($e) => $body,
            LedgerEvent::Programme($e) => $body,
            LedgerEvent::Transfer($e) => $body,
            LedgerEvent::Consultation($e) => $body,
            LedgerEvent::Appointment($e) => $body,
            LedgerEvent::Displacement($e) => $body,
            LedgerEvent::Mediation($e) => $body,
        }
    };
}

impl LedgerEvent {
    pub fn kind(&self) -> AggregateKind {
        match self {
            LedgerEvent::Organisation(_) => AggregateKind::Organisation,
            LedgerEvent::Employee(_) => AggregateKind::Employee,
            LedgerEvent::Programme(_) => AggregateKind::Programme,
            LedgerEvent::Transfer(_) => AggregateKind::Transfer,
            LedgerEvent::Consultation(_) => AggregateKind::Consultation,
            LedgerEvent::Appointment(_) => AggregateKind::Appointment,
            LedgerEvent::Displacement(_) => AggregateKind::Displacement,
            LedgerEvent::Mediation(_) => AggregateKind::Mediation,
        }
    }

    pub fn event_type(&self) -> &'static str {
        on_inner!(self, e => e.event_type())
    }

    pub fn effective_date(&self) -> NaiveDate {
        on_inner!(self, e => e.effective_date())
    }

    /// The stream this event belongs to, derived from its aggregate key.
    pub fn stream(&self) -> StreamId {
        match self {
            LedgerEvent::Organisation(e) => StreamId::organisation(e.key()),
            LedgerEvent::Employee(e) => StreamId::employee(*e.key()),
            LedgerEvent::Programme(e) => StreamId::programme(*e.key()),
            LedgerEvent::Transfer(e) => StreamId::transfer(*e.key()),
            LedgerEvent::Consultation(e) => StreamId::consultation(*e.key()),
            LedgerEvent::Appointment(e) => StreamId::appointment(*e.key()),
            LedgerEvent::Displacement(e) => StreamId::displacement(*e.key()),
            LedgerEvent::Mediation(e) => StreamId::mediation(*e.key()),
        }
    }

    /// Employees this event is about, for the audit-trail index.
    pub fn employees_touched(&self) -> Vec<Uuid> {
        match self {
            LedgerEvent::Organisation(_)
            | LedgerEvent::Programme(_)
            | LedgerEvent::Consultation(_) => Vec::new(),
            LedgerEvent::Employee(e) => vec![*e.key()],
            LedgerEvent::Transfer(e) => e.employees_touched(),
            LedgerEvent::Appointment(e) => e.employees_touched(),
            LedgerEvent::Displacement(displacement::Event::StaffAtRiskNotified(e)) => {
                vec![e.employee_id]
            }
            LedgerEvent::Displacement(displacement::Event::StaffRedeployed(e)) => {
                vec![e.employee_id]
            }
            LedgerEvent::Displacement(displacement::Event::RedundancyNoticeIssued(e)) => {
                vec![e.employee_id]
            }
            LedgerEvent::Displacement(_) => Vec::new(),
            LedgerEvent::Mediation(e) => e.employees_touched(),
        }
    }

    /// The case this event belongs to (programme or case stream), or the case an employee
    /// event was caused by.
    pub fn case_id(&self) -> Option<Uuid> {
        match self {
            LedgerEvent::Organisation(_) => None,
            LedgerEvent::Employee(e) => employee_case(e),
            LedgerEvent::Programme(e) => Some(*e.key()),
            LedgerEvent::Transfer(e) => Some(*e.key()),
            LedgerEvent::Consultation(e) => Some(*e.key()),
            LedgerEvent::Appointment(e) => Some(*e.key()),
            LedgerEvent::Displacement(e) => Some(*e.key()),
            LedgerEvent::Mediation(e) => Some(*e.key()),
        }
    }

    pub fn to_stored(&self) -> StoredEvent {
        crate::codec::encode(self)
    }

    pub fn from_stored(
        event_type: &str,
        schema_version: u32,
        data: &serde_json::Value,
    ) -> Result<LedgerEvent, crate::error::DecodeError> {
        crate::codec::decode(event_type, schema_version, data)
    }

    /// As [`LedgerEvent::from_stored`], from the data's JSON text as the store keeps it.
    pub fn from_stored_text(
        event_type: &str,
        schema_version: u32,
        data: &str,
    ) -> Result<LedgerEvent, crate::error::DecodeError> {
        crate::codec::decode_text(event_type, schema_version, data)
    }
}

fn employee_case(e: &employee::Event) -> Option<Uuid> {
    match e {
        employee::Event::EmployeeScopedIntoTransfer(e) => Some(e.transfer_id),
        employee::Event::EmployeeReleasedFromTransfer(e) => Some(e.transfer_id),
        employee::Event::EmployeeTransferred(e) => Some(e.transfer_id),
        employee::Event::EmploymentEndedByObjection(e) => Some(e.transfer_id),
        employee::Event::AssignmentChanged(e) => e.case_id,
        employee::Event::PayProtectionApplied(e) => e.case_id,
        employee::Event::TermsVaried(e) => e.linked_transfer,
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AggregateState {
    Organisation(organisation::State),
    Employee(employee::State),
    Programme(programme::State),
    Transfer(transfer::State),
    Consultation(consultation::State),
    Appointment(appointment::State),
    Displacement(displacement::State),
    Mediation(mediation::State),
}

impl AggregateState {
    pub fn initial(kind: AggregateKind) -> Self {
        match kind {
            AggregateKind::Organisation => AggregateState::Organisation(Default::default()),
            AggregateKind::Employee => AggregateState::Employee(Default::default()),
            AggregateKind::Programme => AggregateState::Programme(Default::default()),
            AggregateKind::Transfer => AggregateState::Transfer(Default::default()),
            AggregateKind::Consultation => AggregateState::Consultation(Default::default()),
            AggregateKind::Appointment => AggregateState::Appointment(Default::default()),
            AggregateKind::Displacement => AggregateState::Displacement(Default::default()),
            AggregateKind::Mediation => AggregateState::Mediation(Default::default()),
        }
    }

    /// Folds one event in. An event of another aggregate kind leaves the state unchanged
    /// (the store never puts one in the wrong stream).
    pub fn evolve(self, e: &LedgerEvent) -> Self {
        use AggregateState as S;
        use LedgerEvent as E;
        match (self, e) {
            (S::Organisation(s), E::Organisation(e)) => S::Organisation(organisation::evolve(s, e)),
            (S::Employee(s), E::Employee(e)) => S::Employee(employee::evolve(s, e)),
            (S::Programme(s), E::Programme(e)) => S::Programme(programme::evolve(s, e)),
            (S::Transfer(s), E::Transfer(e)) => S::Transfer(transfer::evolve(s, e)),
            (S::Consultation(s), E::Consultation(e)) => S::Consultation(consultation::evolve(s, e)),
            (S::Appointment(s), E::Appointment(e)) => S::Appointment(appointment::evolve(s, e)),
            (S::Displacement(s), E::Displacement(e)) => S::Displacement(displacement::evolve(s, e)),
            (S::Mediation(s), E::Mediation(e)) => S::Mediation(mediation::evolve(s, e)),
            (s, _) => s,
        }
    }

    /// Replays events from the initial state.
    pub fn replay<'a>(
        kind: AggregateKind,
        events: impl IntoIterator<Item = &'a LedgerEvent>,
    ) -> Self {
        events.into_iter().fold(Self::initial(kind), Self::evolve)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LedgerCommand {
    Organisation(organisation::Command),
    Employee(employee::Command),
    Programme(programme::Command),
    Transfer(transfer::Command),
    Consultation(consultation::Command),
    Appointment(appointment::Command),
    Displacement(displacement::Command),
    Mediation(mediation::Command),
}

impl LedgerCommand {
    /// The primary stream: the aggregate the command is addressed to.
    pub fn stream(&self) -> StreamId {
        match self {
            LedgerCommand::Organisation(c) => StreamId::organisation(c.code()),
            LedgerCommand::Employee(c) => StreamId::employee(c.employee_id()),
            LedgerCommand::Programme(c) => StreamId::programme(c.programme_id()),
            LedgerCommand::Transfer(c) => StreamId::transfer(c.transfer_id()),
            LedgerCommand::Consultation(c) => StreamId::consultation(c.consultation_id()),
            LedgerCommand::Appointment(c) => StreamId::appointment(c.appointment_id()),
            LedgerCommand::Displacement(c) => StreamId::displacement(c.displacement_id()),
            LedgerCommand::Mediation(c) => StreamId::mediation(c.mediation_id()),
        }
    }

    /// Other streams whose state the decision reads, given the primary stream's state.
    pub fn related_streams(&self, primary: &AggregateState) -> Vec<StreamId> {
        match (self, primary) {
            (LedgerCommand::Transfer(c), AggregateState::Transfer(s)) => c
                .related_employees(s)
                .into_iter()
                .map(StreamId::employee)
                .collect(),
            (LedgerCommand::Appointment(c), AggregateState::Appointment(s)) => c.related_streams(s),
            (LedgerCommand::Displacement(c), AggregateState::Displacement(s)) => {
                c.related_streams(s)
            }
            (
                LedgerCommand::Consultation(consultation::Command::OpenConsultation {
                    programme_id: Some(p),
                    ..
                }),
                _,
            ) => {
                vec![StreamId::programme(*p)]
            }
            _ => Vec::new(),
        }
    }
}

fn own<E>(
    stream: &StreamId,
    wrap: fn(E) -> LedgerEvent,
    events: Vec<E>,
) -> Vec<(StreamId, LedgerEvent)> {
    events
        .into_iter()
        .map(|e| (stream.clone(), wrap(e)))
        .collect()
}

/// The one entry point of the command path: decides over the primary state and the related
/// states in `states` (missing streams count as not yet created) and returns the events to
/// append, each with its stream, atomically.
pub fn decide(
    cmd: LedgerCommand,
    states: &BTreeMap<StreamId, AggregateState>,
    clock: &Clock,
) -> Result<Vec<(StreamId, LedgerEvent)>, DomainError> {
    let stream = cmd.stream();
    let primary = states
        .get(&stream)
        .cloned()
        .unwrap_or_else(|| AggregateState::initial(stream.kind()));
    let related = Related::new(states);
    use AggregateState as S;
    use LedgerCommand as C;
    match (cmd, primary) {
        (C::Organisation(c), S::Organisation(s)) => Ok(own(
            &stream,
            LedgerEvent::Organisation,
            organisation::decide(&s, c, clock)?,
        )),
        (C::Employee(c), S::Employee(s)) => Ok(own(
            &stream,
            LedgerEvent::Employee,
            employee::decide(&s, c, clock)?,
        )),
        (C::Programme(c), S::Programme(s)) => Ok(own(
            &stream,
            LedgerEvent::Programme,
            programme::decide(&s, c, clock)?,
        )),
        (C::Transfer(c), S::Transfer(s)) => transfer::decide(&s, c, &related, clock),
        (C::Consultation(c), S::Consultation(s)) => Ok(own(
            &stream,
            LedgerEvent::Consultation,
            consultation::decide(&s, c, &related, clock)?,
        )),
        (C::Appointment(c), S::Appointment(s)) => appointment::decide(&s, c, &related, clock),
        (C::Displacement(c), S::Displacement(s)) => Ok(own(
            &stream,
            LedgerEvent::Displacement,
            displacement::decide(&s, c, &related, clock)?,
        )),
        (C::Mediation(c), S::Mediation(s)) => Ok(own(
            &stream,
            LedgerEvent::Mediation,
            mediation::decide(&s, c, clock)?,
        )),
        (_, s) => Err(DomainError::invalid(
            "stream",
            format!(
                "{stream} holds a {:?} state that does not match the command",
                kind_of(&s)
            ),
        )),
    }
}

fn kind_of(s: &AggregateState) -> &'static str {
    match s {
        AggregateState::Organisation(_) => "organisation",
        AggregateState::Employee(_) => "employee",
        AggregateState::Programme(_) => "programme",
        AggregateState::Transfer(_) => "transfer",
        AggregateState::Consultation(_) => "consultation",
        AggregateState::Appointment(_) => "appointment",
        AggregateState::Displacement(_) => "displacement",
        AggregateState::Mediation(_) => "mediation",
    }
}

/// Lets callers write `transfer::Command::CompleteTransfer { .. }.into()`.
macro_rules! ledger_command_from {
    ($($module:ident => $variant:ident),+ $(,)?) => {
        $(impl From<crate::$module::Command> for LedgerCommand {
            fn from(c: crate::$module::Command) -> Self {
                LedgerCommand::$variant(c)
            }
        })+
    };
}

ledger_command_from! {
    organisation => Organisation,
    employee => Employee,
    programme => Programme,
    transfer => Transfer,
    consultation => Consultation,
    appointment => Appointment,
    displacement => Displacement,
    mediation => Mediation,
}
