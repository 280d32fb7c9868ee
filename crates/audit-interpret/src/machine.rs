//! The machine a record's `arch=` names, and the syscall-name lookup.
//!
//! The machine is `audit_syscalls`' [`Machine`]; libauparse knows only the
//! machines of libaudit 3.0.9, so `arch=` is read with
//! [`compat::machine_from_audit_arch`] and named with
//! [`Machine::libaudit_name`].

use audit_syscalls::compat;
pub use audit_syscalls::Machine;

/// The machine a record without `arch=` is interpreted with: the one this
/// program was built for ([`Machine::compiled_for`]), where libaudit knows
/// it. A constant, so that the decoders that may ask compile as if the
/// machine were written in.
#[inline]
pub(crate) fn host() -> Option<Machine> {
    match Machine::compiled_for() {
        Some(m) if compat::machine_from_audit_arch(m.audit_arch()).is_some() => Some(m),
        _ => None,
    }
}

/// The name of syscall `nr` on `machine` as libauparse gives it: libaudit
/// 3.0.9's name where it has one (x86_64 17 is `pread`), the kernel's
/// elsewhere (`audit_syscalls::compat::name`; the kernel's own names are
/// `audit_syscalls::SyscallTable::name`). The one place where syscall tables
/// are consulted.
pub fn syscall_name(machine: Machine, nr: u32) -> Option<&'static str> {
    crate::syscalls::name(machine, nr)
}
