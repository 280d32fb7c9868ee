//! The `ausyscall` example against the installed C `/usr/bin/ausyscall`:
//! same stdout, stderr and exit status, byte for byte.
//!
//! The example's code is compiled into this test (its `run` function), so
//! the comparison needs no separately built binary. The cases avoid
//! syscalls where the kernel's names differ from libaudit's (see
//! `audit_syscalls::compat`) or that are newer than the installed tool;
//! `--dump` output is compared line by line on the shared range.

use std::ffi::OsString;
use std::process::Command;

#[path = "../examples/ausyscall.rs"]
mod ausyscall;

const C_TOOL: &str = "/usr/bin/ausyscall";

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    stdout: String,
    stderr: String,
    status: i32,
}

fn ours(args: &[&str]) -> Outcome {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let status = ausyscall::run(&args, &mut out, &mut err);
    Outcome {
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
        status: i32::from(status),
    }
}

fn theirs(args: &[&str]) -> Outcome {
    let out = Command::new(C_TOOL)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {C_TOOL} ({e}); install the auditd package"));
    Outcome {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        status: out.status.code().expect("exit status"),
    }
}

/// Argument lists whose results must be identical.
fn cases() -> Vec<Vec<&'static str>> {
    let mut cases: Vec<Vec<&str>> = vec![
        // Usage and argument errors.
        vec![],
        vec!["a", "b", "c", "d"],
        vec!["1", "2"],
        vec!["x86_64", "i386", "execve"],
        vec!["execve", "fork"],
        vec!["--exact"],
        vec!["--exact", "--exact"],
        vec!["alpha", "execve"],
        vec!["ia64", "execve"],
        vec!["ia64", "--exact"],
        // Numbers as C's strtol + int see them.
        vec!["59"],
        vec!["12abc"],
        vec!["0"],
        vec!["9999"],
        vec!["2147483648"],
        vec!["4294967295"],
        vec!["4294967295", "3"],
        vec!["99999999999"],
        vec!["99999999999999999999999"],
        vec!["-5"],
        vec![" 5"],
        // Names: substring, exact, case.
        vec!["execve"],
        vec!["EXECVE"],
        vec!["execve", "--exact"],
        vec!["--exact", "ExecVe"],
        vec!["exec", "--exact"],
        vec!["nosuchcall"],
        vec!["nosuchcall", "--exact"],
        // Arch spellings.
        vec!["b32", "clone", "--exact"],
        vec!["b64", "clone", "--exact"],
        vec!["B32", "120"],
        vec!["c000003e", "execve", "--exact"],
        vec!["40000003"],
        vec!["x86_64", "b64", "1"],
    ];
    let arches = [
        "i386", "i486", "i686", "x86_64", "ppc", "ppc64", "ppc64le", "s390", "s390x", "arm",
        "armeb", "armv7l", "armv5tel", "aarch64", "armv8l",
    ];
    let per_arch: [&[&str]; 9] = [
        &["execve"],
        &["clone"],
        &["fork"],
        &["kill"],
        &["socket"],
        &["chown"],
        &["11"],
        &["120", "--exact"],
        &["nosuchcall"],
    ];
    for arch in arches {
        for rest in per_arch {
            let mut c = vec![arch];
            c.extend_from_slice(rest);
            cases.push(c);
        }
        cases.push(vec![arch, "execve", "--exact"]);
        cases.push(vec!["--exact", "execve", arch]);
        cases.push(vec![arch, "99999"]);
    }
    cases
}

#[test]
fn same_output_as_the_c_tool() {
    let mut failures = Vec::new();
    for case in cases() {
        let (a, b) = (ours(&case), theirs(&case));
        if a != b {
            failures.push(format!(
                "ausyscall {case:?}\n ours:   {a:?}\n theirs: {b:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dump_matches_on_the_shared_range() {
    // Same header and same lines wherever both tables agree: the C dump,
    // minus its libaudit-only names, is a subsequence of ours.
    for arch in [
        "i386", "x86_64", "ppc", "ppc64le", "s390", "s390x", "armv7l", "aarch64",
    ] {
        let (a, b) = (ours(&[arch, "--dump"]), theirs(&[arch, "--dump"]));
        assert_eq!((a.status, &a.stderr), (b.status, &b.stderr), "{arch}");
        let (a_head, b_head) = (a.stdout.lines().next(), b.stdout.lines().next());
        assert_eq!(a_head, b_head, "{arch} header");
        let our_lines: std::collections::BTreeSet<&str> = a.stdout.lines().collect();
        let shared = b.stdout.lines().filter(|l| our_lines.contains(l)).count();
        let total = b.stdout.lines().count();
        // Differences are the handful listed in audit_syscalls::compat
        // (at most 36 on ppc64le, where libaudit uses the 32-bit table).
        assert!(
            total - shared <= 36,
            "{arch}: {} of {total} lines differ",
            total - shared
        );
        assert!(a.stdout.lines().count() >= shared);
    }
}

#[test]
fn knows_architectures_the_c_tool_does_not() {
    let a = ours(&["riscv64", "execve", "--exact"]);
    assert_eq!((a.stdout.as_str(), a.status), ("221\n", 0));
    let a = ours(&["mips", "execve", "--exact"]);
    assert_eq!((a.stdout.as_str(), a.status), ("4011\n", 0));
    let a = ours(&["loongarch64", "--dump"]);
    assert!(a
        .stdout
        .starts_with("Using loongarch64 syscall table:\n0\tio_setup\n"));
    let a = ours(&["mips64el", "5057"]);
    assert_eq!(a.stdout, "execve\n");
}
