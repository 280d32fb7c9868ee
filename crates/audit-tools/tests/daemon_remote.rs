//! `audit-daemon` as a central log server: `tcp_listen_port` with
//! `local_events = no`, fed by audit-remote's sender over loopback in a private
//! network namespace (`unshare -n`). Every record sent is in the daemon's log
//! once; a connection gets ENDING when the daemon stops; the kernel's audit
//! state (its daemon, `enabled`) is left alone.
//!
//! The second test puts the C sender in: the real `audisp-remote` 3.0.9 (Debian's
//! `audispd-plugins`, unpacked, never installed) into `audit-daemon`, every record
//! once; and measures, on one stream, audisp-remote → auditd 3.0.9 against
//! audisp-remote → audit-daemon and our sender plugin → audit-daemon: records per
//! second and CPU per record of each process (`/proc/PID/stat`), every receiver
//! syncing each record (`flush = SYNC`) before its ACK.
//!
//! The third fills the disk under the received records (a 64 KiB tmpfs): the
//! daemon's `disk_full_action` runs, the sender gets DISKFULL or DISKERROR, the
//! log holds exactly the acknowledged records.
//!
//! The tests run themselves again inside `unshare -n` (`-m -n` for the second
//! and third; the environment variables below tell the copy it is inside; see
//! `audit_testlock::namespace`), where only their own loopback exists.

use audit_remote::frame::{decode_all, Frame, FrameType, HEADER_SIZE};
use audit_remote::sender::{Sender, SenderConfig};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use audit_testlock::audisp_remote;
use audit_testlock::namespace::{self, Private};
use audit_testlock::process::{run_ok, Started};

const INSIDE: &str = "AUDIT_TOOLS_DAEMON_REMOTE_INSIDE";
const PORT: u16 = 6060;

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
    if namespace::inside(INSIDE).is_some() {
        inside();
        return;
    }
    // The daemon must not register; should it, it would meet other live tests.
    run_inside(
        "remote_records_reach_the_aggregators_log_once_and_the_kernel_is_left_alone",
        Private::Network,
        INSIDE,
        &[],
        || Some("1".into()),
    );
}

/// The part of each test outside the namespaces: under the live-test lock, unless it
/// must skip (no root or audit, a tool of `tools` missing, `value` giving `None`), runs
/// `test` again in the `private` namespaces with `marker` set to what `value` gives,
/// and checks that the kernel's daemon pid and `enabled` are as they were.
fn run_inside(
    test: &str,
    private: Private,
    marker: &str,
    tools: &[&str],
    value: impl FnOnce() -> Option<OsString>,
) {
    let _lock = audit_testlock::live_lock();
    if let Some(why) = audit_testlock::live_kernel_unavailable_reason() {
        audit_testlock::skip(why);
        return;
    }
    if !namespace::tools_installed(tools) {
        return;
    }
    let Some(value) = value() else { return };
    let before = status();
    let _restore = KernelState(before);
    let out = namespace::rerun_test(private, test, marker, value);
    assert!(out.success(), "the scenario inside the namespaces failed");
    assert_eq!(status(), before, "the kernel's daemon pid and enabled");
}

fn inside() {
    namespace::loopback_up();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    std::fs::create_dir(dir.path().join("plugins.d")).unwrap();
    // distribute_network = yes: received records go to this plugin too.
    let plugin_out = dir.path().join("plugin.out");
    let plugin = dir.path().join("plugin");
    std::fs::write(
        &plugin,
        format!("#!/bin/sh\nexec cat >> {}\n", plugin_out.display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o750)).unwrap();
    }
    std::fs::write(
        dir.path().join("plugins.d/cat.conf"),
        format!(
            "active = yes\ndirection = out\npath = {}\ntype = always\nformat = string\n",
            plugin.display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("auditd.conf"),
        format!(
            "log_file = {}\nlog_format = ENRICHED\nflush = INCREMENTAL_ASYNC\nfreq = 50\n\
             plugin_dir = {}\nlocal_events = no\ntcp_listen_port = {PORT}\n\
             tcp_max_per_addr = 2\ntcp_client_max_idle = 30\ndistribute_network = yes\n",
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
    // The plugin got each of them too, as its line.
    let handed = std::fs::read_to_string(&plugin_out).unwrap();
    let mut handed: Vec<&str> = handed
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("type=DAEMON_"))
        .collect();
    handed.sort_unstable();
    assert!(handed == got, "{} records at the plugin", handed.len());
    assert!(
        text.starts_with("type=DAEMON_START "),
        "{}",
        &text[..200.min(text.len())]
    );
}

const INSIDE_FULL: &str = "AUDIT_TOOLS_DAEMON_REMOTE_FULL_INSIDE";

/// Received records meet a full disk (a 64 KiB tmpfs, in private mount and
/// network namespaces) as the daemon's own do: its log writer counts them, runs
/// `disk_full_action` (suspend), the sender is answered DISKFULL or DISKERROR,
/// and the log holds exactly the records acknowledged, its last line whole.
#[test]
fn a_full_disk_under_remote_records_runs_the_daemons_disk_full_action() {
    if namespace::inside(INSIDE_FULL).is_some() {
        full_inside();
        return;
    }
    run_inside(
        "a_full_disk_under_remote_records_runs_the_daemons_disk_full_action",
        Private::MountsAndNetwork,
        INSIDE_FULL,
        &[],
        || Some("1".into()),
    );
}

fn full_inside() {
    namespace::loopback_up();
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    namespace::mount_tmpfs(&logs, "size=64k,mode=0700", "daemon-remote-full");
    let log = logs.join("audit.log");
    std::fs::create_dir(dir.path().join("plugins.d")).unwrap();
    let port = PORT + 1;
    write_conf(
        &dir.path().join("auditd.conf"),
        &format!(
            "log_file = {}\nlog_format = RAW\nflush = INCREMENTAL\nfreq = 1\n\
             plugin_dir = {}\nlocal_events = no\ntcp_listen_port = {port}\n\
             tcp_max_per_addr = 2\nspace_left = 0\nadmin_space_left = 0\n\
             disk_full_action = suspend\n\
             disk_error_action = syslog\n",
            log.display(),
            dir.path().join("plugins.d").display()
        ),
    );
    let stderr = dir.path().join("daemon.err");
    let mut daemon = Started(
        Command::new(env!("CARGO_BIN_EXE_audit-daemon"))
            .args(["-f", "-c"])
            .arg(dir.path())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap(),
    );
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    wait_for("the listener", || {
        assert!(daemon.0.try_wait().unwrap().is_none(), "the daemon exited");
        TcpStream::connect(addr).is_ok()
    });
    // Stop-and-wait, as audisp-remote: each record's reply before the next.
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut acked = Vec::new();
    let mut refused = Vec::new();
    for i in 1..2000u32 {
        let line = record("web1", i as usize);
        let frame = Frame::new(FrameType::MESSAGE, i, line.clone().into_bytes());
        stream.write_all(&frame.encode().unwrap()).unwrap();
        let reply = read_frame(&mut stream);
        assert_eq!(reply.sequence, i);
        match reply.kind {
            FrameType::ACK => acked.push(line),
            kind => refused.push(kind),
        }
        if refused.len() >= 3 {
            break;
        }
    }
    // Read before the stop: the tmpfs goes with the namespace, not the daemon.
    let text = std::fs::read_to_string(&log).unwrap();
    let pid = rustix::process::Pid::from_child(&daemon.0);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    daemon.0.wait().unwrap();
    let said = std::fs::read_to_string(&stderr).unwrap();
    assert!(acked.len() > 100, "only {} records fit", acked.len());
    assert_eq!(refused.len(), 3, "the disk never filled");
    assert!(
        refused
            .iter()
            .all(|k| [FrameType::DISK_FULL, FrameType::DISK_ERROR].contains(k)),
        "{refused:?}"
    );
    assert!(
        said.contains("DiskFull { action: Suspend }") && said.contains("Suspended"),
        "the daemon's messages: {said}"
    );
    assert!(text.ends_with('\n'), "last line cut");
    let logged: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("type=DAEMON_"))
        .collect();
    assert!(
        logged == acked,
        "{} lines logged, {} acknowledged",
        logged.len(),
        acked.len()
    );
}

const INSIDE_C: &str = "AUDIT_TOOLS_DAEMON_REMOTE_C_INSIDE";
const AS_PLUGIN: &str = "AUDIT_TOOLS_DAEMON_REMOTE_AS_PLUGIN";

struct Stderr;
impl audit_remote::actions::Log for Stderr {
    fn log(&mut self, level: audit_remote::actions::Level, message: &str) {
        eprintln!("plugin log {level:?}: {message}");
    }
}

#[test]
fn audisp_remote_into_the_daemon_and_the_c_pair_on_one_stream() {
    if std::env::var_os(AS_PLUGIN).is_some() {
        // The sender plugin: its arguments follow `--`.
        let args = std::env::args().skip_while(|a| a != "--").skip(1);
        let result = audit_remote::plugin::run(args, Box::new(Stderr));
        std::process::exit(i32::from(result.is_err()));
    }
    if let Some(audisp_remote) = namespace::inside(INSIDE_C) {
        c_inside(Path::new(&audisp_remote));
        return;
    }
    // auditd's pid file is shared with every auditd a test starts.
    run_inside(
        "audisp_remote_into_the_daemon_and_the_c_pair_on_one_stream",
        Private::MountsAndNetwork,
        INSIDE_C,
        &["/sbin/auditd", "/usr/bin/dpkg"],
        || audisp_remote::fetch(Path::new(env!("CARGO_TARGET_TMPDIR"))).map(Into::into),
    );
}

fn write_conf(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o640)).unwrap();
}

/// CPU time (user + system) a process has used so far, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn clock_ticks_per_second() -> u64 {
    let out = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// The records of a log, without the daemon's own DAEMON_* records.
fn remote_lines(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("type=DAEMON_"))
        .map(str::to_owned)
        .collect()
}

/// A receiver's configuration directory `dir/NAME` for `port`, logging to
/// `dir/NAME.log` with `flush = SYNC`, `local_events = no`.
fn receiver_conf(dir: &Path, name: &str, port: u16) -> (std::path::PathBuf, std::path::PathBuf) {
    let conf = dir.join(name);
    std::fs::create_dir_all(conf.join("plugins.d")).unwrap();
    let log = dir.join(format!("{name}.log"));
    write_conf(
        &conf.join("auditd.conf"),
        &format!(
            "local_events = no\nlog_file = {}\nlog_format = RAW\nwrite_logs = yes\n\
             flush = SYNC\nmax_log_file_action = IGNORE\nspace_left = 2\n\
             admin_space_left = 1\nspace_left_action = IGNORE\n\
             admin_space_left_action = IGNORE\ndisk_full_action = IGNORE\n\
             disk_error_action = IGNORE\nplugin_dir = {}\nname_format = none\n\
             tcp_listen_port = {port}\ntcp_max_per_addr = 1\n",
            log.display(),
            conf.join("plugins.d").display()
        ),
    );
    (conf, log)
}

/// One run: `sender` fed `input` (its stdin kept open until every record is
/// logged), into `receiver` listening on `port`. Rate and CPU per record.
struct Measured {
    logged: Vec<String>,
    per_second: f64,
    sender_us: f64,
    receiver_us: f64,
}

fn measure(mut sender: Command, receiver: Command, port: u16, log: &Path, input: &str) -> Measured {
    let count = input.lines().count();
    let mut receiver = Started(
        { receiver }
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    wait_for("the receiver", || {
        assert!(
            receiver.0.try_wait().unwrap().is_none(),
            "the receiver exited"
        );
        TcpStream::connect(addr).is_ok()
    });
    // One connection per address: the probe's must be gone first.
    std::thread::sleep(Duration::from_millis(300));
    let mut sender = Started(
        sender
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (r0, s0) = (cpu_ticks(receiver.0.id()), cpu_ticks(sender.0.id()));
    let started = Instant::now();
    let mut stdin = sender.0.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while remote_lines(log).len() < count && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    let (r1, s1) = (cpu_ticks(receiver.0.id()), cpu_ticks(sender.0.id()));
    drop(stdin);
    let _ = sender.0.wait();
    let pid = rustix::process::Pid::from_child(&receiver.0);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let _ = receiver.0.wait();
    let logged = remote_lines(log);
    let us_per_tick = 1e6 / clock_ticks_per_second() as f64;
    let n = logged.len().max(1) as f64;
    Measured {
        per_second: logged.len() as f64 / elapsed.as_secs_f64(),
        sender_us: (s1 - s0) as f64 * us_per_tick / n,
        receiver_us: (r1 - r0) as f64 * us_per_tick / n,
        logged,
    }
}

fn c_inside(audisp_remote: &Path) {
    namespace::loopback_up();
    let count = 2000;
    let records: Vec<String> = (0..count).map(|i| record("web1", i)).collect();
    let input: String = records.concat();
    let dir = tempfile::tempdir().unwrap();
    // audisp-remote reads /etc/audit/audisp-remote.conf: a directory of ours over
    // it, in this mount namespace only.
    let etc = dir.path().join("etc-audit");
    std::fs::create_dir(&etc).unwrap();
    namespace::bind(&etc, Path::new("/etc/audit"));
    let sender_conf = |port: u16| {
        let queue = dir.path().join(format!("queue-{port}"));
        audisp_remote::write_conf(&etc, port, &queue, 10240);
    };
    let daemon = |conf: &Path| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_audit-daemon"));
        c.args(["-f", "-s", "nochange", "-c"])
            .arg(conf)
            .stderr(Stdio::null());
        c
    };

    // The C pair.
    let (conf, c_log) = receiver_conf(dir.path(), "auditd", 6201);
    sender_conf(6201);
    let mut auditd = Command::new("/sbin/auditd");
    auditd.args(["-n", "-c"]).arg(&conf).stderr(Stdio::null());
    let c = measure(Command::new(audisp_remote), auditd, 6201, &c_log, &input);

    // audisp-remote into audit-daemon.
    let (conf, mixed_log) = receiver_conf(dir.path(), "daemon-c", 6202);
    sender_conf(6202);
    let mixed = measure(
        Command::new(audisp_remote),
        daemon(&conf),
        6202,
        &mixed_log,
        &input,
    );

    // Ours: the plugin into audit-daemon.
    let (conf, ours_log) = receiver_conf(dir.path(), "daemon-rs", 6203);
    sender_conf(6203);
    let mut plugin = Command::new(std::env::current_exe().unwrap());
    plugin
        .args([
            "--exact",
            "audisp_remote_into_the_daemon_and_the_c_pair_on_one_stream",
            "--",
        ])
        .arg(etc.join("audisp-remote.conf"))
        .env(AS_PLUGIN, "1");
    let ours = measure(plugin, daemon(&conf), 6203, &ours_log, &input);
    run_ok("umount", &["/etc/audit"]);

    for (name, m) in [
        ("audisp-remote 3.0.9 -> auditd 3.0.9", &c),
        ("audisp-remote 3.0.9 -> audit-daemon", &mixed),
        ("audit-remote plugin -> audit-daemon", &ours),
    ] {
        println!(
            "{name}: {} of {count} logged, {:.0} records/s, CPU per record: sender {:.0} us, receiver {:.0} us",
            m.logged.len(),
            m.per_second,
            m.sender_us,
            m.receiver_us
        );
    }
    for (name, m) in [("audisp-remote -> audit-daemon", &mixed), ("ours", &ours)] {
        let mut got = m.logged.clone();
        let mut want = records.clone();
        got.sort_unstable();
        want.sort_unstable();
        assert!(
            got == want,
            "{name}: {} lines, not every record once",
            got.len()
        );
    }
}
