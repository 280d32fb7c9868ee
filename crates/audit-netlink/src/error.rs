//! Typed errors of the netlink client.

use std::fmt;
use std::io;
use std::time::Duration;

/// An errno value the kernel answered with (positive: `EPERM` is 1).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// `EPERM`: not permitted (no `CAP_AUDIT_CONTROL`, or the configuration is immutable).
    pub const EPERM: Errno = Errno(libc::EPERM);
    /// `ENOENT`: no such rule.
    pub const ENOENT: Errno = Errno(libc::ENOENT);
    /// `EACCES`: only the registered daemon may unregister itself.
    pub const EACCES: Errno = Errno(libc::EACCES);
    /// `EEXIST`: the rule exists, or another daemon is registered.
    pub const EEXIST: Errno = Errno(libc::EEXIST);
    /// `EINVAL`: malformed request.
    pub const EINVAL: Errno = Errno(libc::EINVAL);
    /// `ENOBUFS`: the socket's receive queue overflowed.
    pub const ENOBUFS: Errno = Errno(libc::ENOBUFS);
    /// `ECONNREFUSED`.
    pub const ECONNREFUSED: Errno = Errno(libc::ECONNREFUSED);

    /// The symbolic name (`"EEXIST"`) of common audit errnos, `None` for others.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            libc::EPERM => "EPERM",
            libc::ENOENT => "ENOENT",
            libc::ESRCH => "ESRCH",
            libc::EIO => "EIO",
            libc::E2BIG => "E2BIG",
            libc::ENOMEM => "ENOMEM",
            libc::EACCES => "EACCES",
            libc::EFAULT => "EFAULT",
            libc::EBUSY => "EBUSY",
            libc::EEXIST => "EEXIST",
            libc::EINVAL => "EINVAL",
            libc::ENOSPC => "ENOSPC",
            libc::ERANGE => "ERANGE",
            libc::ENOBUFS => "ENOBUFS",
            libc::EOPNOTSUPP => "EOPNOTSUPP",
            libc::ECONNREFUSED => "ECONNREFUSED",
            libc::EAGAIN => "EAGAIN",
            _ => return None,
        })
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let desc = io::Error::from_raw_os_error(self.0);
        match self.name() {
            Some(n) => write!(f, "{n} ({desc})"),
            None => write!(f, "errno {} ({desc})", self.0),
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

/// What went wrong talking to the kernel.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A socket call failed.
    #[error("netlink audit socket: {op} failed: {source}")]
    Io {
        /// The failing operation (`"socket"`, `"sendto"`, `"recvfrom"`, ...).
        op: &'static str,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The kernel answered a request with an error.
    #[error("the kernel refused {request}: {errno}")]
    Kernel {
        /// The request (`"AUDIT_ADD_RULE"`, ...).
        request: &'static str,
        /// The errno of the kernel's NLMSG_ERROR.
        errno: Errno,
    },
    /// No complete answer within the socket's timeout.
    #[error("no complete answer to {request} within {timeout:?}")]
    Timeout {
        /// The request.
        request: &'static str,
        /// The timeout that ran out.
        timeout: Duration,
    },
    /// The kernel's answer could not be decoded.
    #[error("malformed {what} from the kernel: {source}")]
    Wire {
        /// What was being decoded.
        what: &'static str,
        /// The decoding error.
        #[source]
        source: audit_wire::WireError,
    },
    /// A datagram larger than the receive buffer (it was cut).
    #[error("received a {len}-byte datagram, larger than the {cap}-byte receive buffer")]
    Truncated {
        /// Size of the datagram.
        len: usize,
        /// Size of the buffer.
        cap: usize,
    },
    /// A request's payload is too large for a netlink message or for the kernel.
    #[error("{what} is too long: {len} bytes, at most {max}")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A request was refused before sending because it would be irreversible or invalid.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
}

impl Error {
    /// The kernel's errno, when the kernel refused a request (or a socket call failed
    /// with an OS error).
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Kernel { errno, .. } => Some(*errno),
            Error::Io { source, .. } => source.raw_os_error().map(Errno),
            _ => None,
        }
    }

    pub(crate) fn io(op: &'static str) -> impl FnOnce(io::Error) -> Error {
        move |source| Error::Io { op, source }
    }
}

/// Result of the netlink client.
pub type Result<T> = std::result::Result<T, Error>;
