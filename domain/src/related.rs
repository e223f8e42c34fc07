//! Read-only view of the other streams a command needs (see `LedgerCommand::related_streams`).

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::consultation::ConsultationCase;
use crate::employee::EmployeeRecord;
use crate::error::DomainError;
use crate::ledger::AggregateState;
use crate::programme::Policy;
use crate::stream::StreamId;

#[derive(Debug, Clone, Copy)]
pub struct Related<'a> {
    states: &'a BTreeMap<StreamId, AggregateState>,
}

impl<'a> Related<'a> {
    pub fn new(states: &'a BTreeMap<StreamId, AggregateState>) -> Self {
        Related { states }
    }

    /// The staff record of an employee; missing streams are reported as not found.
    pub fn employee(&self, employee_id: Uuid) -> Result<&'a EmployeeRecord, DomainError> {
        let stream = StreamId::employee(employee_id);
        match self.states.get(&stream) {
            Some(AggregateState::Employee(s)) => s.record(employee_id),
            _ => Err(DomainError::not_found(
                stream,
                "no staff record is registered",
            )),
        }
    }

    /// The local policy of the programme a case belongs to; defaults outside a programme.
    pub fn policy(&self, programme_id: Option<Uuid>) -> Result<Policy, DomainError> {
        let Some(id) = programme_id else {
            return Ok(Policy::default());
        };
        let stream = StreamId::programme(id);
        match self.states.get(&stream) {
            Some(AggregateState::Programme(p)) if p.0.is_some() => Ok(p.policy()),
            _ => Err(DomainError::not_found(
                stream,
                "the programme has not been opened",
            )),
        }
    }

    pub fn consultation(&self, consultation_id: Uuid) -> Result<&'a ConsultationCase, DomainError> {
        let stream = StreamId::consultation(consultation_id);
        match self.states.get(&stream) {
            Some(AggregateState::Consultation(s)) => s.0.as_ref().ok_or_else(|| {
                DomainError::not_found(stream, "the consultation has not been opened")
            }),
            _ => Err(DomainError::not_found(
                stream,
                "the consultation has not been opened",
            )),
        }
    }
}
