//! Differential test of `ausearch-format` (`audit_tools::ausearch_format`) against the installed
//! `ausearch` (auditd 3.0.9): `ausearch -if FILE --format csv` and
//! `--format text` (and csv with every extra column, and escape modes), byte
//! for byte and by
//! exit status, for every log under `tests/data` and `tests/normalize_data`;
//! and once through a pipe on standard input.
//!
//! Both run with `LC_ALL=C` and a fixed `TZ`. Every difference must be a
//! [`KNOWN`] entry, and every entry must still be needed.
//!
//! Also: what both print when nothing matches, a line far longer than
//! ausearch's line buffer, and logs whose times run backwards or interleave
//! (made from the corpus here), each compared with ausearch.
//!
//! Needs `apt-get install -y auditd` (for `ausearch`).

use audit_testlock::corpus::{corpus_and_normalize_logs, log_name};
use audit_testlock::reference::{first_difference, workspace_dir};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod output_support;
use output_support::{assert_closed_pipe_quiet_full_disk_named, status_with_stderr_full};

/// The program under test.
const AUSEARCH_FORMAT: &str = env!("CARGO_BIN_EXE_ausearch-format");

/// A line that only the reference prints, on purpose.
struct Known {
    log: &'static str,
    /// A line that ausearch prints and we do not starts with this...
    starts: &'static str,
    /// ... and contains this (the time depends on `TZ`).
    contains: &'static str,
    why: &'static str,
}

const BOGUS: &str = "ausearch groups the line `#   execve(...)` as an event, and libauparse \
                     turns it into a time-0 event of one type-0 record; our parser reports \
                     such a line as an error (see tests/differential_parse.rs, \
                     NoBogusTimeZeroEvent)";

const KNOWN: &[Known] = &[
    Known {
        log: "peers/laurel/src/testdata/fork-sleep-exec.txt",
        starts: ",,01/01/70,",
        contains: ",0,unknown,,,,,did-unknown,,,,unknown,",
        why: BOGUS,
    },
    Known {
        log: "peers/laurel/src/testdata/fork-sleep-exec.txt",
        starts: ",,01/01/70,",
        contains: ",0,unknown,,,,,,did-unknown,,,,,,unknown,,",
        why: BOGUS,
    },
    Known {
        log: "peers/laurel/src/testdata/fork-sleep-exec.txt",
        starts: "At ",
        contains: " 01/01/70  did-unknown ",
        why: BOGUS,
    },
];

const TZ: &str = "UTC";
/// A zone with a half-hour offset, for the GMT_OFFSET column.
const TZ_EXTRA: &str = "Asia/Kolkata";

/// Runs a program; returns (stdout, exit code). Exit codes 0 and 1 (no
/// matches) are both normal.
fn output(program: &Path, args: &[&str], tz: &str, stdin: Option<&Path>) -> (Vec<u8>, i32) {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("LC_ALL", "C")
        .env("TZ", tz)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match stdin {
        Some(p) => {
            // A pipe, not a file: ausearch reads standard input only from a pipe.
            cmd.stdin(Stdio::piped());
            let mut child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {program:?}: {e}"));
            let data = std::fs::read(p).unwrap();
            let mut w = child.stdin.take().unwrap();
            let t = std::thread::spawn(move || {
                use std::io::Write;
                let _ = w.write_all(&data);
            });
            let out = child.wait_with_output().unwrap();
            t.join().unwrap();
            return (out.stdout, out.status.code().unwrap_or(-1));
        }
        None => cmd
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {program:?}: {e}")),
    };
    let _ = &mut child;
    let out = child.wait_with_output().unwrap();
    (out.stdout, out.status.code().unwrap_or(-1))
}

fn ausearch() -> PathBuf {
    for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
        let p = Path::new(dir).join("ausearch");
        if p.is_file() {
            return p;
        }
    }
    panic!("ausearch not found: apt-get install -y auditd");
}

#[test]
fn output_matches_ausearch() {
    let reference = ausearch();
    let ours = Path::new(AUSEARCH_FORMAT);
    let variants: [(&[&str], &str); 5] = [
        (&["--format", "csv"], TZ),
        (&["--format", "text"], TZ),
        (&["--format", "text", "--escape", "shell"], TZ),
        (&["--format", "csv", "--escape", "raw"], TZ),
        (
            &[
                "--format",
                "csv",
                "--extra-keys",
                "--extra-labels",
                "--extra-obj2",
                "--extra-time",
                "--escape",
                "shell_quote",
            ],
            TZ_EXTRA,
        ),
    ];
    let mut used = vec![false; KNOWN.len()];
    let mut failures = Vec::new();
    let mut lines = 0;
    for log in corpus_and_normalize_logs() {
        let name = log_name(&log);
        let path = log.to_str().unwrap();
        for (opts, tz) in variants {
            let mut args = vec!["-if", path];
            args.extend_from_slice(opts);
            let (mut r, rc_r) = output(&reference, &args, tz, None);
            let (o, rc_o) = output(ours, &args, tz, None);
            // Remove the reference lines we do not print on purpose.
            let mut kept = Vec::new();
            for line in r.split_inclusive(|&b| b == b'\n') {
                let text = String::from_utf8_lossy(line);
                let k = KNOWN.iter().position(|k| {
                    k.log == name && text.starts_with(k.starts) && text.contains(k.contains)
                });
                match k {
                    Some(i) => used[i] = true,
                    None => kept.extend_from_slice(line),
                }
            }
            r = kept;
            lines += r.iter().filter(|&&b| b == b'\n').count();
            if rc_r != rc_o {
                failures.push(format!(
                    "{name} {opts:?}: exit {rc_r} (ausearch) vs {rc_o} (ours)"
                ));
            }
            if let Some(d) = first_difference(&r, &o) {
                failures.push(format!("{name} {opts:?}:\n{d}"));
            }
        }
    }
    for (k, u) in KNOWN.iter().zip(&used) {
        if !u {
            failures.push(format!(
                "known difference no longer seen: {} {:?}..{:?} ({})",
                k.log, k.starts, k.contains, k.why
            ));
        }
    }
    assert!(lines > 300, "only {lines} lines compared");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn standard_input_matches_ausearch() {
    let log = workspace_dir().join("tests/data/captured/enriched.log");
    for fmt in ["csv", "text"] {
        let args = ["--format", fmt];
        let (r, rc_r) = output(&ausearch(), &args, TZ, Some(&log));
        let (o, rc_o) = output(Path::new(AUSEARCH_FORMAT), &args, TZ, Some(&log));
        assert_eq!((rc_r, rc_o), (0, 0));
        assert!(r.len() > 1000);
        if let Some(d) = first_difference(&r, &o) {
            panic!("{fmt} from a pipe:\n{d}");
        }
    }
}

#[test]
fn expression_filters_events() {
    let log = workspace_dir().join("tests/data/captured/raw.log");
    let path = log.to_str().unwrap();
    let ours = Path::new(AUSEARCH_FORMAT);
    let (all, _) = output(ours, &["--format", "csv", path], TZ, None);
    let (some, rc) = output(
        ours,
        &[
            "--format",
            "csv",
            "--expr",
            r"\record_type == CONFIG_CHANGE",
            path,
        ],
        TZ,
        None,
    );
    assert_eq!(rc, 0);
    let all = String::from_utf8(all).unwrap();
    let some = String::from_utf8(some).unwrap();
    let expected: Vec<&str> = all
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.starts_with(",CONFIG_CHANGE,"))
        .map(|(_, l)| l)
        .collect();
    assert!(expected.len() > 2);
    assert_eq!(some.lines().collect::<Vec<_>>(), expected);
    let (none, rc) = output(
        ours,
        &["--format", "text", "--expr", "uid == 123456", path],
        TZ,
        None,
    );
    assert_eq!((none.len(), rc), (0, 1));
}

/// Runs a program on a file; returns (stdout, stderr, exit code).
fn output_all(program: &Path, args: &[&str]) -> (Vec<u8>, Vec<u8>, i32) {
    let out = Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .env("TZ", TZ)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program:?}: {e}"));
    (out.stdout, out.stderr, out.status.code().unwrap_or(-1))
}

/// A file under the system's temporary directory, removed when dropped.
struct TempLog(PathBuf);

impl TempLog {
    fn new(name: &str, data: &[u8]) -> TempLog {
        let p =
            std::env::temp_dir().join(format!("ausearch-format-{}-{name}.log", std::process::id()));
        std::fs::write(&p, data).unwrap_or_else(|e| panic!("cannot write {p:?}: {e}"));
        TempLog(p)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempLog {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs ausearch and ours on `log` in both formats and compares standard
/// output, standard error and exit status; returns how many lines ausearch
/// printed.
fn compare_with_ausearch(what: &str, log: &str) -> usize {
    let mut lines = 0;
    for fmt in ["csv", "text"] {
        let args = ["-if", log, "--format", fmt];
        let r = output_all(&ausearch(), &args);
        let o = output_all(Path::new(AUSEARCH_FORMAT), &args);
        if let Some(d) = first_difference(&r.0, &o.0) {
            panic!("{what}, --format {fmt}:\n{d}");
        }
        assert_eq!(
            (String::from_utf8_lossy(&r.1), r.2),
            (String::from_utf8_lossy(&o.1), o.2),
            "{what}, --format {fmt}: standard error and exit status (ausearch, ours)"
        );
        lines += r.0.iter().filter(|&&b| b == b'\n').count();
    }
    lines
}

#[test]
fn no_matches_is_reported_as_ausearch_does() {
    let empty = TempLog::new("empty", b"");
    let junk = TempLog::new(
        "junk",
        b"garbage\ntype=EOE msg=audit(1700000000.000:1): \n\ntype=SYSCALL msg=x\n",
    );
    for (what, log) in [("an empty log", &empty), ("a log of no events", &junk)] {
        compare_with_ausearch(what, log.path());
        let (out, err, rc) = output_all(&ausearch(), &["-if", log.path(), "--format", "csv"]);
        assert_eq!((out.len(), &err[..], rc), (0, &b"<no matches>\n"[..], 1));
    }
    // An expression that matches nothing: what ausearch prints for a key
    // that matches nothing.
    let log = workspace_dir().join("tests/data/captured/raw.log");
    let log = log.to_str().unwrap();
    for fmt in ["csv", "text"] {
        let r = output_all(
            &ausearch(),
            &["-if", log, "--format", fmt, "-k", "no-such-key"],
        );
        let o = output_all(
            Path::new(AUSEARCH_FORMAT),
            &["-if", log, "--format", fmt, "--expr", "key r= no-such-key"],
        );
        assert_eq!(r, (Vec::new(), b"<no matches>\n".to_vec(), 1));
        assert_eq!(o, r, "--format {fmt}");
    }
}

/// A record line of `len` bytes and more that ausearch reads in pieces of
/// 8969 bytes; the piece at `record_at` pieces in is a record line of its
/// own. ausearch reads 128 MiB of it in a fraction of a second; holding the
/// line and taking pieces off its front costs time in the square of its
/// length (minutes here).
#[test]
fn a_long_line_is_read_in_pieces_as_ausearch_does() {
    const PIECE: usize = 8969;
    let len = 128 << 20;
    let record_at = 1000;
    let mut log = b"type=USER_CMD msg=audit(1700000000.000:1): pid=1 uid=0 auid=0 ses=1 \
                    msg='cwd=\"/\" cmd=6C73 exe=\"/usr/bin/sudo\" terminal=pts/0 res=success' x="
        .to_vec();
    log.resize(len, b'A');
    let inner = b"type=USER_LOGIN msg=audit(1700000003.000:2): pid=2 uid=0 auid=0 ses=2 \
                  msg='op=login acct=\"root\" exe=\"/bin/login\" hostname=? addr=? \
                  terminal=tty1 res=success' y=";
    log[record_at * PIECE..record_at * PIECE + inner.len()].copy_from_slice(inner);
    log.extend_from_slice(b"\ntype=DAEMON_END msg=audit(1700000009.000:3): op=terminate auid=0 pid=1 subj=? res=success\n");
    let file = TempLog::new("long-line", &log);
    drop(log);
    let lines = compare_with_ausearch("a 128 MiB line", file.path());
    // The header, the two records and the last event, in both formats.
    assert_eq!(lines, 4 + 3);
}

/// The corpus log's events: runs of lines with one time stamp and serial.
fn events_of(log: &str) -> Vec<Vec<Vec<u8>>> {
    let data = std::fs::read(workspace_dir().join(log)).unwrap();
    let stamp = |l: &[u8]| -> Vec<u8> {
        let s = String::from_utf8_lossy(l);
        s.split_once("audit(")
            .and_then(|(_, r)| r.split_once(')'))
            .map(|(t, _)| t.as_bytes().to_vec())
            .unwrap_or_default()
    };
    let mut events: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut last = None;
    for line in data.split_inclusive(|&b| b == b'\n') {
        let s = stamp(line);
        match events.last_mut() {
            Some(e) if last.as_ref() == Some(&s) => e.push(line.to_vec()),
            _ => events.push(vec![line.to_vec()]),
        }
        last = Some(s);
    }
    assert!(events.len() > 20, "{log}: {} events", events.len());
    events
}

/// `line` with the seconds of its time stamp replaced by `sec`.
fn retimed(line: &[u8], sec: u64) -> Vec<u8> {
    let s = String::from_utf8_lossy(line);
    let Some((head, rest)) = s.split_once("audit(") else {
        return line.to_vec();
    };
    let Some((_, rest)) = rest.split_once('.') else {
        return line.to_vec();
    };
    format!("{head}audit({sec}.{rest}").into_bytes()
}

/// Logs whose time stamps run backwards or interleave, made from corpus
/// logs: every event open at once (descending times never time one out),
/// events completed behind older incomplete ones, events whose lines are
/// shuffled together, each compared with ausearch.
#[test]
fn descending_and_interleaved_times_match_ausearch() {
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for log in [
        "tests/data/captured/raw.log",
        "tests/data/captured/busy.log",
    ] {
        let events = events_of(log);
        let n = events.len();
        let base = 1_700_000_000u64;
        // Events in reverse order, with their own stamps.
        cases.push((
            format!("{log} events reversed"),
            events.iter().rev().flatten().flatten().copied().collect(),
        ));
        // Every line in reverse order (an EOE comes before its event).
        let mut lines: Vec<&Vec<u8>> = events.iter().flatten().collect();
        lines.reverse();
        cases.push((
            format!("{log} lines reversed"),
            lines.into_iter().flatten().copied().collect(),
        ));
        // Event i one second before event i-1: times descend by seconds.
        cases.push((
            format!("{log} seconds descending"),
            events
                .iter()
                .enumerate()
                .flat_map(|(i, e)| e.iter().map(move |l| retimed(l, base + (n - i) as u64)))
                .flatten()
                .collect(),
        ));
        // Times jump back and forth across the 2-second timeout, and the
        // lines of each pair of events alternate.
        let mut out = Vec::new();
        for (k, pair) in events.chunks(2).enumerate() {
            let sec = |j: usize| base + ((k * 2 + j) % 7) as u64 * 3 % 10;
            let longest = pair.iter().map(Vec::len).max().unwrap_or(0);
            for li in 0..longest {
                for (j, e) in pair.iter().enumerate() {
                    if let Some(l) = e.get(li) {
                        out.extend(retimed(l, sec(j)));
                    }
                }
            }
        }
        cases.push((format!("{log} interleaved back and forth"), out));
        // Events from both ends of the log in turn.
        let mut out = Vec::new();
        for i in 0..n.div_ceil(2) {
            out.extend(events[i].iter().flatten());
            if n - 1 - i != i {
                out.extend(events[n - 1 - i].iter().flatten());
            }
        }
        cases.push((format!("{log} from both ends"), out));
    }
    for (i, (what, data)) in cases.iter().enumerate() {
        let file = TempLog::new(&format!("order-{i}"), data);
        let lines = compare_with_ausearch(what, file.path());
        assert!(lines > 40, "{what}: only {lines} lines");
    }
}

/// `-if DIRECTORY` reads the directory's `audit.log` after its rotated
/// `audit.log.N` ... `audit.log.1` (events going on from one file to the next), with
/// ausearch's note; paths that are not there are refused with ausearch's messages.
#[test]
fn directories_and_missing_paths_are_read_as_ausearch_does() {
    let raw = std::fs::read(workspace_dir().join("tests/data/captured/raw.log")).unwrap();
    let lines: Vec<&[u8]> = raw.split_inclusive(|&b| b == b'\n').collect();
    assert!(lines.len() > 30, "raw.log too short to split");
    let dir = tempfile::tempdir().unwrap();
    let third = lines.len() / 3;
    // Cut in the middle of events: the oldest file is the highest number.
    for (name, part) in [
        ("audit.log.2", &lines[..third + 1]),
        ("audit.log.1", &lines[third + 1..2 * third]),
        ("audit.log", &lines[2 * third..]),
    ] {
        std::fs::write(dir.path().join(name), part.concat()).unwrap();
    }
    // Not read: audit.log.3 is missing, so audit.log.4 is not in the run.
    std::fs::write(dir.path().join("audit.log.4"), lines[0]).unwrap();
    let path = dir.path().to_str().unwrap();
    let printed = compare_with_ausearch("a directory of rotated logs", path);
    assert!(printed > 10, "{printed}");
    compare_with_ausearch("a directory path ending in /", &format!("{path}/"));
    let (out, err, rc) = output_all(
        Path::new(AUSEARCH_FORMAT),
        &["-if", path, "--format", "csv"],
    );
    assert_eq!(rc, 0);
    assert_eq!(
        String::from_utf8_lossy(&err),
        format!("NOTE - using logs in {path}/audit.log\n")
    );
    // The same events as the whole log in one file.
    let one = TempLog::new("rotated-whole", &raw);
    let (whole, _, _) = output_all(
        Path::new(AUSEARCH_FORMAT),
        &["-if", one.path(), "--format", "csv"],
    );
    assert_eq!(out, whole);

    let empty = tempfile::tempdir().unwrap();
    compare_with_ausearch(
        "a directory without audit.log",
        empty.path().to_str().unwrap(),
    );
    compare_with_ausearch("a missing file", &format!("{path}/no-such-file"));
    compare_with_ausearch("a path under a file", &format!("{path}/audit.log/x"));
}

/// Where ausearch stops reading a file quietly on a read error, ours names the file
/// and the byte offset and exits 1.
#[test]
fn a_read_error_names_the_input_and_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("audit.log")).unwrap();
    let path = dir.path().to_str().unwrap();
    let (out, err, rc) = output_all(
        Path::new(AUSEARCH_FORMAT),
        &["-if", path, "--format", "csv"],
    );
    assert_eq!((out.len(), rc), (0, 1));
    assert_eq!(
        String::from_utf8_lossy(&err),
        format!(
            "NOTE - using logs in {path}/audit.log\nausearch-format: {path}/audit.log: \
             read error after byte 0: Is a directory (os error 21)\n"
        )
    );
    let stdin_dir = std::fs::File::open(path).unwrap();
    let out = Command::new(AUSEARCH_FORMAT)
        .args(["--format", "text"])
        .stdin(stdin_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ausearch-format: standard input: read error after byte 0: Is a directory (os error 21)\n"
    );
}

#[test]
fn help_is_usage_on_stdout_and_output_errors_are_named() {
    let (out, err, rc) = output_all(Path::new(AUSEARCH_FORMAT), &["--help"]);
    assert_eq!(rc, 0, "{}", String::from_utf8_lossy(&err));
    assert!(out.starts_with(b"usage: ausearch-format --format csv|text "));
    assert!(err.is_empty());
    let (out, err, rc) = output_all(Path::new(AUSEARCH_FORMAT), &["--format", "csv", "--bogus"]);
    assert_eq!((out.len(), rc), (0, 2));
    assert!(err.starts_with(b"ausearch-format: unknown option --bogus\nusage: "));

    let log = workspace_dir().join("tests/data/captured/raw.log");
    let log = log.to_str().unwrap();
    for args in [&["--help"][..], &["--format", "csv", log][..]] {
        assert_closed_pipe_quiet_full_disk_named(AUSEARCH_FORMAT, "ausearch-format", args);
    }
}

/// Messages that cannot be written (standard error on a full disk) change nothing
/// but the messages: no panic, the same exit status.
#[test]
fn a_full_standard_error_changes_no_exit_status() {
    let empty = TempLog::new("stderr-full", b"");
    for (args, status) in [
        (vec!["--format", "csv", empty.path()], 1),
        (vec!["--format", "csv", "--bogus"], 2),
        (vec!["--format", "csv", "/no-such-file"], 1),
    ] {
        assert_eq!(
            status_with_stderr_full(AUSEARCH_FORMAT, &args),
            Some(status),
            "{args:?}"
        );
    }
}
