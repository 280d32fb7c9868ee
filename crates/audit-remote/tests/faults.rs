//! Faults between our sender and our receiver, in private network and mount
//! namespaces (`unshare -m -n`, only their own loopback and mounts). Each ends with
//! the receiver's log holding every record sent exactly once (sorted lines compared
//! with the input):
//!
//! - the receiver process killed (SIGKILL) and restarted five times mid-stream;
//! - the receiver stopped (SIGSTOP) for longer than `max_time_per_record`, the
//!   sender giving up meanwhile (a network failure), then continued;
//! - a full disk at the receiver (a small tmpfs): DISKFULL makes the plugin run
//!   its `disk_full_action` program; once space is freed, everything arrives.
//!
//! The test binary is its own helper: run again in the namespaces
//! (`audit_testlock::namespace`) it runs the scenarios, with `--receiver PORT LOG` a
//! receiver until killed, and with the environment variable `AS_PLUGIN` set it is the
//! sender plugin.

use audit_remote::actions::{Level, Log};
use audit_remote::sender::{SendError, Sender, SenderConfig};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod receiver_process;
use audit_testlock::namespace::{self, Private};
use receiver_process::{lines, patient_sender, run_receiver, start_receiver, Started};

const AS_PLUGIN: &str = "AUDIT_REMOTE_FAULTS_AS_PLUGIN";
/// Set in the copy of this test that runs the scenarios inside the namespaces.
const INSIDE: &str = "AUDIT_REMOTE_FAULTS_INSIDE";

struct Stderr;
impl Log for Stderr {
    fn log(&mut self, level: Level, message: &str) {
        eprintln!("plugin log {level:?}: {message}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if std::env::var_os(AS_PLUGIN).is_some() {
        let result = audit_remote::plugin::run(args.into_iter().skip(1), Box::new(Stderr));
        if let Err(e) = &result {
            eprintln!("plugin: {e}");
        }
        std::process::exit(i32::from(result.is_err()));
    }
    match args.get(1).map(String::as_str) {
        Some("--receiver") => run_receiver(args[2].parse().unwrap(), Path::new(&args[3])),
        _ if namespace::inside(INSIDE).is_some() => inside(),
        _ => {
            if !namespace::tools_installed(&["/bin/mount"]) {
                return;
            }
            if !audit_testlock::is_root() {
                audit_testlock::skip("namespaces need root");
                return;
            }
            let status = namespace::rerun_self(Private::MountsAndNetwork, INSIDE, "1", &[]);
            assert!(status.success(), "the fault scenarios failed: {status}");
        }
    }
}

fn inside() {
    namespace::loopback_up();
    let started = Instant::now();
    receiver_killed_five_times();
    println!("receiver killed five times: ok ({:?})", started.elapsed());
    let started = Instant::now();
    receiver_paused_past_max_time();
    println!(
        "receiver paused past max_time: ok ({:?})",
        started.elapsed()
    );
    let started = Instant::now();
    full_disk_at_the_receiver();
    println!("full disk at the receiver: ok ({:?})", started.elapsed());
}

fn record(i: usize) -> String {
    format!(
        "node=web{} type=SYSCALL msg=audit(1700000{:03}.{:03}:{i}): arch=c000003e syscall=59 success=yes exit=0 pid={i} comm=\"true\"\n",
        i % 3,
        i / 1000,
        i % 1000
    )
}

/// Every record of `0..count` exactly once: sorted lines against sorted input.
fn assert_exactly_once(log: &Path, count: usize) {
    let text = std::fs::read_to_string(log).unwrap();
    let mut got: Vec<&str> = text.split_inclusive('\n').collect();
    let mut expected: Vec<String> = (0..count).map(record).collect();
    got.sort_unstable();
    expected.sort_unstable();
    let repeated = got.windows(2).filter(|w| w[0] == w[1]).count();
    let missing = expected
        .iter()
        .filter(|r| got.binary_search(&r.as_str()).is_err())
        .count();
    assert_eq!(
        (got.len(), repeated, missing),
        (count, 0, 0),
        "lines logged, repeated, missing"
    );
    assert!(got == expected, "a line is not one of the records sent");
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn receiver_killed_five_times() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("remote.log");
    let port = 6101;
    let mut receiver = start_receiver(port, &log);
    let count = 3000;
    let queue = dir.path().join("queue");
    let sending = std::thread::spawn(move || {
        let mut sender = Sender::open(patient_sender(port, count), &queue).unwrap();
        for i in 0..count {
            sender.send(record(i).as_bytes()).unwrap();
        }
        sender.flush().unwrap();
        sender.stats().clone()
    });
    for kill_at in [400, 900, 1400, 1900, 2400] {
        wait_for(
            &format!("{kill_at} records"),
            Duration::from_secs(60),
            || lines(&log) >= kill_at,
        );
        receiver.0.kill().unwrap();
        receiver.0.wait().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        receiver = start_receiver(port, &log);
    }
    let stats = sending.join().unwrap();
    drop(receiver);
    assert!(stats.connections >= 6, "{stats:?}");
    assert_exactly_once(&log, count);
}

fn receiver_paused_past_max_time() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("remote.log");
    let port = 6102;
    let receiver = start_receiver(port, &log);
    let count = 600;
    let queue = dir.path().join("queue");
    // As the plugin with max_time_per_record = 1, max_tries_per_record = 3: a
    // reply is waited for a second; a failed call is tried again on the next tick.
    let sending = std::thread::spawn(move || {
        let mut config = SenderConfig::new(([127, 0, 0, 1], port).into());
        config.reply_timeout = Duration::from_secs(1);
        config.connect_timeout = Duration::from_secs(1);
        config.max_time = Some(Duration::from_secs(1));
        config.retry_time = Duration::from_millis(200);
        config.queue_depth = count;
        let mut sender = Sender::open(config, &queue).unwrap();
        let mut failures = 0;
        for i in 0..count {
            let mut result = sender.send(record(i).as_bytes()).map(|_| ());
            loop {
                match result {
                    Ok(()) => break,
                    Err(SendError::Network { .. }) => {
                        failures += 1;
                        std::thread::sleep(Duration::from_millis(500));
                        result = sender.flush();
                    }
                    Err(e) => panic!("record {i}: {e}"),
                }
            }
        }
        sender.flush().unwrap();
        (failures, sender.stats().clone())
    });
    wait_for("200 records", Duration::from_secs(60), || {
        lines(&log) >= 200
    });
    let pid = rustix::process::Pid::from_child(&receiver.0);
    rustix::process::kill_process(pid, rustix::process::Signal::STOP).unwrap();
    std::thread::sleep(Duration::from_secs(4));
    rustix::process::kill_process(pid, rustix::process::Signal::CONT).unwrap();
    let (failures, stats) = sending.join().unwrap();
    drop(receiver);
    assert!(
        failures >= 1,
        "the pause was not a network failure: {stats:?}"
    );
    assert_exactly_once(&log, count);
}

fn full_disk_at_the_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    namespace::mount_tmpfs(&mnt, "size=64k", "tmpfs");
    let log = mnt.join("remote.log");
    let port = 6103;
    let receiver = start_receiver(port, &log);
    // Fill the file system but for one page: the first records fit, the one that
    // crosses the page's end is written only in part, the rest meet a full disk.
    let filler = mnt.join("filler");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=1k"])
        .arg(format!("of={}", filler.display()))
        .stderr(Stdio::null())
        .status();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(std::fs::metadata(&filler).unwrap().len() - 4096)
        .unwrap();

    let marker = dir.path().join("disk-full.txt");
    let program = dir.path().join("disk-full");
    std::fs::write(
        &program,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> {}\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o750)).unwrap();
    let config = dir.path().join("audisp-remote.conf");
    std::fs::write(
        &config,
        format!(
            "remote_server = 127.0.0.1\nport = {port}\nmode = forward\nqueue_file = {}\n\
             queue_depth = 10000\nnetwork_retry_time = 1\nmax_time_per_record = 2\n\
             disk_full_action = exec {}\n",
            dir.path().join("queue").display(),
            program.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let count = 400;
    let mut plugin = Started(
        Command::new(std::env::current_exe().unwrap())
            .arg(&config)
            .env(AS_PLUGIN, "1")
            .stdin(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut input = plugin.0.stdin.take().unwrap();
    let input_text: String = (0..count).map(record).collect();
    input.write_all(input_text.as_bytes()).unwrap();
    wait_for("the disk_full program", Duration::from_secs(30), || {
        std::fs::read_to_string(&marker).is_ok_and(|t| !t.is_empty())
    });
    let said = std::fs::read_to_string(&marker).unwrap();
    assert!(said.contains("DISKFULL"), "its argument: {said}");
    assert!(lines(&log) < count, "the disk was not full");
    std::fs::remove_file(&filler).unwrap();
    // The plugin's timer sends what is queued, every second.
    wait_for("every record", Duration::from_secs(30), || {
        lines(&log) >= count
    });
    drop(input);
    let status = plugin.0.wait().unwrap();
    assert!(status.success(), "plugin: {status}");
    drop(receiver);
    assert_exactly_once(&log, count);
}
