//! Live tests of `live-supervise` (`audit_tools::live_supervise`) against this
//! machine's kernel: each starts the binary, drives it with real events and
//! signals, checks what it wrote and that the kernel is left as it was found.
//!
//! Every test takes the machine-wide live-test lock first. A [`KernelGuard`] deletes
//! the rules the test (or the program) added, gives back a daemon registration the
//! program left behind, removes live-supervise's state file and restores `enabled`,
//! and a [`Running`] program is killed and reaped when dropped: both also while
//! unwinding from a failed assertion. [`Running`] is declared after the guard, so it is
//! dropped (the program killed) before the guard restores the kernel.

use audit_netlink::audit_wire::field::{Action, Field, FilterList, Operator};
use audit_netlink::audit_wire::rule::{RuleData, RuleValue};
use audit_netlink::AuditSocket;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const NOT_EQUAL: Operator = Operator::NotEqual;
const FIELD_PID: Field = Field::PID;

/// live-supervise's rule key and state file (see src/live_supervise.rs).
const SUPERVISE_KEY: &str = "live-supervise";
const SUPERVISE_STATE: &str = "/run/live-supervise.state";

/// How long to wait for the program to get ready, for an expected event, or for the
/// program to exit after a signal, before the test fails. Conditions are polled, so a
/// passing test waits only as long as the kernel and the program take.
const PATIENCE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(20);

fn unique(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "lar-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn send_signal(pid: u32, sig: libc::c_int) {
    // SAFETY: kill has no memory preconditions; the pid is a child we have not reaped
    // yet, so it cannot have been reused by another process.
    let rc = unsafe { libc::kill(pid as libc::pid_t, sig) };
    assert_eq!(
        rc,
        0,
        "kill({pid}, {sig}) failed: {}",
        std::io::Error::last_os_error()
    );
}

/// Restores the kernel when dropped: deletes the rules it added and every rule
/// carrying one of `keys`, gives back a daemon registration held by one of
/// `daemon_pids` (a program that was killed), removes `state_files` and restores
/// `enabled`.
struct KernelGuard {
    sock: AuditSocket,
    enabled_before: u32,
    rules: Vec<RuleData>,
    keys: Vec<String>,
    daemon_pids: Vec<u32>,
    state_files: Vec<PathBuf>,
}

impl KernelGuard {
    fn new() -> Self {
        let mut sock = AuditSocket::open().expect("open audit socket");
        let before = sock.get_status().expect("AUDIT_GET");
        assert_eq!(
            before.pid, 0,
            "an audit daemon (pid {}) is registered: these tests need to be the daemon",
            before.pid
        );
        assert!(before.enabled < 2, "auditing is immutable (enabled=2)");
        KernelGuard {
            sock,
            enabled_before: before.enabled,
            rules: Vec::new(),
            keys: Vec::new(),
            daemon_pids: Vec::new(),
            state_files: Vec::new(),
        }
    }

    fn status(&mut self) -> audit_netlink::audit_wire::status::Status {
        self.sock.get_status().expect("AUDIT_GET")
    }

    fn rules_with_key(&mut self, key: &str) -> Vec<RuleData> {
        self.sock
            .list_rules()
            .expect("list rules")
            .into_iter()
            .filter(|r| r.key() == Some(key.as_bytes()))
            .collect()
    }
}

impl Drop for KernelGuard {
    fn drop(&mut self) {
        for r in std::mem::take(&mut self.rules) {
            let _ = self.sock.delete_rule(&r);
        }
        if let Ok(rules) = self.sock.list_rules() {
            for r in rules {
                if r.key()
                    .is_some_and(|k| self.keys.iter().any(|key| key.as_bytes() == k))
                {
                    let _ = self.sock.delete_rule(&r);
                }
            }
        }
        // Only the daemon itself may unregister, but when its socket is gone the
        // kernel's probe (AUDIT_REPLACE) fails and it lets anyone reset the pid.
        if let Ok(s) = self.sock.get_status() {
            if s.pid != 0 && self.daemon_pids.contains(&s.pid) {
                let _ = self.sock.set_pid(0);
            }
        }
        for f in &self.state_files {
            let _ = std::fs::remove_file(f);
        }
        let _ = self.sock.set_enabled(self.enabled_before == 1);
    }
}

/// The binary of the program `name` (this package's).
fn program(name: &str) -> PathBuf {
    match name {
        "live-supervise" => PathBuf::from(env!("CARGO_BIN_EXE_live-supervise")),
        other => panic!("no program {other} in audit-tools"),
    }
}

/// A running program whose stdout and stderr are collected by two threads.
/// Killed (SIGKILL) and reaped when dropped, unless it has already been waited for.
struct Running {
    name: String,
    child: Option<Child>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

fn collect(mut from: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => into
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .extend_from_slice(&buf[..n]),
            }
        }
    })
}

impl Running {
    fn start(name: &str, args: &[&str]) -> Running {
        let exe = program(name);
        let mut child = Command::new(&exe)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(child.stdout.take().expect("piped stdout"), stdout.clone()),
            collect(child.stderr.take().expect("piped stderr"), stderr.clone()),
        ];
        Running {
            name: name.to_owned(),
            child: Some(child),
            stdout,
            stderr,
            readers,
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().expect("child not yet reaped").id()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }

    /// The program's output, for assertion messages.
    fn output(&self) -> String {
        format!(
            "--- {} stdout:\n{}--- {} stderr:\n{}",
            self.name,
            self.stdout(),
            self.name,
            self.stderr()
        )
    }

    /// Waits until `cond` holds; fails the test when the program exits first or
    /// [`PATIENCE`] runs out.
    fn wait_until(&mut self, what: &str, mut cond: impl FnMut(&Running) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if cond(self) {
                return;
            }
            let child = self.child.as_mut().expect("child not yet reaped");
            if let Some(st) = child.try_wait().expect("try_wait") {
                // Let the readers see the last output before reporting it.
                self.join_readers();
                panic!(
                    "{} exited ({st}) before {what}\n{}",
                    self.name,
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} did not reach: {what} within {PATIENCE:?}\n{}",
                self.name,
                self.output()
            );
            std::thread::sleep(POLL);
        }
    }

    fn signal(&self, sig: libc::c_int) {
        send_signal(self.pid(), sig);
    }

    /// Waits for the program to exit and returns its status (the process is reaped).
    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        let child = self.child.as_mut().expect("child not yet reaped");
        loop {
            if let Some(st) = child.try_wait().expect("try_wait") {
                self.child = None;
                self.join_readers();
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {PATIENCE:?}\n{}",
                self.name,
                self.output()
            );
            std::thread::sleep(POLL);
        }
    }

    fn join_readers(&mut self) {
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.join_readers();
    }
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.is_empty())
}

/// Parses live-supervise's lines `STAMP [indent]PID ...` into (pid, rest).
fn supervise_lines(out: &str) -> Vec<(String, Vec<String>)> {
    lines(out)
        .filter_map(|l| {
            let mut words = l.split_whitespace().skip(1);
            let pid = words.next()?.to_owned();
            Some((pid, words.map(str::to_owned).collect()))
        })
        .collect()
}

/// The pid of the process whose exec of `/bin/true <marker>` was shown.
fn exec_pid(out: &str, marker: &str) -> Option<String> {
    let quoted = format!("\"{marker}\"");
    supervise_lines(out).into_iter().find_map(|(pid, rest)| {
        (rest.first().map(String::as_str) == Some("exec")
            && rest
                .iter()
                .any(|w| w.trim_end_matches([',', ']']) == quoted)
            && !rest.iter().any(|w| w == "->"))
        .then_some(pid)
    })
}

fn shows_fork(out: &str, parent: &str, child: &str) -> bool {
    supervise_lines(out).iter().any(|(pid, rest)| {
        pid == parent && rest.len() == 3 && rest[1] == "forked" && rest[2] == child
    })
}

fn shows_exit(out: &str, pid: &str, code: i32) -> bool {
    let code = code.to_string();
    supervise_lines(out).iter().any(|(p, rest)| {
        p == pid && rest.len() == 4 && rest[1] == "exited" && rest[2] == "with" && rest[3] == code
    })
}

fn supervise_ready(r: &Running) -> bool {
    r.stderr().contains("live-supervise: watching")
}

impl KernelGuard {
    /// A guard that also removes live-supervise's rules (its key) and state file.
    fn for_supervise() -> Self {
        let mut kernel = KernelGuard::new();
        kernel.keys.push(SUPERVISE_KEY.to_owned());
        kernel.state_files.push(SUPERVISE_STATE.into());
        kernel
    }

    /// Starts live-supervise, its pid noted as a daemon's.
    fn start_supervise(&mut self) -> Running {
        let sup = Running::start("live-supervise", &[]);
        self.daemon_pids.push(sup.pid());
        sup
    }

    /// [`KernelGuard::start_supervise`], then waits until it watches.
    fn start_watching(&mut self) -> Running {
        let mut sup = self.start_supervise();
        sup.wait_until("watching", supervise_ready);
        sup
    }

    /// Stops `sup` with SIGTERM: it exits 0, gives the daemon pid back, restores
    /// `enabled` and leaves no rule or state file.
    fn stop_supervise_cleanly(&mut self, sup: &mut Running) {
        self.stop_supervise_with(sup, libc::SIGTERM);
    }

    /// [`KernelGuard::stop_supervise_cleanly`] with the signal `sig`.
    fn stop_supervise_with(&mut self, sup: &mut Running, sig: libc::c_int) {
        sup.signal(sig);
        let st = sup.wait_exit();
        assert!(
            st.success(),
            "live-supervise exited with {st} after signal {sig}\n{}",
            sup.output()
        );
        let status = self.status();
        assert_eq!(
            status.pid, 0,
            "live-supervise did not give the daemon pid back"
        );
        assert_eq!(status.enabled, self.enabled_before, "enabled not restored");
        assert!(
            self.rules_with_key(SUPERVISE_KEY).is_empty(),
            "live-supervise left rules behind\n{}",
            sup.output()
        );
        assert!(!Path::new(SUPERVISE_STATE).exists());
    }
}

#[test]
fn live_supervise_shows_fork_exec_exit_and_cleans_up() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut kernel = KernelGuard::for_supervise();

    let mut sup = kernel.start_watching();
    assert!(
        !kernel.rules_with_key(SUPERVISE_KEY).is_empty(),
        "live-supervise is watching but no rule carries its key"
    );
    assert_eq!(kernel.status().pid, sup.pid());
    assert_eq!(kernel.status().enabled, 1);

    // A shell that forks a child which executes /bin/true with a marker.
    let marker = format!("--marker-{}", unique("supervise"));
    let mut sh = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("/bin/true {marker}; exit 0"))
        .spawn()
        .expect("run /bin/sh");
    let shell = sh.id().to_string();
    assert!(sh.wait().expect("wait for /bin/sh").success());

    sup.wait_until("the fork, exec and exit of /bin/true are shown", |r| {
        let out = r.stdout();
        exec_pid(&out, &marker)
            .is_some_and(|pid| shows_fork(&out, &shell, &pid) && shows_exit(&out, &pid, 0))
    });

    kernel.stop_supervise_cleanly(&mut sup);
}

/// The pid live-supervise's rule excludes (`-F pid!=<its own pid>`).
fn excluded_pid(r: &RuleData) -> Option<u32> {
    r.fields_iter().find_map(|f| match f {
        Ok(f) if f.field == FIELD_PID.0 && f.op == NOT_EQUAL.bits() => match f.value {
            RuleValue::Num(n) => Some(n),
            RuleValue::Str(_) => None,
        },
        _ => None,
    })
}

#[test]
fn live_supervise_cleans_up_after_a_crash() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut kernel = KernelGuard::for_supervise();
    let enabled_before = kernel.enabled_before;

    // A run that dies without cleaning up leaves its rules, enabled=1 and its state.
    let mut first = kernel.start_watching();
    let left = kernel.rules_with_key(SUPERVISE_KEY);
    assert!(!left.is_empty());
    let first_pid = first.pid();
    first.signal(libc::SIGKILL);
    let st = first.wait_exit();
    assert_eq!(st.signal(), Some(libc::SIGKILL), "{st}");
    let remaining = kernel.rules_with_key(SUPERVISE_KEY);
    assert_eq!(
        remaining.len(),
        left.len(),
        "the killed run's rules should still be loaded"
    );
    assert!(remaining.iter().all(|r| excluded_pid(r) == Some(first_pid)));
    assert_eq!(kernel.status().enabled, 1);
    // `enabled` before the run, then the run's pid.
    assert_eq!(
        std::fs::read_to_string(SUPERVISE_STATE).expect("the killed run's state file"),
        format!("{enabled_before}\n{first_pid}\n")
    );

    // The next run removes them before loading its own.
    let mut second = kernel.start_watching();
    assert!(
        second.stderr().contains(&format!(
            "cleaned up after a previous run ({} rules)",
            left.len()
        )),
        "{}",
        second.output()
    );
    let now = kernel.rules_with_key(SUPERVISE_KEY);
    assert_eq!(now.len(), left.len(), "{now:?}");
    assert!(
        now.iter().all(|r| excluded_pid(r) == Some(second.pid())),
        "rules of the killed run remain: {now:?}"
    );
    assert_eq!(kernel.status().pid, second.pid());

    kernel.stop_supervise_cleanly(&mut second);
}

/// Threads are not forks: a C program makes a thread with pthread_create
/// (clone3 with CLONE_THREAD on glibc 2.34+), a process with posix_spawn
/// (clone3 with CLONE_VFORK) and one with fork (clone). live-supervise shows
/// the two processes as forked and never the thread.
#[test]
fn live_supervise_tells_clone3_threads_from_processes() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let program = audit_testlock::reference::c_program("thread_and_spawn");
    let mut kernel = KernelGuard::for_supervise();

    let mut sup = kernel.start_watching();

    let marker = format!("--marker-{}", unique("threads"));
    let child = Command::new(&program)
        .arg(&marker)
        .stdout(Stdio::piped())
        .spawn()
        .expect("run thread_and_spawn");
    let parent = child.id().to_string();
    let out = child.wait_with_output().expect("wait for thread_and_spawn");
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let id_of = |what: &str| {
        said.lines()
            .find_map(|l| l.strip_prefix(what))
            .unwrap_or_else(|| panic!("no `{what}` in {said:?}"))
            .trim()
            .to_owned()
    };
    let (thread, spawned, forked) = (id_of("thread "), id_of("spawned "), id_of("forked "));

    // The program's own exit comes after its clone3 of the thread: once it
    // is shown, so would the thread be.
    sup.wait_until("both processes and the program's exit are shown", |r| {
        let out = r.stdout();
        shows_fork(&out, &parent, &spawned)
            && shows_fork(&out, &parent, &forked)
            && shows_exit(&out, &forked, 3)
            && shows_exit(&out, &parent, 0)
    });
    let shown = sup.stdout();
    assert!(
        !supervise_lines(&shown)
            .iter()
            .any(
                |(_, rest)| rest.get(1).map(String::as_str) == Some("forked")
                    && rest.get(2) == Some(&thread)
            ),
        "the thread {thread} is shown as a fork\n{}",
        sup.output()
    );

    sup.signal(libc::SIGTERM);
    let st = sup.wait_exit();
    assert!(st.success(), "{st}\n{}", sup.output());
}

/// A second copy started while one runs refuses to run: the first one's rules
/// are not left over (its pid is in the state file and it holds the lock).
/// The first keeps its rules and the daemon slot, and cleans up as usual.
#[test]
fn live_supervise_second_copy_leaves_the_first_alone() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut kernel = KernelGuard::for_supervise();

    let mut first = kernel.start_watching();
    let rules = kernel.rules_with_key(SUPERVISE_KEY);
    assert!(!rules.is_empty());

    let mut second = kernel.start_supervise();
    let st = second.wait_exit();
    assert_eq!(st.code(), Some(1), "{}", second.output());
    assert!(
        second.stderr().contains(&format!(
            "another live-supervise (pid {}) is running",
            first.pid()
        )),
        "{}",
        second.output()
    );
    let now = kernel.rules_with_key(SUPERVISE_KEY);
    assert_eq!(now.len(), rules.len(), "{}", second.output());
    assert!(now.iter().all(|r| excluded_pid(r) == Some(first.pid())));
    assert_eq!(kernel.status().pid, first.pid());
    assert_eq!(kernel.status().enabled, 1);

    kernel.stop_supervise_cleanly(&mut first);
}

/// A closed terminal (SIGHUP) or SIGQUIT stops live-supervise like SIGTERM does:
/// its rules are deleted and `enabled` restored, not left behind.
#[test]
fn live_supervise_cleans_up_on_sighup_and_sigquit() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut kernel = KernelGuard::for_supervise();
    for sig in [libc::SIGHUP, libc::SIGQUIT] {
        let mut sup = kernel.start_watching();
        assert!(!kernel.rules_with_key(SUPERVISE_KEY).is_empty());
        kernel.stop_supervise_with(&mut sup, sig);
    }
}

/// The kernel stamps an event with the key of the first rule that matched it, and
/// live-supervise's rules come last: beside another execve rule (loaded first, with
/// its own key) every exec carries that rule's key, and must still be shown.
#[test]
fn live_supervise_shows_execs_another_rule_matched_first() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut kernel = KernelGuard::for_supervise();
    let machine = audit_syscalls::Machine::detect().expect("this machine's syscall table");
    let execve = machine
        .syscall_table()
        .number("execve")
        .expect("execve's number");
    let other_key = unique("other-exec");
    let mut other = RuleData::new(FilterList::Exit, Action::Always);
    other
        .push_field(Field::ARCH, Operator::Equal, machine.audit_arch())
        .expect("arch field");
    other.set_syscall(execve).expect("execve");
    other
        .push_str_field(Field::FILTERKEY, Operator::Equal, other_key.as_bytes())
        .expect("key field");
    kernel
        .sock
        .add_rule(&other)
        .expect("add the other execve rule");
    kernel.rules.push(other);

    let mut sup = kernel.start_watching();
    let marker = format!("--marker-{}", unique("other-rule"));
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("/bin/true {marker}; exit 0"))
        .status()
        .expect("run /bin/sh");
    assert!(status.success());
    sup.wait_until("the exec of /bin/true is shown", |r| {
        exec_pid(&r.stdout(), &marker).is_some()
    });

    kernel.stop_supervise_cleanly(&mut sup);
}
