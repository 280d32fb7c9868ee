//! `cargo xtask test [ARGS...]`: the project's one test command.
//!
//! 1. Checks for the reference tools the tests compare against ([`REQUIREMENTS`]).
//!    Where some are missing: as root with `apt-get`, installs their packages without
//!    starting any daemon they bring (a temporary `policy-rc.d`); otherwise prints the
//!    exact command to run and fails.
//! 2. Reads the kernel's audit state (`audit-state`, crate `audit-tools`), runs
//!    `cargo test --workspace --all-features ARGS...`, and checks that the rule count,
//!    `enabled` and the daemon pid are as before: live tests must restore what they
//!    change.
//! 3. Ends with one line counting the live tests that could not run, and why (from the
//!    file [`SKIP_LOG_ENV`] names, where `audit-testlock` appends every skip). With
//!    `AUDIT_LIVE_REQUIRED=1` any skip is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use audit_testlock::is_root;

/// Where a requirement comes from when it is missing.
#[derive(Debug, Clone, Copy)]
enum Package {
    /// A Debian package, installed with `apt-get install -y`.
    Apt(&'static str),
    /// A Python package, installed with `python3 -m pip install` after the Debian
    /// packages (list `python3-pip` as an [`Package::Apt`] requirement too).
    #[allow(dead_code, reason = "no Python requirement yet")]
    Pip(&'static str),
}

/// How to tell whether a requirement is present.
#[derive(Debug, Clone, Copy)]
enum Probe {
    /// A program on `PATH` or in the `sbin` directories.
    Command(&'static str),
    /// A header in `/usr/include`.
    Header(&'static str),
    /// A library file (such as the development `.so` link) in the library directories.
    Library(&'static str),
    /// A module `python3` can import.
    #[allow(dead_code, reason = "no Python requirement yet")]
    PythonModule(&'static str),
}

/// Something the tests need from the system.
#[derive(Debug)]
struct Requirement {
    probe: Probe,
    package: Package,
}

/// What the tests need from the system, and which package brings each. Add new needs
/// here (a program, header, library or Python module and its package): `cargo xtask
/// test` checks them all and installs the packages of those missing.
const REQUIREMENTS: &[Requirement] = &[
    // The reference tools the differential and live tests run.
    req(Probe::Command("auditctl"), Package::Apt("auditd")),
    req(Probe::Command("ausearch"), Package::Apt("auditd")),
    req(Probe::Command("ausyscall"), Package::Apt("auditd")),
    req(Probe::Command("aureport"), Package::Apt("auditd")),
    req(Probe::Command("auditd"), Package::Apt("auditd")),
    // The C programs of tests/c link libauparse and libaudit.
    req(Probe::Header("auparse.h"), Package::Apt("libauparse-dev")),
    req(
        Probe::Library("libauparse.so"),
        Package::Apt("libauparse-dev"),
    ),
    req(Probe::Header("libaudit.h"), Package::Apt("libaudit-dev")),
    req(Probe::Library("libaudit.so"), Package::Apt("libaudit-dev")),
    // tests/plugin_key_alert: a real SMTP server on loopback.
    req(Probe::PythonModule("pip"), Package::Apt("python3-pip")),
    req(Probe::PythonModule("aiosmtpd"), Package::Pip("aiosmtpd")),
    // tests/plugin_login_alert: a session bus and a real notifier on a virtual display.
    req(Probe::Command("Xvfb"), Package::Apt("xvfb")),
    req(Probe::Command("dbus-daemon"), Package::Apt("dbus")),
    req(Probe::Command("dunstctl"), Package::Apt("dunst")),
    // crates/audit-tools/tests/daemon_plugins: audisp-syslog into a real rsyslogd
    // (started by the test on its own socket; the service is never started).
    req(Probe::Command("rsyslogd"), Package::Apt("rsyslog")),
    // Private network namespaces (`ip link set lo up`) and audit-remote's keepalive
    // tests (`ss -tno`, the kernel's timer on a socket).
    req(Probe::Command("ip"), Package::Apt("iproute2")),
    req(Probe::Command("ss"), Package::Apt("iproute2")),
];

const fn req(probe: Probe, package: Package) -> Requirement {
    Requirement { probe, package }
}

/// The environment variable naming the file where `audit-testlock` appends one line per
/// skipped live test (its `SKIP_LOG_ENV`).
const SKIP_LOG_ENV: &str = "AUDIT_SKIP_LOG";
/// Set to `1`, a skipped live test is a failure (`audit-testlock`'s `LIVE_REQUIRED_ENV`).
const LIVE_REQUIRED_ENV: &str = "AUDIT_LIVE_REQUIRED";
/// Debian's hook that `invoke-rc.d`/`deb-systemd-invoke` ask before starting a
/// service; exit status 101 forbids it.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

const USAGE: &str = "usage: cargo xtask test [ARGS passed to cargo test...]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("test") => match test(args.collect()) {
            Ok(true) => ExitCode::SUCCESS,
            // What failed is told above the final line.
            Ok(false) => ExitCode::FAILURE,
            Err(message) => {
                eprintln!("xtask: {message}");
                ExitCode::FAILURE
            }
        },
        Some("-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("xtask: unknown task {other:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The test task: `Ok(false)` when the run failed (said above its last line), `Err`
/// when it could not run.
fn test(cargo_test_args: Vec<String>) -> Result<bool, String> {
    ensure_requirements()?;
    let workspace = workspace_root();
    std::env::set_current_dir(&workspace)
        .map_err(|e| format!("cannot enter {}: {e}", workspace.display()))?;

    let audit_state_bin = build_audit_state()?;
    let before = audit_state(&audit_state_bin)?;
    match &before {
        Ok(state) => eprintln!("xtask: audit state before: {}", state.line),
        Err(why) => eprintln!("xtask: audit state not readable ({why}): not compared"),
    }

    let skip_log =
        std::env::temp_dir().join(format!("xtask-audit-skips-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&skip_log);
    let status = Command::new(cargo())
        .args(["test", "--workspace", "--all-features"])
        .args(&cargo_test_args)
        .env(SKIP_LOG_ENV, &skip_log)
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    let mut failures = Vec::new();
    if !status.success() {
        failures.push(format!("cargo test failed ({status})"));
    }

    if let Ok(before) = &before {
        match audit_state(&audit_state_bin) {
            Ok(Ok(after)) => {
                eprintln!("xtask: audit state after:  {}", after.line);
                let changed = before.compare(&after);
                if !changed.is_empty() {
                    let message = format!(
                        "THE TESTS LEFT THE KERNEL'S AUDIT STATE CHANGED: {}",
                        changed.join(", ")
                    );
                    eprintln!("xtask: {message}");
                    failures.push(message);
                }
            }
            Ok(Err(why)) | Err(why) => {
                failures.push(format!("audit state not readable after the tests: {why}"))
            }
        }
    }

    let skips = std::fs::read_to_string(&skip_log).unwrap_or_default();
    let _ = std::fs::remove_file(&skip_log);
    let required = std::env::var_os(LIVE_REQUIRED_ENV).is_some_and(|v| v == "1");
    let (line, skipped) = skip_summary(&skips);
    if skipped > 0 && required {
        failures.push(format!(
            "{skipped} live test(s) skipped and {LIVE_REQUIRED_ENV}=1"
        ));
    }
    if !failures.is_empty() {
        eprintln!("xtask: FAILED: {}", failures.join("; "));
    }
    // The last line, loud: how many live tests did not run, and why.
    println!("{line}");
    Ok(failures.is_empty())
}

/// The final line from the skip log's `REASON<TAB>TEST` lines, and the skip count.
fn skip_summary(log: &str) -> (String, usize) {
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        let reason = line.split('\t').next().unwrap_or(line);
        *by_reason.entry(reason).or_default() += 1;
    }
    let total: usize = by_reason.values().sum();
    if total == 0 {
        return ("==== live audit tests: none skipped ====".to_owned(), 0);
    }
    let reasons: Vec<String> = by_reason
        .iter()
        .map(|(reason, n)| format!("{n} because {reason}"))
        .collect();
    let line = format!(
        "==== SKIPPED {total} live audit test{}: {} ====",
        if total == 1 { "" } else { "s" },
        reasons.join("; ")
    );
    (line, total)
}

/// The root of the workspace: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_owned()
}

/// The cargo that runs us (`CARGO`), so that the same toolchain runs the tests.
fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The fields of `audit-state`'s output that the tests must leave as they found them.
const COMPARED: [&str; 3] = ["rules", "enabled", "pid"];

/// What `audit-state` printed.
#[derive(Debug)]
struct AuditState {
    line: String,
    values: BTreeMap<String, String>,
}

impl AuditState {
    /// The compared fields that differ in `after`, as `name before -> after`.
    fn compare(&self, after: &AuditState) -> Vec<String> {
        COMPARED
            .iter()
            .filter_map(|name| {
                let (a, b) = (self.values.get(*name), after.values.get(*name));
                (a != b).then(|| {
                    let show = |v: Option<&String>| v.map_or("?".to_owned(), Clone::clone);
                    format!("{name} {} -> {}", show(a), show(b))
                })
            })
            .collect()
    }
}

/// Build our `audit-state` (crate `audit-tools`) and give its path: the state after
/// the tests is read with the same binary, whatever happened to the tree meanwhile.
fn build_audit_state() -> Result<PathBuf, String> {
    let out = Command::new(cargo())
        .args([
            "build",
            "--quiet",
            "--package",
            "audit-tools",
            "--bin",
            "audit-state",
        ])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo build audit-state: {e}"))?;
    if !out.status.success() {
        return Err(format!("cannot build audit-state ({})", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\""))
        .find_map(executable_of)
        .ok_or_else(|| "cargo build named no audit-state executable".to_owned())
}

/// The `"executable"` path of one line of cargo's JSON messages.
fn executable_of(message: &str) -> Option<PathBuf> {
    let start = message.find("\"executable\":\"")? + "\"executable\":\"".len();
    let mut path = String::new();
    let mut chars = message[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(PathBuf::from(path)),
            '\\' => path.push(chars.next()?),
            c => path.push(c),
        }
    }
    None
}

/// Run our `audit-state`: `Err` when it could not run, `Ok(Err(why))` when the kernel
/// refused to tell (not root, no audit). It runs holding the live-test lock: live tests
/// of other runs on this machine change the state while they hold it, and restore it
/// before they give it back.
fn audit_state(bin: &Path) -> Result<Result<AuditState, String>, String> {
    let lock = audit_testlock::live_lock();
    let out = Command::new(bin)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    drop(lock);
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    match out.status.code() {
        Some(0) => {
            let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let values = line
                .split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            Ok(Ok(AuditState { line, values }))
        }
        Some(2) if stderr.contains("the kernel refused") => Ok(Err(stderr)),
        _ => Err(format!("audit-state failed ({}): {stderr}", out.status)),
    }
}

/// Install what [`REQUIREMENTS`] lists and this machine lacks, or say how to.
fn ensure_requirements() -> Result<(), String> {
    let missing: Vec<&Requirement> = REQUIREMENTS.iter().filter(|r| !r.probe.present()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = missing.iter().map(|r| r.probe.to_string()).collect();
    eprintln!("xtask: missing what the tests need: {}", names.join(", "));
    let mut apt: Vec<&str> = Vec::new();
    let mut pip: Vec<&str> = Vec::new();
    for r in &missing {
        match r.package {
            Package::Apt(p) if !apt.contains(&p) => apt.push(p),
            Package::Pip(p) if !pip.contains(&p) => pip.push(p),
            _ => {}
        }
    }
    let apt_command = (!apt.is_empty()).then(|| format!("apt-get install -y {}", apt.join(" ")));
    let pip_command = (!pip.is_empty()).then(|| {
        format!(
            "python3 -m pip install --break-system-packages {}",
            pip.join(" ")
        )
    });
    if !is_root() || !Probe::Command("apt-get").present() {
        let mut steps = Vec::new();
        if let Some(c) = &apt_command {
            steps.push("apt-get update".to_owned());
            steps.push(c.clone());
        }
        steps.extend(pip_command);
        let prefix = if is_root() { "" } else { "sudo " };
        let commands: Vec<String> = steps.iter().map(|s| format!("{prefix}{s}")).collect();
        return Err(format!(
            "install them first (as root; their daemons need not run):\n    {}\nthen run `cargo xtask test` again",
            commands.join(" && ")
        ));
    }
    if !apt.is_empty() {
        // Installing auditd must not start it: a running daemon would take the slot
        // the live tests register in. Debian asks policy-rc.d before starting a service.
        let _policy = NoServiceStarts::install()?;
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get")
            .args(["install", "-y"])
            .args(&apt)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    if !pip.is_empty() {
        run(Command::new("python3")
            .args(["-m", "pip", "install", "--break-system-packages"])
            .args(&pip))?;
    }
    let still: Vec<String> = REQUIREMENTS
        .iter()
        .filter(|r| !r.probe.present())
        .map(|r| r.probe.to_string())
        .collect();
    if !still.is_empty() {
        return Err(format!(
            "still missing after installing: {}",
            still.join(", ")
        ));
    }
    Ok(())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

/// A `policy-rc.d` that forbids starting services while it lives, where none existed;
/// removed on drop (also when the installation fails).
#[derive(Debug)]
struct NoServiceStarts {
    created: bool,
}

impl NoServiceStarts {
    fn install() -> Result<Self, String> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o755)
            .open(POLICY_RC_D);
        match file {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(
                    b"#!/bin/sh\n# cargo xtask test: start no service while installing\nexit 101\n",
                )
                .map_err(|e| format!("cannot write {POLICY_RC_D}: {e}"))?;
                Ok(Self { created: true })
            }
            // Someone's own policy stays as it is.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Self { created: false }),
            Err(e) => Err(format!("cannot create {POLICY_RC_D}: {e}")),
        }
    }
}

impl Drop for NoServiceStarts {
    fn drop(&mut self) {
        if self.created {
            if let Err(e) = std::fs::remove_file(POLICY_RC_D) {
                eprintln!("xtask: cannot remove {POLICY_RC_D}: {e} (remove it by hand)");
            }
        }
    }
}

impl Probe {
    fn present(self) -> bool {
        match self {
            Probe::Command(name) => search_path()
                .iter()
                .any(|dir| is_executable(&dir.join(name))),
            Probe::Header(name) => Path::new("/usr/include").join(name).is_file(),
            Probe::Library(name) => library_dirs().iter().any(|dir| dir.join(name).exists()),
            Probe::PythonModule(name) => Command::new("python3")
                .args(["-c", &format!("import {name}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success()),
        }
    }
}

impl std::fmt::Display for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Probe::Command(name) => write!(f, "{name}"),
            Probe::Header(name) => write!(f, "/usr/include/{name}"),
            Probe::Library(name) => write!(f, "{name}"),
            Probe::PythonModule(name) => write!(f, "python3 module {name}"),
        }
    }
}

/// `PATH` and the `sbin` directories (not on a user's `PATH` on Debian).
fn search_path() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for extra in ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
        if !dirs.iter().any(|d| d == Path::new(extra)) {
            dirs.push(extra.into());
        }
    }
    dirs
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `/usr/lib`, `/usr/lib64`, `/lib` and the multiarch directories under them.
fn library_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for base in ["/usr/lib", "/usr/lib64", "/lib", "/usr/local/lib"] {
        dirs.push(PathBuf::from(base));
        if let Ok(entries) = std::fs::read_dir(base) {
            dirs.extend(entries.flatten().map(|e| e.path()).filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with("-linux-gnu"))
            }));
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_line_counts_by_reason() {
        let log = "another audit daemon (pid 9, auditd) holds the daemon slot\ta\n\
                   not running as root\tb\n\
                   another audit daemon (pid 9, auditd) holds the daemon slot\tc\n";
        let (line, n) = skip_summary(log);
        assert_eq!(n, 3);
        assert_eq!(
            line,
            "==== SKIPPED 3 live audit tests: 2 because another audit daemon (pid 9, auditd) \
             holds the daemon slot; 1 because not running as root ===="
        );
        assert_eq!(skip_summary("").1, 0);
    }

    #[test]
    fn state_comparison_names_what_changed() {
        let state = |line: &str| AuditState {
            line: line.to_owned(),
            values: line
                .split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        };
        let before = state("enabled=0 pid=0 lost=3 rules=0");
        assert!(before
            .compare(&state("enabled=0 pid=0 lost=9 rules=0"))
            .is_empty());
        assert_eq!(
            before.compare(&state("enabled=1 pid=0 lost=3 rules=2")),
            ["rules 0 -> 2", "enabled 0 -> 1"]
        );
    }

    #[test]
    fn executable_path_from_cargo_message() {
        let line =
            r#"{"reason":"compiler-artifact","executable":"/t/debug/audit-state","fresh":true}"#;
        assert_eq!(
            executable_of(line),
            Some(PathBuf::from("/t/debug/audit-state"))
        );
        assert_eq!(executable_of(r#"{"executable":null}"#), None);
        assert_eq!(
            executable_of(r#"{"executable":"/a \"b\"/c"}"#),
            Some(PathBuf::from("/a \"b\"/c"))
        );
    }

    #[test]
    fn probes_find_what_is_here_and_not_what_is_not() {
        assert!(Probe::Command("sh").present());
        assert!(!Probe::Command("no-such-program-xtask").present());
        assert!(Probe::Header("stdio.h").present());
        assert!(!Probe::Header("no-such-header-xtask.h").present());
        assert!(Probe::Library("libc.so.6").present());
        assert!(!Probe::Library("libno-such-xtask.so").present());
        assert!(Probe::PythonModule("os").present());
        assert!(!Probe::PythonModule("no_such_module_xtask").present());
    }
}
