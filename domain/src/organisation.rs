//! Organisation: an employing body (CCG, ICB, trust, CSU, independent provider).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::common::{ensure_text, event_enum, Narrative};
use crate::error::DomainError;
use crate::stream::StreamId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    ClinicalCommissioningGroup,
    IntegratedCareBoard,
    Trust,
    CommissioningSupportUnit,
    IndependentProvider,
    Other,
}

/// Codes become stream names, so they are restricted to letters, digits, `_` and `-`.
pub fn validate_code(code: &str) -> Result<(), DomainError> {
    let ok = !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "code",
            format!("'{code}' must be 1-32 letters, digits, '_' or '-'"),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub code: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub payroll_database_id: Option<String>,
    pub registered_on: NaiveDate,
    pub dissolved: Option<Dissolution>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dissolution {
    pub on: NaiveDate,
    pub successor_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State(pub Option<Organisation>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    RegisterOrganisation {
        code: String,
        name: String,
        kind: OrganisationKind,
        payroll_database_id: Option<String>,
        effective_date: NaiveDate,
    },
    RenameOrganisation {
        code: String,
        new_name: String,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    DissolveOrganisation {
        code: String,
        successor_code: Option<String>,
        effective_date: NaiveDate,
    },
}

impl Command {
    pub fn code(&self) -> &str {
        match self {
            Command::RegisterOrganisation { code, .. }
            | Command::RenameOrganisation { code, .. }
            | Command::DissolveOrganisation { code, .. } => code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationRegistered {
    pub code: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub payroll_database_id: Option<String>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationRenamed {
    pub code: String,
    pub new_name: String,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationDissolved {
    pub code: String,
    pub successor_code: Option<String>,
    pub effective_date: NaiveDate,
}

event_enum! {
    key: code: String;
    pub enum Event { OrganisationRegistered, OrganisationRenamed, OrganisationDissolved }
}

fn active<'a>(state: &'a State, code: &str) -> Result<&'a Organisation, DomainError> {
    let org = state.0.as_ref().ok_or_else(|| {
        DomainError::not_found(
            StreamId::organisation(code),
            "organisation is not registered",
        )
    })?;
    if let Some(d) = &org.dissolved {
        return Err(DomainError::state(
            "ORGANISATION_DISSOLVED",
            format!("organisation {code} was dissolved on {}", d.on),
        ));
    }
    Ok(org)
}

pub fn decide(state: &State, cmd: Command, _clock: &Clock) -> Result<Vec<Event>, DomainError> {
    let event: Event = match cmd {
        Command::RegisterOrganisation {
            code,
            name,
            kind,
            payroll_database_id,
            effective_date,
        } => {
            validate_code(&code)?;
            ensure_text(&name, "name")?;
            if state.0.is_some() {
                return Err(DomainError::AlreadyExists {
                    stream: StreamId::organisation(&code).to_string(),
                });
            }
            OrganisationRegistered {
                code,
                name,
                kind,
                payroll_database_id,
                effective_date,
            }
            .into()
        }
        Command::RenameOrganisation {
            code,
            new_name,
            reason,
            effective_date,
        } => {
            active(state, &code)?;
            ensure_text(&new_name, "new_name")?;
            OrganisationRenamed {
                code,
                new_name,
                reason,
                effective_date,
            }
            .into()
        }
        Command::DissolveOrganisation {
            code,
            successor_code,
            effective_date,
        } => {
            active(state, &code)?;
            if successor_code.as_deref() == Some(code.as_str()) {
                return Err(DomainError::invalid(
                    "successor_code",
                    "an organisation cannot succeed itself",
                ));
            }
            OrganisationDissolved {
                code,
                successor_code,
                effective_date,
            }
            .into()
        }
    };
    Ok(vec![event])
}

pub fn evolve(state: State, event: &Event) -> State {
    let mut org = state.0;
    match (event, org.as_mut()) {
        (Event::OrganisationRegistered(e), _) => {
            org = Some(Organisation {
                code: e.code.clone(),
                name: e.name.clone(),
                kind: e.kind,
                payroll_database_id: e.payroll_database_id.clone(),
                registered_on: e.effective_date,
                dissolved: None,
            })
        }
        (Event::OrganisationRenamed(e), Some(o)) => o.name = e.new_name.clone(),
        (Event::OrganisationDissolved(e), Some(o)) => {
            o.dissolved = Some(Dissolution {
                on: e.effective_date,
                successor_code: e.successor_code.clone(),
            })
        }
        _ => {}
    }
    State(org)
}
