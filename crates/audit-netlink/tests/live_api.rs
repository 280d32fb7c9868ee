//! Live tests of the socket's defences and of the API's errors and guards, against
//! this machine's kernel (root, audit compiled in). Each takes the machine-wide
//! live-test lock and restores what it changed, even on failure (drop guards).

use audit_netlink::{AuditSocket, Errno, Error, Incoming};
use audit_testlock::rules::{
    child_execve_rule, getppid_rule, run_true, trigger_getppid, unique_key,
};
use netlink_sys::{protocols::NETLINK_AUDIT, Socket, SocketAddr};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// How long a test keeps reading before it gives up on an expected record.
const PATIENCE: Duration = Duration::from_secs(20);

/// The size of the datagram that ended every reader (issue 16).
const OVERSIZED: usize = 100_016;

/// Puts `enabled` back as it was, when dropped: the safety net of tests that
/// enable auditing, independent of the guards under test.
struct EnabledBack {
    sock: AuditSocket,
    enabled: u32,
}

impl EnabledBack {
    fn new() -> Self {
        let mut sock = AuditSocket::open().expect("open audit socket");
        let enabled = sock.get_status().expect("AUDIT_GET").enabled;
        EnabledBack { sock, enabled }
    }
}

impl Drop for EnabledBack {
    fn drop(&mut self) {
        if self.enabled < 2 {
            let _ = self.sock.set_enabled(self.enabled == 1);
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Read `sock` until a record holding `needle` comes; any receive error fails.
fn wait_for_record(sock: &mut AuditSocket, needle: &str) -> Option<Vec<u8>> {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match sock.recv(Some(Duration::from_millis(200))) {
            Ok(Some(Incoming::Record(r))) => {
                let line = r.to_line();
                if contains(&line, needle.as_bytes()) {
                    return Some(line);
                }
            }
            Ok(Some(Incoming::Overrun { .. } | Incoming::Truncated { .. }) | None) => {}
            Err(e) => panic!("the reader failed: {e}"),
        }
    }
    None
}

/// From a netlink socket of our own (a user port, not the kernel), send `port` one
/// datagram of [`OVERSIZED`] bytes shaped as an audit record: what a hostile root
/// process can try to send to a daemon or read-log socket. The bytes sent, or the
/// error of the `sendto`.
fn send_oversized_datagram(port: u32) -> std::io::Result<usize> {
    let mut forger = Socket::new(NETLINK_AUDIT).expect("forger socket");
    forger.bind_auto().expect("bind forger");
    let mut msg = vec![b'x'; OVERSIZED];
    msg[0..4].copy_from_slice(&(OVERSIZED as u32).to_ne_bytes()); // nlmsg_len
    msg[4..6].copy_from_slice(&1300u16.to_ne_bytes()); // SYSCALL
    msg[6..16].fill(0); // flags, seq, pid
    let text = b"audit(1.000:1): forged=1 ";
    msg[16..16 + text.len()].copy_from_slice(text);
    forger.send_to(&msg, &SocketAddr::new(port, 0), 0)
}

/// A root process's oversized datagram to the daemon socket (connected to the
/// kernel) is refused at its `sendto`, and the daemon reads the next real event (it
/// used to end every reader).
#[test]
fn oversized_foreign_datagram_to_the_daemon_is_refused() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let _enabled_back = EnabledBack::new();
    let mut ctl = AuditSocket::open().unwrap();
    let key = unique_key("oversized");
    let _rule = ctl.add_rule_guarded(child_execve_rule(&key)).unwrap();
    let _on = ctl.set_enabled_guarded(true).unwrap();
    let mut d = AuditSocket::open().unwrap();
    d.register_daemon().unwrap();
    let refused = send_oversized_datagram(d.port_id().unwrap()).unwrap_err();
    assert_eq!(
        refused.raw_os_error(),
        Some(libc::ECONNREFUSED),
        "{refused}"
    );
    run_true();
    let got = wait_for_record(&mut d, &key);
    assert!(got.is_some(), "no event after the oversized datagram");
    assert_eq!(d.foreign_datagrams(), 0);
    assert_eq!(d.truncated_datagrams(), 0);
    d.unregister_daemon().unwrap();
}

/// The same for a read-log (multicast) reader, which runs beside a running auditd.
#[test]
fn oversized_foreign_datagram_to_a_readlog_socket_is_dropped_and_counted() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let _enabled_back = EnabledBack::new();
    let mut ctl = AuditSocket::open().unwrap();
    let key = unique_key("oversized-mc");
    let _rule = ctl.add_rule_guarded(child_execve_rule(&key)).unwrap();
    let _on = ctl.set_enabled_guarded(true).unwrap();
    let mut m = AuditSocket::open_readlog().unwrap();
    let sent = send_oversized_datagram(m.port_id().unwrap())
        .expect("send the oversized datagram to our own socket");
    assert_eq!(sent, OVERSIZED);
    run_true();
    assert!(
        wait_for_record(&mut m, &key).is_some(),
        "no event after the oversized datagram"
    );
    assert_eq!(m.foreign_datagrams(), 1);
}

/// A second registration names the daemon holding the slot and the way to read
/// beside it.
#[test]
fn second_register_daemon_names_the_holder_and_the_readlog_group() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut a = AuditSocket::open().unwrap();
    a.register_daemon().unwrap();
    let mut b = AuditSocket::open().unwrap();
    let e = b.register_daemon().unwrap_err();
    let own_comm = std::fs::read_to_string("/proc/self/comm").unwrap();
    match &e {
        Error::DaemonSlotTaken { pid, comm } => {
            assert_eq!(*pid, Some(std::process::id()));
            assert_eq!(comm.as_deref(), Some(own_comm.trim_end()));
        }
        other => panic!("not DaemonSlotTaken: {other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains(&format!(
            "another audit daemon (pid {}, {})",
            std::process::id(),
            own_comm.trim_end()
        )),
        "{text}"
    );
    assert!(text.contains("open_readlog"), "{text}");
    assert_eq!(e.errno(), Some(Errno::EEXIST));
    assert_eq!(b.daemon_pid(), None);
    a.unregister_daemon().unwrap();
    assert_eq!(b.get_status().unwrap().pid, 0);
}

/// A duplicate rule says `Rule exists`, as auditctl does; the guard deletes the
/// rule on drop.
#[test]
fn adding_a_rule_twice_says_rule_exists_and_the_guard_deletes_it() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut sock = AuditSocket::open().unwrap();
    let rule = getppid_rule(&unique_key("twice"));
    let guard = sock.add_rule_guarded(rule.clone()).unwrap();
    assert!(sock.list_rules().unwrap().contains(&rule));
    let e = sock.add_rule(&rule).unwrap_err();
    assert!(matches!(e, Error::RuleExists), "{e:?}");
    assert!(e.to_string().contains("Rule exists"), "{e}");
    assert_eq!(e.errno(), Some(Errno::EEXIST));
    assert_eq!(guard.rules(), std::slice::from_ref(&rule));
    drop(guard);
    assert!(
        !sock.list_rules().unwrap().contains(&rule),
        "the rule is still loaded after its guard was dropped"
    );
}

/// A rule guard deletes its rules also when the code holding it panics.
#[test]
fn rule_guard_deletes_its_rules_when_the_holder_panics() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let a = getppid_rule(&unique_key("panic-a"));
    let b = getppid_rule(&unique_key("panic-b"));
    let (a2, b2) = (a.clone(), b.clone());
    let held = std::thread::spawn(move || {
        let mut sock = AuditSocket::open().unwrap();
        let mut guard = sock.add_rule_guarded(a2).unwrap();
        guard.add(b2).unwrap();
        let loaded = sock.list_rules().unwrap();
        assert!(loaded.contains(&guard.rules()[0]) && loaded.contains(&guard.rules()[1]));
        panic!("the holder fails while the rules are loaded");
    })
    .join();
    assert!(held.is_err(), "the holder thread was meant to panic");
    let loaded = AuditSocket::open().unwrap().list_rules().unwrap();
    assert!(!loaded.contains(&a), "first rule still loaded");
    assert!(!loaded.contains(&b), "second rule still loaded");
}

/// `set_enabled_guarded` puts `enabled` back on drop, and has nothing to restore
/// when the setting already was as asked.
#[test]
fn enabled_guard_puts_the_setting_back() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let safety = EnabledBack::new();
    if safety.enabled > 1 {
        audit_testlock::skip("the audit configuration is immutable (enabled=2)");
        return;
    }
    let was_on = safety.enabled == 1;
    let mut sock = AuditSocket::open().unwrap();
    let guard = sock.set_enabled_guarded(!was_on).unwrap();
    assert_eq!(guard.restore_to(), Some(was_on));
    assert_eq!(sock.get_status().unwrap().enabled, u32::from(!was_on));
    drop(guard);
    assert_eq!(sock.get_status().unwrap().enabled, u32::from(was_on));
    let unchanged = sock.set_enabled_guarded(was_on).unwrap();
    assert_eq!(unchanged.restore_to(), None);
    // Someone else changes it meanwhile: a guard that changed nothing leaves it.
    sock.set_enabled(!was_on).unwrap();
    drop(unchanged);
    assert_eq!(sock.get_status().unwrap().enabled, u32::from(!was_on));
    drop(safety);
    assert_eq!(sock.get_status().unwrap().enabled, u32::from(was_on));
}

/// Read until `idle` passes with nothing: the records' serials with `key`, and all
/// serials seen.
fn drain_serials(
    sock: &mut AuditSocket,
    key: &str,
    idle: Duration,
) -> (HashSet<u64>, HashSet<u64>) {
    let (mut ours, mut all) = (HashSet::new(), HashSet::new());
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match sock.recv(Some(idle)).expect("recv") {
            Some(Incoming::Record(r)) => {
                if let Some(s) = r.serial() {
                    all.insert(s);
                    if contains(&r.payload, key.as_bytes()) {
                        ours.insert(s);
                    }
                }
            }
            Some(Incoming::Overrun { .. } | Incoming::Truncated { .. }) => {}
            None => break,
        }
    }
    (ours, all)
}

/// An overflow is counted as one episode, while the serial gap estimates the
/// events missed: at least the events of ours that a roomy reader of the same
/// events saw and the slow one did not.
#[test]
fn overflow_counts_episodes_and_the_serial_gap_estimates_events_missed() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let _enabled_back = EnabledBack::new();
    let mut ctl = AuditSocket::open().unwrap();
    let key = unique_key("gap");
    let _rule = ctl.add_rule_guarded(getppid_rule(&key)).unwrap();
    let mut slow = AuditSocket::open_readlog().unwrap();
    slow.set_recv_buffer_size(0, true).unwrap();
    let mut roomy = AuditSocket::open_readlog().unwrap();
    roomy.set_recv_buffer_size(16 << 20, true).unwrap();
    let _on = ctl.set_enabled_guarded(true).unwrap();
    // Many events while nobody reads the tiny buffer.
    trigger_getppid(500);
    let idle = Duration::from_millis(500);
    let (_, mut slow_all) = drain_serials(&mut slow, &key, idle);
    // The gap closes with the first record after it.
    trigger_getppid(1);
    let (later_ours, later_all) = drain_serials(&mut slow, &key, idle);
    assert!(!later_ours.is_empty(), "no record after the overflow");
    slow_all.extend(later_all);
    let (roomy_ours, roomy_all) = drain_serials(&mut roomy, &key, idle);
    assert!(
        roomy_ours.len() > 500,
        "the roomy reader missed events of ours"
    );
    assert_eq!(roomy.overruns(), 0, "the roomy reader overflowed too");
    assert!(slow.overruns() >= 1, "the slow reader did not overflow");
    // An event of which the slow reader got some record is not missed.
    let ours_missed = roomy_ours.difference(&slow_all).count() as u64;
    let all_missed = roomy_all.difference(&slow_all).count() as u64;
    let estimate = slow.missed_serials();
    eprintln!(
        "episodes {}, estimate {estimate}, ours missed {ours_missed}, all missed {all_missed}",
        slow.overruns()
    );
    assert!(ours_missed > slow.overruns(), "too few events were missed");
    assert!(
        estimate >= ours_missed,
        "estimate {estimate} < {ours_missed} events of ours missed"
    );
    // Events of others in the same time also count; not many more.
    assert!(
        estimate <= all_missed + all_missed / 10 + 5,
        "estimate {estimate} far above the {all_missed} events missed"
    );
}
