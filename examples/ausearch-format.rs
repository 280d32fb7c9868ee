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
//! the events that match an `audit_interpret::search` expression (this is not
//! an ausearch option). Dates and times are the local time of `TZ` in the
//! locale of `LC_ALL`/`LC_TIME`/`LANG`, as ausearch prints them.
//!
//! Exit status: 0 when an event was printed, 1 when none was (with
//! `<no matches>` on standard error, as ausearch), 2 for bad arguments.

use audit_interpret::normalize::format::{
    csv_event, csv_header, text_event, CsvColumns, LocalTime,
};
use audit_interpret::normalize::NormalizeContext;
use audit_interpret::search::Expr;
use audit_interpret::EscapeMode;
use audit_parse::{Options, Parser};
use audit_wire::RecordType;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::ExitCode;

/// ausearch reads lines with `fgets` into a buffer of this size.
const MAX_AUDIT_MESSAGE_LENGTH: usize = 8970;
/// Seconds after which an event is taken as complete (`end_of_event_timeout`).
const EOE_TIMEOUT: u64 = 2;
const EOE: i64 = 1320;
const AVC: i64 = 1400;

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

fn parse_args() -> Result<Args, String> {
    let mut format = None;
    let mut cols = CsvColumns::default();
    let mut escape = EscapeMode::Tty;
    let mut expr = None;
    let mut file = None;
    let mut args = std::env::args().skip(1);
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

/// An event's time stamp and node as ausearch reads them from a line.
#[derive(Clone, PartialEq, Eq)]
struct Stamp {
    sec: u64,
    milli: u64,
    serial: u64,
    node: Option<Vec<u8>>,
    /// The record type of the line (-1 when unknown).
    rtype: i64,
}

/// C's `strtoul(s, NULL, 10)`: value and whether `errno` stays 0.
fn strtoul(s: &[u8]) -> (u64, bool) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut v: u64 = 0;
    let mut ok = true;
    while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
        match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(n) => v = n,
            None => {
                ok = false;
                v = u64::MAX;
            }
        }
        i += 1;
    }
    if !ok {
        return (u64::MAX, false);
    }
    (if neg { v.wrapping_neg() } else { v }, true)
}

/// libaudit's `audit_name_to_msg_type` (libaudit 3.0.9's names).
fn msg_type(name: &[u8]) -> i64 {
    if let Some(t) = RecordType::from_name_bytes(name).filter(|t| t.libaudit_name().is_some()) {
        return i64::from(t.0);
    }
    let digits = |s: &[u8]| -> i64 {
        let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
        std::str::from_utf8(&s[..n])
            .ok()
            .and_then(|d| d.parse().ok())
            .unwrap_or(0)
    };
    if let Some(rest) = name.strip_prefix(b"UNKNOWN[") {
        let Some(end) = rest.iter().position(|&b| b == b']') else {
            return -1;
        };
        return digits(&rest[..end.min(7)]);
    }
    if name.first().is_some_and(u8::is_ascii_digit) {
        return digits(name);
    }
    -1
}

/// ausearch's `extract_timestamp`: `None` for a line it skips.
fn extract_stamp(line: &[u8]) -> Option<Stamp> {
    let limit = if line.first() == Some(&b'n') { 340 } else { 80 };
    let head = &line[..line.len().min(limit)];
    let mut toks = head.split(|&b| b == b' ').filter(|t| !t.is_empty());
    let mut tok = toks.next()?;
    let mut node = None;
    if tok[0] == b'n' {
        node = Some(tok.get(5..).unwrap_or(b"").to_vec());
        tok = toks.next()?;
    }
    let ttype = tok.get(5..).unwrap_or(b"");
    let msg = toks.next()?;
    // The msg token must be longer than 18 bytes; the stamp is inside it.
    if msg.len() <= 18 {
        return None;
    }
    let open = if msg.get(9) == Some(&b'(') {
        9
    } else {
        memchr::memchr(b'(', msg)?
    };
    let mut ts = &msg[open + 1..];
    if let Some(close) = memchr::memchr(b')', ts) {
        ts = &ts[..close];
    }
    let bad = || {
        eprintln!(
            "Error extracting time stamp ({})",
            String::from_utf8_lossy(ts)
        );
    };
    let (sec, ok) = strtoul(ts);
    if !ok || sec > (i64::MAX as u64) - EOE_TIMEOUT - 1 {
        bad();
        return None;
    }
    let mut s = ts;
    let mut milli = 0;
    if let Some(dot) = memchr::memchr(b'.', s) {
        let (m, ok) = strtoul(&s[dot + 1..]);
        if !ok || m > 999 {
            bad();
            return None;
        }
        milli = m;
        s = &s[dot + 1..];
    }
    let mut serial = 0;
    if let Some(colon) = memchr::memchr(b':', s) {
        let (v, ok) = strtoul(&s[colon + 1..]);
        if !ok {
            bad();
            return None;
        }
        serial = v;
    }
    Some(Stamp {
        sec,
        milli,
        serial,
        node,
        rtype: msg_type(ttype),
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

/// One event being assembled: its stamp (of its first record) and its lines.
struct Building {
    stamp: Stamp,
    /// Each line with its record type.
    lines: Vec<(i64, Vec<u8>)>,
    complete: bool,
}

/// ausearch's list of events under construction.
#[derive(Default)]
struct Lol {
    slots: Vec<Option<Building>>,
}

fn one_record_type(t: i64) -> bool {
    t == 1327 || !(1300..2100).contains(&t) || t == 2000 || (1406..=1419).contains(&t)
}

impl Lol {
    /// `lol_add_record`: false when the line is skipped.
    fn add(&mut self, line: Vec<u8>) -> bool {
        let Some(st) = extract_stamp(&line) else {
            return false;
        };
        for b in self.slots.iter_mut().flatten() {
            if !b.complete
                && b.stamp.sec == st.sec
                && b.stamp.milli == st.milli
                && b.stamp.serial == st.serial
                && b.stamp.node == st.node
            {
                b.lines.push((st.rtype, line));
                return true;
            }
        }
        if st.rtype == EOE {
            return false;
        }
        let sec = st.sec;
        let b = Building {
            lines: vec![(st.rtype, line)],
            stamp: st,
            complete: false,
        };
        match self.slots.iter().position(Option::is_none) {
            Some(i) => self.slots[i] = Some(b),
            None => self.slots.push(Some(b)),
        }
        for b in self.slots.iter_mut().flatten() {
            if !b.complete
                && (b.stamp.sec.saturating_add(EOE_TIMEOUT) <= sec
                    || one_record_type(b.stamp.rtype))
            {
                b.complete = true;
            }
        }
        true
    }

    fn terminate_all(&mut self) {
        for b in self.slots.iter_mut().flatten() {
            b.complete = true;
        }
    }

    /// `get_ready_event`: the oldest event, if it is complete.
    fn ready(&mut self) -> Option<Building> {
        let mut lowest: Option<usize> = None;
        for (i, b) in self.slots.iter().enumerate() {
            let Some(b) = b else { continue };
            let key = (b.stamp.sec, b.stamp.milli, b.stamp.serial);
            match lowest {
                None => lowest = Some(i),
                Some(l) => {
                    let lb = self.slots[l].as_ref().expect("occupied");
                    if (lb.stamp.sec, lb.stamp.milli, lb.stamp.serial) > key {
                        lowest = Some(i);
                    }
                }
            }
        }
        let l = lowest?;
        if self.slots[l].as_ref().is_some_and(|b| b.complete) {
            return self.slots[l].take();
        }
        None
    }
}

/// Lines as `fgets` into a buffer of `MAX_AUDIT_MESSAGE_LENGTH` reads them.
fn next_line(r: &mut impl BufRead, pending: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    let max = MAX_AUDIT_MESSAGE_LENGTH - 1;
    if pending.is_empty() && r.read_until(b'\n', pending)? == 0 {
        return Ok(None);
    }
    let take = pending.len().min(max);
    let line: Vec<u8> = pending.drain(..take).collect();
    Ok(Some(line))
}

/// `strftime(fmt, localtime(sec))` in the user's locale.
fn local_time(sec: u64) -> Option<LocalTime> {
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
    out: io::BufWriter<io::Stdout>,
}

impl Printer {
    /// ausearch's `output_event`: the event's lines through the parser, each
    /// resulting event printed.
    fn event(&mut self, b: Building) -> io::Result<()> {
        let mut lines = Vec::with_capacity(b.lines.len());
        for (rtype, mut line) in b.lines {
            // ausearch copies the line with strdup: it ends at a NUL.
            if let Some(z) = memchr::memchr(0, &line) {
                line.truncate(z);
            }
            if rtype == AVC && !avc_acceptable(&line) {
                return Ok(());
            }
            lines.push(line);
        }
        let mut p = Parser::new(Options::default());
        for mut line in lines {
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            p.feed(&line);
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
            let time = local_time(ev.id().sec);
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

fn run(args: Args) -> io::Result<bool> {
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
        out: io::BufWriter::new(io::stdout()),
    };
    let mut lol = Lol::default();
    let mut pending = Vec::new();
    while let Some(line) = next_line(&mut reader, &mut pending)? {
        if lol.add(line) {
            while let Some(b) = lol.ready() {
                pr.event(b)?;
            }
        }
    }
    lol.terminate_all();
    while let Some(b) = lol.ready() {
        pr.event(b)?;
    }
    pr.out.flush()?;
    Ok(pr.found)
}

fn main() -> ExitCode {
    // SAFETY: called once at start, before any other thread exists; the
    // empty string selects the locale of the environment, as ausearch does.
    unsafe {
        libc::setlocale(libc::LC_ALL, c"".as_ptr());
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(m) => return usage(&m),
    };
    match run(args) {
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
