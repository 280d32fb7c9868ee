//! login-alert against a real notification server: a session `dbus-daemon` and
//! Debian's `dunst` under `Xvfb`, both running as the unprivileged user `nobody` with
//! the bus at `RUN/UID/bus` (RUN stands for `/run/user`); login-alert runs under the
//! real auditd (see `audit_testlock::auditd`), and the logins are `USER_LOGIN` records the
//! kernel makes from user messages sent through our own API (audit-netlink). The
//! notifier's history (`dunstctl history`, after closing what is displayed) must show
//! "nobody log in success" for a login that names the account in `id`, and "alice log
//! in failed" for one that names it in `acct`.
//!
//! Needs `Xvfb`, `dbus-daemon`, `dunst`, `dunstctl` (Debian: xvfb, dbus, dunst) and
//! auditd; without them the test is skipped, loudly, and fails where
//! `AUDIT_LIVE_REQUIRED=1` (CI).
mod support;

use audit_testlock::auditd::{have, read, wait_until, Auditd, PluginConf, TempDir};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// USER_LOGIN.
const USER_LOGIN: audit_netlink::audit_wire::RecordType =
    audit_netlink::audit_wire::RecordType::USER_LOGIN;

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `nobody`'s uid and primary gid, from /etc/passwd.
fn nobody() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let line = passwd
        .lines()
        .find(|l| l.starts_with("nobody:"))
        .expect("no user nobody");
    let f: Vec<&str> = line.split(':').collect();
    (f[2].parse().unwrap(), f[3].parse().unwrap())
}

/// A command run as `nobody`, with only the environment given.
fn as_user(program: &str, uid: u32, gid: u32, env: &[(&str, String)]) -> Command {
    let mut c = Command::new(program);
    c.uid(uid).gid(gid).env_clear().current_dir("/");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// A display number no X server uses.
fn free_display() -> u32 {
    (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("no free X display")
}

/// The notifier's history after closing what it displays.
fn history(uid: u32, gid: u32, env: &[(&str, String)]) -> String {
    let _ = as_user("dunstctl", uid, gid, env).arg("close-all").status();
    let out = as_user("dunstctl", uid, gid, env)
        .arg("history")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn login(text: &str) {
    let mut sock = audit_netlink::AuditSocket::open().expect("open the audit socket");
    sock.send_user_raw(USER_LOGIN, text)
        .expect("send a USER_LOGIN user message");
}

#[test]
fn notifies_each_login_on_the_users_session_bus() {
    let _guard = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    for tool in [
        "Xvfb",
        "dbus-daemon",
        "dunst",
        "dunstctl",
        "auditd",
        "auditctl",
    ] {
        if !have(tool) {
            audit_testlock::skip(format!(
                "{tool} is not installed (apt-get install xvfb dbus dunst auditd)"
            ));
            return;
        }
    }
    let (uid, gid) = nobody();
    let dir = TempDir::new("plugin-login-alert");
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = dir.0.join("run");
    let user_run = run.join(uid.to_string());
    let home = dir.0.join("home");
    for d in [&user_run, &home] {
        std::fs::create_dir_all(d).unwrap();
        std::os::unix::fs::chown(d, Some(uid), Some(gid)).unwrap();
    }
    std::fs::set_permissions(&user_run, std::fs::Permissions::from_mode(0o700)).unwrap();
    let bus = user_run.join("bus");

    let display = free_display();
    let _xvfb = Kill(
        Command::new("Xvfb")
            .args([&format!(":{display}"), "-ac", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("Xvfb", Duration::from_secs(20), || {
        Path::new(&format!("/tmp/.X11-unix/X{display}")).exists()
    });
    let env = [
        ("HOME", home.display().to_string()),
        ("DISPLAY", format!(":{display}")),
        (
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", bus.display()),
        ),
    ];
    let _dbus = Kill(
        as_user("dbus-daemon", uid, gid, &env)
            .args(["--session", "--nofork"])
            .arg(format!("--address=unix:path={}", bus.display()))
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("the session bus", Duration::from_secs(20), || bus.exists());
    let _dunst = Kill(
        as_user("dunst", uid, gid, &env)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("dunst on the bus", Duration::from_secs(20), || {
        as_user("dunstctl", uid, gid, &env)
            .arg("count")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });

    // The plugin as auditd wants it: root-owned, in a directory all may enter (its
    // notifying child runs it again as nobody).
    let alert = dir.0.join("login-alert");
    std::fs::copy(support::example_bin("login-alert"), &alert).unwrap();
    std::fs::set_permissions(&alert, std::fs::Permissions::from_mode(0o755)).unwrap();
    let auditd_dir = dir.0.join("auditd");
    let mut auditd = Auditd::start(
        &auditd_dir,
        &[PluginConf {
            name: "login-alert",
            path: &alert,
            args: format!("--run-user-dir={} --format=binary", run.display()),
            format: "binary",
        }],
    );
    let stderr: PathBuf = auditd.output("login-alert", "stderr");
    wait_until("login-alert to start", Duration::from_secs(20), || {
        stderr.exists()
    });

    login("op=login id=65534 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=/dev/pts/9 res=success");
    wait_until("the first notification", Duration::from_secs(30), || {
        history(uid, gid, &env).contains("\"nobody log in success\"")
    });
    login("op=login acct=\"alice\" exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=/dev/pts/9 res=failed");
    wait_until("the second notification", Duration::from_secs(30), || {
        history(uid, gid, &env).contains("\"alice log in failed\"")
    });
    let h = history(uid, gid, &env);
    assert!(
        h.contains("nobody successfully logged-in /dev/pts/9 using /usr/sbin/sshd"),
        "body not in history:\n{h}"
    );
    assert!(h.contains("\"login-alert\""), "{h}");
    auditd.stop();
    let log = read(&stderr);
    assert!(
        log.contains(&format!("told uid {uid}: nobody log in success")),
        "{log}"
    );
}

/// The notifications a fake notification server took: (summary, body).
type Taken = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A notification server of our own: a session `dbus-daemon` (as root) at `bus`,
/// and on it a thread that owns `org.freedesktop.Notifications`, answers `Notify`
/// and keeps what it was given. `None` (skipped) without `dbus-daemon`.
fn fake_notifier(bus: &Path) -> Option<(Kill, Taken)> {
    if !have("dbus-daemon") {
        audit_testlock::skip("dbus-daemon is not installed (apt-get install dbus)");
        return None;
    }
    let daemon = Kill(
        Command::new("dbus-daemon")
            .args(["--session", "--nofork"])
            .arg(format!("--address=unix:path={}", bus.display()))
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("the session bus", Duration::from_secs(20), || bus.exists());
    let conn = zbus::blocking::connection::Builder::address(
        format!("unix:path={}", bus.display()).as_str(),
    )
    .unwrap()
    .build()
    .unwrap();
    conn.request_name("org.freedesktop.Notifications").unwrap();
    let taken = Taken::default();
    let keep = taken.clone();
    std::thread::spawn(move || {
        type Notify = (
            String,
            u32,
            String,
            String,
            String,
            Vec<String>,
            std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
            i32,
        );
        for msg in zbus::blocking::MessageIterator::from(&conn).flatten() {
            let header = msg.header();
            if header.member().is_some_and(|m| m.as_str() == "Notify") {
                if let Ok(n) = msg.body().deserialize::<Notify>() {
                    keep.lock().unwrap().push((n.3, n.4));
                }
                let _ = conn.reply(&header, &1u32);
            }
        }
    });
    Some((daemon, taken))
}

/// A USER_LOGIN record as text, its `acct` hex-encoded.
fn login_record(serial: u32, acct: &str, rest: &str) -> String {
    let hex: String = acct.bytes().map(|b| format!("{b:02X}")).collect();
    format!(
        "type=USER_LOGIN msg=audit(1700000001.000:{serial}): pid=7 uid=0 auid=4294967295 \
         ses=4294967295 msg='op=login acct={hex} exe=\"/usr/sbin/sshd\" {rest} \
         terminal=/dev/pts/9 res=failed'\n"
    )
}

/// A run-user directory for root (uid 0) whose bus is `fake_notifier`'s.
fn root_session(dir: &Path) -> Option<(PathBuf, Kill, Taken)> {
    let run = dir.join("run");
    let user = run.join("0");
    std::fs::create_dir_all(&user).unwrap();
    let (daemon, taken) = fake_notifier(&user.join("bus"))?;
    Some((run, daemon, taken))
}

/// login-alert reading `input` as its stdin (string format), to its end.
fn run_alert(alert: &Path, run: &Path, input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(alert)
        .arg(format!("--run-user-dir={}", run.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn audit_data_cannot_add_markup_to_the_body() {
    let dir = TempDir::new("login-alert-markup");
    let Some((run, _daemon, taken)) = root_session(&dir.0) else {
        return;
    };
    let evil = "<a href='http://evil/'>click</a>&amp;";
    let alert = support::example_bin("login-alert");
    let out = run_alert(&alert, &run, &login_record(1, evil, "hostname=? addr=?"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let taken = taken.lock().unwrap().clone();
    assert_eq!(taken.len(), 1, "{taken:?}\n{stderr}");
    let (summary, body) = &taken[0];
    assert!(summary.contains("log in failed"), "{summary}");
    assert!(
        body.contains("&lt;a href='http://evil/'&gt;click&lt;/a&gt;&amp;amp;"),
        "{body}"
    );
    assert!(!body.contains('<') && !body.contains('>'), "{body}");
}

#[test]
fn the_body_says_where_the_login_came_from() {
    let dir = TempDir::new("login-alert-from");
    let Some((run, _daemon, taken)) = root_session(&dir.0) else {
        return;
    };
    let alert = support::example_bin("login-alert");
    let rest = "hostname=gate.example.org addr=192.0.2.7";
    let out = run_alert(&alert, &run, &login_record(1, "alice", rest));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let taken = taken.lock().unwrap().clone();
    assert_eq!(taken.len(), 1, "{taken:?}\n{stderr}");
    let body = &taken[0].1;
    assert!(body.contains("\naddr 192.0.2.7"), "{body}");
    assert!(body.contains("\nhostname gate.example.org"), "{body}");
}

#[test]
fn bad_arguments_and_a_closed_stderr_do_not_panic() {
    use std::os::unix::ffi::OsStrExt;
    let alert = support::example_bin("login-alert");
    let out = Command::new(&alert)
        .arg(std::ffi::OsStr::from_bytes(b"--run-user-dir=/tmp/\xff"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not UTF-8"), "{stderr}");
    let mut closed = Command::new(&alert);
    closed.arg("--no-such-option").stdin(Stdio::null());
    assert_eq!(support::status_with_stderr_full(&mut closed), Some(1));
}

#[test]
fn a_bus_that_never_answers_does_not_hold_up_the_logins() {
    let dir = TempDir::new("login-alert-stall");
    let run = dir.0.join("run");
    let user = run.join("0");
    std::fs::create_dir_all(&user).unwrap();
    // Takes the connections and never says a word.
    let listener = std::os::unix::net::UnixListener::bind(user.join("bus")).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let input = format!(
        "{}{}",
        login_record(1, "alice", "hostname=? addr=?"),
        login_record(2, "bob", "hostname=? addr=?")
    );
    let alert = support::example_bin("login-alert");
    let start = std::time::Instant::now();
    let out = run_alert(&alert, &run, &input);
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(took < Duration::from_secs(8), "took {took:?}:\n{stderr}");
    assert!(stderr.contains("(2 failed so far)"), "{stderr}");
}
