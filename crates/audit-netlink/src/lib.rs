//! NETLINK_AUDIT client: audit status, rules, daemon registration and kernel events
//! (a libaudit replacement).
//!
//! - [`AuditSocket`]: requests with ACKs and typed errors keeping the kernel's errno
//!   ([`Error::errno`]), explicit timeouts, records received meanwhile kept in order.
//! - Control: [`AuditSocket::get_status`] and setters, features, signal info, rules on
//!   the wire ([`audit_wire::rule::RuleData`]), directory-tree watches
//!   ([`AuditSocket::trim_subtrees`], [`AuditSocket::make_equivalent`]), terminal
//!   auditing ([`AuditSocket::tty_status`]), user-space records in each of
//!   libaudit's forms ([`user_message`], [`AuditSocket::log_user`]).
//! - The calling thread's login uid and session ([`identity`]).
//! - Guards that undo a change when dropped: [`AuditSocket::add_rule_guarded`]
//!   ([`RuleGuard`]) and [`AuditSocket::set_enabled_guarded`] ([`EnabledGuard`]).
//! - Events: [`AuditSocket::register_daemon`] (given back on drop) or
//!   [`AuditSocket::open_readlog`] (multicast beside a running auditd); raw records
//!   with [`AuditSocket::recv`], complete events with [`EventStream`] (on a busy
//!   socket, [`EventStream::set_gather`] trades a bounded delay for fewer wake-ups:
//!   the kernel sends one record per datagram). A receive-queue
//!   overflow surfaces as [`Incoming::Overrun`] / [`StreamItem::Lost`]; their count
//!   is of overflow episodes, not records ([`AuditSocket::missed_serials`] estimates
//!   the events missed). Only the kernel's datagrams are read: sockets from
//!   [`AuditSocket::open`] are connected to the kernel, which refuses other senders;
//!   on the others, datagrams from anyone else are dropped and counted
//!   ([`AuditSocket::foreign_datagrams`]).
//!
//! The record formatting needs no kernel:
//!
//! ```
//! use audit_netlink::{audit_wire::RecordType, RawRecord};
//! let r = RawRecord::new(RecordType::EOE, b"audit(1700000000.123:42): \0");
//! assert_eq!(r.to_line(), b"type=EOE msg=audit(1700000000.123:42): ");
//! assert_eq!(r.serial(), Some(42));
//! let r = RawRecord::new(RecordType(1399), b"audit(1.002:3): x=1");
//! assert_eq!(r.to_line(), b"type=UNKNOWN[1399] msg=audit(1.002:3): x=1");
//! ```
//!
//! Talking to the kernel needs root (`CAP_AUDIT_CONTROL`):
//!
//! ```no_run
//! use audit_netlink::AuditSocket;
//! let mut sock = AuditSocket::open()?;
//! let status = sock.get_status()?;
//! println!("enabled={} pid={} lost={}", status.enabled, status.pid, status.lost);
//! for rule in sock.list_rules()? {
//!     println!("{rule:?}");
//! }
//! # Ok::<(), audit_netlink::Error>(())
//! ```
//!
//! # Features
//!
//! - `tokio` (off by default): `tokio_stream::AsyncEventStream`, events through
//!   tokio's reactor (`async fn next` and `futures_core::Stream`).
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod control;
mod error;
mod events;
mod guard;
pub mod identity;
mod record;
mod socket;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio_stream;
pub mod user_message;

pub use control::{FailureMode, Feature, MAX_USER_MESSAGE, MAX_USER_TEXT};
pub use error::{Errno, Error, Result};
pub use events::{EventStream, StreamItem, MAX_GATHER};
pub use guard::{EnabledGuard, RuleGuard};
pub use record::{Incoming, RawRecord};
pub use socket::{AuditSocket, Direct, Taken, DEFAULT_TIMEOUT, MAX_QUEUED, NLGRP_READLOG};
pub use user_message::{
    encode_untrusted, Account, AcctMessage, Origin, SemanageMessage, UserAvcMessage,
    UserCommMessage, UserCommand, UserMessage, UserRecord,
};

pub use audit_wire;
