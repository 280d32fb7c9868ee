//! Complete events straight from netlink: records fed to the parser crate's assembly.

use crate::error::Result;
use crate::record::Incoming;
use crate::socket::AuditSocket;
use audit_parse::{Event, Options, ParseError, Parser};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Longest wait between two agings of open events when the socket is quiet.
const AGE_TICK: Duration = Duration::from_millis(500);

/// What an [`EventStream`] yields.
#[derive(Debug)]
pub enum StreamItem {
    /// A complete event.
    Event(Event),
    /// The socket's receive queue overflowed: records were lost here, how many is
    /// not told.
    Lost {
        /// Overflow episodes this socket has seen so far, this one included: not
        /// records (one episode may lose thousands). Once the next record has come,
        /// [`AuditSocket::missed_serials`] (through [`EventStream::socket`])
        /// estimates the events missed.
        overruns: u64,
    },
    /// A record the parser could not read (it is reported, not dropped silently).
    BadRecord(ParseError),
}

/// Complete events from an [`AuditSocket`] (a registered daemon or a read-log socket):
/// each kernel message joins its event as the record `type=NAME msg=...`
/// (`audit_parse::Parser::push_kernel`); events come out when complete, in libauparse's order, and open
/// events are aged on the wall clock when the socket is quiet.
#[derive(Debug)]
pub struct EventStream {
    sock: AuditSocket,
    parser: Parser,
    /// A record just came: take what else is queued without waiting (many
    /// datagrams with each `recvmmsg`) before blocking again.
    draining: bool,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl EventStream {
    /// Events from `sock` with the parser's default options.
    pub fn new(sock: AuditSocket) -> Self {
        Self::with_options(sock, Options::default())
    }

    /// Events from `sock` with the given parser options.
    pub fn with_options(sock: AuditSocket, opts: Options) -> Self {
        Self {
            sock,
            parser: Parser::new(opts),
            draining: false,
        }
    }

    /// The socket (for control requests: records that arrive meanwhile are kept).
    pub fn socket(&mut self) -> &mut AuditSocket {
        &mut self.sock
    }

    /// The parser (for its statistics).
    pub fn parser(&self) -> &Parser {
        &self.parser
    }

    /// Give the socket back; events still open in the parser are dropped.
    pub fn into_socket(self) -> AuditSocket {
        self.sock
    }

    /// Complete every open event now (e.g. before exiting); they come out of `next`.
    pub fn flush(&mut self) {
        self.parser.flush();
    }

    /// A ready item from the parser. (The kernel ends each syscall event with `EOE`
    /// after the `PROCTITLE` that already completed it; the parser counts those in
    /// `Stats::eoe_after_end`.)
    fn next_ready(&mut self) -> Option<StreamItem> {
        Some(match self.parser.next_event()? {
            Ok(ev) => StreamItem::Event(ev),
            Err(e) => StreamItem::BadRecord(e),
        })
    }

    /// The next item, waiting at most `timeout` (`None`: forever). `Ok(None)` when the
    /// time ran out with nothing complete.
    ///
    /// A datagram from the kernel that did not fit the receive buffer comes out as a
    /// [`StreamItem::BadRecord`] ([`audit_parse::ErrorKind::DatagramTruncated`]) at
    /// its place, and the stream goes on.
    pub fn next(&mut self, timeout: Option<Duration>) -> Result<Option<StreamItem>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if let Some(item) = self.next_ready() {
                return Ok(Some(item));
            }
            let wait = match deadline {
                _ if self.draining => Duration::ZERO,
                None => AGE_TICK,
                Some(d) => d.saturating_duration_since(Instant::now()).min(AGE_TICK),
            };
            match self.sock.recv(Some(wait))? {
                // Straight into the event being built (no record of its own); a
                // record the parser cannot read comes out of `next_ready`.
                Some(Incoming::Record(r)) => {
                    self.parser.push_kernel(r.msg_type, &r.payload);
                    self.draining = true;
                }
                Some(Incoming::Overrun { total }) => {
                    return Ok(Some(StreamItem::Lost { overruns: total }))
                }
                Some(Incoming::Truncated {
                    len,
                    cap,
                    msg_type,
                    head,
                }) => {
                    let ty = msg_type.unwrap_or(0);
                    self.parser.push_kernel_truncated(ty, &head, len, cap);
                }
                // Drained: wait from here on.
                None if self.draining => self.draining = false,
                None => {
                    self.parser.age_events(now_secs());
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(self.next_ready());
                    }
                }
            }
        }
    }
}

impl std::os::fd::AsRawFd for EventStream {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.sock.as_raw_fd()
    }
}

impl std::os::fd::AsFd for EventStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(&self.sock)
    }
}

impl Iterator for EventStream {
    type Item = Result<StreamItem>;

    /// Blocks until the next item; never ends on its own.
    fn next(&mut self) -> Option<Self::Item> {
        EventStream::next(self, None).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawRecord;

    #[test]
    fn a_truncated_datagram_is_a_bad_record_in_its_place_and_the_stream_goes_on() {
        let Ok(mut sock) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        sock.queue_item(Incoming::Truncated {
            len: 100_016,
            cap: 65_536,
            msg_type: Some(1309),
            head: b"audit(1.000:2): argc=2 a0=".to_vec(),
        });
        for (ty, text) in [
            (1300, "audit(1.000:3): arch=c000003e syscall=59"),
            (1320, "audit(1.000:3): "),
        ] {
            sock.queue_item(Incoming::Record(RawRecord::new(ty, text.as_bytes())));
        }
        let mut stream = EventStream::new(sock);
        match stream.next(Some(Duration::ZERO)).unwrap() {
            Some(StreamItem::BadRecord(e)) => {
                assert_eq!(
                    e.kind,
                    audit_parse::ErrorKind::DatagramTruncated {
                        len: 100_016,
                        cap: 65_536
                    }
                );
                assert!(
                    e.snippet
                        .starts_with(b"type=EXECVE msg=audit(1.000:2): argc=2"),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
        match stream.next(Some(Duration::ZERO)).unwrap() {
            Some(StreamItem::Event(ev)) => assert_eq!(ev.id().serial, 3),
            other => panic!("{other:?}"),
        }
        assert_eq!(stream.parser().stats().errors, 1);
    }
}
