//! Syscall name <-> number tables for every Linux audit architecture.
#![deny(missing_docs)]

pub mod compat;
mod machine;
mod table;

pub use machine::{resolve_bits, ArchError, Bits, Machine};
pub use table::{
    io_uring_op_name, io_uring_op_number, io_uring_ops, syscall_name, x32_syscall_table, Iter,
    SyscallTable,
};
