//! Write a large, synthetic but realistic audit log, for benchmarks.
//!
//! Usage: `gen-log [--in-order] [--unknown-login PERCENT] <size-MB> <output> [TEMPLATE-LOG...]`
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
//! (libauparse's best case). With `--unknown-login PERCENT`, that share of the
//! events (spread evenly) have their login uid (`auid=`, where set) replaced by
//! a uid that no user has on this machine, as in a log read on another machine
//! than the one that wrote it, or after the user was deleted (an ENRICHED
//! record keeps the name the writing machine recorded, `AUID="..."`, as such a
//! log would: only the raw value changes). The output is
//! deterministic: same arguments (and, with `--unknown-login`, the same users
//! on the machine), same bytes.
//!
//! Example: `cargo run --release -p audit-bench --bin gen-log -- 200 /tmp/big.log`
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

/// `tail` with the value of each `auid=` field that is set (not 4294967295)
/// replaced by `uid`; `None` when there is none.
fn with_login_uid(tail: &[u8], uid: u32) -> Option<Vec<u8>> {
    const KEY: &[u8] = b" auid=";
    let mut out = Vec::with_capacity(tail.len() + 8);
    let mut rest = tail;
    let mut changed = false;
    while let Some(at) = rest.windows(KEY.len()).position(|w| w == KEY) {
        let value_start = at + KEY.len();
        let value_len = rest[value_start..]
            .iter()
            .position(|&b| !b.is_ascii_digit())
            .unwrap_or(rest.len() - value_start);
        let value = &rest[value_start..value_start + value_len];
        out.extend_from_slice(&rest[..value_start]);
        if value.is_empty() || value == b"4294967295" {
            out.extend_from_slice(value);
        } else {
            out.extend_from_slice(uid.to_string().as_bytes());
            changed = true;
        }
        rest = &rest[value_start + value_len..];
    }
    out.extend_from_slice(rest);
    changed.then_some(out)
}

/// The first uid from 4000 on that no user has here.
fn unknown_uid() -> u32 {
    (4000..u32::MAX)
        .find(|&uid| audit_nss::user_name(uid).is_none())
        .unwrap_or(u32::MAX - 1)
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

/// Writes `line` with `stamp`, and with the login uids of `foreign` (the line's
/// tail as [`with_login_uid`] made it) when that is given.
fn write_line(
    out: &mut impl Write,
    line: &Line,
    stamp: &[u8],
    foreign: Option<&[u8]>,
) -> io::Result<u64> {
    let tail = foreign.unwrap_or(&line.tail);
    out.write_all(&line.head)?;
    out.write_all(stamp)?;
    out.write_all(tail)?;
    out.write_all(b"\n")?;
    Ok((line.head.len() + stamp.len() + tail.len() + 1) as u64)
}

/// Which events have an unknown login uid, and their lines' tails.
struct UnknownLogin {
    percent: u64,
    /// For each template, for each line, the tail with the unknown uid.
    tails: Vec<Vec<Option<Vec<u8>>>>,
    /// Events written so far.
    events: u64,
}

impl UnknownLogin {
    fn new(templates: &[Template], percent: u64, uid: u32) -> Self {
        let tails = templates
            .iter()
            .map(|t| {
                t.lines
                    .iter()
                    .map(|l| with_login_uid(&l.tail, uid))
                    .collect()
            })
            .collect();
        UnknownLogin {
            percent,
            tails,
            events: 0,
        }
    }

    /// Whether the next event is one of those to change: `percent` of every
    /// hundred events, spread evenly.
    fn next_event(&mut self) -> bool {
        let n = self.events;
        self.events += 1;
        (n * 37) % 100 < self.percent
    }

    /// The changed tail of line `k` of template `t`, if it has one.
    fn tail(&self, t: usize, k: usize) -> Option<&[u8]> {
        self.tails.get(t)?.get(k)?.as_deref()
    }
}

fn generate(
    templates: &[Template],
    size: u64,
    interleave: bool,
    mut unknown: Option<UnknownLogin>,
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
            i
        };
        let ia = pick(&mut rng, &mut next);
        let change_a = unknown.as_mut().is_some_and(UnknownLogin::next_event);
        let stamp_a = clock.stamp(&mut rng);
        // Two events in flight: their records interleave.
        let second = (rng.below(8) == 0 && interleave).then(|| {
            let ib = pick(&mut rng, &mut next);
            let change_b = unknown.as_mut().is_some_and(UnknownLogin::next_event);
            (ib, change_b, clock.stamp(&mut rng))
        });
        // Line `k` of template `t`, changed or not.
        let tail = |t: usize, k: usize, change: bool| {
            unknown
                .as_ref()
                .filter(|_| change)
                .and_then(|u| u.tail(t, k))
        };
        let a = &templates[ia];
        match second {
            Some((ib, change_b, stamp_b)) => {
                let b = &templates[ib];
                let n = a.lines.len().max(b.lines.len());
                for k in 0..n {
                    if let Some(l) = a.lines.get(k) {
                        written += write_line(out, l, &stamp_a, tail(ia, k, change_a))?;
                    }
                    if let Some(l) = b.lines.get(k) {
                        written += write_line(out, l, &stamp_b, tail(ib, k, change_b))?;
                    }
                }
            }
            None => {
                for (k, l) in a.lines.iter().enumerate() {
                    written += write_line(out, l, &stamp_a, tail(ia, k, change_a))?;
                }
            }
        }
    }
    Ok(written)
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        eprintln!(
            "usage: gen-log [--in-order] [--unknown-login PERCENT] <size-MB> <output> [TEMPLATE-LOG...]"
        );
        ExitCode::from(2)
    };
    let mut in_order = false;
    let mut unknown_percent = None;
    loop {
        match args.first().map(String::as_str) {
            Some("--in-order") => {
                in_order = true;
                args.remove(0);
            }
            Some("--unknown-login") => {
                match args.get(1).and_then(|p| p.parse::<u64>().ok()) {
                    Some(p) if p <= 100 => unknown_percent = Some(p),
                    _ => return usage(),
                }
                args.drain(..2);
            }
            _ => break,
        }
    }
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
        let data = audit_bench::workspace_root().join("tests/data");
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
    let unknown = unknown_percent.map(|percent| {
        let uid = unknown_uid();
        eprintln!("gen-log: login uid {uid} (no user here) in {percent}% of the events");
        UnknownLogin::new(&templates, percent, uid)
    });
    let mut out = BufWriter::with_capacity(1 << 20, file);
    match generate(&templates, mb * 1024 * 1024, !in_order, unknown, &mut out)
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
