//! Test support shared by the workspace's test suites: the lock and skip policy of
//! tests that change the kernel's (machine-global) audit state, and the helpers the
//! tests of several packages use:
//!
//! - [`mod@reference`]: compile and run the C reference programs of `tests/c`, compare
//!   outputs; [`corpus`]: the test logs under `tests/`; [`libauparse`]: our parser's
//!   deliberate differences from libauparse, applied to the C side;
//! - [`auditd`]: the real auditd 3.0.9 running plugins; [`audisp_remote`]: the C
//!   sender and its configuration; [`rules`]: the reference auditctl and a guard of
//!   the kernel's rule list;
//! - [`namespace`]: run a test again in private network and mount namespaces;
//!   [`process`]: children killed when a test fails.
//!
//! # The live-test lock
//!
//! Every live test takes [`live_lock`] first: it is an exclusive `flock` on one file,
//! so live tests of every test binary, crate and worktree on the machine run one at a
//! time, whatever the test harness parallelism. Then it asks whether it can run:
//! [`live_kernel_available`] (root and a kernel with audit) for every live test, or
//! [`daemon_slot_free`] (that, and no other audit daemon registered) for a test that
//! registers itself as the audit daemon. Tests that only read the multicast group run
//! beside a running auditd and need only the first.
//!
//! ```no_run
//! let _guard = audit_testlock::live_lock();
//! if !audit_testlock::live_kernel_available() { return; }
//! // ... add a rule, trigger, receive, delete ...
//! ```
//!
//! A test that cannot run calls [`skip`] (the two checks do it for it): a loud
//! `SKIPPED live audit test: WHY` line on stderr, one line appended to the file that
//! [`SKIP_LOG_ENV`] names (so `cargo xtask test` can count skips across test binaries),
//! and a panic instead when [`LIVE_REQUIRED_ENV`] is `1`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod audisp_remote;
pub mod auditd;
pub mod corpus;
pub mod libauparse;
pub mod namespace;
pub mod process;
pub mod reference;
pub mod rules;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Environment variable naming a file to which every skip appends one line
/// (`REASON<TAB>TEST`): `cargo xtask test` sets it and counts the lines.
pub const SKIP_LOG_ENV: &str = "AUDIT_SKIP_LOG";

/// Environment variable that, set to `1`, turns every skip into a panic (CI, where the
/// live tests must run).
pub const LIVE_REQUIRED_ENV: &str = "AUDIT_LIVE_REQUIRED";

/// Where the lock lives. `/run/lock` is a tmpfs on Debian; fall back to `/tmp`.
fn lock_path() -> &'static Path {
    if Path::new("/run/lock").is_dir() {
        Path::new("/run/lock/linux-audit-rs-live-tests.lock")
    } else {
        Path::new("/tmp/linux-audit-rs-live-tests.lock")
    }
}

/// Holds the machine-wide live-test lock until dropped.
#[derive(Debug)]
pub struct LiveGuard {
    _file: File,
}

/// Take the machine-wide lock for live audit tests, waiting for other holders.
///
/// # Panics
/// Panics when the lock file cannot be opened or locked: a test must not run
/// unserialised against the kernel.
pub fn live_lock() -> LiveGuard {
    let path = lock_path();
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .or_else(|e| match e.kind() {
            // Another user (root) made it: a read-only descriptor locks it as well, so
            // tests run by a non-root user wait their turn and then skip.
            std::io::ErrorKind::PermissionDenied => File::open(path),
            _ => Err(e),
        })
        .unwrap_or_else(|e| panic!("open the live-test lock file {}: {e}", path.display()));
    file.lock().expect("lock the live-test lock file");
    LiveGuard { _file: file }
}

/// Record that the calling live test cannot run here, and why.
///
/// Prints `SKIPPED live audit test: WHY` on stderr and appends `WHY<TAB>TEST` to the
/// file named by [`SKIP_LOG_ENV`] (when set), `TEST` being the harness thread's name,
/// which is the test's name. The caller then returns early.
///
/// # Panics
/// When [`LIVE_REQUIRED_ENV`] is `1` (CI): a live test that cannot run is a failure
/// there. Also when the skip log is set but cannot be written: a skip must not go
/// uncounted.
pub fn skip(why: impl fmt::Display) {
    if let Err(message) = record_skip(&why.to_string(), &SkipPolicy::from_env()) {
        panic!("{message}");
    }
}

/// What a skip does: fail (CI) or print and count it in a log.
struct SkipPolicy {
    required: bool,
    log: Option<std::path::PathBuf>,
}

impl SkipPolicy {
    fn from_env() -> Self {
        Self {
            required: std::env::var_os(LIVE_REQUIRED_ENV).is_some_and(|v| v == "1"),
            log: std::env::var_os(SKIP_LOG_ENV).map(Into::into),
        }
    }
}

/// [`skip`] under a given policy (tests pass their own instead of the environment).
fn record_skip(why: &str, policy: &SkipPolicy) -> Result<(), String> {
    if policy.required {
        return Err(format!(
            "live audit test cannot run: {why}, and {LIVE_REQUIRED_ENV}=1"
        ));
    }
    eprintln!("SKIPPED live audit test: {why}");
    if let Some(log) = &policy.log {
        let thread = std::thread::current();
        let test = thread.name().unwrap_or("main");
        // One write of a short line to an O_APPEND file: lines of test binaries and
        // threads running at the same time do not interleave.
        let line = format!("{}\t{test}\n", why.replace(['\n', '\t'], " "));
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(|e| format!("cannot append the skip to {}: {e}", log.display()))?;
    }
    Ok(())
}

/// Why live kernel tests cannot run here (not root, no audit in the kernel), or `None`
/// when they can. Records nothing: see [`live_kernel_available`].
pub fn live_kernel_unavailable_reason() -> Option<String> {
    if !is_root() {
        Some("not running as root".to_owned())
    } else if !Path::new("/proc/self/loginuid").exists() {
        Some("kernel has no audit support (/proc/self/loginuid missing)".to_owned())
    } else {
        None
    }
}

/// Whether live kernel tests can run here: we are root and the kernel has audit.
///
/// When they cannot, this calls [`skip`] with the reason and returns false; the caller
/// returns early. On this project's machines (root, `CONFIG_AUDIT`) it is always true.
pub fn live_kernel_available() -> bool {
    decide(live_kernel_check(), &SkipPolicy::from_env())
}

/// A skip reason becomes a recorded skip (false) or, where required, a panic.
fn decide(check: Result<(), String>, policy: &SkipPolicy) -> bool {
    match check {
        Ok(()) => true,
        Err(why) => {
            if let Err(message) = record_skip(&why, policy) {
                panic!("{message}");
            }
            false
        }
    }
}

fn live_kernel_check() -> Result<(), String> {
    live_kernel_unavailable_reason().map_or(Ok(()), Err)
}

/// A process registered as the kernel's audit daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotHolder {
    /// Its pid, as the kernel reports it.
    pub pid: u32,
    /// Its command name (`/proc/PID/comm`), or `?` when it cannot be read.
    pub comm: String,
}

impl fmt::Display for SlotHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "another audit daemon (pid {}, {}) holds the daemon slot",
            self.pid, self.comm
        )
    }
}

/// Who holds the audit daemon slot: `Ok(None)` when it is free, the holder when a
/// process is registered, an error text when the kernel refuses `AUDIT_GET`. Records
/// nothing: see [`daemon_slot_free`].
pub fn daemon_slot_holder() -> Result<Option<SlotHolder>, String> {
    let status = audit_netlink::AuditSocket::open()
        .and_then(|mut sock| sock.get_status())
        .map_err(|e| format!("the kernel refused the audit status request: {e}"))?;
    let pid = status.pid;
    if pid == 0 {
        return Ok(None);
    }
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|c| c.trim_end().to_owned())
        .unwrap_or_else(|_| "?".to_owned());
    Ok(Some(SlotHolder { pid, comm }))
}

/// Whether a test that registers itself as the audit daemon can run: live tests can
/// ([`live_kernel_available`]) and no process (such as the user's auditd) holds the
/// daemon slot. Otherwise [`skip`]s with the reason, such as
/// `another audit daemon (pid 812, auditd) holds the daemon slot`, and returns false:
/// a test never stops or displaces a running daemon. Call it with [`live_lock`] held.
/// Tests that only read the multicast group run beside a daemon: they need only
/// [`live_kernel_available`].
pub fn daemon_slot_free() -> bool {
    decide(daemon_slot_check(), &SkipPolicy::from_env())
}

fn daemon_slot_check() -> Result<(), String> {
    live_kernel_check()?;
    match daemon_slot_holder()? {
        None => Ok(()),
        Some(holder) => Err(holder.to_string()),
    }
}

/// Whether this process runs as root (effective uid 0), read from the `Uid:` line of
/// `/proc/self/status` (real, effective, saved, fs).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// The file `path` (e.g. `sbin/audisp-remote`) of Debian's binary package `package`,
/// fetched with `apt-get download` and unpacked with `dpkg -x` under `cache`
/// (once: later calls find it there). The package is never installed, so a tool
/// whose package would start services or replace ours can still be run beside
/// them. `Err` says which step failed, for the caller's [`skip`] or panic.
pub fn debian_package_file(
    package: &str,
    path: &str,
    cache: &Path,
) -> Result<std::path::PathBuf, String> {
    use std::process::Command;
    let dir = cache.join(package);
    let file = dir.join("root").join(path);
    if file.exists() {
        return Ok(file);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let download = Command::new("apt-get")
        .args(["download", package])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run apt-get download {package}: {e}"))?;
    let deb = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or_else(|| {
            format!(
                "apt-get download {package} fetched no package: {}",
                String::from_utf8_lossy(&download.stderr).trim()
            )
        })?;
    let unpack = Command::new("dpkg")
        .arg("-x")
        .arg(&deb)
        .arg(dir.join("root"))
        .status()
        .map_err(|e| format!("cannot run dpkg -x: {e}"))?;
    if !unpack.success() || !file.exists() {
        return Err(format!("dpkg -x {} gave no {path}", deb.display()));
    }
    Ok(file)
}

/// [`debian_package_file`], or `None` after a [`skip`] that says why it could not be
/// had (no network, no such package).
pub fn debian_package_file_or_skip(
    package: &str,
    path: &str,
    cache: &Path,
) -> Option<std::path::PathBuf> {
    debian_package_file(package, path, cache).map_err(skip).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_debian_package_file_is_unpacked_once_and_found_again() {
        if !is_root() {
            return; // apt-get download wants its lists, readable by root here
        }
        let cache = std::env::temp_dir().join(format!("testlock-deb-{}", std::process::id()));
        let got = debian_package_file("audispd-plugins", "sbin/audisp-remote", &cache);
        let file = match got {
            Ok(f) => f,
            Err(why) => {
                let _ = std::fs::remove_dir_all(&cache);
                skip(format!("no Debian package to unpack here: {why}"));
                return;
            }
        };
        assert_eq!(file, cache.join("audispd-plugins/root/sbin/audisp-remote"));
        assert!(file.metadata().unwrap().len() > 0);
        // Found again without a download: the .deb may go.
        for e in std::fs::read_dir(cache.join("audispd-plugins")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "deb") {
                std::fs::remove_file(p).unwrap();
            }
        }
        let again = debian_package_file("audispd-plugins", "sbin/audisp-remote", &cache);
        assert_eq!(again.as_deref(), Ok(file.as_path()));
        let missing = debian_package_file("audispd-plugins", "sbin/no-such-tool", &cache);
        assert!(missing.unwrap_err().contains("no sbin/no-such-tool"));
        std::fs::remove_dir_all(&cache).unwrap();
    }

    #[test]
    fn lock_is_reentrant_across_sequential_guards() {
        let a = live_lock();
        drop(a);
        let _b = live_lock();
    }

    /// Run as root, the lock file is root's: a test run by another user (here the
    /// first test, re-run as nobody) still takes it, and then skips.
    #[test]
    fn another_user_takes_the_lock_made_by_root() {
        if !is_root() {
            return;
        }
        drop(live_lock()); // make sure root made the file
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "tests::lock_is_reentrant_across_sequential_guards",
            ])
            .env_remove(SKIP_LOG_ENV)
            .output()
            .expect("run setpriv (util-linux)");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("1 passed"), "{text}");
    }

    #[test]
    fn root_detection_agrees_with_id() {
        let out = std::process::Command::new("id").arg("-u").output().unwrap();
        let uid = String::from_utf8(out.stdout).unwrap();
        assert_eq!(is_root(), uid.trim() == "0");
    }

    fn temp_log(tag: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("audit-testlock-{tag}-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    fn counting(log: &Path) -> SkipPolicy {
        SkipPolicy {
            required: false,
            log: Some(log.to_owned()),
        }
    }

    #[test]
    fn a_skip_appends_its_reason_and_test_name() {
        let log = temp_log("append");
        let policy = counting(&log);
        record_skip("first\treason", &policy).unwrap();
        record_skip("second", &policy).unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        std::fs::remove_file(&log).unwrap();
        let name = "tests::a_skip_appends_its_reason_and_test_name";
        assert_eq!(text, format!("first reason\t{name}\nsecond\t{name}\n"));
    }

    #[test]
    fn a_required_live_test_fails_instead_of_skipping() {
        let log = temp_log("required");
        let policy = SkipPolicy {
            required: true,
            log: Some(log.clone()),
        };
        let err = record_skip("not running as root", &policy).unwrap_err();
        assert!(err.contains("not running as root"), "{err}");
        assert!(err.contains("AUDIT_LIVE_REQUIRED=1"), "{err}");
        assert!(!log.exists(), "a failure is not counted as a skip");
    }

    #[test]
    fn an_unwritable_skip_log_is_an_error() {
        let policy = counting(Path::new("/nonexistent-dir/skips"));
        let err = record_skip("x", &policy).unwrap_err();
        assert!(err.contains("/nonexistent-dir/skips"), "{err}");
    }

    #[test]
    fn slot_holder_names_pid_and_command() {
        let h = SlotHolder {
            pid: 812,
            comm: "auditd".into(),
        };
        assert_eq!(
            h.to_string(),
            "another audit daemon (pid 812, auditd) holds the daemon slot"
        );
    }

    /// A test needing the daemon slot skips (counted, not failed) while a process holds
    /// it, and fails instead where live tests are required.
    #[test]
    fn a_held_daemon_slot_is_reported_and_skipped() {
        let _guard = live_lock();
        if !daemon_slot_free() {
            return;
        }
        let mut daemon = audit_netlink::AuditSocket::open().unwrap();
        daemon.register_daemon().unwrap();
        let holder = daemon_slot_holder();
        let log = temp_log("slot");
        let skipped = decide(daemon_slot_check(), &counting(&log));
        let required = std::panic::catch_unwind(|| {
            let policy = SkipPolicy {
                required: true,
                log: None,
            };
            decide(daemon_slot_check(), &policy)
        });
        daemon.unregister_daemon().unwrap();
        drop(daemon);

        let me = std::process::id();
        let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
        let expected = SlotHolder {
            pid: me,
            comm: comm.trim_end().to_owned(),
        };
        assert_eq!(holder, Ok(Some(expected.clone())));
        assert!(!skipped, "the test would have run beside a daemon");
        let text = std::fs::read_to_string(&log).unwrap();
        std::fs::remove_file(&log).unwrap();
        assert!(text.starts_with(&format!("{expected}\t")), "{text}");
        assert!(
            required.is_err(),
            "AUDIT_LIVE_REQUIRED=1 must fail, not skip"
        );
        assert_eq!(daemon_slot_holder(), Ok(None), "slot given back");
        assert!(daemon_slot_free());
    }
}
