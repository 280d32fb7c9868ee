//! `audit-daemon` while its log refuses records (suspended at `max_log_file`):
//! the refusal is told once, not once per batch, and when logging works again
//! the daemon tells how many records were not logged.

mod daemon_support;

use daemon_support::{read, user_message, wait_for, Setup};
use std::time::Duration;

#[test]
fn records_refused_by_a_suspended_log_are_told_once_then_counted() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let setup = Setup::new("max_log_file = 1\nmax_log_file_action = suspend\nnum_logs = 2\n");
    let (dir, log) = (&setup.dir, &setup.log);
    // Full at start: the log is suspended before the first record.
    std::fs::write(log, "x".repeat(1 << 20) + "\n").unwrap();
    let mut daemon = setup.start_registered();

    // Records well apart: each comes in a batch of its own.
    let me = std::process::id();
    let refused = 4;
    for i in 0..refused {
        user_message(&format!("audit-daemon-unlogged-{me}-{i}"));
        std::thread::sleep(Duration::from_millis(300));
    }
    std::fs::rename(log, dir.path().join("full.log")).unwrap();
    daemon.signal(libc::SIGUSR2);
    wait_for("DAEMON_RESUME", || {
        read(log).contains("type=DAEMON_RESUME ")
    });

    let (exit, stderr) = daemon.stop();
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
