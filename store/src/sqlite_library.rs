//! Process-wide settings of the SQLite library, applied once before the first connection opens.
//!
//! SQLite keeps memory statistics by default, and to keep them it takes one global mutex on
//! every allocation and free, in every connection of the process. hrledger runs several
//! connections on different threads at once (the store's writer, its readers, the read models'
//! writer and page readers), so that one mutex is contended on every row stepped or bound, and
//! its futex wake-ups showed in profiles of a read-model rebuild. Nothing reads the statistics.

use std::sync::Once;

static CONFIGURE: Once = Once::new();

/// Turns SQLite's memory statistics off, if the library has not been started yet in this
/// process (configuration is only possible before the first connection). Called by every
/// SQLite open in this crate; later calls do nothing.
pub(crate) fn configure_sqlite_library() {
    CONFIGURE.call_once(|| {
        // SAFETY: sqlite3_config is only unsafe to call while the library is in use; before
        // its initialisation it is the documented way to configure it, and once initialised it
        // returns SQLITE_MISUSE without changing anything.
        let code = unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::os::raw::c_int,
            )
        };
        if code != rusqlite::ffi::SQLITE_OK {
            tracing::debug!(
                code,
                "SQLite was started before hrledger could configure it"
            );
        }
    });
}
