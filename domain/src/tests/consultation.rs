use super::fixtures::*;
use super::harness::given;
use crate::consultation::{Command as C, *};
use crate::ledger::{LedgerCommand, LedgerEvent};
use crate::rules::collective::*;

const K: uuid::Uuid = uuid::Uuid::from_u128(0xC0);

fn cc(c: C) -> LedgerCommand {
    LedgerCommand::Consultation(c)
}

fn open(proposed: u32, first: Option<chrono::NaiveDate>) -> LedgerCommand {
    cc(C::OpenConsultation {
        consultation_id: K,
        programme_id: None,
        kind: ConsultationKind::CollectiveRedundancyS188,
        employer: "ICB01".into(),
        establishment: "Leeds HQ".into(),
        proposal: n("restructure of commissioning"),
        proposed_dismissals: proposed,
        planned_first_dismissal: first,
        effective_date: d(2025, 1, 1),
    })
}

pub fn opened(proposed: u32) -> Vec<LedgerEvent> {
    given(vec![])
        .when(open(proposed, None))
        .then_types(&["ConsultationOpened"])
}

#[test]
fn s188_lead_time_30_days_for_20_to_99() {
    given(vec![])
        .when(open(20, Some(d(2025, 1, 31))))
        .then_types(&["ConsultationOpened"]);
    let msg = given(vec![])
        .when(open(20, Some(d(2025, 1, 30))))
        .then_error(RULE_S188_LEAD_TIME);
    assert!(
        msg.contains("s.188")
            && msg.contains("30 days")
            && msg.contains("2025-01-01")
            && msg.contains("2025-01-31"),
        "{msg}"
    );
    given(vec![])
        .when(open(19, Some(d(2025, 1, 2))))
        .then_types(&["ConsultationOpened"]);
}

#[test]
fn s188_lead_time_45_days_for_100_or_more() {
    let msg = given(vec![])
        .when(open(100, Some(d(2025, 2, 14))))
        .then_error(RULE_S188_LEAD_TIME);
    assert!(
        msg.contains("45 days") && msg.contains("2025-02-15"),
        "{msg}"
    );
    given(vec![])
        .when(open(100, Some(d(2025, 2, 15))))
        .then_types(&["ConsultationOpened"]);
}

#[test]
fn hr1_on_the_same_lead_time() {
    let planned = given(vec![])
        .when(open(25, Some(d(2025, 3, 1))))
        .then_types(&["ConsultationOpened"]);
    let hr1 = |on| {
        cc(C::SubmitHr1 {
            consultation_id: K,
            reference: "HR1/123".into(),
            dismissals: 25,
            effective_date: on,
        })
    };
    given(planned.clone())
        .when(hr1(d(2025, 1, 30)))
        .then_types(&["Hr1Submitted"]);
    let msg = given(planned)
        .when(hr1(d(2025, 2, 1)))
        .then_error(RULE_S193_HR1_LEAD_TIME);
    assert!(
        msg.contains("s.193") && msg.contains("2025-02-01") && msg.contains("2025-03-01"),
        "{msg}"
    );
}

#[test]
fn amendments_meetings_and_closure() {
    let amend = |first| {
        cc(C::AmendProposal {
            consultation_id: K,
            proposal: n("fewer posts"),
            proposed_dismissals: 120,
            planned_first_dismissal: Some(first),
            effective_date: d(2025, 1, 10),
        })
    };
    given(opened(25))
        .when(amend(d(2025, 2, 15)))
        .then_types(&["ProposalAmended"]);
    given(opened(25))
        .when(amend(d(2025, 2, 1)))
        .then_error(RULE_S188_LEAD_TIME);
    given(opened(25))
        .when(cc(C::HoldMeeting {
            consultation_id: K,
            summary: n("JNCC"),
            effective_date: d(2025, 1, 8),
        }))
        .then_types(&["ConsultationMeetingHeld"]);
    let close = cc(C::CloseConsultation {
        consultation_id: K,
        outcome: n("agreed"),
        effective_date: d(2025, 3, 1),
    });
    let mut closed = opened(25);
    closed.extend(
        given(opened(25))
            .when(close.clone())
            .then_types(&["ConsultationClosed"]),
    );
    given(closed).when(close).then_error("CASE_CLOSED");
}

#[test]
fn pre_transfer_consultation_needs_agreement_and_20_redundancies() {
    let elect = |agreed| {
        cc(C::ElectPreTransferConsultation {
            consultation_id: K,
            transfer_id: TRANSFER,
            transferor_agreed: agreed,
            effective_date: d(2025, 1, 5),
        })
    };
    let ev = given(opened(25))
        .when(elect(true))
        .then_types(&["PreTransferConsultationElected"]);
    given(opened(25))
        .when(elect(false))
        .then_error(RULE_S198A_PRE_TRANSFER);
    given(opened(5))
        .when(elect(true))
        .then_error(RULE_S198A_PRE_TRANSFER);
    let cancel = cc(C::CancelPreTransferConsultation {
        consultation_id: K,
        effective_date: d(2025, 1, 9),
    });
    given(opened(25))
        .when(cancel.clone())
        .then_error("PRE_TRANSFER_NOT_ELECTED");
    let mut all = opened(25);
    all.extend(ev);
    given(all)
        .when(cancel)
        .then_types(&["PreTransferConsultationCancelled"]);
}

#[test]
fn protective_award_max_90_days_then_180_from_6_april_2026() {
    let award = |days, on| {
        cc(C::RecordProtectiveAward {
            consultation_id: K,
            days,
            effective_date: on,
        })
    };
    given(opened(25))
        .when(award(90, d(2026, 4, 5)))
        .then_types(&["ProtectiveAwardRecorded"]);
    let msg = given(opened(25))
        .when(award(91, d(2026, 4, 5)))
        .then_error(RULE_S189_AWARD_MAX);
    assert!(
        msg.contains("2026-04-05") && msg.contains("90 days"),
        "{msg}"
    );
    given(opened(25))
        .when(award(180, d(2026, 4, 6)))
        .then_types(&["ProtectiveAwardRecorded"]);
    given(opened(25))
        .when(award(181, d(2026, 4, 6)))
        .then_error(RULE_S189_AWARD_MAX);
}

#[test]
fn programme_policy_sets_the_threshold() {
    let mut ev = super::programme::opened();
    let policy = crate::programme::Policy {
        collective_consultation_threshold: 10,
        ..Default::default()
    };
    ev.push(LedgerEvent::Programme(
        crate::programme::ProgrammePolicyChanged {
            programme_id: uid(0x50),
            policy,
            reason: n("ERA 2025"),
            effective_date: d(2024, 12, 1),
        }
        .into(),
    ));
    let cmd = C::OpenConsultation {
        consultation_id: K,
        programme_id: Some(uid(0x50)),
        kind: ConsultationKind::OrganisationalChange,
        employer: "ICB01".into(),
        establishment: "all".into(),
        proposal: n("p"),
        proposed_dismissals: 12,
        planned_first_dismissal: Some(d(2025, 1, 20)),
        effective_date: d(2025, 1, 1),
    };
    let lc = cc(cmd.clone());
    let state = crate::AggregateState::initial(crate::AggregateKind::Consultation);
    assert_eq!(
        lc.related_streams(&state),
        vec![crate::StreamId::programme(uid(0x50))]
    );
    given(ev).when(lc).then_error(RULE_S188_LEAD_TIME);
    given(vec![]).when(cc(cmd)).then_error("NOT_FOUND");
}
