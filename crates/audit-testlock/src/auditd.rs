//! Running the real auditd 3.0.9 with our plugins, for the tests of plugins (the
//! teaching examples' and audit-tools' au2json).
//!
//! auditd runs without forking (`auditd -n -c DIR`: `-f` would not write the log) on a
//! private configuration directory whose `auditd.conf` sends the log there and sets
//! `plugin_dir` (3.0.9 reads its plugins from there; `/etc/audit/plugins.d` is only the
//! default), so neither `/etc/audit` nor a mount namespace is touched. auditd gives
//! its plugins no stdout, stderr or environment: each plugin runs through a script
//! that sends its output to files in DIR and then execs it, so that auditd's signals
//! reach the plugin itself. Take `audit_testlock::live_lock()` and check
//! `audit_testlock::daemon_slot_free()` first.
//!
//! ```no_run
//! use audit_testlock::auditd::{Auditd, PluginConf, TempDir};
//! let _lock = audit_testlock::live_lock();
//! if !audit_testlock::daemon_slot_free() { return; }
//! let dir = TempDir::new("my-plugin");
//! let plugin = std::path::Path::new("target/debug/au2json");
//! let auditd = Auditd::start(&dir.0, &[PluginConf {
//!     name: "au2json", path: plugin, args: String::new(), format: "string",
//! }]);
//! // ... make events, read auditd.output("au2json", "stdout") ...
//! ```

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the reference `auditctl` with `args` and returns its standard output.
///
/// # Panics
/// When it cannot run or fails, with its standard error.
pub fn auditctl(args: &[&str]) -> String {
    let out = Command::new("auditctl").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "auditctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The kernel's audit status as `auditctl -s` prints it: `enabled`, `pid`,
/// `backlog_limit`, ... each to its value.
pub fn kernel_status() -> HashMap<String, String> {
    auditctl(&["-s"])
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Whether `tool` is on PATH (or in sbin).
pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args([
            "-c",
            &format!("PATH=$PATH:/usr/sbin:/sbin command -v {tool}"),
        ])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Writes `text` to `path` and gives it the permission bits `mode`.
///
/// # Panics
/// When either fails.
pub fn write(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The text of `path`, or an empty string when it cannot be read (yet).
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Polls `ok` every 50 ms until it holds.
///
/// # Panics
/// When it does not within `limit`, naming `what` was awaited.
pub fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < limit,
            "timed out ({limit:?}) waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a test can run the real auditd here: the daemon slot is free
/// ([`crate::daemon_slot_free`]) and `auditd` and `auditctl` are installed; when
/// not, [`crate::skip`]s saying why. Call it with [`crate::live_lock`] held.
pub fn can_run_auditd() -> bool {
    if !crate::daemon_slot_free() {
        return false;
    }
    for tool in ["auditd", "auditctl"] {
        if !have(tool) {
            crate::skip(format!("{tool} is not installed"));
            return false;
        }
    }
    true
}

/// A directory removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty `NAME-PID` directory in the system's temporary directory.
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A plugin for auditd's `plugins.d`.
#[derive(Debug)]
pub struct PluginConf<'a> {
    /// Its file name in `plugins.d` (without `.conf`), and of its output files in the
    /// directory: `NAME.stdout`, `NAME.stderr`.
    pub name: &'a str,
    /// The plugin's program.
    pub path: &'a Path,
    /// At most two words (auditd 3.0.9 passes no more).
    pub args: String,
    /// `string` or `binary`.
    pub format: &'a str,
}

/// A running auditd, and what it changed in the kernel, put back when dropped.
#[derive(Debug)]
pub struct Auditd {
    /// Its configuration directory (`auditd.conf`, `plugins.d`, the plugins' output).
    pub dir: PathBuf,
    /// Its log, `DIR/audit.log`.
    pub log: PathBuf,
    child: Option<Child>,
    backlog: String,
    enabled: String,
}

impl Auditd {
    /// Configure auditd in `dir` with `plugins`, raise the kernel's backlog limit for
    /// bursts, start it and wait until it is registered with the kernel.
    ///
    /// # Panics
    /// When auditd exits early or does not register within 20 seconds.
    pub fn start(dir: &Path, plugins: &[PluginConf<'_>]) -> Auditd {
        std::fs::create_dir_all(dir.join("plugins.d")).unwrap();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let log = dir.join("audit.log");
        write(
            &dir.join("auditd.conf"),
            &format!(
                "log_file = {}\nlog_format = RAW\nwrite_logs = yes\nflush = INCREMENTAL_ASYNC\n\
                 freq = 50\nq_depth = 20000\nmax_log_file_action = IGNORE\n\
                 space_left = 2\nadmin_space_left = 1\nspace_left_action = IGNORE\n\
                 admin_space_left_action = IGNORE\ndisk_full_action = IGNORE\n\
                 disk_error_action = IGNORE\nplugin_dir = {}\n",
                log.display(),
                dir.join("plugins.d").display()
            ),
            0o640,
        );
        for p in plugins {
            let script = dir.join(format!("{}.sh", p.name));
            let base = dir.join(p.name);
            write(
                &script,
                &format!(
                    "#!/bin/sh\nexec {} \"$@\" >{}.stdout 2>{}.stderr\n",
                    p.path.display(),
                    base.display(),
                    base.display()
                ),
                0o750,
            );
            write(
                &dir.join("plugins.d").join(format!("{}.conf", p.name)),
                &format!(
                    "active = yes\ndirection = out\npath = {}\ntype = always\nargs = {}\n\
                     format = {}\n",
                    script.display(),
                    p.args,
                    p.format
                ),
                0o640,
            );
        }
        let before = kernel_status();
        let mut auditd = Auditd {
            dir: dir.to_path_buf(),
            log,
            child: None,
            backlog: before["backlog_limit"].clone(),
            enabled: before["enabled"].clone(),
        };
        auditctl(&["-b", "8192"]);
        let err_file = dir.join("auditd.err");
        let mut child = Command::new("auditd")
            .args(["-n", "-c"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&err_file).unwrap())
            .spawn()
            .expect("start auditd");
        let pid = child.id().to_string();
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("auditd exited early ({status}):\n{}", read(&err_file));
            }
            if kernel_status()["pid"] == pid {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "auditd did not register"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        auditd.child = Some(child);
        auditd
    }

    /// auditd's pid (0 once stopped).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Stop auditd with SIGTERM (to its pid) and wait for it to exit.
    ///
    /// # Panics
    /// When it does not stop within 30 seconds (it is then killed).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let ok = Command::new("kill")
            .arg(child.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill auditd");
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("auditd did not stop within 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A plugin's output file (`stdout` or `stderr`).
    pub fn output(&self, plugin: &str, which: &str) -> PathBuf {
        self.dir.join(format!("{plugin}.{which}"))
    }
}

impl Drop for Auditd {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let start = Instant::now();
            while kernel_status_pid().is_some_and(|p| p == child.id())
                && start.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = Command::new("auditctl")
            .args(["-b", &self.backlog])
            .output();
        let _ = Command::new("auditctl")
            .args(["-e", &self.enabled])
            .output();
    }
}

fn kernel_status_pid() -> Option<u32> {
    let out = Command::new("auditctl").arg("-s").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("pid "))
        .and_then(|p| p.trim().parse().ok())
}

/// A rule added with `auditctl -a RULE`, deleted with `auditctl -d RULE` when
/// dropped, also when the test fails.
#[derive(Debug)]
pub struct AddedRule(Vec<String>);

impl AddedRule {
    /// Adds `rule` (what follows `-a`, such as `always,exit -F arch=b64 -S getpgid`).
    ///
    /// # Panics
    /// When auditctl refuses it.
    pub fn add(rule: &[&str]) -> AddedRule {
        auditctl(&[&["-a"], rule].concat());
        AddedRule(rule.iter().map(|s| s.to_string()).collect())
    }
}

/// A rule auditing the 64-bit `getpgid` calls whose first argument is `magic` (a pid
/// no process has), with `key`: a test makes a burst of such calls, and no other
/// process's calls match.
///
/// # Panics
/// When auditctl refuses it.
pub fn audit_getpgid(magic: i32, key: &str) -> AddedRule {
    AddedRule::add(&[
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "getpgid",
        "-F",
        &format!("a0={magic}"),
        "-k",
        key,
    ])
}

impl Drop for AddedRule {
    fn drop(&mut self) {
        let _ = Command::new("auditctl").arg("-d").args(&self.0).output();
    }
}
