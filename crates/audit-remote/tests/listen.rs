//! A receiver set up from `auditd.conf` text (`ListenConfig`), against our sender
//! over loopback: `tcp_max_per_addr = 1` with a restarted sender, heartbeats and the
//! idle reaper, `tcp_client_ports`.

use audit_remote::listen::ListenConfig;
use audit_remote::sender::{SendError, Sender, SenderConfig};
use audit_remote::server::{FileSink, Receiver, ReceiverHandle};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn receiver(auditd_conf: &str, log: &Path) -> ReceiverHandle {
    let listen = ListenConfig::from_auditd_conf(auditd_conf).unwrap();
    let listener = listen.bind_to("127.0.0.1:0".parse().unwrap()).unwrap();
    let sink = Arc::new(FileSink::open(log).unwrap());
    Receiver::from_listener(listener, listen.receiver_config(), sink)
        .unwrap()
        .spawn()
        .unwrap()
}

fn record(i: usize) -> Vec<u8> {
    format!(
        "type=USER msg=audit(1700000001.{:03}:{i}): n={i}\n",
        i % 1000
    )
    .into_bytes()
}

/// A restarted sender: retries every 200 ms for up to `patience`.
fn sender_config(server: SocketAddr, patience: Duration) -> SenderConfig {
    SenderConfig {
        retry_time: Duration::from_millis(200),
        max_tries: 1000,
        max_time: Some(patience),
        reply_timeout: Duration::from_secs(5),
        ..SenderConfig::new(server)
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The sender's machine rebooted: its old connection is half-open (the receiver
/// never hears of its end), and the new sender comes from the same address.
fn restarted_sender_gets_in(auditd_conf: &str) -> Result<(), SendError> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let server = receiver(auditd_conf, &log);
    let half_open = TcpStream::connect(server.local_addr()).unwrap();
    wait_until("the old connection", || server.open_connections() == 1);
    let mut sender = Sender::open(
        sender_config(server.local_addr(), Duration::from_secs(4)),
        &dir.path().join("queue"),
    )
    .unwrap();
    let sent = sender.send(&record(1)).and_then(|_| sender.flush());
    drop(half_open);
    if sent.is_ok() {
        assert_eq!(std::fs::read(&log).unwrap(), record(1));
        let stats = server.shutdown();
        assert!(stats.connections_refused >= 1, "{stats:?}");
        assert_eq!(stats.connections_reaped, 1, "{stats:?}");
    }
    sent
}

#[test]
fn a_restarted_sender_is_let_in_once_its_half_open_connection_is_reaped() {
    restarted_sender_gets_in("tcp_max_per_addr = 1\ntcp_client_max_idle = 1\n").unwrap();
}

#[test]
fn without_the_idle_reaper_the_half_open_connection_keeps_it_out() {
    // auditd's default (no idle limit): what its users report.
    match restarted_sender_gets_in("tcp_max_per_addr = 1\n") {
        Err(SendError::Network { .. }) => {}
        other => panic!("expected a network failure, got {other:?}"),
    }
}

#[test]
fn a_sender_that_heartbeats_is_never_reaped() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let server = receiver("tcp_max_per_addr = 1\ntcp_client_max_idle = 1\n", &log);
    let mut sender = Sender::open(
        sender_config(server.local_addr(), Duration::from_secs(4)),
        &dir.path().join("queue"),
    )
    .unwrap();
    sender.send(&record(1)).unwrap();
    // Quiet for 2.5 idle periods, but for a heartbeat every 400 ms.
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(400));
        sender.heartbeat().unwrap();
    }
    sender.send(&record(2)).unwrap();
    sender.flush().unwrap();
    assert_eq!(sender.stats().connections, 1, "{:?}", sender.stats());
    let stats = server.shutdown();
    assert_eq!(stats.connections_reaped, 0, "{stats:?}");
    assert_eq!(stats.heartbeats, 6, "{stats:?}");
    assert_eq!(
        std::fs::read(&log).unwrap(),
        [record(1), record(2)].concat()
    );
}

#[test]
fn a_sender_from_a_port_outside_tcp_client_ports_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    // Ephemeral ports are far above 1023.
    let server = receiver("tcp_client_ports = 1-1023\n", &log);
    let mut config = sender_config(server.local_addr(), Duration::from_millis(500));
    config.max_tries = 2;
    let mut sender = Sender::open(config, &dir.path().join("queue")).unwrap();
    let sent = sender.send(&record(1)).and_then(|_| sender.flush());
    assert!(
        matches!(sent, Err(SendError::Network { .. })),
        "expected a refusal, got {sent:?}"
    );
    assert_eq!(sender.pending(), 1);
    assert!(server.shutdown().connections_refused >= 1);
    assert_eq!(std::fs::read(&log).unwrap(), b"");
}

#[test]
fn a_sender_from_a_privileged_local_port_is_let_in() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let server = receiver("tcp_client_ports = 1-1023\n", &log);
    // A free privileged port (the tests run as root).
    let port = (600..1000)
        .find(|p| std::net::TcpListener::bind(("0.0.0.0", *p)).is_ok())
        .unwrap();
    let mut config = sender_config(server.local_addr(), Duration::from_secs(2));
    config.local_port = Some(port);
    let mut sender = Sender::open(config, &dir.path().join("queue")).unwrap();
    sender.send(&record(1)).unwrap();
    sender.flush().unwrap();
    assert_eq!(std::fs::read(&log).unwrap(), record(1));
    let stats = server.shutdown();
    assert_eq!(
        (stats.connections_accepted, stats.connections_refused),
        (1, 0)
    );
}

#[test]
fn ending_without_reconnect_is_an_error_and_the_record_stays_spooled() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let server = receiver("", &log);
    let addr = server.local_addr();
    let mut config = sender_config(addr, Duration::from_secs(2));
    config.reconnect_on_ending = false;
    let mut sender = Sender::open(config, &dir.path().join("queue")).unwrap();
    sender.send(&record(1)).unwrap();
    sender.flush().unwrap();
    // The receiver goes down (ENDING on the open connection), and comes back.
    drop(server);
    let _again = Receiver::from_listener(
        ListenConfig::default().bind_to(addr).unwrap(),
        ListenConfig::default().receiver_config(),
        Arc::new(FileSink::open(&log).unwrap()),
    )
    .unwrap()
    .spawn()
    .unwrap();
    match sender.send(&record(2)) {
        Err(SendError::Ending { server, .. }) => assert_eq!(server, addr),
        other => panic!("expected ENDING, got {other:?}"),
    }
    assert_eq!(sender.pending(), 1);
    assert_eq!(sender.stats().connections, 1, "no reconnect");
    assert_eq!(std::fs::read(&log).unwrap(), record(1));
}
