//! Syscall names per machine, from the audit-syscalls crate: libaudit
//! 3.0.9's names where it has one (x86_64 17 is `pread`, as libauparse
//! interprets it; users match these strings), the kernel's elsewhere
//! (syscalls newer than libaudit's tables, x32 numbers).

use audit_syscalls::compat;

use crate::machine::Machine;

/// The name of syscall `nr` on `machine`.
pub(crate) fn name(machine: Machine, nr: u32) -> Option<&'static str> {
    // libauparse keeps the number in an `int`: past i32::MAX it is negative
    // and names nothing.
    i32::try_from(nr).ok()?;
    // `syscall_name` also reads x86_64's x32 numbers (0x40000000 bit).
    compat::libaudit_name(machine, nr)
        .or_else(|| audit_syscalls::syscall_name(machine.audit_arch(), nr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libaudit_names_first_then_the_kernel_s() {
        assert_eq!(name(Machine::X86_64, 17), Some("pread"));
        assert_eq!(name(Machine::X86_64, 59), Some("execve"));
        assert_eq!(name(Machine::Arm, 140), Some("llseek"));
        assert_eq!(name(Machine::I386, 140), Some("_llseek"));
        assert_eq!(name(Machine::Aarch64, 80), Some("newfstat"));
        assert_eq!(name(Machine::X86_64, 335), Some("uretprobe"));
        assert_eq!(name(Machine::X86_64, 0x4000_0000 + 520), Some("execve"));
        assert_eq!(name(Machine::X86_64, u32::MAX), None);
        assert_eq!(name(Machine::X86_64, 0x8000_0000 + 59), None);
        assert_eq!(name(Machine::Riscv64, 221), Some("execve"));
    }
}
