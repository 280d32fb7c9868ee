//! Live process supervision from the kernel's audit events, with no auditd.
//!
//! Loads its own rules (execve, the clone/fork/vfork/clone3 family, exit_group, kill),
//! registers as the audit daemon (or, when an auditd is registered, listens on the
//! read-log multicast group beside it) and prints a live process tree on stdout: who
//! forked whom, what each process executed with which arguments, who signalled whom,
//! and when each process exited.
//!
//! On Ctrl-C or SIGTERM it removes its rules, gives the daemon pid back and restores
//! `enabled`. If it crashes, the next start cleans up: it deletes every rule carrying
//! its key and restores `enabled` from the state file it left in /run.
//!
//! Processes that existed before auditing was first enabled since boot have no audit
//! context: the kernel reports no syscalls of theirs (their children are seen).
//!
//! Syscall numbers come from the running machine's table (`audit_syscalls::Machine::detect`)
//! and names from the table of each record's own `arch=`.
//!
//! Run as root: `cargo run --example live-supervise`.

use audit_netlink::audit_wire::rule::{RuleData, ACTION_ALWAYS, FILTER_EXIT};
use audit_netlink::{AuditSocket, Errno, EventStream, StreamItem};
use audit_parse::Event;
use audit_syscalls::{Machine, SyscallTable};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const KEY: &str = "live-supervise";
const STATE_FILE: &str = "/run/live-supervise.state";
const EQUAL: u32 = 0x4000_0000;
const NOT_EQUAL: u32 = 0x3000_0000;
const FIELD_PID: u32 = 0;
const FIELD_ARCH: u32 = 11;
const FIELD_KEY: u32 = 210;
const CLONE_THREAD: u64 = 0x0001_0000;

/// The watched syscalls by name, one rule per group. Names a machine lacks (`fork`
/// and `vfork` on aarch64 and riscv) are left out of its rules.
const GROUPS: &[&[&str]] = &[
    &["execve", "execveat"],
    &["clone", "clone3", "fork", "vfork"],
    &["exit_group"],
    &["kill", "tkill", "tgkill"],
];

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

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
        let mut r = RuleData::new(FILTER_EXIT, ACTION_ALWAYS);
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

/// Undo what a previous (crashed) run left: its rules, and `enabled` if it changed it.
fn clean_up_previous(ctl: &mut AuditSocket) -> Result<(), audit_netlink::Error> {
    let mut removed = 0;
    for r in ctl.list_rules()? {
        if r.key() == Some(KEY.as_bytes()) {
            ctl.delete_rule(&r)?;
            removed += 1;
        }
    }
    if let Ok(s) = std::fs::read_to_string(STATE_FILE) {
        if let Ok(enabled) = s.trim().parse::<u32>() {
            if enabled < 2 {
                ctl.set_enabled(enabled == 1)?;
            }
        }
        let _ = std::fs::remove_file(STATE_FILE);
        eprintln!("live-supervise: cleaned up after a previous run ({removed} rules)");
    } else if removed > 0 {
        eprintln!("live-supervise: removed {removed} stale rules of a previous run");
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

struct Tree {
    /// pid -> (parent pid, depth)
    known: HashMap<i64, (i64, usize)>,
}

impl Tree {
    fn depth(&mut self, pid: i64, ppid: Option<i64>) -> usize {
        if let Some(&(_, d)) = self.known.get(&pid) {
            return d;
        }
        let d = ppid
            .and_then(|p| self.known.get(&p).map(|&(_, d)| d + 1))
            .unwrap_or(0);
        self.known.insert(pid, (ppid.unwrap_or(0), d));
        d
    }

    fn show(&mut self, out: &mut impl Write, ev: &Event) -> std::io::Result<()> {
        let Some(syscall) = num(ev, "syscall") else {
            return Ok(());
        };
        let pid = num(ev, "pid").unwrap_or(-1);
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
            if exit > 0 {
                self.known.insert(exit, (pid, depth + 1));
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
            self.known.remove(&pid);
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

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let machine = Machine::detect()?;
    let mut ctl = AuditSocket::open()?;
    clean_up_previous(&mut ctl)?;
    let before = ctl.get_status()?;

    // Become the daemon, or listen beside the one that is registered.
    let mut reader = AuditSocket::open()?;
    match reader.register_daemon() {
        Ok(()) => eprintln!("live-supervise: registered as the audit daemon"),
        Err(e) if e.errno() == Some(Errno::EEXIST) => {
            eprintln!(
                "live-supervise: pid {} is the audit daemon; listening on the read-log group",
                before.pid
            );
            reader = AuditSocket::open_readlog()?;
        }
        Err(e) => return Err(e.into()),
    }
    reader.set_recv_buffer_size(8 << 20, true)?;

    std::fs::write(STATE_FILE, format!("{}\n", before.enabled))?;
    let rules = our_rules(machine)?;
    let mut loaded = Vec::new();
    let mut result: Result<(), Box<dyn std::error::Error>> = Ok(());
    for r in &rules {
        match ctl.add_rule(r) {
            Ok(()) => loaded.push(r.clone()),
            Err(e) => {
                result = Err(e.into());
                break;
            }
        }
    }
    if result.is_ok() && before.enabled == 0 {
        result = ctl.set_enabled(true).map_err(Into::into);
    }

    if result.is_ok() {
        eprintln!("live-supervise: watching (Ctrl-C to stop)");
        let mut events = EventStream::new(reader);
        let mut tree = Tree {
            known: HashMap::new(),
        };
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        while !STOP.load(Ordering::SeqCst) {
            match events.next(Some(Duration::from_millis(200))) {
                Ok(Some(StreamItem::Event(ev))) => {
                    let ours = ev
                        .find_field("key")
                        .is_some_and(|f| f.value() == format!("\"{KEY}\"").as_bytes());
                    if ours {
                        if let Err(e) = tree.show(&mut out, &ev) {
                            result = Err(e.into());
                            break;
                        }
                        let _ = out.flush();
                    }
                }
                Ok(Some(StreamItem::Lost { overruns })) => {
                    let lost = ctl.get_status().map(|s| s.lost).unwrap_or(0);
                    eprintln!("live-supervise: receive queue overflowed ({overruns} times); kernel lost counter {lost}");
                }
                Ok(Some(StreamItem::BadRecord(e))) => eprintln!("live-supervise: {e}"),
                Ok(None) => {}
                Err(e) => {
                    result = Err(e.into());
                    break;
                }
            }
        }
        reader = events.into_socket();
    }

    // Clean up: rules, enabled, daemon pid.
    for r in &loaded {
        if let Err(e) = ctl.delete_rule(r) {
            eprintln!("live-supervise: could not delete a rule: {e}");
        }
    }
    if before.enabled < 2 {
        if let Err(e) = ctl.set_enabled(before.enabled == 1) {
            eprintln!(
                "live-supervise: could not restore enabled={}: {e}",
                before.enabled
            );
        }
    }
    if reader.daemon_pid().is_some() {
        if let Err(e) = reader.unregister_daemon() {
            eprintln!("live-supervise: could not give the daemon pid back: {e}");
        }
    }
    let _ = std::fs::remove_file(STATE_FILE);
    eprintln!("live-supervise: rules removed, state restored");
    result
}

fn main() {
    if let Err(e) = run() {
        eprintln!("live-supervise: {e}");
        std::process::exit(1);
    }
}
