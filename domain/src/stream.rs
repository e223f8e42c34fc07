//! Stream identities: one stream per aggregate instance, named `<kind>-<id>`.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AggregateKind {
    Organisation,
    Employee,
    Programme,
    Transfer,
    Consultation,
    Appointment,
    Displacement,
    Mediation,
}

impl AggregateKind {
    pub const ALL: [AggregateKind; 8] = [
        AggregateKind::Organisation,
        AggregateKind::Employee,
        AggregateKind::Programme,
        AggregateKind::Transfer,
        AggregateKind::Consultation,
        AggregateKind::Appointment,
        AggregateKind::Displacement,
        AggregateKind::Mediation,
    ];

    /// The stream-name prefix (without the dash).
    pub fn prefix(self) -> &'static str {
        match self {
            AggregateKind::Organisation => "organisation",
            AggregateKind::Employee => "employee",
            AggregateKind::Programme => "programme",
            AggregateKind::Transfer => "transfer",
            AggregateKind::Consultation => "consultation",
            AggregateKind::Appointment => "appointment",
            AggregateKind::Displacement => "displacement",
            AggregateKind::Mediation => "mediation",
        }
    }
}

/// Serialized as its plain string; deserializing validates it like [`StreamId::parse`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StreamId(String);

impl TryFrom<String> for StreamId {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        StreamId::parse(&s)
    }
}

impl From<StreamId> for String {
    fn from(s: StreamId) -> String {
        s.0
    }
}

impl StreamId {
    fn with_uuid(kind: AggregateKind, id: Uuid) -> Self {
        StreamId(format!("{}-{id}", kind.prefix()))
    }

    /// Organisation codes are short ODS-like codes (e.g. `QHM`, `15M`); validated on registration.
    pub fn organisation(code: &str) -> Self {
        StreamId(format!("organisation-{code}"))
    }
    pub fn employee(id: Uuid) -> Self {
        Self::with_uuid(AggregateKind::Employee, id)
    }
    pub fn programme(id: Uuid) -> Self {
        Self::with_uuid(AggregateKind::Programme, id)
    }
    pub fn transfer(id: Uuid) -> Self {
        Self::with_uuid(AggregateKind::Transfer, id)
    }
    pub fn consultation(id: Uuid) -> Self {
        Self::with_uuid(AggregateKind::Consultation, id)
    }
    pub fn appointment(id: Uuid) -> Self {
        Self::with_uuid(AggregateKind::Appointment, id)
    }
    pub fn displacement(id: Uuid) -> Self {
        Self::with_uuid(AggregateKind::Displacement, id)
    }
    pub fn mediation(id: Uuid) -> Self {
        Self::with_uuid(AggregateKind::Mediation, id)
    }

    pub fn parse(s: &str) -> Result<StreamId, DomainError> {
        let bad = |why: &str| DomainError::invalid("stream_id", format!("'{s}' {why}"));
        let (prefix, rest) = s
            .split_once('-')
            .ok_or_else(|| bad("has no '<kind>-' prefix"))?;
        let kind = AggregateKind::ALL
            .into_iter()
            .find(|k| k.prefix() == prefix)
            .ok_or_else(|| bad("has an unknown kind"))?;
        match kind {
            AggregateKind::Organisation => {
                crate::organisation::validate_code(rest)?;
                Ok(StreamId::organisation(rest))
            }
            _ => {
                let id = Uuid::parse_str(rest).map_err(|_| bad("does not end in a UUID"))?;
                Ok(Self::with_uuid(kind, id))
            }
        }
    }

    pub fn kind(&self) -> AggregateKind {
        let prefix = self.0.split('-').next().unwrap_or_default();
        AggregateKind::ALL
            .into_iter()
            .find(|k| k.prefix() == prefix)
            .expect("StreamId is only built by its constructors")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
