//! key-alert against a real SMTP server on loopback (`python3 -m aiosmtpd`, its
//! Mailbox handler writing each mail to a maildir): an event with the key is mailed
//! with the normalizer's sentence, a second one within the rate limit is not, an event
//! without the key is not, and SIGHUP re-reads the configuration.
//!
//! A second test runs key-alert under the real auditd (see `audit_testlock::auditd`): an
//! audited syscall with the key is mailed with the sentence of the event auditd logged.
//!
//! Needs `python3` with `aiosmtpd` (`pip install aiosmtpd`); without them the test
//! is skipped, loudly, and fails where `AUDIT_LIVE_REQUIRED=1` (CI).
mod support;

use audit_testlock::auditd::{self as real_auditd, wait_until};

use audit_normalize::format::text_event;
use audit_normalize::NormalizeContext;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn event(serial: u32, key: &str, file: &str) -> String {
    let hex: String = format!("cat\0{file}")
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect();
    format!(
        "type=SYSCALL msg=audit(1700000001.000:{serial}): arch=c000003e syscall=257 \
         success=yes exit=3 a0=ffffff9c a1=7ffd1000 a2=0 a3=0 items=1 ppid=1 pid=200 \
         auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 \
         comm=\"cat\" exe=\"/usr/bin/cat\" key=\"{key}\"\n\
         type=CWD msg=audit(1700000001.000:{serial}): cwd=\"/root\"\n\
         type=PATH msg=audit(1700000001.000:{serial}): item=0 name=\"{file}\" inode=5 \
         dev=08:01 mode=0100640 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n\
         type=PROCTITLE msg=audit(1700000001.000:{serial}): proctitle={hex}\n"
    )
}

/// The sentence the normalizer gives for `text`'s event, without `At ? `.
fn expected_sentence(text: &str) -> String {
    let mut p = audit_parse::Parser::default();
    p.feed(text.as_bytes());
    p.flush();
    let ev = p.next_event().unwrap().unwrap();
    let mut line = Vec::new();
    text_event(
        &mut NormalizeContext::default().cursor(&ev),
        None,
        &mut line,
    );
    let s = String::from_utf8(line).unwrap();
    s.trim_end().strip_prefix("At ? ").unwrap().to_owned()
}

fn mails(maildir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(maildir.join("new"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .iter()
        .map(|p| decode(&std::fs::read_to_string(p).unwrap()))
        .collect()
}

/// A mail with its body decoded when it is quoted-printable (lettre encodes lines
/// longer than 76 characters so).
fn decode(mail: &str) -> String {
    let Some((head, body)) = mail.split_once("\n\n") else {
        return mail.to_owned();
    };
    if !head.contains("Content-Transfer-Encoding: quoted-printable") {
        return mail.to_owned();
    }
    let body = body.replace("\r\n", "\n").replace("=\n", "");
    let mut out = Vec::new();
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(v) if b[i] == b'=' => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    format!("{head}\n\n{}", String::from_utf8_lossy(&out))
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn config(path: &Path, key: &str, port: u16, rate: u32) {
    std::fs::write(
        path,
        format!(
            "# key-alert test\nkey = {key}\nsmtp_server = 127.0.0.1\nsmtp_port = {port}\n\
             mail_from = audit@localhost\nmail_to = admin@localhost, second@localhost\n\
             rate_limit = {rate}\n"
        ),
    )
    .unwrap();
}

#[test]
fn mails_the_sentence_rate_limited_and_reloads() {
    if !have_smtpd() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("key-alert-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let maildir = dir.join("mail");
    let (_smtpd, port) = smtpd(&maildir);

    let conf = dir.join("key-alert.conf");
    config(&conf, "watched", port, 1);
    let err = dir.join("stderr");
    let (mut alert, mut send) = run_alert(&conf, &err);
    let first = event(1, "watched", "/etc/shadow");
    send(&first);
    wait_until("the first mail", Duration::from_secs(20), || {
        mails(&maildir).len() == 1
    });
    let sentence = expected_sentence(&first);
    assert!(sentence.contains("/etc/shadow"), "{sentence}");
    let mail = &mails(&maildir)[0];
    assert!(
        mail.contains(&sentence),
        "sentence {sentence:?} not in\n{mail}"
    );
    assert!(
        mail.contains("Subject: audit: key watched (1700000001.000:1)"),
        "{mail}"
    );
    assert!(
        mail.contains("X-RcptTo: admin@localhost, second@localhost"),
        "{mail}"
    );

    // Within the minute: over the limit of 1; and an event without the key.
    send(&event(2, "watched", "/etc/gshadow"));
    send(&event(3, "other", "/etc/passwd"));
    let read_err = || std::fs::read_to_string(&err).unwrap_or_default();
    wait_until("the rate limit", Duration::from_secs(20), || {
        read_err().contains("event 1700000001.000:2 not mailed")
    });

    // Watch the other key, with room for more mails.
    config(&conf, "other", port, 10);
    assert!(Command::new("kill")
        .args(["-HUP", &alert.0.id().to_string()])
        .status()
        .unwrap()
        .success());
    wait_until("the reload", Duration::from_secs(20), || {
        read_err().contains("configuration reloaded (key other)")
    });
    let fourth = event(4, "other", "/etc/hosts");
    send(&fourth);
    send(&event(5, "watched", "/etc/group"));
    drop(send); // its input closed: key-alert ends
    let status = alert.0.wait().unwrap();
    assert!(status.success(), "key-alert failed:\n{}", read_err());
    std::thread::sleep(Duration::from_millis(300));
    let all = mails(&maildir);
    assert_eq!(all.len(), 2, "mails:\n{all:#?}\nstderr:\n{}", read_err());
    assert!(all[1].contains(&expected_sentence(&fourth)), "{}", all[1]);
    // The recipient learns of the event over the limit.
    assert!(
        all[1].contains("1 over the rate limit, 0 failed to send, 0 skipped"),
        "{}",
        all[1]
    );
    for (n, mail) in all.iter().enumerate() {
        for serial in [2, 3, 5] {
            assert!(
                !mail.contains(&format!("event 1700000001.000:{serial}\n")),
                "mail {n} is about event {serial}:\n{mail}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn have_smtpd() -> bool {
    let have = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        audit_testlock::skip("python3 with aiosmtpd is not installed (pip install aiosmtpd)");
    }
    have
}

/// An SMTP server on a free loopback port, writing each mail to `maildir`.
fn smtpd(maildir: &Path) -> (Kill, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Kill(
        Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("the SMTP server", Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    (server, port)
}

#[test]
fn mails_under_the_real_auditd() {
    let _guard = audit_testlock::live_lock();
    if !real_auditd::can_run_auditd() || !have_smtpd() {
        return;
    }
    let dir = real_auditd::TempDir::new("key-alert-auditd");
    let maildir = dir.0.join("mail");
    let (_smtpd, port) = smtpd(&maildir);
    let key = format!("key_alert_{}", std::process::id());
    let conf = dir.0.join("key-alert.conf");
    config(&conf, &key, port, 10);
    let mut auditd = real_auditd::Auditd::start(
        &dir.0.join("auditd"),
        &[real_auditd::PluginConf {
            name: "key-alert",
            path: &support::example_bin("key-alert"),
            args: format!("{} --format=binary", conf.display()),
            format: "binary",
        }],
    );
    let rule_guard = real_auditd::audit_getpgid(424243, &key);
    // SAFETY: getpgid only reads its argument; it fails (no such process).
    unsafe { libc::getpgid(424243) };
    let key_field = format!("key=\"{key}\"");
    // The syscall's event as auditd logs it (auditctl's CONFIG_CHANGE events carry
    // the key too, in their CONFIG_CHANGE record, and are mailed as well).
    let logged_event = || {
        let mut p = audit_parse::Parser::default();
        p.feed(real_auditd::read(&auditd.log).as_bytes());
        p.flush();
        let found = p.drain().filter_map(Result::ok).find(|ev| {
            ev.iter().any(|r| {
                r.record_type() == Some(audit_wire::RecordType::SYSCALL)
                    && String::from_utf8_lossy(r.text()).contains(&key_field)
            })
        });
        found
    };
    wait_until("the event in auditd's log", Duration::from_secs(30), || {
        logged_event().is_some()
    });
    let event = logged_event().unwrap();
    let subject = format!("Subject: audit: key {key} ({})", event.id());
    wait_until("its mail", Duration::from_secs(30), || {
        mails(&maildir).iter().any(|m| m.contains(&subject))
    });
    drop(rule_guard);
    auditd.stop();

    let mut line = Vec::new();
    text_event(
        &mut NormalizeContext::default().cursor(&event),
        None,
        &mut line,
    );
    let sentence = String::from_utf8(line).unwrap();
    let sentence = sentence.trim_end().strip_prefix("At ? ").unwrap();
    // getpgid of a process that does not exist fails.
    assert!(sentence.contains("unsuccessfully"), "{sentence}");
    let all = mails(&maildir);
    let mail = all.iter().find(|m| m.contains(&subject)).unwrap();
    assert!(mail.contains(sentence), "{sentence:?} not in\n{mail}");
    for m in &all {
        assert!(m.contains(&format!("Subject: audit: key {key} (")), "{m}");
    }
}

/// A server that takes each connection and closes it at once.
fn closing_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    port
}

#[test]
fn failed_mails_wait_and_are_counted_in_the_next_mail() {
    if !have_smtpd() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("key-alert-fail-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let maildir = dir.join("mail");
    let (_smtpd, good_port) = smtpd(&maildir);
    let conf = dir.join("key-alert.conf");
    let config_on = |port| {
        config(&conf, "watched", port, 10);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .unwrap();
        writeln!(f, "retry_after = 2").unwrap();
    };
    config_on(closing_server());
    let err = dir.join("stderr");
    let (mut alert, mut send) = run_alert(&conf, &err);
    let read_err = || std::fs::read_to_string(&err).unwrap_or_default();
    send(&event(1, "watched", "/etc/shadow"));
    wait_until("the failed mail", Duration::from_secs(30), || {
        read_err().contains("mailing event 1700000001.000:1")
    });
    // At once, and so within retry_after: not tried.
    let start = std::time::Instant::now();
    send(&event(2, "watched", "/etc/gshadow"));
    wait_until("the skipped event", Duration::from_secs(30), || {
        read_err().contains("event 1700000001.000:2 not mailed")
    });
    assert!(start.elapsed() < Duration::from_secs(2), "{}", read_err());

    // The server back (here: another one), and retry_after passed.
    config_on(good_port);
    assert!(Command::new("kill")
        .args(["-HUP", &alert.0.id().to_string()])
        .status()
        .unwrap()
        .success());
    wait_until("the reload", Duration::from_secs(20), || {
        read_err().contains("configuration reloaded")
    });
    std::thread::sleep(Duration::from_millis(2500));
    send(&event(3, "watched", "/etc/hosts"));
    wait_until("the mail", Duration::from_secs(30), || {
        mails(&maildir).len() == 1
    });
    let mail = &mails(&maildir)[0];
    assert!(mail.contains("event 1700000001.000:3"), "{mail}");
    assert!(
        mail.contains("0 over the rate limit, 1 failed to send, 1 skipped after a failure"),
        "{mail}"
    );
    drop(send); // its input closed: key-alert ends
    let _ = alert.0.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// key-alert running on `conf` (killed at drop), its standard error in `err`,
/// and what writes records to its input.
fn run_alert(conf: &Path, err: &Path) -> (Kill, impl FnMut(&str)) {
    let mut alert = Kill(
        Command::new(support::example_bin("key-alert"))
            .arg(conf)
            .stdin(Stdio::piped())
            .stderr(std::fs::File::create(err).unwrap())
            .spawn()
            .unwrap(),
    );
    let mut input = alert.0.stdin.take().unwrap();
    let send = move |text: &str| {
        input.write_all(text.as_bytes()).unwrap();
        input.flush().unwrap();
    };
    (alert, send)
}

/// key-alert started on the configuration `text`, with stdin closed: its exit
/// status and stderr.
fn start_with(dir: &Path, text: &str) -> (std::process::ExitStatus, String) {
    let conf = dir.join("bad.conf");
    std::fs::write(&conf, text).unwrap();
    let out = Command::new(support::example_bin("key-alert"))
        .arg(&conf)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn configuration_errors_name_their_line() {
    let dir = std::env::temp_dir().join(format!("key-alert-conf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = "key = k\nsmtp_server = 127.0.0.1\nmail_from = a@localhost\n";
    for (extra, line, what) in [
        (
            "mail_to = b@x\nkey = other\n",
            5,
            "`key` already set on line 1",
        ),
        ("mail_to = b@x\nrate_limit = 0\n", 5, "rate_limit \"0\""),
        ("mail_to = b@localhost, not an address\n", 4, "addresses"),
    ] {
        let (status, stderr) = start_with(&dir, &format!("{good}{extra}"));
        assert_eq!(status.code(), Some(1), "{extra}: {stderr}");
        assert!(
            stderr.contains(&format!("bad.conf:{line}: {what}")),
            "{extra}: {stderr}"
        );
    }
    // Bad arguments and a closed stderr are reported or ignored, never a panic.
    let out = Command::new(support::example_bin("key-alert"))
        .arg(std::ffi::OsStr::from_bytes(b"/tmp/\xff.conf"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not UTF-8"), "{stderr}");
    let mut closed = Command::new(support::example_bin("key-alert"));
    closed.arg(dir.join("missing.conf")).stdin(Stdio::null());
    assert_eq!(support::status_with_stderr_full(&mut closed), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keys_and_names_may_hold_hash_and_comma() {
    if !have_smtpd() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("key-alert-hash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let maildir = dir.join("mail");
    let (_smtpd, port) = smtpd(&maildir);
    let conf = dir.join("key-alert.conf");
    std::fs::write(
        &conf,
        format!(
            "  # a comment\nkey = a#b\nsmtp_server = 127.0.0.1\nsmtp_port = {port}\n\
             mail_from = audit@localhost\nmail_to = \"Doe, J\" <j@localhost>, k@localhost\n"
        ),
    )
    .unwrap();
    let mut alert = Command::new(support::example_bin("key-alert"))
        .arg(&conf)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = alert.stdin.take().unwrap();
    input
        .write_all(event(1, "a", "/etc/passwd").as_bytes())
        .unwrap();
    input
        .write_all(event(2, "a#b", "/etc/shadow").as_bytes())
        .unwrap();
    drop(input);
    let out = alert.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    wait_until("the mail", Duration::from_secs(20), || {
        !mails(&maildir).is_empty()
    });
    std::thread::sleep(Duration::from_millis(300));
    let all = mails(&maildir);
    assert_eq!(all.len(), 1, "{all:#?}\n{stderr}");
    assert!(all[0].contains("event 1700000001.000:2"), "{}", all[0]);
    assert!(
        all[0].contains("X-RcptTo: j@localhost, k@localhost"),
        "{}",
        all[0]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
