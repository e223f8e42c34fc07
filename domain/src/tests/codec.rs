use std::collections::BTreeSet;

use serde_json::json;

use super::fixtures::*;
use super::harness::assert_round_trips;
use crate::codec::{current_version, kind_of_type};
use crate::employee::{Event as EmpEvent, *};
use crate::ledger::LedgerEvent;
use crate::{
    appointment, consultation, displacement, mediation, organisation, programme, transfer,
    DecodeError,
};

fn all_types() -> Vec<&'static str> {
    [
        organisation::Event::TYPES,
        crate::employee::Event::TYPES,
        programme::Event::TYPES,
        transfer::Event::TYPES,
        consultation::Event::TYPES,
        appointment::Event::TYPES,
        displacement::Event::TYPES,
        mediation::Event::TYPES,
    ]
    .concat()
}

#[test]
fn event_types_are_unique_across_the_ledger() {
    let types = all_types();
    let unique: BTreeSet<_> = types.iter().collect();
    assert_eq!(unique.len(), types.len());
    for t in types {
        assert!(kind_of_type(t).is_some());
    }
}

#[test]
fn stored_form_is_type_version_and_snake_case_fields() {
    let e = hired(uid(1), TRANSFEROR)[1].clone();
    let stored = e.to_stored();
    assert_eq!(stored.event_type, "EmploymentStarted");
    assert_eq!(stored.schema_version, 2);
    assert_eq!(stored.data["continuous_service_date"], json!("2010-03-01"));
    assert_eq!(stored.data["employer_code"], json!(TRANSFEROR));
    assert_eq!(e.effective_date(), d(2015, 1, 5));
    assert_round_trips(&e);
}

#[test]
fn employment_started_v1_is_upcast_with_the_start_date_as_continuous_service() {
    let v1 = json!({
        "employee_id": uid(1),
        "employer_code": "CCG01",
        "assignment": serde_json::to_value(assignment("A1")).unwrap(),
        "effective_date": "2018-09-03"
    });
    let e = LedgerEvent::from_stored("EmploymentStarted", 1, &v1).unwrap();
    assert_eq!(
        LedgerEvent::from_stored_text("EmploymentStarted", 1, &v1.to_string()).unwrap(),
        e,
        "v1 text is upcast the same way"
    );
    let LedgerEvent::Employee(EmpEvent::EmploymentStarted(s)) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(s.continuous_service_date, d(2018, 9, 3));
    // Re-encoding writes the current version; v1 data is never rewritten in place.
    assert_eq!(
        e.to_stored().schema_version,
        current_version("EmploymentStarted")
    );
    // A v2 event keeps its own continuous service date.
    let mut v2 = v1.clone();
    v2["continuous_service_date"] = json!("2009-01-01");
    let LedgerEvent::Employee(EmpEvent::EmploymentStarted(s)) =
        LedgerEvent::from_stored("EmploymentStarted", 2, &v2).unwrap()
    else {
        panic!()
    };
    assert_eq!(s.continuous_service_date, d(2009, 1, 1));
}

#[test]
fn decode_errors_are_typed() {
    let data = json!({});
    assert_eq!(
        LedgerEvent::from_stored("Nope", 1, &data),
        Err(DecodeError::UnknownEventType("Nope".into()))
    );
    assert!(matches!(
        LedgerEvent::from_stored("EmploymentStarted", 3, &data),
        Err(DecodeError::UnsupportedVersion {
            version: 3,
            current: 2,
            ..
        })
    ));
    assert!(matches!(
        LedgerEvent::from_stored("TransferCompleted", 1, &data),
        Err(DecodeError::Malformed { .. })
    ));
    // From text likewise, and text that is not one JSON object is malformed too.
    assert_eq!(
        LedgerEvent::from_stored_text("Nope", 1, "{}"),
        Err(DecodeError::UnknownEventType("Nope".into()))
    );
    assert!(matches!(
        LedgerEvent::from_stored_text("EmploymentStarted", 3, "{}"),
        Err(DecodeError::UnsupportedVersion { version: 3, .. })
    ));
    for text in ["{}", "{\"transfer_id\": 1", "[]", "{} {}"] {
        assert!(
            matches!(
                LedgerEvent::from_stored_text("TransferCompleted", 1, text),
                Err(DecodeError::Malformed { .. })
            ),
            "{text}"
        );
    }
}

#[test]
fn employee_events_round_trip() {
    let id = uid(1);
    let samples: Vec<EmpEvent> = vec![
        PersonalDetailsCorrected {
            employee_id: id,
            personal: person("A"),
            reason: n("typo"),
            effective_date: d(2025, 1, 1),
        }
        .into(),
        AssignmentChanged {
            employee_id: id,
            assignment: assignment("A2"),
            reason: n("x"),
            case_id: Some(uid(9)),
            effective_date: d(2025, 1, 1),
        }
        .into(),
        TermsVaried {
            employee_id: id,
            description: n("x"),
            reason: VariationReason::CollectiveAgreement {
                no_less_favourable: true,
            },
            linked_transfer: None,
            effective_date: d(2025, 1, 1),
        }
        .into(),
        PayProtectionApplied {
            employee_id: id,
            protected_grade: band(crate::AfcBand::B8a),
            until: None,
            policy_reference: "P".into(),
            case_id: None,
            effective_date: d(2025, 1, 1),
        }
        .into(),
        PayProtectionEnded {
            employee_id: id,
            reason: n("x"),
            effective_date: d(2025, 1, 1),
        }
        .into(),
        EmploymentEnded {
            employee_id: id,
            employer_code: "X".into(),
            reason: LeavingReason::Redundancy,
            effective_date: d(2025, 1, 1),
        }
        .into(),
        EmployeeReleasedFromTransfer {
            employee_id: id,
            transfer_id: TRANSFER,
            reason: n("x"),
            effective_date: d(2025, 1, 1),
        }
        .into(),
        EmploymentEndedByObjection {
            employee_id: id,
            transfer_id: TRANSFER,
            employer_code: "X".into(),
            effective_date: d(2025, 1, 1),
        }
        .into(),
    ];
    for s in samples {
        assert_round_trips(&LedgerEvent::Employee(s));
    }
}
