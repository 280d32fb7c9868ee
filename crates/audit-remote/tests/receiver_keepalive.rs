//! Accepted connections have TCP keepalive on, as auditd's listener sets it: a
//! sender whose host crashed leaves no half-open connection holding its place
//! (`tcp_max_per_addr`) for good when `tcp_client_max_idle` is 0.

use audit_remote::frame::{Frame, FrameType, HEADER_SIZE};
use audit_remote::server::{Durability, Receiver, ReceiverConfig, Sink, SinkError};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

struct NullSink;

impl Sink for NullSink {
    fn write(&self, _peer: SocketAddr, _record: &[u8]) -> Result<Durability, SinkError> {
        Ok(Durability::Written)
    }
}

/// The timer `ss -o` shows for the established socket with this local port and
/// peer port.
fn timer(local: u16, remote: u16) -> String {
    let out = std::process::Command::new("ss")
        .args([
            "-tnoH",
            "state",
            "established",
            &format!("( sport = :{local} and dport = :{remote} )"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "ss: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn an_accepted_connection_has_keepalive_on() {
    let receiver = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), Arc::new(NullSink))
        .unwrap()
        .spawn()
        .unwrap();
    let mut peer = std::net::TcpStream::connect(receiver.local_addr()).unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // A heartbeat answered: the connection is accepted and its thread running.
    let heartbeat = Frame::new(FrameType::HEARTBEAT, 1, Vec::new());
    peer.write_all(&heartbeat.encode().unwrap()).unwrap();
    let mut reply = [0u8; HEADER_SIZE];
    peer.read_exact(&mut reply).unwrap();
    let server_side = timer(
        receiver.local_addr().port(),
        peer.local_addr().unwrap().port(),
    );
    assert!(
        server_side.contains("timer:(keepalive"),
        "ss: {server_side:?}"
    );
    // The sender's own end is not the receiver's business: ours has none.
    let client_side = timer(
        peer.local_addr().unwrap().port(),
        receiver.local_addr().port(),
    );
    assert!(!client_side.contains("keepalive"), "ss: {client_side:?}");
    assert!(!client_side.is_empty());
}
