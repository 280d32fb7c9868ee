//! `au2json` (`audit_tools::au2json`) writes one JSON line per event, what
//! `audit_normalize::json` gives for it, from a file and as an audispd plugin on
//! standard input; its memory stays within a small multiple of the event it
//! converts. (The JSON schemas themselves are tested in the root package's
//! `tests/json_roundtrip.rs`.)

use audit_normalize::json::serde_json;
use audit_normalize::json::{
    event_from_json, event_to_json, CompactOptions, JsonOptions, JsonWriter,
};
use audit_normalize::NormalizeContext;
use audit_parse::source::EventReader;
use audit_parse::Event;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod output_support;
use output_support::{dev_full, status_with_stderr_full};

/// The program under test.
const AU2JSON: &str = env!("CARGO_BIN_EXE_au2json");

/// The workspace's root, which holds the test logs.
fn manifest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The events of a log, as the parser gives them.
fn events_of(data: &[u8]) -> Vec<Event> {
    EventReader::from_buffer(data)
        .filter_map(Result::ok)
        .collect()
}

fn lines_of(out: &[u8]) -> Vec<Value> {
    out.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("a JSON line"))
        .collect()
}

#[test]
fn au2json_writes_one_line_per_event() {
    let log = manifest_dir().join("tests/data/captured/enriched.log");
    let data = std::fs::read(&log).unwrap();
    let expected = events_of(&data);
    let exe = AU2JSON;
    let from_file = Command::new(exe).arg(&log).output().unwrap();
    assert!(from_file.status.success());
    let mut from_stdin = Command::new(exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    from_stdin.stdin.take().unwrap().write_all(&data).unwrap();
    let from_stdin = from_stdin.wait_with_output().unwrap();
    assert!(from_stdin.status.success());
    assert_eq!(from_file.stdout, from_stdin.stdout);
    let lines = lines_of(&from_file.stdout);
    assert_eq!(lines.len(), expected.len());
    let mut ctx = NormalizeContext::default();
    for (v, ev) in lines.iter().zip(&expected) {
        assert_eq!(&event_from_json(v).unwrap(), ev);
        assert_eq!(v, &event_to_json(ev, &mut ctx, &JsonOptions::default()));
    }
}

#[test]
fn au2json_plugin_flushes_on_sigterm() {
    // Three events; the first two are complete once the third begins, the
    // third stays open until the plugin is stopped.
    let log = b"type=CWD msg=audit(1700000000.000:1): cwd=\"/\"\n\
type=EOE msg=audit(1700000000.000:1): \n\
type=USER msg=audit(1700000001.000:2): pid=1 uid=0 auid=0 ses=1 msg='text res=success'\n\
type=SYSCALL msg=audit(1700000002.000:3): arch=c000003e syscall=2 success=yes exit=3\n";
    let mut child = Command::new(AU2JSON)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(log).unwrap();
    stdin.flush().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = Vec::new();
    for _ in 0..2 {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        first.push(serde_json::from_str::<Value>(&l).unwrap());
    }
    assert_eq!(first[0]["id"]["serial"], 1);
    assert_eq!(first[1]["id"]["serial"], 2);
    // SAFETY: kill(2) on the pid of our own child, which has not been waited for.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut out, &mut rest).unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    assert!(status.success(), "{status}");
    let rest = lines_of(&rest);
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["id"]["serial"], 3);
    assert_eq!(rest[0]["normalized"]["action"], "opened-file");
}

/// A writer that compares what it is given with a file, byte for byte,
/// without holding either whole.
struct SameAsFile {
    file: std::io::BufReader<std::fs::File>,
    at: u64,
    mismatch: Option<u64>,
}

impl Write for SameAsFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut theirs = vec![0; buf.len()];
        let n = std::io::Read::read(&mut self.file, &mut theirs)?;
        if self.mismatch.is_none() && (n == 0 || theirs[..n] != buf[..n]) {
            self.mismatch = Some(self.at);
        }
        let n = n.max(1).min(buf.len());
        self.at += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs au2json with `args` and `data` (one event) on standard input and its output
/// to `out`; returns its peak resident memory in bytes (`VmHWM`), read once
/// the event is out (aged by the clock after a second of idle input) and
/// before its input is closed. (`wait4`'s `ru_maxrss` would count the memory
/// of this test process, which the child shares until it executes.)
fn au2json_peak_rss(args: &[&str], data: &[u8], out: &std::path::Path) -> u64 {
    let mut child = Command::new(AU2JSON)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(out).unwrap())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(data).unwrap();
    stdin.flush().unwrap();
    // A raw newline only ends an event's line (JSON escapes the others).
    let started = std::time::Instant::now();
    loop {
        let written = std::fs::read(out).unwrap();
        if written.last() == Some(&b'\n') {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(300),
            "au2json wrote no whole event"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in {status}"));
    drop(stdin);
    assert!(child.wait().unwrap().success());
    kib * 1024
}

/// au2json's memory is bounded by a small multiple of the event it converts:
/// one 4 MiB line of a million fields, and a 12 MiB event of three 4 MiB
/// records (a JSON tree per event took about 230 bytes per input byte:
/// 916 MB and 2.7 GB). The output is what the writer gives in this process.
#[test]
fn au2json_memory_stays_near_the_event_size() {
    let dir = std::env::temp_dir().join(format!("json-roundtrip-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let line = |t: &str, serial: u32, field: &[u8]| {
        let mut l = format!("type={t} msg=audit(1700000000.000:{serial}):").into_bytes();
        while l.len() < (4 << 20) - 100 {
            l.extend_from_slice(field);
        }
        l.push(b'\n');
        l
    };
    let one_line = line("SYSCALL", 1, b" a=1");
    let mut three = Vec::new();
    for t in ["SYSCALL", "PATH", "CWD"] {
        // Longer fields here, for a test that runs in reasonable time.
        three.extend_from_slice(&line(t, 2, b" a=0123456789abcdef"));
    }
    for (name, data) in [("line", &one_line), ("event", &three)] {
        // The compact schema too: every field is named `a`, so that each
        // record's names all need a suffix.
        for compact in [false, true] {
            let args: &[&str] = if compact { &["--compact"] } else { &[] };
            let out = dir.join(format!("{name}.json"));
            let peak = au2json_peak_rss(args, data, &out);
            // 9 copies: the plugin runtime's reader holds a record while it is
            // cut and queued, one more than au2json reading its input itself.
            let bound = 9 * data.len() as u64 + (16 << 20);
            assert!(
                peak < bound,
                "{name} {args:?}: au2json peaked at {peak} bytes for {} input bytes (bound {bound})",
                data.len()
            );
            let mut same = SameAsFile {
                file: std::io::BufReader::new(std::fs::File::open(&out).unwrap()),
                at: 0,
                mismatch: None,
            };
            let mut ctx = NormalizeContext::default();
            let mut json = JsonWriter::new();
            let events = events_of(data);
            assert_eq!(events.len(), 1, "{name}");
            if compact {
                json.write_compact(&mut same, &events[0], &mut ctx, &CompactOptions::default())
                    .unwrap();
            } else {
                json.write_event(&mut same, &events[0], &mut ctx, &JsonOptions::default())
                    .unwrap();
            }
            assert_eq!(
                same.mismatch, None,
                "{name} {args:?}: output differs at that byte"
            );
            let mut rest = Vec::new();
            std::io::Read::read_to_end(&mut same.file, &mut rest).unwrap();
            assert!(rest.is_empty(), "{name} {args:?}: au2json wrote more");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn au2json_compact_writes_what_the_writer_does() {
    let log = manifest_dir().join("tests/data/captured/enriched.log");
    let data = std::fs::read(&log).unwrap();
    let out = Command::new(AU2JSON)
        .args(["--compact", "--sentence"])
        .arg(&log)
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut ctx = NormalizeContext::default();
    let mut w = JsonWriter::new();
    let mut want = Vec::new();
    let opts = CompactOptions {
        sentence: true,
        every_interpretation: false,
    };
    for ev in events_of(&data) {
        w.write_compact(&mut want, &ev, &mut ctx, &opts).unwrap();
    }
    assert!(!want.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&want)
    );
    // Options of the one schema are refused with the other.
    let bad = Command::new(AU2JSON)
        .args(["--compact", "--no-normalize"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// A line over the parser's limit is named with its own line number and byte
/// offset, and the lines after it keep theirs (the runtime's reader skips it
/// without holding it whole, and tells the parser how long it was).
#[test]
fn au2json_names_a_too_long_line_and_keeps_later_positions() {
    let long = format!(
        "type=SYSCALL msg=audit(1.000:1): a0={}\n",
        "x".repeat(5_000_000)
    );
    let mut data = b"type=USER_START msg=audit(1.000:0): pid=1\n".to_vec();
    data.extend_from_slice(long.as_bytes());
    data.extend_from_slice(b"garbage\n");
    let after = b"type=USER_END msg=audit(2.000:2): pid=1\n";
    data.extend_from_slice(after);
    let dir = std::env::temp_dir().join(format!("au2json-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("long.log");
    std::fs::write(&path, &data).unwrap();
    let out = Command::new(AU2JSON).arg(&path).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2, byte 42: line longer than"),
        "the long line is named: {err}"
    );
    let garbage = 42 + long.len() as u64;
    assert!(
        err.contains(&format!("line 3, byte {garbage}:")),
        "garbage at its place: {err}"
    );
    assert_eq!(out.status.code(), Some(1), "{err}");
    // The record after them is at its true place in the JSON too.
    let lines = lines_of(&out.stdout);
    let last = lines.last().expect("the last event");
    let text = last.to_string();
    assert!(
        text.contains(&format!("\"offset\":{}", garbage + 8)),
        "{text}"
    );
    assert!(text.contains("\"line\":4"), "{text}");
}

/// `--help` is not an error; a wrong option is named.
#[test]
fn au2json_help_and_usage_errors() {
    let help = Command::new(AU2JSON).arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("usage: au2json"));
    assert!(help.stderr.is_empty());
    for (args, named) in [
        (&["--compact", "--no-interpret"][..], "--no-interpret"),
        (&["--sentence"][..], "--sentence"),
        (&["--every-interpretation"][..], "--every-interpretation"),
        (&["--bogus"][..], "--bogus"),
        (&["a.log", "b.log"][..], "b.log"),
        (&["--capacity"][..], "--capacity"),
    ] {
        let out = Command::new(AU2JSON).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or("");
        assert!(
            first.starts_with("au2json: ") && first.contains(named),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
}

/// A write that fails is reported (a closed pipe is not an error).
#[test]
fn au2json_reports_a_failed_write() {
    let log = manifest_dir().join("tests/data/captured/enriched.log");
    let out = Command::new(AU2JSON)
        .arg(&log)
        .stdout(dev_full())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("writing to standard output: No space left on device"),
        "{err}"
    );
}

/// Standard error that cannot be written (a full disk) is no panic: the exit
/// status still tells (2 for bad arguments, 1 for a failed write).
#[test]
fn au2json_with_stderr_full_keeps_its_exit_status() {
    let log = manifest_dir().join("tests/data/captured/enriched.log");
    assert_eq!(status_with_stderr_full(AU2JSON, &["--bogus"]), Some(2));
    let failed = Command::new(AU2JSON)
        .arg(&log)
        .stdout(dev_full())
        .stderr(dev_full())
        .status()
        .unwrap();
    assert_eq!(failed.code(), Some(1));
}
