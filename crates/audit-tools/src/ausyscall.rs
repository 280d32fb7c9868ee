//! `ausyscall`: map syscall names and numbers, like audit-userspace's tool. Installed
//! as `ausyscall-rs` (so that it never shadows the C `ausyscall` on a `PATH`); the
//! example `ausyscall` is an alias.
//!
//! ```text
//! ausyscall [arch] name [--exact]   # substring (or exact) match, prints "name  number"
//! ausyscall [arch] number           # prints the name
//! ausyscall [arch] --dump           # "Using <arch> syscall table:" then "number<TAB>name"
//! ```
//!
//! Output, messages and exit codes follow the installed C tool (audit 3.0.9)
//! byte for byte for the architectures it knows: names are libaudit's where
//! it has one (x86_64 17 is `pread`, not the kernel's `pread64`; see
//! `audit_syscalls::compat`). Beyond it, this one also knows syscalls newer
//! than libaudit 3.0.9's tables (by the kernel's names), accepts the
//! kernel's spellings with `--exact` (`pread64`), and knows riscv32/64,
//! loongarch32/64 and the mips ABIs (see `audit_syscalls::Machine`).
//! `arch` is anything `-F arch=` accepts: a machine name (`i686`, `armv7l`,
//! `s390x`, ...), `b32`/`b64` (relative to this machine) or an `AUDIT_ARCH`
//! value in hex (`c000003e`).
//!
//! Writing standard output: where the C tool dies of `SIGPIPE` on a closed pipe
//! (status 141 in a shell) this one stops quietly with status 0, as the other
//! programs here do; where the C tool ignores a failed write (`ausyscall --dump
//! >/dev/full` exits 0 with nothing said) this one says
//! `ausyscall-rs: writing standard output: ...` and exits 1 (see
//! [`crate::output`]).
//!
//! Run: `cargo run -p audit-tools --bin ausyscall-rs -- i386 clone --exact` (or
//! `cargo run --example ausyscall -- ...`).

use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::process::ExitCode;

use audit_syscalls::{compat, Machine};

use crate::output::{self, Watched};

const USAGE: &[u8] = b"usage: ausyscall [arch] name | number | --dump | --exact\n";

/// The program: [`run`] with the process's arguments, standard output and error.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let stdout = io::stdout();
    let stderr = io::stderr();
    let code = run(&args, &mut stdout.lock(), &mut stderr.lock());
    ExitCode::from(code)
}

/// The whole tool: parses `args` (without the program name), writes to
/// `out`/`err`, returns the exit status. A closed pipe on `out` ends the
/// output quietly with 0; another write error of `out` is named on `err`
/// with 1 (see [`crate::output`]); a write error of `err` gives 1.
pub fn run(args: &[OsString], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut out = Watched::new(out);
    match run_inner(args, &mut out, err) {
        Ok(code) => code,
        Err(e) if out.failed() => output::write_failed("ausyscall-rs", &e, err),
        Err(_) => 1,
    }
}

fn usage(err: &mut dyn Write) -> io::Result<u8> {
    err.write_all(USAGE)?;
    Ok(1)
}

fn run_inner(args: &[OsString], out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    if args.len() > 3 {
        err.write_all(b"Too many arguments\n")?;
        return usage(err);
    }
    if args.is_empty() {
        return usage(err);
    }

    let mut machine: Option<Machine> = None;
    // C keeps the number in an `int` with -1 meaning "none"; keep that, so
    // that e.g. 4294967295 (which wraps to -1) behaves the same.
    let mut number: i32 = -1;
    let mut name: Option<&[u8]> = None;
    let mut dump = false;
    let mut exact = false;

    for arg in args {
        let bytes = arg.as_bytes();
        if bytes.first().is_some_and(u8::is_ascii_digit) {
            if number != -1 {
                err.write_all(b"Two syscall numbers not allowed\n")?;
                return usage(err);
            }
            number = c_strtol_decimal(bytes);
        } else if let Some(m) = arg.to_str().and_then(|s| Machine::determine(s).ok()) {
            if machine.is_some() {
                err.write_all(b"Two machine types not allowed\n")?;
                return usage(err);
            }
            machine = Some(m);
        } else if bytes == b"--dump" {
            dump = true;
        } else if bytes == b"--exact" {
            exact = true;
        } else if bytes == b"alpha" {
            err.write_all(b"Alpha processor support is deprecated\n")?;
            return Ok(1);
        } else if bytes == b"ia64" {
            err.write_all(b"IA64 processor support is deprecated\n")?;
        } else {
            if name.is_some() {
                err.write_all(b"Two syscall names not allowed\n")?;
                return usage(err);
            }
            name = Some(bytes);
        }
    }

    let machine = match machine {
        Some(m) => m,
        None => match Machine::detect() {
            Ok(m) => m,
            Err(_) => {
                err.write_all(b"Unable to detect machine type\n")?;
                return Ok(1);
            }
        },
    };
    // libaudit's names where it has one, the kernel's elsewhere.
    let pairs = compat::pairs(machine);
    let table_name = libaudit_name(machine);

    if dump {
        writeln!(out, "Using {table_name} syscall table:")?;
        for (nr, sc) in &pairs {
            writeln!(out, "{nr}\t{sc}")?;
        }
        return Ok(0);
    }

    if let Some(wanted) = name {
        if exact {
            let found = std::str::from_utf8(wanted)
                .ok()
                .and_then(|s| compat::number(machine, s));
            return match found {
                Some(nr) => {
                    writeln!(out, "{nr}")?;
                    Ok(0)
                }
                None => unknown_name(err, wanted, table_name),
            };
        }
        let mut found = false;
        for &(nr, sc) in &pairs {
            if contains_ignore_ascii_case(sc.as_bytes(), wanted) {
                found = true;
                writeln!(out, "{sc:<18} {nr}")?;
            }
        }
        return if found {
            Ok(0)
        } else {
            unknown_name(err, wanted, table_name)
        };
    }

    if number != -1 {
        let found = u32::try_from(number)
            .ok()
            .and_then(|n| compat::name(machine, n));
        return match found {
            Some(sc) => {
                writeln!(out, "{sc}")?;
                Ok(0)
            }
            None => {
                writeln!(
                    err,
                    "Unknown syscall {number} using {table_name} lookup table"
                )?;
                Ok(1)
            }
        };
    }

    err.write_all(
        b"Error - either a syscall name or number must be given with an optional arch\n",
    )?;
    Ok(1)
}

fn unknown_name(err: &mut dyn Write, name: &[u8], table_name: &str) -> io::Result<u8> {
    err.write_all(b"Unknown syscall ")?;
    err.write_all(name)?;
    writeln!(err, " using {table_name} lookup table")?;
    Ok(1)
}

/// The name libaudit prints for a machine (it calls its ARM machine
/// `armeb`); ours for machines libaudit does not have.
fn libaudit_name(machine: Machine) -> &'static str {
    machine.libaudit_name().unwrap_or(machine.name())
}

/// `(int) strtol(s, NULL, 10)` for a string starting with a digit: the
/// leading digits, saturated at `LONG_MAX`, then truncated to 32 bits.
fn c_strtol_decimal(s: &[u8]) -> i32 {
    let mut value: i64 = 0;
    for &b in s.iter().take_while(|b| b.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    value as i32
}

/// `strcasestr(haystack, needle) != NULL` for ASCII.
fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}
