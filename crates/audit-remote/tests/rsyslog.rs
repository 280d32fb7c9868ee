//! Records through the plugin runtime into a real `rsyslogd`, as RFC 5424 messages
//! over TCP (octet counting) and over a local datagram socket: every record arrives,
//! whole, the longest ones too.
//!
//! Runs itself again inside `unshare -n` (only its own loopback, see
//! `audit_testlock::namespace`) for rsyslogd's TCP port; with the environment variable below set it is the plugin, records on its
//! stdin.

use audit_plugin::{Delivery, Plugin};
use audit_remote::syslog_out::{SyslogForwarder, SyslogTarget};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use audit_testlock::namespace::{self, Private};
use audit_testlock::process::Started;

const AS_PLUGIN: &str = "AUDIT_REMOTE_RSYSLOG_AS_PLUGIN";
/// Set in the copy of this test that runs inside the network namespace.
const INSIDE: &str = "AUDIT_REMOTE_RSYSLOG_INSIDE";
const PORT: u16 = 6514;

fn main() {
    if let Some(target) = std::env::var_os(AS_PLUGIN) {
        let target = target.to_string_lossy().into_owned();
        let target = match target.strip_prefix("tcp:") {
            Some(addr) => SyslogTarget::Tcp(addr.parse().unwrap()),
            None => SyslogTarget::Unix(target.into()),
        };
        let mut forwarder = SyslogForwarder::connect(target).unwrap();
        Plugin::new()
            .delivery(Delivery::Records)
            .run(&mut forwarder)
            .unwrap();
        return;
    }
    if namespace::inside(INSIDE).is_some() {
        inside();
        return;
    }
    if !namespace::tools_installed(&["/usr/sbin/rsyslogd"]) {
        return;
    }
    let status = namespace::rerun_self(Private::Network, INSIDE, "1", &[]);
    assert!(status.success(), "the rsyslog scenarios failed: {status}");
}

fn record(i: usize) -> String {
    // Every 50th record is long: an EXECVE line of about 8.5 KiB.
    let tail = if i.is_multiple_of(50) {
        format!(" a1=\"{}\"", "x".repeat(8500))
    } else {
        String::new()
    };
    format!(
        "node=web{} type=EXECVE msg=audit(1700000{:03}.{:03}:{i}): argc=2 a0=\"ls\"{tail}",
        i % 3,
        i / 1000,
        i % 1000
    )
}

fn inside() {
    namespace::loopback_up();
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("log.sock");
    let out = dir.path().join("messages");
    let conf = dir.path().join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(maxMessageSize=\"64k\" workDirectory=\"{dir}\")\n\
             module(load=\"imuxsock\" SysSock.Use=\"off\")\n\
             input(type=\"imuxsock\" Socket=\"{socket}\" UseSpecialParser=\"off\")\n\
             module(load=\"imtcp\")\n\
             input(type=\"imtcp\" address=\"127.0.0.1\" port=\"{PORT}\")\n\
             template(name=\"line\" type=\"string\" string=\"%app-name% %msgid% %msg%\\n\")\n\
             action(type=\"omfile\" file=\"{out}\" template=\"line\")\n",
            dir = dir.path().display(),
            socket = socket.display(),
            out = out.display(),
        ),
    )
    .unwrap();
    let _rsyslogd = Started(
        Command::new("/usr/sbin/rsyslogd")
            .args(["-n", "-f"])
            .arg(&conf)
            .arg("-i")
            .arg(dir.path().join("rsyslogd.pid"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !socket.exists() || std::net::TcpStream::connect(("127.0.0.1", PORT)).is_err() {
        assert!(Instant::now() < deadline, "rsyslogd never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    let count = 1000;
    for (name, target) in [
        ("tcp", format!("tcp:127.0.0.1:{PORT}")),
        ("unix", socket.display().to_string()),
    ] {
        let before = lines(&out).len();
        let input: String = (0..count).map(|i| format!("{}\n", record(i))).collect();
        let mut plugin = Command::new(std::env::current_exe().unwrap())
            .env(AS_PLUGIN, &target)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        plugin
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        assert!(
            plugin.wait().unwrap().success(),
            "{name}: the plugin failed"
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while lines(&out).len() < before + count {
            assert!(
                Instant::now() < deadline,
                "{name}: {} of {count} messages",
                lines(&out).len() - before
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut got: Vec<String> = lines(&out)[before..].to_vec();
        let mut want: Vec<String> = (0..count)
            .map(|i| format!("audit EXECVE {}", record(i)))
            .collect();
        got.sort_unstable();
        want.sort_unstable();
        assert!(got == want, "{name}: the messages differ from the records");
        println!("{name}: {count} records into rsyslogd, each once, whole");
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}
