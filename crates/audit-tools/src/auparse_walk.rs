//! `auparse-walk`: walk every event of an audit log and print each record and field,
//! in the format the differential tests compare with a C walker over libauparse:
//!
//! ```text
//! event <sec>.<msec>:<serial> node=<node or -> records=<n>
//!  record <i> type=<number>(<name or UNKNOWN>) fields=<n>
//!   <name>=<raw value>
//! ```
//!
//! With `--interpret`, each field line ends with ` => <interpretation>`, as
//! `auparse_interpret_field` gives it (`(null)` where it gives NULL).
//!
//! Usage: `auparse-walk [--chunk N] [--interpret] [FILE|-]` (stdin when no file or `-`;
//! a file whose name starts with `-` after `--`; `--help` prints this usage). The log is fed to
//! the parser in chunks of N bytes (default 65536, as the C walker does; 1 to 16 MiB), so event
//! order is the one libauparse gives for the same chunking. Lines that are not records
//! are reported on stderr with their line number and byte offset.
//!
//! Exit status: 0 walked, 1 the input not read (named, with the byte offset where a
//! read failed) or standard output not written (named; a closed pipe ends it quietly
//! with 0, see [`crate::output`]), 2 a bad argument (an unknown option is named).
//!
//! Differences from the C walker over libauparse 3.0.9 beyond those the differential
//! tests apply (`audit_testlock::libauparse::Deliberate`), kept on purpose because
//! libauparse silently changes or drops data there:
//!
//! - A NUL byte inside a line: libauparse ends the record at the NUL (the fields
//!   after it are lost); we keep the whole line, the NUL inside the field it is in.
//! - A time stamp cut short, as `msg=audit(1795307482.5` at the end of a line:
//!   libauparse makes an event `1795307482.005:0` of it; we report the line as an
//!   error (line number, byte offset) and make no event.
//!
//! The binary `auparse-walk` is [`main`]; the example of the same name is an alias.
use audit_interpret::Interpreter;
use audit_parse::{Event, Field, Options, Parser};
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use crate::output::say;

fn write_event(
    out: &mut impl Write,
    ev: &Event,
    mut interpreter: Option<&mut Interpreter>,
    buf: &mut Vec<u8>,
) -> io::Result<()> {
    let id = ev.id();
    write!(out, "event {}.{:03}:{} node=", id.sec, id.milli, id.serial)?;
    out.write_all(ev.node().unwrap_or(b"-"))?;
    writeln!(out, " records={}", ev.len())?;
    for (i, rec) in ev.iter().enumerate() {
        let name = rec
            .record_type()
            .and_then(|t| t.name())
            .unwrap_or("UNKNOWN");
        writeln!(
            out,
            " record {} type={}({}) fields={}",
            i + 1,
            rec.type_number(),
            name,
            rec.field_count()
        )?;
        match interpreter.as_deref_mut() {
            // Every field interpreted in one walk of the record (the syscall
            // context worked out only if a field needs it).
            Some(it) => {
                let mut written = Ok(());
                it.interpret_record(rec, buf, |f, ty, text| {
                    if written.is_ok() {
                        written = write_field(out, f, Some(ty.map(|_| text)));
                    }
                });
                written?;
            }
            None => {
                for f in rec.fields() {
                    write_field(out, &f, None)?;
                }
            }
        }
    }
    Ok(())
}

/// One field line: `  name=value`, then ` => interpretation` (`(null)` for none)
/// when `interpretation` is given.
fn write_field(
    out: &mut impl Write,
    f: &Field<'_>,
    interpretation: Option<Option<&[u8]>>,
) -> io::Result<()> {
    out.write_all(b"  ")?;
    out.write_all(f.name())?;
    out.write_all(b"=")?;
    out.write_all(f.value_opt().unwrap_or(b"(null)"))?;
    if let Some(text) = interpretation {
        out.write_all(b" => ")?;
        out.write_all(text.unwrap_or(b"(null)"))?;
    }
    out.write_all(b"\n")
}

/// The largest `--chunk`: the read buffer is allocated whole up front, and
/// chunks past a few MiB change nothing but memory.
const MAX_CHUNK: usize = 16 << 20;

/// The value of `--chunk`: a number of bytes from 1 to [`MAX_CHUNK`].
fn chunk_size(value: Option<&str>) -> Result<usize, String> {
    let value = value.ok_or("--chunk needs a number of bytes")?;
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("--chunk {value}: not a number of bytes"));
    }
    // All digits: a parse error can only be an overflow.
    match value.parse::<usize>() {
        Ok(n) if (1..=MAX_CHUNK).contains(&n) => Ok(n),
        _ => Err(format!(
            "--chunk {value}: out of range (1 to {MAX_CHUNK} bytes)"
        )),
    }
}

const USAGE: &str = "usage: auparse-walk [--chunk N] [--interpret] [FILE|-]\n";

/// A bad argument: the usage on standard error, exit status 2.
fn usage() -> ExitCode {
    say(format_args!("{USAGE}"));
    ExitCode::from(2)
}

/// The exit status for a failed write of standard output.
fn write_failed(e: &io::Error) -> ExitCode {
    ExitCode::from(crate::output::write_failed_to_stderr("auparse-walk", e))
}

/// The program: [`run`] with the process's arguments.
pub fn main() -> ExitCode {
    match crate::text_args("auparse-walk") {
        Ok(args) => run(args),
        Err(code) => code,
    }
}

/// The whole program with `args` (without the program's name): walks the file (or
/// standard input) to standard output and returns the exit status (2 for a bad
/// argument, 1 when the input cannot be read or the output written; a closed pipe
/// on standard output ends it quietly with 0, see [`crate::output`]).
pub fn run(args: Vec<String>) -> ExitCode {
    let mut chunk = 65536usize;
    let mut interpreter: Option<Interpreter> = None;
    let mut path: Option<String> = None;
    let mut args = args.into_iter();
    let mut options_done = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            _ if options_done => {}
            "--" => {
                options_done = true;
                continue;
            }
            "--chunk" => {
                match chunk_size(args.next().as_deref()) {
                    Ok(n) => chunk = n,
                    Err(message) => {
                        say(format_args!("auparse-walk: {message}\n"));
                        return usage();
                    }
                }
                continue;
            }
            "--interpret" => {
                interpreter = Some(Interpreter::new());
                continue;
            }
            "-h" | "--help" => {
                let mut out = io::stdout().lock();
                return match out.write_all(USAGE.as_bytes()).and_then(|()| out.flush()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => write_failed(&e),
                };
            }
            // `-` alone is standard input; a file whose name starts with `-` comes
            // after `--`.
            s if s.starts_with('-') && s != "-" => {
                say(format_args!("auparse-walk: unknown option {s}\n"));
                return usage();
            }
            _ => {}
        }
        if path.is_some() {
            say(format_args!("auparse-walk: more than one file: {a}\n"));
            return usage();
        }
        path = Some(a);
    }
    let (mut input, input_name): (Box<dyn Read>, &str) = match path.as_deref() {
        None | Some("-") => (Box::new(io::stdin().lock()), "standard input"),
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => (Box::new(f), p),
            Err(e) => {
                say(format_args!("auparse-walk: {p}: {e}\n"));
                return ExitCode::FAILURE;
            }
        },
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut parser = Parser::new(Options::default());
    let mut buf = vec![0u8; chunk];
    let mut status = ExitCode::SUCCESS;
    let mut scratch = Vec::new();
    let mut emit = |parser: &mut Parser, out: &mut BufWriter<_>| -> io::Result<()> {
        while let Some(item) = parser.next_event() {
            match item {
                Ok(ev) => write_event(out, &ev, interpreter.as_mut(), &mut scratch)?,
                Err(e) => say(format_args!("auparse-walk: {e}\n")),
            }
        }
        Ok(())
    };
    let mut offset = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // What was read before is still walked.
                say(format_args!(
                    "auparse-walk: {input_name}: read error at byte {offset}: {e}\n"
                ));
                status = ExitCode::FAILURE;
                break;
            }
        };
        offset += n as u64;
        parser.feed(&buf[..n]);
        if let Err(e) = emit(&mut parser, &mut out) {
            return write_failed(&e);
        }
    }
    parser.flush();
    if let Err(e) = emit(&mut parser, &mut out).and_then(|()| out.flush()) {
        return write_failed(&e);
    }
    status
}
