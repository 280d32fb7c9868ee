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
//! Exit status: 0 when an event was printed, 1 when none was (with
//! `<no matches>` on standard error, as ausearch), 2 for bad arguments.
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

fn usage(msg: &str) -> ExitCode {
    eprintln!("ausearch-format: {msg}");
    eprintln!(
        "usage: ausearch-format --format csv|text [--extra-keys] [--extra-labels] [--extra-obj2] \
         [--extra-time] [--escape raw|tty|shell|shell_quote] [--expr EXPRESSION] [FILE]"
    );
    ExitCode::from(2)
}

fn parse_args(args: Vec<String>) -> Result<Args, String> {
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
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option {s}")),
            _ if file.is_none() => file = Some(a),
            _ => return Err("more than one file".into()),
        }
    }
    Ok(Args {
        format: format.ok_or("--format csv|text is required")?,
        cols,
        escape,
        expr,
        file,
    })
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
            io::stderr().write_all(&err)?;
        }
        Ok(())
    }
}

fn print_events(args: Args) -> io::Result<bool> {
    let input: Box<dyn Read> = match args.file.as_deref() {
        Some(f) if f != "-" => Box::new(
            std::fs::File::open(f)
                .map_err(|e| io::Error::new(e.kind(), format!("Error opening {f} ({e})")))?,
        ),
        _ => Box::new(io::stdin()),
    };
    let mut reader = BufReader::with_capacity(1 << 16, input);
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
    let mut grouper = Grouper::new();
    let mut line = Vec::with_capacity(ausearch_group::MAX_LINE_BUFFER);
    while read_piece(&mut reader, &mut line)? {
        match grouper.add_line(&line) {
            Added::Grouped => {
                while let Some(ev) = grouper.next_ready() {
                    pr.event(ev)?;
                }
            }
            Added::Skipped => {}
            Added::BadTimeStamp(ts) => {
                let mut msg = b"Error extracting time stamp (".to_vec();
                msg.extend_from_slice(&ts);
                msg.extend_from_slice(b")\n");
                io::stderr().write_all(&msg)?;
            }
        }
    }
    grouper.finish();
    while let Some(ev) = grouper.next_ready() {
        pr.event(ev)?;
    }
    pr.out.flush()?;
    Ok(pr.found)
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
        Ok(a) => a,
        Err(m) => return usage(&m),
    };
    match print_events(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("<no matches>");
            ExitCode::from(1)
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ausearch-format: {e}");
            ExitCode::from(1)
        }
    }
}
