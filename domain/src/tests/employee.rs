use super::fixtures::*;
use super::harness::given;
use crate::employee::{Command as C, *};
use crate::ledger::{AggregateState, LedgerCommand, LedgerEvent};

const E1: uuid::Uuid = uuid::Uuid::from_u128(1);

fn ec(c: C) -> LedgerCommand {
    LedgerCommand::Employee(c)
}

fn transferred() -> Vec<LedgerEvent> {
    let mut ev = hired(E1, TRANSFEROR);
    ev.push(e(EmployeeTransferred {
        employee_id: E1,
        transfer_id: TRANSFER,
        from_employer: TRANSFEROR.into(),
        to_employer: TRANSFEREE.into(),
        assignment: assignment("A1"),
        continuous_service_date: d(2010, 3, 1),
        effective_date: d(2025, 4, 1),
    }));
    ev
}

fn vary(reason: VariationReason, on: chrono::NaiveDate) -> LedgerCommand {
    ec(C::VaryTerms {
        employee_id: E1,
        description: n("move to 37.5h week"),
        reason,
        linked_transfer: Some(TRANSFER),
        effective_date: on,
    })
}

#[test]
fn register_and_start_employment() {
    let reg = C::RegisterEmployee {
        employee_id: E1,
        personal: person("Alex"),
        effective_date: d(2015, 1, 5),
    };
    given(vec![])
        .when(ec(reg.clone()))
        .then(vec![hired(E1, TRANSFEROR)[0].clone()]);
    given(hired(E1, TRANSFEROR))
        .when(ec(reg))
        .then_error("ALREADY_EXISTS");
    let start = C::StartEmployment {
        employee_id: E1,
        employer_code: TRANSFEROR.into(),
        start_date: d(2015, 1, 5),
        continuous_service_date: Some(d(2010, 3, 1)),
        assignment: assignment("A1"),
    };
    given(hired(E1, TRANSFEROR)[..1].to_vec())
        .when(ec(start.clone()))
        .then(vec![hired(E1, TRANSFEROR)[1].clone()]);
    given(hired(E1, TRANSFEROR))
        .when(ec(start))
        .then_error("EMPLOYEE_ALREADY_EMPLOYED");
}

#[test]
fn start_defaults_continuous_service_and_validates() {
    let base = hired(E1, TRANSFEROR)[..1].to_vec();
    let start = |csd, fte| {
        let mut a = assignment("A1");
        a.fte = fte;
        ec(C::StartEmployment {
            employee_id: E1,
            employer_code: TRANSFEROR.into(),
            start_date: d(2020, 1, 1),
            continuous_service_date: csd,
            assignment: a,
        })
    };
    let ev = given(base.clone())
        .when(start(None, 0.6))
        .then_types(&["EmploymentStarted"]);
    let LedgerEvent::Employee(Event::EmploymentStarted(s)) = &ev[0] else {
        panic!()
    };
    assert_eq!(s.continuous_service_date, d(2020, 1, 1));
    given(base.clone())
        .when(start(Some(d(2021, 1, 1)), 1.0))
        .then_error("INVALID_COMMAND");
    given(base)
        .when(start(None, 1.5))
        .then_error("INVALID_COMMAND");
}

#[test]
fn commands_on_an_unregistered_employee_are_not_found() {
    given(vec![])
        .when(ec(C::EndEmployment {
            employee_id: E1,
            reason: LeavingReason::Resignation,
            effective_date: d(2025, 1, 1),
        }))
        .then_error("NOT_FOUND");
}

#[test]
fn assignment_change_correction_and_leaving() {
    let change = C::ChangeAssignment {
        employee_id: E1,
        assignment: assignment("A9"),
        reason: n("regrading"),
        effective_date: d(2025, 5, 1),
    };
    given(hired(E1, TRANSFEROR))
        .when(ec(change.clone()))
        .then_types(&["AssignmentChanged"]);
    given(hired(E1, TRANSFEROR)[..1].to_vec())
        .when(ec(change))
        .then_error("EMPLOYEE_NOT_EMPLOYED");
    let fix = C::CorrectPersonalDetails {
        employee_id: E1,
        personal: person("Alexandra"),
        reason: n("typo in name"),
        effective_date: d(2025, 5, 1),
    };
    given(hired(E1, TRANSFEROR))
        .when(ec(fix))
        .then_types(&["PersonalDetailsCorrected"]);
    let leave = C::EndEmployment {
        employee_id: E1,
        reason: LeavingReason::Retirement,
        effective_date: d(2025, 6, 30),
    };
    given(hired(E1, TRANSFEROR))
        .when(ec(leave))
        .then_types(&["EmploymentEnded"]);
    let objection = C::EndEmployment {
        employee_id: E1,
        reason: LeavingReason::ObjectedToTransfer,
        effective_date: d(2025, 6, 30),
    };
    given(hired(E1, TRANSFEROR))
        .when(ec(objection))
        .then_error("INVALID_COMMAND");
}

#[test]
fn pay_protection_applies_once_and_ends() {
    let apply = C::ApplyPayProtection {
        employee_id: E1,
        protected_grade: band(crate::AfcBand::B7),
        until: Some(d(2027, 1, 1)),
        policy_reference: "PP-2024".into(),
        case_id: None,
        effective_date: d(2025, 1, 1),
    };
    let ev = given(hired(E1, TRANSFEROR))
        .when(ec(apply.clone()))
        .then_types(&["PayProtectionApplied"]);
    let mut all = hired(E1, TRANSFEROR);
    all.extend(ev);
    given(all.clone())
        .when(ec(apply))
        .then_error("PAY_PROTECTION_ACTIVE");
    let end = C::EndPayProtection {
        employee_id: E1,
        reason: n("period over"),
        effective_date: d(2027, 1, 1),
    };
    given(all)
        .when(ec(end.clone()))
        .then_types(&["PayProtectionEnded"]);
    given(hired(E1, TRANSFEROR))
        .when(ec(end))
        .then_error("PAY_PROTECTION_NOT_ACTIVE");
}

#[test]
fn transferred_staff_keep_continuous_service_and_move_employer() {
    let s = AggregateState::replay(crate::AggregateKind::Employee, &transferred());
    let AggregateState::Employee(State(Some(r))) = s else {
        panic!()
    };
    let emp = r.employment.as_ref().unwrap();
    assert_eq!(emp.employer_code, TRANSFEREE);
    assert_eq!(emp.continuous_service_date, d(2010, 3, 1));
    assert_eq!(emp.start_date, d(2015, 1, 5));
    assert_eq!(r.transfer_history.len(), 1);
    assert!(r.open_transfers.is_empty());
}

#[test]
fn transfer_linked_variation_needs_a_permitted_reason() {
    let msg = given(transferred())
        .when(vary(VariationReason::EmployeeRequest, d(2025, 6, 1)))
        .then_error(RULE_VARIATION_VOID);
    assert!(
        msg.contains("reg 4(4)") && msg.contains("2025-06-01") && msg.contains("2025-04-01"),
        "{msg}"
    );
    given(transferred())
        .when(vary(VariationReason::EtoWorkforceChange, d(2025, 6, 1)))
        .then_types(&["TermsVaried"]);
    given(transferred())
        .when(vary(VariationReason::ContractPermits, d(2025, 6, 1)))
        .then_types(&["TermsVaried"]);
    // Not linked to a transfer: no TUPE restriction.
    let free = ec(C::VaryTerms {
        employee_id: E1,
        description: n("flexible working"),
        reason: VariationReason::EmployeeRequest,
        linked_transfer: None,
        effective_date: d(2025, 6, 1),
    });
    given(transferred()).when(free).then_types(&["TermsVaried"]);
    given(transferred())
        .when(ec(C::VaryTerms {
            employee_id: E1,
            description: n("x"),
            reason: VariationReason::Other,
            linked_transfer: Some(uid(77)),
            effective_date: d(2025, 6, 1),
        }))
        .then_error("INVALID_COMMAND");
}

#[test]
fn collective_terms_change_only_more_than_a_year_after_transfer() {
    let ok = VariationReason::CollectiveAgreement {
        no_less_favourable: true,
    };
    let msg = given(transferred())
        .when(vary(ok, d(2026, 4, 1)))
        .then_error(RULE_COLLECTIVE_TERMS_YEAR);
    assert!(
        msg.contains("reg 4(5B)") && msg.contains("2025-04-01") && msg.contains("2026-04-01"),
        "{msg}"
    );
    given(transferred())
        .when(vary(ok, d(2026, 4, 2)))
        .then_types(&["TermsVaried"]);
    let worse = VariationReason::CollectiveAgreement {
        no_less_favourable: false,
    };
    given(transferred())
        .when(vary(worse, d(2026, 5, 1)))
        .then_error(RULE_COLLECTIVE_TERMS_YEAR);
}
