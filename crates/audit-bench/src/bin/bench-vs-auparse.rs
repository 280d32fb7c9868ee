//! Compare the speed and memory of our parser with libauparse on one log.
//!
//! Usage: `bench-vs-auparse <LOG> [--c-walker PATH] [--chunk N] [--repeat N] [--give | --pull] [--interpret]`
//!
//! - (a) libauparse: runs the C walker `tests/c/auparse_walk.c` in
//!   `--count` mode (feed API, 64 KiB chunks, every field's name and value
//!   fetched). Without `--c-walker` the program compiles it first with
//!   `cc -O2 ... -lauparse -laudit` into a temporary directory (needs
//!   `apt-get install libauparse-dev libaudit-dev`). Its wall time comes
//!   from the clock, its peak RSS from its own `VmHWM` (`--peak-rss`; the
//!   `maxrss` of `wait4()` would inherit this process's peak through the fork).
//! - (b) ours: in this process, reads the log in the same chunks, feeds
//!   `audit_parse::Parser` and walks every field of every record of every
//!   event, reading the first byte of each name and value as the C walker
//!   does. Events are lent to a closure as they complete
//!   (`Parser::feed_with_ref`, as the C walker's `auparse_feed` callback reads
//!   the parser's state); `--give` hands them over instead (`Parser::feed_with`:
//!   each event is then the closure's to keep), and `--pull` takes them with
//!   `Parser::next_event` after each chunk. Peak RSS is this process's `VmHWM`,
//!   which includes this program's own small baseline.
//! - `--interpret`: both sides also interpret every field (libauparse's
//!   `auparse_interpret_field`; our `Interpreter::interpret_record` with one
//!   reused buffer for the interpretations it has to make, the syscall context
//!   of each record worked out on demand) and read the first byte of each
//!   interpretation. libauparse's feed + walk alone is timed too, and how many
//!   times longer interpreting took is printed: libauparse's interpretation
//!   speed depends on whether the log's ids resolve on this machine (it
//!   caches no failed look-up), and that ratio tells which kind of log this is.
//!
//! It runs both `--repeat` times (default 5), alternating, and prints for each
//! the fastest run's events/s, MB/s and peak RSS, the ratio of the fastest
//! times and of the median times, and a warning if the event/record/field
//! counts differ. The fastest of several runs is the figure least disturbed by
//! other work on a shared machine; the median shows the spread. Build with
//! `--release` and use a large log (see the `gen-log` program).
//!
//! Example:
//! ```text
//! cargo build --release -p audit-bench
//! target/release/gen-log 200 /tmp/big.log
//! target/release/bench-vs-auparse /tmp/big.log
//! ```
use std::fs::File;
use std::hint::black_box;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use audit_interpret::Interpreter;
use audit_parse::{Options, Parser};

#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Counts {
    events: u64,
    records: u64,
    fields: u64,
}

struct Run {
    counts: Counts,
    wall: Duration,
    /// Peak resident set size in KiB.
    max_rss_kib: u64,
}

/// Compiles tests/c/auparse_walk.c into a temporary directory.
fn compile_walker() -> Result<PathBuf, String> {
    let src = audit_bench::workspace_root().join("tests/c/auparse_walk.c");
    let dir = std::env::temp_dir().join(format!("linux-audit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let exe = dir.join("auparse_walk");
    let out = Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&exe)
        .arg(&src)
        .args(["-lauparse", "-laudit"])
        .output()
        .map_err(|e| format!("cannot run cc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "compiling {} failed (apt-get install libauparse-dev libaudit-dev?):\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(exe)
}

fn parse_counts(text: &str) -> Option<Counts> {
    let mut c = Counts::default();
    for word in text.split_whitespace() {
        let (k, v) = word.split_once('=')?;
        let v: u64 = v.parse().ok()?;
        match k {
            "events" => c.events = v,
            "records" => c.records = v,
            "fields" => c.fields = v,
            "peak_rss_kib" => {}
            _ => return None,
        }
    }
    Some(c)
}

/// This process's peak resident set size in KiB (`VmHWM`).
fn peak_rss_kib() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("/proc/self/status: {e}"))?;
    peak_rss_of(&status).ok_or_else(|| "no VmHWM in /proc/self/status".to_string())
}

/// The `VmHWM` of a `/proc/PID/status` text, or the `peak_rss_kib=` the C
/// walker prints.
fn peak_rss_of(text: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let v = l
            .strip_prefix("VmHWM:")
            .or_else(|| l.strip_prefix("peak_rss_kib="))?;
        v.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// Runs the C walker in --count mode.
fn run_c(walker: &Path, log: &Path, chunk: usize, interpret: bool) -> Result<Run, String> {
    let start = Instant::now();
    let out = Command::new(walker)
        .args(["--count", "--peak-rss", "--chunk", &chunk.to_string()])
        .args(interpret.then_some("--interpret"))
        .arg(log)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", walker.display()))?;
    let wall = start.elapsed();
    if !out.status.success() {
        return Err(format!("the C walker failed ({})", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let counts =
        parse_counts(text.trim()).ok_or_else(|| format!("unexpected C walker output {text:?}"))?;
    let max_rss_kib = peak_rss_of(&text)
        .ok_or_else(|| format!("no peak_rss_kib in the C walker's output {text:?}"))?;
    Ok(Run {
        counts,
        wall,
        max_rss_kib,
    })
}

/// How our side takes events from the parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delivery {
    /// `Parser::feed_with_ref`: a closure called with each event as it completes,
    /// borrowed (the default).
    Lend,
    /// `Parser::feed_with`: the same, each event given to the closure.
    Give,
    /// `Parser::feed`, then `Parser::next_event` until none is ready.
    Pull,
}

/// Parses the log in this process and walks every field.
fn run_ours(log: &Path, chunk: usize, delivery: Delivery, interpret: bool) -> Result<Run, String> {
    let start = Instant::now();
    let mut interpreter = interpret.then(Interpreter::new);
    let mut out = Vec::with_capacity(256);
    let mut file = File::open(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut parser = Parser::new(Options::default());
    let mut buf = vec![0u8; chunk];
    let mut c = Counts::default();
    let mut errors = 0u64;
    // As the C walker does: read each field's name and value (their first bytes).
    let mut checksum = 0u64;
    let mut walk = |item: Option<&audit_parse::Event>, c: &mut Counts| {
        let Some(ev) = item else {
            errors += 1;
            return;
        };
        c.events += 1;
        for rec in ev.iter() {
            c.records += 1;
            let (mut fields, mut sum) = (0u64, 0u64);
            if let Some(it) = interpreter.as_mut() {
                it.interpret_record(rec, &mut out, |f, ty, text| {
                    fields += 1;
                    sum += u64::from(f.name().first().copied().unwrap_or(0));
                    sum += u64::from(f.value().first().copied().unwrap_or(0));
                    if ty.is_some() {
                        sum += u64::from(text.first().copied().unwrap_or(0));
                    }
                });
            } else {
                for f in rec.fields() {
                    fields += 1;
                    sum += u64::from(f.name().first().copied().unwrap_or(0));
                    sum += u64::from(f.value().first().copied().unwrap_or(0));
                }
            }
            c.fields += fields;
            checksum += sum;
        }
    };
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading {}: {e}", log.display())),
        };
        match delivery {
            // Events handed to a closure as they complete, as the C walker's
            // auparse_feed callback gets them.
            Delivery::Lend => parser.feed_with_ref(&buf[..n], |item| walk(item.ok(), &mut c)),
            Delivery::Give => parser.feed_with(&buf[..n], |item| walk(item.as_ref().ok(), &mut c)),
            Delivery::Pull => {
                parser.feed(&buf[..n]);
                while let Some(item) = parser.next_event() {
                    walk(item.as_ref().ok(), &mut c);
                }
            }
        }
    }
    parser.flush();
    while let Some(item) = parser.next_event() {
        walk(item.as_ref().ok(), &mut c);
    }
    black_box(checksum);
    let wall = start.elapsed();
    if errors > 0 {
        eprintln!("note: our parser reported {errors} bad lines");
    }
    Ok(Run {
        counts: c,
        wall,
        max_rss_kib: peak_rss_kib()?,
    })
}

fn report(name: &str, r: &Run, bytes: u64) {
    let secs = r.wall.as_secs_f64().max(1e-9);
    println!(
        "{name:<12} {:>10.3} s {:>12.0} events/s {:>9.1} MB/s  peak RSS {:>8} KiB  \
         (events={} records={} fields={})",
        secs,
        r.counts.events as f64 / secs,
        bytes as f64 / 1e6 / secs,
        r.max_rss_kib,
        r.counts.events,
        r.counts.records,
        r.counts.fields
    );
}

fn main() -> ExitCode {
    let mut log: Option<PathBuf> = None;
    let mut walker: Option<PathBuf> = None;
    let mut chunk = 65536usize;
    let mut repeat = 5usize;
    let mut delivery = Delivery::Lend;
    let mut interpret = false;
    let mut args = std::env::args().skip(1);
    let usage = || {
        eprintln!(
            "usage: bench-vs-auparse <LOG> [--c-walker PATH] [--chunk N] [--repeat N] [--give | --pull] [--interpret]"
        );
        ExitCode::from(2)
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--c-walker" => match args.next() {
                Some(p) => walker = Some(PathBuf::from(p)),
                None => return usage(),
            },
            "--chunk" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => chunk = n,
                _ => return usage(),
            },
            "--pull" => delivery = Delivery::Pull,
            "--give" => delivery = Delivery::Give,
            "--interpret" => interpret = true,
            "--repeat" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => repeat = n,
                _ => return usage(),
            },
            _ if log.is_none() && !a.starts_with('-') => log = Some(PathBuf::from(a)),
            _ => return usage(),
        }
    }
    let Some(log) = log else {
        return usage();
    };
    let bytes = match std::fs::metadata(&log) {
        Ok(m) => m.len(),
        Err(e) => {
            eprintln!("bench-vs-auparse: {}: {e}", log.display());
            return ExitCode::FAILURE;
        }
    };
    let compiled = walker.is_none();
    let walker = match walker.map(Ok).unwrap_or_else(compile_walker) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("bench-vs-auparse: {e}");
            return ExitCode::FAILURE;
        }
    };

    let mut c_runs = Vec::new();
    let mut c_plain_runs = Vec::new();
    let mut our_runs = Vec::new();
    let mut failure = None;
    for _ in 0..repeat {
        match run_c(&walker, &log, chunk, interpret) {
            Ok(r) => c_runs.push(r),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        // With --interpret, libauparse's feed + walk alone too: the ratio of the two
        // says what kind of log this is for libauparse (README, Benchmarks).
        if interpret {
            match run_c(&walker, &log, chunk, false) {
                Ok(r) => c_plain_runs.push(r.wall),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        match run_ours(&log, chunk, delivery, interpret) {
            Ok(r) => our_runs.push(r),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if compiled {
        if let Some(dir) = walker.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    if let Some(e) = failure {
        eprintln!("bench-vs-auparse: {e}");
        return ExitCode::FAILURE;
    }
    c_runs.sort_by_key(|r| r.wall);
    our_runs.sort_by_key(|r| r.wall);
    let (c, ours) = (&c_runs[0], &our_runs[0]);
    let median = |runs: &[Run]| runs[runs.len() / 2].wall.as_secs_f64().max(1e-9);
    println!(
        "log: {} ({bytes} bytes), chunk {chunk}, fastest of {repeat} runs each{}",
        log.display(),
        if interpret {
            ", every field interpreted"
        } else {
            ""
        }
    );
    report("libauparse", c, bytes);
    report("audit-parse", ours, bytes);
    println!(
        "time ratio ours/libauparse: {:.3} fastest, {:.3} median (below 1 = we are faster); \
         speed-up {:.1}x fastest, {:.1}x median; RSS ratio: {:.3}",
        ours.wall.as_secs_f64() / c.wall.as_secs_f64().max(1e-9),
        median(&our_runs) / median(&c_runs),
        c.wall.as_secs_f64() / ours.wall.as_secs_f64().max(1e-9),
        median(&c_runs) / median(&our_runs),
        ours.max_rss_kib as f64 / (c.max_rss_kib.max(1) as f64)
    );
    if let Some(plain) = c_plain_runs.iter().min() {
        println!(
            "libauparse feed + walk alone: {:.3} s; interpreting took {:.1}x that \
             (about 2.5x where every id in the log resolves here, more for ids unknown here)",
            plain.as_secs_f64(),
            c.wall.as_secs_f64() / plain.as_secs_f64().max(1e-9)
        );
    }
    if c.counts != ours.counts {
        println!(
            "WARNING: counts differ: libauparse {:?}, ours {:?}",
            c.counts, ours.counts
        );
    }
    ExitCode::SUCCESS
}
