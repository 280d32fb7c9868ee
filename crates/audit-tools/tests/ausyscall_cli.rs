//! `ausyscall-rs` (`audit_tools::ausyscall`) against the installed C
//! `/usr/bin/ausyscall`: same stdout, stderr and exit status, byte for byte.
//!
//! The program runs in this test's process (its `run` function). The cases include the
//! syscalls where the kernel's names differ from libaudit's (see
//! `audit_syscalls::compat`: ours prints libaudit's as C does) and avoid
//! those newer than the installed tool; `--dump` output must hold every
//! line of C's.

use std::ffi::OsString;
use std::process::Command;

use audit_tools::ausyscall;

mod output_support;
use output_support::{closed_pipe, dev_full, with_stdout};

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
        // libaudit's own spellings, both ways.
        vec!["x86_64", "pread", "--exact"],
        vec!["x86_64", "PWRITE", "--exact"],
        vec!["x86_64", "17"],
        vec!["x86_64", "18"],
        vec!["x86_64", "pread"],
        vec!["x86_64", "write"],
        vec!["i386", "sys_kexec_load", "--exact"],
        vec!["i386", "283"],
        vec!["i386", "423"],
        vec!["i386", "madvise", "--exact"],
        vec!["armv7l", "llseek", "--exact"],
        vec!["armv7l", "140"],
        vec!["armeb", "142"],
        vec!["arm", "sync_file_range", "--exact"],
        vec!["arm", "341"],
        vec!["aarch64", "newfstat", "--exact"],
        vec!["aarch64", "80"],
        vec!["aarch64", "61"],
        vec!["aarch64", "getdents"],
        vec!["ppc", "perf_counter_open", "--exact"],
        vec!["ppc", "306"],
        vec!["ppc", "392"],
        vec!["ppc64", "mmap2", "--exact"],
        vec!["ppc64", "192"],
        vec!["ppc64le", "291"],
        vec!["ppc64le", "fstatat64", "--exact"],
        vec!["ppc64le", "time64"],
        vec!["s390x", "180"],
        vec!["s390", "pwrite", "--exact"],
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
fn dump_holds_every_line_of_the_c_dump() {
    // Same header, every C line (libaudit's names), in C's order; ours adds
    // only syscalls libaudit 3.0.9 lacks, by the kernel's names.
    for arch in [
        "i386", "x86_64", "ppc", "ppc64", "ppc64le", "s390", "s390x", "armv7l", "aarch64",
    ] {
        let (a, b) = (ours(&[arch, "--dump"]), theirs(&[arch, "--dump"]));
        assert_eq!((a.status, &a.stderr), (b.status, &b.stderr), "{arch}");
        let (a_head, b_head) = (a.stdout.lines().next(), b.stdout.lines().next());
        assert_eq!(a_head, b_head, "{arch} header");
        let theirs_lines: std::collections::BTreeSet<&str> = b.stdout.lines().collect();
        let shared: Vec<&str> = a
            .stdout
            .lines()
            .filter(|l| theirs_lines.contains(l))
            .collect();
        assert_eq!(shared, b.stdout.lines().collect::<Vec<_>>(), "{arch}");
        // What ours adds is named by the kernel and unknown to C.
        for line in a
            .stdout
            .lines()
            .skip(1)
            .filter(|l| !theirs_lines.contains(l))
        {
            let (nr, _) = line.split_once('\t').expect("number<TAB>name");
            assert_eq!(theirs(&[arch, nr]).status, 1, "{arch} {line}");
        }
    }
}

/// Beyond C: the kernel's spellings are accepted by `--exact`, and numbers
/// newer than libaudit's tables are named by the kernel.
#[test]
fn kernel_spellings_and_newer_syscalls() {
    let a = ours(&["x86_64", "pread64", "--exact"]);
    assert_eq!((a.stdout.as_str(), a.status), ("17\n", 0));
    assert_eq!(theirs(&["x86_64", "pread64", "--exact"]).status, 1);
    let a = ours(&["x86_64", "335"]);
    assert_eq!((a.stdout.as_str(), a.status), ("uretprobe\n", 0));
    let a = ours(&["armv7l", "_llseek", "--exact"]);
    assert_eq!((a.stdout.as_str(), a.status), ("140\n", 0));
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

/// The installed binary is the same program: `ausyscall-rs` answers as C does.
#[test]
fn the_binary_answers_as_the_c_tool() {
    for case in [
        vec!["x86_64", "17"],
        vec!["b64", "execve", "--exact"],
        vec!["nosuchcall"],
        vec![],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ausyscall-rs"))
            .args(&case)
            .output()
            .expect("run ausyscall-rs");
        let ours = Outcome {
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            status: out.status.code().expect("exit status"),
        };
        assert_eq!(ours, theirs(&case), "ausyscall-rs {case:?}");
    }
}

/// Where standard output cannot be written, ours differs from C on purpose: a
/// closed pipe kills C (SIGPIPE) and ends ours quietly with 0; a full disk is
/// ignored by C (exit 0) and named by ours (exit 1).
#[test]
fn a_closed_pipe_ends_it_quietly_and_a_full_disk_is_named() {
    use std::os::unix::process::ExitStatusExt;
    let ours = env!("CARGO_BIN_EXE_ausyscall-rs");
    for args in [&["--dump"][..], &["x86_64", "17"][..]] {
        let c = with_stdout(C_TOOL, args, closed_pipe());
        assert_eq!(c.status.signal(), Some(13), "C {args:?}: {c:?}");
        let out = with_stdout(ours, args, closed_pipe());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {out:?}");

        let c = with_stdout(C_TOOL, args, dev_full());
        assert_eq!((c.status.code(), &c.stderr[..]), (Some(0), &b""[..]));
        let out = with_stdout(ours, args, dev_full());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "ausyscall-rs: writing standard output: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}
