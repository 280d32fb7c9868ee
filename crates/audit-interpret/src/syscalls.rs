//! Syscall names per machine, from the audit-syscalls crate (the kernel's
//! own tables).

use crate::machine::Machine;

/// The name of syscall `nr` on `machine`.
pub(crate) fn name(machine: Machine, nr: i32) -> Option<&'static str> {
    let arch = match machine {
        Machine::X86 => 0x4000_0003,
        Machine::X86_64 => 0xc000_003e,
        Machine::Ppc64 => 0x8000_0015,
        Machine::Ppc64le => 0xc000_0015,
        Machine::Ppc => 0x0000_0014,
        Machine::S390x => 0x8000_0016,
        Machine::S390 => 0x0000_0016,
        Machine::Arm => 0x4000_0028,
        Machine::Aarch64 => 0xc000_00b7,
        Machine::Ia64 | Machine::Alpha => return None,
    };
    audit_syscalls::syscall_name(arch, u32::try_from(nr).ok()?)
}
