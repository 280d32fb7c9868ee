//! au2json against laurel on the same log, in one run: CPU seconds (user +
//! system, from `wait4` on each child) and output bytes of each converter,
//! runs alternating so that the machine's load falls on all alike.
//!
//! ```text
//! bench-vs-laurel [--runs N] [--laurel PATH] LOG
//! ```
//!
//! Each run feeds LOG on standard input and counts what comes out on
//! standard output, for:
//! - `laurel` as configured for this: input `stdin`, log to `-` (standard
//!   output), no state file, translations on (`universal`, `user-db`: the
//!   names ENRICHED gives, as au2json interprets), its enrichments as they
//!   come by default (process context from /proc and from earlier events);
//! - `laurel-plain`: the same without enrichments (`[enrich]` all off),
//!   conversion only;
//! - `au2json` (lossless schema, every field interpreted, the normalizer's
//!   view), `au2json --compact` and `au2json --compact --sentence`.
//!
//! au2json is taken from the directory of this program (build both with
//! `cargo build --release -p audit-tools -p audit-bench`);
//! laurel from `--laurel` or `PATH` (`cargo install laurel --locked`).
//! Prints the median CPU time and the output size of each, and their ratio
//! to laurel's.
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

struct Tool {
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    cpu: Vec<f64>,
    bytes: u64,
}

fn main() -> ExitCode {
    let mut runs = 3usize;
    let mut laurel = PathBuf::from("laurel");
    let mut log = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => runs = n,
                _ => return usage("--runs takes a count from 1"),
            },
            "--laurel" => match args.next() {
                Some(p) => laurel = PathBuf::from(p),
                None => return usage("--laurel takes a path"),
            },
            s if s.starts_with('-') => return usage(&format!("unknown option {s}")),
            _ => log = Some(PathBuf::from(a)),
        }
    }
    let Some(log) = log else {
        return usage("no log given");
    };
    match run(&log, runs, &laurel) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-vs-laurel: {e}");
            ExitCode::from(1)
        }
    }
}

fn usage(why: &str) -> ExitCode {
    eprintln!("bench-vs-laurel: {why}\nusage: bench-vs-laurel [--runs N] [--laurel PATH] LOG");
    ExitCode::from(2)
}

/// laurel's configuration: read stdin, write to stdout, keep no state.
fn laurel_config(dir: &Path, enrich: bool) -> String {
    let mut c = format!(
        "directory = \"{}\"\ninput = \"stdin\"\n\n[auditlog]\nfile = \"-\"\n\n\
         [state]\nfile = \"\"\n\n[translate]\nuniversal = true\nuser-db = true\n",
        dir.display()
    );
    if !enrich {
        c.push_str(
            "\n[enrich]\npid = false\nspawned-by = false\nexecve-env = []\ncontainer = false\n\
             systemd = false\nscript = false\nuser-groups = false\n",
        );
    }
    c
}

fn run(log: &Path, runs: usize, laurel: &Path) -> Result<(), String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let au2json = me.with_file_name("au2json");
    if !au2json.is_file() {
        return Err(format!(
            "{} not found: build it (cargo build --release -p audit-tools --bin au2json)",
            au2json.display()
        ));
    }
    let dir = std::env::temp_dir().join(format!("bench-vs-laurel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut tools = Vec::new();
    for (name, enrich) in [("laurel", true), ("laurel-plain", false)] {
        let conf = dir.join(format!("{name}.toml"));
        std::fs::write(&conf, laurel_config(&dir, enrich))
            .map_err(|e| format!("{}: {e}", conf.display()))?;
        tools.push(Tool {
            name,
            program: laurel.to_path_buf(),
            args: vec!["--config".into(), conf.display().to_string()],
            cpu: Vec::new(),
            bytes: 0,
        });
    }
    for (name, args) in [
        ("au2json", &[][..]),
        ("au2json --compact", &["--compact"][..]),
        (
            "au2json --compact --sentence",
            &["--compact", "--sentence"][..],
        ),
    ] {
        tools.push(Tool {
            name,
            program: au2json.clone(),
            args: args.iter().map(|s| s.to_string()).collect(),
            cpu: Vec::new(),
            bytes: 0,
        });
    }
    let size = std::fs::metadata(log)
        .map_err(|e| format!("{}: {e}", log.display()))?
        .len();
    println!(
        "input: {} ({size} bytes), {runs} runs each, alternating",
        log.display()
    );
    for r in 0..runs {
        for t in &mut tools {
            let (cpu, bytes) = measure(&t.program, &t.args, log, &dir)
                .map_err(|e| format!("{} (run {}): {e}", t.name, r + 1))?;
            t.cpu.push(cpu);
            t.bytes = bytes;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (base_cpu, base_bytes) = (median(&tools[0].cpu), tools[0].bytes as f64);
    println!(
        "{:<30} {:>9} {:>14} {:>10} {:>10}",
        "converter", "CPU s", "output bytes", "CPU/laurel", "out/laurel"
    );
    for t in &tools {
        let cpu = median(&t.cpu);
        println!(
            "{:<30} {:>9.2} {:>14} {:>10.2} {:>10.2}",
            t.name,
            cpu,
            t.bytes,
            cpu / base_cpu,
            t.bytes as f64 / base_bytes
        );
    }
    Ok(())
}

/// Runs `program args` with `log` on stdin; its CPU seconds (user + system)
/// and the bytes it wrote to stdout.
// The child is reaped by wait4 (for its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn measure(program: &Path, args: &[String], log: &Path, dir: &Path) -> Result<(f64, u64), String> {
    let input = std::fs::File::open(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(input)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let mut out = child.stdout.take().expect("piped stdout");
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        match out.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes += n as u64,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("reading its output: {e}")),
        }
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on the pid of our own child, not yet waited for, with
    // pointers to live locals; `child` is then dropped without a wait.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    if pid != child.id() as libc::pid_t {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!(
            "{} failed (wait status {status:#x})",
            program.display()
        ));
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((secs(usage.ru_utime) + secs(usage.ru_stime), bytes))
}
