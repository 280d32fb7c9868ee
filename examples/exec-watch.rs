//! Watches programs start: prints each `execve` on this machine as it happens, with
//! who ran it (login user and user, by name), the pid, the program and its arguments.
//!
//! Shows the kernel side of the crates in a few lines: a rule that lives as long as
//! the program (`add_rule_guarded`, deleted on exit, also on SIGINT, SIGTERM, SIGHUP
//! and SIGQUIT), events read as the audit daemon or, beside a running auditd, on the
//! read-log multicast group, and fields interpreted (`event.interpret`,
//! `Event::argv`). Needs root.
//!
//! `exec-watch` (stop it with Ctrl-C)
use audit_interpret::{EventInterpret, Interpreter};
use audit_netlink::{AuditSocket, Error, EventStream, StreamItem};
use audit_rules::{parse_line, Command, RuleData, SystemEnv};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const RULE: &str = "-a always,exit -F arch=b64 -S execve,execveat -k exec-watch";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stop = Arc::new(AtomicBool::new(false));
    // Ctrl-C, SIGTERM, a closed terminal or ssh session (SIGHUP) and SIGQUIT all end
    // the loop, so that the rule is deleted and `enabled` restored on the way out.
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    // Become the audit daemon, or read beside the one that is (auditd).
    let mut sock = AuditSocket::open()?;
    if let Err(e) = sock.register_daemon() {
        let Error::DaemonSlotTaken { .. } = e else {
            return Err(e.into());
        };
        eprintln!("exec-watch: {e}; doing so");
        sock = AuditSocket::open_readlog()?;
    }
    let parsed = parse_line(RULE, &SystemEnv::new())?;
    let [Command::AddRule(rule)] = &parsed.commands[..] else {
        return Err(format!("{RULE:?} is not one rule").into());
    };
    // Both undo themselves when dropped, at the end of main.
    let _enabled = sock.set_enabled_guarded(true)?;
    let _rule = sock.add_rule_guarded(RuleData::try_from(rule)?)?;
    eprintln!("exec-watch: watching (rule {RULE})");

    let mut events = EventStream::new(sock);
    let mut it = Interpreter::new();
    while !stop.load(Ordering::Relaxed) {
        // Wake up now and then to see whether a signal asked us to stop.
        let event = match events.next(Some(Duration::from_millis(200)))? {
            Some(StreamItem::Event(event)) => event,
            Some(trouble) => {
                eprintln!("exec-watch: {trouble:?}"); // records lost or unreadable
                continue;
            }
            None => continue,
        };
        let mut text = |name| event.interpret(&mut it, name).unwrap_or_else(|| "?".into());
        let syscall = text("syscall");
        if syscall != "execve" && syscall != "execveat" {
            continue; // another rule's event
        }
        let (auid, uid, pid, exe) = (text("auid"), text("uid"), text("pid"), text("exe"));
        let what = match event.argv() {
            Ok(argv) => format!(
                "{:?}",
                argv.iter()
                    .map(|a| String::from_utf8_lossy(a))
                    .collect::<Vec<_>>()
            ),
            // No EXECVE record: the program did not start (exe is the caller).
            Err(_) if text("success") == "no" => format!("failed: {}", text("exit")),
            Err(e) => format!("({e})"),
        };
        println!("{auid} as {uid}, pid {pid}: {exe} {what}");
    }
    eprintln!("exec-watch: stopping, deleting the rule");
    Ok(())
}
