//! One line per event from the normalizer, as `ausearch --format csv` and
//! `ausearch --format text` print them (auditd 3.0.9).
//!
//! The caller gives the event's local time already formatted (the C tool
//! uses `localtime` and `strftime` in the user's locale), see [`LocalTime`].
//!
//! ```
//! use audit_normalize::{format, NormalizeContext};
//! use audit_parse::{Options, Parser};
//!
//! let mut p = Parser::new(Options::default());
//! p.feed(b"type=DAEMON_START msg=audit(1700000000.000:1): op=start ver=3.0.9 format=raw kernel=6.1 auid=4294967295 pid=9 uid=0 ses=4294967295 res=success\n");
//! p.flush();
//! let ev = p.next_event().unwrap().unwrap();
//! let mut ctx = NormalizeContext::default();
//! let t = format::LocalTime { date: "11/14/23".into(), time: "22:13:20".into(), ..Default::default() };
//! let mut out = Vec::new();
//! format::text_event(&mut ctx.cursor(&ev), Some(&t), &mut out);
//! assert_eq!(out, b"At 22:13:20 11/14/23 system, acting as root, successfully started-audit using init\n");
//! ```

use super::{EventCursor, NormalizeOptions, NormalizeStatus};
use audit_interpret::FieldType;
use audit_parse::RecordType;

/// The parts of an event's local time that the reports print, formatted as
/// `strftime` does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalTime {
    /// `%x`: the date.
    pub date: String,
    /// `%T`: the time.
    pub time: String,
    /// `%Y`.
    pub year: String,
    /// `%m`.
    pub month: String,
    /// `%d`.
    pub day: String,
    /// `%u`: day of the week, 1 (Monday) to 7.
    pub weekday: String,
    /// `%k`: the hour, space padded.
    pub hour: String,
    /// Seconds east of UTC (`tm_gmtoff`).
    pub gmt_offset: i64,
}

/// The extra columns of `ausearch --format csv` (`--extra-keys`,
/// `--extra-labels`, `--extra-obj2`, `--extra-time`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvColumns {
    /// A `KEY` column.
    pub keys: bool,
    /// `SUBJ_LABEL` and `OBJ_LABEL` columns (and attributes are collected).
    pub labels: bool,
    /// An `OBJ2` column.
    pub obj2: bool,
    /// `YEAR`, `MONTH`, `DAY`, `WEEKDAY`, `HOUR`, `MILLI`, `GMT_OFFSET`.
    pub time: bool,
}

/// The header line of the CSV report (with its newline).
pub fn csv_header(cols: CsvColumns) -> String {
    format!(
        "NODE,EVENT,DATE,TIME,{}SERIAL_NUM,EVENT_KIND,SESSION,SUBJ_PRIME,SUBJ_SEC,SUBJ_KIND,{}ACTION,RESULT,OBJ_PRIME,OBJ_SEC,{}{}OBJ_KIND,HOW{}\n",
        if cols.time {
            "YEAR,MONTH,DAY,WEEKDAY,HOUR,MILLI,GMT_OFFSET,"
        } else {
            ""
        },
        if cols.labels { "SUBJ_LABEL," } else { "" },
        if cols.obj2 { "OBJ2," } else { "" },
        if cols.labels { "OBJ_LABEL," } else { "" },
        if cols.keys { ",KEY" } else { "" },
    )
}

/// What `printf("%s", s)` prints: `(null)` for NULL.
fn put(out: &mut Vec<u8>, s: Option<&[u8]>) {
    out.extend_from_slice(s.unwrap_or(b"(null)"));
}

pub(super) fn cut(v: Option<Vec<u8>>) -> Option<Vec<u8>> {
    v.map(|mut v| {
        if let Some(p) = memchr::memchr(0, &v) {
            v.truncate(p);
        }
        v
    })
}

/// Whether a result field's interpretation means success.
pub(super) fn succeeded(c: &mut EventCursor<'_>, item: Option<&[u8]>) -> bool {
    match item {
        Some(b"yes") => true,
        Some(i) if i.starts_with(b"suc") => true,
        Some(b"allow") => c.field_type() == FieldType::Seccomp,
        _ => false,
    }
}

/// The name of the current record's type as libaudit 3.0.9 gives it.
fn type_name(c: &EventCursor<'_>) -> Option<&'static str> {
    c.record()
        .and_then(|r| r.record_type())
        .and_then(|t| t.libaudit_name())
}

/// The attribute named `name` among `attrs`, walked as the report does.
fn labelled(c: &mut EventCursor<'_>, attrs: &[super::FieldPos], name: &[u8], out: &mut Vec<u8>) {
    let mut on = c.seek_to(attrs.first().copied());
    let mut i = 0;
    loop {
        if on && c.field_name() == Some(name) {
            put(out, cut(c.interpret()).as_deref());
            break;
        }
        i += 1;
        on = c.seek_to(attrs.get(i).copied());
        if !on {
            break;
        }
    }
}

/// Appends the CSV line of the event under `c` (a fresh cursor) to `out`, as
/// `ausearch --format csv` prints it; a message for a failed normalization
/// goes to `err`.
pub fn csv_event(
    c: &mut EventCursor<'_>,
    cols: CsvColumns,
    time: Option<&LocalTime>,
    out: &mut Vec<u8>,
    err: &mut Vec<u8>,
) {
    let ev = c.event();
    if ev.node().is_some() {
        put(out, cut(c.interpret()).as_deref());
    }
    out.push(b',');
    let tname = type_name(c);
    if let Some(t) = tname {
        out.extend_from_slice(t.as_bytes());
    }
    out.push(b',');
    let opt = if cols.labels {
        NormalizeOptions::All
    } else {
        NormalizeOptions::NoAttributes
    };
    let n = c.normalize(opt);
    let column = |out: &mut Vec<u8>, s: Option<&str>| {
        if let Some(s) = s {
            out.extend_from_slice(s.as_bytes());
        }
        out.push(b',');
    };
    column(out, time.map(|t| t.date.as_str()));
    column(out, time.map(|t| t.time.as_str()));
    if cols.time {
        column(out, time.map(|t| t.year.as_str()));
        column(out, time.map(|t| t.month.as_str()));
        column(out, time.map(|t| t.day.as_str()));
        column(out, time.map(|t| t.weekday.as_str()));
        column(out, time.map(|t| t.hour.as_str()));
        out.extend_from_slice(ev.id().milli.to_string().as_bytes());
        out.push(b',');
        let off = time.map(|t| {
            let total = t.gmt_offset.unsigned_abs();
            let hour = total / 3600;
            // (The C tool takes the remainder of the seconds by 60 here.)
            let min = (total - hour * 3600) % 60;
            format!(
                "{}{:02}:{:02}",
                if t.gmt_offset >= 0 { '+' } else { '-' },
                hour,
                min
            )
        });
        column(out, off.as_deref());
    }
    out.extend_from_slice(format!("{},", ev.id().serial).as_bytes());
    if n.status == NormalizeStatus::Failed {
        err.extend_from_slice(b"error normalizing ");
        put(err, tname.map(str::as_bytes));
        err.push(b'\n');
        out.extend_from_slice(b",,,,,,,,,");
        if cols.labels {
            out.extend_from_slice(b",,");
        }
        if cols.keys {
            out.push(b',');
        }
        out.push(b'\n');
        return;
    }
    out.extend_from_slice(n.event_kind.unwrap_or("unknown").as_bytes());
    out.push(b',');
    if c.seek_to(n.session) {
        put(out, cut(c.interpret()).as_deref());
    }
    out.push(b',');
    if c.seek_to(n.subject_primary) {
        let s = cut(c.interpret());
        match s.as_deref() {
            Some(b"unset") => out.extend_from_slice(b"system"),
            s => put(out, s),
        }
    }
    out.push(b',');
    if c.seek_to(n.subject_secondary) {
        put(out, cut(c.interpret()).as_deref());
    }
    out.push(b',');
    if let Some(k) = n.subject_kind {
        out.extend_from_slice(k.as_bytes());
    }
    out.push(b',');
    if cols.labels {
        labelled(c, &n.subject_attributes, b"subj", out);
        out.push(b',');
    }
    let action = n.action.as_deref();
    out.extend_from_slice(action.unwrap_or(b"did-unknown"));
    out.push(b',');
    if c.seek_to(n.results) {
        let item = cut(c.interpret());
        let ok = succeeded(c, item.as_deref());
        out.extend_from_slice(if ok { b"success" } else { b"failed" });
    }
    out.push(b',');
    if c.seek_to(n.object_primary) {
        let val = if c.field_type() == FieldType::EscapedFile {
            cut(c.interpret_realpath())
        } else if c.record().and_then(|r| r.record_type()) == Some(RecordType::CONFIG_CHANGE) {
            if matches!(action, Some(b"set") | Some(b"seccomp-logging")) {
                c.field_name().map(<[u8]>::to_vec)
            } else {
                cut(c.interpret())
            }
        } else {
            cut(c.interpret())
        };
        put(out, val.as_deref());
    }
    out.push(b',');
    if c.seek_to(n.object_secondary) {
        put(out, cut(c.interpret()).as_deref());
    }
    out.push(b',');
    if cols.obj2 {
        if c.seek_to(n.object_primary2) {
            let val = if c.field_type() == FieldType::EscapedFile {
                cut(c.interpret_realpath())
            } else {
                cut(c.interpret())
            };
            put(out, val.as_deref());
        }
        out.push(b',');
    }
    if cols.labels {
        labelled(c, &n.object_attributes, b"obj", out);
        out.push(b',');
    }
    out.extend_from_slice(n.object_kind.as_str().as_bytes());
    out.push(b',');
    if let Some(h) = &n.how {
        out.extend_from_slice(h);
    }
    if cols.keys {
        out.push(b',');
        if c.seek_to(n.key) {
            put(out, cut(c.interpret()).as_deref());
        }
    }
    out.push(b'\n');
}

/// Appends the sentence of the event under `c` (a fresh cursor) to `out`, as
/// `ausearch --format text` prints it. `time` gives `%T` and `%x` (`None`
/// prints `?`, as when `localtime` fails).
pub fn text_event(c: &mut EventCursor<'_>, time: Option<&LocalTime>, out: &mut Vec<u8>) {
    let stamp = match time {
        Some(t) => format!("{} {}", t.time, t.date),
        None => "?".to_owned(),
    };
    let rtype = c.record_type();
    let n = c.normalize(NormalizeOptions::NoAttributes);
    if c.event().node().is_some() {
        out.extend_from_slice(b"On ");
        put(out, cut(c.interpret()).as_deref());
        out.extend_from_slice(format!(" at {stamp} ").as_bytes());
    } else {
        out.extend_from_slice(format!("At {stamp} ").as_bytes());
    }
    let mut id = -2;
    if c.seek_to(n.subject_primary) {
        let s = cut(c.interpret());
        id = c.field_int().unwrap_or(-1);
        match s.as_deref() {
            Some(b"unset") => out.extend_from_slice(b"system"),
            s => put(out, s),
        }
    }
    if c.seek_to(n.subject_secondary) {
        let uid = c.field_int().unwrap_or(-1);
        if uid != id && id != -2 && uid != -1 {
            out.extend_from_slice(b", acting as ");
            put(out, cut(c.interpret()).as_deref());
            out.push(b',');
        }
    }
    if c.seek_to(n.results) {
        let item = cut(c.interpret());
        let ok = succeeded(c, item.as_deref());
        out.extend_from_slice(if ok {
            b" successfully "
        } else {
            b" unsuccessfully "
        });
    } else {
        out.push(b' ');
    }
    let action = n.action.as_deref();
    out.extend_from_slice(action.unwrap_or(b"did-unknown"));
    out.push(b' ');
    if c.seek_to(n.object_primary) {
        let mut val: Option<Vec<u8>> = None;
        if action.is_some_and(|a| memchr::memmem::find(a, b"violated").is_some()) {
            val = Some(b"accessing ".to_vec());
        }
        let ftype = c.field_type();
        if ftype == FieldType::EscapedFile {
            val = cut(c.interpret_realpath());
        } else if ftype == FieldType::Sockaddr {
            val = c
                .interpret_sock_address()
                .or_else(|| c.interpret_sock_family());
        } else if rtype == Some(RecordType::CONFIG_CHANGE) {
            val = if matches!(action, Some(b"set") | Some(b"seccomp-logging")) {
                c.field_name().map(<[u8]>::to_vec)
            } else {
                cut(c.interpret())
            };
        }
        if val.is_none() {
            val = cut(c.interpret());
        }
        put(out, val.as_deref());
        out.push(b' ');
    }
    if c.seek_to(n.object_primary2) {
        let val = if c.field_type() == FieldType::EscapedFile {
            cut(c.interpret_realpath())
        } else {
            cut(c.interpret())
        };
        out.extend_from_slice(b"to ");
        put(out, val.as_deref());
        out.push(b' ');
    }
    if let (Some(h), Some(a)) = (&n.how, action) {
        if a.first() != Some(&b'e') {
            out.extend_from_slice(b"using ");
            out.extend_from_slice(h);
        }
    }
    out.push(b'\n');
}
