//! Tables against the kernel files they come from, known anchors, the
//! machine/AUDIT_ARCH mapping and b32/b64 resolution.

use std::collections::BTreeMap;
use std::path::PathBuf;

use audit_syscalls::{
    io_uring_op_name, io_uring_op_number, io_uring_ops, resolve_bits, syscall_name,
    x32_syscall_table, ArchError, Bits, Machine, SyscallTable,
};

fn tables_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("syscall-tables")
}

/// An independent reading of a `.tbl` file: `(number, abi, name)` rows.
fn read_tbl(file: &str) -> Vec<(u32, String, String)> {
    let path = tables_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or("");
            let mut f = line.split_whitespace();
            let nr = f.next()?;
            let abi = f.next().expect("abi column");
            let name = f.next().expect("name column");
            Some((
                nr.parse().expect("decimal number"),
                abi.to_owned(),
                name.to_owned(),
            ))
        })
        .collect()
}

/// Rows of `file` whose abi is in `abis` (empty = all), with `offset` added.
fn select(file: &str, abis: &[&str], offset: u32) -> BTreeMap<u32, String> {
    read_tbl(file)
        .into_iter()
        .filter(|(_, abi, _)| abis.is_empty() || abis.contains(&abi.as_str()))
        .map(|(nr, _, name)| (nr + offset, name))
        .collect()
}

/// Every table, with where it must come from.
fn expected_tables() -> Vec<(&'static SyscallTable, &'static str, Vec<&'static str>, u32)> {
    vec![
        (
            Machine::X86_64.syscall_table(),
            "x86/syscall_64.tbl",
            vec!["common", "64"],
            0,
        ),
        (
            x32_syscall_table(),
            "x86/syscall_64.tbl",
            vec!["common", "x32"],
            0x4000_0000,
        ),
        (
            Machine::I386.syscall_table(),
            "x86/syscall_32.tbl",
            vec![],
            0,
        ),
        (
            Machine::Arm.syscall_table(),
            "arm/syscall.tbl",
            vec!["common", "eabi", "oabi"],
            0,
        ),
        (
            Machine::Aarch64.syscall_table(),
            "generic/syscall.tbl",
            vec!["common", "64", "renameat", "rlimit", "memfd_secret"],
            0,
        ),
        (
            Machine::Ppc.syscall_table(),
            "powerpc/syscall.tbl",
            vec!["common", "nospu", "32"],
            0,
        ),
        (
            Machine::Ppc64.syscall_table(),
            "powerpc/syscall.tbl",
            vec!["common", "nospu", "64"],
            0,
        ),
        (
            Machine::S390.syscall_table(),
            "s390/syscall-with-compat.tbl",
            vec!["common", "32"],
            0,
        ),
        (
            Machine::S390x.syscall_table(),
            "s390/syscall.tbl",
            vec![],
            0,
        ),
        (
            Machine::Riscv32.syscall_table(),
            "generic/syscall.tbl",
            vec!["common", "32", "riscv", "memfd_secret"],
            0,
        ),
        (
            Machine::Riscv64.syscall_table(),
            "generic/syscall.tbl",
            vec!["common", "64", "riscv", "rlimit", "memfd_secret"],
            0,
        ),
        (
            Machine::Loongarch32.syscall_table(),
            "generic/syscall.tbl",
            vec!["common", "32", "memfd_secret"],
            0,
        ),
        (
            Machine::Loongarch64.syscall_table(),
            "generic/syscall.tbl",
            vec!["common", "64", "memfd_secret"],
            0,
        ),
        (
            Machine::Mips.syscall_table(),
            "mips/syscall_o32.tbl",
            vec![],
            4000,
        ),
        (
            Machine::Mips64.syscall_table(),
            "mips/syscall_n64.tbl",
            vec![],
            5000,
        ),
        (
            Machine::Mips64N32.syscall_table(),
            "mips/syscall_n32.tbl",
            vec![],
            6000,
        ),
    ]
}

#[test]
fn every_architecture_has_a_non_empty_table() {
    let labels: Vec<&str> = expected_tables().iter().map(|t| t.0.label()).collect();
    assert_eq!(
        labels,
        [
            "x86_64",
            "x32",
            "i386",
            "arm",
            "aarch64",
            "ppc",
            "ppc64",
            "s390",
            "s390x",
            "riscv32",
            "riscv64",
            "loongarch32",
            "loongarch64",
            "mips o32",
            "mips n64",
            "mips n32"
        ]
    );
    assert_eq!(Machine::ALL.len(), 20, "a machine was added or lost");
    for &m in Machine::ALL {
        let t = m.syscall_table();
        assert!(!t.is_empty(), "{m}: empty table");
        assert!(t.len() > 300, "{m}: only {} syscalls", t.len());
        assert!(t.iter().next().is_some(), "{m}: iterator is empty");
    }
    assert_eq!(io_uring_ops().len(), 65);
}

#[test]
fn tables_equal_the_kernel_selection() {
    for (table, file, abis, offset) in expected_tables() {
        let want = select(file, &abis, offset);
        let got: BTreeMap<u32, String> = table.iter().map(|(n, s)| (n, s.to_owned())).collect();
        assert_eq!(got, want, "table {} vs {file} {abis:?}", table.label());
        assert_eq!(table.source_file(), file);
    }
}

#[test]
fn newest_syscall_is_the_highest_selected_row() {
    for (table, file, abis, offset) in expected_tables() {
        let highest_row = read_tbl(file)
            .into_iter()
            .filter(|(_, abi, _)| abis.is_empty() || abis.contains(&abi.as_str()))
            .map(|(nr, _, _)| nr)
            .max()
            .expect("rows");
        let want = if offset == 0x4000_0000 {
            highest_row | offset
        } else {
            highest_row + offset
        };
        assert_eq!(table.highest(), Some(want), "{}", table.label());
    }
    // Linux 7.1's newest syscall, where the table has it.
    for m in [
        Machine::X86_64,
        Machine::I386,
        Machine::Aarch64,
        Machine::S390x,
    ] {
        assert_eq!(m.syscall_table().highest(), Some(471), "{m}");
        assert_eq!(m.syscall_table().name(471), Some("rseq_slice_yield"), "{m}");
    }
    // The 31-bit s390 table ends with the compat layer (6.19, listns).
    assert_eq!(Machine::S390.syscall_table().highest(), Some(470));
}

#[test]
fn known_anchors() {
    let x86_64 = Machine::X86_64.syscall_table();
    assert_eq!(x86_64.number("clone"), Some(56));
    assert_eq!(x86_64.number("execve"), Some(59));
    assert_eq!(x86_64.name(56), Some("clone"));
    assert_eq!(x86_64.name(59), Some("execve"));
    assert_eq!(x86_64.name(0), Some("read"));
    assert_eq!(Machine::I386.syscall_table().number("clone"), Some(120));
    assert_eq!(Machine::I386.syscall_table().number("execve"), Some(11));
    assert_eq!(Machine::S390x.syscall_table().number("clone"), Some(120));
    assert_eq!(Machine::S390.syscall_table().number("clone"), Some(120));
    assert_eq!(Machine::Aarch64.syscall_table().number("execve"), Some(221));
    assert_eq!(Machine::Riscv64.syscall_table().number("execve"), Some(221));
    assert_eq!(
        Machine::Riscv64.syscall_table().number("riscv_hwprobe"),
        Some(258)
    );
    assert_eq!(
        Machine::Aarch64.syscall_table().number("riscv_hwprobe"),
        None
    );
    assert_eq!(Machine::Arm.syscall_table().number("execve"), Some(11));
    assert_eq!(Machine::Ppc.syscall_table().number("execve"), Some(11));
    assert_eq!(Machine::Ppc.syscall_table().name(291), Some("fstatat64"));
    assert_eq!(
        Machine::Ppc64le.syscall_table().name(291),
        Some("newfstatat")
    );
    assert_eq!(Machine::Mipsel.syscall_table().number("execve"), Some(4011));
    assert_eq!(
        Machine::Mipsel64.syscall_table().number("execve"),
        Some(5057)
    );
    assert_eq!(
        Machine::Mips64N32.syscall_table().number("execve"),
        Some(6057)
    );
    // x86_64 excludes the x32-only rows 512..547.
    assert_eq!(x86_64.name(520), None);
    assert_eq!(x32_syscall_table().name(0x4000_0000 + 520), Some("execve"));
    assert_eq!(x32_syscall_table().name(520), None);
    // aarch64 uses the generic 64-bit names.
    assert_eq!(
        Machine::Aarch64.syscall_table().name(79),
        Some("newfstatat")
    );
    assert_eq!(Machine::Aarch64.syscall_table().name(80), Some("fstat"));
    assert_eq!(Machine::Riscv32.syscall_table().name(80), None);
}

#[test]
fn arm_eabi_rows_equal_the_arm64_compat_table() {
    let arm = Machine::Arm.syscall_table();
    let compat = select("arm64/syscall_32.tbl", &["common", "32"], 0);
    for (nr, name) in &compat {
        assert_eq!(arm.name(*nr), Some(name.as_str()), "arm64 compat {nr}");
    }
    let oabi_only = select("arm/syscall.tbl", &["oabi"], 0);
    assert_eq!(arm.len(), compat.len() + oabi_only.len());
}

#[test]
fn both_lookups_agree_with_iteration() {
    let mut all: Vec<&SyscallTable> = expected_tables().into_iter().map(|t| t.0).collect();
    all.push(io_uring_ops());
    for t in all {
        let mut count = 0;
        let mut previous = None;
        for (nr, name) in t.iter() {
            assert!(previous < Some(nr), "{}: not ascending at {nr}", t.label());
            previous = Some(nr);
            assert_eq!(t.name(nr), Some(name));
            assert_eq!(t.number(name), Some(nr), "{}: {name}", t.label());
            assert_eq!(t.number(&name.to_ascii_uppercase()), Some(nr));
            assert_eq!(t.number(&format!("{name}-")), None);
            count += 1;
        }
        assert_eq!(count, t.len());
        assert_eq!(t.iter().rev().count(), t.len());
        assert_eq!(t.iter_by_name().len(), t.len());
        assert_eq!(t.lowest(), t.iter().next().map(|p| p.0));
        assert_eq!(t.number(""), None);
        assert_eq!(t.name(u32::MAX), None);
    }
}

#[test]
fn io_uring_ops_follow_the_kernel_enum() {
    assert_eq!(io_uring_op_name(0), Some("nop"));
    assert_eq!(io_uring_op_name(9), Some("sendmsg"));
    assert_eq!(io_uring_op_name(18), Some("openat"));
    assert_eq!(io_uring_op_name(28), Some("openat2"));
    assert_eq!(io_uring_op_name(46), Some("uring_cmd"));
    assert_eq!(io_uring_op_name(48), Some("sendmsg_zc"));
    assert_eq!(io_uring_op_name(64), Some("uring_cmd128"));
    assert_eq!(io_uring_op_name(65), None);
    assert_eq!(io_uring_op_number("OPENAT"), Some(18));
    assert_eq!(io_uring_op_number("IORING_OP_SENDMSG_ZC"), Some(48));
    assert_eq!(io_uring_op_number("IORING_OP_"), None);
    assert_eq!(io_uring_op_number("é"), None);
    // The data file lists every enumerator; the table must match it.
    let text = std::fs::read_to_string(tables_dir().join("io_uring/io_uring_op.h")).unwrap();
    let listed: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter_map(|w| w.strip_prefix("IORING_OP_"))
        .take_while(|w| *w != "LAST")
        .map(str::to_ascii_lowercase)
        .collect();
    let ours: Vec<String> = io_uring_ops().iter().map(|(_, s)| s.to_owned()).collect();
    assert_eq!(ours, listed);
}

#[test]
fn machines_and_audit_arch_values() {
    // Values computed from audit.h + elf-em.h (syscall-tables/README.md, section 4).
    let expected: &[(Machine, u32)] = &[
        (Machine::I386, 0x4000_0003),
        (Machine::X86_64, 0xc000_003e),
        (Machine::Arm, 0x4000_0028),
        (Machine::Armeb, 0x0000_0028),
        (Machine::Aarch64, 0xc000_00b7),
        (Machine::Ppc, 0x0000_0014),
        (Machine::Ppc64, 0x8000_0015),
        (Machine::Ppc64le, 0xc000_0015),
        (Machine::S390, 0x0000_0016),
        (Machine::S390x, 0x8000_0016),
        (Machine::Riscv32, 0x4000_00f3),
        (Machine::Riscv64, 0xc000_00f3),
        (Machine::Loongarch32, 0x4000_0102),
        (Machine::Loongarch64, 0xc000_0102),
        (Machine::Mips, 0x0000_0008),
        (Machine::Mipsel, 0x4000_0008),
        (Machine::Mips64, 0x8000_0008),
        (Machine::Mipsel64, 0xc000_0008),
        (Machine::Mips64N32, 0xa000_0008),
        (Machine::Mipsel64N32, 0xe000_0008),
    ];
    assert_eq!(expected.len(), Machine::ALL.len());
    for &(m, arch) in expected {
        assert_eq!(m.audit_arch(), arch, "{m}");
        assert_eq!(Machine::from_audit_arch(arch), Some(m));
        assert_eq!(Machine::try_from_audit_arch(arch), Ok(m));
        assert_eq!(m.is_64bit(), arch & 0x8000_0000 != 0);
        assert_eq!(m.name().parse::<Machine>(), Ok(m));
        assert!(std::ptr::eq(
            SyscallTable::for_audit_arch(arch).unwrap(),
            m.syscall_table()
        ));
    }
    assert_eq!(
        Machine::try_from_audit_arch(0xc000_9026),
        Err(ArchError::UnknownAuditArch(0xc000_9026))
    );
    assert_eq!(ArchError::UnknownAuditArch(1).code(), -5);
    assert!(SyscallTable::for_audit_arch(0).is_none());

    // libaudit's machine names.
    for (name, m) in [
        ("i386", Machine::I386),
        ("i486", Machine::I386),
        ("i586", Machine::I386),
        ("i686", Machine::I386),
        ("x86_64", Machine::X86_64),
        ("ppc64", Machine::Ppc64),
        ("ppc64le", Machine::Ppc64le),
        ("ppc", Machine::Ppc),
        ("s390x", Machine::S390x),
        ("s390", Machine::S390),
        ("arm", Machine::Arm),
        ("armeb", Machine::Armeb),
        ("armv5tejl", Machine::Arm),
        ("armv5tel", Machine::Arm),
        ("armv6l", Machine::Arm),
        ("armv7l", Machine::Arm),
        ("armv8l", Machine::Aarch64),
        ("aarch64", Machine::Aarch64),
        ("AARCH64", Machine::Aarch64),
        ("riscv32", Machine::Riscv32),
        ("riscv64", Machine::Riscv64),
        ("loongarch64", Machine::Loongarch64),
    ] {
        assert_eq!(Machine::from_name(name), Some(m), "{name}");
    }
    for bad in [
        "", "ia64", "alpha", "b32", "b64", "x86-64", "i386 ", "sparc",
    ] {
        assert_eq!(Machine::from_name(bad), None, "{bad:?}");
        assert_eq!(
            bad.parse::<Machine>(),
            Err(ArchError::UnknownMachine(bad.to_owned()))
        );
    }
}

#[test]
fn b32_b64_resolution() {
    use Machine::*;
    let b32: &[(Machine, Option<Machine>)] = &[
        (X86_64, Some(I386)),
        (I386, Some(I386)),
        (Ppc64, Some(Ppc)),
        (Ppc, Some(Ppc)),
        (Ppc64le, None),
        (S390x, Some(S390)),
        (S390, Some(S390)),
        (Aarch64, Some(Arm)),
        (Arm, Some(Arm)),
        (Armeb, Some(Armeb)),
        (Riscv64, Some(Riscv32)),
        (Riscv32, Some(Riscv32)),
        (Loongarch64, None),
        (Loongarch32, Some(Loongarch32)),
        (Mips64, Some(Mips)),
        (Mipsel64, Some(Mipsel)),
        (Mips64N32, Some(Mips)),
        (Mipsel64N32, Some(Mipsel)),
        (Mips, Some(Mips)),
        (Mipsel, Some(Mipsel)),
    ];
    let b64: &[(Machine, Option<Machine>)] = &[
        (X86_64, Some(X86_64)),
        (I386, None),
        (Ppc64, Some(Ppc64)),
        (Ppc64le, Some(Ppc64le)),
        (Ppc, None),
        (S390x, Some(S390x)),
        (S390, None),
        (Aarch64, Some(Aarch64)),
        (Arm, None),
        (Armeb, None),
        (Riscv64, Some(Riscv64)),
        (Riscv32, None),
        (Loongarch64, Some(Loongarch64)),
        (Loongarch32, None),
        (Mips64, Some(Mips64)),
        (Mipsel64, Some(Mipsel64)),
        (Mips64N32, Some(Mips64)),
        (Mipsel64N32, Some(Mipsel64)),
        (Mips, None),
        (Mipsel, None),
    ];
    assert_eq!(b32.len(), Machine::ALL.len());
    assert_eq!(b64.len(), Machine::ALL.len());
    for (bits, cases) in [(Bits::B32, b32), (Bits::B64, b64)] {
        for &(machine, want) in cases {
            let got = resolve_bits(bits, machine);
            match want {
                Some(w) => assert_eq!(got, Ok(w), "{bits} on {machine}"),
                None => {
                    let err = got.expect_err("impossible ABI must fail");
                    assert_eq!(err, ArchError::BitsNotSupported { bits, machine });
                    assert_eq!(err.code(), -6);
                }
            }
            // The same through the string form, in both cases.
            let upper = bits.name().to_ascii_uppercase();
            assert_eq!(
                Machine::determine_for(&upper, machine),
                resolve_bits(bits, machine)
            );
        }
    }
}

#[test]
fn determine_names_and_hex_values() {
    let running = Machine::X86_64;
    assert_eq!(Machine::determine_for("i686", running), Ok(Machine::I386));
    assert_eq!(
        Machine::determine_for("c000003e", running),
        Ok(Machine::X86_64)
    );
    assert_eq!(
        Machine::determine_for("0xc00000b7", running),
        Ok(Machine::Aarch64)
    );
    assert_eq!(
        Machine::determine_for("40000003", running),
        Ok(Machine::I386)
    );
    for bad in ["vax", "", "foo", "c0009026", "ffffffffffffffffffff", "b16"] {
        let err = Machine::determine_for(bad, running).unwrap_err();
        assert_eq!(err, ArchError::UnknownMachine(bad.to_owned()), "{bad:?}");
        assert_eq!(err.code(), -4);
        assert!(err.to_string().contains("machine type not found"));
    }
}

#[test]
fn detect_matches_uname() {
    let out = std::process::Command::new("uname")
        .arg("-m")
        .output()
        .expect("run uname -m");
    let uname = String::from_utf8(out.stdout).unwrap();
    let uname = uname.trim();
    match Machine::from_uname(uname) {
        Some(m) => {
            assert_eq!(Machine::detect(), Ok(m));
            assert_eq!(Machine::determine("b64").ok().map(|m| m.is_64bit()), {
                resolve_bits(Bits::B64, m).ok().map(|m| m.is_64bit())
            });
        }
        None => assert_eq!(
            Machine::detect(),
            Err(ArchError::UnknownRunningMachine(uname.to_owned()))
        ),
    }
}

#[test]
fn record_resolution_by_audit_arch() {
    assert_eq!(syscall_name(0xc000_003e, 59), Some("execve"));
    assert_eq!(syscall_name(0xc000_003e, 0x4000_0000), Some("read"));
    assert_eq!(syscall_name(0xc000_003e, 0x4000_0000 + 59), None); // 64-bit-only row
    assert_eq!(syscall_name(0xc000_003e, 0x4000_0000 + 521), Some("ptrace"));
    assert_eq!(syscall_name(0x4000_0003, 0x4000_0000 + 59), None);
    assert_eq!(syscall_name(0x8000_0016, 120), Some("clone"));
    assert_eq!(syscall_name(0xc000_00b7, 221), Some("execve"));
    assert_eq!(syscall_name(0x0000_0008, 4011), Some("execve"));
    assert_eq!(syscall_name(0x1234, 1), None);
}

#[test]
fn libaudit_spellings_resolve_through_aliases() {
    let x86_64 = Machine::X86_64.syscall_table();
    assert_eq!(x86_64.number_or_alias("pread"), Some(17));
    assert_eq!(x86_64.number_or_alias("PWRITE"), Some(18));
    assert_eq!(x86_64.number_or_alias("pread64"), Some(17));
    assert_eq!(Machine::I386.syscall_table().number_or_alias("pread"), None);
    assert_eq!(
        Machine::Ppc64le
            .syscall_table()
            .number_or_alias("perf_counter_open"),
        Some(319)
    );
    // Every alias points at the kernel name's number in that table.
    for &(label, alias, number, kernel) in audit_syscalls::compat::LIBAUDIT_ALIASES {
        let table = Machine::ALL
            .iter()
            .map(|m| m.syscall_table())
            .find(|t| t.label() == label)
            .unwrap_or_else(|| panic!("no table {label}"));
        assert_eq!(table.number(kernel), Some(number), "{label} {kernel}");
        assert_eq!(
            table.number(alias),
            None,
            "{label} {alias} is a kernel name"
        );
        assert_eq!(table.number_or_alias(alias), Some(number));
    }
}
