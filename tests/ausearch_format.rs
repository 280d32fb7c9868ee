//! Differential test of `examples/ausearch-format.rs` against the installed
//! `ausearch` (auditd 3.0.9): `ausearch -if FILE --format csv` and
//! `--format text` (and csv with every extra column, and escape modes), byte
//! for byte and by
//! exit status, for every log under `tests/data` and `tests/normalize_data`;
//! and once through a pipe on standard input.
//!
//! Both run with `LC_ALL=C` and a fixed `TZ`. Every difference must be a
//! [`KNOWN`] entry, and every entry must still be needed.
//!
//! Needs `apt-get install -y auditd` (for `ausearch`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{corpus_and_normalize_logs, example_bin, first_difference, log_name, manifest_dir};

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
    let ours = example_bin("ausearch-format");
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
            let (o, rc_o) = output(&ours, &args, tz, None);
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
    let log = manifest_dir().join("tests/data/captured/enriched.log");
    for fmt in ["csv", "text"] {
        let args = ["--format", fmt];
        let (r, rc_r) = output(&ausearch(), &args, TZ, Some(&log));
        let (o, rc_o) = output(&example_bin("ausearch-format"), &args, TZ, Some(&log));
        assert_eq!((rc_r, rc_o), (0, 0));
        assert!(r.len() > 1000);
        if let Some(d) = first_difference(&r, &o) {
            panic!("{fmt} from a pipe:\n{d}");
        }
    }
}

#[test]
fn expression_filters_events() {
    let log = manifest_dir().join("tests/data/captured/raw.log");
    let path = log.to_str().unwrap();
    let ours = example_bin("ausearch-format");
    let (all, _) = output(&ours, &["--format", "csv", path], TZ, None);
    let (some, rc) = output(
        &ours,
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
        &ours,
        &["--format", "text", "--expr", "uid == 123456", path],
        TZ,
        None,
    );
    assert_eq!((none.len(), rc), (0, 1));
}
