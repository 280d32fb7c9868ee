//! The sender as a plugin (`audit_remote::plugin::run`, what `examples/audit_remote`
//! runs): this test runs itself again as the plugin process, with an
//! `audisp-remote.conf` and records on its stdin, against our receiver on loopback.

use audit_remote::actions::{Level, Log};
use audit_remote::server::{FileSink, Receiver, ReceiverConfig};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const AS_PLUGIN: &str = "AUDIT_REMOTE_TEST_AS_PLUGIN";

struct Stderr;
impl Log for Stderr {
    fn log(&mut self, level: Level, message: &str) {
        eprintln!("plugin log {level:?}: {message}");
    }
}

fn main() {
    if std::env::var_os(AS_PLUGIN).is_some() {
        let code = match audit_remote::plugin::run(std::env::args().skip(1), Box::new(Stderr)) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("plugin: {e}");
                1
            }
        };
        std::process::exit(code);
    }
    let tests: [(&str, fn()); 5] = [
        (
            "records_on_stdin_reach_the_receiver",
            records_on_stdin_reach_the_receiver,
        ),
        (
            "network_failure_exec_runs_the_program",
            network_failure_exec_runs_the_program,
        ),
        (
            "suspend_holds_records_until_sigusr2",
            suspend_holds_records_until_sigusr2,
        ),
        (
            "transport_tls_reaches_a_tls_receiver",
            transport_tls_reaches_a_tls_receiver,
        ),
        (
            "remote_ending_exec_stops_sending_until_sigusr2",
            remote_ending_exec_stops_sending_until_sigusr2,
        ),
    ];
    for (name, test) in tests {
        eprintln!("test {name} ...");
        test();
        eprintln!("test {name} ... ok");
    }
}

/// Runs the plugin with `config` as its configuration and `input` on its stdin.
fn run_plugin(dir: &Path, config: &str, input: &[u8]) -> ExitStatus {
    let path = dir.join("audisp-remote.conf");
    std::fs::write(&path, config).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg(&path)
        .env(AS_PLUGIN, "1")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait().unwrap()
}

fn records(n: usize) -> (Vec<u8>, String) {
    let mut input = Vec::new();
    let mut expected = String::new();
    for i in 0..n {
        let line = format!(
            "type=USER_CMD msg=audit(1700000000.{:03}:{i}): pid={i} cmd=\"ls\" res=success\n",
            i % 1000
        );
        input.extend_from_slice(line.as_bytes());
        expected.push_str(&line);
        // EOE records are not sent, as audisp-remote.
        input.extend_from_slice(
            format!("type=EOE msg=audit(1700000000.{:03}:{i}): \n", i % 1000).as_bytes(),
        );
    }
    (input, expected)
}

fn records_on_stdin_reach_the_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let sink = Arc::new(FileSink::open(&dir.path().join("remote.log")).unwrap());
    let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    let (input, expected) = records(300);
    let config = format!(
        "remote_server = 127.0.0.1\nport = {}\nmode = forward\nqueue_file = {}\n\
         network_failure_action = stop\n",
        server.local_addr().port(),
        dir.path().join("queue").display()
    );
    let status = run_plugin(dir.path(), &config, &input);
    assert!(status.success(), "{status}");
    assert_eq!(server.shutdown().records_written, 300);
    let log = std::fs::read_to_string(dir.path().join("remote.log")).unwrap();
    assert_eq!(log, expected);
}

fn network_failure_exec_runs_the_program() {
    let dir = tempfile::tempdir().unwrap();
    // A port with nothing listening: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let marker = dir.path().join("marker");
    let program = dir.path().join("network-down");
    std::fs::write(
        &program,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> {}\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o750)).unwrap();
    // Never connected: audisp-remote runs startup_failure_action for it, not
    // network_failure_action (which is for a receiver lost after connecting).
    let config = format!(
        "remote_server = 127.0.0.1\nport = {port}\nqueue_file = {}\n\
         network_retry_time = 1\nmax_tries_per_record = 1\nmax_time_per_record = 1\n\
         startup_failure_action = exec {}\n",
        dir.path().join("queue").display(),
        program.display()
    );
    let (input, expected) = records(2);
    let status = run_plugin(dir.path(), &config, &input);
    assert!(status.success(), "{status}");
    // The program runs detached: wait for what it writes.
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&marker) {
            if !text.is_empty() {
                break text;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the network_failure program did not run"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        text.contains(&format!("127.0.0.1:{port}")),
        "its argument names the receiver: {text}"
    );

    // Nothing was lost: with the receiver up on that port, a run with no input sends
    // what the first run left queued.
    let sink = Arc::new(FileSink::open(&dir.path().join("remote.log")).unwrap());
    let server = Receiver::bind(("127.0.0.1", port), ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    let status = run_plugin(dir.path(), &config, b"");
    assert!(status.success(), "{status}");
    assert_eq!(server.shutdown().records_written, 2);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("remote.log")).unwrap(),
        expected
    );
}

fn suspend_holds_records_until_sigusr2() {
    let dir = tempfile::tempdir().unwrap();
    // Up at start, so that losing it is a network failure (before the first
    // connection, audisp-remote runs startup_failure_action instead).
    let log = dir.path().join("remote.log");
    let first = Receiver::bind(
        "127.0.0.1:0",
        ReceiverConfig::default(),
        Arc::new(FileSink::open(&log).unwrap()),
    )
    .unwrap()
    .spawn()
    .unwrap();
    let port = first.local_addr().port();
    let config_path = dir.path().join("audisp-remote.conf");
    std::fs::write(
        &config_path,
        format!(
            "remote_server = 127.0.0.1\nport = {port}\nqueue_file = {}\n\
             max_tries_per_record = 1\nmax_time_per_record = 1\n\
             startup_failure_action = ignore\nnetwork_failure_action = suspend\n",
            dir.path().join("queue").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg(&config_path)
        .env(AS_PLUGIN, "1")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (input, expected) = records(3);
    let deadline = Instant::now() + Duration::from_secs(20);
    while first.stats().heartbeats == 0 {
        assert!(Instant::now() < deadline, "the plugin did not connect");
        std::thread::sleep(Duration::from_millis(50));
    }
    first.shutdown();
    // The first record meets the closed port: network failure, suspended.
    stdin.write_all(&input).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let sink = Arc::new(FileSink::open(&dir.path().join("remote.log")).unwrap());
    let server = Receiver::bind(("127.0.0.1", port), ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    // Suspended: the timer (every second) does not send, though the receiver is up.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "",
        "sent while suspended"
    );
    let kill = Command::new("kill")
        .args(["-USR2", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&log).unwrap() != expected {
        assert!(Instant::now() < deadline, "not sent after SIGUSR2");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert_eq!(server.shutdown().records_written, 3);
}

fn transport_tls_reaches_a_tls_receiver() {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let dir = tempfile::tempdir().unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    let tls = audit_remote::tls::TlsServer::from_pem(
        server_cert.pem().as_bytes(),
        server_key.serialize_pem().as_bytes(),
        None,
    )
    .unwrap();
    let sink = Arc::new(FileSink::open(&dir.path().join("remote.log")).unwrap());
    let config = ReceiverConfig {
        tls: Some(tls),
        ..ReceiverConfig::default()
    };
    let server = Receiver::bind("127.0.0.1:0", config, sink)
        .unwrap()
        .spawn()
        .unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let (input, expected) = records(50);
    let config = format!(
        "remote_server = 127.0.0.1\nport = {}\nqueue_file = {}\ntransport = tls\n\
         tls_ca_file = {}\ntls_server_name = localhost\n",
        server.local_addr().port(),
        dir.path().join("queue").display(),
        ca_file.display()
    );
    let status = run_plugin(dir.path(), &config, &input);
    assert!(status.success(), "{status}");
    assert_eq!(server.shutdown().records_written, 50);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("remote.log")).unwrap(),
        expected
    );
}

/// `remote_ending_action = exec PROGRAM`: on the receiver's ENDING the program runs
/// with the message, and nothing is sent (the receiver being back meanwhile) until
/// SIGUSR2; then the queued record goes, once.
fn remote_ending_exec_stops_sending_until_sigusr2() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("remote.log");
    let first = Receiver::bind(
        "127.0.0.1:0",
        ReceiverConfig::default(),
        Arc::new(FileSink::open(&log).unwrap()),
    )
    .unwrap()
    .spawn()
    .unwrap();
    let port = first.local_addr().port();
    let marker = dir.path().join("ending.txt");
    let program = dir.path().join("ending");
    std::fs::write(
        &program,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> {}\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o750)).unwrap();
    let config_path = dir.path().join("audisp-remote.conf");
    std::fs::write(
        &config_path,
        format!(
            "remote_server = 127.0.0.1\nport = {port}\nqueue_file = {}\n\
             max_time_per_record = 2\nremote_ending_action = exec {}\n",
            dir.path().join("queue").display(),
            program.display()
        ),
    )
    .unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg(&config_path)
        .env(AS_PLUGIN, "1")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (input, expected) = records(2);
    let split = input.len() / 2;
    let wait_until = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    stdin.write_all(&input[..split]).unwrap();
    stdin.flush().unwrap();
    wait_until("the first record", &|| {
        std::fs::read_to_string(&log).is_ok_and(|t| !t.is_empty())
    });
    // ENDING on the plugin's connection; a receiver on the same port at once.
    first.shutdown();
    let second = Receiver::bind(
        ("127.0.0.1", port),
        ReceiverConfig::default(),
        Arc::new(FileSink::open(&log).unwrap()),
    )
    .unwrap()
    .spawn()
    .unwrap();
    stdin.write_all(&input[split..]).unwrap();
    stdin.flush().unwrap();
    wait_until("the remote_ending program", &|| {
        std::fs::read_to_string(&marker).is_ok_and(|t| !t.is_empty())
    });
    let said = std::fs::read_to_string(&marker).unwrap();
    assert!(said.contains("is ending"), "its argument: {said}");
    std::thread::sleep(Duration::from_secs(3));
    let (first_line, _) = expected.split_at(expected.find('\n').unwrap() + 1);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        first_line,
        "sent after ENDING without SIGUSR2"
    );
    let kill = Command::new("kill")
        .args(["-USR2", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    wait_until("the queued record after SIGUSR2", &|| {
        std::fs::read_to_string(&log).unwrap() == expected
    });
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert_eq!(second.shutdown().records_written, 1);
}
