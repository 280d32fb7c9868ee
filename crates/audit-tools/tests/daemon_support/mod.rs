//! What the live daemon tests share: starting `audit-daemon` or the real auditd
//! 3.0.9, an exec storm under one audited execve rule, and guards that put the
//! kernel's audit state back and stop the daemons by pid, also when a test fails.
#![allow(dead_code, reason = "each test file uses a part")]

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The real auditd, from Debian's `auditd` package.
pub const AUDITD: &str = "/usr/sbin/auditd";

/// Waits up to `secs` seconds for `ok`; false when it never held.
pub fn wait_until(secs: u64, mut ok: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if ok() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A file's text, empty when it cannot be read (not written yet).
pub fn read(p: &Path) -> String {
    std::fs::read(p)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// Runs `cmd` to its end; the test fails, naming `what` and with its stderr,
/// when it does not succeed.
pub fn run_ok(what: &str, cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes an executable shell script.
pub fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o750)).unwrap();
}

/// The kernel's audit state as the test found it; put back on drop, with every
/// rule the test added deleted (by its exact text) whatever happened.
pub struct KernelState {
    enabled: u32,
    backlog_limit: u32,
    rules: Vec<Vec<String>>,
}

fn status() -> audit_netlink::audit_wire::status::Status {
    audit_netlink::AuditSocket::open()
        .and_then(|mut s| s.get_status())
        .expect("read the kernel's audit status")
}

impl KernelState {
    /// Records the state and turns auditing on (the storm's records need it).
    pub fn save_and_enable() -> KernelState {
        let st = status();
        let saved = KernelState {
            enabled: st.enabled,
            backlog_limit: st.backlog_limit,
            rules: Vec::new(),
        };
        assert!(st.enabled != 2, "audit configuration is locked");
        if st.enabled == 0 {
            audit_netlink::AuditSocket::open()
                .and_then(|mut s| s.set_enabled(true))
                .expect("enable auditing");
        }
        saved
    }

    /// The kernel's `lost` counter now.
    pub fn lost(&self) -> u32 {
        status().lost
    }

    /// Adds a rule with `auditctl -a SPEC` (deleted at drop at the latest).
    pub fn add_rule(&mut self, spec: &[&str]) {
        let spec: Vec<String> = spec.iter().map(|s| s.to_string()).collect();
        run_ok(
            &format!("auditctl -a {spec:?}"),
            Command::new("auditctl").arg("-a").args(&spec),
        );
        self.rules.push(spec);
    }

    /// Deletes every rule added so far.
    pub fn delete_rules(&mut self) {
        for spec in self.rules.drain(..) {
            let _ = Command::new("auditctl")
                .arg("-d")
                .args(&spec)
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for KernelState {
    fn drop(&mut self) {
        self.delete_rules();
        if let Ok(mut s) = audit_netlink::AuditSocket::open() {
            if let Ok(st) = s.get_status() {
                if st.enabled != self.enabled && st.enabled != 2 {
                    let _ = s.set_enabled(self.enabled != 0);
                }
                if st.backlog_limit != self.backlog_limit {
                    let _ = Command::new("auditctl")
                        .args(["-b", &self.backlog_limit.to_string()])
                        .stdout(Stdio::null())
                        .status();
                }
            }
        }
    }
}

/// A daemon process (ours or auditd), killed by pid if still running at drop.
pub struct Daemon {
    child: Child,
    /// What it is, for messages.
    pub name: &'static str,
    /// Its stderr so far, read by a thread: a daemon never blocks on a full pipe.
    stderr: Arc<Mutex<String>>,
}

/// Reads a child's stderr into a shared string until it closes.
fn collect_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    if let Some(mut pipe) = child.stderr.take() {
        let text = text.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                let mut t = text.lock().unwrap_or_else(|e| e.into_inner());
                t.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
    }
    text
}

impl Daemon {
    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `sig` to it (by pid).
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on the pid of our own child, which is not reaped yet.
        let rc = unsafe { libc::kill(self.child.id() as i32, sig) };
        assert_eq!(rc, 0, "kill {} {sig}", self.child.id());
    }

    /// Whether it is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops it with SIGTERM and waits (at most 15 s) until it exits; its stderr.
    pub fn stop(mut self) -> (std::process::ExitStatus, String) {
        self.signal(libc::SIGTERM);
        let end = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(
                Instant::now() < end,
                "{} did not stop on SIGTERM",
                self.name
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // The pipe closes with the daemon (and the plugins it started, which
        // share no stderr with it: they get their own).
        std::thread::sleep(Duration::from_millis(100));
        (status, self.stderr_so_far())
    }

    /// What it wrote on stderr so far.
    pub fn stderr_so_far(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until the kernel has a daemon registered with the given pid.
pub fn wait_registered(d: &mut Daemon) {
    let pid = d.pid();
    let ok = wait_until(15, || status().pid == pid || !d.running());
    if !ok || !d.running() {
        let name = d.name;
        let _ = d.child.kill();
        let st = d.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        panic!(
            "{name} (pid {pid}) did not register ({st:?}): {}",
            d.stderr_so_far()
        );
    }
}

/// Runs `audit-daemon -f -n -s nochange -c DIR`, through `prefix` (such as
/// `unshare -m ... sh -c '...; exec "$@"'`) when given: the daemon is the
/// process `prefix` execs, so its pid is the child's.
pub fn start_ours(dir: &Path, prefix: &[&str]) -> Daemon {
    let exe = env!("CARGO_BIN_EXE_audit-daemon");
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.args(["-f", "-n", "-s", "nochange", "-c"]).arg(dir);
    start_registered(cmd, "audit-daemon")
}

/// Runs the real auditd (`auditd -n -s nochange -c DIR`).
pub fn start_auditd(dir: &Path) -> Daemon {
    let mut cmd = Command::new(AUDITD);
    cmd.args(["-n", "-s", "nochange", "-c"]).arg(dir);
    start_registered(cmd, "auditd")
}

/// Starts the daemon `cmd` runs (stdin and stdout nowhere, stderr collected) and
/// waits until it is registered with the kernel.
fn start_registered(mut cmd: Command, name: &'static str) -> Daemon {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = collect_stderr(&mut child);
    let mut d = Daemon {
        child,
        name,
        stderr,
    };
    wait_registered(&mut d);
    d
}

/// Writes `DIR/auditd.conf` (owned by root, mode 0640 as auditd wants it) with
/// `log_file = DIR/audit.log`, `plugin_dir = DIR/plugins.d` (created) and the
/// lines of `extra`; returns the log's path.
pub fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let log = dir.join("audit.log");
    let plugins = dir.join("plugins.d");
    std::fs::create_dir_all(&plugins).unwrap();
    let conf = dir.join("auditd.conf");
    let mut f = std::fs::File::create(&conf).unwrap();
    write!(
        f,
        "log_file = {}\nplugin_dir = {}\n{extra}",
        log.display(),
        plugins.display()
    )
    .unwrap();
    std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o640)).unwrap();
    log
}

/// Installs a plugin: `DIR/plugins.d/NAME.conf` running `path` with `args`.
pub fn add_plugin(dir: &Path, name: &str, path: &Path, args: &str, format: &str) {
    let conf = dir.join("plugins.d").join(format!("{name}.conf"));
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("args = {args}\n")
    };
    std::fs::write(
        &conf,
        format!(
            "active = yes\ndirection = out\npath = {}\ntype = always\n{args}format = {format}\n",
            path.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o640)).unwrap();
}

/// `always,exit -F arch=b64 -S execve -F ppid=PPID -k KEY`: the execs of the
/// children of `ppid`, for `auditctl -a`.
pub fn execve_rule(ppid: u32, key: &str) -> Vec<String> {
    [
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "execve",
        "-F",
        &format!("ppid={ppid}"),
        "-k",
        key,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A shell that runs `/bin/true` `n` times once told to go: its pid is known
/// before it starts, so a rule can select its children (`-F ppid=PID`).
pub struct Storm {
    shell: Child,
}

impl Storm {
    /// Starts the shell, waiting for [`Storm::run`].
    pub fn new(n: u32) -> Storm {
        let shell = Command::new("/bin/sh")
            .args([
                "-c",
                &format!("read go; i=0; while [ $i -lt {n} ]; do /bin/true; i=$((i+1)); done"),
            ])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        Storm { shell }
    }

    /// The shell's pid (the storm's execs' parent).
    pub fn pid(&self) -> u32 {
        self.shell.id()
    }

    /// The execve rule of this storm, for `auditctl -a`.
    pub fn rule(&self, key: &str) -> Vec<String> {
        execve_rule(self.pid(), key)
    }

    /// Runs the storm to its end; how long it took.
    pub fn run(mut self) -> Duration {
        let t = Instant::now();
        self.shell.stdin.take().unwrap().write_all(b"go\n").unwrap();
        let st = self.shell.wait().unwrap();
        assert!(st.success(), "storm shell: {st:?}");
        t.elapsed()
    }
}

impl Drop for Storm {
    fn drop(&mut self) {
        if let Ok(None) = self.shell.try_wait() {
            let _ = self.shell.kill();
            let _ = self.shell.wait();
        }
    }
}

/// The SYSCALL records of `key` in a log's text.
pub fn keyed_syscalls(text: &str, key: &str) -> usize {
    let k = format!(" key=\"{key}\"");
    text.lines()
        .filter(|l| l.starts_with("type=SYSCALL ") && l.contains(&k))
        .count()
}

/// Waits up to 15 s for `ok`; the test fails, naming `what`, when it never holds.
pub fn wait_for(what: &str, ok: impl FnMut() -> bool) {
    assert!(wait_until(15, ok), "timed out waiting for {what}");
}

/// The kernel's `enabled` now.
pub fn enabled_now() -> u32 {
    status().enabled
}

/// The kernel's registered daemon pid (0 for none).
pub fn registered_pid() -> u32 {
    status().pid
}

/// `auditctl -m TEXT`: a user record through the kernel.
pub fn user_message(text: &str) {
    let done = Command::new("auditctl")
        .args(["-m", text])
        .status()
        .unwrap();
    assert!(done.success());
}

/// An `audit-daemon` started by [`Setup::start`] and the kernel's `enabled` before
/// it: at drop it is killed if still running, its registration is given back
/// and `enabled` put back.
pub struct DaemonGuard(pub Child, pub u32);

impl DaemonGuard {
    /// Sends `sig` to it (by pid).
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on the pid of our own child, not yet reaped.
        assert_eq!(unsafe { libc::kill(self.0.id() as i32, sig) }, 0);
    }

    /// Stops it with SIGTERM; its exit status and stderr.
    pub fn stop(&mut self) -> (std::process::ExitStatus, String) {
        self.signal(libc::SIGTERM);
        let status = self.0.wait().unwrap();
        let mut stderr = String::new();
        if let Some(mut e) = self.0.stderr.take() {
            e.read_to_string(&mut stderr).unwrap();
        }
        (status, stderr)
    }
}

impl Drop for DaemonGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
        if let Ok(mut s) = audit_netlink::AuditSocket::open() {
            // A killed daemon stays registered until the kernel notices: give
            // the slot back for the tests after this one.
            if s.get_status().is_ok_and(|st| st.pid == self.0.id()) {
                let _ = s.unregister_daemon();
            }
            if s.get_status().is_ok_and(|st| st.enabled != self.1) {
                let _ = s.set_enabled(self.1 != 0);
            }
        }
    }
}

/// A daemon's directory: `auditd.conf` (raw log, incremental flush every 50
/// records), `plugins.d` (empty), `audit.log`.
pub struct Setup {
    /// The directory, removed at drop.
    pub dir: tempfile::TempDir,
    /// `DIR/audit.log`.
    pub log: PathBuf,
}

impl Setup {
    /// The directory with `extra` lines in its `auditd.conf`.
    pub fn new(extra: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.log");
        std::fs::create_dir(dir.path().join("plugins.d")).unwrap();
        let s = Setup { dir, log };
        s.configure(&s.log.clone(), extra);
        s
    }

    /// Writes `auditd.conf` with the log at `log` and `extra` lines.
    pub fn configure(&self, log: &Path, extra: &str) {
        std::fs::write(
            self.dir.path().join("auditd.conf"),
            format!(
                "log_file = {}\nlog_format = RAW\nflush = INCREMENTAL_ASYNC\nfreq = 50\n\
                 plugin_dir = {}\n{extra}",
                log.display(),
                self.dir.path().join("plugins.d").display()
            ),
        )
        .unwrap();
    }

    /// Starts `audit-daemon -f -c DIR` (stderr piped), enabling auditing (and
    /// disabling it at exit) when it is off.
    pub fn start(&self) -> DaemonGuard {
        let enabled = enabled_now();
        let set = if enabled == 0 { "enable" } else { "nochange" };
        let child = Command::new(env!("CARGO_BIN_EXE_audit-daemon"))
            .args(["-f", "-s", set, "-c"])
            .arg(self.dir.path())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        DaemonGuard(child, enabled)
    }

    /// [`Setup::start`], then waits until the daemon is registered with the kernel.
    pub fn start_registered(&self) -> DaemonGuard {
        let daemon = self.start();
        let pid = daemon.0.id();
        wait_for("registration", || registered_pid() == pid);
        daemon
    }
}
