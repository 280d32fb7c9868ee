//! NETLINK_AUDIT client: audit status, rules, daemon registration and kernel events (a libaudit replacement).
#![deny(missing_docs)]
