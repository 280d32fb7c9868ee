//! The C reference programs and the differential comparison of outputs.
//!
//! [`c_program`] compiles a program of the workspace's `tests/c` against the installed
//! libauparse and libaudit; [`run`] runs a program (ours or the reference) and returns
//! its standard output; [`first_difference`] says where two outputs part, for an
//! assertion's message; [`ausyscall_dump`] reads the reference syscall tables.
//!
//! ```no_run
//! use audit_testlock::reference::{c_program, first_difference, run};
//! let walker = c_program("auparse_walk");
//! let expected = run(&walker, &["tests/data/captured/raw.log"], None);
//! let ours = run("target/debug/auparse-walk".as_ref(), &["tests/data/captured/raw.log"], None);
//! assert!(first_difference(&expected, &ours).is_none());
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The workspace's root directory (the root package's, which holds `tests/`): the
/// same for the tests of every package, since this crate is compiled from the
/// workspace it lives in.
pub fn workspace_dir() -> &'static Path {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|dir| dir.join("tests").join("c").is_dir())
        .unwrap_or(here)
}

/// Where the C programs are compiled: `TARGET/tmp/c-bin`, `TARGET` being the cargo
/// target directory that holds the running test (found from the test executable's
/// path, `TARGET/<profile>/deps/<test>-<hash>`, by cargo's `CACHEDIR.TAG`), so that
/// every test binary of one target directory shares one build; the system's temporary
/// directory when the test runs from elsewhere.
fn c_bin_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|dir| dir.join("CACHEDIR.TAG").is_file())
                .map(|target| target.join("tmp"))
        })
        .unwrap_or_else(std::env::temp_dir)
        .join("c-bin")
}

/// Compiles `tests/c/<name>.c` of the workspace with `cc -O2 ... -lauparse -laudit`
/// (into `TARGET/tmp/c-bin/<name>`) and returns the executable's path.
///
/// Each program is compiled at most once per test binary, even when several tests
/// ask for it at the same time.
///
/// # Panics
/// With an installation hint when the compiler or the libauparse/libaudit headers
/// are missing, and with the compiler's messages when compiling fails.
pub fn c_program(name: &str) -> PathBuf {
    static BUILT: BuildOnce = BuildOnce::new();
    BUILT.path(name, compile_c)
}

/// Executables a test binary builds at most once each, by name, even when several
/// tests ask for one at the same time: the memory of [`c_program`], and of the root
/// package's example builds.
#[derive(Debug, Default)]
pub struct BuildOnce(OnceLock<Mutex<HashMap<String, PathBuf>>>);

impl BuildOnce {
    /// Nothing built yet.
    pub const fn new() -> Self {
        BuildOnce(OnceLock::new())
    }

    /// The path of `name`, built with `build` on the first call for it.
    pub fn path(&self, name: &str, build: impl FnOnce(&str) -> PathBuf) -> PathBuf {
        let map = self.0.get_or_init(|| Mutex::new(HashMap::new()));
        // A failed build panics while holding the lock; it records nothing, so
        // later callers try again and report their own error.
        let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = map.get(name) {
            return p.clone();
        }
        let path = build(name);
        map.insert(name.to_owned(), path.clone());
        path
    }
}

fn compile_c(name: &str) -> PathBuf {
    const HINT: &str = "the reference programs need a C compiler and the libauparse and \
                        libaudit development files: `apt-get install -y gcc libauparse-dev \
                        libaudit-dev` (Debian/Ubuntu)";
    let src = workspace_dir()
        .join("tests")
        .join("c")
        .join(format!("{name}.c"));
    assert!(
        src.is_file(),
        "C reference program {} does not exist",
        src.display()
    );
    let out_dir = c_bin_dir();
    std::fs::create_dir_all(&out_dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", out_dir.display()));
    let exe = out_dir.join(name);
    // Build under a private name, then rename: several test binaries may
    // compile the same program at the same time.
    let tmp = out_dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let output = Command::new(&cc)
        .args(["-O2", "-Wall", "-o"])
        .arg(&tmp)
        .arg(&src)
        .args(["-lauparse", "-laudit"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {cc:?}: {e}; {HINT}"));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let missing = stderr.contains("auparse.h")
            || stderr.contains("libaudit.h")
            || stderr.contains("-lauparse")
            || stderr.contains("-laudit");
        panic!(
            "compiling {} failed ({}){}:\n{stderr}",
            src.display(),
            output.status,
            if missing {
                format!("; {HINT}")
            } else {
                String::new()
            }
        );
    }
    std::fs::rename(&tmp, &exe)
        .unwrap_or_else(|e| panic!("cannot move {} to {}: {e}", tmp.display(), exe.display()));
    exe
}

/// Path of the example binary `name` of the workspace's package `package`
/// (`target/<profile>/examples/<name>`), found from the running test's own
/// path (`target/<profile>/deps/<test>-<hash>`).
///
/// Only the tests of teaching examples need it (the root package's
/// audisp-example, key-alert, login-alert and newcomer examples, audit-plugin's
/// record-sink): a program is a binary, and its tests run it through
/// `env!("CARGO_BIN_EXE_<name>")`, which cargo builds first; cargo has no such
/// variable for examples. A plain `cargo test` builds a package's examples
/// before it runs its integration tests, but `cargo test --test <name>` does
/// not, and an example binary left from an earlier build may be stale. So the
/// first call for each example runs `cargo build -p PACKAGE --example NAME`
/// with the test's profile and target directory (a no-op when it is up to
/// date).
///
/// # Panics
/// When cargo cannot build it.
pub fn example_bin(package: &str, name: &str) -> PathBuf {
    static BUILT: BuildOnce = BuildOnce::new();
    BUILT.path(&format!("{package}/{name}"), |_| {
        build_example(package, name)
    })
}

fn build_example(package: &str, name: &str) -> PathBuf {
    let me = std::env::current_exe().expect("cannot find the test executable's path");
    let profile_dir = me
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("unexpected test executable path {}", me.display()));
    let exe = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    // target/<profile>/ or target/<triple>/<profile>/
    let profile = profile_dir
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("debug");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(workspace_dir())
        .args(["build", "--quiet", "--package", package])
        .args(["--example", name]);
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    // Same target directory as this test, unless built for an explicit
    // target triple (then cargo's own CARGO_TARGET_DIR setting applies).
    if let Some(target_dir) = profile_dir.parent() {
        if target_dir.join("CACHEDIR.TAG").is_file() {
            cmd.arg("--target-dir").arg(target_dir);
        }
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build example {name}: {e}"));
    assert!(
        status.success(),
        "`cargo build -p {package} --example {name}` failed ({status})"
    );
    assert!(
        exe.is_file(),
        "example binary {} not found after building it",
        exe.display()
    );
    exe
}

/// The event blocks of a walk's output (a C walker's or ours): each `event ...` line
/// with the lines under it (lines before the first `event` line make a block too).
pub fn event_blocks(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    for line in text.lines() {
        if line.starts_with("event ") || out.is_empty() {
            out.push(Vec::new());
        }
        if let Some(block) = out.last_mut() {
            block.push(line);
        }
    }
    out
}

/// Path of the reference `ausyscall` (Debian's auditd 3.0.9).
pub const AUSYSCALL: &str = "/usr/bin/ausyscall";

/// `ausyscall ARCH --dump`: the table named in its header and its (number, name) pairs.
///
/// # Panics
/// When [`AUSYSCALL`] cannot run (with an installation hint) or prints something
/// else than its table.
pub fn ausyscall_dump(arch: &str) -> (String, Vec<(u32, String)>) {
    let out = Command::new(AUSYSCALL)
        .args([arch, "--dump"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {AUSYSCALL} ({e}); install the auditd package"));
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    let table = header
        .strip_prefix("Using ")
        .and_then(|h| h.strip_suffix(" syscall table:"))
        .unwrap_or("")
        .to_owned();
    let pairs = lines
        .map(|line| {
            let (nr, name) = line.split_once('\t').expect("number<TAB>name");
            (nr.parse().expect("number"), name.to_owned())
        })
        .collect();
    (table, pairs)
}

/// Runs `program` with `args`, with `stdin_file` (or nothing) as standard
/// input, and returns its standard output.
///
/// # Panics
/// With the command line, exit status and standard error if it cannot start or exits
/// non-zero.
pub fn run(program: &Path, args: &[&str], stdin_file: Option<&Path>) -> Vec<u8> {
    let mut cmd = Command::new(program);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    match stdin_file {
        Some(p) => {
            let f = File::open(p).unwrap_or_else(|e| panic!("cannot open {}: {e}", p.display()));
            cmd.stdin(Stdio::from(f));
        }
        None => {
            cmd.stdin(Stdio::null());
        }
    }
    // Keep interpretations independent of the caller's locale.
    cmd.env("LC_ALL", "C");
    let shown = format!(
        "{} {}{}",
        program.display(),
        args.join(" "),
        stdin_file
            .map(|p| format!(" < {}", p.display()))
            .unwrap_or_default()
    );
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{shown}`: {e}"));
    assert!(
        output.status.success(),
        "`{shown}` failed ({}); stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Where `ours` starts to differ from `expected`, as a short line-numbered
/// excerpt (`-` lines are the reference's, `+` lines ours); `None` when the
/// two are equal.
pub fn first_difference(expected: &[u8], ours: &[u8]) -> Option<String> {
    if expected == ours {
        return None;
    }
    let exp: Vec<&[u8]> = split_lines(expected);
    let got: Vec<&[u8]> = split_lines(ours);
    if exp == got {
        return Some(format!(
            "the {} lines are equal; only the final newline differs \
             (reference ends in newline: {}, ours: {})",
            exp.len(),
            expected.ends_with(b"\n"),
            ours.ends_with(b"\n")
        ));
    }
    let first = exp
        .iter()
        .zip(got.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(exp.len().min(got.len()));
    // Resynchronise: look for the nearest later pair of equal lines, so the
    // excerpt shows the whole differing stretch when it is short.
    let (mut end_e, mut end_g) = (exp.len(), got.len());
    'search: for dist in 1..=40usize {
        for de in 0..=dist {
            let dg = dist - de;
            let (i, j) = (first + de, first + dg);
            if i < exp.len() && j < got.len() && exp[i] == got[j] {
                end_e = i;
                end_g = j;
                break 'search;
            }
        }
    }
    const MAX: usize = 12;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "reference: {} lines, ours: {} lines; first difference at line {}",
        exp.len(),
        got.len(),
        first + 1
    );
    for (k, line) in exp
        .iter()
        .enumerate()
        .take(first)
        .skip(first.saturating_sub(3))
    {
        let _ = writeln!(s, "  {:>6}  {}", k + 1, show(line));
    }
    for (k, line) in exp.iter().enumerate().take(end_e).skip(first).take(MAX) {
        let _ = writeln!(s, "- {:>6}  {}", k + 1, show(line));
    }
    if end_e - first > MAX {
        let _ = writeln!(s, "-   ... {} more reference lines", end_e - first - MAX);
    }
    for (k, line) in got.iter().enumerate().take(end_g).skip(first).take(MAX) {
        let _ = writeln!(s, "+ {:>6}  {}", k + 1, show(line));
    }
    if end_g - first > MAX {
        let _ = writeln!(s, "+   ... {} more lines of ours", end_g - first - MAX);
    }
    if end_e < exp.len() && end_g < got.len() {
        let _ = writeln!(s, "  {:>6}  {}", end_e + 1, show(exp[end_e]));
    }
    Some(s)
}

fn split_lines(b: &[u8]) -> Vec<&[u8]> {
    let mut v: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
    if v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    v
}

/// A line for display: lossy UTF-8 with control bytes escaped.
fn show(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            out.push(c);
        }
    }
    const MAX: usize = 300;
    if out.chars().count() > MAX {
        let cut: String = out.chars().take(MAX).collect();
        format!("{cut}...")
    } else {
        out
    }
}
