//! Transfer case: a TUPE business transfer, service provision change, or COSOP/statutory
//! scheme transfer of staff from a transferor to a transferee on a transfer date.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;
use crate::common::{
    ensure_new, ensure_non_empty, ensure_open, ensure_text, event_enum, Assignment, CaseStatus,
    Narrative,
};
use crate::employee::{self, EmployeeRecord};
use crate::error::DomainError;
use crate::ledger::LedgerEvent;
use crate::related::Related;
use crate::rules::{eli, reg13a};
use crate::stream::StreamId;

pub const RULE_BEFORE_TRANSFER_DATE: &str = "TUPE_COMPLETION_BEFORE_TRANSFER_DATE";
pub const RULE_INFORMATION_NOT_GIVEN: &str = "TUPE_REG13_INFORMATION_NOT_GIVEN";
pub const RULE_NO_RECIPIENTS: &str = "TUPE_REG13_NO_REPRESENTATIVES";
pub const RULE_OBJECTION_LATE: &str = "TUPE_REG4_7_OBJECTION_AFTER_TRANSFER";
pub const RULE_BALLOT_REQUIRED: &str = "TUPE_REG14_BALLOT_REQUIRED";
pub const RULE_NOT_TRANSFEROR_EMPLOYEE: &str = "TUPE_SCOPE_NOT_TRANSFEROR_EMPLOYEE";
pub const RULE_TWO_OPEN_TRANSFERS: &str = "TRANSFER_EMPLOYEE_IN_TWO_OPEN_TRANSFERS";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferBasis {
    TupeBusinessTransfer,
    TupeServiceProvisionChange,
    /// Cabinet Office Statement of Practice / statutory transfer scheme (public sector).
    Cosop,
}

/// Each employer owes the inform-and-consult duty to its own affected employees (reg 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Transferor,
    Transferee,
}

/// Reg 14: a recognised union, else existing representatives with authority, else elected ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepresentativeKind {
    RecognisedUnion,
    Existing,
    Elected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffToScope {
    pub employee_id: Uuid,
    /// The post with the transferee, when known; otherwise the current assignment moves as is.
    pub transferee_assignment: Option<Assignment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopedEmployee {
    pub scoped_on: NaiveDate,
    pub transferee_assignment: Option<Assignment>,
    pub eli_provided_on: Option<NaiveDate>,
    pub eli_updated_on: Vec<NaiveDate>,
    pub objected_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TransferRisk {
    /// Reg 11/12: ELI given after the due date.
    EliLate {
        employee_ids: Vec<Uuid>,
        due_date: NaiveDate,
        provided_on: NaiveDate,
        minimum_exposure_pence: u64,
    },
    /// Reg 11/12: ELI never given before the transfer.
    EliMissing {
        employee_ids: Vec<Uuid>,
        due_date: NaiveDate,
        minimum_exposure_pence: u64,
    },
    /// Measures were envisaged but no consultation meeting was recorded (reg 13(6)); no fixed minimum, so a warning.
    ConsultationNotRecorded { measures_by: Vec<Party> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferCase {
    pub transfer_id: Uuid,
    pub programme_id: Option<Uuid>,
    pub basis: TransferBasis,
    pub transferor: String,
    pub transferee: String,
    pub transfer_date: NaiveDate,
    pub date_confirmed: bool,
    pub status: CaseStatus,
    pub scope: BTreeMap<Uuid, ScopedEmployee>,
    pub representatives: BTreeMap<Party, RepresentativeKind>,
    pub elections_invited: BTreeSet<Party>,
    pub direct_consultation: BTreeSet<Party>,
    /// Measures envisaged, per party; an empty list records "no measures".
    pub measures: BTreeMap<Party, Vec<String>>,
    pub information_given: BTreeMap<Party, NaiveDate>,
    pub meetings: Vec<NaiveDate>,
    pub risks: Vec<TransferRisk>,
}

impl TransferCase {
    fn stream(&self) -> StreamId {
        StreamId::transfer(self.transfer_id)
    }

    pub fn eli_due_date(&self) -> NaiveDate {
        eli::due_date(self.transfer_date)
    }

    /// ELI status for one scoped-in employee, as seen on `today`.
    pub fn eli_status(&self, employee_id: Uuid, today: NaiveDate) -> Option<eli::EliStatus> {
        let s = self.scope.get(&employee_id)?;
        Some(eli::EliStatus::assess(
            self.transfer_date,
            s.eli_provided_on,
            today,
        ))
    }

    /// Minimum reg 12 exposure (pence) for late or missing ELI as seen on `today`.
    pub fn eli_exposure_pence(&self, today: NaiveDate) -> u64 {
        let at_risk = self
            .scope
            .keys()
            .filter(|id| self.eli_status(**id, today).is_some_and(|s| s.at_risk()))
            .count();
        eli::minimum_exposure_pence(at_risk)
    }

    pub fn objectors(&self) -> Vec<Uuid> {
        self.scope
            .iter()
            .filter(|(_, s)| s.objected_on.is_some())
            .map(|(id, _)| *id)
            .collect()
    }

    pub fn transferring(&self) -> Vec<Uuid> {
        self.scope
            .iter()
            .filter(|(_, s)| s.objected_on.is_none())
            .map(|(id, _)| *id)
            .collect()
    }

    fn scoped(&self, employee_id: Uuid) -> Result<&ScopedEmployee, DomainError> {
        self.scope.get(&employee_id).ok_or_else(|| {
            DomainError::invalid(
                "employee_id",
                format!(
                    "employee {employee_id} is not in scope of transfer {}",
                    self.transfer_id
                ),
            )
        })
    }

    fn employer(&self, party: Party) -> &str {
        match party {
            Party::Transferor => &self.transferor,
            Party::Transferee => &self.transferee,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State(pub Option<TransferCase>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    ProposeTransfer {
        transfer_id: Uuid,
        programme_id: Option<Uuid>,
        basis: TransferBasis,
        transferor: String,
        transferee: String,
        transfer_date: NaiveDate,
        effective_date: NaiveDate,
    },
    ScopeStaffIn {
        transfer_id: Uuid,
        staff: Vec<StaffToScope>,
        effective_date: NaiveDate,
    },
    ScopeStaffOut {
        transfer_id: Uuid,
        employee_ids: Vec<Uuid>,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    IdentifyRepresentatives {
        transfer_id: Uuid,
        party: Party,
        kind: RepresentativeKind,
        description: Narrative,
        effective_date: NaiveDate,
    },
    InviteRepresentativeElection {
        transfer_id: Uuid,
        party: Party,
        seats: u32,
        effective_date: NaiveDate,
    },
    RecordElectionHeld {
        transfer_id: Uuid,
        party: Party,
        seats: u32,
        candidates: u32,
        ballot_held: bool,
        effective_date: NaiveDate,
    },
    ElectDirectConsultation {
        transfer_id: Uuid,
        party: Party,
        employer_headcount: u32,
        effective_date: NaiveDate,
    },
    NotifyMeasures {
        transfer_id: Uuid,
        by: Party,
        measures: Vec<String>,
        effective_date: NaiveDate,
    },
    GiveInformation {
        transfer_id: Uuid,
        by: Party,
        items: Vec<String>,
        effective_date: NaiveDate,
    },
    HoldConsultationMeeting {
        transfer_id: Uuid,
        by: Party,
        summary: Narrative,
        effective_date: NaiveDate,
    },
    ProvideEmployeeLiabilityInformation {
        transfer_id: Uuid,
        employee_ids: Vec<Uuid>,
        as_at: NaiveDate,
        effective_date: NaiveDate,
    },
    UpdateEmployeeLiabilityInformation {
        transfer_id: Uuid,
        employee_ids: Vec<Uuid>,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    ReceiveObjection {
        transfer_id: Uuid,
        employee_id: Uuid,
        received_by: Party,
        effective_date: NaiveDate,
    },
    WithdrawObjection {
        transfer_id: Uuid,
        employee_id: Uuid,
        effective_date: NaiveDate,
    },
    ConfirmTransferDate {
        transfer_id: Uuid,
        effective_date: NaiveDate,
    },
    ChangeTransferDate {
        transfer_id: Uuid,
        new_date: NaiveDate,
        reason: Narrative,
        effective_date: NaiveDate,
    },
    /// Effective on the transfer date.
    CompleteTransfer { transfer_id: Uuid },
    CancelTransfer {
        transfer_id: Uuid,
        reason: Narrative,
        effective_date: NaiveDate,
    },
}

impl Command {
    pub fn transfer_id(&self) -> Uuid {
        use Command::*;
        match self {
            ProposeTransfer { transfer_id, .. }
            | ScopeStaffIn { transfer_id, .. }
            | ScopeStaffOut { transfer_id, .. }
            | IdentifyRepresentatives { transfer_id, .. }
            | InviteRepresentativeElection { transfer_id, .. }
            | RecordElectionHeld { transfer_id, .. }
            | ElectDirectConsultation { transfer_id, .. }
            | NotifyMeasures { transfer_id, .. }
            | GiveInformation { transfer_id, .. }
            | HoldConsultationMeeting { transfer_id, .. }
            | ProvideEmployeeLiabilityInformation { transfer_id, .. }
            | UpdateEmployeeLiabilityInformation { transfer_id, .. }
            | ReceiveObjection { transfer_id, .. }
            | WithdrawObjection { transfer_id, .. }
            | ConfirmTransferDate { transfer_id, .. }
            | ChangeTransferDate { transfer_id, .. }
            | CompleteTransfer { transfer_id }
            | CancelTransfer { transfer_id, .. } => *transfer_id,
        }
    }

    /// Employee streams whose state the decision reads.
    pub fn related_employees(&self, state: &State) -> Vec<Uuid> {
        match self {
            Command::ScopeStaffIn { staff, .. } => staff.iter().map(|s| s.employee_id).collect(),
            Command::CompleteTransfer { .. } | Command::ChangeTransferDate { .. } => state
                .0
                .as_ref()
                .map(|c| c.scope.keys().copied().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferCaseOpened {
    pub transfer_id: Uuid,
    pub programme_id: Option<Uuid>,
    pub basis: TransferBasis,
    pub transferor: String,
    pub transferee: String,
    pub transfer_date: NaiveDate,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeesScopedIn {
    pub transfer_id: Uuid,
    pub staff: Vec<StaffToScope>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeesScopedOut {
    pub transfer_id: Uuid,
    pub employee_ids: Vec<Uuid>,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepresentativesIdentified {
    pub transfer_id: Uuid,
    pub party: Party,
    pub kind: RepresentativeKind,
    pub description: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepresentativeElectionInvited {
    pub transfer_id: Uuid,
    pub party: Party,
    pub seats: u32,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepresentativeElectionHeld {
    pub transfer_id: Uuid,
    pub party: Party,
    pub seats: u32,
    pub candidates: u32,
    pub ballot_held: bool,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectConsultationElected {
    pub transfer_id: Uuid,
    pub party: Party,
    pub employer_headcount: u32,
    pub transferring: u32,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuresNotified {
    pub transfer_id: Uuid,
    pub by: Party,
    /// Empty: the employer envisages no measures.
    pub measures: Vec<String>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InformationGiven {
    pub transfer_id: Uuid,
    pub by: Party,
    pub items: Vec<String>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferConsultationMeetingHeld {
    pub transfer_id: Uuid,
    pub by: Party,
    pub summary: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeeLiabilityInformationProvided {
    pub transfer_id: Uuid,
    pub employee_ids: Vec<Uuid>,
    pub as_at: NaiveDate,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployeeLiabilityInformationUpdated {
    pub transfer_id: Uuid,
    pub employee_ids: Vec<Uuid>,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionReceived {
    pub transfer_id: Uuid,
    pub employee_id: Uuid,
    pub received_by: Party,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionWithdrawn {
    pub transfer_id: Uuid,
    pub employee_id: Uuid,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferDateConfirmed {
    pub transfer_id: Uuid,
    pub transfer_date: NaiveDate,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferDateChanged {
    pub transfer_id: Uuid,
    pub previous_date: NaiveDate,
    pub new_date: NaiveDate,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskRecorded {
    pub transfer_id: Uuid,
    pub risk: TransferRisk,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferCompleted {
    pub transfer_id: Uuid,
    pub transferred: Vec<Uuid>,
    pub objectors: Vec<Uuid>,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferCancelled {
    pub transfer_id: Uuid,
    pub reason: Narrative,
    pub effective_date: NaiveDate,
}

event_enum! {
    key: transfer_id: Uuid;
    pub enum Event {
        TransferCaseOpened,
        EmployeesScopedIn,
        EmployeesScopedOut,
        RepresentativesIdentified,
        RepresentativeElectionInvited,
        RepresentativeElectionHeld,
        DirectConsultationElected,
        MeasuresNotified,
        InformationGiven,
        TransferConsultationMeetingHeld,
        EmployeeLiabilityInformationProvided,
        EmployeeLiabilityInformationUpdated,
        ObjectionReceived,
        ObjectionWithdrawn,
        TransferDateConfirmed,
        TransferDateChanged,
        RiskRecorded,
        TransferCompleted,
        TransferCancelled,
    }
}

impl Event {
    pub fn employees_touched(&self) -> Vec<Uuid> {
        match self {
            Event::EmployeesScopedIn(e) => e.staff.iter().map(|s| s.employee_id).collect(),
            Event::EmployeesScopedOut(e) => e.employee_ids.clone(),
            Event::EmployeeLiabilityInformationProvided(e) => e.employee_ids.clone(),
            Event::EmployeeLiabilityInformationUpdated(e) => e.employee_ids.clone(),
            Event::ObjectionReceived(e) => vec![e.employee_id],
            Event::ObjectionWithdrawn(e) => vec![e.employee_id],
            Event::RiskRecorded(RiskRecorded {
                risk:
                    TransferRisk::EliLate { employee_ids, .. }
                    | TransferRisk::EliMissing { employee_ids, .. },
                ..
            }) => employee_ids.clone(),
            Event::TransferCompleted(e) => {
                e.transferred.iter().chain(&e.objectors).copied().collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Events of one decision, on the transfer stream and on employee streams.
struct Out {
    transfer: StreamId,
    events: Vec<(StreamId, LedgerEvent)>,
}

impl Out {
    fn new(transfer_id: Uuid) -> Self {
        Out {
            transfer: StreamId::transfer(transfer_id),
            events: Vec::new(),
        }
    }
    fn case(mut self, e: impl Into<Event>) -> Self {
        self.events
            .push((self.transfer.clone(), LedgerEvent::Transfer(e.into())));
        self
    }
    fn employee(mut self, e: impl Into<employee::Event>) -> Self {
        let e: employee::Event = e.into();
        self.events
            .push((StreamId::employee(*e.key()), LedgerEvent::Employee(e)));
        self
    }
}

/// Decides a transfer command. Unlike single-stream aggregates it also reads the related
/// employee states and may append to their streams (scoping, date changes, completion).
pub fn decide(
    state: &State,
    cmd: Command,
    related: &Related,
    clock: &Clock,
) -> Result<Vec<(StreamId, LedgerEvent)>, DomainError> {
    let transfer_id = cmd.transfer_id();
    let stream = StreamId::transfer(transfer_id);
    if let Command::ProposeTransfer {
        programme_id,
        basis,
        transferor,
        transferee,
        transfer_date,
        effective_date,
        ..
    } = cmd
    {
        ensure_new(&state.0, &stream)?;
        crate::organisation::validate_code(&transferor)?;
        crate::organisation::validate_code(&transferee)?;
        if transferor == transferee {
            return Err(DomainError::invalid(
                "transferee",
                "must differ from the transferor",
            ));
        }
        let e = TransferCaseOpened {
            transfer_id,
            programme_id,
            basis,
            transferor,
            transferee,
            transfer_date,
            effective_date,
        };
        return Ok(Out::new(transfer_id).case(e).events);
    }
    let case = state.0.as_ref().ok_or_else(|| {
        DomainError::not_found(&stream, "the transfer case has not been proposed")
    })?;
    ensure_open(case.status, &format!("transfer case {transfer_id}"))?;
    decide_open(case, cmd, related, clock).map(|out| out.events)
}

fn decide_open(
    case: &TransferCase,
    cmd: Command,
    related: &Related,
    clock: &Clock,
) -> Result<Out, DomainError> {
    let transfer_id = case.transfer_id;
    let out = Out::new(transfer_id);
    Ok(match cmd {
        Command::ProposeTransfer { .. } => {
            return Err(DomainError::AlreadyExists {
                stream: case.stream().to_string(),
            })
        }
        Command::ScopeStaffIn {
            staff,
            effective_date,
            ..
        } => scope_in(case, staff, effective_date, related)?,
        Command::ScopeStaffOut {
            employee_ids,
            reason,
            effective_date,
            ..
        } => {
            ensure_non_empty(&employee_ids, "employee_ids")?;
            for id in &employee_ids {
                case.scoped(*id)?;
            }
            let out = out.case(EmployeesScopedOut {
                transfer_id,
                employee_ids: employee_ids.clone(),
                reason: reason.clone(),
                effective_date,
            });
            release(out, transfer_id, &employee_ids, &reason, effective_date)
        }
        Command::IdentifyRepresentatives {
            party,
            kind,
            description,
            effective_date,
            ..
        } => out.case(RepresentativesIdentified {
            transfer_id,
            party,
            kind,
            description,
            effective_date,
        }),
        Command::InviteRepresentativeElection {
            party,
            seats,
            effective_date,
            ..
        } => {
            if seats == 0 {
                return Err(DomainError::invalid(
                    "seats",
                    "an election needs at least one seat",
                ));
            }
            out.case(RepresentativeElectionInvited {
                transfer_id,
                party,
                seats,
                effective_date,
            })
        }
        Command::RecordElectionHeld {
            party,
            seats,
            candidates,
            ballot_held,
            effective_date,
            ..
        } => {
            election_held(case, party, seats, candidates, ballot_held, effective_date)?;
            out.case(RepresentativeElectionHeld {
                transfer_id,
                party,
                seats,
                candidates,
                ballot_held,
                effective_date,
            })
        }
        Command::ElectDirectConsultation {
            party,
            employer_headcount,
            effective_date,
            ..
        } => {
            let transferring = u32::try_from(case.transferring().len()).unwrap_or(u32::MAX);
            check_direct_consultation(case, party, employer_headcount, transferring)?;
            out.case(DirectConsultationElected {
                transfer_id,
                party,
                employer_headcount,
                transferring,
                effective_date,
            })
        }
        Command::NotifyMeasures {
            by,
            measures,
            effective_date,
            ..
        } => out.case(MeasuresNotified {
            transfer_id,
            by,
            measures,
            effective_date,
        }),
        Command::GiveInformation {
            by,
            items,
            effective_date,
            ..
        } => {
            ensure_non_empty(&items, "items")?;
            if !case.representatives.contains_key(&by) && !case.direct_consultation.contains(&by) {
                return Err(DomainError::rule(
                    RULE_NO_RECIPIENTS,
                    format!(
                        "TUPE 2006 reg 13(2)-(3): information from the {} ({}) goes to appropriate representatives; none are identified and direct consultation under reg 13A has not been elected",
                        party_name(by),
                        case.employer(by)
                    ),
                ));
            }
            out.case(InformationGiven {
                transfer_id,
                by,
                items,
                effective_date,
            })
        }
        Command::HoldConsultationMeeting {
            by,
            summary,
            effective_date,
            ..
        } => out.case(TransferConsultationMeetingHeld {
            transfer_id,
            by,
            summary,
            effective_date,
        }),
        Command::ProvideEmployeeLiabilityInformation {
            employee_ids,
            as_at,
            effective_date,
            ..
        } => provide_eli(case, employee_ids, as_at, effective_date, out)?,
        Command::UpdateEmployeeLiabilityInformation {
            employee_ids,
            reason,
            effective_date,
            ..
        } => {
            ensure_non_empty(&employee_ids, "employee_ids")?;
            for id in &employee_ids {
                if case.scoped(*id)?.eli_provided_on.is_none() {
                    return Err(DomainError::state(
                        "ELI_NOT_PROVIDED",
                        format!(
                            "ELI for employee {id} has not been provided yet; provide it first"
                        ),
                    ));
                }
            }
            out.case(EmployeeLiabilityInformationUpdated {
                transfer_id,
                employee_ids,
                reason,
                effective_date,
            })
        }
        Command::ReceiveObjection {
            employee_id,
            received_by,
            effective_date,
            ..
        } => {
            if case.scoped(employee_id)?.objected_on.is_some() {
                return Err(DomainError::state(
                    "OBJECTION_ALREADY_RECEIVED",
                    format!("employee {employee_id} has already objected"),
                ));
            }
            check_before_transfer(case, effective_date, "objection received")?;
            out.case(ObjectionReceived {
                transfer_id,
                employee_id,
                received_by,
                effective_date,
            })
        }
        Command::WithdrawObjection {
            employee_id,
            effective_date,
            ..
        } => {
            if case.scoped(employee_id)?.objected_on.is_none() {
                return Err(DomainError::state(
                    "NO_OBJECTION",
                    format!("employee {employee_id} has not objected"),
                ));
            }
            check_before_transfer(case, effective_date, "objection withdrawn")?;
            out.case(ObjectionWithdrawn {
                transfer_id,
                employee_id,
                effective_date,
            })
        }
        Command::ConfirmTransferDate { effective_date, .. } => out.case(TransferDateConfirmed {
            transfer_id,
            transfer_date: case.transfer_date,
            effective_date,
        }),
        Command::ChangeTransferDate {
            new_date,
            reason,
            effective_date,
            ..
        } => change_date(case, new_date, reason, effective_date, related)?,
        Command::CompleteTransfer { .. } => complete(case, related, clock)?,
        Command::CancelTransfer {
            reason,
            effective_date,
            ..
        } => {
            ensure_text(&reason.0, "reason")?;
            let scoped: Vec<Uuid> = case.scope.keys().copied().collect();
            let out = out.case(TransferCancelled {
                transfer_id,
                reason: reason.clone(),
                effective_date,
            });
            release(out, transfer_id, &scoped, &reason, effective_date)
        }
    })
}

/// Frees employees from this transfer on their own streams (scope-out or cancellation).
fn release(
    out: Out,
    transfer_id: Uuid,
    employee_ids: &[Uuid],
    reason: &Narrative,
    effective_date: NaiveDate,
) -> Out {
    employee_ids.iter().fold(out, |out, id| {
        out.employee(employee::EmployeeReleasedFromTransfer {
            employee_id: *id,
            transfer_id,
            reason: reason.clone(),
            effective_date,
        })
    })
}

fn party_name(p: Party) -> &'static str {
    match p {
        Party::Transferor => "transferor",
        Party::Transferee => "transferee",
    }
}

/// The "same date" rule: one person cannot move under two open transfers on one day.
fn check_not_in_other_transfer(
    rec: &EmployeeRecord,
    transfer_id: Uuid,
    date: NaiveDate,
) -> Result<(), DomainError> {
    let clash = rec
        .open_transfers
        .iter()
        .find(|(other, d)| **other != transfer_id && **d == date);
    match clash {
        Some((other, _)) => Err(DomainError::rule(
            RULE_TWO_OPEN_TRANSFERS,
            format!("employee {} is already scoped into open transfer {other} with the same transfer date {date}", rec.employee_id),
        )),
        None => Ok(()),
    }
}

fn scope_in(
    case: &TransferCase,
    staff: Vec<StaffToScope>,
    effective_date: NaiveDate,
    related: &Related,
) -> Result<Out, DomainError> {
    ensure_non_empty(&staff, "staff")?;
    let mut seen = BTreeSet::new();
    for s in &staff {
        if !seen.insert(s.employee_id) || case.scope.contains_key(&s.employee_id) {
            return Err(DomainError::invalid(
                "staff",
                format!("employee {} is already in scope", s.employee_id),
            ));
        }
        if let Some(a) = &s.transferee_assignment {
            a.validate()?;
        }
        let rec = related.employee(s.employee_id)?;
        let employment = rec.current_employment()?;
        if employment.employer_code != case.transferor {
            return Err(DomainError::rule(
                RULE_NOT_TRANSFEROR_EMPLOYEE,
                format!(
                    "TUPE 2006 reg 4(1): only the transferor's staff transfer; employee {} is employed by {}, not the transferor {}",
                    s.employee_id, employment.employer_code, case.transferor
                ),
            ));
        }
        check_not_in_other_transfer(rec, case.transfer_id, case.transfer_date)?;
    }
    let scoped = staff.iter().map(|s| employee::EmployeeScopedIntoTransfer {
        employee_id: s.employee_id,
        transfer_id: case.transfer_id,
        transfer_date: case.transfer_date,
        effective_date,
    });
    let out = Out::new(case.transfer_id).case(EmployeesScopedIn {
        transfer_id: case.transfer_id,
        staff: staff.clone(),
        effective_date,
    });
    Ok(scoped.fold(out, Out::employee))
}

fn election_held(
    case: &TransferCase,
    party: Party,
    seats: u32,
    candidates: u32,
    ballot_held: bool,
    date: NaiveDate,
) -> Result<(), DomainError> {
    if !case.elections_invited.contains(&party) {
        return Err(DomainError::state(
            "ELECTION_NOT_INVITED",
            format!(
                "no election of representatives was invited for the {}",
                party_name(party)
            ),
        ));
    }
    if candidates > seats && !ballot_held {
        return Err(DomainError::rule(
            RULE_BALLOT_REQUIRED,
            format!("TUPE 2006 reg 14(1): {candidates} candidates for {seats} seats on {date} need a secret ballot; only when candidates do not exceed seats may it be skipped"),
        ));
    }
    Ok(())
}

fn check_direct_consultation(
    case: &TransferCase,
    party: Party,
    headcount: u32,
    transferring: u32,
) -> Result<(), DomainError> {
    let date = case.transfer_date;
    let refuse = |why: String| {
        DomainError::rule(
            reg13a::RULE_DIRECT_CONSULTATION,
            format!("TUPE 2006 reg 13A: {why}"),
        )
    };
    if let Some(kind) = case.representatives.get(&party) {
        return Err(refuse(format!("the {} already has appropriate representatives ({kind:?}); direct consultation is only for employers without them", party_name(party))));
    }
    if case.elections_invited.contains(&party) {
        return Err(refuse(format!(
            "an election of representatives has been invited by the {}",
            party_name(party)
        )));
    }
    if !reg13a::headcount_allows_direct(date, headcount, transferring) {
        return Err(refuse(format!(
            "for a transfer on {date} the employer must have {}; it has {headcount} employees and {transferring} are transferring",
            reg13a::describe_thresholds(date)
        )));
    }
    Ok(())
}

fn provide_eli(
    case: &TransferCase,
    employee_ids: Vec<Uuid>,
    as_at: NaiveDate,
    effective_date: NaiveDate,
    out: Out,
) -> Result<Out, DomainError> {
    ensure_non_empty(&employee_ids, "employee_ids")?;
    if as_at > effective_date {
        return Err(DomainError::invalid(
            "as_at",
            format!("information as at {as_at} cannot be given on {effective_date}"),
        ));
    }
    for id in &employee_ids {
        if case.scoped(*id)?.eli_provided_on.is_some() {
            return Err(DomainError::state(
                "ELI_ALREADY_PROVIDED",
                format!("ELI for employee {id} was already provided; record an update instead"),
            ));
        }
    }
    let due_date = case.eli_due_date();
    let late = effective_date > due_date;
    let risk = late.then(|| TransferRisk::EliLate {
        employee_ids: employee_ids.clone(),
        due_date,
        provided_on: effective_date,
        minimum_exposure_pence: eli::minimum_exposure_pence(employee_ids.len()),
    });
    let transfer_id = case.transfer_id;
    let out = out.case(EmployeeLiabilityInformationProvided {
        transfer_id,
        employee_ids,
        as_at,
        effective_date,
    });
    Ok(match risk {
        Some(risk) => out.case(RiskRecorded {
            transfer_id,
            risk,
            effective_date,
        }),
        None => out,
    })
}

/// Reg 4(7): an objection counts only if made before the transfer.
fn check_before_transfer(
    case: &TransferCase,
    date: NaiveDate,
    what: &str,
) -> Result<(), DomainError> {
    if date >= case.transfer_date {
        return Err(DomainError::rule(
            RULE_OBJECTION_LATE,
            format!("TUPE 2006 reg 4(7): {what} {date} is on or after the transfer date {}; an objection must be made before the transfer", case.transfer_date),
        ));
    }
    Ok(())
}

fn change_date(
    case: &TransferCase,
    new_date: NaiveDate,
    reason: Narrative,
    effective_date: NaiveDate,
    related: &Related,
) -> Result<Out, DomainError> {
    ensure_text(&reason.0, "reason")?;
    if new_date == case.transfer_date {
        return Err(DomainError::invalid(
            "new_date",
            format!("the transfer date is already {new_date}"),
        ));
    }
    for id in case.scope.keys() {
        check_not_in_other_transfer(related.employee(*id)?, case.transfer_id, new_date)?;
    }
    let transfer_id = case.transfer_id;
    let rescoped = case
        .scope
        .keys()
        .map(|id| employee::EmployeeScopedIntoTransfer {
            employee_id: *id,
            transfer_id,
            transfer_date: new_date,
            effective_date,
        });
    let changed = TransferDateChanged {
        transfer_id,
        previous_date: case.transfer_date,
        new_date,
        reason,
        effective_date,
    };
    Ok(rescoped.fold(Out::new(transfer_id).case(changed), Out::employee))
}

fn check_completion(case: &TransferCase, clock: &Clock) -> Result<(), DomainError> {
    let today = clock.today();
    if today < case.transfer_date {
        return Err(DomainError::rule(
            RULE_BEFORE_TRANSFER_DATE,
            format!(
                "the transfer cannot complete before its transfer date {}; today is {today}",
                case.transfer_date
            ),
        ));
    }
    if !case.information_given.contains_key(&Party::Transferor) {
        return Err(DomainError::rule(
            RULE_INFORMATION_NOT_GIVEN,
            format!(
                "TUPE 2006 reg 13(2): the transferor ({}) has not informed the affected employees or their representatives before the transfer date {}",
                case.transferor, case.transfer_date
            ),
        ));
    }
    if case.scope.is_empty() {
        return Err(DomainError::state(
            "TRANSFER_NO_STAFF_IN_SCOPE",
            "no staff are scoped into the transfer",
        ));
    }
    Ok(())
}

/// Completion: every scoped-in non-objector moves to the transferee with continuous service
/// and terms unchanged; every objector's employment ends on the transfer date.
fn complete(case: &TransferCase, related: &Related, clock: &Clock) -> Result<Out, DomainError> {
    check_completion(case, clock)?;
    let date = case.transfer_date;
    let transfer_id = case.transfer_id;
    let mut out = completion_risks(case, Out::new(transfer_id));
    out = out.case(TransferCompleted {
        transfer_id,
        transferred: case.transferring(),
        objectors: case.objectors(),
        effective_date: date,
    });
    for (id, scoped) in &case.scope {
        let employment = related.employee(*id)?.current_employment()?;
        if employment.employer_code != case.transferor {
            return Err(DomainError::state(
                "TRANSFER_EMPLOYEE_NOT_WITH_TRANSFEROR",
                format!("employee {id} is now employed by {}, not the transferor {}; scope them out first", employment.employer_code, case.transferor),
            ));
        }
        out = match scoped.objected_on {
            Some(_) => out.employee(employee::EmploymentEndedByObjection {
                employee_id: *id,
                transfer_id,
                employer_code: case.transferor.clone(),
                effective_date: date,
            }),
            None => out.employee(employee::EmployeeTransferred {
                employee_id: *id,
                transfer_id,
                from_employer: case.transferor.clone(),
                to_employer: case.transferee.clone(),
                assignment: scoped
                    .transferee_assignment
                    .clone()
                    .unwrap_or_else(|| employment.assignment.clone()),
                continuous_service_date: employment.continuous_service_date,
                effective_date: date,
            }),
        };
    }
    Ok(out)
}

/// Warnings, not blocks: missing ELI (reg 12 exposure) and measures without consultation.
fn completion_risks(case: &TransferCase, mut out: Out) -> Out {
    let transfer_id = case.transfer_id;
    let missing: Vec<Uuid> = case
        .scope
        .iter()
        .filter(|(_, s)| s.eli_provided_on.is_none())
        .map(|(id, _)| *id)
        .collect();
    if !missing.is_empty() {
        let risk = TransferRisk::EliMissing {
            minimum_exposure_pence: eli::minimum_exposure_pence(missing.len()),
            employee_ids: missing,
            due_date: case.eli_due_date(),
        };
        out = out.case(RiskRecorded {
            transfer_id,
            risk,
            effective_date: case.transfer_date,
        });
    }
    let measures_by: Vec<Party> = case
        .measures
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .map(|(p, _)| *p)
        .collect();
    if !measures_by.is_empty() && case.meetings.is_empty() {
        let risk = TransferRisk::ConsultationNotRecorded { measures_by };
        out = out.case(RiskRecorded {
            transfer_id,
            risk,
            effective_date: case.transfer_date,
        });
    }
    out
}

pub fn evolve(state: State, event: &Event) -> State {
    let State(mut case) = state;
    if let Event::TransferCaseOpened(e) = event {
        return State(Some(TransferCase {
            transfer_id: e.transfer_id,
            programme_id: e.programme_id,
            basis: e.basis,
            transferor: e.transferor.clone(),
            transferee: e.transferee.clone(),
            transfer_date: e.transfer_date,
            date_confirmed: false,
            status: CaseStatus::Open,
            scope: BTreeMap::new(),
            representatives: BTreeMap::new(),
            elections_invited: BTreeSet::new(),
            direct_consultation: BTreeSet::new(),
            measures: BTreeMap::new(),
            information_given: BTreeMap::new(),
            meetings: Vec::new(),
            risks: Vec::new(),
        }));
    }
    if let Some(c) = case.as_mut() {
        apply(c, event);
    }
    State(case)
}

fn apply(c: &mut TransferCase, event: &Event) {
    match event {
        Event::TransferCaseOpened(_) => {}
        Event::EmployeesScopedIn(e) => {
            for s in &e.staff {
                c.scope.insert(
                    s.employee_id,
                    ScopedEmployee {
                        scoped_on: e.effective_date,
                        transferee_assignment: s.transferee_assignment.clone(),
                        eli_provided_on: None,
                        eli_updated_on: Vec::new(),
                        objected_on: None,
                    },
                );
            }
        }
        Event::EmployeesScopedOut(e) => {
            for id in &e.employee_ids {
                c.scope.remove(id);
            }
        }
        Event::RepresentativesIdentified(e) => {
            c.representatives.insert(e.party, e.kind);
        }
        Event::RepresentativeElectionInvited(e) => {
            c.elections_invited.insert(e.party);
        }
        Event::RepresentativeElectionHeld(e) => {
            c.representatives
                .insert(e.party, RepresentativeKind::Elected);
        }
        Event::DirectConsultationElected(e) => {
            c.direct_consultation.insert(e.party);
        }
        Event::MeasuresNotified(e) => {
            c.measures.insert(e.by, e.measures.clone());
        }
        Event::InformationGiven(e) => {
            c.information_given.entry(e.by).or_insert(e.effective_date);
        }
        Event::TransferConsultationMeetingHeld(e) => c.meetings.push(e.effective_date),
        Event::EmployeeLiabilityInformationProvided(e) => {
            for id in &e.employee_ids {
                if let Some(s) = c.scope.get_mut(id) {
                    s.eli_provided_on = Some(e.effective_date);
                }
            }
        }
        Event::EmployeeLiabilityInformationUpdated(e) => {
            for id in &e.employee_ids {
                if let Some(s) = c.scope.get_mut(id) {
                    s.eli_updated_on.push(e.effective_date);
                }
            }
        }
        Event::ObjectionReceived(e) => set_objection(c, e.employee_id, Some(e.effective_date)),
        Event::ObjectionWithdrawn(e) => set_objection(c, e.employee_id, None),
        Event::TransferDateConfirmed(_) => c.date_confirmed = true,
        Event::TransferDateChanged(e) => {
            c.transfer_date = e.new_date;
            c.date_confirmed = false;
        }
        Event::RiskRecorded(e) => c.risks.push(e.risk.clone()),
        Event::TransferCompleted(_) => c.status = CaseStatus::Closed,
        Event::TransferCancelled(_) => c.status = CaseStatus::Cancelled,
    }
}

fn set_objection(c: &mut TransferCase, employee_id: Uuid, on: Option<NaiveDate>) {
    if let Some(s) = c.scope.get_mut(&employee_id) {
        s.objected_on = on;
    }
}
