//! Differential test against the installed C `ausyscall` (audit-userspace):
//! every `(number, name)` pair `ausyscall ARCH --dump` prints must be in our
//! table for that architecture, except the cases listed in [`ALLOWED`],
//! where the kernel's own table differs from libaudit's hand-edited one.
//! Ours may have more (syscalls newer than that ausyscall).
//!
//! Needs `/usr/bin/ausyscall` (Debian/Ubuntu package `auditd`); fails if it
//! is missing, since the comparison is the point of the test.

use std::collections::BTreeSet;

use audit_syscalls::{Machine, SyscallTable};

/// Why a libaudit pair is not in our table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// Same number, the kernel spells it as given.
    Renamed(&'static str),
    /// The kernel's table for this ABI has no such number (libaudit uses the
    /// 32-bit powerpc table for ppc64/ppc64le too, plus one 64-bit row for ppc).
    NotInKernelAbi,
    /// libaudit gives the 32-bit row's name; the kernel's row for this ABI
    /// at that number is the given one.
    OtherAbiRow(&'static str),
}

use Why::*;

/// `(our table label, number, libaudit name, why)`.
const ALLOWED: &[(&str, u32, &str, Why)] = &[
    ("x86_64", 17, "pread", Renamed("pread64")),
    ("x86_64", 18, "pwrite", Renamed("pwrite64")),
    ("i386", 283, "sys_kexec_load", Renamed("kexec_load")),
    (
        "i386",
        423,
        "sched_rr_get_interval64",
        Renamed("sched_rr_get_interval_time64"),
    ),
    ("arm", 140, "llseek", Renamed("_llseek")),
    ("arm", 142, "newselect", Renamed("_newselect")),
    ("arm", 149, "sysctl", Renamed("_sysctl")),
    ("arm", 270, "fadvise64_64", Renamed("arm_fadvise64_64")),
    (
        "arm",
        341,
        "sync_file_range",
        Renamed("arm_sync_file_range"),
    ),
    (
        "arm",
        423,
        "sched_rr_get_interval64",
        Renamed("sched_rr_get_interval_time64"),
    ),
    ("aarch64", 61, "getdents", Renamed("getdents64")),
    ("aarch64", 67, "pread", Renamed("pread64")),
    ("aarch64", 68, "pwrite", Renamed("pwrite64")),
    ("aarch64", 80, "newfstat", Renamed("fstat")),
    ("s390", 180, "pread", Renamed("pread64")),
    ("s390", 181, "pwrite", Renamed("pwrite64")),
    ("s390x", 180, "pread", Renamed("pread64")),
    ("s390x", 181, "pwrite", Renamed("pwrite64")),
    ("ppc", 179, "pread", Renamed("pread64")),
    ("ppc", 180, "pwrite", Renamed("pwrite64")),
    ("ppc", 306, "timerfd", Renamed("timerfd_create")),
    ("ppc", 319, "perf_counter_open", Renamed("perf_event_open")),
    ("ppc", 392, "semtimedop", NotInKernelAbi),
    ("ppc64", 179, "pread", Renamed("pread64")),
    ("ppc64", 180, "pwrite", Renamed("pwrite64")),
    ("ppc64", 306, "timerfd", Renamed("timerfd_create")),
    (
        "ppc64",
        319,
        "perf_counter_open",
        Renamed("perf_event_open"),
    ),
    ("ppc64", 192, "mmap2", NotInKernelAbi),
    ("ppc64", 193, "truncate64", NotInKernelAbi),
    ("ppc64", 194, "ftruncate64", NotInKernelAbi),
    ("ppc64", 195, "stat64", NotInKernelAbi),
    ("ppc64", 196, "lstat64", NotInKernelAbi),
    ("ppc64", 197, "fstat64", NotInKernelAbi),
    ("ppc64", 204, "fcntl64", NotInKernelAbi),
    ("ppc64", 226, "sendfile64", NotInKernelAbi),
    ("ppc64", 254, "fadvise64_64", NotInKernelAbi),
    ("ppc64", 291, "fstatat64", OtherAbiRow("newfstatat")),
    ("ppc64", 403, "clock_gettime64", NotInKernelAbi),
    ("ppc64", 404, "clock_settime64", NotInKernelAbi),
    ("ppc64", 405, "clock_adjtime64", NotInKernelAbi),
    ("ppc64", 406, "clock_getres_time64", NotInKernelAbi),
    ("ppc64", 407, "clock_nanosleep_time64", NotInKernelAbi),
    ("ppc64", 408, "timer_gettime64", NotInKernelAbi),
    ("ppc64", 409, "timer_settime64", NotInKernelAbi),
    ("ppc64", 410, "timerfd_gettime64", NotInKernelAbi),
    ("ppc64", 411, "timerfd_settime64", NotInKernelAbi),
    ("ppc64", 412, "utimensat_time64", NotInKernelAbi),
    ("ppc64", 413, "pselect6_time64", NotInKernelAbi),
    ("ppc64", 414, "ppoll_time64", NotInKernelAbi),
    ("ppc64", 416, "io_pgetevents_time64", NotInKernelAbi),
    ("ppc64", 417, "recvmmsg_time64", NotInKernelAbi),
    ("ppc64", 418, "mq_timedsend_time64", NotInKernelAbi),
    ("ppc64", 419, "mq_timedreceive_time64", NotInKernelAbi),
    ("ppc64", 420, "semtimedop_time64", NotInKernelAbi),
    ("ppc64", 421, "rt_sigtimedwait_time64", NotInKernelAbi),
    ("ppc64", 422, "futex_time64", NotInKernelAbi),
    ("ppc64", 423, "sched_rr_get_interval_time64", NotInKernelAbi),
];

use audit_testlock::reference::{ausyscall_dump as dump, AUSYSCALL};

#[test]
fn every_ausyscall_pair_is_ours_or_explained() {
    let mut candidates: Vec<&str> = Machine::ALL.iter().map(|m| m.name()).collect();
    candidates.sort_unstable();
    let mut compared = BTreeSet::new();
    let mut unknown_to_c = Vec::new();
    let mut failures = Vec::new();
    let mut used = BTreeSet::new();

    for arch in candidates {
        let ours: &SyscallTable = Machine::from_name(arch).unwrap().syscall_table();
        let (header, pairs) = dump(arch);
        // An arch the C tool does not know is taken as a syscall name, and it
        // dumps the running machine's table instead.
        let same_table =
            Machine::from_name(&header).is_some_and(|m| std::ptr::eq(m.syscall_table(), ours));
        if !same_table {
            unknown_to_c.push(arch);
            continue;
        }
        assert!(
            !pairs.is_empty(),
            "ausyscall {arch} --dump printed no syscall"
        );
        compared.insert(arch);
        for (nr, name) in pairs {
            if ours.name(nr) == Some(name.as_str()) {
                continue;
            }
            let allowed = ALLOWED
                .iter()
                .position(|&(t, n, s, _)| t == ours.label() && n == nr && s == name);
            match allowed {
                Some(i) => {
                    used.insert(i);
                    let (_, _, _, why) = ALLOWED[i];
                    match why {
                        Renamed(kernel) => {
                            assert_eq!(ours.name(nr), Some(kernel), "{arch} {nr}");
                            assert_eq!(ours.number_or_alias(&name), Some(nr), "{arch} {name}");
                        }
                        NotInKernelAbi => assert_eq!(ours.name(nr), None, "{arch} {nr}"),
                        OtherAbiRow(kernel) => {
                            assert_eq!(ours.name(nr), Some(kernel), "{arch} {nr}")
                        }
                    }
                }
                None => failures.push(format!(
                    "{arch}: ausyscall has {nr} {name}, ours has {:?}",
                    ours.name(nr)
                )),
            }
        }
    }
    eprintln!("compared with {AUSYSCALL}: {compared:?}; unknown to it: {unknown_to_c:?}");
    assert!(
        failures.is_empty(),
        "unexplained differences:\n{}",
        failures.join("\n")
    );
    for always in ["i386", "x86_64", "ppc", "ppc64", "ppc64le", "s390", "s390x"] {
        assert!(
            compared.contains(always),
            "{AUSYSCALL} does not know {always}?"
        );
    }
    let unused: Vec<_> = ALLOWED
        .iter()
        .enumerate()
        .filter(|(i, e)| !used.contains(i) && compared.iter().any(|a| table_label(a) == e.0))
        .map(|(_, e)| e)
        .collect();
    if !unused.is_empty() {
        // A different libaudit version may have fixed some spellings.
        eprintln!("allow-list entries this ausyscall did not need: {unused:?}");
    }
}

fn table_label(arch: &str) -> &'static str {
    Machine::from_name(arch).unwrap().syscall_table().label()
}

#[test]
fn allow_list_matches_the_crate_docs() {
    // Every rename allowed here is an alias of the crate, and every
    // libaudit-only pair is documented in `compat::LIBAUDIT_ONLY`.
    for &(table, nr, name, why) in ALLOWED {
        match why {
            Renamed(kernel) => assert!(
                audit_syscalls::compat::LIBAUDIT_ALIASES.contains(&(table, name, nr, kernel)),
                "{table} {nr} {name} missing from compat::LIBAUDIT_ALIASES"
            ),
            NotInKernelAbi | OtherAbiRow(_) => assert!(
                audit_syscalls::compat::LIBAUDIT_ONLY.contains(&(table, nr, name)),
                "{table} {nr} {name} missing from compat::LIBAUDIT_ONLY"
            ),
        }
    }
}
