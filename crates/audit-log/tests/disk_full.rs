//! A full disk: a 64 KiB tmpfs in a private mount namespace (`unshare -m`),
//! filled by this test program run again as a helper inside it. The
//! configured action is reported, every record is either in the log or
//! refused with an error, and the log ends with a whole line. The same for
//! write errors (EFBIG under a file-size limit) and `disk_error_action`.
//!
//! The helper (`FILL_LOG_HELPER=1 disk_full DIR ACTION`) writes records to
//! `DIR/audit.log` with `disk_full_action = ACTION` until writes have failed
//! for a while, then prints one line per outcome (`ok SERIAL`, `err SERIAL
//! KIND`), the notices (`notice ...`) and, after a `log` line, the log.

use audit_log::{Action, Flush, LogConfig, LogError, LogFormat, LogWriter};
use std::path::PathBuf;
use std::process::Command;

fn main() {
    if std::env::var_os("FILL_LOG_HELPER").is_some() {
        if let Err(e) = helper() {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    suspend_is_reported_and_taken();
    ignore_keeps_trying_and_cuts_no_line();
    halt_is_only_reported();
    disk_errors_run_disk_error_action();
    finished_lines_on_a_full_disk_run_the_action();
    println!("disk_full: 5 tests passed");
}

struct Run {
    ok: Vec<u64>,
    errors: Vec<(u64, String)>,
    notices: Vec<String>,
    log: String,
}

fn run(action: &str) -> Run {
    run_with(action, false, false)
}

/// Runs the helper: on a 64 KiB tmpfs, or (`fsize`) under a file-size limit
/// that makes writes fail with EFBIG, a disk error; with `lines`, the records
/// are written as finished lines ([`LogWriter::write_lines`]).
fn run_with(action: &str, fsize: bool, lines: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = if fsize {
        Command::new(std::env::current_exe().unwrap())
            .arg(dir.path())
            .arg(action)
            .arg("fsize")
            .env("FILL_LOG_HELPER", "1")
            .env("FILL_LOG_LINES", if lines { "1" } else { "" })
            .output()
            .unwrap()
    } else {
        Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c"])
            .arg(r#"mount -t tmpfs -o size=64k,mode=0700 audit-log-test "$0" && exec "$1" "$0" "$2""#)
            .arg(dir.path())
            .arg(std::env::current_exe().unwrap())
            .env("FILL_LOG_HELPER", "1")
            .env("FILL_LOG_LINES", if lines { "1" } else { "" })
            .arg(action)
            .output()
            .unwrap()
    };
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{action}: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing of the tmpfs reached the real directory.
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        usize::from(fsize)
    );
    let (report, log) = stdout.split_once("log\n").unwrap();
    let mut run = Run {
        ok: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
        log: log.to_string(),
    };
    for line in report.lines() {
        let words: Vec<&str> = line.splitn(3, ' ').collect();
        match words[..] {
            ["ok", s] => run.ok.push(s.parse().unwrap()),
            ["err", s, kind] => run.errors.push((s.parse().unwrap(), kind.to_string())),
            ["notice", ..] => run.notices.push(line["notice ".len()..].to_string()),
            _ => panic!("{line}"),
        }
    }
    run
}

/// The log holds exactly the records that were reported written, in order,
/// each whole.
fn check_log(action: &str, run: &Run) {
    assert!(
        run.log.ends_with('\n'),
        "{action}: last line cut: {:?}",
        &run.log[run.log.len().saturating_sub(80)..]
    );
    let serials: Vec<u64> = run
        .log
        .lines()
        .map(|l| {
            assert!(
                l.starts_with("type=CONFIG_CHANGE msg=audit(1700000000.000:")
                    && l.ends_with(" res=1"),
                "{action}: {l}"
            );
            let s = l.split("serial=").nth(1).unwrap();
            s[..s.find(' ').unwrap()].parse().unwrap()
        })
        .collect();
    assert_eq!(
        serials, run.ok,
        "{action}: the log is not the records written"
    );
    assert!(
        run.ok.len() > 100,
        "{action}: only {} records fit",
        run.ok.len()
    );
}

fn suspend_is_reported_and_taken() {
    let run = run("suspend");
    check_log("suspend", &run);
    assert_eq!(run.notices, ["DiskFull { action: Suspend }", "Suspended"]);
    // Every record after the full disk was refused, none silently lost.
    let last_ok = *run.ok.last().unwrap();
    assert_eq!(run.errors.len(), 50);
    assert!(run
        .errors
        .iter()
        .enumerate()
        .all(|(i, (s, _))| *s == last_ok + 1 + i as u64));
    assert!(
        run.errors[1..].iter().all(|(_, k)| k == "suspended"),
        "{:?}",
        run.errors
    );
}

fn ignore_keeps_trying_and_cuts_no_line() {
    for action in ["ignore", "syslog"] {
        let run = run(action);
        check_log(action, &run);
        let want = format!(
            "DiskFull {{ action: {}{} }}",
            action[..1].to_uppercase(),
            &action[1..]
        );
        assert_eq!(run.notices, [want], "{action}");
        assert!(
            run.errors.iter().all(|(_, k)| k == "diskfull"),
            "{action}: {:?}",
            run.errors
        );
    }
}

fn halt_is_only_reported() {
    // The writer never halts nor singles the machine: it tells the caller.
    for (action, name) in [("halt", "Halt"), ("single", "Single")] {
        let run = run(action);
        check_log(action, &run);
        assert_eq!(run.notices, [format!("DiskFull {{ action: {name} }}")]);
    }
}

fn disk_errors_run_disk_error_action() {
    let run = run_with("suspend", true, false);
    check_log("error suspend", &run);
    assert_eq!(run.notices.len(), 2, "{:?}", run.notices);
    assert!(
        run.notices[0].starts_with("DiskError { op: \"write\", error: \"File too large"),
        "{:?}",
        run.notices
    );
    assert!(
        run.notices[0].ends_with("action: Suspend }"),
        "{:?}",
        run.notices
    );
    assert_eq!(run.notices[1], "Suspended");
    assert_eq!(run.errors[0].1, "error");
    assert!(
        run.errors[1..].iter().all(|(_, k)| k == "suspended"),
        "{:?}",
        run.errors
    );

    // syslog: reported five times in a row, then quiet; writing goes on
    // being tried, each failure an error.
    let run = run_with("syslog", true, false);
    check_log("error syslog", &run);
    assert_eq!(run.notices.len(), 5, "{:?}", run.notices);
    assert!(
        run.notices.iter().all(|n| n.ends_with("action: Syslog }")),
        "{:?}",
        run.notices
    );
    assert!(
        run.errors.iter().all(|(_, k)| k == "error"),
        "{:?}",
        run.errors
    );
}

/// Lines appended whole (a remote receiver's records) meet a full disk as
/// the writer's own do: the action runs, the log ends with a whole line, and
/// a write error runs the disk-error action.
fn finished_lines_on_a_full_disk_run_the_action() {
    let run = run_with("suspend", false, true);
    check_log("lines suspend", &run);
    assert_eq!(run.notices, ["DiskFull { action: Suspend }", "Suspended"]);
    assert!(
        run.errors[1..].iter().all(|(_, k)| k == "suspended"),
        "{:?}",
        run.errors
    );
    let run = run_with("ignore", false, true);
    check_log("lines ignore", &run);
    assert_eq!(run.notices, ["DiskFull { action: Ignore }"]);
    assert!(run.errors.iter().all(|(_, k)| k == "diskfull"));
    let run = run_with("suspend", true, true);
    check_log("lines error suspend", &run);
    assert!(
        run.notices[0].starts_with("DiskError { op: \"write\", error: \"File too large"),
        "{:?}",
        run.notices
    );
}

fn helper() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(action)) = (args.next(), args.next()) else {
        return Err("usage: fill_log DIR ignore|syslog|suspend|single|halt".into());
    };
    let action = match action.as_str() {
        "ignore" => Action::Ignore,
        "syslog" => Action::Syslog,
        "suspend" => Action::Suspend,
        "single" => Action::Single,
        "halt" => Action::Halt,
        other => return Err(format!("unknown action {other}").into()),
    };
    let fsize = args.next().as_deref() == Some("fsize");
    let lines = std::env::var_os("FILL_LOG_LINES").is_some_and(|v| v == "1");
    let log_file = PathBuf::from(dir).join("audit.log");
    let mut config = LogConfig {
        log_file: log_file.clone(),
        log_format: LogFormat::Raw,
        flush: Flush::Incremental,
        freq: 10,
        ..LogConfig::default()
    };
    if fsize {
        config.disk_error_action = action;
        // SAFETY: setting a signal's disposition to SIG_IGN before any other
        // thread exists; writes past the limit then fail with EFBIG rather
        // than killing the process.
        unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
        let limit = rustix::process::Rlimit {
            current: Some(40_000),
            maximum: Some(40_000),
        };
        rustix::process::setrlimit(rustix::process::Resource::Fsize, limit)?;
    } else {
        config.disk_full_action = action;
    }
    let mut w = LogWriter::open(config)?;
    let mut failures = 0;
    let mut serial = 0u64;
    while failures < 50 {
        serial += 1;
        // Lines of varying length, so that one ends across a page boundary.
        let payload = format!(
            "audit(1700000000.000:{serial}): op=fill serial={serial} pad={} res=1",
            "x".repeat(100 + (serial as usize * 37) % 200)
        );
        let written = if lines {
            let line = format!("type=CONFIG_CHANGE msg={payload}\n");
            w.write_lines(&[line]).map(|_| ())
        } else {
            w.write_record(audit_wire::RecordType::CONFIG_CHANGE, payload.as_bytes())
                .map(|_| ())
        };
        match written {
            Ok(_) => println!("ok {serial}"),
            Err(e) => {
                failures += 1;
                let kind = match e {
                    LogError::DiskFull { .. } => "diskfull",
                    LogError::Suspended => "suspended",
                    LogError::Io { op: "write", .. } => "error",
                    _ => "other",
                };
                println!("err {serial} {kind}");
            }
        }
        for n in w.take_notices() {
            println!("notice {n:?}");
        }
    }
    drop(w);
    println!("log");
    print!("{}", std::fs::read_to_string(&log_file)?);
    Ok(())
}
