//! Syscall names for rules: the kernel's tables from `audit-syscalls`, seen
//! the way libaudit 3.0.9 (auditctl, ausyscall) sees them.
//!
//! libaudit 3.0.9 keeps its own hand-edited tables. On every architecture it
//! knows (i386, x86_64, arm, aarch64, ppc, ppc64, ppc64le, s390, s390x) they
//! stop at 450, lack some numbers the kernel names (x86_64 335/336
//! `uretprobe`/`uprobe`, ppc 0 `restart_syscall`, about thirty s390 ones, ...)
//! and spell some differently (x86_64 17 `pread`, ppc64 291 `fstatat64`).
//! That view lives with the tables, in [`audit_syscalls::compat`]; this
//! module is the part of it rules use: auditctl 3.0.9 rejects
//! `-S uretprobe` and `auditctl -l` prints `-S 335`, and so do [`number`]
//! and [`name`].
//!
//! ```
//! use audit_rules::{syscalls, Machine};
//! assert_eq!(syscalls::number(Machine::X86_64, "uretprobe"), None);
//! assert_eq!(syscalls::name(Machine::X86_64, 335), None);
//! assert_eq!(syscalls::kernel_number(Machine::X86_64, "uretprobe"), Some(335));
//! assert_eq!(syscalls::name(Machine::X86_64, 17), Some("pread"));
//! assert_eq!(syscalls::number(Machine::X86_64, "PREAD"), Some(17));
//! ```

use audit_syscalls::{compat, Machine};

/// The highest syscall number libaudit 3.0.9's tables name (on every
/// architecture it knows).
pub const LIBAUDIT_MAX_SYSCALL: u32 = compat::LIBAUDIT_MAX_SYSCALL;

/// The number of syscall `name` on `machine` as auditctl 3.0.9 knows it
/// (ASCII case ignored): libaudit's names only, so `pread64` is unknown on
/// x86_64 (libaudit calls 17 `pread`) and so is any syscall newer than 3.0.9.
pub fn number(machine: Machine, name: &str) -> Option<u32> {
    compat::libaudit_number(machine, name)
}

/// The number of syscall `name` on `machine` from the kernel's current tables
/// (syscalls newer than auditctl 3.0.9 included), or any of libaudit's
/// names ([`number`]; `audit_syscalls::compat` spellings too).
pub fn kernel_number(machine: Machine, name: &str) -> Option<u32> {
    machine
        .syscall_table()
        .number_or_alias(name)
        .or_else(|| compat::libaudit_number(machine, name))
}

/// The kernel's current name of syscall `number` on `machine` (for
/// [`SystemEnv::with_newer_syscalls`](crate::SystemEnv::with_newer_syscalls)).
pub fn kernel_name(machine: Machine, number: u32) -> Option<&'static str> {
    machine.syscall_table().name(number)
}

/// The name auditctl 3.0.9 prints for syscall `number` on `machine`, or
/// `None` where it prints the number.
pub fn name(machine: Machine, number: u32) -> Option<&'static str> {
    compat::libaudit_name(machine, number)
}

/// Every `(number, name)` pair libaudit 3.0.9 knows on `machine`, in
/// ascending number order (what `ausyscall ARCH --dump` lists).
pub fn libaudit_pairs(machine: Machine) -> Vec<(u32, &'static str)> {
    compat::libaudit_pairs(machine).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Machine; 9] = compat::LIBAUDIT_MACHINES;

    #[test]
    fn every_machine_has_libaudit_names() {
        for m in ALL {
            assert_eq!(
                libaudit_pairs(m).last().map(|&(nr, _)| nr),
                Some(LIBAUDIT_MAX_SYSCALL),
                "{m:?}"
            );
        }
    }

    #[test]
    fn libaudit_view() {
        assert_eq!(number(Machine::X86_64, "OPEN"), Some(2));
        assert_eq!(number(Machine::X86_64, "pread"), Some(17));
        assert_eq!(number(Machine::X86_64, "pread64"), None);
        assert_eq!(kernel_number(Machine::X86_64, "pread64"), Some(17));
        assert_eq!(name(Machine::X86_64, 17), Some("pread"));
        assert_eq!(name(Machine::I386, 219), Some("madvise"));
        assert_eq!(name(Machine::I386, 159), Some("sched_get_priority_max"));
        assert_eq!(name(Machine::X86_64, 450), Some("set_mempolicy_home_node"));
        assert_eq!(name(Machine::X86_64, 451), None);
        assert_eq!(name(Machine::X86_64, 335), None);
        assert_eq!(number(Machine::X86_64, "uretprobe"), None);
        assert_eq!(number(Machine::X86_64, "fchmodat2"), None);
        assert_eq!(kernel_name(Machine::X86_64, 335), Some("uretprobe"));
        use crate::env::Environment;
        let newer = crate::SystemEnv::new().with_newer_syscalls();
        assert_eq!(
            newer.syscall_name(Machine::X86_64, 335).as_deref(),
            Some("uretprobe")
        );
        assert_eq!(
            newer.syscall_name(Machine::X86_64, 17).as_deref(),
            Some("pread64")
        );
        let classic = crate::SystemEnv::new();
        assert_eq!(classic.syscall_name(Machine::X86_64, 335), None);
        assert_eq!(
            classic.syscall_name(Machine::X86_64, 17).as_deref(),
            Some("pread")
        );
        assert_eq!(kernel_number(Machine::X86_64, "fchmodat2"), Some(452));
        assert_eq!(name(Machine::Ppc, 0), None);
        assert_eq!(number(Machine::Ppc, "restart_syscall"), None);
        assert_eq!(kernel_number(Machine::Ppc, "restart_syscall"), Some(0));
        assert_eq!(name(Machine::Ppc64le, 291), Some("fstatat64"));
        assert_eq!(number(Machine::Ppc64le, "newfstatat"), None);
        assert_eq!(number(Machine::Ppc64le, "fstatat64"), Some(291));
        assert_eq!(kernel_number(Machine::Ppc64le, "fstatat64"), Some(291));
        assert_eq!(name(Machine::Arm, 140), Some("llseek"));
        assert_eq!(name(Machine::S390, 7), None);
    }

    #[test]
    fn pairs_and_lookups_agree() {
        for m in ALL {
            let pairs = libaudit_pairs(m);
            assert!(pairs.len() > 300, "{m:?}");
            for (nr, n) in pairs {
                assert_eq!(number(m, n), Some(nr), "{m:?} {n}");
                assert_eq!(kernel_number(m, n), Some(nr), "{m:?} {n}");
            }
        }
    }
}
