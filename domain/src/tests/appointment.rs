use super::fixtures::*;
use super::harness::given;
use crate::appointment::{Command as C, *};
use crate::common::{AfcBand, Grade};
use crate::ledger::{LedgerCommand, LedgerEvent};

const A: uuid::Uuid = uuid::Uuid::from_u128(0xA0);
const E1: uuid::Uuid = uuid::Uuid::from_u128(1);
const E2: uuid::Uuid = uuid::Uuid::from_u128(2);

fn ac(c: C) -> LedgerCommand {
    LedgerCommand::Appointment(c)
}

fn a(e: impl Into<Event>) -> LedgerEvent {
    LedgerEvent::Appointment(e.into())
}

fn post(score: Option<u16>) -> Post {
    Post {
        position_code: "NEW-7".into(),
        job_title: "Head of Contracts".into(),
        staff_group: "Admin".into(),
        grade: Grade::AgendaForChange {
            band: AfcBand::B8a,
            pay_point: None,
        },
        job_evaluation_score: score,
        cost_centre: "CC900".into(),
        location: "Wakefield".into(),
    }
}

fn established(route: FillRoute) -> Vec<LedgerEvent> {
    let cmd = C::EstablishPost {
        appointment_id: A,
        programme_id: None,
        post: post(Some(560)),
        route,
        effective_date: d(2025, 1, 1),
    };
    given(vec![]).when(ac(cmd)).then_types(&["PostEstablished"])
}

fn pooled(route: FillRoute) -> Vec<LedgerEvent> {
    let mut ev = established(route);
    ev.push(a(PoolDeclared {
        appointment_id: A,
        employee_ids: vec![E1],
        effective_date: d(2025, 1, 2),
    }));
    ev
}

#[test]
fn post_job_evaluation_must_fit_the_band() {
    let cmd = C::EstablishPost {
        appointment_id: A,
        programme_id: None,
        post: post(Some(500)),
        route: FillRoute::Open,
        effective_date: d(2025, 1, 1),
    };
    let msg = given(vec![])
        .when(ac(cmd))
        .then_error(crate::rules::afc::RULE_JE_BAND);
    assert!(msg.contains("500"), "{msg}");
}

#[test]
fn slot_in_needs_the_policy_match() {
    let mut ev = established(FillRoute::DirectSlotIn);
    ev.push(a(CandidateMatched {
        appointment_id: A,
        employee_id: E1,
        match_percent: 85,
        effective_date: d(2025, 1, 3),
    }));
    ev.push(a(CandidateMatched {
        appointment_id: A,
        employee_id: E2,
        match_percent: 60,
        effective_date: d(2025, 1, 3),
    }));
    let slot = |id| {
        ac(C::SlotIn {
            appointment_id: A,
            employee_id: id,
            effective_date: d(2025, 1, 4),
        })
    };
    given(ev.clone()).when(slot(E1)).then_types(&["SlottedIn"]);
    let msg = given(ev).when(slot(E2)).then_error(RULE_SLOT_IN_MATCH);
    assert!(msg.contains("80%") && msg.contains("60%"), "{msg}");
    given(established(FillRoute::Open))
        .when(slot(E1))
        .then_error("ROUTE_NOT_SLOT_IN");
    let matched = ac(C::MatchCandidate {
        appointment_id: A,
        employee_id: E1,
        match_percent: 90,
        effective_date: d(2025, 1, 3),
    });
    given(established(FillRoute::DirectSlotIn))
        .when(matched)
        .then_types(&["CandidateMatched"]);
}

#[test]
fn offer_needs_a_closed_selection_or_slot_in() {
    let offer = |id| {
        ac(C::MakeOffer {
            appointment_id: A,
            employee_id: id,
            start_date: d(2025, 4, 1),
            effective_date: d(2025, 2, 1),
        })
    };
    let msg = given(pooled(FillRoute::RingFenced))
        .when(offer(E1))
        .then_error(RULE_OFFER_WITHOUT_SELECTION);
    assert!(msg.contains("2025-02-01"), "{msg}");
    let mut ev = pooled(FillRoute::RingFenced);
    ev.extend(
        given(ev.clone())
            .when(ac(C::HoldSelectionStage {
                appointment_id: A,
                stage: SelectionStage::Interview,
                candidate_ids: vec![E1],
                effective_date: d(2025, 1, 20),
            }))
            .then_types(&["SelectionStageHeld"]),
    );
    ev.extend(
        given(ev.clone())
            .when(ac(C::CloseSelection {
                appointment_id: A,
                selected: E1,
                effective_date: d(2025, 1, 21),
            }))
            .then_types(&["SelectionClosed"]),
    );
    given(ev.clone())
        .when(offer(E1))
        .then_types(&["AppointmentOffered"]);
    given(ev).when(offer(E2)).then_error(RULE_NOT_IN_POOL);
    given(pooled(FillRoute::RingFenced))
        .when(ac(C::CloseSelection {
            appointment_id: A,
            selected: E1,
            effective_date: d(2025, 1, 21),
        }))
        .then_error("NO_SELECTION_STAGE");
}

#[test]
fn ring_fenced_candidates_must_be_in_the_pool() {
    let stage = ac(C::HoldSelectionStage {
        appointment_id: A,
        stage: SelectionStage::AssessmentCentre,
        candidate_ids: vec![E2],
        effective_date: d(2025, 1, 20),
    });
    let msg = given(pooled(FillRoute::RingFenced))
        .when(stage.clone())
        .then_error(RULE_NOT_IN_POOL);
    assert!(msg.contains(&E2.to_string()), "{msg}");
    given(pooled(FillRoute::Open))
        .when(stage)
        .then_types(&["SelectionStageHeld"]);
    given(established(FillRoute::RingFenced))
        .when(ac(C::DeclarePool {
            appointment_id: A,
            employee_ids: vec![E1, E2],
            effective_date: d(2025, 1, 2),
        }))
        .then_types(&["PoolDeclared"]);
}

fn offered() -> Vec<LedgerEvent> {
    let mut ev = hired(E1, TRANSFEREE);
    ev.extend(pooled(FillRoute::RingFenced));
    ev.push(a(SelectionStageHeld {
        appointment_id: A,
        stage: SelectionStage::Interview,
        candidate_ids: vec![E1],
        effective_date: d(2025, 1, 20),
    }));
    ev.push(a(SelectionClosed {
        appointment_id: A,
        selected: E1,
        effective_date: d(2025, 1, 21),
    }));
    ev.push(a(AppointmentOffered {
        appointment_id: A,
        employee_id: E1,
        start_date: d(2025, 4, 1),
        effective_date: d(2025, 2, 1),
    }));
    ev
}

#[test]
fn accepted_offer_is_confirmed_and_changes_the_appointees_assignment() {
    let confirm = ac(C::ConfirmAppointment { appointment_id: A });
    given(offered())
        .when(confirm.clone())
        .then_error("OFFER_NOT_ACCEPTED");
    let mut ev = offered();
    ev.extend(
        given(offered())
            .when(ac(C::AcceptOffer {
                appointment_id: A,
                effective_date: d(2025, 2, 3),
            }))
            .then_types(&["AppointmentOfferAccepted"]),
    );
    let state = crate::AggregateState::replay(
        crate::AggregateKind::Appointment,
        ev.iter()
            .filter(|e| matches!(e, LedgerEvent::Appointment(_))),
    );
    assert_eq!(
        confirm.related_streams(&state),
        vec![crate::StreamId::employee(E1)]
    );
    let out = given(ev.clone())
        .when(confirm.clone())
        .then_types(&["AppointmentConfirmed", "AssignmentChanged"]);
    let LedgerEvent::Employee(crate::employee::Event::AssignmentChanged(c)) = &out[1] else {
        panic!()
    };
    assert_eq!(
        (
            c.assignment.assignment_number.as_str(),
            c.assignment.position_code.as_str(),
            c.effective_date,
            c.case_id
        ),
        ("A1", "NEW-7", d(2025, 4, 1), Some(A))
    );
    ev.extend(out);
    given(ev).when(confirm).then_error("CASE_CLOSED");
}

#[test]
fn declined_offer_reopens_the_post_and_cancellation_closes_it() {
    let mut ev = offered();
    ev.extend(
        given(offered())
            .when(ac(C::DeclineOffer {
                appointment_id: A,
                reason: n("relocating"),
                effective_date: d(2025, 2, 3),
            }))
            .then_types(&["AppointmentOfferDeclined"]),
    );
    given(ev.clone())
        .when(ac(C::MakeOffer {
            appointment_id: A,
            employee_id: E1,
            start_date: d(2025, 4, 1),
            effective_date: d(2025, 2, 4),
        }))
        .then_error(RULE_OFFER_WITHOUT_SELECTION);
    let cancel = ac(C::CancelAppointment {
        appointment_id: A,
        reason: n("post deleted"),
        effective_date: d(2025, 2, 5),
    });
    ev.extend(
        given(ev.clone())
            .when(cancel.clone())
            .then_types(&["AppointmentCancelled"]),
    );
    given(ev).when(cancel).then_error("CASE_CANCELLED");
}
