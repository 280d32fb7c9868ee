//! `audit-daemon` logging an exec storm to a full disk: a 64 KiB tmpfs mounted
//! on the log's directory in the daemon's own mount namespace (`unshare -m`),
//! with `disk_full_action` = exec, syslog or suspend. The action runs, the log
//! ends with a whole line, what was not written is reported, and every record
//! still reaches the plugin.

mod daemon_support;

use audit_testlock::namespace::Private;
use daemon_support::*;
use std::path::{Path, PathBuf};

/// Execs in the storm: several times what fits in 64 KiB.
const EXECS: u32 = 300;

struct Outcome {
    /// The log as the daemon left it (read through `/proc/PID/root` before it
    /// stopped: the tmpfs goes with its namespace).
    log: String,
    /// What the plugin received.
    plugin: String,
    /// The daemon's messages.
    stderr: String,
    key: String,
}

fn storm_to_a_full_disk(kernel: &mut KernelState, dir: &Path, action: &str) -> Outcome {
    let logs = dir.join("logs");
    std::fs::create_dir(&logs).unwrap();
    let plugin_out = dir.join("plugin.out");
    let plugin = dir.join("plugin");
    script(&plugin, &format!("exec cat > {}", plugin_out.display()));
    // The daemon's configuration, with the log on the tmpfs.
    write_config(
        dir,
        &format!(
            "log_format = RAW\nflush = INCREMENTAL_ASYNC\nfreq = 50\nnum_logs = 2\n\
             max_log_file = 100\nspace_left = 0\nadmin_space_left = 0\n\
             space_left_action = ignore\nadmin_space_left_action = ignore\n\
             disk_full_action = {action}\ndisk_error_action = syslog\n\
             q_depth = 10000\n"
        ),
    );
    let conf = dir.join("auditd.conf");
    let text = read(&conf).replace(
        &format!("log_file = {}", dir.join("audit.log").display()),
        &format!("log_file = {}", logs.join("audit.log").display()),
    );
    std::fs::write(&conf, text).unwrap();
    add_plugin(dir, "cat", &plugin, "", "string");

    let mount = format!(
        "mount -t tmpfs -o size=64k,mode=0700 hd2-disk-full {} && exec \"$0\" \"$@\"",
        logs.display()
    );
    // The tmpfs in the daemon's own mount namespace, then the daemon.
    let prefix: Vec<&str> = ["unshare"]
        .iter()
        .chain(Private::Mounts.unshare_options())
        .chain(&["--", "sh", "-c", &mount])
        .copied()
        .collect();
    let daemon = start_ours(dir, &prefix);
    let label = action.split(' ').next().unwrap_or(action);
    let key = format!("hd2-full-{label}-{}", std::process::id());
    let storm = Storm::new(EXECS);
    let rule = storm.rule(&key);
    kernel.add_rule(&rule.iter().map(String::as_str).collect::<Vec<_>>());
    storm.run();
    let all_at_plugin = wait_until(20, || {
        keyed_syscalls(&read(&plugin_out), &key) >= EXECS as usize
    });
    kernel.delete_rules();
    // The daemon writes a batch to the log before it hands it to the plugins:
    // once the plugin has the rule's removal, the last write (or its cut-off
    // after a failure) is done, and the log can be read whole.
    let removal = format!("op=remove_rule key=\"{key}\"");
    let removed = wait_until(10, || read(&plugin_out).contains(&removal));
    // The log as the daemon sees it, on its tmpfs.
    let log_in_ns = PathBuf::from(format!("/proc/{}/root", daemon.pid()))
        .join(logs.strip_prefix("/").unwrap())
        .join("audit.log");
    let log = read(&log_in_ns);
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{action}: {status:?}: {stderr}");
    assert!(
        removed,
        "{action}: the rule's removal never reached the plugin"
    );
    assert!(
        all_at_plugin,
        "{action}: the plugin got {} of {EXECS} execs\n{stderr}\n{}",
        keyed_syscalls(&read(&plugin_out), &key),
        read(&plugin_out)
            .lines()
            .take(12)
            .collect::<Vec<_>>()
            .join("\n")
    );
    Outcome {
        log,
        plugin: read(&plugin_out),
        stderr,
        key,
    }
}

/// What holds whatever the action: the disk did fill, the log ends with a
/// whole line, and the records not logged were reported.
fn check_common(action: &str, o: &Outcome) {
    let in_log = keyed_syscalls(&o.log, &o.key);
    assert!(
        in_log > 0 && in_log < EXECS as usize,
        "{action}: {in_log} of {EXECS} execs in the log: the disk never filled"
    );
    assert!(
        o.log.ends_with('\n'),
        "{action}: the log's last line is cut: {:?}",
        &o.log[o.log.len().saturating_sub(100)..]
    );
    assert!(
        o.log.lines().all(|l| l.starts_with("type=")),
        "{action}: a line of the log is not a whole record"
    );
    assert_eq!(
        keyed_syscalls(&o.plugin, &o.key),
        EXECS as usize,
        "{action}: the plugin lost records"
    );
    assert!(
        o.stderr.contains("records not logged"),
        "{action}: the records not written were not reported:\n{}",
        o.stderr
    );
}

#[test]
fn a_full_disk_runs_its_action_reports_what_is_not_logged_and_cuts_no_line() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut kernel = KernelState::save_and_enable();

    // exec: the script runs (once per full disk); as auditd closes its log
    // for the script, logging waits for a resume.
    let dir = tempfile::tempdir().unwrap();
    let ran = dir.path().join("action.ran");
    let action = dir.path().join("disk-full-action");
    script(&action, &format!("echo ran >> {}", ran.display()));
    let o = storm_to_a_full_disk(
        &mut kernel,
        dir.path(),
        &format!("exec {}", action.display()),
    );
    check_common("exec", &o);
    assert!(
        wait_until(5, || read(&ran) == "ran\n"),
        "the exec action did not run (once): {:?}\n{}",
        read(&ran),
        o.stderr
    );

    // syslog: the daemon says so (on stderr with -f).
    let dir = tempfile::tempdir().unwrap();
    let o = storm_to_a_full_disk(&mut kernel, dir.path(), "syslog");
    check_common("syslog", &o);
    // Told once; writing goes on failing (each time reported).
    assert!(
        o.stderr.contains("DiskFull { action: Syslog }") && o.stderr.contains("no space left"),
        "{}",
        o.stderr
    );

    // suspend: logging stops, and what follows is reported as not logged.
    let dir = tempfile::tempdir().unwrap();
    let o = storm_to_a_full_disk(&mut kernel, dir.path(), "suspend");
    check_common("suspend", &o);
    assert!(
        o.stderr.contains("DiskFull { action: Suspend }")
            && o.stderr.contains("logging is suspended"),
        "{}",
        o.stderr
    );
}
