//! Syscall names for rules, from `audit-syscalls`, with libaudit 3.0.9's view
//! for printing: auditctl 3.0.9 knows syscalls up to 450 and a few older
//! spellings (`pread` for x86_64's `pread64`); it prints the rest as numbers.

use audit_syscalls::{compat, SyscallTable};

use crate::env::Machine;

/// The highest syscall number libaudit 3.0.9's tables name.
pub const LIBAUDIT_MAX_SYSCALL: u32 = 450;

fn table(machine: Machine) -> Option<&'static SyscallTable> {
    SyscallTable::for_audit_arch(machine.audit_arch())
}

/// The number of syscall `name` on `machine` as auditctl 3.0.9 knows it:
/// numbers up to 450, kernel names and libaudit's spellings, ASCII case ignored.
pub fn number(machine: Machine, name: &str) -> Option<u32> {
    kernel_number(machine, name).filter(|n| *n <= LIBAUDIT_MAX_SYSCALL)
}

/// The number of syscall `name` on `machine` from the kernel's current tables
/// (syscalls newer than auditctl 3.0.9 included), or libaudit's spellings.
pub fn kernel_number(machine: Machine, name: &str) -> Option<u32> {
    let t = table(machine)?;
    t.number_or_alias(name).or_else(|| {
        compat::LIBAUDIT_ONLY
            .iter()
            .find(|(l, _, n)| *l == t.label() && n.eq_ignore_ascii_case(name))
            .map(|(_, nr, _)| *nr)
    })
}

/// The name auditctl 3.0.9 prints for syscall `number` on `machine`.
pub fn name(machine: Machine, number: u32) -> Option<&'static str> {
    if number > LIBAUDIT_MAX_SYSCALL {
        return None;
    }
    let t = table(machine)?;
    let label = t.label();
    if let Some((_, alias, _, _)) = compat::LIBAUDIT_ALIASES
        .iter()
        .find(|(l, a, n, _)| *l == label && *n == number && *a != "madvise1")
    {
        return Some(alias);
    }
    t.name(number).or_else(|| {
        compat::LIBAUDIT_ONLY
            .iter()
            .find(|(l, nr, _)| *l == label && *nr == number)
            .map(|(_, _, n)| *n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libaudit_view() {
        assert_eq!(number(Machine::X86_64, "OPEN"), Some(2));
        assert_eq!(number(Machine::X86_64, "pread"), Some(17));
        assert_eq!(name(Machine::X86_64, 17), Some("pread"));
        assert_eq!(name(Machine::X86, 219), Some("madvise"));
        assert_eq!(name(Machine::X86, 159), Some("sched_get_priority_max"));
        assert_eq!(name(Machine::X86_64, 451), None);
        assert_eq!(number(Machine::X86_64, "fchmodat2"), None);
        assert_eq!(kernel_number(Machine::X86_64, "fchmodat2"), Some(452));
    }
}
