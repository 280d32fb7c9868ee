//! Syscall name <-> number tables for every Linux audit architecture,
//! generated at build time from the kernel's own syscall tables.
//!
//! ```
//! use audit_syscalls::{resolve_bits, Bits, Machine, SyscallTable};
//!
//! // A record says `arch=c000003e syscall=59`: resolve with the record's arch,
//! // not the machine this runs on.
//! let table = SyscallTable::for_audit_arch(0xc000_003e).unwrap();
//! assert_eq!(table.name(59), Some("execve"));
//!
//! // A rule says `-F arch=b32 -S clone`, written on an x86_64 machine.
//! let machine = resolve_bits(Bits::B32, Machine::X86_64).unwrap();
//! assert_eq!(machine, Machine::I386);
//! assert_eq!(machine.syscall_table().number("clone"), Some(120));
//! assert_eq!(machine.audit_arch(), 0x4000_0003);
//!
//! // Names as uname and libaudit spell them.
//! assert_eq!(Machine::from_name("armv7l"), Some(Machine::Arm));
//! assert_eq!(Machine::from_name("aarch64").unwrap().syscall_table().name(221), Some("execve"));
//!
//! // io_uring operations (URINGOP records carry `uring_op=`).
//! assert_eq!(audit_syscalls::io_uring_op_name(18), Some("openat"));
//! ```
//!
//! # Supported architectures
//!
//! | machine | `AUDIT_ARCH_*` | kernel source (below `syscall-tables/`) | abi rows | numbers |
//! | --- | --- | --- | --- | --- |
//! | x86_64 | `X86_64` c000003e | `x86/syscall_64.tbl` | `common,64` | 0.. |
//! | (x32, same arch value) | `X86_64` c000003e | `x86/syscall_64.tbl` | `common,x32` | 0x40000000.. ([`x32_syscall_table`], [`syscall_name`]) |
//! | i386 (i486, i586, i686) | `I386` 40000003 | `x86/syscall_32.tbl` | all | 0.. |
//! | arm (armv5tejl .. armv7l), armeb | `ARM` 40000028, `ARMEB` 28 | `arm/syscall.tbl` | `common,eabi,oabi` | 0.. |
//! | aarch64 (armv8l) | `AARCH64` c00000b7 | `generic/syscall.tbl` | `common,64,renameat,rlimit,memfd_secret` | 0.. |
//! | ppc | `PPC` 14 | `powerpc/syscall.tbl` | `common,nospu,32` | 0.. |
//! | ppc64, ppc64le | `PPC64` 80000015, `PPC64LE` c0000015 | `powerpc/syscall.tbl` | `common,nospu,64` | 0.. |
//! | s390 (31-bit) | `S390` 16 | `s390/syscall-with-compat.tbl` (6.19 layout) | `common,32` | 1.. |
//! | s390x | `S390X` 80000016 | `s390/syscall.tbl` | all | 1.. |
//! | riscv32 | `RISCV32` 400000f3 | `generic/syscall.tbl` | `common,32,riscv,memfd_secret` | 0.. |
//! | riscv64 | `RISCV64` c00000f3 | `generic/syscall.tbl` | `common,64,riscv,rlimit,memfd_secret` | 0.. |
//! | loongarch32 | `LOONGARCH32` 40000102 | `generic/syscall.tbl` | `common,32,memfd_secret` | 0.. |
//! | loongarch64 | `LOONGARCH64` c0000102 | `generic/syscall.tbl` | `common,64,memfd_secret` | 0.. |
//! | mips, mipsel (o32) | `MIPS` 8, `MIPSEL` 40000008 | `mips/syscall_o32.tbl` | all | 4000.. |
//! | mips64, mips64el (n64) | `MIPS64` 80000008, `MIPSEL64` c0000008 | `mips/syscall_n64.tbl` | all | 5000.. |
//! | mipsn32, mipsn32el (n32) | `MIPS64N32` a0000008, `MIPSEL64N32` e0000008 | `mips/syscall_n32.tbl` | all | 6000.. |
//! | io_uring ops ([`io_uring_ops`]) | – | `io_uring/io_uring_op.h` | `enum io_uring_op` | 0.. |
//!
//! See [`Machine`] for every accepted machine name. The abi selections are
//! the kernel's own (`syscall-tables/generic/ABIS.md` explains each); the
//! numbers are those the kernel puts in audit records (mips with its ABI
//! offset, x32 with the x32 bit).
//!
//! # How the tables are made
//!
//! `build.rs` reads the `.tbl` files of `syscall-tables/` (a copy of the
//! kernel's files, Linux 7.1, with a provenance README) and writes one
//! number-indexed array (number -> name is an index) and one name-sorted
//! array per table; name -> number is a perfect hash (hash and displace)
//! the build script places every name in, so a lookup is one hash of the
//! name (ASCII case folded), two array reads and one name comparison.
//! Nothing generated is
//! committed; changing a `.tbl` file rebuilds the tables. A selection that
//! comes out empty, selects two names for one number, or one name for two
//! numbers fails the build.
//!
//! # Differences from libaudit
//!
//! The kernel's names are used, so a few differ from libaudit's hand-edited
//! tables (x86_64 17 is `pread64`, libaudit says `pread`), and libaudit's
//! single powerpc table lists 32-bit-only calls for ppc64. Both kinds are
//! listed, with the reason for each, in [`compat`];
//! [`SyscallTable::number_or_alias`] accepts libaudit's spellings.
//! [`compat`] also has libaudit 3.0.9's whole view (its names, the numbers
//! it lacks or adds, from a data file derived from `ausyscall --dump`):
//! [`compat::name`] gives libaudit's name where it has one and the kernel's
//! elsewhere, as tools that must read like `ausearch -i` or `ausyscall` want.
//!
//! `b32`/`b64` ([`resolve_bits`], [`Machine::determine`]) follow
//! `audit_determine_machine`, with the same error codes
//! ([`ArchError::code`]); one deliberate difference: `b32` on ppc64le is an
//! error here (there is no 32-bit little-endian PowerPC audit arch), where
//! libaudit silently keeps ppc64le.
#![deny(missing_docs)]

pub mod compat;
#[cfg(test)]
mod libaudit_data;
mod machine;
mod name_hash;
mod table;

pub use audit_wire::arch::{AUDIT_ARCH_64BIT, AUDIT_ARCH_CONVENTION_MIPS64_N32, AUDIT_ARCH_LE};
pub use machine::{resolve_bits, ArchError, Bits, Machine};
pub use table::{
    io_uring_op_name, io_uring_op_number, io_uring_ops, syscall_name, x32_syscall_table, Iter,
    SyscallTable,
};
