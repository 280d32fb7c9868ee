//! The reference auditctl and the kernel's rule list, for the tests of the rule
//! language and of `auditctl-rs`: run auditctl 3.0.9, and remove what a test added.
//!
//! ```no_run
//! use audit_testlock::rules::{c_auditctl, RuleGuard};
//! let _lock = audit_testlock::live_lock();
//! if !audit_testlock::live_kernel_available() { return; }
//! let guard = RuleGuard::new();
//! let out = c_auditctl(&["-w".into(), "/tmp/x".into(), "-k".into(), "k".into()]);
//! assert_eq!(out.code, 0, "{}", out.stderr);
//! guard.clean(); // also done when the guard is dropped
//! ```

use std::process::{Command, Output};

use std::sync::atomic::{AtomicU32, Ordering};

use audit_netlink::audit_wire::field::{Action, Field, FilterList, Operator};
use audit_netlink::audit_wire::rule::{RuleData, FILTER_PREPEND};
use audit_netlink::AuditSocket;

/// The `AUDIT_ARCH_*` the tests are built for: the `arch=` of a rule on native
/// syscalls.
///
/// # Panics
/// On a target no audit architecture describes.
pub fn native_arch() -> u32 {
    native().audit_arch()
}

/// The machine the tests are built for.
fn native() -> audit_syscalls::Machine {
    audit_syscalls::Machine::compiled_for().expect("the tests are built for an audit architecture")
}

/// A rule key no other test (of this process or another) uses:
/// `lar-TAG-PID-N`.
pub fn unique_key(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "lar-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// `-a always,exit -F arch=<native> -S SYSCALL -F WHO=ID -k KEY`.
fn native_syscall_rule(syscall: &str, who: Field, id: u32, key: &str) -> RuleData {
    let mut r = RuleData::new(FilterList::Exit, Action::Always);
    let syscall = native()
        .syscall_table()
        .number(syscall)
        .expect("a syscall of this machine");
    r.push_field(Field::ARCH, Operator::Equal, native_arch())
        .expect("room for arch");
    r.set_syscall(syscall).expect("a syscall the mask holds");
    r.push_field(who, Operator::Equal, id)
        .expect("room for a field");
    r.push_str_field(Field::FILTERKEY, Operator::Equal, key.as_bytes())
        .expect("a key of legal length");
    r
}

/// `-a always,exit -F arch=<native> -S getppid -F pid=<own pid> -k KEY`: this
/// process's own getppid calls.
pub fn getppid_rule(key: &str) -> RuleData {
    native_syscall_rule("getppid", Field::PID, std::process::id(), key)
}

/// `-a always,exit -F arch=<native> -S execve -F ppid=<own pid> -k KEY`: the
/// execs of this process's children (the kernel never audits the registered
/// daemon's own syscalls, so a test that is the daemon triggers from a child).
pub fn child_execve_rule(key: &str) -> RuleData {
    native_syscall_rule("execve", Field::PPID, std::process::id(), key)
}

/// A socket to the kernel (the tests run as root).
///
/// # Panics
/// When the kernel refuses it.
pub fn socket() -> AuditSocket {
    AuditSocket::open().expect("open audit socket")
}

/// The reference auditctl.
pub const AUDITCTL: &str = "/usr/sbin/auditctl";

/// What one run of an auditctl printed, and its exit code.
#[derive(Debug)]
pub struct CRun {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl From<Output> for CRun {
    fn from(out: Output) -> CRun {
        CRun {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs the reference auditctl ([`AUDITCTL`]) with `args`.
///
/// # Panics
/// When it cannot be started.
pub fn c_auditctl(args: &[String]) -> CRun {
    Command::new(AUDITCTL)
        .args(args)
        .output()
        .expect("run /usr/sbin/auditctl")
        .into()
}

/// A rule compared the way the kernel keeps it: the syscall-class bits of the
/// mask's last word (which the kernel rewrites) and the prepend flag left out.
pub fn normalized(rule: &RuleData) -> RuleData {
    let mut r = rule.clone();
    r.flags &= !FILTER_PREPEND;
    r.mask[63] &= 0xffff;
    r
}

/// Deletes, when dropped, every rule the kernel has that it did not have when
/// the guard was made, and puts `enabled` back to what it was (0 or 1; the tests
/// never set 2).
#[derive(Debug)]
pub struct RuleGuard {
    before: Vec<RuleData>,
    enabled: u32,
}

impl RuleGuard {
    /// Notes the kernel's rules and `enabled`.
    ///
    /// # Panics
    /// When the kernel cannot be asked, or audit is immutable (`enabled` 2).
    pub fn new() -> RuleGuard {
        let mut a = socket();
        let before = a.list_rules().expect("list rules");
        let enabled = a.get_status().expect("status").enabled;
        assert_ne!(enabled, 2, "audit is immutable; rule tests cannot run");
        RuleGuard { before, enabled }
    }

    /// `enabled` when the guard was made.
    pub fn enabled(&self) -> u32 {
        self.enabled
    }

    /// Remove the rules added since the guard was made.
    ///
    /// # Panics
    /// When the kernel refuses to list or delete them.
    pub fn clean(&self) {
        let mut a = socket();
        let mut remaining = self.before.clone();
        for r in a.list_rules().expect("list rules") {
            if let Some(i) = remaining.iter().position(|b| *b == r) {
                remaining.remove(i);
                continue;
            }
            a.delete_rule(&r).expect("delete a rule the test added");
        }
    }
}

impl Default for RuleGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for RuleGuard {
    fn drop(&mut self) {
        self.clean();
        if let Ok(mut a) = AuditSocket::open() {
            if a.get_status().map(|s| s.enabled).ok() != Some(self.enabled) {
                let _ = a.set_enabled(self.enabled == 1);
            }
        }
    }
}

/// A rule file whose second line holds bytes that are not UTF-8, written by
/// [`non_utf8_rules_file`].
#[derive(Debug)]
pub struct NonUtf8Rules {
    /// The directory made for it (the caller removes it).
    pub dir: std::path::PathBuf,
    /// The file, `DIR/bytes.rules`.
    pub path: std::path::PathBuf,
    /// Its bytes.
    pub text: Vec<u8>,
    /// The offset of the first byte that is not UTF-8 in line 2, from the line's start.
    pub bad_at: usize,
}

/// Makes the directory `DIR` = `zzrt-utf8-TAG-PID` in the system's temporary
/// directory and writes `DIR/bytes.rules`: a comment with a Latin-1 byte (comments
/// may hold any bytes), then a watch of `DIR/caf\xe9` with the key `zzrtk\xe9y` (keys
/// of that prefix are the test's).
///
/// # Panics
/// When `DIR` is not UTF-8 or cannot be written.
pub fn non_utf8_rules_file(tag: &str) -> NonUtf8Rules {
    let dir = std::env::temp_dir().join(format!("zzrt-utf8-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut text = b"# caf\xe9 in a comment\n-w ".to_vec();
    text.extend_from_slice(dir.to_str().expect("utf-8 temp dir").as_bytes());
    text.extend_from_slice(b"/caf\xe9 -p wa -k zzrtk\xe9y\n");
    let line_start = text.iter().position(|b| *b == b'\n').expect("line 1") + 1;
    let bad_at = text[line_start..]
        .iter()
        .position(|b| *b == 0xe9)
        .expect("the byte");
    let path = dir.join("bytes.rules");
    std::fs::write(&path, &text).expect("write rules");
    NonUtf8Rules {
        dir,
        path,
        text,
        bad_at,
    }
}

/// Calls getppid `times` times from a new thread, the trigger of
/// [`getppid_rule`]: a task created before auditing was first enabled since boot
/// has no audit context and makes no syscall records, so the calls come from a
/// task created now (the rule's `pid=` is the thread group's).
pub fn trigger_getppid(times: usize) {
    std::thread::spawn(move || {
        for _ in 0..times {
            std::hint::black_box(std::os::unix::process::parent_id());
        }
    })
    .join()
    .expect("the getppid thread");
}

/// Runs `/bin/true` as a child, the trigger of [`child_execve_rule`].
///
/// # Panics
/// When it cannot be run or fails.
pub fn run_true() {
    let st = Command::new("/bin/true").status().expect("run /bin/true");
    assert!(st.success());
}
