//! Search expressions (`ausearch_add_expression`) compiled and matched
//! against events, and the typed builder for the same searches.

use audit_interpret::cnum::{strtol, strtoul};
use audit_interpret::{type_of_name, FieldType, Interpreter, SyscallContext};
use audit_parse::{Event, RecordRef};
use std::cmp::Ordering;
use std::ops::{Bound, RangeBounds};

/// How deep `(` groups may nest in an expression's text.
pub const MAX_DEPTH: usize = 256;

/// What is wrong with an expression's text (see [`ExprError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExprErrorKind {
    /// The text holds no expression.
    Empty,
    /// A token that cannot start an operand (`&& x`).
    UnexpectedToken,
    /// A token after a complete expression (`uid == 1 x`).
    TrailingToken,
    /// A `(` group is not closed.
    RightParenExpected,
    /// A field name is missing (after `\` or where one must stand).
    FieldNameExpected,
    /// A `\name` that is not a virtual field.
    UnknownEscapedField,
    /// A comparison operator is missing.
    OperatorExpected,
    /// A value is missing after the operator.
    ValueExpected,
    /// `==`, `<`... with a field that is not a uid/gid or virtual field.
    NoValueComparison,
    /// A uid/gid value that is not a number that fits.
    BadNumber,
    /// A `\timestamp` value that is not `ts:SEC.MILLI[:SERIAL]`.
    BadTimestamp,
    /// A `\record_type` value that is no record type.
    BadRecordType,
    /// A quoted string or `/regex/` without its closing delimiter.
    UnterminatedString,
    /// A backslash escape other than of `\` or the delimiter.
    UnknownEscape,
    /// A `\regexp` without its pattern.
    RegexpExpected,
    /// A pattern the regex engine refuses.
    BadRegexp,
    /// `(` groups nest deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// Why an expression does not compile: what ([`ExprError::kind`], with
/// libauparse's wording in the message) and where ([`ExprError::offset`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct ExprError {
    kind: ExprErrorKind,
    message: String,
    /// Byte offset in the expression where the problem was found.
    pub offset: usize,
}

impl ExprError {
    fn new(kind: ExprErrorKind, message: String, offset: usize) -> Self {
        Self {
            kind,
            message,
            offset,
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> ExprErrorKind {
        self.kind
    }

    /// The message without the position (libauparse's wording, e.g.
    /// ``Value expected, got `'``).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `r=`: raw value equals.
    RawEq,
    /// `r!=`: raw value differs.
    RawNe,
    /// `i=`: interpreted value equals.
    InterpretedEq,
    /// `i!=`: interpreted value differs.
    InterpretedNe,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A virtual field (written with a backslash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Virtual {
    /// `\timestamp`: event time, seconds and milliseconds.
    Timestamp {
        /// Seconds.
        sec: i64,
        /// Milliseconds.
        milli: u32,
    },
    /// `\timestamp_ex`: event time and serial.
    TimestampEx {
        /// Seconds.
        sec: i64,
        /// Milliseconds.
        milli: u32,
        /// Serial number.
        serial: u32,
    },
    /// `\record_type`: the record type number.
    RecordType(i64),
    /// A virtual field with a text operator (`\record_type i= x`): libauparse
    /// takes the expression and it is never true.
    TextCompared,
}

/// A compiled regular expression over a record's text (`\regexp`,
/// `ausearch_add_regex`). Opaque, so that the regex engine is ours to change.
#[derive(Clone)]
pub struct Regex(regex::bytes::Regex);

impl Regex {
    /// Compiles `pattern` (extended regular expression syntax as the `regex`
    /// crate reads it). The error's offset is 0.
    pub fn new(pattern: &str) -> Result<Regex, ExprError> {
        Self::at(pattern, 0)
    }

    fn at(pattern: &str, offset: usize) -> Result<Regex, ExprError> {
        regex::bytes::Regex::new(pattern).map(Regex).map_err(|e| {
            ExprError::new(
                ExprErrorKind::BadRegexp,
                format!("Invalid regexp: {e}"),
                offset,
            )
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &[u8]) -> bool {
        self.0.is_match(text)
    }
}

impl std::fmt::Debug for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Regex").field(&self.as_str()).finish()
    }
}

/// A compiled search expression.
///
/// Dropping and matching do not recurse (see the [crate doc](crate#bounds)).
/// Because `Expr` implements `Drop`, take a node's parts by reference (or
/// with [`std::mem::take`] on the vectors), not by moving out of a pattern.
#[derive(Debug, Clone)]
pub enum Expr {
    /// `!e`
    Not(Box<Expr>),
    /// `a && b && ...`: true when every item is (true for no items).
    And(Vec<Expr>),
    /// `a || b || ...`: true when some item is (false for no items).
    Or(Vec<Expr>),
    /// A text comparison (`r=`, `r!=`, `i=`, `i!=`) of a named field.
    Text {
        /// Field name.
        field: Vec<u8>,
        /// Operator (one of the four text operators).
        op: Op,
        /// The value compared with.
        value: Vec<u8>,
    },
    /// A numeric comparison of a uid/gid field (`uid >= 1000`).
    Number {
        /// Field name.
        field: Vec<u8>,
        /// Operator.
        op: Op,
        /// The value compared with.
        value: u32,
    },
    /// A comparison of a virtual field.
    Virtual {
        /// Operator.
        op: Op,
        /// Field and value.
        value: Virtual,
    },
    /// The field is present (`ausearch_add_item` with `exists`).
    Exists(Vec<u8>),
    /// One of the record's rule keys (its `key` fields, decoded and split at
    /// 0x01 as `ausearch -k` reads them) is this one.
    Key(Vec<u8>),
    /// `\regexp /re/`: the record text (before any 0x1D) matches.
    Regex(Regex),
}

impl Drop for Expr {
    fn drop(&mut self) {
        // Children are moved to a stack of our own and dropped there once
        // childless, so that a deep tree does not recurse.
        let mut stack = Vec::new();
        take_children(self, &mut stack);
        while let Some(mut e) = stack.pop() {
            take_children(&mut e, &mut stack);
        }
    }
}

fn take_children(e: &mut Expr, stack: &mut Vec<Expr>) {
    match e {
        Expr::Not(inner) => stack.push(std::mem::replace(&mut **inner, Expr::And(Vec::new()))),
        Expr::And(items) | Expr::Or(items) => stack.append(items),
        _ => {}
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Eof,
    Not,
    And,
    Or,
    LParen,
    RParen,
    Escape,
    Op(Op),
    Str(Vec<u8>),
    Regexp(Vec<u8>),
    Unknown,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    start: usize,
    tok: Tok,
}

fn unquoted(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl<'a> Lexer<'a> {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.src[self.start..self.pos]).into_owned()
    }

    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    fn lex(&mut self) -> Result<(), ExprError> {
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n') {
            self.pos += 1;
        }
        self.start = self.pos;
        let c = self.at(self.pos);
        let two = |l: &mut Self, next: u8, yes: Tok, no: Tok| {
            l.pos += 1;
            if l.at(l.pos) == next {
                l.pos += 1;
                yes
            } else {
                no
            }
        };
        self.tok = match c {
            0 if self.pos >= self.src.len() => Tok::Eof,
            b'!' => {
                self.pos += 1;
                if self.at(self.pos) == b'=' && self.at(self.pos + 1) == b'=' {
                    self.pos += 2;
                    Tok::Op(Op::Ne)
                } else {
                    Tok::Not
                }
            }
            b'"' | b'/' => {
                self.pos += 1;
                let mut buf = Vec::new();
                loop {
                    let Some(&b) = self.src.get(self.pos) else {
                        return Err(ExprError::new(
                            ExprErrorKind::UnterminatedString,
                            "Terminating delimiter missing".into(),
                            self.start,
                        ));
                    };
                    if b == c {
                        break;
                    }
                    let mut b = b;
                    if b == b'\\' {
                        self.pos += 1;
                        b = self.at(self.pos);
                        if b != b'\\' && b != c {
                            return Err(ExprError::new(
                                ExprErrorKind::UnknownEscape,
                                format!("Unknown escape sequence ``\\{}''", b as char),
                                self.pos,
                            ));
                        }
                    }
                    buf.push(b);
                    self.pos += 1;
                }
                self.pos += 1;
                if c == b'/' {
                    Tok::Regexp(buf)
                } else {
                    Tok::Str(buf)
                }
            }
            b'&' => two(self, b'&', Tok::And, Tok::Unknown),
            b'|' => two(self, b'|', Tok::Or, Tok::Unknown),
            b'=' => two(self, b'=', Tok::Op(Op::Eq), Tok::Unknown),
            b'<' => two(self, b'=', Tok::Op(Op::Le), Tok::Op(Op::Lt)),
            b'>' => two(self, b'=', Tok::Op(Op::Ge), Tok::Op(Op::Gt)),
            b'(' => {
                self.pos += 1;
                Tok::LParen
            }
            b')' => {
                self.pos += 1;
                Tok::RParen
            }
            b'\\' => {
                self.pos += 1;
                Tok::Escape
            }
            b'i' | b'r' if self.at(self.pos + 1) == b'=' => {
                self.pos += 2;
                Tok::Op(if c == b'i' {
                    Op::InterpretedEq
                } else {
                    Op::RawEq
                })
            }
            b'i' | b'r' if self.at(self.pos + 1) == b'!' && self.at(self.pos + 2) == b'=' => {
                self.pos += 3;
                Tok::Op(if c == b'i' {
                    Op::InterpretedNe
                } else {
                    Op::RawNe
                })
            }
            _ if unquoted(c) => {
                while unquoted(self.at(self.pos)) {
                    self.pos += 1;
                }
                Tok::Str(self.src[self.start..self.pos].to_vec())
            }
            _ => {
                self.pos += 1;
                Tok::Unknown
            }
        };
        Ok(())
    }

    fn err(&self, kind: ExprErrorKind, what: &str) -> ExprError {
        ExprError::new(kind, format!("{what}, got `{}'", self.text()), self.start)
    }
}

/// Record type number of a name (`USER_LOGIN`, `UNKNOWN[1334]` or `1334`),
/// as `audit_name_to_msg_type`.
fn record_type_number(name: &[u8]) -> Option<i64> {
    if let Some(v) = crate::msg_type::MSG_TYPE
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|e| e.0)
    {
        return Some(i64::from(v));
    }
    if let Some(rest) = name.strip_prefix(b"UNKNOWN[") {
        let end = memchr::memchr(b']', rest)?;
        return strtol(&rest[..end.min(7)], 10);
    }
    if name.first().is_some_and(u8::is_ascii_digit) {
        return strtol(name, 10);
    }
    None
}

/// `ts:SEC.MILLI[:SERIAL]`, parsed from the source at `start`; returns the
/// value and where parsing stopped.
fn timestamp(src: &[u8], start: usize, ex: bool) -> Option<(Virtual, usize)> {
    let s = &src[start..];
    let rest = s.strip_prefix(b"ts:")?;
    let num = |b: &[u8]| -> Option<(u64, usize)> {
        let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
        (n > 0)
            .then(|| std::str::from_utf8(&b[..n]).ok()?.parse().ok())
            .flatten()
            .map(|v| (v, n))
    };
    let (sec, n1) = num(rest)?;
    let rest2 = rest[n1..].strip_prefix(b".")?;
    let (milli, n2) = num(rest2)?;
    let serial = rest2[n2..].strip_prefix(b":").and_then(num).map(|(v, _)| v);
    let consumed = s
        .iter()
        .take_while(|c| b"ts:0123456789.".contains(c))
        .count();
    let sec = i64::try_from(sec).ok()?;
    let v = match (ex, serial) {
        (_, Some(serial)) if ex => Virtual::TimestampEx {
            sec,
            milli: milli as u32,
            serial: serial as u32,
        },
        (true, None) => Virtual::TimestampEx {
            sec,
            milli: milli as u32,
            serial: 0,
        },
        _ => Virtual::Timestamp {
            sec,
            milli: milli as u32,
        },
    };
    Some((v, start + consumed))
}

struct ExprParser<'a> {
    lx: Lexer<'a>,
}

/// A group being read (the whole text is one): the `||` terms so far and the
/// operands of the `&&` term being read.
#[derive(Default)]
struct Group {
    any: Vec<Expr>,
    all: Vec<Expr>,
    /// The group has an odd number of `!` before it.
    negated: bool,
}

impl Group {
    /// Ends the `&&` term being read (at `||`).
    fn end_term(&mut self) {
        let term = join(std::mem::take(&mut self.all), true);
        push_flat(&mut self.any, term, false);
    }

    /// The group's expression.
    fn finish(mut self) -> Expr {
        self.end_term();
        let e = join(std::mem::take(&mut self.any), false);
        if self.negated {
            e.negate()
        } else {
            e
        }
    }
}

/// Appends `e` to the items of an `And` (`and`) or `Or` node being built,
/// splicing in the items of a node of the same kind (a group in parentheses).
fn push_flat(items: &mut Vec<Expr>, mut e: Expr, and: bool) {
    match &mut e {
        Expr::And(inner) if and => items.append(inner),
        Expr::Or(inner) if !and => items.append(inner),
        _ => items.push(e),
    }
}

/// The node of `items`: the item itself when there is one.
fn join(mut items: Vec<Expr>, and: bool) -> Expr {
    if items.len() == 1 {
        if let Some(e) = items.pop() {
            return e;
        }
    }
    if and {
        Expr::And(items)
    } else {
        Expr::Or(items)
    }
}

impl ExprParser<'_> {
    /// The whole expression, read with a stack of open groups rather than
    /// recursion, so that its depth costs no thread stack.
    fn expr(&mut self) -> Result<Expr, ExprError> {
        let mut open: Vec<Group> = Vec::new();
        let mut cur = Group::default();
        loop {
            // An operand: a run of `!` (counted: `!!e` is `e`), then a group
            // or a comparison.
            let mut negated = false;
            while self.lx.tok == Tok::Not {
                negated = !negated;
                self.lx.lex()?;
            }
            let mut operand = match self.lx.tok {
                Tok::LParen => {
                    if open.len() == MAX_DEPTH {
                        return Err(ExprError::new(
                            ExprErrorKind::TooDeep,
                            format!("Groups nest deeper than {MAX_DEPTH}"),
                            self.lx.start,
                        ));
                    }
                    self.lx.lex()?;
                    open.push(std::mem::replace(
                        &mut cur,
                        Group {
                            negated,
                            ..Group::default()
                        },
                    ));
                    continue;
                }
                Tok::Escape | Tok::Str(_) => {
                    let e = self.comparison()?;
                    if negated {
                        e.negate()
                    } else {
                        e
                    }
                }
                _ => {
                    return Err(ExprError::new(
                        ExprErrorKind::UnexpectedToken,
                        format!("Unexpected token `{}'", self.lx.text()),
                        self.lx.start,
                    ))
                }
            };
            // What follows the operand: `&&` or `||` and another operand, or
            // the end of groups (each of which is an operand of the group
            // around it), or the end.
            loop {
                push_flat(&mut cur.all, operand, true);
                match self.lx.tok {
                    Tok::And => {
                        self.lx.lex()?;
                        break;
                    }
                    Tok::Or => {
                        cur.end_term();
                        self.lx.lex()?;
                        break;
                    }
                    Tok::RParen if !open.is_empty() => {
                        self.lx.lex()?;
                        let Some(outer) = open.pop() else { break };
                        operand = std::mem::replace(&mut cur, outer).finish();
                    }
                    _ if !open.is_empty() => {
                        return Err(self
                            .lx
                            .err(ExprErrorKind::RightParenExpected, "Right paren expected"));
                    }
                    _ => return Ok(cur.finish()),
                }
            }
        }
    }

    fn comparison(&mut self) -> Result<Expr, ExprError> {
        enum F {
            Named(Vec<u8>, bool),
            Ts(bool),
            Rt,
        }
        let field = if self.lx.tok == Tok::Escape {
            self.lx.lex()?;
            let Tok::Str(name) = &self.lx.tok else {
                return Err(ExprError::new(
                    ExprErrorKind::FieldNameExpected,
                    "Field name expected after field escape".into(),
                    self.lx.start,
                ));
            };
            match name.as_slice() {
                b"regexp" => return self.regexp(),
                b"timestamp" => F::Ts(false),
                b"timestamp_ex" => F::Ts(true),
                b"record_type" => F::Rt,
                _ => {
                    return Err(ExprError::new(
                        ExprErrorKind::UnknownEscapedField,
                        format!("Unknown escaped field name `{}'", self.lx.text()),
                        self.lx.start,
                    ))
                }
            }
        } else {
            let Tok::Str(name) = std::mem::replace(&mut self.lx.tok, Tok::Eof) else {
                return Err(self
                    .lx
                    .err(ExprErrorKind::FieldNameExpected, "Field name expected"));
            };
            let numeric = matches!(type_of_name(&name), FieldType::Uid | FieldType::Gid);
            F::Named(name, numeric)
        };
        self.lx.lex()?;
        let Tok::Op(op) = self.lx.tok.clone() else {
            return Err(self
                .lx
                .err(ExprErrorKind::OperatorExpected, "Operator expected"));
        };
        self.lx.lex()?;
        let Tok::Str(value) = self.lx.tok.clone() else {
            return Err(self.lx.err(ExprErrorKind::ValueExpected, "Value expected"));
        };
        let text_op = matches!(
            op,
            Op::RawEq | Op::RawNe | Op::InterpretedEq | Op::InterpretedNe
        );
        let e = match field {
            F::Named(field, _) if text_op => Expr::Text { field, op, value },
            F::Named(field, true) => {
                let Some(v) = strtoul(&value, 10) else {
                    return Err(ExprError::new(
                        ExprErrorKind::BadNumber,
                        format!("Error converting number `{}'", self.lx.text()),
                        self.lx.start,
                    ));
                };
                Expr::Number {
                    field,
                    op,
                    value: v as u32,
                }
            }
            F::Named(field, false) => {
                return Err(ExprError::new(
                    ExprErrorKind::NoValueComparison,
                    format!(
                        "Field `{}' does not support value comparison",
                        String::from_utf8_lossy(&field)
                    ),
                    self.lx.start,
                ))
            }
            // Virtual fields compare with text operators as never true.
            _ if text_op => Expr::Virtual {
                op,
                value: Virtual::TextCompared,
            },
            F::Ts(ex) => {
                let Some((v, end)) = timestamp(self.lx.src, self.lx.start, ex) else {
                    return Err(ExprError::new(
                        ExprErrorKind::BadTimestamp,
                        format!("Invalid timestamp value `{}'", self.lx.text()),
                        self.lx.start,
                    ));
                };
                self.lx.pos = end;
                Expr::Virtual { op, value: v }
            }
            F::Rt => match record_type_number(&value) {
                Some(t) => Expr::Virtual {
                    op,
                    value: Virtual::RecordType(t),
                },
                None => {
                    return Err(ExprError::new(
                        ExprErrorKind::BadRecordType,
                        format!("Invalid record type `{}'", self.lx.text()),
                        self.lx.start,
                    ))
                }
            },
        };
        self.lx.lex()?;
        Ok(e)
    }

    fn regexp(&mut self) -> Result<Expr, ExprError> {
        self.lx.lex()?;
        let (Tok::Str(re) | Tok::Regexp(re)) = self.lx.tok.clone() else {
            return Err(self
                .lx
                .err(ExprErrorKind::RegexpExpected, "Regexp expected"));
        };
        let re = Regex::at(&String::from_utf8_lossy(&re), self.lx.start)?;
        self.lx.lex()?;
        Ok(Expr::Regex(re))
    }
}

fn cmp_result(op: Op, c: Ordering) -> bool {
    match op {
        Op::Eq => c == Ordering::Equal,
        Op::Ne => c != Ordering::Equal,
        Op::Lt => c == Ordering::Less,
        Op::Le => c != Ordering::Greater,
        Op::Gt => c == Ordering::Greater,
        Op::Ge => c != Ordering::Less,
        _ => false,
    }
}

/// A node of the tree being matched whose value is not known yet.
enum Pending<'e> {
    Not,
    /// An `And` (`and`) or `Or` node and the items still to look at.
    Items {
        and: bool,
        rest: std::slice::Iter<'e, Expr>,
    },
}

impl Expr {
    /// Compiles an expression (`ausearch_add_expression`'s language).
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let mut p = ExprParser {
            lx: Lexer {
                src: text.as_bytes(),
                pos: 0,
                start: 0,
                tok: Tok::Eof,
            },
        };
        p.lx.lex()?;
        if p.lx.tok == Tok::Eof {
            return Err(ExprError::new(
                ExprErrorKind::Empty,
                "Empty expression".into(),
                0,
            ));
        }
        let e = p.expr()?;
        if p.lx.tok != Tok::Eof {
            return Err(ExprError::new(
                ExprErrorKind::TrailingToken,
                format!("Unexpected trailing token `{}'", p.lx.text()),
                p.lx.start,
            ));
        }
        Ok(e)
    }

    /// The raw value of field `name` is `value` as the log has it, quotes
    /// included (`ausearch_add_item`; `name r= value`).
    pub fn field_eq(name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Expr {
        Expr::Text {
            field: name.as_ref().to_vec(),
            op: Op::RawEq,
            value: value.as_ref().to_vec(),
        }
    }

    /// The interpreted value of field `name` is `value`
    /// (`ausearch_add_interpreted_item`; `name i= value`): `uid` `root`,
    /// `syscall` `execve`. A field without an interpretation compares its raw
    /// value.
    pub fn interpreted_eq(name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Expr {
        Expr::Text {
            field: name.as_ref().to_vec(),
            op: Op::InterpretedEq,
            value: value.as_ref().to_vec(),
        }
    }

    /// The record has a field `name` (`ausearch_add_item` with `exists`).
    pub fn exists(name: impl AsRef<[u8]>) -> Expr {
        Expr::Exists(name.as_ref().to_vec())
    }

    /// One of the record's rule keys is `key` (`ausearch -k`; a record
    /// written for several keys holds them all).
    pub fn key(key: impl AsRef<[u8]>) -> Expr {
        Expr::Key(key.as_ref().to_vec())
    }

    /// The record is of type `t` (`\record_type == t`, `ausearch -m`).
    pub fn record_type(t: audit_parse::RecordType) -> Expr {
        Expr::Virtual {
            op: Op::Eq,
            value: Virtual::RecordType(i64::from(t.0)),
        }
    }

    /// The event's time compared with `sec`.`milli` (seconds since the epoch
    /// and milliseconds) by `op`, one of `==`, `!=`, `<`, `<=`, `>`, `>=`
    /// (`ausearch_add_timestamp_item`; another operator is never true).
    pub fn timestamp(op: Op, sec: i64, milli: u32) -> Expr {
        Expr::Virtual {
            op,
            value: Virtual::Timestamp { sec, milli },
        }
    }

    /// The event's time, as `(seconds, milliseconds)`, is in `range`
    /// (`ausearch --start` / `--end`): `(1700000000, 0)..(1700000060, 0)` is
    /// the minute from 1700000000 on.
    pub fn timestamp_range(range: impl RangeBounds<(i64, u32)>) -> Expr {
        let bound = |b: Bound<&(i64, u32)>, incl: Op, excl: Op| match b {
            Bound::Included(&(s, m)) => Some(Expr::timestamp(incl, s, m)),
            Bound::Excluded(&(s, m)) => Some(Expr::timestamp(excl, s, m)),
            Bound::Unbounded => None,
        };
        let items: Vec<Expr> = [
            bound(range.start_bound(), Op::Ge, Op::Gt),
            bound(range.end_bound(), Op::Le, Op::Lt),
        ]
        .into_iter()
        .flatten()
        .collect();
        join(items, true)
    }

    /// The record's text (before any ENRICHED part) matches `re`
    /// (`ausearch_add_regex`).
    pub fn regex(re: Regex) -> Expr {
        Expr::Regex(re)
    }

    /// `self || other` (`AUSEARCH_RULE_OR`); chains stay one flat node.
    pub fn or(self, other: Expr) -> Expr {
        self.joined(other, false)
    }

    /// `self && other` (`AUSEARCH_RULE_AND`); chains stay one flat node.
    pub fn and(self, other: Expr) -> Expr {
        self.joined(other, true)
    }

    /// `self && other` (`and`) or `self || other`, added to `self`'s items
    /// when it is already such a node (so that a chain built one item at a
    /// time costs no copies).
    fn joined(mut self, other: Expr, and: bool) -> Expr {
        match &mut self {
            Expr::And(items) if and => {
                push_flat(items, other, and);
                self
            }
            Expr::Or(items) if !and => {
                push_flat(items, other, and);
                self
            }
            _ => {
                let mut items = Vec::new();
                push_flat(&mut items, self, and);
                push_flat(&mut items, other, and);
                join(items, and)
            }
        }
    }

    /// `!self` (`!!e` gives `e` back).
    pub fn negate(mut self) -> Expr {
        if let Expr::Not(inner) = &mut self {
            return std::mem::replace(&mut **inner, Expr::And(Vec::new()));
        }
        Expr::Not(Box::new(self))
    }

    /// True when every one of `items` is (and for none).
    pub fn all(items: impl IntoIterator<Item = Expr>) -> Expr {
        let mut v = Vec::new();
        for e in items {
            push_flat(&mut v, e, true);
        }
        Expr::And(v)
    }

    /// True when one of `items` is (false for none).
    pub fn any(items: impl IntoIterator<Item = Expr>) -> Expr {
        let mut v = Vec::new();
        for e in items {
            push_flat(&mut v, e, false);
        }
        Expr::Or(v)
    }

    /// Whether some record of `event` matches.
    pub fn matches_event(&self, event: &Event, it: &mut Interpreter) -> bool {
        event.iter().any(|r| self.matches_ref(event, r, it))
    }

    /// Whether `record` (of `event`; a `&Record` or a [`RecordRef`]) matches.
    pub fn matches_record<'r>(
        &self,
        event: &Event,
        record: impl Into<RecordRef<'r>>,
        it: &mut Interpreter,
    ) -> bool {
        self.matches_ref(event, record.into(), it)
    }

    /// The value of the tree for one record, with a stack of pending nodes
    /// of our own rather than recursion, and `&&` / `||` short-circuited.
    fn matches_ref(&self, event: &Event, record: RecordRef<'_>, it: &mut Interpreter) -> bool {
        let mut pending: Vec<Pending<'_>> = Vec::new();
        let mut node = self;
        loop {
            // Down to a leaf, or to an empty `And` / `Or`.
            let mut value = loop {
                match node {
                    Expr::Not(e) => {
                        pending.push(Pending::Not);
                        node = e;
                    }
                    Expr::And(items) | Expr::Or(items) => {
                        let and = matches!(node, Expr::And(_));
                        let mut rest = items.iter();
                        match rest.next() {
                            None => break and,
                            Some(first) => {
                                pending.push(Pending::Items { and, rest });
                                node = first;
                            }
                        }
                    }
                    leaf => break leaf.matches_leaf(event, record, it),
                }
            };
            // Up until a node has another item to look at.
            loop {
                match pending.last_mut() {
                    None => return value,
                    Some(Pending::Not) => {
                        value = !value;
                        pending.pop();
                    }
                    Some(Pending::Items { and, rest }) => {
                        // `value` decides an `And` when false, an `Or` when true.
                        let next = if value != *and { None } else { rest.next() };
                        match next {
                            Some(e) => {
                                node = e;
                                break;
                            }
                            None => {
                                pending.pop();
                            }
                        }
                    }
                }
            }
        }
    }

    /// The value of a node that has no sub-expressions.
    fn matches_leaf(&self, event: &Event, record: RecordRef<'_>, it: &mut Interpreter) -> bool {
        match self {
            Expr::Not(_) | Expr::And(_) | Expr::Or(_) => false,
            Expr::Exists(f) => record.fields().any(|x| x.name() == f.as_slice()),
            Expr::Key(key) => {
                // The parser may give a multi-key value as several `key`
                // fields (as libauparse does); each may still hold several.
                let ctx = SyscallContext::default();
                let mut keys = Vec::new();
                record.fields().filter(|f| f.name() == b"key").any(|f| {
                    let Some(raw) = f.value_opt().filter(|v| *v != b"(null)") else {
                        return false;
                    };
                    keys.clear();
                    it.decode(FieldType::EscapedKey, &ctx, raw, &mut keys)
                        .is_some_and(|_| keys.split(|&b| b == 1).any(|k| k == key.as_slice()))
                })
            }
            Expr::Regex(re) => {
                let text = record.text();
                let text = match memchr::memchr(0x1d, text) {
                    Some(p) => &text[..p],
                    None => text,
                };
                re.is_match(text)
            }
            Expr::Text { field, op, value } => {
                let Some(f) = record.fields().find(|x| x.name() == field.as_slice()) else {
                    return false;
                };
                let Some(raw) = f.value_opt() else {
                    return false;
                };
                let equal = if matches!(op, Op::RawEq | Op::RawNe) {
                    raw == value.as_slice()
                } else {
                    let mut out = Vec::new();
                    match it.interpret_field(record, &f, &mut out) {
                        Some(_) => out == *value,
                        None => raw == value.as_slice(),
                    }
                };
                equal == matches!(op, Op::RawEq | Op::InterpretedEq)
            }
            Expr::Number { field, op, value } => {
                let Some(f) = record.fields().find(|x| x.name() == field.as_slice()) else {
                    return false;
                };
                let Some(raw) = f.value_opt() else {
                    return false;
                };
                let v = strtoul(raw, 10).unwrap_or(u64::MAX) as u32;
                cmp_result(*op, v.cmp(value))
            }
            Expr::Virtual { op, value } => {
                let id = event.id();
                let c = match *value {
                    Virtual::Timestamp { sec, milli } => {
                        (id.sec as i64).cmp(&sec).then(id.milli.cmp(&milli))
                    }
                    Virtual::TimestampEx { sec, milli, serial } => (id.sec as i64)
                        .cmp(&sec)
                        .then(id.milli.cmp(&milli))
                        .then((id.serial as u32).cmp(&serial)),
                    Virtual::TextCompared => return false,
                    Virtual::RecordType(t) => record.type_number().cmp(&t),
                };
                cmp_result(*op, c)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(lines: &[&str]) -> Event {
        Event::from_records(
            lines
                .iter()
                .map(|l| audit_parse::Record::parse(l.as_bytes()).unwrap())
                .collect(),
        )
    }

    const EXEC: &str = "type=SYSCALL msg=audit(1700000000.500:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=1000 uid=0 comm=\"ls\" key=\"k1\"";

    #[test]
    fn virtual_fields_with_text_operators_never_match() {
        let e = ev(&[EXEC]);
        let mut it = Interpreter::new();
        for text in [
            "\\record_type r= 1300",
            "\\record_type i= SYSCALL",
            "\\timestamp r= 1",
        ] {
            let x = Expr::parse(text).unwrap();
            assert!(
                matches!(
                    x,
                    Expr::Virtual {
                        value: Virtual::TextCompared,
                        ..
                    }
                ),
                "{text}"
            );
            assert!(!x.matches_event(&e, &mut it), "{text}");
        }
        // The same field with a number operator matches.
        assert!(Expr::parse("\\record_type == 1300")
            .unwrap()
            .matches_event(&e, &mut it));
    }

    #[test]
    fn matching() {
        let e = ev(&[EXEC, "type=CWD msg=audit(1700000000.500:7): cwd=\"/root\""]);
        let mut it = Interpreter::new();
        let m = |s: &str, it: &mut Interpreter| Expr::parse(s).unwrap().matches_event(&e, it);
        assert!(m("syscall i= execve", &mut it));
        assert!(m("syscall r= 59", &mut it));
        assert!(m("comm r= \"\\\"ls\\\"\"", &mut it));
        assert!(m("comm i= ls", &mut it));
        assert!(m("auid >= 1000 && uid == 0", &mut it));
        assert!(!m("auid < 1000", &mut it));
        assert!(m("!(nosuch r= x)", &mut it));
        assert!(!m("!!(nosuch r= x)", &mut it));
        assert!(!m("nosuch r!= x", &mut it));
        assert!(m(r"\record_type == CWD", &mut it));
        assert!(m(r"\record_type == 1307 || uid == 5", &mut it));
        assert!(m(r"\timestamp >= ts:1700000000.500", &mut it));
        assert!(!m(r"\timestamp > ts:1700000000.500", &mut it));
        assert!(m(r"\timestamp_ex == ts:1700000000.500:7", &mut it));
        assert!(m(r"\regexp /cwd=.*root/", &mut it));
        assert!(!m(r#"\regexp "^type=PATH""#, &mut it));
        assert!(m("key i= k1", &mut it));
        assert!(m(
            "(uid == 5 || (auid == 1000 && !(uid == 1))) && comm i= ls",
            &mut it
        ));
        assert!(!m(
            "(uid == 5 || (auid == 1000 && !(uid == 0))) && comm i= ls",
            &mut it
        ));
    }

    #[test]
    fn errors() {
        let e = |s: &str| Expr::parse(s).unwrap_err();
        let m = |s: &str| e(s).message().to_owned();
        assert_eq!(m(""), "Empty expression");
        assert_eq!(
            m("comm == x"),
            "Field `comm' does not support value comparison"
        );
        assert_eq!(m("uid"), "Operator expected, got `'");
        assert_eq!(m("uid == x y"), "Unexpected trailing token `y'");
        assert_eq!(m("(uid == 1"), "Right paren expected, got `'");
        assert_eq!(m(r"\nope == 1"), "Unknown escaped field name `nope'");
        assert_eq!(m(r"\timestamp == 5"), "Invalid timestamp value `5'");
        assert_eq!(m(r"\record_type == NOPE"), "Invalid record type `NOPE'");
        assert_eq!(m("a r= \"x"), "Terminating delimiter missing");
        assert_eq!(m("a r= \"\\x\""), "Unknown escape sequence ``\\x''");
        assert_eq!(m("&& x"), "Unexpected token `&&'");
        assert!(m(r"\regexp /(/").starts_with("Invalid regexp: "));
        assert_eq!(
            m("uid == 99999999999999999999"),
            "Error converting number `99999999999999999999'"
        );
        // Each error names its kind and the byte it was found at.
        let at = |s: &str| (e(s).kind(), e(s).offset);
        assert_eq!(at("uid == x y"), (ExprErrorKind::TrailingToken, 9));
        assert_eq!(
            at("uid == 1 && comm == x"),
            (ExprErrorKind::NoValueComparison, 20)
        );
        assert_eq!(at("a r= b || ("), (ExprErrorKind::UnexpectedToken, 11));
        assert_eq!(
            at("a r= b && (c r= d"),
            (ExprErrorKind::RightParenExpected, 17)
        );
        assert_eq!(at(r"x r= y || \regexp /(/"), (ExprErrorKind::BadRegexp, 18));
        assert_eq!(at("x r= \"abc"), (ExprErrorKind::UnterminatedString, 5));
        assert_eq!(
            e("uid == 1 x").to_string(),
            "Unexpected trailing token `x' (at byte 9)"
        );
        assert!(matches!(Regex::new("("), Err(x) if x.kind() == ExprErrorKind::BadRegexp));
    }

    #[test]
    fn chains_are_flat() {
        let p = |s: &str| Expr::parse(s).unwrap();
        assert!(
            matches!(&p("a r= 1 || b r= 2 || (c r= 3 || d r= 4)"), Expr::Or(v) if v.len() == 4)
        );
        assert!(matches!(&p("a r= 1 && (b r= 2 && c r= 3)"), Expr::And(v) if v.len() == 3));
        assert!(matches!(p("((a r= 1))"), Expr::Text { .. }));
        assert!(matches!(p("!!!a r= 1"), Expr::Not(_)));
        assert!(matches!(p("!!a r= 1"), Expr::Text { .. }));
        let built = Expr::exists("a")
            .or(Expr::exists("b"))
            .or(Expr::exists("c"));
        assert!(matches!(&built, Expr::Or(v) if v.len() == 3));
        assert!(matches!(
            Expr::exists("a").negate().negate(),
            Expr::Exists(_)
        ));
    }

    #[test]
    fn builder_items() {
        let e = ev(&[
            EXEC,
            "type=CONFIG_CHANGE msg=audit(1700000000.500:7): auid=0 op=add_rule key=6B31016B2032 list=4 res=1",
        ]);
        let mut it = Interpreter::new();
        let mut m = |x: Expr| x.matches_event(&e, &mut it);
        assert!(m(Expr::field_eq("comm", "\"ls\"")));
        assert!(!m(Expr::field_eq("comm", "ls")));
        assert!(m(Expr::interpreted_eq("comm", "ls")));
        assert!(m(Expr::interpreted_eq("uid", "root")));
        assert!(!m(Expr::interpreted_eq("uid", "0")));
        assert!(m(Expr::exists("cwd").negate()));
        // Keys: the quoted one and each of a hex-encoded pair.
        assert!(m(Expr::key("k1")));
        assert!(m(Expr::key("k 2")));
        assert!(!m(Expr::key("k")));
        assert!(!m(Expr::key("k1\x01k 2")));
        let rt = audit_parse::RecordType::CONFIG_CHANGE;
        assert!(m(Expr::record_type(rt).and(Expr::key("k 2"))));
        assert!(!m(
            Expr::record_type(rt).and(Expr::interpreted_eq("syscall", "execve"))
        ));
        assert!(m(Expr::timestamp_range((1700000000, 500)..(1700000001, 0))));
        assert!(!m(Expr::timestamp_range((1700000000, 501)..)));
        assert!(!m(Expr::timestamp_range(..(1700000000, 500))));
        assert!(m(Expr::timestamp_range(..=(1700000000, 500))));
        assert!(m(Expr::timestamp(Op::Lt, 1700000001, 0)));
        assert!(m(Expr::regex(Regex::new("op=add_rule").unwrap())));
        assert!(m(Expr::any([Expr::exists("x"), Expr::exists("list")])));
        assert!(!m(Expr::all([Expr::exists("x"), Expr::exists("list")])));
        assert!(m(Expr::all([])));
        assert!(!m(Expr::any([])));
    }
}
