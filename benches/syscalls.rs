//! Syscall lookups, ours against libaudit 3.0.9 (`audit_name_to_syscall`,
//! `audit_syscall_to_name`), in one run, on x86_64's tables.
//!
//! Each comparison group runs the same inputs through every side:
//!
//! * `libaudit`: the C library;
//! * `kernel`: `SyscallTable::number` / `SyscallTable::name` (the
//!   kernel's names);
//! * `libaudit_view`: [`compat::libaudit_number`] / [`compat::libaudit_name`]
//!   (libaudit 3.0.9's names exactly, what the C functions answer);
//! * `compat`: [`compat::number`] / [`compat::name`] (libaudit's names where
//!   it has one, the kernel's elsewhere).
//!
//! Instruction counts (repeatable on a loaded machine): with
//! `SYSCALLS_CALLGRIND=SIDE/LOOKUP` and `SYSCALLS_N=N` set, the binary does
//! N rounds of one lookup and exits instead of benchmarking; run it under
//! `valgrind --tool=callgrind` with N and with 0 and divide the difference.
//! LOOKUP is one of the group names below (`name_to_number/execve`, ...).
//!
//! Needs `apt-get install -y libaudit-dev`.

use std::ffi::{c_char, c_int, CStr, CString};
use std::hint::black_box;

use audit_syscalls::{compat, Machine};
use criterion::{criterion_group, Criterion};

#[link(name = "audit")]
extern "C" {
    fn audit_name_to_syscall(sc: *const c_char, machine: c_int) -> c_int;
    fn audit_syscall_to_name(sc: c_int, machine: c_int) -> *const c_char;
}

/// libaudit's `MACH_86_64`.
const MACH_86_64: c_int = 1;
const MACHINE: Machine = Machine::X86_64;

fn libaudit_number(name: &CStr) -> Option<u32> {
    // SAFETY: `name` is NUL-terminated; libaudit only reads it.
    let nr = unsafe { audit_name_to_syscall(name.as_ptr(), MACH_86_64) };
    u32::try_from(nr).ok()
}

fn libaudit_name(number: u32) -> Option<&'static CStr> {
    let nr = c_int::try_from(number).ok()?;
    // SAFETY: plain lookup; the result is NULL or a static string of
    // libaudit's tables.
    let p = unsafe { audit_syscall_to_name(nr, MACH_86_64) };
    // SAFETY: non-NULL results point into libaudit's static tables.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// The sides of a name -> number comparison.
const NAME_SIDES: [&str; 4] = ["libaudit", "kernel", "libaudit_view", "compat"];

type NumberFn = fn(&str, &CStr) -> Option<u32>;
type NameFn = fn(u32) -> Option<usize>;

/// Each side's name -> number, chosen once per run (an indirect call for
/// every side alike).
fn number_fn(side: &str) -> NumberFn {
    match side {
        "libaudit" => |_, c_name| libaudit_number(c_name),
        "kernel" => |name, _| MACHINE.syscall_table().number(name),
        "libaudit_view" => |name, _| compat::libaudit_number(MACHINE, name),
        _ => |name, _| compat::number(MACHINE, name),
    }
}

/// Each side's number -> name (the name's length, so that no side is
/// optimised to a bare test).
fn name_fn(side: &str) -> NameFn {
    match side {
        "libaudit" => |number| libaudit_name(number).map(|s| s.to_bytes().len()),
        "kernel" => |number| MACHINE.syscall_table().name(number).map(str::len),
        "libaudit_view" => |number| compat::libaudit_name(MACHINE, number).map(str::len),
        _ => |number| compat::name(MACHINE, number).map(str::len),
    }
}

/// Inputs of each name -> number comparison: every name of libaudit's
/// x86_64 table, `execve`, `EXECVE`, `pread` (libaudit's spelling of
/// `pread64`) and a name no table has.
fn name_inputs() -> Vec<(&'static str, Vec<(String, CString)>)> {
    let one = |s: &str| vec![(s.to_owned(), CString::new(s).unwrap())];
    let all = compat::libaudit_pairs(MACHINE)
        .map(|(_, s)| (s.to_owned(), CString::new(s).unwrap()))
        .collect();
    vec![
        ("name_to_number/all", all),
        ("name_to_number/execve", one("execve")),
        ("name_to_number/upper_case", one("EXECVE")),
        ("name_to_number/libaudit_alias", one("pread")),
        ("name_to_number/miss", one("no_such_syscall")),
    ]
}

/// Inputs of each number -> name comparison: every number 0..=450
/// (libaudit 3.0.9's range), 59 (`execve`) and a number no table has.
fn number_inputs() -> Vec<(&'static str, Vec<u32>)> {
    vec![
        (
            "number_to_name/all",
            (0..=compat::LIBAUDIT_MAX_SYSCALL).collect(),
        ),
        ("number_to_name/execve", vec![59]),
        ("number_to_name/miss", vec![1000]),
    ]
}

fn lookups(c: &mut Criterion) {
    for (group_name, inputs) in name_inputs() {
        let mut group = c.benchmark_group(group_name);
        for side in NAME_SIDES {
            let lookup = black_box(number_fn(side));
            group.bench_function(side, |b| {
                b.iter(|| {
                    for (name, c_name) in &inputs {
                        black_box(lookup(
                            black_box(name.as_str()),
                            black_box(c_name.as_c_str()),
                        ));
                    }
                })
            });
        }
        group.finish();
    }
    for (group_name, inputs) in number_inputs() {
        let mut group = c.benchmark_group(group_name);
        for side in NAME_SIDES {
            let lookup = black_box(name_fn(side));
            group.bench_function(side, |b| {
                b.iter(|| {
                    for &number in &inputs {
                        black_box(lookup(black_box(number)));
                    }
                })
            });
        }
        group.finish();
    }
}

/// `SYSCALLS_CALLGRIND=SIDE/GROUP`: N rounds of one comparison's inputs on
/// one side, for instruction counts.
fn callgrind(which: &str, rounds: usize) {
    let (side, lookup) = which
        .split_once('/')
        .unwrap_or_else(|| panic!("SYSCALLS_CALLGRIND={which}: expected SIDE/GROUP"));
    assert!(NAME_SIDES.contains(&side), "unknown side {side}");
    let (number, name) = (black_box(number_fn(side)), black_box(name_fn(side)));
    // Warm libaudit's and our lazily built state outside the counted rounds'
    // difference (it is paid once in both the N and the 0 run).
    black_box(number("execve", c"execve"));
    black_box(name(59));
    if let Some((_, inputs)) = name_inputs().into_iter().find(|(g, _)| *g == lookup) {
        for _ in 0..rounds {
            for (text, c_name) in &inputs {
                black_box(number(
                    black_box(text.as_str()),
                    black_box(c_name.as_c_str()),
                ));
            }
        }
    } else if let Some((_, inputs)) = number_inputs().into_iter().find(|(g, _)| *g == lookup) {
        for _ in 0..rounds {
            for &number in &inputs {
                black_box(name(black_box(number)));
            }
        }
    } else {
        panic!("unknown lookup {lookup}");
    }
}

criterion_group!(benches, lookups);

fn main() {
    if let Ok(which) = std::env::var("SYSCALLS_CALLGRIND") {
        let rounds = std::env::var("SYSCALLS_N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        callgrind(&which, rounds);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
