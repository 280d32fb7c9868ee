//! Lookup speed of the generated syscall tables: number -> name (an array
//! index) and name -> number (binary search over the integer prefixes of a
//! name-sorted array).

use std::hint::black_box;

use audit_syscalls::{syscall_name, Machine};
use criterion::{criterion_group, criterion_main, Criterion};

fn lookups(c: &mut Criterion) {
    let x86_64 = Machine::X86_64.syscall_table();
    let numbers: Vec<u32> = x86_64.iter().map(|(n, _)| n).collect();
    let names: Vec<&str> = x86_64.iter().map(|(_, s)| s).collect();

    c.bench_function("number_to_name/x86_64/all", |b| {
        b.iter(|| {
            for &n in &numbers {
                black_box(x86_64.name(black_box(n)));
            }
        })
    });
    c.bench_function("number_to_name/x86_64/execve", |b| {
        b.iter(|| x86_64.name(black_box(59)))
    });
    c.bench_function("number_to_name/by_audit_arch/execve", |b| {
        b.iter(|| syscall_name(black_box(0xc000_003e), black_box(59)))
    });
    c.bench_function("name_to_number/x86_64/all", |b| {
        b.iter(|| {
            for &s in &names {
                black_box(x86_64.number(black_box(s)));
            }
        })
    });
    c.bench_function("name_to_number/x86_64/execve", |b| {
        b.iter(|| x86_64.number(black_box("execve")))
    });
    c.bench_function("name_to_number/x86_64/miss", |b| {
        b.iter(|| x86_64.number(black_box("no_such_syscall")))
    });
    c.bench_function("name_to_number/x86_64/libaudit_alias", |b| {
        b.iter(|| x86_64.number_or_alias(black_box("pread")))
    });
}

criterion_group!(benches, lookups);
criterion_main!(benches);
