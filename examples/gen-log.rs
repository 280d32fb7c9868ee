//! Write a large, synthetic but realistic audit log, for benchmarks.
//!
//! Usage: `gen-log [--in-order] <size-MB> <output> [TEMPLATE-LOG...]`
//!
//! The events of the template logs (default: the logs captured from a real
//! kernel and auditd in `tests/data/captured/` plus the audit-userspace test
//! logs in `tests/data/audit-userspace/auparse-test/`) are replayed over and
//! over, each time with a fresh, increasing timestamp and serial, until the
//! output reaches the requested size. The result holds multi-record
//! SYSCALL/EXECVE/CWD/PATH/PROCTITLE events, raw and enriched records (0x1d),
//! `node=` prefixes, user-space records and, for about one event pair in
//! eight, two events whose records are interleaved, as auditd writes them on
//! a busy machine. With `--in-order`, events never interleave: each event's
//! records follow each other, as in the log of a machine that is not busy
//! (libauparse's best case). The output is deterministic: same arguments,
//! same bytes.
//!
//! Example: `cargo run --release --example gen-log -- 200 /tmp/big.log`
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// One record line cut around its `msg=audit(SEC.MSEC:SERIAL)` stamp.
struct Line {
    /// Bytes up to and including `msg=audit(`.
    head: Vec<u8>,
    /// Bytes from the `)` after the serial to the end, without the newline.
    tail: Vec<u8>,
}

/// The records of one template event, in file order.
struct Template {
    lines: Vec<Line>,
}

/// Splits `line` at its time stamp; `None` when it has none (comments,
/// blank lines, records without `msg=audit(...)`).
fn split_stamp(line: &[u8]) -> Option<Line> {
    const KEY: &[u8] = b"msg=audit(";
    let start = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let close = start + line[start..].iter().position(|&b| b == b')')?;
    let stamp = &line[start..close];
    let colon = stamp.iter().position(|&b| b == b':')?;
    let dot = stamp.iter().position(|&b| b == b'.')?;
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if dot > colon
        || !digits(&stamp[..dot])
        || !digits(&stamp[dot + 1..colon])
        || !digits(&stamp[colon + 1..])
    {
        return None;
    }
    Some(Line {
        head: line[..start].to_vec(),
        tail: line[close..].to_vec(),
    })
}

/// Groups the records of `log` into events by their original stamp (and
/// node prefix), keeping the order in which each event first appears.
fn templates_of(log: &[u8]) -> Vec<Template> {
    let mut out: Vec<Template> = Vec::new();
    let mut index: std::collections::HashMap<Vec<u8>, usize> = Default::default();
    for raw in log.split(|&b| b == b'\n') {
        let Some(line) = split_stamp(raw) else {
            continue;
        };
        // The event key: node prefix (if any) and the original stamp.
        let stamp_end = raw.len() - line.tail.len();
        let node_end = raw
            .windows(5)
            .position(|w| w == b"type=")
            .unwrap_or(0)
            .min(line.head.len());
        let mut key = raw[..node_end].to_vec();
        key.extend_from_slice(&raw[line.head.len()..stamp_end]);
        match index.get(&key) {
            Some(&i) => out[i].lines.push(line),
            None => {
                index.insert(key, out.len());
                out.push(Template { lines: vec![line] });
            }
        }
    }
    out
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The output clock: milliseconds since the epoch and the serial counter.
struct Clock {
    millis: u64,
    serial: u64,
}

impl Clock {
    /// A fresh stamp for the next event.
    fn stamp(&mut self, rng: &mut Rng) -> Vec<u8> {
        self.millis += rng.below(4);
        self.serial += 1;
        format!(
            "{}.{:03}:{}",
            self.millis / 1000,
            self.millis % 1000,
            self.serial
        )
        .into_bytes()
    }
}

fn write_line(out: &mut impl Write, line: &Line, stamp: &[u8]) -> io::Result<u64> {
    out.write_all(&line.head)?;
    out.write_all(stamp)?;
    out.write_all(&line.tail)?;
    out.write_all(b"\n")?;
    Ok((line.head.len() + stamp.len() + line.tail.len() + 1) as u64)
}

fn generate(
    templates: &[Template],
    size: u64,
    interleave: bool,
    out: &mut impl Write,
) -> io::Result<u64> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut clock = Clock {
        millis: 1_700_000_000_000,
        serial: 1000,
    };
    let mut written = 0u64;
    let mut next = 0usize;
    while written < size {
        // Mostly walk the templates in order (so every kind of event keeps
        // its share), sometimes jump to a random one.
        let pick = |rng: &mut Rng, next: &mut usize| {
            let i = if rng.below(4) == 0 {
                rng.below(templates.len() as u64) as usize
            } else {
                *next
            };
            *next = (i + 1) % templates.len();
            &templates[i]
        };
        let a = pick(&mut rng, &mut next);
        let stamp_a = clock.stamp(&mut rng);
        if rng.below(8) == 0 && interleave {
            // Two events in flight: interleave their records.
            let b = pick(&mut rng, &mut next);
            let stamp_b = clock.stamp(&mut rng);
            let n = a.lines.len().max(b.lines.len());
            for k in 0..n {
                if let Some(l) = a.lines.get(k) {
                    written += write_line(out, l, &stamp_a)?;
                }
                if let Some(l) = b.lines.get(k) {
                    written += write_line(out, l, &stamp_b)?;
                }
            }
        } else {
            for l in &a.lines {
                written += write_line(out, l, &stamp_a)?;
            }
        }
    }
    Ok(written)
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let in_order = args.first().is_some_and(|a| a == "--in-order");
    if in_order {
        args.remove(0);
    }
    let usage = || {
        eprintln!("usage: gen-log [--in-order] <size-MB> <output> [TEMPLATE-LOG...]");
        ExitCode::from(2)
    };
    if args.len() < 2 {
        return usage();
    }
    let Ok(mb) = args[0].parse::<u64>() else {
        return usage();
    };
    let output = PathBuf::from(&args[1]);
    let sources: Vec<PathBuf> = if args.len() > 2 {
        args[2..].iter().map(PathBuf::from).collect()
    } else {
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        [
            "captured/raw.log",
            "captured/enriched.log",
            "audit-userspace/auparse-test/test.log",
            "audit-userspace/auparse-test/test3.log",
            "audit-userspace/auparse-test/test4.log",
        ]
        .iter()
        .map(|p| data.join(p))
        .collect()
    };

    let mut templates = Vec::new();
    for src in &sources {
        match std::fs::read(src) {
            Ok(log) => templates.extend(templates_of(&log)),
            Err(e) => {
                eprintln!("gen-log: {}: {e}", src.display());
                return ExitCode::FAILURE;
            }
        }
    }
    if templates.is_empty() {
        eprintln!("gen-log: no records with msg=audit(...) in the template logs");
        return ExitCode::FAILURE;
    }

    let file = match File::create(&output) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("gen-log: {}: {e}", output.display());
            return ExitCode::FAILURE;
        }
    };
    let mut out = BufWriter::with_capacity(1 << 20, file);
    match generate(&templates, mb * 1024 * 1024, !in_order, &mut out)
        .and_then(|n| out.flush().map(|_| n))
    {
        Ok(n) => {
            eprintln!(
                "gen-log: wrote {n} bytes from {} template events to {}",
                templates.len(),
                output.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-log: writing {}: {e}", output.display());
            ExitCode::FAILURE
        }
    }
}
