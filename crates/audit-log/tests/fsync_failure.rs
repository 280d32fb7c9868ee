//! A log whose syncs really fail: a tracefs `trace_marker` (its fsync gives
//! EINVAL) bind-mounted over the log's path in a private mount namespace
//! (`unshare -m`), with this test program run again inside it as the helper.
//! The marker belongs to a tracing instance made for the test and removed
//! after it, so nothing is written to the system's own trace buffer.
//!
//! Needs root and tracefs at /sys/kernel/tracing; skips loudly otherwise
//! (`audit_testlock::skip`: a failure where live tests are required).

use audit_log::{Action, Durability, Flush, LogConfig, LogError, LogFormat, LogWriter, Notice};
use audit_log::{SizeAction, Written};
use audit_wire::RecordType;
use std::path::{Path, PathBuf};
use std::process::Command;

const TEST_NAME: &str = "a_log_that_cannot_be_synced";
const HELPER_ENV: &str = "FSYNC_FAILURE_HELPER";
const TRACEFS_INSTANCES: &str = "/sys/kernel/tracing/instances";

/// The cases the helper runs, each in a namespace of its own.
const CASES: [&str; 4] = [
    "suspend-incremental",
    "suspend-incremental-async",
    "persistent-suspend",
    "close-flush-none",
];

#[test]
fn a_log_that_cannot_be_synced() {
    if let Ok(case) = std::env::var(HELPER_ENV) {
        let dir = PathBuf::from(std::env::var_os("FSYNC_FAILURE_DIR").unwrap());
        helper(&case, &dir);
        println!("helper done: {case}");
        return;
    }
    let Some(instance) = TraceInstance::make() else {
        return;
    };
    let mut failed = Vec::new();
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.log");
        std::fs::write(&log, "").unwrap();
        let out = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c"])
            .arg(r#"mount --bind "$0" "$1" && exec "$2" --exact "$3" --nocapture --test-threads=1"#)
            .arg(instance.0.join("trace_marker"))
            .arg(&log)
            .arg(std::env::current_exe().unwrap())
            .arg(TEST_NAME)
            .env(HELPER_ENV, case)
            .env("FSYNC_FAILURE_DIR", dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !stdout.contains(&format!("helper done: {case}")) {
            failed.push(format!(
                "{case}: {}\n{stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        // The bind mount ended with the namespace: the real file is empty.
        assert_eq!(std::fs::read(&log).unwrap(), b"", "{case}");
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// A tracing instance of the test's own, removed on drop.
struct TraceInstance(PathBuf);

impl TraceInstance {
    fn make() -> Option<TraceInstance> {
        let path =
            Path::new(TRACEFS_INSTANCES).join(format!("audit-log-fsync-{}", std::process::id()));
        match std::fs::create_dir(&path) {
            Ok(()) => Some(TraceInstance(path)),
            Err(e) => {
                // A skip fails where live tests are required (CI).
                audit_testlock::skip(format!(
                    "{TEST_NAME}: cannot make a tracing instance {} ({e}): needs root and tracefs",
                    path.display()
                ));
                None
            }
        }
    }
}

impl Drop for TraceInstance {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir(&self.0) {
            eprintln!(
                "could not remove tracing instance {}: {e}",
                self.0.display()
            );
        }
    }
}

fn config(dir: &Path, flush: Flush) -> LogConfig {
    LogConfig {
        log_file: dir.join("audit.log"),
        log_format: LogFormat::Raw,
        flush,
        disk_error_action: Action::Syslog,
        ..LogConfig::default()
    }
}

/// The error tracefs gives a sync.
fn is_einval_fsync(e: &LogError) -> bool {
    let einval = rustix::io::Errno::INVAL.raw_os_error();
    matches!(e, LogError::Io { op: "fsync", source, .. } if source.raw_os_error() == Some(einval))
}

fn fsync_errors(notices: &[Notice]) -> usize {
    notices
        .iter()
        .filter(|n| matches!(n, Notice::DiskError { op: "fsync", .. }))
        .count()
}

/// Runs one case with the log at `dir/audit.log` a trace marker.
fn helper(case: &str, dir: &Path) {
    match case {
        // The reviewer's reproduction: past max_log_file = 1, suspended
        // with the records unsynced; durable() used to say OnDisk.
        "suspend-incremental" | "suspend-incremental-async" => {
            let flush = if case == "suspend-incremental" {
                Flush::Incremental
            } else {
                Flush::IncrementalAsync
            };
            let mut w = LogWriter::open(LogConfig {
                max_log_file: 1,
                max_log_file_action: SizeAction::Suspend,
                ..config(dir, flush)
            })
            .unwrap();
            let line = [[b'x'; 1023].as_slice(), b"\n"].concat();
            let lines = vec![line; 1025];
            assert_eq!(w.write_lines(&lines).unwrap(), 1025);
            assert!(w.is_suspended());
            let notices = w.take_notices();
            assert_eq!(fsync_errors(&notices), 1, "{notices:?}");
            let err = w.durable().unwrap_err();
            assert!(is_einval_fsync(&err), "{err}");
        }
        // disk_error_action = suspend, every sync failing: used to recurse
        // until the stack overflowed.
        "persistent-suspend" => {
            let mut w = LogWriter::open(LogConfig {
                freq: 1,
                disk_error_action: Action::Suspend,
                ..config(dir, Flush::Incremental)
            })
            .unwrap();
            let payload = b"audit(1700000000.000:1): op=test res=1";
            assert_eq!(
                w.write_record(RecordType::CONFIG_CHANGE, payload).unwrap(),
                Written::Logged
            );
            assert!(w.is_suspended());
            let notices = w.take_notices();
            assert_eq!(fsync_errors(&notices), 1, "{notices:?}");
            assert_eq!(notices.last(), Some(&Notice::Suspended), "{notices:?}");
            let err = w.durable().unwrap_err();
            assert!(is_einval_fsync(&err), "{err}");
        }
        // close() syncs with flush = none too, as auditd's shutdown.
        "close-flush-none" => {
            let mut w = LogWriter::open(config(dir, Flush::None)).unwrap();
            let payload = b"audit(1700000000.000:1): op=test res=1";
            w.write_record(RecordType::CONFIG_CHANGE, payload).unwrap();
            assert_eq!(w.durable().unwrap(), Durability::Written);
            let err = w.close().unwrap_err();
            assert!(is_einval_fsync(&err), "{err}");
        }
        other => panic!("unknown case {other}"),
    }
}
