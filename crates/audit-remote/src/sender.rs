//! The sending end: records go into a durable [`Spool`] first, then out as MESSAGE
//! frames; each leaves the spool only when its ACK arrives.
//!
//! Up to [`SenderConfig::window`] frames are in flight at once (1 is audisp-remote's
//! stop-and-wait). Replies must come in order, each carrying the sequence of the
//! oldest frame in flight. auditd 3.0.9's listener allows a window: it decodes every
//! frame already in its buffer in turn and acknowledges each after writing it, in
//! order (`src/auditd-listen.c`, the loop over buffered messages).
//!
//! When the connection breaks, the receiver sends ENDING, or a reply does not match,
//! the sender reconnects and sends again from the first unacknowledged record. The
//! first reconnect is immediate, later ones wait [`SenderConfig::retry_time`];
//! after [`SenderConfig::max_tries`] failed attempts in a row without progress the
//! call returns [`SendError::Network`], and the records stay spooled for the next one.

use crate::frame::{Decoder, Frame, FrameType};
use crate::spool::{Spool, SpoolError};
use crate::tls::Stream;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::{Duration, Instant};

/// Settings of a [`Sender`].
#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// The receiver (`remote_server` and `port`), unless
    /// [`server_name`](Self::server_name) is set.
    pub server: SocketAddr,
    /// The receiver as a name and port (`"aggregator.example:60"`), looked up at
    /// each connection attempt, every address it gives tried in turn, as
    /// audisp-remote does: a name that does not resolve yet, or whose addresses
    /// change, is a network failure to retry, not a reason to stop. `None`: connect
    /// to [`server`](Self::server).
    pub server_name: Option<String>,
    /// Frames in flight at once (1: wait for each ACK before the next frame).
    pub window: usize,
    /// How long to wait for a reply before taking the connection for dead.
    pub reply_timeout: Duration,
    /// How long to wait for a connection to be accepted.
    pub connect_timeout: Duration,
    /// Pause between reconnect attempts after the first (`network_retry_time`).
    pub retry_time: Duration,
    /// Attempts without progress before a call gives up (`max_tries_per_record`).
    pub max_tries: u32,
    /// Time without progress, from the first failure, after which a call gives up
    /// (`max_time_per_record`; `None`: only `max_tries` counts).
    pub max_time: Option<Duration>,
    /// Send a HEARTBEAT before sending on a connection idle this long, to find a dead
    /// one before records are entrusted to it (`heartbeat_timeout`; `None`: never).
    pub heartbeat_timeout: Option<Duration>,
    /// Most records the spool may hold (`queue_depth`).
    pub queue_depth: usize,
    /// TLS to the receiver (`None`: plain TCP, as audisp-remote).
    pub tls: Option<crate::tls::TlsClient>,
    /// Connect from this source port (`local_port`; `None`: any). A receiver with
    /// `tcp_client_ports = 1-1023` takes only privileged ports, which only root
    /// (or `CAP_NET_BIND_SERVICE`) can bind.
    pub local_port: Option<u16>,
    /// On ENDING from the receiver, reconnect and resend (`true`, the default:
    /// `remote_ending_action = reconnect`); `false` gives [`SendError::Ending`] and
    /// leaves the records spooled.
    pub reconnect_on_ending: bool,
}

impl SenderConfig {
    /// Stop-and-wait to `server`, with audisp-remote's defaults where it has them
    /// (retry every second, three tries or five seconds, no heartbeat; a queue of
    /// 2000).
    pub fn new(server: SocketAddr) -> Self {
        Self {
            server,
            server_name: None,
            window: 1,
            reply_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry_time: Duration::from_secs(1),
            max_tries: 3,
            max_time: Some(Duration::from_secs(5)),
            heartbeat_timeout: None,
            queue_depth: 2000,
            tls: None,
            local_port: None,
            reconnect_on_ending: true,
        }
    }
}

/// Why a send did not complete. Records stay in the spool whatever the error.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The spool failed, is full, or the record is too long for it.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// No connection could be made or kept: `tries` attempts failed in a row, over
    /// `elapsed`.
    #[error("network failure talking to {target} after {tries} tries in {elapsed:?}: {last}")]
    Network {
        /// The receiver's address last tried (the configured
        /// [`server`](SenderConfig::server) when a name never resolved).
        server: SocketAddr,
        /// The receiver as configured: its name and port, or its address.
        target: String,
        /// Attempts made.
        tries: u32,
        /// Time since the first of them failed.
        elapsed: Duration,
        /// The last failure.
        last: String,
    },
    /// The receiver refused the record (DISKFULL, DISKERROR or another fatal reply):
    /// it is not written, and stays spooled.
    #[error("receiver replied {kind} to record {sequence}: {text}")]
    Refused {
        /// The reply's type.
        kind: FrameType,
        /// The record's sequence.
        sequence: u32,
        /// The reply's text.
        text: String,
    },
    /// The server name resolves to no address.
    #[error("{0} resolves to no address")]
    NoAddress(String),
    /// The receiver sent ENDING (it is going down) and
    /// [`SenderConfig::reconnect_on_ending`] is off: the records stay spooled.
    #[error("receiver {server} is ending: {text}")]
    Ending {
        /// The receiver.
        server: SocketAddr,
        /// The ENDING frame's text.
        text: String,
    },
}

/// What became of a record handed to [`Sender::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queued {
    /// Spooled under this sequence (and perhaps already acknowledged).
    Spooled(u32),
    /// Longer than a frame carries: spooled as `pieces` lines (see
    /// [`split_record`]) under sequences from `first` on.
    Split {
        /// The first piece's sequence.
        first: u32,
        /// How many pieces.
        pieces: usize,
    },
    /// An end-of-event (EOE) record: not sent, as audisp-remote does not send them.
    DroppedEoe,
}

/// Counters of what a sender did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderStats {
    /// Records acknowledged.
    pub acknowledged: u64,
    /// Frames sent again after a reconnect.
    pub resent: u64,
    /// Connections made.
    pub connections: u64,
    /// Heartbeats sent and answered.
    pub heartbeats: u64,
    /// DISKLOW (or other warning) replies.
    pub warnings: u64,
    /// The latest warning's text.
    pub last_warning: Option<String>,
    /// Records longer than a frame carries, sent in pieces ([`split_record`]).
    pub split: u64,
}

/// `record` (one line with its `\n`) in pieces that each fit a frame
/// ([`MAX_RECEIVABLE_PAYLOAD`](crate::frame::MAX_RECEIVABLE_PAYLOAD) bytes), each a
/// line ending in `\n`; a record that fits is one piece. audisp-remote reads its
/// input the same way (`audit_fgets` hands an over-long line on in pieces), so that
/// auditd's longest lines, which exceed what its listener takes, are not lost.
pub fn split_record(record: &[u8]) -> Vec<Vec<u8>> {
    let max = crate::frame::MAX_RECEIVABLE_PAYLOAD;
    if record.len() <= max {
        return vec![record.to_vec()];
    }
    let line = record.strip_suffix(b"\n").unwrap_or(record);
    line.chunks(max - 1)
        .map(|chunk| {
            let mut piece = Vec::with_capacity(chunk.len() + 1);
            piece.extend_from_slice(chunk);
            piece.push(b'\n');
            piece
        })
        .collect()
}

/// Whether `record` is an end-of-event record: `type=EOE` as its first field or the
/// one after the node name, as audisp-remote tests it.
pub fn is_eoe(record: &[u8]) -> bool {
    if record.starts_with(b"type=") {
        return record.starts_with(b"type=EOE");
    }
    match record.iter().position(|&b| b == b' ') {
        Some(space) => record[space + 1..].starts_with(b"type=EOE"),
        None => false,
    }
}

/// A connected sender with its spool.
#[derive(Debug)]
pub struct Sender {
    config: SenderConfig,
    /// The receiver's address last connected to or tried.
    peer: SocketAddr,
    spool: Spool,
    link: Option<Link>,
    /// How many of the oldest spooled records were sent on an earlier connection.
    sent_before: usize,
    stats: SenderStats,
}

#[derive(Debug)]
struct Link {
    stream: Stream,
    decoder: Decoder,
    /// Replies decoded but not yet matched.
    replies: VecDeque<Frame>,
    /// Sequences of frames sent and not yet answered, oldest first (the first
    /// `in_flight.len()` spool entries).
    in_flight: VecDeque<u32>,
    last_used: Instant,
}

/// Failed attempts in a row, and since when.
#[derive(Debug, Default)]
struct Tries {
    count: u32,
    since: Option<Instant>,
}

/// Why the current connection is given up.
#[derive(Debug)]
enum LinkDown {
    /// Reconnect and resend.
    Retry(String),
    /// Give up this call with this error.
    Fail(SendError),
}

impl From<io::Error> for LinkDown {
    fn from(e: io::Error) -> Self {
        LinkDown::Retry(e.to_string())
    }
}

impl Sender {
    /// Opens (or creates) the spool at `queue_file`; records left there by an earlier
    /// run are sent first. Connects lazily.
    ///
    /// # Errors
    /// [`SendError::Spool`].
    pub fn open(config: SenderConfig, queue_file: &Path) -> Result<Self, SendError> {
        let spool = Spool::open(queue_file, config.queue_depth.max(1))?;
        Ok(Self {
            peer: config.server,
            config,
            spool,
            link: None,
            sent_before: 0,
            stats: SenderStats::default(),
        })
    }

    /// Resolves `server` (such as `"aggregator.example:60"`) to its first address.
    ///
    /// # Errors
    /// [`SendError::NoAddress`] when it resolves to none.
    pub fn resolve(server: &str) -> Result<SocketAddr, SendError> {
        server
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| SendError::NoAddress(server.to_owned()))
    }

    /// Records waiting for their ACK.
    pub fn pending(&self) -> usize {
        self.spool.len()
    }

    /// What it has done so far.
    pub fn stats(&self) -> &SenderStats {
        &self.stats
    }

    /// Spools `record` (one record line with its `\n`) and sends what the window
    /// allows, waiting for replies only while the window is full. EOE records are
    /// dropped; a record longer than a frame carries is spooled in pieces
    /// ([`split_record`]). Call [`flush`](Self::flush) to wait for every ACK.
    ///
    /// # Errors
    /// [`SendError`]; once spooled, a record stays spooled whatever the error.
    pub fn send(&mut self, record: &[u8]) -> Result<Queued, SendError> {
        let queued = self.enqueue(record)?;
        if queued != Queued::DroppedEoe {
            self.pump(false)?;
        }
        Ok(queued)
    }

    /// Spools `record` without sending anything (while sending is suspended). EOE
    /// records are dropped; a record longer than a frame carries is spooled in
    /// pieces ([`split_record`]).
    ///
    /// # Errors
    /// [`SendError::Spool`].
    pub fn enqueue(&mut self, record: &[u8]) -> Result<Queued, SendError> {
        if is_eoe(record) {
            return Ok(Queued::DroppedEoe);
        }
        if record.len() <= crate::frame::MAX_RECEIVABLE_PAYLOAD {
            return Ok(Queued::Spooled(self.spool.push(record)?));
        }
        let pieces = split_record(record);
        let first = self.spool.next_sequence();
        let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        self.spool.push_all(&refs)?;
        self.stats.split += 1;
        Ok(Queued::Split {
            first,
            pieces: pieces.len(),
        })
    }

    /// Spools `records` with one write and one sync (much faster than one
    /// [`send`](Self::send) each), dropping EOE records and splitting those longer
    /// than a frame carries ([`split_record`]), then sends what the window allows.
    /// Returns how many frames' worth were spooled (a split record counts once per
    /// piece).
    ///
    /// # Errors
    /// [`SendError`]; all or none are spooled, and once spooled they stay spooled
    /// whatever the error.
    pub fn send_all<'r>(
        &mut self,
        records: impl IntoIterator<Item = &'r [u8]>,
    ) -> Result<usize, SendError> {
        let max = crate::frame::MAX_RECEIVABLE_PAYLOAD;
        let mut split = 0;
        let mut kept: Vec<std::borrow::Cow<'r, [u8]>> = Vec::new();
        for record in records.into_iter().filter(|r| !is_eoe(r)) {
            if record.len() <= max {
                kept.push(record.into());
            } else {
                split += 1;
                kept.extend(split_record(record).into_iter().map(Into::into));
            }
        }
        let refs: Vec<&[u8]> = kept.iter().map(|r| r.as_ref()).collect();
        self.spool.push_all(&refs)?;
        self.stats.split += split;
        self.pump(false)?;
        Ok(refs.len())
    }

    /// Sends every spooled record and waits until each is acknowledged.
    ///
    /// # Errors
    /// [`SendError`]; the records not acknowledged stay spooled.
    pub fn flush(&mut self) -> Result<(), SendError> {
        self.pump(true)
    }

    /// Sends a HEARTBEAT and waits for its ACK (after the replies of frames in flight).
    ///
    /// # Errors
    /// [`SendError::Network`] when the receiver cannot be reached.
    pub fn heartbeat(&mut self) -> Result<(), SendError> {
        self.flush()?;
        let mut tries = Tries::default();
        loop {
            match self.try_heartbeat() {
                Ok(()) => return Ok(()),
                Err(down) => self.recover(down, &mut tries)?,
            }
        }
    }

    fn try_heartbeat(&mut self) -> Result<(), LinkDown> {
        self.ensure_link()?;
        self.heartbeat_on_link()
    }

    /// Sends a heartbeat on the (idle) link and waits for its ACK.
    fn heartbeat_on_link(&mut self) -> Result<(), LinkDown> {
        // A sequence no record of ours has now: the next one to be given out.
        let sequence = self.next_unused_sequence();
        let frame = Frame::new(FrameType::HEARTBEAT, sequence, Vec::new());
        self.write_frame(&frame)?;
        let reply = self.read_reply()?;
        if reply.kind == FrameType::ENDING {
            return Err(self.ending(&reply));
        }
        if reply.sequence != sequence || reply.kind.is_fatal() {
            return Err(LinkDown::Retry(format!(
                "heartbeat {sequence} answered by {} {}",
                reply.kind, reply.sequence
            )));
        }
        self.stats.heartbeats += 1;
        Ok(())
    }

    fn next_unused_sequence(&self) -> u32 {
        // One past the newest spooled record; the spool has not given it out yet.
        match self.spool.len() {
            0 => crate::spool::FIRST_SEQUENCE,
            n => self
                .spool
                .get(n - 1)
                .map_or(crate::spool::FIRST_SEQUENCE, |e| e.sequence.wrapping_add(1)),
        }
    }

    /// Sends and reads replies until the spool is empty (`drain`) or until the window
    /// has room for one more frame.
    fn pump(&mut self, drain: bool) -> Result<(), SendError> {
        let mut tries = Tries::default();
        loop {
            match self.pump_once(drain) {
                Ok(true) => return Ok(()),
                Ok(false) => tries = Tries::default(),
                Err(down) => self.recover(down, &mut tries)?,
            }
        }
    }

    /// Drops the link and decides whether to go on; pauses before later retries.
    fn recover(&mut self, down: LinkDown, tries: &mut Tries) -> Result<(), SendError> {
        if let Some(link) = self.link.take() {
            self.sent_before = self.sent_before.max(link.in_flight.len());
        }
        match down {
            LinkDown::Fail(e) => Err(e),
            LinkDown::Retry(last) => {
                tries.count += 1;
                let elapsed = tries.since.get_or_insert_with(Instant::now).elapsed();
                let out_of_time = self.config.max_time.is_some_and(|max| elapsed >= max);
                if tries.count >= self.config.max_tries.max(1) || out_of_time {
                    return Err(SendError::Network {
                        server: self.peer,
                        target: self.target(),
                        tries: tries.count,
                        elapsed,
                        last,
                    });
                }
                if tries.count > 1 {
                    std::thread::sleep(self.config.retry_time);
                }
                Ok(())
            }
        }
    }

    /// One step: send what the window allows, then read one reply if one is needed.
    /// `Ok(true)`: done; `Ok(false)`: an ACK arrived, call again.
    fn pump_once(&mut self, drain: bool) -> Result<bool, LinkDown> {
        let window = self.config.window.max(1);
        if self.is_pumped(drain, window) {
            return Ok(true);
        }
        self.ensure_link()?;
        let link = self
            .link
            .as_mut()
            .ok_or_else(|| LinkDown::Retry("no link".into()))?;
        while link.in_flight.len() < window && link.in_flight.len() < self.spool.len() {
            let index = link.in_flight.len();
            let Some(entry) = self.spool.get(index) else {
                break;
            };
            let payload = self
                .spool
                .read(entry)
                .map_err(|e| LinkDown::Fail(e.into()))?;
            let bytes = Frame::message(entry.sequence, payload)
                .encode()
                .map_err(|e| LinkDown::Retry(e.to_string()))?;
            link.stream.write_all(&bytes)?;
            link.stream.flush()?;
            link.in_flight.push_back(entry.sequence);
            link.last_used = Instant::now();
            if index < self.sent_before {
                self.stats.resent += 1;
            }
        }
        if self.is_pumped(drain, window) {
            return Ok(true);
        }
        let reply = self.read_reply()?;
        self.take_reply(reply)?;
        Ok(false)
    }

    /// Whether a pump is done: everything acknowledged (`drain`), or everything sent
    /// with room left in the window.
    fn is_pumped(&self, drain: bool, window: usize) -> bool {
        let in_flight = self.link.as_ref().map_or(0, |l| l.in_flight.len());
        if drain {
            self.spool.is_empty()
        } else {
            in_flight == self.spool.len() && in_flight < window
        }
    }

    /// Matches a reply to the oldest frame in flight.
    fn take_reply(&mut self, reply: Frame) -> Result<(), LinkDown> {
        if reply.kind == FrameType::ENDING {
            return Err(self.ending(&reply));
        }
        let link = self
            .link
            .as_mut()
            .ok_or_else(|| LinkDown::Retry("no link".into()))?;
        let expected = link.in_flight.front().copied();
        if Some(reply.sequence) != expected || !reply.kind.is_reply() {
            return Err(LinkDown::Retry(format!(
                "reply {} {} does not answer record {expected:?}",
                reply.kind, reply.sequence
            )));
        }
        let text = String::from_utf8_lossy(&reply.payload).into_owned();
        if reply.kind.is_fatal() {
            return Err(LinkDown::Fail(SendError::Refused {
                kind: reply.kind,
                sequence: reply.sequence,
                text,
            }));
        }
        if reply.kind.is_warning() {
            self.stats.warnings += 1;
            self.stats.last_warning = Some(format!("{}: {text}", reply.kind));
        }
        link.in_flight.pop_front();
        self.spool.pop().map_err(|e| LinkDown::Fail(e.into()))?;
        self.sent_before = self.sent_before.saturating_sub(1);
        self.stats.acknowledged += 1;
        Ok(())
    }

    /// What an ENDING frame means, as configured.
    fn ending(&self, reply: &Frame) -> LinkDown {
        let text = String::from_utf8_lossy(&reply.payload).into_owned();
        if self.config.reconnect_on_ending {
            LinkDown::Retry(format!("receiver is ending: {text}"))
        } else {
            LinkDown::Fail(SendError::Ending {
                server: self.peer,
                text,
            })
        }
    }

    /// The receiver as configured, for messages.
    fn target(&self) -> String {
        match &self.config.server_name {
            Some(name) => name.clone(),
            None => self.config.server.to_string(),
        }
    }

    /// A TCP connection to the receiver: to each of its name's addresses in turn
    /// (looked up now), or to its address.
    fn connect(&mut self) -> io::Result<TcpStream> {
        let addresses: Vec<SocketAddr> = match &self.config.server_name {
            None => vec![self.config.server],
            Some(name) => name
                .to_socket_addrs()
                .map_err(|e| io::Error::new(e.kind(), format!("looking up {name}: {e}")))?
                .collect(),
        };
        let mut last = None;
        for address in addresses {
            self.peer = address;
            match self.connect_to(address) {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} resolves to no address", self.target()),
            )
        }))
    }

    /// A TCP connection to `server`, from `local_port` when one is set.
    fn connect_to(&self, server: SocketAddr) -> io::Result<TcpStream> {
        let Some(port) = self.config.local_port else {
            return TcpStream::connect_timeout(&server, self.config.connect_timeout);
        };
        use socket2::{Domain, Protocol, Socket, Type};
        let socket = Socket::new(
            Domain::for_address(server),
            Type::STREAM,
            Some(Protocol::TCP),
        )?;
        // As audisp-remote: the port is free again at once after a reconnect.
        socket.set_reuse_address(true)?;
        let any: std::net::IpAddr = if server.is_ipv6() {
            std::net::Ipv6Addr::UNSPECIFIED.into()
        } else {
            std::net::Ipv4Addr::UNSPECIFIED.into()
        };
        socket.bind(&SocketAddr::new(any, port).into())?;
        socket.connect_timeout(&server.into(), self.config.connect_timeout)?;
        Ok(socket.into())
    }

    fn ensure_link(&mut self) -> Result<(), LinkDown> {
        if let Some(link) = &self.link {
            let idle = link.last_used.elapsed();
            let stale = link.in_flight.is_empty()
                && self.config.heartbeat_timeout.is_some_and(|t| idle >= t);
            if !stale {
                return Ok(());
            }
            return self.heartbeat_on_link();
        }
        let stream = self.connect()?;
        // As audisp-remote: a receiver gone without a word is found while idle.
        socket2::SockRef::from(&stream).set_keepalive(true)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(self.config.reply_timeout))?;
        let stream = match &self.config.tls {
            Some(tls) => tls.wrap(stream)?,
            None => Stream::Plain(stream),
        };
        self.stats.connections += 1;
        self.link = Some(Link {
            stream,
            decoder: Decoder::new(),
            replies: VecDeque::new(),
            in_flight: VecDeque::new(),
            last_used: Instant::now(),
        });
        Ok(())
    }

    fn write_frame(&mut self, frame: &Frame) -> Result<(), LinkDown> {
        let link = self
            .link
            .as_mut()
            .ok_or_else(|| LinkDown::Retry("no link".into()))?;
        let bytes = frame.encode().map_err(|e| LinkDown::Retry(e.to_string()))?;
        link.stream.write_all(&bytes)?;
        link.stream.flush()?;
        link.last_used = Instant::now();
        Ok(())
    }

    /// The next reply, reading as needed.
    fn read_reply(&mut self) -> Result<Frame, LinkDown> {
        let link = self
            .link
            .as_mut()
            .ok_or_else(|| LinkDown::Retry("no link".into()))?;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(frame) = link.replies.pop_front() {
                link.last_used = Instant::now();
                return Ok(frame);
            }
            let n = match link.stream.read(&mut buf) {
                Ok(0) => return Err(LinkDown::Retry("receiver closed the connection".into())),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            let mut rest = &buf[..n];
            while !rest.is_empty() {
                let (used, frame) = link
                    .decoder
                    .decode(rest)
                    .map_err(|e| LinkDown::Retry(e.to_string()))?;
                rest = &rest[used..];
                link.replies.extend(frame);
            }
        }
    }
}
