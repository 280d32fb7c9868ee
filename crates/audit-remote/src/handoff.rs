//! Handing received records to another thread to write: for a program whose log
//! belongs to one thread, such as a daemon's main loop.
//!
//! [`handoff`] gives a [`HandoffSink`], the [`Sink`] of a [`Receiver`], and a
//! [`HandoffQueue`] for the thread that owns the log. Each batch a connection
//! receives waits in the queue (bounded) until that thread takes it, writes it and
//! [answers](Batch::answer) it; only then is it acknowledged. When the queue is
//! dropped, waiting and later batches get [`SinkError::Ending`]: their connections
//! get ENDING and are closed, and nothing is acknowledged that was not written.
//!
//! ```
//! use audit_remote::handoff::handoff;
//! use audit_remote::sender::{Sender, SenderConfig};
//! use audit_remote::server::{Durability, Receiver, ReceiverConfig};
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! let (sink, queue) = handoff(16, Vec::new());
//! let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), Arc::new(sink))?.spawn()?;
//! let addr = server.local_addr();
//! let dir = tempfile::tempdir()?;
//! let sending = std::thread::spawn(move || {
//!     let mut sender = Sender::open(SenderConfig::new(addr), &dir.path().join("q")).unwrap();
//!     sender.send(b"type=USER msg=audit(1.000:1): x=1\n").unwrap();
//!     sender.flush().unwrap();
//! });
//! // The owner of the log: takes a batch, writes it, answers.
//! let batch = queue.recv_timeout(Duration::from_secs(10)).expect("a batch");
//! assert_eq!(batch.records(), [b"type=USER msg=audit(1.000:1): x=1\n".to_vec()]);
//! batch.answer(Ok(Durability::Written));
//! sending.join().unwrap();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Receiver`]: crate::server::Receiver

use crate::server::{Durability, Sink, SinkError};
use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::Duration;

/// Records one connection received together, waiting to be written.
#[derive(Debug)]
pub struct Batch {
    peer: SocketAddr,
    records: Vec<Vec<u8>>,
    reply: SyncSender<Result<Durability, SinkError>>,
}

impl Batch {
    /// The sender's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The records, in order, each normally one line with its `\n`.
    pub fn records(&self) -> &[Vec<u8>] {
        &self.records
    }

    /// Tells the connection how the write went: `Ok` acknowledges every record of
    /// the batch (DISKLOW for [`Durability::WrittenSpaceLow`]), an error refuses
    /// them all. A batch dropped without an answer is [`SinkError::Ending`].
    pub fn answer(self, outcome: Result<Durability, SinkError>) {
        // The connection may have gone meanwhile: nobody to tell.
        let _ = self.reply.send(outcome);
    }
}

/// The [`Sink`] side: each `write_all` waits for the owner's answer.
#[derive(Debug)]
pub struct HandoffSink {
    queue: SyncSender<Batch>,
    recent: Vec<Vec<u8>>,
}

/// The owner's side: batches to write, oldest first.
#[derive(Debug)]
pub struct HandoffQueue {
    queue: Receiver<Batch>,
}

/// A sink and its queue holding at most `capacity` batches (at least 1); `recent`
/// are the last records written before (the log's tail, see [`Sink::recent`] and
/// [`crate::server::last_lines`]).
pub fn handoff(capacity: usize, recent: Vec<Vec<u8>>) -> (HandoffSink, HandoffQueue) {
    let (tx, rx) = mpsc::sync_channel(capacity.max(1));
    (
        HandoffSink { queue: tx, recent },
        HandoffQueue { queue: rx },
    )
}

impl HandoffQueue {
    /// The next batch, waiting up to `timeout`; `None` when none came.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Batch> {
        self.queue.recv_timeout(timeout).ok()
    }

    /// The next batch if one is waiting.
    pub fn try_recv(&self) -> Option<Batch> {
        self.queue.try_recv().ok()
    }
}

impl Sink for HandoffSink {
    fn write(&self, peer: SocketAddr, record: &[u8]) -> Result<Durability, SinkError> {
        self.write_all(peer, &[record])
    }

    fn write_all(&self, peer: SocketAddr, records: &[&[u8]]) -> Result<Durability, SinkError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let batch = Batch {
            peer,
            records: records.iter().map(|r| r.to_vec()).collect(),
            reply,
        };
        self.queue.send(batch).map_err(|_| SinkError::Ending)?;
        answer.recv().unwrap_or(Err(SinkError::Ending))
    }

    fn recent(&self, limit: usize) -> std::io::Result<Vec<Vec<u8>>> {
        let skip = self.recent.len().saturating_sub(limit);
        Ok(self.recent[skip..].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Frame, FrameType};
    use crate::server::{Receiver, ReceiverConfig};
    use std::io::{Read, Write};
    use std::sync::Arc;

    fn frame(stream: &mut std::net::TcpStream) -> Frame {
        let mut bytes = vec![0u8; crate::frame::HEADER_SIZE];
        stream.read_exact(&mut bytes).unwrap();
        let len = usize::from(u16::from_le_bytes([bytes[10], bytes[11]]));
        bytes.resize(bytes.len() + len, 0);
        stream
            .read_exact(&mut bytes[crate::frame::HEADER_SIZE..])
            .unwrap();
        crate::frame::decode_all(&bytes).unwrap().0.remove(0)
    }

    #[test]
    fn a_dropped_queue_ends_the_connection_without_an_ack() {
        let (sink, queue) = handoff(4, Vec::new());
        let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), Arc::new(sink))
            .unwrap()
            .spawn()
            .unwrap();
        let mut client = std::net::TcpStream::connect(server.local_addr()).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let record = b"type=USER msg=audit(1.000:1): x=1\n".to_vec();
        client
            .write_all(&Frame::message(2, record.clone()).encode().unwrap())
            .unwrap();
        let batch = queue.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(batch.records(), std::slice::from_ref(&record));
        batch.answer(Err(SinkError::DiskFull("full".into())));
        let reply = frame(&mut client);
        assert_eq!((reply.kind, reply.sequence), (FrameType::DISK_FULL, 2));
        client
            .write_all(&Frame::message(3, record).encode().unwrap())
            .unwrap();
        // Taken, then dropped unanswered along with the queue.
        let batch = queue.recv_timeout(Duration::from_secs(10)).unwrap();
        drop(batch);
        let reply = frame(&mut client);
        assert_eq!((reply.kind, reply.sequence), (FrameType::ENDING, 0));
        let mut rest = Vec::new();
        assert_eq!(
            client.read_to_end(&mut rest).unwrap(),
            0,
            "closed after ENDING"
        );
        drop(queue);
        assert_eq!(server.shutdown().records_written, 0);
    }
}
