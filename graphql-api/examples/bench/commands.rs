//! Command throughput: each client changes the FTE of its own employee, one durable command at
//! a time, through `Ledger::execute` (load state, decide, append).

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hrledger_commands::{Actor, CommandOptions, Ledger, Role};
use hrledger_domain::{employee, AggregateState, Assignment, StreamId};
use uuid::Uuid;

/// The rounds of the API benchmark: concurrent clients, and how they make their command ids.
/// The 64-client round runs with both kinds of id, so the run shows what the id costs.
pub const ROUNDS: [(usize, CommandIds); 4] = [
    (1, CommandIds::TimeOrdered),
    (8, CommandIds::TimeOrdered),
    (64, CommandIds::TimeOrdered),
    (64, CommandIds::Random),
];

/// How the clients make their command ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandIds {
    /// UUID version 7, as the API asks: each id sorts after the last, so the ledger's
    /// command-id index grows at one end.
    TimeOrdered,
    /// UUID version 4: every id lands at a random place in that index.
    Random,
}

impl CommandIds {
    /// Parses `v7` or `v4` (the command rounds example's setting).
    #[allow(dead_code)] // the API benchmark runs every kind in `ROUNDS`
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "v7" => Some(CommandIds::TimeOrdered),
            "v4" => Some(CommandIds::Random),
            _ => None,
        }
    }

    /// The name the JSON lines use.
    pub fn name(self) -> &'static str {
        match self {
            CommandIds::TimeOrdered => "uuid_v7",
            CommandIds::Random => "uuid_v4",
        }
    }

    fn next(self) -> Uuid {
        match self {
            CommandIds::TimeOrdered => Uuid::now_v7(),
            CommandIds::Random => Uuid::new_v4(),
        }
    }
}

/// The first `n` employees of the ledger who are still employed, with their assignment.
pub async fn employed(ledger: &Ledger, n: usize) -> Vec<(Uuid, Assignment)> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut after = 0;
    while found.len() < n {
        let page = ledger.store().read_all(after, 5_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        for event in page {
            let Some(id) = event.stream.strip_prefix("employee-") else {
                continue;
            };
            let Ok(id) = Uuid::parse_str(id) else {
                continue;
            };
            if !seen.insert(id) || found.len() >= n {
                continue;
            }
            let (state, _) = ledger.state(&StreamId::employee(id)).await.unwrap();
            if let AggregateState::Employee(employee::State(Some(record))) = state {
                if let Some(employment) = record.employment {
                    found.push((id, employment.assignment));
                }
            }
        }
    }
    assert_eq!(found.len(), n, "not enough employed staff in the ledger");
    found
}

/// One round: every client issues commands on its own employee until `duration` is up.
/// Returns (commands acknowledged, commands failed, seconds).
pub async fn command_round(
    ledger: &Ledger,
    employees: Vec<(Uuid, Assignment)>,
    ids: CommandIds,
    duration: Duration,
) -> (u64, u64, f64) {
    let started = Instant::now();
    let deadline = started + duration;
    let clients: Vec<_> = employees
        .into_iter()
        .map(|(employee_id, assignment)| {
            let ledger = ledger.clone();
            tokio::spawn(
                async move { client(&ledger, employee_id, assignment, ids, deadline).await },
            )
        })
        .collect();
    let (mut done, mut failed) = (0, 0);
    for c in clients {
        let (d, f) = c.await.unwrap();
        done += d;
        failed += f;
    }
    (done, failed, started.elapsed().as_secs_f64())
}

async fn client(
    ledger: &Ledger,
    employee_id: Uuid,
    mut assignment: Assignment,
    ids: CommandIds,
    deadline: Instant,
) -> (u64, u64) {
    let actor = Actor::new("bench", Role::HrAdviser);
    let effective_date = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let (mut done, mut failed) = (0, 0);
    let mut i = 0u64;
    while Instant::now() < deadline {
        i += 1;
        assignment.fte = if i.is_multiple_of(2) { 0.61 } else { 0.62 };
        let command = employee::Command::ChangeAssignment {
            employee_id,
            assignment: assignment.clone(),
            reason: "hours changed".into(),
            effective_date,
        }
        .into();
        let options = CommandOptions::new(ids.next(), "hours changed at the employee's request");
        match ledger.execute(command, &actor, &options).await {
            Ok(_) => done += 1,
            Err(e) => {
                if failed == 0 {
                    eprintln!("command failed: {e}");
                }
                failed += 1;
            }
        }
    }
    (done, failed)
}
