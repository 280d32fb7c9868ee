//! Bench: a captured log pushed through stdin → plugin runtime → parser → callback,
//! our `audisp-example` against the C one (libauparse's feed API,
//! `tests/c/audisp_example.c`), on the same input, in one run, alternating.
//!
//! ```text
//! cargo build --release --example audisp-example
//! cargo build --release -p audit-bench --bin bench-plugin-vs-c
//! target/release/bench-plugin-vs-c [--input FILE] [--copies N] [--rounds R]
//!                                  [--c PATH] [--ours PATH]
//! ```
//!
//! The input defaults to `tests/data/captured/busy.log` written `--copies` times (20)
//! into one temporary file. The C program is compiled with `cc -O2 ... -lauparse
//! -laudit` (as the differential tests do) unless `--c` names a built one; ours is the
//! `audisp-example` of the same build (`examples/` beside this program) unless `--ours`
//! names it. Each round runs both, the order swapped every round; the CPU of each run
//! is the user + system time of the child (`getrusage(RUSAGE_CHILDREN)` before and
//! after its wait), the wall time is from spawn to exit. Every run's output must equal the C program's byte for byte,
//! or the bench stops with the first difference. The events are counted once, by our
//! parser, so that events/s compare the same work.
//!
//! The machine may be busy: compare the medians, and the CPU rather than the wall.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error>;

struct Args {
    input: Option<PathBuf>,
    copies: usize,
    rounds: usize,
    c: Option<PathBuf>,
    ours: Option<PathBuf>,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut a = Args {
        input: None,
        copies: 20,
        rounds: 7,
        c: None,
        ours: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--input" => a.input = Some(value()?.into()),
            "--copies" => a.copies = value()?.parse()?,
            "--rounds" => a.rounds = value()?.parse::<usize>()?.max(1),
            "--c" => a.c = Some(value()?.into()),
            "--ours" => a.ours = Some(value()?.into()),
            _ => return Err(format!("unknown argument {arg:?}").into()),
        }
    }
    Ok(a)
}

/// User + system CPU of the reaped children so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage writes one `rusage` into the zeroed struct it is given.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru);
        ru
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

struct Run {
    cpu: Duration,
    wall: Duration,
    out: Vec<u8>,
}

fn run(program: &Path, input: &Path) -> Result<Run, BoxError> {
    let before = children_cpu();
    let start = Instant::now();
    let child = Command::new(program)
        .stdin(std::fs::File::open(input)?)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let done = child.wait_with_output()?;
    let wall = start.elapsed();
    if !done.status.success() {
        return Err(format!("{} failed: {}", program.display(), done.status).into());
    }
    Ok(Run {
        cpu: children_cpu().saturating_sub(before),
        wall,
        out: done.stdout,
    })
}

fn compile_c(manifest: &Path) -> Result<PathBuf, BoxError> {
    let dir = std::env::temp_dir().join("bench-plugin-vs-c");
    std::fs::create_dir_all(&dir)?;
    let exe = dir.join("audisp_example");
    let src = manifest.join("tests/c/audisp_example.c");
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let out = Command::new(cc)
        .args(["-O2", "-Wall", "-o"])
        .arg(&exe)
        .arg(&src)
        .args(["-lauparse", "-laudit"])
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "compiling {} failed (needs gcc, libauparse-dev, libaudit-dev):\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(exe)
}

fn count_events(input: &Path) -> Result<u64, BoxError> {
    let data = std::fs::read(input)?;
    let mut parser = audit_parse::Parser::new(audit_parse::Options::default());
    let mut events = 0u64;
    for chunk in data.chunks(8970) {
        parser.feed_with_ref(chunk, |item| events += u64::from(item.is_ok()));
    }
    parser.flush();
    parser.lend_ready(|item| events += u64::from(item.is_ok()));
    Ok(events)
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let line = a
        .iter()
        .zip(b)
        .take_while(|(x, y)| x == y)
        .filter(|(x, _)| **x == b'\n')
        .count();
    let nth = |s: &[u8]| {
        String::from_utf8_lossy(s.split(|&c| c == b'\n').nth(line).unwrap_or(b"<end>")).into_owned()
    };
    format!("line {}: ours {:?}, C {:?}", line + 1, nth(a), nth(b))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), BoxError> {
    let args = parse_args()?;
    let manifest = audit_bench::workspace_root();
    let ours = match args.ours {
        Some(p) => p,
        // The example of the same profile: target/PROFILE/examples/audisp-example.
        None => std::env::current_exe()?
            .with_file_name("examples")
            .join("audisp-example"),
    };
    if !ours.is_file() {
        return Err(format!(
            "{} not found: build it first (cargo build --release --example audisp-example)",
            ours.display()
        )
        .into());
    }
    let c = match args.c {
        Some(p) => p,
        None => compile_c(manifest)?,
    };
    let input = match args.input {
        Some(p) => p,
        None => {
            let log = std::fs::read(manifest.join("tests/data/captured/busy.log"))?;
            let path = std::env::temp_dir().join(format!("bench-plugin-vs-c-{}.log", args.copies));
            let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
            for _ in 0..args.copies {
                f.write_all(&log)?;
            }
            f.flush()?;
            path
        }
    };
    let bytes = std::fs::metadata(&input)?.len();
    let events = count_events(&input)?;
    println!(
        "input {} ({:.1} MB, {events} events); ours {}; C {}",
        input.display(),
        bytes as f64 / 1e6,
        ours.display(),
        c.display()
    );
    let (mut ours_cpu, mut ours_wall, mut c_cpu, mut c_wall) = (vec![], vec![], vec![], vec![]);
    for round in 0..args.rounds {
        let (first, second) = if round % 2 == 0 {
            (&ours, &c)
        } else {
            (&c, &ours)
        };
        let a = run(first, &input)?;
        let b = run(second, &input)?;
        let (o, cr) = if round % 2 == 0 { (a, b) } else { (b, a) };
        if o.out != cr.out {
            return Err(format!(
                "round {round}: outputs differ at {}",
                first_difference(&o.out, &cr.out)
            )
            .into());
        }
        println!(
            "round {round}: ours {:.3} s CPU {:.3} s wall, C {:.3} s CPU {:.3} s wall, \
             output {} bytes equal",
            o.cpu.as_secs_f64(),
            o.wall.as_secs_f64(),
            cr.cpu.as_secs_f64(),
            cr.wall.as_secs_f64(),
            o.out.len()
        );
        ours_cpu.push(o.cpu);
        ours_wall.push(o.wall);
        c_cpu.push(cr.cpu);
        c_wall.push(cr.wall);
    }
    let report = |name: &str, cpu: Duration, wall: Duration| {
        let per_s = events as f64 / cpu.as_secs_f64().max(1e-6);
        println!(
            "{name:5} median CPU {:.3} s ({:.0} events/s of CPU, {:.2} µs CPU/event), \
             median wall {:.3} s",
            cpu.as_secs_f64(),
            per_s,
            cpu.as_secs_f64() * 1e6 / events.max(1) as f64,
            wall.as_secs_f64()
        );
    };
    let (oc, cc) = (median(ours_cpu), median(c_cpu));
    report("ours", oc, median(ours_wall));
    report("C", cc, median(c_wall));
    println!(
        "C / ours CPU: {:.2}x",
        cc.as_secs_f64() / oc.as_secs_f64().max(1e-6)
    );
    Ok(())
}
