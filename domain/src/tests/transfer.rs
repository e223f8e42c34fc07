use super::fixtures::*;
use super::harness::given;
use crate::employee::{EmployeeTransferred, EmploymentEndedByObjection};
use crate::ledger::{AggregateState, LedgerEvent};
use crate::rules::eli::EliStatus;
use crate::transfer::{Command as C, *};
use crate::StreamId;

const E1: uuid::Uuid = uuid::Uuid::from_u128(1);
const E2: uuid::Uuid = uuid::Uuid::from_u128(2);
const E3: uuid::Uuid = uuid::Uuid::from_u128(3);

fn date() -> chrono::NaiveDate {
    d(2025, 4, 1)
}

fn base() -> Vec<LedgerEvent> {
    let mut ev = hired(E1, TRANSFEROR);
    ev.extend(hired(E2, TRANSFEROR));
    ev.push(transfer_opened(TRANSFER, date()));
    ev.extend(scoped(TRANSFER, date(), &[E1, E2]));
    ev
}

fn ready() -> Vec<LedgerEvent> {
    let mut ev = base();
    ev.push(t(RepresentativesIdentified {
        transfer_id: TRANSFER,
        party: Party::Transferor,
        kind: RepresentativeKind::RecognisedUnion,
        description: n("UNISON branch"),
        effective_date: d(2025, 1, 15),
    }));
    ev.push(t(InformationGiven {
        transfer_id: TRANSFER,
        by: Party::Transferor,
        items: vec!["reg 13(2) letter".into()],
        effective_date: d(2025, 2, 1),
    }));
    ev.push(t(EmployeeLiabilityInformationProvided {
        transfer_id: TRANSFER,
        employee_ids: vec![E1, E2],
        as_at: d(2025, 2, 20),
        effective_date: d(2025, 2, 25),
    }));
    ev
}

fn case_state(events: &[LedgerEvent]) -> TransferCase {
    let s = AggregateState::replay(
        crate::AggregateKind::Transfer,
        events
            .iter()
            .filter(|e| e.stream() == StreamId::transfer(TRANSFER)),
    );
    match s {
        AggregateState::Transfer(State(Some(c))) => c,
        other => panic!("no transfer case: {other:?}"),
    }
}

#[test]
fn propose_transfer() {
    let cmd = C::ProposeTransfer {
        transfer_id: TRANSFER,
        programme_id: None,
        basis: TransferBasis::Cosop,
        transferor: TRANSFEROR.into(),
        transferee: TRANSFEREE.into(),
        transfer_date: date(),
        effective_date: d(2025, 1, 2),
    };
    given(vec![])
        .when(tc(cmd.clone()))
        .then(vec![transfer_opened(TRANSFER, date())]);
    given(vec![transfer_opened(TRANSFER, date())])
        .when(tc(cmd))
        .then_error("ALREADY_EXISTS");
}

#[test]
fn commands_before_proposal_are_not_found() {
    given(vec![])
        .when(tc(C::ConfirmTransferDate {
            transfer_id: TRANSFER,
            effective_date: d(2025, 1, 3),
        }))
        .then_error("NOT_FOUND");
}

#[test]
fn scope_staff_in_records_on_case_and_employee_streams() {
    let mut ev = hired(E1, TRANSFEROR);
    ev.push(transfer_opened(TRANSFER, date()));
    let staff = vec![StaffToScope {
        employee_id: E1,
        transferee_assignment: None,
    }];
    given(ev)
        .when(tc(C::ScopeStaffIn {
            transfer_id: TRANSFER,
            staff,
            effective_date: d(2025, 1, 10),
        }))
        .then(scoped(TRANSFER, date(), &[E1]));
}

#[test]
fn scope_refuses_staff_of_another_employer() {
    let mut ev = hired(E3, "TRUST9");
    ev.push(transfer_opened(TRANSFER, date()));
    let staff = vec![StaffToScope {
        employee_id: E3,
        transferee_assignment: None,
    }];
    let msg = given(ev)
        .when(tc(C::ScopeStaffIn {
            transfer_id: TRANSFER,
            staff,
            effective_date: d(2025, 1, 10),
        }))
        .then_error(RULE_NOT_TRANSFEROR_EMPLOYEE);
    assert!(
        msg.contains("TRUST9") && msg.contains(TRANSFEROR) && msg.contains("reg 4(1)"),
        "{msg}"
    );
}

#[test]
fn scope_refuses_unknown_staff_and_duplicates() {
    let staff = vec![StaffToScope {
        employee_id: E3,
        transferee_assignment: None,
    }];
    given(base())
        .when(tc(C::ScopeStaffIn {
            transfer_id: TRANSFER,
            staff,
            effective_date: d(2025, 1, 10),
        }))
        .then_error("NOT_FOUND");
    let staff = vec![StaffToScope {
        employee_id: E1,
        transferee_assignment: None,
    }];
    given(base())
        .when(tc(C::ScopeStaffIn {
            transfer_id: TRANSFER,
            staff,
            effective_date: d(2025, 1, 10),
        }))
        .then_error("INVALID_COMMAND");
}

#[test]
fn no_employee_in_two_open_transfers_for_the_same_date() {
    let other = uid(0x99);
    let mut ev = base();
    ev.push(transfer_opened(other, date()));
    let staff = vec![StaffToScope {
        employee_id: E1,
        transferee_assignment: None,
    }];
    let msg = given(ev.clone())
        .when(tc(C::ScopeStaffIn {
            transfer_id: other,
            staff,
            effective_date: d(2025, 1, 11),
        }))
        .then_error(RULE_TWO_OPEN_TRANSFERS);
    assert!(
        msg.contains("2025-04-01") && msg.contains(&TRANSFER.to_string()),
        "{msg}"
    );
    // Once released by cancellation, the employee may join the other transfer.
    ev.push(t(TransferCancelled {
        transfer_id: TRANSFER,
        reason: n("withdrawn"),
        effective_date: d(2025, 1, 20),
    }));
    ev.push(e(crate::employee::EmployeeReleasedFromTransfer {
        employee_id: E1,
        transfer_id: TRANSFER,
        reason: n("withdrawn"),
        effective_date: d(2025, 1, 20),
    }));
    let staff = vec![StaffToScope {
        employee_id: E1,
        transferee_assignment: None,
    }];
    given(ev)
        .when(tc(C::ScopeStaffIn {
            transfer_id: other,
            staff,
            effective_date: d(2025, 1, 21),
        }))
        .then_types(&["EmployeesScopedIn", "EmployeeScopedIntoTransfer"]);
}

#[test]
fn scope_staff_out_releases_them() {
    let cmd = C::ScopeStaffOut {
        transfer_id: TRANSFER,
        employee_ids: vec![E2],
        reason: n("not assigned to the service"),
        effective_date: d(2025, 1, 12),
    };
    given(base())
        .when(tc(cmd))
        .then_types(&["EmployeesScopedOut", "EmployeeReleasedFromTransfer"]);
    let cmd = C::ScopeStaffOut {
        transfer_id: TRANSFER,
        employee_ids: vec![E3],
        reason: n("x"),
        effective_date: d(2025, 1, 12),
    };
    given(base()).when(tc(cmd)).then_error("INVALID_COMMAND");
}

#[test]
fn representatives_elections_measures_and_meetings() {
    let rep = C::IdentifyRepresentatives {
        transfer_id: TRANSFER,
        party: Party::Transferee,
        kind: RepresentativeKind::Existing,
        description: n("staff forum"),
        effective_date: d(2025, 1, 15),
    };
    given(base())
        .when(tc(rep))
        .then_types(&["RepresentativesIdentified"]);
    let invite = C::InviteRepresentativeElection {
        transfer_id: TRANSFER,
        party: Party::Transferor,
        seats: 2,
        effective_date: d(2025, 1, 15),
    };
    given(base())
        .when(tc(invite))
        .then_types(&["RepresentativeElectionInvited"]);
    let measures = C::NotifyMeasures {
        transfer_id: TRANSFER,
        by: Party::Transferee,
        measures: vec![],
        effective_date: d(2025, 1, 16),
    };
    given(base())
        .when(tc(measures))
        .then_types(&["MeasuresNotified"]);
    let meeting = C::HoldConsultationMeeting {
        transfer_id: TRANSFER,
        by: Party::Transferor,
        summary: n("first meeting"),
        effective_date: d(2025, 2, 3),
    };
    given(base())
        .when(tc(meeting))
        .then_types(&["TransferConsultationMeetingHeld"]);
    let confirm = C::ConfirmTransferDate {
        transfer_id: TRANSFER,
        effective_date: d(2025, 2, 3),
    };
    given(base())
        .when(tc(confirm))
        .then_types(&["TransferDateConfirmed"]);
}

#[test]
fn election_needs_a_ballot_when_candidates_exceed_seats() {
    let mut ev = base();
    ev.push(t(RepresentativeElectionInvited {
        transfer_id: TRANSFER,
        party: Party::Transferor,
        seats: 2,
        effective_date: d(2025, 1, 15),
    }));
    let held = |candidates, ballot_held| C::RecordElectionHeld {
        transfer_id: TRANSFER,
        party: Party::Transferor,
        seats: 2,
        candidates,
        ballot_held,
        effective_date: d(2025, 1, 29),
    };
    let msg = given(ev.clone())
        .when(tc(held(3, false)))
        .then_error(RULE_BALLOT_REQUIRED);
    assert!(
        msg.contains("reg 14") && msg.contains("2025-01-29"),
        "{msg}"
    );
    given(ev.clone())
        .when(tc(held(2, false)))
        .then_types(&["RepresentativeElectionHeld"]);
    given(ev)
        .when(tc(held(3, true)))
        .then_types(&["RepresentativeElectionHeld"]);
    given(base())
        .when(tc(held(1, false)))
        .then_error("ELECTION_NOT_INVITED");
}

fn direct(headcount: u32) -> crate::LedgerCommand {
    tc(C::ElectDirectConsultation {
        transfer_id: TRANSFER,
        party: Party::Transferor,
        employer_headcount: headcount,
        effective_date: d(2024, 1, 10),
    })
}

fn with_date(date: chrono::NaiveDate, staff: &[uuid::Uuid]) -> Vec<LedgerEvent> {
    let mut ev = vec![transfer_opened(TRANSFER, date)];
    for id in staff {
        ev.extend(hired(*id, TRANSFEROR));
    }
    ev.extend(scoped(TRANSFER, date, staff));
    ev
}

#[test]
fn reg13a_thresholds_before_1_july_2024() {
    let before = d(2024, 6, 30);
    given(with_date(before, &[E1]))
        .when(direct(9))
        .then_types(&["DirectConsultationElected"]);
    let msg = given(with_date(before, &[E1]))
        .when(direct(12))
        .then_error(crate::rules::reg13a::RULE_DIRECT_CONSULTATION);
    assert!(
        msg.contains("2024-06-30")
            && msg.contains("fewer than 10 employees")
            && msg.contains("12 employees"),
        "{msg}"
    );
}

#[test]
fn reg13a_thresholds_from_1_july_2024() {
    let after = d(2024, 7, 1);
    given(with_date(after, &[E1]))
        .when(direct(40))
        .then_types(&["DirectConsultationElected"]);
    // A large employer transferring fewer than 10 may also consult directly.
    given(with_date(after, &[E1, E2]))
        .when(direct(500))
        .then_types(&["DirectConsultationElected"]);
    let ten: Vec<_> = (10..20).map(uid).collect();
    let msg = given(with_date(after, &ten))
        .when(direct(500))
        .then_error(crate::rules::reg13a::RULE_DIRECT_CONSULTATION);
    assert!(
        msg.contains("2024-07-01")
            && msg.contains("fewer than 50")
            && msg.contains("10 are transferring"),
        "{msg}"
    );
}

#[test]
fn reg13a_needs_no_existing_reps_and_no_election() {
    let mut ev = with_date(d(2024, 7, 1), &[E1]);
    ev.push(t(RepresentativesIdentified {
        transfer_id: TRANSFER,
        party: Party::Transferor,
        kind: RepresentativeKind::RecognisedUnion,
        description: n("GMB"),
        effective_date: d(2024, 1, 5),
    }));
    given(ev)
        .when(direct(5))
        .then_error(crate::rules::reg13a::RULE_DIRECT_CONSULTATION);
    let mut ev = with_date(d(2024, 7, 1), &[E1]);
    ev.push(t(RepresentativeElectionInvited {
        transfer_id: TRANSFER,
        party: Party::Transferor,
        seats: 1,
        effective_date: d(2024, 1, 5),
    }));
    let msg = given(ev)
        .when(direct(5))
        .then_error(crate::rules::reg13a::RULE_DIRECT_CONSULTATION);
    assert!(msg.contains("election"), "{msg}");
}

#[test]
fn information_goes_to_representatives_or_directly() {
    let give = C::GiveInformation {
        transfer_id: TRANSFER,
        by: Party::Transferor,
        items: vec!["date and reasons".into()],
        effective_date: d(2025, 2, 1),
    };
    let msg = given(base())
        .when(tc(give.clone()))
        .then_error(RULE_NO_RECIPIENTS);
    assert!(msg.contains("reg 13") && msg.contains(TRANSFEROR), "{msg}");
    given(ready())
        .when(tc(give))
        .then_types(&["InformationGiven"]);
}

#[test]
fn eli_on_time_is_recorded_without_risk() {
    let cmd = C::ProvideEmployeeLiabilityInformation {
        transfer_id: TRANSFER,
        employee_ids: vec![E1],
        as_at: d(2025, 2, 28),
        effective_date: d(2025, 3, 4),
    };
    given(base())
        .when(tc(cmd))
        .then_types(&["EmployeeLiabilityInformationProvided"]);
}

#[test]
fn late_eli_is_a_recorded_risk_with_reg12_exposure_not_an_error() {
    let cmd = C::ProvideEmployeeLiabilityInformation {
        transfer_id: TRANSFER,
        employee_ids: vec![E1, E2],
        as_at: d(2025, 3, 1),
        effective_date: d(2025, 3, 5),
    };
    let events = given(base())
        .when(tc(cmd))
        .then_types(&["EmployeeLiabilityInformationProvided", "RiskRecorded"]);
    let LedgerEvent::Transfer(Event::RiskRecorded(r)) = &events[1] else {
        panic!()
    };
    assert_eq!(
        r.risk,
        TransferRisk::EliLate {
            employee_ids: vec![E1, E2],
            due_date: d(2025, 3, 4),
            provided_on: d(2025, 3, 5),
            minimum_exposure_pence: 100_000
        }
    );
    let mut all = base();
    all.extend(events);
    let case = case_state(&all);
    assert_eq!(
        case.eli_status(E1, d(2025, 3, 6)),
        Some(EliStatus::ProvidedLate {
            provided_on: d(2025, 3, 5),
            due: d(2025, 3, 4)
        })
    );
    assert_eq!(case.eli_exposure_pence(d(2025, 3, 6)), 100_000);
}

#[test]
fn eli_deadline_is_14_days_for_transfers_before_1_may_2014() {
    let ev = with_date(d(2014, 4, 15), &[E1]);
    let on_time = C::ProvideEmployeeLiabilityInformation {
        transfer_id: TRANSFER,
        employee_ids: vec![E1],
        as_at: d(2014, 3, 30),
        effective_date: d(2014, 4, 1),
    };
    given(ev.clone())
        .when(tc(on_time))
        .then_types(&["EmployeeLiabilityInformationProvided"]);
    let late = C::ProvideEmployeeLiabilityInformation {
        transfer_id: TRANSFER,
        employee_ids: vec![E1],
        as_at: d(2014, 3, 30),
        effective_date: d(2014, 4, 2),
    };
    given(ev)
        .when(tc(late))
        .then_types(&["EmployeeLiabilityInformationProvided", "RiskRecorded"]);
}

#[test]
fn eli_updates_need_a_first_provision() {
    let update = C::UpdateEmployeeLiabilityInformation {
        transfer_id: TRANSFER,
        employee_ids: vec![E1],
        reason: n("grievance raised"),
        effective_date: d(2025, 3, 10),
    };
    given(base())
        .when(tc(update.clone()))
        .then_error("ELI_NOT_PROVIDED");
    given(ready())
        .when(tc(update))
        .then_types(&["EmployeeLiabilityInformationUpdated"]);
    let again = C::ProvideEmployeeLiabilityInformation {
        transfer_id: TRANSFER,
        employee_ids: vec![E1],
        as_at: d(2025, 3, 1),
        effective_date: d(2025, 3, 2),
    };
    given(ready())
        .when(tc(again))
        .then_error("ELI_ALREADY_PROVIDED");
}

#[test]
fn objections_count_only_before_the_transfer_date() {
    let object = |on| {
        tc(C::ReceiveObjection {
            transfer_id: TRANSFER,
            employee_id: E2,
            received_by: Party::Transferor,
            effective_date: on,
        })
    };
    given(base())
        .when(object(d(2025, 3, 31)))
        .then_types(&["ObjectionReceived"]);
    let msg = given(base())
        .when(object(d(2025, 4, 2)))
        .then_error(RULE_OBJECTION_LATE);
    assert!(
        msg.contains("objection received 2025-04-02 is on or after the transfer date 2025-04-01")
            && msg.contains("reg 4(7)"),
        "{msg}"
    );
    given(base())
        .when(object(d(2025, 4, 1)))
        .then_error(RULE_OBJECTION_LATE);
}

#[test]
fn objections_can_be_withdrawn_before_the_transfer() {
    let mut ev = base();
    ev.push(t(ObjectionReceived {
        transfer_id: TRANSFER,
        employee_id: E2,
        received_by: Party::Transferee,
        effective_date: d(2025, 3, 1),
    }));
    let withdraw = |on| {
        tc(C::WithdrawObjection {
            transfer_id: TRANSFER,
            employee_id: E2,
            effective_date: on,
        })
    };
    given(ev.clone())
        .when(withdraw(d(2025, 3, 10)))
        .then_types(&["ObjectionWithdrawn"]);
    given(ev)
        .when(withdraw(d(2025, 4, 3)))
        .then_error(RULE_OBJECTION_LATE);
    given(base())
        .when(withdraw(d(2025, 3, 10)))
        .then_error("NO_OBJECTION");
}

#[test]
fn transfer_cannot_complete_before_its_date() {
    let msg = given(ready())
        .at(d(2025, 3, 31))
        .when(tc(C::CompleteTransfer {
            transfer_id: TRANSFER,
        }))
        .then_error(RULE_BEFORE_TRANSFER_DATE);
    assert!(
        msg.contains("2025-04-01") && msg.contains("2025-03-31"),
        "{msg}"
    );
}

#[test]
fn transfer_cannot_complete_without_information_given() {
    let msg = given(base())
        .at(date())
        .when(tc(C::CompleteTransfer {
            transfer_id: TRANSFER,
        }))
        .then_error(RULE_INFORMATION_NOT_GIVEN);
    assert!(
        msg.contains("reg 13(2)") && msg.contains("2025-04-01"),
        "{msg}"
    );
}

#[test]
fn completion_moves_non_objectors_and_ends_objectors_employment() {
    let mut ev = ready();
    ev.push(t(ObjectionReceived {
        transfer_id: TRANSFER,
        employee_id: E2,
        received_by: Party::Transferor,
        effective_date: d(2025, 3, 1),
    }));
    let moved = EmployeeTransferred {
        employee_id: E1,
        transfer_id: TRANSFER,
        from_employer: TRANSFEROR.into(),
        to_employer: TRANSFEREE.into(),
        assignment: assignment("A1"),
        continuous_service_date: d(2010, 3, 1),
        effective_date: date(),
    };
    let ended = EmploymentEndedByObjection {
        employee_id: E2,
        transfer_id: TRANSFER,
        employer_code: TRANSFEROR.into(),
        effective_date: date(),
    };
    given(ev)
        .at(d(2025, 4, 2))
        .when(tc(C::CompleteTransfer {
            transfer_id: TRANSFER,
        }))
        .then(vec![
            t(TransferCompleted {
                transfer_id: TRANSFER,
                transferred: vec![E1],
                objectors: vec![E2],
                effective_date: date(),
            }),
            e(moved),
            e(ended),
        ]);
}

#[test]
fn completion_records_missing_eli_and_unconsulted_measures_as_risks() {
    let mut ev = base();
    ev.push(t(RepresentativesIdentified {
        transfer_id: TRANSFER,
        party: Party::Transferor,
        kind: RepresentativeKind::Elected,
        description: n("reps"),
        effective_date: d(2025, 1, 15),
    }));
    ev.push(t(InformationGiven {
        transfer_id: TRANSFER,
        by: Party::Transferor,
        items: vec!["letter".into()],
        effective_date: d(2025, 2, 1),
    }));
    ev.push(t(MeasuresNotified {
        transfer_id: TRANSFER,
        by: Party::Transferee,
        measures: vec!["new rota".into()],
        effective_date: d(2025, 2, 1),
    }));
    let events = given(ev)
        .at(date())
        .when(tc(C::CompleteTransfer {
            transfer_id: TRANSFER,
        }))
        .then_types(&[
            "RiskRecorded",
            "RiskRecorded",
            "TransferCompleted",
            "EmployeeTransferred",
            "EmployeeTransferred",
        ]);
    let LedgerEvent::Transfer(Event::RiskRecorded(r)) = &events[0] else {
        panic!()
    };
    assert_eq!(
        r.risk,
        TransferRisk::EliMissing {
            employee_ids: vec![E1, E2],
            due_date: d(2025, 3, 4),
            minimum_exposure_pence: 100_000
        }
    );
    let LedgerEvent::Transfer(Event::RiskRecorded(r)) = &events[1] else {
        panic!()
    };
    assert_eq!(
        r.risk,
        TransferRisk::ConsultationNotRecorded {
            measures_by: vec![Party::Transferee]
        }
    );
}

#[test]
fn completion_refuses_staff_who_left_the_transferor() {
    let mut ev = ready();
    ev.push(e(crate::employee::EmploymentEnded {
        employee_id: E2,
        employer_code: TRANSFEROR.into(),
        reason: crate::employee::LeavingReason::Resignation,
        effective_date: d(2025, 3, 1),
    }));
    given(ev)
        .at(date())
        .when(tc(C::CompleteTransfer {
            transfer_id: TRANSFER,
        }))
        .then_error("EMPLOYEE_NOT_EMPLOYED");
}

#[test]
fn no_command_on_a_completed_or_cancelled_case() {
    let mut done = ready();
    done.push(t(TransferCompleted {
        transfer_id: TRANSFER,
        transferred: vec![E1, E2],
        objectors: vec![],
        effective_date: date(),
    }));
    let confirm = tc(C::ConfirmTransferDate {
        transfer_id: TRANSFER,
        effective_date: d(2025, 4, 5),
    });
    let msg = given(done).when(confirm.clone()).then_error("CASE_CLOSED");
    assert!(msg.contains(&TRANSFER.to_string()));
    let mut cancelled = base();
    cancelled.push(t(TransferCancelled {
        transfer_id: TRANSFER,
        reason: n("service retained"),
        effective_date: d(2025, 2, 1),
    }));
    given(cancelled).when(confirm).then_error("CASE_CANCELLED");
}

#[test]
fn cancellation_releases_every_scoped_employee() {
    let cmd = C::CancelTransfer {
        transfer_id: TRANSFER,
        reason: n("procurement abandoned"),
        effective_date: d(2025, 2, 1),
    };
    given(base()).when(tc(cmd)).then_types(&[
        "TransferCancelled",
        "EmployeeReleasedFromTransfer",
        "EmployeeReleasedFromTransfer",
    ]);
}

#[test]
fn changing_the_date_rescopes_staff_and_checks_clashes() {
    let change = |to| {
        tc(C::ChangeTransferDate {
            transfer_id: TRANSFER,
            new_date: to,
            reason: n("legal day one moved"),
            effective_date: d(2025, 2, 1),
        })
    };
    let events = given(base()).when(change(d(2025, 7, 1))).then_types(&[
        "TransferDateChanged",
        "EmployeeScopedIntoTransfer",
        "EmployeeScopedIntoTransfer",
    ]);
    let mut all = base();
    all.extend(events);
    assert_eq!(case_state(&all).transfer_date, d(2025, 7, 1));
    assert_eq!(case_state(&all).eli_due_date(), d(2025, 6, 3));
    // E1 is also in another open transfer on 1 July: moving this one onto that date clashes.
    let other = uid(0x98);
    let mut ev = base();
    ev.push(transfer_opened(other, d(2025, 7, 1)));
    ev.extend(
        scoped(other, d(2025, 7, 1), &[E1])
            .into_iter()
            .filter(|x| !matches!(x, LedgerEvent::Transfer(_))),
    );
    given(ev)
        .when(change(d(2025, 7, 1)))
        .then_error(RULE_TWO_OPEN_TRANSFERS);
}

#[test]
fn related_streams_name_the_employees_the_decision_reads() {
    use crate::ledger::LedgerCommand;
    let state = AggregateState::Transfer(State(Some(case_state(&base()))));
    let complete = LedgerCommand::Transfer(C::CompleteTransfer {
        transfer_id: TRANSFER,
    });
    assert_eq!(
        complete.related_streams(&state),
        vec![StreamId::employee(E1), StreamId::employee(E2)]
    );
    let scope = LedgerCommand::Transfer(C::ScopeStaffIn {
        transfer_id: TRANSFER,
        staff: vec![StaffToScope {
            employee_id: E3,
            transferee_assignment: None,
        }],
        effective_date: d(2025, 1, 1),
    });
    assert_eq!(scope.related_streams(&state), vec![StreamId::employee(E3)]);
    assert_eq!(complete.stream(), StreamId::transfer(TRANSFER));
}
