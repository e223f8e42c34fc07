//! Merger programme: predecessor organisations becoming one successor on legal day one, the
//! cases that deliver it, and the payroll database merge. Holds the local [`Policy`].

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::common::{
    ensure_new, ensure_non_empty, ensure_open, ensure_text, event_enum, CaseRef, CaseStatus,
    Narrative,
};
use crate::error::DomainError;
use crate::stream::StreamId;

pub const RULE_FREEZE_WINDOW: &str = "PROGRAMME_PAYROLL_FREEZE_WINDOW";
pub const RULE_MERGE_OUTSTANDING: &str = "PROGRAMME_PAYROLL_MERGE_OUTSTANDING";
pub const RULE_MERGE_NOT_DUE: &str = "PROGRAMME_PAYROLL_MERGE_NOT_DUE";

/// Local policy where the sources give no national figure ([U] in DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Minimum match (%) between an old and a new post for a direct slot-in (e.g. "80:20").
    pub slot_in_match_percent: u8,
    /// Proposed redundancies that trigger collective consultation (s.188: 20; ERA 2025 may change the basis).
    pub collective_consultation_threshold: u32,
    /// Statutory trial period in a suitable alternative post (ERA s.138(3): 4 weeks), extendable by local agreement for retraining.
    pub trial_period_weeks: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            slot_in_match_percent: 80,
            collective_consultation_threshold: crate::rules::collective::DEFAULT_THRESHOLD,
            trial_period_weeks: 4,
        }
    }
}

impl Policy {
    fn validate(&self) -> Result<(), DomainError> {
        if self.slot_in_match_percent == 0 || self.slot_in_match_percent > 100 {
            return Err(DomainError::invalid(
                "slot_in_match_percent",
                "must be 1-100",
            ));
        }
        if self.collective_consultation_threshold == 0 {
            return Err(DomainError::invalid(
                "collective_consultation_threshold",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayrollMerge {
    pub from_database: String,
    pub to_database: String,
    pub merge_date: NaiveDate,
    pub freeze_from: NaiveDate,
    pub freeze_until: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergerProgramme {
    pub programme_id: Uuid,
    pub name: String,
    pub predecessors: Vec<String>,
    pub successor: String,
    pub legal_day_one: NaiveDate,
    pub policy: Policy,
    pub cases: BTreeSet<CaseRef>,
    pub payroll_merge: Option<PayrollMerge>,
    pub status: CaseStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State(pub Option<MergerProgramme>);

impl State {
    /// The programme's policy, or the defaults for cases outside any programme.
    pub fn policy(&self) -> Policy {
        self.0.as_ref().map(|p| p.policy).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    OpenProgramme {
        programme_id: Uuid,
        name: String,
        predecessors: Vec<String>,
        successor: String,
        legal_day_one: NaiveDate,
        policy: Option<Policy>,
        effective_date: NaiveDate,
    },
    LinkCase {
        programme_id: Uuid,
        case: CaseRef,
        effective_date: NaiveDate,
    },
    ChangePolicy {
        programme_id: Uuid,
        policy: Policy,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    SchedulePayrollMerge {
        programme_id: Uuid,
        from_database: String,
        to_database: String,
        merge_date: NaiveDate,
        freeze_from: NaiveDate,
        freeze_until: NaiveDate,
        effective_date: NaiveDate,
    },
    CompletePayrollMerge {
        programme_id: Uuid,
        effective_date: NaiveDate,
    },
    CloseProgramme {
        programme_id: Uuid,
        reason: Narrative,
        effective_date: NaiveDate,
    },
}

impl Command {
    pub fn programme_id(&self) -> Uuid {
        match self {
            Command::OpenProgramme { programme_id, .. }
            | Command::LinkCase { programme_id, .. }
            | Command::ChangePolicy { programme_id, .. }
            | Command::SchedulePayrollMerge { programme_id, .. }
            | Command::CompletePayrollMerge { programme_id, .. }
            | Command::CloseProgramme { programme_id, .. } => *programme_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergerProgrammeOpened {
    pub programme_id: Uuid,
    pub name: String,
    pub predecessors: Vec<String>,
    pub successor: String,
    pub legal_day_one: NaiveDate,
    pub policy: Policy,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseLinkedToProgramme {
    pub programme_id: Uuid,
    pub case: CaseRef,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammePolicyChanged {
    pub programme_id: Uuid,
    pub policy: Policy,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayrollMergeScheduled {
    pub programme_id: Uuid,
    pub from_database: String,
    pub to_database: String,
    pub merge_date: NaiveDate,
    pub freeze_from: NaiveDate,
    pub freeze_until: NaiveDate,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayrollMergeCompleted {
    pub programme_id: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergerProgrammeClosed {
    pub programme_id: Uuid,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

event_enum! {
    key: programme_id: Uuid;
    pub enum Event {
        MergerProgrammeOpened,
        CaseLinkedToProgramme,
        ProgrammePolicyChanged,
        PayrollMergeScheduled,
        PayrollMergeCompleted,
        MergerProgrammeClosed,
    }
}

pub fn decide(state: &State, cmd: Command, clock: &Clock) -> Result<Vec<Event>, DomainError> {
    let programme_id = cmd.programme_id();
    let stream = StreamId::programme(programme_id);
    if let Command::OpenProgramme {
        name,
        predecessors,
        successor,
        legal_day_one,
        policy,
        effective_date,
        ..
    } = cmd
    {
        ensure_new(&state.0, &stream)?;
        return open(
            programme_id,
            name,
            predecessors,
            successor,
            legal_day_one,
            policy.unwrap_or_default(),
            effective_date,
        );
    }
    let p = state
        .0
        .as_ref()
        .ok_or_else(|| DomainError::not_found(&stream, "the programme has not been opened"))?;
    ensure_open(p.status, &format!("programme {programme_id}"))?;
    let event: Event = match cmd {
        Command::OpenProgramme { .. } => {
            return Err(DomainError::AlreadyExists {
                stream: stream.to_string(),
            })
        }
        Command::LinkCase {
            case,
            effective_date,
            ..
        } => {
            if p.cases.contains(&case) {
                return Err(DomainError::AlreadyExists {
                    stream: format!("{}-{} in {stream}", case.kind.prefix(), case.id),
                });
            }
            CaseLinkedToProgramme {
                programme_id,
                case,
                effective_date,
            }
            .into()
        }
        Command::ChangePolicy {
            policy,
            reason,
            effective_date,
            ..
        } => {
            policy.validate()?;
            ensure_text(&reason.0, "reason")?;
            ProgrammePolicyChanged {
                programme_id,
                policy,
                reason,
                effective_date,
            }
            .into()
        }
        Command::SchedulePayrollMerge {
            from_database,
            to_database,
            merge_date,
            freeze_from,
            freeze_until,
            effective_date,
            ..
        } => {
            ensure_text(&from_database, "from_database")?;
            if from_database == to_database {
                return Err(DomainError::invalid(
                    "to_database",
                    "must differ from the source database",
                ));
            }
            if !(freeze_from <= merge_date && merge_date <= freeze_until) {
                return Err(DomainError::rule(
                    RULE_FREEZE_WINDOW,
                    format!("the payroll merge on {merge_date} must fall inside the freeze window {freeze_from} to {freeze_until}"),
                ));
            }
            PayrollMergeScheduled {
                programme_id,
                from_database,
                to_database,
                merge_date,
                freeze_from,
                freeze_until,
                effective_date,
            }
            .into()
        }
        Command::CompletePayrollMerge { effective_date, .. } => {
            let merge = p.payroll_merge.as_ref().ok_or_else(|| {
                DomainError::state(
                    "PAYROLL_MERGE_NOT_SCHEDULED",
                    "no payroll merge is scheduled",
                )
            })?;
            if merge.completed_on.is_some() {
                return Err(DomainError::state(
                    "PAYROLL_MERGE_COMPLETED",
                    "the payroll merge is already complete",
                ));
            }
            if clock.today() < merge.merge_date {
                return Err(DomainError::rule(
                    RULE_MERGE_NOT_DUE,
                    format!(
                        "the payroll merge is scheduled for {}; today is {}",
                        merge.merge_date,
                        clock.today()
                    ),
                ));
            }
            PayrollMergeCompleted {
                programme_id,
                effective_date,
            }
            .into()
        }
        Command::CloseProgramme {
            reason,
            effective_date,
            ..
        } => {
            if let Some(m) = p
                .payroll_merge
                .as_ref()
                .filter(|m| m.completed_on.is_none())
            {
                return Err(DomainError::rule(
                    RULE_MERGE_OUTSTANDING,
                    format!(
                        "the payroll merge from {} to {} scheduled for {} is not complete",
                        m.from_database, m.to_database, m.merge_date
                    ),
                ));
            }
            MergerProgrammeClosed {
                programme_id,
                reason,
                effective_date,
            }
            .into()
        }
    };
    Ok(vec![event])
}

fn open(
    programme_id: Uuid,
    name: String,
    predecessors: Vec<String>,
    successor: String,
    legal_day_one: NaiveDate,
    policy: Policy,
    effective_date: NaiveDate,
) -> Result<Vec<Event>, DomainError> {
    ensure_text(&name, "name")?;
    ensure_non_empty(&predecessors, "predecessors")?;
    for code in predecessors.iter().chain([&successor]) {
        crate::organisation::validate_code(code)?;
    }
    if predecessors.contains(&successor) && predecessors.len() == 1 {
        return Err(DomainError::invalid(
            "successor",
            "a single predecessor cannot also be the successor",
        ));
    }
    policy.validate()?;
    Ok(vec![MergerProgrammeOpened {
        programme_id,
        name,
        predecessors,
        successor,
        legal_day_one,
        policy,
        effective_date,
    }
    .into()])
}

pub fn evolve(state: State, event: &Event) -> State {
    let State(mut p) = state;
    match (event, p.as_mut()) {
        (Event::MergerProgrammeOpened(e), _) => {
            p = Some(MergerProgramme {
                programme_id: e.programme_id,
                name: e.name.clone(),
                predecessors: e.predecessors.clone(),
                successor: e.successor.clone(),
                legal_day_one: e.legal_day_one,
                policy: e.policy,
                cases: BTreeSet::new(),
                payroll_merge: None,
                status: CaseStatus::Open,
            })
        }
        (Event::CaseLinkedToProgramme(e), Some(p)) => {
            p.cases.insert(e.case);
        }
        (Event::ProgrammePolicyChanged(e), Some(p)) => p.policy = e.policy,
        (Event::PayrollMergeScheduled(e), Some(p)) => {
            p.payroll_merge = Some(PayrollMerge {
                from_database: e.from_database.clone(),
                to_database: e.to_database.clone(),
                merge_date: e.merge_date,
                freeze_from: e.freeze_from,
                freeze_until: e.freeze_until,
                completed_on: None,
            })
        }
        (Event::PayrollMergeCompleted(e), Some(p)) => {
            if let Some(m) = p.payroll_merge.as_mut() {
                m.completed_on = Some(e.effective_date);
            }
        }
        (Event::MergerProgrammeClosed(_), Some(p)) => p.status = CaseStatus::Closed,
        _ => {}
    }
    State(p)
}
