//! Programs a test starts: a child killed if the test fails before it stops it, and a
//! command that must succeed.
//!
//! ```no_run
//! use audit_testlock::process::{run_ok, Started};
//! run_ok("ip", &["link", "set", "lo", "up"]);
//! let server = Started(std::process::Command::new("sleep").arg("60").spawn().unwrap());
//! drop(server); // killed by its pid, and reaped
//! ```

use std::process::{Child, Command};

/// A started program, killed (SIGKILL, by its pid) and reaped when dropped while it
/// still runs: a failing test leaves no process behind.
#[derive(Debug)]
pub struct Started(pub Child);

impl Drop for Started {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Runs `program` with `args`, its output going where the test's goes.
///
/// # Panics
/// When it cannot start or exits unsuccessfully, naming the command and its status.
pub fn run_ok(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {program} {args:?}: {e}"));
    assert!(status.success(), "{program} {args:?}: {status}");
}
