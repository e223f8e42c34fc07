use super::fixtures::*;
use super::harness::given;
use crate::ledger::{LedgerCommand, LedgerEvent};
use crate::programme::{Command as C, *};
use crate::{common::CaseRef, AggregateKind};

const P: uuid::Uuid = uuid::Uuid::from_u128(0x50);

fn pc(c: C) -> LedgerCommand {
    LedgerCommand::Programme(c)
}

fn p(ev: impl Into<Event>) -> LedgerEvent {
    LedgerEvent::Programme(ev.into())
}

pub fn opened() -> Vec<LedgerEvent> {
    vec![p(MergerProgrammeOpened {
        programme_id: P,
        name: "West Yorkshire ICB".into(),
        predecessors: vec!["CCG01".into(), "CCG02".into()],
        successor: "ICB01".into(),
        legal_day_one: d(2022, 7, 1),
        policy: Policy::default(),
        effective_date: d(2022, 1, 10),
    })]
}

fn scheduled() -> Vec<LedgerEvent> {
    let mut ev = opened();
    ev.push(p(PayrollMergeScheduled {
        programme_id: P,
        from_database: "120".into(),
        to_database: "043".into(),
        merge_date: d(2022, 7, 3),
        freeze_from: d(2022, 7, 1),
        freeze_until: d(2022, 7, 4),
        effective_date: d(2022, 5, 1),
    }));
    ev
}

#[test]
fn open_programme_with_default_policy() {
    let cmd = C::OpenProgramme {
        programme_id: P,
        name: "West Yorkshire ICB".into(),
        predecessors: vec!["CCG01".into(), "CCG02".into()],
        successor: "ICB01".into(),
        legal_day_one: d(2022, 7, 1),
        policy: None,
        effective_date: d(2022, 1, 10),
    };
    given(vec![]).when(pc(cmd.clone())).then(opened());
    given(opened()).when(pc(cmd)).then_error("ALREADY_EXISTS");
    let none = C::OpenProgramme {
        programme_id: P,
        name: "x".into(),
        predecessors: vec![],
        successor: "ICB01".into(),
        legal_day_one: d(2022, 7, 1),
        policy: None,
        effective_date: d(2022, 1, 10),
    };
    given(vec![]).when(pc(none)).then_error("INVALID_COMMAND");
}

#[test]
fn link_cases_and_change_policy() {
    let link = C::LinkCase {
        programme_id: P,
        case: CaseRef {
            kind: AggregateKind::Transfer,
            id: TRANSFER,
        },
        effective_date: d(2022, 2, 1),
    };
    let ev = given(opened())
        .when(pc(link.clone()))
        .then_types(&["CaseLinkedToProgramme"]);
    let mut all = opened();
    all.extend(ev);
    given(all).when(pc(link)).then_error("ALREADY_EXISTS");
    let policy = Policy {
        slot_in_match_percent: 70,
        ..Policy::default()
    };
    given(opened())
        .when(pc(C::ChangePolicy {
            programme_id: P,
            policy,
            reason: n("JNCC agreement"),
            effective_date: d(2022, 2, 1),
        }))
        .then_types(&["ProgrammePolicyChanged"]);
    let bad = Policy {
        slot_in_match_percent: 101,
        ..Policy::default()
    };
    given(opened())
        .when(pc(C::ChangePolicy {
            programme_id: P,
            policy: bad,
            reason: n("x"),
            effective_date: d(2022, 2, 1),
        }))
        .then_error("INVALID_COMMAND");
}

#[test]
fn payroll_merge_inside_its_freeze_window() {
    let schedule = |merge| {
        pc(C::SchedulePayrollMerge {
            programme_id: P,
            from_database: "120".into(),
            to_database: "043".into(),
            merge_date: merge,
            freeze_from: d(2022, 7, 1),
            freeze_until: d(2022, 7, 4),
            effective_date: d(2022, 5, 1),
        })
    };
    given(opened())
        .when(schedule(d(2022, 7, 3)))
        .then_types(&["PayrollMergeScheduled"]);
    let msg = given(opened())
        .when(schedule(d(2022, 7, 6)))
        .then_error(RULE_FREEZE_WINDOW);
    assert!(
        msg.contains("2022-07-06") && msg.contains("2022-07-01") && msg.contains("2022-07-04"),
        "{msg}"
    );
}

#[test]
fn payroll_merge_completes_on_or_after_its_date_and_before_closure() {
    let complete = pc(C::CompletePayrollMerge {
        programme_id: P,
        effective_date: d(2022, 7, 3),
    });
    given(opened())
        .when(complete.clone())
        .then_error("PAYROLL_MERGE_NOT_SCHEDULED");
    let msg = given(scheduled())
        .at(d(2022, 7, 2))
        .when(complete.clone())
        .then_error(RULE_MERGE_NOT_DUE);
    assert!(
        msg.contains("2022-07-03") && msg.contains("2022-07-02"),
        "{msg}"
    );
    given(scheduled())
        .at(d(2022, 7, 3))
        .when(complete)
        .then_types(&["PayrollMergeCompleted"]);
    let close = pc(C::CloseProgramme {
        programme_id: P,
        reason: n("delivered"),
        effective_date: d(2023, 1, 1),
    });
    given(scheduled())
        .when(close.clone())
        .then_error(RULE_MERGE_OUTSTANDING);
    let mut done = scheduled();
    done.push(p(PayrollMergeCompleted {
        programme_id: P,
        effective_date: d(2022, 7, 3),
    }));
    let ev = given(done.clone())
        .when(close.clone())
        .then_types(&["MergerProgrammeClosed"]);
    done.extend(ev);
    given(done).when(close).then_error("CASE_CLOSED");
}
