//! Our sender and our receiver, and raw frames, over loopback TCP.

use audit_remote::frame::{decode_all, Frame, FrameType, HEADER_SIZE};
use audit_remote::sender::{Queued, SendError, Sender, SenderConfig};
use audit_remote::server::{Durability, FileSink, Receiver, ReceiverConfig, Sink, SinkError};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keeps records in memory; can be told to fail or to hold writes.
#[derive(Default)]
struct MemorySink {
    records: Mutex<Vec<Vec<u8>>>,
    full: AtomicBool,
    hold: AtomicBool,
}

impl MemorySink {
    fn records(&self) -> Vec<Vec<u8>> {
        self.records.lock().unwrap().clone()
    }
}

impl Sink for MemorySink {
    fn write(&self, _peer: SocketAddr, record: &[u8]) -> Result<Durability, SinkError> {
        while self.hold.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        if self.full.load(Ordering::SeqCst) {
            return Err(SinkError::DiskFull("no space left".into()));
        }
        self.records.lock().unwrap().push(record.to_vec());
        Ok(Durability::Written)
    }
}

fn start(config: ReceiverConfig) -> (Arc<MemorySink>, audit_remote::server::ReceiverHandle) {
    let sink = Arc::new(MemorySink::default());
    let receiver = Receiver::bind("127.0.0.1:0", config, sink.clone()).unwrap();
    (sink, receiver.spawn().unwrap())
}

fn record(i: usize) -> Vec<u8> {
    format!(
        "type=USER msg=audit(1700000000.{:03}:{i}): n={i}\n",
        i % 1000
    )
    .into_bytes()
}

fn read_frame(stream: &mut TcpStream) -> Frame {
    let mut header = [0u8; HEADER_SIZE];
    stream.read_exact(&mut header).unwrap();
    let len = usize::from(u16::from_le_bytes([header[10], header[11]]));
    let mut bytes = header.to_vec();
    bytes.resize(HEADER_SIZE + len, 0);
    stream.read_exact(&mut bytes[HEADER_SIZE..]).unwrap();
    let (mut frames, rest) = decode_all(&bytes).unwrap();
    assert_eq!((frames.len(), rest), (1, 0));
    frames.remove(0)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn every_record_arrives_once_in_order_and_eoe_is_not_sent() {
    for window in [1, 8] {
        let (sink, server) = start(ReceiverConfig::default());
        let dir = tempfile::tempdir().unwrap();
        let mut config = SenderConfig::new(server.local_addr());
        config.window = window;
        let mut sender = Sender::open(config, &dir.path().join("queue")).unwrap();
        let mut expected = Vec::new();
        for i in 0..300 {
            let r = record(i);
            assert_eq!(sender.send(&r).unwrap(), Queued::Spooled(2 + i as u32));
            expected.push(r);
            if i % 50 == 0 {
                let eoe = format!("type=EOE msg=audit(1700000000.000:{i}): \n");
                assert_eq!(sender.send(eoe.as_bytes()).unwrap(), Queued::DroppedEoe);
            }
        }
        let named_eoe = b"node=web1 type=EOE msg=audit(1700000000.000:1): \n";
        assert_eq!(sender.send(named_eoe).unwrap(), Queued::DroppedEoe);
        sender.flush().unwrap();
        assert_eq!(sender.pending(), 0);
        assert_eq!(sink.records(), expected, "window {window}");
        assert_eq!(sender.stats().acknowledged, 300);
        let stats = server.shutdown();
        assert_eq!(stats.records_written, 300);
        assert_eq!(stats.duplicates_dropped, 0);
    }
}

#[test]
fn heartbeat_is_answered_with_an_ack_of_its_sequence() {
    let (sink, server) = start(ReceiverConfig::default());
    let mut client = connect(server.local_addr());
    let heartbeat = Frame::new(FrameType::HEARTBEAT, 41, Vec::new());
    client.write_all(&heartbeat.encode().unwrap()).unwrap();
    let reply = read_frame(&mut client);
    assert_eq!(reply, Frame::new(FrameType::ACK, 41, Vec::new()));
    assert!(sink.records().is_empty());
    assert_eq!(server.stats().heartbeats, 1);
}

#[test]
fn the_ack_waits_for_the_write() {
    let (sink, server) = start(ReceiverConfig::default());
    sink.hold.store(true, Ordering::SeqCst);
    let mut client = connect(server.local_addr());
    client
        .write_all(&Frame::message(2, record(0)).encode().unwrap())
        .unwrap();
    client
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0u8; 1];
    let early = client.read(&mut byte);
    assert!(early.is_err(), "a reply came before the write: {early:?}");
    sink.hold.store(false, Ordering::SeqCst);
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert_eq!(read_frame(&mut client).kind, FrameType::ACK);
    assert_eq!(sink.records(), vec![record(0)]);
}

#[test]
fn a_resent_record_is_acknowledged_but_not_written_twice() {
    let (sink, server) = start(ReceiverConfig::default());
    let addr = server.local_addr();
    let frame = Frame::message(7, record(7)).encode().unwrap();
    for _ in 0..2 {
        // A new connection each time, as after a lost ACK.
        let mut client = connect(addr);
        client.write_all(&frame).unwrap();
        assert_eq!(
            read_frame(&mut client),
            Frame::new(FrameType::ACK, 7, Vec::new())
        );
        drop(client);
        wait_until("the connection to close", || server.open_connections() == 0);
    }
    // A restarted sender reusing sequence 7 for a new record is not a duplicate.
    let mut client = connect(addr);
    client
        .write_all(&Frame::message(7, record(8)).encode().unwrap())
        .unwrap();
    assert_eq!(read_frame(&mut client).kind, FrameType::ACK);
    assert_eq!(sink.records(), vec![record(7), record(8)]);
    assert_eq!(server.stats().duplicates_dropped, 1);
}

#[test]
fn shutdown_sends_ending_with_sequence_zero() {
    let (_sink, server) = start(ReceiverConfig::default());
    let mut client = connect(server.local_addr());
    client
        .write_all(
            &Frame::new(FrameType::HEARTBEAT, 2, Vec::new())
                .encode()
                .unwrap(),
        )
        .unwrap();
    read_frame(&mut client);
    let stats = server.shutdown();
    assert_eq!(
        read_frame(&mut client),
        Frame::new(FrameType::ENDING, 0, Vec::new())
    );
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(stats.connections_accepted, 1);
}

#[test]
fn one_connection_per_address_and_idle_ones_are_reaped() {
    let config = ReceiverConfig {
        client_max_idle: Some(Duration::from_millis(400)),
        ..ReceiverConfig::default()
    };
    let (sink, server) = start(config);
    let addr = server.local_addr();
    // The half-open connection of a client that restarted: never heard from again.
    let stale = connect(addr);
    wait_until("the first connection", || server.open_connections() == 1);
    let mut second = connect(addr);
    let mut byte = [0u8; 1];
    assert_eq!(
        second.read(&mut byte).unwrap(),
        0,
        "refused while one is open"
    );
    assert_eq!(server.stats().connections_refused, 1);
    wait_until("the idle connection to be reaped", || {
        server.stats().connections_reaped == 1
    });
    // Reaped is closed: the stale client reads the end of the stream.
    let mut stale = stale;
    stale
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    assert_eq!(
        stale.read(&mut byte).unwrap(),
        0,
        "the reaped connection is closed"
    );
    let mut third = connect(addr);
    third
        .write_all(&Frame::message(2, record(1)).encode().unwrap())
        .unwrap();
    assert_eq!(read_frame(&mut third).kind, FrameType::ACK);
    assert_eq!(sink.records(), vec![record(1)]);
}

#[test]
fn a_bad_frame_closes_the_connection_and_is_reported_with_its_offset() {
    let (sink, server) = start(ReceiverConfig::default());
    let mut client = connect(server.local_addr());
    let mut bytes = Frame::message(2, record(0)).encode().unwrap();
    let first_len = bytes.len();
    bytes.extend_from_slice(b"type=SYSCALL not a frame\n");
    client.write_all(&bytes).unwrap();
    assert_eq!(read_frame(&mut client).kind, FrameType::ACK);
    let mut rest = Vec::new();
    let _ = client.read_to_end(&mut rest);
    assert!(rest.is_empty());
    wait_until("the error to be counted", || {
        server.stats().protocol_errors == 1
    });
    let error = server.stats().last_protocol_error.unwrap();
    assert!(error.contains(&format!("at byte {first_len}")), "{error}");
    assert_eq!(sink.records(), vec![record(0)]);
}

#[test]
fn a_full_disk_refuses_the_record_which_stays_spooled_until_written() {
    let (sink, server) = start(ReceiverConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let mut sender = Sender::open(
        SenderConfig::new(server.local_addr()),
        &dir.path().join("q"),
    )
    .unwrap();
    sink.full.store(true, Ordering::SeqCst);
    match sender.send(&record(0)) {
        Err(SendError::Refused {
            kind,
            sequence,
            text,
        }) => {
            assert_eq!(
                (kind, sequence, text.as_str()),
                (FrameType::DISK_FULL, 2, "no space left")
            );
        }
        other => panic!("expected DISKFULL, got {other:?}"),
    }
    assert_eq!(sender.pending(), 1);
    sink.full.store(false, Ordering::SeqCst);
    sender.flush().unwrap();
    assert_eq!(sender.pending(), 0);
    assert_eq!(sink.records(), vec![record(0)]);
}

#[test]
fn records_spooled_while_the_receiver_is_down_are_sent_later_once() {
    let dir = tempfile::tempdir().unwrap();
    let queue = dir.path().join("q");
    // Nothing listens on this port yet.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut config = SenderConfig::new(port);
    config.retry_time = Duration::from_millis(10);
    config.max_tries = 2;
    let mut sender = Sender::open(config.clone(), &queue).unwrap();
    for i in 0..5 {
        assert!(matches!(
            sender.send(&record(i)),
            Err(SendError::Network { tries: 2, .. })
        ));
    }
    assert_eq!(sender.pending(), 5);
    drop(sender);
    // A new sender process finds them in the queue file.
    let sink = Arc::new(MemorySink::default());
    let receiver = Receiver::bind(port, ReceiverConfig::default(), sink.clone()).unwrap();
    let server = receiver.spawn().unwrap();
    let mut sender = Sender::open(config, &queue).unwrap();
    assert_eq!(sender.pending(), 5);
    sender.send(&record(5)).unwrap();
    sender.flush().unwrap();
    assert_eq!(sink.records(), (0..6).map(record).collect::<Vec<_>>());
    drop(server);
}

#[test]
fn heartbeat_before_reusing_an_idle_connection_finds_a_dead_one() {
    let (sink, server) = start(ReceiverConfig::default());
    let addr = server.local_addr();
    let dir = tempfile::tempdir().unwrap();
    let mut config = SenderConfig::new(addr);
    config.heartbeat_timeout = Some(Duration::from_millis(50));
    config.retry_time = Duration::from_millis(10);
    let mut sender = Sender::open(config, &dir.path().join("q")).unwrap();
    sender.send(&record(0)).unwrap();
    sender.heartbeat().unwrap();
    // The receiver restarts on the same port; the old connection is dead.
    drop(server);
    let receiver = Receiver::bind(addr, ReceiverConfig::default(), sink.clone()).unwrap();
    let server = receiver.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    sender.send(&record(1)).unwrap();
    assert_eq!(sender.stats().heartbeats, 1);
    assert_eq!(sender.stats().connections, 2);
    assert_eq!(sink.records(), vec![record(0), record(1)]);
    assert_eq!(server.stats().records_written, 1);
}

#[test]
fn a_batch_is_spooled_at_once_and_every_record_arrives() {
    let (sink, server) = start(ReceiverConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let mut config = SenderConfig::new(server.local_addr());
    config.window = 16;
    let mut sender = Sender::open(config, &dir.path().join("q")).unwrap();
    let records: Vec<Vec<u8>> = (0..1000).map(record).collect();
    let eoe = b"type=EOE msg=audit(1700000000.000:1): \n".to_vec();
    let mut expected = Vec::new();
    for chunk in records.chunks(100) {
        let mut batch: Vec<&[u8]> = chunk.iter().map(Vec::as_slice).collect();
        batch.push(&eoe);
        assert_eq!(sender.send_all(batch).unwrap(), 100);
        expected.extend_from_slice(chunk);
    }
    sender.flush().unwrap();
    assert_eq!(sink.records(), expected);
    assert_eq!(server.shutdown().records_written, 1000);
}

/// Counts the sink calls: frames that arrive together are written together.
#[derive(Default)]
struct BatchCountingSink {
    calls: std::sync::atomic::AtomicUsize,
    records: Mutex<Vec<Vec<u8>>>,
}

impl Sink for BatchCountingSink {
    fn write(&self, peer: SocketAddr, record: &[u8]) -> Result<Durability, SinkError> {
        self.write_all(peer, &[record])
    }

    fn write_all(&self, _peer: SocketAddr, records: &[&[u8]]) -> Result<Durability, SinkError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        // Slow enough (like a sync) for the next frames to queue up meanwhile.
        std::thread::sleep(Duration::from_millis(2));
        let mut all = self.records.lock().unwrap();
        all.extend(records.iter().map(|r| r.to_vec()));
        Ok(Durability::Written)
    }
}

#[test]
fn frames_in_flight_are_written_in_one_sink_call() {
    let sink = Arc::new(BatchCountingSink::default());
    let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink.clone())
        .unwrap()
        .spawn()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = SenderConfig::new(server.local_addr());
    config.window = 32;
    let mut sender = Sender::open(config, &dir.path().join("q")).unwrap();
    let records: Vec<Vec<u8>> = (0..500).map(record).collect();
    sender.send_all(records.iter().map(Vec::as_slice)).unwrap();
    sender.flush().unwrap();
    assert_eq!(*sink.records.lock().unwrap(), records);
    let calls = sink.calls.load(Ordering::SeqCst);
    assert!(calls < 250, "{calls} sink calls for 500 records");
}

#[test]
fn connections_are_bounded_in_all_and_by_source_port() {
    let config = ReceiverConfig {
        max_per_addr: 10,
        max_connections: 2,
        ..ReceiverConfig::default()
    };
    let (_sink, server) = start(config);
    let addr = server.local_addr();
    let _a = connect(addr);
    let _b = connect(addr);
    wait_until("two connections", || server.open_connections() == 2);
    let mut third = connect(addr);
    let mut byte = [0u8; 1];
    assert_eq!(
        third.read(&mut byte).unwrap(),
        0,
        "a third is closed at once"
    );
    assert_eq!(server.stats().connections_refused, 1);

    // Only privileged source ports: an ordinary client's ephemeral port is refused.
    let config = ReceiverConfig {
        client_ports: Some(1..=1023),
        ..ReceiverConfig::default()
    };
    let (_sink, server) = start(config);
    let mut client = connect(server.local_addr());
    assert_eq!(client.read(&mut byte).unwrap(), 0);
    assert_eq!(server.stats().connections_refused, 1);
}

/// Reports every write as done on a disk running low.
struct LowSpaceSink;

impl Sink for LowSpaceSink {
    fn write(&self, _peer: SocketAddr, _record: &[u8]) -> Result<Durability, SinkError> {
        Ok(Durability::WrittenSpaceLow("12 MB left".into()))
    }
}

#[test]
fn disk_low_is_success_with_a_warning() {
    let server = Receiver::bind(
        "127.0.0.1:0",
        ReceiverConfig::default(),
        Arc::new(LowSpaceSink),
    )
    .unwrap()
    .spawn()
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut sender = Sender::open(
        SenderConfig::new(server.local_addr()),
        &dir.path().join("q"),
    )
    .unwrap();
    sender.send(&record(0)).unwrap();
    assert_eq!(sender.pending(), 0);
    assert_eq!(sender.stats().warnings, 1);
    assert_eq!(
        sender.stats().last_warning.as_deref(),
        Some("DISKLOW: 12 MB left")
    );
}

#[test]
fn a_sender_gives_up_after_max_time_and_keeps_the_record() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut config = SenderConfig::new(port);
    config.max_tries = 1000;
    config.retry_time = Duration::from_millis(20);
    config.max_time = Some(Duration::from_millis(300));
    let mut sender = Sender::open(config, &dir.path().join("q")).unwrap();
    let started = Instant::now();
    match sender.send(&record(0)) {
        Err(SendError::Network { tries, elapsed, .. }) => {
            assert!(tries > 2 && tries < 1000, "{tries}");
            assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
        }
        other => panic!("expected a network failure, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(sender.pending(), 1);
}

#[test]
fn a_file_sink_below_space_left_replies_disklow_and_the_record_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("remote.log");
    // More than any disk has free.
    let sink = Arc::new(FileSink::open(&log).unwrap().with_space_left(1 << 40));
    let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    let mut sender = Sender::open(
        SenderConfig::new(server.local_addr()),
        &dir.path().join("q"),
    )
    .unwrap();
    sender.send(&record(1)).unwrap();
    sender.flush().unwrap();
    let stats = sender.stats().clone();
    assert_eq!(stats.warnings, 1, "{stats:?}");
    let warning = stats.last_warning.unwrap();
    assert!(warning.contains("below space_left"), "{warning}");
    assert!(
        warning.starts_with(&FrameType::DISK_LOW.to_string()),
        "{warning}"
    );
    assert_eq!(
        (sender.pending(), std::fs::read(&log).unwrap()),
        (0, record(1))
    );
}
