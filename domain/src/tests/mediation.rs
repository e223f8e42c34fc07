use super::fixtures::*;
use super::harness::given;
use crate::ledger::{LedgerCommand, LedgerEvent};
use crate::mediation::{Command as C, *};

const M: uuid::Uuid = uuid::Uuid::from_u128(0xE0);
const P1: uuid::Uuid = uuid::Uuid::from_u128(1);
const P2: uuid::Uuid = uuid::Uuid::from_u128(2);

fn mc(c: C) -> LedgerCommand {
    LedgerCommand::Mediation(c)
}

fn m(e: impl Into<Event>) -> LedgerEvent {
    LedgerEvent::Mediation(e.into())
}

fn refer(pending: bool) -> LedgerCommand {
    mc(C::ReferForMediation {
        mediation_id: M,
        parties: vec![P1, P2],
        referrer: Referrer::Manager,
        legal_proceedings_pending: pending,
        referral_notes: n("team conflict"),
        effective_date: d(2025, 1, 6),
    })
}

fn ready() -> Vec<LedgerEvent> {
    let mut ev = given(vec![])
        .when(refer(false))
        .then_types(&["MediationReferred"]);
    ev.push(m(MediationAccepted {
        mediation_id: M,
        party: P1,
        effective_date: d(2025, 1, 7),
    }));
    ev.push(m(MediationAccepted {
        mediation_id: M,
        party: P2,
        effective_date: d(2025, 1, 7),
    }));
    ev.push(m(MediatorsAssigned {
        mediation_id: M,
        mediators: vec!["M-17".into()],
        effective_date: d(2025, 1, 8),
    }));
    ev
}

#[test]
fn refer_not_during_legal_proceedings() {
    let msg = given(vec![])
        .when(refer(true))
        .then_error(RULE_DURING_PROCEEDINGS);
    assert!(msg.contains("2025-01-06"), "{msg}");
}

#[test]
fn full_lifecycle_to_agreement() {
    let ind = |p| {
        mc(C::HoldIndividualMeeting {
            mediation_id: M,
            party: p,
            notes: n("private"),
            effective_date: d(2025, 1, 10),
        })
    };
    let joint = mc(C::HoldJointMeeting {
        mediation_id: M,
        notes: n("joint"),
        effective_date: d(2025, 1, 20),
    });
    let mut ev = ready();
    ev.extend(
        given(ev.clone())
            .when(ind(P1))
            .then_types(&["IndividualMeetingHeld"]),
    );
    let msg = given(ev.clone())
        .when(joint.clone())
        .then_error(RULE_INDIVIDUAL_FIRST);
    assert!(msg.contains("2025-01-20"), "{msg}");
    ev.extend(
        given(ev.clone())
            .when(ind(P2))
            .then_types(&["IndividualMeetingHeld"]),
    );
    let agree = mc(C::RecordAgreement {
        mediation_id: M,
        agreement_hash: "ab".repeat(32),
        effective_date: d(2025, 1, 20),
    });
    given(ev.clone())
        .when(agree.clone())
        .then_error("NO_JOINT_MEETING");
    ev.extend(
        given(ev.clone())
            .when(joint)
            .then_types(&["JointMeetingHeld"]),
    );
    given(ev.clone())
        .when(mc(C::RecordAgreement {
            mediation_id: M,
            agreement_hash: "plain text".into(),
            effective_date: d(2025, 1, 20),
        }))
        .then_error("INVALID_COMMAND");
    ev.extend(
        given(ev.clone())
            .when(agree)
            .then_types(&["AgreementRecorded"]),
    );
    let close = mc(C::CloseMediation {
        mediation_id: M,
        outcome: MediationOutcome::ResolvedInformally,
        effective_date: d(2025, 2, 1),
    });
    ev.extend(
        given(ev.clone())
            .when(close.clone())
            .then_types(&["MediationClosed"]),
    );
    given(ev).when(close).then_error("CASE_CLOSED");
}

#[test]
fn meetings_need_every_partys_consent() {
    let mut ev = given(vec![])
        .when(refer(false))
        .then_types(&["MediationReferred"]);
    ev.extend(
        given(ev.clone())
            .when(mc(C::AcceptMediation {
                mediation_id: M,
                party: P1,
                effective_date: d(2025, 1, 7),
            }))
            .then_types(&["MediationAccepted"]),
    );
    let meet = mc(C::HoldIndividualMeeting {
        mediation_id: M,
        party: P1,
        notes: n("x"),
        effective_date: d(2025, 1, 9),
    });
    given(ev.clone()).when(meet).then_error(RULE_CONSENT);
    given(ev.clone())
        .when(mc(C::AcceptMediation {
            mediation_id: M,
            party: uid(9),
            effective_date: d(2025, 1, 7),
        }))
        .then_error("INVALID_COMMAND");
    ev.extend(
        given(ev.clone())
            .when(mc(C::DeclineMediation {
                mediation_id: M,
                party: P2,
                effective_date: d(2025, 1, 8),
            }))
            .then_types(&["MediationDeclined"]),
    );
    given(ev)
        .when(mc(C::AssignMediators {
            mediation_id: M,
            mediators: vec!["M-1".into()],
            effective_date: d(2025, 1, 9),
        }))
        .then_error("CASE_CLOSED");
    let outcome = MediationOutcome::NotResolved {
        grievance_reference: Some("GR-12".into()),
    };
    given(ready())
        .when(mc(C::CloseMediation {
            mediation_id: M,
            outcome,
            effective_date: d(2025, 2, 1),
        }))
        .then_types(&["MediationClosed"]);
}
