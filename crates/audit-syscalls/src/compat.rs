//! Where these tables and libaudit's (audit-userspace) tables differ.
//!
//! The tables of this crate are generated from the kernel's own `.tbl`
//! files, so they use the kernel's names. libaudit keeps hand-edited tables;
//! comparing them with `ausyscall ARCH --dump` of audit 3.0.9 gives two kinds
//! of difference, both listed here (and checked by the differential test
//! `crates/audit-syscalls/tests/vs_ausyscall.rs`):
//!
//! 1. **Spelling** (same number, libaudit uses an older or a different
//!    name). [`LIBAUDIT_ALIASES`] lists them;
//!    [`SyscallTable::number_or_alias`](crate::SyscallTable::number_or_alias)
//!    accepts them so that rules written for auditctl keep resolving.
//! 2. **Numbers the kernel does not have for that ABI**: libaudit uses one
//!    table for ppc, ppc64 and ppc64le, which is the 32-bit table plus 392
//!    `semtimedop`. The kernel's 64-bit selection (`common,nospu,64`) has no
//!    192..197 (`mmap2`, `truncate64`, `ftruncate64`, `stat64`, `lstat64`,
//!    `fstat64`), 204 `fcntl64`, 226 `sendfile64`, 254 `fadvise64_64`,
//!    291 `fstatat64` (64-bit 291 is `newfstatat`) and no `*_time64` calls
//!    403..423; the 32-bit selection (`common,nospu,32`) has no 392
//!    `semtimedop` (a 64-bit-only row). [`LIBAUDIT_ONLY`] lists them.
//!
//! Besides, the kernel tables hold syscalls newer than a given libaudit
//! (audit 3.0.9 stops at 450; Linux 7.1 at 471) and libaudit 3.0.9 has no
//! riscv, loongarch or mips tables.
//!
//! # libaudit 3.0.9's view
//!
//! The tools built on libaudit (auditctl, ausyscall, and libauparse when it
//! interprets `syscall=`) name syscalls from libaudit's tables. Where the
//! output of ours must read the same (downstream users match these
//! strings), use this view: [`libaudit_name`] / [`libaudit_number`] are
//! libaudit 3.0.9's tables exactly (what `ausyscall ARCH --dump` lists: no
//! syscall newer than 450, none it lacks), and [`name`] / [`number`] are
//! libaudit's names where it has one and the kernel's elsewhere (what a
//! program that reads new kernels' records wants). The facts are data,
//! `data/libaudit-3.0.9-syscalls.txt` of this crate (derived from
//! `ausyscall ARCH --dump` by the script beside it): per machine the highest
//! number, the numbers libaudit lacks and its own names where they differ
//! from the kernel's; every other number has the kernel's name. `build.rs`
//! generates both views' tables from it (static arrays indexed by number,
//! as the kernel's), so a lookup by number is one array read.
//!
//! ```
//! use audit_syscalls::{compat, Machine};
//! assert_eq!(compat::libaudit_name(Machine::X86_64, 17), Some("pread"));
//! assert_eq!(compat::name(Machine::X86_64, 17), Some("pread"));
//! assert_eq!(Machine::X86_64.syscall_table().name(17), Some("pread64"));
//! // uretprobe (335) is newer than libaudit's table: only the kernel names it.
//! assert_eq!(compat::libaudit_name(Machine::X86_64, 335), None);
//! assert_eq!(compat::name(Machine::X86_64, 335), Some("uretprobe"));
//! // Either spelling finds the number; libaudit's view only its own.
//! assert_eq!(compat::number(Machine::X86_64, "PREAD"), Some(17));
//! assert_eq!(compat::number(Machine::X86_64, "pread64"), Some(17));
//! assert_eq!(compat::libaudit_number(Machine::X86_64, "pread64"), None);
//! // Machines libaudit 3.0.9 has no table for keep the kernel's names.
//! assert_eq!(compat::name(Machine::Riscv64, 221), Some("execve"));
//! ```

use std::sync::OnceLock;

use crate::{ArchError, Bits, Machine};

/// libaudit spellings that differ from the kernel's:
/// `(table label, libaudit name, number, kernel name)`.
///
/// | table | libaudit | kernel | why |
/// | --- | --- | --- | --- |
/// | x86_64 | 17 `pread`, 18 `pwrite` | `pread64`, `pwrite64` | kernel name has the `64` suffix since the table conversion |
/// | i386 | 283 `sys_kexec_load` | `kexec_load` | libaudit typo kept for compatibility |
/// | i386, arm | 423 `sched_rr_get_interval64` | `sched_rr_get_interval_time64` | libaudit shortened the name |
/// | i386 | 219 `madvise1` | `madvise` | spelling of newer libaudit (4.x) |
/// | arm | 140 `llseek`, 142 `newselect`, 149 `sysctl` | `_llseek`, `_newselect`, `_sysctl` | libaudit drops the leading underscore |
/// | arm | 270 `fadvise64_64`, 341 `sync_file_range` | `arm_fadvise64_64`, `arm_sync_file_range` | libaudit drops the `arm_` prefix |
/// | aarch64 | 61 `getdents`, 67 `pread`, 68 `pwrite`, 80 `newfstat` | `getdents64`, `pread64`, `pwrite64`, `fstat` | older generic names |
/// | ppc, ppc64 | 179 `pread`, 180 `pwrite` | `pread64`, `pwrite64` | as x86_64 |
/// | ppc, ppc64 | 306 `timerfd` | `timerfd_create` | the syscall was renamed in Linux 2.6.25 |
/// | ppc, ppc64 | 319 `perf_counter_open` | `perf_event_open` | renamed in Linux 2.6.32 |
/// | s390, s390x | 180 `pread`, 181 `pwrite` | `pread64`, `pwrite64` | as x86_64 |
pub const LIBAUDIT_ALIASES: &[(&str, &str, u32, &str)] = &[
    ("x86_64", "pread", 17, "pread64"),
    ("x86_64", "pwrite", 18, "pwrite64"),
    ("i386", "sys_kexec_load", 283, "kexec_load"),
    (
        "i386",
        "sched_rr_get_interval64",
        423,
        "sched_rr_get_interval_time64",
    ),
    ("i386", "madvise1", 219, "madvise"),
    ("arm", "llseek", 140, "_llseek"),
    ("arm", "newselect", 142, "_newselect"),
    ("arm", "sysctl", 149, "_sysctl"),
    ("arm", "fadvise64_64", 270, "arm_fadvise64_64"),
    ("arm", "sync_file_range", 341, "arm_sync_file_range"),
    (
        "arm",
        "sched_rr_get_interval64",
        423,
        "sched_rr_get_interval_time64",
    ),
    ("aarch64", "getdents", 61, "getdents64"),
    ("aarch64", "pread", 67, "pread64"),
    ("aarch64", "pwrite", 68, "pwrite64"),
    ("aarch64", "newfstat", 80, "fstat"),
    ("ppc", "pread", 179, "pread64"),
    ("ppc", "pwrite", 180, "pwrite64"),
    ("ppc", "timerfd", 306, "timerfd_create"),
    ("ppc", "perf_counter_open", 319, "perf_event_open"),
    ("ppc64", "pread", 179, "pread64"),
    ("ppc64", "pwrite", 180, "pwrite64"),
    ("ppc64", "timerfd", 306, "timerfd_create"),
    ("ppc64", "perf_counter_open", 319, "perf_event_open"),
    ("s390", "pread", 180, "pread64"),
    ("s390", "pwrite", 181, "pwrite64"),
    ("s390x", "pread", 180, "pread64"),
    ("s390x", "pwrite", 181, "pwrite64"),
];

/// `(table label, number, name)` pairs libaudit lists that the kernel's
/// table for that ABI does not have (see the module docs for why).
pub const LIBAUDIT_ONLY: &[(&str, u32, &str)] = &[
    ("ppc", 392, "semtimedop"),
    ("ppc64", 192, "mmap2"),
    ("ppc64", 193, "truncate64"),
    ("ppc64", 194, "ftruncate64"),
    ("ppc64", 195, "stat64"),
    ("ppc64", 196, "lstat64"),
    ("ppc64", 197, "fstat64"),
    ("ppc64", 204, "fcntl64"),
    ("ppc64", 226, "sendfile64"),
    ("ppc64", 254, "fadvise64_64"),
    ("ppc64", 291, "fstatat64"),
    ("ppc64", 403, "clock_gettime64"),
    ("ppc64", 404, "clock_settime64"),
    ("ppc64", 405, "clock_adjtime64"),
    ("ppc64", 406, "clock_getres_time64"),
    ("ppc64", 407, "clock_nanosleep_time64"),
    ("ppc64", 408, "timer_gettime64"),
    ("ppc64", 409, "timer_settime64"),
    ("ppc64", 410, "timerfd_gettime64"),
    ("ppc64", 411, "timerfd_settime64"),
    ("ppc64", 412, "utimensat_time64"),
    ("ppc64", 413, "pselect6_time64"),
    ("ppc64", 414, "ppoll_time64"),
    ("ppc64", 416, "io_pgetevents_time64"),
    ("ppc64", 417, "recvmmsg_time64"),
    ("ppc64", 418, "mq_timedsend_time64"),
    ("ppc64", 419, "mq_timedreceive_time64"),
    ("ppc64", 420, "semtimedop_time64"),
    ("ppc64", 421, "rt_sigtimedwait_time64"),
    ("ppc64", 422, "futex_time64"),
    ("ppc64", 423, "sched_rr_get_interval_time64"),
];

/// The number libaudit gives `name` in table `label`, for spellings the
/// kernel's table does not use (ASCII case ignored).
pub(crate) fn alias_number(label: &str, name: &str) -> Option<u32> {
    LIBAUDIT_ALIASES
        .iter()
        .find(|(l, n, _, _)| *l == label && n.eq_ignore_ascii_case(name))
        .map(|&(_, _, number, _)| number)
}

/// The highest syscall number libaudit 3.0.9's tables name (on every
/// machine it knows).
pub const LIBAUDIT_MAX_SYSCALL: u32 = 450;

/// The machines libaudit 3.0.9 knows (its `MACH_*` values with a syscall
/// table), each at its index in the views (`view_index`). libaudit has no
/// big-endian ARM of its own: its name `armeb` means [`Machine::Arm`].
pub const LIBAUDIT_MACHINES: [Machine; 9] = [
    Machine::I386,
    Machine::X86_64,
    Machine::Arm,
    Machine::Aarch64,
    Machine::Ppc,
    Machine::Ppc64,
    Machine::Ppc64le,
    Machine::S390,
    Machine::S390x,
];

#[inline]
fn view_index(machine: Machine) -> Option<usize> {
    // A match, not a search of LIBAUDIT_MACHINES: it runs on every lookup
    // (a unit test checks the two agree). libaudit has one ARM table, which
    // it calls `armeb` (`ausyscall armeb` uses it): both byte orders share
    // the kernel's table too.
    Some(match machine {
        Machine::I386 => 0,
        Machine::X86_64 => 1,
        Machine::Arm | Machine::Armeb => 2,
        Machine::Aarch64 => 3,
        Machine::Ppc => 4,
        Machine::Ppc64 => 5,
        Machine::Ppc64le => 6,
        Machine::S390 => 7,
        Machine::S390x => 8,
        _ => return None,
    })
}

/// The machine libaudit 3.0.9 means by `name` (`audit_name_to_machine`:
/// ASCII case ignored; uname spellings such as `i686` and `armv7l`; `armeb`
/// is [`Machine::Arm`]), or `None` for a machine libaudit does not know
/// (`riscv64`, `mips`, ...), which auditctl 3.0.9 refuses.
///
/// ```
/// use audit_syscalls::{compat, Machine};
/// assert_eq!(compat::machine_from_name("ARMEB"), Some(Machine::Arm));
/// assert_eq!(compat::machine_from_name("i686"), Some(Machine::I386));
/// assert_eq!(compat::machine_from_name("riscv64"), None);
/// ```
pub fn machine_from_name(name: &str) -> Option<Machine> {
    match Machine::from_name(name)? {
        Machine::Armeb => Some(Machine::Arm),
        m => view_index(m).is_some().then_some(m),
    }
}

/// The machine of an `AUDIT_ARCH_*` value as libaudit 3.0.9 maps it
/// (`audit_elf_to_machine`), `None` for a value it does not know (riscv,
/// loongarch, mips, big-endian ARM): what libauparse interprets a record's
/// `arch=` with, and what `auditctl -l` prints a rule's `arch` by.
///
/// ```
/// use audit_syscalls::{compat, Machine};
/// assert_eq!(compat::machine_from_audit_arch(0xc000_003e), Some(Machine::X86_64));
/// assert_eq!(compat::machine_from_audit_arch(0xc000_00f3), None); // riscv64
/// ```
pub fn machine_from_audit_arch(audit_arch: u32) -> Option<Machine> {
    Machine::from_audit_arch(audit_arch).filter(|&m| m != Machine::Armeb && view_index(m).is_some())
}

/// `b32`/`b64` on `machine` as libaudit 3.0.9 resolves them
/// ([`resolve_bits`](crate::resolve_bits), except that `b32` on ppc64le
/// keeps ppc64le, as libaudit does).
///
/// ```
/// use audit_syscalls::{compat, Bits, Machine};
/// assert_eq!(compat::resolve_bits(Bits::B32, Machine::Ppc64le), Ok(Machine::Ppc64le));
/// assert_eq!(compat::resolve_bits(Bits::B32, Machine::X86_64), Ok(Machine::I386));
/// assert!(compat::resolve_bits(Bits::B64, Machine::I386).is_err());
/// ```
pub fn resolve_bits(bits: Bits, machine: Machine) -> Result<Machine, ArchError> {
    match (bits, machine) {
        (Bits::B32, Machine::Ppc64le) => Ok(Machine::Ppc64le),
        _ => crate::resolve_bits(bits, machine),
    }
}

/// The running machine as libaudit 3.0.9 detects it (`audit_detect_machine`:
/// `uname(2)`'s machine read by [`machine_from_name`]); an error for a
/// machine libaudit does not know.
pub fn detect_machine() -> Result<Machine, ArchError> {
    let uname = crate::machine::uname_machine()?;
    machine_from_name(&uname).ok_or(ArchError::UnknownRunningMachine(uname))
}

/// [`detect_machine`], asked once per process (the answer does not change).
pub fn host_machine() -> Option<Machine> {
    static HOST: OnceLock<Option<Machine>> = OnceLock::new();
    *HOST.get_or_init(|| detect_machine().ok())
}

/// libaudit's table of one machine, generated by `build.rs` from
/// `data/libaudit-3.0.9-syscalls.txt` and the kernel's table.
#[derive(Debug)]
struct LibauditTable {
    /// libaudit's name of the machine ([`Machine::libaudit_name`]).
    #[cfg_attr(not(test), allow(dead_code))]
    label: &'static str,
    /// Indexed by number (0..=max).
    by_number: &'static [Option<&'static str>],
    /// libaudit's names that are not the kernel's for their number: the
    /// only names a search of the kernel's table can miss.
    renamed: &'static [(&'static str, u32)],
    /// What [`name`] answers, indexed by number: `by_number` where it has a
    /// name, the kernel's elsewhere (one array read per lookup).
    merged: &'static [Option<&'static str>],
}

// `LIBAUDIT_TABLES`, one per machine of `LIBAUDIT_MACHINES`, in its order.
include!(concat!(env!("OUT_DIR"), "/libaudit.rs"));

impl LibauditTable {
    /// The number of `name` among libaudit's own spellings (ASCII case
    /// ignored).
    fn renamed_number(&self, name: &str) -> Option<u32> {
        self.renamed
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, nr)| nr)
    }
}

/// libaudit's table for `machine`, or `None` where libaudit 3.0.9 has none.
#[inline]
fn libaudit_table(machine: Machine) -> Option<&'static LibauditTable> {
    LIBAUDIT_TABLES.get(view_index(machine)?)
}

/// Whether libaudit 3.0.9 has a syscall table for `machine` (i386, x86_64,
/// arm and armeb (one table), aarch64, ppc, ppc64, ppc64le, s390, s390x).
pub fn libaudit_knows(machine: Machine) -> bool {
    libaudit_table(machine).is_some()
}

/// The name libaudit 3.0.9 gives syscall `number` on `machine` (what
/// `ausyscall`, `auditctl -l` and libauparse's interpretation show), or
/// `None` where libaudit has no name for it (newer than its table, one of
/// the numbers it lacks, or a machine it has no table for).
#[inline]
pub fn libaudit_name(machine: Machine, number: u32) -> Option<&'static str> {
    libaudit_table(machine)?
        .by_number
        .get(usize::try_from(number).ok()?)
        .copied()
        .flatten()
}

/// The number libaudit 3.0.9 gives syscall `name` on `machine` (ASCII case
/// ignored, as `audit_name_to_syscall` does): libaudit's spellings only, so
/// x86_64's `pread64` is unknown here (libaudit calls 17 `pread`).
pub fn libaudit_number(machine: Machine, name: &str) -> Option<u32> {
    let table = libaudit_table(machine)?;
    // Most of libaudit's names are the kernel's: the kernel table's hash,
    // then the few it spells its own way.
    match machine.syscall_table().number(name) {
        Some(nr)
            if table
                .by_number
                .get(nr as usize)
                .copied()
                .flatten()
                .is_some_and(|n| n.eq_ignore_ascii_case(name)) =>
        {
            Some(nr)
        }
        _ => table.renamed_number(name),
    }
}

/// Every `(number, name)` pair of libaudit 3.0.9's table for `machine`, in
/// ascending number order (what `ausyscall ARCH --dump` lists; empty for a
/// machine libaudit has no table for).
pub fn libaudit_pairs(machine: Machine) -> impl Iterator<Item = (u32, &'static str)> {
    libaudit_table(machine)
        .map_or(&[][..], |t| t.by_number)
        .iter()
        .enumerate()
        .filter_map(|(nr, name)| Some((u32::try_from(nr).ok()?, (*name)?)))
}

/// The name of syscall `number` on `machine` as libaudit's tools show it
/// where libaudit has a name for it ([`libaudit_name`]), and the kernel's
/// name elsewhere (syscalls newer than libaudit 3.0.9, machines it has no
/// table for). This is the name to show users who compare with `ausearch
/// -i`, `auditctl -l` or `ausyscall`.
#[inline]
pub fn name(machine: Machine, number: u32) -> Option<&'static str> {
    match libaudit_table(machine) {
        Some(table) => table
            .merged
            .get(usize::try_from(number).ok()?)
            .copied()
            .flatten(),
        None => machine.syscall_table().name(number),
    }
}

/// The number of syscall `name` on `machine`, in libaudit's spelling
/// ([`libaudit_number`]) or the kernel's (ASCII case ignored).
pub fn number(machine: Machine, name: &str) -> Option<u32> {
    // A name the kernel's table lacks can only be one of libaudit's own
    // spellings (what `libaudit_number` would find after the same miss).
    machine
        .syscall_table()
        .number(name)
        .or_else(|| libaudit_table(machine)?.renamed_number(name))
}

/// Every `(number, name)` pair [`name`] gives on `machine`, in ascending
/// number order: libaudit's table, then the kernel's numbers it lacks.
pub fn pairs(machine: Machine) -> Vec<(u32, &'static str)> {
    let mut out: Vec<(u32, &'static str)> = libaudit_pairs(machine).collect();
    out.extend(
        machine
            .syscall_table()
            .iter()
            .filter(|&(nr, _)| libaudit_name(machine, nr).is_none()),
    );
    out.sort_unstable_by_key(|&(nr, _)| nr);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::libaudit_data::{parse_data, BadLine};

    /// The data `build.rs` generates libaudit's tables from.
    const DATA: &str = include_str!("../data/libaudit-3.0.9-syscalls.txt");

    #[test]
    fn data_parses_and_covers_every_libaudit_machine() {
        let labels: Vec<&str> = LIBAUDIT_MACHINES
            .iter()
            .map(|m| m.libaudit_name().expect("libaudit knows it"))
            .collect();
        let diffs = parse_data(DATA, &labels).expect("data/libaudit-3.0.9-syscalls.txt parses");
        for ((m, diff), table) in LIBAUDIT_MACHINES.iter().zip(&diffs).zip(&LIBAUDIT_TABLES) {
            assert_eq!(
                diff.as_ref().map(|d| d.max),
                Some(LIBAUDIT_MAX_SYSCALL),
                "{m:?}"
            );
            assert!(libaudit_knows(*m), "{m:?}");
            // The generated tables are in the order of LIBAUDIT_MACHINES.
            assert_eq!(Some(table.label), m.libaudit_name(), "{m:?}");
            assert_eq!(
                table.by_number.len(),
                LIBAUDIT_MAX_SYSCALL as usize + 1,
                "{m:?}"
            );
        }
        assert_eq!(LIBAUDIT_TABLES.len(), LIBAUDIT_MACHINES.len());
        assert!(libaudit_knows(Machine::Armeb));
        for (i, m) in LIBAUDIT_MACHINES.iter().enumerate() {
            assert_eq!(view_index(*m), Some(i), "{m:?}");
        }
        for m in [Machine::Riscv64, Machine::Mips, Machine::Mips64N32] {
            assert!(!libaudit_knows(m), "{m:?}");
            assert_eq!(libaudit_pairs(m).count(), 0);
        }
    }

    #[test]
    fn libaudit_machines_by_name_and_arch() {
        for m in LIBAUDIT_MACHINES {
            assert_eq!(machine_from_audit_arch(m.audit_arch()), Some(m), "{m:?}");
            assert_eq!(
                machine_from_name(m.libaudit_name().unwrap()),
                Some(m),
                "{m:?}"
            );
        }
        for m in Machine::ALL
            .iter()
            .filter(|m| !LIBAUDIT_MACHINES.contains(m))
        {
            assert_eq!(machine_from_audit_arch(m.audit_arch()), None, "{m:?}");
        }
        for (name, m) in [
            ("armeb", Machine::Arm),
            ("ARMv7l", Machine::Arm),
            ("armv8l", Machine::Aarch64),
        ] {
            assert_eq!(machine_from_name(name), Some(m), "{name}");
        }
        for name in ["riscv64", "mips", "loongarch64", "mipsn32el", "b64", ""] {
            assert_eq!(machine_from_name(name), None, "{name}");
        }
        assert_eq!(
            resolve_bits(Bits::B32, Machine::Ppc64le),
            Ok(Machine::Ppc64le)
        );
        assert_eq!(resolve_bits(Bits::B32, Machine::Aarch64), Ok(Machine::Arm));
        assert!(resolve_bits(Bits::B64, Machine::Arm).is_err());
        assert_eq!(host_machine(), detect_machine().ok());
    }

    #[test]
    fn bad_data_lines_are_reported() {
        const LABELS: [&str; 3] = ["i386", "x86_64", "armeb"];
        for (text, line) in [
            ("x86_64 max\n", 1),
            ("# c\nx86_64 max 4 5\n", 2),
            ("nosuch max 4\n", 1),
            ("arm max 4\n", 1),
            ("x86_64 lacks 5-3\n", 1),
            ("x86_64 lacks a\n", 1),
            ("x86_64 names 17\n", 1),
            ("x86_64 names x pread\n", 1),
            ("x86_64 names 1 a b\n", 1),
            ("x86_64 bogus 1\n", 1),
            ("x86_64\n", 1),
        ] {
            assert_eq!(
                parse_data(text, &LABELS).err(),
                Some(BadLine(line)),
                "{text:?}"
            );
        }
        let d = parse_data("x86_64 lacks 3 7-9\narmeb max 2\n", &LABELS).unwrap();
        assert_eq!(d[1].as_ref().unwrap().lacks, vec![(3, 3), (7, 9)]);
        assert_eq!(d[2].as_ref().unwrap().max, 2);
    }

    #[test]
    fn libaudit_view() {
        use Machine::*;
        assert_eq!(libaudit_number(X86_64, "OPEN"), Some(2));
        assert_eq!(libaudit_number(X86_64, "pread"), Some(17));
        assert_eq!(libaudit_number(X86_64, "pread64"), None);
        assert_eq!(number(X86_64, "pread64"), Some(17));
        assert_eq!(libaudit_name(X86_64, 17), Some("pread"));
        assert_eq!(libaudit_name(I386, 219), Some("madvise"));
        assert_eq!(libaudit_name(I386, 159), Some("sched_get_priority_max"));
        assert_eq!(libaudit_name(X86_64, 450), Some("set_mempolicy_home_node"));
        assert_eq!(libaudit_name(X86_64, 451), None);
        assert_eq!(libaudit_name(X86_64, u32::MAX), None);
        assert_eq!(libaudit_name(X86_64, 335), None);
        assert_eq!(name(X86_64, 335), Some("uretprobe"));
        assert_eq!(libaudit_number(X86_64, "uretprobe"), None);
        assert_eq!(number(X86_64, "uretprobe"), Some(335));
        assert_eq!(number(X86_64, "fchmodat2"), Some(452));
        assert_eq!(libaudit_name(Ppc, 0), None);
        assert_eq!(name(Ppc, 0), Some("restart_syscall"));
        assert_eq!(libaudit_number(Ppc, "restart_syscall"), None);
        assert_eq!(libaudit_name(Ppc64le, 291), Some("fstatat64"));
        assert_eq!(libaudit_number(Ppc64le, "newfstatat"), None);
        assert_eq!(number(Ppc64le, "newfstatat"), Some(291));
        assert_eq!(libaudit_number(Ppc64le, "fstatat64"), Some(291));
        // A number only libaudit's (32-bit) powerpc table has.
        assert_eq!(name(Ppc64, 192), Some("mmap2"));
        assert_eq!(number(Ppc64, "mmap2"), Some(192));
        assert_eq!(Ppc64.syscall_table().name(192), None);
        assert_eq!(libaudit_name(Arm, 140), Some("llseek"));
        assert_eq!(name(Armeb, 140), Some("llseek"));
        assert_eq!(Armeb.syscall_table().name(140), Some("_llseek"));
        assert_eq!(libaudit_name(S390, 7), None);
        assert_eq!(name(Riscv64, 221), Some("execve"));
        assert_eq!(number(Riscv64, "pread"), None);
    }

    #[test]
    fn pairs_and_lookups_agree() {
        for m in LIBAUDIT_MACHINES {
            let pairs: Vec<_> = libaudit_pairs(m).collect();
            assert!(pairs.len() > 300, "{m:?}");
            for (nr, n) in pairs {
                assert_eq!(libaudit_number(m, n), Some(nr), "{m:?} {n}");
                assert_eq!(
                    libaudit_number(m, &n.to_ascii_uppercase()),
                    Some(nr),
                    "{m:?} {n}"
                );
                assert_eq!(number(m, n), Some(nr), "{m:?} {n}");
                assert_eq!(name(m, nr), Some(n), "{m:?} {nr}");
            }
        }
        for m in Machine::ALL {
            let all = pairs(*m);
            assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "{m:?}");
            for &(nr, n) in &all {
                assert_eq!(name(*m, nr), Some(n), "{m:?} {nr}");
                assert_eq!(number(*m, n), Some(nr), "{m:?} {n}");
            }
            // Every number either table has.
            let kernel = m.syscall_table().iter().count();
            assert!(all.len() >= kernel, "{m:?}");
        }
    }

    /// The summary tables above and the data tell the same story (the
    /// one exception, i386's `madvise1`, is libaudit 4's spelling).
    #[test]
    fn summary_tables_agree_with_the_data() {
        let machine = |label: &str| Machine::from_name(label).expect("a label of ours");
        for &(label, alias, nr, kernel) in LIBAUDIT_ALIASES {
            let m = machine(label);
            assert_eq!(m.syscall_table().name(nr), Some(kernel), "{label} {nr}");
            if alias != "madvise1" {
                assert_eq!(libaudit_name(m, nr), Some(alias), "{label} {nr}");
            }
        }
        for &(label, nr, n) in LIBAUDIT_ONLY {
            let m = machine(label);
            // Absent from the kernel's table for that ABI, or another row
            // there (ppc64 291 is `newfstatat`).
            assert_ne!(m.syscall_table().name(nr), Some(n), "{label} {nr}");
            assert_eq!(libaudit_name(m, nr), Some(n), "{label} {nr}");
        }
    }
}
