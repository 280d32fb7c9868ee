//! The NETLINK_AUDIT socket: requests matched to the kernel's answers, and the queue of
//! records received meanwhile.

use crate::error::{Errno, Error, Result};
use crate::record::{Incoming, RawRecord};
use audit_wire::netlink::{
    self, NlError, NlHeader, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_REQUEST,
};
use audit_wire::status::{Status, STATUS_PID};
use netlink_sys::{protocols::NETLINK_AUDIT, Socket, SocketAddr};
use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

/// Default time a request waits for the kernel's complete answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// `AUDIT_NLGRP_READLOG`: the multicast group of the "read log" socket.
pub const NLGRP_READLOG: u32 = 1;

/// `AUDIT_REPLACE`: sent to the registered daemon when another process asks to
/// register; its payload is a binary pid, not text.
const AUDIT_REPLACE: u16 = 1329;

/// Size of the buffer one datagram is received into. The kernel's audit messages are
/// at most a few KiB (`MAX_AUDIT_MESSAGE_LENGTH` is 8970), rule replies ~10 KiB.
const RECV_BUF: usize = 64 * 1024;

/// Kernel control message numbers used here (audit_wire::RecordType has them all).
pub(crate) mod msg {
    pub const GET: u16 = 1000;
    pub const SET: u16 = 1001;
    pub const SIGNAL_INFO: u16 = 1010;
    pub const ADD_RULE: u16 = 1011;
    pub const DEL_RULE: u16 = 1012;
    pub const LIST_RULES: u16 = 1013;
    pub const TRIM: u16 = 1014;
    pub const MAKE_EQUIV: u16 = 1015;
    pub const TTY_GET: u16 = 1016;
    pub const TTY_SET: u16 = 1017;
    pub const SET_FEATURE: u16 = 1018;
    pub const GET_FEATURE: u16 = 1019;
}

/// The name used in errors for a request type.
pub(crate) fn request_name(ty: u16) -> &'static str {
    match ty {
        msg::GET => "AUDIT_GET",
        msg::SET => "AUDIT_SET",
        msg::SIGNAL_INFO => "AUDIT_SIGNAL_INFO",
        msg::ADD_RULE => "AUDIT_ADD_RULE",
        msg::DEL_RULE => "AUDIT_DEL_RULE",
        msg::LIST_RULES => "AUDIT_LIST_RULES",
        msg::TRIM => "AUDIT_TRIM",
        msg::MAKE_EQUIV => "AUDIT_MAKE_EQUIV",
        msg::TTY_GET => "AUDIT_TTY_GET",
        msg::TTY_SET => "AUDIT_TTY_SET",
        msg::SET_FEATURE => "AUDIT_SET_FEATURE",
        msg::GET_FEATURE => "AUDIT_GET_FEATURE",
        1100..=1199 | 2100..=2999 => "a user message",
        _ => "a request",
    }
}

/// What a request waits for besides the ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Only the ACK (or error).
    Ack,
    /// The ACK and one reply of this type.
    One(u16),
    /// The ACK and replies of this type up to NLMSG_DONE.
    Dump(u16),
}

/// A control message (not an audit record) received from the kernel.
#[derive(Debug)]
struct CtlMsg {
    ty: u16,
    seq: u32,
    payload: Vec<u8>,
}

/// Outcome of one receive call.
enum Recv {
    /// A datagram of this length from this port.
    Data(usize, u32),
    /// Nothing to read (spurious wake-up).
    WouldBlock,
    /// The receive queue overflowed (ENOBUFS).
    Overrun,
}

/// A NETLINK_AUDIT socket.
///
/// Requests carry `NLM_F_REQUEST | NLM_F_ACK` and a fresh sequence number; only answers
/// from the kernel (port 0) with that number complete them, within [`timeout`]. Audit
/// records that arrive meanwhile (on a daemon or multicast socket) are queued, not lost,
/// and come out of [`recv`] in order. A receive-queue overflow (`ENOBUFS`) is neither
/// fatal nor swallowed: it becomes an [`Incoming::Overrun`] in that same order.
///
/// [`timeout`]: AuditSocket::set_timeout
/// [`recv`]: AuditSocket::recv
#[derive(Debug)]
pub struct AuditSocket {
    sock: Socket,
    seq: u32,
    timeout: Duration,
    buf: Vec<u8>,
    queue: VecDeque<Incoming>,
    overruns: u64,
    foreign: u64,
    replace_probes: u64,
    pub(crate) daemon_pid: Option<u32>,
}

impl AuditSocket {
    /// Open a NETLINK_AUDIT socket bound to a kernel-assigned port.
    pub fn open() -> Result<Self> {
        let mut sock = Socket::new(NETLINK_AUDIT).map_err(Error::io("socket"))?;
        sock.bind_auto().map_err(Error::io("bind"))?;
        Ok(Self {
            sock,
            seq: 0,
            timeout: DEFAULT_TIMEOUT,
            buf: Vec::with_capacity(RECV_BUF),
            queue: VecDeque::new(),
            overruns: 0,
            foreign: 0,
            replace_probes: 0,
            daemon_pid: None,
        })
    }

    /// Open a socket that joins the read-log multicast group (`AUDIT_NLGRP_READLOG`,
    /// needs `CAP_AUDIT_READ`): it receives every record beside the registered daemon,
    /// best effort, without displacing it.
    pub fn open_readlog() -> Result<Self> {
        let s = Self::open()?;
        s.sock
            .add_membership(NLGRP_READLOG)
            .map_err(Error::io("setsockopt(NETLINK_ADD_MEMBERSHIP)"))?;
        Ok(s)
    }

    /// The time a request waits for the kernel's complete answer.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Set the time a request waits for the kernel's complete answer.
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

    /// How many receive-queue overflows (`ENOBUFS`) this socket has seen.
    pub fn overruns(&self) -> u64 {
        self.overruns
    }

    /// How many datagrams were dropped because they did not come from the kernel.
    pub fn foreign_datagrams(&self) -> u64 {
        self.foreign
    }

    /// How many `AUDIT_REPLACE` probes the kernel sent this (daemon) socket: each is a
    /// process asking to become (or stop being) the daemon. They are not records.
    pub fn replace_probes(&self) -> u64 {
        self.replace_probes
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
    pub(crate) fn send_msg(&mut self, ty: u16, flags: u16, payload: &[u8]) -> Result<u32> {
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
    pub(crate) fn send_nowait(&mut self, ty: u16, payload: &[u8]) {
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

    fn recv_once(&mut self) -> Result<Recv> {
        self.buf.clear();
        if self.buf.capacity() < RECV_BUF {
            self.buf.reserve(RECV_BUF);
        }
        let cap = self.buf.capacity();
        match self
            .sock
            .recv_from(&mut self.buf, libc::MSG_DONTWAIT | libc::MSG_TRUNC)
        {
            Ok((n, _)) if n > cap => Err(Error::Truncated { len: n, cap }),
            Ok((n, addr)) => Ok(Recv::Data(n, addr.port_number())),
            Err(e) => match e.raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(Recv::WouldBlock),
                Some(libc::ENOBUFS) => Ok(Recv::Overrun),
                _ => Err(Error::Io {
                    op: "recvfrom",
                    source: e,
                }),
            },
        }
    }

    /// Receive one datagram (waiting at most until `deadline`, forever for `None`):
    /// queue its records and overruns, return its control messages. `None` on timeout.
    fn pump(&mut self, deadline: Option<Instant>) -> Result<Option<Vec<CtlMsg>>> {
        loop {
            if !self.wait_readable(deadline)? {
                return Ok(None);
            }
            match self.recv_once()? {
                Recv::WouldBlock => continue,
                Recv::Overrun => {
                    self.overruns += 1;
                    self.queue.push_back(Incoming::Overrun {
                        total: self.overruns,
                    });
                    return Ok(Some(Vec::new()));
                }
                Recv::Data(n, port) => {
                    if port != 0 {
                        self.foreign += 1;
                        continue;
                    }
                    return self.split(n).map(Some);
                }
            }
        }
    }

    fn split(&mut self, n: usize) -> Result<Vec<CtlMsg>> {
        let mut ctl = Vec::new();
        let data = &self.buf[..n];
        for m in netlink::messages(data) {
            let m = m.map_err(|source| Error::Wire {
                what: "netlink message",
                source,
            })?;
            if m.header.ty == AUDIT_REPLACE {
                // The kernel probing whether we (the daemon) are alive before a new
                // registration: a binary pid, not a record.
                self.replace_probes += 1;
            } else if netlink::is_record_type(m.header.ty) {
                self.queue
                    .push_back(Incoming::Record(RawRecord::new(m.header.ty, m.payload)));
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
    pub(crate) fn transact(
        &mut self,
        ty: u16,
        payload: &[u8],
        want: Want,
    ) -> Result<(i32, Vec<Vec<u8>>)> {
        let request = request_name(ty);
        let seq = self.send_msg(ty, NLM_F_REQUEST | NLM_F_ACK, payload)?;
        let deadline = Instant::now() + self.timeout;
        let mut ack: Option<i32> = None;
        let mut done = false;
        let mut replies = Vec::new();
        loop {
            // A reply means success (errors come without one): the ACK, which the
            // kernel drops when our receive queue is congested, is not awaited then.
            match (want, ack) {
                (Want::Ack, Some(code)) => return Ok((code, replies)),
                (Want::One(_) | Want::Dump(_), _) if done => {
                    return Ok((ack.unwrap_or(0), replies))
                }
                _ => {}
            }
            let Some(ctl) = self.pump(Some(deadline))? else {
                return Err(Error::Timeout {
                    request,
                    timeout: self.timeout,
                });
            };
            for m in ctl {
                if m.seq != seq {
                    continue; // a stale answer to an earlier, timed-out request
                }
                match (m.ty, want) {
                    (NLMSG_ERROR, _) => {
                        let e = NlError::parse(&m.payload).map_err(|source| Error::Wire {
                            what: "nlmsgerr",
                            source,
                        })?;
                        if e.error < 0 {
                            return Err(Error::Kernel {
                                request,
                                errno: Errno(e.error.saturating_neg()),
                            });
                        }
                        ack = Some(e.error);
                    }
                    (NLMSG_DONE, Want::Dump(_)) => done = true,
                    (t, Want::One(w)) if t == w => {
                        replies.push(m.payload);
                        done = true;
                    }
                    (t, Want::Dump(w)) if t == w => replies.push(m.payload),
                    _ => {}
                }
            }
        }
    }

    /// The next record (or overrun notice) from the kernel, waiting at most `timeout`
    /// (`None`: wait forever). `Ok(None)` when the time ran out.
    ///
    /// Records queued while a request was waiting for its answer come first.
    pub fn recv(&mut self, timeout: Option<Duration>) -> Result<Option<Incoming>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if let Some(i) = self.queue.pop_front() {
                return Ok(Some(i));
            }
            // Control messages here are stale answers to timed-out requests: dropped.
            if self.pump(deadline)?.is_none() {
                return Ok(None);
            }
        }
    }

    /// Records already received and queued, without blocking.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Register this process as the audit daemon: the kernel then sends every record
    /// to this socket (`AUDIT_SET` with `AUDIT_STATUS_PID`). `EEXIST` when another
    /// daemon is registered and alive. Dropping the socket gives the registration back.
    pub fn register_daemon(&mut self) -> Result<()> {
        let pid = std::process::id();
        self.set_status(&Status {
            mask: STATUS_PID,
            pid,
            ..Status::default()
        })?;
        self.daemon_pid = Some(pid);
        Ok(())
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

impl AsRawFd for AuditSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
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
            self.send_nowait(msg::SET, &s.to_bytes());
        }
    }
}
