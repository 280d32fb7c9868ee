//! Linux audit userspace in Rust.
//!
//! ```
//! use linux_audit::interpret::Interpreter;
//! use linux_audit::normalize::NormalizeContext;
//! use linux_audit::parse::Parser;
//! use linux_audit::syscalls::Machine;
//!
//! // An event of a log (here: a failed open of /etc/shadow by root's cat).
//! let mut parser = Parser::default();
//! parser.feed(b"type=SYSCALL msg=audit(1700000000.000:7): arch=c000003e syscall=2 success=no exit=-13 a0=7ffd1 a1=80000 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"secrets\"\n\
//!     type=CWD msg=audit(1700000000.000:7): cwd=\"/root\"\n\
//!     type=PATH msg=audit(1700000000.000:7): item=0 name=\"/etc/shadow\" inode=5 dev=08:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL\n\
//!     type=EOE msg=audit(1700000000.000:7): \n");
//! let event = parser.next_event().unwrap().unwrap();
//! assert_eq!(event.id().serial, 7);
//!
//! // Its syscall by name, and the whole event as a sentence.
//! assert_eq!(Machine::X86_64.syscall_table().name(2), Some("open"));
//! let mut norm = NormalizeContext::new(Interpreter::new());
//! let summary = norm.summarize(&event);
//! assert_eq!(
//!     summary.sentence,
//!     "root unsuccessfully opened-file /etc/shadow using /usr/bin/cat"
//! );
//! ```
//!
//! This umbrella crate re-exports the crates of the workspace under short names:
//!
//! | module | crate | what it does |
//! |---|---|---|
//! | [`parse`] | `audit-parse` | records and events from audit logs (the libauparse equivalent) |
//! | [`syscalls`] | `audit-syscalls` | syscall name <-> number tables for every audit architecture |
//! | [`wire`] | `audit-wire` | the kernel's audit structures as typed views over bytes |
//! | [`netlink`] | `audit-netlink` | NETLINK_AUDIT control, rules and events (the libaudit equivalent) |
//! | [`rules`] | `audit-rules` | auditctl's rule language |
//! | [`interpret`] | `audit-interpret` | field interpretation (ids, syscalls, flags, addresses, hex text) |
//! | [`normalize`] | `audit-normalize` | who did what to what (the normalizer), ausearch's csv/text lines, JSON |
//! | [`search`] | `audit-search` | ausearch's search expressions and a typed builder, ausearch's grouping |
//! | [`nss`] | `audit-nss` | user, group and protocol names from the system's name service |
//! | [`plugin`] | `audit-plugin` | the runtime of an audit dispatcher plugin (the libauplugin equivalent) |
//!
//! # Features
//!
//! Both off by default, forwarded to the crate that has them:
//!
//! - `serde`: `normalize::json` (`audit-normalize/serde`), events and the
//!   normalizer's view as JSON.
//! - `tokio`: `netlink::tokio_stream::AsyncEventStream` (`audit-netlink/tokio`),
//!   events through tokio's reactor, also as a `futures_core::Stream`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use audit_interpret as interpret;
pub use audit_netlink as netlink;
pub use audit_normalize as normalize;
pub use audit_nss as nss;
pub use audit_parse as parse;
pub use audit_plugin as plugin;
pub use audit_rules as rules;
pub use audit_search as search;
pub use audit_syscalls as syscalls;
pub use audit_wire as wire;
