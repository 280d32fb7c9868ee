//! Our plugins under the real auditd 3.0.9 dispatcher (see `audit_testlock::auditd` for how
//! auditd is run): the audit-plugin crate's `record-sink` (every record to a file)
//! and `audisp-example`, once with `format = string` and once with `format = binary`
//! (3.0.9 pads binary payloads to 8970 bytes). A burst of audited syscalls must reach
//! the sink whole, counted against auditd's own log; `auditctl --signal hup` must
//! reach the plugins' reload; stopping auditd (SIGTERM to its pid) must stop the
//! plugins after they flushed.
mod support;

use audit_testlock::auditd::{
    audit_getpgid, auditctl, can_run_auditd, kernel_status, read, wait_until, Auditd, PluginConf,
    TempDir,
};
use std::path::Path;
use std::time::Duration;

const BURST: usize = 300;
/// The first argument the audited syscalls carry, so that the rule sees only ours.
const MAGIC_ARG: i32 = 424242;

fn count_lines(path: &Path, pred: impl Fn(&str) -> bool) -> usize {
    read(path).lines().filter(|l| pred(l)).count()
}

fn run_under_auditd(format: &str, sink: &Path, audisp: &Path) {
    let dir = TempDir::new(&format!("plugin-auditd-{format}"));
    let out = dir.0.join("sink.out");
    let mut auditd = Auditd::start(
        &dir.0,
        &[
            PluginConf {
                name: "sink",
                path: sink,
                args: format!("--out={} --format={format}", out.display()),
                format,
            },
            PluginConf {
                name: "audisp",
                path: audisp,
                args: format!("--format={format}"),
                format,
            },
        ],
    );
    wait_until("the sink to start", Duration::from_secs(20), || {
        out.exists()
    });

    let key = format!("plugin_test_{}_{format}", std::process::id());
    // The rule that audits our burst.
    let guard = audit_getpgid(MAGIC_ARG, &key);
    let lost_before: u64 = kernel_status()["lost"].parse().unwrap();
    for _ in 0..BURST {
        // SAFETY: getpgid only reads its argument; it fails (no such process).
        unsafe { libc::getpgid(MAGIC_ARG) };
    }
    let key_field = format!("key=\"{key}\"");
    let ours = |l: &str| l.starts_with("type=SYSCALL ") && l.contains(&key_field);
    wait_until("the burst in auditd's log", Duration::from_secs(30), || {
        count_lines(&auditd.log, ours) >= BURST
    });
    wait_until("the burst at the sink", Duration::from_secs(30), || {
        count_lines(&out, ours) >= BURST
    });
    // Nothing lost in the kernel, and the plugin saw exactly what auditd logged.
    assert_eq!(kernel_status()["lost"].parse::<u64>().unwrap(), lost_before);
    assert_eq!(
        count_lines(&auditd.log, ours),
        BURST,
        "{format}: auditd's log"
    );
    assert_eq!(count_lines(&out, ours), BURST, "{format}: the sink");
    let proctitles = |l: &str| l.starts_with("type=PROCTITLE ");
    assert!(
        count_lines(&out, proctitles) >= BURST,
        "{format}: PROCTITLE records"
    );

    auditctl(&["--signal", "hup"]);
    wait_until("the sink's reload", Duration::from_secs(20), || {
        count_lines(&out, |l| l == "reload") == 1
    });
    drop(guard);

    auditd.stop();
    // Each plugin reports at its very end.
    let (sink_err, audisp_out) = (
        auditd.output("sink", "stderr"),
        auditd.output("audisp", "stdout"),
    );
    wait_until("the plugins to stop", Duration::from_secs(30), || {
        read(&sink_err).contains("abandoned=")
            && read(&audisp_out).contains("audisp-example is exiting on ")
    });
    let (stdout, stderr) = (read(&audisp_out), read(&sink_err));
    // record-sink's exit report: stopped by auditd, nothing dropped or left.
    assert!(
        stderr.contains("stopped: "),
        "{format}: no sink report in\n{stderr}"
    );
    assert!(
        stderr.contains("overflowed=0\n") && stderr.contains("abandoned=0\n"),
        "{stderr}"
    );
    assert!(
        read(&auditd.output("audisp", "stderr")).contains("audisp-example: reload requested"),
        "{format}: audisp-example did not see SIGHUP"
    );
    // audisp-example printed every event, the last ones flushed at stop.
    let syscalls = stdout
        .lines()
        .filter(|l| l.starts_with("record type 1300(SYSCALL) has "))
        .count();
    // (auditctl's own events have a SYSCALL record too: all of them, as the sink saw.)
    let all_syscalls = count_lines(&out, |l| l.starts_with("type=SYSCALL "));
    assert!(all_syscalls >= BURST);
    assert_eq!(
        syscalls, all_syscalls,
        "{format}: audisp-example's SYSCALL records"
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("audisp-example is exiting on "),
        "{format}: audisp-example's last line {last:?}"
    );
}

#[test]
fn plugins_under_the_real_auditd_dispatcher() {
    let _guard = audit_testlock::live_lock();
    if !can_run_auditd() {
        return;
    }
    let sink = audit_testlock::reference::example_bin("audit-plugin", "record-sink");
    let audisp = support::example_bin("audisp-example");
    for format in ["string", "binary"] {
        run_under_auditd(format, &sink, &audisp);
    }
}
