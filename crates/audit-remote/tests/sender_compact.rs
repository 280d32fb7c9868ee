//! The queue file stays small under steady sending: with a window of frames in
//! flight the queue is never empty, so the acknowledged records at its front must
//! be given back without waiting for that.

use audit_remote::sender::{Sender, SenderConfig};
use audit_remote::server::{Durability, Receiver, ReceiverConfig, Sink, SinkError};
use audit_remote::spool::Spool;
use std::net::SocketAddr;
use std::sync::Mutex;

#[derive(Default)]
struct Count(Mutex<Vec<Vec<u8>>>);

impl Sink for Count {
    fn write(&self, _peer: SocketAddr, record: &[u8]) -> Result<Durability, SinkError> {
        self.0.lock().unwrap().push(record.to_vec());
        Ok(Durability::Written)
    }
}

fn record(i: usize) -> Vec<u8> {
    let mut r = format!(
        "type=USER msg=audit(1700000000.{:03}:{i}): n={i} pad=",
        i % 1000
    )
    .into_bytes();
    r.resize(200, b'x');
    r.push(b'\n');
    r
}

#[test]
fn the_queue_file_stays_bounded_with_records_in_flight() {
    let sink = std::sync::Arc::new(Count::default());
    let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink.clone())
        .unwrap()
        .spawn()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let queue = dir.path().join("queue");
    let mut config = SenderConfig::new(server.local_addr());
    config.window = 8;
    let mut sender = Sender::open(config, &queue).unwrap();
    let sends = 6000;
    let mut largest = 0;
    let mut pending_seen = usize::MAX;
    for i in 0..sends {
        sender.send(&record(i)).unwrap();
        largest = largest.max(std::fs::metadata(&queue).unwrap().len());
        pending_seen = pending_seen.min(sender.pending());
    }
    // Frames were in flight all along (the queue never ran empty) ...
    assert!(pending_seen > 0, "the queue ran empty: nothing to show");
    // ... yet the file holds far less than the 1.2 MB sent.
    assert!(largest < 300_000, "queue file grew to {largest} bytes");
    let pending = sender.pending();
    assert!(pending > 0);
    // The file holds exactly what was not acknowledged: reopened, the queue has
    // that many records, and sending them completes the stream, in order.
    drop(sender);
    assert_eq!(Spool::open(&queue, 100).unwrap().len(), pending);
    let config = SenderConfig::new(server.local_addr());
    let mut sender = Sender::open(config, &queue).unwrap();
    sender.flush().unwrap();
    assert_eq!(sender.stats().acknowledged, pending as u64);
    // In-flight records the receiver wrote before the first sender went may arrive
    // twice, unless the receiver recognises them: keep the first of each.
    let mut seen = std::collections::HashSet::new();
    let received: Vec<Vec<u8>> = sink
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|r| seen.insert(r.to_vec()))
        .cloned()
        .collect();
    let expected: Vec<Vec<u8>> = (0..sends).map(record).collect();
    assert!(received == expected, "{} records received", received.len());
    server.shutdown();
}
