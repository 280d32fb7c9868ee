//! Typed errors: what was wrong with an input line, and where it was.

use core::fmt;

/// What made a line unusable as an audit record.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The line has no `type=` token where one belongs (first, or after `node=`).
    MissingType,
    /// The `type=` value is empty.
    EmptyType,
    /// No `msg=audit(...)` token follows the type.
    MissingTimestamp,
    /// The `audit(SEC.MSEC:SERIAL)` stamp is malformed; the reason says how.
    BadTimestamp(&'static str),
    /// The line exceeds [`Options::max_line_len`](crate::Options::max_line_len); its bytes
    /// up to the next newline were skipped.
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// A datagram from the kernel was longer than the reader's buffer: its records
    /// were cut off, so the reader dropped it. The snippet holds the start of its
    /// first record, as far as it was read.
    DatagramTruncated {
        /// The datagram's length.
        len: usize,
        /// The receive buffer's size.
        cap: usize,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::MissingType => f.write_str("no type= field at the start of the record"),
            ErrorKind::EmptyType => f.write_str("empty type= value"),
            ErrorKind::MissingTimestamp => {
                f.write_str("no msg=audit(...) timestamp after the type")
            }
            ErrorKind::BadTimestamp(why) => write!(f, "malformed audit(...) timestamp: {why}"),
            ErrorKind::LineTooLong { limit } => {
                write!(
                    f,
                    "line longer than {limit} bytes, skipped to the next newline"
                )
            }
            ErrorKind::DatagramTruncated { len, cap } => write!(
                f,
                "a {len}-byte datagram from the kernel did not fit the {cap}-byte \
                 receive buffer: its records were cut off and dropped"
            ),
        }
    }
}

/// A line that could not be made a record, with where it was found.
///
/// The parser reports these in the same stream as events and carries on with the
/// next line, so nothing in the input disappears unreported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}line {line}, byte {offset}: {kind}: {}", source_prefix(*.source_index), snippet_text(.snippet))]
pub struct ParseError {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Line number within its source, from 1.
    pub line: u64,
    /// Byte offset of the line's first byte within its source.
    pub offset: u64,
    /// Index of the source (file) in a multi-source read, when there is one.
    pub source_index: Option<u32>,
    /// The start of the offending line (at most 80 bytes), for the message.
    pub snippet: Box<[u8]>,
}

fn source_prefix(source: Option<u32>) -> String {
    match source {
        Some(s) => format!("source {s}, "),
        None => String::new(),
    }
}

fn snippet_text(s: &[u8]) -> String {
    let mut out = String::from("\"");
    out.push_str(&String::from_utf8_lossy(s).escape_debug().to_string());
    out.push('"');
    out
}

impl ParseError {
    pub(crate) fn new(kind: ErrorKind, line: u64, offset: u64, text: &[u8]) -> Self {
        const MAX: usize = 80;
        ParseError {
            kind,
            line,
            offset,
            source_index: None,
            snippet: text[..text.len().min(MAX)].into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_line_offset_and_reason() {
        let e = ParseError::new(ErrorKind::MissingTimestamp, 7, 1234, b"type=SYSCALL arch=x");
        let msg = e.to_string();
        assert!(msg.contains("line 7"), "{msg}");
        assert!(msg.contains("byte 1234"), "{msg}");
        assert!(msg.contains("msg=audit"), "{msg}");
        assert!(msg.contains("type=SYSCALL"), "{msg}");
    }

    #[test]
    fn snippet_is_capped() {
        let long = vec![b'a'; 500];
        let e = ParseError::new(ErrorKind::MissingType, 1, 0, &long);
        assert_eq!(e.snippet.len(), 80);
    }
}
