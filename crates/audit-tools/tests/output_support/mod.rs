//! Standard output and error that cannot be written, for the programs' tests: a
//! closed pipe ends a program quietly with status 0, a full disk is named with
//! status 1, and messages that cannot be written change no exit status (see
//! `audit_tools::output`).
#![allow(dead_code, reason = "each test file uses a part")]

use std::process::{Command, Output, Stdio};

/// A pipe whose reader is already gone.
pub fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer.into()
}

/// `/dev/full`: every write to it fails with ENOSPC.
pub fn dev_full() -> Stdio {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full")
        .into()
}

/// `exe ARGS` with standard output `stdout`.
pub fn with_stdout(exe: &str, args: &[&str], stdout: Stdio) -> Output {
    Command::new(exe)
        .args(args)
        .stdout(stdout)
        .output()
        .unwrap_or_else(|e| panic!("run {exe}: {e}"))
}

/// `exe ARGS` writing to a closed pipe ends quietly with status 0, and to a full
/// disk says `NAME: writing standard output: ...` and ends with status 1.
pub fn assert_closed_pipe_quiet_full_disk_named(exe: &str, name: &str, args: &[&str]) {
    let out = with_stdout(exe, args, closed_pipe());
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    let out = with_stdout(exe, args, dev_full());
    assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("{name}: writing standard output: No space left on device (os error 28)\n"),
        "{args:?}"
    );
}

/// The exit status of `exe ARGS` with its standard error on a full disk.
pub fn status_with_stderr_full(exe: &str, args: &[&str]) -> Option<i32> {
    Command::new(exe)
        .args(args)
        .stderr(dev_full())
        .output()
        .unwrap_or_else(|e| panic!("run {exe}: {e}"))
        .status
        .code()
}
