//! `audit_netlink::user_message` against libaudit 3.0.9's logging functions on the
//! live kernel: for each scenario a C program (`tests/c/user_messages.c`) sends a
//! record through libaudit and this test sends the same one through our crate,
//! both received by this process as the audit daemon; the texts the kernel logged
//! (`msg='...'`) must agree. Auditing is turned on for the test (the kernel drops
//! user messages otherwise) and restored afterwards, also on failure.

mod support;

use audit_netlink::audit_wire::RecordType;
use audit_netlink::{
    Account, AcctMessage, AuditSocket, Incoming, Origin, SemanageMessage, UserAvcMessage,
    UserCommMessage, UserCommand, UserMessage, UserRecord,
};
use std::process::Command;
use std::time::{Duration, Instant};

/// Turns auditing back to what it was when dropped.
struct EnabledGuard {
    sock: AuditSocket,
    was: u32,
}

impl EnabledGuard {
    /// `None` (the test skips) where auditing is locked (enabled=2).
    fn enable() -> Option<Self> {
        let mut sock = AuditSocket::open().expect("open audit socket");
        let was = sock.get_status().expect("status").enabled;
        if was >= 2 {
            audit_testlock::skip("auditing is locked (enabled=2)");
            return None;
        }
        sock.set_enabled(true).expect("enable auditing");
        Some(EnabledGuard { sock, was })
    }
}

impl Drop for EnabledGuard {
    fn drop(&mut self) {
        let _ = self.sock.set_enabled(self.was == 1);
    }
}

/// The type name and the `msg='...'` text of the first record on `sock` that
/// holds `needle`.
fn logged_text(sock: &mut AuditSocket, needle: &str) -> Option<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(Incoming::Record(r)) = sock.recv(Some(Duration::from_millis(200))).ok()? {
            let line = String::from_utf8_lossy(&r.to_line()).into_owned();
            if line.contains(needle) {
                let ty = line.strip_prefix("type=")?.split(' ').next()?.to_string();
                let start = line.find("msg='")? + 5;
                let end = line.rfind('\'')?;
                return Some((ty, line[start..end.max(start)].to_string()));
            }
        }
    }
    None
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}

/// Our record of scenario `n` (the same arguments as the C program's).
fn ours<'a>(
    n: u32,
    mark: &'a str,
    long: &'a str,
    text: &'a mut String,
) -> Box<dyn UserRecord + 'a> {
    *text = match n {
        1 => format!("op={mark} key=value"),
        2..=4 | 12 | 13 => format!("op={mark}"),
        8 => format!("avc:  denied  {{ {mark} }}"),
        10 => format!("  ls -l /{mark} \n "),
        11 => format!(" /usr/bin/{mark}\n"),
        15 => format!("avc:  granted  {{ {mark} }}"),
        17 => format!("op={mark} name=naïve"),
        18 => {
            let mut c = format!("/usr/bin/{mark}");
            while c.len() < 5000 {
                c.push('x');
            }
            c
        }
        _ => String::new(),
    };
    let text: &'a str = text.as_str();
    let user = |message, hostname, addr, terminal, success| UserMessage {
        msg_type: RecordType::TEST,
        message,
        origin: Origin {
            hostname,
            addr,
            terminal,
        },
        success,
    };
    match n {
        1 => Box::new(user(
            text,
            Some("lars-host"),
            Some("10.1.2.3"),
            Some("pts/7"),
            true,
        )),
        2 => Box::new(user(text, Some("localhost"), None, Some(""), false)),
        3 => Box::new(user(text, None, Some(""), Some("pts/3"), true)),
        4 => Box::new(UserCommMessage {
            msg_type: RecordType::TEST,
            message: text,
            comm: Some("my script"),
            origin: Origin {
                hostname: Some("h"),
                addr: Some("::1"),
                terminal: Some("cron"),
            },
            success: false,
        }),
        5 => Box::new(AcctMessage {
            msg_type: RecordType::ADD_USER,
            program: Some("useradd"),
            op: mark,
            account: Account::Name("new user"),
            origin: Origin {
                hostname: Some("h"),
                addr: Some("a"),
                terminal: Some("pts/0"),
            },
            success: true,
        }),
        6 => Box::new(AcctMessage {
            msg_type: RecordType::DEL_USER,
            program: None,
            op: mark,
            account: Account::Id(1001),
            origin: Origin {
                hostname: None,
                addr: Some("x"),
                terminal: Some(""),
            },
            success: false,
        }),
        7 => Box::new(AcctMessage {
            msg_type: RecordType::USER_CHAUTHTOK,
            program: Some("\"passwd\""),
            op: mark,
            account: Account::Name(long),
            origin: Origin {
                hostname: Some(""),
                addr: Some(""),
                terminal: Some("tty2"),
            },
            success: true,
        }),
        8 => Box::new(UserAvcMessage {
            msg_type: RecordType::USER_AVC,
            message: text,
            origin: Origin {
                hostname: Some("h"),
                addr: Some("a"),
                terminal: Some("pts/1"),
            },
            subject_auid: u32::MAX,
        }),
        9 => Box::new(SemanageMessage {
            msg_type: RecordType::ROLE_ASSIGN,
            program: Some("semanage"),
            op: mark,
            account: Account::Name("joe"),
            new_seuser: Some("user_u"),
            new_role: None,
            new_range: Some(""),
            old_seuser: None,
            old_role: None,
            old_range: None,
            origin: Origin {
                hostname: Some(""),
                addr: Some("b"),
                terminal: Some("tty1"),
            },
            success: true,
        }),
        12 => Box::new(UserMessage {
            msg_type: RecordType::TEST,
            message: text,
            origin: Origin::default(),
            success: true,
        }),
        13 => Box::new(UserCommMessage {
            msg_type: RecordType::TEST,
            message: text,
            comm: None,
            origin: Origin {
                hostname: Some("h"),
                addr: Some("a"),
                terminal: Some("t"),
            },
            success: true,
        }),
        14 => Box::new(SemanageMessage {
            msg_type: RecordType::ROLE_REMOVE,
            program: None,
            op: mark,
            account: Account::Id(1234),
            new_seuser: None,
            new_role: None,
            new_range: None,
            old_seuser: Some("staff_u"),
            old_role: Some("staff_r"),
            old_range: Some("s0"),
            origin: Origin::default(),
            success: false,
        }),
        15 => Box::new(UserAvcMessage {
            msg_type: RecordType::USER_AVC,
            message: text,
            origin: Origin::default(),
            subject_auid: 1000,
        }),
        16 => Box::new(AcctMessage {
            msg_type: RecordType::ADD_GROUP,
            program: Some("groupadd"),
            op: mark,
            account: Account::Name("grp"),
            origin: Origin {
                hostname: Some("h"),
                addr: Some("0123456789abcdef0123456789abcdef0123456789abcdef0123456789"),
                terminal: Some("t"),
            },
            success: true,
        }),
        17 => Box::new(user(text, Some("h"), Some("a"), Some("t"), true)),
        18 => Box::new(UserCommand {
            msg_type: RecordType::USER_CMD,
            command: text,
            terminal: Some("t"),
            success: true,
        }),
        10 => Box::new(UserCommand {
            msg_type: RecordType::USER_CMD,
            command: text,
            terminal: Some("pts/2"),
            success: true,
        }),
        _ => Box::new(UserCommand {
            msg_type: RecordType::USER_CMD,
            command: text,
            terminal: Some("pts/4"),
            success: false,
        }),
    }
}

/// `text` with the value of field `name` (` name=`) replaced by `X`: the
/// sender's own path and command name differ between the two sides.
fn without(text: &str, name: &str) -> String {
    let key = format!(" {name}=");
    match text.find(&key) {
        Some(i) => {
            let rest = &text[i + key.len()..];
            let end = rest.find(' ').unwrap_or(rest.len());
            format!("{}{key}X{}", &text[..i], &rest[end..])
        }
        None => text.to_string(),
    }
}

#[test]
fn records_match_libaudit() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let c = support::c_program("user_messages");
    let Some(_enabled) = EnabledGuard::enable() else {
        return;
    };
    let mut daemon = AuditSocket::open().expect("open audit socket");
    daemon
        .register_daemon()
        .expect("register as the audit daemon");
    let mut sender = AuditSocket::open().expect("open audit socket");
    let long = "n".repeat(40);
    let mut problems = Vec::new();
    for n in 1..=18u32 {
        let mark = format!("lars-um-{}-{n}", std::process::id());
        // In hex where the field it is in needs encoding (the commands with spaces).
        let needle = if n == 10 { hex(&mark) } else { mark.clone() };
        let status = Command::new(&c)
            .args([n.to_string(), mark.clone()])
            .status()
            .expect("run the C sender");
        assert!(status.success(), "scenario {n}: libaudit failed ({status})");
        let theirs = logged_text(&mut daemon, &needle);
        let mut text = String::new();
        let ours_text = {
            let m = ours(n, &mark, &long, &mut text);
            sender.log_user(m.as_ref()).expect("send our record");
            logged_text(&mut daemon, &needle)
        };
        let (Some(theirs), Some(ours_text)) = (theirs, ours_text) else {
            problems.push(format!("scenario {n}: a record did not come back"));
            continue;
        };
        // The sender's own path (and command name) differ; every other byte,
        // and the record type, must agree.
        let own_exe = !matches!(n, 5 | 7 | 9 | 16);
        let (mut t, mut o) = (theirs.clone(), ours_text.clone());
        if own_exe {
            (t.1, o.1) = (without(&t.1, "exe"), without(&o.1, "exe"));
        }
        if n == 13 {
            (t.1, o.1) = (without(&t.1, "comm"), without(&o.1, "comm"));
        }
        if t != o {
            problems.push(format!(
                "scenario {n}:\n  libaudit: {theirs:?}\n  ours:     {ours_text:?}"
            ));
        }
    }
    daemon.unregister_daemon().expect("unregister");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
