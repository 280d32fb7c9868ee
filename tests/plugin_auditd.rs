//! Our plugins under the real auditd 3.0.9 dispatcher.
//!
//! auditd runs without forking (`auditd -n -c DIR`; `-f` would not write the log) on a private configuration
//! directory: its `auditd.conf` sends the log to that directory and sets `plugin_dir`
//! (auditd 3.0.9 reads its plugins from there, `/etc/audit/plugins.d` being only the
//! default), so neither `/etc/audit` nor a mount namespace is needed. Two plugins run
//! under it: the audit-plugin crate's `record-sink` (every record to a file) and
//! `audisp-example` (its stdout to a file), once with
//! `format = string` and once with `format = binary` (3.0.9 pads binary payloads to
//! 8970 bytes). A burst of audited syscalls must reach the sink whole, counted against
//! auditd's own log; `auditctl --signal hup` must reach the plugin's reload; stopping
//! auditd (SIGTERM to its pid) must stop the plugins after they flushed.
mod support;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BURST: usize = 300;
/// The first argument the audited syscalls carry, so that the rule sees only ours.
const MAGIC_ARG: i32 = 424242;

fn auditctl(args: &[&str]) -> String {
    let out = Command::new("auditctl").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "auditctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn kernel_status() -> HashMap<String, String> {
    auditctl(&["-s"])
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// What the test changed, put back even when it fails.
struct Restore {
    backlog: String,
    enabled: String,
    rule: Option<Vec<String>>,
    auditd: Option<u32>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(pid) = self.auditd.take() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        if let Some(rule) = self.rule.take() {
            let mut args = vec!["-d".to_owned()];
            args.extend(rule);
            let _ = Command::new("auditctl").args(&args).output();
        }
        let _ = Command::new("auditctl")
            .args(["-b", &self.backlog])
            .output();
        let _ = Command::new("auditctl")
            .args(["-e", &self.enabled])
            .output();
    }
}

/// The audit-plugin crate's `record-sink` example, built like the root examples.
fn record_sink() -> PathBuf {
    let root_example = support::example_bin("audisp-example");
    let examples = root_example.parent().unwrap();
    let profile_dir = examples.parent().unwrap();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(support::manifest_dir())
        .args([
            "build",
            "--quiet",
            "-p",
            "audit-plugin",
            "--example",
            "record-sink",
        ])
        .arg("--target-dir")
        .arg(profile_dir.parent().unwrap());
    if profile_dir.file_name().is_some_and(|p| p == "release") {
        cmd.arg("--release");
    }
    assert!(
        cmd.status().unwrap().success(),
        "building record-sink failed"
    );
    examples.join("record-sink")
}

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < limit,
            "timed out ({limit:?}) waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn count_lines(path: &Path, pred: impl Fn(&str) -> bool) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| pred(l))
        .count()
}

fn run_under_auditd(format: &str, sink: &Path, audisp: &Path) {
    let dir = std::env::temp_dir().join(format!("plugin-auditd-{format}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _cleanup = RemoveDir(dir.clone());
    std::fs::create_dir_all(dir.join("plugins.d")).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let (log, out) = (dir.join("audit.log"), dir.join("sink.out"));
    // auditd's stderr and its plugins': a file, readable at any time.
    let err_file = dir.join("auditd.err");
    write(
        &dir.join("auditd.conf"),
        &format!(
            "log_file = {}\nlog_format = RAW\nwrite_logs = yes\nflush = INCREMENTAL_ASYNC\n\
             freq = 50\nq_depth = 20000\nmax_log_file_action = IGNORE\n\
             space_left = 2\nadmin_space_left = 1\nspace_left_action = IGNORE\nadmin_space_left_action = IGNORE\n\
             disk_full_action = IGNORE\ndisk_error_action = IGNORE\n\
             plugin_dir = {}\n",
            log.display(),
            dir.join("plugins.d").display()
        ),
        0o640,
    );
    // auditd gives its plugins no stdout or stderr (and no environment): each runs
    // through a script that sends them to files, then execs it (so that auditd's
    // signals reach the plugin itself).
    for (name, path, args) in [
        (
            "sink",
            sink,
            format!("--out={} --format={format}", out.display()),
        ),
        ("audisp", audisp, format!("--format={format}")),
    ] {
        let script = dir.join(format!("{name}.sh"));
        let base = dir.join(name);
        write(
            &script,
            &format!(
                "#!/bin/sh\nexec {} \"$@\" >{}.stdout 2>{}.stderr\n",
                path.display(),
                base.display(),
                base.display()
            ),
            0o750,
        );
        write(
            &dir.join("plugins.d").join(format!("{name}.conf")),
            &format!(
                "active = yes\ndirection = out\npath = {}\ntype = always\nargs = {args}\n\
                 format = {format}\n",
                script.display()
            ),
            0o640,
        );
    }
    let key = format!("plugin_test_{}_{format}", std::process::id());
    let before = kernel_status();
    let mut restore = Restore {
        backlog: before["backlog_limit"].clone(),
        enabled: before["enabled"].clone(),
        rule: None,
        auditd: None,
    };
    auditctl(&["-b", "8192"]);

    let mut auditd: Child = Command::new("auditd")
        .args(["-n", "-c"])
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_file).unwrap())
        .spawn()
        .expect("start auditd");
    let pid = auditd.id();
    restore.auditd = Some(pid);
    wait_until(
        "auditd to register and start the sink",
        Duration::from_secs(20),
        || {
            if auditd.try_wait().unwrap().is_some() {
                panic!("auditd exited early:\n{}", read(&err_file));
            }
            kernel_status()["pid"] == pid.to_string() && out.exists()
        },
    );

    let rule: Vec<String> = [
        "-a",
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "getpgid",
        "-F",
        &format!("a0={MAGIC_ARG}"),
        "-k",
        &key,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let refs: Vec<&str> = rule.iter().map(String::as_str).collect();
    auditctl(&refs);
    restore.rule = Some(rule[1..].to_vec());
    let lost_before: u64 = kernel_status()["lost"].parse().unwrap();
    for _ in 0..BURST {
        // SAFETY: getpgid only reads its argument; it fails (no such process).
        unsafe { libc::getpgid(MAGIC_ARG) };
    }
    let key_field = format!("key=\"{key}\"");
    let ours = |l: &str| l.starts_with("type=SYSCALL ") && l.contains(&key_field);
    wait_until("the burst in auditd's log", Duration::from_secs(30), || {
        count_lines(&log, ours) >= BURST
    });
    wait_until("the burst at the sink", Duration::from_secs(30), || {
        count_lines(&out, ours) >= BURST
    });
    // Nothing lost in the kernel, and the plugin saw exactly what auditd logged.
    assert_eq!(kernel_status()["lost"].parse::<u64>().unwrap(), lost_before);
    assert_eq!(count_lines(&log, ours), BURST, "{format}: auditd's log");
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
    let mut del = vec!["-d"];
    del.extend(refs[1..].iter());
    auditctl(&del);
    restore.rule = None;

    assert!(
        Command::new("kill")
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success(),
        "kill auditd"
    );
    wait_until("auditd to exit", Duration::from_secs(30), || {
        auditd.try_wait().unwrap().is_some()
    });
    restore.auditd = None;
    // Each plugin reports at its very end.
    let (sink_err, audisp_out) = (dir.join("sink.stderr"), dir.join("audisp.stdout"));
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
        read(&dir.join("audisp.stderr")).contains("audisp-example: reload requested"),
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
    drop(restore);
}

struct RemoveDir(PathBuf);
impl Drop for RemoveDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn plugins_under_the_real_auditd_dispatcher() {
    let _guard = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    for tool in ["auditd", "auditctl"] {
        if !have(tool) {
            audit_testlock::skip(format!("{tool} is not installed"));
            return;
        }
    }
    let sink = record_sink();
    let audisp = support::example_bin("audisp-example");
    for format in ["string", "binary"] {
        run_under_auditd(format, &sink, &audisp);
    }
}
