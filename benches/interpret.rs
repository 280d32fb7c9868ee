//! Interpreting every field of a log: libauparse 3.0.9 (`auparse_interpret_field`
//! over a buffer source) against audit_parse + audit_interpret, in one run.
//!
//! The input is every log under `tests/data` plus our edge-value log, repeated
//! to about 16 MB. Both sides parse the text into events and interpret every
//! field with libauparse's default (tty) escaping; throughput is in input bytes.
//! Set `INTERPRET_BENCH_LOG=/path/to/audit.log` to measure a real log instead.
//!
//! Needs `apt-get install -y libauparse-dev`.

use audit_interpret::Interpreter;
use audit_parse::{Options, Parser};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::Path;

#[link(name = "auparse")]
extern "C" {
    fn auparse_init(source: c_int, b: *const c_void) -> *mut c_void;
    fn auparse_next_event(au: *mut c_void) -> c_int;
    fn auparse_first_record(au: *mut c_void) -> c_int;
    fn auparse_next_record(au: *mut c_void) -> c_int;
    fn auparse_first_field(au: *mut c_void) -> c_int;
    fn auparse_next_field(au: *mut c_void) -> c_int;
    fn auparse_interpret_field(au: *mut c_void) -> *const c_char;
    fn auparse_destroy(au: *mut c_void);
}

const AUSOURCE_BUFFER: c_int = 3;

fn input() -> Vec<u8> {
    if let Ok(p) = std::env::var("INTERPRET_BENCH_LOG") {
        return std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut stack = vec![root.join("tests/data"), root.join("tests/interpret_data")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(p.extension().and_then(|x| x.to_str()), Some("log" | "txt")) {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut one = Vec::new();
    for f in files {
        let mut d = std::fs::read(f).unwrap();
        // Whole lines only, each file ending in a newline; no NUL bytes (C string).
        d.retain(|&b| b != 0);
        if !d.ends_with(b"\n") {
            d.push(b'\n');
        }
        one.extend_from_slice(&d);
    }
    let mut all = Vec::with_capacity(16 << 20);
    while all.len() < 16 << 20 {
        all.extend_from_slice(&one);
    }
    all
}

fn libauparse(text: &CStr) -> u64 {
    let mut sum = 0u64;
    // SAFETY: `text` is a NUL-terminated buffer that outlives the parser; the
    // handle is only used between init and destroy, and the returned strings
    // are read before the next call.
    unsafe {
        let au = auparse_init(AUSOURCE_BUFFER, text.as_ptr().cast());
        assert!(!au.is_null());
        while auparse_next_event(au) > 0 {
            if auparse_first_record(au) <= 0 {
                continue;
            }
            loop {
                if auparse_first_field(au) > 0 {
                    loop {
                        let s = auparse_interpret_field(au);
                        if !s.is_null() {
                            sum += u64::from(*s.cast::<u8>());
                        }
                        if auparse_next_field(au) <= 0 {
                            break;
                        }
                    }
                }
                if auparse_next_record(au) <= 0 {
                    break;
                }
            }
        }
        auparse_destroy(au);
    }
    sum
}

fn ours(text: &[u8], it: &mut Interpreter) -> u64 {
    let mut sum = 0u64;
    let mut buf = Vec::with_capacity(256);
    let mut parser = Parser::new(Options::default());
    // Events lent to a closure as they complete (as libauparse's feed callback).
    let mut each = |item: audit_parse::ItemRef<'_>| {
        let Ok(ev) = item else { return };
        for rec in ev.iter() {
            it.interpret_record(rec, &mut buf, |_, ty, text| {
                if ty.is_some() {
                    sum += u64::from(text.first().copied().unwrap_or(0));
                }
            });
        }
    };
    for chunk in text.chunks(1 << 16) {
        parser.feed_with_ref(chunk, &mut each);
    }
    parser.flush();
    parser.lend_ready(&mut each);
    sum
}

fn bench(c: &mut Criterion) {
    let data = input();
    let ctext = CString::new(data.clone()).expect("no NUL bytes");
    let mut g = c.benchmark_group("interpret_every_field");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    g.bench_function("libauparse", |b| b.iter(|| libauparse(&ctext)));
    let mut it = Interpreter::new();
    g.bench_function("audit_interpret", |b| b.iter(|| ours(&data, &mut it)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
