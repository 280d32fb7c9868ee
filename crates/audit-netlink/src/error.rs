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
    /// A request stopped waiting for its answer because the socket's queue of
    /// records received meanwhile reached [`MAX_QUEUED`](crate::MAX_QUEUED): the
    /// answer is behind more records in the socket. The kernel has the request
    /// (and may have acted on it). Take the queued records
    /// ([`AuditSocket::recv`](crate::AuditSocket::recv)), then make the same
    /// request again: it resumes this one, not sent twice, and gets its answer
    /// (see [`AuditSocket`](crate::AuditSocket)).
    #[error(
        "{request} is waiting behind {queued} records received meanwhile, the most \
         the socket queues: take them (recv) and make the same request again"
    )]
    QueueFull {
        /// The request.
        request: &'static str,
        /// The records (and notices) queued when it stopped.
        queued: usize,
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
    /// Registering as the audit daemon failed: another process holds the daemon
    /// slot (the kernel answered `EEXIST`). Its events can still be read beside it,
    /// from the read-log multicast group ([`AuditSocket::open_readlog`]).
    ///
    /// [`AuditSocket::open_readlog`]: crate::AuditSocket::open_readlog
    #[error(
        "another audit daemon ({}) holds the daemon slot; to read events beside it, \
         join the read-log multicast group (AuditSocket::open_readlog)",
        DaemonName(.pid, .comm)
    )]
    DaemonSlotTaken {
        /// The registered daemon's pid, as the kernel reported it just after the
        /// refusal (`None` when it could not be read, or it was gone by then).
        pid: Option<u32>,
        /// Its command name (`/proc/PID/comm`), when readable.
        comm: Option<String>,
    },
    /// Adding a rule failed because an identical rule is loaded (the kernel
    /// answered `AUDIT_ADD_RULE` with `EEXIST`; auditctl says `Rule exists`).
    #[error("the kernel refused AUDIT_ADD_RULE: Rule exists (an identical rule is loaded)")]
    RuleExists,
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
    /// with an OS error). [`Error::DaemonSlotTaken`] and [`Error::RuleExists`] give
    /// `EEXIST`, the kernel's answer they stand for.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Kernel { errno, .. } => Some(*errno),
            Error::Io { source, .. } => source.raw_os_error().map(Errno),
            Error::DaemonSlotTaken { .. } | Error::RuleExists => Some(Errno::EEXIST),
            _ => None,
        }
    }

    pub(crate) fn io(op: &'static str) -> impl FnOnce(io::Error) -> Error {
        move |source| Error::Io { op, source }
    }
}

/// How [`Error::DaemonSlotTaken`] names the daemon: `pid 812, auditd`.
struct DaemonName<'a>(&'a Option<u32>, &'a Option<String>);

impl fmt::Display for DaemonName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DaemonName(Some(pid), Some(comm)) => write!(f, "pid {pid}, {comm}"),
            DaemonName(Some(pid), None) => write!(f, "pid {pid}"),
            DaemonName(None, _) => f.write_str("pid unknown"),
        }
    }
}

/// Result of the netlink client.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_slot_taken_names_the_daemon_and_the_way_beside_it() {
        let e = Error::DaemonSlotTaken {
            pid: Some(812),
            comm: Some("auditd".into()),
        };
        let text = e.to_string();
        assert!(text.contains("pid 812, auditd"), "{text}");
        assert!(text.contains("open_readlog"), "{text}");
        assert_eq!(e.errno(), Some(Errno::EEXIST));
        let text = Error::DaemonSlotTaken {
            pid: None,
            comm: None,
        }
        .to_string();
        assert!(text.contains("pid unknown"), "{text}");
    }

    #[test]
    fn rule_exists_says_so_as_auditctl_does() {
        let e = Error::RuleExists;
        assert!(e.to_string().contains("Rule exists"), "{e}");
        assert_eq!(e.errno(), Some(Errno::EEXIST));
    }
}
