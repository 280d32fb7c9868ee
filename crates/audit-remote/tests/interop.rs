//! Interoperation with the C implementation, auditd 3.0.9, both ways:
//!
//! - our sender → the real auditd listener (`tcp_listen_port`, `local_events = no`, its
//!   own config directory): every record in auditd's log, once, in order, both
//!   stop-and-wait and with a window of frames in flight; a heartbeat answered;
//! - the real `audisp-remote` (from Debian's `audispd-plugins`, fetched with
//!   `apt-get download` and unpacked with `dpkg -x` into the target directory, never
//!   installed) → our receiver: every record once, no frame our codec rejects.
//!
//! The test runs itself again inside `unshare -m -n` (`audit_testlock::namespace`): a
//! private network namespace (only its own loopback) and a private mount namespace,
//! where a temporary directory is bound over `/etc/audit` because audisp-remote reads
//! its configuration from a fixed path there. Nothing of the machine's configuration or audit state changes.

use audit_remote::sender::{Queued, Sender, SenderConfig};
use audit_remote::server::{FileSink, Receiver, ReceiverConfig};
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use audit_testlock::audisp_remote;
use audit_testlock::namespace::{self, Private};
use audit_testlock::process::{run_ok, Started};

/// Set, in the copy of this test that runs inside the namespaces, to the path of
/// audisp-remote.
const INSIDE: &str = "AUDIT_REMOTE_INTEROP_INSIDE";

fn main() {
    if let Some(audisp_remote) = namespace::inside(INSIDE) {
        inside(Path::new(&audisp_remote));
        return;
    }
    // auditd shares its pid file with every other auditd a test starts.
    let _guard = audit_testlock::live_lock();
    if let Some(why) = audit_testlock::live_kernel_unavailable_reason() {
        audit_testlock::skip(why);
        return;
    }
    if !namespace::tools_installed(&["/sbin/auditd", "/usr/bin/dpkg"]) {
        return;
    }
    let Some(audisp_remote) = audisp_remote::fetch(Path::new(env!("CARGO_TARGET_TMPDIR"))) else {
        return;
    };
    let status = namespace::rerun_self(Private::MountsAndNetwork, INSIDE, &audisp_remote, &[]);
    assert!(status.success(), "the interop scenarios failed: {status}");
    println!("interop: both directions passed");
}

fn inside(audisp_remote: &Path) {
    namespace::loopback_up();
    our_sender_to_real_auditd();
    real_audisp_remote_to_our_receiver(audisp_remote);
    c_pair_and_ours_on_one_stream(audisp_remote);
}

fn record(i: usize) -> String {
    format!(
        "type=USER_CMD msg=audit(1700000{:03}.{:03}:{i}): pid={i} uid=0 auid=1000 ses=3 msg='cwd=\"/root\" cmd=7472756500 exe=\"/usr/bin/sudo\" res=success'\n",
        i / 1000,
        i % 1000
    )
}

fn write_file(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn wait_for_port(addr: SocketAddr, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening: {status}");
        }
        assert!(Instant::now() < deadline, "{what} never listened on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stops a child by its pid (SIGTERM) and waits for it.
fn stop(child: &mut Child) {
    run_ok("kill", &["-TERM", &child.id().to_string()]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "pid {} did not stop", child.id());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts auditd 3.0.9 as a pure aggregator (`local_events = no`) in `dir`, listening
/// on loopback `port`, logging to `dir/audit.log` with `flush`.
fn start_auditd(dir: &Path, port: u16, flush: &str) -> (Started, PathBuf, SocketAddr) {
    let conf_dir = dir.join("etc");
    std::fs::create_dir_all(conf_dir.join("plugins.d")).unwrap();
    let log = dir.join("audit.log");
    write_file(
        &conf_dir.join("auditd.conf"),
        &format!(
            "local_events = no\nlog_file = {}\nlog_format = RAW\nwrite_logs = yes\n\
             flush = {flush}\nfreq = 50\nmax_log_file_action = IGNORE\n\
             space_left = 2\nadmin_space_left = 1\nspace_left_action = IGNORE\n\
             admin_space_left_action = IGNORE\ndisk_full_action = IGNORE\n\
             disk_error_action = IGNORE\nplugin_dir = {}\nname_format = none\n\
             tcp_listen_port = {port}\ntcp_max_per_addr = 1\n",
            log.display(),
            conf_dir.join("plugins.d").display()
        ),
        0o640,
    );
    let auditd = Command::new("/sbin/auditd")
        .args(["-n", "-c"])
        .arg(&conf_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("auditd.err")).unwrap())
        .spawn()
        .expect("start auditd");
    let mut auditd = Started(auditd);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    wait_for_port(addr, &mut auditd.0, "auditd");
    // auditd takes one connection per address: the probe's must be gone first.
    std::thread::sleep(Duration::from_millis(200));
    (auditd, log, addr)
}

/// The records of auditd's log, without its own DAEMON_* records.
fn logged_records(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("type=DAEMON_"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Writes an audisp-remote.conf for `port` into `etc` and binds `etc` over
/// /etc/audit (in this private mount namespace), where audisp-remote looks for it.
fn configure_audisp_remote(etc: &Path, port: u16, queue: &Path) {
    audisp_remote::write_conf(etc, port, queue, 10240);
    std::fs::set_permissions(etc, std::fs::Permissions::from_mode(0o755)).unwrap();
    namespace::bind(etc, Path::new("/etc/audit"));
}

/// Runs audisp-remote on `input` until it exits (at the end of its input).
fn run_audisp_remote(audisp_remote: &Path, input: &str) -> std::process::ExitStatus {
    let plugin = Command::new(audisp_remote)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start audisp-remote");
    let mut plugin = Started(plugin);
    let mut stdin = plugin.0.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = plugin.0.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "audisp-remote did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn our_sender_to_real_auditd() {
    let dir = tempfile::tempdir().unwrap();
    let (mut auditd, log, addr) = start_auditd(dir.path(), 60_000, "INCREMENTAL_ASYNC");
    let auditd = &mut auditd.0;
    let mut expected = Vec::new();
    let mut next = 0;
    // Stop-and-wait one record per call, then a window with records spooled in batches.
    for (window, batch, count) in [(1usize, 1usize, 1000usize), (16, 100, 100_000)] {
        let mut config = SenderConfig::new(addr);
        config.window = window;
        config.retry_time = Duration::from_millis(200);
        config.max_tries = 10;
        let mut sender = Sender::open(config, &dir.path().join(format!("queue{window}"))).unwrap();
        let started = Instant::now();
        for _ in 0..count / batch {
            let records: Vec<String> = (next..next + batch).map(record).collect();
            next += batch;
            if batch == 1 {
                let sent = sender.send(records[0].as_bytes());
                assert!(matches!(sent, Ok(Queued::Spooled(_))), "{sent:?}");
            } else {
                let sent = sender.send_all(records.iter().map(String::as_bytes));
                assert_eq!(sent.unwrap(), batch);
            }
            expected.extend(records);
        }
        sender.heartbeat().unwrap();
        sender.flush().unwrap();
        let elapsed = started.elapsed();
        assert_eq!(sender.pending(), 0);
        assert_eq!(sender.stats().acknowledged, count as u64);
        assert_eq!(sender.stats().heartbeats, 1);
        println!(
            "our sender → auditd 3.0.9, window {window}, batches of {batch}: {count} records in {elapsed:?} ({:.0}/s)",
            count as f64 / elapsed.as_secs_f64()
        );
        // Close this sender's connection before the next one connects.
        drop(sender);
        std::thread::sleep(Duration::from_millis(300));
    }
    stop(auditd);
    let logged = logged_records(&log);
    assert_eq!(logged.len(), expected.len(), "records in auditd's log");
    assert!(
        logged == expected,
        "auditd's log differs from what was sent"
    );
}

fn real_audisp_remote_to_our_receiver(audisp_remote: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let port = 60_001;
    let log = dir.path().join("remote.log");
    let sink = Arc::new(FileSink::open(&log).unwrap());
    let server = Receiver::bind(("127.0.0.1", port), ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();

    configure_audisp_remote(&dir.path().join("etc-audit"), port, &dir.path().join("q"));
    let count = 500;
    let mut input = String::new();
    let mut expected = Vec::new();
    for i in 0..count {
        let r = record(10_000 + i);
        input.push_str(&r);
        expected.push(r);
        input.push_str(&format!(
            "type=EOE msg=audit(1700000000.000:{}): \n",
            10_000 + i
        ));
    }
    let status = run_audisp_remote(audisp_remote, &input);
    run_ok("umount", &["/etc/audit"]);
    let stats = server.shutdown();
    assert_eq!(stats.protocol_errors, 0, "{:?}", stats.last_protocol_error);
    let text = std::fs::read_to_string(&log).unwrap();
    let got: Vec<&str> = text.split_inclusive('\n').collect();
    assert_eq!(
        got.len(),
        count,
        "records from audisp-remote (it exited {status})"
    );
    assert!(
        got == expected,
        "the receiver's log differs from audisp-remote's input"
    );
    assert_eq!(stats.duplicates_dropped, 0);
    println!("audisp-remote 3.0.9 → our receiver: {count} records, exit {status}");
}

/// The same stream through the C pair (audisp-remote → auditd, `flush = SYNC`) and
/// through ours (sender, window 16, → receiver syncing each batch): ours delivers
/// every record once; both rates are printed for comparison.
fn c_pair_and_ours_on_one_stream(audisp_remote: &Path) {
    let count = 3000;
    let records: Vec<String> = (20_000..20_000 + count).map(record).collect();
    let input: String = records.concat();

    let dir = tempfile::tempdir().unwrap();
    let (mut auditd, log, addr) = start_auditd(dir.path(), 60_002, "SYNC");
    configure_audisp_remote(
        &dir.path().join("etc-audit"),
        addr.port(),
        &dir.path().join("q"),
    );
    let started = Instant::now();
    let status = run_audisp_remote(audisp_remote, &input);
    let c_elapsed = started.elapsed();
    run_ok("umount", &["/etc/audit"]);
    stop(&mut auditd.0);
    let c_logged = logged_records(&log);
    let c_once = c_logged == records;

    let ours_dir = tempfile::tempdir().unwrap();
    let ours_log = ours_dir.path().join("remote.log");
    let sink = Arc::new(FileSink::open(&ours_log).unwrap());
    let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    let mut config = SenderConfig::new(server.local_addr());
    config.window = 16;
    let started = Instant::now();
    let mut sender = Sender::open(config, &ours_dir.path().join("q")).unwrap();
    for chunk in records.chunks(100) {
        sender.send_all(chunk.iter().map(String::as_bytes)).unwrap();
    }
    sender.flush().unwrap();
    let ours_elapsed = started.elapsed();
    server.shutdown();
    let ours: Vec<String> = std::fs::read_to_string(&ours_log)
        .unwrap()
        .split_inclusive('\n')
        .map(str::to_owned)
        .collect();
    println!(
        "same {count} records: audisp-remote → auditd 3.0.9 (flush = SYNC): {} logged{} in {c_elapsed:?} ({:.0}/s, exit {status}); ours: {} in {ours_elapsed:?} ({:.0}/s)",
        c_logged.len(),
        if c_once { ", each once in order" } else { ", NOT each once in order" },
        c_logged.len() as f64 / c_elapsed.as_secs_f64(),
        ours.len(),
        ours.len() as f64 / ours_elapsed.as_secs_f64(),
    );
    assert!(
        ours == records,
        "ours did not deliver every record once, in order"
    );
}
