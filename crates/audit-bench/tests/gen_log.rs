//! The benchmark log generator: its output is deterministic, and
//! `--unknown-login N` gives N% of the events a login uid no user has here,
//! leaving everything else as the plain output has it.
use std::path::Path;
use std::process::Command;

fn gen_log(args: &[&str], out: &Path) -> Vec<u8> {
    let template = audit_bench::workspace_root().join("tests/data/captured/busy.log");
    let status = Command::new(env!("CARGO_BIN_EXE_gen-log"))
        .args(args)
        .args(["1"])
        .arg(out)
        .arg(&template)
        .status()
        .expect("run gen-log");
    assert!(status.success(), "gen-log {args:?}: {status}");
    std::fs::read(out).expect("read gen-log's output")
}

/// The login uid of each event that has one set, in order.
fn login_uids(log: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut seen = Vec::new();
    for line in log.split(|&b| b == b'\n') {
        let text = String::from_utf8_lossy(line);
        let Some(stamp) = text
            .split("msg=audit(")
            .nth(1)
            .and_then(|r| r.split(')').next())
        else {
            continue;
        };
        for tok in text.split(' ') {
            if let Some(v) = tok.strip_prefix("auid=") {
                if v != "4294967295" {
                    seen.push((stamp.as_bytes().to_vec(), v.as_bytes().to_vec()));
                }
            }
        }
    }
    seen
}

#[test]
fn unknown_login_changes_that_share_of_events_only() {
    let dir = tempfile_dir();
    let plain = gen_log(&["--in-order"], &dir.join("plain.log"));
    let again = gen_log(&["--in-order"], &dir.join("again.log"));
    assert_eq!(plain, again, "same arguments, different output");
    let changed = gen_log(
        &["--in-order", "--unknown-login", "30"],
        &dir.join("changed.log"),
    );

    // The output stops at the first event past the size asked for: the
    // changed log, whose uids are longer, may stop an event earlier.
    let (before, after) = (login_uids(&plain), login_uids(&changed));
    assert!(before.len().abs_diff(after.len()) <= 5 && before.len() > 1000);
    let mut events_changed = std::collections::BTreeSet::new();
    let mut events_kept = std::collections::BTreeSet::new();
    let mut new_uid = None;
    for ((stamp, old), (stamp2, new)) in before.iter().zip(&after) {
        assert_eq!(stamp, stamp2);
        if old == new {
            events_kept.insert(stamp.clone());
        } else {
            events_changed.insert(stamp.clone());
            assert_eq!(*new_uid.get_or_insert(new.clone()), *new);
        }
    }
    // An event is changed whole or not at all.
    assert!(events_changed.is_disjoint(&events_kept));
    let share = events_changed.len() as f64 / (events_changed.len() + events_kept.len()) as f64;
    assert!((0.2..0.4).contains(&share), "{share}");
    // The uid given is no user's here.
    let uid: u32 = String::from_utf8(new_uid.expect("no uid changed"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(audit_nss::user_name(uid).is_none(), "uid {uid} is a user's");
    // Apart from the login uids, the logs are the same (as far as both go).
    let strip = |log: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(log)
            .lines()
            .map(|l| {
                l.split(' ')
                    .filter(|t| !t.starts_with("auid="))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    let (plain, changed) = (strip(&plain), strip(&changed));
    let n = plain.len().min(changed.len());
    assert!(n + 10 > plain.len().max(changed.len()));
    assert_eq!(plain[..n], changed[..n]);
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gen-log-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
