//! The Linux kernel's audit structures and constants as typed views over bytes.
//!
//! Each structure of `<linux/audit.h>` that crosses the netlink socket is a view type
//! whose field offsets are named ranges, checked once for length, with generated
//! accessors (`*View`), and an owned value with `parse` / `to_bytes`. Everything is in
//! host byte order, as netlink is.
//!
//! ```
//! use audit_wire::field::{Action, Field, FilterList, Operator};
//! use audit_wire::rule::RuleData;
//! use audit_wire::status::{Status, StatusView};
//!
//! // A rule: -a always,exit -S 59 -F pid=42 -k demo
//! let mut rule = RuleData::new(FilterList::Exit, Action::Always);
//! rule.set_syscall(59).unwrap();
//! rule.push_field(Field::PID, Operator::Equal, 42).unwrap();
//! rule.push_str_field(Field::FILTERKEY, Operator::Equal, b"demo").unwrap();
//! let bytes = rule.to_bytes();
//! assert_eq!(bytes.len(), 1040 + 4);
//! assert_eq!(RuleData::parse(&bytes).unwrap(), rule);
//! assert_eq!(rule.key(), Some(&b"demo"[..]));
//!
//! // An older kernel's 32-byte audit_status still decodes.
//! let mut old = vec![0u8; 32];
//! StatusView::new_checked(&mut old[..]).unwrap().set_enabled(1);
//! let s = Status::parse(&old).unwrap();
//! assert_eq!((s.enabled, s.backlog_wait_time), (1, 0));
//! assert!(StatusView::new_checked(&old[..]).unwrap().backlog_wait_time().is_none());
//! ```
#![deny(missing_docs)]

#[macro_use]
pub mod view;

pub mod arch;
mod error;
pub mod features;
pub mod field;
pub mod netlink;
pub mod record_type;
pub mod rule;
pub mod sig_info;
pub mod status;
pub mod tty_status;

pub use error::WireError;
pub use record_type::RecordType;
