//! The generated tables and their lookup API.

use std::fmt;
use std::iter::FusedIterator;

use crate::name_hash;

/// The syscall name <-> number table of one architecture ABI.
///
/// Tables are `'static` and generated at build time from the kernel's
/// `.tbl` files; get one with [`Machine::syscall_table`](crate::Machine::syscall_table),
/// [`SyscallTable::for_audit_arch`] or [`x32_syscall_table`].
///
/// * [`name`](Self::name) (number -> name) is an array index;
/// * [`number`](Self::number) (name -> number) is a perfect hash generated
///   at build time (one hash, one name comparison);
/// * [`iter`](Self::iter) walks the table in ascending number order.
///
/// Numbers are those the kernel reports in audit records: mips tables carry
/// their ABI offset (o32 4000.., n64 5000.., n32 6000..) and the x32 table the
/// `0x40000000` bit.
pub struct SyscallTable {
    pub(crate) label: &'static str,
    pub(crate) source: &'static str,
    pub(crate) abis: &'static str,
    pub(crate) base: u32,
    /// Index `n - base` holds the name of number `n`.
    pub(crate) by_number: &'static [Option<&'static str>],
    /// `(name, number)` sorted by name.
    pub(crate) by_name: &'static [(&'static str, u32)],
    /// Seed of [`name_hash::hash`] for this table.
    pub(crate) hash_seed: u64,
    /// Perfect hash slots: index into `by_name`, `u16::MAX` where empty.
    pub(crate) slots: &'static [u16],
    /// Per hash bucket, the displacement that gives its names their slots.
    pub(crate) displacements: &'static [u16],
}

include!(concat!(env!("OUT_DIR"), "/tables.rs"));

impl SyscallTable {
    /// The name of syscall `number`, or `None` if the table has no such
    /// number. O(1).
    ///
    /// ```
    /// use audit_syscalls::Machine;
    /// assert_eq!(Machine::X86_64.syscall_table().name(59), Some("execve"));
    /// assert_eq!(Machine::X86_64.syscall_table().name(100_000), None);
    /// ```
    #[inline]
    pub fn name(&self, number: u32) -> Option<&'static str> {
        let index = number.checked_sub(self.base)?;
        self.by_number.get(index as usize).copied().flatten()
    }

    /// The number of the syscall called `name`, or `None`. The match is
    /// exact except for ASCII case (like libaudit's `audit_name_to_syscall`,
    /// `EXECVE` finds `execve`). O(1): a perfect hash generated at build
    /// time, then one name comparison; no allocation.
    ///
    /// ```
    /// use audit_syscalls::Machine;
    /// assert_eq!(Machine::I386.syscall_table().number("clone"), Some(120));
    /// assert_eq!(Machine::I386.syscall_table().number("CLONE"), Some(120));
    /// assert_eq!(Machine::I386.syscall_table().number("clon"), None);
    /// ```
    #[inline]
    pub fn number(&self, name: &str) -> Option<u32> {
        let bytes = name.as_bytes();
        let h = name_hash::hash(bytes, self.hash_seed);
        let bucket = name_hash::bucket(h, self.displacements.len());
        let displacement = *self.displacements.get(bucket)?;
        let slot = name_hash::slot(h, displacement, self.slots.len());
        // An empty slot (u16::MAX) is past the end of `by_name`.
        let &(candidate, number) = self.by_name.get(usize::from(*self.slots.get(slot)?))?;
        // Table names are lower case: an exact match is the common case.
        (candidate.as_bytes() == bytes || candidate.eq_ignore_ascii_case(name)).then_some(number)
    }

    /// Like [`number`](Self::number), but also accepts the spellings that
    /// libaudit (audit-userspace) uses where they differ from the kernel's
    /// (for example `pread` for x86_64's `pread64`), so that rule files
    /// written for auditctl keep working. See [`crate::compat`].
    ///
    /// ```
    /// use audit_syscalls::Machine;
    /// let t = Machine::X86_64.syscall_table();
    /// assert_eq!(t.number("pread"), None);
    /// assert_eq!(t.number_or_alias("pread"), Some(17));
    /// ```
    pub fn number_or_alias(&self, name: &str) -> Option<u32> {
        self.number(name)
            .or_else(|| crate::compat::alias_number(self.label, name))
    }

    /// Every `(number, name)` pair in ascending number order.
    ///
    /// ```
    /// use audit_syscalls::Machine;
    /// let first = Machine::Aarch64.syscall_table().iter().next();
    /// assert_eq!(first, Some((0, "io_setup")));
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            table: self,
            front: 0,
            back: self.by_number.len(),
        }
    }

    /// Every `(name, number)` pair sorted by name.
    pub fn iter_by_name(&self) -> impl ExactSizeIterator<Item = (&'static str, u32)> + 'static {
        self.by_name.iter().copied()
    }

    /// How many syscalls the table holds.
    #[inline]
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// True when the table holds no syscall (never the case for the
    /// generated tables; the build fails on an empty selection).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The lowest syscall number in the table.
    pub fn lowest(&self) -> Option<u32> {
        self.iter().next().map(|(n, _)| n)
    }

    /// The highest syscall number in the table (the newest syscall).
    pub fn highest(&self) -> Option<u32> {
        self.iter().next_back().map(|(n, _)| n)
    }

    /// Short name of the table: `"x86_64"`, `"x32"`, `"i386"`, `"arm"`,
    /// `"aarch64"`, `"ppc"`, `"ppc64"`, `"s390"`, `"s390x"`, `"riscv32"`,
    /// `"riscv64"`, `"loongarch32"`, `"loongarch64"`, `"mips o32"`,
    /// `"mips n64"`, `"mips n32"` or `"io_uring"`.
    pub fn label(&self) -> &'static str {
        self.label
    }

    /// The file below `syscall-tables/` the table was generated from.
    pub fn source_file(&self) -> &'static str {
        self.source
    }

    /// The abi column values selected from [`source_file`](Self::source_file),
    /// comma separated (`"*"` = every row).
    pub fn abis(&self) -> &'static str {
        self.abis
    }

    /// The table used for syscalls of records whose `arch=` field is
    /// `audit_arch` (an `AUDIT_ARCH_*` value), or `None` for an architecture
    /// without a table. x32 tasks report `AUDIT_ARCH_X86_64`; use
    /// [`syscall_name`](crate::syscall_name) to resolve their numbers.
    ///
    /// ```
    /// use audit_syscalls::SyscallTable;
    /// let t = SyscallTable::for_audit_arch(0xc000003e).unwrap();
    /// assert_eq!(t.name(59), Some("execve"));
    /// ```
    pub fn for_audit_arch(audit_arch: u32) -> Option<&'static SyscallTable> {
        crate::Machine::from_audit_arch(audit_arch).map(crate::Machine::syscall_table)
    }
}

impl fmt::Debug for SyscallTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyscallTable")
            .field("label", &self.label)
            .field("source", &self.source)
            .field("abis", &self.abis)
            .field("len", &self.len())
            .field("lowest", &self.lowest())
            .field("highest", &self.highest())
            .finish()
    }
}

impl<'a> IntoIterator for &'a SyscallTable {
    type Item = (u32, &'static str);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Iterator over a [`SyscallTable`] in ascending number order, yielding
/// `(number, name)`.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    table: &'a SyscallTable,
    front: usize,
    back: usize,
}

impl Iterator for Iter<'_> {
    type Item = (u32, &'static str);

    fn next(&mut self) -> Option<Self::Item> {
        while self.front < self.back {
            let index = self.front;
            self.front += 1;
            if let Some(name) = self.table.by_number[index] {
                return Some((self.table.base + index as u32, name));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.back - self.front))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        while self.back > self.front {
            self.back -= 1;
            if let Some(name) = self.table.by_number[self.back] {
                return Some((self.table.base + self.back as u32, name));
            }
        }
        None
    }
}

impl FusedIterator for Iter<'_> {}

/// The x32 table (`x86/syscall_64.tbl`, abis `common,x32`, numbers with the
/// `0x40000000` bit set as the kernel reports them under
/// `AUDIT_ARCH_X86_64`).
///
/// ```
/// let t = audit_syscalls::x32_syscall_table();
/// assert_eq!(t.name(0x4000_0000 + 520), Some("execve"));
/// ```
pub fn x32_syscall_table() -> &'static SyscallTable {
    &X32
}

/// The io_uring operations (the kernel's `enum io_uring_op`), as a table:
/// number = `IORING_OP_*` value, name = the enumerator without
/// `IORING_OP_`, in lower case (`openat`, `uring_cmd`, ...).
pub fn io_uring_ops() -> &'static SyscallTable {
    &IO_URING
}

/// The name of io_uring operation `op` (as in `URINGOP` records'
/// `uring_op=` field), e.g. 18 -> `"openat"`.
///
/// ```
/// assert_eq!(audit_syscalls::io_uring_op_name(18), Some("openat"));
/// assert_eq!(audit_syscalls::io_uring_op_name(0), Some("nop"));
/// ```
pub fn io_uring_op_name(op: u32) -> Option<&'static str> {
    IO_URING.name(op)
}

/// The number of the io_uring operation called `name` (ASCII case ignored;
/// a leading `IORING_OP_` is accepted).
///
/// ```
/// assert_eq!(audit_syscalls::io_uring_op_number("connect"), Some(16));
/// assert_eq!(audit_syscalls::io_uring_op_number("IORING_OP_CONNECT"), Some(16));
/// ```
pub fn io_uring_op_number(name: &str) -> Option<u32> {
    let bare = match name.get(..10) {
        Some(prefix) if prefix.eq_ignore_ascii_case("IORING_OP_") => &name[10..],
        _ => name,
    };
    IO_URING.number(bare)
}

/// Resolves syscall `number` of a record whose `arch=` is `audit_arch`.
///
/// Unlike `SyscallTable::for_audit_arch(a)?.name(n)`, this also handles x32
/// tasks, which the kernel reports as `AUDIT_ARCH_X86_64` with the
/// `0x40000000` bit in the syscall number.
///
/// ```
/// use audit_syscalls::syscall_name;
/// assert_eq!(syscall_name(0xc000003e, 59), Some("execve"));
/// assert_eq!(syscall_name(0xc000003e, 0x4000_0000 + 520), Some("execve"));
/// assert_eq!(syscall_name(0x40000003, 11), Some("execve")); // i386
/// ```
pub fn syscall_name(audit_arch: u32, number: u32) -> Option<&'static str> {
    let machine = crate::Machine::from_audit_arch(audit_arch)?;
    if machine == crate::Machine::X86_64 && number & 0x4000_0000 != 0 {
        return X32.name(number);
    }
    machine.syscall_table().name(number)
}
