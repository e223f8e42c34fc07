//! Read models against real databases: live equals rebuilt, crash-safe resumption, bitemporal
//! as-of queries, deadlines that follow date changes, and a gapless payroll feed.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use hrledger_commands::scenario::{merger_programme, Scenario, ScenarioConfig};
use hrledger_commands::{Actor, CommandOptions, Ledger, Role};
use hrledger_domain::{employee, AggregateState, LedgerCommand, StreamId};
use hrledger_projections::{queries, tables, Projector, ReadDb, Until};
use hrledger_store::testing::TestDb;
use hrledger_store::EventStore;
use uuid::Uuid;

const CHILD_URL: &str = "HRLEDGER_PROJECTOR_CHILD_URL";

fn adviser() -> Actor {
    Actor::new("adviser@shire.example", Role::HrAdviser)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn ledger_on(store: EventStore) -> Ledger {
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
    Ledger::with_clock(store, Arc::new(move || now))
}

fn config(staff: usize) -> ScenarioConfig {
    ScenarioConfig {
        staff_per_organisation: staff,
        ..ScenarioConfig::default()
    }
}

/// A second database of the same kind, for rebuilt or replayed read models.
async fn sibling(db: &TestDb) -> TestDb {
    if db.is_postgres() {
        TestDb::postgres().await.expect("postgres is configured")
    } else {
        TestDb::sqlite().await
    }
}

async fn rebuilt_dump(source: &EventStore, db: &TestDb) -> Vec<String> {
    let other = sibling(db).await;
    let sink = EventStore::open(other.url()).await.unwrap();
    let mut projector = Projector::new(source.clone(), ReadDb::from(sink.backend()));
    projector.run(Until::Head).await.unwrap();
    tables::dump(&ReadDb::from(sink.backend())).await.unwrap()
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Ok(url) = std::env::var(super::CHILD_URL) {
                    return super::projector_child(&url).await;
                }
                let db = hrledger_store::testing::TestDb::sqlite().await;
                super::$name(&db).await;
            })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Ok(url) = std::env::var(super::CHILD_URL) {
                    return super::projector_child(&url).await;
                }
                let Some(db) = hrledger_store::testing::TestDb::postgres().await else { return };
                super::$name(&db).await;
            })+
        }
    };
}

on_both_backends!(
    live_read_models_equal_a_full_rebuild,
    a_killed_projector_resumes_exactly_where_it_stopped,
    staff_records_answer_as_of_a_date_and_as_known_at_a_time,
    deadlines_follow_the_transfer_date_and_show_late_eli_exposure,
    payroll_feed_has_every_change_once_in_order_and_resumes_from_any_cursor,
    audit_trail_answers_every_filter_as_the_log_does,
    a_rebuild_leaves_the_indexes_the_migrations_made,
);

async fn live_read_models_equal_a_full_rebuild(db: &TestDb) {
    let store = EventStore::open(db.url()).await.unwrap();
    let live = Projector::new(store.clone(), ReadDb::from(store.backend())).with_batch_size(64);
    let progress = live.progress();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let follower = tokio::spawn(live.follow(async {
        let _ = stopped.await;
    }));
    let scenario = merger_programme(config(15));
    scenario
        .run(&ledger_on(store.clone()), &adviser())
        .await
        .unwrap();
    let head = store.head().await.unwrap();
    wait_for(progress, head).await;
    stop.send(()).unwrap();
    follower.await.unwrap().unwrap();

    let live_dump = tables::dump(&ReadDb::from(store.backend())).await.unwrap();
    assert_eq!(
        live_dump,
        rebuilt_dump(&store, db).await,
        "live == rebuilt, row for row"
    );
    let read = ReadDb::from(store.backend());
    let mut rebuilder = Projector::new(store.clone(), read.clone());
    assert_eq!(rebuilder.rebuild().await.unwrap(), head);
    assert_eq!(
        tables::dump(&read).await.unwrap(),
        live_dump,
        "a rebuild in place (large batches, read ahead) == live, row for row"
    );
    // With room for two states, nearly every stream is folded again from the store, within a
    // batch and when the batch's rows are built at its end.
    let mut forgetful = Projector::new(store.clone(), read.clone()).with_cached_states(2);
    assert_eq!(forgetful.rebuild().await.unwrap(), head);
    assert_eq!(
        tables::dump(&read).await.unwrap(),
        live_dump,
        "a rebuild that keeps almost no states == live, row for row"
    );
    let staff = queries::staff_records(&ReadDb::from(store.backend()), Some("ICB"), None, 500)
        .await
        .unwrap();
    assert_eq!(
        staff.len(),
        4 * 15 - 2,
        "everyone but the two objectors moved to the ICB"
    );
}

async fn wait_for(mut progress: tokio::sync::watch::Receiver<u64>, position: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while *progress.borrow_and_update() < position {
        assert!(Instant::now() < deadline, "projector did not catch up");
        let _ = tokio::time::timeout(Duration::from_millis(200), progress.changed()).await;
    }
}

/// Child mode (the crash test re-runs itself with `CHILD_URL` set): project in small batches,
/// one small step at a time, until killed.
async fn projector_child(url: &str) {
    let store = EventStore::open(url).await.unwrap();
    let mut projector =
        Projector::new(store.clone(), ReadDb::from(store.backend())).with_batch_size(7);
    let head = store.head().await.unwrap();
    let mut until = 0;
    while until < head {
        until += 11;
        projector.run(Until::Position(until)).await.unwrap();
    }
    // Finished before being killed: wait to be killed so the parent sees a live process.
    tokio::time::sleep(Duration::from_secs(60)).await;
}

async fn a_killed_projector_resumes_exactly_where_it_stopped(db: &TestDb) {
    let test_name = format!(
        "{}::a_killed_projector_resumes_exactly_where_it_stopped",
        db.backend_name()
    );
    let store = EventStore::open(db.url()).await.unwrap();
    merger_programme(config(25))
        .run(&ledger_on(store.clone()), &adviser())
        .await
        .unwrap();
    let head = store.head().await.unwrap();
    let read = ReadDb::from(store.backend());

    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            test_name.as_str(),
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_URL, child_url(db))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let at = queries::checkpoint(&read).await.unwrap_or(0);
        if at >= head / 3 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "child made no progress"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    if let ReadDb::Postgres(pool) = &read {
        assert!(
            child_sessions(pool).await > 0,
            "the child's sessions are named"
        );
    }
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    until_child_sessions_end(db, &read).await;
    let stopped_at = queries::checkpoint(&read).await.unwrap();
    assert!(
        stopped_at < head,
        "killed before the end ({stopped_at} of {head})"
    );

    let mut resumed = Projector::new(store.clone(), read.clone());
    assert_eq!(resumed.run(Until::Head).await.unwrap(), head);
    assert_eq!(
        tables::dump(&read).await.unwrap(),
        rebuilt_dump(&store, db).await,
        "after the crash every view is exactly as if it had never stopped"
    );
}

/// The child's database URL; on PostgreSQL its sessions carry a name of their own.
fn child_url(db: &TestDb) -> String {
    if !db.is_postgres() {
        return db.url().to_string();
    }
    let separator = if db.url().contains('?') { '&' } else { '?' };
    format!("{}{separator}application_name={CHILD_SESSION}", db.url())
}

const CHILD_SESSION: &str = "killed_projector";

/// A killed client's PostgreSQL session may still be finishing a COMMIT it had sent: wait
/// until the server has ended it, so the checkpoint read next is the one that stays.
async fn until_child_sessions_end(db: &TestDb, read: &ReadDb) {
    let ReadDb::Postgres(pool) = read else { return };
    assert!(db.is_postgres());
    let started = Instant::now();
    loop {
        if child_sessions(pool).await == 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the killed child's sessions did not end"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn child_sessions(pool: &sqlx::PgPool) -> i64 {
    let (sessions,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 \
         AND datname = current_database()",
    )
    .bind(CHILD_SESSION)
    .fetch_one(pool)
    .await
    .unwrap();
    sessions
}

async fn project(store: &EventStore) -> ReadDb {
    let read = ReadDb::from(store.backend());
    Projector::new(store.clone(), read.clone())
        .run(Until::Head)
        .await
        .unwrap();
    read
}

async fn staff_records_answer_as_of_a_date_and_as_known_at_a_time(db: &TestDb) {
    let store = EventStore::open(db.url()).await.unwrap();
    let ledger = ledger_on(store.clone());
    let scenario = merger_programme(config(5));
    scenario.run(&ledger, &adviser()).await.unwrap();
    let read = project(&store).await;
    let employee_id = scenario.staff[1][0];
    let id = employee_id.to_string();

    let before = queries::staff_record_as_of(&read, &id, date(2026, 3, 31), None)
        .await
        .unwrap()
        .unwrap();
    let after = queries::staff_record_as_of(&read, &id, date(2026, 4, 1), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        before.record["employer_code"],
        scenario.predecessors[1].as_str()
    );
    assert_eq!(after.record["employer_code"], "ICB");

    // A back-dated correction (recorded now, effective in February) changes the band.
    let known_then = Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let corrected = back_dated_band_change(&ledger, employee_id, date(2026, 2, 1)).await;
    let read = project(&store).await;
    let now_view = queries::staff_record_as_of(&read, &id, date(2026, 3, 1), None)
        .await
        .unwrap()
        .unwrap();
    let then_view = queries::staff_record_as_of(&read, &id, date(2026, 3, 1), Some(known_then))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        now_view.record["band"], "9",
        "as known now: the correction applies"
    );
    assert_ne!(then_view.record["band"], "9", "as known then: it does not");
    assert_eq!(
        now_view.record["employer_code"],
        scenario.predecessors[1].as_str()
    );
    let still_icb = queries::staff_record_as_of(&read, &id, date(2026, 4, 2), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still_icb.record["employer_code"], "ICB");
    assert_eq!(
        still_icb.record["band"], "9",
        "the correction carries through the transfer"
    );
    assert_eq!(
        now_view.recorded_from_position, corrected,
        "the current knowledge dates from the correction"
    );
    assert!(then_view.recorded_from_position < corrected);
    let before_hire = queries::staff_record_as_of(&read, &id, date(1990, 1, 1), None)
        .await
        .unwrap();
    assert_eq!(
        before_hire, None,
        "no record before the employee was registered"
    );
}

async fn back_dated_band_change(ledger: &Ledger, employee_id: Uuid, effective: NaiveDate) -> u64 {
    let (state, _) = ledger
        .state(&StreamId::employee(employee_id))
        .await
        .unwrap();
    let AggregateState::Employee(employee::State(Some(record))) = state else {
        panic!()
    };
    let mut assignment = record.employment.unwrap().assignment;
    assignment.grade = hrledger_domain::Grade::AgendaForChange {
        band: hrledger_domain::AfcBand::B9,
        pay_point: Some(1),
    };
    let cmd: LedgerCommand = employee::Command::ChangeAssignment {
        employee_id,
        assignment,
        reason: "regrading appeal upheld, back-dated".into(),
        effective_date: effective,
    }
    .into();
    let options = CommandOptions::new(Uuid::new_v4(), "job evaluation appeal outcome");
    ledger
        .execute(cmd, &adviser(), &options)
        .await
        .unwrap()
        .result
        .last_position
}

async fn deadlines_follow_the_transfer_date_and_show_late_eli_exposure(db: &TestDb) {
    use hrledger_domain::transfer::Command as T;
    let store = EventStore::open(db.url()).await.unwrap();
    let ledger = ledger_on(store.clone());
    let scenario: Scenario = merger_programme(ScenarioConfig {
        staff_per_organisation: 3,
        late_eli_days: 20,
        ..ScenarioConfig::default()
    });
    // Everything up to, not including, the last transfer's completion: its ELI went 20 days
    // before the transfer.
    let last = *scenario.transfers.last().unwrap();
    let cut = scenario
        .steps
        .iter()
        .position(|s| matches!(&s.command, LedgerCommand::Transfer(T::CompleteTransfer { transfer_id }) if *transfer_id == last))
        .unwrap();
    for step in &scenario.steps[..cut] {
        let options = CommandOptions::new(step.command_id, step.reason.clone());
        ledger
            .execute(step.command.clone(), &adviser(), &options)
            .await
            .unwrap();
    }
    let read = project(&store).await;
    let case = last.to_string();
    let today = date(2026, 3, 20);
    let eli = eli_deadline(&read, &case, today).await;
    assert_eq!(eli.due_date, "2026-03-04", "28 days before 1 April");
    assert_eq!(
        eli.met_on.as_deref(),
        Some("2026-03-12"),
        "given 20 days before"
    );
    assert_eq!(eli.status, "missed");
    assert_eq!(
        eli.exposure_pence,
        Some(3 * 50_000),
        "reg 12: £500 for each of 3 staff"
    );
    assert!(eli.description.contains("28 days"), "{}", eli.description);

    let moved = T::ChangeTransferDate {
        transfer_id: last,
        new_date: date(2026, 5, 1),
        reason: "transfer order delayed".into(),
        effective_date: date(2026, 3, 20),
    };
    let options = CommandOptions::new(Uuid::new_v4(), "day one moved by the order");
    ledger
        .execute(moved.into(), &adviser(), &options)
        .await
        .unwrap();
    let read = project(&store).await;
    let eli = eli_deadline(&read, &case, today).await;
    assert_eq!(
        eli.due_date, "2026-04-03",
        "ELI due follows the new transfer date"
    );
    assert_eq!(eli.status, "met", "ELI given 12 March is now in time");
    assert_eq!(eli.exposure_pence, None);
    let missed = queries::deadlines(&read, today, Some("missed"), None, Some(&case), None, 50)
        .await
        .unwrap();
    assert!(missed.is_empty(), "{missed:?}");
}

async fn eli_deadline(read: &ReadDb, case: &str, today: NaiveDate) -> queries::DeadlineView {
    queries::deadlines(read, today, None, None, Some(case), None, 50)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.kind == "eli")
        .expect("an ELI deadline")
}

async fn payroll_feed_has_every_change_once_in_order_and_resumes_from_any_cursor(db: &TestDb) {
    let store = EventStore::open(db.url()).await.unwrap();
    let scenario = merger_programme(config(6));
    scenario
        .run(&ledger_on(store.clone()), &adviser())
        .await
        .unwrap();
    let read = project(&store).await;
    let all = queries::staff_changes(&read, 0, 10_000).await.unwrap();
    assert!(
        all.windows(2).all(|w| w[0].position < w[1].position),
        "ledger order"
    );
    for employee in scenario.all_staff() {
        let kinds: Vec<&str> = all
            .iter()
            .filter(|c| c.employee_id == employee.to_string())
            .map(|c| c.change_kind.as_str())
            .collect();
        let last = if scenario.objectors.contains(employee) {
            "EmploymentEndedByObjection"
        } else {
            "EmployeeTransferred"
        };
        assert_eq!(
            kinds,
            ["EmployeeRegistered", "EmploymentStarted", last],
            "{employee}"
        );
    }
    for start in [0, 1, all.len() / 3, all.len() - 1] {
        let cursor = if start == 0 {
            0
        } else {
            all[start - 1].position
        };
        let mut resumed = Vec::new();
        let mut after = cursor;
        loop {
            let page = queries::staff_changes(&read, after, 7).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.position;
            resumed.extend(page);
        }
        assert_eq!(
            resumed,
            all[start..].to_vec(),
            "resume after {cursor}: no gap, no repeat"
        );
    }
    if db.backend_name() == "sqlite" {
        feed_reads_the_file_as_the_pool_does(&read, all[all.len() / 2].position).await;
    }
}

/// On SQLite the feed is read from the file on plain connections; the pool gives the same.
async fn feed_reads_the_file_as_the_pool_does(read: &ReadDb, middle: u64) {
    let ReadDb::Sqlite(pool, Some(_)) = read else {
        panic!("the feed of a SQLite file is read from the file")
    };
    let through_pool = ReadDb::Sqlite(pool.clone(), None);
    for after in [0, middle, u64::MAX / 2] {
        let direct = queries::stored_staff_changes(read, after, 50)
            .await
            .unwrap();
        let pooled = queries::stored_staff_changes(&through_pool, after, 50)
            .await
            .unwrap();
        assert_eq!(direct, pooled, "after {after}");
    }
}

/// What the log itself says of one event, for checking the audit trail's filters.
struct Logged {
    position: u64,
    actor: String,
    case_id: Option<String>,
    recorded_at: chrono::DateTime<Utc>,
    employees: Vec<String>,
}

async fn logged_events(store: &EventStore) -> Vec<Logged> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store.read_all(after, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        for recorded in page {
            let event = hrledger_domain::LedgerEvent::from_stored(
                &recorded.event_type,
                recorded.schema_version,
                &recorded.data,
            )
            .unwrap();
            out.push(Logged {
                position: recorded.position,
                actor: recorded.metadata.actor.clone(),
                case_id: event.case_id().map(|c| c.to_string()),
                recorded_at: recorded.recorded_at,
                employees: event
                    .employees_touched()
                    .iter()
                    .map(|e| e.to_string())
                    .collect(),
            });
        }
    }
    out
}

/// Every entry the trail gives for `filter`, read in pages of 7.
async fn trail_pages(read: &ReadDb, filter: &queries::AuditFilter) -> Vec<queries::AuditEntry> {
    let (mut all, mut after) = (Vec::new(), 0);
    loop {
        let page = queries::audit_trail(read, filter, after, 7).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        all.extend(page);
    }
    all
}

async fn audit_trail_answers_every_filter_as_the_log_does(db: &TestDb) {
    let store = EventStore::open(db.url()).await.unwrap();
    let first = merger_programme(config(3));
    first
        .run(&ledger_on(store.clone()), &adviser())
        .await
        .unwrap();
    let first_head = store.head().await.unwrap();
    let read = project(&store).await;
    // A second programme, by another adviser: actors and recording times to tell apart.
    let later = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
    let second = merger_programme(ScenarioConfig {
        seed: 7,
        code_prefix: "B".into(),
        ..config(2)
    });
    let other = Actor::new("second.adviser@shire.example", Role::HrAdviser);
    second
        .run(
            &Ledger::with_clock(store.clone(), Arc::new(move || later)),
            &other,
        )
        .await
        .unwrap();
    // Until the projector has seen them, the trail stops at its checkpoint whatever the
    // filter, although the log it reads holds the second programme's events.
    let unprojected = queries::AuditFilter {
        actor: Some(other.name.clone()),
        ..Default::default()
    };
    assert_eq!(trail_pages(&read, &unprojected).await, vec![]);
    let seen = trail_pages(&read, &queries::AuditFilter::default()).await;
    assert_eq!(seen.last().map(|e| e.position), Some(first_head));
    let read = project(&store).await;
    let log = logged_events(&store).await;
    // Recorded times are the store's clock: the second programme was recorded from here on.
    let second_from = log[first_head as usize].recorded_at;
    let first_until = log[first_head as usize - 1].recorded_at;
    let everything = trail_pages(&read, &queries::AuditFilter::default()).await;
    assert_eq!(
        everything.iter().map(|e| e.position).collect::<Vec<_>>(),
        log.iter().map(|e| e.position).collect::<Vec<_>>(),
        "the unfiltered trail is the whole log"
    );
    assert_eq!(
        everything.iter().map(|e| &e.case_id).collect::<Vec<_>>(),
        log.iter().map(|e| &e.case_id).collect::<Vec<_>>(),
        "every entry names the case its event belongs to"
    );

    let employee = |s: &Scenario| Some(s.all_staff().nth(1).unwrap().to_string());
    let case_of = |s: &Scenario| {
        let touched = employee(s);
        log.iter()
            .find(|e| e.case_id.is_some() && e.employees.contains(touched.as_ref().unwrap()))
            .and_then(|e| e.case_id.clone())
    };
    let filters = [
        queries::AuditFilter {
            employee_id: employee(&first),
            ..Default::default()
        },
        queries::AuditFilter {
            employee_id: employee(&second),
            ..Default::default()
        },
        queries::AuditFilter {
            case_id: case_of(&second),
            ..Default::default()
        },
        queries::AuditFilter {
            actor: Some(other.name.clone()),
            ..Default::default()
        },
        queries::AuditFilter {
            from: Some(second_from),
            ..Default::default()
        },
        queries::AuditFilter {
            to: Some(first_until),
            ..Default::default()
        },
        queries::AuditFilter {
            employee_id: employee(&first),
            case_id: case_of(&first),
            ..Default::default()
        },
        queries::AuditFilter {
            case_id: case_of(&first),
            actor: Some(other.name.clone()),
            ..Default::default()
        },
        queries::AuditFilter {
            actor: Some(adviser().name),
            from: Some(log[first_head as usize / 2].recorded_at),
            to: Some(second_from),
            ..Default::default()
        },
    ];
    for filter in &filters {
        let expected: Vec<&queries::AuditEntry> = log
            .iter()
            .zip(&everything)
            .filter(|(logged, _)| matches(logged, filter))
            .map(|(_, entry)| entry)
            .collect();
        let got = trail_pages(&read, filter).await;
        assert_eq!(got.iter().collect::<Vec<_>>(), expected, "{filter:?}");
    }
    let sizes: Vec<usize> = filters
        .iter()
        .map(|f| log.iter().filter(|e| matches(e, f)).count())
        .collect();
    assert!(
        sizes.iter().enumerate().all(|(i, n)| (*n == 0) == (i == 7)),
        "the filters pick real, distinct subsets: {sizes:?}"
    );
    if db.backend_name() == "sqlite" {
        audit_filters_read_their_indexes(&store);
    }
}

fn matches(logged: &Logged, filter: &queries::AuditFilter) -> bool {
    let employee = filter
        .employee_id
        .as_ref()
        .is_none_or(|e| logged.employees.contains(e));
    let case = filter.case_id.is_none() || logged.case_id == filter.case_id;
    let actor = filter.actor.as_ref().is_none_or(|a| &logged.actor == a);
    let from = filter.from.is_none_or(|t| logged.recorded_at >= t);
    let to = filter.to.is_none_or(|t| logged.recorded_at <= t);
    employee && case && actor && from && to
}

/// Each filter alone is answered from its own index, not by walking the trail (or the staff
/// records) in key order: on a long ledger the walk read every entry to find a rare actor's page.
fn audit_filters_read_their_indexes(store: &EventStore) {
    let path = hrledger_store::sqlite_file_of(&store.backend()).expect("a SQLite file");
    let conn = rusqlite::Connection::open(path).unwrap();
    let text = || Some("x".to_string());
    let actor = queries::AuditFilter {
        actor: text(),
        ..Default::default()
    };
    // $1 is the cursor, the last the page size, the one between the filter's value.
    let sql = queries::audit_trail_sql(&actor);
    let steps = plan_steps(&conn, &sql, rusqlite::params![0, "x", 10]);
    assert!(
        steps[0].starts_with("SEARCH") && steps[0].contains("events_by_actor (actor=?"),
        "an actor's entries start from the log's actor index: {steps:?}"
    );
    // A case: the trail's case entries and the case's own stream in the log's (stream,
    // version) key.
    let case = queries::AuditFilter {
        case_id: text(),
        ..Default::default()
    };
    let sql = queries::audit_trail_sql(&case);
    let steps = plan_steps(&conn, &sql, rusqlite::params![0, "x", 10]);
    assert_entries_and_stream_searched(&steps, "audit_cases_by_case (case_id=?");
    // An employee: their entries in the trail's employee index, and their own stream in the
    // log's (stream, version) key; nothing is walked but that handful of positions.
    let employee = queries::AuditFilter {
        employee_id: text(),
        ..Default::default()
    };
    let sql = queries::audit_trail_sql(&employee);
    let steps = plan_steps(&conn, &sql, rusqlite::params![0, "x", "employee-x", 10]);
    assert_entries_and_stream_searched(&steps, "audit_employees_by_employee (employee_id=?");
    // A window of recording times, from the log's index on its integer times.
    let window = queries::AuditFilter {
        from: Some(Utc::now()),
        to: Some(Utc::now()),
        ..Default::default()
    };
    let sql = queries::audit_trail_sql(&window);
    let steps = plan_steps(&conn, &sql, rusqlite::params![0, 1, 2, 10]);
    assert!(
        steps[0].starts_with("SEARCH")
            && steps[0].contains("events_by_recorded_at (recorded_at_us>?"),
        "a time window starts from the time index: {steps:?}"
    );
    // Payroll's page of one employer's staff, likewise.
    let sql = queries::staff_records_sql(true);
    let steps = plan_steps(&conn, &sql, rusqlite::params!["x", "", 10]);
    assert!(
        steps[0].starts_with("SEARCH")
            && steps[0].contains("staff_records_by_employer (employer_code=?"),
        "one employer's staff start from the employer index: {steps:?}"
    );
}

/// A query by case or employee reads its entries through `entries_index` and its streams
/// through the log's (stream, version) key, and walks no table but that handful of positions.
fn assert_entries_and_stream_searched(steps: &[String], entries_index: &str) {
    let searched = |search: &str| {
        steps
            .iter()
            .any(|s| s.starts_with("SEARCH") && s.contains(search))
    };
    assert!(
        searched(entries_index) && searched("(stream=?"),
        "entries and streams come from their indexes: {steps:?}"
    );
    assert!(
        steps
            .iter()
            .all(|s| !s.starts_with("SCAN") || s == "SCAN e"),
        "no table is walked: {steps:?}"
    );
}

/// SQLite's query plan for `sql` with `values` bound, one step per line.
fn plan_steps(
    conn: &rusqlite::Connection,
    sql: &str,
    values: impl rusqlite::Params,
) -> Vec<String> {
    let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    plan.query_map(values, |row| row.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

async fn a_rebuild_leaves_the_indexes_the_migrations_made(db: &TestDb) {
    let store = EventStore::open(db.url()).await.unwrap();
    merger_programme(config(3))
        .run(&ledger_on(store.clone()), &adviser())
        .await
        .unwrap();
    let read = project(&store).await;
    let migrated = index_definitions(&read).await;
    let live = tables::dump(&read).await.unwrap();

    // A rebuild stopped right after emptying the read models...
    tables::truncate_all(&read).await.unwrap();
    let loading = index_definitions(&read).await;
    assert!(
        migrated.len() - loading.len() == 4
            && !loading
                .iter()
                .any(|d| d.contains("audit_cases_by_case")
                    || d.contains("staff_changes_by_employee")),
        "indexes set aside while the rows load: {loading:?}"
    );
    // ...is finished by the next run, its indexes included.
    Projector::new(store.clone(), read.clone())
        .run(Until::Head)
        .await
        .unwrap();
    assert_eq!(
        index_definitions(&read).await,
        migrated,
        "after a stopped rebuild"
    );
    assert_eq!(tables::dump(&read).await.unwrap(), live);

    Projector::new(store.clone(), read.clone())
        .rebuild()
        .await
        .unwrap();
    assert_eq!(
        index_definitions(&read).await,
        migrated,
        "after a whole rebuild"
    );
    assert_eq!(tables::dump(&read).await.unwrap(), live);
}

/// Every index of the database, as the statement that creates it.
async fn index_definitions(read: &ReadDb) -> Vec<String> {
    match read {
        ReadDb::Postgres(pool) => sqlx::query_scalar(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        ReadDb::Sqlite(pool, _) => sqlx::query_scalar(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    }
}
