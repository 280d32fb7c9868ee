//! `audit-daemon` as a central log server: `tcp_listen_port` with
//! `local_events = no`, fed by audit-remote's sender over loopback in a private
//! network namespace (`unshare -n`). Every record sent is in the daemon's log
//! once; a connection gets ENDING when the daemon stops; the kernel's audit
//! state (its daemon, `enabled`) is left alone.
//!
//! The test runs itself again inside `unshare -n` (the environment variable
//! below tells the copy it is inside), where only its own loopback exists.

use audit_remote::frame::{decode_all, Frame, FrameType, HEADER_SIZE};
use audit_remote::sender::{Sender, SenderConfig};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSIDE: &str = "AUDIT_TOOLS_DAEMON_REMOTE_INSIDE";
const PORT: u16 = 6060;

/// Kills the daemon if the test fails before stopping it.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Puts the kernel's daemon registration and `enabled` back as they were, should
/// the daemon have taken them and died (a failed test kills it with SIGKILL).
struct KernelState((u32, u32));

impl Drop for KernelState {
    fn drop(&mut self) {
        let (pid, enabled) = self.0;
        let Ok(mut sock) = audit_netlink::AuditSocket::open() else {
            return;
        };
        let Ok(now) = sock.get_status() else { return };
        let dead = !Path::new(&format!("/proc/{}", now.pid)).exists();
        if pid == 0 && now.pid != 0 && dead {
            // The kernel hands a dead daemon's slot over; then give it back.
            if sock.register_daemon().is_ok() {
                let _ = sock.unregister_daemon();
            }
        }
        if now.enabled != enabled {
            let _ = sock.set_enabled(enabled != 0);
        }
    }
}

fn status() -> (u32, u32) {
    let s = audit_netlink::AuditSocket::open()
        .and_then(|mut s| s.get_status())
        .unwrap();
    (s.pid, s.enabled)
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(20);
    while !ok() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn record(host: &str, i: usize) -> String {
    format!(
        "node={host} type=SYSCALL msg=audit(1700000{:03}.{:03}:{i}): arch=c000003e syscall=59 success=yes exit=0 pid={i} comm=\"true\"\x1dARCH=x86_64 SYSCALL=execve\n",
        i / 1000,
        i % 1000
    )
}

fn read_frame(stream: &mut TcpStream) -> Frame {
    let mut bytes = vec![0u8; HEADER_SIZE];
    stream.read_exact(&mut bytes).unwrap();
    let len = usize::from(u16::from_le_bytes([bytes[10], bytes[11]]));
    bytes.resize(HEADER_SIZE + len, 0);
    stream.read_exact(&mut bytes[HEADER_SIZE..]).unwrap();
    decode_all(&bytes).unwrap().0.remove(0)
}

#[test]
fn remote_records_reach_the_aggregators_log_once_and_the_kernel_is_left_alone() {
    if std::env::var_os(INSIDE).is_some() {
        inside();
        return;
    }
    // The daemon must not register; should it, it would meet other live tests.
    let _lock = audit_testlock::live_lock();
    if let Some(why) = audit_testlock::live_kernel_unavailable_reason() {
        audit_testlock::skip(why);
        return;
    }
    for tool in ["/usr/bin/unshare", "/sbin/ip"] {
        if !Path::new(tool).exists() {
            audit_testlock::skip(format!("{tool} is not installed"));
            return;
        }
    }
    let before = status();
    let _restore = KernelState(before);
    let out = Command::new("unshare")
        .args(["-n", "--"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "remote_records_reach_the_aggregators_log_once_and_the_kernel_is_left_alone",
            "--nocapture",
        ])
        .env(INSIDE, "1")
        .status()
        .unwrap();
    assert!(out.success(), "the scenario inside the namespace failed");
    assert_eq!(status(), before, "the kernel's daemon pid and enabled");
}

fn inside() {
    let ip = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()
        .unwrap();
    assert!(ip.success());
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    std::fs::create_dir(dir.path().join("plugins.d")).unwrap();
    std::fs::write(
        dir.path().join("auditd.conf"),
        format!(
            "log_file = {}\nlog_format = ENRICHED\nflush = INCREMENTAL_ASYNC\nfreq = 50\n\
             plugin_dir = {}\nlocal_events = no\ntcp_listen_port = {PORT}\n\
             tcp_max_per_addr = 2\ntcp_client_max_idle = 30\n",
            log.display(),
            dir.path().join("plugins.d").display()
        ),
    )
    .unwrap();
    let before = status();
    // `-s enable` is what auditd is started with: local_events = no overrides it.
    let mut daemon = Started(
        Command::new(env!("CARGO_BIN_EXE_audit-daemon"))
            .args(["-f", "-s", "enable", "-c"])
            .arg(dir.path())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let addr: SocketAddr = ([127, 0, 0, 1], PORT).into();
    wait_for("the listener", || {
        assert!(daemon.0.try_wait().unwrap().is_none(), "the daemon exited");
        TcpStream::connect(addr).is_ok()
    });
    let running = status();
    assert_ne!(running.0, daemon.0.id(), "registered with the kernel");
    assert_eq!(running, before, "the kernel's state changed at start");

    // Two senders at once: one stop-and-wait (as audisp-remote), one with a
    // window of frames in flight.
    let count = 1500;
    let senders: Vec<_> = [("web1", 1usize), ("db2", 16)]
        .into_iter()
        .map(|(host, window)| {
            let queue = dir.path().join(format!("{host}.queue"));
            std::thread::spawn(move || {
                let mut config = SenderConfig::new(addr);
                config.window = window;
                config.queue_depth = count;
                let mut sender = Sender::open(config, &queue).unwrap();
                let started = Instant::now();
                for i in 0..count {
                    sender.send(record(host, i).as_bytes()).unwrap();
                }
                sender.flush().unwrap();
                let rate = count as f64 / started.elapsed().as_secs_f64();
                println!("{host} (window {window}): {rate:.0} records/s");
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }

    // A connection open at the stop gets ENDING.
    let mut open = TcpStream::connect(addr).unwrap();
    open.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    open.write_all(
        &Frame::new(FrameType::HEARTBEAT, 7, Vec::new())
            .encode()
            .unwrap(),
    )
    .unwrap();
    let ack = read_frame(&mut open);
    assert_eq!((ack.kind, ack.sequence), (FrameType::ACK, 7));
    let pid = rustix::process::Pid::from_child(&daemon.0);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let ending = read_frame(&mut open);
    assert_eq!((ending.kind, ending.sequence), (FrameType::ENDING, 0));
    assert!(daemon.0.wait().unwrap().success());
    assert_eq!(status(), before, "the kernel's state changed at the stop");

    let text = std::fs::read_to_string(&log).unwrap();
    let mut got: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("type=DAEMON_"))
        .collect();
    let mut expected: Vec<String> = ["web1", "db2"]
        .iter()
        .flat_map(|h| (0..count).map(move |i| record(h, i)))
        .collect();
    // Each sender's records in order; the two interleaved.
    for host in ["web1", "db2"] {
        let mine: Vec<&str> = got
            .iter()
            .copied()
            .filter(|l| l.starts_with(&format!("node={host} ")))
            .collect();
        let want: Vec<String> = (0..count).map(|i| record(host, i)).collect();
        assert!(
            mine == want,
            "{host}: {} records, not in order once each",
            mine.len()
        );
    }
    got.sort_unstable();
    expected.sort_unstable();
    assert!(
        got == expected,
        "{} lines besides the daemon's own",
        got.len()
    );
    assert!(
        text.starts_with("type=DAEMON_START "),
        "{}",
        &text[..200.min(text.len())]
    );
}
