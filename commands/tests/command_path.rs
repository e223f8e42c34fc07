//! The command path against real databases: the scripted merger programme runs end to end,
//! retries are idempotent, races on one case resolve to one winner.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use hrledger_commands::scenario::{merger_programme, ScenarioConfig};
use hrledger_commands::{Actor, CommandError, CommandOptions, Ledger, Role};
use hrledger_domain::{transfer, AggregateState, StreamId};
use hrledger_store::testing::TestDb;
use hrledger_store::EventStore;
use uuid::Uuid;

fn adviser() -> Actor {
    Actor::new("adviser@shire.example", Role::HrAdviser)
}

async fn ledger(db: &TestDb) -> Ledger {
    let store = EventStore::open(db.url()).await.expect("open store");
    // After day one of the generated programme, so completion is allowed.
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
    Ledger::with_clock(store, Arc::new(move || now))
}

fn small() -> ScenarioConfig {
    ScenarioConfig {
        staff_per_organisation: 12,
        ..ScenarioConfig::default()
    }
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let db = hrledger_store::testing::TestDb::sqlite().await;
                super::$name(&db).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(db) = hrledger_store::testing::TestDb::postgres().await else { return };
                super::$name(&db).await;
            })+
        }
    };
}

on_both_backends!(
    merger_programme_runs_end_to_end,
    a_retried_command_appends_nothing_and_returns_the_first_outcome,
    concurrent_commands_on_one_case_with_one_expected_version_have_one_winner,
    a_rule_violation_writes_nothing,
    roles_without_command_rights_are_refused,
    a_second_writer_never_has_a_decision_made_over_its_change,
);

async fn merger_programme_runs_end_to_end(db: &TestDb) {
    let ledger = ledger(db).await;
    let scenario = merger_programme(small());
    let outcomes = scenario
        .run(&ledger, &adviser())
        .await
        .expect("scenario runs");
    assert_eq!(outcomes.len(), scenario.steps.len());
    let head = ledger.store().head().await.unwrap();
    let written: u64 = outcomes
        .iter()
        .map(|o| o.result.last_position - o.result.first_position + 1)
        .sum();
    assert_eq!(head, written, "every event written exactly once");

    let (state, _) = ledger
        .state(&StreamId::transfer(scenario.transfers[0]))
        .await
        .unwrap();
    let AggregateState::Transfer(transfer::State(Some(case))) = state else {
        panic!("transfer case exists")
    };
    assert_eq!(case.objectors().len(), 2);
    let objector = scenario.objectors[0];
    let stayer = scenario.staff[0][0];
    let (stayer_state, _) = ledger.state(&StreamId::employee(stayer)).await.unwrap();
    let AggregateState::Employee(s) = stayer_state else {
        panic!()
    };
    assert_eq!(s.0.unwrap().employer_code(), Some("ICB"));
    let (objector_state, _) = ledger.state(&StreamId::employee(objector)).await.unwrap();
    let AggregateState::Employee(o) = objector_state else {
        panic!()
    };
    assert_eq!(
        o.0.unwrap().employer_code(),
        None,
        "an objector's employment ends"
    );
    assert!(ledger.store().verify(1, None).await.unwrap().is_intact());

    // The Accountable Officer (chief officer of the first body) now holds the post.
    let ao = scenario.staff[0][1];
    let (ao_state, _) = ledger.state(&StreamId::employee(ao)).await.unwrap();
    let AggregateState::Employee(a) = ao_state else {
        panic!()
    };
    let record = a.0.unwrap();
    assert_eq!(
        record.employment.unwrap().assignment.job_title,
        "Accountable Officer"
    );
    assert_eq!(scenario.appointments.len(), 4);
    assert_eq!(scenario.displacements.len(), 3);
}

async fn a_retried_command_appends_nothing_and_returns_the_first_outcome(db: &TestDb) {
    let ledger = ledger(db).await;
    let scenario = merger_programme(small());
    scenario.run(&ledger, &adviser()).await.unwrap();
    let head = ledger.store().head().await.unwrap();
    // Re-send a creation step and the completion step: both would now be refused by the rules
    // (already exists, case closed), yet a retry must return the first outcome.
    for step in [&scenario.steps[0], scenario.steps.last().unwrap()] {
        let options = CommandOptions::new(step.command_id, step.reason.clone());
        let again = ledger
            .execute(step.command.clone(), &adviser(), &options)
            .await
            .expect("a retry succeeds");
        assert!(again.replayed);
        assert!(!again.events.is_empty());
    }
    assert_eq!(
        ledger.store().head().await.unwrap(),
        head,
        "nothing appended"
    );
}

async fn concurrent_commands_on_one_case_with_one_expected_version_have_one_winner(db: &TestDb) {
    let ledger = ledger(db).await;
    let scenario = merger_programme(small());
    let transfer_id = scenario.transfers[0];
    let upto = scenario
        .steps
        .iter()
        .position(|s| matches!(&s.command, hrledger_domain::LedgerCommand::Transfer(transfer::Command::ScopeStaffIn { transfer_id: t, .. }) if *t == transfer_id))
        .unwrap();
    for step in &scenario.steps[..=upto] {
        let options = CommandOptions::new(step.command_id, step.reason.clone());
        ledger
            .execute(step.command.clone(), &adviser(), &options)
            .await
            .unwrap();
    }
    let (_, version) = ledger
        .state(&StreamId::transfer(transfer_id))
        .await
        .unwrap();
    let version = version.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let ledger = ledger.clone();
            tokio::spawn(async move {
                let cmd = transfer::Command::HoldConsultationMeeting {
                    transfer_id,
                    by: transfer::Party::Transferee,
                    summary: format!("meeting {i}").as_str().into(),
                    effective_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
                };
                let options =
                    CommandOptions::new(Uuid::new_v4(), "staff-side meeting").expecting(version);
                ledger.execute(cmd.into(), &adviser(), &options).await
            })
        })
        .collect();
    let mut wins = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => wins += 1,
            Err(CommandError::Conflict(msg)) => {
                assert!(msg.contains("someone else changed it first"), "{msg}");
                conflicts += 1
            }
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!((wins, conflicts), (1, 19));
    let (_, after) = ledger
        .state(&StreamId::transfer(transfer_id))
        .await
        .unwrap();
    assert_eq!(after, Some(version + 1), "exactly one meeting recorded");
}

async fn a_rule_violation_writes_nothing(db: &TestDb) {
    let store = EventStore::open(db.url()).await.unwrap();
    // Before day one: completing the transfer is refused by the rule on the transfer date.
    let early = Utc.with_ymd_and_hms(2026, 3, 30, 9, 0, 0).unwrap();
    let ledger = Ledger::with_clock(store, Arc::new(move || early));
    let scenario = merger_programme(small());
    let completion = scenario
        .steps
        .iter()
        .position(|s| {
            matches!(
                &s.command,
                hrledger_domain::LedgerCommand::Transfer(
                    transfer::Command::CompleteTransfer { .. }
                )
            )
        })
        .unwrap();
    for step in &scenario.steps[..completion] {
        let options = CommandOptions::new(step.command_id, step.reason.clone());
        ledger
            .execute(step.command.clone(), &adviser(), &options)
            .await
            .unwrap();
    }
    let head = ledger.store().head().await.unwrap();
    let step = &scenario.steps[completion];
    let options = CommandOptions::new(step.command_id, step.reason.clone());
    let err = ledger
        .execute(step.command.clone(), &adviser(), &options)
        .await
        .expect_err("completion before the transfer date is refused");
    let text = err.to_string();
    assert!(
        text.contains("TUPE_COMPLETION_BEFORE_TRANSFER_DATE"),
        "{text}"
    );
    assert!(
        text.contains("2026-04-01"),
        "names the transfer date: {text}"
    );
    assert_eq!(ledger.store().head().await.unwrap(), head);
}

async fn roles_without_command_rights_are_refused(db: &TestDb) {
    let ledger = ledger(db).await;
    let scenario = merger_programme(small());
    let step = &scenario.steps[0];
    for role in [Role::Payroll, Role::Auditor] {
        let options = CommandOptions::new(Uuid::new_v4(), "trying");
        let err = ledger
            .execute(step.command.clone(), &Actor::new("someone", role), &options)
            .await
            .unwrap_err();
        assert!(matches!(err, CommandError::Forbidden { .. }), "{err}");
    }
    let options = CommandOptions::new(Uuid::new_v4(), "   ");
    let err = ledger
        .execute(step.command.clone(), &adviser(), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, CommandError::Validation(_)), "{err}");
    assert_eq!(ledger.store().head().await.unwrap(), 0);
}

/// Two ledgers (as two processes would have) on one database: each caches states, yet neither
/// decides on a state the other has moved on from.
async fn a_second_writer_never_has_a_decision_made_over_its_change(db: &TestDb) {
    let (a, b) = (ledger(db).await, ledger(db).await);
    let scenario = merger_programme(small());
    let transfer_id = scenario.transfers[0];
    let scoped = scenario
        .steps
        .iter()
        .position(|s| matches!(&s.command, hrledger_domain::LedgerCommand::Transfer(transfer::Command::ScopeStaffIn { transfer_id: t, .. }) if *t == transfer_id))
        .unwrap();
    for step in &scenario.steps[..=scoped] {
        let options = CommandOptions::new(step.command_id, step.reason.clone());
        a.execute(step.command.clone(), &adviser(), &options)
            .await
            .unwrap();
    }
    let employee_id = scenario.staff[0][0];
    let on = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    let object = || transfer::Command::ReceiveObjection {
        transfer_id,
        employee_id,
        received_by: transfer::Party::Transferor,
        effective_date: on,
    };
    let run = |ledger: &Ledger, cmd: transfer::Command| {
        let ledger = ledger.clone();
        async move {
            let options = CommandOptions::new(Uuid::new_v4(), "recorded by the adviser");
            ledger.execute(cmd.into(), &adviser(), &options).await
        }
    };
    run(&a, object()).await.unwrap(); // `a` now caches the case with the objection
    run(
        &b,
        transfer::Command::WithdrawObjection {
            transfer_id,
            employee_id,
            effective_date: on,
        },
    )
    .await
    .unwrap();
    // `a`'s cache still says "objected"; deciding on it would refuse a second objection.
    run(&a, object())
        .await
        .expect("decided again on the state as it now is");
    let (state, version) = b.state(&StreamId::transfer(transfer_id)).await.unwrap();
    let AggregateState::Transfer(transfer::State(Some(case))) = state else {
        panic!()
    };
    assert_eq!(case.objectors(), vec![employee_id]);
    let types: Vec<String> = a
        .store()
        .read_stream(StreamId::transfer(transfer_id).as_str(), 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(types.len() as u64, version.unwrap() + 1);
    assert_eq!(
        &types[types.len() - 3..],
        [
            "ObjectionReceived",
            "ObjectionWithdrawn",
            "ObjectionReceived"
        ]
    );
}
