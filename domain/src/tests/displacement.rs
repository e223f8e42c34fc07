use super::fixtures::*;
use super::harness::given;
use crate::displacement::{Command as C, *};
use crate::ledger::{LedgerCommand, LedgerEvent};

const X: uuid::Uuid = uuid::Uuid::from_u128(0xD0);
const OFFER: uuid::Uuid = uuid::Uuid::from_u128(0xD1);

fn dc(c: C) -> LedgerCommand {
    LedgerCommand::Displacement(c)
}

fn x(e: impl Into<Event>) -> LedgerEvent {
    LedgerEvent::Displacement(e.into())
}

fn at_risk(consultation: Option<uuid::Uuid>) -> Vec<LedgerEvent> {
    let cmd = C::NotifyAtRisk {
        displacement_id: X,
        employee_id: uid(1),
        employer: "ICB01".into(),
        consultation_id: consultation,
        reason: n("post deleted"),
        effective_date: d(2025, 1, 5),
    };
    given(vec![])
        .when(dc(cmd))
        .then_types(&["StaffAtRiskNotified"])
}

fn offered(response: SaeResponse) -> Vec<LedgerEvent> {
    let mut ev = at_risk(None);
    ev.push(x(SuitableAlternativeEmploymentOffered {
        displacement_id: X,
        offer_id: OFFER,
        post_title: "Analyst".into(),
        grade: band(crate::AfcBand::B6),
        effective_date: d(2025, 2, 1),
    }));
    if response != SaeResponse::Pending {
        ev.push(x(SuitableAlternativeEmploymentAnswered {
            displacement_id: X,
            offer_id: OFFER,
            response,
            reason: n("r"),
            effective_date: d(2025, 2, 5),
        }));
    }
    ev
}

#[test]
fn offer_answer_trial_and_redeployment() {
    let offer = dc(C::OfferSuitableAlternative {
        displacement_id: X,
        offer_id: OFFER,
        post_title: "Analyst".into(),
        grade: band(crate::AfcBand::B6),
        effective_date: d(2025, 2, 1),
    });
    given(at_risk(None))
        .when(offer)
        .then_types(&["SuitableAlternativeEmploymentOffered"]);
    let answer = |r| {
        dc(C::RecordSaeResponse {
            displacement_id: X,
            offer_id: OFFER,
            response: r,
            reason: n("travel"),
            effective_date: d(2025, 2, 5),
        })
    };
    given(offered(SaeResponse::Pending))
        .when(answer(SaeResponse::RefusedReasonably))
        .then_types(&["SuitableAlternativeEmploymentAnswered"]);
    given(offered(SaeResponse::Accepted))
        .when(answer(SaeResponse::Accepted))
        .then_error("SAE_ALREADY_ANSWERED");
    let redeploy = dc(C::RecordRedeployment {
        displacement_id: X,
        effective_date: d(2025, 3, 10),
    });
    given(offered(SaeResponse::Pending))
        .when(redeploy.clone())
        .then_error("REDEPLOYMENT_NOT_SETTLED");
    let mut trial = offered(SaeResponse::Accepted);
    trial.push(x(TrialPeriodStarted {
        displacement_id: X,
        offer_id: OFFER,
        ends_on: d(2025, 3, 8),
        retraining_agreed: false,
        effective_date: d(2025, 2, 8),
    }));
    given(trial.clone())
        .when(redeploy.clone())
        .then_error("REDEPLOYMENT_NOT_SETTLED");
    trial.extend(
        given(trial.clone())
            .when(dc(C::EndTrialPeriod {
                displacement_id: X,
                successful: true,
                effective_date: d(2025, 3, 8),
            }))
            .then_types(&["TrialPeriodEnded"]),
    );
    given(trial).when(redeploy).then_types(&["StaffRedeployed"]);
}

#[test]
fn trial_period_is_four_weeks_unless_retraining_is_agreed() {
    let start = |end, retraining| {
        dc(C::StartTrialPeriod {
            displacement_id: X,
            offer_id: OFFER,
            ends_on: end,
            retraining_agreed: retraining,
            effective_date: d(2025, 2, 8),
        })
    };
    given(offered(SaeResponse::Accepted))
        .when(start(d(2025, 3, 8), false))
        .then_types(&["TrialPeriodStarted"]);
    let msg = given(offered(SaeResponse::Accepted))
        .when(start(d(2025, 3, 9), false))
        .then_error(RULE_TRIAL_PERIOD);
    assert!(
        msg.contains("s.138") && msg.contains("2025-03-08") && msg.contains("2025-03-09"),
        "{msg}"
    );
    given(offered(SaeResponse::Accepted))
        .when(start(d(2025, 5, 1), true))
        .then_types(&["TrialPeriodStarted"]);
    given(offered(SaeResponse::Pending))
        .when(start(d(2025, 3, 1), false))
        .then_error("SAE_NOT_ACCEPTED");
}

#[test]
fn redundancy_notice_before_the_s188_and_hr1_lead_times_is_refused() {
    let k = uid(0xC0);
    let mut ev = super::consultation::opened(25);
    ev.extend(at_risk(Some(k)));
    let notice = |dismissal| {
        dc(C::IssueRedundancyNotice {
            displacement_id: X,
            dismissal_date: dismissal,
            effective_date: d(2025, 1, 20),
        })
    };
    let msg = given(ev.clone())
        .when(notice(d(2025, 1, 30)))
        .then_error(crate::rules::collective::RULE_S188_LEAD_TIME);
    assert!(
        msg.contains("2025-01-31") && msg.contains("2025-01-30"),
        "{msg}"
    );
    given(ev.clone())
        .when(notice(d(2025, 2, 28)))
        .then_error(crate::rules::collective::RULE_S193_HR1_LEAD_TIME);
    ev.push(LedgerEvent::Consultation(
        crate::consultation::Hr1Submitted {
            consultation_id: k,
            reference: "HR1/1".into(),
            dismissals: 25,
            effective_date: d(2025, 1, 2),
        }
        .into(),
    ));
    given(ev.clone())
        .when(notice(d(2025, 2, 28)))
        .then_types(&["RedundancyNoticeIssued"]);
    let state =
        crate::AggregateState::replay(crate::AggregateKind::Displacement, &at_risk(Some(k)));
    assert_eq!(
        notice(d(2025, 2, 28)).related_streams(&state),
        vec![crate::StreamId::consultation(k)]
    );
    let close = dc(C::CloseDisplacement {
        displacement_id: X,
        reason: n("left voluntarily"),
        effective_date: d(2025, 3, 1),
    });
    let mut closed = at_risk(None);
    closed.extend(
        given(at_risk(None))
            .when(close.clone())
            .then_types(&["DisplacementClosed"]),
    );
    given(closed).when(close).then_error("CASE_CLOSED");
}
