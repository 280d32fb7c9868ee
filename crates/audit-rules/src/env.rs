//! What rule parsing needs from the machine it runs on: its architecture, the
//! syscall tables, user and group names, whether a watched path is a directory,
//! and which kernel features exist. [`SystemEnv`] answers from the running system;
//! tests and tools can supply their own [`Environment`].

/// `__AUDIT_ARCH_64BIT`.
pub const AUDIT_ARCH_64BIT: u32 = 0x8000_0000;

/// `AUDIT_FEATURE_BITMAP_EXECUTABLE_PATH`: the kernel knows `-F exe=`.
pub const FEATURE_EXECUTABLE_PATH: u32 = 0x04;
/// `AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND`: exclude rules may use cred/pid fields.
pub const FEATURE_EXCLUDE_EXTEND: u32 = 0x08;
/// `AUDIT_FEATURE_BITMAP_SESSIONID_FILTER`: the kernel knows `-F sessionid=`.
pub const FEATURE_SESSIONID_FILTER: u32 = 0x10;
/// `AUDIT_FEATURE_BITMAP_FILTER_FS`: the kernel has the filesystem list.
pub const FEATURE_FILTER_FS: u32 = 0x40;
/// Every feature bit a current kernel reports (`AUDIT_FEATURE_BITMAP_ALL`).
pub const FEATURES_ALL: u32 = 0x7f;

/// A machine type as auditctl names it (`uname -m` values and `-F arch=` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Machine {
    /// 32-bit x86 (`i386`, `i486`, `i586`, `i686`).
    X86,
    /// `x86_64`.
    X86_64,
    /// `ppc64`.
    Ppc64,
    /// `ppc`.
    Ppc,
    /// `s390x`.
    S390x,
    /// `s390`.
    S390,
    /// 32-bit ARM (`armeb`, `arm`, `armv5tejl`, `armv5tel`, `armv6l`, `armv7l`).
    Arm,
    /// `aarch64` (`armv8l`).
    Aarch64,
    /// `ppc64le`.
    Ppc64le,
}

const MACHINE_NAMES: &[(&str, Machine)] = &[
    ("i386", Machine::X86),
    ("i486", Machine::X86),
    ("i586", Machine::X86),
    ("i686", Machine::X86),
    ("x86_64", Machine::X86_64),
    ("ppc64", Machine::Ppc64),
    ("ppc64le", Machine::Ppc64le),
    ("ppc", Machine::Ppc),
    ("s390x", Machine::S390x),
    ("s390", Machine::S390),
    ("armeb", Machine::Arm),
    ("arm", Machine::Arm),
    ("armv5tejl", Machine::Arm),
    ("armv5tel", Machine::Arm),
    ("armv6l", Machine::Arm),
    ("armv7l", Machine::Arm),
    ("aarch64", Machine::Aarch64),
    ("armv8l", Machine::Aarch64),
];

const MACHINES: [Machine; 9] = [
    Machine::X86,
    Machine::X86_64,
    Machine::Ppc64,
    Machine::Ppc,
    Machine::S390x,
    Machine::S390,
    Machine::Arm,
    Machine::Aarch64,
    Machine::Ppc64le,
];

impl Machine {
    /// The machine named `name` (any case; `i686` is [`Machine::X86`]).
    pub fn from_name(name: &str) -> Option<Machine> {
        MACHINE_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, m)| *m)
    }

    /// auditctl's name for the machine (`i386`, `x86_64`, `armeb`, ...).
    pub fn name(self) -> &'static str {
        MACHINE_NAMES
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("unknown", |(n, _)| *n)
    }

    /// The machine's syscall ABI as the kernel names it (`AUDIT_ARCH_*`).
    pub const fn audit_arch(self) -> u32 {
        match self {
            Machine::X86 => 0x4000_0003,
            Machine::X86_64 => 0xc000_003e,
            Machine::Ppc64 => 0x8000_0015,
            Machine::Ppc => 0x14,
            Machine::S390x => 0x8000_0016,
            Machine::S390 => 0x16,
            Machine::Arm => 0x4000_0028,
            Machine::Aarch64 => 0xc000_00b7,
            Machine::Ppc64le => 0xc000_0015,
        }
    }

    /// The machine whose ABI is `audit_arch`.
    pub fn from_audit_arch(audit_arch: u32) -> Option<Machine> {
        MACHINES
            .iter()
            .copied()
            .find(|m| m.audit_arch() == audit_arch)
    }

    /// Whether the ABI is 64-bit.
    pub const fn is_64bit(self) -> bool {
        self.audit_arch() & AUDIT_ARCH_64BIT != 0
    }

    /// The 32-bit ABI the kernel also runs on this machine (`x86_64` -> `i386`), if any.
    pub const fn compat(self) -> Option<Machine> {
        match self {
            Machine::X86_64 => Some(Machine::X86),
            Machine::Ppc64 => Some(Machine::Ppc),
            Machine::S390x => Some(Machine::S390),
            Machine::Aarch64 => Some(Machine::Arm),
            _ => None,
        }
    }

    /// The running machine, from the kernel's `uname -m` (`/proc/sys/kernel/arch`),
    /// else from the target this program was built for.
    pub fn detect() -> Option<Machine> {
        if let Ok(s) = std::fs::read_to_string("/proc/sys/kernel/arch") {
            if let Some(m) = Machine::from_name(s.trim()) {
                return Some(m);
            }
        }
        let arch = std::env::consts::ARCH;
        Machine::from_name(match arch {
            "x86" => "i686",
            "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
            "powerpc64" => "ppc64",
            "powerpc" => "ppc",
            other => other,
        })
    }
}

/// Answers rule parsing and printing need from the system.
pub trait Environment {
    /// The running machine (`None` when it cannot be told).
    fn machine(&self) -> Option<Machine>;
    /// The number of syscall `name` on `machine` (name compared ignoring case).
    fn syscall_number(&self, machine: Machine, name: &str) -> Option<u32>;
    /// The name of syscall `number` on `machine`.
    fn syscall_name(&self, machine: Machine, number: u32) -> Option<String>;
    /// The uid of user `name`.
    fn user_id(&self, name: &str) -> Option<u32>;
    /// The gid of group `name`.
    fn group_id(&self, name: &str) -> Option<u32>;
    /// Whether `path` names an existing directory (watches of directories are
    /// `AUDIT_DIR` rules).
    fn is_dir(&self, path: &str) -> bool;
    /// The kernel's feature bitmap (`AUDIT_FEATURE_BITMAP_*`).
    fn features(&self) -> u32;
}

/// The running system: uname, the syscall tables of `audit-syscalls` (as far
/// as auditctl 3.0.9 knows them, unless [`SystemEnv::with_newer_syscalls`]),
/// user and group names through libc's NSS lookups (`getpwnam_r`,
/// `getgrnam_r`: `/etc/passwd`, LDAP, sssd, ... as `nsswitch.conf` says, as
/// auditctl resolves them), `stat`, and a feature bitmap (every feature unless
/// told otherwise, e.g. from the kernel's status reply).
#[derive(Debug, Clone)]
pub struct SystemEnv {
    machine: Option<Machine>,
    features: u32,
    newer_syscalls: bool,
}

impl SystemEnv {
    /// The running system, assuming a kernel with every audit feature.
    pub fn new() -> SystemEnv {
        SystemEnv {
            machine: Machine::detect(),
            features: FEATURES_ALL,
            newer_syscalls: false,
        }
    }

    /// The same, with the kernel's feature bitmap (from `audit_status`).
    pub fn with_features(mut self, features: u32) -> SystemEnv {
        self.features = features;
        self
    }

    /// The same, also knowing syscall names newer than auditctl 3.0.9 (which
    /// rejects e.g. `-S fchmodat2`; numbers are accepted either way).
    pub fn with_newer_syscalls(mut self) -> SystemEnv {
        self.newer_syscalls = true;
        self
    }

    /// The same, pretending to run on `machine`.
    pub fn with_machine(mut self, machine: Machine) -> SystemEnv {
        self.machine = Some(machine);
        self
    }
}

impl Default for SystemEnv {
    fn default() -> Self {
        SystemEnv::new()
    }
}

impl Environment for SystemEnv {
    fn machine(&self) -> Option<Machine> {
        self.machine
    }

    fn syscall_number(&self, machine: Machine, name: &str) -> Option<u32> {
        if self.newer_syscalls {
            crate::syscalls::kernel_number(machine, name)
        } else {
            crate::syscalls::number(machine, name)
        }
    }

    fn syscall_name(&self, machine: Machine, number: u32) -> Option<String> {
        // With the kernel's full tables opted in, print the kernel's names too, so
        // that what is printed parses back under the same environment.
        let kernel = self
            .newer_syscalls
            .then(|| crate::syscalls::kernel_name(machine, number))
            .flatten();
        kernel
            .or_else(|| crate::syscalls::name(machine, number))
            .map(str::to_string)
    }

    fn user_id(&self, name: &str) -> Option<u32> {
        audit_nss::user_id(name.as_bytes())
    }

    fn group_id(&self, name: &str) -> Option<u32> {
        audit_nss::group_id(name.as_bytes())
    }

    fn is_dir(&self, path: &str) -> bool {
        std::fs::metadata(path).is_ok_and(|m| m.is_dir())
    }

    fn features(&self) -> u32 {
        self.features
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_through_nss() {
        let env = SystemEnv::new();
        assert_eq!(env.user_id("root"), Some(0));
        assert_eq!(env.group_id("root"), Some(0));
        assert_eq!(env.user_id("no-such-user-here"), None);
        assert_eq!(env.group_id("no-such-group-here"), None);
    }
}
