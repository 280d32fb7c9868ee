//! The argument list of an `execve`, assembled from its `EXECVE` records.
//!
//! The kernel logs `argc=N` and then each argument as `aI=VALUE`, where VALUE is
//! quoted text or, when the argument holds a space, a quote or a byte outside
//! printable ASCII, unquoted hex. An argument too long for one record is logged as
//! `aI_len=TOTAL` followed by pieces `aI[0]=...`, `aI[1]=...`, and the arguments go on in further `EXECVE` records of the same event.
//! [`Event::argv`](crate::Event::argv) puts them back together, as go-libaudit and
//! laurel do. `TOTAL` is the length as logged: the argument's bytes when quoted,
//! twice that when hex (the kernel chooses once per argument: all its pieces are
//! quoted, or all hex).

use crate::event::Event;
use crate::record::Field;
use audit_wire::RecordType;
use core::fmt;
use std::collections::HashMap;

/// An argument list could not be assembled whole: what was wrong, and the arguments
/// assembled before the problem (nothing is made up for what is missing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgvError {
    /// What was wrong.
    pub kind: ArgvErrorKind,
    /// The arguments before the one in question, decoded.
    pub partial: Vec<Vec<u8>>,
}

/// What kept an argument list from being assembled.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgvErrorKind {
    /// The event has no `EXECVE` record.
    NoExecve,
    /// No `EXECVE` record has an `argc` field.
    MissingArgc,
    /// `argc` is not a decimal count; its value (lossily as text).
    BadArgc(String),
    /// Argument `index` (from 0) is not in the event: neither `aI` nor `aI_len`.
    MissingArgument {
        /// Which argument.
        index: usize,
        /// The `argc` of the event.
        argc: usize,
    },
    /// Piece `piece` of the split argument `index` (`aI[P]`) is not in the event.
    MissingPiece {
        /// Which argument.
        index: usize,
        /// Which piece.
        piece: usize,
    },
    /// The pieces of argument `index` do not add up to its `aI_len`.
    LengthMismatch {
        /// Which argument.
        index: usize,
        /// Its `aI_len`: the length as logged (hex digits for a hex argument).
        declared: u64,
        /// The length its pieces have as logged (without quotes), counted up to
        /// where they reach `declared`.
        logged: u64,
    },
    /// `aI_len` is not a decimal length.
    BadLength {
        /// Which argument.
        index: usize,
    },
    /// The value of field `field` is neither quoted text nor hex.
    BadValue {
        /// Which argument.
        index: usize,
        /// The field's name (`a3`, `a3[1]`).
        field: String,
    },
}

impl fmt::Display for ArgvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ArgvErrorKind::NoExecve => f.write_str("the event has no EXECVE record"),
            ArgvErrorKind::MissingArgc => f.write_str("no EXECVE record has an argc field"),
            ArgvErrorKind::BadArgc(v) => write!(f, "argc={v:?} is not a count"),
            ArgvErrorKind::MissingArgument { index, argc } => write!(
                f,
                "argc={argc} but argument {index} (a{index} or a{index}_len) is not in the EXECVE records"
            ),
            ArgvErrorKind::MissingPiece { index, piece } => write!(
                f,
                "piece {piece} of argument {index} (a{index}[{piece}]) is not in the EXECVE records"
            ),
            ArgvErrorKind::LengthMismatch {
                index,
                declared,
                logged,
            } => write!(
                f,
                "argument {index}: a{index}_len={declared} but its pieces are {logged} long"
            ),
            ArgvErrorKind::BadLength { index } => {
                write!(f, "argument {index}: a{index}_len is not a length")
            }
            ArgvErrorKind::BadValue { index, field } => write!(
                f,
                "argument {index}: the value of {field} is neither quoted nor hex"
            ),
        }
    }
}

impl std::error::Error for ArgvError {}

/// Decode one `EXECVE` value: quoted text as it is, unquoted hex to its bytes;
/// with the value's length as logged (without quotes).
fn decode_value(value: &[u8]) -> Option<(Vec<u8>, usize)> {
    if let Some(inner) = value.strip_prefix(b"\"") {
        // The kernel always closes the quote; a value cut short keeps what it has.
        let text = inner.strip_suffix(b"\"").unwrap_or(inner);
        return Some((text.to_vec(), text.len()));
    }
    if !value.len().is_multiple_of(2) || !value.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let bytes = value
        .chunks_exact(2)
        .map(|p| (hex_digit(p[0]) << 4) | hex_digit(p[1]))
        .collect();
    Some((bytes, value.len()))
}

fn hex_digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

pub(crate) fn assemble(event: &Event) -> Result<Vec<Vec<u8>>, ArgvError> {
    let mut fields: HashMap<&[u8], Field<'_>> = HashMap::new();
    let mut any = false;
    for rec in event
        .iter()
        .filter(|r| r.record_type() == Some(RecordType::EXECVE))
    {
        any = true;
        for f in rec.fields() {
            // The first occurrence counts, as a lookup by name finds it.
            fields.entry(f.name()).or_insert(f);
        }
    }
    let fail = |kind, partial| Err(ArgvError { kind, partial });
    if !any {
        return fail(ArgvErrorKind::NoExecve, Vec::new());
    }
    let Some(argc) = fields.get(&b"argc"[..]) else {
        return fail(ArgvErrorKind::MissingArgc, Vec::new());
    };
    let argc = match std::str::from_utf8(argc.value())
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        Some(n) => n,
        None => {
            return fail(
                ArgvErrorKind::BadArgc(String::from_utf8_lossy(argc.value()).into_owned()),
                Vec::new(),
            )
        }
    };
    // Not reserved up front: argc is the log's word, the fields are what there is.
    let mut args = Vec::new();
    for index in 0..argc {
        let whole = format!("a{index}");
        if let Some(f) = fields.get(whole.as_bytes()) {
            match decode_value(f.value()) {
                Some((arg, _)) => args.push(arg),
                None => {
                    return fail(
                        ArgvErrorKind::BadValue {
                            index,
                            field: whole,
                        },
                        args,
                    )
                }
            }
            continue;
        }
        let Some(len) = fields.get(format!("a{index}_len").as_bytes()) else {
            return fail(ArgvErrorKind::MissingArgument { index, argc }, args);
        };
        let Some(declared) = std::str::from_utf8(len.value())
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        else {
            return fail(ArgvErrorKind::BadLength { index }, args);
        };
        let mut arg = Vec::new();
        let mut logged = 0u64;
        let mut piece = 0;
        while logged < declared {
            let name = format!("a{index}[{piece}]");
            let Some(f) = fields.get(name.as_bytes()) else {
                return fail(ArgvErrorKind::MissingPiece { index, piece }, args);
            };
            match decode_value(f.value()) {
                // An empty piece would never reach the length: the log is wrong.
                Some((part, len)) if len > 0 => {
                    arg.extend_from_slice(&part);
                    logged += len as u64;
                }
                Some(_) => break,
                None => return fail(ArgvErrorKind::BadValue { index, field: name }, args),
            }
            piece += 1;
        }
        if logged != declared {
            return fail(
                ArgvErrorKind::LengthMismatch {
                    index,
                    declared,
                    logged,
                },
                args,
            );
        }
        args.push(arg);
    }
    Ok(args)
}
