//! Audit record (netlink message) types: number <-> name.
