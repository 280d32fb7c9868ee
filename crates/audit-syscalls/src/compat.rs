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
