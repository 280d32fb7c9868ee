//! Linux audit userspace in Rust.
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
