//! The newcomer programs of issue 14 do what their headers say:
//! `examples/logs-to-json` turns a rotated log set into one JSON object per
//! event, in order, losing nothing (`--lossless` reads back into the same
//! events); `examples/exec-watch` prints a program run while it watches, with its
//! arguments, and deletes its audit rule when stopped by SIGINT, SIGTERM, SIGHUP or
//! SIGQUIT.
mod support;

use audit_normalize::json::{event_from_json_str, serde_json};
use audit_parse::source::EventReader;
use audit_parse::{Event, Options};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A log directory holding two captured logs as `audit.log.2` (older) and
/// `audit.log.1`: a set right after a rotation, without `audit.log`.
fn rotated_dir(name: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let captured = support::data_dir().join("captured");
    let files = vec![dir.join("audit.log.2"), dir.join("audit.log.1")];
    std::fs::copy(captured.join("busy.log"), &files[0]).unwrap();
    std::fs::copy(captured.join("raw.log"), &files[1]).unwrap();
    (dir, files)
}

/// The events of `files` read in that order by the parser.
fn parsed_events(files: &[PathBuf]) -> Vec<Event> {
    EventReader::from_files(files, Options::default())
        .map(|item| item.expect("the captured logs are all records"))
        .collect()
}

#[test]
fn logs_to_json_writes_each_event_of_a_rotated_set_in_order() {
    let (dir, files) = rotated_dir("newcomer-logs-to-json");
    let expected = parsed_events(&files);
    assert!(expected.len() > 100, "{} events", expected.len());
    let bin = support::example_bin("logs-to-json");

    let compact = support::run(&bin, &[dir.to_str().unwrap()], None);
    let ids: Vec<String> = compact
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_slice(line)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(line)));
            v["id"].as_str().expect("an id").to_owned()
        })
        .collect();
    let expected_ids: Vec<String> = expected.iter().map(|e| e.id().to_string()).collect();
    assert_eq!(ids.len(), expected_ids.len(), "events written");
    for (i, (got, want)) in ids.iter().zip(&expected_ids).enumerate() {
        assert_eq!(got, want, "event {i}");
    }

    let lossless = support::run(&bin, &["--lossless", dir.to_str().unwrap()], None);
    let back: Vec<Event> = String::from_utf8(lossless)
        .unwrap()
        .lines()
        .map(|line| event_from_json_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert_eq!(back.len(), expected.len());
    for (got, want) in back.iter().zip(&expected) {
        assert_eq!(got, want);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn logs_to_json_names_the_log_it_looked_for() {
    let dir = std::env::temp_dir().join(format!("newcomer-no-logs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(support::example_bin("logs-to-json"))
        .arg(&dir)
        .output()
        .unwrap();
    std::fs::remove_dir(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&*dir.join("audit.log").to_string_lossy()),
        "{stderr}"
    );
}

/// A running exec-watch, stopped (SIGTERM) if the test ends early, so that it
/// deletes its rule; the rule is deleted here too if it is still loaded.
struct Watcher {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

/// Each line of `pipe`, sent as it comes.
fn lines_of(pipe: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Lines from `rx` until one satisfies `want` (it is returned) or 10 s pass.
fn wait_for(
    rx: &mpsc::Receiver<String>,
    want: impl Fn(&str) -> bool,
) -> Result<String, Vec<String>> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if want(&line) => return Ok(line),
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    Err(seen)
}

/// Send `signal` to `child`; false when kill(2) fails.
fn send(child: &Child, signal: libc::c_int) -> bool {
    let pid = libc::pid_t::try_from(child.id()).expect("a pid fits pid_t");
    // SAFETY: kill(2) takes plain integers; the pid is our own child's, not yet
    // reaped (the callers wait for it afterwards), so it names no other process.
    unsafe { libc::kill(pid, signal) == 0 }
}

const RULE_KEY: &str = "key=exec-watch";

fn loaded_rules() -> String {
    let out = Command::new("auditctl")
        .arg("-l")
        .output()
        .expect("auditctl -l");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            send(&self.child, libc::SIGTERM);
            let _ = self.child.wait();
        }
        if loaded_rules().contains(RULE_KEY) {
            let _ = Command::new("auditctl")
                .args([
                    "-d",
                    "always,exit",
                    "-F",
                    "arch=b64",
                    "-S",
                    "execve,execveat",
                ])
                .args(["-k", "exec-watch"])
                .status();
        }
    }
}

fn watch_and_stop(bin: &Path, signal: libc::c_int) {
    let mut child = Command::new(bin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = lines_of(child.stdout.take().unwrap());
    let stderr = lines_of(child.stderr.take().unwrap());
    let mut w = Watcher {
        child,
        stdout,
        stderr,
    };
    if let Err(said) = wait_for(&w.stderr, |l| l.contains("watching")) {
        panic!("exec-watch did not start watching: {said:?}");
    }
    assert!(loaded_rules().contains(RULE_KEY), "{}", loaded_rules());

    let marker = format!("newcomer-marker-{}-{signal}", std::process::id());
    let status = Command::new("/bin/true")
        .args([&marker, "two words"])
        .status()
        .unwrap();
    assert!(status.success());
    let line = wait_for(&w.stdout, |l| l.contains(&marker))
        .unwrap_or_else(|seen| panic!("no line with {marker} in {seen:#?}"));
    // Who (by name), the pid, the program and the argument list as it was given.
    assert!(line.contains(" as root, pid "), "{line}");
    assert!(
        line.ends_with(&format!(
            ": /usr/bin/true [\"/bin/true\", \"{marker}\", \"two words\"]"
        )) || line.ends_with(&format!(
            ": /bin/true [\"/bin/true\", \"{marker}\", \"two words\"]"
        )),
        "{line}"
    );

    assert!(
        send(&w.child, signal),
        "kill: {}",
        std::io::Error::last_os_error()
    );
    let status = w.child.wait().unwrap();
    assert!(status.success(), "exec-watch ended with {status}");
    assert!(
        !loaded_rules().contains(RULE_KEY),
        "rule left loaded:\n{}",
        loaded_rules()
    );
}

#[test]
fn exec_watch_prints_a_program_run_and_deletes_its_rule_when_stopped() {
    let _lock = audit_testlock::live_lock();
    if let Some(why) = audit_testlock::live_kernel_unavailable_reason() {
        audit_testlock::skip(why);
        return;
    }
    if Command::new("auditctl").arg("-v").output().is_err() {
        audit_testlock::skip("auditctl is not installed");
        return;
    }
    let bin = support::example_bin("exec-watch");
    // SIGHUP (its terminal or ssh session closed) and SIGQUIT stop it cleanly too.
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
        watch_and_stop(&bin, signal);
    }
}
