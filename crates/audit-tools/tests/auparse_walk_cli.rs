//! `auparse-walk`'s options: out-of-range and non-numeric values are refused
//! with a message naming the value, before anything is allocated or read.

use std::path::Path;
use std::process::Command;

mod output_support;
use output_support::{assert_closed_pipe_quiet_full_disk_named, status_with_stderr_full};

const AUPARSE_WALK: &str = env!("CARGO_BIN_EXE_auparse-walk");

fn walk(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_auparse-walk"))
        .args(args)
        .output()
        .expect("run auparse-walk");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn chunk_values_out_of_range_or_not_numbers_are_refused() {
    // The workspace's test data.
    let log = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/normalize_data/libaudit-syscall-names.log");
    let log = log.to_str().expect("utf-8 path");
    for (value, says) in [
        ("99999999999999", "out of range (1 to 16777216 bytes)"),
        ("99999999999999999999999999", "out of range"),
        ("16777217", "out of range"),
        ("0", "out of range"),
        ("-5", "not a number"),
        ("abc", "not a number"),
        ("12k", "not a number"),
        ("", "not a number"),
        (" 5", "not a number"),
    ] {
        let (code, stdout, stderr) = walk(&["--chunk", value, log]);
        assert_eq!(code, 2, "--chunk {value:?}: {stderr}");
        assert!(stdout.is_empty(), "--chunk {value:?}: {stdout}");
        assert!(
            stderr.starts_with(&format!("auparse-walk: --chunk {value}: {says}")),
            "--chunk {value:?}: {stderr}"
        );
        assert!(stderr.contains("usage: auparse-walk"), "{stderr}");
    }
    let (code, _, stderr) = walk(&["--chunk"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("auparse-walk: --chunk needs a number of bytes"));
    // The bounds themselves work, and give the same walk.
    let (code, small, _) = walk(&["--chunk", "1", log]);
    assert_eq!(code, 0);
    let (code, large, _) = walk(&["--chunk", "16777216", log]);
    assert_eq!((code, &large), (0, &small));
    assert!(small.contains("event 1700000200.001:201"), "{small}");
}

fn test_log() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/normalize_data/libaudit-syscall-names.log")
        .to_str()
        .expect("utf-8 path")
        .to_owned()
}

#[test]
fn help_is_usage_on_stdout_and_unknown_options_are_named() {
    for help in ["--help", "-h"] {
        let (code, stdout, stderr) = walk(&[help]);
        assert_eq!(code, 0, "{help}: {stderr}");
        assert!(stdout.starts_with("usage: auparse-walk "), "{stdout}");
        assert!(stderr.is_empty(), "{stderr}");
    }
    let log = test_log();
    for option in ["--version", "--bogus", "-x"] {
        let (code, stdout, stderr) = walk(&[option, &log]);
        assert_eq!(code, 2, "{option}: {stderr}");
        assert!(stdout.is_empty(), "{option}: {stdout}");
        assert!(
            stderr.starts_with(&format!("auparse-walk: unknown option {option}\nusage: ")),
            "{option}: {stderr}"
        );
    }
    let (code, _, stderr) = walk(&[&log, &log]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("auparse-walk: more than one file: "),
        "{stderr}"
    );
}

#[test]
fn a_file_named_like_an_option_comes_after_double_dash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(test_log(), dir.path().join("-x.log")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_auparse-walk"))
        .args(["--", "-x.log"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (_, expected, _) = walk(&[&test_log()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[test]
fn a_read_error_names_the_file_and_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = walk(&[dir]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        stderr,
        format!("auparse-walk: {dir}: read error at byte 0: Is a directory (os error 21)\n")
    );
}

#[test]
fn a_closed_pipe_ends_it_quietly_and_a_full_disk_is_named() {
    let log = test_log();
    for args in [vec!["--help"], vec![log.as_str()]] {
        assert_closed_pipe_quiet_full_disk_named(AUPARSE_WALK, "auparse-walk", &args);
    }
}

/// Messages that cannot be written (standard error on a full disk) change nothing
/// but the messages: no panic, the same exit status.
#[test]
fn a_full_standard_error_changes_no_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.log");
    std::fs::write(&junk, "not a record\n").unwrap();
    for (args, status) in [
        (vec![junk.to_str().unwrap()], 0),
        (vec!["--bogus"], 2),
        (vec![dir.path().to_str().unwrap()], 1),
    ] {
        assert_eq!(
            status_with_stderr_full(AUPARSE_WALK, &args),
            Some(status),
            "{args:?}"
        );
    }
}
