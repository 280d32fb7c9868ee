//! The Linux kernel's audit structures and constants as typed views over bytes.
//!
//! Each structure of `<linux/audit.h>` that crosses the netlink socket is a view type
//! whose field offsets are named ranges, checked once for length, with generated
//! accessors; constants are typed (record types, rule fields, operators).
#![deny(missing_docs)]

pub mod field;
pub mod record_type;

pub use record_type::RecordType;
