//! One audit record: a line of text, its event id, its type and its fields.
//!
//! A record owns its line; fields are spans into it, so reading a field never
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

/// Where a span's bytes live: the record's line, or bytes the parser made (split keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
    made: bool,
}

impl Span {
    fn line(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
            made: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FieldSpan {
    name: Span,
    /// `None` where libauparse holds a NULL value (a malformed hex key).
    value: Option<Span>,
}

/// An audit record.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    text: Box<[u8]>,
    made: Vec<u8>,
    fields: Vec<FieldSpan>,
    interp: Vec<FieldSpan>,
    /// Offset of the first byte after 0x1D, when the line has one.
    interp_start: Option<u32>,
    type_span: Span,
    record_type: Option<RecordType>,
    id: EventId,
    node: Option<Span>,
    line: u64,
    offset: u64,
    source: Option<u32>,
}

/// A field of a record: a name and its raw value, both bytes.
#[derive(Clone, Copy)]
pub struct Field<'a> {
    record: &'a Record,
    span: &'a FieldSpan,
    index: usize,
    interpreted_part: bool,
}

impl<'a> Field<'a> {
    /// The field's name.
    pub fn name(&self) -> &'a [u8] {
        self.record.bytes(self.span.name)
    }

    /// The raw value as libauparse's `auparse_get_field_str` gives it (quotes kept);
    /// empty where that function gives NULL (see [`Field::value_opt`]).
    pub fn value(&self) -> &'a [u8] {
        self.value_opt().unwrap_or(b"")
    }

    /// The raw value, `None` where libauparse gives NULL (a `key` whose hex encoding is
    /// broken).
    pub fn value_opt(&self) -> Option<&'a [u8]> {
        self.span.value.map(|s| self.record.bytes(s))
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
        self.record.interpretation_of(self.name())
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

const GROUP_SEPARATOR: u8 = 0x1d;
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
        let mut rec = Record {
            text: line.into(),
            made: Vec::new(),
            fields: Vec::new(),
            interp: Vec::new(),
            interp_start: None,
            type_span: Span::line(0, 0),
            record_type: None,
            id: EventId::default(),
            node: None,
            line: line_number,
            offset,
            source: None,
        };
        if let Err(kind) = rec.parse_header() {
            return Err(ParseError::new(kind, line_number, offset, line));
        }
        rec.split_fields();
        Ok(rec)
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
        &self.text
    }

    /// The record type, `None` when the `type=` value is not a name the table knows, not
    /// `UNKNOWN[n]` and not a number (see [`Record::type_text`]).
    pub fn record_type(&self) -> Option<RecordType> {
        self.record_type
    }

    /// The type number as libauparse's `auparse_get_type` gives it: -1 for a name it
    /// cannot resolve.
    pub fn type_number(&self) -> i64 {
        self.record_type.map_or(-1, |t| i64::from(t.0))
    }

    /// The text after `type=` (`SYSCALL`, `UNKNOWN[1329]`).
    pub fn type_text(&self) -> &[u8] {
        self.bytes(self.type_span)
    }

    /// The event id from `msg=audit(SEC.MSEC:SERIAL)`.
    pub fn id(&self) -> EventId {
        self.id
    }

    /// The `node=` name the record was prefixed with, if any.
    pub fn node(&self) -> Option<&[u8]> {
        self.node.map(|s| self.bytes(s))
    }

    /// Line number within its source (from 1; 0 when parsed alone).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Byte offset of the line within its source.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Index of the source (file) the record came from, in a multi-source read.
    pub fn source_index(&self) -> Option<u32> {
        self.source
    }

    pub(crate) fn set_source(&mut self, source: Option<u32>) {
        self.source = source;
    }

    /// Number of fields, counted as libauparse counts them (`type` and `node` count).
    pub fn field_count(&self) -> usize {
        self.fields.len()
    }

    /// The fields in order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = Field<'_>> + '_ {
        self.fields
            .iter()
            .enumerate()
            .map(move |(index, span)| Field {
                record: self,
                span,
                index,
                interpreted_part: false,
            })
    }

    /// The field at `index`.
    pub fn field_at(&self, index: usize) -> Option<Field<'_>> {
        self.fields.get(index).map(|span| Field {
            record: self,
            span,
            index,
            interpreted_part: false,
        })
    }

    /// The first field with this name.
    pub fn field(&self, name: &str) -> Option<Field<'_>> {
        self.find_from(0, name.as_bytes())
    }

    pub(crate) fn find_from(&self, start: usize, name: &[u8]) -> Option<Field<'_>> {
        (start..self.fields.len())
            .find(|&i| self.bytes(self.fields[i].name) == name)
            .and_then(|i| self.field_at(i))
    }

    /// The raw text after the 0x1D separator of an ENRICHED record, if any.
    pub fn interpretation_text(&self) -> Option<&[u8]> {
        self.interp_start.map(|s| &self.text[s as usize..])
    }

    /// The interpreted fields an ENRICHED record carries after 0x1D (`AUID="root"`).
    pub fn interpretations(&self) -> impl Iterator<Item = Field<'_>> + '_ {
        self.interp
            .iter()
            .enumerate()
            .map(move |(index, span)| Field {
                record: self,
                span,
                index,
                interpreted_part: true,
            })
    }

    /// The ENRICHED interpretation for the field `name` (looked up as `NAME`).
    pub fn interpretation_of(&self, name: &[u8]) -> Option<&[u8]> {
        self.interp
            .iter()
            .find(|f| self.bytes(f.name).eq_ignore_ascii_case(name))
            .and_then(|f| f.value.map(|v| self.bytes(v)))
    }

    fn bytes(&self, s: Span) -> &[u8] {
        let buf: &[u8] = if s.made { &self.made } else { &self.text };
        &buf[s.start as usize..s.end as usize]
    }

    /// Find node, type and timestamp: `[node=N ]type=T msg=audit(S.M:N)...`.
    fn parse_header(&mut self) -> Result<(), ErrorKind> {
        let main_end = memchr::memchr(GROUP_SEPARATOR, &self.text).unwrap_or(self.text.len());
        if main_end < self.text.len() {
            self.interp_start = Some((main_end + 1) as u32);
        }
        let mut toks = Tokens::new(&self.text[..main_end]);
        let (mut s, mut e) = toks.next().ok_or(ErrorKind::MissingType)?;
        if self.text[s..e].starts_with(b"node=") {
            self.node = Some(Span::line(s + 5, e));
            (s, e) = toks.next().ok_or(ErrorKind::MissingType)?;
        }
        if !self.text[s..e].starts_with(b"type=") {
            return Err(ErrorKind::MissingType);
        }
        self.type_span = Span::line(s + 5, e);
        let type_text = &self.text[s + 5..e];
        if type_text.is_empty() {
            return Err(ErrorKind::EmptyType);
        }
        self.record_type = std::str::from_utf8(type_text)
            .ok()
            .and_then(RecordType::from_log_name);
        let (s, e) = toks.next().ok_or(ErrorKind::MissingTimestamp)?;
        let tok = &self.text[s..e];
        let stamp = tok
            .strip_prefix(b"msg=audit(")
            .ok_or(ErrorKind::MissingTimestamp)?;
        self.id = parse_stamp(stamp)?;
        Ok(())
    }

    fn split_fields(&mut self) {
        let main_end = self
            .interp_start
            .map_or(self.text.len(), |s| s as usize - 1);
        let mut fields = Vec::with_capacity(16);
        let mut made = Vec::new();
        split_main(
            &self.text[..main_end],
            self.record_type,
            &mut fields,
            &mut made,
        );
        self.fields = fields;
        self.made = made;
        if let Some(start) = self.interp_start {
            let start = start as usize;
            let mut interp = Vec::new();
            for (s, e) in Tokens::new(&self.text[start..]) {
                if let Some(eq) = memchr::memchr(b'=', &self.text[start + s..start + e]) {
                    interp.push(FieldSpan {
                        name: Span::line(start + s, start + s + eq),
                        value: Some(Span::line(start + s + eq + 1, start + e)),
                    });
                }
            }
            self.interp = interp;
        }
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("text", &String::from_utf8_lossy(&self.text))
            .field("line", &self.line)
            .finish()
    }
}

impl fmt::Display for Record {
    /// The record's line, lossily as UTF-8.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.text))
    }
}

/// Drop the trailing NULs and newline some kernels leave on a payload.
fn trim_kernel_payload(mut p: &[u8]) -> &[u8] {
    while let [rest @ .., b'\0' | b'\n'] = p {
        p = rest;
    }
    p
}

/// Parse `SEC.MSEC:SERIAL)...` (the text after `audit(`).
fn parse_stamp(s: &[u8]) -> Result<EventId, ErrorKind> {
    let (sec, rest) = digits(s).ok_or(ErrorKind::BadTimestamp("seconds are not a number"))?;
    let rest = rest
        .strip_prefix(b".")
        .ok_or(ErrorKind::BadTimestamp("no '.' after the seconds"))?;
    let (milli, rest) =
        digits(rest).ok_or(ErrorKind::BadTimestamp("milliseconds are not a number"))?;
    if milli > 999 {
        return Err(ErrorKind::BadTimestamp("milliseconds above 999"));
    }
    let rest = rest
        .strip_prefix(b":")
        .ok_or(ErrorKind::BadTimestamp("no ':' before the serial"))?;
    let (serial, rest) = digits(rest).ok_or(ErrorKind::BadTimestamp("serial is not a number"))?;
    if !rest.starts_with(b")") {
        return Err(ErrorKind::BadTimestamp("no ')' after the serial"));
    }
    // libauparse refuses seconds this close to the top of a signed time_t.
    if sec > (i64::MAX as u64) / 2 {
        return Err(ErrorKind::BadTimestamp("seconds out of range"));
    }
    Ok(EventId {
        sec,
        milli: milli as u32,
        serial,
    })
}

/// A run of ASCII digits as a number (None when empty or overflowing), and the rest.
fn digits(s: &[u8]) -> Option<(u64, &[u8])> {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in &s[..n] {
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some((v, &s[n..]))
}

/// Space-separated tokens of a byte string, as (start, end) offsets.
struct Tokens<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a [u8]) -> Self {
        Tokens { s, pos: 0 }
    }
}

impl Iterator for Tokens<'_> {
    type Item = (usize, usize);
    fn next(&mut self) -> Option<(usize, usize)> {
        while self.pos < self.s.len() && self.s[self.pos] == b' ' {
            self.pos += 1;
        }
        if self.pos >= self.s.len() {
            return None;
        }
        let start = self.pos;
        let end = memchr::memchr(b' ', &self.s[start..]).map_or(self.s.len(), |i| start + i);
        self.pos = end;
        Some((start, end))
    }
}

fn push_made(made: &mut Vec<u8>, bytes: &[u8]) -> Span {
    let start = made.len();
    made.extend_from_slice(bytes);
    Span {
        start: start as u32,
        end: made.len() as u32,
        made: true,
    }
}

/// Split the main part of a record into fields, following libauparse's rules.
fn split_main(
    text: &[u8],
    rtype: Option<RecordType>,
    fields: &mut Vec<FieldSpan>,
    made: &mut Vec<u8>,
) {
    let avc = matches!(rtype, Some(RecordType::AVC) | Some(RecordType::USER_AVC));
    // 1 when the record starts with node=, which shifts the expected positions.
    let mut offset = 0usize;
    let mut toks = Tokens::new(text);
    while let Some((mut s, e)) = toks.next() {
        let tok = &text[s..e];
        let Some(mut eq) = memchr::memchr(b'=', tok) else {
            if avc {
                split_avc_word(text, s, e, &mut toks, offset, fields, made);
            }
            continue;
        };
        if tok.starts_with(b"msg=") {
            match tok.get(4) {
                Some(b'a') => continue,
                Some(b'\'') => {
                    s += 5;
                    match memchr::memchr(b'=', &text[s..e]) {
                        Some(i) => eq = i,
                        None => continue,
                    }
                }
                _ => {}
            }
        }
        let mut name_start = s;
        let name_end = s + eq;
        if text.get(name_start) == Some(&b'(') {
            name_start += 1;
        }
        let val_start = name_end + 1;
        let mut val_end = e;
        if val_start >= val_end {
            continue;
        }
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
        let name = &text[name_start..name_end];
        let value = &text[val_start..val_end];
        if name == b"key" && value.first() != Some(&b'(') && value.first() != Some(&b'"') {
            split_hex_keys(name_start, name_end, value, fields, made);
            continue;
        }
        fields.push(FieldSpan {
            name: Span::line(name_start, name_end),
            value: Some(Span::line(val_start, val_end)),
        });
        if fields.len() == 1 && name == b"node" {
            offset = 1;
        }
    }
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
        fields.push(FieldSpan { name, value: None });
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
            value: Some(Span {
                start: start as u32,
                end: made.len() as u32,
                made: true,
            }),
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

/// The unlabelled words of an SELinux AVC: `avc:  denied  { read write } for ...`.
fn split_avc_word(
    text: &[u8],
    s: usize,
    e: usize,
    toks: &mut Tokens<'_>,
    offset: usize,
    fields: &mut Vec<FieldSpan>,
    made: &mut Vec<u8>,
) {
    let word = &text[s..e];
    if fields.len() == 1 + offset {
        if word.starts_with(b"avc") {
            return;
        }
        let name = push_made(made, b"seresult");
        fields.push(FieldSpan {
            name,
            value: Some(Span::line(s, e)),
        });
    } else if fields.len() == 2 + offset && word.first() == Some(&b'{') {
        let mut perms = Vec::new();
        for (ps, pe) in toks.by_ref() {
            if text[ps] == b'}' {
                break;
            }
            if !perms.is_empty() {
                perms.push(b',');
            }
            perms.extend_from_slice(&text[ps..pe]);
        }
        let name = push_made(made, b"seperms");
        let value = push_made(made, &perms);
        fields.push(FieldSpan {
            name,
            value: Some(value),
        });
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
