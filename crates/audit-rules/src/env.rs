//! What rule parsing needs from the machine it runs on: its architecture, the
//! syscall tables, user and group names, whether a watched path is a directory,
//! and which kernel features exist. [`SystemEnv`] answers from the running system;
//! tests and tools can supply their own [`Environment`]. Machines are
//! `audit_syscalls`' [`Machine`], seen as libaudit 3.0.9 sees them
//! ([`audit_syscalls::compat`]).

use audit_syscalls::{compat, Machine};

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

/// The running system: the machine as libaudit detects it
/// ([`compat::host_machine`]), the syscall tables of `audit-syscalls` (as far
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
            machine: compat::host_machine(),
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
