//! One audit record: a line of text, its event id, its type and its fields.
//!
//! A record's line and fields live in storage it shares with the other records of its
//! event (one text buffer and one field table per event, so that a record costs no
//! allocation of its own); fields are spans into it, so reading a field never
//! allocates. Fields are split the way libauparse splits them, so that a walk over ours
//! prints what a walk over libauparse prints:
//!
//! - the line is cut at the first 0x1D byte; what follows (the ENRICHED format's
//!   interpretations, `AUID="root" UID="root"`) is kept apart, see
//!   [`Record::interpretations`];
//! - tokens are separated by spaces; a token with `=` is a field named by what precedes
//!   its first `=`; `msg=audit(...)` is not a field; `msg='` is dropped from the front
//!   of the first inner field of a user-space record; a leading `(` is dropped from a
//!   name; a trailing `:`, `,`, `'` and `)` (in that order) are dropped from a value
//!   (but `(none)` and `(null)` keep their `)`); a field with an empty value is dropped;
//! - values keep their quotes: `comm="ls"` has the value `"ls"`;
//! - a hex-encoded `key` holding several keys separated by 0x01 becomes one `key` field
//!   per key (each quoted, or hex again when it has unprintable bytes);
//! - in `AVC` and `USER_AVC` records the unlabelled words become `seresult` (`denied`)
//!   and `seperms` (`read,write`).

use crate::error::{ErrorKind, ParseError};
use audit_wire::RecordType;
use core::fmt;
use std::sync::Arc;

/// The time stamp and serial number that identify an event within one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EventId {
    /// Seconds since the epoch.
    pub sec: u64,
    /// Milliseconds, 0..=999.
    pub milli: u32,
    /// The kernel's serial number of the event.
    pub serial: u64,
}

impl fmt::Display for EventId {
    /// `SEC.MSEC:SERIAL`, as in `msg=audit(...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}:{}", self.sec, self.milli, self.serial)
    }
}

/// A range of a store's bytes. While a line is being split, the top bit of `len` marks
/// bytes the splitter made (split keys, `seperms`), kept apart until the split is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

const MADE: u32 = 1 << 31;
/// A value span that stands for libauparse's NULL value.
const NULL_SPAN: Span = Span {
    start: 0,
    len: u32::MAX,
};

impl Span {
    #[inline(always)]
    fn line(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            len: (end - start) as u32,
        }
    }

    fn made(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            len: (end - start) as u32 | MADE,
        }
    }

    /// The span moved by `delta` bytes (NULL stays NULL).
    fn shifted(self, delta: i64) -> Span {
        if self == NULL_SPAN {
            return self;
        }
        Span {
            start: (i64::from(self.start) + delta) as u32,
            len: self.len,
        }
    }
}

/// A field's name and value spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    name: Span,
    /// [`NULL_SPAN`] where libauparse holds a NULL value (a malformed hex key).
    value: Span,
}

/// The bytes and field table of one event's records (or of one record built alone),
/// shared by its records. Two reference-counted slices rather than one counted
/// struct of two boxes: one allocation fewer, and no hop through the count's block to
/// reach the bytes.
#[derive(Clone, Debug)]
struct Store {
    bytes: Arc<[u8]>,
    spans: Arc<[FieldSpan]>,
}

impl Store {
    #[inline(always)]
    fn bytes(&self, s: Span) -> &[u8] {
        let start = s.start as usize;
        self.bytes.get(start..start + s.len as usize).unwrap_or(b"")
    }
}

/// Where one record lives in its store, and what its header said.
#[derive(Clone, Copy, Debug)]
struct Meta {
    /// The line: `bytes[text_start..text_end]`; the bytes the splitter made follow it,
    /// up to `bytes_end`.
    text_start: u32,
    text_end: u32,
    bytes_end: u32,
    /// Main fields are `spans[fields_start..fields_end]`, the ENRICHED interpretations
    /// `spans[fields_end..interp_end]`.
    fields_start: u32,
    fields_end: u32,
    interp_end: u32,
    /// Offset (in the store) of the first byte after 0x1D, when the line has one.
    interp_start: Option<u32>,
    type_span: Span,
    node: Option<Span>,
    record_type: Option<RecordType>,
    id: EventId,
    line: u64,
    offset: u64,
    source: Option<u32>,
}

/// An audit record.
#[derive(Clone)]
pub struct Record {
    store: Store,
    m: Meta,
}

/// A field of a record: a name and its raw value, both bytes.
#[derive(Clone, Copy)]
pub struct Field<'a> {
    record: &'a Record,
    name: &'a [u8],
    value: Option<&'a [u8]>,
    index: usize,
    interpreted_part: bool,
}

impl<'a> Field<'a> {
    #[inline(always)]
    fn new(record: &'a Record, span: &FieldSpan, index: usize, interpreted_part: bool) -> Self {
        let store = &record.store;
        Field {
            record,
            name: store.bytes(span.name),
            value: (span.value.len != NULL_SPAN.len).then(|| store.bytes(span.value)),
            index,
            interpreted_part,
        }
    }

    /// The field's name.
    #[inline]
    pub fn name(&self) -> &'a [u8] {
        self.name
    }

    /// The raw value as libauparse's `auparse_get_field_str` gives it (quotes kept);
    /// empty where that function gives NULL (see [`Field::value_opt`]).
    #[inline]
    pub fn value(&self) -> &'a [u8] {
        self.value.unwrap_or(b"")
    }

    /// The raw value, `None` where libauparse gives NULL (a `key` whose hex encoding is
    /// broken).
    #[inline]
    pub fn value_opt(&self) -> Option<&'a [u8]> {
        self.value
    }

    /// The value as a signed integer, read as `auparse_get_field_int` reads it (decimal).
    pub fn value_i64(&self) -> Option<i64> {
        std::str::from_utf8(self.value()).ok()?.parse().ok()
    }

    /// The value read as an unsigned integer in the given radix (16 for `a0`, `arch`).
    pub fn value_u64_radix(&self, radix: u32) -> Option<u64> {
        u64::from_str_radix(std::str::from_utf8(self.value()).ok()?, radix).ok()
    }

    /// Position of the field within its record, from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// For a field of the record's main part, the interpretation that an ENRICHED log
    /// carries for it after 0x1D (the field of the same name in upper case).
    pub fn interpreted(&self) -> Option<&'a [u8]> {
        if self.interpreted_part {
            return None;
        }
        self.record.interpretation_of(self.name)
    }
}

impl fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={}",
            String::from_utf8_lossy(self.name()),
            match self.value_opt() {
                Some(v) => String::from_utf8_lossy(v).into_owned(),
                None => "(null)".into(),
            }
        )
    }
}

/// Separates a record's fields from the ENRICHED format's interpretations.
pub(crate) const GROUP_SEPARATOR: u8 = 0x1d;
const KEY_SEPARATOR: u8 = 0x01;

impl Record {
    /// Parse one line (without its newline; a trailing `\r` is dropped) into a record.
    ///
    /// ```
    /// let r = audit_parse::Record::parse(
    ///     b"type=CWD msg=audit(1700000000.123:42): cwd=\"/root\"").unwrap();
    /// assert_eq!(r.id().serial, 42);
    /// assert_eq!(r.field("cwd").unwrap().value(), b"\"/root\"");
    /// ```
    pub fn parse(line: &[u8]) -> Result<Record, ParseError> {
        Record::parse_at(line, 0, 0)
    }

    /// Parse a line found at `line_number` (from 1) and byte `offset` of its source.
    pub fn parse_at(line: &[u8], line_number: u64, offset: u64) -> Result<Record, ParseError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let head = Header::parse(line, None, &mut TypeCache::default())
            .map_err(|kind| ParseError::new(kind, line_number, offset, line))?;
        let mut b = Builder::default();
        b.add_line(line, &head, line_number, offset, None);
        let mut recs = b.finish();
        // One line added, one record out.
        recs.pop()
            .ok_or_else(|| ParseError::new(ErrorKind::MissingType, line_number, offset, line))
    }

    /// Build a record from the kernel's form: the netlink message type and its payload
    /// (`audit(SEC.MSEC:SERIAL): fields`), as auditd writes it in its RAW format:
    /// `type=NAME msg=PAYLOAD`, with `UNKNOWN[n]` for a type without a name.
    ///
    /// ```
    /// let r = audit_parse::Record::from_kernel(1307, b"audit(1.002:3): cwd=\"/\"").unwrap();
    /// assert_eq!(r.text(), b"type=CWD msg=audit(1.002:3): cwd=\"/\"");
    /// ```
    pub fn from_kernel(msg_type: u16, payload: &[u8]) -> Result<Record, ParseError> {
        let payload = trim_kernel_payload(payload);
        let mut line = Vec::with_capacity(payload.len() + 32);
        line.extend_from_slice(b"type=");
        line.extend_from_slice(RecordType::from(msg_type).to_string().as_bytes());
        line.extend_from_slice(b" msg=");
        line.extend_from_slice(payload);
        Record::parse(&line)
    }

    /// The whole line as read (without newline).
    pub fn text(&self) -> &[u8] {
        self.store
            .bytes
            .get(self.m.text_start as usize..self.m.text_end as usize)
            .unwrap_or(b"")
    }

    /// The record type, `None` when the `type=` value is not a name the table knows, not
    /// `UNKNOWN[n]` and not a number (see [`Record::type_text`]).
    pub fn record_type(&self) -> Option<RecordType> {
        self.m.record_type
    }

    /// The type number as libauparse's `auparse_get_type` gives it: -1 for a name it
    /// cannot resolve.
    pub fn type_number(&self) -> i64 {
        self.m.record_type.map_or(-1, |t| i64::from(t.0))
    }

    /// The text after `type=` (`SYSCALL`, `UNKNOWN[1329]`).
    pub fn type_text(&self) -> &[u8] {
        self.store.bytes(self.m.type_span)
    }

    /// The event id from `msg=audit(SEC.MSEC:SERIAL)`.
    pub fn id(&self) -> EventId {
        self.m.id
    }

    /// The `node=` name the record was prefixed with, if any.
    pub fn node(&self) -> Option<&[u8]> {
        self.m.node.map(|s| self.store.bytes(s))
    }

    /// Line number within its source (from 1; 0 when parsed alone).
    pub fn line(&self) -> u64 {
        self.m.line
    }

    /// Byte offset of the line within its source.
    pub fn offset(&self) -> u64 {
        self.m.offset
    }

    /// Index of the source (file) the record came from, in a multi-source read.
    pub fn source_index(&self) -> Option<u32> {
        self.m.source
    }

    /// Number of fields, counted as libauparse counts them (`type` and `node` count).
    pub fn field_count(&self) -> usize {
        self.spans().len()
    }

    #[inline(always)]
    fn spans(&self) -> &[FieldSpan] {
        self.store
            .spans
            .get(self.m.fields_start as usize..self.m.fields_end as usize)
            .unwrap_or(&[])
    }

    fn interp_spans(&self) -> &[FieldSpan] {
        self.store
            .spans
            .get(self.m.fields_end as usize..self.m.interp_end as usize)
            .unwrap_or(&[])
    }

    /// The fields in order.
    #[inline]
    pub fn fields(&self) -> impl ExactSizeIterator<Item = Field<'_>> + '_ {
        self.spans()
            .iter()
            .enumerate()
            .map(move |(index, span)| Field::new(self, span, index, false))
    }

    /// The field at `index`.
    pub fn field_at(&self, index: usize) -> Option<Field<'_>> {
        self.spans()
            .get(index)
            .map(|span| Field::new(self, span, index, false))
    }

    /// The first field with this name.
    pub fn field(&self, name: &str) -> Option<Field<'_>> {
        self.find_from(0, name.as_bytes())
    }

    pub(crate) fn find_from(&self, start: usize, name: &[u8]) -> Option<Field<'_>> {
        let spans = self.spans();
        (start..spans.len())
            .find(|&i| self.store.bytes(spans[i].name) == name)
            .and_then(|i| self.field_at(i))
    }

    /// The raw text after the 0x1D separator of an ENRICHED record, if any.
    pub fn interpretation_text(&self) -> Option<&[u8]> {
        self.m.interp_start.map(|s| {
            self.store
                .bytes
                .get(s as usize..self.m.text_end as usize)
                .unwrap_or(b"")
        })
    }

    /// The interpreted fields an ENRICHED record carries after 0x1D (`AUID="root"`).
    pub fn interpretations(&self) -> impl Iterator<Item = Field<'_>> + '_ {
        self.interp_spans()
            .iter()
            .enumerate()
            .map(move |(index, span)| Field::new(self, span, index, true))
    }

    /// The ENRICHED interpretation for the field `name` (looked up as `NAME`).
    pub fn interpretation_of(&self, name: &[u8]) -> Option<&[u8]> {
        self.interp_spans()
            .iter()
            .find(|f| self.store.bytes(f.name).eq_ignore_ascii_case(name))
            .map(|f| self.store.bytes(f.value))
    }
}

impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        let same_fields = |a: &[FieldSpan], b: &[FieldSpan]| {
            a.len() == b.len()
                && a.iter().zip(b).all(|(x, y)| {
                    self.store.bytes(x.name) == other.store.bytes(y.name)
                        && (x.value == NULL_SPAN) == (y.value == NULL_SPAN)
                        && self.store.bytes(x.value) == other.store.bytes(y.value)
                })
        };
        self.text() == other.text()
            && self.m.record_type == other.m.record_type
            && self.m.id == other.m.id
            && self.node() == other.node()
            && self.type_text() == other.type_text()
            && self.m.line == other.m.line
            && self.m.offset == other.m.offset
            && self.m.source == other.m.source
            && self.interpretation_text() == other.interpretation_text()
            && same_fields(self.spans(), other.spans())
            && same_fields(self.interp_spans(), other.interp_spans())
    }
}

impl Eq for Record {}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("text", &String::from_utf8_lossy(self.text()))
            .field("line", &self.m.line)
            .finish()
    }
}

impl fmt::Display for Record {
    /// The record's line, lossily as UTF-8.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.text()))
    }
}

/// What the start of a line says: `[node=N ]type=T msg=audit(S.M:N)`. Found before the
/// line is stored, so that the parser knows the record's event (and can skip an `EOE`
/// that belongs to none) before copying anything.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    /// The event id.
    pub(crate) id: EventId,
    /// The record type.
    pub(crate) record_type: Option<RecordType>,
    /// `node=` token (start, end, '=') and value range, relative to the line.
    node_tok: Option<(usize, usize, usize)>,
    /// `type=` token (start, end, '=').
    type_tok: (usize, usize, usize),
    /// Where the tokens after `msg=audit(...)` start.
    rest: usize,
    /// End of the main part (the first 0x1D or the line's end).
    main_end: usize,
}

impl Header {
    /// Find node, type and timestamp. `separator` is where the caller found the line's
    /// first 0x1D (at or past the end for none), `None` when it did not look.
    pub(crate) fn parse(
        line: &[u8],
        separator: Option<usize>,
        types: &mut TypeCache,
    ) -> Result<Header, ErrorKind> {
        let main_end = match separator {
            Some(p) => p.min(line.len()),
            None => memchr::memchr(GROUP_SEPARATOR, line).unwrap_or(line.len()),
        };
        let mut toks = Tokens::new(line, 0, main_end);
        let (mut s, mut e, mut eq) = toks.next().ok_or(ErrorKind::MissingType)?;
        let mut node_tok = None;
        if line[s..e].starts_with(b"node=") {
            node_tok = Some((s, e, eq.unwrap_or(s + 4)));
            (s, e, eq) = toks.next().ok_or(ErrorKind::MissingType)?;
        }
        if !line[s..e].starts_with(b"type=") {
            return Err(ErrorKind::MissingType);
        }
        let type_text = &line[s + 5..e];
        if type_text.is_empty() {
            return Err(ErrorKind::EmptyType);
        }
        let type_tok = (s, e, eq.unwrap_or(s + 4));
        let record_type = types.get(line, s + 5, e);
        // The next token must start with `msg=audit(`. The stamp has no spaces, so it
        // is read from the rest of the main part and lies within the token; the token
        // ends at the first space after it.
        let mut s = e;
        while s < main_end && line[s] == b' ' {
            s += 1;
        }
        let stamp = line[s..main_end]
            .strip_prefix(b"msg=audit(")
            .ok_or(ErrorKind::MissingTimestamp)?;
        let (id, used) = parse_stamp(stamp)?;
        let mut e = s + 10 + used;
        while e < main_end && line[e] != b' ' {
            e += 1;
        }
        Ok(Header {
            id,
            record_type,
            node_tok,
            type_tok,
            rest: e,
            main_end,
        })
    }

    /// The node name, from the line the header was parsed from.
    pub(crate) fn node<'l>(&self, line: &'l [u8]) -> Option<&'l [u8]> {
        self.node_tok
            .map(|(s, e, _)| line.get(s + 5..e).unwrap_or(b""))
    }
}

/// Record types of the type names seen last: a name is read from the line as two
/// words and compared with a cache slot, which costs less than the table's lookup.
#[derive(Debug, Default)]
pub(crate) struct TypeCache {
    slots: [(u64, u64, u32, Option<RecordType>); 16],
}

impl TypeCache {
    /// The type named by `line[s..e]`.
    #[inline]
    fn get(&mut self, line: &[u8], s: usize, e: usize) -> Option<RecordType> {
        let len = e - s;
        if len == 0 || len > 16 {
            return RecordType::from_log_name_bytes(&line[s..e]);
        }
        let keep = |n: usize| {
            if n >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * n)) - 1
            }
        };
        let lo = word(line, s) & keep(len);
        let hi = if len > 8 {
            word(line, s + 8) & keep(len - 8)
        } else {
            0
        };
        let h = (lo ^ hi.rotate_left(29) ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = &mut self.slots[(h >> 60) as usize];
        if slot.0 == lo && slot.1 == hi && slot.2 == len as u32 {
            return slot.3;
        }
        let t = RecordType::from_log_name_bytes(&line[s..e]);
        *slot = (lo, hi, len as u32, t);
        t
    }
}

/// Bytes of padding stored after a line while it is split, so that the tokenizer reads
/// whole words without a tail loop. Spaces, so that no token runs into them.
const PAD: usize = 8;

/// Builds the storage of one event: lines and fields appended record by record, then
/// frozen into records that share it. Its buffers are reused from event to event.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    bytes: Vec<u8>,
    spans: Vec<FieldSpan>,
    metas: Vec<Meta>,
    made: Vec<u8>,
}

impl Builder {
    /// Store a line whose header was parsed, and split its fields.
    pub(crate) fn add_line(
        &mut self,
        line: &[u8],
        head: &Header,
        line_number: u64,
        offset: u64,
        source: Option<u32>,
    ) {
        let base = self.bytes.len();
        let fields_start = self.spans.len();
        self.bytes.extend_from_slice(line);
        self.bytes.extend_from_slice(&[b' '; PAD]);
        self.made.clear();
        let rel = |s: usize| base + s;
        {
            let text = &self.bytes[..];
            let mut split = Splitter {
                text,
                fields: &mut self.spans,
                fields_start,
                made: &mut self.made,
                avc: matches!(
                    head.record_type,
                    Some(RecordType::AVC) | Some(RecordType::USER_AVC)
                ),
                offset: 0,
            };
            if let Some((s, e, eq)) = head.node_tok {
                split.token(rel(s), rel(e), rel(eq));
            }
            let (s, e, eq) = head.type_tok;
            split.token(rel(s), rel(e), rel(eq));
            split.run(Tokens::new(text, rel(head.rest), rel(head.main_end)));
        }
        let fields_end = self.spans.len();
        let mut interp_start = None;
        if head.main_end < line.len() {
            let start = rel(head.main_end + 1);
            interp_start = Some(start as u32);
            for (s, e, eq) in Tokens::new(&self.bytes, start, base + line.len()) {
                if let Some(eq) = eq {
                    self.spans.push(FieldSpan {
                        name: Span::line(s, eq),
                        value: Span::line(eq + 1, e),
                    });
                }
            }
        }
        let text_end = base + line.len();
        self.bytes.truncate(text_end);
        if !self.made.is_empty() {
            let delta = text_end as i64;
            for f in &mut self.spans[fields_start..fields_end] {
                for s in [&mut f.name, &mut f.value] {
                    if *s != NULL_SPAN && s.len & MADE != 0 {
                        s.len &= !MADE;
                        *s = s.shifted(delta);
                    }
                }
            }
            self.bytes.extend_from_slice(&self.made);
        }
        let (ts, te, _) = head.type_tok;
        self.metas.push(Meta {
            text_start: base as u32,
            text_end: text_end as u32,
            bytes_end: self.bytes.len() as u32,
            fields_start: fields_start as u32,
            fields_end: fields_end as u32,
            interp_end: self.spans.len() as u32,
            interp_start,
            type_span: Span::line(rel(ts + 5), rel(te)),
            node: head
                .node_tok
                .map(|(s, e, _)| Span::line(rel(s + 5), rel(e))),
            record_type: head.record_type,
            id: head.id,
            line: line_number,
            offset,
            source,
        });
    }

    /// Copy a record built elsewhere.
    pub(crate) fn add_record(&mut self, r: &Record) {
        let m = r.m;
        let base = self.bytes.len();
        let fields_start = self.spans.len();
        self.bytes.extend_from_slice(
            r.store
                .bytes
                .get(m.text_start as usize..m.bytes_end as usize)
                .unwrap_or(b""),
        );
        let delta = base as i64 - i64::from(m.text_start);
        let spans = r
            .store
            .spans
            .get(m.fields_start as usize..m.interp_end as usize)
            .unwrap_or(&[]);
        self.spans.extend(spans.iter().map(|f| FieldSpan {
            name: f.name.shifted(delta),
            value: f.value.shifted(delta),
        }));
        let fdelta = fields_start as i64 - i64::from(m.fields_start);
        let mv = |x: u32| (i64::from(x) + delta) as u32;
        let fv = |x: u32| (i64::from(x) + fdelta) as u32;
        self.metas.push(Meta {
            text_start: mv(m.text_start),
            text_end: mv(m.text_end),
            bytes_end: mv(m.bytes_end),
            fields_start: fv(m.fields_start),
            fields_end: fv(m.fields_end),
            interp_end: fv(m.interp_end),
            interp_start: m.interp_start.map(mv),
            type_span: m.type_span.shifted(delta),
            node: m.node.map(|s| s.shifted(delta)),
            ..m
        });
    }

    /// Freeze what was added into records sharing one exact-size store; the builder is
    /// left empty for the next event (keeping its buffers unless they grew large).
    pub(crate) fn finish(&mut self) -> Vec<Record> {
        let store = Store {
            bytes: Arc::from(self.bytes.as_slice()),
            spans: Arc::from(self.spans.as_slice()),
        };
        let recs = self
            .metas
            .iter()
            .map(|&m| Record {
                store: store.clone(),
                m,
            })
            .collect();
        // Keep a slot's buffers for reuse only while they are small, so that a burst of
        // many open events does not leave its peak memory behind in every slot.
        const KEEP: usize = 1 << 13;
        if self.bytes.capacity() > KEEP {
            self.bytes = Vec::new();
        }
        if self.spans.capacity() > KEEP / 16 {
            self.spans = Vec::new();
        }
        if self.made.capacity() > KEEP {
            self.made = Vec::new();
        }
        self.bytes.clear();
        self.spans.clear();
        self.metas.clear();
        recs
    }
}

/// Drop the trailing NULs and newline some kernels leave on a payload.
fn trim_kernel_payload(mut p: &[u8]) -> &[u8] {
    while let [rest @ .., b'\0' | b'\n'] = p {
        p = rest;
    }
    p
}

/// Parse `SEC.MSEC:SERIAL)...` (the text after `audit(`); also says how many bytes the
/// stamp took, up to and including the `)`.
fn parse_stamp(s: &[u8]) -> Result<(EventId, usize), ErrorKind> {
    let (sec, i) = digits(s, 0).ok_or(ErrorKind::BadTimestamp("seconds are not a number"))?;
    if s.get(i) != Some(&b'.') {
        return Err(ErrorKind::BadTimestamp("no '.' after the seconds"));
    }
    let (milli, i) =
        digits(s, i + 1).ok_or(ErrorKind::BadTimestamp("milliseconds are not a number"))?;
    if milli > 999 {
        return Err(ErrorKind::BadTimestamp("milliseconds above 999"));
    }
    if s.get(i) != Some(&b':') {
        return Err(ErrorKind::BadTimestamp("no ':' before the serial"));
    }
    let (serial, i) = digits(s, i + 1).ok_or(ErrorKind::BadTimestamp("serial is not a number"))?;
    if s.get(i) != Some(&b')') {
        return Err(ErrorKind::BadTimestamp("no ')' after the serial"));
    }
    // libauparse refuses seconds this close to the top of a signed time_t.
    if sec > (i64::MAX as u64) / 2 {
        return Err(ErrorKind::BadTimestamp("seconds out of range"));
    }
    Ok((
        EventId {
            sec,
            milli: milli as u32,
            serial,
        },
        i + 1,
    ))
}

/// The run of ASCII digits at `s[i..]` as a number (None when empty or longer than 19
/// digits, so that it cannot overflow), and where it ends.
#[inline(always)]
fn digits(s: &[u8], start: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    let mut i = start;
    while let Some(&b) = s.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        if i - start == 19 {
            return None;
        }
        v = v * 10 + u64::from(d);
        i += 1;
    }
    (i > start).then_some((v, i))
}

/// Space-separated tokens of `s[pos..limit]`, as (start, end, offset of the first '=').
///
/// One pass per token: each eight-byte word is tested for spaces and '=' at once with
/// plain integer operations (tokens are short, so a search call per token costs more
/// than the search). Words may read past `limit` (results are clamped); past the end of
/// `s` they read as spaces, and the parser keeps [`PAD`] spaces after each stored line
/// so that this never happens there.
struct Tokens<'a> {
    s: &'a [u8],
    pos: usize,
    limit: usize,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a [u8], pos: usize, limit: usize) -> Self {
        Tokens {
            s,
            pos,
            limit: limit.min(s.len()),
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
const SPACES: u64 = ONES * b' ' as u64;
const EQUALS: u64 = ONES * b'=' as u64;

/// High bit set in each byte of `x` that is zero. Bits above the first zero byte may
/// be wrong, so only the lowest set bit is meaningful.
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Eight bytes from `i`, little-endian; bytes past the end read as spaces.
#[inline(always)]
fn word(s: &[u8], i: usize) -> u64 {
    match s.get(i..i + 8) {
        Some(w) => u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or([b' '; 8])),
        None => word_tail(s, i),
    }
}

#[cold]
fn word_tail(s: &[u8], i: usize) -> u64 {
    let mut w = [b' '; 8];
    let tail = s.get(i..).unwrap_or(b"");
    w[..tail.len().min(8)].copy_from_slice(&tail[..tail.len().min(8)]);
    u64::from_le_bytes(w)
}

impl Iterator for Tokens<'_> {
    type Item = (usize, usize, Option<usize>);
    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let s = self.s;
        let limit = self.limit;
        let mut i = self.pos;
        while i < limit && s.get(i) == Some(&b' ') {
            i += 1;
        }
        if i >= limit {
            self.pos = i;
            return None;
        }
        let start = i;
        let mut eq = usize::MAX;
        // Up to the first space or '='.
        let mut end = loop {
            let w = word(s, i);
            let sp = zero_bytes(w ^ SPACES);
            let em = zero_bytes(w ^ EQUALS);
            if sp | em != 0 {
                let (ts, te) = (sp.trailing_zeros(), em.trailing_zeros());
                if ts < te {
                    break i + (ts / 8) as usize;
                }
                eq = i + (te / 8) as usize;
                if sp != 0 {
                    break i + (ts / 8) as usize;
                }
                // '=' found, no space in this word: look for the space only.
                loop {
                    i += 8;
                    if i >= limit {
                        break;
                    }
                    let sp = zero_bytes(word(s, i) ^ SPACES);
                    if sp != 0 {
                        break;
                    }
                }
                break if i >= limit {
                    limit
                } else {
                    i + (zero_bytes(word(s, i) ^ SPACES).trailing_zeros() / 8) as usize
                };
            }
            i += 8;
            if i >= limit {
                break limit;
            }
        };
        if end > limit {
            end = limit;
        }
        // `end` is a space (or the limit): the next token starts after it.
        self.pos = end + 1;
        Some((start, end, (eq < end).then_some(eq)))
    }
}

/// Splits the main part of a stored line into fields, following libauparse's rules.
struct Splitter<'t, 'o> {
    text: &'t [u8],
    fields: &'o mut Vec<FieldSpan>,
    /// Where this record's fields start in `fields`.
    fields_start: usize,
    made: &'o mut Vec<u8>,
    avc: bool,
    /// 1 when the record starts with node=, which shifts the expected positions.
    offset: usize,
}

impl Splitter<'_, '_> {
    fn count(&self) -> usize {
        self.fields.len() - self.fields_start
    }

    fn run(&mut self, mut toks: Tokens<'_>) {
        while let Some((s, e, eq)) = toks.next() {
            match eq {
                Some(eq) => self.token(s, e, eq),
                None if self.avc => self.avc_word(s, e, &mut toks),
                None => {}
            }
        }
    }

    /// A token `text[s..e]` whose first '=' is at `eq`.
    #[inline(always)]
    fn token(&mut self, mut s: usize, e: usize, mut eq: usize) {
        let text = self.text;
        if text[s..e].starts_with(b"msg=") {
            match text.get(s + 4) {
                Some(b'a') => return,
                Some(b'\'') => {
                    s += 5;
                    match memchr::memchr(b'=', &text[s..e]) {
                        Some(i) => eq = s + i,
                        None => return,
                    }
                }
                _ => {}
            }
        }
        let mut name_start = s;
        let name_end = eq;
        if text[name_start] == b'(' {
            name_start += 1;
        }
        let val_start = name_end + 1;
        let mut val_end = e;
        if val_start >= val_end {
            return;
        }
        if matches!(text[val_end - 1], b':' | b',' | b'\'' | b')') {
            val_end = trim_value(text, val_start, val_end);
        }
        let name = &text[name_start..name_end];
        if name == b"key" {
            let value = &text[val_start..val_end];
            if value.first() != Some(&b'(') && value.first() != Some(&b'"') {
                split_hex_keys(name_start, name_end, value, self.fields, self.made);
                return;
            }
        }
        self.fields.push(FieldSpan {
            name: Span::line(name_start, name_end),
            value: Span::line(val_start, val_end),
        });
        if self.count() == 1 && name == b"node" {
            self.offset = 1;
        }
    }

    /// The unlabelled words of an SELinux AVC: `avc:  denied  { read write } for ...`.
    fn avc_word(&mut self, s: usize, e: usize, toks: &mut Tokens<'_>) {
        let text = self.text;
        let word = &text[s..e];
        if self.count() == 1 + self.offset {
            if word.starts_with(b"avc") {
                return;
            }
            let name = push_made(self.made, b"seresult");
            self.fields.push(FieldSpan {
                name,
                value: Span::line(s, e),
            });
        } else if self.count() == 2 + self.offset && word.first() == Some(&b'{') {
            let mut perms = Vec::new();
            for (ps, pe, _) in toks.by_ref() {
                if text[ps] == b'}' {
                    break;
                }
                if !perms.is_empty() {
                    perms.push(b',');
                }
                perms.extend_from_slice(&text[ps..pe]);
            }
            let name = push_made(self.made, b"seperms");
            let value = push_made(self.made, &perms);
            self.fields.push(FieldSpan { name, value });
        }
    }
}

/// The end of a value once a trailing `:`, `,`, `'` and `)` (in that order) are
/// dropped; `(none)` and `(null)` keep their `)`.
#[cold]
fn trim_value(text: &[u8], val_start: usize, mut val_end: usize) -> usize {
    for trail in [b':', b',', b'\''] {
        if val_end > val_start && text[val_end - 1] == trail {
            val_end -= 1;
        }
    }
    if val_end > val_start && text[val_end - 1] == b')' {
        let v = &text[val_start..val_end];
        if v != b"(none)" && v != b"(null)" {
            val_end -= 1;
        }
    }
    val_end
}

fn push_made(made: &mut Vec<u8>, bytes: &[u8]) -> Span {
    let start = made.len();
    made.extend_from_slice(bytes);
    Span::made(start, made.len())
}

/// A hex-encoded `key=` value: one field per key (keys are separated by 0x01).
fn split_hex_keys(
    name_start: usize,
    name_end: usize,
    value: &[u8],
    fields: &mut Vec<FieldSpan>,
    made: &mut Vec<u8>,
) {
    let name = Span::line(name_start, name_end);
    let hex_len = value.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if hex_len < 2 {
        fields.push(FieldSpan {
            name,
            value: NULL_SPAN,
        });
        return;
    }
    let mut decoded: Vec<u8> = value[..hex_len]
        .chunks(2)
        .map(|p| {
            let hi = hex_val(p[0]);
            let lo = p.get(1).map_or(0, |&b| hex_val(b));
            (hi << 4) | lo
        })
        .collect();
    // The C library works on a C string: the decoded keys end at the first NUL.
    if let Some(nul) = memchr::memchr(0, &decoded) {
        decoded.truncate(nul);
    }
    for key in decoded
        .split(|&b| b == KEY_SEPARATOR)
        .filter(|k| !k.is_empty())
    {
        let printable = key.iter().all(|&b| b != b'"' && (0x21..=0x7e).contains(&b));
        let start = made.len();
        if printable {
            made.push(b'"');
            made.extend_from_slice(key);
            made.push(b'"');
        } else {
            for &b in key {
                made.push(HEX_UPPER[usize::from(b >> 4)]);
                made.push(HEX_UPPER[usize::from(b & 0xf)]);
            }
        }
        fields.push(FieldSpan {
            name,
            value: Span::made(start, made.len()),
        });
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(r: &Record) -> Vec<(String, Option<String>)> {
        r.fields()
            .map(|f| {
                (
                    String::from_utf8_lossy(f.name()).into_owned(),
                    f.value_opt()
                        .map(|v| String::from_utf8_lossy(v).into_owned()),
                )
            })
            .collect()
    }

    fn names_values(r: &Record) -> Vec<String> {
        pairs(r)
            .into_iter()
            .map(|(n, v)| format!("{n}={}", v.unwrap_or_else(|| "(null)".into())))
            .collect()
    }

    #[test]
    fn syscall_record() {
        let r = Record::parse(b"type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e syscall=2 success=no exit=-13 comm=\"cat\" key=\"k1\"").unwrap();
        assert_eq!(r.record_type(), Some(RecordType::SYSCALL));
        assert_eq!(
            r.id(),
            EventId {
                sec: 1364481363,
                milli: 243,
                serial: 24287
            }
        );
        assert_eq!(
            names_values(&r),
            [
                "type=SYSCALL",
                "arch=c000003e",
                "syscall=2",
                "success=no",
                "exit=-13",
                "comm=\"cat\"",
                "key=\"k1\""
            ]
        );
    }

    #[test]
    fn node_prefix_and_unknown_type() {
        let r = Record::parse(b"node=host1 type=UNKNOWN[1999] msg=audit(1.000:2): a=b").unwrap();
        assert_eq!(r.node(), Some(&b"host1"[..]));
        assert_eq!(r.record_type(), Some(RecordType(1999)));
        assert_eq!(
            names_values(&r),
            ["node=host1", "type=UNKNOWN[1999]", "a=b"]
        );
        let r = Record::parse(b"type=NO_SUCH_TYPE msg=audit(1.000:2): a=b").unwrap();
        assert_eq!(r.record_type(), None);
        assert_eq!(r.type_number(), -1);
    }

    #[test]
    fn user_message_inner_fields() {
        let r = Record::parse(b"type=USER_ACCT msg=audit(1.000:3): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:accounting acct=\"root\" exe=\"/usr/sbin/crond\" hostname=? addr=? terminal=cron res=success'").unwrap();
        let nv = names_values(&r);
        assert_eq!(nv[5], "op=PAM:accounting");
        assert_eq!(nv.last().unwrap(), "res=success");
        assert_eq!(r.field_count(), 12);
    }

    #[test]
    fn trailing_punctuation_and_null() {
        let r = Record::parse(
            b"type=DAEMON_START msg=audit(1.000:3): x=1, y=(null) z=(none) w=abc) q= v=2:",
        )
        .unwrap();
        assert_eq!(
            names_values(&r),
            [
                "type=DAEMON_START",
                "x=1",
                "y=(null)",
                "z=(none)",
                "w=abc",
                "v=2"
            ]
        );
    }

    #[test]
    fn hex_keys_are_split() {
        // "exec" 0x01 "64bit"
        let r =
            Record::parse(b"type=SYSCALL msg=audit(1.000:3): key=65786563013634626974").unwrap();
        assert_eq!(
            names_values(&r),
            ["type=SYSCALL", "key=\"exec\"", "key=\"64bit\""]
        );
        let r = Record::parse(b"type=SYSCALL msg=audit(1.000:3): key=(null)").unwrap();
        assert_eq!(names_values(&r), ["type=SYSCALL", "key=(null)"]);
        let r = Record::parse(b"type=SYSCALL msg=audit(1.000:3): key=zz").unwrap();
        assert_eq!(names_values(&r), ["type=SYSCALL", "key=(null)"]);
        // a key with a space is hex again
        let r = Record::parse(b"type=SYSCALL msg=audit(1.000:3): key=6120620163").unwrap();
        assert_eq!(
            names_values(&r),
            ["type=SYSCALL", "key=612062", "key=\"c\""]
        );
    }

    #[test]
    fn avc_words() {
        let r = Record::parse(
            b"type=AVC msg=audit(1.000:3): avc:  denied  { read write } for  pid=1 comm=\"x\"",
        )
        .unwrap();
        assert_eq!(
            names_values(&r),
            [
                "type=AVC",
                "seresult=denied",
                "seperms=read,write",
                "pid=1",
                "comm=\"x\""
            ]
        );
    }

    #[test]
    fn enriched_part() {
        let r = Record::parse(
            b"type=SYSCALL msg=audit(1.000:3): auid=0 uid=0\x1dAUID=\"root\" UID=\"root\"",
        )
        .unwrap();
        assert_eq!(names_values(&r), ["type=SYSCALL", "auid=0", "uid=0"]);
        assert_eq!(
            r.field("auid").unwrap().interpreted(),
            Some(&b"\"root\""[..])
        );
        assert_eq!(r.interpretations().count(), 2);
    }

    #[test]
    fn errors_say_what() {
        let e = Record::parse_at(b"hello world", 3, 99).unwrap_err();
        assert_eq!(e.kind, ErrorKind::MissingType);
        assert_eq!((e.line, e.offset), (3, 99));
        let e = Record::parse(b"type=SYSCALL arch=1").unwrap_err();
        assert_eq!(e.kind, ErrorKind::MissingTimestamp);
        let e = Record::parse(b"type=SYSCALL msg=audit(12.3456:7): a=1").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadTimestamp(_)));
        let e = Record::parse(b"type= msg=audit(1.2:3): a=1").unwrap_err();
        assert_eq!(e.kind, ErrorKind::EmptyType);
    }

    #[test]
    fn tokens_match_a_plain_split() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"a",
            b"a=b",
            b"  a=b  c==d e= =f g  ",
            b"abcdefghijklmnop=qrstuvwxyz0123456789 x=1234567890123456789 y",
            b"========",
            b"1234567 89=123456 7",
        ];
        for &c in cases {
            let got: Vec<_> = Tokens::new(c, 0, c.len()).collect();
            let mut want = Vec::new();
            let mut pos = 0;
            for tok in c.split(|&b| b == b' ') {
                if !tok.is_empty() {
                    let eq = tok.iter().position(|&b| b == b'=').map(|i| pos + i);
                    want.push((pos, pos + tok.len(), eq));
                }
                pos += tok.len() + 1;
            }
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(c));
        }
    }

    #[test]
    fn crlf_and_invalid_utf8() {
        let r = Record::parse(b"type=PATH msg=audit(1.000:3): name=\xff\xfe\r").unwrap();
        assert_eq!(r.field("name").unwrap().value(), b"\xff\xfe");
    }

    #[test]
    fn kernel_form() {
        let r = Record::from_kernel(1300, b"audit(5.006:7): arch=c000003e syscall=59\0").unwrap();
        assert_eq!(
            r.text(),
            b"type=SYSCALL msg=audit(5.006:7): arch=c000003e syscall=59"
        );
        let r = Record::from_kernel(1999, b"audit(5.006:7): x=1").unwrap();
        assert_eq!(r.type_text(), b"UNKNOWN[1999]");
    }
}
