//! Test support for tests that change the kernel's (machine-global) audit state.
//!
//! Every live test takes [`live_lock`] first: it is an exclusive `flock` on one file,
//! so live tests of every test binary, crate and worktree on the machine run one at a
//! time, whatever the test harness parallelism.
//!
//! ```no_run
//! let _guard = audit_testlock::live_lock();
//! if !audit_testlock::live_kernel_available() { return; }
//! // ... add a rule, trigger, receive, delete ...
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::path::Path;

/// Where the lock lives. `/run/lock` is a tmpfs on Debian; fall back to `/tmp`.
fn lock_path() -> &'static Path {
    if Path::new("/run/lock").is_dir() {
        Path::new("/run/lock/linux-audit-rs-live-tests.lock")
    } else {
        Path::new("/tmp/linux-audit-rs-live-tests.lock")
    }
}

/// Holds the machine-wide live-test lock until dropped.
#[derive(Debug)]
pub struct LiveGuard {
    _file: File,
}

/// Take the machine-wide lock for live audit tests, waiting for other holders.
///
/// # Panics
/// Panics when the lock file cannot be opened or locked: a test must not run
/// unserialised against the kernel.
pub fn live_lock() -> LiveGuard {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path())
        .expect("open the live-test lock file");
    file.lock().expect("lock the live-test lock file");
    LiveGuard { _file: file }
}

/// Whether live kernel tests can run here: we are root and the kernel has audit.
///
/// When they cannot, this prints a loud `SKIPPED` line on stderr saying why, and the
/// caller returns early. On this project's machines (root, `CONFIG_AUDIT`) it is
/// always true, and `AUDIT_LIVE_REQUIRED=1` (set by `.ci/run`) turns a skip into a
/// panic so CI cannot go green without running them.
pub fn live_kernel_available() -> bool {
    let reason = if !is_root() {
        Some("not running as root")
    } else if !Path::new("/proc/self/loginuid").exists() {
        Some("kernel has no audit support (/proc/self/loginuid missing)")
    } else {
        None
    };
    match reason {
        None => true,
        Some(why) => {
            if std::env::var_os("AUDIT_LIVE_REQUIRED").is_some_and(|v| v == "1") {
                panic!("live audit test cannot run: {why}, and AUDIT_LIVE_REQUIRED=1");
            }
            eprintln!("SKIPPED live audit test: {why}");
            false
        }
    }
}

fn is_root() -> bool {
    // /proc/self/status "Uid:" line: real, effective, saved, fs.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_is_reentrant_across_sequential_guards() {
        let a = live_lock();
        drop(a);
        let _b = live_lock();
    }

    #[test]
    fn root_detection_agrees_with_id() {
        let out = std::process::Command::new("id").arg("-u").output().unwrap();
        let uid = String::from_utf8(out.stdout).unwrap();
        assert_eq!(is_root(), uid.trim() == "0");
    }
}
