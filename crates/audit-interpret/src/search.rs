//! Search expressions: the language of libauparse's
//! `ausearch_add_expression`, compiled once and matched against events.
//!
//! ```text
//! expr       := and ( "||" and )*
//! and        := primary ( "&&" primary )*
//! primary    := "!" primary | "(" expr ")" | comparison
//! comparison := field ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) value   (uid/gid fields, virtual fields)
//!             | field ( "r=" | "r!=" | "i=" | "i!=" ) value                (raw / interpreted text)
//!             | "\regexp" ( /regex/ | "regex" )                            (whole record text)
//! field      := name | "\timestamp" | "\timestamp_ex" | "\record_type"
//! value      := unquoted [A-Za-z0-9_-]+ | "quoted" | ts:SEC.MILLI[:SERIAL]
//! ```
//!
//! A record matches when the expression is true for it; an event matches
//! when one of its records does. A comparison with a field the record lacks
//! is false (so `!(uid == 0)` is true for a record without `uid`).
//!
//! ```
//! use audit_interpret::{Interpreter, search::Expr};
//! use audit_parse::{Event, Record};
//! let rec = Record::parse(b"type=USER_LOGIN msg=audit(1700000000.123:42): pid=1 uid=0 auid=1000 ses=2 msg='op=login acct=\"root\" res=success'").unwrap();
//! let ev = Event::from_records(vec![rec]);
//! let mut it = Interpreter::new();
//! let e = Expr::parse(r#"uid == 0 && \record_type == USER_LOGIN && acct r= "\"root\"""#).unwrap();
//! assert!(e.matches_event(&ev, &mut it));
//! assert!(!Expr::parse(r"\timestamp < ts:1700000000.123").unwrap().matches_event(&ev, &mut it));
//! assert_eq!(Expr::parse("uid ==").unwrap_err().to_string(), "Value expected, got `'");
//! ```

use crate::interp::Interpreter;
use crate::types::{type_of_name, FieldType};
use audit_parse::{Event, RecordRef};
use std::cmp::Ordering;

/// Why an expression does not compile; the texts are libauparse's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    message: String,
    /// Byte offset in the expression where the problem was found.
    pub offset: usize,
}

impl ExprError {
    fn new(message: String, offset: usize) -> Self {
        Self { message, offset }
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
}

/// A compiled search expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// `!e`
    Not(Box<Expr>),
    /// `a && b`
    And(Box<Expr>, Box<Expr>),
    /// `a || b`
    Or(Box<Expr>, Box<Expr>),
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
    /// `\regexp /re/`: the record text (before any 0x1D) matches.
    Regex(regex::bytes::Regex),
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

    fn err(&self, what: &str) -> ExprError {
        ExprError::new(format!("{what}, got `{}'", self.text()), self.start)
    }
}

/// Record type number of a name (`USER_LOGIN`, `UNKNOWN[1334]` or `1334`),
/// as `audit_name_to_msg_type`.
fn record_type_number(name: &[u8]) -> Option<i64> {
    if let Some(v) = crate::tables::MSG_TYPE
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|e| e.0)
    {
        return Some(i64::from(v));
    }
    if let Some(rest) = name.strip_prefix(b"UNKNOWN[") {
        let end = memchr::memchr(b']', rest)?;
        return crate::cnum::strtol(&rest[..end.min(7)], 10);
    }
    if name.first().is_some_and(u8::is_ascii_digit) {
        return crate::cnum::strtol(name, 10);
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

impl ExprParser<'_> {
    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.and()?;
        while self.lx.tok == Tok::Or {
            self.lx.lex()?;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.primary()?;
        while self.lx.tok == Tok::And {
            self.lx.lex()?;
            e = Expr::And(Box::new(e), Box::new(self.primary()?));
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        match self.lx.tok {
            Tok::Not => {
                self.lx.lex()?;
                Ok(Expr::Not(Box::new(self.primary()?)))
            }
            Tok::LParen => {
                self.lx.lex()?;
                let e = self.or()?;
                if self.lx.tok != Tok::RParen {
                    return Err(self.lx.err("Right paren expected"));
                }
                self.lx.lex()?;
                Ok(e)
            }
            Tok::Escape | Tok::Str(_) => self.comparison(),
            _ => Err(ExprError::new(
                format!("Unexpected token `{}'", self.lx.text()),
                self.lx.start,
            )),
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
                        format!("Unknown escaped field name `{}'", self.lx.text()),
                        self.lx.start,
                    ))
                }
            }
        } else {
            let Tok::Str(name) = std::mem::replace(&mut self.lx.tok, Tok::Eof) else {
                return Err(self.lx.err("Field name expected"));
            };
            let numeric = matches!(type_of_name(&name), FieldType::Uid | FieldType::Gid);
            F::Named(name, numeric)
        };
        self.lx.lex()?;
        let Tok::Op(op) = self.lx.tok.clone() else {
            return Err(self.lx.err("Operator expected"));
        };
        self.lx.lex()?;
        let Tok::Str(value) = self.lx.tok.clone() else {
            return Err(self.lx.err("Value expected"));
        };
        let text_op = matches!(
            op,
            Op::RawEq | Op::RawNe | Op::InterpretedEq | Op::InterpretedNe
        );
        let e = match field {
            F::Named(field, _) if text_op => Expr::Text { field, op, value },
            F::Named(field, true) => {
                let Some(v) = crate::cnum::strtoul(&value, 10) else {
                    return Err(ExprError::new(
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
                value: Virtual::RecordType(i64::MIN),
            },
            F::Ts(ex) => {
                let Some((v, end)) = timestamp(self.lx.src, self.lx.start, ex) else {
                    return Err(ExprError::new(
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
            return Err(self.lx.err("Regexp expected"));
        };
        let re = regex::bytes::Regex::new(&String::from_utf8_lossy(&re))
            .map_err(|e| ExprError::new(format!("Invalid regexp: {e}"), self.lx.start))?;
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
            return Err(ExprError::new("Empty expression".into(), 0));
        }
        let e = p.or()?;
        if p.lx.tok != Tok::Eof {
            return Err(ExprError::new(
                format!("Unexpected trailing token `{}'", p.lx.text()),
                p.lx.start,
            ));
        }
        Ok(e)
    }

    /// `self || other` (`AUSEARCH_RULE_OR`).
    pub fn or(self, other: Expr) -> Expr {
        Expr::Or(Box::new(self), Box::new(other))
    }

    /// `self && other` (`AUSEARCH_RULE_AND`).
    pub fn and(self, other: Expr) -> Expr {
        Expr::And(Box::new(self), Box::new(other))
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

    fn matches_ref(&self, event: &Event, record: RecordRef<'_>, it: &mut Interpreter) -> bool {
        match self {
            Expr::Not(e) => !e.matches_ref(event, record, it),
            Expr::And(a, b) => a.matches_ref(event, record, it) && b.matches_ref(event, record, it),
            Expr::Or(a, b) => a.matches_ref(event, record, it) || b.matches_ref(event, record, it),
            Expr::Exists(f) => record.fields().any(|x| x.name() == f.as_slice()),
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
                let v = crate::cnum::strtoul(raw, 10).unwrap_or(u64::MAX) as u32;
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
                    Virtual::RecordType(i64::MIN) => return false,
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

    #[test]
    fn matching() {
        let e = ev(&[
            "type=SYSCALL msg=audit(1700000000.500:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=1000 uid=0 comm=\"ls\" key=\"k1\"",
            "type=CWD msg=audit(1700000000.500:7): cwd=\"/root\"",
        ]);
        let mut it = Interpreter::new();
        let m = |s: &str, it: &mut Interpreter| Expr::parse(s).unwrap().matches_event(&e, it);
        assert!(m("syscall i= execve", &mut it));
        assert!(m("syscall r= 59", &mut it));
        assert!(m("comm r= \"\\\"ls\\\"\"", &mut it));
        assert!(m("comm i= ls", &mut it));
        assert!(m("auid >= 1000 && uid == 0", &mut it));
        assert!(!m("auid < 1000", &mut it));
        assert!(m("!(nosuch r= x)", &mut it));
        assert!(!m("nosuch r!= x", &mut it));
        assert!(m(r"\record_type == CWD", &mut it));
        assert!(m(r"\record_type == 1307 || uid == 5", &mut it));
        assert!(m(r"\timestamp >= ts:1700000000.500", &mut it));
        assert!(!m(r"\timestamp > ts:1700000000.500", &mut it));
        assert!(m(r"\timestamp_ex == ts:1700000000.500:7", &mut it));
        assert!(m(r"\regexp /cwd=.*root/", &mut it));
        assert!(!m(r#"\regexp "^type=PATH""#, &mut it));
        assert!(m("key i= k1", &mut it));
    }

    #[test]
    fn errors() {
        let e = |s: &str| Expr::parse(s).unwrap_err().to_string();
        assert_eq!(e(""), "Empty expression");
        assert_eq!(
            e("comm == x"),
            "Field `comm' does not support value comparison"
        );
        assert_eq!(e("uid"), "Operator expected, got `'");
        assert_eq!(e("uid == x y"), "Unexpected trailing token `y'");
        assert_eq!(e("(uid == 1"), "Right paren expected, got `'");
        assert_eq!(e(r"\nope == 1"), "Unknown escaped field name `nope'");
        assert_eq!(e(r"\timestamp == 5"), "Invalid timestamp value `5'");
        assert_eq!(e(r"\record_type == NOPE"), "Invalid record type `NOPE'");
        assert_eq!(e("a r= \"x"), "Terminating delimiter missing");
        assert_eq!(e("a r= \"\\x\""), "Unknown escape sequence ``\\x''");
        assert_eq!(e("&& x"), "Unexpected token `&&'");
        assert!(e(r"\regexp /(/").starts_with("Invalid regexp: "));
        assert_eq!(
            e("uid == 99999999999999999999"),
            "Error converting number `99999999999999999999'"
        );
        let ok = Expr::parse("a r= b")
            .unwrap()
            .or(Expr::parse("c r= d").unwrap());
        assert!(matches!(ok, Expr::Or(..)));
    }
}
