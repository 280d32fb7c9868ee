//! The NETLINK_AUDIT socket: requests matched to the kernel's answers, and the queue of
//! records received meanwhile.

use crate::error::{Errno, Error, Result};
use crate::record::{Incoming, RawRecord};
use audit_parse::record::SerialReader;
use audit_wire::netlink::{
    self, NlError, NlHeader, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_REQUEST,
};
use audit_wire::status::{Status, STATUS_PID};
use audit_wire::RecordType;
use netlink_sys::{protocols::NETLINK_AUDIT, Socket, SocketAddr};
use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::{Duration, Instant};

/// Default time a request waits for the kernel's complete answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The most items (records, overflow and truncation notices) a socket queues
/// while a request waits for its answer. A request stops moving records out of
/// the socket once its queue holds this many (a receive may add up to one
/// batch of datagrams past it) and fails with
/// [`Error::QueueFull`]: what is not taken waits in the socket, where the
/// kernel's own limits apply (a daemon's socket that fills holds the kernel
/// back; a read-log socket that fills loses records, reported as
/// [`Incoming::Overrun`]). 16,384 records take 5-50 MiB as records usually go
/// (about 150 MiB were all of the longest kind). A request reaches its answer
/// when fewer records than this (less those already queued) were in the
/// socket ahead of it: those that come later queue behind the answer.
pub const MAX_QUEUED: usize = 16_384;

/// `AUDIT_NLGRP_READLOG`: the multicast group of the "read log" socket.
pub const NLGRP_READLOG: u32 = 1;

/// Size of the buffer one datagram is received into. The kernel's audit messages are
/// at most a few KiB (`MAX_AUDIT_MESSAGE_LENGTH` is 8970), rule replies ~10 KiB.
const RECV_BUF: usize = 64 * 1024;

/// Datagrams one non-blocking receive takes with one `recvmmsg`, each into a
/// slot of [`RECV_BUF`] bytes (memory the kernel writes only as far as the
/// datagrams go).
const DRAIN_SLOTS: usize = 32;

/// Datagrams a `recvmmsg` asks for after one that emptied the socket: about an
/// event's worth of records (an exec's eight), so that the common drain sets up
/// a quarter of the headers. One that fills them asks for [`DRAIN_SLOTS`] next.
const FIRST_BATCH: usize = 8;

/// The instant `timeout` from now; `None` (no deadline: wait forever) when
/// that is past what the clock can hold.
pub(crate) fn deadline_in(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// What an ACK's code (`nlmsgerr.error`) stands for: an errno when negative.
/// With `value_ack` (a reset request, whose ACK carries a `u32` count in that
/// `int`), only -4095..=-1 (the kernel's errno range) is an errno, and any
/// other code is the count's bits (`code as u32`): counts from 2^31 on come as
/// negative codes, and those from 2^32 - 4095 on cannot be told from errnos.
pub(crate) fn ack_code(code: i32, value_ack: bool) -> std::result::Result<i32, Errno> {
    if code < 0 && (!value_ack || code >= -4095) {
        Err(Errno(code.saturating_neg()))
    } else {
        Ok(code)
    }
}

/// Other senders' datagrams one drain takes, in batches of nothing else, before
/// it returns (as having taken datagrams): a sender that keeps sending cannot
/// keep it going.
const FOREIGN_MAX: u64 = 4 * DRAIN_SLOTS as u64;

/// The name used in errors for a request type.
pub(crate) fn request_name(ty: RecordType) -> &'static str {
    match ty {
        RecordType::GET => "AUDIT_GET",
        RecordType::SET => "AUDIT_SET",
        RecordType::SIGNAL_INFO => "AUDIT_SIGNAL_INFO",
        RecordType::ADD_RULE => "AUDIT_ADD_RULE",
        RecordType::DEL_RULE => "AUDIT_DEL_RULE",
        RecordType::LIST_RULES => "AUDIT_LIST_RULES",
        RecordType::TRIM => "AUDIT_TRIM",
        RecordType::MAKE_EQUIV => "AUDIT_MAKE_EQUIV",
        RecordType::TTY_GET => "AUDIT_TTY_GET",
        RecordType::TTY_SET => "AUDIT_TTY_SET",
        RecordType::SET_FEATURE => "AUDIT_SET_FEATURE",
        RecordType::GET_FEATURE => "AUDIT_GET_FEATURE",
        RecordType(1100..=1199 | 2100..=2999) => "a user message",
        _ => "a request",
    }
}

/// The netlink message type of `ty`, which must fit its 16 bits.
fn wire_type(ty: RecordType) -> Result<u16> {
    u16::try_from(ty.0)
        .map_err(|_| Error::InvalidArgument("netlink message types are at most 65535"))
}

/// What a request waits for besides the ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Only the ACK (or error).
    Ack,
    /// Only the ACK, whose code carries a `u32` value (the old count of a
    /// reset): see [`ack_code`].
    AckValue,
    /// The ACK and one reply of this type.
    One(RecordType),
    /// The ACK and replies of this type up to NLMSG_DONE.
    Dump(RecordType),
}

/// A request that stopped at [`MAX_QUEUED`] before its answer came: the kernel
/// has it, and its answer is behind records still in the socket. Answers met
/// while those are taken are kept here, and the same request asked again
/// resumes it instead of being sent a second time.
#[derive(Debug)]
struct Unanswered {
    ty: RecordType,
    payload: Vec<u8>,
    want: Want,
    answer: Answer,
}

/// What has come of one request's answer so far.
#[derive(Debug)]
struct Answer {
    seq: u32,
    ack: Option<i32>,
    done: bool,
    replies: Vec<Vec<u8>>,
    /// The kernel refused it.
    refused: Option<Errno>,
}

impl Answer {
    fn new(seq: u32) -> Self {
        Self {
            seq,
            ack: None,
            done: false,
            replies: Vec::new(),
            refused: None,
        }
    }

    /// Takes the control messages of this request (others are stale answers).
    fn take(&mut self, ctl: Vec<CtlMsg>, want: Want) -> Result<()> {
        for m in ctl {
            if m.seq != self.seq {
                continue; // a stale answer to an earlier, timed-out request
            }
            match (m.ty, want) {
                (NLMSG_ERROR, _) => {
                    let e = NlError::parse(&m.payload).map_err(|source| Error::Wire {
                        what: "nlmsgerr",
                        source,
                    })?;
                    match ack_code(e.error, want == Want::AckValue) {
                        Ok(code) => self.ack = Some(code),
                        Err(errno) => self.refused = Some(errno),
                    }
                }
                (NLMSG_DONE, Want::Dump(_)) => self.done = true,
                (t, Want::One(w)) if RecordType::from(t) == w => {
                    self.replies.push(m.payload);
                    self.done = true;
                }
                (t, Want::Dump(w)) if RecordType::from(t) == w => self.replies.push(m.payload),
                _ => {}
            }
        }
        Ok(())
    }

    /// The outcome once it is complete.
    fn outcome(
        &mut self,
        want: Want,
        request: &'static str,
    ) -> Option<Result<(i32, Vec<Vec<u8>>)>> {
        if let Some(errno) = self.refused {
            return Some(Err(Error::Kernel { request, errno }));
        }
        // A reply means success (errors come without one): the ACK, which the
        // kernel drops when our receive queue is congested, is not awaited then.
        match (want, self.ack) {
            (Want::Ack | Want::AckValue, Some(code)) => {
                Some(Ok((code, std::mem::take(&mut self.replies))))
            }
            (Want::One(_) | Want::Dump(_), _) if self.done => Some(Ok((
                self.ack.unwrap_or(0),
                std::mem::take(&mut self.replies),
            ))),
            _ => None,
        }
    }
}

/// A control message (not an audit record) received from the kernel.
#[derive(Debug)]
struct CtlMsg {
    ty: u16,
    seq: u32,
    payload: Vec<u8>,
}

/// What [`AuditSocket::recv_direct`] hands on.
#[derive(Debug)]
pub enum Taken<'a> {
    /// A record: its type and payload, as in a [`RawRecord`] (the payload as
    /// received: trailing NULs and newlines not removed).
    Record {
        /// The record type.
        record_type: RecordType,
        /// The payload text, in the receive buffer.
        payload: &'a [u8],
    },
    /// Anything else, as [`AuditSocket::recv`] gives it.
    Other(Incoming),
}

/// Where [`Taken`] items go instead of the socket's queue.
type SinkFn<'s> = dyn FnMut(Taken<'_>) + 's;

/// What [`AuditSocket::recv_direct`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Direct {
    /// Nothing: items are waiting in the socket's own queue; take them with `recv`.
    Unavailable,
    /// The socket was empty.
    Empty,
    /// Datagrams came (possibly only control messages, or an overflow queued).
    Took,
    /// Datagrams came, fewer than one call takes: the socket was most likely
    /// empty after them (another call would most likely find nothing). Not a
    /// certainty: an error after some datagrams (an overflow, `ENOBUFS`) also
    /// ends a `recvmmsg` short, and is reported by the next receive. Only
    /// [`Direct::Empty`] shows that the socket was found empty.
    TookAll,
}

/// A datagram received but not yet taken (see `AuditSocket::pending`).
#[derive(Debug)]
enum Pending {
    /// A whole datagram from the kernel.
    Data(Vec<u8>),
    /// A datagram too long for its slot, as it is handed out.
    Truncated(Incoming),
}

/// Outcome of one receive call.
enum Recv {
    /// A whole datagram from the kernel, of this length.
    Data(usize),
    /// A datagram from the kernel longer than the buffer: its tail was cut off.
    Truncated(usize),
    /// A datagram from a user-space port (any size): dropped.
    Foreign,
    /// Nothing to read: the receive queue is empty (or stayed empty until the
    /// receive timeout).
    WouldBlock,
    /// A signal interrupted the receive.
    Interrupted,
    /// The receive queue overflowed (ENOBUFS).
    Overrun,
}

/// Counts of receive-queue overflows and the serial gaps they leave.
///
/// The kernel reports an overflow (`ENOBUFS`) once, at the first message it drops,
/// and may drop more until the queue has drained; the report comes ahead of the
/// records still queued. So from a report on, every jump in serials is counted, up
/// to and including the first record received after the socket was found empty
/// (the kernel had stopped dropping by then).
#[derive(Debug, Default)]
struct OverflowTracker {
    /// `ENOBUFS` returns: overflow episodes.
    episodes: u64,
    /// Highest serial seen in a record so far.
    max_serial: Option<u64>,
    /// From an overflow report to the first record after the socket was empty.
    counting: bool,
    /// The socket was found empty while counting.
    drained: bool,
    /// The serials skipped over while counting.
    missed_serials: u64,
    /// Reads each record's serial (once per event: its records share the stamp).
    serials: SerialReader,
}

impl OverflowTracker {
    fn overflow(&mut self) {
        self.episodes += 1;
        self.counting = true;
        self.drained = false;
    }

    fn drained(&mut self) {
        self.drained = self.counting;
    }

    /// Notes the record with this payload.
    fn record(&mut self, payload: &[u8]) {
        let Some(s) = self.serials.serial(payload) else {
            return;
        };
        match self.max_serial {
            // Records of one event share a serial; a lower one is an event of
            // another CPU that finished later: neither is a gap.
            Some(m) if self.counting && s > m => self.missed_serials += s - m - 1,
            _ => {}
        }
        self.max_serial = Some(self.max_serial.map_or(s, |m| m.max(s)));
        if self.drained {
            self.counting = false;
            self.drained = false;
        }
    }
}

/// A NETLINK_AUDIT socket.
///
/// Requests carry `NLM_F_REQUEST | NLM_F_ACK` and a fresh sequence number; only answers
/// from the kernel (port 0) with that number complete them, within [`timeout`]. Audit
/// records that arrive meanwhile (on a daemon or multicast socket) are queued, not lost,
/// and come out of [`recv`] in order. A receive-queue overflow (`ENOBUFS`) is neither
/// fatal nor swallowed: it becomes an [`Incoming::Overrun`] in that same order.
///
/// The wait for an answer ends at the timeout even while records keep coming,
/// and the queue takes at most [`MAX_QUEUED`] of them: a request whose answer is
/// further behind fails with [`Error::QueueFull`], the rest staying in the
/// socket (the kernel has the request). Take the queued records ([`recv`], or
/// an [`EventStream`](crate::EventStream) reading on), then make the same
/// request again: it is not sent a second time but resumed, and gets the first
/// one's answer (met while the records were taken, or still to come). Another
/// request in between gives it up (its answer is then passed over). A daemon
/// (or a read-log reader) may rather ask from a socket of its own from
/// [`open`]: no records come to one that is neither registered nor in the
/// read-log group, so nothing holds its answers up.
///
/// Only the kernel (port 0) is listened to. A socket from [`open`] is connected to
/// the kernel, which then refuses other senders' datagrams to it (their `sendto`
/// fails with `ECONNREFUSED`), so its receives need not ask who sent each one. A
/// read-log socket ([`open_readlog`]) is not (a root process may send to it, by
/// its port or to the group): each datagram's sender is checked, and one from
/// any other sender is dropped whatever its size and counted in
/// [`foreign_datagrams`]. Join no multicast group through the descriptor
/// ([`AsRawFd`]) of a socket from [`open`]: its senders would not be checked.
///
/// A datagram from the kernel larger than the receive buffer (64 KiB; the
/// kernel's records are at most a few KiB) is dropped, counted in
/// [`truncated_datagrams`] and handed out as [`Incoming::Truncated`] at its place
/// among the records; the socket reads on.
///
/// A receive that waits is one blocking `recvfrom` for a datagram, its wait
/// bounded by the socket's `SO_RCVTIMEO`; one that does not wait (a zero
/// timeout: draining) takes every datagram queued, many with each `recvmmsg`.
/// This type sets `SO_RCVTIMEO` and remembers it: do not set that
/// option on the descriptor ([`AsRawFd`]), or waits may outlast their timeout.
/// Making the descriptor non-blocking is fine (waits then happen in `poll`).
///
/// [`timeout`]: AuditSocket::set_timeout
/// [`recv`]: AuditSocket::recv
/// [`open`]: AuditSocket::open
/// [`open_readlog`]: AuditSocket::open_readlog
/// [`foreign_datagrams`]: AuditSocket::foreign_datagrams
/// [`truncated_datagrams`]: AuditSocket::truncated_datagrams
#[derive(Debug)]
pub struct AuditSocket {
    sock: Socket,
    seq: u32,
    timeout: Duration,
    buf: Vec<u8>,
    queue: VecDeque<Incoming>,
    overflow: OverflowTracker,
    foreign: u64,
    truncated: u64,
    replace_probes: u64,
    /// Receive system calls made (`recvfrom`, `recvmmsg`).
    receive_calls: u64,
    /// The last `recvmmsg` took fewer datagrams than it had room for: the socket
    /// was empty then.
    short_batch: bool,
    /// Datagrams the next `recvmmsg` asks for: [`FIRST_BATCH`] after one that
    /// emptied the socket, [`DRAIN_SLOTS`] after one that filled its batch.
    batch: usize,
    /// The `SO_RCVTIMEO` last set (`Some(None)`: none); `None` when not known.
    recv_timeout: Option<Option<Duration>>,
    /// [`DRAIN_SLOTS`] slots for a non-blocking `recvmmsg`; empty until then.
    slots: Vec<u8>,
    /// Datagrams a `recvmmsg` took after one that failed to parse (its error
    /// returned first): taken before the socket is read again.
    pending: VecDeque<Pending>,
    /// Datagrams may come from other senders than the kernel (the socket is not
    /// connected to it): each receive reads the sender's address to check it.
    any_sender: bool,
    /// The request that stopped at [`MAX_QUEUED`], to resume when asked again.
    unanswered: Option<Unanswered>,
    pub(crate) daemon_pid: Option<u32>,
}

impl AuditSocket {
    /// Open a NETLINK_AUDIT socket bound to a kernel-assigned port and connected
    /// to the kernel (port 0): other processes cannot send to it.
    pub fn open() -> Result<Self> {
        let mut s = Self::open_unconnected()?;
        s.sock
            .connect(&SocketAddr::new(0, 0))
            .map_err(Error::io("connect"))?;
        s.any_sender = false;
        Ok(s)
    }

    /// A socket bound to a kernel-assigned port, not connected: any sender's
    /// datagrams reach it, and its receives check each sender.
    fn open_unconnected() -> Result<Self> {
        let mut sock = Socket::new(NETLINK_AUDIT).map_err(Error::io("socket"))?;
        sock.bind_auto().map_err(Error::io("bind"))?;
        Ok(Self {
            sock,
            seq: 0,
            timeout: DEFAULT_TIMEOUT,
            buf: Vec::with_capacity(RECV_BUF),
            queue: VecDeque::new(),
            overflow: OverflowTracker::default(),
            foreign: 0,
            truncated: 0,
            replace_probes: 0,
            receive_calls: 0,
            short_batch: false,
            batch: FIRST_BATCH,
            recv_timeout: None,
            slots: Vec::new(),
            pending: VecDeque::new(),
            any_sender: true,
            unanswered: None,
            daemon_pid: None,
        })
    }

    /// Open a socket that joins the read-log multicast group (`AUDIT_NLGRP_READLOG`,
    /// needs `CAP_AUDIT_READ`): it receives every record beside the registered daemon,
    /// best effort, without displacing it. Other senders can reach it (a root
    /// process, by its port or to the group): their datagrams are dropped and
    /// counted ([`foreign_datagrams`](AuditSocket::foreign_datagrams)).
    pub fn open_readlog() -> Result<Self> {
        // Not connected: the kernel's refusal of other senders would not cover
        // what is sent to the group.
        let s = Self::open_unconnected()?;
        s.sock
            .add_membership(NLGRP_READLOG)
            .map_err(Error::io("setsockopt(NETLINK_ADD_MEMBERSHIP)"))?;
        Ok(s)
    }

    /// The time a request waits for the kernel's complete answer.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Set the time a request waits for the kernel's complete answer (one too
    /// large for the clock, such as `Duration::MAX`, waits without a limit).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The socket's port id (assigned by the kernel at bind time).
    pub fn port_id(&self) -> Result<u32> {
        let mut addr = SocketAddr::new(0, 0);
        self.sock
            .get_address(&mut addr)
            .map_err(Error::io("getsockname"))?;
        Ok(addr.port_number())
    }

    /// Set the receive buffer size (`SO_RCVBUF`, capped by `net.core.rmem_max`), or with
    /// `force` (`SO_RCVBUFFORCE`, needs `CAP_NET_ADMIN`) past that cap. The kernel
    /// doubles the value for its bookkeeping; see [`recv_buffer_size`].
    ///
    /// [`recv_buffer_size`]: AuditSocket::recv_buffer_size
    pub fn set_recv_buffer_size(&self, bytes: usize, force: bool) -> Result<()> {
        let v = libc::c_int::try_from(bytes).map_err(|_| Error::TooLong {
            what: "receive buffer size",
            len: bytes,
            max: libc::c_int::MAX as usize,
        })?;
        let opt = if force {
            libc::SO_RCVBUFFORCE
        } else {
            libc::SO_RCVBUF
        };
        // SAFETY: `v` is a valid c_int that outlives the call, and its size is passed.
        let r = unsafe {
            libc::setsockopt(
                self.sock.as_raw_fd(),
                libc::SOL_SOCKET,
                opt,
                (&v as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(Error::Io {
                op: if force {
                    "setsockopt(SO_RCVBUFFORCE)"
                } else {
                    "setsockopt(SO_RCVBUF)"
                },
                source: io::Error::last_os_error(),
            });
        }
        Ok(())
    }

    /// The receive buffer size the kernel uses (`SO_RCVBUF`, i.e. twice the set value).
    pub fn recv_buffer_size(&self) -> Result<usize> {
        self.sock
            .get_rx_buf_sz()
            .map_err(Error::io("getsockopt(SO_RCVBUF)"))
    }

    /// How many times this socket's receive queue overflowed (`ENOBUFS`): episodes,
    /// not records. Each episode may have lost any number of records (the kernel
    /// drops every message that finds the queue full, and tells the reader once);
    /// the kernel's `lost` counter does not count these drops either. For an
    /// estimate of what was missed, see [`missed_serials`].
    ///
    /// [`missed_serials`]: AuditSocket::missed_serials
    pub fn overruns(&self) -> u64 {
        self.overflow.episodes
    }

    /// An estimate of the events missed in receive-queue overflows: the audit serial
    /// numbers skipped over (each event has one serial and one or more records)
    /// from each overflow report up to the first record received after the socket
    /// was next found empty (the kernel drops until then).
    ///
    /// It grows as the records after an overflow are received: the last gap is
    /// known when the next record after the overflow comes. An event counts as
    /// missed only when none of its records came. Serials the kernel skipped for
    /// its own reasons in that time (its `lost` records, events no reader is sent)
    /// count too, and an event that finished out of serial order on another CPU
    /// can count as missed although it came.
    pub fn missed_serials(&self) -> u64 {
        self.overflow.missed_serials
    }

    /// How many datagrams were dropped because they did not come from the kernel
    /// (sender port id not 0), whatever their size.
    pub fn foreign_datagrams(&self) -> u64 {
        self.foreign
    }

    /// How many datagrams from the kernel were dropped because they did not fit
    /// the receive buffer (each was reported as [`Incoming::Truncated`]).
    pub fn truncated_datagrams(&self) -> u64 {
        self.truncated
    }

    /// How many `AUDIT_REPLACE` probes the kernel sent this (daemon) socket: each is a
    /// process asking to become (or stop being) the daemon. They are not records.
    pub fn replace_probes(&self) -> u64 {
        self.replace_probes
    }

    /// How many receive system calls (`recvfrom`, `recvmmsg`) this socket made,
    /// those that found nothing included: with the records received, what a reader
    /// pays per record in calls (the kernel sends one record per datagram; a
    /// `recvmmsg` takes many).
    pub fn receive_calls(&self) -> u64 {
        self.receive_calls
    }

    /// The pid this socket registered as the audit daemon, if it did.
    pub fn daemon_pid(&self) -> Option<u32> {
        self.daemon_pid
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        if self.seq == 0 {
            self.seq = 1;
        }
        self.seq
    }

    /// Send one message to the kernel; returns its sequence number.
    pub(crate) fn send_msg(&mut self, ty: RecordType, flags: u16, payload: &[u8]) -> Result<u32> {
        let ty = wire_type(ty)?;
        const MAX: usize = u32::MAX as usize - 64;
        if payload.len() > MAX {
            return Err(Error::TooLong {
                what: "netlink payload",
                len: payload.len(),
                max: MAX,
            });
        }
        let seq = self.next_seq();
        let msg = NlHeader {
            len: 0,
            ty,
            flags,
            seq,
            pid: 0,
        }
        .encode_message(payload);
        let kernel = SocketAddr::new(0, 0);
        loop {
            match self.sock.send_to(&msg, &kernel, 0) {
                Ok(_) => return Ok(seq),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Error::Io {
                        op: "sendto",
                        source: e,
                    })
                }
            }
        }
    }

    /// Send a request without asking for an ACK and without waiting (used on drop).
    pub(crate) fn send_nowait(&mut self, ty: RecordType, payload: &[u8]) {
        let Ok(ty) = wire_type(ty) else { return };
        let seq = self.next_seq();
        let msg = NlHeader {
            len: 0,
            ty,
            flags: NLM_F_REQUEST,
            seq,
            pid: 0,
        }
        .encode_message(payload);
        let _ = self
            .sock
            .send_to(&msg, &SocketAddr::new(0, 0), libc::MSG_DONTWAIT);
    }

    /// Wait until the socket is readable or `deadline` passes (false).
    fn wait_readable(&self, deadline: Option<Instant>) -> Result<bool> {
        loop {
            let ms = match deadline {
                None => -1,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    // Round up so that we never wake just before the deadline.
                    let ms = left.as_micros().div_ceil(1000);
                    libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
                }
            };
            let mut pfd = libc::pollfd {
                fd: self.sock.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: `pfd` is one valid pollfd that lives across the call (nfds = 1).
            let r = unsafe { libc::poll(&mut pfd, 1, ms) };
            if r < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(Error::Io {
                    op: "poll",
                    source: e,
                });
            }
            if r > 0 {
                return Ok(true);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
        }
    }

    /// Set the socket's receive timeout (`SO_RCVTIMEO`; `None`: none, wait
    /// forever), unless it is already that.
    fn set_recv_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        if self.recv_timeout == Some(timeout) {
            return Ok(());
        }
        // A zero timeval means no timeout; a timeout is never zero here.
        let d = timeout.unwrap_or(Duration::ZERO);
        let tv = libc::timeval {
            tv_sec: libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_usec: d.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: `tv` is a valid timeval that outlives the call, and its size is passed.
        let r = unsafe {
            libc::setsockopt(
                self.sock.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if r < 0 {
            self.recv_timeout = None;
            return Err(Error::Io {
                op: "setsockopt(SO_RCVTIMEO)",
                source: io::Error::last_os_error(),
            });
        }
        self.recv_timeout = Some(timeout);
        Ok(())
    }

    /// Receive one datagram; with `block`, waiting up to the socket's receive
    /// timeout (see [`set_recv_timeout`](Self::set_recv_timeout)).
    fn recv_once(&mut self, block: bool) -> Result<Recv> {
        self.buf.clear();
        if self.buf.capacity() < RECV_BUF {
            self.buf.reserve(RECV_BUF);
        }
        let cap = self.buf.capacity();
        // MSG_TRUNC: the datagram's whole length comes back even when it is longer
        // than the buffer, and the datagram is consumed whatever its size. Its
        // sender is checked before its size: nothing another process sends can
        // make a reader fail.
        let flags = libc::MSG_TRUNC | if block { 0 } else { libc::MSG_DONTWAIT };
        self.receive_calls += 1;
        // The sender's address only where others can send (it costs the kernel
        // a copy and an audit hook per datagram).
        let got = if self.any_sender {
            self.sock
                .recv_from(&mut self.buf, flags)
                .map(|(n, addr)| (n, addr.port_number() == 0))
        } else {
            self.sock.recv(&mut self.buf, flags).map(|n| (n, true))
        };
        match got {
            Ok((_, false)) => Ok(Recv::Foreign),
            Ok((n, _)) if n > cap => Ok(Recv::Truncated(n)),
            Ok((n, _)) => Ok(Recv::Data(n)),
            Err(e) => match e.raw_os_error() {
                Some(libc::EINTR) => Ok(Recv::Interrupted),
                Some(libc::EAGAIN) => Ok(Recv::WouldBlock),
                Some(libc::ENOBUFS) => Ok(Recv::Overrun),
                _ => Err(Error::Io {
                    op: "recvfrom",
                    source: e,
                }),
            },
        }
    }

    /// Receive what is queued, without blocking: up to [`DRAIN_SLOTS`] datagrams
    /// with one `recvmmsg`, each taken as [`pump`](Self::pump) takes one. `None`
    /// when the queue is empty; their control messages otherwise.
    /// With `direct`, records (and truncated datagrams) go to it, not the queue.
    fn recv_many(&mut self, direct: Option<&mut SinkFn<'_>>) -> Result<Option<Vec<CtlMsg>>> {
        if self.slots.len() < DRAIN_SLOTS * RECV_BUF {
            self.slots = vec![0; DRAIN_SLOTS * RECV_BUF];
        }
        let mut slots = std::mem::take(&mut self.slots);
        let got = self.recv_many_into(&mut slots, direct);
        self.slots = slots;
        got
    }

    /// With `direct`, each record (and truncated datagram) goes to it in order
    /// instead of the queue.
    fn recv_many_into(
        &mut self,
        slots: &mut [u8],
        mut direct: Option<&mut SinkFn<'_>>,
    ) -> Result<Option<Vec<CtlMsg>>> {
        // SAFETY: all-zero is a valid sockaddr_nl, iovec and mmsghdr (null
        // pointers, zero lengths); each is filled in below before use.
        let mut addrs: [libc::sockaddr_nl; DRAIN_SLOTS] = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut iovs: [libc::iovec; DRAIN_SLOTS] = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut hdrs: [libc::mmsghdr; DRAIN_SLOTS] = unsafe { std::mem::zeroed() };
        let batch = self.batch.clamp(1, DRAIN_SLOTS);
        for (i, slot) in slots.chunks_exact_mut(RECV_BUF).take(batch).enumerate() {
            iovs[i] = libc::iovec {
                iov_base: slot.as_mut_ptr().cast(),
                iov_len: RECV_BUF,
            };
            let h = &mut hdrs[i].msg_hdr;
            // The sender's address only where others can send (see recv_once);
            // otherwise `addrs` stays all zero: the kernel's port.
            if self.any_sender {
                h.msg_name = (&mut addrs[i] as *mut libc::sockaddr_nl).cast();
                h.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
            }
            h.msg_iov = &mut iovs[i];
            h.msg_iovlen = 1;
        }
        let foreign_before = self.foreign;
        loop {
            self.receive_calls += 1;
            // MSG_TRUNC: each datagram's whole length comes back (in msg_len),
            // as in recv_once.
            // SAFETY: the first `batch` (<= DRAIN_SLOTS) of `hdrs` each name their
            // own sockaddr_nl (or none) and one iovec over their own RECV_BUF bytes
            // of `slots`; all outlive the call. No timeout is passed.
            let n = unsafe {
                libc::recvmmsg(
                    self.sock.as_raw_fd(),
                    hdrs.as_mut_ptr(),
                    batch as libc::c_uint,
                    libc::MSG_DONTWAIT | libc::MSG_TRUNC,
                    std::ptr::null_mut(),
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                return match e.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    Some(libc::EAGAIN) => Ok(None),
                    Some(libc::ENOBUFS) => {
                        // The queue was full: more is most likely waiting.
                        self.short_batch = false;
                        self.overrun();
                        Ok(Some(Vec::new()))
                    }
                    _ => Err(Error::Io {
                        op: "recvmmsg",
                        source: e,
                    }),
                };
            }
            let n = usize::try_from(n).unwrap_or(0).min(batch);
            self.short_batch = n < batch;
            self.batch = if self.short_batch {
                FIRST_BATCH
            } else {
                DRAIN_SLOTS
            };
            let mut ctl = Vec::new();
            let mut kernel = false;
            let mut failed = None;
            for (i, slot) in slots.chunks_exact(RECV_BUF).take(n).enumerate() {
                let len = hdrs[i].msg_len as usize;
                if addrs[i].nl_pid != 0 {
                    self.foreign += 1;
                    continue;
                }
                kernel = true;
                if len > RECV_BUF {
                    self.truncated += 1;
                    let item = truncated_item(slot, len, RECV_BUF);
                    match (failed.is_some(), direct.as_deref_mut()) {
                        (true, _) => self.pending.push_back(Pending::Truncated(item)),
                        (false, Some(sink)) => sink(Taken::Other(item)),
                        (false, None) => self.queue.push_back(item),
                    }
                } else if failed.is_some() {
                    self.pending.push_back(Pending::Data(slot[..len].to_vec()));
                } else {
                    match self.split_data(&slot[..len], direct.as_deref_mut()) {
                        Ok(c) => ctl.extend(c),
                        Err(e) => failed = Some(e),
                    }
                }
            }
            if let Some(e) = failed {
                return Err(e);
            }
            // Only other senders' datagrams: look again, a few times.
            if kernel || self.foreign - foreign_before >= FOREIGN_MAX {
                if !kernel {
                    // Not empty, as far as is known.
                    self.short_batch = false;
                }
                return Ok(Some(ctl));
            }
        }
    }

    fn overrun(&mut self) {
        self.overflow.overflow();
        self.queue.push_back(Incoming::Overrun {
            total: self.overflow.episodes,
        });
    }

    /// Receive one datagram (waiting at most until `deadline`, forever for `None`):
    /// queue its records, overruns and truncation, return its control messages.
    /// `None` on timeout.
    ///
    /// One blocking receive (with `SO_RCVTIMEO` for the deadline) per datagram: a
    /// `poll` before each, or a non-blocking try and a `poll` whenever the queue is
    /// empty, costs as much again when records come one at a time. Without a wait
    /// (the deadline passed: a caller draining the socket), one `recvmmsg` takes
    /// what is queued. The queue is tried one datagram at a time without blocking
    /// while an overflow's end is looked for.
    fn pump(&mut self, deadline: Option<Instant>) -> Result<Option<Vec<CtlMsg>>> {
        self.pump_to(deadline, None)
    }

    /// [`pump`](Self::pump), records and truncated datagrams handed to `direct`
    /// when given (overrun notices are queued all the same).
    fn pump_to(
        &mut self,
        deadline: Option<Instant>,
        mut direct: Option<&mut SinkFn<'_>>,
    ) -> Result<Option<Vec<CtlMsg>>> {
        match self.pending.pop_front() {
            Some(Pending::Data(d)) => return self.split_data(&d, direct).map(Some),
            Some(Pending::Truncated(item)) => {
                self.take_item(item, direct);
                return Ok(Some(Vec::new()));
            }
            None => {}
        }
        loop {
            let got = if self.overflow.counting && !self.overflow.drained {
                match self.recv_once(false)? {
                    Recv::WouldBlock => {
                        // Empty: the kernel no longer drops for this socket.
                        self.overflow.drained();
                        continue;
                    }
                    got => got,
                }
            } else {
                // Rounded up to whole milliseconds: never wakes just before the
                // deadline, and a stream's steady waits set the timeout once.
                let wait = match deadline {
                    None => None,
                    Some(d) => {
                        let left = d.saturating_duration_since(Instant::now());
                        let ms = left.as_micros().div_ceil(1000);
                        Some(Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX)))
                    }
                };
                match wait {
                    // Draining: every datagram queued, with one call.
                    Some(Duration::ZERO) => return self.recv_many(direct),
                    wait => {
                        self.set_recv_timeout(wait)?;
                        match self.recv_once(true)? {
                            // The timeout ran out, or the descriptor was made
                            // non-blocking (it is lent out): wait the rest in poll.
                            Recv::WouldBlock => {
                                if !self.wait_readable(deadline)? {
                                    return Ok(None);
                                }
                                continue;
                            }
                            got => got,
                        }
                    }
                }
            };
            match got {
                Recv::WouldBlock | Recv::Interrupted => continue,
                Recv::Foreign => {
                    self.foreign += 1;
                    // Others' datagrams do not stretch the wait (one at a time
                    // while an overflow's end is looked for).
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(Some(Vec::new()));
                    }
                    continue;
                }
                Recv::Overrun => {
                    self.overrun();
                    return Ok(Some(Vec::new()));
                }
                Recv::Truncated(len) => {
                    self.truncated += 1;
                    let item = truncated_item(&self.buf, len, self.buf.capacity());
                    self.take_item(item, direct.as_deref_mut());
                    return Ok(Some(Vec::new()));
                }
                Recv::Data(n) => {
                    let buf = std::mem::take(&mut self.buf);
                    let ctl = self.split_data(&buf[..n], direct);
                    self.buf = buf;
                    return ctl.map(Some);
                }
            }
        }
    }

    /// An item for `direct` when given, else for the queue.
    fn take_item(&mut self, item: Incoming, direct: Option<&mut SinkFn<'_>>) {
        match direct {
            Some(sink) => sink(Taken::Other(item)),
            None => self.queue.push_back(item),
        }
    }

    /// Queues the records of one datagram from the kernel (hands them to `direct`
    /// when given); returns its control messages.
    fn split_data(
        &mut self,
        data: &[u8],
        mut direct: Option<&mut SinkFn<'_>>,
    ) -> Result<Vec<CtlMsg>> {
        let mut ctl = Vec::new();
        for m in netlink::messages(data) {
            let m = m.map_err(|source| Error::Wire {
                what: "netlink message",
                source,
            })?;
            if RecordType::from(m.header.ty) == RecordType::REPLACE {
                // The kernel probing whether we (the daemon) are alive before a new
                // registration: a binary pid, not a record.
                self.replace_probes += 1;
            } else if netlink::is_record_type(m.header.ty) {
                self.overflow.record(m.payload);
                match direct.as_deref_mut() {
                    Some(sink) => sink(Taken::Record {
                        record_type: RecordType::from(m.header.ty),
                        payload: m.payload,
                    }),
                    None => self.queue.push_back(Incoming::Record(RawRecord::new(
                        RecordType::from(m.header.ty),
                        m.payload,
                    ))),
                }
            } else {
                ctl.push(CtlMsg {
                    ty: m.header.ty,
                    seq: m.header.seq,
                    payload: m.payload.to_vec(),
                });
            }
        }
        Ok(ctl)
    }

    /// Send a request and wait for its complete answer: the ACK's code (0, or the
    /// positive value some audit requests return) and the reply payloads.
    ///
    /// Records received meanwhile are queued up to [`MAX_QUEUED`]; the wait ends
    /// at the deadline whether or not records keep coming. A request stopped at
    /// the queue's limit is kept ([`Unanswered`]) for the same request to resume;
    /// other answers not reached are met later, as stale ones, and passed over.
    pub(crate) fn transact(
        &mut self,
        ty: RecordType,
        payload: &[u8],
        want: Want,
    ) -> Result<(i32, Vec<Vec<u8>>)> {
        let request = request_name(ty);
        let queue_full = |queued| Error::QueueFull { request, queued };
        // The same request asked again after it stopped at the queue's limit:
        // resumed (its answer may have come meanwhile), not sent again.
        let resumed = match self.unanswered.take() {
            Some(u) if u.ty == ty && u.want == want && u.payload == payload => Some(u.answer),
            _ => None,
        };
        let mut answer = match resumed {
            Some(mut answer) => match answer.outcome(want, request) {
                Some(outcome) => return outcome,
                // Still behind records and none taken: kept for the next try.
                None if self.queue.len() >= MAX_QUEUED => {
                    let queued = self.queue.len();
                    self.unanswered = Some(Unanswered {
                        ty,
                        payload: payload.to_vec(),
                        want,
                        answer,
                    });
                    return Err(queue_full(queued));
                }
                None => answer,
            },
            None => {
                // Not sent when its answer could not be reached: nothing is done.
                if self.queue.len() >= MAX_QUEUED {
                    return Err(queue_full(self.queue.len()));
                }
                Answer::new(self.send_msg(ty, NLM_F_REQUEST | NLM_F_ACK, payload)?)
            }
        };
        let deadline = deadline_in(self.timeout);
        let timed_out = Error::Timeout {
            request,
            timeout: self.timeout,
        };
        loop {
            let Some(ctl) = self.pump(deadline)? else {
                return Err(timed_out);
            };
            answer.take(ctl, want)?;
            if let Some(outcome) = answer.outcome(want, request) {
                return outcome;
            }
            // Records that keep coming do not stretch the wait, nor fill memory.
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(timed_out);
            }
            if self.queue.len() >= MAX_QUEUED {
                self.unanswered = Some(Unanswered {
                    ty,
                    payload: payload.to_vec(),
                    want,
                    answer,
                });
                return Err(queue_full(self.queue.len()));
            }
        }
    }

    /// Keeps the answer to a request that stopped at the queue's limit, when
    /// these control messages (met while records are taken) are part of it.
    fn take_late(&mut self, ctl: Vec<CtlMsg>) -> Result<()> {
        if ctl.is_empty() {
            return Ok(());
        }
        match &mut self.unanswered {
            Some(u) => u.answer.take(ctl, u.want),
            // Stale answers to timed-out requests: dropped.
            None => Ok(()),
        }
    }

    /// The next record (or overrun notice) from the kernel, waiting at most `timeout`
    /// (`None`, or one too large for the clock: wait forever). `Ok(None)` when the
    /// time ran out.
    ///
    /// Records queued while a request was waiting for its answer come first.
    ///
    /// [`Incoming::Truncated`] reports one datagram from the kernel that did not fit
    /// the buffer and was dropped: the next call goes on with the next datagram. Datagrams from other senders never come out (see
    /// [`foreign_datagrams`](AuditSocket::foreign_datagrams)).
    pub fn recv(&mut self, timeout: Option<Duration>) -> Result<Option<Incoming>> {
        // Queued records come without a clock read (a drain takes each this way).
        if let Some(i) = self.queue.pop_front() {
            return Ok(Some(i));
        }
        let deadline = timeout.and_then(deadline_in);
        loop {
            if let Some(i) = self.queue.pop_front() {
                return Ok(Some(i));
            }
            // Control messages here are late answers (see take_late) or stale.
            match self.pump(deadline)? {
                None => return Ok(None),
                Some(ctl) => self.take_late(ctl)?,
            }
            // Only those, or other senders' datagrams: they do not stretch the
            // wait (nor keep a drain going).
            if self.queue.is_empty() && deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(None);
            }
        }
    }

    /// Without waiting, one `recvmmsg` of what is queued in the socket, each record
    /// (and truncated datagram) handed to `sink` in order, not queued: no copy of
    /// its own. [`Direct::Unavailable`] when items are already waiting to come out
    /// of [`recv`](Self::recv) (or an overflow's end is looked for): read with that.
    pub fn recv_direct(&mut self, sink: &mut dyn FnMut(Taken<'_>)) -> Result<Direct> {
        if self.has_waiting() || (self.overflow.counting && !self.overflow.drained) {
            return Ok(Direct::Unavailable);
        }
        if self.slots.len() < DRAIN_SLOTS * RECV_BUF {
            self.slots = vec![0; DRAIN_SLOTS * RECV_BUF];
        }
        let mut slots = std::mem::take(&mut self.slots);
        let got = self.recv_many_into(&mut slots, Some(sink));
        self.slots = slots;
        // Control messages here are late answers (see take_late) or stale.
        Ok(match got? {
            None => Direct::Empty,
            Some(ctl) => {
                self.take_late(ctl)?;
                if self.short_batch {
                    Direct::TookAll
                } else {
                    Direct::Took
                }
            }
        })
    }

    /// As [`recv`](Self::recv), the records that come handed to `sink` in order
    /// rather than queued, and without items of their own: `true` when something
    /// came (records, or an overrun notice or items already waiting, which then
    /// come out of `recv`), `false` when the time ran out.
    pub(crate) fn recv_into(
        &mut self,
        timeout: Option<Duration>,
        sink: &mut SinkFn<'_>,
    ) -> Result<bool> {
        if self.has_waiting() {
            return Ok(true);
        }
        let deadline = timeout.and_then(deadline_in);
        match self.pump_to(deadline, Some(sink))? {
            None => Ok(false),
            Some(ctl) => self.take_late(ctl).map(|()| true),
        }
    }

    /// Queue an item as if it had been received (for tests of what reads on).
    #[cfg(test)]
    pub(crate) fn queue_item(&mut self, item: Incoming) {
        self.queue.push_back(item);
    }

    /// Items already received and waiting to come out of [`recv`](Self::recv) (or
    /// datagrams waiting to be split into them): reading the socket's descriptor
    /// would not find them.
    pub(crate) fn has_waiting(&self) -> bool {
        !self.queue.is_empty() || !self.pending.is_empty()
    }

    /// Records already received and queued, without blocking.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Register this process as the audit daemon: the kernel then sends every record
    /// to this socket (`AUDIT_SET` with `AUDIT_STATUS_PID`). Dropping the socket gives
    /// the registration back.
    ///
    /// When another daemon is registered and alive (the kernel answers `EEXIST`),
    /// the error is [`Error::DaemonSlotTaken`], naming its pid and command: its
    /// events can still be read beside it with [`AuditSocket::open_readlog`].
    pub fn register_daemon(&mut self) -> Result<()> {
        let pid = std::process::id();
        let asked = self.set_status(&Status {
            mask: STATUS_PID,
            pid,
            ..Status::default()
        });
        match asked {
            Ok(_) => {
                self.daemon_pid = Some(pid);
                Ok(())
            }
            Err(e) if e.errno() == Some(Errno::EEXIST) => {
                // Who holds the slot: asked right after, so it may be gone by now.
                let holder = self.get_status().ok().map(|s| s.pid).filter(|&p| p != 0);
                Err(Error::DaemonSlotTaken {
                    pid: holder,
                    comm: holder.and_then(command_name),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Give the daemon registration back (pid 0) and wait for the kernel's ACK.
    pub fn unregister_daemon(&mut self) -> Result<()> {
        self.set_status(&Status {
            mask: STATUS_PID,
            pid: 0,
            ..Status::default()
        })?;
        self.daemon_pid = None;
        Ok(())
    }
}

/// A process's command name (`/proc/PID/comm`), `None` when it cannot be read.
fn command_name(pid: u32) -> Option<String> {
    let text = std::fs::read(format!("/proc/{pid}/comm")).ok()?;
    let name = String::from_utf8_lossy(&text)
        .trim_end_matches('\n')
        .to_owned();
    (!name.is_empty()).then_some(name)
}

impl AsRawFd for AuditSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

impl AsFd for AuditSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

impl Drop for AuditSocket {
    /// Gives a daemon registration back without blocking (no ACK is awaited).
    fn drop(&mut self) {
        if self.daemon_pid.take().is_some() {
            let s = Status {
                mask: STATUS_PID,
                pid: 0,
                ..Status::default()
            };
            self.send_nowait(RecordType::SET, &s.to_bytes());
        }
    }
}

/// The item for a datagram of `len` bytes of which the first `cap` were read into
/// `buf`: the type and payload start of its first message, when its header is there.
fn truncated_item(buf: &[u8], len: usize, cap: usize) -> Incoming {
    const NLMSG_HDRLEN: usize = 16;
    const HEAD_MAX: usize = 80;
    let read = &buf[..buf.len().min(cap)];
    let (record_type, head) = match read.get(..NLMSG_HDRLEN) {
        Some(h) => {
            let ty = RecordType::from(u16::from_ne_bytes([h[4], h[5]]));
            let payload = &read[NLMSG_HDRLEN..];
            (Some(ty), payload[..payload.len().min(HEAD_MAX)].to_vec())
        }
        None => (None, Vec::new()),
    };
    Incoming::Truncated {
        len,
        cap,
        record_type,
        head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ack_code_is_an_errno_or_for_a_reset_a_u32_count() {
        assert_eq!(ack_code(0, false), Ok(0));
        assert_eq!(ack_code(-1, false), Err(Errno::EPERM));
        assert_eq!(ack_code(i32::MIN, false), Err(Errno(i32::MAX)));
        // A reset's old count: 2^31 and more come as negative codes.
        assert_eq!(ack_code(7, true), Ok(7));
        assert_eq!(ack_code(-22, true), Err(Errno::EINVAL));
        assert_eq!(ack_code(-4095, true), Err(Errno(4095)));
        assert_eq!(ack_code(-4096, true).map(|c| c as u32), Ok(u32::MAX - 4095));
        assert_eq!(ack_code(i32::MIN, true).map(|c| c as u32), Ok(1 << 31));
    }

    #[test]
    fn overflow_gap_counts_serials_skipped_until_after_the_socket_was_empty() {
        let mut t = OverflowTracker::default();
        // A record of serial `n`, or of a stamp without one; long enough that
        // the serial reader compares stamps.
        let stamp = |n: Option<u64>| match n {
            Some(n) => format!("audit(1700000000.123:{n}): pid=1 uid=0"),
            None => "audit(1700000000.123): pid=1 uid=0 auid=0".to_owned(),
        };
        t.record(stamp(Some(10)).as_bytes());
        t.record(stamp(Some(12)).as_bytes()); // no overflow yet: not counted
        t.overflow();
        t.record(stamp(Some(12)).as_bytes()); // same event
        t.record(stamp(Some(13)).as_bytes());
        t.record(stamp(Some(20)).as_bytes()); // 14..=19 dropped
        t.record(stamp(Some(18)).as_bytes()); // out of order: no gap
        t.drained();
        t.record(stamp(Some(31)).as_bytes()); // 21..=30, dropped before the queue emptied
        t.record(stamp(Some(40)).as_bytes()); // counting ended with the record above
        assert_eq!(t.episodes, 1);
        assert_eq!(t.missed_serials, 6 + 10);
        t.overflow();
        t.record(stamp(None).as_bytes());
        t.record(stamp(Some(45)).as_bytes());
        assert_eq!((t.episodes, t.missed_serials), (2, 16 + 4));
    }

    /// CPU time (user + system) of the calling thread.
    fn thread_cpu() -> Duration {
        // SAFETY: an all-zero rusage is valid for the call to overwrite.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `ru` is a valid rusage the call writes to.
        assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) }, 0);
        let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        tv(ru.ru_utime) + tv(ru.ru_stime)
    }

    /// A forged record: a netlink SYSCALL message of `text`.
    fn forged(text: &str) -> Vec<u8> {
        let mut msg = Vec::new();
        msg.extend_from_slice(&(16 + text.len() as u32).to_ne_bytes());
        msg.extend_from_slice(&1300u16.to_ne_bytes());
        msg.extend_from_slice(&[0; 10]);
        msg.extend_from_slice(text.as_bytes());
        msg
    }

    /// A socket from `open` (the target), another bound socket to forge records
    /// from, and the target's port; `None` where NETLINK_AUDIT is missing.
    fn target_and_forger(open: fn() -> Result<AuditSocket>) -> Option<(AuditSocket, Socket, u32)> {
        let s = open().ok()?;
        let mut forger = Socket::new(NETLINK_AUDIT).ok()?;
        forger.bind_auto().unwrap();
        let port = s.port_id().unwrap();
        Some((s, forger, port))
    }

    /// A socket from `open` is connected to the kernel: another process's datagram
    /// to it is refused at its `sendto`, and none comes; the kernel still answers.
    #[test]
    fn an_opened_socket_refuses_other_senders_and_hears_the_kernel() {
        let Some((mut s, forger, port)) = target_and_forger(AuditSocket::open) else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        match forger.send_to(
            &forged("audit(1.000:1): forged=1"),
            &SocketAddr::new(port, 0),
            0,
        ) {
            // Sending to another user port needs CAP_NET_ADMIN: not here, no test.
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => return,
            Err(e) => assert_eq!(e.raw_os_error(), Some(libc::ECONNREFUSED), "{e}"),
            Ok(n) => panic!("a forged datagram of {n} bytes was accepted"),
        }
        assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
        assert_eq!(s.foreign_datagrams(), 0);
        // The kernel's answers come (needs CAP_AUDIT_CONTROL: root here).
        if let Err(e) = s.get_status() {
            assert_eq!(e.errno(), Some(Errno(libc::EPERM)), "{e}");
        }
    }

    /// A drain takes datagrams many at a time: more of other senders' than one
    /// `recvmmsg` holds are all dropped and counted, and the drain ends empty (on
    /// a socket others can send to, as a read-log socket).
    #[test]
    fn a_drain_drops_and_counts_every_foreign_datagram_queued() {
        let Some((mut s, forger, port)) = target_and_forger(AuditSocket::open_unconnected) else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        let sent = 2 * DRAIN_SLOTS + 3;
        for i in 0..sent {
            let msg = forged(&format!("audit(1.000:{i}): forged=1"));
            // Sending to another user port needs CAP_NET_ADMIN: not here, no test.
            if forger.send_to(&msg, &SocketAddr::new(port, 0), 0).is_err() {
                return;
            }
        }
        assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
        assert_eq!(s.foreign_datagrams(), sent as u64);
        assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
    }

    /// Other senders' datagrams do not keep a drain going: one takes a bounded
    /// number of batches of them, and the next drain goes on.
    #[test]
    fn a_drain_of_only_foreign_datagrams_is_bounded() {
        let Some((mut s, forger, port)) = target_and_forger(AuditSocket::open_unconnected) else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        s.set_recv_buffer_size(4 << 20, true).unwrap();
        let bound = FOREIGN_MAX + DRAIN_SLOTS as u64;
        let sent = 3 * bound;
        for i in 0..sent {
            let msg = forged(&format!("audit(1.000:{i}): forged=1"));
            // Sending to another user port needs CAP_NET_ADMIN: not here, no test.
            if forger.send_to(&msg, &SocketAddr::new(port, 0), 0).is_err() {
                return;
            }
        }
        assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
        let first = s.foreign_datagrams();
        assert!(first > 0 && first <= bound, "{first} of {sent}");
        while s.foreign_datagrams() < sent {
            let before = s.foreign_datagrams();
            assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
            assert!(s.foreign_datagrams() > before, "stuck at {before}");
        }
        assert_eq!(s.foreign_datagrams(), sent);
        // The same while an overflow's end is looked for (one datagram at a time).
        s.overrun();
        assert!(matches!(
            s.recv(Some(Duration::ZERO)).unwrap(),
            Some(Incoming::Overrun { total: 1 })
        ));
        for i in 0..sent {
            let msg = forged(&format!("audit(1.000:{i}): forged=1"));
            forger.send_to(&msg, &SocketAddr::new(port, 0), 0).unwrap();
        }
        assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
        let taken = s.foreign_datagrams() - sent;
        assert!(taken > 0 && taken <= bound, "{taken} of {sent}");
        while s.foreign_datagrams() < 2 * sent {
            assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
        }
    }

    /// Each receive call counts, one that found nothing too; a record already
    /// queued comes without one.
    #[test]
    fn receive_calls_count_each_call_and_not_queued_records() {
        let Ok(mut s) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        assert_eq!(s.receive_calls(), 0);
        assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
        assert_eq!(s.receive_calls(), 1);
        s.queue_item(Incoming::Record(RawRecord::new(
            RecordType::SYSCALL,
            b"audit(1.000:1): x=1",
        )));
        assert!(s.recv(Some(Duration::ZERO)).unwrap().is_some());
        assert_eq!(s.receive_calls(), 1);
        assert!(s.recv(Some(Duration::from_millis(20))).unwrap().is_none());
        assert!(s.receive_calls() >= 2);
    }

    #[test]
    fn a_timed_receive_on_a_quiet_socket_waits_its_whole_time() {
        let Ok(mut s) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        for wait in [Duration::from_millis(120), Duration::from_millis(30)] {
            let t = Instant::now();
            assert!(s.recv(Some(wait)).unwrap().is_none());
            assert!(t.elapsed() >= wait, "{:?} < {wait:?}", t.elapsed());
        }
        assert!(s.recv(Some(Duration::ZERO)).unwrap().is_none());
    }

    /// The descriptor is lent out (`AsRawFd`): made non-blocking, the receive still
    /// waits until its deadline, and in `poll`, not spinning.
    #[test]
    fn a_descriptor_made_non_blocking_still_waits_without_spinning() {
        let Ok(mut s) = AuditSocket::open() else {
            return;
        };
        let fd = s.as_raw_fd();
        // SAFETY: fcntl on a descriptor this socket owns, with valid flag arguments.
        unsafe {
            let fl = libc::fcntl(fd, libc::F_GETFL);
            assert!(fl >= 0);
            assert_eq!(libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK), 0);
        }
        let wait = Duration::from_millis(200);
        let (t, cpu) = (Instant::now(), thread_cpu());
        assert!(s.recv(Some(wait)).unwrap().is_none());
        let (elapsed, cpu) = (t.elapsed(), thread_cpu() - cpu);
        assert!(elapsed >= wait, "{elapsed:?} < {wait:?}");
        assert!(
            cpu < Duration::from_millis(5),
            "{cpu:?} of CPU in {elapsed:?}"
        );
    }

    /// A timeout too large to add to the clock is no deadline, not a panic: a
    /// receive with a datagram waiting, and a request the kernel answers.
    #[test]
    fn a_timeout_too_large_for_the_clock_waits_without_a_deadline() {
        let Ok(mut s) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        // A datagram received but not yet split: the receive goes on to it.
        s.pending
            .push_back(Pending::Data(forged("audit(1.000:7): x=1")));
        match s.recv(Some(Duration::MAX)).unwrap() {
            Some(Incoming::Record(r)) => assert_eq!(r.serial(), Some(7)),
            other => panic!("{other:?}"),
        }
        s.set_timeout(Duration::MAX);
        // The kernel answers (needs CAP_AUDIT_CONTROL: root here).
        if let Err(e) = s.get_status() {
            assert_eq!(e.errno(), Some(Errno(libc::EPERM)), "{e}");
        }
    }

    #[test]
    fn a_truncated_kernel_datagram_is_an_item_in_its_place_and_reading_goes_on() {
        let Ok(mut s) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        let rec = |serial: u64| {
            Incoming::Record(RawRecord::new(
                RecordType::SYSCALL,
                format!("audit(1.000:{serial}): x=1").as_bytes(),
            ))
        };
        // What recv_once leaves in the buffer: the first bytes of a long EXECVE.
        let mut buf = Vec::new();
        buf.extend_from_slice(&100_016u32.to_ne_bytes());
        buf.extend_from_slice(&1309u16.to_ne_bytes());
        buf.extend_from_slice(&[0; 10]);
        buf.extend_from_slice(b"audit(1.000:2): argc=2 a0=");
        buf.resize(4096, b'4');
        s.queue.push_back(rec(1));
        s.queue.push_back(truncated_item(&buf, 100_016, 4096));
        s.queue.push_back(rec(3));
        let first = s.recv(Some(Duration::ZERO)).unwrap();
        assert!(matches!(first, Some(Incoming::Record(r)) if r.serial() == Some(1)));
        match s.recv(Some(Duration::ZERO)).unwrap() {
            Some(Incoming::Truncated {
                len: 100_016,
                cap: 4096,
                record_type: Some(RecordType::EXECVE),
                head,
            }) => {
                assert_eq!(head.len(), 80);
                assert!(head.starts_with(b"audit(1.000:2): argc=2 a0="));
            }
            other => panic!("{other:?}"),
        }
        let next = s.recv(Some(Duration::ZERO)).unwrap();
        assert!(matches!(next, Some(Incoming::Record(r)) if r.serial() == Some(3)));
        // Fewer bytes than a netlink header: no type, no head.
        assert_eq!(
            truncated_item(&buf[..10], 100_016, 10),
            Incoming::Truncated {
                len: 100_016,
                cap: 10,
                record_type: None,
                head: Vec::new()
            }
        );
    }
}
