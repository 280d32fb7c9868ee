//! `audit-daemon` registered with this machine's kernel: it logs, feeds a plugin,
//! reloads on SIGHUP, rotates on SIGUSR1 and names who stopped it on SIGTERM.

mod daemon_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use audit_testlock::auditd::AddedRule;
use audit_testlock::namespace::{self, Private};
use daemon_support::{
    enabled_now, execve_rule, read, registered_pid, run_ok, user_message, wait_for, DaemonGuard,
    Setup,
};

impl Setup {
    /// A plugin in `plugins.d` that appends what it is given to `DIR/plugin.out`;
    /// that file's path.
    fn add_cat_plugin(&self) -> PathBuf {
        let out = self.dir.path().join("plugin.out");
        let prog = self.dir.path().join("plugin");
        std::fs::write(&prog, format!("#!/bin/sh\nexec cat >> {}\n", out.display())).unwrap();
        std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o750)).unwrap();
        std::fs::write(
            self.dir.path().join("plugins.d/cat.conf"),
            format!(
                "active = yes\ndirection = out\npath = {}\ntype = always\nformat = string\n",
                prog.display()
            ),
        )
        .unwrap();
        out
    }

    /// Runs `audit-daemon OPTIONS -s nochange -c DIR` to its end (or, in the
    /// background, to its parent's).
    fn run(&self, options: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_audit-daemon"))
            .args(options)
            .args(["-s", "nochange", "-c"])
            .arg(self.dir.path())
            .output()
            .unwrap()
    }
}

fn has_line(log: &Path, pred: impl Fn(&str) -> bool) -> bool {
    read(log).lines().any(pred)
}

#[test]
fn logs_dispatches_reloads_rotates_and_names_its_stopper() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let setup = Setup::new("num_logs = 3\nq_depth = 500\nmax_restarts = 3\nfrobnicate = 1\n");
    let (dir, log) = (setup.dir.path(), &setup.log);
    let out = setup.add_cat_plugin();

    // The user record needs auditing enabled: when it is off, the daemon turns it
    // on (`-s enable`) and off again at exit, leaving the state as it was.
    let mut daemon = setup.start();
    let enabled = daemon.1;
    wait_for("DAEMON_START", || read(log).contains("type=DAEMON_START "));
    wait_for("DAEMON_START at the plugin", || {
        read(&out).contains("type=DAEMON_START ")
    });

    let marker = format!("audit-daemon-test-{}", std::process::id());
    user_message(&marker);
    wait_for("the user record in the log", || read(log).contains(&marker));
    wait_for("the user record at the plugin", || {
        read(&out).contains(&marker)
    });

    let me = format!(" pid={} ", std::process::id());
    daemon.signal(libc::SIGHUP);
    wait_for("DAEMON_CONFIG", || {
        has_line(log, |l| {
            l.starts_with("type=DAEMON_CONFIG ") && l.contains(&me)
        })
    });
    daemon.signal(libc::SIGUSR1);
    let rotated = dir.join("audit.log.1");
    wait_for("rotation", || read(log).contains("type=DAEMON_ROTATE "));
    assert!(
        read(&rotated).contains(&marker),
        "the old log holds the earlier records"
    );

    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("unknown key \"frobnicate\""), "{stderr}");
    let text = read(log);
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
    assert_eq!(enabled_now(), enabled, "enabled restored");

    // ausearch reads our log as it reads auditd's.
    run_ok(
        "ausearch -m DAEMON_END",
        Command::new("ausearch")
            .args(["-if"])
            .arg(log)
            .args(["-m", "DAEMON_END"]),
    );
}

/// SIGHUP re-reads the writer's settings too, as auditd: a new log path and
/// format are taken, the DAEMON_CONFIG record (auditd's wording) opens the
/// new log; a bad file changes nothing and says so.
#[test]
fn sighup_takes_the_writers_new_settings() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let setup = Setup::new("");
    let mut daemon = setup.start();
    wait_for("DAEMON_START", || {
        read(&setup.log).contains("type=DAEMON_START ")
    });

    let new_log = setup.dir.path().join("other.log");
    setup.configure(&new_log, "name_format = user\nname = reconfigured\n");
    daemon.signal(libc::SIGHUP);
    let me = std::process::id();
    let config = "op=reconfigure state=changed auid=";
    wait_for("DAEMON_CONFIG in the new log", || {
        has_line(&new_log, |l| {
            l.starts_with("node=reconfigured type=DAEMON_CONFIG ")
                && l.contains(config)
                && l.contains(&format!(" pid={me} subj="))
                && l.ends_with(" res=success")
        })
    });
    let marker = format!("audit-daemon-hup-{me}");
    user_message(&marker);
    wait_for("the user record in the new log", || {
        read(&new_log).contains(&marker)
    });
    assert!(!read(&setup.log).contains(&marker), "the old log is left");

    // A refused value: nothing changes, and the record says so.
    setup.configure(&setup.log, "freq = many\n");
    daemon.signal(libc::SIGHUP);
    wait_for("the failed DAEMON_CONFIG", || {
        has_line(&new_log, |l| {
            l.contains("type=DAEMON_CONFIG ")
                && l.contains("op=reconfigure state=no-change auid=")
                && l.contains(&format!(" pid={me} "))
                && l.ends_with(" res=failed")
        })
    });
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(
        stderr.contains("freq"),
        "the refused line is told: {stderr}"
    );
    let last = read(&new_log);
    assert!(
        last.lines().last().unwrap().contains("type=DAEMON_END "),
        "{last}"
    );
}

/// A log suspended at `max_log_file` (action suspend) drops records until
/// SIGUSR2: then, the log moved away, a new one opens with DAEMON_RESUME naming
/// the sender (auditd's `op=resume-logging`), and records are logged again.
#[test]
fn sigusr2_resumes_a_suspended_log() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let setup = Setup::new("max_log_file = 1\nmax_log_file_action = suspend\nnum_logs = 2\n");
    std::fs::write(&setup.log, "x".repeat(1 << 20) + "\n").unwrap();
    let mut daemon = setup.start_registered();
    let me = std::process::id();
    let dropped = format!("audit-daemon-suspended-{me}");
    user_message(&dropped);

    std::fs::rename(&setup.log, setup.dir.path().join("full.log")).unwrap();
    daemon.signal(libc::SIGUSR2);
    wait_for("DAEMON_RESUME", || {
        has_line(&setup.log, |l| {
            l.starts_with("type=DAEMON_RESUME ")
                && l.contains(": op=resume-logging auid=")
                && l.contains(&format!(" pid={me} "))
                && l.ends_with(" res=success")
        })
    });
    let logged = format!("audit-daemon-resumed-{me}");
    user_message(&logged);
    wait_for("the record after resuming", || {
        read(&setup.log).contains(&logged)
    });
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(!read(&setup.log).contains(&dropped));
    assert!(!read(&setup.dir.path().join("full.log")).contains(&dropped));
    assert!(stderr.contains("resume"), "{stderr}");
}

/// A second daemon while one is registered: it refuses to start (exit 1,
/// naming the holder) and its log has DAEMON_START then DAEMON_ABORT
/// `op=set-pid … res=failed`, as auditd's; the first goes on.
#[test]
fn a_taken_slot_is_refused_with_daemon_abort() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let first = Setup::new("");
    let mut daemon = first.start_registered();
    let pid = daemon.0.id();

    let second = Setup::new("");
    let out = second.run(&["-f"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot register"), "{stderr}");
    assert!(
        stderr.contains(&pid.to_string()),
        "names the holder: {stderr}"
    );
    let text = read(&second.log);
    let types: Vec<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(types, ["type=DAEMON_START", "type=DAEMON_ABORT"], "{text}");
    let abort = text.lines().last().unwrap();
    assert!(
        abort.contains(": op=set-pid auid=") && abort.ends_with(" res=failed"),
        "{abort}"
    );
    assert_eq!(registered_pid(), pid, "the first daemon keeps the slot");
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
}

/// Without `-f`, messages go to syslog (`/dev/log`, facility daemon, tag
/// `audit-daemon`), not to stderr: run in a private mount namespace whose
/// `/dev` holds this test's socket.
#[test]
fn without_f_messages_go_to_syslog() {
    use std::os::unix::net::UnixDatagram;
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let setup = Setup::new("frobnicate = 1\n");
    let dev = setup.dir.path().join("dev");
    std::fs::create_dir(&dev).unwrap();
    let syslog = UnixDatagram::bind(dev.join("log")).unwrap();
    syslog
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let child = namespace::unshare(Private::Mounts)
        .args(["sh", "-c"])
        .arg("mount --bind \"$1\" /dev && exec \"$2\" -n -s nochange -c \"$3\"")
        .arg("sh")
        .arg(&dev)
        .arg(env!("CARGO_BIN_EXE_audit-daemon"))
        .arg(setup.dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut daemon = DaemonGuard(child, enabled_now());
    let pid = daemon.0.id();
    wait_for("registration", || registered_pid() == pid);
    let mut got = String::new();
    let mut buf = vec![0u8; 4096];
    while !got.contains("init complete") {
        let n = syslog.recv(&mut buf).expect("a syslog message in time");
        got += &String::from_utf8_lossy(&buf[..n]);
        got.push('\n');
    }
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(got.contains("unknown key \"frobnicate\""), "{got}");
    // <29>: facility daemon (3 * 8) + notice (5).
    assert!(
        got.lines()
            .any(|l| l.starts_with("<29>")
                && l.contains(&format!("audit-daemon[{pid}]: init complete"))),
        "{got}"
    );
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
}

/// A daemon killed with SIGKILL leaves its dead pid registered; the next one
/// takes the slot over, runs and logs.
#[test]
fn a_crashed_daemons_registration_is_taken_over() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let crashed = Setup::new("");
    let mut first = crashed.start_registered();
    let dead = first.0.id();
    first.signal(libc::SIGKILL);
    first.0.wait().unwrap();
    assert_eq!(
        registered_pid(),
        dead,
        "the kernel still names the dead daemon"
    );

    let setup = Setup::new("");
    let mut daemon = setup.start();
    let pid = daemon.0.id();
    wait_for("the new daemon's registration", || registered_pid() == pid);
    let marker = format!("audit-daemon-after-crash-{}", std::process::id());
    user_message(&marker);
    wait_for("the record in the new log", || {
        read(&setup.log).contains(&marker)
    });
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
    assert_eq!(registered_pid(), 0);
}

/// The pid's command name.
fn comm(pid: u32) -> String {
    read(Path::new(&format!("/proc/{pid}/comm")))
        .trim()
        .to_string()
}

/// Stops a background daemon (by its pid, once checked by name) if the test
/// fails before it does.
struct Background(u32);

impl Drop for Background {
    fn drop(&mut self) {
        if self.0 != 0 && registered_pid() == self.0 && comm(self.0) == "audit-daemon" {
            // SAFETY: kill(2) of the registered audit-daemon, checked by name.
            unsafe { libc::kill(self.0 as i32, libc::SIGTERM) };
            let end = Instant::now() + Duration::from_secs(10);
            while registered_pid() == self.0 && Instant::now() < end {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Without `-f` or `-n` the program returns once the daemon it leaves in the
/// background is registered (exit 0), or with the daemon's reason (exit 1).
#[test]
fn in_the_background_the_parent_waits_for_registration() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let setup = Setup::new("");
    let out = setup.run(&[]);
    let pid = registered_pid();
    let _guard = Background(pid);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(
        pid != 0 && comm(pid) == "audit-daemon",
        "registered when the parent returned: pid {pid}"
    );
    // Stopped by its pid (not our child: it is reaped by init).
    let stop = || {
        // SAFETY: kill(2) of the daemon just checked by name.
        unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        wait_for("the background daemon's end", || {
            registered_pid() != pid && read(&setup.log).contains("type=DAEMON_END ")
        });
    };

    // A second one cannot register: its parent says why, exit 1.
    let second = Setup::new("");
    let refused = second.run(&[]);
    let why = String::from_utf8_lossy(&refused.stderr).into_owned();
    let still = registered_pid();
    stop();
    assert_eq!(refused.status.code(), Some(1), "{why}");
    assert!(why.contains("cannot register"), "{why}");
    assert_eq!(still, pid, "the first kept the slot");
    assert!(read(&setup.log).starts_with("type=DAEMON_START "));
}

/// Stopped by `kill -TERM` from a process whose login uid is known: the kill
/// syscall's own event (an audited kill rule) is in the log before DAEMON_END,
/// and DAEMON_END names that process's pid and login uid.
#[test]
fn daemon_end_names_the_killer_after_its_kill_event() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let setup = Setup::new("");
    let mut daemon = setup.start_registered();
    let pid = daemon.0.id();

    let key = format!("audit-daemon-kill-{}", std::process::id());
    let _rule = AddedRule::add(&["always,exit", "-F", "arch=b64", "-S", "kill", "-k", &key]);

    // The shell sets its login uid, then becomes `kill` (same pid).
    let auid = 4242;
    let killer = Command::new("sh")
        .args([
            "-c",
            "echo $1 > /proc/self/loginuid && exec kill -TERM $2",
            "sh",
        ])
        .arg(auid.to_string())
        .arg(pid.to_string())
        .spawn()
        .unwrap();
    let killer_pid = killer.id();
    let killed = killer.wait_with_output().unwrap();
    assert!(killed.status.success());
    let status = daemon.0.wait().unwrap();
    assert!(status.success(), "{status:?}");

    let text = read(&setup.log);
    let lines: Vec<&str> = text.lines().collect();
    let end = lines.last().unwrap();
    assert!(end.starts_with("type=DAEMON_END "), "{text}");
    assert!(
        end.contains(&format!(" auid={auid} ")) && end.contains(&format!(" pid={killer_pid} ")),
        "DAEMON_END names the killer: {end}"
    );
    let kill = lines
        .iter()
        .position(|l| {
            l.starts_with("type=SYSCALL ")
                && l.contains(&format!("key=\"{key}\""))
                && l.contains(&format!(" pid={killer_pid} "))
                && l.contains(&format!(" auid={auid} "))
                && l.contains(&format!(" a0={pid:x} "))
        })
        .unwrap_or_else(|| panic!("no kill event of {killer_pid}:\n{text}"));
    assert!(kill < lines.len() - 1);
}

/// The login uid the kernel reports for this process in signal info: the
/// loginuid when set, else the uid.
fn expected_signal_uid() -> u32 {
    let loginuid: u32 = read(Path::new("/proc/self/loginuid"))
        .trim()
        .parse()
        .unwrap();
    if loginuid == u32::MAX {
        // SAFETY: getuid has no preconditions.
        unsafe { libc::getuid() }
    } else {
        loginuid
    }
}

/// `ausearch -if LOG --raw ARGS`'s lines.
fn ausearch_raw(log: &Path, args: &[&str]) -> Vec<String> {
    let out = run_ok(
        &format!("ausearch {args:?}"),
        Command::new("ausearch")
            .arg("-if")
            .arg(log)
            .arg("--raw")
            .args(args)
            .env("LC_ALL", "C"),
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("----"))
        .map(str::to_string)
        .collect()
}

/// What mini-auditd was tested for, on the daemon: an execve of this test's
/// child is logged whole (ausearch finds the same lines), the log opens with
/// DAEMON_START and ends with one DAEMON_END naming this test's pid, login uid
/// and uid, and the registration is given back.
#[test]
fn an_event_is_logged_as_ausearch_reads_it() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let setup = Setup::new("");
    let mut daemon = setup.start_registered();
    let me = std::process::id();
    let key = format!("audit-daemon-exec-{me}");
    let spec = execve_rule(me, &key);
    let rule = AddedRule::add(&spec.iter().map(String::as_str).collect::<Vec<_>>());
    let marker = format!("--marker-{me}");
    assert!(Command::new("/bin/true")
        .arg(&marker)
        .status()
        .unwrap()
        .success());
    wait_for("the event in the log", || {
        let t = read(&setup.log);
        t.contains(&format!("key=\"{key}\"")) && t.contains(&format!("a1=\"{marker}\""))
    });
    drop(rule);
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
    assert_eq!(registered_pid(), 0, "the registration is given back");

    let text = read(&setup.log);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("type=DAEMON_START "), "{text}");
    let syscall = lines
        .iter()
        .find(|l| l.starts_with("type=SYSCALL ") && l.contains(&format!("key=\"{key}\"")))
        .unwrap();
    assert!(syscall.contains(&format!(" ppid={me} ")) && syscall.contains(" success=yes "));
    let stamp = &syscall[syscall.find("msg=audit(").unwrap()..syscall.find("):").unwrap() + 2];
    let ours: Vec<String> = lines
        .iter()
        .filter(|l| l.contains(stamp))
        .map(|l| l.to_string())
        .collect();
    assert!(
        ours.iter().any(|l| l.starts_with("type=EXECVE ")),
        "{ours:?}"
    );
    // ausearch -k also finds the rule's CONFIG_CHANGE and auditctl's own exec.
    let theirs: Vec<String> = ausearch_raw(&setup.log, &["-k", &key])
        .into_iter()
        .filter(|l| l.contains(stamp))
        .collect();
    assert_eq!(theirs, ours);

    let ends: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("type=DAEMON_END "))
        .collect();
    assert_eq!(ends.len(), 1, "{text}");
    let end = ends[0];
    assert_eq!(end, lines.last().unwrap());
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let expect = format!(": op=terminate auid={} uid={uid} ", expected_signal_uid());
    assert!(end.contains(&expect), "{end}");
    assert!(end.contains(&format!(" pid={me} ")), "{end}");
    assert_eq!(
        ausearch_raw(&setup.log, &["-m", "DAEMON_END"]),
        [end.to_string()]
    );
}

/// The log as auditd keeps it: mode 0600, 0640 with a `log_group`, whatever
/// the file's mode before; a symbolic link planted in its place is not
/// followed: the daemon refuses to start, naming it, and the link's target is
/// untouched.
#[test]
fn the_log_has_auditds_modes_and_a_planted_symlink_is_refused() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    for (extra, want) in [("", 0o600), ("log_group = 4\n", 0o640)] {
        let setup = Setup::new(extra);
        std::fs::write(&setup.log, "").unwrap();
        std::fs::set_permissions(&setup.log, std::fs::Permissions::from_mode(0o666)).unwrap();
        let mut daemon = setup.start_registered();
        let meta = std::fs::metadata(&setup.log).unwrap();
        let (status, stderr) = daemon.stop();
        assert!(status.success(), "{status:?}: {stderr}");
        assert_eq!(meta.mode() & 0o7777, want, "{extra}");
        if want == 0o640 {
            assert_eq!(meta.gid(), 4);
        }
    }

    let setup = Setup::new("");
    let target = setup.dir.path().join("target");
    std::fs::write(&target, "precious\n").unwrap();
    std::os::unix::fs::symlink(&target, &setup.log).unwrap();
    let out = setup.run(&["-f"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert_eq!(read(&target), "precious\n");
    assert_eq!(registered_pid(), 0);
}

/// SIGCONT writes auditd's state report, mode 0640, and the daemon removes it
/// at exit; a symbolic link planted in its place is not followed. The daemon
/// runs in a mount namespace of its own, with a tmpfs on /run, so its report
/// (at /var/run/auditd.state, as auditd's) is read through /proc/PID/root.
#[test]
fn sigcont_writes_the_state_report() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() || !namespace::tools_installed(&[]) {
        return;
    }
    let setup = Setup::new("");
    setup.add_cat_plugin();
    let enabled = enabled_now();
    let set = if enabled == 0 { "enable" } else { "nochange" };
    let child = namespace::unshare(Private::Mounts)
        .args([
            "sh",
            "-c",
            "mount -t tmpfs -o mode=0755 state /run && exec \"$@\"",
            "sh",
        ])
        .arg(env!("CARGO_BIN_EXE_audit-daemon"))
        .args(["-f", "-s", set, "-c"])
        .arg(setup.dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut daemon = DaemonGuard(child, enabled);
    let pid = daemon.0.id();
    wait_for("registration", || registered_pid() == pid);
    let run = PathBuf::from(format!("/proc/{pid}/root/run"));
    let state = run.join("auditd.state");

    // A link planted where the report goes: refused, its target left alone.
    let target = run.join("elsewhere");
    std::os::unix::fs::symlink("/run/elsewhere", &state).unwrap();
    daemon.signal(libc::SIGCONT);
    std::thread::sleep(Duration::from_millis(500));
    assert!(!target.exists(), "the report followed the planted link");
    std::fs::remove_file(&state).unwrap();

    daemon.signal(libc::SIGCONT);
    wait_for("the state report", || {
        read(&state).contains("plugin queue size = ")
    });
    let report = read(&state);
    let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640, "{report}");
    for line in [
        "writing to logs = yes",
        "logging suspended = no",
        "Number of active plugins = 1",
        "plugin queue size = 2000",
    ] {
        assert!(
            report.lines().any(|l| l == line),
            "no {line:?} in:\n{report}"
        );
    }
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("current log size = ") && l.ends_with(" KB")),
        "{report}"
    );
    assert!(
        report.lines().any(|l| l.starts_with("plugin cat")),
        "{report}"
    );
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(
        stderr.contains("cannot write the state to /var/run/auditd.state"),
        "{stderr}"
    );
}
