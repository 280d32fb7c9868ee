//! `auparse-walk`'s options: out-of-range and non-numeric values are refused
//! with a message naming the value, before anything is allocated or read.

use std::path::Path;
use std::process::Command;

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
