//! Generates the syscall tables from the kernel's `.tbl` files.
//!
//! Input: `syscall-tables/` next to this file (a symbolic link to the
//! workspace's top-level `syscall-tables/` in the repository, a real
//! directory in the packaged crate). Output: `$OUT_DIR/tables.rs`, included
//! by `src/table.rs`. Every input file is declared with
//! `cargo:rerun-if-changed`, so editing a `.tbl` file rebuilds the tables.
//! Also `$OUT_DIR/libaudit.rs`, included by `src/compat.rs`: libaudit
//! 3.0.9's tables, the kernel's with the differences listed in
//! `data/libaudit-3.0.9-syscalls.txt`.
//!
//! The selection rules (which abi column values belong to which audit
//! architecture, and the mips number offsets) are those of
//! `syscall-tables/generic/ABIS.md`.

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[path = "src/libaudit_data.rs"]
mod libaudit_data;
#[path = "src/name_hash.rs"]
mod name_hash;

/// One generated table.
struct Spec {
    /// Rust identifier of the generated `static`.
    ident: &'static str,
    /// Human name of the table (shown by `SyscallTable::name_of_table`).
    label: &'static str,
    /// File below `syscall-tables/`.
    file: &'static str,
    /// Accepted abi column values; `None` takes every row.
    abis: Option<&'static [&'static str]>,
    /// Added to (x32: or-ed into) the number written in the file.
    offset: u32,
}

const SPECS: &[Spec] = &[
    Spec {
        ident: "X86_64",
        label: "x86_64",
        file: "x86/syscall_64.tbl",
        abis: Some(&["common", "64"]),
        offset: 0,
    },
    Spec {
        ident: "X32",
        label: "x32",
        file: "x86/syscall_64.tbl",
        abis: Some(&["common", "x32"]),
        offset: 0x4000_0000,
    },
    Spec {
        ident: "I386",
        label: "i386",
        file: "x86/syscall_32.tbl",
        abis: None,
        offset: 0,
    },
    Spec {
        ident: "ARM",
        label: "arm",
        file: "arm/syscall.tbl",
        abis: Some(&["common", "eabi", "oabi"]),
        offset: 0,
    },
    Spec {
        ident: "AARCH64",
        label: "aarch64",
        file: "generic/syscall.tbl",
        abis: Some(&["common", "64", "renameat", "rlimit", "memfd_secret"]),
        offset: 0,
    },
    Spec {
        ident: "PPC",
        label: "ppc",
        file: "powerpc/syscall.tbl",
        abis: Some(&["common", "nospu", "32"]),
        offset: 0,
    },
    Spec {
        ident: "PPC64",
        label: "ppc64",
        file: "powerpc/syscall.tbl",
        abis: Some(&["common", "nospu", "64"]),
        offset: 0,
    },
    Spec {
        ident: "S390",
        label: "s390",
        file: "s390/syscall-with-compat.tbl",
        abis: Some(&["common", "32"]),
        offset: 0,
    },
    Spec {
        ident: "S390X",
        label: "s390x",
        file: "s390/syscall.tbl",
        abis: None,
        offset: 0,
    },
    Spec {
        ident: "RISCV32",
        label: "riscv32",
        file: "generic/syscall.tbl",
        abis: Some(&["common", "32", "riscv", "memfd_secret"]),
        offset: 0,
    },
    Spec {
        ident: "RISCV64",
        label: "riscv64",
        file: "generic/syscall.tbl",
        abis: Some(&["common", "64", "riscv", "rlimit", "memfd_secret"]),
        offset: 0,
    },
    Spec {
        ident: "LOONGARCH32",
        label: "loongarch32",
        file: "generic/syscall.tbl",
        abis: Some(&["common", "32", "memfd_secret"]),
        offset: 0,
    },
    Spec {
        ident: "LOONGARCH64",
        label: "loongarch64",
        file: "generic/syscall.tbl",
        abis: Some(&["common", "64", "memfd_secret"]),
        offset: 0,
    },
    Spec {
        ident: "MIPS_O32",
        label: "mips o32",
        file: "mips/syscall_o32.tbl",
        abis: None,
        offset: 4000,
    },
    Spec {
        ident: "MIPS_N64",
        label: "mips n64",
        file: "mips/syscall_n64.tbl",
        abis: None,
        offset: 5000,
    },
    Spec {
        ident: "MIPS_N32",
        label: "mips n32",
        file: "mips/syscall_n32.tbl",
        abis: None,
        offset: 6000,
    },
];

const IO_URING_FILE: &str = "io_uring/io_uring_op.h";

/// How libaudit 3.0.9's tables differ from the kernel's (below the crate).
const LIBAUDIT_DATA_FILE: &str = "data/libaudit-3.0.9-syscalls.txt";

/// libaudit 3.0.9's tables, in the order of `compat::LIBAUDIT_MACHINES`:
/// `(libaudit's name of the machine, label of the kernel table it differs
/// from)`. libaudit uses one powerpc table for ppc64 and ppc64le.
const LIBAUDIT_TABLES: &[(&str, &str)] = &[
    ("i386", "i386"),
    ("x86_64", "x86_64"),
    ("armeb", "arm"),
    ("aarch64", "aarch64"),
    ("ppc", "ppc"),
    ("ppc64", "ppc64"),
    ("ppc64le", "ppc64"),
    ("s390", "s390"),
    ("s390x", "s390x"),
];

/// One row of a `.tbl` file.
struct Row {
    line: usize,
    number: u32,
    abi: String,
    name: String,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            // Printed by cargo when the build script fails.
            eprintln!("audit-syscalls build script: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or("CARGO_MANIFEST_DIR is not set")?;
    let out_dir = env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or("OUT_DIR is not set")?;
    let root = manifest_dir.join("syscall-tables");
    if !root.is_dir() {
        return Err(format!(
            "{} is missing: it must be the kernel syscall table directory \
             (in the repository a symbolic link to ../../syscall-tables)",
            root.display()
        ));
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", root.display());

    let mut out = String::new();
    out.push_str("// @generated by audit-syscalls/build.rs from syscall-tables/. Do not edit.\n\n");

    let mut parsed: BTreeMap<&str, Vec<Row>> = BTreeMap::new();
    // Table label -> its names by number, for libaudit's tables.
    let mut kernel: BTreeMap<&str, BTreeMap<u32, String>> = BTreeMap::new();
    for spec in SPECS {
        if !parsed.contains_key(spec.file) {
            let path = root.join(spec.file);
            println!("cargo:rerun-if-changed={}", path.display());
            parsed.insert(spec.file, parse_tbl(&path)?);
        }
        let rows = &parsed[spec.file];
        kernel.insert(spec.label, generate_table(spec, rows, &mut out)?);
    }

    let uring_path = root.join(IO_URING_FILE);
    println!("cargo:rerun-if-changed={}", uring_path.display());
    let ops = parse_io_uring(&uring_path)?;
    generate_io_uring(&ops, &mut out)?;

    let dest = out_dir.join("tables.rs");
    fs::write(&dest, out).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;

    let data_path = manifest_dir.join(LIBAUDIT_DATA_FILE);
    println!("cargo:rerun-if-changed={}", data_path.display());
    let data = fs::read_to_string(&data_path)
        .map_err(|e| format!("cannot read {}: {e}", data_path.display()))?;
    let libaudit = generate_libaudit(&data_path, &data, &kernel)?;
    let dest = out_dir.join("libaudit.rs");
    fs::write(&dest, libaudit).map_err(|e| format!("cannot write {}: {e}", dest.display()))
}

/// What [`is_syscall_name`] refuses, for error messages.
const NAME_RULE: &str = "is empty, longer than 64 bytes or has characters outside [a-z0-9_]";

/// Whether `name` can be a syscall name of the generated tables (and so
/// stands in a Rust string literal as it is).
fn is_syscall_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parses `<number> <abi> <name> [entry points...]` lines; `#` starts a
/// comment; fields are separated by any run of blanks.
fn parse_tbl(path: &Path) -> Result<Vec<Row>, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut rows = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        let content = raw.split('#').next().unwrap_or("");
        let mut fields = content.split_whitespace();
        let Some(number) = fields.next() else {
            continue;
        };
        let (Some(abi), Some(name)) = (fields.next(), fields.next()) else {
            return Err(format!(
                "{}:{line}: expected `<number> <abi> <name>`, found {raw:?}",
                path.display()
            ));
        };
        let number: u32 = number.parse().map_err(|_| {
            format!(
                "{}:{line}: syscall number {number:?} is not a decimal number",
                path.display()
            )
        })?;
        if !is_syscall_name(name) {
            return Err(format!(
                "{}:{line}: syscall name {name:?} {NAME_RULE}",
                path.display()
            ));
        }
        rows.push(Row {
            line,
            number,
            abi: abi.to_owned(),
            name: name.to_owned(),
        });
    }
    Ok(rows)
}

/// Writes one kernel table; returns its names by number.
fn generate_table(
    spec: &Spec,
    rows: &[Row],
    out: &mut String,
) -> Result<BTreeMap<u32, String>, String> {
    // number -> (name, line)
    let mut by_number: BTreeMap<u32, (&str, usize)> = BTreeMap::new();
    for row in rows {
        if let Some(abis) = spec.abis {
            if !abis.contains(&row.abi.as_str()) {
                continue;
            }
        }
        let number = if spec.offset == 0x4000_0000 {
            row.number | spec.offset
        } else {
            row.number.checked_add(spec.offset).ok_or_else(|| {
                format!("{}:{}: number overflows with offset", spec.file, row.line)
            })?
        };
        if let Some((other, other_line)) = by_number.insert(number, (&row.name, row.line)) {
            return Err(format!(
                "{}: table {}: number {} selected twice ({other} on line {other_line}, {} on line {}); \
                 the abi list selects two rows for one number",
                spec.file, spec.label, row.number, row.name, row.line
            ));
        }
    }
    let Some((&last, _)) = by_number.last_key_value() else {
        return Err(format!(
            "{}: table {} is empty (abis {:?})",
            spec.file, spec.label, spec.abis
        ));
    };
    let base = spec.offset;
    let len = (last - base + 1) as usize;

    let mut sorted: Vec<(&str, u32)> = by_number.iter().map(|(&n, &(s, _))| (s, n)).collect();
    sorted.sort_unstable();
    for pair in sorted.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(format!(
                "{}: table {}: name {} has two numbers ({} and {})",
                spec.file, spec.label, pair[0].0, pair[0].1, pair[1].1
            ));
        }
    }

    let id = spec.ident;
    let w = |e: std::fmt::Error| e.to_string();
    writeln!(out, "static {id}_NAMES: [Option<&str>; {len}] = [").map_err(w)?;
    for index in 0..len {
        let number = base + index as u32;
        match by_number.get(&number) {
            Some((name, _)) => writeln!(out, "    Some(\"{name}\"),").map_err(w)?,
            None => writeln!(out, "    None,").map_err(w)?,
        }
    }
    writeln!(out, "];").map_err(w)?;
    writeln!(
        out,
        "static {id}_BY_NAME: [(&str, u32); {}] = [",
        sorted.len()
    )
    .map_err(w)?;
    for (name, number) in &sorted {
        writeln!(out, "    (\"{name}\", {number}),").map_err(w)?;
    }
    writeln!(out, "];").map_err(w)?;
    let names: Vec<&str> = sorted.iter().map(|p| p.0).collect();
    let seed = write_hash(out, id, &names)?;
    let abis = match spec.abis {
        Some(list) => list.join(","),
        None => "*".to_owned(),
    };
    writeln!(
        out,
        "pub(crate) static {id}: SyscallTable = SyscallTable {{\n    \
         label: \"{label}\",\n    source: \"{file}\",\n    abis: \"{abis}\",\n    \
         base: {base},\n    by_number: &{id}_NAMES,\n    by_name: &{id}_BY_NAME,\n    \
         hash_seed: {seed:#x},\n    slots: &{id}_SLOTS,\n    displacements: &{id}_DISPLACEMENTS,\n}};\n",
        label = spec.label,
        file = spec.file,
    )
    .map_err(w)?;
    Ok(by_number
        .into_iter()
        .map(|(number, (name, _))| (number, name.to_owned()))
        .collect())
}

/// Reads the `IORING_OP_*` enumerators in order, up to `IORING_OP_LAST`.
fn parse_io_uring(path: &Path) -> Result<Vec<String>, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let start = text
        .find("enum io_uring_op {")
        .ok_or_else(|| format!("{}: no `enum io_uring_op {{`", path.display()))?;
    let body = &text[start + "enum io_uring_op {".len()..];
    let end = body
        .find("};")
        .ok_or_else(|| format!("{}: enum io_uring_op is not closed", path.display()))?;
    let body = strip_c_comments(&body[..end]);
    let mut ops = Vec::new();
    let mut saw_last = false;
    for item in body.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        if item.contains('=') {
            return Err(format!(
                "{}: enumerator {item:?} has an explicit value; only implicit ones are supported",
                path.display()
            ));
        }
        let Some(op) = item.strip_prefix("IORING_OP_") else {
            return Err(format!(
                "{}: unexpected enumerator {item:?}",
                path.display()
            ));
        };
        if op == "LAST" {
            saw_last = true;
            break;
        }
        if !op
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!("{}: bad enumerator {item:?}", path.display()));
        }
        ops.push(op.to_ascii_lowercase());
    }
    if !saw_last || ops.is_empty() {
        return Err(format!(
            "{}: enum io_uring_op must list operations and end with IORING_OP_LAST",
            path.display()
        ));
    }
    Ok(ops)
}

fn strip_c_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("/*") {
        out.push_str(&rest[..pos]);
        match rest[pos + 2..].find("*/") {
            Some(end) => rest = &rest[pos + 2 + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn generate_io_uring(ops: &[String], out: &mut String) -> Result<(), String> {
    let w = |e: std::fmt::Error| e.to_string();
    writeln!(
        out,
        "static IO_URING_NAMES: [Option<&str>; {}] = [",
        ops.len()
    )
    .map_err(w)?;
    for op in ops {
        writeln!(out, "    Some(\"{op}\"),").map_err(w)?;
    }
    writeln!(out, "];").map_err(w)?;
    let mut sorted: Vec<(&str, u32)> = ops
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u32))
        .collect();
    sorted.sort_unstable();
    for pair in sorted.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(format!("io_uring op {} listed twice", pair[0].0));
        }
    }
    writeln!(
        out,
        "static IO_URING_BY_NAME: [(&str, u32); {}] = [",
        sorted.len()
    )
    .map_err(w)?;
    for (name, number) in &sorted {
        writeln!(out, "    (\"{name}\", {number}),").map_err(w)?;
    }
    writeln!(out, "];").map_err(w)?;
    let names: Vec<&str> = sorted.iter().map(|p| p.0).collect();
    let seed = write_hash(out, "IO_URING", &names)?;
    writeln!(
        out,
        "pub(crate) static IO_URING: SyscallTable = SyscallTable {{\n    \
         label: \"io_uring\",\n    source: \"{IO_URING_FILE}\",\n    abis: \"enum io_uring_op\",\n    \
         base: 0,\n    by_number: &IO_URING_NAMES,\n    by_name: &IO_URING_BY_NAME,\n    \
         hash_seed: {seed:#x},\n    slots: &IO_URING_SLOTS,\n    displacements: &IO_URING_DISPLACEMENTS,\n}};"
    )
    .map_err(w)?;
    Ok(())
}

/// Places every name of a table (in `by_name` order) in a perfect hash
/// table: writes `{id}_SLOTS` (name index per slot, `u16::MAX` = empty) and
/// `{id}_DISPLACEMENTS` (per bucket), and returns the seed of the hash.
fn write_hash(out: &mut String, id: &str, names: &[&str]) -> Result<u64, String> {
    let w = |e: std::fmt::Error| e.to_string();
    let (seed, slots, displacements) = place(names).ok_or_else(|| {
        format!(
            "table {id}: no perfect hash found for its {} names",
            names.len()
        )
    })?;
    writeln!(
        out,
        "static {id}_SLOTS: [u16; {}] = {slots:?};",
        slots.len()
    )
    .map_err(w)?;
    writeln!(
        out,
        "static {id}_DISPLACEMENTS: [u16; {}] = {displacements:?};",
        displacements.len()
    )
    .map_err(w)?;
    Ok(seed)
}

/// Hash and displace: names go to buckets by one part of their hash; the
/// buckets, largest first, each get the smallest displacement that puts all
/// their names in free slots. Tries seeds, then twice the slots.
fn place(names: &[&str]) -> Option<(u64, Vec<u16>, Vec<u16>)> {
    const EMPTY: u16 = u16::MAX;
    if names.len() >= usize::from(EMPTY) {
        return None;
    }
    let mut slot_count = names.len().next_power_of_two();
    while slot_count <= 1 << 16 {
        let bucket_count = (slot_count / 4).max(1);
        'seed: for seed in 0..256u64 {
            let hashes: Vec<u64> = names
                .iter()
                .map(|n| name_hash::hash(n.as_bytes(), seed))
                .collect();
            let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); bucket_count];
            for (index, &h) in hashes.iter().enumerate() {
                buckets[name_hash::bucket(h, bucket_count)].push(index);
            }
            let mut order: Vec<usize> = (0..bucket_count).collect();
            order.sort_by_key(|&b| std::cmp::Reverse(buckets[b].len()));
            let mut slots = vec![EMPTY; slot_count];
            let mut displacements = vec![0u16; bucket_count];
            for b in order {
                let members = &buckets[b];
                if members.is_empty() {
                    break;
                }
                let found = (0..slot_count).find(|&d| {
                    let mut taken: Vec<usize> = Vec::with_capacity(members.len());
                    members.iter().all(|&i| {
                        let s = name_hash::slot(hashes[i], d as u16, slot_count);
                        let free = slots[s] == EMPTY && !taken.contains(&s);
                        taken.push(s);
                        free
                    })
                });
                let Some(d) = found else {
                    continue 'seed;
                };
                displacements[b] = d as u16;
                for &i in members {
                    slots[name_hash::slot(hashes[i], d as u16, slot_count)] = i as u16;
                }
            }
            return Some((seed, slots, displacements));
        }
        slot_count *= 2;
    }
    None
}

/// Writes libaudit 3.0.9's tables (`compat`'s `LIBAUDIT_TABLES`): per
/// machine its names by number (the kernel's, with the data's differences),
/// what `compat::name` answers by number (libaudit's name where it has one,
/// the kernel's elsewhere) and libaudit's own spellings.
fn generate_libaudit(
    path: &Path,
    data: &str,
    kernel: &BTreeMap<&str, BTreeMap<u32, String>>,
) -> Result<String, String> {
    let labels: Vec<&str> = LIBAUDIT_TABLES.iter().map(|t| t.0).collect();
    let diffs = libaudit_data::parse_data(data, &labels)
        .map_err(|bad| format!("{}:{}: line does not parse", path.display(), bad.0))?;
    let w = |e: std::fmt::Error| e.to_string();
    let mut out = String::new();
    out.push_str(&format!(
        "// @generated by audit-syscalls/build.rs from {LIBAUDIT_DATA_FILE}. Do not edit.\n\n"
    ));
    let mut tables = String::new();
    for (&(label, kernel_label), diff) in LIBAUDIT_TABLES.iter().zip(&diffs) {
        let diff = diff
            .as_ref()
            .ok_or_else(|| format!("{}: no lines for {label}", path.display()))?;
        let kernel = kernel
            .get(kernel_label)
            .ok_or_else(|| format!("no kernel table {kernel_label} for libaudit's {label}"))?;
        for &(nr, name) in &diff.names {
            if !is_syscall_name(name) {
                return Err(format!(
                    "{}: {label} {nr}: name {name:?} {NAME_RULE}",
                    path.display()
                ));
            }
        }
        let by_number: Vec<Option<&str>> = (0..=diff.max)
            .map(|nr| {
                if let Some(&(_, name)) = diff.names.iter().find(|(n, _)| *n == nr) {
                    return Some(name);
                }
                if diff.lacks.iter().any(|&(lo, hi)| (lo..=hi).contains(&nr)) {
                    return None;
                }
                kernel.get(&nr).map(String::as_str)
            })
            .collect();
        let kernel_end = kernel.last_key_value().map_or(0, |(&nr, _)| nr + 1);
        let merged: Vec<Option<&str>> = (0..(diff.max + 1).max(kernel_end))
            .map(|nr| {
                by_number
                    .get(nr as usize)
                    .copied()
                    .flatten()
                    .or_else(|| kernel.get(&nr).map(String::as_str))
            })
            .collect();
        let id = label.to_ascii_uppercase();
        for (suffix, names) in [("NAMES", &by_number), ("MERGED", &merged)] {
            writeln!(
                out,
                "static LIBAUDIT_{id}_{suffix}: [Option<&str>; {}] = {names:?};",
                names.len()
            )
            .map_err(w)?;
        }
        let renamed: Vec<(&str, u32)> = diff.names.iter().map(|&(nr, name)| (name, nr)).collect();
        writeln!(
            out,
            "static LIBAUDIT_{id}_RENAMED: [(&str, u32); {}] = {renamed:?};",
            renamed.len()
        )
        .map_err(w)?;
        writeln!(
            tables,
            "    LibauditTable {{\n        label: \"{label}\",\n        \
             by_number: &LIBAUDIT_{id}_NAMES,\n        renamed: &LIBAUDIT_{id}_RENAMED,\n        \
             merged: &LIBAUDIT_{id}_MERGED,\n    }},"
        )
        .map_err(w)?;
    }
    writeln!(
        out,
        "static LIBAUDIT_TABLES: [LibauditTable; {}] = [\n{tables}];",
        LIBAUDIT_TABLES.len()
    )
    .map_err(w)?;
    Ok(out)
}
