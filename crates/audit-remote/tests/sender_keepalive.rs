//! The sender's connection has TCP keepalive on, as audisp-remote sets SO_KEEPALIVE:
//! a receiver that vanished without a word is found even when nothing is sent.

use audit_remote::sender::{Sender, SenderConfig};
use audit_remote::server::{Durability, Receiver, ReceiverConfig, Sink, SinkError};
use std::net::SocketAddr;
use std::sync::Mutex;

/// Remembers the address records came from: the sender's end of the connection.
#[derive(Default)]
struct Peers(Mutex<Vec<SocketAddr>>);

impl Sink for Peers {
    fn write(&self, peer: SocketAddr, _record: &[u8]) -> Result<Durability, SinkError> {
        self.0.lock().unwrap().push(peer);
        Ok(Durability::Written)
    }
}

/// The timer column (`tr`) of the IPv4 TCP socket bound to `local`, from
/// /proc/net/tcp: 2 when the keepalive timer is armed, 0 for an idle connection
/// without keepalive.
fn timer_of(local: SocketAddr) -> Option<u32> {
    let SocketAddr::V4(v4) = local else {
        return None;
    };
    let want = format!(
        "{:08X}:{:04X}",
        u32::from_le_bytes(v4.ip().octets()),
        v4.port()
    );
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(1) == Some(&want.as_str()))
            .then(|| u32::from_str_radix(fields[5].split(':').next()?, 16).ok())
            .flatten()
    })
}

#[test]
fn the_connection_to_the_receiver_has_keepalive_on() {
    let peers = std::sync::Arc::new(Peers::default());
    let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), peers.clone())
        .unwrap()
        .spawn()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut sender = Sender::open(
        SenderConfig::new(server.local_addr()),
        &dir.path().join("q"),
    )
    .unwrap();
    sender
        .send(b"type=USER msg=audit(1700000000.001:1): n=1\n")
        .unwrap();
    sender.flush().unwrap();
    let peer = peers.0.lock().unwrap()[0];
    // The connection stays open, idle: only keepalive arms its timer.
    assert_eq!(timer_of(peer), Some(2), "sender's socket {peer}");
    drop(sender);
    server.shutdown();
}
