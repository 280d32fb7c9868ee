//! Complete events straight from netlink: records fed to the parser crate's assembly.

use crate::error::Result;
use crate::record::Incoming;
use crate::socket::{AuditSocket, Direct, Taken};
use audit_parse::{Event, Options, ParseError, Parser, RecordType};
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

/// The longest gather [`EventStream::set_gather`] takes: a second, past which events
/// would come out later than any live reader wants them.
pub const MAX_GATHER: Duration = Duration::from_secs(1);

/// Complete events from an [`AuditSocket`] (a registered daemon or a read-log socket):
/// each kernel message joins its event as the record `type=NAME msg=...`
/// (`audit_parse::Parser::push_kernel`); events come out when complete, in libauparse's order, and open
/// events are aged on the wall clock when the socket is quiet.
///
/// A record that comes to an empty socket wakes the reader at once; what else is
/// queued then is taken without waiting, many datagrams with each `recvmmsg`. The
/// kernel sends one record per datagram, about seven per exec, and each wake-up of
/// the reader costs several times the parsing of a record. Under a steady stream,
/// [`set_gather`](EventStream::set_gather) trades a bounded delay for fewer
/// wake-ups: after a receive that found records, the stream pauses so that more
/// gather in the socket before it reads again.
///
/// A reader that keeps up with a busy system should set a gather (10 ms, say)
/// and give the socket room for it: on an exec storm (about 700 execs a second)
/// a 10 ms gather wakes the reader about 0.15 times per event instead of about
/// once, and cuts its CPU per event by about 40%. It is not the default because
/// its cost depends on the socket's room: a daemon socket that fills during a
/// pause holds the kernel back, and with it the audited processes.
#[derive(Debug)]
pub struct EventStream {
    sock: AuditSocket,
    parser: Parser,
    /// A record just came: take what else is queued without waiting (many
    /// datagrams with each `recvmmsg`) before blocking again.
    draining: bool,
    /// How long records may gather in the socket after a receive that found some
    /// (zero: no pause).
    gather: Duration,
    /// Records came since the stream last paused or found the socket quiet.
    fresh: bool,
    /// The last `recvmmsg` emptied the socket: once the parser's items are out,
    /// the drain is over without another (empty) receive.
    emptied: bool,
    /// The last [`drain`](Self::drain) that ended without an item found the
    /// socket empty (a receive failed with `EAGAIN`), rather than ending on a
    /// short `recvmmsg` ([`Direct::TookAll`]), which only suggests it.
    found_empty: bool,
}

/// A record or truncated datagram into the parser (an overflow notice, which is
/// not one, is never handed here).
fn push_other(parser: &mut Parser, incoming: Incoming) {
    match incoming {
        // Straight into the event being built (no record of its own); a record the
        // parser cannot read comes out of `next_ready`.
        Incoming::Record(r) => parser.push_kernel(r.record_type, &r.payload),
        Incoming::Truncated {
            len,
            cap,
            record_type,
            head,
        } => parser.push_kernel_truncated(record_type.unwrap_or(RecordType(0)), &head, len, cap),
        Incoming::Overrun { .. } => {}
    }
}

/// A record or truncated datagram, as the socket hands it on, into the parser.
fn push_taken(parser: &mut Parser, taken: Taken<'_>) {
    match taken {
        Taken::Record {
            record_type,
            payload,
        } => parser.push_kernel(record_type, payload),
        Taken::Other(incoming) => push_other(parser, incoming),
    }
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
            gather: Duration::ZERO,
            fresh: false,
            emptied: false,
            found_empty: false,
        }
    }

    /// Let records gather in the socket for up to `gather` after each receive that
    /// found some, before the stream reads again (`Duration::ZERO`, the default:
    /// never pause). On a busy socket the reader then wakes about once per `gather`
    /// instead of about once per event, and takes what came meanwhile in a few
    /// `recvmmsg` calls; a record that comes after a quiet spell still wakes it at
    /// once.
    ///
    /// The bound: a record is received at most `gather` after the kernel queued it,
    /// plus the time the caller takes over the items before it (an event comes out
    /// once its last record is received). [`next`](EventStream::next) never pauses
    /// past its own timeout. [`AsyncEventStream`](crate::tokio_stream::AsyncEventStream)
    /// pauses the same way on a tokio timer.
    ///
    /// What comes meanwhile waits in the socket's receive queue: give it room for
    /// `gather` of the busiest stream expected
    /// ([`AuditSocket::set_recv_buffer_size`]; each record takes 1-3 KiB of it). A
    /// registered daemon's socket that fills holds the kernel back (records wait in
    /// its backlog, then the audited processes wait, up to `backlog_wait_time`, and
    /// past `backlog_limit` records are lost); a read-log socket that fills loses
    /// records ([`StreamItem::Lost`]).
    ///
    /// An error ([`Error::InvalidArgument`](crate::Error::InvalidArgument)) past
    /// [`MAX_GATHER`], the setting unchanged.
    pub fn set_gather(&mut self, gather: Duration) -> Result<()> {
        if gather > MAX_GATHER {
            return Err(crate::Error::InvalidArgument(
                "EventStream::set_gather takes at most MAX_GATHER (1 s)",
            ));
        }
        self.gather = gather;
        Ok(())
    }

    /// How long records may gather after a receive that found some (see
    /// [`set_gather`](EventStream::set_gather)); zero when the stream never pauses.
    pub fn gather(&self) -> Duration {
        self.gather
    }

    /// The socket (for control requests: records that arrive meanwhile are kept,
    /// up to [`MAX_QUEUED`](crate::MAX_QUEUED); a request whose answer is further
    /// behind fails with [`Error::QueueFull`](crate::Error::QueueFull): read on,
    /// then ask again, or ask from a socket of its own).
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
    pub(crate) fn next_ready(&mut self) -> Option<StreamItem> {
        Some(match self.parser.next_event()? {
            Ok(ev) => StreamItem::Event(ev),
            Err(e) => StreamItem::BadRecord(e),
        })
    }

    /// Hand what the socket gave to the parser; an overflow notice is an item.
    fn take(&mut self, incoming: Incoming) -> Option<StreamItem> {
        self.fresh = true;
        match incoming {
            Incoming::Overrun { total } => Some(StreamItem::Lost { overruns: total }),
            other => {
                push_other(&mut self.parser, other);
                None
            }
        }
    }

    /// Take what is queued in the socket, without waiting, until an item is ready
    /// (`Some`) or the socket is empty (`None`). Records go from the receive
    /// buffers straight into the parser, a `recvmmsg` at a time.
    pub(crate) fn drain(&mut self) -> Result<Option<StreamItem>> {
        loop {
            if let Some(item) = self.next_ready() {
                return Ok(Some(item));
            }
            if std::mem::take(&mut self.emptied) {
                self.found_empty = false;
                return Ok(None);
            }
            let parser = &mut self.parser;
            let mut took = false;
            let direct = self.sock.recv_direct(&mut |taken| {
                took = true;
                push_taken(parser, taken);
            })?;
            self.fresh |= took;
            match direct {
                // Only other senders' datagrams (or stale answers): the socket
                // may hold more, but a sender that keeps sending must not keep
                // the drain going.
                Direct::Took if !took && !self.sock.has_waiting() => {
                    self.found_empty = false;
                    return Ok(None);
                }
                Direct::Took => {}
                Direct::TookAll => self.emptied = true,
                Direct::Empty => {
                    self.found_empty = true;
                    return Ok(None);
                }
                // Items already queued in the socket come first, one at a time.
                Direct::Unavailable => match self.sock.recv(Some(Duration::ZERO))? {
                    Some(incoming) => {
                        if let Some(item) = self.take(incoming) {
                            return Ok(Some(item));
                        }
                    }
                    // Empty, or the drain's share of other senders' datagrams.
                    None => {
                        self.found_empty = false;
                        return Ok(None);
                    }
                },
            }
        }
    }

    /// Whether the last [`drain`](Self::drain) that ended without an item found
    /// the socket empty by a receive that failed with `EAGAIN` (not only a short
    /// `recvmmsg`, which an overflow also ends).
    #[cfg(feature = "tokio")]
    pub(crate) fn found_empty(&self) -> bool {
        self.found_empty
    }

    /// Whether the socket holds items already received (during a control request,
    /// say), which its descriptor's readiness does not show.
    #[cfg(feature = "tokio")]
    pub(crate) fn has_waiting(&self) -> bool {
        self.sock.has_waiting()
    }

    /// Whether records came since the last call (for a pause before the next read).
    pub(crate) fn take_fresh(&mut self) -> bool {
        std::mem::take(&mut self.fresh)
    }

    /// Complete the open events that are old enough by the wall clock.
    pub(crate) fn age(&mut self) {
        self.parser.age_events(now_secs());
    }

    /// The next item, waiting at most `timeout` (`None`, or one too large for the
    /// clock: forever). `Ok(None)` when the time ran out with nothing complete.
    ///
    /// A datagram from the kernel that did not fit the receive buffer comes out as a
    /// [`StreamItem::BadRecord`] ([`audit_parse::ErrorKind::DatagramTruncated`]) at
    /// its place, and the stream goes on.
    pub fn next(&mut self, timeout: Option<Duration>) -> Result<Option<StreamItem>> {
        // Read off the clock only once the stream is about to wait: items that
        // are ready or queued come without a clock read.
        let mut started = None;
        let mut deadline =
            || *started.get_or_insert_with(|| timeout.and_then(crate::socket::deadline_in));
        loop {
            if self.draining {
                if let Some(item) = self.drain()? {
                    return Ok(Some(item));
                }
                self.draining = false;
                // Records came: let more gather before reading again.
                if self.take_fresh() && !self.gather.is_zero() {
                    let pause = match deadline() {
                        None => self.gather,
                        Some(d) => self.gather.min(d.saturating_duration_since(Instant::now())),
                    };
                    if !pause.is_zero() {
                        std::thread::sleep(pause);
                        self.draining = true;
                        continue;
                    }
                }
                // Found empty with no time left: no receive again.
                if deadline().is_some_and(|d| Instant::now() >= d) {
                    self.age();
                    return Ok(self.next_ready());
                }
            } else if let Some(item) = self.next_ready() {
                return Ok(Some(item));
            }
            let wait = match deadline() {
                None => AGE_TICK,
                Some(d) => d.saturating_duration_since(Instant::now()).min(AGE_TICK),
            };
            // What comes goes straight into the parser (an overrun notice stays
            // queued in the socket, and the drain takes it).
            let parser = &mut self.parser;
            let mut took = false;
            let came = self.sock.recv_into(Some(wait), &mut |taken| {
                took = true;
                push_taken(parser, taken);
            })?;
            self.fresh |= took;
            match came {
                true => self.draining = true,
                false => {
                    self.fresh = false;
                    self.age();
                    if deadline().is_some_and(|d| Instant::now() >= d) {
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
    fn a_gather_past_the_maximum_is_refused_and_the_setting_kept() {
        let Ok(sock) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        let mut stream = EventStream::new(sock);
        assert_eq!(stream.gather(), Duration::ZERO);
        stream.set_gather(Duration::from_millis(10)).unwrap();
        let e = stream
            .set_gather(MAX_GATHER + Duration::from_nanos(1))
            .unwrap_err();
        assert!(e.to_string().contains("MAX_GATHER"), "{e}");
        assert_eq!(stream.gather(), Duration::from_millis(10));
        stream.set_gather(MAX_GATHER).unwrap();
        assert_eq!(stream.gather(), MAX_GATHER);
    }

    /// After records came, the stream pauses for the gather, but never past the
    /// timeout of `next`; a quiet socket is not paused for at all.
    #[test]
    fn a_gather_pause_ends_at_the_timeout_of_next() {
        let Ok(sock) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        let mut stream = EventStream::new(sock);
        stream.set_gather(MAX_GATHER).unwrap();
        // An event still open: nothing comes out, the stream pauses to gather.
        stream.socket().queue_item(Incoming::Record(RawRecord::new(
            RecordType::SYSCALL,
            b"audit(1.000:3): arch=c000003e syscall=59",
        )));
        let wait = Duration::from_millis(150);
        let t = Instant::now();
        let got = stream.next(Some(wait)).unwrap();
        let took = t.elapsed();
        assert!(took >= wait, "{took:?}");
        assert!(took < Duration::from_millis(700), "paused {took:?}");
        // At the timeout the open event was aged out (its time is 1970).
        assert!(matches!(got, Some(StreamItem::Event(ref ev)) if ev.id().serial == 3));
        // Quiet: waits its timeout, no pause after it.
        let t = Instant::now();
        assert!(stream.next(Some(wait)).unwrap().is_none());
        let took = t.elapsed();
        assert!(
            took >= wait && took < Duration::from_millis(700),
            "{took:?}"
        );
    }

    /// Queue the records of event 3 (a SYSCALL and its EOE) as if received.
    fn queue_event_3(sock: &mut AuditSocket) {
        for (ty, text) in [
            (
                RecordType::SYSCALL,
                "audit(1.000:3): arch=c000003e syscall=59",
            ),
            (RecordType::EOE, "audit(1.000:3): "),
        ] {
            sock.queue_item(Incoming::Record(RawRecord::new(ty, text.as_bytes())));
        }
    }

    /// A timeout too large to add to the clock is no deadline, not a panic.
    #[test]
    fn a_timeout_too_large_for_the_clock_waits_without_a_deadline() {
        let Ok(mut sock) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        queue_event_3(&mut sock);
        let mut stream = EventStream::new(sock);
        match stream.next(Some(Duration::MAX)).unwrap() {
            Some(StreamItem::Event(ev)) => assert_eq!(ev.id().serial, 3),
            other => panic!("{other:?}"),
        }
    }

    /// An overflow of the socket's queue is an item in its place, before the
    /// records that came after it.
    #[test]
    fn an_overrun_is_a_lost_item_in_its_place_and_the_stream_goes_on() {
        let Ok(mut sock) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        sock.queue_item(Incoming::Overrun { total: 1 });
        queue_event_3(&mut sock);
        let mut stream = EventStream::new(sock);
        match stream.next(Some(Duration::ZERO)).unwrap() {
            Some(StreamItem::Lost { overruns: 1 }) => {}
            other => panic!("{other:?}"),
        }
        match stream.next(Some(Duration::ZERO)).unwrap() {
            Some(StreamItem::Event(ev)) => assert_eq!(ev.id().serial, 3),
            other => panic!("{other:?}"),
        }
        assert_eq!(stream.next(Some(Duration::ZERO)).unwrap().map(|_| ()), None);
    }

    #[test]
    fn a_truncated_datagram_is_a_bad_record_in_its_place_and_the_stream_goes_on() {
        let Ok(mut sock) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        sock.queue_item(Incoming::Truncated {
            len: 100_016,
            cap: 65_536,
            record_type: Some(RecordType::EXECVE),
            head: b"audit(1.000:2): argc=2 a0=".to_vec(),
        });
        queue_event_3(&mut sock);
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
