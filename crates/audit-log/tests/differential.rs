//! Logs written by the writer from the records of logs auditd 3.0.9 wrote
//! (tests/data/captured/) read by the real `ausearch -i` and
//! `aureport --summary` as auditd's own.

use audit_log::{Flush, LogConfig, LogFormat, LogWriter, NameFormat, INTERP_SEPARATOR};
use audit_wire::RecordType;
use std::path::{Path, PathBuf};
use std::process::Command;

fn captured(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/captured/"
    ))
    .join(name)
}

/// The records of an auditd log: node, type number, payload.
fn records(path: &Path) -> Vec<(Option<String>, RecordType, Vec<u8>)> {
    let log = std::fs::read(path).unwrap();
    let mut out = Vec::new();
    for line in log.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let raw = line.split(|&b| b == INTERP_SEPARATOR).next().unwrap();
        let text = std::str::from_utf8(raw).unwrap();
        let (node, rest) = match text.strip_prefix("node=") {
            Some(r) => {
                let (n, rest) = r.split_once(' ').unwrap();
                (Some(n.to_string()), rest)
            }
            None => (None, text),
        };
        let (ty, payload) = rest
            .strip_prefix("type=")
            .unwrap()
            .split_once(" msg=")
            .unwrap();
        out.push((
            node,
            RecordType::from_name(ty).unwrap(),
            payload.as_bytes().to_vec(),
        ));
    }
    out
}

/// Writes `records` as the daemon would, with `format`, into `dir`.
fn write_log(
    dir: &Path,
    records: &[(Option<String>, RecordType, Vec<u8>)],
    format: LogFormat,
) -> PathBuf {
    let node = records[0].0.clone();
    let mut w = LogWriter::open(LogConfig {
        log_file: dir.join("audit.log"),
        log_format: format,
        flush: Flush::Incremental,
        freq: 100,
        name_format: if node.is_some() {
            NameFormat::User
        } else {
            NameFormat::None
        },
        name: node,
        ..LogConfig::default()
    })
    .unwrap();
    for (_, ty, payload) in records {
        w.write_record(*ty, payload).unwrap();
    }
    w.close().unwrap();
    dir.join("audit.log")
}

fn tool(args: &[&str], file: &Path) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .arg("-if")
        .arg(file)
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ausearch(file: &Path) -> String {
    tool(&["ausearch", "-i"], file)
}

fn aureport(file: &Path) -> String {
    // The summary's first lines name the time range and the file's
    // creation; both logs hold the same events.
    tool(&["aureport", "--summary"], file)
}

#[test]
fn same_format_reads_the_same() {
    for (name, format) in [
        ("raw.log", LogFormat::Raw),
        ("enriched.log", LogFormat::Enriched),
        ("busy-enriched.log", LogFormat::Enriched),
    ] {
        let original = captured(name);
        let dir = tempfile::tempdir().unwrap();
        let ours = write_log(dir.path(), &records(&original), format);
        let (a, b) = (ausearch(&ours), ausearch(&original));
        assert!(a.lines().count() > 100, "{name}: {a}");
        assert_eq!(a, b, "{name}: ausearch -i differs");
        assert_eq!(
            aureport(&ours),
            aureport(&original),
            "{name}: aureport --summary differs"
        );
    }
}

#[test]
fn raw_and_enriched_of_one_capture_read_the_same() {
    // auditd's ENRICHED capture, written again by us in RAW: ausearch
    // interprets the RAW uids and syscalls itself, to the same text.
    for name in ["enriched.log", "busy-enriched.log"] {
        let original = captured(name);
        let dir = tempfile::tempdir().unwrap();
        let ours = write_log(dir.path(), &records(&original), LogFormat::Raw);
        let text = std::fs::read(&ours).unwrap();
        assert!(!text.contains(&INTERP_SEPARATOR));
        assert_eq!(
            ausearch(&ours),
            ausearch(&original),
            "{name}: ausearch -i differs"
        );
        assert_eq!(
            aureport(&ours),
            aureport(&original),
            "{name}: aureport --summary differs"
        );
    }
    // auditd's RAW capture written by us ENRICHED.
    let original = captured("busy.log");
    let dir = tempfile::tempdir().unwrap();
    let ours = write_log(dir.path(), &records(&original), LogFormat::Enriched);
    assert!(std::fs::read(&ours).unwrap().contains(&INTERP_SEPARATOR));
    assert_eq!(
        ausearch(&ours),
        ausearch(&original),
        "busy.log: ausearch -i differs"
    );
    assert_eq!(
        aureport(&ours),
        aureport(&original),
        "busy.log: aureport --summary differs"
    );
}
