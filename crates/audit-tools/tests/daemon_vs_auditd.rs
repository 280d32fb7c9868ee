//! The same exec storm logged by `audit-daemon` and then by the real auditd 3.0.9,
//! with the same rule and settings: `ausearch -i` and `aureport --summary` count
//! the same events in both logs.

mod daemon_support;

use daemon_support::*;
use std::path::Path;
use std::process::Command;

/// Execs in the storm.
const EXECS: u32 = 300;

/// What the C tools count in one log.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    /// Events `ausearch -i -k KEY` finds.
    events: usize,
    /// Their interpreted SYSCALL records naming execve.
    execve_syscalls: usize,
    /// Their EXECVE records.
    execve_records: usize,
    /// `aureport --summary -k`: the key's line.
    key_summary: usize,
}

fn tool(args: &[&str], log: &Path) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .arg("-if")
        .arg(log)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} on {}: {}",
        log.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn counts(log: &Path, key: &str) -> Counts {
    let found = tool(&["ausearch", "-i", "-k", key], log);
    let events = found.lines().filter(|l| l.starts_with("----")).count();
    let execve_syscalls = found
        .lines()
        .filter(|l| l.starts_with("type=SYSCALL ") && l.contains(" syscall=execve "))
        .count();
    let execve_records = found
        .lines()
        .filter(|l| l.starts_with("type=EXECVE "))
        .count();
    // aureport's key summary: "total  key" lines after its header.
    let report = tool(&["aureport", "-k", "--summary"], log);
    let key_summary = report
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let n = w.next()?.parse::<usize>().ok()?;
            (w.next()? == key).then_some(n)
        })
        .sum();
    Counts {
        events,
        execve_syscalls,
        execve_records,
        key_summary,
    }
}

/// One storm logged by the daemon that `start` runs in `dir`.
fn storm_under(
    kernel: &mut KernelState,
    dir: &Path,
    key: &str,
    start: impl FnOnce(&Path) -> Daemon,
) -> Counts {
    let log = write_config(
        dir,
        "log_format = RAW\nflush = INCREMENTAL_ASYNC\nfreq = 50\nnum_logs = 2\nmax_log_file = 100\n\
         space_left = 2\nadmin_space_left = 1\n",
    );
    let daemon = start(dir);
    let storm = Storm::new(EXECS);
    let rule = storm.rule(key);
    kernel.add_rule(&rule.iter().map(String::as_str).collect::<Vec<_>>());
    storm.run();
    let complete = wait_until(20, || keyed_syscalls(&read(&log), key) >= EXECS as usize);
    kernel.delete_rules();
    // The rule's removal is an event of the key too (as its addition): stop only
    // once it is logged, so that both logs end at the same record.
    let removal = format!("op=remove_rule key=\"{key}\"");
    let removed = wait_until(10, || read(&log).contains(&removal));
    let name = daemon.name;
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{name}: {status:?}: {stderr}");
    assert!(
        complete,
        "{name} logged {} of {EXECS} execs",
        keyed_syscalls(&read(&log), key)
    );
    assert!(removed, "{name} did not log the rule's removal");
    assert!(
        read(&log).ends_with('\n'),
        "{name}'s log ends in a whole line"
    );
    counts(&log, key)
}

#[test]
fn an_exec_storm_counts_the_same_in_our_log_and_in_auditds() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    if !Path::new(AUDITD).exists() {
        audit_testlock::skip(format!("{AUDITD} is not installed"));
        return;
    }
    let mut kernel = KernelState::save_and_enable();
    let lost_before = kernel.lost();
    let key = format!("hd2-storm-{}", std::process::id());

    let ours_dir = tempfile::tempdir().unwrap();
    let ours = storm_under(&mut kernel, ours_dir.path(), &key, |d| start_ours(d, &[]));
    let theirs_dir = tempfile::tempdir().unwrap();
    let theirs = storm_under(&mut kernel, theirs_dir.path(), &key, start_auditd);
    let lost = kernel.lost() - lost_before;

    let n = EXECS as usize;
    assert_eq!(
        ours, theirs,
        "ours (left) and auditd's (right) logs of the same storm"
    );
    assert_eq!(
        theirs,
        Counts {
            events: n + 2,
            execve_syscalls: n,
            execve_records: n,
            key_summary: n + 2
        },
        "auditd's log has every exec and the rule's addition and removal (kernel lost {lost})"
    );
    assert_eq!(lost, 0, "the kernel lost records");
    assert!(
        audit_testlock::daemon_slot_free(),
        "the slot was given back"
    );
}
