//! `ausearch --format csv|text` from a log file or standard input: one line
//! per event from the normalizer, byte for byte as auditd 3.0.9's ausearch
//! prints them.
//!
//! ```text
//! ausearch-format --format csv|text [--extra-keys] [--extra-labels]
//!                 [--extra-obj2] [--extra-time] [--escape raw|tty|shell|shell_quote]
//!                 [--expr EXPRESSION] [FILE]
//! ```
//!
//! Records are grouped into events the way ausearch groups them (by time
//! stamp, serial and node; an event is complete when a record 2 seconds newer
//! arrives, when its first record is of a one-record type, or at the end of
//! the input), and events come out in time order. Each event is then parsed
//! and normalized as ausearch does through libauparse. `--expr` keeps only
//! the events that match an `audit_search` expression (this is not
//! an ausearch option). Dates and times are the local time of `TZ` in the
//! locale of `LC_ALL`/`LC_TIME`/`LANG`, as ausearch prints them.
//!
//! `FILE` (or `-if FILE`) is read as ausearch reads it: `-` or none is standard
//! input; a directory means its `audit.log` after the rotated `audit.log.N` ...
//! `audit.log.1` (with ausearch's `NOTE - using logs in DIR/audit.log`); a path that
//! is not there gets ausearch's `stat: ...` and one that cannot be opened its
//! `Error opening FILE (...)`, both with status 1.
//!
//! Exit status: 0 when an event was printed, 1 when none was (with
//! `<no matches>` on standard error, as ausearch) or an input could not be
//! opened or read or standard output written, 2 for bad arguments. `--help`
//! prints the usage on standard output.
//!
//! Deliberate differences from ausearch 3.0.9:
//!
//! - A read error in the middle of a file (`EIO`; a directory named `audit.log`):
//!   ausearch stops reading that file with nothing said; this program names the file
//!   and the byte offset after which the read failed and exits 1.
//! - Writing standard output: a closed pipe ends this program quietly with status 0
//!   (ausearch dies of `SIGPIPE`); another write error is named
//!   (`ausearch-format: writing standard output: ...`, status 1) where ausearch
//!   ignores it (see [`crate::output`]).
//! - Memory: ausearch holds every event until it completes, however many (about
//!   190 MB for a 196 MB log of one second's events). This program holds about
//!   [`DEFAULT_HELD_CAP`](audit_search::ausearch_group::DEFAULT_HELD_CAP) bytes
//!   (64 MiB); past that it says so on standard error, naming the file and line,
//!   and hands out the event held longest early: a later record of it starts an
//!   event of its own (see [`Grouper`]).
//! - A log with CRLF line ends: libauparse keeps the `\r` at the end of each
//!   record's last value, so that `key=(null)\r` counts as a key: ausearch prints
//!   `(null)` in the key column of `--extra-keys` (and as the object of a syscall
//!   record, `triggered-audit-rule` for `triggered-unknown-audit-rule`), and `(null)`
//!   in that column for records whose last field is not `key`. Our parser
//!   (`audit_parse`) takes `\r\n` as the line end, so both formats print for a
//!   CRLF log what they print for the same log with LF line ends.
//!
//! The binary `ausearch-format` is [`main`]; the example of the same name is an alias.

use audit_interpret::EscapeMode;
use audit_normalize::format::{csv_event, csv_header, text_event, CsvColumns, LocalTime};
use audit_normalize::NormalizeContext;
use audit_parse::{Options, Parser, RecordType};
use audit_search::ausearch_group::{self, read_piece, Added, GroupedEvent, Grouper};
use audit_search::Expr;
use std::io::{self, BufReader, Read, Write};
use std::process::ExitCode;

use crate::output::say;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Text,
}

struct Args {
    format: Format,
    cols: CsvColumns,
    escape: EscapeMode,
    expr: Option<Expr>,
    file: Option<String>,
}

const USAGE: &str = "usage: ausearch-format --format csv|text [--extra-keys] [--extra-labels] \
     [--extra-obj2] [--extra-time] [--escape raw|tty|shell|shell_quote] [--expr EXPRESSION] \
     [FILE|DIRECTORY|-]\n";

/// A bad argument: `msg` and the usage on standard error, exit status 2.
fn usage(msg: &str) -> ExitCode {
    say(format_args!("ausearch-format: {msg}\n{USAGE}"));
    ExitCode::from(2)
}

/// The arguments, or `None` for `--help`.
fn parse_args(args: Vec<String>) -> Result<Option<Args>, String> {
    let mut format = None;
    let mut cols = CsvColumns::default();
    let mut escape = EscapeMode::Tty;
    let mut expr = None;
    let mut file = None;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--format" => {
                format = Some(match args.next().as_deref() {
                    Some("csv") => Format::Csv,
                    Some("text") => Format::Text,
                    other => return Err(format!("unsupported format {other:?}")),
                })
            }
            "--extra-keys" => cols.keys = true,
            "--extra-labels" => cols.labels = true,
            "--extra-obj2" => cols.obj2 = true,
            "--extra-time" => cols.time = true,
            "--escape" => {
                let v = args.next().unwrap_or_default();
                escape = EscapeMode::from_name(&v).ok_or(format!("unknown escape mode {v:?}"))?;
            }
            "--expr" => {
                let v = args.next().ok_or("--expr needs an expression")?;
                expr = Some(Expr::parse(&v).map_err(|e| format!("bad expression: {e}"))?);
            }
            "-if" | "--input" => file = Some(args.next().ok_or("-if needs a file")?),
            "-h" | "--help" => return Ok(None),
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option {s}")),
            _ if file.is_none() => file = Some(a),
            _ => return Err("more than one file".into()),
        }
    }
    Ok(Some(Args {
        format: format.ok_or("--format csv|text is required")?,
        cols,
        escape,
        expr,
        file,
    }))
}

/// Whether ausearch's own parser of kernel AVC records (which it runs on
/// every event before printing it, and which drops the event when it fails)
/// accepts this line: a `{ permissions }` list must be closed and a
/// `tclass=` must follow. AppArmor's AVC records have neither braces nor
/// `tclass=`, so ausearch never shows them.
fn avc_acceptable(line: &[u8]) -> bool {
    let msg = match memchr::memchr(0x1d, line) {
        Some(p) => &line[..p],
        None => line,
    };
    let mut from = 0;
    if let Some(a) = memchr::memmem::find(msg, b"avc: ") {
        if let Some(open) = memchr::memchr(b'{', &msg[a + 5..]) {
            let perms = a + 5 + open + 1;
            let mut start = perms;
            while msg.get(start) == Some(&b' ') {
                start += 1;
            }
            let Some(close) = memchr::memchr(b'}', &msg[start..]) else {
                return false;
            };
            let mut end = start + close;
            while end > 0 && msg[end - 1] == b' ' {
                end -= 1;
            }
            from = end;
        }
    }
    memchr::memmem::find(&msg[from..], b"tclass=").is_some()
}

/// `strftime(fmt, localtime(sec))` in the user's locale.
#[allow(unsafe_code)] // libc's local time and strftime: no safe crate gives `%x` in the locale
pub(crate) fn local_time(sec: u64) -> Option<LocalTime> {
    let t = libc::time_t::try_from(sec).ok()?;
    // SAFETY: tm is plain data; localtime_r fills it from t and returns NULL
    // on failure.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    if unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
        return None;
    }
    let f = |fmt: &str| -> String {
        let cfmt = std::ffi::CString::new(fmt).expect("no NUL in format");
        let mut buf = [0u8; 20];
        // SAFETY: buf's length is passed; strftime writes at most that many
        // bytes and returns how many it wrote (0 when it does not fit).
        let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), cfmt.as_ptr(), &tm) };
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    Some(LocalTime {
        date: f("%x"),
        time: f("%T"),
        year: f("%Y"),
        month: f("%m"),
        day: f("%d"),
        weekday: f("%u"),
        hour: f("%k"),
        gmt_offset: tm.tm_gmtoff,
    })
}

struct Printer {
    args: Args,
    ctx: NormalizeContext,
    header_done: bool,
    found: bool,
    /// The local time of the last second asked for: events come in bursts
    /// within one second, and `strftime` costs more than the rest of a
    /// short event.
    last_time: Option<(u64, Option<LocalTime>)>,
    out: io::BufWriter<io::Stdout>,
}

impl Printer {
    /// ausearch's `output_event`: the event's lines through the parser, each
    /// resulting event printed.
    fn event(&mut self, b: GroupedEvent) -> io::Result<()> {
        let mut p = Parser::new(Options::default());
        for (rtype, line) in b.lines() {
            // ausearch copies the line with strdup: it ends at a NUL.
            let line = match memchr::memchr(0, line) {
                Some(z) => &line[..z],
                None => line,
            };
            if rtype == Some(RecordType::AVC) && !avc_acceptable(line) {
                return Ok(());
            }
            p.feed(line);
            if line.last() != Some(&b'\n') {
                p.feed(b"\n");
            }
        }
        p.flush();
        let mut events = Vec::new();
        while let Some(item) = p.next_event() {
            if let Ok(ev) = item {
                events.push(ev);
            }
        }
        if let Some(expr) = &self.args.expr {
            let it = self.ctx.interpreter_mut();
            if !events.iter().any(|ev| expr.matches_event(ev, it)) {
                return Ok(());
            }
        }
        self.found = true;
        let mut line = Vec::new();
        let mut err = Vec::new();
        for ev in &events {
            line.clear();
            let sec = ev.id().sec;
            let time = match &self.last_time {
                Some((s, t)) if *s == sec => t,
                _ => &self.last_time.insert((sec, local_time(sec))).1,
            };
            match self.args.format {
                Format::Csv => {
                    if !self.header_done {
                        self.header_done = true;
                        self.out.write_all(csv_header(self.args.cols).as_bytes())?;
                    }
                    csv_event(
                        &mut self.ctx.cursor(ev),
                        self.args.cols,
                        time.as_ref(),
                        &mut line,
                        &mut err,
                    );
                }
                Format::Text => text_event(&mut self.ctx.cursor(ev), time.as_ref(), &mut line),
            }
            self.out.write_all(&line)?;
        }
        if !err.is_empty() {
            self.out.flush()?;
            // A message that cannot be written has nowhere else to go.
            let _ = io::stderr().write_all(&err);
        }
        Ok(())
    }
}

/// Why the program stopped before the end of its input.
enum Stop {
    /// Writing standard output failed.
    Output(io::Error),
    /// An input could not be opened or read: the message for standard error.
    Input(String),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Output(e)
    }
}

/// An error's text as C's `strerror` gives it (without Rust's ` (os error N)`).
fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .map_or(text.clone(), str::to_owned),
        None => text,
    }
}

/// The files to read for `-if PATH`, oldest first, as ausearch picks them: the file
/// itself, or for a directory its `audit.log` after the rotated `audit.log.N` to
/// `audit.log.1` (those readable in an unbroken run from `audit.log` up; the
/// directory's `audit.log` alone when none is, so that opening it says why).
fn input_files(path: &str) -> Result<Vec<String>, Stop> {
    let meta =
        std::fs::metadata(path).map_err(|e| Stop::Input(format!("stat: {}", strerror(&e))))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut base = path.to_owned();
    if !base.ends_with('/') {
        base.push('/');
    }
    base.push_str("audit.log");
    // Written where ausearch writes it: before any event.
    let _ = writeln!(io::stderr(), "NOTE - using logs in {base}");
    let name = |n: usize| {
        if n == 0 {
            base.clone()
        } else {
            format!("{base}.{n}")
        }
    };
    let readable = (0..)
        .take_while(|&n| std::fs::File::open(name(n)).is_ok())
        .count();
    Ok((0..readable.max(1)).rev().map(name).collect())
}

fn print_events(args: Args) -> Result<bool, Stop> {
    let files = match args.file.as_deref() {
        Some(f) if f != "-" => input_files(f)?,
        _ => Vec::new(),
    };
    let mut ctx = NormalizeContext::default();
    ctx.interpreter_mut().set_escape_mode(args.escape);
    let mut pr = Printer {
        args,
        ctx,
        header_done: false,
        found: false,
        last_time: None,
        out: io::BufWriter::new(io::stdout()),
    };
    // Events go on from one file to the next, as in ausearch: the grouper is
    // finished only after the last.
    let mut grouper = Grouper::new();
    let mut line = Vec::with_capacity(ausearch_group::MAX_LINE_BUFFER);
    let mut read = |pr: &mut Printer, input: Box<dyn Read>, name: &str| -> Result<(), Stop> {
        let mut reader = BufReader::with_capacity(1 << 16, input);
        let mut offset = 0u64;
        let lines_before = grouper.lines();
        loop {
            match read_piece(&mut reader, &mut line) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => {
                    return Err(Stop::Input(format!(
                        "ausearch-format: {name}: read error after byte {offset}: {e}"
                    )))
                }
            }
            offset += line.len() as u64;
            match grouper.add_line(&line) {
                Added::Grouped => {
                    if let Some(at) = grouper.take_cap_passed() {
                        let _ = writeln!(
                            io::stderr(),
                            "ausearch-format: warning: {name}: line {}: events waiting to \
                             complete hold more than {} bytes; from here on the oldest are \
                             completed early (a later record of one starts another event)",
                            at - lines_before,
                            grouper.held_cap()
                        );
                    }
                    while let Some(ev) = grouper.next_ready() {
                        pr.event(ev)?;
                    }
                }
                Added::Skipped => {}
                Added::BadTimeStamp(ts) => {
                    let mut msg = b"Error extracting time stamp (".to_vec();
                    msg.extend_from_slice(&ts);
                    msg.extend_from_slice(b")\n");
                    let _ = io::stderr().write_all(&msg);
                }
            }
        }
    };
    let mut result = Ok(());
    if files.is_empty() {
        result = read(&mut pr, Box::new(io::stdin()), "standard input");
    }
    for f in &files {
        result = match std::fs::File::open(f) {
            Ok(input) => read(&mut pr, Box::new(input), f),
            Err(e) => Err(Stop::Input(format!("Error opening {f} ({})", strerror(&e)))),
        };
        if result.is_err() {
            break;
        }
    }
    if let Err(stop) = result {
        // What was printed stays printed (ausearch's stdout is flushed at exit).
        pr.out.flush()?;
        return Err(stop);
    }
    grouper.finish();
    while let Some(ev) = grouper.next_ready() {
        pr.event(ev)?;
    }
    pr.out.flush()?;
    Ok(pr.found)
}

/// The exit status for a failed write of standard output.
fn write_failed(e: &io::Error) -> ExitCode {
    ExitCode::from(crate::output::write_failed_to_stderr("ausearch-format", e))
}

/// The program: the locale of the environment (as ausearch takes it), then [`run`]
/// with the process's arguments.
#[allow(unsafe_code)] // setlocale, before any other thread exists
pub fn main() -> ExitCode {
    // SAFETY: called once at start, before this program starts any other thread;
    // the empty string selects the locale of the environment, as ausearch does.
    unsafe {
        libc::setlocale(libc::LC_ALL, c"".as_ptr());
    }
    match crate::text_args("ausearch-format") {
        Ok(args) => run(args),
        Err(code) => code,
    }
}

/// The whole program with `args` (without the program's name), in the locale the
/// process has: prints the events of the file (or standard input) to standard output
/// and returns the exit status.
pub fn run(args: Vec<String>) -> ExitCode {
    let args = match parse_args(args) {
        Ok(Some(a)) => a,
        Ok(None) => {
            let mut out = io::stdout().lock();
            return match out.write_all(USAGE.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => write_failed(&e),
            };
        }
        Err(m) => return usage(&m),
    };
    match print_events(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            say(format_args!("<no matches>\n"));
            ExitCode::from(1)
        }
        Err(Stop::Output(e)) => write_failed(&e),
        Err(Stop::Input(message)) => {
            say(format_args!("{message}\n"));
            ExitCode::from(1)
        }
    }
}
