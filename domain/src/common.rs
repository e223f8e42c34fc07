//! Value types shared by several aggregates, and the macro that declares event enums.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;

/// Personal data of one data subject. Kept apart from the rest of an event so the store can
/// encrypt it with a per-person key and crypto-shred it on erasure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDetails {
    pub given_name: String,
    pub family_name: String,
    pub ni_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
}

/// Free text that may hold personal or confidential content (reasons, notes, narratives).
/// A named type so projections and the API can recognise and restrict it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Narrative(pub String);

impl From<&str> for Narrative {
    fn from(s: &str) -> Self {
        Narrative(s.to_string())
    }
}

/// Agenda for Change pay bands (NHS Job Evaluation Scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AfcBand {
    #[serde(rename = "1")]
    B1,
    #[serde(rename = "2")]
    B2,
    #[serde(rename = "3")]
    B3,
    #[serde(rename = "4")]
    B4,
    #[serde(rename = "5")]
    B5,
    #[serde(rename = "6")]
    B6,
    #[serde(rename = "7")]
    B7,
    #[serde(rename = "8a")]
    B8a,
    #[serde(rename = "8b")]
    B8b,
    #[serde(rename = "8c")]
    B8c,
    #[serde(rename = "8d")]
    B8d,
    #[serde(rename = "9")]
    B9,
}

impl AfcBand {
    /// The band as written on payslips and in the ledger ("5", "8a"): its serialized name,
    /// without going through a serializer (read models write it for every staff record).
    pub fn as_str(self) -> &'static str {
        match self {
            AfcBand::B1 => "1",
            AfcBand::B2 => "2",
            AfcBand::B3 => "3",
            AfcBand::B4 => "4",
            AfcBand::B5 => "5",
            AfcBand::B6 => "6",
            AfcBand::B7 => "7",
            AfcBand::B8a => "8a",
            AfcBand::B8b => "8b",
            AfcBand::B8c => "8c",
            AfcBand::B8d => "8d",
            AfcBand::B9 => "9",
        }
    }
}

/// A pay grade: an AfC band (with pay point) or a non-AfC grade (VSM, medical, local).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scheme")]
pub enum Grade {
    AgendaForChange {
        band: AfcBand,
        pay_point: Option<u8>,
    },
    Other {
        grade: String,
    },
}

/// A staff member's post as payroll sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub assignment_number: String,
    pub position_code: String,
    pub job_title: String,
    pub staff_group: String,
    pub grade: Grade,
    /// Full-time equivalent, 0 < fte <= 1.
    pub fte: f64,
    pub cost_centre: String,
    pub location: String,
}

impl Assignment {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.assignment_number.trim().is_empty() {
            return Err(DomainError::invalid(
                "assignment_number",
                "must not be empty",
            ));
        }
        if !(self.fte > 0.0 && self.fte <= 1.0) {
            return Err(DomainError::invalid(
                "fte",
                format!("{} is not in (0, 1]", self.fte),
            ));
        }
        Ok(())
    }
}

/// Lifecycle of every case aggregate (transfer, consultation, appointment, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Closed,
    Cancelled,
}

/// Refuses any command on a case that is no longer open: the record of a finished case is final.
pub fn ensure_open(status: CaseStatus, what: &str) -> Result<(), DomainError> {
    match status {
        CaseStatus::Open => Ok(()),
        CaseStatus::Closed => Err(DomainError::state(
            "CASE_CLOSED",
            format!("{what} is closed; no further commands are accepted"),
        )),
        CaseStatus::Cancelled => Err(DomainError::state(
            "CASE_CANCELLED",
            format!("{what} was cancelled; no further commands are accepted"),
        )),
    }
}

/// Refuses a creation command on a stream that already has its opening event.
pub fn ensure_new<T>(state: &Option<T>, stream: impl ToString) -> Result<(), DomainError> {
    match state {
        Some(_) => Err(DomainError::AlreadyExists {
            stream: stream.to_string(),
        }),
        None => Ok(()),
    }
}

pub fn ensure_non_empty<T>(items: &[T], field: &'static str) -> Result<(), DomainError> {
    if items.is_empty() {
        return Err(DomainError::invalid(field, "must name at least one"));
    }
    Ok(())
}

pub fn ensure_text(value: &str, field: &'static str) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    Ok(())
}

/// A reference to a case of any kind, e.g. for linking it to a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CaseRef {
    pub kind: crate::stream::AggregateKind,
    pub id: Uuid,
}

/// Declares an aggregate's event enum: one newtype variant per payload struct of the same name,
/// serialized adjacently tagged as `{type, data}`. Every payload has an `effective_date` and the
/// aggregate key field named in `key`.
macro_rules! event_enum {
    (key: $key:ident: $kty:ty; $(#[$m:meta])* pub enum $name:ident { $($v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum $name { $($v($v)),+ }

        impl $name {
            /// Every event type name of this aggregate (unique across the ledger).
            pub const TYPES: &'static [&'static str] = &[$(stringify!($v)),+];

            pub fn event_type(&self) -> &'static str {
                match self { $(Self::$v(_) => stringify!($v)),+ }
            }

            pub fn effective_date(&self) -> chrono::NaiveDate {
                match self { $(Self::$v(e) => e.effective_date),+ }
            }

            /// The identity of the aggregate instance this event belongs to.
            pub fn key(&self) -> &$kty {
                match self { $(Self::$v(e) => &e.$key),+ }
            }
        }

        $(impl From<$v> for $name {
            fn from(e: $v) -> Self { Self::$v(e) }
        })+
    };
}
pub(crate) use event_enum;

#[cfg(test)]
mod band_names {
    use super::AfcBand::{self, *};

    #[test]
    fn a_bands_name_is_its_serialized_name() {
        let bands = [B1, B2, B3, B4, B5, B6, B7, B8a, B8b, B8c, B8d, B9];
        for band in bands {
            let serialized = serde_json::to_value(band).unwrap();
            assert_eq!(serialized.as_str(), Some(band.as_str()), "{band:?}");
            let read: AfcBand = serde_json::from_value(serialized).unwrap();
            assert_eq!(read, band);
        }
    }
}
