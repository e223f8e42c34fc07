//! Shared test data.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::common::{AfcBand, Assignment, Grade, Narrative, PersonalDetails};
use crate::employee::{self, EmployeeRegistered, EmploymentStarted};
use crate::ledger::{LedgerCommand, LedgerEvent};
use crate::transfer::{self, TransferBasis};

pub const TRANSFEROR: &str = "CCG01";
pub const TRANSFEREE: &str = "ICB01";

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn uid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn n(s: &str) -> Narrative {
    Narrative(s.to_string())
}

pub fn person(name: &str) -> PersonalDetails {
    PersonalDetails {
        given_name: name.to_string(),
        family_name: "Smith".into(),
        ni_number: Some("QQ123456C".into()),
        date_of_birth: Some(d(1980, 5, 17)),
        email: None,
    }
}

pub fn band(b: AfcBand) -> Grade {
    Grade::AgendaForChange {
        band: b,
        pay_point: Some(2),
    }
}

pub fn assignment(number: &str) -> Assignment {
    Assignment {
        assignment_number: number.to_string(),
        position_code: "POS-1".into(),
        job_title: "Commissioning Manager".into(),
        staff_group: "Admin and Clerical".into(),
        grade: band(AfcBand::B7),
        fte: 1.0,
        cost_centre: "CC100".into(),
        location: "Leeds".into(),
    }
}

/// Continuous service from 2010, employed by `employer` since 2015.
pub fn hired(id: Uuid, employer: &str) -> Vec<LedgerEvent> {
    vec![
        LedgerEvent::Employee(
            EmployeeRegistered {
                employee_id: id,
                personal: person("Alex"),
                effective_date: d(2015, 1, 5),
            }
            .into(),
        ),
        LedgerEvent::Employee(
            EmploymentStarted {
                employee_id: id,
                employer_code: employer.into(),
                continuous_service_date: d(2010, 3, 1),
                assignment: assignment(&format!("A{}", id.as_u128())),
                effective_date: d(2015, 1, 5),
            }
            .into(),
        ),
    ]
}

pub const TRANSFER: Uuid = Uuid::from_u128(0x7f);

pub fn e(ev: impl Into<employee::Event>) -> LedgerEvent {
    LedgerEvent::Employee(ev.into())
}

pub fn t(ev: impl Into<transfer::Event>) -> LedgerEvent {
    LedgerEvent::Transfer(ev.into())
}

pub fn tc(cmd: transfer::Command) -> LedgerCommand {
    LedgerCommand::Transfer(cmd)
}

pub fn transfer_opened(id: Uuid, date: NaiveDate) -> LedgerEvent {
    t(transfer::TransferCaseOpened {
        transfer_id: id,
        programme_id: None,
        basis: TransferBasis::Cosop,
        transferor: TRANSFEROR.into(),
        transferee: TRANSFEREE.into(),
        transfer_date: date,
        effective_date: d(2025, 1, 2),
    })
}

/// Scoped-in events on the transfer stream and on each employee stream.
pub fn scoped(id: Uuid, date: NaiveDate, employees: &[Uuid]) -> Vec<LedgerEvent> {
    let staff = employees
        .iter()
        .map(|e| transfer::StaffToScope {
            employee_id: *e,
            transferee_assignment: None,
        })
        .collect();
    let mut out = vec![t(transfer::EmployeesScopedIn {
        transfer_id: id,
        staff,
        effective_date: d(2025, 1, 10),
    })];
    out.extend(employees.iter().map(|emp| {
        e(employee::EmployeeScopedIntoTransfer {
            employee_id: *emp,
            transfer_id: id,
            transfer_date: date,
            effective_date: d(2025, 1, 10),
        })
    }));
    out
}
