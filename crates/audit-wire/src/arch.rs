//! `AUDIT_ARCH_*` of `<linux/audit.h>`: the value of a rule's `arch` field and
//! of a SYSCALL record's `arch=`, an ELF machine (`EM_*`) with flag bits for
//! the ABI. Only the architectures whose syscall tables this project carries
//! are listed (`audit_syscalls::Machine` maps each to its table).
//!
//! ```
//! use audit_wire::arch::{AUDIT_ARCH_64BIT, AUDIT_ARCH_LE, AUDIT_ARCH_X86_64};
//! assert_eq!(AUDIT_ARCH_X86_64, 0xc000_003e);
//! assert_eq!(AUDIT_ARCH_X86_64 & (AUDIT_ARCH_64BIT | AUDIT_ARCH_LE), 0xc000_0000);
//! ```

/// `__AUDIT_ARCH_64BIT`: the ABI is 64-bit (mips n32 included, as the kernel
/// flags it).
pub const AUDIT_ARCH_64BIT: u32 = 0x8000_0000;
/// `__AUDIT_ARCH_LE`: the ABI is little endian.
pub const AUDIT_ARCH_LE: u32 = 0x4000_0000;
/// `__AUDIT_ARCH_CONVENTION_MIPS64_N32`: mips n32 calling convention.
pub const AUDIT_ARCH_CONVENTION_MIPS64_N32: u32 = 0x2000_0000;

// EM_* values of <linux/elf-em.h>.
const EM_386: u32 = 3;
const EM_MIPS: u32 = 8;
const EM_PPC: u32 = 20;
const EM_PPC64: u32 = 21;
const EM_S390: u32 = 22;
const EM_ARM: u32 = 40;
const EM_X86_64: u32 = 62;
const EM_AARCH64: u32 = 183;
const EM_RISCV: u32 = 243;
const EM_LOONGARCH: u32 = 258;

const B64: u32 = AUDIT_ARCH_64BIT;
const LE: u32 = AUDIT_ARCH_LE;
const N32: u32 = AUDIT_ARCH_CONVENTION_MIPS64_N32;

/// `AUDIT_ARCH_I386` (0x40000003).
pub const AUDIT_ARCH_I386: u32 = EM_386 | LE;
/// `AUDIT_ARCH_X86_64` (0xc000003e; x32 tasks use it too).
pub const AUDIT_ARCH_X86_64: u32 = EM_X86_64 | B64 | LE;
/// `AUDIT_ARCH_ARM` (0x40000028, little endian).
pub const AUDIT_ARCH_ARM: u32 = EM_ARM | LE;
/// `AUDIT_ARCH_ARMEB` (0x28, big endian).
pub const AUDIT_ARCH_ARMEB: u32 = EM_ARM;
/// `AUDIT_ARCH_AARCH64` (0xc00000b7).
pub const AUDIT_ARCH_AARCH64: u32 = EM_AARCH64 | B64 | LE;
/// `AUDIT_ARCH_PPC` (0x14).
pub const AUDIT_ARCH_PPC: u32 = EM_PPC;
/// `AUDIT_ARCH_PPC64` (0x80000015).
pub const AUDIT_ARCH_PPC64: u32 = EM_PPC64 | B64;
/// `AUDIT_ARCH_PPC64LE` (0xc0000015).
pub const AUDIT_ARCH_PPC64LE: u32 = EM_PPC64 | B64 | LE;
/// `AUDIT_ARCH_S390` (0x16, 31-bit).
pub const AUDIT_ARCH_S390: u32 = EM_S390;
/// `AUDIT_ARCH_S390X` (0x80000016).
pub const AUDIT_ARCH_S390X: u32 = EM_S390 | B64;
/// `AUDIT_ARCH_RISCV32` (0x400000f3).
pub const AUDIT_ARCH_RISCV32: u32 = EM_RISCV | LE;
/// `AUDIT_ARCH_RISCV64` (0xc00000f3).
pub const AUDIT_ARCH_RISCV64: u32 = EM_RISCV | B64 | LE;
/// `AUDIT_ARCH_LOONGARCH32` (0x40000102).
pub const AUDIT_ARCH_LOONGARCH32: u32 = EM_LOONGARCH | LE;
/// `AUDIT_ARCH_LOONGARCH64` (0xc0000102).
pub const AUDIT_ARCH_LOONGARCH64: u32 = EM_LOONGARCH | B64 | LE;
/// `AUDIT_ARCH_MIPS` (0x8, o32 big endian).
pub const AUDIT_ARCH_MIPS: u32 = EM_MIPS;
/// `AUDIT_ARCH_MIPSEL` (0x40000008, o32 little endian).
pub const AUDIT_ARCH_MIPSEL: u32 = EM_MIPS | LE;
/// `AUDIT_ARCH_MIPS64` (0x80000008, n64 big endian).
pub const AUDIT_ARCH_MIPS64: u32 = EM_MIPS | B64;
/// `AUDIT_ARCH_MIPSEL64` (0xc0000008, n64 little endian).
pub const AUDIT_ARCH_MIPSEL64: u32 = EM_MIPS | B64 | LE;
/// `AUDIT_ARCH_MIPS64N32` (0xa0000008, n32 big endian).
pub const AUDIT_ARCH_MIPS64N32: u32 = EM_MIPS | B64 | N32;
/// `AUDIT_ARCH_MIPSEL64N32` (0xe0000008, n32 little endian).
pub const AUDIT_ARCH_MIPSEL64N32: u32 = EM_MIPS | B64 | LE | N32;
