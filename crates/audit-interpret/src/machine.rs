//! The machine a record's `arch=` names, as libauparse sees it, and the
//! syscall-name lookup.
//!
//! Every fact comes from `audit_syscalls`: which `AUDIT_ARCH_*` values
//! libaudit knows and their names ([`audit_syscalls::compat`]), the running
//! machine, the tables. [`Machine`] keeps libaudit's `MACH_*` numbering and
//! variant names for this crate's decoders; [`Machine::machine`] is the
//! `audit_syscalls::Machine` it stands for.

use audit_syscalls::compat;

/// A machine type as libaudit numbers them (`machine_t`, `MACH_*`): a view
/// of [`audit_syscalls::Machine`] limited to the machines libaudit 3.0.9
/// knows, which is what libauparse interprets `arch=` and `syscall=` with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Machine {
    /// 32-bit x86 (`i386`).
    X86,
    /// x86-64.
    X86_64,
    /// Itanium (no longer supported; has no name).
    Ia64,
    /// 64-bit big-endian PowerPC.
    Ppc64,
    /// 32-bit PowerPC.
    Ppc,
    /// 64-bit s390.
    S390x,
    /// 31-bit s390.
    S390,
    /// Alpha (no longer supported; has no name).
    Alpha,
    /// 32-bit ARM (libaudit names it `armeb`).
    Arm,
    /// 64-bit ARM.
    Aarch64,
    /// 64-bit little-endian PowerPC.
    Ppc64le,
}

impl Machine {
    /// The `MACH_*` view of `machine`, `None` for one libaudit 3.0.9 does
    /// not know (riscv, loongarch, mips, big-endian ARM).
    pub fn from_machine(machine: audit_syscalls::Machine) -> Option<Self> {
        use audit_syscalls::Machine as M;
        Some(match machine {
            M::I386 => Self::X86,
            M::X86_64 => Self::X86_64,
            M::Ppc64 => Self::Ppc64,
            M::Ppc64le => Self::Ppc64le,
            M::Ppc => Self::Ppc,
            M::S390x => Self::S390x,
            M::S390 => Self::S390,
            M::Arm => Self::Arm,
            M::Aarch64 => Self::Aarch64,
            _ => return None,
        })
    }

    /// The machine this stands for (`None` for the unsupported Itanium and
    /// Alpha, which have no syscall tables).
    pub fn machine(self) -> Option<audit_syscalls::Machine> {
        use audit_syscalls::Machine as M;
        Some(match self {
            Self::X86 => M::I386,
            Self::X86_64 => M::X86_64,
            Self::Ppc64 => M::Ppc64,
            Self::Ppc64le => M::Ppc64le,
            Self::Ppc => M::Ppc,
            Self::S390x => M::S390x,
            Self::S390 => M::S390,
            Self::Arm => M::Arm,
            Self::Aarch64 => M::Aarch64,
            Self::Ia64 | Self::Alpha => return None,
        })
    }

    /// The machine of an `AUDIT_ARCH_*` value (the `arch=` field), for the
    /// architectures libaudit knows ([`compat::machine_from_audit_arch`]).
    pub fn from_audit_arch(arch: u32) -> Option<Self> {
        compat::machine_from_audit_arch(arch).and_then(Self::from_machine)
    }

    /// libaudit's name of the machine (`audit_machine_to_name`).
    pub fn name(self) -> Option<&'static str> {
        self.machine()?.libaudit_name()
    }

    /// libaudit's `MACH_*` number.
    pub fn number(self) -> u32 {
        self as u32
    }

    /// The machine this program was built for
    /// ([`audit_syscalls::Machine::compiled_for`]): what a record without
    /// `arch=` is interpreted with. A constant, so that the decoders that
    /// may ask compile as if the machine were written in.
    pub fn host() -> Option<Self> {
        match audit_syscalls::Machine::compiled_for() {
            Some(m) => Self::from_machine(m),
            None => None,
        }
    }
}

/// The name of syscall `nr` on `machine` as libauparse gives it: libaudit
/// 3.0.9's name where it has one (x86_64 17 is `pread`), the kernel's
/// elsewhere (`audit_syscalls::compat::name`; the kernel's own names are
/// `audit_syscalls::SyscallTable::name`). The one place where syscall tables
/// are consulted.
pub fn syscall_name(machine: Machine, nr: i32) -> Option<&'static str> {
    crate::syscalls::name(machine, nr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_libaudit_machines_and_no_others() {
        for &m in audit_syscalls::Machine::ALL {
            let view = Machine::from_machine(m);
            assert_eq!(
                view.is_some(),
                compat::LIBAUDIT_MACHINES.contains(&m),
                "{m}"
            );
            assert_eq!(view.and_then(Machine::machine), view.map(|_| m), "{m}");
            assert_eq!(Machine::from_audit_arch(m.audit_arch()), view, "{m}");
        }
        assert_eq!(Machine::Arm.name(), Some("armeb"));
        assert_eq!(Machine::X86.name(), Some("i386"));
        assert_eq!(Machine::Ia64.name(), None);
        assert_eq!(Machine::from_audit_arch(0xc000_00f3), None);
        assert_eq!(Machine::from_audit_arch(0x28), None);
    }
}
