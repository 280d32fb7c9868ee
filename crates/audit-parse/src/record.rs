//! One audit record: a line of text, its event id, its type and its fields.
//!
//! A record's line lives in a buffer it shares with the other records of its event (one
//! allocation per event); fields are spans into it, so reading a field never copies.
//! Fields are split when they are used, not when the line is read: walking them in
//! order ([`Record::fields`]) splits as it goes and keeps nothing, and the first use by
//! position ([`Record::field_count`], [`Record::field_at`], a cursor) builds the
//! record's field table once. A program that filters events by type, or walks each
//! record once, never pays for a table. Fields are split the way libauparse splits
//! them, so that a walk over ours prints what a walk over libauparse prints:
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
use std::sync::{Arc, OnceLock};

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

/// A range of a record's bytes, or (with the top bit of `len` set) of the bytes its
/// split made (split keys, `seperms`), which live apart from the line.
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
}

/// A field's name and value spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    name: Span,
    /// [`NULL_SPAN`] where libauparse holds a NULL value (a malformed hex key).
    value: Span,
}

/// A record's fields as a table, made the first time something needs them by position
/// (count, index, cursor). Walking the fields in order does not need it: it splits as
/// it goes, so a record that is only walked, or only filtered by type, costs no table.
#[derive(Clone, Debug, Default)]
struct Split {
    spans: Box<[FieldSpan]>,
    /// Bytes the split made (decoded keys, `seperms`), which [`MADE`] spans point into.
    made: Box<[u8]>,
}

/// A token as (start, end, offset of its first '='), offsets into the record's bytes.
type Tok = [u32; 3];

/// Where one record lives in its event's bytes, and what its header said.
#[derive(Clone, Copy, Debug)]
struct Meta {
    /// The line: `bytes[text_start..text_end]`, followed by [`PAD`] spaces.
    text_start: u32,
    text_end: u32,
    /// Where the tokens after `msg=audit(...)` start, and where the main part ends
    /// (the 0x1D or the line's end).
    rest: u32,
    main_end: u32,
    /// Offset of the first byte after 0x1D, when the line has one.
    interp_start: Option<u32>,
    type_tok: Tok,
    node_tok: Option<Tok>,
    record_type: Option<RecordType>,
    id: EventId,
    line: u64,
    offset: u64,
    source: Option<u32>,
}

/// What is kept of each record beside its line: where the line lies in its buffer,
/// what its header said, and its field table once something needed it.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    m: Meta,
    /// Boxed: most records never need one.
    split: OnceLock<Box<Split>>,
}

impl Entry {
    fn new(m: Meta) -> Entry {
        Entry {
            m,
            split: OnceLock::new(),
        }
    }
}

/// An audit record that owns its line (shared, when it came out of an
/// [`Event`](crate::Event), with the event's other records); cloning one is cheap.
///
/// Every reading method is also on [`RecordRef`], the borrowed form that
/// [`Event::iter`](crate::Event::iter) gives; [`Record::view`] turns one into the other.
#[derive(Clone)]
pub struct Record {
    bytes: Arc<[u8]>,
    e: Entry,
}

/// Longest line [`Record::parse`] takes (the parser's own bound,
/// [`Options::max_line_len`](crate::Options::max_line_len), is at most this).
pub(crate) const MAX_RECORD_LEN: usize = 1 << 30;

/// A record borrowed from the [`Event`](crate::Event) (or the [`Record`]) that holds its
/// line: what [`Event::iter`](crate::Event::iter) and [`Event::record`](crate::Event::record)
/// give. It reads exactly as a [`Record`] does, and costs nothing to make: no reference
/// count to raise, so walking an event this way is the fastest.
#[derive(Clone, Copy)]
pub struct RecordRef<'a> {
    bytes: &'a [u8],
    e: &'a Entry,
}

/// A field of a record: a name and its raw value, both bytes.
#[derive(Clone, Copy)]
pub struct Field<'a> {
    record: RecordRef<'a>,
    name: &'a [u8],
    /// Empty where libauparse holds NULL (`null_value`): kept apart from that mark so
    /// that reading a value tests nothing.
    value: &'a [u8],
    /// Position in the record (a record of at most [`MAX_RECORD_LEN`] bytes
    /// has fewer fields than `u32::MAX`): a smaller field is cheaper to pass.
    index: u32,
    null_value: bool,
    interpreted_part: bool,
}

impl<'a> Field<'a> {
    #[inline(always)]
    fn from_span(record: RecordRef<'a>, split: &'a Split, span: &FieldSpan, index: usize) -> Self {
        let null_value = span.value == NULL_SPAN;
        Field {
            record,
            name: record.span_bytes(split, span.name),
            value: if null_value {
                b""
            } else {
                record.span_bytes(split, span.value)
            },
            index: index as u32,
            null_value,
            interpreted_part: false,
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
        self.value
    }

    /// The raw value, `None` where libauparse gives NULL (a `key` whose hex encoding is
    /// broken).
    #[inline]
    pub fn value_opt(&self) -> Option<&'a [u8]> {
        (!self.null_value).then_some(self.value)
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
        self.index as usize
    }

    /// The record the field belongs to: with the field, all an interpreter needs
    /// (the record's type, its other fields such as `arch` and `syscall`), so that a
    /// field found with [`Event::find_field`](crate::Event::find_field) can be
    /// interpreted without looking for its record again.
    ///
    /// ```
    /// let mut p = audit_parse::Parser::default();
    /// p.feed(b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59\n\
    ///          type=CWD msg=audit(1.000:1): cwd=\"/\"\n\
    ///          type=EOE msg=audit(1.000:1): \n");
    /// let ev = p.next_event().unwrap().unwrap();
    /// let cwd = ev.find_field("cwd").unwrap();
    /// assert_eq!(cwd.record().type_text(), b"CWD");
    /// assert_eq!(cwd.record().field_at(cwd.index()).unwrap().value(), b"\"/\"");
    /// ```
    pub fn record(&self) -> RecordRef<'a> {
        self.record
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

/// The fields of a record in order: split from the line as the walk goes, until a
/// field that needs bytes of its own (a hex-encoded key) or a record whose unlabelled
/// words become fields (AVC); from there on, from the record's table.
struct Fields<'a> {
    record: RecordRef<'a>,
    toks: Tokens<'a>,
    index: usize,
    next: Next<'a>,
}

/// Where a walk over a record's fields takes its next field from.
#[derive(Clone, Copy)]
enum Next<'a> {
    /// The header's `node=`, then its `type=`.
    Node,
    /// The header's `type=`.
    Type,
    /// The tokens of the line after the header.
    Line,
    /// The record's field table, from the walk's index on.
    Table(&'a Split),
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<Field<'a>> {
        if !matches!(self.next, Next::Line) {
            return self.next_slow();
        }
        // Past the header, before any field table: tokens straight from the line.
        let bytes = self.toks.within;
        loop {
            let (s, e, eq) = self.toks.next_raw()?;
            if eq == NO_EQ {
                continue;
            }
            match classify(bytes, s, e, eq) {
                Token::Skip => {}
                Token::Field(spans) => return Some(self.field(spans)),
                Token::HexKey(_) => {
                    self.next = Next::Table(self.record.split());
                    return self.next_slow();
                }
            }
        }
    }
}

impl<'a> Fields<'a> {
    /// The next field, `name_start, name_end, value_start, value_end` within the line
    /// as [`classify`] gave them (in range by construction: name_start <= eq <
    /// value_start <= value_end <= the token's end <= limit <= the bytes' length).
    #[inline(always)]
    fn field(&mut self, [ns, ne, vs, ve]: [usize; 4]) -> Field<'a> {
        let bytes = self.toks.within;
        let f = Field {
            record: self.record,
            name: &bytes[ns..ne],
            value: &bytes[vs..ve],
            null_value: false,
            index: self.index as u32,
            interpreted_part: false,
        };
        self.index += 1;
        f
    }

    /// [`Iterator::next`] for the header's fields and from a field table.
    #[inline(always)]
    fn next_slow(&mut self) -> Option<Field<'a>> {
        let record = self.record;
        let bytes = self.toks.within;
        loop {
            let tok = match self.next {
                Next::Table(split) => {
                    let span = split.spans.get(self.index)?;
                    let f = Field::from_span(record, split, span, self.index);
                    self.index += 1;
                    return Some(f);
                }
                Next::Line => {
                    let (s, e, eq) = self.toks.next_raw()?;
                    if eq == NO_EQ {
                        continue;
                    }
                    [s, e, eq]
                }
                Next::Node => {
                    self.next = Next::Type;
                    match record.e.m.node_tok {
                        Some(t) => t.map(|x| x as usize),
                        None => continue,
                    }
                }
                Next::Type => {
                    self.next = Next::Line;
                    record.e.m.type_tok.map(|x| x as usize)
                }
            };
            let [s, e, eq] = tok;
            match classify(bytes, s, e, eq) {
                Token::Skip => {}
                Token::Field(spans) => return Some(self.field(spans)),
                Token::HexKey(_) => self.next = Next::Table(record.split()),
            }
        }
    }
}

/// Separates a record's fields from the ENRICHED format's interpretations.
pub(crate) const GROUP_SEPARATOR: u8 = 0x1d;
const KEY_SEPARATOR: u8 = 0x01;

impl Record {
    /// Parse one line (without its newline; a trailing `\r` is dropped) into a record.
    /// A line longer than 1 GiB is refused ([`ErrorKind::LineTooLong`]).
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
        // A record's parts are addressed with 32-bit offsets.
        if line.len() > MAX_RECORD_LEN {
            return Err(ParseError::new(
                ErrorKind::LineTooLong {
                    limit: MAX_RECORD_LEN,
                },
                line_number,
                offset,
                line,
            ));
        }
        let head = Header::parse(line, None, &mut HeaderCache::default())
            .map_err(|kind| ParseError::new(kind, line_number, offset, line))?;
        let mut b = Builder::default();
        b.add_line(line, &head, line_number, offset, None);
        let (bytes, mut entries) = b.finish();
        // One line added, one record out.
        let e = entries
            .pop()
            .ok_or_else(|| ParseError::new(ErrorKind::MissingType, line_number, offset, line))?;
        Ok(Record { bytes, e })
    }

    /// Build a record from the kernel's form: the netlink message type and its payload
    /// (`audit(SEC.MSEC:SERIAL): fields`), as auditd writes it in its RAW format:
    /// `type=NAME msg=PAYLOAD`, with `UNKNOWN[n]` for a type without a name.
    ///
    /// ```
    /// let r = audit_parse::Record::from_kernel(audit_parse::RecordType::CWD, b"audit(1.002:3): cwd=\"/\"").unwrap();
    /// assert_eq!(r.text(), b"type=CWD msg=audit(1.002:3): cwd=\"/\"");
    /// ```
    pub fn from_kernel(record_type: RecordType, payload: &[u8]) -> Result<Record, ParseError> {
        let mut line = Vec::new();
        write_kernel_line(&mut line, record_type, payload);
        Record::parse(&line)
    }

    /// The records of an event's buffer, each holding a share of it.
    pub(crate) fn all_of(bytes: &[u8], entries: &[Entry]) -> Vec<Record> {
        let bytes: Arc<[u8]> = Arc::from(bytes);
        entries
            .iter()
            .map(|e| Record {
                bytes: Arc::clone(&bytes),
                e: e.clone(),
            })
            .collect()
    }

    /// The record as a [`RecordRef`], the form that [`Event::iter`](crate::Event::iter)
    /// gives.
    #[inline]
    pub fn view(&self) -> RecordRef<'_> {
        RecordRef {
            bytes: &self.bytes,
            e: &self.e,
        }
    }

    /// The whole line as read (without newline).
    pub fn text(&self) -> &[u8] {
        self.view().text()
    }

    /// The record type, `None` when the `type=` value is not a name the table knows, not
    /// `UNKNOWN[n]` and not a number (see [`Record::type_text`]).
    pub fn record_type(&self) -> Option<RecordType> {
        self.e.m.record_type
    }

    /// The type number as libauparse's `auparse_get_type` gives it: -1 for a name it
    /// cannot resolve.
    pub fn type_number(&self) -> i64 {
        self.view().type_number()
    }

    /// The text after `type=` (`SYSCALL`, `UNKNOWN[1329]`).
    pub fn type_text(&self) -> &[u8] {
        self.view().type_text()
    }

    /// The event id from `msg=audit(SEC.MSEC:SERIAL)`.
    pub fn id(&self) -> EventId {
        self.e.m.id
    }

    /// The `node=` name the record was prefixed with, if any.
    pub fn node(&self) -> Option<&[u8]> {
        self.view().node()
    }

    /// Line number within its source (from 1; 0 when parsed alone).
    pub fn line(&self) -> u64 {
        self.e.m.line
    }

    /// Byte offset of the line within its source.
    pub fn offset(&self) -> u64 {
        self.e.m.offset
    }

    /// Index of the source (file) the record came from, in a multi-source read.
    pub fn source_index(&self) -> Option<u32> {
        self.e.m.source
    }

    /// The record, said to come from source `index` (see [`Record::source_index`]):
    /// for a record parsed alone and then placed, as when it is read back from JSON.
    ///
    /// ```
    /// let r = audit_parse::Record::parse(b"type=CWD msg=audit(1.000:1): cwd=\"/\"").unwrap();
    /// assert_eq!(r.source_index(), None);
    /// assert_eq!(r.with_source_index(Some(2)).source_index(), Some(2));
    /// ```
    pub fn with_source_index(mut self, index: Option<u32>) -> Record {
        self.e.m.source = index;
        self
    }

    /// Number of fields, counted as libauparse counts them (`type` and `node` count).
    pub fn field_count(&self) -> usize {
        self.view().field_count()
    }

    /// The fields in order.
    ///
    /// The walk splits the line as it goes (see [`Record`]); it gives the same fields
    /// as [`Record::field_at`] over `0..field_count()`.
    #[inline]
    pub fn fields(&self) -> impl Iterator<Item = Field<'_>> + '_ {
        self.view().fields()
    }

    /// The field at `index`.
    pub fn field_at(&self, index: usize) -> Option<Field<'_>> {
        self.view().field_at(index)
    }

    /// The first field with this name.
    pub fn field(&self, name: &str) -> Option<Field<'_>> {
        self.view().field(name)
    }

    /// The raw text after the 0x1D separator of an ENRICHED record, if any.
    pub fn interpretation_text(&self) -> Option<&[u8]> {
        self.view().interpretation_text()
    }

    /// The interpreted fields an ENRICHED record carries after 0x1D (`AUID="root"`).
    pub fn interpretations(&self) -> impl Iterator<Item = Field<'_>> + '_ {
        self.view().interpretations()
    }

    /// The ENRICHED interpretation for the field `name` (looked up as `NAME`).
    pub fn interpretation_of(&self, name: &[u8]) -> Option<&[u8]> {
        self.view().interpretation_of(name)
    }
}

impl<'a> From<&'a Record> for RecordRef<'a> {
    fn from(r: &'a Record) -> RecordRef<'a> {
        r.view()
    }
}

impl<'a> RecordRef<'a> {
    pub(crate) fn new(bytes: &'a [u8], e: &'a Entry) -> RecordRef<'a> {
        RecordRef { bytes, e }
    }

    /// An owned copy of the record, holding only its own line.
    pub fn to_record(self) -> Record {
        let mut bytes = Vec::with_capacity(self.text().len() + PAD);
        bytes.extend_from_slice(self.text());
        bytes.extend_from_slice(&[b' '; PAD]);
        Record {
            bytes: Arc::from(bytes),
            e: Entry::new(self.meta_at(0)),
        }
    }

    /// The record's metadata for a copy of its line (and [`PAD`]) stored at `base`.
    fn meta_at(self, base: u32) -> Meta {
        let m = self.e.m;
        let mv = |x: u32| x - m.text_start + base;
        let tok = |[s, e, eq]: Tok| [mv(s), mv(e), mv(eq)];
        Meta {
            text_start: base,
            text_end: mv(m.text_end),
            rest: mv(m.rest),
            main_end: mv(m.main_end),
            interp_start: m.interp_start.map(mv),
            type_tok: tok(m.type_tok),
            node_tok: m.node_tok.map(tok),
            ..m
        }
    }

    #[inline(always)]
    fn range(self, start: u32, end: u32) -> &'a [u8] {
        self.bytes.get(start as usize..end as usize).unwrap_or(b"")
    }

    #[inline(always)]
    fn span_bytes(self, split: &'a Split, s: Span) -> &'a [u8] {
        let start = s.start as usize;
        if s.len & MADE == 0 {
            self.bytes.get(start..start + s.len as usize)
        } else {
            split.made.get(start..start + (s.len & !MADE) as usize)
        }
        .unwrap_or(b"")
    }

    /// The whole line as read (without newline).
    pub fn text(self) -> &'a [u8] {
        self.range(self.e.m.text_start, self.e.m.text_end)
    }

    /// The record type, `None` when the `type=` value is not a name the table knows, not
    /// `UNKNOWN[n]` and not a number (see [`RecordRef::type_text`]).
    pub fn record_type(self) -> Option<RecordType> {
        self.e.m.record_type
    }

    /// The type number as libauparse's `auparse_get_type` gives it: -1 for a name it
    /// cannot resolve.
    pub fn type_number(self) -> i64 {
        self.e.m.record_type.map_or(-1, |t| i64::from(t.0))
    }

    /// The text after `type=` (`SYSCALL`, `UNKNOWN[1329]`).
    pub fn type_text(self) -> &'a [u8] {
        let [s, e, _] = self.e.m.type_tok;
        self.range(s + 5, e)
    }

    /// The event id from `msg=audit(SEC.MSEC:SERIAL)`.
    pub fn id(self) -> EventId {
        self.e.m.id
    }

    /// The `node=` name the record was prefixed with, if any.
    pub fn node(self) -> Option<&'a [u8]> {
        self.e.m.node_tok.map(|[s, e, _]| self.range(s + 5, e))
    }

    /// Line number within its source (from 1; 0 when parsed alone).
    pub fn line(self) -> u64 {
        self.e.m.line
    }

    /// Byte offset of the line within its source.
    pub fn offset(self) -> u64 {
        self.e.m.offset
    }

    /// Index of the source (file) the record came from, in a multi-source read.
    pub fn source_index(self) -> Option<u32> {
        self.e.m.source
    }

    /// Number of fields, counted as libauparse counts them (`type` and `node` count).
    pub fn field_count(self) -> usize {
        self.split().spans.len()
    }

    /// The record's field table, split on first use.
    fn split(self) -> &'a Split {
        self.e.split.get_or_init(|| {
            let bytes = self.bytes;
            let m = &self.e.m;
            let mut spans = Vec::new();
            let mut made = Vec::new();
            let mut split = Splitter {
                text: bytes,
                fields: &mut spans,
                made: &mut made,
                avc: matches!(
                    m.record_type,
                    Some(RecordType::AVC) | Some(RecordType::USER_AVC)
                ),
                offset: 0,
            };
            for [s, e, eq] in m.node_tok.into_iter().chain([m.type_tok]) {
                split.token(s as usize, e as usize, eq as usize);
            }
            split.run(Tokens::new(bytes, m.rest as usize, m.main_end as usize));
            Box::new(Split {
                spans: spans.into_boxed_slice(),
                made: made.into_boxed_slice(),
            })
        })
    }

    /// The fields in order.
    ///
    /// The walk splits the line as it goes (see [`Record`]); it gives the same fields
    /// as [`RecordRef::field_at`] over `0..field_count()`.
    #[inline]
    pub fn fields(self) -> impl Iterator<Item = Field<'a>> + 'a {
        let m = &self.e.m;
        let avc = matches!(
            m.record_type,
            Some(RecordType::AVC) | Some(RecordType::USER_AVC)
        );
        Fields {
            record: self,
            toks: Tokens::new(self.bytes, m.rest as usize, m.main_end as usize),
            index: 0,
            next: if avc {
                Next::Table(self.split())
            } else if m.node_tok.is_some() {
                Next::Node
            } else {
                Next::Type
            },
        }
    }

    /// The field at `index`.
    pub fn field_at(self, index: usize) -> Option<Field<'a>> {
        let split = self.split();
        split
            .spans
            .get(index)
            .map(|span| Field::from_span(self, split, span, index))
    }

    /// The first field with this name.
    pub fn field(self, name: &str) -> Option<Field<'a>> {
        let name = name.as_bytes();
        if self.e.split.get().is_some() {
            return self.find_from(0, name);
        }
        self.fields().find(|f| f.name == name)
    }

    pub(crate) fn find_from(self, start: usize, name: &[u8]) -> Option<Field<'a>> {
        let split = self.split();
        let spans = split.spans.get(start..).unwrap_or(&[]);
        let i = spans
            .iter()
            .position(|s| self.span_bytes(split, s.name) == name)?;
        self.field_at(start + i)
    }

    /// The raw text after the 0x1D separator of an ENRICHED record, if any.
    pub fn interpretation_text(self) -> Option<&'a [u8]> {
        self.e
            .m
            .interp_start
            .map(|s| self.range(s, self.e.m.text_end))
    }

    /// The interpreted fields an ENRICHED record carries after 0x1D (`AUID="root"`).
    pub fn interpretations(self) -> impl Iterator<Item = Field<'a>> + 'a {
        let bytes = self.bytes;
        let toks = match self.e.m.interp_start {
            Some(s) => Tokens::new(bytes, s as usize, self.e.m.text_end as usize),
            None => Tokens::new(bytes, 0, 0),
        };
        toks.filter_map(|(s, e, eq)| Some((s, e, eq?)))
            .enumerate()
            .map(move |(index, (s, e, eq))| Field {
                record: self,
                name: bytes.get(s..eq).unwrap_or(b""),
                value: bytes.get(eq + 1..e).unwrap_or(b""),
                null_value: false,
                index: index as u32,
                interpreted_part: true,
            })
    }

    /// The ENRICHED interpretation for the field `name` (looked up as `NAME`).
    pub fn interpretation_of(self, name: &[u8]) -> Option<&'a [u8]> {
        self.interpretations()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value())
    }
}

impl PartialEq for RecordRef<'_> {
    fn eq(&self, other: &RecordRef<'_>) -> bool {
        fn same<'a, 'b>(
            a: impl Iterator<Item = Field<'a>>,
            b: impl Iterator<Item = Field<'b>>,
        ) -> bool {
            a.map(|f| (f.name, f.value_opt()))
                .eq(b.map(|f| (f.name, f.value_opt())))
        }
        let (m, o) = (&self.e.m, &other.e.m);
        self.text() == other.text()
            && m.record_type == o.record_type
            && m.id == o.id
            && self.node() == other.node()
            && self.type_text() == other.type_text()
            && m.line == o.line
            && m.offset == o.offset
            && m.source == o.source
            && self.interpretation_text() == other.interpretation_text()
            && same(self.fields(), other.fields())
            && same(self.interpretations(), other.interpretations())
    }
}

impl Eq for RecordRef<'_> {}

impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.view() == other.view()
    }
}

impl Eq for Record {}

impl fmt::Debug for RecordRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("text", &String::from_utf8_lossy(self.text()))
            .field("line", &self.e.m.line)
            .finish()
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

impl fmt::Display for RecordRef<'_> {
    /// The record's line, lossily as UTF-8.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.text()))
    }
}

impl fmt::Display for Record {
    /// The record's line, lossily as UTF-8.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}
/// What the start of a line says: `[node=N ]type=T msg=audit(S.M:N)`. Found before the
/// line is stored, so that the parser knows the record's event (and can skip an `EOE`
/// that belongs to none) before copying anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    #[inline(always)]
    pub(crate) fn parse(
        line: &[u8],
        separator: Option<usize>,
        cache: &mut HeaderCache,
    ) -> Result<Header, ErrorKind> {
        let main_end = match separator {
            Some(p) => p.min(line.len()),
            None => memchr::memchr(GROUP_SEPARATOR, line).unwrap_or(line.len()),
        };
        let main = line.get(..main_end).unwrap_or(b"");
        match Header::parse_common(main, cache) {
            Some(head) => Ok(head),
            None => Header::parse_general(main, cache),
        }
    }

    /// [`Header::parse`] for any shape of header, `main` being the line up to its first
    /// 0x1D.
    #[inline(never)]
    fn parse_general(main: &[u8], cache: &mut HeaderCache) -> Result<Header, ErrorKind> {
        let main_end = main.len();
        let mut s = skip_spaces(main, 0);
        let mut node_tok = None;
        if main[s..].starts_with(b"node=") {
            let e = token_end(main, s + 5);
            node_tok = Some((s, e, s + 4));
            s = skip_spaces(main, e);
        }
        if !main[s..].starts_with(b"type=") {
            return Err(ErrorKind::MissingType);
        }
        let e = token_end(main, s + 5);
        if e == s + 5 {
            return Err(ErrorKind::EmptyType);
        }
        let type_tok = (s, e, s + 4);
        let record_type = cache.get(main, s + 5, e);
        // The next token must start with `msg=audit(`. The stamp has no spaces, so it
        // is read from the rest of the main part and lies within the token; the token
        // ends at the first space after it.
        let s = skip_spaces(main, e);
        let stamp = main[s..]
            .strip_prefix(b"msg=audit(")
            .ok_or(ErrorKind::MissingTimestamp)?;
        let (id, used) = cache.stamp_general(stamp)?;
        Ok(Header {
            id,
            record_type,
            node_tok,
            type_tok,
            rest: token_end(main, s + 10 + used),
            main_end,
        })
    }

    /// The header of the common shape, `type=NAME msg=audit(STAMP): `, read with a few
    /// word compares: `None` for any other shape (a node name, extra spaces, a stamp
    /// that does not parse), which [`Header::parse`] then reads the general way, so
    /// that it gives the same header or reports the error. `main` is the line up to
    /// its first 0x1D.
    #[inline(always)]
    fn parse_common(main: &[u8], cache: &mut HeaderCache) -> Option<Header> {
        const TYPE_EQ: u64 = u64::from_le_bytes(*b"type=\0\0\0");
        const TYPE_MASK: u64 = (1 << 40) - 1;
        const MSG: u128 = u128::from_le_bytes(*b" msg=audit(\0\0\0\0\0");
        const MSG_MASK: u128 = (1 << 88) - 1;
        if word(main, 0) & TYPE_MASK != TYPE_EQ {
            return None;
        }
        // The name: its first sixteen bytes as two words, which also key the type cache.
        let (lo, hi) = (word(main, 5), word(main, 13));
        let name = main.get(5..)?;
        let first = zero_bytes(lo ^ SPACES);
        let second = zero_bytes(hi ^ SPACES);
        let (e, record_type) = if first != 0 {
            let len = (first.trailing_zeros() / 8) as usize;
            if len == 0 {
                return None;
            }
            (5 + len, cache.lookup(name, len, lo & KEEP_BYTES[len], 0))
        } else if second != 0 {
            let len = 8 + (second.trailing_zeros() / 8) as usize;
            (
                5 + len,
                cache.lookup(name, len, lo, hi & KEEP_BYTES[len - 8]),
            )
        } else {
            let e = token_end(main, 21);
            (e, cache.get(main, 5, e))
        };
        let msg = main.get(e..e + 16)?;
        if u128::from_le_bytes(msg.try_into().ok()?) & MSG_MASK != MSG {
            return None;
        }
        let (id, used) = cache.stamp(main, e + 11)?;
        let p = e + 11 + used;
        let rest = if main.get(p..p + 2) == Some(b": ") {
            p + 1
        } else {
            token_end(main, p)
        };
        Some(Header {
            id,
            record_type,
            node_tok: None,
            type_tok: (0, e, 4),
            rest,
            main_end: main.len(),
        })
    }

    /// The header of the line `type=NAME msg=PAYLOAD` that a kernel record of a
    /// named type makes, read from its parts without writing the line: `record_type`
    /// is what the line's type name reads as. `None` unless the payload has the
    /// kernel's shape, `audit(STAMP): ` with a stamp that parses before any 0x1D;
    /// the caller then writes the line and parses it, which gives the same header
    /// or the error.
    #[inline(always)]
    pub(crate) fn of_kernel(
        name: &[u8],
        record_type: Option<RecordType>,
        payload: &[u8],
        cache: &mut HeaderCache,
    ) -> Option<Header> {
        let prefix = kernel_prefix_len(name);
        if prefix + payload.len() > MAX_RECORD_LEN || !payload.starts_with(b"audit(") {
            return None;
        }
        let main = match memchr::memchr(GROUP_SEPARATOR, payload) {
            Some(sep) => &payload[..sep],
            None => payload,
        };
        let (id, used) = cache.stamp(main, 6)?;
        let p = 6 + used;
        if main.get(p..p + 2) != Some(b": ") {
            return None;
        }
        Some(Header {
            id,
            record_type,
            node_tok: None,
            type_tok: (0, 5 + name.len(), 4),
            rest: prefix + p + 1,
            main_end: prefix + main.len(),
        })
    }

    /// The node name, from the line the header was parsed from.
    pub(crate) fn node<'l>(&self, line: &'l [u8]) -> Option<&'l [u8]> {
        self.node_tok
            .map(|(s, e, _)| line.get(s + 5..e).unwrap_or(b""))
    }
}

/// The first non-space at or after `i` in `s` (or `s.len()`).
#[inline(always)]
fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while s.get(i) == Some(&b' ') {
        i += 1;
    }
    i.min(s.len())
}

/// The first space at or after `i` in `s` (or `s.len()`).
#[inline(always)]
fn token_end(s: &[u8], mut i: usize) -> usize {
    while i < s.len() {
        let sp = zero_bytes(word(s, i) ^ SPACES);
        if sp != 0 {
            return (i + (sp.trailing_zeros() / 8) as usize).min(s.len());
        }
        i += 8;
    }
    s.len()
}

/// What the header parser remembers between lines: the record types of the type names
/// seen last (a name is read from the line as two words and compared with a cache slot,
/// which costs less than the table's lookup), and the last time stamp (the records of
/// an event follow each other, and share it).
#[derive(Debug, Default)]
pub(crate) struct HeaderCache {
    slots: [(u64, u64, u32, Option<RecordType>); 16],
    /// The text of the last stamp, up to and including its `)` (at most 32 bytes), as
    /// two little-endian words, the masks that keep its bytes of them, its length
    /// (0: none yet) and what it said.
    stamp: [u128; 2],
    stamp_mask: [u128; 2],
    stamp_len: usize,
    stamp_id: EventId,
    /// Where the '.' after the seconds is in the last stamp.
    stamp_dot: usize,
}

impl HeaderCache {
    /// The stamp at `line[at..]` (the text after `audit(`) and its length; `None` when
    /// it does not parse. The stamp of the line before is compared as two words.
    #[inline(always)]
    fn stamp(&mut self, line: &[u8], at: usize) -> Option<(EventId, usize)> {
        let n = self.stamp_len;
        let mut same = 0;
        if let Some(a) = line.get(at..at + 32) {
            let lo = u128::from_le_bytes(a[..16].try_into().ok()?);
            let hi = u128::from_le_bytes(a[16..].try_into().ok()?);
            let diff_lo = (lo ^ self.stamp[0]) & self.stamp_mask[0];
            let diff_hi = (hi ^ self.stamp[1]) & self.stamp_mask[1];
            if n != 0 {
                if diff_lo | diff_hi == 0 {
                    return Some((self.stamp_id, n));
                }
                // How many bytes it shares with the last stamp.
                same = if diff_lo != 0 {
                    diff_lo.trailing_zeros() / 8
                } else {
                    16 + diff_hi.trailing_zeros() / 8
                } as usize;
            }
        }
        let s = line.get(at..)?;
        if n != 0 && same > self.stamp_dot {
            // The same seconds (and '.') as the last stamp: read from the milliseconds.
            let (sec, dot) = (self.stamp_id.sec, self.stamp_dot);
            return self.remember(s, dot, parse_stamp_after(s, sec, dot)).ok();
        }
        self.stamp_general(s).ok()
    }

    /// [`HeaderCache::stamp`] without the word compare, for `s` the text after
    /// `audit(`.
    #[inline(never)]
    fn stamp_general(&mut self, s: &[u8]) -> Result<(EventId, usize), ErrorKind> {
        let n = self.stamp_len;
        // Too near the line's end for the word compare.
        if n != 0 && s.len() < 32 && s.len() >= n {
            let mut text = [0u8; 32];
            text[..n].copy_from_slice(&s[..n]);
            let lo = u128::from_le_bytes(text[..16].try_into().unwrap_or_default());
            let hi = u128::from_le_bytes(text[16..].try_into().unwrap_or_default());
            if lo == self.stamp[0] && hi == self.stamp[1] {
                return Ok((self.stamp_id, n));
            }
        }
        let (sec, dot) = parse_seconds(s)?;
        self.remember(s, dot, parse_stamp_after(s, sec, dot))
    }

    /// Keep the stamp `s` parsed to (its '.' at `dot`), for the lines that follow.
    #[inline(always)]
    fn remember(
        &mut self,
        s: &[u8],
        dot: usize,
        parsed: Result<(EventId, usize), ErrorKind>,
    ) -> Result<(EventId, usize), ErrorKind> {
        let (id, used) = parsed?;
        if used <= 32 {
            let keep = |n: usize| match n {
                0 => 0,
                16.. => u128::MAX,
                n => (1u128 << (8 * n)) - 1,
            };
            self.stamp_mask = [keep(used), keep(used.saturating_sub(16))];
            let mut text = [0u8; 32];
            text[..used].copy_from_slice(&s[..used]);
            self.stamp = [
                u128::from_le_bytes(text[..16].try_into().unwrap_or_default()),
                u128::from_le_bytes(text[16..].try_into().unwrap_or_default()),
            ];
            self.stamp_len = used;
            self.stamp_id = id;
            self.stamp_dot = dot;
        }
        Ok((id, used))
    }

    /// The type named by `line[s..e]`.
    #[inline]
    fn get(&mut self, line: &[u8], s: usize, e: usize) -> Option<RecordType> {
        let len = e - s;
        if len == 0 || len > 16 {
            return RecordType::from_log_name_bytes(line.get(s..e)?);
        }
        // The first `n` bytes of a word (n <= 8): type names of up to eight letters
        // and of more alternate.
        let lo = word(line, s) & KEEP_BYTES[len.min(8)];
        let hi = word(line, s + 8) & KEEP_BYTES[len.saturating_sub(8)];
        self.lookup(&line[s..], len, lo, hi)
    }

    /// The type named by `name[..len]` (1 to 16 bytes), which are `lo` and `hi` (the
    /// bytes past the name zeroed).
    #[inline(always)]
    fn lookup(&mut self, name: &[u8], len: usize, lo: u64, hi: u64) -> Option<RecordType> {
        let h = (lo ^ hi.rotate_left(29) ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let at = (h >> 60) as usize;
        let slot = &self.slots[at];
        if slot.0 == lo && slot.1 == hi && slot.2 == len as u32 {
            return slot.3;
        }
        self.miss(at, name.get(..len)?, lo, hi)
    }

    /// Look `name` up and keep it in slot `at`, where its words hash.
    #[cold]
    #[inline(never)]
    fn miss(&mut self, at: usize, name: &[u8], lo: u64, hi: u64) -> Option<RecordType> {
        let t = RecordType::from_log_name_bytes(name);
        self.slots[at] = (lo, hi, name.len() as u32, t);
        t
    }
}

/// `KEEP_BYTES[n]` keeps the first `n` bytes of a little-endian word.
const KEEP_BYTES: [u64; 9] = {
    let mut t = [u64::MAX; 9];
    let mut n = 0;
    while n < 8 {
        t[n] = (1 << (8 * n)) - 1;
        n += 1;
    }
    t
};

/// Spaces stored after each line (no token runs into them), so that the tokenizer's
/// 64-byte blocks, which start before the line's end, never reach past the buffer and
/// need no copy into a block of their own: 56 bytes a record more than the 8 a word
/// needs, for about 0.3% fewer instructions in a walk over every field.
const PAD: usize = 64;

/// Builds the storage of one event: lines appended record by record, then frozen into
/// records that share it. Its buffers are reused from event to event.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    pub(crate) bytes: Vec<u8>,
    pub(crate) entries: Vec<Entry>,
}

impl Builder {
    /// Store a line whose header was parsed. Its fields are split when used.
    #[inline]
    pub(crate) fn add_line(
        &mut self,
        line: &[u8],
        head: &Header,
        line_number: u64,
        offset: u64,
        source: Option<u32>,
    ) {
        let base = self.bytes.len();
        self.bytes.reserve(line.len() + PAD);
        self.bytes.extend_from_slice(line);
        self.bytes.extend_from_slice(&[b' '; PAD]);
        self.push_entry(base, line.len(), head, line_number, offset, source);
    }

    /// The entry of the line of `len` bytes just stored at `base`.
    #[inline(always)]
    fn push_entry(
        &mut self,
        base: usize,
        len: usize,
        head: &Header,
        line_number: u64,
        offset: u64,
        source: Option<u32>,
    ) {
        let rel = |s: usize| (base + s) as u32;
        let tok = |(s, e, eq): (usize, usize, usize)| [rel(s), rel(e), rel(eq)];
        self.entries.push(Entry::new(Meta {
            text_start: base as u32,
            text_end: rel(len),
            rest: rel(head.rest),
            main_end: rel(head.main_end),
            interp_start: (head.main_end < len).then(|| rel(head.main_end + 1)),
            type_tok: tok(head.type_tok),
            node_tok: head.node_tok.map(tok),
            record_type: head.record_type,
            id: head.id,
            line: line_number,
            offset,
            source,
        }));
    }

    /// Store the line `type=NAME msg=PAYLOAD` of a kernel record, written here from
    /// its parts, whose header [`Header::of_kernel`] read.
    #[inline]
    pub(crate) fn add_kernel_line(&mut self, name: &[u8], payload: &[u8], head: &Header) {
        let base = self.bytes.len();
        append_kernel_line(&mut self.bytes, name, payload, PAD);
        let len = self.bytes.len() - base;
        self.bytes.extend_from_slice(&[b' '; PAD]);
        self.push_entry(base, len, head, 0, 0, None);
    }

    /// Copy a record built elsewhere.
    pub(crate) fn add_record(&mut self, r: RecordRef<'_>) {
        let base = self.bytes.len() as u32;
        self.bytes.extend_from_slice(r.text());
        self.bytes.extend_from_slice(&[b' '; PAD]);
        self.entries.push(Entry::new(r.meta_at(base)));
    }

    /// Freeze what was added into one buffer and the records' entries over it; the
    /// builder is left empty for the next event (keeping its buffers unless they grew
    /// large).
    pub(crate) fn finish<B: for<'b> From<&'b [u8]>>(&mut self) -> (B, Vec<Entry>) {
        let bytes = B::from(self.bytes.as_slice());
        let entries = self.entries.iter().map(|e| Entry::new(e.m)).collect();
        self.clear();
        (bytes, entries)
    }

    /// Empty the builder for the next event, keeping its buffers for reuse while they
    /// are small, so that a burst of many open events does not leave its peak memory
    /// behind in every slot.
    pub(crate) fn clear(&mut self) {
        clear_buffers(&mut self.bytes, &mut self.entries);
    }
}

/// Empty an event's buffers for reuse, keeping them only while they are small.
pub(crate) fn clear_buffers(bytes: &mut Vec<u8>, entries: &mut Vec<Entry>) {
    const KEEP: usize = 1 << 13;
    if bytes.capacity() > KEEP {
        *bytes = Vec::new();
    }
    if entries.capacity() > 64 {
        *entries = Vec::new();
    }
    bytes.clear();
    entries.clear();
}

/// Replace `line` with auditd's RAW line for a kernel record, `type=NAME msg=PAYLOAD`
/// (`UNKNOWN[n]` for a type without a name), the payload's trailing NULs and
/// newlines dropped.
pub(crate) fn write_kernel_line(line: &mut Vec<u8>, record_type: RecordType, payload: &[u8]) {
    let unnamed;
    let name = match record_type.name() {
        Some(name) => name.as_bytes(),
        None => {
            unnamed = format!("UNKNOWN[{}]", record_type.0);
            unnamed.as_bytes()
        }
    };
    line.clear();
    append_kernel_line(line, name, trim_kernel_payload(payload), 0);
}

/// Append the line `type=NAME msg=PAYLOAD` to `out`, with room reserved for
/// `spare` bytes more.
#[inline(always)]
fn append_kernel_line(out: &mut Vec<u8>, name: &[u8], payload: &[u8], spare: usize) {
    out.reserve(kernel_prefix_len(name) + payload.len() + spare);
    out.extend_from_slice(b"type=");
    out.extend_from_slice(name);
    out.extend_from_slice(b" msg=");
    out.extend_from_slice(payload);
}

/// The length of `type=NAME msg=`, what a kernel record's line has before its payload.
#[inline(always)]
pub(crate) fn kernel_prefix_len(name: &[u8]) -> usize {
    b"type=".len() + name.len() + b" msg=".len()
}

/// A kernel record's payload without the trailing NULs and newlines some kernels
/// leave on it (as auditd writes it, and as [`Record::from_kernel`] reads it).
///
/// ```
/// assert_eq!(audit_parse::record::trim_kernel_payload(b"audit(1.0:2): x=1\n\0\0"),
///            b"audit(1.0:2): x=1");
/// ```
pub fn trim_kernel_payload(mut p: &[u8]) -> &[u8] {
    while let [rest @ .., b'\0' | b'\n'] = p {
        p = rest;
    }
    p
}

/// The serial of a kernel record's payload, `audit(SECONDS.MILLIS:SERIAL): ...`:
/// the digits between the stamp's first `:` and its `)` (one leading `+` allowed,
/// as `str::parse` reads a number); `None` when there are none, when anything
/// else is there, or when the number does not fit a `u64`.
///
/// A reader that tracks serials per record (for gaps after an overflow, say)
/// calls this on every record: it is one pass over the stamp, without the
/// checks [`Record::from_kernel`] makes of the rest.
///
/// ```
/// use audit_parse::record::payload_serial;
/// assert_eq!(payload_serial(b"audit(1700000000.123:42): pid=1"), Some(42));
/// assert_eq!(payload_serial(b"audit(1700000000.123): pid=1"), None);
/// ```
pub fn payload_serial(payload: &[u8]) -> Option<u64> {
    const COLONS: u64 = ONES * b':' as u64;
    const CLOSES: u64 = ONES * b')' as u64;
    let stamp = payload.strip_prefix(b"audit(")?;
    // Seconds and millis up to the first ':', eight bytes at a time; a ')' before
    // it ends the stamp without a serial.
    let mut i = 0;
    let colon = loop {
        if i >= stamp.len() {
            return None;
        }
        let w = word(stamp, i);
        let hits = zero_bytes(w ^ COLONS) | zero_bytes(w ^ CLOSES);
        if hits != 0 {
            let at = i + (hits.trailing_zeros() / 8) as usize;
            match stamp.get(at) {
                Some(b':') => break at,
                _ => return None,
            }
        }
        i += 8;
    };
    let mut rest = &stamp[colon + 1..];
    if let [b'+', tail @ ..] = rest {
        rest = tail;
    }
    let mut serial = 0u64;
    for (n, &b) in rest.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                serial = serial.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            }
            b')' if n > 0 => return Some(serial),
            _ => return None,
        }
    }
    None
}

/// How many leading payload bytes [`SerialReader`] keeps of the last stamp:
/// `audit(` + ten digits of seconds + `.` + three of millis + `:` and the `)` leave
/// ten digits for the serial.
const STAMP_KEY: usize = 32;

/// [`payload_serial`] for a stream of kernel records: the records of one event
/// share their stamp, so the serial is read once per stamp, and a record whose
/// stamp is the last one read (to its first `)`, within the payload's first 32
/// bytes) gets the same serial after one masked compare.
///
/// ```
/// use audit_parse::record::SerialReader;
/// let mut serials = SerialReader::new();
/// assert_eq!(serials.serial(b"audit(1700000000.123:42): arch=c000003e syscall=59"), Some(42));
/// assert_eq!(serials.serial(b"audit(1700000000.123:42): cwd=\"/root\""), Some(42));
/// assert_eq!(serials.serial(b"audit(1700000000.124:43): proctitle=6C73"), Some(43));
/// ```
#[derive(Clone, Debug, Default)]
pub struct SerialReader {
    /// The first [`STAMP_KEY`] bytes of the last payload read, as little-endian
    /// words.
    stamp: [u64; STAMP_KEY / 8],
    /// Which bytes of `stamp` decided its serial: those up to its first `)`
    /// (the serial's reading stops there or before). All zero when there is no
    /// `)` among them: nothing is remembered then.
    decided_by: [u64; STAMP_KEY / 8],
    /// That payload's serial.
    serial: Option<u64>,
}

impl SerialReader {
    /// A reader that has seen no stamp yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The serial of `payload`, as [`payload_serial`] reads it.
    #[inline]
    pub fn serial(&mut self, payload: &[u8]) -> Option<u64> {
        let Some(key) = payload.first_chunk::<STAMP_KEY>() else {
            return payload_serial(payload);
        };
        let words: [u64; STAMP_KEY / 8] = std::array::from_fn(|i| word(key, i * 8));
        let mut differ = 0;
        for ((w, s), m) in words.iter().zip(&self.stamp).zip(&self.decided_by) {
            differ |= (w ^ s) & m;
        }
        if differ == 0 && self.decided_by[0] != 0 {
            return self.serial;
        }
        self.serial = payload_serial(payload);
        self.stamp = words;
        self.decided_by = through_first_close(&words);
        self.serial
    }
}

/// A mask of the bytes of `words` up to and including the first `)`; all zero
/// when there is none.
fn through_first_close<const N: usize>(words: &[u64; N]) -> [u64; N] {
    const CLOSES: u64 = ONES * b')' as u64;
    let mut mask = [0; N];
    for (i, w) in words.iter().enumerate() {
        let hits = zero_bytes(w ^ CLOSES);
        if hits != 0 {
            // The high bit of the first ')' byte, k: bits 0..8k+8 cover bytes 0..=k.
            let bits = hits.trailing_zeros() + 1;
            mask[i] = u64::MAX >> (64 - bits);
            mask[..i].fill(u64::MAX);
            return mask;
        }
    }
    mask
}

/// The seconds at the start of a stamp (the text after `audit(`), and where the '.'
/// after them is.
#[inline(always)]
fn parse_seconds(s: &[u8]) -> Result<(u64, usize), ErrorKind> {
    let (sec, i) = digits(s, 0).ok_or(ErrorKind::BadTimestamp("seconds are not a number"))?;
    if s.get(i) != Some(&b'.') {
        return Err(ErrorKind::BadTimestamp("no '.' after the seconds"));
    }
    Ok((sec, i))
}

/// The rest of a stamp `SEC.MSEC:SERIAL)...` from the '.' at `s[i]`, the seconds
/// before it being `sec`: its id, and how many bytes the stamp took, up to and
/// including the `)`.
#[inline(always)]
fn parse_stamp_after(s: &[u8], sec: u64, i: usize) -> Result<(EventId, usize), ErrorKind> {
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
/// Tokens are found from bit masks of 64 bytes at a time: the spaces, the '=' and the
/// token starts (a byte that is not a space after one that is), made with a few vector
/// compares per block. Each token then costs a few bit operations: its start is the
/// lowest start bit left, its end the next space bit. A token longer than 64 bytes is
/// followed block by block. Bytes past `limit` may be read (results are clamped); past
/// the end of `s` they count as spaces.
struct Tokens<'a> {
    s: &'a [u8],
    /// `s[..limit]`: the tokens are cut from it (so that their bounds are known to be
    /// within it).
    within: &'a [u8],
    /// The masks are of `s[base..base + 64]`, one bit per byte.
    base: usize,
    spaces: u64,
    equals: u64,
    /// The starts of the block's tokens not given yet.
    starts: u64,
}

impl<'a> Tokens<'a> {
    #[inline(always)]
    fn new(s: &'a [u8], pos: usize, limit: usize) -> Self {
        let mut t = Tokens {
            s,
            within: s.get(..limit).unwrap_or(s),
            base: pos,
            spaces: 0,
            equals: 0,
            starts: 0,
        };
        t.load(pos);
        t
    }

    /// Read the masks of the 64 bytes from `base`. A token starts at `base` if a
    /// non-space is there: blocks are read where the walk starts, after a block whose
    /// tokens were all given (its last byte is then a space or the end of a token
    /// given), and on from a block whose last token runs past it ([`Tokens::long_token`],
    /// which clears the start `load` marks inside that token).
    #[inline(always)]
    fn load(&mut self, base: usize) {
        self.base = base;
        (self.spaces, self.equals) = block_masks(self.s, base);
        self.starts = !self.spaces & ((self.spaces << 1) | 1);
    }

    /// The next token as (start, end, first '=' or [`NO_EQ`]).
    #[inline(always)]
    fn next_raw(&mut self) -> Option<(usize, usize, usize)> {
        loop {
            if self.starts == 0 {
                let next = self.base + 64;
                if next >= self.within.len() {
                    return None;
                }
                self.load(next);
                continue;
            }
            let r = self.starts.trailing_zeros() as usize;
            let start = self.base + r;
            if start >= self.within.len() {
                self.starts = 0;
                return None;
            }
            let after = self.spaces >> r;
            if after == 0 {
                // The token runs past this block.
                return Some(self.long_token(start, r));
            }
            self.starts &= self.starts - 1;
            let end = (start + after.trailing_zeros() as usize).min(self.within.len());
            let eq = start + (self.equals >> r).trailing_zeros() as usize;
            return Some((start, end, if eq < end { eq } else { NO_EQ }));
        }
    }

    /// A token that starts at `start`, bit `r` of the block read, and has no space
    /// after it in that block: its end is found in the blocks that follow, and the
    /// block it ends in stays read (no byte is read twice).
    #[inline(always)]
    fn long_token(&mut self, start: usize, r: usize) -> (usize, usize, usize) {
        let equals = self.equals >> r;
        let mut eq = if equals != 0 {
            start + equals.trailing_zeros() as usize
        } else {
            NO_EQ
        };
        let end = loop {
            let next = self.base + 64;
            if next >= self.within.len() {
                self.base = next;
                self.starts = 0;
                break self.within.len();
            }
            self.load(next);
            if eq == NO_EQ && self.equals != 0 {
                eq = next + self.equals.trailing_zeros() as usize;
            }
            if self.spaces != 0 {
                let rel = self.spaces.trailing_zeros();
                // The token goes on at the block's first byte, which `load` took for a
                // start.
                self.starts &= u64::MAX << rel;
                break next + rel as usize;
            }
        };
        let end = end.min(self.within.len());
        (start, end, if eq < end { eq } else { NO_EQ })
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
const SPACES: u64 = ONES * b' ' as u64;
/// The '=' offset of a token without one.
const NO_EQ: usize = usize::MAX;

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
#[inline(never)]
fn word_tail(s: &[u8], i: usize) -> u64 {
    let mut w = [b' '; 8];
    let tail = s.get(i..).unwrap_or(b"");
    w[..tail.len().min(8)].copy_from_slice(&tail[..tail.len().min(8)]);
    u64::from_le_bytes(w)
}

/// Bit masks (bit i for byte `base + i`) of the spaces and of the '=' among the 64
/// bytes of `s` from `base` (bytes past the end of `s` count as spaces).
#[inline(always)]
fn block_masks(s: &[u8], base: usize) -> (u64, u64) {
    match s.get(base..base + 64) {
        Some(block) => masks_of(block),
        None => block_masks_tail(s, base),
    }
}

#[cold]
#[inline(never)]
fn block_masks_tail(s: &[u8], base: usize) -> (u64, u64) {
    // The last 64 bytes of `s`, moved down to `base`: the bytes past the end become
    // spaces. (The last line of an event comes here; most events are longer than 64.)
    if let Some(from) = s
        .len()
        .checked_sub(64)
        .filter(|&from| base > from && base < s.len())
    {
        let (spaces, equals) = masks_of(&s[from..]);
        let shift = base - from;
        return (
            (spaces >> shift) | (u64::MAX << (64 - shift)),
            equals >> shift,
        );
    }
    let mut block = [b' '; 64];
    let tail = s.get(base..).unwrap_or(b"");
    let n = tail.len().min(64);
    block[..n].copy_from_slice(&tail[..n]);
    masks_of(&block)
}

/// Sixteen bytes at a time with vector compares (SSE2 on x86_64; `wide` falls back
/// to plain code elsewhere).
#[inline(always)]
fn masks_of(block: &[u8]) -> (u64, u64) {
    let space = wide::u8x16::splat(b' ');
    let equal = wide::u8x16::splat(b'=');
    let (mut spaces, mut equals) = (0u64, 0u64);
    for (k, chunk) in block.chunks_exact(16).enumerate().take(4) {
        let v = wide::u8x16::new(<[u8; 16]>::try_from(chunk).unwrap_or([b' '; 16]));
        spaces |= u64::from(v.simd_eq(space).to_bitmask()) << (16 * k);
        equals |= u64::from(v.simd_eq(equal).to_bitmask()) << (16 * k);
    }
    (spaces, equals)
}

impl Iterator for Tokens<'_> {
    type Item = (usize, usize, Option<usize>);
    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let (s, e, eq) = self.next_raw()?;
        Some((s, e, (eq != NO_EQ).then_some(eq)))
    }
}

/// What a token with a '=' is, by libauparse's rules.
enum Token {
    /// Not a field (`msg=audit(...)`, an empty value).
    Skip,
    /// A field: name start and end, value start and end.
    Field([usize; 4]),
    /// A hex-encoded `key`, which becomes one field per key it holds.
    HexKey([usize; 4]),
}

/// The bytes that need a closer look at a token's ends: first (`[0]`) `msg=`, a
/// leading `(`, and a `k` that may start a hex-encoded `key`; last (`[1]`) those
/// libauparse drops from a value's end, and a `=` that may end an empty value. One
/// table for both ends, so that both look-ups index from one address.
static EDGES: [[bool; 256]; 2] = {
    let mut t = [[false; 256]; 2];
    t[0][b'm' as usize] = true;
    t[0][b'(' as usize] = true;
    t[0][b'k' as usize] = true;
    t[1][b':' as usize] = true;
    t[1][b',' as usize] = true;
    t[1][b'\'' as usize] = true;
    t[1][b')' as usize] = true;
    t[1][b'=' as usize] = true;
    t
};

/// Classify the token `text[s..e]` whose first '=' is at `eq`.
#[inline(always)]
fn classify(text: &[u8], s: usize, e: usize, eq: usize) -> Token {
    // Most tokens are plain `name=value`: one look-up at each end tells. A token that
    // passes ends in something other than '=', so its value is not empty, and does not
    // start with `k`, so it is no `key`.
    let plain = match (text.get(s), text.get(e.wrapping_sub(1))) {
        (Some(&first), Some(&last)) => {
            !(EDGES[0][usize::from(first)] | EDGES[1][usize::from(last)])
        }
        _ => false,
    };
    if !plain {
        return classify_edges(text, s, e, eq);
    }
    Token::Field([s, eq, eq + 1, e])
}

/// Whether the field `text[s..eq]=text[val_start..]` is a `key` that is hex-encoded
/// (not quoted, not `(null)`).
#[inline(always)]
fn is_hex_key(text: &[u8], s: usize, eq: usize, val_start: usize) -> bool {
    eq - s == 3
        && text.get(s..eq) == Some(b"key")
        && !matches!(text.get(val_start), Some(b'(' | b'"'))
}

/// [`classify`] for a token whose first or last byte needs a closer look.
#[cold]
fn classify_edges(text: &[u8], s: usize, e: usize, eq: usize) -> Token {
    let (s, eq) = if text.get(s) == Some(&b'm') {
        match after_msg_prefix(text, s, e, eq) {
            Some(found) => found,
            None => return Token::Skip,
        }
    } else {
        (s, eq)
    };
    let name_start = s + usize::from(text.get(s) == Some(&b'('));
    let val_start = eq + 1;
    let mut val_end = e;
    if val_start >= val_end {
        return Token::Skip;
    }
    if matches!(text.get(val_end - 1), Some(b':' | b',' | b'\'' | b')')) {
        val_end = trim_value(text, val_start, val_end);
    }
    let spans = [name_start, eq, val_start, val_end];
    if is_hex_key(text, name_start, eq, val_start) {
        return Token::HexKey(spans);
    }
    Token::Field(spans)
}

/// For a token starting with `m`: `msg=audit(...)` is no field (None); `msg='` is
/// dropped from the front of the first inner field of a user-space record (its start
/// and first '=' move, None if it has no '='); any other token is left as it is.
#[inline(never)]
fn after_msg_prefix(text: &[u8], s: usize, e: usize, eq: usize) -> Option<(usize, usize)> {
    if text.get(s..s + 4) != Some(b"msg=") {
        return Some((s, eq));
    }
    match text.get(s + 4) {
        Some(b'a') => None,
        Some(b'\'') => {
            let s = s + 5;
            let i = memchr::memchr(b'=', text.get(s..e).unwrap_or(b""))?;
            Some((s, s + i))
        }
        _ => Some((s, eq)),
    }
}

/// Splits the main part of a stored line into a field table, following libauparse's
/// rules (the same as [`Record::fields`] follows, plus the fields that need bytes of
/// their own).
struct Splitter<'t, 'o> {
    text: &'t [u8],
    fields: &'o mut Vec<FieldSpan>,
    made: &'o mut Vec<u8>,
    avc: bool,
    /// 1 when the record starts with node=, which shifts the expected positions.
    offset: usize,
}

impl Splitter<'_, '_> {
    fn count(&self) -> usize {
        self.fields.len()
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
    fn token(&mut self, s: usize, e: usize, eq: usize) {
        match classify(self.text, s, e, eq) {
            Token::Skip => {}
            Token::HexKey([ns, ne, vs, ve]) => {
                let value = self.text.get(vs..ve).unwrap_or(b"");
                split_hex_keys(ns, ne, value, self.fields, self.made);
            }
            Token::Field([ns, ne, vs, ve]) => {
                self.fields.push(FieldSpan {
                    name: Span::line(ns, ne),
                    value: Span::line(vs, ve),
                });
                if self.count() == 1 && self.text.get(ns..ne) == Some(b"node") {
                    self.offset = 1;
                }
            }
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
#[inline(never)]
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

    /// A payload's serial reads as `str::parse::<u64>` reads the text between the
    /// stamp's first `:` and its first `)`, on every prefix of each payload.
    #[test]
    fn payload_serial_reads_as_str_parse() {
        let by_str = |payload: &[u8]| -> Option<u64> {
            let p = payload.strip_prefix(b"audit(")?;
            let colon = p.iter().position(|&b| b == b':')?;
            let close = p.iter().position(|&b| b == b')')?;
            if close <= colon {
                return None;
            }
            std::str::from_utf8(&p[colon + 1..close]).ok()?.parse().ok()
        };
        let cases: [&[u8]; 19] = [
            b"audit(1700000000.123:42): x=1",
            b"audit(1.2:+42): ",
            b"audit(1.2:): ",
            b"audit(1.2:+): ",
            b"audit(1.2:++1): ",
            b"audit(1.2:18446744073709551615): ",
            b"audit(1.2:18446744073709551616): ",
            b"audit(1.2:99999999999999999999999): ",
            b"audit(1.2:4a): ",
            b"audit(1.2:-1): ",
            b"audit(1.2:\xff): ",
            b"audit(1)2:3): ",
            b"audit(1)2): ",
            b"audit(1.0 x=1 y=2)3:4): z",
            b"audit(1.0 x=1 y=2): z",
            b"audit(1.2:007)",
            b"audit(1.2:3:4): ",
            b"type=SYSCALL msg=audit(1.2:3): ",
            b"audit(1.2:3",
        ];
        for c in cases {
            for end in 0..=c.len() {
                let p = &c[..end];
                assert_eq!(payload_serial(p), by_str(p), "{}", p.escape_ascii());
            }
        }
        assert_eq!(payload_serial(cases[0]), Some(42));
        assert_eq!(payload_serial(cases[1]), Some(42));
        assert_eq!(payload_serial(cases[5]), Some(u64::MAX));
        assert_eq!(payload_serial(b"audit(1.2:007)"), Some(7));
    }

    /// A [`SerialReader`] fed records in a row reads what `payload_serial` reads of
    /// each: stamps that repeat, that differ only past the compared bytes, and
    /// payloads shorter than them.
    #[test]
    fn serial_reader_reads_as_payload_serial() {
        let zeros = "0".repeat(22);
        let long = |last: u8| format!("audit(1.2:{zeros}{}): x=1", last as char);
        let (long1, long2) = (long(b'1'), long(b'2'));
        let payloads: [&[u8]; 11] = [
            b"audit(1700000000.123:42): arch=c000003e syscall=59",
            b"audit(1700000000.123:42): cwd=\"/\"",
            b"audit(1700000000.123:4): cwd=\"/root\"",
            b"audit(1700000000.123:42): cwd=\"/\"",
            b"audit(1700000000.123:43): cwd=\"/\"",
            long1.as_bytes(),
            long2.as_bytes(),
            long1.as_bytes(),
            b"audit(1.2:7): ",
            b"audit(1700000000.123:4)x: arch=c000003e syscall=59",
            b"audit(1700000000.123:42): arch=c000003e syscall=59",
        ];
        let mut reader = SerialReader::new();
        for round in 0..2 {
            for p in payloads {
                for end in [p.len(), STAMP_KEY, STAMP_KEY - 1, 12] {
                    let p = &p[..end.min(p.len())];
                    let want = payload_serial(p);
                    assert_eq!(reader.serial(p), want, "{round}: {}", p.escape_ascii());
                }
            }
        }
        assert_eq!(reader.serial(long1.as_bytes()), Some(1));
        assert_eq!(reader.serial(long2.as_bytes()), Some(2));
    }

    #[test]
    fn a_line_past_what_offsets_reach_is_refused() {
        let head = b"type=PATH msg=audit(1.000:1): name=";
        let mut line = vec![b'a'; MAX_RECORD_LEN + 1];
        line[..head.len()].copy_from_slice(head);
        let e = Record::parse(&line).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::LineTooLong {
                limit: MAX_RECORD_LEN
            }
        );
    }

    /// The header's fast path for the common shape reads what the general one reads, on
    /// every prefix of lines of many shapes, whatever the caches remember from the
    /// lines before.
    #[test]
    fn common_header_path_agrees_with_the_general_one() {
        let lines: &[&[u8]] = &[
            b"type=SYSCALL msg=audit(1700000000.004:1002): arch=c000003e syscall=44",
            b"type=CWD msg=audit(1700000000.004:1002): cwd=\"/\"",
            b"type=PATH msg=audit(1700000000.004:1003): item=0 name=\"/usr/lib/x86_64-linux-gnu/\"",
            b"type=PATH msg=audit(1700000000.9999:1003): item=0 name=\"/usr/lib/x86_64-linux-gnu/\"",
            b"type=PATH msg=audit(1700000000.004:1003): item=0 name=\"/usr/lib/x86_64-linux-gnu/\"",
            b"type=PATH msg=audit(1700000000.005:x): item=0 name=\"/usr/lib/x86_64-linux-gnu/\"",
            b"type=PATH msg=audit(1700000000.004:1003): item=0 name=\"/usr/lib/x86_64-linux-gnu/\"",
            b"type=PATH msg=audit(17000000001.004:1003): item=0 name=\"/usr/lib/x86_64-linux-gnu/\"",
            b"type=PATH msg=audit(1700000000.017:99999999999999999999): item=0 name=\"/usr/lib/x86_64-linux-gnu/\"",
            b"type=PATH msg=audit(1700000000.017:9): item=0 name=\"/usr/lib/x86_64-linux-gnu/\"",
            b"type=X msg=audit(1.000:1): a=1",
            b"type=ABCDEFGH msg=audit(1.000:1): a=1",
            b"type=ABCDEFGHI msg=audit(1.000:1): a=1",
            b"type=USER_MAC_CONFIG_CHANGE msg=audit(1.000:1):a=1",
            b"type=ABCDEFGHIJKLMNOP msg=audit(1.000:1) a=1",
            b"type=ABCDEFGHIJKLMNOPQ msg=audit(1.000:1)",
            b"type=UNKNOWN[1999] msg=audit(12.345:678): x",
            b"type=SYSCALL msg=audit(1700000000.004:1002):",
            b"type=SYSCALL msg=audit(1700000000.004:10021): a=1",
            b"type=SYSCALL msg=audit(1700000000.004:1002)x: a=1",
            b"type=SYSCALL  msg=audit(1700000000.004:1002): a=1",
            b"type= msg=audit(1.000:1): a=1",
            b"node=h type=SYSCALL msg=audit(1.000:1): a=1",
            b" type=SYSCALL msg=audit(1.000:1): a=1",
            b"type=SYSCALL msg=audit(1.1000:1): a=1",
            b"type=SYSCALL msg=audit(99999999999999999999.000:1): a=1",
            b"type=SYSCALL msg=audit(0000000000000000001.000:00000000000000001): a",
            b"type=SYSCALL msg=audit(1.000:1\x1d): a=1",
            b"type=SYSCALL msg=audit(1.000:1): a=1\x1dA=\"x\"",
            b"type=SYSCALL msg=audit(1.000:1): a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8",
        ];
        let mut cache = HeaderCache::default();
        let mut fast = 0;
        for round in 0..2 {
            for line in lines {
                for cut in 0..=line.len() {
                    let line = &line[..cut];
                    let general = Header::parse_general(
                        &line[..memchr::memchr(GROUP_SEPARATOR, line).unwrap_or(line.len())],
                        &mut HeaderCache::default(),
                    );
                    assert_eq!(Header::parse(line, None, &mut cache), general, "{line:?}");
                    let main = &line[..memchr::memchr(GROUP_SEPARATOR, line).unwrap_or(cut)];
                    if let Some(head) = Header::parse_common(main, &mut cache) {
                        assert_eq!(Ok(head), general, "{line:?} (round {round})");
                        fast += 1;
                    }
                }
            }
        }
        // The fast path did read most of the complete lines.
        assert!(fast > 2 * 40, "{fast}");
        // Whole lines one after the other, as a log gives them: a stamp is compared
        // with the last line's (and its seconds reused when only what follows differs).
        let mut cache = HeaderCache::default();
        for line in lines.iter().chain(lines.iter().rev()) {
            let main = &line[..memchr::memchr(GROUP_SEPARATOR, line).unwrap_or(line.len())];
            let general = Header::parse_general(main, &mut HeaderCache::default());
            assert_eq!(Header::parse(line, None, &mut cache), general, "{line:?}");
        }
    }

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

    /// The tokens of `c[pos..limit]` by a plain split, offsets into `c`.
    fn plain_tokens(c: &[u8], pos: usize, limit: usize) -> Vec<(usize, usize, Option<usize>)> {
        let mut want = Vec::new();
        let mut at = pos;
        for tok in c[pos..limit].split(|&b| b == b' ') {
            if !tok.is_empty() {
                let eq = tok.iter().position(|&b| b == b'=').map(|i| at + i);
                want.push((at, at + tok.len(), eq));
            }
            at += tok.len() + 1;
        }
        want
    }

    #[test]
    fn tokens_match_a_plain_split_at_any_start_and_limit() {
        // Random texts of spaces, '=' and letters, long enough to cross several
        // 64-byte blocks and to hold tokens longer than one.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let len = (next() % 300) as usize;
            let spaces = 1 + next() % 6;
            let c: Vec<u8> = (0..len)
                .map(|_| match next() % (8 + spaces) {
                    0 => b'=',
                    1..=7 => b'a' + (next() % 3) as u8,
                    _ => b' ',
                })
                .collect();
            let pos = (next() as usize) % (len + 1);
            let limit = pos + (next() as usize) % (len - pos + 1);
            let got: Vec<_> = Tokens::new(&c, pos, limit).collect();
            assert_eq!(
                got,
                plain_tokens(&c, pos, limit),
                "{:?} from {pos} to {limit}",
                String::from_utf8_lossy(&c)
            );
        }
    }

    #[test]
    fn crlf_and_invalid_utf8() {
        let r = Record::parse(b"type=PATH msg=audit(1.000:3): name=\xff\xfe\r").unwrap();
        assert_eq!(r.field("name").unwrap().value(), b"\xff\xfe");
    }

    #[test]
    fn kernel_form() {
        let r = Record::from_kernel(
            RecordType::SYSCALL,
            b"audit(5.006:7): arch=c000003e syscall=59\0",
        )
        .unwrap();
        assert_eq!(
            r.text(),
            b"type=SYSCALL msg=audit(5.006:7): arch=c000003e syscall=59"
        );
        let r = Record::from_kernel(RecordType(1999), b"audit(5.006:7): x=1").unwrap();
        assert_eq!(r.type_text(), b"UNKNOWN[1999]");
    }
}
