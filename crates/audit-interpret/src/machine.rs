//! Machines (libaudit's `MACH_*`) and the syscall-name lookup.

/// A machine type as libaudit names them (`machine_t`).
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
    /// The machine of an `AUDIT_ARCH_*` value (the `arch=` field), for the
    /// architectures libaudit knows.
    pub fn from_audit_arch(arch: u32) -> Option<Self> {
        Some(match arch {
            0x4000_0003 => Self::X86,
            0xc000_003e => Self::X86_64,
            0x8000_0015 => Self::Ppc64,
            0xc000_0015 => Self::Ppc64le,
            0x0000_0014 => Self::Ppc,
            0x8000_0016 => Self::S390x,
            0x0000_0016 => Self::S390,
            0x4000_0028 => Self::Arm,
            0xc000_00b7 => Self::Aarch64,
            _ => return None,
        })
    }

    /// libaudit's name of the machine (`audit_machine_to_name`).
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::X86 => "i386",
            Self::X86_64 => "x86_64",
            Self::Ppc64 => "ppc64",
            Self::Ppc64le => "ppc64le",
            Self::Ppc => "ppc",
            Self::S390x => "s390x",
            Self::S390 => "s390",
            Self::Arm => "armeb",
            Self::Aarch64 => "aarch64",
            Self::Ia64 | Self::Alpha => return None,
        })
    }

    /// libaudit's `MACH_*` number.
    pub fn number(self) -> u32 {
        self as u32
    }

    /// The machine this program runs on (`audit_detect_machine`).
    pub fn host() -> Option<Self> {
        if cfg!(target_arch = "x86_64") {
            Some(Self::X86_64)
        } else if cfg!(target_arch = "x86") {
            Some(Self::X86)
        } else if cfg!(target_arch = "aarch64") {
            Some(Self::Aarch64)
        } else if cfg!(target_arch = "arm") {
            Some(Self::Arm)
        } else if cfg!(target_arch = "s390x") {
            Some(Self::S390x)
        } else if cfg!(all(target_arch = "powerpc64", target_endian = "little")) {
            Some(Self::Ppc64le)
        } else if cfg!(target_arch = "powerpc64") {
            Some(Self::Ppc64)
        } else if cfg!(target_arch = "powerpc") {
            Some(Self::Ppc)
        } else {
            None
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
