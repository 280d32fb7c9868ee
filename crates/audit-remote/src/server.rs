//! The receiving end: a TCP listener that writes each record through a [`Sink`] and
//! acknowledges it only once the sink reports it durable.
//!
//! One thread accepts; each connection has its own thread and buffers at most one
//! frame (about 9 KiB) plus a read buffer. What it does, per frame:
//!
//! - MESSAGE: unless it is a duplicate, hand the payload (the record line, verbatim)
//!   to the sink; reply ACK when it is written, DISKLOW when written on a disk running
//!   low, DISKFULL or DISKERROR when it could not be written. The MESSAGE frames that
//!   arrive in one read (a sender with several in flight) go to
//!   [`Sink::write_all`] together, so that one sync makes them all durable.
//! - HEARTBEAT: reply ACK at once.
//! - anything else, or bytes that are not frames: a protocol error; the connection is
//!   closed (the sender resends what it did not see acknowledged).
//!
//! **Duplicates.** A sender resends a record whose ACK it did not receive (the
//! connection broke after the write). The receiver remembers, per peer address, the
//! sequence and a 64-bit hash of the payload of the last [`ReceiverConfig::dedup_window`]
//! records it wrote; a MESSAGE matching one of them is acknowledged without a second
//! write. Matching the payload too keeps a restarted sender, whose sequence starts
//! again, from having a new record taken for an old one (audit records carry their
//! timestamp and serial, so equal payloads are the same record). Across a restart of
//! the receiver, [`Sink::recent`] gives the records written last; until a peer's first
//! new record, a MESSAGE with the same bytes as one of them is taken as a resend.
//!
//! **Connections.** At most [`ReceiverConfig::max_per_addr`] connections per address
//! (auditd's `tcp_max_per_addr`, default 1); more are closed at once. A connection
//! silent for [`ReceiverConfig::client_max_idle`] (auditd's `tcp_client_max_idle`) is
//! closed, so that the half-open connection of a client that restarted does not keep
//! the client out for good; TCP keepalive is on (as auditd sets it), so that the
//! kernel closes the connection of a host that went away in the end, idle limit or
//! not. A connection whose replies cannot be written for
//! [`ReceiverConfig::reply_timeout`] (its sender does not read them) is closed. At
//! [`ReceiverHandle::shutdown`] every connection gets an ENDING frame (sequence 0)
//! before it is closed; one still busy after a grace period (its sender does not
//! read, or the sink is slow) has its socket shut down, so that shutdown ends.

use crate::frame::{Decoder, Frame, FrameType};
use crate::tls::Stream;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How a record was written, as the sink reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Durability {
    /// Written durably (as the sink's flush policy defines it): reply ACK.
    Written,
    /// Written durably, but disk space is low: reply DISKLOW with this text.
    WrittenSpaceLow(String),
}

/// Why a sink could not write a record; the record is not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// No space left: reply DISKFULL with this text.
    #[error("disk full: {0}")]
    DiskFull(String),
    /// Any other write failure: reply DISKERROR with this text.
    #[error("disk error: {0}")]
    DiskError(String),
    /// The sink is shutting down and wrote nothing: the connection gets ENDING
    /// (sequence 0) and is closed; the sender sends the records again elsewhere or
    /// later.
    #[error("the receiver is ending")]
    Ending,
}

/// Where received records go. Called from the connection threads, one record at a
/// time (the receiver serialises the calls).
pub trait Sink: Send + Sync {
    /// Writes one record (the payload of a MESSAGE frame, normally one line with its
    /// `\n`) received from `peer`, and returns only once it is as durable as promised:
    /// the sender is told it may forget the record.
    ///
    /// # Errors
    /// A [`SinkError`] when the record is not written.
    fn write(&self, peer: SocketAddr, record: &[u8]) -> Result<Durability, SinkError>;

    /// Writes several records received together from `peer`, in order, and returns
    /// once all are durable; the default writes them one by one. A sink that can make
    /// a batch durable at once (one sync) overrides this: with senders that keep
    /// several frames in flight, it is what makes the receiver fast.
    ///
    /// # Errors
    /// A [`SinkError`] when not all were written; the sender gets it for every record
    /// of the batch and sends them again, and those already written are recognised as
    /// resends only as far as [`ReceiverConfig::dedup_window`] reaches, so a sink
    /// should fail before writing any.
    fn write_all(&self, peer: SocketAddr, records: &[&[u8]]) -> Result<Durability, SinkError> {
        let mut worst = Durability::Written;
        for record in records {
            if let Durability::WrittenSpaceLow(text) = self.write(peer, record)? {
                worst = Durability::WrittenSpaceLow(text);
            }
        }
        Ok(worst)
    }

    /// The last records (up to `limit`, oldest first) written before this receiver
    /// started, such as the tail of the log file. A receiver restarted while a sender
    /// still waited for an ACK gets that record again; these let it recognise it. The
    /// default has none.
    ///
    /// # Errors
    /// The error of reading them: the receiver does not start without them.
    fn recent(&self, limit: usize) -> io::Result<Vec<Vec<u8>>> {
        let _ = limit;
        Ok(Vec::new())
    }
}

/// A sink appending records to one file and syncing its data after each record (or
/// batch); a failed write is cut off, leaving the file ending with a whole line.
/// Each record is written as one line ([`log_line`](crate::log_append::log_line)):
/// one without its newline gets one, a newline inside one becomes a space.
#[derive(Debug)]
pub struct FileSink {
    file: Mutex<File>,
    space_left_mb: Option<u64>,
}

impl FileSink {
    /// Opens (creating, mode 0600) `path` for appending (and reading its tail, see
    /// [`Sink::recent`]), through no symbolic link: a link planted in the log's
    /// place must not send the records (or the truncation of a failed write) to
    /// another file.
    ///
    /// # Errors
    /// The error of opening the file; `path` is a symbolic link, or (as opened)
    /// not a regular file.
    pub fn open(path: &Path) -> io::Result<Self> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::CREATE
            | OFlags::APPEND
            | OFlags::RDWR
            | OFlags::NOFOLLOW
            | OFlags::NOCTTY
            | OFlags::CLOEXEC;
        let fd = rustix::fs::open(path, flags, Mode::from_raw_mode(0o600)).map_err(|e| {
            let e = io::Error::from(e);
            if e.raw_os_error() == Some(ELOOP) {
                let what = format!("{}: a symbolic link (not followed)", path.display());
                io::Error::new(io::ErrorKind::InvalidInput, what)
            } else {
                e
            }
        })?;
        let file = File::from(fd);
        if !file.metadata()?.file_type().is_file() {
            let what = format!("{}: not a regular file", path.display());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, what));
        }
        Ok(Self {
            file: Mutex::new(file),
            space_left_mb: None,
        })
    }

    /// Replies DISKLOW rather than ACK to records written while the file system
    /// has less than `megabytes` free (auditd's `space_left`).
    #[must_use]
    pub fn with_space_left(mut self, megabytes: u64) -> Self {
        self.space_left_mb = Some(megabytes);
        self
    }
}

/// The last lines (up to `limit`, oldest first, each with its `\n`) of `file`, read
/// through a clone of its descriptor: what [`Sink::recent`] gives for a log file.
///
/// # Errors
/// The error of reading.
pub fn last_lines(file: &File, limit: usize) -> io::Result<Vec<Vec<u8>>> {
    use std::io::{Seek, SeekFrom};
    // Records are at most a frame long: this much tail holds `limit` of them, or
    // as many as fit, which is what a sender's window can have in flight.
    let tail = (limit as u64).saturating_mul(512).min(4 << 20);
    let mut file = file.try_clone()?;
    let len = file.seek(SeekFrom::End(0))?;
    let start = len.saturating_sub(tail);
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(start))?;
    file.read_to_end(&mut bytes)?;
    let mut lines: Vec<Vec<u8>> = bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    if start > 0 && !lines.is_empty() {
        // The first piece may be the end of a longer line.
        lines.remove(0);
    }
    let skip = lines.len().saturating_sub(limit);
    Ok(lines.split_off(skip))
}

/// Free space on the file system holding `file`, in 2^20-byte megabytes, as
/// auditd counts it (blocks available to unprivileged writers).
///
/// # Errors
/// The error of `fstatvfs`.
pub fn free_megabytes(file: &File) -> io::Result<u64> {
    let st = rustix::fs::fstatvfs(file)?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize.max(1)) >> 20)
}

impl Sink for FileSink {
    fn recent(&self, limit: usize) -> io::Result<Vec<Vec<u8>>> {
        let file = lock(&self.file);
        last_lines(&file, limit)
    }

    fn write(&self, peer: SocketAddr, record: &[u8]) -> Result<Durability, SinkError> {
        self.write_all(peer, &[record])
    }

    fn write_all(&self, _peer: SocketAddr, records: &[&[u8]]) -> Result<Durability, SinkError> {
        let lines: Vec<_> = records
            .iter()
            .map(|r| crate::log_append::log_line(r))
            .collect();
        let bytes = lines.concat();
        let mut file = lock(&self.file);
        let before = file
            .metadata()
            .map_err(|e| SinkError::DiskError(e.to_string()))?;
        let written = file.write_all(&bytes);
        if written.is_err() {
            // A write cut short by a full disk leaves part of a line: take it out,
            // so that the log ends with a whole line and the resend is not glued
            // to it.
            let _ = file.set_len(before.len());
        }
        written
            .and_then(|()| file.sync_data())
            .map_err(|e| match e.raw_os_error() {
                Some(ENOSPC) => SinkError::DiskFull(e.to_string()),
                _ => SinkError::DiskError(e.to_string()),
            })?;
        if let Some(low) = self.space_left_mb {
            // The record is written: a failed look at the space is no reason to
            // refuse it.
            if let Ok(free) = free_megabytes(&file) {
                if free < low {
                    return Ok(Durability::WrittenSpaceLow(format!(
                        "{free} MB free, below space_left {low} MB"
                    )));
                }
            }
        }
        Ok(Durability::Written)
    }
}

/// `ENOSPC` on Linux (every architecture).
const ENOSPC: i32 = 28;

/// `ELOOP` on Linux (every architecture): what `O_NOFOLLOW` gives for a link.
const ELOOP: i32 = 40;

/// Settings of a [`Receiver`]; `Default` gives auditd's defaults where it has them.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// Most connections at once from one address (`tcp_max_per_addr`, default 1).
    pub max_per_addr: usize,
    /// Close a connection silent this long (`tcp_client_max_idle`; `None`, the
    /// default as in auditd, never closes one). Senders that heartbeat more often
    /// than this are never closed while alive.
    pub client_max_idle: Option<Duration>,
    /// How many recent records per peer are remembered to drop duplicates (default
    /// 64; at least the sender's window).
    pub dedup_window: usize,
    /// How often idle threads look for shutdown and idleness (default 50 ms).
    pub tick: Duration,
    /// Close a connection whose replies could not be written for this long: its
    /// sender no longer reads them (default 30 s). A sender reading its replies
    /// never waits this long, as the socket buffers hold thousands of them.
    pub reply_timeout: Duration,
    /// Most connections at once in all (default 1024): each has a thread and up to
    /// about 50 KiB of buffers, so this bounds the receiver's memory.
    pub max_connections: usize,
    /// Accept only senders whose source port is in this range (`tcp_client_ports`,
    /// such as `1..=1023` for privileged ports only; `None`, the default: any).
    pub client_ports: Option<std::ops::RangeInclusive<u16>>,
    /// TLS on every connection (`None`, the default: plain TCP, as auditd 3.0.9).
    pub tls: Option<crate::tls::TlsServer>,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            max_per_addr: 1,
            client_max_idle: None,
            dedup_window: 64,
            tick: Duration::from_millis(50),
            reply_timeout: Duration::from_secs(30),
            max_connections: 1024,
            client_ports: None,
            tls: None,
        }
    }
}

/// Counters of what a receiver did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiverStats {
    /// Records the sink wrote.
    pub records_written: u64,
    /// Records acknowledged without writing, as duplicates of written ones.
    pub duplicates_dropped: u64,
    /// Heartbeats answered.
    pub heartbeats: u64,
    /// Records the sink failed to write (replied DISKFULL or DISKERROR).
    pub sink_failures: u64,
    /// Connections accepted.
    pub connections_accepted: u64,
    /// Connections closed at once: beyond `max_per_addr` or `max_connections`, or
    /// from a source port outside `client_ports`.
    pub connections_refused: u64,
    /// Connections closed for being idle past `client_max_idle`.
    pub connections_reaped: u64,
    /// Connections closed because their replies could not be written within
    /// `reply_timeout` (the sender did not read them).
    pub connections_stalled: u64,
    /// Connections closed for a protocol error.
    pub protocol_errors: u64,
    /// The latest protocol error, with its peer.
    pub last_protocol_error: Option<String>,
}

#[derive(Debug, Default)]
struct Counters {
    records_written: AtomicU64,
    duplicates_dropped: AtomicU64,
    heartbeats: AtomicU64,
    sink_failures: AtomicU64,
    connections_accepted: AtomicU64,
    connections_refused: AtomicU64,
    connections_reaped: AtomicU64,
    connections_stalled: AtomicU64,
    protocol_errors: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Records recently written for one peer: (sequence, payload hash), oldest first.
type Recent = VecDeque<(u32, u64)>;

/// Most peers whose recent records are remembered; the least recently written-to peer
/// is forgotten beyond this, bounding the receiver's memory.
const MAX_REMEMBERED_PEERS: usize = 4096;

struct Shared {
    sink: Arc<dyn Sink>,
    config: ReceiverConfig,
    stop: AtomicBool,
    per_addr: Mutex<HashMap<IpAddr, usize>>,
    /// Held across the duplicate check and the write, so that two connections of one
    /// peer cannot both write a record.
    written: Mutex<(HashMap<IpAddr, Recent>, VecDeque<IpAddr>)>,
    /// Payload hashes of the records the sink wrote before this receiver started.
    before_start: Vec<u64>,
    counters: Counters,
    last_protocol_error: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking sink must not take the whole receiver down with poisoned locks.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A bound, not yet running receiver.
pub struct Receiver {
    listener: TcpListener,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("listener", &self.listener)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// Binds the listening socket (auditd's `tcp_listen_port` on `addr`).
    ///
    /// # Errors
    /// The error of binding, or of [`Sink::recent`].
    pub fn bind(
        addr: impl ToSocketAddrs,
        config: ReceiverConfig,
        sink: Arc<dyn Sink>,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        Self::from_listener(listener, config, sink)
    }

    /// A receiver on an already bound listener.
    ///
    /// # Errors
    /// The error of [`Sink::recent`].
    pub fn from_listener(
        listener: TcpListener,
        config: ReceiverConfig,
        sink: Arc<dyn Sink>,
    ) -> io::Result<Self> {
        let before_start = sink
            .recent(config.dedup_window)?
            .iter()
            .map(|r| payload_hash(r))
            .collect();
        let shared = Arc::new(Shared {
            before_start,
            sink,
            config,
            stop: AtomicBool::new(false),
            per_addr: Mutex::new(HashMap::new()),
            written: Mutex::new((HashMap::new(), VecDeque::new())),
            counters: Counters::default(),
            last_protocol_error: Mutex::new(None),
        });
        Ok(Self { listener, shared })
    }

    /// The address it listens on.
    ///
    /// # Errors
    /// The error of `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Starts accepting in a thread of its own.
    ///
    /// # Errors
    /// The error of making the listener non-blocking.
    pub fn spawn(self) -> io::Result<ReceiverHandle> {
        // Non-blocking, so that the accepting thread sees a shutdown within a tick.
        self.listener.set_nonblocking(true)?;
        let addr = self.listener.local_addr()?;
        let shared = Arc::clone(&self.shared);
        let listener = self.listener;
        let accept = std::thread::Builder::new()
            .name("audit-remote-accept".into())
            .spawn(move || accept_loop(&listener, &shared))?;
        Ok(ReceiverHandle {
            addr,
            shared: self.shared,
            accept: Some(accept),
        })
    }
}

/// A running receiver. Dropping it shuts it down as [`shutdown`](Self::shutdown) does.
pub struct ReceiverHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ReceiverHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ReceiverHandle {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it has done so far.
    pub fn stats(&self) -> ReceiverStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ReceiverStats {
            records_written: get(&c.records_written),
            duplicates_dropped: get(&c.duplicates_dropped),
            heartbeats: get(&c.heartbeats),
            sink_failures: get(&c.sink_failures),
            connections_accepted: get(&c.connections_accepted),
            connections_refused: get(&c.connections_refused),
            connections_reaped: get(&c.connections_reaped),
            connections_stalled: get(&c.connections_stalled),
            protocol_errors: get(&c.protocol_errors),
            last_protocol_error: lock(&self.shared.last_protocol_error).clone(),
        }
    }

    /// How many connections are open now.
    pub fn open_connections(&self) -> usize {
        lock(&self.shared.per_addr).values().sum()
    }

    /// Stops accepting, sends ENDING (sequence 0) on every connection, closes them
    /// and waits for every thread. Returns the final counters.
    pub fn shutdown(mut self) -> ReceiverStats {
        self.stop_and_join();
        self.stats()
    }

    fn stop_and_join(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            // The accepting thread joins the connection threads before it returns.
            let _ = accept.join();
        }
    }
}

impl Drop for ReceiverHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// How long connections get at shutdown to send ENDING and close by themselves
/// before their sockets are shut down under them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A connection's thread and a second handle on its socket, to shut it down.
type Running = (JoinHandle<()>, Arc<TcpStream>);

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut connections: Vec<Running> = Vec::new();
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                connections.retain(|(c, _)| !c.is_finished());
                if let Some(running) = admit(stream, peer, shared) {
                    connections.push(running);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                // The handles of ended connections are let go while idle too.
                connections.retain(|(c, _)| !c.is_finished());
                std::thread::sleep(shared.config.tick);
            }
            // A connection that failed between SYN and accept, or a short-lived
            // resource shortage: keep listening.
            Err(_) => std::thread::sleep(shared.config.tick),
        }
    }
    let grace_end = Instant::now() + SHUTDOWN_GRACE;
    while connections.iter().any(|(c, _)| !c.is_finished()) && Instant::now() < grace_end {
        std::thread::sleep(shared.config.tick.min(Duration::from_millis(10)));
    }
    for (c, socket) in connections {
        if !c.is_finished() {
            // Blocked writing to a sender that does not read: the shutdown makes
            // the write fail at once.
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
        let _ = c.join();
    }
}

/// Counts the connection against its address and starts its thread, or closes it.
fn admit(stream: TcpStream, peer: SocketAddr, shared: &Arc<Shared>) -> Option<Running> {
    // Kept for shutting the socket down under a thread stuck writing to it.
    let Ok(watch) = stream.try_clone().map(Arc::new) else {
        bump(&shared.counters.connections_refused);
        return None;
    };
    let closer = Arc::clone(&watch);
    {
        let config = &shared.config;
        let mut per_addr = lock(&shared.per_addr);
        let total: usize = per_addr.values().sum();
        let from_addr = per_addr.get(&peer.ip()).copied().unwrap_or(0);
        let port_ok = config
            .client_ports
            .as_ref()
            .is_none_or(|ports| ports.contains(&peer.port()));
        if !port_ok || total >= config.max_connections || from_addr >= config.max_per_addr {
            bump(&shared.counters.connections_refused);
            return None;
        }
        *per_addr.entry(peer.ip()).or_insert(0) += 1;
    }
    bump(&shared.counters.connections_accepted);
    // As auditd: the kernel's probes close the connection of a sender whose host
    // went away without a word, which would otherwise hold its address's place
    // (max_per_addr) for good when client_max_idle is off. Best effort, as there.
    let _ = socket2::SockRef::from(&stream).set_keepalive(true);
    let thread_shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name(format!("audit-remote-{peer}"))
        .spawn(move || {
            let stream = match &thread_shared.config.tls {
                Some(tls) => tls.wrap(stream),
                None => Ok(Stream::Plain(stream)),
            };
            let Ok(stream) = stream else {
                release(&thread_shared, peer.ip());
                return;
            };
            let mut conn = Connection {
                stream,
                peer,
                shared: &thread_shared,
            };
            conn.run();
            // The socket ends with the connection (reaped, stalled, a bad frame):
            // the second handle would otherwise keep it open, the sender unaware.
            let _ = closer.shutdown(std::net::Shutdown::Both);
            release(&thread_shared, peer.ip());
        });
    match spawned {
        Ok(handle) => Some((handle, watch)),
        Err(_) => {
            release(shared, peer.ip());
            None
        }
    }
}

fn release(shared: &Shared, ip: IpAddr) {
    let mut per_addr = lock(&shared.per_addr);
    if let Some(count) = per_addr.get_mut(&ip) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            per_addr.remove(&ip);
        }
    }
}

/// The hash of the log line `payload` makes, so that a record sent without its
/// newline matches its line in the log after a restart.
fn payload_hash(payload: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    crate::log_append::log_line(payload).hash(&mut hasher);
    hasher.finish()
}

struct Connection<'a> {
    stream: Stream,
    peer: SocketAddr,
    shared: &'a Shared,
}

/// The connection must be closed (an I/O or protocol error, already counted).
struct Close;

impl Connection<'_> {
    fn run(&mut self) {
        let tick = self.shared.config.tick;
        let tcp = self.stream.tcp();
        let reply_timeout = self
            .shared
            .config
            .reply_timeout
            .max(Duration::from_millis(1));
        if tcp.set_nonblocking(false).is_err()
            || tcp.set_read_timeout(Some(tick)).is_err()
            || tcp.set_write_timeout(Some(reply_timeout)).is_err()
        {
            return;
        }
        let _ = tcp.set_nodelay(true);
        let mut decoder = Decoder::new();
        let mut buf = vec![0u8; 16 * 1024];
        let mut last_heard = Instant::now();
        loop {
            if self.shared.stop.load(Ordering::SeqCst) {
                let ending = Frame::new(FrameType::ENDING, 0, Vec::new());
                if let Ok(bytes) = ending.encode() {
                    let _ = self.stream.write_all(&bytes);
                    let _ = self.stream.flush();
                }
                let _ = self.stream.tcp().shutdown(std::net::Shutdown::Both);
                return;
            }
            match self.stream.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    last_heard = Instant::now();
                    if self.consume(&mut decoder, &buf[..n]).is_err() {
                        return;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if let Some(max_idle) = self.shared.config.client_max_idle {
                        if last_heard.elapsed() >= max_idle {
                            bump(&self.shared.counters.connections_reaped);
                            return;
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    }

    /// Decodes and answers every frame in `bytes`.
    fn consume(&mut self, decoder: &mut Decoder, mut bytes: &[u8]) -> Result<(), Close> {
        // The frames of one read are answered together: their records go to the sink
        // in one call (one sync), their replies out in one write, in frame order.
        let mut frames = Vec::new();
        let mut failure = None;
        while !bytes.is_empty() {
            match decoder.decode(bytes) {
                Ok((used, frame)) => {
                    bytes = &bytes[used..];
                    frames.extend(frame);
                }
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        let mut replies = Vec::new();
        let mut batch: Vec<Frame> = Vec::new();
        for frame in frames {
            match frame.kind {
                FrameType::MESSAGE => batch.push(frame),
                FrameType::HEARTBEAT => {
                    self.write_records(&mut batch, &mut replies);
                    bump(&self.shared.counters.heartbeats);
                    replies.push(Frame::new(FrameType::ACK, frame.sequence, Vec::new()));
                }
                other => {
                    failure = Some(format!(
                        "unexpected {other} frame (sequence {}) from a sender",
                        frame.sequence
                    ));
                    break;
                }
            }
        }
        self.write_records(&mut batch, &mut replies);
        let mut out = Vec::new();
        for reply in &replies {
            // Reply texts are cut to MAX_RECEIVABLE_PAYLOAD: they encode.
            let _ = reply.encode_into(&mut out);
        }
        let sent = self
            .stream
            .write_all(&out)
            .and_then(|()| self.stream.flush());
        if let Some(what) = failure {
            self.protocol_error(&what);
            return Err(Close);
        }
        if replies.iter().any(|r| r.kind == FrameType::ENDING) {
            let _ = self.stream.tcp().shutdown(std::net::Shutdown::Both);
            return Err(Close);
        }
        sent.map_err(|e| {
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                bump(&self.shared.counters.connections_stalled);
            }
            Close
        })
    }

    /// Writes the records of `batch` that are not resends, in one sink call, and
    /// appends one reply per frame to `replies`, in order.
    fn write_records(&self, batch: &mut Vec<Frame>, replies: &mut Vec<Frame>) {
        if batch.is_empty() {
            return;
        }
        let ip = self.peer.ip();
        let mut written = lock(&self.shared.written);
        let (recent_by_peer, order) = &mut *written;
        let keys: Vec<(u32, u64)> = batch
            .iter()
            .map(|f| (f.sequence, payload_hash(&f.payload)))
            .collect();
        let mut fresh = Vec::with_capacity(batch.len());
        for (i, key) in keys.iter().enumerate() {
            let seen = match recent_by_peer.get(&ip) {
                Some(recent) => recent.contains(key),
                // A peer not heard from since the start: its resend of a record
                // written just before a restart carries the same bytes.
                None => self.shared.before_start.contains(&key.1),
            } || keys[..i].contains(key);
            fresh.push(!seen);
        }
        let records: Vec<&[u8]> = batch
            .iter()
            .zip(&fresh)
            .filter(|(_, &f)| f)
            .map(|(frame, _)| frame.payload.as_slice())
            .collect();
        let outcome = if records.is_empty() {
            Ok(Durability::Written)
        } else {
            self.shared.sink.write_all(self.peer, &records)
        };
        let (kind, text) = match &outcome {
            Ok(Durability::Written) => (FrameType::ACK, String::new()),
            Ok(Durability::WrittenSpaceLow(text)) => (FrameType::DISK_LOW, text.clone()),
            Err(SinkError::DiskFull(text)) => (FrameType::DISK_FULL, text.clone()),
            Err(SinkError::DiskError(text)) => (FrameType::DISK_ERROR, text.clone()),
            Err(SinkError::Ending) => (FrameType::ENDING, String::new()),
        };
        let mut text = text.into_bytes();
        text.truncate(crate::frame::MAX_RECEIVABLE_PAYLOAD);
        let counters = &self.shared.counters;
        if outcome.is_ok() && !records.is_empty() {
            counters
                .records_written
                .fetch_add(records.len() as u64, Ordering::Relaxed);
            if !recent_by_peer.contains_key(&ip) {
                order.push_back(ip);
                if order.len() > MAX_REMEMBERED_PEERS {
                    if let Some(old) = order.pop_front() {
                        recent_by_peer.remove(&old);
                    }
                }
            }
            let recent = recent_by_peer.entry(ip).or_default();
            recent.extend(keys.iter().zip(&fresh).filter(|(_, &f)| f).map(|(k, _)| *k));
            while recent.len() > self.shared.config.dedup_window.max(1) {
                recent.pop_front();
            }
        } else if matches!(outcome, Err(SinkError::Ending)) {
            // One ENDING for the connection, and nothing after it.
            batch.clear();
            replies.push(Frame::new(FrameType::ENDING, 0, Vec::new()));
            return;
        } else if outcome.is_err() {
            counters
                .sink_failures
                .fetch_add(records.len() as u64, Ordering::Relaxed);
        }
        for (frame, is_fresh) in batch.drain(..).zip(fresh) {
            if is_fresh {
                replies.push(Frame::new(kind, frame.sequence, text.clone()));
            } else {
                bump(&counters.duplicates_dropped);
                replies.push(Frame::new(FrameType::ACK, frame.sequence, Vec::new()));
            }
        }
    }

    fn protocol_error(&self, what: &str) {
        bump(&self.shared.counters.protocol_errors);
        *lock(&self.shared.last_protocol_error) = Some(format!("{}: {what}", self.peer));
    }
}
