//! `audit-daemon` registered with this machine's kernel: it logs, feeds a plugin,
//! reloads on SIGHUP, rotates on SIGUSR1 and names who stopped it on SIGTERM.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the daemon if the test fails before stopping it, and puts `enabled` back.
struct DaemonGuard(Child, u32);

impl Drop for DaemonGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
        if let Ok(mut s) = audit_netlink::AuditSocket::open() {
            if s.get_status().is_ok_and(|st| st.enabled != self.1) {
                let _ = s.set_enabled(self.1 != 0);
            }
        }
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on the pid of our own child, not yet reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(15);
    while !ok() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn logs_dispatches_reloads_rotates_and_names_its_stopper() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let plugins = dir.path().join("plugins.d");
    std::fs::create_dir(&plugins).unwrap();
    let out = dir.path().join("plugin.out");
    let prog = dir.path().join("plugin");
    std::fs::write(&prog, format!("#!/bin/sh\nexec cat >> {}\n", out.display())).unwrap();
    std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o750)).unwrap();
    std::fs::write(
        plugins.join("cat.conf"),
        format!(
            "active = yes\ndirection = out\npath = {}\ntype = always\nformat = string\n",
            prog.display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("auditd.conf"),
        format!(
            "log_file = {}\nlog_format = RAW\nflush = INCREMENTAL_ASYNC\nfreq = 50\nnum_logs = 3\n\
             plugin_dir = {}\nq_depth = 500\nmax_restarts = 3\nfrobnicate = 1\n",
            log.display(),
            plugins.display()
        ),
    )
    .unwrap();

    // The user record needs auditing enabled: when it is off, the daemon turns it
    // on (`-s enable`) and off again at exit, leaving the state as it was.
    let enabled = audit_netlink::AuditSocket::open()
        .and_then(|mut s| s.get_status())
        .unwrap()
        .enabled;
    let set = if enabled == 0 { "enable" } else { "nochange" };
    let child = Command::new(env!("CARGO_BIN_EXE_audit-daemon"))
        .args(["-f", "-s", set, "-c"])
        .arg(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut daemon = DaemonGuard(child, enabled);
    wait_for("DAEMON_START", || read(&log).contains("type=DAEMON_START "));
    wait_for("DAEMON_START at the plugin", || {
        read(&out).contains("type=DAEMON_START ")
    });

    let marker = format!("audit-daemon-test-{}", std::process::id());
    let status = Command::new("auditctl")
        .args(["-m", &marker])
        .status()
        .unwrap();
    assert!(status.success());
    wait_for("the user record in the log", || {
        read(&log).contains(&marker)
    });
    wait_for("the user record at the plugin", || {
        read(&out).contains(&marker)
    });

    let me = format!(" pid={} ", std::process::id());
    signal(&daemon.0, libc::SIGHUP);
    wait_for("DAEMON_CONFIG", || {
        read(&log)
            .lines()
            .any(|l| l.starts_with("type=DAEMON_CONFIG ") && l.contains(&me))
    });
    signal(&daemon.0, libc::SIGUSR1);
    let rotated = dir.path().join("audit.log.1");
    wait_for("rotation", || read(&log).contains("type=DAEMON_ROTATE "));
    assert!(
        read(&rotated).contains(&marker),
        "the old log holds the earlier records"
    );

    signal(&daemon.0, libc::SIGTERM);
    let status = daemon.0.wait().unwrap();
    let mut stderr = String::new();
    daemon
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("unknown key \"frobnicate\""), "{stderr}");
    let text = read(&log);
    let end = text.lines().last().unwrap();
    assert!(
        end.starts_with("type=DAEMON_END ") && end.contains(&me),
        "{end}"
    );
    assert!(
        read(&out).contains("type=DAEMON_END "),
        "the plugin got the end too"
    );
    assert!(
        audit_testlock::daemon_slot_free(),
        "the daemon slot was given back"
    );
    let after = audit_netlink::AuditSocket::open()
        .and_then(|mut s| s.get_status())
        .unwrap()
        .enabled;
    assert_eq!(after, enabled, "enabled restored");

    // ausearch reads our log as it reads auditd's.
    let found = Command::new("ausearch")
        .args(["-if"])
        .arg(&log)
        .args(["-m", "DAEMON_END"])
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "{}",
        String::from_utf8_lossy(&found.stderr)
    );
}
