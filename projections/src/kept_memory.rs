//! While a rebuild runs, memory it frees is kept for its next batch instead of going back to
//! the kernel.
//!
//! A rebuild frees a batch's rows, states and SQLite pages, and allocates as much again for the
//! next batch half a second later. Both allocators hand freed memory back promptly: mimalloc
//! after 10 ms, glibc's malloc (which SQLite allocates through) whenever the top of its heap
//! has more than 128 KiB free, and blocks from 128 KiB up are separate mappings. Each time, the
//! kernel then faults fresh pages in and zeroes them: page faults were 9% of a SQLite
//! rebuild's samples, and with both allocators keeping their memory a 1,018,368-event rebuild
//! took 12.59–12.79 s against 14.47–14.78 s, holding 150–200 MB more at its peak
//! (BENCHMARKS.md, session 12).
//!
//! Transparent huge pages are turned off for the process meanwhile (see
//! [`set_huge_pages_off`]).
//!
//! The settings are the process's, so they are counted: the first rebuild to start sets them,
//! the last to end puts the defaults back and returns what is free.

use std::sync::Mutex;

use libmimalloc_sys as mi;

/// mimalloc's `mi_option_purge_delay`: milliseconds before freed memory is returned, -1 for
/// never. The Rust binding declares no constant for it; this is its place in the C library's
/// option enum (v2 and v3 alike), which a test checks against the library's own environment
/// variable.
const MI_OPTION_PURGE_DELAY: mi::mi_option_t = 15;

/// glibc's thresholds while memory is kept: nothing trimmed below 512 MiB free, no block
/// mapped on its own below glibc's largest threshold (32 MiB on 64-bit).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const KEPT_TRIM_BYTES: libc::c_int = 512 << 20;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const KEPT_MMAP_BYTES: libc::c_int = 32 << 20;
/// glibc's starting value for both thresholds.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const DEFAULT_THRESHOLD_BYTES: libc::c_int = 128 << 10;

/// Rebuilds running, and what the first of them found.
static HOLDERS: Mutex<Holders> = Mutex::new(Holders {
    count: 0,
    purge_delay: 0,
    huge_pages_off: false,
});

struct Holders {
    count: usize,
    /// mimalloc's purge delay before the first rebuild started.
    purge_delay: libc::c_long,
    /// Whether the process had transparent huge pages turned off before then.
    huge_pages_off: bool,
}

/// Keeps freed memory in the process until dropped.
pub(crate) struct KeptMemory(());

impl KeptMemory {
    pub fn while_rebuilding() -> Self {
        let mut holders = HOLDERS.lock().unwrap_or_else(|e| e.into_inner());
        if holders.count == 0 {
            // SAFETY: mimalloc's options may be read and set at any time, from any thread.
            holders.purge_delay = unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) };
            unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
            set_glibc_thresholds(KEPT_TRIM_BYTES, KEPT_MMAP_BYTES);
            holders.huge_pages_off = huge_pages_off();
            set_huge_pages_off(true);
        }
        holders.count += 1;
        KeptMemory(())
    }
}

impl Drop for KeptMemory {
    fn drop(&mut self) {
        let mut holders = HOLDERS.lock().unwrap_or_else(|e| e.into_inner());
        holders.count -= 1;
        if holders.count == 0 {
            // SAFETY: as above; collecting returns free memory, whichever thread asks.
            unsafe {
                mi::mi_option_set(MI_OPTION_PURGE_DELAY, holders.purge_delay);
                mi::mi_collect(true);
            }
            set_glibc_thresholds(DEFAULT_THRESHOLD_BYTES, DEFAULT_THRESHOLD_BYTES);
            trim_glibc();
            set_huge_pages_off(holders.huge_pages_off);
        }
    }
}

/// Whether transparent huge pages are off for this process.
#[cfg(target_os = "linux")]
fn huge_pages_off() -> bool {
    // SAFETY: reads the process's flag; no memory is passed.
    unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1 }
}

/// Turns transparent huge pages off (or back on) for this process, for memory faulted in from
/// now on. mimalloc asks for huge pages on its arenas where the kernel offers them, so every
/// first touch of a 2 MiB page had the kernel zero all of it, used or not. With huge pages off
/// a 1,018,368-event SQLite rebuild took 7.24–7.88 s against 8.00–8.58 s, with 40% less
/// system time (BENCHMARKS.md, session 17).
#[cfg(target_os = "linux")]
fn set_huge_pages_off(off: bool) {
    // SAFETY: sets the process's flag; a refusal (an old kernel) leaves huge pages as they are.
    unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, libc::c_ulong::from(off), 0, 0, 0) };
}

#[cfg(not(target_os = "linux"))]
fn huge_pages_off() -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
fn set_huge_pages_off(_off: bool) {}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_glibc_thresholds(trim: libc::c_int, mmap: libc::c_int) {
    // SAFETY: `mallopt` only changes the allocator's parameters; a refused value is ignored.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, trim);
        libc::mallopt(libc::M_MMAP_THRESHOLD, mmap);
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_glibc() {
    // SAFETY: returns free memory at the top of glibc's heaps; nothing in use moves.
    unsafe { libc::malloc_trim(0) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_glibc_thresholds(_trim: libc::c_int, _mmap: libc::c_int) {}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_glibc() {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set in the child process the test below starts.
    const CHILD: &str = "HRLEDGER_PURGE_DELAY_CHILD";

    #[test]
    fn the_purge_delay_option_is_the_one_mimalloc_reads_from_its_environment() {
        if std::env::var_os(CHILD).is_some() {
            // SAFETY: reading an option.
            assert_eq!(unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) }, 4_321);
            return;
        }
        // mimalloc reads its environment once, so the check runs in a process of its own.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "kept_memory::tests::the_purge_delay_option_is_the_one_mimalloc_reads_from_its_environment",
            ])
            .env(CHILD, "1")
            .env("MIMALLOC_PURGE_DELAY", "4321")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "option {MI_OPTION_PURGE_DELAY} is not the purge delay"
        );
    }

    /// The settings are the process's: tests that change them take turns.
    static SETTINGS: Mutex<()> = Mutex::new(());

    #[test]
    fn the_last_rebuild_to_end_puts_the_purge_delay_back() {
        let _turn = SETTINGS.lock().unwrap_or_else(|e| e.into_inner());
        let before = unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) };
        let first = KeptMemory::while_rebuilding();
        let second = KeptMemory::while_rebuilding();
        assert_eq!(unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) }, -1);
        drop(first);
        assert_eq!(unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) }, -1);
        drop(second);
        assert_eq!(unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) }, before);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_while_a_rebuild_runs_and_as_before_after() {
        let _turn = SETTINGS.lock().unwrap_or_else(|e| e.into_inner());
        let before = huge_pages_off();
        let rebuild = KeptMemory::while_rebuilding();
        assert!(huge_pages_off());
        drop(rebuild);
        assert_eq!(huge_pages_off(), before);
    }
}
