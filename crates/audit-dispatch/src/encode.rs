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

impl Record {
    /// A record of type `rtype` whose text is `data` (a trailing NUL or newline,
    /// as the kernel may send, is not part of it).
    pub fn new(rtype: RecordType, payload: Payload, data: &[u8]) -> Result<Record, RecordTooLong> {
        let mut data = data;
        while let [rest @ .., 0 | b'\n'] = data {
            data = rest;
        }
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
        match (format, layout) {
            (Format::String, _) => self.string.get_or_init(|| self.string_line().into()),
            (Format::Binary, WriteLayout::Padded) => {
                self.padded.get_or_init(|| self.binary(true).into())
            }
            (Format::Binary, WriteLayout::Exact) => {
                self.exact.get_or_init(|| self.binary(false).into())
            }
        }
        .clone()
    }

    /// `type=NAME msg=TEXT\n` (or `TEXT\n` when formatted), inner newlines made
    /// spaces so that a line is a record.
    fn string_line(&self) -> Vec<u8> {
        // One allocation: room for the longest type name's prefix.
        let mut line = Vec::with_capacity(self.data.len() + 48);
        if self.payload == Payload::Raw {
            use std::io::Write;
            // Writing into a Vec cannot fail.
            let _ = write!(line, "type={} msg=", self.rtype);
        }
        line.extend(self.data.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
        line.push(b'\n');
        line
    }

    fn binary(&self, padded: bool) -> Vec<u8> {
        let version: u32 = match self.payload {
            Payload::Raw => 0,
            Payload::Formatted => 1,
        };
        let body = if padded {
            PADDED_PAYLOAD
        } else {
            self.data.len()
        };
        let mut out = Vec::with_capacity(HEADER_LEN + body);
        for word in [
            version,
            HEADER_LEN as u32,
            self.rtype.0,
            self.data.len() as u32,
        ] {
            out.extend_from_slice(&word.to_ne_bytes());
        }
        out.extend_from_slice(&self.data);
        out.resize(HEADER_LEN + body, 0);
        out
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
}
