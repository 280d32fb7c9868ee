//! `audit-daemon` while its log refuses records (suspended at `max_log_file`):
//! the refusal is told once, not once per batch, and when logging works again
//! the daemon tells how many records were not logged.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the daemon if the test fails before stopping it, gives its
/// registration back and puts `enabled` back.
struct DaemonGuard(Child, u32);

impl Drop for DaemonGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
        if let Ok(mut s) = audit_netlink::AuditSocket::open() {
            if s.get_status().is_ok_and(|st| st.pid == self.0.id()) {
                let _ = s.unregister_daemon();
            }
            if s.get_status().is_ok_and(|st| st.enabled != self.1) {
                let _ = s.set_enabled(self.1 != 0);
            }
        }
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on the pid of our own child, not yet reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(15);
    while !ok() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

fn status() -> audit_netlink::audit_wire::status::Status {
    audit_netlink::AuditSocket::open()
        .and_then(|mut s| s.get_status())
        .unwrap()
}

/// `auditctl -m TEXT`: a user record through the kernel.
fn user_message(text: &str) {
    let done = Command::new("auditctl")
        .args(["-m", text])
        .status()
        .unwrap();
    assert!(done.success());
}

#[test]
fn records_refused_by_a_suspended_log_are_told_once_then_counted() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    std::fs::create_dir(dir.path().join("plugins.d")).unwrap();
    std::fs::write(
        dir.path().join("auditd.conf"),
        format!(
            "log_file = {}\nlog_format = RAW\nflush = INCREMENTAL_ASYNC\nfreq = 50\n\
             plugin_dir = {}\nmax_log_file = 1\nmax_log_file_action = suspend\nnum_logs = 2\n",
            log.display(),
            dir.path().join("plugins.d").display()
        ),
    )
    .unwrap();
    // Full at start: the log is suspended before the first record.
    std::fs::write(&log, "x".repeat(1 << 20) + "\n").unwrap();
    let enabled = status().enabled;
    let set = if enabled == 0 { "enable" } else { "nochange" };
    let child = Command::new(env!("CARGO_BIN_EXE_audit-daemon"))
        .args(["-f", "-s", set, "-c"])
        .arg(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut daemon = DaemonGuard(child, enabled);
    let pid = daemon.0.id();
    wait_for("registration", || status().pid == pid);

    // Records well apart: each comes in a batch of its own.
    let me = std::process::id();
    let refused = 4;
    for i in 0..refused {
        user_message(&format!("audit-daemon-unlogged-{me}-{i}"));
        std::thread::sleep(Duration::from_millis(300));
    }
    std::fs::rename(&log, dir.path().join("full.log")).unwrap();
    signal(&daemon.0, libc::SIGUSR2);
    wait_for("DAEMON_RESUME", || {
        read(&log).contains("type=DAEMON_RESUME ")
    });

    signal(&daemon.0, libc::SIGTERM);
    let exit = daemon.0.wait().unwrap();
    let mut stderr = String::new();
    if let Some(mut e) = daemon.0.stderr.take() {
        e.read_to_string(&mut stderr).unwrap();
    }
    assert!(exit.success(), "{exit:?}: {stderr}");
    let told: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("records not logged"))
        .collect();
    assert_eq!(told.len(), 1, "told once: {stderr}");
    // DAEMON_START and the user records were refused; how many is told once
    // the log takes records again.
    let counted = stderr
        .lines()
        .find_map(|l| {
            l.split("logging again: ")
                .nth(1)?
                .strip_suffix(" records were not logged")?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or_else(|| panic!("no count of the records not logged: {stderr}"));
    assert!(counted > refused, "{counted} records counted: {stderr}");
    let full = read(&dir.path().join("full.log"));
    assert!(!full.contains(&format!("audit-daemon-unlogged-{me}")));
}
