//! Syscall names for rules: the kernel's tables from `audit-syscalls`, seen
//! the way libaudit 3.0.9 (auditctl, ausyscall) sees them.
//!
//! libaudit 3.0.9 keeps its own hand-edited tables. On every architecture it
//! knows (i386, x86_64, arm, aarch64, ppc, ppc64, ppc64le, s390, s390x) they
//! stop at 450, lack some numbers the kernel names (x86_64 335/336
//! `uretprobe`/`uprobe`, ppc 0 `restart_syscall`, about thirty s390 ones, ...)
//! and spell some differently (x86_64 17 `pread`, ppc64 291 `fstatat64`).
//! Those differences are data, `data/libaudit-3.0.9-syscalls.txt` of this
//! crate (derived from `ausyscall ARCH --dump`, see the script beside it):
//! auditctl 3.0.9 rejects `-S uretprobe` and `auditctl -l` prints `-S 335`,
//! and so do [`number`] and [`name`].
//!
//! ```
//! use audit_rules::{syscalls, Machine};
//! assert_eq!(syscalls::number(Machine::X86_64, "uretprobe"), None);
//! assert_eq!(syscalls::name(Machine::X86_64, 335), None);
//! assert_eq!(syscalls::kernel_number(Machine::X86_64, "uretprobe"), Some(335));
//! assert_eq!(syscalls::name(Machine::X86_64, 17), Some("pread"));
//! assert_eq!(syscalls::number(Machine::X86_64, "PREAD"), Some(17));
//! ```

use std::sync::OnceLock;

use audit_syscalls::SyscallTable;

use crate::env::Machine;

/// The highest syscall number libaudit 3.0.9's tables name (on every
/// architecture it knows).
pub const LIBAUDIT_MAX_SYSCALL: u32 = 450;

/// The differences, one line per fact (format in the file's header).
const DATA: &str = include_str!("../data/libaudit-3.0.9-syscalls.txt");

/// How libaudit 3.0.9's table of one machine differs from the kernel's.
#[derive(Debug, Default)]
struct View {
    /// libaudit names no number above this.
    max: u32,
    /// Inclusive ranges of numbers the kernel names and libaudit does not.
    lacks: Vec<(u32, u32)>,
    /// libaudit's own name for these numbers.
    names: Vec<(u32, &'static str)>,
}

/// A bad line of [`DATA`] (only the crate's own tests can see one).
#[derive(Debug, PartialEq, Eq)]
struct BadLine(usize);

fn parse_range(word: &str) -> Option<(u32, u32)> {
    let (lo, hi) = word.split_once('-').unwrap_or((word, word));
    let (lo, hi) = (lo.parse().ok()?, hi.parse().ok()?);
    (lo <= hi).then_some((lo, hi))
}

/// Parses [`DATA`] into one view per machine.
fn parse_data(text: &'static str) -> Result<Vec<(Machine, View)>, BadLine> {
    let mut views: Vec<(Machine, View)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let bad = || BadLine(index + 1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_ascii_whitespace();
        let (Some(arch), Some(kind)) = (words.next(), words.next()) else {
            return Err(bad());
        };
        let machine = Machine::from_name(arch).ok_or_else(bad)?;
        let at = match views.iter().position(|(m, _)| *m == machine) {
            Some(at) => at,
            None => {
                views.push((machine, View::default()));
                views.len() - 1
            }
        };
        let view = &mut views[at].1;
        match kind {
            "max" => {
                view.max = words.next().and_then(|w| w.parse().ok()).ok_or_else(bad)?;
                if words.next().is_some() {
                    return Err(bad());
                }
            }
            "lacks" => {
                for word in words {
                    view.lacks.push(parse_range(word).ok_or_else(bad)?);
                }
            }
            "names" => {
                let (Some(nr), Some(name), None) = (words.next(), words.next(), words.next())
                else {
                    return Err(bad());
                };
                view.names.push((nr.parse().map_err(|_| bad())?, name));
            }
            _ => return Err(bad()),
        }
    }
    Ok(views)
}

fn view(machine: Machine) -> Option<&'static View> {
    static VIEWS: OnceLock<Vec<(Machine, View)>> = OnceLock::new();
    // The data is this crate's own and a unit test checks that it parses.
    VIEWS
        .get_or_init(|| parse_data(DATA).unwrap_or_default())
        .iter()
        .find(|(m, _)| *m == machine)
        .map(|(_, v)| v)
}

fn table(machine: Machine) -> Option<&'static SyscallTable> {
    SyscallTable::for_audit_arch(machine.audit_arch())
}

/// The number of syscall `name` on `machine` as auditctl 3.0.9 knows it
/// (ASCII case ignored): libaudit's names only, so `pread64` is unknown on
/// x86_64 (libaudit calls 17 `pread`) and so is any syscall newer than 3.0.9.
pub fn number(machine: Machine, name: &str) -> Option<u32> {
    let v = view(machine)?;
    if let Some(&(nr, _)) = v.names.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)) {
        return Some(nr);
    }
    let nr = table(machine)?.number(name)?;
    // The kernel's name counts only where libaudit uses it too.
    self::name(machine, nr)
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
        .then_some(nr)
}

/// The number of syscall `name` on `machine` from the kernel's current tables
/// (syscalls newer than auditctl 3.0.9 included), or any of libaudit's
/// names ([`number`]; `audit_syscalls::compat` spellings too).
pub fn kernel_number(machine: Machine, name: &str) -> Option<u32> {
    table(machine)?
        .number_or_alias(name)
        .or_else(|| number(machine, name))
}

/// The kernel's current name of syscall `number` on `machine` (for
/// [`SystemEnv::with_newer_syscalls`](crate::SystemEnv::with_newer_syscalls)).
pub fn kernel_name(machine: Machine, number: u32) -> Option<&'static str> {
    table(machine)?.name(number)
}

/// The name auditctl 3.0.9 prints for syscall `number` on `machine`, or
/// `None` where it prints the number.
pub fn name(machine: Machine, number: u32) -> Option<&'static str> {
    let v = view(machine)?;
    if let Some(&(_, name)) = v.names.iter().find(|(nr, _)| *nr == number) {
        return Some(name);
    }
    if number > v.max || v.lacks.iter().any(|&(lo, hi)| (lo..=hi).contains(&number)) {
        return None;
    }
    table(machine)?.name(number)
}

/// Every `(number, name)` pair libaudit 3.0.9 knows on `machine`, in
/// ascending number order (what `ausyscall ARCH --dump` lists).
pub fn libaudit_pairs(machine: Machine) -> Vec<(u32, &'static str)> {
    let Some(v) = view(machine) else {
        return Vec::new();
    };
    (0..=v.max)
        .filter_map(|nr| name(machine, nr).map(|n| (nr, n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Machine; 9] = [
        Machine::X86,
        Machine::X86_64,
        Machine::Ppc64,
        Machine::Ppc,
        Machine::S390x,
        Machine::S390,
        Machine::Arm,
        Machine::Aarch64,
        Machine::Ppc64le,
    ];

    #[test]
    fn data_parses_and_covers_every_machine() {
        let views = parse_data(DATA).expect("data/libaudit-3.0.9-syscalls.txt parses");
        for m in ALL {
            let v = views.iter().find(|(vm, _)| *vm == m).map(|(_, v)| v);
            assert_eq!(v.map(|v| v.max), Some(LIBAUDIT_MAX_SYSCALL), "{m:?}");
        }
        assert_eq!(views.len(), ALL.len());
    }

    #[test]
    fn bad_data_lines_are_reported() {
        for (text, line) in [
            ("x86_64 max\n", 1),
            ("# c\nx86_64 max 4 5\n", 2),
            ("nosuch max 4\n", 1),
            ("x86_64 lacks 5-3\n", 1),
            ("x86_64 lacks a\n", 1),
            ("x86_64 names 17\n", 1),
            ("x86_64 names x pread\n", 1),
            ("x86_64 names 1 a b\n", 1),
            ("x86_64 bogus 1\n", 1),
            ("x86_64\n", 1),
        ] {
            assert_eq!(parse_data(text).err(), Some(BadLine(line)), "{text:?}");
        }
        let v = parse_data("x86_64 lacks 3 7-9\n").unwrap();
        assert_eq!(v[0].1.lacks, vec![(3, 3), (7, 9)]);
    }

    #[test]
    fn libaudit_view() {
        assert_eq!(number(Machine::X86_64, "OPEN"), Some(2));
        assert_eq!(number(Machine::X86_64, "pread"), Some(17));
        assert_eq!(number(Machine::X86_64, "pread64"), None);
        assert_eq!(kernel_number(Machine::X86_64, "pread64"), Some(17));
        assert_eq!(name(Machine::X86_64, 17), Some("pread"));
        assert_eq!(name(Machine::X86, 219), Some("madvise"));
        assert_eq!(name(Machine::X86, 159), Some("sched_get_priority_max"));
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
