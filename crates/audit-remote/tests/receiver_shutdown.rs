//! A peer that sends but never reads its replies: the receiver neither hangs at
//! shutdown nor keeps the connection for good.

use audit_remote::frame::{Frame, FrameType};
use audit_remote::server::{Durability, Receiver, ReceiverConfig, ReceiverHandle, Sink, SinkError};
use std::io::{ErrorKind, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

struct NullSink;

impl Sink for NullSink {
    fn write(&self, _peer: SocketAddr, _record: &[u8]) -> Result<Durability, SinkError> {
        Ok(Durability::Written)
    }
}

fn start(config: ReceiverConfig) -> ReceiverHandle {
    Receiver::bind("127.0.0.1:0", config, Arc::new(NullSink))
        .unwrap()
        .spawn()
        .unwrap()
}

/// Connects with a small receive buffer and sends heartbeats without reading a
/// reply until the receiver stops reading too (its replies have nowhere to go).
fn jam(addr: SocketAddr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&addr.into()).unwrap();
    let mut peer: TcpStream = socket.into();
    peer.set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut chunk = Vec::new();
    for seq in 1..=4096 {
        chunk.extend(
            Frame::new(FrameType::HEARTBEAT, seq, Vec::new())
                .encode()
                .unwrap(),
        );
    }
    let mut sent = 0usize;
    loop {
        match peer.write(&chunk) {
            Ok(n) => sent += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            // The receiver gave up on us already (its reply timeout) and closed.
            Err(e) if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) => {
                break
            }
            Err(e) => panic!("after {sent} bytes: {e}"),
        }
        assert!(sent < 256 << 20, "the receiver never stopped reading");
    }
    peer
}

#[test]
fn shutdown_returns_while_a_peer_does_not_read_its_replies() {
    let receiver = start(ReceiverConfig::default());
    let _peer = jam(receiver.local_addr());
    assert_eq!(receiver.open_connections(), 1);
    let (done, finished) = mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let stats = receiver.shutdown();
        let _ = done.send(stats);
    });
    let stats = finished
        .recv_timeout(Duration::from_secs(8))
        .expect("shutdown did not return within 8 s");
    assert!(stats.heartbeats > 0, "{stats:?}");
    eprintln!("shutdown took {:?}", started.elapsed());
}

#[test]
fn a_peer_that_does_not_read_is_closed_after_the_reply_timeout() {
    let config = ReceiverConfig {
        reply_timeout: Duration::from_millis(300),
        ..ReceiverConfig::default()
    };
    let receiver = start(config);
    let _peer = jam(receiver.local_addr());
    let deadline = Instant::now() + Duration::from_secs(10);
    while receiver.open_connections() > 0 {
        assert!(
            Instant::now() < deadline,
            "the connection is still open 10 s after its replies stopped"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(receiver.stats().connections_stalled, 1);
}
