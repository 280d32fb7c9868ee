//! Machines (audit architectures), `AUDIT_ARCH_*` values, `b32`/`b64`
//! resolution and detection of the running machine.

use std::fmt;
use std::str::FromStr;

use audit_wire::arch::*;

use crate::table::{self, SyscallTable};

/// An architecture as audit sees it: one `AUDIT_ARCH_*` value, with the
/// syscall table of that ABI.
///
/// | machine | [`name`](Machine::name) | other names accepted by [`from_name`](Machine::from_name) | `AUDIT_ARCH_*` | table |
/// | --- | --- | --- | --- | --- |
/// | `I386` | `i386` | `i486` `i586` `i686` | `I386` 0x40000003 | i386 |
/// | `X86_64` | `x86_64` | | `X86_64` 0xc000003e | x86_64 (x32: [`x32_syscall_table`](crate::x32_syscall_table)) |
/// | `Arm` | `arm` | `armv5tejl` `armv5tel` `armv6l` `armv7l` | `ARM` 0x40000028 | arm (EABI + OABI rows) |
/// | `Armeb` | `armeb` | | `ARMEB` 0x00000028 | arm |
/// | `Aarch64` | `aarch64` | `armv8l` (as libaudit) | `AARCH64` 0xc00000b7 | aarch64 |
/// | `Ppc` | `ppc` | | `PPC` 0x00000014 | ppc |
/// | `Ppc64` | `ppc64` | | `PPC64` 0x80000015 | ppc64 |
/// | `Ppc64le` | `ppc64le` | | `PPC64LE` 0xc0000015 | ppc64 |
/// | `S390` | `s390` | | `S390` 0x00000016 | s390 (31-bit compat) |
/// | `S390x` | `s390x` | | `S390X` 0x80000016 | s390x |
/// | `Riscv32` | `riscv32` | | `RISCV32` 0x400000f3 | riscv32 |
/// | `Riscv64` | `riscv64` | | `RISCV64` 0xc00000f3 | riscv64 |
/// | `Loongarch32` | `loongarch32` | | `LOONGARCH32` 0x40000102 | loongarch32 |
/// | `Loongarch64` | `loongarch64` | | `LOONGARCH64` 0xc0000102 | loongarch64 |
/// | `Mips` | `mips` | | `MIPS` 0x00000008 | mips o32 (4000..) |
/// | `Mipsel` | `mipsel` | | `MIPSEL` 0x40000008 | mips o32 (4000..) |
/// | `Mips64` | `mips64` | | `MIPS64` 0x80000008 | mips n64 (5000..) |
/// | `Mipsel64` | `mips64el` | | `MIPSEL64` 0xc0000008 | mips n64 (5000..) |
/// | `Mips64N32` | `mipsn32` | `mips64n32` | `MIPS64N32` 0xa0000008 | mips n32 (6000..) |
/// | `Mipsel64N32` | `mipsn32el` | `mips64eln32` | `MIPSEL64N32` 0xe0000008 | mips n32 (6000..) |
///
/// Names are matched ignoring ASCII case, as libaudit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Machine {
    /// 32-bit x86.
    I386,
    /// 64-bit x86.
    X86_64,
    /// 32-bit ARM, little endian.
    Arm,
    /// 32-bit ARM, big endian.
    Armeb,
    /// 64-bit ARM.
    Aarch64,
    /// 32-bit PowerPC (big endian).
    Ppc,
    /// 64-bit PowerPC, big endian.
    Ppc64,
    /// 64-bit PowerPC, little endian.
    Ppc64le,
    /// 31-bit s390 (compat tasks on s390x kernels before 6.19).
    S390,
    /// 64-bit s390.
    S390x,
    /// 32-bit RISC-V.
    Riscv32,
    /// 64-bit RISC-V.
    Riscv64,
    /// 32-bit LoongArch.
    Loongarch32,
    /// 64-bit LoongArch.
    Loongarch64,
    /// MIPS o32, big endian.
    Mips,
    /// MIPS o32, little endian.
    Mipsel,
    /// MIPS n64, big endian.
    Mips64,
    /// MIPS n64, little endian.
    Mipsel64,
    /// MIPS n32, big endian.
    Mips64N32,
    /// MIPS n32, little endian.
    Mipsel64N32,
}

/// A word size asked for with `-F arch=b32` / `-F arch=b64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bits {
    /// `b32`: the 32-bit ABI of the machine.
    B32,
    /// `b64`: the 64-bit ABI of the machine.
    B64,
}

impl Bits {
    /// Parses `b32` / `b64` (ASCII case ignored, as auditctl).
    pub fn from_name(name: &str) -> Option<Bits> {
        if name.eq_ignore_ascii_case("b32") {
            Some(Bits::B32)
        } else if name.eq_ignore_ascii_case("b64") {
            Some(Bits::B64)
        } else {
            None
        }
    }

    /// `"b32"` or `"b64"`.
    pub fn name(self) -> &'static str {
        match self {
            Bits::B32 => "b32",
            Bits::B64 => "b64",
        }
    }
}

impl fmt::Display for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an architecture could not be resolved. [`code`](ArchError::code)
/// gives the value libaudit's `audit_determine_machine` returns for the
/// same case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchError {
    /// The name is neither a machine name, `b32`/`b64`, nor the hex value of
    /// a known `AUDIT_ARCH_*` (libaudit: -4, "machine type not found";
    /// auditctl reports it for `-F arch=` as "elf mapping not found").
    #[error("unknown architecture {0:?}: machine type not found")]
    UnknownMachine(String),
    /// No machine has this `AUDIT_ARCH_*` value (libaudit: -5, "elf mapping
    /// not found").
    #[error("unknown AUDIT_ARCH value {0:#x}: elf mapping not found")]
    UnknownAuditArch(u32),
    /// The machine has no ABI of that word size, e.g. `b64` on i386
    /// (libaudit: -6, "requested bit level not supported by machine").
    #[error("{bits} on {machine}: requested bit level not supported by machine")]
    BitsNotSupported {
        /// What was asked for.
        bits: Bits,
        /// The machine it was resolved against.
        machine: Machine,
    },
    /// `uname` reports a machine this crate does not know (libaudit:
    /// `audit_detect_machine` returns -1, so `b32`/`b64` give -4).
    #[error("cannot detect the machine type: uname reports unknown machine {0:?}")]
    UnknownRunningMachine(String),
    /// The `uname` system call failed with this errno.
    #[error("cannot detect the machine type: uname failed with errno {0}")]
    UnameFailed(i32),
}

impl ArchError {
    /// The negative code libaudit's `audit_determine_machine` /
    /// `audit_rule_fieldpair_data` uses for this error: -4 unknown machine,
    /// -5 unknown elf (`AUDIT_ARCH`) value, -6 bit level not supported.
    pub fn code(&self) -> i32 {
        match self {
            ArchError::UnknownMachine(_)
            | ArchError::UnknownRunningMachine(_)
            | ArchError::UnameFailed(_) => -4,
            ArchError::UnknownAuditArch(_) => -5,
            ArchError::BitsNotSupported { .. } => -6,
        }
    }
}

/// Name of each machine, and every name `from_name` accepts.
const NAMES: &[(&str, Machine)] = &[
    ("i386", Machine::I386),
    ("i486", Machine::I386),
    ("i586", Machine::I386),
    ("i686", Machine::I386),
    ("x86_64", Machine::X86_64),
    ("arm", Machine::Arm),
    ("armv5tejl", Machine::Arm),
    ("armv5tel", Machine::Arm),
    ("armv6l", Machine::Arm),
    ("armv7l", Machine::Arm),
    ("armeb", Machine::Armeb),
    ("aarch64", Machine::Aarch64),
    ("armv8l", Machine::Aarch64),
    ("ppc", Machine::Ppc),
    ("ppc64", Machine::Ppc64),
    ("ppc64le", Machine::Ppc64le),
    ("s390", Machine::S390),
    ("s390x", Machine::S390x),
    ("riscv32", Machine::Riscv32),
    ("riscv64", Machine::Riscv64),
    ("loongarch32", Machine::Loongarch32),
    ("loongarch64", Machine::Loongarch64),
    ("mips", Machine::Mips),
    ("mipsel", Machine::Mipsel),
    ("mips64", Machine::Mips64),
    ("mips64el", Machine::Mipsel64),
    ("mipsn32", Machine::Mips64N32),
    ("mips64n32", Machine::Mips64N32),
    ("mipsn32el", Machine::Mipsel64N32),
    ("mips64eln32", Machine::Mipsel64N32),
];

impl Machine {
    /// Every machine, in declaration order.
    pub const ALL: &'static [Machine] = &[
        Machine::I386,
        Machine::X86_64,
        Machine::Arm,
        Machine::Armeb,
        Machine::Aarch64,
        Machine::Ppc,
        Machine::Ppc64,
        Machine::Ppc64le,
        Machine::S390,
        Machine::S390x,
        Machine::Riscv32,
        Machine::Riscv64,
        Machine::Loongarch32,
        Machine::Loongarch64,
        Machine::Mips,
        Machine::Mipsel,
        Machine::Mips64,
        Machine::Mipsel64,
        Machine::Mips64N32,
        Machine::Mipsel64N32,
    ];

    /// The canonical name (first column of the table in [`Machine`]).
    ///
    /// ```
    /// assert_eq!(audit_syscalls::Machine::Ppc64le.name(), "ppc64le");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Machine::I386 => "i386",
            Machine::X86_64 => "x86_64",
            Machine::Arm => "arm",
            Machine::Armeb => "armeb",
            Machine::Aarch64 => "aarch64",
            Machine::Ppc => "ppc",
            Machine::Ppc64 => "ppc64",
            Machine::Ppc64le => "ppc64le",
            Machine::S390 => "s390",
            Machine::S390x => "s390x",
            Machine::Riscv32 => "riscv32",
            Machine::Riscv64 => "riscv64",
            Machine::Loongarch32 => "loongarch32",
            Machine::Loongarch64 => "loongarch64",
            Machine::Mips => "mips",
            Machine::Mipsel => "mipsel",
            Machine::Mips64 => "mips64",
            Machine::Mipsel64 => "mips64el",
            Machine::Mips64N32 => "mipsn32",
            Machine::Mipsel64N32 => "mipsn32el",
        }
    }

    /// The name libaudit 3.0.9's `audit_machine_to_name` gives the machine
    /// (what `ausyscall` prints and `ausearch -i` shows for `arch=`), or
    /// `None` for machines that libaudit does not map. Note that libaudit
    /// calls the little-endian ARM machine (`AUDIT_ARCH_ARM`) `armeb`.
    ///
    /// ```
    /// use audit_syscalls::Machine;
    /// assert_eq!(Machine::Arm.libaudit_name(), Some("armeb"));
    /// assert_eq!(Machine::I386.libaudit_name(), Some("i386"));
    /// assert_eq!(Machine::Riscv64.libaudit_name(), None);
    /// ```
    pub fn libaudit_name(self) -> Option<&'static str> {
        match self {
            Machine::I386 => Some("i386"),
            Machine::X86_64 => Some("x86_64"),
            Machine::Arm => Some("armeb"),
            Machine::Aarch64 => Some("aarch64"),
            Machine::Ppc => Some("ppc"),
            Machine::Ppc64 => Some("ppc64"),
            Machine::Ppc64le => Some("ppc64le"),
            Machine::S390 => Some("s390"),
            Machine::S390x => Some("s390x"),
            _ => None,
        }
    }

    /// The machine called `name` (a uname machine string such as `i686`,
    /// `armv7l`, `x86_64`, or a canonical name; ASCII case ignored). Does
    /// not accept `b32`/`b64` (see [`determine`](Machine::determine)).
    ///
    /// ```
    /// use audit_syscalls::Machine;
    /// assert_eq!(Machine::from_name("i686"), Some(Machine::I386));
    /// assert_eq!(Machine::from_name("armv7l"), Some(Machine::Arm));
    /// assert_eq!(Machine::from_name("X86_64"), Some(Machine::X86_64));
    /// assert_eq!(Machine::from_name("vax"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Machine> {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, m)| m)
    }

    /// The `AUDIT_ARCH_*` value records and rules use for this machine.
    ///
    /// ```
    /// assert_eq!(audit_syscalls::Machine::X86_64.audit_arch(), 0xc000_003e);
    /// ```
    pub fn audit_arch(self) -> u32 {
        match self {
            Machine::I386 => AUDIT_ARCH_I386,
            Machine::X86_64 => AUDIT_ARCH_X86_64,
            Machine::Arm => AUDIT_ARCH_ARM,
            Machine::Armeb => AUDIT_ARCH_ARMEB,
            Machine::Aarch64 => AUDIT_ARCH_AARCH64,
            Machine::Ppc => AUDIT_ARCH_PPC,
            Machine::Ppc64 => AUDIT_ARCH_PPC64,
            Machine::Ppc64le => AUDIT_ARCH_PPC64LE,
            Machine::S390 => AUDIT_ARCH_S390,
            Machine::S390x => AUDIT_ARCH_S390X,
            Machine::Riscv32 => AUDIT_ARCH_RISCV32,
            Machine::Riscv64 => AUDIT_ARCH_RISCV64,
            Machine::Loongarch32 => AUDIT_ARCH_LOONGARCH32,
            Machine::Loongarch64 => AUDIT_ARCH_LOONGARCH64,
            Machine::Mips => AUDIT_ARCH_MIPS,
            Machine::Mipsel => AUDIT_ARCH_MIPSEL,
            Machine::Mips64 => AUDIT_ARCH_MIPS64,
            Machine::Mipsel64 => AUDIT_ARCH_MIPSEL64,
            Machine::Mips64N32 => AUDIT_ARCH_MIPS64N32,
            Machine::Mipsel64N32 => AUDIT_ARCH_MIPSEL64N32,
        }
    }

    /// The machine whose `AUDIT_ARCH_*` value is `audit_arch` (the `arch=`
    /// field of a SYSCALL record, e.g. `c000003e`).
    ///
    /// ```
    /// use audit_syscalls::Machine;
    /// assert_eq!(Machine::from_audit_arch(0xc000003e), Some(Machine::X86_64));
    /// assert_eq!(Machine::from_audit_arch(0x40000003), Some(Machine::I386));
    /// assert_eq!(Machine::from_audit_arch(0xc0009026), None); // alpha
    /// ```
    pub fn from_audit_arch(audit_arch: u32) -> Option<Machine> {
        Machine::ALL
            .iter()
            .copied()
            .find(|m| m.audit_arch() == audit_arch)
    }

    /// Like [`from_audit_arch`](Machine::from_audit_arch) with a typed error.
    pub fn try_from_audit_arch(audit_arch: u32) -> Result<Machine, ArchError> {
        Machine::from_audit_arch(audit_arch).ok_or(ArchError::UnknownAuditArch(audit_arch))
    }

    /// True for 64-bit ABIs (`__AUDIT_ARCH_64BIT` set; mips n32 included,
    /// as the kernel flags it).
    pub fn is_64bit(self) -> bool {
        self.audit_arch() & AUDIT_ARCH_64BIT != 0
    }

    /// True for little-endian machines (`__AUDIT_ARCH_LE` set).
    pub fn is_little_endian(self) -> bool {
        self.audit_arch() & AUDIT_ARCH_LE != 0
    }

    /// The syscall table of this machine.
    ///
    /// ```
    /// use audit_syscalls::Machine;
    /// assert_eq!(Machine::S390x.syscall_table().number("clone"), Some(120));
    /// ```
    pub fn syscall_table(self) -> &'static SyscallTable {
        match self {
            Machine::I386 => &table::I386,
            Machine::X86_64 => &table::X86_64,
            Machine::Arm | Machine::Armeb => &table::ARM,
            Machine::Aarch64 => &table::AARCH64,
            Machine::Ppc => &table::PPC,
            Machine::Ppc64 | Machine::Ppc64le => &table::PPC64,
            Machine::S390 => &table::S390,
            Machine::S390x => &table::S390X,
            Machine::Riscv32 => &table::RISCV32,
            Machine::Riscv64 => &table::RISCV64,
            Machine::Loongarch32 => &table::LOONGARCH32,
            Machine::Loongarch64 => &table::LOONGARCH64,
            Machine::Mips | Machine::Mipsel => &table::MIPS_O32,
            Machine::Mips64 | Machine::Mipsel64 => &table::MIPS_N64,
            Machine::Mips64N32 | Machine::Mipsel64N32 => &table::MIPS_N32,
        }
    }

    /// The machine this program was compiled for (its target architecture
    /// and byte order), known at compile time; `None` for a target no
    /// machine here describes. The machine it runs on can differ (an i386
    /// program on an x86_64 kernel): [`detect`](Machine::detect) asks.
    ///
    /// ```
    /// # #[cfg(target_arch = "x86_64")]
    /// assert_eq!(audit_syscalls::Machine::compiled_for(), Some(audit_syscalls::Machine::X86_64));
    /// ```
    pub const fn compiled_for() -> Option<Machine> {
        let little = cfg!(target_endian = "little");
        if cfg!(target_arch = "x86_64") {
            Some(Machine::X86_64)
        } else if cfg!(target_arch = "x86") {
            Some(Machine::I386)
        } else if cfg!(target_arch = "aarch64") {
            Some(Machine::Aarch64)
        } else if cfg!(target_arch = "arm") {
            Some(if little { Machine::Arm } else { Machine::Armeb })
        } else if cfg!(target_arch = "powerpc64") {
            Some(if little {
                Machine::Ppc64le
            } else {
                Machine::Ppc64
            })
        } else if cfg!(target_arch = "powerpc") {
            Some(Machine::Ppc)
        } else if cfg!(target_arch = "s390x") {
            Some(Machine::S390x)
        } else if cfg!(target_arch = "riscv64") {
            Some(Machine::Riscv64)
        } else if cfg!(target_arch = "riscv32") {
            Some(Machine::Riscv32)
        } else if cfg!(target_arch = "loongarch64") {
            Some(Machine::Loongarch64)
        } else if cfg!(target_arch = "mips") {
            Some(if little {
                Machine::Mipsel
            } else {
                Machine::Mips
            })
        } else if cfg!(target_arch = "mips64") {
            Some(if little {
                Machine::Mipsel64
            } else {
                Machine::Mips64
            })
        } else {
            None
        }
    }

    /// The running machine, from `uname(2)`'s `machine` field (as libaudit's
    /// `audit_detect_machine`). For `mips`/`mips64`, whose uname string does
    /// not tell the byte order, the byte order this program was built for
    /// is used.
    pub fn detect() -> Result<Machine, ArchError> {
        let uname = uname_machine()?;
        Machine::from_uname(&uname).ok_or(ArchError::UnknownRunningMachine(uname))
    }

    /// Maps a uname machine string to a machine (like
    /// [`from_name`](Machine::from_name), but `mips`/`mips64` take the byte
    /// order of the build target).
    pub fn from_uname(uname_machine: &str) -> Option<Machine> {
        let little = cfg!(target_endian = "little");
        match Machine::from_name(uname_machine)? {
            Machine::Mips if little => Some(Machine::Mipsel),
            Machine::Mips64 if little => Some(Machine::Mipsel64),
            m => Some(m),
        }
    }

    /// Resolves an architecture as `auditctl -F arch=...` and libaudit's
    /// `audit_determine_machine` do: `b32`/`b64` against the running machine
    /// ([`detect`](Machine::detect)), a machine name, or the hex value of an
    /// `AUDIT_ARCH_*` (`c000003e`).
    pub fn determine(arch: &str) -> Result<Machine, ArchError> {
        match Bits::from_name(arch) {
            Some(bits) => resolve_bits(bits, Machine::detect()?),
            None => determine_name(arch),
        }
    }

    /// Like [`determine`](Machine::determine), with `b32`/`b64` resolved
    /// against `running` instead of the detected machine.
    ///
    /// ```
    /// use audit_syscalls::{ArchError, Bits, Machine};
    /// assert_eq!(Machine::determine_for("b32", Machine::X86_64), Ok(Machine::I386));
    /// assert_eq!(Machine::determine_for("B64", Machine::S390x), Ok(Machine::S390x));
    /// assert_eq!(Machine::determine_for("c000003e", Machine::Aarch64), Ok(Machine::X86_64));
    /// assert_eq!(
    ///     Machine::determine_for("b64", Machine::I386),
    ///     Err(ArchError::BitsNotSupported { bits: Bits::B64, machine: Machine::I386 })
    /// );
    /// assert_eq!(Machine::determine_for("vax", Machine::I386).unwrap_err().code(), -4);
    /// ```
    pub fn determine_for(arch: &str, running: Machine) -> Result<Machine, ArchError> {
        match Bits::from_name(arch) {
            Some(bits) => resolve_bits(bits, running),
            None => determine_name(arch),
        }
    }
}

/// A machine name, else the hex `AUDIT_ARCH_*` value parsed like C's
/// `strtoul(arch, NULL, 16)`.
fn determine_name(arch: &str) -> Result<Machine, ArchError> {
    if let Some(m) = Machine::from_name(arch) {
        return Ok(m);
    }
    let unknown = || ArchError::UnknownMachine(arch.to_owned());
    let value = parse_c_hex(arch).ok_or_else(unknown)?;
    Machine::from_audit_arch(value).ok_or_else(unknown)
}

/// `strtoul(s, NULL, 16)` truncated to 32 bits; `None` where C sets errno
/// (overflow of `unsigned long`). No digits gives `Some(0)`, as in C.
fn parse_c_hex(s: &str) -> Option<u32> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        i += 1;
    }
    let mut negative = false;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        negative = bytes[i] == b'-';
        i += 1;
    }
    if bytes.get(i) == Some(&b'0')
        && matches!(bytes.get(i + 1), Some(b'x' | b'X'))
        && bytes.get(i + 2).is_some_and(|b| b.is_ascii_hexdigit())
    {
        i += 2;
    }
    let mut value: u64 = 0;
    let mut any = false;
    while let Some(digit) = bytes.get(i).and_then(|b| (*b as char).to_digit(16)) {
        value = value.checked_mul(16)?.checked_add(u64::from(digit))?;
        any = true;
        i += 1;
    }
    if !any {
        return Some(0);
    }
    let value = if negative {
        value.wrapping_neg()
    } else {
        value
    };
    Some(value as u32)
}

/// Resolves `b32`/`b64` against `machine`, as auditctl does for
/// `-F arch=b32` on that machine.
///
/// * `B32`: x86_64 -> i386, ppc64 -> ppc, s390x -> s390, aarch64 -> arm,
///   riscv64 -> riscv32, mips n64/n32 -> mips o32 (same byte order);
///   a 32-bit machine stays itself.
/// * `B64`: a 64-bit machine stays itself; mips n32 -> mips n64.
/// * Everything else is [`ArchError::BitsNotSupported`]: `b64` on any
///   32-bit machine (as libaudit), and `b32` on ppc64le (there is no
///   little-endian 32-bit PowerPC audit arch; libaudit silently returns
///   ppc64le here) and on loongarch64 (its kernel runs no 32-bit tasks).
///
/// ```
/// use audit_syscalls::{resolve_bits, Bits, Machine};
/// assert_eq!(resolve_bits(Bits::B32, Machine::Aarch64), Ok(Machine::Arm));
/// assert_eq!(resolve_bits(Bits::B64, Machine::Ppc64le), Ok(Machine::Ppc64le));
/// assert!(resolve_bits(Bits::B64, Machine::Arm).is_err());
/// ```
pub fn resolve_bits(bits: Bits, machine: Machine) -> Result<Machine, ArchError> {
    use Machine::*;
    let resolved = match (bits, machine) {
        (Bits::B32, X86_64) => Some(I386),
        (Bits::B32, Ppc64) => Some(Ppc),
        (Bits::B32, S390x) => Some(S390),
        (Bits::B32, Aarch64) => Some(Arm),
        (Bits::B32, Riscv64) => Some(Riscv32),
        (Bits::B32, Mips64 | Mips64N32) => Some(Mips),
        (Bits::B32, Mipsel64 | Mipsel64N32) => Some(Mipsel),
        (Bits::B32, Ppc64le | Loongarch64) => None,
        (Bits::B64, Mips64N32) => Some(Mips64),
        (Bits::B64, Mipsel64N32) => Some(Mipsel64),
        (Bits::B32, m) if !m.is_64bit() => Some(m),
        (Bits::B64, m) if m.is_64bit() => Some(m),
        _ => None,
    };
    resolved.ok_or(ArchError::BitsNotSupported { bits, machine })
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Machine {
    type Err = ArchError;

    /// [`Machine::from_name`] with a typed error.
    fn from_str(s: &str) -> Result<Machine, ArchError> {
        Machine::from_name(s).ok_or_else(|| ArchError::UnknownMachine(s.to_owned()))
    }
}

/// The `machine` field of `uname(2)`.
pub(crate) fn uname_machine() -> Result<String, ArchError> {
    // SAFETY: `utsname` is a plain C struct of byte arrays; all-zero is a
    // valid value.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `uts` is a valid, writable `utsname` for the duration of the
    // call; uname writes only inside it.
    let rc = unsafe { libc::uname(&mut uts) };
    if rc != 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(ArchError::UnameFailed(errno));
    }
    let bytes: Vec<u8> = uts
        .machine
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_hex_parsing() {
        assert_eq!(parse_c_hex("c000003e"), Some(0xc000003e));
        assert_eq!(parse_c_hex("0xC000003E"), Some(0xc000003e));
        assert_eq!(parse_c_hex("  c000003exyz"), Some(0xc000003e));
        assert_eq!(parse_c_hex("foo"), Some(0xf));
        assert_eq!(parse_c_hex("xyz"), Some(0));
        assert_eq!(parse_c_hex(""), Some(0));
        assert_eq!(parse_c_hex("0x"), Some(0));
        assert_eq!(parse_c_hex("-1"), Some(u32::MAX));
        assert_eq!(parse_c_hex("fffffffffffffffff"), None);
    }

    #[test]
    fn audit_arch_round_trip() {
        for &m in Machine::ALL {
            assert_eq!(Machine::from_audit_arch(m.audit_arch()), Some(m), "{m}");
            assert_eq!(Machine::from_name(m.name()), Some(m), "{m}");
        }
    }
}
