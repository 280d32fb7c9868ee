//! Syscall name <-> number tables for every Linux audit architecture, generated from the kernel's syscall tables.
#![deny(missing_docs)]
