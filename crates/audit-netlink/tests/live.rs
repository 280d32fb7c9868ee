//! Tests against this machine's kernel (root, audit compiled in). Each takes the
//! machine-wide live-test lock and restores everything it changed, even on failure.

use audit_netlink::audit_wire::field::{Action, Field, FilterList, Operator};
use audit_netlink::audit_wire::rule::RuleData;
use audit_netlink::audit_wire::status::Status;
use audit_netlink::audit_wire::tty_status::TtyStatus;
use audit_netlink::audit_wire::RecordType;
use audit_netlink::{
    AuditSocket, Errno, EventStream, FailureMode, Feature, Incoming, Origin, StreamItem,
    UserMessage,
};
use audit_testlock::rules::{
    child_execve_rule, getppid_rule, run_true, trigger_getppid, unique_key,
};
use std::process::Command;
use std::time::{Duration, Instant};

/// `AUDIT_DIR`: a directory-tree rule.
const FIELD_DIR: Field = Field::DIR;

/// How long a test keeps reading before it gives up on an expected record.
const PATIENCE: Duration = Duration::from_secs(20);

/// Restores the kernel's settings, deletes the test's rules and turns auditing back
/// to what it was, when dropped (also while unwinding from a failed assertion).
struct Restore {
    sock: AuditSocket,
    orig: Status,
    rules: Vec<RuleData>,
}

impl Restore {
    fn new() -> Self {
        let mut sock = AuditSocket::open().expect("open audit socket");
        let orig = sock.get_status().expect("AUDIT_GET");
        Restore {
            sock,
            orig,
            rules: Vec::new(),
        }
    }

    fn enable(&mut self) {
        self.sock.set_enabled(true).expect("enable auditing");
    }

    fn add_rule(&mut self, r: RuleData) {
        self.sock.add_rule(&r).expect("add rule");
        self.rules.push(r);
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        for r in std::mem::take(&mut self.rules) {
            let _ = self.sock.delete_rule(&r);
        }
        let o = self.orig;
        let _ = self.sock.set_rate_limit(o.rate_limit);
        let _ = self.sock.set_backlog_limit(o.backlog_limit);
        let _ = self.sock.set_backlog_wait_time(o.backlog_wait_time);
        if let Some(m) = FailureMode::from_number(o.failure) {
            let _ = self.sock.set_failure(m);
        }
        if o.enabled < 2 {
            let _ = self.sock.set_enabled(o.enabled == 1);
        }
    }
}

/// What a test that receives records holds: auditing turned on (restored when
/// dropped, first) and the live-test lock (released last).
struct Receiving {
    restore: Restore,
    _lock: audit_testlock::LiveGuard,
}

/// [`Receiving`], or `None` where `can_run` (audit_testlock's
/// `live_kernel_available` or `daemon_slot_free`) refuses the test.
fn receiving(can_run: fn() -> bool) -> Option<Receiving> {
    let lock = audit_testlock::live_lock();
    if !can_run() {
        return None;
    }
    let mut restore = Restore::new();
    restore.enable();
    Some(Receiving {
        restore,
        _lock: lock,
    })
}

/// What a test that receives records as the audit daemon holds: a socket
/// registered as the daemon (given back when dropped, first), then what
/// [`Receiving`] holds.
struct AsDaemon {
    d: AuditSocket,
    _receiving: Receiving,
}

/// [`AsDaemon`], or `None` where the kernel refuses live tests.
fn as_daemon() -> Option<AsDaemon> {
    let receiving = receiving(audit_testlock::daemon_slot_free)?;
    let mut d = AuditSocket::open().unwrap();
    d.register_daemon().unwrap();
    Some(AsDaemon {
        d,
        _receiving: receiving,
    })
}

/// `auditctl -s` as name -> value.
fn auditctl_status() -> Vec<(String, String)> {
    let out = Command::new("auditctl")
        .arg("-s")
        .output()
        .expect("run auditctl -s");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.to_string(), it.next()?.to_string()))
        })
        .collect()
}

fn auditctl_value(name: &str) -> u64 {
    auditctl_status()
        .into_iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or_else(|| panic!("auditctl -s has no numeric {name}"))
}

fn auditctl_rules() -> String {
    let out = Command::new("auditctl")
        .arg("-l")
        .output()
        .expect("run auditctl -l");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Read records from `sock` until one whose line contains `needle`.
fn wait_for_record(sock: &mut AuditSocket, needle: &str) -> Option<Vec<u8>> {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match sock.recv(Some(Duration::from_millis(200))).expect("recv") {
            Some(Incoming::Record(r)) => {
                let line = r.to_line();
                if memchr_find(&line, needle.as_bytes()) {
                    return Some(line);
                }
            }
            Some(Incoming::Overrun { .. } | Incoming::Truncated { .. }) | None => {}
        }
    }
    None
}

/// The first SYSCALL record on `sock` holding `key`, waiting up to [`PATIENCE`]. (Where
/// auditing was already on, the rule's CONFIG_CHANGE record holds the key too.)
fn wait_for_syscall_record(sock: &mut AuditSocket, key: &str) -> Option<Vec<u8>> {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if let Some(Incoming::Record(r)) =
            sock.recv(Some(Duration::from_millis(200))).expect("recv")
        {
            let line = r.to_line();
            if line.starts_with(b"type=SYSCALL ") && memchr_find(&line, key.as_bytes()) {
                return Some(line);
            }
        }
    }
    None
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn status_round_trip_matches_auditctl() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut sock = AuditSocket::open().unwrap();
    let s = sock.get_status().unwrap();
    assert_eq!(u64::from(s.enabled), auditctl_value("enabled"));
    assert_eq!(u64::from(s.failure), auditctl_value("failure"));
    assert_eq!(u64::from(s.pid), auditctl_value("pid"));
    assert_eq!(u64::from(s.rate_limit), auditctl_value("rate_limit"));
    assert_eq!(u64::from(s.backlog_limit), auditctl_value("backlog_limit"));
    assert_eq!(
        u64::from(s.backlog_wait_time),
        auditctl_value("backlog_wait_time")
    );
    // The whole structure, re-encoded, decodes to the same value.
    assert_eq!(Status::parse(&s.to_bytes()).unwrap(), s);
    // This kernel sends all 11 fields: the feature bitmap is not empty.
    assert_ne!(s.feature_bitmap, 0);
}

#[test]
fn each_setter_and_back() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut r = Restore::new();
    let o = r.orig;

    r.sock.set_rate_limit(o.rate_limit + 123).unwrap();
    assert_eq!(auditctl_value("rate_limit"), u64::from(o.rate_limit + 123));
    r.sock.set_rate_limit(o.rate_limit).unwrap();

    r.sock.set_backlog_limit(o.backlog_limit + 321).unwrap();
    assert_eq!(
        r.sock.get_status().unwrap().backlog_limit,
        o.backlog_limit + 321
    );
    assert_eq!(
        auditctl_value("backlog_limit"),
        u64::from(o.backlog_limit + 321)
    );
    r.sock.set_backlog_limit(o.backlog_limit).unwrap();

    let wait = if o.backlog_wait_time == 12345 {
        12346
    } else {
        12345
    };
    r.sock.set_backlog_wait_time(wait).unwrap();
    assert_eq!(auditctl_value("backlog_wait_time"), u64::from(wait));
    r.sock.set_backlog_wait_time(o.backlog_wait_time).unwrap();

    let other = if o.failure == 0 {
        FailureMode::Printk
    } else {
        FailureMode::Silent
    };
    r.sock.set_failure(other).unwrap();
    assert_eq!(r.sock.get_status().unwrap().failure, other.number());
    r.sock
        .set_failure(FailureMode::from_number(o.failure).unwrap())
        .unwrap();

    r.sock.set_enabled(o.enabled != 1).unwrap();
    assert_eq!(auditctl_value("enabled"), u64::from(o.enabled != 1));
    r.sock.set_enabled(o.enabled == 1).unwrap();

    let before = r.sock.get_status().unwrap().lost;
    let old = r.sock.reset_lost().unwrap();
    assert!(
        old >= before,
        "reset_lost returned {old}, lost was {before}"
    );
    assert_eq!(r.sock.get_status().unwrap().lost, 0);
    r.sock.reset_backlog_wait_time_actual().unwrap();
    assert_eq!(r.sock.get_status().unwrap().backlog_wait_time_actual, 0);

    let now = r.sock.get_status().unwrap();
    assert_eq!(
        (
            now.enabled,
            now.failure,
            now.rate_limit,
            now.backlog_limit,
            now.backlog_wait_time
        ),
        (
            o.enabled,
            o.failure,
            o.rate_limit,
            o.backlog_limit,
            o.backlog_wait_time
        )
    );
}

#[test]
fn refusing_enabled_2_without_the_explicit_call() {
    // No kernel needed: the request is refused before it is sent.
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut sock = AuditSocket::open().unwrap();
    let e = sock
        .set_status(&Status {
            mask: 1,
            enabled: 2,
            ..Status::default()
        })
        .unwrap_err();
    assert!(matches!(e, audit_netlink::Error::InvalidArgument(_)), "{e}");
    assert_ne!(sock.get_status().unwrap().enabled, 2);
}

#[test]
fn feature_set_and_back() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut sock = AuditSocket::open().unwrap();
    let f = sock.get_features().unwrap();
    assert_eq!(f.vers, 1);
    let bit = Feature::OnlyUnsetLoginuid.mask();
    if f.lock & bit != 0 {
        eprintln!("only_unset_loginuid is locked on this machine; not changing it");
        return;
    }
    let was_on = f.features & bit != 0;
    let r = sock.set_feature(Feature::OnlyUnsetLoginuid, !was_on);
    let after = sock.get_features();
    let restored = sock.set_feature(Feature::OnlyUnsetLoginuid, was_on);
    r.unwrap();
    assert_eq!(after.unwrap().features & bit != 0, !was_on);
    restored.unwrap();
    assert_eq!(sock.get_features().unwrap().features & bit != 0, was_on);
}

#[test]
fn rule_add_list_trigger_receive_delete() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut r = Restore::new();
    let key = unique_key("rule");
    let rule = child_execve_rule(&key);
    r.add_rule(rule.clone());

    // Listed by the kernel, byte for byte, and by auditctl.
    let listed = r.sock.list_rules().unwrap();
    let ours: Vec<_> = listed
        .iter()
        .filter(|l| l.key() == Some(key.as_bytes()))
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].to_bytes(), rule.to_bytes());
    let text = auditctl_rules();
    let line = text
        .lines()
        .find(|l| l.contains(&key))
        .unwrap_or_else(|| panic!("auditctl -l does not show {key}:\n{text}"));
    assert!(line.contains("-S execve"), "{line}");
    assert!(
        line.contains(&format!("-F ppid={}", std::process::id())),
        "{line}"
    );

    // The same rule again is EEXIST.
    let e = r.sock.add_rule(&rule).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EEXIST), "{e}");

    // Receive the event as the daemon.
    r.enable();
    let mut d = AuditSocket::open().unwrap();
    d.register_daemon().unwrap();
    let mut events = EventStream::new(d);
    run_true();
    let deadline = Instant::now() + PATIENCE;
    let mut found = None;
    while found.is_none() && Instant::now() < deadline {
        if let Some(StreamItem::Event(ev)) = events.next(Some(Duration::from_millis(200))).unwrap()
        {
            let has_key = ev
                .find_field("key")
                .is_some_and(|f| f.value() == format!("\"{key}\"").as_bytes());
            if has_key {
                found = Some(ev);
            }
        }
    }
    let ev = found.expect("no event with our key");
    let syscall = ev.records()[0].field("syscall").unwrap();
    assert_eq!(syscall.value(), libc::SYS_execve.to_string().as_bytes());
    // The event is complete: SYSCALL .. EXECVE .. PROCTITLE.
    assert!(ev.find_field("argc").is_some());
    assert!(ev
        .records()
        .iter()
        .any(|r| r.text().starts_with(b"type=PROCTITLE")));
    let mut d = events.into_socket();
    d.unregister_daemon().unwrap();
    assert_eq!(r.sock.get_status().unwrap().pid, 0);

    r.sock.delete_rule(&rule).unwrap();
    r.rules.clear();
    assert!(!r
        .sock
        .list_rules()
        .unwrap()
        .iter()
        .any(|l| l.key() == Some(key.as_bytes())));
    let e = r.sock.delete_rule(&rule).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::ENOENT), "{e}");
}

#[test]
fn bad_rule_is_a_typed_einval() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut sock = AuditSocket::open().unwrap();
    // Action 7 is no action the kernel knows.
    let mut rule = getppid_rule(&unique_key("bad"));
    rule.action = 7;
    let e = sock.add_rule(&rule).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EINVAL), "{e}");
    assert!(e.to_string().contains("AUDIT_ADD_RULE"), "{e}");
    // A field id the kernel does not know.
    let mut rule = RuleData::new(FilterList::Exit, Action::Always);
    rule.set_syscall(libc::SYS_getppid as u32).unwrap();
    rule.push_field(Field(999), Operator::Equal, 1).unwrap();
    let e = sock.add_rule(&rule).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EINVAL), "{e}");
    assert!(sock.list_rules().unwrap().iter().all(|r| r.action != 7));
}

#[test]
fn second_daemon_registration_is_eexist() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut a = AuditSocket::open().unwrap();
    a.register_daemon().unwrap();
    let mut b = AuditSocket::open().unwrap();
    let e = b.register_daemon().unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EEXIST), "{e}");
    assert_eq!(b.daemon_pid(), None);
    assert_eq!(b.get_status().unwrap().pid, std::process::id());
    a.unregister_daemon().unwrap();
    assert_eq!(b.get_status().unwrap().pid, 0);
    // The kernel probed `a` (AUDIT_REPLACE) for `b`'s attempt and for the
    // unregistration: counted, never handed out as records.
    while let Some(i) = a.recv(Some(Duration::from_millis(50))).unwrap() {
        if let Incoming::Record(r) = i {
            assert_ne!(r.record_type, RecordType::REPLACE, "{r:?}");
        }
    }
    assert!(a.replace_probes() >= 1);
}

#[test]
fn dropping_the_daemon_socket_gives_the_pid_back() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut a = AuditSocket::open().unwrap();
    a.register_daemon().unwrap();
    drop(a);
    let mut c = AuditSocket::open().unwrap();
    // The give-back is sent without waiting; the kernel handles it in order, so the
    // next request from any socket sees it done.
    assert_eq!(c.get_status().unwrap().pid, 0);
}

/// Multicast runs beside any daemon: ours where the slot is free, else the one that
/// holds it (such as the user's auditd, left alone).
#[test]
fn multicast_receives_while_another_socket_is_the_daemon() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut r = Restore::new();
    let key = unique_key("mcast");
    let holder = audit_testlock::daemon_slot_holder().expect("read the daemon pid");
    let mut d = match &holder {
        None => {
            let mut d = AuditSocket::open().unwrap();
            d.register_daemon().unwrap();
            Some(d)
        }
        Some(other) => {
            eprintln!("{other}: multicast is tested beside it");
            None
        }
    };
    let mut m = AuditSocket::open_readlog().unwrap();
    r.add_rule(child_execve_rule(&key));
    r.enable();
    run_true();
    let got = wait_for_syscall_record(&mut m, &key);
    let daemon_got = d.as_mut().map(|d| wait_for_record(d, &key));
    if let Some(d) = &mut d {
        d.unregister_daemon().unwrap();
    }
    let line = got.expect("multicast socket got no record with our key");
    assert!(line.starts_with(b"type=SYSCALL msg=audit("));
    if let Some(daemon_got) = daemon_got {
        assert!(
            daemon_got.is_some(),
            "the daemon got no record with our key"
        );
    }
    let expected_pid = holder.map_or(0, |h| h.pid);
    assert_eq!(m.get_status().unwrap().pid, expected_pid);
}

#[test]
fn signal_info_names_the_sender() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut d = AuditSocket::open().unwrap();
    d.register_daemon().unwrap();
    // The daemon is this process: signal it with SIGUSR1, ignored here.
    // SAFETY: SIG_IGN is a valid disposition for SIGUSR1; kill targets our own pid.
    let rc = unsafe {
        libc::signal(libc::SIGUSR1, libc::SIG_IGN);
        libc::kill(std::process::id() as libc::pid_t, libc::SIGUSR1)
    };
    assert_eq!(rc, 0);
    let info = d.signal_info();
    let unreg = d.unregister_daemon();
    let info = info.unwrap();
    unreg.unwrap();
    assert_eq!(info.pid, std::process::id() as i32);
    let loginuid: u32 = std::fs::read_to_string("/proc/self/loginuid")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let expect = if loginuid == u32::MAX { uid } else { loginuid };
    assert_eq!(info.uid, expect);
}

/// Sets this process's terminal auditing back when dropped.
struct TtyRestore {
    sock: AuditSocket,
    orig: TtyStatus,
}

impl Drop for TtyRestore {
    fn drop(&mut self) {
        let _ = self.sock.set_tty_status(&self.orig);
    }
}

#[test]
fn tty_status_set_and_back() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    // Auditing on: the kernel logs a control change only then.
    let mut r = Restore::new();
    r.enable();
    let mut sock = AuditSocket::open().unwrap();
    let orig = sock.tty_status().unwrap();
    assert!(orig.enabled <= 1 && orig.log_passwd <= 1, "{orig:?}");
    let restore = TtyRestore {
        sock: AuditSocket::open().unwrap(),
        orig,
    };
    let mut d = AuditSocket::open().unwrap();
    d.register_daemon().unwrap();
    let flipped = TtyStatus {
        enabled: 1 - orig.enabled,
        log_passwd: 1 - orig.log_passwd,
    };
    sock.set_tty_status(&flipped).unwrap();
    let now = sock.tty_status().unwrap();
    // The kernel's record of the change says what it read from our request.
    let needle = format!(
        "op=tty_set old-enabled={} new-enabled={} old-log_passwd={} new-log_passwd={} res=1",
        orig.enabled, flipped.enabled, orig.log_passwd, flipped.log_passwd
    );
    let seen = wait_for_record(&mut d, &needle);
    d.unregister_daemon().unwrap();
    assert_eq!(now, flipped);
    assert!(seen.is_some(), "no CONFIG_CHANGE record with {needle}");
    // Values other than 0 and 1 are refused before they reach the kernel.
    assert!(sock
        .set_tty_status(&TtyStatus {
            enabled: 2,
            log_passwd: 0
        })
        .is_err());
    drop(restore);
    assert_eq!(sock.tty_status().unwrap(), orig);
}

#[test]
fn trim_and_make_equivalent_reach_the_kernel() {
    let Some(mut daemon) = as_daemon() else {
        return;
    };
    let d = &mut daemon.d;
    let base = std::env::temp_dir().join(unique_key("equiv"));
    let (a, b) = (base.join("mount point"), base.join("subtree"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    // A trim deletes the tree rules whose directories are gone, and nothing
    // could put them back: only trim where there is no tree rule.
    let tree_rules = d
        .list_rules()
        .unwrap()
        .iter()
        .filter(|r| r.has_field(FIELD_DIR))
        .count();
    let (trimmed, trim_seen) = if tree_rules == 0 {
        let t = d.trim_subtrees();
        (t, wait_for_record(d, "op=trim res=1"))
    } else {
        audit_testlock::skip(format_args!(
            "the trim: {tree_rules} directory-tree rules are loaded"
        ));
        (Ok(()), Some(Vec::new()))
    };
    let (pa, pb) = (a.to_str().unwrap(), b.to_str().unwrap());
    let equiv = d.make_equivalent(pa.as_bytes(), pb.as_bytes());
    // The kernel logs the paths it unpacked (hex, as the first holds a space).
    let hex = |s: &str| s.bytes().map(|c| format!("{c:02X}")).collect::<String>();
    let needle = format!("op=make_equiv old={} new=\"{pb}\" res=1", hex(pa));
    let equiv_seen = wait_for_record(d, &needle);
    let missing = d.make_equivalent(pa.as_bytes(), b"/nonexistent-lars-equiv");
    d.unregister_daemon().unwrap();
    let _ = std::fs::remove_dir_all(&base);
    trimmed.unwrap();
    assert!(trim_seen.is_some(), "no CONFIG_CHANGE record of the trim");
    equiv.unwrap();
    assert!(
        equiv_seen.is_some(),
        "no CONFIG_CHANGE record with {needle}"
    );
    assert_eq!(missing.unwrap_err().errno(), Some(Errno(libc::ENOENT)));
    assert!(d.make_equivalent(b"", b"/").is_err());
    assert!(d.make_equivalent(b"/a\0b", b"/").is_err());
}

#[test]
fn user_message_comes_back_as_an_event() {
    let Some(mut daemon) = as_daemon() else {
        return;
    };
    let d = &mut daemon.d;
    let nonce = unique_key("user");
    let msg = format!("op=lar-test nonce={nonce}");
    d.log_user_message(&UserMessage {
        msg_type: audit_netlink::audit_wire::RecordType::TEST,
        message: &msg,
        origin: Origin {
            hostname: Some("lar-host"),
            addr: Some("127.0.0.1"),
            terminal: Some("lar-tty"),
        },
        success: true,
    })
    .unwrap();
    let got = wait_for_record(d, &nonce);
    d.unregister_daemon().unwrap();
    let line = String::from_utf8(got.expect("our user message did not come back")).unwrap();
    assert!(line.starts_with("type=TEST msg=audit("), "{line}");
    assert!(
        line.contains(&format!(
            "msg='op=lar-test nonce={nonce} exe=\"{}\" hostname=lar-host addr=127.0.0.1 terminal=lar-tty res=success'",
            std::env::current_exe().unwrap().display()
        )),
        "{line}"
    );
    assert!(
        line.contains(&format!("pid={}", std::process::id())),
        "{line}"
    );
}

#[test]
fn enobufs_is_reported_when_the_reader_is_slow() {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut r = Restore::new();
    let key = unique_key("nobufs");
    let mut m = AuditSocket::open_readlog().unwrap();
    let daemon_pid = m.get_status().unwrap().pid;
    m.set_recv_buffer_size(0, true).unwrap();
    assert!(m.recv_buffer_size().unwrap() < 16 * 1024);
    r.add_rule(getppid_rule(&key));
    r.enable();
    // Many events while nobody reads the tiny buffer.
    trigger_getppid(500);
    let deadline = Instant::now() + PATIENCE;
    let mut overrun = None;
    let mut records = 0;
    while overrun.is_none() && Instant::now() < deadline {
        match m.recv(Some(Duration::from_millis(500))).unwrap() {
            Some(Incoming::Overrun { total }) => overrun = Some(total),
            Some(Incoming::Record(_)) => records += 1,
            Some(Incoming::Truncated { .. }) | None => {}
        }
    }
    assert_eq!(overrun, Some(1), "no overrun after {records} records");
    assert_eq!(m.overruns(), 1);
    // The socket is still usable afterwards (with room for the kernel's answers:
    // an ACK that finds the buffer full is dropped by the kernel).
    m.set_recv_buffer_size(1 << 20, true).unwrap();
    assert_eq!(m.get_status().unwrap().pid, daemon_pid);
}

#[cfg(feature = "tokio")]
#[test]
fn async_stream_yields_events() {
    use audit_netlink::tokio_stream::AsyncEventStream;
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let mut r = Restore::new();
    let key = unique_key("async");
    r.add_rule(child_execve_rule(&key));
    r.enable();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Multicast: runs beside any audit daemon, the user's too.
    let found = rt.block_on(async {
        let m = AuditSocket::open_readlog().unwrap();
        let mut events = AsyncEventStream::new(EventStream::new(m)).unwrap();
        run_true();
        let want = format!("\"{key}\"");
        let search = async {
            loop {
                // Through the futures_core::Stream impl (next() takes the same step).
                let item = std::future::poll_fn(|cx| {
                    futures_core::Stream::poll_next(std::pin::Pin::new(&mut events), cx)
                })
                .await
                .expect("the stream never ends");
                if let StreamItem::Event(ev) = item.unwrap() {
                    if ev
                        .find_field("key")
                        .is_some_and(|f| f.value() == want.as_bytes())
                    {
                        return ev;
                    }
                }
            }
        };
        tokio::time::timeout(PATIENCE, search).await
    });
    let ev = found.expect("no async event with our key");
    assert!(ev.records().len() >= 2);
}

/// In a child started by `login_uid_set_in_a_child_makes_a_session` (with
/// `LARS_IDENTITY_CHILD=1`): makes this process a login session of nobody,
/// prints what it reads back, then unsets it again. Run normally, it checks
/// what this process reads against /proc.
#[test]
fn identity_reads_and_child_side() {
    use audit_netlink::identity::{login_uid, session_id, set_login_uid, UNSET};
    let proc_id = |f: &str| -> u32 {
        std::fs::read_to_string(format!("/proc/thread-self/{f}"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    if std::env::var_os("LARS_IDENTITY_CHILD").is_none() {
        let auid = login_uid().unwrap();
        assert_eq!(auid.unwrap_or(UNSET), proc_id("loginuid"));
        assert_eq!(session_id().unwrap().unwrap_or(UNSET), proc_id("sessionid"));
        assert_eq!(auid.is_none(), session_id().unwrap().is_none());
        return;
    }
    let before = session_id().unwrap();
    set_login_uid(65534).unwrap();
    let (auid, ses) = (login_uid().unwrap(), session_id().unwrap());
    set_login_uid(UNSET).unwrap();
    let (auid2, ses2) = (login_uid().unwrap(), session_id().unwrap());
    println!(
        "IDENTITY before={before:?} auid={auid:?} ses={ses:?} unset_auid={auid2:?} unset_ses={ses2:?}"
    );
}

#[test]
fn login_uid_set_in_a_child_makes_a_session() {
    let Some(mut daemon) = as_daemon() else {
        return;
    };
    // The kernel refuses a change of a set login uid under either feature.
    let f = daemon.d.get_features().unwrap();
    let locked = Feature::LoginuidImmutable.mask() | Feature::OnlyUnsetLoginuid.mask();
    if f.features & locked != 0 {
        audit_testlock::skip(format_args!(
            "the kernel's loginuid features forbid the change ({f:?})"
        ));
        return;
    }
    let d = &mut daemon.d;
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "identity_reads_and_child_side", "--nocapture"])
        .env("LARS_IDENTITY_CHILD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // The kernel's LOGIN record of the child's change.
    let login = wait_for_record(d, " auid=65534 ");
    d.unregister_daemon().unwrap();
    assert!(
        out.status.success(),
        "child: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("IDENTITY "))
        .unwrap_or_else(|| panic!("no IDENTITY line in {text}"));
    assert!(line.contains(" auid=Some(65534) "), "{line}");
    let ses = line
        .split(" ses=Some(")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or_else(|| panic!("no session in {line}"));
    assert!(line.ends_with("unset_auid=None unset_ses=None"), "{line}");
    let login = String::from_utf8(login.expect("no LOGIN record for auid 65534")).unwrap();
    assert!(login.starts_with("type=LOGIN "), "{login}");
    assert!(login.contains(&format!(" ses={ses} ")), "{login}");
}

/// Execs in a [`gathered_storm`].
const STORM: usize = 150;
/// The gather of a [`gathered_storm`]'s stream.
const STORM_GATHER: Duration = Duration::from_millis(50);

/// What a [`gathered_storm`] needs: the stream, the rule's key, the kernel's
/// `lost` counter before it, then (dropped last) the restore and the lock.
struct Storm {
    stream: EventStream,
    key: String,
    lost_before: u32,
    receives_before: u64,
    receiving: Receiving,
}

/// A stream with a gather on a socket that hears this process's children's execs:
/// the daemon's where the slot is free, else the read-log group's (beside the
/// user's daemon). `None` where the kernel refuses live tests.
fn gathered_storm() -> Option<Storm> {
    let mut receiving = receiving(audit_testlock::live_kernel_available)?;
    let key = unique_key("gather");
    receiving.restore.add_rule(child_execve_rule(&key));
    let sock = if audit_testlock::daemon_slot_free() {
        let mut d = AuditSocket::open().unwrap();
        d.register_daemon().unwrap();
        d
    } else {
        AuditSocket::open_readlog().unwrap()
    };
    // Room for what comes in a pause (~7 records of 1-3 KiB per exec).
    sock.set_recv_buffer_size(8 << 20, true).unwrap();
    let lost_before = receiving.restore.sock.get_status().unwrap().lost;
    let receives_before = sock.receive_calls();
    let mut stream = EventStream::new(sock);
    stream.set_gather(STORM_GATHER).unwrap();
    Some(Storm {
        stream,
        key,
        lost_before,
        receives_before,
        receiving,
    })
}

/// What a reader of a storm saw.
#[derive(Default)]
struct StormSeen {
    events: usize,
    records: u64,
    lost: u64,
}

impl StormSeen {
    fn take(&mut self, item: StreamItem, key: &str) {
        match item {
            StreamItem::Event(ev) => {
                self.records += ev.len() as u64;
                let want = format!("\"{key}\"");
                if ev
                    .find_field("key")
                    .is_some_and(|f| f.value() == want.as_bytes())
                {
                    self.events += 1;
                }
            }
            StreamItem::Lost { .. } => self.lost += 1,
            StreamItem::BadRecord(e) => panic!("unreadable record: {e}"),
        }
    }
}

impl Storm {
    /// Every exec came, nothing was lost, and records came many to a receive: a
    /// stream that does not gather takes about 4 per receive on this storm (a
    /// wake-up per event, and a `recvmmsg` or two after it).
    fn check(mut self, seen: &StormSeen) {
        let receives = self.stream.socket().receive_calls() - self.receives_before;
        let lost_after = self.receiving.restore.sock.get_status().unwrap().lost;
        if self.stream.socket().daemon_pid().is_some() {
            self.stream.socket().unregister_daemon().unwrap();
        }
        assert_eq!(seen.events, STORM, "events of the storm seen");
        assert_eq!(seen.lost, 0, "receive-queue overflows");
        assert_eq!(lost_after, self.lost_before, "the kernel's lost counter");
        assert!(
            seen.records >= 10 * receives,
            "{} records in {receives} receives",
            seen.records
        );
    }
}

fn exec_storm() -> std::thread::JoinHandle<()> {
    std::thread::spawn(|| (0..STORM).for_each(|_| run_true()))
}

#[test]
fn a_gathering_stream_takes_a_storm_whole_in_few_receives() {
    let Some(mut storm) = gathered_storm() else {
        return;
    };
    let execs = exec_storm();
    let mut seen = StormSeen::default();
    let deadline = Instant::now() + PATIENCE;
    while seen.events < STORM && Instant::now() < deadline {
        if let Some(item) = storm.stream.next(Some(Duration::from_millis(200))).unwrap() {
            seen.take(item, &storm.key);
        }
    }
    execs.join().unwrap();
    storm.check(&seen);
}

#[cfg(feature = "tokio")]
#[test]
fn a_gathering_async_stream_takes_a_storm_whole_in_few_receives() {
    use audit_netlink::tokio_stream::AsyncEventStream;
    let Some(mut storm) = gathered_storm() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stream = std::mem::replace(
        &mut storm.stream,
        EventStream::new(AuditSocket::open().unwrap()),
    );
    let (stream, seen) = rt.block_on(async {
        let mut events = AsyncEventStream::new(stream).unwrap();
        let execs = exec_storm();
        let mut seen = StormSeen::default();
        let read = async {
            while seen.events < STORM {
                seen.take(events.next().await.unwrap(), &storm.key);
            }
        };
        // Short of the storm at the deadline: checked below.
        let _ = tokio::time::timeout(PATIENCE, read).await;
        execs.join().unwrap();
        (events.into_inner(), seen)
    });
    storm.stream = stream;
    storm.check(&seen);
}

/// Whether `item` is an event whose text holds `needle`.
#[cfg(feature = "tokio")]
fn event_holds(item: &StreamItem, needle: &str) -> bool {
    match item {
        StreamItem::Event(ev) => ev
            .records()
            .iter()
            .any(|r| memchr_find(r.text(), needle.as_bytes())),
        _ => false,
    }
}

/// A read-log socket whose receive queue overflowed: the async stream hands out
/// the loss, then what is still queued, and records sent afterwards still wake it
/// (the kernel drops records without a wake-up while the queue is full, so the
/// stream must not wait for one before the socket is found empty).
#[cfg(feature = "tokio")]
#[test]
fn async_stream_goes_on_after_an_overflow() {
    use audit_netlink::tokio_stream::AsyncEventStream;
    let Some(_receiving) = receiving(audit_testlock::live_kernel_available) else {
        return;
    };
    let nonce = unique_key("asyncovf");
    let mut sender = AuditSocket::open().unwrap();
    let mut send = |tag: &str| {
        let text = format!("op=lar-overflow nonce={nonce}-{tag} res=success");
        sender.send_user_raw(RecordType::USER_AVC, &text).unwrap();
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let m = AuditSocket::open_readlog().unwrap();
        m.set_recv_buffer_size(0, true).unwrap();
        let mut events = AsyncEventStream::new(EventStream::new(m)).unwrap();
        let wait = Duration::from_secs(4);
        // The message tagged `tag` comes (sent again each second: other records on
        // this busy machine may fill the small queue and crowd it out).
        macro_rules! comes {
            ($tag:expr) => {{
                let needle = format!("{nonce}-{}", $tag);
                let deadline = Instant::now() + PATIENCE;
                'found: while Instant::now() < deadline {
                    send($tag);
                    let resend = tokio::time::sleep(Duration::from_secs(1));
                    tokio::pin!(resend);
                    loop {
                        tokio::select! {
                            item = events.next() => {
                                if event_holds(&item.unwrap(), &needle) {
                                    break 'found;
                                }
                            }
                            () = &mut resend => break,
                        }
                    }
                }
                assert!(Instant::now() < deadline, "{needle} did not come");
            }};
        }
        // One event read: the stream is waiting on the reactor.
        comes!("first");
        // Far more than the smallest queue holds, none read meanwhile.
        for i in 0..200 {
            send(&i.to_string());
        }
        let (mut lost, mut after_lost) = (0, 0);
        let deadline = Instant::now() + PATIENCE;
        while let Ok(item) = tokio::time::timeout(wait, events.next()).await {
            match item.unwrap() {
                StreamItem::Lost { .. } => lost += 1,
                item if lost > 0 && event_holds(&item, &nonce) => after_lost += 1,
                _ => {}
            }
            if (lost > 0 && after_lost > 0) || Instant::now() >= deadline {
                break;
            }
        }
        assert!(lost >= 1, "no loss reported");
        assert!(after_lost >= 1, "events {after_lost} lost {lost}");
        // Records sent now still wake the stream.
        comes!("last");
    });
}

/// `count` USER_AVC messages sent from a socket of their own, for a read-log
/// socket to receive.
fn send_user_avcs(count: usize, tag: &str) {
    let mut sender = AuditSocket::open().unwrap();
    for i in 0..count {
        let text = format!("op=lar-flood nonce={tag}-{i} res=success");
        sender.send_user_raw(RecordType::USER_AVC, &text).unwrap();
    }
}

/// Records queued ahead of a request's answer: the request ends at its timeout
/// although records keep coming, and moves at most `MAX_QUEUED` (and one
/// receive's worth) out of the socket; once the caller has taken them, requests
/// are answered again.
#[test]
fn a_request_behind_many_records_is_bounded_in_time_and_memory() {
    use audit_netlink::{Error, MAX_QUEUED};
    let Some(_receiving) = receiving(audit_testlock::live_kernel_available) else {
        return;
    };
    let mut m = AuditSocket::open_readlog().unwrap();
    m.set_recv_buffer_size(256 << 20, true).unwrap();
    let flood = MAX_QUEUED + MAX_QUEUED / 4;
    send_user_avcs(flood, &unique_key("flood"));
    // Most are queued in the socket (a few may be lost to the backlog limit).
    let bound = MAX_QUEUED + 64;
    m.set_timeout(Duration::from_millis(1));
    let t = Instant::now();
    let got = m.get_status();
    let took = t.elapsed();
    assert!(
        matches!(got, Err(Error::Timeout { .. })),
        "{got:?} after {took:?}, {} queued",
        m.queued()
    );
    assert!(took < Duration::from_millis(100), "{took:?}");
    assert!(m.queued() <= bound, "{}", m.queued());
    // Without a time limit that counts, the queue's limit ends the wait.
    m.set_timeout(Duration::from_secs(60));
    let t = Instant::now();
    let got = m.get_status();
    assert!(
        matches!(got, Err(Error::QueueFull { .. })),
        "{got:?} after {:?}, {} queued",
        t.elapsed(),
        m.queued()
    );
    assert!(m.queued() <= bound, "{}", m.queued());
    // Taken, the records make room: requests are answered (once the earlier
    // answers, now stale, are passed over).
    let mut taken = 0usize;
    while m.recv(Some(Duration::ZERO)).unwrap().is_some() {
        taken += 1;
    }
    assert!(taken >= MAX_QUEUED, "{taken}");
    m.set_timeout(Duration::from_secs(5));
    m.get_status().unwrap();
}

/// A user message of the longest text the kernel logs whole arrives whole: its
/// trailing fields (`res=`) are not cut off.
#[test]
fn a_longest_user_message_arrives_with_its_trailing_fields() {
    let Some(_receiving) = receiving(audit_testlock::live_kernel_available) else {
        return;
    };
    let mut m = AuditSocket::open_readlog().unwrap();
    m.set_recv_buffer_size(4 << 20, true).unwrap();
    let nonce = unique_key("longuser");
    let message = format!("op=lar-long nonce={nonce} {}", "x".repeat(20_000));
    let um = UserMessage {
        msg_type: RecordType::TEST,
        message: &message,
        origin: Origin {
            hostname: Some("lar-host"),
            addr: Some("127.0.0.1"),
            terminal: Some("lar-tty"),
        },
        success: true,
    };
    let text = audit_netlink::UserRecord::to_text(&um);
    assert_eq!(text.len(), audit_netlink::MAX_USER_TEXT);
    AuditSocket::open().unwrap().log_user_message(&um).unwrap();
    let line = wait_for_record(&mut m, &nonce).expect("our user message did not come back");
    let line = String::from_utf8(line).unwrap();
    assert!(
        line.contains(&format!("msg='{text}'")),
        "{} bytes, ending {}",
        line.len(),
        &line[line.len().saturating_sub(120)..]
    );
}

/// A change whose answer is behind more records than the socket queues: the
/// kernel made it, and asking again once the records are taken gets the first
/// request's answer (the rule added once), not a second request's (`EEXIST`).
#[test]
fn a_change_asked_again_after_queue_full_completes_once() {
    use audit_netlink::{Error, MAX_QUEUED};
    let Some(mut receiving) = receiving(audit_testlock::live_kernel_available) else {
        return;
    };
    let mut m = AuditSocket::open_readlog().unwrap();
    m.set_recv_buffer_size(256 << 20, true).unwrap();
    send_user_avcs(MAX_QUEUED + MAX_QUEUED / 4, &unique_key("flood"));
    let rule = getppid_rule(&unique_key("late"));
    let got = m.add_rule(&rule);
    // Deleted when the test ends, whatever happened.
    receiving.restore.rules.push(rule.clone());
    assert!(matches!(got, Err(Error::QueueFull { .. })), "{got:?}");
    while m.recv(Some(Duration::ZERO)).unwrap().is_some() {}
    m.add_rule(&rule).unwrap();
    // Another request goes on as usual.
    m.get_status().unwrap();
}
