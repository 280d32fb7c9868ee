//! One record as the dispatcher writes it, in each format.

use std::sync::{Arc, OnceLock};

use audit_plugin::{Format, HEADER_LEN, PADDED_PAYLOAD};
use audit_wire::RecordType;

use crate::config::WriteLayout;

/// How a record's payload is given (the binary header's `version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// Version 0: the kernel's text, `audit(…): …`, without `type=… msg=`.
    Raw,
    /// Version 1: the record already formatted as a whole line (e.g. ENRICHED).
    Formatted,
}

/// A record longer than the binary format can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("record of {len} bytes is over the dispatcher's limit of {PADDED_PAYLOAD} bytes")]
pub struct RecordTooLong {
    /// The record's length.
    pub len: usize,
}

/// One audit record to hand to the plugins; its encodings are made once, on
/// first use, and shared by every plugin that wants them.
#[derive(Debug)]
pub struct Record {
    rtype: RecordType,
    payload: Payload,
    data: Vec<u8>,
    string: OnceLock<Arc<[u8]>>,
    padded: OnceLock<Arc<[u8]>>,
    exact: OnceLock<Arc<[u8]>>,
}

/// `data` without the trailing NULs and newlines the kernel may send.
fn trimmed(data: &[u8]) -> &[u8] {
    let mut data = data;
    while let [rest @ .., 0 | b'\n'] = data {
        data = rest;
    }
    data
}

/// Whether `data` fits the binary format (as every format requires).
pub(crate) fn check_len(data: &[u8]) -> Result<(), RecordTooLong> {
    let len = trimmed(data).len();
    if len > PADDED_PAYLOAD {
        return Err(RecordTooLong { len });
    }
    Ok(())
}

/// Appends `type=NAME msg=TEXT\n` (or `TEXT\n` when formatted) to `out`, inner
/// newlines made spaces so that a line is a record.
fn string_line_into(rtype: RecordType, payload: Payload, data: &[u8], out: &mut Vec<u8>) {
    out.reserve(data.len() + 48);
    if payload == Payload::Raw {
        out.extend_from_slice(b"type=");
        match rtype.name() {
            Some(name) => out.extend_from_slice(name.as_bytes()),
            None => out.extend_from_slice(format!("UNKNOWN[{}]", rtype.0).as_bytes()),
        }
        out.extend_from_slice(b" msg=");
    }
    let mut at = out.len();
    out.extend_from_slice(data);
    while let Some(i) = memchr::memchr(b'\n', &out[at..]) {
        out[at + i] = b' ';
        at += i + 1;
    }
    out.push(b'\n');
}

/// Appends the binary format's header and `data` (padded, or exact) to `out`.
fn binary_into(rtype: RecordType, payload: Payload, data: &[u8], padded: bool, out: &mut Vec<u8>) {
    let version: u32 = match payload {
        Payload::Raw => 0,
        Payload::Formatted => 1,
    };
    let body = if padded { PADDED_PAYLOAD } else { data.len() };
    let start = out.len();
    out.reserve(HEADER_LEN + body);
    for word in [version, HEADER_LEN as u32, rtype.0, data.len() as u32] {
        out.extend_from_slice(&word.to_ne_bytes());
    }
    out.extend_from_slice(data);
    out.resize(start + HEADER_LEN + body, 0);
}

/// Records encoded back to back for one format: what a reader's burst
/// becomes for the plugins that take that format.
#[derive(Debug, Default)]
pub(crate) struct Burst {
    /// The encodings, one after the other.
    pub bytes: Vec<u8>,
    /// Where each ends in `bytes`.
    pub ends: Vec<usize>,
}

impl Burst {
    /// An empty burst with room for `records` encoded for `format` (and
    /// `layout`): filled without growing.
    pub fn sized_for(
        records: &[(RecordType, &[u8])],
        format: Format,
        layout: WriteLayout,
    ) -> Burst {
        let text: usize = records.iter().map(|(_, t)| t.len()).sum();
        let bytes = match (format, layout) {
            // `type=` with the longest names, ` msg=`, the newline.
            (Format::String, _) => text + records.len() * 48,
            (Format::Binary, WriteLayout::Exact) => text + records.len() * HEADER_LEN,
            (Format::Binary, WriteLayout::Padded) => records.len() * (HEADER_LEN + PADDED_PAYLOAD),
        };
        Burst {
            bytes: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(records.len()),
        }
    }

    /// The records' encodings, each as a slice of `bytes`.
    pub fn records(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter())
            .map(|(s, &e)| &self.bytes[s..e])
    }
}

/// Appends to `burst` the bytes written for `format` (and `layout` when
/// binary) of the record of type `rtype` whose text is `data`: what
/// [`Record::encoded`] gives, without the [`Record`] (a reader's burst is
/// encoded straight from the buffer it was received in).
///
/// # Errors
/// [`RecordTooLong`] when the text is longer than the binary format carries
/// (nothing is appended).
pub(crate) fn encode_into(
    rtype: RecordType,
    payload: Payload,
    data: &[u8],
    format: Format,
    layout: WriteLayout,
    burst: &mut Burst,
) -> Result<(), RecordTooLong> {
    check_len(data)?;
    let data = trimmed(data);
    let out = &mut burst.bytes;
    match (format, layout) {
        (Format::String, _) => string_line_into(rtype, payload, data, out),
        (Format::Binary, WriteLayout::Padded) => binary_into(rtype, payload, data, true, out),
        (Format::Binary, WriteLayout::Exact) => binary_into(rtype, payload, data, false, out),
    }
    burst.ends.push(out.len());
    Ok(())
}

impl Record {
    /// A record of type `rtype` whose text is `data` (a trailing NUL or newline,
    /// as the kernel may send, is not part of it).
    pub fn new(rtype: RecordType, payload: Payload, data: &[u8]) -> Result<Record, RecordTooLong> {
        let data = trimmed(data);
        if data.len() > PADDED_PAYLOAD {
            return Err(RecordTooLong { len: data.len() });
        }
        Ok(Record {
            rtype,
            payload,
            data: data.to_vec(),
            string: OnceLock::new(),
            padded: OnceLock::new(),
            exact: OnceLock::new(),
        })
    }

    /// The record's type.
    pub fn record_type(&self) -> RecordType {
        self.rtype
    }

    /// The record's text as given.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The bytes written for `format` (and `layout` when binary).
    pub fn encoded(&self, format: Format, layout: WriteLayout) -> Arc<[u8]> {
        let make = |padded: Option<bool>| -> Arc<[u8]> {
            let mut out = Vec::new();
            match padded {
                None => string_line_into(self.rtype, self.payload, &self.data, &mut out),
                Some(p) => binary_into(self.rtype, self.payload, &self.data, p, &mut out),
            }
            out.into()
        };
        match (format, layout) {
            (Format::String, _) => self.string.get_or_init(|| make(None)),
            (Format::Binary, WriteLayout::Padded) => self.padded.get_or_init(|| make(Some(true))),
            (Format::Binary, WriteLayout::Exact) => self.exact.get_or_init(|| make(Some(false))),
        }
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let r = Record::new(RecordType(1300), Payload::Raw, b"audit(1.2:3): a\nb\0").unwrap();
        assert_eq!(
            &*r.encoded(Format::String, WriteLayout::Padded),
            b"type=SYSCALL msg=audit(1.2:3): a b\n"
        );
        let e = r.encoded(Format::Binary, WriteLayout::Exact);
        assert_eq!(e.len(), 16 + 17);
        assert_eq!(&e[8..12], &1300u32.to_ne_bytes());
        assert_eq!(&e[12..16], &17u32.to_ne_bytes());
        let p = r.encoded(Format::Binary, WriteLayout::Padded);
        assert_eq!(p.len(), 16 + PADDED_PAYLOAD);
        assert_eq!(&p[..33], &e[..]);
        let u = Record::new(RecordType(9999), Payload::Raw, b"x").unwrap();
        assert_eq!(
            &*u.encoded(Format::String, WriteLayout::Exact),
            b"type=UNKNOWN[9999] msg=x\n"
        );
        assert!(Record::new(RecordType(1300), Payload::Raw, &[b'a'; 9000]).is_err());
    }

    /// A burst's records encoded straight from their text give the bytes a
    /// Record gives, in every format.
    #[test]
    fn encoding_from_text_is_the_records_encoding() {
        let mut burst = Burst::default();
        for (rtype, payload, text) in [
            (
                RecordType(1300),
                Payload::Raw,
                &b"audit(1.2:3): a\nb\n\0\0"[..],
            ),
            (RecordType(9999), Payload::Raw, b"x"),
            (
                RecordType(1112),
                Payload::Formatted,
                b"type=USER_LOGIN msg=audit(1.0:1): a=1\n",
            ),
            (RecordType(1305), Payload::Raw, b""),
        ] {
            let record = Record::new(rtype, payload, text).unwrap();
            for format in [Format::String, Format::Binary] {
                for layout in [WriteLayout::Padded, WriteLayout::Exact] {
                    encode_into(rtype, payload, text, format, layout, &mut burst).unwrap();
                    let direct = burst.records().last().unwrap();
                    assert_eq!(direct, &*record.encoded(format, layout));
                }
            }
        }
        let long = [b'a'; PADDED_PAYLOAD + 1];
        let before = (burst.bytes.len(), burst.ends.len());
        let refused = encode_into(
            RecordType(1300),
            Payload::Raw,
            &long,
            Format::String,
            WriteLayout::Exact,
            &mut burst,
        );
        assert_eq!(
            refused,
            Err(RecordTooLong {
                len: PADDED_PAYLOAD + 1
            })
        );
        assert_eq!((burst.bytes.len(), burst.ends.len()), before);
        assert_eq!(burst.records().count(), 16);
    }
}
