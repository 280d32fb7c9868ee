//! `live-supervise`: live process supervision from the kernel's audit events, with no
//! auditd.
//!
//! Loads its own rules (execve, the clone/fork/vfork/clone3 family, exit_group, kill),
//! registers as the audit daemon (or, when an auditd is registered, listens on the
//! read-log multicast group beside it) and prints a live process tree on stdout: who
//! forked whom, what each process executed with which arguments, who signalled whom,
//! and when each process exited. Events are picked by their syscall, not by their
//! key: beside other rules (an auditd's `-S execve -k exec`) the kernel gives an event
//! the key of the first rule that matched, which is not ours when theirs come first.
//! Other events those rules bring in (other syscalls, other record types) are passed
//! over.
//!
//! On Ctrl-C, SIGTERM, SIGHUP (its terminal or ssh session closed) or SIGQUIT it
//! removes its rules, restores `enabled` and gives the daemon pid back; it does so
//! too when it stops on an error or a panic unwinds. If it crashes, the next start cleans up: it deletes every rule carrying
//! its key and restores `enabled` from the state file it left in /run. A running copy
//! holds a lock on `/run/live-supervise.lock` (released by the kernel however it
//! ends), so a second copy started beside it refuses to run instead of taking the
//! first one's rules for leftovers.
//!
//! Threads are not processes: a `clone` with `CLONE_THREAD` in `a0` is left out, and
//! so is a `clone3` (which glibc 2.34+ uses for threads, and for `posix_spawn`) whose
//! new task is a thread of the caller. `clone3`'s flags are in a struct the record
//! does not show, so the new task is told apart by what the kernel does show: it is
//! a thread when it is listed under the caller's `/proc/PID/task`, a process when its
//! own tgid is its id or when records carry its id as their `pid=` (threads' records
//! carry their process's id). A task that is gone before it could be checked is shown
//! as forked when a record of its own turns up (a `posix_spawn` child's exec comes
//! before its parent's `clone3` record), and never otherwise.
//!
//! Memory is bounded: it remembers the place in the tree of at most 16384 processes
//! (the least recently seen forgotten first, as a process killed by a signal shows no
//! exit), and a pid seen with another parent than the one remembered is taken for a
//! new process (the id was reused) and placed anew.
//!
//! Processes that existed before auditing was first enabled since boot have no audit
//! context: the kernel reports no syscalls of theirs (their children are seen).
//!
//! Syscall numbers come from the running machine's table (`audit_syscalls::Machine::detect`)
//! and names from the table of each record's own `arch=`.
//!
//! Run as root: `cargo run -p audit-tools --bin live-supervise` (the example
//! `live-supervise` is an alias: `cargo run --example live-supervise`). The program is
//! [`main`].

use audit_netlink::audit_wire::field::{Action, Field, FilterList, Operator};
use audit_netlink::audit_wire::rule::RuleData;
use audit_netlink::{AuditSocket, Errno, EventStream, StreamItem};
use audit_parse::Event;
use audit_syscalls::{Machine, SyscallTable};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "live-supervise";
const STATE_FILE: &str = "/run/live-supervise.state";
/// Held (flock) by the running copy for its whole life; never removed.
const LOCK_FILE: &str = "/run/live-supervise.lock";
/// How many recent record pids, and undecided `clone3` tasks, are remembered.
const RECENT: usize = 4096;
/// How many processes' parent and depth in the tree are remembered, least recently
/// seen forgotten first: a process killed by a signal, or whose exit record was
/// lost, never shows an `exit_group`. A forgotten process that shows up again is
/// placed under its parent when that one is remembered, at the root otherwise.
const KNOWN: usize = 4 * RECENT;
const EQUAL: Operator = Operator::Equal;
const NOT_EQUAL: Operator = Operator::NotEqual;
const FIELD_PID: Field = Field::PID;
const FIELD_ARCH: Field = Field::ARCH;
const FIELD_KEY: Field = Field::FILTERKEY;
const CLONE_THREAD: u64 = 0x0001_0000;

/// The watched syscalls by name, one rule per group. Names a machine lacks (`fork`
/// and `vfork` on aarch64 and riscv) are left out of its rules.
const GROUPS: &[&[&str]] = &[
    &["execve", "execveat"],
    &["clone", "clone3", "fork", "vfork"],
    &["exit_group"],
    &["kill", "tkill", "tgkill"],
];

/// `-a always,exit -F arch=<machine> -S ... -F pid!=<us> -k live-supervise`, one per
/// group, with the numbers from the machine's syscall table.
fn our_rules(machine: Machine) -> Result<Vec<RuleData>, Box<dyn std::error::Error>> {
    let table = machine.syscall_table();
    let mut rules = Vec::new();
    for group in GROUPS {
        let numbers: Vec<u32> = group.iter().filter_map(|n| table.number(n)).collect();
        if numbers.is_empty() {
            continue;
        }
        let mut r = RuleData::new(FilterList::Exit, Action::Always);
        r.push_field(FIELD_ARCH, EQUAL, machine.audit_arch())?;
        for nr in numbers {
            r.set_syscall(nr)?;
        }
        // Never audit ourselves (matters when we listen beside another daemon).
        r.push_field(FIELD_PID, NOT_EQUAL, std::process::id())?;
        r.push_str_field(FIELD_KEY, EQUAL, KEY.as_bytes())?;
        rules.push(r);
    }
    Ok(rules)
}

/// The state file: `enabled` before the run, then the pid of the run.
fn read_state() -> Option<(Option<u32>, Option<u32>)> {
    let text = std::fs::read_to_string(STATE_FILE).ok()?;
    let mut lines = text.lines().map(|l| l.trim().parse::<u32>().ok());
    Some((lines.next().flatten(), lines.next().flatten()))
}

/// Whether `pid` is a running live-supervise other than this one.
fn is_running_copy(pid: u32) -> bool {
    pid != std::process::id()
        && std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|comm| comm.trim_end() == "live-supervise")
}

/// Takes the lock a running copy holds, or says which copy holds it.
fn take_lock() -> Result<std::fs::File, Box<dyn std::error::Error>> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(LOCK_FILE)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            let owner = read_state()
                .and_then(|(_, pid)| pid)
                .map_or_else(String::new, |pid| format!(" (pid {pid})"));
            Err(format!(
                "another live-supervise{owner} is running (it holds {LOCK_FILE}); \
                 its rules are not left over: stop it first"
            )
            .into())
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// The pid a rule of ours excludes (`-F pid!=<owner>`): the run that loaded it.
fn rule_owner(r: &RuleData) -> Option<u32> {
    r.fields_iter().find_map(|f| match f {
        Ok(f) if f.field == FIELD_PID.0 && f.op == NOT_EQUAL.bits() => match f.value {
            audit_netlink::audit_wire::rule::RuleValue::Num(n) => Some(n),
            audit_netlink::audit_wire::rule::RuleValue::Str(_) => None,
        },
        _ => None,
    })
}

/// Undo what a previous (crashed) run left: its rules, and `enabled` if it changed it.
/// Called with the lock held, so no other copy of this build runs; a rule whose
/// owner is still a running live-supervise (one that took no lock) is not touched.
fn clean_up_previous(ctl: &mut AuditSocket) -> Result<(), Box<dyn std::error::Error>> {
    let ours: Vec<RuleData> = ctl
        .list_rules()?
        .into_iter()
        .filter(|r| r.key() == Some(KEY.as_bytes()))
        .collect();
    if let Some(owner) = ours
        .iter()
        .filter_map(rule_owner)
        .find(|&p| is_running_copy(p))
    {
        return Err(format!(
            "another live-supervise (pid {owner}) is running and owns the rules keyed \
             {KEY}: stop it first"
        )
        .into());
    }
    let mut removed = 0;
    for r in &ours {
        ctl.delete_rule(r)?;
        removed += 1;
    }
    if let Some((enabled, _)) = read_state() {
        if let Some(enabled) = enabled {
            if enabled < 2 {
                ctl.set_enabled(enabled == 1)?;
            }
        }
        let _ = std::fs::remove_file(STATE_FILE);
        crate::output::sayln!("live-supervise: cleaned up after a previous run ({removed} rules)");
    } else if removed > 0 {
        crate::output::sayln!("live-supervise: removed {removed} stale rules of a previous run");
    }
    Ok(())
}

/// A field's value as text: quoted values unquoted, hex-encoded ones decoded.
fn text_value(v: &[u8]) -> String {
    if let Some(inner) = v.strip_prefix(b"\"").and_then(|x| x.strip_suffix(b"\"")) {
        return String::from_utf8_lossy(inner).into_owned();
    }
    let hex = |c: u8| (c as char).to_digit(16);
    if v.len().is_multiple_of(2) && v.iter().all(|&c| hex(c).is_some()) {
        let bytes: Vec<u8> = v
            .chunks(2)
            .map(|p| (hex(p[0]).unwrap_or(0) * 16 + hex(p[1]).unwrap_or(0)) as u8)
            .collect();
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    String::from_utf8_lossy(v).into_owned()
}

fn num(ev: &Event, name: &str) -> Option<i64> {
    ev.record(0)?.field(name)?.value_i64()
}

fn hex_arg(ev: &Event, name: &str) -> Option<u64> {
    ev.record(0)?.field(name)?.value_u64_radix(16)
}

/// What the new task of a `clone3` is, from what the kernel shows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NewTask {
    Thread,
    Process,
    /// Gone already (or its id reused): decided later by the records.
    Unknown,
}

/// Tells the task `new` made by `clone3` in process `parent` apart.
fn new_task(parent: i64, new: i64) -> NewTask {
    if std::path::Path::new(&format!("/proc/{parent}/task/{new}")).exists() {
        return NewTask::Thread;
    }
    // A thread's /proc/TID (not listed, but there) names its process.
    let tgid = std::fs::read_to_string(format!("/proc/{new}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Tgid:"))
                .and_then(|v| v.trim().parse::<i64>().ok())
        });
    match tgid {
        Some(t) if t == new => NewTask::Process,
        Some(t) if t == parent => NewTask::Thread,
        _ => NewTask::Unknown,
    }
}

/// A `clone3` whose new task was gone before it could be checked.
struct PendingFork {
    stamp: String,
    parent: i64,
    comm: String,
    depth: usize,
}

/// A remembered process: its parent and its depth in the shown tree.
struct KnownProc {
    ppid: i64,
    depth: usize,
    /// When it was last placed or seen, in [`KnownProcs::order`].
    stamp: u64,
}

/// The processes placed in the tree, at most [`KNOWN`], the least recently seen
/// forgotten first.
struct KnownProcs {
    procs: HashMap<i64, KnownProc>,
    /// (pid, stamp) each time a process was placed or seen, oldest first; an entry
    /// whose stamp is not its process's current one is stale and skipped. Stale
    /// entries are swept when they outnumber the live ones, so it holds at most
    /// 2 × [`KNOWN`] + 1 entries.
    order: VecDeque<(i64, u64)>,
    next_stamp: u64,
}

impl KnownProcs {
    fn new() -> KnownProcs {
        KnownProcs {
            procs: HashMap::new(),
            order: VecDeque::new(),
            next_stamp: 0,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.procs.len()
    }

    /// The parent and depth of `pid`, if remembered.
    fn get(&self, pid: i64) -> Option<(i64, usize)> {
        self.procs.get(&pid).map(|p| (p.ppid, p.depth))
    }

    fn stamp(&mut self, pid: i64) -> u64 {
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        self.order.push_back((pid, stamp));
        stamp
    }

    /// Places `pid` under `ppid` at `depth` (replacing what was remembered of it).
    fn insert(&mut self, pid: i64, ppid: i64, depth: usize) {
        let stamp = self.stamp(pid);
        self.procs.insert(pid, KnownProc { ppid, depth, stamp });
        self.trim();
    }

    /// Notes that `pid` was seen again: it is now the most recent.
    fn touch(&mut self, pid: i64) {
        if self.procs.contains_key(&pid) {
            let stamp = self.stamp(pid);
            if let Some(p) = self.procs.get_mut(&pid) {
                p.stamp = stamp;
            }
            self.trim();
        }
    }

    fn remove(&mut self, pid: i64) {
        self.procs.remove(&pid);
    }

    fn is_current(&self, pid: i64, stamp: u64) -> bool {
        self.procs.get(&pid).is_some_and(|p| p.stamp == stamp)
    }

    fn trim(&mut self) {
        while self.procs.len() > KNOWN {
            let Some((pid, stamp)) = self.order.pop_front() else {
                break;
            };
            if self.is_current(pid, stamp) {
                self.procs.remove(&pid);
            }
        }
        if self.order.len() > 2 * KNOWN {
            let procs = &self.procs;
            self.order
                .retain(|&(pid, stamp)| procs.get(&pid).is_some_and(|p| p.stamp == stamp));
        }
    }
}

struct Tree {
    known: KnownProcs,
    /// The latest distinct `pid=` values of records (threads' records carry their
    /// process's id, so a task id seen here is a process), oldest first.
    seen: VecDeque<i64>,
    seen_set: HashSet<i64>,
    /// Undecided `clone3` tasks by id, and their order for the bound.
    pending: HashMap<i64, PendingFork>,
    pending_order: VecDeque<i64>,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            known: KnownProcs::new(),
            seen: VecDeque::new(),
            seen_set: HashSet::new(),
            pending: HashMap::new(),
            pending_order: VecDeque::new(),
        }
    }

    /// Notes that a record of process `pid` arrived; shows its fork first if it
    /// was an undecided `clone3` task.
    fn saw(&mut self, out: &mut impl Write, pid: i64) -> std::io::Result<()> {
        if let Some(p) = self.pending.remove(&pid) {
            self.pending_order.retain(|&t| t != pid);
            self.known.insert(pid, p.parent, p.depth + 1);
            let pad = "  ".repeat(p.depth.min(40));
            writeln!(
                out,
                "{} {pad}{} ({}) forked {pid}",
                p.stamp, p.parent, p.comm
            )?;
        }
        if self.seen_set.insert(pid) {
            self.seen.push_back(pid);
            if self.seen.len() > RECENT {
                if let Some(old) = self.seen.pop_front() {
                    self.seen_set.remove(&old);
                }
            }
        }
        Ok(())
    }

    fn defer(&mut self, new: i64, fork: PendingFork) {
        if self.pending.insert(new, fork).is_none() {
            self.pending_order.push_back(new);
        }
        if self.pending_order.len() > RECENT {
            if let Some(old) = self.pending_order.pop_front() {
                self.pending.remove(&old);
            }
        }
    }

    fn depth(&mut self, pid: i64, ppid: Option<i64>) -> usize {
        if let Some((known_ppid, d)) = self.known.get(pid) {
            // Another parent: the id was reused by a process whose fork was not seen.
            if ppid.is_none_or(|p| p == known_ppid) {
                self.known.touch(pid);
                return d;
            }
        }
        let d = ppid
            .and_then(|p| self.known.get(p).map(|(_, d)| d + 1))
            .unwrap_or(0);
        self.known.insert(pid, ppid.unwrap_or(0), d);
        d
    }

    /// Shows `ev` when it is a syscall event of one of the watched syscalls, by
    /// whichever rule it was recorded: the kernel stamps an event with the key of the
    /// first rule that matched it, and ours come after any loaded before, so the key
    /// does not tell our events apart. Other events are passed over, and so are this
    /// program's own syscalls (which its rules leave out too).
    fn show(&mut self, out: &mut impl Write, ev: &Event) -> std::io::Result<()> {
        // A SECCOMP or other record carries `syscall=` too: only a SYSCALL record
        // first is a syscall event.
        if ev.record(0).is_none_or(|r| r.type_text() != b"SYSCALL") {
            return Ok(());
        }
        let Some(syscall) = num(ev, "syscall") else {
            return Ok(());
        };
        let pid = num(ev, "pid").unwrap_or(-1);
        if pid == i64::from(std::process::id()) {
            return Ok(());
        }
        self.saw(out, pid)?;
        let ppid = num(ev, "ppid");
        let exit = num(ev, "exit").unwrap_or(0);
        let comm = ev
            .record(0)
            .and_then(|r| r.field("comm"))
            .map(|f| text_value(f.value()))
            .unwrap_or_default();
        let id = ev.id();
        let stamp = format!("{}.{:03}", id.sec, id.milli);
        let depth = self.depth(pid, ppid);
        let pad = "  ".repeat(depth.min(40));
        // The record's own arch names the table (a 32-bit task on a 64-bit kernel).
        let name = hex_arg(ev, "arch")
            .and_then(|a| SyscallTable::for_audit_arch(u32::try_from(a).ok()?))
            .and_then(|t| t.name(u32::try_from(syscall).ok()?))
            .unwrap_or("");
        if matches!(name, "clone" | "clone3" | "fork" | "vfork") {
            if name == "clone" && hex_arg(ev, "a0").is_some_and(|f| f & CLONE_THREAD != 0) {
                return Ok(()); // a thread, not a process
            }
            if name == "clone3" && exit > 0 {
                match new_task(pid, exit) {
                    NewTask::Thread => return Ok(()),
                    NewTask::Process => {}
                    // Its own records came first (a vfork-style child's exec).
                    NewTask::Unknown if self.seen_set.contains(&exit) => {}
                    NewTask::Unknown => {
                        let fork = PendingFork {
                            stamp,
                            parent: pid,
                            comm,
                            depth,
                        };
                        self.defer(exit, fork);
                        return Ok(());
                    }
                }
            }
            if exit > 0 {
                self.known.insert(exit, pid, depth + 1);
                writeln!(out, "{stamp} {pad}{pid} ({comm}) forked {exit}")?;
            }
        } else if matches!(name, "execve" | "execveat") {
            let argv: Vec<String> = ev
                .iter()
                .find(|r| r.text().starts_with(b"type=EXECVE "))
                .map(|r| {
                    let argc = r.field("argc").and_then(|f| f.value_i64()).unwrap_or(0);
                    (0..argc)
                        .map(|i| {
                            r.field(&format!("a{i}"))
                                .map(|f| text_value(f.value()))
                                .unwrap_or_else(|| "…".to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let exe = ev
                .record(0)
                .and_then(|r| r.field("exe"))
                .map(|f| text_value(f.value()))
                .unwrap_or_default();
            let result = if exit == 0 {
                String::new()
            } else {
                format!(" -> failed ({exit})")
            };
            writeln!(out, "{stamp} {pad}{pid} exec {exe} {argv:?}{result}")?;
        } else if name == "exit_group" {
            let code = hex_arg(ev, "a0").unwrap_or(0) as i32;
            writeln!(out, "{stamp} {pad}{pid} ({comm}) exited with {code}")?;
            self.known.remove(pid);
        } else if matches!(name, "kill" | "tkill" | "tgkill") {
            let (target, sig) = if name == "tgkill" {
                (hex_arg(ev, "a1"), hex_arg(ev, "a2"))
            } else {
                (hex_arg(ev, "a0"), hex_arg(ev, "a1"))
            };
            let target = target.map(|t| t as i32).unwrap_or(0);
            let sig = sig.unwrap_or(0);
            writeln!(
                out,
                "{stamp} {pad}{pid} ({comm}) sent signal {sig} to {target} (result {exit})"
            )?;
        }
        Ok(())
    }
}

/// What a run changed in the kernel, undone when dropped: on a normal stop, on an
/// early error and while unwinding from a panic alike. Its rules are deleted first,
/// then `enabled` is restored, then the daemon pid is given back.
struct Restore {
    ctl: AuditSocket,
    /// `enabled` before the run; 2 (immutable) is never written back.
    enabled_before: u32,
    /// The rules this run added.
    loaded: Vec<RuleData>,
    /// The socket events are read from, when it is not in use by the event stream
    /// (the daemon registration is given back through it).
    reader: Option<AuditSocket>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        for r in std::mem::take(&mut self.loaded) {
            if let Err(e) = self.ctl.delete_rule(&r) {
                crate::output::sayln!("live-supervise: could not delete a rule: {e}");
            }
        }
        if self.enabled_before < 2 {
            if let Err(e) = self.ctl.set_enabled(self.enabled_before == 1) {
                crate::output::sayln!(
                    "live-supervise: could not restore enabled={}: {e}",
                    self.enabled_before
                );
            }
        }
        if let Some(reader) = self.reader.as_mut() {
            if reader.daemon_pid().is_some() {
                if let Err(e) = reader.unregister_daemon() {
                    crate::output::sayln!(
                        "live-supervise: could not give the daemon pid back: {e}"
                    );
                }
            }
        }
        let _ = std::fs::remove_file(STATE_FILE);
        crate::output::sayln!("live-supervise: rules removed, state restored");
    }
}

/// The signals that end the watch (the rules and state are restored after it):
/// Ctrl-C, SIGTERM, a closed terminal or dropped ssh session (SIGHUP) and SIGQUIT.
const STOP_SIGNALS: [i32; 4] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGQUIT,
];

fn supervise() -> Result<(), Box<dyn std::error::Error>> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in STOP_SIGNALS {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let machine = Machine::detect()?;
    // Held until the process ends, however it ends.
    let _lock = take_lock()?;
    let mut ctl = AuditSocket::open()?;
    clean_up_previous(&mut ctl)?;
    let before = ctl.get_status()?;

    // Become the daemon, or listen beside the one that is registered.
    let mut reader = AuditSocket::open()?;
    match reader.register_daemon() {
        Ok(()) => crate::output::sayln!("live-supervise: registered as the audit daemon"),
        Err(e) if e.errno() == Some(Errno::EEXIST) => {
            crate::output::sayln!(
                "live-supervise: pid {} is the audit daemon; listening on the read-log group",
                before.pid
            );
            reader = AuditSocket::open_readlog()?;
        }
        Err(e) => return Err(e.into()),
    }
    // From here on, whatever happens, dropping `restore` undoes what was done.
    let mut restore = Restore {
        ctl,
        enabled_before: before.enabled,
        loaded: Vec::new(),
        reader: Some(reader),
    };
    if let Some(reader) = restore.reader.as_mut() {
        reader.set_recv_buffer_size(8 << 20, true)?;
    }

    std::fs::write(
        STATE_FILE,
        format!("{}\n{}\n", before.enabled, std::process::id()),
    )?;
    for r in our_rules(machine)? {
        restore.ctl.add_rule(&r)?;
        restore.loaded.push(r);
    }
    if before.enabled == 0 {
        restore.ctl.set_enabled(true)?;
    }

    crate::output::sayln!("live-supervise: watching (Ctrl-C to stop)");
    let Some(reader) = restore.reader.take() else {
        return Err("the event socket is gone".into());
    };
    let mut events = EventStream::new(reader);
    let mut tree = Tree::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut result: Result<(), Box<dyn std::error::Error>> = Ok(());
    while !stop.load(Ordering::SeqCst) {
        match events.next(Some(Duration::from_millis(200))) {
            Ok(Some(StreamItem::Event(ev))) => {
                if let Err(e) = tree.show(&mut out, &ev) {
                    result = Err(e.into());
                    break;
                }
                let _ = out.flush();
            }
            Ok(Some(StreamItem::Lost { overruns })) => {
                let lost = restore.ctl.get_status().map(|s| s.lost).unwrap_or(0);
                crate::output::sayln!("live-supervise: receive queue overflowed ({overruns} times); kernel lost counter {lost}");
            }
            Ok(Some(StreamItem::BadRecord(e))) => crate::output::sayln!("live-supervise: {e}"),
            Ok(None) => {}
            Err(e) => {
                result = Err(e.into());
                break;
            }
        }
    }
    restore.reader = Some(events.into_socket());
    drop(restore);
    result
}

/// The program (it takes no arguments): supervises until Ctrl-C, SIGTERM, SIGHUP or
/// SIGQUIT, then restores the kernel. Exit status 1 when it could not start or had to stop early
/// (the reason on standard error).
pub fn main() -> ExitCode {
    match supervise() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            crate::output::sayln!("live-supervise: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Processes nobody saw exit are forgotten, oldest first, past [`KNOWN`]: a
    /// child of a forgotten one starts a new root, one of a remembered one does not.
    #[test]
    fn known_processes_are_bounded_oldest_first() {
        let mut tree = Tree::new();
        assert_eq!(tree.depth(100, None), 0);
        assert_eq!(tree.depth(101, Some(100)), 1);
        for pid in 1000..1000 + KNOWN as i64 {
            assert_eq!(tree.depth(pid, Some(1)), 0);
        }
        assert!(tree.known.len() <= KNOWN, "{} known", tree.known.len());
        // 101 was the least recently seen: forgotten; the latest are remembered.
        assert_eq!(tree.depth(102, Some(101)), 0);
        let latest = 1000 + KNOWN as i64 - 1;
        assert_eq!(tree.depth(103, Some(latest)), 1);
        assert!(tree.known.len() <= KNOWN, "{} known", tree.known.len());
    }

    /// A process seen again keeps its place among the remembered (it was not the
    /// oldest any more).
    #[test]
    fn a_process_seen_again_is_remembered_longer() {
        let mut tree = Tree::new();
        assert_eq!(tree.depth(100, None), 0);
        assert_eq!(tree.depth(101, Some(100)), 1);
        for pid in 1000..1000 + KNOWN as i64 - 10 {
            assert_eq!(tree.depth(pid, Some(1)), 0);
        }
        // 101 shows up again (a record of its own), then more processes come.
        assert_eq!(tree.depth(101, Some(100)), 1);
        for pid in 50_000..50_020 {
            assert_eq!(tree.depth(pid, Some(1)), 0);
        }
        assert_eq!(tree.depth(102, Some(101)), 2);
    }

    /// Seeing the same processes over and over does not grow the recency list
    /// past its bound.
    #[test]
    fn seeing_processes_again_keeps_the_order_bounded() {
        let mut tree = Tree::new();
        for round in 0..5 * KNOWN {
            let pid = (round % 3) as i64;
            assert_eq!(tree.depth(pid, Some(7)), 0);
            assert!(tree.known.order.len() <= 2 * KNOWN + 1);
        }
        assert_eq!(tree.known.len(), 3);
    }

    /// A panic after the rules were loaded (and auditing enabled) unwinds through
    /// [`Restore`], which deletes them and restores `enabled`.
    #[test]
    fn a_panic_unwinding_restores_the_kernel() {
        let _lock = audit_testlock::live_lock();
        if let Some(why) = audit_testlock::live_kernel_unavailable_reason() {
            audit_testlock::skip(why);
            return;
        }
        if std::path::Path::new(STATE_FILE).exists() {
            audit_testlock::skip(format!("{STATE_FILE} exists: a live-supervise runs"));
            return;
        }
        let mut check = AuditSocket::open().expect("open audit socket");
        let before = check.get_status().expect("AUDIT_GET").enabled;
        assert!(before < 2, "auditing is immutable (enabled=2)");
        let key = format!("lar-restore-{}", std::process::id());
        let machine = Machine::detect().expect("this machine's syscall table");
        let mut rule = RuleData::new(FilterList::Exit, Action::Always);
        rule.push_field(FIELD_ARCH, EQUAL, machine.audit_arch())
            .expect("arch field");
        rule.set_syscall(machine.syscall_table().number("exit_group").expect("nr"))
            .expect("syscall");
        rule.push_str_field(FIELD_KEY, EQUAL, key.as_bytes())
            .expect("key field");
        let mut ctl = AuditSocket::open().expect("open audit socket");
        ctl.add_rule(&rule).expect("add the rule");
        if before == 0 {
            ctl.set_enabled(true).expect("enable auditing");
        }
        let restore = Restore {
            ctl,
            enabled_before: before,
            loaded: vec![rule.clone()],
            reader: None,
        };
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _restore = restore;
            panic!("a bug while watching");
        }));

        let left = check
            .list_rules()
            .expect("list rules")
            .iter()
            .any(|r| r.key() == Some(key.as_bytes()));
        let enabled = check.get_status().expect("AUDIT_GET").enabled;
        // The test's own clean-up, whatever the outcome.
        if left {
            let _ = check.delete_rule(&rule);
        }
        let _ = check.set_enabled(before == 1);
        assert!(unwound.is_err());
        assert!(!left, "the rule was left loaded after the panic");
        assert_eq!(enabled, before, "enabled not restored after the panic");
    }

    /// A pid that shows up with another parent than the one remembered is another
    /// process (the id was reused, the new one's fork unseen): it is placed anew.
    #[test]
    fn a_reused_pid_with_another_parent_is_placed_anew() {
        let mut tree = Tree::new();
        assert_eq!(tree.depth(200, None), 0);
        assert_eq!(tree.depth(201, Some(200)), 1);
        assert_eq!(tree.depth(202, Some(201)), 2);
        assert_eq!(tree.depth(202, Some(200)), 1);
        assert_eq!(tree.depth(202, None), 1, "no ppid: the entry stands");
        assert_eq!(tree.depth(203, Some(202)), 2);
    }
}
