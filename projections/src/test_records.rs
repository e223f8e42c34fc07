//! Employee records for the unit tests of the rows built from them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use hrledger_domain::employee::{
    EmployeeRecord, Employment, Leaving, LeavingReason, PayProtection, TransferHistory,
};
use hrledger_domain::{AfcBand, Assignment, Grade, PersonalDetails};
use uuid::Uuid;

/// A date from its `YYYY-MM-DD` text.
pub(crate) fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Employed on AfC band 6, pay point 2; pay protected; transferred once and in two open
/// transfers. Its text needs escaping in JSON (quotes, a backslash, a newline) or is not ASCII.
pub(crate) fn transferring() -> EmployeeRecord {
    let grade = Grade::AgendaForChange {
        band: AfcBand::B6,
        pay_point: Some(2),
    };
    EmployeeRecord {
        employee_id: Uuid::from_u128(0xA1),
        personal: PersonalDetails {
            given_name: "Zoë".into(),
            family_name: "D\"Arcy".into(),
            ni_number: Some("QQ123456C".into()),
            date_of_birth: None,
            email: None,
        },
        employment: Some(Employment {
            employer_code: "ICB".into(),
            start_date: date("2026-07-01"),
            continuous_service_date: date("2009-02-16"),
            assignment: Assignment {
                assignment_number: "A-2".into(),
                position_code: "P\\7".into(),
                job_title: "Head of \"Contracts\"\n(interim)".into(),
                staff_group: "Admin & Clerical".into(),
                grade: grade.clone(),
                fte: 0.6,
                cost_centre: "CC2".into(),
                location: "Leeds".into(),
            },
        }),
        left: None,
        pay_protection: Some(PayProtection {
            protected_grade: grade,
            from: date("2026-07-01"),
            until: Some(date("2028-06-30")),
            policy_reference: "PP-3".into(),
        }),
        open_transfers: BTreeMap::from([
            (Uuid::from_u128(0xC2), date("2027-04-01")),
            (Uuid::from_u128(0xC1), date("2027-01-01")),
        ]),
        transfer_history: vec![TransferHistory {
            transfer_id: Uuid::from_u128(0xB1),
            on: date("2026-07-01"),
            from_employer: "CCG".into(),
            to_employer: "ICB".into(),
        }],
    }
}

/// The same employee, having left on objecting to the next transfer: every payroll field set.
pub(crate) fn leaver() -> EmployeeRecord {
    EmployeeRecord {
        left: Some(Leaving {
            on: date("2027-03-31"),
            reason: LeavingReason::ObjectedToTransfer,
        }),
        ..transferring()
    }
}
