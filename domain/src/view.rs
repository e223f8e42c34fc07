//! What a case looks like from outside: a summary for case lists and the statutory deadlines it
//! carries. Derived purely from folded state, so projections never re-interpret events and the
//! rules that set a deadline (ELI 28 days, s.188 30/45 days, ...) stay in the domain.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;
use uuid::Uuid;

use crate::appointment::AppointmentCase;
use crate::common::CaseStatus;
use crate::consultation::ConsultationCase;
use crate::displacement::DisplacementCase;
use crate::ledger::AggregateState;
use crate::mediation::MediationCase;
use crate::programme::MergerProgramme;
use crate::rules::{collective, eli};
use crate::stream::AggregateKind;
use crate::transfer::{Party, TransferCase};

/// A case for lists and dashboards. Holds no personal data or confidential narrative.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSummary {
    pub case_id: Uuid,
    pub kind: AggregateKind,
    pub status: &'static str,
    pub programme_id: Option<Uuid>,
    pub title: String,
    pub organisations: Vec<String>,
    pub key_dates: BTreeMap<&'static str, NaiveDate>,
    /// Counters summed on the programme dashboard (`in_scope`, `transferred`, `objected`, ...).
    pub counts: BTreeMap<&'static str, u64>,
    pub opened_on: Option<NaiveDate>,
}

/// A statutory deadline. Whether it is upcoming, at risk or missed depends on the day it is
/// looked at, so only the due date and the date it was met (if it was) are stated here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deadline {
    /// Stable within its case (`eli`, `hr1`, ...).
    pub kind: &'static str,
    pub rule: &'static str,
    pub description: String,
    pub due: NaiveDate,
    pub met_on: Option<NaiveDate>,
    pub employees: u64,
    pub exposure_pence: Option<u64>,
    pub exposure_note: Option<String>,
}

/// A merger programme for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeSummary {
    pub programme_id: Uuid,
    pub name: String,
    pub successor_code: String,
    pub predecessors: Vec<String>,
    pub legal_day_one: NaiveDate,
    pub status: &'static str,
    pub linked_cases: Vec<Uuid>,
}

pub fn status_name(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Open => "open",
        CaseStatus::Closed => "closed",
        CaseStatus::Cancelled => "cancelled",
    }
}

impl AggregateState {
    /// The case summary, for case aggregates that have been opened.
    pub fn case_summary(&self) -> Option<CaseSummary> {
        match self {
            AggregateState::Transfer(s) => s.0.as_ref().map(transfer_summary),
            AggregateState::Consultation(s) => s.0.as_ref().map(consultation_summary),
            AggregateState::Appointment(s) => s.0.as_ref().map(appointment_summary),
            AggregateState::Displacement(s) => s.0.as_ref().map(displacement_summary),
            AggregateState::Mediation(s) => s.0.as_ref().map(mediation_summary),
            _ => None,
        }
    }

    /// The statutory deadlines a case carries (none for other aggregates).
    pub fn deadlines(&self) -> Vec<Deadline> {
        match self {
            AggregateState::Transfer(s) => s.0.as_ref().map(transfer_deadlines),
            AggregateState::Consultation(s) => s.0.as_ref().map(consultation_deadlines),
            AggregateState::Displacement(s) => s.0.as_ref().map(displacement_deadlines),
            _ => None,
        }
        .unwrap_or_default()
    }

    pub fn programme_summary(&self) -> Option<ProgrammeSummary> {
        match self {
            AggregateState::Programme(s) => s.0.as_ref().map(programme_summary),
            _ => None,
        }
    }
}

fn transfer_summary(c: &TransferCase) -> CaseSummary {
    let eli_provided = c
        .scope
        .values()
        .filter(|s| s.eli_provided_on.is_some())
        .count();
    let completed = c.status == CaseStatus::Closed;
    let transferred = if completed { c.transferring().len() } else { 0 };
    let mut counts = BTreeMap::from([
        ("in_scope", c.scope.len() as u64),
        ("objected", c.objectors().len() as u64),
        ("transferred", transferred as u64),
        ("eli_provided", eli_provided as u64),
    ]);
    counts.insert("eli_late", eli_late(c).len() as u64);
    CaseSummary {
        case_id: c.transfer_id,
        kind: AggregateKind::Transfer,
        status: if completed {
            "completed"
        } else {
            status_name(c.status)
        },
        programme_id: c.programme_id,
        title: format!(
            "{:?} transfer {} → {} on {}",
            c.basis, c.transferor, c.transferee, c.transfer_date
        ),
        organisations: vec![c.transferor.clone(), c.transferee.clone()],
        key_dates: BTreeMap::from([
            ("transfer_date", c.transfer_date),
            ("eli_due", c.eli_due_date()),
        ]),
        counts,
        opened_on: c.scope.values().map(|s| s.scoped_on).min(),
    }
}

fn eli_late(c: &TransferCase) -> Vec<Uuid> {
    let due = c.eli_due_date();
    c.scope
        .iter()
        .filter(|(_, s)| s.eli_provided_on.is_some_and(|p| p > due))
        .map(|(id, _)| *id)
        .collect()
}

fn transfer_deadlines(c: &TransferCase) -> Vec<Deadline> {
    let mut out = vec![eli_deadline(c)];
    if let Some(d) = information_deadline(c) {
        out.push(d);
    }
    out.push(Deadline {
        kind: "transfer_date",
        rule: "TUPE_REG4_TRANSFER",
        description: format!(
            "Transfer of {} staff from {} to {} takes effect",
            c.transferring().len(),
            c.transferor,
            c.transferee
        ),
        due: c.transfer_date,
        met_on: (c.status == CaseStatus::Closed).then_some(c.transfer_date),
        employees: c.transferring().len() as u64,
        exposure_pence: None,
        exposure_note: None,
    });
    out
}

/// Reg 11: ELI for every scoped-in employee at least 28 days (14 before 1 May 2014) before the
/// transfer. Met when the last employee's ELI was given; exposure counts everyone late or not
/// yet given (reg 12: at least £500 each).
fn eli_deadline(c: &TransferCase) -> Deadline {
    let due = c.eli_due_date();
    let provided: Vec<Option<NaiveDate>> = c.scope.values().map(|s| s.eli_provided_on).collect();
    let all_given = !provided.is_empty() && provided.iter().all(Option::is_some);
    let met_on = if all_given {
        provided.iter().flatten().max().copied()
    } else {
        None
    };
    let exposed = eli_late(c).len() + provided.iter().filter(|p| p.is_none()).count();
    Deadline {
        kind: "eli",
        rule: eli::RULE_ELI_DEADLINE,
        description: format!(
            "Employee liability information for {} staff to {} at least {} days before the transfer on {} (TUPE 2006 reg 11)",
            c.scope.len(),
            c.transferee,
            eli::minimum_notice_days(c.transfer_date),
            c.transfer_date
        ),
        due,
        met_on,
        employees: c.scope.len() as u64,
        exposure_pence: (exposed > 0).then(|| eli::minimum_exposure_pence(exposed)),
        exposure_note: (exposed > 0).then(|| {
            format!("reg 12: at least £500 for each of {exposed} employees whose ELI is late or not yet given")
        }),
    }
}

/// Reg 13(2): information to the representatives of affected employees "long enough before"
/// the transfer; there is no fixed minimum, so the transfer date is the hard stop.
fn information_deadline(c: &TransferCase) -> Option<Deadline> {
    if c.scope.is_empty() {
        return None;
    }
    let parties = [Party::Transferor, Party::Transferee];
    let given: Vec<Option<&NaiveDate>> =
        parties.iter().map(|p| c.information_given.get(p)).collect();
    let met_on = if given.iter().all(Option::is_some) {
        given.into_iter().flatten().max().copied()
    } else {
        None
    };
    Some(Deadline {
        kind: "information",
        rule: "TUPE_REG13_INFORMATION",
        description: format!(
            "Information to affected employees' representatives by {} and {} long enough before the transfer to allow consultation (TUPE 2006 reg 13(2))",
            c.transferor, c.transferee
        ),
        due: c.transfer_date - Days::new(1),
        met_on,
        employees: c.scope.len() as u64,
        exposure_pence: None,
        exposure_note: Some("reg 15/16: up to 13 weeks' pay per affected employee, jointly and severally".into()),
    })
}

fn consultation_summary(c: &ConsultationCase) -> CaseSummary {
    let mut key_dates = BTreeMap::from([("opened_on", c.opened_on)]);
    if let Some(d) = c.planned_first_dismissal {
        key_dates.insert("planned_first_dismissal", d);
    }
    if let Some(h) = &c.hr1 {
        key_dates.insert("hr1_submitted", h.submitted_on);
    }
    CaseSummary {
        case_id: c.consultation_id,
        kind: AggregateKind::Consultation,
        status: status_name(c.status),
        programme_id: c.programme_id,
        title: format!(
            "{:?} consultation at {} ({}): {} proposed dismissals",
            c.kind, c.employer, c.establishment, c.proposed_dismissals
        ),
        organisations: vec![c.employer.clone()],
        key_dates,
        counts: BTreeMap::from([
            ("proposed_dismissals", u64::from(c.proposed_dismissals)),
            ("consultation_meetings", c.meetings.len() as u64),
        ]),
        opened_on: Some(c.opened_on),
    }
}

/// s.188: consultation must start 30 (20–99) or 45 (100+) days before the first dismissal, and
/// s.193 HR1 on the same lead time. Only when collective consultation is triggered and a first
/// dismissal date is planned.
fn consultation_deadlines(c: &ConsultationCase) -> Vec<Deadline> {
    let (Some(days), Some(first)) = (c.minimum_days(), c.planned_first_dismissal) else {
        return Vec::new();
    };
    let due = first - Days::new(days);
    let award = collective::max_protective_award_days(first);
    let employees = u64::from(c.proposed_dismissals);
    let note = format!("s.189 protective award: up to {award} days' pay per affected employee");
    vec![
        Deadline {
            kind: "consultation_start",
            rule: collective::RULE_S188_LEAD_TIME,
            description: format!(
                "Collective consultation on {} proposed dismissals to start at least {days} days before the first dismissal on {first} (TULRCA s.188)",
                c.proposed_dismissals
            ),
            due,
            met_on: Some(c.opened_on),
            employees,
            exposure_pence: None,
            exposure_note: Some(note.clone()),
        },
        Deadline {
            kind: "hr1",
            rule: collective::RULE_S193_HR1_LEAD_TIME,
            description: format!(
                "HR1 to the Secretary of State at least {days} days before the first dismissal on {first} (TULRCA s.193)"
            ),
            due,
            met_on: c.hr1.as_ref().map(|h| h.submitted_on),
            employees,
            exposure_pence: None,
            exposure_note: Some("s.194: failing to notify is a criminal offence".into()),
        },
        Deadline {
            kind: "consultation_minimum_period",
            rule: collective::RULE_S188_LEAD_TIME,
            description: format!(
                "Minimum {days}-day consultation period from {} ends; no dismissal may take effect before then",
                c.opened_on
            ),
            due: c.opened_on + Days::new(days),
            // Met when the planned first dismissal respects the minimum period.
            met_on: (first >= c.opened_on + Days::new(days)).then_some(c.opened_on + Days::new(days)),
            employees,
            exposure_pence: None,
            exposure_note: Some(note),
        },
    ]
}

fn appointment_summary(c: &AppointmentCase) -> CaseSummary {
    let appointed = u64::from(c.status == CaseStatus::Closed && c.offer.is_some());
    let mut key_dates = BTreeMap::new();
    if let Some(o) = &c.offer {
        key_dates.insert("start_date", o.start_date);
    }
    CaseSummary {
        case_id: c.appointment_id,
        kind: AggregateKind::Appointment,
        status: status_name(c.status),
        programme_id: c.programme_id,
        title: format!("{:?} appointment: {}", c.route, c.post.job_title),
        organisations: Vec::new(),
        key_dates,
        counts: BTreeMap::from([("pool", c.pool.len() as u64), ("appointed", appointed)]),
        opened_on: None,
    }
}

fn displacement_summary(c: &DisplacementCase) -> CaseSummary {
    let mut key_dates = BTreeMap::from([("at_risk_on", c.at_risk_on)]);
    if let Some(d) = c.dismissal_date {
        key_dates.insert("dismissal_date", d);
    }
    if let Some(t) = &c.trial {
        key_dates.insert("trial_ends_on", t.ends_on);
    }
    let open = c.status == CaseStatus::Open;
    let redeployed = c.trial.as_ref().is_some_and(|t| t.successful == Some(true));
    CaseSummary {
        case_id: c.displacement_id,
        kind: AggregateKind::Displacement,
        status: status_name(c.status),
        programme_id: None,
        title: format!("Displaced staff member at {}", c.employer),
        organisations: vec![c.employer.clone()],
        key_dates,
        counts: BTreeMap::from([
            ("at_risk", u64::from(open)),
            ("redeployed", u64::from(redeployed)),
            ("sae_offers", c.offers.len() as u64),
        ]),
        opened_on: Some(c.at_risk_on),
    }
}

/// ERA s.138: the trial period in a suitable alternative post must be decided by its end.
fn displacement_deadlines(c: &DisplacementCase) -> Vec<Deadline> {
    let Some(t) = &c.trial else { return Vec::new() };
    vec![Deadline {
        kind: "trial_period_end",
        rule: crate::displacement::RULE_TRIAL_PERIOD,
        description: format!(
            "Trial period from {} in the alternative post ends; decide whether it is suitable (ERA s.138)",
            t.starts_on
        ),
        due: t.ends_on,
        met_on: t.successful.map(|_| t.ends_on),
        employees: 1,
        exposure_pence: None,
        exposure_note: None,
    }]
}

/// Mediation is confidential: only that it exists and whether it is open.
fn mediation_summary(c: &MediationCase) -> CaseSummary {
    CaseSummary {
        case_id: c.mediation_id,
        kind: AggregateKind::Mediation,
        status: status_name(c.status),
        programme_id: None,
        title: "Early resolution (mediation)".into(),
        organisations: Vec::new(),
        key_dates: BTreeMap::new(),
        counts: BTreeMap::from([("parties", c.parties.len() as u64)]),
        opened_on: None,
    }
}

fn programme_summary(p: &MergerProgramme) -> ProgrammeSummary {
    ProgrammeSummary {
        programme_id: p.programme_id,
        name: p.name.clone(),
        successor_code: p.successor.clone(),
        predecessors: p.predecessors.clone(),
        legal_day_one: p.legal_day_one,
        status: status_name(p.status),
        linked_cases: p.cases.iter().map(|c| c.id).collect(),
    }
}
