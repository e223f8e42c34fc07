//! CPU time spent on a phase of a benchmark, by this process and by the PostgreSQL server on the
//! same host: unlike rates, barely moved by other processes on a shared machine. Shared by the
//! API benchmark and the command rounds (`commands/examples/command_rounds.rs`).

use hrledger_store::{Backend, EventStore};

/// User plus system CPU time of this process so far, every thread, in seconds.
pub fn process_cpu_seconds() -> f64 {
    // SAFETY: `getrusage` only writes the struct it is given; all-zero bytes are a valid value.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// User plus system CPU time so far of the PostgreSQL server's processes on this host that work
/// for `database` (the database named in the benchmark's URL): its client backends and the
/// server's own processes (WAL writer, checkpointer, ...). Backends of other databases — other
/// clients of a shared server — are left out. Read from `/proc/<pid>/stat` in clock ticks of
/// 1/100 s: fine over a phase of seconds. A backend that exits during the phase takes its time
/// with it, so the pool's connections must outlive the phase.
pub fn server_cpu_seconds(database: &str) -> f64 {
    const TICKS_PER_SECOND: f64 = 100.0;
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let ticks: u64 = processes
        .flatten()
        .filter(|p| {
            std::fs::read(p.path().join("cmdline"))
                .is_ok_and(|cmdline| serves(&String::from_utf8_lossy(&cmdline), database))
        })
        .filter_map(|p| std::fs::read_to_string(p.path().join("stat")).ok())
        .filter_map(|stat| {
            let (name, rest) = stat.split_once(") ")?;
            if !name.ends_with("(postgres") {
                return None;
            }
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
            let fields: Vec<&str> = rest.split(' ').collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum();
    ticks as f64 / TICKS_PER_SECOND
}

/// Whether a PostgreSQL process with this command line works for `database`. A client backend
/// shows `postgres: [cluster: ]user database host(port) activity` (or `[local]` for a unix
/// socket); every other server process shows no client address.
fn serves(cmdline: &str, database: &str) -> bool {
    let client = cmdline.contains('(') || cmdline.contains("[local]");
    !client || cmdline.split_whitespace().any(|word| word == database)
}

/// The database a PostgreSQL store works in, as its driver read the URL (the user's name when
/// the URL names none); `None` for SQLite.
pub fn pg_database(store: &EventStore) -> Option<String> {
    match store.backend() {
        Backend::Postgres(pool) => {
            let options = pool.connect_options();
            let database = options.get_database().unwrap_or(options.get_username());
            Some(database.to_owned())
        }
        Backend::Sqlite(_) => None,
    }
}
