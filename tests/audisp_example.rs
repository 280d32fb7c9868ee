//! Differential test of the teaching example `audisp-example` against the C
//! program `tests/c/audisp_example.c` (libauparse 3.0.9, modelled on
//! audit-userspace's plugin example): for every audit log under `tests/data`, both
//! read the log as standard input and must print the same, byte for byte, once our
//! deliberate differences from libauparse are applied to the C side (see
//! `audit_testlock::libauparse`; each must be needed by some file). The parser's
//! own differential test, through the `auparse-walk` program, is audit-tools'
//! `differential_parse`.
//!
//! Needs `cc` and `apt-get install -y libauparse-dev libaudit-dev`.

mod support;

use std::collections::HashSet;

use audit_testlock::libauparse::{assert_all_used, c_input, normalise_audisp, Report};
use support::{c_program, corpus_logs, data_relative, example_bin, run};

#[test]
fn audisp_example_matches_libauparse() {
    let c_example = c_program("audisp_example");
    let ours = example_bin("audisp-example");
    let mut report = Report::new("audisp-example");
    let mut used = HashSet::new();
    for path in corpus_logs() {
        let rel = data_relative(&path);
        let c_path = c_input(&path, &mut used);
        let expected = normalise_audisp(&run(&c_example, &[], Some(&c_path)), &mut used);
        let got = run(&ours, &[], Some(&path));
        report.compare(&rel, "audisp", &expected, &got);
    }
    report.finish();
    assert_all_used(&used);
}

/// `--overflow=drop-newest` (the `name=value` form plugins get under auditd) is the
/// policy in force: with its output not read and a small queue, the reader goes on
/// reading and drops records, where the example's default (block) would stop it.
#[test]
fn overflow_given_as_name_value_is_kept() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::time::Duration;
    const RECORDS: usize = 20_000;
    let mut input = String::new();
    for serial in 1..=RECORDS {
        input.push_str(&format!(
            "type=SYSCALL msg=audit(1700000001.000:{serial}): arch=c000003e syscall=39 \
             success=yes exit=7 pid=7 uid=0 comm=\"x\"\n"
        ));
    }
    let mut child = Command::new(example_bin("audisp-example"))
        .args(["--overflow=drop-newest", "--capacity=10"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (done, written) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
        drop(stdin);
        let _ = done.send(());
    });
    // Nothing reads the output meanwhile: the handler is stuck on a full pipe.
    let finished = written.recv_timeout(Duration::from_secs(20)).is_ok();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let _ = child.wait();
    let printed = out.lines().filter(|l| l.starts_with("record type")).count();
    assert!(
        finished,
        "the reader stopped reading: the overflow policy is block"
    );
    assert!(printed < RECORDS, "{printed} records printed: none dropped");
}

/// A non-UTF-8 argument is reported; a closed stderr is no reason to panic.
#[test]
fn bad_arguments_and_a_closed_stderr_do_not_panic() {
    use std::os::unix::ffi::OsStrExt;
    use std::process::{Command, Stdio};
    let ours = example_bin("audisp-example");
    let out = Command::new(&ours)
        .arg(std::ffi::OsStr::from_bytes(b"--status-file=/tmp/\xff"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is not UTF-8"), "{stderr}");
    let mut closed = Command::new(&ours);
    closed.arg("--no-such-option").stdin(Stdio::null());
    assert_eq!(support::status_with_stderr_full(&mut closed), Some(2));
}
