//! `ausearch-format --expr` with hostile expressions (issue 16): 9,000 nested
//! groups once overflowed the stack and aborted the program, as did 50,000
//! `!` and matching a long `||` chain (100k terms in the crate's own tests;
//! a command line argument holds 9k here). Each must now give a result, or
//! an error message naming the byte, with an ordinary exit status.

use audit_testlock::reference::workspace_dir;
use std::process::Command;

/// The program under test.
const AUSEARCH_FORMAT: &str = env!("CARGO_BIN_EXE_ausearch-format");

/// Runs ausearch-format on the captured log with `expr`; (stdout, stderr,
/// exit code, or -1 for a signal).
fn run(expr: &str) -> (String, String, i32) {
    let log = workspace_dir().join("tests/data/captured/raw.log");
    let out = Command::new(AUSEARCH_FORMAT)
        .args(["--format", "csv", "--expr", expr])
        .arg(&log)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .expect("run ausearch-format");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn deep_groups_are_refused_with_the_byte() {
    let expr = format!("{}uid == 0{}", "(".repeat(9000), ")".repeat(9000));
    let (_, err, rc) = run(&expr);
    assert!(rc > 0, "exit {rc}: {err}");
    assert!(
        err.contains("bad expression") && err.contains("at byte 256"),
        "{err}"
    );
}

#[test]
fn long_runs_of_not_and_long_chains_give_results() {
    let (all, _, rc) = run(r"\record_type == CONFIG_CHANGE");
    assert_eq!(rc, 0);
    assert!(all.lines().count() > 2);
    let nots = format!(r"{}\record_type == CONFIG_CHANGE", "!".repeat(50_000));
    let (out, err, rc) = run(&nots);
    assert_eq!((rc, out.as_str()), (0, all.as_str()), "{err}");
    // One argument may be at most 128 KiB (MAX_ARG_STRLEN): 9,000 terms.
    let mut chain = "uid==123456||".repeat(9_000);
    chain.push_str(r"\record_type == CONFIG_CHANGE");
    let (out, err, rc) = run(&chain);
    assert_eq!((rc, out.as_str()), (0, all.as_str()), "{err}");
}
