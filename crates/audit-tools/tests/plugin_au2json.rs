//! au2json under the real auditd 3.0.9 dispatcher (see `audit_testlock::auditd` for how auditd
//! is run), with `format = string` and with `format = binary`: a burst of audited
//! syscalls must come out as one JSON line per event, each event whole (its SYSCALL
//! and PROCTITLE records together), as many as auditd logged; stopping auditd must
//! stop au2json after it flushed (every line it wrote is whole JSON).
use audit_normalize::json::serde_json;
use audit_testlock::auditd::{
    audit_getpgid, can_run_auditd, kernel_status, read, wait_until, Auditd, PluginConf, TempDir,
};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const BURST: usize = 300;
/// The first argument the audited syscalls carry, so that the rule sees only ours.
const MAGIC_ARG: i32 = 434343;

/// The events au2json wrote whose SYSCALL record carries `key`, as their records' type names; lines
/// that are not whole JSON yet (the last one, being written) are left out.
fn keyed_events(out: &Path, key: &str) -> Vec<Vec<String>> {
    let key_field = format!("key=\"{key}\"");
    read(out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| {
            let records = v["records"].as_array()?;
            let ours = records.iter().any(|r| {
                // (auditctl's CONFIG_CHANGE records carry the key too.)
                r["type_name"] == "SYSCALL"
                    && r["text"].as_str().is_some_and(|t| t.contains(&key_field))
            });
            ours.then(|| {
                records
                    .iter()
                    .map(|r| r["type_name"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
        })
        .collect()
}

fn run_under_auditd(format: &str, au2json: &Path) {
    let dir = TempDir::new(&format!("plugin-au2json-{format}"));
    let mut auditd = Auditd::start(
        &dir.0,
        &[PluginConf {
            name: "au2json",
            path: au2json,
            args: format!("--format={format}"),
            format,
        }],
    );
    let out = auditd.output("au2json", "stdout");

    let key = format!("au2json_test_{}_{format}", std::process::id());
    let guard = audit_getpgid(MAGIC_ARG, &key);
    let lost_before: u64 = kernel_status()["lost"].parse().unwrap();
    for _ in 0..BURST {
        // SAFETY: getpgid only reads its argument; it fails (no such process).
        unsafe { libc::getpgid(MAGIC_ARG) };
    }
    let key_field = format!("key=\"{key}\"");
    let logged = |log: &Path| {
        read(log)
            .lines()
            .filter(|l| l.starts_with("type=SYSCALL ") && l.contains(&key_field))
            .count()
    };
    wait_until("the burst in auditd's log", Duration::from_secs(30), || {
        logged(&auditd.log) >= BURST
    });
    wait_until("the burst from au2json", Duration::from_secs(30), || {
        keyed_events(&out, &key).len() >= BURST
    });
    assert_eq!(kernel_status()["lost"].parse::<u64>().unwrap(), lost_before);
    assert_eq!(logged(&auditd.log), BURST, "{format}: auditd's log");
    drop(guard);
    auditd.stop();
    wait_until("au2json to stop", Duration::from_secs(30), || {
        !read(&out).is_empty() && read(&out).ends_with('\n')
    });

    let events = keyed_events(&out, &key);
    assert_eq!(events.len(), BURST, "{format}: au2json's events");
    for types in &events {
        let has = |t: &str| types.iter().filter(|x| *x == t).count();
        assert_eq!(has("SYSCALL"), 1, "{format}: {types:?}");
        assert_eq!(has("PROCTITLE"), 1, "{format}: {types:?}");
    }
    // Every line au2json wrote, the ones flushed at stop too, is one whole event.
    for line in read(&out).lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["records"].is_array(), "{format}: {line}");
    }
    let stderr = read(&auditd.output("au2json", "stderr"));
    assert!(!stderr.contains("not converted"), "{format}: {stderr}");
}

#[test]
fn au2json_under_the_real_auditd_dispatcher() {
    let _guard = audit_testlock::live_lock();
    if !can_run_auditd() {
        return;
    }
    let au2json = Path::new(env!("CARGO_BIN_EXE_au2json"));
    for format in ["string", "binary"] {
        run_under_auditd(format, au2json);
    }
}
