//! Employee (staff record): who the person is, whom they work for, in which post, on which
//! terms. Other aggregates (transfer, appointment) append to this stream when they move staff.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::common::{ensure_text, event_enum, Assignment, Grade, Narrative, PersonalDetails};
use crate::error::DomainError;
use crate::stream::StreamId;

pub const RULE_VARIATION_VOID: &str = "TUPE_REG4_4_TRANSFER_VARIATION_VOID";
pub const RULE_COLLECTIVE_TERMS_YEAR: &str = "TUPE_REG4_5B_COLLECTIVE_TERMS_WITHIN_YEAR";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employment {
    pub employer_code: String,
    pub start_date: NaiveDate,
    /// Carried unchanged across TUPE/COSOP transfers (reg 4(1), ERA s.218).
    pub continuous_service_date: NaiveDate,
    pub assignment: Assignment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaving {
    pub on: NaiveDate,
    pub reason: LeavingReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeavingReason {
    Resignation,
    Redundancy,
    Dismissal,
    Retirement,
    EndOfFixedTerm,
    Death,
    /// Reg 4(7)/(8) TUPE: employment ends on the transfer date, not a dismissal.
    ObjectedToTransfer,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferHistory {
    pub transfer_id: Uuid,
    pub on: NaiveDate,
    pub from_employer: String,
    pub to_employer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayProtection {
    pub protected_grade: Grade,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub policy_reference: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentStatus {
    Registered,
    Employed,
    Left,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeeRecord {
    pub employee_id: Uuid,
    pub personal: PersonalDetails,
    pub employment: Option<Employment>,
    pub left: Option<Leaving>,
    pub pay_protection: Option<PayProtection>,
    /// Open transfer cases this employee is scoped into, with their transfer dates.
    pub open_transfers: BTreeMap<Uuid, NaiveDate>,
    pub transfer_history: Vec<TransferHistory>,
}

impl EmployeeRecord {
    pub fn status(&self) -> EmploymentStatus {
        match (&self.employment, &self.left) {
            (_, Some(_)) => EmploymentStatus::Left,
            (Some(_), None) => EmploymentStatus::Employed,
            (None, None) => EmploymentStatus::Registered,
        }
    }

    /// The current employment, refusing records that are not (or no longer) employed.
    pub fn current_employment(&self) -> Result<&Employment, DomainError> {
        match (&self.employment, &self.left) {
            (Some(e), None) => Ok(e),
            (_, Some(l)) => Err(DomainError::state(
                "EMPLOYEE_NOT_EMPLOYED",
                format!("employee {} left employment on {}", self.employee_id, l.on),
            )),
            (None, None) => Err(DomainError::state(
                "EMPLOYEE_NOT_EMPLOYED",
                format!("employee {} has no employment started", self.employee_id),
            )),
        }
    }

    pub fn employer_code(&self) -> Option<&str> {
        self.employment
            .as_ref()
            .filter(|_| self.left.is_none())
            .map(|e| e.employer_code.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State(pub Option<EmployeeRecord>);

impl State {
    pub fn record(&self, employee_id: Uuid) -> Result<&EmployeeRecord, DomainError> {
        self.0.as_ref().ok_or_else(|| {
            DomainError::not_found(
                StreamId::employee(employee_id),
                "no staff record is registered",
            )
        })
    }
}

/// Why contractual terms changed. Reg 4(4) makes a variation void when the transfer is its
/// sole or principal reason, unless one of the permitted reasons applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum VariationReason {
    /// Economic, technical or organisational reason entailing changes in the workforce
    /// (incl. a change of workplace, reg 4(5A)), agreed with the employee (reg 4(5)(a)).
    EtoWorkforceChange,
    /// The contract already permits the change (reg 4(5)(b)).
    ContractPermits,
    /// Renegotiated collective-agreement terms, more than a year after the transfer and no
    /// less favourable overall (reg 4(5B)).
    CollectiveAgreement {
        no_less_favourable: bool,
    },
    EmployeeRequest,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    RegisterEmployee {
        employee_id: Uuid,
        personal: PersonalDetails,
        effective_date: NaiveDate,
    },
    CorrectPersonalDetails {
        employee_id: Uuid,
        personal: PersonalDetails,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    StartEmployment {
        employee_id: Uuid,
        employer_code: String,
        start_date: NaiveDate,
        /// Defaults to the start date; earlier when prior NHS service counts.
        continuous_service_date: Option<NaiveDate>,
        assignment: Assignment,
    },
    ChangeAssignment {
        employee_id: Uuid,
        assignment: Assignment,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    VaryTerms {
        employee_id: Uuid,
        description: Narrative,
        reason: VariationReason,
        /// The transfer this variation is connected with, if any.
        linked_transfer: Option<Uuid>,
        effective_date: NaiveDate,
    },
    ApplyPayProtection {
        employee_id: Uuid,
        protected_grade: Grade,
        until: Option<NaiveDate>,
        policy_reference: String,
        case_id: Option<Uuid>,
        effective_date: NaiveDate,
    },
    EndPayProtection {
        employee_id: Uuid,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    EndEmployment {
        employee_id: Uuid,
        reason: LeavingReason,
        effective_date: NaiveDate,
    },
}

impl Command {
    pub fn employee_id(&self) -> Uuid {
        match self {
            Command::RegisterEmployee { employee_id, .. }
            | Command::CorrectPersonalDetails { employee_id, .. }
            | Command::StartEmployment { employee_id, .. }
            | Command::ChangeAssignment { employee_id, .. }
            | Command::VaryTerms { employee_id, .. }
            | Command::ApplyPayProtection { employee_id, .. }
            | Command::EndPayProtection { employee_id, .. }
            | Command::EndEmployment { employee_id, .. } => *employee_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeeRegistered {
    pub employee_id: Uuid,
    pub personal: PersonalDetails,
    pub effective_date: NaiveDate,
}

/// A compensating correction: the earlier registration stays in the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalDetailsCorrected {
    pub employee_id: Uuid,
    pub personal: PersonalDetails,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

/// Schema v2: `continuous_service_date` added (v1 events are upcast with the start date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmploymentStarted {
    pub employee_id: Uuid,
    pub employer_code: String,
    pub continuous_service_date: NaiveDate,
    pub assignment: Assignment,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentChanged {
    pub employee_id: Uuid,
    pub assignment: Assignment,
    pub reason: Narrative,
    /// The appointment (or other case) that decided the change, if any.
    pub case_id: Option<Uuid>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermsVaried {
    pub employee_id: Uuid,
    pub description: Narrative,
    pub reason: VariationReason,
    pub linked_transfer: Option<Uuid>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayProtectionApplied {
    pub employee_id: Uuid,
    pub protected_grade: Grade,
    pub until: Option<NaiveDate>,
    pub policy_reference: String,
    pub case_id: Option<Uuid>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayProtectionEnded {
    pub employee_id: Uuid,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmploymentEnded {
    pub employee_id: Uuid,
    pub employer_code: String,
    pub reason: LeavingReason,
    pub effective_date: NaiveDate,
}

/// Appended by the transfer case when it scopes this employee in (or its date changes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeeScopedIntoTransfer {
    pub employee_id: Uuid,
    pub transfer_id: Uuid,
    pub transfer_date: NaiveDate,
    pub effective_date: NaiveDate,
}

/// Appended when a transfer case scopes the employee out or is cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeeReleasedFromTransfer {
    pub employee_id: Uuid,
    pub transfer_id: Uuid,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

/// The employee moves to the transferee with continuity of service and terms unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeeTransferred {
    pub employee_id: Uuid,
    pub transfer_id: Uuid,
    pub from_employer: String,
    pub to_employer: String,
    pub assignment: Assignment,
    pub continuous_service_date: NaiveDate,
    pub effective_date: NaiveDate,
}

/// Reg 4(7)/(8): the objector's employment ends on the transfer date; not a dismissal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmploymentEndedByObjection {
    pub employee_id: Uuid,
    pub transfer_id: Uuid,
    pub employer_code: String,
    pub effective_date: NaiveDate,
}

event_enum! {
    key: employee_id: Uuid;
    pub enum Event {
        EmployeeRegistered,
        PersonalDetailsCorrected,
        EmploymentStarted,
        AssignmentChanged,
        TermsVaried,
        PayProtectionApplied,
        PayProtectionEnded,
        EmploymentEnded,
        EmployeeScopedIntoTransfer,
        EmployeeReleasedFromTransfer,
        EmployeeTransferred,
        EmploymentEndedByObjection,
    }
}

pub fn decide(state: &State, cmd: Command, _clock: &Clock) -> Result<Vec<Event>, DomainError> {
    let employee_id = cmd.employee_id();
    if let Command::RegisterEmployee {
        personal,
        effective_date,
        ..
    } = cmd
    {
        if state.0.is_some() {
            return Err(DomainError::AlreadyExists {
                stream: StreamId::employee(employee_id).to_string(),
            });
        }
        validate_personal(&personal)?;
        return Ok(vec![EmployeeRegistered {
            employee_id,
            personal,
            effective_date,
        }
        .into()]);
    }
    let rec = state.record(employee_id)?;
    let event: Event = match cmd {
        Command::RegisterEmployee { .. } => {
            return Err(DomainError::AlreadyExists {
                stream: StreamId::employee(employee_id).to_string(),
            })
        }
        Command::CorrectPersonalDetails {
            personal,
            reason,
            effective_date,
            ..
        } => {
            validate_personal(&personal)?;
            ensure_text(&reason.0, "reason")?;
            PersonalDetailsCorrected {
                employee_id,
                personal,
                reason,
                effective_date,
            }
            .into()
        }
        Command::StartEmployment {
            employer_code,
            start_date,
            continuous_service_date,
            assignment,
            ..
        } => start_employment(
            rec,
            employer_code,
            start_date,
            continuous_service_date,
            assignment,
        )?
        .into(),
        Command::ChangeAssignment {
            assignment,
            reason,
            effective_date,
            ..
        } => {
            rec.current_employment()?;
            assignment.validate()?;
            AssignmentChanged {
                employee_id,
                assignment,
                reason,
                case_id: None,
                effective_date,
            }
            .into()
        }
        Command::VaryTerms {
            description,
            reason,
            linked_transfer,
            effective_date,
            ..
        } => {
            rec.current_employment()?;
            ensure_text(&description.0, "description")?;
            check_variation(rec, reason, linked_transfer, effective_date)?;
            TermsVaried {
                employee_id,
                description,
                reason,
                linked_transfer,
                effective_date,
            }
            .into()
        }
        Command::ApplyPayProtection {
            protected_grade,
            until,
            policy_reference,
            case_id,
            effective_date,
            ..
        } => {
            rec.current_employment()?;
            if rec.pay_protection.is_some() {
                return Err(DomainError::state(
                    "PAY_PROTECTION_ACTIVE",
                    "pay protection already applies; end it first",
                ));
            }
            if until.is_some_and(|u| u <= effective_date) {
                return Err(DomainError::invalid(
                    "until",
                    "must be after the effective date",
                ));
            }
            PayProtectionApplied {
                employee_id,
                protected_grade,
                until,
                policy_reference,
                case_id,
                effective_date,
            }
            .into()
        }
        Command::EndPayProtection {
            reason,
            effective_date,
            ..
        } => {
            if rec.pay_protection.is_none() {
                return Err(DomainError::state(
                    "PAY_PROTECTION_NOT_ACTIVE",
                    "no pay protection applies",
                ));
            }
            PayProtectionEnded {
                employee_id,
                reason,
                effective_date,
            }
            .into()
        }
        Command::EndEmployment {
            reason,
            effective_date,
            ..
        } => {
            let employment = rec.current_employment()?;
            if reason == LeavingReason::ObjectedToTransfer {
                return Err(DomainError::invalid("reason", "an objection is recorded on the transfer case, which ends employment on the transfer date"));
            }
            if effective_date < employment.start_date {
                return Err(DomainError::invalid(
                    "effective_date",
                    format!(
                        "{effective_date} is before the start date {}",
                        employment.start_date
                    ),
                ));
            }
            EmploymentEnded {
                employee_id,
                employer_code: employment.employer_code.clone(),
                reason,
                effective_date,
            }
            .into()
        }
    };
    Ok(vec![event])
}

fn validate_personal(p: &PersonalDetails) -> Result<(), DomainError> {
    ensure_text(&p.family_name, "family_name")?;
    ensure_text(&p.given_name, "given_name")
}

fn start_employment(
    rec: &EmployeeRecord,
    employer_code: String,
    start_date: NaiveDate,
    continuous_service_date: Option<NaiveDate>,
    assignment: Assignment,
) -> Result<EmploymentStarted, DomainError> {
    if rec.status() == EmploymentStatus::Employed {
        return Err(DomainError::state(
            "EMPLOYEE_ALREADY_EMPLOYED",
            format!("employee {} is already employed", rec.employee_id),
        ));
    }
    crate::organisation::validate_code(&employer_code)?;
    assignment.validate()?;
    let csd = continuous_service_date.unwrap_or(start_date);
    if csd > start_date {
        return Err(DomainError::invalid(
            "continuous_service_date",
            format!("{csd} is after the start date {start_date}"),
        ));
    }
    Ok(EmploymentStarted {
        employee_id: rec.employee_id,
        employer_code,
        continuous_service_date: csd,
        assignment,
        effective_date: start_date,
    })
}

/// Reg 4(4)-(5B) TUPE 2006: a variation whose reason is the transfer is void unless permitted.
fn check_variation(
    rec: &EmployeeRecord,
    reason: VariationReason,
    linked_transfer: Option<Uuid>,
    effective_date: NaiveDate,
) -> Result<(), DomainError> {
    let Some(transfer_id) = linked_transfer else {
        return Ok(());
    };
    let transferred_on = rec
        .transfer_history
        .iter()
        .find(|t| t.transfer_id == transfer_id)
        .map(|t| t.on);
    let pending_on = rec.open_transfers.get(&transfer_id).copied();
    let Some(transfer_date) = transferred_on.or(pending_on) else {
        return Err(DomainError::invalid(
            "linked_transfer",
            format!(
                "employee {} is not part of transfer {transfer_id}",
                rec.employee_id
            ),
        ));
    };
    match reason {
        VariationReason::EtoWorkforceChange | VariationReason::ContractPermits => Ok(()),
        VariationReason::CollectiveAgreement { no_less_favourable } => {
            let year_after = transfer_date + Months::new(12);
            if effective_date <= year_after {
                return Err(DomainError::rule(
                    RULE_COLLECTIVE_TERMS_YEAR,
                    format!("TUPE 2006 reg 4(5B): collective-agreement terms may be varied only more than one year after the transfer on {transfer_date}; a variation effective {effective_date} is not after {year_after}"),
                ));
            }
            if !no_less_favourable {
                return Err(DomainError::rule(
                    RULE_COLLECTIVE_TERMS_YEAR,
                    format!("TUPE 2006 reg 4(5B): renegotiated collective terms effective {effective_date} must be no less favourable overall"),
                ));
            }
            Ok(())
        }
        VariationReason::EmployeeRequest | VariationReason::Other => Err(DomainError::rule(
            RULE_VARIATION_VOID,
            format!("TUPE 2006 reg 4(4): a variation effective {effective_date} linked to the transfer on {transfer_date} is void unless it has an ETO reason entailing changes in the workforce, the contract permits it, or it is a collective-agreement change more than a year after the transfer"),
        )),
    }
}

pub fn evolve(state: State, event: &Event) -> State {
    let State(mut rec) = state;
    if let Event::EmployeeRegistered(e) = event {
        return State(Some(EmployeeRecord {
            employee_id: e.employee_id,
            personal: e.personal.clone(),
            employment: None,
            left: None,
            pay_protection: None,
            open_transfers: BTreeMap::new(),
            transfer_history: Vec::new(),
        }));
    }
    if let Some(r) = rec.as_mut() {
        apply(r, event);
    }
    State(rec)
}

fn apply(r: &mut EmployeeRecord, event: &Event) {
    match event {
        Event::EmployeeRegistered(_) => {}
        Event::PersonalDetailsCorrected(e) => r.personal = e.personal.clone(),
        Event::EmploymentStarted(e) => {
            r.left = None;
            r.employment = Some(Employment {
                employer_code: e.employer_code.clone(),
                start_date: e.effective_date,
                continuous_service_date: e.continuous_service_date,
                assignment: e.assignment.clone(),
            });
        }
        Event::AssignmentChanged(e) => {
            if let Some(emp) = r.employment.as_mut() {
                emp.assignment = e.assignment.clone();
            }
        }
        Event::TermsVaried(_) => {}
        Event::PayProtectionApplied(e) => {
            r.pay_protection = Some(PayProtection {
                protected_grade: e.protected_grade.clone(),
                from: e.effective_date,
                until: e.until,
                policy_reference: e.policy_reference.clone(),
            })
        }
        Event::PayProtectionEnded(_) => r.pay_protection = None,
        Event::EmploymentEnded(e) => {
            r.left = Some(Leaving {
                on: e.effective_date,
                reason: e.reason,
            })
        }
        Event::EmployeeScopedIntoTransfer(e) => {
            r.open_transfers.insert(e.transfer_id, e.transfer_date);
        }
        Event::EmployeeReleasedFromTransfer(e) => {
            r.open_transfers.remove(&e.transfer_id);
        }
        Event::EmployeeTransferred(e) => {
            r.open_transfers.remove(&e.transfer_id);
            r.transfer_history.push(TransferHistory {
                transfer_id: e.transfer_id,
                on: e.effective_date,
                from_employer: e.from_employer.clone(),
                to_employer: e.to_employer.clone(),
            });
            // The start date and continuous service date stay: only the employer and post move.
            if let Some(emp) = r.employment.as_mut() {
                emp.employer_code = e.to_employer.clone();
                emp.assignment = e.assignment.clone();
            }
        }
        Event::EmploymentEndedByObjection(e) => {
            r.open_transfers.remove(&e.transfer_id);
            r.left = Some(Leaving {
                on: e.effective_date,
                reason: LeavingReason::ObjectedToTransfer,
            });
        }
    }
}
