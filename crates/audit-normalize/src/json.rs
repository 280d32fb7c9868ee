//! Events as JSON, losing nothing, and back (feature `serde`); and a compact
//! form for log pipelines.
//!
//! Both are written straight to a writer by [`JsonWriter`], one line per
//! event, without building a tree: memory stays within a small constant of
//! one event's size. [`event_to_json`] builds the lossless form as a
//! `serde_json::Value` for callers who want one.
//!
//! # The lossless schema
//!
//! An event becomes one JSON object (members in this order: sorted):
//!
//! ```text
//! { "id": {"sec": 1700000000, "milli": 123, "serial": 42},
//!   "node": "host" | null,
//!   "records": [
//!     { "type": 1300, "type_name": "SYSCALL", "line": 1, "offset": 0, "source": 0,
//!       "text": "type=SYSCALL msg=audit(...): arch=c000003e syscall=59 ...",
//!       "fields": [ {"name": "type", "value": "SYSCALL", "ftype": 0},
//!                   {"name": "syscall", "value": 59, "ftype": 2, "interp": "execve"}, ... ],
//!       "enriched": [ {"name": "ARCH", "value": "x86_64"}, ... ] },
//!     ... ],
//!   "normalized": { ... } }
//! ```
//!
//! - Byte strings (names, values, lines) are JSON strings when they are UTF-8,
//!   and `{"hex": "..."}` (the bytes in hexadecimal) when they are not.
//! - A raw value that is a decimal integer written the canonical way (`59`,
//!   `-13`, `0`; not `007` or `+1`) is a JSON number; every other value is a
//!   byte string; libauparse's NULL value (a broken hex `key`) is `null`.
//! - `type` is the record type number (`null` when the name is unknown),
//!   `ftype` libauparse's `AUPARSE_TYPE_*` number of the field, `interp` the
//!   interpretation (absent where libauparse gives none); `enriched` the
//!   interpretations an ENRICHED log carries after 0x1D.
//! - `line`, `offset` and `source` say where the record was read: its line
//!   number and byte offset in its source, and the index of that source in a
//!   read of several files (absent when there was one source).
//! - `text` is the record's line: it alone decides the record when the JSON
//!   is read back ([`event_from_json`]), with `line`, `offset` and `source`;
//!   everything else is derived from it.
//! - `normalized` ([`JsonOptions::normalized`]) is the normalizer's view:
//!   every position as `{"record", "field", "name", "value", "interp"}` (or
//!   `{"record", "field", "error"}` when it does not resolve).
//!
//! # The compact schema
//!
//! [`JsonWriter::write_compact`]: one object per event, for shipping to a
//! log pipeline; what the records say, once, and the interpretations that
//! say more than the raw values, without the record lines themselves:
//!
//! ```text
//! {"id":"1700000000.123:42","node":"host",
//!  "SYSCALL":{"arch":"c000003e","ARCH":"x86_64","syscall":59,"SYSCALL":"execve",
//!             "success":"yes","exit":0,"a0":"55d1","a1":"55d2",...,"auid":1000,
//!             "AUID":"alice","uid":0,"UID":"root",...,"comm":"ls","exe":"/usr/bin/ls",
//!             "key":"(null)"},
//!  "EXECVE":{"argc":2,"argv":["ls","-l"]},
//!  "CWD":{"cwd":"/root"},
//!  "PATH":[{"item":0,"name":"/usr/bin/ls","inode":1234,...,"mode":"0100755",
//!           "ouid":0,"OUID":"root",...},{"item":1,...}],
//!  "PROCTITLE":{"proctitle":["ls","-l"]},
//!  "sentence":"alice, acting as root, successfully executed /usr/bin/ls"}
//! ```
//!
//! - `id` is `SECONDS.MILLISECONDS:SERIAL`; `node` is there when the
//!   records carry one.
//! - Each record is a member named by its type. Several records of one type
//!   are an array of objects, in event order, at the place where the type
//!   first appears; an `EOE` record without fields is left out (it only
//!   marks the end of the event).
//! - A record's fields are members in their order, without the leading
//!   `node` and `type`. A value is a JSON number where the field is decimal
//!   (ids, counts, exit codes, pids...) and its value a canonical integer;
//!   hexadecimal and octal values (`arch`, `a0`..`a3`, `mode`...) stay
//!   strings. Quoted values lose their quotes; text the kernel encodes
//!   (quoted or hex: `comm`, `exe`, `name`, `cwd`, `key`...) is written
//!   decoded.
//! - Beside a raw value comes its interpretation under the upper-case name
//!   (`uid` + `UID`), for the fields auditd's ENRICHED format interprets
//!   (user and group ids, `syscall`, `arch`, `saddr`) or, with
//!   [`CompactOptions::every_interpretation`], for every field; only where
//!   it says more than the value: not for a value that interprets as
//!   itself, nor where it only adds `0x`. In an ENRICHED log the
//!   interpretations are the ones it carries.
//! - The `EXECVE` records of an event become one object, `argc` and the
//!   arguments put back together as `argv` (an array), when they hold
//!   nothing else and the list is whole; else they are written as records.
//!   A `PROCTITLE`'s `proctitle` is the array of the title's arguments.
//! - Byte strings that are not UTF-8 are `{"hex":"..."}` as in the lossless
//!   schema; a key that is not UTF-8 is `hex:` and its bytes in hex. A name
//!   that comes again in one record (or an interpretation's name that is
//!   also a field's) gets `#2`, `#3`... appended, so that no member is lost
//!   to a reader that keeps one value per name.
//! - `sentence` ([`CompactOptions::sentence`]) is the normalizer's sentence
//!   as `ausearch --format text` prints it, without the time and node it
//!   begins with.
//!
//! ```
//! use audit_normalize::json::{event_from_json, event_to_json, JsonOptions};
//! use audit_normalize::NormalizeContext;
//! use audit_parse::{Event, Record};
//!
//! let rec = Record::parse(b"type=PATH msg=audit(1.002:3): item=0 name=\"/tmp/\xff\" mode=0100644").unwrap();
//! let ev = Event::from_records(vec![rec]);
//! let mut ctx = NormalizeContext::default();
//! let v = event_to_json(&ev, &mut ctx, &JsonOptions::default());
//! assert_eq!(v["records"][0]["fields"][1]["value"], 0);
//! assert_eq!(v["records"][0]["fields"][2]["value"]["hex"], "222f746d702fff22");
//! assert_eq!(v["normalized"]["object"]["kind"], "unknown");
//! let back = event_from_json(&v).unwrap();
//! assert_eq!(back, ev);
//! ```

mod compact;
mod lossless;
mod sink;

use crate::{EventCursor, FieldPos, NormalizeContext, NormalizeOptions, Normalized, ObjectKind};
use audit_interpret::SyscallContext;
use audit_parse::{Event, Record, RecordRef, RecordType};
pub use serde_json;
use serde_json::{json, Map, Value};
use std::io;

/// What goes into an event's JSON besides the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonOptions {
    /// Each field's interpretation (`interp`) and type (`ftype`).
    pub interpretations: bool,
    /// The normalizer's view (`normalized`), with these options.
    pub normalized: Option<NormalizeOptions>,
}

impl Default for JsonOptions {
    /// Interpretations and the full normalized view.
    fn default() -> Self {
        Self {
            interpretations: true,
            normalized: Some(NormalizeOptions::All),
        }
    }
}

/// Writes events as JSON Lines straight to a writer, without building a
/// tree: memory stays within a small constant of one event's size, however
/// long its lines (the JSON text goes out in blocks). The lossless schema
/// ([`JsonWriter::write_event`]) is byte for byte what `serde_json` writes
/// for [`event_to_json`]'s tree.
///
/// ```
/// use audit_normalize::json::{event_to_json, serde_json, JsonOptions, JsonWriter};
/// use audit_normalize::NormalizeContext;
/// use audit_parse::{Event, Record};
///
/// let rec = Record::parse(b"type=CWD msg=audit(1.002:3): cwd=\"/tmp\"").unwrap();
/// let ev = Event::from_records(vec![rec]);
/// let mut ctx = NormalizeContext::default();
/// let mut out = Vec::new();
/// JsonWriter::new().write_event(&mut out, &ev, &mut ctx, &JsonOptions::default()).unwrap();
/// let tree = event_to_json(&ev, &mut ctx, &JsonOptions::default());
/// assert_eq!(out, format!("{}\n", serde_json::to_string(&tree).unwrap()).into_bytes());
/// ```
#[derive(Debug, Default)]
pub struct JsonWriter {
    /// The block buffer, kept across events.
    buf: Vec<u8>,
    /// Where interpretations are made, kept across events.
    scratch: Vec<u8>,
    /// The compact writer's buffers.
    compact: compact::Scratch,
}

impl JsonWriter {
    /// A writer with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `event` in the lossless schema (see the module documentation)
    /// and a newline to `w`. The text goes to `w` in blocks of 64 KiB and
    /// the last part at the end of the event, so `w` need not be buffered
    /// for memory's sake (a `BufWriter` still saves system calls).
    pub fn write_event<W: io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        event: &Event,
        ctx: &mut NormalizeContext,
        opts: &JsonOptions,
    ) -> io::Result<()> {
        let mut s = sink::Sink::new(w, std::mem::take(&mut self.buf));
        lossless::write_event(&mut s, event, ctx, opts, &mut self.scratch);
        s.byte(b'\n');
        let (buf, result) = s.finish();
        self.buf = buf;
        self.shrink();
        result
    }

    /// Writes `event` in the compact schema (see the module documentation)
    /// and a newline to `w`, in blocks as [`JsonWriter::write_event`] does.
    /// Interpretations are made without escaping (JSON escapes what needs
    /// it); the context's escape mode is restored for the sentence.
    ///
    /// ```
    /// use audit_normalize::json::{CompactOptions, JsonWriter};
    /// use audit_normalize::NormalizeContext;
    /// use audit_parse::{Event, Record};
    ///
    /// let rec = Record::parse(b"type=CWD msg=audit(1.002:3): cwd=2F746D702F6120620A").unwrap();
    /// let ev = Event::from_records(vec![rec]);
    /// let mut out = Vec::new();
    /// JsonWriter::new()
    ///     .write_compact(&mut out, &ev, &mut NormalizeContext::default(), &CompactOptions::default())
    ///     .unwrap();
    /// assert_eq!(out, b"{\"id\":\"1.002:3\",\"CWD\":{\"cwd\":\"/tmp/a b\\n\"}}\n");
    /// ```
    pub fn write_compact<W: io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        event: &Event,
        ctx: &mut NormalizeContext,
        opts: &CompactOptions,
    ) -> io::Result<()> {
        let mut s = sink::Sink::new(w, std::mem::take(&mut self.buf));
        compact::write_event(&mut s, event, ctx, opts, &mut self.compact);
        s.byte(b'\n');
        let (buf, result) = s.finish();
        self.buf = buf;
        self.shrink();
        result
    }

    /// Gives back buffers a very long event made large (they are kept
    /// across events only up to a few blocks).
    fn shrink(&mut self) {
        const KEEP: usize = 1 << 20;
        if self.buf.capacity() > KEEP {
            self.buf = Vec::new();
        }
        if self.scratch.capacity() > KEEP {
            self.scratch = Vec::new();
        }
        self.compact.shrink(KEEP);
    }
}

/// What goes into an event's compact JSON besides the records (see the
/// module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompactOptions {
    /// The normalizer's sentence (`sentence`).
    pub sentence: bool,
    /// Every interpretation that says more than its raw value (`EXIT`,
    /// `MODE`, `A1`, `PERM`...), not only those auditd's ENRICHED format
    /// gives (ids, syscall, architecture, socket address).
    pub every_interpretation: bool,
}

/// Why JSON could not be read back into an event: what and where.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// Not JSON at all.
    #[error("not valid JSON: {0}")]
    Syntax(#[from] serde_json::Error),
    /// A member is missing or has the wrong kind of value.
    #[error("{at}: expected {expected}")]
    Shape {
        /// Where, as a path (`records[2].text`).
        at: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// A record's text is not a record.
    #[error("{at}: {source}")]
    Record {
        /// Where (`records[2].text`).
        at: String,
        /// The parser's error.
        source: audit_parse::ParseError,
    },
    /// The event's `id` or `node` is not the one its records carry.
    #[error("{at}: does not match the records")]
    Mismatch {
        /// Which member (`id` or `node`).
        at: &'static str,
    },
}

/// A byte string as JSON: a string when it is UTF-8, else `{"hex": ...}`.
pub fn bytes_to_json(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => Value::String(s.to_owned()),
        Err(_) => {
            let mut hex = String::with_capacity(b.len() * 2);
            for &x in b {
                hex.push(char::from(b"0123456789abcdef"[usize::from(x >> 4)]));
                hex.push(char::from(b"0123456789abcdef"[usize::from(x & 15)]));
            }
            json!({ "hex": hex })
        }
    }
}

/// The bytes of a JSON byte string ([`bytes_to_json`]'s inverse).
pub fn bytes_from_json(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Object(m) if m.len() == 1 => {
            let h = m.get("hex")?.as_str()?.as_bytes();
            if h.len() % 2 != 0 {
                return None;
            }
            h.chunks(2)
                .map(|p| {
                    let d = |c: u8| (c as char).to_digit(16);
                    Some((d(p[0])? * 16 + d(p[1])?) as u8)
                })
                .collect()
        }
        _ => None,
    }
}

/// A raw value: a number when it is a canonical decimal integer.
fn value_to_json(v: &[u8]) -> Value {
    let digits = v.strip_prefix(b"-").unwrap_or(v);
    let canonical = !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || digits.len() == 1)
        && v != b"-0";
    if canonical {
        let s = std::str::from_utf8(v).unwrap_or("");
        if let Ok(n) = s.parse::<i64>() {
            return Value::from(n);
        }
        if let Ok(n) = s.parse::<u64>() {
            return Value::from(n);
        }
    }
    bytes_to_json(v)
}

fn record_to_json(rec: RecordRef<'_>, ctx: &mut NormalizeContext, opts: &JsonOptions) -> Value {
    let mut m = Map::new();
    m.insert(
        "type".into(),
        rec.record_type().map_or(Value::Null, |t| Value::from(t.0)),
    );
    m.insert("type_name".into(), bytes_to_json(rec.type_text()));
    m.insert("line".into(), Value::from(rec.line()));
    m.insert("offset".into(), Value::from(rec.offset()));
    if let Some(source) = rec.source_index() {
        m.insert("source".into(), Value::from(source));
    }
    m.insert("text".into(), bytes_to_json(rec.text()));
    let sctx = SyscallContext::of_record(rec);
    let rtype = rec.record_type().unwrap_or(RecordType(0));
    let mut fields = Vec::with_capacity(rec.field_count());
    let it = ctx.interpreter_mut();
    for f in rec.fields() {
        let mut fm = Map::new();
        fm.insert("name".into(), bytes_to_json(f.name()));
        fm.insert(
            "value".into(),
            f.value_opt().map_or(Value::Null, value_to_json),
        );
        if opts.interpretations {
            let ty = audit_interpret::field_type(rtype, f.name(), f.value());
            fm.insert("ftype".into(), Value::from(ty.as_u32()));
            let mut out = Vec::new();
            if it.interpret_field_with(rec, &sctx, &f, &mut out).is_some() {
                if let Some(z) = memchr::memchr(0, &out) {
                    out.truncate(z);
                }
                fm.insert("interp".into(), bytes_to_json(&out));
            }
        }
        fields.push(Value::Object(fm));
    }
    m.insert("fields".into(), Value::Array(fields));
    if rec.interpretation_text().is_some() {
        let en: Vec<Value> = rec
            .interpretations()
            .map(|f| json!({ "name": bytes_to_json(f.name()), "value": bytes_to_json(f.value()) }))
            .collect();
        m.insert("enriched".into(), Value::Array(en));
    }
    Value::Object(m)
}

/// `event` as JSON (see the module documentation).
pub fn event_to_json(event: &Event, ctx: &mut NormalizeContext, opts: &JsonOptions) -> Value {
    let id = event.id();
    let mut m = Map::new();
    m.insert(
        "id".into(),
        json!({ "sec": id.sec, "milli": id.milli, "serial": id.serial }),
    );
    m.insert(
        "node".into(),
        event.node().map_or(Value::Null, bytes_to_json),
    );
    let records: Vec<Value> = event.iter().map(|r| record_to_json(r, ctx, opts)).collect();
    m.insert("records".into(), Value::Array(records));
    if let Some(nopt) = opts.normalized {
        let mut c = ctx.cursor(event);
        let n = c.normalize(nopt);
        m.insert("normalized".into(), normalized_to_json(&mut c, &n));
    }
    Value::Object(m)
}

fn pos_to_json(c: &mut EventCursor<'_>, pos: Option<FieldPos>) -> Value {
    let Some(p) = pos else { return Value::Null };
    let sought = c.seek(p);
    let mut m = Map::new();
    m.insert("record".into(), Value::from(p.record));
    m.insert("field".into(), Value::from(p.field));
    if let Err(e) = sought {
        m.insert("error".into(), Value::from(e.to_string()));
        return Value::Object(m);
    }
    m.insert(
        "name".into(),
        c.field_name().map_or(Value::Null, bytes_to_json),
    );
    m.insert(
        "value".into(),
        c.field_str().map_or(Value::Null, value_to_json),
    );
    if let Some(mut v) = c.interpret() {
        if let Some(z) = memchr::memchr(0, &v) {
            v.truncate(z);
        }
        m.insert("interp".into(), bytes_to_json(&v));
    }
    Value::Object(m)
}

/// The normalizer's view of the event under `c` (normalized into `n`) as
/// JSON; the fields it points at are read and interpreted through `c`.
pub fn normalized_to_json(c: &mut EventCursor<'_>, n: &Normalized) -> Value {
    let opt_str = |s: Option<&str>| s.map_or(Value::Null, Value::from);
    let opt_bytes = |b: Option<&[u8]>| b.map_or(Value::Null, bytes_to_json);
    let subject_attrs: Vec<Value> = n
        .subject_attributes
        .iter()
        .map(|p| pos_to_json(c, Some(*p)))
        .collect();
    let object_attrs: Vec<Value> = n
        .object_attributes
        .iter()
        .map(|p| pos_to_json(c, Some(*p)))
        .collect();
    json!({
        "status": n.status.code(),
        "event_kind": opt_str(n.event_kind),
        "session": pos_to_json(c, n.session),
        "subject": {
            "primary": pos_to_json(c, n.subject_primary),
            "secondary": pos_to_json(c, n.subject_secondary),
            "kind": opt_str(n.subject_kind),
            "attributes": subject_attrs,
        },
        "action": opt_bytes(n.action.as_deref()),
        "object": {
            "primary": pos_to_json(c, n.object_primary),
            "secondary": pos_to_json(c, n.object_secondary),
            "primary2": pos_to_json(c, n.object_primary2),
            "kind": n.object_kind.as_str(),
            "attributes": object_attrs,
        },
        "results": pos_to_json(c, n.results),
        "how": opt_bytes(n.how.as_deref()),
        "key": pos_to_json(c, n.key),
    })
}

fn shape(at: impl Into<String>, expected: &'static str) -> JsonError {
    JsonError::Shape {
        at: at.into(),
        expected,
    }
}

/// Reads an event back from its JSON ([`event_to_json`]'s output): the
/// records are parsed again from their `text`, with their `line`, `offset`
/// and `source`; `id` and `node` must agree with them. Members other than these
/// are derived data and are not read.
pub fn event_from_json(v: &Value) -> Result<Event, JsonError> {
    let obj = v.as_object().ok_or_else(|| shape("event", "an object"))?;
    let recs = obj
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("records", "an array"))?;
    let mut records = Vec::with_capacity(recs.len());
    for (i, r) in recs.iter().enumerate() {
        let at = |m: &str| format!("records[{i}].{m}");
        let text = r
            .get("text")
            .and_then(bytes_from_json)
            .ok_or_else(|| shape(at("text"), "a byte string"))?;
        let num = |m: &str| -> Result<u64, JsonError> {
            match r.get(m) {
                None => Ok(0),
                Some(x) => x
                    .as_u64()
                    .ok_or_else(|| shape(at(m), "an unsigned integer")),
            }
        };
        let (line, offset) = (num("line")?, num("offset")?);
        let source = match r.get("source") {
            None | Some(Value::Null) => None,
            Some(x) => Some(
                x.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| shape(at("source"), "a source index (u32)"))?,
            ),
        };
        let rec = Record::parse_at(&text, line, offset).map_err(|source| JsonError::Record {
            at: at("text"),
            source,
        })?;
        records.push(rec.with_source_index(source));
    }
    let ev = Event::from_records(records);
    if let Some(id) = obj.get("id") {
        let get = |k: &str| id.get(k).and_then(Value::as_u64);
        let e = ev.id();
        if get("sec") != Some(e.sec)
            || get("milli") != Some(u64::from(e.milli))
            || get("serial") != Some(e.serial)
        {
            return Err(JsonError::Mismatch { at: "id" });
        }
    }
    if let Some(node) = obj.get("node") {
        let n = if node.is_null() {
            None
        } else {
            Some(bytes_from_json(node).ok_or_else(|| shape("node", "a byte string or null"))?)
        };
        if n.as_deref() != ev.node() {
            return Err(JsonError::Mismatch { at: "node" });
        }
    }
    Ok(ev)
}

/// [`event_from_json`] on JSON text (one line of JSON Lines).
pub fn event_from_json_str(s: &str) -> Result<Event, JsonError> {
    event_from_json(&serde_json::from_str::<Value>(s)?)
}

impl serde::Serialize for ObjectKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ObjectKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ObjectKind::from_name(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown object kind `{s}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_roundtrip() {
        for b in [&b""[..], b"abc", b"\xff\x00a", "é".as_bytes()] {
            assert_eq!(bytes_from_json(&bytes_to_json(b)).unwrap(), b);
        }
        assert_eq!(bytes_from_json(&json!({"hex": "f"})), None);
        assert_eq!(bytes_from_json(&json!({"hex": "zz"})), None);
    }

    #[test]
    fn typed_numbers() {
        assert_eq!(value_to_json(b"59"), json!(59));
        assert_eq!(value_to_json(b"-13"), json!(-13));
        assert_eq!(value_to_json(b"18446744073709551615"), json!(u64::MAX));
        assert_eq!(value_to_json(b"007"), json!("007"));
        assert_eq!(value_to_json(b"-0"), json!("-0"));
        assert_eq!(
            value_to_json(b"99999999999999999999"),
            json!("99999999999999999999")
        );
        assert_eq!(value_to_json(b"c000003e"), json!("c000003e"));
    }

    #[test]
    fn errors_say_where() {
        let e = event_from_json(&json!({"records": [{"text": 5}]})).unwrap_err();
        assert_eq!(e.to_string(), "records[0].text: expected a byte string");
        let e = event_from_json(&json!({"records": [{"text": "nope"}]})).unwrap_err();
        assert!(e.to_string().starts_with("records[0].text: "), "{e}");
        let e = event_from_json(&json!({"id": {"sec": 1, "milli": 0, "serial": 9},
            "records": [{"text": "type=CWD msg=audit(1.000:1): cwd=\"/\""}]}))
        .unwrap_err();
        assert_eq!(e.to_string(), "id: does not match the records");
        assert!(matches!(
            event_from_json_str("{"),
            Err(JsonError::Syntax(_))
        ));
    }

    #[test]
    fn source_index_is_kept() {
        let mut p = audit_parse::Parser::default();
        p.begin_source(Some(3));
        p.feed(b"type=CWD msg=audit(1.000:1): cwd=\"/\"\ntype=EOE msg=audit(1.000:1): \n");
        let ev = p.next_event().unwrap().unwrap();
        let mut ctx = NormalizeContext::default();
        let v = event_to_json(&ev, &mut ctx, &JsonOptions::default());
        assert_eq!(v["records"][0]["source"], json!(3));
        let back = event_from_json(&v).unwrap();
        assert_eq!(back, ev);
        assert_eq!(back.records()[0].source_index(), Some(3));
        // One source: no member, and none read back.
        let one = Event::from_records(vec![Record::parse(
            b"type=CWD msg=audit(1.000:1): cwd=\"/\"",
        )
        .unwrap()]);
        let v = event_to_json(&one, &mut ctx, &JsonOptions::default());
        assert!(v["records"][0].get("source").is_none());
        assert_eq!(
            event_from_json(&v).unwrap().records()[0].source_index(),
            None
        );
        let e = event_from_json(
            &json!({"records": [{"text": "type=CWD msg=audit(1.000:1): cwd=\"/\"", "source": -1}]}),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "records[0].source: expected a source index (u32)"
        );
    }

    #[test]
    fn object_kind_serde() {
        let v = serde_json::to_value(ObjectKind::CharDev).unwrap();
        assert_eq!(v, json!("character-device"));
        let k: ObjectKind = serde_json::from_value(v).unwrap();
        assert_eq!(k, ObjectKind::CharDev);
        assert!(serde_json::from_value::<ObjectKind>(json!("nope")).is_err());
    }
}
