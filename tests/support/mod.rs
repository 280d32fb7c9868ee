//! Shared helpers of the workspace's integration tests.
//!
//! Include with `mod support;` from a `tests/<name>.rs` file of the root package, or
//! with `#[path = "../../../tests/support/mod.rs"] mod support;` from a package under
//! `crates/` (audit-tools' program tests). It provides:
//!
//! - [`c_program`]: compile a reference C program from `tests/c/<name>.c`
//!   against the installed libauparse/libaudit (once per test binary) and
//!   return the path of the executable;
//! - [`example_bin`]: the path of one of the root package's example
//!   binaries, built (or brought up to date) with `cargo build --example`;
//! - [`run`]: run a program with arguments (and optionally a file as
//!   standard input) and return its standard output, panicking with a
//!   readable message (command line, exit status, stderr) if it fails;
//! - [`data_dir`] / [`corpus_logs`]: the test logs under `tests/data`;
//!   [`corpus_and_normalize_logs`] adds `tests/normalize_data`;
//! - [`first_difference`]: a line-numbered description of where two
//!   outputs start to differ, for assertion messages.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The root package's directory (the workspace's root, which holds `tests/`), also
/// when this file is compiled into the tests of a package under `crates/`.
pub fn manifest_dir() -> &'static Path {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|dir| dir.join("tests").join("c").is_dir())
        .unwrap_or(here)
}

/// `tests/data` of the root package.
pub fn data_dir() -> PathBuf {
    manifest_dir().join("tests").join("data")
}

/// Every audit log under `tests/data` (files ending in `.log` or `.txt`),
/// sorted by path, so that tests visit them in a stable order.
pub fn corpus_logs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot list test data directory {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                walk(&path, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("log") | Some("txt")
            ) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&data_dir(), &mut out);
    out.sort();
    assert!(
        !out.is_empty(),
        "no *.log / *.txt files under {}",
        data_dir().display()
    );
    out
}

/// `path` relative to `tests/data`, with `/` separators, for messages and
/// for the explicit lists in tests.
pub fn data_relative(path: &Path) -> String {
    path.strip_prefix(data_dir())
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// The corpus logs plus the normalizer's own cases under `tests/normalize_data`.
pub fn corpus_and_normalize_logs() -> Vec<PathBuf> {
    let mut v = corpus_logs();
    let dir = normalize_data_dir();
    let mut own: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    own.sort();
    v.extend(own);
    v
}

/// A log's name for messages: its file name for a normalizer case, else
/// [`data_relative`].
pub fn log_name(p: &Path) -> String {
    if p.starts_with(normalize_data_dir()) {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        data_relative(p)
    }
}

fn normalize_data_dir() -> PathBuf {
    manifest_dir().join("tests").join("normalize_data")
}

/// Compiles `tests/c/<name>.c` with `cc -O2 ... -lauparse -laudit` into
/// `CARGO_TARGET_TMPDIR/c-bin/<name>` and returns the executable's path.
///
/// Each program is compiled at most once per test binary, even when several
/// tests ask for it at the same time. Panics with an installation hint when
/// the compiler or the libauparse/libaudit headers are missing.
pub fn c_program(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let map = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    // A failed compilation panics while holding the lock; it records nothing,
    // so later callers try again and report their own error.
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = map.get(name) {
        return p.clone();
    }
    let path = compile_c(name);
    map.insert(name.to_owned(), path.clone());
    path
}

fn compile_c(name: &str) -> PathBuf {
    const HINT: &str = "the reference programs need a C compiler and the libauparse and \
                        libaudit development files: `apt-get install -y gcc libauparse-dev \
                        libaudit-dev` (Debian/Ubuntu)";
    let src = manifest_dir()
        .join("tests")
        .join("c")
        .join(format!("{name}.c"));
    assert!(
        src.is_file(),
        "C reference program {} does not exist",
        src.display()
    );
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-bin");
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

/// Path of the root package's example binary `name` (root package tests only)
/// (`target/<profile>/examples/<name>`), found from the running test's own
/// path (`target/<profile>/deps/<test>-<hash>`).
///
/// A plain `cargo test` builds the examples before it runs the integration
/// tests, but `cargo test --test <name>` does not, and an example binary left
/// from an earlier build may be stale. So the first call for each example
/// runs `cargo build --example <name>` with the test's profile and target
/// directory (a no-op when it is up to date).
pub fn example_bin(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let map = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    // As in `c_program`: a failed build records nothing.
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = map.get(name) {
        return p.clone();
    }
    let path = build_example(name);
    map.insert(name.to_owned(), path.clone());
    path
}

fn build_example(name: &str) -> PathBuf {
    let me = std::env::current_exe().expect("cannot find the test executable's path");
    let profile_dir = me
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("unexpected test executable path {}", me.display()));
    let exe = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let source = manifest_dir().join("examples").join(format!("{name}.rs"));
    assert!(
        source.is_file(),
        "example {} does not exist: the differential tests compare it with the \
         C reference program",
        source.display()
    );
    // target/<profile>/ or target/<triple>/<profile>/
    let profile = profile_dir
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("debug");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(manifest_dir())
        .args(["build", "--quiet", "--package", env!("CARGO_PKG_NAME")])
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
        "`cargo build --example {name}` failed ({status})"
    );
    assert!(
        exe.is_file(),
        "example binary {} not found after building it",
        exe.display()
    );
    exe
}

/// Runs `program` with `args`, with `stdin_file` (or nothing) as standard
/// input, and returns its standard output. Panics with the command line,
/// exit status and standard error if it cannot start or exits non-zero.
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
